//! Native import benchmark: generates traces with `spanorama::gen` (deterministic) and times
//! `import::import` and `model::build_traces` on them. Prints a table; it asserts nothing.
//!
//!     cargo bench --bench import                 # 10k and 100k spans
//!     SPANORAMA_BENCH_SIZES=10000,1000000 cargo bench --bench import
//!
//! Each figure is the best of a few runs (the machine is shared), in MB/s of input JSON.

use spanorama::gen::{self, Format};
use spanorama::import::import;
use spanorama::model::build_traces;
use std::time::Instant;

mod common;

fn main() {
    let sizes = common::sizes(&[10_000, 100_000]);
    println!(
        "{:<8} {:>10} {:>10} {:>12} {:>12} {:>12} {:>10}",
        "format", "spans", "MB", "import s", "import MB/s", "trees s", "B/span"
    );
    for &spans in &sizes {
        for format in [Format::Otlp, Format::Jaeger] {
            let (bytes, _) = match gen::to_bytes(&common::one_trace(spans), format) {
                Ok(out) => out,
                Err(e) => {
                    eprintln!("generator failed: {e}");
                    std::process::exit(1);
                }
            };
            let runs = if spans >= 1_000_000 { 1 } else { 3 };
            let mut best_import = f64::MAX;
            let mut best_trees = f64::MAX;
            let mut held = 0usize;
            for _ in 0..runs {
                let t = Instant::now();
                let store = match import("bench.json", &bytes) {
                    Ok(store) => store,
                    Err(e) => {
                        eprintln!("import failed: {e}");
                        std::process::exit(1);
                    }
                };
                best_import = best_import.min(t.elapsed().as_secs_f64());
                let t = Instant::now();
                let traces = build_traces(&store);
                best_trees = best_trees.min(t.elapsed().as_secs_f64());
                held = approx_bytes(&store) + traces.iter().map(|t| t.len() * 20).sum::<usize>();
            }
            let mb = bytes.len() as f64 / 1e6;
            println!(
                "{:<8} {:>10} {:>10.1} {:>12.3} {:>12.0} {:>12.3} {:>10.0}",
                format!("{format:?}"),
                spans,
                mb,
                best_import,
                mb / best_import,
                best_trees,
                held as f64 / spans as f64
            );
        }
    }
}

/// Bytes the store holds in its arrays (strings, spans, attributes, events, links).
fn approx_bytes(store: &spanorama::model::Store) -> usize {
    use std::mem::size_of;
    store.strings.heap_bytes()
        + store.spans.capacity() * size_of::<spanorama::model::Span>()
        + store.attrs.capacity() * size_of::<spanorama::model::Attr>()
        + store.events.capacity() * size_of::<spanorama::model::Event>()
        + store.links.capacity() * size_of::<spanorama::model::Link>()
        + store.resources.capacity() * size_of::<spanorama::model::Resource>()
}
