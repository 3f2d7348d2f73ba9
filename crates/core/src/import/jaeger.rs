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
//! The same reader takes Jaeger's api_v2 model in protobuf-JSON (see `jaeger_proto.rs`, the
//! importer entry for it): the same span model in another spelling (`traceId`, `spanId`,
//! `processId`, `processMap`, typed tags with `vType` and `vStr`/`vInt64`/…), with RFC 3339
//! times and duration strings, in `{"spans"}`, `{"result"}`, `{"batch"}` or `{"batches"}`
//! wrappers. Both spellings are accepted in either file.
//!
//! Ignored: `flags`, `total`/`limit`/`offset`/`errors` of the envelope.
//!
//! Units: `startTime` and log timestamps are microseconds since the Unix epoch, `duration`
//! is microseconds (api_v2: RFC 3339 text and duration strings); all are converted to
//! nanoseconds.
//!
//! Reading: one pass with the pull [`Scanner`]; each span goes into the builder as soon as
//! its object ends. Jaeger writes a trace's `processes` after its `spans`, so spans read
//! before their processes are added unresolved and get their resource (and service) when the
//! trace object ends. A process is read (and becomes a resource) when a span first uses it.
//!
//! Spec: `jaegertracing/jaeger` `internal/uimodel/model.go`; the UI's consumer
//! `jaeger-ui/packages/jaeger-ui/src/model/transform-trace-data.ts`.

use super::jaeger_proto::{read_duration, read_time};
use super::scan::{error_message, Num, Raw, ScanError, ScanResult, Scanner, Seq};
use super::{
    first_byte, has_key, span_kind_from_name, typed_value, Declared, Importer, Sniff, StoreBuilder,
};
use crate::model::{
    Attr, Event, Link, Resource, Slice, Span, SpanId, SpanKind, SpanWarning, StatusCode, StrId,
    TraceId, Value,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

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

/// Reads Jaeger UI JSON and api_v2 protobuf-JSON alike (see the header).
pub(super) fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let mut read = || -> ScanResult<()> {
        let mut s = Scanner::new(bytes)?;
        let mut scratch = Scratch::default();
        while !s.at_end() {
            document(&mut s, b, &mut scratch)?;
        }
        Ok(())
    };
    read().map_err(|e| error_message(bytes, &e))
}

/// One document: an array of nodes (traces, or spans with inline processes), or one node
/// (an envelope, a trace, or a span).
fn document<'a>(
    s: &mut Scanner<'a>,
    b: &mut StoreBuilder,
    scratch: &mut Scratch<'a>,
) -> ScanResult<()> {
    let mut group = Processes::complete();
    if s.peek() == Some(b'[') {
        let mut list = s.array("a list of Jaeger traces or spans")?;
        while s.item(&mut list)? {
            node(s, b, scratch, &mut group)?;
        }
    } else {
        node(s, b, scratch, &mut group)?;
    }
    Ok(())
}

/// Buffers shared by all spans, used as stacks: a node keeps its items from its base index
/// on and truncates back to it when done, so nested nodes can share them.
#[derive(Default)]
struct Scratch<'a> {
    /// `references` as written: (CHILD_OF?, trace id text, span id text).
    refs: Vec<(bool, Cow<'a, str>, Cow<'a, str>)>,
    warnings: Vec<Cow<'a, str>>,
    /// `references` read: (CHILD_OF?, trace id, span id); used within one span only.
    read_refs: Vec<(bool, TraceId, SpanId)>,
}

/// The processes spans refer to by `processID`: those of one trace (its `processes` map),
/// or none for a list of loose spans. Resolves ids to resources, pushing each process as a
/// resource when first used.
struct Processes<'a> {
    /// Where each process object starts in the input, once the map has been read.
    map: Option<FxHashMap<Cow<'a, str>, usize>>,
    /// True once no `processes` can come any more (the trace object ended, or there is none).
    complete: bool,
    /// Resources made so far, by process id.
    resources: FxHashMap<Cow<'a, str>, u32>,
    /// Where the process of spans that name none starts (an api_v2 batch's `process`).
    default: Option<usize>,
    /// Spans added before the map was read, and the process ids they wait for (the span's
    /// `resource` holds the index into `waiting_ids`).
    unresolved: Vec<u32>,
    waiting_ids: Vec<Cow<'a, str>>,
    waiting_index: FxHashMap<Cow<'a, str>, u32>,
}

impl<'a> Processes<'a> {
    fn complete() -> Self {
        Processes {
            complete: true,
            ..Self::open()
        }
    }

