//! The OTLP and Jaeger importers read each file in one streaming pass. These fixtures cover
//! what that has to get right: fields in any order (a resource after its spans, Jaeger's
//! `processes` after its `spans`), every value encoding, and progress reported while the
//! file is still being read. Then `StreamImport`, which parses a file while it is read
//! chunk by chunk: whatever the chunks, the file reads exactly as it does whole.

use spanorama_core::import::{import, import_with_progress, ImportError, StreamImport};
use spanorama_core::model::wire::{Encoder, PART_BYTES};
use spanorama_core::model::{build_traces, Attr, Slice, SpanKind, StatusCode, Store, Value};
use spanorama_gen::{self as gen, Format, GenConfig};
use std::io::Write;
use std::path::Path;

fn load(name: &str, text: &str) -> Store {
    import(name, text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

/// `key=value` of each attribute, values shown with their type.
fn attrs(store: &Store, slice: Slice) -> Vec<String> {
    store
        .attrs_of(slice)
        .iter()
        .map(|Attr { key, value }| {
            let v = match value {
                Value::Str(s) => format!("str:{}", store.strings.get(*s)),
                Value::Bytes(s) => format!("bytes:{}", store.strings.get(*s)),
                Value::Json(s) => format!("json:{}", store.strings.get(*s)),
                Value::Int(i) => format!("int:{i}"),
                Value::Float(f) => format!("float:{f}"),
                Value::Bool(b) => format!("bool:{b}"),
            };
            format!("{}={v}", store.strings.get(*key))
        })
        .collect()
}

fn service(store: &Store, index: usize) -> &str {
    store.strings.get(store.spans[index].service)
}

#[test]
fn otlp_resource_and_scope_after_their_spans() {
    let store = load(
        "late.json",
        r#"{"resourceSpans":[{
            "scopeSpans":[{
                "spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
                          "name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"}],
                "scope":{"name":"lib","version":"1.2"}}],
            "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}"#,
    );
    assert_eq!(store.spans.len(), 1);
    assert_eq!(service(&store, 0), "late");
    let resource = store.resources[store.spans[0].resource as usize];
    assert_eq!(store.strings.get(resource.scope_name), "lib");
    assert_eq!(store.strings.get(resource.scope_version), "1.2");
    assert_eq!(
        store.spans[0].trace_id.to_string(),
        "5b8efff798038103d269b633813fc60c"
    );
    assert!(
        store.files[0].warnings.is_empty(),
        "{:?}",
        store.files[0].warnings
    );
}

#[test]
fn otlp_every_value_encoding() {
    let store = load(
        "values.json",
        r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},
          "scopeSpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXM=",
            "name":"caf\u00e9 \"q\"","kind":"SPAN_KIND_CONSUMER","startTimeUnixNano":1000,
            "endTimeUnixNano":"3000","status":{"code":"STATUS_CODE_ERROR","message":"m"},
            "attributes":[
              {"key":"i","value":{"intValue":4}},{"key":"is","value":{"intValue":"-5"}},
              {"key":"nan","value":{"doubleValue":"NaN"}},{"key":"inf","value":{"doubleValue":"-Infinity"}},
              {"key":"b","value":{"boolValue":false}},{"key":"by","value":{"bytesValue":"AQID"}},
              {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":"1"}]}}},
              {"key":"kv","value":{"kvlistValue":{"values":[{"key":"z","value":{"boolValue":true}},{"key":"a"}]}}},
              {"key":"empty","value":{}},{"key":"both","value":{"intValue":"3","stringValue":"wins"}}],
            "events":[{"timeUnixNano":"2000","name":"exception",
                       "attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}],
            "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7"}]}]}]}]}"#,
    );
    let span = store.spans[0];
    assert_eq!(span.span_id.to_string(), "eee19b7ec3c1b173");
    assert_eq!(store.strings.get(span.name), "café \"q\"");
    assert_eq!(span.kind, SpanKind::Consumer);
    assert_eq!(span.status, StatusCode::Error);
    assert_eq!((span.start_unix_nanos, span.duration_nanos), (1000, 2000));
    let got = attrs(&store, span.attrs);
    assert_eq!(
        got,
        [
            "i=int:4",
            "is=int:-5",
            "nan=float:NaN",
            "inf=float:-inf",
            "b=bool:false",
            "by=bytes:AQID",
            r#"arr=json:["x",1]"#,
            r#"kv=json:{"a":null,"z":true}"#,
            "empty=str:",
            "both=str:wins",
        ]
    );
    let events = store.events_of(&span);
    assert_eq!(events.len(), 1);
    assert_eq!(store.strings.get(events[0].name), "exception");
    assert_eq!(attrs(&store, events[0].attrs), ["exception.type=str:E"]);
    let links = store.links_of(&span);
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].span_id.to_string(), "00f067aa0ba902b7");
}

