//! OpenTelemetry OTLP/JSON importer.
//!
//! Supports: `TracesData` / `ExportTraceServiceRequest` (`resourceSpans` → `scopeSpans` →
//! `spans`), the legacy `instrumentationLibrarySpans` / `instrumentationLibrary` names,
//! Tempo's top-level `batches`, Jaeger api_v3's `{"result": …}` wrapper, and JSON Lines of
//! such documents (the collector's file exporter). Ids as hex of any case or base64; times as
//! decimal strings or numbers; `kind` and `status.code` as numbers or enum names; `intValue`
//! as string or number; `doubleValue` as number or `"NaN"`/`"Infinity"`; arrays, kvlists and
//! bytes as attribute values (kept as JSON / base64 text); events; links.
//!
//! Ignored: `dropped*Count`, `schemaUrl`, `traceState`, `flags`.
//!
//! Units: all times are nanoseconds since the Unix epoch, as in the model.
//!
//! Spec: <https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#json-protobuf-encoding>
//! and `opentelemetry/proto/trace/v1/trace.proto`.

use super::json::{for_each_document, nullable, FlexF64, FlexI64, FlexU64, Loose};
use super::{first_byte, has_key, Importer, Sniff, StoreBuilder};
use crate::model::{
    Attr, Event, Link, Resource, Slice, Span, SpanKind, SpanWarning, StatusCode, StrId, Value,
    SPAN_END_UNKNOWN,
};
use serde::Deserialize;
use std::borrow::Cow;

pub const IMPORTER: Importer = Importer {
    name: "OTLP JSON",
    sniff,
    parse,
    looks_for: "an object with \"resourceSpans\", \"batches\" or \"result\".\"resourceSpans\"",
};

fn sniff(head: &[u8]) -> Sniff {
    if first_byte(head) != Some(b'{') {
        return Sniff::No;
    }
    if has_key(head, "resourceSpans") || has_key(head, "resource_spans") {
        return Sniff::Yes;
    }
    let scope = has_key(head, "scopeSpans") || has_key(head, "instrumentationLibrarySpans");
    if has_key(head, "batches") && scope {
        return Sniff::Yes;
    }
    Sniff::No
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let mut documents = 0usize;
    for_each_document::<Document>(bytes, |doc| {
        documents += 1;
        add_document(doc, b);
    })?;
    if documents > 1 {
        b.warn_file(format!(
            "read as JSON Lines: {} OTLP documents",
            crate::model::units::format_count(documents as u64)
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    #[serde(
        default,
        borrow,
        alias = "resource_spans",
        deserialize_with = "nullable"
    )]
    resource_spans: Vec<ResourceSpans<'a>>,
    /// Tempo's name for `resourceSpans`.
    #[serde(default, borrow, deserialize_with = "nullable")]
    batches: Vec<ResourceSpans<'a>>,
    /// Jaeger api_v3 wraps `TracesData` in `{"result": …}`.
    #[serde(default, borrow)]
    result: Option<Box<Document<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSpans<'a> {
    #[serde(default, borrow)]
    resource: Option<ResourceWire<'a>>,
    #[serde(
        default,
        borrow,
        alias = "instrumentationLibrarySpans",
        alias = "scope_spans",
        deserialize_with = "nullable"
    )]
    scope_spans: Vec<ScopeSpans<'a>>,
}

#[derive(Deserialize)]
struct ResourceWire<'a> {
    #[serde(default, borrow, deserialize_with = "nullable")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeSpans<'a> {
    #[serde(default, borrow, alias = "instrumentationLibrary")]
    scope: Option<Scope<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    spans: Vec<SpanWire<'a>>,
}

#[derive(Deserialize, Default)]
struct Scope<'a> {
    #[serde(default, borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow)]
    version: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpanWire<'a> {
    #[serde(default, borrow, alias = "trace_id")]
    trace_id: Cow<'a, str>,
    #[serde(default, borrow, alias = "span_id")]
    span_id: Cow<'a, str>,
    #[serde(default, borrow, alias = "parent_span_id")]
    parent_span_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow)]
    kind: Option<Loose<'a>>,
    #[serde(default, alias = "start_time_unix_nano")]
    start_time_unix_nano: FlexU64,
    #[serde(default, alias = "end_time_unix_nano")]
    end_time_unix_nano: FlexU64,
    #[serde(default, borrow, deserialize_with = "nullable")]
    attributes: Vec<KeyValue<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    events: Vec<EventWire<'a>>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    links: Vec<LinkWire<'a>>,
    #[serde(default, borrow)]
    status: Option<StatusWire<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventWire<'a> {
    #[serde(default, alias = "time_unix_nano")]
    time_unix_nano: FlexU64,
    #[serde(default, borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkWire<'a> {
    #[serde(default, borrow, alias = "trace_id")]
    trace_id: Cow<'a, str>,
    #[serde(default, borrow, alias = "span_id")]
    span_id: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize)]