    fn open() -> Self {
        Processes {
            map: None,
            complete: false,
            resources: FxHashMap::default(),
            default: None,
            unresolved: Vec::new(),
            waiting_ids: Vec::new(),
            waiting_index: FxHashMap::default(),
        }
    }

    /// The processes of a trace whose spans so far were read by earlier windows of a
    /// streaming read ([`Stream`]): those spans, and the process ids they wait for.
    fn resumed(unresolved: Vec<u32>, waiting_ids: Vec<String>) -> Self {
        let waiting_ids: Vec<Cow<'a, str>> = waiting_ids.into_iter().map(Cow::Owned).collect();
        let waiting_index = (0u32..)
            .zip(&waiting_ids)
            .map(|(i, id)| (id.clone(), i))
            .collect();
        Processes {
            unresolved,
            waiting_ids,
            waiting_index,
            ..Self::open()
        }
    }

    /// What [`Processes::resumed`] takes, kept past the window the ids were read from.
    fn suspend(self) -> (Vec<u32>, Vec<String>) {
        let ids = self.waiting_ids.into_iter().map(Cow::into_owned).collect();
        (self.unresolved, ids)
    }

    /// The resource of process `id`, or `None` when the map has not been read yet.
    fn resource(
        &mut self,
        s: &Scanner<'a>,
        b: &mut StoreBuilder,
        id: Cow<'a, str>,
    ) -> ScanResult<Option<u32>> {
        if let Some(&r) = self.resources.get(id.as_ref()) {
            return Ok(Some(r));
        }
        let at = match &self.map {
            Some(map) => map.get(id.as_ref()).copied(),
            None if self.complete => None,
            None => return Ok(None),
        };
        let at = at.or(if id.is_empty() { self.default } else { None });
        let r = match at {
            Some(at) => process(&mut s.fork_at(at), b)?,
            None => {
                if !id.is_empty() {
                    b.warn_file(format!("process \"{id}\" is not in the trace's processes"));
                }
                push_process(b, StrId::EMPTY, Slice::default())
            }
        };
        self.resources.insert(id, r);
        Ok(Some(r))
    }

    /// Adds `span`, resolved now if its process is known, else when [`Processes::finish`]
    /// runs.
    fn push_span(
        &mut self,
        s: &Scanner<'a>,
        b: &mut StoreBuilder,
        mut span: Span,
        id: Cow<'a, str>,
    ) -> ScanResult<()> {
        if let Some(r) = self.resource(s, b, id.clone())? {
            span.resource = r;
            span.service = b.resource_service(r);
            b.push_span(span);
            return Ok(());
        }
        let next = self.waiting_ids.len() as u32;
        let waiting = *self.waiting_index.entry(id.clone()).or_insert(next);
        if waiting == next {
            self.waiting_ids.push(id);
        }
        span.resource = waiting;
        let index = b.push_span_unresolved(span);
        self.unresolved.push(index);
        Ok(())
    }

    /// Marks the processes complete and resolves the spans that waited for them.
    fn finish(&mut self, s: &Scanner<'a>, b: &mut StoreBuilder) -> ScanResult<()> {
        self.complete = true;
        if self.unresolved.is_empty() {
            return Ok(());
        }
        let ids = std::mem::take(&mut self.waiting_ids);
        let mut table = Vec::with_capacity(ids.len());
        for id in ids {
            table.push(self.resource(s, b, id)?.unwrap_or(0));
        }
        let unresolved = std::mem::take(&mut self.unresolved);
        b.resolve_spans(&unresolved, |waiting| {
            table.get(waiting as usize).copied().unwrap_or(0)
        });
        Ok(())
    }
}

/// Reads api_v2's `processMap` (`[{processId, process}]`) into `map`: where each process
/// starts.
fn read_process_map<'a>(
    s: &mut Scanner<'a>,
    map: &mut Option<FxHashMap<Cow<'a, str>, usize>>,
) -> ScanResult<()> {
    let Some(mut list) = s.array_or_null("a list of process mappings")? else {
        return Ok(());
    };
    let map = map.get_or_insert_with(FxHashMap::default);
    while s.item(&mut list)? {
        let mut o = s.object("a process mapping (an object with \"processId\" and \"process\")")?;
        let (mut id, mut at) = (Cow::Borrowed(""), None);
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                "processId" | "processID" => id = s.string_or_null("a process id")?,
                "process" => {
                    at = Some(s.pos());
                    s.skip()?;
                }
                _ => s.skip()?,
            }
        }
        if let Some(at) = at {
            map.insert(id, at);
        }
    }
    Ok(())
}

