//! Small, plain traces for warming up the import path at start-up (see `worker::warm_up`).
//!
//! Not realistic, and deliberately independent of the catalogue and the planner: the import
//! worker links only this, so it stays ~200 KB smaller than with the full generator. What
//! matters is that every hot path of the importers runs: ids, times, parent links, attributes
//! of each value type, events, error statuses, several services.

use super::Format;
use std::fmt::Write;

/// A trace of `spans` spans (a root, then each span the child of an earlier one, up to four
/// levels deep) as `format`.
pub fn warm_up_trace(format: Format, spans: usize) -> String {
    let spans = spans.max(1);
    let mut out = String::with_capacity(spans * 700);
    let trace = "5b8efff798038103d269b633813fc60c";
    let start_us: u64 = 1_715_679_000_000_000;
    let parent = |i: usize| if i == 0 { None } else { Some((i - 1) / 4) };
    let service = |i: usize| i % 7;
    let span_id = |i: usize| format!("{:016x}", 0x1000_0000_0000_0000u64 + i as u64);
    match format {
        Format::Otlp => {
            out.push_str(r#"{"resourceSpans":["#);
            for svc in 0..7 {
                if svc > 0 {
                    out.push(',');
                }
                let _ = write!(
                    out,
                    r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc-{svc}"}}}}]}},"scopeSpans":[{{"scope":{{"name":"warm"}},"spans":["#
                );
                let mut first = true;
                for i in (0..spans).filter(|&i| service(i) == svc) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    let start = (start_us + i as u64) * 1000;
                    let _ = write!(
                        out,
                        r#"{{"traceId":"{trace}","spanId":"{}","parentSpanId":"{}","name":"op-{}","kind":{},"startTimeUnixNano":"{start}","endTimeUnixNano":"{}","attributes":[{{"key":"http.method","value":{{"stringValue":"GET"}}}},{{"key":"http.status_code","value":{{"intValue":"{}"}}}},{{"key":"ratio","value":{{"doubleValue":0.{i}}}}},{{"key":"cached","value":{{"boolValue":true}}}}],"events":[{{"timeUnixNano":"{start}","name":"event-{}","attributes":[{{"key":"n","value":{{"intValue":{i}}}}}]}}],"status":{{"code":{}}}}}"#,
                        span_id(i),
                        parent(i).map(span_id).unwrap_or_default(),
                        i % 13,
                        1 + i % 3,
                        start + 1000 * (spans - i) as u64,
                        200 + i % 300,
                        i % 5,
                        if i % 17 == 0 { 2 } else { 0 },
                    );
                }
                out.push_str("]}]}");
            }
            out.push_str("]}");
        }
        Format::Jaeger => {
            let _ = write!(out, r#"{{"data":[{{"traceID":"{trace}","spans":["#);
            for i in 0..spans {
                if i > 0 {
                    out.push(',');
                }
                let references = parent(i)
                    .map(|p| {
                        format!(
                            r#"{{"refType":"CHILD_OF","traceID":"{trace}","spanID":"{}"}}"#,
                            span_id(p)
                        )
                    })
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    r#"{{"traceID":"{trace}","spanID":"{}","operationName":"op-{}","references":[{references}],"startTime":{},"duration":{},"tags":[{{"key":"http.method","type":"string","value":"GET"}},{{"key":"http.status_code","type":"int64","value":{}}},{{"key":"ratio","type":"float64","value":0.{i}}},{{"key":"error","type":"bool","value":{}}}],"logs":[{{"timestamp":{},"fields":[{{"key":"event","type":"string","value":"event-{}"}}]}}],"processID":"p{}","warnings":null}}"#,
                    span_id(i),
                    i % 13,
                    start_us + i as u64,
                    spans - i,
                    200 + i % 300,
                    i % 17 == 0,
                    start_us + i as u64,
                    i % 5,
                    service(i),
                );
            }
            out.push_str(r#"],"processes":{"#);
            for svc in 0..7 {
                if svc > 0 {
                    out.push(',');
                }
                let _ = write!(
                    out,
                    r#""p{svc}":{{"serviceName":"svc-{svc}","tags":[{{"key":"hostname","type":"string","value":"host-{svc}"}}]}}"#
                );
            }
            out.push_str("}}]}");
        }
        Format::Zipkin => {
            out.push('[');
            for i in 0..spans {
                if i > 0 {
                    out.push(',');
                }
                let parent_field = parent(i)
                    .map(|p| format!(r#""parentId":"{}","#, span_id(p)))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    r#"{{"traceId":"{trace}","id":"{}",{parent_field}"name":"op-{}","kind":"{}","timestamp":{},"duration":{},"localEndpoint":{{"serviceName":"svc-{}","ipv4":"10.0.0.{}"}},"remoteEndpoint":{{"serviceName":"svc-{}"}},"tags":{{"http.method":"GET","http.status_code":"{}"{}}},"annotations":[{{"timestamp":{},"value":"event-{}"}}]}}"#,
                    span_id(i),
                    i % 13,
                    ["SERVER", "CLIENT", "PRODUCER"][i % 3],
                    start_us + i as u64,
                    spans - i,
                    service(i),
                    service(i),
                    service(i + 1),
                    200 + i % 300,
                    if i % 17 == 0 {
                        r#","error":"boom""#
                    } else {
                        ""
                    },
                    start_us + i as u64,
                    i % 5,
                );
            }
            out.push(']');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import;
    use crate::model::build_traces;

    #[test]
    fn every_format_imports_into_one_tree_with_errors_events_and_services() {
        for (format, name) in [
            (Format::Otlp, "OTLP JSON"),
            (Format::Jaeger, "Jaeger JSON"),
            (Format::Zipkin, "Zipkin v2 JSON"),
        ] {
            let text = warm_up_trace(format, 500);
            let store = import("warm", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(store.files[0].format, name);
            assert_eq!(store.spans.len(), 500, "{name}");
            let traces = build_traces(&store);
            assert_eq!(traces.len(), 1, "{name}");
            let roots = traces[0].depth.iter().filter(|&&d| d == 0).count();
            assert_eq!(roots, 1, "{name}");
            assert!(store.spans.iter().any(|s| s.events.len > 0), "{name}");
            assert!(store.spans.iter().any(|s| s.attrs.len >= 4), "{name}");
            let errors = store
                .spans
                .iter()
                .filter(|s| s.status == crate::model::StatusCode::Error)
                .count();
            assert_eq!(errors, 30, "{name}: spans 0, 17, … 493 fail");
            let mut services: Vec<_> = store.spans.iter().map(|s| s.service).collect();
            services.sort_unstable();
            services.dedup();
            assert_eq!(services.len(), 7, "{name}");
        }
    }
}
