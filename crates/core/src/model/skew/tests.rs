//! Call gaps and clock skew on small hand-written traces (one rule each), on the shared
//! corpus, and on generated traces.

use super::*;
use crate::import::import;
use crate::model::{build_traces, SpanId, TraceId, TreeWarning};

/// One span of a test trace: service, id, parent id (0: root), kind, start and end (µs;
/// an end of 0 is unknown), and the host its resource names ("": none).
struct S(&'static str, u64, u64, &'static str, u64, u64, &'static str);

/// An OTLP file of `spans`, all in one trace, one resource per span.
fn otlp(spans: &[S]) -> Vec<u8> {
    let resources: Vec<String> = spans
        .iter()
        .map(|S(service, id, parent, kind, start, end, host)| {
            let host = if host.is_empty() {
                String::new()
            } else {
                format!(r#",{{"key":"host.name","value":{{"stringValue":"{host}"}}}}"#)
            };
            let parent = if *parent == 0 { String::new() } else { format!("{parent:016x}") };
            format!(
                r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}{host}]}},
                "scopeSpans":[{{"spans":[{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id:016x}",
                "parentSpanId":"{parent}","name":"op","kind":"SPAN_KIND_{kind}",
                "startTimeUnixNano":"{}","endTimeUnixNano":"{}"}}]}}]}}"#,
                start * 1000,
                end * 1000,
            )
        })
        .collect();
    format!(r#"{{"resourceSpans":[{}]}}"#, resources.join(",")).into_bytes()
}

/// The store and the one trace of `spans`.
fn trace_of(spans: &[S]) -> (Store, Trace) {
    let store = import("t.json", &otlp(spans)).unwrap();
    let mut traces = build_traces(&store);
    assert_eq!(traces.len(), 1);
    (store, traces.remove(0))
}

/// Trace position of the span with id `id`.
fn pos(store: &Store, trace: &Trace, id: u64) -> u32 {
    let at = trace
        .spans
        .iter()
        .position(|&i| store.spans[i as usize].span_id == SpanId(id));
    at.expect("span in trace") as u32
}

const US: i64 = 1000;

/// Every server lies inside its client's window once shifted (where both ends are known),
/// and no server starts before its client.
fn assert_servers_inside(store: &Store, trace: &Trace, adj: &SkewAdjustment) {
    for p in 0..trace.len() as u32 {
        let Some(client) = client_parent(store, trace, p) else {
            continue;
        };
        let start = |q| adj.shifted_start(store, trace, q).unwrap();
        let end = |q| adj.shifted_end(store, trace, q).unwrap();
        assert!(
            start(p) >= start(client),
            "server {p} starts before its client"
        );
        let span = |q| span_at(store, trace, q).unwrap();
        let longer = span(p).duration_nanos > span(client).duration_nanos;
        if !span(p).end_unknown() && !span(client).end_unknown() && !longer {
            assert!(end(p) <= end(client), "server {p} ends after its client");
        }
    }
}

/// The report and the adjustment name the same servers with the same corrections.
fn assert_report_matches(report: &SkewReport, adj: &SkewAdjustment) {
    let reported: Vec<(u32, i64)> = report
        .calls
        .iter()
        .map(|c| (c.server_pos, c.correction_nanos))
        .collect();
    assert_eq!(reported, adj.adjusted);
}

#[test]
fn a_server_inside_its_client_is_not_skewed_and_its_gaps_are_measured() {
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "SERVER", 1000, 1100, ""),
        S("web", 2, 1, "CLIENT", 1010, 1090, ""),
        S("cart", 3, 2, "SERVER", 1020, 1070, ""),
        S("cart", 4, 3, "INTERNAL", 1030, 1040, ""),
    ]);
    let (client, server) = (pos(&store, &trace, 2), pos(&store, &trace, 3));
    let gap = CallGap {
        client_pos: client,
        server_pos: server,
        before_nanos: 10 * US,
        after_nanos: 20 * US,
    };
    assert_eq!(call_gap(&store, &trace, client), Some(gap));
    assert_eq!(call_gap(&store, &trace, server), Some(gap));
    // The root server has no client; an internal span is no side of a call.
    assert_eq!(call_gap(&store, &trace, pos(&store, &trace, 1)), None);
    assert_eq!(call_gap(&store, &trace, pos(&store, &trace, 4)), None);
    assert_eq!(call_gap(&store, &trace, 99), None);
    assert!(detect_skew(&store, &trace).is_empty());
    let adj = adjust_skew(&store, &trace);
    assert!(adj.is_empty());
    assert_eq!(adj.shift_nanos, vec![0; 4]);
    assert_eq!(
        adj.shifted_bounds(&store, &trace),
        (trace.start_unix_nanos, trace.end_unix_nanos)
    );
}

