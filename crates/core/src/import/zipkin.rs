//! Zipkin v2 JSON importer (what `POST /api/v2/spans` takes and `GET /api/v2/trace/{id}`
//! returns).
//!
//! Supports: an array of spans; an array of arrays of spans (`GET /api/v2/traces`); a single
//! span object; proto3 `ListOfSpans` in protobuf-JSON (`{"spans": [...]}`, snake_case or
//! camelCase keys, base64 ids, base64 `ipv4`/`ipv6` bytes, `kind` as an enum number); JSON
//! Lines of any of these. Hex ids of any case, left-padded when short (a `PaddedId` warning).
//! `kind` → [`SpanKind`] (absent: a local span, [`SpanKind::Internal`]);
//! `localEndpoint.serviceName` → the service, one resource per distinct local endpoint with
//! `net.host.ip` (ipv4, else ipv6; `net.host.ipv6` when both) and `net.host.port`;
//! `remoteEndpoint` → span attributes `peer.service`, `net.peer.ip` (`net.peer.ipv6` when both
//! addresses are given) and `net.peer.port`, the names the OpenTelemetry Collector's Zipkin
//! receiver uses; tags → string attributes (a non-string value, which the spec does not allow
//! but some writers emit, keeps its JSON type); tag `error` → [`StatusCode::Error`] with the
//! tag's value as the message (any value but JSON `false`; `""` and `"true"` give no
//! message); annotations → events named by their `value`; `debug: true` and `shared: true`
//! → boolean attributes `zipkin.debug` / `zipkin.shared`.
//!
//! Zipkin's RPC model needs a pass over the whole file once it is read (see [`fix_up`]):
//! * **Shared spans.** With B3 propagation the client and the server of one call report the
//!   same span id, the server side flagged `shared: true` (older instrumentation omits the
//!   flag: a `SERVER` span with the id of a `CLIENT` span is taken as shared, as Zipkin's
//!   `Trace.merge` does). Like Zipkin's `SpanNode` and Lens, the server becomes the client's
//!   child rather than a duplicate: it gets a derived, unique span id, the client's id as its
//!   parent, and children that name the shared id and run in the server's service move under
//!   the server. The derived id is an internal key only: [`Store::span_id_text`] maps it to
//!   the original id text, so the detail panel shows the id that is in the file.
//! * **Partial reports.** A span reported in pieces (late tags or annotations sent without
//!   kind or duration) is merged into the first full report with the same trace, id and
//!   service (any service, when the piece names none), much as Zipkin's `Trace.merge` does.
//! * **Missing timestamp.** Placed at its earliest annotation, else at the start of its
//!   nearest ancestor that has one, else at its trace's earliest start (a file warning
//!   counts them). A missing (or zero) duration is [`SPAN_END_UNKNOWN`] with a
//!   [`SpanWarning::NoEndTime`].
//!
//! Ignored: unknown fields; JSON values in arrays that are not objects (counted in a file
//! warning). Not done (yet): Zipkin's clock-skew correction, and treating a 64-bit trace id
//! as equal to a 128-bit one with the same low half.
//!
//! Units: `timestamp`, `duration` and annotation timestamps are microseconds (since the Unix
//! epoch for timestamps); converted to nanoseconds.
//!
//! Spec: <https://github.com/openzipkin/zipkin-api/blob/master/zipkin2-api.yaml> (`Span`,
//! `Endpoint`, `ListOfSpans`, `ListOfTraces`) and `zipkin.proto` for the proto3 form; tree
//! rules from `openzipkin/zipkin` `zipkin2/Trace.java` and `zipkin2/internal/SpanNode.java`.
//!
//! Reading: one reader, [`Stream`], for a whole file and for a file read while it arrives:
//! one pass with the pull [`Scanner`], a unit at a time ([`Values`], which the Zipkin v1
//! importer walks its files with too); each span goes into the builder as soon as its object
//! ends (no document tree, no per-span `Vec`); strings are borrowed from the input; tags and
//! annotations go straight into the store's arenas. The post-pass costs one
//! hash-map insert a span, plus work proportional to the duplicated ids and missing
//! timestamps it finds.

use super::builder::Marks;
use super::scan::{error_message, Num, ScanResult, Scanner, Seq};
use super::{first_byte, span_kind_from_name, Importer, Sniff, StoreBuilder};
use crate::model::{
    Attr, Event, Resource, Slice, Span, SpanId, SpanKind, SpanWarning, StatusCode, Store, StrId,
    TraceId, Value, SPAN_END_UNKNOWN, UNKNOWN_SERVICE,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::hash_map::Entry;

/// The Zipkin v2 JSON importer, listed in [`super::IMPORTERS`].
pub const IMPORTER: Importer = Importer {
    name: "Zipkin v2 JSON",
    sniff,
    parse,
    looks_for: "spans with \"traceId\", \"id\" and \"localEndpoint\"/\"kind\"/\"timestamp\", \
                as an array, an array of arrays or proto3 {\"spans\": [...]}",
};

fn sniff(head: &[u8]) -> Sniff {
    if !matches!(first_byte(head), Some(b'[') | Some(b'{')) {
        return Sniff::No;
    }
    // One pass collects the keys (a dozen `has_key` scans of 64 KB cost more than parsing
    // a small file).
    let keys = object_keys(head);
    let k = |key: &str| keys.contains(key.as_bytes());
    let ids = (k("traceId") || k("trace_id")) && k("id");
    // Zipkin v1 (annotations with an `endpoint`, binaryAnnotations), OTLP / Jaeger
    // protobuf-JSON (`spanId`), Datadog (`span_id`), X-Ray (`start_time`), Jaeger (`traceID`).
    let other = k("binaryAnnotations")
        || (k("endpoint") && !k("localEndpoint"))
        || k("spanId")
        || k("span_id")
        || k("operationName")
        || k("resourceSpans")
        || k("start_time")
        || k("traceID");
    if !ids || other {
        return Sniff::No;
    }
    let v2 = [
        "localEndpoint",
        "local_endpoint",
        "remoteEndpoint",
        "remote_endpoint",
        "kind",
        "shared",
        "timestamp",
        "duration",
    ];
    if v2.iter().any(|key| k(key)) {
        Sniff::Yes
    } else {
        Sniff::Maybe
    }
}

/// The distinct object keys in `head` (strings followed by a colon), in one pass, leaving
/// out the keys inside `tags` objects: those are the user's (a tag may well be called
/// `span_id` or `endpoint`) and say nothing about the format. The head may end anywhere.
pub(super) fn object_keys(head: &[u8]) -> rustc_hash::FxHashSet<&[u8]> {
    let mut keys = rustc_hash::FxHashSet::default();
    let mut depth = 0u32;
    // Depth inside the `tags` object being skipped, and whether `"tags":` was just read.
    let mut in_tags: Option<u32> = None;
    let mut tags_next = false;
    let mut at = 0;
    while let Some(&c) = head.get(at) {
        match c {
            b'"' => {
                let start = at + 1;
                let mut end = start;
                while end < head.len() && head[end] != b'"' {
                    end += if head[end] == b'\\' { 2 } else { 1 };
                }
                if end >= head.len() {
                    break; // the head ends inside a string
                }
                at = end + 1;
                let next = head[at..].iter().find(|c| !c.is_ascii_whitespace());
                if next == Some(&b':') && in_tags.is_none() {
                    let key = &head[start..end];
                    keys.insert(key);
                    tags_next = key == b"tags";
                }
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if tags_next && c == b'{' && in_tags.is_none() {
                    in_tags = Some(depth);
                }
                tags_next = false;
            }
            b'}' | b']' => {
                if in_tags == Some(depth) {
                    in_tags = None;
                }
                depth = depth.saturating_sub(1);
                tags_next = false;
            }
            b':' => {}
            c if c.is_ascii_whitespace() => {}
            _ => tags_next = false,
        }
        at += 1;
    }
    keys
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
    Stream::new(b)
        .read_to_end(b, text)
        .map_err(|e| error_message(bytes, &e))
}

/// Per-span facts the model does not keep but the post-pass needs, one byte a span.
mod fact {
    /// `shared: true` in the file, or a `SERVER` span with the id of a `CLIENT` span.
    pub const SHARED: u8 = 1;
    pub const HAS_KIND: u8 = 2;
    /// The file gave a (non-zero) timestamp, or one was found for it.
    pub const HAS_START: u8 = 4;
    pub const HAS_DURATION: u8 = 8;
    /// Merged into another span; removed at the end of the pass.
    pub const REMOVED: u8 = 16;
    /// A shared span that was given a derived id.
    pub const RE_IDED: u8 = 32;

    /// A partial report: no kind and no duration.
    pub fn is_fragment(f: u8) -> bool {
        f & (HAS_KIND | HAS_DURATION) == 0
    }
}

/// Attribute keys interned once per file.
struct Keys {
    net_host_ip: StrId,
    net_host_ipv6: StrId,
    net_host_port: StrId,
    peer_service: StrId,
    net_peer_ip: StrId,
    net_peer_ipv6: StrId,
    net_peer_port: StrId,
    debug: StrId,
    shared: StrId,
    error: StrId,
}

/// A local endpoint, as the key of its resource.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
struct EndpointKey {
    service: StrId,
    ipv4: StrId,
    ipv6: StrId,
    port: u64,
}

/// The fields of one span object while it is read; strings borrowed from the input. The
/// Zipkin v1 importer builds these from its v1 spans (see `zipkin1.rs`).
#[derive(Default)]
pub(super) struct SpanWire<'a> {
    pub trace_id: Cow<'a, str>,
    pub id: Cow<'a, str>,
    pub parent_id: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub kind: Option<SpanKind>,
    /// Microseconds; 0 when absent.
    pub timestamp: u64,
    /// Microseconds; 0 when absent.
    pub duration: u64,
    pub debug: bool,
    pub shared: bool,
    pub local: Option<Endpoint<'a>>,
    pub remote: Option<Endpoint<'a>>,
    /// Set by an `error` tag: the status message.
    pub error: Option<StrId>,
    /// The object had a `spans` list (proto3 `ListOfSpans`).
    pub is_list: bool,
}

