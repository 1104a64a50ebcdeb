#!/usr/bin/env bash
# Check that ansible-doc renders the documentation of every module, filter and role of the collection:
#   tests/utils/ansible_doc_check.sh
#
# Modules: every module of the action group in meta/runtime.yml (which must be exactly the files
# in plugins/modules/), `ansible-doc -t module syno.activebackup.<name>` must exit 0, print
# nothing on stderr, and show the module's header, EXAMPLES and RETURN VALUES.
# Roles: every directory in roles/ must have meta/argument_specs.yml, and
# `ansible-doc -t role syno.activebackup.<name>` must exit 0 and show its main entry point.
# The collection is seen through build/collections (tests/utils/collection_root.py), with an
# empty Ansible configuration.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo"
venv_bin="${VENV_BIN:-$repo/.venv/bin}"
python="$venv_bin/python"
collection=syno.activebackup
group=dsm
limit=120   # seconds per ansible-doc run

[ -x "$venv_bin/ansible-doc" ] || { echo "ansible_doc_check: no ansible-doc in $venv_bin (run make venv)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '[defaults]\n' >"$work/ansible.cfg"
"$python" tests/utils/collection_root.py >/dev/null
export ANSIBLE_CONFIG="$work/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$repo/build/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_HOME="$work/home"
export ANSIBLE_NOCOLOR=1
export PATH="$venv_bin:$PATH"

problems=0
problem() {
    echo "ansible_doc_check: ERROR: $*"
    problems=$((problems + 1))
}

# The modules of the action group, and the module files.
mapfile -t modules < <("$python" - "$group" <<'EOF'
import sys
import yaml

with open('meta/runtime.yml', encoding='utf-8') as handle:
    runtime = yaml.safe_load(handle)
for name in (runtime.get('action_groups') or {}).get(sys.argv[1]) or []:
    print(name)
EOF
)
[ "${#modules[@]}" -gt 0 ] || { echo "ansible_doc_check: meta/runtime.yml has no action group $group" >&2; exit 1; }
mapfile -t files < <(find plugins/modules -maxdepth 1 -name '*.py' ! -name '__init__.py' -printf '%f\n' \
    | sed 's/\.py$//' | sort)
listed="$(printf '%s\n' "${modules[@]}" | sort)"
for name in "${files[@]}"; do
    grep -qxF "$name" <<<"$listed" || problem "plugins/modules/$name.py is not in the action group $group of meta/runtime.yml"
done

# render TYPE FQCN OUT: ansible-doc -t TYPE FQCN into OUT; false (with the problem recorded) when it
# failed; a write to stderr is a problem too.
render() {
    local type="$1" fqcn="$2" out="$3" err="$3.err"
    if ! timeout "$limit" ansible-doc -t "$type" "$fqcn" >"$out" 2>"$err"; then
        problem "ansible-doc -t $type $fqcn failed:"
        sed 's/^/    /' "$err"
        return 1
    fi
    if [ -s "$err" ]; then
        problem "ansible-doc -t $type $fqcn wrote to stderr:"
        sed 's/^/    /' "$err"
    fi
}

for name in "${modules[@]}"; do
    fqcn="$collection.$name"
    out="$work/module-$name.out"
    render module "$fqcn" "$out" || continue
    grep -q "^> MODULE $fqcn " "$out" || problem "$fqcn: no '> MODULE $fqcn' header (is plugins/modules/$name.py there?)"
    grep -q '^EXAMPLES:' "$out" || problem "$fqcn: no EXAMPLES"
    grep -q '^RETURN VALUES:' "$out" || problem "$fqcn: no RETURN VALUES"
    echo "ansible_doc_check: module $fqcn: $(wc -l <"$out") lines"
done

# Filters: every plugins/filter/<name>.py. Without colour, ansible-doc marks the names of filters
# and roles with asterisks.
for file in plugins/filter/*.py; do
    [ -f "$file" ] || continue
    name="$(basename "$file" .py)"
    fqcn="$collection.$name"
    out="$work/filter-$name.out"
    render filter "$fqcn" "$out" || continue
    grep -qE "^> FILTER \*?${fqcn//./\.}\*? " "$out" || problem "$fqcn: no '> FILTER $fqcn' header"
    grep -q '^EXAMPLES:' "$out" || problem "$fqcn: no EXAMPLES"
    echo "ansible_doc_check: filter $fqcn: $(wc -l <"$out") lines"
done

for dir in roles/*/; do
    [ -d "$dir" ] || continue
    name="$(basename "$dir")"
    fqcn="$collection.$name"
    if [ ! -f "$dir/meta/argument_specs.yml" ]; then
        problem "role $fqcn has no meta/argument_specs.yml, so ansible-doc cannot document it"
        continue
    fi
    out="$work/role-$name.out"
    render role "$fqcn" "$out" || continue
    grep -qE "^> ROLE: \*?${fqcn//./\.}\*? " "$out" || problem "$fqcn: no '> ROLE: $fqcn' header"
    grep -qE '^ENTRY POINT: \*?main\*? ' "$out" || problem "$fqcn: no entry point main"
    echo "ansible_doc_check: role $fqcn: $(wc -l <"$out") lines"
done

if [ "$problems" -gt 0 ]; then
    echo "ansible_doc_check: FAILED ($problems problem(s))"
    exit 1
fi
echo "ansible_doc_check: ok: ${#modules[@]} modules, the filters and the roles render"
