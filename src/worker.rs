//! The import worker: a Web Worker (built by Trunk from `src/bin/worker.rs` with
//! `data-type="worker"`) that reads files and URLs, imports them, merges them into the model
//! it keeps, builds the span trees and sends the model to the page in binary parts
//! ([`spanorama_core::model::wire`]). The page's main thread never parses.
//!
//! Protocol (all messages are plain objects with a `kind`):
//!
//! | direction | kind | fields |
//! |---|---|---|
//! | worker → page | `ready` | (sent once the wasm is running; the page queues until then) |
//! | page → worker | `load` | `id`, `sources`: `[{name, file}]` or `[{name, url}]` |
//! | page → worker | `seed` | `part` (ArrayBuffer): the page's model, after a cancel |
//! | page → worker | `seed-end` | |
//! | worker → page | `progress` | `id`, `source`, `phase` (`reading`/`parsing`/`building`/`sending`), `done`, `total`, `spans` |
//! | worker → page | `part` | `id`, `part` (ArrayBuffer, transferred) |
//! | worker → page | `done` | `id`, `errors` (`["<source>: <reason>"]`), `model` (bool: parts were sent), `selected` (trace index or -1), `wasmBytes` (worker memory), `timings` (ms per phase) |
//!
//! Requests are handled one at a time in arrival order. Cancel is `Worker.terminate()` on
//! the page side: instant, whatever the worker is doing; the page then seeds a fresh worker
//! with the model it shows before the next load.

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use spanorama_core::import::{ImportError, StreamImport};
use spanorama_core::model::wire::{Decoder, Encoder, PART_BYTES};
use spanorama_core::model::{build_traces, Store};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Largest file the worker tries to read: [`spanorama_core::import::MAX_FILE_BYTES`], the limit the
/// importer also puts on what a gzip file decompresses to.
pub const MAX_FILE_BYTES: f64 = spanorama_core::import::MAX_FILE_BYTES as f64;

/// Room first made for a file read while it is parsed ([`read_stream`] keeps only what the
/// import has not parsed yet: a few of the browser's chunks of 1-2 MB).
const WINDOW_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// Downloads of known size up to this are taken as one `ArrayBuffer`; bigger or unknown
/// ones are streamed into wasm memory chunk by chunk.
const WHOLE_BODY_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// Progress messages are sent at most this often (ms), so the page re-renders rarely.
const PROGRESS_EVERY_MS: f64 = 100.0;

thread_local! {
    /// Time spent waiting for stream chunks (browser I/O) and copying them into wasm memory, ms.
    static READ_SPLIT_MS: std::cell::Cell<(f64, f64)> = const { std::cell::Cell::new((0.0, 0.0)) };
    /// Chunks the streams of the current request delivered.
    static READ_CHUNKS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Builds a plain JS object from key/value pairs.
pub fn js_object(fields: &[(&str, JsValue)]) -> Object {
    let obj = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&obj, &JsValue::from_str(key), value);
    }
    obj
}

/// Reads a field of a JS object (undefined when absent).
pub fn js_field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
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

/// Everything the worker keeps between requests.
#[derive(Default)]
struct State {
    /// All files loaded so far, merged.
    store: Store,
    /// A model being handed over by the page after a cancel.
    seed: Option<Decoder>,
    queue: VecDeque<JsValue>,
    busy: bool,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &Object) {
    let _ = scope().post_message(msg);
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Starts the worker: installs the message handler and tells the page it is ready.
pub fn run() {
    let state = Rc::new(RefCell::new(State::default()));
    let handler = {
        let state = state.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            state.borrow_mut().queue.push_back(e.data());
            pump(state.clone());
        })
    };
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&js_object(&[("kind", "ready".into())]));
}

/// Handles queued messages one at a time (loads are asynchronous: URLs are fetched).
fn pump(state: Rc<RefCell<State>>) {
    if state.borrow().busy {
        return;
    }
    state.borrow_mut().busy = true;
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            let next = state.borrow_mut().queue.pop_front();
            let Some(msg) = next else { break };
            handle(&state, msg).await;
        }
        state.borrow_mut().busy = false;
    });
}

