//! AWS X-Ray importer: segment documents as the SDKs send them and as the X-Ray API returns
//! them.
//!
//! Supports, detected by content: one segment document, an array of them, or several one
//! after another (one per line, or pretty-printed); the daemon's UDP datagram (a header
//! `{"format": "json", "version": 1}`, a newline, then the segment; several datagrams in a
//! row too); `aws xray batch-get-traces` / `BatchGetTraces` output (`{"Traces": [{"Id",
//! "Segments": [{"Id", "Document": "<segment JSON as a string>"}]}], "UnprocessedTraceIds"}`,
//! each `Document` parsed again; a `Document` written as an object is read too); and the
//! `PutTraceSegments` request body (`{"TraceSegmentDocuments": ["<segment JSON>", …]}`).
//!
//! The model:
//! * **Tree.** A segment is a span of kind server; its `subsegments` (nested to any depth, read
//!   with an explicit stack, never by recursion) are its descendants. Independent subsegments
//!   (`"type": "subsegment"`, sent alone with `trace_id` and `parent_id`) hang under their
//!   parent by id; so do downstream segments whose `parent_id` names a subsegment of the
//!   caller. Subsegments nested deeper than [`MAX_SUBSEGMENT_LEVELS`] are left out (a file
//!   warning says so).
//! * **Services.** A segment's `name` is its service; its subsegments inherit it. An
//!   independent subsegment takes the service of its parent when the parent is in the file,
//!   else it is shown under `unknown_service` with a file warning. A subsegment with
//!   `namespace` `aws` (AWS SDK call) or `remote` (other downstream call) is a client span
//!   whose `name` is the downstream service: `peer.service`, for the dependency graph. Other
//!   subsegments are internal. X-Ray's **inferred segments** (`"inferred": true`, which the
//!   service creates from such a subsegment to draw the downstream node, e.g. DynamoDB) are
//!   server spans of that service under the subsegment, marked `aws.xray.inferred`.
//! * **Resources.** One per distinct (service, `service` object, `origin`, `resource_arn`):
//!   `service.version` and the other `service.*` fields (`runtime`/`runtime_version` as
//!   `process.runtime.name`/`.version`), `origin` as `aws.xray.origin` plus `cloud.provider`
//!   and `cloud.platform` when the origin is a known platform, `resource_arn` as
//!   `cloud.resource_id`.
//! * **Attributes.** `http`, `aws`, `sql`, `annotations` and `metadata` are flattened into
//!   dotted keys (`aws.operation`, `annotations.<key>`, `metadata.<namespace>.<key>…`), with
//!   the OpenTelemetry name where one obviously applies (`http.request.method`, `url.full`,
//!   `user_agent.original`, `client.address`, `http.response.status_code`,
//!   `http.response.body.size`, `db.statement`, `db.system`, `db.user`,
//!   `db.connection_string`); arrays stay arrays (JSON text); objects deeper than
//!   [`MAX_FLATTEN_DEPTH`] levels are kept as JSON text. `user` → `enduser.id`; the X-Ray
//!   trace id (`1-5759e988-bd86…`) → `aws.xray.trace_id` on each document's top span;
//!   `precursor_ids` → links.
//! * **Errors.** `fault` (5xx), `error` (4xx) and `throttle` (429) make the span's status an
//!   error, with a message naming them, the HTTP status and the first exception; each is also
//!   a boolean attribute (`aws.xray.fault` …). `cause.exceptions` become events named
//!   `exception` (`exception.type`, `exception.message`, `exception.stacktrace` as
//!   `at label (path:line)` lines, and `aws.xray.exception.*` for `id`, `remote`, `truncated`,
//!   `skipped`, `cause`), timed at the span's end. A `cause` that is an exception id (the
//!   exception was recorded on another segment) is kept as `aws.xray.cause.exception_id`, and
//!   when that exception is in the file its message is added to the status message.
//! * **Times.** `in_progress: true` without `end_time` is drawn open-ended
//!   ([`SPAN_END_UNKNOWN`]) with a [`SpanWarning::InProgress`]; no `end_time` otherwise is a
//!   [`SpanWarning::NoEndTime`]. A node without `start_time` starts with its parent (or at
//!   its end time), with a file warning.
//! * **Ids.** `1-<8 hex epoch seconds>-<24 hex>` trace ids map to the W3C 128-bit id (the 32
//!   hex digits), so spans of the same request from OpenTelemetry files merge with these; the
//!   X-Ray form is kept as the trace id's display text. Segment ids are 16 hex digits.
//!
//! Ignored: unknown fields (the Go SDK writes `"Dummy": false`), `Traces[].Duration`,
//! `Segments[].Id` (the document has its own). The service graph (`get-service-graph`
//! output) is dependency data, read by `dependencies.rs`.
//!
//! Units: `start_time` / `end_time` are seconds since the Unix epoch as JSON numbers (often
//! `1.568835610432E9`), with microsecond or finer digits; they are converted to integer
//! nanoseconds from their decimal text, so no digit is lost to an `f64`.
//!
//! Spec: AWS X-Ray developer guide, "Segment documents" (`xray-api-segmentdocuments`) and
//! "Sending data" / "Getting data"; `aws/aws-xray-sdk-go` `xray/segment_model.go`; the
//! daemon header in `aws/aws-xray-sdk-python` `core/emitters/udp_emitter.py`.

