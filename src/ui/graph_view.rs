//! The service graph view: who calls whom among everything loaded (and the links of
//! dependency files) or within the selected trace, as two sortable tables, `#graph-nodes`
//! and `#graph-edges` (what keyboard and screen-reader users read). The graph is built in
//! steps of [`GRAPH_STEP_SPANS`] spans, one task each, so a million spans never block the
//! page.

use super::state::{Action, GraphScope, GraphSelection, PageState};
use super::{Measure, Shared};
use spanorama_core::model::graph::{
    edge_calls, EdgeCall, GraphEdge, GraphNode, ServiceGraph, ServiceGraphBuild,
};
use spanorama_core::model::units::{format_count, format_duration};
use std::cmp::Ordering;
use std::rc::Rc;
use yew::prelude::*;

/// Graphs with more nodes are drawn as the neighbourhood of the chosen node (the tables
/// still list every node): a thousand services laid out at once are no longer readable,
/// and laying them out would block the page.
const MAX_DRAWN_NODES: usize = 300;

/// Spans counted into the graph per task.
const GRAPH_STEP_SPANS: usize = 50_000;

/// Calls listed for a selected edge (the slowest).
const EDGE_CALLS_SHOWN: usize = 100;

/// What is selected in the tables, by index into the graph: a node (its edges are listed)
/// or an edge (its calls). The state keeps it by names ([`GraphSelection`]).
#[derive(Copy, Clone, PartialEq, Debug)]
enum Selection {
    Node(usize),
    Edge(usize),
}

impl Selection {
    /// The selection in `graph` of what `chosen` names.
    fn find(graph: &ServiceGraph, chosen: &GraphSelection) -> Option<Selection> {
        match chosen {
            GraphSelection::Node(name) => graph.node(name).map(Selection::Node),
            GraphSelection::Edge { from, to } => {
                let (from, to) = (graph.node(from)?, graph.node(to)?);
                let edge = graph
                    .edges
                    .iter()
                    .position(|e| e.from == from && e.to == to)?;
                Some(Selection::Edge(edge))
            }
        }
    }

    /// What it names.
    fn names(self, graph: &ServiceGraph) -> Option<GraphSelection> {
        let name = |i: usize| graph.nodes.get(i).map(|n| n.name.clone());
        match self {
            Selection::Node(i) => name(i).map(GraphSelection::Node),
            Selection::Edge(i) => {
                let e = graph.edges.get(i)?;
                Some(GraphSelection::Edge {
                    from: name(e.from)?,
                    to: name(e.to)?,
                })
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct GraphViewProps {
    pub state: UseReducerHandle<PageState>,
}

#[function_component(GraphView)]
pub fn graph_view(props: &GraphViewProps) -> Html {
    let state = &props.state;
    let graph = use_service_graph(state);
    let selection = match (&*graph, &state.graph_selection) {
        (Some(g), Some(chosen)) => Selection::find(g, chosen),
        _ => None,
    };
    // The same callback while the graph is: the tables (thousands of rows for a big
    // dependency file) then do not render again when only the choice changes.
    let onselect = {
        let dispatch = state.dispatcher();
        use_callback((*graph).clone(), move |s: Selection, graph| {
            let chosen = graph.as_ref().and_then(|g| s.names(g));
            dispatch.dispatch(Action::SelectInGraph(chosen));
        })
    };
    let scope = |scope: GraphScope| {
        let dispatch = state.dispatcher();
        Callback::from(move |_: Event| dispatch.dispatch(Action::SetGraphScope(scope)))
    };
    let has_trace = state.selected().is_some();
    let by_trace = state.graph_scope == GraphScope::Trace && has_trace;
    let filter = use_state(String::new);
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                filter.set(input.value());
            }
        })
    };
    html! {
        <div id="graph-view" class="graph-view">
            <div class="graph-toolbar">
                <div role="radiogroup" aria-label="What the graph covers">
                    <label><input type="radio" name="graph-scope" id="graph-scope-all" checked={!by_trace}
                        onchange={scope(GraphScope::All)} />{" All loaded traces"}</label>
                    <label><input type="radio" name="graph-scope" id="graph-scope-trace" checked={by_trace}
                        disabled={!has_trace} onchange={scope(GraphScope::Trace)} />{" Selected trace"}</label>
                </div>
                <input id="graph-search" type="search" placeholder="Find a service" aria-label="Find a service in the graph"
                    value={(*filter).clone()} {oninput} />
            </div>
            { match &*graph {
                None => html! { <div class="graph-building" role="status">{"Building the service graph…"}</div> },
                Some(g) if g.nodes.is_empty() => html! { <div class="graph-empty">{"No services to show."}</div> },
                Some(g) => html! {
                    <>
                        <GraphDrawing graph={g.clone()} palette={state.palette.clone()} {selection} onselect={onselect.clone()} />
                        <div class="graph-tables">
                            <NodeTable graph={g.clone()} onselect={onselect.clone()} filter={(*filter).clone()} />
                            <EdgeTable graph={g.clone()} onselect={onselect.clone()} filter={(*filter).clone()} />
                        </div>
                        { selected_panel(state, g, selection, &onselect) }
                    </>
                },
            } }
        </div>
    }
}

