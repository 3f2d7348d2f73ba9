//! The critical path and self time on small hand-written traces (one rule each), on real
//! files of the shared corpus and on a generated trace, checked against invariants computed
//! here independently of the walk.

use super::*;
use crate::import::import;
use crate::model::{build_traces, NO_PARENT};
use std::path::Path;

/// One span of a test trace: id, parent id (0: root), kind, start and end (µs; an end of -1
/// is left out of the file, so the span's end is unknown).
struct S(u64, u64, &'static str, i64, i64);

/// An OTLP file of `spans`, all in one trace.
fn otlp(spans: &[S]) -> Vec<u8> {
    let spans: Vec<String> = spans
        .iter()
        .map(|S(id, parent, kind, start, end)| {
            let parent = if *parent == 0 {
                String::new()
            } else {
                format!("{parent:016x}")
            };
            let end = if *end < 0 { 0 } else { end * 1000 };
            format!(
                r#"{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id:016x}",
                "parentSpanId":"{parent}","name":"op","kind":"SPAN_KIND_{kind}",
                "startTimeUnixNano":"{}","endTimeUnixNano":"{end}"}}"#,
                start * 1000
            )
        })
        .collect();
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name",
        "value":{{"stringValue":"svc"}}}}]}},"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    )
    .into_bytes()
}

/// The store and the one trace of `spans`.
fn trace_of(spans: &[S]) -> (Store, Trace) {
    let store = import("test.json", &otlp(spans)).unwrap();
    let mut traces = build_traces(&store);
    assert_eq!(traces.len(), 1);
    (store, traces.remove(0))
}

/// The span id of row `pos`.
fn id_at(store: &Store, trace: &Trace, pos: u32) -> u64 {
    span_at(store, trace, pos).unwrap().span_id.0
}

/// The row of span `id`.
fn pos_of(store: &Store, trace: &Trace, id: u64) -> u32 {
    (0..trace.len() as u32)
        .find(|&p| id_at(store, trace, p) == id)
        .unwrap()
}

/// The critical path of `spans` as `(span id, start µs, end µs)` in time order, after
/// checking the invariants.
fn path(spans: &[S]) -> Vec<(u64, i64, i64)> {
    let (store, trace) = trace_of(spans);
    let path = check_invariants(&store, &trace);
    let mut out: Vec<(u64, i64, i64)> = path
        .segments
        .iter()
        .map(|s| {
            let id = id_at(&store, &trace, s.pos);
            (id, s.start_nanos / 1000, s.end_nanos / 1000)
        })
        .collect();
    out.sort_by_key(|&(_, start, _)| start);
    out
}

/// Each row's interval clipped to its ancestors' (unknown ends taken as starts), computed
/// top-down from the parent array.
fn clipped_intervals(store: &Store, trace: &Trace) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(trace.len());
    for pos in 0..trace.len() {
        let s = &store.spans[trace.spans[pos] as usize];
        let (mut start, mut end) = (s.start_unix_nanos, s.end_unix_nanos());
        if trace.parent[pos] != NO_PARENT {
            let (ps, pe) = out[trace.parent[pos] as usize];
            (start, end) = (start.max(ps), end.min(pe));
        }
        out.push((start, end.max(start)));
    }
    out
}

/// The root the path must cover: the one that ends last, the first of equals.
fn expected_root(store: &Store, trace: &Trace) -> Option<u32> {
    let roots = (0..trace.len() as u32).filter(|&p| trace.parent[p as usize] == NO_PARENT);
    let end = |p: u32| store.spans[trace.spans[p as usize] as usize].end_unix_nanos();
    roots.fold(None, |best: Option<u32>, p| match best {
        Some(b) if end(b) >= end(p) => Some(b),
        _ => Some(p),
    })
}

/// The path stepped with `budget` until done, and how many steps that took.
fn stepped(store: &Store, trace: &Trace, budget: usize) -> (CriticalPath, usize) {
    let mut build = CriticalPathBuild::new(store, trace);
    let mut steps = 1;
    while !build.step(budget) {
        steps += 1;
    }
    (build.finish(), steps)
}

