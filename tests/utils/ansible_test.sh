#!/usr/bin/env bash
# Run ansible-test on this collection.
#
#   ansible_test.sh [--newest] sanity [extra ansible-test args]
#       ansible-test sanity --venv --requirements --python X.Y
#   ansible_test.sh [--newest] units [extra ansible-test args]
#       ansible-test units --venv --python X.Y   (installs tests/unit/requirements.txt)
#   ansible_test.sh [--newest] raw ARGS...
#       ansible-test ARGS... as given
#
# Default: ansible-core 2.19 from .venv, Python 3.11. --newest: the newest ansible-core
# from .venv-newest on pyenv's Python 3.13/3.12 (one "SKIP:" line and exit 0 when there is
# no such Python).
#
# ansible-test runs in a synced copy of the work tree under
# build/ansible-test/ansible_collections/syno/activebackup (see collection_root.py), after
# the offline get-pip stand-in is in ansible-test's cache (see get_pip_cache.py).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo"

flavour=main
if [ "${1:-}" = "--newest" ]; then
    flavour=newest
    shift
fi
command="${1:?usage: ansible_test.sh [--newest] sanity|units|raw [args]}"
shift

if [ "$flavour" = newest ]; then
    venv=.venv-newest
    out="$(tests/utils/venv.sh newest)"
    printf '%s\n' "$out"
    case "$out" in
        SKIP:*) exit 0 ;;
    esac
else
    venv=.venv
    tests/utils/venv.sh main
fi

pyver="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
core="$("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')"

"$venv/bin/python" tests/utils/get_pip_cache.py

case "$command" in
    sanity) args=(sanity --venv --requirements --python "$pyver" "$@") ;;
    units) args=(units --venv --python "$pyver" "$@") ;;
    raw) args=("$@") ;;
    *)
        echo "ansible_test.sh: unknown command $command (sanity, units, raw)" >&2
        exit 2
        ;;
esac

mkdir -p build/locks
exec 9>build/locks/ansible-test.lock
flock 9 2>/dev/null || true

root="$("$venv/bin/python" tests/utils/collection_root.py --copy)"
cd "$root"

echo "ansible-test: ansible-core $core, Python $pyver: ansible-test ${args[*]}"
# The venv first on PATH: ansible-test finds python$pyver there. ANSIBLE_TEST_CONTENT_ROOT
# stops ansible-test from walking up to the repo's .git (which ignores build/, so it would
# see no files at all). Nothing from the user's Ansible configuration leaks in.
set +e
env PATH="$repo/$venv/bin:$PATH" ANSIBLE_TEST_CONTENT_ROOT="$root" ANSIBLE_CONFIG=/dev/null \
    "$repo/$venv/bin/ansible-test" "${args[@]}" --color no 2>&1 | tee "$repo/build/ansible-test-$command-$flavour.log"
rc=${PIPESTATUS[0]}
set -e

if [ "$rc" -eq 0 ] && [ "$command" = units ] \
    && grep -q "All targets skipped" "$repo/build/ansible-test-$command-$flavour.log"; then
    echo "NOTE: ansible-test units found no unit tests to run (ansible-core $core, Python $pyver)"
fi
exit "$rc"
