//! Ways to fold a trace at once: to a depth, or every span shorter than a duration (the
//! spans that cannot be where the time went).

use crate::model::{Store, Trace};
use std::collections::BTreeSet;

/// The rows to fold so that `levels` levels show (roots are level 1): every row with
/// children at depth `levels - 1` or deeper (unfolding one then shows one more level).
pub fn folded_to_depth(trace: &Trace, levels: u32) -> BTreeSet<u32> {
    let from = levels.max(1) - 1;
    (0..trace.len())
        .filter(|&p| trace.has_children(p) && trace.depth.get(p).is_some_and(|&d| d >= from))
        .map(|p| p as u32)
        .collect()
}

/// The rows with children whose span is shorter than `nanos` (spans with no end time are
/// left open).
pub fn folded_shorter_than(store: &Store, trace: &Trace, nanos: i64) -> BTreeSet<u32> {
    (0..trace.len())
        .filter(|&p| trace.has_children(p))
        .filter(|&p| {
            trace
                .spans
                .get(p)
                .and_then(|&s| store.spans.get(s as usize))
                .is_some_and(|s| !s.end_unknown() && s.duration_nanos < nanos)
        })
        .map(|p| p as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import;
    use crate::layout::visible_rows;
    use crate::model::build_traces;

    /// root 0–1000 ─┬─ a 0–900 ── a1 0–5 ── a2 0–1
    ///              └─ b 0–50 ── b1 0–10
    fn fixture() -> (Store, Trace) {
        let span = |id: u64, parent: u64, end: u64| {
            let parent = if parent == 0 {
                String::new()
            } else {
                format!(r#","parentSpanId":"{parent:016x}""#)
            };
            format!(
                r#"{{"traceId":"00000000000000000000000000000001","spanId":"{id:016x}"{parent},"name":"s{id}","startTimeUnixNano":"1000","endTimeUnixNano":"{}"}}"#,
                1000 + end
            )
        };
        let spans = [
            span(1, 0, 1000),
            span(2, 1, 900),
            span(3, 2, 5),
            span(4, 3, 1),
            span(5, 1, 50),
            span(6, 5, 10),
        ];
        let doc = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
            spans.join(",")
        );
        let store = import("t.json", doc.as_bytes()).unwrap();
        let trace = build_traces(&store).remove(0);
        (store, trace)
    }

    #[test]
    fn folding_to_a_depth_shows_that_many_levels() {
        let (_, trace) = fixture();
        let shown = |levels| visible_rows(&trace, &folded_to_depth(&trace, levels)).len();
        assert_eq!(shown(1), 1);
        assert_eq!(shown(2), 3);
        assert_eq!(shown(3), 5);
        assert_eq!(shown(4), 6);
        assert_eq!(shown(0), 1, "no level is the roots");
    }

    #[test]
    fn folding_short_spans_keeps_the_long_ones_open() {
        let (store, trace) = fixture();
        let name = |p: &u32| {
            store
                .strings
                .get(store.spans[trace.spans[*p as usize] as usize].name)
                .to_string()
        };
        let folded: Vec<String> = folded_shorter_than(&store, &trace, 100)
            .iter()
            .map(name)
            .collect();
        assert_eq!(folded, ["s3", "s5"]);
        assert!(folded_shorter_than(&store, &trace, 1).is_empty());
    }
}