use super::builder::Pushed;
use super::scan::{error_message, Num, Raw, ScanResult, Scanner, Seq};
use super::{first_byte, has_key, Importer, Sniff, StoreBuilder};
use crate::model::{
    Attr, Event, Link, PackedAttr, Resource, Slice, Span, SpanId, SpanKind, SpanWarning,
    StatusCode, StrId, TraceId, Value, SPAN_END_UNKNOWN,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// The AWS X-Ray importer, listed in [`super::IMPORTERS`].
pub const IMPORTER: Importer = Importer {
    name: "AWS X-Ray JSON",
    sniff,
    parse,
    looks_for: "segment documents with \"trace_id\" and \"start_time\" (also after a daemon \
                header line), or {\"Traces\": [{\"Segments\": [{\"Document\": …}]}]} from \
                batch-get-traces",
};

/// Subsegment nesting kept; deeper `subsegments` lists are left out with a file warning
/// (the scanner's nesting limit would otherwise refuse the whole file).
pub const MAX_SUBSEGMENT_LEVELS: u32 = 48;

/// Object levels flattened into dotted attribute keys; deeper objects are kept as JSON text.
pub const MAX_FLATTEN_DEPTH: usize = 8;

fn sniff(head: &[u8]) -> Sniff {
    if !matches!(first_byte(head), Some(b'{' | b'[')) {
        return Sniff::No;
    }
    let k = |key: &str| has_key(head, key);
    if k("Services") && k("ReferenceId") {
        return Sniff::No; // get-service-graph: dependency data (dependencies.rs)
    }
    let batch = k("Traces") && (k("Segments") || k("Document") || k("UnprocessedTraceIds"));
    if batch || k("TraceSegmentDocuments") {
        return Sniff::Yes;
    }
    if !k("start_time") {
        return Sniff::No;
    }
    if k("trace_id") && (has_xray_trace_id(head) || k("end_time") || k("in_progress")) {
        return Sniff::Yes;
    }
    // A big segment whose `trace_id` comes after its subsegments, past the head.
    if k("id") && k("name") && (k("end_time") || k("in_progress")) {
        return Sniff::Maybe;
    }
    Sniff::No
}

/// True when `head` holds a quoted X-Ray trace id (`"1-` then 8 hex digits and `-`).
fn has_xray_trace_id(head: &[u8]) -> bool {
    head.windows(12).any(|w| {
        w.starts_with(b"\"1-") && w[3..11].iter().all(u8::is_ascii_hexdigit) && w[11] == b'-'
    })
}

/// The W3C trace id of an X-Ray trace id `1-<8 hex>-<24 hex>`; `None` for any other text.
fn xray_trace_id(text: &str) -> Option<u128> {
    let rest = text.trim().strip_prefix("1-")?;
    let (epoch, random) = rest.split_once('-')?;
    if epoch.len() != 8 || random.len() != 24 {
        return None;
    }
    let all_hex = |t: &str| t.bytes().all(|c| c.is_ascii_hexdigit());
    if !all_hex(epoch) || !all_hex(random) {
        return None;
    }
    let hi = u128::from(u32::from_str_radix(epoch, 16).ok()?);
    let lo = u128::from_str_radix(random, 16).ok()?;
    Some(hi << 96 | lo)
}

/// Seconds since the epoch written as decimal text (`1595437651.680097`, `1.568835610432E9`)
/// to integer nanoseconds, exactly: the digits are shifted, never multiplied as a float;
/// digits below the nanosecond round half up. `None` when it is not a number or out of range.
pub fn seconds_to_nanos(text: &str) -> Option<i64> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(at) => (&t[..at], t[at + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let digits = int_part.bytes().chain(frac_part.bytes());
    // How many of the digits, counted from the first, make up the whole nanoseconds.
    let kept = (int_part.len() as i64).checked_add(exponent.clamp(-1000, 1000))? + 9;
    let mut nanos: i128 = 0;
    let mut count: i64 = 0;
    let mut round_up = false;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        if count < kept {
            nanos = nanos.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
        } else if count == kept {
            round_up = d >= b'5';
        }
        count += 1;
    }
    while count < kept {
        nanos = nanos.checked_mul(10)?;
        count += 1;
    }
    if round_up {
        nanos += 1;
    }
    let nanos = i64::try_from(nanos).ok()?;
    Some(if negative { -nanos } else { nanos })
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let mut reader = Reader::new(b);
    let mut read = || -> ScanResult<()> {
        let mut s = Scanner::new(bytes)?;
        while !s.at_end() {
            reader.value(&mut s, 0, 0)?;
        }
        Ok(())
    };
    read().map_err(|e| error_message(bytes, &e))?;
    reader.finish()
}

/// Attribute keys interned once per file.
struct Keys {
    trace_id: StrId,
    namespace: StrId,
    peer_service: StrId,
    inferred: StrId,
    kind: StrId,
    fault: StrId,
    error: StrId,
    throttle: StrId,
    enduser: StrId,
    traced: StrId,
    cause_exception_id: StrId,
    working_directory: StrId,
    paths: StrId,
    exception: StrId,
    exception_type: StrId,
    exception_message: StrId,
    exception_stacktrace: StrId,
    exception_id: StrId,
    exception_remote: StrId,
    exception_truncated: StrId,
    exception_skipped: StrId,
    exception_cause: StrId,
    cloud_provider: StrId,
    cloud_platform: StrId,
    origin: StrId,
    resource_id: StrId,
    aws: StrId,
}

impl Keys {
    fn new(b: &mut StoreBuilder) -> Keys {
        Keys {
            trace_id: b.intern("aws.xray.trace_id"),
            namespace: b.intern("aws.xray.namespace"),
            peer_service: b.intern("peer.service"),
            inferred: b.intern("aws.xray.inferred"),
            kind: b.intern("aws.xray.type"),
            fault: b.intern("aws.xray.fault"),
            error: b.intern("aws.xray.error"),
            throttle: b.intern("aws.xray.throttle"),
            enduser: b.intern("enduser.id"),
            traced: b.intern("aws.xray.traced"),
            cause_exception_id: b.intern("aws.xray.cause.exception_id"),
            working_directory: b.intern("aws.xray.cause.working_directory"),
            paths: b.intern("aws.xray.cause.paths"),
            exception: b.intern("exception"),
            exception_type: b.intern("exception.type"),
            exception_message: b.intern("exception.message"),
            exception_stacktrace: b.intern("exception.stacktrace"),
            exception_id: b.intern("aws.xray.exception.id"),
            exception_remote: b.intern("aws.xray.exception.remote"),
            exception_truncated: b.intern("aws.xray.exception.truncated"),
            exception_skipped: b.intern("aws.xray.exception.skipped"),
            exception_cause: b.intern("aws.xray.exception.cause"),
            cloud_provider: b.intern("cloud.provider"),
            cloud_platform: b.intern("cloud.platform"),
            origin: b.intern("aws.xray.origin"),
            resource_id: b.intern("cloud.resource_id"),
            aws: b.intern("aws"),
        }
    }
}

/// One segment or subsegment while its document is read; strings borrowed from the input.
#[derive(Default)]
struct Node<'a> {
    /// Index of the enclosing node in the document's node list (`None` for the top one).
    parent: Option<usize>,
    id: Cow<'a, str>,
    name: Cow<'a, str>,
    trace_id: Cow<'a, str>,
    parent_id: Cow<'a, str>,
    type_: Cow<'a, str>,
    namespace: Cow<'a, str>,
    origin: Cow<'a, str>,
    user: Cow<'a, str>,
    resource_arn: Cow<'a, str>,
    /// Nanoseconds since the epoch.
    start: Option<i64>,
    /// Nanoseconds since the epoch.
    end: Option<i64>,
    in_progress: bool,
    inferred: bool,
    fault: bool,
    error: bool,
    throttle: bool,
    http_status: Option<i64>,
    /// Span attributes, in file order.
    attrs: Vec<Attr>,
    /// Resource attributes from the `service` object.
    service_attrs: Vec<Attr>,
    /// One attribute list per exception.
    exceptions: Vec<Vec<Attr>>,
    first_exception: Option<String>,
    /// `cause` given as the id of an exception recorded elsewhere.
    cause_id: Option<Cow<'a, str>>,
    precursors: Vec<Cow<'a, str>>,
    /// Filled when the node is added: its span id and start, which its subsegments use.
    span_id: SpanId,
    start_nanos: i64,
}

/// What the top object of a document turned out to be, besides a segment.
#[derive(Default)]
struct TopFacts {
    /// It held `Traces`, `TraceSegmentDocuments` or `UnprocessedTraceIds`: an API wrapper.
    wrapper: bool,
    /// It held `format` or `version`: the daemon's header line.
    header: bool,
}

