//! The waterfall canvas component: virtual scrolling (a tall spacer scrolls, the canvas
//! stays in view and draws only the visible rows), hover tooltip, click to select, click the
//! triangle to collapse/expand, Ctrl/⌘ + wheel to zoom time, Shift + wheel to pan, resize
//! tracking and high-DPI drawing.

use super::Shared;
use crate::render::waterfall::{draw, WaterfallFrame};
use gloo::events::{EventListener, EventListenerOptions};
use spanorama_core::layout::{row_boxes, visible_rows, TimeScale, WaterfallGeometry};
use spanorama_core::model::units::{format_count, format_duration};
use spanorama_core::model::{Store, Trace};
use spanorama_core::theme::{self, Palette};
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WaterfallProps {
    pub store: Shared<Store>,
    pub traces: Shared<Vec<Trace>>,
    pub trace_index: usize,
    pub collapsed: Rc<BTreeSet<u32>>,
    pub palette: Rc<Palette>,
    pub selected_span: Option<u32>,
    /// Trace positions matching the search (ascending), highlighted.
    pub matches: Shared<Vec<u32>>,
    /// Changes when the selected span should be scrolled into view.
    pub reveal: u32,
    pub onselect: Callback<Option<u32>>,
    pub ontoggle: Callback<u32>,
}

/// Size laid out before the element's own is known (nothing is drawn at it).
const UNMEASURED_SIZE: (f64, f64) = (800.0, 400.0);

/// Traces with more spans than this get their first draw in a task of its own, a frame after
/// the trace view first shows. A first draw normally comes in that frame (the size is known
/// only then), but at a million spans that frame's layout and commit already take 20-35 ms of
/// the main thread, and a garbage collection landing in a draw in the same task made it a
/// 51-56 ms task in benchmarks.
const SEPARATE_FIRST_DRAW_SPANS: usize = 250_000;

/// Mouse position over the canvas.
#[derive(Copy, Clone, PartialEq, Debug)]
struct Hover {
    row: usize,
    x_px: f64,
    y_px: f64,
}

/// What the non-Yew listeners (wheel, resize) need to read: refreshed on every render.
#[derive(Clone, Copy)]
struct Live {
    geometry: WaterfallGeometry,
    trace_start: i64,
    trace_end: i64,
    window: (i64, i64),
}

