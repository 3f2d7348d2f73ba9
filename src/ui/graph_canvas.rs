//! The service graph drawn on a canvas (`#graph-canvas`): laid out left to right, fitted to
//! the view, zoomed with the wheel at the pointer, panned by dragging; hovering a node lights
//! its neighbours and shows its figures, clicking a node or an edge chooses it. When part of
//! the graph is out of view, an overview in the corner shows where the view is; pressing or
//! dragging on it moves the view there. Drawing is `render::graph`; positions are
//! `layout::graph` (big graphs in the layout worker), screen coordinates
//! `layout::graph_viewport`.

use super::hooks::{use_element_size, use_wheel, OnWheel};
use super::picture::PictureButtons;
use super::Shared;
use crate::render::graph::{draw, svg, EdgeLabel, GraphFrame};
use spanorama_core::layout::graph::{layout_shape, GraphLayout, GraphLayoutOptions, GraphShape};
use spanorama_core::layout::graph_viewport::{
    circle_at, polyline_at, GraphViewport, Overview, WorldBox,
};
use spanorama_core::model::graph::ServiceGraph;
use spanorama_core::model::units::{format_count, format_duration};
use spanorama_core::theme::{Palette, Scheme};
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// A node or an edge of the drawn graph, by its index there.
#[derive(Copy, Clone, PartialEq, Debug)]
pub enum Pick {
    Node(usize),
    Edge(usize),
}

#[derive(Properties, PartialEq)]
pub struct GraphCanvasProps {
    /// What to draw (the whole graph, or a focus on part of it).
    pub graph: Shared<ServiceGraph>,
    pub palette: Rc<Palette>,
    /// What is chosen, in the drawn graph's indices.
    pub chosen: Option<Pick>,
    pub onpick: Callback<Pick>,
    pub scheme: Scheme,
}

/// Padding around the fitted graph, CSS px.
pub(super) const FIT_PADDING_PX: f64 = 24.0;

/// Graphs up to this size (nodes plus edges) are laid out on the page, at once; bigger ones
/// in the layout worker, as the layout's time grows faster than the graph (BENCHMARKS.md).
pub(super) const LAY_OUT_ON_PAGE_MAX: usize = 400;

#[function_component(GraphCanvas)]
pub fn graph_canvas(props: &GraphCanvasProps) -> Html {
    let wrap_ref = use_node_ref();
    let canvas_ref = use_node_ref();
    let size = use_element_size(wrap_ref.clone());
    let laid_out = use_graph_layout(&props.graph);
    let pending = laid_out.is_none();
    let layout = laid_out.unwrap_or_default();
    let viewport = use_state(|| None::<GraphViewport>);
    let hover = use_state(|| None::<(Pick, f64, f64)>);
    let label = use_state(EdgeLabel::default);
    use_fit_on_new_graph(&props.graph, &viewport);
    let shown = fitted(*viewport, world_of(&layout), size.filter(|_| !pending));
    let overview = shown
        .zip(size)
        .and_then(|(v, (w, h))| Overview::of(world_of(&layout), v, w, h));
    use_wheel(canvas_ref.clone(), zoom_on_wheel(&viewport, shown));
    let focus = match (hover.map(|h| h.0), props.chosen) {
        (Some(Pick::Node(n)), _) | (_, Some(Pick::Node(n))) => Some(n),
        _ => None,
    };
    let chosen_edge = match props.chosen {
        Some(Pick::Edge(e)) => Some(e),
        _ => None,
    };
    let draw_state = DrawState {
        layout: Shared(layout.clone()),
        viewport: shown,
        size,
        label: *label,
        focus,
        chosen_edge,
        overview,
        scheme: props.scheme,
    };
    let onsvg = {
        let (graph, palette, state) = (
            props.graph.clone(),
            props.palette.clone(),
            draw_state.clone(),
        );
        Callback::from(move |()| frame_of(&graph, &palette, &state, 1.0).map(|f| svg(&f)))
    };
    use_graph_draw(props, &canvas_ref, draw_state);
    let pick_at = {
        let (layout, graph) = (layout.clone(), props.graph.clone());
        move |x: f64, y: f64| {
            let on_overview = overview.is_some_and(|o| o.inset.contains((x, y)));
            pick(&graph, &layout, shown.filter(|_| !on_overview)?, (x, y))
        }
    };
    let view = View {
        shown,
        size,
        overview,
    };
    let pointer = use_pointer(view, &viewport, &hover, Rc::new(pick_at), &props.onpick);
    let onfit = {
        let viewport = viewport.clone();
        Callback::from(move |_: MouseEvent| viewport.set(None))
    };
    let onlabel = {
        let label = label.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                label.set(match select.value().as_str() {
                    "errors" => EdgeLabel::ErrorRate,
                    "p95" => EdgeLabel::P95,
                    _ => EdgeLabel::Calls,
                });
            }
        })
    };
    html! {
        <div class="graph-canvas-box">
            <div class="graph-canvas-tools">
                <button id="graph-fit" onclick={onfit}>{"Fit"}</button>
                <label>{"Edge labels "}
                    <select id="graph-label" onchange={onlabel}>
                        <option value="calls" selected={*label == EdgeLabel::Calls}>{"calls"}</option>
                        <option value="errors" selected={*label == EdgeLabel::ErrorRate}>{"error %"}</option>
                        <option value="p95" selected={*label == EdgeLabel::P95}>{"p95"}</option>
                    </select>
                </label>
                <span class="muted">{"Wheel to zoom, drag to pan, click to choose"}</span>
            </div>
            <div class="graph-canvas-wrap" ref={wrap_ref}>
                <PictureButtons name="graph" canvas={canvas_ref.clone()} svg={onsvg} />
                <canvas id="graph-canvas" ref={canvas_ref} data-nodes={props.graph.nodes.len().to_string()}
                    data-overview={overview.map(|_| "shown")}
                    onpointerdown={pointer.down} onpointermove={pointer.moved} onpointerup={pointer.up}
                    onpointerleave={pointer.leave} />
                { hover_tip(&props.graph, *hover) }
                if pending {
                    <div class="graph-laying-out" role="status">{ format!(
                        "Laying out {} nodes and {} edges…",
                        format_count(props.graph.nodes.len() as u64),
                        format_count(props.graph.edges.len() as u64)
                    ) }</div>
                }
            </div>
        </div>
    }
}

