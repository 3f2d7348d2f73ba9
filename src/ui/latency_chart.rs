//! The latency charts above the trace list: the scatter of durations over start time
//! (`#latency-chart`) and the histogram of durations (`#latency-histogram`, log bins with
//! `#latency-log`). They show the list's traces before its start and duration bounds, and
//! draw those bounds as the brush: dragging on a chart sets them (a rectangle on the
//! scatter, a duration range on the histogram); the list's "Clear filters" clears them.
//! Hovering a dot shows its trace (`#latency-tooltip`), clicking it opens the trace. The
//! layout is core's `layout::latency`; the drawing `render::latency`.

use super::hooks::use_element_size;
use super::picture::PictureButtons;
use super::state::{Action, PageState};
use super::Shared;
use crate::render::latency::{draw_histogram, draw_scatter, on_canvas, to_svg};
use spanorama_core::layout::latency::{
    bounds_rect, chart_points, decimate, histogram, histogram_brush, hit, scatter_brush,
    scatter_frame, BrushBounds, ChartFrame, ChartPoint, Dot, Histogram,
};
use spanorama_core::model::trace_list::TraceQuery;
use spanorama_core::model::units::{format_count, format_duration, format_timestamp};
use std::rc::Rc;
use yew::prelude::*;

const SCATTER_HEIGHT: f64 = 180.0;
const HISTOGRAM_HEIGHT: f64 = 140.0;
/// Bars across the histogram's plot, at most; at least this many px each.
const MAX_BINS: usize = 60;
const MIN_BIN_PX: f64 = 8.0;
/// A press that moves less than this is a click, not a brush.
const DRAG_PX: f64 = 4.0;

#[derive(Properties, PartialEq)]
pub struct LatencyChartsProps {
    pub state: UseReducerHandle<PageState>,
    /// The traces to chart (indices into the state's traces).
    pub traces: Shared<Vec<usize>>,
}

/// The `localStorage` key that remembers the charts hidden.
const HIDDEN_KEY: &str = "spanorama-latency-charts-hidden";

/// The two charts, or (hidden by `#latency-toggle`, remembered) only the button that shows
/// them again: they take room from the view below.
#[function_component(LatencyCharts)]
pub fn latency_charts(props: &LatencyChartsProps) -> Html {
    let shown = use_state(|| super::remembered(HIDDEN_KEY).is_none());
    let ontoggle = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            match *shown {
                true => super::remember(HIDDEN_KEY, "1"),
                false => super::forget(HIDDEN_KEY),
            }
            shown.set(!*shown);
        })
    };
    let toggle = html! {
        <button id="latency-toggle" class="latency-toggle" aria-expanded={shown.to_string()} onclick={ontoggle}
            title="The latency charts take room from the view below">
            { if *shown { "Hide charts" } else { "Show latency charts" } }</button>
    };
    if !*shown {
        return html! { <div id="latency-charts" class="latency-charts hidden">{ toggle }</div> };
    }
    html! {
        <div id="latency-charts" class="latency-charts">
            <Charts state={props.state.clone()} traces={props.traces.clone()} />
            { toggle }
        </div>
    }
}

