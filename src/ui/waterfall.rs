//! The waterfall canvas component: virtual scrolling (a tall spacer scrolls, the canvas
//! stays in view and draws only the visible rows), hover tooltip, click to select, click the
//! triangle to collapse/expand, keys, Ctrl/⌘ + wheel to zoom time, Shift + wheel to pan,
//! resize tracking and high-DPI drawing. What keys and the wheel do is decided in
//! `spanorama_core::layout::input`; this component carries it out.

mod draw;
mod resizer;
mod tooltip;

use super::analysis::SkewFound;
use super::hooks::{self, use_element_size, use_wheel};
use super::Shared;
use draw::{use_waterfall_draw, WaterfallSource};
use spanorama_core::layout::{
    key_command, matching_rows, visible_rows, wheel_window, TimeWindow, WaterfallCommand,
    WaterfallGeometry, WaterfallRequest, Wheel,
};
use spanorama_core::model::units::format_count;
use spanorama_core::model::{CriticalPath, Store, Trace};
use spanorama_core::theme::{Palette, Scheme};
use std::collections::BTreeSet;
use std::rc::Rc;
use tooltip::{Hover, Tooltip};
use web_sys::HtmlElement;
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
    pub scheme: Scheme,
    /// The critical path, when it is shown.
    pub critical: Option<Shared<CriticalPath>>,
    /// The clock-skew adjustment, when spans are shown adjusted.
    pub skew: Option<Shared<SkewFound>>,
    /// Error spans under each trace position (empty while being counted).
    pub errors_below: Shared<Vec<u32>>,
    /// Only these trace positions (search matches, or a statistics row's spans) and their
    /// ancestors are shown, folds aside.
    pub only: Option<Shared<Vec<u32>>>,
    /// The zoom window a link asked for (ns from the trace's start): shown with the trace.
    pub link_window: Option<(i64, i64)>,
    /// Told the zoom window (ns from the trace's start; `None`: unzoomed) when it changes.
    pub onwindow: Callback<Option<(i64, i64)>>,
}

/// Size laid out before the element's own is known (nothing is drawn at it).
const UNMEASURED_SIZE: (f64, f64) = (800.0, 400.0);

/// The zoom window kept between renders: its zoom applies to the trace shown.
type ZoomState = UseStateHandle<TimeWindow>;

/// Shows `next` if it differs from `current` (the window of this render).
fn set_window(zoom: &ZoomState, current: TimeWindow, next: TimeWindow) {
    if next != current {
        zoom.set(next);
    }
}

#[function_component(Waterfall)]
pub fn waterfall(props: &WaterfallProps) -> Html {
    let _timing = super::Measure::new("spanorama:render-waterfall");
    let scroll_ref = use_node_ref();
    let canvas_ref = use_node_ref();
    // The scroll area's size as the browser last reported it (None before its first layout).
    let measured = use_element_size(scroll_ref.clone());
    let scroll_top = use_state_eq(|| 0.0f64);
    let hover = use_state(|| None::<Hover>);
    let zoom = use_state_eq(TimeWindow::default);
    let label_width = use_state_eq(resizer::remembered);
    let source = use_source(props);
    let trace = source.trace();
    let size = measured.unwrap_or(UNMEASURED_SIZE);
    let request = WaterfallRequest {
        geometry: label_width.map_or_else(
            || WaterfallGeometry::standard(size.0, size.1),
            |w| WaterfallGeometry::standard(size.0, size.1).with_label_width(w),
        ),
        scroll_top_px: *scroll_top,
        window: trace
            .map_or_else(TimeWindow::default, |t| match &props.skew {
                Some(s) => TimeWindow::whole(s.bounds.0, s.bounds.1),
                None => TimeWindow::of_trace(t),
            })
            .with_zoom_of(*zoom),
        hover_row: hover.map(|h| h.row),
        selected_span: props.selected_span,
        scheme: props.scheme,
    };
    use_new_trace_reset(props, &zoom, &scroll_top, &scroll_ref);
    use_window_report(props, request.window);
    use_wheel(canvas_ref.clone(), wheel_handler(&zoom, &request));
    use_reveal(props, &source, &scroll_ref, &request.geometry);
    // Nothing is drawn until the browser has laid the element out and reported its size.
    use_waterfall_draw(
        canvas_ref.clone(),
        source.clone(),
        measured.map(|_| request),
    );
    if trace.is_none() {
        return html! {};
    }
    let view = View {
        source,
        request,
        zoom,
        scroll_ref,
        onselect: props.onselect.clone(),
        ontoggle: props.ontoggle.clone(),
        onresize: {
            let label_width = label_width.clone();
            Callback::from(move |w: f64| label_width.set(Some(w)))
        },
    };
    view.html(canvas_ref, &hover, &scroll_top, measured.is_some())
}

