//! Span statistics on small hand-written traces (every figure worked out by hand), on
//! generated traces against a naive computation written here, and on real corpus files
//! against counts read from the files by other means.

use super::*;
use crate::import::import;
use crate::model::{build_traces, NO_PARENT};
use std::collections::BTreeMap;
use std::path::Path;

/// One span of a test file. Times in µs; an end of -1 is left out of the file, so the
/// span's end is unknown.
#[derive(Clone)]
struct S {
    trace: u8,
    service: &'static str,
    id: u64,
    parent: u64,
    name: &'static str,
    start: i64,
    end: i64,
    error: bool,
    /// Span and resource attributes; a value starting with `#` is an integer.
    attrs: Vec<(&'static str, &'static str)>,
    resource: Vec<(&'static str, &'static str)>,
}

/// A span of trace 1 named "op", without error or attributes.
fn span(service: &'static str, id: u64, parent: u64, start: i64, end: i64) -> S {
    S {
        trace: 1,
        service,
        id,
        parent,
        name: "op",
        start,
        end,
        error: false,
        attrs: Vec::new(),
        resource: Vec::new(),
    }
}

impl S {
    fn named(self, name: &'static str) -> S {
        S { name, ..self }
    }
    fn failed(self) -> S {
        S {
            error: true,
            ..self
        }
    }
    fn in_trace(self, trace: u8) -> S {
        S { trace, ..self }
    }
    fn attr(mut self, key: &'static str, value: &'static str) -> S {
        self.attrs.push((key, value));
        self
    }
    fn res(mut self, key: &'static str, value: &'static str) -> S {
        self.resource.push((key, value));
        self
    }
}

/// OTLP JSON attributes.
fn json_attrs(attrs: &[(&str, &str)]) -> String {
    let one = |(k, v): &(&str, &str)| {
        let value = match v.strip_prefix('#') {
            Some(int) => format!(r#"{{"intValue":"{int}"}}"#),
            None => format!(r#"{{"stringValue":{}}}"#, serde_json::json!(v)),
        };
        format!(r#"{{"key":{},"value":{value}}}"#, serde_json::json!(k))
    };
    attrs.iter().map(one).collect::<Vec<_>>().join(",")
}

/// An OTLP file of `spans`, one resource each.
fn otlp(spans: &[S]) -> Vec<u8> {
    let resources: Vec<String> = spans
        .iter()
        .map(|s| {
            let mut resource = vec![("service.name", s.service)];
            resource.extend(s.resource.iter().copied());
            let parent = match s.parent {
                0 => String::new(),
                p => format!("{p:016x}"),
            };
            let end = if s.end < 0 { 0 } else { s.end * 1000 };
            format!(
                r#"{{"resource":{{"attributes":[{}]}},"scopeSpans":[{{"spans":[{{
                "traceId":"{:032x}","spanId":"{:016x}","parentSpanId":"{parent}",
                "name":{},"startTimeUnixNano":"{}","endTimeUnixNano":"{end}",
                "status":{{"code":{}}},"attributes":[{}]}}]}}]}}"#,
                json_attrs(&resource),
                s.trace,
                s.id,
                serde_json::json!(s.name),
                s.start * 1000,
                if s.error { 2 } else { 0 },
                json_attrs(&s.attrs)
            )
        })
        .collect();
    format!(r#"{{"resourceSpans":[{}]}}"#, resources.join(",")).into_bytes()
}

fn load(spans: &[S]) -> (Store, Vec<Trace>) {
    let store = import("test.json", &otlp(spans)).unwrap();
    let traces = build_traces(&store);
    (store, traces)
}

fn stats(spans: &[S], group_by: &GroupBy) -> Vec<SpanStats> {
    let (store, traces) = load(spans);
    span_stats(&store, &traces, group_by)
}

/// The row labelled `label` (the only one).
fn row<'a>(stats: &'a [SpanStats], label: &str) -> &'a SpanStats {
    let mut rows = stats.iter().filter(|s| s.label == label);
    let found = rows.next().unwrap_or_else(|| panic!("no row {label:?}"));
    assert!(rows.next().is_none(), "two rows {label:?}");
    found
}

