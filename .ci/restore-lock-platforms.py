#!/usr/bin/env python3
# Usage: python3 .ci/restore-lock-platforms.py package-lock.json  (run after every `npm install`)
# Adds lock entries for other platforms' optional binaries that this machine's registry does not serve,
# so `npm ci` sees the lock in sync; npm skips them here by os/cpu without fetching.
import json, re, sys
path = sys.argv[1]
lock = json.load(open(path))
pk = lock['packages']
def platform(name):
    tail = name.split('/')[-1]
    for prefix in ('node-bindings-', 'resolver-binding-'):
        if tail.startswith(prefix): tail = tail[len(prefix):]
    parts = tail.split('-')
    os_ = parts[0]; cpu = parts[1]
    entry = {'os': [os_], 'cpu': [cpu]}
    if 'musl' in tail: entry['libc'] = ['musl']
    elif os_ == 'linux' and ('gnu' in tail): entry['libc'] = ['glibc']
    return entry
added = 0
for key, meta in list(pk.items()):
    for dep, spec in (meta.get('optionalDependencies') or {}).items():
        if not re.search(r'(node-bindings|resolver-binding)-', dep): continue
        if f'node_modules/{dep}' in pk: continue
        if 'wasm' in dep: continue
        entry = {'version': spec.lstrip('^~='), 'optional': True}
        if meta.get('dev'): entry['dev'] = True
        entry.update(platform(dep))
        pk[f'node_modules/{dep}'] = entry
        added += 1
lock['packages'] = dict(sorted(pk.items(), key=lambda kv: (kv[0] != '', kv[0])))
json.dump(lock, open(path, 'w'), indent=2); open(path, 'a').write('\n')
print('added', added)
