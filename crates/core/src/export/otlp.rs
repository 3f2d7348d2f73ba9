//! Writes spans of the model as OpenTelemetry OTLP/JSON (`TracesData`: `resourceSpans` →
//! `scopeSpans` → `spans`), the format every OpenTelemetry tool reads, whatever format the
//! spans were loaded from.
//!
//! Written: trace, span and parent ids as lowercase hex at full width (ids that were not hex
//! in the source file are written as the number Spanorama mapped them to); start and end in
//! nanoseconds as decimal strings (a span whose end is unknown has no `endTimeUnixNano`);
//! `kind` and `status.code` as numbers; attributes with their types (`intValue` as a string,
//! `doubleValue` `"NaN"`/`"Infinity"` as strings, JSON values back as `arrayValue` /
//! `kvlistValue`, base64 text as `bytesValue`); events; links; the resource's attributes with
//! `service.name` set to the span's service; the instrumentation scope.
//!
//! Not written: import warnings (they describe the source file), the original text of
//! non-hex ids, and what the model never kept (`traceState`, `flags`, dropped counts).
//!
//! Spans are grouped by (resource, service): one `resourceSpans` entry per group, in order of
//! first appearance, and within a group the spans keep the order they were given in.
//! [`OtlpWriter::next_chunk`] hands the document out in pieces of bounded size, so a page can
//! write a million spans in many short tasks.
//!
//! Spec: <https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding>.

use crate::model::{Attr, Resource, Slice, Span, SpanKind, StatusCode, Store, StrId, Value};
use crate::model::{SpanId, TraceId, UNKNOWN_SERVICE};
use rustc_hash::FxHashMap;
use std::fmt::Write as _;

/// Spans that share a resource and a service: one `resourceSpans` entry.
struct Group {
    resource: u32,
    service: StrId,
    /// Indices into `Store::spans`.
    spans: Vec<u32>,
}

/// Writes a set of spans as one OTLP/JSON document, a chunk at a time.
pub struct OtlpWriter<'a> {
    store: &'a Store,
    groups: Vec<Group>,
    /// Next group to write, and the next span within it.
    group: usize,
    span: usize,
    span_count: usize,
    /// Spans handed out so far.
    written: usize,
    started: bool,
    finished: bool,
}

