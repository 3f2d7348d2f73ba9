//! The graph's two sortable tables, `#graph-nodes` and `#graph-edges`: what keyboard and
//! screen-reader users read, and where a big graph's nodes are found.

use super::{nanos, Selection};
use crate::ui::Shared;
use spanorama_core::model::graph::{GraphEdge, GraphNode, ServiceGraph};
use spanorama_core::model::units::format_count;
use std::cmp::Ordering;
use yew::prelude::*;

/// A table's sort: a column and its direction.
#[derive(Copy, Clone, PartialEq)]
struct Sort {
    column: usize,
    descending: bool,
}

/// A sortable column: its title, how it orders two rows, and whether it is a number.
struct Column<T> {
    title: &'static str,
    order: fn(&ServiceGraph, &T, &T) -> Ordering,
    numeric: bool,
}

/// Header cells that sort by their column (again: the other way).
fn header<T>(columns: &[Column<T>], sort: &UseStateHandle<Sort>) -> Html {
    let cell = |i: usize, c: &Column<T>| {
        let sort = sort.clone();
        let current = *sort;
        // A new column sorts numbers biggest first and names A to Z.
        let numeric = c.numeric;
        let onclick = Callback::from(move |_: MouseEvent| {
            let descending = if current.column == i {
                !current.descending
            } else {
                numeric
            };
            sort.set(Sort {
                column: i,
                descending,
            })
        });
        let aria = match (current.column == i, current.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        html! {
            <th aria-sort={aria} class={classes!(c.numeric.then_some("num"))}>
                <button class="sort" {onclick}>{ c.title }</button>
            </th>
        }
    };
    html! { <tr>{ for columns.iter().enumerate().map(|(i, c)| cell(i, c)) }</tr> }
}

/// Row indices of `items` in the order `sort` says.
fn sorted<T>(graph: &ServiceGraph, items: &[T], columns: &[Column<T>], sort: Sort) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..items.len()).collect();
    if let Some(column) = columns.get(sort.column) {
        rows.sort_by(|&a, &b| {
            let o = (column.order)(graph, &items[a], &items[b]);
            if sort.descending {
                o.reverse()
            } else {
                o
            }
        });
    }
    rows
}

#[derive(Properties, PartialEq)]
pub(super) struct TableProps {
    pub graph: Shared<ServiceGraph>,
    pub onselect: Callback<Selection>,
    /// Only nodes (and edges with an end) whose name contains it, ignoring case.
    pub filter: String,
}

/// Whether `name` contains `filter` (lower case), ignoring case.
fn matches_filter(name: &str, filter: &str) -> bool {
    filter.is_empty() || name.to_lowercase().contains(filter)
}

const NODE_COLUMNS: [Column<GraphNode>; 7] = [
    Column {
        title: "Node",
        order: |_, a, b| a.name.cmp(&b.name),
        numeric: false,
    },
    Column {
        title: "Kind",
        order: |_, a, b| a.kind.cmp(&b.kind),
        numeric: false,
    },
    Column {
        title: "Spans",
        order: |_, a, b| a.spans.cmp(&b.spans),
        numeric: true,
    },
    Column {
        title: "Errors",
        order: |_, a, b| a.errors.cmp(&b.errors),
        numeric: true,
    },
    Column {
        title: "Calls in",
        order: |_, a, b| a.calls_in.cmp(&b.calls_in),
        numeric: true,
    },
    Column {
        title: "Calls out",
        order: |_, a, b| a.calls_out.cmp(&b.calls_out),
        numeric: true,
    },
    Column {
        title: "Server p95",
        order: |_, a, b| a.server_latency.p95.cmp(&b.server_latency.p95),
        numeric: true,
    },
];

/// Every node: a `tr` with `data-node`, `data-kind`, `data-spans`, `data-errors`.
#[function_component(NodeTable)]
pub(super) fn node_table(props: &TableProps) -> Html {
    let filter = props.filter.trim().to_lowercase();
    let sort = use_state(|| Sort {
        column: 4,
        descending: true,
    });
    let g = &props.graph;
    let row = |(i, n): (usize, &GraphNode)| {
        let onselect = props.onselect.clone();
        let onclick = Callback::from(move |_: MouseEvent| onselect.emit(Selection::Node(i)));
        html! {
            <tr data-node={n.name.clone()} data-kind={n.kind.as_str()} data-spans={n.spans.to_string()}
                data-errors={n.errors.to_string()}>
                <td class="name"><button class="link" {onclick}>{ n.name.clone() }</button></td>
                <td>{ n.kind.as_str() }{ if n.inferred { " (inferred)" } else { "" } }</td>
                <td class="num">{ format_count(n.spans) }</td>
                <td class="num">{ format_count(n.errors) }</td>
                <td class="num">{ format_count(n.calls_in) }</td>
                <td class="num">{ format_count(n.calls_out) }</td>
                <td class="num">{ nanos(n.server_latency.p95) }</td>
            </tr>
        }
    };
    html! {
        <div class="graph-table-box">
        <table id="graph-nodes" class="graph-table">
            <caption>{ format!("{} nodes", format_count(g.nodes.len() as u64)) }</caption>
            <thead>{ header(&NODE_COLUMNS, &sort) }</thead>
            <tbody>{ for sorted(g, &g.nodes, &NODE_COLUMNS, *sort).into_iter()
                .filter(|&i| matches_filter(&g.nodes[i].name, &filter))
                .map(|i| row((i, &g.nodes[i]))) }</tbody>
        </table>
        </div>
    }
}

