//! Where a trace failed: its error spans in tree order, how many lie under each span (so a
//! folded row can say that something under it failed), and the rows to keep open to show
//! every failure.

use super::{StatusCode, Store, Trace, NO_PARENT};
use std::collections::BTreeSet;

/// Trace positions (ascending) of the spans with an error status.
pub fn error_positions(store: &Store, trace: &Trace) -> Vec<u32> {
    (0u32..)
        .zip(&trace.spans)
        .filter(|(_, &s)| {
            store
                .spans
                .get(s as usize)
                .is_some_and(|s| s.status == StatusCode::Error)
        })
        .map(|(pos, _)| pos)
        .collect()
}

/// For each trace position, the error spans strictly under it.
pub fn errors_below(store: &Store, trace: &Trace) -> Vec<u32> {
    let mut build = ErrorsBelowBuild::new(store, trace);
    while !build.step(usize::MAX) {}
    build.finish()
}

/// [`errors_below`] a bounded number of rows at a time (a million rows' spans lie
/// scattered over the store: reading them all is a long task on a page). One pass from the
/// last row up: in pre-order every child comes after its parent, so a row's count is
/// complete when it is added to its parent's.
pub struct ErrorsBelowBuild<'t> {
    store: &'t Store,
    trace: &'t Trace,
    below: Vec<u32>,
    /// Rows `next..` are done.
    next: usize,
}

impl<'t> ErrorsBelowBuild<'t> {
    pub fn new(store: &'t Store, trace: &'t Trace) -> Self {
        ErrorsBelowBuild {
            store,
            trace,
            below: vec![0; trace.len()],
            next: trace.len(),
        }
    }

    /// Counts up to `budget` more rows (at least one); true once all are.
    pub fn step(&mut self, budget: usize) -> bool {
        let stop = self.next.saturating_sub(budget.max(1));
        for pos in (stop..self.next).rev() {
            let failed = self
                .trace
                .spans
                .get(pos)
                .and_then(|&s| self.store.spans.get(s as usize))
                .is_some_and(|s| s.status == StatusCode::Error);
            let mine = self.below[pos].saturating_add(u32::from(failed));
            let parent = self.trace.parent.get(pos).copied().unwrap_or(NO_PARENT) as usize;
            // A parent comes before its child; anything else is ignored rather than trusted.
            if parent < pos {
                self.below[parent] = self.below[parent].saturating_add(mine);
            }
        }
        self.next = stop;
        self.next == 0
    }

    pub fn finish(self) -> Vec<u32> {
        self.below
    }
}

/// The rows to collapse so that only the paths to failed spans are open: every row with
/// children that has no error span under it.
pub fn collapsed_to_errors(store: &Store, trace: &Trace) -> BTreeSet<u32> {
    let below = errors_below(store, trace);
    (0..trace.len())
        .filter(|&p| trace.has_children(p) && below.get(p).copied().unwrap_or(0) == 0)
        .map(|p| p as u32)
        .collect()
}

/// The error after (`step > 0`) or before (`step < 0`) trace position `from`, wrapping
/// around; the first (or last) one when there is no `from`.
pub fn step_error(errors: &[u32], from: Option<u32>, step: i32) -> Option<u32> {
    let (first, last) = (*errors.first()?, *errors.last()?);
    Some(match (from, step >= 0) {
        (None, true) => first,
        (None, false) => last,
        (Some(f), true) => errors.iter().copied().find(|&e| e > f).unwrap_or(first),
        (Some(f), false) => errors
            .iter()
            .rev()
            .copied()
            .find(|&e| e < f)
            .unwrap_or(last),
    })
}

/// What a failed span says about its failure: the exception's type, message and stack
/// trace, from an OpenTelemetry `exception` event (`exception.type`, `exception.message`,
/// `exception.stacktrace`), an OpenTracing / Jaeger `error` log (`error.kind`,
/// `error.object`, `message`, `stack`), or the span's own attributes (Datadog's
/// `error.type`, `error.message` or `error.msg`, `error.stack`). Empty parts are `None`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Exception {
    pub kind: Option<String>,
    pub message: Option<String>,
    pub stacktrace: Option<String>,
}

const KIND_KEYS: [&str; 3] = ["exception.type", "error.kind", "error.type"];
const MESSAGE_KEYS: [&str; 5] = [
    "exception.message",
    "message",
    "error.object",
    "error.message",
    "error.msg",
];
const STACK_KEYS: [&str; 3] = ["exception.stacktrace", "stack", "error.stack"];

/// The exception `span` reports, if any: its first `exception` (or `error`) event, else its
/// attributes.
pub fn exception_of(store: &Store, span: &super::Span) -> Option<Exception> {
    let from_event = store.events_of(span).iter().find_map(|e| {
        let name = store.strings.get(e.name);
        let attrs = store.attrs_of(e.attrs);
        let found = exception_in(store, &attrs);
        let named = name == "exception" || name == "error";
        // An OpenTracing error log names itself in an `event` attribute.
        let logged = attrs.iter().any(|a| {
            store.strings.get(a.key) == "event" && a.value.display(&store.strings) == "error"
        });
        found.filter(|_| named || logged)
    });
    from_event.or_else(|| exception_in(store, &store.attrs_of(span.attrs)))
}

