//! The normalised trace model: every importer produces a [`Store`], the app merges them
//! and builds [`Trace`]s (span trees) from the merged store.
//!
//! Design for a million spans: strings are interned ([`Interner`]), span records are compact
//! fixed-size structs in one `Vec`, attributes/events/links live in shared arenas addressed by
//! [`Slice`]s, and trees are index arrays built iteratively.

pub mod critical_path;
pub mod diff;
pub mod errors;
pub mod flame;
pub mod graph;
mod ids;
pub mod query;
mod search;
pub mod skew;
pub mod stats;
mod store;
mod strings;
#[cfg(test)]
pub(crate) mod test_trace;
pub mod trace_list;
mod tree;
pub mod units;
mod warnings;
pub mod wire;

pub use critical_path::{critical_path, self_time_nanos, CriticalPath, CriticalPathBuild, Segment};
pub use diff::{trace_diff, DiffBuild, DiffFlame, DiffNode, DiffSide, Side, TraceDiff};
pub use flame::{
    flame_at, flame_layout, flame_search, flame_tree, traces_with_root, FlameBuild, FlameNode,
    FlameRect, FlameShape, FlameTree, MIN_RECT_PX,
};
pub use ids::{SpanId, TraceId};
pub use query::{QueryError, SpanQuery};
pub use search::{find_spans, TraceSearch};
pub use skew::{
    adjust_skew, call_gap, detect_skew, CallGap, SkewAdjustment, SkewBuild, SkewReport, SkewedCall,
};
pub use stats::{
    span_stats, spans_in_group, traces_in_group, GroupBy, SpanStats, StatsBuild, StatsColumn,
};
pub use store::{
    Attr, Dependency, Event, FileInfo, Link, PackedAttr, Resource, Slice, Span, SpanKind,
    SpanWarning, StatusCode, Store, Value, SPAN_END_UNKNOWN, UNKNOWN_SERVICE,
};
pub use strings::{Interner, StrId};
pub use tree::{build_traces, Trace, TreeWarning, NO_PARENT};
pub use warnings::{summarise as summarise_warnings, WarningKind};