async fn handle(state: &Rc<RefCell<State>>, msg: JsValue) {
    let kind = js_field(&msg, "kind").as_string().unwrap_or_default();
    match kind.as_str() {
        "seed" => {
            let part = from_array_buffer(&js_field(&msg, "part"));
            let mut s = state.borrow_mut();
            let decoder = s.seed.get_or_insert_with(Decoder::new);
            if decoder.push(&part).is_err() {
                // A seed that does not decode is dropped; the next load starts from empty.
                s.seed = None;
            }
        }
        "seed-end" => {
            let mut s = state.borrow_mut();
            if let Some(decoder) = s.seed.take() {
                s.store = decoder.finish().0;
            }
        }
        "load" => load(state, &msg).await,
        _ => {}
    }
}

/// One source of a load request.
struct Source {
    name: String,
    file: Option<web_sys::File>,
    url: Option<String>,
}

/// Sends throttled progress for one request.
struct Progress {
    id: u32,
    last_ms: f64,
}

impl Progress {
    fn send(
        &mut self,
        source: &str,
        phase: &str,
        done: f64,
        total: f64,
        spans: usize,
        force: bool,
    ) {
        let now = now_ms();
        if !force && now - self.last_ms < PROGRESS_EVERY_MS {
            return;
        }
        self.last_ms = now;
        post(&js_object(&[
            ("kind", "progress".into()),
            ("id", self.id.into()),
            ("source", source.into()),
            ("phase", phase.into()),
            ("done", done.into()),
            ("total", total.into()),
            ("spans", (spans as f64).into()),
        ]));
    }
}

