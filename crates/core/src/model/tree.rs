//! Groups spans into traces and builds each trace's span tree.
//!
//! Trees are index arrays in pre-order (parents before children, siblings by start time), so
//! "the subtree of row `p`" is the contiguous range `p..subtree_end[p]`: collapsing a row skips
//! that range in O(1), and no walk ever recurses (a 100,000-deep parent chain is fine).
//!
//! Real-world mess becomes warnings, never failures: a span whose parent is not in the trace
//! becomes an extra root ([`TreeWarning::MissingParent`]); a second span with an id already
//! seen keeps its own place but children attach to the first ([`TreeWarning::DuplicateId`]);
//! parent cycles are broken at their earliest span ([`TreeWarning::ParentCycle`]); children that
//! start before or end after their parent are flagged ([`TreeWarning::OutsideParent`]).

use super::ids::{SpanId, TraceId};
use super::store::{Span, StatusCode, Store};
use super::strings::StrId;
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;

/// `Trace::parent` value for roots.
pub const NO_PARENT: u32 = u32::MAX;

/// Something about a span's place in its tree.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum TreeWarning {
    /// The span's parent is not in the trace; the span is shown as an extra root.
    MissingParent(SpanId),
    /// Another span earlier in the trace has the same span id.
    DuplicateId,
    /// The span names itself as its parent.
    OwnParent,
    /// Following parents from this span leads back to it; the cycle was cut here.
    ParentCycle,
    /// The span starts before its parent starts or ends after its parent ends
    /// (clock skew or asynchronous work).
    OutsideParent,
}

/// One trace: its spans as a tree in pre-order, plus summary figures for the trace list.
///
/// Positions (`pos`) index the per-row vectors; `spans[pos]` is the index into
/// [`Store::spans`].
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub id: TraceId,
    /// Store span indices in pre-order.
    pub spans: Vec<u32>,
    /// Depth of each row; roots are 0.
    pub depth: Vec<u32>,
    /// Position of each row's parent, or [`NO_PARENT`].
    pub parent: Vec<u32>,
    /// One past the last row of each row's subtree.
    pub subtree_end: Vec<u32>,
    /// Tree warnings as `(pos, warning)`, sorted by pos.
    pub warnings: Vec<(u32, TreeWarning)>,
    /// Earliest start of any span, ns since the epoch.
    pub start_unix_nanos: i64,
    /// Latest end of any span, ns since the epoch.
    pub end_unix_nanos: i64,
    /// Number of root rows (including spans shown as roots because their parent is missing).
    pub root_count: u32,
    pub error_count: u32,
    pub service_count: u32,
    /// Service and operation of the first root.
    pub root_service: StrId,
    pub root_name: StrId,
}

impl Trace {
    /// Number of spans.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True for a trace without spans (never produced by [`build_traces`]).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Duration from the first start to the last end, ns.
    pub fn duration_nanos(&self) -> i64 {
        self.end_unix_nanos.saturating_sub(self.start_unix_nanos)
    }

    /// Whether row `pos` has children.
    pub fn has_children(&self, pos: usize) -> bool {
        self.subtree_end
            .get(pos)
            .is_some_and(|end| *end as usize > pos + 1)
    }

    /// Tree warnings for row `pos`.
    pub fn warnings_at(&self, pos: u32) -> impl Iterator<Item = &TreeWarning> {
        let from = self.warnings.partition_point(|(p, _)| *p < pos);
        self.warnings[from..]
            .iter()
            .take_while(move |(p, _)| *p == pos)
            .map(|(_, w)| w)
    }

    /// Position of the row showing store span `index`, if it is in this trace.
    pub fn position_of(&self, index: u32) -> Option<usize> {
        self.spans.iter().position(|s| *s == index)
    }
}

