//! Entry point of the import worker (built for wasm32 by Trunk as a Web Worker; see
//! `spanorama::worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    spanorama::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("spanorama-worker is the app's Web Worker; it runs only in the browser.");
}
