#!/usr/bin/env bash
# ansible-lint on the roles and the example playbooks, production profile (see .ansible-lint:
# no rule skipped, no warn list). Called by `make lint`; extra arguments go to ansible-lint.
#
#   tests/utils/lint.sh              roles/ and examples/
#   tests/utils/lint.sh roles/report one path
#
# ansible-lint comes from the main virtual environment (.venv, `make venv`). It runs offline
# (nothing is installed into ~/.ansible), sees this work tree as syno.activebackup through
# build/collections (tests/utils/collection_root.py), and no user Ansible configuration.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo"

venv="$repo/.venv"
if [ ! -x "$venv/bin/ansible-lint" ]; then
    echo "lint: $venv/bin/ansible-lint is not installed; run make venv" \
        "(tests/requirements-dev.txt pins ansible-lint)" >&2
    exit 1
fi

collection_root="$("$venv/bin/python" tests/utils/collection_root.py)"
mkdir -p build/lint
printf '# written by tests/utils/lint.sh: empty, so no user ansible.cfg applies\n[defaults]\n' \
    >build/lint/ansible.cfg

paths=("$@")
if [ "${#paths[@]}" -eq 0 ]; then
    paths=(roles examples)
fi

echo "lint: $("$venv/bin/ansible-lint" --nocolor --version 2>/dev/null | head -n 1)"
echo "lint: ansible-lint --profile production on ${paths[*]}"
exec env PATH="$venv/bin:$PATH" \
    ANSIBLE_COLLECTIONS_PATH="${collection_root%/ansible_collections/*}" \
    ANSIBLE_CONFIG="$repo/build/lint/ansible.cfg" \
    ANSIBLE_HOME="$repo/build/lint/ansible-home" \
    NO_COLOR=1 \
    "$venv/bin/ansible-lint" --offline --nocolor --strict --config-file .ansible-lint \
    --profile production "${paths[@]}"
