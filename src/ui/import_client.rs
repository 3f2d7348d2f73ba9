//! The page's side of the import worker ([`crate::worker`]): starts the worker on first use,
//! sends it load requests, turns its progress messages into [`Action::Progress`], decodes the
//! model parts it sends (one part per message event, so the page stays responsive) and
//! finishes each load with one [`Action::FinishLoading`].
//!
//! Cancel terminates the worker. The worker held the merged model, so before the next load a
//! fresh worker is seeded with the model the page shows (encoded in parts, yielding to the
//! browser between parts).

use super::state::{Action, AppState, LoadProgress, LoadedModel};
use super::{now_ms, Shared};
use crate::worker::{from_array_buffer, js_field, js_object, to_array_buffer};
use gloo::timers::future::TimeoutFuture;
use js_sys::Array;
use spanorama_core::model::wire::{Decoder, Encoder, PART_BYTES};
use spanorama_core::model::{Store, Trace};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::UseReducerDispatcher;

/// Where the worker's loader script is, relative to the page (Trunk writes
/// `<bin>_loader.js` next to `index.html` for `data-type="worker" data-loader-shim`).
const WORKER_SCRIPT: &str = "./spanorama-worker_loader.js";

/// A worker whose memory grew beyond this during a load is replaced by a fresh one once the
/// page has the model. WebAssembly memory never shrinks: after a 1M-span file the worker
/// would keep 1.1–1.5 GB (the file's bytes, the parse, its copy of the model) for the life of
/// the tab, after a 100k-span one ~120 MB. The fresh worker is seeded with the page's model when the next file comes, as
/// after a cancel.
const RECYCLE_WORKER_BYTES: f64 = 96.0 * 1024.0 * 1024.0;

/// How long after such a load the worker is replaced, at the earliest; later while the user
/// is scrolling, typing or clicking ([`RECYCLE_QUIET_MS`]). Replacing it frees the old
/// worker's memory and starts a new one that compiles its wasm: work that takes
/// both cores of a small machine for a while. Done at once, it fell on the page's first frames
/// of the new trace and stretched them (after a 1M-span load: tasks of 55-90 ms, with
/// Chromium's paint or a garbage collection waiting for a core). A load that comes before is
/// handled by the old worker, which still has the model; the worker is replaced after that one.
const RECYCLE_DELAY_MS: u32 = 2_000;

/// The worker is replaced only after this long without user input (ms).
const RECYCLE_QUIET_MS: f64 = 1_000.0;

