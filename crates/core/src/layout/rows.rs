//! Which rows of a long table to render: those in view and a few around (a virtual list).
//! Rows have one height; spacers stand for the rest, so the scroll bar stays true.

use std::ops::Range;

/// Rows of `count`, each `row_height` px, that a view `view_height` px high scrolled down
/// `scroll_top` px shows, with `overscan` more on each side (clamped to `0..count`).
/// Scroll positions out of range (negative, past the end, not a number) are clamped.
pub fn rows_in_view(
    count: usize,
    row_height: f64,
    scroll_top: f64,
    view_height: f64,
    overscan: usize,
) -> Range<usize> {
    if count == 0 || row_height.is_nan() || row_height <= 0.0 {
        return 0..0;
    }
    let top = if scroll_top.is_finite() {
        scroll_top.max(0.0)
    } else {
        0.0
    };
    let height = if view_height.is_finite() {
        view_height.max(0.0)
    } else {
        0.0
    };
    let first = ((top / row_height).floor() as usize).min(count - 1);
    let last = (((top + height) / row_height).ceil() as usize).clamp(first + 1, count);
    first.saturating_sub(overscan)..last.saturating_add(overscan).min(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_in_view_and_a_few_around() {
        // 24 px rows, a 240 px view: ten rows in view.
        assert_eq!(rows_in_view(1000, 24.0, 0.0, 240.0, 5), 0..15);
        assert_eq!(rows_in_view(1000, 24.0, 2400.0, 240.0, 5), 95..115);
        // Half a row scrolled: the row cut in half is shown, and the one under the bottom.
        assert_eq!(rows_in_view(1000, 24.0, 12.0, 240.0, 0), 0..11);
        // The end, and past it.
        assert_eq!(rows_in_view(1000, 24.0, 23_760.0, 240.0, 5), 985..1000);
        assert_eq!(rows_in_view(1000, 24.0, 1e9, 240.0, 5), 994..1000);
        // Fewer rows than the view holds; none; odd input.
        assert_eq!(rows_in_view(3, 24.0, 0.0, 240.0, 5), 0..3);
        assert_eq!(rows_in_view(0, 24.0, 0.0, 240.0, 5), 0..0);
        assert_eq!(rows_in_view(10, 24.0, f64::NAN, f64::INFINITY, 0), 0..1);
        assert_eq!(rows_in_view(10, 24.0, -50.0, 48.0, 0), 0..2);
        assert_eq!(rows_in_view(10, 0.0, 0.0, 48.0, 0), 0..0);
    }
}
