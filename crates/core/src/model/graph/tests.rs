//! The service graph on small hand-written traces, one rule each, and on generated ones.

use super::*;
use crate::import::import;
use crate::model::build_traces;

/// One span of a test trace: service, id, parent id (0: root), kind, start and end (µs),
/// error, and string attributes.
struct S(
    &'static str,
    u64,
    u64,
    &'static str,
    i64,
    i64,
    bool,
    &'static [(&'static str, &'static str)],
);

/// An OTLP file of `spans`, all in one trace, one resource per span.
fn otlp(spans: &[S]) -> Vec<u8> {
    let resources: Vec<String> = spans
        .iter()
        .map(|S(service, id, parent, kind, start, end, error, attrs)| {
            let attrs: Vec<String> = attrs
                .iter()
                .map(|(k, v)| format!(r#"{{"key":"{k}","value":{{"stringValue":"{v}"}}}}"#))
                .collect();
            let parent = if *parent == 0 { String::new() } else { format!("{parent:016x}") };
            format!(
                r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},
                "scopeSpans":[{{"spans":[{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id:016x}",
                "parentSpanId":"{parent}","name":"op","kind":"SPAN_KIND_{kind}",
                "startTimeUnixNano":"{}","endTimeUnixNano":"{}","status":{{"code":{}}},
                "attributes":[{}]}}]}}]}}"#,
                start * 1000,
                end * 1000,
                if *error { 2 } else { 0 },
                attrs.join(",")
            )
        })
        .collect();
    format!(r#"{{"resourceSpans":[{}]}}"#, resources.join(",")).into_bytes()
}

fn graph_of(bytes: &[u8]) -> ServiceGraph {
    let store = import("test.json", bytes).unwrap();
    let traces = build_traces(&store);
    build_service_graph(&store, &traces)
}

fn graph(spans: &[S]) -> ServiceGraph {
    graph_of(&otlp(spans))
}

#[test]
fn a_client_span_and_the_server_span_it_caused_are_one_call() {
    let g = graph(&[
        S("web", 1, 0, "SERVER", 0, 100, false, &[]),
        S("web", 2, 1, "CLIENT", 10, 90, false, &[]),
        S("cart", 3, 2, "SERVER", 20, 70, true, &[]),
    ]);
    assert_eq!(g.edges.len(), 1);
    let e = g.edge("web", "cart").unwrap();
    assert_eq!((e.calls, e.errors, e.messaging), (1, 1, false));
    // As the client saw it: 80 µs; lost between them: 10 µs before, 20 µs after.
    assert_eq!(e.latency.p50, Some(80_000));
    assert_eq!(e.gap.p50, Some(30_000));
    assert_eq!(e.callers.len(), 1);
    let cart = &g.nodes[g.node("cart").unwrap()];
    assert_eq!(
        (cart.spans, cart.errors, cart.calls_in, cart.calls_out),
        (1, 1, 1, 0)
    );
    assert_eq!(cart.server_latency.p95, Some(50_000));
    assert_eq!(cart.kind, NodeKind::Service);
    let web = &g.nodes[g.node("web").unwrap()];
    assert_eq!((web.spans, web.calls_out), (2, 1));
}

#[test]
fn a_parent_and_child_across_services_without_kinds_are_a_call() {
    let g = graph(&[
        S("batch", 1, 0, "INTERNAL", 0, 100, false, &[]),
        S("batch", 2, 1, "INTERNAL", 0, 50, false, &[]),
        S("worker", 3, 2, "INTERNAL", 5, 45, false, &[]),
    ]);
    let e = g.edge("batch", "worker").unwrap();
    assert_eq!(e.calls, 1);
    // The callee's own time: the caller has no span of the call.
    assert_eq!(e.latency.p50, Some(40_000));
    assert_eq!(e.gap.count, 0);
    assert_eq!(g.edges.len(), 1, "spans of one service are not calls");
}

#[test]
fn a_producer_and_its_consumer_are_a_messaging_call() {
    let g = graph(&[
        S("orders", 1, 0, "SERVER", 0, 100, false, &[]),
        S(
            "orders",
            2,
            1,
            "PRODUCER",
            10,
            12,
            false,
            &[("messaging.system", "kafka")],
        ),
        S("billing", 3, 2, "CONSUMER", 500, 600, false, &[]),
    ]);
    let e = g.edge("orders", "billing").unwrap();
    assert!(e.messaging);
    assert_eq!(e.latency.p50, Some(2_000));
    assert!(
        g.node("kafka").is_none(),
        "an answered producer makes no queue node"
    );
}