#[function_component(Waterfall)]
pub fn waterfall(props: &WaterfallProps) -> Html {
    let _timing = super::Measure::new("spanorama:render-waterfall");
    let scroll_ref = use_node_ref();
    let canvas_ref = use_node_ref();
    // The scroll area's size as the browser last reported it (None before its first layout).
    let measured = use_state_eq(|| None::<(f64, f64)>);
    let scroll_top = use_state_eq(|| 0.0f64);
    let hover = use_state(|| None::<Hover>);
    // Zoom window in ns since the epoch; None = the whole trace.
    let zoom = use_state_eq(|| None::<(i64, i64)>);
    // Nothing is drawn until the browser has laid the element out and reported its size.
    let size = (*measured).unwrap_or(UNMEASURED_SIZE);
    let can_draw = measured.is_some();
    let draws = use_mut_ref(|| 0u64);
    // Counts the draw effect's runs: a first draw put off to a later task is dropped when
    // the effect has run again meanwhile.
    let draw_runs = use_mut_ref(|| 0u64);
    let live = use_mut_ref(|| None::<Live>);

    let trace = props.traces.get(props.trace_index);
    let rows = use_memo(
        (
            props.traces.clone(),
            props.trace_index,
            props.collapsed.clone(),
        ),
        |(traces, index, collapsed)| {
            traces
                .get(*index)
                .map(|t| visible_rows(t, collapsed))
                .unwrap_or_default()
        },
    );

    // A new trace starts at the top, unzoomed. The scroll position is set only when it is
    // not at the top already: setting it on an element just added (the first trace) would
    // make the browser lay the page out on the spot, in the middle of showing it.
    {
        let zoom = zoom.clone();
        let scroll_top = scroll_top.clone();
        let scroll_ref = scroll_ref.clone();
        let scrolled = *scroll_top != 0.0;
        use_effect_with((props.traces.clone(), props.trace_index), move |_| {
            zoom.set(None);
            scroll_top.set(0.0);
            if let Some(el) = scroll_ref.cast::<HtmlElement>().filter(|_| scrolled) {
                el.set_scroll_top(0);
            }
        });
    }

    // Track the viewport size. The observer reports it first right after the browser's
    // layout of the new element, before that frame is painted: the first draw then comes in
    // the first frame, once, at the final size. (Measuring here instead made the browser lay
    // out a page still being built, and the first draw came at a size the rest of the
    // render then changed, so the trace was drawn two or three times before it showed.)
    {
        let measured = measured.clone();
        let scroll_ref = scroll_ref.clone();
        use_effect_with((), move |_| {
            let observer = scroll_ref.cast::<HtmlElement>().and_then(|el| {
                let measure = {
                    let el = el.clone();
                    let measured = measured.clone();
                    move || {
                        let w = el.client_width() as f64;
                        let h = el.client_height() as f64;
                        if w > 0.0 && h > 0.0 {
                            measured.set(Some((w, h)));
                        }
                    }
                };
                let callback = Closure::<dyn FnMut()>::new(measure);
                let observer =
                    web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&el);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }

    let geometry = WaterfallGeometry::standard(size.0, size.1);
    let (trace_start, trace_end) = trace.map_or((0, 1), |t| {
        (
            t.start_unix_nanos,
            t.end_unix_nanos.max(t.start_unix_nanos + 1),
        )
    });
    let window = zoom.unwrap_or((trace_start, trace_end));
    *live.borrow_mut() = Some(Live {
        geometry,
        trace_start,
        trace_end,
        window,
    });

    // Wheel: zoom with Ctrl/⌘, pan with Shift or a horizontal wheel; plain wheel scrolls.
    // Registered by hand because it must be able to preventDefault (not passive).
    {
        let canvas_ref = canvas_ref.clone();
        let live = live.clone();
        let zoom = zoom.clone();
        use_effect_with((), move |_| {
            let listener = canvas_ref.cast::<HtmlCanvasElement>().map(|canvas| {
                EventListener::new_with_options(
                    &canvas,
                    "wheel",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(e) = event.dyn_ref::<web_sys::WheelEvent>() else {
                            return;
                        };
                        let Some(l) = *live.borrow() else {
                            return;
                        };
                        if let Some(next) = wheel_window(&l, e) {
                            e.prevent_default();
                            zoom.set(next);
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }

    // Scroll the selected span into view when asked to (search steps).
    {
        let scroll_ref = scroll_ref.clone();
        let rows = rows.clone();
        let traces = props.traces.clone();
        let index = props.trace_index;
        let selected = props.selected_span;
        use_effect_with(props.reveal, move |_| {
            let row = selected
                .and_then(|s| traces.get(index)?.position_of(s))
                .and_then(|p| rows.binary_search(&(p as u32)).ok());
            if let (Some(row), Some(el)) = (row, scroll_ref.cast::<HtmlElement>()) {
                scroll_row_into_view(&el, &geometry, row);
            }
        });
    }

    // Draw after every render whose inputs changed.
    {
        let canvas_ref = canvas_ref.clone();
        let draws = draws.clone();
        let store = props.store.clone();
        let traces = props.traces.clone();
        let rows = rows.clone();
        let collapsed = props.collapsed.clone();
        let palette = props.palette.clone();
        let matches = props.matches.clone();
        let deps = (
            props.store.clone(),
            props.traces.clone(),
            props.trace_index,
            // Compared by identity: the memo hands out a new Rc only when rows change.
            Shared(rows.clone()),
            Shared(palette.clone()),
            (size, can_draw, *scroll_top, *zoom),
            hover.map(|h| h.row),
            props.selected_span,
            props.matches.clone(),
        );
        let index = props.trace_index;
        let selected_span = props.selected_span;
        let hover = *hover;
        let scroll_top = *scroll_top;
        let draw_runs = draw_runs.clone();
        use_effect_with(deps, move |_| {
            if !can_draw {
                return;
            }
            let run = {
                let mut runs = draw_runs.borrow_mut();
                *runs += 1;
                *runs
            };
            let first_of_big = *draws.borrow() == 0
                && traces
                    .get(index)
                    .is_some_and(|t| t.len() > SEPARATE_FIRST_DRAW_SPANS);
            let paint = move || {
                let (Some(canvas), Some(trace)) =
                    (canvas_ref.cast::<HtmlCanvasElement>(), traces.get(index))
                else {
                    return;
                };
                let started = super::now_ms();
                let timing = super::Measure::new("spanorama:draw");
                let geometry = WaterfallGeometry::standard(size.0, size.1);
                let scale = TimeScale::new(
                    window.0,
                    window.1,
                    geometry.timeline_x_px(),
                    geometry.timeline_width_px(),
                );
                let range = geometry.visible_range(scroll_top, rows.len());
                let boxes = row_boxes(
                    &store, trace, &rows, range, &geometry, &scale, scroll_top, &collapsed,
                    &palette, &matches,
                );
                let ticks = scale.ticks(trace.start_unix_nanos, theme::MIN_TICK_SPACING_PX);
                let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
                let frame = WaterfallFrame {
                    geometry,
                    rows: &boxes,
                    ticks: &ticks,
                    hover_row: hover.map(|h| h.row),
                    selected_span,
                    device_pixel_ratio: dpr,
                };
                if let Err(e) = draw(&canvas, &frame) {
                    gloo::console::error!(format!("waterfall draw failed: {e}"));
                    return;
                }
                let mut n = draws.borrow_mut();
                *n += 1;
                let _ = canvas.set_attribute("data-draws", &n.to_string());
                drop(timing);
                let _ = canvas
                    .set_attribute("data-draw-ms", &format!("{:.2}", super::now_ms() - started));
            };
            if first_of_big {
                yew::platform::spawn_local(async move {
                    gloo::timers::future::TimeoutFuture::new(0).await;
                    if *draw_runs.borrow() == run {
                        paint();
                    }
                });
            } else {
                paint();
            }
        });
    }

    let Some(trace) = trace else {
        return html! {};
    };

    let onscroll = {
        let scroll_top = scroll_top.clone();
        let hover = hover.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlElement>() {
                scroll_top.set(el.scroll_top() as f64);
                hover.set(None);
            }
        })
    };
    let row_count = rows.len();
    let onmousemove = {
        let hover = hover.clone();
        let scroll_top = *scroll_top;
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            let next = geometry.row_at(y, scroll_top, row_count).map(|row| Hover {
                row,
                x_px: x,
                y_px: y,
            });
            if *hover != next {
                hover.set(next);
            }
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let onclick = {
        let rows = rows.clone();
        let traces = props.traces.clone();
        let index = props.trace_index;
        let onselect = props.onselect.clone();
        let ontoggle = props.ontoggle.clone();
        let scroll_top = *scroll_top;
        Callback::from(move |e: MouseEvent| {
            let Some(trace) = traces.get(index) else {
                return;
            };
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            let Some(row) = geometry.row_at(y, scroll_top, rows.len()) else {
                return;
            };
            let pos = rows[row];
            let indent = trace.depth[pos as usize].min(geometry.max_indent_levels());
            if trace.has_children(pos as usize) && geometry.hits_toggle(x, indent) {
                ontoggle.emit(pos);
            } else {
                onselect.emit(trace.spans.get(pos as usize).copied());
            }
        })
    };
    let ondblclick = {
        let zoom = zoom.clone();
        Callback::from(move |e: MouseEvent| {
            if (e.offset_y() as f64) < geometry.header_height_px {
                zoom.set(None);
            }
        })
    };
    let onkeydown = {
        let rows = rows.clone();
        let traces = props.traces.clone();
        let index = props.trace_index;
        let selected = props.selected_span;
        let onselect = props.onselect.clone();
        let ontoggle = props.ontoggle.clone();
        let collapsed = props.collapsed.clone();
        let scroll_ref = scroll_ref.clone();
        let zoom = zoom.clone();
        let live = live.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(trace) = traces.get(index) else {
                return;
            };
            let key = e.key();
            if let Some(next) = keyboard_window(&live.borrow(), &key) {
                e.prevent_default();
                zoom.set(next);
                return;
            }
            // Row of the selected span among the visible rows (rows are sorted positions).
            let current = selected
                .and_then(|s| trace.position_of(s))
                .and_then(|p| rows.binary_search(&(p as u32)).ok().map(|r| (r, p)));
            let select_row = |row: usize| {
                if let Some(&pos) = rows.get(row) {
                    onselect.emit(trace.spans.get(pos as usize).copied());
                    if let Some(el) = scroll_ref.cast::<HtmlElement>() {
                        scroll_row_into_view(&el, &geometry, row);
                    }
                }
            };
            match (key.as_str(), current) {
                ("ArrowDown", Some((r, _))) => {
                    select_row((r + 1).min(rows.len().saturating_sub(1)))
                }
                ("ArrowUp", Some((r, _))) => select_row(r.saturating_sub(1)),
                ("ArrowDown" | "ArrowUp", None) => select_row(0),
                ("Home", _) => select_row(0),
                ("End", _) => select_row(rows.len().saturating_sub(1)),
                ("ArrowLeft", Some((r, p))) => {
                    if trace.has_children(p) && !collapsed.contains(&(p as u32)) {
                        ontoggle.emit(p as u32);
                    } else if let Some(parent_row) = trace
                        .parent
                        .get(p)
                        .and_then(|pp| rows.binary_search(pp).ok())
                    {
                        select_row(parent_row);
                    } else {
                        select_row(r);
                    }
                }
                ("ArrowRight", Some((r, p))) => {
                    if collapsed.contains(&(p as u32)) {
                        ontoggle.emit(p as u32);
                    } else if trace.has_children(p) {
                        select_row(r + 1);
                    }
                }
                ("Escape", _) => onselect.emit(None),
                _ => return,
            }
            e.prevent_default();
        })
    };
    let reset_zoom = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.set(None))
    };

    let tooltip = hover.and_then(|h| {
        let pos = *rows.get(h.row)?;
        let index = *trace.spans.get(pos as usize)?;
        let span = props.store.spans.get(index as usize)?;
        let store = &props.store;
        let left = (h.x_px + 14.0).min(size.0 - 300.0).max(4.0);
        let top = h.y_px + 16.0;
        Some(html! {
            <div id="tooltip" class="tooltip" style={format!("left:{left:.0}px;top:{top:.0}px")}>
                <div class="tt-service" style={format!("border-color:{}", props.palette.colour(store.strings.get(span.service)))}>
                    { store.strings.get(span.service).to_string() }
                </div>
                <div class="tt-name">{ store.strings.get(span.name).to_string() }</div>
                <div class="tt-facts">
                    <span>{ if span.end_unknown() { "no end time".to_string() } else { format_duration(span.duration_nanos) } }</span>
                    <span>{ format!("at +{}", format_duration(span.start_unix_nanos - trace.start_unix_nanos)) }</span>
                    if span.status == spanorama_core::model::StatusCode::Error {
                        <span class="error">{"error"}</span>
                    }
                </div>
            </div>
        })
    });

    let onzoom = {
        let zoom = zoom.clone();
        Callback::from(move |window| zoom.set(window))
    };

    let content_height = geometry.content_height_px(row_count).max(size.1);
    html! {
        <div class="waterfall" id="waterfall">
            if zoom.is_some() {
                <button class="reset-zoom" onclick={reset_zoom}>{"Reset zoom"}</button>
            }
            <super::minimap::Minimap store={props.store.clone()} traces={props.traces.clone()}
                trace_index={props.trace_index} rows={Shared(rows.clone())} {geometry} {window}
                sized={can_draw}
                visible={geometry.visible_range(*scroll_top, row_count)} {onzoom}
                scroll_ref={scroll_ref.clone()} />
            <div id="waterfall-scroll" class="waterfall-scroll" ref={scroll_ref} tabindex="0" {onscroll} {onkeydown}>
                <div class="waterfall-spacer" style={format!("height:{content_height:.0}px")}>
                    <canvas id="waterfall-canvas" ref={canvas_ref}
                        style={format!("height:{:.0}px", size.1)}
                        data-rows={row_count.to_string()}
                        data-row-height={geometry.row_height_px.to_string()}
                        data-header-height={geometry.header_height_px.to_string()}
                        data-label-width={format!("{:.0}", geometry.label_width_px)}
                        aria-label={format!("Waterfall of {} spans", format_count(row_count as u64))}
                        {onmousemove} {onmouseleave} {onclick} {ondblclick}></canvas>
                </div>
            </div>
            { tooltip.unwrap_or_default() }
            <div class="waterfall-help">{"Click a span for details · ▾ collapses · ↑↓←→ move and fold · Ctrl/⌘ + wheel or W/S zoom · Shift + wheel or A/D pan · double-click the ruler to reset"}</div>
        </div>
    }
}

/// Scrolls so that `row` is fully visible.
fn scroll_row_into_view(el: &HtmlElement, g: &WaterfallGeometry, row: usize) {
    let top = row as f64 * g.row_height_px;
    let body = (g.height_px - g.header_height_px).max(g.row_height_px);
    let scroll = el.scroll_top() as f64;
    if top < scroll {
        el.set_scroll_top(top as i32);
    } else if top + g.row_height_px > scroll + body {
        el.set_scroll_top((top + g.row_height_px - body).ceil() as i32);
    }
}

/// The zoom window after W/S (zoom in/out around the centre) or A/D (pan), as in Perfetto;
/// None for other keys.
#[allow(clippy::option_option)]
fn keyboard_window(live: &Option<Live>, key: &str) -> Option<Option<(i64, i64)>> {
    let l = live.as_ref()?;
    let (start, end) = l.window;
    let span = (end - start).max(1) as f64;
    let full = (l.trace_end - l.trace_start).max(1) as f64;
    let centre = start as f64 + span / 2.0;
    let (new_start, new_span) = match key {
        "w" | "W" => {
            let s = (span * 0.7).max(100.0_f64.min(full));
            (centre - s / 2.0, s)
        }
        "s" | "S" => {
            let s = (span / 0.7).min(full);
            (centre - s / 2.0, s)
        }
        "a" | "A" => (start as f64 - span * 0.2, span),
        "d" | "D" => (start as f64 + span * 0.2, span),
        _ => return None,
    };
    Some(clamp_window(l, new_start, new_span, full))
}

/// A window of `span` ns starting at `start`, kept inside the trace; None = whole trace.
fn clamp_window(l: &Live, start: f64, span: f64, full: f64) -> Option<(i64, i64)> {
    if span >= full {
        return None;
    }
    let start = start.clamp(
        l.trace_start as f64,
        (l.trace_end as f64 - span).max(l.trace_start as f64),
    );
    let s = start.round() as i64;
    Some((s, s + span.round().max(1.0) as i64))
}

/// The zoom window after a wheel event, or None when the event should scroll normally.
/// `Some(None)` means "back to the whole trace".
#[allow(clippy::option_option)]
fn wheel_window(l: &Live, e: &web_sys::WheelEvent) -> Option<Option<(i64, i64)>> {
    let g = &l.geometry;
    let (start, end) = l.window;
    let span = (end - start).max(1) as f64;
    let full = (l.trace_end - l.trace_start).max(1) as f64;
    let scale = TimeScale::new(start, end, g.timeline_x_px(), g.timeline_width_px());
    let zooming = e.ctrl_key() || e.meta_key();
    let panning = e.shift_key() || e.delta_x().abs() > e.delta_y().abs();
    let (new_start, new_span) = if zooming {
        let x = (e.offset_x() as f64)
            .clamp(g.timeline_x_px(), g.timeline_x_px() + g.timeline_width_px());
        let at = scale.nanos_from_px(x) as f64;
        let factor = (e.delta_y() * 0.002).exp();
        let new_span = (span * factor).clamp(100.0_f64.min(full), full);
        (at - (at - start as f64) * new_span / span, new_span)
    } else if panning {
        let delta = if e.delta_x().abs() > e.delta_y().abs() {
            e.delta_x()
        } else {
            e.delta_y()
        };
        (start as f64 + delta / g.timeline_width_px() * span, span)
    } else {
        return None;
    };
    let new_start = new_start.clamp(
        l.trace_start as f64,
        (l.trace_end as f64 - new_span).max(l.trace_start as f64),
    );
    if new_span >= full {
        return Some(None);
    }
    let s = new_start.round() as i64;
    Some(Some((s, s + new_span.round().max(1.0) as i64)))
}
