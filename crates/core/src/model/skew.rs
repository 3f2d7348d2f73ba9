//! Latency between services and clock skew, per trace.
//!
//! A *call* is a client span and the server span it caused: a [`SpanKind::Server`] span
//! whose parent is a [`SpanKind::Client`] span of another service. Its *gap* is the time the
//! client waited outside the server: the server starting late plus the client ending late
//! (network, queueing, serialisation), as the service graph also counts it.
//!
//! The two sides are timed by different machines, so their clocks may disagree: a server
//! can appear to start before the client called it, or end after the client had its answer.
//! [`detect_skew`] lists such calls and [`adjust_skew`] says how far to move each span so that
//! every server lies inside its client again. The rule is Jaeger's (`calculateSkew` in
//! `cmd/jaeger/internal/extension/jaegerquery/internal/adjuster/clockskew.go`), judged only
//! across client → server pairs as Zipkin does (`getClockSkew` in zipkin-lens
//! `src/zipkin/clock-skew.js`, from `zipkin2.internal.CorrectForClockSkew`), since only
//! there does one span's time bound the other's:
//!
//! - a server inside its client's window is never moved;
//! - a server no longer than its client is centred in it: the latency is assumed to split
//!   evenly between request and response, `client.start + (client.duration -
//!   server.duration) / 2`, as both Jaeger and Zipkin assume;
//! - a server longer than its client (the client gave up, or did not wait) cannot fit, and
//!   only its start says anything: if it starts before the client it is moved to start with
//!   it (nobody receives a request before it is sent), otherwise it is left alone. Jaeger
//!   aligns the starts exactly; Zipkin adds 1 µs, its timestamp unit, to keep the server
//!   strictly after the client. At nanosecond resolution that nudge shows nothing, so the
//!   starts are aligned: the least move that makes the times possible;
//! - when either end is unknown, only the starts can be compared, and the same holds: a
//!   server starting before its client starts with it (Zipkin's "one-way" case);
//! - a call between two services that name the same host (resource `host.id`, `host.ip`,
//!   `host.name`, Zipkin's endpoint address `net.host.ip`, Jaeger's process tags `ip` and
//!   `hostname`) shares one clock: a server outside its client there is asynchronous work or
//!   an instrumentation bug, and moving it would make it worse (Zipkin's `ipsMatch` rule;
//!   Jaeger's host keys). Spans of one service are never judged against each other.
//!
//! Zipkin corrects only a server that starts no later than its client; Jaeger's rule, kept
//! here, also brings back one that ends after it. Zipkin skips a trace without exactly one
//! root; here each root's subtree is corrected on its own, as Jaeger does (every root, and
//! every span whose parent is missing, starts unshifted).
//!
//! A server's correction moves its whole subtree: its children ran on its clock, and for
//! those of yet another service nothing better is known (Jaeger instead judges every span of
//! another host afresh against its moved parent). Nested corrections add up along the path.
//! Because a client and the server below it then carry the same inherited shift, judging a
//! pair after its ancestors' corrections is the same as judging its recorded times, so
//! [`detect_skew`] (recorded times) and [`SkewAdjustment::adjusted`] name the same servers.
//!
//! [`SkewBuild`] finds both in one pass over the trace in pre-order, in steps for big traces
//! (no recursion, linear time), with saturating arithmetic on nanoseconds: odd or hostile
//! times never panic.

use super::{Span, SpanKind, Store, StrId, Trace, Value, NO_PARENT};

#[cfg(test)]
mod tests;

/// A client span and the server span it caused, and the time between them.
///
/// Either value is negative when the server appears to start before the client or to end
/// after it: clock skew between their machines (see [`detect_skew`]).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct CallGap {
    /// Trace positions of the two spans.
    pub client_pos: u32,
    pub server_pos: u32,
    /// `server.start - client.start`, ns: the request on its way.
    pub before_nanos: i64,
    /// `client.end - server.end`, ns: the response on its way.
    pub after_nanos: i64,
}

