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

/// Height of the trace overview (minimap) above the waterfall, CSS px.
pub const MINIMAP_HEIGHT_PX: f64 = 72.0;

/// Light or dark: the colours everything is painted in. The page follows the system's
/// `prefers-color-scheme` unless the user chose one.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum Scheme {
    #[default]
    Light,
    Dark,
}

impl Scheme {
    pub fn colors(self) -> &'static Colors {
        match self {
            Scheme::Light => &LIGHT,
            Scheme::Dark => &DARK,
        }
    }

    /// Its name (`light`, `dark`): the page's `data-theme` and the remembered choice.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }

    pub fn from_name(name: &str) -> Option<Scheme> {
        [Scheme::Light, Scheme::Dark]
            .into_iter()
            .find(|s| s.name() == name)
    }

    pub fn toggled(self) -> Scheme {
        match self {
            Scheme::Light => Scheme::Dark,
            Scheme::Dark => Scheme::Light,
        }
    }
}

/// The canvases' colours in one scheme (the page's CSS has the same in custom properties).
#[derive(Debug, PartialEq, Eq)]
pub struct Colors {
    pub background: &'static str,
    pub row_stripe: &'static str,
    pub row_hover: &'static str,
    pub row_selected: &'static str,
    /// Background of rows matching the search, and the marker at their left edge.
    pub row_match: &'static str,
    pub match_marker: &'static str,
    pub grid: &'static str,
    pub divider: &'static str,
    pub guide: &'static str,
    pub text: &'static str,
    pub text_muted: &'static str,
    pub header_bg: &'static str,
    pub error: &'static str,
    pub warning: &'static str,
    /// Something chosen (a node, an edge), and the view's outline on an overview.
    pub chosen: &'static str,
    /// The line over the parts of bars on the critical path.
    pub critical_path: &'static str,
    /// Minimap: background (no span covers the pixel), a pixel covered by few or by all of
    /// the rows sharing its pixel row, a pixel with an error span.
    pub minimap_background: &'static str,
    pub minimap_span_sparse: &'static str,
    pub minimap_span_dense: &'static str,
    pub minimap_error: &'static str,
    /// Veil over the parts of the minimap outside the waterfall's viewport.
    pub minimap_dim: &'static str,
    /// Fill of the time range being dragged out on the minimap.
    pub minimap_selection: &'static str,
    /// Service graph: an edge without errors, a node's outline, an overview's frame.
    pub edge: &'static str,
    pub node_outline: &'static str,
    pub overview_frame: &'static str,
}

pub const LIGHT: Colors = Colors {
    background: "#ffffff",
    row_stripe: "#f7f8fa",
    row_hover: "#eef4ff",
    row_selected: "#dbe8ff",
    row_match: "#fff4c2",
    match_marker: "#f0b400",
    grid: "#e5e7eb",
    divider: "#d1d5db",
    guide: "#c3c8d0",
    text: "#111827",
    text_muted: "#6b7280",
    header_bg: "#f3f4f6",
    error: "#dc2626",
    warning: "#d97706",
    chosen: "#1d4ed8",
    critical_path: "#111827",
    minimap_background: "#f8fafc",
    minimap_span_sparse: "#b9cde4",
    minimap_span_dense: "#2f5f96",
    minimap_error: "#dc2626",
    minimap_dim: "rgba(15, 23, 42, 0.10)",
    minimap_selection: "rgba(37, 99, 235, 0.22)",
    edge: "#94a3b8",
    node_outline: "#475569",
    overview_frame: "#cbd5e1",
};

pub const DARK: Colors = Colors {
    background: "#0d1117",
    row_stripe: "#131922",
    row_hover: "#1a2433",
    row_selected: "#1c3357",
    row_match: "#3b3214",
    match_marker: "#d29922",
    grid: "#21262d",
    divider: "#30363d",
    guide: "#3d444d",
    text: "#e6edf3",
    text_muted: "#8b949e",
    header_bg: "#161b22",
    error: "#f85149",
    warning: "#d29922",
    chosen: "#58a6ff",
    critical_path: "#f0f6fc",
    minimap_background: "#0d1117",
    minimap_span_sparse: "#24476e",
    minimap_span_dense: "#6ca4e8",
    minimap_error: "#f85149",
    minimap_dim: "rgba(0, 0, 0, 0.35)",
    minimap_selection: "rgba(88, 166, 255, 0.25)",
    edge: "#6e7681",
    node_outline: "#8b949e",
    overview_frame: "#30363d",
};

