//! A compact binary form of a loaded model ([`Store`] + [`Trace`]s), cut into bounded parts,
//! for moving it between the import worker and the page.
//!
//! Why: the worker parses and builds trees; the page needs the result. `postMessage` of a
//! structured clone would build millions of JS objects; instead the worker encodes the model
//! into byte parts of about [`PART_BYTES`] each and transfers them (no copy), and the page
//! decodes one part per message event. Each part is small enough that copying it into wasm
//! memory and decoding it takes a few milliseconds, so the page never blocks for long and
//! never holds the whole encoded model at once. The same code runs the other way to hand the
//! page's model to a fresh worker after a cancelled load.
//!
//! Layout: a part is a sequence of sections `[tag: u8][count: u32][count records]`; records
//! are little-endian fixed-width fields, strings as `[len: u32][UTF-8 bytes]`. Both ends are
//! the same build of this crate, so there is no versioning; malformed input still gives an
//! `Err`, never a panic.

use super::ids::{SpanId, TraceId};
use super::store::{
    Dependency, Event, FileInfo, Link, PackedAttr, Resource, Slice, Span, SpanKind, SpanWarning,
    StatusCode, Store,
};
use super::strings::StrId;
use super::tree::{Trace, TreeWarning};

/// Target size of one encoded part, bytes: small enough that decoding one is a short task.
/// The page copies a part into wasm memory before decoding it, and the first one before it
/// knows the model's size, so the part size adds to the page's memory for good.
pub const PART_BYTES: usize = 1 << 18;

const TAG_STRINGS: u8 = 1;
const TAG_SPANS: u8 = 2;
const TAG_ATTRS: u8 = 3;
const TAG_EVENTS: u8 = 4;
const TAG_LINKS: u8 = 5;
const TAG_RESOURCES: u8 = 6;
const TAG_SPAN_WARNINGS: u8 = 7;
const TAG_SPAN_ID_TEXT: u8 = 8;
const TAG_TRACE_ID_TEXT: u8 = 9;
const TAG_FILES: u8 = 10;
const TAG_TRACE: u8 = 11;
const TAG_TRACE_ROWS: u8 = 12;
const TAG_TRACE_WARNINGS: u8 = 13;
const TAG_COUNTS: u8 = 14;
const TAG_DEPENDENCIES: u8 = 15;

/// Bytes a span the decoder sets aside, when it learns the model's size, for what is built
/// on the model after it arrives (see `reserve_for_counts`).
const HEADROOM_PER_SPAN: usize = 24;

/// Why a part could not be decoded (a bug, not bad user data: both ends are this crate).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "model transfer failed: {}", self.0)
    }
}

type Result<T> = std::result::Result<T, WireError>;

/// Reads little-endian fields from a part.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let end = self.at + N;
        let chunk = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| WireError(format!("part ends early at byte {}", self.at)))?;
        self.at = end;
        let mut out = [0; N];
        out.copy_from_slice(chunk);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.take()?))
    }
    fn u128(&mut self) -> Result<u128> {
        Ok(u128::from_le_bytes(self.take()?))
    }
    fn str(&mut self) -> Result<&'a str> {
        let len = self.u32()? as usize;
        let end = self.at + len;
        let chunk = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| WireError(format!("string runs past the part at byte {}", self.at)))?;
        self.at = end;
        std::str::from_utf8(chunk).map_err(|_| WireError("string is not UTF-8".into()))
    }
    fn slice(&mut self) -> Result<Slice> {
        Ok(Slice {
            start: self.u32()?,
            len: self.u32()?,
        })
    }
    fn str_id(&mut self) -> Result<StrId> {
        Ok(StrId(self.u32()?))
    }
    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }
}

fn put_u32(w: &mut Vec<u8>, v: u32) {
    w.extend_from_slice(&v.to_le_bytes());
}
fn put_u64(w: &mut Vec<u8>, v: u64) {
    w.extend_from_slice(&v.to_le_bytes());
}
fn put_i64(w: &mut Vec<u8>, v: i64) {
    w.extend_from_slice(&v.to_le_bytes());
}
fn put_str(w: &mut Vec<u8>, s: &str) {
    put_u32(w, s.len() as u32);
    w.extend_from_slice(s.as_bytes());
}
fn put_slice(w: &mut Vec<u8>, s: Slice) {
    put_u32(w, s.start);
    put_u32(w, s.len);
}

