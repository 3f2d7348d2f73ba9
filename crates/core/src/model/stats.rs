//! Span statistics of one trace or of all loaded traces: the spans grouped by service, by
//! service and operation, or by an attribute's value, with per group the span and error
//! counts, total and self time, mean, p50, p95, p99 and maximum duration.
//!
//! [`StatsBuild`] works in bounded steps so a page can open the table on a million spans in
//! short tasks. The spans are grouped and counted in store order (see [`StatsBuild`] for
//! why), then the traces are walked in tree order for self time (a span's duration minus
//! the union of its direct children's intervals clipped to it, as [`self_time_nanos`]
//! defines it): the spans open on the path from the root to the current row are a stack,
//! and each merges its children's intervals as the walk meets them. The tree keeps siblings
//! in start order, so the merge needs no sort; a span whose children come out of order (a
//! tree built some other way) has its self time computed afresh when it closes. A span with
//! a million children is a million visits, spread over as many steps as the budget asks,
//! never one long step.
//!
//! Odd data:
//! - a span whose end is unknown is counted (`count`, `errors`, `unknown_end`) but left out
//!   of every time figure, its own and, as a child, its parent's self time (it covers
//!   nothing, as on the critical path);
//! - a span without the grouping attribute, on itself or its resource, goes into one group
//!   labelled "(no <key>)";
//! - attribute values are grouped by their display text, so the integer 200 and the string
//!   "200" are one group.

#[cfg(test)]
mod tests;

use super::graph::Percentiles;
use super::{
    self_time_nanos, Interner, PackedAttr, Slice, Span, StatusCode, Store, StrId, Trace, Value,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};

/// How spans are grouped (by service unless told otherwise).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub enum GroupBy {
    /// By service name.
    #[default]
    Service,
    /// By service and operation (span name) together: `GET /cart` of two services is two
    /// groups.
    Operation,
    /// By the display text of the value of the attribute with this key: the span's own
    /// attribute, else its resource's. Spans with neither are one group, "(no <key>)".
    Attribute(String),
}

/// The figures of one group. Times are of the spans whose end is known.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SpanStats {
    /// Names the group among the groups of one [`GroupBy`]: stable (the same spans give the
    /// same key) and distinct. It is the label with `\`, `·` and a leading `(` escaped by a
    /// backslash, so a service named like another's "service · operation" cannot collide
    /// with it, nor a value "(no http.route)" with the spans that lack `http.route`; for
    /// ordinary names it is the label itself. Pass it to [`spans_in_group`].
    pub key: String,
    /// What to show: "cart", "cart · GET /cart", "200", "(no http.route)". Two groups may
    /// share a label (a service "a · b" with operation "c", and service "a" with "b · c").
    pub label: String,
    pub count: u64,
    /// Spans with an error status.
    pub errors: u64,
    /// Spans whose end is unknown: in `count` and `errors`, left out of every time figure.
    pub unknown_end: u64,
    /// Sum of the durations, ns.
    pub total_nanos: i64,
    /// Sum of the self times (duration minus the union of the children clipped to it), ns.
    pub self_nanos: i64,
    /// `total_nanos` over the spans with a known end, ns; `None` when there are none.
    pub mean_nanos: Option<i64>,
    /// Nearest-rank percentiles of the durations, ns ([`Percentiles`]).
    pub p50_nanos: Option<i64>,
    pub p95_nanos: Option<i64>,
    pub p99_nanos: Option<i64>,
    /// Longest duration, ns.
    pub max_nanos: Option<i64>,
}

impl SpanStats {
    /// Share of the spans that failed (0 for an empty group).
    pub fn error_rate(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.errors as f64 / self.count as f64
        }
    }
}

/// A column of the statistics table, to sort by.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum StatsColumn {
    Label,
    Count,
    Errors,
    Total,
    SelfTime,
    Mean,
    P50,
    P95,
    P99,
    Max,
}

