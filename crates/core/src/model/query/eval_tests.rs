//! Evaluation: each term on a small hand-built OTLP file, and every way of searching
//! (at once, in steps, the first match) against a plain per-span reference on generated
//! traces.

use super::*;
use crate::model::{build_traces, find_spans, Span, Store, StrId, Trace, TraceSearch, Value};

/// root (cart) ─┬─ select (cart)
///              ├─ charge (payments) ─┬─ bank (payments, end unknown)
///              │                     └─ publish (payments) ─── consume (cart)
///              └─ render (cart)
const DOC: &str = r#"{"resourceSpans":[
 {"resource":{"attributes":[
   {"key":"service.name","value":{"stringValue":"cart"}},
   {"key":"cloud.region","value":{"stringValue":"eu-west-1"}},
   {"key":"host.cores","value":{"intValue":"8"}}]},
  "scopeSpans":[{"spans":[
   {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000001","name":"GET /cart","kind":2,
    "startTimeUnixNano":"1000000000","endTimeUnixNano":"1300000000",
    "attributes":[{"key":"http.status_code","value":{"intValue":"200"}},
                  {"key":"http.route","value":{"stringValue":"/cart"}}]},
   {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000002","parentSpanId":"0000000000000001",
    "name":"SELECT carts","kind":3,"startTimeUnixNano":"1001000000","endTimeUnixNano":"1006000000",
    "attributes":[{"key":"db.statement","value":{"stringValue":"SELECT * FROM carts"}},
                  {"key":"db.rows","value":{"doubleValue":12.0}}]},
   {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000006","parentSpanId":"0000000000000005",
    "name":"consume","kind":5,"startTimeUnixNano":"1040000000","endTimeUnixNano":"1040010000",
    "status":{"code":1},
    "attributes":[{"key":"flag","value":{"boolValue":false}},
                  {"key":"note","value":{"stringValue":"GET /cart retried"}}]},
   {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000007","parentSpanId":"0000000000000001",
    "name":"render","kind":1,"startTimeUnixNano":"1280000000","endTimeUnixNano":"1280000999"}
  ]}]},
 {"resource":{"attributes":[
   {"key":"service.name","value":{"stringValue":"payments"}},
   {"key":"deployment.environment","value":{"stringValue":"PROD"}}]},
  "scopeSpans":[{"spans":[
   {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000003","parentSpanId":"0000000000000001",
    "name":"charge","kind":2,"startTimeUnixNano":"1010000000","endTimeUnixNano":"1260000000",
    "status":{"code":2,"message":"payment failed"},
    "attributes":[{"key":"http.status_code","value":{"intValue":"500"}},
                  {"key":"retry","value":{"boolValue":true}},
                  {"key":"amount","value":{"doubleValue":500.0}}]},
   {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000004","parentSpanId":"0000000000000003",
    "name":"POST /bank","kind":3,"startTimeUnixNano":"1020000000",
    "attributes":[{"key":"http.status_code","value":{"stringValue":"503"}},
                  {"key":"peer.service","value":{"stringValue":"bank"}}]},
   {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000005","parentSpanId":"0000000000000003",
    "name":"publish","kind":4,"startTimeUnixNano":"1030000000","endTimeUnixNano":"1032500000",
    "attributes":[{"key":"messaging.system","value":{"stringValue":"kafka"}}],
    "events":[{"timeUnixNano":"1031000000","name":"exception",
      "attributes":[{"key":"exception.message","value":{"stringValue":"Timeout talking to broker"}}]}]}
  ]}]}
]}"#;

fn fixture() -> (Store, Trace) {
    let store = crate::import::import("t.json", DOC.as_bytes()).expect("the fixture imports");
    let mut traces = build_traces(&store);
    assert_eq!(traces.len(), 1);
    (store, traces.remove(0))
}

/// The operation names of the spans that `query` finds, sorted.
fn found(query: &str) -> Vec<String> {
    let (store, trace) = fixture();
    let mut names: Vec<String> = find_spans(&store, &trace, query)
        .into_iter()
        .map(|pos| {
            let index = trace.spans[pos as usize] as usize;
            store.strings.get(store.spans[index].name).to_string()
        })
        .collect();
    names.sort();
    names
}