/// The service context of a document's spans.
#[derive(Copy, Clone)]
enum Service {
    /// Known: its name and resource.
    Known(StrId, u32),
    /// An independent subsegment (and its subsegments): taken from the parent at the end.
    FromParent,
}

/// Where a Document string sits, for messages.
struct DocPlace {
    trace: usize,
    segment: Option<usize>,
}

/// Streaming state: the builder plus what the end-of-file pass needs.
struct Reader<'r, 'p> {
    b: &'r mut StoreBuilder<'p>,
    keys: Keys,
    /// Resources by service name and packed attributes.
    resources: FxHashMap<(StrId, Vec<[u8; 12]>), u32>,
    /// Spans whose service comes from their parent (independent subsegments and theirs),
    /// in increasing order, and which of them head their document.
    from_parent: Vec<u32>,
    independent_tops: Vec<u32>,
    /// Exception id → message (or type), for `cause` given as an id.
    exception_text: FxHashMap<String, String>,
    /// (span index, exception id) of spans whose `cause` is an id.
    cause_refs: Vec<(u32, String)>,
    /// JSON values that are not segments.
    skipped: usize,
    too_deep: usize,
    no_start: usize,
    unprocessed: Vec<String>,
    limit_exceeded: Vec<String>,
    bad_documents: usize,
    first_bad_document: Option<String>,
    /// Reusable buffer for one key path while flattening.
    path: String,
}

impl<'r, 'p> Reader<'r, 'p> {
    fn new(b: &'r mut StoreBuilder<'p>) -> Self {
        let keys = Keys::new(b);
        Reader {
            b,
            keys,
            resources: FxHashMap::default(),
            from_parent: Vec::new(),
            independent_tops: Vec::new(),
            exception_text: FxHashMap::default(),
            cause_refs: Vec::new(),
            skipped: 0,
            too_deep: 0,
            no_start: 0,
            unprocessed: Vec::new(),
            limit_exceeded: Vec::new(),
            bad_documents: 0,
            first_bad_document: None,
            path: String::new(),
        }
    }

    /// One top-level JSON value: a document (segment, header or API wrapper), a list of them
    /// (one level of nested lists too), `null`, or something else (skipped). `docs` counts
    /// Document strings being read inside each other: wrappers are read only outside any.
    fn value(&mut self, s: &mut Scanner<'_>, docs: u32, lists: u32) -> ScanResult<()> {
        match s.peek() {
            Some(b'{') => self.document(s, docs)?,
            Some(b'[') if lists < 2 => {
                let mut list = s.array("a list of segments")?;
                while s.item(&mut list)? {
                    self.value(s, docs, lists + 1)?;
                }
            }
            Some(b'n') => {
                s.null()?;
            }
            _ => {
                s.skip()?;
                self.skipped += 1;
            }
        }
        Ok(())
    }

