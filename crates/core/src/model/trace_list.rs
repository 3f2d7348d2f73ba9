//! The list of loaded traces as the user asks for it: filtered by root service and
//! operation, errors and duration, and sorted by a column (each way).

use super::{Store, Trace};
use std::cmp::Ordering;

/// A column of the trace list to sort by.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum TraceColumn {
    /// Root service, then operation.
    Root,
    #[default]
    Start,
    Duration,
    Spans,
    Errors,
    Services,
}

/// A sort: a column, and which way.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct TraceSort {
    pub column: TraceColumn,
    pub descending: bool,
}

impl TraceSort {
    /// The sort after a click on `column`'s header: the same column the other way; a new
    /// one biggest first for numbers and times, A to Z for names, oldest first for start.
    pub fn clicked(self, column: TraceColumn) -> TraceSort {
        if column == self.column {
            return TraceSort {
                descending: !self.descending,
                ..self
            };
        }
        let descending = !matches!(column, TraceColumn::Root | TraceColumn::Start);
        TraceSort { column, descending }
    }
}

/// What the list keeps (everything, by default).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct TraceQuery {
    /// The root span's service and operation, exactly.
    pub root_service: Option<String>,
    pub operation: Option<String>,
    /// Only traces with an error span.
    pub errors_only: bool,
    /// Bounds on the trace's duration, ns (inclusive).
    pub min_nanos: Option<i64>,
    pub max_nanos: Option<i64>,
    /// Bounds on the trace's start, ns since the epoch (inclusive): a brush on the latency
    /// scatter.
    pub start_min_nanos: Option<i64>,
    pub start_max_nanos: Option<i64>,
    /// Only traces with a span matching this span query (the waterfall's language). Not
    /// tested by [`list_traces`]: [`TracesMatching`] finds those traces in steps.
    pub spans: Option<String>,
}

impl TraceQuery {
    pub fn is_empty(&self) -> bool {
        *self == TraceQuery::default()
    }

    /// The query without its start and duration bounds: what the latency charts show (they
    /// draw those bounds as a brush over the rest).
    pub fn without_ranges(&self) -> TraceQuery {
        TraceQuery {
            min_nanos: None,
            max_nanos: None,
            start_min_nanos: None,
            start_max_nanos: None,
            ..self.clone()
        }
    }

    fn keeps(&self, store: &Store, trace: &Trace) -> bool {
        let d = trace.duration_nanos();
        let start = trace.start_unix_nanos;
        let text = |id| store.strings.get(id);
        self.root_service
            .as_deref()
            .is_none_or(|s| text(trace.root_service) == s)
            && self
                .operation
                .as_deref()
                .is_none_or(|o| text(trace.root_name) == o)
            && (!self.errors_only || trace.error_count > 0)
            && self.min_nanos.is_none_or(|m| d >= m)
            && self.max_nanos.is_none_or(|m| d <= m)
            && self.start_min_nanos.is_none_or(|m| start >= m)
            && self.start_max_nanos.is_none_or(|m| start <= m)
    }
}

/// The traces with a span matching a span query, found a bounded number of spans at a time
/// (a million spans are not tested in one task). The query is worked out once for the
/// store; each trace is tested up to its first match.
pub struct TracesMatching {
    search: Option<crate::model::TraceSearch>,
    /// The trace being tested, and the position in it.
    next: usize,
    pos: usize,
    found: Vec<usize>,
}

impl TracesMatching {
    pub fn new(store: &Store, traces: &[Trace], query: &str) -> Self {
        let search = traces
            .first()
            .map(|first| crate::model::TraceSearch::new(store, first, query));
        TracesMatching {
            search,
            next: 0,
            pos: 0,
            found: Vec::new(),
        }
    }

    /// Why the query could not be read, when it could not.
    pub fn error(&self) -> Option<String> {
        self.search.as_ref()?.error().map(|e| e.to_string())
    }

    /// Tests up to `budget` more spans (at least one); true once every trace is decided.
    pub fn step(&mut self, store: &Store, traces: &[Trace], budget: usize) -> bool {
        let Some(search) = self.search.as_ref().filter(|s| !s.is_hopeless()) else {
            return true;
        };
        let mut left = budget.max(1);
        while let Some(trace) = traces.get(self.next) {
            if left == 0 {
                return false;
            }
            let end = trace.len().min(self.pos.saturating_add(left));
            let hit = trace.spans[self.pos..end].iter().any(|&s| {
                store
                    .spans
                    .get(s as usize)
                    .is_some_and(|s| search.matches_span(store, s))
            });
            left -= end - self.pos;
            self.pos = end;
            if hit || self.pos >= trace.len() {
                if hit {
                    self.found.push(self.next);
                }
                self.next += 1;
                self.pos = 0;
            }
        }
        true
    }

