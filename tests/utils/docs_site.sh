#!/usr/bin/env bash
# Build the collection's HTML documentation site with antsibull-docs and Sphinx:
#   tests/utils/docs_site.sh [OUTPUT_DIR]       (default build/docs; open build/docs/index.html)
#
# 1. `antsibull-docs sphinx-init --use-current` writes a Sphinx project for syno.activebackup
#    (conf.py, antsibull-docs.cfg) into build/docs-site.
# 2. `antsibull-docs collection --use-current --fail-on-error` writes the RST of every module,
#    filter and role page, the guides of docs/docsite (extra-docs.yml), the links (links.yml)
#    and the changelog into build/docs-site/rst.
# 3. `sphinx-build -W --keep-going -n` makes the HTML: any Sphinx warning (a broken reference
#    included) fails the build. Intersphinx inventories are not fetched (no network): references
#    to other collections' pages fail as warnings, so the docs must have none.
# 4. tests/utils/check_docs_site.py --links-only: every internal link and anchor of every page
#    resolves (Sphinx's linkcheck would try the external links too).
# The collection is seen through build/collections (tests/utils/collection_root.py); the tools
# come from .venv (tests/requirements-dev.txt pins Sphinx and sphinx-ansible-theme).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo"
bin="$repo/.venv/bin"
python="${PYTHON:-$bin/python}"
src="$repo/build/docs-site"
out="$(realpath -m "${1:-$repo/build/docs}")"

fail() {
    echo "docs_site: FAILED: $*" >&2
    exit 1
}

for tool in antsibull-docs sphinx-build; do
    [ -x "$bin/$tool" ] || fail "no $tool in $bin (run make venv)"
done
"$python" -c 'import sphinx_ansible_theme' 2>/dev/null || fail "sphinx-ansible-theme is not installed in .venv (run make venv)"

collection_root="$("$python" tests/utils/collection_root.py)"
collections="${collection_root%/ansible_collections/*}"
mkdir -p build
cfg="$repo/build/docs-ansible.cfg"
printf '# written by tests/utils/docs_site.sh: empty, so no user ansible.cfg applies\n[defaults]\n' >"$cfg"
export PATH="$bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_CONFIG="$cfg" NO_COLOR=1

started=$SECONDS
# antsibull-docs wants its destination owned by the user and writable by nobody else
rm -rf "$src" "$out"
mkdir -m 700 "$src"
antsibull-docs sphinx-init --use-current --dest-dir "$src" --fail-on-error \
    --project syno.activebackup --copyright 'syno.activebackup contributors' \
    --title 'syno.activebackup: Synology Active Backup for Business' --html-short-title syno.activebackup \
    --no-add-antsibull-docs-version syno.activebackup >"$src/sphinx-init.log" 2>&1 \
    || { cat "$src/sphinx-init.log" >&2; fail "antsibull-docs sphinx-init"; }
# No network, so no intersphinx inventory is fetched. The pages antsibull-docs writes refer to a
# few labels of Ansible's own documentation: they resolve through this small inventory of
# docs.ansible.com pages. Any other reference outside the collection stays unresolved and fails
# the build (under -W): add its label here, or link it.
"$python" - "$src/ansible_devel.inv" <<'PYTHON'
import sys
import zlib

# label, page#anchor, title (pages of https://docs.ansible.com/projects/ansible/devel/)
LABELS = [
    ('action_plugins', 'plugins/action.html#action-plugins', 'Action plugins'),
    ('common_return_values', 'reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    ('ansible_configuration_settings', 'reference_appendices/config.html#ansible-configuration-settings',
     'Ansible Configuration Settings'),
    ('module_defaults', 'playbook_guide/playbooks_module_defaults.html#module-defaults', 'Module defaults'),
    ('playbooks_vault', 'vault_guide/index.html#vault-guide-index', 'Protecting sensitive data with Ansible vault'),
]
body = ''.join('%s std:label -1 %s %s\n' % entry for entry in LABELS)
with open(sys.argv[1], 'wb') as out:
    out.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              b'# The remainder of this file is compressed using zlib.\n')
    out.write(zlib.compress(body.encode('utf-8')))
PYTHON
printf '\n# docs_site.sh: offline build, with a local inventory of the Ansible labels the pages use\n%s\n' \
    "intersphinx_mapping = {'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '$src/ansible_devel.inv')}" \
    >>"$src/conf.py"

chmod og-w "$src/rst"  # sphinx-init made it, with the index page
antsibull-docs --config-file "$src/antsibull-docs.cfg" collection --use-current --fail-on-error \
    --cleanup everything --dest-dir "$src/rst" syno.activebackup >"$src/collection.log" 2>&1 \
    || { cat "$src/collection.log" >&2; fail "antsibull-docs collection (log: $src/collection.log)"; }

# The changelog page: antsibull-changelog's release notes as RST, made as tests/utils/changelog.sh
# makes CHANGELOG.md (a release in a scratch copy, so the fragments are not consumed), listed
# on the collection's index page.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
root="$scratch/ansible_collections/syno/activebackup"
mkdir -p "$root"
cp -R changelogs galaxy.yml meta plugins roles "$root/"
version="$("$python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' galaxy.yml)"
date="$(git log -1 --format=%cs -- changelogs 2>/dev/null || true)"
[ -n "$date" ] || date="$(date -u +%Y-%m-%d)"
(
    cd "$root"
    env ANSIBLE_COLLECTIONS_PATH="$scratch" antsibull-changelog release --version "$version" --date "$date" \
        && env ANSIBLE_COLLECTIONS_PATH="$scratch" antsibull-changelog generate --output "$scratch/changelog.rst" \
            --output-format rst
) >"$src/changelog.log" 2>&1 || { cat "$src/changelog.log" >&2; fail "antsibull-changelog (log: $src/changelog.log)"; }
pages="$src/rst/collections/syno/activebackup"
{
    printf '.. _ansible_collections.syno.activebackup.docsite.changelog:\n\n'
    cat "$scratch/changelog.rst"
} >"$pages/changelog.rst"
printf '\n\nChangelog\n---------\n\n.. toctree::\n    :maxdepth: 1\n\n    changelog\n' >>"$pages/index.rst"

# -W: warnings are errors; --keep-going: report them all; -n: nitpicky (every reference resolves)
sphinx-build -b html -W --keep-going -n -q -c "$src" "$src/rst" "$out" 2>"$src/sphinx.log" \
    || { cat "$src/sphinx.log" >&2; fail "sphinx-build (log: $src/sphinx.log)"; }
[ -s "$out/index.html" ] || fail "$out/index.html was not written"

"$python" tests/utils/check_docs_site.py --links-only "$out" || fail "internal links of $out"
pages="$(find "$out" -name '*.html' | wc -l)"
echo "docs_site: $pages HTML pages in $out ($((SECONDS - started)) s), no Sphinx warning, every internal link resolves"