impl<'a> OtlpWriter<'a> {
    /// A writer for the spans at `spans` (indices into `store.spans`; out-of-range ones are
    /// skipped), in that order within each resource.
    pub fn new(store: &'a Store, spans: impl IntoIterator<Item = u32>) -> OtlpWriter<'a> {
        let mut groups: Vec<Group> = Vec::new();
        let mut index: FxHashMap<(u32, StrId), usize> = FxHashMap::default();
        let mut span_count = 0;
        // Neighbouring spans mostly share their group: look the key up only when it changes.
        let mut last: Option<((u32, StrId), usize)> = None;
        for i in spans {
            let Some(span) = store.spans.get(i as usize) else {
                continue;
            };
            let key = (span.resource, span.service);
            let g = match last {
                Some((k, g)) if k == key => g,
                _ => *index.entry(key).or_insert_with(|| {
                    groups.push(Group {
                        resource: span.resource,
                        service: span.service,
                        spans: Vec::new(),
                    });
                    groups.len() - 1
                }),
            };
            last = Some((key, g));
            groups[g].spans.push(i);
            span_count += 1;
        }
        OtlpWriter {
            store,
            groups,
            group: 0,
            span: 0,
            span_count,
            written: 0,
            started: false,
            finished: false,
        }
    }

    /// A writer for every span of the store.
    pub fn all(store: &'a Store) -> OtlpWriter<'a> {
        OtlpWriter::new(store, 0..store.spans.len() as u32)
    }

    /// Number of spans the document holds.
    pub fn span_count(&self) -> usize {
        self.span_count
    }

    /// Spans written so far.
    pub fn spans_written(&self) -> usize {
        self.written
    }

    /// The next piece of the document: at least one span (when any are left), and spans are
    /// added until the piece reaches `max_bytes`. `None` once the whole document was handed
    /// out. The pieces, concatenated, are the document.
    pub fn next_chunk(&mut self, max_bytes: usize) -> Option<Vec<u8>> {
        if self.finished {
            return None;
        }
        let mut out = String::with_capacity(max_bytes.min(1 << 24) + 4096);
        if !self.started {
            self.started = true;
            out.push_str("{\"resourceSpans\":[");
        }
        while let Some(group) = self.groups.get(self.group) {
            if self.span == 0 {
                if self.group > 0 {
                    out.push_str(",\n");
                }
                self.open_group(&mut out, group);
            }
            while let Some(&i) = group.spans.get(self.span) {
                if self.span > 0 {
                    out.push(',');
                }
                out.push('\n');
                if let Some(span) = self.store.spans.get(i as usize) {
                    write_span(&mut out, self.store, span);
                }
                self.span += 1;
                self.written += 1;
                if out.len() >= max_bytes {
                    return Some(out.into_bytes());
                }
            }
            out.push_str("\n]}]}");
            self.group += 1;
            self.span = 0;
        }
        out.push_str("\n]}\n");
        self.finished = true;
        Some(out.into_bytes())
    }

    /// Writes everything left as one piece.
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(chunk) = self.next_chunk(usize::MAX) {
            out.extend_from_slice(&chunk);
        }
        out
    }

    /// `{"resource":{…},"scopeSpans":[{"scope":{…},"spans":[`
    fn open_group(&self, out: &mut String, group: &Group) {
        let store = self.store;
        let resource = store.resources.get(group.resource as usize);
        out.push_str("{\"resource\":{\"attributes\":[");
        let service = store.strings.get(group.service);
        let mut first = true;
        // `service.name` first, as the span's service (which an importer may have taken from
        // elsewhere: a Jaeger process, a Zipkin endpoint); the resource's own is left out.
        if service != UNKNOWN_SERVICE {
            write_key_value(out, store, "service.name", Value::Str(group.service));
            first = false;
        }
        if let Some(r) = resource {
            for attr in store.attrs_iter(r.attrs) {
                if store.strings.get(attr.key) == "service.name" {
                    continue;
                }
                if !std::mem::take(&mut first) {
                    out.push(',');
                }
                write_attr(out, store, attr);
            }
        }
        out.push_str("]},\"scopeSpans\":[{");
        if let Some(r) = resource {
            write_scope(out, store, r);
        }
        out.push_str("\"spans\":[");
    }
}

/// `"scope":{…},` when the resource names a scope.
fn write_scope(out: &mut String, store: &Store, r: &Resource) {
    if r.scope_name == StrId::EMPTY && r.scope_version == StrId::EMPTY && r.scope_attrs.len == 0 {
        return;
    }
    out.push_str("\"scope\":{\"name\":");
    write_str(out, store.strings.get(r.scope_name));
    if r.scope_version != StrId::EMPTY {
        out.push_str(",\"version\":");
        write_str(out, store.strings.get(r.scope_version));
    }
    write_attrs_field(out, store, r.scope_attrs);
    out.push_str("},");
}

fn write_span(out: &mut String, store: &Store, span: &Span) {
    out.push_str("{\"traceId\":");
    write_trace_id(out, span.trace_id);
    out.push_str(",\"spanId\":");
    write_span_id(out, span.span_id);
    if !span.parent_id.is_zero() {
        out.push_str(",\"parentSpanId\":");
        write_span_id(out, span.parent_id);
    }
    out.push_str(",\"name\":");
    write_str(out, store.strings.get(span.name));
    let kind = match span.kind {
        SpanKind::Unspecified => 0,
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    };
    if kind != 0 {
        let _ = write!(out, ",\"kind\":{kind}");
    }
    // OTLP times are unsigned: a time before 1970 (never seen in real data) is written as 0.
    let start = span.start_unix_nanos.max(0);
    let _ = write!(out, ",\"startTimeUnixNano\":\"{start}\"");
    if !span.end_unknown() {
        let end = span.end_unix_nanos().max(0);
        let _ = write!(out, ",\"endTimeUnixNano\":\"{end}\"");
    }
    write_attrs_field(out, store, span.attrs);
    let events = store.events_of(span);
    if !events.is_empty() {
        out.push_str(",\"events\":[");
        for (n, e) in events.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let _ = write!(
                out,
                "{{\"timeUnixNano\":\"{}\",\"name\":",
                e.time_unix_nanos.max(0)
            );
            write_str(out, store.strings.get(e.name));
            write_attrs_field(out, store, e.attrs);
            out.push('}');
        }
        out.push(']');
    }
    let links = store.links_of(span);
    if !links.is_empty() {
        out.push_str(",\"links\":[");
        for (n, l) in links.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str("{\"traceId\":");
            write_trace_id(out, l.trace_id);
            out.push_str(",\"spanId\":");
            write_span_id(out, l.span_id);
            write_attrs_field(out, store, l.attrs);
            out.push('}');
        }
        out.push(']');
    }
    let code = match span.status {
        StatusCode::Unset => 0,
        StatusCode::Ok => 1,
        StatusCode::Error => 2,
    };
    if code != 0 || span.status_message != StrId::EMPTY {
        out.push_str(",\"status\":{");
        if span.status_message != StrId::EMPTY {
            out.push_str("\"message\":");
            write_str(out, store.strings.get(span.status_message));
            if code != 0 {
                out.push(',');
            }
        }
        if code != 0 {
            let _ = write!(out, "\"code\":{code}");
        }
        out.push('}');
    }
    out.push('}');
}

