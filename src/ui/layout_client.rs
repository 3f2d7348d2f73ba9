//! The page's side of the layout worker (`crate::layout_worker`): started on first use, a
//! request per layout (held until the worker says it is ready), answered in order. If the worker cannot start or fails, the layout
//! is an error and the caller lays out on the page instead.

use crate::layout_worker::{decode_reply, encode_request, is_ready};
use js_sys::{Function, Promise};
use spanorama_core::layout::graph::flat::{FlatLayout, FlatShape};
use spanorama_core::layout::{GraphLayout, GraphLayoutOptions, GraphShape};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// Where the worker's loader script is, relative to the page (Trunk writes it next to
/// `index.html`).
const WORKER_SCRIPT: &str = "./spanorama-layout-worker_loader.js";

/// A started worker, its handlers, and the promises of requests not answered yet.
struct Client {
    worker: Worker,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
    waiting: HashMap<u32, Function>,
    next_id: u32,
    /// Requests made before the worker was ready (`None` once it is).
    outbox: Option<Vec<JsValue>>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// Lays `shape` out in the worker.
pub async fn lay_out(
    shape: &GraphShape,
    options: &GraphLayoutOptions,
) -> Result<GraphLayout, String> {
    let request = FlatShape::new(shape, options);
    let mut posted = Ok(());
    let promise = Promise::new(&mut |resolve, _reject| {
        posted = post(&request, resolve);
    });
    posted?;
    let reply = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| crate::js::describe(&e))?;
    let (_, layout) = decode_reply(&reply);
    layout
        .as_ref()
        .and_then(FlatLayout::decode)
        .ok_or_else(|| "the layout worker gave no layout".to_string())
}

/// Posts `request`; `resolve` is called with the worker's reply (or with nothing if it fails).
fn post(request: &FlatShape, resolve: Function) -> Result<(), String> {
    CLIENT.with(|cell| {
        let mut client = cell.borrow_mut();
        if client.is_none() {
            *client = Some(start()?);
        }
        let Some(c) = client.as_mut() else {
            return Err("no layout worker".to_string());
        };
        let id = c.next_id;
        c.next_id = c.next_id.wrapping_add(1);
        let message = encode_request(id, request);
        match c.outbox.as_mut() {
            Some(outbox) => outbox.push(message),
            None => c
                .worker
                .post_message(&message)
                .map_err(|e| crate::js::describe(&e))?,
        }
        c.waiting.insert(id, resolve);
        Ok(())
    })
}

fn start() -> Result<Client, String> {
    let worker = Worker::new(WORKER_SCRIPT).map_err(|e| {
        format!(
            "the layout worker could not start ({})",
            crate::js::describe(&e)
        )
    })?;
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let data = e.data();
        if is_ready(&data) {
            CLIENT.with(|c| {
                if let Some(c) = c.borrow_mut().as_mut() {
                    for message in c.outbox.take().unwrap_or_default() {
                        let _ = c.worker.post_message(&message);
                    }
                }
            });
            return;
        }
        let (id, _) = decode_reply(&data);
        let resolve = CLIENT.with(|c| c.borrow_mut().as_mut()?.waiting.remove(&id));
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    });
    // A failed worker answers everything waiting with nothing and is dropped; the next
    // layout starts a new one.
    let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(|e: ErrorEvent| {
        e.prevent_default();
        let gone = CLIENT.with(|c| c.borrow_mut().take());
        if let Some(client) = gone {
            client.worker.terminate();
            for resolve in client.waiting.into_values() {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
            }
        }
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    Ok(Client {
        worker,
        _onmessage: onmessage,
        _onerror: onerror,
        waiting: HashMap::new(),
        next_id: 1,
        outbox: Some(Vec::new()),
    })
}