fn labels(stats: &[SpanStats]) -> Vec<&str> {
    stats.iter().map(|s| s.label.as_str()).collect()
}

const US: i64 = 1000;

#[test]
fn figures_by_service() {
    let stats = stats(
        &[
            span("web", 1, 0, 0, 100),
            span("cart", 2, 1, 10, 40).failed(),
            span("cart", 3, 1, 30, 60),
            // Runs past its parent: counts for the parent only up to its end.
            span("web", 4, 1, 50, 130),
        ],
        &GroupBy::Service,
    );
    // web's root: its children cover [10, 100] once, so 10 of its own; span 4 has no child.
    let web = SpanStats {
        key: "web".into(),
        label: "web".into(),
        count: 2,
        errors: 0,
        unknown_end: 0,
        total_nanos: 180 * US,
        self_nanos: 90 * US,
        mean_nanos: Some(90 * US),
        p50_nanos: Some(80 * US),
        p95_nanos: Some(100 * US),
        p99_nanos: Some(100 * US),
        max_nanos: Some(100 * US),
    };
    let cart = SpanStats {
        key: "cart".into(),
        label: "cart".into(),
        count: 2,
        errors: 1,
        unknown_end: 0,
        total_nanos: 60 * US,
        self_nanos: 60 * US,
        mean_nanos: Some(30 * US),
        p50_nanos: Some(30 * US),
        p95_nanos: Some(30 * US),
        p99_nanos: Some(30 * US),
        max_nanos: Some(30 * US),
    };
    assert_eq!(stats, [web, cart], "biggest total first");
    assert_eq!(stats[1].error_rate(), 0.5);
}

#[test]
fn self_time_counts_overlapping_children_once_and_clips_them() {
    let stats = stats(
        &[
            span("svc", 1, 0, 100, 200).named("root"),
            span("svc", 2, 1, 50, 120).named("early"), // counts from 100
            span("svc", 3, 1, 110, 150).named("nested"), // overlaps early by 10
            span("svc", 4, 3, 115, 125).named("inner"), // nested's, not root's
            span("svc", 5, 1, 250, 300).named("late"), // after the root ended
            span("svc", 6, 1, 190, 200).named("edge"),
        ],
        &GroupBy::Operation,
    );
    let self_of = |op: &str| row(&stats, &format!("svc · {op}")).self_nanos / US;
    assert_eq!(self_of("root"), 100 - 50 - 10);
    assert_eq!(self_of("early"), 70);
    assert_eq!(self_of("nested"), 40 - 10);
    assert_eq!(self_of("inner"), 10);
    assert_eq!(self_of("late"), 50);
    assert_eq!(self_of("edge"), 10);
    assert_eq!(row(&stats, "svc · root").total_nanos, 100 * US);
}

#[test]
fn spans_with_unknown_end_are_counted_but_not_timed() {
    let stats = stats(
        &[
            span("svc", 1, 0, 0, 100),
            span("svc", 2, 1, 20, -1).failed(), // covers nothing of its parent
            span("svc", 3, 2, 25, 35),
            span("svc", 4, 1, 50, 60),
            span("x", 5, 0, 10, -1),
        ],
        &GroupBy::Service,
    );
    let svc = row(&stats, "svc");
    assert_eq!((svc.count, svc.errors, svc.unknown_end), (4, 1, 1));
    assert_eq!(svc.total_nanos, 120 * US);
    assert_eq!(svc.self_nanos, (100 - 10 + 10 + 10) * US);
    assert_eq!(svc.mean_nanos, Some(40 * US));
    assert_eq!(
        (svc.p50_nanos, svc.p95_nanos),
        (Some(10 * US), Some(100 * US))
    );
    assert_eq!(svc.max_nanos, Some(100 * US));
    let x = row(&stats, "x");
    assert_eq!(
        (x.count, x.unknown_end, x.total_nanos, x.self_nanos),
        (1, 1, 0, 0)
    );
    assert_eq!((x.mean_nanos, x.p50_nanos, x.p99_nanos), (None, None, None));
    assert_eq!(x.max_nanos, None);
    assert_eq!(labels(&stats), ["svc", "x"]);
}