thread_local! {
    /// When the user last scrolled, typed, clicked or used the wheel (ms, `Date.now()`).
    static LAST_INPUT_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// Keeps [`LAST_INPUT_MS`] up to date (listeners on the window, capture phase, passive).
fn watch_input() {
    let Some(window) = web_sys::window() else {
        return;
    };
    for kind in ["pointerdown", "keydown", "wheel", "scroll", "input"] {
        let options = gloo::events::EventListenerOptions {
            phase: gloo::events::EventListenerPhase::Capture,
            passive: true,
        };
        gloo::events::EventListener::new_with_options(&window, kind, options, |_| {
            LAST_INPUT_MS.with(|t| t.set(js_sys::Date::now()));
        })
        .forget();
    }
}

/// What the benchmark reads about the worker (`window.spanoramaStats()`).
#[derive(Default)]
struct WorkerStats {
    /// The current worker has said `ready`.
    ready: bool,
    /// Workers replaced after a load because their memory had grown (see
    /// [`RECYCLE_WORKER_BYTES`]).
    recycles: u32,
    /// Its wasm memory after its last load, bytes.
    wasm_bytes: f64,
    /// Its `timings` object of the last load (ms per phase).
    timings: JsValue,
}

thread_local! {
    static STATS: std::cell::RefCell<WorkerStats> = std::cell::RefCell::new(WorkerStats::default());
}

/// `workerReady`, `workerRecycles`, `workerWasmBytes` and `workerTimings` for the
/// benchmark's stats object.
pub fn worker_stats() -> [(&'static str, JsValue); 4] {
    STATS.with(|s| {
        let s = s.borrow();
        [
            ("workerRecycles", s.recycles.into()),
            ("workerReady", s.ready.into()),
            ("workerWasmBytes", s.wasm_bytes.into()),
            ("workerTimings", s.timings.clone()),
        ]
    })
}

/// Something to load.
pub enum SourceSpec {
    File(web_sys::File),
    /// `(name as the user gave it, absolute URL to fetch)`.
    Url(String, String),
}

impl SourceSpec {
    fn name(&self) -> String {
        match self {
            SourceSpec::File(f) => f.name(),
            SourceSpec::Url(name, _) => name.clone(),
        }
    }
}

/// A message waiting to be posted, with the buffers it transfers.
struct Outgoing {
    msg: JsValue,
    transfer: Option<Array>,
}

/// The worker connection. Lives in an `Rc<RefCell<…>>` shared by the page's callbacks.
pub struct ImportClient {
    dispatch: UseReducerDispatcher<AppState>,
    worker: Option<Worker>,
    /// The worker has said `ready`; before that, messages wait in `outbox`.
    ready: bool,
    outbox: Vec<Outgoing>,
    /// While a seed is being encoded, new requests wait here (they must follow the seed).
    seeding: bool,
    deferred: Vec<Outgoing>,
    /// Bumped on every cancel/crash, so a seed task of a dead worker stops.
    generation: u32,
    next_id: u32,
    /// Request ids sent and not yet done.
    pending: Vec<u32>,
    decoder: Option<(u32, Decoder)>,
    /// The worker lost its model (cancel or crash): seed the next one from the page's model.
    needs_seed: bool,
    handlers: Option<Handlers>,
    /// A worker that grew is replaced [`RECYCLE_DELAY_MS`] after its load, by the timer
    /// started with this number (bumped when a worker is dropped, which voids the timer).
    recycle_due: Option<u32>,
}

/// The worker's `onmessage` and `onerror` closures (kept alive while the worker is).
type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(ErrorEvent)>,
);

/// Shared handle to the client.
pub type ClientHandle = Rc<RefCell<ImportClient>>;

impl ImportClient {
    pub fn new(dispatch: UseReducerDispatcher<AppState>) -> ClientHandle {
        watch_input();
        Rc::new(RefCell::new(ImportClient {
            dispatch,
            worker: None,
            ready: false,
            outbox: Vec::new(),
            seeding: false,
            deferred: Vec::new(),
            generation: 0,
            next_id: 1,
            pending: Vec::new(),
            decoder: None,
            needs_seed: false,
            handlers: None,
            recycle_due: None,
        }))
    }
}

/// Starts loading `sources`; `shown` is the model the page shows now (to seed a fresh worker).
pub fn load(
    client: &ClientHandle,
    sources: Vec<SourceSpec>,
    shown: (Shared<Store>, Shared<Vec<Trace>>),
) {
    if sources.is_empty() {
        return;
    }
    let names: Vec<String> = sources.iter().map(SourceSpec::name).collect();
    let (id, dispatch) = {
        let mut c = client.borrow_mut();
        let id = c.next_id;
        c.next_id += 1;
        c.pending.push(id);
        (id, c.dispatch.clone())
    };
    dispatch.dispatch(Action::StartLoading {
        id,
        sources: names.clone(),
        started_ms: now_ms(),
    });
    if let Err(message) = ensure_worker(client) {
        client.borrow_mut().pending.retain(|p| *p != id);
        dispatch.dispatch(Action::FinishLoading {
            id,
            model: None,
            errors: names.iter().map(|n| format!("{n}: {message}")).collect(),
        });
        return;
    }
    let list = Array::new();
    for (source, name) in sources.into_iter().zip(names) {
        let entry = match source {
            SourceSpec::File(file) => js_object(&[("name", name.into()), ("file", file.into())]),
            SourceSpec::Url(_, url) => js_object(&[("name", name.into()), ("url", url.into())]),
        };
        list.push(&entry);
    }
    let msg = js_object(&[
        ("kind", "load".into()),
        ("id", id.into()),
        ("sources", list.into()),
    ]);
    let start_seed = {
        let mut c = client.borrow_mut();
        let seed = c.needs_seed && !shown.0.spans.is_empty();
        c.needs_seed = false;
        if seed {
            c.seeding = true;
        }
        c.send(Outgoing {
            msg: msg.into(),
            transfer: None,
        });
        seed
    };
    if start_seed {
        seed_worker(client, shown);
    }
}

/// Starts the worker ahead of the first load, so its wasm is compiled while the user is
/// still choosing a file.
pub fn start(client: &ClientHandle) {
    let _ = ensure_worker(client);
}

/// Stops every load in progress: terminates the worker (the next load starts a new one).
pub fn cancel(client: &ClientHandle) {
    let dispatch = {
        let mut c = client.borrow_mut();
        c.drop_worker();
        c.pending.clear();
        c.dispatch.clone()
    };
    dispatch.dispatch(Action::CancelLoading);
}

impl ImportClient {
    /// Posts now, or queues until the worker is ready / the seed is out.
    fn send(&mut self, out: Outgoing) {
        if self.seeding {
            self.deferred.push(out);
        } else {
            self.post_or_queue(out);
        }
    }

    fn post_or_queue(&mut self, out: Outgoing) {
        match (&self.worker, self.ready) {
            (Some(worker), true) => post(worker, out),
            _ => self.outbox.push(out),
        }
    }

    fn drop_worker(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.terminate();
        }
        self.handlers = None;
        self.ready = false;
        STATS.with(|s| s.borrow_mut().ready = false);
        self.outbox.clear();
        self.deferred.clear();
        self.seeding = false;
        self.decoder = None;
        self.generation += 1;
        self.needs_seed = true;
        self.recycle_due = None;
    }
}

