//! The service dependency graph, built from the spans alone: who calls whom, how often, how
//! slow, how often it fails.
//!
//! A call is one of:
//! - a span whose parent belongs to another service (a client span and the server span it
//!   caused, a producer and its consumer, or a parent → child across services with no
//!   client/server kinds): counted once, from the parent's service to the child's;
//! - a consumer span's link to a producer span of another service (a batch consumer's own
//!   trace linking to the messages it took, [`links`]): a call from the producer's service;
//! - a client or producer span with no child in another service and no consumer linking to
//!   it: a call to something that reported no spans (a database, a queue, an external API),
//!   named from the span's attributes the way Grafana Tempo's service graphs name such
//!   "virtual" nodes ([`peer`]).
//!
//! A call fails if either side has an error status. Its latency is as the caller saw it (the
//! client or producer span's duration; the callee's when the caller is not a client). For a
//! client span and the server span it caused, the time lost between them (the server
//! starting late plus the client ending late: network and queueing) is kept as the gap.

mod links;
mod peer;
#[cfg(test)]
mod tests;
mod traces;

pub use peer::NodeKind;
pub use traces::{traces_through_node, traces_with_edge};

use super::{Span, SpanKind, StatusCode, Store, Trace, NO_PARENT};
use peer::PeerKeys;
use std::collections::{HashMap, HashSet};

/// A node: a service that reported spans, or something the spans call that did not.
#[derive(Clone, PartialEq, Debug)]
pub struct GraphNode {
    pub name: String,
    pub kind: NodeKind,
    /// Named from client spans' attributes (or an X-Ray inferred segment), not a service
    /// that reported spans of its own.
    pub inferred: bool,
    /// Spans the node reported, and those with an error status.
    pub spans: u64,
    pub errors: u64,
    pub calls_in: u64,
    pub calls_out: u64,
    /// Durations of its server and consumer spans, ns.
    pub server_latency: Percentiles,
}

impl GraphNode {
    /// A node with nothing counted yet.
    pub fn new(name: String, kind: NodeKind, inferred: bool) -> Self {
        GraphNode {
            name,
            kind,
            inferred,
            spans: 0,
            errors: 0,
            calls_in: 0,
            calls_out: 0,
            server_latency: Percentiles::default(),
        }
    }
}

/// One (caller, callee) pair and its calls.
#[derive(Clone, PartialEq, Debug)]
pub struct GraphEdge {
    /// Indices into [`ServiceGraph::nodes`].
    pub from: usize,
    pub to: usize,
    pub calls: u64,
    /// Calls where the caller or the callee has an error status.
    pub errors: u64,
    /// Some call went through a queue (a producer or consumer span).
    pub messaging: bool,
    /// Latency as the caller saw it, ns.
    pub latency: Percentiles,
    /// For client → server pairs: the server starting late plus the client ending late, ns.
    pub gap: Percentiles,
    /// Store indices of the calling spans, in trace order.
    pub callers: Vec<u32>,
}

impl GraphEdge {
    /// Share of calls that failed (0 when there were none).
    pub fn error_rate(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.errors as f64 / self.calls as f64
        }
    }
}

/// p50, p95 and p99 of a set of durations (nearest rank), ns; `None` for an empty set.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct Percentiles {
    pub count: u64,
    pub p50: Option<i64>,
    pub p95: Option<i64>,
    pub p99: Option<i64>,
}

impl Percentiles {
    /// The percentiles of `values` (sorted in place).
    pub fn of(values: &mut [i64]) -> Percentiles {
        values.sort_unstable();
        Percentiles {
            count: values.len() as u64,
            p50: nearest_rank(values, 50),
            p95: nearest_rank(values, 95),
            p99: nearest_rank(values, 99),
        }
    }
}

/// The `p`-th percentile of sorted `values` by the nearest-rank method.
pub fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Nodes sorted by kind then name, and edges sorted by caller then callee.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct ServiceGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

