//! The page's side of the import worker ([`crate::worker`]): starts the worker at page load,
//! sends it load requests, turns its progress into [`Action::Progress`], decodes the model
//! parts it sends (one part per message event, so the page stays responsive) and finishes
//! each load with one [`Action::FinishLoading`].
//!
//! Cancel terminates the worker. The worker held the merged model, so before the next load a
//! fresh worker is given the model the page shows ("seeded", a part per task).

use super::state::{Action, LoadedModel, PageState};
use super::{now_ms, Shared};
use crate::worker::protocol::{Done, Reply, Request, Source, Timings};
use gloo::timers::future::TimeoutFuture;
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
/// page has the model: WebAssembly memory never shrinks, and the worker would keep what a
/// big file took for the life of the tab. The fresh worker is seeded with the page's model
/// when the next file comes, as after a cancel.
const RECYCLE_WORKER_BYTES: f64 = 96.0 * 1024.0 * 1024.0;

/// How long after such a load the worker is replaced, at the earliest: a fresh worker's
/// start-up takes both cores of a small machine for a while, and must not fall on the first
/// frames of the trace just loaded. A load that comes first is handled by the old worker,
/// which still has the model; the worker is replaced after that one.
const RECYCLE_DELAY_MS: u32 = 2_000;

/// The worker is replaced only after this long without user input (ms).
const RECYCLE_QUIET_MS: f64 = 1_000.0;

/// The page's model as shown: what a fresh worker is seeded with.
pub type ShownModel = (Shared<Store>, Shared<Vec<Trace>>);

thread_local! {
    /// When the user last scrolled, typed, clicked or used the wheel (ms, `Date.now()`).
    static LAST_INPUT_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    static STATS: RefCell<WorkerStats> = RefCell::new(WorkerStats::default());
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
    /// The current worker has said it is ready.
    ready: bool,
    /// The first worker's priming load is done.
    primed: bool,
    /// Workers replaced after a load because their memory had grown.
    recycles: u32,
    /// Its wasm memory after its last load, bytes.
    wasm_bytes: f64,
    /// Where its last load's time went.
    timings: Timings,
}

/// `workerReady`, `workerPrimed`, `workerRecycles`, `workerWasmBytes` and `workerTimings`
/// for the benchmark's stats object.
pub fn worker_stats() -> [(&'static str, JsValue); 5] {
    STATS.with(|s| {
        let s = s.borrow();
        [
            ("workerRecycles", s.recycles.into()),
            ("workerReady", s.ready.into()),
            ("workerPrimed", s.primed.into()),
            ("workerWasmBytes", s.wasm_bytes.into()),
            ("workerTimings", s.timings.to_js()),
        ]
    })
}

/// A worker's `onmessage` and `onerror` closures.
type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(ErrorEvent)>,
);

/// A started worker and its event handlers (kept alive while it is).
struct Live {
    worker: Worker,
    _handlers: Handlers,
}

impl Live {
    fn post(&self, request: &Request) {
        let encoded = request.encode();
        let _ = match encoded.transfer {
            Some(transfer) => self
                .worker
                .post_message_with_transfer(&encoded.message, &transfer),
            None => self.worker.post_message(&encoded.message),
        };
    }
}

/// The connection to the worker.
enum Connection {
    /// No worker: none started yet, or the last one was terminated (cancel, crash, memory).
    Down,
    /// Started, not ready yet: requests wait in `outbox`. With `seed`, the worker is given
    /// the page's model first, once it is ready.
    Starting {
        live: Live,
        outbox: Vec<Request>,
        seed: Option<ShownModel>,
    },
    /// Ready: requests are posted at once.
    Ready { live: Live },
    /// Ready and being given the page's model, a part per task: requests made meanwhile wait
    /// in `held`, behind the seed.
    Seeding { live: Live, held: Vec<Request> },
}

/// The worker connection. Lives in an `Rc<RefCell<…>>` shared by the page's callbacks.
pub struct ImportClient {
    dispatch: UseReducerDispatcher<PageState>,
    connection: Connection,
    /// The worker (this one or the next) lacks the page's model: the last one was
    /// terminated. It is seeded before its next load.
    model_lost: bool,
    /// Bumped whenever a worker is terminated, so that a seed task or a recycle timer of a
    /// gone worker stops.
    generation: u32,
    next_id: u32,
    /// Request ids sent and not yet done.
    pending: Vec<u32>,
    /// The id of the priming load ([`prime`]) while it runs.
    priming: Option<u32>,
    decoder: Option<(u32, Decoder)>,
    /// A worker that grew is replaced [`RECYCLE_DELAY_MS`] after its load, by the timer
    /// started in this generation.
    recycle_due: Option<u32>,
}

/// Shared handle to the client.
pub type ClientHandle = Rc<RefCell<ImportClient>>;

impl ImportClient {
    pub fn new(dispatch: UseReducerDispatcher<PageState>) -> ClientHandle {
        watch_input();
        Rc::new(RefCell::new(ImportClient {
            dispatch,
            connection: Connection::Down,
            model_lost: false,
            generation: 0,
            next_id: 1,
            pending: Vec::new(),
            priming: None,
            decoder: None,
            recycle_due: None,
        }))
    }

