//! Flame graph (icicle) of one trace or of many: spans merged along their call path of
//! `service:operation` frames, children "left heavy" (biggest first, as speedscope's
//! left-heavy view), with a pure layout for the renderer, its hit test and a search.
//!
//! Built the way speedscope builds its grouped call tree (`src/lib/profile.ts`,
//! `CallTreeProfileBuilder` and `sortGroupedCallTree`): a span whose frame is already a child
//! of its parent's node adds to that node instead of making a new one, and a node's children
//! are sorted by total weight, heaviest first, so the left edge of every row shows where the
//! time went. Here the frame is the span's service and operation name, and the weight its
//! duration. As in speedscope's default views, recursion is not folded: a frame that comes
//! again further down a path is a node of its own at each level.
//!
//! Spans are not samples: a span's children may run in parallel, so their durations can add
//! up to more than the span's, and a child may even outlast its parent (clock skew,
//! asynchronous work). Speedscope never meets this (a frame's total is its self time plus its
//! children's, by construction), so the rule here is our own, chosen to keep self time
//! visible and exact:
//! - a node's total is the sum of its spans' durations; its self time the sum of its spans'
//!   self times, each the span's duration minus the union of its children's intervals
//!   clipped to it (as [`super::self_time_nanos`]);
//! - in the icicle a node's children share the part of its width its children covered,
//!   `total - self`, in proportion to their totals (scaled down when they overlap or overflow
//!   the parent), and the rest, its self time, is the gap on the right. When children neither
//!   overlap nor leave their parent this is exactly speedscope's layout (a child as wide as
//!   its total); when they do, their widths keep their proportions and still never exceed
//!   their parent.
//!
//! All work is in bounded steps ([`FlameBuild::step`]), sorting included (a span may have a
//! million children of distinct names), and every walk is iterative: a trace may be a
//! million-deep chain. The layout draws no rectangle narrower than [`MIN_RECT_PX`], so its
//! size is bounded by the width and the depth shown, not by the number of nodes.

#[cfg(test)]
pub(crate) mod test_spans;
#[cfg(test)]
mod tests;

use super::{Interner, StatusCode, Store, StrId, Trace, NO_PARENT};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;

/// One frame of the flame graph: every span with the same call path of `service:operation`
/// frames, merged.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FlameNode {
    /// Service of the frame (`StrId::EMPTY` for the synthetic root).
    pub service: StrId,
    /// Operation name of the frame (`StrId::EMPTY` for the synthetic root).
    pub name: StrId,
    /// Index of the parent node, or [`NO_PARENT`] for node 0.
    pub parent: u32,
    /// Child nodes, "left heavy": biggest `total_nanos` first, ties by service then
    /// operation name (as text), then node index.
    pub children: Vec<u32>,
    /// Sum of the merged spans' durations (an unknown end counts as zero), ns. The synthetic
    /// root's is the sum of its children's.
    pub total_nanos: i64,
    /// Sum of the merged spans' self times (duration minus the union of their children's
    /// intervals clipped to the span), ns; `0 <= self_nanos <= total_nanos`.
    pub self_nanos: i64,
    /// Sum of the children's `total_nanos`, ns: more than `total_nanos - self_nanos` when
    /// children ran in parallel or outlasted their parent (the icicle then scales them
    /// down to fit).
    pub children_nanos: i64,
    /// Number of spans merged (0 for the synthetic root).
    pub count: u64,
    /// How many of them failed (status error).
    pub errors: u64,
}

impl FlameNode {
    fn new(parent: u32, service: StrId, name: StrId) -> FlameNode {
        FlameNode {
            service,
            name,
            parent,
            children: Vec::new(),
            total_nanos: 0,
            self_nanos: 0,
            children_nanos: 0,
            count: 0,
            errors: 0,
        }
    }
}

/// The call-path tree of one or more traces. Node 0 is the root: the one root span's frame
/// when the input is one trace with one root, otherwise a synthetic "all" root
/// (`synthetic_root`) whose children are the root spans' frames. (A hand-made [`Trace`]
/// whose rows are not in pre-order may leave other nodes without a parent; a trace from
/// [`super::build_traces`] cannot.)
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct FlameTree {
    /// Parents come before their children.
    pub nodes: Vec<FlameNode>,
    /// Whether node 0 stands for no span (shown as "all").
    pub synthetic_root: bool,
    /// Number of traces merged.
    pub trace_count: usize,
}

