//! Keys and wheel turns over the waterfall, as commands: what each does is decided here,
//! natively tested; the page only carries the commands out.

use super::request::{WaterfallData, WaterfallRequest};
use super::waterfall::WaterfallGeometry;
use super::window::TimeWindow;

/// What a key asks the waterfall to do.
#[derive(Copy, Clone, PartialEq, Debug)]
pub enum WaterfallCommand {
    /// Show this time window.
    Window(TimeWindow),
    /// Select the span of this visible row (an index into the rows; it exists) and scroll
    /// it into view.
    SelectRow(usize),
    /// Collapse or expand the subtree at this trace position.
    Toggle(u32),
    /// Clear the selection.
    Deselect,
    /// Move to the selected span's details (Enter).
    Details,
    /// The key is the waterfall's, but there is nothing to do (the browser's default
    /// action is still prevented).
    Nothing,
}

/// The command for `key` (a `KeyboardEvent.key`), or None when the key is not the
/// waterfall's. W/S zoom around the centre and A/D pan, as in Perfetto; the arrows (or J/K,
/// as in Jaeger UI and vi), Home and End move the selection, ←/→ fold and unfold; Escape
/// deselects.
pub fn key_command(
    key: &str,
    data: &WaterfallData,
    request: &WaterfallRequest,
) -> Option<WaterfallCommand> {
    let window = request.window;
    match key {
        "w" | "W" => return Some(WaterfallCommand::Window(window.zoomed_in())),
        "s" | "S" => return Some(WaterfallCommand::Window(window.zoomed_out())),
        "a" | "A" => return Some(WaterfallCommand::Window(window.panned_left())),
        "d" | "D" => return Some(WaterfallCommand::Window(window.panned_right())),
        _ => {}
    }
    let current = request.selected_span.and_then(|s| data.row_of_span(s));
    let last = data.rows.len().saturating_sub(1);
    let select = |row: usize| {
        if row < data.rows.len() {
            WaterfallCommand::SelectRow(row)
        } else {
            WaterfallCommand::Nothing
        }
    };
    let key = match key {
        "j" => "ArrowDown",
        "k" => "ArrowUp",
        other => other,
    };
    Some(match (key, current) {
        ("ArrowDown", Some((row, _))) => select((row + 1).min(last)),
        ("ArrowUp", Some((row, _))) => select(row.saturating_sub(1)),
        ("ArrowDown" | "ArrowUp" | "Home", _) => select(0),
        ("End", _) => select(last),
        ("ArrowLeft", Some((row, pos))) => fold_or_up(data, row, pos),
        ("ArrowRight", Some((row, pos))) => unfold_or_down(data, row, pos),
        ("Escape", _) => WaterfallCommand::Deselect,
        ("Enter", Some(_)) => WaterfallCommand::Details,
        ("Enter", None) => select(0),
        _ => return None,
    })
}

/// What a key asks of the page as a whole (outside text fields).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum PageKey {
    FocusSearch,
    NextMatch,
    PreviousMatch,
    NextError,
    PreviousError,
    ToggleCriticalPath,
    ToggleShortcuts,
}

/// The page's command for `key` (a `KeyboardEvent.key` without Ctrl, ⌘ or Alt).
pub fn page_key(key: &str) -> Option<PageKey> {
    Some(match key {
        "/" => PageKey::FocusSearch,
        "n" => PageKey::NextMatch,
        "N" => PageKey::PreviousMatch,
        "e" => PageKey::NextError,
        "E" => PageKey::PreviousError,
        "c" => PageKey::ToggleCriticalPath,
        "?" => PageKey::ToggleShortcuts,
        _ => return None,
    })
}

/// Every keyboard shortcut, as the `?` list shows them: keys and what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("↑ ↓ or k j", "previous / next span"),
    ("Home End", "first / last span"),
    ("← →", "fold / unfold, or go to the parent / first child"),
    (
        "Enter",
        "the selected span's details (the first span's if none)",
    ),
    ("Esc", "clear the selection"),
    ("/", "find spans"),
    ("n N", "next / previous match"),
    ("e E", "next / previous error"),
    ("c", "show or hide the critical path"),
    ("W S", "zoom in / out"),
    ("A D", "pan left / right"),
    ("Ctrl/⌘ + wheel", "zoom at the pointer"),
    ("Shift + wheel", "pan"),
    ("?", "show or hide this list"),
];

