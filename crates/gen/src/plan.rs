//! Chooses the children of one span and splits its span budget among them.
//!
//! Every span has a *menu*: the calls its handler may make (see `catalogue.rs`), plus, for
//! a request or message handler, the service's plain in-process steps. Two sizes per menu
//! item steer the choice, both worked out once per catalogue and fan-out limit ([`Sizes`]):
//!
//! * *natural*: spans in the item's subtree when it makes each call once and each
//!   per-item call ([`Call::per_item`]) [`ITEMS_PER_LOOP`] times, scaled down to the
//!   children a span may have; what a typical span of that kind holds, and how likely a
//!   call is to be picked.
//! * *capacity*: the most spans the subtree can hold without repeating anything a real
//!   service would not repeat: every span at most `max_fanout` children, each call at most
//!   once except database queries (N+1) and per-item calls (loops). Loops nest (a batch
//!   job pages through marketplaces, accounts, time windows, pages, messages, orders, line
//!   items), so capacity grows geometrically with the loop depth while depth stays that of
//!   the call graph.
//!
//! A span picks a random number of distinct calls (likelier: those that naturally bring
//! more spans), gives a loop about as many iterations as its budget holds items of natural
//! size, and makes more of its calls while the budget holds more than the picks naturally
//! do. The budget then goes, in turn: one minimum share to each child (a remote call is a
//! client span plus a server span), up to a jittered natural size each, and what is left
//! by natural size up to each child's capacity, so that big budgets flow into loops rather
//! than bloating every small call.
//!
//! Only a budget above capacity (a small request forced to be huge, or a very small
//! `max_fanout`) goes further: the span repeats the calls that pass spans on (a chatty
//! handler), and where nothing can, an in-process step splits into up to `max_fanout`
//! copies of itself (divide and conquer), which keeps the depth logarithmic and the count
//! exact.

use super::catalogue::{Call, Catalogue, Proto, ServiceKind};
use super::rng::Rng;
use super::shape::Role;

/// How many times a per-item call is counted in an operation's natural size.
pub const ITEMS_PER_LOOP: u64 = 3;

/// Fan-out distribution of small subtrees: 1 child 15 %, 2 25 %, 3 25 %, 4 15 %, 5 10 %,
/// 6 10 %.
const FANOUT_WEIGHTS: [u64; 6] = [15, 25, 25, 15, 10, 10];

/// Fan-out distribution of subtrees of [`WIDE_FROM`] spans or more: wider, so that big
/// traces are bushy rather than long chains.
const WIDE_FANOUT_WEIGHTS: [u64; 6] = [3, 7, 20, 25, 22, 23];
const WIDE_FROM: u32 = 30;

/// A span as seen by the planner.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Node {
    pub role: Role,
    pub op: u16,
    /// The service the span belongs to (for a client span: the caller).
    pub service: u16,
    /// The operation whose call list the span's children come from: the span's own
    /// operation, except for a plain in-process step, which runs some of its handler's
    /// database queries.
    pub ctx: u16,
}

/// How often a menu item may be chosen for one span.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Times {
    Once,
    /// A database query: may repeat (N+1 queries).
    Queries,
    /// A per-item call: repeats once per item of a loop.
    PerItem,
}

#[derive(Copy, Clone, Debug)]
struct Candidate {
    node: Node,
    times: Times,
    /// Plain in-process step of a handler (not counted in natural sizes).
    plain: bool,
}

/// One planned child span.
#[derive(Copy, Clone, Debug)]
pub struct Child {
    pub node: Node,
    /// Spans in its subtree, itself included.
    pub budget: u32,
}

/// Natural size and capacity of every operation as the span that serves it (a server,
/// consumer, in-process step or Kafka publish), for one fan-out limit.
#[derive(Clone, Debug)]
pub struct Sizes {
    /// Children per span, 1–6.
    pub fanout: u32,
    natural: Vec<u64>,
    capacity: Vec<u64>,
    /// What the subtree holds when every call that passes spans on may repeat too (a
    /// chatty handler calling the same service over and over): where a budget beyond
    /// capacity goes before an in-process step has to split.
    reach: Vec<u64>,
}

#[derive(Copy, Clone)]
enum Measure {
    Natural,
    Capacity,
    Reach,
}

