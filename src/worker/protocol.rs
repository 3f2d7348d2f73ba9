//! The messages between the page and the import worker, typed, and their encoding as the
//! plain JS objects `postMessage` carries (here only, for both sides).
//!
//! | direction | message | JS object |
//! |---|---|---|
//! | worker → page | [`Reply::Ready`] | `{kind: "ready"}`: the wasm runs; the page queues until then |
//! | page → worker | [`Request::Load`] | `{kind: "load", id, sources: [{name, file} or {name, url, backend?, trace?}]}` |
//! | page → worker | [`Request::Seed`] | `{kind: "seed", part}`: a part of the page's model, after a cancel |
//! | page → worker | [`Request::SeedEnd`] | `{kind: "seed-end"}`: the worker's model becomes the one seeded (empty without parts) |
//! | worker → page | [`Reply::Progress`] | `{kind: "progress", id, source, phase, done, total, spans}` |
//! | worker → page | [`Reply::Part`] | `{kind: "part", id, part}`: a model part (`ArrayBuffer`, transferred) |
//! | worker → page | [`Reply::Done`] | `{kind: "done", id, errors, model, selected, wasmBytes, timings}` |
//!
//! Requests are handled one at a time in arrival order. Cancel is `Worker.terminate()` on
//! the page side; the page then seeds a fresh worker with the model it shows before the
//! next load.

use crate::js;
use js_sys::{Array, ArrayBuffer};
use spanorama_core::backend::Backend;
use spanorama_core::state::{LoadPhase, LoadProgress};
use wasm_bindgen::{JsCast, JsValue};

/// Something to read: a file, or a URL to fetch.
pub enum Source {
    File {
        name: String,
        file: web_sys::File,
    },
    /// `name` as the user gave it; `url` absolute; `backend` when it is a tracing backend's
    /// query API (asked for JSON; its failures explained by `core::backend`).
    Url {
        name: String,
        url: String,
        backend: Option<BackendFetch>,
    },
}

/// A request to a tracing backend's query API.
#[derive(Clone, PartialEq, Debug)]
pub struct BackendFetch {
    pub backend: Backend,
    /// The trace asked for, if it is one: a 404 says that trace is not found, and Jaeger is
    /// asked again on its api_v3.
    pub trace: Option<String>,
}

impl Source {
    /// A download from `backend` (named by its URL, so that errors name it).
    pub fn backend(backend: &Backend, url: String, trace: Option<&str>) -> Source {
        Source::Url {
            name: url.clone(),
            url,
            backend: Some(BackendFetch {
                backend: backend.clone(),
                trace: trace.map(|t| t.trim().to_string()),
            }),
        }
    }
}

impl Source {
    /// A file, named by its name.
    pub fn file(file: web_sys::File) -> Source {
        Source::File {
            name: file.name(),
            file,
        }
    }

    /// The name shown for it: the file's name or the URL as typed.
    pub fn name(&self) -> &str {
        match self {
            Source::File { name, .. } | Source::Url { name, .. } => name,
        }
    }
}

/// From the page to the worker.
pub enum Request {
    /// Read, import and merge these sources; answer with progress, parts and `Done`.
    Load { id: u32, sources: Vec<Source> },
    /// A part of the page's model (model::wire), for a fresh worker.
    Seed { part: ArrayBuffer },
    /// The page's model is all sent: the worker's model becomes it (empty if no part came).
    SeedEnd,
}

/// From the worker to the page.
pub enum Reply {
    Ready,
    Progress(LoadProgress),
    /// A part of the merged model (model::wire), for load `id`.
    Part {
        id: u32,
        part: ArrayBuffer,
    },
    Done(Done),
}

