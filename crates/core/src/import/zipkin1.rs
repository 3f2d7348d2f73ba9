//! Zipkin v1 JSON importer (what Zipkin 1.x stored and `POST /api/v1/spans` took; still
//! written by old Finagle, Brave 3 and the OpenTelemetry Collector's `zipkin` receiver tests).
//!
//! Supports: an array of spans, arrays of arrays of spans (the Collector's batches), a single
//! span object, JSON Lines of any of these. Each v1 span is split into v2 spans as Zipkin's
//! `V1SpanConverter` does, then read exactly as a Zipkin v2 span (`zipkin.rs`), so both
//! versions look the same:
//! * **Core annotations** with an endpoint: `cs`/`cr` make a `CLIENT` span, `sr`/`ss` a
//!   `SERVER` span, `ms` a `PRODUCER`, `mr` a `CONSUMER`, each in the service of its
//!   annotation's `endpoint` (a v1 span holding both sides of a call becomes two spans). They
//!   give the start and duration when `timestamp`/`duration` are absent (client: cs → cr,
//!   server: sr → ss; `ws`/`wr` wire annotations for messaging); otherwise they are not kept
//!   as events. Other annotations become events, in the span of their endpoint's service.
//! * **Binary annotations** become attributes (string values as strings; booleans, numbers
//!   and a declared `type` such as `I64` or `BYTES` are kept typed, where Zipkin drops them),
//!   in the span of their endpoint's service (the first span when they have none). `ca`, `sa`
//!   and `ma` with value `true` are addresses: the remote endpoint (`peer.service`,
//!   `net.peer.ip`, `net.peer.port`) of the server, client or messaging span. `lc` (local
//!   component) is kept as an attribute; when its span has no service from an endpoint, its
//!   value is the service (as the OpenTelemetry Collector does).
//! * **Client and server halves** of one call, in one object or reported as separate objects
//!   with the same id: the server side is a shared span (v1 had no flag: a server side
//!   without `timestamp` is shared, Zipkin's convention), and `zipkin.rs` nests it under the
//!   client with an id of its own, never a duplicate, as Zipkin Lens shows it.
//! * **Errors**: a binary annotation `error` is an error status with its value as the
//!   message (as a v2 `error` tag); an annotation `error` (the v1 constant for "an error
//!   occurred here") is an error status without a message.
//!
//! Ignored: unknown fields; `traceIdHigh` (v1 JSON writes 128-bit ids as 32 hex digits).
//! JSON values that are not spans are counted in a file warning.
//!
//! Units: `timestamp`, `duration` and annotation timestamps are microseconds (since the Unix
//! epoch for timestamps; exponent form such as `1.463737111294e+15` is read too); converted
//! to nanoseconds.
//!
//! Spec: <https://github.com/openzipkin/zipkin-api/blob/master/zipkin-api.yaml> (v1 `Span`,
//! `Annotation`, `BinaryAnnotation`); conversion rules from `openzipkin/zipkin`
//! `zipkin2/v1/V1SpanConverter.java` and `zipkin2/internal/V1JsonSpanReader.java`.

use super::scan::{error_message, Raw, ScanResult, Scanner};
use super::zipkin::{self, micros_to_nanos, Endpoint, Reader, SpanWire};
use super::{first_byte, typed_value, Declared, Importer, Sniff, StoreBuilder};
use crate::model::{Attr, Event, Slice, SpanKind, StrId};
use std::borrow::Cow;

/// The Zipkin v1 JSON importer, listed in [`super::IMPORTERS`].
pub const IMPORTER: Importer = Importer {
    name: "Zipkin v1 JSON",
    sniff,
    parse,
    looks_for: "spans with \"traceId\", \"id\" and \"binaryAnnotations\" or \"annotations\" \
                with an \"endpoint\", and no \"localEndpoint\"/\"kind\"",
};

/// Yes only for v1: span ids, annotations with `endpoint`s or `binaryAnnotations`, and none
/// of the keys of v2 or of the other formats with a `traceId`.
fn sniff(head: &[u8]) -> Sniff {
    if !matches!(first_byte(head), Some(b'[' | b'{')) {
        return Sniff::No;
    }
    let keys = zipkin::object_keys(head);
    let k = |key: &str| keys.contains(key.as_bytes());
    let ids = k("traceId") && k("id");
    let v1 = k("binaryAnnotations") || (k("annotations") && k("endpoint"));
    let other = [
        "localEndpoint",
        "local_endpoint",
        "remoteEndpoint",
        "remote_endpoint",
        "kind",
        "shared",
        "spanId",
        "span_id",
        "operationName",
        "resourceSpans",
        "traceID",
        "start_time",
    ];
    if ids && v1 && !other.iter().any(|key| k(key)) {
        Sniff::Yes
    } else {
        Sniff::No
    }
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let mut reader = Reader::new(b);
    let mut read = || -> ScanResult<()> {
        let mut s = Scanner::new(bytes)?;
        let mut converter = Converter::default();
        // One JSON value, or several separated by whitespace (JSON Lines).
        while !s.at_end() {
            zipkin::values(&mut s, &mut reader, &mut |s, reader| {
                let span = span(s)?;
                if span.trace_id.trim().is_empty() || span.id.trim().is_empty() {
                    reader.skipped_one();
                } else {
                    converter.convert(&span);
                    converter.emit(&span, reader);
                }
                Ok(())
            })?;
        }
        Ok(())
    };
    read().map_err(|e| error_message(bytes, &e))?;
    reader.finish();
    Ok(())
}

/// A v1 annotation: a timestamped event, which the core values turn into span boundaries.
struct V1Annotation<'a> {
    /// Microseconds since the Unix epoch.
    timestamp: u64,
    value: Cow<'a, str>,
    endpoint: Option<Endpoint<'a>>,
}