/// Checks what must hold of any critical path, and gives it: segments non-empty, sorted,
/// inside their span's clipped interval, tiling the chosen root's interval without overlap;
/// no consumer of a producer on it; `segments_of` and `total_nanos` agreeing; stepped builds
/// with budgets 1, 7 and 1000 equal to the one-shot build.
fn check_invariants(store: &Store, trace: &Trace) -> CriticalPath {
    let path = critical_path(store, trace);
    let clip = clipped_intervals(store, trace);
    let key = |s: &Segment| (s.pos, s.start_nanos);
    assert!(path.segments.windows(2).all(|w| key(&w[0]) < key(&w[1])));
    for s in &path.segments {
        let (start, end) = clip[s.pos as usize];
        assert!(start <= s.start_nanos && s.start_nanos < s.end_nanos && s.end_nanos <= end);
        assert!(path.segments_of(s.pos).contains(s));
        let kind = |p: u32| store.spans[trace.spans[p as usize] as usize].kind;
        let parent = trace.parent[s.pos as usize];
        let waited = parent == NO_PARENT
            || !(kind(parent) == SpanKind::Producer && kind(s.pos) == SpanKind::Consumer);
        assert!(waited, "a consumer of a producer is on the path");
    }
    let mut by_time = path.segments.clone();
    by_time.sort_by_key(|s| s.start_nanos);
    assert!(by_time
        .windows(2)
        .all(|w| w[0].end_nanos == w[1].start_nanos));
    let (root_start, root_end) = expected_root(store, trace).map_or((0, 0), |r| clip[r as usize]);
    if let (Some(first), Some(last)) = (by_time.first(), by_time.last()) {
        assert_eq!((first.start_nanos, last.end_nanos), (root_start, root_end));
    }
    assert_eq!(path.total_nanos(), root_end - root_start);
    for budget in [1, 7, 1000] {
        assert_eq!(stepped(store, trace, budget).0, path, "budget {budget}");
    }
    path
}

#[test]
fn sequential_children_take_turns_with_their_parent() {
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 10, 40),
        S(3, 1, "CLIENT", 50, 90),
    ]);
    assert_eq!(
        p,
        [
            (1, 0, 10),
            (2, 10, 40),
            (1, 40, 50),
            (3, 50, 90),
            (1, 90, 100)
        ]
    );
}

#[test]
fn of_parallel_children_the_last_to_finish_is_waited_for() {
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 10, 60),
        S(3, 1, "CLIENT", 10, 80),
        S(4, 1, "CLIENT", 20, 70),
        S(5, 3, "SERVER", 30, 70),
    ]);
    // 2 and 4 end after 3 starts: they ran alongside it and are off the path.
    assert_eq!(
        p,
        [
            (1, 0, 10),
            (3, 10, 30),
            (5, 30, 70),
            (3, 70, 80),
            (1, 80, 100)
        ]
    );
}

#[test]
fn of_children_ending_together_the_earliest_starting_is_taken() {
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 30, 50),
        S(3, 1, "CLIENT", 10, 50),
        S(4, 1, "CLIENT", 30, 50),
    ]);
    assert_eq!(p, [(1, 0, 10), (3, 10, 50), (1, 50, 100)]);
}

#[test]
fn a_parent_working_between_its_children_is_on_the_path() {
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 0, 30),
        S(3, 1, "CLIENT", 60, 100),
        S(4, 3, "SERVER", 60, 70),
    ]);
    assert_eq!(p, [(2, 0, 30), (1, 30, 60), (4, 60, 70), (3, 70, 100)]);
}

#[test]
fn a_child_overflowing_its_parent_counts_only_inside_it() {
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 50, 150),
        // Under the clipped child [50, 100]: one grandchild partly, one not at all.
        S(3, 2, "SERVER", 60, 130),
        S(4, 2, "SERVER", 120, 140),
    ]);
    assert_eq!(p, [(1, 0, 50), (2, 50, 60), (3, 60, 100)]);
}

#[test]
fn a_child_starting_before_its_parent_is_clipped_to_its_start() {
    let p = path(&[S(1, 0, "SERVER", 50, 100), S(2, 1, "CLIENT", 0, 70)]);
    assert_eq!(p, [(2, 50, 70), (1, 70, 100)]);
}

#[test]
fn a_child_starting_at_or_after_its_parent_ended_counts_not_at_all() {
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 100, 200),
        S(3, 1, "CLIENT", 150, 300),
    ]);
    assert_eq!(p, [(1, 0, 100)]);
}

#[test]
fn a_producer_does_not_wait_for_its_consumer() {
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "PRODUCER", 10, 20),
        S(3, 2, "CONSUMER", 15, 90),
        S(4, 2, "INTERNAL", 12, 18),
    ]);
    assert_eq!(
        p,
        [
            (1, 0, 10),
            (2, 10, 12),
            (4, 12, 18),
            (2, 18, 20),
            (1, 20, 100)
        ]
    );
    // A consumer under anything but a producer is waited for.
    let p = path(&[S(1, 0, "SERVER", 0, 100), S(2, 1, "CONSUMER", 15, 90)]);
    assert_eq!(p, [(1, 0, 15), (2, 15, 90), (1, 90, 100)]);
}