/// Handles a `load` request.
async fn load(state: &Rc<RefCell<State>>, msg: &JsValue) {
    let started_at = now_ms();
    let id = js_field(msg, "id").as_f64().unwrap_or(0.0) as u32;
    let sources: Vec<Source> = Array::from(&js_field(msg, "sources"))
        .iter()
        .map(|s| Source {
            name: js_field(&s, "name").as_string().unwrap_or_default(),
            file: js_field(&s, "file").dyn_into().ok(),
            url: js_field(&s, "url").as_string(),
        })
        .collect();
    let mut progress = Progress { id, last_ms: 0.0 };
    // Where the time went (ms), for the benchmark: read, parse, build trees, send the model.
    let mut phase_ms = [0.0f64; 4];
    let mut parsed_bytes = 0.0;
    // Parsing done between the chunks of a read (counted as parsing, not reading).
    let mut streamed_ms = 0.0;
    let mut mark = now_ms();
    let mut lap = |phase: usize| {
        let now = now_ms();
        phase_ms[phase] += now - mark;
        mark = now;
    };
    let mut errors: Vec<ImportError> = Vec::new();
    let mut added: Vec<Store> = Vec::new();
    for source in &sources {
        let fail = |message: String| ImportError {
            file: source.name.clone(),
            message,
        };
        progress.send(&source.name, "reading", 0.0, 0.0, 0, true);
        // Spans parsed so far (OTLP, Jaeger and Zipkin files are parsed while read), for progress.
        let spans = Cell::new(0);
        let mut count_spans = |n: usize| spans.set(n);
        let mut stream = StreamImport::new(&source.name, 0, &mut count_spans);
        let mut reading = Reading {
            name: &source.name,
            progress: &mut progress,
            stream: &mut stream,
            spans: &spans,
            parse_ms: 0.0,
        };
        let kept = match (&source.file, &source.url) {
            (Some(file), _) => read_file(file, &mut reading, true).await,
            (None, Some(url)) => fetch_url(url, &mut reading)
                .await
                .map(|bytes| Kept { bytes, offset: 0 }),
            (None, None) => Err("nothing to read".to_string()),
        };
        let parsed_while_reading = reading.parse_ms;
        let kept = match kept {
            Ok(k) => k,
            Err(message) => {
                errors.push(fail(message));
                continue;
            }
        };
        let total = (kept.offset + kept.bytes.len()) as f64;
        lap(0);
        streamed_ms += parsed_while_reading;
        parsed_bytes += total;
        progress.send(&source.name, "parsing", total, total, spans.get(), true);
        let result = match stream.finish_at(&kept.bytes, kept.offset) {
            Ok(result) => result,
            Err(mut again) => {
                // Streaming stopped after the file's head was dropped (the file is not laid
                // out as its start said): read it again, whole, as without streaming.
                drop(kept);
                let whole = match &source.file {
                    Some(file) => {
                        let mut reading = Reading {
                            name: &source.name,
                            progress: &mut progress,
                            stream: &mut again,
                            spans: &spans,
                            parse_ms: 0.0,
                        };
                        read_file(file, &mut reading, false).await
                    }
                    None => Err("nothing to read".to_string()),
                };
                match whole {
                    Ok(whole) => again.finish(&whole.bytes),
                    Err(message) => Err(fail(message)),
                }
            }
        };
        match result {
            Ok(store) => added.push(store),
            Err(e) => errors.push(e),
        }
        lap(1);
    }
    let errors: Array = errors
        .iter()
        .map(|e| JsValue::from_str(&e.to_string()))
        .collect();
    let mut selected = -1.0;
    let sent_model = !added.is_empty();
    if sent_model {
        let mut s = state.borrow_mut();
        let model = &mut s.store;
        let first_new_file = model.files.len() as u32;
        for store in added {
            model.append(store);
        }
        let model = &*model;
        let spans = model.spans.len();
        // The store goes first: the page decodes it while the trees are built here.
        let mut encoder = Encoder::store_first(model, PART_BYTES);
        let sent = send_parts(&mut encoder, id, 0, &mut progress, spans);
        lap(3);
        progress.send("", "building", 0.0, spans as f64, spans, true);
        let traces = build_traces(model);
        selected = traces
            .iter()
            .position(|t| {
                t.spans.iter().any(|&i| {
                    model
                        .spans
                        .get(i as usize)
                        .is_some_and(|span| span.file >= first_new_file)
                })
            })
            .map_or(-1.0, |i| i as f64);
        lap(2);
        encoder.add_traces(&traces);
        send_parts(&mut encoder, id, sent, &mut progress, spans);
        lap(3);
    }
    let (io_ms, copy_ms) = READ_SPLIT_MS.with(|c| c.replace((0.0, 0.0)));
    let read_chunks = READ_CHUNKS.with(|c| c.replace(0));
    let timings = js_object(&[
        ("readMs", (phase_ms[0] - streamed_ms).into()),
        ("readIoMs", io_ms.into()),
        ("readCopyMs", copy_ms.into()),
        ("readChunks", read_chunks.into()),
        ("parseMs", (phase_ms[1] + streamed_ms).into()),
        ("streamedParseMs", streamed_ms.into()),
        ("parsedBytes", parsed_bytes.into()),
        ("buildMs", phase_ms[2].into()),
        ("sendMs", phase_ms[3].into()),
        // Wall-clock times (ms since the epoch) for the benchmark's timeline of a load.
        ("startedAt", started_at.into()),
        ("doneAt", now_ms().into()),
    ]);
    post(&js_object(&[
        ("kind", "done".into()),
        ("id", id.into()),
        ("errors", errors.into()),
        ("model", sent_model.into()),
        ("selected", selected.into()),
        ("wasmBytes", wasm_memory_bytes().into()),
        ("timings", timings.into()),
    ]));
}

/// Posts the parts `encoder` has ready (transferred, not copied), reporting progress;
/// returns the bytes sent so far (`sent` before).
fn send_parts(
    encoder: &mut Encoder<'_>,
    id: u32,
    mut sent: usize,
    progress: &mut Progress,
    spans: usize,
) -> usize {
    while let Some(part) = encoder.next_part() {
        sent += part.len();
        let buffer = to_array_buffer(&part);
        drop(part);
        let msg = js_object(&[
            ("kind", "part".into()),
            ("id", id.into()),
            ("part", buffer.clone().into()),
        ]);
        let transfer = Array::of1(&buffer);
        let _ = scope().post_message_with_transfer(&msg, &transfer);
        progress.send("", "sending", sent as f64, 0.0, spans, false);
    }
    sent
}

