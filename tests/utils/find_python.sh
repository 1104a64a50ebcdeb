#!/usr/bin/env bash
# Print the path of a usable CPython interpreter, or nothing (exit 1) when there is none.
#
#   find_python.sh 3.11      a Python 3.11 (PATH first, then pyenv, then /usr/bin)
#   find_python.sh newest    the newest of Python 3.13 / 3.12 (PATH, then pyenv versions)
#
# "Usable" means it runs and has venv, ensurepip and ssl, which every venv here needs.
set -euo pipefail

want="${1:?usage: find_python.sh 3.11|newest}"

usable() {
    # $1 interpreter, $2 wanted major.minor
    [ -x "$1" ] || return 1
    "$1" - "$2" <<'EOF' >/dev/null 2>&1
import sys
import ensurepip, ssl, venv  # noqa: F401
want = tuple(int(p) for p in sys.argv[1].split('.'))
sys.exit(0 if sys.version_info[:2] == want else 1)
EOF
}

real_path() {
    # resolve pyenv shims and the like to the interpreter itself
    "$1" -c 'import sys; print(sys.executable)'
}

candidates() {
    # $1 major.minor
    local v="$1" p root
    p="$(command -v "python$v" 2>/dev/null || true)"
    [ -n "$p" ] && echo "$p"
    p="$(command -v python3 2>/dev/null || true)"
    [ -n "$p" ] && echo "$p"
    root=""
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root 2>/dev/null || true)"
    fi
    [ -z "$root" ] && [ -n "${PYENV_ROOT:-}" ] && root="$PYENV_ROOT"
    [ -z "$root" ] && [ -d "$HOME/.pyenv" ] && root="$HOME/.pyenv"
    if [ -n "$root" ] && [ -d "$root/versions" ]; then
        # newest patch release first
        local d
        for d in "$root/versions/$v".*; do
            [ -d "$d" ] && echo "$d"
        done | sort -t. -k3,3nr | while read -r d; do
            [ -x "$d/bin/python$v" ] && echo "$d/bin/python$v"
            [ -x "$d/bin/python3" ] && echo "$d/bin/python3"
            true
        done
    fi
    for d in /usr/local/bin /usr/bin; do
        [ -x "$d/python$v" ] && echo "$d/python$v"
    done
    return 0
}

find_version() {
    local v="$1" c
    while read -r c; do
        if usable "$c" "$v"; then
            real_path "$c"
            return 0
        fi
    done < <(candidates "$v")
    return 1
}

case "$want" in
    newest)
        for v in 3.13 3.12; do
            if find_version "$v"; then
                exit 0
            fi
        done
        exit 1
        ;;
    *)
        find_version "$want"
        ;;
esac