#[test]
fn of_several_roots_the_first_that_ends_last_is_followed() {
    // 5's parent is not in the trace: it is a root too.
    let spans = [
        S(1, 0, "SERVER", 0, 100),
        S(2, 0, "SERVER", 10, 200),
        S(3, 2, "CLIENT", 20, 150),
        S(4, 0, "SERVER", 50, 200),
        S(5, 99, "SERVER", 60, 190),
    ];
    let (_, trace) = trace_of(&spans);
    assert_eq!(trace.root_count, 4);
    assert_eq!(path(&spans), [(2, 10, 20), (3, 20, 150), (2, 150, 200)]);
}

#[test]
fn a_span_of_unknown_end_counts_as_zero_length() {
    // The child of unknown end hides its own child: it is clipped to nothing.
    let p = path(&[
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 30, -1),
        S(3, 2, "SERVER", 30, 60),
    ]);
    assert_eq!(p, [(1, 0, 100)]);
    // A root of unknown end loses to one that ends; alone, it gives an empty path.
    let p = path(&[S(1, 0, "SERVER", 0, -1), S(2, 0, "SERVER", 5, 10)]);
    assert_eq!(p, [(2, 5, 10)]);
    let (store, trace) = trace_of(&[S(1, 0, "SERVER", 0, -1), S(2, 1, "CLIENT", 0, 10)]);
    let path = check_invariants(&store, &trace);
    assert_eq!((path.segments.len(), path.total_nanos()), (0, 0));
}

#[test]
fn segments_of_gives_a_spans_segments_in_time_order() {
    let spans = [
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 10, 40),
        S(3, 1, "CLIENT", 50, 90),
    ];
    let (store, trace) = trace_of(&spans);
    let path = critical_path(&store, &trace);
    let root: Vec<(i64, i64)> = path
        .segments_of(pos_of(&store, &trace, 1))
        .iter()
        .map(|s| (s.start_nanos / 1000, s.end_nanos / 1000))
        .collect();
    assert_eq!(root, [(0, 10), (40, 50), (90, 100)]);
    assert_eq!(path.segments_of(pos_of(&store, &trace, 3)).len(), 1);
    assert!(path.segments_of(99).is_empty());
    assert_eq!(path.total_nanos(), 100_000);
}

#[test]
fn steps_stop_within_their_budget_and_a_zero_budget_still_moves() {
    // 1 000 roots: with a budget of 10 spans, finding the last to end takes 100 steps.
    let spans: Vec<S> = (1..=1000)
        .map(|i| S(i, 0, "SERVER", i as i64, 2000))
        .collect();
    let (store, trace) = trace_of(&spans);
    assert_eq!(stepped(&store, &trace, 10).1, 101);
    let mut build = CriticalPathBuild::new(&store, &trace);
    let mut steps = 1;
    while !build.step(0) {
        steps += 1;
    }
    assert!(steps >= 1000);
    assert_eq!(build.finish(), critical_path(&store, &trace));
}

#[test]
fn a_deep_chain_is_walked_without_recursion() {
    // Span k runs [k, 2n - k] µs under span k - 1: each adds 1 µs of work at both ends,
    // but span n - 1, whose child n has zero length, works [n - 1, n + 1] in one piece.
    let n = 100_000i64;
    let spans: Vec<S> = (1..=n)
        .map(|k| S(k as u64, (k - 1) as u64, "INTERNAL", k, 2 * n - k))
        .collect();
    let (store, trace) = trace_of(&spans);
    let path = check_invariants(&store, &trace);
    assert_eq!(path.segments.len() as i64, 2 * n - 3);
    assert_eq!(path.total_nanos(), (2 * n - 2) * 1000);
}

#[test]
fn an_empty_trace_has_an_empty_path() {
    let store = Store::default();
    let (_, mut trace) = trace_of(&[S(1, 0, "SERVER", 0, 10)]);
    for v in [&mut trace.spans, &mut trace.parent, &mut trace.subtree_end] {
        v.clear();
    }
    assert_eq!(critical_path(&store, &trace), CriticalPath::default());
    assert_eq!(self_time_nanos(&store, &trace, 0), None);
}

