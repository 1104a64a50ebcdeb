#!/usr/bin/env bash
# Install a built collection tarball into a clean, temporary collections path and run a playbook
# with it against the DSM emulator (HTTPS, the seed's data), asserting on the results:
#   tests/utils/tarball_smoke.sh [build/dist/syno-activebackup-X.Y.Z.tar.gz]
#
# Without an argument it builds a tarball first (into the temporary directory). Nothing from the
# work tree is on the collections path: only what the tarball installed. No network (the install
# runs with --offline; the emulator listens on 127.0.0.1 only).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
venv_bin="${VENV_BIN:-$repo/.venv/bin}"
python="$venv_bin/python"
limit="${SMOKE_TIMEOUT:-300}"   # seconds for each ansible command

fail() {
    echo "tarball_smoke: FAILED: $*" >&2
    exit 1
}

[ -x "$venv_bin/ansible-playbook" ] || fail "no ansible-playbook in $venv_bin (run make venv)"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
    if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$emulator_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$emulator_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A clean Ansible: empty configuration, its own home and temporary directories, and only the
# temporary collections path.
mkdir -p "$work/home" "$work/collections" "$work/project"
printf '[defaults]\n' >"$work/ansible.cfg"
export ANSIBLE_CONFIG="$work/ansible.cfg"
export ANSIBLE_HOME="$work/home"
export ANSIBLE_LOCAL_TEMP="$work/home/tmp"
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_NOCOLOR=1
export PATH="$venv_bin:$PATH"
unset SYNOLOGY_HOST SYNOLOGY_PORT SYNOLOGY_USERNAME SYNOLOGY_PASSWORD SYNOLOGY_OTP_SECRET \
    SYNOLOGY_DEVICE_ID SYNOLOGY_VALIDATE_CERTS

# 1. The tarball.
if [ "$#" -ge 1 ]; then
    tarball="$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"
    [ -f "$tarball" ] || fail "no tarball $1"
else
    (cd "$repo" && timeout "$limit" ansible-galaxy collection build --output-path "$work/dist" .) \
        >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "ansible-galaxy collection build"; }
    tarball="$(ls "$work"/dist/syno-activebackup-*.tar.gz)"
fi
echo "tarball_smoke: tarball $(basename "$tarball")"

# 2. Install it, offline, into the empty collections path.
(cd "$work/project" && timeout "$limit" ansible-galaxy collection install --offline \
    -p "$work/collections" "$tarball") >"$work/install.log" 2>&1 \
    || { cat "$work/install.log" >&2; fail "ansible-galaxy collection install"; }
installed="$work/collections/ansible_collections/syno/activebackup"
[ -f "$installed/MANIFEST.json" ] || fail "the install left no MANIFEST.json in $installed"
version="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' \
    "$installed/MANIFEST.json")"
(cd "$work/project" && timeout "$limit" ansible-galaxy collection list syno.activebackup) >"$work/list.log" 2>&1 \
    || { cat "$work/list.log" >&2; fail "ansible-galaxy collection list"; }
grep -q "syno.activebackup *$version" "$work/list.log" || { cat "$work/list.log" >&2; fail "not listed as installed"; }
# ansible-doc reads the installed copy: the documentation must have made it into the tarball.
(cd "$work/project" && timeout "$limit" ansible-doc -t module syno.activebackup.share_info) >"$work/doc.log" 2>&1 \
    || { cat "$work/doc.log" >&2; fail "ansible-doc on the installed collection"; }
grep -qF "$installed/plugins/modules/share_info.py" "$work/doc.log" \
    || fail "ansible-doc did not read the installed collection"
echo "tarball_smoke: installed syno.activebackup $version into an empty collections path"

# 3. The DSM emulator: one NAS over HTTPS with the seed's data (scenario default).
"$python" "$repo/tests/emulator/dsm_emulator.py" --count 1 --port 0 --tls \
    --cert-dir "$work/certs" --ready-file "$work/ready.json" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 300); do
    [ -f "$work/ready.json" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; fail "the emulator exited"; }
    sleep 0.1
done
[ -f "$work/ready.json" ] || { cat "$work/emulator.log" >&2; fail "the emulator did not get ready in 30 s"; }
read -r nas_port nas_ca < <("$python" -c \
    'import json,sys; r=json.load(open(sys.argv[1])); print(r["nas"][0]["port"], r["ca"])' "$work/ready.json")
echo "tarball_smoke: DSM emulator on https://127.0.0.1:$nas_port"

