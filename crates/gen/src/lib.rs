//! Deterministic generator of realistic microservice traces, for the bundled examples, for
//! tests and for benchmarks.
//!
//! Traces come from a made-up online shop of 21 services (frontend, api-gateway, auth, cart,
//! checkout, payment, … postgres, redis, kafka, and a batch `order-sync`; see
//! `gen/catalogue.rs`): HTTP and gRPC calls as client/server span pairs, database and cache
//! commands, Kafka messages consumed asynchronously by one or more consumer groups,
//! in-process work, 1–6 children per span, a few percent failing spans whose errors travel
//! up to some ancestors, `exception` events, links, and attributes of every OTLP value type.
//! Everything follows from [`GenConfig::seed`]: same seed, same bytes, on every platform
//! (integer arithmetic and IEEE-exact float operations only).
//!
//! Small traces are shop requests (a page view, a checkout). Big ones grow the way real big
//! traces do, through loops rather than ever deeper nesting (`gen/plan.rs`): N+1 queries,
//! per-item calls, and a nightly marketplace sync that pages through orders and imports them
//! in Kafka batches, so a 10,000-, 100,000- or 1,000,000-span trace keeps the depth of its
//! call graph (15–20), uses most services and has 1–6 children per span.
//!
//! Output is written span by span into any `io::Write` ([`write`]), never built as a JSON
//! value tree, so a 1,000,000-span trace needs memory for its compact span records only
//! (~48 bytes a span). Formats: OTLP JSON, Jaeger query JSON and Zipkin v2 JSON ([`Format`]).

mod catalogue;
mod detail;
mod formats;
mod json_out;
mod plan;
mod rng;
mod shape;

pub use rng::Rng;
pub use shape::{Fault, GenSpan, GenTrace, Role, NO_PARENT};

use catalogue::Catalogue;
use json_out::JsonOut;
use plan::Sizes;
use std::io::{self, Write};

/// An output format of the generator.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Format {
    /// OTLP JSON `TracesData` (`resourceSpans` → `scopeSpans` → `spans`).
    Otlp,
    /// Jaeger query JSON (`{"data": [trace]}`).
    Jaeger,
    /// Zipkin v2 JSON (a flat array of spans).
    Zipkin,
}

impl Format {
    /// Parses `otlp`, `jaeger` or `zipkin` (any case).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "otlp" => Some(Format::Otlp),
            "jaeger" => Some(Format::Jaeger),
            "zipkin" => Some(Format::Zipkin),
            _ => None,
        }
    }

    /// Lower-case name, as [`Format::from_name`] accepts it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Otlp => "otlp",
            Format::Jaeger => "jaeger",
            Format::Zipkin => "zipkin",
        }
    }
}

/// 2024-05-14 09:30:00 UTC, the default start of the first trace.
pub const DEFAULT_START_UNIX_NANOS: i64 = 1_715_679_000_000_000_000;

/// The largest trace the generator makes.
pub const MAX_SPANS_PER_TRACE: usize = 100_000_000;

/// What to generate. Every field takes part in the output; equal configs give equal bytes.
#[derive(Clone, PartialEq, Debug)]
pub struct GenConfig {
    /// Everything random follows from it: same seed (and other fields), same bytes.
    pub seed: u64,
    /// Number of traces.
    pub traces: usize,
    /// Spans per trace: each trace gets a uniformly drawn count in `spans_min..=spans_max`
    /// (exactly that many spans).
    pub spans_min: usize,
    /// Inclusive; at most [`MAX_SPANS_PER_TRACE`].
    pub spans_max: usize,
    /// Start of the first trace, ns since the Unix epoch. Later traces start 20 ms – 1.5 s
    /// after the one before.
    pub start_unix_nanos: i64,
    /// The operation every trace starts with: a frontend route (e.g.
    /// `"POST /cart/checkout"`) or the batch job `"POST /jobs/marketplace-sync"`. `None`
    /// picks one per trace: a shop request that holds the trace's span count with room to
    /// spare (a few hundred spans at most), otherwise the batch job.
    pub root_operation: Option<String>,
    /// Most children a span may have (clamped to 1–6).
    pub max_fanout: u32,
    /// Multiplies the failure probabilities (1.0: about 2–5 % of spans fail; 0: none).
    pub error_scale: f64,
    /// Indent the JSON (two spaces) instead of writing it compactly.
    pub pretty: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 1,
            traces: 1,
            spans_min: 100,
            spans_max: 100,
            start_unix_nanos: DEFAULT_START_UNIX_NANOS,
            root_operation: None,
            max_fanout: 6,
            error_scale: 1.0,
            pretty: false,
        }
    }
}