/// The data the waterfall shows, with the visible rows worked out once per change.
#[hook]
fn use_source(props: &WaterfallProps) -> WaterfallSource {
    let only = props.only.clone();
    let rows = use_memo(
        (
            props.traces.clone(),
            props.trace_index,
            props.collapsed.clone(),
            only,
        ),
        |(traces, index, collapsed, only)| {
            let Some(trace) = traces.get(*index) else {
                return Vec::new();
            };
            match only {
                Some(matches) => matching_rows(trace, matches),
                None => visible_rows(trace, collapsed),
            }
        },
    );
    WaterfallSource {
        errors_below: props.errors_below.clone(),
        store: props.store.clone(),
        traces: props.traces.clone(),
        trace_index: props.trace_index,
        rows: Shared(rows),
        collapsed: props.collapsed.clone(),
        palette: Shared(props.palette.clone()),
        matches: props.matches.clone(),
        critical: props.critical.clone(),
        skew: props.skew.clone(),
    }
}

/// A new trace starts at the top, unzoomed (or at the zoom window a link asked for). The
/// scroll position is set only when it is not at the top already: setting it on an element
/// just added (the first trace) would make the browser lay the page out on the spot, in
/// the middle of showing it.
#[hook]
fn use_new_trace_reset(
    props: &WaterfallProps,
    zoom: &ZoomState,
    scroll_top: &UseStateHandle<f64>,
    scroll_ref: &NodeRef,
) {
    let zoom = zoom.clone();
    let scroll_top = scroll_top.clone();
    let scroll_ref = scroll_ref.clone();
    let scrolled = *scroll_top != 0.0;
    let start = props
        .traces
        .get(props.trace_index)
        .map_or(0, |t| t.start_unix_nanos);
    let key = (props.traces.clone(), props.trace_index, props.link_window);
    use_effect_with(key, move |(_, _, link_window)| {
        let asked = link_window.map(|(a, b)| (start.saturating_add(a), start.saturating_add(b)));
        zoom.set(zoom.reset().zoomed_to(asked));
        scroll_top.set(0.0);
        if let Some(el) = scroll_ref.cast::<HtmlElement>().filter(|_| scrolled) {
            el.set_scroll_top(0);
        }
    });
}

/// Tells `onwindow` the zoom window, ns from the trace's start, whenever it changes.
#[hook]
fn use_window_report(props: &WaterfallProps, window: TimeWindow) {
    let start = props
        .traces
        .get(props.trace_index)
        .map_or(0, |t| t.start_unix_nanos);
    let onwindow = props.onwindow.clone();
    let shown = window.is_zoomed().then(|| window.range());
    use_effect_with(shown, move |shown| {
        onwindow.emit(shown.map(|(a, b)| (a.saturating_sub(start), b.saturating_sub(start))));
    });
}

/// Scrolls the selected span into view when asked to (`reveal` changes: search steps).
#[hook]
fn use_reveal(
    props: &WaterfallProps,
    source: &WaterfallSource,
    scroll_ref: &NodeRef,
    geometry: &WaterfallGeometry,
) {
    let scroll_ref = scroll_ref.clone();
    let source = source.clone();
    let selected = props.selected_span;
    let geometry = *geometry;
    use_effect_with(props.reveal, move |_| {
        let row = selected
            .and_then(|s| source.data()?.row_of_span(s))
            .map(|(row, _)| row);
        if let (Some(row), Some(el)) = (row, scroll_ref.cast::<HtmlElement>()) {
            scroll_row_into_view(&el, &geometry, row);
        }
    });
}

