//! New Relic Trace API JSON importer (the body of a `Data-Format: newrelic`,
//! `Data-Format-Version: 1` request).
//!
//! Supports: an array of span batches `{"common": {"attributes": {…}}, "spans": [...]}`, a
//! single batch object, and JSON Lines of these. Per span: `id` and `trace.id` (strings, or
//! numbers read as their digits) are opaque text, read by the builder's id rules (hex kept as
//! a number, anything else — UUIDs — hashed with its text kept, with a warning);
//! `timestamp` (ms since the epoch) and `attributes`: `name`, `parent.id`, `duration.ms`
//! (ms, a float), `service.name`, `span.kind`, `error` / `error.message`. Writers differ on
//! where fields go, so each of these is also read from the other place (the span's top level
//! or its `attributes`), and `trace.id`, `timestamp` and `service.name` fall back to the
//! batch's `common` block (top level or `attributes`; the Java SDK writes `trace.id` there).
//! A span's `service.name` overrides the common one.
//! * Errors: `error` true (or `"true"`), or an `error.message` → [`StatusCode::Error`] with
//!   that message.
//! * Attributes: the span's other attributes (and `error`, `error.message`, `span.kind`)
//!   are span attributes; the common block's are the attributes of the span's resource
//!   (one resource per batch and service).
//! * A span without `timestamp` (New Relic would use the time it received it) is placed at
//!   the earliest start in its trace, with a file warning; without `duration.ms` its end is
//!   unknown ([`SpanWarning::NoEndTime`]).
//!
//! Ignored: nothing else is special; unknown top-level fields of a span or a batch.
//!
//! Units: `timestamp` and `duration.ms` are milliseconds (integers or decimals), converted
//! to nanoseconds exactly from their decimal text (rounded to the nearest nanosecond).
//!
//! Spec: <https://docs.newrelic.com/docs/distributed-tracing/trace-api/report-new-relic-format-traces-trace-api/>;
//! writer: `newrelic/newrelic-telemetry-sdk-java`
//! `telemetry-core/src/main/java/com/newrelic/telemetry/spans/json/SpanJsonTelemetryBlockWriter.java`.

use super::scan::{error_message, trim, Num, Raw, ScanError, ScanResult, Scanner};
use super::{first_byte, has_key, span_kind_from_name, Importer, Sniff, StoreBuilder};
use crate::model::{
    Attr, Resource, Slice, Span, SpanKind, SpanWarning, StatusCode, StrId, TraceId,
    SPAN_END_UNKNOWN,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// The New Relic importer, listed in [`super::IMPORTERS`].
pub const IMPORTER: Importer = Importer {
    name: "New Relic JSON",
    sniff,
    parse,
    looks_for: "batches {\"common\", \"spans\": [{\"id\", \"trace.id\", \"attributes\"}]}",
};

fn sniff(head: &[u8]) -> Sniff {
    if !matches!(first_byte(head), Some(b'[') | Some(b'{')) {
        return Sniff::No;
    }
    let k = |key: &str| has_key(head, key);
    if !k("trace.id") || k("traceId") || k("traceID") || k("resourceSpans") {
        return Sniff::No;
    }
    if k("spans") {
        Sniff::Yes
    } else {
        Sniff::Maybe
    }
}

/// Milliseconds to nanoseconds: a scale of 10^6.
const MS_TO_NS: i32 = 6;

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let mut no_timestamp = Vec::new();
    let mut read = || -> ScanResult<()> {
        let mut s = Scanner::new(bytes)?;
        while !s.at_end() {
            if s.peek() == Some(b'[') {
                let mut list = s.array("a list of New Relic span batches")?;
                while s.item(&mut list)? {
                    batch(&mut s, b, &mut no_timestamp)?;
                }
            } else {
                batch(&mut s, b, &mut no_timestamp)?;
            }
        }
        Ok(())
    };
    read().map_err(|e| error_message(bytes, &e))?;
    place_untimed(b, &no_timestamp);
    Ok(())
}

