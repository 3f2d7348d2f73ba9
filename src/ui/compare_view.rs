//! Two traces compared (`#view-compare`): pick a baseline (`#compare-a`) and another trace
//! (`#compare-b`), say a fast and a slow run of the same request; see what was added or
//! removed and how each call path's duration changed, as a table (`#diff-tree`, foldable,
//! virtual over 500 rows) and as a diff flame graph (`#diff-flame`: both sides' union,
//! red slower, blue faster, removed hatched). The pair is kept in the state
//! (`Action::CompareTraces`); until one is chosen, the selected trace and its
//! `model::diff::compare_partner`. Built in steps of [`DIFF_STEP_SPANS`] spans
//! (`model::diff::DiffBuild`), a task each.

use super::flame_view::{flame_height, use_flame_pointer};
use super::hooks::use_element_size;
use super::picture::PictureButtons;
use super::state::{Action, PageState};
use super::virtual_table::{aria_row_index, VirtualTable};
use super::{in_steps, Shared};
use crate::render::flame::{draw, svg, FlameFill, FlameFrame};
use spanorama_core::model::diff::{
    compare_partner, DiffBuild, DiffFlame as DiffShape, DiffNode, DiffStatus, Side, TraceDiff,
};
use spanorama_core::model::flame::{flame_layout, FlameRect};
use spanorama_core::model::units::{format_count, format_duration};
use spanorama_core::model::Trace;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// Spans compared per task.
const DIFF_STEP_SPANS: usize = 50_000;

#[derive(Properties, PartialEq)]
pub struct CompareViewProps {
    pub state: UseReducerHandle<PageState>,
}

#[function_component(CompareView)]
pub fn compare_view(props: &CompareViewProps) -> Html {
    let state = &props.state;
    let pair = chosen_pair(state);
    let diff = use_diff(state, pair);
    let Some((a, b)) = pair else {
        return html! {
            <div id="compare-view" class="graph-view compare-view">
                <div class="graph-empty">{"Load at least two traces to compare them."}</div>
            </div>
        };
    };
    html! {
        <div id="compare-view" class="graph-view compare-view">
            { pickers(state, a, b) }
            { match &*diff {
                None => html! { <div class="graph-building" role="status">{"Comparing…"}</div> },
                Some(d) => html! { <>
                    { summary(state, d, a, b) }
                    <DiffFlame diff={d.clone()} state={state.clone()} />
                    <DiffTree diff={d.clone()} state={state.clone()} />
                </> },
            } }
        </div>
    }
}

/// The pair the state keeps, or the selected trace (else the first) and its partner.
fn chosen_pair(state: &PageState) -> Option<(usize, usize)> {
    let n = state.traces.len();
    if let Some((a, b)) = state.compare.filter(|&(a, b)| a < n && b < n) {
        return Some((a, b));
    }
    let a = state.selected_trace.filter(|&a| a < n).unwrap_or(0);
    compare_partner(&state.traces, a).map(|b| (a, b))
}

/// The diff of traces `a` and `b`, built in steps after each change; `None` meanwhile.
#[hook]
fn use_diff(
    state: &UseReducerHandle<PageState>,
    pair: Option<(usize, usize)>,
) -> UseStateHandle<Option<Shared<TraceDiff>>> {
    let diff = use_state(|| None::<Shared<TraceDiff>>);
    let key = (state.store.clone(), state.traces.clone(), pair);
    {
        let diff = diff.clone();
        use_effect_with(key, move |(store, traces, pair)| {
            diff.set(None);
            let stopped = Rc::new(Cell::new(false));
            let (store, traces, pair, stop) =
                (store.clone(), traces.clone(), *pair, stopped.clone());
            yew::platform::spawn_local(async move {
                let Some((a, b)) = pair.and_then(|(a, b)| Some((traces.get(a)?, traces.get(b)?)))
                else {
                    return;
                };
                let mut build = DiffBuild::new(&store, a, b);
                if !in_steps(&stop, "spanorama:diff-step", || build.step(DIFF_STEP_SPANS)).await {
                    return;
                }
                diff.set(Some(Shared::new(build.finish())));
            });
            move || stopped.set(true)
        });
    }
    diff
}

/// "frontend: GET /cart · 12.3 ms · 16 spans · 8decfe91".
fn trace_label(state: &PageState, t: &Trace) -> String {
    let text = |id| state.store.strings.get(id);
    let id = state.store.trace_id_display(t.id);
    let short: String = id.chars().take(8).collect();
    format!(
        "{}: {} · {} · {} spans · {short}",
        text(t.root_service),
        text(t.root_name),
        format_duration(t.duration_nanos()),
        format_count(t.len() as u64)
    )
}