fn post(worker: &Worker, out: Outgoing) {
    let _ = match out.transfer {
        Some(transfer) => worker.post_message_with_transfer(&out.msg, &transfer),
        None => worker.post_message(&out.msg),
    };
}

/// Starts the worker if there is none.
fn ensure_worker(client: &ClientHandle) -> Result<(), String> {
    if client.borrow().worker.is_some() {
        return Ok(());
    }
    let worker = Worker::new(WORKER_SCRIPT).map_err(|e| {
        format!(
            "the import worker could not be started ({})",
            e.as_string().unwrap_or_else(|| "unknown error".into())
        )
    })?;
    let weak = Rc::downgrade(client);
    let onmessage = {
        let weak = weak.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| on_message(&weak, e.data()))
    };
    let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
        e.prevent_default();
        on_error(&weak, e.message());
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    let mut c = client.borrow_mut();
    c.worker = Some(worker);
    c.handlers = Some((onmessage, onerror));
    Ok(())
}

/// Encodes the page's model into a fresh worker, one part per task.
fn seed_worker(client: &ClientHandle, shown: (Shared<Store>, Shared<Vec<Trace>>)) {
    let weak = Rc::downgrade(client);
    let generation = client.borrow().generation;
    yew::platform::spawn_local(async move {
        let (store, traces) = shown;
        let mut encoder = Encoder::new(&store, &traces, PART_BYTES);
        loop {
            let part = encoder.next_part();
            let Some(client) = weak.upgrade() else { return };
            if !seed_step(&client, generation, part) {
                return;
            }
            TimeoutFuture::new(0).await;
        }
    });
}

/// Posts one seed part (or the end of the seed); false when seeding is over.
fn seed_step(client: &ClientHandle, generation: u32, part: Option<Vec<u8>>) -> bool {
    let mut c = client.borrow_mut();
    if c.generation != generation {
        return false; // cancelled while seeding
    }
    match part {
        Some(part) => {
            let buffer = to_array_buffer(&part);
            c.post_or_queue(Outgoing {
                msg: js_object(&[("kind", "seed".into()), ("part", buffer.clone().into())]).into(),
                transfer: Some(Array::of1(&buffer)),
            });
            true
        }
        None => {
            c.post_or_queue(Outgoing {
                msg: js_object(&[("kind", "seed-end".into())]).into(),
                transfer: None,
            });
            c.seeding = false;
            for out in std::mem::take(&mut c.deferred) {
                c.post_or_queue(out);
            }
            false
        }
    }
}