#[test]
fn jaeger_processes_after_spans_missing_and_inline() {
    let store = load(
        "jaeger.json",
        r#"{"data":[{"traceID":"0102030405060708","spans":[
            {"traceID":"0102030405060708","spanID":"0000000000000001","operationName":"a",
             "startTime":1,"duration":2,"processID":"p1",
             "tags":[{"key":"span.kind","type":"string","value":"server"},
                     {"key":"n","type":"int64","value":"9007199254740993"},
                     {"key":"obj","value":{"b":1,"a":[true]}}]},
            {"traceID":"0102030405060708","spanID":"0000000000000002","operationName":"b",
             "startTime":1,"duration":1,"processID":"gone",
             "references":[{"refType":"CHILD_OF","traceID":"0102030405060708","spanID":"0000000000000001"}]},
            {"traceID":"0102030405060708","spanID":"0000000000000003","operationName":"c",
             "startTime":1,"duration":1,"processID":"p1","process":{"serviceName":"inline"},
             "logs":[{"timestamp":3,"fields":[{"key":"event","value":"retry"}]}]}],
          "processes":{"p1":{"serviceName":"one","tags":[{"key":"host","value":"h"}]}}}]}"#,
    );
    assert_eq!(store.spans.len(), 3);
    assert_eq!(service(&store, 0), "one");
    assert_eq!(service(&store, 1), "unknown_service");
    assert_eq!(service(&store, 2), "inline");
    assert_eq!(store.spans[0].kind, SpanKind::Server);
    assert_eq!(
        attrs(&store, store.spans[0].attrs),
        [
            "span.kind=str:server",
            "n=int:9007199254740993",
            r#"obj=json:{"a":[true],"b":1}"#
        ]
    );
    let host = store.resources[store.spans[0].resource as usize].attrs;
    assert_eq!(attrs(&store, host), ["host=str:h"]);
    assert_eq!(store.spans[1].parent_id, store.spans[0].span_id);
    let events = store.events_of(&store.spans[2]);
    assert_eq!(store.strings.get(events[0].name), "retry");
    assert_eq!(events[0].time_unix_nanos, 3000);
    // The span without a process has the warning, in span order with the others.
    let warned: Vec<u32> = store.span_warnings.iter().map(|(i, _)| *i).collect();
    assert_eq!(warned, [1]);
    let file_warnings = store.files[0].warnings.join("; ");
    assert!(
        file_warnings.contains("process \"gone\""),
        "{file_warnings}"
    );
    assert!(
        file_warnings.contains("1 span without a service name"),
        "{file_warnings}"
    );
}

#[test]
fn jaeger_json_lines_of_loose_spans() {
    let text = concat!(
        r#"{"traceID":"01","spanID":"0a","operationName":"x","startTime":1,"duration":1,"process":{"serviceName":"s"}}"#,
        "\n",
        r#"[{"traceID":"01","spanID":"0b","operationName":"y","startTime":2,"duration":1,"process":{"serviceName":"t"}}]"#,
        "\n"
    );
    let store = load("loose.jsonl", text);
    assert_eq!(store.spans.len(), 2);
    assert_eq!((service(&store, 0), service(&store, 1)), ("s", "t"));
}

/// A generated file of `spans` spans in `format`.
fn generated(format: Format, spans: usize) -> Vec<u8> {
    let cfg = GenConfig {
        seed: 3,
        traces: 1,
        spans_min: spans,
        spans_max: spans,
        ..GenConfig::default()
    };
    gen::to_bytes(&cfg, format).expect("generator").0
}

