//! Builds one trace: the call tree (which operation calls which, and how many spans each
//! subtree holds), the time window of every span, and which spans fail.
//!
//! The tree is grown top-down from a span budget: a span with budget `b` (itself plus all its
//! descendants) picks 1–`max_fanout` children from the operations its handler calls
//! (likelier: calls that naturally bring many spans), gives each its minimum (a remote call
//! is a client span plus a server span) and splits the rest with random weights, filling
//! calls up to about twice their natural size before padding anything. Depth grows with
//! size: about 10 at 100 spans, 40–60 at 5,000, 70–100 at 1,000,000. Spans are produced in
//! pre-order with an explicit stack: nothing recurses, whatever the size.
//!
//! Times are worked out bottom-up, as in a real system: a leaf takes what its kind of work
//! takes (a Redis `GET` well under a millisecond, a SQL statement a few), a span lasts its
//! own overhead plus its children, run one after another (sum) or in parallel (longest).
//! Start times then follow top-down. All in integer nanoseconds, so a child can never poke
//! out of its parent by rounding. The one deliberate exception is a Kafka consumer, which
//! starts after its producer and may outlive it and the whole request (asynchronous work).

use super::catalogue::{Catalogue, Proto, ServiceKind};
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
    /// Maximum children per span (1–6 in realistic traces).
    pub max_fanout: u32,
    /// Multiplies the per-span failure probabilities; 0 disables failures.
    pub error_scale: f64,
}

struct Pending {
    parent: u32,
    depth: u32,
    role: Role,
    op: u16,
    service: u16,
    /// Operation whose call list this span's children come from.
    ctx_op: u16,
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

#[derive(Copy, Clone)]
struct Child {
    role: Role,
    op: u16,
    service: u16,
    ctx_op: u16,
    budget: u32,
    /// Cannot have children (a database command, a message nobody consumes here).
    leaf: bool,
}

impl Child {
    fn min_budget(&self) -> u32 {
        if self.role == Role::Client {
            2
        } else {
            1
        }
    }

