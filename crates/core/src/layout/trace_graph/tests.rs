//! The trace graph on small traces written as text: what is drawn, the bound on big trees,
//! the top-down placement, the self-time scale, and the spans of a path against a plain
//! walk up each span's ancestors.

use super::*;
use crate::layout::graph::layout_shape;
use crate::model::flame::flame_tree;
use crate::model::flame::test_spans::traces_of;

const CART: &str = "
    api:GET /cart 0..100
      db:SELECT 10..20
      auth:check 20..30
        db:SELECT 22..28
      db:SELECT 30..45 error
      db:SELECT 50..60";

fn graph_of(text: &str, max: usize) -> (Store, Vec<Trace>, FlameTree, TraceGraph) {
    let (store, traces) = traces_of(text);
    let tree = flame_tree(&store, &traces[..1]);
    let graph = TraceGraph::of(&tree, &store.strings, max);
    (store, traces, tree, graph)
}

fn label(store: &Store, tree: &FlameTree, node: u32) -> String {
    let n = &tree.nodes[node as usize];
    format!(
        "{}:{}",
        store.strings.get(n.service),
        store.strings.get(n.name)
    )
}

#[test]
fn a_node_per_call_path_and_an_edge_per_call() {
    let (store, _, tree, graph) = graph_of(CART, TRACE_GRAPH_MAX_NODES);
    assert_eq!((graph.nodes.len(), graph.total_nodes), (4, 4));
    assert_eq!(graph.edges.len(), 3);
    for &(a, b) in &graph.edges {
        let (a, b) = (&graph.nodes[a as usize], &graph.nodes[b as usize]);
        assert_eq!(tree.nodes[b.tree_node as usize].parent, a.tree_node);
    }
    let db = graph
        .nodes
        .iter()
        .find(|n| label(&store, &tree, n.tree_node) == "db:SELECT" && n.figures.starts_with('3'))
        .expect("the merged db node");
    assert_eq!(db.figures, "3 spans · 35 ns · self 35 ns");
    assert!(graph
        .nodes
        .iter()
        .all(|n| (BOX_MIN_WIDTH..=BOX_MAX_WIDTH).contains(&n.width)));
}

#[test]
fn a_big_tree_keeps_its_heaviest_nodes_with_their_callers() {
    // The root calls a (heavy, with light children) and b (light, with a heavy child).
    let (store, _, tree, graph) = graph_of(
        "
        r:root 0..1000
          s:a 0..600
            s:a1 0..10
            s:a2 10..15
          s:b 600..900
            s:b1 600..890",
        4,
    );
    assert_eq!((graph.nodes.len(), graph.total_nodes), (4, 6));
    let drawn: Vec<String> = graph
        .nodes
        .iter()
        .map(|n| label(&store, &tree, n.tree_node))
        .collect();
    assert_eq!(drawn, ["r:root", "s:a", "s:b", "s:b1"]);
    assert_eq!(graph.edges.len(), 3);
    let none = TraceGraph::of(&tree, &store.strings, 0);
    assert!(none.nodes.is_empty() && none.edges.is_empty());
}

#[test]
fn several_roots_are_drawn_without_the_synthetic_root() {
    let (store, traces) = traces_of(
        "
        a:one 0..10
          b:two 0..5
        c:three 20..30",
    );
    let tree = flame_tree(&store, &traces);
    assert!(tree.synthetic_root);
    let graph = TraceGraph::of(&tree, &store.strings, 10);
    assert_eq!(
        (graph.nodes.len(), graph.total_nodes, graph.edges.len()),
        (3, 3, 1)
    );
    assert!(graph.nodes.iter().all(|n| n.tree_node != 0));
}