/// The scatter and the histogram of the charted traces.
#[function_component(Charts)]
fn charts(props: &LatencyChartsProps) -> Html {
    let points = use_memo(
        (props.state.traces.clone(), props.traces.clone()),
        |(traces, shown)| chart_points(traces, shown),
    );
    html! {
        <>
            <Scatter state={props.state.clone()} points={points.clone()} />
            <DurationHistogram state={props.state.clone()} {points} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ChartProps {
    state: UseReducerHandle<PageState>,
    points: Rc<Vec<ChartPoint>>,
}

/// A drag in progress: where it started and where the pointer is, px in the canvas.
#[derive(Copy, Clone, PartialEq)]
struct Drag {
    from: (f64, f64),
    to: (f64, f64),
}

impl Drag {
    fn is_brush(&self) -> bool {
        (self.to.0 - self.from.0).abs() >= DRAG_PX || (self.to.1 - self.from.1).abs() >= DRAG_PX
    }
}

/// A press starts a drag there (the pointer captured, so the drag ends even outside).
fn start_drag(drag: UseStateHandle<Option<Drag>>) -> Callback<PointerEvent> {
    Callback::from(move |e: PointerEvent| {
        if let Some(el) = e.target_dyn_into::<web_sys::Element>() {
            let _ = el.set_pointer_capture(e.pointer_id());
        }
        drag.set(Some(Drag {
            from: at(&e),
            to: at(&e),
        }));
    })
}

fn at(e: &PointerEvent) -> (f64, f64) {
    (e.offset_x() as f64, e.offset_y() as f64)
}

/// "lo hi" of optional bounds, "-" for an open end.
fn bounds_text(lo: Option<i64>, hi: Option<i64>) -> String {
    let t = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
    format!("{} {}", t(lo), t(hi))
}

#[function_component(Scatter)]
fn scatter(props: &ChartProps) -> Html {
    let state = &props.state;
    let (wrap_ref, canvas_ref) = (use_node_ref(), use_node_ref());
    let width = use_element_size(wrap_ref.clone()).map(|(w, _)| w);
    let chart = use_memo((props.points.clone(), width), |(points, width)| {
        let frame = scatter_frame(points, width.unwrap_or(600.0), SCATTER_HEIGHT);
        let dots = decimate(&frame, points);
        (frame, dots)
    });
    let q = &state.trace_query;
    let brush = bounds_rect(
        &chart.0,
        (q.start_min_nanos, q.start_max_nanos),
        (q.min_nanos, q.max_nanos),
    );
    let (drag, hover) = (
        use_state(|| None::<Drag>),
        use_state(|| None::<(usize, f64, f64)>),
    );
    {
        let (canvas_ref, state) = (canvas_ref.clone(), state.clone());
        use_effect_with(
            (chart.clone(), brush, state.scheme, width),
            move |(chart, brush, scheme, width)| {
                let Some(canvas) = canvas_ref.cast::<web_sys::HtmlCanvasElement>() else {
                    return;
                };
                if width.is_none() {
                    return;
                }
                let colors = scheme.colors();
                let t0 = now();
                let size = (chart.0.width, chart.0.height);
                let drawn = on_canvas(&canvas, size, colors.background, |area| {
                    draw_scatter(area, &chart.0, &chart.1, *brush, colors)
                });
                if drawn.is_ok() {
                    let _ = canvas.set_attribute("data-draw-ms", &format!("{:.1}", now() - t0));
                }
            },
        );
    }
    let onpointerdown = start_drag(drag.clone());
    let onpointermove = {
        let (drag, hover, chart) = (drag.clone(), hover.clone(), chart.clone());
        Callback::from(move |e: PointerEvent| {
            let p = at(&e);
            if let Some(d) = *drag {
                drag.set(Some(Drag { to: p, ..d }));
                return;
            }
            hover.set(hit(&chart.1, p.0, p.1).map(|i| (i, p.0, p.1)));
        })
    };
    let onpointerup = {
        let (drag, chart, state) = (drag.clone(), chart.clone(), state.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(d) = *drag else { return };
            drag.set(None);
            let d = Drag { to: at(&e), ..d };
            if d.is_brush() {
                let b = scatter_brush(&chart.0, d.from, d.to);
                brush_to(&state, b);
            } else if let Some(i) = hit(&chart.1, d.to.0, d.to.1) {
                state.dispatch(Action::SelectTrace(chart.1[i].trace));
            }
        })
    };
    let onpointerleave = {
        let hover = hover.clone();
        Callback::from(move |_: PointerEvent| hover.set(None))
    };
    let onsvg = {
        let (chart, state) = (chart.clone(), state.clone());
        Callback::from(move |()| {
            let colors = state.scheme.colors();
            let size = (chart.0.width, chart.0.height);
            to_svg(size, |area| {
                draw_scatter(area, &chart.0, &chart.1, brush, colors)
            })
            .ok()
        })
    };
    let data_brush = (brush.is_some()).then(|| {
        format!(
            "{} {}",
            bounds_text(q.start_min_nanos, q.start_max_nanos),
            bounds_text(q.min_nanos, q.max_nanos)
        )
    });
    html! {
        <div class="latency-chart-wrap" ref={wrap_ref}>
            <div class="latency-chart-head">
                <span class="muted">{"Duration over start time (drag to filter)"}</span>
                <PictureButtons name="latency-chart" canvas={canvas_ref.clone()} svg={onsvg} />
            </div>
            <div class="latency-canvas-box">
                <canvas id="latency-chart" ref={canvas_ref} style={format!("height:{SCATTER_HEIGHT}px")}
                    data-points={chart.1.len().to_string()} data-brush={data_brush}
                    {onpointerdown} {onpointermove} {onpointerup} {onpointerleave} />
                { live_brush(*drag, &chart.0, false) }
                { tooltip(state, &chart.1, *hover) }
            </div>
        </div>
    }
}

#[function_component(DurationHistogram)]
fn duration_histogram(props: &ChartProps) -> Html {
    let state = &props.state;
    let (wrap_ref, canvas_ref) = (use_node_ref(), use_node_ref());
    let width = use_element_size(wrap_ref.clone()).map(|(w, _)| w);
    let log = use_state(|| false);
    let hist = use_memo(
        (props.points.clone(), width, *log),
        |(points, width, log)| histogram_of(points, width.unwrap_or(600.0), *log),
    );
    let q = &state.trace_query;
    let brush = bounds_rect(&hist.frame, (q.min_nanos, q.max_nanos), (None, None));
    let drag = use_state(|| None::<Drag>);
    {
        let (canvas_ref, state) = (canvas_ref.clone(), state.clone());
        use_effect_with(
            (hist.clone(), brush, state.scheme, width),
            move |(hist, brush, scheme, width)| {
                let Some(canvas) = canvas_ref.cast::<web_sys::HtmlCanvasElement>() else {
                    return;
                };
                if width.is_none() {
                    return;
                }
                let colors = scheme.colors();
                let size = (hist.frame.width, hist.frame.height);
                let _ = on_canvas(&canvas, size, colors.background, |area| {
                    draw_histogram(area, hist, *brush, colors)
                });
            },
        );
    }
    let onpointerdown = start_drag(drag.clone());
    let onpointermove = {
        let drag = drag.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some(d) = *drag {
                drag.set(Some(Drag { to: at(&e), ..d }));
            }
        })
    };
    let onpointerup = {
        let (drag, hist, state) = (drag.clone(), hist.clone(), state.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(d) = *drag else { return };
            drag.set(None);
            let d = Drag { to: at(&e), ..d };
            if (d.to.0 - d.from.0).abs() >= DRAG_PX {
                brush_to(&state, histogram_brush(&hist.frame, d.from.0, d.to.0));
            }
        })
    };
    let onlog = {
        let log = log.clone();
        Callback::from(move |_: Event| log.set(!*log))
    };
    let onsvg = {
        let (hist, state) = (hist.clone(), state.clone());
        Callback::from(move |()| {
            let colors = state.scheme.colors();
            let size = (hist.frame.width, hist.frame.height);
            to_svg(size, |area| draw_histogram(area, &hist, brush, colors)).ok()
        })
    };
    let data_brush = brush.map(|_| bounds_text(q.min_nanos, q.max_nanos));
    html! {
        <div class="latency-chart-wrap" ref={wrap_ref}>
            <div class="latency-chart-head">
                <span class="muted">{"Trace durations (drag to filter)"}</span>
                <label><input id="latency-log" type="checkbox" checked={*log} onchange={onlog} />{" Log scale"}</label>
                <PictureButtons name="latency-histogram" canvas={canvas_ref.clone()} svg={onsvg} />
            </div>
            <div class="latency-canvas-box">
                <canvas id="latency-histogram" ref={canvas_ref} style={format!("height:{HISTOGRAM_HEIGHT}px")}
                    data-bins={hist.counts.len().to_string()} data-log={log.to_string()} data-brush={data_brush}
                    {onpointerdown} {onpointermove} {onpointerup} />
                { live_brush(*drag, &hist.frame, true) }
            </div>
        </div>
    }
}