/// The call the span at `pos` is one side of: a client span's first server child of another
/// service (children in start order), or a server span and its client parent of another
/// service. `None` when the span is neither, or either end of the pair is unknown.
pub fn call_gap(store: &Store, trace: &Trace, pos: u32) -> Option<CallGap> {
    let span = span_at(store, trace, pos)?;
    let (client_pos, server_pos) = match span.kind {
        SpanKind::Client => (pos, server_child(store, trace, pos)?),
        SpanKind::Server => (client_parent(store, trace, pos)?, pos),
        _ => return None,
    };
    let client = span_at(store, trace, client_pos)?;
    let server = span_at(store, trace, server_pos)?;
    if client.end_unknown() || server.end_unknown() {
        return None;
    }
    Some(CallGap {
        client_pos,
        server_pos,
        before_nanos: server
            .start_unix_nanos
            .saturating_sub(client.start_unix_nanos),
        after_nanos: client
            .end_unix_nanos()
            .saturating_sub(server.end_unix_nanos()),
    })
}

/// A call whose server lies outside its client in a way only clock skew explains.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct SkewedCall {
    /// Trace positions of the two spans.
    pub client_pos: u32,
    pub server_pos: u32,
    /// How long before the client the server starts, ns (0: not before).
    pub early_nanos: i64,
    /// How long after the client the server ends, ns (0: not after, or an end is unknown).
    pub late_nanos: i64,
    /// The server's own correction (see [`adjust_skew`]), ns: never 0.
    pub correction_nanos: i64,
}

/// The skewed calls of one trace, in trace order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SkewReport {
    pub calls: Vec<SkewedCall>,
}

impl SkewReport {
    /// True when no call is skewed.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}

/// The calls of `trace` whose server starts before its client, or ends after it, by the
/// recorded times, as far as the module's rules call that skew: a server longer than its
/// client that starts in time, and calls within one host, are not skew. [`SkewBuild`] gives
/// the same list with the shifts, in steps.
pub fn detect_skew(store: &Store, trace: &Trace) -> SkewReport {
    let hosts = HostKeys::new(store);
    let calls = (0..trace.len() as u32)
        .filter_map(|pos| skewed_call(store, trace, &hosts, pos))
        .collect();
    SkewReport { calls }
}

/// How far each span of a trace moves to undo clock skew.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SkewAdjustment {
    /// Per trace position, ns to add to the span's times (0: unshifted).
    pub shift_nanos: Vec<i64>,
    /// `(server pos, its own correction in ns)` for each server corrected, in trace order;
    /// its subtree moves by that much on top of what its ancestors moved.
    pub adjusted: Vec<(u32, i64)>,
}

impl SkewAdjustment {
    /// True when nothing moves.
    pub fn is_empty(&self) -> bool {
        self.adjusted.is_empty()
    }

    /// Shift of the span at `pos`, ns (0 outside the trace).
    pub fn shift(&self, pos: u32) -> i64 {
        self.shift_nanos.get(pos as usize).copied().unwrap_or(0)
    }

    /// Start of the span at `pos` once shifted, ns since the epoch.
    pub fn shifted_start(&self, store: &Store, trace: &Trace, pos: u32) -> Option<i64> {
        let span = span_at(store, trace, pos)?;
        Some(span.start_unix_nanos.saturating_add(self.shift(pos)))
    }

    /// End of the span at `pos` once shifted (its shifted start when the end is unknown, as
    /// [`Span::end_unix_nanos`]), ns since the epoch.
    pub fn shifted_end(&self, store: &Store, trace: &Trace, pos: u32) -> Option<i64> {
        let span = span_at(store, trace, pos)?;
        Some(span.end_unix_nanos().saturating_add(self.shift(pos)))
    }

    /// Earliest shifted start and latest shifted end of the trace's spans (the trace's own
    /// bounds when nothing moves), ns since the epoch.
    pub fn shifted_bounds(&self, store: &Store, trace: &Trace) -> (i64, i64) {
        if self.is_empty() {
            return (trace.start_unix_nanos, trace.end_unix_nanos);
        }
        let (mut start, mut end) = (i64::MAX, i64::MIN);
        for pos in 0..trace.len() as u32 {
            start = start.min(self.shifted_start(store, trace, pos).unwrap_or(i64::MAX));
            end = end.max(self.shifted_end(store, trace, pos).unwrap_or(i64::MIN));
        }
        if start > end {
            // No span of the trace is in the store.
            return (trace.start_unix_nanos, trace.end_unix_nanos);
        }
        (start, end)
    }
}

