//! Datadog agent trace JSON importer (the body of `PUT /v0.3/traces` / `/v0.4/traces` sent as
//! JSON, and the files of the Datadog test agent's snapshots).
//!
//! Supports: an array of traces, each an array of spans (v0.3/v0.4, test-agent snapshots); a
//! flat array of spans (v0.1/v0.2, agent testdata); a single span object; JSON Lines of
//! these. Ids are unsigned 64-bit integers, exact whether written as JSON numbers or as
//! strings of decimal digits (a string that is not decimal is read as hex, else hashed, with
//! a warning, as other formats' ids are); a negative number (a signed 64-bit writer) is taken
//! as its two's complement. The model's span id is the number itself.
//! * 128-bit trace ids: the high 64 bits are `meta["_dd.p.tid"]` (16 hex digits) or a
//!   `trace_id_high` number. Tracers put `_dd.p.tid` on the first span of a chunk only, so a
//!   span without one takes it from a span with the same `trace_id` in its chunk (the inner
//!   array), else anywhere in the file, as the OpenTelemetry Collector's Datadog receiver
//!   does. A trace exported by OpenTelemetry (W3C 128-bit id) therefore gets the same id.
//! * `name` (the operation, e.g. `django.request`) is the span name, as in the Collector's
//!   Datadog receiver; `resource` (the endpoint or query, which can be a whole SQL statement)
//!   is the attribute `resource.name` (Datadog's own tag for it); `type` is `span.type`. A
//!   span without a `name` is named by its resource.
//! * `service` → the service (one resource per service; `""` gets the placeholder).
//! * `meta` (strings) and `metrics` (numbers: integral values as integers, others as
//!   doubles) → attributes, in file order.
//! * `error` ≠ 0 → [`StatusCode::Error`], with `meta["error.message"]` (else `error.msg`,
//!   else `error.type`) as the message, and an `exception` event carrying the OpenTelemetry
//!   keys `exception.type` / `exception.message` / `exception.stacktrace` from
//!   `error.type` / `error.message` (or `error.msg`) / `error.stack`, at the span's end (the
//!   tracers set these tags when the exception leaves the span).
//! * `meta["span.kind"]` → the kind; without it `type` `web` is a server and `http` a
//!   client span (the receiver's rule).
//! * Links: the `span_links` field (`trace_id`, `trace_id_high`, `span_id` numbers,
//!   `attributes`) and `meta["_dd.span_links"]`, a JSON string whose ids are hex text.
//! * Events: the `span_events` field (attributes typed as `{"type": n, "string_value": …}`
//!   or plain) and `meta["events"]`, a JSON string. A JSON string that does not parse stays
//!   an attribute, with a [`SpanWarning::UnreadableField`] on the span.
//!
//! Ignored: `meta_struct` (binary, msgpack only in practice), links' `tracestate` and
//! `flags`. A missing `duration` is an unknown end ([`SpanWarning::NoEndTime`]).
//!
//! Units: `start` is nanoseconds since the Unix epoch, `duration` nanoseconds (both beyond
//! 2^53, read exactly); event `time_unix_nano` nanoseconds.
//!
//! Spec: Datadog "Send traces to the Agent by API"
//! (<https://docs.datadoghq.com/tracing/guide/send_traces_to_agent_by_api/>); the span model in
//! `DataDog/datadog-agent` `pkg/proto/datadog/trace/span.proto`; the mapping rules of
//! `open-telemetry/opentelemetry-collector-contrib`
//! `receiver/datadogreceiver/internal/translator/traces_translator.go`.

use super::builder::Marks;
use super::scan::{error_message, trim, Num, Raw, ScanError, ScanResult, Scanner};
use super::{first_byte, has_key, span_kind_from_name, Importer, Sniff, StoreBuilder};
use crate::model::{
    Attr, Event, Link, Resource, Slice, Span, SpanId, SpanKind, SpanWarning, StatusCode, StrId,
    TraceId, Value, SPAN_END_UNKNOWN,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// The Datadog importer, listed in [`super::IMPORTERS`].
pub const IMPORTER: Importer = Importer {
    name: "Datadog JSON",
    sniff,
    parse,
    looks_for: "spans with \"trace_id\", \"span_id\" and \"start\" (or \"service\"/\"resource\"), \
                as an array of traces or an array of spans",
};

fn sniff(head: &[u8]) -> Sniff {
    if !matches!(first_byte(head), Some(b'[') | Some(b'{')) {
        return Sniff::No;
    }
    let k = |key: &str| has_key(head, key);
    if !(k("trace_id") && k("span_id")) {
        return Sniff::No;
    }
    // OTLP and Jaeger protobuf-JSON written with proto field names also say `trace_id` and
    // `span_id`; neither has `start`, `service` or `resource` as plain span fields.
    if k("resource_spans") || k("resourceSpans") || k("operation_name") || k("operationName") {
        return Sniff::No;
    }
    if k("start") {
        Sniff::Yes
    } else if k("service") || k("resource") || k("parent_id") {
        Sniff::Maybe
    } else {
        Sniff::No
    }
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let mut r = Reader::new(b);
    let mut read = || -> ScanResult<()> {
        let mut s = Scanner::new(bytes)?;
        while !s.at_end() {
            r.next_chunk += 1;
            let outer = r.next_chunk;
            if s.peek() == Some(b'{') {
                r.span(&mut s, outer)?;
                continue;
            }
            let mut list = s.array("a list of Datadog traces or spans")?;
            while s.item(&mut list)? {
                if s.peek() == Some(b'[') {
                    r.next_chunk += 1;
                    let chunk = r.next_chunk;
                    let mut trace = s.array("a trace (a list of spans)")?;
                    while s.item(&mut trace)? {
                        r.span(&mut s, chunk)?;
                    }
                } else {
                    r.span(&mut s, outer)?;
                }
            }
        }
        Ok(())
    };
    read().map_err(|e| error_message(bytes, &e))?;
    r.finish();
    Ok(())
}

/// An id as written: a number, or text (decimal digits, or something else).
#[derive(Clone, Debug, Default)]
enum Id<'a> {
    #[default]
    Absent,
    Num(u64),
    Text(Cow<'a, str>),
}

/// How the text of an id is read: span fields are decimal (`"1234"` is 1234), the links
/// inside `meta["_dd.span_links"]` hex (`"1234"` is 0x1234).
#[derive(Copy, Clone, PartialEq, Eq)]
enum IdText {
    Decimal,
    Hex,
}

/// The fields of one span that are read before they are used.
#[derive(Default)]
struct SpanWire<'a> {
    service: Cow<'a, str>,
    name: Cow<'a, str>,
    resource: Cow<'a, str>,
    span_type: Cow<'a, str>,
    trace_id: Id<'a>,
    trace_id_high: Id<'a>,
    span_id: Id<'a>,
    parent_id: Id<'a>,
    start: Option<i64>,
    duration: Option<i64>,
    error: bool,
    /// `meta` values the importer reads.
    tid: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    error_message: Option<Cow<'a, str>>,
    error_msg: Option<Cow<'a, str>>,
    error_type: Option<Cow<'a, str>>,
    error_stack: Option<Cow<'a, str>>,
    links_json: Option<Cow<'a, str>>,
    events_json: Option<Cow<'a, str>>,
    /// Where the other meta values are noted (and not used).
    other: Option<Cow<'a, str>>,
}

