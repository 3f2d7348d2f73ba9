//! Trace overview (minimap) layout: the whole trace — every visible row, the full time
//! range — squeezed into a small RGBA image, and the mapping between the minimap's pixels,
//! the waterfall's rows and time.
//!
//! Level of detail: many rows share one pixel row and many spans one pixel column. The image
//! is built in O(rows + width × height), whatever the trace: each row adds +1 at its first
//! column and −1 one past its last in a difference array of its pixel row, and a prefix sum
//! per pixel row turns that into the number of spans covering each pixel. A span narrower
//! than a pixel still covers its one column, so nothing disappears when zoomed out.

use super::time_scale::TimeScale;
use super::window::MIN_WINDOW_NANOS;
use crate::model::{StatusCode, Store, Trace};
use crate::theme;
use std::ops::Range;

/// How many spans cover each pixel of the overview, and how many of them are errors.
#[derive(Clone, PartialEq, Debug)]
pub struct MinimapCoverage {
    /// Image width, device px.
    pub width_px: u32,
    /// Image height, device px.
    pub height_px: u32,
    /// Spans covering each pixel, row-major (`y * width_px + x`).
    pub spans: Vec<u32>,
    /// Error spans covering each pixel, row-major.
    pub errors: Vec<u32>,
    /// Waterfall rows drawn in each pixel row: the most spans a pixel of that row can have.
    pub rows_per_line: Vec<u32>,
}

impl MinimapCoverage {
    /// `(spans, errors)` covering pixel `(x, y)`; `(0, 0)` outside the image.
    pub fn at(&self, x: u32, y: u32) -> (u32, u32) {
        if x >= self.width_px || y >= self.height_px {
            return (0, 0);
        }
        let i = y as usize * self.width_px as usize + x as usize;
        (
            self.spans.get(i).copied().unwrap_or(0),
            self.errors.get(i).copied().unwrap_or(0),
        )
    }

    /// The image as RGBA bytes (what `putImageData` takes), in theme colours: background
    /// where no span is, the error colour where any error span is, otherwise a shade from
    /// sparse to dense by the share of the pixel row's rows that cover the pixel (square
    /// root, so a lone span among thousands stays visible).
    pub fn to_rgba(&self, colors: &theme::Colors) -> Vec<u8> {
        let background = theme::rgb(colors.minimap_background);
        let sparse = theme::rgb(colors.minimap_span_sparse);
        let dense = theme::rgb(colors.minimap_span_dense);
        let error = theme::rgb(colors.minimap_error);
        let w = self.width_px as usize;
        let mut out = Vec::with_capacity(self.spans.len() * 4);
        for (i, (&spans, &errors)) in self.spans.iter().zip(&self.errors).enumerate() {
            let colour = if errors > 0 {
                error
            } else if spans == 0 {
                background
            } else {
                let rows = self.rows_per_line.get(i / w.max(1)).copied().unwrap_or(1);
                let share = (spans as f64 / rows.max(1) as f64).min(1.0).sqrt();
                mix(sparse, dense, share)
            };
            out.extend_from_slice(&[colour[0], colour[1], colour[2], 255]);
        }
        out
    }
}

/// `a` blended towards `b` by `t` in `[0, 1]`.
fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let channel = |i: usize| (a[i] as f64 + (b[i] as f64 - a[i] as f64) * t).round() as u8;
    [channel(0), channel(1), channel(2)]
}

/// Counts, for every pixel of a `width_px` × `height_px` image, the spans of `rows` (trace
/// positions of the visible rows, as from [`super::visible_rows`]) that cover it. Rows are
/// spread evenly over the height (row `i` of `n` starts at pixel row `i·h/n`); when rows are
/// taller than 3 px their last pixel row is left empty as a gap. Time runs over the whole
/// trace; a span without an end runs to the trace's end. [`CoverageBuilder`] does the same
/// work a bounded piece at a time.
pub fn minimap_coverage(
    store: &Store,
    trace: &Trace,
    rows: &[u32],
    width_px: u32,
    height_px: u32,
) -> MinimapCoverage {
    let mut builder = CoverageBuilder::new(trace, rows.len(), width_px, height_px);
    while !builder.step(store, trace, rows, usize::MAX) {}
    builder.finish()
}

