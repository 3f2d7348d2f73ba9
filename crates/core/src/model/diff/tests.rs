//! Trace comparison on pairs of small traces written as text (one rule each) and on
//! generated traces.

use super::*;
use crate::model::flame::test_spans::{node_at, traces_of};
use crate::model::flame::{flame_layout, FlameShape};
use crate::model::{build_traces, Trace};
use std::collections::BTreeSet;

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

#[test]
fn statuses_and_counts_follow_the_sides() {
    let (store, diff) = diff_of(
        "
         api:GET 0..100
           db:q 10..20
           auth:c 30..40
           old:x 50..60
         ---
         api:GET 0..120
           db:q 10..20
           auth:c 30..45
           new:y 50..60",
    );
    let status = |path: &[&str]| at(&store, &diff, path).status();
    assert_eq!(status(&["api:GET"]), DiffStatus::Changed);
    assert_eq!(status(&["api:GET", "db:q"]), DiffStatus::Same);
    assert_eq!(status(&["api:GET", "auth:c"]), DiffStatus::Changed);
    assert_eq!(status(&["api:GET", "old:x"]), DiffStatus::Removed);
    assert_eq!(status(&["api:GET", "new:y"]), DiffStatus::Added);
    assert_eq!(DiffStatus::Removed.name(), "removed");
    let counts = diff.counts();
    assert_eq!(
        (counts.added, counts.removed, counts.changed, counts.same),
        (1, 1, 2, 1)
    );
}

#[test]
fn rows_are_in_pre_order_and_folded_subtrees_are_left_out() {
    let slower_auth = CART.replace("auth:c 50..60", "auth:c 50..90");
    let (store, diff) = diff_of(&format!("{CART}\n---\n{slower_auth}"));
    let rows = diff.rows(&BTreeSet::new());
    assert_eq!(rows.len(), diff.nodes.len());
    let depths: Vec<u32> = rows.iter().map(|r| r.depth).collect();
    // Root, then its children biggest change first (auth:c grew), each followed by its own.
    let nodes: Vec<u32> = rows.iter().map(|r| r.node).collect();
    assert_eq!(
        frames(&store, &diff, &nodes),
        ["api:GET", "auth:c", "db:user", "db:q"]
    );
    assert_eq!(depths, [0, 1, 2, 1]);
    let auth = rows[1].node;
    let folded = diff.rows(&BTreeSet::from([auth]));
    let nodes: Vec<u32> = folded.iter().map(|r| r.node).collect();
    assert_eq!(frames(&store, &diff, &nodes), ["api:GET", "auth:c", "db:q"]);
    assert_eq!(diff.rows(&BTreeSet::from([0])).len(), 1);
    assert!(TraceDiff::default().rows(&BTreeSet::new()).is_empty());
    // Paths name every frame from the root.
    let user = rows[2].node;
    let path: Vec<String> = diff
        .frames_to(user)
        .iter()
        .map(|&(s, n)| format!("{}:{}", store.strings.get(s), store.strings.get(n)))
        .collect();
    assert_eq!(path, ["api:GET", "auth:c", "db:user"]);
}

#[test]
fn a_synthetic_root_is_no_frame_of_a_path_nor_counted() {
    let (store, diff) = diff_of("api:GET 0..100\n  db:q 0..10\n---\nweb:POST 0..50");
    assert!(diff.synthetic_root);
    let q = diff
        .rows(&BTreeSet::new())
        .iter()
        .find(|r| r.depth == 2)
        .map(|r| r.node)
        .unwrap();
    let path: Vec<&str> = diff
        .frames_to(q)
        .iter()
        .map(|&(_, n)| store.strings.get(n))
        .collect();
    assert_eq!(path, ["GET", "q"]);
    assert!(diff.frames_to(0).is_empty());
    let counts = diff.counts();
    assert_eq!((counts.added, counts.removed), (1, 2));
}

#[test]
fn the_union_flame_graph_is_as_wide_as_the_larger_side() {
    let (store, diff) = diff_of(
        "
         api:GET 0..100
           old:x 0..60
         ---
         api:GET 0..80
           new:y 0..20",
    );
    let flame = diff.union_flame();
    assert_eq!(flame.total_nanos(0), 100);
    // The larger covered part (60 of a's 100) is the children's: self time 40.
    assert_eq!(flame.self_nanos(0), 40);
    let rects = flame_layout(&flame, 0, 100.0);
    let width = |path: &[&str]| {
        let node = node_at(
            &store,
            &diff.nodes,
            |n| &n.children,
            |n| (n.service, n.name),
            path,
        )
        .unwrap();
        rects.iter().find(|r| r.node == node).map(|r| r.width_px)
    };
    // Children (60 + 20 ns) squeezed into the 60 ns the larger side's children covered.
    assert_eq!(width(&["api:GET"]), Some(100.0));
    assert_eq!(width(&["api:GET", "old:x"]), Some(45.0));
    assert_eq!(width(&["api:GET", "new:y"]), Some(15.0));
    assert_eq!(flame.total_nanos(99), 0);
    assert_eq!(flame.parent(99), NO_PARENT);
}

#[test]
fn heat_colours_run_from_blue_through_grey_to_red() {
    assert_eq!(heat_colour(0.0), "#e5e7eb");
    assert_eq!(heat_colour(1.0), "#ef4444");
    assert_eq!(heat_colour(-1.0), "#3b82f6");
    assert_eq!(heat_colour(7.0), "#ef4444");
    assert_eq!(heat_colour(f64::NAN), "#e5e7eb");
    let half = heat_colour(0.5);
    assert_eq!(half, "#ea9698");
    let blue = |c: &str| u8::from_str_radix(&c[5..7], 16).unwrap();
    // More slowdown, less blue.
    assert!(blue(&heat_colour(0.2)) > blue(&heat_colour(0.8)));
}

/// Traces with the given roots and durations (ns).
fn traces_with(roots: &[(&str, i64)]) -> Vec<Trace> {
    let text: Vec<String> = roots.iter().map(|(r, d)| format!("{r} 0..{d}")).collect();
    traces_of(&text.join("\n---\n")).1
}

#[test]
fn the_partner_has_the_same_root_and_the_most_different_duration() {
    let traces = traces_with(&[
        ("api:GET", 100),
        ("web:POST", 900),
        ("api:GET", 120),
        ("api:GET", 40),
        ("api:GET", 160),
    ]);
    // 100 vs 120, 40, 160: 40 and 160 are both 60 away; the lower index wins.
    assert_eq!(compare_partner(&traces, 0), Some(3));
    assert_eq!(compare_partner(&traces, 3), Some(4));
    // No other trace with its root: the first other trace.
    assert_eq!(compare_partner(&traces, 1), Some(0));
    assert_eq!(compare_partner(&traces, 9), None);
    assert_eq!(compare_partner(&traces[..1], 0), None);
}
