//! Trace comparison on pairs of small traces written as text (one rule each) and on
//! generated traces.

use super::*;
use crate::model::flame::test_spans::{node_at, traces_of};
use crate::model::flame::{flame_layout, FlameShape};
use crate::model::{build_traces, Trace};

/// The store and the diff of the two traces of `text` (the first is the baseline).
fn diff_of(text: &str) -> (Store, TraceDiff) {
    let (store, traces) = traces_of(text);
    assert_eq!(traces.len(), 2);
    let diff = trace_diff(&store, &traces[0], &traces[1]);
    (store, diff)
}

/// The node at `path` (see [`node_at`]).
fn at<'d>(store: &Store, diff: &'d TraceDiff, path: &[&str]) -> &'d DiffNode {
    let node = node_at(
        store,
        &diff.nodes,
        |n| &n.children,
        |n| (n.service, n.name),
        path,
    );
    &diff.nodes[node.unwrap_or_else(|| panic!("no node at {path:?}")) as usize]
}

/// `service:operation` of each node.
fn frames(store: &Store, diff: &TraceDiff, nodes: &[u32]) -> Vec<String> {
    nodes
        .iter()
        .map(|&n| {
            let n = &diff.nodes[n as usize];
            format!(
                "{}:{}",
                store.strings.get(n.service),
                store.strings.get(n.name)
            )
        })
        .collect()
}

fn side(count: u64, total_nanos: i64, self_nanos: i64) -> Option<Side> {
    Some(Side {
        count,
        errors: 0,
        total_nanos,
        self_nanos,
    })
}

const CART: &str = "
                    api:GET 0..100
                      db:q 10..20
                      db:q 30..40
                      auth:c 50..60
                        db:user 52..55";

#[test]
fn identical_traces_show_no_change() {
    let (_, diff) = diff_of(&format!("{CART}\n---\n{CART}"));
    assert!(!diff.synthetic_root);
    assert_eq!(diff.nodes.len(), 4);
    for node in &diff.nodes {
        assert_eq!(node.a, node.b);
        assert!(node.a.is_some());
        assert_eq!(node.change_nanos(), 0);
        assert_eq!(node.change_ratio(), Some(0.0));
        assert!(!node.added() && !node.removed());
        assert_eq!(node.heat(), 0.0);
    }
}

#[test]
fn nodes_only_one_trace_has_are_added_or_removed() {
    let (store, diff) = diff_of(
        "
         api:GET 0..100
           db:q 10..20
           auth:check 30..50
             db:user 35..45
         ---
         api:GET 0..120
           db:q 10..20
           cache:get 20..25",
    );
    let removed = at(&store, &diff, &["*", "auth:check"]);
    assert!(removed.removed() && !removed.added());
    assert_eq!((removed.a, removed.b), (side(1, 20, 10), None));
    assert_eq!(removed.change_nanos(), -20);
    assert_eq!(removed.change_ratio(), Some(-1.0));
    assert_eq!(removed.heat(), -1.0);
    assert!(at(&store, &diff, &["*", "auth:check", "db:user"]).removed());
    let added = at(&store, &diff, &["*", "cache:get"]);
    assert!(added.added() && !added.removed());
    assert_eq!((added.a, added.b), (None, side(1, 5, 5)));
    assert_eq!(added.change_ratio(), None);
    assert_eq!(added.heat(), 1.0);
    let same = at(&store, &diff, &["*", "db:q"]);
    assert_eq!(
        (same.change_nanos(), same.added(), same.removed()),
        (0, false, false)
    );
    let root = &diff.nodes[0];
    assert_eq!(root.change_nanos(), 20);
    assert_eq!(root.change_ratio(), Some(0.2));
    assert!((root.heat() - 20.0 / 120.0).abs() < 1e-12);
}

#[test]
fn repeated_siblings_are_counted() {
    let (store, diff) = diff_of(
        "
         api:GET 0..100
           db:q 0..10
           db:q 10..20 error
         ---
         api:GET 0..100
           db:q 0..10
           db:q 10..20
           db:q 20..30
           db:q 30..40
           db:q 40..50",
    );
    let q = at(&store, &diff, &["*", "db:q"]);
    let a = q.a.unwrap();
    assert_eq!((a.count, a.errors, a.total_nanos), (2, 1, 20));
    assert_eq!(q.b, side(5, 50, 50));
    assert_eq!(q.change_nanos(), 30);
    assert_eq!(q.change_ratio(), Some(1.5));
    assert_eq!(diff.nodes[0].a, side(1, 100, 80));
    assert_eq!(diff.nodes[0].b, side(1, 100, 50));
}