/// A record type that can be written to and read from a part.
trait Record: Sized {
    /// Encoded size in bytes, for filling parts (an estimate for variable-size records).
    fn size(&self) -> usize;
    fn put(&self, w: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self>;
}

impl Record for Span {
    fn size(&self) -> usize {
        94
    }
    fn put(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.trace_id.0.to_le_bytes());
        put_u64(w, self.span_id.0);
        put_u64(w, self.parent_id.0);
        put_i64(w, self.start_unix_nanos);
        put_i64(w, self.duration_nanos);
        put_u32(w, self.service.0);
        put_u32(w, self.name.0);
        w.push(self.kind as u8);
        w.push(self.status as u8);
        put_u32(w, self.status_message.0);
        put_u32(w, self.resource);
        put_slice(w, self.attrs);
        put_slice(w, self.events);
        put_slice(w, self.links);
        put_u32(w, self.file);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Span {
            trace_id: TraceId(r.u128()?),
            span_id: SpanId(r.u64()?),
            parent_id: SpanId(r.u64()?),
            start_unix_nanos: r.i64()?,
            duration_nanos: r.i64()?,
            service: r.str_id()?,
            name: r.str_id()?,
            kind: kind_from_u8(r.u8()?),
            status: status_from_u8(r.u8()?),
            status_message: r.str_id()?,
            resource: r.u32()?,
            attrs: r.slice()?,
            events: r.slice()?,
            links: r.slice()?,
            file: r.u32()?,
        })
    }
}

fn kind_from_u8(v: u8) -> SpanKind {
    [
        SpanKind::Unspecified,
        SpanKind::Internal,
        SpanKind::Server,
        SpanKind::Client,
        SpanKind::Producer,
        SpanKind::Consumer,
    ]
    .get(v as usize)
    .copied()
    .unwrap_or_default()
}

fn status_from_u8(v: u8) -> StatusCode {
    [StatusCode::Unset, StatusCode::Ok, StatusCode::Error]
        .get(v as usize)
        .copied()
        .unwrap_or_default()
}

impl Record for PackedAttr {
    fn size(&self) -> usize {
        12
    }
    fn put(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok(PackedAttr::from_le_bytes(r.take()?))
    }
}

impl Record for Event {
    fn size(&self) -> usize {
        20
    }
    fn put(&self, w: &mut Vec<u8>) {
        put_i64(w, self.time_unix_nanos);
        put_u32(w, self.name.0);
        put_slice(w, self.attrs);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Event {
            time_unix_nanos: r.i64()?,
            name: r.str_id()?,
            attrs: r.slice()?,
        })
    }
}

impl Record for Link {
    fn size(&self) -> usize {
        32
    }
    fn put(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.trace_id.0.to_le_bytes());
        put_u64(w, self.span_id.0);
        put_slice(w, self.attrs);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Link {
            trace_id: TraceId(r.u128()?),
            span_id: SpanId(r.u64()?),
            attrs: r.slice()?,
        })
    }
}

impl Record for Resource {
    fn size(&self) -> usize {
        28
    }
    fn put(&self, w: &mut Vec<u8>) {
        put_u32(w, self.service.0);
        put_slice(w, self.attrs);
        put_u32(w, self.scope_name.0);
        put_u32(w, self.scope_version.0);
        put_slice(w, self.scope_attrs);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Resource {
            service: r.str_id()?,
            attrs: r.slice()?,
            scope_name: r.str_id()?,
            scope_version: r.str_id()?,
            scope_attrs: r.slice()?,
        })
    }
}

impl Record for (u32, SpanWarning) {
    fn size(&self) -> usize {
        16
    }
    fn put(&self, w: &mut Vec<u8>) {
        put_u32(w, self.0);
        match &self.1 {
            SpanWarning::NoServiceName => w.push(0),
            SpanWarning::OpaqueId { field, text } => {
                w.push(1);
                put_str(w, field);
                put_str(w, text);
            }
            SpanWarning::PaddedId { field, text } => {
                w.push(2);
                put_str(w, field);
                put_str(w, text);
            }
            SpanWarning::EndBeforeStart => w.push(3),
            SpanWarning::NoEndTime => w.push(4),
            SpanWarning::FromSource(text) => {
                w.push(5);
                put_str(w, text);
            }
            SpanWarning::InProgress => w.push(6),
            SpanWarning::UnreadableField { field, reason } => {
                w.push(7);
                put_str(w, field);
                put_str(w, reason);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        let index = r.u32()?;
        let warning = match r.u8()? {
            0 => SpanWarning::NoServiceName,
            1 => SpanWarning::OpaqueId {
                field: static_field(r.str()?),
                text: r.str()?.to_string(),
            },
            2 => SpanWarning::PaddedId {
                field: static_field(r.str()?),
                text: r.str()?.to_string(),
            },
            3 => SpanWarning::EndBeforeStart,
            4 => SpanWarning::NoEndTime,
            5 => SpanWarning::FromSource(r.str()?.to_string()),
            6 => SpanWarning::InProgress,
            7 => SpanWarning::UnreadableField {
                field: r.str()?.to_string(),
                reason: r.str()?.to_string(),
            },
            other => return Err(WireError(format!("unknown span warning tag {other}"))),
        };
        Ok((index, warning))
    }
}

/// Id field names in warnings are `&'static str` in the model; the importers only ever use
/// these.
fn static_field(name: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "trace id",
        "span id",
        "parent span id",
        "link trace id",
        "link span id",
        "traceId",
        "spanId",
        "parentSpanId",
        "traceID",
        "spanID",
        "id",
        "parentId",
        "trace_id",
        "span_id",
        "parent_id",
        "trace.id",
        "parent.id",
    ];
    KNOWN.iter().find(|k| **k == name).copied().unwrap_or("id")
}

impl Record for (SpanId, StrId) {
    fn size(&self) -> usize {
        12
    }
    fn put(&self, w: &mut Vec<u8>) {
        put_u64(w, self.0 .0);
        put_u32(w, self.1 .0);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok((SpanId(r.u64()?), r.str_id()?))
    }
}

impl Record for (TraceId, StrId) {
    fn size(&self) -> usize {
        20
    }
    fn put(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.0 .0.to_le_bytes());
        put_u32(w, self.1 .0);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok((TraceId(r.u128()?), r.str_id()?))
    }
}