    /// Indices of the traces with a matching span, ascending.
    pub fn finish(self) -> Vec<usize> {
        self.found
    }
}

/// Indices of the traces `query` keeps among `among` (all of them when `None`), in
/// `sort`'s order (ties by start, then index: stable across calls).
pub fn list_traces(
    store: &Store,
    traces: &[Trace],
    among: Option<&[usize]>,
    query: &TraceQuery,
    sort: TraceSort,
) -> Vec<usize> {
    let all: Vec<usize>;
    let among = match among {
        Some(a) => a,
        None => {
            all = (0..traces.len()).collect();
            &all
        }
    };
    let mut kept = filter_traces(store, traces, among, query);
    kept.sort_by(|&a, &b| {
        let (ta, tb) = (&traces[a], &traces[b]);
        let o = compare(store, ta, tb, sort.column);
        let o = if sort.descending { o.reverse() } else { o };
        o.then(ta.start_unix_nanos.cmp(&tb.start_unix_nanos))
            .then(a.cmp(&b))
    });
    kept
}

/// Indices of the traces `query` keeps among `among`, in `among`'s order (no sort: the
/// charts need no order).
pub fn filter_traces(
    store: &Store,
    traces: &[Trace],
    among: &[usize],
    query: &TraceQuery,
) -> Vec<usize> {
    among
        .iter()
        .copied()
        .filter(|&i| traces.get(i).is_some_and(|t| query.keeps(store, t)))
        .collect()
}

fn compare(store: &Store, a: &Trace, b: &Trace, column: TraceColumn) -> Ordering {
    let text = |id| store.strings.get(id);
    match column {
        TraceColumn::Root => (text(a.root_service), text(a.root_name))
            .cmp(&(text(b.root_service), text(b.root_name))),
        TraceColumn::Start => a.start_unix_nanos.cmp(&b.start_unix_nanos),
        TraceColumn::Duration => a.duration_nanos().cmp(&b.duration_nanos()),
        TraceColumn::Spans => a.len().cmp(&b.len()),
        TraceColumn::Errors => a.error_count.cmp(&b.error_count),
        TraceColumn::Services => a.service_count.cmp(&b.service_count),
    }
}

