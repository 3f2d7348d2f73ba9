//! The one authority that converts time to pixels and back (after perfetto's
//! `time_scale.ts`), and the ruler ticks that go with it.

use crate::model::units::format_duration;

/// Maps the time window `[start_nanos, end_nanos]` onto `[x_px, x_px + width_px]`.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct TimeScale {
    /// Window start, ns since the epoch.
    pub start_nanos: i64,
    /// Window end, ns since the epoch; always `> start_nanos`.
    pub end_nanos: i64,
    /// Left edge of the drawing area, CSS px.
    pub x_px: f64,
    /// Width of the drawing area, CSS px; always `> 0`.
    pub width_px: f64,
}

/// One ruler tick.
#[derive(Clone, PartialEq, Debug)]
pub struct Tick {
    /// Position, CSS px.
    pub x_px: f64,
    /// Time since the ruler's origin, ns.
    pub offset_nanos: i64,
    pub label: String,
}

impl TimeScale {
    /// A scale for the given window; empty windows and widths are widened so the scale
    /// never divides by zero.
    pub fn new(start_nanos: i64, end_nanos: i64, x_px: f64, width_px: f64) -> TimeScale {
        TimeScale {
            start_nanos,
            end_nanos: end_nanos.max(start_nanos.saturating_add(1)),
            x_px,
            width_px: width_px.max(1.0),
        }
    }

    /// Window length, ns.
    pub fn span_nanos(&self) -> i64 {
        self.end_nanos.saturating_sub(self.start_nanos)
    }

    pub fn px_from_nanos(&self, t_nanos: i64) -> f64 {
        self.x_px
            + t_nanos.saturating_sub(self.start_nanos) as f64 / self.span_nanos() as f64
                * self.width_px
    }

    pub fn nanos_from_px(&self, x_px: f64) -> i64 {
        self.start_nanos
            + ((x_px - self.x_px) / self.width_px * self.span_nanos() as f64).round() as i64
    }

    /// Width of a duration, CSS px.
    pub fn px_from_duration(&self, nanos: i64) -> f64 {
        nanos as f64 / self.span_nanos() as f64 * self.width_px
    }

    /// Ruler ticks at a "nice" step (1, 2 or 5 × 10ⁿ ns) at least `min_spacing_px` apart,
    /// labelled with the time since `origin_nanos` (usually the trace start).
    pub fn ticks(&self, origin_nanos: i64, min_spacing_px: f64) -> Vec<Tick> {
        let min_step = self.span_nanos() as f64 * min_spacing_px / self.width_px;
        let step = nice_step(min_step.max(1.0));
        let first = (self.start_nanos - origin_nanos).div_euclid(step) * step;
        let max_offset = (self.end_nanos - origin_nanos)
            .abs()
            .max((self.start_nanos - origin_nanos).abs());
        let mut ticks = Vec::new();
        let mut offset = first;
        while origin_nanos.saturating_add(offset) <= self.end_nanos && ticks.len() < 1000 {
            let t = origin_nanos.saturating_add(offset);
            if t >= self.start_nanos {
                ticks.push(Tick {
                    x_px: self.px_from_nanos(t),
                    offset_nanos: offset,
                    label: format_tick(offset, step, max_offset),
                });
            }
            offset += step;
        }
        ticks
    }
}

/// Smallest 1/2/5 × 10ⁿ not below `min`.
fn nice_step(min: f64) -> i64 {
    let mut base = 1i64;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            if step as f64 >= min || step == i64::MAX {
                return step;
            }
        }
        base = base.saturating_mul(10);
    }
}

/// A tick label in the unit that suits the largest offset on the ruler, with as many
/// decimals as the step needs (trailing zeros trimmed): `"0.5 s"`, `"1 s"`, `"250 µs"`.
fn format_tick(offset: i64, step: i64, max_offset: i64) -> String {
    if offset == 0 {
        return "0".into();
    }
    if max_offset >= 120_000_000_000 {
        return format_duration(offset);
    }
    let (unit_nanos, unit) = if max_offset < 1_000 {
        (1.0, "ns")
    } else if max_offset < 1_000_000 {
        (1e3, "µs")
    } else if max_offset < 1_000_000_000 {
        (1e6, "ms")
    } else {
        (1e9, "s")
    };
    let step_in_unit = step as f64 / unit_nanos;
    let decimals = if step_in_unit >= 1.0 {
        0
    } else {
        (-step_in_unit.log10()).ceil() as usize
    };
    let mut text = format!("{:.*}", decimals, offset as f64 / unit_nanos);
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{text} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_both_ways() {
        let s = TimeScale::new(1_000, 2_000, 100.0, 500.0);
        assert_eq!(s.px_from_nanos(1_000), 100.0);
        assert_eq!(s.px_from_nanos(2_000), 600.0);
        assert_eq!(s.nanos_from_px(350.0), 1_500);
        assert_eq!(s.px_from_duration(100), 50.0);
    }

    #[test]
    fn degenerate_windows_do_not_divide_by_zero() {
        let s = TimeScale::new(5, 5, 0.0, 0.0);
        assert!(s.px_from_nanos(5).is_finite());
        assert!(s.px_from_nanos(6).is_finite());
    }

    #[test]
    fn ticks_use_nice_steps_and_units() {
        // 10 ms over 1000 px with ≥ 90 px spacing → 1 ms steps.
        let s = TimeScale::new(0, 10_000_000, 0.0, 1000.0);
        let ticks = s.ticks(0, 90.0);
        assert_eq!(ticks.len(), 11);
        assert_eq!(ticks[0].label, "0");
        assert_eq!(ticks[1].label, "1 ms");
        assert_eq!(ticks[10].label, "10 ms");
        // 1.2 µs → 200 ns steps.
        let s = TimeScale::new(0, 1_200, 0.0, 600.0);
        let labels: Vec<String> = s.ticks(0, 90.0).into_iter().map(|t| t.label).collect();
        assert_eq!(
            labels,
            ["0", "0.2 µs", "0.4 µs", "0.6 µs", "0.8 µs", "1 µs", "1.2 µs"]
        );
        // Sub-unit steps get decimals: 2.5 s over 1000 px → 500 ms.
        let s = TimeScale::new(0, 2_500_000_000, 0.0, 500.0);
        let labels: Vec<String> = s.ticks(0, 90.0).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["0", "0.5 s", "1 s", "1.5 s", "2 s", "2.5 s"]);
        let s = TimeScale::new(0, 900_000, 0.0, 1000.0);
        let labels: Vec<String> = s.ticks(0, 90.0).into_iter().map(|t| t.label).collect();
        assert_eq!(labels[1], "100 µs");
    }

    #[test]
    fn ticks_of_a_zoomed_window_are_relative_to_the_origin() {
        let s = TimeScale::new(1_000_000_500, 1_000_003_000, 0.0, 250.0);
        let ticks = s.ticks(1_000_000_000, 90.0);
        assert_eq!(ticks[0].offset_nanos, 1_000);
        assert_eq!(ticks[0].label, "1 µs");
    }
}