/// [`minimap_coverage`] in steps, so that a million rows need not be counted in one task of
/// the page: [`CoverageBuilder::step`] counts about as many rows as it is given, and the
/// same `store`, `trace` and `rows` must be passed to every step.
pub struct CoverageBuilder {
    coverage: MinimapCoverage,
    /// Difference arrays, one per pixel row, one column wider than the image (for the −1
    /// one past the last column). Wrapping arithmetic: the prefix sums are never negative.
    span_diff: Vec<u32>,
    error_diff: Vec<u32>,
    columns: Columns,
    /// Rows in the layout (`rows.len()`).
    n: u64,
    /// Next pixel row (when there are at least as many rows as pixel rows) or next row.
    next: usize,
    /// Reused buffer of one pixel row's spans.
    gathered: Vec<(i64, i64, bool)>,
    /// Times shown: the trace's end, and a shift per trace position (empty: recorded
    /// times; see [`CoverageBuilder::shifted`]).
    end_nanos: i64,
    shift: std::rc::Rc<Vec<i64>>,
}

impl CoverageBuilder {
    pub fn new(trace: &Trace, row_count: usize, width_px: u32, height_px: u32) -> Self {
        let (w, h) = (width_px as usize, height_px as usize);
        let empty = w == 0 || h == 0 || row_count == 0;
        let cells = if empty { 0 } else { (w + 1) * h };
        CoverageBuilder {
            coverage: MinimapCoverage {
                width_px,
                height_px,
                spans: vec![0; w * h],
                errors: vec![0; w * h],
                rows_per_line: vec![0; h],
            },
            span_diff: vec![0; cells],
            error_diff: vec![0; cells],
            columns: Columns::new(trace.start_unix_nanos, trace.end_unix_nanos, w.max(1)),
            n: if empty { 0 } else { row_count as u64 },
            next: 0,
            gathered: Vec::new(),
            end_nanos: trace.end_unix_nanos,
            shift: std::rc::Rc::default(),
        }
    }

    /// Counts spans at their times moved by `shift` (per trace position, ns; a clock-skew
    /// adjustment) over the trace's extent `bounds` once moved.
    pub fn shifted(mut self, bounds: (i64, i64), shift: std::rc::Rc<Vec<i64>>) -> Self {
        self.columns = Columns::new(bounds.0, bounds.1, self.columns.width);
        self.end_nanos = bounds.1;
        self.shift = shift;
        self
    }

