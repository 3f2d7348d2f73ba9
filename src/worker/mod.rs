//! The import worker: a Web Worker (built by Trunk from `src/bin/worker.rs` with
//! `data-type="worker"`) that reads files and URLs, imports them, merges them into the model
//! it keeps, builds the span trees and sends the model to the page in binary parts
//! (`spanorama_core::model::wire`). The page's main thread never parses.
//!
//! - [`protocol`]: the typed messages both sides use, encoded in one place;
//! - `load`: the load pipeline, a function per step;
//! - `read`: files and downloads read as streams into wasm memory, parsed while read.

mod load;
pub mod protocol;
pub(crate) mod read;

use crate::js;
use protocol::{Reply, Request};
use spanorama_core::model::wire::Decoder;
use spanorama_core::model::Store;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Largest file the worker reads: [`spanorama_core::import::MAX_FILE_BYTES`], the limit the
/// importer also puts on what a gzip file decompresses to.
pub const MAX_FILE_BYTES: f64 = spanorama_core::import::MAX_FILE_BYTES as f64;

/// Everything the worker keeps between requests.
#[derive(Default)]
struct State {
    /// All files loaded so far, merged.
    store: Store,
    /// A model being handed over by the page after a cancel.
    seed: Option<Decoder>,
    /// Requests not handled yet, in arrival order.
    queue: VecDeque<Request>,
    /// A request is being handled (loads are asynchronous: files and URLs are read).
    busy: bool,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends a reply to the page (its buffers transferred).
fn post(reply: &Reply) {
    let encoded = reply.encode();
    let _ = match encoded.transfer {
        Some(transfer) => scope().post_message_with_transfer(&encoded.message, &transfer),
        None => scope().post_message(&encoded.message),
    };
}

/// Starts the worker: installs the message handler and tells the page it is ready.
pub fn run() {
    let state = Rc::new(RefCell::new(State::default()));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        if let Some(request) = Request::decode(&e.data()) {
            state.borrow_mut().queue.push_back(request);
            pump(state.clone());
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Reply::Ready);
}

/// Handles queued requests one at a time.
fn pump(state: Rc<RefCell<State>>) {
    if state.borrow().busy {
        return;
    }
    state.borrow_mut().busy = true;
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            let next = state.borrow_mut().queue.pop_front();
            let Some(request) = next else { break };
            handle(&state, request).await;
        }
        state.borrow_mut().busy = false;
    });
}

async fn handle(state: &RefCell<State>, request: Request) {
    match request {
        Request::Seed { part } => {
            let part = js::from_array_buffer(&part);
            let mut s = state.borrow_mut();
            let decoder = s.seed.get_or_insert_with(Decoder::new);
            if decoder.push(&part).is_err() {
                // A seed that does not decode is dropped; the next load starts from empty.
                s.seed = None;
            }
        }
        Request::SeedEnd => {
            // The model becomes the one seeded: empty when no part came.
            let mut s = state.borrow_mut();
            s.store = s.seed.take().map(|d| d.finish().0).unwrap_or_default();
        }
        Request::Load { id, sources } => {
            let done = load::load(state, id, &sources).await;
            post(&Reply::Done(done));
        }
    }
}
