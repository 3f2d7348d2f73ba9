//! Writing the model back out. Pure Rust, like `import`: the page and the worker call it,
//! and it is tested natively.
//!
//! - [`otlp`]: any spans, whatever format they came from, as OpenTelemetry OTLP/JSON.

pub mod otlp;

pub use otlp::OtlpWriter;