/// A span link as written (in the `span_links` field, or in `meta["_dd.span_links"]`).
struct LinkWire<'t> {
    trace_id: Id<'t>,
    trace_id_high: Id<'t>,
    span_id: Id<'t>,
    attrs: Vec<(Cow<'t, str>, Raw<'t>)>,
}

/// A span event as written (in the `span_events` field, or in `meta["events"]`).
struct EventWire<'t> {
    time_unix_nanos: i64,
    name: Cow<'t, str>,
    attrs: Vec<(Cow<'t, str>, Raw<'t>)>,
}

/// A pushed span whose trace id may still get its high 64 bits (see [`Reader::finish`]).
struct LowTraceId {
    index: u32,
    low: u64,
    /// The span's own `_dd.p.tid` / `trace_id_high`.
    high: Option<u64>,
    /// Which array of spans the span came in.
    chunk: u32,
}

/// Interned attribute keys the importer writes.
struct Keys {
    resource_name: StrId,
    span_type: StrId,
    exception: StrId,
    exception_type: StrId,
    exception_message: StrId,
    exception_stacktrace: StrId,
}

struct Reader<'b, 'p> {
    b: &'b mut StoreBuilder<'p>,
    keys: Keys,
    /// Resource index of each service name.
    resources: FxHashMap<StrId, u32>,
    /// The span's attributes, pushed as one slice when the span ends (its links' and
    /// events' attributes go to the arena while it is read).
    attrs: Vec<Attr>,
    low_ids: Vec<LowTraceId>,
    next_chunk: u32,
}

impl<'b, 'p> Reader<'b, 'p> {
    fn new(b: &'b mut StoreBuilder<'p>) -> Self {
        let keys = Keys {
            resource_name: b.intern("resource.name"),
            span_type: b.intern("span.type"),
            exception: b.intern("exception"),
            exception_type: b.intern("exception.type"),
            exception_message: b.intern("exception.message"),
            exception_stacktrace: b.intern("exception.stacktrace"),
        };
        Reader {
            b,
            keys,
            resources: FxHashMap::default(),
            attrs: Vec::new(),
            low_ids: Vec::new(),
            next_chunk: 0,
        }
    }

