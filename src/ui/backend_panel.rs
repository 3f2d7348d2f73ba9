//! The Backend panel (`#backend-panel`): a Jaeger, Tempo or Zipkin query API as the data
//! source. Open a trace by id, search (the found traces load into the trace list), load the
//! dependency graph. The URLs, the answers' parsing and the error texts are
//! [`spanorama_core::backend`]'s; traces and dependencies load through the import worker
//! ([`Source::backend`]); only the small lists (services, operations, Tempo's search
//! summaries) are fetched here. The backend is kept in local storage and never sent anywhere;
//! with none set nothing is requested.

use super::dialog::{use_opening, Opening};
use super::state::{Action, PageState, View};
use crate::worker::protocol::Source;
use crate::worker::read::fetch_backend;
use spanorama_core::backend::{
    check_json, parse_names, parse_tempo_search, Backend, BackendKind, Failure, Search,
};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const STORAGE_KEY: &str = "spanorama-backend";

/// How far back searches and the dependency graph look: (Go duration, label).
const LOOKBACKS: &[(&str, &str)] = &[
    ("15m", "last 15 minutes"),
    ("1h", "last hour"),
    ("6h", "last 6 hours"),
    ("24h", "last day"),
    ("168h", "last week"),
];

/// The backend the user last connected to, if any.
fn stored() -> Option<Backend> {
    Backend::parse(&super::remembered(STORAGE_KEY)?).ok()
}

fn store(backend: Option<&Backend>) {
    match backend {
        Some(b) => super::remember(STORAGE_KEY, &b.to_param()),
        None => super::forget(STORAGE_KEY),
    }
}

/// The page's `?backend=<kind>:<url>` and `?trace=<id>`, when the backend is one.
fn from_query() -> (Option<Backend>, Option<String>) {
    let params = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    let Some(params) = params else {
        return (None, None);
    };
    let backend = params.get("backend").and_then(|b| Backend::parse(&b).ok());
    let trace = params.get("trace").filter(|t| !t.trim().is_empty());
    (backend, trace)
}

/// The trace `id` from `backend`, through the import worker.
pub fn trace_source(backend: &Backend, id: &str) -> Source {
    Source::backend(backend, backend.trace_url(id), Some(id))
}

/// The backend in use: the page link's (`?backend=`, whose `&trace=` it loads at start),
/// else the one last connected to.
#[hook]
pub fn use_backend(onload: Callback<Vec<Source>>) -> UseStateHandle<Option<Backend>> {
    let linked = use_memo((), |_| from_query());
    let backend = {
        let linked = linked.0.clone();
        use_state(move || linked.or_else(stored))
    };
    use_effect_with((), move |_| {
        if let (Some(b), Some(id)) = &*linked {
            onload.emit(vec![trace_source(b, id)]);
        }
    });
    backend
}

#[derive(Properties, PartialEq)]
pub struct BackendButtonProps {
    pub state: UseReducerHandle<PageState>,
    pub backend: UseStateHandle<Option<Backend>>,
    pub onload: Callback<Vec<Source>>,
}

