//! What the comparison page shows of a [`TraceDiff`]: which trace to compare the selected
//! one with, each node's status, the rows of the diff tree (folded subtrees left out), the
//! and the colour scale of the diff flame graph.

use super::{DiffNode, TraceDiff};
use crate::model::{StrId, Trace};
use std::collections::BTreeSet;

/// The trace to compare trace `a` with by default: of the other traces with the same first
/// root (service and operation), the one whose duration differs most from `a`'s (the
/// lowest index on a tie); without one, the first other trace. `None` when `a` is not a
/// trace or it is the only one.
pub fn compare_partner(traces: &[Trace], a: usize) -> Option<usize> {
    let base = traces.get(a)?;
    let others = || (0..traces.len()).filter(move |&i| i != a);
    let same_root = |i: &usize| {
        let t = &traces[*i];
        (t.root_service, t.root_name) == (base.root_service, base.root_name)
    };
    let gap = |i: usize| {
        let d = traces[i]
            .duration_nanos()
            .saturating_sub(base.duration_nanos());
        (d.unsigned_abs(), std::cmp::Reverse(i))
    };
    others()
        .filter(same_root)
        .max_by_key(|&i| gap(i))
        .or_else(|| others().next())
}

/// How a node of a diff differs between the two traces.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum DiffStatus {
    /// Only the other trace has it.
    Added,
    /// Only the baseline has it.
    Removed,
    /// Both have it, with different total durations.
    Changed,
    /// Both have it, with the same total duration.
    Same,
}

impl DiffStatus {
    /// Its name in the page (`data-status`).
    pub fn name(self) -> &'static str {
        match self {
            DiffStatus::Added => "added",
            DiffStatus::Removed => "removed",
            DiffStatus::Changed => "changed",
            DiffStatus::Same => "same",
        }
    }
}

impl DiffNode {
    /// Added, removed, changed or the same (a node neither side has, which no diff holds,
    /// reads as the same).
    pub fn status(&self) -> DiffStatus {
        match (self.a, self.b) {
            (None, Some(_)) => DiffStatus::Added,
            (Some(_), None) => DiffStatus::Removed,
            _ if self.change_nanos() != 0 => DiffStatus::Changed,
            _ => DiffStatus::Same,
        }
    }
}

/// How many nodes of a diff have each status.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct DiffCounts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub same: usize,
}

/// One row of the diff tree.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct DiffRow {
    pub node: u32,
    /// Tree depth; the root is 0.
    pub depth: u32,
}

impl TraceDiff {
    /// The nodes of each status (the synthetic root, which stands for no span, left out).
    pub fn counts(&self) -> DiffCounts {
        let mut counts = DiffCounts::default();
        let skip = usize::from(self.synthetic_root);
        for n in self.nodes.iter().skip(skip) {
            match n.status() {
                DiffStatus::Added => counts.added += 1,
                DiffStatus::Removed => counts.removed += 1,
                DiffStatus::Changed => counts.changed += 1,
                DiffStatus::Same => counts.same += 1,
            }
        }
        counts
    }

    /// The rows of the diff tree: every node in pre-order (children in the diff's order,
    /// biggest change first), except those under a node of `folded`. Iterative, so a
    /// million-deep chain is fine; a node reached twice (only a malformed diff has one) is
    /// shown once.
    pub fn rows(&self, folded: &BTreeSet<u32>) -> Vec<DiffRow> {
        let mut rows = Vec::new();
        if self.nodes.is_empty() {
            return rows;
        }
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![DiffRow { node: 0, depth: 0 }];
        while let Some(row) = stack.pop() {
            match seen.get_mut(row.node as usize) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            rows.push(row);
            if folded.contains(&row.node) {
                continue;
            }
            let children = self
                .nodes
                .get(row.node as usize)
                .map_or(&[][..], |n| &n.children);
            let depth = row.depth + 1;
            stack.extend(children.iter().rev().map(|&node| DiffRow { node, depth }));
        }
        rows
    }

    /// The frames of `node` and its ancestors, root first, as `(service, name)`; the
    /// synthetic root left out.
    pub fn frames_to(&self, node: u32) -> Vec<(StrId, StrId)> {
        let path = crate::model::flame::path_to(&self.union_flame(), node);
        let skip = usize::from(self.synthetic_root);
        path.iter()
            .skip(skip)
            .filter_map(|&n| self.nodes.get(n as usize))
            .map(|n| (n.service, n.name))
            .collect()
    }
}

/// The neutral colour of the diff flame graph (no change), and its ends: slower, faster.
const NEUTRAL_RGB: [u8; 3] = [0xe5, 0xe7, 0xeb];
const SLOWER_RGB: [u8; 3] = [0xef, 0x44, 0x44];
const FASTER_RGB: [u8; 3] = [0x3b, 0x82, 0xf6];

/// The fill of a node of [`DiffNode::heat`] `heat` in the diff flame graph, `#rrggbb`: grey
/// at 0, redder up to 1 (slower; added), bluer down to -1 (faster), linearly. Light enough
/// at both ends for the dark labels the flame graph writes on frames, in either scheme. A
/// heat outside -1..1 is clamped, one that is not a number reads as 0.
pub fn heat_colour(heat: f64) -> String {
    let heat = if heat.is_nan() {
        0.0
    } else {
        heat.clamp(-1.0, 1.0)
    };
    let end = if heat >= 0.0 { SLOWER_RGB } else { FASTER_RGB };
    let t = heat.abs();
    let mix = |k: usize| {
        let (from, to) = (f64::from(NEUTRAL_RGB[k]), f64::from(end[k]));
        (from + (to - from) * t).round() as u8
    };
    format!("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2))
}
