//! Properties of the trace generator (`spanorama::gen`): deterministic, exact sizes,
//! well-formed trees inside their parents' time, a few percent errors, and the same spans in
//! every output format.

use spanorama::gen::{self, Fault, Format, GenConfig, Generator, Role, NO_PARENT};
use spanorama::import::import;
use spanorama::model::{build_traces, Store, Value};
use std::collections::{BTreeMap, HashSet};

fn cfg(seed: u64, traces: usize, spans: std::ops::RangeInclusive<usize>) -> GenConfig {
    GenConfig {
        seed,
        traces,
        spans_min: *spans.start(),
        spans_max: *spans.end(),
        ..GenConfig::default()
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    for format in [Format::Otlp, Format::Jaeger, Format::Zipkin] {
        let a = gen::to_bytes(&cfg(7, 3, 10..=200), format).unwrap().0;
        let b = gen::to_bytes(&cfg(7, 3, 10..=200), format).unwrap().0;
        let c = gen::to_bytes(&cfg(8, 3, 10..=200), format).unwrap().0;
        assert!(a == b, "{format:?} is not deterministic");
        assert!(a != c, "{format:?} ignores the seed");
    }
}

#[test]
fn every_trace_has_exactly_its_span_count_and_a_sound_tree() {
    let config = cfg(11, 40, 1..=400);
    let mut trace_ids = HashSet::new();
    let mut previous_start = i64::MIN;
    for trace in Generator::new(&config).unwrap() {
        assert!(trace_ids.insert(trace.trace_id), "trace id repeats");
        let spans = &trace.spans;
        assert!((1..=400).contains(&spans.len()));
        assert!(
            spans[0].start_unix_nanos >= previous_start,
            "traces start in order"
        );
        previous_start = spans[0].start_unix_nanos;
        let mut ids = HashSet::new();
        let mut children = vec![0u32; spans.len()];
        for (i, s) in spans.iter().enumerate() {
            assert!(
                ids.insert(s.span_id) && s.span_id != 0,
                "span ids are unique, non-zero"
            );
            if i == 0 {
                assert_eq!(s.parent, NO_PARENT);
                assert_eq!(s.depth, 0);
                continue;
            }
            let p = &spans[s.parent as usize];
            assert!((s.parent as usize) < i, "pre-order: parent first");
            assert_eq!(s.depth, p.depth + 1);
            children[s.parent as usize] += 1;
            assert!(s.duration_nanos >= 0);
            if s.role == Role::Consumer {
                // Asynchronous: starts after its producer, may end whenever.
                assert_eq!(p.role, Role::Producer);
                assert!(s.start_unix_nanos >= p.start_unix_nanos);
            } else {
                assert!(
                    s.start_unix_nanos >= p.start_unix_nanos,
                    "starts inside parent"
                );
                assert!(
                    s.end_unix_nanos() <= p.end_unix_nanos(),
                    "ends inside parent"
                );
            }
            if p.role == Role::Client {
                assert_eq!(s.role, Role::Server, "a client span's child is its server");
            }
            assert!(s.role != Role::Database || children[i] == 0);
        }
        assert!(children.iter().all(|&c| c <= 6), "fan-out is at most 6");
    }
}

#[test]
fn fan_out_and_errors_follow_the_config() {
    let narrow = GenConfig {
        max_fanout: 2,
        error_scale: 0.0,
        ..cfg(3, 5, 50..=300)
    };
    for trace in Generator::new(&narrow).unwrap() {
        let mut children = vec![0u32; trace.spans.len()];
        for s in &trace.spans[1..] {
            children[s.parent as usize] += 1;
        }
        assert!(children.iter().all(|&c| c <= 2));
        assert!(trace.spans.iter().all(|s| s.fault == Fault::None));
    }
}

#[test]
fn a_big_trace_is_deep_and_has_a_few_percent_errors() {
    let trace = Generator::new(&cfg(5, 1, 100_000..=100_000))
        .unwrap()
        .next()
        .unwrap();
    assert_eq!(trace.spans.len(), 100_000);
    let depth = trace.spans.iter().map(|s| s.depth).max().unwrap();
    assert!(depth >= 15, "depth {depth}");
    let errors = trace
        .spans
        .iter()
        .filter(|s| s.fault != Fault::None)
        .count();
    let percent = 100.0 * errors as f64 / 100_000.0;
    assert!((2.0..=5.0).contains(&percent), "{percent:.2} % errors");
    let services: HashSet<u16> = trace.spans.iter().map(|s| s.service).collect();
    assert!(services.len() >= 8);
}

#[test]
fn a_million_span_trace_is_generated_without_recursion() {
    let trace = Generator::new(&cfg(2, 1, 1_000_000..=1_000_000))
        .unwrap()
        .next()
        .unwrap();
    assert_eq!(trace.spans.len(), 1_000_000);
    assert!(trace.spans.iter().map(|s| s.depth).max().unwrap() >= 15);
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let e = Generator::new(&cfg(1, 1, 0..=10)).err().unwrap();
    assert!(e.contains("spans per trace"), "{e}");
    let reversed = GenConfig {
        spans_min: 10,
        spans_max: 5,
        ..GenConfig::default()
    };
    let e = Generator::new(&reversed).err().unwrap();
    assert!(e.contains("spans per trace"), "{e}");
    let bad_root = GenConfig {
        root_operation: Some("GET /nope".into()),
        ..GenConfig::default()
    };
    let e = Generator::new(&bad_root).err().unwrap();
    assert!(
        e.contains("GET /nope") && e.contains("POST /cart/checkout"),
        "{e}"
    );
    assert!(gen::to_bytes(&bad_root, Format::Otlp).is_err());
}

/// Everything about a span that every format carries, keyed by span id.
#[derive(Debug, PartialEq)]
struct Seen {
    trace: String,
    parent: String,
    name: String,
    service: String,
    start_micros: i64,
    end_micros: i64,
    error: bool,
    status_message: String,
}

fn seen(store: &Store) -> BTreeMap<String, Seen> {
    store
        .spans
        .iter()
        .map(|s| {
            (
                s.span_id.to_string(),
                Seen {
                    trace: s.trace_id.to_string(),
                    parent: s.parent_id.to_string(),
                    name: store.strings.get(s.name).to_string(),
                    service: store.strings.get(s.service).to_string(),
                    start_micros: s.start_unix_nanos.div_euclid(1000),
                    end_micros: (s.end_unix_nanos() + 999).div_euclid(1000),
                    error: s.status == spanorama::model::StatusCode::Error,
                    status_message: store.strings.get(s.status_message).to_string(),
                },
            )
        })
        .collect()
}

#[test]
fn otlp_and_jaeger_carry_the_same_spans_and_attributes() {
    let config = cfg(21, 6, 5..=150);
    let otlp_bytes = gen::to_bytes(&config, Format::Otlp).unwrap().0;
    let jaeger_bytes = gen::to_bytes(&config, Format::Jaeger).unwrap().0;
    let otlp = import("gen.otlp.json", &otlp_bytes).unwrap();
    let jaeger = import("gen.jaeger.json", &jaeger_bytes).unwrap();
    assert_eq!(otlp.files[0].format, "OTLP JSON");
    assert_eq!(jaeger.files[0].format, "Jaeger JSON");
    assert_eq!(seen(&otlp), seen(&jaeger));
    assert_eq!(build_traces(&otlp).len(), 6);

    // Every OTLP attribute is a Jaeger tag with the same value (Jaeger adds span.kind,
    // otel.scope.*, error tags).
    let attrs = |store: &Store, i: usize| -> BTreeMap<String, String> {
        store
            .attrs_of(store.spans[i].attrs)
            .iter()
            .map(|a| {
                (
                    store.strings.get(a.key).to_string(),
                    a.value.display(&store.strings),
                )
            })
            .collect()
    };
    let jaeger_index: BTreeMap<_, _> = jaeger
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span_id, i))
        .collect();
    let mut typed = [false; 4];
    for (i, s) in otlp.spans.iter().enumerate() {
        let j = jaeger_index[&s.span_id];
        let tags = attrs(&jaeger, j);
        for (k, v) in attrs(&otlp, i) {
            assert_eq!(tags.get(&k), Some(&v), "attribute {k}");
        }
        assert_eq!(
            otlp.events_of(s).len(),
            jaeger.events_of(&jaeger.spans[j]).len()
        );
        assert_eq!(otlp.spans[i].kind, jaeger.spans[j].kind);
        for a in otlp.attrs_of(s.attrs) {
            match a.value {
                Value::Str(_) => typed[0] = true,
                Value::Int(_) => typed[1] = true,
                Value::Float(_) => typed[2] = true,
                Value::Bool(_) => typed[3] = true,
                _ => {}
            }
        }
    }
    assert_eq!(
        typed, [true; 4],
        "string, int, double and bool attributes all occur"
    );
}