fn histogram_of(points: &[ChartPoint], width: f64, log: bool) -> Histogram {
    let durations: Vec<i64> = points.iter().map(|p| p.duration).collect();
    let plot_w = spanorama_core::layout::latency::PlotRect::inside(width, HISTOGRAM_HEIGHT).w;
    let bins = ((plot_w / MIN_BIN_PX) as usize).clamp(1, MAX_BINS);
    histogram(&durations, width, HISTOGRAM_HEIGHT, bins, log)
}

/// Narrows the list to a brush (keeping its other filters).
fn brush_to(state: &UseReducerHandle<PageState>, b: BrushBounds) {
    let next: TraceQuery = b.apply(&state.trace_query);
    state.dispatch(Action::QueryTraces(next));
}

/// The range being dragged out, over the canvas (the full plot height on the histogram).
fn live_brush(drag: Option<Drag>, frame: &ChartFrame, full_height: bool) -> Html {
    let Some(d) = drag.filter(Drag::is_brush) else {
        return html! {};
    };
    let p = frame.plot;
    let clamp_x = |x: f64| x.clamp(p.x, p.x + p.w);
    let clamp_y = |y: f64| y.clamp(p.y, p.y + p.h);
    let (x0, x1) = (clamp_x(d.from.0.min(d.to.0)), clamp_x(d.from.0.max(d.to.0)));
    let (y0, y1) = if full_height {
        (p.y, p.y + p.h)
    } else {
        (clamp_y(d.from.1.min(d.to.1)), clamp_y(d.from.1.max(d.to.1)))
    };
    let style = format!(
        "left:{x0}px;top:{y0}px;width:{}px;height:{}px",
        x1 - x0,
        y1 - y0
    );
    html! { <div class="latency-brush-live" {style}></div> }
}

/// The hovered dot's trace: root service and operation, duration, spans, errors, start.
fn tooltip(state: &PageState, dots: &[Dot], hover: Option<(usize, f64, f64)>) -> Html {
    let Some((dot, x, y)) = hover else {
        return html! {};
    };
    let Some(d) = dots.get(dot) else {
        return html! {};
    };
    let Some(t) = state.traces.get(d.trace) else {
        return html! {};
    };
    let text = |id| state.store.strings.get(id).to_string();
    let style = format!("left: {}px; top: {}px", x + 14.0, y + 14.0);
    html! {
        <div id="latency-tooltip" class="graph-tooltip" {style} data-trace-id={t.id.to_string()}>
            <div>{ format!("{}: {}", text(t.root_service), text(t.root_name)) }</div>
            <div>{ format!("{}, {} spans, {} errors", format_duration(t.duration_nanos()),
                format_count(t.len() as u64), format_count(t.error_count as u64)) }</div>
            <div>{ format_timestamp(t.start_unix_nanos) }</div>
            if d.count > 1 {
                <div class="muted">{ format!("{} traces here", format_count(d.count as u64)) }</div>
            }
        </div>
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
