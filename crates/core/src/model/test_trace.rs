//! A one-trace test file built from a few numbers per span, for tests of what is worked
//! out on a trace's tree.

use super::{build_traces, Store, Trace};

/// One span: its id, its parent's id (0: a root), start and end (ns), and whether it
/// failed. It is named `s<id>`.
pub struct T(pub u64, pub u64, pub i64, pub i64, pub bool);

/// The trace of `spans`, imported from an OTLP file.
pub fn trace_of(spans: &[T]) -> (Store, Trace) {
    let json: Vec<String> = spans
        .iter()
        .map(|T(id, parent, start, end, error)| {
            let parent = if *parent == 0 {
                String::new()
            } else {
                format!(r#","parentSpanId":"{parent:016x}""#)
            };
            format!(
                r#"{{"traceId":"00000000000000000000000000000001","spanId":"{id:016x}"{parent},"name":"s{id}","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}","status":{{"code":{}}}}}"#,
                if *error { 2 } else { 0 }
            )
        })
        .collect();
    let doc = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        json.join(",")
    );
    let store = crate::import::import("t.json", doc.as_bytes()).expect("the test file imports");
    let trace = build_traces(&store).remove(0);
    (store, trace)
}

/// The name of the span at trace position `pos`.
pub fn name_at(store: &Store, trace: &Trace, pos: u32) -> String {
    let span = &store.spans[trace.spans[pos as usize] as usize];
    store.strings.get(span.name).to_string()
}