/// A v1 binary annotation: a tag, or an address (`ca`, `sa`, `ma`).
struct V1Binary<'a> {
    key: Cow<'a, str>,
    value: Raw<'a>,
    /// The `type` field, when given.
    declared: Declared,
    endpoint: Option<Endpoint<'a>>,
}

/// One v1 span object as read; strings borrowed from the input.
#[derive(Default)]
struct V1Span<'a> {
    trace_id: Cow<'a, str>,
    id: Cow<'a, str>,
    parent_id: Cow<'a, str>,
    name: Cow<'a, str>,
    /// Microseconds; 0 when absent.
    timestamp: u64,
    /// Microseconds; 0 when absent.
    duration: u64,
    debug: bool,
    annotations: Vec<V1Annotation<'a>>,
    binary: Vec<V1Binary<'a>>,
}

fn span<'a>(s: &mut Scanner<'a>) -> ScanResult<V1Span<'a>> {
    let mut o = s.object("a span")?;
    let mut span = V1Span::default();
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "traceId" => span.trace_id = zipkin::text(s, "a trace id")?,
            "id" => span.id = zipkin::text(s, "a span id")?,
            "parentId" => span.parent_id = zipkin::text(s, "a parent id")?,
            "name" => span.name = zipkin::text(s, "a span name")?,
            "timestamp" => span.timestamp = s.flex_u64()?,
            "duration" => span.duration = s.flex_u64()?,
            "debug" => span.debug = zipkin::flag(s)?,
            "annotations" => {
                if let Some(mut list) = s.array_or_null("a list of annotations")? {
                    while s.item(&mut list)? {
                        span.annotations.push(annotation(s)?);
                    }
                }
            }
            "binaryAnnotations" => {
                if let Some(mut list) = s.array_or_null("a list of binary annotations")? {
                    while s.item(&mut list)? {
                        span.binary.push(binary_annotation(s)?);
                    }
                }
            }
            _ => s.skip()?,
        }
    }
    Ok(span)
}

fn annotation<'a>(s: &mut Scanner<'a>) -> ScanResult<V1Annotation<'a>> {
    let mut o = s.object("an annotation")?;
    let mut a = V1Annotation {
        timestamp: 0,
        value: Cow::Borrowed(""),
        endpoint: None,
    };
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "timestamp" => a.timestamp = s.flex_u64()?,
            "value" => a.value = zipkin::text(s, "an annotation value")?,
            "endpoint" => a.endpoint = endpoint(s)?,
            _ => s.skip()?,
        }
    }
    Ok(a)
}

fn binary_annotation<'a>(s: &mut Scanner<'a>) -> ScanResult<V1Binary<'a>> {
    let mut o = s.object("a binary annotation")?;
    let mut a = V1Binary {
        key: Cow::Borrowed(""),
        value: Raw::Null,
        declared: Declared::Any,
        endpoint: None,
    };
    while let Some(key) = s.key(&mut o)? {
        match &*key {
            "key" => a.key = zipkin::text(s, "a binary annotation key")?,
            "value" => a.value = s.raw()?,
            "type" => a.declared = Declared::from_name(&zipkin::text(s, "a type name")?),
            "endpoint" => a.endpoint = endpoint(s)?,
            _ => s.skip()?,
        }
    }
    Ok(a)
}

/// An `endpoint`; one with no service, address or port reads as absent, as Zipkin reads it.
fn endpoint<'a>(s: &mut Scanner<'a>) -> ScanResult<Option<Endpoint<'a>>> {
    Ok(zipkin::endpoint(s)?.filter(|e| *e != Endpoint::default()))
}

/// A core annotation (`cs`, `sr`, …): when, and where (core annotations need an endpoint).
#[derive(Clone)]
struct Core<'a> {
    timestamp: u64,
    endpoint: Endpoint<'a>,
    /// The annotation's index in its span; `None` for one made up from the span's timestamp.
    index: Option<usize>,
}

/// One v2 span being made from a v1 span (Zipkin's `Span.Builder`).
#[derive(Default)]
struct Half<'a> {
    local: Option<Endpoint<'a>>,
    kind: Option<SpanKind>,
    shared: bool,
    /// Microseconds; 0 when unknown.
    timestamp: u64,
    /// Microseconds; 0 when unknown.
    duration: u64,
    remote: Option<Endpoint<'a>>,
    /// Indices of the v1 span's annotations that are this span's events.
    annotations: Vec<usize>,
    /// Indices of the v1 span's binary annotations that are this span's tags.
    tags: Vec<usize>,
}

/// A port of Zipkin's `V1SpanConverter`: splits one v1 span into the v2 spans of each
/// service that reported it. Reused between spans.
#[derive(Default)]
struct Converter<'a> {
    /// The first is Zipkin's `first`: it takes what has no endpoint.
    halves: Vec<Half<'a>>,
}

fn same_service(a: Option<&Endpoint<'_>>, b: &Endpoint<'_>) -> bool {
    a.is_some_and(|a| a.service_name == b.service_name)
}

impl<'a> Converter<'a> {
    /// The span for endpoint `e` (Zipkin's `forEndpoint`): the first span when `e` is absent
    /// or the first span has no endpoint yet (it takes `e`), else the span of `e`'s service,
    /// else a new span.
    fn for_endpoint(&mut self, e: Option<&Endpoint<'a>>) -> usize {
        let Some(e) = e else { return 0 };
        if let Some(first) = self.halves.first_mut() {
            if first.local.is_none() {
                first.local = Some(e.clone());
                return 0;
            }
        }
        match self
            .halves
            .iter()
            .position(|h| same_service(h.local.as_ref(), e))
        {
            Some(i) => i,
            None => self.new_half(e),
        }
    }

