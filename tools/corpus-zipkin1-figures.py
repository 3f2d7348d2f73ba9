#!/usr/bin/env python3
"""Expected shape of each Zipkin v1 corpus file for tests/corpus.rs, derived from the JSON alone
(json module only), written apart from the Rust importer. Prints one EXPECTED row a file:

    python3 tools/corpus-zipkin1-figures.py ../shared/corpus/zipkin1/*.json

Rules: the corpus FORMATS.md section 5 and Zipkin's V1SpanConverter (openzipkin/zipkin
zipkin2/v1/V1SpanConverter.java): each v1 span object is split into one v2 span per service
that reported it (core annotations cs/cr -> CLIENT, sr/ss -> SERVER, ms -> PRODUCER,
mr -> CONSUMER, each in its annotation's endpoint's service; annotations and binary annotations
without an endpoint go to the first span); timestamps and durations from the span's own
timestamp/duration, else from the core annotations (client cs->cr, server sr->ss); a server
side of a v1 span without a timestamp is "shared". The v2 spans are then shaped by the
Zipkin v2 rules of tools/corpus-zipkin2-figures.py (shared spans nested under their client
with an id of their own, partial reports merged, missing starts guessed), which this script
loads and reuses. Errors: a binary annotation `error` (any value but false), or an annotation
`error`. Service: the endpoint's serviceName, else the value of an `lc` binary annotation.
"""
import importlib.util, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('z2', os.path.join(HERE, 'corpus-zipkin2-figures.py'))
z2 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(z2)

CORE = {'cs': 'C', 'cr': 'C', 'sr': 'S', 'ss': 'S', 'ms': 'P', 'mr': 'K'}


def v1_spans(value, out):
    if isinstance(value, list):
        for v in value: v1_spans(v, out)
    elif isinstance(value, dict) and value.get('traceId') and value.get('id'):
        out.append(value)


def endpoint(e):
    """An endpoint with nothing in it reads as absent."""
    if not e or not any(e.get(k) for k in ('serviceName', 'ipv4', 'ipv6', 'port')): return None
    return e


def svc(e):
    return (e or {}).get('serviceName') or ''


