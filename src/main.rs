//! The Spanorama web app's entry point (built for wasm32 by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    spanorama::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Spanorama runs in the browser: build and serve it with `tools/serve.sh`.");
}