/// Checks `found(query)` for each `(query, operation names)`.
fn expect(cases: &[(&str, &[&str])]) {
    for (query, names) in cases {
        let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        names.sort();
        assert_eq!(found(query), names, "{query}");
    }
}

const ALL: &[&str] = &[
    "GET /cart",
    "SELECT carts",
    "charge",
    "POST /bank",
    "publish",
    "consume",
    "render",
];
const CART: &[&str] = &["GET /cart", "SELECT carts", "consume", "render"];
const PAYMENTS: &[&str] = &["charge", "POST /bank", "publish"];

#[test]
fn free_text_as_before() {
    expect(&[
        ("cart", CART),
        ("\"payment failed\"", &["charge"]),
        ("PAYMENT", PAYMENTS),
        ("timeout", &["publish"]),
        ("eu-west", CART),
        ("db.statement", &["SELECT carts"]),
        ("\"cart retried\"", &["consume"]),
        ("GET /cart", &["GET /cart", "consume"]),
        ("0000000000000004", &["POST /bank"]),
        ("200", &[]),
        ("nowhere", &[]),
    ]);
}

#[test]
fn service_operation_kind_and_status() {
    expect(&[
        ("service:pay", PAYMENTS),
        ("service:CART", CART),
        ("service:nope", &[]),
        ("op:\"GET /cart\"", &["GET /cart"]),
        ("name:select", &["SELECT carts"]),
        (
            "operation:s",
            &["SELECT carts", "POST /bank", "publish", "consume"],
        ),
        ("kind:server", &["GET /cart", "charge"]),
        ("kind:client", &["SELECT carts", "POST /bank"]),
        ("kind:producer", &["publish"]),
        ("kind:consumer", &["consume"]),
        ("kind:internal", &["render"]),
        ("kind:unspecified", &[]),
        ("error", &["charge"]),
        ("status:ok", &["consume"]),
        (
            "status:unset",
            &[
                "GET /cart",
                "SELECT carts",
                "POST /bank",
                "publish",
                "render",
            ],
        ),
    ]);
}

#[test]
fn attributes_of_every_type_on_spans_and_resources() {
    expect(&[
        ("http.status_code=500", &["charge"]),
        ("http.status_code=500.0", &["charge"]),
        ("http.status_code=5e2", &["charge"]),
        ("http.status_code=503", &["POST /bank"]),
        ("HTTP.STATUS_CODE=200", &["GET /cart"]),
        ("http.status_code=\"200\"", &["GET /cart"]),
        ("amount=500", &["charge"]),
        ("amount=500.5", &[]),
        ("db.rows=12", &["SELECT carts"]),
        ("retry=true", &["charge"]),
        ("retry=TRUE", &["charge"]),
        ("retry=1", &[]),
        ("flag=false", &["consume"]),
        ("flag=true", &[]),
        ("http.route=/CART", &["GET /cart"]),
        ("http.route=/car", &[]),
        ("deployment.environment=prod", PAYMENTS),
        ("host.cores=8", CART),
        ("no.such.key=1", &[]),
        ("exception.message~timeout", &[]),
    ]);
}

#[test]
fn attribute_contains_and_not_equal() {
    expect(&[
        ("http.status_code~50", &["charge", "POST /bank"]),
        ("http.status_code~\"2\"", &["GET /cart"]),
        ("db.statement~from", &["SELECT carts"]),
        ("host.cores~8", CART),
        ("retry~RU", &["charge"]),
        ("amount~500", &["charge"]),
        ("cloud.region~WEST", CART),
        ("peer.service~\"\"", &["POST /bank"]),
        ("http.status_code!=500", &["GET /cart", "POST /bank"]),
        ("retry!=false", &["charge"]),
        ("deployment.environment!=prod", &[]),
    ]);
}