#[test]
fn progress_is_reported_while_reading() {
    for format in [Format::Otlp, Format::Jaeger, Format::Zipkin] {
        let bytes = generated(format, 40_000);
        let mut seen = Vec::new();
        let store = import_with_progress("big.json", &bytes, &mut |n| seen.push(n))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.spans.len(), 40_000);
        assert_eq!(seen, [16_384, 32_768], "{format:?}");
        // Jaeger spans wait for the trace's processes, but all get one in the end.
        assert!(store
            .spans
            .iter()
            .all(|s| (s.resource as usize) < store.resources.len()));
    }
}

/// The model as the worker sends it to the page: equal bytes, equal models (spans, strings
/// in the same order, arenas, warnings, file list, trees).
fn wire(store: &Store) -> Vec<u8> {
    let traces = build_traces(store);
    let mut encoder = Encoder::new(store, &traces, PART_BYTES);
    let mut out = Vec::new();
    while let Some(part) = encoder.next_part() {
        out.extend_from_slice(&part);
    }
    out
}

/// What a streamed read gave: the result, whether spans were being read before the end,
/// the span counts reported while the file was still arriving, the most bytes held at once,
/// and whether the file had to be read again whole.
struct Streamed {
    result: Result<Store, ImportError>,
    streaming: bool,
    progress_while_reading: Vec<usize>,
    max_held: usize,
    reread: bool,
}

/// Imports `bytes` as the worker does: handed to a `StreamImport` `chunk` bytes at a time.
/// With `drop_parsed` (the worker's file reads), the bytes the import has parsed are dropped
/// before each chunk is added, and a file whose streaming stops after that is read again
/// whole; without (downloads), the bytes so far are handed over every time.
fn stream_in_chunks(name: &str, bytes: &[u8], chunk: usize, drop_parsed: bool) -> Streamed {
    let reported = std::cell::RefCell::new(Vec::new());
    let mut on_progress = |n: usize| reported.borrow_mut().push(n);
    let mut stream = StreamImport::new(name, bytes.len(), &mut on_progress);
    let mut streaming = false;
    let mut held: Vec<u8> = Vec::new();
    let mut offset = 0;
    let mut max_held = 0;
    let mut end = 0;
    while end < bytes.len() {
        let start = end;
        end = (end + chunk).min(bytes.len());
        if !drop_parsed {
            stream.feed(&bytes[..end]);
            streaming |= stream.is_streaming();
            max_held = end;
            continue;
        }
        let parsed = stream.needed_from().saturating_sub(offset).min(held.len());
        held.drain(..parsed);
        offset += parsed;
        held.extend_from_slice(&bytes[start..end]);
        max_held = max_held.max(held.len());
        stream.feed_at(&held, offset);
        streaming |= stream.is_streaming();
        if stream.lost_head(offset) {
            break;
        }
    }
    let progress_while_reading = reported.borrow().clone();
    let (result, reread) = if drop_parsed {
        match stream.finish_at(&held, offset) {
            Ok(result) => (result, false),
            Err(again) => (again.finish(bytes), true),
        }
    } else {
        (stream.finish(bytes), false)
    };
    Streamed {
        result,
        streaming,
        progress_while_reading,
        max_held,
        reread,
    }
}

/// A streamed read of `bytes` in chunks of `chunk` bytes gives what a whole read gives,
/// whether the parsed bytes are dropped as it goes or not. Returns the read that drops them.
fn assert_streams_like_whole(name: &str, bytes: &[u8], chunk: usize) -> Streamed {
    let whole = import(name, bytes);
    let kept = stream_in_chunks(name, bytes, chunk, false);
    let dropped = stream_in_chunks(name, bytes, chunk, true);
    assert_eq!(
        kept.streaming, dropped.streaming,
        "{name}, chunks of {chunk}"
    );
    for (how, streamed) in [("all kept", &kept), ("parsed dropped", &dropped)] {
        match (&whole, &streamed.result) {
            (Ok(a), Ok(b)) => assert!(
                wire(a) == wire(b),
                "{name}, chunks of {chunk}, {how}: models differ"
            ),
            (Err(a), Err(b)) => assert_eq!(a, b, "{name}, chunks of {chunk}, {how}"),
            (a, b) => panic!(
                "{name}, chunks of {chunk}, {how}: whole {:?}, streamed {:?}",
                a.as_ref().map(|s| s.spans.len()),
                b.as_ref().map(|s| s.spans.len())
            ),
        }
    }
    dropped
}

