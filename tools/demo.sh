#!/usr/bin/env bash
# make demo: the example playbooks against a fleet of three emulated NAS, then the fleet report.
#
# 1. starts the DSM emulator (tests/emulator/dsm_emulator.py) as three NAS over HTTPS, with a
#    CA made for this run, scenario "full" (a relinkable share ABB-Migrated on /volume2, an
#    encrypted share, a storage with a backup task);
# 2. writes an inventory under build/demo/: the host names of examples/inventory/hosts.yml
#    pointing at the emulated NAS, plus a copy of examples/inventory/group_vars;
# 3. runs an ad hoc query (examples/adhoc.md), examples/overview.yml,
#    examples/destinations.yml twice (the second run changes nothing), examples/report.yml and
#    examples/monitoring.yml (which exits 2: the demo fleet has failed and overdue backups) and
#    examples/run_backups.yml (which exits 2: a device of Laptops on nas-lyon is offline);
# 4. prints where the report is. The emulator is stopped on exit, whatever happened.
#
# Everything it writes is under build/demo/ (git-ignored), rebuilt on every run.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"

venv="$repo/.venv"
for tool in python ansible ansible-playbook; do
    if [ ! -x "$venv/bin/$tool" ]; then
        echo "demo: $venv/bin/$tool is missing; run make venv (make demo does it first)" >&2
        exit 1
    fi
done

demo="$repo/build/demo"
rm -rf "$demo"
mkdir -p "$demo/inventory" "$demo/ansible-home" "$demo/tmp"

