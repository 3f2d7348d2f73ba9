//! The trace graph (`#trace-graph-canvas`), as Jaeger UI's "Trace Graph": the selected
//! trace's call paths of `service:operation`, a box each with its spans, total and self
//! time, coloured by self time, read top down (`layout::trace_graph`). Pan, zoom and hover
//! as on the service graph (its pointer and viewport, `graph_canvas`). Clicking a box shows
//! its spans in the waterfall (as a statistics row does), which is what Jaeger's trace
//! graph users reach for: "where in the timeline are these calls?".
//!
//! The call-path tree is the flame graph's (`flame_view::use_flame_tree`, built in steps),
//! a task each; a graph too big to lay out within a frame goes to the layout worker.

use super::flame_view::use_flame_tree;
use super::graph_canvas::{
    fitted, use_pointer, zoom_on_wheel, Pick, View as PointerView, FIT_PADDING_PX,
    LAY_OUT_ON_PAGE_MAX,
};
use super::hooks::{use_element_size, use_wheel};
use super::picture::PictureButtons;
use super::state::{Action, PageState, SpanFilter};
use super::{Measure, Shared};
use crate::render::trace_graph::{draw, svg, TraceGraphFrame};
use spanorama_core::layout::graph::layout_shape;
use spanorama_core::layout::graph_viewport::{GraphViewport, WorldBox};
use spanorama_core::layout::trace_graph::{
    self_share, trace_graph_options, SpansOnPath, TraceGraph, TraceGraphLayout,
    TRACE_GRAPH_MAX_NODES,
};
use spanorama_core::model::flame::FlameTree;
use spanorama_core::model::units::{format_count, format_duration};
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// The least zoom a graph opens at (its boxes' text is readable).
const READABLE_SCALE: f64 = 0.8;

/// Spans merged, or looked at for a click, per task.
const STEP_SPANS: usize = 50_000;

#[derive(Properties, PartialEq)]
pub struct TraceGraphViewProps {
    pub state: UseReducerHandle<PageState>,
}