/// `[r, g, b]` of a `#rrggbb` colour; black for anything else (theme constants only, never
/// user data).
pub const fn rgb(hex: &str) -> [u8; 3] {
    const fn digit(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let b = hex.as_bytes();
    if b.len() != 7 || b[0] != b'#' {
        return [0, 0, 0];
    }
    let mut out = [0u8; 3];
    let mut i = 0;
    while i < 3 {
        match (digit(b[1 + 2 * i]), digit(b[2 + 2 * i])) {
            (Some(hi), Some(lo)) => out[i] = hi * 16 + lo,
            _ => return [0, 0, 0],
        }
        i += 1;
    }
    out
}

/// Well-separated categorical colours for service bars (readable on white).
pub const PALETTE: [&str; 20] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f",
    "#2f6690", "#e15759", "#8cd17d", "#d37295", "#499894", "#b6992d", "#a0cbe8", "#ffbe7d",
    "#86bcb6", "#f1ce63", "#79706e", "#d4a6c8",
];

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Stable colour of a service on its own: a palette slot from an FNV-1a hash of the name.
pub fn service_colour(service: &str) -> &'static str {
    PALETTE[(fnv1a(service) % PALETTE.len() as u64) as usize]
}

/// Colours for a set of services: each takes its hash slot, and on a collision the next
/// free slot (services in hash order, so the result depends only on the set of names). With
/// at most 20 services no two share a colour; beyond that colours repeat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Palette {
    by_name: std::collections::HashMap<String, &'static str>,
}

impl Palette {
    pub fn for_services<'a>(names: impl IntoIterator<Item = &'a str>) -> Palette {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_by_key(|n| (fnv1a(n), *n));
        names.dedup();
        let mut taken = [false; PALETTE.len()];
        let mut by_name = std::collections::HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let home = (fnv1a(name) % PALETTE.len() as u64) as usize;
            let slot = if i < PALETTE.len() {
                (0..PALETTE.len())
                    .map(|k| (home + k) % PALETTE.len())
                    .find(|s| !taken[*s])
                    .unwrap_or(home)
            } else {
                home
            };
            taken[slot] = true;
            by_name.insert(name.to_string(), PALETTE[slot]);
        }
        Palette { by_name }
    }

    /// The colour of a service; services outside the set get their hash colour.
    pub fn colour(&self, service: &str) -> &'static str {
        self.by_name
            .get(service)
            .copied()
            .unwrap_or_else(|| service_colour(service))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_reads_hex_colours() {
        assert_eq!(rgb("#dc2626"), [0xdc, 0x26, 0x26]);
        assert_eq!(rgb("#F8fAfC"), [0xf8, 0xfa, 0xfc]);
        assert_eq!(rgb("red"), [0, 0, 0]);
        assert_eq!(rgb("#12345g"), [0, 0, 0]);
    }

    #[test]
    fn schemes_have_their_own_colours_and_names() {
        assert_ne!(Scheme::Light.colors(), Scheme::Dark.colors());
        for s in [Scheme::Light, Scheme::Dark] {
            assert_eq!(Scheme::from_name(s.name()), Some(s));
            assert_eq!(s.toggled().toggled(), s);
            // Text reads on the background: far apart in brightness.
            let c = s.colors();
            let light = |hex: &str| rgb(hex).iter().map(|&v| v as i32).sum::<i32>();
            assert!((light(c.text) - light(c.background)).abs() > 500, "{s:?}");
        }
        assert_eq!(Scheme::from_name("sepia"), None);
    }

    #[test]
    fn service_colours_are_stable_and_distinct() {
        assert_eq!(service_colour("frontend"), service_colour("frontend"));
        let names: Vec<String> = (0..20).map(|i| format!("service-{i}")).collect();
        let palette = Palette::for_services(names.iter().map(|s| s.as_str()));
        let mut colours: Vec<&str> = names.iter().map(|n| palette.colour(n)).collect();
        colours.sort();
        colours.dedup();
        assert_eq!(colours.len(), 20, "20 services get 20 different colours");
        let again = Palette::for_services(names.iter().rev().map(|s| s.as_str()));
        assert_eq!(palette, again, "order of discovery does not matter");
    }
}