    /// Posts now, or queues until the worker is ready / the seed is out.
    fn send(&mut self, request: Request) {
        match &mut self.connection {
            Connection::Ready { live } => live.post(&request),
            Connection::Starting { outbox, .. } => outbox.push(request),
            Connection::Seeding { held, .. } => held.push(request),
            Connection::Down => {}
        }
    }

    /// Makes sure the worker gets `shown` before the next request, if it lost its model.
    fn seed_if_lost(&mut self, shown: ShownModel) -> Option<ShownModel> {
        if !self.model_lost || shown.0.spans.is_empty() {
            self.model_lost = false;
            return None;
        }
        self.model_lost = false;
        match std::mem::replace(&mut self.connection, Connection::Down) {
            Connection::Starting { live, outbox, .. } => {
                self.connection = Connection::Starting {
                    live,
                    outbox,
                    seed: Some(shown),
                };
                None
            }
            Connection::Ready { live } => {
                self.connection = Connection::Seeding {
                    live,
                    held: Vec::new(),
                };
                Some(shown)
            }
            other => {
                self.connection = other;
                None
            }
        }
    }

    fn drop_worker(&mut self) {
        if let Connection::Starting { live, .. }
        | Connection::Ready { live }
        | Connection::Seeding { live, .. } = &self.connection
        {
            live.worker.terminate();
        }
        self.connection = Connection::Down;
        STATS.with(|s| s.borrow_mut().ready = false);
        self.decoder = None;
        self.priming = None;
        self.generation += 1;
        self.model_lost = true;
        self.recycle_due = None;
    }
}

/// Starts the worker ahead of the first load, so its wasm is compiled while the user is
/// still choosing a file, and primes it ([`prime`]).
pub fn start(client: &ClientHandle) {
    if ensure_worker(client).is_ok() {
        prime(&mut client.borrow_mut());
    }
}

/// The bundled example a first load is primed with.
const PRIMING_EXAMPLE: &str = "examples/big-fanout.otlp.json";

/// Primes the first load: loads a small bundled example through the normal path (the worker
/// fetches, imports, builds the trees and hands the model over; the page decodes it), then
/// drops it on both sides (a seed of nothing empties the worker's model). Browsers compile a
/// wasm function on its first call and optimise it only after it has run a while; without
/// this, the user's first file pays for that (BENCHMARKS.md). A load asked for meanwhile
/// waits behind it in the worker's queue.
fn prime(c: &mut ImportClient) {
    let Some(Source::Url { url, .. }) = super::loader::url_source(PRIMING_EXAMPLE) else {
        return;
    };
    let id = c.next_id;
    c.next_id += 1;
    c.priming = Some(id);
    let name = PRIMING_EXAMPLE.to_string();
    c.send(Request::Load {
        id,
        sources: vec![Source::Url {
            name,
            url,
            backend: None,
        }],
    });
    c.send(Request::SeedEnd);
}

/// Starts loading `sources`; `shown` is the model the page shows now (to seed a fresh worker).
pub fn load(client: &ClientHandle, sources: Vec<Source>, shown: ShownModel) {
    if sources.is_empty() {
        return;
    }
    let names: Vec<String> = sources.iter().map(|s| s.name().to_string()).collect();
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
        dispatch.dispatch(Action::FailLoading { id, message });
        return;
    }
    let seed_now = {
        let mut c = client.borrow_mut();
        let seed_now = c.seed_if_lost(shown);
        c.send(Request::Load { id, sources });
        seed_now
    };
    if let Some(shown) = seed_now {
        seed_worker(client, shown);
    }
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

