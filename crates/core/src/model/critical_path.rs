//! The critical path of a trace (the chain of work that set its end-to-end latency) and a
//! span's self time (its duration not covered by its children).
//!
//! The critical path follows Jaeger UI's algorithm, made iterative (a trace may be a
//! million-deep parent chain): walking span `S` backwards from a time limit `L` (at first
//! `S`'s end), the blocking child that finishes last at or before `L` is the one `S` was
//! waiting for; `S`'s own work fills the time from that child's end to `L`, the walk descends
//! into the child, then carries on in `S` from the child's start. Once no child is left,
//! `S`'s work fills `[S.start, L]`. Starting from the root that ends last, the segments tile
//! that root's interval exactly once.
//!
//! Odd data never breaks the walk:
//! - children are clipped to their parent's (already clipped) interval, so a child that
//!   overflows its parent (clock skew, asynchronous work) counts only inside it, and a child
//!   starting at or after its parent's end counts not at all;
//! - a span with an unknown end counts as zero-length (its end is its start);
//! - a consumer child of a producer is not waited for (the producer hands the message over
//!   and goes on); the model keeps no Jaeger/Zipkin FOLLOWS_FROM type for parent references
//!   (the importer makes a FOLLOWS_FROM the parent only when there is no CHILD_OF, without
//!   marking it), so producer → consumer is the only non-blocking relation known here.

#[cfg(test)]
mod tests;

use super::{Span, SpanKind, Store, Trace};
use std::cmp::Reverse;

/// One stretch of time during which a span's own work is on the critical path.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Segment {
    /// Trace position (row) of the span.
    pub pos: u32,
    /// ns since the Unix epoch; `start_nanos < end_nanos`.
    pub start_nanos: i64,
    /// ns since the Unix epoch, the end of the stretch (not in it).
    pub end_nanos: i64,
}

impl Segment {
    /// Length, ns.
    pub fn nanos(&self) -> i64 {
        self.end_nanos.saturating_sub(self.start_nanos)
    }
}

/// The critical path of one trace.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CriticalPath {
    /// Sorted by `(pos, start_nanos)`; no two overlap in time, and together they cover the
    /// chosen root's interval exactly (empty for a trace whose roots all have zero length).
    pub segments: Vec<Segment>,
}

impl CriticalPath {
    /// The segments of the span at trace position `pos`, earliest first.
    pub fn segments_of(&self, pos: u32) -> &[Segment] {
        let from = self.segments.partition_point(|s| s.pos < pos);
        let to = self.segments.partition_point(|s| s.pos <= pos);
        &self.segments[from..to]
    }

    /// Total length of the path (the chosen root's duration), ns.
    pub fn total_nanos(&self) -> i64 {
        self.segments
            .iter()
            .fold(0i64, |sum, s| sum.saturating_add(s.nanos()))
    }
}

/// The critical path of `trace` in one go (see [`CriticalPathBuild`] for it in steps).
pub fn critical_path(store: &Store, trace: &Trace) -> CriticalPath {
    let mut build = CriticalPathBuild::new(store, trace);
    while !build.step(usize::MAX) {}
    build.finish()
}

/// A child as the walk sees it: its interval clipped to its parent's.
#[derive(Copy, Clone, Debug)]
struct Child {
    start: i64,
    end: i64,
    pos: u32,
}

/// A span being walked: where its path has got to, and where its children begin in
/// [`CriticalPathBuild::children`].
#[derive(Copy, Clone, Debug)]
struct Frame {
    pos: u32,
    /// Its clipped start.
    start: i64,
    /// The time limit `L`: its part of the path before this is still to be found.
    limit: i64,
    /// Its blocking children not yet taken or skipped are `children[base..]` whenever it is
    /// the top frame.
    base: usize,
}

/// Where the build is.
#[derive(Copy, Clone, Debug)]
enum Phase {
    /// Looking through the roots for the one that ends last: the next root's position and
    /// the best so far.
    FindRoot { next: u32, best: Option<Child> },
    /// Walking from the chosen root.
    Walk,
}

