//! Reading files and downloads into wasm memory as streams, chunk by chunk, each chunk's
//! complete spans parsed while the browser reads the next (`StreamImport`); what the import
//! has parsed is dropped as it goes, so a streamed file is never held whole.

use super::load::Progress;
use super::protocol::{BackendFetch, Source};
use super::{scope, MAX_FILE_BYTES};
use crate::js::describe;
use js_sys::Uint8Array;
use spanorama_core::backend::{check_json, is_empty_answer, Backend, Failure};
use spanorama_core::import::StreamImport;
use spanorama_core::state::LoadPhase;
use std::cell::Cell;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, RequestMode};

/// Room first made for a file read while it is parsed ([`read_stream`] keeps only what the
/// import has not parsed yet: a few of the browser's chunks of 1-2 MB).
const WINDOW_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// Downloads of known size up to this are taken as one `ArrayBuffer`; bigger or unknown
/// ones are streamed into wasm memory chunk by chunk.
const WHOLE_BODY_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// Where a read's time went, ms (for the benchmark).
#[derive(Default)]
pub(super) struct ReadStats {
    /// Waiting for the browser's chunks.
    pub io_ms: f64,
    /// Copying them into wasm memory.
    pub copy_ms: f64,
    /// Parsing between chunks.
    pub parse_ms: f64,
    pub chunks: u32,
}

/// Reads `source` into `stream` (see [`read_file`]; downloads are kept whole, as a second
/// download could differ); a message saying what went wrong otherwise.
pub(super) async fn read_source(
    source: &Source,
    stream: &mut StreamImport<'_>,
    progress: &mut Progress,
    spans: &Cell<usize>,
    stats: &mut ReadStats,
    drop_parsed: bool,
) -> Result<Kept, String> {
    let mut reading = Reading {
        name: source.name(),
        progress,
        stream,
        spans,
        stats,
    };
    match source {
        Source::File { file, .. } => read_file(file, &mut reading, drop_parsed).await,
        Source::Url { url, backend, .. } => fetch_url(url, backend.as_ref(), &mut reading)
            .await
            .map(|bytes| Kept { bytes, offset: 0 }),
    }
}

/// One source being read: where its chunks go.
struct Reading<'r, 'p> {
    name: &'r str,
    progress: &'r mut Progress,
    /// Parses each chunk's spans while the next one is read.
    stream: &'r mut StreamImport<'p>,
    /// Spans parsed so far (set by the stream's progress callback).
    spans: &'r Cell<usize>,
    stats: &'r mut ReadStats,
}

/// What a read kept of a file: its bytes from `offset` on (all of it when `offset` is 0).
pub(super) struct Kept {
    pub bytes: Vec<u8>,
    pub offset: usize,
}

/// Reads a `File` as a stream, each chunk copied into wasm memory. A stream is the fastest
/// way a worker has to read a file (faster than `FileReaderSync` in slices; BENCHMARKS.md),
/// and copying each chunk overlaps the browser's reading of the next ([`Chunks`]). With `drop_parsed`, what the streaming
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
/// for chunks, copying them and parsing between them is added to `to.stats`.
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
    let mut offset = 0usize;
    loop {
        let t0 = crate::js::epoch_ms();
        let next = chunks.next().await.map_err(&browser_failed)?;
        let t1 = crate::js::epoch_ms();
        to.stats.io_ms += t1 - t0;
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
        to.stats.chunks += 1;
        let t2 = crate::js::epoch_ms();
        to.stats.copy_ms += t2 - t1;
        chunks.ask_again(chunk);
        let t3 = crate::js::epoch_ms();
        to.stats.io_ms += t3 - t2;
        to.stream.feed_at(bytes, offset);
        to.stats.parse_ms += crate::js::epoch_ms() - t3;
        if to.stream.lost_head(offset) {
            // Streaming stopped after the head was dropped: the import reads the file again
            // whole at the end; nothing read from here on is needed.
            chunks.cancel();
            break;
        }
        let spans = to.spans.get();
        to.progress.send(
            to.name,
            LoadPhase::Reading,
            read as f64,
            total,
            spans,
            false,
        );
    }
    Ok(offset)
}

