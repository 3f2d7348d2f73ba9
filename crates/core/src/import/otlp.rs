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
//! Reading: one reader, [`Stream`], for a whole file and for a file read while it arrives:
//! one pass with the pull [`Scanner`], a unit (a key and its value, a list item, a span) at a
//! time, so that it can stop where the input stops and go on later. Each span goes into the
//! builder as soon as its object ends, so no wire structs pile up. A resource that comes
//! after its scope spans (unusual: writers follow the proto's field order) is read first,
//! and the spans after it.
//!
//! Spec: <https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#json-protobuf-encoding>
//! and `opentelemetry/proto/trace/v1/trace.proto`.

use super::scan::{error_message, Num, Raw, ScanResult, Scanner, Seq};
use super::{first_byte, has_key, span_kind_from_name, Importer, Sniff, StoreBuilder};
use crate::model::{
    Attr, Event, Link, Resource, Slice, Span, SpanId, SpanKind, SpanWarning, StatusCode, StrId,
    TraceId, Value, SPAN_END_UNKNOWN,
};
use serde_json::Value as J;
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

/// Reads a whole file: the [`Stream`] reader, handed all of it at once.
fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // The scanner words the error.
        Err(_) => {
            return Scanner::new(bytes)
                .map(drop)
                .map_err(|e| error_message(bytes, &e))
        }
    };
    let mut stream = Stream::new();
    stream
        .read(b, text, true)
        .map_err(|e| error_message(bytes, &e))?;
    warn_documents(b, stream.documents);
    Ok(())
}

/// A file warning when the file held several documents (JSON Lines).
fn warn_documents(b: &mut StoreBuilder, documents: usize) {
    if documents > 1 {
        b.warn_file(format!(
            "read as JSON Lines: {} OTLP documents",
            crate::model::units::format_count(documents as u64)
        ));
    }
}

/// The OTLP reader, for a whole file ([`parse`]) and for a file read while it arrives
/// (driven by `import::stream`): documents (one, or JSON Lines), read a unit at a time (a
/// key and its value, a list item, a span), so that it can stop where the input stops and go
/// on from there when more has arrived. Each span is read as soon as its object is complete,
/// each resource and scope once its value is. A resourceSpans' scope lists written before
/// its `resource` are skipped, and read when the resourceSpans object ends (the input is
/// kept from the first of them until then).
pub(super) struct Stream {
    at: Level,
    /// Jaeger api_v3 `result` wrappers open around the current document.
    wrappers: u32,
    /// Where reading goes on: the start of the next key, item or document.
    pos: usize,
    /// Documents started (more than one: JSON Lines).
    documents: usize,
    /// Where the scope lists start that came before their resourceSpans' `resource`.
    later: Vec<usize>,
}

/// Where in the document the stream is, innermost last; `first` until a key or item of
/// that object or list has been read.
#[derive(Copy, Clone, PartialEq)]
enum Level {
    /// Between documents.
    Top,
    Document {
        first: bool,
    },
    ResourceSpansList {
        first: bool,
    },
    ResourceSpans {
        first: bool,
        resource: Option<ResourceInfo>,
    },
    ScopeSpansList {
        first: bool,
        r: ResourceInfo,
    },
    ScopeSpans {
        first: bool,
        r: ResourceInfo,
        resource: Option<u32>,
    },
    Spans {
        r: ResourceInfo,
        first: bool,
        resource: u32,
    },
}

impl Level {
    /// Containers open at this level inside the innermost document.
    fn depth(self) -> u32 {
        match self {
            Level::Top => 0,
            Level::Document { .. } => 1,
            Level::ResourceSpansList { .. } => 2,
            Level::ResourceSpans { .. } => 3,
            Level::ScopeSpansList { .. } => 4,
            Level::ScopeSpans { .. } => 5,
            Level::Spans { .. } => 6,
        }
    }
}

impl Stream {
    pub fn new() -> Self {
        Stream {
            at: Level::Top,
            wrappers: 0,
            pos: 0,
            documents: 0,
            later: Vec::new(),
        }
    }

    /// The offset in the input where the next window must start.
    pub fn resume_at(&self) -> usize {
        self.later.first().copied().unwrap_or(self.pos)
    }

    /// Reads what is complete in `window` (the input from [`Stream::resume_at`] to what has
    /// arrived; `end`: all of it). False when the input cannot be read (an error).
    pub fn feed(&mut self, b: &mut StoreBuilder, window: &str, end: bool) -> bool {
        self.read(b, window, end).is_ok()
    }

