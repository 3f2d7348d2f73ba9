//! The flame tree, its layout, hit test and search on small traces written as text (one rule
//! each), on generated traces (checked against figures computed here independently of the
//! walk) and on a deep chain.

use super::test_spans::{node_at, traces_of};
use super::*;
use crate::model::{build_traces, self_time_nanos, Span, SpanId, SpanKind, Trace, TraceId};

/// The store and the flame tree of all traces of `text`.
fn tree_of(text: &str) -> (Store, FlameTree) {
    let (store, traces) = traces_of(text);
    let tree = flame_tree(&store, &traces);
    (store, tree)
}

/// The node at `path` (see [`node_at`]).
fn at<'t>(store: &Store, tree: &'t FlameTree, path: &[&str]) -> &'t FlameNode {
    let node = node_at(
        store,
        &tree.nodes,
        |n| &n.children,
        |n| (n.service, n.name),
        path,
    );
    &tree.nodes[node.unwrap_or_else(|| panic!("no node at {path:?}")) as usize]
}

/// `service:operation` of each node.
fn frames(store: &Store, tree: &impl FlameShape, nodes: &[u32]) -> Vec<String> {
    nodes
        .iter()
        .map(|&n| {
            let (service, name) = tree.label(n);
            format!("{}:{}", store.strings.get(service), store.strings.get(name))
        })
        .collect()
}

#[test]
fn spans_with_the_same_path_merge_and_other_paths_do_not() {
    let (store, tree) = tree_of(
        "
         api:GET /cart 0..100
           db:SELECT 10..20
           auth:check 20..30
             db:SELECT 22..28
           db:SELECT 30..45 error
           db:SELECT 50..60",
    );
    assert!(!tree.synthetic_root);
    assert_eq!(tree.nodes.len(), 4);
    let db = at(&store, &tree, &["api:GET /cart", "db:SELECT"]);
    assert_eq!((db.count, db.errors, db.total_nanos), (3, 1, 35));
    let nested = at(&store, &tree, &["*", "auth:check", "db:SELECT"]);
    assert_eq!((nested.count, nested.errors, nested.total_nanos), (1, 0, 6));
    let root = &tree.nodes[0];
    assert_eq!(
        (root.count, root.total_nanos, root.parent),
        (1, 100, NO_PARENT)
    );
    assert_eq!(tree.nodes.iter().map(|n| n.count).sum::<u64>(), 6);
}

#[test]
fn children_are_left_heavy_with_ties_by_name() {
    let (store, tree) = tree_of(
        "
         api:GET 0..100
           b:op 0..10
           a:op 10..20
           c:big 20..60
           a:zzz 60..70",
    );
    let order = frames(&store, &tree, &tree.nodes[0].children);
    assert_eq!(order, ["c:big", "a:op", "a:zzz", "b:op"]);
}

#[test]
fn self_time_is_the_duration_not_covered_by_children() {
    // Overlapping children count once; a child overflowing the parent counts inside it.
    let (store, traces) = traces_of(
        "
         api:GET 0..100
           x:a 10..30
           x:b 20..50
           x:c 60..70
           x:d 90..150",
    );
    let tree = flame_tree(&store, &traces);
    assert_eq!(tree.nodes[0].self_nanos, 40);
    assert_eq!(self_time_nanos(&store, &traces[0], 0), Some(40));
    let d = at(&store, &tree, &["*", "x:d"]);
    assert_eq!((d.total_nanos, d.self_nanos), (60, 60));
}

#[test]
fn an_unknown_end_counts_as_zero_length() {
    let (store, tree) = tree_of(
        "
         api:GET 0..100
           x:open 10..",
    );
    let open = at(&store, &tree, &["*", "x:open"]);
    assert_eq!((open.count, open.total_nanos, open.self_nanos), (1, 0, 0));
    assert_eq!(tree.nodes[0].self_nanos, 100);
}

/// `(frame, depth, x_px, width_px)` of each rectangle.
fn drawn(store: &Store, tree: &FlameTree, rects: &[FlameRect]) -> Vec<(String, u32, f64, f64)> {
    rects
        .iter()
        .map(|r| {
            let frame = frames(store, tree, &[r.node]).remove(0);
            (frame, r.depth, r.x_px, r.width_px)
        })
        .collect()
}

