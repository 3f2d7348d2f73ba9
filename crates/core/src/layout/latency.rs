//! The latency charts above the trace list: a scatter of trace durations over start time
//! (Jaeger's search scatter) and a histogram of durations. Everything but the drawing: the
//! plot area, axes (value ↔ pixel, linear or log), ticks, the decimated dots, histogram
//! bins, the hit test and the brush's bounds. Pixels are CSS px, y down.

use crate::model::trace_list::TraceQuery;
use crate::model::Trace;

/// Space around the plot for the axes' labels.
pub const MARGIN_LEFT: f64 = 64.0;
pub const MARGIN_RIGHT: f64 = 14.0;
pub const MARGIN_TOP: f64 = 8.0;
pub const MARGIN_BOTTOM: f64 = 22.0;
/// Side of a decimation cell: at most one dot is drawn per cell, so a drawing is bounded by
/// the chart's size, not by the number of traces.
pub const CELL_PX: f64 = 4.0;
/// Dots' radius range, px (by span count, on a log scale).
pub const DOT_MIN_R: f64 = 2.0;
pub const DOT_MAX_R: f64 = 6.5;
/// How far from a dot's edge the pointer still hits it, px.
pub const HIT_SLACK_PX: f64 = 3.0;

/// A value axis mapped onto a pixel span (`px0` is where `lo` is drawn, `px1` where `hi`
/// is; `px1 < px0` for a y axis). On a log axis values below 1 are drawn at 1.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub px0: f64,
    pub px1: f64,
}

impl Axis {
    /// An axis over `lo..hi`, made usable whatever the values: not finite → 0..1, empty →
    /// one unit (or one decade) wide, log → from at least 1.
    pub fn new(lo: f64, hi: f64, log: bool, px0: f64, px1: f64) -> Axis {
        let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
            (lo.min(hi), lo.max(hi))
        } else {
            (0.0, 1.0)
        };
        if log {
            lo = lo.max(1.0);
            hi = hi.max(lo * 10.0);
        } else if hi - lo < 1.0 {
            hi = lo + 1.0;
        }
        Axis {
            lo,
            hi,
            log,
            px0,
            px1,
        }
    }

    fn t(&self, v: f64) -> f64 {
        if self.log {
            v.max(1.0).log10()
        } else {
            v
        }
    }

    fn untransform(&self, t: f64) -> f64 {
        if self.log {
            10f64.powf(t)
        } else {
            t
        }
    }

    /// Where `v` is drawn.
    pub fn to_px(&self, v: f64) -> f64 {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        self.px0 + (self.t(v) - a) / (b - a) * (self.px1 - self.px0)
    }

    /// The value drawn at `px` (not clamped).
    pub fn to_value(&self, px: f64) -> f64 {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        let span = self.px1 - self.px0;
        if span == 0.0 {
            return self.lo;
        }
        self.untransform(a + (px - self.px0) / span * (b - a))
    }

    /// Tick values inside the axis, at most about `max` of them: 1, 2, 5 × 10ⁿ steps, or
    /// powers of ten on a log axis.
    pub fn ticks(&self, max: usize) -> Vec<f64> {
        if self.log {
            let (a, b) = (
                self.lo.log10().ceil() as i32,
                self.hi.log10().floor() as i32,
            );
            let every = ((b - a + 1) as usize).div_ceil(max.max(1)).max(1);
            return (a..=b).step_by(every).map(|e| 10f64.powi(e)).collect();
        }
        let max = max.max(1) as f64;
        let mag = 10f64.powf(((self.hi - self.lo) / max).log10().floor() - 1.0);
        let count = |s: f64| (self.hi / s).floor() - (self.lo / s).ceil() + 1.0;
        let step = (0..3)
            .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * mag * 10f64.powi(e)))
            .find(|&s| count(s) <= max)
            .unwrap_or(self.hi - self.lo);
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step).floor() as i64;
        (first..=last).map(|k| k as f64 * step).collect()
    }
}

