"""Fleet benchmark: the collection's fleet pattern against the hand-written ansible.builtin.uri play.

Starts the DSM emulator as N virtual NAS (HTTPS, 20 ms per request), then runs in alternating
order, with the same forks:

(a) the collection's documented fleet pattern: session login, facts, directory ensure,
    storage ensure with wait, logout (5 tasks per host);
(b) what a competent user writes with ansible.builtin.uri for the same work: log in, each list
    call, the existence check and the writes, the relink poll, log out (11 tasks per host).

Before every run each NAS is reset to the same scenario, so both plays do the same changes
(create a directory, relink a share). Reports wall time (median/min/max), the (a)/(b) ratio pair
by pair, HTTP requests/logins/logouts per host from the emulator's counters, repeated reads,
and controller CPU (user+sys of ansible-playbook and its workers) per task. Writes the figures
as Markdown (``--output``) and prints them.

    python tests/utils/bench.py                    # N=20, 5 pairs, then N=50 and N=100, 2 pairs each
    python tests/utils/bench.py --sizes 20 --pairs 3
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulator'))

from control import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

USER = 'admin'
PASSWORD = 'Adm1n-Secret!'
NEW_DIR = '/volume1/ActiveBackupforBusiness/laptops'
RELINK_SHARE = 'ABB-Migrated'
WRITES = ('create_fs_dir', 'relink', 'remove')

COLLECTION_PLAY = '''---
- name: ABB destinations, the collection's fleet pattern
  hosts: nas
  gather_facts: false
  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ syno_host }}"
      port: "{{ syno_port }}"
      ca_path: "{{ syno_ca }}"
      username: "%(user)s"
      password: "%(password)s"
  tasks:
    - name: Log in once for the whole play
      syno.activebackup.session:
      register: dsm_login
      no_log: true
      check_mode: false

    - name: Work with the session
      module_defaults:
        group/syno.activebackup.dsm:
          host: "{{ syno_host }}"
          port: "{{ syno_port }}"
          ca_path: "{{ syno_ca }}"
          session: "{{ dsm_login.session }}"
      block:
        - name: Read volumes and the repository check
          syno.activebackup.facts:
            gather_subset: [volumes, files_check]

        - name: Make sure the destination directory exists
          syno.activebackup.directory:
            paths: ["%(new_dir)s"]

        - name: Make sure the migrated share is a storage
          syno.activebackup.storage:
            share_name: "%(relink)s"
            state: present
            wait: true
      always:
        - name: Log out
          syno.activebackup.session:
            state: absent
          check_mode: false
''' % {'user': USER, 'password': PASSWORD, 'new_dir': NEW_DIR, 'relink': RELINK_SHARE}

URI_PLAY = '''---
- name: ABB destinations with ansible.builtin.uri
  hosts: nas
  gather_facts: false
  vars:
    api: "https://{{ syno_host }}:{{ syno_port }}/webapi/entry.cgi"
    sid: "{{ dsm_login.json.data.sid }}"
    session_fields: {_sid: "{{ sid }}"}
  module_defaults:
    ansible.builtin.uri:
      url: "{{ api }}"
      method: POST
      body_format: form-urlencoded
      ca_path: "{{ syno_ca }}"
      return_content: true
  tasks:
    - name: Log in
      ansible.builtin.uri:
        body: {api: SYNO.API.Auth, version: "7", method: login, account: "%(user)s", passwd: "%(password)s",
               format: sid, session: webui, enable_syno_token: "yes"}
      register: dsm_login
      no_log: true
      failed_when: not dsm_login.json.success

    - name: List shares
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: shares
      failed_when: not shares.json.success

    - name: List encrypted shares
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_encrypted'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: encrypted
      failed_when: not encrypted.json.success

    - name: List storages
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_storage'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: storages
      failed_when: not storages.json.success

    - name: List volumes
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_volume'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: volumes
      failed_when: not volumes.json.success

    - name: Check the repositories
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'check_file'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: check
      failed_when: not check.json.success

    - name: Does the destination directory exist
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_file',
                   'root_path': '\\"/volume1/ActiveBackupforBusiness\\"'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: listing
      failed_when: not listing.json.success

    - name: Create the destination directory
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'create_fs_dir',
                   'paths': '[\\"%(new_dir)s\\"]'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: created
      when: "'laptops' not in (listing.json.data.files | map(attribute='name'))"
      failed_when: not created.json.success
      changed_when: true

    - name: Relink the migrated share
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'relink',
                   'share_name': '\\"%(relink)s\\"'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: relinked
      when: >-
        (shares.json.data.shares | selectattr('name', 'equalto', '%(relink)s') | map(attribute='relinkable') | first)
        and '%(relink)s' not in (storages.json.data.storages | map(attribute='share_name'))
      failed_when: not relinked.json.success
      changed_when: true

    - name: Wait for the relink
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_storage'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: polled
      when: relinked is changed
      until: >-
        polled.json.success and
        (polled.json.data.storages | selectattr('share_name', 'equalto', '%(relink)s')
         | map(attribute='relink_state.alive') | list) == [false]
      retries: 60
      delay: 1

    - name: Log out
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.API.Auth', 'version': '7', 'method': 'logout', 'session': 'webui'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
''' % {'user': USER, 'password': PASSWORD, 'new_dir': NEW_DIR, 'relink': RELINK_SHARE}

PLAYS = {'collection': (COLLECTION_PLAY, 5), 'uri': (URI_PLAY, 11)}


def inventory(handle):
    hosts = {}
    for nas in handle.nas:
        hosts[nas['name']] = {'syno_host': '127.0.0.1', 'syno_port': nas['port'], 'syno_ca': handle.ca}
    return {'all': {'children': {'nas': {'hosts': hosts}},
                    'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reset_all(handle):
    for index in range(len(handle.nas)):
        handle.control(index).reset('full')


def fleet_counts(handle):
    """Per-host request figures from the emulator: requests, logins, logouts, writes, repeated reads."""
    per_host = []
    for index in range(len(handle.nas)):
        ctl = handle.control(index)
        stats = ctl.stats()
        reads = collections.Counter()
        for entry in ctl.log():
            calls = entry.get('compound') or ['%s.%s' % (entry.get('api'), entry.get('method'))]
            for call in calls:
                if call.startswith('SYNO.ActiveBackup.Share.') and call.rsplit('.', 1)[1] not in WRITES:
                    reads[call] += 1
        per_host.append({
            'requests': stats['requests'],
            'logins': stats['logins'],
            'logouts': stats['logouts'],
            'open_sessions': stats['open_sessions'],
            'writes': stats['writes'],
            'repeated_reads': dict((k, v) for k, v in reads.items() if v > 1),
        })
    return per_host


def run_play(name, workdir, handle, forks, env):
    text, tasks_per_host = PLAYS[name]
    playbook = os.path.join(workdir, '%s.yml' % name)
    with open(playbook, 'w', encoding='utf-8') as handle_out:
        handle_out.write(text)
    reset_all(handle)
    before = children_cpu()
    start = time.monotonic()
    proc = subprocess.run([os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i',
                           os.path.join(workdir, 'inventory.json'), playbook, '-f', str(forks)],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    wall = time.monotonic() - start
    cpu = children_cpu() - before
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout.decode('utf-8', 'replace')[-6000:])
        raise SystemExit('%s play failed with rc %s' % (name, proc.returncode))
    hosts = len(handle.nas)
    counts = fleet_counts(handle)
    return {'play': name, 'wall': wall, 'cpu': cpu, 'cpu_per_task': cpu / (tasks_per_host * hosts),
            'tasks': tasks_per_host * hosts, 'counts': counts}


def summarize_counts(counts):
    def per(key):
        values = [c[key] for c in counts]
        return min(values), max(values)
    repeated = collections.Counter()
    for item in counts:
        for call, number in item['repeated_reads'].items():
            repeated['%s x%d' % (call, number)] += 1
    return {'requests': per('requests'), 'logins': per('logins'), 'logouts': per('logouts'),
            'open_sessions': per('open_sessions'), 'writes': per('writes'), 'repeated_reads': dict(repeated)}


def span(pair):
    low, high = pair
    return str(low) if low == high else '%s-%s' % (low, high)


def bench_size(size, pairs, forks, latency_ms, relink_seconds, env):
    runs = {'collection': [], 'uri': []}
    with tempfile.TemporaryDirectory(prefix='abb-bench-') as workdir:
        handle = start_emulator(workdir, count=size, scenario='full', tls=True,
                                extra_args=['--latency-ms', str(latency_ms), '--relink-seconds', str(relink_seconds)],
                                timeout=60)
        try:
            with open(os.path.join(workdir, 'inventory.json'), 'w', encoding='utf-8') as out:
                json.dump(inventory(handle), out)
            for index in range(pairs):
                order = ('collection', 'uri') if index % 2 == 0 else ('uri', 'collection')
                for name in order:
                    result = run_play(name, workdir, handle, forks, env)
                    runs[name].append(result)
                    print('N=%d pair %d %-10s wall %6.2f s  cpu %6.2f s  cpu/task %.3f s' % (
                        size, index + 1, name, result['wall'], result['cpu'], result['cpu_per_task']), flush=True)
        finally:
            handle.stop()
    ratios = [a['wall'] / b['wall'] for a, b in zip(runs['collection'], runs['uri'])]
    out = {'size': size, 'pairs': pairs, 'ratios': ratios, 'ratio_median': statistics.median(ratios)}
    for name, items in runs.items():
        walls = [r['wall'] for r in items]
        out[name] = {
            'wall_median': statistics.median(walls), 'wall_min': min(walls), 'wall_max': max(walls),
            'cpu_per_task_median': statistics.median([r['cpu_per_task'] for r in items]),
            'cpu_median': statistics.median([r['cpu'] for r in items]),
            'tasks': items[0]['tasks'],
            'counts': summarize_counts(items[-1]['counts']),
        }
    return out


def markdown(results, forks, latency_ms, relink_seconds):
    lines = ['| N NAS | play | task runs | wall median (min-max) s | (a)/(b) per pair | median (a)/(b) | '
             'CPU s (median) | CPU per task s | requests/host | logins/host | logouts/host | repeated reads |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for res in results:
        for name, label in (('collection', '(a) collection'), ('uri', '(b) uri')):
            item = res[name]
            counts = item['counts']
            ratios = ', '.join('%.2f' % r for r in res['ratios']) if name == 'collection' else ''
            median = '%.2f' % res['ratio_median'] if name == 'collection' else ''
            repeated = ', '.join('%s on %d hosts' % (k, v) for k, v in sorted(counts['repeated_reads'].items())) or 'none'
            lines.append('| %d | %s | %d | %.2f (%.2f-%.2f) | %s | %s | %.2f | %.3f | %s | %s | %s | %s |' % (
                res['size'], label, item['tasks'], item['wall_median'], item['wall_min'], item['wall_max'], ratios, median,
                item['cpu_median'], item['cpu_per_task_median'], span(counts['requests']), span(counts['logins']),
                span(counts['logouts']), repeated))
    head = ('Forks %d, %d ms emulator latency per request, relink takes %s s on the emulator, %d CPU cores, '
            'Python %s.' % (forks, latency_ms, relink_seconds, os.cpu_count(), sys.version.split()[0]))
    return head + '\n\n' + '\n'.join(lines) + '\n'


BLOCK_START = '<!-- bench:start (written by tests/utils/bench.py) -->'
BLOCK_END = '<!-- bench:end -->'


def write_block(path, table):
    """Replace the figures between the bench markers of ``path`` (or append them), keeping the prose."""
    stamp = 'Measured %s by `make bench`.\n\n' % time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())
    block = BLOCK_START + '\n' + stamp + table + BLOCK_END
    text = ''
    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    if BLOCK_START in text and BLOCK_END in text:
        head, rest = text.split(BLOCK_START, 1)
        text = head + block + rest.split(BLOCK_END, 1)[1]
    else:
        text = text + ('\n' if text else '') + block + '\n'
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--sizes', default='20,50,100', help='fleet sizes, comma separated (default 20,50,100)')
    parser.add_argument('--pairs', type=int, default=5, help='alternating pairs at the first size (default 5)')
    parser.add_argument('--pairs-larger', type=int, default=2, help='pairs at the larger sizes (default 2)')
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--latency-ms', type=int, default=20)
    parser.add_argument('--relink-seconds', type=float, default=1.0)
    parser.add_argument('--output', help='Markdown file whose bench block gets the figures (e.g. docs/performance.md)')
    parser.add_argument('--json', help='write the raw figures here')
    args = parser.parse_args()

    root = subprocess.run([os.path.join(REPO, '.venv', 'bin', 'python'), os.path.join(REPO, 'tests', 'utils', 'collection_root.py')],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    collections_path = os.path.dirname(os.path.dirname(os.path.dirname(root)))
    config = os.path.join(REPO, 'build', 'bench-ansible.cfg')
    with open(config, 'w', encoding='utf-8') as out:
        out.write('# written by tests/utils/bench.py: no user configuration applies\n[defaults]\n')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_CONFIG=config,
               ANSIBLE_FORKS=str(args.forks), NO_COLOR='1')
    env['PATH'] = os.path.join(REPO, '.venv', 'bin') + os.pathsep + env.get('PATH', '')

    results = []
    for position, size in enumerate(int(s) for s in args.sizes.split(',')):
        pairs = args.pairs if position == 0 else args.pairs_larger
        results.append(bench_size(size, pairs, args.forks, args.latency_ms, args.relink_seconds, env))
    table = markdown(results, args.forks, args.latency_ms, args.relink_seconds)
    print()
    print(table)
    if args.output:
        write_block(args.output, table)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as out:
            json.dump(results, out, indent=2)


if __name__ == '__main__':
    main()