/// Sorts `stats` by `column` (a missing figure below every figure), ties by key ascending,
/// so the order is the same whatever order the rows came in.
pub fn sort_stats(stats: &mut [SpanStats], column: StatsColumn, descending: bool) {
    stats.sort_by(|a, b| {
        let order = compare(a, b, column);
        let order = if descending { order.reverse() } else { order };
        order.then_with(|| a.key.cmp(&b.key))
    });
}

fn compare(a: &SpanStats, b: &SpanStats, column: StatsColumn) -> Ordering {
    match column {
        StatsColumn::Label => a.label.cmp(&b.label),
        StatsColumn::Count => a.count.cmp(&b.count),
        StatsColumn::Errors => a.errors.cmp(&b.errors),
        StatsColumn::Total => a.total_nanos.cmp(&b.total_nanos),
        StatsColumn::SelfTime => a.self_nanos.cmp(&b.self_nanos),
        StatsColumn::Mean => a.mean_nanos.cmp(&b.mean_nanos),
        StatsColumn::P50 => a.p50_nanos.cmp(&b.p50_nanos),
        StatsColumn::P95 => a.p95_nanos.cmp(&b.p95_nanos),
        StatsColumn::P99 => a.p99_nanos.cmp(&b.p99_nanos),
        StatsColumn::Max => a.max_nanos.cmp(&b.max_nanos),
    }
}

/// The statistics of `traces` in one go (see [`StatsBuild`] for them in steps), biggest
/// total time first.
pub fn span_stats<'t>(
    store: &'t Store,
    traces: impl IntoIterator<Item = &'t Trace>,
    group_by: &GroupBy,
) -> Vec<SpanStats> {
    StatsBuild::new(store, traces, group_by).finish()
}

/// The trace positions of the spans of `trace` in the group `key` (a [`SpanStats::key`]
/// of the same `group_by`), ascending; empty when no span is in it.
pub fn spans_in_group(store: &Store, trace: &Trace, group_by: &GroupBy, key: &str) -> Vec<u32> {
    let hits = members_of_group(store, &[trace], group_by, key);
    (0..trace.len().min(u32::MAX as usize) as u32)
        .filter(|&pos| {
            trace
                .spans
                .get(pos as usize)
                .is_some_and(|&i| hits.contains(i))
        })
        .collect()
}

/// The indices of the traces with a span in the group `key` (a [`SpanStats::key`] of the
/// same `group_by`), ascending.
pub fn traces_in_group(
    store: &Store,
    traces: &[Trace],
    group_by: &GroupBy,
    key: &str,
) -> Vec<usize> {
    let all: Vec<&Trace> = traces.iter().collect();
    let hits = members_of_group(store, &all, group_by, key);
    let in_group = |trace: &Trace| trace.spans.iter().any(|&i| hits.contains(i));
    (traces.iter().enumerate())
        .filter_map(|(i, trace)| in_group(trace).then_some(i))
        .collect()
}

/// The spans of `traces` in the group `key`, looked at in store order.
fn members_of_group(store: &Store, traces: &[&Trace], group_by: &GroupBy, key: &str) -> SpanSet {
    let mut matcher = Matcher::new(store, group_by, key);
    let mut hits = SpanSet::new(store.spans.len());
    for i in SpanSet::of(store, traces).iter() {
        if store.spans.get(i).is_some_and(|s| matcher.matches(s)) {
            hits.insert(i as u32);
        }
    }
    hits
}