#[test]
fn children_are_ordered_by_the_size_of_their_change() {
    let (store, diff) = diff_of(
        "
         api:GET 0..100
           x:a 0..10
           x:b 10..50
           x:c 50..60
           x:d 60..70
         ---
         api:GET 0..100
           x:a 0..20
           x:b 20..30
           x:c 30..50
           x:d 50..60",
    );
    let order = frames(&store, &diff, &diff.nodes[0].children);
    assert_eq!(order, ["x:b", "x:a", "x:c", "x:d"]);
}

#[test]
fn different_roots_hang_under_a_synthetic_root() {
    let (store, diff) = diff_of(
        "
         api:GET 0..100
         ---
         api:POST 0..130",
    );
    assert!(diff.synthetic_root);
    let root = &diff.nodes[0];
    assert_eq!((root.a, root.b), (side(0, 100, 0), side(0, 130, 0)));
    assert_eq!(
        frames(&store, &diff, &root.children),
        ["api:POST", "api:GET"]
    );
    assert!(at(&store, &diff, &["*", "api:GET"]).removed());
    assert!(at(&store, &diff, &["*", "api:POST"]).added());
}

#[test]
fn each_side_lays_out_as_a_flame_graph() {
    let (store, diff) = diff_of(
        "
         api:GET 0..100
           db:q 10..20
           auth:check 30..50
         ---
         api:GET 0..100
           db:q 10..20
           cache:get 20..60",
    );
    let drawn = |side: DiffSide| {
        let flame = diff.flame(side);
        let rects = flame_layout(&flame, 0, 100.0);
        let nodes: Vec<u32> = rects.iter().map(|r| r.node).collect();
        assert_eq!(flame.node_count(), diff.nodes.len());
        (
            frames(&store, &diff, &nodes),
            rects.iter().map(|r| r.width_px).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        drawn(DiffSide::B),
        (
            vec!["api:GET".into(), "cache:get".into(), "db:q".into()],
            vec![100.0, 40.0, 10.0]
        )
    );
    assert_eq!(
        drawn(DiffSide::A),
        (
            vec!["api:GET".into(), "auth:check".into(), "db:q".into()],
            vec![100.0, 20.0, 10.0]
        )
    );
}

/// The diff of `a` and `b` built in steps of `budget`.
fn stepped(store: &Store, a: &Trace, b: &Trace, budget: usize) -> TraceDiff {
    let mut build = DiffBuild::new(store, a, b);
    while !build.step(budget) {}
    build.finish()
}

/// One store holding a generated trace of `spans` spans for each seed.
fn generated(seeds: &[u64], spans: usize) -> Store {
    let mut store = Store::default();
    for &seed in seeds {
        let cfg = spanorama_gen::GenConfig {
            seed,
            spans_min: spans,
            spans_max: spans,
            ..spanorama_gen::GenConfig::default()
        };
        let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
        store.append(crate::import::import("gen.json", &bytes).unwrap());
    }
    store
}

#[test]
fn stepped_diffs_equal_the_one_shot_diff() {
    let (hand, hand_traces) = traces_of(&format!(
        "{CART}\n---\napi:GET 0..90\n  db:q 0..30\n  x:y 40..50"
    ));
    let gen = generated(&[1, 2], 400);
    let gen_traces = build_traces(&gen);
    for (store, traces) in [(&hand, &hand_traces), (&gen, &gen_traces)] {
        let (a, b) = (&traces[0], &traces[1]);
        let whole = trace_diff(store, a, b);
        for budget in [1, 7, 1000] {
            assert_eq!(stepped(store, a, b, budget), whole, "budget {budget}");
        }
    }
}

#[test]
fn generated_traces_add_up_on_each_side() {
    let gen = generated(&[5, 6], 3000);
    let traces = build_traces(&gen);
    assert_eq!(traces.len(), 2);
    let diff = trace_diff(&gen, &traces[0], &traces[1]);
    let count = |side: DiffSide| -> u64 {
        diff.nodes
            .iter()
            .filter_map(|n| n.side(side))
            .map(|s| s.count)
            .sum()
    };
    assert_eq!(count(DiffSide::A), traces[0].len() as u64);
    assert_eq!(count(DiffSide::B), traces[1].len() as u64);
    for node in &diff.nodes {
        let change = |n: u32| diff.nodes[n as usize].change_nanos().unsigned_abs();
        let sizes: Vec<u64> = node.children.iter().map(|&c| change(c)).collect();
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
        assert!(node.a.is_some() || node.b.is_some());
    }
    let itself = trace_diff(&gen, &traces[1], &traces[1]);
    assert!(itself
        .nodes
        .iter()
        .all(|n| n.a == n.b && n.change_nanos() == 0));
}
