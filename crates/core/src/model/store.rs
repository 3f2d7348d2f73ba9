//! The span store: compact span records plus the arenas their attributes, events and links
//! live in. Importers fill one `Store` per file; the app appends them into one.

use super::ids::{SpanId, TraceId};
use super::strings::{Interner, StrId};
use std::collections::HashMap;

/// A range into one of the store's arenas (`attrs`, `events`, `links`).
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct Slice {
    pub start: u32,
    pub len: u32,
}

impl Slice {
    /// The index range this slice covers.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }

    fn shifted(self, by: u32) -> Slice {
        Slice {
            start: self.start + by,
            len: self.len,
        }
    }
}

/// What role a span plays (OTLP `SpanKind`; Jaeger/Zipkin `span.kind`).
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// Lower-case name as shown to the user.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }

    /// Parses the names used by OpenTracing/Jaeger tags and Zipkin (`server`, `CLIENT`, …).
    pub fn from_name(name: &str) -> SpanKind {
        match name.to_ascii_lowercase().as_str() {
            "internal" => SpanKind::Internal,
            "server" | "rpc.server" => SpanKind::Server,
            "client" | "rpc.client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }
}

/// Span outcome (OTLP `Status.code`).
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    /// Name as shown to the user.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }
}

/// An attribute value. Strings are interned; arrays and maps are kept as compact JSON text.
#[derive(Copy, Clone, PartialEq, Debug)]
pub enum Value {
    Str(StrId),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Binary data, as the base64 text it came in.
    Bytes(StrId),
    /// An array or key/value list, as JSON text.
    Json(StrId),
}

impl Value {
    /// The value as display text.
    pub fn display(&self, strings: &Interner) -> String {
        match *self {
            Value::Str(s) | Value::Bytes(s) | Value::Json(s) => strings.get(s).to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }

    fn remap(self, map: &[StrId]) -> Value {
        let m = |s: StrId| map.get(s.0 as usize).copied().unwrap_or(StrId::EMPTY);
        match self {
            Value::Str(s) => Value::Str(m(s)),
            Value::Bytes(s) => Value::Bytes(m(s)),
            Value::Json(s) => Value::Json(m(s)),
            other => other,
        }
    }
}

/// One key/value attribute (span attribute, resource attribute, event or link attribute).
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Attr {
    pub key: StrId,
    pub value: Value,
}

/// How an [`Attr`] is stored: 12 bytes instead of 24 (the value's type in the top 3 bits of
/// the key, the 8 value bytes as two `u32`s so the record needs only 4-byte alignment).
/// Attributes are most of a span's memory (7–10 per span in real traces).
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct PackedAttr {
    key_and_type: u32,
    lo: u32,
    hi: u32,
}

impl PackedAttr {
    const KEY_BITS: u32 = 29;
    const KEY_MASK: u32 = (1 << Self::KEY_BITS) - 1;

    /// Packs an attribute. (A key id beyond 2^29 strings cannot occur: that many strings
    /// would not fit in a wasm32 memory; it would be stored as the empty key.)
    pub fn pack(attr: Attr) -> PackedAttr {
        let (kind, bits) = match attr.value {
            Value::Str(s) => (0, s.0 as u64),
            Value::Int(i) => (1, i as u64),
            Value::Float(f) => (2, f.to_bits()),
            Value::Bool(b) => (3, b as u64),
            Value::Bytes(s) => (4, s.0 as u64),
            Value::Json(s) => (5, s.0 as u64),
        };
        let key = if attr.key.0 <= Self::KEY_MASK {
            attr.key.0
        } else {
            0
        };
        PackedAttr {
            key_and_type: key | (kind << Self::KEY_BITS),
            lo: bits as u32,
            hi: (bits >> 32) as u32,
        }
    }