    /// Reads one span object and adds it.
    fn span<'a>(&mut self, s: &mut Scanner<'a>, chunk: u32) -> ScanResult<()> {
        let marks = self.b.marks();
        self.attrs.clear();
        let mut w = SpanWire::default();
        let mut o = s.object("a Datadog span (an object)")?;
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                "service" => w.service = s.string_or_null("a service name")?,
                "name" => w.name = s.string_or_null("an operation name")?,
                "resource" => w.resource = s.string_or_null("a resource name")?,
                "type" => w.span_type = s.string_or_null("a span type")?,
                "trace_id" => w.trace_id = read_id(s, "trace_id")?,
                "trace_id_high" => w.trace_id_high = read_id(s, "trace_id_high")?,
                "span_id" => w.span_id = read_id(s, "span_id")?,
                "parent_id" => w.parent_id = read_id(s, "parent_id")?,
                "start" => w.start = s.scaled_number(0)?,
                "duration" => w.duration = s.scaled_number(0)?,
                "error" => w.error = is_error(&s.raw()?),
                "meta" => self.meta(s, &mut w)?,
                "metrics" => self.metrics(s)?,
                "span_links" => {
                    let links = read_links(s)?;
                    self.push_links(links, IdText::Decimal);
                }
                "span_events" => {
                    let events = read_events(s)?;
                    self.push_events(events);
                }
                _ => s.skip()?,
            }
        }
        let missing = |field: &str| ScanError {
            pos: s.pos(),
            what: format!("a Datadog span without \"{field}\" (it is required)").into(),
        };
        if matches!(w.trace_id, Id::Absent) {
            return Err(missing("trace_id"));
        }
        if matches!(w.span_id, Id::Absent) {
            return Err(missing("span_id"));
        }
        let Some(start) = w.start else {
            return Err(missing("start"));
        };
        self.add_span(w, start, chunk, marks);
        Ok(())
    }

    /// `meta`: string tags, as attributes; notes the values the importer reads.
    fn meta<'a>(&mut self, s: &mut Scanner<'a>, w: &mut SpanWire<'a>) -> ScanResult<()> {
        let Some(mut o) = s.object_or_null("an object of string tags (\"meta\")")? else {
            return Ok(());
        };
        while let Some(key) = s.key(&mut o)? {
            let raw = s.raw()?;
            if let Raw::Str(text) = &raw {
                let slot = match &*key {
                    "_dd.p.tid" => &mut w.tid,
                    "span.kind" => &mut w.kind,
                    "error.message" => &mut w.error_message,
                    "error.msg" => &mut w.error_msg,
                    "error.type" => &mut w.error_type,
                    "error.stack" => &mut w.error_stack,
                    // Read when the span ends; kept as attributes only if they do not parse.
                    "_dd.span_links" => &mut w.links_json,
                    "events" => &mut w.events_json,
                    _ => &mut w.other,
                };
                *slot = Some(text.clone());
                if matches!(&*key, "_dd.span_links" | "events") {
                    continue;
                }
            }
            if let Some(value) = self.b.raw_value(raw) {
                let key = self.b.intern(&key);
                self.attrs.push(Attr { key, value });
            }
        }
        Ok(())
    }

    /// `metrics`: numeric tags, as attributes (integral values as integers).
    fn metrics(&mut self, s: &mut Scanner<'_>) -> ScanResult<()> {
        let Some(mut o) = s.object_or_null("an object of numeric tags (\"metrics\")")? else {
            return Ok(());
        };
        while let Some(key) = s.key(&mut o)? {
            let value = match s.raw()? {
                Raw::Num(Num::F(f)) if f.fract() == 0.0 && f.abs() <= MAX_EXACT_INT => {
                    Some(Value::Int(f as i64))
                }
                raw => self.b.raw_value(raw),
            };
            if let Some(value) = value {
                let key = self.b.intern(&key);
                self.attrs.push(Attr { key, value });
            }
        }
        Ok(())
    }

    /// Adds the span read into `w`; `marks` are the arenas' ends from before its object was
    /// read (its links' and events' attributes are in the arenas already).
    ///
    /// The builder calls keep a fixed order (ids, embedded links and events, warnings,
    /// status and exception, name, attributes, service), which decides the ids of the
    /// strings interned.
    fn add_span(&mut self, w: SpanWire<'_>, start: i64, chunk: u32, marks: Marks) {
        let (trace_id, low) = self.trace_id(&w.trace_id);
        let span_id = self.span_id(&w.span_id, "span_id");
        let parent_id = self.span_id(&w.parent_id, "parent_id");
        let high = self.high_bits(&w);
        self.embedded_links_and_events(&w);
        let duration = duration_of(self.b, w.duration);
        let end = start.saturating_add(duration.max(0));
        let (status, status_message) = self.error_status(&w, end);
        let name = if w.name.is_empty() {
            &w.resource
        } else {
            &w.name
        };
        let name = self.b.intern(name);
        let attrs = self.span_attrs(&w);
        let resource = self.resource(&w.service);
        let b = &mut *self.b;
        let pushed = b.pushed_since(marks);
        let index = b.span_count() as u32;
        b.push_span(Span {
            trace_id,
            span_id,
            parent_id,
            start_unix_nanos: start,
            duration_nanos: duration,
            service: b.resource_service(resource),
            name,
            kind: kind_of(&w),
            status,
            status_message,
            resource,
            attrs,
            events: pushed.events,
            links: pushed.links,
            file: 0,
        });
        if let Some(low) = low {
            self.low_ids.push(LowTraceId {
                index,
                low,
                high,
                chunk,
            });
        }
    }

    /// Links and events written as JSON inside meta strings: pushed when they read, kept as
    /// the attribute they came in (with a warning) when they do not.
    fn embedded_links_and_events(&mut self, w: &SpanWire<'_>) {
        if let Some(text) = &w.links_json {
            match embedded(text, read_links) {
                Ok(links) => self.push_links(links, IdText::Hex),
                Err(e) => self.keep_unreadable("_dd.span_links", text, &e),
            }
        }
        if let Some(text) = &w.events_json {
            match embedded(text, read_events) {
                Ok(events) => self.push_events(events),
                Err(e) => self.keep_unreadable("events", text, &e),
            }
        }
    }

    /// The status of the span: for one flagged `error`, its message (else its type) as the
    /// status message, and an `exception` event at `end` with whichever of the type, message
    /// and stack it has (none if it has none).
    fn error_status(&mut self, w: &SpanWire<'_>, end: i64) -> (StatusCode, StrId) {
        if !w.error {
            return (StatusCode::Unset, StrId::EMPTY);
        }
        let b = &mut *self.b;
        let message = w.error_message.as_ref().or(w.error_msg.as_ref());
        let text = message.or(w.error_type.as_ref());
        let status = (
            StatusCode::Error,
            text.map_or(StrId::EMPTY, |t| b.intern(t)),
        );
        let exception = [
            (self.keys.exception_type, w.error_type.as_ref()),
            (self.keys.exception_message, message),
            (self.keys.exception_stacktrace, w.error_stack.as_ref()),
        ];
        let attrs: Vec<Attr> = exception
            .into_iter()
            .filter_map(|(key, value)| {
                let value = Value::Str(b.intern(value?));
                Some(Attr { key, value })
            })
            .collect();
        if !attrs.is_empty() {
            let attrs = b.push_attrs(attrs);
            b.push_event(Event {
                time_unix_nanos: end,
                name: self.keys.exception,
                attrs,
            });
        }
        status
    }

    /// The span's attributes: resource and type first (when not empty), then meta and
    /// metrics as read (`self.attrs`, drained).
    fn span_attrs(&mut self, w: &SpanWire<'_>) -> Slice {
        let b = &mut *self.b;
        let mut head = Vec::with_capacity(2);
        if !w.resource.is_empty() {
            let value = Value::Str(b.intern(&w.resource));
            head.push(Attr {
                key: self.keys.resource_name,
                value,
            });
        }
        if !w.span_type.is_empty() {
            let value = Value::Str(b.intern(&w.span_type));
            head.push(Attr {
                key: self.keys.span_type,
                value,
            });
        }
        if head.is_empty() && self.attrs.is_empty() {
            Slice::default()
        } else {
            b.push_attrs(head.into_iter().chain(self.attrs.drain(..)))
        }
    }

    /// The resource of a service name: one per name, made when first seen.
    fn resource(&mut self, service: &str) -> u32 {
        let b = &mut *self.b;
        let service = b.intern(service);
        *self.resources.entry(service).or_insert_with(|| {
            b.push_resource(Resource {
                service,
                attrs: Slice::default(),
                scope_name: StrId::EMPTY,
                scope_version: StrId::EMPTY,
                scope_attrs: Slice::default(),
            })
        })
    }

    /// The span's trace id as read, and its value when it is a 64-bit id that may get high
    /// bits later.
    fn trace_id(&mut self, id: &Id<'_>) -> (TraceId, Option<u64>) {
        match id {
            Id::Absent => (TraceId(0), Some(0)),
            Id::Num(v) => (TraceId(*v as u128), Some(*v)),
            Id::Text(text) => {
                let t = trim(text);
                if let Some(v) = decimal_u128(t) {
                    return (TraceId(v), u64::try_from(v).ok());
                }
                let id = self.b.trace_id(t, "trace_id");
                // Hex up to 16 digits is a 64-bit id too.
                let low = (t.len() <= 16 && t.bytes().all(|c| c.is_ascii_hexdigit()))
                    .then_some(id.0 as u64);
                (id, low)
            }
        }
    }

    fn span_id(&mut self, id: &Id<'_>, field: &'static str) -> SpanId {
        read_span_id(self.b, id, IdText::Decimal, field)
    }

    /// The high 64 bits of the span's trace id that the span itself gives.
    fn high_bits(&mut self, w: &SpanWire<'_>) -> Option<u64> {
        match &w.trace_id_high {
            Id::Num(v) => return Some(*v),
            Id::Text(t) => {
                if let Some(v) = decimal_u128(trim(t)).and_then(|v| u64::try_from(v).ok()) {
                    return Some(v);
                }
            }
            Id::Absent => {}
        }
        let tid = w.tid.as_deref()?;
        let t = trim(tid);
        if !t.is_empty() && t.len() <= 16 && t.bytes().all(|c| c.is_ascii_hexdigit()) {
            return u64::from_str_radix(t, 16).ok();
        }
        self.b.warn_span(SpanWarning::UnreadableField {
            field: "meta \"_dd.p.tid\"".into(),
            reason: format!("\"{tid}\" is not 16 hex digits, the high half of a trace id"),
        });
        None
    }

    /// Keeps a meta string that did not parse as an attribute, with a warning.
    fn keep_unreadable(&mut self, key: &str, text: &str, e: &ScanError) {
        self.b.warn_span(SpanWarning::UnreadableField {
            field: format!("meta \"{key}\""),
            reason: format!(
                "not the JSON expected: {}",
                error_message(text.as_bytes(), e)
            ),
        });
        let key = self.b.intern(key);
        let value = Value::Str(self.b.intern(text));
        self.attrs.push(Attr { key, value });
    }

    fn push_links(&mut self, links: Vec<LinkWire<'_>>, text: IdText) {
        for link in links {
            let low = match (&link.trace_id, text) {
                (Id::Text(t), IdText::Hex) => TraceId(self.b.trace_id(trim(t), "link trace id").0),
                (id, _) => {
                    TraceId(read_span_id(self.b, id, IdText::Decimal, "link trace id").0 as u128)
                }
            };
            let high = match &link.trace_id_high {
                Id::Absent => 0,
                id => read_span_id(self.b, id, text, "link trace id").0 as u128,
            };
            let trace_id = TraceId(high << 64 | low.0);
            let span_id = read_span_id(self.b, &link.span_id, text, "link span id");
            let attrs = self.push_attr_list(link.attrs);
            self.b.push_link(Link {
                trace_id,
                span_id,
                attrs,
            });
        }
    }

    fn push_events(&mut self, events: Vec<EventWire<'_>>) {
        for event in events {
            let name = self.b.intern(&event.name);
            let attrs = self.push_attr_list(event.attrs);
            self.b.push_event(Event {
                time_unix_nanos: event.time_unix_nanos,
                name,
                attrs,
            });
        }
    }

    /// Pushes link or event attributes; values may be typed (`{"type": 0, "string_value":
    /// "x"}`, the agent's `AttributeAnyValue`) or plain JSON values.
    fn push_attr_list(&mut self, list: Vec<(Cow<'_, str>, Raw<'_>)>) -> Slice {
        let attrs: Vec<Attr> = list
            .into_iter()
            .filter_map(|(key, raw)| {
                let typed = match &raw {
                    Raw::Nested(json) => typed_value(self.b, json),
                    _ => None,
                };
                let value = match typed {
                    Some(value) => value,
                    None => self.b.raw_value(raw)?,
                };
                Some(Attr {
                    key: self.b.intern(&key),
                    value,
                })
            })
            .collect();
        if attrs.is_empty() {
            Slice::default()
        } else {
            self.b.push_attrs(attrs)
        }
    }

    /// Gives 64-bit trace ids their high half: the span's own, else that of a span with the
    /// same low half in the same chunk, else anywhere in the file (the first one seen).
    fn finish(self) {
        let mut by_chunk: FxHashMap<(u32, u64), u64> = FxHashMap::default();
        let mut by_file: FxHashMap<u64, u64> = FxHashMap::default();
        for t in &self.low_ids {
            if let Some(high) = t.high {
                by_chunk.entry((t.chunk, t.low)).or_insert(high);
                by_file.entry(t.low).or_insert(high);
            }
        }
        let spans = &mut self.b.store().spans;
        for t in &self.low_ids {
            let high = t
                .high
                .or_else(|| by_chunk.get(&(t.chunk, t.low)).copied())
                .or_else(|| by_file.get(&t.low).copied());
            if let (Some(high), Some(span)) = (high, spans.get_mut(t.index as usize)) {
                span.trace_id = TraceId((high as u128) << 64 | t.low as u128);
            }
        }
    }
}