/// [`span_stats`] a bounded number of spans at a time ([`StatsBuild::step`]); the result is
/// the same for every budget.
///
/// The spans are read in store order, the order their records and attributes lie in memory:
/// tree order jumps about (an OTLP file groups spans by resource, so a trace's rows are
/// nowhere near their spans' file order), and at a million spans each jump is a cache miss.
/// So the build numbers the rows of all the traces and marks the spans they hold; groups and
/// counts the spans in store order, copying what the walk needs of each to its row; then
/// walks the rows in tree order for self times, reading that copy front to back.
/// A span held by two of the traces counts once.
pub struct StatsBuild<'t> {
    store: &'t Store,
    traces: Vec<&'t Trace>,
    grouper: Grouper<'t>,
    /// Figures by group number.
    accs: Vec<Acc>,
    /// The number of the first row of each trace: rows of all traces are numbered in turn.
    first_row: Vec<u32>,
    /// The spans the traces hold, and the row of each (its first, if it has more).
    members: SpanSet,
    row_of: Vec<u32>,
    /// Rows of spans that have an earlier row, with that row.
    repeats: Vec<(u32, u32)>,
    /// What the walk needs of each row's span (`None`: a row whose index is not a span).
    timings: Vec<Option<Timing>>,
    phase: Phase,
    /// The spans of the current trace whose subtree the walk is in, root first.
    open: Vec<Open>,
}

/// Where a [`StatsBuild`] is.
#[derive(Copy, Clone, Debug)]
enum Phase {
    /// Marking the spans of a trace (an index into the traces) from a row on.
    Mark {
        trace: usize,
        pos: u32,
    },
    /// Grouping and counting the spans in store order, from this store index on.
    Count {
        next: usize,
    },
    /// Walking a trace from a row on, for self times.
    Walk {
        trace: usize,
        pos: u32,
    },
    /// Working out the percentiles of the groups from this one on.
    Rank {
        next: usize,
    },
    Done,
}

impl<'t> StatsBuild<'t> {
    /// A build that has looked at nothing yet (all the work is in `step`).
    pub fn new(
        store: &'t Store,
        traces: impl IntoIterator<Item = &'t Trace>,
        group_by: &GroupBy,
    ) -> Self {
        let traces: Vec<&'t Trace> = traces.into_iter().collect();
        let mut rows = 0u32;
        let first_row = (traces.iter())
            .map(|t| {
                let first = rows;
                rows = rows.saturating_add(t.len().min(u32::MAX as usize) as u32);
                first
            })
            .collect();
        StatsBuild {
            store,
            traces,
            grouper: Grouper::new(store, group_by),
            accs: Vec::new(),
            first_row,
            members: SpanSet::new(store.spans.len()),
            row_of: vec![NONE; store.spans.len()],
            repeats: Vec::new(),
            timings: vec![None; rows as usize],
            phase: Phase::Mark { trace: 0, pos: 0 },
            open: Vec::new(),
        }
    }

    /// Does about `budget` units of work (at least one): each span counts once when it is
    /// marked, once when it is grouped, once when the walk meets it and once more when its
    /// self time is settled if it has children; a group's percentiles count as many as its
    /// spans. True once everything is done.
    pub fn step(&mut self, budget: usize) -> bool {
        let mut left = budget.max(1);
        while left > 0 {
            left = match self.phase {
                Phase::Mark { trace, pos } => self.mark(trace, pos, left),
                Phase::Count { next } => self.count(next, left),
                Phase::Walk { trace, pos } => self.walk(trace, pos, left),
                Phase::Rank { next } => self.rank(next, left),
                Phase::Done => return true,
            };
        }
        matches!(self.phase, Phase::Done)
    }

    /// The statistics, biggest total time first (then by key). Steps to the end first if
    /// [`StatsBuild::step`] has not returned true yet.
    pub fn finish(mut self) -> Vec<SpanStats> {
        while !self.step(usize::MAX) {}
        let mut stats: Vec<SpanStats> = self
            .grouper
            .names
            .names
            .into_iter()
            .zip(self.accs)
            .map(|(name, acc)| acc.into_stats(name))
            .collect();
        stats.sort_by(|a, b| {
            (Reverse(a.total_nanos), &a.key).cmp(&(Reverse(b.total_nanos), &b.key))
        });
        stats
    }