/// Starts the worker if there is none.
fn ensure_worker(client: &ClientHandle) -> Result<(), String> {
    if !matches!(client.borrow().connection, Connection::Down) {
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
    client.borrow_mut().connection = Connection::Starting {
        live: Live {
            worker,
            _handlers: (onmessage, onerror),
        },
        outbox: Vec::new(),
        seed: None,
    };
    Ok(())
}

/// Encodes the page's model into the worker, one part per task (the connection is
/// `Seeding`), then posts the requests held meanwhile.
fn seed_worker(client: &ClientHandle, shown: ShownModel) {
    let weak = Rc::downgrade(client);
    let generation = client.borrow().generation;
    yew::platform::spawn_local(async move {
        let (store, traces) = shown;
        let mut encoder = Encoder::new(&store, &traces, PART_BYTES);
        loop {
            let part = encoder.next_part();
            let Some(client) = weak.upgrade() else { return };
            if !seed_step(&mut client.borrow_mut(), generation, part) {
                return;
            }
            TimeoutFuture::new(0).await;
        }
    });
}

/// Posts one seed part, or at the end of the seed the requests held meanwhile; false when
/// seeding is over.
fn seed_step(c: &mut ImportClient, generation: u32, part: Option<Vec<u8>>) -> bool {
    if c.generation != generation {
        return false; // the worker was terminated meanwhile
    }
    let Connection::Seeding { live, held } = &mut c.connection else {
        return false;
    };
    if let Some(part) = part {
        live.post(&Request::Seed {
            part: crate::js::to_array_buffer(&part),
        });
        return true;
    }
    live.post(&Request::SeedEnd);
    for request in std::mem::take(held) {
        live.post(&request);
    }
    if let Connection::Seeding { live, .. } = std::mem::replace(&mut c.connection, Connection::Down)
    {
        c.connection = Connection::Ready { live };
    }
    false
}

/// Handles one message from the worker. Borrows the client only while updating it, then
/// dispatches (a dispatch may render, and rendering may call back into the client).
fn on_message(weak: &Weak<RefCell<ImportClient>>, data: JsValue) {
    let Some(client) = weak.upgrade() else { return };
    let Some(reply) = Reply::decode(&data) else {
        return;
    };
    let _timing = super::Measure::new(match reply {
        Reply::Part { .. } => "spanorama:receive-part",
        Reply::Done(_) => "spanorama:finish-load",
        _ => "spanorama:worker-message",
    });
    let action = match reply {
        Reply::Ready => {
            on_ready(&client);
            None
        }
        Reply::Progress(progress) => client
            .borrow()
            .pending
            .contains(&progress.id)
            .then_some(Action::Progress(progress)),
        Reply::Part { id, part } => {
            on_part(&mut client.borrow_mut(), id, &part);
            None
        }
        Reply::Done(done) => on_done(&client, done),
    };
    if let Some(action) = action {
        let dispatch = client.borrow().dispatch.clone();
        dispatch.dispatch(action);
    }
}

/// The worker is ready: seed it if it must be, else post what waited.
fn on_ready(client: &ClientHandle) {
    STATS.with(|s| s.borrow_mut().ready = true);
    let seed = {
        let mut c = client.borrow_mut();
        match std::mem::replace(&mut c.connection, Connection::Down) {
            Connection::Starting {
                live,
                outbox,
                seed: Some(shown),
            } => {
                c.connection = Connection::Seeding { live, held: outbox };
                Some(shown)
            }
            Connection::Starting { live, outbox, .. } => {
                for request in &outbox {
                    live.post(request);
                }
                c.connection = Connection::Ready { live };
                None
            }
            other => {
                c.connection = other;
                None
            }
        }
    };
    if let Some(shown) = seed {
        seed_worker(client, shown);
    }
}

/// A model part of load `id`: decoded now, if the load is still wanted.
fn on_part(c: &mut ImportClient, id: u32, part: &JsValue) {
    if !c.pending.contains(&id) && c.priming != Some(id) {
        return;
    }
    if c.decoder.as_ref().map(|(d, _)| *d) != Some(id) {
        c.decoder = Some((id, Decoder::new()));
    }
    let part = crate::js::from_array_buffer(part);
    if let Some((_, decoder)) = c.decoder.as_mut() {
        if let Err(e) = decoder.push(&part) {
            c.decoder = None;
            web_sys::console::error_1(&e.to_string().into());
        }
    }
}

/// The end of a load: the model decoded from its parts, and the action that shows it (if
/// the load is still wanted). Schedules the worker's replacement if it grew too big.
fn on_done(client: &ClientHandle, done: Done) -> Option<Action> {
    let mut c = client.borrow_mut();
    if c.priming == Some(done.id) {
        c.priming = None;
        if let Some((_, decoder)) = c.decoder.take() {
            drop(decoder.finish());
        }
        STATS.with(|s| s.borrow_mut().primed = true);
        return None;
    }
    let known = c.pending.contains(&done.id);
    c.pending.retain(|p| *p != done.id);
    let grown = done.wasm_bytes > RECYCLE_WORKER_BYTES;
    STATS.with(|s| {
        let mut s = s.borrow_mut();
        s.wasm_bytes = done.wasm_bytes;
        s.timings = done.timings;
    });
    let decoded = match c.decoder.take() {
        Some((d, decoder)) if d == done.id => Some(decoder),
        _ => None,
    };
    let mut errors = done.errors;
    let model = match (done.model, decoded) {
        (true, Some(decoder)) => {
            let services = decoder.services();
            let (store, traces) = decoder.finish();
            Some(Box::new(LoadedModel {
                store,
                traces,
                services,
                selected: done.selected,
            }))
        }
        (true, None) => {
            // The worker has a model the page could not read: start over.
            c.drop_worker();
            errors.push("the loaded model could not be transferred to the page".into());
            None
        }
        (false, _) => None,
    };
    if grown && !matches!(c.connection, Connection::Down) {
        let generation = c.generation;
        c.recycle_due = Some(generation);
        schedule_recycle(Rc::downgrade(client), generation);
    }
    known.then_some(Action::FinishLoading {
        id: done.id,
        model,
        errors,
        finished_ms: now_ms(),
    })
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
        let seeding = matches!(c.connection, Connection::Seeding { .. });
        if c.recycle_due != Some(generation) || !c.pending.is_empty() || seeding {
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
        let started = !matches!(c.connection, Connection::Starting { .. });
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