#[test]
fn durations_exclude_unknown_ends() {
    expect(&[
        ("duration>250ms", &["GET /cart"]),
        ("duration>=250ms", &["GET /cart", "charge"]),
        ("duration>=0.25s", &["GET /cart", "charge"]),
        ("duration<10us", &["render"]),
        ("duration<=10us", &["render", "consume"]),
        ("duration<=2.5ms", &["publish", "consume", "render"]),
        ("duration<2.5ms", &["consume", "render"]),
        (
            "duration>998.5ns",
            &[
                "GET /cart",
                "SELECT carts",
                "charge",
                "publish",
                "consume",
                "render",
            ],
        ),
        (
            "duration>999.5ns",
            &["GET /cart", "SELECT carts", "charge", "publish", "consume"],
        ),
        (
            "duration>=0ns",
            &[
                "GET /cart",
                "SELECT carts",
                "charge",
                "publish",
                "consume",
                "render",
            ],
        ),
        (
            "duration<1h",
            &[
                "GET /cart",
                "SELECT carts",
                "charge",
                "publish",
                "consume",
                "render",
            ],
        ),
        ("duration<0ns", &[]),
        ("duration>1000000h", &[]),
        // The span of unknown end fails the term, so it passes the negated term.
        ("-duration>1ms", &["POST /bank", "consume", "render"]),
    ]);
}

#[test]
fn negation_and_terms_together() {
    expect(&[
        ("-service:cart", PAYMENTS),
        (
            "-error",
            &[
                "GET /cart",
                "SELECT carts",
                "POST /bank",
                "publish",
                "consume",
                "render",
            ],
        ),
        (
            "-\"payment failed\"",
            &[
                "GET /cart",
                "SELECT carts",
                "POST /bank",
                "publish",
                "consume",
                "render",
            ],
        ),
        (
            "-http.status_code=500",
            &[
                "GET /cart",
                "SELECT carts",
                "POST /bank",
                "publish",
                "consume",
                "render",
            ],
        ),
        ("-service:nope", ALL),
        ("-nowhere", ALL),
        ("-service:cart -service:payments", &[]),
        ("service:cart kind:client", &["SELECT carts"]),
        ("service:payments -error duration>1ms", &["publish"]),
        ("cart kind:internal", &["render"]),
        ("deployment.environment=prod kind:server error", &["charge"]),
        ("service:cart service:payments", &[]),
        ("kind:server nowhere", &[]),
    ]);
}

#[test]
fn malformed_and_empty_queries_match_nothing() {
    let (store, trace) = fixture();
    for (query, at) in [
        ("service:cart \"oops", 13),
        ("kind:foo", 5),
        ("-", 1),
        ("duration>5", 9),
    ] {
        let search = TraceSearch::new(&store, &trace, query);
        assert_eq!(search.error().map(|e| e.at), Some(at), "{query}");
        assert!(search.is_hopeless(), "{query}");
        assert_eq!(search.first_within(&store, &trace, trace.len()), None);
        assert!(find_spans(&store, &trace, query).is_empty(), "{query}");
    }
    for query in ["", "   ", "service:nope"] {
        let search = TraceSearch::new(&store, &trace, query);
        assert!(
            search.error().is_none() && search.is_hopeless(),
            "{query:?}"
        );
    }
    let search = TraceSearch::new(&store, &trace, "-error");
    assert!(search.error().is_none() && !search.is_hopeless());
}

/// Whether `span` passes `test`, worked out from the span's own text each time (the
/// plain reference the search's precomputed sets must agree with). Free text here leaves
/// out span ids: the queries given to it are not hex.
fn passes(store: &Store, span: &Span, test: &Test) -> bool {
    let lower = |s: &str| s.to_ascii_lowercase();
    let has = |id: StrId, needle: &str| lower(store.strings.get(id)).contains(&lower(needle));
    let resource = store.resources.get(span.resource as usize);
    match test {
        Test::Text(text) => texts_of(store, span).iter().any(|&id| has(id, text)),
        Test::Service(needle) => has(span.service, needle),
        Test::Operation(needle) => has(span.name, needle),
        Test::Kind(kind) => span.kind == *kind,
        Test::Status(status) => span.status == *status,
        Test::Duration { op, nanos } => {
            let d = span.duration_nanos as f64;
            !span.end_unknown()
                && match op {
                    Compare::Lt => d < *nanos,
                    Compare::Le => d <= *nanos,
                    Compare::Gt => d > *nanos,
                    Compare::Ge => d >= *nanos,
                }
        }
        Test::Attr { key, op, value } => {
            let mut attrs = store.attrs_of(span.attrs);
            if let Some(r) = resource {
                attrs.extend(store.attrs_of(r.attrs));
                attrs.extend(store.attrs_of(r.scope_attrs));
            }
            attrs
                .iter()
                .filter(|a| store.strings.get(a.key).eq_ignore_ascii_case(key))
                .any(|a| {
                    let shown = a.value.display(&store.strings);
                    let number = value.parse::<f64>().ok();
                    let equal = match a.value {
                        Value::Int(i) => number == Some(i as f64),
                        Value::Float(f) => number == Some(f),
                        _ => shown.eq_ignore_ascii_case(value),
                    };
                    match op {
                        AttrOp::Eq => equal,
                        AttrOp::NotEq => !equal,
                        AttrOp::Contains => lower(&shown).contains(&lower(value)),
                    }
                })
        }
    }
}