#[function_component(TraceGraphView)]
pub fn trace_graph_view(props: &TraceGraphViewProps) -> Html {
    let tree = use_flame_tree(&props.state, false);
    html! {
        <div id="trace-graph-view" class="graph-view trace-graph-view">
            { match &*tree {
                None => html! { <div class="graph-building" role="status">{"Building the trace graph…"}</div> },
                Some(t) => html! { <TraceGraphCanvas tree={t.clone()} state={props.state.clone()} /> },
            } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TraceGraphCanvasProps {
    tree: Shared<FlameTree>,
    state: UseReducerHandle<PageState>,
}

/// The canvas, its tools, tooltip and clicks.
#[function_component(TraceGraphCanvas)]
fn trace_graph_canvas(props: &TraceGraphCanvasProps) -> Html {
    let state = &props.state;
    let wrap_ref = use_node_ref();
    let canvas_ref = use_node_ref();
    let size = use_element_size(wrap_ref.clone());
    let graph = use_memo(props.tree.clone(), |tree| {
        let _timing = Measure::new("spanorama:trace-graph-select");
        Shared::new(TraceGraph::of(
            tree,
            &state.store.strings,
            TRACE_GRAPH_MAX_NODES,
        ))
    });
    let laid_out = use_trace_graph_layout(&graph);
    let pending = laid_out.is_none();
    let layout = laid_out.unwrap_or_default();
    let viewport = use_state(|| None::<GraphViewport>);
    {
        let viewport = viewport.clone();
        use_effect_with((*graph).clone(), move |_| viewport.set(None));
    }
    let hover = use_state(|| None::<(Pick, f64, f64)>);
    let world = world_of(&layout);
    let first = (*viewport).or_else(|| Some(opening_view(&layout, size?)));
    let shown = fitted(first, world, size.filter(|_| !pending));
    use_wheel(canvas_ref.clone(), zoom_on_wheel(&viewport, shown));
    let pick_at = {
        let layout = layout.clone();
        move |x: f64, y: f64| Some(Pick::Node(layout.box_at(shown?.to_world((x, y)))?))
    };
    let view = PointerView {
        shown,
        size,
        overview: None,
    };
    let onpick = on_pick(state, &props.tree, &graph);
    let pointer = use_pointer(view, &viewport, &hover, Rc::new(pick_at), &onpick);
    let hovered = match *hover {
        Some((Pick::Node(i), x, y)) => Some((i, x, y)),
        _ => None,
    };
    let frame_of = {
        let (tree, graph, layout, state) = (
            props.tree.clone(),
            (*graph).clone(),
            layout.clone(),
            state.clone(),
        );
        move |hover: Option<usize>, dpr: f64| {
            let (viewport, size) = (shown?, size?);
            let trace_nanos = state.selected()?.duration_nanos();
            Some(OwnedFrame {
                tree: tree.clone(),
                graph: graph.clone(),
                layout: layout.clone(),
                state: state.clone(),
                viewport,
                size,
                trace_nanos,
                hover,
                dpr,
            })
        }
    };
    let key = DrawKey {
        tree: props.tree.clone(),
        graph: (*graph).clone(),
        layout: Shared(layout.clone()),
        viewport: shown,
        size,
        hover: hovered.map(|h| h.0),
        scheme: state.scheme,
    };
    use_draw(&canvas_ref, key, frame_of.clone());
    let onsvg = Callback::from(move |()| frame_of(None, 1.0).map(|f| f.svg()));
    let onfit = {
        let viewport = viewport.clone();
        Callback::from(move |_: MouseEvent| {
            let fit = size.map(|(w, h)| GraphViewport::fit(world, w, h, FIT_PADDING_PX));
            viewport.set(fit);
        })
    };
    let drawn = drawn_text(&graph);
    html! {
        <div class="graph-canvas-box">
            <div class="graph-canvas-tools">
                <button id="trace-graph-fit" onclick={onfit}>{"Fit"}</button>
                <span id="trace-graph-drawn" data-drawn={graph.nodes.len().to_string()}
                    data-total={graph.total_nodes.to_string()}>{ drawn }</span>
                <span class="muted">{"Wheel to zoom, drag to pan, click a box to see its spans"}</span>
            </div>
            <div class="graph-canvas-wrap" ref={wrap_ref}>
                <PictureButtons name="trace-graph" canvas={canvas_ref.clone()} svg={onsvg} />
                <canvas id="trace-graph-canvas" ref={canvas_ref} data-nodes={graph.nodes.len().to_string()}
                    onpointerdown={pointer.down} onpointermove={pointer.moved} onpointerup={pointer.up}
                    onpointerleave={pointer.leave} />
                { tooltip(&props.tree, &graph, state, hovered) }
                if pending {
                    <div class="graph-laying-out" role="status">{ format!(
                        "Laying out {} nodes…", format_count(graph.nodes.len() as u64)) }</div>
                }
            </div>
        </div>
    }
}

/// What a frame is made of, owned, so the draw effect and the SVG button can both make one.
struct OwnedFrame {
    tree: Shared<FlameTree>,
    graph: Shared<TraceGraph>,
    layout: Rc<TraceGraphLayout>,
    state: UseReducerHandle<PageState>,
    viewport: GraphViewport,
    size: (f64, f64),
    trace_nanos: i64,
    hover: Option<usize>,
    dpr: f64,
}

impl OwnedFrame {
    fn with<R>(&self, paint: impl FnOnce(&TraceGraphFrame) -> R) -> R {
        paint(&TraceGraphFrame {
            graph: &self.graph,
            tree: &self.tree,
            strings: &self.state.store.strings,
            layout: &self.layout,
            viewport: self.viewport,
            width_px: self.size.0,
            height_px: self.size.1,
            trace_nanos: self.trace_nanos,
            hover: self.hover,
            scheme: self.state.scheme,
            device_pixel_ratio: self.dpr,
        })
    }

    fn svg(&self) -> String {
        self.with(svg)
    }
}

/// "12 nodes", or "Showing 300 of 4,512 nodes (the heaviest by total time)".
fn drawn_text(graph: &TraceGraph) -> String {
    let (n, m) = (graph.nodes.len() as u64, graph.total_nodes as u64);
    if n < m {
        format!(
            "Showing {} of {} nodes (the heaviest by total time)",
            format_count(n),
            format_count(m)
        )
    } else {
        format!("{} nodes", format_count(m))
    }
}

/// The layout of `graph`: made at once for a small graph, else by the layout worker
/// (`None` meanwhile; on the page after all if the worker fails).
#[hook]
fn use_trace_graph_layout(graph: &Shared<TraceGraph>) -> Option<Rc<TraceGraphLayout>> {
    let options = trace_graph_options();
    let here = use_memo(graph.clone(), move |g| {
        let shape = g.shape();
        let small = shape.size() <= LAY_OUT_ON_PAGE_MAX;
        small.then(|| {
            let _timing = Measure::new("spanorama:trace-graph-layout");
            Rc::new(g.place(&layout_shape(&shape, &options)))
        })
    });
    let remote = use_state(|| None::<(Shared<TraceGraph>, Rc<TraceGraphLayout>)>);
    {
        let (remote, needed) = (remote.clone(), here.is_none());
        use_effect_with(graph.clone(), move |g| {
            if needed {
                let g = g.clone();
                yew::platform::spawn_local(async move {
                    let shape = g.shape();
                    let layout = match super::layout_client::lay_out(&shape, &options).await {
                        Ok(layout) => layout,
                        Err(e) => {
                            gloo::console::warn!(format!("{e}; laying the graph out on the page"));
                            layout_shape(&shape, &options)
                        }
                    };
                    let placed = Rc::new(g.place(&layout));
                    remote.set(Some((g, placed)));
                });
            }
        });
    }
    match (&*here, &*remote) {
        (Some(layout), _) => Some(layout.clone()),
        (None, Some((g, layout))) if g == graph => Some(layout.clone()),
        _ => None,
    }
}

/// The view a new graph opens with: all of it when its text is readable so, else the top
/// of it at [`READABLE_SCALE`], the root's box centred at the top ("Fit" shows all).
fn opening_view(layout: &TraceGraphLayout, (w, h): (f64, f64)) -> GraphViewport {
    let world = world_of(layout);
    let fit = GraphViewport::fit(world, w, h, FIT_PADDING_PX);
    let Some(root) = layout.boxes.first().filter(|_| fit.scale < READABLE_SCALE) else {
        return fit;
    };
    let scale = READABLE_SCALE;
    GraphViewport {
        scale,
        offset_x: w / 2.0 - (root.x + root.width / 2.0) * scale,
        offset_y: FIT_PADDING_PX - world.min_y * scale,
    }
}

fn world_of(layout: &TraceGraphLayout) -> WorldBox {
    let b = layout.bounds;
    WorldBox {
        min_x: b.min_x,
        min_y: b.min_y,
        max_x: b.max_x,
        max_y: b.max_y,
    }
}

/// What a draw depends on.
#[derive(Clone, PartialEq)]
struct DrawKey {
    tree: Shared<FlameTree>,
    graph: Shared<TraceGraph>,
    layout: Shared<TraceGraphLayout>,
    viewport: Option<GraphViewport>,
    size: Option<(f64, f64)>,
    hover: Option<usize>,
    scheme: spanorama_core::theme::Scheme,
}

/// Draws whenever what is drawn changes; counts draws in `data-draws`.
#[hook]
fn use_draw(
    canvas_ref: &NodeRef,
    key: DrawKey,
    frame_of: impl Fn(Option<usize>, f64) -> Option<OwnedFrame> + 'static,
) {
    let draws = use_mut_ref(|| 0u64);
    let canvas_ref = canvas_ref.clone();
    use_effect_with(key, move |key| {
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let (Some(canvas), Some(frame)) = (
            canvas_ref.cast::<HtmlCanvasElement>(),
            frame_of(key.hover, dpr),
        ) else {
            return;
        };
        let _timing = Measure::new("spanorama:trace-graph-draw");
        if let Err(e) = frame.with(|f| draw(&canvas, f)) {
            gloo::console::error!(format!("trace graph draw failed: {e}"));
            return;
        }
        crate::ui::count_draw(&canvas, &draws);
    });
}

/// A click on box `i`: the waterfall shows that call path's spans (found in steps).
fn on_pick(
    state: &UseReducerHandle<PageState>,
    tree: &Shared<FlameTree>,
    graph: &Shared<TraceGraph>,
) -> Callback<Pick> {
    let (state, tree, graph) = (state.clone(), tree.clone(), graph.clone());
    Callback::from(move |pick: Pick| {
        let Pick::Node(i) = pick else { return };
        let (Some(node), Some(trace)) = (graph.nodes.get(i), state.selected_trace) else {
            return;
        };
        let path = SpansOnPath::path_of(&tree, node.tree_node);
        let label = path.last().map_or_else(String::new, |&(s, n)| {
            let strings = &state.store.strings;
            format!("{}: {} (this call path)", strings.get(s), strings.get(n))
        });
        let state = state.clone();
        yew::platform::spawn_local(async move {
            let (traces, store) = (state.traces.clone(), state.store.clone());
            let Some(t) = traces.get(trace) else { return };
            let mut walk = SpansOnPath::new(&store, t, path);
            loop {
                let _timing = Measure::new("spanorama:trace-graph-spans");
                if walk.step(STEP_SPANS) {
                    break;
                }
                drop(_timing);
                gloo::timers::future::TimeoutFuture::new(0).await;
            }
            state.dispatch(Action::FilterSpans(Some(SpanFilter {
                label,
                trace,
                positions: Rc::new(walk.finish()),
            })));
        });
    })
}

/// The hovered box's call path, spans, errors, total and self time with their share of the
/// trace.
fn tooltip(
    tree: &FlameTree,
    graph: &TraceGraph,
    state: &PageState,
    hover: Option<(usize, f64, f64)>,
) -> Html {
    let Some((i, x, y)) = hover else {
        return html! {};
    };
    let Some(n) = graph
        .nodes
        .get(i)
        .and_then(|g| tree.nodes.get(g.tree_node as usize))
    else {
        return html! {};
    };
    let trace_nanos = state.selected().map_or(0, |t| t.duration_nanos());
    let pct = |v: i64| self_share(v, trace_nanos) * 100.0;
    let text = |id| state.store.strings.get(id).to_string();
    let style = format!("left: {}px; top: {}px", x + 14.0, y + 14.0);
    html! {
        <div id="trace-graph-tooltip" class="graph-tooltip" {style} data-count={n.count.to_string()}>
            <div>{ format!("{}: {}", text(n.service), text(n.name)) }</div>
            <div>{ format!("{} spans, {} errors", format_count(n.count), format_count(n.errors)) }</div>
            <div>{ format!("total {} ({:.1} % of the trace)", format_duration(n.total_nanos), pct(n.total_nanos)) }</div>
            <div>{ format!("self {} ({:.1} % of the trace)", format_duration(n.self_nanos), pct(n.self_nanos)) }</div>
        </div>
    }
}
