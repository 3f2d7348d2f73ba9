//! Comparison of two traces (say a fast and a slow run of the same request): spans matched by
//! their call path of `service:operation` frames, with what was added or removed and how
//! each node's duration changed.
//!
//! Follows Jaeger UI's trace comparison (`packages/jaeger-ui/src/model/trace-dag/TraceDag.ts`,
//! `TraceDag.diff`): each trace becomes a tree of nodes keyed by the ancestral path of
//! `service\toperation` frames, repeated siblings of the same path merge into one node whose
//! spans are counted, and the two trees are joined on their keys, each node keeping what
//! each side had (Jaeger's `a` and `b` members). Where this differs:
//! - Jaeger keys a leaf apart from an inner span of the same frame (`__LEAF__`,
//!   `id-factories.ts`) and first rewrites some spans (`denseTransforms.ts`: skips a client
//!   span whose only child is the server span it called, renames some HTTP operations). Here
//!   frames are taken as they are and a span with children matches one without, so a call
//!   that lost its children still shows its duration change, its lost children as removed.
//! - Jaeger compares span counts; here each side also has its total and self time, and
//!   children are ordered by the size of their duration change, biggest first.
//!
//! The walk is the flame graph's ([`super::flame`]), in bounded steps ([`DiffBuild::step`]).

mod present;
#[cfg(test)]
mod tests;

pub use present::{compare_partner, heat_colour, DiffCounts, DiffRow, DiffStatus};

use super::flame::{ChildOrder, Delta, FlameShape, PathNodes, PathWalk};
use super::{Interner, Store, StrId, Trace, NO_PARENT};
use std::cmp::Reverse;

/// What one trace had at a node.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct Side {
    /// Spans merged (0 for the synthetic root).
    pub count: u64,
    /// How many of them failed.
    pub errors: u64,
    /// Sum of their durations, ns (an unknown end counts as zero).
    pub total_nanos: i64,
    /// Sum of their self times, ns (see [`super::flame::FlameNode::self_nanos`]).
    pub self_nanos: i64,
}

/// One call path, as each trace had it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DiffNode {
    /// Service of the frame (`StrId::EMPTY` for the synthetic root), in the one store both
    /// traces are in.
    pub service: StrId,
    /// Operation name of the frame (`StrId::EMPTY` for the synthetic root).
    pub name: StrId,
    /// Index of the parent node, or [`NO_PARENT`] for node 0.
    pub parent: u32,
    /// Child nodes, biggest absolute [`DiffNode::change_nanos`] first, ties by service then
    /// operation name (as text), then node index.
    pub children: Vec<u32>,
    /// What the baseline trace had here; `None`: no span of it has this path.
    pub a: Option<Side>,
    /// What the other trace had here; `None`: no span of it has this path.
    pub b: Option<Side>,
}

impl DiffNode {
    fn new(parent: u32, service: StrId, name: StrId) -> DiffNode {
        DiffNode {
            service,
            name,
            parent,
            children: Vec::new(),
            a: None,
            b: None,
        }
    }

    fn total(side: Option<Side>) -> i64 {
        side.map_or(0, |s| s.total_nanos)
    }

    /// `b`'s total minus `a`'s (a missing side counts as zero), ns: positive when `b` is
    /// slower.
    pub fn change_nanos(&self) -> i64 {
        Self::total(self.b).saturating_sub(Self::total(self.a))
    }

    /// The change relative to the baseline (`0.5`: `b` took 50 % longer); `None` when the
    /// baseline has no time here (the node was added, or its spans had zero length).
    pub fn change_ratio(&self) -> Option<f64> {
        let a = Self::total(self.a);
        (a > 0).then(|| self.change_nanos() as f64 / a as f64)
    }

    /// Only the other trace has this path.
    pub fn added(&self) -> bool {
        self.a.is_none() && self.b.is_some()
    }

    /// Only the baseline has this path.
    pub fn removed(&self) -> bool {
        self.a.is_some() && self.b.is_none()
    }