/// The shifts that put every server of `trace` inside its client (rules in the module
/// header): [`SkewBuild`] run to the end.
pub fn adjust_skew(store: &Store, trace: &Trace) -> SkewAdjustment {
    SkewBuild::new(store, trace).finish().1
}

/// [`detect_skew`] and [`adjust_skew`] in one pass, a bounded number of spans at a time
/// (`step`), so a page can correct a trace of a million spans in short tasks; the result is
/// the same. The pass is in pre-order: a span's shift is its parent's plus its own
/// correction.
pub struct SkewBuild<'t> {
    store: &'t Store,
    trace: &'t Trace,
    hosts: HostKeys,
    /// The next position to visit; `shift_nanos` holds every position before it.
    pos: usize,
    shift_nanos: Vec<i64>,
    calls: Vec<SkewedCall>,
}

impl<'t> SkewBuild<'t> {
    pub fn new(store: &'t Store, trace: &'t Trace) -> Self {
        SkewBuild {
            store,
            trace,
            hosts: HostKeys::new(store),
            pos: 0,
            shift_nanos: Vec::with_capacity(trace.len()),
            calls: Vec::new(),
        }
    }

    /// Visits up to `budget` spans (at least one); true once every span is visited.
    pub fn step(&mut self, budget: usize) -> bool {
        let end = self.trace.len().min(self.pos.saturating_add(budget.max(1)));
        let (store, trace, hosts) = (self.store, self.trace, &self.hosts);
        // First the corrections (each span on its own, so the store's records, scattered
        // in tree order, are fetched independently), then the running sums.
        let first_call = self.calls.len();
        self.calls.extend(
            (self.pos as u32..end as u32).filter_map(|pos| skewed_call(store, trace, hosts, pos)),
        );
        let mut calls = self.calls[first_call..].iter().peekable();
        for pos in self.pos..end {
            let parent = trace.parent.get(pos).copied().unwrap_or(NO_PARENT) as usize;
            // Pre-order puts a parent before its child; anything else is treated as a root.
            let inherited = self.shift_nanos.get(parent).copied().unwrap_or(0);
            let own = calls
                .next_if(|c| c.server_pos as usize == pos)
                .map_or(0, |c| c.correction_nanos);
            self.shift_nanos.push(inherited.saturating_add(own));
        }
        self.pos = end;
        self.pos >= self.trace.len()
    }

    /// The skewed calls and the shifts; visits whatever spans `step` has not.
    pub fn finish(mut self) -> (SkewReport, SkewAdjustment) {
        while !self.step(usize::MAX) {}
        let adjusted = self
            .calls
            .iter()
            .map(|c| (c.server_pos, c.correction_nanos))
            .collect();
        let adjustment = SkewAdjustment {
            shift_nanos: self.shift_nanos,
            adjusted,
        };
        (SkewReport { calls: self.calls }, adjustment)
    }
}

/// The span at trace position `pos`.
fn span_at<'s>(store: &'s Store, trace: &Trace, pos: u32) -> Option<&'s Span> {
    let index = *trace.spans.get(pos as usize)?;
    store.spans.get(index as usize)
}

/// Whether `server` is the server side of a call from `client`.
fn is_call(client: &Span, server: &Span) -> bool {
    client.kind == SpanKind::Client
        && server.kind == SpanKind::Server
        && client.service != server.service
}

/// Position of the client span that called the server span at `pos`.
fn client_parent(store: &Store, trace: &Trace, pos: u32) -> Option<u32> {
    let parent = *trace.parent.get(pos as usize)?;
    let client = span_at(store, trace, parent)?;
    is_call(client, span_at(store, trace, pos)?).then_some(parent)
}

