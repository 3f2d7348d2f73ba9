//! Finding spans in a trace by text: service, operation, status message, attribute keys and
//! string values (span, resource and event attributes), event names, and span ids.
//!
//! Built for a million spans: the query is matched once per distinct interned string (there
//! are far fewer strings than spans), then each span only looks up whether its string ids
//! matched. Case-insensitive for ASCII, no allocation per string.

use super::store::{Slice, Span, Store};
use super::tree::Trace;
use super::{SpanId, StrId};

/// Trace positions (tree order, ascending) of the spans of `trace` that match `query`.
/// An empty (or all-space) query matches nothing.
pub fn find_spans(store: &Store, trace: &Trace, query: &str) -> Vec<u32> {
    let mut search = TraceSearch::new(store, trace, query);
    while !search.step(store, trace, usize::MAX) {}
    search.into_matches()
}

/// What a query matches, worked out once per query: which interned strings contain it
/// (as bits: a million spans look up ~10 million string ids, and 100k strings' bits fit in
/// the processor's first-level cache), which resources, and the query as a span id.
struct Query {
    bits: Vec<u64>,
    resource_hit: Vec<bool>,
    id: Option<IdQuery>,
}

impl Query {
    /// `None` when no span can match: an empty query, or one that no string contains and
    /// that cannot be a span id.
    fn new(store: &Store, query: &str) -> Option<Query> {
        let query = query.trim();
        if query.is_empty() {
            return None;
        }
        let hit = store.strings.contains_ignore_ascii_case(query);
        let id = IdQuery::new(store, query);
        if !hit.contains(&true) && id.is_none() {
            return None;
        }
        let mut bits = vec![0u64; hit.len().div_ceil(64)];
        for (i, _) in hit.iter().enumerate().filter(|(_, h)| **h) {
            bits[i / 64] |= 1 << (i % 64);
        }
        let mut q = Query {
            bits,
            resource_hit: Vec::new(),
            id,
        };
        // Resources are shared by many spans: decide each once.
        q.resource_hit = store
            .resources
            .iter()
            .map(|r| q.attrs_hit(store, r.attrs) || q.str_hit(r.scope_name))
            .collect();
        Some(q)
    }

    #[inline]
    fn str_hit(&self, id: StrId) -> bool {
        let i = id.0 as usize;
        self.bits
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 != 0)
    }

    fn attrs_hit(&self, store: &Store, slice: Slice) -> bool {
        store
            .attrs
            .get(slice.range())
            .unwrap_or(&[])
            .iter()
            .any(|a| self.str_hit(a.key()) || a.text_value().is_some_and(|v| self.str_hit(v)))
    }

    fn matches(&self, store: &Store, span: &Span) -> bool {
        self.str_hit(span.service)
            || self.str_hit(span.name)
            || self.str_hit(span.status_message)
            || self
                .resource_hit
                .get(span.resource as usize)
                .copied()
                .unwrap_or(false)
            || self.attrs_hit(store, span.attrs)
            || store
                .events_of(span)
                .iter()
                .any(|e| self.str_hit(e.name) || self.attrs_hit(store, e.attrs))
            || self
                .id
                .as_ref()
                .is_some_and(|q| q.matches(store, span.span_id))
    }
}

/// A search of one trace done a bounded number of spans at a time ([`TraceSearch::step`]),
/// so the page can search a million spans without a long task. The store and trace passed
/// to each step must be those it was made with.
pub struct TraceSearch {
    query: Option<Query>,
    /// Spans tested so far: store indices for a big trace, else trace positions.
    done: usize,
    /// A trace with a quarter of the store's spans or more is tested in store order (its
    /// spans' attributes lie in the same order, so memory is read front to back) into
    /// `hit_by_index`, and the hits are listed in tree order at the end.
    big: bool,
    hit_by_index: Vec<bool>,
    matches: Vec<u32>,
    finished: bool,
}

impl TraceSearch {
    pub fn new(store: &Store, trace: &Trace, query: &str) -> TraceSearch {
        let query = Query::new(store, query);
        let big = trace.len() * 4 >= store.spans.len();
        TraceSearch {
            finished: query.is_none(),
            query,
            done: 0,
            big,
            hit_by_index: Vec::new(),
            matches: Vec::new(),
        }
    }