/// A `localEndpoint` / `remoteEndpoint` (v1: an annotation's `endpoint`) as read (its
/// interned form is [`EndpointKey`]).
#[derive(Default, Clone, PartialEq, Debug)]
pub(super) struct Endpoint<'a> {
    pub service_name: Cow<'a, str>,
    pub ipv4: Cow<'a, str>,
    pub ipv6: Cow<'a, str>,
    pub port: u64,
}

/// Streaming state: the builder plus what the post-pass needs ([`ReadState`]).
pub(super) struct Reader<'r, 'p> {
    pub b: &'r mut StoreBuilder<'p>,
    st: ReadState,
}

/// What the [`Reader`] keeps besides the builder; a [`Stream`] keeps it between windows.
pub(super) struct ReadState {
    /// One entry per span in the store, see [`fact`].
    facts: Vec<u8>,
    endpoints: FxHashMap<EndpointKey, u32>,
    keys: Keys,
    /// JSON values that were neither spans nor containers of spans.
    skipped: usize,
}

impl ReadState {
    fn new(b: &mut StoreBuilder) -> Self {
        let keys = Keys {
            net_host_ip: b.intern("net.host.ip"),
            net_host_ipv6: b.intern("net.host.ipv6"),
            net_host_port: b.intern("net.host.port"),
            peer_service: b.intern("peer.service"),
            net_peer_ip: b.intern("net.peer.ip"),
            net_peer_ipv6: b.intern("net.peer.ipv6"),
            net_peer_port: b.intern("net.peer.port"),
            debug: b.intern("zipkin.debug"),
            shared: b.intern("zipkin.shared"),
            error: b.intern("error"),
        };
        ReadState {
            facts: Vec::new(),
            endpoints: FxHashMap::default(),
            keys,
            skipped: 0,
        }
    }
}

impl<'r, 'p> Reader<'r, 'p> {
    pub fn new(b: &'r mut StoreBuilder<'p>) -> Self {
        let st = ReadState::new(b);
        Reader { b, st }
    }

    /// Any JSON value where spans may be: an array (of spans or of arrays), an object (a
    /// span or a `ListOfSpans`), `null` (no spans), or a scalar (skipped).
    fn value(&mut self, s: &mut Scanner<'_>) -> ScanResult<()> {
        values(s, self, &mut |s, reader| reader.object(s))
    }

    /// Counts a JSON value that is not a span, for the file warning.
    pub fn skipped_one(&mut self) {
        self.st.skipped += 1;
    }

