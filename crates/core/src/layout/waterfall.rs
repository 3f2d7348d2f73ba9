//! Waterfall layout: which rows are visible (collapse), where each visible row, its tree
//! guides and its bar go. Only the rows inside the viewport are laid out, so the cost of a
//! frame depends on the canvas size, not on the number of spans.

use super::request::{WaterfallData, WaterfallRequest};
use super::time_scale::TimeScale;
use crate::model::units::format_duration;
use crate::model::{StatusCode, Trace, NO_PARENT};
use crate::theme;
use std::collections::BTreeSet;
use std::ops::Range;

/// Trace positions of the rows that are shown: pre-order, skipping the subtrees of
/// collapsed rows (O(visible rows) thanks to `subtree_end`).
pub fn visible_rows(trace: &Trace, collapsed: &BTreeSet<u32>) -> Vec<u32> {
    let n = trace.len();
    if collapsed.is_empty() {
        return (0..n as u32).collect();
    }
    let mut rows = Vec::with_capacity(if collapsed.is_empty() { n } else { 64 });
    let mut pos = 0usize;
    while pos < n {
        rows.push(pos as u32);
        if collapsed.contains(&(pos as u32)) {
            pos = (trace.subtree_end[pos] as usize).max(pos + 1);
        } else {
            pos += 1;
        }
    }
    rows
}

/// The rows that show only `matches` (trace positions, ascending) and their ancestors, in
/// trace order, folds aside (Jaeger UI's "filter to matches"). Each ancestor chain is
/// walked up only until it meets a row already kept, so the work is linear.
pub fn matching_rows(trace: &Trace, matches: &[u32]) -> Vec<u32> {
    let mut keep = vec![false; trace.len()];
    for &m in matches {
        let mut p = m;
        while let Some(k) = keep.get_mut(p as usize).filter(|k| !**k) {
            *k = true;
            p = trace
                .parent
                .get(p as usize)
                .copied()
                .unwrap_or(crate::model::NO_PARENT);
        }
    }
    (0u32..)
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(p, _)| p)
        .collect()
}

/// Sizes of the waterfall canvas and its columns, CSS px.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct WaterfallGeometry {
    pub width_px: f64,
    pub height_px: f64,
    /// Width of the label column (tree + service + operation) on the left.
    pub label_width_px: f64,
    pub row_height_px: f64,
    pub header_height_px: f64,
    pub indent_px: f64,
}

impl WaterfallGeometry {
    /// The standard geometry for a canvas of the given size.
    pub fn standard(width_px: f64, height_px: f64) -> WaterfallGeometry {
        WaterfallGeometry {
            width_px,
            height_px,
            label_width_px: (width_px * 0.34).clamp(160.0, 460.0).min(width_px * 0.6),
            row_height_px: theme::ROW_HEIGHT_PX,
            header_height_px: theme::HEADER_HEIGHT_PX,
            indent_px: theme::INDENT_PX,
        }
    }

    /// The same geometry with the label column `label_width_px` wide (the user dragged its
    /// edge), kept between 120 px and three quarters of the width.
    pub fn with_label_width(self, label_width_px: f64) -> WaterfallGeometry {
        let most = (self.width_px * 0.75).max(120.0);
        let width = if label_width_px.is_finite() {
            label_width_px.clamp(120.0, most)
        } else {
            self.label_width_px
        };
        WaterfallGeometry {
            label_width_px: width,
            ..self
        }
    }

    /// Left edge of the timeline column.
    pub fn timeline_x_px(&self) -> f64 {
        self.label_width_px + 8.0
    }

    /// Width of the timeline column (space for a duration label is kept on the right).
    pub fn timeline_width_px(&self) -> f64 {
        (self.width_px - self.timeline_x_px() - 64.0).max(1.0)
    }

    /// Deepest indentation drawn; deeper rows are drawn at this depth, so at least 110 px of
    /// the label column stay for text.
    pub fn max_indent_levels(&self) -> u32 {
        (((self.label_width_px - 110.0) / self.indent_px).floor()).max(1.0) as u32
    }

