//! AWS X-Ray importer fixtures: one small document per quirk of the format (FORMATS.md
//! section 6), each checked against a snapshot of what it loads as: the span tree in
//! pre-order with times, kinds, services, status, attributes, events, links and warnings,
//! then the file's warnings. Snapshots are written by hand from the X-Ray documentation and
//! re-blessed only deliberately.

use spanorama::import::{import, ImportError};
use spanorama::model::{build_traces, Store};
use std::fmt::Write;

/// Loads `doc` (which must be detected as X-Ray) and renders it for a snapshot.
fn load(doc: &str) -> String {
    let store = import("xray.json", doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.files[0].format, "AWS X-Ray JSON");
    render(&store)
}

fn fails(doc: &str) -> ImportError {
    match import("xray.json", doc.as_bytes()) {
        Ok(store) => panic!("loaded {} spans, expected an error", store.spans.len()),
        Err(e) => e,
    }
}

/// The model in words: each trace, its spans in tree order, then the file warnings.
fn render(store: &Store) -> String {
    let mut out = String::new();
    let text = |id| store.strings.get(id);
    for trace in build_traces(store) {
        let _ = writeln!(out, "trace {}", store.trace_id_display(trace.id));
        let _ = writeln!(out, "  = {}", trace.id);
        for (pos, &index) in trace.spans.iter().enumerate() {
            let s = &store.spans[index as usize];
            let indent = "  ".repeat(trace.depth[pos] as usize + 1);
            let duration = if s.end_unknown() {
                "open".to_string()
            } else {
                s.duration_nanos.to_string()
            };
            let _ = write!(
                out,
                "{indent}{} {} [{}] {} +{duration} {}",
                store.span_id_display(s.span_id),
                text(s.name),
                text(s.service),
                s.kind.as_str(),
                s.start_unix_nanos,
            );
            if s.status != spanorama::model::StatusCode::Unset {
                let _ = write!(out, " {}: {}", s.status.as_str(), text(s.status_message));
            }
            out.push('\n');
            for a in store.attrs_iter(s.attrs) {
                let _ = writeln!(
                    out,
                    "{indent}  . {} = {}",
                    text(a.key),
                    a.value.display(&store.strings)
                );
            }
            for e in store.events_of(s) {
                let _ = writeln!(
                    out,
                    "{indent}  event {} @{}",
                    text(e.name),
                    e.time_unix_nanos
                );
                for a in store.attrs_iter(e.attrs) {
                    let value = a.value.display(&store.strings).replace('\n', "\\n");
                    let _ = writeln!(out, "{indent}    . {} = {value}", text(a.key));
                }
            }
            for l in store.links_of(s) {
                let _ = writeln!(out, "{indent}  link {}", store.span_id_display(l.span_id));
            }
            for w in store.warnings_of(index) {
                let _ = writeln!(out, "{indent}  ! {}", w.message());
            }
            for (_, w) in trace.warnings.iter().filter(|(p, _)| *p as usize == pos) {
                let _ = writeln!(out, "{indent}  tree: {w:?}");
            }
        }
    }
    for r in &store.resources {
        let attrs: Vec<String> = store
            .attrs_iter(r.attrs)
            .map(|a| format!("{}={}", text(a.key), a.value.display(&store.strings)))
            .collect();
        let _ = writeln!(out, "resource {}: {}", text(r.service), attrs.join(", "));
    }
    for w in &store.files[0].warnings {
        let _ = writeln!(out, "file: {w}");
    }
    out
}

/// Compares a rendering with its snapshot, showing both in full when they differ.
#[track_caller]
fn snapshot(got: &str, want: &str) {
    let want = want
        .lines()
        .map(str::trim_end)
        .skip_while(|l| l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let want = textwrap_dedent(&want);
    let got = got
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        got.trim_end() == want.trim_end(),
        "snapshot differs\n--- got ---\n{got}\n--- want ---\n{want}\n"
    );
}