#[test]
fn boxes_go_top_down_without_overlap() {
    let (_, _, _, graph) = graph_of(CART, TRACE_GRAPH_MAX_NODES);
    let options = trace_graph_options();
    let placed = graph.place(&layout_shape(&graph.shape(), &options));
    assert_eq!(placed.boxes.len(), graph.nodes.len());
    for (&(a, b), edge) in graph.edges.iter().zip(&placed.edges) {
        let (a, b) = (placed.boxes[a as usize], placed.boxes[b as usize]);
        assert!(
            b.y >= a.y + a.height + 20.0,
            "callee below its caller: {a:?} {b:?}"
        );
        assert_eq!(
            edge.points.first(),
            Some(&(a.x + a.width / 2.0, a.y + a.height))
        );
        assert_eq!(edge.points.last(), Some(&(b.x + b.width / 2.0, b.y)));
    }
    for (i, a) in placed.boxes.iter().enumerate() {
        for b in &placed.boxes[i + 1..] {
            let apart = a.x + a.width <= b.x
                || b.x + b.width <= a.x
                || a.y + a.height <= b.y
                || b.y + b.height <= a.y;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
        let centre = (a.x + a.width / 2.0, a.y + a.height / 2.0);
        assert_eq!(placed.box_at(centre), Some(i));
        let b = placed.bounds;
        assert!(a.x >= b.min_x && a.x + a.width <= b.max_x && a.y >= b.min_y);
    }
    assert_eq!(placed.box_at((-1e9, -1e9)), None);
    // A layout of another graph leaves what it lacks at the origin, without a panic.
    let short = graph.place(&GraphLayout::default());
    assert_eq!(short.boxes.len(), graph.nodes.len());
}

#[test]
fn the_self_time_scale_steps_up_with_the_share() {
    assert_eq!(heat_step(0.0), 0);
    assert_eq!(heat_step(f64::NAN), 0);
    assert_eq!(heat_step(-1.0), 0);
    assert_eq!(heat_step(0.009), 0);
    assert_eq!(heat_step(0.01), 1);
    assert_eq!(heat_step(0.3), 4);
    assert_eq!(heat_step(2.0), 5);
    assert_eq!(heat_label(0), "< 1 %");
    assert_eq!(heat_label(2), "5–10 %");
    assert_eq!(heat_label(5), "≥ 50 %");
    assert_eq!(heat_label(9), "");
    assert_eq!(self_share(25, 100), 0.25);
    assert_eq!(self_share(25, 0), 0.0);
    assert_eq!(HEAT_LIGHT.len(), HEAT_STEPS.len());
    assert_eq!(HEAT_DARK.len(), HEAT_STEPS.len());
}

/// Rows of `trace` whose frames, root first, are `path` (a walk up each span's parents).
fn on_path_plainly(store: &Store, trace: &Trace, path: &[(StrId, StrId)]) -> Vec<u32> {
    (0..trace.len() as u32)
        .filter(|&pos| {
            let mut chain = Vec::new();
            let mut at = pos;
            while at != NO_PARENT {
                let s = &store.spans[trace.spans[at as usize] as usize];
                chain.push((s.service, s.name));
                at = trace.parent[at as usize];
            }
            chain.reverse();
            chain == path
        })
        .collect()
}

#[test]
fn the_spans_of_each_node_are_those_on_its_path_for_any_budget() {
    for text in [
        CART,
        "
        a:one 0..10
          b:two 0..5
            a:one 1..2
          b:two 5..8
        a:one 20..30
          b:two 20..25
        c:three 40..50",
    ] {
        let (store, traces) = traces_of(text);
        let tree = flame_tree(&store, &traces[..1]);
        let trace = &traces[0];
        let mut total = 0;
        for node in (0..tree.nodes.len() as u32).skip(usize::from(tree.synthetic_root)) {
            let path = SpansOnPath::path_of(&tree, node);
            let want = on_path_plainly(&store, trace, &path);
            assert_eq!(want.len() as u64, tree.nodes[node as usize].count);
            for budget in [1, 2, 1000] {
                let mut walk = SpansOnPath::new(&store, trace, path.clone());
                while !walk.step(budget) {}
                assert_eq!(walk.finish(), want, "node {node}, budget {budget}");
            }
            total += want.len();
        }
        assert_eq!(total, trace.len());
    }
}

#[test]
fn an_empty_tree_draws_nothing() {
    let graph = TraceGraph::of(&FlameTree::default(), &Interner::default(), 10);
    assert_eq!(graph, TraceGraph::default());
    let placed = graph.place(&GraphLayout::default());
    assert_eq!(placed.bounds, Bounds::default());
}
