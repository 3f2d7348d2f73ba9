#!/usr/bin/env python3
"""Expected shape of each New Relic Trace API corpus file for tests/corpus.rs, derived from the
JSON alone (json module only) by the rules of the corpus FORMATS.md section 8, written apart
from the Rust importer. Prints one EXPECTED row a file:

    python3 tools/corpus-newrelic-figures.py ../shared/corpus/newrelic/*.json

Rules:
* spans  = the objects in `spans` of every batch of the file's array (or of its single batch).
* fields = `id`, `trace.id`, `timestamp` at the span's top level, else in its `attributes`;
           `parent.id` in `attributes`, else at the top level; `trace.id` and `timestamp` fall
           back to the batch's `common` block (top level, then `attributes`).
* ids    = opaque text: hex of any case up to the full width compared as a number (so case
           and leading zeros do not matter), anything else (UUIDs) compared as text; absent or
           empty parent = no parent.
* start  = `timestamp` (ms); errors = spans whose `error` attribute is true (or "true"), or
           that have a non-empty `error.message`.
* traces, roots, missing_parents, duplicate_ids, max_depth: the corpus test's rules, computed
  by the `shape` function of tools/corpus-zipkin2-figures.py (imported, not copied).
"""
import importlib.util, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('zipkin2', os.path.join(HERE, 'corpus-zipkin2-figures.py'))
zipkin2 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zipkin2)

HEX = set('0123456789abcdefABCDEF')

def ident(text, width):
    if text is None: return 0
    t = str(text).strip()
    if not t: return 0
    if len(t) <= width and all(c in HEX for c in t): return int(t, 16)
    return ('text', t)

def pick(span, key, common=None):
    attrs = span.get('attributes') or {}
    for place in (span, attrs):
        if key in place: return place[key]
    if common is not None:
        for place in (common, common.get('attributes') or {}):
            if key in place: return place[key]
    return None

def load(path):
    doc = json.load(open(path, encoding='utf-8'))
    batches = doc if isinstance(doc, list) else [doc]
    out = []
    for batch in batches:
        common = batch.get('common') or {}
        for s in batch.get('spans') or []:
            attrs = s.get('attributes') or {}
            error = pick(s, 'error')
            message = pick(s, 'error.message')
            out.append(dict(
                tid=ident(pick(s, 'trace.id', common), 32), sid=ident(pick(s, 'id'), 16),
                pid=ident(attrs.get('parent.id', s.get('parent.id')), 16),
                ts=pick(s, 'timestamp', common) or 0,
                error=error is True or str(error).lower() == 'true' or bool(message)))
    return out

if __name__ == '__main__':
    for path in sorted(sys.argv[1:]):
        r = zipkin2.shape(load(path))
        name = 'newrelic/' + os.path.basename(path)
        print(f'    e("{name}", "New Relic JSON", {r["spans"]}, {r["traces"]}, &{r["roots"]}, '
              f'{r["max_depth"]}, {r["missing_parents"]}, {r["duplicate_ids"]}, {r["errors"]}),')