/// What a batch's `common` block gives its spans.
#[derive(Default)]
struct Common<'a> {
    /// Resource attributes of the batch's spans.
    attrs: Slice,
    service: Cow<'a, str>,
    trace_id: Option<Cow<'a, str>>,
    timestamp: Option<i64>,
}

/// One batch: its `common` block, then its spans (read after the whole object, since
/// `common` may come after `spans`).
fn batch(s: &mut Scanner<'_>, b: &mut StoreBuilder, no_timestamp: &mut Vec<u32>) -> ScanResult<()> {
    let mut o = s.object("a New Relic span batch (an object with \"spans\")")?;
    let mut common = Common::default();
    let mut spans_at = None;
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "common" => common = read_common(s, b)?,
            "spans" => {
                s.peek();
                spans_at = Some(s.pos());
                s.skip()?;
            }
            _ => s.skip()?,
        }
    }
    let Some(at) = spans_at else {
        return Ok(());
    };
    let mut s = s.fork_at(at);
    let mut resources: FxHashMap<StrId, u32> = FxHashMap::default();
    if let Some(mut list) = s.array_or_null("a list of spans")? {
        while s.item(&mut list)? {
            let span = read_span(&mut s, b)?;
            add_span(b, span, &common, &mut resources, no_timestamp, s.pos())?;
        }
    }
    Ok(())
}

fn read_common<'a>(s: &mut Scanner<'a>, b: &mut StoreBuilder) -> ScanResult<Common<'a>> {
    let mut common = Common::default();
    let Some(mut o) = s.object_or_null("a \"common\" block (an object)")? else {
        return Ok(common);
    };
    let mut attrs = Vec::new();
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "attributes" => {
                let Some(mut a) = s.object_or_null("an object of attributes")? else {
                    continue;
                };
                while let Some(key) = s.key(&mut a)? {
                    match &*key {
                        "service.name" => common.service = s.string_or_null("a service name")?,
                        "trace.id" => common.trace_id = id_text(s)?,
                        "timestamp" => common.timestamp = s.scaled_number(MS_TO_NS)?,
                        _ => {
                            if let Some(value) = b.raw_value(s.raw()?) {
                                let key = b.intern(&key);
                                attrs.push(Attr { key, value });
                            }
                        }
                    }
                }
            }
            "trace.id" => common.trace_id = id_text(s)?,
            "timestamp" => common.timestamp = s.scaled_number(MS_TO_NS)?,
            "service.name" => common.service = s.string_or_null("a service name")?,
            _ => s.skip()?,
        }
    }
    if !attrs.is_empty() {
        common.attrs = b.push_attrs(attrs);
    }
    Ok(common)
}

/// The fields of one span that are read before they are used.
#[derive(Default)]
struct SpanWire<'a> {
    id: Option<Cow<'a, str>>,
    trace_id: Option<Cow<'a, str>>,
    parent_id: Option<Cow<'a, str>>,
    timestamp: Option<i64>,
    duration: Option<i64>,
    name: Cow<'a, str>,
    service: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    error: bool,
    error_message: Option<Cow<'a, str>>,
    attrs: Vec<Attr>,
}

fn read_span<'a>(s: &mut Scanner<'a>, b: &mut StoreBuilder) -> ScanResult<SpanWire<'a>> {
    let mut w = SpanWire::default();
    let mut o = s.object("a New Relic span (an object)")?;
    while let Some(key) = s.key(&mut o)? {
        if key == "attributes" {
            if let Some(mut a) = s.object_or_null("an object of attributes")? {
                while let Some(key) = s.key(&mut a)? {
                    field(s, b, &mut w, key)?;
                }
            }
        } else {
            field(s, b, &mut w, key)?;
        }
    }
    Ok(w)
}

