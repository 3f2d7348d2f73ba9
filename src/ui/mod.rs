//! Yew components: the page, its panels and their events. Thin: state changes go through
//! the reducer in [`state`], drawing through `render`, positions through `layout`.

mod detail;
mod export;
mod import_client;
mod loader;
mod minimap;
mod state;
mod toolbar;
mod trace_list;
mod waterfall;

use spanorama_core::model::units::{format_count, format_counted};
use spanorama_core::model::Store;
pub use spanorama_core::state::Shared;
use state::{Action, LoadPhase, PageState};
use std::rc::Rc;
use yew::prelude::*;

/// `performance.now()` in ms (0 when unavailable).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// A performance-timeline measure from creation to drop, named `spanorama:<what>` (read by
/// the browser benchmark to attribute long tasks to what the page did).
pub(crate) struct Measure {
    name: &'static str,
    start_ms: f64,
}

/// Measures recorded since the timeline was last cleared.
static MEASURES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// The timeline is cleared after this many measures, so a long session does not grow it
/// without bound.
const MEASURES_KEPT: u32 = 10_000;

impl Measure {
    pub(crate) fn new(name: &'static str) -> Self {
        Measure {
            name,
            start_ms: now_ms(),
        }
    }
}

impl Drop for Measure {
    fn drop(&mut self) {
        // `performance.measure(name, {start, end})`: web-sys has no binding for the options.
        let Some(p) = web_sys::window().and_then(|w| w.performance()) else {
            return;
        };
        use std::sync::atomic::Ordering::Relaxed;
        if MEASURES.fetch_add(1, Relaxed) >= MEASURES_KEPT {
            p.clear_measures();
            MEASURES.store(0, Relaxed);
        }
        let options =
            crate::js::object(&[("start", self.start_ms.into()), ("end", now_ms().into())]);
        if let Ok(measure) = js_sys::Reflect::get(&p, &"measure".into()) {
            if let Some(f) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&measure) {
                let _ = f.call2(&p, &self.name.into(), &options);
            }
        }
    }
}

/// Mounts the app on `<body>`.
pub fn start() {
    expose_stats();
    crate::render::waterfall::prepare_fonts();
    yew::Renderer::<App>::new().render();
}

/// `window.spanoramaStats()` → `{ wasmBytes, workerWasmBytes, workerReady, workerRecycles,
/// workerTimings }`: the WebAssembly memory of the page and of the import worker (as of its
/// last load), whether the worker is ready, for the browser benchmark.
fn expose_stats() {
    use wasm_bindgen::prelude::*;
    let stats = Closure::<dyn Fn() -> JsValue>::new(|| {
        let mut fields = vec![("wasmBytes", crate::js::wasm_memory_bytes().into())];
        fields.extend(import_client::worker_stats());
        crate::js::object(&fields).into()
    });
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"spanoramaStats".into(), stats.as_ref());
    }
    stats.forget();
}

/// Counts the matches of a search of a big trace (see [`state::SearchState`]) in steps of
/// [`state::SEARCH_STEP_SPANS`] spans, one task each, and hands them to the reducer; a newer
/// search (or another trace) stops it.
#[hook]
fn use_search_counting(state: &UseReducerHandle<PageState>) {
    let search = &state.search;
    let job = (
        state.store.clone(),
        state.traces.clone(),
        state.selected_trace,
        search.query.clone(),
        state.dispatcher(),
    );
    use_effect_with(
        (search.generation, search.counting),
        move |&(generation, counting)| {
            let stopped = Rc::new(std::cell::Cell::new(false));
            if counting {
                let stopped = stopped.clone();
                let (store, traces, selected, query, dispatch) = job;
                yew::platform::spawn_local(async move {
                    let Some(trace) = selected.and_then(|i| traces.get(i)) else {
                        return;
                    };
                    let mut search = spanorama_core::model::TraceSearch::new(&store, trace, &query);
                    // First let the page show the first match.
                    next_frame().await;
                    loop {
                        gloo::timers::future::TimeoutFuture::new(0).await;
                        if stopped.get() {
                            return;
                        }
                        let _timing = Measure::new("spanorama:search-step");
                        if search.step(&store, trace, state::SEARCH_STEP_SPANS) {
                            break;
                        }
                    }
                    let matches = search.into_matches();
                    dispatch.dispatch(Action::SearchCounted {
                        generation,
                        matches,
                    });
                });
            }
            move || stopped.set(true)
        },
    );
}