fn write_trace_id(out: &mut String, id: TraceId) {
    if id.is_zero() {
        out.push_str("\"\"");
    } else {
        let _ = write!(out, "\"{:032x}\"", id.0);
    }
}

fn write_span_id(out: &mut String, id: SpanId) {
    if id.is_zero() {
        out.push_str("\"\"");
    } else {
        let _ = write!(out, "\"{:016x}\"", id.0);
    }
}

/// `,"attributes":[…]`, when there are any.
fn write_attrs_field(out: &mut String, store: &Store, attrs: Slice) {
    if attrs.len > 0 {
        out.push_str(",\"attributes\":");
        write_attrs(out, store, store.attrs_iter(attrs));
    }
}

fn write_attrs(out: &mut String, store: &Store, attrs: impl Iterator<Item = Attr>) {
    out.push('[');
    for (n, attr) in attrs.enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_attr(out, store, attr);
    }
    out.push(']');
}

fn write_attr(out: &mut String, store: &Store, attr: Attr) {
    write_key_value(out, store, store.strings.get(attr.key), attr.value);
}

/// `{"key":…,"value":{…}}`
fn write_key_value(out: &mut String, store: &Store, key: &str, value: Value) {
    out.push_str("{\"key\":");
    write_str(out, key);
    out.push_str(",\"value\":");
    write_value(out, store, value);
    out.push('}');
}