/// Size of this instance's WebAssembly memory, bytes (reported for benchmarks).
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().unchecked_into::<ArrayBuffer>().byte_length() as f64)
        .unwrap_or(0.0)
}

/// One source being read: where its chunks go.
struct Reading<'r, 'p> {
    name: &'r str,
    progress: &'r mut Progress,
    /// Parses each chunk's spans while the next one is read.
    stream: &'r mut StreamImport<'p>,
    /// Spans parsed so far (set by the stream's progress callback).
    spans: &'r Cell<usize>,
    /// Time spent parsing between chunks, ms.
    parse_ms: f64,
}

/// What a read kept of a file: its bytes from `offset` on (all of it when `offset` is 0).
struct Kept {
    bytes: Vec<u8>,
    offset: usize,
}

/// Reads a `File` as a stream, each chunk copied into wasm memory. A stream is the fastest
/// way a worker has to read a file (measured in Chromium, 58 MB: 91-157 ms, against
/// 147-320 ms with `FileReaderSync` in 64 MB slices), and copying each chunk overlaps the
/// browser's reading of the next ([`Chunks`]). With `drop_parsed`, what the streaming
/// import has parsed is dropped as it goes (see [`read_stream`]); without, the buffer is
/// sized for the whole file once, so the file is held once.
async fn read_file(
    file: &web_sys::File,
    to: &mut Reading<'_, '_>,
    drop_parsed: bool,
) -> Result<Kept, String> {
    let size = file.size();
    let room = if drop_parsed {
        size.min(WINDOW_BYTES)
    } else {
        size
    };
    let mut bytes = reserve(room, size)?;
    let offset = read_stream(file.stream(), &mut bytes, size, to, drop_parsed, |e| {
        format!("the browser could not read the file ({})", describe(&e))
    })
    .await?;
    let read = (offset + bytes.len()) as f64;
    if read != size && !to.stream.lost_head(offset) {
        return Err(format!(
            "the file changed while it was read ({size} bytes expected, {read} read); open it again"
        ));
    }
    Ok(Kept { bytes, offset })
}

/// Appends every chunk of a byte stream to `bytes` (refusing to grow past
/// [`MAX_FILE_BYTES`] or past the memory the browser gives), reporting progress against
/// `total` (0: unknown), and hands the bytes so far to the streaming import after each chunk,
/// with the next chunk already asked for, so that parsing overlaps the browser's reading. A
/// chunk the browser fails to deliver is reported with `browser_failed`. Time spent waiting
/// for chunks and copying them is added to [`READ_SPLIT_MS`], parsing to `to.parse_ms`.
///
/// With `drop_parsed`, the bytes before the first one the import still needs are dropped
/// before each chunk is added, so a streamed file is never held whole: `bytes` is a window of
/// a few chunks, reused (no fresh memory to fault in, the worker stays small). Returns the
/// offset in the stream of `bytes[0]`.
async fn read_stream(
    stream: web_sys::ReadableStream,
    bytes: &mut Vec<u8>,
    total: f64,
    to: &mut Reading<'_, '_>,
    drop_parsed: bool,
    browser_failed: impl Fn(JsValue) -> String,
) -> Result<usize, String> {
    let mut chunks = Chunks::new(&stream, total).map_err(&browser_failed)?;
    to.stream.expect_len(total as usize);
    let (mut io_ms, mut copy_ms) = (0.0, 0.0);
    let mut chunk_count = 0u32;
    let mut offset = 0usize;
    loop {
        let t0 = now_ms();
        let next = chunks.next().await.map_err(&browser_failed)?;
        let t1 = now_ms();
        io_ms += t1 - t0;
        let Some(chunk) = next else {
            break;
        };
        let len = chunk.length() as usize;
        let read = offset + bytes.len() + len;
        if read as f64 > MAX_FILE_BYTES {
            return Err(too_big(read as f64));
        }
        if drop_parsed {
            let parsed = to
                .stream
                .needed_from()
                .saturating_sub(offset)
                .min(bytes.len());
            if parsed > 0 {
                bytes.drain(..parsed);
                offset += parsed;
            }
        }
        if bytes.capacity() - bytes.len() < len {
            // Grow once to what the rest of the file needs, not by doubling: a window the
            // import stops emptying (a file read whole) would be copied at every doubling.
            let rest = (total as usize)
                .saturating_sub(offset + bytes.len())
                .max(len);
            if bytes.try_reserve_exact(rest).is_err() {
                return Err(format!(
                    "the browser could not give Spanorama the {} of memory needed to read this \
                     file",
                    mb((offset + bytes.len() + rest) as f64)
                ));
            }
        }
        let from = bytes.len();
        bytes.resize(from + len, 0);
        chunk.copy_to(&mut bytes[from..]);
        chunk_count += 1;
        let t2 = now_ms();
        copy_ms += t2 - t1;
        chunks.ask_again(chunk);
        let t3 = now_ms();
        io_ms += t3 - t2;
        to.stream.feed_at(bytes, offset);
        to.parse_ms += now_ms() - t3;
        if to.stream.lost_head(offset) {
            // Streaming stopped after the head was dropped: the import reads the file again
            // whole at the end; nothing read from here on is needed.
            chunks.cancel();
            break;
        }
        let spans = to.spans.get();
        to.progress
            .send(to.name, "reading", read as f64, total, spans, false);
    }
    READ_SPLIT_MS.with(|c| {
        let (io, copy) = c.get();
        c.set((io + io_ms, copy + copy_ms));
    });
    READ_CHUNKS.with(|c| c.set(c.get() + chunk_count));
    Ok(offset)
}