/// One field of a span, at its top level or in its `attributes`.
fn field<'a>(
    s: &mut Scanner<'a>,
    b: &mut StoreBuilder,
    w: &mut SpanWire<'a>,
    key: Cow<'a, str>,
) -> ScanResult<()> {
    match &*key {
        "id" => w.id = id_text(s)?,
        "trace.id" => w.trace_id = id_text(s)?,
        "parent.id" => w.parent_id = id_text(s)?,
        "timestamp" => w.timestamp = s.scaled_number(MS_TO_NS)?,
        "duration.ms" => w.duration = s.scaled_number(MS_TO_NS)?,
        "name" => w.name = s.string_or_null("a span name")?,
        "service.name" => w.service = Some(s.string_or_null("a service name")?),
        _ => {
            let raw = s.raw()?;
            match (&*key, &raw) {
                ("error", Raw::Bool(x)) => w.error |= x,
                ("error", Raw::Str(t)) => w.error |= trim(t).eq_ignore_ascii_case("true"),
                ("error.message", Raw::Str(t)) if !t.is_empty() => {
                    w.error = true;
                    w.error_message = Some(t.clone());
                }
                ("span.kind", Raw::Str(t)) => w.kind = Some(t.clone()),
                _ => {}
            }
            if let Some(value) = b.raw_value(raw) {
                let key = b.intern(&key);
                w.attrs.push(Attr { key, value });
            }
        }
    }
    Ok(())
}

/// An id: a string, or a number taken as its digits; `null` or `""` is none.
fn id_text<'a>(s: &mut Scanner<'a>) -> ScanResult<Option<Cow<'a, str>>> {
    let at = s.pos();
    Ok(match s.raw()? {
        Raw::Null => None,
        Raw::Str(t) if trim(&t).is_empty() => None,
        Raw::Str(t) => Some(t),
        Raw::Num(Num::U(v)) => Some(Cow::Owned(v.to_string())),
        Raw::Num(Num::I(v)) => Some(Cow::Owned(v.to_string())),
        Raw::Num(Num::F(_)) | Raw::Bool(_) | Raw::Nested(_) => {
            return s.fork_at(at).invalid("an id (a string)");
        }
    })
}

fn add_span(
    b: &mut StoreBuilder,
    w: SpanWire<'_>,
    common: &Common<'_>,
    resources: &mut FxHashMap<StrId, u32>,
    no_timestamp: &mut Vec<u32>,
    pos: usize,
) -> ScanResult<()> {
    let missing = |field: &str| ScanError {
        pos,
        what: format!("a New Relic span without \"{field}\" (it is required)").into(),
    };
    let id = w.id.as_deref().ok_or_else(|| missing("id"))?;
    let trace_id = w.trace_id.as_ref().or(common.trace_id.as_ref());
    let trace_id = trace_id.ok_or_else(|| missing("trace.id"))?;
    let trace_id = b.trace_id(trace_id, "trace.id");
    let span_id = b.span_id(id, "id");
    let parent_id = match &w.parent_id {
        Some(text) => b.span_id(text, "parent.id"),
        None => crate::model::SpanId(0),
    };
    let start = w.timestamp.or(common.timestamp);
    let duration = match w.duration {
        None => {
            b.warn_span(SpanWarning::NoEndTime);
            SPAN_END_UNKNOWN
        }
        Some(d) if d < 0 => {
            b.warn_span(SpanWarning::EndBeforeStart);
            0
        }
        Some(d) => d,
    };
    let service = b.intern(w.service.as_deref().unwrap_or(&common.service));
    let resource = *resources.entry(service).or_insert_with(|| {
        b.push_resource(Resource {
            service,
            attrs: common.attrs,
            scope_name: StrId::EMPTY,
            scope_version: StrId::EMPTY,
            scope_attrs: Slice::default(),
        })
    });
    let (status, message) = if w.error {
        let message = w.error_message.as_deref().unwrap_or("");
        (StatusCode::Error, b.intern(message))
    } else {
        (StatusCode::Unset, StrId::EMPTY)
    };
    let kind = w
        .kind
        .as_deref()
        .map_or(SpanKind::Unspecified, span_kind_from_name);
    let name = b.intern(&w.name);
    let attrs = if w.attrs.is_empty() {
        Slice::default()
    } else {
        b.push_attrs(w.attrs)
    };
    let empty = b.pushed_since(b.marks());
    if start.is_none() {
        no_timestamp.push(b.span_count() as u32);
    }
    b.push_span(Span {
        trace_id,
        span_id,
        parent_id,
        start_unix_nanos: start.unwrap_or(0),
        duration_nanos: duration,
        service: b.resource_service(resource),
        name,
        kind,
        status,
        status_message: message,
        resource,
        attrs,
        events: empty.events,
        links: empty.links,
        file: 0,
    });
    Ok(())
}