impl Sizes {
    /// Sizes of `cat`'s operations with at most `max_fanout` (clamped to 1–6) children a span.
    pub fn new(cat: &Catalogue, max_fanout: u32) -> Sizes {
        let fanout = max_fanout.clamp(1, 6);
        let n = cat.ops.len();
        let mut sizes = Sizes {
            fanout,
            natural: vec![0; n],
            capacity: vec![0; n],
            reach: vec![0; n],
        };
        // Children before parents: an iterative post-order over the call graph (a static
        // DAG; a cycle, were one added, would count its back edge as size 1).
        let mut done = vec![false; n];
        let mut visiting = vec![false; n];
        let mut menu = Vec::new();
        for root in 0..n {
            let mut stack: Vec<(usize, bool)> = vec![(root, false)];
            while let Some((op, expanded)) = stack.pop() {
                if done[op] {
                    continue;
                }
                if !expanded {
                    visiting[op] = true;
                    stack.push((op, true));
                    for call in &cat.ops[op].calls {
                        let c = call.op as usize;
                        if !done[c] && !visiting[c] {
                            stack.push((c, false));
                        }
                    }
                    continue;
                }
                visiting[op] = false;
                let node = serving_node(cat, op as u16);
                menu_of(cat, &node, &mut menu);
                // Each call once, per-item calls ITEMS_PER_LOOP times, scaled down to the
                // children a span may have.
                let mut slots = 0u64;
                let mut spans = 0u64;
                for c in menu.iter().filter(|c| !c.plain) {
                    let times = if c.times == Times::PerItem {
                        ITEMS_PER_LOOP
                    } else {
                        1
                    };
                    slots += times;
                    spans = spans.saturating_add(times.saturating_mul(sizes.measure(
                        Measure::Natural,
                        cat,
                        &c.node,
                        &done,
                    )));
                }
                let natural = if slots > fanout as u64 {
                    spans / slots * fanout as u64
                } else {
                    spans
                };
                let natural = natural.saturating_add(1);
                let room = sizes.best_room(cat, &menu, &done);
                sizes.natural[op] = natural;
                sizes.capacity[op] = room.saturating_add(1);
                let reaches = menu
                    .iter()
                    .filter(|c| passes_on(cat, c))
                    .map(|c| sizes.measure(Measure::Reach, cat, &c.node, &done));
                let reach = if node.role == Role::Producer {
                    reaches.fold(1u64, u64::saturating_add)
                } else {
                    let widest = reaches.max().unwrap_or(0);
                    (fanout as u64).saturating_mul(widest).saturating_add(1)
                };
                sizes.reach[op] = reach.max(sizes.capacity[op]);
                done[op] = true;
            }
        }
        sizes
    }

    /// Natural size of the subtree of a span playing `node`.
    pub fn natural(&self, cat: &Catalogue, node: &Node) -> u64 {
        self.measure(Measure::Natural, cat, node, &[])
    }

    /// Capacity of the subtree of a span playing `node`.
    pub fn capacity(&self, cat: &Catalogue, node: &Node) -> u64 {
        self.measure(Measure::Capacity, cat, node, &[])
    }

    /// Reach of the subtree of a span playing `node` (see [`Sizes::reach`]).
    fn reach(&self, cat: &Catalogue, node: &Node) -> u64 {
        self.measure(Measure::Reach, cat, node, &[])
    }

    /// One of the sizes of a span playing `node`. `done`, while the tables are being filled,
    /// says which entries are ready (an entry that is not, reachable only through a cycle,
    /// counts as 1); empty once they are complete.
    fn measure(&self, which: Measure, cat: &Catalogue, node: &Node, done: &[bool]) -> u64 {
        let table = match which {
            Measure::Natural => &self.natural,
            Measure::Capacity => &self.capacity,
            Measure::Reach => &self.reach,
        };
        let served = |op: u16| {
            if done.is_empty() || done[op as usize] {
                table[op as usize].max(1)
            } else {
                1
            }
        };
        match node.role {
            Role::Database => 1,
            Role::Client => 1 + served(node.op),
            // A plain step runs up to `fanout` of its handler's queries.
            Role::Internal if node.ctx != node.op => {
                let queries = cat.ops[node.ctx as usize]
                    .calls
                    .iter()
                    .any(|c| is_data(cat, c.op));
                match which {
                    Measure::Natural => 1,
                    _ if queries => 1 + self.fanout as u64,
                    _ => 1,
                }
            }
            _ => served(node.op),
        }
    }