impl FlameTree {
    /// The root (node 0); `None` only for a tree not made by [`FlameBuild`].
    pub fn root(&self) -> Option<&FlameNode> {
        self.nodes.first()
    }

    /// `node` and its ancestors, root first (empty when `node` is not a node).
    pub fn path_to(&self, node: u32) -> Vec<u32> {
        path_to(self, node)
    }
}

/// The flame tree of `traces` in one go (see [`FlameBuild`] for it in steps).
pub fn flame_tree<'t>(store: &'t Store, traces: impl IntoIterator<Item = &'t Trace>) -> FlameTree {
    let mut build = FlameBuild::new(store, traces);
    while !build.step(usize::MAX) {}
    build.finish()
}

/// The traces whose first root span is `service:name`: the input of the flame graph of a
/// root operation over all loaded traces.
pub fn traces_with_root(
    traces: &[Trace],
    service: StrId,
    name: StrId,
) -> impl Iterator<Item = &Trace> + '_ {
    traces
        .iter()
        .filter(move |t| t.root_service == service && t.root_name == name)
}

/// [`flame_tree`] a bounded amount of work at a time ([`FlameBuild::step`]), so a page can
/// build the flame graph of a million spans in short tasks; the result is the same for every
/// budget.
pub struct FlameBuild<'t> {
    walk: PathWalk<'t>,
    tree: FlameTree,
    /// The final phase: sorting children.
    order: ChildOrder<LeftHeavyKey<'t>>,
}

impl<'t> FlameBuild<'t> {
    /// A build that has looked at nothing yet (all the work is in `step`).
    pub fn new(store: &'t Store, traces: impl IntoIterator<Item = &'t Trace>) -> Self {
        let traces: Vec<(&'t Trace, usize)> = traces.into_iter().map(|t| (t, 0)).collect();
        let synthetic_root = !matches!(traces.as_slice(), [(t, _)] if t.root_count == 1);
        let mut tree = FlameTree {
            nodes: Vec::new(),
            synthetic_root,
            trace_count: traces.len(),
        };
        if synthetic_root {
            tree.nodes
                .push(FlameNode::new(NO_PARENT, StrId::EMPTY, StrId::EMPTY));
        }
        let root_parent = if synthetic_root { 0 } else { NO_PARENT };
        FlameBuild {
            walk: PathWalk::new(store, traces, root_parent),
            tree,
            order: ChildOrder::new(),
        }
    }

    /// Does about `budget` units of work (at least one): visiting a span, closing one, or,
    /// once every span is in, sorting children (a node and each child placed count one; see
    /// [`ChildOrder`]). True once the tree is complete.
    pub fn step(&mut self, budget: usize) -> bool {
        let left = self.walk.step(&mut self.tree.nodes, budget.max(1));
        if !self.walk.is_done() {
            return false;
        }
        let strings = &self.walk.store.strings;
        self.order.step(
            &mut self.tree.nodes,
            left,
            |n| &mut n.children,
            |n| left_heavy_key(strings, n),
        );
        self.order.is_done(self.tree.nodes.len())
    }

    /// The tree (complete once [`FlameBuild::step`] has returned true; before that, what is
    /// built so far: every node in its parent's children, but not all of them sorted, so
    /// not for [`flame_layout`]).
    pub fn finish(mut self) -> FlameTree {
        self.order
            .abandon(&mut self.tree.nodes, |n| &mut n.children);
        self.tree
    }
}

/// How children sort in a flame tree: biggest total first, then by service and operation
/// name as text.
type LeftHeavyKey<'s> = (Reverse<i64>, &'s str, &'s str);

fn left_heavy_key<'s>(strings: &'s Interner, n: &FlameNode) -> LeftHeavyKey<'s> {
    let (service, name) = (strings.get(n.service), strings.get(n.name));
    (Reverse(n.total_nanos), service, name)
}

