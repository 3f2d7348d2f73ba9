//! The service graph view: who calls whom among everything loaded (and the links of
//! dependency files) or within the selected trace. A canvas (the whole graph, or the part
//! around the chosen node), beside it a panel of what is chosen, and below two sortable
//! tables (`tables`). The graph is built in steps of [`GRAPH_STEP_SPANS`] spans, one task
//! each, so a million spans never block the page.

mod panel;
mod tables;

use super::state::{Action, GraphScope, GraphSelection, PageState};
use super::{in_steps, Shared};
use spanorama_core::layout::graph::FocusDirection;
use spanorama_core::model::graph::{ServiceGraph, ServiceGraphBuild};
use spanorama_core::model::units::{format_count, format_duration};
use std::rc::Rc;
use tables::{EdgeTable, NodeTable};
use yew::prelude::*;

/// Graphs with more nodes are drawn as the neighbourhood of the chosen node (the tables
/// still list every node): a thousand services laid out at once are no longer readable,
/// and laying them out would block the page.
const MAX_DRAWN_NODES: usize = 300;

/// Spans counted into the graph per task.
const GRAPH_STEP_SPANS: usize = 50_000;

/// Calls around the chosen node drawn in a big graph unless the user picks another number.
const BIG_GRAPH_HOPS: usize = 2;

/// The hops the user can pick.
const HOPS: [usize; 4] = [1, 2, 3, 4];