    /// Reads one JSON object: a span, or a proto3 `ListOfSpans` (`{"spans": [...]}`). Keys
    /// are camelCase, or proto3's snake_case.
    fn object(&mut self, s: &mut Scanner<'_>) -> ScanResult<()> {
        let marks = self.b.marks();
        let mut o = s.object("a span")?;
        let mut w = SpanWire::default();
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                "traceId" | "trace_id" => w.trace_id = text(s, "a trace id")?,
                "id" => w.id = text(s, "a span id")?,
                "parentId" | "parent_id" => w.parent_id = text(s, "a parent id")?,
                "name" => w.name = text(s, "a span name")?,
                "kind" => w.kind = kind(s)?,
                "timestamp" => w.timestamp = s.flex_u64()?,
                "duration" => w.duration = s.flex_u64()?,
                "debug" => w.debug = flag(s)?,
                "shared" => w.shared = flag(s)?,
                "localEndpoint" | "local_endpoint" => w.local = endpoint(s)?,
                "remoteEndpoint" | "remote_endpoint" => w.remote = endpoint(s)?,
                "annotations" => self.annotations(s)?,
                "tags" => {
                    if let Some(message) = self.tags(s)? {
                        w.error = Some(message);
                    }
                }
                "spans" => {
                    w.is_list = true;
                    self.value(s)?;
                }
                _ => s.skip()?,
            }
        }
        if w.is_list {
            // A `ListOfSpans` wrapper: its spans were added as they were read.
            return Ok(());
        }
        if w.trace_id.trim().is_empty() || w.id.trim().is_empty() {
            // Not a span: drop whatever its tags and annotations put in the arenas.
            let pushed = self.b.pushed_since(marks);
            let store = self.b.store();
            if pushed.attrs.len > 0 {
                store.attrs.truncate(pushed.attrs.start as usize);
            }
            store.events.truncate(pushed.events.start as usize);
            self.st.skipped += 1;
            return Ok(());
        }
        self.add_span(w, marks);
        self.b.reserve_for_rest(s.pos());
        Ok(())
    }

    /// `annotations`: each becomes an event, appended to the store's event arena.
    fn annotations(&mut self, s: &mut Scanner<'_>) -> ScanResult<()> {
        let Some(mut list) = s.array_or_null("a list of annotations")? else {
            return Ok(());
        };
        while s.item(&mut list)? {
            let mut o = s.object("an annotation")?;
            let (mut timestamp, mut value) = (0, Cow::Borrowed(""));
            while let Some(key) = s.key(&mut o)? {
                match &*key {
                    "timestamp" => timestamp = s.flex_u64()?,
                    "value" => value = text(s, "an annotation value")?,
                    _ => s.skip()?,
                }
            }
            let name = self.b.intern(&value);
            self.b.push_event(Event {
                time_unix_nanos: micros_to_nanos(timestamp),
                name,
                attrs: Slice::default(),
            });
        }
        Ok(())
    }

    /// `tags`: each becomes an attribute, appended to the store's attribute arena. Returns
    /// the status message when there is an `error` tag.
    fn tags(&mut self, s: &mut Scanner<'_>) -> ScanResult<Option<StrId>> {
        let Some(mut o) = s.object_or_null("an object of tags")? else {
            return Ok(None);
        };
        let b = &mut *self.b;
        let mut error = None;
        while let Some(key) = s.key(&mut o)? {
            let key = b.intern(&key);
            let value = super::raw_value(b, &s.raw()?);
            if key == self.st.keys.error {
                error = error_status(b, value).or(error);
            }
            b.push_attr(Attr { key, value });
        }
        Ok(error)
    }

    /// Adds a span whose tags and annotations were pushed to the arenas since `marks`.
    pub fn add_span(&mut self, w: SpanWire<'_>, marks: Marks) {
        let b = &mut *self.b;
        let keys = &self.st.keys;
        let trace_id = b.trace_id(&w.trace_id, "trace id");
        let span_id = b.span_id(&w.id, "span id");
        let parent_id = if w.parent_id.trim().is_empty() {
            SpanId(0)
        } else {
            b.span_id(&w.parent_id, "parent id")
        };

        // Span attributes after the tags: remote endpoint and flags.
        if let Some(remote) = &w.remote {
            if !remote.service_name.is_empty() {
                let value = Value::Str(b.intern(&remote.service_name));
                push_attr(b, keys.peer_service, value);
            }
            push_addresses(b, remote, [keys.net_peer_ip, keys.net_peer_ipv6]);
            if remote.port > 0 {
                push_attr(b, keys.net_peer_port, Value::Int(clamp_i64(remote.port)));
            }
        }
        if w.debug {
            push_attr(b, keys.debug, Value::Bool(true));
        }
        if w.shared {
            push_attr(b, keys.shared, Value::Bool(true));
        }
        let pushed = b.pushed_since(marks);

        let mut facts = 0;
        if w.shared {
            facts |= fact::SHARED;
        }
        let kind = match w.kind {
            Some(kind) => {
                facts |= fact::HAS_KIND;
                kind
            }
            None => SpanKind::Internal,
        };
        let start = if w.timestamp > 0 {
            facts |= fact::HAS_START;
            micros_to_nanos(w.timestamp)
        } else {
            0 // found in the post-pass
        };
        let duration = if w.duration > 0 {
            facts |= fact::HAS_DURATION;
            micros_to_nanos(w.duration)
        } else {
            b.warn_span(SpanWarning::NoEndTime);
            SPAN_END_UNKNOWN
        };
        let (status, status_message) = match w.error {
            Some(message) => (StatusCode::Error, message),
            None => (StatusCode::Unset, StrId::EMPTY),
        };
        let resource = self.resource(w.local.as_ref());
        let b = &mut *self.b;
        let name = b.intern(&w.name);
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
            status,
            status_message,
            resource,
            attrs: pushed.attrs,
            events: pushed.events,
            links: Slice::default(),
            file: 0,
        });
        self.st.facts.push(facts);
    }

    /// The resource of a local endpoint: one per distinct (service, ipv4, ipv6, port).
    fn resource(&mut self, local: Option<&Endpoint<'_>>) -> u32 {
        let b = &mut *self.b;
        let empty = Endpoint::default();
        let local = local.unwrap_or(&empty);
        let key = EndpointKey {
            service: b.intern(&local.service_name),
            ipv4: b.intern(&local.ipv4),
            ipv6: b.intern(&local.ipv6),
            port: local.port,
        };
        if let Some(&resource) = self.st.endpoints.get(&key) {
            return resource;
        }
        let marks = b.marks();
        push_addresses(
            b,
            local,
            [self.st.keys.net_host_ip, self.st.keys.net_host_ipv6],
        );
        if key.port > 0 {
            push_attr(
                b,
                self.st.keys.net_host_port,
                Value::Int(clamp_i64(key.port)),
            );
        }
        let attrs = b.pushed_since(marks).attrs;
        let resource = b.push_resource(Resource {
            service: key.service,
            attrs,
            scope_name: StrId::EMPTY,
            scope_version: StrId::EMPTY,
            scope_attrs: Slice::default(),
        });
        self.st.endpoints.insert(key, resource);
        resource
    }

    /// Runs the post-pass and adds its file warnings.
    pub fn finish(self) {
        let Reader {
            b,
            st: ReadState {
                mut facts, skipped, ..
            },
        } = self;
        let report = fix_up(b.store(), &mut facts);
        if skipped > 0 {
            b.warn_file(format!(
                "{} JSON value(s) that are not spans (no \"traceId\" and \"id\") were skipped",
                skipped
            ));
        }
        if report.merged > 0 {
            b.warn_file(format!(
                "{} partial report(s) of a span (no kind, no duration) were merged into the \
                 full report with the same trace and span id",
                report.merged
            ));
        }
        if report.starts_guessed > 0 {
            b.warn_file(format!(
                "{} span(s) had no timestamp: each was placed at its earliest annotation, else \
                 at the start of its nearest ancestor, else at its trace's start",
                report.starts_guessed
            ));
        }
    }
}

/// The Zipkin v2 reader of a whole file ([`parse`]) and of a file read while it arrives
/// (driven by `import::stream`): JSON values (one, or JSON Lines) walked by [`Values`] a unit
/// (an array's start or end, a span, a scalar) at a time, so that it can stop where the
/// input stops and go on from there when more has arrived; then the post-pass. A span is
/// read as soon as its object is complete; an object that holds spans (a `ListOfSpans`) is
/// one unit, so a streamed read of one that the input cuts off stops (`false`), and the
/// driver reads the complete file again, which reads the same.
pub(super) struct Stream {
    st: Option<ReadState>,
    values: Values,
    /// Where reading goes on: offset in the input of the next unit (an item's comma
    /// included).
    at: usize,
}

impl Stream {
    pub fn new(b: &mut StoreBuilder) -> Self {
        Stream {
            st: Some(ReadState::new(b)),
            values: Values::default(),
            at: 0,
        }
    }

    /// The offset in the input where the next window must start.
    pub fn resume_at(&self) -> usize {
        self.at
    }

    /// Reads the spans whose objects are complete in `window`: the input from
    /// [`Stream::resume_at`] up to what has arrived (`end`: all of it). False when the
    /// input cannot be read this way (see [`Stream`]).
    pub fn feed(&mut self, b: &mut StoreBuilder, window: &str, end: bool) -> bool {
        let Some(st) = self.st.take() else {
            return false;
        };
        let mut reader = Reader { b, st };
        let read = self.read(&mut reader, window, end);
        self.st = Some(reader.st);
        read.is_ok()
    }

    /// Reads the rest of the complete input (`window`: from [`Stream::resume_at`] to its
    /// end) and runs the post-pass. `Err` when it cannot be read this way (see [`Stream`]).
    pub fn finish(self, b: &mut StoreBuilder, window: &str) -> Result<(), ()> {
        self.read_to_end(b, window).map_err(drop)
    }

    /// [`Stream::finish`], with the error.
    fn read_to_end(mut self, b: &mut StoreBuilder, window: &str) -> ScanResult<()> {
        let Some(st) = self.st.take() else {
            return Ok(());
        };
        let mut reader = Reader { b, st };
        self.read(&mut reader, window, true)?;
        reader.finish();
        Ok(())
    }

