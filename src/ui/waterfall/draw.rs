//! The waterfall's draw: keyed on the shared data and the [`WaterfallRequest`], drawn again
//! only when one of them changed. Reports `data-draws` and `data-draw-ms` on the canvas and
//! the performance measure `spanorama:draw`.

use super::super::analysis::SkewFound;
use super::super::{now_ms, Measure, Shared};
use crate::render::waterfall::{draw, WaterfallFrame};
use spanorama_core::layout::{row_boxes, WaterfallData, WaterfallRequest};
use spanorama_core::model::{CriticalPath, Store, Trace};
use spanorama_core::theme::Palette;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Traces with more spans than this get their first draw in a task of its own, a frame after
/// the trace view first shows. A first draw normally comes in that frame (the size is known
/// only then), but at a million spans that frame's layout and commit already take a large
/// share of the main thread, and a garbage collection landing in a draw in the same task
/// made it a long task.
const SEPARATE_FIRST_DRAW_SPANS: usize = 250_000;

/// The shared data the waterfall shows, compared by identity (`collapsed` by value: the
/// rows follow it, so it never changes alone).
#[derive(Clone, PartialEq)]
pub struct WaterfallSource {
    pub store: Shared<Store>,
    pub traces: Shared<Vec<Trace>>,
    pub trace_index: usize,
    /// The visible rows (trace positions); the memo hands out a new one only when they
    /// change.
    pub rows: Shared<Vec<u32>>,
    pub collapsed: Rc<BTreeSet<u32>>,
    pub palette: Shared<Palette>,
    /// Trace positions matching the search, ascending.
    pub matches: Shared<Vec<u32>>,
    /// The critical path, when it is shown.
    pub critical: Option<Shared<CriticalPath>>,
    /// Error spans under each trace position.
    pub errors_below: Shared<Vec<u32>>,
    /// The clock-skew adjustment, when spans are shown adjusted.
    pub skew: Option<Shared<SkewFound>>,
}

impl WaterfallSource {
    pub fn trace(&self) -> Option<&Trace> {
        self.traces.get(self.trace_index)
    }

    /// The data to lay out, when there is a trace.
    pub fn data(&self) -> Option<WaterfallData<'_>> {
        Some(WaterfallData {
            store: &self.store,
            trace: self.trace()?,
            rows: &self.rows,
            collapsed: &self.collapsed,
            palette: &self.palette,
            matches: &self.matches,
            critical: self.critical.as_deref(),
            errors_below: &self.errors_below,
            skew: self.skew.as_ref().map(|s| &s.adjustment),
        })
    }
}

/// Draws `source` as `request` asks on the canvas of `canvas_ref` after every render in
/// which either changed; nothing while `request` is None (the size is not known yet).
#[hook]
pub fn use_waterfall_draw(
    canvas_ref: NodeRef,
    source: WaterfallSource,
    request: Option<WaterfallRequest>,
) {
    let draws = use_mut_ref(|| 0u64);
    // Counts the effect's runs: a first draw put off to a later task is dropped when the
    // effect has run again meanwhile.
    let draw_runs = use_mut_ref(|| 0u64);
    use_effect_with((source, request), move |(source, request)| {
        let Some(request) = *request else {
            return;
        };
        let run = {
            let mut runs = draw_runs.borrow_mut();
            *runs += 1;
            *runs
        };
        let first_of_big = *draws.borrow() == 0
            && source
                .trace()
                .is_some_and(|t| t.len() > SEPARATE_FIRST_DRAW_SPANS);
        let source = source.clone();
        let paint = move || paint(&canvas_ref, &source, &request, &draws);
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

/// Lays out and paints one frame, and counts it on the canvas.
fn paint(
    canvas_ref: &NodeRef,
    source: &WaterfallSource,
    request: &WaterfallRequest,
    draws: &RefCell<u64>,
) {
    let (Some(canvas), Some(data)) = (canvas_ref.cast::<HtmlCanvasElement>(), source.data()) else {
        return;
    };
    let started = now_ms();
    let timing = Measure::new("spanorama:draw");
    let boxes = row_boxes(&data, request);
    let ticks = request.ticks(data.trace.start_unix_nanos);
    let frame = WaterfallFrame {
        geometry: request.geometry,
        rows: &boxes,
        ticks: &ticks,
        hover_row: request.hover_row,
        selected_span: request.selected_span,
        colors: request.scheme.colors(),
        device_pixel_ratio: web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()),
    };
    if let Err(e) = draw(&canvas, &frame) {
        gloo::console::error!(format!("waterfall draw failed: {e}"));
        return;
    }
    crate::ui::count_draw(&canvas, draws);
    drop(timing);
    let _ = canvas.set_attribute("data-draw-ms", &format!("{:.2}", now_ms() - started));
}