    /// Reads one object: a segment with all its subsegments (an explicit stack of open
    /// objects, so nesting costs no native stack), the daemon header, or an API wrapper. The
    /// nodes are added to the store when the object ends.
    fn document<'a>(&mut self, s: &mut Scanner<'a>, docs: u32) -> ScanResult<()> {
        struct Open {
            object: Seq,
            node: usize,
            /// Inside the node's `subsegments` list.
            subsegments: Option<Seq>,
            level: u32,
        }
        let mut nodes: Vec<Node<'a>> = vec![Node::default()];
        let mut top = TopFacts::default();
        let mut stack = vec![Open {
            object: s.object("a segment")?,
            node: 0,
            subsegments: None,
            level: 0,
        }];
        while let Some(open) = stack.last_mut() {
            if let Some(list) = open.subsegments.as_mut() {
                if !s.item(list)? {
                    open.subsegments = None;
                } else if s.peek() == Some(b'{') {
                    let child = Open {
                        object: s.object("a subsegment")?,
                        node: nodes.len(),
                        subsegments: None,
                        level: open.level + 1,
                    };
                    nodes.push(Node {
                        parent: Some(open.node),
                        ..Node::default()
                    });
                    stack.push(child);
                } else {
                    s.skip()?;
                    self.skipped += 1;
                }
                continue;
            }
            let Some(key) = s.key(&mut open.object)? else {
                stack.pop();
                continue;
            };
            let at_top = open.level == 0;
            match &*key {
                "subsegments" if open.level >= MAX_SUBSEGMENT_LEVELS => {
                    s.skip()?;
                    self.too_deep += 1;
                }
                "subsegments" => open.subsegments = s.array_or_null("a list of subsegments")?,
                "Traces" if at_top && docs == 0 => {
                    top.wrapper = true;
                    self.traces(s, docs)?;
                }
                "TraceSegmentDocuments" if at_top && docs == 0 => {
                    top.wrapper = true;
                    self.segment_documents(s, docs)?;
                }
                "UnprocessedTraceIds" if at_top => {
                    top.wrapper = true;
                    self.unprocessed(s)?;
                }
                "format" | "version" if at_top => {
                    top.header = true;
                    s.skip()?;
                }
                _ => {
                    let node = open.node;
                    if let Some(n) = nodes.get_mut(node) {
                        self.field(s, &key, n)?;
                    }
                }
            }
        }
        if top.wrapper {
            return Ok(());
        }
        if nodes.first().is_none_or(|n| n.id.trim().is_empty()) {
            if !top.header {
                self.skipped += 1;
            }
            return Ok(());
        }
        self.add_document(&mut nodes);
        Ok(())
    }

    /// One field of a segment or subsegment.
    fn field<'a>(&mut self, s: &mut Scanner<'a>, key: &str, n: &mut Node<'a>) -> ScanResult<()> {
        match key {
            "id" => n.id = text(s)?,
            "name" => n.name = text(s)?,
            "trace_id" => n.trace_id = text(s)?,
            "parent_id" => n.parent_id = text(s)?,
            "type" => n.type_ = text(s)?,
            "namespace" => n.namespace = text(s)?,
            "origin" => n.origin = text(s)?,
            "user" => n.user = text(s)?,
            "resource_arn" => n.resource_arn = text(s)?,
            "start_time" => n.start = seconds(s)?,
            "end_time" => n.end = seconds(s)?,
            "in_progress" => n.in_progress = flag(s)?,
            "inferred" => n.inferred = flag(s)?,
            "fault" => n.fault = flag(s)?,
            "error" => n.error = flag(s)?,
            "throttle" => n.throttle = flag(s)?,
            "traced" => {
                let traced = flag(s)?;
                n.attrs.push(Attr {
                    key: self.keys.traced,
                    value: Value::Bool(traced),
                });
            }
            "http" | "aws" | "sql" | "annotations" | "metadata" => {
                let mut http_status = None;
                self.flatten(s, key, &mut n.attrs, &mut http_status)?;
                n.http_status = n.http_status.or(http_status);
            }
            "service" => self.flatten(s, "service", &mut n.service_attrs, &mut None)?,
            "cause" => self.cause(s, n)?,
            "precursor_ids" => {
                if let Some(mut list) = s.array_or_null("a list of subsegment ids")? {
                    while s.item(&mut list)? {
                        n.precursors.push(text(s)?);
                    }
                }
            }
            _ => s.skip()?,
        }
        Ok(())
    }

    /// Flattens an object into dotted attributes under `prefix` (iteratively, to
    /// [`MAX_FLATTEN_DEPTH`] levels; deeper objects are kept as JSON text). A value that is
    /// not an object is kept under `prefix` itself. Notes `http.response.status`.
    fn flatten(
        &mut self,
        s: &mut Scanner<'_>,
        prefix: &str,
        out: &mut Vec<Attr>,
        http_status: &mut Option<i64>,
    ) -> ScanResult<()> {
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        path.push_str(prefix);
        let mut stack: Vec<(Seq, usize)> = Vec::new();
        if s.peek() == Some(b'{') {
            stack.push((s.object("an object")?, path.len()));
        } else {
            let raw = s.raw()?;
            self.push_value(&path, raw, out, http_status);
        }
        while let Some((object, len)) = stack.last_mut() {
            path.truncate(*len);
            let Some(key) = s.key(object)? else {
                stack.pop();
                continue;
            };
            path.push('.');
            path.push_str(&key);
            if s.peek() == Some(b'{') && stack.len() < MAX_FLATTEN_DEPTH {
                stack.push((s.object("an object")?, path.len()));
            } else {
                let raw = s.raw()?;
                self.push_value(&path, raw, out, http_status);
            }
        }
        self.path = path;
        Ok(())
    }

    /// One flattened value under its OpenTelemetry name where there is an obvious one.
    fn push_value(
        &mut self,
        path: &str,
        raw: Raw<'_>,
        out: &mut Vec<Attr>,
        http_status: &mut Option<i64>,
    ) {
        let Some(value) = attr_value(self.b, raw) else {
            return;
        };
        if path == "http.response.status" {
            if let Value::Int(status) = value {
                *http_status = Some(status);
            }
        }
        let key = self.b.intern(otel_key(path));
        out.push(Attr { key, value });
    }

    /// `cause`: an object with `exceptions` (each an `exception` event), or the id of an
    /// exception recorded on another segment.
    fn cause<'a>(&mut self, s: &mut Scanner<'a>, n: &mut Node<'a>) -> ScanResult<()> {
        match s.peek() {
            Some(b'"') => {
                let id = s.string("an exception id")?;
                let value = Value::Str(self.b.intern(&id));
                n.attrs.push(Attr {
                    key: self.keys.cause_exception_id,
                    value,
                });
                n.cause_id = Some(id);
            }
            Some(b'{') => {
                let mut o = s.object("a cause")?;
                while let Some(key) = s.key(&mut o)? {
                    match &*key {
                        "exceptions" => {
                            let Some(mut list) = s.array_or_null("a list of exceptions")? else {
                                continue;
                            };
                            while s.item(&mut list)? {
                                self.exception(s, n)?;
                            }
                        }
                        "working_directory" => {
                            let dir = text(s)?;
                            let value = Value::Str(self.b.intern(&dir));
                            let key = self.keys.working_directory;
                            n.attrs.push(Attr { key, value });
                        }
                        "paths" => {
                            if let Some(value) = attr_value(self.b, s.raw()?) {
                                let key = self.keys.paths;
                                n.attrs.push(Attr { key, value });
                            }
                        }
                        _ => s.skip()?,
                    }
                }
            }
            _ => s.skip()?,
        }
        Ok(())
    }

    /// One exception of `cause.exceptions`.
    fn exception(&mut self, s: &mut Scanner<'_>, n: &mut Node<'_>) -> ScanResult<()> {
        if s.peek() != Some(b'{') {
            return s.skip();
        }
        let k = &self.keys;
        let (mut id, mut kind, mut message) = (String::new(), String::new(), String::new());
        let mut attrs = Vec::new();
        let mut o = s.object("an exception")?;
        while let Some(key) = s.key(&mut o)? {
            let (key, value) = match &*key {
                "id" => {
                    id = text(s)?.into_owned();
                    (k.exception_id, Value::Str(self.b.intern(&id)))
                }
                "type" => {
                    kind = text(s)?.into_owned();
                    (k.exception_type, Value::Str(self.b.intern(&kind)))
                }
                "message" => {
                    message = text(s)?.into_owned();
                    (k.exception_message, Value::Str(self.b.intern(&message)))
                }
                "stack" => {
                    let stack = stack_text(s)?;
                    (k.exception_stacktrace, Value::Str(self.b.intern(&stack)))
                }
                "remote" => (k.exception_remote, Value::Bool(flag(s)?)),
                "truncated" | "skipped" => {
                    let key = if &*key == "truncated" {
                        k.exception_truncated
                    } else {
                        k.exception_skipped
                    };
                    match attr_value(self.b, s.raw()?) {
                        Some(value) => (key, value),
                        None => continue,
                    }
                }
                "cause" => (k.exception_cause, Value::Str(self.b.intern(&text(s)?))),
                _ => {
                    s.skip()?;
                    continue;
                }
            };
            attrs.push(Attr { key, value });
        }
        let shown = if message.is_empty() { kind } else { message };
        if !id.is_empty() && !shown.is_empty() {
            self.exception_text.insert(id, shown.clone());
        }
        if n.first_exception.is_none() && !shown.is_empty() {
            n.first_exception = Some(shown);
        }
        n.exceptions.push(attrs);
        Ok(())
    }

    /// Calls `each` on every object of a list, with its 1-based position (`null` reads as an
    /// empty list; items that are not objects are skipped and counted).
    fn each_object<'a>(
        &mut self,
        s: &mut Scanner<'a>,
        what: &str,
        mut each: impl FnMut(&mut Self, &mut Scanner<'a>, usize) -> ScanResult<()>,
    ) -> ScanResult<()> {
        let Some(mut list) = s.array_or_null(what)? else {
            return Ok(());
        };
        let mut index = 0;
        while s.item(&mut list)? {
            index += 1;
            if s.peek() == Some(b'{') {
                each(self, s, index)?;
            } else {
                s.skip()?;
                self.skipped += 1;
            }
        }
        Ok(())
    }

    /// `Traces` of batch-get-traces output.
    fn traces(&mut self, s: &mut Scanner<'_>, docs: u32) -> ScanResult<()> {
        self.each_object(s, "a list of traces", |r, s, index| {
            let mut o = s.object("a trace")?;
            let (mut id, mut limit_exceeded) = (String::new(), false);
            while let Some(key) = s.key(&mut o)? {
                match &*key {
                    "Id" => id = text(s)?.into_owned(),
                    "LimitExceeded" => limit_exceeded = flag(s)?,
                    "Segments" => r.segments(s, docs, index)?,
                    _ => s.skip()?,
                }
            }
            if limit_exceeded {
                r.limit_exceeded.push(if id.is_empty() {
                    format!("trace {index}")
                } else {
                    id
                });
            }
            Ok(())
        })
    }

    /// `Segments` of one trace: each `Document` is a segment as a JSON string.
    fn segments(&mut self, s: &mut Scanner<'_>, docs: u32, trace: usize) -> ScanResult<()> {
        self.each_object(s, "a list of segments", |r, s, index| {
            let mut o = s.object("a segment")?;
            while let Some(key) = s.key(&mut o)? {
                if &*key != "Document" {
                    s.skip()?;
                    continue;
                }
                let place = DocPlace {
                    trace,
                    segment: Some(index),
                };
                match s.peek() {
                    Some(b'"') => {
                        let doc = s.string("a segment document")?;
                        r.document_text(&doc, docs, place);
                    }
                    _ => r.value(s, docs + 1, 0)?,
                }
            }
            Ok(())
        })
    }

    /// `TraceSegmentDocuments` of a PutTraceSegments request: segments as JSON strings.
    fn segment_documents(&mut self, s: &mut Scanner<'_>, docs: u32) -> ScanResult<()> {
        let Some(mut list) = s.array_or_null("a list of segment documents")? else {
            return Ok(());
        };
        let mut index = 0;
        while s.item(&mut list)? {
            index += 1;
            match s.peek() {
                Some(b'"') => {
                    let doc = s.string("a segment document")?;
                    let place = DocPlace {
                        trace: index,
                        segment: None,
                    };
                    self.document_text(&doc, docs, place);
                }
                _ => self.value(s, docs + 1, 0)?,
            }
        }
        Ok(())
    }

    /// Reads a segment document given as a string. One that is not valid JSON is left out
    /// with a file warning (the rest of the file still loads).
    fn document_text(&mut self, doc: &str, docs: u32, place: DocPlace) {
        let bytes = doc.as_bytes();
        let mut read = || -> ScanResult<()> {
            let mut s = Scanner::new(bytes)?;
            while !s.at_end() {
                self.value(&mut s, docs + 1, 0)?;
            }
            Ok(())
        };
        if let Err(e) = read() {
            self.bad_documents += 1;
            if self.first_bad_document.is_none() {
                let place = match place.segment {
                    Some(segment) => {
                        format!("the Document of segment {segment} of trace {}", place.trace)
                    }
                    None => format!("segment document {}", place.trace),
                };
                self.first_bad_document = Some(format!(
                    "{place} is not a readable segment: {}",
                    error_message(bytes, &e)
                ));
            }
        }
    }

    /// `UnprocessedTraceIds`: traces X-Ray did not return.
    fn unprocessed(&mut self, s: &mut Scanner<'_>) -> ScanResult<()> {
        if let Some(mut list) = s.array_or_null("a list of trace ids")? {
            while s.item(&mut list)? {
                let id = text(s)?;
                if !id.trim().is_empty() {
                    self.unprocessed.push(id.into_owned());
                }
            }
        }
        Ok(())
    }

    /// Adds the spans of one document (its nodes in pre-order: parents before children).
    fn add_document(&mut self, nodes: &mut [Node<'_>]) {
        let Some(top) = nodes.first() else {
            return;
        };
        let trace_id = match xray_trace_id(&top.trace_id) {
            Some(id) => {
                let text = self.b.intern(top.trace_id.trim());
                self.b.store().trace_id_text.insert(TraceId(id), text);
                TraceId(id)
            }
            None => self.b.trace_id(&top.trace_id, "trace_id"),
        };
        let independent = top.type_.trim() == "subsegment";
        let service = if independent {
            Service::FromParent
        } else {
            let name = self.b.intern(top.name.trim());
            Service::Known(name, self.resource(name, top))
        };
        for i in 0..nodes.len() {
            let parent = nodes[i].parent.and_then(|p| nodes.get(p));
            let parent_span = parent.map(|p| (p.span_id, p.start_nanos));
            let n = &nodes[i];
            if n.id.trim().is_empty() {
                // A subsegment without an id: its subsegments go to its parent.
                self.skipped += 1;
                let (span_id, start) = parent_span.unwrap_or_default();
                nodes[i].span_id = span_id;
                nodes[i].start_nanos = start;
                continue;
            }
            let (span_id, start) = self.add_span(n, i == 0, trace_id, service, parent_span);
            nodes[i].span_id = span_id;
            nodes[i].start_nanos = start;
        }
    }

    /// Adds one span; returns its id and start, which its subsegments use.
    ///
    /// The builder calls keep a fixed order (ids, warnings, attributes, events and links,
    /// status, name), which decides the ids of the strings interned.
    fn add_span(
        &mut self,
        n: &Node<'_>,
        is_top: bool,
        trace_id: TraceId,
        service: Service,
        parent: Option<(SpanId, i64)>,
    ) -> (SpanId, i64) {
        let b = &mut *self.b;
        let k = &self.keys;
        let span_id = b.span_id(&n.id, "id");
        let parent_id = match parent {
            Some((id, _)) => id,
            None if n.parent_id.trim().is_empty() => SpanId(0),
            None => b.span_id(&n.parent_id, "parent_id"),
        };
        let start = start_of(n, parent, &mut self.no_start);
        let duration = duration_of(b, n, start);
        let place = Place::of(n, is_top);
        let attrs = node_attrs(b, k, n, place);
        let pushed = exceptions_and_links(b, k, n, trace_id, start);
        let (status, status_message) = if n.fault || n.error || n.throttle {
            (StatusCode::Error, b.intern(&status_message(n)))
        } else {
            (StatusCode::Unset, StrId::EMPTY)
        };
        let (service_name, resource) = match service {
            Service::Known(name, resource) => (name, resource),
            // Resolved in `finish`; the placeholder is the span's own index.
            Service::FromParent => (StrId::EMPTY, b.span_count() as u32),
        };
        let span = Span {
            trace_id,
            span_id,
            parent_id,
            start_unix_nanos: start,
            duration_nanos: duration,
            service: service_name,
            name: b.intern(&n.name),
            kind: place.kind(),
            status,
            status_message,
            resource,
            attrs,
            events: pushed.events,
            links: pushed.links,
            file: 0,
        };
        self.push_span(span, service, place, n.cause_id.as_deref());
        (span_id, start)
    }

    /// Pushes a span made by `add_span`, noting what `finish` resolves: a service taken from
    /// the parent, and a `cause` given as an exception id.
    fn push_span(&mut self, span: Span, service: Service, place: Place, cause_id: Option<&str>) {
        let b = &mut *self.b;
        let index = b.span_count() as u32;
        if matches!(service, Service::FromParent) {
            b.push_span_unresolved(span);
            self.from_parent.push(index);
            if place.independent {
                self.independent_tops.push(index);
            }
        } else {
            b.push_span(span);
        }
        if let Some(id) = cause_id {
            self.cause_refs.push((index, id.trim().to_string()));
        }
    }

    /// The resource of a segment: one per distinct service name and attributes.
    fn resource(&mut self, service: StrId, n: &Node<'_>) -> u32 {
        let k = &self.keys;
        let mut attrs: Vec<Attr> = n
            .service_attrs
            .iter()
            .map(|a| Attr {
                key: service_key(self.b, a.key),
                value: a.value,
            })
            .collect();
        let origin = n.origin.trim();
        if !origin.is_empty() {
            let origin_value = Value::Str(self.b.intern(origin));
            if origin.starts_with("AWS::") {
                attrs.push(Attr {
                    key: k.cloud_provider,
                    value: Value::Str(k.aws),
                });
            }
            if let Some(platform) = cloud_platform(origin) {
                let value = Value::Str(self.b.intern(platform));
                attrs.push(Attr {
                    key: k.cloud_platform,
                    value,
                });
            }
            attrs.push(Attr {
                key: k.origin,
                value: origin_value,
            });
        }
        let arn = n.resource_arn.trim();
        if !arn.is_empty() {
            let value = Value::Str(self.b.intern(arn));
            attrs.push(Attr {
                key: k.resource_id,
                value,
            });
        }
        let packed: Vec<[u8; 12]> = attrs
            .iter()
            .map(|a| PackedAttr::pack(*a).to_le_bytes())
            .collect();
        if let Some(&resource) = self.resources.get(&(service, packed.clone())) {
            return resource;
        }
        let attrs = self.b.push_attrs(attrs);
        let resource = self.b.push_resource(Resource {
            service,
            attrs,
            scope_name: StrId::EMPTY,
            scope_version: StrId::EMPTY,
            scope_attrs: Slice::default(),
        });
        self.resources.insert((service, packed), resource);
        resource
    }

    /// The end-of-file pass: services of independent subsegments, causes given by id, and
    /// the file warnings.
    fn finish(mut self) -> Result<(), String> {
        let orphans = self.resolve_independent();
        self.resolve_causes();
        let Reader { b, .. } = &mut self;
        if b.span_count() == 0 {
            if let Some(reason) = self.first_bad_document.take() {
                return Err(reason);
            }
            if !self.unprocessed.is_empty() {
                return Err(format!(
                    "the file holds no segments: X-Ray returned none of the requested traces \
                     (UnprocessedTraceIds: {})",
                    self.unprocessed.join(", ")
                ));
            }
        }
        let b = &mut *self.b;
        if self.skipped > 0 {
            b.warn_file(format!(
                "{} JSON value(s) that are not X-Ray segments or subsegments (no \"id\") were \
                 skipped",
                self.skipped
            ));
        }
        if orphans > 0 {
            b.warn_file(format!(
                "{orphans} independent subsegment(s) (\"type\": \"subsegment\") name a parent \
                 that is not in the file: shown as roots, without a service name"
            ));
        }
        if self.too_deep > 0 {
            b.warn_file(format!(
                "subsegments nested more than {MAX_SUBSEGMENT_LEVELS} levels deep were left \
                 out ({} list(s))",
                self.too_deep
            ));
        }
        if self.no_start > 0 {
            b.warn_file(format!(
                "{} segment(s) or subsegment(s) had no start_time: each starts with its \
                 parent (or at its end time)",
                self.no_start
            ));
        }
        if let Some(first) = &self.first_bad_document {
            b.warn_file(format!(
                "{} segment document(s) could not be read and were left out; the first: {first}",
                self.bad_documents
            ));
        }
        if !self.unprocessed.is_empty() {
            b.warn_file(format!(
                "X-Ray did not return {} requested trace(s) (UnprocessedTraceIds: {}): they are \
                 not in the file",
                self.unprocessed.len(),
                self.unprocessed.join(", ")
            ));
        }
        if !self.limit_exceeded.is_empty() {
            b.warn_file(format!(
                "X-Ray returned only part of {} trace(s), which exceeded its size limit \
                 (LimitExceeded): {}",
                self.limit_exceeded.len(),
                self.limit_exceeded.join(", ")
            ));
        }
        Ok(())
    }

    /// Gives the spans of independent subsegments the service and resource of their nearest
    /// ancestor that has one; returns how many independent subsegments have no parent in the
    /// file.
    fn resolve_independent(&mut self) -> usize {
        if self.from_parent.is_empty() {
            return 0;
        }
        let store = self.b.store();
        let mut index_of: FxHashMap<(TraceId, SpanId), u32> = FxHashMap::default();
        for (i, s) in store.spans.iter().enumerate() {
            index_of.entry((s.trace_id, s.span_id)).or_insert(i as u32);
        }
        // Spans still waiting for a resource (their placeholder is their own index).
        let waiting: rustc_hash::FxHashSet<u32> = self.from_parent.iter().copied().collect();
        let mut resolved: FxHashMap<u32, Option<u32>> = FxHashMap::default();
        // The spans walked from one start, as a list and as a set (a cycle ends the walk).
        let mut chain = Vec::new();
        let mut on_chain = rustc_hash::FxHashSet::default();
        for &start in &self.from_parent {
            chain.clear();
            on_chain.clear();
            let mut at = start;
            let found = loop {
                if let Some(&known) = resolved.get(&at) {
                    break known;
                }
                chain.push(at);
                on_chain.insert(at);
                let Some(span) = store.spans.get(at as usize) else {
                    break None;
                };
                let parent = index_of.get(&(span.trace_id, span.parent_id)).copied();
                match parent {
                    Some(p) if on_chain.contains(&p) || span.parent_id.is_zero() => break None,
                    Some(p) if !waiting.contains(&p) => {
                        break store.spans.get(p as usize).map(|s| s.resource)
                    }
                    Some(p) => at = p,
                    None => break None,
                }
            };
            for &c in &chain {
                resolved.insert(c, found);
            }
        }
        let orphans = self
            .independent_tops
            .iter()
            .filter(|&&i| {
                let span = store.spans.get(i as usize);
                span.is_none_or(|s| !index_of.contains_key(&(s.trace_id, s.parent_id)))
            })
            .count();
        let unknown = if resolved.values().any(Option::is_none) {
            let empty = StrId::EMPTY;
            Some(self.b.push_resource(Resource {
                service: empty,
                attrs: Slice::default(),
                scope_name: empty,
                scope_version: empty,
                scope_attrs: Slice::default(),
            }))
        } else {
            None
        };
        let from_parent = std::mem::take(&mut self.from_parent);
        self.b.resolve_spans(&from_parent, |placeholder| {
            match resolved.get(&placeholder).copied().flatten() {
                Some(resource) => resource,
                None => unknown.unwrap_or(0),
            }
        });
        orphans
    }

    /// Adds the message of the exception a `cause` id refers to, when it is in the file.
    fn resolve_causes(&mut self) {
        for (index, id) in std::mem::take(&mut self.cause_refs) {
            let Some(message) = self.exception_text.get(&id) else {
                continue;
            };
            let store = self.b.store();
            let Some(span) = store.spans.get(index as usize) else {
                continue;
            };
            let old = store.strings.get(span.status_message);
            let text = if old.is_empty() {
                format!("exception {id}: {message}")
            } else {
                format!("{old}: {message}")
            };
            let text = self.b.intern(&text);
            if let Some(span) = self.b.store().spans.get_mut(index as usize) {
                span.status_message = text;
            }
        }
    }
}