    /// Marks the spans of up to `budget` rows of trace `t` from `pos` on. Returns what is
    /// left of the budget.
    fn mark(&mut self, t: usize, mut pos: u32, mut budget: usize) -> usize {
        let (Some(&trace), Some(&first_row)) = (self.traces.get(t), self.first_row.get(t)) else {
            self.phase = Phase::Count { next: 0 };
            return budget;
        };
        let len = trace_len(trace);
        while budget > 0 && pos < len {
            let row = first_row.saturating_add(pos);
            if let Some(&index) = trace.spans.get(pos as usize) {
                if self.members.insert(index) {
                    if let Some(slot) = self.row_of.get_mut(index as usize) {
                        *slot = row;
                    }
                } else if let Some(&first) = self.row_of.get(index as usize) {
                    self.repeats.push((row, first));
                }
            }
            budget -= 1;
            pos += 1;
        }
        self.phase = match pos < len {
            true => Phase::Mark { trace: t, pos },
            false => Phase::Mark {
                trace: t + 1,
                pos: 0,
            },
        };
        budget
    }

    /// Groups and counts up to `budget` spans from store index `from` on; at the end, copies
    /// each repeated span's timing to its later rows. Returns what is left of the budget.
    fn count(&mut self, from: usize, mut budget: usize) -> usize {
        let mut next = self.members.next_from(from);
        while let Some(i) = next {
            if budget == 0 {
                self.phase = Phase::Count { next: i };
                return 0;
            }
            if let Some(span) = self.store.spans.get(i) {
                let group = self.grouper.group_of(span);
                self.acc(group).add(span);
                let row = self.row_of.get(i).map_or(NONE, |&r| r);
                if let Some(slot) = self.timings.get_mut(row as usize) {
                    *slot = Some(Timing::new(span, group));
                }
            }
            budget -= 1;
            next = self.members.next_from(i + 1);
        }
        for &(row, first) in &self.repeats {
            // Counted already: it covers its parent, its own self time is not counted again.
            let timing = self.timings.get(first as usize).copied().flatten();
            if let Some(slot) = self.timings.get_mut(row as usize) {
                *slot = timing.map(|t| Timing { group: NONE, ..t });
            }
        }
        self.phase = Phase::Walk { trace: 0, pos: 0 };
        budget.saturating_sub(self.repeats.len())
    }

    /// Walks rows of trace `t` from `pos` until `budget` is spent or the trace ends (then
    /// settles its open spans and moves on to the next trace). Returns what is left of the
    /// budget.
    fn walk(&mut self, t: usize, mut pos: u32, mut budget: usize) -> usize {
        let (Some(&trace), Some(&first_row)) = (self.traces.get(t), self.first_row.get(t)) else {
            self.phase = Phase::Rank { next: 0 };
            return budget;
        };
        let len = trace_len(trace);
        while budget > 0 && pos < len {
            let row = first_row.saturating_add(pos);
            budget = budget.saturating_sub(self.visit(trace, pos, row));
            pos += 1;
        }
        if pos < len {
            self.phase = Phase::Walk { trace: t, pos };
            return budget;
        }
        while let Some(open) = self.open.pop() {
            budget = budget.saturating_sub(self.close(trace, open));
        }
        self.phase = Phase::Walk {
            trace: t + 1,
            pos: 0,
        };
        budget
    }

    /// Adds the span at trace position `pos` (row `row`) to the open span above it, after
    /// settling the open spans whose subtree ends before it; settles it at once if it has no
    /// children. Returns the work done.
    fn visit(&mut self, trace: &Trace, pos: u32, row: u32) -> usize {
        let mut work = 1;
        while self.open.last().is_some_and(|o| o.subtree_end <= pos) {
            if let Some(open) = self.open.pop() {
                work += self.close(trace, open);
            }
        }
        let Some(span) = self.timings.get(row as usize).copied().flatten() else {
            return work;
        };
        if let Some(parent) = self.open.last_mut() {
            parent.cover(&span);
        }
        let subtree_end = next_sibling(trace, pos);
        if subtree_end > pos.saturating_add(1) {
            self.open.push(Open::new(pos, subtree_end, span));
        } else if span.known {
            self.add_self(span.group, span.end.saturating_sub(span.start));
        }
        work
    }

