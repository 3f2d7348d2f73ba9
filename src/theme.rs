//! Colours, sizes and fonts: the one place the look of the app is decided.
//! Service colours come from a stable hash of the service name, so a service keeps its
//! colour across files, traces and sessions.

/// Height of one waterfall row, CSS px.
pub const ROW_HEIGHT_PX: f64 = 24.0;
/// Height of the time ruler at the top of the waterfall canvas, CSS px.
pub const HEADER_HEIGHT_PX: f64 = 30.0;
/// Indentation per tree level in the label column, CSS px.
pub const INDENT_PX: f64 = 14.0;
/// Minimum width a span bar is drawn with, CSS px, so tiny spans stay visible.
pub const MIN_BAR_WIDTH_PX: f64 = 1.0;
/// Smallest gap between ruler ticks, CSS px.
pub const MIN_TICK_SPACING_PX: f64 = 90.0;

pub const FONT: &str = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
pub const FONT_BOLD: &str = "600 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
pub const FONT_SMALL: &str = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

pub const BACKGROUND: &str = "#ffffff";
pub const ROW_STRIPE: &str = "#f7f8fa";
pub const ROW_HOVER: &str = "#eef4ff";
pub const ROW_SELECTED: &str = "#dbe8ff";
pub const GRID: &str = "#e5e7eb";
pub const DIVIDER: &str = "#d1d5db";
pub const GUIDE: &str = "#c3c8d0";
pub const TEXT: &str = "#111827";
pub const TEXT_MUTED: &str = "#6b7280";
pub const HEADER_BG: &str = "#f3f4f6";
pub const ERROR: &str = "#dc2626";
pub const WARNING: &str = "#d97706";

/// Stable colour of a service: a hue from an FNV-1a hash of the name; saturation and
/// lightness fixed so every bar has readable contrast on white.
pub fn service_colour(service: &str) -> String {
    let hash = service
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        });
    // Spread hues with the golden ratio so similar hashes still look different.
    let hue = ((hash % 3600) as f64 / 10.0 + (hash >> 32) as f64 * 0.618_033_988_75 * 360.0) % 360.0;
    let lightness = 42 + (hash >> 20) % 3 * 6;
    format!("hsl({hue:.0}, 62%, {lightness}%)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_colours_are_stable_and_distinct() {
        assert_eq!(service_colour("frontend"), service_colour("frontend"));
        assert_ne!(service_colour("frontend"), service_colour("backend"));
        assert!(service_colour("x").starts_with("hsl("));
    }
}
