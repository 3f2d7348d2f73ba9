//! Layout: what goes where. Pure functions from the model (and a view request) to rows,
//! pixel positions and ruler ticks; the renderer only paints what these return.

pub mod graph;
pub mod graph_viewport;
pub mod input;
pub mod latency;
pub mod minimap;
pub mod request;
pub mod rows;
pub mod time_scale;
pub mod trace_graph;
pub mod waterfall;
pub mod window;

pub use graph::{
    focus, layout_graph, layout_shape, Bounds, EdgePath, FocusDirection, GraphLayout,
    GraphLayoutOptions, GraphShape, NodePlace, Subgraph,
};
pub use input::{key_command, page_key, wheel_window, PageKey, WaterfallCommand, Wheel, SHORTCUTS};
pub use minimap::{
    minimap_coverage, CoverageBuilder, MinimapCoverage, MinimapGeometry, MinimapRect,
};
pub use request::{WaterfallData, WaterfallRequest};
pub use rows::rows_in_view;
pub use time_scale::{Tick, TimeScale};
pub use waterfall::{matching_rows, row_boxes, visible_rows, Guide, RowBox, WaterfallGeometry};
pub use window::{TimeWindow, MIN_WINDOW_NANOS};
