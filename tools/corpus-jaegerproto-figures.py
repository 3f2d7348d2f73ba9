#!/usr/bin/env python3
"""Expected shape of each Jaeger api_v2 protobuf-JSON corpus file for tests/corpus.rs, derived
from the JSON alone (json, base64 and calendar modules only), written apart from the Rust
importer from the corpus FORMATS.md section 3 and jaeger-idl's proto/api_v2/model.proto.
Prints one EXPECTED row a file:

    python3 tools/corpus-jaegerproto-figures.py ../shared/corpus/jaeger-proto/*.json

Rules:
* spans   = span objects (with `spanId`) in `spans` lists, inside `result`, `batch`,
            `batches` or arrays, in every JSON value of the file (JSON Lines).
* ids     = base64 of 8 or 16 bytes decoded (hex read as a number); none when empty or zero.
* parent  = the first reference whose refType is CHILD_OF (or 0, or absent) and whose traceId
            is the span's own, else the first such FOLLOWS_FROM (1) one; none otherwise.
* start   = `startTime`, RFC 3339, to the nanosecond (used only to order duplicates).
* errors  = a tag `error` whose vBool is true or whose vStr is "true" (any case), or a tag
            `otel.status_code` "ERROR".
* traces, roots, missing_parents, duplicate_ids, max_depth: as for the other formats (the
  shape() function of tools/corpus-zipkin2-figures.py, loaded from there).
"""
import base64, calendar, importlib.util, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('z2', os.path.join(HERE, 'corpus-zipkin2-figures.py'))
z2 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(z2)

HEX = set('0123456789abcdefABCDEF')


def parse_id(text):
    if not text: return 0
    if all(c in HEX for c in text): return int(text, 16)
    return int.from_bytes(base64.b64decode(text), 'big')


TIME = re.compile(r'^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)$')


def rfc3339_ns(text):
    m = TIME.match(text)
    assert m, f'not RFC 3339: {text}'
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    frac = (m.group(7) or '')[:9].ljust(9, '0')
    zone = m.group(8)
    off = 0
    if zone not in ('Z', 'z'):
        off = (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * (1 if zone[0] == '+' else -1)
    return (calendar.timegm((y, mo, d, h, mi, s)) - off) * 10**9 + int(frac)


def spans_of(value, out):
    if isinstance(value, list):
        for v in value: spans_of(v, out)
    elif isinstance(value, dict):
        if 'spanId' in value: out.append(value)
        for key in ('spans', 'result', 'batch', 'batches'):
            if key in value: spans_of(value[key], out)


def documents(text):
    decoder, at, out = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at].isspace(): at += 1
        if at >= len(text): return out
        value, at = decoder.raw_decode(text, at)
        out.append(value)


def is_follows_from(ref):
    t = ref.get('refType', 0)
    return t in ('FOLLOWS_FROM', 1)


def error(tags):
    for t in tags or []:
        if t.get('key') == 'error':
            if t.get('vBool') is True or str(t.get('vStr', '')).lower() == 'true': return True
        if t.get('key') == 'otel.status_code' and t.get('vStr') == 'ERROR': return True
    return False


def load(path):
    raw = []
    with open(path, encoding='utf-8') as f:
        for doc in documents(f.read()): spans_of(doc, raw)
    out = []
    for s in raw:
        tid = parse_id(s.get('traceId'))
        refs = [r for r in s.get('references') or [] if parse_id(r.get('traceId')) == tid
                and parse_id(r.get('spanId')) != 0]
        parent = next((r for r in refs if not is_follows_from(r)), None) or \
            next((r for r in refs if is_follows_from(r)), None)
        out.append(dict(tid=tid, sid=parse_id(s.get('spanId')),
                        pid=parse_id(parent['spanId']) if parent else 0,
                        ts=rfc3339_ns(s['startTime']), error=error(s.get('tags'))))
    return out


if __name__ == '__main__':
    for path in sorted(sys.argv[1:]):
        r = z2.shape(load(path))
        name = 'jaeger-proto/' + os.path.basename(path)
        print(f'    e("{name}", "Jaeger api_v2 protobuf-JSON", {r["spans"]}, {r["traces"]}, '
              f'&{r["roots"]}, {r["max_depth"]}, {r["missing_parents"]}, {r["duplicate_ids"]}, '
              f'{r["errors"]}),')