/// Removes the common leading indentation of the snapshot literal.
fn textwrap_dedent(text: &str) -> String {
    let margin = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(margin..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

const SEGMENT: &str = r#"{
    "name": "checkout", "id": "70de5b6f19ff9a0a", "trace_id": "1-5759e988-bd862e3fe1be46a994272793",
    "start_time": 1595437651.680097, "end_time": 1.5954376517E9,
    "origin": "AWS::EC2::Instance", "resource_arn": "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
    "user": "alice", "service": {"version": "1.2.3", "runtime": "CPython", "runtime_version": "3.12"},
    "http": {"request": {"method": "GET", "url": "https://shop.example/cart", "user_agent": "curl/8",
             "client_ip": "10.0.0.7", "x_forwarded_for": true},
             "response": {"status": 200, "content_length": 1234}},
    "aws": {"account_id": "123456789012", "ec2": {"instance_id": "i-1"}},
    "annotations": {"customer": "c-42", "items": 3, "vip": false, "score": 0.5},
    "metadata": {"debug": {"cart": {"lines": [1, 2], "deep": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}}},
    "Dummy": false,
    "subsegments": [
        {"name": "shop@db.example", "id": "2a8a2f3b4c5d6e7f", "start_time": 1595437651.681, "end_time": 1595437651.69,
         "namespace": "remote", "sql": {"url": "jdbc:postgresql://db:5432/shop", "database_type": "PostgreSQL",
         "sanitized_query": "SELECT * FROM carts WHERE id = ?", "user": "app", "driver_version": "42"}},
        {"name": "render", "id": "3b9a2f3b4c5d6e70", "start_time": 1595437651.691, "end_time": 1595437651.695,
         "precursor_ids": ["2a8a2f3b4c5d6e7f"]}
    ]
}"#;

#[test]
fn a_segment_maps_every_field() {
    snapshot(
        &load(SEGMENT),
        r#"
        trace 1-5759e988-bd862e3fe1be46a994272793
          = 5759e988bd862e3fe1be46a994272793
          70de5b6f19ff9a0a checkout [checkout] server +19903000 1595437651680097000
            . http.request.method = GET
            . url.full = https://shop.example/cart
            . user_agent.original = curl/8
            . client.address = 10.0.0.7
            . http.request.x_forwarded_for = true
            . http.response.status_code = 200
            . http.response.body.size = 1234
            . aws.account_id = 123456789012
            . aws.ec2.instance_id = i-1
            . annotations.customer = c-42
            . annotations.items = 3
            . annotations.vip = false
            . annotations.score = 0.5
            . metadata.debug.cart.lines = [1,2]
            . metadata.debug.cart.deep.a.b.c.d.e = {"f":1}
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
            . enduser.id = alice
            2a8a2f3b4c5d6e7f shop@db.example [checkout] client +9000000 1595437651681000000
              . sql.url = jdbc:postgresql://db:5432/shop
              . db.system = PostgreSQL
              . db.statement = SELECT * FROM carts WHERE id = ?
              . db.user = app
              . sql.driver_version = 42
              . aws.xray.namespace = remote
              . peer.service = shop@db.example
            3b9a2f3b4c5d6e70 render [checkout] internal +4000000 1595437651691000000
              link 2a8a2f3b4c5d6e7f
        resource checkout: service.version=1.2.3, process.runtime.name=CPython, process.runtime.version=3.12, cloud.provider=aws, cloud.platform=aws_ec2, aws.xray.origin=AWS::EC2::Instance, cloud.resource_id=arn:aws:ec2:us-east-1:123456789012:instance/i-1
    "#,
    );
}

#[test]
fn an_array_of_documents_and_documents_one_per_line_load_alike() {
    let a = r#"{"name":"a","id":"00000000000000a1","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}"#;
    let b = r#"{"name":"b","id":"00000000000000b1","trace_id":"1-5759e988-bd862e3fe1be46a994272794","start_time":3,"end_time":4.5}"#;
    let lines = load(&format!("{a}\n{b}\n"));
    snapshot(
        &lines,
        r#"
        trace 1-5759e988-bd862e3fe1be46a994272793
          = 5759e988bd862e3fe1be46a994272793
          00000000000000a1 a [a] server +1000000000 1000000000
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
        trace 1-5759e988-bd862e3fe1be46a994272794
          = 5759e988bd862e3fe1be46a994272794
          00000000000000b1 b [b] server +1500000000 3000000000
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272794
        resource a: 
        resource b: 
    "#,
    );
    assert_eq!(load(&format!("[{a},\n {b}]")), lines);
    assert_eq!(load(&format!("[[{a}], [{b}]]")), lines);
}

#[test]
fn a_daemon_datagram_is_a_header_line_then_the_segment() {
    let one = "{\"format\": \"json\", \"version\": 1}\n{\"name\":\"SampleServer\",\"id\":\"bda182a644eee9b3\",\
               \"trace_id\":\"1-5f2aebcc-b475d14618c51eaa28753d37\",\"start_time\":1596648396.6399446,\
               \"end_time\":1596648396.6401389}";
    snapshot(
        &load(one),
        r#"
        trace 1-5f2aebcc-b475d14618c51eaa28753d37
          = 5f2aebccb475d14618c51eaa28753d37
          bda182a644eee9b3 SampleServer [SampleServer] server +194300 1596648396639944600
            . aws.xray.trace_id = 1-5f2aebcc-b475d14618c51eaa28753d37
        resource SampleServer: 
    "#,
    );
    // Datagrams captured one after another.
    let two = format!(
        "{one}\n{}",
        one.replace("bda182a644eee9b3", "bda182a644eee9b4")
    );
    let store = import("xray.json", two.as_bytes()).unwrap();
    assert_eq!(store.spans.len(), 2);
    assert!(
        store.files[0].warnings.is_empty(),
        "{:?}",
        store.files[0].warnings
    );
}

/// `aws xray batch-get-traces` output: each Document is a segment as a JSON string.
const BATCH: &str = r#"{
    "Traces": [{
        "Id": "1-5d82881a-0a9126e92a73e971eed891b9", "Duration": 0.232, "LimitExceeded": true,
        "Segments": [
            {"Id": "54aff5735b12dd28", "Document": "{\"id\":\"54aff5735b12dd28\",\"name\":\"Scorekeep\",\"start_time\":1.568835610432E9,\"end_time\":1.568835610664E9,\"subsegments\":[{\"id\":\"2d6900034ccfe558\",\"name\":\"DynamoDB\",\"start_time\":1.568835610658E9,\"end_time\":1.568835610664E9,\"namespace\":\"aws\",\"aws\":{\"operation\":\"UpdateItem\"}}],\"trace_id\":\"1-5d82881a-0a9126e92a73e971eed891b9\"}"},
            {"Id": "0f278b6334c34e6b", "Document": "{\"id\":\"0f278b6334c34e6b\",\"name\":\"DynamoDB\",\"start_time\":1.568835610658E9,\"end_time\":1.568835610664E9,\"parent_id\":\"2d6900034ccfe558\",\"inferred\":true,\"trace_id\":\"1-5d82881a-0a9126e92a73e971eed891b9\",\"origin\":\"AWS::DynamoDB::Table\"}"},
            {"Id": "1111111111111111", "Document": "{\"id\":\"1111111111111111\",\"name\":"}
        ]
    }],
    "UnprocessedTraceIds": ["1-5d82881a-00000000000000000000000a"]
}"#;

