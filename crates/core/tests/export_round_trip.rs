//! Export to OTLP/JSON and read back: for every file of the shared corpus that loads (every
//! format Spanorama reads) and for generated traces, import → export OTLP → import gives the
//! same model: the same spans (ids, parent, times, service, name, kind, status, attributes with
//! their types, resource and scope, events, links) and the same trees.
//!
//! What an export does not carry, and so is left out of the comparison: import warnings
//! (they describe the source file; an open-ended span stays open-ended, which is compared),
//! the original text of ids that were not hex, and the resource's own `service.name`
//! attribute (the export writes the span's service there, which is compared as the service).

use spanorama_core::export::OtlpWriter;
use spanorama_core::import::import;
use spanorama_core::model::{build_traces, Attr, Slice, Store, Trace, TreeWarning, Value};
use std::path::{Path, PathBuf};

/// Every span as one line of text, sorted: the model up to the order of spans in the store.
fn span_lines(store: &Store) -> Vec<String> {
    let text = |s| store.strings.get(s);
    let attrs = |slice: Slice| -> String {
        store
            .attrs_iter(slice)
            .filter(|a: &Attr| text(a.key) != "service.name")
            .map(|a| format!("{}={}", text(a.key), value(store, a.value)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines: Vec<String> = store
        .spans
        .iter()
        .map(|s| {
            let r = store.resources[s.resource as usize];
            let events: Vec<String> = store
                .events_of(s)
                .iter()
                .map(|e| {
                    format!(
                        "{}@{} [{}]",
                        text(e.name),
                        e.time_unix_nanos,
                        attrs(e.attrs)
                    )
                })
                .collect();
            let links: Vec<String> = store
                .links_of(s)
                .iter()
                .map(|l| format!("{}/{} [{}]", l.trace_id, l.span_id, attrs(l.attrs)))
                .collect();
            format!(
                "{}/{} parent {} start {} duration {} service {:?} name {:?} kind {:?} \
                 status {:?} {:?} attrs [{}] resource [{}] scope {:?} {:?} [{}] events {:?} \
                 links {:?}",
                s.trace_id,
                s.span_id,
                s.parent_id,
                s.start_unix_nanos,
                s.duration_nanos,
                text(s.service),
                text(s.name),
                s.kind,
                s.status,
                text(s.status_message),
                attrs(s.attrs),
                attrs(r.attrs),
                text(r.scope_name),
                text(r.scope_version),
                attrs(r.scope_attrs),
                events,
                links,
            )
        })
        .collect();
    lines.sort();
    lines
}

/// A value with its type (so a string "1" and an integer 1 differ).
fn value(store: &Store, v: Value) -> String {
    match v {
        Value::Str(s) => format!("str:{:?}", store.strings.get(s)),
        Value::Int(i) => format!("int:{i}"),
        Value::Float(f) => format!("float:{:?}", f.to_bits()),
        Value::Bool(b) => format!("bool:{b}"),
        Value::Bytes(s) => format!("bytes:{}", store.strings.get(s)),
        Value::Json(s) => format!("json:{}", store.strings.get(s)),
    }
}

/// Each trace's id, span count, roots, depth, errors and tree warnings (by kind), by id.
fn tree_lines(traces: &[Trace]) -> Vec<String> {
    let mut lines: Vec<String> = traces
        .iter()
        .map(|t| {
            let mut warnings: Vec<String> = t
                .warnings
                .iter()
                .map(|(_, w)| match w {
                    TreeWarning::MissingParent(id) => format!("missing parent {id}"),
                    other => format!("{other:?}"),
                })
                .collect();
            warnings.sort();
            format!(
                "{} spans {} roots {} depth {} errors {} services {} [{}]",
                t.id,
                t.len(),
                t.root_count,
                t.depth.iter().max().unwrap_or(&0),
                t.error_count,
                t.service_count,
                warnings.join(", ")
            )
        })
        .collect();
    lines.sort();
    lines
}

/// Exports the whole store (in pieces, as the page does) and imports the result.
fn round_trip(name: &str, store: &Store) -> Store {
    let mut writer = OtlpWriter::all(store);
    assert_eq!(writer.span_count(), store.spans.len(), "{name}");
    let mut bytes = Vec::new();
    while let Some(piece) = writer.next_chunk(64 * 1024) {
        bytes.extend_from_slice(&piece);
    }
    // Valid JSON, whatever the reader.
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
        panic!("{name}: the export is not valid JSON: {e}");
    }
    let back = import(&format!("{name}.otlp.json"), &bytes)
        .unwrap_or_else(|e| panic!("{name}: the export does not read back: {e}"));
    assert_eq!(back.files[0].format, "OTLP JSON", "{name}");
    back
}

/// Compares two models; returns what differs (the first few lines), if anything.
fn differences(store: &Store, back: &Store) -> Option<String> {
    let (a, b) = (span_lines(store), span_lines(back));
    if a != b {
        let diff: Vec<String> = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x != y)
            .take(3)
            .map(|(x, y)| format!("  before: {x}\n  after:  {y}"))
            .collect();
        return Some(format!(
            "{} spans before, {} after; first differences:\n{}",
            a.len(),
            b.len(),
            diff.join("\n")
        ));
    }
    let (a, b) = (
        tree_lines(&build_traces(store)),
        tree_lines(&build_traces(back)),
    );
    (a != b).then(|| format!("trees differ:\n  before: {a:?}\n  after:  {b:?}"))
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: corpus folder {} not found", dir.display());
        None
    }
}