    /// Counts at least one more pixel row's (or row's) spans, and more until about `budget`
    /// rows were read. True when every row has been counted.
    pub fn step(&mut self, store: &Store, trace: &Trace, rows: &[u32], budget: usize) -> bool {
        let (w, h) = (
            self.coverage.width_px as usize,
            self.coverage.height_px as usize,
        );
        let (n, lines) = (self.n, h as u64);
        if n == 0 || n != rows.len() as u64 {
            self.n = 0;
            return true;
        }
        let stride = w + 1;
        let columns = &self.columns;
        let (span_diff, error_diff) = (&mut self.span_diff, &mut self.error_diff);
        let (shift, trace_end) = (&self.shift, self.end_nanos);
        // The span of row `pos` as (start, end, is error); None when `pos` is not in the trace.
        let extent = |pos: u32| -> Option<(i64, i64, bool)> {
            let span = trace
                .spans
                .get(pos as usize)
                .and_then(|&s| store.spans.get(s as usize))?;
            let d = shift.get(pos as usize).copied().unwrap_or(0);
            let start = span.start_unix_nanos.saturating_add(d);
            let end = if span.end_unknown() {
                trace_end.max(start)
            } else {
                span.end_unix_nanos().saturating_add(d)
            };
            Some((start, end, span.status == StatusCode::Error))
        };
        // Marks a span in pixel row `y`. Branch-free: the spans' times come straight from the
        // loads, and a mispredicted branch would throw away the loads in flight.
        let mut mark = |y: usize, (start, end, is_error): (i64, i64, bool)| {
            let (x0, x1) = columns.of(start, end);
            let error = is_error as u32;
            let line = y * stride;
            span_diff[line + x0] = span_diff[line + x0].wrapping_add(1);
            span_diff[line + x1] = span_diff[line + x1].wrapping_sub(1);
            error_diff[line + x0] = error_diff[line + x0].wrapping_add(error);
            error_diff[line + x1] = error_diff[line + x1].wrapping_sub(error);
        };
        let mut read = 0usize;
        if n >= lines {
            // Row i lies in pixel row ⌊i·h/n⌋ alone, so pixel row y holds the rows
            // ⌈y·n/h⌉..⌈(y+1)·n/h⌉: two divisions per pixel row instead of one per row.
            // Rows lie scattered over the store, so reading their spans is what a million
            // rows cost: a tight loop first gathers one pixel row's spans (many loads in
            // flight at once), then they are marked from that small buffer.
            let first = |y: u64| (y * n).div_ceil(lines) as usize;
            while self.next < h && (read == 0 || read < budget) {
                let y = self.next;
                let here = rows
                    .get(first(y as u64)..first(y as u64 + 1))
                    .unwrap_or(&[]);
                read += here.len().max(1);
                self.gathered.clear();
                self.gathered
                    .extend(here.iter().filter_map(|&pos| extent(pos)));
                self.coverage.rows_per_line[y] = self.gathered.len() as u32;
                for &span in &self.gathered {
                    mark(y, span);
                }
                self.next += 1;
            }
            self.next >= h
        } else {
            // Fewer rows than pixel rows: row i spans pixel rows ⌊i·h/n⌋..⌊(i+1)·h/n⌋.
            while self.next < rows.len() && (read == 0 || read < budget) {
                let i = self.next;
                self.next += 1;
                read += 1;
                let Some(span) = rows.get(i).and_then(|&pos| extent(pos)) else {
                    continue;
                };
                let y0 = (i as u64 * lines / n) as usize;
                let mut y1 = ((i as u64 + 1) * lines / n) as usize;
                if y1 - y0 > 3 {
                    y1 -= 1;
                }
                for y in y0..y1.min(h) {
                    mark(y, span);
                    self.coverage.rows_per_line[y] += 1;
                }
            }
            self.next >= rows.len()
        }
    }

    /// The coverage (of the rows counted so far: call after the last step).
    pub fn finish(self) -> MinimapCoverage {
        let mut coverage = self.coverage;
        let (w, h) = (coverage.width_px as usize, coverage.height_px as usize);
        if self.span_diff.is_empty() {
            return coverage;
        }
        let stride = w + 1;
        for y in 0..h {
            let diffs = self.span_diff[y * stride..y * stride + w]
                .iter()
                .zip(&self.error_diff[y * stride..y * stride + w]);
            let outs = coverage.spans[y * w..(y + 1) * w]
                .iter_mut()
                .zip(&mut coverage.errors[y * w..(y + 1) * w]);
            let (mut spans, mut errors) = (0u32, 0u32);
            for ((ds, de), (s, e)) in diffs.zip(outs) {
                spans = spans.wrapping_add(*ds);
                errors = errors.wrapping_add(*de);
                *s = spans;
                *e = errors;
            }
        }
        coverage
    }
}

/// Time → pixel columns of the whole trace over `width` columns, for a million spans: one
/// multiplication per edge (the trace's [`TimeScale`] factor), no division, no `floor`.
struct Columns {
    start_nanos: i64,
    px_per_nano: f64,
    width: usize,
}

