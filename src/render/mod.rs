//! Drawing finished layouts onto canvases with the 2D context. Nothing here decides where
//! things go (that is `layout`) or reads spans (the layout carries the labels).

pub mod flame;
pub mod graph;
pub mod minimap;
pub mod waterfall;