/// The graph of what `state` scopes, built in steps after each change; `None` meanwhile.
#[hook]
fn use_service_graph(
    state: &UseReducerHandle<PageState>,
) -> UseStateHandle<Option<Shared<ServiceGraph>>> {
    let graph = use_state(|| None::<Shared<ServiceGraph>>);
    let trace = (state.graph_scope == GraphScope::Trace)
        .then_some(state.selected_trace)
        .flatten();
    let key = (state.store.clone(), state.traces.clone(), trace);
    {
        let graph = graph.clone();
        use_effect_with(key, move |(store, traces, trace)| {
            graph.set(None);
            let stopped = Rc::new(std::cell::Cell::new(false));
            let (store, traces, trace, done) =
                (store.clone(), traces.clone(), *trace, stopped.clone());
            yew::platform::spawn_local(async move {
                let built = build_in_steps(&store, &traces, trace, &done).await;
                if let Some(built) = built {
                    graph.set(Some(Shared::new(built)));
                }
            });
            move || stopped.set(true)
        });
    }
    graph
}

/// Builds the graph of one trace (`Some(index)`) or of all of them and the dependency
/// links, a step per task; `None` if `stopped` was set meanwhile.
async fn build_in_steps(
    store: &Shared<spanorama_core::model::Store>,
    traces: &Shared<Vec<spanorama_core::model::Trace>>,
    trace: Option<usize>,
    stopped: &std::cell::Cell<bool>,
) -> Option<ServiceGraph> {
    let mut build = match trace {
        Some(i) => ServiceGraphBuild::new(store, traces.get(i)),
        None => ServiceGraphBuild::new(store, traces.iter()).with_dependencies(),
    };
    loop {
        gloo::timers::future::TimeoutFuture::new(0).await;
        if stopped.get() {
            return None;
        }
        let _timing = Measure::new("spanorama:graph-step");
        if build.step(GRAPH_STEP_SPANS) {
            return Some(build.finish());
        }
    }
}

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

fn nanos(n: Option<i64>) -> String {
    n.map_or_else(|| "–".to_string(), format_duration)
}