/// Groups all spans of `store` by trace id and builds one tree per trace. Traces are sorted
/// by start time (then id), so the result is deterministic.
pub fn build_traces(store: &Store) -> Vec<Trace> {
    let mut by_trace: FxHashMap<TraceId, Vec<u32>> = FxHashMap::default();
    for (i, span) in store.spans.iter().enumerate() {
        by_trace.entry(span.trace_id).or_default().push(i as u32);
    }
    let mut traces: Vec<Trace> = by_trace
        .into_iter()
        .map(|(id, members)| build_tree(store, id, members))
        .collect();
    traces.sort_by_key(|t| (t.start_unix_nanos, t.id));
    traces
}

/// Builds the tree of one trace from its member span indices.
///
/// Members are numbered by their place in start order ("local" indices) until the pre-order
/// is known; warnings are keyed by local index until then, and pushed in a fixed order (ids,
/// parents, cycles, then timing) that the stable sort by position keeps among a row's own.
fn build_tree(store: &Store, id: TraceId, members: Vec<u32>) -> Trace {
    let spans = &store.spans[..];
    let members = sort_by_start(spans, members);
    let n = members.len();

    let mut warnings: Vec<(u32, TreeWarning)> = Vec::new();
    let local_of = first_local_of_each_id(spans, &members, &mut warnings);
    let mut parent_local = parents_by_local(spans, &members, &local_of, &mut warnings);
    drop(local_of);
    let children = Children::new(&parent_local);

    let mut walk = Walk::new(n);
    for local in 0..n as u32 {
        if parent_local[local as usize] == NO_PARENT {
            walk.add_root(local, &children);
        }
    }
    if walk.order.len() < n {
        cut_cycles(&mut parent_local, &children, &mut walk, &mut warnings);
    }
    let Walk {
        order,
        depth,
        root_count,
        ..
    } = walk;

    let pos_of_local = positions_of_locals(&order);
    let parent: Vec<u32> = order
        .iter()
        .map(|&local| match parent_local[local as usize] {
            NO_PARENT => NO_PARENT,
            p => pos_of_local[p as usize],
        })
        .collect();
    let subtree_end = subtree_ends(&parent);
    let spans_in_order: Vec<u32> = order.iter().map(|&local| members[local as usize]).collect();
    flag_outside_parent(spans, &spans_in_order, &parent, &order, &mut warnings);
    let warnings = warnings_by_position(warnings, &pos_of_local);

    let summary = Summary::of(spans, &spans_in_order);
    let first = spans_in_order.first().map(|&i| &spans[i as usize]);
    Trace {
        id,
        spans: spans_in_order,
        depth,
        parent,
        subtree_end,
        warnings,
        start_unix_nanos: if n == 0 { 0 } else { summary.start },
        end_unix_nanos: if n == 0 { 0 } else { summary.end },
        root_count,
        error_count: summary.error_count,
        service_count: summary.service_count,
        root_service: first.map_or(StrId::EMPTY, |s| s.service),
        root_name: first.map_or(StrId::EMPTY, |s| s.name),
    }
}

/// `members` sorted by start time, ties in file order: siblings are shown in this order.
fn sort_by_start(spans: &[Span], mut members: Vec<u32>) -> Vec<u32> {
    // Sorting (start, index) pairs keeps the keys next to each other instead of fetching two
    // span records per comparison.
    let mut keyed: Vec<(i64, u32)> = members
        .iter()
        .map(|&i| (spans[i as usize].start_unix_nanos, i))
        .collect();
    keyed.sort_unstable();
    members.clear();
    members.extend(keyed.iter().map(|&(_, i)| i));
    members
}

/// Local index of the first member with each span id: children attach to it. Every later
/// member with the same id gets [`TreeWarning::DuplicateId`].
fn first_local_of_each_id(
    spans: &[Span],
    members: &[u32],
    warnings: &mut Vec<(u32, TreeWarning)>,
) -> FxHashMap<SpanId, u32> {
    let mut local_of: FxHashMap<SpanId, u32> = FxHashMap::default();
    local_of.reserve(members.len());
    for (local, &i) in members.iter().enumerate() {
        match local_of.entry(spans[i as usize].span_id) {
            Entry::Occupied(_) => warnings.push((local as u32, TreeWarning::DuplicateId)),
            Entry::Vacant(v) => {
                v.insert(local as u32);
            }
        }
    }
    local_of
}

