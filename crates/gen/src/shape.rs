//! Builds one trace: the call tree (which operation calls which, and how many spans each
//! subtree holds), the time window of every span, and which spans fail.
//!
//! The tree is grown top-down from a span budget: a span with budget `b` (itself plus all its
//! descendants) gets its children and their budgets from `plan.rs`, which picks 1–`max_fanout`
//! calls from what its handler does and sends big budgets into loops (N+1 queries, per-item
//! calls, batches of messages) rather than into ever deeper in-process nesting. Depth is that
//! of the call graph: about 10 for a shop request, 15–20 for the batch job, whatever the
//! size. Spans are produced in pre-order with an explicit stack: nothing recurses.
//!
//! Times are worked out bottom-up, as in a real system: a leaf takes what its kind of work
//! takes (a Redis `GET` well under a millisecond, a SQL statement a few), a span lasts its
//! own overhead plus its children, run one after another (sum) or in parallel (longest).
//! Start times then follow top-down. All in integer nanoseconds, so a child can never poke
//! out of its parent by rounding. The one deliberate exception is a Kafka consumer, which
//! starts after its producer and may outlive it and the whole request (asynchronous work).

use super::catalogue::{Catalogue, Proto};
use super::plan::{self, Child, Node, Planner, Sizes};
use super::rng::{mix64, Rng};

/// [`GenSpan::parent`] of the root.
pub const NO_PARENT: u32 = u32::MAX;

/// The part a span plays; decides its kind and attributes.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Role {
    /// Handles an incoming HTTP or gRPC request (OTLP kind SERVER).
    Server,
    /// Makes an outgoing HTTP or gRPC call; `op` is the callee's operation (kind CLIENT).
    Client,
    /// In-process work (kind INTERNAL).
    Internal,
    /// A database or cache command, in the database's own service (kind CLIENT).
    Database,
    /// Publishing a message, in the `kafka` service (kind PRODUCER).
    Producer,
    /// Processing a message (kind CONSUMER).
    Consumer,
}

impl Role {
    /// OTLP `SpanKind` number.
    pub fn otlp_kind(self) -> u8 {
        match self {
            Role::Internal => 1,
            Role::Server => 2,
            Role::Client | Role::Database => 3,
            Role::Producer => 4,
            Role::Consumer => 5,
        }
    }

    /// Lower-case kind name (Jaeger's `span.kind` tag).
    pub fn kind_name(self) -> &'static str {
        match self {
            Role::Internal => "internal",
            Role::Server => "server",
            Role::Client | Role::Database => "client",
            Role::Producer => "producer",
            Role::Consumer => "consumer",
        }
    }
}

/// Whether and why a span failed.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Fault {
    None,
    /// The failure started here.
    Origin,
    /// A child failed and this span failed because of it.
    Propagated,
}

/// One generated span.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct GenSpan {
    /// Unique within its trace, never 0.
    pub span_id: u64,
    /// Index of the parent in [`GenTrace::spans`], or [`NO_PARENT`].
    pub parent: u32,
    /// The operation (for a client span: the callee's operation).
    pub op: u16,
    /// The service the span belongs to (for a client span: the caller).
    pub service: u16,
    pub role: Role,
    pub fault: Fault,
    /// Root is 0.
    pub depth: u32,
    /// Nanoseconds since the Unix epoch.
    pub start_unix_nanos: i64,
    /// Nanoseconds, `>= 0`.
    pub duration_nanos: i64,
}

impl GenSpan {
    /// End time, ns since the epoch.
    pub fn end_unix_nanos(&self) -> i64 {
        self.start_unix_nanos + self.duration_nanos
    }
}

/// One generated trace; `spans` is in pre-order (a parent comes before its children).
#[derive(Clone, Debug)]
pub struct GenTrace {
    /// 0-based position in the generated file.
    pub index: usize,
    /// Never 0.
    pub trace_id: u128,
    /// Seed of this trace's per-span detail streams (attribute values, messages).
    pub seed: u64,
    pub spans: Vec<GenSpan>,
    /// Trace id and root span id of the previous trace, for occasional cross-trace links.
    pub previous: Option<(u128, u64)>,
}