#[test]
fn batch_get_traces_documents_are_parsed_again() {
    snapshot(
        &load(BATCH),
        r#"
        trace 1-5d82881a-0a9126e92a73e971eed891b9
          = 5d82881a0a9126e92a73e971eed891b9
          54aff5735b12dd28 Scorekeep [Scorekeep] server +232000000 1568835610432000000
            . aws.xray.trace_id = 1-5d82881a-0a9126e92a73e971eed891b9
            2d6900034ccfe558 DynamoDB [Scorekeep] client +6000000 1568835610658000000
              . aws.operation = UpdateItem
              . aws.xray.namespace = aws
              . peer.service = DynamoDB
              0f278b6334c34e6b DynamoDB [DynamoDB] server +6000000 1568835610658000000
                . aws.xray.trace_id = 1-5d82881a-0a9126e92a73e971eed891b9
                . aws.xray.inferred = true
        resource Scorekeep: 
        resource DynamoDB: cloud.provider=aws, aws.xray.origin=AWS::DynamoDB::Table
        file: 1 segment document(s) could not be read and were left out; the first: the Document of segment 3 of trace 1 is not a readable segment: the JSON ends too early (is the file truncated?) at line 1 column 32
        file: X-Ray did not return 1 requested trace(s) (UnprocessedTraceIds: 1-5d82881a-00000000000000000000000a): they are not in the file
        file: X-Ray returned only part of 1 trace(s), which exceeded its size limit (LimitExceeded): 1-5d82881a-0a9126e92a73e971eed891b9
    "#,
    );
}

#[test]
fn batch_get_traces_without_any_segment_says_why() {
    let none = r#"{"Traces": [], "UnprocessedTraceIds": ["1-5d82881a-0a9126e92a73e971eed891b9"]}"#;
    let e = fails(none);
    assert!(e.message.contains("UnprocessedTraceIds"), "{e}");
    assert!(
        e.message.contains("1-5d82881a-0a9126e92a73e971eed891b9"),
        "{e}"
    );
    let broken = r#"{"Traces": [{"Segments": [{"Document": "{\"id\": \"54aff5735b12dd28\",\n\"name\": }"}]}]}"#;
    let e = fails(broken);
    assert!(
        e.message.contains("the Document of segment 1 of trace 1") && e.message.contains("line 2"),
        "{e}"
    );
}

#[test]
fn put_trace_segments_bodies_load() {
    let body = r#"{"TraceSegmentDocuments": [
        "{\"name\":\"api\",\"id\":\"00000000000000a1\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\",\"start_time\":10,\"end_time\":11}",
        "{\"name\":\"worker\",\"id\":\"00000000000000b2\",\"parent_id\":\"00000000000000a1\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\",\"start_time\":10.25,\"end_time\":10.5}"
    ]}"#;
    snapshot(
        &load(body),
        r#"
        trace 1-5759e988-bd862e3fe1be46a994272793
          = 5759e988bd862e3fe1be46a994272793
          00000000000000a1 api [api] server +1000000000 10000000000
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
            00000000000000b2 worker [worker] server +250000000 10250000000
              . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
        resource api: 
        resource worker: 
    "#,
    );
}

#[test]
fn corpus_dump() {
    for f in std::fs::read_dir("../shared/corpus/xray").unwrap() {
        let p = f.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let store = import("x", &bytes).unwrap();
        println!("===== {}\n{}", p.display(), render(&store));
    }
    let _ = (load, fails, snapshot);
}