    fn expandable(&self) -> bool {
        !self.leaf
    }
}

/// Fan-out distribution of small subtrees: 1 child 15 %, 2 25 %, 3 25 %, 4 15 %, 5 10 %,
/// 6 10 %.
const FANOUT_WEIGHTS: [u64; 6] = [15, 25, 25, 15, 10, 10];

/// Fan-out distribution of subtrees of [`WIDE_FROM`] spans or more: wider, so that big
/// traces are bushy rather than long chains.
const WIDE_FANOUT_WEIGHTS: [u64; 6] = [3, 7, 20, 25, 22, 23];
const WIDE_FROM: u32 = 30;

/// Subtrees of this many spans or more may call the same service repeatedly and nest
/// in-process steps freely (they have to put their spans somewhere).
const REPEAT_FROM: u32 = 200;

/// Generates the spans of one trace.
pub fn build(cat: &Catalogue, rng: &mut Rng, p: &ShapeParams) -> Vec<GenSpan> {
    let n = p.span_count.max(1);
    let mut spans: Vec<GenSpan> = Vec::with_capacity(n as usize);
    let mut timing: Vec<Timing> = Vec::with_capacity(n as usize);
    let id_base = rng.next_u64();
    let root_service = cat.ops.get(p.root_op as usize).map_or(0, |o| o.service);
    let mut stack = vec![Pending {
        parent: NO_PARENT,
        depth: 0,
        role: Role::Server,
        op: p.root_op,
        service: root_service,
        ctx_op: p.root_op,
        budget: n,
        gap: 0,
    }];
    let mut children: Vec<Child> = Vec::with_capacity(8);
    // Pass 1, pre-order: the tree, and each span's own work.
    while let Some(node) = stack.pop() {
        let index = spans.len() as u32;
        let mut id = mix64(id_base.wrapping_add(index as u64));
        if id == 0 {
            id = 0x5eed;
        }
        spans.push(GenSpan {
            span_id: id,
            parent: node.parent,
            op: node.op,
            service: node.service,
            role: node.role,
            fault: Fault::None,
            depth: node.depth,
            start_unix_nanos: 0,
            duration_nanos: 0,
        });
        let rest = node.budget.saturating_sub(1);
        children.clear();
        match node.role {
            Role::Client if rest > 0 => {
                // The callee's server span.
                let callee_service = cat.ops[node.op as usize].service;
                children.push(Child {
                    role: Role::Server,
                    op: node.op,
                    service: callee_service,
                    ctx_op: node.op,
                    budget: rest,
                    leaf: false,
                });
            }
            Role::Producer if rest > 0 => {
                // Only producers whose topic has a consumer are given a budget above 1.
                if let Some(&consumer) = cat.ops[node.op as usize].calls.first() {
                    children.push(Child {
                        role: Role::Consumer,
                        op: consumer,
                        service: cat.ops[consumer as usize].service,
                        ctx_op: consumer,
                        budget: rest,
                        leaf: false,
                    });
                }
            }
            Role::Server | Role::Internal | Role::Consumer if rest > 0 => {
                plan_children(cat, rng, &node, rest, p.max_fanout, &mut children);
            }
            _ => {}
        }
        let t = own_work(cat, rng, &node, children.len());
        timing.push(Timing { gap: node.gap, ..t });
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
                depth: node.depth + 1,
                role: child.role,
                op: child.op,
                service: child.service,
                ctx_op: child.ctx_op,
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
fn own_work(cat: &Catalogue, rng: &mut Rng, node: &Pending, children: usize) -> Timing {
    let op = &cat.ops[node.op as usize];
    let ms = |rng: &mut Rng, lo: f64, hi: f64| -> i64 {
        // Skewed towards the low end, like real latencies.
        let u = rng.unit();
        ((lo + (hi - lo) * u * u) * 1e6) as i64
    };
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
                "frontend" | "api-gateway" | "recommendation"
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

/// Chooses the children of a server, consumer or internal span and splits `rest` spans
/// among them.
fn plan_children(
    cat: &Catalogue,
    rng: &mut Rng,
    node: &Pending,
    rest: u32,
    max_fanout: u32,
    out: &mut Vec<Child>,
) {
    let ctx = &cat.ops[node.ctx_op as usize];
    let service = &cat.services[node.service as usize];
    let child_of = |target: u16| -> Child {
        let op = &cat.ops[target as usize];
        let kind = cat.services[op.service as usize].kind;
        let (role, service) = match (kind, op.proto) {
            (ServiceKind::Postgres | ServiceKind::Redis, _) => (Role::Database, op.service),
            (ServiceKind::Kafka, _) => (Role::Producer, op.service),
            (_, Proto::Internal) => (Role::Internal, node.service),
            _ => (Role::Client, node.service),
        };
        Child {
            role,
            op: target,
            service,
            ctx_op: if role == Role::Internal {
                node.ctx_op
            } else {
                target
            },
            budget: 0,
            leaf: role == Role::Database || (role == Role::Producer && op.calls.is_empty()),
        }
    };
    // The menu: the handler's calls in their natural order, then in-process steps. Until a
    // subtree is very big, in-process work only queries databases (it does not call other
    // services again), a step does not nest in a step of the same name, and a handler calls
    // each service at most once, repeating only database queries (the N+1 pattern).
    let big = rest >= REPEAT_FROM;
    let is_leaf_call = |op: u16| child_of(op).leaf;
    let is_remote = |op: u16| {
        let c = child_of(op);
        !c.leaf && c.role != Role::Internal
    };
    let mut menu: Vec<u16> = ctx
        .calls
        .iter()
        .copied()
        .filter(|&op| big || node.role != Role::Internal || is_leaf_call(op))
        .collect();
    menu.extend(
        service
            .internals
            .iter()
            .copied()
            .filter(|&op| big || node.role != Role::Internal || op != node.op),
    );
    if menu.is_empty() {
        return;
    }
    let repeatable: Vec<usize> = (0..menu.len())
        .filter(|&m| big || !is_remote(menu[m]))
        .collect();
    let max_k = max_fanout.clamp(1, 6) as u64;
    let table = if rest >= WIDE_FROM {
        &WIDE_FANOUT_WEIGHTS
    } else {
        &FANOUT_WEIGHTS
    };
    let mut k = 1 + weighted(rng, &table[..max_k as usize]);
    k = k.min(rest as u64).max(1);
    // How many spans a call naturally brings (client span included), and how many it may
    // take before it looks padded.
    let natural = |op: u16| -> u32 {
        let c = child_of(op);
        match (c.leaf, c.role) {
            (true, _) => 1,
            (false, Role::Internal) => 1,
            (false, Role::Client) => 1 + cat.natural_size.get(op as usize).copied().unwrap_or(1),
            (false, _) => cat.natural_size.get(op as usize).copied().unwrap_or(1),
        }
    };
    let capacity = |op: u16| -> u32 {
        let c = child_of(op);
        match (c.leaf, c.role) {
            (true, _) => 1,
            (false, Role::Internal) => 3,
            (false, _) => 2 * natural(op),
        }
    };
    // Pick k distinct menu items, the ones that bring more spans being likelier, then
    // repeats; the picks keep menu order.
    let mut pool: Vec<usize> = (0..menu.len()).collect();
    let mut chosen: Vec<usize> = Vec::with_capacity(k as usize);
    while (chosen.len() as u64) < k && !pool.is_empty() {
        let weights: Vec<u64> = pool.iter().map(|&m| natural(menu[m]) as u64).collect();
        let at = weighted(rng, &weights) as usize;
        chosen.push(pool.swap_remove(at));
    }
    while (chosen.len() as u64) < k {
        match rng.pick(&repeatable) {
            Some(&m) => chosen.push(m),
            None => break,
        }
    }
    // A big subtree needs calls that can hold it: while the picks cannot, add (or swap in)
    // the biggest remote calls not picked yet.
    let mut room: u32 = chosen.iter().map(|&m| capacity(menu[m])).sum();
    pool.retain(|&m| is_remote(menu[m]));
    pool.sort_by_key(|&m| std::cmp::Reverse(natural(menu[m])));
    for m in pool {
        if room >= rest {
            break;
        }
        if chosen.len() as u64 >= max_k {
            // Swap out the pick that holds least.
            let Some(weakest) = (0..chosen.len()).min_by_key(|&i| capacity(menu[chosen[i]])) else {
                break;
            };
            if capacity(menu[chosen[weakest]]) >= capacity(menu[m]) {
                break;
            }
            room -= capacity(menu[chosen[weakest]]);
            chosen.swap_remove(weakest);
        }
        room += capacity(menu[m]);
        chosen.push(m);
    }
    chosen.sort_unstable();
    out.extend(chosen.iter().map(|&m| child_of(menu[m])));

    // Fit the minimum budgets into `rest`: drop the costliest children first.
    let mut need: u32 = out.iter().map(Child::min_budget).sum();
    while need > rest {
        let Some(at) = out.iter().rposition(|c| c.min_budget() == 2) else {
            break;
        };
        out.remove(at);
        need -= 2;
    }
    while need > rest && !out.is_empty() {
        out.pop();
        need -= 1;
    }
    let mut leftover = rest - need;
    if out.is_empty() || (leftover > 0 && !out.iter().any(Child::expandable)) {
        let internal = rng.pick(&service.internals).copied();
        match internal {
            Some(op) => {
                if out.len() >= max_k as usize {
                    if let Some(last) = out.pop() {
                        leftover += last.min_budget();
                    }
                }
                out.push(child_of(op));
                // The new internal child costs 1 of the leftover.
                leftover = leftover.saturating_sub(1);
            }
            None => return,
        }
    }
    for c in out.iter_mut() {
        c.budget = c.min_budget();
    }
    // Split the leftover among expandable children with random weights, filling each only
    // up to its capacity while others have room (water-filling); what no one has room for
    // is then shared out by weight.
    let weights: Vec<f64> = out
        .iter()
        .map(|c| {
            if c.expandable() {
                natural(c.op) as f64 * rng.uniform(0.3, 1.0)
            } else {
                0.0
            }
        })
        .collect();
    let mut room: Vec<u32> = out
        .iter()
        .map(|c| {
            if c.expandable() {
                capacity(c.op).saturating_sub(c.budget)
            } else {
                0
            }
        })
        .collect();
    let share_out = |out: &mut [Child], room: &mut [u32], leftover: &mut u32, capped: bool| {
        loop {
            let open: Vec<usize> = (0..out.len())
                .filter(|&i| weights[i] > 0.0 && (!capped || room[i] > 0))
                .collect();
            if *leftover == 0 || open.is_empty() {
                return;
            }
            let total: f64 = open.iter().map(|&i| weights[i]).sum();
            let mut given = 0;
            for &i in &open {
                let mut share = (*leftover as f64 * weights[i] / total) as u32;
                if capped {
                    share = share.min(room[i]);
                    room[i] -= share;
                }
                out[i].budget += share;
                given += share;
            }
            if given == 0 {
                // Rounding left less than one span per child: hand them out one by one.
                for &i in &open {
                    if *leftover - given == 0 {
                        break;
                    }
                    if capped {
                        room[i] -= 1;
                    }
                    out[i].budget += 1;
                    given += 1;
                }
            }
            *leftover -= given;
        }
    };
    share_out(out, &mut room, &mut leftover, true);
    share_out(out, &mut room, &mut leftover, false);
}

/// Index drawn with the given relative weights.
fn weighted(rng: &mut Rng, weights: &[u64]) -> u64 {
    let total: u64 = weights.iter().sum();
    let mut x = rng.below(total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i as u64;
        }
        x -= w;
    }
    0
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