    /// The most spans `fanout` children chosen from `menu` can hold: the biggest items that
    /// may be chosen once, the rest of the slots filled with the biggest repeatable item.
    fn best_room(&self, cat: &Catalogue, menu: &[Candidate], done: &[bool]) -> u64 {
        let mut once: Vec<u64> = Vec::new();
        let mut repeat = 0u64;
        for c in menu {
            let cap = self.measure(Measure::Capacity, cat, &c.node, done);
            match c.times {
                Times::Once => once.push(cap),
                Times::Queries | Times::PerItem => repeat = repeat.max(cap),
            }
        }
        once.sort_unstable_by(|a, b| b.cmp(a));
        let f = self.fanout as usize;
        let mut best = 0u64;
        let mut prefix = 0u64;
        for j in 0..=once.len().min(f) {
            if j > 0 {
                prefix = prefix.saturating_add(once[j - 1]);
            }
            let total = prefix.saturating_add(repeat.saturating_mul((f - j) as u64));
            best = best.max(total);
        }
        best
    }
}

/// The fewest spans a child playing `node` takes: a remote call is a client span and a server
/// span.
fn min_budget(node: &Node) -> u64 {
    if node.role == Role::Client {
        2
    } else {
        1
    }
}

/// Whether a menu item can hold more than a span or two: a call or step with calls of its
/// own, or a message somebody consumes (not a query, not a plain step).
fn passes_on(cat: &Catalogue, c: &Candidate) -> bool {
    !c.plain
        && match c.node.role {
            Role::Database => false,
            Role::Producer => !cat.ops[c.node.op as usize].calls.is_empty(),
            _ => true,
        }
}

fn is_data(cat: &Catalogue, op: u16) -> bool {
    matches!(
        cat.services[cat.ops[op as usize].service as usize].kind,
        ServiceKind::Postgres | ServiceKind::Redis
    )
}

/// The span that serves `op`: a server (or consumer) span of a remote operation, an
/// in-process step, a publish, a query.
pub fn serving_node(cat: &Catalogue, op: u16) -> Node {
    let o = &cat.ops[op as usize];
    let role = match (cat.services[o.service as usize].kind, o.proto) {
        (ServiceKind::Postgres | ServiceKind::Redis, _) => Role::Database,
        (ServiceKind::Kafka, _) => Role::Producer,
        (_, Proto::Internal) => Role::Internal,
        (_, Proto::Consume { .. }) => Role::Consumer,
        _ => Role::Server,
    };
    Node {
        role,
        op,
        service: o.service,
        ctx: op,
    }
}

/// The child that a span in `service` makes for `call`.
fn candidate(cat: &Catalogue, call: Call, service: u16) -> Candidate {
    let served = serving_node(cat, call.op);
    let node = match served.role {
        Role::Server | Role::Consumer => Node {
            role: Role::Client,
            service,
            ..served
        },
        _ => served,
    };
    let times = match (node.role, call.per_item) {
        (Role::Database, _) => Times::Queries,
        (_, true) => Times::PerItem,
        (_, false) => Times::Once,
    };
    Candidate {
        node,
        times,
        plain: false,
    }
}

/// What a span playing `node` may have as children (empty for a leaf).
fn menu_of(cat: &Catalogue, node: &Node, out: &mut Vec<Candidate>) {
    out.clear();
    let ctx = &cat.ops[node.ctx as usize];
    match node.role {
        Role::Database => {}
        Role::Client => out.push(Candidate {
            node: serving_node(cat, node.op),
            times: Times::Once,
            plain: false,
        }),
        // Consumer groups of the topic, each at most once.
        Role::Producer => out.extend(ctx.calls.iter().map(|c| Candidate {
            node: serving_node(cat, c.op),
            times: Times::Once,
            plain: false,
        })),
        // A plain step runs some of its handler's queries.
        Role::Internal if node.ctx != node.op => out.extend(
            ctx.calls
                .iter()
                .filter(|c| is_data(cat, c.op))
                .map(|&c| candidate(cat, c, node.service)),
        ),
        Role::Internal => out.extend(ctx.calls.iter().map(|&c| candidate(cat, c, node.service))),
        Role::Server | Role::Consumer => {
            out.extend(ctx.calls.iter().map(|&c| candidate(cat, c, node.service)));
            let plain = &cat.services[node.service as usize].internals;
            out.extend(plain.iter().map(|&op| Candidate {
                node: Node {
                    role: Role::Internal,
                    op,
                    service: node.service,
                    ctx: node.ctx,
                },
                times: Times::Once,
                plain: true,
            }));
        }
    }
}