/// Integers up to 2^53 are exact in an `f64`; integral metrics up to there become integers.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// The duration as read; none (unknown end) or negative (0) with a warning.
fn duration_of(b: &mut StoreBuilder, duration: Option<i64>) -> i64 {
    match duration {
        None => {
            b.warn_span(SpanWarning::NoEndTime);
            SPAN_END_UNKNOWN
        }
        Some(d) if d < 0 => {
            b.warn_span(SpanWarning::EndBeforeStart);
            0
        }
        Some(d) => d,
    }
}

/// The kind from the `span.kind` tag, else guessed from the span type (`web` serves, `http`
/// calls out).
fn kind_of(w: &SpanWire<'_>) -> SpanKind {
    match w.kind.as_deref() {
        Some(kind) => span_kind_from_name(kind),
        None => match &*w.span_type {
            "web" => SpanKind::Server,
            "http" => SpanKind::Client,
            _ => SpanKind::Unspecified,
        },
    }
}

/// Reads JSON text found inside a string with `read`, which must take all of it.
fn embedded<'t, T>(
    text: &'t str,
    read: impl FnOnce(&mut Scanner<'t>) -> ScanResult<T>,
) -> ScanResult<T> {
    let mut s = Scanner::new(text.as_bytes())?;
    let value = read(&mut s)?;
    if !s.at_end() {
        return Err(ScanError {
            pos: s.pos() + 1,
            what: "trailing characters".into(),
        });
    }
    Ok(value)
}

/// An id written as a number or a string.
fn read_id<'a>(s: &mut Scanner<'a>, field: &str) -> ScanResult<Id<'a>> {
    let end = s.pos();
    match s.raw()? {
        Raw::Null => Ok(Id::Absent),
        Raw::Num(Num::U(v)) => Ok(Id::Num(v)),
        // A signed 64-bit writer's id above 2^63.
        Raw::Num(Num::I(v)) => Ok(Id::Num(v as u64)),
        Raw::Str(text) if trim(&text).is_empty() => Ok(Id::Absent),
        Raw::Str(text) => Ok(Id::Text(text)),
        Raw::Num(Num::F(f)) => Err(ScanError {
            pos: s.pos(),
            what: format!(
                "{field} {f} is not an unsigned 64-bit integer (it has a fraction or is too \
                 large), so it cannot be read exactly"
            )
            .into(),
        }),
        Raw::Bool(_) | Raw::Nested(_) => {
            let mut back = s.fork_at(end);
            back.invalid("an id (a number or a string of digits)")
        }
    }
}

/// A 64-bit id: a number; text read as decimal or hex by `text`, else through the builder's
/// id rules (hex, base64, hashed; with warnings).
fn read_span_id(b: &mut StoreBuilder, id: &Id<'_>, text: IdText, field: &'static str) -> SpanId {
    match id {
        Id::Absent => SpanId(0),
        Id::Num(v) => SpanId(*v),
        Id::Text(t) => {
            let t = trim(t);
            if text == IdText::Decimal {
                if let Some(v) = decimal_u128(t).and_then(|v| u64::try_from(v).ok()) {
                    return SpanId(v);
                }
            }
            b.span_id(t, field)
        }
    }
}