impl Record for Dependency {
    fn size(&self) -> usize {
        16 + 8 + 8 + 24 + 4
    }
    fn put(&self, w: &mut Vec<u8>) {
        for id in [self.parent, self.child, self.parent_type, self.child_type] {
            put_u32(w, id.0);
        }
        put_u64(w, self.calls);
        put_u64(w, self.errors.unwrap_or(u64::MAX));
        for nanos in self.latency_nanos {
            put_i64(w, nanos);
        }
        put_u32(w, self.file);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        let (parent, child) = (r.str_id()?, r.str_id()?);
        let (parent_type, child_type) = (r.str_id()?, r.str_id()?);
        let calls = r.u64()?;
        let errors = Some(r.u64()?).filter(|&e| e != u64::MAX);
        let latency_nanos = [r.i64()?, r.i64()?, r.i64()?];
        Ok(Dependency {
            parent,
            child,
            parent_type,
            child_type,
            calls,
            errors,
            latency_nanos,
            file: r.u32()?,
        })
    }
}

impl Record for FileInfo {
    fn size(&self) -> usize {
        64 + self.name.len() + self.warnings.iter().map(|w| w.len() + 4).sum::<usize>()
    }
    fn put(&self, w: &mut Vec<u8>) {
        put_str(w, &self.name);
        put_str(w, &self.format);
        put_u64(w, self.bytes as u64);
        put_u64(w, self.span_count as u64);
        put_u64(w, self.trace_count as u64);
        put_u32(w, self.warnings.len() as u32);
        for warning in &self.warnings {
            put_str(w, warning);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        let name = r.str()?.to_string();
        let format = r.str()?.to_string();
        let bytes = r.u64()? as usize;
        let span_count = r.u64()? as usize;
        let trace_count = r.u64()? as usize;
        let count = r.u32()?;
        let warnings = (0..count)
            .map(|_| r.str().map(str::to_string))
            .collect::<Result<_>>()?;
        Ok(FileInfo {
            name,
            format,
            bytes,
            span_count,
            trace_count,
            warnings,
        })
    }
}

/// One row of a trace's tree arrays.
struct Row {
    span: u32,
    depth: u32,
    parent: u32,
    subtree_end: u32,
}

impl Record for Row {
    fn size(&self) -> usize {
        16
    }
    fn put(&self, w: &mut Vec<u8>) {
        for v in [self.span, self.depth, self.parent, self.subtree_end] {
            put_u32(w, v);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Row {
            span: r.u32()?,
            depth: r.u32()?,
            parent: r.u32()?,
            subtree_end: r.u32()?,
        })
    }
}

impl Record for (u32, TreeWarning) {
    fn size(&self) -> usize {
        13
    }
    fn put(&self, w: &mut Vec<u8>) {
        put_u32(w, self.0);
        let (tag, id) = match self.1 {
            TreeWarning::MissingParent(id) => (0, id.0),
            TreeWarning::DuplicateId => (1, 0),
            TreeWarning::OwnParent => (2, 0),
            TreeWarning::ParentCycle => (3, 0),
            TreeWarning::OutsideParent => (4, 0),
        };
        w.push(tag);
        put_u64(w, id);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self> {
        let pos = r.u32()?;
        let tag = r.u8()?;
        let id = r.u64()?;
        let warning = match tag {
            0 => TreeWarning::MissingParent(SpanId(id)),
            1 => TreeWarning::DuplicateId,
            2 => TreeWarning::OwnParent,
            3 => TreeWarning::ParentCycle,
            4 => TreeWarning::OutsideParent,
            other => return Err(WireError(format!("unknown tree warning tag {other}"))),
        };
        Ok((pos, warning))
    }
}

/// Writes a trace's scalar fields; its rows and warnings follow in their own sections.
fn put_trace_head(w: &mut Vec<u8>, t: &Trace) {
    w.extend_from_slice(&t.id.0.to_le_bytes());
    put_i64(w, t.start_unix_nanos);
    put_i64(w, t.end_unix_nanos);
    for v in [
        t.root_count,
        t.error_count,
        t.service_count,
        t.root_service.0,
        t.root_name.0,
        t.spans.len() as u32,
        t.warnings.len() as u32,
    ] {
        put_u32(w, v);
    }
}

fn get_trace_head(r: &mut Reader<'_>) -> Result<Trace> {
    let id = TraceId(r.u128()?);
    let start_unix_nanos = r.i64()?;
    let end_unix_nanos = r.i64()?;
    let root_count = r.u32()?;
    let error_count = r.u32()?;
    let service_count = r.u32()?;
    let root_service = r.str_id()?;
    let root_name = r.str_id()?;
    let rows = r.u32()? as usize;
    let warnings = r.u32()? as usize;
    Ok(Trace {
        id,
        spans: Vec::with_capacity(rows),
        depth: Vec::with_capacity(rows),
        parent: Vec::with_capacity(rows),
        subtree_end: Vec::with_capacity(rows),
        warnings: Vec::with_capacity(warnings),
        start_unix_nanos,
        end_unix_nanos,
        root_count,
        error_count,
        service_count,
        root_service,
        root_name,
    })
}

/// Writes `[tag][count]` and as many records from `items[*next..]` as fit in `limit` bytes
/// (at least one), advancing `*next`.
fn put_section<T: Record>(
    part: &mut Vec<u8>,
    tag: u8,
    items: &[T],
    next: &mut usize,
    limit: usize,
) {
    part.push(tag);
    let count_at = part.len();
    put_u32(part, 0);
    let mut count = 0u32;
    while let Some(item) = items.get(*next) {
        if count > 0 && part.len() + item.size() > limit {
            break;
        }
        item.put(part);
        *next += 1;
        count += 1;
    }
    part[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
}

/// Produces the parts of a model one at a time (so the sender can post each part and drop it
/// before making the next, and the page can yield between parts).
pub struct Encoder<'a> {
    store: &'a Store,
    /// `None` until the traces are known ([`Encoder::store_first`]).
    traces: Option<&'a [Trace]>,
    limit: usize,
    /// Which piece of the model comes next (see `next_part`).
    stage: usize,
    /// Next item within the stage.
    next: usize,
    /// For the trace stage: the trace being written, and whether its head is out.
    trace: usize,
    head_written: bool,
    strings: Vec<&'a str>,
    span_id_text: Vec<(SpanId, StrId)>,
    trace_id_text: Vec<(TraceId, StrId)>,
}

impl<'a> Encoder<'a> {
    /// An encoder that writes the store's parts before the traces are built: `next_part`
    /// gives `None` after them until [`Encoder::add_traces`]. The page decodes the store
    /// while the worker builds the trees.
    pub fn store_first(store: &'a Store, part_bytes: usize) -> Self {
        Encoder {
            traces: None,
            ..Encoder::new(store, &[], part_bytes)
        }
    }

