#!/usr/bin/env bash
# CHANGELOG.md for the coming release, generated from changelogs/changelog.yaml and the
# fragments in changelogs/fragments/ (the fragments are not consumed):
#   tests/utils/changelog.sh          write CHANGELOG.md
#   tests/utils/changelog.sh --check  fail when the committed CHANGELOG.md is not what the
#                                     fragments give (a fragment added without `make changelog`)
#
# The release section takes the version of galaxy.yml and, as its date, the day of the last
# commit that touched changelogs/ (so a clean clone always gives the same file). A real release
# runs `antsibull-changelog release` in the work tree instead, which consumes the fragments.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
venv_bin="${VENV_BIN:-$repo/.venv/bin}"
mode="${1:-write}"

fail() {
    echo "changelog: FAILED: $*" >&2
    exit 1
}

[ -x "$venv_bin/antsibull-changelog" ] || fail "no antsibull-changelog in $venv_bin (run make venv)"
case "$mode" in
    write|--check) ;;
    *) echo "usage: changelog.sh [--check]" >&2; exit 2 ;;
esac

version="$("$venv_bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$repo/galaxy.yml")"
date="$(git -C "$repo" log -1 --format=%cs -- changelogs 2>/dev/null || true)"
[ -n "$date" ] || date="$(date -u +%Y-%m-%d)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/ansible_collections/syno/activebackup"
mkdir -p "$root"
printf "[defaults]\n" >"$work/ansible.cfg"
# what antsibull-changelog reads: the configuration, the fragments, galaxy.yml and the plugins
# (through ansible-doc, for the "New Modules" section)
cp -R "$repo/changelogs" "$repo/galaxy.yml" "$repo/meta" "$repo/plugins" "$root/"
if [ -d "$repo/roles" ]; then
    cp -R "$repo/roles" "$root/"
fi
(
    cd "$root"
    env PATH="$venv_bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$work" ANSIBLE_CONFIG="$work/ansible.cfg" NO_COLOR=1 \
        "$venv_bin/antsibull-changelog" release -v --version "$version" --date "$date" >"$work/release.log" 2>&1
) || { cat "$work/release.log" >&2; fail "antsibull-changelog release"; }
[ -f "$root/CHANGELOG.md" ] || fail "antsibull-changelog wrote no CHANGELOG.md (changelogs/config.yaml output)"

if [ "$mode" = --check ]; then
    if ! diff -u "$repo/CHANGELOG.md" "$root/CHANGELOG.md" >"$work/diff" 2>&1; then
        head -n 60 "$work/diff" >&2
        fail "CHANGELOG.md is not what the fragments give: run make changelog and commit it"
    fi
    echo "changelog: CHANGELOG.md matches the fragments ($version, $date)"
else
    cp "$root/CHANGELOG.md" "$repo/CHANGELOG.md"
    echo "changelog: wrote CHANGELOG.md ($version, $date)"
fi
