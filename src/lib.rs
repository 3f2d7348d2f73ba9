//! Spanorama, the app: the Yew page (`ui`), its canvas drawing (`render`), the import Web
//! Worker (`worker`) and the graph layout worker (`layout_worker`), all on top of the
//! browser-free [`spanorama_core`].
//!
//! Only the `wasm32` build has them; natively this library is empty (the core and the
//! generator are tested in their own crates).
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
pub mod js;
#[cfg(target_arch = "wasm32")]
pub mod layout_worker;
#[cfg(target_arch = "wasm32")]
pub mod render;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