/// Each member's parent as a local index, or [`NO_PARENT`]: for roots, and (with a warning)
/// for a span naming itself or a parent not in the trace.
fn parents_by_local(
    spans: &[Span],
    members: &[u32],
    local_of: &FxHashMap<SpanId, u32>,
    warnings: &mut Vec<(u32, TreeWarning)>,
) -> Vec<u32> {
    let mut parent_local = vec![NO_PARENT; members.len()];
    for (local, &i) in members.iter().enumerate() {
        let s = &spans[i as usize];
        if s.parent_id.is_zero() {
            continue;
        }
        if s.parent_id == s.span_id {
            warnings.push((local as u32, TreeWarning::OwnParent));
            continue;
        }
        match local_of.get(&s.parent_id) {
            Some(&p) if p as usize != local => parent_local[local] = p,
            // A duplicate id naming the first span with that id.
            Some(_) => warnings.push((local as u32, TreeWarning::OwnParent)),
            None => warnings.push((local as u32, TreeWarning::MissingParent(s.parent_id))),
        }
    }
    parent_local
}

/// Children lists in compressed form (offsets into one array): two allocations per trace
/// rather than one per parent.
struct Children {
    /// The children of local `p` are `list[start[p]..start[p + 1]]`.
    start: Vec<u32>,
    /// Children in start order (as the locals are numbered).
    list: Vec<u32>,
}

impl Children {
    fn new(parent_local: &[u32]) -> Children {
        let n = parent_local.len();
        let mut start = vec![0u32; n + 1];
        for &p in parent_local {
            if p != NO_PARENT {
                start[p as usize + 1] += 1;
            }
        }
        for k in 0..n {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; start[n] as usize];
        for (local, &p) in parent_local.iter().enumerate() {
            if p != NO_PARENT {
                list[fill[p as usize] as usize] = local as u32;
                fill[p as usize] += 1;
            }
        }
        Children { start, list }
    }

    #[inline]
    fn of(&self, node: u32) -> &[u32] {
        &self.list[self.start[node as usize] as usize..self.start[node as usize + 1] as usize]
    }
}

/// The pre-order walk of one trace, root after root: the rows so far and their depths.
struct Walk {
    /// Local indices in pre-order.
    order: Vec<u32>,
    depth: Vec<u32>,
    visited: Vec<bool>,
    /// `(local, depth)` still to visit; reused by every root.
    stack: Vec<(u32, u32)>,
    root_count: u32,
}

impl Walk {
    fn new(n: usize) -> Walk {
        Walk {
            order: Vec::with_capacity(n),
            depth: Vec::with_capacity(n),
            visited: vec![false; n],
            stack: Vec::new(),
            root_count: 0,
        }
    }

    /// Appends the rows of the subtree under `root` (depth 0), visiting each member once.
    /// An explicit stack, not recursion: a 100,000-deep parent chain must not overflow.
    fn add_root(&mut self, root: u32, children: &Children) {
        self.root_count += 1;
        self.stack.push((root, 0));
        while let Some((node, d)) = self.stack.pop() {
            if self.visited[node as usize] {
                continue;
            }
            self.visited[node as usize] = true;
            self.order.push(node);
            self.depth.push(d);
            // Pushed in reverse so the earliest child is visited first.
            for &c in children.of(node).iter().rev() {
                self.stack.push((c, d + 1));
            }
        }
    }
}

