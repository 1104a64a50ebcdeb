#!/usr/bin/env bash
# Create or refresh the project's virtual environments. Quiet and idempotent.
#
#   venv.sh main     .venv         Python 3.11, tests/requirements-dev.txt, plus the
#                                  Debian package shellcheck (for that sanity test)
#   venv.sh newest   .venv-newest  Python 3.13 or 3.12 (pyenv), $NEWEST_CORE_SPEC
#                                  (default below); prints "SKIP: ..." and exits 0 when no
#                                  such Python exists
#
# A venv is rebuilt from scratch when its stamp (a hash of the interpreter, the pip pin
# and the requirements) changes; otherwise this is a no-op. pip's output goes to
# <venv>/install.log and is shown only when the install fails.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo"

kind="${1:?usage: venv.sh main|newest}"

# pip used inside our venvs (the interpreters' bundled pip is older).
PIP_SPEC="pip==26.3"
# The ansible-core for the "newest" run; bump deliberately (make sanity NEWEST_CORE_SPEC=...).
NEWEST_CORE_SPEC="${NEWEST_CORE_SPEC:-ansible-core==2.21.5}"

log() { printf '%s\n' "$*"; }

hash_of() {
    # sha256 of stdin
    sha256sum | cut -d' ' -f1
}

# build_venv DIR PYTHON STAMP INSTALL_ARGS...
build_venv() {
    local dir="$1" python="$2" stamp="$3"
    shift 3
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ] \
        && "$dir/bin/python" -c 'import sys' >/dev/null 2>&1; then
        log "venv: $dir is up to date"
        return 0
    fi
    local start=$SECONDS
    log "venv: building $dir with $("$python" -V 2>&1) ($python)"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    if ! {
        "$dir/bin/python" -m pip install --disable-pip-version-check -q "$PIP_SPEC" \
            && "$dir/bin/python" -m pip install --disable-pip-version-check -q "$@" \
            && "$dir/bin/python" -m pip check
    } >"$dir/install.log" 2>&1; then
        grep -v "^WARNING: Location 'file:" "$dir/install.log" | tail -n 40 >&2
        log "venv: FAILED to install into $dir (full log: $dir/install.log)" >&2
        # leave no stamp: the next run starts over
        return 1
    fi
    printf '%s' "$stamp" >"$dir/.stamp"
    log "venv: $dir ready in $((SECONDS - start))s"
}

ensure_shellcheck() {
    if command -v shellcheck >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        log "SKIP: shellcheck is missing and we are not root, so it is not installed" \
            "(the shellcheck sanity test will be skipped; install Debian's shellcheck)"
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        log "SKIP: shellcheck is missing and there is no apt-get to install it" \
            "(the shellcheck sanity test will be skipped)"
        return 0
    fi
    log "venv: installing Debian's shellcheck"
    local aptlog
    aptlog="$(mktemp)"
    if ! {
        apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck
    } >"$aptlog" 2>&1; then
        tail -n 20 "$aptlog" >&2
        rm -f "$aptlog"
        log "venv: FAILED to install shellcheck with apt-get" >&2
        return 1
    fi
    rm -f "$aptlog"
}

with_lock() {
    # serialise concurrent `make` runs in the same work tree
    local lock="build/locks/$1"
    shift
    mkdir -p build/locks
    if command -v flock >/dev/null 2>&1; then
        (
            flock 9
            "$@"
        ) 9>"$lock"
    else
        "$@"
    fi
}

case "$kind" in
    main)
        python="$(tests/utils/find_python.sh 3.11)" || {
            log "venv: FAILED: no Python 3.11 with venv/ensurepip/ssl found (PATH, pyenv, /usr/bin)" >&2
            exit 1
        }
        req=tests/requirements-dev.txt
        stamp="$( { "$python" -VV; echo "$PIP_SPEC"; cat "$req"; } | hash_of)"
        with_lock venv.lock build_venv .venv "$python" "$stamp" -r "$req"
        ensure_shellcheck
        ;;
    newest)
        if ! python="$(tests/utils/find_python.sh newest)"; then
            log "SKIP: no Python 3.13 or 3.12 found (PATH or \$(pyenv root)/versions/3.1[23]*)," \
                "so nothing runs on the newest ansible-core"
            exit 0
        fi
        stamp="$( { "$python" -VV; echo "$PIP_SPEC"; echo "$NEWEST_CORE_SPEC"; } | hash_of)"
        with_lock venv-newest.lock build_venv .venv-newest "$python" "$stamp" "$NEWEST_CORE_SPEC"
        ;;
    *)
        echo "usage: venv.sh main|newest" >&2
        exit 2
        ;;
esac
