//! The waterfall's zoom/pan window over a trace: which time range the timeline shows, and
//! how keys, the wheel and the minimap move it. Kept inside the trace and at least
//! [`MIN_WINDOW_NANOS`] long (or the whole trace, if that is shorter).
//!
//! Arithmetic is done on offsets from the trace's start (small numbers, exact in an `f64`),
//! never on raw epoch nanoseconds, and differences are taken in `i128`, so no value of
//! `i64` overflows.

use super::time_scale::TimeScale;
use crate::model::Trace;

/// The shortest zoom window, ns (unless the trace itself is shorter).
pub const MIN_WINDOW_NANOS: i64 = 100;

/// Each zoom-in step (W) keeps this fraction of the window; zoom-out (S) divides by it.
const KEY_ZOOM_FACTOR: f64 = 0.7;

/// Each pan step (A/D) moves the window by this fraction of its length.
const KEY_PAN_FRACTION: f64 = 0.2;

/// A time window over a trace: the whole trace, or a zoomed range inside it.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct TimeWindow {
    /// The trace's extent, ns since the epoch; `trace_start_nanos < trace_end_nanos`.
    trace_start_nanos: i64,
    trace_end_nanos: i64,
    /// The zoomed range, ns since the epoch (`start < end`); None = the whole trace.
    zoom: Option<(i64, i64)>,
}

impl Default for TimeWindow {
    /// The whole of an empty trace at time 0 (what is shown when there is no trace).
    fn default() -> Self {
        TimeWindow::whole(0, 1)
    }
}

impl TimeWindow {
    /// The whole trace from `start_nanos` to `end_nanos`; an empty or reversed extent is
    /// widened to 1 ns.
    pub fn whole(start_nanos: i64, end_nanos: i64) -> TimeWindow {
        let start = start_nanos.min(i64::MAX - 1);
        TimeWindow {
            trace_start_nanos: start,
            trace_end_nanos: end_nanos.max(start + 1),
            zoom: None,
        }
    }

    /// The whole of `trace`.
    pub fn of_trace(trace: &Trace) -> TimeWindow {
        TimeWindow::whole(trace.start_unix_nanos, trace.end_unix_nanos)
    }

    /// This extent with `other`'s zoom, taken as it is (not clamped). The waterfall keeps
    /// the zoom across renders this way; a new trace resets it.
    pub fn with_zoom_of(self, other: TimeWindow) -> TimeWindow {
        TimeWindow {
            zoom: other.zoom,
            ..self
        }
    }

    /// The range shown, ns since the epoch: `(start, end)` with `start < end`.
    pub fn range(&self) -> (i64, i64) {
        self.zoom
            .unwrap_or((self.trace_start_nanos, self.trace_end_nanos))
    }

    /// The trace's extent, ns since the epoch.
    pub fn extent(&self) -> (i64, i64) {
        (self.trace_start_nanos, self.trace_end_nanos)
    }

    /// Whether a part of the trace is shown (the "Reset zoom" button is offered).
    pub fn is_zoomed(&self) -> bool {
        self.zoom.is_some()
    }

    /// The whole trace again.
    pub fn reset(self) -> TimeWindow {
        TimeWindow { zoom: None, ..self }
    }

    /// Time ↔ pixels for this window drawn from `x_px` over `width_px`.
    pub fn scale(&self, x_px: f64, width_px: f64) -> TimeScale {
        let (start, end) = self.range();
        TimeScale::new(start, end, x_px, width_px)
    }

    /// W: zoom in around the centre.
    pub fn zoomed_in(self) -> TimeWindow {
        let length = (self.length() * KEY_ZOOM_FACTOR).max(self.min_length());
        self.placed(self.offset() + (self.length() - length) / 2.0, length)
    }

    /// S: zoom out around the centre, up to the whole trace.
    pub fn zoomed_out(self) -> TimeWindow {
        let length = (self.length() / KEY_ZOOM_FACTOR).min(self.full());
        self.placed(self.offset() + (self.length() - length) / 2.0, length)
    }