#[test]
fn errors_come_with_status_messages_and_exception_events() {
    let bytes = gen::to_bytes(&cfg(4, 1, 3_000..=3_000), Format::Otlp)
        .unwrap()
        .0;
    let store = import("gen.json", &bytes).unwrap();
    let mut exceptions = 0;
    let mut errors = 0;
    for s in &store.spans {
        let exception = store
            .events_of(s)
            .iter()
            .find(|e| store.strings.get(e.name) == "exception");
        if s.status == spanorama::model::StatusCode::Error {
            errors += 1;
            assert!(!store.strings.get(s.status_message).is_empty());
        }
        if let Some(e) = exception {
            exceptions += 1;
            assert_eq!(s.status, spanorama::model::StatusCode::Error);
            let keys: Vec<&str> = store
                .attrs_of(e.attrs)
                .iter()
                .map(|a| store.strings.get(a.key))
                .collect();
            for key in [
                "exception.type",
                "exception.message",
                "exception.stacktrace",
            ] {
                assert!(keys.contains(&key), "{key} missing");
            }
        }
    }
    assert!(errors > 0 && exceptions > 0 && exceptions <= errors);
    assert!(
        store.links.iter().any(|l| !l.span_id.is_zero()),
        "some spans have links"
    );
}

#[test]
fn zipkin_output_is_a_flat_array_of_the_same_spans() {
    let config = cfg(9, 3, 5..=80);
    let zipkin: serde_json::Value =
        serde_json::from_slice(&gen::to_bytes(&config, Format::Zipkin).unwrap().0).unwrap();
    let otlp = import("gen.json", &gen::to_bytes(&config, Format::Otlp).unwrap().0).unwrap();
    let spans = zipkin.as_array().unwrap();
    assert_eq!(spans.len(), otlp.spans.len());
    let expected = seen(&otlp);
    for s in spans {
        let id = s["id"].as_str().unwrap();
        let want = &expected[id];
        assert_eq!(s["traceId"].as_str().unwrap(), want.trace);
        let parent = s["parentId"].as_str().unwrap_or("0000000000000000");
        assert_eq!(parent, want.parent);
        assert_eq!(
            s["localEndpoint"]["serviceName"].as_str().unwrap(),
            want.service
        );
        assert_eq!(s["name"].as_str().unwrap(), want.name.to_ascii_lowercase());
        assert_eq!(s["timestamp"].as_i64().unwrap(), want.start_micros);
        assert_eq!(
            s["timestamp"].as_i64().unwrap() + s["duration"].as_i64().unwrap(),
            want.end_micros
        );
        assert_eq!(s["tags"].get("error").is_some(), want.error);
        assert!(s["tags"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v.is_string()));
    }
}

#[test]
fn pretty_and_compact_output_hold_the_same_document() {
    let compact = cfg(6, 2, 20..=60);
    let pretty = GenConfig {
        pretty: true,
        ..compact.clone()
    };
    for format in [Format::Otlp, Format::Jaeger, Format::Zipkin] {
        let a: serde_json::Value =
            serde_json::from_slice(&gen::to_bytes(&compact, format).unwrap().0).unwrap();
        let b_bytes = gen::to_bytes(&pretty, format).unwrap().0;
        let b: serde_json::Value = serde_json::from_slice(&b_bytes).unwrap();
        assert_eq!(a, b, "{format:?}");
        assert!(b_bytes.starts_with(b"{\n  \"") || b_bytes.starts_with(b"[\n  {"));
    }
}