    /// The colour scale of the diff flame graph, from -1 (faster, blue; removed is -1) to 1
    /// (slower, red; added is 1): the change over the larger of the two totals, Jaeger's
    /// denominator for its percentages (`renderNode.tsx`), which keeps the scale bounded.
    pub fn heat(&self) -> f64 {
        let larger = Self::total(self.a).max(Self::total(self.b));
        if larger <= 0 {
            return 0.0;
        }
        (self.change_nanos() as f64 / larger as f64).clamp(-1.0, 1.0)
    }

    /// One side's figures.
    pub fn side(&self, side: DiffSide) -> Option<Side> {
        match side {
            DiffSide::A => self.a,
            DiffSide::B => self.b,
        }
    }
}

/// Which trace of a diff.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum DiffSide {
    /// The baseline.
    A,
    /// The other trace.
    #[default]
    B,
}

/// The comparison of two traces as one tree. Node 0 is the root: the two root spans' frame
/// when each trace has one root and both have the same frame, otherwise a synthetic root
/// (`synthetic_root`) whose children are the root spans' frames.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct TraceDiff {
    /// Parents come before their children.
    pub nodes: Vec<DiffNode>,
    /// Whether node 0 stands for no span; both its sides are present, their totals the sums
    /// of each trace's root spans.
    pub synthetic_root: bool,
}

impl TraceDiff {
    /// One side as a flame graph shape, for [`super::flame::flame_layout`]: widths from
    /// that side's totals (nodes it lacks have none), children in the diff's order. Side `B`
    /// colored by [`DiffNode::heat`] is a differential flame graph (the slow run's shape,
    /// red where it is slower); side `A` shows what was removed.
    pub fn flame(&self, side: DiffSide) -> DiffFlame<'_> {
        DiffFlame {
            diff: self,
            side: Some(side),
        }
    }

    /// Both sides as one flame graph: a node is as wide as the larger of its two totals, so
    /// what was removed shows as well as what was added; children in the diff's order.
    pub fn union_flame(&self) -> DiffFlame<'_> {
        DiffFlame {
            diff: self,
            side: None,
        }
    }
}

/// A [`TraceDiff`] seen as a flame graph: one side ([`TraceDiff::flame`]) or both
/// ([`TraceDiff::union_flame`]).
#[derive(Copy, Clone, Debug)]
pub struct DiffFlame<'d> {
    pub diff: &'d TraceDiff,
    /// The side whose figures it shows; `None`: the larger of the two.
    pub side: Option<DiffSide>,
}

impl DiffFlame<'_> {
    /// The sides shown at `node`.
    fn sides(&self, node: u32) -> [Option<Side>; 2] {
        let Some(n) = self.diff.nodes.get(node as usize) else {
            return [None, None];
        };
        match self.side {
            Some(side) => [n.side(side), None],
            None => [n.a, n.b],
        }
    }
}

impl FlameShape for DiffFlame<'_> {
    fn node_count(&self) -> usize {
        self.diff.nodes.len()
    }

    fn parent(&self, node: u32) -> u32 {
        let n = self.diff.nodes.get(node as usize);
        n.map_or(NO_PARENT, |n| n.parent)
    }

    fn children(&self, node: u32) -> &[u32] {
        let n = self.diff.nodes.get(node as usize);
        n.map_or(&[], |n| &n.children)
    }

    /// The larger shown side's total.
    fn total_nanos(&self, node: u32) -> i64 {
        let sides = self.sides(node);
        sides
            .iter()
            .flatten()
            .map(|s| s.total_nanos)
            .max()
            .unwrap_or(0)
    }

    /// What the larger of the shown covered parts (total minus self) leaves of the total:
    /// the children share the part of the width either side's children covered (one side:
    /// its self time).
    fn self_nanos(&self, node: u32) -> i64 {
        let sides = self.sides(node);
        let covered = sides
            .iter()
            .flatten()
            .map(|s| s.total_nanos.saturating_sub(s.self_nanos))
            .max()
            .unwrap_or(0);
        self.total_nanos(node).saturating_sub(covered).max(0)
    }

    fn label(&self, node: u32) -> (StrId, StrId) {
        let n = self.diff.nodes.get(node as usize);
        n.map_or((StrId::EMPTY, StrId::EMPTY), |n| (n.service, n.name))
    }
}