    /// Rows (indices into the visible rows) that intersect the viewport.
    pub fn visible_range(&self, scroll_top_px: f64, row_count: usize) -> Range<usize> {
        let first = (scroll_top_px.max(0.0) / self.row_height_px).floor() as usize;
        let body = (self.height_px - self.header_height_px).max(0.0);
        let last = ((scroll_top_px.max(0.0) + body) / self.row_height_px).ceil() as usize;
        first.min(row_count)..last.min(row_count)
    }

    /// The row (index into visible rows) under canvas y, if any.
    pub fn row_at(&self, y_px: f64, scroll_top_px: f64, row_count: usize) -> Option<usize> {
        if y_px < self.header_height_px {
            return None;
        }
        let row = ((y_px - self.header_height_px + scroll_top_px) / self.row_height_px).floor();
        (row >= 0.0 && (row as usize) < row_count).then_some(row as usize)
    }

    /// Canvas y of the top of a row.
    pub fn row_y_px(&self, row: usize, scroll_top_px: f64) -> f64 {
        self.header_height_px + row as f64 * self.row_height_px - scroll_top_px
    }

    /// Left edge of the collapse toggle of a row drawn at `indent_levels`.
    pub fn toggle_x_px(&self, indent_levels: u32) -> f64 {
        4.0 + indent_levels as f64 * self.indent_px
    }

    /// Whether canvas x hits the collapse toggle of a row drawn at `indent_levels`.
    pub fn hits_toggle(&self, x_px: f64, indent_levels: u32) -> bool {
        let left = self.toggle_x_px(indent_levels);
        x_px >= left - 2.0 && x_px <= left + self.indent_px + 2.0
    }

    /// Height of all rows, CSS px (what the scroll container must scroll through).
    pub fn content_height_px(&self, row_count: usize) -> f64 {
        self.header_height_px + row_count as f64 * self.row_height_px
    }
}

/// A tree guide segment in one indentation column of a row.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Guide {
    /// `│` an ancestor's later sibling continues below.
    Through,
    /// `├` this row, more siblings follow.
    Tee,
    /// `└` this row, the last sibling.
    Elbow,
}

/// Everything the renderer needs to draw one row.
#[derive(Clone, PartialEq, Debug)]
pub struct RowBox {
    /// Index into the visible rows.
    pub row: usize,
    /// Trace position.
    pub pos: u32,
    /// Index into `Store::spans`.
    pub span: u32,
    /// Top of the row on the canvas, CSS px.
    pub y_px: f64,
    pub depth: u32,
    /// Indentation drawn (`depth` capped at [`WaterfallGeometry::max_indent_levels`]).
    pub indent_levels: u32,
    /// Guides per indentation column `(level, kind)`, for levels `< indent_levels`.
    pub guides: Vec<(u32, Guide)>,
    pub has_children: bool,
    pub collapsed: bool,
    /// Spans hidden under this row when collapsed.
    pub hidden_count: u32,
    pub bar_x_px: f64,
    pub bar_width_px: f64,
    /// The span's end is unknown; its bar runs to the end of the trace.
    pub open_ended: bool,
    pub service: String,
    pub name: String,
    pub colour: &'static str,
    pub is_error: bool,
    /// Whether the span has warnings (import or tree).
    pub has_warning: bool,
    pub duration_label: String,
    /// The span matches the current search.
    pub matched: bool,
    /// The parts of the bar on the critical path (when it is shown), CSS x from–to.
    pub critical_px: Vec<(f64, f64)>,
    /// Error spans under this span (folded or not).
    pub errors_below: u32,
    /// For a client span: the parts of its bar before its server started and after it
    /// ended (network, queueing), CSS x from–to.
    pub gap_px: Vec<(f64, f64)>,
    /// How far clock-skew adjustment moved this span (its own correction, not one it
    /// inherits), ns; `None` when it was not moved.
    pub skew_shift_nanos: Option<i64>,
    /// Where the span's events are on its bar, CSS x (at most [`EVENT_TICKS_MAX`]).
    pub event_px: Vec<f64>,
    pub kind: crate::model::SpanKind,
    /// The HTTP response status the span records (`http.response.status_code`, or the
    /// older `http.status_code`).
    pub http_status: Option<i64>,
    /// Distinct services in a folded row's hidden subtree (`None`: not folded, or too big
    /// to count in a frame).
    pub hidden_services: Option<u32>,
}

/// Event ticks drawn per bar: a span with thousands of log events gets the first ones.
pub const EVENT_TICKS_MAX: usize = 200;

