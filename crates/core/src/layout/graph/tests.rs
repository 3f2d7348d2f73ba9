//! Native tests of the service-graph layout: shapes (chain, diamond, cycle, self-loop,
//! disconnected parts, a lone node), the geometry's invariants, determinism, the shape and
//! its flat form, focusing, and Jaeger's small dependency example.

use super::*;
use crate::model::graph::{GraphEdge, GraphNode, NodeKind, Percentiles};
use std::collections::BTreeMap;

fn node(name: &str) -> GraphNode {
    GraphNode::new(name.to_string(), NodeKind::Service, false)
}

/// A graph of `(caller, callee, calls)`; nodes sorted by name, as the model sorts them.
fn graph_of(calls: &[(&str, &str, u64)], lone: &[&str]) -> ServiceGraph {
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for &(a, b, _) in calls {
        names.insert(a, 0);
        names.insert(b, 0);
    }
    for &n in lone {
        names.insert(n, 0);
    }
    let mut nodes = Vec::new();
    for (i, (name, index)) in names.iter_mut().enumerate() {
        *index = i;
        nodes.push(node(name));
    }
    let mut edges: Vec<GraphEdge> = Vec::new();
    for &(a, b, n) in calls {
        let (from, to) = (names[a], names[b]);
        nodes[from].calls_out += n;
        nodes[to].calls_in += n;
        edges.push(GraphEdge {
            from,
            to,
            calls: n,
            errors: 0,
            messaging: false,
            latency: Percentiles::default(),
            gap: Percentiles::default(),
            callers: Vec::new(),
        });
    }
    edges.sort_by_key(|e| (e.from, e.to));
    ServiceGraph { nodes, edges }
}

fn layout(graph: &ServiceGraph) -> GraphLayout {
    let layout = layout_graph(graph, &GraphLayoutOptions::default());
    check(graph, &layout);
    layout
}

fn at<'a>(graph: &ServiceGraph, layout: &'a GraphLayout, name: &str) -> &'a NodePlace {
    &layout.nodes[graph.node(name).unwrap()]
}

/// The invariants every layout keeps.
fn check(graph: &ServiceGraph, layout: &GraphLayout) {
    assert_eq!(layout.nodes.len(), graph.nodes.len());
    assert_eq!(layout.edges.len(), graph.edges.len());
    no_overlaps(&layout.nodes);
    for (edge, path) in graph.edges.iter().zip(&layout.edges) {
        let (a, b) = (layout.nodes[edge.from], layout.nodes[edge.to]);
        assert_eq!(
            path.points.first(),
            Some(&(a.x + a.radius, a.y)),
            "{edge:?}"
        );
        assert_eq!(path.points.last(), Some(&(b.x - b.radius, b.y)), "{edge:?}");
        clears_nodes(path, &layout.nodes);
    }
    let b = layout.bounds;
    for n in &layout.nodes {
        assert!(n.x - n.radius >= b.min_x && n.x + n.radius <= b.max_x);
        assert!(n.y - n.radius >= b.min_y && n.y + n.radius <= b.max_y);
    }
}

fn no_overlaps(nodes: &[NodePlace]) {
    for (i, a) in nodes.iter().enumerate() {
        for b in &nodes[i + 1..] {
            let d = (a.x - b.x).hypot(a.y - b.y);
            assert!(d >= a.radius + b.radius, "{a:?} overlaps {b:?}");
        }
    }
}

/// No segment passes inside a node (touching its rim, where an edge starts or ends, is
/// fine).
fn clears_nodes(path: &EdgePath, nodes: &[NodePlace]) {
    for w in path.points.windows(2) {
        for n in nodes {
            let d = distance_to_segment((n.x, n.y), w[0], w[1]);
            assert!(d >= n.radius - 1e-6, "{w:?} cuts {n:?}");
        }
    }
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

#[test]
fn chain_reads_left_to_right() {
    let g = graph_of(&[("a", "b", 5), ("b", "c", 5), ("c", "d", 5)], &[]);
    let l = layout(&g);
    let xs: Vec<f64> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| at(&g, &l, n).x)
        .collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    // A straight chain needs no bends.
    for path in &l.edges {
        assert!(path.points.windows(2).all(|w| w[0].1 == w[1].1), "{path:?}");
    }
}

