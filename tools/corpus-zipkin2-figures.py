#!/usr/bin/env python3
"""Expected shape of each Zipkin v2 corpus file for tests/corpus.rs, derived from the JSON alone
(json and base64 modules only) by the rules of the corpus FORMATS.md section 4 and Zipkin's
Trace.merge / SpanNode, written apart from the Rust importer. Prints one EXPECTED row a file:

    python3 tools/corpus-zipkin2-figures.py ../shared/corpus/zipkin2/*.json
"""
import base64, json, sys, os
from collections import defaultdict

HEX = set('0123456789abcdefABCDEF')

def parse_id(text, width):
    if text is None: return 0
    t = str(text).strip()
    if not t: return 0
    if len(t) <= width and all(c in HEX for c in t):
        return int(t, 16)
    b = base64.b64decode(t + '=' * (-len(t) % 4))
    return int.from_bytes(b, 'big')

def get(d, *keys):
    for k in keys:
        if k in d: return d[k]
    return None

def spans_of(value, out):
    if isinstance(value, list):
        for v in value: spans_of(v, out)
    elif isinstance(value, dict):
        if 'spans' in value: spans_of(value['spans'], out)
        elif get(value, 'traceId', 'trace_id') and value.get('id'): out.append(value)

KINDS = {'CLIENT': 'C', 'SERVER': 'S', 'PRODUCER': 'P', 'CONSUMER': 'K', 1: 'C', 2: 'S', 3: 'P', 4: 'K'}

def load(path):
    raw = []
    spans_of(json.load(open(path, encoding='utf-8')), raw)
    out = []
    for i, s in enumerate(raw):
        k = s.get('kind')
        kind = KINDS.get(k.upper() if isinstance(k, str) else k)
        ts = get(s, 'timestamp'); ts = int(ts) if ts not in (None, 0, '0') else None
        du = get(s, 'duration'); du = int(du) if du not in (None, 0, '0') else None
        le = get(s, 'localEndpoint', 'local_endpoint') or {}
        tags = s.get('tags') or {}
        out.append(dict(
            tid=parse_id(get(s, 'traceId', 'trace_id'), 32), sid=parse_id(s['id'], 16),
            pid=parse_id(get(s, 'parentId', 'parent_id'), 16), kind=kind, ts=ts, dur=du,
            svc=get(le, 'serviceName', 'service_name') or '', shared=bool(s.get('shared')),
            error=('error' in tags and tags['error'] is not False),
            ann=[int(a['timestamp']) for a in (s.get('annotations') or [])],
            removed=False, reided=False))
    return out

def zipkin_rules(spans):
    groups = defaultdict(list)
    for s in spans: groups[(s['tid'], s['sid'])].append(s)
    shared_map = {}
    for (tid, sid), g in groups.items():
        if len(g) < 2: continue
        # A SERVER span sharing the id of a non-shared CLIENT span is shared (Trace.merge backfill).
        if any(not m['shared'] and m['kind'] == 'C' for m in g):
            for m in g:
                if m['kind'] == 'S': m['shared'] = True
        # Partial reports (no kind, no duration) merge into the first full report of their service.
        frag = lambda m: m['kind'] is None and m['dur'] is None
        for f in g:
            if not frag(f): continue
            t = next((m for m in g if not frag(m) and (m['svc'] == f['svc'] or f['svc'] == '')), None)
            if t is None: continue
            if t['ts'] is None and f['ts'] is not None: t['ts'] = f['ts']
            if t['pid'] == 0: t['pid'] = f['pid']
            t['error'] = t['error'] or f['error']
            t['ann'] = t['ann'] + f['ann']
            f['removed'] = True
        # Shared spans whose client is present become its children under their own id.
        if any(not m['shared'] and not m['removed'] for m in g):
            k = 0
            for m in g:
                if m['shared'] and not m['removed']:
                    k += 1
                    m['sid'] = ('derived', sid, k)
                    m['pid'] = sid
                    m['reided'] = True
                    shared_map.setdefault((tid, sid, m['svc']), m['sid'])
    for s in spans:
        if s['pid'] != 0 and not s['reided'] and not s['removed']:
            s['pid'] = shared_map.get((s['tid'], s['pid'], s['svc']), s['pid'])
    spans = [s for s in spans if not s['removed']]
    # Missing timestamps: earliest annotation, else nearest ancestor's, else trace's earliest.
    first = {}
    for i, s in enumerate(spans): first.setdefault((s['tid'], s['sid']), i)
    for s in spans:
        if s['ts'] is None and s['ann']: s['ts'] = min(s['ann']); s['ann_ts'] = True
    known = {i: s['ts'] for i, s in enumerate(spans) if s['ts'] is not None}
    earliest = {}
    for i, t in known.items():
        tid = spans[i]['tid']; earliest[tid] = min(earliest.get(tid, t), t)
    for i, s in enumerate(spans):
        if i in known: continue
        at, found, steps = i, None, 0
        while steps < len(spans):
            steps += 1
            p = first.get((spans[at]['tid'], spans[at]['pid']))
            if spans[at]['pid'] == 0 or p is None or p == at: break
            if p in known: found = known[p]; break
            at = p
        s['ts'] = found if found is not None else earliest.get(s['tid'], 0)
    return spans

def shape(spans):
    traces = defaultdict(list)
    for i, s in enumerate(spans): traces[s['tid']].append(i)
    roots, depth_max, missing, dups, errors = [], 0, 0, 0, 0
    for tid, members in traces.items():
        members.sort(key=lambda i: (spans[i]['ts'], i))
        local = {}
        for pos, i in enumerate(members):
            if spans[i]['sid'] in local: dups += 1
            else: local[spans[i]['sid']] = pos
        parent = []
        for pos, i in enumerate(members):
            s = spans[i]
            if s['pid'] == 0 or s['pid'] == s['sid']: parent.append(None); continue
            p = local.get(s['pid'])
            if p is None: missing += 1; parent.append(None)
            elif p == pos: parent.append(None)
            else: parent.append(p)
        kids = defaultdict(list)
        for pos, p in enumerate(parent):
            if p is not None: kids[p].append(pos)
        depth = {}
        stack = [(pos, 0) for pos, p in enumerate(parent) if p is None]
        roots.append(len(stack))
        while stack:
            n, d = stack.pop()
            if n in depth: continue
            depth[n] = d
            stack.extend((c, d + 1) for c in kids[n])
        assert len(depth) == len(members), 'parent cycle: not handled by this script'
        depth_max = max([depth_max] + list(depth.values()))
        errors += sum(1 for i in members if spans[i]['error'])
    return dict(spans=len(spans), traces=len(traces), roots=sorted(roots), max_depth=depth_max,
                missing_parents=missing, duplicate_ids=dups, errors=errors)

if __name__ == '__main__':
    for path in sorted(sys.argv[1:]):
        r = shape(zipkin_rules(load(path)))
        name = 'zipkin2/' + os.path.basename(path)
        print(f'    e("{name}", "Zipkin v2 JSON", {r["spans"]}, {r["traces"]}, &{r["roots"]}, '
              f'{r["max_depth"]}, {r["missing_parents"]}, {r["duplicate_ids"]}, {r["errors"]}),')
