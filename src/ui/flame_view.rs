//! The flame graph (`#flame-canvas`): the selected trace's call paths, merged as
//! service:operation frames, biggest first ("left heavy", as speedscope); or the same over
//! every loaded trace with the selected trace's root operation. Click a frame to zoom to it
//! (`#flame-reset` back), find frames by name (`#flame-search`), hover for their figures.
//! Built in steps of [`FLAME_STEP_SPANS`] spans (`model::flame::FlameBuild`), a task each.

use super::hooks::use_element_size;
use super::picture::PictureButtons;
use super::state::PageState;
use super::{in_steps, Shared};
use crate::render::flame::{draw, svg, FlameFill, FlameFrame, FLAME_ROW_PX};
use spanorama_core::model::flame::{
    flame_at, flame_layout, flame_search, traces_with_root, FlameBuild, FlameRect, FlameShape,
    FlameTree,
};
use spanorama_core::model::units::{format_count, format_duration};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// Spans merged per task.
const FLAME_STEP_SPANS: usize = 50_000;

#[derive(Properties, PartialEq)]
pub struct FlameViewProps {
    pub state: UseReducerHandle<PageState>,
}

#[function_component(FlameView)]
pub fn flame_view(props: &FlameViewProps) -> Html {
    let state = &props.state;
    let all_of_root = use_state(|| false);
    let tree = use_flame_tree(state, *all_of_root);
    let zoom = use_state(|| 0u32);
    let search = use_state(String::new);
    {
        let zoom = zoom.clone();
        use_effect_with((*tree).clone(), move |_| zoom.set(0));
    }
    let onscope = {
        let all = all_of_root.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                all.set(i.checked());
            }
        })
    };
    let oninput = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                search.set(i.value());
            }
        })
    };
    let onreset = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.set(0))
    };
    html! {
        <div id="flame-view" class="graph-view flame-view">
            <div class="graph-toolbar">
                <label><input id="flame-all-of-root" type="checkbox" checked={*all_of_root} onchange={onscope} />
                    {" Every loaded trace with this root operation"}</label>
                <input id="flame-search" type="search" placeholder="Find frames" aria-label="Find frames"
                    value={(*search).clone()} {oninput} />
                <button id="flame-reset" disabled={*zoom == 0} onclick={onreset}>{"Reset zoom"}</button>
            </div>
            { match &*tree {
                None => html! { <div class="graph-building" role="status">{"Building the flame graph…"}</div> },
                Some(t) => html! {
                    <FlameCanvas tree={t.clone()} zoom={*zoom} search={(*search).clone()} state={state.clone()}
                        onzoom={Callback::from(move |n: u32| zoom.set(n))} />
                },
            } }
        </div>
    }
}

/// The flame tree of the selected trace (or of every trace with its root operation), built
/// in steps after each change; `None` meanwhile.
#[hook]
pub(super) fn use_flame_tree(
    state: &UseReducerHandle<PageState>,
    all_of_root: bool,
) -> UseStateHandle<Option<Shared<FlameTree>>> {
    let tree = use_state(|| None::<Shared<FlameTree>>);
    let key = (
        state.store.clone(),
        state.traces.clone(),
        state.selected_trace,
        all_of_root,
    );
    {
        let tree = tree.clone();
        use_effect_with(key, move |(store, traces, selected, all)| {
            tree.set(None);
            let stopped = Rc::new(Cell::new(false));
            let (store, traces, selected, all, stop) = (
                store.clone(),
                traces.clone(),
                *selected,
                *all,
                stopped.clone(),
            );
            yew::platform::spawn_local(async move {
                let Some(chosen) = selected.and_then(|i| traces.get(i)) else {
                    return;
                };
                let mut build = if all {
                    FlameBuild::new(
                        &store,
                        traces_with_root(&traces, chosen.root_service, chosen.root_name),
                    )
                } else {
                    FlameBuild::new(&store, [chosen])
                };
                if !in_steps(&stop, "spanorama:flame-step", || {
                    build.step(FLAME_STEP_SPANS)
                })
                .await
                {
                    return;
                }
                tree.set(Some(Shared::new(build.finish())));
            });
            move || stopped.set(true)
        });
    }
    tree
}

#[derive(Properties, PartialEq)]
struct FlameCanvasProps {
    tree: Shared<FlameTree>,
    zoom: u32,
    search: String,
    state: UseReducerHandle<PageState>,
    onzoom: Callback<u32>,
}

