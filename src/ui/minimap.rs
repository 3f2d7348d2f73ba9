//! The trace overview (minimap) above the waterfall: the whole trace in a strip, with the
//! waterfall's viewport on it. Dragging across it selects a zoom window, a click brings that
//! row to the middle of the waterfall (and, when zoomed, that time to the middle of the
//! window), a double-click resets the zoom.
//!
//! The overview image is rebuilt only when the layout changes (trace, visible rows, size);
//! scrolling, zooming and dragging only blit it again. `data-renders` and `data-blits` on
//! `#minimap-canvas` count the two, for the end-to-end tests.

use super::analysis::SkewFound;
use super::Shared;
use crate::render::minimap::{blit, offscreen_canvas, put_image, MinimapFrame};
use spanorama_core::layout::{CoverageBuilder, MinimapGeometry, TimeWindow, WaterfallGeometry};
use spanorama_core::model::units::format_count;
use spanorama_core::model::{Store, Trace};
use spanorama_core::theme::{self, Scheme};
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use web_sys::{HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

/// A pointer that moves less than this between press and release clicked, CSS px.
const DRAG_THRESHOLD_PX: f64 = 3.0;

#[derive(Properties, PartialEq)]
pub struct MinimapProps {
    pub store: Shared<Store>,
    pub traces: Shared<Vec<Trace>>,
    pub trace_index: usize,
    /// The waterfall's visible rows (trace positions; compared by identity).
    pub rows: Shared<Vec<u32>>,
    /// The waterfall's geometry: the minimap is as wide, its image under the timeline.
    pub geometry: WaterfallGeometry,
    /// False while the waterfall's size is not known yet: nothing is counted or drawn at a
    /// size about to change.
    pub sized: bool,
    /// The waterfall's zoom window.
    pub window: TimeWindow,
    /// The rows (indices into `rows`) the waterfall shows now.
    pub visible: Range<usize>,
    /// Asks the waterfall for a zoom window.
    pub onzoom: Callback<TimeWindow>,
    /// The waterfall's scroll container, scrolled when a row is clicked.
    pub scroll_ref: NodeRef,
    pub scheme: Scheme,
    /// The clock-skew adjustment, when spans are shown adjusted.
    pub skew: Option<Shared<SkewFound>>,
}

/// A press on the minimap, until it is released: where it started and where it is now.
#[derive(Copy, Clone, PartialEq, Debug)]
struct Drag {
    from_x_px: f64,
    to_x_px: f64,
}

impl Drag {
    fn is_click(&self) -> bool {
        (self.to_x_px - self.from_x_px).abs() < DRAG_THRESHOLD_PX
    }
}

/// What the offscreen image shows: when this changes, it is rebuilt.
#[derive(Clone, PartialEq)]
struct ImageKey {
    store: Shared<Store>,
    traces: Shared<Vec<Trace>>,
    trace_index: usize,
    rows: Shared<Vec<u32>>,
    /// Image size, device px.
    width_px: u32,
    height_px: u32,
    scheme: Scheme,
    skew: Option<Shared<SkewFound>>,
}

/// The offscreen image, what it shows, and the counts reported to the page.
#[derive(Default)]
struct Cache {
    offscreen: Option<HtmlCanvasElement>,
    /// What `offscreen` shows.
    key: Option<ImageKey>,
    /// The image being counted, if any, and a number that grows with each rebuild started.
    building: Option<ImageKey>,
    generation: u64,
    /// The latest frame (blitted again when a rebuilt image is ready).
    frame: Option<MinimapFrame>,
    renders: u64,
    blits: u64,
}

#[function_component(Minimap)]
pub fn minimap(props: &MinimapProps) -> Html {
    let canvas_ref = use_node_ref();
    let drag = use_state(|| None::<Drag>);
    let g = &props.geometry;
    let minimap = props.traces.get(props.trace_index).map(|trace| {
        let g = MinimapGeometry::new(
            trace,
            props.rows.len(),
            g.timeline_x_px(),
            g.timeline_width_px(),
            theme::MINIMAP_HEIGHT_PX,
        );
        match &props.skew {
            Some(s) => g.with_bounds(s.bounds.0, s.bounds.1),
            None => g,
        }
    });
    let label = format!("Overview · {} rows", format_count(props.rows.len() as u64));
    use_minimap_draw(props, canvas_ref.clone(), minimap, *drag, label.clone());
    let Some(minimap) = minimap else {
        return html! {};
    };
    html! {
        <div class="minimap">
            <canvas id="minimap-canvas" ref={canvas_ref}
                style={format!("width:{:.0}px;height:{:.0}px", g.width_px, minimap.height_px)}
                data-rows={props.rows.len().to_string()}
                data-image-x={format!("{:.0}", minimap.x_px)}
                data-image-width={format!("{:.0}", minimap.width_px)}
                title="Trace overview: drag to zoom to a time range, click to go to a row, double-click to reset the zoom"
                aria-label={label}
                onpointerdown={on_pointer_down(&drag)} onpointermove={on_pointer_move(&drag)}
                onpointerup={on_pointer_up(props, minimap, &drag)}
                onpointercancel={on_pointer_cancel(&drag)} ondblclick={on_double_click(props)}></canvas>
        </div>
    }
}

/// Blits the overview after every render that moved the viewport or the drag, and has the
/// image rebuilt when what it shows changed. Nothing before the waterfall is sized.
#[hook]
fn use_minimap_draw(
    props: &MinimapProps,
    canvas_ref: NodeRef,
    minimap: Option<MinimapGeometry>,
    drag: Option<Drag>,
    label: String,
) {
    let cache = use_mut_ref(Cache::default);
    let viewport = minimap.map(|m| m.viewport(props.window.range(), props.visible.clone()));
    let deps = (
        (
            props.store.clone(),
            props.traces.clone(),
            props.trace_index,
            props.rows.clone(),
        ),
        minimap,
        viewport,
        drag.map(|d| (d.from_x_px, d.to_x_px)),
        props.geometry.width_px,
        props.sized,
        (props.scheme, props.skew.clone()),
    );
    use_effect_with(
        deps,
        move |(data, minimap, viewport, selection, width_px, sized, (scheme, skew))| {
            let (true, Some(canvas), Some(minimap), Some(viewport)) = (
                *sized,
                canvas_ref.cast::<HtmlCanvasElement>(),
                minimap,
                viewport,
            ) else {
                return;
            };
            let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
            let key = ImageKey {
                store: data.0.clone(),
                traces: data.1.clone(),
                trace_index: data.2,
                rows: data.3.clone(),
                width_px: (minimap.width_px * dpr).round() as u32,
                height_px: (minimap.height_px * dpr).round() as u32,
                scheme: *scheme,
                skew: skew.clone(),
            };
            let frame = MinimapFrame {
                geometry: *minimap,
                width_px: *width_px,
                viewport: *viewport,
                selection: *selection,
                label,
                colors: scheme.colors(),
                device_pixel_ratio: dpr,
            };
            show(&cache, &canvas, key, frame);
        },
    );
}

/// Blits `frame` with the image there is, first starting a rebuild if the image is not
/// of `key` and none for it is under way.
fn show(
    cache: &Rc<RefCell<Cache>>,
    canvas: &HtmlCanvasElement,
    key: ImageKey,
    frame: MinimapFrame,
) {
    let mut c = cache.borrow_mut();
    c.frame = Some(frame);
    if c.key.as_ref() == Some(&key) {
        if c.building.take().is_some() {
            c.generation += 1; // back to what the image shows: stop the rebuild
        }
    } else if c.building.as_ref() != Some(&key) {
        // Rebuilding the image is O(rows) (tens of ms at a million rows): it is counted in
        // steps, a task each, after this frame; until it is done the old image (if any) is
        // shown, stretched to the new size.
        c.forget_other_trace(&key);
        c.building = Some(key.clone());
        c.generation += 1;
        let generation = c.generation;
        yew::platform::spawn_local(rebuild(canvas.clone(), cache.clone(), key, generation));
    }
    if let Err(e) = c.blit(canvas) {
        gloo::console::error!(format!("minimap draw failed: {e}"));
    }
}

fn on_pointer_down(drag: &UseStateHandle<Option<Drag>>) -> Callback<PointerEvent> {
    let drag = drag.clone();
    Callback::from(move |e: PointerEvent| {
        if e.button() != 0 {
            return;
        }
        if let Some(canvas) = e.target_dyn_into::<HtmlCanvasElement>() {
            // Keep receiving moves and the release when the pointer leaves the canvas.
            let _ = canvas.set_pointer_capture(e.pointer_id());
        }
        let x = e.offset_x() as f64;
        drag.set(Some(Drag {
            from_x_px: x,
            to_x_px: x,
        }));
    })
}

fn on_pointer_move(drag: &UseStateHandle<Option<Drag>>) -> Callback<PointerEvent> {
    let drag = drag.clone();
    Callback::from(move |e: PointerEvent| {
        if let Some(d) = *drag {
            let to_x_px = e.offset_x() as f64;
            if to_x_px != d.to_x_px {
                drag.set(Some(Drag { to_x_px, ..d }));
            }
        }
    })
}

/// The end of a press: a drag zooms to its time range; a click scrolls to the row and,
/// when zoomed, centres the window on the time.
fn on_pointer_up(
    props: &MinimapProps,
    minimap: MinimapGeometry,
    drag: &UseStateHandle<Option<Drag>>,
) -> Callback<PointerEvent> {
    let drag = drag.clone();
    let onzoom = props.onzoom.clone();
    let scroll_ref = props.scroll_ref.clone();
    let window = props.window;
    let geometry = props.geometry;
    Callback::from(move |e: PointerEvent| {
        let Some(d) = *drag else {
            return;
        };
        drag.set(None);
        if !d.is_click() {
            onzoom.emit(window.zoomed_to(minimap.window_from_drag(d.from_x_px, d.to_x_px)));
            return;
        }
        if let (Some(row), Some(el)) = (
            minimap.row_at(e.offset_y() as f64),
            scroll_ref.cast::<HtmlElement>(),
        ) {
            centre_row(&el, &geometry, row);
        }
        if window.range() != window.extent() {
            let x = e.offset_x() as f64;
            onzoom.emit(window.zoomed_to(minimap.window_centred_at(window.range(), x)));
        }
    })
}

fn on_pointer_cancel(drag: &UseStateHandle<Option<Drag>>) -> Callback<PointerEvent> {
    let drag = drag.clone();
    Callback::from(move |_: PointerEvent| drag.set(None))
}

fn on_double_click(props: &MinimapProps) -> Callback<MouseEvent> {
    let onzoom = props.onzoom.clone();
    let window = props.window;
    Callback::from(move |_: MouseEvent| onzoom.emit(window.reset()))
}

/// Rows counted per task while the overview image is rebuilt (~5-10 ms each in a browser).
const ROWS_PER_STEP: usize = 1 << 17;

/// Counts the overview image for `key` a step per task, then shows it with the latest
/// frame. Gives up when a newer rebuild (`generation`) has started.
async fn rebuild(
    canvas: HtmlCanvasElement,
    cache: Rc<RefCell<Cache>>,
    key: ImageKey,
    generation: u64,
) {
    let current = |cache: &Rc<RefCell<Cache>>| cache.borrow().generation == generation;
    let Some(trace) = key.traces.get(key.trace_index) else {
        return;
    };
    let started = super::now_ms();
    let mut builder = CoverageBuilder::new(trace, key.rows.len(), key.width_px, key.height_px);
    if let Some(s) = &key.skew {
        builder = builder.shifted(s.bounds, s.shift.clone());
    }
    loop {
        gloo::timers::future::TimeoutFuture::new(0).await;
        if !current(&cache) {
            return;
        }
        if builder.step(&key.store, trace, &key.rows, ROWS_PER_STEP) {
            break;
        }
    }
    let rgba = builder.finish().to_rgba(key.scheme.colors());
    let (width, height) = if rgba.is_empty() {
        (0, 0)
    } else {
        (key.width_px, key.height_px)
    };
    let mut c = cache.borrow_mut();
    let shown = match &c.offscreen {
        Some(offscreen) => Ok(offscreen.clone()),
        None => offscreen_canvas(),
    }
    .and_then(|offscreen| {
        put_image(&offscreen, &rgba, width, height)?;
        Ok(offscreen)
    });
    match shown {
        Ok(offscreen) => c.offscreen = Some(offscreen),
        Err(e) => gloo::console::error!(format!("minimap draw failed: {e}")),
    }
    c.key = Some(key);
    c.building = None;
    c.renders += 1;
    let _ = canvas.set_attribute("data-renders", &c.renders.to_string());
    let _ = canvas.set_attribute(
        "data-render-ms",
        &format!("{:.2}", super::now_ms() - started),
    );
    if let Err(e) = c.blit(&canvas) {
        gloo::console::error!(format!("minimap draw failed: {e}"));
    }
}

impl Cache {
    /// Another trace's overview would mislead: shows none until `key`'s is ready.
    fn forget_other_trace(&mut self, key: &ImageKey) {
        let same_trace = self.key.as_ref().is_some_and(|k| {
            (&k.store, &k.traces, k.trace_index) == (&key.store, &key.traces, key.trace_index)
        });
        if !same_trace {
            if let Some(offscreen) = &self.offscreen {
                offscreen.set_width(0);
            }
            self.key = None; // it shows nothing now
        }
    }

    /// Paints the latest frame with the image there is (possibly one being replaced).
    fn blit(&mut self, canvas: &HtmlCanvasElement) -> Result<(), String> {
        let (Some(offscreen), Some(frame)) = (&self.offscreen, &self.frame) else {
            return Ok(());
        };
        blit(canvas, offscreen, frame)?;
        self.blits += 1;
        let _ = canvas.set_attribute("data-blits", &self.blits.to_string());
        Ok(())
    }
}

/// Scrolls the waterfall so that `row` (index into the visible rows) is in its middle.
fn centre_row(el: &HtmlElement, g: &WaterfallGeometry, row: usize) {
    let body = (g.height_px - g.header_height_px).max(g.row_height_px);
    let top = (row as f64 + 0.5) * g.row_height_px - body / 2.0;
    el.set_scroll_top(top.max(0.0).round() as i32);
}
