//! Entry point of the layout worker (built for wasm32 by Trunk as a Web Worker; see
//! `spanorama::layout_worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    spanorama::layout_worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("spanorama-layout-worker is the app's Web Worker; it runs only in the browser.");
}