/// Bytes asked for in one read of a byte stream (each of [`Chunks`]' two buffers); the
/// browser fills what it has, 0.25-2 MB at a time in Chromium.
const READ_BUFFER_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// The chunks of a stream, read ahead: one chunk is always being read while the last one is
/// copied into wasm memory (two at a time for a byte stream). A byte stream (`Blob.stream()` and fetch bodies in current browsers) is read into two
/// buffers that are reused ("bring your own buffer"): one fills while the other is copied
/// into wasm memory. Any other stream is read with a default reader, which hands every chunk
/// over in a fresh buffer. Measured in a Chromium worker (58 MB file, each chunk copied into
/// wasm memory, 232 ms of simulated parsing between chunks): 289-313 ms in all with reused
/// buffers, 327-401 ms with fresh ones; the browser's reading of a stream runs on the
/// worker's own thread, and fresh buffers must be allocated and faulted in.
enum Chunks {
    Reused {
        reader: web_sys::ReadableStreamByobReader,
        asked: VecDeque<JsFuture>,
        buffer_len: u32,
    },
    Fresh {
        reader: web_sys::ReadableStreamDefaultReader,
        asked: Option<JsFuture>,
    },
}

impl Chunks {
    /// Starts reading `stream` of `total` bytes (0: unknown).
    fn new(stream: &web_sys::ReadableStream, total: f64) -> Result<Chunks, JsValue> {
        if let Ok(reader) = web_sys::ReadableStreamByobReader::new(stream) {
            let want = if total > 0.0 {
                total
            } else {
                READ_BUFFER_BYTES
            };
            let buffer_len = want.clamp(64.0 * 1024.0, READ_BUFFER_BYTES) as u32;
            let mut chunks = Chunks::Reused {
                reader,
                asked: VecDeque::with_capacity(2),
                buffer_len,
            };
            for _ in 0..2 {
                chunks.ask_again(Uint8Array::new_with_length(buffer_len));
            }
            return Ok(chunks);
        }
        let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().dyn_into()?;
        let asked = Some(JsFuture::from(reader.read()));
        Ok(Chunks::Fresh { reader, asked })
    }