#[test]
fn percentiles_are_nearest_rank_of_known_durations() {
    let spans: Vec<S> = (1..=20)
        .map(|i| span("svc", i as u64, 0, i * 100, i * 100 + i))
        .collect();
    let stats = stats(&spans, &GroupBy::Service);
    let svc = row(&stats, "svc");
    assert_eq!(svc.count, 20);
    assert_eq!(svc.total_nanos, 210 * US);
    assert_eq!(svc.self_nanos, 210 * US);
    assert_eq!(svc.mean_nanos, Some(10_500));
    // Ranks ⌈0.5·20⌉ = 10, ⌈0.95·20⌉ = 19, ⌈0.99·20⌉ = 20.
    assert_eq!(svc.p50_nanos, Some(10 * US));
    assert_eq!(svc.p95_nanos, Some(19 * US));
    assert_eq!(svc.p99_nanos, Some(20 * US));
    assert_eq!(svc.max_nanos, Some(20 * US));
}

#[test]
fn operations_are_grouped_with_their_service() {
    let stats = stats(
        &[
            span("web", 1, 0, 0, 100).named("GET /cart"),
            span("web", 2, 1, 10, 20).named("GET /cart"),
            span("cart", 3, 1, 20, 30).named("GET /cart"),
            span("cart", 4, 1, 30, 70).named("load"),
        ],
        &GroupBy::Operation,
    );
    assert_eq!(
        labels(&stats),
        ["web · GET /cart", "cart · load", "cart · GET /cart"]
    );
    assert_eq!(row(&stats, "web · GET /cart").count, 2);
    assert_eq!(row(&stats, "web · GET /cart").key, "web · GET /cart");
    assert_eq!(row(&stats, "cart · GET /cart").count, 1);
}

#[test]
fn keys_stay_distinct_where_labels_collide() {
    let stats = stats(
        &[
            span("a · b", 1, 0, 0, 10).named("c"),
            span("a", 2, 0, 0, 20).named("b · c"),
            span("(x)", 3, 0, 0, 30).named(r"y\z"),
        ],
        &GroupBy::Operation,
    );
    let keys: Vec<&str> = stats.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, [r"\(x) · y\\z", r"a · b \· c", r"a \· b · c"]);
    assert_eq!(labels(&stats), ["(x) · y\\z", "a · b · c", "a · b · c"]);
}

#[test]
fn attributes_come_from_the_span_then_its_resource() {
    let key = "http.route";
    let stats = stats(
        &[
            span("cart", 1, 0, 0, 100).attr(key, "/cart"),
            span("cart", 2, 1, 10, 20).res(key, "/res"),
            span("cart", 3, 1, 20, 30)
                .attr(key, "/own")
                .res(key, "/res"),
            span("cart", 4, 1, 30, 70),
            span("cart", 5, 1, 70, 75).attr(key, "(no http.route)"),
            span("cart", 6, 1, 80, 81).res(key, "/res"),
        ],
        &GroupBy::Attribute(key.into()),
    );
    let count = |label: &str| row(&stats, label).count;
    assert_eq!(count("/cart"), 1);
    assert_eq!(count("/res"), 2);
    assert_eq!(count("/own"), 1);
    // The spans without the attribute, and a value that only reads like them.
    let missing: Vec<&SpanStats> = stats
        .iter()
        .filter(|s| s.label == "(no http.route)")
        .collect();
    assert_eq!(missing.len(), 2);
    let by_key = |k: &str| missing.iter().find(|s| s.key == k).unwrap();
    assert_eq!(by_key("(no http.route)").total_nanos, 40 * US);
    assert_eq!(by_key(r"\(no http.route)").total_nanos, 5 * US);
    assert_eq!(stats.iter().map(|s| s.count).sum::<u64>(), 6);
}