impl PathNodes for Vec<DiffNode> {
    fn push_node(&mut self, parent: u32, service: StrId, name: StrId) -> u32 {
        let index = self.len() as u32;
        if let Some(p) = self.get_mut(parent as usize) {
            p.children.push(index);
        }
        self.push(DiffNode::new(parent, service, name));
        index
    }

    fn add(&mut self, node: u32, side: usize, d: Delta) {
        let Some(n) = self.get_mut(node as usize) else {
            return;
        };
        let s = if side == 0 { &mut n.a } else { &mut n.b };
        let s = s.get_or_insert_with(Side::default);
        s.count += d.count;
        s.errors += d.errors;
        s.total_nanos = s.total_nanos.saturating_add(d.total_nanos);
        s.self_nanos = s.self_nanos.saturating_add(d.self_nanos);
    }
}

/// How children sort in a diff: biggest absolute change first, then by service and
/// operation name as text.
type ChangeKey<'s> = (Reverse<u64>, &'s str, &'s str);

fn change_key<'s>(strings: &'s Interner, n: &DiffNode) -> ChangeKey<'s> {
    let (service, name) = (strings.get(n.service), strings.get(n.name));
    (Reverse(n.change_nanos().unsigned_abs()), service, name)
}

/// The comparison of `a` (the baseline) and `b`, two traces of `store`, in one go (see
/// [`DiffBuild`] for it in steps).
pub fn trace_diff(store: &Store, a: &Trace, b: &Trace) -> TraceDiff {
    let mut build = DiffBuild::new(store, a, b);
    while !build.step(usize::MAX) {}
    build.finish()
}

/// [`trace_diff`] a bounded amount of work at a time ([`DiffBuild::step`]); the result is the
/// same for every budget.
pub struct DiffBuild<'t> {
    walk: PathWalk<'t>,
    diff: TraceDiff,
    /// The final phase: sorting children.
    order: ChildOrder<ChangeKey<'t>>,
}

impl<'t> DiffBuild<'t> {
    /// A build that has looked at nothing yet (all the work is in `step`).
    pub fn new(store: &'t Store, a: &'t Trace, b: &'t Trace) -> Self {
        let same_root = a.root_count == 1
            && b.root_count == 1
            && (a.root_service, a.root_name) == (b.root_service, b.root_name);
        let mut diff = TraceDiff {
            nodes: Vec::new(),
            synthetic_root: !same_root,
        };
        if !same_root {
            let mut root = DiffNode::new(NO_PARENT, StrId::EMPTY, StrId::EMPTY);
            root.a = Some(Side::default());
            root.b = Some(Side::default());
            diff.nodes.push(root);
        }
        let root_parent = if same_root { NO_PARENT } else { 0 };
        DiffBuild {
            walk: PathWalk::new(store, vec![(a, 0), (b, 1)], root_parent),
            diff,
            order: ChildOrder::new(),
        }
    }

    /// Does about `budget` units of work (at least one), as
    /// [`super::flame::FlameBuild::step`] counts them; true once the diff is complete.
    pub fn step(&mut self, budget: usize) -> bool {
        let left = self.walk.step(&mut self.diff.nodes, budget.max(1));
        if !self.walk.is_done() {
            return false;
        }
        let strings = &self.walk.store.strings;
        self.order.step(
            &mut self.diff.nodes,
            left,
            |n| &mut n.children,
            |n| change_key(strings, n),
        );
        self.order.is_done(self.diff.nodes.len())
    }

    /// The diff (complete once [`DiffBuild::step`] has returned true; before that, what is
    /// built so far, its children not all sorted).
    pub fn finish(mut self) -> TraceDiff {
        self.order
            .abandon(&mut self.diff.nodes, |n| &mut n.children);
        self.diff
    }
}