#[test]
fn a_client_with_several_servers_pairs_with_the_first_and_each_server_with_it() {
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1000, 1100, ""),
        S("web", 2, 1, "INTERNAL", 1001, 1002, ""),
        S("cart", 3, 1, "SERVER", 1010, 1050, ""),
        S("shop", 4, 1, "SERVER", 1060, 1090, ""),
    ]);
    let client = pos(&store, &trace, 1);
    let first = call_gap(&store, &trace, client).unwrap();
    assert_eq!(first.server_pos, pos(&store, &trace, 3));
    assert_eq!((first.before_nanos, first.after_nanos), (10 * US, 50 * US));
    let second = call_gap(&store, &trace, pos(&store, &trace, 4)).unwrap();
    assert_eq!(second.client_pos, client);
    assert_eq!(
        (second.before_nanos, second.after_nanos),
        (60 * US, 10 * US)
    );
}

#[test]
fn a_server_starting_before_its_client_is_centred_with_its_subtree() {
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1100, 1200, ""),
        S("cart", 2, 1, "SERVER", 1040, 1100, ""),
        S("cart", 3, 2, "INTERNAL", 1050, 1060, ""),
    ]);
    let (client, server, child) = (
        pos(&store, &trace, 1),
        pos(&store, &trace, 2),
        pos(&store, &trace, 3),
    );
    // Recorded, the server starts 60 µs before its client.
    let gap = call_gap(&store, &trace, client).unwrap();
    assert_eq!((gap.before_nanos, gap.after_nanos), (-60 * US, 100 * US));
    // Centred: 100 µs of client around 60 µs of server leaves 20 µs each side.
    let shift = 1100 + (100 - 60) / 2 - 1040;
    let report = detect_skew(&store, &trace);
    assert_eq!(
        report.calls,
        vec![SkewedCall {
            client_pos: client,
            server_pos: server,
            early_nanos: 60 * US,
            late_nanos: 0,
            correction_nanos: shift * US,
        }]
    );
    let adj = adjust_skew(&store, &trace);
    assert_eq!(adj.adjusted, vec![(server, shift * US)]);
    assert_eq!(adj.shift(client), 0);
    assert_eq!(adj.shift(server), shift * US);
    assert_eq!(adj.shift(child), shift * US);
    let ns = |us: i64| Some(us * US);
    assert_eq!(adj.shifted_start(&store, &trace, server), ns(1120));
    assert_eq!(adj.shifted_end(&store, &trace, server), ns(1180));
    assert_eq!(adj.shifted_start(&store, &trace, child), ns(1130));
    assert_eq!(adj.shifted_bounds(&store, &trace), (1100 * US, 1200 * US));
    assert_servers_inside(&store, &trace, &adj);
}

#[test]
fn a_server_ending_after_its_client_is_centred_back() {
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1000, 1100, ""),
        S("cart", 2, 1, "SERVER", 1050, 1130, ""),
    ]);
    let server = pos(&store, &trace, 2);
    let report = detect_skew(&store, &trace);
    assert_eq!(report.calls.len(), 1);
    assert_eq!(
        (report.calls[0].early_nanos, report.calls[0].late_nanos),
        (0, 30 * US)
    );
    assert_eq!(
        call_gap(&store, &trace, server).unwrap().after_nanos,
        -30 * US
    );
    let adj = adjust_skew(&store, &trace);
    assert_eq!(adj.adjusted, vec![(server, (1010 - 1050) * US)]);
    assert_eq!(adj.shifted_start(&store, &trace, server), Some(1010 * US));
    assert_servers_inside(&store, &trace, &adj);
}

