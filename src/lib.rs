//! Spanorama: a distributed-trace viewer that runs entirely in the browser.
//!
//! Data flows one way (see `ARCHITECTURE.md`):
//! `import` (bytes → [`model::Store`]) → `model` (traces, span trees) → `layout`
//! (rows, time scale, ticks) → `render` (canvas) → `ui` (Yew components).
//! `import`, `model`, `layout` and `gen` are pure Rust and are tested natively; `render` and
//! `ui` exist only for `wasm32`.
#![forbid(unsafe_code)]

pub mod export;
pub mod gen;
pub mod import;
pub mod layout;
pub mod model;
pub mod theme;

#[cfg(target_arch = "wasm32")]
pub mod render;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