#[test]
fn attribute_values_are_grouped_by_their_text() {
    let key = "http.response.status_code";
    let stats = stats(
        &[
            span("a", 1, 0, 0, 100).attr(key, "#200"),
            span("a", 2, 1, 10, 20).attr(key, "200"),
            span("a", 3, 1, 20, 30).attr(key, "#404"),
            span("b", 4, 0, 200, 210).res(key, "#200"),
        ],
        &GroupBy::Attribute(key.into()),
    );
    assert_eq!(labels(&stats), ["200", "404"]);
    assert_eq!((stats[0].key.as_str(), stats[0].count), ("200", 3));
}

#[test]
fn a_key_no_span_has_makes_one_group() {
    let stats = stats(
        &[span("a", 1, 0, 0, 100), span("b", 2, 1, 10, 20).failed()],
        &GroupBy::Attribute("nowhere".into()),
    );
    assert_eq!(labels(&stats), ["(no nowhere)"]);
    assert_eq!((stats[0].count, stats[0].errors), (2, 1));
}

#[test]
fn all_traces_are_counted_together() {
    let stats = stats(
        &[
            span("web", 1, 0, 0, 100),
            span("web", 1, 0, 500, 550).in_trace(2),
            span("db", 2, 1, 510, 530).in_trace(2),
        ],
        &GroupBy::Service,
    );
    let web = row(&stats, "web");
    assert_eq!((web.count, web.total_nanos), (2, 150 * US));
    assert_eq!(web.self_nanos, 130 * US);
}

#[test]
fn a_span_held_by_two_of_the_traces_counts_once() {
    let (store, traces) = load(&[
        span("web", 1, 0, 0, 100),
        span("db", 2, 1, 10, 30),
        span("db", 3, 1, 50, -1),
    ]);
    let once = span_stats(&store, &traces, &GroupBy::Service);
    let twice = span_stats(&store, [&traces[0], &traces[0]], &GroupBy::Service);
    assert_eq!(twice, once);
    assert_eq!(row(&once, "web").self_nanos, 80 * US);
    assert_eq!(row(&once, "db").count, 2);
}

#[test]
fn spans_and_traces_in_a_group() {
    let (store, traces) = load(&[
        span("web", 1, 0, 0, 100).attr("http.route", "/a"),
        span("cart", 2, 1, 10, 20),
        span("web", 3, 1, 20, 30),
        span("cart", 4, 1, 30, 40).attr("http.route", "/a"),
        span("a · b", 1, 0, 500, 550).named("c").in_trace(2),
    ]);
    let service = GroupBy::Service;
    assert_eq!(spans_in_group(&store, &traces[0], &service, "cart"), [1, 3]);
    assert_eq!(spans_in_group(&store, &traces[0], &service, "web"), [0, 2]);
    assert!(spans_in_group(&store, &traces[0], &service, "nobody").is_empty());
    let route = GroupBy::Attribute("http.route".into());
    assert_eq!(spans_in_group(&store, &traces[0], &route, "/a"), [0, 3]);
    assert_eq!(
        spans_in_group(&store, &traces[0], &route, "(no http.route)"),
        [1, 2]
    );
    assert_eq!(traces_in_group(&store, &traces, &service, "cart"), [0]);
    assert_eq!(
        traces_in_group(&store, &traces, &route, "(no http.route)"),
        [0, 1]
    );
    let op = GroupBy::Operation;
    let key = r"a \· b · c";
    assert_eq!(spans_in_group(&store, &traces[1], &op, key), [0]);
    assert!(spans_in_group(&store, &traces[1], &op, "a · b · c").is_empty());
    // Every row's key finds its spans.
    for s in span_stats(&store, &traces, &op) {
        let found: usize = (traces.iter())
            .map(|t| spans_in_group(&store, t, &op, &s.key).len())
            .sum();
        assert_eq!(found as u64, s.count, "{}", s.key);
    }
}