/// The toolbar's button (`#backend-open`) and, while open, the panel.
#[function_component(BackendButton)]
pub fn backend_button(props: &BackendButtonProps) -> Html {
    let Opening {
        open,
        toggle,
        close,
    } = use_opening();
    let title = match &*props.backend {
        Some(b) => format!("Traces from {}", b.describe()),
        None => "Open traces from Jaeger, Tempo or Zipkin".to_string(),
    };
    html! {
        <>
            <button id="backend-open" class="ghost" {title} aria-expanded={open.to_string()}
                onclick={toggle}>{"Backend"}</button>
            if open {
                <Panel state={props.state.clone()} backend={props.backend.clone()}
                    onload={props.onload.clone()} onclose={close} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct PanelProps {
    state: UseReducerHandle<PageState>,
    backend: UseStateHandle<Option<Backend>>,
    onload: Callback<Vec<Source>>,
    onclose: Callback<()>,
}

/// The panel's status line: what it did last, or what went wrong.
#[derive(Clone, PartialEq, Default)]
struct Status {
    text: String,
    error: bool,
}

impl Status {
    fn ok(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            error: false,
        }
    }

    fn error(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            error: true,
        }
    }
}

/// The search form's fields.
#[derive(Clone, PartialEq, Default)]
struct Fields {
    tags: NodeRef,
    min: NodeRef,
    max: NodeRef,
    lookback: NodeRef,
    limit: NodeRef,
    traceql: NodeRef,
    service: NodeRef,
    operation: NodeRef,
}

fn value(node: &NodeRef) -> String {
    if let Some(input) = node.cast::<HtmlInputElement>() {
        return input.value();
    }
    node.cast::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

impl Fields {
    fn search(&self) -> Search {
        Search {
            service: value(&self.service),
            operation: value(&self.operation),
            tags: value(&self.tags),
            min_duration: value(&self.min),
            max_duration: value(&self.max),
            lookback: value(&self.lookback),
            limit: value(&self.limit).trim().parse().unwrap_or(20),
            traceql: value(&self.traceql),
        }
    }

    /// The lookback in ms (an hour unless chosen).
    fn lookback_ms(&self) -> i64 {
        spanorama_core::model::query::parse_duration(&value(&self.lookback))
            .map_or(3_600_000, |n| n / 1_000_000)
    }
}

/// Fetches a small JSON answer on the page: its bytes, or the text saying why not.
async fn fetch_json(backend: &Backend, url: &str) -> Result<Vec<u8>, String> {
    let response = fetch_backend(backend, url, None).await?;
    let failed = |e: wasm_bindgen::JsValue| {
        format!(
            "{} stopped answering {url} ({})",
            backend.describe(),
            crate::js::describe(&e)
        )
    };
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
        .await
        .map_err(failed)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    check_json(&bytes).map_err(|start| {
        backend.explain(
            &Failure::NotJson(start),
            url,
            None,
            &crate::worker::read::origin(),
        )
    })?;
    Ok(bytes)
}

/// Names from a list endpoint (services, operations).
async fn fetch_names(backend: &Backend, url: &str) -> Result<Vec<String>, String> {
    let bytes = fetch_json(backend, url).await?;
    parse_names(&bytes).map_err(|e| format!("{}: {url}: {e}", backend.describe()))
}

/// Fills `list` from `url`, saying in `status` what went wrong.
fn load_names(
    backend: Backend,
    url: String,
    list: UseStateHandle<Vec<String>>,
    status: UseStateHandle<Status>,
    done: Option<String>,
) {
    yew::platform::spawn_local(async move {
        match fetch_names(&backend, &url).await {
            Ok(names) => {
                if let Some(what) = done {
                    status.set(Status::ok(format!(
                        "Connected to {}: {} {what}.",
                        backend.describe(),
                        names.len()
                    )));
                }
                list.set(names);
            }
            Err(e) => status.set(Status::error(e)),
        }
    });
}

/// Tempo's search answers summaries: each found trace is then loaded by id.
async fn tempo_search(
    backend: &Backend,
    url: &str,
    limit: usize,
    onload: &Callback<Vec<Source>>,
) -> Result<Status, String> {
    let bytes = fetch_json(backend, url).await?;
    let ids = parse_tempo_search(&bytes).map_err(|e| format!("{url}: {e}"))?;
    if ids.is_empty() {
        return Ok(Status::ok("No traces found."));
    }
    let sources: Vec<Source> = ids
        .iter()
        .take(limit)
        .map(|id| trace_source(backend, id))
        .collect();
    let found = sources.len();
    onload.emit(sources);
    Ok(Status::ok(format!("Found {found} traces; loading them.")))
}

/// What the panel's buttons do with the backend in use.
#[derive(Clone)]
struct Act {
    backend: Backend,
    onload: Callback<Vec<Source>>,
    status: UseStateHandle<Status>,
    dispatch: UseReducerDispatcher<PageState>,
}

impl Act {
    /// Loads trace `id` and names it in the page's URL (so its link reopens it).
    fn open_trace(&self, id: &str) {
        if id.is_empty() {
            return self.status.set(Status::error("Give a trace id."));
        }
        let b = &self.backend;
        super::link::set_backend_query(Some((b, id)));
        self.dispatch.dispatch(Action::ShowView(View::Waterfall));
        self.onload.emit(vec![trace_source(b, id)]);
        let text = format!("Loading trace {id} from {}.", b.describe());
        self.status.set(Status::ok(text));
    }

    /// Jaeger and Zipkin answer the traces found (loaded by the worker); Tempo answers
    /// their ids, fetched here.
    fn search(&self, search: Search) {
        let b = self.backend.clone();
        let url = match b.search_url(&search, js_sys::Date::now() as i64) {
            Ok(url) => url,
            Err(e) => return self.status.set(Status::error(e)),
        };
        if b.kind != BackendKind::Tempo {
            self.onload.emit(vec![Source::backend(&b, url, None)]);
            return self
                .status
                .set(Status::ok(format!("Searching {}.", b.describe())));
        }
        let (onload, status) = (self.onload.clone(), self.status.clone());
        let limit = search.limit.clamp(1, 1000) as usize;
        yew::platform::spawn_local(async move {
            match tempo_search(&b, &url, limit, &onload).await {
                Ok(s) => status.set(s),
                Err(e) => status.set(Status::error(e)),
            }
        });
    }

    /// The dependency links of the last `lookback_ms`, shown in the service graph.
    fn dependencies(&self, lookback_ms: i64) {
        let b = &self.backend;
        let now = js_sys::Date::now() as i64;
        let Some(url) = b.dependencies_url(now, lookback_ms) else {
            return;
        };
        self.dispatch.dispatch(Action::ShowView(View::Graph));
        self.onload.emit(vec![Source::backend(b, url, None)]);
        let text = format!("Loading the dependency graph from {}.", b.describe());
        self.status.set(Status::ok(text));
    }
}

#[function_component(Panel)]
fn panel(props: &PanelProps) -> Html {
    let current = (*props.backend).clone();
    let kind = use_state(|| current.as_ref().map_or(BackendKind::Jaeger, |b| b.kind));
    let status = use_state(Status::default);
    let services = use_state(Vec::<String>::new);
    let operations = use_state(Vec::<String>::new);
    let url_ref = use_node_ref();
    let trace_ref = use_node_ref();
    let fields = use_memo((), |_| Fields::default());
    // The lists follow the backend in use.
    {
        let (services, operations, status) = (services.clone(), operations.clone(), status.clone());
        use_effect_with(current.clone(), move |b| {
            services.set(Vec::new());
            operations.set(Vec::new());
            if let Some(b) = b {
                let what = Some("services".to_string());
                load_names(b.clone(), b.services_url(), services, status, what);
            }
        });
    }
    let connect = {
        let (backend, kind, status, url_ref) = (
            props.backend.clone(),
            kind.clone(),
            status.clone(),
            url_ref.clone(),
        );
        move || {
            let text = url_ref
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            match Backend::new(*kind, &text) {
                Ok(b) => {
                    store(Some(&b));
                    status.set(Status::ok(format!("Connecting to {}…", b.describe())));
                    backend.set(Some(b));
                }
                Err(e) => status.set(Status::error(e)),
            }
        }
    };
    let on_connect = {
        let connect = connect.clone();
        Callback::from(move |_: MouseEvent| connect())
    };
    let on_url_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            connect();
        }
    });
    let on_forget = {
        let (backend, status) = (props.backend.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            store(None);
            backend.set(None);
            status.set(Status::ok("No backend: nothing is requested."));
        })
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                kind.set(BackendKind::from_name(&s.value()).unwrap_or(BackendKind::Jaeger));
            }
        })
    };
    let on_service = {
        let (current, operations, status) = (current.clone(), operations.clone(), status.clone());
        Callback::from(move |e: Event| {
            let Some(s) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            operations.set(Vec::new());
            let service = s.value();
            let Some(b) = current.clone().filter(|_| !service.is_empty()) else {
                return;
            };
            if let Some(url) = b.operations_url(&service) {
                load_names(b, url, operations.clone(), status.clone(), None);
            }
        })
    };
    let act = current.clone().map(|backend| Act {
        backend,
        onload: props.onload.clone(),
        status: status.clone(),
        dispatch: props.state.dispatcher(),
    });
    let on_open_trace = {
        let (act, trace_ref) = (act.clone(), trace_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(a) = &act {
                a.open_trace(value(&trace_ref).trim());
            }
        })
    };
    let on_search = {
        let (act, fields) = (act.clone(), fields.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(a) = &act {
                a.search(fields.search());
            }
        })
    };
    let on_dependencies = {
        let (act, fields) = (act.clone(), fields.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(a) = &act {
                a.dependencies(fields.lookback_ms());
            }
        })
    };
    let connected = current.is_some();
    let is_tempo = current.as_ref().map(|b| b.kind) == Some(BackendKind::Tempo);
    html! {
        <section id="backend-panel" class="backend-panel" aria-label="Tracing backend">
            <header class="backend-head">
                <h2>{"Backend"}</h2>
                <button id="backend-close" class="ghost" onclick={props.onclose.reform(|_: MouseEvent| ())} title="Close">{"×"}</button>
            </header>
            <div class="backend-row">
                <label>{"Kind "}
                    <select id="backend-kind" onchange={on_kind}>
                        { for BackendKind::ALL.iter().map(|k| html! {
                            <option value={k.name()} selected={*k == *kind}>{ k.label() }</option>
                        }) }
                    </select>
                </label>
                <label class="backend-grow">{"Query API "}
                    <input id="backend-url" ref={url_ref} type="url" spellcheck="false"
                        placeholder={placeholder(*kind)} onkeydown={on_url_key}
                        value={current.as_ref().map(|b| b.base.clone()).unwrap_or_default()} />
                </label>
                <button id="backend-connect" class="primary" onclick={on_connect}>{"Connect"}</button>
                if connected {
                    <button id="backend-forget" onclick={on_forget} title="Forget this backend">{"Forget"}</button>
                }
            </div>
            <p id="backend-status" class={classes!("backend-status", status.error.then_some("error"))}
                role="status">{ status_text(&status, current.as_ref()) }</p>
            if connected {
                <form id="backend-open-form" class="backend-row" onsubmit={on_open_trace}>
                    <label class="backend-grow">{"Trace id "}
                        <input id="backend-trace-id" ref={trace_ref} spellcheck="false" placeholder="4bf92f3577b34da6a3ce929d0e0e4736" />
                    </label>
                    <button id="backend-open-trace" type="submit">{"Open trace"}</button>
                </form>
                { search_form(&fields, &services, &operations, is_tempo, on_service, on_search) }
                <div class="backend-row">
                    <button id="backend-dependencies" onclick={on_dependencies} disabled={is_tempo}
                        title={if is_tempo { "Tempo's query API has no dependency graph (it is in its metrics)" } else { "Load the services' dependency graph for the chosen period" }}>
                        {"Load dependency graph"}</button>
                </div>
            }
        </section>
    }
}