/// `#compare-a`, `#compare-b` and `#compare-swap`.
fn pickers(state: &UseReducerHandle<PageState>, a: usize, b: usize) -> Html {
    let pick = |side_a: bool| {
        let dispatch = state.dispatcher();
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            let Ok(i) = select.value().parse::<usize>() else {
                return;
            };
            let (a, b) = if side_a { (i, b) } else { (a, i) };
            dispatch.dispatch(Action::CompareTraces { a, b });
        })
    };
    let options = |chosen: usize| -> Html {
        let items = state.traces.iter().enumerate().map(|(i, t)| {
            html! { <option value={i.to_string()} selected={i == chosen}>{ trace_label(state, t) }</option> }
        });
        items.collect::<Html>()
    };
    let onswap = {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::CompareTraces { a: b, b: a }))
    };
    html! {
        <div class="graph-toolbar compare-pickers">
            <label>{"Baseline (A) "}<select id="compare-a" onchange={pick(true)}>{ options(a) }</select></label>
            <button id="compare-swap" title="Swap A and B" onclick={onswap}>{"⇄ Swap"}</button>
            <label>{"Compared (B) "}<select id="compare-b" onchange={pick(false)}>{ options(b) }</select></label>
        </div>
    }
}

/// `+1.2 ms`, `−300 µs`, `0`.
fn signed_duration(nanos: i64) -> String {
    match nanos.signum() {
        1 => format!("+{}", format_duration(nanos)),
        -1 => format!("−{}", format_duration(nanos.saturating_abs())),
        _ => "0".to_string(),
    }
}

/// `+25.0 %`, `new`, `gone`.
fn change_percent(n: &DiffNode) -> String {
    match (n.status(), n.change_ratio()) {
        (DiffStatus::Added, _) => "new".to_string(),
        (DiffStatus::Removed, _) => "gone".to_string(),
        (_, Some(r)) => format!("{:+.1} %", r * 100.0).replace('-', "−"),
        (_, None) => "–".to_string(),
    }
}

/// `#diff-summary`: both traces' durations, the change, what was added and removed.
fn summary(state: &PageState, diff: &TraceDiff, a: usize, b: usize) -> Html {
    let duration = |i: usize| state.traces.get(i).map_or(0, |t| t.duration_nanos());
    let (da, db) = (duration(a), duration(b));
    let change = db.saturating_sub(da);
    let percent = (da > 0).then(|| format!(" ({:+.1} %)", change as f64 * 100.0 / da as f64));
    let counts = diff.counts();
    let text = format!(
        "A {} · B {} · change {}{} · {} added, {} removed, {} changed, {} same call paths",
        format_duration(da),
        format_duration(db),
        signed_duration(change),
        percent.unwrap_or_default().replace('-', "−"),
        format_count(counts.added as u64),
        format_count(counts.removed as u64),
        format_count(counts.changed as u64),
        format_count(counts.same as u64),
    );
    html! {
        <div id="diff-summary" class="diff-summary" data-a-ns={da.to_string()} data-b-ns={db.to_string()}
            data-added={counts.added.to_string()} data-removed={counts.removed.to_string()}>{ text }</div>
    }
}

#[derive(Properties, PartialEq)]
struct DiffTreeProps {
    diff: Shared<TraceDiff>,
    state: UseReducerHandle<PageState>,
}

/// `#diff-tree`: a row per call path in tree order, foldable.
#[function_component(DiffTree)]
fn diff_tree(props: &DiffTreeProps) -> Html {
    let folded = use_state(BTreeSet::<u32>::new);
    {
        let folded = folded.clone();
        use_effect_with(props.diff.clone(), move |_| folded.set(BTreeSet::new()));
    }
    let rows = use_memo((props.diff.clone(), folded.clone()), |(diff, folded)| {
        diff.rows(folded)
    });
    let ontoggle = {
        let folded = folded.clone();
        Callback::from(move |node: u32| {
            let mut next = (*folded).clone();
            if !next.remove(&node) {
                next.insert(node);
            }
            folded.set(next);
        })
    };
    let row = {
        let (diff, state, rows, folded) = (
            props.diff.clone(),
            props.state.clone(),
            rows.clone(),
            folded.clone(),
        );
        Callback::from(move |i: usize| {
            let Some(r) = rows.get(i) else {
                return html! {};
            };
            let open = !folded.contains(&r.node);
            diff_row(&diff, &state, i, (r.node, r.depth, open), &ontoggle)
        })
    };
    let caption = format!("{} call paths", format_count(props.diff.nodes.len() as u64));
    html! {
        <VirtualTable id="diff-tree" box_class="graph-table-box diff-tree-box" {caption}
            head={header()} rows={rows.len()} {row} />
    }
}