/// The plot's rectangle inside the chart, px.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct PlotRect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl PlotRect {
    /// The plot inside a `width` × `height` chart (never negative).
    pub fn inside(width: f64, height: f64) -> PlotRect {
        PlotRect {
            x: MARGIN_LEFT,
            y: MARGIN_TOP,
            w: (width - MARGIN_LEFT - MARGIN_RIGHT).max(1.0),
            h: (height - MARGIN_TOP - MARGIN_BOTTOM).max(1.0),
        }
    }

    fn clamp(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            x.clamp(self.x, self.x + self.w),
            y.clamp(self.y, self.y + self.h),
        )
    }
}

/// A chart's size, plot and axes.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct ChartFrame {
    pub width: f64,
    pub height: f64,
    pub plot: PlotRect,
    pub x: Axis,
    pub y: Axis,
}

impl ChartFrame {
    fn new(width: f64, height: f64, x: (f64, f64, bool), y: (f64, f64, bool)) -> ChartFrame {
        let plot = PlotRect::inside(width, height);
        ChartFrame {
            width,
            height,
            plot,
            x: Axis::new(x.0, x.1, x.2, plot.x, plot.x + plot.w),
            y: Axis::new(y.0, y.1, y.2, plot.y + plot.h, plot.y),
        }
    }
}

/// One trace on the scatter.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ChartPoint {
    /// Index into the traces.
    pub trace: usize,
    pub start: i64,
    pub duration: i64,
    pub spans: u32,
    pub error: bool,
}

/// The points of `indices` among `traces` (indices out of range are skipped).
pub fn chart_points(traces: &[Trace], indices: &[usize]) -> Vec<ChartPoint> {
    indices
        .iter()
        .filter_map(|&i| {
            let t = traces.get(i)?;
            Some(ChartPoint {
                trace: i,
                start: t.start_unix_nanos,
                duration: t.duration_nanos().max(0),
                spans: t.len().min(u32::MAX as usize) as u32,
                error: t.error_count > 0,
            })
        })
        .collect()
}

/// The scatter's frame: start time across (the points' range, a little wider), duration up
/// from 0 (linear, as Jaeger draws it).
pub fn scatter_frame(points: &[ChartPoint], width: f64, height: f64) -> ChartFrame {
    let (lo, hi) = points.iter().fold((i64::MAX, i64::MIN), |(lo, hi), p| {
        (lo.min(p.start), hi.max(p.start))
    });
    let (lo, hi) = if points.is_empty() {
        (0.0, 1.0)
    } else {
        (lo as f64, hi as f64)
    };
    let pad = ((hi - lo) * 0.02).max(1e6);
    let longest = points.iter().map(|p| p.duration).max().unwrap_or(1) as f64;
    ChartFrame::new(
        width,
        height,
        (lo - pad, hi + pad, false),
        (0.0, longest * 1.05, false),
    )
}

/// A dot drawn on the scatter: the trace drawn for its pixel cell.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// Some trace in the cell has an error.
    pub error: bool,
    /// The trace drawn (and opened on a click): the cell's one with the most spans.
    pub trace: usize,
    /// Traces in the cell.
    pub count: u32,
}

/// At most one dot per [`CELL_PX`] cell of the plot: the cell's trace with the most spans
/// (drawn biggest), red if any trace in it has an error. Errors come last (drawn on top);
/// otherwise in first-seen order. One pass over the points.
pub fn decimate(frame: &ChartFrame, points: &[ChartPoint]) -> Vec<Dot> {
    let plot = frame.plot;
    let cols = (plot.w / CELL_PX).ceil().max(1.0) as usize;
    let rows = (plot.h / CELL_PX).ceil().max(1.0) as usize;
    let mut cell_dot = vec![u32::MAX; cols * rows];
    let mut best_spans: Vec<u32> = Vec::new();
    let mut dots: Vec<Dot> = Vec::new();
    for p in points {
        let (x, y) = (
            frame.x.to_px(p.start as f64),
            frame.y.to_px(p.duration as f64),
        );
        let c = (((x - plot.x) / CELL_PX).floor().max(0.0) as usize).min(cols - 1);
        let r = (((y - plot.y) / CELL_PX).floor().max(0.0) as usize).min(rows - 1);
        let slot = &mut cell_dot[r * cols + c];
        if *slot == u32::MAX {
            *slot = dots.len() as u32;
            best_spans.push(p.spans);
            dots.push(Dot {
                x,
                y,
                r: 0.0,
                error: p.error,
                trace: p.trace,
                count: 1,
            });
            continue;
        }
        let i = *slot as usize;
        let d = &mut dots[i];
        d.count += 1;
        d.error |= p.error;
        if p.spans > best_spans[i] {
            best_spans[i] = p.spans;
            (d.x, d.y, d.trace) = (x, y, p.trace);
        }
    }
    let most = best_spans.iter().copied().max().unwrap_or(1);
    for (d, &s) in dots.iter_mut().zip(&best_spans) {
        d.r = dot_radius(s, most);
    }
    dots.sort_by_key(|d| d.error);
    dots
}