impl Columns {
    fn new(start_nanos: i64, end_nanos: i64, width: usize) -> Columns {
        let scale = TimeScale::new(start_nanos, end_nanos, 0.0, width as f64);
        Columns {
            start_nanos: scale.start_nanos,
            px_per_nano: scale.px_from_duration(1),
            width,
        }
    }

    /// Columns `x0..x1` covered by a span from `start` to `end` (ns since the epoch): at
    /// least one, inside `0..width` (`width > 0`).
    fn of(&self, start: i64, end: i64) -> (usize, usize) {
        // Float-to-int `as` saturates (negative and NaN to 0), so it floors non-negative
        // values and odd times cannot index outside the row.
        let left = start.saturating_sub(self.start_nanos) as f64 * self.px_per_nano;
        let right = end.saturating_sub(self.start_nanos) as f64 * self.px_per_nano;
        let x0 = (left as usize).min(self.width - 1);
        let floor = right as usize;
        let x1 = floor + ((floor as f64) < right) as usize; // ceil, without a branch
        (x0, x1.min(self.width).max(x0 + 1))
    }
}

/// Where the minimap image sits and what it shows: maps its CSS pixels to rows and time.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct MinimapGeometry {
    /// Left edge of the image on the minimap canvas, CSS px (aligned with the waterfall's
    /// timeline column, so a time has the same x in both).
    pub x_px: f64,
    /// Width of the image, CSS px; `> 0`.
    pub width_px: f64,
    /// Height of the image, CSS px; `> 0`.
    pub height_px: f64,
    /// Number of visible rows squeezed into the height.
    pub row_count: usize,
    /// The whole trace, ns since the epoch; `end > start`.
    pub trace_start_nanos: i64,
    pub trace_end_nanos: i64,
}

/// A rectangle on the minimap canvas, CSS px.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct MinimapRect {
    pub x_px: f64,
    pub y_px: f64,
    pub width_px: f64,
    pub height_px: f64,
}

impl MinimapGeometry {
    /// The geometry of a minimap of `trace` with `row_count` visible rows.
    pub fn new(
        trace: &Trace,
        row_count: usize,
        x_px: f64,
        width_px: f64,
        height_px: f64,
    ) -> MinimapGeometry {
        MinimapGeometry {
            x_px,
            width_px: width_px.max(1.0),
            height_px: height_px.max(1.0),
            row_count,
            trace_start_nanos: trace.start_unix_nanos,
            trace_end_nanos: trace
                .end_unix_nanos
                .max(trace.start_unix_nanos.saturating_add(1)),
        }
    }

    /// The same minimap over another extent of the trace (its times once clock skew is
    /// adjusted), ns since the epoch.
    pub fn with_bounds(self, start_nanos: i64, end_nanos: i64) -> MinimapGeometry {
        MinimapGeometry {
            trace_start_nanos: start_nanos,
            trace_end_nanos: end_nanos.max(start_nanos.saturating_add(1)),
            ..self
        }
    }

    /// Time ↔ x on the minimap: the whole trace over the image's width.
    pub fn scale(&self) -> TimeScale {
        TimeScale::new(
            self.trace_start_nanos,
            self.trace_end_nanos,
            self.x_px,
            self.width_px,
        )
    }

    /// The row (index into the visible rows) drawn at `y_px`, clamped into the image.
    pub fn row_at(&self, y_px: f64) -> Option<usize> {
        if self.row_count == 0 {
            return None;
        }
        let row = (y_px / self.height_px * self.row_count as f64).floor();
        Some((row.max(0.0) as usize).min(self.row_count - 1))
    }

    /// Top of row `row` (index into the visible rows), CSS px.
    pub fn y_from_row(&self, row: usize) -> f64 {
        row as f64 * self.height_px / self.row_count.max(1) as f64
    }

