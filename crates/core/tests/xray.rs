//! AWS X-Ray importer fixtures: one small document per quirk of the format (FORMATS.md
//! section 6), each checked against a snapshot of what it loads as: the span tree in
//! pre-order with times, kinds, services, status, attributes, events, links and warnings,
//! then the file's warnings. Snapshots are written by hand from the X-Ray documentation and
//! re-blessed only deliberately.

use spanorama_core::import::{import, ImportError};
use spanorama_core::model::{build_traces, Store};
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
            if s.status != spanorama_core::model::StatusCode::Unset {
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
        let line = format!("resource {}: {}", text(r.service), attrs.join(", "));
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for w in &store.files[0].warnings {
        let _ = writeln!(out, "file: {w}");
    }
    out
}

#[track_caller]
fn assert_no_file_warnings(store: &Store) {
    let warnings = &store.files[0].warnings;
    assert!(warnings.is_empty(), "{warnings:?}");
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
    assert_no_file_warnings(&store);
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
    snapshot(
        &load(&nested(3)),
        r#"
        trace 1-5759e988-bd862e3fe1be46a994272793
          = 5759e988bd862e3fe1be46a994272793
          0000000000000001 n0 [n0] server +99000000000 1000000000
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
            0000000000000002 n1 [n0] internal +98000000000 2000000000
              0000000000000003 n2 [n0] internal +97000000000 3000000000
                0000000000000004 n3 [n0] internal +96000000000 4000000000
        resource n0:
    "#,
    );
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
fn independent_subsegments_hang_under_their_parent_by_id() {
    // The segment, then two subsegments sent on their own: one under the segment's embedded
    // subsegment, one under that one; and one whose parent is in no document here.
    let doc = r#"
        {"name":"web","id":"00000000000000a1","trace_id":"1-5759e988-bd862e3fe1be46a994272793",
         "start_time":10,"end_time":20,
         "subsegments":[{"name":"handler","id":"00000000000000a2","start_time":11,"end_time":19}]}
        {"type":"subsegment","name":"api.example.com","id":"00000000000000b1","namespace":"remote",
         "trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"00000000000000a2",
         "start_time":12,"end_time":13,
         "subsegments":[{"name":"retry","id":"00000000000000b2","start_time":12.5,"end_time":13}]}
        {"type":"subsegment","name":"decode","id":"00000000000000c1",
         "trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"00000000000000b1",
         "start_time":12.6,"end_time":12.9}
        {"type":"subsegment","name":"lost","id":"00000000000000d1",
         "trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"00000000000000ff",
         "start_time":15,"end_time":16}
    "#;
    snapshot(
        &load(doc),
        r#"
        trace 1-5759e988-bd862e3fe1be46a994272793
          = 5759e988bd862e3fe1be46a994272793
          00000000000000a1 web [web] server +10000000000 10000000000
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
            00000000000000a2 handler [web] internal +8000000000 11000000000
              00000000000000b1 api.example.com [web] client +1000000000 12000000000
                . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
                . aws.xray.namespace = remote
                . peer.service = api.example.com
                . aws.xray.type = subsegment
                00000000000000b2 retry [web] internal +500000000 12500000000
                00000000000000c1 decode [web] internal +300000000 12600000000
                  . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
                  . aws.xray.type = subsegment
          00000000000000d1 lost [unknown_service] internal +1000000000 15000000000
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
            . aws.xray.type = subsegment
            ! no service name in the file; shown as "unknown_service"
            tree: MissingParent(SpanId(255))
        resource web:
        resource unknown_service:
        file: 1 span without a service name: shown as "unknown_service"
        file: 1 independent subsegment(s) ("type": "subsegment") name a parent that is not in the file: shown as roots, without a service name
    "#,
    );
}

#[test]
fn in_progress_segments_are_open_ended_with_a_warning_that_says_so() {
    let doc = r#"[
        {"name":"LongOperation","id":"5cc4a447f5d4d696","trace_id":"1-5f187253-6a106696d56b1f4ef9eba2ed",
         "start_time":1595437651.680097,"in_progress":true,
         "subsegments":[{"name":"step","id":"5cc4a447f5d4d697","start_time":1595437651.7,"end_time":1595437651.8},
                        {"name":"waiting","id":"5cc4a447f5d4d698","start_time":1595437651.9,"in_progress":true}]},
        {"name":"segment","id":"5cc4a447f5d4d699","trace_id":"1-5f187253-6a106696d56b1f4ef9eba2ed",
         "start_time":1595437651.680097,"parent_id":"5cc4a447f5d4d696"}
    ]"#;
    snapshot(
        &load(doc),
        r#"
        trace 1-5f187253-6a106696d56b1f4ef9eba2ed
          = 5f1872536a106696d56b1f4ef9eba2ed
          5cc4a447f5d4d696 LongOperation [LongOperation] server +open 1595437651680097000
            . aws.xray.trace_id = 1-5f187253-6a106696d56b1f4ef9eba2ed
            ! still in progress when it was recorded (no end time yet); drawn open-ended
            5cc4a447f5d4d699 segment [segment] server +open 1595437651680097000
              . aws.xray.trace_id = 1-5f187253-6a106696d56b1f4ef9eba2ed
              ! no end time in the file; drawn open-ended
            5cc4a447f5d4d697 step [LongOperation] internal +100000000 1595437651700000000
            5cc4a447f5d4d698 waiting [LongOperation] internal +open 1595437651900000000
              ! still in progress when it was recorded (no end time yet); drawn open-ended
        resource LongOperation:
        resource segment:
        file: 1 span without an end time: drawn open-ended
        file: 2 spans still in progress when recorded (no end time yet): drawn open-ended
    "#,
    );
}