fn header() -> Html {
    html! {
        <tr>
            <th>{"Call path"}</th>
            <th class="num">{"A spans"}</th><th class="num">{"A total"}</th>
            <th class="num">{"B spans"}</th><th class="num">{"B total"}</th>
            <th class="num">{"Change"}</th><th class="num">{"%"}</th><th>{"Status"}</th>
        </tr>
    }
}

/// The frames from the root to `node`, `svc:op/svc2:op2`.
fn path_text(diff: &TraceDiff, state: &PageState, node: u32) -> String {
    let text = |id| state.store.strings.get(id);
    let frames = diff.frames_to(node);
    let parts: Vec<String> = frames
        .iter()
        .map(|&(s, n)| format!("{}:{}", text(s), text(n)))
        .collect();
    parts.join("/")
}

/// `service: operation` of `node`; "all root spans" for a synthetic root.
fn node_name(diff: &TraceDiff, state: &PageState, node: u32) -> String {
    let text = |id| state.store.strings.get(id);
    match diff.nodes.get(node as usize) {
        _ if node == 0 && diff.synthetic_root => "all root spans".to_string(),
        Some(n) => format!("{}: {}", text(n.service), text(n.name)),
        None => String::new(),
    }
}

/// The class of a row: its status, a change's direction.
fn row_class(n: &DiffNode) -> &'static str {
    match n.status() {
        DiffStatus::Added => "diff-added",
        DiffStatus::Removed => "diff-removed",
        DiffStatus::Changed if n.change_nanos() > 0 => "diff-slower",
        DiffStatus::Changed => "diff-faster",
        DiffStatus::Same => "diff-same",
    }
}

/// One row of `#diff-tree`: `(node, depth, unfolded)`.
fn diff_row(
    diff: &TraceDiff,
    state: &PageState,
    i: usize,
    (node, depth, open): (u32, u32, bool),
    ontoggle: &Callback<u32>,
) -> Html {
    let Some(n) = diff.nodes.get(node as usize) else {
        return html! {};
    };
    let name = node_name(diff, state, node);
    let ns = |side: Option<Side>| side.map_or(String::new(), |s| s.total_nanos.to_string());
    let count = |side: Option<Side>| side.map_or("–".to_string(), |s| format_count(s.count));
    let total =
        |side: Option<Side>| side.map_or("–".to_string(), |s| format_duration(s.total_nanos));
    let status = n.status();
    let marker = match status {
        DiffStatus::Added => "+ ",
        DiffStatus::Removed => "− ",
        _ => "",
    };
    let toggle = if n.children.is_empty() {
        html! { <span class="diff-fold" /> }
    } else {
        let (ontoggle, label) = (ontoggle.clone(), if open { "▾" } else { "▸" });
        let onclick = Callback::from(move |_: MouseEvent| ontoggle.emit(node));
        html! { <button class="diff-fold" aria-expanded={open.to_string()} {onclick}>{ label }</button> }
    };
    let indent = format!("padding-left: {}px", 4 + depth.min(40) * 14);
    html! {
        <tr class={row_class(n)} aria-rowindex={aria_row_index(i)} data-path={path_text(diff, state, node)}
            data-status={status.name()} data-a-ns={ns(n.a)} data-b-ns={ns(n.b)}
            data-change-ns={n.change_nanos().to_string()}>
            <td class="diff-name" style={indent} title={name.clone()}>{ toggle }{ marker }{ name }</td>
            <td class="num">{ count(n.a) }</td><td class="num">{ total(n.a) }</td>
            <td class="num">{ count(n.b) }</td><td class="num">{ total(n.b) }</td>
            <td class="num diff-change">{ signed_duration(n.change_nanos()) }</td>
            <td class="num diff-change">{ change_percent(n) }</td>
            <td>{ status.name() }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct DiffFlameProps {
    diff: Shared<TraceDiff>,
    state: UseReducerHandle<PageState>,
}

/// `#diff-flame`: the union of both sides as a flame graph, coloured by change; hover for
/// both sides' figures (`#diff-flame-tooltip`), click to zoom (`#diff-flame-reset` back).
#[function_component(DiffFlame)]
fn diff_flame(props: &DiffFlameProps) -> Html {
    let wrap_ref = use_node_ref();
    let canvas_ref = use_node_ref();
    let zoom = use_state(|| 0u32);
    {
        let zoom = zoom.clone();
        use_effect_with(props.diff.clone(), move |_| zoom.set(0));
    }
    let width = use_element_size(wrap_ref.clone()).map(|(w, _)| w);
    let rects = use_memo((props.diff.clone(), *zoom, width), |(diff, zoom, width)| {
        width.map_or_else(Vec::new, |w| flame_layout(&diff.union_flame(), *zoom, w))
    });
    let pointer = {
        let zoom = zoom.clone();
        use_flame_pointer(rects.clone(), Callback::from(move |n: u32| zoom.set(n)))
    };
    let height = flame_height(&rects);
    use_diff_flame_draw(
        props,
        &canvas_ref,
        rects.clone(),
        pointer.hover.map(|h| h.0),
        (width, height),
    );
    let onreset = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.set(0))
    };
    let onsvg = {
        let (diff, state, rects) = (props.diff.clone(), props.state.clone(), rects.clone());
        Callback::from(move |()| {
            let flame = diff.union_flame();
            let frame = diff_frame(&diff, &flame, &state, &rects, (width?, height), None, 1.0);
            Some(svg(&frame))
        })
    };
    html! {
        <div class="diff-flame-section">
            <div class="graph-toolbar">
                <span class="diff-legend">
                    <span class="swatch slower" />{"slower or added"}
                    <span class="swatch faster" />{"faster"}
                    <span class="swatch removed" />{"removed"}
                    {" · widths: the larger of A and B"}
                </span>
                <button id="diff-flame-reset" disabled={*zoom == 0} onclick={onreset}>{"Reset zoom"}</button>
            </div>
            <div class="flame-wrap" ref={wrap_ref}>
                <PictureButtons name="diff-flame" canvas={canvas_ref.clone()} svg={onsvg} />
                <canvas id="diff-flame" ref={canvas_ref} style={format!("height:{height}px")}
                    data-nodes={props.diff.nodes.len().to_string()} data-rects={rects.len().to_string()}
                    onmousemove={pointer.onmousemove} onclick={pointer.onclick} onmouseleave={pointer.onmouseleave} />
                { tooltip(&props.diff, &props.state, pointer.hover) }
            </div>
        </div>
    }
}