#[test]
fn a_server_longer_than_its_client_starts_with_it_only_if_it_started_before() {
    // Starts 10 µs early: moved to start with its client, its end left past the client's.
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1100, 1150, ""),
        S("cart", 2, 1, "SERVER", 1090, 1200, ""),
    ]);
    let server = pos(&store, &trace, 2);
    let adj = adjust_skew(&store, &trace);
    assert_eq!(adj.adjusted, vec![(server, 10 * US)]);
    assert_eq!(adj.shifted_start(&store, &trace, server), Some(1100 * US));
    assert_eq!(adj.shifted_end(&store, &trace, server), Some(1210 * US));
    assert_servers_inside(&store, &trace, &adj);

    // Starts in time and outlives its client (the client timed out): not skew. The tree
    // still flags it as outside its parent.
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1100, 1150, ""),
        S("cart", 2, 1, "SERVER", 1120, 1300, ""),
    ]);
    let server = pos(&store, &trace, 2);
    assert!(trace
        .warnings_at(server)
        .any(|w| *w == TreeWarning::OutsideParent));
    assert!(detect_skew(&store, &trace).is_empty());
    assert!(adjust_skew(&store, &trace).is_empty());
    assert_eq!(
        call_gap(&store, &trace, server).unwrap().after_nanos,
        -150 * US
    );
}

#[test]
fn nested_skew_over_two_hops_adds_up() {
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1000, 2000, ""),
        // 500 µs early on the api's clock.
        S("api", 2, 1, "SERVER", 500, 1400, ""),
        S("api", 3, 2, "CLIENT", 600, 1300, ""),
        // Late against the api's client on the db's clock.
        S("db", 4, 3, "SERVER", 1300, 1500, ""),
        S("db", 5, 4, "INTERNAL", 1310, 1320, ""),
    ]);
    let at = |id| pos(&store, &trace, id);
    let api = 1000 + (1000 - 900) / 2 - 500;
    let db = 600 + (700 - 200) / 2 - 1300;
    let adj = adjust_skew(&store, &trace);
    assert_eq!(adj.adjusted, vec![(at(2), api * US), (at(4), db * US)]);
    let shifts: Vec<i64> = [1, 2, 3, 4, 5].map(|id| adj.shift(at(id))).to_vec();
    let total = (api + db) * US;
    assert_eq!(shifts, vec![0, api * US, api * US, total, total]);
    assert_eq!(adj.shifted_start(&store, &trace, at(4)), Some(1400 * US));
    assert_servers_inside(&store, &trace, &adj);
    assert_report_matches(&detect_skew(&store, &trace), &adj);
    // Built one span at a time, the same.
    let mut build = SkewBuild::new(&store, &trace);
    let mut steps = 1;
    while !build.step(1) {
        steps += 1;
    }
    assert_eq!(steps, trace.len());
    assert_eq!(build.finish(), (detect_skew(&store, &trace), adj));
}

#[test]
fn spans_of_one_service_or_one_host_are_never_shifted() {
    // A client and a server of the same service: no call between services.
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1100, 1200, ""),
        S("web", 2, 1, "SERVER", 1040, 1100, ""),
    ]);
    assert_eq!(call_gap(&store, &trace, pos(&store, &trace, 1)), None);
    assert!(detect_skew(&store, &trace).is_empty());
    assert!(adjust_skew(&store, &trace).is_empty());

    // Two services on one host share a clock; on two hosts they do not.
    for (host, skewed) in [("node-1", false), ("node-2", true)] {
        let (store, trace) = trace_of(&[
            S("web", 1, 0, "CLIENT", 1100, 1200, "node-1"),
            S("cart", 2, 1, "SERVER", 1040, 1100, host),
        ]);
        assert_eq!(!detect_skew(&store, &trace).is_empty(), skewed, "{host}");
        assert_eq!(!adjust_skew(&store, &trace).is_empty(), skewed, "{host}");
    }
}

#[test]
fn jaeger_process_ip_tags_name_the_host() {
    let file = |server_ip: &str| {
        format!(
            r#"{{"data":[{{"traceID":"00000000000000aa","spans":[
            {{"traceID":"00000000000000aa","spanID":"0000000000000001","operationName":"get",
              "references":[],"startTime":1100,"duration":100,"processID":"p1",
              "tags":[{{"key":"span.kind","type":"string","value":"client"}}]}},
            {{"traceID":"00000000000000aa","spanID":"0000000000000002","operationName":"get",
              "references":[{{"refType":"CHILD_OF","traceID":"00000000000000aa","spanID":"0000000000000001"}}],
              "startTime":1040,"duration":60,"processID":"p2",
              "tags":[{{"key":"span.kind","type":"string","value":"server"}}]}}],
            "processes":{{
              "p1":{{"serviceName":"web","tags":[{{"key":"ip","type":"string","value":"10.0.0.1"}}]}},
              "p2":{{"serviceName":"cart","tags":[{{"key":"ip","type":"string","value":"{server_ip}"}}]}}}}}}]}}"#
        )
    };
    for (ip, skewed) in [("10.0.0.1", false), ("10.0.0.2", true)] {
        let store = import("jaeger.json", file(ip).as_bytes()).unwrap();
        let traces = build_traces(&store);
        assert_eq!(traces.len(), 1);
        assert_eq!(!detect_skew(&store, &traces[0]).is_empty(), skewed, "{ip}");
    }
}