/// Reads a `processes` map: where each process starts (read when first used).
fn read_processes<'a>(s: &mut Scanner<'a>) -> ScanResult<Option<FxHashMap<Cow<'a, str>, usize>>> {
    let Some(mut o) = s.object_or_null("a map of processes")? else {
        return Ok(None);
    };
    let mut map = FxHashMap::default();
    while let Some(id) = s.key(&mut o)? {
        map.insert(id, s.pos());
        s.skip()?;
    }
    Ok(Some(map))
}

/// Reads a process object (`{serviceName, tags}`) and adds it as a resource.
fn process(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<u32> {
    let (mut service, mut attrs) = (StrId::EMPTY, Slice::default());
    if let Some(mut o) = s.object_or_null("a process object")? {
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                "serviceName" => service = b.intern(&s.string_or_null("a service name")?),
                "tags" => attrs = tags(s, b, &mut TagEffects::None)?,
                _ => s.skip()?,
            }
        }
    }
    Ok(push_process(b, service, attrs))
}

fn push_process(b: &mut StoreBuilder, service: StrId, attrs: Slice) -> u32 {
    b.push_resource(Resource {
        service,
        attrs,
        scope_name: StrId::EMPTY,
        scope_version: StrId::EMPTY,
        scope_attrs: Slice::default(),
    })
}

/// The fields of a span object, gathered until the object ends.
struct SpanFields<'a> {
    trace_id: Cow<'a, str>,
    span_id: Option<Cow<'a, str>>,
    parent_span_id: Option<Cow<'a, str>>,
    name: StrId,
    start_nanos: i64,
    duration_nanos: i64,
    attrs: Slice,
    events: Option<Slice>,
    kind: SpanKind,
    status: StatusCode,
    status_message: StrId,
    process_id: Cow<'a, str>,
    /// Where an inline `process` object starts.
    process: Option<usize>,
    /// This span's items in [`Scratch`] start here.
    refs_base: usize,
    warnings_base: usize,
}

impl<'a> SpanFields<'a> {
    fn new(scratch: &Scratch<'a>) -> Self {
        SpanFields {
            trace_id: Cow::Borrowed(""),
            span_id: None,
            parent_span_id: None,
            name: StrId::EMPTY,
            start_nanos: 0,
            duration_nanos: 0,
            attrs: Slice::default(),
            events: None,
            kind: SpanKind::Unspecified,
            status: StatusCode::Unset,
            status_message: StrId::EMPTY,
            process_id: Cow::Borrowed(""),
            process: None,
            refs_base: scratch.refs.len(),
            warnings_base: scratch.warnings.len(),
        }
    }

    /// Reads the value of `key` if it is a span field; else skips it.
    fn read(
        &mut self,
        key: &str,
        s: &mut Scanner<'a>,
        b: &mut StoreBuilder,
        scratch: &mut Scratch<'a>,
    ) -> ScanResult<()> {
        match key {
            "traceID" | "traceId" => self.trace_id = s.string_or_null("a trace id")?,
            "spanID" | "spanId" => self.span_id = optional_string(s, "a span id")?,
            "parentSpanID" => self.parent_span_id = optional_string(s, "a span id")?,
            "operationName" => self.name = b.intern(&s.string_or_null("an operation name")?),
            "references" => read_references(s, scratch)?,
            "startTime" => self.start_nanos = read_time(s)?,
            "duration" => {
                self.duration_nanos = read_duration(s)?;
                if self.duration_nanos < 0 {
                    b.warn_span(SpanWarning::EndBeforeStart);
                    self.duration_nanos = 0;
                }
            }
            "tags" => {
                let mut effects = TagEffects::Span {
                    kind: &mut self.kind,
                    status: &mut self.status,
                    status_message: &mut self.status_message,
                };
                self.attrs = tags(s, b, &mut effects)?;
            }
            "logs" => self.events = Some(logs(s, b)?),
            "processID" | "processId" => self.process_id = s.string_or_null("a process id")?,
            "process" => {
                if !s.null()? {
                    self.process = Some(s.pos());
                    s.skip()?;
                }
            }
            "warnings" => {
                if let Some(mut list) = s.array_or_null("a list of warnings")? {
                    while s.item(&mut list)? {
                        scratch.warnings.push(s.string("a warning")?);
                    }
                }
            }
            _ => s.skip()?,
        }
        Ok(())
    }