#[test]
fn database_calls_are_named_by_precedence() {
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("db.system", "postgresql"),
                ("peer.service", "orders-db"),
                ("server.address", "db1"),
            ],
            "orders-db",
        ),
        (
            &[
                ("db.system", "postgresql"),
                ("server.address", "db1"),
                ("network.peer.address", "10.0.0.5"),
            ],
            "db1",
        ),
        (
            &[
                ("db.system", "postgresql"),
                ("network.peer.address", "10.0.0.5"),
                ("network.peer.port", "5432"),
            ],
            "10.0.0.5:5432",
        ),
        (&[("db.system", "postgresql"), ("db.name", "shop")], "shop"),
        (&[("db.system", "redis")], "redis"),
        (
            &[("db.type", "mysql"), ("out.host", "mysql-primary")],
            "mysql-primary",
        ),
    ];
    for (attrs, name) in cases {
        let g = graph(&[
            S("api", 1, 0, "SERVER", 0, 100, false, &[]),
            S("api", 2, 1, "CLIENT", 10, 30, false, attrs),
        ]);
        let node = g
            .node(name)
            .unwrap_or_else(|| panic!("{attrs:?}: no node {name}: {g:?}"));
        assert_eq!(g.nodes[node].kind, NodeKind::Database, "{attrs:?}");
        assert!(g.nodes[node].inferred);
        let e = g.edge("api", name).unwrap();
        assert_eq!((e.calls, e.latency.p50), (1, Some(20_000)));
    }
}

#[test]
fn queues_and_external_apis_are_named_from_their_attributes() {
    let g = graph(&[
        S("shop", 1, 0, "SERVER", 0, 100, false, &[]),
        S(
            "shop",
            2,
            1,
            "PRODUCER",
            1,
            2,
            false,
            &[
                ("messaging.system", "kafka"),
                ("messaging.destination.name", "orders"),
            ],
        ),
        S(
            "shop",
            3,
            1,
            "CLIENT",
            3,
            40,
            true,
            &[("url.full", "https://user@api.stripe.com:443/v1/charges?x=1")],
        ),
        S(
            "shop",
            4,
            1,
            "CLIENT",
            41,
            50,
            false,
            &[("net.peer.name", "legacy-billing")],
        ),
        S("shop", 5, 1, "CLIENT", 51, 60, false, &[]),
    ]);
    let queue = g.node("kafka orders").unwrap();
    assert_eq!(g.nodes[queue].kind, NodeKind::Messaging);
    assert!(g.edge("shop", "kafka orders").unwrap().messaging);
    let stripe = g.node("api.stripe.com:443").unwrap();
    assert_eq!(g.nodes[stripe].kind, NodeKind::External);
    assert_eq!(g.edge("shop", "api.stripe.com:443").unwrap().errors, 1);
    assert!(g.edge("shop", "legacy-billing").is_some());
    // A client span that names nothing is no call.
    assert_eq!(g.edges.len(), 3);
}

#[test]
fn a_peer_that_reported_spans_is_that_service() {
    // `peer.service` names a service that is in the data, but not under this client span.
    let g = graph(&[
        S("web", 1, 0, "SERVER", 0, 100, false, &[]),
        S(
            "web",
            2,
            1,
            "CLIENT",
            10,
            20,
            false,
            &[("peer.service", "auth")],
        ),
        S("auth", 3, 1, "INTERNAL", 30, 40, false, &[]),
    ]);
    let auth = g.node("auth").unwrap();
    assert_eq!(g.nodes[auth].kind, NodeKind::Service);
    assert!(!g.nodes[auth].inferred);
    assert_eq!(g.edge("web", "auth").unwrap().calls, 2);
}

#[test]
fn zipkin_shared_spans_are_one_call() {
    // One span id reported by both sides (Zipkin's shared span).
    let zipkin = br#"[
      {"traceId":"a","id":"1","name":"get","kind":"SERVER","timestamp":1000,"duration":900,"localEndpoint":{"serviceName":"frontend"}},
      {"traceId":"a","parentId":"1","id":"2","name":"get /api","kind":"CLIENT","timestamp":1100,"duration":500,"localEndpoint":{"serviceName":"frontend"}},
      {"traceId":"a","parentId":"1","id":"2","name":"get /api","kind":"SERVER","shared":true,"timestamp":1150,"duration":400,"localEndpoint":{"serviceName":"backend"}}
    ]"#;
    let g = graph_of(zipkin);
    let e = g.edge("frontend", "backend").unwrap();
    assert_eq!(e.calls, 1);
    assert_eq!(e.latency.p50, Some(500_000));
    assert_eq!(e.gap.p50, Some(100_000));
}