#[test]
fn with_an_unknown_end_only_the_starts_are_compared() {
    // The server starts 60 µs before its client; neither end is known.
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1100, 0, ""),
        S("cart", 2, 1, "SERVER", 1040, 0, ""),
    ]);
    let (client, server) = (pos(&store, &trace, 1), pos(&store, &trace, 2));
    assert_eq!(call_gap(&store, &trace, client), None);
    assert_eq!(call_gap(&store, &trace, server), None);
    let report = detect_skew(&store, &trace);
    assert_eq!(report.calls.len(), 1);
    assert_eq!(
        (report.calls[0].early_nanos, report.calls[0].late_nanos),
        (60 * US, 0)
    );
    let adj = adjust_skew(&store, &trace);
    assert_eq!(adj.adjusted, vec![(server, 60 * US)]);

    // The client's end unknown, the server starting in time: nothing to say.
    let (store, trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1100, 0, ""),
        S("cart", 2, 1, "SERVER", 1140, 1500, ""),
    ]);
    assert_eq!(call_gap(&store, &trace, pos(&store, &trace, 2)), None);
    assert!(detect_skew(&store, &trace).is_empty());
    assert!(adjust_skew(&store, &trace).is_empty());
}

#[test]
fn extreme_times_and_broken_trees_do_not_panic() {
    let (mut store, mut trace) = trace_of(&[
        S("web", 1, 0, "CLIENT", 1100, 1200, ""),
        S("cart", 2, 1, "SERVER", 1040, 1100, ""),
        S("cart", 3, 2, "CLIENT", 1050, 1060, ""),
        S("db", 4, 3, "SERVER", 1000, 1010, ""),
    ]);
    let extremes = [
        (i64::MAX, 0),
        (i64::MIN, i64::MAX),
        (i64::MAX, i64::MAX),
        (i64::MIN, -7),
    ];
    for (span, (start, duration)) in store.spans.iter_mut().zip(extremes) {
        span.start_unix_nanos = start;
        span.duration_nanos = duration;
    }
    for p in 0..trace.len() as u32 {
        call_gap(&store, &trace, p);
    }
    detect_skew(&store, &trace);
    let adj = adjust_skew(&store, &trace);
    adj.shifted_bounds(&store, &trace);
    // A tree whose arrays do not agree: parents after children, subtree ends out of range,
    // a span index not in the store.
    trace.parent = vec![3, 3, NO_PARENT, 0];
    trace.subtree_end = vec![0, 9, u32::MAX, 2];
    trace.spans[2] = 1_000;
    for p in 0..trace.len() as u32 + 1 {
        call_gap(&store, &trace, p);
    }
    detect_skew(&store, &trace);
    let adj = adjust_skew(&store, &trace);
    assert_eq!(adj.shift_nanos.len(), trace.len());
    adj.shifted_bounds(&store, &trace);
}

/// The file at `path` in the shared corpus, imported, and its traces.
fn corpus(path: &str) -> (Store, Vec<Trace>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(path);
    let bytes = std::fs::read(&path).unwrap();
    let store = import(path.to_str().unwrap(), &bytes).unwrap();
    let traces = build_traces(&store);
    (store, traces)
}