    /// Frees this span's scratch items.
    fn release(&self, scratch: &mut Scratch<'a>) {
        scratch.refs.truncate(self.refs_base);
        scratch.warnings.truncate(self.warnings_base);
    }

    /// The span record, ids read and references turned into a parent and links (the
    /// caller sets its resource and service).
    fn finish(self, b: &mut StoreBuilder, scratch: &mut Scratch<'a>) -> Span {
        let trace_id = b.trace_id(&self.trace_id, "trace id");
        let span_id = b.span_id(self.span_id.as_deref().unwrap_or(""), "span id");

        // Parent: first CHILD_OF in the same trace, else first FOLLOWS_FROM in the same
        // trace, else the deprecated parentSpanID. Every other reference becomes a link.
        let refs = &mut scratch.read_refs;
        refs.clear();
        for (child_of, ref_trace, ref_span) in scratch.refs.get(self.refs_base..).unwrap_or(&[]) {
            let ref_trace = if ref_trace.is_empty() {
                trace_id
            } else {
                b.trace_id(ref_trace, "reference trace id")
            };
            let ref_span = b.span_id(ref_span, "reference span id");
            refs.push((*child_of, ref_trace, ref_span));
        }
        let same_trace = |(_, t, s): &(bool, TraceId, SpanId)| *t == trace_id && !s.is_zero();
        let parent_ref = refs
            .iter()
            .position(|r| r.0 && same_trace(r))
            .or_else(|| refs.iter().position(|r| !r.0 && same_trace(r)));
        let parent_id = match (parent_ref, &self.parent_span_id) {
            (Some(i), _) => refs.get(i).map_or(SpanId(0), |r| r.2),
            (None, Some(p)) => b.span_id(p, "parent span id"),
            (None, None) => SpanId(0),
        };
        let marks = b.marks();
        for (i, &(child_of, trace_id, span_id)) in refs.iter().enumerate() {
            if Some(i) == parent_ref {
                continue;
            }
            let key = b.intern("jaeger.ref_type");
            let value = b.intern(if child_of { "CHILD_OF" } else { "FOLLOWS_FROM" });
            let attrs = b.push_attrs([Attr {
                key,
                value: Value::Str(value),
            }]);
            b.push_link(Link {
                trace_id,
                span_id,
                attrs,
            });
        }
        let pushed = b.pushed_since(marks);
        for warning in scratch.warnings.get(self.warnings_base..).unwrap_or(&[]) {
            b.warn_span(SpanWarning::FromSource(warning.to_string()));
        }
        self.release(scratch);
        Span {
            trace_id,
            span_id,
            parent_id,
            start_unix_nanos: self.start_nanos,
            duration_nanos: self.duration_nanos,
            service: StrId::EMPTY,
            name: self.name,
            kind: self.kind,
            status: self.status,
            status_message: self.status_message,
            resource: 0,
            attrs: self.attrs,
            events: self.events.unwrap_or(pushed.events),
            links: pushed.links,
            file: 0,
        }
    }
}

fn optional_string<'a>(s: &mut Scanner<'a>, expected: &str) -> ScanResult<Option<Cow<'a, str>>> {
    if s.null()? {
        return Ok(None);
    }
    s.string(expected).map(Some)
}

/// A JSON object of any Jaeger shape: an envelope (`data`), a trace (`spans`, `processes`)
/// or a loose span (`spanID`, … with an inline `process` or a `processID` that `group`
/// resolves). What it is shows only once it ends, so span fields are gathered meanwhile.
fn node<'a>(
    s: &mut Scanner<'a>,
    b: &mut StoreBuilder,
    scratch: &mut Scratch<'a>,
    group: &mut Processes<'a>,
) -> ScanResult<()> {
    let o = s.object("a Jaeger trace or span (an object with \"traceID\")")?;
    let mut node = Node::new(o, scratch, Processes::open());
    node.keys(s, b, scratch)?;
    node.end(s, b, scratch, group)
}

/// A [`node`] being read: what it has shown so far. A value of its own so that a streaming
/// read ([`Stream`]) can stop inside one and go on with it later.
struct Node<'a> {
    o: Seq,
    fields: SpanFields<'a>,
    /// The processes of its spans, if it is a trace.
    processes: Processes<'a>,
    has_data: bool,
    has_spans: bool,
    has_processes: bool,
}