/// What the path walk adds to a node.
#[derive(Copy, Clone, Default, Debug)]
pub(super) struct Delta {
    pub count: u64,
    pub errors: u64,
    pub total_nanos: i64,
    pub self_nanos: i64,
    /// Durations of the span's children.
    pub children_nanos: i64,
}

/// Where the path walk puts what it finds: a flame tree's nodes, or a diff's.
pub(super) trait PathNodes {
    /// Adds a node with this frame as the last child of `parent` ([`NO_PARENT`]: a node
    /// without parent) and returns its index. The walk asks once per distinct path.
    fn push_node(&mut self, parent: u32, service: StrId, name: StrId) -> u32;
    /// Adds `delta` to side `side` (0 or 1) of `node`.
    fn add(&mut self, node: u32, side: usize, delta: Delta);
}

impl PathNodes for Vec<FlameNode> {
    fn push_node(&mut self, parent: u32, service: StrId, name: StrId) -> u32 {
        let index = self.len() as u32;
        if let Some(p) = self.get_mut(parent as usize) {
            p.children.push(index);
        }
        self.push(FlameNode::new(parent, service, name));
        index
    }

    fn add(&mut self, node: u32, _side: usize, d: Delta) {
        if let Some(n) = self.get_mut(node as usize) {
            n.count += d.count;
            n.errors += d.errors;
            n.total_nanos = n.total_nanos.saturating_add(d.total_nanos);
            n.self_nanos = n.self_nanos.saturating_add(d.self_nanos);
            n.children_nanos = n.children_nanos.saturating_add(d.children_nanos);
        }
    }
}

/// A span whose subtree the walk is in: its interval, how much of it its children covered
/// so far, and their durations.
#[derive(Copy, Clone, Debug)]
struct Open {
    pos: u32,
    node: u32,
    start: i64,
    /// Its end; its start when the end is unknown.
    end: i64,
    /// The end of the covered time so far (children come in start order).
    reach: i64,
    covered: i64,
    children: i64,
}

impl Open {
    /// Adds a child's interval, clipped to the span, to the covered time. Children come in
    /// start order (as [`super::build_traces`] orders siblings), so a running end merges
    /// overlapping ones; out of order, the union can only come out short, never above the
    /// span's duration.
    fn cover(&mut self, start: i64, end: i64) {
        self.children = self.children.saturating_add(end.saturating_sub(start));
        let from = start.max(self.reach);
        let to = end.min(self.end);
        if to > from {
            self.covered = self.covered.saturating_add(to - from);
            self.reach = to;
        }
    }
}

/// What the walk reads of a span.
#[derive(Copy, Clone, Debug)]
struct Row {
    service: StrId,
    name: StrId,
    start: i64,
    /// Its end; its start when the end is unknown.
    end: i64,
    error: bool,
}

/// Maps the path keys are spread over (see [`PathWalk::keys`]).
const KEY_SHARDS: usize = 64;

