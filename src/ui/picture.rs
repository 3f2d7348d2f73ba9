//! "PNG" and "SVG" buttons that download what a canvas view shows, for bug reports: the PNG is
//! the canvas as drawn (at the screen's pixel ratio), the SVG is the same picture drawn again
//! through [`spanorama_core::paint::SvgPainter`] (or plotters' SVG backend for the charts).
//! Nothing leaves the browser: the download is an object URL.

use gloo::timers::future::TimeoutFuture;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlAnchorElement, HtmlCanvasElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PictureButtonsProps {
    /// The buttons' ids are `{name}-png` and `{name}-svg`; the files `spanorama-{name}.png`
    /// and `.svg`.
    pub name: AttrValue,
    /// The canvas the PNG is taken from.
    pub canvas: NodeRef,
    /// Draws the picture as an SVG document; `None` when there is nothing drawn.
    pub svg: Callback<(), Option<String>>,
}

#[function_component(PictureButtons)]
pub fn picture_buttons(props: &PictureButtonsProps) -> Html {
    let file = format!("spanorama-{}", props.name);
    let onpng = {
        let canvas = props.canvas.clone();
        let file = format!("{file}.png");
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                save_canvas_png(&c, file.clone());
            }
        })
    };
    let onsvg = {
        let svg = props.svg.clone();
        let file = format!("{file}.svg");
        Callback::from(move |_: MouseEvent| {
            if let Some(doc) = svg.emit(()) {
                save_text(&doc, "image/svg+xml", &file);
            }
        })
    };
    html! {
        <span class="picture-buttons">
            <button id={format!("{}-png", props.name)} title="Download this picture as PNG" onclick={onpng}>{"PNG"}</button>
            <button id={format!("{}-svg", props.name)} title="Download this picture as SVG" onclick={onsvg}>{"SVG"}</button>
        </span>
    }
}

/// Encodes the canvas as PNG (off the main thread, by the browser) and downloads it.
fn save_canvas_png(canvas: &HtmlCanvasElement, file: String) {
    let done = Closure::once_into_js(move |blob: JsValue| {
        if let Ok(blob) = blob.dyn_into::<Blob>() {
            save_blob(&blob, &file);
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
}

/// Downloads `text` as a file of type `mime`.
pub fn save_text(text: &str, mime: &str, file: &str) {
    let parts = Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &options) {
        save_blob(&blob, file);
    }
}

/// Hands `blob` to the browser as a download named `file`; the object URL is revoked a
/// minute later (the download holds its own reference once started).
pub fn save_blob(blob: &Blob, file: &str) -> Option<()> {
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let document = web_sys::window()?.document()?;
    let anchor: HtmlAnchorElement = document.create_element("a").ok()?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file);
    anchor.click();
    yew::platform::spawn_local(async move {
        TimeoutFuture::new(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Some(())
}