impl<'a> Node<'a> {
    fn new(o: Seq, scratch: &Scratch<'a>, processes: Processes<'a>) -> Self {
        Node {
            o,
            fields: SpanFields::new(scratch),
            processes,
            has_data: false,
            has_spans: false,
            has_processes: false,
        }
    }

    /// Reads the rest of the object's keys.
    fn keys(
        &mut self,
        s: &mut Scanner<'a>,
        b: &mut StoreBuilder,
        scratch: &mut Scratch<'a>,
    ) -> ScanResult<()> {
        while let Some(key) = s.key(&mut self.o)? {
            match &*key {
                "data" => {
                    if let Some(mut list) = s.array_or_null("a list of Jaeger traces")? {
                        let mut inner = Processes::complete();
                        while s.item(&mut list)? {
                            self.has_data = true;
                            node(s, b, scratch, &mut inner)?;
                        }
                    }
                }
                "spans" => {
                    if let Some(mut list) = s.array_or_null("a list of spans")? {
                        while s.item(&mut list)? {
                            self.has_spans = true;
                            trace_span(s, b, scratch, &mut self.processes)?;
                        }
                    }
                }
                "processes" => {
                    self.processes.map = read_processes(s)?;
                    self.has_processes = self.processes.map.is_some();
                }
                "processMap" => {
                    read_process_map(s, &mut self.processes.map)?;
                    self.has_processes = self.processes.map.is_some();
                }
                // api_v2 wrappers: the grpc-gateway's `result`, a collector `batch`, `batches`.
                "result" | "batch" => {
                    self.has_data = true;
                    if !s.null()? {
                        node(s, b, scratch, &mut Processes::complete())?;
                    }
                }
                "batches" => {
                    if let Some(mut list) = s.array_or_null("a list of batches")? {
                        while s.item(&mut list)? {
                            self.has_data = true;
                            node(s, b, scratch, &mut Processes::complete())?;
                        }
                    }
                }
                _ => self.fields.read(&key, s, b, scratch)?,
            }
        }
        Ok(())
    }

    /// Once the object has ended: a trace's warnings and unresolved spans, or the loose
    /// span it was.
    fn end(
        mut self,
        s: &Scanner<'a>,
        b: &mut StoreBuilder,
        scratch: &mut Scratch<'a>,
        group: &mut Processes<'a>,
    ) -> ScanResult<()> {
        let fields = self.fields;
        let is_trace = !self.has_data && (self.has_spans || self.has_processes);
        if is_trace {
            for w in scratch.warnings.get(fields.warnings_base..).unwrap_or(&[]) {
                b.warn_file(format!("trace warning from Jaeger: {w}"));
            }
            // A batch's `process` is that of its spans that name none.
            self.processes.default = fields.process;
        }
        self.processes.finish(s, b)?;
        // An envelope's traces, and a trace's spans, were read above.
        if !self.has_data && !is_trace && fields.span_id.is_some() {
            return add_span(fields, s, b, scratch, group);
        }
        fields.release(scratch);
        Ok(())
    }
}

/// Reads a Jaeger file while it arrives (driven by `import::stream`), when it starts the way
/// Jaeger UI and its query API write it: `{"data":[{"traceID":"…","spans":[`. The spans of
/// that first trace are read as soon as their objects are complete (each waits for its
/// process, which Jaeger writes after the spans); the rest of the file (the trace's
/// `processes`, later traces, the envelope's other keys) when it is complete, with the
/// readers a whole read uses. Any other start, or a syntax error, ends the streaming read
/// (`false`/`Err`): the driver then reads the complete file with [`parse`], so a file reads
/// the same either way.
pub(super) struct Stream {
    phase: StreamPhase,
    /// Where reading goes on: the start of the file, the next span of the first trace (its
    /// comma included), or what follows that trace's `spans`.
    at: usize,
    /// The first trace's spans read so far, waiting for their processes, and the ids of
    /// those processes (see [`Processes::resumed`]).
    unresolved: Vec<u32>,
    waiting_ids: Vec<String>,
    /// The first trace's `traceID`, read by the prologue (the trace's other keys are read
    /// at the end, and a trace object that turns out to be a span needs it).
    trace_id: String,
}

#[derive(Copy, Clone, PartialEq, Debug)]
enum StreamPhase {
    Start,
    /// In the first trace's `spans`; `first` until a span is read.
    Spans {
        first: bool,
    },
    /// After that list.
    After,
}

/// Containers open inside the first trace's `spans`: the envelope, `data`, the trace and
/// the list.
const SPANS_DEPTH: u32 = 4;