/// ←: collapse an open subtree, else go to the parent (if shown).
fn fold_or_up(data: &WaterfallData, row: usize, pos: usize) -> WaterfallCommand {
    let trace = data.trace;
    if trace.has_children(pos) && !data.collapsed.contains(&(pos as u32)) {
        return WaterfallCommand::Toggle(pos as u32);
    }
    let parent_row = trace
        .parent
        .get(pos)
        .and_then(|parent| data.rows.binary_search(parent).ok());
    WaterfallCommand::SelectRow(parent_row.unwrap_or(row))
}

/// →: expand a collapsed subtree, else go to the first child (if any).
fn unfold_or_down(data: &WaterfallData, row: usize, pos: usize) -> WaterfallCommand {
    if data.collapsed.contains(&(pos as u32)) {
        WaterfallCommand::Toggle(pos as u32)
    } else if data.trace.has_children(pos) && row + 1 < data.rows.len() {
        WaterfallCommand::SelectRow(row + 1)
    } else {
        WaterfallCommand::Nothing
    }
}

/// A wheel turn over the waterfall canvas.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Wheel {
    /// Pointer x on the canvas, CSS px.
    pub x_px: f64,
    /// `WheelEvent.deltaX` / `deltaY`, in pixels.
    pub delta_x: f64,
    pub delta_y: f64,
    /// Ctrl or ⌘ held: zoom.
    pub zoom: bool,
    /// Shift held: pan.
    pub shift: bool,
}

/// Wheel zoom speed: the window is scaled by `exp(delta_y × this)`.
const WHEEL_ZOOM_PER_PX: f64 = 0.002;

