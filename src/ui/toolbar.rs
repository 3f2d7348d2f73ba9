//! The top bar: open files, load a URL, pick a bundled example.

use super::loader;
use crate::worker::protocol::Source;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Bundled examples: (file under `examples/`, label). Made by `spanorama-gen examples`.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "examples/shop-checkout.otlp.json",
        "Shop checkout (OTLP, 1 trace)",
    ),
    (
        "examples/shop-traces.jaeger.json",
        "Shop traffic (Jaeger, 12 traces)",
    ),
    (
        "examples/big-fanout.otlp.json",
        "Batch job (OTLP, 5,000 spans)",
    ),
];

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// Starts loading files or URLs.
    pub onload: Callback<Vec<Source>>,
    /// Shown at the right end (the theme toggle).
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let file_input = use_node_ref();
    let url_input = use_node_ref();

    let on_open = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_files = {
        let onload = props.onload.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let files = input
                .files()
                .map(super::file_list_to_vec)
                .unwrap_or_default();
            onload.emit(files.into_iter().map(Source::file).collect());
            // Allow picking the same file again.
            input.set_value("");
        })
    };
    let load_url = {
        let onload = props.onload.clone();
        let url_input = url_input.clone();
        move || {
            if let Some(source) = url_input
                .cast::<HtmlInputElement>()
                .and_then(|input| loader::url_source(&input.value()))
            {
                onload.emit(vec![source]);
            }
        }
    };
    let on_url_click = {
        let load_url = load_url.clone();
        Callback::from(move |_: MouseEvent| load_url())
    };
    let on_url_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            load_url();
        }
    });
    let on_example = {
        let onload = props.onload.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let value = select.value();
            select.set_value("");
            onload.emit(loader::url_source(&value).into_iter().collect());
        })
    };

    html! {
        <header class="toolbar">
            <div class="brand" title="Spanorama: a trace viewer that runs in your browser">
                <img src="favicon.svg" alt="" width="22" height="22" />
                <span>{"Spanorama"}</span>
            </div>
            <button id="open-files" class="primary" onclick={on_open}>{"Open files"}</button>
            <input id="file-input" ref={file_input} type="file" multiple=true hidden=true
                accept=".json,.jsonl,.ndjson,.txt,.gz,application/json,application/gzip" onchange={on_files} />
            <div class="url-box">
                <input id="url-input" ref={url_input} type="url" placeholder="https://…/trace.json"
                    aria-label="Trace file URL" onkeydown={on_url_key} />
                <button id="url-load" onclick={on_url_click}>{"Load URL"}</button>
            </div>
            <select id="examples" aria-label="Load an example" onchange={on_example}>
                <option value="" selected=true>{"Examples…"}</option>
                { for EXAMPLES.iter().map(|(path, label)| html! {
                    <option value={*path}>{ *label }</option>
                }) }
            </select>
            <span class="hint">{"or drop files anywhere"}</span>
            <div class="toolbar-end">{ props.children.clone() }</div>
        </header>
    }
}