    /// The traces of the store (for an encoder made by [`Encoder::store_first`]).
    pub fn add_traces(&mut self, traces: &'a [Trace]) {
        self.traces = Some(traces);
    }

    /// An encoder with parts of about `part_bytes` (use [`PART_BYTES`]).
    pub fn new(store: &'a Store, traces: &'a [Trace], part_bytes: usize) -> Self {
        let mut span_id_text: Vec<_> = store.span_id_text.iter().map(|(k, v)| (*k, *v)).collect();
        span_id_text.sort_unstable();
        let mut trace_id_text: Vec<_> = store.trace_id_text.iter().map(|(k, v)| (*k, *v)).collect();
        trace_id_text.sort_unstable();
        Encoder {
            store,
            traces: Some(traces),
            limit: part_bytes.max(1024),
            stage: 0,
            next: 0,
            trace: 0,
            head_written: false,
            strings: (0..store.strings.len() as u32)
                .map(|i| store.strings.get(StrId(i)))
                .collect(),
            span_id_text,
            trace_id_text,
        }
    }

    /// The next part, or `None` when everything has been written.
    pub fn next_part(&mut self) -> Option<Vec<u8>> {
        let mut part = Vec::with_capacity(self.limit + 256);
        while part.len() < self.limit {
            let s = self.store;
            let (limit, next) = (self.limit, &mut self.next);
            let finished = match self.stage {
                0 => {
                    put_counts(&mut part, s, &self.strings);
                    true
                }
                1 => section(&mut part, TAG_FILES, &s.files, next, limit),
                2 => section(&mut part, TAG_STRINGS, &self.strings, next, limit),
                3 => section(&mut part, TAG_SPANS, &s.spans, next, limit),
                4 => section(&mut part, TAG_ATTRS, &s.attrs, next, limit),
                5 => section(&mut part, TAG_EVENTS, &s.events, next, limit),
                6 => section(&mut part, TAG_LINKS, &s.links, next, limit),
                7 => section(&mut part, TAG_RESOURCES, &s.resources, next, limit),
                8 => section(&mut part, TAG_SPAN_WARNINGS, &s.span_warnings, next, limit),
                9 => section(&mut part, TAG_SPAN_ID_TEXT, &self.span_id_text, next, limit),
                10 => section(
                    &mut part,
                    TAG_TRACE_ID_TEXT,
                    &self.trace_id_text,
                    next,
                    limit,
                ),
                11 => section(&mut part, TAG_DEPENDENCIES, &s.dependencies, next, limit),
                12 => match self.traces {
                    Some(traces) => self.trace_sections(traces, &mut part),
                    None => break,
                },
                _ => break,
            };
            if finished {
                self.stage += 1;
                self.next = 0;
            }
        }
        (!part.is_empty()).then_some(part)
    }