/// Wheel over the canvas: zoom with Ctrl/⌘, pan with Shift or a horizontal wheel; a plain
/// wheel scrolls.
fn wheel_handler(zoom: &ZoomState, request: &WaterfallRequest) -> hooks::OnWheel {
    let zoom = zoom.clone();
    let geometry = request.geometry;
    let window = request.window;
    Rc::new(move |e: &web_sys::WheelEvent| {
        let wheel = Wheel {
            x_px: e.offset_x() as f64,
            delta_x: e.delta_x(),
            delta_y: e.delta_y(),
            zoom: e.ctrl_key() || e.meta_key(),
            shift: e.shift_key(),
        };
        if let Some(next) = wheel_window(&wheel, &geometry, window) {
            e.prevent_default();
            set_window(&zoom, window, next);
        }
    })
}

/// What the event handlers of one render need.
#[derive(Clone)]
struct View {
    source: WaterfallSource,
    request: WaterfallRequest,
    zoom: ZoomState,
    scroll_ref: NodeRef,
    onselect: Callback<Option<u32>>,
    ontoggle: Callback<u32>,
    /// The label column's edge was dragged to this width.
    onresize: Callback<f64>,
}

impl View {
    fn html(
        self,
        canvas_ref: NodeRef,
        hover: &UseStateHandle<Option<Hover>>,
        scroll_top: &UseStateHandle<f64>,
        sized: bool,
    ) -> Html {
        let g = self.request.geometry;
        let window = self.request.window;
        let row_count = self.source.rows.len();
        let size = (g.width_px, g.height_px);
        let content_height = g.content_height_px(row_count).max(size.1);
        let reset_zoom = self.window_callback(|w| w.reset());
        html! {
            <div class="waterfall" id="waterfall">
                if window.is_zoomed() {
                    <button class="reset-zoom" onclick={reset_zoom}>{"Reset zoom"}</button>
                }
                <super::minimap::Minimap store={self.source.store.clone()}
                    traces={self.source.traces.clone()} trace_index={self.source.trace_index}
                    rows={self.source.rows.clone()} geometry={g} {window} {sized}
                    visible={self.request.visible_range(row_count)} onzoom={self.onzoom()}
                    scheme={self.request.scheme}
                    skew={self.source.skew.clone()}
                    scroll_ref={self.scroll_ref.clone()} />
                <div id="waterfall-scroll" class="waterfall-scroll" ref={self.scroll_ref.clone()} tabindex="0"
                    onscroll={on_scroll(scroll_top, hover)} onkeydown={self.onkeydown()}>
                    <div class="waterfall-spacer" style={format!("height:{content_height:.0}px")}>
                        <canvas id="waterfall-canvas" ref={canvas_ref}
                            style={format!("height:{:.0}px", size.1)}
                            data-rows={row_count.to_string()}
                            data-row-height={g.row_height_px.to_string()}
                            data-header-height={g.header_height_px.to_string()}
                            data-label-width={format!("{:.0}", g.label_width_px)}
                            data-critical={self.source.critical.as_ref().map(|c| c.segments.len().to_string())}
                            aria-label={format!("Waterfall of {} spans", format_count(row_count as u64))}
                            onmousemove={self.onmousemove(hover)}
                            onmouseleave={on_mouse_leave(hover)}
                            onclick={self.onclick()} ondblclick={self.ondblclick()}></canvas>
                    </div>
                </div>
                if let Some(hover) = **hover {
                    <Tooltip source={self.source.clone()} {hover} scale={self.request.scale()} width_px={size.0} />
                }
                <resizer::Resizer width_px={g.label_width_px} onresize={self.onresize.clone()} />
                <div class="waterfall-help">{"Click a span for details · ▾ collapses · ↑↓←→ move and fold · Ctrl/⌘ + wheel or W/S zoom · Shift + wheel or A/D pan · double-click the ruler to reset"}</div>
            </div>
        }
    }