#[test]
fn xray_remote_subsegments_and_inferred_segments() {
    let doc = br#"{"trace_id":"1-5759e988-bd862e3fe1be46a994272793","id":"53995c3f42cd8ad8","name":"api",
      "start_time":1.0,"end_time":2.0,"subsegments":[
        {"id":"6e8c8d0b5c4e4a2b","name":"DynamoDB","namespace":"aws","start_time":1.1,"end_time":1.5,
         "aws":{"operation":"GetItem","table_name":"users"}},
        {"id":"7e8c8d0b5c4e4a2c","name":"payments.example.com","namespace":"remote","start_time":1.6,"end_time":1.9,
         "http":{"request":{"url":"https://payments.example.com/charge","method":"POST"}}}]}"#;
    let g = graph_of(doc);
    assert!(g.edge("api", "DynamoDB").is_some(), "{g:?}");
    assert!(g.edge("api", "payments.example.com").is_some(), "{g:?}");
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let mut v: Vec<i64> = (1..=100).rev().collect();
    let p = Percentiles::of(&mut v);
    assert_eq!(
        (p.count, p.p50, p.p95, p.p99),
        (100, Some(50), Some(95), Some(99))
    );
    assert_eq!(Percentiles::of(&mut [7]).p99, Some(7));
    assert_eq!(Percentiles::of(&mut []), Percentiles::default());
    assert_eq!(peer::url_host("http://h/x"), Some("h".into()));
    assert_eq!(peer::url_host("h:80"), Some("h:80".into()));
}

#[test]
fn generated_traces_count_every_call_once() {
    let cfg = spanorama_gen::GenConfig {
        seed: 5,
        traces: 20,
        spans_min: 50,
        spans_max: 400,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = import("gen.json", &bytes).unwrap();
    let traces = build_traces(&store);
    let g = build_service_graph(&store, &traces);
    // Counted independently: spans whose parent is of another service.
    let mut cross = 0u64;
    for t in &traces {
        for pos in 0..t.len() {
            let p = t.parent[pos];
            if p != NO_PARENT {
                let (a, b) = (
                    &store.spans[t.spans[p as usize] as usize],
                    &store.spans[t.spans[pos] as usize],
                );
                cross += u64::from(a.service != b.service);
            }
        }
    }
    let between_services: u64 = g
        .edges
        .iter()
        .filter(|e| !g.nodes[e.to].inferred)
        .map(|e| e.calls)
        .sum();
    assert_eq!(between_services, cross);
    assert_eq!(
        g.nodes
            .iter()
            .filter(|n| !n.inferred)
            .map(|n| n.spans)
            .sum::<u64>(),
        store.spans.len() as u64
    );
    assert!(
        g.nodes.iter().any(|n| n.kind == NodeKind::Database),
        "{:?}",
        g.nodes
    );
    let calls_in: u64 = g.nodes.iter().map(|n| n.calls_in).sum();
    assert_eq!(calls_in, g.edges.iter().map(|e| e.calls).sum::<u64>());
    // Deterministic, sorted.
    assert_eq!(g, build_service_graph(&store, &traces));
    assert!(g
        .edges
        .windows(2)
        .all(|w| (w[0].from, w[0].to) < (w[1].from, w[1].to)));
}

#[test]
fn a_graph_built_in_steps_is_the_graph_built_at_once() {
    let cfg = spanorama_gen::GenConfig {
        seed: 9,
        traces: 7,
        spans_min: 1,
        spans_max: 300,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = import("gen.json", &bytes).unwrap();
    let traces = build_traces(&store);
    let whole = build_service_graph(&store, &traces);
    for budget in [0, 1, 7, 299, 300, 301, 5_000] {
        let mut build = ServiceGraphBuild::new(&store, &traces);
        let mut steps = 0;
        while !build.step(budget) {
            steps += 1;
            assert!(
                steps <= store.spans.len() * 2 + 2,
                "budget {budget}: no end"
            );
        }
        assert_eq!(build.finish(), whole, "budget {budget}");
    }
    let mut none = ServiceGraphBuild::new(&store, []);
    assert!(none.step(10));
    assert_eq!(none.finish(), ServiceGraph::default());
}

#[test]
fn an_edge_lists_its_calls_slowest_first_with_their_traces() {
    let store = import(
        "test.json",
        &otlp(&[
            S("web", 1, 0, "SERVER", 0, 100, false, &[]),
            S("web", 2, 1, "CLIENT", 10, 20, false, &[]),
            S("cart", 3, 2, "SERVER", 11, 19, false, &[]),
            S("web", 4, 1, "CLIENT", 30, 80, true, &[]),
            S("cart", 5, 4, "SERVER", 31, 79, false, &[]),
        ]),
    )
    .unwrap();
    let traces = build_traces(&store);
    let g = build_service_graph(&store, &traces);
    let e = g.edge("web", "cart").unwrap();
    let calls = edge_calls(&store, &traces, e, 10);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].duration_nanos, Some(50_000));
    assert!(calls[0].error && !calls[1].error);
    assert!(calls.iter().all(|c| c.trace == 0));
    assert_eq!(store.spans[calls[0].span as usize].span_id.0, 4);
    assert_eq!(edge_calls(&store, &traces, e, 1).len(), 1);
}