/// What is selected in the tables, by index into the graph: a node (its edges are listed)
/// or an edge (its calls). The state keeps it by names ([`GraphSelection`]).
#[derive(Copy, Clone, PartialEq, Debug)]
pub(super) enum Selection {
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
    let scope = {
        let dispatch = state.dispatcher();
        Callback::from(move |scope: GraphScope| dispatch.dispatch(Action::SetGraphScope(scope)))
    };
    let has_trace = state.selected().is_some();
    let focus = use_state(Focus::default);
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
                { super::panels::scope_switch("graph-scope", "What the graph covers", state.graph_scope, has_trace, scope) }
                <input id="graph-search" type="search" placeholder="Find a service" aria-label="Find a service in the graph"
                    value={(*filter).clone()} {oninput} />
                { focus_controls(&focus, graph.as_ref().is_some_and(|g| is_big(g))) }
            </div>
            { match &*graph {
                None => html! { <div class="graph-building" role="status">{"Building the service graph…"}</div> },
                Some(g) if g.nodes.is_empty() => html! { <div class="graph-empty">{"No services to show."}</div> },
                Some(g) => html! {
                    <>
                        <div class="graph-main">
                            <GraphDrawing graph={g.clone()} palette={state.palette.clone()} {selection} focus={*focus}
                                onselect={onselect.clone()} scheme={state.scheme} />
                            <aside class="graph-side">{ panel::selected_panel(state, g, selection, &onselect) }</aside>
                        </div>
                        <div class="graph-tables">
                            <NodeTable graph={g.clone()} onselect={onselect.clone()} filter={(*filter).clone()} />
                            <EdgeTable graph={g.clone()} onselect={onselect.clone()} filter={(*filter).clone()} />
                        </div>
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
    let done = in_steps(stopped, "spanorama:graph-step", || {
        build.step(GRAPH_STEP_SPANS)
    });
    done.await.then(|| build.finish())
}

fn nanos(n: Option<i64>) -> String {
    n.map_or_else(|| "–".to_string(), format_duration)
}

/// Too many nodes to draw at once: only the part around the chosen node is drawn (the
/// tables still list every node). A thousand services laid out together are not readable,
/// and laying them out would block the page.
fn is_big(graph: &ServiceGraph) -> bool {
    graph.nodes.len() > MAX_DRAWN_NODES
}

/// How much of the graph the canvas draws around the chosen node: `hops` calls in
/// `direction` (`None`: the whole graph, or [`BIG_GRAPH_HOPS`] for a big one).
#[derive(Copy, Clone, PartialEq, Debug)]
struct Focus {
    hops: Option<usize>,
    direction: FocusDirection,
}

impl Default for Focus {
    fn default() -> Self {
        Focus {
            hops: None,
            direction: FocusDirection::Both,
        }
    }
}

impl Focus {
    /// The hops drawn around a chosen node (`None`: everything).
    fn hops_for(self, big: bool) -> Option<usize> {
        self.hops.or(big.then_some(BIG_GRAPH_HOPS))
    }
}

/// `#graph-hops` (the whole graph, or 1 to 4 calls around the chosen node) and
/// `#graph-direction` (callers, callees or both).
fn focus_controls(focus: &UseStateHandle<Focus>, big: bool) -> Html {
    let current = **focus;
    let onhops = {
        let focus = focus.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let hops = select.value().parse().ok();
                focus.set(Focus { hops, ..*focus });
            }
        })
    };
    let ondirection = {
        let focus = focus.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let direction = match select.value().as_str() {
                    "up" => FocusDirection::Upstream,
                    "down" => FocusDirection::Downstream,
                    _ => FocusDirection::Both,
                };
                focus.set(Focus {
                    direction,
                    ..*focus
                });
            }
        })
    };
    let hops = current.hops_for(big);
    let hop = |n: usize| {
        let text = match n {
            1 => "1 call around the chosen node".to_string(),
            n => format!("{n} calls around the chosen node"),
        };
        html! { <option value={n.to_string()} selected={hops == Some(n)}>{ text }</option> }
    };
    let direction = |value: &'static str, d: FocusDirection, text: &'static str| {
        html! { <option {value} selected={current.direction == d}>{ text }</option> }
    };
    html! {
        <div class="graph-focus">
            <label>{"Draw "}
                <select id="graph-hops" onchange={onhops}>
                    <option value="all" disabled={big} selected={hops.is_none()}>{"the whole graph"}</option>
                    { for HOPS.into_iter().map(hop) }
                </select>
            </label>
            <label>{" following "}
                <select id="graph-direction" onchange={ondirection} disabled={hops.is_none()}>
                    { direction("both", FocusDirection::Both, "callers and callees") }
                    { direction("up", FocusDirection::Upstream, "callers (upstream)") }
                    { direction("down", FocusDirection::Downstream, "callees (downstream)") }
                </select>
            </label>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct DrawingProps {
    graph: Shared<ServiceGraph>,
    palette: Rc<spanorama_core::theme::Palette>,
    selection: Option<Selection>,
    focus: Focus,
    onselect: Callback<Selection>,
    scheme: spanorama_core::theme::Scheme,
}

/// The canvas: the whole graph, or the part around the chosen node (always for a big
/// graph: around its busiest node until one is chosen). The part drawn is kept while its
/// centre is, so the layout and the viewport survive other changes.
#[function_component(GraphDrawing)]
fn graph_drawing(props: &DrawingProps) -> Html {
    use super::graph_canvas::{GraphCanvas, Pick};
    let graph = &props.graph;
    let big = is_big(graph);
    let hops = props.focus.hops_for(big);
    // A big graph with nothing chosen is drawn around its busiest node.
    let centre = match props.selection {
        _ if hops.is_none() => None,
        Some(Selection::Node(n)) => Some(n),
        Some(Selection::Edge(e)) => graph.edges.get(e).map(|e| e.from),
        None if big => busiest(graph),
        None => None,
    };
    let key = (graph.clone(), centre.zip(hops), props.focus.direction);
    let part = use_memo(key, |(graph, around, direction)| {
        drawn_part(graph, *around, *direction)
    });
    let (drawn, original) = (&part.graph, &part.original);
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
            let (drawn, original) = (&part.graph, &part.original);
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
    let caption = part.hops.zip(centre).map(|(hops, centre)| {
        let name = graph.nodes.get(centre).map_or("", |n| n.name.as_str());
        format!(
            "{} of {} nodes: {} within {hops} call{} of {name}",
            format_count(drawn.nodes.len() as u64),
            format_count(graph.nodes.len() as u64),
            match props.focus.direction {
                FocusDirection::Both => "callers and callees",
                FocusDirection::Upstream => "callers",
                FocusDirection::Downstream => "callees",
            },
            if hops == 1 { "" } else { "s" },
        ) + if props.selection.is_none() {
            ", the busiest (choose another node in the table, or find it)"
        } else {
            ""
        }
    });
    html! {
        <div class="graph-drawing">
            <GraphCanvas graph={drawn.clone()} palette={props.palette.clone()} {chosen} {onpick} scheme={props.scheme} />
            if let Some(caption) = caption {
                <div id="graph-drawn" class="graph-note">{ caption }</div>
            }
        </div>
    }
}

/// The node with the most calls in and out (the first of equals).
fn busiest(graph: &ServiceGraph) -> Option<usize> {
    (0..graph.nodes.len()).max_by_key(|&i| {
        let n = &graph.nodes[i];
        (n.calls_in.saturating_add(n.calls_out), std::cmp::Reverse(i))
    })
}

/// What is drawn: a graph, the index in the whole graph of each of its nodes, and how many
/// calls around the centre it reaches (`None`: the whole graph).
struct Part {
    graph: Shared<ServiceGraph>,
    original: Vec<usize>,
    hops: Option<usize>,
}

/// The whole graph, or the part within `hops` calls of `centre` following `direction`
/// (fewer hops if that would be too many nodes to draw).
fn drawn_part(
    graph: &Shared<ServiceGraph>,
    around: Option<(usize, usize)>,
    direction: FocusDirection,
) -> Part {
    use spanorama_core::layout::graph::focus;
    let Some((centre, mut hops)) = around else {
        return Part {
            graph: graph.clone(),
            original: (0..graph.nodes.len()).collect(),
            hops: None,
        };
    };
    let mut sub = focus(graph, centre, hops, direction);
    while sub.graph.nodes.len() > MAX_DRAWN_NODES && hops > 1 {
        hops -= 1;
        sub = focus(graph, centre, hops, direction);
    }
    Part {
        graph: Shared::new(sub.graph),
        original: sub.original,
        hops: Some(hops),
    }
}