    /// Writes sections of the traces; true when all traces are out.
    fn trace_sections(&mut self, traces: &[Trace], part: &mut Vec<u8>) -> bool {
        let Some(trace) = traces.get(self.trace) else {
            return true;
        };
        if !self.head_written {
            part.push(TAG_TRACE);
            put_u32(part, 1);
            put_trace_head(part, trace);
            self.head_written = true;
            return false;
        }
        if self.next < trace.spans.len() {
            let rows: Vec<Row> = (self.next..trace.spans.len().min(self.next + self.limit / 16))
                .map(|p| Row {
                    span: trace.spans[p],
                    depth: trace.depth[p],
                    parent: trace.parent[p],
                    subtree_end: trace.subtree_end[p],
                })
                .collect();
            let mut taken = 0;
            put_section(part, TAG_TRACE_ROWS, &rows, &mut taken, self.limit);
            self.next += taken;
            return false;
        }
        let mut taken = self.next - trace.spans.len();
        if taken < trace.warnings.len() {
            put_section(
                part,
                TAG_TRACE_WARNINGS,
                &trace.warnings,
                &mut taken,
                self.limit,
            );
            self.next = trace.spans.len() + taken;
            return false;
        }
        self.trace += 1;
        self.next = 0;
        self.head_written = false;
        self.trace >= traces.len()
    }
}

/// Writes the sizes of the store's arrays, so the decoder allocates each once (wasm memory
/// never shrinks: growing by doubling would leave the page with up to twice the memory).
fn put_counts(part: &mut Vec<u8>, s: &Store, strings: &[&str]) {
    part.push(TAG_COUNTS);
    put_u32(part, 1);
    let string_bytes: usize = strings.iter().map(|t| t.len()).sum();
    for n in [
        strings.len(),
        string_bytes,
        s.spans.len(),
        s.attrs.len(),
        s.events.len(),
        s.links.len(),
        s.resources.len(),
        s.span_warnings.len(),
    ] {
        put_u64(part, n as u64);
    }
}

/// Writes one section of `items` (if any remain); true when the array is exhausted.
fn section<T: Record>(
    part: &mut Vec<u8>,
    tag: u8,
    items: &[T],
    next: &mut usize,
    limit: usize,
) -> bool {
    if *next < items.len() {
        put_section(part, tag, items, next, limit);
    }
    *next >= items.len()
}

impl Record for &str {
    fn size(&self) -> usize {
        4 + self.len()
    }
    fn put(&self, w: &mut Vec<u8>) {
        put_str(w, self);
    }
    fn get(_: &mut Reader<'_>) -> Result<Self> {
        Err(WireError("strings are decoded in place".into()))
    }
}

/// Rebuilds a model from its parts, in the order [`Encoder`] produced them.
#[derive(Default)]
pub struct Decoder {
    store: Store,
    traces: Vec<Trace>,
    parts: usize,
    /// Which strings are a span's service, marked as spans arrive (see [`Decoder::services`]).
    service_seen: Vec<bool>,
}

impl Decoder {
    pub fn new() -> Self {
        Decoder {
            store: Store::default(),
            traces: Vec::new(),
            parts: 0,
            service_seen: Vec::new(),
        }
    }

