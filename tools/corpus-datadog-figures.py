#!/usr/bin/env python3
"""Expected shape of each Datadog corpus file for tests/corpus.rs, derived from the JSON alone
(json module only) by the rules of the corpus FORMATS.md section 7, written apart from the Rust
importer. Prints one EXPECTED row a file:

    python3 tools/corpus-datadog-figures.py ../shared/corpus/datadog/*.json

Rules:
* spans  = the objects of the file's array, and of the arrays in it (one array = one chunk;
           spans straight in the outer array form the outer chunk); a single object is a span.
* ids    = Python's json reads integers exactly (no float); a string of digits is the same
           number. `parent_id` 0 or absent = no parent.
* trace  = (high << 64) | trace_id, where high is the span's `trace_id_high`, else its
           `meta["_dd.p.tid"]` (hex), else that of the first span with the same `trace_id` in
           the same chunk, else in the file, else 0 (tracers tag only a chunk's first span).
* start  = `start` (ns); errors = spans whose `error` is not 0.
* traces, roots, missing_parents, duplicate_ids, max_depth: the corpus test's rules, computed
  by the `shape` function of tools/corpus-zipkin2-figures.py (imported, not copied).
"""
import importlib.util, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('zipkin2', os.path.join(HERE, 'corpus-zipkin2-figures.py'))
zipkin2 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zipkin2)

def number(v):
    if v is None or v == '': return 0
    return int(v)  # int, or a string of decimal digits

def own_high(s):
    if s.get('trace_id_high') not in (None, 0, ''):
        return number(s['trace_id_high'])
    tid = (s.get('meta') or {}).get('_dd.p.tid')
    return int(tid, 16) if tid else None

def load(path):
    doc = json.load(open(path, encoding='utf-8'))
    chunks = []
    if isinstance(doc, dict):
        chunks.append([doc])
    else:
        outer = []
        chunks.append(outer)
        for item in doc:
            if isinstance(item, list): chunks.append(item)
            else: outer.append(item)
    by_chunk, by_file = {}, {}
    for c, chunk in enumerate(chunks):
        for s in chunk:
            h = own_high(s)
            if h is not None:
                by_chunk.setdefault((c, number(s['trace_id'])), h)
                by_file.setdefault(number(s['trace_id']), h)
    out = []
    for c, chunk in enumerate(chunks):
        for s in chunk:
            low = number(s['trace_id'])
            high = own_high(s)
            if high is None: high = by_chunk.get((c, low))
            if high is None: high = by_file.get(low, 0)
            out.append(dict(tid=(high << 64) | low, sid=number(s['span_id']),
                            pid=number(s.get('parent_id')), ts=number(s['start']),
                            error=number(s.get('error')) != 0))
    return out

if __name__ == '__main__':
    for path in sorted(sys.argv[1:]):
        r = zipkin2.shape(load(path))
        name = 'datadog/' + os.path.basename(path)
        print(f'    e("{name}", "Datadog JSON", {r["spans"]}, {r["traces"]}, &{r["roots"]}, '
              f'{r["max_depth"]}, {r["missing_parents"]}, {r["duplicate_ids"]}, {r["errors"]}),')