    /// A: pan towards the start by a step.
    pub fn panned_left(self) -> TimeWindow {
        self.panned(-KEY_PAN_FRACTION)
    }

    /// D: pan towards the end by a step.
    pub fn panned_right(self) -> TimeWindow {
        self.panned(KEY_PAN_FRACTION)
    }

    /// Moved by `fraction` of its own length (negative: towards the start).
    pub fn panned(self, fraction: f64) -> TimeWindow {
        self.placed(self.offset() + fraction * self.length(), self.length())
    }

    /// Zoomed by `factor` (< 1 zooms in) so that the time `at_nanos` stays where it is on
    /// screen (wheel zoom at the pointer).
    pub fn zoomed_at(self, at_nanos: i64, factor: f64) -> TimeWindow {
        let length = (self.length() * factor).clamp(self.min_length(), self.full());
        let at = diff(at_nanos, self.range().0) as f64;
        self.placed(self.offset() + at - at * length / self.length(), length)
    }

    /// The minimap's choice of `range` (None: the whole trace), taken as it is:
    /// `MinimapGeometry` keeps it inside the trace and at least the minimum long.
    pub fn zoomed_to(self, range: Option<(i64, i64)>) -> TimeWindow {
        TimeWindow {
            zoom: range,
            ..self
        }
    }

    /// Length shown, ns, `>= 1`.
    fn length(&self) -> f64 {
        let (start, end) = self.range();
        (diff(end, start) as f64).max(1.0)
    }

    /// Length of the whole trace, ns, `>= 1`.
    fn full(&self) -> f64 {
        (diff(self.trace_end_nanos, self.trace_start_nanos) as f64).max(1.0)
    }

    fn min_length(&self) -> f64 {
        (MIN_WINDOW_NANOS as f64).min(self.full())
    }

    /// Start of the range shown, ns after the trace's start.
    fn offset(&self) -> f64 {
        diff(self.range().0, self.trace_start_nanos) as f64
    }

    /// A window of `length` ns (at least the minimum) from `offset` ns after the trace's
    /// start, moved inside the trace; the whole trace when it is at least as long.
    fn placed(self, offset: f64, length: f64) -> TimeWindow {
        let full = self.full();
        if !offset.is_finite() || !length.is_finite() {
            return self;
        }
        let length = length.max(self.min_length());
        if length >= full {
            return self.reset();
        }
        let offset = offset.clamp(0.0, full - length).round() as i128;
        let start = self.trace_start_nanos as i128 + offset;
        let end = (start + length.round().max(1.0) as i128).min(self.trace_end_nanos as i128);
        // Both lie inside the trace's extent, so inside i64.
        let to_i64 = |t: i128| t.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        TimeWindow {
            zoom: Some((to_i64(start), to_i64(end))),
            ..self
        }
    }
}