    /// [`Stream::feed`], with the error: one that is not where a window that is not the
    /// end stops (which more input may complete).
    fn read(&mut self, reader: &mut Reader, window: &str, end: bool) -> ScanResult<()> {
        let mut s = Scanner::resume(window, self.at, self.values.open);
        loop {
            if self.values.open == 0 && s.at_end() {
                return Ok(());
            }
            let (spans, marks) = (reader.b.span_count(), reader.b.marks());
            match self
                .values
                .step(&mut s, reader, &mut |s, reader| reader.object(s))
            {
                Ok(_) => self.at = s.pos(),
                // Cut off inside a unit: drop what it pushed, and read it again later.
                Err(e) if !end && s.ends_at(&e) && reader.b.span_count() == spans => {
                    reader.b.roll_back(marks);
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// A walk through a JSON value where spans may be: arrays (of spans, or of arrays, at any
/// depth), objects (each handed to the caller's reader: a span, or a `ListOfSpans`), `null`
/// (nothing), scalars (counted as skipped). Nesting is bounded by the scanner.
#[derive(Default)]
pub(super) struct Values {
    /// Arrays open.
    open: u32,
    /// True until an item of the innermost open array has been read.
    first: bool,
}

impl Values {
    /// Reads one unit: an item's start (an array's `[`, an object, a scalar) or the end of
    /// the innermost array. True when that completes the value. The walk moves on only
    /// once the unit has been read.
    pub fn step<'a, F>(
        &mut self,
        s: &mut Scanner<'a>,
        reader: &mut Reader,
        object: &mut F,
    ) -> ScanResult<bool>
    where
        F: FnMut(&mut Scanner<'a>, &mut Reader) -> ScanResult<()>,
    {
        if self.open > 0 && !s.item(&mut Seq::resume(self.first))? {
            self.open -= 1;
            self.first = false;
            return Ok(self.open == 0);
        }
        match s.peek() {
            Some(b'[') => {
                let _ = s.array("a list of spans")?;
                self.open += 1;
                self.first = true;
                return Ok(false);
            }
            Some(b'{') => object(s, reader)?,
            Some(b'n') => {
                s.null()?;
            }
            _ => {
                s.skip()?;
                reader.skipped_one();
            }
        }
        self.first = false;
        Ok(self.open == 0)
    }
}

/// Reads one JSON value where spans may be (see [`Values`]), handing each object to `object`.
pub(super) fn values<'a, F>(
    s: &mut Scanner<'a>,
    reader: &mut Reader,
    object: &mut F,
) -> ScanResult<()>
where
    F: FnMut(&mut Scanner<'a>, &mut Reader) -> ScanResult<()>,
{
    let mut walk = Values::default();
    while !walk.step(s, reader, object)? {}
    Ok(())
}

/// A string field. `null` reads as `""`; a number or boolean as its JSON text (writers that
/// get the type wrong still load).
pub(super) fn text<'a>(s: &mut Scanner<'a>, expected: &str) -> ScanResult<Cow<'a, str>> {
    match s.peek() {
        Some(b'"') => s.string(expected),
        Some(b'n') => s.string_or_null(expected),
        Some(b't' | b'f') => Ok(Cow::Borrowed(if s.boolean(expected)? {
            "true"
        } else {
            "false"
        })),
        Some(b'-' | b'0'..=b'9') => Ok(Cow::Owned(match s.number(expected)? {
            Num::U(u) => u.to_string(),
            Num::I(i) => i.to_string(),
            Num::F(f) => f.to_string(),
        })),
        _ => s.invalid(expected),
    }
}

/// `kind`: `"CLIENT"` etc., or proto3's enum number (1 client, 2 server, 3 producer,
/// 4 consumer). `null`, 0 and unknown names read as absent.
fn kind(s: &mut Scanner<'_>) -> ScanResult<Option<SpanKind>> {
    let kind = match s.peek() {
        Some(b'"') => span_kind_from_name(&s.string("a span kind")?),
        Some(b'n') => {
            s.null()?;
            SpanKind::Unspecified
        }
        _ => match s.number("a span kind name or number")? {
            Num::U(1) => SpanKind::Client,
            Num::U(2) => SpanKind::Server,
            Num::U(3) => SpanKind::Producer,
            Num::U(4) => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        },
    };
    Ok((kind != SpanKind::Unspecified).then_some(kind))
}

/// `debug` / `shared`: `true`, or the string `"true"`, or a non-zero number; `null` is false.
pub(super) fn flag(s: &mut Scanner<'_>) -> ScanResult<bool> {
    match s.peek() {
        Some(b'"') => Ok(s.string("a boolean")?.trim().eq_ignore_ascii_case("true")),
        Some(b'n') => s.null().map(|_| false),
        Some(b'-' | b'0'..=b'9') => Ok(!matches!(s.number("a boolean")?, Num::U(0) | Num::I(0))),
        _ => s.boolean("a boolean"),
    }
}

/// `localEndpoint` / `remoteEndpoint` (`null` reads as absent).
pub(super) fn endpoint<'a>(s: &mut Scanner<'a>) -> ScanResult<Option<Endpoint<'a>>> {
    let Some(mut o) = s.object_or_null("an endpoint object")? else {
        return Ok(None);
    };
    let mut e = Endpoint::default();
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "serviceName" | "service_name" => e.service_name = text(s, "a service name")?,
            "ipv4" => e.ipv4 = text(s, "an IPv4 address")?,
            "ipv6" => e.ipv6 = text(s, "an IPv6 address")?,
            "port" => e.port = s.flex_u64()?,
            _ => s.skip()?,
        }
    }
    Ok(Some(e))
}

/// The status message of a span whose `error` tag has `value`, or `None` when the value says
/// there is no error (JSON `false`). `""` and `"true"` mean an error without a message.
pub(super) fn error_status(b: &mut StoreBuilder, value: Value) -> Option<StrId> {
    match value {
        Value::Bool(false) => None,
        Value::Str(m) if !b.store().strings.get(m).eq_ignore_ascii_case("true") => Some(m),
        _ => Some(StrId::EMPTY),
    }
}

fn push_attr(b: &mut StoreBuilder, key: StrId, value: Value) {
    b.push_attr(Attr { key, value });
}

/// Pushes an endpoint's addresses: ipv4 (else ipv6) under `keys[0]`, and ipv6 under
/// `keys[1]` when both are given.
fn push_addresses(b: &mut StoreBuilder, e: &Endpoint<'_>, keys: [StrId; 2]) {
    let ipv4 = ip_text(&e.ipv4);
    let ipv6 = ip_text(&e.ipv6);
    match (ipv4.is_empty(), ipv6.is_empty()) {
        (false, true) => {
            let v = Value::Str(b.intern(&ipv4));
            push_attr(b, keys[0], v);
        }
        (true, false) => {
            let v = Value::Str(b.intern(&ipv6));
            push_attr(b, keys[0], v);
        }
        (false, false) => {
            let v = Value::Str(b.intern(&ipv4));
            push_attr(b, keys[0], v);
            let v = Value::Str(b.intern(&ipv6));
            push_attr(b, keys[1], v);
        }
        (true, true) => {}
    }
}

/// An address as text. proto3 JSON writes the bytes of the address in base64 (`"CisRKg=="` is
/// 10.43.17.42); text that already looks like an address is kept as it is.
fn ip_text(raw: &str) -> Cow<'_, str> {
    use base64::Engine;
    if raw.is_empty() || raw.contains('.') || raw.contains(':') {
        return Cow::Borrowed(raw);
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(raw);
    match bytes.as_deref() {
        Ok(&[a, b, c, d]) => Cow::Owned(std::net::Ipv4Addr::new(a, b, c, d).to_string()),
        Ok(bytes) if bytes.len() == 16 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(bytes);
            Cow::Owned(std::net::Ipv6Addr::from(octets).to_string())
        }
        _ => Cow::Borrowed(raw),
    }
}