struct StatusWire<'a> {
    #[serde(default, borrow)]
    message: Cow<'a, str>,
    #[serde(default, borrow)]
    code: Option<Loose<'a>>,
}

#[derive(Deserialize)]
struct KeyValue<'a> {
    #[serde(default, borrow)]
    key: Cow<'a, str>,
    #[serde(default, borrow)]
    value: Option<AnyValue<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AnyValue<'a> {
    #[serde(default, borrow, alias = "string_value")]
    string_value: Option<Cow<'a, str>>,
    #[serde(default, alias = "bool_value")]
    bool_value: Option<bool>,
    #[serde(default, alias = "int_value")]
    int_value: Option<FlexI64>,
    #[serde(default, alias = "double_value")]
    double_value: Option<FlexF64>,
    #[serde(default, borrow, alias = "array_value")]
    array_value: Option<ArrayValue<'a>>,
    #[serde(default, borrow, alias = "kvlist_value")]
    kvlist_value: Option<KvList<'a>>,
    #[serde(default, borrow, alias = "bytes_value")]
    bytes_value: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct ArrayValue<'a> {
    #[serde(default, borrow, deserialize_with = "nullable")]
    values: Vec<AnyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct KvList<'a> {
    #[serde(default, borrow, deserialize_with = "nullable")]
    values: Vec<KeyValue<'a>>,
}

fn add_document(doc: Document<'_>, b: &mut StoreBuilder) {
    let Document {
        resource_spans,
        batches,
        result,
    } = doc;
    for rs in resource_spans.into_iter().chain(batches) {
        add_resource_spans(rs, b);
    }
    if let Some(inner) = result {
        add_document(*inner, b);
    }
}

fn add_resource_spans(rs: ResourceSpans<'_>, b: &mut StoreBuilder) {
    let resource_attrs = rs.resource.map(|r| r.attributes).unwrap_or_default();
    let service = resource_attrs
        .iter()
        .find(|kv| kv.key == "service.name")
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.string_value.as_deref())
        .unwrap_or("")
        .to_string();
    let service = b.intern(&service);
    let attrs = push_key_values(b, &resource_attrs);
    for ss in rs.scope_spans {
        let scope = ss.scope.unwrap_or_default();
        let scope_name = b.intern(&scope.name);
        let scope_version = b.intern(&scope.version);
        let scope_attrs = push_key_values(b, &scope.attributes);
        let resource = b.push_resource(Resource {
            service,
            attrs,
            scope_name,
            scope_version,
            scope_attrs,
        });
        for span in ss.spans {
            add_span(span, resource, b);
        }
    }
}