/// The frame to paint of a diff's union flame graph.
fn diff_frame<'a>(
    diff: &'a TraceDiff,
    flame: &'a DiffShape<'a>,
    state: &'a PageState,
    rects: &'a [FlameRect],
    (width_px, height_px): (f64, f64),
    hover: Option<u32>,
    device_pixel_ratio: f64,
) -> FlameFrame<'a> {
    FlameFrame {
        tree: flame,
        strings: &state.store.strings,
        rects,
        fill: FlameFill::Diff(diff),
        colors: state.scheme.colors(),
        width_px,
        height_px,
        matches: &[],
        hover,
        device_pixel_ratio,
    }
}

/// Draws whenever the layout, the hover or the scheme change; counts draws in `data-draws`.
#[hook]
fn use_diff_flame_draw(
    props: &DiffFlameProps,
    canvas_ref: &NodeRef,
    rects: Rc<Vec<FlameRect>>,
    hover: Option<u32>,
    size: (Option<f64>, f64),
) {
    let (width, height) = size;
    let draws = use_mut_ref(|| 0u64);
    let canvas_ref = canvas_ref.clone();
    let state = props.state.clone();
    let deps = (props.diff.clone(), rects, hover, width, state.scheme);
    use_effect_with(deps, move |(diff, rects, hover, width, _)| {
        let (Some(canvas), Some(width)) = (canvas_ref.cast::<web_sys::HtmlCanvasElement>(), *width)
        else {
            return;
        };
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let flame = diff.union_flame();
        let frame = diff_frame(diff, &flame, &state, rects, (width, height), *hover, dpr);
        if draw(&canvas, &frame).is_ok() {
            super::count_draw(&canvas, &draws);
        }
    });
}

/// The hovered frame's name and both sides' figures.
fn tooltip(diff: &TraceDiff, state: &PageState, hover: Option<(u32, f64, f64)>) -> Html {
    let Some((node, x, y)) = hover else {
        return html! {};
    };
    let Some(n) = diff.nodes.get(node as usize) else {
        return html! {};
    };
    let side = |label: &str, s: Option<Side>| match s {
        Some(s) => format!(
            "{label}: {} in {} spans, self {}",
            format_duration(s.total_nanos),
            format_count(s.count),
            format_duration(s.self_nanos)
        ),
        None => format!("{label}: absent"),
    };
    let style = format!("left: {}px; top: {}px", x + 14.0, y + 14.0);
    html! {
        <div id="diff-flame-tooltip" class="graph-tooltip" {style}>
            <div>{ node_name(diff, state, node) }</div>
            <div>{ side("A", n.a) }</div>
            <div>{ side("B", n.b) }</div>
            <div>{ format!("change {} ({})", signed_duration(n.change_nanos()), change_percent(n)) }</div>
        </div>
    }
}