    /// A callback that shows `f` of this render's window.
    fn window_callback<E: 'static>(&self, f: fn(TimeWindow) -> TimeWindow) -> Callback<E> {
        let zoom = self.zoom.clone();
        let window = self.request.window;
        Callback::from(move |_: E| set_window(&zoom, window, f(window)))
    }

    /// The minimap asks for a window.
    fn onzoom(&self) -> Callback<TimeWindow> {
        let zoom = self.zoom.clone();
        let window = self.request.window;
        Callback::from(move |next| set_window(&zoom, window, next))
    }

    fn onmousemove(&self, hover: &UseStateHandle<Option<Hover>>) -> Callback<MouseEvent> {
        let hover = hover.clone();
        let (g, scroll_top) = (self.request.geometry, self.request.scroll_top_px);
        let row_count = self.source.rows.len();
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            let next = g.row_at(y, scroll_top, row_count).map(|row| Hover {
                row,
                x_px: x,
                y_px: y,
            });
            if *hover != next {
                hover.set(next);
            }
        })
    }

    /// A click on a row's toggle folds it; elsewhere on a row selects its span.
    fn onclick(&self) -> Callback<MouseEvent> {
        let view = self.clone();
        Callback::from(move |e: MouseEvent| {
            let (Some(data), g) = (view.source.data(), &view.request.geometry) else {
                return;
            };
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            let Some(row) = g.row_at(y, view.request.scroll_top_px, data.rows.len()) else {
                return;
            };
            let pos = data.rows[row];
            let indent = data.trace.depth[pos as usize].min(g.max_indent_levels());
            if data.trace.has_children(pos as usize) && g.hits_toggle(x, indent) {
                view.ontoggle.emit(pos);
            } else {
                view.onselect
                    .emit(data.trace.spans.get(pos as usize).copied());
            }
        })
    }

    /// A double-click on the ruler resets the zoom.
    fn ondblclick(&self) -> Callback<MouseEvent> {
        let reset = self.window_callback::<()>(|w| w.reset());
        let header_height_px = self.request.geometry.header_height_px;
        Callback::from(move |e: MouseEvent| {
            if (e.offset_y() as f64) < header_height_px {
                reset.emit(());
            }
        })
    }

    fn onkeydown(&self) -> Callback<KeyboardEvent> {
        let view = self.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(data) = view.source.data() else {
                return;
            };
            if let Some(command) = key_command(&e.key(), &data, &view.request) {
                e.prevent_default();
                view.run(command);
            }
        })
    }

    fn run(&self, command: WaterfallCommand) {
        match command {
            WaterfallCommand::Window(next) => set_window(&self.zoom, self.request.window, next),
            WaterfallCommand::SelectRow(row) => self.select_row(row),
            WaterfallCommand::Toggle(pos) => self.ontoggle.emit(pos),
            WaterfallCommand::Deselect => self.onselect.emit(None),
            WaterfallCommand::Details => focus_details(),
            WaterfallCommand::Nothing => {}
        }
    }

    /// Selects the span of visible row `row` and scrolls it into view.
    fn select_row(&self, row: usize) {
        let Some(data) = self.source.data() else {
            return;
        };
        if let Some(&pos) = data.rows.get(row) {
            self.onselect
                .emit(data.trace.spans.get(pos as usize).copied());
            if let Some(el) = self.scroll_ref.cast::<HtmlElement>() {
                scroll_row_into_view(&el, &self.request.geometry, row);
            }
        }
    }
}

/// Moves the keyboard focus to the detail panel (screen readers read it from there).
fn focus_details() {
    let panel = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("detail"))
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(el).ok());
    if let Some(panel) = panel {
        let _ = panel.focus();
    }
}

fn on_scroll(
    scroll_top: &UseStateHandle<f64>,
    hover: &UseStateHandle<Option<Hover>>,
) -> Callback<Event> {
    let scroll_top = scroll_top.clone();
    let hover = hover.clone();
    Callback::from(move |e: Event| {
        if let Some(el) = e.target_dyn_into::<HtmlElement>() {
            scroll_top.set(el.scroll_top() as f64);
            hover.set(None);
        }
    })
}

fn on_mouse_leave(hover: &UseStateHandle<Option<Hover>>) -> Callback<MouseEvent> {
    let hover = hover.clone();
    Callback::from(move |_: MouseEvent| hover.set(None))
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