#[test]
fn rows_sort_by_any_column() {
    let mut stats = stats(
        &[
            span("a", 1, 0, 0, 100),
            span("b", 2, 1, 10, 20).failed(),
            span("b", 3, 1, 20, 30).failed(),
            span("c", 4, 1, 30, 35),
            span("c", 5, 1, 35, 40),
            span("c", 6, 1, 40, 45),
        ],
        &GroupBy::Service,
    );
    sort_stats(&mut stats, StatsColumn::Count, true);
    assert_eq!(labels(&stats), ["c", "b", "a"]);
    sort_stats(&mut stats, StatsColumn::Errors, false);
    assert_eq!(labels(&stats), ["a", "c", "b"]);
    sort_stats(&mut stats, StatsColumn::SelfTime, true);
    assert_eq!(labels(&stats), ["a", "b", "c"]);
    sort_stats(&mut stats, StatsColumn::Label, true);
    assert_eq!(labels(&stats), ["c", "b", "a"]);
    sort_stats(&mut stats, StatsColumn::Max, false);
    assert_eq!(labels(&stats), ["c", "b", "a"]);
    // Equal figures: by key, whichever way.
    sort_stats(&mut stats, StatsColumn::P50, true);
    assert_eq!(labels(&stats), ["a", "b", "c"]);
}

#[test]
fn children_out_of_start_order_still_count_once() {
    let (store, mut traces) = load(&[
        span("svc", 1, 0, 0, 100),
        span("svc", 2, 1, 10, 30),
        span("svc", 3, 1, 20, 60),
    ]);
    let trace = &mut traces[0];
    // The two leaves swapped: the later-starting child comes first.
    trace.spans.swap(1, 2);
    let stats = span_stats(&store, [&*trace], &GroupBy::Service);
    assert_eq!(stats[0].self_nanos, (50 + 20 + 40) * US);
}

#[test]
fn a_malformed_tree_does_not_panic() {
    let (store, traces) = load(&[span("svc", 1, 0, 0, 100), span("svc", 2, 1, 10, 30)]);
    let mut trace = traces[0].clone();
    trace.spans.push(u32::MAX);
    trace.subtree_end = vec![u32::MAX, 0, 7];
    trace.parent = vec![NO_PARENT, 5, 0];
    for group_by in [GroupBy::Service, GroupBy::Attribute("k".into())] {
        let stats = span_stats(&store, [&trace], &group_by);
        assert_eq!(stats[0].count, 2);
        assert_eq!(stats[0].total_nanos, 120 * US);
        assert_eq!(
            spans_in_group(&store, &trace, &group_by, &stats[0].key),
            [0, 1]
        );
    }
}

#[test]
fn a_span_with_many_children_is_spread_over_steps() {
    let mut spans = vec![span("svc", 1, 0, 0, 1_000_000)];
    spans.extend((2..=10_001).map(|i| span("svc", i, 1, i as i64 * 10, i as i64 * 10 + 15)));
    let (store, traces) = load(&spans);
    let mut build = StatsBuild::new(&store, &traces, &GroupBy::Service);
    let mut steps = 1;
    while !build.step(100) {
        steps += 1;
    }
    // About 100 steps each to mark, count and walk the spans.
    assert!(steps >= 290, "{steps} steps of 100 for 10,001 spans");
    let stepped = build.finish();
    assert_eq!(stepped, span_stats(&store, &traces, &GroupBy::Service));
    // Children [20, 35], [30, 45], … overlap: together [20, 100025]; each is 15 of its own.
    let root = 1_000_000 - 100_005;
    assert_eq!(stepped[0].self_nanos, (root + 10_000 * 15) * US);
}

