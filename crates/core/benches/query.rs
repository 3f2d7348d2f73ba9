//! Native span-search benchmark: `model::TraceSearch` over one generated trace
//! (`spanorama_gen`, deterministic), for free text and for structured queries. Prints a
//! table; asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench query                 # 1M spans
//!     SPANORAMA_BENCH_SIZES=100000 cargo bench -p spanorama-core --bench query
//!     SPANORAMA_BENCH_QUERIES='GET;service:cart' cargo bench -p spanorama-core --bench query
//!
//! Per query, over five runs: *prepare*, the best time of `TraceSearch::new` (parsing and
//! the work done once per query: strings and resources); *search*, the best and median time
//! of a whole search (prepare, then one step over every span); *cpu*, the best thread CPU
//! time of a whole search (from `/proc/thread-self/schedstat`, Linux only), which a busy
//! shared machine inflates less; *step*, the longest step of a search in the page's steps of
//! `SEARCH_STEP_SPANS` (in the run where it was shortest). All in ms.

use spanorama_core::model::{Store, Trace, TraceSearch};
use spanorama_core::state::SEARCH_STEP_SPANS;
use std::time::Instant;

mod common;

/// Free text (words, an event name, a span id), one term of each kind, three terms, and
/// free text with terms.
const QUERIES: &[&str] = &[
    "GET",
    "postgres",
    "exception",
    "a1b2",
    "service:checkout",
    "http.response.status_code=500",
    "duration>10ms",
    "service:checkout kind:client duration>1ms",
    "postgres -error duration>1ms",
];

const RUNS: usize = 5;

fn main() {
    let sizes = common::sizes(&[1_000_000]);
    let queries: Vec<String> = match std::env::var("SPANORAMA_BENCH_QUERIES") {
        Ok(list) => list.split(';').map(str::to_string).collect(),
        Err(_) => QUERIES.iter().map(|q| q.to_string()).collect(),
    };
    println!(
        "{:>10} {:<44} {:>8} {:>10} {:>10} {:>10} {:>8} {:>8}",
        "spans", "query", "matches", "prepare", "search", "median", "cpu", "step"
    );
    for &spans in &sizes {
        let store = common::generated(&common::one_trace(spans));
        let trace = common::first_trace(&store);
        for query in &queries {
            run(&store, &trace, query);
        }
    }
}

fn run(store: &Store, trace: &Trace, query: &str) {
    let mut prepare = f64::MAX;
    let mut whole = Vec::with_capacity(RUNS);
    let mut cpu = f64::MAX;
    let mut longest_step = 0f64;
    let mut matches = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        std::hint::black_box(TraceSearch::new(store, trace, query));
        prepare = prepare.min(ms(t));

        let (t, before) = (Instant::now(), cpu_nanos());
        let mut search = TraceSearch::new(store, trace, query);
        while !search.step(store, trace, usize::MAX) {}
        matches = search.into_matches().len();
        whole.push(ms(t));
        if let (Some(before), Some(after)) = (before, cpu_nanos()) {
            cpu = cpu.min(after.saturating_sub(before) as f64 / 1e6);
        }

        let mut search = TraceSearch::new(store, trace, query);
        let mut step_ms = 0f64;
        loop {
            let t = Instant::now();
            let done = search.step(store, trace, SEARCH_STEP_SPANS);
            step_ms = step_ms.max(ms(t));
            if done {
                break;
            }
        }
        longest_step = if longest_step == 0.0 {
            step_ms
        } else {
            longest_step.min(step_ms)
        };
    }
    whole.sort_by(f64::total_cmp);
    println!(
        "{:>10} {:<44} {:>8} {:>10.2} {:>10.2} {:>10.2} {:>8} {:>8.2}",
        trace.len(),
        query,
        matches,
        prepare,
        whole[0],
        whole[whole.len() / 2],
        if cpu < f64::MAX {
            format!("{cpu:.2}")
        } else {
            "-".to_string()
        },
        longest_step
    );
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

/// CPU time of this thread so far, ns (Linux only).
fn cpu_nanos() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