/// A scalar `AnyValue`.
enum Scalar<'s> {
    Str(&'s str),
    Bytes(&'s str),
    Int(i64),
    Double(f64),
    Bool(bool),
}

fn write_scalar(out: &mut String, value: Scalar<'_>) {
    match value {
        Scalar::Str(text) => {
            out.push_str("{\"stringValue\":");
            write_str(out, text);
        }
        Scalar::Bytes(text) => {
            out.push_str("{\"bytesValue\":");
            write_str(out, text);
        }
        Scalar::Int(i) => {
            let _ = write!(out, "{{\"intValue\":\"{i}\"");
        }
        Scalar::Double(f) => {
            out.push_str("{\"doubleValue\":");
            write_f64(out, f);
        }
        Scalar::Bool(b) => {
            let _ = write!(out, "{{\"boolValue\":{b}");
        }
    }
    out.push('}');
}

/// An `AnyValue` object.
fn write_value(out: &mut String, store: &Store, value: Value) {
    let text = |s: StrId| store.strings.get(s);
    let scalar = match value {
        Value::Str(s) => Scalar::Str(text(s)),
        Value::Bytes(s) => Scalar::Bytes(text(s)),
        Value::Int(i) => Scalar::Int(i),
        Value::Float(f) => Scalar::Double(f),
        Value::Bool(b) => Scalar::Bool(b),
        Value::Json(s) => match serde_json::from_str::<serde_json::Value>(text(s)) {
            Ok(json) => return write_json_value(out, &json),
            // Not JSON after all (kept as written by an importer): a string.
            Err(_) => Scalar::Str(text(s)),
        },
    };
    write_scalar(out, scalar);
}

/// A JSON value (an attribute that was an array or a map) as an `AnyValue`: arrays as
/// `arrayValue`, objects as `kvlistValue`, `null` as an empty value. Iterative: nesting as
/// deep as the JSON parser accepted never recurses here.
fn write_json_value(out: &mut String, json: &serde_json::Value) {
    use serde_json::Value as J;
    /// What is left to write: a value, or the text that closes a container.
    enum Step<'j> {
        Value(&'j J),
        Entry(&'j str, &'j J),
        Text(&'static str),
    }
    let mut stack = vec![Step::Value(json)];
    while let Some(step) = stack.pop() {
        let value = match step {
            Step::Text(t) => {
                out.push_str(t);
                continue;
            }
            Step::Entry(key, value) => {
                out.push_str("{\"key\":");
                write_str(out, key);
                out.push_str(",\"value\":");
                stack.push(Step::Text("}"));
                stack.push(Step::Value(value));
                continue;
            }
            Step::Value(v) => v,
        };
        match value {
            J::Null => out.push_str("{}"),
            J::Bool(b) => write_scalar(out, Scalar::Bool(*b)),
            J::Number(n) => write_scalar(
                out,
                match n.as_i64() {
                    Some(i) => Scalar::Int(i),
                    None => Scalar::Double(n.as_f64().unwrap_or(f64::NAN)),
                },
            ),
            J::String(text) => write_scalar(out, Scalar::Str(text)),
            J::Array(items) => {
                out.push_str("{\"arrayValue\":{\"values\":[");
                stack.push(Step::Text("]}}"));
                for (n, item) in items.iter().enumerate().rev() {
                    stack.push(Step::Value(item));
                    if n > 0 {
                        stack.push(Step::Text(","));
                    }
                }
            }
            J::Object(map) => {
                out.push_str("{\"kvlistValue\":{\"values\":[");
                stack.push(Step::Text("]}}"));
                for (n, (key, item)) in map.iter().enumerate().rev() {
                    stack.push(Step::Entry(key, item));
                    if n > 0 {
                        stack.push(Step::Text(","));
                    }
                }
            }
        }
    }
}

/// A double as protobuf JSON writes it: a number, or `"NaN"` / `"Infinity"` / `"-Infinity"`.
fn write_f64(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("\"NaN\"");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        });
    } else {
        // `{:?}` is the shortest text that reads back as the same double, with an exponent
        // where that is shorter (`1e300`): valid JSON.
        let _ = write!(out, "{f:?}");
    }
}