impl ServiceGraph {
    /// The index of the node named `name`.
    pub fn node(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// The edge from `from` to `to`, by node names.
    pub fn edge(&self, from: &str, to: &str) -> Option<&GraphEdge> {
        let (from, to) = (self.node(from)?, self.node(to)?);
        self.edges.iter().find(|e| e.from == from && e.to == to)
    }
}

/// One call of an edge, for the list of calls behind it.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct EdgeCall {
    /// Index into the traces.
    pub trace: usize,
    /// Store index of the calling span.
    pub span: u32,
    /// The calling span's duration (`None`: its end is unknown) and whether it failed.
    pub duration_nanos: Option<i64>,
    pub error: bool,
}

/// The calls of `edge`, slowest first (at most `limit`), each with the trace it is in.
pub fn edge_calls(
    store: &Store,
    traces: &[Trace],
    edge: &GraphEdge,
    limit: usize,
) -> Vec<EdgeCall> {
    let trace_of: HashMap<crate::model::TraceId, usize> =
        traces.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut calls: Vec<EdgeCall> = edge
        .callers
        .iter()
        .filter_map(|&span| {
            let s = store.spans.get(span as usize)?;
            Some(EdgeCall {
                trace: *trace_of.get(&s.trace_id)?,
                span,
                duration_nanos: (!s.end_unknown()).then_some(s.duration_nanos),
                error: s.status == StatusCode::Error,
            })
        })
        .collect();
    calls.sort_by_key(|c| (std::cmp::Reverse(c.duration_nanos), c.trace, c.span));
    calls.truncate(limit);
    calls
}

/// The service graph of `traces` (all loaded traces, or one).
pub fn build_service_graph<'t>(
    store: &'t Store,
    traces: impl IntoIterator<Item = &'t Trace>,
) -> ServiceGraph {
    let mut build = ServiceGraphBuild::new(store, traces);
    while !build.step(usize::MAX) {}
    build.finish()
}

/// [`build_service_graph`] as a value, a bounded number of spans at a time (`step`), so a
/// page can build the graph of a million spans in short tasks; the result is the same.
pub struct ServiceGraphBuild<'t> {
    builder: Builder<'t>,
    traces: Vec<&'t Trace>,
    links: links::LinkedCalls,
    /// Where the build is: trace, pass over its spans (0: spans and calls to their
    /// parents; 1: unanswered client spans), position.
    trace: usize,
    pass: u8,
    pos: usize,
}

impl<'t> ServiceGraphBuild<'t> {
    pub fn new(store: &'t Store, traces: impl IntoIterator<Item = &'t Trace>) -> Self {
        let traces: Vec<&'t Trace> = traces.into_iter().collect();
        ServiceGraphBuild {
            builder: Builder::new(store),
            links: links::LinkedCalls::find(store, &traces),
            traces,
            trace: 0,
            pass: 0,
            pos: 0,
        }
    }

    /// Visits up to `budget` spans (at least one); true once every span is counted.
    pub fn step(&mut self, budget: usize) -> bool {
        let mut left = budget.max(1);
        while let Some(&trace) = self.traces.get(self.trace) {
            if self.pass == 0 && self.pos == 0 {
                self.builder.start_trace(trace);
            }
            let end = trace.len().min(self.pos.saturating_add(left));
            for pos in self.pos..end {
                match self.pass {
                    0 => self.builder.visit(trace, pos),
                    _ => self
                        .builder
                        .visit_unanswered(trace, pos, &self.links.answered),
                }
            }
            left -= end - self.pos;
            self.pos = end;
            if self.pos == trace.len() {
                self.pos = 0;
                self.pass = 1 - self.pass;
                self.trace += usize::from(self.pass == 0);
            }
            if left == 0 {
                return self.trace >= self.traces.len();
            }
        }
        true
    }

    /// Adds the store's dependency links (from dependency files, which have no spans): for
    /// the graph of everything loaded, not of one trace.
    pub fn with_dependencies(mut self) -> Self {
        for dependency in &self.builder.store.dependencies {
            self.builder.add_dependency(dependency);
        }
        self
    }