/// Folded subtrees up to this many spans have their services counted for the label.
const HIDDEN_SERVICES_MAX: u32 = 2_000;

/// Lays out the rows of `data` in the viewport of `request`.
pub fn row_boxes(data: &WaterfallData, request: &WaterfallRequest) -> Vec<RowBox> {
    let range = request.visible_range(data.rows.len());
    let scale = request.scale();
    let mut out = Vec::with_capacity(range.len());
    for row in range {
        if let Some(row_box) = row_box(data, request, &scale, row) {
            out.push(row_box);
        }
    }
    out
}

/// Lays out visible row `row` (`< data.rows.len()`).
fn row_box(
    data: &WaterfallData,
    request: &WaterfallRequest,
    scale: &TimeScale,
    row: usize,
) -> Option<RowBox> {
    let WaterfallData {
        store,
        trace,
        rows,
        collapsed,
        palette,
        matches,
        critical,
        errors_below,
        skew,
    } = *data;
    let geometry = &request.geometry;
    let pos = *rows.get(row)?;
    let p = pos as usize;
    let span_index = *trace.spans.get(p)?;
    let span = store.spans.get(span_index as usize)?;
    let depth = trace.depth[p];
    let indent_levels = depth.min(geometry.max_indent_levels());
    let guides = guides_for(trace, p, depth, indent_levels);
    let has_children = trace.has_children(p);
    let is_collapsed = has_children && collapsed.contains(&pos);
    let open_ended = span.end_unknown();
    let shift = skew.map_or(0, |s| s.shift(pos));
    let start = span.start_unix_nanos.saturating_add(shift);
    let bar_x_px = scale.px_from_nanos(start);
    let end_px = if open_ended {
        scale.px_from_nanos(request.window.extent().1.max(start))
    } else {
        scale.px_from_nanos(span.end_unix_nanos().saturating_add(shift))
    };
    let bar_width_px = (end_px - bar_x_px).max(theme::MIN_BAR_WIDTH_PX);
    let duration_label = if open_ended {
        "no end time".to_string()
    } else {
        format_duration(span.duration_nanos)
    };
    let service = store.strings.get(span.service);
    Some(RowBox {
        row,
        pos,
        span: span_index,
        y_px: geometry.row_y_px(row, request.scroll_top_px),
        depth,
        indent_levels,
        guides,
        has_children,
        collapsed: is_collapsed,
        hidden_count: if is_collapsed {
            trace.subtree_end[p] - pos - 1
        } else {
            0
        },
        bar_x_px,
        bar_width_px,
        open_ended,
        service: service.to_string(),
        name: store.strings.get(span.name).to_string(),
        colour: palette.colour(service),
        is_error: span.status == StatusCode::Error,
        has_warning: trace.warnings_at(pos).next().is_some()
            || store.warnings_of(span_index).next().is_some(),
        duration_label,
        matched: matches.binary_search(&pos).is_ok(),
        errors_below: errors_below.get(p).copied().unwrap_or(0),
        gap_px: gap_px(data, scale, pos),
        event_px: store
            .events_of(span)
            .iter()
            .take(EVENT_TICKS_MAX)
            .map(|e| scale.px_from_nanos(e.time_unix_nanos.saturating_add(shift)))
            .collect(),
        kind: span.kind,
        http_status: http_status(store, span),
        hidden_services: is_collapsed.then(|| hidden_services(data, pos)).flatten(),
        skew_shift_nanos: skew.and_then(|s| {
            let i = s.adjusted.binary_search_by_key(&pos, |a| a.0).ok()?;
            s.adjusted.get(i).map(|a| a.1)
        }),
        critical_px: critical.map_or_else(Vec::new, |c| {
            c.segments_of(pos)
                .iter()
                .map(|s| {
                    (
                        scale.px_from_nanos(s.start_nanos),
                        scale.px_from_nanos(s.end_nanos),
                    )
                })
                .collect()
        }),
    })
}