    /// The next chunk, or `None` at the end of the stream. Hand it back with
    /// [`Chunks::ask_again`] once copied.
    async fn next(&mut self) -> Result<Option<Uint8Array>, JsValue> {
        let asked = match self {
            Chunks::Reused { asked, .. } => asked.pop_front(),
            Chunks::Fresh { asked, .. } => asked.take(),
        };
        let Some(asked) = asked else {
            return Ok(None);
        };
        let result = asked.await?;
        if js_field(&result, "done").as_bool().unwrap_or(true) {
            return Ok(None);
        }
        Ok(Some(js_field(&result, "value").unchecked_into()))
    }

    /// Asks for the chunk after the ones already asked for, into `done_with`'s buffer when
    /// buffers are reused (so `done_with` must have been copied).
    fn ask_again(&mut self, done_with: Uint8Array) {
        match self {
            Chunks::Reused {
                reader,
                asked,
                buffer_len,
            } => {
                let view = Uint8Array::new_with_byte_offset_and_length(
                    &done_with.buffer(),
                    0,
                    *buffer_len,
                );
                asked.push_back(JsFuture::from(reader.read_with_array_buffer_view(&view)));
            }
            Chunks::Fresh { reader, asked } => *asked = Some(JsFuture::from(reader.read())),
        }
    }

    /// Stops the stream (nothing more is needed from it).
    fn cancel(&self) {
        let _ = match self {
            Chunks::Reused { reader, .. } => reader.cancel(),
            Chunks::Fresh { reader, .. } => reader.cancel(),
        };
    }
}

/// The message for a file over [`MAX_FILE_BYTES`].
fn too_big(size: f64) -> String {
    format!(
        "the file is {}, more than the {} Spanorama can read in a browser tab (a tab's \
         WebAssembly memory is limited to 4 GB, and the file and its spans must both fit). \
         Split it into smaller files, e.g. one trace per file.",
        mb(size),
        mb(MAX_FILE_BYTES)
    )
}

fn mb(bytes: f64) -> String {
    format!("{:.0} MB", bytes / 1e6)
}

/// An empty buffer with room for `room` bytes to read a file of `size` bytes, or a message
/// saying why not.
fn reserve(room: f64, size: f64) -> Result<Vec<u8>, String> {
    if size > MAX_FILE_BYTES {
        return Err(too_big(size));
    }
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(room as usize).map_err(|_| {
        format!(
            "the browser could not give Spanorama the {} of memory needed to read this file \
             (close other tabs, reload the page to free what earlier files use, or split the file)",
            mb(size)
        )
    })?;
    Ok(bytes)
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Fetches a URL, reading the body as a stream into one wasm buffer (progress per chunk).
async fn fetch_url(url: &str, to: &mut Reading<'_, '_>) -> Result<Vec<u8>, String> {
    let response = JsFuture::from(scope().fetch_with_str(url))
        .await
        .map_err(|e| {
            format!(
                "could not be fetched ({}). The server may be down, the address wrong, or the \
                 server may not allow other sites to read it (CORS). Download the file and open \
                 it with \"Open files\" instead.",
                describe(&e)
            )
        })?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "the browser returned something that is not a response".to_string())?;
    if !response.ok() {
        let status = response.status();
        let hint = match status {
            404 => "the file is not at that address; check it",
            401 | 403 => "the server refused access; download the file and open it instead",
            _ => "the server could not deliver the file; try again or download it",
        };
        return Err(format!("HTTP {status} {}: {hint}", response.status_text()));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    let failed = |e: JsValue| format!("the download failed part-way ({})", describe(&e));
    let mut bytes = reserve(total, total)?;
    if total > 0.0 && total <= WHOLE_BODY_BYTES {
        // Small enough to take in one piece (JS holds it once, briefly).
        let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
            .await
            .map_err(failed)?;
        let array = Uint8Array::new(&buffer);
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        to.progress.send(to.name, "reading", total, total, 0, true);
        return Ok(bytes);
    }
    let Some(body) = response.body() else {
        return Ok(bytes);
    };
    // Kept whole: were streaming to stop part-way, a second download could differ.
    read_stream(body, &mut bytes, total, to, false, failed).await?;
    Ok(bytes)
}