/// Each `(name, text, streams)` case reads streamed, in chunks of two sizes, as it does
/// whole, and is streamed (or not) as `streams` says; a syntax error is reported from a
/// second, whole read of the file.
fn assert_layouts_read_as_whole(cases: &[(&str, String, bool)]) {
    for (name, text, streams) in cases {
        for chunk in [4_096, 65_536 + 7] {
            let streamed = assert_streams_like_whole(name, text.as_bytes(), chunk);
            assert_eq!(streamed.streaming, *streams, "{name}, chunks of {chunk}");
            // Streaming stops at the syntax error, after the bytes before it were dropped.
            assert!(
                streamed.reread || *name != "syntax.json",
                "{name}, chunks of {chunk}"
            );
        }
    }
}

/// A generated 20,000-span file of `format` is parsed while it arrives, in chunks of several
/// sizes (spans are counted before the last chunk is in), and reads as it does whole; so does
/// a small one in tiny chunks.
fn assert_parsed_while_arriving(format: Format, format_name: &str) {
    let bytes = generated(format, 20_000);
    for chunk in [65_536, 7_777, 1_000_000] {
        let streamed = assert_streams_like_whole("big.json", &bytes, chunk);
        assert!(streamed.streaming, "chunks of {chunk}: not streamed");
        let store = streamed.result.unwrap();
        assert_eq!(store.spans.len(), 20_000);
        assert_eq!(store.files[0].format, format_name);
        assert_eq!(
            streamed.progress_while_reading,
            [16_384],
            "chunks of {chunk}"
        );
        // Held at once: the chunk just read and what was cut off at the end of the last (or
        // the chunks read before the format was known).
        assert!(!streamed.reread);
        assert!(
            streamed.max_held < 2 * chunk.max(65_539) + 20_000
                && streamed.max_held * 4 < bytes.len(),
            "chunks of {chunk}: {} of {} bytes held",
            streamed.max_held,
            bytes.len()
        );
    }
    // Tiny chunks over a file just past the size needed to tell the format.
    let small = generated(format, 150);
    assert!(small.len() > 70_000, "{}", small.len());
    assert!(assert_streams_like_whole("small.json", &small, 13).streaming);
}

#[test]
fn a_zipkin_file_is_parsed_while_it_arrives_and_reads_as_it_does_whole() {
    assert_parsed_while_arriving(Format::Zipkin, "Zipkin v2 JSON");
}