/// Whatever the walk did not reach sits on (or hangs below) a parent cycle: cuts each cycle
/// at its earliest span ([`TreeWarning::ParentCycle`]), which becomes a root, and walks it.
fn cut_cycles(
    parent_local: &mut [u32],
    children: &Children,
    walk: &mut Walk,
    warnings: &mut Vec<(u32, TreeWarning)>,
) {
    let n = parent_local.len();
    let mut on_walk = vec![false; n];
    for local in 0..n {
        if walk.visited[local] {
            continue;
        }
        // Follow parents until a root, a visited span, or a span already on this path.
        let mut path = Vec::new();
        let mut cur = local as u32;
        while cur != NO_PARENT && !walk.visited[cur as usize] && !on_walk[cur as usize] {
            on_walk[cur as usize] = true;
            path.push(cur);
            cur = parent_local[cur as usize];
        }
        if cur != NO_PARENT && on_walk[cur as usize] && !walk.visited[cur as usize] {
            let cycle_from = path.iter().position(|w| *w == cur).unwrap_or(0);
            let cut = path[cycle_from..].iter().copied().min().unwrap_or(cur);
            warnings.push((cut, TreeWarning::ParentCycle));
            parent_local[cut as usize] = NO_PARENT;
            walk.add_root(cut, children);
        }
        for w in path {
            on_walk[w as usize] = false;
        }
    }
}

/// The row (pre-order position) of each local index.
fn positions_of_locals(order: &[u32]) -> Vec<u32> {
    let mut pos_of_local = vec![0u32; order.len()];
    for (pos, &local) in order.iter().enumerate() {
        pos_of_local[local as usize] = pos as u32;
    }
    pos_of_local
}

/// One past the last row of each row's subtree, from the rows' parent positions (children
/// come after their parent in pre-order, so one backward pass sums the subtree sizes).
fn subtree_ends(parent: &[u32]) -> Vec<u32> {
    let n = parent.len();
    let mut size = vec![1u32; n];
    for pos in (0..n).rev() {
        let p = parent[pos];
        if p != NO_PARENT {
            size[p as usize] += size[pos];
        }
    }
    (0..n).map(|pos| pos as u32 + size[pos]).collect()
}

/// Flags ([`TreeWarning::OutsideParent`], keyed by local index) each row that starts before
/// its parent or ends after it; an unknown end is never "after".
fn flag_outside_parent(
    spans: &[Span],
    spans_in_order: &[u32],
    parent: &[u32],
    order: &[u32],
    warnings: &mut Vec<(u32, TreeWarning)>,
) {
    for (pos, &p) in parent.iter().enumerate() {
        if p == NO_PARENT {
            continue;
        }
        let child = &spans[spans_in_order[pos] as usize];
        let par = &spans[spans_in_order[p as usize] as usize];
        let ends_after = !child.end_unknown()
            && !par.end_unknown()
            && child.end_unix_nanos() > par.end_unix_nanos();
        if child.start_unix_nanos < par.start_unix_nanos || ends_after {
            warnings.push((order[pos], TreeWarning::OutsideParent));
        }
    }
}

/// Warnings re-keyed from local index to row, sorted by row; a row's own keep their order.
fn warnings_by_position(
    warnings: Vec<(u32, TreeWarning)>,
    pos_of_local: &[u32],
) -> Vec<(u32, TreeWarning)> {
    let mut warnings: Vec<(u32, TreeWarning)> = warnings
        .into_iter()
        .map(|(local, w)| (pos_of_local[local as usize], w))
        .collect();
    warnings.sort_by_key(|(pos, _)| *pos);
    warnings
}

/// The figures the trace list shows (meaningless for a trace without spans).
struct Summary {
    start: i64,
    end: i64,
    error_count: u32,
    service_count: u32,
}

impl Summary {
    fn of(spans: &[Span], members: &[u32]) -> Summary {
        let mut start = i64::MAX;
        let mut end = i64::MIN;
        let mut error_count = 0;
        let mut services: Vec<StrId> = Vec::new();
        for &i in members {
            let s = &spans[i as usize];
            start = start.min(s.start_unix_nanos);
            end = end.max(s.end_unix_nanos());
            if s.status == StatusCode::Error {
                error_count += 1;
            }
            services.push(s.service);
        }
        services.sort_unstable();
        services.dedup();
        Summary {
            start,
            end,
            error_count,
            service_count: services.len() as u32,
        }
    }
}
