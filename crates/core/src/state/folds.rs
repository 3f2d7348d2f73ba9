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
    use crate::layout::visible_rows;
    use crate::model::test_trace::{name_at, trace_of, T};

    /// root 0–1000 ─┬─ a 0–900 ── a1 0–5 ── a2 0–1
    ///              └─ b 0–50 ── b1 0–10
    fn fixture() -> (Store, Trace) {
        trace_of(&[
            T(1, 0, 1000, 2000, false),
            T(2, 1, 1000, 1900, false),
            T(3, 2, 1000, 1005, false),
            T(4, 3, 1000, 1001, false),
            T(5, 1, 1000, 1050, false),
            T(6, 5, 1000, 1010, false),
        ])
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
        let name = |p: &u32| name_at(&store, &trace, *p);
        let folded: Vec<String> = folded_shorter_than(&store, &trace, 100)
            .iter()
            .map(name)
            .collect();
        assert_eq!(folded, ["s3", "s5"]);
        assert!(folded_shorter_than(&store, &trace, 1).is_empty());
    }
}