    /// The graph (call once [`ServiceGraphBuild::step`] has returned true).
    pub fn finish(mut self) -> ServiceGraph {
        let store = self.builder.store;
        for &(producer, consumer) in &self.links.calls {
            let spans = (
                store.spans.get(producer as usize),
                store.spans.get(consumer as usize),
            );
            if let (Some(p), Some(c)) = spans {
                self.builder.add_call(p, c, producer);
            }
        }
        self.builder.finish()
    }

    /// Steps to the end and gives the graph.
    pub fn build(mut self) -> ServiceGraph {
        while !self.step(usize::MAX) {}
        self.finish()
    }
}

/// A node while the graph is built.
struct NodeAcc {
    node: GraphNode,
    server_nanos: Vec<i64>,
    /// Its spans that are database calls, and messaging ones: a service that reports only
    /// such spans (a "mysql" service of database client spans, as Jaeger's HotROD has) is
    /// drawn as a database or a queue.
    database_spans: u64,
    messaging_spans: u64,
}

/// An edge while the graph is built.
#[derive(Default)]
struct EdgeAcc {
    calls: u64,
    errors: u64,
    messaging: bool,
    latency: Vec<i64>,
    gap: Vec<i64>,
    callers: Vec<u32>,
    /// Latency quantiles a dependency file gave for this edge (used when no span did).
    file_latency: Option<[i64; 3]>,
}

struct Builder<'s> {
    store: &'s Store,
    keys: PeerKeys,
    nodes: Vec<NodeAcc>,
    /// Node of each service, by its name's interned id (`usize::MAX`: none yet), and of
    /// each name.
    by_service: Vec<usize>,
    by_name: HashMap<String, usize>,
    edges: HashMap<(usize, usize), EdgeAcc>,
    /// Per trace position: the span has a child in another service (reused per trace).
    answered: Vec<bool>,
}

impl<'s> Builder<'s> {
    fn new(store: &'s Store) -> Self {
        Builder {
            store,
            keys: PeerKeys::new(&store.strings),
            nodes: Vec::new(),
            by_service: vec![usize::MAX; store.strings.len()],
            by_name: HashMap::new(),
            edges: HashMap::new(),
            answered: Vec::new(),
        }
    }

