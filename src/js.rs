//! Small JavaScript helpers shared by the page and the import worker: plain objects, their
//! fields, `ArrayBuffer`s in and out of wasm memory, error texts.

use js_sys::{ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// Wall-clock time, ms since the Unix epoch (`Date.now()`: available on the page and in
/// the worker).
pub fn epoch_ms() -> f64 {
    js_sys::Date::now()
}

/// Builds a plain JS object from key/value pairs.
pub fn object(fields: &[(&str, JsValue)]) -> Object {
    let obj = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&obj, &JsValue::from_str(key), value);
    }
    obj
}

/// Reads a field of a JS object (undefined when absent).
pub fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A number field (0 when absent or not a number).
pub fn number(obj: &JsValue, key: &str) -> f64 {
    field(obj, key).as_f64().unwrap_or(0.0)
}

/// A string field ("" when absent or not a string).
pub fn string(obj: &JsValue, key: &str) -> String {
    field(obj, key).as_string().unwrap_or_default()
}

/// Copies bytes out of wasm memory into a fresh `ArrayBuffer` (to be transferred).
pub fn to_array_buffer(bytes: &[u8]) -> ArrayBuffer {
    let array = Uint8Array::new_with_length(bytes.len() as u32);
    array.copy_from(bytes);
    array.buffer()
}

/// Copies a JS `ArrayBuffer` into wasm memory.
pub fn from_array_buffer(buffer: &JsValue) -> Vec<u8> {
    let array = Uint8Array::new(buffer);
    let mut out = vec![0; array.length() as usize];
    array.copy_to(&mut out);
    out
}

/// Size of this instance's WebAssembly memory, bytes (reported for benchmarks).
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().unchecked_into::<ArrayBuffer>().byte_length() as f64)
        .unwrap_or(0.0)
}

/// The message of a JS error (or thrown string).
pub fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