#[derive(Properties, PartialEq)]
struct TableProps {
    graph: Shared<ServiceGraph>,
    onselect: Callback<Selection>,
    /// Only nodes (and edges with an end) whose name contains it, ignoring case.
    filter: String,
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
fn node_table(props: &TableProps) -> Html {
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
        <table id="graph-nodes" class="graph-table">
            <caption>{ format!("{} nodes", format_count(g.nodes.len() as u64)) }</caption>
            <thead>{ header(&NODE_COLUMNS, &sort) }</thead>
            <tbody>{ for sorted(g, &g.nodes, &NODE_COLUMNS, *sort).into_iter()
                .filter(|&i| matches_filter(&g.nodes[i].name, &filter))
                .map(|i| row((i, &g.nodes[i]))) }</tbody>
        </table>
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

fn edge_name(g: &ServiceGraph, e: &GraphEdge) -> (String, String) {
    let name = |i: usize| g.nodes.get(i).map_or_else(String::new, |n| n.name.clone());
    (name(e.from), name(e.to))
}

/// Every edge: a `tr` with `data-from`, `data-to`, `data-calls`, `data-errors`,
/// `data-p50-ns`, `data-p95-ns` (empty when unknown).
#[function_component(EdgeTable)]
fn edge_table(props: &TableProps) -> Html {
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
    }
}

/// The panel of what is selected: a node's edges, or an edge's slowest calls.
fn selected_panel(
    state: &UseReducerHandle<PageState>,
    graph: &Shared<ServiceGraph>,
    selection: Option<Selection>,
    onselect: &Callback<Selection>,
) -> Html {
    match selection {
        Some(Selection::Node(node)) if node < graph.nodes.len() => html! {
            <NodeEdges graph={graph.clone()} {node} onselect={onselect.clone()} />
        },
        Some(Selection::Edge(edge)) if edge < graph.edges.len() => html! {
            <EdgeCalls state={state.clone()} graph={graph.clone()} {edge} />
        },
        _ => html! {},
    }
}

#[derive(Properties, PartialEq)]
struct NodeEdgesProps {
    graph: Shared<ServiceGraph>,
    node: usize,
    onselect: Callback<Selection>,
}

/// A node's inbound and outbound edges (`#graph-node-edges`); choosing one lists its calls.
#[function_component(NodeEdges)]
fn node_edges(props: &NodeEdgesProps) -> Html {
    let g = &props.graph;
    let name = g.nodes[props.node].name.clone();
    let item = |i: usize, e: &GraphEdge| {
        let (from, to) = edge_name(g, e);
        let onselect = props.onselect.clone();
        let onclick = Callback::from(move |_: MouseEvent| onselect.emit(Selection::Edge(i)));
        let figures = format!(
            " {} calls, {:.1} % errors",
            format_count(e.calls),
            e.error_rate() * 100.0
        );
        html! {
            <li><button class="link" {onclick}>{ format!("{from} → {to}") }</button>{ figures }</li>
        }
    };
    let list = |inbound: bool| -> Html {
        g.edges
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                if inbound {
                    e.to == props.node
                } else {
                    e.from == props.node
                }
            })
            .map(|(i, e)| item(i, e))
            .collect()
    };
    html! {
        <section id="graph-node-edges" class="graph-panel" aria-label={format!("Calls of {name}")}>
            <h3>{ name.clone() }</h3>
            <h4>{"Called by"}</h4><ul class="callers">{ list(true) }</ul>
            <h4>{"Calls"}</h4><ul class="callees">{ list(false) }</ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct EdgeCallsProps {
    state: UseReducerHandle<PageState>,
    graph: Shared<ServiceGraph>,
    edge: usize,
}

/// An edge's slowest calls (`#graph-edge-calls`, a `tr[data-trace][data-span]` each); one
/// opens the waterfall of its trace with the calling span selected.
#[function_component(EdgeCalls)]
fn edge_calls_panel(props: &EdgeCallsProps) -> Html {
    let state = &props.state;
    let g = &props.graph;
    let edge = &g.edges[props.edge];
    let (from, to) = edge_name(g, edge);
    let calls = edge_calls(&state.store, &state.traces, edge, EDGE_CALLS_SHOWN);
    let title = format!(
        "{from} → {to}: {} calls, slowest first",
        format_count(edge.calls)
    );
    html! {
        <section id="graph-edge-calls" class="graph-panel" aria-label={format!("Calls from {from} to {to}")}>
            <h3>{ title }</h3>
            if calls.is_empty() {
                <p>{"This link comes from a dependency file: it has no spans."}</p>
            } else {
                <table class="graph-table">
                    <thead><tr><th class="num">{"Duration"}</th><th>{"Calling span"}</th><th>{"Trace"}</th><th></th></tr></thead>
                    <tbody>{ for calls.iter().map(|c| call_row(state, c)) }</tbody>
                </table>
            }
        </section>
    }
}

/// One call: its duration, the calling span, its trace's root, and a way to it.
fn call_row(state: &UseReducerHandle<PageState>, call: &EdgeCall) -> Html {
    let dispatch = state.dispatcher();
    let (trace, span) = (call.trace, call.span);
    let onclick = Callback::from(move |_: MouseEvent| {
        dispatch.dispatch(Action::ShowSpan { trace, span });
    });
    let text = |id| state.store.strings.get(id).to_string();
    let root = state.traces.get(trace).map_or_else(String::new, |t| {
        format!("{} {}", text(t.root_service), text(t.root_name))
    });
    let op = state
        .store
        .spans
        .get(span as usize)
        .map_or_else(String::new, |s| text(s.name));
    html! {
        <tr data-trace={trace.to_string()} data-span={span.to_string()} class={classes!(call.error.then_some("error"))}>
            <td class="num">{ nanos(call.duration_nanos) }</td>
            <td>{ op }</td>
            <td>{ root }</td>
            <td><button class="link show-span" {onclick}>{"Show in waterfall"}</button></td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct DrawingProps {
    graph: Shared<ServiceGraph>,
    palette: Rc<spanorama_core::theme::Palette>,
    selection: Option<Selection>,
    onselect: Callback<Selection>,
}

/// The canvas: the whole graph, or for a big one the chosen node and what it calls and is
/// called by, or a note saying how to get there. The part drawn is kept while its centre
/// is, so the layout and the viewport survive other changes.
#[function_component(GraphDrawing)]
fn graph_drawing(props: &DrawingProps) -> Html {
    use super::graph_canvas::{GraphCanvas, Pick};
    let graph = &props.graph;
    let big = graph.nodes.len() > MAX_DRAWN_NODES;
    let centre = match props.selection {
        _ if !big => None,
        Some(Selection::Node(n)) => Some(n),
        Some(Selection::Edge(e)) => graph.edges.get(e).map(|e| e.from),
        None => None,
    };
    let part = use_memo((graph.clone(), centre), |(graph, centre)| {
        drawn_part(graph, *centre)
    });
    if big && centre.is_none() {
        let note = format!(
            "{} nodes: choose one in the table (or find it) to draw it with its neighbours.",
            format_count(graph.nodes.len() as u64)
        );
        return html! { <div class="graph-note">{ note }</div> };
    }
    let (drawn, original) = (&part.0, &part.1);
    let index_of = |o: usize| original.iter().position(|&i| i == o);
    let chosen = match props.selection {
        Some(Selection::Node(n)) => index_of(n).map(Pick::Node),
        Some(Selection::Edge(e)) => graph.edges.get(e).and_then(|edge| {
            let (from, to) = (index_of(edge.from)?, index_of(edge.to)?);
            drawn
                .edges
                .iter()
                .position(|d| d.from == from && d.to == to)
                .map(Pick::Edge)
        }),
        None => None,
    };
    let onpick = {
        let (onselect, part, graph) = (props.onselect.clone(), part.clone(), graph.clone());
        Callback::from(move |pick: Pick| {
            let (drawn, original) = (&part.0, &part.1);
            let node = |i: usize| original.get(i).copied();
            let selection = match pick {
                Pick::Node(i) => node(i).map(Selection::Node),
                Pick::Edge(i) => drawn.edges.get(i).and_then(|d| {
                    let (from, to) = (node(d.from)?, node(d.to)?);
                    graph
                        .edges
                        .iter()
                        .position(|e| e.from == from && e.to == to)
                        .map(Selection::Edge)
                }),
            };
            if let Some(selection) = selection {
                onselect.emit(selection);
            }
        })
    };
    html! { <GraphCanvas graph={drawn.clone()} palette={props.palette.clone()} {chosen} {onpick} /> }
}

/// What is drawn, and the index in `graph` of each of its nodes: the whole graph, or the
/// part within two calls of `centre` each way (one, if two would be too many to draw).
fn drawn_part(
    graph: &Shared<ServiceGraph>,
    centre: Option<usize>,
) -> (Shared<ServiceGraph>, Vec<usize>) {
    use spanorama_core::layout::graph::{focus, FocusDirection};
    let Some(centre) = centre else {
        return (graph.clone(), (0..graph.nodes.len()).collect());
    };
    let mut sub = focus(graph, centre, 2, FocusDirection::Both);
    if sub.graph.nodes.len() > MAX_DRAWN_NODES {
        sub = focus(graph, centre, 1, FocusDirection::Both);
    }
    (Shared::new(sub.graph), sub.original)
}