/// The map of [`PathWalk::keys`] that holds `key`: the top bits of a multiplicative hash.
fn shard_of((parent, service, name): (u32, StrId, StrId)) -> usize {
    let mixed = (u64::from(parent) << 32 | u64::from(name.0)) ^ u64::from(service.0) << 16;
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

/// Rows fetched at a time (see [`PathWalk::rows`]).
const FETCH_ROWS: usize = 256;

/// The walk shared by the flame graph and the diff: maps each span of each trace, in
/// pre-order, to the node of its call path (the child with its frame of its parent's node,
/// made on first sight), and adds its count, duration and self time there.
///
/// Its state is a stack of the spans whose subtree it is in (a span's self time is known
/// when its subtree ends), so it never recurses and can stop anywhere.
pub(super) struct PathWalk<'t> {
    pub store: &'t Store,
    /// Each trace with the side its spans add to.
    traces: Vec<(&'t Trace, usize)>,
    /// The node root spans hang under: the synthetic root (0), or [`NO_PARENT`] when the one
    /// root span's node is node 0.
    root_parent: u32,
    /// The node of each `(parent node, service, name)` seen, in [`KEY_SHARDS`] maps by a
    /// hash of the key: a map grows by rehashing all it holds in one go, and a step that
    /// grows a map of a million paths would take far longer than the others.
    keys: Vec<FxHashMap<(u32, StrId, StrId), u32>>,
    stack: Vec<Open>,
    /// The spans of the rows from `rows_from` on (`None`: not in the store), fetched in a
    /// loop of their own before the walk reaches them: a trace's rows are scattered over the
    /// store, and there the loads do not wait for each other, so their cache misses overlap.
    rows: Vec<Option<Row>>,
    rows_from: u32,
    /// Where the walk is: trace, and row in it.
    trace: usize,
    pos: u32,
}

impl<'t> PathWalk<'t> {
    pub fn new(store: &'t Store, traces: Vec<(&'t Trace, usize)>, root_parent: u32) -> Self {
        PathWalk {
            store,
            traces,
            root_parent,
            keys: (0..KEY_SHARDS).map(|_| FxHashMap::default()).collect(),
            stack: Vec::new(),
            rows: Vec::new(),
            rows_from: 0,
            trace: 0,
            pos: 0,
        }
    }

    /// True once every span of every trace is in.
    pub fn is_done(&self) -> bool {
        self.trace >= self.traces.len()
    }

    /// Does up to `budget` units of work (visiting a span, closing one, moving to the next
    /// trace). Returns what is left of the budget (0 unless the walk is done).
    pub fn step(&mut self, nodes: &mut impl PathNodes, budget: usize) -> usize {
        let mut left = budget;
        while left > 0 {
            let Some(&(trace, side)) = self.traces.get(self.trace) else {
                return left;
            };
            let parent = trace.parent.get(self.pos as usize).copied();
            match (self.stack.last(), parent) {
                // The top span's subtree has ended (for the next row, or the trace).
                (Some(top), Some(p)) if top.pos != p => self.close(nodes, side),
                (Some(_), None) => self.close(nodes, side),
                (_, Some(_)) => self.visit(nodes, trace, side),
                (None, None) => {
                    self.trace += 1;
                    self.pos = 0;
                    self.rows.clear();
                }
            }
            left -= 1;
        }
        left
    }

    /// Adds the span at the current row to its node (the parent is the top of the stack; a
    /// row whose parent is not there is taken as a root) and opens it.
    fn visit(&mut self, nodes: &mut impl PathNodes, trace: &Trace, side: usize) {
        let pos = self.pos;
        self.pos += 1;
        let Some(Row {
            service,
            name,
            start,
            end,
            error,
        }) = self.row(trace, pos)
        else {
            return;
        };
        let duration = end.saturating_sub(start);
        let parent = match self.stack.last_mut() {
            Some(top) => {
                top.cover(start, end);
                top.node
            }
            None => {
                if self.root_parent != NO_PARENT {
                    let total = Delta {
                        total_nanos: duration,
                        children_nanos: duration,
                        ..Delta::default()
                    };
                    nodes.add(self.root_parent, side, total);
                }
                self.root_parent
            }
        };
        let key = (parent, service, name);
        let Some(shard) = self.keys.get_mut(shard_of(key)) else {
            return;
        };
        let node = *shard
            .entry(key)
            .or_insert_with(|| nodes.push_node(parent, service, name));
        let delta = Delta {
            count: 1,
            errors: u64::from(error),
            total_nanos: duration,
            ..Delta::default()
        };
        nodes.add(node, side, delta);
        self.stack.push(Open {
            pos,
            node,
            start,
            end,
            reach: start,
            covered: 0,
            children: 0,
        });
    }

    /// The span of row `pos` of `trace` (the current trace), fetching the next
    /// [`FETCH_ROWS`] rows when it is not fetched yet.
    fn row(&mut self, trace: &Trace, pos: u32) -> Option<Row> {
        let fetched = pos.checked_sub(self.rows_from).map(|k| k as usize);
        if let Some(row) = fetched.and_then(|k| self.rows.get(k)) {
            return *row;
        }
        let from = (pos as usize).min(trace.spans.len());
        let to = from.saturating_add(FETCH_ROWS).min(trace.spans.len());
        let spans = &self.store.spans;
        let indices = trace.spans.get(from..to).unwrap_or(&[]);
        self.rows.clear();
        self.rows.extend(indices.iter().map(|&i| {
            spans.get(i as usize).map(|s| Row {
                service: s.service,
                name: s.name,
                start: s.start_unix_nanos,
                end: s.end_unix_nanos(),
                error: s.status == StatusCode::Error,
            })
        }));
        self.rows_from = pos;
        self.rows.first().copied().flatten()
    }

    /// Closes the top span: its subtree is done, so its self time is known.
    fn close(&mut self, nodes: &mut impl PathNodes, side: usize) {
        if let Some(open) = self.stack.pop() {
            let duration = open.end.saturating_sub(open.start);
            let self_nanos = duration.saturating_sub(open.covered).max(0);
            let delta = Delta {
                self_nanos,
                children_nanos: open.children,
                ..Delta::default()
            };
            nodes.add(open.node, side, delta);
        }
    }
}

