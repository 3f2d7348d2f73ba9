//! Jaeger query / UI JSON importer (what `/api/traces` returns and "Download JSON" saves).
//!
//! Supports: the `{"data": [Trace]}` envelope, a bare trace `{traceID, spans, processes}`,
//! an array of traces, a JSON array of spans with inline `process` (the anonymizer's
//! output), JSON Lines of any of these; `processes` and inline `process`; CHILD_OF and
//! FOLLOWS_FROM references (the first CHILD_OF in the same trace is the parent, else the
//! first FOLLOWS_FROM, else the deprecated `parentSpanID`; the other references become
//! links); typed tags (`int64` written as a string when beyond 2^53, `binary` as base64);
//! logs as events; span- and trace-level `warnings`; `span.kind`, `error` and
//! `otel.status_code` tags.
//!
//! Ignored: `flags`, `total`/`limit`/`offset`/`errors` of the envelope.
//!
//! Units: `startTime` and log timestamps are microseconds since the Unix epoch, `duration`
//! is microseconds; both are converted to nanoseconds.
//!
//! Spec: `jaegertracing/jaeger` `internal/uimodel/model.go`; the UI's consumer
//! `jaeger-ui/packages/jaeger-ui/src/model/transform-trace-data.ts`.

use super::json::{for_each_document, nullable, FlexU64, Loose};
use super::{first_byte, has_key, Importer, Sniff, StoreBuilder};
use crate::model::{
    Attr, Event, Link, Resource, Slice, Span, SpanId, SpanKind, SpanWarning, StatusCode, StrId,
    TraceId, Value,
};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

pub const IMPORTER: Importer = Importer {
    name: "Jaeger JSON",
    sniff,
    parse,
    looks_for: "\"traceID\" with \"spanID\", \"spans\" or \"processes\"",
};

fn sniff(head: &[u8]) -> Sniff {
    if !matches!(first_byte(head), Some(b'{') | Some(b'[')) {
        return Sniff::No;
    }
    let trace = has_key(head, "traceID");
    let span_like =
        has_key(head, "spanID") || has_key(head, "processes") || has_key(head, "operationName");
    if trace && span_like {
        Sniff::Yes
    } else if empty_envelope(head) {
        // What `/api/traces` answers when nothing matched: say "no spans", not "unknown".
        Sniff::Maybe
    } else {
        Sniff::No
    }
}

/// True for an object that starts `{"data": []` or `{"data": null` (Jaeger's envelope around
/// zero traces).
fn empty_envelope(head: &[u8]) -> bool {
    let text = head.iter().copied().filter(|b| !b.is_ascii_whitespace());
    let compact: Vec<u8> = text.take(16).collect();
    compact.starts_with(b"{\"data\":[]") || compact.starts_with(b"{\"data\":null")
}

/// One JSON object of any Jaeger shape: an envelope (`data`), a trace (`spans`,
/// `processes`) or a span (`spanID`, …). One struct for all keeps parsing single-pass.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Node<'a> {
    #[serde(default, borrow, deserialize_with = "nullable")]
    data: Vec<Node<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    spans: Vec<Node<'a>>,
    #[serde(default, borrow)]
    processes: Option<HashMap<Cow<'a, str>, Process<'a>>>,
    #[serde(default, borrow, rename = "traceID")]
    trace_id: Cow<'a, str>,
    #[serde(default, borrow, rename = "spanID")]
    span_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, rename = "parentSpanID")]
    parent_span_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    operation_name: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    references: Vec<Reference<'a>>,
    #[serde(default)]
    start_time: FlexU64,
    #[serde(default)]
    duration: FlexU64,
    #[serde(default, borrow, deserialize_with = "nullable")]
    tags: Vec<Tag<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    logs: Vec<Log<'a>>,
    #[serde(default, borrow, rename = "processID")]
    process_id: Cow<'a, str>,
    #[serde(default, borrow)]
    process: Option<Process<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    warnings: Vec<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reference<'a> {
    #[serde(default, borrow)]
    ref_type: Cow<'a, str>,
    #[serde(default, borrow, rename = "traceID")]
    trace_id: Cow<'a, str>,
    #[serde(default, borrow, rename = "spanID")]
    span_id: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(default, borrow)]
    key: Cow<'a, str>,
    #[serde(default, borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    value: Option<Loose<'a>>,
}