/// Zipkin spans (one trace) with tags `i` and `text`, as a JSON array with `sep` between
/// items.
fn zipkin_doc(spans: usize, text: &str, sep: &str) -> String {
    let items: Vec<String> = (0..spans)
        .map(|i| {
            let parent = if i == 0 {
                String::new()
            } else {
                format!(r#""parentId":"{:016x}","#, i / 3 + 1)
            };
            format!(
                r#"{{"traceId":"5b8efff798038103d269b633813fc60c","id":"{:016x}",{parent}"name":"op {i}","kind":"SERVER","timestamp":{},"duration":{},"localEndpoint":{{"serviceName":"svc{}"}},"tags":{{"i":"{i}","text":"{text}"}},"annotations":[{{"timestamp":{},"value":"ev {text}"}}]}}"#,
                i + 1,
                1_700_000_000_000_000u64 + i as u64,
                1_000 + i,
                i % 5,
                1_700_000_000_000_001u64 + i as u64,
            )
        })
        .collect();
    format!("[{}]", items.join(sep))
}

#[test]
fn characters_cut_by_a_chunk_boundary_are_read_whole() {
    let doc = zipkin_doc(400, "é€😀 \\u00e9 \\\"q\\\"", ",\n  ");
    assert!(doc.len() > 70_000);
    for chunk in [1, 2, 3, 5, 7, 4_093] {
        let streamed = assert_streams_like_whole("utf8.json", doc.as_bytes(), chunk);
        assert!(streamed.streaming);
        let store = streamed.result.unwrap();
        let text = store
            .attrs_of(store.spans[7].attrs)
            .iter()
            .find(|a| store.strings.get(a.key) == "text")
            .map(|a| a.value.display(&store.strings));
        assert_eq!(text.as_deref(), Some("é€😀 é \"q\""));
    }
}

#[test]
fn other_layouts_and_broken_files_read_as_they_do_whole() {
    let doc = zipkin_doc(300, "x", ",");
    let middle = doc.len() / 2;
    let comma = middle + doc[middle..].find(',').unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain.json", doc.clone().into_bytes()),
        ("bom.json", [&b"\xEF\xBB\xBF"[..], doc.as_bytes()].concat()),
        ("lines.json", format!("{doc}\n{doc}\n").into_bytes()),
        ("traces.json", format!("[{doc},{doc}]").into_bytes()),
        (
            "list-of-spans.json",
            format!(r#"{{"spans":{doc}}}"#).into_bytes(),
        ),
        ("not-objects.json", format!("[1,{}", &doc[1..]).into_bytes()),
        (
            "late-scalar.json",
            format!("{},7]", &doc[..doc.len() - 1]).into_bytes(),
        ),
        (
            "syntax.json",
            format!("{};{}", &doc[..comma], &doc[comma + 1..]).into_bytes(),
        ),
        ("truncated.json", doc.as_bytes()[..doc.len() - 10].to_vec()),
        ("trailing.json", format!("{doc} x").into_bytes()),
        (
            "empty-array.json",
            format!("[{}]", " ".repeat(70_000)).into_bytes(),
        ),
        ("otlp.json", generated(Format::Otlp, 300)),
        ("jaeger.json", generated(Format::Jaeger, 300)),
    ];
    let mut bad_utf8 = doc.clone().into_bytes();
    bad_utf8[middle] = 0xFF;
    cases.push(("bad-utf8.json", bad_utf8));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(doc.as_bytes()).unwrap();
    cases.push(("zipkin.json.gz", gz.finish().unwrap()));
    for (name, bytes) in &cases {
        for chunk in [4_096, 65_536 + 7] {
            assert_streams_like_whole(name, bytes, chunk);
        }
    }
    // The plain and BOM files stream; a gzip file does not.
    for (name, streams) in [
        ("plain.json", true),
        ("bom.json", true),
        ("zipkin.json.gz", false),
        ("otlp.json", true),
        ("jaeger.json", true),
    ] {
        let bytes = &cases.iter().find(|c| c.0 == name).unwrap().1;
        assert_eq!(
            stream_in_chunks(name, bytes, 4_096, true).streaming,
            streams,
            "{name}"
        );
    }
}

#[test]
fn a_jaeger_file_is_parsed_while_it_arrives_and_reads_as_it_does_whole() {
    assert_parsed_while_arriving(Format::Jaeger, "Jaeger JSON");
}

#[test]
fn other_jaeger_layouts_and_broken_files_read_as_they_do_whole() {
    let doc = String::from_utf8(generated(Format::Jaeger, 400)).unwrap();
    let (head, tail) = (r#"{"data":["#, r#"],"total":0"#);
    assert!(doc.starts_with(head), "{}", &doc[..40]);
    let trace = &doc[head.len()..doc.rfind(tail).unwrap()];
    let middle = doc.len() / 2;
    let comma = middle + doc[middle..].find(',').unwrap();
    let cases: Vec<(&str, String, bool)> = vec![
        (
            "two-traces.json",
            format!(r#"{{"data":[{trace},{trace}]}}"#),
            true,
        ),
        (
            "data-last.json",
            format!(r#"{{"total":1,"data":[{trace}]}}"#),
            false,
        ),
        ("bare-trace.json", trace.to_string(), false),
        ("traces-array.json", format!("[{trace},{trace}]"), false),
        (
            "processes-first.json",
            doc.replacen(r#""spans":["#, r#""processes":{},"spans":["#, 1),
            false,
        ),
        (
            "trace-warnings.json",
            doc.replace(
                r#""warnings":null}"#,
                r#""warnings":["clock skew adjusted"]}"#,
            ),
            true,
        ),
        (
            "missing-process.json",
            doc.replacen(r#""processID":"p1""#, r#""processID":"nope""#, 1),
            true,
        ),
        ("lines.json", format!("{doc}\n{doc}\n"), true),
        (
            "spaced.json",
            doc.replacen(r#"{"data":[{"#, "{ \"data\" :\n [ {\n ", 1),
            true,
        ),
        (
            "syntax.json",
            format!("{};{}", &doc[..comma], &doc[comma + 1..]),
            true,
        ),
        ("truncated.json", doc[..doc.len() - 10].to_string(), true),
        ("cut-in-spans.json", doc[..middle].to_string(), true),
        ("trailing.json", format!("{doc} x"), true),
        // A first trace object with no spans but span fields reads as a span, with the
        // trace id the streamed read took from its start.
        (
            "span-like-trace.json",
            format!(
                r#"{{"data":[{{"traceID":"0000000000000001","spans":[],"spanID":"0000000000000002","operationName":"op","startTime":1,"duration":2}},{trace}]}}"#
            ),
            true,
        ),
        (
            "null-data.json",
            format!(r#"{{"data":null,"x":{}}}"#, " ".repeat(70_000)),
            false,
        ),
    ];
    assert_layouts_read_as_whole(&cases);
}

#[test]
fn an_otlp_file_is_parsed_while_it_arrives_and_reads_as_it_does_whole() {
    assert_parsed_while_arriving(Format::Otlp, "OTLP JSON");
}

#[test]
fn other_otlp_layouts_and_broken_files_read_as_they_do_whole() {
    let doc = String::from_utf8(generated(Format::Otlp, 400)).unwrap();
    let inner = &doc[r#"{"resourceSpans":"#.len()..doc.len() - 1];
    let first_rs = doc.find(r#"{"resource":"#).unwrap();
    let scopes = doc.find(r#","scopeSpans":"#).unwrap();
    // The first resource moved after its scopes.
    let resource = &doc[first_rs + r#"{"resource":"#.len()..scopes];
    let rest = &doc[scopes + 1..];
    let scopes_end = rest.find(r#","schemaUrl""#).unwrap();
    let late_resource = format!(
        "{}{{{},\"resource\":{resource}{}",
        &doc[..first_rs],
        &rest[..scopes_end],
        &rest[scopes_end..]
    );
    let middle = doc.len() / 2;
    let comma = middle + doc[middle..].find(',').unwrap();
    let cases: Vec<(&str, String, bool)> = vec![
        ("lines.json", format!("{doc}\n{doc}\n"), true),
        ("batches.json", format!(r#"{{"batches":{inner}}}"#), true),
        ("keys-first.json", format!(r#"{{"x":[1,{{"y":2}}],"resourceSpans":{inner}}}"#), true),
        ("result.json", format!(r#"{{"result":{doc}}}"#), true),
        ("late-resource.json", late_resource, true),
        (
            "scope-last.json",
            doc.replace(
                r#"{"scope":{"name":"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp","version":"0.53.0"},"spans":"#,
                r#"{"spans":"#,
            ),
            true,
        ),
        ("null-spans.json", doc.replacen(r#""scopeSpans":["#, r#""scopeSpans":null,"x":["#, 1), true),
        ("spaced.json", doc.replace("},{", "} ,\n {"), true),
        ("syntax.json", format!("{};{}", &doc[..comma], &doc[comma + 1..]), true),
        ("truncated.json", doc[..doc.len() - 10].to_string(), true),
        ("trailing.json", format!("{doc} x"), true),
    ];
    for (name, text, _) in &cases {
        assert_ne!(text, &doc, "{name}: the variant differs from the file");
    }
    assert_layouts_read_as_whole(&cases);
}

#[test]
fn every_corpus_file_reads_the_same_streamed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(folders) = std::fs::read_dir(&dir) else {
        let _ = writeln!(std::io::stderr(), "SKIPPED: no corpus at {}", dir.display());
        return;
    };
    let mut files = 0;
    for folder in folders.flatten().filter(|f| f.path().is_dir()) {
        for file in std::fs::read_dir(folder.path()).unwrap().flatten() {
            let bytes = std::fs::read(file.path()).unwrap();
            let name = file.file_name().to_string_lossy().to_string();
            for chunk in [1_000, 1 << 20] {
                assert_streams_like_whole(&name, &bytes, chunk);
            }
            files += 1;
        }
    }
    assert!(files > 50, "{files} corpus files");
}
