#!/usr/bin/env bash
# Check the collection's execution environment definition with ansible-builder 3:
#   tests/utils/ee_create.sh
#
# 1. `ansible-builder introspect` on the collection as it is installed (ANSIBLE_COLLECTIONS_PATH
#    layout): the Python dependencies it finds through meta/execution-environment.yml must be
#    exactly those of meta/ee-requirements.txt.
# 2. `ansible-builder create` with meta/execution-environment.yml as the definition, into
#    build/ee: the build context must hold a Containerfile from the base image with the
#    ansible-core range, and the requirements files for pip and ansible-galaxy.
# Building the image itself needs a container engine and is not done here. No network.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo"
builder="${ANSIBLE_BUILDER:-$repo/.venv/bin/ansible-builder}"
python="${PYTHON:-$repo/.venv/bin/python}"
definition=meta/execution-environment.yml
requirements=meta/ee-requirements.txt
context=build/ee

fail() {
    echo "ee_create: FAILED: $*" >&2
    exit 1
}

[ -x "$builder" ] || fail "no ansible-builder at $builder (run make venv)"
[ -f "$definition" ] || fail "$definition is missing"
[ -f "$requirements" ] || fail "$requirements is missing"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# The values the definition declares, read with PyYAML (all checks below compare against them).
read -r base_image core_pin python_file < <("$python" - "$definition" <<'EOF'
import sys
import yaml

with open(sys.argv[1], encoding='utf-8') as handle:
    ee = yaml.safe_load(handle)
if ee.get('version') != 3:
    sys.exit('ee_create: %s: version must be 3, not %r' % (sys.argv[1], ee.get('version')))
deps = ee.get('dependencies') or {}
image = ((ee.get('images') or {}).get('base_image') or {}).get('name')
core = (deps.get('ansible_core') or {}).get('package_pip')
python = deps.get('python')
if not (image and core and isinstance(python, str)):
    sys.exit('ee_create: %s needs images.base_image.name, dependencies.ansible_core.package_pip '
             'and dependencies.python (a file name)' % sys.argv[1])
print(image, core, python)
EOF
)
[ "$python_file" = "$requirements" ] || fail "dependencies.python is $python_file, expected $requirements"
expected_reqs="$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$requirements" | sort)"
[ -n "$expected_reqs" ] || fail "$requirements lists no requirement"

# 1. Introspection, as when an EE that includes the collection is built.
mkdir -p "$scratch/collections/ansible_collections/syno"
ln -s "$repo" "$scratch/collections/ansible_collections/syno/activebackup"
timeout 120 "$builder" introspect --sanitize --write-pip "$scratch/introspected.txt" \
    "$scratch/collections" >"$scratch/introspect.log" 2>&1 \
    || { cat "$scratch/introspect.log" >&2; fail "ansible-builder introspect"; }
found_reqs="$(sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$scratch/introspected.txt" | sort)"
[ "$found_reqs" = "$expected_reqs" ] \
    || fail "introspection found [$found_reqs], $requirements says [$expected_reqs]"
echo "ee_create: introspection: $(echo "$found_reqs" | tr '\n' ' ')(from $requirements)"

# 2. The build context. ansible-builder reads relative paths of a definition from the
# definition's directory, the introspection above from the collection root: stage the
# definition at a root of its own so that both read meta/ee-requirements.txt.
mkdir -p "$scratch/root/meta"
cp "$definition" "$scratch/root/execution-environment.yml"
cp "$requirements" "$scratch/root/$requirements"
rm -rf "$context"
mkdir -p "$(dirname "$context")"
timeout 120 "$builder" create --file "$scratch/root/execution-environment.yml" --context "$context" \
    --output-filename Containerfile >"$scratch/create.log" 2>&1 \
    || { cat "$scratch/create.log" >&2; fail "ansible-builder create"; }

containerfile="$context/Containerfile"
[ -s "$containerfile" ] || fail "$containerfile was not written"
grep -qF "$base_image" "$containerfile" || fail "$containerfile does not use the base image $base_image"
grep -qF "$core_pin" "$containerfile" || fail "$containerfile does not install $core_pin"
pip_reqs="$(find "$context/_build" -name requirements.txt -print -quit)"
[ -n "$pip_reqs" ] || fail "no requirements.txt in $context/_build"
for req in $expected_reqs; do
    grep -qxF "$req" "$pip_reqs" || fail "$pip_reqs does not list $req"
done
galaxy_reqs="$(find "$context/_build" -name requirements.yml -print -quit)"
[ -n "$galaxy_reqs" ] || fail "no requirements.yml in $context/_build"
grep -q 'syno\.activebackup' "$galaxy_reqs" || fail "$galaxy_reqs does not install syno.activebackup"
echo "ee_create: build context in $context: Containerfile from $base_image with $core_pin," \
    "pip $(basename "$pip_reqs"), galaxy $(basename "$galaxy_reqs")"
echo "ee_create: ok (to build the image: podman build -f $containerfile -t syno-activebackup-ee $context)"