#[test]
fn children_inside_their_parent_are_as_wide_as_their_total() {
    let (store, tree) = tree_of(
        "
         api:GET 0..100
           x:a 0..30
           x:b 50..60",
    );
    let rects = flame_layout(&tree, 0, 200.0);
    assert_eq!(
        drawn(&store, &tree, &rects),
        [
            ("api:GET".to_string(), 0, 0.0, 200.0),
            ("x:a".to_string(), 1, 0.0, 60.0),
            ("x:b".to_string(), 1, 60.0, 20.0),
        ]
    );
}

#[test]
fn parallel_children_share_the_time_they_covered() {
    // Two 100 ns children in parallel under a 100 ns parent: half each, not twice the parent.
    let (_, tree) = tree_of(
        "
         api:GET 0..100
           x:a 0..100
           x:b 0..100",
    );
    let root = &tree.nodes[0];
    assert_eq!((root.self_nanos, root.children_nanos), (0, 200));
    let rects = flame_layout(&tree, 0, 200.0);
    let widths: Vec<f64> = rects.iter().map(|r| r.width_px).collect();
    assert_eq!(widths, [200.0, 100.0, 100.0]);
    assert_eq!(rects[2].x_px, 100.0);

    // Covering 40 of 100 ns in parallel: both fit in 40 %, the 60 % of self time is left.
    let (_, tree) = tree_of(
        "
         api:GET 0..100
           x:a 0..40
           x:b 0..40",
    );
    assert_eq!(tree.nodes[0].self_nanos, 60);
    let rects = flame_layout(&tree, 0, 200.0);
    let widths: Vec<f64> = rects.iter().map(|r| r.width_px).collect();
    assert_eq!(widths, [200.0, 40.0, 40.0]);
}

#[test]
fn several_roots_hang_under_a_synthetic_root() {
    let (store, tree) = tree_of(
        "
         api:GET 0..100
           db:q 10..20
         worker:job 200..250",
    );
    assert!(tree.synthetic_root);
    let root = &tree.nodes[0];
    assert_eq!((root.count, root.total_nanos, root.self_nanos), (0, 150, 0));
    let order = frames(&store, &tree, &root.children);
    assert_eq!(order, ["api:GET", "worker:job"]);
    assert_eq!(flame_layout(&tree, 0, 150.0)[2].width_px, 50.0);
}

#[test]
fn many_traces_aggregate_into_one_tree() {
    let (store, traces) = traces_of(
        "
         api:GET 0..100
           db:q 10..20
         ---
         api:GET 0..50
           db:q 10..40
           db:q 40..45 error
         ---
         api:GET 0..10
         ---
         api:POST 0..1000",
    );
    let root = traces[0].root_name;
    let service = traces[0].root_service;
    let same: Vec<&Trace> = traces_with_root(&traces, service, root).collect();
    assert_eq!(same.len(), 3);
    let tree = flame_tree(&store, same);
    assert!(tree.synthetic_root);
    assert_eq!(tree.trace_count, 3);
    assert_eq!(tree.nodes[0].total_nanos, 160);
    let get = at(&store, &tree, &["*", "api:GET"]);
    assert_eq!((get.count, get.total_nanos, get.self_nanos), (3, 160, 115));
    let q = at(&store, &tree, &["*", "api:GET", "db:q"]);
    assert_eq!((q.count, q.errors, q.total_nanos), (3, 1, 45));
    assert_eq!(tree.nodes.len(), 3);
}

/// A root with a deeper left part: `api:GET` 100 ns, `a:x` 60 (with `b:y` 30), `c:z` 30.
const NESTED: &str = "
                      api:GET 0..100
                        a:x 0..60
                          b:y 0..30
                        c:z 60..90";

#[test]
fn layout_widths_are_proportional_to_totals() {
    let (store, tree) = tree_of(NESTED);
    let rects = flame_layout(&tree, 0, 1000.0);
    assert_eq!(
        drawn(&store, &tree, &rects),
        [
            ("api:GET".to_string(), 0, 0.0, 1000.0),
            ("a:x".to_string(), 1, 0.0, 600.0),
            ("c:z".to_string(), 1, 600.0, 300.0),
            ("b:y".to_string(), 2, 0.0, 300.0),
        ]
    );
}