/// The HTTP response status code `span` records, as a number.
pub fn http_status(store: &crate::model::Store, span: &crate::model::Span) -> Option<i64> {
    use crate::model::Value;
    store.attrs_iter(span.attrs).find_map(|a| {
        let key = store.strings.get(a.key);
        if key != "http.response.status_code" && key != "http.status_code" {
            return None;
        }
        match a.value {
            Value::Int(n) => Some(n),
            Value::Float(f) if f.fract() == 0.0 => Some(f as i64),
            Value::Str(s) => store.strings.get(s).trim().parse().ok(),
            _ => None,
        }
    })
}

/// Distinct services under folded row `pos` (itself excluded), if its subtree is small
/// enough to count in a frame.
fn hidden_services(data: &WaterfallData, pos: u32) -> Option<u32> {
    let trace = data.trace;
    let end = *trace.subtree_end.get(pos as usize)?;
    if end.saturating_sub(pos) > HIDDEN_SERVICES_MAX {
        return None;
    }
    let mut seen: Vec<crate::model::StrId> = (pos + 1..end)
        .filter_map(|p| trace.spans.get(p as usize))
        .filter_map(|&s| data.store.spans.get(s as usize))
        .map(|s| s.service)
        .collect();
    seen.sort_unstable_by_key(|s| s.0);
    seen.dedup();
    Some(seen.len() as u32)
}

/// Client spans with bigger subtrees get no gap marks: finding their server child walks
/// their children, and a frame must stay cheap.
const GAP_SUBTREE_MAX: u32 = 10_000;

/// The parts of client span `pos`'s bar outside its server (at adjusted times when the
/// skew is adjusted), CSS x.
fn gap_px(data: &WaterfallData, scale: &TimeScale, pos: u32) -> Vec<(f64, f64)> {
    let trace = data.trace;
    let small = trace
        .subtree_end
        .get(pos as usize)
        .is_some_and(|&end| end - pos <= GAP_SUBTREE_MAX);
    let gap = small
        .then(|| crate::model::call_gap(data.store, trace, pos))
        .flatten()
        .filter(|g| g.client_pos == pos);
    let (Some(g), Some(client)) = (
        gap,
        trace
            .spans
            .get(pos as usize)
            .and_then(|&s| data.store.spans.get(s as usize)),
    ) else {
        return Vec::new();
    };
    let shift = |p: u32| data.skew.map_or(0, |s| s.shift(p));
    let moved = shift(g.server_pos).saturating_sub(shift(pos));
    let (before, after) = (
        g.before_nanos.saturating_add(moved),
        g.after_nanos.saturating_sub(moved),
    );
    let start = client.start_unix_nanos.saturating_add(shift(pos));
    let end = client.end_unix_nanos().saturating_add(shift(pos));
    let px = |ns: i64| scale.px_from_nanos(ns);
    let mut out = Vec::new();
    if before > 0 {
        out.push((px(start), px(start.saturating_add(before))));
    }
    if after > 0 {
        out.push((px(end.saturating_sub(after)), px(end)));
    }
    out
}

/// Rows deeper than their drawn indentation by more than this get no guides: finding them
/// would mean walking that many ancestors per row per frame.
const MAX_GUIDE_WALK: u32 = 256;

