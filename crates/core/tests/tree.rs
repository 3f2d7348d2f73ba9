//! `model::build_traces` on hand-made stores: deep chains without recursion, parent cycles,
//! duplicate ids, missing and self parents, children outside their parent's time, trace
//! order, and `subtree_end` against a naive computation.

use spanorama_core::model::{
    build_traces, FileInfo, Resource, Slice, Span, SpanId, SpanKind, StatusCode, Store, StrId,
    Trace, TraceId, TreeWarning, NO_PARENT, SPAN_END_UNKNOWN,
};
use spanorama_gen::Rng;

/// A span for [`store`]: (trace, id, parent (0 = none), start, duration).
type S = (u128, u64, u64, i64, i64);

fn store(spans: &[S]) -> Store {
    let mut store = Store::default();
    let service = store.strings.intern("svc");
    store.resources.push(Resource {
        service,
        attrs: Slice::default(),
        scope_name: StrId::EMPTY,
        scope_version: StrId::EMPTY,
        scope_attrs: Slice::default(),
    });
    for &(trace, id, parent, start, duration) in spans {
        let name = store.strings.intern(&format!("op{id}"));
        store.spans.push(Span {
            trace_id: TraceId(trace),
            span_id: SpanId(id),
            parent_id: SpanId(parent),
            start_unix_nanos: start,
            duration_nanos: duration,
            service,
            name,
            kind: SpanKind::Internal,
            status: StatusCode::Unset,
            status_message: StrId::EMPTY,
            resource: 0,
            attrs: Slice::default(),
            events: Slice::default(),
            links: Slice::default(),
            file: 0,
        });
    }
    store.files.push(FileInfo::default());
    store
}

/// Invariants every built trace must satisfy, whatever the input.
fn check_invariants(store: &Store, traces: &[Trace]) {
    let mut seen = vec![0u32; store.spans.len()];
    for t in traces {
        let n = t.len();
        assert!(n > 0);
        assert_eq!(t.depth.len(), n);
        assert_eq!(t.parent.len(), n);
        assert_eq!(t.subtree_end.len(), n);
        let mut roots = 0;
        for pos in 0..n {
            seen[t.spans[pos] as usize] += 1;
            assert_eq!(store.spans[t.spans[pos] as usize].trace_id, t.id);
            let p = t.parent[pos];
            if p == NO_PARENT {
                roots += 1;
                assert_eq!(t.depth[pos], 0);
            } else {
                assert!((p as usize) < pos, "pre-order: parent before child");
                assert_eq!(t.depth[pos], t.depth[p as usize] + 1);
                assert!(t.subtree_end[p as usize] as usize >= t.subtree_end[pos] as usize);
            }
            assert!(t.subtree_end[pos] as usize > pos && t.subtree_end[pos] as usize <= n);
        }
        assert_eq!(roots, t.root_count);
        assert!(
            t.warnings.windows(2).all(|w| w[0].0 <= w[1].0),
            "warnings sorted"
        );
    }
    assert!(
        seen.iter().all(|&c| c == 1),
        "every span exactly once: {seen:?}"
    );
}

fn build(spans: &[S]) -> (Store, Vec<Trace>) {
    let s = store(spans);
    let traces = build_traces(&s);
    check_invariants(&s, &traces);
    (s, traces)
}

fn warnings(t: &Trace) -> Vec<TreeWarning> {
    t.warnings.iter().map(|(_, w)| *w).collect()
}

fn position_of_id(store: &Store, t: &Trace, id: u64) -> usize {
    t.spans
        .iter()
        .position(|&i| store.spans[i as usize].span_id == SpanId(id))
        .unwrap()
}

#[test]
fn a_100000_deep_chain_does_not_overflow_the_stack() {
    const N: u64 = 100_000;
    // Given children first, on a thread with a small stack: only an iterative walk survives.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let spans: Vec<S> = (1..=N)
                .rev()
                .map(|id| (1, id, id - 1, id as i64, (2 * N - id) as i64))
                .collect();
            let s = store(&spans);
            let traces = build_traces(&s);
            (s, traces)
        })
        .unwrap();
    let (s, traces) = handle.join().expect("build_traces overflowed its stack");
    check_invariants(&s, &traces);
    assert_eq!(traces.len(), 1);
    let t = &traces[0];
    assert_eq!(t.len(), N as usize);
    assert_eq!(t.root_count, 1);
    let last = position_of_id(&s, t, N);
    assert_eq!(last, N as usize - 1);
    assert_eq!(t.depth[last], 99_999);
    assert_eq!(t.subtree_end[0], N as u32);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings.first());
}