/// The end of a load.
pub struct Done {
    pub id: u32,
    /// One "<source>: <reason>" per source that failed.
    pub errors: Vec<String>,
    /// Whether model parts were sent (something loaded).
    pub model: bool,
    /// The first trace with spans of this load's files.
    pub selected: Option<usize>,
    /// The worker's wasm memory after the load, bytes.
    pub wasm_bytes: f64,
    /// Where the time went, for the benchmark (`window.spanoramaStats().workerTimings`).
    pub timings: Timings,
}

/// Where a load's time went in the worker, ms unless named otherwise.
#[derive(Clone, Default, Debug)]
pub struct Timings {
    pub read_ms: f64,
    /// Of reading: waiting for the browser's chunks, and copying them into wasm memory.
    pub read_io_ms: f64,
    pub read_copy_ms: f64,
    pub read_chunks: f64,
    pub parse_ms: f64,
    /// Of parsing: done between the chunks of a read.
    pub streamed_parse_ms: f64,
    pub parsed_bytes: f64,
    pub build_ms: f64,
    pub send_ms: f64,
    /// Wall-clock start and end of the load, ms since the epoch.
    pub started_at: f64,
    pub done_at: f64,
}

impl Timings {
    fn fields(&self) -> [(&'static str, f64); 11] {
        [
            ("readMs", self.read_ms),
            ("readIoMs", self.read_io_ms),
            ("readCopyMs", self.read_copy_ms),
            ("readChunks", self.read_chunks),
            ("parseMs", self.parse_ms),
            ("streamedParseMs", self.streamed_parse_ms),
            ("parsedBytes", self.parsed_bytes),
            ("buildMs", self.build_ms),
            ("sendMs", self.send_ms),
            ("startedAt", self.started_at),
            ("doneAt", self.done_at),
        ]
    }

    /// As a plain JS object (the benchmark reads it).
    pub fn to_js(&self) -> JsValue {
        let fields: Vec<(&str, JsValue)> = self
            .fields()
            .iter()
            .map(|&(k, v)| (k, JsValue::from(v)))
            .collect();
        js::object(&fields).into()
    }

    fn from_js(value: &JsValue) -> Timings {
        let n = |k| js::number(value, k);
        Timings {
            read_ms: n("readMs"),
            read_io_ms: n("readIoMs"),
            read_copy_ms: n("readCopyMs"),
            read_chunks: n("readChunks"),
            parse_ms: n("parseMs"),
            streamed_parse_ms: n("streamedParseMs"),
            parsed_bytes: n("parsedBytes"),
            build_ms: n("buildMs"),
            send_ms: n("sendMs"),
            started_at: n("startedAt"),
            done_at: n("doneAt"),
        }
    }
}

/// A message and the buffers it transfers (moved, not copied, to the other side).
pub struct Encoded {
    pub message: JsValue,
    pub transfer: Option<Array>,
}

impl Encoded {
    fn plain(fields: &[(&str, JsValue)]) -> Encoded {
        Encoded {
            message: js::object(fields).into(),
            transfer: None,
        }
    }

    fn with_part(fields: &[(&str, JsValue)], part: &ArrayBuffer) -> Encoded {
        Encoded {
            message: js::object(fields).into(),
            transfer: Some(Array::of1(part)),
        }
    }
}

impl Request {
    pub fn encode(&self) -> Encoded {
        match self {
            Request::Load { id, sources } => {
                let list: Array = sources.iter().map(encode_source).collect();
                Encoded::plain(&[
                    ("kind", "load".into()),
                    ("id", (*id).into()),
                    ("sources", list.into()),
                ])
            }
            Request::Seed { part } => {
                Encoded::with_part(&[("kind", "seed".into()), ("part", part.into())], part)
            }
            Request::SeedEnd => Encoded::plain(&[("kind", "seed-end".into())]),
        }
    }

