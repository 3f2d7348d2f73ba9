//! What one waterfall frame shows, as values (after rerun's
//! `re_view_graph/src/layout/request.rs`): the request derives `PartialEq`, so the page draws
//! again only when it changed, and the model data it is laid out from.

use super::time_scale::{Tick, TimeScale};
use super::waterfall::WaterfallGeometry;
use super::window::TimeWindow;
use crate::model::{Store, Trace};
use crate::theme::{self, Palette};
use std::collections::BTreeSet;
use std::ops::Range;

/// The view state of one waterfall frame.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct WaterfallRequest {
    /// Canvas size and columns, CSS px.
    pub geometry: WaterfallGeometry,
    /// How far the rows are scrolled, CSS px.
    pub scroll_top_px: f64,
    /// The time range on the timeline.
    pub window: TimeWindow,
    /// Visible-row index under the pointer.
    pub hover_row: Option<usize>,
    /// Store index of the selected span.
    pub selected_span: Option<u32>,
    pub scheme: theme::Scheme,
}

impl WaterfallRequest {
    /// Time ↔ x over the timeline column.
    pub fn scale(&self) -> TimeScale {
        let g = &self.geometry;
        self.window.scale(g.timeline_x_px(), g.timeline_width_px())
    }

    /// Rows (indices into the visible rows) in the viewport, of `row_count`.
    pub fn visible_range(&self, row_count: usize) -> Range<usize> {
        self.geometry.visible_range(self.scroll_top_px, row_count)
    }

    /// Ruler ticks, labelled with the time since `origin_nanos` (the trace's start).
    pub fn ticks(&self, origin_nanos: i64) -> Vec<Tick> {
        self.scale().ticks(origin_nanos, theme::MIN_TICK_SPACING_PX)
    }
}

/// The model data a waterfall is laid out from.
#[derive(Copy, Clone)]
pub struct WaterfallData<'a> {
    pub store: &'a Store,
    pub trace: &'a Trace,
    /// Trace positions of the visible rows, ascending ([`super::visible_rows`]).
    pub rows: &'a [u32],
    /// Trace positions of the collapsed rows.
    pub collapsed: &'a BTreeSet<u32>,
    pub palette: &'a Palette,
    /// Trace positions matching the search, ascending.
    pub matches: &'a [u32],
    /// The critical path, when it is shown.
    pub critical: Option<&'a crate::model::CriticalPath>,
    /// Error spans under each trace position ([`crate::model::errors::errors_below`]; may
    /// be empty: none are marked).
    pub errors_below: &'a [u32],
    /// The clock-skew adjustment, when spans are shown at adjusted times (the window's
    /// extent is then the adjusted trace's).
    pub skew: Option<&'a crate::model::SkewAdjustment>,
}

impl WaterfallData<'_> {
    /// The visible row showing the store span `span`, and its trace position.
    pub fn row_of_span(&self, span: u32) -> Option<(usize, usize)> {
        let pos = self.trace.position_of(span)?;
        let row = self.rows.binary_search(&(pos as u32)).ok()?;
        Some((row, pos))
    }
}