#[derive(Deserialize)]
struct Log<'a> {
    #[serde(default)]
    timestamp: FlexU64,
    #[serde(default, borrow, deserialize_with = "nullable")]
    fields: Vec<Tag<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Process<'a> {
    #[serde(default, borrow)]
    service_name: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    tags: Vec<Tag<'a>>,
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    // `untagged` would buffer the whole document; dispatch on the first byte instead.
    if first_byte(bytes) == Some(b'[') {
        for_each_document::<Vec<Node>>(bytes, |nodes| add_nodes(nodes, b))
    } else {
        for_each_document::<Node>(bytes, |node| add_nodes(vec![node], b))
    }
}

fn add_nodes(nodes: Vec<Node<'_>>, b: &mut StoreBuilder) {
    let mut loose_spans = Vec::new();
    for node in nodes {
        if !node.data.is_empty() {
            add_nodes(node.data, b);
        } else if !node.spans.is_empty() || node.processes.is_some() {
            add_trace(node, b);
        } else if node.span_id.is_some() {
            loose_spans.push(node);
        }
    }
    if !loose_spans.is_empty() {
        add_trace(
            Node {
                spans: loose_spans,
                ..Node::default()
            },
            b,
        );
    }
}

fn add_trace(trace: Node<'_>, b: &mut StoreBuilder) {
    for w in &trace.warnings {
        b.warn_file(format!("trace warning from Jaeger: {w}"));
    }
    let mut resources: HashMap<&str, u32> = HashMap::new();
    let processes = trace.processes.unwrap_or_default();
    for span in &trace.spans {
        let resource = if let Some(p) = &span.process {
            push_process(b, p)
        } else if let Some(&r) = resources.get(span.process_id.as_ref()) {
            r
        } else {
            let r = match processes.get(span.process_id.as_ref()) {
                Some(p) => push_process(b, p),
                None => {
                    if !span.process_id.is_empty() {
                        b.warn_file(format!(
                            "process \"{}\" is not in the trace's processes",
                            span.process_id
                        ));
                    }
                    push_process(b, &Process::default())
                }
            };
            resources.insert(span.process_id.as_ref(), r);
            r
        };
        add_span(span, resource, b);
    }
}

fn push_process(b: &mut StoreBuilder, p: &Process<'_>) -> u32 {
    let service = b.intern(&p.service_name);
    let attrs = push_tags(b, &p.tags);
    b.push_resource(Resource {
        service,
        attrs,
        scope_name: StrId::EMPTY,
        scope_version: StrId::EMPTY,
        scope_attrs: Slice::default(),
    })
}

