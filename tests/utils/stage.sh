#!/usr/bin/env bash
# One timed stage of the build (every $(STAGE) line of the Makefile):
#
#   stage.sh NAME COMMAND [ARGS...]   run COMMAND; its output is shown and kept in
#                                     build/stages/NAME.log; prints the time it took
#   stage.sh --start                  (make test) forget the stages of an earlier run
#   stage.sh --summary                (make test) the table of the stages run since --start;
#                                     exits 1 when one of them failed
#
# Alone (make lint, make build, ...) a stage exits with its command's status, so make stops at
# the first failure. Under `make test` (STAGE_RUN=1) a stage also records its result in
# build/stages/results and exits 0 after a failure, so every stage runs and --summary fails
# the run at the end; only a failed "venv" stops at once (nothing can run without it).
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
dir="$repo/build/stages"
results="$dir/results"

summary() {
    local total=0 failed=() count=0 name status secs rc
    echo
    echo "==> stages (logs: build/stages/<stage>.log)"
    if [ -f "$results" ]; then
        while IFS=$'\t' read -r name status secs rc; do
            count=$((count + 1))
            total=$((total + secs))
            if [ "$status" = passed ]; then
                printf '  %-18s passed  %5ss\n' "$name" "$secs"
            else
                printf '  %-18s FAILED  %5ss  (exit %s)\n' "$name" "$secs" "$rc"
                failed+=("$name")
            fi
        done <"$results"
    fi
    if [ -f "$dir/start" ]; then
        total=$(($(date +%s) - $(cat "$dir/start")))
    fi
    printf '  %-18s         %5ss\n' total "$total"
    if [ "${#failed[@]}" -gt 0 ]; then
        echo "==> FAILED stages: ${failed[*]}"
        return 1
    fi
    if [ "$count" -eq 0 ]; then
        echo "==> FAILED: no stage ran"
        return 1
    fi
    echo "==> all stages passed ($count)"
}

case "${1:-}" in
    --start)
        rm -rf "$dir"
        mkdir -p "$dir"
        date +%s >"$dir/start"
        exit 0
        ;;
    --summary)
        summary
        exit $?
        ;;
    '' | -*)
        echo "usage: stage.sh NAME COMMAND [ARGS...] | --start | --summary" >&2
        exit 2
        ;;
esac

name="$1"
shift
mkdir -p "$dir"
log="$dir/$name.log"
# show the command without its leading `env VAR=...` settings
shown=("$@")
if [ "${shown[0]:-}" = env ]; then
    shown=("${shown[@]:1}")
    while [ "${#shown[@]}" -gt 0 ] && [[ "${shown[0]}" == *=* ]]; do
        shown=("${shown[@]:1}")
    done
fi
echo "==> [$name] start: ${shown[*]}"
start=$(date +%s)
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))
if [ "$rc" -eq 0 ]; then
    echo "==> [$name] passed in ${secs}s"
else
    echo "==> [$name] FAILED (exit $rc) in ${secs}s (log: build/stages/$name.log)"
fi

if [ "${STAGE_RUN:-}" = 1 ]; then
    printf '%s\t%s\t%s\t%s\n' "$name" "$([ "$rc" -eq 0 ] && echo passed || echo FAILED)" "$secs" "$rc" >>"$results"
    if [ "$rc" -ne 0 ] && [ "$name" = venv ]; then
        summary
        exit "$rc"
    fi
    exit 0
fi
exit "$rc"