    /// Adds the self time of a span whose subtree the walk has left. Returns the work done.
    fn close(&mut self, trace: &Trace, open: Open) -> usize {
        if !open.known || open.group == NONE {
            return 1;
        }
        let (nanos, work) = if open.in_order {
            let duration = open.end.saturating_sub(open.start);
            (duration.saturating_sub(open.covered), 1)
        } else {
            let nanos = self_time_nanos(self.store, trace, open.pos).unwrap_or(0);
            (nanos, open.children as usize + 1)
        };
        self.add_self(open.group, nanos);
        work
    }

    fn add_self(&mut self, group: u32, nanos: i64) {
        if let Some(acc) = self.accs.get_mut(group as usize) {
            acc.self_nanos = acc.self_nanos.saturating_add(nanos);
        }
    }

    /// The figures of group `group`, made as groups appear.
    fn acc(&mut self, group: u32) -> &mut Acc {
        let i = group as usize;
        if i >= self.accs.len() {
            self.accs.resize_with(i + 1, Acc::default);
        }
        &mut self.accs[i]
    }

    /// Works out the percentiles of group `next`. Returns what is left of the budget.
    fn rank(&mut self, next: usize, budget: usize) -> usize {
        let Some(acc) = self.accs.get_mut(next) else {
            self.phase = Phase::Done;
            return budget;
        };
        let mut durations = std::mem::take(&mut acc.durations);
        acc.percentiles = nearest_ranks(&mut durations);
        self.phase = Phase::Rank { next: next + 1 };
        budget.saturating_sub(durations.len().max(1))
    }
}

/// The nearest-rank p50, p95 and p99 of `values` (reordered), as [`Percentiles::of`] gives
/// them, without sorting: each rank is selected in linear time, the highest first, so each
/// later one is selected among the values at or below the one before.
fn nearest_ranks(values: &mut [i64]) -> Percentiles {
    let n = values.len();
    let mut out = [None; 3];
    let mut below = n;
    for (slot, p) in [(2, 99u64), (1, 95), (0, 50)] {
        // 1-based rank ⌈p·n/100⌉ (at least 1), as `nearest_rank` takes it.
        let rank = (p * n as u64).div_ceil(100).max(1) as usize;
        let Some(part) = values.get_mut(..below.min(n)) else {
            break;
        };
        if rank > part.len() {
            break;
        }
        let (_, value, _) = part.select_nth_unstable(rank - 1);
        out[slot] = Some(*value);
        below = rank;
    }
    Percentiles {
        count: n as u64,
        p50: out[0],
        p95: out[1],
        p99: out[2],
    }
}

/// A set of store span indices, as bits: which spans some traces hold, so they can be read
/// in store order.
struct SpanSet {
    words: Vec<u64>,
    /// Indices are below this.
    len: usize,
}