/// [`critical_path`] a bounded number of spans at a time ([`CriticalPathBuild::step`]), so a
/// page can find the path of a million-span trace in short tasks; the result is the same for
/// every budget.
///
/// All state lives in flat vectors (a frame per span on the current chain, and one stack of
/// sorted children shared by the frames), so no walk recurses and a step can stop anywhere.
pub struct CriticalPathBuild<'t> {
    store: &'t Store,
    trace: &'t Trace,
    phase: Phase,
    frames: Vec<Frame>,
    /// The frames' children, each frame's run sorted by clipped end (then latest start, then
    /// position, so the pick among equal ends is the earliest-starting, then the first row):
    /// the walk takes them from the back as its limit moves back.
    children: Vec<Child>,
    segments: Vec<Segment>,
}

impl<'t> CriticalPathBuild<'t> {
    /// A build that has looked at nothing yet (all the work is in `step`).
    pub fn new(store: &'t Store, trace: &'t Trace) -> Self {
        CriticalPathBuild {
            store,
            trace,
            phase: Phase::FindRoot {
                next: 0,
                best: None,
            },
            frames: Vec::new(),
            children: Vec::new(),
            segments: Vec::new(),
        }
    }

    /// Looks at up to about `budget` spans (at least one; a span's children are all read
    /// when the walk enters it); true once the path is complete.
    pub fn step(&mut self, budget: usize) -> bool {
        let mut left = budget.max(1);
        while left > 0 {
            left = match self.phase {
                Phase::FindRoot { .. } => self.find_root(left),
                Phase::Walk if self.frames.is_empty() => return true,
                Phase::Walk => left.saturating_sub(self.advance()),
            };
        }
        matches!(self.phase, Phase::Walk) && self.frames.is_empty()
    }

    /// The path (complete once [`CriticalPathBuild::step`] has returned true; before that,
    /// the part found so far).
    pub fn finish(mut self) -> CriticalPath {
        self.segments
            .sort_unstable_by_key(|s| (s.pos, s.start_nanos));
        CriticalPath {
            segments: self.segments,
        }
    }

    /// Looks at up to `budget` roots (they are the rows `0`, `subtree_end[0]`, …); once past
    /// the last, enters the one that ends last (the first of equals). Returns what is left
    /// of the budget.
    fn find_root(&mut self, mut budget: usize) -> usize {
        let Phase::FindRoot { mut next, mut best } = self.phase else {
            return budget;
        };
        let len = self.trace.len().min(u32::MAX as usize) as u32;
        while budget > 0 && next < len {
            if let Some(span) = span_at(self.store, self.trace, next) {
                let end = span.end_unix_nanos();
                if best.is_none_or(|b| end > b.end) {
                    let (start, pos) = (span.start_unix_nanos, next);
                    best = Some(Child { start, end, pos });
                }
            }
            next = next_sibling(self.trace, next);
            budget -= 1;
        }
        if next < len {
            self.phase = Phase::FindRoot { next, best };
            return budget;
        }
        self.phase = Phase::Walk;
        match best {
            Some(root) if root.start < root.end => budget.saturating_sub(self.enter(root)),
            _ => budget,
        }
    }

    /// One move of the walk in the top frame: take its next child (recording the frame's own
    /// work after that child, then entering it), or, with none left, record the rest of the
    /// frame's work and leave it. Returns the number of spans looked at.
    fn advance(&mut self) -> usize {
        let Some(frame) = self.frames.last_mut() else {
            return 1;
        };
        // Children ending after the limit overlap a sibling already on the path: skipped.
        let mut next = None;
        while self.children.len() > frame.base {
            match self.children.pop() {
                Some(c) if c.end <= frame.limit => {
                    next = Some(c);
                    break;
                }
                _ => {}
            }
        }
        let (pos, limit) = (frame.pos, frame.limit);
        match next {
            Some(child) => {
                frame.limit = child.start;
                push_segment(&mut self.segments, pos, child.end, limit);
                self.enter(child)
            }
            None => {
                let start = frame.start;
                self.frames.pop();
                push_segment(&mut self.segments, pos, start, limit);
                1
            }
        }
    }

