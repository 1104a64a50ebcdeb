#!/usr/bin/env bash
# Run make targets one after another as stages (what `make test` does):
#   run_stages.sh TARGET...
# Every stage runs even when an earlier one failed (so one run shows every failure), except
# that nothing runs after a failed "venv". Ends with a timing table; exits 1 if any failed.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo" || exit 1

make="${MAKE:-make}"
total_start=$(date +%s)
failed=()
summary=()
for target in "$@"; do
    start=$(date +%s)
    "$repo/tests/utils/stage.sh" "$target" "$make" --no-print-directory -k "$target"
    rc=$?
    secs=$(($(date +%s) - start))
    if [ "$rc" -eq 0 ]; then
        summary+=("$(printf '  %-16s passed  %5ss' "$target" "$secs")")
    else
        summary+=("$(printf '  %-16s FAILED  %5ss' "$target" "$secs")")
        failed+=("$target")
        if [ "$target" = venv ]; then
            break
        fi
    fi
done
total=$(($(date +%s) - total_start))

echo
echo "==> stage timings"
printf '%s\n' "${summary[@]}"
printf '  %-16s         %5ss\n' total "$total"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "==> FAILED stages: ${failed[*]}"
    exit 1
fi
echo "==> all stages passed"