/// Places spans without a timestamp at the earliest start of their trace (0 when no span of
/// the trace has one), with a file warning.
fn place_untimed(b: &mut StoreBuilder, untimed: &[u32]) {
    if untimed.is_empty() {
        return;
    }
    let spans = &mut b.store().spans;
    let mut earliest: FxHashMap<TraceId, i64> = FxHashMap::default();
    let mut next = untimed.iter().peekable();
    for (i, span) in spans.iter().enumerate() {
        if next.next_if(|&&u| u as usize == i).is_some() {
            continue;
        }
        let start = earliest
            .entry(span.trace_id)
            .or_insert(span.start_unix_nanos);
        *start = (*start).min(span.start_unix_nanos);
    }
    for &i in untimed {
        if let Some(span) = spans.get_mut(i as usize) {
            span.start_unix_nanos = earliest.get(&span.trace_id).copied().unwrap_or(0);
        }
    }
    let count = crate::model::units::format_counted(untimed.len() as u64, "span", "spans");
    b.warn_file(format!(
        "{count} without a \"timestamp\" (New Relic would use the time it received them): \
         placed at the start of their trace"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{attrs, load_as, never_panics, pairs, span};
    use crate::import::{import, IMPORTERS};
    use crate::model::{build_traces, SpanId, Store};

    fn load(doc: &str) -> Store {
        load_as("New Relic JSON", doc)
    }

    /// The example of New Relic's documentation, with timestamps.
    const DOCS: &str = r#"[{
        "common": {"attributes": {"service.name": "Test Service A", "host": "host123.test.com"}},
        "spans": [
          {"trace.id": "123456", "id": "ABC", "timestamp": 1567707504897,
           "attributes": {"duration.ms": 12.53, "name": "/home"}},
          {"trace.id": "123456", "id": "DEF", "timestamp": 1567707504898,
           "attributes": {"error.message": "Invalid credentials", "service.name": "Test Service B",
                          "host": "host456.test.com", "duration.ms": 2.97, "name": "/auth",
                          "parent.id": "ABC", "span.kind": "client"}}
        ]}]"#;

    #[test]
    fn the_documented_example_maps_every_field() {
        let store = load(DOCS);
        assert_eq!(store.spans.len(), 2);
        let home = span(&store, "/home");
        let auth = span(&store, "/auth");
        assert_eq!(home.trace_id, auth.trace_id);
        assert_eq!(auth.parent_id, home.span_id);
        assert!(home.parent_id.is_zero());
        assert_eq!(home.start_unix_nanos, 1_567_707_504_897_000_000);
        assert_eq!(home.duration_nanos, 12_530_000);
        assert_eq!(auth.duration_nanos, 2_970_000);
        assert_eq!(store.strings.get(home.service), "Test Service A");
        assert_eq!(
            store.strings.get(auth.service),
            "Test Service B",
            "span overrides"
        );
        assert_eq!(home.status, StatusCode::Unset);
        assert_eq!(auth.status, StatusCode::Error);
        assert_eq!(
            store.strings.get(auth.status_message),
            "Invalid credentials"
        );
        assert_eq!(auth.kind, SpanKind::Client);
        assert_eq!(
            attrs(&store, auth.attrs),
            pairs(&[
                ("error.message", "Invalid credentials"),
                ("host", "host456.test.com"),
                ("span.kind", "client"),
            ])
        );
        assert!(attrs(&store, home.attrs).is_empty());
        // Common attributes are the resource's, shared by both services of the batch.
        for s in [home, auth] {
            let resource = store.resources[s.resource as usize];
            assert_eq!(
                attrs(&store, resource.attrs),
                pairs(&[("host", "host123.test.com")])
            );
        }
        let traces = build_traces(&store);
        assert_eq!((traces.len(), traces[0].root_count), (1, 1));
    }

    #[test]
    fn times_in_milliseconds_convert_exactly_to_nanoseconds() {
        let store = load(
            r#"[{"spans":[
              {"id":"1","trace.id":"t","timestamp":1567707504897.123456,
               "attributes":{"name":"a","duration.ms":0.0015,"service.name":"s"}},
              {"id":"2","trace.id":"t","timestamp":"1567707504897",
               "attributes":{"name":"b","duration.ms":0.0000005,"service.name":"s"}},
              {"id":"3","trace.id":"t","timestamp":1.5677075048971e12,
               "attributes":{"name":"c","duration.ms":62,"service.name":"s"}}]}]"#,
        );
        let a = span(&store, "a");
        assert_eq!(a.start_unix_nanos, 1_567_707_504_897_123_456);
        assert_eq!(a.duration_nanos, 1_500);
        let b = span(&store, "b");
        assert_eq!(b.start_unix_nanos, 1_567_707_504_897_000_000);
        assert_eq!(b.duration_nanos, 1, "0.5 ns rounds up, not down to 0");
        let c = span(&store, "c");
        assert_eq!(c.start_unix_nanos, 1_567_707_504_897_100_000);
        assert_eq!(c.duration_nanos, 62_000_000);
    }

    #[test]
    fn opaque_ids_keep_their_text_and_hex_ids_their_value() {
        // The Java SDK's payload: UUIDs, and `trace.id` in the common block.
        let store = load(
            r#"[{"common":{"trace.id":"144cbde7-65f0-4043-8d5d-e70cce479d89",
                           "attributes":{"exampleName":"SpanExample"}},
                 "spans":[{"id":"6f377f46-3f10-4e8e-8390-7717044cdbe9","timestamp":1567707504897,
                           "attributes":{"duration.ms":62.0,"service.name":"apples","name":"apples"}},
                          {"id":"00000000000000ff","trace.id":"144cbde7-65f0-4043-8d5d-e70cce479d89",
                           "timestamp":1567707504898,
                           "attributes":{"parent.id":"6f377f46-3f10-4e8e-8390-7717044cdbe9",
                                         "duration.ms":1,"service.name":"apples","name":"pears"}}]}]"#,
        );
        let apples = span(&store, "apples");
        let pears = span(&store, "pears");
        assert_eq!(
            apples.trace_id, pears.trace_id,
            "common trace.id = span trace.id"
        );
        assert_eq!(
            store.trace_id_display(apples.trace_id),
            "144cbde7-65f0-4043-8d5d-e70cce479d89"
        );
        assert_eq!(
            store.span_id_display(apples.span_id),
            "6f377f46-3f10-4e8e-8390-7717044cdbe9"
        );
        assert_eq!(pears.parent_id, apples.span_id);
        assert_eq!(pears.span_id, SpanId(0xff));
        let resource = store.resources[apples.resource as usize];
        assert_eq!(
            attrs(&store, resource.attrs),
            pairs(&[("exampleName", "SpanExample")])
        );
        let warning = store.warnings_of(0).next().unwrap();
        assert!(
            matches!(warning, SpanWarning::OpaqueId { .. }),
            "{warning:?}"
        );
    }

    #[test]
    fn fields_are_read_from_either_place_and_common_may_come_last() {
        let store = load(
            r#"{"spans":[{"attributes":{"id":"a1","trace.id":"t1","timestamp":5,"name":"x",
                                        "duration.ms":1}},
                         {"id":"a2","trace.id":"t1","timestamp":6,"name":"y",
                          "parent.id":"a1","duration.ms":1,"service.name":"own"}],
                "common":{"attributes":{"service.name":"shared","env":"prod"}}}"#,
        );
        let x = span(&store, "x");
        let y = span(&store, "y");
        assert_eq!(x.start_unix_nanos, 5_000_000);
        assert_eq!(y.parent_id, x.span_id);
        assert_eq!(store.strings.get(x.service), "shared");
        assert_eq!(store.strings.get(y.service), "own");
        assert!(attrs(&store, x.attrs).is_empty());
    }

    #[test]
    fn errors_from_the_flag_or_the_message() {
        let store = load(
            r#"[{"common":{"attributes":{"service.name":"s"}},"spans":[
              {"id":"1","trace.id":"t","timestamp":1,"attributes":{"name":"flag","error":true,"duration.ms":1}},
              {"id":"2","trace.id":"t","timestamp":1,"attributes":{"name":"text","error":"TRUE","duration.ms":1}},
              {"id":"3","trace.id":"t","timestamp":1,"attributes":{"name":"ok","error":false,"duration.ms":1}},
              {"id":"4","trace.id":"t","timestamp":1,"attributes":{"name":"msg","error.message":"no","duration.ms":1}}]}]"#,
        );
        let status = |name: &str| span(&store, name).status;
        assert_eq!(status("flag"), StatusCode::Error);
        assert_eq!(status("text"), StatusCode::Error);
        assert_eq!(status("ok"), StatusCode::Unset);
        assert_eq!(status("msg"), StatusCode::Error);
        assert_eq!(store.strings.get(span(&store, "msg").status_message), "no");
    }

    #[test]
    fn a_span_without_timestamp_is_placed_at_its_trace_start() {
        let store = load(
            r#"[{"common":{"attributes":{"service.name":"s"}},"spans":[
              {"id":"1","trace.id":"t","attributes":{"name":"untimed","parent.id":"2"}},
              {"id":"2","trace.id":"t","timestamp":20,"attributes":{"name":"late","duration.ms":5}},
              {"id":"3","trace.id":"t","timestamp":10,"attributes":{"name":"early","duration.ms":5}},
              {"id":"4","trace.id":"u","attributes":{"name":"alone","duration.ms":5}}]}]"#,
        );
        let untimed = span(&store, "untimed");
        assert_eq!(untimed.start_unix_nanos, 10_000_000);
        assert!(untimed.end_unknown());
        assert!(store.warnings_of(0).any(|w| w == &SpanWarning::NoEndTime));
        assert_eq!(span(&store, "alone").start_unix_nanos, 0);
        let warnings = &store.files[0].warnings;
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("2 spans without a \"timestamp\"")),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_span_without_an_id_is_refused_with_its_place() {
        let err = import(
            "x.json",
            br#"[{"spans":[{"trace.id":"t","timestamp":1,"attributes":{"name":"a"}}]}]"#,
        )
        .unwrap_err();
        assert!(err.message.contains("\"id\""), "{err}");
        assert!(err.message.contains("line 1 column"), "{err}");
    }

    #[test]
    fn sniffing_tells_new_relic_from_its_neighbours() {
        assert_eq!(sniff(DOCS.as_bytes()), Sniff::Yes);
        for imp in IMPORTERS.iter().filter(|imp| imp.name != IMPORTER.name) {
            assert_eq!(
                (imp.sniff)(DOCS.as_bytes()),
                Sniff::No,
                "{} claims it",
                imp.name
            );
        }
        let zipkin = br#"[{"traceId":"01","id":"01","tags":{"trace.id":"x"},"spans":1}]"#;
        assert_eq!(sniff(zipkin), Sniff::No);
        let datadog = br#"[[{"trace_id":1,"span_id":2,"start":1,"service":"s"}]]"#;
        assert_eq!(sniff(datadog), Sniff::No);
    }

    #[test]
    fn cut_or_corrupted_documents_never_panic() {
        never_panics(DOCS.as_bytes(), 1, b"\"}0.\xFF");
    }
}