/// Every string free text looks at for a span, except its id.
fn texts_of(store: &Store, span: &Span) -> Vec<StrId> {
    let mut out = vec![span.service, span.name, span.status_message];
    let mut attrs = |slice| {
        for a in store.attrs_of(slice) {
            out.push(a.key);
            if let Value::Str(s) | Value::Bytes(s) | Value::Json(s) = a.value {
                out.push(s);
            }
        }
    };
    attrs(span.attrs);
    for e in store.events_of(span) {
        attrs(e.attrs);
    }
    if let Some(r) = store.resources.get(span.resource as usize) {
        attrs(r.attrs);
    }
    out.extend(store.events_of(span).iter().map(|e| e.name));
    out.extend(
        store
            .resources
            .get(span.resource as usize)
            .map(|r| r.scope_name),
    );
    out
}

/// A generated store and its first trace: one trace of 500 spans (a batch job, searched in
/// store order), or five of 150 (shop requests; the first is searched in tree order).
fn generated(traces: usize) -> (Store, Trace) {
    let spans = if traces == 1 { 500 } else { 150 };
    let cfg = spanorama_gen::GenConfig {
        seed: 5,
        traces,
        spans_min: spans,
        spans_max: spans,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = crate::import::import("gen.json", &bytes).unwrap();
    let trace = build_traces(&store).remove(0);
    (store, trace)
}

#[test]
fn every_way_of_searching_agrees_with_the_reference() {
    let queries = [
        "postgres",
        "\"SELECT sync\"",
        "\"POST /cart\"",
        "service:order",
        "op:sync",
        "kind:client",
        "kind:producer",
        "error",
        "-error",
        "duration>1ms",
        "duration<=50us",
        "http.response.status_code=200",
        "http.response.status_code~0",
        "http.request.method=get",
        "db.system~POST",
        "server.port=5432",
        "rpc.grpc.status_code=0",
        "rpc.grpc.status_code!=0",
        "thread.id~1",
        "messaging.system=kafka",
        "service:postgres kind:client duration>100us",
        "-service:postgres -kind:internal",
        "SELECT -error",
        "-db.system=postgresql kind:client",
    ];
    // Each query finds some spans and not all in one of the stores, so that the comparison
    // means something.
    let mut telling = [false; 24];
    for traces in [1, 5] {
        let (store, trace) = generated(traces);
        for (query, telling) in queries.iter().zip(&mut telling) {
            let parsed = SpanQuery::parse(query).unwrap();
            let expected: Vec<u32> = (0..trace.len() as u32)
                .filter(|&p| {
                    let span = &store.spans[trace.spans[p as usize] as usize];
                    parsed
                        .terms
                        .iter()
                        .all(|t| passes(&store, span, &t.test) != t.negated)
                })
                .collect();
            *telling |= !expected.is_empty() && expected.len() < trace.len();
            assert_eq!(find_spans(&store, &trace, query), expected, "{query}");
            for budget in [1, 7, usize::MAX / 2] {
                let mut search = TraceSearch::new(&store, &trace, query);
                let first = search.first_within(&store, &trace, trace.len());
                assert_eq!(first, expected.first().copied(), "{query}");
                let mut steps = 1;
                while !search.step(&store, &trace, budget) {
                    steps += 1;
                }
                assert_eq!(
                    search.into_matches(),
                    expected,
                    "{query}, steps of {budget}"
                );
                assert!(
                    budget > 1 || expected.is_empty() || steps >= trace.len(),
                    "{query}: {steps} steps"
                );
            }
        }
    }
    for (query, telling) in queries.iter().zip(telling) {
        assert!(telling, "{query} finds nothing or everything");
    }
}