/// Decimal digits as a number (at most 39 digits); `None` for anything else.
fn decimal_u128(t: &str) -> Option<u128> {
    if t.is_empty() || t.len() > 39 || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// `error`: non-zero, `true`, or a string other than `""`, `"0"` and `"false"`.
fn is_error(raw: &Raw<'_>) -> bool {
    match raw {
        Raw::Num(Num::U(v)) => *v != 0,
        Raw::Num(Num::I(v)) => *v != 0,
        Raw::Num(Num::F(f)) => *f != 0.0,
        Raw::Bool(x) => *x,
        Raw::Str(t) => !matches!(trim(t), "" | "0" | "false"),
        Raw::Null | Raw::Nested(_) => false,
    }
}

/// The agent's typed attribute value (`AttributeAnyValue`: `type` 0 string, 1 bool, 2 int,
/// 3 double, 4 array of such values), or `None` when `json` is not one.
fn typed_value(b: &mut StoreBuilder, json: &str) -> Option<Value> {
    use serde_json::Value as J;
    fn plain(v: &serde_json::Map<String, J>) -> Option<J> {
        let field = match v.get("type").and_then(J::as_u64)? {
            0 => "string_value",
            1 => "bool_value",
            2 => "int_value",
            3 => "double_value",
            4 => "array_value",
            _ => return None,
        };
        match v.get(field) {
            Some(J::Object(array)) if field == "array_value" => {
                let values = array.get("values").and_then(J::as_array)?;
                let items = values.iter().map(|item| item.as_object().and_then(plain));
                items.collect::<Option<Vec<J>>>().map(J::Array)
            }
            // Zero values are left out by some writers (proto3 `omitempty`).
            None => Some(match field {
                "string_value" => J::String(String::new()),
                "bool_value" => J::Bool(false),
                "array_value" => J::Array(Vec::new()),
                _ => J::from(0),
            }),
            Some(value) => Some(value.clone()),
        }
    }
    let J::Object(map) = serde_json::from_str::<J>(json).ok()? else {
        return None;
    };
    Some(match plain(&map)? {
        J::String(s) => Value::Str(b.intern(&s)),
        J::Bool(x) => Value::Bool(x),
        J::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) => Value::Float(f),
            (None, None) => return None,
        },
        other => Value::Json(b.intern(&other.to_string())),
    })
}

/// A list of span links (`span_links`, or the JSON in `meta["_dd.span_links"]`).
fn read_links<'t>(s: &mut Scanner<'t>) -> ScanResult<Vec<LinkWire<'t>>> {
    let mut links = Vec::new();
    let Some(mut list) = s.array_or_null("a list of span links")? else {
        return Ok(links);
    };
    while s.item(&mut list)? {
        let mut o = s.object("a span link (an object)")?;
        let mut link = LinkWire {
            trace_id: Id::Absent,
            trace_id_high: Id::Absent,
            span_id: Id::Absent,
            attrs: Vec::new(),
        };
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                "trace_id" => link.trace_id = read_id(s, "link trace_id")?,
                "trace_id_high" => link.trace_id_high = read_id(s, "link trace_id_high")?,
                "span_id" => link.span_id = read_id(s, "link span_id")?,
                "attributes" => link.attrs = read_pairs(s)?,
                _ => s.skip()?,
            }
        }
        links.push(link);
    }
    Ok(links)
}

/// A list of span events (`span_events`, or the JSON in `meta["events"]`).
fn read_events<'t>(s: &mut Scanner<'t>) -> ScanResult<Vec<EventWire<'t>>> {
    let mut events = Vec::new();
    let Some(mut list) = s.array_or_null("a list of span events")? else {
        return Ok(events);
    };
    while s.item(&mut list)? {
        let mut o = s.object("a span event (an object)")?;
        let mut event = EventWire {
            time_unix_nanos: 0,
            name: Cow::Borrowed(""),
            attrs: Vec::new(),
        };
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                "time_unix_nano" => event.time_unix_nanos = s.scaled_number(0)?.unwrap_or(0),
                "name" => event.name = s.string_or_null("an event name")?,
                "attributes" => event.attrs = read_pairs(s)?,
                _ => s.skip()?,
            }
        }
        events.push(event);
    }
    Ok(events)
}