/// The final phase of a build: sorting every node's children by a key (then node index), a
/// node at a time. A list that fits in what is left of the step's budget is sorted in one
/// go; a longer one (a span with a hundred thousand children of distinct names) is merge
/// sorted over as many steps as it takes ([`StepSort`]). Keys are made once per child, not
/// per comparison: a node's total is one fetch, its names' text another.
pub(super) struct ChildOrder<K> {
    /// The next node whose children are to be sorted.
    next: usize,
    /// The sort of node `next`'s children, when it takes more than one step.
    sorting: Option<StepSort<K>>,
}

impl<K: Ord + Copy> ChildOrder<K> {
    pub fn new() -> Self {
        ChildOrder {
            next: 0,
            sorting: None,
        }
    }

    /// True once every node's children are sorted.
    pub fn is_done(&self, node_count: usize) -> bool {
        self.next >= node_count
    }

    /// Gives back, unsorted, the children of a node whose sort is under way (for a build
    /// finished early).
    pub fn abandon<N>(&mut self, nodes: &mut [N], children: impl Fn(&mut N) -> &mut Vec<u32>) {
        if let (Some(sort), Some(node)) = (self.sorting.take(), nodes.get_mut(self.next)) {
            *children(node) = sort.list;
        }
    }

    /// Sorts for about `budget` units (a node, and each child keyed or placed, count one).
    pub fn step<N>(
        &mut self,
        nodes: &mut [N],
        mut budget: usize,
        children: impl Fn(&mut N) -> &mut Vec<u32>,
        key: impl Fn(&N) -> K,
    ) {
        while budget > 0 {
            let Some(node) = nodes.get_mut(self.next) else {
                return;
            };
            let mut sort = match self.sorting.take() {
                Some(sort) => sort,
                None => {
                    budget -= 1;
                    StepSort::new(std::mem::take(children(node)))
                }
            };
            let nodes_ref: &[N] = nodes;
            let keyed = |c: u32| nodes_ref.get(c as usize).map(|n| (key(n), c));
            if !sort.step(&mut budget, keyed) {
                self.sorting = Some(sort);
                return;
            }
            if let Some(node) = nodes.get_mut(self.next) {
                *children(node) = sort.into_sorted();
            }
            self.next += 1;
        }
    }
}

/// Elements sorted in place before the merging starts.
const SORT_CHUNK: usize = 64;

/// A sort of one list of nodes by key that can stop after any element and carry on: the
/// whole list at once if it fits the budget; otherwise chunks of [`SORT_CHUNK`] are keyed and
/// sorted, then passes merge pairs of sorted runs into runs twice as wide until one is left.
pub(super) struct StepSort<K> {
    /// The nodes to sort; their keys are made a chunk at a time.
    list: Vec<u32>,
    /// The keyed nodes (a node not in the tree is left out), runs of `width` sorted.
    keyed: Vec<(K, u32)>,
    /// The pass being merged into.
    out: Vec<(K, u32)>,
    /// Width of the sorted runs being merged (0: chunks not yet all keyed and sorted).
    width: usize,
    /// Start of the next chunk to key, or of the pair of runs being merged.
    at: usize,
    /// Read positions in the left and right run of the pair being merged.
    left: usize,
    right: usize,
}