#[test]
fn a_two_span_cycle_is_cut_and_both_spans_stay() {
    // A (1) names B (2) as parent and B names A.
    let (s, traces) = build(&[(1, 1, 2, 10, 5), (1, 2, 1, 20, 5)]);
    let t = &traces[0];
    assert_eq!(t.len(), 2);
    assert_eq!(t.root_count, 1);
    assert_eq!(
        warnings(t)
            .iter()
            .filter(|w| **w == TreeWarning::ParentCycle)
            .count(),
        1
    );
    // Cut at the earliest span, which becomes the root.
    assert_eq!(s.spans[t.spans[0] as usize].span_id, SpanId(1));
    assert_eq!(t.depth, vec![0, 1]);
}

#[test]
fn a_cycle_with_a_tail_keeps_every_span_once() {
    // 1 → 2 → 3 → 1 (a cycle), 4 hangs below 1, 5 below 4, and 6 is an ordinary root with
    // child 7.
    let (s, traces) = build(&[
        (1, 1, 3, 10, 100),
        (1, 2, 1, 20, 100),
        (1, 3, 2, 30, 100),
        (1, 4, 1, 40, 10),
        (1, 5, 4, 45, 2),
        (1, 6, 0, 0, 500),
        (1, 7, 6, 5, 5),
    ]);
    let t = &traces[0];
    assert_eq!(t.len(), 7);
    assert_eq!(t.root_count, 2);
    let cycles = warnings(t)
        .iter()
        .filter(|w| **w == TreeWarning::ParentCycle)
        .count();
    assert_eq!(cycles, 1);
    let depth_of = |id| t.depth[position_of_id(&s, t, id)];
    assert_eq!(depth_of(1), 0, "cut at the earliest span of the cycle");
    assert_eq!(depth_of(2), 1);
    assert_eq!(depth_of(3), 2);
    assert_eq!(depth_of(4), 1);
    assert_eq!(depth_of(5), 2);
    assert_eq!(depth_of(7), 1);
}

#[test]
fn duplicate_ids_keep_both_spans_and_children_attach_to_the_first() {
    // Two spans with id 2 (the later one is the duplicate); 3 names 2 as parent.
    let (s, traces) = build(&[
        (1, 1, 0, 0, 100),
        (1, 2, 1, 10, 50),
        (1, 2, 1, 30, 50),
        (1, 3, 2, 40, 5),
    ]);
    let t = &traces[0];
    assert_eq!(t.len(), 4);
    assert_eq!(warnings(t), vec![TreeWarning::DuplicateId]);
    let dup_pos = t.warnings[0].0 as usize;
    assert_eq!(s.spans[t.spans[dup_pos] as usize].start_unix_nanos, 30);
    let child = position_of_id(&s, t, 3);
    let parent = t.parent[child] as usize;
    assert_eq!(s.spans[t.spans[parent] as usize].start_unix_nanos, 10);
}

#[test]
fn missing_parents_become_extra_roots_with_a_warning() {
    let (_, traces) = build(&[(1, 1, 0, 0, 100), (1, 2, 99, 10, 5), (1, 3, 2, 11, 1)]);
    let t = &traces[0];
    assert_eq!(t.root_count, 2);
    assert_eq!(warnings(t), vec![TreeWarning::MissingParent(SpanId(99))]);
    assert_eq!(t.depth, vec![0, 0, 1]);
}

#[test]
fn a_span_that_is_its_own_parent_is_a_root() {
    let (_, traces) = build(&[(1, 5, 5, 0, 10)]);
    let t = &traces[0];
    assert_eq!(t.root_count, 1);
    assert_eq!(warnings(t), vec![TreeWarning::OwnParent]);
}