/// The layout of `graph`: made at once for a small graph, else by the layout worker
/// (`None` meanwhile; on the page after all if the worker fails).
#[hook]
fn use_graph_layout(graph: &Shared<ServiceGraph>) -> Option<Rc<GraphLayout>> {
    let options = GraphLayoutOptions::default();
    let here = use_memo(graph.clone(), move |g| {
        let shape = GraphShape::of(g, &options);
        let small = shape.size() <= LAY_OUT_ON_PAGE_MAX;
        small.then(|| Rc::new(layout_shape(&shape, &options)))
    });
    let remote = use_state(|| None::<(Shared<ServiceGraph>, Rc<GraphLayout>)>);
    {
        let (remote, needed) = (remote.clone(), here.is_none());
        use_effect_with(graph.clone(), move |g| {
            if needed {
                let g = g.clone();
                yew::platform::spawn_local(async move {
                    let shape = GraphShape::of(&g, &options);
                    let layout = match super::layout_client::lay_out(&shape, &options).await {
                        Ok(layout) => layout,
                        Err(e) => {
                            gloo::console::warn!(format!("{e}; laying the graph out on the page"));
                            layout_shape(&shape, &options)
                        }
                    };
                    remote.set(Some((g, Rc::new(layout))));
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

/// Forgets the viewport when a new graph comes, so it is fitted.
#[hook]
fn use_fit_on_new_graph(
    graph: &Shared<ServiceGraph>,
    viewport: &UseStateHandle<Option<GraphViewport>>,
) {
    let viewport = viewport.clone();
    use_effect_with(graph.clone(), move |_| viewport.set(None));
}

/// The viewport shown: the chosen one, or the layout fitted to the view.
pub(super) fn fitted(
    chosen: Option<GraphViewport>,
    world: WorldBox,
    size: Option<(f64, f64)>,
) -> Option<GraphViewport> {
    let (w, h) = size?;
    Some(chosen.unwrap_or_else(|| GraphViewport::fit(world, w, h, FIT_PADDING_PX)))
}

fn world_of(layout: &GraphLayout) -> WorldBox {
    let b = layout.bounds;
    WorldBox {
        min_x: b.min_x,
        min_y: b.min_y,
        max_x: b.max_x,
        max_y: b.max_y,
    }
}

/// What the pointer acts on: the viewport shown, the view's size, the overview.
#[derive(Copy, Clone)]
pub(super) struct View {
    pub shown: Option<GraphViewport>,
    pub size: Option<(f64, f64)>,
    pub overview: Option<Overview>,
}

/// A press on the canvas: where the pointer is, whether it has moved (then it is no
/// click), and whether it began on the overview (then it moves the view there).
#[derive(Copy, Clone)]
struct Press {
    at: (f64, f64),
    moved: bool,
    on_overview: bool,
}

pub(super) struct PointerCallbacks {
    pub down: Callback<PointerEvent>,
    pub moved: Callback<PointerEvent>,
    pub up: Callback<PointerEvent>,
    pub leave: Callback<PointerEvent>,
}

pub(super) type PickAt = Rc<dyn Fn(f64, f64) -> Option<Pick>>;

/// Drag to pan, press or drag on the overview to move there, hover to light a node, click
/// to choose.
#[hook]
pub(super) fn use_pointer(
    view: View,
    viewport: &UseStateHandle<Option<GraphViewport>>,
    hover: &UseStateHandle<Option<(Pick, f64, f64)>>,
    pick_at: PickAt,
    onpick: &Callback<Pick>,
) -> PointerCallbacks {
    let press = use_mut_ref(|| None::<Press>);
    // The view centred on overview point `at`, if there is an overview.
    let centre_on = move |at: (f64, f64)| {
        let (o, v, (w, h)) = (view.overview?, view.shown?, view.size?);
        Some(o.centred_at(v, at, w, h))
    };
    let down = {
        let (press, viewport) = (press.clone(), viewport.clone());
        Callback::from(move |e: PointerEvent| {
            let at = (e.offset_x() as f64, e.offset_y() as f64);
            let on_overview = view.overview.is_some_and(|o| o.inset.contains(at));
            if let Some(v) = centre_on(at).filter(|_| on_overview) {
                viewport.set(Some(v));
            }
            *press.borrow_mut() = Some(Press {
                at,
                moved: false,
                on_overview,
            });
        })
    };
    let moved = {
        let (press, viewport, hover, pick_at) = (
            press.clone(),
            viewport.clone(),
            hover.clone(),
            pick_at.clone(),
        );
        Callback::from(move |e: PointerEvent| {
            let at = (e.offset_x() as f64, e.offset_y() as f64);
            let mut p = press.borrow_mut();
            match (p.as_mut(), view.shown) {
                (Some(p), Some(_)) if e.buttons() & 1 == 1 && p.on_overview => {
                    p.moved = true;
                    if let Some(v) = centre_on(at) {
                        viewport.set(Some(v));
                    }
                }
                (Some(p), Some(v)) if e.buttons() & 1 == 1 => {
                    if (at.0 - p.at.0).hypot(at.1 - p.at.1) > 3.0 || p.moved {
                        p.moved = true;
                        viewport.set(Some(v.panned(at.0 - p.at.0, at.1 - p.at.1)));
                        p.at = at;
                    }
                }
                _ => hover.set(pick_at(at.0, at.1).map(|p| (p, at.0, at.1))),
            }
        })
    };
    let up = {
        let (press, onpick) = (press.clone(), onpick.clone());
        Callback::from(move |e: PointerEvent| {
            let was = press.borrow_mut().take();
            if was.is_some_and(|p| !p.moved && !p.on_overview) {
                if let Some(p) = pick_at(e.offset_x() as f64, e.offset_y() as f64) {
                    onpick.emit(p);
                }
            }
        })
    };
    let leave = {
        let hover = hover.clone();
        Callback::from(move |_: PointerEvent| hover.set(None))
    };
    PointerCallbacks {
        down,
        moved,
        up,
        leave,
    }
}

pub(super) fn zoom_on_wheel(
    viewport: &UseStateHandle<Option<GraphViewport>>,
    shown: Option<GraphViewport>,
) -> OnWheel {
    let viewport = viewport.clone();
    Rc::new(move |e: &web_sys::WheelEvent| {
        let Some(v) = shown else { return };
        e.prevent_default();
        let factor = (-e.delta_y() * 0.0015).exp();
        viewport.set(Some(
            v.zoomed_at((e.offset_x() as f64, e.offset_y() as f64), factor),
        ));
    })
}

/// What is under screen point `at`: a node first, else an edge.
fn pick(
    graph: &ServiceGraph,
    layout: &GraphLayout,
    v: GraphViewport,
    at: (f64, f64),
) -> Option<Pick> {
    let world = v.to_world(at);
    let slack = 3.0 / v.scale;
    let circles = layout.nodes.iter().map(|n| (n.x, n.y, n.radius));
    if let Some(node) = circle_at(circles, world, slack).filter(|&i| i < graph.nodes.len()) {
        return Some(Pick::Node(node));
    }
    let lines = layout.edges.iter().map(|e| e.points.as_slice());
    polyline_at(lines, world, 5.0 / v.scale)
        .filter(|&i| i < graph.edges.len())
        .map(Pick::Edge)
}

/// What a draw depends on besides the graph and palette.
#[derive(Clone, PartialEq)]
struct DrawState {
    layout: Shared<GraphLayout>,
    viewport: Option<GraphViewport>,
    size: Option<(f64, f64)>,
    label: EdgeLabel,
    /// The node whose neighbourhood is lit (hovered, else chosen), and the chosen edge.
    focus: Option<usize>,
    chosen_edge: Option<usize>,
    overview: Option<Overview>,
    scheme: Scheme,
}

/// Draws whenever what is drawn changes; counts draws in `data-draws`.
#[hook]
fn use_graph_draw(props: &GraphCanvasProps, canvas_ref: &NodeRef, state: DrawState) {
    let draws = use_mut_ref(|| 0u64);
    let canvas_ref = canvas_ref.clone();
    let deps = (props.graph.clone(), props.palette.clone(), state);
    use_effect_with(deps, move |(graph, palette, state)| {
        let canvas = canvas_ref.cast::<HtmlCanvasElement>();
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let (Some(canvas), Some(frame)) = (canvas, frame_of(graph, palette, state, dpr)) else {
            return;
        };
        let _timing = super::Measure::new("spanorama:graph-draw");
        if let Err(e) = draw(&canvas, &frame) {
            gloo::console::error!(format!("graph draw failed: {e}"));
            return;
        }
        crate::ui::count_draw(&canvas, &draws);
    });
}

/// The frame to paint, once the graph is laid out and the canvas has a size.
fn frame_of<'a>(
    graph: &'a ServiceGraph,
    palette: &'a Palette,
    state: &'a DrawState,
    device_pixel_ratio: f64,
) -> Option<GraphFrame<'a>> {
    let ((w, h), viewport) = (state.size?, state.viewport?);
    Some(GraphFrame {
        graph,
        layout: &state.layout,
        palette,
        viewport,
        width_px: w,
        height_px: h,
        label: state.label,
        focus: state.focus,
        chosen_edge: state.chosen_edge,
        overview: state.overview,
        colors: state.scheme.colors(),
        device_pixel_ratio,
    })
}

/// The hovered node's or edge's figures, beside the pointer.
fn hover_tip(graph: &ServiceGraph, hover: Option<(Pick, f64, f64)>) -> Html {
    let Some((pick, x, y)) = hover else {
        return html! {};
    };
    let lines: Vec<String> = match pick {
        Pick::Node(i) => graph.nodes.get(i).map_or_else(Vec::new, |n| {
            vec![
                format!("{} ({})", n.name, n.kind.as_str()),
                format!(
                    "{} spans, {} errors",
                    format_count(n.spans),
                    format_count(n.errors)
                ),
                format!(
                    "{} calls in, {} out",
                    format_count(n.calls_in),
                    format_count(n.calls_out)
                ),
            ]
        }),
        Pick::Edge(i) => graph.edges.get(i).map_or_else(Vec::new, |e| {
            let name = |i: usize| graph.nodes.get(i).map_or("", |n| n.name.as_str());
            let p = |v: Option<i64>| v.map_or_else(|| "–".into(), format_duration);
            vec![
                format!("{} → {}", name(e.from), name(e.to)),
                format!(
                    "{} calls, {:.1} % failed",
                    format_count(e.calls),
                    e.error_rate() * 100.0
                ),
                format!(
                    "p50 {} · p95 {} · p99 {}",
                    p(e.latency.p50),
                    p(e.latency.p95),
                    p(e.latency.p99)
                ),
            ]
        }),
    };
    let style = format!("left: {}px; top: {}px", x + 14.0, y + 14.0);
    html! {
        <div id="graph-tooltip" class="graph-tooltip" {style}>
            { for lines.into_iter().map(|l| html! { <div>{ l }</div> }) }
        </div>
    }
}