/// A dot's radius for `spans` when the biggest trace has `most`.
pub fn dot_radius(spans: u32, most: u32) -> f64 {
    if most <= 1 {
        return DOT_MIN_R;
    }
    let share = (1.0 + spans as f64).ln() / (1.0 + most as f64).ln();
    DOT_MIN_R + (DOT_MAX_R - DOT_MIN_R) * share.clamp(0.0, 1.0)
}

/// The dot under `(x, y)`: the nearest one whose edge is within [`HIT_SLACK_PX`].
pub fn hit(dots: &[Dot], x: f64, y: f64) -> Option<usize> {
    dots.iter()
        .enumerate()
        .map(|(i, d)| (i, ((d.x - x).powi(2) + (d.y - y).powi(2)).sqrt() - d.r))
        .filter(|&(_, gap)| gap <= HIT_SLACK_PX)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// A histogram of durations: `counts[i]` durations in `edges[i]..edges[i + 1]` (the last
/// bin includes its upper edge).
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    pub frame: ChartFrame,
    pub edges: Vec<f64>,
    pub counts: Vec<u32>,
}

/// `bins` bins (at least one) over the durations' range, evenly spaced on the axis: linear,
/// or log (durations under 1 ns count in the first bin).
pub fn histogram(durations: &[i64], width: f64, height: f64, bins: usize, log: bool) -> Histogram {
    let bins = bins.max(1);
    let (lo, hi) = durations
        .iter()
        .fold((i64::MAX, i64::MIN), |(lo, hi), &d| (lo.min(d), hi.max(d)));
    let (lo, hi) = if durations.is_empty() {
        (0.0, 1.0)
    } else {
        (lo as f64, hi as f64)
    };
    let lo = if log { lo } else { 0.0 };
    let axis = Axis::new(lo, hi, log, 0.0, bins as f64);
    let mut counts = vec![0u32; bins];
    for &d in durations {
        let b = axis.to_px(d as f64).floor().max(0.0) as usize;
        counts[b.min(bins - 1)] += 1;
    }
    let edges: Vec<f64> = (0..=bins).map(|i| axis.to_value(i as f64)).collect();
    let most = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let frame = ChartFrame::new(
        width,
        height,
        (axis.lo, axis.hi, log),
        (0.0, most * 1.1, false),
    );
    Histogram {
        frame,
        edges,
        counts,
    }
}

/// Ranges a brush sets, ns, inclusive. `start` is `None` on the histogram (duration only).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BrushBounds {
    pub start: Option<(i64, i64)>,
    pub duration: (i64, i64),
}

impl BrushBounds {
    /// `query` narrowed to the brush: its duration bounds (and start bounds, when the brush
    /// has them) replaced.
    pub fn apply(&self, query: &TraceQuery) -> TraceQuery {
        let mut q = query.clone();
        (q.min_nanos, q.max_nanos) = (Some(self.duration.0), Some(self.duration.1));
        if let Some((a, b)) = self.start {
            (q.start_min_nanos, q.start_max_nanos) = (Some(a), Some(b));
        }
        q
    }
}

/// The values between two pixels on an axis, widened to whole ns (clamped to the plot).
fn axis_range(axis: &Axis, a: f64, b: f64) -> (i64, i64) {
    let (va, vb) = (axis.to_value(a), axis.to_value(b));
    let (lo, hi) = (va.min(vb), va.max(vb));
    (lo.floor().max(0.0) as i64, hi.ceil().max(0.0) as i64)
}

