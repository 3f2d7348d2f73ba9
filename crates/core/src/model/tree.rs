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
use super::store::{StatusCode, Store};
use super::strings::StrId;
use rustc_hash::FxHashMap;

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
fn build_tree(store: &Store, id: TraceId, mut members: Vec<u32>) -> Trace {
    let spans = &store.spans;
    let span = |i: u32| &spans[i as usize];
    // Siblings are shown in start order; ties keep file order. Sorting (start, index) pairs
    // keeps the keys next to each other instead of fetching two span records per comparison.
    let mut keyed: Vec<(i64, u32)> = members
        .iter()
        .map(|&i| (span(i).start_unix_nanos, i))
        .collect();
    keyed.sort_unstable();
    members.clear();
    members.extend(keyed.iter().map(|&(_, i)| i));
    drop(keyed);
    let n = members.len();

    let mut warnings: Vec<(u32, TreeWarning)> = Vec::new(); // keyed by local index for now
    let mut local_of: FxHashMap<SpanId, u32> = FxHashMap::default();
    local_of.reserve(n);
    for (local, &i) in members.iter().enumerate() {
        // The first occurrence keeps the id for children lookups; later ones are flagged.
        match local_of.entry(span(i).span_id) {
            std::collections::hash_map::Entry::Occupied(_) => {
                warnings.push((local as u32, TreeWarning::DuplicateId));
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(local as u32);
            }
        }
    }

    let mut parent_local = vec![NO_PARENT; n];
    for (local, &i) in members.iter().enumerate() {
        let s = span(i);
        if s.parent_id.is_zero() {
            continue;
        }
        if s.parent_id == s.span_id {
            warnings.push((local as u32, TreeWarning::OwnParent));
            continue;
        }
        match local_of.get(&s.parent_id) {
            Some(&p) if p as usize != local => parent_local[local] = p,
            Some(_) => warnings.push((local as u32, TreeWarning::OwnParent)),
            None => warnings.push((local as u32, TreeWarning::MissingParent(s.parent_id))),
        }
    }

    // Children lists in compressed form (offsets into one array), in start order.
    let mut child_start = vec![0u32; n + 1];
    for &p in &parent_local {
        if p != NO_PARENT {
            child_start[p as usize + 1] += 1;
        }
    }
    for k in 0..n {
        child_start[k + 1] += child_start[k];
    }
    let mut fill = child_start.clone();
    let mut children = vec![0u32; child_start[n] as usize];
    for (local, &p) in parent_local.iter().enumerate() {
        if p != NO_PARENT {
            children[fill[p as usize] as usize] = local as u32;
            fill[p as usize] += 1;
        }
    }

    let mut order: Vec<u32> = Vec::with_capacity(n); // local indices in pre-order
    let mut depth: Vec<u32> = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    let mut stack: Vec<(u32, u32)> = Vec::new();
    let mut root_count = 0u32;
    let dfs = |root: u32,
               order: &mut Vec<u32>,
               depth: &mut Vec<u32>,
               visited: &mut Vec<bool>,
               stack: &mut Vec<(u32, u32)>| {
        stack.push((root, 0));
        while let Some((node, d)) = stack.pop() {
            if visited[node as usize] {
                continue;
            }
            visited[node as usize] = true;
            order.push(node);
            depth.push(d);
            let kids = &children
                [child_start[node as usize] as usize..child_start[node as usize + 1] as usize];
            // Push in reverse so the earliest child is visited first.
            for &c in kids.iter().rev() {
                stack.push((c, d + 1));
            }
        }
    };
    for local in 0..n as u32 {
        if parent_local[local as usize] == NO_PARENT {
            root_count += 1;
            dfs(local, &mut order, &mut depth, &mut visited, &mut stack);
        }
    }
    // Whatever is unreached sits on (or hangs below) a parent cycle: cut each cycle at its
    // earliest span and show it as a root.
    if order.len() < n {
        let mut on_walk = vec![false; n];
        for local in 0..n {
            if visited[local] {
                continue;
            }
            let mut walk = Vec::new();
            let mut cur = local as u32;
            while cur != NO_PARENT && !visited[cur as usize] && !on_walk[cur as usize] {
                on_walk[cur as usize] = true;
                walk.push(cur);
                cur = parent_local[cur as usize];
            }
            if cur != NO_PARENT && on_walk[cur as usize] && !visited[cur as usize] {
                let cycle_from = walk.iter().position(|w| *w == cur).unwrap_or(0);
                let cut = walk[cycle_from..].iter().copied().min().unwrap_or(cur);
                warnings.push((cut, TreeWarning::ParentCycle));
                parent_local[cut as usize] = NO_PARENT;
                root_count += 1;
                dfs(cut, &mut order, &mut depth, &mut visited, &mut stack);
            }
            for w in walk {
                on_walk[w as usize] = false;
            }
        }
    }

    let mut pos_of_local = vec![0u32; n];
    for (pos, &local) in order.iter().enumerate() {
        pos_of_local[local as usize] = pos as u32;
    }
    let parent: Vec<u32> = order
        .iter()
        .map(|&local| match parent_local[local as usize] {
            NO_PARENT => NO_PARENT,
            p => pos_of_local[p as usize],
        })
        .collect();
    let mut size = vec![1u32; n];
    for pos in (0..n).rev() {
        let p = parent[pos];
        if p != NO_PARENT {
            size[p as usize] += size[pos];
        }
    }
    let subtree_end: Vec<u32> = (0..n).map(|pos| pos as u32 + size[pos]).collect();
    let spans_in_order: Vec<u32> = order.iter().map(|&local| members[local as usize]).collect();

    for (pos, &p) in parent.iter().enumerate() {
        if p == NO_PARENT {
            continue;
        }
        let child = span(spans_in_order[pos]);
        let par = span(spans_in_order[p as usize]);
        let ends_after = !child.end_unknown()
            && !par.end_unknown()
            && child.end_unix_nanos() > par.end_unix_nanos();
        if child.start_unix_nanos < par.start_unix_nanos || ends_after {
            warnings.push((order[pos], TreeWarning::OutsideParent));
        }
    }
    let mut warnings: Vec<(u32, TreeWarning)> = warnings
        .into_iter()
        .map(|(local, w)| (pos_of_local[local as usize], w))
        .collect();
    warnings.sort_by_key(|(pos, _)| *pos);

    let mut start = i64::MAX;
    let mut end = i64::MIN;
    let mut error_count = 0;
    let mut services: Vec<StrId> = Vec::new();
    for &i in &spans_in_order {
        let s = span(i);
        start = start.min(s.start_unix_nanos);
        end = end.max(s.end_unix_nanos());
        if s.status == StatusCode::Error {
            error_count += 1;
        }
        services.push(s.service);
    }
    services.sort_unstable();
    services.dedup();
    let first = spans_in_order.first().map(|&i| span(i));
    Trace {
        id,
        spans: spans_in_order,
        depth,
        parent,
        subtree_end,
        warnings,
        start_unix_nanos: if n == 0 { 0 } else { start },
        end_unix_nanos: if n == 0 { 0 } else { end },
        root_count,
        error_count,
        service_count: services.len() as u32,
        root_service: first.map_or(StrId::EMPTY, |s| s.service),
        root_name: first.map_or(StrId::EMPTY, |s| s.name),
    }
}