impl Stream {
    pub fn new() -> Self {
        Stream {
            phase: StreamPhase::Start,
            at: 0,
            unresolved: Vec::new(),
            waiting_ids: Vec::new(),
            trace_id: String::new(),
        }
    }

    /// The offset in the input where the next window must start.
    pub fn resume_at(&self) -> usize {
        self.at
    }

    /// Reads the spans whose objects are complete in `window` (the input from
    /// [`Stream::resume_at`] to what has arrived; `end`: all of it). False when the input
    /// cannot be read this way.
    pub fn feed(&mut self, b: &mut StoreBuilder, window: &str, end: bool) -> bool {
        let cut_off = |s: &Scanner, e: &ScanError| !end && s.ends_at(e);
        let base = self.at;
        if self.phase == StreamPhase::Start {
            let mut s = Scanner::resume(window, self.at, 0);
            match prologue(&mut s, &mut self.trace_id) {
                Ok(true) => {
                    self.phase = StreamPhase::Spans { first: true };
                    self.at = s.pos();
                }
                Ok(false) => return false,
                Err(e) => return cut_off(&s, &e),
            }
        }
        let StreamPhase::Spans { first } = self.phase else {
            return true;
        };
        let window = window.get(self.at - base..).unwrap_or("");
        let mut s = Scanner::resume(window, self.at, SPANS_DEPTH);
        let mut scratch = Scratch::default();
        let mut processes = Processes::resumed(
            std::mem::take(&mut self.unresolved),
            std::mem::take(&mut self.waiting_ids),
        );
        let mut list = Seq::resume(first);
        let ok = loop {
            let (spans, marks) = (b.span_count(), b.marks());
            let item = s.item(&mut list).and_then(|more| {
                if more {
                    trace_span(&mut s, b, &mut scratch, &mut processes).map(|()| true)
                } else {
                    Ok(false)
                }
            });
            match item {
                Ok(true) => {
                    self.phase = StreamPhase::Spans { first: false };
                    self.at = s.pos();
                }
                Ok(false) => {
                    self.phase = StreamPhase::After;
                    self.at = s.pos();
                    break true;
                }
                Err(e) => {
                    let wait = cut_off(&s, &e) && b.span_count() == spans;
                    if wait {
                        b.roll_back(marks);
                    }
                    break wait;
                }
            }
        };
        (self.unresolved, self.waiting_ids) = processes.suspend();
        ok
    }

    /// Reads the rest of the complete input (`window`: from [`Stream::resume_at`] to its
    /// end) with the readers of a whole read. `Err` when it cannot be read this way.
    pub fn finish(mut self, b: &mut StoreBuilder, window: &str) -> Result<(), ()> {
        let base = self.at;
        if !self.feed(b, window, true) || self.phase != StreamPhase::After {
            return Err(());
        }
        let rest = window.get(self.at - base..).ok_or(())?;
        let mut s = Scanner::resume(rest, self.at, SPANS_DEPTH - 1);
        let mut scratch = Scratch::default();
        let processes = Processes::resumed(self.unresolved, self.waiting_ids);
        let read = || -> ScanResult<()> {
            // The first trace's keys after `spans`, then the envelope's other traces.
            let mut trace = Node::new(Seq::resume(false), &scratch, processes);
            trace.has_spans = b.span_count() > 0;
            trace.fields.trace_id = Cow::Owned(self.trace_id);
            trace.keys(&mut s, b, &mut scratch)?;
            let mut inner = Processes::complete();
            trace.end(&s, b, &mut scratch, &mut inner)?;
            let mut data = Seq::resume(false);
            while s.item(&mut data)? {
                node(&mut s, b, &mut scratch, &mut inner)?;
            }
            // The envelope's other keys, then more JSON Lines documents.
            let mut envelope = Node::new(Seq::resume(false), &scratch, Processes::open());
            envelope.has_data = true;
            envelope.keys(&mut s, b, &mut scratch)?;
            envelope.end(&s, b, &mut scratch, &mut Processes::complete())?;
            while !s.at_end() {
                document(&mut s, b, &mut scratch)?;
            }
            Ok(())
        };
        read().map_err(drop)
    }
}