/// What a rectangle dragged on the scatter from `a` to `b` keeps.
pub fn scatter_brush(frame: &ChartFrame, a: (f64, f64), b: (f64, f64)) -> BrushBounds {
    let (a, b) = (frame.plot.clamp(a), frame.plot.clamp(b));
    let start = (
        frame.x.to_value(a.0.min(b.0)).floor() as i64,
        frame.x.to_value(a.0.max(b.0)).ceil() as i64,
    );
    BrushBounds {
        start: Some(start),
        duration: axis_range(&frame.y, a.1, b.1),
    }
}

/// What a range dragged across the histogram from `x0` to `x1` keeps.
pub fn histogram_brush(frame: &ChartFrame, x0: f64, x1: f64) -> BrushBounds {
    let (x0, _) = frame.plot.clamp((x0, frame.plot.y));
    let (x1, _) = frame.plot.clamp((x1, frame.plot.y));
    BrushBounds {
        start: None,
        duration: axis_range(&frame.x, x0, x1),
    }
}

/// The rectangle the query's bounds cover on a chart (`x` and `y` read as start time and
/// duration on the scatter, as duration and nothing on the histogram), clamped to the
/// plot; `None` when the query bounds neither axis.
pub fn bounds_rect(
    frame: &ChartFrame,
    x: (Option<i64>, Option<i64>),
    y: (Option<i64>, Option<i64>),
) -> Option<PlotRect> {
    if x.0.is_none() && x.1.is_none() && y.0.is_none() && y.1.is_none() {
        return None;
    }
    let plot = frame.plot;
    let px = |axis: &Axis, v: Option<i64>, edge: f64| v.map_or(edge, |v| axis.to_px(v as f64));
    let (x0, x1) = (
        px(&frame.x, x.0, plot.x),
        px(&frame.x, x.1, plot.x + plot.w),
    );
    let (y0, y1) = (
        px(&frame.y, y.0, plot.y + plot.h),
        px(&frame.y, y.1, plot.y),
    );
    let (ax, ay) = plot.clamp((x0.min(x1), y0.min(y1)));
    let (bx, by) = plot.clamp((x0.max(x1), y0.max(y1)));
    Some(PlotRect {
        x: ax,
        y: ay,
        w: bx - ax,
        h: by - ay,
    })
}

/// `#rrggbb` or `rgba(r, g, b, a)` as red, green, blue and opacity (theme colours for a
/// drawing library that wants numbers); `None` for anything else.
pub fn parse_colour(css: &str) -> Option<(u8, u8, u8, f64)> {
    let css = css.trim();
    if let Some(hex) = css.strip_prefix('#').filter(|h| h.len() == 6) {
        let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        return Some((c(0)?, c(2)?, c(4)?, 1.0));
    }
    let inner = css.strip_prefix("rgba(")?.strip_suffix(')')?;
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    let [r, g, b, a] = parts.as_slice() else {
        return None;
    };
    Some((
        r.parse().ok()?,
        g.parse().ok()?,
        b.parse().ok()?,
        a.parse().ok()?,
    ))
}