    /// The waterfall's viewport on the minimap: the zoom `window` across, the visible rows
    /// `rows` down; at least 3 px each way so it never vanishes.
    pub fn viewport(&self, window: (i64, i64), rows: Range<usize>) -> MinimapRect {
        let scale = self.scale();
        let left = scale.px_from_nanos(window.0).max(self.x_px);
        let right = scale.px_from_nanos(window.1).min(self.x_px + self.width_px);
        let top = self.y_from_row(rows.start);
        let bottom = self.y_from_row(rows.end.max(rows.start));
        MinimapRect {
            x_px: left,
            y_px: top,
            width_px: (right - left).max(3.0),
            height_px: (bottom - top).max(3.0),
        }
    }

    /// The zoom window a drag from `x0_px` to `x1_px` selects (either direction, clamped to
    /// the image, at least [`MIN_WINDOW_NANOS`] long); None when it covers the whole trace.
    pub fn window_from_drag(&self, x0_px: f64, x1_px: f64) -> Option<(i64, i64)> {
        let scale = self.scale();
        let clamp = |x: f64| x.clamp(self.x_px, self.x_px + self.width_px);
        let a = scale.nanos_from_px(clamp(x0_px.min(x1_px)));
        let b = scale.nanos_from_px(clamp(x0_px.max(x1_px)));
        let centre = a as f64 / 2.0 + b as f64 / 2.0;
        self.window_of(centre, (b - a) as f64)
    }

    /// `window` moved so that its centre is at `x_px` (its length kept); None when it is
    /// the whole trace.
    pub fn window_centred_at(&self, window: (i64, i64), x_px: f64) -> Option<(i64, i64)> {
        let clamped = x_px.clamp(self.x_px, self.x_px + self.width_px);
        let centre = self.scale().nanos_from_px(clamped) as f64;
        self.window_of(centre, window.1.saturating_sub(window.0) as f64)
    }

