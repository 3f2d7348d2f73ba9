//! Test traces written as indented text, one span a line, for the flame graph and diff tests:
//!
//! ```text
//! api:GET /cart 0..100
//!   db:SELECT carts 10..40 error
//!   db:SELECT carts 50..90
//! ---
//! api:GET /cart 0..80
//! ```
//!
//! Each line is `service:operation start..end` (ns; `start..` leaves the end out, so it is
//! unknown), optionally followed by `error`; two spaces of indent per level (counted from the
//! least indented line of the trace, so the text may be indented as a whole: start it with a
//! line break) make a span the child of the nearest line above it one level up. `---` starts
//! the next trace. The text is written as an OTLP file (one resource per span, for its
//! service) and imported.

use crate::model::{build_traces, Store, Trace};

/// The store and traces (in the order written) of `text`.
pub fn traces_of(text: &str) -> (Store, Vec<Trace>) {
    let mut resource_spans = Vec::new();
    for (t, block) in text.split("---").enumerate() {
        // Span ids of the open ancestors, by level.
        let mut open: Vec<u64> = Vec::new();
        let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        let base = lines.iter().map(|l| indent(l)).min().unwrap_or(0);
        for (k, line) in lines.iter().enumerate() {
            let level = (indent(line) - base) / 2;
            open.truncate(level);
            let id = (t as u64 + 1) * 1_000_000 + k as u64 + 1;
            let parent = open.last().copied();
            open.push(id);
            resource_spans.push(resource_span(t as u64 + 1, id, parent, line.trim()));
        }
    }
    let doc = format!(r#"{{"resourceSpans":[{}]}}"#, resource_spans.join(","));
    let store = crate::import::import("t.json", doc.as_bytes()).expect("the test file imports");
    let mut traces = build_traces(&store);
    traces.sort_by_key(|t| t.id);
    (store, traces)
}

/// One span as an OTLP resource span.
fn resource_span(trace: u64, id: u64, parent: Option<u64>, line: &str) -> String {
    let (line, error) = match line.strip_suffix(" error") {
        Some(rest) => (rest, true),
        None => (line, false),
    };
    let (frame, times) = line.rsplit_once(' ').expect("a line ends with start..end");
    let (service, name) = frame.split_once(':').expect("a frame is service:operation");
    let (start, end) = times.split_once("..").expect("times are start..end");
    let start: i64 = start.parse().expect("a start time");
    let end = match end {
        "" => String::new(),
        end => format!(
            r#","endTimeUnixNano":"{}""#,
            end.parse::<i64>().expect("an end")
        ),
    };
    let parent = parent.map_or(String::new(), |p| format!(r#","parentSpanId":"{p:016x}""#));
    let q = |s: &str| serde_json::to_string(s).expect("a string");
    format!(
        r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":{service}}}}}]}},
        "scopeSpans":[{{"spans":[{{"traceId":"{trace:032x}","spanId":"{id:016x}"{parent},
        "name":{name},"startTimeUnixNano":"{start}"{end},"status":{{"code":{code}}}}}]}}]}}"#,
        service = q(service),
        name = q(name),
        code = if error { 2 } else { 0 },
    )
}

/// The node at the path of frames `path` (`"service:operation"` each, from the root down;
/// `"*"` for any root), if any.
pub fn node_at<N>(
    store: &Store,
    nodes: &[N],
    children: impl Fn(&N) -> &[u32],
    label: impl Fn(&N) -> (crate::model::StrId, crate::model::StrId),
    path: &[&str],
) -> Option<u32> {
    let frame = |n: u32| {
        let (service, name) = label(&nodes[n as usize]);
        format!("{}:{}", store.strings.get(service), store.strings.get(name))
    };
    let mut at = 0u32;
    if path[0] != "*" && frame(0) != path[0] {
        return None;
    }
    for want in &path[1..] {
        at = *children(&nodes[at as usize])
            .iter()
            .find(|&&c| frame(c) == *want)?;
    }
    Some(at)
}