const EDGE_COLUMNS: [Column<GraphEdge>; 8] = [
    Column {
        title: "From → to",
        order: |g, a, b| edge_name(g, a).cmp(&edge_name(g, b)),
        numeric: false,
    },
    Column {
        title: "Calls",
        order: |_, a, b| a.calls.cmp(&b.calls),
        numeric: true,
    },
    Column {
        title: "Errors",
        order: |_, a, b| a.errors.cmp(&b.errors),
        numeric: true,
    },
    Column {
        title: "Error %",
        order: |_, a, b| a.error_rate().total_cmp(&b.error_rate()),
        numeric: true,
    },
    Column {
        title: "p50",
        order: |_, a, b| a.latency.p50.cmp(&b.latency.p50),
        numeric: true,
    },
    Column {
        title: "p95",
        order: |_, a, b| a.latency.p95.cmp(&b.latency.p95),
        numeric: true,
    },
    Column {
        title: "p99",
        order: |_, a, b| a.latency.p99.cmp(&b.latency.p99),
        numeric: true,
    },
    Column {
        title: "Gap p50",
        order: |_, a, b| a.gap.p50.cmp(&b.gap.p50),
        numeric: true,
    },
];

pub(super) fn edge_name(g: &ServiceGraph, e: &GraphEdge) -> (String, String) {
    let name = |i: usize| g.nodes.get(i).map_or_else(String::new, |n| n.name.clone());
    (name(e.from), name(e.to))
}

/// Every edge: a `tr` with `data-from`, `data-to`, `data-calls`, `data-errors`,
/// `data-p50-ns`, `data-p95-ns` (empty when unknown).
#[function_component(EdgeTable)]
pub(super) fn edge_table(props: &TableProps) -> Html {
    let filter = props.filter.trim().to_lowercase();
    let sort = use_state(|| Sort {
        column: 1,
        descending: true,
    });
    let g = &props.graph;
    let ns = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let row = |(i, e): (usize, &GraphEdge)| {
        let (from, to) = edge_name(g, e);
        let onselect = props.onselect.clone();
        let onclick = Callback::from(move |_: MouseEvent| onselect.emit(Selection::Edge(i)));
        html! {
            <tr data-from={from.clone()} data-to={to.clone()} data-calls={e.calls.to_string()}
                data-errors={e.errors.to_string()} data-p50-ns={ns(e.latency.p50)} data-p95-ns={ns(e.latency.p95)}>
                <td class="name"><button class="link" {onclick}>{ format!("{from} → {to}") }</button>{ if e.messaging { " (async)" } else { "" } }</td>
                <td class="num">{ format_count(e.calls) }</td>
                <td class="num">{ format_count(e.errors) }</td>
                <td class="num">{ format!("{:.1} %", e.error_rate() * 100.0) }</td>
                <td class="num">{ nanos(e.latency.p50) }</td>
                <td class="num">{ nanos(e.latency.p95) }</td>
                <td class="num">{ nanos(e.latency.p99) }</td>
                <td class="num">{ nanos(e.gap.p50) }</td>
            </tr>
        }
    };
    html! {
        <div class="graph-table-box">
        <table id="graph-edges" class="graph-table">
            <caption>{ format!("{} calls between them", format_count(g.edges.len() as u64)) }</caption>
            <thead>{ header(&EDGE_COLUMNS, &sort) }</thead>
            <tbody>{ for sorted(g, &g.edges, &EDGE_COLUMNS, *sort).into_iter()
                .filter(|&i| {
                    let (from, to) = edge_name(g, &g.edges[i]);
                    matches_filter(&from, &filter) || matches_filter(&to, &filter)
                })
                .map(|i| row((i, &g.edges[i]))) }</tbody>
        </table>
        </div>
    }
}