/// The critical path of a corpus file's only trace, as `(span id, start µs, end µs)`.
fn corpus_path(file: &str) -> Vec<(u64, i64, i64)> {
    let (store, traces) = corpus(file);
    assert_eq!(traces.len(), 1);
    let trace = &traces[0];
    let path = check_invariants(&store, trace);
    let mut out: Vec<(u64, i64, i64)> = path
        .segments
        .iter()
        .map(|s| {
            (
                id_at(&store, trace, s.pos),
                s.start_nanos / 1000,
                s.end_nanos / 1000,
            )
        })
        .collect();
    out.sort_by_key(|&(_, start, _)| start);
    out
}

/// A file of the shared corpus, imported, and its traces.
fn corpus(file: &str) -> (Store, Vec<Trace>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let store = import(file, &bytes).unwrap();
    let traces = build_traces(&store);
    (store, traces)
}

#[test]
fn jaeger_ui_overlapping_children_longer_than_parent() {
    // Jaeger UI's own expectation for this file: the producer [100, 140] waits for the
    // short child [115, 125]; the two tasks start after it ended.
    let root = 0x006c3cf93508f205;
    assert_eq!(
        corpus_path("jaeger/jaegerui-overlappingChildrenLongerThanParent.json"),
        [
            (root, 100, 115),
            (0x4570ab68826f43f9, 115, 125),
            (root, 125, 140)
        ]
    );
}

#[test]
fn jaeger_ui_child_longer_than_parent() {
    // The child starts after its parent ended: the parent alone is the path.
    assert_eq!(
        corpus_path("jaeger/jaegerui-childLongerThanParent.json"),
        [(0x006c3cf93508f205, 100, 140)]
    );
}

#[test]
fn corpus_traces_keep_the_invariants() {
    for file in [
        "zipkin2/lens-skew.json",
        "zipkin2/lens-messaging-kafka.json",
        "zipkin2/lens-netflix.json",
        "jaeger/jaegerui-TraceGraph-testTrace.json",
        "jaeger/jaegerui-sameValueDifferentTags-4roots.json",
        "jaeger/jaeger-ui_01.json",
    ] {
        let (store, traces) = corpus(file);
        assert!(!traces.is_empty(), "{file}");
        for trace in &traces {
            let path = check_invariants(&store, trace);
            assert!(!path.segments.is_empty(), "{file}");
        }
    }
}

#[test]
fn a_generated_trace_keeps_the_invariants() {
    let cfg = spanorama_gen::GenConfig {
        seed: 11,
        traces: 1,
        spans_min: 50_000,
        spans_max: 50_000,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = import("gen.json", &bytes).unwrap();
    let traces = build_traces(&store);
    assert_eq!(traces.len(), 1);
    let path = check_invariants(&store, &traces[0]);
    // More than the root: the path goes down into the calls.
    let spans_on_path = path.segments.iter().map(|s| s.pos).collect::<Vec<_>>();
    assert!(spans_on_path.iter().any(|&p| p != spans_on_path[0]));
}

/// The self time, µs, of span `id` in `spans`.
fn self_time(spans: &[S], id: u64) -> Option<i64> {
    let (store, trace) = trace_of(spans);
    self_time_nanos(&store, &trace, pos_of(&store, &trace, id)).map(|ns| ns / 1000)
}

#[test]
fn self_time_counts_overlapping_children_once() {
    let spans = [
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 10, 50),
        S(3, 1, "CLIENT", 30, 70),
        S(4, 1, "CLIENT", 40, 45),
        S(5, 1, "CLIENT", 80, 90),
        // A grandchild is not a direct child: only its parent's interval counts.
        S(6, 5, "SERVER", 0, 100),
    ];
    assert_eq!(self_time(&spans, 1), Some(100 - 60 - 10));
}

#[test]
fn self_time_clips_children_to_the_span() {
    let spans = [
        S(1, 0, "SERVER", 20, 100),
        S(2, 1, "CLIENT", 0, 30),
        S(3, 1, "CLIENT", 80, 150),
        S(4, 1, "CLIENT", 120, 130),
    ];
    assert_eq!(self_time(&spans, 1), Some(80 - 10 - 20));
}

#[test]
fn self_time_of_a_leaf_is_its_duration_and_of_an_unknown_end_none() {
    let spans = [
        S(1, 0, "SERVER", 0, 100),
        S(2, 1, "CLIENT", 10, 35),
        S(3, 1, "CLIENT", 40, -1),
    ];
    assert_eq!(self_time(&spans, 2), Some(25));
    assert_eq!(self_time(&spans, 3), None);
    // The child of unknown end covers nothing of its parent.
    assert_eq!(self_time(&spans, 1), Some(75));
    let (store, trace) = trace_of(&spans);
    assert_eq!(self_time_nanos(&store, &trace, 3), None);
}