#[test]
fn diamond_has_three_layers() {
    let g = graph_of(
        &[("a", "b", 1), ("a", "c", 1), ("b", "d", 1), ("c", "d", 1)],
        &[],
    );
    let l = layout(&g);
    let (a, b, c, d) = (
        at(&g, &l, "a"),
        at(&g, &l, "b"),
        at(&g, &l, "c"),
        at(&g, &l, "d"),
    );
    assert_eq!(b.x, c.x);
    assert_ne!(b.y, c.y);
    assert!(a.x < b.x && c.x < d.x);
}

#[test]
fn long_edge_runs_around_the_layer_between() {
    // a → c skips b's layer, and would cut through b if drawn straight.
    let g = graph_of(&[("a", "b", 1), ("b", "c", 1), ("a", "c", 1)], &[]);
    let l = layout(&g);
    let path = &l.edges[g
        .edges
        .iter()
        .position(|e| e.to == 2 && e.from == 0)
        .unwrap()];
    assert!(path.points.len() > 2, "{path:?}");
}

#[test]
fn cycle_lays_out() {
    let g = graph_of(
        &[("a", "b", 3), ("b", "a", 2), ("b", "c", 1), ("c", "a", 1)],
        &[],
    );
    let l = layout(&g);
    // One edge of the cycle goes backwards, and still leaves its caller's right side.
    let backwards = g
        .edges
        .iter()
        .filter(|e| l.nodes[e.from].x >= l.nodes[e.to].x)
        .count();
    assert!(backwards >= 1);
}

#[test]
fn self_loop_goes_over_its_node() {
    let g = graph_of(&[("a", "a", 4), ("a", "b", 1)], &[]);
    let l = layout(&g);
    let a = at(&g, &l, "a");
    let path = &l.edges[g.edges.iter().position(|e| e.from == e.to).unwrap()];
    assert!(path.points.iter().any(|p| p.1 < a.y - a.radius));
    assert!(at(&g, &l, "b").x > a.x);
}

#[test]
fn disconnected_parts_and_a_lone_node_do_not_overlap() {
    let g = graph_of(&[("a", "b", 1), ("c", "d", 1), ("d", "e", 1)], &["lone"]);
    let l = layout(&g);
    // Each part keeps its own left-to-right order.
    assert!(at(&g, &l, "a").x < at(&g, &l, "b").x);
    assert!(at(&g, &l, "c").x < at(&g, &l, "d").x);
    assert!(l.bounds.width() > 0.0 && l.bounds.height() > 0.0);
}

#[test]
fn only_lone_nodes_make_a_grid() {
    let names: Vec<String> = (0..16).map(|i| format!("n{i:02}")).collect();
    let lone: Vec<&str> = names.iter().map(String::as_str).collect();
    let l = layout(&graph_of(&[], &lone));
    assert!(l.bounds.width() < 3.0 * l.bounds.height(), "{:?}", l.bounds);
    assert!(l.bounds.height() < 3.0 * l.bounds.width(), "{:?}", l.bounds);
}

#[test]
fn empty_graph_lays_out_empty() {
    let l = layout(&ServiceGraph::default());
    assert!(l.nodes.is_empty() && l.edges.is_empty());
    assert_eq!(l.bounds, Bounds::default());
}

#[test]
fn busier_nodes_are_bigger() {
    let g = graph_of(&[("a", "b", 1000), ("a", "c", 1)], &[]);
    let l = layout(&g);
    assert!(at(&g, &l, "b").radius > at(&g, &l, "c").radius);
    let o = GraphLayoutOptions::default();
    assert!(l
        .nodes
        .iter()
        .all(|n| n.radius >= o.min_radius && n.radius <= o.max_radius));
}

#[test]
fn edge_out_of_range_gets_no_path() {
    let mut g = graph_of(&[("a", "b", 1)], &[]);
    g.edges[0].to = 7;
    let l = layout_graph(&g, &GraphLayoutOptions::default());
    assert!(l.edges[0].points.is_empty());
    no_overlaps(&l.nodes);
}

#[test]
fn same_input_same_output() {
    let g = jaeger("jaegerui-deps-small.json");
    let o = GraphLayoutOptions::default();
    assert_eq!(layout_graph(&g, &o), layout_graph(&g, &o));
    assert_eq!(GraphShape::of(&g, &o), GraphShape::of(&g, &o));
}