#[test]
fn zooming_fills_the_width_with_the_node_and_keeps_its_ancestors() {
    let (store, tree) = tree_of(NESTED);
    let ax = node_at(
        &store,
        &tree.nodes,
        |n| &n.children,
        |n| (n.service, n.name),
        &["*", "a:x"],
    );
    let rects = flame_layout(&tree, ax.unwrap(), 1000.0);
    assert_eq!(
        drawn(&store, &tree, &rects),
        [
            ("api:GET".to_string(), 0, 0.0, 1000.0),
            ("a:x".to_string(), 1, 0.0, 1000.0),
            ("b:y".to_string(), 2, 0.0, 500.0),
        ]
    );
    assert!(flame_layout(&tree, 99, 1000.0).is_empty());
    assert!(flame_layout(&tree, 0, 0.0).is_empty());
    assert!(flame_layout(&tree, 0, f64::NAN).is_empty());
}

/// One root of `root_nanos` with children of the given durations, back to back, each with
/// a name of its own.
fn wide(root_nanos: i64, children: &[i64]) -> String {
    let mut text = format!("api:GET 0..{root_nanos}\n");
    let mut at = 0;
    for (k, d) in children.iter().enumerate() {
        text += &format!("  x:op{k:05} {at}..{}\n", at + d);
        at += d;
    }
    text
}

#[test]
fn narrow_siblings_merge_into_one_rectangle() {
    // 1,000 children of 1 ns in 100 px: 0.1 px each, drawn as one rectangle.
    let (_, tree) = tree_of(&wide(1000, &[1; 1000]));
    let rects = flame_layout(&tree, 0, 100.0);
    assert_eq!(rects.len(), 2);
    let merged = rects[1];
    assert_eq!((merged.depth, merged.merged, merged.x_px), (1, 1000, 0.0));
    assert!((merged.width_px - 100.0).abs() < 1e-9);
    assert_eq!(merged.node, tree.nodes[0].children[0]);
}

#[test]
fn narrow_runs_under_half_a_pixel_are_dropped() {
    let (_, tree) = tree_of(&wide(10_000, &[9_990, 1, 1, 1]));
    let rects = flame_layout(&tree, 0, 1000.0);
    let widths: Vec<f64> = rects.iter().map(|r| r.width_px).collect();
    assert_eq!(widths, [1000.0, 999.0]);
}

#[test]
fn a_row_holds_a_bounded_number_of_rectangles() {
    // 20,000 children of mixed sizes (1 to 50 ns) in 300 px.
    let sizes: Vec<i64> = (0..20_000).map(|k| 1 + (k * 7919) % 50).collect();
    let (_, tree) = tree_of(&wide(sizes.iter().sum(), &sizes));
    let rects = flame_layout(&tree, 0, 300.0);
    assert!(
        rects.len() <= 1 + (2.0 * 300.0 / MIN_RECT_PX) as usize,
        "{}",
        rects.len()
    );
    let drawn: u32 = rects[1..].iter().map(|r| r.merged).sum();
    assert_eq!(drawn, 20_000);
    let right = rects.last().map(|r| r.x_px + r.width_px).unwrap_or(0.0);
    assert!((right - 300.0).abs() < 1e-6, "{right}");
}

/// A flame tree seen without its shortcuts: children totals added up on each call, and
/// children not known to come widest first.
struct Plain<'t>(&'t FlameTree);

impl FlameShape for Plain<'_> {
    fn node_count(&self) -> usize {
        self.0.node_count()
    }
    fn parent(&self, node: u32) -> u32 {
        self.0.parent(node)
    }
    fn children(&self, node: u32) -> &[u32] {
        self.0.children(node)
    }
    fn total_nanos(&self, node: u32) -> i64 {
        self.0.total_nanos(node)
    }
    fn self_nanos(&self, node: u32) -> i64 {
        self.0.self_nanos(node)
    }
    fn label(&self, node: u32) -> (StrId, StrId) {
        self.0.label(node)
    }
}

#[test]
fn the_widest_first_shortcut_lays_out_the_same_rectangles() {
    let sizes: Vec<i64> = (0..20_000).map(|k| 1 + (k * 7919) % 50).collect();
    let (_, flat) = tree_of(&wide(sizes.iter().sum(), &sizes));
    let gen = generated(5, 30, 200);
    let gen_tree = flame_tree(&gen, &build_traces(&gen));
    for tree in [&flat, &gen_tree] {
        for width in [100.0, 1500.0, 1e6] {
            let fast = flame_layout(tree, 0, width);
            let plain = flame_layout(&Plain(tree), 0, width);
            assert_eq!(fast.len(), plain.len(), "width {width}");
            for (f, p) in fast.iter().zip(&plain) {
                assert_eq!((f.node, f.depth, f.merged), (p.node, p.depth, p.merged));
                assert!((f.x_px - p.x_px).abs() < 1e-6 && (f.width_px - p.width_px).abs() < 1e-6);
            }
        }
    }
}

