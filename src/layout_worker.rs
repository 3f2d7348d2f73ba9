//! The layout worker: a Web Worker (built by Trunk from `src/bin/layout_worker.rs` with
//! `data-type="worker"`) that lays out service graphs too big to lay out on the page within
//! a frame (`spanorama_core::layout::graph`). One message in, one out; both sides encode and
//! decode them here:
//!
//! | direction | JS object |
//! |---|---|
//! | worker → page | `{ready: true}` once it listens: messages posted before would be lost |
//! | page → worker | `{id, radii: Float64Array, ends: Uint32Array, options: Float64Array}` ([`FlatShape`]) |
//! | worker → page | `{id, nodes: Float64Array, counts: Uint32Array, points: Float64Array}` ([`FlatLayout`]); `{id}` alone when the request did not decode |

use crate::js;
use js_sys::{Float64Array, Uint32Array};
use spanorama_core::layout::graph::flat::{FlatLayout, FlatShape};
use spanorama_core::layout::layout_shape;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn f64s(obj: &JsValue, key: &str) -> Option<Vec<f64>> {
    js::field(obj, key)
        .dyn_into::<Float64Array>()
        .ok()
        .map(|a| a.to_vec())
}

fn u32s(obj: &JsValue, key: &str) -> Option<Vec<u32>> {
    js::field(obj, key)
        .dyn_into::<Uint32Array>()
        .ok()
        .map(|a| a.to_vec())
}

/// The request to lay out `shape`, as request `id`.
pub fn encode_request(id: u32, shape: &FlatShape) -> JsValue {
    js::object(&[
        ("id", id.into()),
        ("radii", Float64Array::from(&shape.radii[..]).into()),
        ("ends", Uint32Array::from(&shape.ends[..]).into()),
        ("options", Float64Array::from(&shape.options[..]).into()),
    ])
    .into()
}

fn decode_request(data: &JsValue) -> Option<(u32, FlatShape)> {
    let shape = FlatShape {
        radii: f64s(data, "radii")?,
        ends: u32s(data, "ends")?,
        options: f64s(data, "options")?,
    };
    Some((js::number(data, "id") as u32, shape))
}

fn encode_reply(id: u32, layout: Option<&FlatLayout>) -> JsValue {
    let Some(l) = layout else {
        return js::object(&[("id", id.into())]).into();
    };
    js::object(&[
        ("id", id.into()),
        ("nodes", Float64Array::from(&l.nodes[..]).into()),
        ("counts", Uint32Array::from(&l.counts[..]).into()),
        ("points", Float64Array::from(&l.points[..]).into()),
    ])
    .into()
}

/// The reply's request id, and the layout unless the worker could not make one.
pub fn decode_reply(data: &JsValue) -> (u32, Option<FlatLayout>) {
    let layout = (|| {
        Some(FlatLayout {
            nodes: f64s(data, "nodes")?,
            counts: u32s(data, "counts")?,
            points: f64s(data, "points")?,
        })
    })();
    (js::number(data, "id") as u32, layout)
}

/// Starts the worker: answers each request with its layout.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler = {
        let scope = scope.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let id = js::number(&data, "id") as u32;
            let layout = decode_request(&data)
                .and_then(|(_, flat)| flat.decode())
                .map(|(shape, options)| FlatLayout::new(&layout_shape(&shape, &options)));
            let _ = scope.post_message(&encode_reply(id, layout.as_ref()));
        })
    };
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    let _ = scope.post_message(&js::object(&[("ready", true.into())]));
}

/// Whether a message from the worker says it is ready.
pub fn is_ready(data: &JsValue) -> bool {
    js::field(data, "ready").as_bool() == Some(true)
}