    fn span(&self, trace: &Trace, pos: usize) -> Option<&'s Span> {
        let store = self.store;
        trace
            .spans
            .get(pos)
            .and_then(|&i| store.spans.get(i as usize))
    }

    /// Starts a trace: no span of it has been answered yet.
    fn start_trace(&mut self, trace: &Trace) {
        self.answered.clear();
        self.answered.resize(trace.len(), false);
    }

    /// Counts the span at `pos` into its service, and the call from its parent if the parent
    /// is of another service.
    fn visit(&mut self, trace: &Trace, pos: usize) {
        let Some(span) = self.span(trace, pos) else {
            return;
        };
        self.count_span(span);
        let parent_pos = trace.parent.get(pos).copied().unwrap_or(NO_PARENT);
        if parent_pos == NO_PARENT {
            return;
        }
        let Some(parent) = self.span(trace, parent_pos as usize) else {
            return;
        };
        if parent.service != span.service {
            if let Some(answered) = self.answered.get_mut(parent_pos as usize) {
                *answered = true;
            }
            self.add_call(parent, span, trace.spans[parent_pos as usize]);
        }
    }

    /// Once a trace is visited: a client or producer span that no span of another service
    /// answered (as a child, or by a link: `linked`) calls what its attributes name.
    fn visit_unanswered(&mut self, trace: &Trace, pos: usize, linked: &HashSet<u32>) {
        let Some(span) = self.span(trace, pos) else {
            return;
        };
        let answered =
            self.answered.get(pos).copied().unwrap_or(true) || linked.contains(&trace.spans[pos]);
        if !answered && matches!(span.kind, SpanKind::Client | SpanKind::Producer) {
            self.add_unanswered_call(span, trace.spans[pos]);
        }
    }

    fn count_span(&mut self, span: &Span) {
        let node = self.service_node(span);
        let acc = &mut self.nodes[node];
        acc.node.spans += 1;
        if span.status == StatusCode::Error {
            acc.node.errors += 1;
        }
        if matches!(span.kind, SpanKind::Server | SpanKind::Consumer) && !span.end_unknown() {
            acc.server_nanos.push(span.duration_nanos);
        }
        if matches!(
            span.kind,
            SpanKind::Client | SpanKind::Producer | SpanKind::Consumer
        ) {
            match self.keys.kind_of(self.store, span) {
                NodeKind::Database => acc.database_spans += 1,
                NodeKind::Messaging => acc.messaging_spans += 1,
                _ => {}
            }
        }
    }

    /// The node of `span`'s service, made on first sight (an X-Ray inferred segment makes
    /// an inferred node, of the kind its attributes say).
    fn service_node(&mut self, span: &Span) -> usize {
        if let Some(node) = self.known(span.service) {
            return node;
        }
        let inferred = self.keys.is_inferred(self.store, span);
        let kind = if inferred {
            self.keys.kind_of(self.store, span)
        } else {
            NodeKind::Service
        };
        self.node_of(span.service, kind, inferred)
    }

    /// The node of the service named `name` (an interned id), if it has one yet.
    fn known(&self, name: crate::model::StrId) -> Option<usize> {
        self.by_service
            .get(name.0 as usize)
            .copied()
            .filter(|&n| n != usize::MAX)
    }

    /// The node of the service named `name`, made with `kind` on first sight. A node first
    /// made for a call's peer of that name is this service's: it is not inferred after all.
    fn node_of(&mut self, name: crate::model::StrId, kind: NodeKind, inferred: bool) -> usize {
        if let Some(node) = self.known(name) {
            return node;
        }
        let node = self.node_named(self.store.strings.get(name).to_string(), kind, inferred);
        let acc = &mut self.nodes[node].node;
        if acc.inferred && !inferred {
            acc.inferred = false;
            acc.kind = kind;
        }
        if let Some(entry) = self.by_service.get_mut(name.0 as usize) {
            *entry = node;
        }
        node
    }

    fn node_named(&mut self, name: String, kind: NodeKind, inferred: bool) -> usize {
        if let Some(&node) = self.by_name.get(&name) {
            return node;
        }
        let node = self.nodes.len();
        self.nodes.push(NodeAcc {
            node: GraphNode::new(name.clone(), kind, inferred),
            server_nanos: Vec::new(),
            database_spans: 0,
            messaging_spans: 0,
        });
        self.by_name.insert(name, node);
        node
    }

    /// A call from `caller` (store index `caller_index`) to `callee`, a span of another
    /// service.
    fn add_call(&mut self, caller: &Span, callee: &Span, caller_index: u32) {
        let from = self.service_node(caller);
        let to = self.service_node(callee);
        let client = matches!(caller.kind, SpanKind::Client | SpanKind::Producer);
        let seen_by_caller = if client { caller } else { callee };
        let gap = (caller.kind == SpanKind::Client
            && callee.kind == SpanKind::Server
            && !caller.end_unknown()
            && !callee.end_unknown())
        .then(|| {
            let late_start = (callee.start_unix_nanos - caller.start_unix_nanos).max(0);
            let late_end = (caller.end_unix_nanos() - callee.end_unix_nanos()).max(0);
            late_start.saturating_add(late_end)
        });
        let call = Call {
            failed: caller.status == StatusCode::Error || callee.status == StatusCode::Error,
            messaging: caller.kind == SpanKind::Producer || callee.kind == SpanKind::Consumer,
            latency: (!seen_by_caller.end_unknown()).then_some(seen_by_caller.duration_nanos),
            gap,
            caller: caller_index,
        };
        self.record(from, to, call);
    }

    /// A client or producer span that nothing in the loaded data answered: a call to the
    /// node its attributes name, if they name one.
    fn add_unanswered_call(&mut self, span: &Span, index: u32) {
        let Some((name, kind)) = self.keys.peer_of(self.store, span) else {
            return;
        };
        let from = self.service_node(span);
        // By name: a service of that name is that node (no interner lookup, which is slow
        // on a decoded store).
        let to = self.node_named(name, kind, true);
        if from == to {
            return;
        }
        let call = Call {
            failed: span.status == StatusCode::Error,
            messaging: kind == NodeKind::Messaging,
            latency: (!span.end_unknown()).then_some(span.duration_nanos),
            gap: None,
            caller: index,
        };
        self.record(from, to, call);
    }

    /// A dependency file's link: its calls and failures, its quantiles; its ends as
    /// services, or of the kind their type says.
    fn add_dependency(&mut self, d: &crate::model::Dependency) {
        let from = self.dependency_node(d.parent, d.parent_type);
        let to = self.dependency_node(d.child, d.child_type);
        self.nodes[from].node.calls_out += d.calls;
        self.nodes[to].node.calls_in += d.calls;
        let edge = self.edges.entry((from, to)).or_default();
        edge.calls += d.calls;
        edge.errors += d.errors.unwrap_or(0);
        if d.latency_nanos.iter().any(|&n| n > 0) {
            edge.file_latency = Some(d.latency_nanos);
        }
    }

    fn dependency_node(&mut self, name: crate::model::StrId, kind: crate::model::StrId) -> usize {
        let kind = peer::kind_of_type(self.store.strings.get(kind));
        self.node_of(name, kind, false)
    }

    fn record(&mut self, from: usize, to: usize, call: Call) {
        self.nodes[from].node.calls_out += 1;
        self.nodes[to].node.calls_in += 1;
        let edge = self.edges.entry((from, to)).or_default();
        edge.calls += 1;
        edge.errors += u64::from(call.failed);
        edge.messaging |= call.messaging;
        edge.latency.extend(call.latency);
        edge.gap.extend(call.gap);
        edge.callers.push(call.caller);
    }

    /// The graph, nodes sorted by kind and name, edges by caller and callee.
    fn finish(self) -> ServiceGraph {
        let mut nodes: Vec<GraphNode> = self
            .nodes
            .into_iter()
            .map(|mut acc| {
                acc.node.server_latency = Percentiles::of(&mut acc.server_nanos);
                let spans = acc.node.spans;
                if acc.node.kind == NodeKind::Service && spans > 0 {
                    if acc.database_spans == spans {
                        acc.node.kind = NodeKind::Database;
                    } else if acc.messaging_spans == spans {
                        acc.node.kind = NodeKind::Messaging;
                    }
                }
                acc.node
            })
            .collect();
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.sort_by(|&a, &b| {
            (nodes[a].kind, &nodes[a].name).cmp(&(nodes[b].kind, &nodes[b].name))
        });
        let mut new_index = vec![0; nodes.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut sorted: Vec<Option<GraphNode>> = nodes.drain(..).map(Some).collect();
        let nodes: Vec<GraphNode> = order.iter().filter_map(|&old| sorted[old].take()).collect();
        let mut edges: Vec<GraphEdge> = self
            .edges
            .into_iter()
            .map(|((from, to), mut acc)| GraphEdge {
                from: new_index[from],
                to: new_index[to],
                calls: acc.calls,
                errors: acc.errors,
                messaging: acc.messaging,
                latency: match acc.file_latency {
                    Some([p50, p95, p99]) if acc.latency.is_empty() => Percentiles {
                        count: acc.calls,
                        p50: Some(p50),
                        p95: Some(p95),
                        p99: Some(p99),
                    },
                    _ => Percentiles::of(&mut acc.latency),
                },
                gap: Percentiles::of(&mut acc.gap),
                callers: acc.callers,
            })
            .collect();
        edges.sort_by_key(|e| (e.from, e.to));
        ServiceGraph { nodes, edges }
    }
}

/// One call, as the builder records it.
struct Call {
    failed: bool,
    messaging: bool,
    latency: Option<i64>,
    gap: Option<i64>,
    caller: u32,
}