/// Resolves at the next animation frame; a task started after it runs once that frame is
/// drawn.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[function_component(App)]
pub fn app() -> Html {
    let _timing = Measure::new("spanorama:render-app");
    let state = use_reducer(PageState::default);
    let dragging = use_state(|| false);
    let client = {
        let dispatch = state.dispatcher();
        use_memo((), move |_| import_client::ImportClient::new(dispatch))
    };
    // Starts a load; the callback carries the model shown now (to seed a fresh worker).
    let onload = {
        let client = (*client).clone();
        let shown = (state.store.clone(), state.traces.clone());
        Callback::from(move |sources: Vec<crate::worker::protocol::Source>| {
            import_client::load(&client, sources, shown.clone());
        })
    };
    let on_cancel = {
        let client = (*client).clone();
        Callback::from(move |_: MouseEvent| import_client::cancel(&client))
    };

    {
        let onload = onload.clone();
        let client = (*client).clone();
        use_effect_with((), move |_| {
            import_client::start(&client);
            if let Some(source) = loader::url_from_query().and_then(|u| loader::url_source(&u)) {
                onload.emit(vec![source]);
            }
        });
    }

    use_search_counting(&state);

    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(dt) = e.data_transfer() {
                dt.set_drop_effect("copy");
            }
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            // Leaving for a child element also fires dragleave; only react when the pointer
            // leaves the window.
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let dragging = dragging.clone();
        let onload = onload.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let files = e
                .data_transfer()
                .and_then(|dt| dt.files())
                .map(file_list_to_vec)
                .unwrap_or_default();
            onload.emit(
                files
                    .into_iter()
                    .map(crate::worker::protocol::Source::file)
                    .collect(),
            );
        })
    };

    let on_select_trace = {
        let dispatch = state.dispatcher();
        Callback::from(move |i: usize| dispatch.dispatch(Action::SelectTrace(i)))
    };
    let on_select_span = {
        let dispatch = state.dispatcher();
        Callback::from(move |s: Option<u32>| dispatch.dispatch(Action::SelectSpan(s)))
    };
    let on_toggle = {
        let dispatch = state.dispatcher();
        Callback::from(move |pos: u32| dispatch.dispatch(Action::ToggleRow(pos)))
    };
    let on_dismiss = {
        let dispatch = state.dispatcher();
        Callback::from(move |i: usize| dispatch.dispatch(Action::DismissError(i)))
    };
    let on_expand_all = {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::ExpandAll))
    };
    let on_collapse_all = {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::CollapseAll))
    };

    let store = state.store.clone();
    let traces = state.traces.clone();
    let selected = state.selected();

    html! {
        <div class="app" {ondragover} {ondragleave} {ondrop}>
            <toolbar::Toolbar onload={onload} />
            <div class="status">
                <div id="summary">{ summary(&state) }</div>
                if !store.spans.is_empty() {
                    <export::ExportButton store={store.clone()} traces={traces.clone()}
                        trace_index={None::<usize>} id="export-all" label="Download all as OTLP"
                        title="Download every loaded span, of every file, as one OpenTelemetry OTLP JSON file" />
                }
                if !state.loading.is_empty() {
                    <LoadingBar loading={state.loading.clone()} oncancel={on_cancel} />
                }
            </div>
            <div id="messages">
                { for state.errors.iter().enumerate().map(|(i, e)| {
                    let on_dismiss = on_dismiss.clone();
                    html! {
                        <div class="message error" role="alert">
                            <span class="text">{ e.clone() }</span>
                            <button class="dismiss" title="Dismiss" onclick={Callback::from(move |_| on_dismiss.emit(i))}>{"×"}</button>
                        </div>
                    }
                }) }
                if let Some(trace) = selected {
                    { for spanorama_core::model::summarise_warnings(trace.warnings.iter().map(|(_, w)| w.kind())).into_iter().map(|w| html! {
                        <div class="message warning">{ w }</div>
                    }) }
                }
            </div>
            <FileList store={store.clone()} />
            if traces.len() > 1 {
                <trace_list::TraceList
                    store={store.clone()}
                    traces={traces.clone()}
                    selected={state.selected_trace}
                    onselect={on_select_trace} />
            }
            if let (Some(index), Some(trace)) = (state.selected_trace, selected) {
                <div class="trace-view">
                    <div class="trace-header">
                        <div class="trace-title">
                            <span class="service">{ store.strings.get(trace.root_service).to_string() }</span>
                            <span class="operation">{ store.strings.get(trace.root_name).to_string() }</span>
                        </div>
                        <div class="trace-facts">
                            <span>{ format!("Trace {}", store.trace_id_display(trace.id)) }</span>
                            <span>{ spanorama_core::model::units::format_timestamp(trace.start_unix_nanos) }</span>
                            <span>{ format!("Duration {}", spanorama_core::model::units::format_duration(trace.duration_nanos())) }</span>
                            <span>{ format_counted(trace.len() as u64, "span", "spans") }</span>
                            <span>{ format_counted(trace.service_count as u64, "service", "services") }</span>
                            <span>{ format!("Depth {}", trace.depth.iter().max().map_or(0, |d| d + 1)) }</span>
                            if trace.error_count > 0 {
                                <span class="errors">{ format_counted(trace.error_count as u64, "error", "errors") }</span>
                            }
                        </div>
                        <SearchBox search={state.search.clone()} dispatch={state.dispatcher()} />
                        <div class="trace-actions">
                            <button id="expand-all" onclick={on_expand_all}>{"Expand all"}</button>
                            <button id="collapse-all" onclick={on_collapse_all}>{"Collapse all"}</button>
                            <export::ExportButton store={store.clone()} traces={traces.clone()}
                                trace_index={Some(index)} id="export-trace" label="Download OTLP"
                                title="Download this trace as OpenTelemetry OTLP JSON" />
                        </div>
                    </div>
                    <div class="trace-body">
                        <waterfall::Waterfall
                            store={store.clone()}
                            traces={traces.clone()}
                            trace_index={index}
                            collapsed={state.collapsed.clone()}
                            palette={state.palette.clone()}
                            selected_span={state.selected_span}
                            matches={state.search.matches.clone()}
                            reveal={state.reveal}
                            onselect={on_select_span.clone()}
                            ontoggle={on_toggle} />
                        if let Some(span) = state.selected_span {
                            <detail::DetailPanel
                                store={store.clone()}
                                traces={traces.clone()}
                                trace_index={index}
                                span={span}
                                onselect={on_select_span} />
                        }
                    </div>
                </div>
            } else {
                <Welcome />
            }
            if *dragging {
                <div class="drop-overlay"><div>{"Drop trace files to open them"}</div></div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SearchBoxProps {
    search: state::SearchState,
    dispatch: UseReducerDispatcher<PageState>,
}

/// Find spans in the selected trace: matches are highlighted, Enter / Shift+Enter (or the
/// arrows) select the next / previous one.
#[function_component(SearchBox)]
fn search_box(props: &SearchBoxProps) -> Html {
    let oninput = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                dispatch.dispatch(Action::Search(input.value()));
            }
        })
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                dispatch.dispatch(Action::SearchStep(if e.shift_key() { -1 } else { 1 }));
            }
            "Escape" => dispatch.dispatch(Action::Search(String::new())),
            _ => {}
        })
    };
    let step = |by: i32| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::SearchStep(by)))
    };
    let s = &props.search;
    let current = format_count(s.current.map_or(0, |c| c + 1) as u64);
    let count = if s.query.trim().is_empty() {
        String::new()
    } else if s.counting && s.matches.is_empty() {
        "searching…".to_string()
    } else if s.counting {
        // The first match is shown; the others are still being counted.
        format!("{current} of …")
    } else if s.matches.is_empty() {
        "no matches".to_string()
    } else {
        format!("{current} of {}", format_count(s.matches.len() as u64))
    };
    html! {
        <div class="search" role="search">
            <input id="search-input" type="search" value={s.query.clone()}
                placeholder="Find spans: service, operation, attribute, id"
                aria-label="Find spans in this trace" {oninput} {onkeydown} />
            <span id="search-count" class="search-count">{ count }</span>
            <button id="search-prev" title="Previous match (Shift+Enter)" disabled={s.matches.is_empty()} onclick={step(-1)}>{"↑"}</button>
            <button id="search-next" title="Next match (Enter)" disabled={s.matches.is_empty()} onclick={step(1)}>{"↓"}</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LoadingBarProps {
    loading: Vec<state::Loading>,
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
fn summary(state: &state::AppState) -> String {
    if state.store.spans.is_empty() {
        return "No traces loaded".into();
    }
    let mut text = format!(
        "{} · {} · {}",
        format_counted(state.traces.len() as u64, "trace", "traces"),
        format_counted(state.store.spans.len() as u64, "span", "spans"),
        format_counted(state.service_count as u64, "service", "services"),
    );
    if let Some(ms) = state.last_load_ms {
        text.push_str(&format!(
            " · loaded in {} ms",
            format_count(ms.round().max(0.0) as u64)
        ));
    }
    text
}

#[derive(Properties, PartialEq)]
struct FileListProps {
    store: Shared<Store>,
}

/// Loaded files: name, detected format, counts, warnings.
#[function_component(FileList)]
fn file_list(props: &FileListProps) -> Html {
    if props.store.files.is_empty() {
        return html! { <div id="files"></div> };
    }
    html! {
        <details id="files" class="files" open={props.store.files.iter().any(|f| !f.warnings.is_empty())}>
            <summary>{ format_counted(props.store.files.len() as u64, "file loaded", "files loaded") }</summary>
            { for props.store.files.iter().map(|f| html! {
                <div class="file-info">
                    <span class="file-name">{ f.name.clone() }</span>
                    <span class="file-format">{ f.format.clone() }</span>
                    <span class="file-counts">{ format!(
                        "{} · {} · {}",
                        format_counted(f.trace_count as u64, "trace", "traces"),
                        format_counted(f.span_count as u64, "span", "spans"),
                        bytes_text(f.bytes),
                    ) }</span>
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
fn welcome() -> Html {
    html! {
        <div class="welcome">
            <h1>{"Look at a trace"}</h1>
            <p>{"Drop trace files anywhere on this page, use "}<b>{"Open files"}</b>{", paste a URL above, or pick an example. Spanorama reads OpenTelemetry OTLP JSON (and JSON Lines), Jaeger (UI JSON and api_v2), Zipkin v1 and v2, AWS X-Ray, Datadog and New Relic files, also gzip-compressed; the format is recognised from the content."}</p>
            <p class="privacy">{"Everything happens in your browser: your traces are never uploaded anywhere."}</p>
        </div>
    }
}

/// The files of a `FileList` as a `Vec`.
pub(crate) fn file_list_to_vec(list: web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}