/// Handles one message from the worker. Borrows the client only while updating it, then
/// dispatches (a dispatch may render, and rendering may call back into the client).
fn on_message(weak: &Weak<RefCell<ImportClient>>, data: JsValue) {
    let Some(client) = weak.upgrade() else { return };
    let kind = js_field(&data, "kind").as_string().unwrap_or_default();
    let id = js_field(&data, "id").as_f64().unwrap_or(0.0) as u32;
    let _timing = super::Measure::new(match kind.as_str() {
        "part" => "spanorama:receive-part",
        "done" => "spanorama:finish-load",
        _ => "spanorama:worker-message",
    });
    let mut recycle = false;
    let action = {
        let mut c = client.borrow_mut();
        match kind.as_str() {
            "ready" => {
                c.ready = true;
                STATS.with(|s| s.borrow_mut().ready = true);
                for out in std::mem::take(&mut c.outbox) {
                    c.post_or_queue(out);
                }
                None
            }
            "progress" => c.pending.contains(&id).then(|| {
                let num = |k: &str| js_field(&data, k).as_f64().unwrap_or(0.0);
                Action::Progress(LoadProgress {
                    id,
                    source: js_field(&data, "source").as_string().unwrap_or_default(),
                    phase: js_field(&data, "phase").as_string().unwrap_or_default(),
                    done: num("done"),
                    total: num("total"),
                    spans: num("spans") as u64,
                })
            }),
            "part" => {
                if c.pending.contains(&id) {
                    if c.decoder.as_ref().map(|(d, _)| *d) != Some(id) {
                        c.decoder = Some((id, Decoder::new()));
                    }
                    let part = from_array_buffer(&js_field(&data, "part"));
                    if let Some((_, decoder)) = c.decoder.as_mut() {
                        if let Err(e) = decoder.push(&part) {
                            c.decoder = None;
                            web_sys::console::error_1(&e.to_string().into());
                        }
                    }
                }
                None
            }
            "done" => {
                let known = c.pending.contains(&id);
                c.pending.retain(|p| *p != id);
                let errors: Vec<String> = Array::from(&js_field(&data, "errors"))
                    .iter()
                    .filter_map(|e| e.as_string())
                    .collect();
                STATS.with(|s| {
                    let mut s = s.borrow_mut();
                    s.wasm_bytes = js_field(&data, "wasmBytes").as_f64().unwrap_or(0.0);
                    s.timings = js_field(&data, "timings");
                });
                let sent_model = js_field(&data, "model").as_bool().unwrap_or(false);
                let selected = js_field(&data, "selected").as_f64().unwrap_or(-1.0);
                let decoded = match c.decoder.take() {
                    Some((d, decoder)) if d == id => Some(decoder),
                    _ => None,
                };
                let mut errors = errors;
                let model = match (sent_model, decoded) {
                    (true, Some(decoder)) => {
                        let services = decoder.services();
                        let (store, traces) = decoder.finish();
                        Some(LoadedModel {
                            store,
                            traces,
                            services,
                            selected: (selected >= 0.0).then_some(selected as usize),
                        })
                    }
                    (true, None) => {
                        // The worker has a model the page could not read: start over.
                        c.drop_worker();
                        errors.push("the loaded model could not be transferred to the page".into());
                        None
                    }
                    _ => None,
                };
                let worker_bytes = js_field(&data, "wasmBytes").as_f64().unwrap_or(0.0);
                recycle = worker_bytes > RECYCLE_WORKER_BYTES && c.worker.is_some();
                known.then_some(Action::FinishLoading { id, model, errors })
            }
            _ => None,
        }
    };
    if let Some(action) = action {
        let dispatch = client.borrow().dispatch.clone();
        dispatch.dispatch(action);
    }
    if recycle {
        let generation = client.borrow().generation;
        client.borrow_mut().recycle_due = Some(generation);
        schedule_recycle(weak.clone(), generation);
    }
}

fn schedule_recycle(weak: Weak<RefCell<ImportClient>>, generation: u32) {
    gloo::timers::callback::Timeout::new(RECYCLE_DELAY_MS, move || {
        if let Some(client) = weak.upgrade() {
            recycle_worker(&client, generation);
        }
    })
    .forget();
}

/// Replaces the worker with a fresh one (see [`RECYCLE_WORKER_BYTES`]) unless a load or a
/// seed is under way, or tries again later if the user is busy with the page; started now,
/// the new worker is ready by the time the user picks the next file, and is seeded with the
/// page's model when it comes.
fn recycle_worker(client: &ClientHandle, generation: u32) {
    {
        let mut c = client.borrow_mut();
        if c.recycle_due != Some(generation) || !c.pending.is_empty() || c.seeding {
            return;
        }
        let quiet = js_sys::Date::now() - LAST_INPUT_MS.with(|t| t.get());
        if quiet < RECYCLE_QUIET_MS {
            schedule_recycle(Rc::downgrade(client), generation);
            return;
        }
        c.drop_worker();
        STATS.with(|s| s.borrow_mut().recycles += 1);
    }
    let _ = ensure_worker(client);
}

/// The worker failed (its script did not load, or it crashed): fail what was pending.
fn on_error(weak: &Weak<RefCell<ImportClient>>, message: String) {
    let Some(client) = weak.upgrade() else { return };
    let (pending, started, dispatch) = {
        let mut c = client.borrow_mut();
        let started = c.ready;
        c.drop_worker();
        (std::mem::take(&mut c.pending), started, c.dispatch.clone())
    };
    let reason = if started {
        format!("the import failed inside the worker ({message}); what was loaded before is still shown")
    } else {
        format!("the import worker could not be started ({message})")
    };
    for id in pending {
        dispatch.dispatch(Action::FailLoading {
            id,
            message: reason.clone(),
        });
    }
}