def split(src):
    """One v1 span -> a list of v2 span dicts (the fields the figures need)."""
    ts0 = int(src.get('timestamp') or 0)
    du0 = int(src.get('duration') or 0)
    halves = [dict(ep=None, kind=None, shared=False, ts=0, dur=0, ann=[], tags=[])]

    def new(e):
        halves.append(dict(ep=e, kind=None, shared=False, ts=0, dur=0, ann=[], tags=[]))
        return halves[-1]

    def for_ep(e):
        if e is None: return halves[0]
        if halves[0]['ep'] is None:
            halves[0]['ep'] = e
            return halves[0]
        for h in halves:
            if svc(h['ep']) == svc(e): return h
        return new(e)

    core = {}
    for a in src.get('annotations') or []:
        e = endpoint(a.get('endpoint'))
        h = for_ep(e)
        v = a.get('value')
        if e is not None and v in ('cs', 'cr', 'sr', 'ss', 'ms', 'mr', 'ws', 'wr'):
            core[v] = (int(a['timestamp']), e)
            if v in CORE: h['kind'] = CORE[v]
        else:
            h['ann'].append((int(a['timestamp']), v))

    def reflects(end):
        return end is not None and ts0 and du0 and ts0 + du0 == end[0]
    if 'cs' not in core and reflects(core.get('cr')): core['cs'] = (ts0, core['cr'][1])
    if 'sr' not in core and reflects(core.get('ss')): core['sr'] = (ts0, core['ss'][1])
    cs, sr, ss, cr = (core.get(k) for k in ('cs', 'sr', 'ss', 'cr'))

    def timed(begin, end):
        h = for_ep(begin[1])
        if ts0 and du0: h['ts'], h['dur'] = ts0, du0
        else:
            h['ts'] = begin[0]
            if end: h['dur'] = max(0, end[0] - begin[0])

    if cs and sr:
        timed(cs, cr)
        client = for_ep(cs[1])
        if svc(client['ep']) == svc(sr[1]):
            client['kind'] = 'C'
            server = new(sr[1]); server['kind'] = 'S'
        else:
            server = for_ep(sr[1])
        server['shared'] = True; server['ts'] = sr[0]
        if ss: server['dur'] = max(0, ss[0] - sr[0])
        if cr is None and du0 == 0: client['dur'] = 0
    elif cs and cr: timed(cs, cr)
    elif sr and ss: timed(sr, ss)
    else:
        for h in halves:
            start, end = {'C': (cs, cr), 'S': (sr, ss)}.get(h['kind'], (None, None))
            if start: h['ts'] = start[0]
            if end: h['ann'].append((end[0], 'end'))
        if ts0: halves[0]['ts'], halves[0]['dur'] = ts0, du0
    if cs is None and sr and (ts0 == 0 or (ss and du0 == 0)):
        for_ep(sr[1])['shared'] = True

    ms, mr, ws, wr = (core.get(k) for k in ('ms', 'mr', 'ws', 'wr'))
    if ms and mr:
        producer = for_ep(ms[1])
        if svc(producer['ep']) == svc(mr[1]):
            producer['kind'] = 'P'; consumer = new(mr[1]); consumer['kind'] = 'K'
        else:
            consumer = for_ep(mr[1])
        consumer['shared'] = True
        if wr: consumer['ts'], consumer['dur'] = wr[0], max(0, mr[0] - wr[0])
        else: consumer['ts'] = mr[0]
        producer['ts'] = ms[0]; producer['dur'] = max(0, ws[0] - ms[0]) if ws else 0
    elif ms: timed(ms, ws)
    elif mr: timed(wr, mr) if wr else timed(mr, None)
    else:
        for w in (ws, wr):
            if w: for_ep(w[1])['ann'].append((w[0], 'wire'))

    for b in src.get('binaryAnnotations') or []:
        key, value = b.get('key'), b.get('value')
        if key in ('ca', 'sa', 'ma') and not isinstance(value, str): continue
        if key == 'lc' and value == '': continue
        for_ep(endpoint(b.get('endpoint')))['tags'].append((key, value))

    out = []
    for h in halves:
        service = svc(h['ep'])
        lc = next((v for k, v in h['tags'] if k == 'lc' and isinstance(v, str) and v.strip()), None)
        if not service.strip() and lc: service = lc
        error = any(k == 'error' and v is not False for k, v in h['tags']) or \
            any(v == 'error' for _, v in h['ann'])
        out.append(dict(
            tid=z2.parse_id(src['traceId'], 32), sid=z2.parse_id(src['id'], 16),
            pid=parse_parent(src.get('parentId')), kind=h['kind'],
            ts=h['ts'] or None, dur=h['dur'] or None, svc=service, shared=h['shared'],
            error=error, ann=[t for t, _ in h['ann']], removed=False, reided=False))
    return out


def parse_parent(text):
    """Hex or base64 as the v2 script reads them; anything else (e.g. "BADID") as text."""
    try:
        return z2.parse_id(text, 16)
    except Exception:
        return ('opaque', text)


def load(path):
    raw = []
    with open(path, encoding='utf-8') as f:
        v1_spans(json.load(f), raw)
    return [s for src in raw for s in split(src)]


if __name__ == '__main__':
    for path in sorted(sys.argv[1:]):
        r = z2.shape(z2.zipkin_rules(load(path)))
        name = 'zipkin1/' + os.path.basename(path)
        print(f'    e("{name}", "Zipkin v1 JSON", {r["spans"]}, {r["traces"]}, &{r["roots"]}, '
              f'{r["max_depth"]}, {r["missing_parents"]}, {r["duplicate_ids"]}, {r["errors"]}),')
