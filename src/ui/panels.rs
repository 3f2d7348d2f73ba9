//! The page's smaller panels: the status line (summary, download all, loading bar), the
//! messages, the list of loaded files, and the welcome text.

use super::state::{Action, GraphScope, LoadPhase, PageState, View};
use super::{export, Shared};
use spanorama_core::model::units::{format_count, format_counted};
use spanorama_core::model::{summarise_warnings, Store};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub state: UseReducerHandle<PageState>,
    pub oncancel: Callback<MouseEvent>,
}

/// What is loaded (`#summary`), a download of all of it, and the loads in progress.
#[function_component(Status)]
pub fn status(props: &StatusProps) -> Html {
    let state = &props.state;
    html! {
        <div class="status">
            <div id="summary">{ summary(state) }</div>
            if !state.store.spans.is_empty() {
                <export::ExportButton store={state.store.clone()} traces={state.traces.clone()}
                    trace_index={None::<usize>} id="export-all" label="Download all as OTLP"
                    title="Download every loaded span, of every file, as one OpenTelemetry OTLP JSON file" />
            }
            if !state.loading.is_empty() {
                <LoadingBar loading={state.loading.clone()} oncancel={props.oncancel.clone()} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct MessagesProps {
    pub state: UseReducerHandle<PageState>,
}

/// Failed loads (dismissable) and the selected trace's tree warnings, summed up.
#[function_component(Messages)]
pub fn messages(props: &MessagesProps) -> Html {
    let state = &props.state;
    let dismiss = |i: usize| {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::DismissError(i)))
    };
    let warnings = state
        .selected()
        .map(|t| summarise_warnings(t.warnings.iter().map(|(_, w)| w.kind())))
        .unwrap_or_default();
    html! {
        <div id="messages">
            { for state.errors.iter().enumerate().map(|(i, e)| html! {
                <div class="message error" role="alert">
                    <span class="text">{ e.clone() }</span>
                    <button class="dismiss" title="Dismiss" onclick={dismiss(i)}>{"×"}</button>
                </div>
            }) }
            { for warnings.into_iter().map(|w| html! { <div class="message warning">{ w }</div> }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LoadingBarProps {
    loading: Vec<super::state::Loading>,
    oncancel: Callback<MouseEvent>,
}

/// What is loading, how far it got (bytes read, spans parsed), and a Cancel button.
#[function_component(LoadingBar)]
fn loading_bar(props: &LoadingBarProps) -> Html {
    let names: Vec<&str> = props
        .loading
        .iter()
        .flat_map(|l| l.sources.iter().map(String::as_str))
        .collect();
    let progress = props.loading.first().and_then(|l| l.progress.as_ref());
    let (detail, fraction) = match progress {
        None => ("starting".to_string(), None),
        Some(p) => {
            let mb = |b: f64| format!("{:.1} MB", b / 1e6);
            let spans = format_counted(p.spans, "span", "spans");
            match p.phase {
                // Spans are parsed while OTLP, Jaeger and Zipkin files are read.
                LoadPhase::Reading if p.spans > 0 && p.total > 0.0 => (
                    format!("reading {} of {}, {spans}", mb(p.done), mb(p.total)),
                    Some(p.done / p.total),
                ),
                LoadPhase::Reading if p.total > 0.0 => (
                    format!("reading {} of {}", mb(p.done), mb(p.total)),
                    Some(p.done / p.total),
                ),
                LoadPhase::Reading => (format!("reading {}", mb(p.done)), None),
                LoadPhase::Parsing => (format!("parsing: {spans}"), None),
                LoadPhase::Building => (format!("building span trees: {spans}"), None),
                LoadPhase::Sending => (format!("handing over {}", mb(p.done)), None),
            }
        }
    };
    html! {
        <div id="loading" class="loading" role="status">
            <span class="text">{ format!("Loading {} — {detail}…", names.join(", ")) }</span>
            if let Some(f) = fraction {
                <progress max="1" value={f.clamp(0.0, 1.0).to_string()}></progress>
            } else {
                <progress></progress>
            }
            <button id="cancel-load" onclick={props.oncancel.clone()}>{"Cancel"}</button>
        </div>
    }
}

/// `3 traces · 12,345 spans · 18 services · loaded in 120 ms`.
fn summary(state: &super::state::AppState) -> String {
    let store = &state.store;
    if store.spans.is_empty() && store.dependencies.is_empty() {
        return "No traces loaded".into();
    }
    let mut parts = Vec::new();
    if !store.spans.is_empty() {
        parts.push(format_counted(state.traces.len() as u64, "trace", "traces"));
        parts.push(format_counted(store.spans.len() as u64, "span", "spans"));
        parts.push(format_counted(
            state.service_count as u64,
            "service",
            "services",
        ));
    }
    if !store.dependencies.is_empty() {
        let links = store.dependencies.len() as u64;
        parts.push(format_counted(links, "dependency link", "dependency links"));
    }
    if let Some(ms) = state.last_load_ms {
        parts.push(format!(
            "loaded in {} ms",
            format_count(ms.round().max(0.0) as u64)
        ));
    }
    parts.join(" · ")
}

/// What a file holds: its traces and spans, or its dependency links.
fn file_counts(store: &Store, index: usize, f: &spanorama_core::model::FileInfo) -> String {
    let links = store
        .dependencies
        .iter()
        .filter(|d| d.file as usize == index)
        .count();
    if f.span_count == 0 && links > 0 {
        let links = format_counted(links as u64, "dependency link", "dependency links");
        return format!("{links} · {}", bytes_text(f.bytes));
    }
    format!(
        "{} · {} · {}",
        format_counted(f.trace_count as u64, "trace", "traces"),
        format_counted(f.span_count as u64, "span", "spans"),
        bytes_text(f.bytes),
    )
}

#[derive(Properties, PartialEq)]
pub struct FileListProps {
    pub store: Shared<Store>,
}

/// Loaded files: name, detected format, counts, warnings.
#[function_component(FileList)]
pub fn file_list(props: &FileListProps) -> Html {
    if props.store.files.is_empty() {
        return html! { <div id="files"></div> };
    }
    html! {
        <details id="files" class="files" open={props.store.files.iter().any(|f| !f.warnings.is_empty())}>
            <summary>{ format_counted(props.store.files.len() as u64, "file loaded", "files loaded") }</summary>
            { for props.store.files.iter().enumerate().map(|(i, f)| html! {
                <div class="file-info">
                    <span class="file-name">{ f.name.clone() }</span>
                    <span class="file-format">{ f.format.clone() }</span>
                    <span class="file-counts">{ file_counts(&props.store, i, f) }</span>
                    if !f.warnings.is_empty() {
                        <ul class="file-warnings">
                            { for f.warnings.iter().map(|w| html! { <li>{ w.clone() }</li> }) }
                        </ul>
                    }
                </div>
            }) }
        </details>
    }
}

fn bytes_text(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    }
}

#[function_component(Welcome)]
pub fn welcome() -> Html {
    html! {
        <div class="welcome">
            <h1>{"Look at a trace"}</h1>
            <p>{"Drop trace files anywhere on this page, use "}<b>{"Open files"}</b>{", paste a URL above, or pick an example. Spanorama reads OpenTelemetry OTLP JSON (and JSON Lines), Jaeger (UI JSON and api_v2), Zipkin v1 and v2, AWS X-Ray, Datadog and New Relic files, also gzip-compressed; the format is recognised from the content."}</p>
            <p class="privacy">{"Everything happens in your browser: your traces are never uploaded anywhere."}</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ViewSwitchProps {
    pub state: UseReducerHandle<PageState>,
}

/// Waterfall | Service graph | Statistics | Flame graph | Trace graph | Compare (two traces or more): tabs that choose what the trace area shows (and keep it in the
/// URL's fragment).
#[function_component(ViewSwitch)]
pub fn view_switch(props: &ViewSwitchProps) -> Html {
    let tab = |view: View, id: &'static str, label: &'static str| {
        let dispatch = props.state.dispatcher();
        let onclick = Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(Action::ShowView(view));
        });
        let selected = props.state.view == view;
        html! {
            <button {id} role="tab" aria-selected={selected.to_string()}
                class={classes!("view-tab", selected.then_some("selected"))} {onclick}>{ label }</button>
        }
    };
    html! {
        <div class="view-switch" role="tablist" aria-label="View">
            { tab(View::Waterfall, "view-waterfall", "Waterfall") }
            { tab(View::Graph, "view-graph", "Service graph") }
            { tab(View::Stats, "view-stats", "Statistics") }
            { tab(View::Flame, "view-flame", "Flame graph") }
            { tab(View::TraceGraph, "view-trace-graph", "Trace graph") }
            if props.state.traces.len() > 1 {
                { tab(View::Compare, "view-compare", "Compare") }
            }
        </div>
    }
}

/// All loaded traces | the selected trace: radio buttons `#<name>-all` and `#<name>-trace`
/// (the second disabled without a selected trace), for the graph and the statistics.
pub fn scope_switch(
    name: &'static str,
    covers: &'static str,
    current: GraphScope,
    has_trace: bool,
    onchange: Callback<GraphScope>,
) -> Html {
    let by_trace = current == GraphScope::Trace && has_trace;
    let choose = |scope: GraphScope| {
        let onchange = onchange.clone();
        Callback::from(move |_: Event| onchange.emit(scope))
    };
    html! {
        <div role="radiogroup" aria-label={covers}>
            <label><input type="radio" {name} id={format!("{name}-all")} checked={!by_trace}
                onchange={choose(GraphScope::All)} />{" All loaded traces"}</label>
            <label><input type="radio" {name} id={format!("{name}-trace")} checked={by_trace}
                disabled={!has_trace} onchange={choose(GraphScope::Trace)} />{" Selected trace"}</label>
        </div>
    }
}