#[test]
fn the_hit_test_finds_the_rectangle_under_the_pointer() {
    let (store, tree) = tree_of(NESTED);
    let rects = flame_layout(&tree, 0, 1000.0);
    let hit = |x: f64, depth: u32| {
        flame_at(&rects, x, depth).map(|r| frames(&store, &tree, &[r.node]).remove(0))
    };
    assert_eq!(hit(0.0, 0).as_deref(), Some("api:GET"));
    assert_eq!(hit(599.9, 1).as_deref(), Some("a:x"));
    assert_eq!(hit(600.0, 1).as_deref(), Some("c:z"));
    assert_eq!(hit(299.0, 2).as_deref(), Some("b:y"));
    assert_eq!(hit(950.0, 1), None, "the root's self time");
    assert_eq!(hit(400.0, 2), None);
    assert_eq!(hit(10.0, 3), None);
    assert_eq!(hit(-1.0, 0), None);
    assert_eq!(hit(1000.0, 0), None);
}

#[test]
fn search_matches_service_or_operation_ignoring_case() {
    let (store, tree) = tree_of(
        "
         api:GET /cart 0..100
           db:SELECT carts 10..20
           cache:get 20..30
             Db:select 22..28",
    );
    let found = |text: &str| frames(&store, &tree, &flame_search(&store.strings, &tree, text));
    assert_eq!(found("sel"), ["db:SELECT carts", "Db:select"]);
    assert_eq!(found("DB"), ["db:SELECT carts", "Db:select"]);
    assert_eq!(found("get"), ["api:GET /cart", "cache:get"]);
    assert!(found("").is_empty());
    assert!(found("nothing").is_empty());
}

/// The flame tree of `traces` built in steps of `budget`, with the number of steps.
fn stepped<'t>(store: &'t Store, traces: &'t [Trace], budget: usize) -> (FlameTree, usize) {
    let mut build = FlameBuild::new(store, traces);
    let mut steps = 1;
    while !build.step(budget) {
        steps += 1;
    }
    (build.finish(), steps)
}