#[test]
fn the_shape_changes_with_the_graph_and_lays_out_the_same() {
    let g = graph_of(&[("a", "b", 1)], &[]);
    let h = graph_of(&[("a", "b", 1), ("b", "c", 1)], &[]);
    let o = GraphLayoutOptions::default();
    assert_ne!(GraphShape::of(&g, &o), GraphShape::of(&h, &o));
    assert_eq!(GraphShape::of(&h, &o).size(), 5);
    assert_eq!(
        layout_shape(&GraphShape::of(&h, &o), &o),
        layout_graph(&h, &o)
    );
}

#[test]
fn shapes_and_layouts_survive_flat_arrays() {
    use super::flat::{FlatLayout, FlatShape};
    let g = jaeger("jaegerui-deps-small.json");
    let o = GraphLayoutOptions {
        layer_gap: 300.0,
        ..GraphLayoutOptions::default()
    };
    let shape = GraphShape::of(&g, &o);
    let flat = FlatShape::new(&shape, &o);
    assert_eq!(flat.decode(), Some((shape, o)));
    let l = layout_graph(&g, &o);
    assert_eq!(FlatLayout::new(&l).decode(), Some(l));
    // Malformed: odd edge ends, options missing, points not matching the counts.
    let odd = FlatShape {
        ends: vec![0, 1, 2],
        ..flat.clone()
    };
    assert_eq!(odd.decode(), None);
    let bare = FlatShape {
        options: vec![1.0],
        ..flat
    };
    assert_eq!(bare.decode(), None);
    let short = FlatLayout {
        counts: vec![3],
        points: vec![0.0; 4],
        nodes: vec![0.0; 3],
    };
    assert_eq!(short.decode(), None);
    let ragged = FlatLayout {
        nodes: vec![0.0; 4],
        ..FlatLayout::default()
    };
    assert_eq!(ragged.decode(), None);
}

#[test]
fn focus_follows_the_direction_and_hops() {
    let g = graph_of(
        &[("a", "b", 1), ("b", "c", 1), ("c", "d", 1), ("x", "c", 1)],
        &[],
    );
    let names =
        |s: &Subgraph| -> Vec<String> { s.graph.nodes.iter().map(|n| n.name.clone()).collect() };
    let b = g.node("b").unwrap();
    assert_eq!(
        names(&focus(&g, b, 1, FocusDirection::Downstream)),
        ["b", "c"]
    );
    assert_eq!(
        names(&focus(&g, b, 1, FocusDirection::Upstream)),
        ["a", "b"]
    );
    let both = focus(&g, b, 2, FocusDirection::Both);
    assert_eq!(names(&both), ["a", "b", "c", "d", "x"]);
    assert_eq!(both.graph.edges.len(), 4);
    let down = focus(&g, b, 2, FocusDirection::Downstream);
    assert_eq!(down.original, [1, 2, 3]);
    assert_eq!(down.graph.edges.len(), 2);
    layout(&down.graph);
    assert_eq!(focus(&g, 99, 2, FocusDirection::Both), Subgraph::default());
}

/// A Jaeger dependencies file (`{"data": [...]}` or a bare array of
/// `{parent, child, callCount}`) from the shared corpus.
fn jaeger(file: &str) -> ServiceGraph {
    let path = format!("../../../shared/corpus/jaeger-deps/{file}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let list = value.get("data").unwrap_or(&value).as_array().unwrap();
    let calls: Vec<(&str, &str, u64)> = list
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap();
            (
                s("parent"),
                s("child"),
                d["callCount"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    graph_of(&calls, &[])
}

#[test]
fn jaeger_small_example_lays_out() {
    let g = jaeger("jaegerui-deps-small.json");
    assert!(g.nodes.len() >= 5);
    let l = layout(&g);
    assert!(l.bounds.width() > 0.0);
}

#[test]
fn jaeger_large_example_busiest_neighbourhood_lays_out() {
    let g = jaeger("jaegerui-deps-large.json");
    assert_eq!(g.nodes.len(), 1238);
    let traffic = |i: usize| g.nodes[i].calls_in + g.nodes[i].calls_out;
    let busiest = (0..g.nodes.len()).max_by_key(|&i| traffic(i)).unwrap();
    let near = focus(&g, busiest, 1, FocusDirection::Both);
    assert!(near.graph.nodes.len() > 50);
    layout(&near.graph);
}