    /// The attribute.
    pub fn unpack(self) -> Attr {
        let key = StrId(self.key_and_type & Self::KEY_MASK);
        let bits = self.lo as u64 | (self.hi as u64) << 32;
        let s = StrId(self.lo);
        let value = match self.key_and_type >> Self::KEY_BITS {
            1 => Value::Int(bits as i64),
            2 => Value::Float(f64::from_bits(bits)),
            3 => Value::Bool(bits != 0),
            4 => Value::Bytes(s),
            5 => Value::Json(s),
            _ => Value::Str(s),
        };
        Attr { key, value }
    }

    /// The key, without unpacking the value.
    #[inline]
    pub fn key(self) -> StrId {
        StrId(self.key_and_type & Self::KEY_MASK)
    }

    /// The string of a string, bytes or JSON value, without unpacking the value.
    #[inline]
    pub fn text_value(self) -> Option<StrId> {
        matches!(self.key_and_type >> Self::KEY_BITS, 0 | 4 | 5).then_some(StrId(self.lo))
    }

    /// The raw 12 bytes (for the wire codec), little-endian.
    pub fn to_le_bytes(self) -> [u8; 12] {
        let mut out = [0; 12];
        out[..4].copy_from_slice(&self.key_and_type.to_le_bytes());
        out[4..8].copy_from_slice(&self.lo.to_le_bytes());
        out[8..].copy_from_slice(&self.hi.to_le_bytes());
        out
    }

    /// Inverse of [`PackedAttr::to_le_bytes`].
    pub fn from_le_bytes(b: [u8; 12]) -> PackedAttr {
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        PackedAttr {
            key_and_type: word(0),
            lo: word(4),
            hi: word(8),
        }
    }
}

/// A timestamped event inside a span (OTLP event, Jaeger log, Zipkin annotation).
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Event {
    /// Nanoseconds since the Unix epoch.
    pub time_unix_nanos: i64,
    pub name: StrId,
    pub attrs: Slice,
}

/// A link from a span to another span, possibly in another trace.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Link {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub attrs: Slice,
}

/// The process a span ran in: OTLP resource + instrumentation scope, or a Jaeger process.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Resource {
    pub service: StrId,
    pub attrs: Slice,
    pub scope_name: StrId,
    pub scope_version: StrId,
    pub scope_attrs: Slice,
}

/// `Span::duration_nanos` value for a span whose end is not known (in-progress, or no end
/// time in the file). Such spans are drawn open-ended.
pub const SPAN_END_UNKNOWN: i64 = -1;

/// One span, compact and fixed-size.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Span {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    /// `SpanId(0)` when the span declares no parent.
    pub parent_id: SpanId,
    /// Nanoseconds since the Unix epoch.
    pub start_unix_nanos: i64,
    /// Nanoseconds, `>= 0`, or [`SPAN_END_UNKNOWN`].
    pub duration_nanos: i64,
    pub service: StrId,
    pub name: StrId,
    pub kind: SpanKind,
    pub status: StatusCode,
    pub status_message: StrId,
    /// Index into [`Store::resources`].
    pub resource: u32,
    pub attrs: Slice,
    pub events: Slice,
    pub links: Slice,
    /// Index into [`Store::files`]: the file this span came from.
    pub file: u32,
}

impl Span {
    /// End time in nanoseconds since the epoch; the start when the end is unknown.
    pub fn end_unix_nanos(&self) -> i64 {
        self.start_unix_nanos
            .saturating_add(self.duration_nanos.max(0))
    }

    /// True when the span's end time is unknown.
    pub fn end_unknown(&self) -> bool {
        self.duration_nanos == SPAN_END_UNKNOWN
    }
}

