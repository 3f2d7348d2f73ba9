//! AWS X-Ray importer tests beyond the per-quirk snapshots: the documents of each quirk of
//! the format (FORMATS.md section 6) are fixtures under `fixtures/xray/`, checked against
//! their snapshots by `snapshots.rs`; here are the checks a snapshot does not make (other
//! spellings loading alike, nesting limits, merging with OTLP, exact times, damaged input,
//! the real corpus files, pathological parent chains).

mod common;

use common::render;
use spanorama_core::import::import;
use spanorama_core::model::{build_traces, Store};

/// A fixture of `fixtures/xray/`.
fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xray")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads `doc` (which must be detected as X-Ray) and renders it.
fn load(doc: &str) -> String {
    let store = import("xray.json", doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.files[0].format, "AWS X-Ray JSON");
    render(&store)
}

#[track_caller]
fn assert_no_file_warnings(store: &Store) {
    let warnings = &store.files[0].warnings;
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn an_array_of_documents_and_documents_one_per_line_load_alike() {
    let lines = fixture("documents-one-per-line.json");
    let (a, b) = lines.trim_end().split_once('\n').unwrap();
    let lines = load(&lines);
    assert_eq!(load(&format!("[{a},\n {b}]")), lines);
    assert_eq!(load(&format!("[[{a}], [{b}]]")), lines);
}

#[test]
fn daemon_datagrams_captured_one_after_another_load() {
    let one = fixture("daemon-datagram.json");
    let two = format!(
        "{one}{}",
        one.replace("bda182a644eee9b3", "bda182a644eee9b4")
    );
    let store = import("xray.json", two.as_bytes()).unwrap();
    assert_eq!(store.spans.len(), 2);
    assert_no_file_warnings(&store);
}

/// A segment whose subsegments nest `levels` deep, one per level.
fn nested(levels: usize) -> String {
    let mut doc = String::new();
    for level in 0..=levels {
        if level > 0 {
            doc.push_str(r#","subsegments":["#);
        }
        doc.push_str(&format!(
            r#"{{"name":"n{level}","id":"{:016x}","start_time":{},"end_time":100"#,
            level + 1,
            level + 1
        ));
        if level == 0 {
            doc.push_str(r#","trace_id":"1-5759e988-bd862e3fe1be46a994272793""#);
        }
    }
    for level in (0..=levels).rev() {
        doc.push('}');
        if level > 0 {
            doc.push(']');
        }
    }
    doc
}

#[test]
fn subsegments_nest_to_any_depth_as_child_spans() {
    assert_eq!(load(&nested(3)), load(&fixture("nested-subsegments.json")));
    let store = import("deep.json", nested(40).as_bytes()).unwrap();
    let traces = build_traces(&store);
    assert_eq!(store.spans.len(), 41);
    assert_eq!(traces[0].depth.iter().max(), Some(&40));
    assert_no_file_warnings(&store);
}

#[test]
fn subsegments_nested_past_the_limit_are_left_out_with_a_warning() {
    // Deeper than the scanner's nesting limit: the file still loads, cut at 48 levels.
    let store = import("deeper.json", nested(200).as_bytes()).unwrap();
    assert_eq!(store.spans.len(), 49);
    assert_eq!(build_traces(&store)[0].depth.iter().max(), Some(&48));
    let warnings = &store.files[0].warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("nested more than 48 levels deep")),
        "{warnings:?}"
    );
}

#[test]
fn x_ray_trace_ids_merge_with_the_same_request_from_opentelemetry() {
    let xray = r#"{"name":"gateway","id":"00000000000000a1","trace_id":"1-5759e988-bd862e3fe1be46a994272793",
        "start_time":10,"end_time":20}"#;
    let otlp = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"backend"}}]},
        "scopeSpans":[{"spans":[{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"00000000000000b1",
        "parentSpanId":"00000000000000a1","name":"work","kind":2,
        "startTimeUnixNano":"11000000000","endTimeUnixNano":"12000000000"}]}]}]}"#;
    let mut store = import("xray.json", xray.as_bytes()).unwrap();
    store.append(import("otlp.json", otlp.as_bytes()).unwrap());
    let traces = build_traces(&store);
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].root_count, 1);
    assert_eq!(traces[0].depth, [0, 1]);
    assert_eq!(
        store.trace_id_display(traces[0].id),
        "1-5759e988-bd862e3fe1be46a994272793"
    );
    assert_eq!(traces[0].id.to_string(), "5759e988bd862e3fe1be46a994272793");
}

