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