/// Knobs for one trace.
#[derive(Clone, Debug)]
pub struct ShapeParams {
    /// The trace gets exactly this many spans (at least 1).
    pub span_count: u32,
    /// The root span's operation (index into the catalogue's operations).
    pub root_op: u16,
    /// Start of the root span, ns since the Unix epoch.
    pub start_unix_nanos: i64,
    /// Multiplies the per-span failure probabilities; 0 disables failures.
    pub error_scale: f64,
}

struct Pending {
    parent: u32,
    depth: u32,
    node: Node,
    budget: u32,
    /// Pause before this span in its parent's sequence (or its offset when the parent runs
    /// its children in parallel, or the queueing delay of a consumer), ns.
    gap: i64,
}

/// Per-span timing facts gathered while growing the tree, turned into times afterwards.
#[derive(Copy, Clone, Default)]
struct Timing {
    /// See [`Pending::gap`].
    gap: i64,
    /// Own work before the first child and after the last, ns (for a leaf: all its work).
    pre: i64,
    post: i64,
    /// Children run in parallel rather than one after another.
    parallel: bool,
}

/// Generates the spans of one trace.
pub fn build(cat: &Catalogue, sizes: &Sizes, rng: &mut Rng, p: &ShapeParams) -> Vec<GenSpan> {
    let n = p.span_count.max(1);
    let mut spans: Vec<GenSpan> = Vec::with_capacity(n as usize);
    let mut timing: Vec<Timing> = Vec::with_capacity(n as usize);
    let id_base = rng.next_u64();
    let mut stack = vec![Pending {
        parent: NO_PARENT,
        depth: 0,
        node: plan::serving_node(cat, p.root_op),
        budget: n,
        gap: 0,
    }];
    let mut planner = Planner::default();
    let mut children: Vec<Child> = Vec::with_capacity(8);
    // Pass 1, pre-order: the tree, and each span's own work.
    while let Some(pending) = stack.pop() {
        let node = pending.node;
        let index = spans.len() as u32;
        let mut id = mix64(id_base.wrapping_add(index as u64));
        if id == 0 {
            id = 0x5eed;
        }
        spans.push(GenSpan {
            span_id: id,
            parent: pending.parent,
            op: node.op,
            service: node.service,
            role: node.role,
            fault: Fault::None,
            depth: pending.depth,
            start_unix_nanos: 0,
            duration_nanos: 0,
        });
        let rest = pending.budget.saturating_sub(1);
        plan::plan_children(cat, sizes, rng, &mut planner, &node, rest, &mut children);
        let t = own_work(cat, rng, &node, children.len());
        timing.push(Timing {
            gap: pending.gap,
            ..t
        });
        for child in children.iter().rev() {
            let gap = match (node.role, t.parallel) {
                (Role::Client, _) => 0,
                // Queueing: the consumer picks the message up a little after the publish.
                (Role::Producer, _) => t.pre / 2 + rng.uniform(0.5e6, 15e6) as i64,
                (_, true) => rng.uniform(0.0, 1.5e6) as i64,
                (_, false) => rng.uniform(10e3, 400e3) as i64,
            };
            stack.push(Pending {
                parent: index,
                depth: pending.depth + 1,
                node: child.node,
                budget: child.budget,
                gap,
            });
        }
    }

    // Pass 2, children before parents: durations. A consumer does not make its producer
    // longer (it runs asynchronously).
    let mut inner = vec![0i64; spans.len()];
    for i in (0..spans.len()).rev() {
        let t = timing[i];
        let d = t.pre + inner[i] + t.post;
        spans[i].duration_nanos = d;
        let parent = spans[i].parent;
        if parent == NO_PARENT || spans[i].role == Role::Consumer {
            continue;
        }
        let p = parent as usize;
        if timing[p].parallel {
            inner[p] = inner[p].max(t.gap + d);
        } else {
            inner[p] += t.gap + d;
        }
    }

    // Pass 3, parents before children: start times. `inner` is reused as each parent's
    // cursor (where its next sequential child may start).
    spans[0].start_unix_nanos = p.start_unix_nanos;
    inner[0] = p.start_unix_nanos + timing[0].pre;
    for i in 1..spans.len() {
        let parent = spans[i].parent as usize;
        let t = timing[i];
        let start = if spans[i].role == Role::Consumer {
            spans[parent].start_unix_nanos + t.gap
        } else if timing[parent].parallel {
            spans[parent].start_unix_nanos + timing[parent].pre + t.gap
        } else {
            let start = inner[parent] + t.gap;
            inner[parent] = start + spans[i].duration_nanos;
            start
        };
        spans[i].start_unix_nanos = start;
        inner[i] = start + t.pre;
    }
    assign_faults(rng, &mut spans, p.error_scale);
    spans
}

