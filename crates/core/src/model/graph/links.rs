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
    /// `(producer, consumer)` store indices, in trace order.
    pub calls: Vec<(u32, u32)>,
    /// Store indices of the producers a consumer linked to.
    pub answered: HashSet<u32>,
}

impl LinkedCalls {
    pub fn find(store: &Store, traces: &[&Trace]) -> Self {
        let spans = || {
            traces
                .iter()
                .flat_map(|t| t.spans.iter())
                .filter_map(|&i| store.spans.get(i as usize).map(|s| (i, s)))
        };
        let consumers: Vec<(u32, &Span)> = spans()
            .filter(|(_, s)| s.kind == SpanKind::Consumer && !store.links_of(s).is_empty())
            .collect();
        if consumers.is_empty() {
            return LinkedCalls::default();
        }
        let producers: HashMap<(TraceId, SpanId), u32> = spans()
            .filter(|(_, s)| s.kind == SpanKind::Producer)
            .map(|(i, s)| ((s.trace_id, s.span_id), i))
            .collect();
        let mut found = LinkedCalls::default();
        for (consumer, c) in consumers {
            for link in store.links_of(c) {
                // A link to its own parent is the call the parent already makes.
                let is_parent = link.trace_id == c.trace_id && link.span_id == c.parent_id;
                let Some(&producer) = producers.get(&(link.trace_id, link.span_id)) else {
                    continue;
                };
                let other_service = store
                    .spans
                    .get(producer as usize)
                    .is_some_and(|p| p.service != c.service);
                if !is_parent && other_service {
                    found.calls.push((producer, consumer));
                    found.answered.insert(producer);
                }
            }
        }
        found
    }
}