/// Figures about a generated file.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct GenStats {
    pub traces: usize,
    pub spans: usize,
    /// Spans with an error status.
    pub error_spans: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Produces the traces of a [`GenConfig`] one at a time (so a caller can write a huge file
/// while holding one trace in memory).
pub struct Generator {
    cat: Catalogue,
    sizes: Sizes,
    cfg: GenConfig,
    master: Rng,
    next_index: usize,
    next_start: i64,
    root_op: Option<u16>,
    previous: Option<(u128, u64)>,
}

impl Generator {
    /// A generator for `cfg`; `Err` names a bad setting.
    pub fn new(cfg: &GenConfig) -> Result<Generator, String> {
        let cat = Catalogue::new();
        if !cat.unresolved.is_empty() {
            return Err(format!(
                "catalogue calls unknown operations: {:?}",
                cat.unresolved
            ));
        }
        if cfg.spans_min == 0 || cfg.spans_min > cfg.spans_max {
            return Err(format!(
                "spans per trace must be a range 1 ≤ min ≤ max, got {}..{}",
                cfg.spans_min, cfg.spans_max
            ));
        }
        if cfg.spans_max > MAX_SPANS_PER_TRACE {
            return Err(format!(
                "at most {MAX_SPANS_PER_TRACE} spans per trace, got {}",
                cfg.spans_max
            ));
        }
        let root_op = match &cfg.root_operation {
            None => None,
            Some(name) => Some(cat.entry_index(name).ok_or_else(|| {
                let names: Vec<&str> = cat
                    .entries
                    .iter()
                    .map(|&o| cat.ops[o as usize].name)
                    .collect();
                format!(
                    "unknown root operation \"{name}\"; traces start with: {}",
                    names.join(", ")
                )
            })?),
        };
        Ok(Generator {
            master: Rng::new(cfg.seed),
            next_index: 0,
            next_start: cfg.start_unix_nanos,
            root_op,
            previous: None,
            sizes: Sizes::new(&cat, cfg.max_fanout),
            cfg: cfg.clone(),
            cat,
        })
    }

    /// Number of distinct services in the catalogue.
    pub fn service_count(&self) -> usize {
        self.cat.services.len()
    }

    /// Name of service `index` (as in [`GenSpan::service`]).
    pub fn service_name(&self, index: u16) -> &'static str {
        self.cat.services.get(index as usize).map_or("", |s| s.name)
    }

    /// Name of operation `index` (as in [`GenSpan::op`]).
    pub fn operation_name(&self, index: u16) -> &'static str {
        self.cat.ops.get(index as usize).map_or("", |o| o.name)
    }
}

impl Generator {
    /// The root of a trace of `spans` spans when the config names none: a shop request
    /// that holds that many spans with room to spare (at most half its capacity, so it does
    /// not look stuffed), otherwise a batch job (the one that holds most, if none holds all).
    fn pick_root(&self, rng: &mut Rng, spans: u64) -> u16 {
        let cat = &self.cat;
        let capacity = |op: u16| self.sizes.capacity(cat, &plan::serving_node(cat, op));
        let requests: Vec<u16> = cat
            .entries
            .iter()
            .copied()
            .filter(|o| !cat.jobs.contains(o))
            .filter(|&o| capacity(o) >= spans.saturating_mul(2))
            .collect();
        if let Some(&op) = rng.pick(&requests) {
            return op;
        }
        let jobs: Vec<u16> = cat
            .jobs
            .iter()
            .copied()
            .filter(|&o| capacity(o) >= spans)
            .collect();
        if let Some(&op) = rng.pick(&jobs) {
            return op;
        }
        let biggest = cat
            .entries
            .iter()
            .copied()
            .max_by_key(|&o| (capacity(o), std::cmp::Reverse(o)));
        biggest.unwrap_or(0)
    }
}

impl Iterator for Generator {
    type Item = GenTrace;