/// The distinct root services, and operations of `service` (all when `None`), sorted: the
/// choices of the list's filters.
pub fn root_choices(
    store: &Store,
    traces: &[Trace],
    service: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let text = |id| store.strings.get(id).to_string();
    let mut services: Vec<String> = traces.iter().map(|t| text(t.root_service)).collect();
    services.sort();
    services.dedup();
    let mut ops: Vec<String> = traces
        .iter()
        .filter(|t| service.is_none_or(|s| store.strings.get(t.root_service) == s))
        .map(|t| text(t.root_name))
        .collect();
    ops.sort();
    ops.dedup();
    (services, ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::build_traces;

    fn model() -> (Store, Vec<Trace>) {
        let cfg = spanorama_gen::GenConfig {
            seed: 4,
            traces: 60,
            spans_min: 3,
            spans_max: 80,
            ..spanorama_gen::GenConfig::default()
        };
        let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
        let store = crate::import::import("gen.json", &bytes).unwrap();
        let traces = build_traces(&store);
        (store, traces)
    }

    #[test]
    fn every_column_sorts_both_ways() {
        let (store, traces) = model();
        for column in [
            TraceColumn::Root,
            TraceColumn::Start,
            TraceColumn::Duration,
            TraceColumn::Spans,
            TraceColumn::Errors,
            TraceColumn::Services,
        ] {
            for descending in [false, true] {
                let sort = TraceSort { column, descending };
                let list = list_traces(&store, &traces, None, &TraceQuery::default(), sort);
                assert_eq!(list.len(), traces.len());
                for w in list.windows(2) {
                    let o = compare(&store, &traces[w[0]], &traces[w[1]], column);
                    let o = if descending { o.reverse() } else { o };
                    assert_ne!(o, Ordering::Greater, "{column:?} {descending}");
                }
            }
        }
    }

    #[test]
    fn filters_keep_what_they_say() {
        let (store, traces) = model();
        let sort = TraceSort::default();
        let errors = list_traces(
            &store,
            &traces,
            None,
            &TraceQuery {
                errors_only: true,
                ..TraceQuery::default()
            },
            sort,
        );
        assert!(!errors.is_empty() && errors.len() < traces.len());
        assert!(errors.iter().all(|&i| traces[i].error_count > 0));
        let (services, _) = root_choices(&store, &traces, None);
        let service = services[0].clone();
        let (_, ops) = root_choices(&store, &traces, Some(&service));
        let q = TraceQuery {
            root_service: Some(service.clone()),
            operation: Some(ops[0].clone()),
            ..TraceQuery::default()
        };
        let kept = list_traces(&store, &traces, None, &q, sort);
        let expected = traces
            .iter()
            .filter(|t| {
                store.strings.get(t.root_service) == service
                    && store.strings.get(t.root_name) == ops[0]
            })
            .count();
        assert_eq!(kept.len(), expected);
        assert!(expected > 0);
        let mut durations: Vec<i64> = traces.iter().map(|t| t.duration_nanos()).collect();
        durations.sort();
        let (lo, hi) = (durations[10], durations[40]);
        let q = TraceQuery {
            min_nanos: Some(lo),
            max_nanos: Some(hi),
            ..TraceQuery::default()
        };
        let kept = list_traces(&store, &traces, None, &q, sort);
        assert_eq!(
            kept.len(),
            durations.iter().filter(|&&d| d >= lo && d <= hi).count()
        );
        // Start bounds, inclusive, with the duration bounds.
        let mut starts: Vec<i64> = traces.iter().map(|t| t.start_unix_nanos).collect();
        starts.sort();
        let (s0, s1) = (starts[5], starts[50]);
        let q = TraceQuery {
            start_min_nanos: Some(s0),
            start_max_nanos: Some(s1),
            ..q
        };
        let kept = list_traces(&store, &traces, None, &q, sort);
        let expected = traces
            .iter()
            .filter(|t| {
                let (s, d) = (t.start_unix_nanos, t.duration_nanos());
                s >= s0 && s <= s1 && d >= lo && d <= hi
            })
            .count();
        assert_eq!(kept.len(), expected);
        assert!(expected > 0 && expected < 46, "{expected}");
        assert!(kept.iter().all(|&i| traces[i].start_unix_nanos >= s0));
        let loose = q.without_ranges();
        assert!(loose.is_empty());
        assert_eq!(
            list_traces(&store, &traces, None, &loose, sort).len(),
            traces.len()
        );
        // Among a given set only.
        assert_eq!(
            list_traces(
                &store,
                &traces,
                Some(&[3, 1, 99]),
                &TraceQuery::default(),
                sort
            )
            .len(),
            2
        );
    }

    #[test]
    fn traces_with_a_matching_span_are_found_in_steps() {
        let (store, traces) = model();
        let query = "error -kind:server";
        let expected: Vec<usize> = (0..traces.len())
            .filter(|&i| !crate::model::find_spans(&store, &traces[i], query).is_empty())
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < traces.len(),
            "{expected:?}"
        );
        for budget in [1, 7, 1000, usize::MAX] {
            let mut m = TracesMatching::new(&store, &traces, query);
            while !m.step(&store, &traces, budget) {}
            assert_eq!(m.finish(), expected, "budget {budget}");
        }
        let bad = TracesMatching::new(&store, &traces, "duration>fast");
        assert!(bad.error().is_some());
        let mut bad = bad;
        assert!(bad.step(&store, &traces, 10));
        assert!(bad.finish().is_empty());
    }

    #[test]
    fn a_header_click_sorts_then_reverses() {
        let s = TraceSort::default();
        assert_eq!(
            s.clicked(TraceColumn::Duration),
            TraceSort {
                column: TraceColumn::Duration,
                descending: true
            }
        );
        assert!(
            !s.clicked(TraceColumn::Duration)
                .clicked(TraceColumn::Duration)
                .descending
        );
        assert!(!s.clicked(TraceColumn::Root).descending);
        assert_eq!(
            s.clicked(TraceColumn::Start),
            TraceSort {
                column: TraceColumn::Start,
                descending: true
            }
        );
        assert_eq!(
            crate::model::query::parse_duration("250ms"),
            Some(250_000_000)
        );
        assert_eq!(
            crate::model::query::parse_duration(" 1.5 s"),
            Some(1_500_000_000)
        );
        assert_eq!(crate::model::query::parse_duration("12"), Some(12_000_000));
        assert_eq!(crate::model::query::parse_duration("fast"), None);
        assert_eq!(crate::model::query::parse_duration("-3ms"), None);
    }
}