/// Bytes asked for in one read of a byte stream (each of [`Chunks`]' two buffers); the
/// browser fills what it has, often less.
const READ_BUFFER_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// The chunks of a stream, read ahead: one chunk is always being read while the last one is
/// copied into wasm memory (two at a time for a byte stream). A byte stream (`Blob.stream()`
/// and fetch bodies in current browsers) is read into two buffers that are reused ("bring
/// your own buffer"): one fills while the other is copied into wasm memory, so no fresh
/// buffer is allocated and faulted in per chunk on the worker's thread. Any other stream is
/// read with a default reader, which hands every chunk over in a fresh buffer.
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
        if crate::js::field(&result, "done").as_bool().unwrap_or(true) {
            return Ok(None);
        }
        Ok(Some(crate::js::field(&result, "value").unchecked_into()))
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

/// Fetches a URL, reading the body as a stream into one wasm buffer (progress per chunk).
/// A backend's answer must be JSON.
async fn fetch_url(
    url: &str,
    backend: Option<&BackendFetch>,
    to: &mut Reading<'_, '_>,
) -> Result<Vec<u8>, String> {
    let Some(b) = backend else {
        let response = fetch_plain(url).await?;
        return read_body(response, to).await;
    };
    let response = fetch_backend(&b.backend, url, b.trace.as_deref()).await?;
    let bytes = read_body(response, to).await?;
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let explain = |failure| b.backend.explain(&failure, url, None, &origin());
    check_json(head).map_err(|start| explain(Failure::NotJson(start)))?;
    if is_empty_answer(&bytes) {
        return Err(explain(Failure::Empty));
    }
    Ok(bytes)
}

/// `fetch(url)`, its failures explained for a URL the user typed.
async fn fetch_plain(url: &str) -> Result<web_sys::Response, String> {
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
    Ok(response)
}

/// Reads a response's body into one wasm buffer (progress per chunk).
async fn read_body(
    response: web_sys::Response,
    to: &mut Reading<'_, '_>,
) -> Result<Vec<u8>, String> {
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
        to.progress
            .send(to.name, LoadPhase::Reading, total, total, 0, true);
        return Ok(bytes);
    }
    let Some(body) = response.body() else {
        return Ok(bytes);
    };
    // Kept whole: were streaming to stop part-way, a second download could differ.
    read_stream(body, &mut bytes, total, to, false, failed).await?;
    Ok(bytes)
}

/// `fetch(url, init)` on the global this runs in, the page's window or a worker (both have
/// `fetch`; web-sys binds it to one of them).
async fn global_fetch(url: &str, init: &RequestInit) -> Result<web_sys::Response, JsValue> {
    let global = js_sys::global();
    let fetch: js_sys::Function = js_sys::Reflect::get(&global, &"fetch".into())?.dyn_into()?;
    let promise: js_sys::Promise = fetch.call2(&global, &url.into(), init)?.dyn_into()?;
    JsFuture::from(promise).await?.dyn_into()
}

/// The origin this runs at (`self.origin`), for the CORS setting a backend needs.
pub(crate) fn origin() -> String {
    js_sys::Reflect::get(&js_sys::global(), &"origin".into())
        .ok()
        .and_then(|o| o.as_string())
        .unwrap_or_default()
}

/// Asks `backend` for `url` (JSON; `trace` the id asked for, if any) and returns its 2xx
/// answer, or the text saying why not ([`Backend::explain`]). A failed fetch is told apart:
/// when a `no-cors` fetch of the same URL gets an (opaque) answer, the server is there and
/// refuses other origins (CORS); otherwise it is unreachable. A Jaeger trace that is not at
/// `/api/traces/{id}` is asked for again on api_v3.
pub(crate) async fn fetch_backend(
    backend: &Backend,
    url: &str,
    trace: Option<&str>,
) -> Result<web_sys::Response, String> {
    let explain = |failure: Failure| backend.explain(&failure, url, trace, &origin());
    let init = RequestInit::new();
    if let Ok(headers) = web_sys::Headers::new() {
        let _ = headers.set("Accept", "application/json");
        init.set_headers(&headers);
    }
    let Ok(mut response) = global_fetch(url, &init).await else {
        let probe = RequestInit::new();
        probe.set_mode(RequestMode::NoCors);
        return Err(match global_fetch(url, &probe).await {
            Ok(_) => explain(Failure::Cors),
            Err(_) => explain(Failure::Unreachable),
        });
    };
    if response.status() == 404 {
        if let Some(v3) = trace.and_then(|id| backend.trace_fallback_url(id)) {
            match global_fetch(&v3, &init).await {
                Ok(again) if again.ok() => response = again,
                _ => {}
            }
        }
    }
    if !response.ok() {
        return Err(explain(Failure::Status(
            response.status(),
            response.status_text(),
        )));
    }
    Ok(response)
}