emulator_pid=""
stop_emulator() {
    if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        # the emulator stops cleanly on SIGTERM; do not wait forever if it does not
        for _ in $(seq 1 50); do
            kill -0 "$emulator_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$emulator_pid" 2>/dev/null; then
            kill -KILL "$emulator_pid" 2>/dev/null || true
        fi
        wait "$emulator_pid" 2>/dev/null || true
        echo "demo: emulator stopped"
    fi
    emulator_pid=""
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() {
    printf '\n=== %s\n' "$*"
}

# ---------------------------------------------------------------------------- emulator
step "Starting the DSM emulator: 3 NAS over HTTPS (scenario full)"
"$venv/bin/python" tests/emulator/dsm_emulator.py --count 3 --port 0 --scenario full \
    --tls --cert-dir "$demo/certs" --ready-file "$demo/ready.json" \
    >"$demo/emulator.log" 2>&1 &
emulator_pid=$!

for _ in $(seq 1 300); do
    [ -s "$demo/ready.json" ] && break
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        echo "demo: the emulator exited before it was ready:" >&2
        tail -n 30 "$demo/emulator.log" >&2
        emulator_pid=""
        exit 1
    fi
    sleep 0.1
done
if [ ! -s "$demo/ready.json" ]; then
    echo "demo: the emulator was not ready within 30 s:" >&2
    tail -n 30 "$demo/emulator.log" >&2
    exit 1
fi

# ---------------------------------------------------------------------------- inventory
# The example's host names, in the example's groups, each pointing at one emulated NAS; the
# example's group_vars apply, the host entries below override the connection settings.
cp -R examples/inventory/group_vars "$demo/inventory/group_vars"
"$venv/bin/python" - "$demo/ready.json" "$demo/inventory/hosts.yml" <<'EOF'
import json
import sys

import yaml

ready_file, hosts_file = sys.argv[1:3]
with open(ready_file, encoding='utf-8') as handle:
    ready = json.load(handle)
example = {'nas_office': ['nas-hq1', 'nas-hq2'], 'nas_branch': ['nas-lyon']}
names = [name for group in example.values() for name in group]
if len(ready['nas']) < len(names):
    sys.exit('demo: the emulator runs %d NAS, the inventory needs %d' % (len(ready['nas']), len(names)))
host_vars = {}
for name, nas in zip(names, ready['nas']):
    host_vars[name] = {
        'ansible_host': '127.0.0.1',
        'dsm_port': nas['port'],
        'dsm_ca_path': ready['ca'],
        # the emulator's administrator; test fixture only, never a real password
        'dsm_username': 'admin',
        'dsm_password': 'Adm1n-Secret!',
        'emulated_nas': nas['name'],
    }
inventory = {'nas': {'children': {
    group: {'hosts': {name: host_vars[name] for name in members}} for group, members in example.items()}}}
with open(hosts_file, 'w', encoding='utf-8') as handle:
    handle.write('---\n# written by tools/demo.sh for the DSM emulator\n')
    yaml.safe_dump(inventory, handle, sort_keys=False)
for name in names:
    print('  %-9s -> emulated %s on port %s' % (name, host_vars[name]['emulated_nas'], host_vars[name]['dsm_port']))
EOF

# nas-lyon (the third NAS): /volume1 95 % full, so that the report has rows to flag
"$venv/bin/python" - "$demo/ready.json" <<'EOF'
import json
import sys

sys.path.insert(0, 'tests/emulator')
from control import EmulatorControl  # noqa: E402

with open(sys.argv[1], encoding='utf-8') as handle:
    ready = json.load(handle)
nas = ready['nas'][2]
control = EmulatorControl(nas['url'], ready['ca'])
volume = [v for v in control.state()['volumes'] if v['volume_path'] == '/volume1'][0]
total = int(volume['total_bytes'])
control.set_state(patch={'volumes': {'/volume1': {'used_bytes': str(total * 95 // 100)}}})
print('  nas-lyon: /volume1 filled to 95 % (emulator control API)')
EOF

printf '# written by tools/demo.sh: an empty configuration, so no user ansible.cfg applies\n[defaults]\n' \
    >"$demo/ansible.cfg"
collection_root="$("$venv/bin/python" tests/utils/collection_root.py)"
export ANSIBLE_COLLECTIONS_PATH="${collection_root%/ansible_collections/*}"
export ANSIBLE_CONFIG="$demo/ansible.cfg"
export ANSIBLE_HOME="$demo/ansible-home"
export ANSIBLE_LOCAL_TEMP="$demo/tmp"
export ANSIBLE_RETRY_FILES_ENABLED=0
export PATH="$venv/bin:$PATH"
inventory=(-i "$demo/inventory")

# ---------------------------------------------------------------------------- the examples
step "Ad hoc (examples/adhoc.md): volumes of every NAS"
CONN='host={{ ansible_host | default(inventory_hostname) }} port={{ dsm_port }}
  ca_path={{ dsm_ca_path | default(omit) }}
  username={{ dsm_username }} password={{ dsm_password }}'
"$venv/bin/ansible" nas "${inventory[@]}" -m syno.activebackup.volume_info -a "$CONN"

step "examples/overview.yml: shares, storages and volumes of each NAS"
"$venv/bin/ansible-playbook" "${inventory[@]}" examples/overview.yml

step "examples/destinations.yml: directories, and relink ABB-Migrated (with --diff)"
"$venv/bin/ansible-playbook" "${inventory[@]}" examples/destinations.yml --diff

step "examples/destinations.yml again: nothing left to change"
"$venv/bin/ansible-playbook" "${inventory[@]}" examples/destinations.yml

step "examples/report.yml: the fleet report"
"$venv/bin/ansible-playbook" "${inventory[@]}" examples/report.yml \
    -e "activebackup_report_dir=$demo/report" \
    -e '{"activebackup_report_fail_on_breach": false}'

step "examples/monitoring.yml: the nightly backup health job (the demo fleet has failed and overdue backups)"
monitoring_rc=0
"$venv/bin/ansible-playbook" "${inventory[@]}" examples/monitoring.yml \
    -e "activebackup_report_dir=$demo/monitoring" || monitoring_rc=$?
if [ "$monitoring_rc" -ne 2 ]; then
    echo "demo: examples/monitoring.yml exited $monitoring_rc; expected 2 (failed or overdue backups in the demo fleet)" >&2
    exit 1
fi
echo "  exit code 2: a scheduler sees the failed and overdue backups listed above"

step "examples/run_backups.yml: run Office-PCs and Laptops on every NAS before maintenance and wait (nas-lyon's Laptops has a device offline)"
run_backups_rc=0
"$venv/bin/ansible-playbook" "${inventory[@]}" examples/run_backups.yml \
    -e "activebackup_report_dir=$demo/run_backups" || run_backups_rc=$?
if [ "$run_backups_rc" -ne 2 ]; then
    echo "demo: examples/run_backups.yml exited $run_backups_rc; expected 2 (a device of Laptops on nas-lyon is offline)" >&2
    exit 1
fi
echo "  exit code 2: the backup that could not start is listed above; the others ran once each"

step "Report"
for name in activebackup-report.html activebackup-report.md activebackup-report.json; do
    if [ ! -s "$demo/report/$name" ]; then
        echo "demo: $demo/report/$name was not written" >&2
        exit 1
    fi
    echo "  $demo/report/$name"
done
echo "Open file://$demo/report/activebackup-report.html in a browser."