#[test]
fn times_keep_every_digit() {
    // 1595437651.680097 is 1595437651.6800971031… as an f64; 1596566305.5928545 has a 100 ns
    // digit an f64 at that size cannot hold; the API writes exponents.
    let doc = r#"{"name":"t","id":"00000000000000a1","trace_id":"1-5759e988-bd862e3fe1be46a994272793",
        "start_time":1595437651.680097,"end_time":1596566305.5928545,
        "subsegments":[{"name":"e","id":"00000000000000a2","start_time":1.568835610432E9,"end_time":"1568835610.664"}]}"#;
    let store = import("t.json", doc.as_bytes()).unwrap();
    assert_eq!(store.spans[0].start_unix_nanos, 1_595_437_651_680_097_000);
    assert_eq!(store.spans[0].end_unix_nanos(), 1_596_566_305_592_854_500);
    assert_eq!(store.spans[1].start_unix_nanos, 1_568_835_610_432_000_000);
    assert_eq!(store.spans[1].end_unix_nanos(), 1_568_835_610_664_000_000);
}

#[test]
fn cut_or_corrupted_documents_never_panic() {
    let docs = [
        fixture("segment.json"),
        fixture("batch-get-traces.json"),
        nested(5),
    ];
    for doc in &docs {
        let bytes = doc.as_bytes();
        for cut in 0..bytes.len() {
            let _ = import("cut.json", &bytes[..cut]);
            let mut corrupted = bytes.to_vec();
            corrupted[cut] = match corrupted[cut] {
                b'{' => b'[',
                b'"' => b'}',
                b'1' => b'-',
                _ => b'"',
            };
            let _ = import("corrupted.json", &corrupted);
        }
    }
}

/// The real files of the shared corpus (FORMATS.md section 6), where it is present.
fn corpus_file(name: &str) -> Option<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/xray")
        .join(name);
    std::fs::read(path).ok()
}

#[test]
fn the_cli_batch_get_traces_example_reads_as_documented() {
    let Some(bytes) = corpus_file("awscli-batch-get-traces.json") else {
        return;
    };
    let store = import("awscli-batch-get-traces.json", &bytes).unwrap();
    let rendered = render(&store);
    // Scorekeep's DynamoDB call is a client span naming the downstream service, and X-Ray's
    // inferred DynamoDB segment is that service's server span under it.
    for line in [
        "  54aff5735b12dd28 Scorekeep [Scorekeep] server +232000000 1568835610432000000",
        "    2d6900034ccfe558 DynamoDB [Scorekeep] client +6000000 1568835610658000000",
        "      . peer.service = DynamoDB",
        "      0f278b6334c34e6b DynamoDB [DynamoDB] server +6000000 1568835610658000000",
        "        . aws.xray.inferred = true",
        "resource DynamoDB: cloud.provider=aws, aws.xray.origin=AWS::DynamoDB::Table",
    ] {
        assert!(
            rendered.lines().any(|l| l == line),
            "{line:?} not in\n{rendered}"
        );
    }
    assert_no_file_warnings(&store);
}

#[test]
fn the_in_progress_corpus_segment_warns_that_it_was_still_running() {
    let Some(bytes) = corpus_file("contrib-minInProgress.json") else {
        return;
    };
    let store = import("contrib-minInProgress.json", &bytes).unwrap();
    assert!(store.spans[0].end_unknown());
    let warnings: Vec<String> = store.warnings_of(0).map(|w| w.message()).collect();
    assert_eq!(
        warnings,
        ["still in progress when it was recorded (no end time yet); drawn open-ended"]
    );
}

#[test]
fn independent_subsegments_in_a_cycle_or_a_long_chain_load_quickly() {
    let indep = |id: u64, parent: u64| {
        format!(
            r#"{{"type":"subsegment","name":"s{id}","id":"{id:016x}","parent_id":"{parent:016x}",
                "trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}}"#
        )
    };
    // Each names the other as parent: no service to inherit, and no endless walk.
    let cycle = format!("{}\n{}", indep(1, 2), indep(2, 1));
    let store = import("cycle.json", cycle.as_bytes()).unwrap();
    assert!(store
        .spans
        .iter()
        .all(|s| store.strings.get(s.service) == "unknown_service"));
    // A segment, then 20,000 independent subsegments each under the one before.
    let mut chain = String::from(
        r#"{"name":"root","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}"#,
    );
    for id in 2..=20_001 {
        chain.push('\n');
        chain.push_str(&indep(id, id - 1));
    }
    // (Linear work: milliseconds. A walk up the chain per span would take minutes.)
    let store = import("chain.json", chain.as_bytes()).unwrap();
    assert_eq!(store.spans.len(), 20_001);
    assert!(store
        .spans
        .iter()
        .all(|s| store.strings.get(s.service) == "root"));
    assert_no_file_warnings(&store);
}