/// An object's keys and values, in order.
fn read_pairs<'t>(s: &mut Scanner<'t>) -> ScanResult<Vec<(Cow<'t, str>, Raw<'t>)>> {
    let mut pairs = Vec::new();
    if let Some(mut o) = s.object_or_null("an object of attributes")? {
        while let Some(key) = s.key(&mut o)? {
            pairs.push((key, s.raw()?));
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{attrs, load_as, never_panics, pairs, span};
    use crate::import::{import, IMPORTERS};
    use crate::model::{build_traces, Store, TreeWarning};

    fn load(doc: &str) -> Store {
        load_as("Datadog JSON", doc)
    }

    #[test]
    fn a_span_maps_every_field() {
        let store = load(
            r#"[[{"name":"django.request","service":"django","resource":"GET ^error-500/$",
                "trace_id":7,"span_id":1,"parent_id":0,"type":"web","error":1,
                "meta":{"http.method":"GET","error.type":"ValueError",
                        "error.message":"boom","error.stack":"Traceback ..."},
                "metrics":{"_dd.top_level":1.0,"process_id":42381,"ratio":0.25},
                "meta_struct":{"x":"AQ=="},"duration":35396542,
                "start":1777483958145771167}]]"#,
        );
        assert_eq!(store.spans.len(), 1);
        let s = store.spans[0];
        assert_eq!(s.trace_id, TraceId(7));
        assert_eq!(s.span_id, SpanId(1));
        assert!(s.parent_id.is_zero());
        assert_eq!(store.strings.get(s.name), "django.request");
        assert_eq!(store.strings.get(s.service), "django");
        assert_eq!(s.kind, SpanKind::Server, "type web without span.kind");
        assert_eq!(s.start_unix_nanos, 1_777_483_958_145_771_167);
        assert_eq!(s.duration_nanos, 35_396_542);
        assert_eq!(s.status, StatusCode::Error);
        assert_eq!(store.strings.get(s.status_message), "boom");
        assert_eq!(
            attrs(&store, s.attrs),
            pairs(&[
                ("resource.name", "GET ^error-500/$"),
                ("span.type", "web"),
                ("http.method", "GET"),
                ("error.type", "ValueError"),
                ("error.message", "boom"),
                ("error.stack", "Traceback ..."),
                ("_dd.top_level", "1"),
                ("process_id", "42381"),
                ("ratio", "0.25"),
            ])
        );
        let metric = |key: &str| {
            let key = store.strings.lookup(key).unwrap();
            store
                .attrs_of(s.attrs)
                .into_iter()
                .find(|a| a.key == key)
                .unwrap()
                .value
        };
        assert_eq!(metric("_dd.top_level"), Value::Int(1));
        assert_eq!(metric("ratio"), Value::Float(0.25));
        // The exception event, with OpenTelemetry's keys, at the span's end.
        let events = store.events_of(&s);
        assert_eq!(events.len(), 1);
        assert_eq!(store.strings.get(events[0].name), "exception");
        assert_eq!(events[0].time_unix_nanos, s.end_unix_nanos());
        assert_eq!(
            attrs(&store, events[0].attrs),
            pairs(&[
                ("exception.type", "ValueError"),
                ("exception.message", "boom"),
                ("exception.stacktrace", "Traceback ..."),
            ])
        );
        assert_eq!(store.warnings_of(0).count(), 0);
        assert!(store.files[0].warnings.is_empty(), "{:?}", store.files[0]);
    }

    #[test]
    fn error_codes_and_messages() {
        let store = load(
            r#"[{"name":"a","service":"s","trace_id":1,"span_id":1,"start":1,"duration":1,
                 "error":403,"meta":{"error.msg":"forbidden"}},
                {"name":"b","service":"s","trace_id":1,"span_id":2,"start":1,"duration":1,
                 "error":1,"meta":{"error.type":"Timeout"}},
                {"name":"c","service":"s","trace_id":1,"span_id":3,"start":1,"duration":1,
                 "error":0,"meta":{"error.message":"handled"}},
                {"name":"d","service":"s","trace_id":1,"span_id":4,"start":1,"duration":1,
                 "error":1}]"#,
        );
        let a = span(&store, "a");
        assert_eq!(a.status, StatusCode::Error);
        assert_eq!(store.strings.get(a.status_message), "forbidden");
        let event = store.events_of(a)[0];
        assert_eq!(
            attrs(&store, event.attrs),
            pairs(&[("exception.message", "forbidden")])
        );
        let b = span(&store, "b");
        assert_eq!(store.strings.get(b.status_message), "Timeout");
        let event = store.events_of(b)[0];
        assert_eq!(
            attrs(&store, event.attrs),
            pairs(&[("exception.type", "Timeout")])
        );
        let c = span(&store, "c");
        assert_eq!(c.status, StatusCode::Unset);
        assert!(store.events_of(c).is_empty());
        let d = span(&store, "d");
        assert_eq!(d.status, StatusCode::Error);
        assert!(store.events_of(d).is_empty(), "no details, no event");
    }

    #[test]
    fn ids_beyond_2_53_are_exact_as_numbers_and_as_strings() {
        // 2^64 - 1, 2^63 + 1 and 5608047284309712831 lose their low digits in an f64.
        let store = load(
            r#"[[{"name":"root","service":"s","trace_id":18446744073709551615,
                  "span_id":9223372036854775809,"parent_id":5608047284309712831,
                  "start":1549359141765341000,"duration":1000},
                 {"name":"child","service":"s","trace_id":"18446744073709551615",
                  "span_id":"5608047284309712833","parent_id":"9223372036854775809",
                  "start":1549359141765341001,"duration":10},
                 {"name":"signed","service":"s","trace_id":18446744073709551615,
                  "span_id":-5,"parent_id":5608047284309712833,
                  "start":1549359141765341002,"duration":1}]]"#,
        );
        let root = span(&store, "root");
        assert_eq!(root.trace_id, TraceId(u64::MAX as u128));
        assert_eq!(root.span_id, SpanId(9_223_372_036_854_775_809));
        assert_eq!(root.parent_id, SpanId(5_608_047_284_309_712_831));
        assert_eq!(root.start_unix_nanos, 1_549_359_141_765_341_000);
        let child = span(&store, "child");
        assert_eq!(child.trace_id, root.trace_id);
        assert_eq!(child.span_id, SpanId(5_608_047_284_309_712_833));
        assert_eq!(child.parent_id, root.span_id);
        let signed = span(&store, "signed");
        assert_eq!(
            signed.span_id,
            SpanId(18_446_744_073_709_551_611),
            "two's complement"
        );
        assert_eq!(signed.parent_id, child.span_id);
        // Decimal text is decimal, not hex, and gives no id warning.
        assert_eq!(store.span_warnings.len(), 0, "{:?}", store.span_warnings);
        let traces = build_traces(&store);
        assert_eq!(traces.len(), 1);
        let missing: Vec<_> = traces[0]
            .warnings
            .iter()
            .filter(|(_, w)| matches!(w, TreeWarning::MissingParent(_)))
            .collect();
        assert_eq!(missing.len(), 1, "only the root's parent is absent");
    }

    #[test]
    fn an_id_written_as_a_float_is_refused_with_its_place() {
        let err = import(
            "f.json",
            br#"[{"name":"a","service":"s","trace_id":1.5e19,"span_id":1,"start":1}]"#,
        )
        .unwrap_err();
        assert!(err.message.contains("trace_id"), "{err}");
        assert!(err.message.contains("line 1 column"), "{err}");
        let err = import(
            "m.json",
            br#"[{"name":"a","service":"s","trace_id":1,"span_id":1}]"#,
        )
        .unwrap_err();
        assert!(err.message.contains("\"start\""), "{err}");
    }

    #[test]
    fn hex_text_ids_are_read_as_hex_with_a_warning() {
        let store = load(
            r#"[{"name":"a","service":"s","trace_id":"69f39b5f000000001fab181a6a6bd1a6",
                 "span_id":"8538fe555365d5ca","parent_id":"abc","start":1,"duration":1}]"#,
        );
        let s = store.spans[0];
        assert_eq!(s.trace_id.to_string(), "69f39b5f000000001fab181a6a6bd1a6");
        assert_eq!(s.span_id, SpanId(0x8538_fe55_5365_d5ca));
        assert_eq!(s.parent_id, SpanId(0xabc));
        assert!(matches!(
            store.warnings_of(0).next(),
            Some(SpanWarning::PaddedId {
                field: "parent_id",
                ..
            })
        ));
    }

    #[test]
    fn the_high_half_of_a_128_bit_trace_id_comes_from_dd_p_tid() {
        // 2281944137926955430 = 0x1fab181a6a6bd1a6; only the chunk's first span has the tag.
        let store = load(
            r#"[[{"name":"root","service":"a","trace_id":2281944137926955430,"span_id":1,
                  "start":10,"duration":5,"meta":{"_dd.p.tid":"69f39b5f00000000"}},
                 {"name":"child","service":"a","trace_id":2281944137926955430,"span_id":2,
                  "parent_id":1,"start":11,"duration":1}],
                [{"name":"late","service":"b","trace_id":2281944137926955430,"span_id":3,
                  "parent_id":2,"start":12,"duration":1}],
                [{"name":"high","service":"c","trace_id":5,"trace_id_high":6,"span_id":4,
                  "start":12,"duration":1},
                 {"name":"bad","service":"c","trace_id":8,"span_id":5,"start":12,
                  "duration":1,"meta":{"_dd.p.tid":"xyz"}}]]"#,
        );
        let w3c = "69f39b5f000000001fab181a6a6bd1a6";
        for name in ["root", "child", "late"] {
            assert_eq!(span(&store, name).trace_id.to_string(), w3c, "{name}");
        }
        assert_eq!(span(&store, "high").trace_id, TraceId(6 << 64 | 5));
        let bad = span(&store, "bad");
        assert_eq!(bad.trace_id, TraceId(8));
        let index = store.spans.iter().position(|s| s == bad).unwrap() as u32;
        let warning = store.warnings_of(index).next().unwrap();
        assert!(
            warning.message().contains("_dd.p.tid"),
            "{}",
            warning.message()
        );

        // The same request exported by OpenTelemetry has the same trace id: one trace.
        let otlp = format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name",
                "value":{{"stringValue":"otel"}}}}]}},"scopeSpans":[{{"spans":[{{
                "traceId":"{w3c}","spanId":"00000000000000aa","parentSpanId":"0000000000000001",
                "name":"from-otel","startTimeUnixNano":"11","endTimeUnixNano":"12"}}]}}]}}]}}"#
        );
        let mut both = store.clone();
        both.append(import("otel.json", otlp.as_bytes()).unwrap());
        let traces = build_traces(&both);
        let trace = traces.iter().find(|t| t.id.to_string() == w3c).unwrap();
        assert_eq!(trace.spans.len(), 4);
        assert_eq!(trace.root_count, 1);
    }

    #[test]
    fn a_tid_is_shared_by_spans_of_the_same_chunk_first() {
        // Two chunks reuse trace_id 0 (a test-agent snapshot renumbers ids) with different
        // tags; a span without a tag takes its own chunk's.
        let store = load(
            r#"[[{"name":"a1","service":"s","trace_id":0,"span_id":1,"start":1,"duration":1,
                  "meta":{"_dd.p.tid":"00000000000000aa"}},
                 {"name":"a2","service":"s","trace_id":0,"span_id":2,"start":1,"duration":1}],
                [{"name":"b1","service":"s","trace_id":0,"span_id":2,"start":1,"duration":1},
                 {"name":"b2","service":"s","trace_id":0,"span_id":1,"start":1,"duration":1,
                  "meta":{"_dd.p.tid":"00000000000000bb"}}],
                [{"name":"c1","service":"s","trace_id":0,"span_id":3,"start":1,"duration":1}]]"#,
        );
        let high = |name: &str| (span(&store, name).trace_id.0 >> 64) as u64;
        assert_eq!(high("a1"), 0xaa);
        assert_eq!(high("a2"), 0xaa);
        assert_eq!(high("b1"), 0xbb, "its chunk's tag, though it comes later");
        assert_eq!(high("c1"), 0xaa, "no tag in its chunk: the file's first");
    }

    #[test]
    fn links_and_events_from_fields_and_from_meta_json_strings() {
        let store = load(
            r#"[[{"name":"a","service":"s","trace_id":1,"span_id":2,"start":100,"duration":50,
                  "span_links":[{"trace_id":2281944137926955430,"trace_id_high":7634616625647321088,
                                 "span_id":9223372036854775809,"attributes":{"link.name":"x"},
                                 "tracestate":"dd=s:1","flags":2147483649}],
                  "span_events":[{"name":"typed","time_unix_nano":1777483958145771167,
                                  "attributes":{"s":{"type":0,"string_value":"v"},
                                                "b":{"type":1,"bool_value":true},
                                                "i":{"type":2,"int_value":9007199254740993},
                                                "d":{"type":3,"double_value":1.5},
                                                "a":{"type":4,"array_value":{"values":[
                                                     {"type":0,"string_value":"x"},
                                                     {"type":2,"int_value":2}]}}}}],
                  "meta":{"_dd.span_links":"[{\"trace_id\": \"69f39b5f000000001fab181a6a6bd1a6\", \"span_id\": \"8538fe555365d5ca\", \"tracestate\": \"dd=s:1\", \"flags\": 1}]",
                          "events":"[{\"name\":\"plain\",\"time_unix_nano\":150,\"attributes\":{\"k\":\"v\",\"n\":3,\"list\":[1,2]}}]",
                          "other":"kept"}}]]"#,
        );
        let s = store.spans[0];
        assert_eq!(
            attrs(&store, s.attrs),
            pairs(&[("other", "kept")]),
            "the JSON strings became links and events"
        );
        let links = store.links_of(&s);
        assert_eq!(links.len(), 2);
        // 7634616625647321088 = 0x69f39b5f00000000
        assert_eq!(
            links[0].trace_id.to_string(),
            "69f39b5f000000001fab181a6a6bd1a6"
        );
        assert_eq!(links[0].span_id, SpanId(9_223_372_036_854_775_809));
        assert_eq!(attrs(&store, links[0].attrs), pairs(&[("link.name", "x")]));
        assert_eq!(
            links[1].trace_id.to_string(),
            "69f39b5f000000001fab181a6a6bd1a6"
        );
        assert_eq!(links[1].span_id, SpanId(0x8538_fe55_5365_d5ca));
        let events = store.events_of(&s);
        assert_eq!(events.len(), 2);
        assert_eq!(store.strings.get(events[0].name), "typed");
        assert_eq!(events[0].time_unix_nanos, 1_777_483_958_145_771_167);
        assert_eq!(
            attrs(&store, events[0].attrs),
            pairs(&[
                ("s", "v"),
                ("b", "true"),
                ("i", "9007199254740993"),
                ("d", "1.5"),
                ("a", "[\"x\",2]"),
            ])
        );
        assert_eq!(store.strings.get(events[1].name), "plain");
        assert_eq!(events[1].time_unix_nanos, 150);
        assert_eq!(
            attrs(&store, events[1].attrs),
            pairs(&[("k", "v"), ("n", "3"), ("list", "[1,2]")])
        );
        assert_eq!(store.warnings_of(0).count(), 0);
    }

    #[test]
    fn meta_json_that_does_not_parse_is_a_span_warning() {
        let store = load(
            r#"[{"name":"a","service":"s","trace_id":1,"span_id":2,"start":1,"duration":1,
                 "meta":{"_dd.span_links":"[{\"trace_id\": ","events":"[] and more",
                         "x":"y"}}]"#,
        );
        let s = store.spans[0];
        assert!(store.links_of(&s).is_empty());
        assert!(store.events_of(&s).is_empty());
        assert_eq!(
            attrs(&store, s.attrs),
            pairs(&[
                ("x", "y"),
                ("_dd.span_links", "[{\"trace_id\": "),
                ("events", "[] and more"),
            ])
        );
        let messages: Vec<String> = store.warnings_of(0).map(|w| w.message()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("_dd.span_links"), "{messages:?}");
        assert!(messages[0].contains("line 1 column"), "{messages:?}");
        assert!(messages[1].contains("events"), "{messages:?}");
        assert!(
            store.files[0].warnings[0].contains("could not be read"),
            "{:?}",
            store.files[0].warnings
        );
    }

    #[test]
    fn kinds_from_meta_then_type() {
        let store = load(
            r#"[{"name":"a","service":"s","trace_id":1,"span_id":1,"start":1,"duration":1,
                 "type":"web","meta":{"span.kind":"consumer"}},
                {"name":"b","service":"s","trace_id":1,"span_id":2,"start":1,"duration":1,
                 "type":"http"},
                {"name":"c","service":"s","trace_id":1,"span_id":3,"start":1,"duration":1,
                 "type":"db"},
                {"name":"d","service":"s","trace_id":1,"span_id":4,"start":1,"duration":1,
                 "meta":{"span.kind":"internal"}}]"#,
        );
        let kind = |name: &str| span(&store, name).kind;
        assert_eq!(kind("a"), SpanKind::Consumer);
        assert_eq!(kind("b"), SpanKind::Client);
        assert_eq!(kind("c"), SpanKind::Unspecified);
        assert_eq!(kind("d"), SpanKind::Internal);
    }

    #[test]
    fn flat_arrays_single_objects_and_json_lines_load() {
        let one = r#"{"name":"a","service":"s","trace_id":1,"span_id":1,"start":1,"duration":1}"#;
        assert_eq!(load(one).spans.len(), 1);
        assert_eq!(load(&format!("[{one},{one}]")).spans.len(), 2);
        assert_eq!(
            load(&format!("[[{one}]]\n[[{one}],[{one}]]\n")).spans.len(),
            3
        );
    }

    #[test]
    fn odd_but_real_spans_load_with_warnings() {
        let store = load(
            r#"[{"name":"","resource":"GET /","service":"","trace_id":1,"span_id":1,"start":1},
                {"name":"neg","service":"s","trace_id":1,"span_id":2,"start":5,"duration":-1},
                {"name":"zero","service":"s","trace_id":1,"span_id":3,"start":5,"duration":0,
                 "meta":null,"metrics":null,"span_links":null}]"#,
        );
        let a = store.spans[0];
        assert_eq!(store.strings.get(a.name), "GET /", "named by its resource");
        assert!(a.end_unknown());
        let warnings: Vec<_> = store.warnings_of(0).collect();
        assert!(warnings.contains(&&SpanWarning::NoEndTime), "{warnings:?}");
        assert!(
            warnings.contains(&&SpanWarning::NoServiceName),
            "{warnings:?}"
        );
        let neg = span(&store, "neg");
        assert_eq!(neg.duration_nanos, 0);
        assert_eq!(
            store.warnings_of(1).collect::<Vec<_>>(),
            [&SpanWarning::EndBeforeStart]
        );
        assert_eq!(span(&store, "zero").duration_nanos, 0);
        assert_eq!(store.warnings_of(2).count(), 0);
    }

    #[test]
    fn sniffing_tells_datadog_from_its_neighbours() {
        let dd = br#"[[{"trace_id":1,"span_id":2,"parent_id":0,"start":1,"duration":1,
                        "service":"s","name":"n","resource":"r"}]]"#;
        assert_eq!(sniff(dd), Sniff::Yes);
        for imp in IMPORTERS.iter().filter(|imp| imp.name != IMPORTER.name) {
            assert_eq!((imp.sniff)(dd), Sniff::No, "{} claims Datadog", imp.name);
        }
        let neighbours: [&[u8]; 5] = [
            // Zipkin v2, and its proto3 form with snake_case keys.
            br#"[{"traceId":"01","id":"01","localEndpoint":{"serviceName":"a"}}]"#,
            br#"{"spans":[{"trace_id":"AQ==","id":"AQ==","parent_id":"AQ==","kind":1}]}"#,
            // OTLP and Jaeger protobuf-JSON with proto field names.
            br#"{"resource_spans":[{"resource":{},"scope_spans":[{"spans":[
                {"trace_id":"AQ==","span_id":"AQ==","start_time_unix_nano":"1"}]}]}]}"#,
            br#"{"spans":[{"trace_id":"AQ==","span_id":"AQ==","operation_name":"x",
                "start_time":"2020-01-01T00:00:00Z","duration":"1s"}]}"#,
            // X-Ray and New Relic.
            br#"{"trace_id":"1-5f18-6a10","id":"5cc4","start_time":1.5,"end_time":2}"#,
        ];
        for doc in neighbours {
            assert_eq!(sniff(doc), Sniff::No, "{}", String::from_utf8_lossy(doc));
        }
        let nr = br#"[{"spans":[{"id":"1","trace.id":"2","timestamp":1}]}]"#;
        assert_eq!(sniff(nr), Sniff::No);
    }

    #[test]
    fn cut_or_corrupted_documents_never_panic() {
        let doc = br#"[[{"name":"a","service":"s","trace_id":1,"span_id":2,"parent_id":0,
            "start":1,"duration":1,"error":1,"meta":{"_dd.p.tid":"69f39b5f00000000",
            "_dd.span_links":"[{\"trace_id\":\"01\",\"span_id\":\"02\"}]",
            "events":"[{\"name\":\"e\",\"time_unix_nano\":1,\"attributes\":{\"k\":1}}]",
            "error.message":"m"},"metrics":{"m":1.5},
            "span_links":[{"trace_id":1,"span_id":2,"attributes":{"a":"b"}}],
            "span_events":[{"name":"x","time_unix_nano":2,
                            "attributes":{"k":{"type":0,"string_value":"v"}}}]}]]"#;
        assert_eq!(load(std::str::from_utf8(doc).unwrap()).spans.len(), 1);
        never_panics(doc, 1, b"\"}0\\\xFF");
    }
}