/// The start of a node, ns: its own; else (counted in `no_start`) its parent's, or its end,
/// or 0.
fn start_of(n: &Node<'_>, parent: Option<(SpanId, i64)>, no_start: &mut usize) -> i64 {
    match (n.start, parent, n.end) {
        (Some(start), _, _) => start,
        (None, Some((_, parent_start)), _) => {
            *no_start += 1;
            parent_start
        }
        (None, None, end) => {
            *no_start += 1;
            end.unwrap_or(0)
        }
    }
}

/// The duration of a node that starts at `start`; without an end time, unknown (and the
/// span gets a warning saying whether it was still in progress).
fn duration_of(b: &mut StoreBuilder, n: &Node<'_>, start: i64) -> i64 {
    match n.end {
        Some(end) => end.saturating_sub(start),
        None => {
            b.warn_span(if n.in_progress {
                SpanWarning::InProgress
            } else {
                SpanWarning::NoEndTime
            });
            SPAN_END_UNKNOWN
        }
    }
}

/// Where a node sits, which decides its kind and some of its attributes.
#[derive(Copy, Clone)]
struct Place {
    /// The document's first node.
    top: bool,
    /// A top node of type `subsegment`: an independent subsegment, sent on its own.
    independent: bool,
    /// Its namespace (`aws` or `remote`) says it is a call to another service.
    remote: bool,
}