    /// Reads the rest of the complete input (`window`: from [`Stream::resume_at`] to its
    /// end). `Err` when it cannot be read.
    pub fn finish(mut self, b: &mut StoreBuilder, window: &str) -> Result<(), ()> {
        self.read(b, window, true).map_err(drop)?;
        warn_documents(b, self.documents);
        Ok(())
    }

    /// [`Stream::feed`], with the error: one that is not where a window that is not the
    /// end stops (which more input may complete).
    fn read(&mut self, b: &mut StoreBuilder, window: &str, end: bool) -> ScanResult<()> {
        let depth = match self.at {
            Level::Top => 0,
            at => at.depth() + self.wrappers,
        };
        let mut s = Scanner::resume(window, self.resume_at(), depth).fork_at(self.pos);
        loop {
            let marks = b.marks();
            let spans = b.span_count();
            match self.step(&mut s, b) {
                Ok(true) => self.pos = s.pos(),
                // Between documents at the end of the input.
                Ok(false) => return Ok(()),
                // Cut off inside a unit: drop what it pushed, and read it again later.
                Err(e) if !end && s.ends_at(&e) && b.span_count() == spans => {
                    b.roll_back(marks);
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads one unit at the current level: a document's start, a key and its value, an
    /// item, or a span. False when the input ends between documents. The state changes
    /// only once the unit has been read.
    fn step(&mut self, s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<bool> {
        self.at = match self.at {
            Level::Top => {
                if s.at_end() {
                    return Ok(false);
                }
                let _ = s.object("an OTLP document (an object with \"resourceSpans\")")?;
                self.documents += 1;
                Level::Document { first: true }
            }
            Level::Document { first } => self.document_key(s, first)?,
            Level::ResourceSpansList { first } => {
                if s.item(&mut Seq::resume(first))? {
                    let _ = s.object("a resourceSpans object")?;
                    Level::ResourceSpans {
                        first: true,
                        resource: None,
                    }
                } else {
                    Level::Document { first: false }
                }
            }
            Level::ResourceSpans { first, resource } => {
                self.resource_spans_key(s, b, first, resource)?
            }
            Level::ScopeSpansList { first, r } => {
                if s.item(&mut Seq::resume(first))? {
                    let _ = s.object("a scopeSpans object")?;
                    Level::ScopeSpans {
                        first: true,
                        r,
                        resource: None,
                    }
                } else {
                    Level::ResourceSpans {
                        first: false,
                        resource: Some(r),
                    }
                }
            }
            Level::ScopeSpans { first, r, resource } => scope_spans_key(s, b, first, r, resource)?,
            Level::Spans { r, first, resource } => {
                if s.item(&mut Seq::resume(first))? {
                    span(s, b, resource)?;
                    Level::Spans {
                        r,
                        first: false,
                        resource,
                    }
                } else {
                    Level::ScopeSpans {
                        first: false,
                        r,
                        resource: Some(resource),
                    }
                }
            }
        };
        Ok(true)
    }

    /// A key of `TracesData`, Tempo's `{"batches": …}`, or Jaeger api_v3's
    /// `{"result": TracesData}`; or the document's end.
    fn document_key(&mut self, s: &mut Scanner<'_>, first: bool) -> ScanResult<Level> {
        let on = Level::Document { first: false };
        Ok(match s.key(&mut Seq::resume(first))?.as_deref() {
            None if self.wrappers > 0 => {
                self.wrappers -= 1;
                on
            }
            None => Level::Top,
            // `batches` is Tempo's name for `resourceSpans`.
            Some("resourceSpans" | "resource_spans" | "batches") => {
                match s.array_or_null("a list of resourceSpans")? {
                    Some(_) => Level::ResourceSpansList { first: true },
                    None => on,
                }
            }
            Some("result") => {
                if s.null()? {
                    on
                } else {
                    let _ = s.object("an OTLP document (an object with \"resourceSpans\")")?;
                    self.wrappers += 1;
                    Level::Document { first: true }
                }
            }
            Some(_) => {
                s.skip()?;
                on
            }
        })
    }

    /// A key of a resourceSpans object, or its end: then the scope lists that came before
    /// its resource are read.
    fn resource_spans_key(
        &mut self,
        s: &mut Scanner<'_>,
        b: &mut StoreBuilder,
        first: bool,
        resource: Option<ResourceInfo>,
    ) -> ScanResult<Level> {
        let on = Level::ResourceSpans {
            first: false,
            resource,
        };
        Ok(match s.key(&mut Seq::resume(first))?.as_deref() {
            None => {
                let r = resource.unwrap_or_default();
                for at in std::mem::take(&mut self.later) {
                    self.scope_spans_list_at(&mut s.fork_at(at), b, r)?;
                }
                Level::ResourceSpansList { first: false }
            }
            Some("resource") => Level::ResourceSpans {
                first: false,
                resource: Some(read_resource(s, b)?),
            },
            Some("scopeSpans" | "instrumentationLibrarySpans" | "scope_spans") => match resource {
                Some(r) => match s.array_or_null("a list of scopeSpans")? {
                    Some(_) => Level::ScopeSpansList { first: true, r },
                    None => on,
                },
                None => {
                    let at = s.pos();
                    s.skip()?;
                    self.later.push(at);
                    on
                }
            },
            Some(_) => {
                s.skip()?;
                on
            }
        })
    }

    /// A list of scopeSpans read out of order (its resource came after it), complete in
    /// the input: the units of [`Stream::step`] until the list ends.
    fn scope_spans_list_at(
        &mut self,
        s: &mut Scanner<'_>,
        b: &mut StoreBuilder,
        r: ResourceInfo,
    ) -> ScanResult<()> {
        if s.array_or_null("a list of scopeSpans")?.is_none() {
            return Ok(());
        }
        let resumed = std::mem::replace(&mut self.at, Level::ScopeSpansList { first: true, r });
        let read = loop {
            match self.step(s, b) {
                Ok(_) if matches!(self.at, Level::ResourceSpans { .. }) => break Ok(()),
                Ok(_) => {}
                Err(e) => break Err(e),
            }
        };
        self.at = resumed;
        read
    }
}

/// A key of a scopeSpans object, or its end. Every scope gets its own [`Resource`]
/// (resource + scope); a scope written after its spans fills in the resource its spans
/// already point to.
fn scope_spans_key(
    s: &mut Scanner<'_>,
    b: &mut StoreBuilder,
    first: bool,
    r: ResourceInfo,
    resource: Option<u32>,
) -> ScanResult<Level> {
    let unscoped = unscoped(r);
    let on = |resource| Level::ScopeSpans {
        first: false,
        r,
        resource,
    };
    Ok(match s.key(&mut Seq::resume(first))?.as_deref() {
        None => {
            if resource.is_none() {
                b.push_resource(unscoped);
            }
            Level::ScopeSpansList { first: false, r }
        }
        Some("scope" | "instrumentationLibrary") => {
            let scope = read_scope(s, b)?;
            on(Some(set_scope(b, resource, unscoped, scope)))
        }
        Some("spans") => {
            // The list's start is read first: the resource is pushed once it is there.
            let list = s.array_or_null("a list of spans")?;
            let resource = match resource {
                Some(index) => index,
                None => b.push_resource(unscoped),
            };
            match list {
                Some(_) => Level::Spans {
                    r,
                    first: true,
                    resource,
                },
                None => on(Some(resource)),
            }
        }
        Some(_) => {
            s.skip()?;
            on(resource)
        }
    })
}

/// What spans take from their `resource`.
#[derive(Copy, Clone, Default, PartialEq)]
struct ResourceInfo {
    service: StrId,
    attrs: Slice,
}

/// The resource's attributes, and its `service.name` (the first such attribute, if it is a
/// string).
fn read_resource(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<ResourceInfo> {
    let mut info = ResourceInfo::default();
    let Some(mut o) = s.object_or_null("a resource object")? else {
        return Ok(info);
    };
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "attributes" => info.attrs = key_values(s, b)?,
            _ => s.skip()?,
        }
    }
    if let Some(key) = b.lookup("service.name") {
        let first = b.attrs_of(info.attrs).into_iter().find(|a| a.key == key);
        if let Some(Attr {
            value: Value::Str(service),
            ..
        }) = first
        {
            info.service = service;
        }
    }
    Ok(info)
}

/// The resource of a scope's spans before its scope is known.
fn unscoped(r: ResourceInfo) -> Resource {
    Resource {
        service: r.service,
        attrs: r.attrs,
        scope_name: StrId::EMPTY,
        scope_version: StrId::EMPTY,
        scope_attrs: Slice::default(),
    }
}

/// Gives a scope's spans their scope: a new resource, or (a scope written after its spans)
/// the one they already point to, filled in. Returns the resource.
fn set_scope(
    b: &mut StoreBuilder,
    resource: Option<u32>,
    unscoped: Resource,
    (scope_name, scope_version, scope_attrs): (StrId, StrId, Slice),
) -> u32 {
    match resource {
        Some(index) => {
            if let Some(res) = b.store().resources.get_mut(index as usize) {
                res.scope_name = scope_name;
                res.scope_version = scope_version;
                res.scope_attrs = scope_attrs;
            }
            index
        }
        None => b.push_resource(Resource {
            scope_name,
            scope_version,
            scope_attrs,
            ..unscoped
        }),
    }
}

fn read_scope(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<(StrId, StrId, Slice)> {
    let mut scope = (StrId::EMPTY, StrId::EMPTY, Slice::default());
    let Some(mut o) = s.object_or_null("a scope object")? else {
        return Ok(scope);
    };
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "name" => scope.0 = b.intern(&s.string_or_null("a scope name")?),
            "version" => scope.1 = b.intern(&s.string_or_null("a scope version")?),
            "attributes" => scope.2 = key_values(s, b)?,
            _ => s.skip()?,
        }
    }
    Ok(scope)
}

fn span(s: &mut Scanner<'_>, b: &mut StoreBuilder, resource: u32) -> ScanResult<()> {
    let mut o = s.object("a span object")?;
    let mut trace_id = TraceId(0);
    let mut span_id = SpanId(0);
    let mut parent_id = SpanId(0);
    let mut name = StrId::EMPTY;
    let mut kind = SpanKind::Unspecified;
    let (mut start, mut end) = (0u64, 0u64);
    let mut attrs = Slice::default();
    let mut events = None;
    let mut links = None;
    let mut status = (StatusCode::Unset, StrId::EMPTY);
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "traceId" | "trace_id" => {
                trace_id = b.trace_id(&s.string_or_null("a trace id")?, "trace id");
            }
            "spanId" | "span_id" => {
                span_id = b.span_id(&s.string_or_null("a span id")?, "span id");
            }
            "parentSpanId" | "parent_span_id" => {
                parent_id = b.span_id(&s.string_or_null("a span id")?, "parent span id");
            }
            "name" => name = b.intern(&s.string_or_null("a span name")?),
            "kind" => kind = span_kind(s.raw()?),
            "startTimeUnixNano" | "start_time_unix_nano" => start = s.flex_u64()?,
            "endTimeUnixNano" | "end_time_unix_nano" => end = s.flex_u64()?,
            "attributes" => attrs = key_values(s, b)?,
            "events" => events = Some(read_events(s, b)?),
            "links" => links = Some(read_links(s, b)?),
            "status" => status = read_status(s, b)?,
            _ => s.skip()?,
        }
    }
    let start = clamp_i64(start);
    let duration = if end == 0 {
        b.warn_span(SpanWarning::NoEndTime);
        SPAN_END_UNKNOWN
    } else if clamp_i64(end) < start {
        b.warn_span(SpanWarning::EndBeforeStart);
        0
    } else {
        clamp_i64(end) - start
    };
    // A span without events or links gets an empty slice at the arena's end.
    let empty = b.pushed_since(b.marks());
    let events = events.unwrap_or(empty.events);
    let links = links.unwrap_or(empty.links);
    let service = b.resource_service(resource);
    b.push_span(Span {
        trace_id,
        span_id,
        parent_id,
        start_unix_nanos: start,
        duration_nanos: duration,
        service,
        name,
        kind,
        status: status.0,
        status_message: status.1,
        resource,
        attrs,
        events,
        links,
        file: 0,
    });
    b.reserve_for_rest(s.pos());
    Ok(())
}

fn read_events(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<Slice> {
    let start = b.marks();
    if let Some(mut list) = s.array_or_null("a list of events")? {
        while s.item(&mut list)? {
            let mut o = s.object("an event object")?;
            let mut event = Event {
                time_unix_nanos: 0,
                name: StrId::EMPTY,
                attrs: Slice::default(),
            };
            while let Some(key) = s.key(&mut o)? {
                match &*key {
                    "timeUnixNano" | "time_unix_nano" => {
                        event.time_unix_nanos = clamp_i64(s.flex_u64()?)
                    }
                    "name" => event.name = b.intern(&s.string_or_null("an event name")?),
                    "attributes" => event.attrs = key_values(s, b)?,
                    _ => s.skip()?,
                }
            }
            b.push_event(event);
        }
    }
    Ok(b.pushed_since(start).events)
}

fn read_links(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<Slice> {
    let start = b.marks();
    if let Some(mut list) = s.array_or_null("a list of links")? {
        while s.item(&mut list)? {
            let mut o = s.object("a link object")?;
            let (mut trace_id, mut span_id) = (Cow::Borrowed(""), Cow::Borrowed(""));
            let mut attrs = Slice::default();
            while let Some(key) = s.key(&mut o)? {
                match &*key {
                    "traceId" | "trace_id" => trace_id = s.string_or_null("a trace id")?,
                    "spanId" | "span_id" => span_id = s.string_or_null("a span id")?,
                    "attributes" => attrs = key_values(s, b)?,
                    _ => s.skip()?,
                }
            }
            let link = Link {
                trace_id: b.trace_id(&trace_id, "link trace id"),
                span_id: b.span_id(&span_id, "link span id"),
                attrs,
            };
            b.push_link(link);
        }
    }
    Ok(b.pushed_since(start).links)
}

fn read_status(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<(StatusCode, StrId)> {
    let Some(mut o) = s.object_or_null("a status object")? else {
        return Ok((StatusCode::Unset, StrId::EMPTY));
    };
    let mut status = (StatusCode::Unset, StrId::EMPTY);
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "message" => status.1 = b.intern(&s.string_or_null("a status message")?),
            "code" => status.0 = status_code(s.raw()?),
            _ => s.skip()?,
        }
    }
    Ok(status)
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// `kind` as a number (1-5) or an enum name (`"SPAN_KIND_SERVER"`).
fn span_kind(kind: Raw<'_>) -> SpanKind {
    match kind {
        Raw::Num(Num::U(1)) => SpanKind::Internal,
        Raw::Num(Num::U(2)) => SpanKind::Server,
        Raw::Num(Num::U(3)) => SpanKind::Client,
        Raw::Num(Num::U(4)) => SpanKind::Producer,
        Raw::Num(Num::U(5)) => SpanKind::Consumer,
        Raw::Str(name) => span_kind_from_name(name.trim_start_matches("SPAN_KIND_")),
        _ => SpanKind::Unspecified,
    }
}

/// `status.code` as a number (1 OK, 2 ERROR) or an enum name (`"STATUS_CODE_ERROR"`).
fn status_code(code: Raw<'_>) -> StatusCode {
    match code {
        Raw::Num(Num::U(1)) => StatusCode::Ok,
        Raw::Num(Num::U(2)) => StatusCode::Error,
        Raw::Str(name) => match name.trim_start_matches("STATUS_CODE_") {
            "OK" | "ok" | "Ok" => StatusCode::Ok,
            "ERROR" | "error" | "Error" => StatusCode::Error,
            _ => StatusCode::Unset,
        },
        _ => StatusCode::Unset,
    }
}

/// A list of `KeyValue`s, appended to the attribute arena as it is read.
fn key_values(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<Slice> {
    let start = b.marks();
    if let Some(mut list) = s.array_or_null("a list of attributes")? {
        while s.item(&mut list)? {
            let mut o = s.object("an attribute (an object with \"key\" and \"value\")")?;
            let mut attr = Attr {
                key: StrId::EMPTY,
                value: Value::Str(StrId::EMPTY),
            };
            while let Some(key) = s.key(&mut o)? {
                match &*key {
                    "key" => attr.key = b.intern(&s.string_or_null("an attribute key")?),
                    "value" => attr.value = any_value(s, b)?,
                    _ => s.skip()?,
                }
            }
            b.push_attr(attr);
        }
    }
    Ok(b.pushed_since(start).attrs)
}

/// The fields of an `AnyValue` (`null` ones read as absent). Exactly one is normally set;
/// when several are, the first of this order wins, for top-level and nested values alike.
#[derive(Default)]
struct AnyValue<'a> {
    string: Option<Cow<'a, str>>,
    bool: Option<bool>,
    int: Option<i64>,
    double: Option<f64>,
    bytes: Option<Cow<'a, str>>,
    array: Option<J>,
    kvlist: Option<J>,
}

fn read_any<'a>(s: &mut Scanner<'a>) -> ScanResult<AnyValue<'a>> {
    let mut v = AnyValue::default();
    let Some(mut o) = s.object_or_null("an attribute value object")? else {
        return Ok(v);
    };
    while let Some(key) = s.key(&mut o)? {
        if s.null()? {
            continue;
        }
        match &*key {
            "stringValue" | "string_value" => v.string = Some(s.string("a string")?),
            "boolValue" | "bool_value" => v.bool = Some(s.boolean("true or false")?),
            "intValue" | "int_value" => v.int = Some(s.flex_i64()?),
            "doubleValue" | "double_value" => v.double = Some(s.flex_f64()?),
            "bytesValue" | "bytes_value" => v.bytes = Some(s.string("base64 text")?),
            "arrayValue" | "array_value" => v.array = Some(J::Array(array_json(s)?)),
            "kvlistValue" | "kvlist_value" => v.kvlist = Some(J::Object(kvlist_json(s)?)),
            _ => s.skip()?,
        }
    }
    Ok(v)
}

impl<'a> AnyValue<'a> {
    /// The one field that counts.
    fn pick(self) -> Picked<'a> {
        if let Some(x) = self.string {
            Picked::Str(x)
        } else if let Some(x) = self.bool {
            Picked::Bool(x)
        } else if let Some(x) = self.int {
            Picked::Int(x)
        } else if let Some(x) = self.double {
            Picked::Double(x)
        } else if let Some(x) = self.bytes {
            Picked::Bytes(x)
        } else if let Some(j) = self.array.or(self.kvlist) {
            Picked::Json(j)
        } else {
            Picked::Empty
        }
    }
}