/// Something odd about one span that the importer noticed. Tree-level findings (missing
/// parent, duplicate id, cycle) are [`crate::model::TreeWarning`]s instead.
#[derive(Clone, PartialEq, Debug)]
pub enum SpanWarning {
    /// The span had no service name; it is shown under the placeholder name.
    NoServiceName,
    /// An id was not hex; it was hashed to a number and its text kept for display.
    OpaqueId { field: &'static str, text: String },
    /// An id had fewer hex digits than its full width and was left-padded with zeros.
    PaddedId { field: &'static str, text: String },
    /// The end time was before the start time; the duration was set to 0.
    EndBeforeStart,
    /// The file gave no end time; the span is drawn open-ended.
    NoEndTime,
    /// A warning the exporting system itself attached to the span (e.g. Jaeger's `warnings`).
    FromSource(String),
    /// The source recorded the span while it was still running (X-Ray `in_progress: true`):
    /// it has no end time and is drawn open-ended.
    InProgress,
    /// A field whose content could not be read (JSON text inside a string that does not
    /// parse, a malformed id extension); it is kept as a plain attribute.
    UnreadableField { field: String, reason: String },
}

/// Service name shown for spans whose file names no service.
pub const UNKNOWN_SERVICE: &str = "unknown_service";

/// One loaded file.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct FileInfo {
    pub name: String,
    /// Human name of the detected format, e.g. "OTLP JSON".
    pub format: String,
    /// Size of the content read, in bytes (after decompression, for a gzip file).
    pub bytes: usize,
    pub span_count: usize,
    /// Distinct trace ids among the file's spans.
    pub trace_count: usize,
    /// File-level warnings (summaries), in words a user understands.
    pub warnings: Vec<String>,
}

/// Spans and everything they refer to.
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub strings: Interner,
    pub spans: Vec<Span>,
    /// All attributes, packed; read them with [`Store::attrs_of`] / [`Store::attrs_iter`].
    pub attrs: Vec<PackedAttr>,
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    pub resources: Vec<Resource>,
    /// Import warnings, as `(index into spans, warning)`, in span order.
    pub span_warnings: Vec<(u32, SpanWarning)>,
    /// Original text of span ids that were not hex (keyed by the number they were mapped to).
    pub span_id_text: HashMap<SpanId, StrId>,
    /// Original text of trace ids that were not hex.
    pub trace_id_text: HashMap<TraceId, StrId>,
    pub files: Vec<FileInfo>,
    /// Calls between services read from dependency files (Jaeger `/api/dependencies`,
    /// X-Ray `get-service-graph`), which carry no spans.
    pub dependencies: Vec<Dependency>,
}

/// Calls from one service to another over some period, as a dependency file gives them.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Dependency {
    pub parent: StrId,
    pub child: StrId,
    /// What the file says each end is (X-Ray's `Type`, e.g. `AWS::DynamoDB::Table`; empty
    /// when it does not say).
    pub parent_type: StrId,
    pub child_type: StrId,
    pub calls: u64,
    /// Calls that failed, when the file counts them.
    pub errors: Option<u64>,
    /// Latency p50, p95 and p99 from the file's histogram, ns (0: not given).
    pub latency_nanos: [i64; 3],
    /// Index into [`Store::files`].
    pub file: u32,
}

/// Appends `items` to an arena and returns the slice they occupy.
fn extend_arena<T>(arena: &mut Vec<T>, items: impl IntoIterator<Item = T>) -> Slice {
    let start = arena.len() as u32;
    arena.extend(items);
    Slice {
        start,
        len: arena.len() as u32 - start,
    }
}

impl Store {
    /// Appends attributes to the arena and returns their slice.
    pub fn push_attrs(&mut self, attrs: impl IntoIterator<Item = Attr>) -> Slice {
        extend_arena(&mut self.attrs, attrs.into_iter().map(PackedAttr::pack))
    }

    /// Appends events to the arena and returns their slice.
    pub fn push_events(&mut self, events: impl IntoIterator<Item = Event>) -> Slice {
        extend_arena(&mut self.events, events)
    }

    /// Appends links to the arena and returns their slice.
    pub fn push_links(&mut self, links: impl IntoIterator<Item = Link>) -> Slice {
        extend_arena(&mut self.links, links)
    }