/// The window after a wheel turn: Ctrl/⌘ zooms at the pointer's time, Shift or a mostly
/// horizontal turn pans (a timeline's width of delta pans by the window's length). None:
/// the turn scrolls the rows as usual.
pub fn wheel_window(
    wheel: &Wheel,
    geometry: &WaterfallGeometry,
    window: TimeWindow,
) -> Option<TimeWindow> {
    let horizontal = wheel.delta_x.abs() > wheel.delta_y.abs();
    if wheel.zoom {
        let left = geometry.timeline_x_px();
        let x = wheel.x_px.clamp(left, left + geometry.timeline_width_px());
        let at = window
            .scale(left, geometry.timeline_width_px())
            .nanos_from_px(x);
        Some(window.zoomed_at(at, (wheel.delta_y * WHEEL_ZOOM_PER_PX).exp()))
    } else if wheel.shift || horizontal {
        let delta = if horizontal {
            wheel.delta_x
        } else {
            wheel.delta_y
        };
        Some(window.panned(delta / geometry.timeline_width_px()))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::visible_rows;
    use crate::layout::waterfall::tests::{data, fixture, request};
    use std::collections::BTreeSet;

    fn geometry() -> WaterfallGeometry {
        WaterfallGeometry::standard(1000.0, 400.0)
    }

    /// The command for `key` with the span at trace position `selected` selected.
    fn command(
        key: &str,
        collapsed: &BTreeSet<u32>,
        selected: Option<usize>,
    ) -> Option<WaterfallCommand> {
        let (store, trace) = fixture();
        let rows = visible_rows(&trace, collapsed);
        let mut d = data(&store, &trace, &rows);
        d.collapsed = collapsed;
        let mut r = request(geometry(), TimeWindow::of_trace(&trace), 0.0);
        r.selected_span = selected.map(|p| trace.spans[p]);
        key_command(key, &d, &r)
    }

    #[test]
    fn wasd_move_the_window() {
        let none = BTreeSet::new();
        let whole = TimeWindow::whole(1000, 2000);
        assert_eq!(
            command("w", &none, None),
            Some(WaterfallCommand::Window(whole.zoomed_in()))
        );
        assert_eq!(
            command("S", &none, None),
            Some(WaterfallCommand::Window(whole))
        );
        assert_eq!(
            command("a", &none, None),
            Some(WaterfallCommand::Window(whole))
        );
        assert_eq!(
            command("D", &none, Some(1)),
            Some(WaterfallCommand::Window(whole))
        );
    }

    #[test]
    fn page_keys_and_their_list() {
        assert_eq!(page_key("/"), Some(PageKey::FocusSearch));
        assert_eq!(page_key("e"), Some(PageKey::NextError));
        assert_eq!(page_key("E"), Some(PageKey::PreviousError));
        assert_eq!(page_key("N"), Some(PageKey::PreviousMatch));
        assert_eq!(page_key("c"), Some(PageKey::ToggleCriticalPath));
        assert_eq!(page_key("x"), None);
        // Every page key is in the list the page shows.
        for key in ["/", "n N", "e E", "c", "?"] {
            assert!(SHORTCUTS.iter().any(|(k, _)| *k == key), "{key}");
        }
    }

    #[test]
    fn arrows_move_the_selection() {
        use WaterfallCommand::*;
        let none = BTreeSet::new();
        assert_eq!(command("ArrowDown", &none, None), Some(SelectRow(0)));
        assert_eq!(command("ArrowUp", &none, None), Some(SelectRow(0)));
        assert_eq!(command("ArrowDown", &none, Some(1)), Some(SelectRow(2)));
        assert_eq!(command("ArrowDown", &none, Some(3)), Some(SelectRow(3)));
        assert_eq!(command("ArrowUp", &none, Some(0)), Some(SelectRow(0)));
        assert_eq!(command("Home", &none, Some(3)), Some(SelectRow(0)));
        assert_eq!(command("End", &none, None), Some(SelectRow(3)));
        assert_eq!(command("Escape", &none, Some(2)), Some(Deselect));
        // Enter opens a span's details: the selected one's, else the first's.
        assert_eq!(command("Enter", &none, Some(2)), Some(Details));
        assert_eq!(command("Enter", &none, None), Some(SelectRow(0)));
        // J and K as in Jaeger UI and vi.
        assert_eq!(command("j", &none, Some(1)), Some(SelectRow(2)));
        assert_eq!(command("k", &none, Some(1)), Some(SelectRow(0)));
        assert_eq!(command("x", &none, Some(2)), None);
        assert_eq!(command("ArrowLeft", &none, None), None);
        assert_eq!(command("ArrowRight", &none, None), None);
    }

    #[test]
    fn left_and_right_fold_and_walk_the_tree() {
        use WaterfallCommand::*;
        let none = BTreeSet::new();
        let a_folded = BTreeSet::from([1]);
        // ← folds an open parent, then goes to the parent; at the root it stays.
        assert_eq!(command("ArrowLeft", &none, Some(1)), Some(Toggle(1)));
        assert_eq!(command("ArrowLeft", &a_folded, Some(1)), Some(SelectRow(0)));
        assert_eq!(command("ArrowLeft", &none, Some(2)), Some(SelectRow(1)));
        assert_eq!(
            command("ArrowLeft", &BTreeSet::from([0]), Some(0)),
            Some(SelectRow(0))
        );
        // → unfolds a folded parent, goes to the first child, does nothing on a leaf.
        assert_eq!(command("ArrowRight", &a_folded, Some(1)), Some(Toggle(1)));
        assert_eq!(command("ArrowRight", &none, Some(1)), Some(SelectRow(2)));
        assert_eq!(command("ArrowRight", &none, Some(3)), Some(Nothing));
    }

    #[test]
    fn wheel_zooms_pans_or_scrolls() {
        let g = geometry();
        let window = TimeWindow::whole(0, 1_000_000);
        let wheel = |delta_x, delta_y, zoom, shift| Wheel {
            x_px: g.timeline_x_px() + g.timeline_width_px() / 4.0,
            delta_x,
            delta_y,
            zoom,
            shift,
        };
        assert_eq!(
            wheel_window(&wheel(0.0, 100.0, false, false), &g, window),
            None
        );
        let zoomed = wheel_window(&wheel(0.0, -100.0, true, false), &g, window).unwrap();
        let (start, end) = zoomed.range();
        let factor = (-0.2f64).exp();
        assert!(((end - start) as f64 - 1e6 * factor).abs() < 1.0);
        // The pointer's time (a quarter in) stays a quarter in.
        assert!(((250_000 - start) as f64 / (end - start) as f64 - 0.25).abs() < 1e-6);
        let width = g.timeline_width_px();
        let panned = wheel_window(&wheel(0.0, width / 10.0, false, true), &g, zoomed).unwrap();
        assert_eq!(
            panned.range().0 - start,
            ((end - start) as f64 / 10.0).round() as i64
        );
        let sideways = wheel_window(&wheel(width / 10.0, 1.0, false, false), &g, zoomed);
        assert_eq!(sideways, Some(panned));
        // Zooming out all the way is the whole trace again.
        let out = wheel_window(&wheel(0.0, 5000.0, true, false), &g, zoomed).unwrap();
        assert!(!out.is_zoomed());
    }
}