/// A few generated traces, a few thousand spans in all.
fn generated() -> (Store, Vec<Trace>) {
    let cfg = spanorama_gen::GenConfig {
        seed: 11,
        traces: 4,
        spans_min: 300,
        spans_max: 1500,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = import("gen.json", &bytes).unwrap();
    let traces = build_traces(&store);
    (store, traces)
}

fn groupings() -> [GroupBy; 6] {
    [
        GroupBy::Service,
        GroupBy::Operation,
        GroupBy::Attribute("http.route".into()),
        GroupBy::Attribute("db.system".into()),
        GroupBy::Attribute("http.response.status_code".into()),
        GroupBy::Attribute("service.version".into()),
    ]
}

/// A span's label, found the plain way: text and unpacked attributes.
fn naive_label(store: &Store, span: &Span, group_by: &GroupBy) -> String {
    let text = |id| store.strings.get(id).to_string();
    match group_by {
        GroupBy::Service => text(span.service),
        GroupBy::Operation => format!("{} · {}", text(span.service), text(span.name)),
        GroupBy::Attribute(key) => {
            let resource = store.resources[span.resource as usize].attrs;
            let own = store.attrs_of(span.attrs);
            let inherited = store.attrs_of(resource);
            let attr = own.iter().chain(&inherited).find(|a| text(a.key) == *key);
            attr.map_or(format!("(no {key})"), |a| a.value.display(&store.strings))
        }
    }
}

/// Count, errors, unknown ends, sorted known durations and self times per label.
type Naive = BTreeMap<String, (u64, u64, u64, Vec<i64>, i64)>;

fn naive(store: &Store, traces: &[Trace], group_by: &GroupBy) -> Naive {
    let mut out = Naive::new();
    for trace in traces {
        for pos in 0..trace.len() as u32 {
            let span = &store.spans[trace.spans[pos as usize] as usize];
            let e = out.entry(naive_label(store, span, group_by)).or_default();
            e.0 += 1;
            e.1 += (span.status == StatusCode::Error) as u64;
            if span.end_unknown() {
                e.2 += 1;
            } else {
                e.3.push(span.duration_nanos);
            }
            e.4 += self_time_nanos(store, trace, pos).unwrap_or(0);
        }
    }
    for e in out.values_mut() {
        e.3.sort();
    }
    out
}

#[test]
fn generated_traces_match_a_naive_count() {
    let (store, traces) = generated();
    assert!(store.spans.len() > 2000, "{}", store.spans.len());
    for group_by in groupings() {
        let stats = span_stats(&store, &traces, &group_by);
        let naive = naive(&store, &traces, &group_by);
        assert!(naive.len() > 1, "{group_by:?}");
        assert_eq!(stats.len(), naive.len(), "{group_by:?}");
        for s in &stats {
            let (count, errors, unknown, durations, self_nanos) = &naive[&s.label];
            let n = durations.len();
            let rank = |p: usize| durations.get((p * n).div_ceil(100).max(1) - 1).copied();
            let total: i64 = durations.iter().sum();
            let mean = (n > 0).then(|| total / n as i64);
            assert_eq!(
                (s.count, s.errors, s.unknown_end),
                (*count, *errors, *unknown)
            );
            assert_eq!(
                (s.total_nanos, s.self_nanos),
                (total, *self_nanos),
                "{}",
                s.label
            );
            assert_eq!(
                (s.mean_nanos, s.max_nanos),
                (mean, durations.last().copied())
            );
            assert_eq!(
                [s.p50_nanos, s.p95_nanos, s.p99_nanos],
                [rank(50), rank(95), rank(99)]
            );
        }
        let errors: u64 = stats.iter().map(|s| s.errors).sum();
        assert!(errors > 0, "the generator makes some errors");
    }
}

#[test]
fn steps_of_any_budget_give_the_one_shot_result() {
    let (store, traces) = generated();
    for group_by in groupings() {
        let whole = span_stats(&store, &traces, &group_by);
        for budget in [1, 7, 1000] {
            let mut build = StatsBuild::new(&store, &traces, &group_by);
            let mut steps = 1;
            while !build.step(budget) {
                steps += 1;
            }
            assert!(
                steps * budget >= store.spans.len(),
                "{budget}: {steps} steps"
            );
            assert_eq!(build.finish(), whole, "{group_by:?} in steps of {budget}");
        }
    }
}

#[test]
fn finish_before_the_last_step_completes_the_work() {
    let (store, traces) = generated();
    let mut build = StatsBuild::new(&store, &traces, &GroupBy::Operation);
    assert!(!build.step(10));
    let early = build.finish();
    assert_eq!(early, span_stats(&store, &traces, &GroupBy::Operation));
}

fn corpus(file: &str) -> (Store, Vec<Trace>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let store = import(file, &bytes).unwrap();
    let traces = build_traces(&store);
    (store, traces)
}

/// `(label, count)` of every row.
fn counts(stats: &[SpanStats]) -> BTreeMap<&str, u64> {
    stats.iter().map(|s| (s.label.as_str(), s.count)).collect()
}

#[test]
fn hotrod_corpus_file_matches_counts_read_from_its_json() {
    // Figures read from the file's JSON with a separate script (per resource's
    // `service.name`: spans, status code 2, sum and maximum of end − start).
    let (store, traces) = corpus("otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json");
    let by_service = span_stats(&store, &traces, &GroupBy::Service);
    let expected = [
        ("frontend", 13, 0, 2_232_266_426, 1_116_967_287),
        ("route", 10, 0, 554_465_480, 75_336_082),
        ("customer", 1, 0, 311_873_027, 311_873_027),
        ("mysql", 1, 0, 311_681_328, 311_681_328),
        ("driver", 1, 0, 243_484_108, 243_484_108),
        ("redis-manual", 14, 3, 242_968_573, 37_256_137),
    ];
    let got: Vec<(&str, u64, u64, i64, i64)> = by_service
        .iter()
        .map(|s| {
            let max = s.max_nanos.unwrap_or(-1);
            (s.label.as_str(), s.count, s.errors, s.total_nanos, max)
        })
        .collect();
    assert_eq!(got, expected);

    let ops = span_stats(&store, &traces, &GroupBy::Operation);
    assert_eq!(counts(&ops)["redis-manual · GetDriver"], 13);
    assert_eq!(counts(&ops)["frontend · HTTP GET"], 11);
    assert_eq!(ops.len(), 9);
    let routes = span_stats(&store, &traces, &GroupBy::Attribute("http.route".into()));
    let routes = counts(&routes);
    let expected = [
        ("(no http.route)", 28),
        ("/customer", 1),
        ("/dispatch", 1),
        ("/route", 10),
    ];
    assert_eq!(routes, BTreeMap::from(expected));
    let code = GroupBy::Attribute("http.response.status_code".into());
    let codes = span_stats(&store, &traces, &code);
    let expected = [("(no http.response.status_code)", 17), ("200", 23)];
    assert_eq!(counts(&codes), BTreeMap::from(expected));
    // Only the resources name the host.
    let hosts = span_stats(&store, &traces, &GroupBy::Attribute("host.name".into()));
    assert_eq!(counts(&hosts), BTreeMap::from([("SoumyaRaikwar", 40)]));
}

#[test]
fn every_corpus_trace_is_counted_once() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        for file in std::fs::read_dir(entry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(bytes) = std::fs::read(file.path()) else {
                continue;
            };
            let name = file.path().display().to_string();
            let Ok(store) = import(&name, &bytes) else {
                continue;
            };
            let traces = build_traces(&store);
            let spans: usize = traces.iter().map(Trace::len).sum();
            let errors: u64 = traces.iter().map(|t| t.error_count as u64).sum();
            for group_by in [GroupBy::Service, GroupBy::Attribute("error".into())] {
                let stats = span_stats(&store, &traces, &group_by);
                let count: u64 = stats.iter().map(|s| s.count).sum();
                assert_eq!(count, spans as u64, "{name}");
                assert_eq!(
                    stats.iter().map(|s| s.errors).sum::<u64>(),
                    errors,
                    "{name}"
                );
            }
            files += 1;
        }
    }
    assert!(files > 50, "{files} files");
}

#[test]
fn keys_escape_only_what_could_collide() {
    assert_eq!(escape("GET /cart"), "GET /cart");
    assert_eq!(escape("a·b"), r"a\·b");
    assert_eq!(escape(r"a\b"), r"a\\b");
    assert_eq!(escape("(x(y"), r"\(x(y");
}

#[test]
fn selected_ranks_equal_sorted_ranks() {
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    for n in (0..130).chain([999, 1000, 1001, 4567]) {
        for spread in [3, 1_000_000] {
            let values: Vec<i64> = (0..n).map(|_| next() % spread).collect();
            let sorted = Percentiles::of(&mut values.clone());
            assert_eq!(nearest_ranks(&mut values.clone()), sorted, "{n} values");
        }
    }
}