#[test]
fn children_outside_their_parent_are_flagged() {
    let (s, traces) = build(&[
        (1, 1, 0, 100, 100),              // parent: 100..200
        (1, 2, 1, 90, 20),                // starts before the parent
        (1, 3, 1, 150, 100),              // ends after the parent
        (1, 4, 1, 120, 10),               // inside
        (1, 5, 1, 130, 0),                // inside, zero length
        (1, 6, 1, 140, SPAN_END_UNKNOWN), // end unknown, starts inside
    ]);
    let t = &traces[0];
    let mut flagged: Vec<u64> = t
        .warnings
        .iter()
        .filter(|(_, w)| *w == TreeWarning::OutsideParent)
        .map(|(pos, _)| s.spans[t.spans[*pos as usize] as usize].span_id.0)
        .collect();
    flagged.sort_unstable();
    assert_eq!(flagged, vec![2, 3]);
}

#[test]
fn traces_are_sorted_by_start_then_id() {
    let (_, traces) = build(&[
        (30, 1, 0, 500, 10),
        (10, 2, 0, 700, 10),
        (20, 3, 0, 100, 10),
        (40, 4, 0, 500, 10), // same start as trace 30: the smaller id first
        (20, 5, 3, 150, 10),
    ]);
    let order: Vec<u128> = traces.iter().map(|t| t.id.0).collect();
    assert_eq!(order, vec![20, 30, 40, 10]);
    assert_eq!(traces[0].len(), 2);
    assert_eq!(traces[0].start_unix_nanos, 100);
    assert_eq!(traces[0].end_unix_nanos, 160);
}

#[test]
fn siblings_are_in_start_order() {
    let (s, traces) = build(&[
        (1, 1, 0, 0, 100),
        (1, 2, 1, 50, 1),
        (1, 3, 1, 10, 1),
        (1, 4, 1, 30, 1),
    ]);
    let starts: Vec<i64> = traces[0]
        .spans
        .iter()
        .map(|&i| s.spans[i as usize].start_unix_nanos)
        .collect();
    assert_eq!(starts, vec![0, 10, 30, 50]);
}

#[test]
fn subtree_end_matches_a_naive_computation_on_random_trees() {
    let mut rng = Rng::new(2024);
    for round in 0..20 {
        let n = 1 + rng.below(400);
        // Span k's parent is a random earlier span (or none); ids and file order shuffled.
        let mut spans: Vec<S> = (1..=n)
            .map(|k| {
                let parent = if k == 1 || rng.chance(0.05) {
                    0
                } else {
                    1 + rng.below(k - 1)
                };
                (1, k * 7919, parent * 7919, rng.below(1_000) as i64, 5)
            })
            .collect();
        for i in (1..spans.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            spans.swap(i, j);
        }
        let (_, traces) = build(&spans);
        let t = &traces[0];
        assert_eq!(t.len(), n as usize);
        for pos in 0..t.len() {
            // Naive: count every row whose chain of parents passes through `pos`.
            let mut descendants = 0;
            for q in pos + 1..t.len() {
                let mut a = t.parent[q];
                while a != NO_PARENT {
                    if a as usize == pos {
                        descendants += 1;
                        break;
                    }
                    a = t.parent[a as usize];
                }
            }
            assert_eq!(
                t.subtree_end[pos] as usize,
                pos + 1 + descendants,
                "round {round}, row {pos}"
            );
            assert_eq!(t.has_children(pos), descendants > 0);
        }
    }
}

#[test]
fn random_parent_links_with_cycles_duplicates_and_gaps_keep_every_span_once() {
    let mut rng = Rng::new(77);
    for _ in 0..300 {
        let n = 1 + rng.below(60);
        // Parents drawn from all ids, a few absent ones and "none": cycles, self-parents,
        // duplicates (ids drawn from a smaller range) all happen.
        let id_range = n.max(2) - rng.below(n.max(2) / 2 + 1);
        let spans: Vec<S> = (0..n)
            .map(|_| {
                let id = 1 + rng.below(id_range);
                let parent = rng.below(id_range + 3);
                (
                    1 + rng.below(2) as u128,
                    id,
                    parent,
                    rng.below(50) as i64,
                    10,
                )
            })
            .collect();
        let (_, traces) = build(&spans);
        for t in &traces {
            let cycles = warnings(t)
                .iter()
                .filter(|w| **w == TreeWarning::ParentCycle)
                .count() as u32;
            let others = t
                .spans
                .iter()
                .zip(&t.parent)
                .filter(|(_, p)| **p == NO_PARENT)
                .count() as u32;
            assert_eq!(others, t.root_count);
            assert!(cycles <= t.root_count);
        }
    }
}
