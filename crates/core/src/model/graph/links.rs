//! Producer → consumer calls made through span links. A consumer that takes messages in
//! batches (or from a queue that does not carry the trace context as a parent) starts a
//! trace of its own and links to each producer span it took a message from (OpenTelemetry
//! messaging conventions). Each such link is a call from the producer's service to the
//! consumer's, when both spans are loaded.

use crate::model::{Span, SpanId, SpanKind, Store, Trace, TraceId};
use std::collections::{HashMap, HashSet};

/// The calls links make among `traces`, and the producers they answer.
#[derive(Default)]
pub(super) struct LinkedCalls {
    /// `(producer, consumer)` store indices, in store order.
    pub calls: Vec<(u32, u32)>,
    /// Store indices of the producers a consumer linked to.
    pub answered: HashSet<u32>,
}

impl LinkedCalls {
    /// Two sequential passes over the store (spans in tree order are scattered, and a
    /// million of them would take tens of ms more): consumers with a link that is not to
    /// their parent, then, only if there are any, the producers they link to.
    pub fn find(store: &Store, traces: &[&Trace]) -> Self {
        let in_scope: HashSet<TraceId> = traces.iter().map(|t| t.id).collect();
        let consumers: Vec<(u32, &Span)> = (0u32..)
            .zip(&store.spans)
            .filter(|(_, s)| s.kind == SpanKind::Consumer && in_scope.contains(&s.trace_id))
            .filter(|(_, s)| links_elsewhere(store, s).next().is_some())
            .collect();
        if consumers.is_empty() {
            return LinkedCalls::default();
        }
        let wanted: HashSet<(TraceId, SpanId)> = consumers
            .iter()
            .flat_map(|(_, c)| links_elsewhere(store, c))
            .collect();
        let producers: HashMap<(TraceId, SpanId), u32> = (0u32..)
            .zip(&store.spans)
            .filter(|(_, s)| s.kind == SpanKind::Producer && in_scope.contains(&s.trace_id))
            .map(|(i, s)| ((s.trace_id, s.span_id), i))
            .filter(|(key, _)| wanted.contains(key))
            .collect();
        let mut found = LinkedCalls::default();
        for (consumer, c) in consumers {
            for target in links_elsewhere(store, c) {
                let Some(&producer) = producers.get(&target) else {
                    continue;
                };
                let other_service = store
                    .spans
                    .get(producer as usize)
                    .is_some_and(|p| p.service != c.service);
                if other_service {
                    found.calls.push((producer, consumer));
                    found.answered.insert(producer);
                }
            }
        }
        found
    }
}

/// The spans `span` links to, but its parent (a link to its own parent is the call the
/// parent already makes).
fn links_elsewhere<'s>(
    store: &'s Store,
    span: &'s Span,
) -> impl Iterator<Item = (TraceId, SpanId)> + 's {
    store
        .links_of(span)
        .iter()
        .map(|l| (l.trace_id, l.span_id))
        .filter(|&(t, s)| !(t == span.trace_id && s == span.parent_id))
}