    /// Decodes one part.
    pub fn push(&mut self, part: &[u8]) -> Result<()> {
        let mut r = Reader { bytes: part, at: 0 };
        let at_part = self.parts;
        self.parts += 1;
        while !r.done() {
            let tag = r.u8()?;
            let count = r.u32()? as usize;
            if !self.section(tag, count, &mut r)? {
                return Err(WireError(format!(
                    "unknown section {tag} in part {at_part} at byte {}",
                    r.at
                )));
            }
        }
        Ok(())
    }

    /// Decodes the `count` records of one section, its header read; false for an unknown
    /// tag (nothing read).
    fn section(&mut self, tag: u8, count: usize, r: &mut Reader<'_>) -> Result<bool> {
        let s = &mut self.store;
        match tag {
            TAG_COUNTS => reserve_for_counts(r, s)?,
            TAG_FILES => read_into(r, count, &mut s.files)?,
            TAG_STRINGS => {
                for _ in 0..count {
                    s.strings.push_decoded(r.str()?);
                }
            }
            TAG_SPANS => self.read_spans(r, count)?,
            TAG_ATTRS => read_into(r, count, &mut s.attrs)?,
            TAG_EVENTS => read_into(r, count, &mut s.events)?,
            TAG_LINKS => read_into(r, count, &mut s.links)?,
            TAG_RESOURCES => read_into(r, count, &mut s.resources)?,
            TAG_SPAN_WARNINGS => read_into(r, count, &mut s.span_warnings)?,
            TAG_DEPENDENCIES => read_into(r, count, &mut s.dependencies)?,
            TAG_SPAN_ID_TEXT => {
                for _ in 0..count {
                    let (id, text) = <(SpanId, StrId)>::get(r)?;
                    s.span_id_text.insert(id, text);
                }
            }
            TAG_TRACE_ID_TEXT => {
                for _ in 0..count {
                    let (id, text) = <(TraceId, StrId)>::get(r)?;
                    s.trace_id_text.insert(id, text);
                }
            }
            TAG_TRACE => {
                for _ in 0..count {
                    self.traces.push(get_trace_head(r)?);
                }
            }
            TAG_TRACE_ROWS => read_rows(r, count, self.last_trace()?)?,
            TAG_TRACE_WARNINGS => read_into(r, count, &mut self.last_trace()?.warnings)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Reads `count` spans, marking their services as seen (see [`Decoder::services`]).
    fn read_spans(&mut self, r: &mut Reader<'_>, count: usize) -> Result<()> {
        let spans = &mut self.store.spans;
        let from = spans.len();
        read_into(r, count, spans)?;
        for span in &spans[from..] {
            let i = span.service.0 as usize;
            if i >= self.service_seen.len() {
                self.service_seen.resize(i + 1, false);
            }
            self.service_seen[i] = true;
        }
        Ok(())
    }

    fn last_trace(&mut self) -> Result<&mut Trace> {
        self.traces
            .last_mut()
            .ok_or_else(|| WireError("trace rows before any trace".into()))
    }

    /// Spans decoded so far (for progress).
    pub fn span_count(&self) -> usize {
        self.store.spans.len()
    }

    /// The distinct services of the spans decoded so far: what [`Store::services`] gives for
    /// the decoded store, collected part by part instead of in one pass over a million spans
    /// in the task that shows the model.
    pub fn services(&self) -> Vec<StrId> {
        self.service_seen
            .iter()
            .enumerate()
            .filter(|(_, seen)| **seen)
            .map(|(i, _)| StrId(i as u32))
            .collect()
    }

    /// The decoded model.
    pub fn finish(self) -> (Store, Vec<Trace>) {
        (self.store, self.traces)
    }
}

fn read_into<T: Record>(r: &mut Reader<'_>, count: usize, out: &mut Vec<T>) -> Result<()> {
    out.reserve(count);
    for _ in 0..count {
        out.push(T::get(r)?);
    }
    Ok(())
}

/// Reads the `TAG_COUNTS` record (the sizes of the store's arrays) and reserves every array
/// once.
///
/// Every array and the room for what the view allocates once the model is complete (span
/// trees, visible rows, search bits: [`HEADROOM_PER_SPAN`] bytes a span) are taken in one
/// block first and given back to the allocator, which then carves the arrays out of it: the
/// wasm memory grows once (in Chromium each growth of a big memory sets off a major garbage
/// collection).
fn reserve_for_counts(r: &mut Reader<'_>, s: &mut Store) -> Result<()> {
    let mut n = [0usize; 8];
    for v in &mut n {
        // A bad count must not make us try to allocate the world.
        *v = (r.u64()? as usize).min(1 << 28);
    }
    use std::mem::size_of;
    let block = [
        n[1] + n[0] * (size_of::<usize>() + 2 * size_of::<u32>()),
        n[2] * (size_of::<Span>() + HEADROOM_PER_SPAN),
        n[3] * size_of::<PackedAttr>(),
        n[4] * size_of::<Event>(),
        n[5] * size_of::<Link>(),
        n[6] * size_of::<Resource>(),
        n[7] * size_of::<(u32, SpanWarning)>(),
    ]
    .iter()
    .fold(0usize, |sum, b| sum.saturating_add(*b));
    let mut whole = Vec::<u8>::new();
    let _ = whole.try_reserve_exact(block); // best effort
    drop(whole);
    s.strings.reserve(n[0], n[1]);
    s.spans.reserve_exact(n[2]);
    s.attrs.reserve_exact(n[3]);
    s.events.reserve_exact(n[4]);
    s.links.reserve_exact(n[5]);
    s.resources.reserve_exact(n[6]);
    s.span_warnings.reserve_exact(n[7]);
    Ok(())
}

/// Appends `count` rows to `trace`'s per-row arrays.
fn read_rows(r: &mut Reader<'_>, count: usize, trace: &mut Trace) -> Result<()> {
    for _ in 0..count {
        let row = Row::get(r)?;
        trace.spans.push(row.span);
        trace.depth.push(row.depth);
        trace.parent.push(row.parent);
        trace.subtree_end.push(row.subtree_end);
    }
    Ok(())
}

/// Encodes a whole model into parts (tests and small models; senders use [`Encoder`]).
pub fn encode_all(store: &Store, traces: &[Trace], part_bytes: usize) -> Vec<Vec<u8>> {
    let mut encoder = Encoder::new(store, traces, part_bytes);
    std::iter::from_fn(|| encoder.next_part()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{build_traces, Attr, Value};

    fn sample() -> Store {
        let mut s = Store::default();
        let svc = s.strings.intern("frontend");
        let op = s.strings.intern("GET /");
        let key = s.strings.intern("http.method");
        let val = s.strings.intern("GET");
        let opaque = s.strings.intern("not-hex");
        let attrs = s.push_attrs([
            Attr {
                key,
                value: Value::Str(val),
            },
            Attr {
                key,
                value: Value::Float(f64::NAN),
            },
            Attr {
                key,
                value: Value::Int(-7),
            },
            Attr {
                key,
                value: Value::Bool(true),
            },
            Attr {
                key,
                value: Value::Json(op),
            },
        ]);
        let events = s.push_events([Event {
            time_unix_nanos: 12,
            name: op,
            attrs,
        }]);
        let links = s.push_links([Link {
            trace_id: TraceId(u128::MAX),
            span_id: SpanId(3),
            attrs: Slice::default(),
        }]);
        s.resources.push(Resource {
            service: svc,
            attrs,
            scope_name: op,
            scope_version: StrId::EMPTY,
            scope_attrs: Slice::default(),
        });
        for i in 0..40u64 {
            s.dependencies.push(Dependency {
                parent: svc,
                child: op,
                parent_type: StrId::EMPTY,
                child_type: val,
                calls: i * 1_000_000_007,
                errors: (i % 2 == 0).then_some(i),
                latency_nanos: [i as i64, -1, i64::MAX],
                file: 0,
            });
        }
        for i in 0..500u64 {
            s.spans.push(Span {
                trace_id: TraceId(1 + (i % 3) as u128),
                span_id: SpanId(i + 1),
                parent_id: SpanId(if i < 3 { 0 } else { i / 2 }),
                start_unix_nanos: i as i64 * 10,
                duration_nanos: if i == 7 { -1 } else { 1000 - i as i64 },
                service: svc,
                name: op,
                kind: SpanKind::Client,
                status: if i == 9 {
                    StatusCode::Error
                } else {
                    StatusCode::Ok
                },
                status_message: val,
                resource: 0,
                attrs,
                events,
                links,
                file: 0,
            });
        }
        s.span_warnings.push((
            4,
            SpanWarning::OpaqueId {
                field: "span id",
                text: "not-hex".into(),
            },
        ));
        s.span_warnings.push((7, SpanWarning::NoEndTime));
        s.span_warnings
            .push((8, SpanWarning::FromSource("clock skew".into())));
        s.span_warnings.push((9, SpanWarning::InProgress));
        s.span_warnings.push((
            9,
            SpanWarning::UnreadableField {
                field: "meta \"events\"".into(),
                reason: "not JSON".into(),
            },
        ));
        s.span_warnings.push((
            9,
            SpanWarning::OpaqueId {
                field: "parent.id",
                text: "ABC-1".into(),
            },
        ));
        s.span_id_text.insert(SpanId(5), opaque);
        s.trace_id_text.insert(TraceId(2), opaque);
        s.files.push(FileInfo {
            name: "a.json".into(),
            format: "OTLP JSON".into(),
            bytes: 123,
            span_count: 500,
            trace_count: 3,
            warnings: vec!["1 span has no end time".into()],
        });
        s
    }

    fn assert_same(a: &Store, b: &Store) {
        assert_eq!(a.strings.len(), b.strings.len());
        for i in 0..a.strings.len() as u32 {
            assert_eq!(a.strings.get(StrId(i)), b.strings.get(StrId(i)));
        }
        assert_eq!(a.spans, b.spans);
        assert_eq!(a.events, b.events);
        assert_eq!(a.links, b.links);
        assert_eq!(a.resources, b.resources);
        assert_eq!(a.span_warnings, b.span_warnings);
        assert_eq!(a.span_id_text, b.span_id_text);
        assert_eq!(a.trace_id_text, b.trace_id_text);
        assert_eq!(a.files, b.files);
        assert_eq!(a.dependencies, b.dependencies);
        assert_eq!(a.attrs.len(), b.attrs.len());
        // Packed attributes compare bit for bit (so NaN equals NaN).
        assert_eq!(a.attrs, b.attrs);
    }

    #[test]
    fn round_trips_in_small_parts() {
        let store = sample();
        let traces = build_traces(&store);
        for part_bytes in [1, 100, 4096, PART_BYTES] {
            let parts = encode_all(&store, &traces, part_bytes);
            assert!(parts.iter().all(|p| p.len() <= part_bytes.max(1024) + 256));
            if part_bytes <= 4096 {
                assert!(parts.len() > 5, "{} parts", parts.len());
            }
            let mut d = Decoder::new();
            for p in &parts {
                d.push(p).unwrap();
            }
            let services = d.services();
            let (back, back_traces) = d.finish();
            assert_same(&store, &back);
            assert_eq!(traces, back_traces);
            assert_eq!(services, back.services());
        }
    }

    #[test]
    fn the_store_can_go_before_the_traces_are_built() {
        let store = sample();
        for part_bytes in [1, 4096, PART_BYTES] {
            let mut encoder = Encoder::store_first(&store, part_bytes);
            let mut d = Decoder::new();
            let mut store_parts = 0;
            while let Some(p) = encoder.next_part() {
                d.push(&p).unwrap();
                store_parts += 1;
            }
            assert!(store_parts > 0);
            assert_eq!(d.span_count(), store.spans.len(), "the spans are all out");
            // Built after the store went out (as the worker does).
            let traces = build_traces(&store);
            encoder.add_traces(&traces);
            let mut trace_parts = 0;
            while let Some(p) = encoder.next_part() {
                d.push(&p).unwrap();
                trace_parts += 1;
            }
            assert!(trace_parts > 0);
            let (back, back_traces) = d.finish();
            assert_same(&store, &back);
            assert_eq!(traces, back_traces);
        }
    }

    #[test]
    fn services_are_collected_while_decoding() {
        let cfg = spanorama_gen::GenConfig {
            spans_min: 200,
            spans_max: 200,
            ..spanorama_gen::GenConfig::default()
        };
        let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
        let store = crate::import::import("gen.json", &bytes).unwrap();
        let mut d = Decoder::new();
        for p in encode_all(&store, &build_traces(&store), 4096) {
            d.push(&p).unwrap();
        }
        let services = d.services();
        assert!(services.len() >= 3, "{services:?}");
        assert_eq!(services, store.services());
    }

    #[test]
    fn decoded_interner_still_interns() {
        let store = sample();
        let mut d = Decoder::new();
        for p in encode_all(&store, &[], PART_BYTES) {
            d.push(&p).unwrap();
        }
        let (mut back, _) = d.finish();
        let n = back.strings.len();
        assert_eq!(
            back.strings.lookup("frontend"),
            store.strings.lookup("frontend")
        );
        assert_eq!(
            back.strings.intern("GET"),
            store.strings.lookup("GET").unwrap()
        );
        assert_eq!(back.strings.len(), n);
        back.strings.intern("new");
        assert_eq!(back.strings.len(), n + 1);
    }

    #[test]
    fn truncated_or_garbled_parts_are_errors_not_panics() {
        let store = sample();
        let traces = build_traces(&store);
        let parts = encode_all(&store, &traces, PART_BYTES);
        let whole = &parts[0];
        for cut in [1, 5, 17, whole.len() / 2, whole.len() - 1] {
            assert!(Decoder::new().push(&whole[..cut]).is_err(), "cut at {cut}");
        }
        assert!(Decoder::new().push(&[99, 0, 0, 0, 0]).is_err());
        assert!(Decoder::new().push(&[TAG_TRACE_ROWS, 1, 0, 0, 0]).is_err());
    }
}