fn placeholder(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Jaeger => "http://localhost:16686",
        BackendKind::Tempo => "http://localhost:3200",
        BackendKind::Zipkin => "http://localhost:9411",
    }
}

fn status_text(status: &Status, current: Option<&Backend>) -> String {
    match current {
        _ if !status.text.is_empty() => status.text.clone(),
        Some(b) => format!("Using {}.", b.describe()),
        None => "No backend: nothing is requested. The address is kept in this browser only."
            .to_string(),
    }
}

/// The search form: service, operation, tags, durations, period, limit (and TraceQL for
/// Tempo).
fn search_form(
    fields: &Fields,
    services: &[String],
    operations: &[String],
    is_tempo: bool,
    on_service: Callback<Event>,
    on_search: Callback<SubmitEvent>,
) -> Html {
    let options = |names: &[String], any: &str| {
        html! {
            <>
                <option value="" selected=true>{ any.to_string() }</option>
                { for names.iter().map(|n| html! { <option value={n.clone()}>{ n.clone() }</option> }) }
            </>
        }
    };
    html! {
        <form id="backend-search" class="backend-search" onsubmit={on_search}>
            <label>{"Service "}
                <select id="backend-service" ref={fields.service.clone()} onchange={on_service}>
                    { options(services, "any") }</select></label>
            <label>{"Operation "}
                <select id="backend-operation" ref={fields.operation.clone()}>
                    { options(operations, "any") }</select></label>
            <label class="backend-wide">{"Tags "}
                <input id="backend-tags" ref={fields.tags.clone()} placeholder="error=true http.status_code=500" /></label>
            <label>{"Min duration "}
                <input id="backend-min" ref={fields.min.clone()} placeholder="100ms" size="7" /></label>
            <label>{"Max duration "}
                <input id="backend-max" ref={fields.max.clone()} placeholder="5s" size="7" /></label>
            <label>{"Period "}
                <select id="backend-lookback" ref={fields.lookback.clone()}>
                    { for LOOKBACKS.iter().map(|(v, l)| html! { <option value={*v} selected={*v == "1h"}>{ *l }</option> }) }
                </select></label>
            <label>{"Limit "}
                <input id="backend-limit" ref={fields.limit.clone()} type="number" min="1" max="1000" value="20" size="4" /></label>
            if is_tempo {
                <label class="backend-wide">{"TraceQL "}
                    <input id="backend-traceql" ref={fields.traceql.clone()} spellcheck="false"
                        placeholder="{ status = error } (replaces the filters above)" /></label>
            }
            <button id="backend-search-run" type="submit" class="primary">{"Search"}</button>
        </form>
    }
}