impl SpanSet {
    fn new(len: usize) -> Self {
        SpanSet {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// The spans `traces` hold (indices past the store's end left out).
    fn of(store: &Store, traces: &[&Trace]) -> Self {
        let mut set = SpanSet::new(store.spans.len());
        for trace in traces {
            for &i in &trace.spans {
                set.insert(i);
            }
        }
        set
    }

    /// Adds `i`; false when it was in already or is out of range.
    fn insert(&mut self, i: u32) -> bool {
        let i = i as usize;
        let Some(word) = self.words.get_mut(i / 64).filter(|_| i < self.len) else {
            return false;
        };
        let bit = 1u64 << (i % 64);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }

    fn contains(&self, i: u32) -> bool {
        let i = i as usize;
        self.words
            .get(i / 64)
            .is_some_and(|word| word & (1u64 << (i % 64)) != 0)
    }

    /// The first member at or after `from`.
    fn next_from(&self, from: usize) -> Option<usize> {
        let mut w = from / 64;
        let mut bits = self.words.get(w)? & (!0u64 << (from % 64));
        while bits == 0 {
            w += 1;
            bits = *self.words.get(w)?;
        }
        Some(w * 64 + bits.trailing_zeros() as usize)
    }

    /// The members, ascending.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.next_from(0);
        std::iter::from_fn(move || {
            let i = next?;
            next = self.next_from(i + 1);
            Some(i)
        })
    }
}

/// One group's figures while they are counted.
#[derive(Default)]
struct Acc {
    count: u64,
    errors: u64,
    unknown_end: u64,
    total_nanos: i64,
    self_nanos: i64,
    max_nanos: Option<i64>,
    /// Known durations, until the percentiles are worked out.
    durations: Vec<i64>,
    percentiles: Percentiles,
}

impl Acc {
    fn add(&mut self, span: &Span) {
        self.count += 1;
        self.errors += u64::from(span.status == StatusCode::Error);
        if span.end_unknown() {
            self.unknown_end += 1;
            return;
        }
        let nanos = span.duration_nanos.max(0);
        self.total_nanos = self.total_nanos.saturating_add(nanos);
        self.max_nanos = self.max_nanos.max(Some(nanos));
        self.durations.push(nanos);
    }

    fn into_stats(self, name: GroupName) -> SpanStats {
        let timed = self.count.saturating_sub(self.unknown_end);
        SpanStats {
            key: name.key,
            label: name.label,
            count: self.count,
            errors: self.errors,
            unknown_end: self.unknown_end,
            total_nanos: self.total_nanos,
            self_nanos: self.self_nanos,
            mean_nanos: (timed > 0).then(|| self.total_nanos / timed as i64),
            p50_nanos: self.percentiles.p50,
            p95_nanos: self.percentiles.p95,
            p99_nanos: self.percentiles.p99,
            max_nanos: self.max_nanos,
        }
    }
}

/// What the walk needs of a row's span.
#[derive(Copy, Clone, Debug)]
struct Timing {
    /// ns since the epoch; an unknown end is the start.
    start: i64,
    end: i64,
    /// `NONE` for a span whose self time is counted at an earlier row.
    group: u32,
    known: bool,
}

impl Timing {
    fn new(span: &Span, group: u32) -> Self {
        Timing {
            start: span.start_unix_nanos,
            end: span.end_unix_nanos(),
            group,
            known: !span.end_unknown(),
        }
    }
}

/// A span whose subtree the walk is in: its children's intervals merged so far.
struct Open {
    pos: u32,
    /// One past its subtree's last row.
    subtree_end: u32,
    group: u32,
    /// Its interval, ns since the epoch (an unknown end taken as the start, so that its
    /// children cover nothing of it).
    start: i64,
    end: i64,
    known: bool,
    /// Time covered by the children met so far, and the latest end among them, ns: in
    /// start order, each child adds what it covers past that end.
    covered: i64,
    reach: i64,
    /// Start of the last child met, and whether each started no earlier than the one before.
    last_start: i64,
    in_order: bool,
    children: u32,
}

impl Open {
    fn new(pos: u32, subtree_end: u32, span: Timing) -> Self {
        Open {
            pos,
            subtree_end,
            group: span.group,
            start: span.start,
            end: span.end,
            known: span.known,
            covered: 0,
            reach: i64::MIN,
            last_start: i64::MIN,
            in_order: true,
            children: 0,
        }
    }

    /// Merges a child's interval, clipped to this span's.
    fn cover(&mut self, child: &Timing) {
        let start = child.start;
        self.in_order &= start >= self.last_start;
        self.last_start = start;
        self.children = self.children.saturating_add(1);
        let from = start.max(self.start).max(self.reach);
        let to = child.end.min(self.end);
        if to > from {
            self.covered = self.covered.saturating_add(to - from);
            self.reach = to;
        }
    }
}

/// No group yet (in the grouper's caches).
const NONE: u32 = u32::MAX;

/// Between the parts of a service + operation label.
const SEPARATOR: &str = " · ";

/// A group's key and label ([`SpanStats::key`], [`SpanStats::label`]).
struct GroupName {
    key: String,
    label: String,
}

/// The groups met so far, numbered in the order they were met.
#[derive(Default)]
struct GroupNames {
    by_key: FxHashMap<String, u32>,
    names: Vec<GroupName>,
}

impl GroupNames {
    /// The group of a label made of `parts` (a service, or a service and an operation, or a
    /// value's text).
    fn of(&mut self, parts: &[&str]) -> u32 {
        let key: Vec<Cow<str>> = parts.iter().map(|p| escape(p)).collect();
        self.insert(key.join(SEPARATOR), || parts.join(SEPARATOR))
    }