/// The canvas, its hover tooltip (`#flame-tooltip`) and clicks.
#[function_component(FlameCanvas)]
fn flame_canvas(props: &FlameCanvasProps) -> Html {
    let wrap_ref = use_node_ref();
    let canvas_ref = use_node_ref();
    let width = use_element_size(wrap_ref.clone()).map(|(w, _)| w);
    let rects = use_memo(
        (props.tree.clone(), props.zoom, width),
        |(tree, zoom, width)| width.map_or_else(Vec::new, |w| flame_layout(&**tree, *zoom, w)),
    );
    let matches = use_memo(
        (props.tree.clone(), props.search.clone()),
        |(tree, text)| {
            let mut m = flame_search(&props.state.store.strings, &**tree, text.trim());
            m.sort_unstable();
            m
        },
    );
    let pointer = use_flame_pointer(rects.clone(), props.onzoom.clone());
    let height = flame_height(&rects);
    use_flame_draw(
        props,
        &canvas_ref,
        rects.clone(),
        matches.clone(),
        pointer.hover.map(|h| h.0),
        (width, height),
    );
    let onsvg = {
        let (tree, state, rects, matches) = (
            props.tree.clone(),
            props.state.clone(),
            rects.clone(),
            matches.clone(),
        );
        Callback::from(move |()| {
            let frame = FlameFrame {
                tree: &*tree,
                strings: &state.store.strings,
                rects: &rects,
                fill: FlameFill::Services(&state.palette),
                colors: state.scheme.colors(),
                width_px: width?,
                height_px: height,
                matches: &matches,
                hover: None,
                device_pixel_ratio: 1.0,
            };
            Some(svg(&frame))
        })
    };
    html! {
        <div class="flame-wrap" ref={wrap_ref}>
            <PictureButtons name="flame" canvas={canvas_ref.clone()} svg={onsvg} />
            <canvas id="flame-canvas" ref={canvas_ref} style={format!("height:{height}px")}
                data-nodes={props.tree.nodes.len().to_string()} data-rects={rects.len().to_string()}
                onmousemove={pointer.onmousemove} onclick={pointer.onclick} onmouseleave={pointer.onmouseleave} />
            { tooltip(&props.tree, &props.state, pointer.hover) }
        </div>
    }
}

/// Height of a flame graph's canvas, CSS px: a row per depth drawn.
pub(super) fn flame_height(rects: &[FlameRect]) -> f64 {
    let rows = rects.iter().map(|r| r.depth + 1).max().unwrap_or(1);
    rows as f64 * FLAME_ROW_PX
}

/// The frame under the pointer (`(node, x, y)`, CSS px in the canvas) and the canvas's
/// handlers: moving hovers, a click zooms to the frame, leaving clears the hover.
pub(super) struct FlamePointer {
    pub hover: Option<(u32, f64, f64)>,
    pub onmousemove: Callback<MouseEvent>,
    pub onclick: Callback<MouseEvent>,
    pub onmouseleave: Callback<MouseEvent>,
}

#[hook]
pub(super) fn use_flame_pointer(rects: Rc<Vec<FlameRect>>, onzoom: Callback<u32>) -> FlamePointer {
    let hover = use_state(|| None::<(u32, f64, f64)>);
    let at = move |e: &MouseEvent| {
        let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
        flame_at(&rects, x, (y / FLAME_ROW_PX) as u32).map(|r| (r.node, x, y))
    };
    let onmousemove = {
        let (hover, at) = (hover.clone(), at.clone());
        Callback::from(move |e: MouseEvent| hover.set(at(&e)))
    };
    let onclick = Callback::from(move |e: MouseEvent| {
        if let Some((node, _, _)) = at(&e) {
            onzoom.emit(node);
        }
    });
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    FlamePointer {
        hover: *hover,
        onmousemove,
        onclick,
        onmouseleave,
    }
}

/// Draws whenever the layout, the search, the hover or the scheme change; counts draws in
/// `data-draws`.
#[hook]
fn use_flame_draw(
    props: &FlameCanvasProps,
    canvas_ref: &NodeRef,
    rects: Rc<Vec<FlameRect>>,
    matches: Rc<Vec<u32>>,
    hover: Option<u32>,
    size: (Option<f64>, f64),
) {
    let (width, height) = size;
    let draws = use_mut_ref(|| 0u64);
    let canvas_ref = canvas_ref.clone();
    let state = props.state.clone();
    let deps = (
        props.tree.clone(),
        rects,
        matches,
        hover,
        width,
        state.scheme,
    );
    use_effect_with(deps, move |(tree, rects, matches, hover, width, scheme)| {
        let (Some(canvas), Some(width)) = (canvas_ref.cast::<web_sys::HtmlCanvasElement>(), *width)
        else {
            return;
        };
        let frame = FlameFrame {
            tree: &**tree,
            strings: &state.store.strings,
            rects,
            fill: FlameFill::Services(&state.palette),
            colors: scheme.colors(),
            width_px: width,
            height_px: height,
            matches,
            hover: *hover,
            device_pixel_ratio: web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()),
        };
        if draw(&canvas, &frame).is_ok() {
            super::count_draw(&canvas, &draws);
        }
    });
}

/// The hovered frame's name, total and self time, spans merged and errors.
fn tooltip(tree: &FlameTree, state: &PageState, hover: Option<(u32, f64, f64)>) -> Html {
    let Some((node, x, y)) = hover else {
        return html! {};
    };
    let Some(n) = tree.nodes.get(node as usize) else {
        return html! {};
    };
    let text = |id| state.store.strings.get(id).to_string();
    let share = n.total_nanos as f64 * 100.0 / tree.total_nanos(0).max(1) as f64;
    let style = format!("left: {}px; top: {}px", x + 14.0, y + 14.0);
    html! {
        <div id="flame-tooltip" class="graph-tooltip" {style}>
            <div>{ format!("{}: {}", text(n.service), text(n.name)) }</div>
            <div>{ format!("total {} ({share:.1} %), self {}", format_duration(n.total_nanos), format_duration(n.self_nanos)) }</div>
            <div>{ format!("{} spans, {} errors", format_count(n.count), format_count(n.errors)) }</div>
        </div>
    }
}