/// Reads `{"data":[{"traceID":"…","spans":[` (any spacing), keeping the trace id in
/// `trace_id`; `Ok(false)` when the input starts otherwise.
fn prologue(s: &mut Scanner<'_>, trace_id: &mut String) -> ScanResult<bool> {
    let mut envelope = s.object("a Jaeger envelope")?;
    if s.key(&mut envelope)?.as_deref() != Some("data") || s.peek() != Some(b'[') {
        return Ok(false);
    }
    let mut data = s.array("a list of Jaeger traces")?;
    if !s.item(&mut data)? || s.peek() != Some(b'{') {
        return Ok(false);
    }
    let mut trace = s.object("a Jaeger trace")?;
    loop {
        match s.key(&mut trace)?.as_deref() {
            Some("traceID") if s.peek() == Some(b'"') => {
                *trace_id = s.string("a trace id")?.into_owned();
            }
            Some("spans") if s.peek() == Some(b'[') => {
                let _ = s.array("a list of spans")?;
                return Ok(true);
            }
            _ => return Ok(false),
        }
    }
}

/// One span of a trace's `spans`.
fn trace_span<'a>(
    s: &mut Scanner<'a>,
    b: &mut StoreBuilder,
    scratch: &mut Scratch<'a>,
    processes: &mut Processes<'a>,
) -> ScanResult<()> {
    let mut o = s.object("a span object")?;
    let mut fields = SpanFields::new(scratch);
    while let Some(key) = s.key(&mut o)? {
        fields.read(&key, s, b, scratch)?;
    }
    add_span(fields, s, b, scratch, processes)
}

/// Adds a span with its inline process (a resource of its own), or the one `processes`
/// has under its `processID`.
fn add_span<'a>(
    fields: SpanFields<'a>,
    s: &Scanner<'a>,
    b: &mut StoreBuilder,
    scratch: &mut Scratch<'a>,
    processes: &mut Processes<'a>,
) -> ScanResult<()> {
    let inline = fields.process;
    let process_id = fields.process_id.clone();
    let mut span = fields.finish(b, scratch);
    b.reserve_for_rest(s.pos());
    match inline {
        Some(at) => {
            span.resource = process(&mut s.fork_at(at), b)?;
            span.service = b.resource_service(span.resource);
            b.push_span(span);
            Ok(())
        }
        None => processes.push_span(s, b, span, process_id),
    }
}

fn read_references<'a>(s: &mut Scanner<'a>, scratch: &mut Scratch<'a>) -> ScanResult<()> {
    let Some(mut list) = s.array_or_null("a list of references")? else {
        return Ok(());
    };
    while s.item(&mut list)? {
        let mut o = s.object("a reference object")?;
        let (mut child_of, mut trace_id, mut span_id) =
            (true, Cow::Borrowed(""), Cow::Borrowed(""));
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                // CHILD_OF (0) unless FOLLOWS_FROM (1), by name or (api_v2) number.
                "refType" => {
                    child_of = match s.raw()? {
                        Raw::Str(name) => !name.eq_ignore_ascii_case("FOLLOWS_FROM"),
                        Raw::Num(Num::U(n)) => n != 1,
                        _ => true,
                    }
                }
                "traceID" | "traceId" => trace_id = s.string_or_null("a trace id")?,
                "spanID" | "spanId" => span_id = s.string_or_null("a span id")?,
                _ => s.skip()?,
            }
        }
        scratch.refs.push((child_of, trace_id, span_id));
    }
    Ok(())
}

/// What tags mean beyond being attributes.
enum TagEffects<'t, 'a> {
    /// Process tags: nothing.
    None,
    /// Span tags: `span.kind`, `error`, `otel.status_code`, `otel.status_description`.
    Span {
        kind: &'t mut SpanKind,
        status: &'t mut StatusCode,
        status_message: &'t mut StrId,
    },
    /// Log fields: the first `event` or `message` field names the event, if it is a string.
    Log {
        name: &'t mut Option<Option<Cow<'a, str>>>,
    },
}

/// A list of typed tags (`{key, type, value}`), appended to the attribute arena.
fn tags<'a>(
    s: &mut Scanner<'a>,
    b: &mut StoreBuilder,
    effects: &mut TagEffects<'_, 'a>,
) -> ScanResult<Slice> {
    let marks = b.marks();
    if let Some(mut list) = s.array_or_null("a list of tags")? {
        while s.item(&mut list)? {
            let mut o = s.object("a tag (an object with \"key\" and \"value\")")?;
            let (mut key, mut kind, mut value) = (Cow::Borrowed(""), Cow::Borrowed(""), None);
            // api_v2: the type the value's field implies, when `vType` is left out.
            let mut field_kind = "";
            while let Some(field) = s.key(&mut o)? {
                match &*field {
                    "key" => key = s.string_or_null("a tag key")?,
                    "type" => kind = s.string_or_null("a tag type")?,
                    "vType" => kind = value_type(s)?,
                    "value" | "vStr" | "vBool" | "vInt64" | "vFloat64" | "vBinary" => {
                        field_kind = match &*field {
                            "vInt64" => "int64",
                            "vFloat64" => "float64",
                            "vBinary" => "binary",
                            _ => field_kind,
                        };
                        value = Some(s.raw()?).filter(|v| *v != Raw::Null);
                    }
                    _ => s.skip()?,
                }
            }
            if kind.is_empty() {
                kind = Cow::Borrowed(field_kind);
            }
            effects.apply(b, &key, value.as_ref());
            let attr = Attr {
                key: b.intern(&key),
                value: tag_value(b, &kind, value.as_ref()),
            };
            b.push_attr(attr);
        }
    }
    Ok(b.pushed_since(marks).attrs)
}