/// A generated file of `traces` traces of `spans` spans each.
fn generated(seed: u64, traces: usize, spans: usize) -> Store {
    let cfg = spanorama_gen::GenConfig {
        seed,
        traces,
        spans_min: spans,
        spans_max: spans,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    crate::import::import("gen.json", &bytes).unwrap()
}

#[test]
fn stepped_builds_equal_the_one_shot_build() {
    let (hand, hand_traces) = traces_of(&(wide(100, &[10, 20, 5]) + "---\n" + NESTED));
    let gen = generated(3, 12, 150);
    let gen_traces = build_traces(&gen);
    // 3,000 children of a span, with many equal totals: sorted over many steps.
    let sizes: Vec<i64> = (0..3000).map(|k| 1 + (k * 7919) % 50).collect();
    let (flat, flat_traces) = traces_of(&wide(sizes.iter().sum(), &sizes));
    let inputs = [
        (&hand, &hand_traces),
        (&gen, &gen_traces),
        (&flat, &flat_traces),
    ];
    for (store, traces) in inputs {
        let whole = flame_tree(store, traces);
        let spans: usize = traces.iter().map(|t| t.len()).sum();
        for budget in [1, 7, 1000] {
            let (tree, steps) = stepped(store, traces, budget);
            assert_eq!(tree, whole, "budget {budget}");
            assert!(steps > 2 * spans / budget, "budget {budget}: {steps} steps");
        }
    }
}

#[test]
fn a_build_finished_early_keeps_every_node_under_its_parent() {
    // 3,000 children of one span: budget-1 steps stop half way through sorting them.
    let sizes: Vec<i64> = (0..3000).map(|k| 1 + (k * 7919) % 50).collect();
    let (store, traces) = traces_of(&wide(sizes.iter().sum(), &sizes));
    let walk = 2 * 3001 + 1;
    for steps in [10, walk, walk + 500, walk + 5000] {
        let mut build = FlameBuild::new(&store, &traces);
        for _ in 0..steps {
            assert!(!build.step(1), "done after {steps} steps");
        }
        let tree = build.finish();
        let listed: usize = tree.nodes.iter().map(|n| n.children.len()).sum();
        assert_eq!(listed + 1, tree.nodes.len(), "after {steps} steps");
    }
}

/// Checks a tree's invariants against `traces`: the root's total is the sum of the root
/// spans' durations, counts add up to the spans, self times to the spans' self times as
/// [`self_time_nanos`] finds them, parents come first and children are left heavy.
fn check_invariants(store: &Store, traces: &[Trace], tree: &FlameTree) {
    let mut root_nanos = 0;
    let mut self_nanos = 0;
    for trace in traces {
        for pos in 0..trace.len() as u32 {
            if trace.parent[pos as usize] == NO_PARENT {
                let span = &store.spans[trace.spans[pos as usize] as usize];
                root_nanos += span.end_unix_nanos() - span.start_unix_nanos;
            }
            self_nanos += self_time_nanos(store, trace, pos).unwrap_or(0);
        }
    }
    let spans: usize = traces.iter().map(|t| t.len()).sum();
    assert_eq!(tree.nodes[0].total_nanos, root_nanos);
    assert_eq!(
        tree.nodes.iter().map(|n| n.count).sum::<u64>(),
        spans as u64
    );
    assert_eq!(
        tree.nodes.iter().map(|n| n.self_nanos).sum::<i64>(),
        self_nanos
    );
    for (i, node) in tree.nodes.iter().enumerate() {
        assert!(0 <= node.self_nanos && node.self_nanos <= node.total_nanos);
        let children: i64 = node
            .children
            .iter()
            .map(|&c| tree.nodes[c as usize].total_nanos)
            .sum();
        assert_eq!(node.children_nanos, children);
        assert!(children >= node.total_nanos - node.self_nanos);
        assert!(i == 0 || (node.parent as usize) < i);
        let totals: Vec<i64> = node
            .children
            .iter()
            .map(|&c| tree.nodes[c as usize].total_nanos)
            .collect();
        assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    }
}

#[test]
fn a_generated_trace_adds_up() {
    let store = generated(7, 1, 5000);
    let traces = build_traces(&store);
    let tree = flame_tree(&store, &traces);
    assert!(!tree.synthetic_root);
    check_invariants(&store, &traces, &tree);
    let rects = flame_layout(&tree, 0, 1500.0);
    assert!(rects.len() < tree.nodes.len(), "{} rects", rects.len());
}

#[test]
fn generated_traces_add_up() {
    let store = generated(11, 40, 300);
    let traces = build_traces(&store);
    let tree = flame_tree(&store, &traces);
    assert!(tree.synthetic_root);
    check_invariants(&store, &traces, &tree);
}

#[test]
fn no_traces_give_an_empty_root() {
    let store = Store::default();
    let tree = flame_tree(&store, &[]);
    assert_eq!(tree.nodes.len(), 1);
    assert!(tree.synthetic_root);
    assert_eq!(flame_layout(&tree, 0, 100.0).len(), 1);
}

/// One trace that is a chain of `n` spans, each the only child of the one before.
fn chain(n: u64) -> Store {
    let mut store = Store::default();
    let name = store.strings.intern("op");
    store.spans = (0..n)
        .map(|k| Span {
            trace_id: TraceId(1),
            span_id: SpanId(k + 1),
            parent_id: SpanId(k),
            start_unix_nanos: k as i64,
            duration_nanos: 2 * (n - k) as i64,
            service: name,
            name,
            kind: SpanKind::Internal,
            status: Default::default(),
            status_message: Default::default(),
            resource: 0,
            attrs: Default::default(),
            events: Default::default(),
            links: Default::default(),
            file: 0,
        })
        .collect();
    store
}

#[test]
fn a_deep_chain_is_walked_without_recursion() {
    let n = 200_000;
    let store = chain(n);
    let traces = build_traces(&store);
    let tree = flame_tree(&store, &traces);
    assert_eq!(tree.nodes.len(), n as usize);
    assert_eq!(tree.nodes[0].total_nanos, 2 * n as i64);
    let last = tree.nodes.last().unwrap();
    assert_eq!((last.total_nanos, last.self_nanos), (2, 2));
    let deepest = tree.nodes.len() as u32 - 1;
    assert_eq!(tree.path_to(deepest).len(), n as usize);
    let rects = flame_layout(&tree, 0, 1000.0);
    assert!(rects.len() < n as usize);
}
