//! Spanorama's core: everything that does not need a browser, built and tested natively.
//!
//! Data flows one way (see `ARCHITECTURE.md`): `import` (bytes → [`model::Store`]) →
//! `model` (span trees, search, the wire codec) → `layout` (rows, time scale, ticks,
//! overview); `export` writes the model back as OTLP JSON; `state` is the viewer's state and
//! its reducer; `theme` holds sizes and colours.
//! No `web_sys`, `js_sys` or `yew` here: the compiler keeps it so, as this crate does not
//! depend on them.
#![forbid(unsafe_code)]

pub mod backend;
pub mod export;
pub mod import;
pub mod layout;
pub mod model;
pub mod paint;
pub mod state;
pub mod theme;
pub mod trace_context;
pub mod url;