/// Reusable buffers of [`plan_children`].
#[derive(Default)]
pub struct Planner {
    menu: Vec<Candidate>,
    chosen: Vec<usize>,
    pool: Vec<usize>,
    weights: Vec<u64>,
    shares: Shares,
}

/// The chosen children's minimum, capacity and natural size, in `chosen` order.
#[derive(Default)]
struct Shares {
    min: Vec<u64>,
    cap: Vec<u64>,
    natural: Vec<u64>,
}

/// Chooses the children of a span playing `node` and splits `rest` spans (its budget less
/// itself) among them, exactly; `out` gets them in call order.
///
/// The random draws come in a fixed order (count, distinct picks, loop, more picks, queries,
/// shares): the generator's output depends on it.
pub fn plan_children(
    cat: &Catalogue,
    sizes: &Sizes,
    rng: &mut Rng,
    p: &mut Planner,
    node: &Node,
    rest: u32,
    out: &mut Vec<Child>,
) {
    out.clear();
    if rest == 0 {
        return;
    }
    menu_of(cat, node, &mut p.menu);
    if node.role == Role::Client {
        // A client span's only child is the server span of the call.
        out.push(Child {
            node: serving_node(cat, node.op),
            budget: rest,
        });
        return;
    }
    // Capacity is one (the span itself) plus the most its menu's children can hold.
    if p.menu.is_empty() || rest as u64 >= sizes.capacity(cat, node) {
        return overflow(cat, sizes, p, node, rest, out);
    }

    let f = sizes.fanout as usize;
    let menu = MenuSizes {
        cat,
        sizes,
        menu: &p.menu,
    };
    let mut c = Choosing {
        menu,
        chosen: &mut p.chosen,
        pool: &mut p.pool,
        weights: &mut p.weights,
        rest: rest as u64,
        fanout: f,
    };
    let k = c.draw_distinct(rng);
    let (looped, planned) = c.repeat_loop(rng);
    c.add_calls(rng, planned);
    if looped.is_none() {
        c.repeat_queries(rng, k);
    }
    let need = c.fit_minimums();
    let need = c.make_room(need);
    c.chosen.sort_unstable();

    let left = (rest as u64).saturating_sub(need);
    let left = share_budget(menu, rng, &p.chosen, &mut p.shares, left, out);
    if left > 0 {
        // Only when dropping children for their minimum shares lost the room: someone
        // who can pass spans on takes them.
        absorb(cat, node, left, out, f);
    }
}

/// The sizes of a span's menu items, by menu index.
#[derive(Copy, Clone)]
struct MenuSizes<'a> {
    cat: &'a Catalogue,
    sizes: &'a Sizes,
    menu: &'a [Candidate],
}

impl MenuSizes<'_> {
    /// The most spans item `m` can hold.
    #[inline]
    fn cap(&self, m: usize) -> u64 {
        self.sizes.capacity(self.cat, &self.menu[m].node)
    }

    /// The spans item `m` brings when nothing pushes it.
    #[inline]
    fn natural(&self, m: usize) -> u64 {
        self.sizes.natural(self.cat, &self.menu[m].node)
    }

    /// The fewest spans item `m` takes.
    #[inline]
    fn min(&self, m: usize) -> u64 {
        min_budget(&self.menu[m].node)
    }

    /// Whether item `m` may be chosen more than once.
    #[inline]
    fn repeatable(&self, m: usize) -> bool {
        self.menu[m].times != Times::Once
    }
}

/// The choice of a span's children (menu indices in `chosen`) for a budget of `rest` spans
/// below it, step by step.
struct Choosing<'a> {
    menu: MenuSizes<'a>,
    chosen: &'a mut Vec<usize>,
    /// Menu items not drawn yet.
    pool: &'a mut Vec<usize>,
    /// Buffer of [`draw`].
    weights: &'a mut Vec<u64>,
    rest: u64,
    fanout: usize,
}

