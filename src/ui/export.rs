//! "Download OTLP": writes the selected trace, or every loaded span, as OpenTelemetry
//! OTLP/JSON ([`spanorama_core::export::OtlpWriter`]) and hands it to the browser as a download.
//!
//! The document is written in pieces of [`PIECE_BYTES`], and the page gets the event loop back
//! whenever a task has used [`TASK_BUDGET_MS`]: a million spans (hundreds of MB) never freeze
//! it. The pieces become one `Blob` (the browser may keep it on disk), so the file is never
//! one JavaScript string. Nothing leaves the browser: the download is an object URL.

use super::{now_ms, Shared};
use gloo::timers::future::TimeoutFuture;
use js_sys::{Array, Uint8Array};
use spanorama_core::export::OtlpWriter;
use spanorama_core::model::{Store, Trace};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Size of one piece of the document.
const PIECE_BYTES: usize = 256 * 1024;

/// A task writes pieces until it has run this long, then yields to the browser.
const TASK_BUDGET_MS: f64 = 12.0;

#[derive(Properties, PartialEq)]
pub struct ExportButtonProps {
    pub store: Shared<Store>,
    pub traces: Shared<Vec<Trace>>,
    /// The trace to export; `None` exports every loaded span.
    pub trace_index: Option<usize>,
    /// Element id (`export-trace`, `export-all`).
    pub id: AttrValue,
    pub label: AttrValue,
    pub title: AttrValue,
}

/// A button that downloads spans as OTLP/JSON; while writing, it shows how far it got.
#[function_component(ExportButton)]
pub fn export_button(props: &ExportButtonProps) -> Html {
    // Percent written while an export runs.
    let progress = use_state(|| None::<u32>);
    let onclick = {
        let progress = progress.clone();
        let store = props.store.clone();
        let traces = props.traces.clone();
        let trace_index = props.trace_index;
        Callback::from(move |_: MouseEvent| {
            if progress.is_some() {
                return;
            }
            progress.set(Some(0));
            let progress = progress.clone();
            let (store, traces) = (store.clone(), traces.clone());
            yew::platform::spawn_local(async move {
                let report = {
                    let progress = progress.clone();
                    move |pct: u32| progress.set(Some(pct))
                };
                let result = download(store, traces, trace_index, report).await;
                progress.set(None);
                match result {
                    // The download holds its own reference to the blob once it has started.
                    Ok(url) => {
                        TimeoutFuture::new(60_000).await;
                        let _ = web_sys::Url::revoke_object_url(&url);
                    }
                    Err(message) => web_sys::console::error_1(&message.into()),
                }
            });
        })
    };
    let label = match *progress {
        Some(pct) => format!("Writing OTLP… {pct}%"),
        None => props.label.to_string(),
    };
    html! {
        <button id={props.id.clone()} class="export" title={props.title.clone()}
            disabled={progress.is_some()} {onclick}>{ label }</button>
    }
}

/// Writes the document and starts the download; returns the object URL to revoke later.
async fn download(
    store: Shared<Store>,
    traces: Shared<Vec<Trace>>,
    trace_index: Option<usize>,
    report: impl Fn(u32),
) -> Result<String, String> {
    let _timing = super::Measure::new("spanorama:export");
    let trace = trace_index.and_then(|i| traces.get(i));
    let file_name = match trace {
        Some(t) => format!(
            "trace-{}.otlp.json",
            file_safe(&store.trace_id_display(t.id))
        ),
        None => "spanorama-export.otlp.json".to_string(),
    };
    let parts = Array::new();
    {
        let mut writer = match trace {
            Some(t) => OtlpWriter::new(&store, t.spans.iter().copied()),
            None => OtlpWriter::all(&store),
        };
        let total = writer.span_count().max(1);
        let mut task_start = now_ms();
        while let Some(piece) = writer.next_chunk(PIECE_BYTES) {
            parts.push(&Uint8Array::from(piece.as_slice()));
            if now_ms() - task_start > TASK_BUDGET_MS {
                report((writer.spans_written() * 100 / total) as u32);
                TimeoutFuture::new(0).await;
                task_start = now_ms();
            }
        }
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not make the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not make a download link".to_string())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "could not make a link")?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(&file_name);
    anchor.click();
    Ok(url)
}

/// A trace id as part of a file name: letters, digits, `-` and `_` only.
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}
