//! Yew components: the page, its panels and their events. Thin: state changes go through
//! the reducer in [`state`], drawing through `render`, positions through `layout`.

mod analysis;
mod backend_panel;
mod compare_view;
mod context_inspector;
mod detail;
mod dialog;
mod export;
mod flame_view;
mod graph_canvas;
mod graph_view;
mod help;
mod hooks;
mod import_client;
mod latency_chart;
mod layout_client;
mod link;
mod loader;
mod minimap;
mod panels;
mod picture;
mod scheme;
mod shortcuts;
mod state;
mod stats_view;
mod toolbar;
mod trace_graph_view;
mod trace_list;
mod trace_view;
mod virtual_table;
mod waterfall;

use crate::worker::protocol::Source;
pub use spanorama_core::state::Shared;
use state::{Action, PageState, View};
use std::rc::Rc;
use yew::prelude::*;

/// `performance.now()` in ms (0 when unavailable).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs `step` once per task until it returns true (done), giving the browser the event loop
/// before each; each step is measured as `mark`. False when `stopped` was set meanwhile (the
/// work is no longer wanted).
pub(crate) async fn in_steps(
    stopped: &std::cell::Cell<bool>,
    mark: &'static str,
    mut step: impl FnMut() -> bool,
) -> bool {
    loop {
        gloo::timers::future::TimeoutFuture::new(0).await;
        if stopped.get() {
            return false;
        }
        let _timing = Measure::new(mark);
        if step() {
            return true;
        }
    }
}

/// What the page remembered under `key` in `localStorage` (none when storage is off).
pub(crate) fn remembered(key: &str) -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok().flatten()?;
    storage.get_item(key).ok().flatten()
}

/// Remembers `value` under `key` in `localStorage`, if the browser lets it.
pub(crate) fn remember(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// Forgets what the page remembered under `key`.
pub(crate) fn forget(key: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(key);
    }
}

/// Counts a finished draw of `canvas` in its `data-draws` (tests wait on it).
pub(crate) fn count_draw(canvas: &web_sys::HtmlCanvasElement, draws: &std::cell::RefCell<u64>) {
    let mut n = draws.borrow_mut();
    *n += 1;
    let _ = canvas.set_attribute("data-draws", &n.to_string());
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
                    let step = || search.step(&store, trace, state::SEARCH_STEP_SPANS);
                    if !in_steps(&stopped, "spanorama:search-step", step).await {
                        return;
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

/// Everything the page's callbacks need to load files: a load (with the model shown now,
/// to seed a fresh worker) and a cancel. Starts the worker when the page mounts, and loads
/// the page's `?url=` if it has one.
#[hook]
fn use_loads(state: &UseReducerHandle<PageState>) -> (Callback<Vec<Source>>, Callback<MouseEvent>) {
    let client = {
        let dispatch = state.dispatcher();
        use_memo((), move |_| import_client::ImportClient::new(dispatch))
    };
    let onload = {
        let client = (*client).clone();
        let shown = (state.store.clone(), state.traces.clone());
        Callback::from(move |sources: Vec<Source>| {
            import_client::load(&client, sources, shown.clone());
        })
    };
    let oncancel = {
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
    (onload, oncancel)
}

/// Files dropped anywhere on the page are loaded; returns whether something is being
/// dragged over it, and the three handlers for the page's root element.
#[hook]
fn use_drop_target(
    onload: Callback<Vec<Source>>,
) -> (
    bool,
    Callback<DragEvent>,
    Callback<DragEvent>,
    Callback<DragEvent>,
) {
    let dragging = use_state(|| false);
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
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let files = e
                .data_transfer()
                .and_then(|dt| dt.files())
                .map(file_list_to_vec)
                .unwrap_or_default();
            onload.emit(files.into_iter().map(Source::file).collect());
        })
    };
    (*dragging, ondragover, ondragleave, ondrop)
}

#[function_component(App)]
pub fn app() -> Html {
    let _timing = Measure::new("spanorama:render-app");
    // The view the URL's fragment names is the one shown first (it survives a reload).
    let state = use_reducer(|| {
        PageState::new(
            loader::view_in_fragment().unwrap_or_default(),
            scheme::initial(),
        )
    });
    scheme::use_scheme(&state);
    let onwindow = link::use_deep_link(&state);
    let help = use_state(|| false);
    shortcuts::use_page_keys(&state, help.clone());
    let close_help = {
        let help = help.clone();
        Callback::from(move |()| help.set(false))
    };
    let (onload, oncancel) = use_loads(&state);
    let backend = backend_panel::use_backend(onload.clone());
    let (dragging, ondragover, ondragleave, ondrop) = use_drop_target(onload.clone());
    use_search_counting(&state);
    let store = state.store.clone();
    let traces = state.traces.clone();
    html! {
        <div class="app" {ondragover} {ondragleave} {ondrop}>
            <toolbar::Toolbar onload={onload.clone()}>
                <backend_panel::BackendButton state={state.clone()} backend={backend.clone()} onload={onload.clone()} />
                <context_inspector::ContextButton state={state.clone()} backend={(*backend).clone()} onload={onload.clone()} />
                <help::HelpButton />
                <scheme::SchemeToggle state={state.clone()} />
            </toolbar::Toolbar>
            <panels::Status state={state.clone()} {oncancel} />
            <panels::Messages state={state.clone()} />
            <panels::FileList store={store.clone()} />
            if traces.len() > 1 {
                <trace_list::TraceList state={state.clone()} />
            }
            if !store.spans.is_empty() || !store.dependencies.is_empty() {
                <panels::ViewSwitch state={state.clone()} />
            }
            if state.view == View::Graph && (!store.spans.is_empty() || !store.dependencies.is_empty()) {
                <graph_view::GraphView state={state.clone()} />
            } else if state.view == View::Stats && !store.spans.is_empty() {
                <stats_view::StatsView state={state.clone()} />
            } else if state.view == View::Flame && state.selected().is_some() {
                <flame_view::FlameView state={state.clone()} />
            } else if state.view == View::TraceGraph && state.selected().is_some() {
                <trace_graph_view::TraceGraphView state={state.clone()} />
            } else if state.view == View::Compare && traces.len() > 1 {
                <compare_view::CompareView state={state.clone()} />
            } else if state.selected().is_some() {
                <trace_view::TraceView state={state.clone()} {onwindow} />
            } else {
                <panels::Welcome />
            }
            if *help {
                <shortcuts::Shortcuts onclose={close_help} />
            }
            if dragging {
                <div class="drop-overlay"><div>{"Drop trace files to open them"}</div></div>
            }
        </div>
    }
}

/// The files of a `FileList` as a `Vec`.
pub(crate) fn file_list_to_vec(list: web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}