    fn new_half(&mut self, e: &Endpoint<'a>) -> usize {
        self.halves.push(Half {
            local: Some(e.clone()),
            ..Half::default()
        });
        self.halves.len() - 1
    }

    fn half(&mut self, i: usize) -> &mut Half<'a> {
        if i >= self.halves.len() {
            self.halves.resize_with(i + 1, Half::default);
        }
        &mut self.halves[i]
    }

    /// Zipkin's `maybeTimestampDuration`: the span of `begin`'s endpoint takes the v1
    /// span's timestamp and duration when it has both, else `begin` → `end`.
    fn timestamp_duration(&mut self, src: &V1Span<'_>, begin: &Core<'a>, end: Option<&Core<'a>>) {
        let i = self.for_endpoint(Some(&begin.endpoint));
        let h = self.half(i);
        if src.timestamp != 0 && src.duration != 0 {
            h.timestamp = src.timestamp;
            h.duration = src.duration;
        } else {
            h.timestamp = begin.timestamp;
            if let Some(end) = end {
                h.duration = end.timestamp.saturating_sub(begin.timestamp);
            }
        }
    }

    /// Splits `src` into [`Converter::halves`].
    fn convert(&mut self, src: &V1Span<'a>) {
        self.halves.clear();
        self.halves.push(Half::default());
        let [mut cs, mut sr, mut ss, mut cr, mut ms, mut mr, mut ws, mut wr]: [Option<Core<'a>>;
            8] = Default::default();
        for (i, a) in src.annotations.iter().enumerate() {
            let at = self.for_endpoint(a.endpoint.as_ref());
            let core = a.endpoint.as_ref().map(|e| Core {
                timestamp: a.timestamp,
                endpoint: e.clone(),
                index: Some(i),
            });
            let (slot, kind) = match (&*a.value, core.is_some()) {
                ("cs", true) => (&mut cs, Some(SpanKind::Client)),
                ("sr", true) => (&mut sr, Some(SpanKind::Server)),
                ("ss", true) => (&mut ss, Some(SpanKind::Server)),
                ("cr", true) => (&mut cr, Some(SpanKind::Client)),
                ("ms", true) => (&mut ms, Some(SpanKind::Producer)),
                ("mr", true) => (&mut mr, Some(SpanKind::Consumer)),
                ("ws", true) => (&mut ws, None),
                ("wr", true) => (&mut wr, None),
                _ => {
                    self.half(at).annotations.push(i);
                    continue;
                }
            };
            *slot = core;
            if kind.is_some() {
                self.half(at).kind = kind;
            }
        }

        // A missing start annotation whose end matches the span's timestamp + duration.
        let made_up = |end: &Option<Core<'a>>| {
            end.as_ref()
                .filter(|end| {
                    src.timestamp != 0
                        && src.duration != 0
                        && src.timestamp.saturating_add(src.duration) == end.timestamp
                })
                .map(|end| Core {
                    timestamp: src.timestamp,
                    endpoint: end.endpoint.clone(),
                    index: None,
                })
        };
        if cs.is_none() {
            cs = made_up(&cr);
        }
        if sr.is_none() {
            sr = made_up(&ss);
        }

        match (&cs, &sr) {
            (Some(cs), Some(sr)) => {
                // A shared span: the client side owns the span's timestamp and duration.
                self.timestamp_duration(src, cs, cr.as_ref());
                let (client, server) = self.two_sides(cs, SpanKind::Client, sr, SpanKind::Server);
                let h = self.half(server);
                h.shared = true;
                h.timestamp = sr.timestamp;
                if let Some(ss) = &ss {
                    h.duration = ss.timestamp.saturating_sub(sr.timestamp);
                }
                if cr.is_none() && src.duration == 0 {
                    self.half(client).duration = 0; // one-way: no duration
                }
            }
            (Some(cs), None) if cr.is_some() => self.timestamp_duration(src, cs, cr.as_ref()),
            (None, Some(sr)) if ss.is_some() => self.timestamp_duration(src, sr, ss.as_ref()),
            _ => self.incomplete_rpc(src, [&cs, &sr, &ss, &cr]),
        }

        // v1 had no shared flag: a server side without the authoritative timestamp (or
        // with a server send but no duration) is the shared half of a client's span.
        if let (None, Some(sr)) = (&cs, &sr) {
            if src.timestamp == 0 || (ss.is_some() && src.duration == 0) {
                let i = self.for_endpoint(Some(&sr.endpoint));
                self.half(i).shared = true;
            }
        }

        self.messaging(src, [&ms, &mr, &ws, &wr]);
        self.binary_annotations(src, [&cs, &sr, &ss, &cr, &ms, &mr]);
    }

    /// The spans of both sides of a call or a message (`first` sends, `second` receives):
    /// the span of each side's endpoint, or, on loopback (one service on both sides), a new
    /// span for the second side, so that there are still two.
    fn two_sides(
        &mut self,
        first: &Core<'a>,
        first_kind: SpanKind,
        second: &Core<'a>,
        second_kind: SpanKind,
    ) -> (usize, usize) {
        let one = self.for_endpoint(Some(&first.endpoint));
        if !same_service(self.half(one).local.as_ref(), &second.endpoint) {
            return (one, self.for_endpoint(Some(&second.endpoint)));
        }
        self.half(one).kind = Some(first_kind);
        let two = self.new_half(&second.endpoint);
        self.half(two).kind = Some(second_kind);
        (one, two)
    }

    /// Zipkin's `handleIncompleteRpc`: a client or server side without its end annotation
    /// starts at its start annotation and keeps the end one as an event.
    fn incomplete_rpc(&mut self, src: &V1Span<'_>, [cs, sr, ss, cr]: [&Option<Core<'a>>; 4]) {
        for h in &mut self.halves {
            let (start, end) = match h.kind {
                Some(SpanKind::Client) => (cs, cr),
                Some(SpanKind::Server) => (sr, ss),
                _ => continue,
            };
            if let Some(start) = start {
                h.timestamp = start.timestamp;
            }
            if let Some(index) = end.as_ref().and_then(|end| end.index) {
                h.annotations.push(index);
            }
        }
        if src.timestamp != 0 {
            let first = self.half(0);
            first.timestamp = src.timestamp;
            first.duration = src.duration;
        }
    }

    /// Message send and receive (`ms`/`mr`, with the wire annotations `ws`/`wr`).
    fn messaging(&mut self, src: &V1Span<'_>, [ms, mr, ws, wr]: [&Option<Core<'a>>; 4]) {
        match (ms, mr) {
            (Some(ms), Some(mr)) => {
                let (producer, consumer) =
                    self.two_sides(ms, SpanKind::Producer, mr, SpanKind::Consumer);
                let h = self.half(consumer);
                h.shared = true;
                match wr {
                    Some(wr) => {
                        h.timestamp = wr.timestamp;
                        h.duration = mr.timestamp.saturating_sub(wr.timestamp);
                    }
                    None => h.timestamp = mr.timestamp,
                }
                let h = self.half(producer);
                h.timestamp = ms.timestamp;
                h.duration = ws
                    .as_ref()
                    .map_or(0, |ws| ws.timestamp.saturating_sub(ms.timestamp));
            }
            (Some(ms), None) => self.timestamp_duration(src, ms, ws.as_ref()),
            (None, Some(mr)) => match wr {
                Some(wr) => self.timestamp_duration(src, wr, Some(mr)),
                None => self.timestamp_duration(src, mr, None),
            },
            (None, None) => {
                for wire in [ws, wr].into_iter().flatten() {
                    let i = self.for_endpoint(Some(&wire.endpoint));
                    if let Some(index) = wire.index {
                        self.half(i).annotations.push(index);
                    }
                }
            }
        }
    }

    /// Zipkin's `processBinaryAnnotations`: tags to the span of their endpoint's service,
    /// addresses to the remote endpoints of the client, server and messaging spans.
    fn binary_annotations(
        &mut self,
        src: &V1Span<'a>,
        [cs, sr, ss, cr, ms, mr]: [&Option<Core<'a>>; 6],
    ) {
        let (mut ca, mut sa, mut ma) = (None, None, None);
        for (i, a) in src.binary.iter().enumerate() {
            let address = match &*a.key {
                "ca" => Some(&mut ca),
                "sa" => Some(&mut sa),
                "ma" => Some(&mut ma),
                _ => None,
            };
            if let (Some(slot), false) = (address, matches!(a.value, Raw::Str(_))) {
                // `true` with an endpoint is an address; anything else says nothing.
                if a.value == Raw::Bool(true) && a.endpoint.is_some() {
                    *slot = a.endpoint.clone();
                }
                continue;
            }
            if a.key == "lc" && a.value == Raw::Str(Cow::Borrowed("")) {
                continue; // an empty local-component marker is not a tag
            }
            let at = self.for_endpoint(a.endpoint.as_ref());
            self.half(at).tags.push(i);
        }

        let no_core = cs.is_none() && cr.is_none() && ss.is_none() && sr.is_none();
        if no_core && (ca.is_some() || sa.is_some()) {
            match (ca, sa) {
                (Some(ca), Some(sa)) => {
                    let i = self.for_endpoint(Some(&ca));
                    self.half(i).remote = Some(sa);
                }
                // "sa" alone is a remote address; it does not make a client span.
                (None, Some(sa)) => self.half(0).remote = Some(sa),
                // "ca" alone: a server.
                (Some(ca), None) => {
                    let first = self.half(0);
                    first.kind = Some(SpanKind::Server);
                    first.remote = Some(ca);
                }
                (None, None) => {}
            }
            return;
        }
        if let (Some(mut ca), Some(server)) = (ca, sr.as_ref().or(ss.as_ref())) {
            if ca != server.endpoint {
                // Finagle's "ca" on server spans has the server's own service name: drop it,
                // so the call does not look like a loopback.
                if ca.service_name == server.endpoint.service_name {
                    ca.service_name = Cow::Borrowed("");
                }
                let i = self.for_endpoint(Some(&server.endpoint));
                self.half(i).remote = Some(ca);
            }
        }
        if let (Some(sa), Some(client)) = (&sa, cs.as_ref().or(cr.as_ref())) {
            let i = self.for_endpoint(Some(&client.endpoint));
            self.half(i).remote = Some(sa.clone());
        }
        if let Some(ma) = &ma {
            // Both sides get the broker's address, in case a messaging span was shared.
            for side in [ms, mr].into_iter().flatten() {
                let i = self.for_endpoint(Some(&side.endpoint));
                self.half(i).remote = Some(ma.clone());
            }
        }
    }

    /// Adds the spans made by [`Converter::convert`] to `reader`.
    fn emit(&mut self, src: &V1Span<'a>, reader: &mut Reader) {
        for mut h in self.halves.drain(..) {
            let b = &mut *reader.b;
            let marks = b.marks();
            h.annotations
                .sort_by_key(|&i| src.annotations.get(i).map(|a| a.timestamp));
            let mut error = None;
            for a in h.annotations.iter().filter_map(|&i| src.annotations.get(i)) {
                let name = b.intern(&a.value);
                b.push_event(Event {
                    time_unix_nanos: micros_to_nanos(a.timestamp),
                    name,
                    attrs: Slice::default(),
                });
                if a.value == "error" {
                    error = Some(StrId::EMPTY);
                }
            }
            let mut lc = None;
            for a in h.tags.iter().filter_map(|&i| src.binary.get(i)) {
                let key = b.intern(&a.key);
                let value = typed_value(b, a.declared, &a.value);
                match (&*a.key, &a.value) {
                    ("error", _) => error = zipkin::error_status(b, value).or(error),
                    ("lc", Raw::Str(component)) => lc = Some(component.clone()),
                    _ => {}
                }
                b.push_attr(Attr { key, value });
            }
            // A local component without a service: the component names the service.
            let mut local = h.local;
            if let Some(lc) = lc.filter(|lc| !lc.trim().is_empty()) {
                let e = local.get_or_insert_with(Endpoint::default);
                if e.service_name.trim().is_empty() {
                    e.service_name = lc;
                }
            }
            let w = SpanWire {
                trace_id: src.trace_id.clone(),
                id: src.id.clone(),
                parent_id: src.parent_id.clone(),
                name: src.name.clone(),
                kind: h.kind,
                timestamp: h.timestamp,
                duration: h.duration,
                debug: src.debug,
                shared: h.shared,
                local,
                remote: h.remote,
                error,
                ..SpanWire::default()
            };
            reader.add_span(w, marks);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import;
    use crate::import::test_util::{
        assert_fails_where, assert_one_tree, attrs, cut_and_corrupt, file_warns, load_as, pairs,
        tree_warnings,
    };
    use crate::model::{Span, SpanId, SpanWarning, StatusCode, Store};

    fn load(doc: &str) -> Store {
        load_as("Zipkin v1 JSON", doc)
    }

    /// The span of `service` named `name`.
    fn span<'s>(store: &'s Store, service: &str, name: &str) -> &'s Span {
        store
            .spans
            .iter()
            .find(|s| store.strings.get(s.name) == name && store.strings.get(s.service) == service)
            .unwrap_or_else(|| panic!("no span {service}/{name}"))
    }

    fn events(store: &Store, s: &Span) -> Vec<(String, i64)> {
        store
            .events_of(s)
            .iter()
            .map(|e| (store.strings.get(e.name).to_string(), e.time_unix_nanos))
            .collect()
    }

    fn ep(service: &str) -> String {
        format!(r#"{{"serviceName":"{service}","ipv4":"10.0.0.1"}}"#)
    }

    fn ann(value: &str, timestamp: u64, service: &str) -> String {
        format!(
            r#"{{"timestamp":{timestamp},"value":"{value}","endpoint":{}}}"#,
            ep(service)
        )
    }

    /// A call from `front` to `back`, each side reported as its own object with id `…0b`
    /// (the server without `timestamp`, as v1 tracers wrote it), and work under the server.
    fn halves() -> String {
        format!(
            r#"[
            {{"traceId":"00000000000000aa","id":"000000000000000a","name":"root",
              "timestamp":100,"duration":100,"annotations":[],
              "binaryAnnotations":[{{"key":"lc","value":"http","endpoint":{front}}}]}},
            {{"traceId":"00000000000000aa","id":"000000000000000b","parentId":"000000000000000a",
              "name":"call","timestamp":110,"duration":80,
              "annotations":[{cs},{cr}]}},
            {{"traceId":"00000000000000aa","id":"000000000000000b","parentId":"000000000000000a",
              "name":"call","annotations":[{sr},{ss}],
              "binaryAnnotations":[{{"key":"http.status_code","value":"200"}}]}},
            {{"traceId":"00000000000000aa","id":"000000000000000c","parentId":"000000000000000b",
              "name":"work","timestamp":130,"duration":10,"annotations":[],
              "binaryAnnotations":[{{"key":"lc","value":"db","endpoint":{back}}}]}}
            ]"#,
            front = ep("front"),
            back = ep("back"),
            cs = ann("cs", 110, "front"),
            cr = ann("cr", 190, "front"),
            sr = ann("sr", 120, "back"),
            ss = ann("ss", 180, "back"),
        )
    }

    #[test]
    fn client_and_server_halves_become_client_then_server_like_v2_shared_spans() {
        let store = load(&halves());
        assert_eq!(store.spans.len(), 4);
        let client = span(&store, "front", "call");
        let server = span(&store, "back", "call");
        assert_eq!(client.kind, SpanKind::Client);
        assert_eq!(server.kind, SpanKind::Server);
        assert_eq!(client.span_id, SpanId(0xb));
        assert_eq!(client.parent_id, SpanId(0xa));
        // The server is the client's child under an id of its own, shown as the file's id.
        assert_eq!(server.parent_id, SpanId(0xb));
        assert_ne!(server.span_id, SpanId(0xb));
        assert_eq!(store.span_id_display(server.span_id), "000000000000000b");
        assert_eq!(span(&store, "back", "work").parent_id, server.span_id);
        // The server's tags (no endpoint) stay with the object they came in.
        assert_eq!(
            attrs(&store, server.attrs),
            pairs(&[("http.status_code", "200"), ("zipkin.shared", "true")])
        );
        assert!(attrs(&store, client.attrs).is_empty());
        assert_one_tree(&store, 3);

        // The same call written in v2 gives the same tree, times, kinds and services.
        let v2 = r#"[
            {"traceId":"00000000000000aa","id":"000000000000000a","name":"root","timestamp":100,
             "duration":100,"localEndpoint":{"serviceName":"front","ipv4":"10.0.0.1"},"tags":{"lc":"http"}},
            {"traceId":"00000000000000aa","id":"000000000000000b","parentId":"000000000000000a",
             "kind":"CLIENT","name":"call","timestamp":110,"duration":80,
             "localEndpoint":{"serviceName":"front","ipv4":"10.0.0.1"}},
            {"traceId":"00000000000000aa","id":"000000000000000b","parentId":"000000000000000a",
             "kind":"SERVER","name":"call","timestamp":120,"duration":60,"shared":true,
             "localEndpoint":{"serviceName":"back","ipv4":"10.0.0.1"},"tags":{"http.status_code":"200"}},
            {"traceId":"00000000000000aa","id":"000000000000000c","parentId":"000000000000000b",
             "name":"work","timestamp":130,"duration":10,
             "localEndpoint":{"serviceName":"back","ipv4":"10.0.0.1"},"tags":{"lc":"db"}}]"#;
        let v2 = import("v2.json", v2.as_bytes()).unwrap();
        assert_eq!(v2.files[0].format, "Zipkin v2 JSON");
        assert_eq!(v2.spans, store.spans);
    }

    #[test]
    fn one_object_with_both_sides_is_split_with_addresses_and_wire_events() {
        // Zipkin's benchmark span-rpc.json, shortened.
        let store = load(
            r#"{"traceId":"83c138a4ee0f3de9","name":"get","id":"d673d7abe80d2f3f",
            "parentId":"83c138a4ee0f3de9","timestamp":1461750491274000,"duration":51000,
            "annotations":[
              {"timestamp":1461750491274000,"value":"cs","endpoint":{"serviceName":"web","ipv4":"127.0.0.1"}},
              {"timestamp":1461750491274000,"value":"ws","endpoint":{"serviceName":"web","ipv4":"127.0.0.1"}},
              {"timestamp":1461750491298000,"value":"sr","endpoint":{"serviceName":"query","ipv4":"172.18.0.4","port":9411}},
              {"timestamp":1461750491302000,"value":"ss","endpoint":{"serviceName":"query","ipv4":"172.18.0.4","port":9411}},
              {"timestamp":1461750491325000,"value":"cr","endpoint":{"serviceName":"web","ipv4":"127.0.0.1"}},
              {"timestamp":1461750491325000,"value":"wr","endpoint":{"serviceName":"web","ipv4":"127.0.0.1"}}],
            "binaryAnnotations":[
              {"key":"http.path","value":"/api","endpoint":{"serviceName":"query","ipv4":"127.0.0.1"}},
              {"key":"sa","value":true,"endpoint":{"serviceName":"query","ipv4":"172.18.0.4","port":9411}},
              {"key":"ca","value":true,"endpoint":{"serviceName":"query","ipv4":"172.18.0.3","port":42291}},
              {"key":"http.uri","value":"/api","endpoint":{"serviceName":"web","ipv4":"127.0.0.1"}}]}"#,
        );
        assert_eq!(store.spans.len(), 2);
        let client = span(&store, "web", "get");
        let server = span(&store, "query", "get");
        assert_eq!(client.kind, SpanKind::Client);
        assert_eq!(client.start_unix_nanos, 1_461_750_491_274_000_000);
        assert_eq!(client.duration_nanos, 51_000_000);
        assert_eq!(server.kind, SpanKind::Server);
        assert_eq!(server.start_unix_nanos, 1_461_750_491_298_000_000);
        assert_eq!(server.duration_nanos, 4_000_000);
        assert_eq!(server.parent_id, client.span_id);
        // Core annotations are the span's ends, not events; wire annotations are events.
        let wire = events(&store, client);
        assert_eq!(
            wire,
            [
                ("ws".to_string(), 1_461_750_491_274_000_000),
                ("wr".to_string(), 1_461_750_491_325_000_000)
            ]
        );
        assert!(events(&store, server).is_empty());
        assert_eq!(
            attrs(&store, client.attrs),
            pairs(&[
                ("http.uri", "/api"),
                ("peer.service", "query"),
                ("net.peer.ip", "172.18.0.4"),
                ("net.peer.port", "9411")
            ])
        );
        // Finagle's "ca" names the server's own service: kept as an address only.
        assert_eq!(
            attrs(&store, server.attrs),
            pairs(&[
                ("http.path", "/api"),
                ("net.peer.ip", "172.18.0.3"),
                ("net.peer.port", "42291"),
                ("zipkin.shared", "true")
            ])
        );
        let resource = store.resources[server.resource as usize];
        assert_eq!(
            attrs(&store, resource.attrs),
            pairs(&[("net.host.ip", "172.18.0.4"), ("net.host.port", "9411")])
        );
    }

    #[test]
    fn timing_comes_from_core_annotations_when_timestamp_and_duration_are_absent() {
        let store = load(&format!(
            r#"[{{"traceId":"01","id":"02","name":"c","annotations":[{},{}]}},
               {{"traceId":"01","id":"03","name":"s","annotations":[{},{}]}},
               {{"traceId":"01","id":"04","name":"open","annotations":[{}]}}]"#,
            ann("cs", 1_000, "a"),
            ann("cr", 1_500, "a"),
            ann("sr", 2_000, "b"),
            ann("ss", 2_250, "b"),
            ann("cs", 3_000, "a"),
        ));
        let c = span(&store, "a", "c");
        assert_eq!((c.start_unix_nanos, c.duration_nanos), (1_000_000, 500_000));
        assert_eq!(c.kind, SpanKind::Client);
        let s = span(&store, "b", "s");
        assert_eq!((s.start_unix_nanos, s.duration_nanos), (2_000_000, 250_000));
        assert_eq!(s.kind, SpanKind::Server);
        // A client that never got its reply: starts at cs, end unknown.
        let open = span(&store, "a", "open");
        assert_eq!(open.start_unix_nanos, 3_000_000);
        assert!(open.end_unknown());
        let index = store.spans.iter().position(|x| x == open).unwrap() as u32;
        assert!(store
            .warnings_of(index)
            .any(|w| *w == SpanWarning::NoEndTime));
    }

    #[test]
    fn a_server_side_without_timestamps_is_timed_by_sr_ss() {
        // The shape of otelcol-zipkin_v1_notimestamp.json.
        let store = load(
            r#"[{"traceId":"13c3518297c3b59f","id":"c698c56b63c5f5cb","name":"http:/parent",
              "parentId":"62a165c66951ced3","annotations":[
                {"timestamp":1615821510040000,"value":"sr","endpoint":{"serviceName":"baz","ipv4":"10.254.85.134","port":8080}},
                {"timestamp":1615821510041000,"value":"ss","endpoint":{"serviceName":"baz","ipv4":"10.254.85.134","port":8080}}],
              "binaryAnnotations":[{"key":"http.method","value":"GET",
                "endpoint":{"serviceName":"baz","ipv4":"10.254.85.134","port":8080}}]}]"#,
        );
        let s = span(&store, "baz", "http:/parent");
        assert_eq!(s.start_unix_nanos, 1_615_821_510_040_000_000);
        assert_eq!(s.duration_nanos, 1_000_000);
        // Shared (no client in the file): keeps its id and parent.
        assert_eq!(s.span_id, SpanId(0xc698c56b63c5f5cb));
        assert_eq!(s.parent_id, SpanId(0x62a165c66951ced3));
        assert_eq!(store.warnings_of(0).count(), 0);
    }

    #[test]
    fn a_span_without_any_time_is_placed_by_its_annotations_or_its_parent() {
        let store = load(&format!(
            r#"[{{"traceId":"01","id":"01","name":"root","timestamp":500,"duration":100,
                  "annotations":[{}]}},
                {{"traceId":"01","id":"02","parentId":"01","name":"noted","annotations":[{}]}},
                {{"traceId":"01","id":"03","parentId":"01","name":"bare","annotations":[],
                  "binaryAnnotations":[{{"key":"k","value":"v","endpoint":{}}}]}}]"#,
            ann("custom", 510, "a"),
            ann("custom", 520, "a"),
            ep("a"),
        ));
        assert_eq!(span(&store, "a", "noted").start_unix_nanos, 520_000);
        assert_eq!(span(&store, "a", "bare").start_unix_nanos, 500_000);
        assert!(file_warns(&store, "2 span(s) had no timestamp"));
    }

    #[test]
    fn the_service_is_the_endpoints_and_local_components_make_local_spans() {
        // zipkin-bench-span-local.json and otelcol-zipkin_v1_local_component.json, shortened.
        let store = load(
            r#"[{"traceId":"5af7183fb1d4cf5f","name":"get-traces","id":"6b221d5bc9e6496c",
              "timestamp":1461750040358000,"duration":15495,"annotations":[],
              "binaryAnnotations":[{"key":"lc","value":"JDBCSpanStore",
                "endpoint":{"serviceName":"zipkin-server","ipv4":"172.19.0.3","port":9411}}]},
             {"traceId":"0ed2e63cbe71f5a8","name":"checkStock","id":"fe351a053fbcac1f",
              "timestamp":1544805927453923,"duration":3740,"annotations":[],
              "binaryAnnotations":[{"key":"lc","value":"myLocalComponent"}]},
             {"traceId":"0ed2e63cbe71f5a8","name":"anon","id":"fe351a053fbcac2f",
              "timestamp":1544805927453923,"duration":3740,"annotations":[],
              "binaryAnnotations":[{"key":"lc","value":""},{"key":"x","value":"y"}]}]"#,
        );
        let local = span(&store, "zipkin-server", "get-traces");
        assert_eq!(local.kind, SpanKind::Internal);
        assert_eq!(local.duration_nanos, 15_495_000);
        assert_eq!(
            attrs(&store, local.attrs),
            pairs(&[("lc", "JDBCSpanStore")])
        );
        // No endpoint: the component names the service.
        let component = span(&store, "myLocalComponent", "checkStock");
        assert_eq!(component.kind, SpanKind::Internal);
        // An empty component marker is not a tag, and names nothing.
        let anon = span(&store, crate::model::UNKNOWN_SERVICE, "anon");
        assert_eq!(attrs(&store, anon.attrs), pairs(&[("x", "y")]));
    }

    #[test]
    fn a_single_span_object_is_a_whole_file() {
        let store = load(&format!(
            r#"{{"traceId":"4d1e00c0db9010db86154a4ba6e91385","name":"get","id":"4d1e00c0db9010db",
                "timestamp":1472470996199000,"duration":207000,"annotations":[{},{}],
                "binaryAnnotations":[{{"key":"sa","value":true,"endpoint":{}}}]}}"#,
            ann("cs", 1472470996199000, "frontend"),
            ann("cr", 1472470996406000, "frontend"),
            ep("backend"),
        ));
        assert_eq!(store.spans.len(), 1);
        let s = store.spans[0];
        assert_eq!(s.trace_id.to_string(), "4d1e00c0db9010db86154a4ba6e91385");
        assert_eq!(s.kind, SpanKind::Client);
        assert_eq!(store.strings.get(s.service), "frontend");
        assert_eq!(
            attrs(&store, s.attrs),
            pairs(&[("peer.service", "backend"), ("net.peer.ip", "10.0.0.1")])
        );
    }

    #[test]
    fn an_error_binary_annotation_is_an_error_status_with_its_message() {
        let one = |extra: &str| {
            let doc = format!(
                r#"[{{"traceId":"01","id":"01","name":"x","timestamp":1,"duration":1,
                     "annotations":[{}],"binaryAnnotations":[{extra}]}}]"#,
                ann("custom", 1, "a")
            );
            let store = load(&doc);
            let s = store.spans[0];
            (s.status, store.strings.get(s.status_message).to_string())
        };
        let error = |message: &str| (StatusCode::Error, message.to_string());
        assert_eq!(
            one(r#"{"key":"error","value":"connection refused"}"#),
            error("connection refused")
        );
        assert_eq!(one(r#"{"key":"error","value":""}"#), error(""));
        assert_eq!(one(r#"{"key":"error","value":true}"#), error(""));
        assert_eq!(
            one(r#"{"key":"error","value":false}"#),
            (StatusCode::Unset, String::new())
        );
        assert_eq!(
            one(r#"{"key":"http.status_code","value":"200"}"#),
            (StatusCode::Unset, String::new())
        );
        // The v1 "error" annotation: an error happened, no message.
        let store = load(&format!(
            r#"[{{"traceId":"01","id":"01","name":"x","timestamp":1,"duration":9,
                 "annotations":[{}]}}]"#,
            ann("error", 5, "a")
        ));
        assert_eq!(store.spans[0].status, StatusCode::Error);
        assert_eq!(events(&store, &store.spans[0]), [("error".into(), 5_000)]);
    }

    #[test]
    fn binary_annotation_values_keep_their_types() {
        let store = load(&format!(
            r#"[{{"traceId":"01","id":"01","name":"x","timestamp":1,"duration":1,
                 "annotations":[{}],"binaryAnnotations":[
                   {{"key":"s","value":"1.5"}},
                   {{"key":"b","value":true}},
                   {{"key":"n","value":42}},
                   {{"key":"big","value":"9223372036854775222","type":"I64"}},
                   {{"key":"bytes","value":"AAAwOQ==","type":"BYTES"}},
                   {{"key":"sa","value":"not an address"}},
                   {{"key":"ca","value":true}}]}}]"#,
            ann("custom", 1, "a")
        ));
        use crate::model::Value;
        let values: Vec<(String, Value)> = store
            .attrs_of(store.spans[0].attrs)
            .iter()
            .map(|a| (store.strings.get(a.key).to_string(), a.value))
            .collect();
        let s = |key: &str| store.strings.lookup(key).unwrap();
        assert_eq!(
            values,
            [
                ("s".to_string(), Value::Str(s("1.5"))),
                ("b".to_string(), Value::Bool(true)),
                ("n".to_string(), Value::Int(42)),
                ("big".to_string(), Value::Int(9_223_372_036_854_775_222)),
                ("bytes".to_string(), Value::Bytes(s("AAAwOQ=="))),
                ("sa".to_string(), Value::Str(s("not an address"))),
            ]
        );
    }

    #[test]
    fn loopback_calls_and_messaging_make_two_spans() {
        let store = load(&format!(
            r#"[{{"traceId":"01","id":"01","name":"self","annotations":[{},{},{},{}]}},
               {{"traceId":"01","id":"02","name":"msg","annotations":[{},{}],
                 "binaryAnnotations":[{{"key":"ma","value":true,"endpoint":{{"serviceName":"kafka"}}}}]}}]"#,
            ann("cs", 10, "a"),
            ann("sr", 20, "a"),
            ann("ss", 30, "a"),
            ann("cr", 40, "a"),
            ann("ms", 100, "p"),
            ann("mr", 150, "q"),
        ));
        assert_eq!(store.spans.len(), 4);
        let kinds: Vec<SpanKind> = store.spans.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SpanKind::Client,
                SpanKind::Server,
                SpanKind::Producer,
                SpanKind::Consumer
            ]
        );
        assert_eq!(store.spans[1].parent_id, store.spans[0].span_id);
        assert_eq!(store.spans[3].parent_id, store.spans[2].span_id);
        assert_eq!(store.spans[3].start_unix_nanos, 150_000);
        for s in &store.spans[2..] {
            assert!(attrs(&store, s.attrs).contains(&("peer.service".into(), "kafka".into())));
        }
        assert!(tree_warnings(&store).is_empty());
    }

    #[test]
    fn sniffing_is_exact() {
        let v1 = br#"[{"traceId":"01","id":"01","annotations":[{"timestamp":1,"value":"cs",
                      "endpoint":{"serviceName":"a"}}]}]"#;
        assert_eq!(sniff(v1), Sniff::Yes);
        assert_eq!(
            sniff(br#"{"traceId":"01","id":"01","binaryAnnotations":[]}"#),
            Sniff::Yes
        );
        // v2: annotations without endpoints, or any v2 key.
        let v2 = br#"[{"traceId":"01","id":"01","annotations":[{"timestamp":1,"value":"x"}]}]"#;
        assert_eq!(sniff(v2), Sniff::No);
        let v2 = br#"[{"traceId":"01","id":"01","kind":"CLIENT","binaryAnnotations":[]}]"#;
        assert_eq!(sniff(v2), Sniff::No);
        let v2 =
            br#"[{"traceId":"01","id":"01","localEndpoint":{},"annotations":[{"endpoint":{}}]}]"#;
        assert_eq!(sniff(v2), Sniff::No);
        assert_eq!(sniff(br#"{"binaryAnnotations":[]}"#), Sniff::No);
        assert_eq!(sniff(b"binaryAnnotations traceId id"), Sniff::No);
    }

    #[test]
    fn values_that_are_not_spans_are_counted_and_broken_json_says_where() {
        let store = load(&format!(
            r#"[[{{"traceId":"01","id":"01","name":"x","annotations":[{}]}}], 3, {{"id":"02"}}, null]"#,
            ann("cs", 1, "a")
        ));
        assert_eq!(store.spans.len(), 1);
        assert!(file_warns(&store, "2 JSON value"));
        assert_fails_where(
            "Zipkin v1 JSON",
            br#"[{"traceId":"01","id":"01","binaryAnnotations":[{"key":"#,
        );
    }

    #[test]
    fn cut_or_corrupted_documents_never_panic() {
        let doc = halves();
        let doc = doc.as_bytes();
        cut_and_corrupt(doc);
    }
}