impl<K: Ord + Copy> StepSort<K> {
    fn new(list: Vec<u32>) -> Self {
        StepSort {
            list,
            keyed: Vec::new(),
            out: Vec::new(),
            width: 0,
            at: 0,
            left: 0,
            right: 0,
        }
    }

    /// Sorts until `budget` (elements keyed or placed) is spent or the list is sorted; true
    /// once it is.
    fn step(&mut self, budget: &mut usize, key: impl Fn(u32) -> Option<(K, u32)>) -> bool {
        let n = self.list.len();
        if self.width == 0 && self.at == 0 && n <= *budget {
            self.keyed.extend(self.list.iter().filter_map(|&c| key(c)));
            self.keyed.sort_unstable();
            *budget -= n;
            self.width = usize::MAX;
        }
        while self.width == 0 && *budget > 0 {
            let end = self.at.saturating_add(SORT_CHUNK).min(n);
            let from = self.keyed.len();
            let chunk = self.list.get(self.at..end).unwrap_or(&[]);
            self.keyed.extend(chunk.iter().filter_map(|&c| key(c)));
            if let Some(run) = self.keyed.get_mut(from..) {
                run.sort_unstable();
            }
            *budget = budget.saturating_sub(end - self.at);
            self.at = end;
            if end >= n {
                self.start_pass(SORT_CHUNK);
            }
        }
        let keyed = self.width > 0;
        while keyed && self.width < self.keyed.len() && *budget > 0 {
            self.merge(budget);
        }
        keyed && self.width >= self.keyed.len()
    }

    /// The nodes, sorted (once [`StepSort::step`] has returned true).
    fn into_sorted(mut self) -> Vec<u32> {
        self.list.clear();
        self.list.extend(self.keyed.iter().map(|&(_, c)| c));
        self.list
    }

    /// Starts the pass that merges runs of `width` into runs of twice that.
    fn start_pass(&mut self, width: usize) {
        self.width = width;
        self.at = 0;
        self.left = 0;
        self.right = width.min(self.keyed.len());
        self.out.clear();
    }

    /// Places elements of the current pair of runs into `out` until the budget is spent or
    /// the pair is merged; then moves to the next pair, or the next pass.
    fn merge(&mut self, budget: &mut usize) {
        let n = self.keyed.len();
        let mid = self.at.saturating_add(self.width).min(n);
        let end = self.at.saturating_add(self.width.saturating_mul(2)).min(n);
        while *budget > 0 && (self.left < mid || self.right < end) {
            let (l, r) = (self.keyed.get(self.left), self.keyed.get(self.right));
            let take_left = match (self.left < mid, self.right < end, l, r) {
                (true, true, Some(l), Some(r)) => l <= r,
                (left_open, ..) => left_open,
            };
            let from = if take_left {
                &mut self.left
            } else {
                &mut self.right
            };
            if let Some(&x) = self.keyed.get(*from) {
                self.out.push(x);
            }
            *from += 1;
            *budget -= 1;
        }
        if self.left < mid || self.right < end {
            return;
        }
        self.at = end;
        self.left = end;
        self.right = end.saturating_add(self.width).min(n);
        if end >= n {
            std::mem::swap(&mut self.keyed, &mut self.out);
            self.start_pass(self.width.saturating_mul(2));
        }
    }
}

/// What the icicle layout needs of a tree: a flame tree, or one side of a trace diff.
/// Out-of-range nodes read as empty (no parent, no children, zero times).
pub trait FlameShape {
    /// Number of nodes; node 0 is the root.
    fn node_count(&self) -> usize;
    /// The parent of `node`, or [`NO_PARENT`].
    fn parent(&self, node: u32) -> u32;
    /// The children of `node`, in drawing order (left to right).
    fn children(&self, node: u32) -> &[u32];
    /// Total time of `node` (its width), ns.
    fn total_nanos(&self, node: u32) -> i64;
    /// Self time of `node` (the gap after its children), ns.
    fn self_nanos(&self, node: u32) -> i64;
    /// Service and operation name of `node`.
    fn label(&self, node: u32) -> (StrId, StrId);
    /// Sum of the totals of `node`'s children, ns (by default added up on each call).
    fn children_nanos(&self, node: u32) -> i64 {
        let children = self.children(node).iter();
        children.fold(0i64, |sum, &c| {
            sum.saturating_add(self.total_nanos(c).max(0))
        })
    }
    /// Whether every node's children come widest first (then the layout stops at the first
    /// one too narrow to draw, instead of going through them all).
    fn widest_first(&self) -> bool {
        false
    }
}