fn exception_in(store: &Store, attrs: &[super::Attr]) -> Option<Exception> {
    let first = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            attrs
                .iter()
                .find(|a| store.strings.get(a.key) == *k)
                .map(|a| a.value.display(&store.strings))
                .filter(|v| !v.trim().is_empty())
        })
    };
    let e = Exception {
        kind: first(&KIND_KEYS),
        message: first(&MESSAGE_KEYS),
        stacktrace: first(&STACK_KEYS),
    };
    (e != Exception::default()).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import;
    use crate::model::test_trace::{name_at, trace_of, T};

    /// root ─┬─ a ── a1 (error) ── a2
    ///       ├─ b (error)
    ///       └─ c ── c1
    fn fixture() -> (Store, Trace) {
        trace_of(&[
            T(1, 0, 1001, 1999, false),
            T(2, 1, 1002, 1998, false),
            T(3, 2, 1003, 1997, true),
            T(4, 3, 1004, 1996, false),
            T(5, 1, 1005, 1995, true),
            T(6, 1, 1006, 1994, false),
            T(7, 6, 1007, 1993, false),
        ])
    }

    #[test]
    fn errors_are_found_counted_below_and_stepped_through() {
        let (store, trace) = fixture();
        let name = |p: u32| name_at(&store, &trace, p);
        let errors = error_positions(&store, &trace);
        assert_eq!(
            errors.iter().map(|&p| name(p)).collect::<Vec<_>>(),
            ["s3", "s5"]
        );
        let below = errors_below(&store, &trace);
        for budget in [1, 2, 5] {
            let mut b = ErrorsBelowBuild::new(&store, &trace);
            while !b.step(budget) {}
            assert_eq!(b.finish(), below, "budget {budget}");
        }
        let of = |n: &str| below[(0..trace.len()).find(|&p| name(p as u32) == n).unwrap()];
        assert_eq!(
            (of("s1"), of("s2"), of("s3"), of("s5"), of("s6")),
            (2, 1, 0, 0, 0)
        );
        // Stepping wraps around, both ways.
        let (e1, e2) = (errors[0], errors[1]);
        assert_eq!(step_error(&errors, None, 1), Some(e1));
        assert_eq!(step_error(&errors, None, -1), Some(e2));
        assert_eq!(step_error(&errors, Some(0), 1), Some(e1));
        assert_eq!(step_error(&errors, Some(e1), 1), Some(e2));
        assert_eq!(step_error(&errors, Some(e2), 1), Some(e1));
        assert_eq!(step_error(&errors, Some(e1), -1), Some(e2));
        assert_eq!(step_error(&[], Some(1), 1), None);
    }

    #[test]
    fn exceptions_come_from_events_or_attributes() {
        let doc = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
          {"traceId":"00000000000000000000000000000001","spanId":"0000000000000001","name":"otel","startTimeUnixNano":"1","endTimeUnixNano":"9","status":{"code":2},
           "events":[{"name":"retry","timeUnixNano":"2","attributes":[{"key":"message","value":{"stringValue":"not this one"}}]},
                     {"name":"exception","timeUnixNano":"3","attributes":[
                       {"key":"exception.type","value":{"stringValue":"java.io.IOException"}},
                       {"key":"exception.message","value":{"stringValue":"connection reset"}},
                       {"key":"exception.stacktrace","value":{"stringValue":"at A.b(A.java:1)\nat C.d(C.java:2)"}}]}]},
          {"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"dd","startTimeUnixNano":"2","endTimeUnixNano":"8",
           "attributes":[{"key":"error.type","value":{"stringValue":"Timeout"}},{"key":"error.msg","value":{"stringValue":"took too long"}}]},
          {"traceId":"00000000000000000000000000000001","spanId":"0000000000000003","parentSpanId":"0000000000000001","name":"ot","startTimeUnixNano":"2","endTimeUnixNano":"8",
           "events":[{"name":"log","timeUnixNano":"4","attributes":[{"key":"event","value":{"stringValue":"error"}},{"key":"error.object","value":{"stringValue":"NullPointerException"}},{"key":"stack","value":{"stringValue":"at X"}}]}]},
          {"traceId":"00000000000000000000000000000001","spanId":"0000000000000004","parentSpanId":"0000000000000001","name":"fine","startTimeUnixNano":"2","endTimeUnixNano":"8",
           "events":[{"name":"log","timeUnixNano":"4","attributes":[{"key":"message","value":{"stringValue":"all good"}}]}]}
        ]}]}]}"#;
        let store = import("t.json", doc.as_bytes()).unwrap();
        let of = |name: &str| {
            let span = store
                .spans
                .iter()
                .find(|s| store.strings.get(s.name) == name)
                .unwrap();
            exception_of(&store, span)
        };
        let otel = of("otel").unwrap();
        assert_eq!(otel.kind.as_deref(), Some("java.io.IOException"));
        assert_eq!(otel.message.as_deref(), Some("connection reset"));
        assert_eq!(
            otel.stacktrace.as_deref(),
            Some("at A.b(A.java:1)\nat C.d(C.java:2)")
        );
        let dd = of("dd").unwrap();
        assert_eq!(
            (dd.kind.as_deref(), dd.message.as_deref(), dd.stacktrace),
            (Some("Timeout"), Some("took too long"), None)
        );
        let ot = of("ot").unwrap();
        assert_eq!(
            (ot.message.as_deref(), ot.stacktrace.as_deref()),
            (Some("NullPointerException"), Some("at X"))
        );
        assert_eq!(of("fine"), None, "a log that is no error is no exception");
    }

    #[test]
    fn collapsing_to_errors_keeps_only_their_paths_open() {
        let (store, trace) = fixture();
        let name = |p: u32| name_at(&store, &trace, p);
        let collapsed: Vec<String> = collapsed_to_errors(&store, &trace)
            .into_iter()
            .map(name)
            .collect();
        // s1 and s2 lead to errors; s3 (an error) hides s2's healthy child; s6 hides c1.
        assert_eq!(collapsed, ["s3", "s6"]);
    }
}