impl Choosing<'_> {
    /// Draws how many children (from the fan-out distribution), and that many distinct
    /// calls, likelier the more spans they naturally bring; returns the number drawn.
    fn draw_distinct(&mut self, rng: &mut Rng) -> usize {
        let table = if self.rest >= u64::from(WIDE_FROM) {
            &WIDE_FANOUT_WEIGHTS
        } else {
            &FANOUT_WEIGHTS
        };
        let k = (1 + weighted(rng, &table[..self.fanout]) as usize).min(self.rest as usize);
        self.chosen.clear();
        self.pool.clear();
        self.pool.extend(0..self.menu.menu.len());
        while self.chosen.len() < k && !self.pool.is_empty() {
            let m = self.draw(rng);
            self.chosen.push(m);
        }
        k
    }

    /// Takes one item out of the pool, likelier the more spans it naturally brings.
    #[inline]
    fn draw(&mut self, rng: &mut Rng) -> usize {
        let menu = self.menu;
        draw(rng, self.pool, self.weights, |m| menu.natural(m))
    }

    /// A loop makes about as many iterations as the budget holds items of natural size:
    /// repeats the chosen per-item call that brings most. Returns that call (if any) and the
    /// spans the choice now naturally holds.
    fn repeat_loop(&mut self, rng: &mut Rng) -> (Option<usize>, u64) {
        let menu = self.menu;
        let f = self.fanout;
        let chosen = &mut *self.chosen;
        let looped = chosen
            .iter()
            .copied()
            .filter(|&m| menu.menu[m].times == Times::PerItem)
            .max_by_key(|&m| (menu.natural(m), std::cmp::Reverse(m)));
        let mut planned: u64 = chosen.iter().map(|&m| menu.natural(m)).sum();
        let Some(item) = looped else {
            return (None, planned);
        };
        let item_natural = menu.natural(item);
        let avail = self.rest.saturating_sub(planned - item_natural) as f64;
        let want = (avail * rng.uniform(0.7, 1.4) / item_natural as f64).round() as usize;
        // A loop that needs more iterations than there are free slots drops the smallest
        // other calls (a batch step mostly just loops), keeping the first one.
        while want > f + 1 - chosen.len() && chosen.len() > 2 {
            let Some(at) = (0..chosen.len())
                .filter(|&i| chosen[i] != item)
                .skip(1)
                .min_by_key(|&i| (menu.natural(chosen[i]), i))
            else {
                break;
            };
            planned -= menu.natural(chosen.swap_remove(at));
        }
        let slots = f + 1 - chosen.len();
        for _ in 1..want.clamp(1, slots) {
            chosen.push(item);
            planned += item_natural;
        }
        (looped, planned)
    }

    /// A budget bigger than the picks naturally hold (`planned`) makes more of the calls
    /// rather than bigger ones.
    fn add_calls(&mut self, rng: &mut Rng, mut planned: u64) {
        while self.chosen.len() < self.fanout && planned < self.rest && !self.pool.is_empty() {
            let m = self.draw(rng);
            planned += self.menu.natural(m);
            self.chosen.push(m);
        }
    }

    /// Fills the slots up to `k` by repeating database queries (N+1); for a span without a
    /// loop.
    fn repeat_queries(&mut self, rng: &mut Rng, k: usize) {
        let menu = self.menu.menu;
        let queries: Vec<usize> = (0..menu.len())
            .filter(|&m| menu[m].times == Times::Queries)
            .collect();
        while self.chosen.len() < k {
            match rng.pick(&queries) {
                Some(&m) => self.chosen.push(m),
                None => break,
            }
        }
    }

    /// Fits the minimum shares into the budget, dropping the costliest children first (the
    /// last that needs 2, else the last); returns the sum of the minimum shares.
    fn fit_minimums(&mut self) -> u64 {
        let menu = self.menu;
        let chosen = &mut *self.chosen;
        let mut need: u64 = chosen.iter().map(|&m| menu.min(m)).sum();
        while need > self.rest && !chosen.is_empty() {
            let at = chosen
                .iter()
                .rposition(|&m| menu.min(m) == 2)
                .unwrap_or(chosen.len() - 1);
            need -= menu.min(chosen.remove(at));
        }
        need
    }

    /// Room for the whole budget: adds (or swaps in for the pick that holds least) the item
    /// that holds most, while the picks cannot hold it; `need` (the minimum shares) stays
    /// within the budget. The budget fits the best choice, so this ends there at the latest.
    /// Returns the new `need`.
    fn make_room(&mut self, mut need: u64) -> u64 {
        let menu = self.menu;
        let (f, rest) = (self.fanout, self.rest);
        let chosen = &mut *self.chosen;
        let mut room: u64 = chosen.iter().map(|&m| menu.cap(m)).sum();
        for _ in 0..2 * f + menu.menu.len() {
            if room >= rest {
                break;
            }
            let available = |m: &usize| menu.repeatable(*m) || !chosen.contains(m);
            let by_cap = |&m: &usize| (menu.cap(m), std::cmp::Reverse(m));
            if chosen.len() < f {
                let add = (0..menu.menu.len())
                    .filter(available)
                    .filter(|&m| need + menu.min(m) <= rest)
                    .max_by_key(by_cap);
                if let Some(m) = add {
                    chosen.push(m);
                    need += menu.min(m);
                    room = room.saturating_add(menu.cap(m));
                    continue;
                }
            }
            let Some(weakest) = (0..chosen.len()).min_by_key(|&i| menu.cap(chosen[i])) else {
                break;
            };
            let w = chosen[weakest];
            let swap = (0..menu.menu.len())
                .filter(available)
                .filter(|&m| menu.cap(m) > menu.cap(w) && need - menu.min(w) + menu.min(m) <= rest)
                .max_by_key(by_cap);
            let Some(m) = swap else { break };
            chosen[weakest] = m;
            need = need - menu.min(w) + menu.min(m);
            room = room - menu.cap(w) + menu.cap(m);
        }
        need
    }
}