    fn next(&mut self) -> Option<GenTrace> {
        if self.next_index >= self.cfg.traces {
            return None;
        }
        let index = self.next_index;
        self.next_index += 1;
        let seed = self.master.next_u64();
        let span_count = self
            .master
            .range(self.cfg.spans_min as u64, self.cfg.spans_max as u64);
        let start = self.next_start;
        self.next_start += self.master.uniform(20e6, 1.5e9) as i64;

        let mut rng = Rng::new(seed);
        let trace_id = ((rng.next_u64() as u128) << 64 | rng.next_u64() as u128).max(1);
        let root_op = match self.root_op {
            Some(op) => op,
            None => self.pick_root(&mut rng, span_count),
        };
        let params = shape::ShapeParams {
            span_count: span_count as u32,
            root_op,
            start_unix_nanos: start,
            error_scale: self.cfg.error_scale,
        };
        let spans = shape::build(&self.cat, &self.sizes, &mut rng, &params);
        let trace = GenTrace {
            index,
            trace_id,
            seed,
            previous: self.previous,
            spans,
        };
        self.previous = trace.spans.first().map(|root| (trace_id, root.span_id));
        Some(trace)
    }
}

/// Generates `cfg` as `format` into `out`.
pub fn write<W: Write>(cfg: &GenConfig, format: Format, out: W) -> io::Result<GenStats> {
    let generator =
        Generator::new(cfg).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let cat = Catalogue::new();
    let mut w = formats::Writer::new(&cat, cfg.seed);
    let mut j = JsonOut::new(out, cfg.pretty);
    let mut stats = GenStats::default();
    match format {
        Format::Otlp => {
            j.begin_object();
            j.key("resourceSpans");
            j.begin_array();
        }
        Format::Jaeger => {
            j.begin_object();
            j.key("data");
            j.begin_array();
        }
        Format::Zipkin => j.begin_array(),
    }
    for trace in generator {
        stats.traces += 1;
        stats.spans += trace.spans.len();
        stats.error_spans += formats::error_count(&trace);
        match format {
            Format::Otlp => w.otlp_trace(&mut j, &trace),
            Format::Jaeger => w.jaeger_trace(&mut j, &trace),
            Format::Zipkin => w.zipkin_trace(&mut j, &trace),
        }
    }
    j.end_array();
    match format {
        Format::Otlp => j.end_object(),
        Format::Jaeger => {
            for key in ["total", "limit", "offset"] {
                j.key(key);
                j.u64(0);
            }
            j.key("errors");
            j.null();
            j.end_object();
        }
        Format::Zipkin => {}
    }
    stats.bytes = j.finish()?;
    Ok(stats)
}

/// Generates `cfg` as `format` into memory.
pub fn to_bytes(cfg: &GenConfig, format: Format) -> Result<(Vec<u8>, GenStats), String> {
    let mut out = Vec::new();
    let stats = write(cfg, format, &mut out).map_err(|e| e.to_string())?;
    Ok((out, stats))
}

/// One of the example files bundled with the app (`static/examples/`).
#[derive(Clone, PartialEq, Debug)]
pub struct Example {
    pub file_name: &'static str,
    pub format: Format,
    pub config: GenConfig,
    /// One line for the example picker.
    pub description: &'static str,
}

/// The bundled examples. `spanorama-gen examples static/examples` writes them and
/// `tests/examples.rs` checks the committed files are exactly these bytes.
pub fn examples() -> Vec<Example> {
    vec![
        Example {
            file_name: "shop-checkout.otlp.json",
            format: Format::Otlp,
            config: GenConfig {
                // Seeds were picked by looking at candidates: this one has a checkout failing
                // because inventory is out of stock for one of its items.
                seed: 8554,
                traces: 1,
                spans_min: 64,
                spans_max: 64,
                root_operation: Some("POST /cart/checkout".into()),
                pretty: true,
                ..GenConfig::default()
            },
            description: "One checkout request through the shop (OTLP JSON, with errors)",
        },
        Example {
            file_name: "shop-traces.jaeger.json",
            format: Format::Jaeger,
            config: GenConfig {
                // All twenty shop services, the five frontend routes, errors in three traces.
                seed: 1482,
                traces: 12,
                spans_min: 5,
                spans_max: 60,
                pretty: true,
                ..GenConfig::default()
            },
            description: "Twelve shop requests of 5–60 spans (Jaeger JSON)",
        },
        Example {
            file_name: "big-fanout.otlp.json",
            format: Format::Otlp,
            config: GenConfig {
                seed: 1,
                traces: 1,
                spans_min: 5_000,
                spans_max: 5_000,
                root_operation: Some("POST /jobs/marketplace-sync".into()),
                pretty: false,
                ..GenConfig::default()
            },
            description: "One 5,000-span batch job: a marketplace order sync (OTLP JSON, compact)",
        },
    ]
}