impl Place {
    fn of(n: &Node<'_>, is_top: bool) -> Place {
        Place {
            top: is_top,
            independent: is_top && n.type_.trim() == "subsegment",
            remote: matches!(n.namespace.trim(), "aws" | "remote"),
        }
    }

    /// A segment serves a request; a remote subsegment calls out; the rest is internal.
    fn kind(self) -> SpanKind {
        if self.top && !self.independent {
            SpanKind::Server
        } else if self.remote {
            SpanKind::Client
        } else {
            SpanKind::Internal
        }
    }
}

/// The span's attributes: the file's, then what the model says about the node (texts only
/// when not blank, flags only when set).
fn node_attrs(b: &mut StoreBuilder, k: &Keys, n: &Node<'_>, place: Place) -> Slice {
    let mut attrs = n.attrs.clone();
    let mut text_attr = |key: StrId, text: &str| {
        if !text.trim().is_empty() {
            let value = Value::Str(b.intern(text.trim()));
            attrs.push(Attr { key, value });
        }
    };
    if place.top {
        text_attr(k.trace_id, &n.trace_id);
    }
    text_attr(k.namespace, &n.namespace);
    if place.remote {
        text_attr(k.peer_service, &n.name);
    }
    if place.independent {
        text_attr(k.kind, &n.type_);
    }
    text_attr(k.enduser, &n.user);
    for (on, key) in [
        (n.inferred, k.inferred),
        (n.fault, k.fault),
        (n.error, k.error),
        (n.throttle, k.throttle),
    ] {
        if on {
            attrs.push(Attr {
                key,
                value: Value::Bool(true),
            });
        }
    }
    b.push_attrs(attrs)
}