#[test]
fn fault_error_and_throttle_set_the_status_and_exceptions_become_events() {
    let doc = r#"{"name":"orders","id":"00000000000000a1","trace_id":"1-5759e988-bd862e3fe1be46a994272793",
        "start_time":10,"end_time":20,"fault":true,"http":{"response":{"status":500}},
        "cause":{"working_directory":"/app","paths":["/app/main.py"],"exceptions":[
            {"id":"e000000000000001","type":"KeyError","message":"'sku'","remote":false,"truncated":2,
             "stack":[{"path":"/app/main.py","line":42,"label":"handle"},{"path":"/app/lib.py","line":7}]},
            {"id":"e000000000000002","message":"wrapped","cause":"e000000000000001"}]},
        "subsegments":[
            {"name":"DynamoDB","id":"00000000000000a2","namespace":"aws","start_time":11,"end_time":12,
             "error":true,"throttle":true,"http":{"response":{"status":429}},"aws":{"operation":"GetItem"}},
            {"name":"cart","id":"00000000000000a3","namespace":"remote","start_time":12,"end_time":13,
             "error":true,"http":{"response":{"status":404}}},
            {"name":"retry","id":"00000000000000a4","start_time":13,"end_time":14,"fault":true,
             "cause":"e000000000000001"},
            {"name":"elsewhere","id":"00000000000000a5","start_time":14,"end_time":15,"fault":true,
             "cause":"e0000000000000ff"}]}"#;
    snapshot(
        &load(doc),
        r#"
        trace 1-5759e988-bd862e3fe1be46a994272793
          = 5759e988bd862e3fe1be46a994272793
          00000000000000a1 orders [orders] server +10000000000 10000000000 error: fault (HTTP 500): 'sku'
            . http.response.status_code = 500
            . aws.xray.cause.working_directory = /app
            . aws.xray.cause.paths = ["/app/main.py"]
            . aws.xray.trace_id = 1-5759e988-bd862e3fe1be46a994272793
            . aws.xray.fault = true
            event exception @20000000000
              . aws.xray.exception.id = e000000000000001
              . exception.type = KeyError
              . exception.message = 'sku'
              . aws.xray.exception.remote = false
              . aws.xray.exception.truncated = 2
              . exception.stacktrace = at handle (/app/main.py:42)\nat ? (/app/lib.py:7)
            event exception @20000000000
              . aws.xray.exception.id = e000000000000002
              . exception.message = wrapped
              . aws.xray.exception.cause = e000000000000001
            00000000000000a2 DynamoDB [orders] client +1000000000 11000000000 error: error, throttle (HTTP 429)
              . http.response.status_code = 429
              . aws.operation = GetItem
              . aws.xray.namespace = aws
              . peer.service = DynamoDB
              . aws.xray.error = true
              . aws.xray.throttle = true
            00000000000000a3 cart [orders] client +1000000000 12000000000 error: error (HTTP 404)
              . http.response.status_code = 404
              . aws.xray.namespace = remote
              . peer.service = cart
              . aws.xray.error = true
            00000000000000a4 retry [orders] internal +1000000000 13000000000 error: fault: 'sku'
              . aws.xray.cause.exception_id = e000000000000001
              . aws.xray.fault = true
            00000000000000a5 elsewhere [orders] internal +1000000000 14000000000 error: fault
              . aws.xray.cause.exception_id = e0000000000000ff
              . aws.xray.fault = true
        resource orders:
    "#,
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
fn broken_json_says_where() {
    let e = fails("{\"name\": \"a\", \"id\": \"00000000000000a1\",\n \"trace_id\": \"1-5759e988-bd862e3fe1be46a994272793\",\n \"start_time\": 1, \"end_time\": }");
    assert!(e.message.contains("line 3"), "{e}");
}

#[test]
fn cut_or_corrupted_documents_never_panic() {
    let docs = [SEGMENT, BATCH, &nested(5)];
    for doc in docs {
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