    /// A window of `length` ns centred on `centre`, kept inside the trace.
    fn window_of(&self, centre: f64, length: f64) -> Option<(i64, i64)> {
        let (start, end) = (self.trace_start_nanos as f64, self.trace_end_nanos as f64);
        let full = end - start;
        let length = length.max((MIN_WINDOW_NANOS as f64).min(full));
        if length >= full {
            return None;
        }
        let from = (centre - length / 2.0).clamp(start, end - length);
        let s = from.round() as i64;
        Some((s, s.saturating_add(length.round().max(1.0) as i64)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import;
    use crate::layout::visible_rows;
    use crate::model::{build_traces, Span, NO_PARENT, SPAN_END_UNKNOWN};
    use std::collections::BTreeSet;
    use std::time::Instant;

    const ONE_SPAN: &str = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"00000000000000000000000000000001","spanId":"0000000000000001","name":"root","startTimeUnixNano":"0","endTimeUnixNano":"1000"}
    ]}]}]}"#;

    /// A flat trace (one root, every other span its child) of spans `(start, duration,
    /// is_error)`, built directly so that a million rows cost no import.
    fn synthetic(spans: &[(i64, i64, bool)]) -> (Store, Trace) {
        let mut store = import("one.json", ONE_SPAN.as_bytes()).expect("template imports");
        let mut trace = build_traces(&store).remove(0);
        let template = store.spans[0];
        store.spans = spans
            .iter()
            .map(|&(start, duration, is_error)| Span {
                start_unix_nanos: start,
                duration_nanos: duration,
                status: if is_error {
                    StatusCode::Error
                } else {
                    StatusCode::Unset
                },
                ..template
            })
            .collect();
        let n = spans.len() as u32;
        trace.spans = (0..n).collect();
        trace.depth = (0..n).map(|i| (i > 0) as u32).collect();
        trace.parent = (0..n).map(|i| if i == 0 { NO_PARENT } else { 0 }).collect();
        trace.subtree_end = (0..n).map(|i| if i == 0 { n } else { i + 1 }).collect();
        trace.start_unix_nanos = spans.iter().map(|s| s.0).min().unwrap_or(0);
        trace.end_unix_nanos = spans.iter().map(|s| s.0 + s.1.max(0)).max().unwrap_or(0);
        (store, trace)
    }

    /// Row `y` of the span counts as a string of digits (`.` for 0).
    fn line(c: &MinimapCoverage, y: u32) -> String {
        (0..c.width_px)
            .map(|x| match c.at(x, y).0 {
                0 => '.',
                n => char::from_digit(n.min(9), 10).unwrap_or('9'),
            })
            .collect()
    }

    #[test]
    fn one_row_per_pixel_row_covers_its_columns() {
        // Trace 0..100 ns over 10 px: 10 ns a column.
        let (store, trace) = synthetic(&[
            (0, 100, false),
            (20, 30, false),
            (55, 1, false),  // narrower than a pixel: still its one column
            (100, 0, false), // at the very end: the last column
        ]);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let c = minimap_coverage(&store, &trace, &rows, 10, 4);
        assert_eq!(line(&c, 0), "1111111111");
        assert_eq!(line(&c, 1), "..111.....");
        assert_eq!(line(&c, 2), ".....1....");
        assert_eq!(line(&c, 3), ".........1");
        assert_eq!(c.rows_per_line, [1, 1, 1, 1]);
        assert!(c.errors.iter().all(|&e| e == 0));
    }

    #[test]
    fn many_rows_share_a_pixel_row_and_add_up() {
        // 8 rows into 2 pixel rows: rows 0-3 in the first, 4-7 in the second.
        let mut spans = vec![(0, 80, false)];
        spans.extend((1..8).map(|i| (i * 10, 10, false)));
        let (store, trace) = synthetic(&spans);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let c = minimap_coverage(&store, &trace, &rows, 8, 2);
        assert_eq!(line(&c, 0), "12221111");
        assert_eq!(line(&c, 1), "....1111");
        assert_eq!(c.rows_per_line, [4, 4]);
        // Density shading: a fully covered pixel is darker than a sparsely covered one.
        let rgba = c.to_rgba(&theme::LIGHT);
        let pixel = |x: usize, y: usize| rgba[(y * 8 + x) * 4..(y * 8 + x) * 4 + 4].to_vec();
        assert_eq!(
            pixel(0, 1)[..3],
            theme::rgb(theme::LIGHT.minimap_background)
        );
        let dark = |p: Vec<u8>| p[..3].iter().map(|&v| v as u32).sum::<u32>();
        assert!(
            dark(pixel(1, 0)) < dark(pixel(5, 0)),
            "2/4 is darker than 1/4"
        );
        assert_eq!(pixel(5, 0)[3], 255);
    }

    #[test]
    fn shifted_times_move_the_spans_and_the_extent() {
        // root 0–100, a 10–20 shifted by +50 (a clock-skew adjustment), over 10 columns.
        let (store, trace) = synthetic(&[(0, 100, false), (10, 10, false)]);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let mut b = CoverageBuilder::new(&trace, rows.len(), 10, 2)
            .shifted((0, 100), std::rc::Rc::new(vec![0, 50]));
        while !b.step(&store, &trace, &rows, usize::MAX) {}
        let c = b.finish();
        assert_eq!(line(&c, 1), "......1...");
        // A wider extent (a span moved past the end) widens the scale.
        let mut b = CoverageBuilder::new(&trace, rows.len(), 10, 2)
            .shifted((0, 200), std::rc::Rc::new(vec![0, 170]));
        while !b.step(&store, &trace, &rows, usize::MAX) {}
        let c = b.finish();
        assert_eq!(line(&c, 0), "11111.....");
        assert_eq!(line(&c, 1), ".........1");
        let g = MinimapGeometry::new(&trace, 2, 0.0, 100.0, 10.0).with_bounds(0, 200);
        assert_eq!((g.trace_start_nanos, g.trace_end_nanos), (0, 200));
    }

    #[test]
    fn few_rows_stretch_over_the_height_with_gaps() {
        let (store, trace) = synthetic(&[(0, 10, false), (5, 5, false)]);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let c = minimap_coverage(&store, &trace, &rows, 2, 10);
        let lines: Vec<String> = (0..10).map(|y| line(&c, y)).collect();
        assert_eq!(
            lines,
            ["11", "11", "11", "11", "..", ".1", ".1", ".1", ".1", ".."]
        );
    }

    #[test]
    fn collapsed_rows_are_left_out_and_errors_overlay() {
        // root ─┬─ a ─── a1 (error)
        //       └─ b
        let (mut store, mut trace) = synthetic(&[(0, 100, false), (10, 40, false), (20, 10, true)]);
        trace.spans.push(3);
        store.spans.push(Span {
            start_unix_nanos: 60,
            duration_nanos: 30,
            ..store.spans[0]
        });
        trace.depth = vec![0, 1, 2, 1];
        trace.parent = vec![NO_PARENT, 0, 1, 0];
        trace.subtree_end = vec![4, 3, 3, 4];

        let all = visible_rows(&trace, &BTreeSet::new());
        let c = minimap_coverage(&store, &trace, &all, 10, 4);
        assert_eq!(line(&c, 2), "..1.......");
        assert_eq!(c.at(2, 2), (1, 1), "the error span covers its column");
        let rgba = c.to_rgba(&theme::LIGHT);
        let i = (2 * 10 + 2) * 4;
        assert_eq!(rgba[i..i + 3], theme::rgb(theme::LIGHT.minimap_error));

        let folded = visible_rows(&trace, &BTreeSet::from([1]));
        let c = minimap_coverage(&store, &trace, &folded, 10, 3);
        assert_eq!(c.rows_per_line, [1, 1, 1]);
        assert_eq!(line(&c, 1), ".1111.....", "row a");
        assert_eq!(line(&c, 2), "......111.", "row b; a1 is hidden");
        assert!(
            c.errors.iter().all(|&e| e == 0),
            "hidden error spans leave no mark"
        );
    }

    #[test]
    fn counting_in_steps_gives_the_same_image() {
        let mut spans = vec![(0, 1000, false)];
        spans.extend((1..300).map(|i| (i * 3, (i * 7) % 50 + 1, i % 13 == 0)));
        let (store, trace) = synthetic(&spans);
        let rows = visible_rows(&trace, &BTreeSet::new());
        // More rows than pixel rows (by pixel row) and fewer (by row).
        for (w, h) in [(37, 16), (20, 700), (1, 1)] {
            let whole = minimap_coverage(&store, &trace, &rows, w, h);
            for budget in [0, 1, 7, 64] {
                let mut b = CoverageBuilder::new(&trace, rows.len(), w, h);
                let mut steps = 0;
                while !b.step(&store, &trace, &rows, budget) {
                    steps += 1;
                    assert!(steps <= rows.len().max(h as usize), "no progress");
                }
                let stepped = b.finish();
                if budget == 1 && h > 1 {
                    assert!(steps > 1, "{w}x{h}: a budget of one row takes many steps");
                }
                assert_eq!(stepped.spans, whole.spans, "{w}x{h} in steps of {budget}");
                assert_eq!(stepped.errors, whole.errors);
                assert_eq!(stepped.rows_per_line, whole.rows_per_line);
            }
        }
    }

    #[test]
    fn odd_spans_and_sizes_do_not_panic() {
        let (store, trace) = synthetic(&[
            (0, SPAN_END_UNKNOWN, false),
            (i64::MAX / 2, 5, true),
            (-5, 0, false),
        ]);
        let rows = visible_rows(&trace, &BTreeSet::new());
        for (w, h) in [(0, 0), (1, 1), (3, 0), (0, 3), (7, 50)] {
            let c = minimap_coverage(&store, &trace, &rows, w, h);
            assert_eq!(c.to_rgba(&theme::LIGHT).len(), (w * h * 4) as usize);
        }
        let c = minimap_coverage(&store, &trace, &[0, 99, 1], 4, 3);
        assert_eq!(
            c.rows_per_line,
            [1, 0, 1],
            "a position outside the trace is skipped"
        );
    }

    #[test]
    fn a_million_rows() {
        let n = 1_000_000i64;
        let spans: Vec<(i64, i64, bool)> = (0..n)
            .map(|i| {
                if i == 0 {
                    (0, n * 10, false)
                } else {
                    (i * 10, 10 + i % 1000, i % 100_000 == 0)
                }
            })
            .collect();
        let (store, trace) = synthetic(&spans);
        let rows = visible_rows(&trace, &BTreeSet::new());
        let started = Instant::now();
        let c = minimap_coverage(&store, &trace, &rows, 1600, 144);
        let coverage_ms = started.elapsed().as_secs_f64() * 1e3;
        let started = Instant::now();
        let rgba = c.to_rgba(&theme::LIGHT);
        let rgba_ms = started.elapsed().as_secs_f64() * 1e3;
        // Timed figures for the record (unoptimised in `cargo test`; see benches/minimap.rs).
        println!("minimap of 1,000,000 rows at 1600×144: coverage {coverage_ms:.1} ms, rgba {rgba_ms:.1} ms");
        assert_eq!(c.rows_per_line.iter().map(|&r| r as i64).sum::<i64>(), n);
        assert_eq!(rgba.len(), 1600 * 144 * 4);
        // Children start one after another down the diagonal: the top-left pixel holds the
        // root and the first children, the bottom-right one the last children.
        assert!(c.at(0, 0).0 >= 1 && c.at(1599, 143).0 >= 1);
        assert_eq!(
            c.at(1599, 0).0,
            1,
            "only the root reaches the end in the first line"
        );
        assert!(
            c.errors.iter().any(|&e| e > 0),
            "error spans mark their pixels"
        );
    }

    #[test]
    fn geometry_maps_rows_time_and_drags() {
        let (_, trace) = synthetic(&[(1000, 1000, false)]);
        let g = MinimapGeometry::new(&trace, 100, 50.0, 200.0, 50.0);
        assert_eq!(g.row_at(0.0), Some(0));
        assert_eq!(g.row_at(25.2), Some(50));
        assert_eq!(g.row_at(500.0), Some(99));
        assert_eq!(g.row_at(-3.0), Some(0));
        assert_eq!(g.y_from_row(50), 25.0);

        // The viewport: the second half of the trace, rows 10..20.
        let r = g.viewport((1500, 2000), 10..20);
        assert_eq!(
            (r.x_px, r.width_px, r.y_px, r.height_px),
            (150.0, 100.0, 5.0, 5.0)
        );
        // Drags either way select the same window; beyond the image is clamped.
        assert_eq!(g.window_from_drag(100.0, 150.0), Some((1250, 1500)));
        assert_eq!(g.window_from_drag(150.0, 100.0), Some((1250, 1500)));
        assert_eq!(g.window_from_drag(0.0, 1000.0), None, "the whole trace");
        // A tiny drag widens to the shortest window, inside the trace.
        assert_eq!(g.window_from_drag(50.0, 50.0), Some((1000, 1100)));
        // Centring keeps the length and stays inside the trace.
        assert_eq!(g.window_centred_at((1000, 1200), 150.0), Some((1400, 1600)));
        assert_eq!(g.window_centred_at((1000, 1200), 250.0), Some((1800, 2000)));
        assert_eq!(g.window_centred_at((1000, 2000), 150.0), None);

        let empty = MinimapGeometry::new(&trace, 0, 0.0, 10.0, 10.0);
        assert_eq!(empty.row_at(5.0), None);
    }
}