/// Pushes the node's exceptions (as `exception` events at its end, or its start when the
/// end is unknown) and its precursors (as links); returns what was pushed.
fn exceptions_and_links(
    b: &mut StoreBuilder,
    k: &Keys,
    n: &Node<'_>,
    trace_id: TraceId,
    start: i64,
) -> Pushed {
    let marks = b.marks();
    let event_time = n.end.unwrap_or(start);
    for exception in &n.exceptions {
        let attrs = b.push_attrs(exception.iter().copied());
        b.push_event(Event {
            time_unix_nanos: event_time,
            name: k.exception,
            attrs,
        });
    }
    for precursor in &n.precursors {
        let span_id = b.span_id(precursor, "precursor_ids");
        b.push_link(Link {
            trace_id,
            span_id,
            attrs: Slice::default(),
        });
    }
    b.pushed_since(marks)
}

/// The status message of an errored node: which flags, the HTTP status, the first exception.
fn status_message(n: &Node<'_>) -> String {
    let mut m = String::new();
    for (on, label) in [
        (n.fault, "fault"),
        (n.error, "error"),
        (n.throttle, "throttle"),
    ] {
        if on {
            if !m.is_empty() {
                m.push_str(", ");
            }
            m.push_str(label);
        }
    }
    if let Some(status) = n.http_status {
        m.push_str(&format!(" (HTTP {status})"));
    }
    if let Some(exception) = &n.first_exception {
        m.push_str(": ");
        m.push_str(exception);
    }
    m
}

/// The OpenTelemetry name of a flattened X-Ray key, where one obviously applies.
fn otel_key(path: &str) -> &str {
    match path {
        "http.request.url" => "url.full",
        "http.request.user_agent" => "user_agent.original",
        "http.request.client_ip" => "client.address",
        "http.response.status" => "http.response.status_code",
        "http.response.content_length" => "http.response.body.size",
        "sql.sanitized_query" => "db.statement",
        "sql.database_type" => "db.system",
        "sql.user" => "db.user",
        "sql.connection_string" => "db.connection_string",
        other => other,
    }
}

/// The resource key of a `service.*` field (`runtime` and `runtime_version` have
/// OpenTelemetry names).
fn service_key(b: &mut StoreBuilder, key: StrId) -> StrId {
    let name = b.store().strings.get(key);
    match name {
        "service.runtime" => b.intern("process.runtime.name"),
        "service.runtime_version" => b.intern("process.runtime.version"),
        _ => key,
    }
}

/// OpenTelemetry's `cloud.platform` for an X-Ray `origin`.
fn cloud_platform(origin: &str) -> Option<&'static str> {
    Some(match origin {
        "AWS::EC2::Instance" => "aws_ec2",
        "AWS::ECS::Container" => "aws_ecs",
        "AWS::EKS::Container" => "aws_eks",
        "AWS::ElasticBeanstalk::Environment" => "aws_elastic_beanstalk",
        "AWS::Lambda::Function" => "aws_lambda",
        "AWS::AppRunner::Service" => "aws_app_runner",
        _ => return None,
    })
}

/// An attribute value from any JSON value (`None` for `null`): arrays and objects as
/// compact JSON text, integers beyond `i64` as text.
fn attr_value(b: &mut StoreBuilder, raw: Raw<'_>) -> Option<Value> {
    Some(match raw {
        Raw::Null => return None,
        Raw::Bool(x) => Value::Bool(x),
        Raw::Str(text) => Value::Str(b.intern(&text)),
        Raw::Num(Num::U(u)) => match i64::try_from(u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(b.intern(&u.to_string())),
        },
        Raw::Num(Num::I(i)) => Value::Int(i),
        Raw::Num(Num::F(f)) => Value::Float(f),
        Raw::Nested(json) => {
            let compact = serde_json::from_str::<serde_json::Value>(json)
                .map_or_else(|_| json.to_string(), |v| v.to_string());
            Value::Json(b.intern(&compact))
        }
    })
}

