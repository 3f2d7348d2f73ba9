#!/usr/bin/env python3
"""Expected shape of each AWS X-Ray corpus file for tests/corpus.rs, derived from the JSON alone
(json module only) by the rules of the corpus FORMATS.md section 6, written apart from the Rust
importer. Prints one EXPECTED row a file:

    python3 tools/corpus-xray-figures.py ../shared/corpus/xray/*.json

Rules:
* documents = every JSON value in the file, one after another (a daemon datagram is a header
  object {"format", "version"} followed by the segment); a list holds documents; an object
  with "Traces" holds documents as the JSON strings Traces[].Segments[].Document, one with
  "TraceSegmentDocuments" as those strings. A document is a segment when it has an "id".
* spans   = each segment, and each object in its "subsegments" lists at any depth.
* trace   = the segment's "trace_id"; "1-<8 hex>-<24 hex>" is the number of the 32 hex digits;
            subsegments belong to their segment's trace.
* parent  = for a subsegment, the node whose "subsegments" list holds it; for a segment, its
            "parent_id" (downstream and inferred segments, independent subsegments), if any.
* errors  = spans with "fault", "error" or "throttle" true.
* roots, missing_parents, duplicate_ids, max_depth: as for the other formats (the shape()
  of tools/corpus-zipkin2-figures.py, shared), ordering spans by start_time.
"""
import importlib.util, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    'zipkin2_figures', os.path.join(HERE, 'corpus-zipkin2-figures.py'))
_zipkin2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_zipkin2)
shape = _zipkin2.shape


def values(text):
    """Every JSON value in text, one after another."""
    dec, at, out = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return out
        v, at = dec.raw_decode(text, at)
        out.append(v)


def documents(value, out):
    if isinstance(value, list):
        for v in value:
            documents(v, out)
    elif isinstance(value, dict):
        if 'Traces' in value or 'TraceSegmentDocuments' in value:
            for trace in value.get('Traces') or []:
                for seg in trace.get('Segments') or []:
                    for v in values(seg['Document']):
                        documents(v, out)
            for doc in value.get('TraceSegmentDocuments') or []:
                for v in values(doc):
                    documents(v, out)
        elif value.get('id'):
            out.append(value)


def trace_number(text):
    parts = (text or '').split('-')
    if len(parts) == 3 and parts[0] == '1' and len(parts[1]) == 8 and len(parts[2]) == 24:
        return int(parts[1] + parts[2], 16)
    return text


def spans_of(doc, out):
    tid = trace_number(doc.get('trace_id'))
    pending = [(doc, int(doc.get('parent_id') or '0', 16))]
    while pending:
        node, pid = pending.pop()
        sid = int(node['id'], 16)
        out.append(dict(tid=tid, sid=sid, pid=pid, ts=float(node.get('start_time') or 0),
                        error=any(node.get(f) is True for f in ('fault', 'error', 'throttle'))))
        for sub in node.get('subsegments') or []:
            if isinstance(sub, dict) and sub.get('id'):
                pending.append((sub, sid))


def load(path):
    docs = []
    with open(path, encoding='utf-8') as f:
        for v in values(f.read()):
            documents(v, docs)
    spans = []
    for d in docs:
        spans_of(d, spans)
    return spans


if __name__ == '__main__':
    for path in sorted(sys.argv[1:]):
        r = shape(load(path))
        name = 'xray/' + os.path.basename(path)
        print(f'    e("{name}", "AWS X-Ray JSON", {r["spans"]}, {r["traces"]}, &{r["roots"]}, '
              f'{r["max_depth"]}, {r["missing_parents"]}, {r["duplicate_ids"]}, {r["errors"]}),')