/// A JSON string literal.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import;

    fn export_all(store: &Store) -> String {
        String::from_utf8(OtlpWriter::all(store).finish()).unwrap()
    }

    #[test]
    fn strings_are_escaped() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn doubles_read_back_exactly() {
        for f in [0.1, -2.5, 1e300, 5e-324, 123456789.125, 3.0] {
            let mut out = String::new();
            write_f64(&mut out, f);
            assert_eq!(out.parse::<f64>().unwrap(), f, "{out}");
        }
        let mut out = String::new();
        write_f64(&mut out, f64::NEG_INFINITY);
        assert_eq!(out, "\"-Infinity\"");
    }

    #[test]
    fn json_values_become_array_and_kvlist_values() {
        let json = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": []}});
        let mut out = String::new();
        write_json_value(&mut out, &json);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let entries = &v["kvlistValue"]["values"];
        assert_eq!(entries[0]["key"], "a");
        let items = &entries[0]["value"]["arrayValue"]["values"];
        assert_eq!(items[0], serde_json::json!({"intValue": "1"}));
        assert_eq!(items[1], serde_json::json!({"doubleValue": 2.5}));
        assert_eq!(items[2], serde_json::json!({"stringValue": "x"}));
        assert_eq!(items[3], serde_json::json!({}));
        assert_eq!(items[4], serde_json::json!({"boolValue": true}));
        assert_eq!(
            entries[1]["value"]["kvlistValue"]["values"][0]["value"],
            serde_json::json!({"arrayValue": {"values": []}})
        );
    }

    #[test]
    fn deeply_nested_json_does_not_recurse() {
        let mut json = serde_json::Value::Null;
        for _ in 0..100_000 {
            json = serde_json::Value::Array(vec![json]);
        }
        let mut out = String::new();
        write_json_value(&mut out, &json);
        assert!(out.starts_with("{\"arrayValue\":{\"values\":[{\"arrayValue\""));
        assert_eq!(out.matches("arrayValue").count(), 100_000);
        // serde_json's recursive drop of such a value would overflow; leak it instead.
        std::mem::forget(json);
    }

    #[test]
    fn a_jaeger_span_becomes_an_otlp_span() {
        let jaeger = br#"{"data":[{"traceID":"00000000000000aa","spans":[
            {"traceID":"00000000000000aa","spanID":"00000000000000b1","operationName":"GET /",
             "references":[],"startTime":1000,"duration":5,"processID":"p1",
             "tags":[{"key":"span.kind","type":"string","value":"server"},
                     {"key":"error","type":"bool","value":true},
                     {"key":"http.status_code","type":"int64","value":500}],
             "logs":[{"timestamp":1002,"fields":[{"key":"event","type":"string","value":"boom"}]}]}],
            "processes":{"p1":{"serviceName":"frontend","tags":[{"key":"host","type":"string","value":"h1"}]}}}]}"#;
        let store = import("t.json", jaeger).unwrap();
        let text = export_all(&store);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rs = &v["resourceSpans"][0];
        assert_eq!(
            rs["resource"]["attributes"][0],
            serde_json::json!({"key": "service.name", "value": {"stringValue": "frontend"}})
        );
        assert_eq!(rs["resource"]["attributes"][1]["key"], "host");
        let span = &rs["scopeSpans"][0]["spans"][0];
        assert_eq!(span["traceId"], "000000000000000000000000000000aa");
        assert_eq!(span["spanId"], "00000000000000b1");
        assert!(span.get("parentSpanId").is_none());
        assert_eq!(span["kind"], 2);
        assert_eq!(span["startTimeUnixNano"], "1000000");
        assert_eq!(span["endTimeUnixNano"], "1005000");
        assert_eq!(span["status"]["code"], 2);
        assert_eq!(span["events"][0]["timeUnixNano"], "1002000");
        // And it reads back as the same span.
        let back = import("back.json", text.as_bytes()).unwrap();
        assert_eq!(back.files[0].format, "OTLP JSON");
        let (a, b) = (store.spans[0], back.spans[0]);
        assert_eq!(
            (a.trace_id, a.span_id, a.kind, a.status),
            (b.trace_id, b.span_id, b.kind, b.status)
        );
        assert_eq!(back.strings.get(b.service), "frontend");
    }

    #[test]
    fn open_ended_spans_have_no_end_and_chunks_concatenate() {
        let otlp = br#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[
            {"traceId":"01","spanId":"02","name":"a","startTimeUnixNano":"5"},
            {"traceId":"01","spanId":"03","parentSpanId":"02","name":"b","startTimeUnixNano":"6","endTimeUnixNano":"7"}
        ]}]}]}"#;
        let store = import("t.json", otlp).unwrap();
        let whole = export_all(&store);
        // Unknown service: no service.name is made up.
        assert!(!whole.contains("service.name"), "{whole}");
        let span0 = whole.find("\"name\":\"a\"").unwrap();
        assert!(!whole[span0..whole.find("\"name\":\"b\"").unwrap()].contains("endTimeUnixNano"));
        let mut writer = OtlpWriter::all(&store);
        assert_eq!(writer.span_count(), 2);
        let mut pieces = Vec::new();
        while let Some(chunk) = writer.next_chunk(1) {
            pieces.push(chunk);
        }
        assert!(pieces.len() >= 3, "one span per piece, plus the end");
        assert_eq!(writer.spans_written(), 2);
        assert_eq!(pieces.concat(), whole.as_bytes());
    }

    #[test]
    fn an_empty_selection_is_a_valid_document() {
        let store = Store::default();
        let text = export_all(&store);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["resourceSpans"], serde_json::json!([]));
    }
}