    /// The attributes a slice refers to, unpacked (empty if out of range).
    pub fn attrs_of(&self, slice: Slice) -> Vec<Attr> {
        self.attrs_iter(slice).collect()
    }

    /// The attributes a slice refers to, without allocating (hot paths: search).
    pub fn attrs_iter(&self, slice: Slice) -> impl ExactSizeIterator<Item = Attr> + '_ {
        self.attrs
            .get(slice.range())
            .unwrap_or(&[])
            .iter()
            .map(|a| a.unpack())
    }

    /// The events of a span.
    pub fn events_of(&self, span: &Span) -> &[Event] {
        self.events.get(span.events.range()).unwrap_or(&[])
    }

    /// The links of a span.
    pub fn links_of(&self, span: &Span) -> &[Link] {
        self.links.get(span.links.range()).unwrap_or(&[])
    }

    /// Import warnings of span `index` (binary search: `span_warnings` is in span order).
    pub fn warnings_of(&self, index: u32) -> impl Iterator<Item = &SpanWarning> {
        let from = self.span_warnings.partition_point(|(i, _)| *i < index);
        self.span_warnings[from..]
            .iter()
            .take_while(move |(i, _)| *i == index)
            .map(|(_, w)| w)
    }

    /// Display text of a span id: the original text when it was not hex.
    pub fn span_id_display(&self, id: SpanId) -> String {
        match self.span_id_text.get(&id) {
            Some(text) => self.strings.get(*text).to_string(),
            None => id.to_string(),
        }
    }

    /// Display text of a trace id: the original text when it was not hex.
    pub fn trace_id_display(&self, id: TraceId) -> String {
        match self.trace_id_text.get(&id) {
            Some(text) => self.strings.get(*text).to_string(),
            None => id.to_string(),
        }
    }

    /// Appends another store (usually one file's import) to this one, re-interning its
    /// strings and shifting its arena indices. Linear in the size of `other`.
    pub fn append(&mut self, other: Store) {
        if self.spans.is_empty() && self.files.is_empty() && self.strings.len() <= 1 {
            // Nothing to merge with: take it as it is (no copy, no re-interning).
            *self = other;
            return;
        }
        let map: Vec<StrId> = (0..other.strings.len() as u32)
            .map(|i| self.strings.intern(other.strings.get(StrId(i))))
            .collect();
        let m = |s: StrId| map.get(s.0 as usize).copied().unwrap_or(StrId::EMPTY);
        let attr_base = self.attrs.len() as u32;
        let event_base = self.events.len() as u32;
        let link_base = self.links.len() as u32;
        let resource_base = self.resources.len() as u32;
        let span_base = self.spans.len() as u32;
        let file_base = self.files.len() as u32;

        self.attrs.extend(other.attrs.iter().map(|a| {
            let a = a.unpack();
            PackedAttr::pack(Attr {
                key: m(a.key),
                value: a.value.remap(&map),
            })
        }));
        self.events.extend(other.events.iter().map(|e| Event {
            time_unix_nanos: e.time_unix_nanos,
            name: m(e.name),
            attrs: e.attrs.shifted(attr_base),
        }));
        self.links.extend(other.links.iter().map(|l| Link {
            trace_id: l.trace_id,
            span_id: l.span_id,
            attrs: l.attrs.shifted(attr_base),
        }));
        self.resources
            .extend(other.resources.iter().map(|r| Resource {
                service: m(r.service),
                attrs: r.attrs.shifted(attr_base),
                scope_name: m(r.scope_name),
                scope_version: m(r.scope_version),
                scope_attrs: r.scope_attrs.shifted(attr_base),
            }));
        self.spans.extend(other.spans.iter().map(|s| Span {
            service: m(s.service),
            name: m(s.name),
            status_message: m(s.status_message),
            resource: s.resource + resource_base,
            attrs: s.attrs.shifted(attr_base),
            events: s.events.shifted(event_base),
            links: s.links.shifted(link_base),
            file: s.file + file_base,
            ..*s
        }));
        self.span_warnings.extend(
            other
                .span_warnings
                .into_iter()
                .map(|(i, w)| (i + span_base, w)),
        );
        for (id, text) in other.span_id_text {
            self.span_id_text.insert(id, m(text));
        }
        for (id, text) in other.trace_id_text {
            self.trace_id_text.insert(id, m(text));
        }
        self.dependencies
            .extend(other.dependencies.iter().map(|d| Dependency {
                parent: m(d.parent),
                child: m(d.child),
                parent_type: m(d.parent_type),
                child_type: m(d.child_type),
                file: d.file + file_base,
                ..*d
            }));
        self.files.extend(other.files);
    }

    /// The distinct service names of the spans, in interning order.
    pub fn services(&self) -> Vec<StrId> {
        let mut seen = vec![false; self.strings.len()];
        let mut out = Vec::new();
        for span in &self.spans {
            if let Some(slot) = seen.get_mut(span.service.0 as usize) {
                if !*slot {
                    *slot = true;
                    out.push(span.service);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Number of distinct service names among the spans.
    pub fn service_count(&self) -> usize {
        self.services().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_span_store(service: &str, attr: &str) -> Store {
        let mut s = Store::default();
        let service = s.strings.intern(service);
        let key = s.strings.intern("k");
        let val = s.strings.intern(attr);
        let attrs = s.push_attrs([Attr {
            key,
            value: Value::Str(val),
        }]);
        s.resources.push(Resource {
            service,
            attrs: Slice::default(),
            scope_name: StrId::EMPTY,
            scope_version: StrId::EMPTY,
            scope_attrs: Slice::default(),
        });
        s.spans.push(Span {
            trace_id: TraceId(1),
            span_id: SpanId(2),
            parent_id: SpanId(0),
            start_unix_nanos: 10,
            duration_nanos: 5,
            service,
            name: service,
            kind: SpanKind::Server,
            status: StatusCode::Unset,
            status_message: StrId::EMPTY,
            resource: 0,
            attrs,
            events: Slice::default(),
            links: Slice::default(),
            file: 0,
        });
        s.span_warnings.push((0, SpanWarning::NoEndTime));
        s.files.push(FileInfo::default());
        s
    }

    #[test]
    fn append_remaps_strings_and_shifts_arenas() {
        let mut a = one_span_store("alpha", "x");
        let b = one_span_store("beta", "y");
        a.append(b);
        assert_eq!(a.spans.len(), 2);
        let s = a.spans[1];
        assert_eq!(a.strings.get(s.service), "beta");
        assert_eq!(s.resource, 1);
        assert_eq!(s.file, 1);
        let attrs = a.attrs_of(s.attrs);
        assert_eq!(attrs.len(), 1);
        assert_eq!(attrs[0].value.display(&a.strings), "y");
        assert_eq!(a.warnings_of(1).count(), 1);
        assert_eq!(a.service_count(), 2);
    }

    #[test]
    fn packed_attributes_round_trip_every_value_type() {
        let values = [
            Value::Str(StrId(7)),
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Int(i64::MAX),
            Value::Float(-0.5),
            Value::Float(f64::INFINITY),
            Value::Bool(true),
            Value::Bool(false),
            Value::Bytes(StrId(3)),
            Value::Json(StrId(u32::MAX)),
        ];
        for value in values {
            let a = Attr {
                key: StrId(123_456),
                value,
            };
            let p = PackedAttr::pack(a);
            assert_eq!(p.unpack(), a);
            assert_eq!(PackedAttr::from_le_bytes(p.to_le_bytes()), p);
        }
        let nan = PackedAttr::pack(Attr {
            key: StrId(1),
            value: Value::Float(f64::NAN),
        });
        assert!(matches!(nan.unpack().value, Value::Float(f) if f.is_nan()));
        assert_eq!(std::mem::size_of::<PackedAttr>(), 12);
    }
}
