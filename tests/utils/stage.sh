#!/usr/bin/env bash
# Run one stage and print how long it took:  stage.sh NAME COMMAND [ARGS...]
# Exits with the command's status.
set -uo pipefail

name="${1:?usage: stage.sh NAME COMMAND [ARGS...]}"
shift
start=$(date +%s)
# show the command without its leading `env VAR=...` settings
shown=("$@")
if [ "${shown[0]}" = env ]; then
    shown=("${shown[@]:1}")
    while [ "${#shown[@]}" -gt 0 ] && [[ "${shown[0]}" == *=* ]]; do
        shown=("${shown[@]:1}")
    done
fi
echo "==> [$name] start: ${shown[*]}"
"$@"
rc=$?
secs=$(($(date +%s) - start))
if [ "$rc" -eq 0 ]; then
    echo "==> [$name] passed in ${secs}s"
else
    echo "==> [$name] FAILED (exit $rc) in ${secs}s"
fi
exit "$rc"