fn add_span(w: SpanWire<'_>, resource: u32, b: &mut StoreBuilder) {
    let trace_id = b.trace_id(&w.trace_id, "trace id");
    let span_id = b.span_id(&w.span_id, "span id");
    let parent_id = match w.parent_span_id.as_deref() {
        Some(p) => b.span_id(p, "parent span id"),
        None => crate::model::SpanId(0),
    };
    let start = clamp_i64(w.start_time_unix_nano.0);
    let end = w.end_time_unix_nano.0;
    let duration = if end == 0 {
        b.warn_span(SpanWarning::NoEndTime);
        SPAN_END_UNKNOWN
    } else if clamp_i64(end) < start {
        b.warn_span(SpanWarning::EndBeforeStart);
        0
    } else {
        clamp_i64(end) - start
    };
    let name = b.intern(&w.name);
    let attrs = push_key_values(b, &w.attributes);
    let events: Vec<Event> = w
        .events
        .iter()
        .map(|e| Event {
            time_unix_nanos: clamp_i64(e.time_unix_nano.0),
            name: b.intern(&e.name),
            attrs: push_key_values(b, &e.attributes),
        })
        .collect();
    let events = b.store().push_events(events);
    let links: Vec<Link> = w
        .links
        .iter()
        .map(|l| Link {
            trace_id: b.trace_id(&l.trace_id, "link trace id"),
            span_id: b.span_id(&l.span_id, "link span id"),
            attrs: push_key_values(b, &l.attributes),
        })
        .collect();
    let links = b.store().push_links(links);
    let (status, status_message) = match &w.status {
        Some(s) => (status_code(s.code.as_ref()), b.intern(&s.message)),
        None => (StatusCode::Unset, StrId::EMPTY),
    };
    let service = b.resource_service(resource);
    b.push_span(Span {
        trace_id,
        span_id,
        parent_id,
        start_unix_nanos: start,
        duration_nanos: duration,
        service,
        name,
        kind: span_kind(w.kind.as_ref()),
        status,
        status_message,
        resource,
        attrs,
        events,
        links,
        file: 0,
    });
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn span_kind(kind: Option<&Loose<'_>>) -> SpanKind {
    match kind {
        Some(Loose::U64(1)) | Some(Loose::I64(1)) => SpanKind::Internal,
        Some(Loose::U64(2)) | Some(Loose::I64(2)) => SpanKind::Server,
        Some(Loose::U64(3)) | Some(Loose::I64(3)) => SpanKind::Client,
        Some(Loose::U64(4)) | Some(Loose::I64(4)) => SpanKind::Producer,
        Some(Loose::U64(5)) | Some(Loose::I64(5)) => SpanKind::Consumer,
        Some(Loose::Str(name)) => SpanKind::from_name(name.trim_start_matches("SPAN_KIND_")),
        _ => SpanKind::Unspecified,
    }
}

fn status_code(code: Option<&Loose<'_>>) -> StatusCode {
    match code {
        Some(Loose::U64(1)) | Some(Loose::I64(1)) => StatusCode::Ok,
        Some(Loose::U64(2)) | Some(Loose::I64(2)) => StatusCode::Error,
        Some(Loose::Str(name)) => match name.trim_start_matches("STATUS_CODE_") {
            "OK" | "ok" | "Ok" => StatusCode::Ok,
            "ERROR" | "error" | "Error" => StatusCode::Error,
            _ => StatusCode::Unset,
        },
        _ => StatusCode::Unset,
    }
}

fn push_key_values(b: &mut StoreBuilder, kvs: &[KeyValue<'_>]) -> Slice {
    if kvs.is_empty() {
        return Slice::default();
    }
    let attrs: Vec<Attr> = kvs
        .iter()
        .map(|kv| {
            let key = b.intern(&kv.key);
            let value = match &kv.value {
                Some(v) => any_value(b, v),
                None => Value::Str(StrId::EMPTY),
            };
            Attr { key, value }
        })
        .collect();
    b.push_attrs(attrs)
}

fn any_value(b: &mut StoreBuilder, v: &AnyValue<'_>) -> Value {
    if let Some(s) = &v.string_value {
        Value::Str(b.intern(s))
    } else if let Some(x) = v.bool_value {
        Value::Bool(x)
    } else if let Some(x) = v.int_value {
        Value::Int(x.0)
    } else if let Some(x) = v.double_value {
        Value::Float(x.0)
    } else if let Some(x) = &v.bytes_value {
        Value::Bytes(b.intern(x))
    } else if v.array_value.is_some() || v.kvlist_value.is_some() {
        Value::Json(b.intern(&any_to_json(v).to_string()))
    } else {
        Value::Str(StrId::EMPTY)
    }
}

/// An OTLP `AnyValue` as plain JSON (`["a", 1]`, `{"k": true}`), for display.
fn any_to_json(v: &AnyValue<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    if let Some(s) = &v.string_value {
        J::String(s.to_string())
    } else if let Some(x) = v.bool_value {
        J::Bool(x)
    } else if let Some(x) = v.int_value {
        J::from(x.0)
    } else if let Some(x) = v.double_value {
        serde_json::Number::from_f64(x.0).map_or(J::String(x.0.to_string()), J::Number)
    } else if let Some(x) = &v.bytes_value {
        J::String(x.to_string())
    } else if let Some(a) = &v.array_value {
        J::Array(a.values.iter().map(any_to_json).collect())
    } else if let Some(kv) = &v.kvlist_value {
        J::Object(
            kv.values
                .iter()
                .map(|kv| {
                    let value = kv.value.as_ref().map_or(J::Null, any_to_json);
                    (kv.key.to_string(), value)
                })
                .collect(),
        )
    } else {
        J::Null
    }
}
