//! Native import benchmark: generates traces with `spanorama_gen` (deterministic) and times
//! `import::import` and `model::build_traces` on them, and the OTLP export of the imported
//! model (`export::OtlpWriter`, in the page's 256 KB pieces; MB/s of OTLP written). Prints a
//! table; it asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench import                 # 10k and 100k spans
//!     SPANORAMA_BENCH_SIZES=10000,1000000 cargo bench -p spanorama-core --bench import
//!     SPANORAMA_BENCH_FORMATS=otlp SPANORAMA_BENCH_RUNS=20 cargo bench -p spanorama-core --bench import
//!
//! Import figures are the best and the median of a few runs (the machine is shared), in MB/s
//! of input JSON. `SPANORAMA_BENCH_FORMATS` (otlp, jaeger, zipkin) and `SPANORAMA_BENCH_RUNS`
//! narrow and lengthen a run, e.g. under `perf record`.
//!
//! `SPANORAMA_BENCH_READER=stream` times the streaming reader instead (`StreamImport` handed
//! the whole file once, at its end); `SPANORAMA_BENCH_READER=both` times the two in turn in
//! one process (whole, stream, stream, whole, …) and prints their medians and ratio, which a
//! shared machine's swings disturb less than separate runs.

use spanorama_core::export::OtlpWriter;
use spanorama_core::import::{import, ImportError, StreamImport};
use spanorama_core::model::build_traces;
use spanorama_core::model::Store;
use spanorama_gen::{self as gen, Format};
use std::time::Instant;

mod common;

fn main() {
    let sizes = common::sizes(&[10_000, 100_000]);
    let formats: Vec<Format> = match std::env::var("SPANORAMA_BENCH_FORMATS") {
        Ok(list) => list
            .split(',')
            .filter_map(|f| match f.trim().to_ascii_lowercase().as_str() {
                "otlp" => Some(Format::Otlp),
                "jaeger" => Some(Format::Jaeger),
                "zipkin" => Some(Format::Zipkin),
                _ => None,
            })
            .collect(),
        Err(_) => vec![Format::Otlp, Format::Jaeger, Format::Zipkin],
    };
    let reader = std::env::var("SPANORAMA_BENCH_READER").unwrap_or_default();
    let read: Reader = match reader.trim() {
        "stream" => read_streamed,
        _ => read_whole,
    };
    let runs_wanted: Option<usize> = std::env::var("SPANORAMA_BENCH_RUNS")
        .ok()
        .and_then(|n| n.trim().parse().ok());
    println!(
        "{:<8} {:>10} {:>10} {:>12} {:>12} {:>12} {:>12} {:>10} {:>14}",
        "format",
        "spans",
        "MB",
        "import s",
        "best MB/s",
        "median MB/s",
        "trees s",
        "B/span",
        "export MB/s"
    );
    for &spans in &sizes {
        for &format in &formats {
            let (bytes, _) = match gen::to_bytes(&common::one_trace(spans), format) {
                Ok(out) => out,
                Err(e) => {
                    eprintln!("generator failed: {e}");
                    std::process::exit(1);
                }
            };
            let runs = runs_wanted
                .unwrap_or(if spans >= 1_000_000 { 3 } else { 5 })
                .max(1);
            if reader.trim() == "both" {
                compare_readers(&format!("{format:?}"), spans, &bytes, runs);
                continue;
            }
            let mut import_secs = Vec::with_capacity(runs);
            let mut best_trees = f64::MAX;
            let mut held = 0usize;
            let mut best_export = (f64::MAX, 0usize);
            for _ in 0..runs {
                let t = Instant::now();
                let store = match read(&bytes) {
                    Ok(store) => store,
                    Err(e) => {
                        eprintln!("import failed: {e}");
                        std::process::exit(1);
                    }
                };
                import_secs.push(t.elapsed().as_secs_f64());
                let t = Instant::now();
                let traces = build_traces(&store);
                best_trees = best_trees.min(t.elapsed().as_secs_f64());
                held = approx_bytes(&store) + traces.iter().map(|t| t.len() * 20).sum::<usize>();
                let t = Instant::now();
                let mut writer = OtlpWriter::all(&store);
                let mut written = 0;
                while let Some(piece) = writer.next_chunk(256 * 1024) {
                    written += piece.len();
                }
                let secs = t.elapsed().as_secs_f64();
                if secs < best_export.0 {
                    best_export = (secs, written);
                }
            }
            import_secs.sort_by(f64::total_cmp);
            let best_import = import_secs[0];
            let median_import = import_secs[import_secs.len() / 2];
            let mb = bytes.len() as f64 / 1e6;
            println!(
                "{:<8} {:>10} {:>10.1} {:>12.3} {:>12.0} {:>12.0} {:>12.3} {:>10.0} {:>14.0}",
                format!("{format:?}"),
                spans,
                mb,
                best_import,
                mb / best_import,
                mb / median_import,
                best_trees,
                held as f64 / spans as f64,
                best_export.1 as f64 / 1e6 / best_export.0
            );
        }
    }
}

/// An import of a whole file's bytes.
type Reader = fn(&[u8]) -> Result<Store, ImportError>;

fn read_whole(bytes: &[u8]) -> Result<Store, ImportError> {
    import("bench.json", bytes)
}

/// The streaming reader, handed the whole file once, at its end.
fn read_streamed(bytes: &[u8]) -> Result<Store, ImportError> {
    StreamImport::new("bench.json", bytes.len(), &mut |_| {}).finish(bytes)
}

/// Times [`read_whole`] and [`read_streamed`] in turn, `runs` times each, and prints their
/// median MB/s and the stream's median over the whole read's.
fn compare_readers(format: &str, spans: usize, bytes: &[u8], runs: usize) {
    let readers: [Reader; 2] = [read_whole, read_streamed];
    let mut secs = [Vec::new(), Vec::new()];
    for run in 0..runs {
        for i in [run % 2, 1 - run % 2] {
            let t = Instant::now();
            if let Err(e) = readers[i](bytes) {
                eprintln!("import failed: {e}");
                std::process::exit(1);
            }
            secs[i].push(t.elapsed().as_secs_f64());
        }
    }
    let mb = bytes.len() as f64 / 1e6;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        mb / v[v.len() / 2]
    };
    let (whole, streamed) = (median(&mut secs[0]), median(&mut secs[1]));
    println!(
        "{format:<8} {spans:>10} {mb:>10.1}   whole {whole:>6.0} MB/s   stream {streamed:>6.0} MB/s   \
         stream/whole {:.3}",
        streamed / whole
    );
}

/// Bytes the store holds in its arrays (strings, spans, attributes, events, links).
fn approx_bytes(store: &spanorama_core::model::Store) -> usize {
    use std::mem::size_of;
    store.strings.heap_bytes()
        + store.spans.capacity() * size_of::<spanorama_core::model::Span>()
        + store.attrs.capacity() * size_of::<spanorama_core::model::PackedAttr>()
        + store.events.capacity() * size_of::<spanorama_core::model::Event>()
        + store.links.capacity() * size_of::<spanorama_core::model::Link>()
        + store.resources.capacity() * size_of::<spanorama_core::model::Resource>()
}
