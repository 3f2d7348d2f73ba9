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
    let query = query.trim();
    if query.is_empty() {
        return Vec::new();
    }
    let hit = store.strings.contains_ignore_ascii_case(query);
    // As bits: a million spans look up ~10 million string ids, and 100k strings' bits fit
    // in the processor's first-level cache.
    let mut bits = vec![0u64; hit.len().div_ceil(64)];
    for (i, _) in hit.iter().enumerate().filter(|(_, h)| **h) {
        bits[i / 64] |= 1 << (i % 64);
    }
    let str_hit = |id: StrId| {
        let i = id.0 as usize;
        bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 != 0)
    };
    let attrs_hit = |slice: Slice| {
        store
            .attrs
            .get(slice.range())
            .unwrap_or(&[])
            .iter()
            .any(|a| str_hit(a.key()) || a.text_value().is_some_and(str_hit))
    };
    // Resources are shared by many spans: decide each once.
    let resource_hit: Vec<bool> = store
        .resources
        .iter()
        .map(|r| attrs_hit(r.attrs) || str_hit(r.scope_name))
        .collect();
    let id_query = IdQuery::new(store, query);

    if !hit.contains(&true) && id_query.is_none() {
        return Vec::new(); // no string contains the query: nothing can match
    }
    let matches = |span: &Span| {
        str_hit(span.service)
            || str_hit(span.name)
            || str_hit(span.status_message)
            || resource_hit
                .get(span.resource as usize)
                .copied()
                .unwrap_or(false)
            || attrs_hit(span.attrs)
            || store
                .events_of(span)
                .iter()
                .any(|e| str_hit(e.name) || attrs_hit(e.attrs))
            || id_query
                .as_ref()
                .is_some_and(|q| q.matches(store, span.span_id))
    };
    if trace.len() * 4 >= store.spans.len() {
        // A big trace: test the spans in store order (their attributes lie in the same
        // order, so memory is read front to back), then list the hits in tree order.
        let hit_by_index: Vec<bool> = store.spans.iter().map(matches).collect();
        trace
            .spans
            .iter()
            .enumerate()
            .filter(|(_, &index)| hit_by_index.get(index as usize).copied().unwrap_or(false))
            .map(|(pos, _)| pos as u32)
            .collect()
    } else {
        trace
            .spans
            .iter()
            .enumerate()
            .filter(|(_, &index)| store.spans.get(index as usize).is_some_and(matches))
            .map(|(pos, _)| pos as u32)
            .collect()
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
}