    /// Tests up to `budget` more spans; true once every span has been tested.
    pub fn step(&mut self, store: &Store, trace: &Trace, budget: usize) -> bool {
        let Some(query) = self.query.as_ref().filter(|_| !self.finished) else {
            return true;
        };
        if self.big {
            let end = self.done.saturating_add(budget).min(store.spans.len());
            let spans = store.spans.get(self.done..end).unwrap_or(&[]);
            self.hit_by_index
                .extend(spans.iter().map(|span| query.matches(store, span)));
            self.done = end;
            if end == store.spans.len() {
                let hits = &self.hit_by_index;
                self.matches = trace
                    .spans
                    .iter()
                    .enumerate()
                    .filter(|(_, &index)| hits.get(index as usize).copied().unwrap_or(false))
                    .map(|(pos, _)| pos as u32)
                    .collect();
                self.hit_by_index = Vec::new();
                self.finished = true;
            }
        } else {
            let end = self.done.saturating_add(budget).min(trace.len());
            for pos in self.done..end {
                let index = trace.spans[pos] as usize;
                if store
                    .spans
                    .get(index)
                    .is_some_and(|s| query.matches(store, s))
                {
                    self.matches.push(pos as u32);
                }
            }
            self.done = end;
            self.finished = end == trace.len();
        }
        self.finished
    }

    /// The first match in tree order among the first `limit` positions of the trace, found
    /// without the whole search (for an answer at once while a big trace is searched).
    pub fn first_within(&self, store: &Store, trace: &Trace, limit: usize) -> Option<u32> {
        let query = self.query.as_ref()?;
        trace
            .spans
            .iter()
            .take(limit)
            .position(|&i| {
                store
                    .spans
                    .get(i as usize)
                    .is_some_and(|s| query.matches(store, s))
            })
            .map(|pos| pos as u32)
    }

    /// True when nothing can match (then the search is finished at once).
    pub fn is_hopeless(&self) -> bool {
        self.query.is_none()
    }

    /// The trace positions of the matches, ascending (all of them once finished).
    pub fn into_matches(self) -> Vec<u32> {
        self.matches
    }
}

/// A query that could be (part of) a span id as shown: 4 or more hex digits. Hex ids are
/// shown as 16 lowercase digits, so they are matched on the number, nibble by nibble, with
/// no text made per span; ids kept as their original (non-hex) text are matched on it.
struct IdQuery {
    /// The query's digits as a number, and a mask of as many nibbles.
    value: u64,
    mask: u64,
    /// Nibble offsets the query can sit at in a 16-digit id (0 when it is longer).
    offsets: u32,
    /// Ids with an original text that contains the query.
    text_hits: rustc_hash::FxHashSet<SpanId>,
}

impl IdQuery {
    fn new(store: &Store, query: &str) -> Option<IdQuery> {
        let q = query.as_bytes();
        if q.len() < 4 || !q.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let lower = query.to_ascii_lowercase();
        let text_hits = store
            .span_id_text
            .iter()
            .filter(|(_, text)| store.strings.get(**text).contains(lower.as_str()))
            .map(|(id, _)| *id)
            .collect();
        let (value, mask, offsets) = if q.len() <= 16 {
            let value = u64::from_str_radix(query, 16).unwrap_or(0);
            let mask = u64::MAX >> (64 - 4 * q.len() as u32);
            (value, mask, 17 - q.len() as u32)
        } else {
            (0, 0, 0)
        };
        Some(IdQuery {
            value,
            mask,
            offsets,
            text_hits,
        })
    }