impl FlameShape for FlameTree {
    fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn parent(&self, node: u32) -> u32 {
        self.nodes
            .get(node as usize)
            .map_or(NO_PARENT, |n| n.parent)
    }

    fn children(&self, node: u32) -> &[u32] {
        self.nodes.get(node as usize).map_or(&[], |n| &n.children)
    }

    fn total_nanos(&self, node: u32) -> i64 {
        self.nodes.get(node as usize).map_or(0, |n| n.total_nanos)
    }

    fn self_nanos(&self, node: u32) -> i64 {
        self.nodes.get(node as usize).map_or(0, |n| n.self_nanos)
    }

    fn label(&self, node: u32) -> (StrId, StrId) {
        let n = self.nodes.get(node as usize);
        n.map_or((StrId::EMPTY, StrId::EMPTY), |n| (n.service, n.name))
    }

    fn children_nanos(&self, node: u32) -> i64 {
        self.nodes
            .get(node as usize)
            .map_or(0, |n| n.children_nanos)
    }

    /// Left heavy, once the build is complete.
    fn widest_first(&self) -> bool {
        true
    }
}

/// `node` and its ancestors, root first; empty when `node` is not a node. Follows at most
/// `node_count` parents, so a malformed shape with a parent cycle cannot hang it.
pub fn path_to(shape: &impl FlameShape, node: u32) -> Vec<u32> {
    let mut path = Vec::new();
    let mut at = node;
    while (at as usize) < shape.node_count() && path.len() < shape.node_count() {
        path.push(at);
        at = shape.parent(at);
    }
    path.reverse();
    path
}

/// Rectangles narrower than this are not drawn on their own: a run of them next to each
/// other becomes one merged rectangle if it is at least this wide, and is dropped otherwise.
pub const MIN_RECT_PX: f64 = 0.5;

/// One rectangle of the icicle.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct FlameRect {
    /// The node drawn; for a merged rectangle, the first of its run.
    pub node: u32,
    /// Row, from the top; the root is row 0 (rows are tree depths, also when zoomed).
    pub depth: u32,
    /// Left edge, px from the left of the view.
    pub x_px: f64,
    /// Width, px; at least [`MIN_RECT_PX`].
    pub width_px: f64,
    /// Number of sibling nodes drawn as this one rectangle: 1 for a node of its own; more
    /// for a run of siblings each narrower than [`MIN_RECT_PX`] (the siblings with a nonzero
    /// total that follow `node` in its parent's children). A merged rectangle has no
    /// children drawn.
    pub merged: u32,
}

impl FlameRect {
    fn new(node: u32, depth: u32, x_px: f64, width_px: f64, merged: u32) -> FlameRect {
        FlameRect {
            node,
            depth,
            x_px,
            width_px,
            merged,
        }
    }
}

/// The icicle of `tree` zoomed on `zoom_node`, `width_px` wide: the zoomed node and its
/// ancestors span the whole width (rows 0 to its depth), and below it each node's children
/// share, in order and in proportion to their totals, the part of its width that its
/// children covered (`total - self`); the self time is the gap to the right of them (see the
/// module's documentation for overlapping children).
///
/// Rectangles narrower than [`MIN_RECT_PX`] are merged with their narrow neighbours or
/// dropped, with their subtrees, so a row holds at most about `2 * width_px / MIN_RECT_PX`
/// rectangles however many nodes the tree has. Rectangles come in `(depth, x_px)` order, as
/// [`flame_at`] needs. Empty when `zoom_node` is not a node or `width_px` is not positive.
pub fn flame_layout(tree: &impl FlameShape, zoom_node: u32, width_px: f64) -> Vec<FlameRect> {
    if !(width_px > 0.0 && width_px.is_finite()) {
        return Vec::new();
    }
    let path = path_to(tree, zoom_node);
    let mut rects: Vec<FlameRect> = path
        .iter()
        .enumerate()
        .map(|(depth, &node)| FlameRect::new(node, depth as u32, 0.0, width_px, 1))
        .collect();
    let mut row: Vec<FlameRect> = rects.last().copied().into_iter().collect();
    while !row.is_empty() {
        let mut below = Vec::new();
        for parent in row.iter().filter(|r| r.merged == 1) {
            lay_out_children(tree, parent, &mut below);
        }
        rects.extend_from_slice(&below);
        row = below;
    }
    rects
}