#[test]
fn the_traces_through_a_node_or_with_an_edge() {
    let cfg = spanorama_gen::GenConfig {
        seed: 11,
        traces: 30,
        spans_min: 5,
        spans_max: 200,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = import("gen.json", &bytes).unwrap();
    let traces = build_traces(&store);
    let g = build_service_graph(&store, &traces);
    let services_of = |t: &Trace| -> std::collections::HashSet<&str> {
        t.spans
            .iter()
            .map(|&s| store.strings.get(store.spans[s as usize].service))
            .collect()
    };
    for (n, node) in g.nodes.iter().enumerate() {
        let through = traces_through_node(&store, &traces, &g, n);
        assert!(through.windows(2).all(|w| w[0] < w[1]), "{}", node.name);
        if node.inferred {
            // Reached only by calls: every trace has a caller of it, and there is one.
            assert!(!through.is_empty(), "{}", node.name);
            let callers: Vec<usize> = g
                .edges
                .iter()
                .filter(|e| e.to == n)
                .map(|e| e.from)
                .collect();
            for &t in &through {
                let services = services_of(&traces[t]);
                assert!(callers
                    .iter()
                    .any(|&c| services.contains(g.nodes[c].name.as_str())));
            }
        } else {
            // Counted independently: the traces with a span of the service.
            let expected: Vec<usize> = (0..traces.len())
                .filter(|&t| services_of(&traces[t]).contains(node.name.as_str()))
                .collect();
            assert_eq!(through, expected, "{}", node.name);
        }
    }
    for e in &g.edges {
        let with = traces_with_edge(&store, &traces, e);
        assert!(!with.is_empty() && with.len() as u64 <= e.calls);
        let through_callee = traces_through_node(&store, &traces, &g, e.to);
        assert!(with.iter().all(|t| through_callee.contains(t)));
        let caller = g.nodes[e.from].name.as_str();
        assert!(with
            .iter()
            .all(|&t| services_of(&traces[t]).contains(caller)));
    }
    assert!(traces_through_node(&store, &traces, &g, g.nodes.len()).is_empty());
}

#[test]
fn a_consumer_linked_to_a_producer_in_another_trace_is_a_messaging_call() {
    // orders publishes two messages (trace A); billing consumes them as one batch in a trace
    // of its own (B) that links to both producer spans; a third producer nobody consumed
    // still calls its queue.
    let span = |trace: &str, id: u64, kind: &str, start: u64, links: &str| {
        format!(
            r#"{{"traceId":"{trace}","spanId":"{id:016x}","name":"op","kind":"SPAN_KIND_{kind}",
            "startTimeUnixNano":"{}","endTimeUnixNano":"{}","links":[{links}],
            "attributes":[{{"key":"messaging.system","value":{{"stringValue":"kafka"}}}},
            {{"key":"messaging.destination.name","value":{{"stringValue":"orders"}}}}]}}"#,
            start * 1000,
            (start + 10) * 1000
        )
    };
    let (a, b) = (
        "0af7651916cd43dd8448eb211c80319c",
        "1bf7651916cd43dd8448eb211c80319d",
    );
    let link = |id: u64| format!(r#"{{"traceId":"{a}","spanId":"{id:016x}"}}"#);
    let resource = |service: &str, spans: Vec<String>| {
        format!(
            r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},
            "scopeSpans":[{{"spans":[{}]}}]}}"#,
            spans.join(",")
        )
    };
    let file = format!(
        r#"{{"resourceSpans":[{},{}]}}"#,
        resource(
            "orders",
            vec![
                span(a, 1, "PRODUCER", 0, ""),
                span(a, 2, "PRODUCER", 20, ""),
                span(a, 3, "PRODUCER", 40, ""),
            ]
        ),
        resource(
            "billing",
            vec![span(b, 9, "CONSUMER", 100, &[link(1), link(2)].join(","))]
        ),
    );
    let g = graph_of(file.as_bytes());
    let e = g.edge("orders", "billing").expect("orders → billing");
    assert_eq!((e.calls, e.messaging), (2, true));
    assert_eq!(e.latency.p50, Some(10_000));
    // Only the producer nobody linked to calls the queue.
    let queue = g
        .edges
        .iter()
        .find(|e| g.nodes[e.to].inferred)
        .expect("a call to the queue");
    assert_eq!(g.nodes[queue.to].kind, NodeKind::Messaging);
    assert_eq!(queue.calls, 1);
    // Built in steps, the same.
    let store = import("test.json", file.as_bytes()).unwrap();
    let traces = build_traces(&store);
    let mut build = ServiceGraphBuild::new(&store, &traces);
    while !build.step(1) {}
    assert_eq!(build.finish(), g);
}