/// A text field: a string; `null` and any other type read as empty (and are skipped).
fn text<'a>(s: &mut Scanner<'a>) -> ScanResult<Cow<'a, str>> {
    if s.peek() == Some(b'"') {
        s.string("a string")
    } else {
        s.skip()?;
        Ok(Cow::Borrowed(""))
    }
}

/// A boolean field: `true`, or the string `"true"`; anything else is false.
fn flag(s: &mut Scanner<'_>) -> ScanResult<bool> {
    match s.peek() {
        Some(b't' | b'f') => s.boolean("a boolean"),
        Some(b'"') => Ok(s.string("a boolean")?.trim().eq_ignore_ascii_case("true")),
        _ => s.skip().map(|_| false),
    }
}

/// `start_time` / `end_time`: seconds as a number (or a string of digits), to nanoseconds.
fn seconds(s: &mut Scanner<'_>) -> ScanResult<Option<i64>> {
    match s.peek() {
        Some(b'-' | b'0'..=b'9') => Ok(seconds_to_nanos(s.number_text("a time in seconds")?)),
        Some(b'"') => Ok(seconds_to_nanos(&s.string("a time in seconds")?)),
        _ => s.skip().map(|_| None),
    }
}

/// A `stack` list of frames as text, one `at label (path:line)` line a frame.
fn stack_text(s: &mut Scanner<'_>) -> ScanResult<String> {
    let mut out = String::new();
    let Some(mut list) = s.array_or_null("a list of stack frames")? else {
        return Ok(out);
    };
    while s.item(&mut list)? {
        if s.peek() != Some(b'{') {
            s.skip()?;
            continue;
        }
        let (mut label, mut path, mut line) = (Cow::Borrowed(""), Cow::Borrowed(""), None);
        let mut o = s.object("a stack frame")?;
        while let Some(key) = s.key(&mut o)? {
            match &*key {
                "label" => label = text(s)?,
                "path" => path = text(s)?,
                "line" => {
                    line = match s.raw()? {
                        Raw::Num(Num::U(u)) => Some(u.to_string()),
                        Raw::Num(Num::I(i)) => Some(i.to_string()),
                        Raw::Str(t) => Some(t.into_owned()),
                        _ => None,
                    }
                }
                _ => s.skip()?,
            }
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let label = if label.is_empty() { "?" } else { &label };
        out.push_str(&format!("at {label} ({path}"));
        if let Some(line) = line {
            out.push(':');
            out.push_str(&line);
        }
        out.push(')');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_become_nanoseconds_from_their_digits() {
        let ns = |t: &str| seconds_to_nanos(t);
        assert_eq!(ns("1595437651.680097"), Some(1_595_437_651_680_097_000));
        assert_eq!(ns("1596566305.5928545"), Some(1_596_566_305_592_854_500));
        assert_eq!(ns("1.568835610432E9"), Some(1_568_835_610_432_000_000));
        assert_eq!(ns("1.499473411677e+9"), Some(1_499_473_411_677_000_000));
        assert_eq!(ns("15954376516800970e-7"), Some(1_595_437_651_680_097_000));
        assert_eq!(ns("1478293361"), Some(1_478_293_361_000_000_000));
        assert_eq!(ns("0.5"), Some(500_000_000));
        assert_eq!(ns(".25"), Some(250_000_000));
        assert_eq!(ns("-1.5"), Some(-1_500_000_000));
        // Below the nanosecond: rounded half up, never truncated.
        assert_eq!(ns("1.0000000004"), Some(1_000_000_000));
        assert_eq!(ns("1.0000000005"), Some(1_000_000_001));
        assert_eq!(ns("1.9999999999"), Some(2_000_000_000));
        assert_eq!(ns("1e-12"), Some(0));
        // Not numbers, or beyond i64 nanoseconds.
        for bad in [
            "",
            ".",
            "e9",
            "1.2.3",
            "abc",
            "1e",
            "1e400",
            "99999999999",
            "1x",
        ] {
            assert_eq!(ns(bad), None, "{bad}");
        }
    }

    #[test]
    fn xray_trace_ids_are_w3c_ids_in_another_spelling() {
        assert_eq!(
            xray_trace_id("1-5759e988-bd862e3fe1be46a994272793"),
            Some(0x5759e988_bd862e3fe1be46a994272793)
        );
        assert_eq!(
            xray_trace_id(" 1-5759E988-BD862E3FE1BE46A994272793 "),
            Some(0x5759e988_bd862e3fe1be46a994272793)
        );
        for other in [
            "",
            "5759e988bd862e3fe1be46a994272793",
            "2-5759e988-bd862e3fe1be46a994272793",
            "1-5759e98-bd862e3fe1be46a9942727930",
            "1-5759e988-bd862e3fe1be46a99427279",
            "1-5759e988-bd862e3fe1be46a99427279g",
            "1-+759e988-bd862e3fe1be46a994272793",
        ] {
            assert_eq!(xray_trace_id(other), None, "{other}");
        }
    }

    #[test]
    fn sniff_knows_the_containers_and_leaves_other_formats_alone() {
        let yes: [&[u8]; 5] = [
            br#"{"trace_id": "1-5f187253-6a106696d56b1f4ef9eba2ed", "id": "5cc4a447f5d4d696", "start_time": 1.5}"#,
            b"{\"format\": \"json\", \"version\": 1}\n{\"trace_id\": \"x\", \"start_time\": 1, \"end_time\": 2}",
            br#"{"Traces": [{"Id": "1-5d82881a-0a9126e92a73e971eed891b9", "Segments": []}]}"#,
            br#"{"Traces": [], "UnprocessedTraceIds": []}"#,
            br#"{"TraceSegmentDocuments": []}"#,
        ];
        for head in yes {
            assert_eq!(sniff(head), Sniff::Yes, "{}", String::from_utf8_lossy(head));
        }
        // trace_id past the head: only a guess.
        let big = br#"{"id": "5cc4a447f5d4d696", "name": "s", "start_time": 1, "end_time": 2, "subsegments": ["#;
        assert_eq!(sniff(big), Sniff::Maybe);
        let no: [&[u8]; 5] = [
            br#"{"Services": [{"ReferenceId": 0, "Name": "a", "Edges": []}]}"#,
            br#"[[{"trace_id": 1, "span_id": 2, "start": 3, "duration": 4, "service": "s"}]]"#,
            br#"[{"traceId": "a", "id": "b", "timestamp": 1}]"#,
            br#"{"resourceSpans": []}"#,
            b"trace_id,start_time\n1,2",
        ];
        for head in no {
            assert_eq!(sniff(head), Sniff::No, "{}", String::from_utf8_lossy(head));
        }
    }
}