/// Appends the rectangles of `parent`'s children, left to right, to `out`. Goes through the
/// children until the first too narrow to draw when they come widest first (the rest, as
/// narrow, make one run, its width what is left of theirs), through all of them otherwise.
fn lay_out_children(tree: &impl FlameShape, parent: &FlameRect, out: &mut Vec<FlameRect>) {
    let total = tree.total_nanos(parent.node);
    let sum = tree.children_nanos(parent.node);
    if total <= 0 || sum <= 0 {
        return;
    }
    let covered = total
        .saturating_sub(tree.self_nanos(parent.node))
        .clamp(0, total);
    // Children fill the covered part; never wider than time itself (a shape whose children
    // add up to less than they covered would otherwise be stretched).
    let fit = (covered as f64 / sum as f64).min(1.0);
    let (px, nanos) = (parent.width_px * fit, total as f64);
    let depth = parent.depth + 1;
    let children = tree.children(parent.node);
    let mut x = parent.x_px;
    let mut placed_nanos = 0i64;
    let mut run: Option<FlameRect> = None;
    for (k, &child) in children.iter().enumerate() {
        let child_nanos = tree.total_nanos(child).max(0);
        let width = child_nanos as f64 * px / nanos;
        if width <= 0.0 {
            continue;
        }
        if width < MIN_RECT_PX && tree.widest_first() {
            let rest = children.get(k..).unwrap_or(&[]);
            let merged = rest.partition_point(|&c| tree.total_nanos(c) > 0) as u32;
            let width_px = sum.saturating_sub(placed_nanos) as f64 * px / nanos;
            let r = FlameRect::new(child, depth, x, width_px, merged);
            out.extend(Some(r).filter(|r| r.width_px >= MIN_RECT_PX));
            return;
        }
        if width < MIN_RECT_PX {
            let r = run.get_or_insert(FlameRect::new(child, depth, x, 0.0, 0));
            r.width_px += width;
            r.merged += 1;
        } else {
            out.extend(run.take().filter(|r| r.width_px >= MIN_RECT_PX));
            out.push(FlameRect::new(child, depth, x, width, 1));
        }
        x += width;
        placed_nanos = placed_nanos.saturating_add(child_nanos);
    }
    out.extend(run.filter(|r| r.width_px >= MIN_RECT_PX));
}

/// The rectangle of `rects` (in [`flame_layout`]'s order) at row `depth` that covers
/// `x_px` (its left edge included, its right edge not). A binary search.
pub fn flame_at(rects: &[FlameRect], x_px: f64, depth: u32) -> Option<&FlameRect> {
    let i = rects
        .partition_point(|r| r.depth < depth || (r.depth == depth && r.x_px + r.width_px <= x_px));
    rects
        .get(i)
        .filter(|r| r.depth == depth && r.x_px <= x_px && x_px < r.x_px + r.width_px)
}

/// The nodes (ascending) whose service or operation name contains `text`, ignoring ASCII
/// case, as the span search does; none for an empty text. Each distinct name is tested once.
pub fn flame_search(strings: &Interner, tree: &impl FlameShape, text: &str) -> Vec<u32> {
    let needle = text.as_bytes();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut seen: FxHashMap<StrId, bool> = FxHashMap::default();
    let mut hit = |id: StrId| {
        *seen.entry(id).or_insert_with(|| {
            let hay = strings.get(id).as_bytes();
            hay.windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        })
    };
    (0..tree.node_count() as u32)
        .filter(|&n| {
            let (service, name) = tree.label(n);
            hit(service) || hit(name)
        })
        .collect()
}
