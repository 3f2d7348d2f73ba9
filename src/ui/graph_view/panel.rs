//! The side panel of what is chosen in the graph: a node's figures and its calls in and out
//! (`#graph-node-edges`), or an edge's figures and its slowest calls (`#graph-edge-calls`).
//! Either can narrow the trace list to the traces behind it (`#show-traces`).

use super::tables::edge_ends;
use super::{nanos, Selection};
use crate::ui::state::{Action, PageState, TraceFilter};
use crate::ui::Shared;
use spanorama_core::model::graph::{
    edge_calls, traces_through_node, traces_with_edge, EdgeCall, GraphEdge, Percentiles,
    ServiceGraph,
};
use spanorama_core::model::units::format_count;
use std::rc::Rc;
use yew::prelude::*;

/// Calls listed for a selected edge (the slowest).
const EDGE_CALLS_SHOWN: usize = 100;

/// The panel of what is selected, if anything.
pub(super) fn selected_panel(
    state: &UseReducerHandle<PageState>,
    graph: &Shared<ServiceGraph>,
    selection: Option<Selection>,
    onselect: &Callback<Selection>,
) -> Html {
    match selection {
        Some(Selection::Node(node)) if node < graph.nodes.len() => html! {
            <NodeEdges state={state.clone()} graph={graph.clone()} {node} onselect={onselect.clone()} />
        },
        Some(Selection::Edge(edge)) if edge < graph.edges.len() => html! {
            <EdgeCalls state={state.clone()} graph={graph.clone()} {edge} />
        },
        _ => html! {
            <p class="graph-hint">{"Choose a node or an edge, on the canvas or in the tables, to see its figures and the calls behind it."}</p>
        },
    }
}

/// Figures as a definition list.
fn figures(items: Vec<(&'static str, String)>) -> Html {
    html! {
        <dl class="graph-figures">
            { for items.into_iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ v }</dd></> }) }
        </dl>
    }
}

fn percentiles(p: &Percentiles) -> String {
    format!("{} · {} · {}", nanos(p.p50), nanos(p.p95), nanos(p.p99))
}

fn error_share(errors: u64, of: u64) -> String {
    let rate = if of == 0 {
        0.0
    } else {
        errors as f64 / of as f64
    };
    format!("{} ({:.1} %)", format_count(errors), rate * 100.0)
}

/// A button (`#show-traces`) that narrows the trace list to `find()`'s traces, described as
/// `label` ("through cart"); nothing when there is no list (a single trace).
fn show_traces(
    state: &UseReducerHandle<PageState>,
    label: String,
    find: impl Fn() -> Vec<usize> + 'static,
) -> Html {
    if state.traces.len() < 2 {
        return html! {};
    }
    let dispatch = state.dispatcher();
    let onclick = Callback::from(move |_: MouseEvent| {
        let traces = Rc::new(find());
        let label = label.clone();
        dispatch.dispatch(Action::FilterTraces(Some(TraceFilter { label, traces })));
    });
    html! { <button id="show-traces" class="show-traces" {onclick}>{"Show its traces in the list"}</button> }
}

#[derive(Properties, PartialEq)]
struct NodeEdgesProps {
    state: UseReducerHandle<PageState>,
    graph: Shared<ServiceGraph>,
    node: usize,
    onselect: Callback<Selection>,
}

/// A node's figures and its inbound and outbound edges (`#graph-node-edges`); choosing an
/// edge lists its calls.
#[function_component(NodeEdges)]
fn node_edges(props: &NodeEdgesProps) -> Html {
    let g = &props.graph;
    let n = &g.nodes[props.node];
    let item = |i: usize, e: &GraphEdge| {
        let (from, to) = edge_ends(g, e);
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
        let ends = |e: &&GraphEdge| if inbound { e.to } else { e.from };
        let items: Vec<Html> = g
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| ends(e) == props.node)
            .map(|(i, e)| item(i, e))
            .collect();
        if items.is_empty() {
            html! { <li class="none">{"none"}</li> }
        } else {
            items.into_iter().collect()
        }
    };
    let kind = format!(
        "{}{}",
        n.kind.as_str(),
        if n.inferred {
            " (inferred from calls)"
        } else {
            ""
        }
    );
    let find = {
        let (state, graph, node) = (props.state.clone(), g.clone(), props.node);
        move || traces_through_node(&state.store, &state.traces, &graph, node)
    };
    html! {
        <section id="graph-node-edges" class="graph-panel" aria-label={format!("Calls of {}", n.name)}>
            <h3>{ n.name.clone() }</h3>
            { figures(vec![
                ("Kind", kind),
                ("Spans", format_count(n.spans)),
                ("Errors", error_share(n.errors, n.spans)),
                ("Calls in / out", format!("{} / {}", format_count(n.calls_in), format_count(n.calls_out))),
                ("Server p50 · p95 · p99", percentiles(&n.server_latency)),
            ]) }
            { show_traces(&props.state, format!("through {}", n.name), find) }
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

/// An edge's figures and its slowest calls (`#graph-edge-calls`, a `tr[data-trace][data-span]`
/// each); one opens the waterfall of its trace with the calling span selected.
#[function_component(EdgeCalls)]
fn edge_calls_panel(props: &EdgeCallsProps) -> Html {
    let state = &props.state;
    let g = &props.graph;
    let edge = &g.edges[props.edge];
    let (from, to) = edge_ends(g, edge);
    let calls = edge_calls(&state.store, &state.traces, edge, EDGE_CALLS_SHOWN);
    let find = {
        let (state, graph, edge) = (state.clone(), g.clone(), props.edge);
        move || traces_with_edge(&state.store, &state.traces, &graph.edges[edge])
    };
    let kind = if edge.messaging {
        "asynchronous (through a queue)"
    } else {
        "request"
    };
    html! {
        <section id="graph-edge-calls" class="graph-panel" aria-label={format!("Calls from {from} to {to}")}>
            <h3>{ format!("{from} → {to}") }</h3>
            { figures(vec![
                ("Calls", format!("{} ({kind})", format_count(edge.calls))),
                ("Errors", error_share(edge.errors, edge.calls)),
                ("p50 · p95 · p99", percentiles(&edge.latency)),
                ("Gap p50 · p95 · p99", percentiles(&edge.gap)),
            ]) }
            { show_traces(state, format!("with a call {from} → {to}"), find) }
            if calls.is_empty() {
                <p>{"This link comes from a dependency file: it has no spans."}</p>
            } else {
                <h4>{ format!("Slowest {} calls", calls.len()) }</h4>
                <table class="graph-table">
                    <thead><tr><th class="num">{"Duration"}</th><th>{"Calling span (opens the waterfall)"}</th><th>{"Trace"}</th></tr></thead>
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
            <td><button class="link show-span" title="Show this span in the waterfall" {onclick}>{ op }</button></td>
            <td>{ root }</td>
        </tr>
    }
}