/// Gives each chosen child its minimum share, then `left` more spans: up to a jittered
/// natural size (by random weights), then in proportion to what each can still hold.
/// Pushes the children to `out`; returns the spans none of them could take.
fn share_budget(
    menu: MenuSizes<'_>,
    rng: &mut Rng,
    chosen: &[usize],
    s: &mut Shares,
    mut left: u64,
    out: &mut Vec<Child>,
) -> u64 {
    let n = chosen.len();
    s.min.clear();
    s.cap.clear();
    s.natural.clear();
    for &m in chosen {
        s.min.push(menu.min(m));
        s.cap.push(menu.cap(m));
        s.natural.push(menu.natural(m));
    }
    let mut budget: Vec<u64> = s.min.clone();
    let target: Vec<u64> = (0..n)
        .map(|i| {
            let t = (s.natural[i] as f64 * rng.uniform(0.5, 1.5)) as u64;
            t.clamp(s.min[i], s.cap[i].max(s.min[i]))
        })
        .collect();
    let weights: Vec<f64> = (0..n)
        .map(|i| s.natural[i] as f64 * rng.uniform(0.3, 1.0))
        .collect();
    fill_by_weight(&mut budget, &target, &weights, &mut left);
    let natural: Vec<f64> = s.natural.iter().map(|&x| x as f64).collect();
    fill_by_weight(&mut budget, &s.cap, &natural, &mut left);
    for (i, &m) in chosen.iter().enumerate() {
        out.push(Child {
            node: menu.menu[m].node,
            budget: budget[i] as u32,
        });
    }
    left
}

/// A budget beyond what the menu holds. An in-process step splits its work into up to
/// `fanout` copies of itself (divide and conquer). Any other span makes each call that can
/// pass spans on and repeats the one that reaches furthest in the free slots (a chatty
/// handler), sharing the budget by reach; with no such call, it takes the children that
/// hold most and a plain step takes the excess (and splits).
fn overflow(
    cat: &Catalogue,
    sizes: &Sizes,
    p: &mut Planner,
    node: &Node,
    rest: u32,
    out: &mut Vec<Child>,
) {
    let f = sizes.fanout as usize;
    if node.role == Role::Internal || p.menu.is_empty() {
        let k = (f as u32).min(rest);
        for i in 0..k {
            let budget = rest / k + u32::from(i < rest % k);
            out.push(Child {
                node: *node,
                budget,
            });
        }
        return;
    }
    let menu = &p.menu;
    let cap_of = |m: usize| sizes.capacity(cat, &menu[m].node);
    let reach_of = |m: usize| sizes.reach(cat, &menu[m].node);
    let min_of = |m: usize| min_budget(&menu[m].node);
    p.chosen.clear();
    p.pool.clear();
    p.pool
        .extend((0..menu.len()).filter(|&m| passes_on(cat, &menu[m])));
    p.pool.sort_by_key(|&m| (std::cmp::Reverse(reach_of(m)), m));
    if let Some(&widest) = p.pool.first() {
        p.chosen.extend(p.pool.iter().take(f));
        while p.chosen.len() < f && node.role != Role::Producer {
            p.chosen.push(widest);
        }
        p.chosen.sort_unstable();
        let mut budget: Vec<u64> = p.chosen.iter().map(|&m| min_of(m)).collect();
        let mut left = (rest as u64).saturating_sub(budget.iter().sum());
        let reach: Vec<u64> = p.chosen.iter().map(|&m| reach_of(m)).collect();
        let weights: Vec<f64> = reach.iter().map(|&r| r as f64).collect();
        fill_by_weight(&mut budget, &reach, &weights, &mut left);
        let unbounded = vec![u64::MAX; budget.len()];
        fill_by_weight(&mut budget, &unbounded, &weights, &mut left);
        for (i, &m) in p.chosen.iter().enumerate() {
            out.push(Child {
                node: menu[m].node,
                budget: budget[i] as u32,
            });
        }
        return;
    }
    for _ in 0..f {
        let best = (0..menu.len())
            .filter(|&m| menu[m].times != Times::Once || !p.chosen.contains(&m))
            .max_by_key(|&m| (cap_of(m), std::cmp::Reverse(m)));
        match best {
            Some(m) => p.chosen.push(m),
            None => break,
        }
    }
    p.chosen.sort_unstable();
    let mut left = rest as u64;
    for &m in &p.chosen {
        let share = cap_of(m).min(left);
        left -= share;
        out.push(Child {
            node: menu[m].node,
            budget: share as u32,
        });
    }
    out.retain(|c| c.budget > 0);
    absorb(cat, node, left, out, f);
}