/// Position of the first child of the client span at `pos` that is a server span of
/// another service. Children are found by skipping from one sibling's subtree end to the
/// next, so only the children are visited.
fn server_child(store: &Store, trace: &Trace, pos: u32) -> Option<u32> {
    let client = span_at(store, trace, pos)?;
    let end = *trace.subtree_end.get(pos as usize)?;
    let mut child = pos.saturating_add(1);
    while child < end {
        if is_call(client, span_at(store, trace, child)?) {
            return Some(child);
        }
        let next = *trace.subtree_end.get(child as usize)?;
        child = next.max(child + 1);
    }
    None
}

/// The call whose server is at `pos`, if the server needs a correction: it lies outside
/// its client (by the rules in the module header) and the two run on different hosts.
fn skewed_call(store: &Store, trace: &Trace, hosts: &HostKeys, pos: u32) -> Option<SkewedCall> {
    let server = span_at(store, trace, pos)?;
    if server.kind != SpanKind::Server {
        return None;
    }
    let client_pos = client_parent(store, trace, pos)?;
    let client = span_at(store, trace, client_pos)?;
    let correction_nanos = correction(client, server);
    if correction_nanos == 0 || hosts.same_host(store, client, server) {
        return None;
    }
    let both_ends = !client.end_unknown() && !server.end_unknown();
    let late = server
        .end_unix_nanos()
        .saturating_sub(client.end_unix_nanos());
    Some(SkewedCall {
        client_pos,
        server_pos: pos,
        early_nanos: client
            .start_unix_nanos
            .saturating_sub(server.start_unix_nanos)
            .max(0),
        late_nanos: if both_ends { late.max(0) } else { 0 },
        correction_nanos,
    })
}

/// How far to move `server` so that it lies inside `client` (0: leave it), by Jaeger's
/// `calculateSkew`: centred when it fits, starts aligned when it cannot fit or its end is
/// unknown.
fn correction(client: &Span, server: &Span) -> i64 {
    let align = client
        .start_unix_nanos
        .saturating_sub(server.start_unix_nanos)
        .max(0);
    if client.end_unknown() || server.end_unknown() {
        return align;
    }
    let (client_duration, server_duration) = (client.duration_nanos, server.duration_nanos);
    if server_duration > client_duration {
        return align;
    }
    let inside = server.start_unix_nanos >= client.start_unix_nanos
        && server.end_unix_nanos() <= client.end_unix_nanos();
    if inside {
        return 0;
    }
    let latency = client_duration.saturating_sub(server_duration) / 2;
    client
        .start_unix_nanos
        .saturating_add(latency)
        .saturating_sub(server.start_unix_nanos)
}

/// Resource attributes that name a span's host, most specific first: OpenTelemetry's
/// `host.id`, `host.ip`, `host.name` (the keys Jaeger's adjuster reads), then what the
/// Zipkin importer makes of a local endpoint's address, then Jaeger v1's process tags.
const HOST_KEYS: [&str; 6] = [
    "host.id",
    "host.ip",
    "host.name",
    "net.host.ip",
    "ip",
    "hostname",
];

/// The interned ids of [`HOST_KEYS`] (`None`: no attribute has that key).
struct HostKeys([Option<StrId>; HOST_KEYS.len()]);

impl HostKeys {
    fn new(store: &Store) -> Self {
        HostKeys(HOST_KEYS.map(|k| store.strings.lookup(k)))
    }

    /// Whether the two spans' resources name the same host by the first key both have.
    /// Unknown hosts count as different: the skew is then corrected, as Jaeger does.
    fn same_host(&self, store: &Store, a: &Span, b: &Span) -> bool {
        self.0.iter().flatten().find_map(|&key| {
            match (host_attr(store, a, key), host_attr(store, b, key)) {
                (Some(x), Some(y)) => Some(x == y),
                _ => None,
            }
        }) == Some(true)
    }
}

/// The value of resource attribute `key` of `span`'s resource.
fn host_attr(store: &Store, span: &Span, key: StrId) -> Option<Value> {
    let resource = store.resources.get(span.resource as usize)?;
    store
        .attrs_iter(resource.attrs)
        .find(|a| a.key == key)
        .map(|a| a.value)
}