fn add_span(w: &Node<'_>, resource: u32, b: &mut StoreBuilder) {
    let trace_id = b.trace_id(&w.trace_id, "trace id");
    let span_id = b.span_id(w.span_id.as_deref().unwrap_or(""), "span id");

    // Parent: first CHILD_OF in the same trace, else first FOLLOWS_FROM in the same trace,
    // else the deprecated parentSpanID. Every other reference becomes a link.
    let mut refs: Vec<(bool, TraceId, SpanId)> = Vec::with_capacity(w.references.len());
    for r in &w.references {
        let ref_trace = if r.trace_id.is_empty() {
            trace_id
        } else {
            b.trace_id(&r.trace_id, "reference trace id")
        };
        let ref_span = b.span_id(&r.span_id, "reference span id");
        let child_of = !r.ref_type.eq_ignore_ascii_case("FOLLOWS_FROM");
        refs.push((child_of, ref_trace, ref_span));
    }
    let same_trace = |(_, t, s): &(bool, TraceId, SpanId)| *t == trace_id && !s.is_zero();
    let parent_ref = refs
        .iter()
        .position(|r| r.0 && same_trace(r))
        .or_else(|| refs.iter().position(|r| !r.0 && same_trace(r)));
    let parent_id = match (parent_ref, &w.parent_span_id) {
        (Some(i), _) => refs[i].2,
        (None, Some(p)) => b.span_id(p, "parent span id"),
        (None, None) => SpanId(0),
    };

    let ref_type = b.intern("jaeger.ref_type");
    let links: Vec<Link> = refs
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != parent_ref)
        .map(|(_, &(child_of, trace_id, span_id))| {
            let value = b.intern(if child_of { "CHILD_OF" } else { "FOLLOWS_FROM" });
            let attrs = b.push_attrs([Attr {
                key: ref_type,
                value: Value::Str(value),
            }]);
            Link {
                trace_id,
                span_id,
                attrs,
            }
        })
        .collect();
    let links = b.store().push_links(links);

    let attrs = push_tags(b, &w.tags);
    let mut kind = SpanKind::Unspecified;
    let mut status = StatusCode::Unset;
    let mut status_message = StrId::EMPTY;
    for tag in &w.tags {
        match (tag.key.as_ref(), &tag.value) {
            ("span.kind", Some(Loose::Str(k))) => kind = SpanKind::from_name(k),
            ("error", Some(Loose::Bool(true))) => status = StatusCode::Error,
            ("error", Some(Loose::Str(v))) if v.eq_ignore_ascii_case("true") => {
                status = StatusCode::Error
            }
            ("otel.status_code", Some(Loose::Str(v))) => {
                if v.eq_ignore_ascii_case("ERROR") {
                    status = StatusCode::Error;
                } else if v.eq_ignore_ascii_case("OK") && status != StatusCode::Error {
                    status = StatusCode::Ok;
                }
            }
            ("otel.status_description", Some(Loose::Str(v))) => status_message = b.intern(v),
            _ => {}
        }
    }

    let events: Vec<Event> = w
        .logs
        .iter()
        .map(|log| {
            let name = log
                .fields
                .iter()
                .find(|f| f.key == "event" || f.key == "message")
                .and_then(|f| match &f.value {
                    Some(Loose::Str(s)) => Some(s.as_ref()),
                    _ => None,
                })
                .unwrap_or("log");
            Event {
                time_unix_nanos: micros_to_nanos(log.timestamp.0),
                name: b.intern(name),
                attrs: push_tags(b, &log.fields),
            }
        })
        .collect();
    let events = b.store().push_events(events);
    for warning in &w.warnings {
        b.warn_span(SpanWarning::FromSource(warning.to_string()));
    }

    let name = b.intern(&w.operation_name);
    let service = b.resource_service(resource);
    b.push_span(Span {
        trace_id,
        span_id,
        parent_id,
        start_unix_nanos: micros_to_nanos(w.start_time.0),
        duration_nanos: micros_to_nanos(w.duration.0),
        service,
        name,
        kind,
        status,
        status_message,
        resource,
        attrs,
        events,
        links,
        file: 0,
    });
}

fn micros_to_nanos(us: u64) -> i64 {
    i64::try_from(us).unwrap_or(i64::MAX).saturating_mul(1000)
}

fn push_tags(b: &mut StoreBuilder, tags: &[Tag<'_>]) -> Slice {
    if tags.is_empty() {
        return Slice::default();
    }
    let attrs: Vec<Attr> = tags
        .iter()
        .map(|t| {
            let key = b.intern(&t.key);
            let value = tag_value(b, &t.kind, t.value.as_ref());
            Attr { key, value }
        })
        .collect();
    b.push_attrs(attrs)
}

/// A tag value, typed by the tag's `type` when present, else by its JSON type. `int64`
/// values beyond 2^53 arrive as strings and are parsed as integers.
fn tag_value(b: &mut StoreBuilder, kind: &str, value: Option<&Loose<'_>>) -> Value {
    let Some(value) = value else {
        return Value::Str(StrId::EMPTY);
    };
    match (kind.to_ascii_lowercase().as_str(), value) {
        ("int64", Loose::Str(s)) => match s.trim().parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(b.intern(s)),
        },
        ("float64", Loose::Str(s)) => match s.trim().parse::<f64>() {
            Ok(f) => Value::Float(f),
            Err(_) => Value::Str(b.intern(s)),
        },
        ("bool", Loose::Str(s)) => match s.trim() {
            t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
            t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => Value::Str(b.intern(s)),
        },
        ("binary", Loose::Str(s)) => Value::Bytes(b.intern(s)),
        ("string", Loose::Str(s)) | (_, Loose::Str(s)) => Value::Str(b.intern(s)),
        (_, Loose::Bool(x)) => Value::Bool(*x),
        (_, Loose::I64(i)) => Value::Int(*i),
        (_, Loose::U64(u)) => match i64::try_from(*u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(b.intern(&u.to_string())),
        },
        (_, Loose::F64(f)) => Value::Float(*f),
        (_, Loose::Json(j)) => Value::Json(b.intern(j)),
        (_, Loose::Null) => Value::Str(StrId::EMPTY),
    }
}