/// Hands `left` spans to the children that can pass spans on (any but a query or a
/// publish nobody consumes), evenly; adds a plain step (or, in a step, a copy of the step)
/// to take them all when none can.
fn absorb(cat: &Catalogue, node: &Node, mut left: u64, out: &mut Vec<Child>, f: usize) {
    if left == 0 {
        return;
    }
    let can = |c: &Child| match c.node.role {
        Role::Database => false,
        Role::Producer => !cat.ops[c.node.op as usize].calls.is_empty(),
        _ => true,
    };
    if !out.iter().any(can) {
        let plain = cat.services[node.service as usize]
            .internals
            .first()
            .copied();
        let extra = match plain {
            Some(op) if node.role != Role::Internal => Node {
                role: Role::Internal,
                op,
                service: node.service,
                ctx: node.ctx,
            },
            _ => *node,
        };
        if out.len() >= f {
            if let Some(last) = out.pop() {
                left += last.budget as u64;
            }
        }
        out.push(Child {
            node: extra,
            budget: left as u32,
        });
        return;
    }
    let takers: Vec<usize> = (0..out.len()).filter(|&i| can(&out[i])).collect();
    let n = takers.len() as u64;
    for (j, &i) in takers.iter().enumerate() {
        let share = left / n + u64::from((j as u64) < left % n);
        out[i].budget += share as u32;
    }
}

/// Raises `budget` towards `target` with shares proportional to `weights` (water-filling:
/// what a child cannot take goes to the others).
fn fill_by_weight(budget: &mut [u64], target: &[u64], weights: &[f64], left: &mut u64) {
    loop {
        let open: Vec<usize> = (0..budget.len())
            .filter(|&i| budget[i] < target[i] && weights[i] > 0.0)
            .collect();
        if *left == 0 || open.is_empty() {
            return;
        }
        let total: f64 = open.iter().map(|&i| weights[i]).sum();
        let mut given = 0;
        for &i in &open {
            let share = ((*left as f64 * weights[i] / total) as u64).min(target[i] - budget[i]);
            budget[i] += share;
            given += share;
        }
        if given == 0 {
            // Rounding left less than one span per child: one by one.
            for &i in &open {
                if *left - given == 0 {
                    break;
                }
                budget[i] += 1;
                given += 1;
            }
        }
        *left -= given;
    }
}

/// Takes one menu item out of `pool`, likelier the bigger its `weight`.
fn draw(
    rng: &mut Rng,
    pool: &mut Vec<usize>,
    buf: &mut Vec<u64>,
    weight: impl Fn(usize) -> u64,
) -> usize {
    buf.clear();
    buf.extend(pool.iter().map(|&m| weight(m)));
    let at = weighted(rng, buf) as usize;
    pool.swap_remove(at)
}