pub(super) fn micros_to_nanos(us: u64) -> i64 {
    clamp_i64(us).saturating_mul(1000)
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------
// The post-pass over the whole file.

#[derive(Default, Debug, PartialEq)]
struct FixUpReport {
    /// Partial reports merged into another span (and removed).
    merged: usize,
    /// Spans without a timestamp that were given a start.
    starts_guessed: usize,
}

/// Applies Zipkin's whole-trace rules (see the header): shared server spans are given their
/// own ids under their client, partial reports are merged, missing timestamps are filled in.
/// `facts` has one entry per span and is kept in step with `store.spans`.
///
/// Spans are only touched when their (trace id, span id) occurs more than once or their
/// timestamp is missing, so a file without either costs one hash-map insert a span.
fn fix_up(store: &mut Store, facts: &mut Vec<u8>) -> FixUpReport {
    let mut report = FixUpReport::default();
    if facts.len() != store.spans.len() {
        return report; // cannot happen: one mark is pushed per span
    }
    let mut first: FxHashMap<(TraceId, SpanId), u32> = FxHashMap::default();
    first.reserve(store.spans.len());
    let mut duplicates: Vec<(u32, u32)> = Vec::new();
    for (i, s) in store.spans.iter().enumerate() {
        match first.entry((s.trace_id, s.span_id)) {
            Entry::Occupied(e) => duplicates.push((*e.get(), i as u32)),
            Entry::Vacant(e) => {
                e.insert(i as u32);
            }
        }
    }
    if !duplicates.is_empty() {
        report.merged = resolve_duplicates(store, facts, &mut first, duplicates);
    }
    if facts.iter().any(|m| m & fact::HAS_START == 0) {
        report.starts_guessed = guess_starts(store, facts);
    }
    report
}

/// Handles every group of spans that share a trace id and span id, in file order: backfills
/// the shared flag, merges partial reports, gives shared spans their own ids and moves their
/// children under them. Returns the number of spans merged away.
fn resolve_duplicates(
    store: &mut Store,
    facts: &mut Vec<u8>,
    first: &mut FxHashMap<(TraceId, SpanId), u32>,
    mut duplicates: Vec<(u32, u32)>,
) -> usize {
    duplicates.sort_unstable();
    let unknown = store.strings.lookup(UNKNOWN_SERVICE);
    let mut merged = 0;
    // (trace, shared id, service of the shared span) → its derived id; first one wins.
    let mut shared_ids: FxHashMap<(TraceId, SpanId, StrId), SpanId> = FxHashMap::default();
    let mut group: Vec<usize> = Vec::new();
    let mut at = 0;
    while at < duplicates.len() {
        let head = duplicates[at].0;
        group.clear();
        group.push(head as usize);
        while at < duplicates.len() && duplicates[at].0 == head {
            group.push(duplicates[at].1 as usize);
            at += 1;
        }
        let spans = &store.spans;

        // 1. A SERVER span with the id of a non-shared CLIENT span is shared, flag or not.
        let plain_client = group
            .iter()
            .any(|&m| facts[m] & fact::SHARED == 0 && spans[m].kind == SpanKind::Client);
        if plain_client {
            for &m in &group {
                if spans[m].kind == SpanKind::Server {
                    facts[m] |= fact::SHARED;
                }
            }
        }

        // 2. Partial reports join the first full report of their service (any full report
        //    when they name no service).
        for &part in &group {
            if !fact::is_fragment(facts[part]) {
                continue;
            }
            let service = store.spans[part].service;
            let target = group.iter().copied().find(|&t| {
                !fact::is_fragment(facts[t])
                    && (store.spans[t].service == service || Some(service) == unknown)
            });
            if let Some(target) = target {
                merge_into(store, facts, target, part);
                facts[part] |= fact::REMOVED;
                merged += 1;
            }
        }

        // 3. Shared spans of a call whose client is in the file get their own ids.
        let owner = group
            .iter()
            .any(|&m| facts[m] & (fact::SHARED | fact::REMOVED) == 0);
        if !owner {
            continue;
        }
        let mut ordinal = 0u64;
        for &m in &group {
            if facts[m] & (fact::SHARED | fact::REMOVED) != fact::SHARED {
                continue;
            }
            ordinal += 1;
            let span = store.spans[m];
            let derived = derive_id(span.trace_id, span.span_id, ordinal, first);
            first.insert((span.trace_id, derived), m as u32);
            // The derived id is a key for the tree only; show the id from the file.
            let text = store.strings.intern(&span.span_id.to_string());
            store.span_id_text.insert(derived, text);
            let s = &mut store.spans[m];
            s.parent_id = s.span_id;
            s.span_id = derived;
            facts[m] |= fact::RE_IDED;
            shared_ids
                .entry((span.trace_id, span.span_id, span.service))
                .or_insert(derived);
        }
    }

    // 4. A span whose parent is a shared id and which runs in the service of that id's
    //    server side is the server's child (Zipkin's SpanNode: the most specific match).
    if !shared_ids.is_empty() {
        for (s, m) in store.spans.iter_mut().zip(facts.iter()) {
            if s.parent_id.is_zero() || m & (fact::RE_IDED | fact::REMOVED) != 0 {
                continue;
            }
            if let Some(&derived) = shared_ids.get(&(s.trace_id, s.parent_id, s.service)) {
                s.parent_id = derived;
            }
        }
    }

    if merged > 0 {
        remove_merged(store, facts);
    }
    merged
}

/// A span id for the `ordinal`-th shared span with id `id`: a hash of both, never zero and
/// never an id already in the trace. Deterministic, so the same file gives the same ids.
fn derive_id(
    trace: TraceId,
    id: SpanId,
    ordinal: u64,
    taken: &FxHashMap<(TraceId, SpanId), u32>,
) -> SpanId {
    let mut x = id.0 ^ ordinal.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    loop {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        if z != 0 && !taken.contains_key(&(trace, SpanId(z))) {
            return SpanId(z);
        }
    }
}

/// Merges partial report `part` into `target`, as Zipkin's `Span.Builder.merge`: fields the
/// target lacks are taken from the part, tags are combined (the part's value wins for a key
/// both have), annotations are combined in time order, an error on either side is an error.
fn merge_into(store: &mut Store, facts: &mut [u8], target: usize, part: usize) {
    let p = store.spans[part];
    let mut t = store.spans[target];
    if facts[target] & fact::HAS_START == 0 && facts[part] & fact::HAS_START != 0 {
        t.start_unix_nanos = p.start_unix_nanos;
        facts[target] |= fact::HAS_START;
    }
    if t.name == StrId::EMPTY {
        t.name = p.name;
    }
    if t.parent_id.is_zero() {
        t.parent_id = p.parent_id;
    }
    if p.status == StatusCode::Error {
        t.status = StatusCode::Error;
        if t.status_message == StrId::EMPTY {
            t.status_message = p.status_message;
        }
    }
    if p.attrs.len > 0 {
        let mut attrs = store.attrs_of(t.attrs);
        for a in store.attrs_iter(p.attrs) {
            match attrs.iter_mut().find(|x| x.key == a.key) {
                Some(x) => x.value = a.value,
                None => attrs.push(a),
            }
        }
        t.attrs = store.push_attrs(attrs);
    }
    if p.events.len > 0 {
        let mut events = store.events_of(&t).to_vec();
        events.extend_from_slice(store.events_of(&p));
        events.sort_by_key(|e| e.time_unix_nanos);
        t.events = store.push_events(events);
    }
    store.spans[target] = t;
}

/// Drops the spans marked [`fact::REMOVED`] and their warnings, keeping the rest in order.
fn remove_merged(store: &mut Store, facts: &mut Vec<u8>) {
    let mut new_index = Vec::with_capacity(facts.len());
    let mut next = 0u32;
    for m in facts.iter() {
        new_index.push(if m & fact::REMOVED == 0 {
            next += 1;
            next - 1
        } else {
            u32::MAX
        });
    }
    let mut i = 0;
    store.spans.retain(|_| {
        let keep = facts[i] & fact::REMOVED == 0;
        i += 1;
        keep
    });
    facts.retain(|m| m & fact::REMOVED == 0);
    store
        .span_warnings
        .retain_mut(|(index, _)| match new_index.get(*index as usize).copied() {
            Some(n) if n != u32::MAX => {
                *index = n;
                true
            }
            _ => false,
        });
}

/// Gives every span without a timestamp a start: its earliest annotation, else the start of
/// its nearest ancestor that has one, else its trace's earliest start (else 0). Returns how
/// many spans it placed.
fn guess_starts(store: &mut Store, facts: &mut [u8]) -> usize {
    let missing: Vec<usize> = (0..facts.len())
        .filter(|&i| facts[i] & fact::HAS_START == 0)
        .collect();
    for &i in &missing {
        let span = store.spans[i];
        if let Some(t) = store
            .events_of(&span)
            .iter()
            .map(|e| e.time_unix_nanos)
            .min()
        {
            store.spans[i].start_unix_nanos = t;
            facts[i] |= fact::HAS_START;
        }
    }
    let spans = &mut store.spans;
    let mut by_id: FxHashMap<(TraceId, SpanId), usize> = FxHashMap::default();
    let mut earliest: FxHashMap<TraceId, i64> = FxHashMap::default();
    for (i, s) in spans.iter().enumerate() {
        by_id.entry((s.trace_id, s.span_id)).or_insert(i);
        if facts[i] & fact::HAS_START != 0 {
            let e = earliest.entry(s.trace_id).or_insert(s.start_unix_nanos);
            *e = (*e).min(s.start_unix_nanos);
        }
    }
    for &i in &missing {
        if facts[i] & fact::HAS_START != 0 {
            continue;
        }
        // Walk up; the step limit guards against parent cycles.
        let mut at = i;
        let mut found = None;
        for _ in 0..spans.len() {
            let s = spans[at];
            match by_id.get(&(s.trace_id, s.parent_id)) {
                Some(&p) if !s.parent_id.is_zero() && p != at => {
                    if facts[p] & fact::HAS_START != 0 {
                        found = Some(spans[p].start_unix_nanos);
                        break;
                    }
                    at = p;
                }
                _ => break,
            }
        }
        let trace = spans[i].trace_id;
        spans[i].start_unix_nanos = found.or_else(|| earliest.get(&trace).copied()).unwrap_or(0);
    }
    // Marked only now, so every span above took the start of an ancestor that had one of
    // its own (or an annotation), never a guess.
    for &i in &missing {
        facts[i] |= fact::HAS_START;
    }
    missing.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{
        assert_fails_where, assert_one_tree, attrs, cut_and_corrupt, file_warns, load_as, pairs,
        span, tree_warnings,
    };
    use crate::model::build_traces;

    fn load(doc: &str) -> Store {
        load_as("Zipkin v2 JSON", doc)
    }

    /// Span `i`'s warnings other than padded ids (the fixtures use short ids).
    fn warnings(store: &Store, i: u32) -> Vec<&SpanWarning> {
        store
            .warnings_of(i)
            .filter(|w| !matches!(w, SpanWarning::PaddedId { .. }))
            .collect()
    }

    #[test]
    fn a_span_maps_every_field() {
        let store = load(
            r#"[{"traceId":"4d1e00c0db9010db86154a4ba6e91385","parentId":"86154a4ba6e91385",
                "id":"4d1e00c0db9010db","kind":"CLIENT","name":"get /profile",
                "timestamp":1472470996199000,"duration":207000,"debug":true,
                "localEndpoint":{"serviceName":"orders","ipv4":"10.0.0.1","port":8080},
                "remoteEndpoint":{"serviceName":"profiles","ipv6":"2001:db8::c001","port":9000},
                "annotations":[{"timestamp":1472470996238000,"value":"ws"}],
                "tags":{"http.path":"/profile","error":"permission denied"},
                "unknownField":{"a":[1,2]}}]"#,
        );
        assert_eq!(store.spans.len(), 1);
        let s = store.spans[0];
        assert_eq!(s.trace_id.to_string(), "4d1e00c0db9010db86154a4ba6e91385");
        assert_eq!(s.span_id, SpanId(0x4d1e00c0db9010db));
        assert_eq!(s.parent_id, SpanId(0x86154a4ba6e91385));
        assert_eq!(s.kind, SpanKind::Client);
        assert_eq!(store.strings.get(s.name), "get /profile");
        assert_eq!(store.strings.get(s.service), "orders");
        assert_eq!(s.start_unix_nanos, 1_472_470_996_199_000_000);
        assert_eq!(s.duration_nanos, 207_000_000);
        assert_eq!(s.status, StatusCode::Error);
        assert_eq!(store.strings.get(s.status_message), "permission denied");
        assert_eq!(
            attrs(&store, s.attrs),
            pairs(&[
                ("http.path", "/profile"),
                ("error", "permission denied"),
                ("peer.service", "profiles"),
                ("net.peer.ip", "2001:db8::c001"),
                ("net.peer.port", "9000"),
                ("zipkin.debug", "true"),
            ])
        );
        let resource = store.resources[s.resource as usize];
        assert_eq!(
            attrs(&store, resource.attrs),
            pairs(&[("net.host.ip", "10.0.0.1"), ("net.host.port", "8080")])
        );
        let events = store.events_of(&s);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].time_unix_nanos, 1_472_470_996_238_000_000);
        assert_eq!(store.strings.get(events[0].name), "ws");
        assert_eq!(store.warnings_of(0).count(), 0);
        assert!(store.files[0].warnings.is_empty(), "{:?}", store.files[0]);
    }

    #[test]
    fn kinds_and_local_spans() {
        let doc = r#"[
            {"traceId":"01","id":"01","kind":"SERVER","timestamp":1,"duration":1},
            {"traceId":"01","id":"02","parentId":"01","kind":"PRODUCER","timestamp":1,"duration":1},
            {"traceId":"01","id":"03","parentId":"01","kind":"consumer","timestamp":1,"duration":1},
            {"traceId":"01","id":"04","parentId":"01","timestamp":1,"duration":1}]"#;
        let store = load(doc);
        let kinds: Vec<SpanKind> = store.spans.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SpanKind::Server,
                SpanKind::Producer,
                SpanKind::Consumer,
                SpanKind::Internal
            ]
        );
    }

    #[test]
    fn an_array_of_traces_json_lines_and_a_single_object_all_load() {
        let one = r#"{"traceId":"000000000000000a","id":"000000000000000b","name":"a",
                      "timestamp":10,"duration":5,"localEndpoint":{"serviceName":"s"}}"#;
        let two = r#"{"traceId":"000000000000000c","id":"000000000000000d","name":"b",
                      "timestamp":10,"duration":5,"localEndpoint":{"serviceName":"s"}}"#;
        assert_eq!(load(one).spans.len(), 1);
        assert_eq!(load(&format!("[[{one}],[{two}],[]]")).spans.len(), 2);
        assert_eq!(load(&format!("[{one}]\n[{two}]\n")).spans.len(), 2);
        let store = load(&format!("[{one}, {two}]"));
        assert_eq!(build_traces(&store).len(), 2);
        // Spans of one service share one resource.
        assert_eq!(store.resources.len(), 1);
    }

    #[test]
    fn proto3_json_has_base64_ids_and_addresses_and_numeric_kinds() {
        let store = load(
            r#"{"spans":[{"trace_id":"QoVouqoJRn5CjmiKqglGfw==","id":"AAAAAAAAAAI=",
                "parent_id":"AAAAAAAAAAE=","name":"foo","kind":2,"timestamp":"1","duration":"10",
                "local_endpoint":{"service_name":"foo","ipv4":"CisRKg==","port":80},
                "remote_endpoint":{"service_name":"bar","ipv4":"CisRKw=="},
                "annotations":[{"value":"foo","timestamp":1}],"tags":{"foo":"bar"}}]}"#,
        );
        let s = store.spans[0];
        assert_eq!(s.trace_id.to_string(), "428568baaa09467e428e688aaa09467f");
        assert_eq!(s.span_id, SpanId(2));
        assert_eq!(s.parent_id, SpanId(1));
        assert_eq!(s.kind, SpanKind::Server);
        assert_eq!(s.start_unix_nanos, 1_000);
        assert_eq!(s.duration_nanos, 10_000);
        assert_eq!(store.strings.get(s.service), "foo");
        let resource = store.resources[s.resource as usize];
        assert_eq!(
            attrs(&store, resource.attrs),
            pairs(&[("net.host.ip", "10.43.17.42"), ("net.host.port", "80")])
        );
        assert_eq!(
            attrs(&store, s.attrs),
            pairs(&[
                ("foo", "bar"),
                ("peer.service", "bar"),
                ("net.peer.ip", "10.43.17.43")
            ])
        );
        assert_eq!(store.warnings_of(0).count(), 0);
    }

    #[test]
    fn short_hex_ids_are_left_padded_with_a_warning() {
        let store = load(
            r#"[{"traceId":"2","id":"c26551047c72d19","parentId":"1","name":"foo",
                 "timestamp":1,"duration":10,"localEndpoint":{"serviceName":"bar"}}]"#,
        );
        let s = store.spans[0];
        assert_eq!(s.trace_id, TraceId(2));
        assert_eq!(s.span_id, SpanId(0x0c26551047c72d19));
        assert_eq!(s.parent_id, SpanId(1));
        let warnings: Vec<&SpanWarning> = store.warnings_of(0).collect();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings
            .iter()
            .all(|w| matches!(w, SpanWarning::PaddedId { .. })));
        assert!(store.files[0].warnings[0].contains("left-padded"));
    }

    /// Client and server report id `…0b`; the server's own work and a call it makes are
    /// children of the server, not of the client.
    const SHARED_RPC: &str = r#"[
        {"traceId":"00000000000000aa","id":"000000000000000a","name":"root","timestamp":100,
         "duration":100,"localEndpoint":{"serviceName":"front"}},
        {"traceId":"00000000000000aa","parentId":"000000000000000a","id":"000000000000000b",
         "kind":"CLIENT","name":"call","timestamp":110,"duration":80,
         "localEndpoint":{"serviceName":"front"}},
        {"traceId":"00000000000000aa","parentId":"000000000000000a","id":"000000000000000b",
         "kind":"SERVER","name":"serve","timestamp":120,"duration":60,"shared":true,
         "localEndpoint":{"serviceName":"back"}},
        {"traceId":"00000000000000aa","parentId":"000000000000000b","id":"000000000000000c",
         "name":"work","timestamp":130,"duration":10,"localEndpoint":{"serviceName":"back"}},
        {"traceId":"00000000000000aa","parentId":"000000000000000b","id":"000000000000000d",
         "name":"client-side","timestamp":115,"duration":1,"localEndpoint":{"serviceName":"front"}}
    ]"#;

    #[test]
    fn a_shared_server_span_becomes_the_clients_child_with_its_own_id() {
        let store = load(SHARED_RPC);
        assert_eq!(store.spans.len(), 5);
        let client = span(&store, "call");
        let server = span(&store, "serve");
        assert_eq!(client.span_id, SpanId(0xb));
        assert_ne!(server.span_id, SpanId(0xb));
        assert!(!server.span_id.is_zero());
        assert_eq!(server.parent_id, SpanId(0xb));
        // The id shown is the one in the file.
        assert_eq!(
            store.span_id_display(server.span_id),
            "000000000000000b".to_string()
        );
        assert_eq!(span(&store, "work").parent_id, server.span_id);
        assert_eq!(span(&store, "client-side").parent_id, SpanId(0xb));
        let shared: Vec<(String, String)> = attrs(&store, server.attrs);
        assert_eq!(shared, pairs(&[("zipkin.shared", "true")]));
        assert_one_tree(&store, 3);
        // Same file, same ids.
        assert_eq!(load(SHARED_RPC).spans, store.spans);
    }

    #[test]
    fn a_server_span_with_its_clients_id_is_shared_without_the_flag() {
        let doc = SHARED_RPC.replace(r#","shared":true"#, "");
        let store = load(&doc);
        let server = span(&store, "serve");
        assert_eq!(server.parent_id, SpanId(0xb));
        assert_eq!(span(&store, "work").parent_id, server.span_id);
        assert!(tree_warnings(&store).is_empty());
        // The flag is only an attribute when the file has it.
        assert!(attrs(&store, server.attrs).is_empty());
    }

    #[test]
    fn a_shared_span_without_its_client_keeps_its_id() {
        let store = load(
            r#"[{"traceId":"01","id":"02","parentId":"01","kind":"SERVER","shared":true,
                 "name":"s","timestamp":1,"duration":1,"localEndpoint":{"serviceName":"b"}}]"#,
        );
        assert_eq!(store.spans[0].span_id, SpanId(2));
        assert_eq!(store.spans[0].parent_id, SpanId(1));
    }

    #[test]
    fn several_shared_servers_of_one_client_each_get_an_id() {
        let server = r#"{"traceId":"01","id":"02","parentId":"01","kind":"SERVER","shared":true,
                         "name":"recv","timestamp":5,"localEndpoint":{"serviceName":"b"}}"#;
        let doc = format!(
            r#"[{{"traceId":"01","id":"02","kind":"CLIENT","name":"send","timestamp":1,
                 "duration":9,"localEndpoint":{{"serviceName":"a"}}}}, {server}, {server}]"#
        );
        let store = load(&doc);
        assert_eq!(store.spans.len(), 3);
        let ids: std::collections::HashSet<SpanId> =
            store.spans.iter().map(|s| s.span_id).collect();
        assert_eq!(ids.len(), 3);
        assert!(store.spans[1..].iter().all(|s| s.parent_id == SpanId(2)));
        assert!(tree_warnings(&store).is_empty());
    }

    #[test]
    fn a_partial_report_is_merged_into_the_full_report_of_its_service() {
        // The late report (no kind, timestamp or duration) carries the server's service.
        let doc = r#"[
            {"traceId":"01","id":"0a","name":"post","localEndpoint":{"serviceName":"api"},
             "tags":{"late":"yes","http.path":"/new"},"annotations":[{"timestamp":50,"value":"flush"}]},
            {"traceId":"01","id":"0a","kind":"SERVER","shared":true,"name":"post","timestamp":20,
             "duration":30,"localEndpoint":{"serviceName":"api"},"tags":{"http.path":"/old"},
             "annotations":[{"timestamp":40,"value":"ss"}]},
            {"traceId":"01","id":"0a","kind":"CLIENT","name":"call","timestamp":10,"duration":50,
             "localEndpoint":{"serviceName":"gateway"}}]"#;
        let store = load(doc);
        assert_eq!(store.spans.len(), 2);
        let server = span(&store, "post");
        assert_eq!(server.kind, SpanKind::Server);
        assert_eq!(server.start_unix_nanos, 20_000);
        assert_eq!(
            attrs(&store, server.attrs),
            pairs(&[
                ("http.path", "/new"),
                ("zipkin.shared", "true"),
                ("late", "yes")
            ])
        );
        let names: Vec<&str> = store
            .events_of(server)
            .iter()
            .map(|e| store.strings.get(e.name))
            .collect();
        assert_eq!(names, ["ss", "flush"]);
        assert_eq!(server.parent_id, SpanId(0xa));
        assert!(tree_warnings(&store).is_empty());
        // The merged report's NoEndTime warning went with it.
        assert!(warnings(&store, 0).is_empty() && warnings(&store, 1).is_empty());
        let file = &store.files[0];
        assert_eq!(file.span_count, 2);
        assert!(
            file.warnings.iter().any(|w| w.contains("merged")),
            "{file:?}"
        );
    }

    #[test]
    fn a_missing_duration_is_an_unknown_end() {
        let store = load(
            r#"[{"traceId":"01","id":"01","name":"open","timestamp":5,"duration":0,
                 "localEndpoint":{"serviceName":"a"}}]"#,
        );
        assert_eq!(store.spans[0].duration_nanos, SPAN_END_UNKNOWN);
        assert!(store.spans[0].end_unknown());
        assert_eq!(warnings(&store, 0), [&SpanWarning::NoEndTime]);
    }

    #[test]
    fn a_missing_timestamp_falls_back_to_annotation_then_ancestor_then_trace() {
        let doc = r#"[
            {"traceId":"01","id":"01","name":"root","timestamp":1000,"duration":500,
             "localEndpoint":{"serviceName":"a"}},
            {"traceId":"01","id":"02","parentId":"01","name":"annotated","kind":"CLIENT",
             "duration":10,"annotations":[{"timestamp":1300,"value":"x"},{"timestamp":1200,"value":"y"}],
             "localEndpoint":{"serviceName":"a"}},
            {"traceId":"01","id":"03","parentId":"04","name":"grandchild","kind":"CLIENT","duration":1,
             "localEndpoint":{"serviceName":"a"}},
            {"traceId":"01","id":"04","parentId":"01","name":"child","kind":"CLIENT","duration":1,
             "localEndpoint":{"serviceName":"a"}},
            {"traceId":"01","id":"05","parentId":"99","name":"orphan","kind":"CLIENT","duration":1,
             "localEndpoint":{"serviceName":"a"}},
            {"traceId":"02","id":"06","name":"alone","kind":"CLIENT","duration":1,
             "localEndpoint":{"serviceName":"a"}}]"#;
        let store = load(doc);
        let start = |name| span(&store, name).start_unix_nanos;
        assert_eq!(start("annotated"), 1_200_000);
        assert_eq!(start("grandchild"), 1_000_000);
        assert_eq!(start("child"), 1_000_000);
        assert_eq!(start("orphan"), 1_000_000);
        assert_eq!(start("alone"), 0);
        assert_eq!(span(&store, "child").duration_nanos, 1_000);
        let file = &store.files[0];
        assert!(
            file.warnings
                .iter()
                .any(|w| w.starts_with("5 span(s) had no timestamp")),
            "{file:?}"
        );
    }

    #[test]
    fn objects_that_are_not_spans_are_skipped_with_a_warning() {
        let store = load(
            r#"[{"traceId":"01","id":"01","name":"a","timestamp":1,"duration":1,
                 "localEndpoint":{"serviceName":"a"}},
                {"traceId":"01","tags":{"k":"v"}}, 5]"#,
        );
        assert_eq!(store.spans.len(), 1);
        assert!(store.attrs.is_empty());
        assert!(file_warns(&store, "2 JSON value"));
    }

    #[test]
    fn a_span_without_a_service_gets_the_placeholder() {
        let store = load(
            r#"[{"traceId":"01","id":"01","name":"a","timestamp":1,"duration":1,
                 "localEndpoint":{"ipv4":"169.254.65.45"}}]"#,
        );
        assert_eq!(store.strings.get(store.spans[0].service), UNKNOWN_SERVICE);
        assert_eq!(warnings(&store, 0), [&SpanWarning::NoServiceName]);
    }

    #[test]
    fn sniffing_tells_zipkin_v2_from_its_neighbours() {
        let v2 = br#"[{"traceId":"01","id":"01","localEndpoint":{"serviceName":"a"}}]"#;
        assert_eq!(sniff(v2), Sniff::Yes);
        let tagged = br#"[{"traceId":"01","id":"01","localEndpoint":{"serviceName":"a"},
                         "tags":{"span_id":"7","endpoint":"/x","start_time":"1"}}]"#;
        assert_eq!(sniff(tagged), Sniff::Yes);
        assert_eq!(
            sniff(br#"{"spans":[{"trace_id":"AQ==","id":"AQ==","kind":1}]}"#),
            Sniff::Yes
        );
        let v1 = br#"[{"traceId":"01","id":"01","annotations":[{"timestamp":1,"value":"cs",
                      "endpoint":{"serviceName":"a"}}],"binaryAnnotations":[]}]"#;
        assert_eq!(sniff(v1), Sniff::No);
        let xray = br#"{"trace_id":"1-5f18-6a10","id":"5cc4","start_time":1.5}"#;
        assert_eq!(sniff(xray), Sniff::No);
        let otlp =
            br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02"}]}]}]}"#;
        assert_eq!(sniff(otlp), Sniff::No);
    }

    #[test]
    fn object_keys_are_found_in_one_pass_even_in_a_cut_head() {
        let keys = object_keys(br#"[{"a" : "x\"y:", "b":{"c":1}, "d": "e", "cut"#);
        let mut keys: Vec<&[u8]> = keys.into_iter().collect();
        keys.sort();
        assert_eq!(keys, [&b"a"[..], b"b", b"c", b"d"]);
        assert!(object_keys(br#"{"a\"#).is_empty());
        let keys =
            object_keys(br#"[{"tags":{"span_id":"1","x":{"y":1}},"z":null,"tags":null,"w":1}]"#);
        let mut keys: Vec<&[u8]> = keys.into_iter().collect();
        keys.sort();
        assert_eq!(keys, [&b"tags"[..], b"w", b"z"]);
        assert!(object_keys(b"").is_empty());
    }

    #[test]
    fn cut_or_corrupted_documents_never_panic() {
        let doc = SHARED_RPC.as_bytes();
        cut_and_corrupt(doc);
    }

    #[test]
    fn progress_is_reported_while_reading() {
        let cfg = spanorama_gen::GenConfig {
            seed: 3,
            traces: 1,
            spans_min: 20_000,
            spans_max: 20_000,
            ..spanorama_gen::GenConfig::default()
        };
        let bytes = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Zipkin)
            .unwrap()
            .0;
        let mut seen = Vec::new();
        let store = crate::import::import_with_progress("big.json", &bytes, &mut |n| seen.push(n))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.spans.len(), 20_000);
        assert_eq!(seen, [16_384]);
    }

    #[test]
    fn broken_json_says_where() {
        assert_fails_where(
            "Zipkin v2 JSON",
            br#"[{"traceId":"01","id":"01","kind":"SERVER","#,
        );
    }
}