enum Picked<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    Double(f64),
    Bytes(Cow<'a, str>),
    Json(J),
    Empty,
}

/// An attribute value; arrays and kvlists are kept as JSON text.
fn any_value(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<Value> {
    Ok(match read_any(s)?.pick() {
        Picked::Str(x) => Value::Str(b.intern(&x)),
        Picked::Bool(x) => Value::Bool(x),
        Picked::Int(x) => Value::Int(x),
        Picked::Double(x) => Value::Float(x),
        Picked::Bytes(x) => Value::Bytes(b.intern(&x)),
        Picked::Json(j) => Value::Json(b.intern(&j.to_string())),
        Picked::Empty => Value::Str(StrId::EMPTY),
    })
}

/// An `AnyValue` as plain JSON (`["a", 1]`, `{"k": true}`), for display.
fn any_json(s: &mut Scanner<'_>) -> ScanResult<J> {
    Ok(match read_any(s)?.pick() {
        Picked::Str(x) | Picked::Bytes(x) => J::String(x.into_owned()),
        Picked::Bool(x) => J::Bool(x),
        Picked::Int(x) => J::from(x),
        Picked::Double(x) => {
            serde_json::Number::from_f64(x).map_or(J::String(x.to_string()), J::Number)
        }
        Picked::Json(j) => j,
        Picked::Empty => J::Null,
    })
}

/// `arrayValue`: `{"values": [AnyValue]}`.
fn array_json(s: &mut Scanner<'_>) -> ScanResult<Vec<J>> {
    let mut out = Vec::new();
    let mut o = s.object("an arrayValue object")?;
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "values" => {
                if let Some(mut list) = s.array_or_null("a list of values")? {
                    while s.item(&mut list)? {
                        out.push(any_json(s)?);
                    }
                }
            }
            _ => s.skip()?,
        }
    }
    Ok(out)
}

/// `kvlistValue`: `{"values": [KeyValue]}`.
fn kvlist_json(s: &mut Scanner<'_>) -> ScanResult<serde_json::Map<String, J>> {
    let mut out = serde_json::Map::new();
    let mut o = s.object("a kvlistValue object")?;
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "values" => {
                if let Some(mut list) = s.array_or_null("a list of key/values")? {
                    while s.item(&mut list)? {
                        let mut kv = s.object("a key/value object")?;
                        let (mut k, mut v) = (String::new(), J::Null);
                        while let Some(field) = s.key(&mut kv)? {
                            match &*field {
                                "key" => k = s.string_or_null("a key")?.into_owned(),
                                "value" => v = any_json(s)?,
                                _ => s.skip()?,
                            }
                        }
                        out.insert(k, v);
                    }
                }
            }
            _ => s.skip()?,
        }
    }
    Ok(out)
}