/// `a - b` without overflow.
fn diff(a: i64, b: i64) -> i128 {
    a as i128 - b as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_trace_is_not_zoomed() {
        let w = TimeWindow::whole(1000, 2000);
        assert_eq!(w.range(), (1000, 2000));
        assert!(!w.is_zoomed());
        assert_eq!(TimeWindow::default().range(), (0, 1));
    }

    #[test]
    fn zoom_in_then_out_comes_back() {
        let w = TimeWindow::whole(1000, 2000);
        let zoomed = w.zoomed_in();
        assert_eq!(zoomed.range(), (1150, 1850), "70 % around the centre");
        assert!(zoomed.is_zoomed());
        assert_eq!(zoomed.zoomed_out(), w, "back to the whole trace, unzoomed");
        let twice = zoomed.zoomed_in();
        assert_eq!(twice.range(), (1255, 1745));
        assert_eq!(twice.zoomed_out().range(), (1150, 1850));
    }

    #[test]
    fn zoom_out_of_the_whole_trace_stays_whole() {
        let w = TimeWindow::whole(1000, 2000);
        assert_eq!(w.zoomed_out(), w);
        assert_eq!(w.zoomed_at(1500, 2.0), w);
    }

    #[test]
    fn pan_clamps_at_both_ends() {
        let w = TimeWindow::whole(1000, 2000).zoomed_to(Some((1100, 1300)));
        assert_eq!(w.panned_left().range(), (1060, 1260));
        assert_eq!(
            w.panned_left().panned_left().panned_left().range(),
            (1000, 1200)
        );
        let end = TimeWindow::whole(1000, 2000).zoomed_to(Some((1700, 1900)));
        assert_eq!(end.panned_right().range(), (1740, 1940));
        assert_eq!(end.panned(10.0).range(), (1800, 2000));
        assert_eq!(end.panned(-100.0).range(), (1000, 1200));
    }

    #[test]
    fn wheel_zoom_keeps_the_pointer_time_in_place() {
        let w = TimeWindow::whole(1000, 2000).zoomed_to(Some((1200, 1600)));
        let scale = w.scale(100.0, 400.0);
        let x = 250.0;
        let at = scale.nanos_from_px(x);
        for factor in [0.5, 0.8, 1.5] {
            let after = w.zoomed_at(at, factor);
            let moved = after.scale(100.0, 400.0).px_from_nanos(at) - x;
            assert!(moved.abs() < 1.0, "factor {factor}: moved {moved} px");
        }
        assert_eq!(w.zoomed_at(at, 0.5).range(), (1275, 1475));
    }

    #[test]
    fn zoom_stops_at_the_minimum_width() {
        let mut w = TimeWindow::whole(0, 1_000_000);
        for _ in 0..100 {
            w = w.zoomed_in();
        }
        let (start, end) = w.range();
        assert_eq!(end - start, MIN_WINDOW_NANOS);
        let (s, e) = TimeWindow::whole(0, 1_000_000).zoomed_at(500, 1e-9).range();
        assert_eq!(e - s, MIN_WINDOW_NANOS);
        // A trace shorter than the minimum cannot be zoomed into.
        let short = TimeWindow::whole(0, 50);
        assert_eq!(short.zoomed_in(), short);
    }

    #[test]
    fn zero_length_trace() {
        let w = TimeWindow::whole(5000, 5000);
        assert_eq!(w.range(), (5000, 5001));
        assert_eq!(w.zoomed_in(), w);
        assert_eq!(w.panned_right(), w);
        assert_eq!(w.zoomed_at(5000, 0.1), w);
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let w = TimeWindow::whole(i64::MIN, i64::MAX);
        let zoomed = w.zoomed_in().panned_right().zoomed_at(0, 0.5).panned(-5.0);
        let (start, end) = zoomed.range();
        assert!(start < end && start == i64::MIN, "{start}..{end}");
        assert!(!zoomed
            .zoomed_out()
            .zoomed_out()
            .zoomed_at(0, 1e9)
            .is_zoomed());
        let top = TimeWindow::whole(i64::MAX, i64::MAX);
        assert_eq!(top.range(), (i64::MAX - 1, i64::MAX));
        // Epoch times keep nanosecond precision.
        let epoch = 1_700_000_000_123_456_789;
        let w = TimeWindow::whole(epoch, epoch + 1000).zoomed_in();
        assert_eq!(w.range(), (epoch + 150, epoch + 850));
    }

    #[test]
    fn reset_and_zoom_carry_over() {
        let w = TimeWindow::whole(0, 1000).zoomed_in();
        assert_eq!(w.reset(), TimeWindow::whole(0, 1000));
        let other = TimeWindow::whole(0, 5000).with_zoom_of(w);
        assert_eq!(other.range(), w.range());
        assert_eq!(other.extent(), (0, 5000));
        assert_eq!(w.zoomed_to(None), w.reset());
    }
}
