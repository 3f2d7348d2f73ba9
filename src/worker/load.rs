//! A load request, step by step: import each source (read while parsed), merge what loaded
//! into the worker's model, hand the model to the page (the store first, then the trees,
//! built while the page decodes the store), and sum up.

use super::protocol::{Done, Reply, Source, Timings};
use super::read::{read_source, ReadStats};
use super::{post, State};
use crate::js;
use spanorama_core::import::{ImportError, StreamImport};
use spanorama_core::model::wire::{Encoder, PART_BYTES};
use spanorama_core::model::{build_traces, Store, Trace};
use spanorama_core::state::{LoadPhase, LoadProgress};
use std::cell::{Cell, RefCell};

/// Progress messages are sent at most this often (ms), so the page re-renders rarely.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Throttled progress of one load.
pub(super) struct Progress {
    id: u32,
    last_ms: f64,
}

impl Progress {
    /// Sends progress now if `force` or if the last was sent long enough ago.
    pub(super) fn send(
        &mut self,
        source: &str,
        phase: LoadPhase,
        done: f64,
        total: f64,
        spans: usize,
        force: bool,
    ) {
        let now = crate::js::epoch_ms();
        if !force && now - self.last_ms < PROGRESS_EVERY_MS {
            return;
        }
        self.last_ms = now;
        post(&Reply::Progress(LoadProgress {
            id: self.id,
            source: source.to_string(),
            phase,
            done,
            total,
            spans: spans as u64,
        }));
    }
}

/// Handles load `id` of `sources`; the reply that ends it.
pub(super) async fn load(state: &RefCell<State>, id: u32, sources: &[Source]) -> Done {
    let mut timings = Timings {
        started_at: crate::js::epoch_ms(),
        ..Timings::default()
    };
    let mut progress = Progress { id, last_ms: 0.0 };
    let mut added = Vec::new();
    let mut errors = Vec::new();
    for source in sources {
        match import_source(source, &mut progress, &mut timings).await {
            Ok(store) => added.push(store),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let model = !added.is_empty();
    let selected = if model {
        send_model(
            &mut state.borrow_mut().store,
            added,
            &mut progress,
            &mut timings,
        )
    } else {
        None
    };
    timings.done_at = crate::js::epoch_ms();
    Done {
        id,
        errors,
        model,
        selected,
        wasm_bytes: js::wasm_memory_bytes(),
        timings,
    }
}

/// Reads and imports one source: parsed while read when its format allows, otherwise (or
/// when streaming stopped after the file's head was dropped) read again whole.
async fn import_source(
    source: &Source,
    progress: &mut Progress,
    timings: &mut Timings,
) -> Result<Store, ImportError> {
    let name = source.name();
    let fail = |message: String| ImportError {
        file: name.to_string(),
        message,
    };
    let started = crate::js::epoch_ms();
    progress.send(name, LoadPhase::Reading, 0.0, 0.0, 0, true);
    // Spans parsed so far, for progress.
    let spans = Cell::new(0);
    let mut count_spans = |n: usize| spans.set(n);
    let mut stream = StreamImport::new(name, 0, &mut count_spans);
    let mut stats = ReadStats::default();
    let kept = read_source(source, &mut stream, progress, &spans, &mut stats, true).await;
    let read_done = crate::js::epoch_ms();
    timings.add_read(&stats, read_done - started);
    let kept = kept.map_err(&fail)?;
    let total = (kept.offset + kept.bytes.len()) as f64;
    timings.parsed_bytes += total;
    progress.send(name, LoadPhase::Parsing, total, total, spans.get(), true);
    let result = match stream.finish_at(&kept.bytes, kept.offset) {
        Ok(result) => result,
        Err(mut again) => {
            // The file is not laid out as its start said: read it again, whole.
            drop(kept);
            let mut stats = ReadStats::default();
            let whole = read_source(source, &mut again, progress, &spans, &mut stats, false).await;
            again.finish(&whole.map_err(&fail)?.bytes)
        }
    };
    timings.parse_ms += crate::js::epoch_ms() - read_done;
    result
}

/// Merges `added` into `model` and sends the model to the page: the store's parts first
/// (the page decodes them while the trees are built here), then the trees'. Returns the
/// first trace with spans of the added files.
fn send_model(
    model: &mut Store,
    added: Vec<Store>,
    progress: &mut Progress,
    timings: &mut Timings,
) -> Option<usize> {
    let first_new_file = model.files.len() as u32;
    for store in added {
        model.append(store);
    }
    let model = &*model;
    let spans = model.spans.len();
    let mut mark = crate::js::epoch_ms();
    let mut lap = |into: &mut f64| {
        let now = crate::js::epoch_ms();
        *into += now - mark;
        mark = now;
    };
    let mut encoder = Encoder::store_first(model, PART_BYTES);
    let sent = send_parts(&mut encoder, progress, 0, spans);
    lap(&mut timings.send_ms);
    progress.send("", LoadPhase::Building, 0.0, spans as f64, spans, true);
    let traces = build_traces(model);
    let selected = first_trace_of(model, &traces, first_new_file);
    lap(&mut timings.build_ms);
    encoder.add_traces(&traces);
    send_parts(&mut encoder, progress, sent, spans);
    lap(&mut timings.send_ms);
    selected
}

/// The first trace with a span from file `first_file` or a later one.
fn first_trace_of(model: &Store, traces: &[Trace], first_file: u32) -> Option<usize> {
    traces.iter().position(|t| {
        t.spans.iter().any(|&i| {
            model
                .spans
                .get(i as usize)
                .is_some_and(|span| span.file >= first_file)
        })
    })
}

/// Posts the parts `encoder` has ready (transferred, not copied), reporting progress;
/// returns the bytes sent so far (`sent` before).
fn send_parts(
    encoder: &mut Encoder<'_>,
    progress: &mut Progress,
    mut sent: usize,
    spans: usize,
) -> usize {
    while let Some(part) = encoder.next_part() {
        sent += part.len();
        let part_buffer = js::to_array_buffer(&part);
        drop(part);
        post(&Reply::Part {
            id: progress.id,
            part: part_buffer,
        });
        progress.send("", LoadPhase::Sending, sent as f64, 0.0, spans, false);
    }
    sent
}

impl Timings {
    /// Adds a source's reading: `wall_ms` in all, of which `stats.parse_ms` parsing.
    fn add_read(&mut self, stats: &ReadStats, wall_ms: f64) {
        self.read_ms += wall_ms - stats.parse_ms;
        self.read_io_ms += stats.io_ms;
        self.read_copy_ms += stats.copy_ms;
        self.read_chunks += stats.chunks as f64;
        self.parse_ms += stats.parse_ms;
        self.streamed_parse_ms += stats.parse_ms;
    }
}