#[test]
fn zipkin_lens_skewed_trace_is_corrected_as_zipkin_does() {
    // servicea's client calls serviceb, whose server (a shared span) and its local child
    // were recorded about 65 ms before the call was made.
    let (store, traces) = corpus("zipkin2/lens-skew.json");
    assert_eq!(traces.len(), 1);
    let trace = &traces[0];
    let named = |kind: SpanKind, service: &str| {
        (0..trace.len() as u32)
            .find(|&p| {
                let s = span_at(&store, trace, p).unwrap();
                s.kind == kind && store.strings.get(s.service) == service
            })
            .unwrap()
    };
    let client = named(SpanKind::Client, "servicea");
    let server = named(SpanKind::Server, "serviceb");
    let report = detect_skew(&store, trace);
    assert_eq!(report.calls.len(), 1);
    let call = report.calls[0];
    assert_eq!((call.client_pos, call.server_pos), (client, server));
    assert_eq!(call.early_nanos, (74_202 - 8_761) * US);
    // Zipkin's getClockSkew: the server centred, the latency (94,539 - 93,577) / 2 µs.
    let shift = (74_202 + (94_539 - 93_577) / 2 - 8_761) * US;
    assert_eq!(call.correction_nanos, shift);
    let adj = adjust_skew(&store, trace);
    assert_eq!(adj.adjusted, vec![(server, shift)]);
    let moved: Vec<u32> = (0..trace.len() as u32)
        .filter(|&p| adj.shift(p) != 0)
        .collect();
    assert_eq!(moved.len(), 2, "the server and its local child");
    assert!(moved.iter().all(|&p| adj.shift(p) == shift));
    assert_servers_inside(&store, trace, &adj);
    // Zipkin's own test of this file: every child starts after its parent once corrected.
    for p in 1..trace.len() as u32 {
        let parent = trace.parent[p as usize];
        let start = |q| adj.shifted_start(&store, trace, q).unwrap();
        assert!(start(p) > start(parent), "{p}");
    }
}

#[test]
fn jaeger_ui_children_longer_than_their_parent_are_asynchronous_not_skewed() {
    // A producer's client-span children outlive it: no client → server call, so nothing
    // is skew, though the tree flags the children as outside their parent.
    for file in [
        "jaeger/jaegerui-childLongerThanParent.json",
        "jaeger/jaegerui-overlappingChildrenLongerThanParent.json",
    ] {
        let (store, traces) = corpus(file);
        assert_eq!(traces.len(), 1, "{file}");
        let trace = &traces[0];
        assert!(
            trace
                .warnings
                .iter()
                .any(|(_, w)| *w == TreeWarning::OutsideParent),
            "{file}"
        );
        assert!(detect_skew(&store, trace).is_empty(), "{file}");
        let adj = adjust_skew(&store, trace);
        assert!(adj.is_empty(), "{file}");
        assert_eq!(adj.shift_nanos, vec![0; trace.len()], "{file}");
        assert!((0..trace.len() as u32).all(|p| call_gap(&store, trace, p).is_none()));
    }
}

#[test]
fn generated_traces_have_no_skew_and_the_gaps_they_were_generated_with() {
    let cfg = spanorama_gen::GenConfig {
        seed: 7,
        traces: 6,
        spans_min: 50,
        spans_max: 3_000,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = import("gen.json", &bytes).unwrap();
    let traces = build_traces(&store);
    // The generator's own client → server pairs and their gaps, by client span id.
    let mut expected = std::collections::HashMap::new();
    for t in spanorama_gen::Generator::new(&cfg).unwrap() {
        for s in t
            .spans
            .iter()
            .filter(|s| s.role == spanorama_gen::Role::Server)
        {
            let Some(c) = t.spans.get(s.parent as usize) else {
                continue;
            };
            if c.role == spanorama_gen::Role::Client {
                let before = s.start_unix_nanos - c.start_unix_nanos;
                let after = c.end_unix_nanos() - s.end_unix_nanos();
                expected.insert((TraceId(t.trace_id), SpanId(c.span_id)), (before, after));
            }
        }
    }
    assert!(expected.len() > 100);
    let mut found = 0;
    for trace in &traces {
        let mut build = SkewBuild::new(&store, trace);
        while !build.step(997) {}
        let (report, adj) = build.finish();
        assert!(report.is_empty());
        assert!(adj.is_empty());
        assert_eq!(adj, adjust_skew(&store, trace));
        for p in 0..trace.len() as u32 {
            let span = span_at(&store, trace, p).unwrap();
            let Some(gap) = call_gap(&store, trace, p).filter(|g| g.client_pos == p) else {
                continue;
            };
            found += 1;
            let key = (span.trace_id, span.span_id);
            assert_eq!(
                Some(&(gap.before_nanos, gap.after_nanos)),
                expected.get(&key)
            );
            // The generator's network time of a call (shape.rs, `own_work` for a client):
            // 0.1–1.2 ms on the way there, 0.05–0.6 ms back.
            assert!((100_000..=1_200_000).contains(&gap.before_nanos), "{gap:?}");
            assert!((50_000..=600_000).contains(&gap.after_nanos), "{gap:?}");
        }
    }
    assert_eq!(found, expected.len());
}
