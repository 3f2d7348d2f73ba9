//! The graph's two sortable tables, `#graph-nodes` and `#graph-edges`: what keyboard and
//! screen-reader users read, and where a big graph's nodes are found.

use super::{nanos, Selection};
use crate::ui::virtual_table::{aria_row_index, VirtualTable};
use crate::ui::Shared;
use spanorama_core::model::graph::{GraphEdge, GraphNode, ServiceGraph};
use spanorama_core::model::units::format_count;
use std::cmp::Ordering;
use std::rc::Rc;
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
    let sort = use_state(|| Sort {
        column: 4,
        descending: true,
    });
    let g = &props.graph;
    let order = use_row_order(g, &NODE_COLUMNS, *sort, &props.filter, |g, i, filter| {
        matches_filter(&g.nodes[i].name, filter)
    });
    let row = {
        let (g, order, onselect) = (g.clone(), order.clone(), props.onselect.clone());
        Callback::from(move |r: usize| {
            let Some((i, n)) = order.get(r).and_then(|&i| Some((i, g.nodes.get(i)?))) else {
                return html! {};
            };
            let onselect = onselect.clone();
            let onclick = Callback::from(move |_: MouseEvent| onselect.emit(Selection::Node(i)));
            html! {
                <tr key={i} data-node={n.name.clone()} data-kind={n.kind.as_str()} data-spans={n.spans.to_string()}
                    data-errors={n.errors.to_string()} aria-rowindex={aria_row_index(r)}>
                    <td class="name" title={n.name.clone()}><button class="link" {onclick}>{ n.name.clone() }</button></td>
                    <td>{ n.kind.as_str() }{ if n.inferred { " (inferred)" } else { "" } }</td>
                    <td class="num">{ format_count(n.spans) }</td>
                    <td class="num">{ format_count(n.errors) }</td>
                    <td class="num">{ format_count(n.calls_in) }</td>
                    <td class="num">{ format_count(n.calls_out) }</td>
                    <td class="num">{ nanos(n.server_latency.p95) }</td>
                </tr>
            }
        })
    };
    let caption = format!("{} nodes", format_count(g.nodes.len() as u64));
    html! {
        <VirtualTable id="graph-nodes" {caption} head={header(&NODE_COLUMNS, &sort)} rows={order.len()} {row} />
    }
}

/// The rows of a table in `sort`'s order, those `keep` keeps for the search text (lower
/// case); sorted again only when the graph, the sort or the text changes.
#[hook]
fn use_row_order<T: 'static>(
    graph: &Shared<ServiceGraph>,
    columns: &'static [Column<T>],
    sort: Sort,
    filter: &str,
    keep: fn(&ServiceGraph, usize, &str) -> bool,
) -> Rc<Vec<usize>>
where
    ServiceGraph: Items<T>,
{
    let filter = filter.trim().to_lowercase();
    use_memo((graph.clone(), sort, filter), move |(g, sort, filter)| {
        sorted(g, g.items(), columns, *sort)
            .into_iter()
            .filter(|&i| keep(g, i, filter))
            .collect()
    })
}

/// The items a table lists.
trait Items<T> {
    fn items(&self) -> &[T];
}

impl Items<GraphNode> for ServiceGraph {
    fn items(&self) -> &[GraphNode] {
        &self.nodes
    }
}

impl Items<GraphEdge> for ServiceGraph {
    fn items(&self) -> &[GraphEdge] {
        &self.edges
    }
}

const EDGE_COLUMNS: [Column<GraphEdge>; 8] = [
    Column {
        title: "From → to",
        order: |g, a, b| edge_ends(g, a).cmp(&edge_ends(g, b)),
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

/// The names of an edge's caller and callee.
pub(super) fn edge_ends<'g>(g: &'g ServiceGraph, e: &GraphEdge) -> (&'g str, &'g str) {
    let name = |i: usize| g.nodes.get(i).map_or("", |n| n.name.as_str());
    (name(e.from), name(e.to))
}

/// Every edge: a `tr` with `data-from`, `data-to`, `data-calls`, `data-errors`,
/// `data-p50-ns`, `data-p95-ns` (empty when unknown).
#[function_component(EdgeTable)]
pub(super) fn edge_table(props: &TableProps) -> Html {
    let sort = use_state(|| Sort {
        column: 1,
        descending: true,
    });
    let g = &props.graph;
    let order = use_row_order(g, &EDGE_COLUMNS, *sort, &props.filter, |g, i, filter| {
        let (from, to) = edge_ends(g, &g.edges[i]);
        matches_filter(from, filter) || matches_filter(to, filter)
    });
    let row = {
        let (g, order) = (g.clone(), order.clone());
        let onselect = props.onselect.clone();
        Callback::from(move |r: usize| {
            let Some((i, e)) = order.get(r).and_then(|&i| Some((i, g.edges.get(i)?))) else {
                return html! {};
            };
            edge_row(&g, i, e, r, &onselect)
        })
    };
    let caption = format!("{} calls between them", format_count(g.edges.len() as u64));
    html! {
        <VirtualTable id="graph-edges" {caption} head={header(&EDGE_COLUMNS, &sort)} rows={order.len()} {row} />
    }
}

/// Edge `i`, row `r` of the table.
fn edge_row(
    g: &ServiceGraph,
    i: usize,
    e: &GraphEdge,
    r: usize,
    onselect: &Callback<Selection>,
) -> Html {
    let ns = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let (from, to) = edge_ends(g, e);
    let name = format!("{from} → {to}");
    let onselect = onselect.clone();
    let onclick = Callback::from(move |_: MouseEvent| onselect.emit(Selection::Edge(i)));
    html! {
        <tr key={i} data-from={from.to_string()} data-to={to.to_string()} data-calls={e.calls.to_string()}
            data-errors={e.errors.to_string()} data-p50-ns={ns(e.latency.p50)} data-p95-ns={ns(e.latency.p95)}
            aria-rowindex={aria_row_index(r)}>
            <td class="name" title={name.clone()}><button class="link" {onclick}>{ name }</button>{ if e.messaging { " (async)" } else { "" } }</td>
            <td class="num">{ format_count(e.calls) }</td>
            <td class="num">{ format_count(e.errors) }</td>
            <td class="num">{ format!("{:.1} %", e.error_rate() * 100.0) }</td>
            <td class="num">{ nanos(e.latency.p50) }</td>
            <td class="num">{ nanos(e.latency.p95) }</td>
            <td class="num">{ nanos(e.latency.p99) }</td>
            <td class="num">{ nanos(e.gap.p50) }</td>
        </tr>
    }
}