    /// The group of `key`, made with `label` if it is new.
    fn insert(&mut self, key: String, label: impl FnOnce() -> String) -> u32 {
        if let Some(&group) = self.by_key.get(&key) {
            return group;
        }
        let group = self.names.len() as u32;
        let label = label();
        self.by_key.insert(key.clone(), group);
        self.names.push(GroupName { key, label });
        group
    }
}

/// A part of a group key: `\`, `·` and a leading `(` escaped by a backslash, so that no
/// joined key reads as another and none starts like the "(no …)" group's.
fn escape(part: &str) -> Cow<'_, str> {
    if !part.starts_with('(') && !part.contains(['\\', '·']) {
        return Cow::Borrowed(part);
    }
    let mut out = String::with_capacity(part.len() + 2);
    for (i, c) in part.chars().enumerate() {
        if c == '\\' || c == '·' || (i == 0 && c == '(') {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Puts spans into groups. Each span costs a lookup in a table indexed by interned string
/// (or a hash of two ids for operations): only a new name or value costs text work.
struct Grouper<'s> {
    store: &'s Store,
    rule: Rule,
    names: GroupNames,
}

enum Rule {
    /// The group of each service name id (`NONE`: not met yet).
    Service(Vec<u32>),
    /// The group of each (service, operation) pair of ids.
    Operation(FxHashMap<(StrId, StrId), u32>),
    Attribute(AttrRule),
}

struct AttrRule {
    /// The key's id; `None` when the store has no such string, so no span has the attribute.
    key: Option<StrId>,
    /// The "(no <key>)" label, and its group once met.
    missing_label: String,
    missing: u32,
    /// Groups of string-like values by string id, and of other values by type and bits.
    by_text: Vec<u32>,
    by_scalar: FxHashMap<(u8, u64), u32>,
    /// The group a resource's attribute gives a span without the attribute of its own.
    by_resource: Vec<u32>,
}

impl<'s> Grouper<'s> {
    fn new(store: &'s Store, group_by: &GroupBy) -> Self {
        let strings = store.strings.len();
        let rule = match group_by {
            GroupBy::Service => Rule::Service(vec![NONE; strings]),
            GroupBy::Operation => Rule::Operation(FxHashMap::default()),
            GroupBy::Attribute(key) => Rule::Attribute(AttrRule {
                key: store.strings.lookup(key),
                missing_label: format!("(no {key})"),
                missing: NONE,
                by_text: vec![NONE; strings],
                by_scalar: FxHashMap::default(),
                by_resource: vec![NONE; store.resources.len()],
            }),
        };
        Grouper {
            store,
            rule,
            names: GroupNames::default(),
        }
    }

    /// The group of `span`.
    fn group_of(&mut self, span: &Span) -> u32 {
        let store = self.store;
        let strings = &store.strings;
        let names = &mut self.names;
        match &mut self.rule {
            Rule::Service(by_id) => cached(by_id, span.service.0, || {
                names.of(&[strings.get(span.service)])
            }),
            Rule::Operation(by_pair) => *by_pair
                .entry((span.service, span.name))
                .or_insert_with(|| names.of(&[strings.get(span.service), strings.get(span.name)])),
            Rule::Attribute(rule) => rule.group_of(store, names, span),
        }
    }
}

impl AttrRule {
    /// The group of the span's own attribute, else of its resource's, else "(no <key>)".
    fn group_of(&mut self, store: &Store, names: &mut GroupNames, span: &Span) -> u32 {
        let AttrRule {
            key,
            missing_label,
            missing,
            by_text,
            by_scalar,
            by_resource,
        } = self;
        let Some(key) = *key else {
            return missing_group(missing, missing_label, names);
        };
        if let Some(attr) = find_attr(store, span.attrs, key) {
            return value_group(by_text, by_scalar, names, store, attr);
        }
        cached(by_resource, span.resource, || {
            let resource = store.resources.get(span.resource as usize);
            match resource.and_then(|r| find_attr(store, r.attrs, key)) {
                Some(attr) => value_group(by_text, by_scalar, names, store, attr),
                None => missing_group(missing, missing_label, names),
            }
        })
    }
}

/// The "(no <key>)" group, made the first time.
fn missing_group(missing: &mut u32, label: &str, names: &mut GroupNames) -> u32 {
    if *missing == NONE {
        *missing = names.insert(label.to_string(), || label.to_string());
    }
    *missing
}

/// The group of an attribute's value, by its display text.
fn value_group(
    by_text: &mut [u32],
    by_scalar: &mut FxHashMap<(u8, u64), u32>,
    names: &mut GroupNames,
    store: &Store,
    attr: PackedAttr,
) -> u32 {
    let strings: &Interner = &store.strings;
    if let Some(id) = attr.text_value() {
        return cached(by_text, id.0, || names.of(&[strings.get(id)]));
    }
    let value = attr.unpack().value;
    let bits = match value {
        Value::Int(i) => (1, i as u64),
        Value::Float(f) => (2, f.to_bits()),
        Value::Bool(b) => (3, u64::from(b)),
        Value::Str(_) | Value::Bytes(_) | Value::Json(_) => {
            return names.of(&[&value.display(strings)]);
        }
    };
    *by_scalar
        .entry(bits)
        .or_insert_with(|| names.of(&[&value.display(strings)]))
}

/// `table[id]`, worked out by `make` the first time (an id past the table is not cached).
fn cached(table: &mut [u32], id: u32, make: impl FnOnce() -> u32) -> u32 {
    match table.get_mut(id as usize) {
        Some(slot) if *slot != NONE => *slot,
        Some(slot) => {
            *slot = make();
            *slot
        }
        None => make(),
    }
}

/// The first attribute of `slice` with key `key`.
fn find_attr(store: &Store, slice: Slice, key: StrId) -> Option<PackedAttr> {
    let attrs = store.attrs.get(slice.range())?;
    attrs.iter().find(|a| a.key() == key).copied()
}

/// Whether spans are in one group, its number found as groups appear.
struct Matcher<'s, 'k> {
    grouper: Grouper<'s>,
    key: &'k str,
    /// By group number: whether it is the group sought.
    hits: Vec<bool>,
}

impl<'s, 'k> Matcher<'s, 'k> {
    fn new(store: &'s Store, group_by: &GroupBy, key: &'k str) -> Self {
        Matcher {
            grouper: Grouper::new(store, group_by),
            key,
            hits: Vec::new(),
        }
    }

    fn matches(&mut self, span: &Span) -> bool {
        let group = self.grouper.group_of(span) as usize;
        while self.hits.len() <= group {
            let name = self.grouper.names.names.get(self.hits.len());
            self.hits.push(name.is_some_and(|n| n.key == self.key));
        }
        self.hits.get(group).copied().unwrap_or(false)
    }
}

/// Number of rows of `trace`, as a position.
fn trace_len(trace: &Trace) -> u32 {
    trace.len().min(u32::MAX as usize) as u32
}

/// One past the last row of `pos`'s subtree, always past `pos` (even in a malformed tree).
fn next_sibling(trace: &Trace, pos: u32) -> u32 {
    let end = trace.subtree_end.get(pos as usize).copied();
    end.unwrap_or(u32::MAX).max(pos.saturating_add(1))
}