    /// The request in a message; `None` for anything else.
    pub fn decode(message: &JsValue) -> Option<Request> {
        Some(match js::string(message, "kind").as_str() {
            "load" => Request::Load {
                id: js::number(message, "id") as u32,
                sources: Array::from(&js::field(message, "sources"))
                    .iter()
                    .filter_map(|s| decode_source(&s))
                    .collect(),
            },
            "seed" => Request::Seed {
                part: js::field(message, "part").dyn_into().ok()?,
            },
            "seed-end" => Request::SeedEnd,
            _ => return None,
        })
    }
}

fn encode_source(source: &Source) -> JsValue {
    match source {
        Source::File { name, file } => {
            js::object(&[("name", name.into()), ("file", file.into())]).into()
        }
        Source::Url { name, url, backend } => {
            let mut fields = vec![("name", name.into()), ("url", url.into())];
            if let Some(b) = backend {
                fields.push(("backend", b.backend.to_param().into()));
                if let Some(trace) = &b.trace {
                    fields.push(("trace", trace.into()));
                }
            }
            js::object(&fields).into()
        }
    }
}

fn decode_source(value: &JsValue) -> Option<Source> {
    let name = js::string(value, "name");
    if let Ok(file) = js::field(value, "file").dyn_into::<web_sys::File>() {
        return Some(Source::File { name, file });
    }
    let url = js::field(value, "url").as_string()?;
    let backend = js::field(value, "backend")
        .as_string()
        .and_then(|b| Backend::parse(&b).ok())
        .map(|backend| BackendFetch {
            backend,
            trace: js::field(value, "trace").as_string(),
        });
    Some(Source::Url { name, url, backend })
}

impl Reply {
    pub fn encode(&self) -> Encoded {
        match self {
            Reply::Ready => Encoded::plain(&[("kind", "ready".into())]),
            Reply::Progress(p) => Encoded::plain(&[
                ("kind", "progress".into()),
                ("id", p.id.into()),
                ("source", p.source.as_str().into()),
                ("phase", p.phase.name().into()),
                ("done", p.done.into()),
                ("total", p.total.into()),
                ("spans", (p.spans as f64).into()),
            ]),
            Reply::Part { id, part } => Encoded::with_part(
                &[
                    ("kind", "part".into()),
                    ("id", (*id).into()),
                    ("part", part.into()),
                ],
                part,
            ),
            Reply::Done(done) => {
                let errors: Array = done.errors.iter().map(|e| JsValue::from_str(e)).collect();
                let selected = done.selected.map_or(-1.0, |i| i as f64);
                Encoded::plain(&[
                    ("kind", "done".into()),
                    ("id", done.id.into()),
                    ("errors", errors.into()),
                    ("model", done.model.into()),
                    ("selected", selected.into()),
                    ("wasmBytes", done.wasm_bytes.into()),
                    ("timings", done.timings.to_js()),
                ])
            }
        }
    }

    /// The reply in a message; `None` for anything else.
    pub fn decode(message: &JsValue) -> Option<Reply> {
        let id = js::number(message, "id") as u32;
        Some(match js::string(message, "kind").as_str() {
            "ready" => Reply::Ready,
            "progress" => Reply::Progress(LoadProgress {
                id,
                source: js::string(message, "source"),
                phase: LoadPhase::from_name(&js::string(message, "phase"))?,
                done: js::number(message, "done"),
                total: js::number(message, "total"),
                spans: js::number(message, "spans") as u64,
            }),
            "part" => Reply::Part {
                id,
                part: js::field(message, "part").dyn_into().ok()?,
            },
            "done" => {
                let selected = js::number(message, "selected");
                Reply::Done(Done {
                    id,
                    errors: Array::from(&js::field(message, "errors"))
                        .iter()
                        .filter_map(|e| e.as_string())
                        .collect(),
                    model: js::field(message, "model").as_bool().unwrap_or(false),
                    selected: (selected >= 0.0).then_some(selected as usize),
                    wasm_bytes: js::number(message, "wasmBytes"),
                    timings: Timings::from_js(&js::field(message, "timings")),
                })
            }
            _ => return None,
        })
    }
}