/// Guides of row `pos`, found by walking up its ancestors (bounded work per row even for
/// very deep trees).
fn guides_for(trace: &Trace, pos: usize, depth: u32, indent_levels: u32) -> Vec<(u32, Guide)> {
    let mut guides = Vec::new();
    if depth > indent_levels + MAX_GUIDE_WALK {
        return guides;
    }
    let mut node = pos;
    let mut node_depth = depth;
    while node_depth > 0 {
        let parent = trace.parent[node];
        if parent == NO_PARENT {
            break;
        }
        let level = node_depth - 1;
        if level < indent_levels {
            let has_next_sibling = trace.subtree_end[node] < trace.subtree_end[parent as usize];
            let kind = match (node_depth == depth, has_next_sibling) {
                (true, true) => Some(Guide::Tee),
                (true, false) => Some(Guide::Elbow),
                (false, true) => Some(Guide::Through),
                (false, false) => None,
            };
            if let Some(kind) = kind {
                guides.push((level, kind));
            }
        }
        node = parent as usize;
        node_depth -= 1;
    }
    guides.reverse();
    guides
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::import::import;
    use crate::layout::TimeWindow;
    use crate::model::build_traces;
    use crate::model::Store;

    /// root ─┬─ a ─── a1
    ///       └─ b
    const DOC: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
      "scopeSpans":[{"spans":[
        {"traceId":"00000000000000000000000000000001","spanId":"0000000000000001","name":"root","startTimeUnixNano":"1000","endTimeUnixNano":"2000"},
        {"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"a","startTimeUnixNano":"1100","endTimeUnixNano":"1500"},
        {"traceId":"00000000000000000000000000000001","spanId":"0000000000000003","parentSpanId":"0000000000000002","name":"a1","startTimeUnixNano":"1200","endTimeUnixNano":"1300","status":{"code":2}},
        {"traceId":"00000000000000000000000000000001","spanId":"0000000000000004","parentSpanId":"0000000000000001","name":"b","startTimeUnixNano":"1600","endTimeUnixNano":"1900"}
      ]}]}]}"#;

    pub(crate) fn fixture() -> (Store, Trace) {
        let store = import("t.json", DOC.as_bytes()).expect("fixture imports");
        let trace = build_traces(&store).remove(0);
        (store, trace)
    }

    const NOTHING: &BTreeSet<u32> = &BTreeSet::new();

    pub(crate) fn data<'a>(
        store: &'a Store,
        trace: &'a Trace,
        rows: &'a [u32],
    ) -> WaterfallData<'a> {
        static PALETTE: std::sync::OnceLock<theme::Palette> = std::sync::OnceLock::new();
        WaterfallData {
            store,
            trace,
            rows,
            collapsed: NOTHING,
            palette: PALETTE.get_or_init(theme::Palette::default),
            matches: &[],
            critical: None,
            errors_below: &[],
            skew: None,
        }
    }

    pub(crate) fn request(
        geometry: WaterfallGeometry,
        window: TimeWindow,
        scroll_top_px: f64,
    ) -> WaterfallRequest {
        WaterfallRequest {
            geometry,
            scroll_top_px,
            window,
            hover_row: None,
            selected_span: None,
            scheme: crate::theme::Scheme::Light,
        }
    }

    #[test]
    fn rows_carry_events_kind_http_status_and_what_a_fold_hides() {
        let doc = r#"{"resourceSpans":[
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},"scopeSpans":[{"spans":[
            {"traceId":"00000000000000000000000000000001","spanId":"0000000000000001","name":"GET /","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000",
             "attributes":[{"key":"http.response.status_code","value":{"intValue":"503"}}],
             "events":[{"name":"a","timeUnixNano":"1250"},{"name":"b","timeUnixNano":"1500"}]},
            {"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"call","kind":3,"startTimeUnixNano":"1100","endTimeUnixNano":"1900",
             "attributes":[{"key":"http.status_code","value":{"stringValue":"404"}}]}]}]},
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"db"}}]},"scopeSpans":[{"spans":[
            {"traceId":"00000000000000000000000000000001","spanId":"0000000000000003","parentSpanId":"0000000000000002","name":"q","startTimeUnixNano":"1200","endTimeUnixNano":"1300"}]}]}]}"#;
        let store = import("t.json", doc.as_bytes()).unwrap();
        let trace = build_traces(&store).remove(0);
        let geometry = WaterfallGeometry::standard(1000.0, 400.0);
        let req = request(geometry, TimeWindow::whole(1000, 2000), 0.0);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let boxes = row_boxes(&data(&store, &trace, &rows), &req);
        let px = |ns: i64| req.scale().px_from_nanos(ns);
        assert_eq!(boxes[0].event_px, [px(1250), px(1500)]);
        assert_eq!(
            (
                boxes[0].http_status,
                boxes[1].http_status,
                boxes[2].http_status
            ),
            (Some(503), Some(404), None)
        );
        assert_eq!(boxes[0].kind, crate::model::SpanKind::Server);
        assert_eq!(boxes[0].hidden_services, None, "not folded");
        // Folded, the root hides two spans of two services.
        let collapsed = BTreeSet::from([0]);
        let rows = visible_rows(&trace, &collapsed);
        let mut d = data(&store, &trace, &rows);
        d.collapsed = &collapsed;
        let folded = row_boxes(&d, &req);
        assert_eq!(
            (folded[0].hidden_count, folded[0].hidden_services),
            (2, Some(2))
        );
    }

    #[test]
    fn only_matches_keeps_their_ancestors() {
        // root ─┬─ a ── a1
        //       └─ b
        let (_, trace) = fixture();
        assert_eq!(matching_rows(&trace, &[2]), [0, 1, 2]);
        assert_eq!(matching_rows(&trace, &[2, 3]), [0, 1, 2, 3]);
        assert_eq!(matching_rows(&trace, &[3]), [0, 3]);
        assert_eq!(matching_rows(&trace, &[]), Vec::<u32>::new());
        assert_eq!(matching_rows(&trace, &[99]), Vec::<u32>::new());
    }

    #[test]
    fn collapse_hides_the_subtree() {
        let (_, trace) = fixture();
        assert_eq!(visible_rows(&trace, &BTreeSet::new()), [0, 1, 2, 3]);
        assert_eq!(visible_rows(&trace, &BTreeSet::from([1])), [0, 1, 3]);
        assert_eq!(visible_rows(&trace, &BTreeSet::from([0])), [0]);
    }

    #[test]
    fn rows_get_guides_bars_and_labels() {
        let (store, trace) = fixture();
        let geometry = WaterfallGeometry::standard(1000.0, 400.0);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let boxes = row_boxes(
            &data(&store, &trace, &rows),
            &request(geometry, TimeWindow::whole(1000, 2000), 0.0),
        );
        let names: Vec<&str> = boxes.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["root", "a", "a1", "b"]);
        assert_eq!(boxes[0].guides, []);
        assert_eq!(boxes[1].guides, [(0, Guide::Tee)]);
        assert_eq!(boxes[2].guides, [(0, Guide::Through), (1, Guide::Elbow)]);
        assert_eq!(boxes[3].guides, [(0, Guide::Elbow)]);
        assert!(boxes[2].is_error);
        assert_eq!(boxes[0].bar_x_px, geometry.timeline_x_px());
        assert!((boxes[0].bar_width_px - geometry.timeline_width_px()).abs() < 1e-9);
        assert_eq!(boxes[1].duration_label, "400 ns");
        assert_eq!(
            boxes[3].y_px,
            geometry.header_height_px + 3.0 * geometry.row_height_px
        );
        assert!(boxes[0].has_children && !boxes[3].has_children);
        assert!(boxes.iter().all(|b| b.critical_px.is_empty()));
    }

    #[test]
    fn skew_adjustment_moves_the_bars_and_gaps_mark_the_client() {
        // Zipkin's skewed example: serviceb's server was recorded ~65 ms before its call.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/zipkin2/lens-skew.json");
        let store = import("lens-skew.json", &std::fs::read(path).unwrap()).unwrap();
        let trace = build_traces(&store).remove(0);
        let adjustment = crate::model::adjust_skew(&store, &trace);
        let (start, end) = adjustment.shifted_bounds(&store, &trace);
        let geometry = WaterfallGeometry::standard(1000.0, 400.0);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let req = request(geometry, TimeWindow::whole(start, end), 0.0);
        let mut d = data(&store, &trace, &rows);
        let raw = row_boxes(&d, &req);
        d.skew = Some(&adjustment);
        let adjusted = row_boxes(&d, &req);
        let (client, server) = {
            let skewed = crate::model::detect_skew(&store, &trace);
            let call = skewed.calls[0];
            (call.client_pos as usize, call.server_pos as usize)
        };
        let right = |b: &RowBox| b.bar_x_px + b.bar_width_px;
        // Recorded, the server starts before its client; adjusted, it lies inside it.
        assert!(raw[server].bar_x_px < raw[client].bar_x_px);
        assert!(adjusted[server].bar_x_px >= adjusted[client].bar_x_px);
        assert!(right(&adjusted[server]) <= right(&adjusted[client]) + 1e-9);
        assert_eq!(
            adjusted[server].skew_shift_nanos,
            Some(adjustment.shift(server as u32))
        );
        assert_eq!(adjusted[client].skew_shift_nanos, None);
        // The client's gaps (before the server started, after it ended) show once adjusted.
        let gaps = &adjusted[client].gap_px;
        assert_eq!(gaps.len(), 2, "{gaps:?}");
        assert!((gaps[0].0 - adjusted[client].bar_x_px).abs() < 1e-9);
        assert!((gaps[0].1 - adjusted[server].bar_x_px).abs() < 1e-9);
        assert!((gaps[1].1 - right(&adjusted[client])).abs() < 1e-9);
        assert!(raw[client].gap_px.iter().all(|g| g.1 > g.0));
    }

    #[test]
    fn the_critical_path_is_laid_out_on_the_bars() {
        // root 1000–2000 ─┬─ a 1100–1500 ── a1 1200–1300
        //                 └─ b 1600–1900
        let (store, trace) = fixture();
        let geometry = WaterfallGeometry::standard(1000.0, 400.0);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let path = crate::model::critical_path(&store, &trace);
        let mut d = data(&store, &trace, &rows);
        d.critical = Some(&path);
        let req = request(geometry, TimeWindow::whole(1000, 2000), 0.0);
        let boxes = row_boxes(&d, &req);
        let px = |ns: i64| req.scale().px_from_nanos(ns);
        // The root waits for b, then for a (which waits for a1).
        assert_eq!(
            boxes[0].critical_px,
            [
                (px(1000), px(1100)),
                (px(1500), px(1600)),
                (px(1900), px(2000))
            ]
        );
        assert_eq!(
            boxes[1].critical_px,
            [(px(1100), px(1200)), (px(1300), px(1500))]
        );
        assert_eq!(boxes[2].critical_px, [(px(1200), px(1300))]);
        assert_eq!(boxes[3].critical_px, [(px(1600), px(1900))]);
    }

    #[test]
    fn the_label_column_can_be_resized_within_bounds() {
        let g = WaterfallGeometry::standard(1000.0, 400.0);
        assert_eq!(g.with_label_width(300.0).label_width_px, 300.0);
        assert_eq!(g.with_label_width(10.0).label_width_px, 120.0);
        assert_eq!(g.with_label_width(5000.0).label_width_px, 750.0);
        assert_eq!(
            g.with_label_width(f64::NAN).label_width_px,
            g.label_width_px
        );
        let wide = g.with_label_width(600.0);
        assert!(wide.timeline_x_px() > 600.0 && wide.max_indent_levels() > g.max_indent_levels());
    }

    #[test]
    fn hit_testing_and_viewport_range() {
        let g = WaterfallGeometry::standard(1000.0, 30.0 + 24.0 * 10.0);
        assert_eq!(g.visible_range(0.0, 100), 0..10);
        assert_eq!(g.visible_range(24.0 * 5.5, 100), 5..16);
        assert_eq!(g.visible_range(0.0, 3), 0..3);
        assert_eq!(g.row_at(10.0, 0.0, 100), None);
        assert_eq!(g.row_at(30.0 + 24.0 * 2.0 + 1.0, 0.0, 100), Some(2));
        assert_eq!(g.row_at(30.0 + 1.0, 48.0, 100), Some(2));
        assert_eq!(g.row_at(30.0 + 24.0 * 50.0, 0.0, 10), None);
    }

    #[test]
    fn deep_chains_cap_indentation_and_guide_work() {
        let mut doc = String::from(r#"{"resourceSpans":[{"scopeSpans":[{"spans":["#);
        for i in 1..=500u32 {
            let parent = if i == 1 {
                String::new()
            } else {
                format!(r#","parentSpanId":"{:016x}""#, i - 1)
            };
            if i > 1 {
                doc.push(',');
            }
            doc.push_str(&format!(
                r#"{{"traceId":"00000000000000000000000000000001","spanId":"{i:016x}"{parent},"name":"s","startTimeUnixNano":"{i}","endTimeUnixNano":"100000"}}"#
            ));
        }
        doc.push_str("]}]}]}");
        let store = import("deep.json", doc.as_bytes()).expect("imports");
        let trace = build_traces(&store).remove(0);
        let g = WaterfallGeometry::standard(1000.0, 400.0);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let scroll_top_px = 490.0 * g.row_height_px;
        let window = TimeWindow::whole(0, 100_000);
        let boxes = row_boxes(
            &data(&store, &trace, &rows),
            &request(g, window, scroll_top_px),
        );
        assert_eq!(boxes.len(), 10);
        for b in &boxes {
            assert_eq!(b.indent_levels, g.max_indent_levels());
            assert!(b.guides.len() <= g.max_indent_levels() as usize);
        }
        assert_eq!(boxes[9].depth, 499);
    }
}