#[test]
fn every_corpus_file_that_loads_survives_an_otlp_round_trip() {
    let Some(corpus) = corpus() else { return };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for folder in folders {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let name = path.strip_prefix(&corpus).unwrap().display().to_string();
            let bytes = std::fs::read(&path).unwrap();
            // Files that are not traces are refused (tests/corpus.rs says which and why);
            // dependency files load, with no spans to export.
            let Ok(store) = import(&name, &bytes) else {
                continue;
            };
            if store.spans.is_empty() {
                continue;
            }
            let back = round_trip(&name, &store);
            if let Some(diff) = differences(&store, &back) {
                failures.push(format!("{name}: {diff}"));
            }
            checked.push((name, store.files[0].format.clone()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every format Spanorama reads was among them.
    for format in [
        "OTLP JSON",
        "Jaeger JSON",
        "Jaeger api_v2 protobuf-JSON",
        "Zipkin v2 JSON",
        "Zipkin v1 JSON",
        "AWS X-Ray JSON",
        "Datadog JSON",
        "New Relic JSON",
    ] {
        assert!(
            checked.iter().any(|(_, f)| f == format),
            "no {format} file in the corpus was checked"
        );
    }
    assert!(checked.len() >= 70, "only {} files checked", checked.len());
}

#[test]
fn generated_traces_survive_an_otlp_round_trip_in_every_format() {
    use spanorama_gen::Format;
    for format in [Format::Otlp, Format::Jaeger, Format::Zipkin] {
        let text = generated(format, 2_000);
        let name = format!("generated {format:?}");
        let store = import(&name, &text).unwrap();
        let back = round_trip(&name, &store);
        if let Some(diff) = differences(&store, &back) {
            panic!("{name}: {diff}");
        }
    }
}

#[test]
fn several_files_merged_export_as_one_document() {
    // An OTLP file and a Zipkin file with spans of the same trace: merged on load, exported
    // together, read back as one trace with both services.
    let otlp = br#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},
        "scopeSpans":[{"scope":{"name":"io.opentelemetry.http","version":"1.2"},"spans":[
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /cart",
         "kind":2,"startTimeUnixNano":"1000000000","endTimeUnixNano":"1900000000"}]}]}]}"#;
    let zipkin = br#"[{"traceId":"5b8efff798038103d269b633813fc60c","id":"00000000000000a1",
        "parentId":"eee19b7ec3c1b174","name":"select cart","kind":"CLIENT","timestamp":1100000,
        "duration":300000,"localEndpoint":{"serviceName":"cart-db-client"},
        "remoteEndpoint":{"serviceName":"postgres","ipv4":"10.0.0.7","port":5432},
        "tags":{"db.statement":"select 1"}}]"#;
    let mut store = import("web.json", otlp).unwrap();
    store.append(import("cart.json", zipkin).unwrap());
    let traces = build_traces(&store);
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].service_count, 2);
    let back = round_trip("merged", &store);
    assert_eq!(differences(&store, &back), None);
    let back_traces = build_traces(&back);
    assert_eq!(back_traces.len(), 1);
    assert_eq!(back_traces[0].root_count, 1);
    assert_eq!(back_traces[0].depth.iter().max(), Some(&1));
}

#[test]
fn one_trace_exports_only_its_spans_in_tree_order() {
    let mut store = import("a.json", &generated(spanorama_gen::Format::Otlp, 300)).unwrap();
    // A second trace from another file.
    let other = br#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"solo"}}]},
        "scopeSpans":[{"spans":[{"traceId":"0000000000000000000000000000abcd","spanId":"0000000000000001",
        "name":"alone","startTimeUnixNano":"5","endTimeUnixNano":"9"}]}]}]}"#;
    store.append(import("b.json", other).unwrap());
    let traces = build_traces(&store);
    assert!(traces.len() >= 2);
    for trace in &traces {
        let bytes = OtlpWriter::new(&store, trace.spans.iter().copied()).finish();
        let back = import("one.json", &bytes).unwrap();
        assert_eq!(back.spans.len(), trace.len());
        assert!(back.spans.iter().all(|s| s.trace_id == trace.id));
        let back_traces = build_traces(&back);
        assert_eq!(back_traces.len(), 1);
        assert_eq!(back_traces[0].root_count, trace.root_count);
        // Parents come before their children in the file.
        let first = back.spans.first().unwrap();
        assert_eq!(store.spans[trace.spans[0] as usize].span_id, first.span_id);
    }
}

/// One generated trace of `spans` spans in `format`.
fn generated(format: spanorama_gen::Format, spans: usize) -> Vec<u8> {
    let cfg = spanorama_gen::GenConfig {
        spans_min: spans,
        spans_max: spans,
        ..spanorama_gen::GenConfig::default()
    };
    spanorama_gen::to_bytes(&cfg, format).unwrap().0
}
