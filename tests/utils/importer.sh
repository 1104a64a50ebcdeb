#!/usr/bin/env bash
# Run galaxy-importer (what Ansible Galaxy runs on upload) on a built tarball:
#   importer.sh build/dist/syno-activebackup-X.Y.Z.tar.gz
# galaxy-importer exits 0 even when ansible-doc fails on a module; this script fails when
# it exits non-zero or prints any ERROR line. Its output is kept in build/importer.log.
set -euo pipefail

tarball="${1:?usage: importer.sh TARBALL}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
python="${PYTHON:-$repo/.venv/bin/python}"
log="$repo/build/importer.log"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tarball="$(cd "$(dirname "$tarball")" && pwd -P)/$(basename "$tarball")"
# it writes importer_result.json into the working directory
set +e
(cd "$work" && "$python" -m galaxy_importer.main "$tarball") >"$log" 2>&1
rc=$?
set -e
grep -v '^Loading ' "$log" || true
if [ "$rc" -ne 0 ]; then
    echo "importer: galaxy-importer exited $rc (log: $log)"
    exit 1
fi
if grep -q '^ERROR' "$log"; then
    echo "importer: galaxy-importer reported errors (log: $log)"
    exit 1
fi
echo "importer: galaxy-importer accepted $(basename "$tarball")"