# 4. A playbook that uses the installed collection, as a user's project would.
cat >"$work/project/inventory.ini" <<EOF
[nas]
nas1 ansible_host=127.0.0.1 dsm_port=$nas_port

[nas:vars]
ansible_connection=local
ansible_python_interpreter={{ ansible_playbook_python }}
EOF
cat >"$work/project/smoke.yml" <<'EOF'
---
- name: Smoke test of the installed syno.activebackup
  hosts: nas
  gather_facts: false
  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ ansible_host }}"
      port: "{{ dsm_port | int }}"
      ca_path: "{{ dsm_ca_path }}"
      username: admin
      password: "{{ dsm_password }}"
  tasks:
    - name: Read the shared folders
      syno.activebackup.share_info:
      register: smoke_shares

    - name: The seed's share is there, with its numbers
      ansible.builtin.assert:
        that:
          - smoke_shares is not changed
          - smoke_shares.default_share == 'ActiveBackupforBusiness'
          - smoke_shares.shares | length == 1
          - smoke_shares.shares[0].name == 'ActiveBackupforBusiness'
          - smoke_shares.shares[0].path == '/volume1/ActiveBackupforBusiness'
          - smoke_shares.shares[0].free_space == 10401845899264
          - smoke_shares.shares[0].storage_id == 1
          - smoke_shares.shares[0].type == 'btrfs'
          - smoke_shares.encrypted_shares == []

    - name: Read the volumes
      syno.activebackup.volume_info:
      register: smoke_volumes

    - name: The seed's volume is there, with integer byte counts
      ansible.builtin.assert:
        that:
          - smoke_volumes.volumes | length == 1
          - smoke_volumes.volumes[0].volume_path == '/volume1'
          - smoke_volumes.volumes[0].total_bytes == 23030223990784
          - smoke_volumes.volumes[0].used_bytes == 12628378091520
          - smoke_volumes.volumes[0].free_bytes == 23030223990784 - 12628378091520

    - name: Log in once
      syno.activebackup.session:
      register: smoke_session
      no_log: true

    - name: Gather the facts with the session
      syno.activebackup.facts:
        session: "{{ smoke_session.session }}"
        gather_subset:
          - '!files_check'

    - name: Log out
      syno.activebackup.session:
        session: "{{ smoke_session.session }}"
        state: absent

    - name: The facts show the seed's storage
      ansible.builtin.assert:
        that:
          - ansible_facts.activebackup.default_share == 'ActiveBackupforBusiness'
          - ansible_facts.activebackup.storages | map(attribute='share_name') | list == ['ActiveBackupforBusiness']
          - ansible_facts.activebackup.storages[0].device_count == 4
EOF
(cd "$work/project" && SMOKE_PASSWORD='Adm1n-Secret!' timeout "$limit" ansible-playbook -i inventory.ini smoke.yml \
    -e dsm_ca_path="$nas_ca" -e '{"dsm_password": "{{ lookup(\"ansible.builtin.env\", \"SMOKE_PASSWORD\") }}"}') \
    >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; fail "the smoke playbook failed"; }
grep -E '^nas1 +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/play.log" >/dev/null \
    || { cat "$work/play.log" >&2; fail "unexpected play recap"; }

# 5. What the emulator saw: three logins (two per-task, one session), each logged out again.
"$python" - "$repo/tests/emulator" "https://127.0.0.1:$nas_port" "$nas_ca" <<'EOF' || fail "emulator counters"
import sys
sys.path.insert(0, sys.argv[1])
from control import EmulatorControl

stats = EmulatorControl(sys.argv[2], sys.argv[3]).stats()
problems = []
if stats['logins'] != 3:
    problems.append('logins %s, expected 3' % stats['logins'])
if stats['logouts'] != 3 or stats['open_sessions'] != 0:
    problems.append('logouts %s, open sessions %s, expected 3 and 0' % (stats['logouts'], stats['open_sessions']))
if stats['failed_logins'] or stats['writes']:
    problems.append('failed logins %s, writes %s, expected none' % (stats['failed_logins'], stats['writes']))
if problems:
    sys.exit('tarball_smoke: emulator: ' + '; '.join(problems))
print('tarball_smoke: emulator saw %d requests, %d logins, %d logouts, no writes'
      % (stats['requests'], stats['logins'], stats['logouts']))
EOF
echo "tarball_smoke: ok: $(basename "$tarball") installs and runs against the DSM emulator"