/// A start time's label on the scatter's axis: the time of day (UTC), to the second, or to
/// the millisecond when the axis spans under ten seconds.
pub fn time_label(unix_nanos: i64, axis_span_nanos: f64) -> String {
    let text = crate::model::units::format_timestamp(unix_nanos);
    // "YYYY-MM-DD HH:MM:SS.uuuuuu UTC"
    let time = text.get(11..26).unwrap_or(&text);
    let cut = if axis_span_nanos < 10e9 { 12 } else { 8 };
    time.get(..cut).unwrap_or(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(trace: usize, start: i64, duration: i64, spans: u32, error: bool) -> ChartPoint {
        ChartPoint {
            trace,
            start,
            duration,
            spans,
            error,
        }
    }

    #[test]
    fn axes_map_values_to_pixels_and_back() {
        let lin = Axis::new(100.0, 200.0, false, 10.0, 110.0);
        assert_eq!(lin.to_px(150.0), 60.0);
        assert_eq!(lin.to_value(60.0), 150.0);
        let y = Axis::new(0.0, 50.0, false, 100.0, 0.0);
        assert_eq!(y.to_px(50.0), 0.0);
        assert_eq!(y.to_value(25.0), 37.5);
        let log = Axis::new(10.0, 100_000.0, true, 0.0, 400.0);
        assert!((log.to_px(1000.0) - 200.0).abs() < 1e-9);
        assert!((log.to_value(300.0) - 10_000.0).abs() < 1e-6);
        assert_eq!(log.to_px(0.0), log.to_px(1.0));
        // Degenerate ranges still map.
        let flat = Axis::new(5.0, 5.0, false, 0.0, 10.0);
        assert!(flat.hi > flat.lo && flat.to_px(5.0).is_finite());
        let nan = Axis::new(f64::NAN, 1.0, true, 0.0, 10.0);
        assert!(nan.to_px(3.0).is_finite());
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let t = Axis::new(0.0, 1000.0, false, 0.0, 1.0).ticks(6);
        assert_eq!(t, vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        let t = Axis::new(0.0, 1000.0, false, 0.0, 1.0).ticks(5);
        assert_eq!(t, vec![0.0, 500.0, 1000.0]);
        let t = Axis::new(3.0, 97.0, false, 0.0, 1.0).ticks(4);
        assert_eq!(t, vec![20.0, 40.0, 60.0, 80.0]);
        let t = Axis::new(5.0, 20_000.0, true, 0.0, 1.0).ticks(10);
        assert_eq!(t, vec![10.0, 100.0, 1000.0, 10_000.0]);
        assert!(Axis::new(1.0, 1e12, true, 0.0, 1.0).ticks(3).len() <= 4);
    }

    #[test]
    fn decimation_keeps_one_dot_per_cell_the_biggest_and_any_error() {
        let mut points = vec![
            point(0, 0, 100, 3, false),
            point(1, 0, 100, 9, false),
            point(2, 0, 100, 1, true),
            point(3, 1_000_000_000, 1_000, 5, false),
        ];
        let frame = scatter_frame(&points, 400.0, 200.0);
        let dots = decimate(&frame, &points);
        assert_eq!(dots.len(), 2);
        let first = dots.iter().find(|d| d.count == 3).unwrap();
        assert_eq!(first.trace, 1);
        assert!(first.error);
        assert_eq!(dots.last().unwrap().trace, 1, "errors drawn last");
        assert_eq!(first.r, DOT_MAX_R);
        // 100,000 points: bounded by the cells, every point counted once.
        points = (0..100_000)
            .map(|i| {
                point(
                    i,
                    (i as i64 * 7919) % 1_000_000,
                    (i as i64 * 104_729) % 5_000,
                    1 + (i % 40) as u32,
                    i % 97 == 0,
                )
            })
            .collect();
        let frame = scatter_frame(&points, 800.0, 200.0);
        let dots = decimate(&frame, &points);
        let cells = (frame.plot.w / CELL_PX).ceil() * (frame.plot.h / CELL_PX).ceil();
        assert!(dots.len() as f64 <= cells, "{} dots", dots.len());
        assert_eq!(
            dots.iter().map(|d| d.count as usize).sum::<usize>(),
            100_000
        );
        assert!(dots
            .iter()
            .all(|d| d.x >= frame.plot.x && d.x <= frame.plot.x + frame.plot.w));
    }

    #[test]
    fn the_hit_test_finds_the_nearest_dot_within_reach() {
        let dot = |x, y, trace| Dot {
            x,
            y,
            r: 3.0,
            error: false,
            trace,
            count: 1,
        };
        let dots = [dot(10.0, 10.0, 7), dot(16.0, 10.0, 8)];
        assert_eq!(hit(&dots, 11.0, 10.0), Some(0));
        assert_eq!(hit(&dots, 15.0, 11.0), Some(1));
        assert_eq!(hit(&dots, 10.0, 16.0), Some(0));
        assert_eq!(hit(&dots, 10.0, 17.0), None);
        assert_eq!(hit(&[], 0.0, 0.0), None);
    }

    #[test]
    fn histogram_bins_count_every_duration_linear_and_log() {
        let durations: Vec<i64> = vec![0, 10, 10, 100, 1_000, 10_000, 100_000];
        let h = histogram(&durations, 300.0, 100.0, 5, true);
        assert_eq!(h.counts.iter().sum::<u32>(), 7);
        assert_eq!(h.edges.len(), 6);
        // Log bins: one decade each from 1 ns to 100 µs.
        assert_eq!(h.counts, vec![1, 2, 1, 1, 2]);
        assert!((h.edges[1] - 10.0).abs() < 1e-6);
        let h = histogram(&durations, 300.0, 100.0, 4, false);
        assert_eq!(h.counts, vec![6, 0, 0, 1]);
        assert_eq!(h.edges[0], 0.0);
        assert_eq!(h.edges[4], 100_000.0);
        let empty = histogram(&[], 300.0, 100.0, 0, false);
        assert_eq!(empty.counts, vec![0]);
    }

    #[test]
    fn a_brush_becomes_bounds_and_the_bounds_a_rectangle() {
        let points = [
            point(0, 1_000_000_000, 0, 1, false),
            point(1, 2_000_000_000, 500_000, 1, false),
        ];
        let frame = scatter_frame(&points, 500.0, 200.0);
        let (x0, x1) = (frame.x.to_px(1.2e9), frame.x.to_px(1.8e9));
        let (y0, y1) = (frame.y.to_px(100_000.0), frame.y.to_px(300_000.0));
        let b = scatter_brush(&frame, (x1, y0), (x0, y1));
        let (s0, s1) = b.start.unwrap();
        assert!(
            (s0 - 1_200_000_000).abs() <= 2 && (s1 - 1_800_000_000).abs() <= 2,
            "{b:?}"
        );
        assert!((b.duration.0 - 100_000).abs() <= 2 && (b.duration.1 - 300_000).abs() <= 2);
        // Dragged past the plot: clamped to it, never below 0 ns.
        let wide = scatter_brush(&frame, (-50.0, -50.0), (900.0, 900.0));
        assert_eq!(wide.duration.0, 0);
        let q = b.apply(&TraceQuery {
            errors_only: true,
            ..TraceQuery::default()
        });
        assert!(q.errors_only);
        assert_eq!((q.start_min_nanos, q.start_max_nanos), (Some(s0), Some(s1)));
        assert_eq!(
            (q.min_nanos, q.max_nanos),
            (Some(b.duration.0), Some(b.duration.1))
        );
        let rect = bounds_rect(
            &frame,
            (q.start_min_nanos, q.start_max_nanos),
            (q.min_nanos, q.max_nanos),
        )
        .unwrap();
        assert!((rect.x - x0).abs() < 0.01 && (rect.x + rect.w - x1).abs() < 0.01);
        assert!((rect.y - y1).abs() < 0.01 && (rect.y + rect.h - y0).abs() < 0.01);
        assert_eq!(bounds_rect(&frame, (None, None), (None, None)), None);
        // The histogram: durations only, on a log axis too.
        let h = histogram(&[10, 1_000_000], 400.0, 100.0, 20, true);
        let b = histogram_brush(&h.frame, h.frame.x.to_px(1_000.0), h.frame.x.to_px(100.0));
        assert_eq!(b.start, None);
        assert!(
            (b.duration.0 - 100).abs() <= 1 && (b.duration.1 - 1_000).abs() <= 1,
            "{b:?}"
        );
        let q = b.apply(&q);
        assert_eq!(
            q.start_min_nanos,
            Some(s0),
            "a histogram brush keeps the start bounds"
        );
    }

    #[test]
    fn colours_and_labels() {
        assert_eq!(parse_colour("#dc2626"), Some((0xdc, 0x26, 0x26, 1.0)));
        assert_eq!(
            parse_colour("rgba(37, 99, 235, 0.22)"),
            Some((37, 99, 235, 0.22))
        );
        assert_eq!(parse_colour("red"), None);
        assert_eq!(parse_colour("#zzzzzz"), None);
        assert_eq!(time_label(1_544_712_660_123_456_789, 60e9), "14:51:00");
        assert_eq!(time_label(1_544_712_660_123_456_789, 1e9), "14:51:00.123");
    }
}