/// How long a span works itself (before and after its children) and whether it runs its
/// children in parallel. Leaves get all their work in `pre`.
fn own_work(cat: &Catalogue, rng: &mut Rng, node: &Node, children: usize) -> Timing {
    let op = &cat.ops[node.op as usize];
    let ms = |rng: &mut Rng, lo: f64, hi: f64| -> i64 {
        // Skewed towards the low end, like real latencies.
        let u = rng.unit();
        ((lo + (hi - lo) * u * u) * 1e6) as i64
    };
    if let Some((lo, hi)) = op.slow_ms {
        return Timing {
            pre: ms(rng, lo, hi),
            post: ms(rng, 0.02, 1.0),
            ..Timing::default()
        };
    }
    if children == 0 {
        let pre = match (node.role, op.proto) {
            (Role::Database, Proto::Redis { .. }) => ms(rng, 0.08, 1.5),
            (Role::Database, _) => ms(rng, 0.3, 12.0),
            (Role::Producer, _) => ms(rng, 0.4, 4.0),
            (Role::Internal, _) => ms(rng, 0.02, 3.0),
            _ => ms(rng, 0.3, 8.0),
        };
        return Timing {
            pre,
            ..Timing::default()
        };
    }
    match node.role {
        // Network on the way there and back.
        Role::Client => Timing {
            pre: ms(rng, 0.1, 1.2),
            post: ms(rng, 0.05, 0.6),
            ..Timing::default()
        },
        // The publish itself; the consumer runs on its own time.
        Role::Producer => Timing {
            pre: ms(rng, 0.4, 4.0),
            ..Timing::default()
        },
        _ => {
            let fan_out_service = matches!(
                cat.services[node.service as usize].name,
                "frontend" | "api-gateway" | "recommendation" | "order-sync"
            );
            let p_parallel = if fan_out_service { 0.5 } else { 0.15 };
            Timing {
                gap: 0,
                pre: ms(rng, 0.02, 2.0),
                post: ms(rng, 0.02, 1.5),
                parallel: children >= 2 && rng.chance(p_parallel),
            }
        }
    }
}

/// Picks where failures start and lets them travel up: a client almost always fails when
/// its server does; a handler fails because of a failed child about half of the time
/// (otherwise it retries or degrades). Consumers never fail their producer (asynchronous).
fn assign_faults(rng: &mut Rng, spans: &mut [GenSpan], scale: f64) {
    if scale <= 0.0 {
        return;
    }
    for s in spans.iter_mut() {
        let p = match s.role {
            Role::Database => 0.024,
            Role::Server => 0.01,
            Role::Internal => 0.0065,
            Role::Producer => 0.01,
            Role::Client => 0.0025,
            Role::Consumer => 0.008,
        };
        if rng.chance(p * scale) {
            s.fault = Fault::Origin;
        }
    }
    for i in (0..spans.len()).rev() {
        let (fault, parent, role) = (spans[i].fault, spans[i].parent, spans[i].role);
        if fault == Fault::None || parent == NO_PARENT || role == Role::Consumer {
            continue;
        }
        let Some(p) = spans.get_mut(parent as usize) else {
            continue;
        };
        if p.fault != Fault::None {
            continue;
        }
        let chance = match (p.role, role) {
            (Role::Client, _) => 0.92,
            (Role::Producer, _) => 0.0,
            // A failed call to another service usually fails the handler too; a failed
            // query or step is retried or worked around more often.
            (_, Role::Client) => 0.6,
            (_, Role::Database) => 0.4,
            _ => 0.5,
        };
        if rng.chance(chance) {
            p.fault = Fault::Propagated;
        }
    }
}