    /// Pushes a frame for `span` (its interval already clipped) with its blocking children
    /// clipped to that interval and sorted. Returns the number of spans looked at.
    fn enter(&mut self, span: Child) -> usize {
        let base = self.children.len();
        let kind = span_at(self.store, self.trace, span.pos).map(|s| s.kind);
        let mut looked_at = 1;
        for pos in children_of(self.trace, span.pos) {
            looked_at += 1;
            let Some(child) = span_at(self.store, self.trace, pos) else {
                continue;
            };
            if kind == Some(SpanKind::Producer) && child.kind == SpanKind::Consumer {
                continue;
            }
            if let Some((start, end)) = clipped(child, span.start, span.end) {
                self.children.push(Child { start, end, pos });
            }
        }
        if let Some(run) = self.children.get_mut(base..) {
            run.sort_unstable_by_key(|c| (c.end, Reverse(c.start), Reverse(c.pos)));
        }
        self.frames.push(Frame {
            pos: span.pos,
            start: span.start,
            limit: span.end,
            base,
        });
        looked_at
    }
}

/// Records `[start, end)` of row `pos` as on the path, unless it is empty.
fn push_segment(segments: &mut Vec<Segment>, pos: u32, start_nanos: i64, end_nanos: i64) {
    if start_nanos < end_nanos {
        segments.push(Segment {
            pos,
            start_nanos,
            end_nanos,
        });
    }
}

/// The self time of the span at trace position `pos`: its duration minus the union of its
/// direct children's intervals clipped to it (overlapping children count once), ns. `None`
/// when the span's end is unknown or `pos` is not a row. O(c log c) for `c` children.
pub fn self_time_nanos(store: &Store, trace: &Trace, pos: u32) -> Option<i64> {
    let span = span_at(store, trace, pos)?;
    if span.end_unknown() {
        return None;
    }
    let (start, end) = (span.start_unix_nanos, span.end_unix_nanos());
    let mut intervals: Vec<(i64, i64)> = children_of(trace, pos)
        .filter_map(|c| clipped(span_at(store, trace, c)?, start, end))
        .collect();
    intervals.sort_unstable();
    let mut covered = 0i64;
    // The end of the covered time so far: intervals are merged as they come, by start.
    let mut reach = i64::MIN;
    for (s, e) in intervals {
        let from = s.max(reach);
        if e > from {
            covered = covered.saturating_add(e - from);
            reach = e;
        }
    }
    Some(end.saturating_sub(start).saturating_sub(covered))
}

/// The span at trace position `pos`, if both the row and its store index exist.
fn span_at<'s>(store: &'s Store, trace: &Trace, pos: u32) -> Option<&'s Span> {
    let index = *trace.spans.get(pos as usize)?;
    store.spans.get(index as usize)
}

/// `span`'s interval clipped to `[lo, hi]`, with an unknown end taken as its start; `None`
/// when nothing of it is left.
fn clipped(span: &Span, lo: i64, hi: i64) -> Option<(i64, i64)> {
    let start = span.start_unix_nanos.max(lo);
    let end = span.end_unix_nanos().min(hi);
    (start < end).then_some((start, end))
}

/// The row after `pos`'s subtree, always past `pos` (even in a malformed tree).
fn next_sibling(trace: &Trace, pos: u32) -> u32 {
    let end = trace.subtree_end.get(pos as usize).copied();
    end.unwrap_or(u32::MAX).max(pos.saturating_add(1))
}

/// The direct children of row `pos`, in row order: in pre-order, the first child is the next
/// row and each next child follows its elder sibling's subtree.
fn children_of(trace: &Trace, pos: u32) -> impl Iterator<Item = u32> + '_ {
    let len = trace.len().min(u32::MAX as usize) as u32;
    let end = trace
        .subtree_end
        .get(pos as usize)
        .map_or(0, |e| (*e).min(len));
    let mut next = pos.saturating_add(1);
    std::iter::from_fn(move || {
        let child = next;
        (child < end).then(|| {
            next = next_sibling(trace, child);
            child
        })
    })
}