impl<'a> TagEffects<'_, 'a> {
    fn apply(&mut self, b: &mut StoreBuilder, key: &str, value: Option<&Raw<'a>>) {
        match self {
            TagEffects::None => {}
            TagEffects::Span {
                kind,
                status,
                status_message,
            } => match (key, value) {
                ("span.kind", Some(Raw::Str(k))) => **kind = span_kind_from_name(k),
                ("error", Some(Raw::Bool(true))) => **status = StatusCode::Error,
                ("error", Some(Raw::Str(v))) if v.eq_ignore_ascii_case("true") => {
                    **status = StatusCode::Error
                }
                ("otel.status_code", Some(Raw::Str(v))) => {
                    if v.eq_ignore_ascii_case("ERROR") {
                        **status = StatusCode::Error;
                    } else if v.eq_ignore_ascii_case("OK") && **status != StatusCode::Error {
                        **status = StatusCode::Ok;
                    }
                }
                ("otel.status_description", Some(Raw::Str(v))) => **status_message = b.intern(v),
                _ => {}
            },
            TagEffects::Log { name } => {
                if name.is_none() && (key == "event" || key == "message") {
                    **name = Some(match value {
                        Some(Raw::Str(s)) => Some(s.clone()),
                        _ => None,
                    });
                }
            }
        }
    }
}

/// `logs`, as events named by their `event` (or `message`) field.
fn logs(s: &mut Scanner<'_>, b: &mut StoreBuilder) -> ScanResult<Slice> {
    let marks = b.marks();
    if let Some(mut list) = s.array_or_null("a list of logs")? {
        while s.item(&mut list)? {
            let mut o = s.object("a log object")?;
            let (mut nanos, mut name, mut attrs) = (0, None, Slice::default());
            while let Some(key) = s.key(&mut o)? {
                match &*key {
                    "timestamp" => nanos = read_time(s)?,
                    "fields" => attrs = tags(s, b, &mut TagEffects::Log { name: &mut name })?,
                    _ => s.skip()?,
                }
            }
            let name = b.intern(name.flatten().as_deref().unwrap_or("log"));
            b.push_event(Event {
                time_unix_nanos: nanos,
                name,
                attrs,
            });
        }
    }
    Ok(b.pushed_since(marks).events)
}

/// A tag value, typed by the tag's `type` when present, else by its JSON type (see
/// [`typed_value`]). A missing value is its type's zero (api_v2's `jsonpb` leaves zeros out).
fn tag_value(b: &mut StoreBuilder, kind: &str, value: Option<&Raw<'_>>) -> Value {
    let declared = Declared::from_name(kind);
    match (value, declared) {
        (Some(value), _) => typed_value(b, declared, value),
        (None, Declared::Int) => Value::Int(0),
        (None, Declared::Float) => Value::Float(0.0),
        (None, Declared::Bool) => Value::Bool(false),
        (None, Declared::Bytes) => Value::Bytes(StrId::EMPTY),
        (None, Declared::Any) => Value::Str(StrId::EMPTY),
    }
}

/// api_v2's `vType`: a name (`"INT64"`), or the enum's number (STRING 0, BOOL 1, INT64 2,
/// FLOAT64 3, BINARY 4).
fn value_type<'a>(s: &mut Scanner<'a>) -> ScanResult<Cow<'a, str>> {
    Ok(match s.raw()? {
        Raw::Str(name) => name,
        Raw::Num(Num::U(n)) => Cow::Borrowed(match n {
            1 => "bool",
            2 => "int64",
            3 => "float64",
            4 => "binary",
            _ => "string",
        }),
        _ => Cow::Borrowed(""),
    })
}