/// Index drawn with the given relative weights.
pub fn weighted(rng: &mut Rng, weights: &[u64]) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cat: &Catalogue, service: &str, op: &str) -> Node {
        serving_node(cat, cat.op_index(service, op).unwrap())
    }

    #[test]
    fn sizes_suit_requests_and_the_batch_job() {
        let cat = Catalogue::new();
        let sizes = Sizes::new(&cat, 6);
        let job = entry(&cat, "order-sync", "POST /jobs/marketplace-sync");
        // A million spans fit the job's loops with room to spare; its natural size is a
        // mid-sized run.
        assert!(sizes.capacity(&cat, &job) >= 5_000_000);
        assert!((10_000..=200_000).contains(&sizes.natural(&cat, &job)));
        // A shop request holds a few times its natural size, not thousands of spans.
        for &op in &cat.entries[..cat.entries.len() - 1] {
            let node = serving_node(&cat, op);
            let (natural, capacity) = (sizes.natural(&cat, &node), sizes.capacity(&cat, &node));
            assert!(
                natural >= 20 && capacity >= 2 * natural,
                "{natural} {capacity}"
            );
            assert!(capacity < 2_000, "{}", cat.ops[op as usize].name);
            assert!(sizes.reach(&cat, &node) >= capacity);
        }
        // A client span adds itself to its server's subtree; a query is a leaf.
        let charge = entry(&cat, "payment", "payment.PaymentService/Charge");
        let client = Node {
            role: Role::Client,
            service: 0,
            ..charge
        };
        assert_eq!(
            sizes.capacity(&cat, &client),
            1 + sizes.capacity(&cat, &charge)
        );
        assert_eq!(
            sizes.natural(&cat, &client),
            1 + sizes.natural(&cat, &charge)
        );
        let query = entry(&cat, "postgres", "SELECT orders");
        assert_eq!(sizes.capacity(&cat, &query), 1);
        // Fewer children a span, less room.
        let narrow = Sizes::new(&cat, 2);
        assert!(narrow.capacity(&cat, &job) < sizes.capacity(&cat, &job) / 100);
    }

    #[test]
    fn every_plan_is_exact_and_within_the_fan_out() {
        let cat = Catalogue::new();
        let mut rng = Rng::new(3);
        let mut planner = Planner::default();
        let mut out = Vec::new();
        let budgets = [0u32, 1, 2, 3, 4, 7, 19, 60, 250, 1_000, 40_000, 3_000_000];
        for fanout in 1..=6 {
            let sizes = Sizes::new(&cat, fanout);
            for op in 0..cat.ops.len() as u16 {
                let served = serving_node(&cat, op);
                let client = Node {
                    role: Role::Client,
                    ..served
                };
                let nodes: &[Node] = match served.role {
                    Role::Server | Role::Consumer => &[served, client],
                    // Queries and unconsumed messages are leaves; their parents never give
                    // them more than one span.
                    Role::Database => &[],
                    Role::Producer if cat.ops[op as usize].calls.is_empty() => &[],
                    _ => &[served],
                };
                for node in nodes {
                    for &rest in &budgets {
                        plan_children(&cat, &sizes, &mut rng, &mut planner, node, rest, &mut out);
                        let total: u64 = out.iter().map(|c| c.budget as u64).sum();
                        let name = cat.ops[op as usize].name;
                        assert_eq!(total, rest as u64, "{name} {rest} {fanout}");
                        assert!(out.len() <= fanout as usize, "{name} {rest} {fanout}");
                        assert!(out.iter().all(|c| c.budget >= 1));
                        for c in &out {
                            let cap = sizes.capacity(&cat, &c.node);
                            let leaf = matches!(c.node.role, Role::Database)
                                || (c.node.role == Role::Producer
                                    && cat.ops[c.node.op as usize].calls.is_empty());
                            assert!(!leaf || c.budget == 1, "{name}: leaf with {}", c.budget);
                            if (rest as u64) < sizes.capacity(&cat, node) {
                                assert!(c.budget as u64 <= cap, "{name}: child over capacity");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_loop_iterates_as_often_as_its_budget_asks() {
        let cat = Catalogue::new();
        let sizes = Sizes::new(&cat, 6);
        let mut planner = Planner::default();
        let mut out = Vec::new();
        let consumer = entry(&cat, "order-sync", "kafka.consume marketplace-orders");
        let import = cat
            .op_index("checkout", "checkout.CheckoutService/ImportOrder")
            .unwrap();
        let orders = |rest: u32, seed: u64, out: &mut Vec<Child>, planner: &mut Planner| {
            let mut rng = Rng::new(seed);
            plan_children(&cat, &sizes, &mut rng, planner, &consumer, rest, out);
            out.iter().filter(|c| c.node.op == import).count()
        };
        let small: usize = (0..50).map(|s| orders(80, s, &mut out, &mut planner)).sum();
        let big: usize = (0..50)
            .map(|s| orders(600, s, &mut out, &mut planner))
            .sum();
        assert!(small < 2 * 50, "{small}");
        assert!(big > 4 * 50, "{big}");
    }
}