    fn matches(&self, store: &Store, id: SpanId) -> bool {
        if !store.span_id_text.is_empty() && store.span_id_text.contains_key(&id) {
            return self.text_hits.contains(&id);
        }
        (0..self.offsets).any(|k| (id.0 >> (4 * k)) & self.mask == self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        build_traces, Attr, Event, Resource, Slice, Span, SpanId, SpanKind, StatusCode, StrId,
        TraceId, Value,
    };

    fn store() -> Store {
        let mut s = Store::default();
        let front = s.strings.intern("frontend");
        let db = s.strings.intern("postgres");
        let get = s.strings.intern("GET /cart");
        let query = s.strings.intern("SELECT * FROM carts");
        let key = s.strings.intern("db.statement");
        let ev = s.strings.intern("exception");
        let region = s.strings.intern("cloud.region");
        let eu = s.strings.intern("eu-west-1");
        let res_attrs = s.push_attrs([Attr {
            key: region,
            value: Value::Str(eu),
        }]);
        s.resources.push(Resource {
            service: front,
            attrs: Slice::default(),
            scope_name: StrId::EMPTY,
            scope_version: StrId::EMPTY,
            scope_attrs: Slice::default(),
        });
        s.resources.push(Resource {
            service: db,
            attrs: res_attrs,
            scope_name: StrId::EMPTY,
            scope_version: StrId::EMPTY,
            scope_attrs: Slice::default(),
        });
        let attrs = s.push_attrs([
            Attr {
                key,
                value: Value::Str(query),
            },
            Attr {
                key,
                value: Value::Int(42),
            },
        ]);
        let events = s.push_events([Event {
            time_unix_nanos: 5,
            name: ev,
            attrs: Slice::default(),
        }]);
        let span = |id: u64, parent: u64, service, name, resource, attrs, events| Span {
            trace_id: TraceId(1),
            span_id: SpanId(id),
            parent_id: SpanId(parent),
            start_unix_nanos: id as i64,
            duration_nanos: 100 - id as i64,
            service,
            name,
            kind: SpanKind::Server,
            status: StatusCode::Unset,
            status_message: StrId::EMPTY,
            resource,
            attrs,
            events,
            links: Slice::default(),
            file: 0,
        };
        s.spans.push(span(
            0xabc1,
            0,
            front,
            get,
            0,
            Slice::default(),
            Slice::default(),
        ));
        s.spans
            .push(span(0xabc2, 0xabc1, db, query, 1, attrs, events));
        s.spans.push(span(
            0xdef3,
            0xabc1,
            front,
            get,
            0,
            Slice::default(),
            Slice::default(),
        ));
        s
    }

    #[test]
    fn matches_names_attributes_events_resources_and_ids() {
        let s = store();
        let t = &build_traces(&s)[0];
        let find = |q| find_spans(&s, t, q);
        assert_eq!(find("FRONTEND"), vec![0, 2]);
        assert_eq!(find("select"), vec![1]);
        assert_eq!(find("db.statement"), vec![1]);
        assert_eq!(find("exception"), vec![1]);
        assert_eq!(find("eu-west"), vec![1], "resource attribute");
        assert_eq!(find("def3"), vec![2], "span id");
        assert_eq!(
            find("abc"),
            Vec::<u32>::new(),
            "three hex digits are not an id query"
        );
        assert_eq!(find("  "), Vec::<u32>::new());
        assert_eq!(find("nothing like this"), Vec::<u32>::new());
        assert_eq!(find("42"), Vec::<u32>::new(), "numbers are not searched");
    }

    #[test]
    fn span_ids_match_as_shown() {
        let mut s = store();
        let t = build_traces(&s).remove(0);
        let find = |s: &Store, q| find_spans(s, &t, q);
        // Shown as 16 digits: 000000000000abc1, 000000000000abc2, 000000000000def3.
        assert_eq!(
            find(&s, "000000000000DEF3"),
            vec![2],
            "the whole id, any case"
        );
        assert_eq!(
            find(&s, "0000abc"),
            vec![0, 1],
            "leading zeros are part of the text"
        );
        assert_eq!(
            find(&s, "0000000000000000abc1"),
            Vec::<u32>::new(),
            "longer than an id"
        );
        assert_eq!(find(&s, "bc2f"), Vec::<u32>::new());
        // An id kept as its original text is matched on that text only.
        let text = s.strings.intern("span-cafe-01");
        s.span_id_text.insert(SpanId(0xdef3), text);
        assert_eq!(find(&s, "cafe"), vec![2]);
        assert_eq!(find(&s, "def3"), Vec::<u32>::new(), "not shown as hex");
    }

    #[test]
    fn a_search_in_steps_finds_what_a_search_at_once_finds() {
        use spanorama_gen::{to_bytes, Format, GenConfig};
        // One trace (searched in store order), and five in one store (in tree order).
        for traces in [1, 5] {
            let cfg = GenConfig {
                seed: 11,
                traces,
                spans_min: 600,
                spans_max: 600,
                ..GenConfig::default()
            };
            let (bytes, _) = to_bytes(&cfg, Format::Otlp).unwrap();
            let store = crate::import::import("gen.json", &bytes).unwrap();
            let all = build_traces(&store);
            let trace = &all[0];
            assert!(trace.len() * 4 >= store.spans.len() || traces > 1);
            assert!(find_spans(&store, trace, "GET").len() > 10);
            for query in ["postgres", "GET", "error", "frontend", "zzz", ""] {
                // At once: each span tested on its own, in tree order.
                let expected: Vec<u32> = (0..trace.len() as u32)
                    .filter(|&p| {
                        let q = Query::new(&store, query);
                        let span = &store.spans[trace.spans[p as usize] as usize];
                        q.is_some_and(|q| q.matches(&store, span))
                    })
                    .collect();
                assert_eq!(find_spans(&store, trace, query), expected, "{query}");
                for budget in [1, 7, 250] {
                    let mut search = TraceSearch::new(&store, trace, query);
                    let first = search.first_within(&store, trace, trace.len());
                    assert_eq!(first, expected.first().copied(), "{query}");
                    let mut steps = 1;
                    while !search.step(&store, trace, budget) {
                        steps += 1;
                    }
                    assert_eq!(
                        search.into_matches(),
                        expected,
                        "{query}, steps of {budget}"
                    );
                    if !expected.is_empty() && budget == 1 {
                        assert!(steps >= trace.len(), "{query}: {steps} steps");
                    }
                }
            }
        }
    }
}
