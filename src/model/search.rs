//! Finding spans in a trace by text: service, operation, status message, attribute keys and
//! string values (span, resource and event attributes), event names, and span ids.
//!
//! Built for a million spans: the query is matched once per distinct interned string (there
//! are far fewer strings than spans), then each span only looks up whether its string ids
//! matched. Case-insensitive for ASCII, no allocation per string.

use super::store::{Span, Store, Value};
use super::tree::Trace;

/// Trace positions (tree order, ascending) of the spans of `trace` that match `query`.
/// An empty (or all-space) query matches nothing.
pub fn find_spans(store: &Store, trace: &Trace, query: &str) -> Vec<u32> {
    let query = query.trim();
    if query.is_empty() {
        return Vec::new();
    }
    let needle = query.as_bytes();
    let hit: Vec<bool> = (0..store.strings.len() as u32)
        .map(|i| contains_ignore_ascii_case(store.strings.get(super::StrId(i)).as_bytes(), needle))
        .collect();
    let str_hit = |id: super::StrId| hit.get(id.0 as usize).copied().unwrap_or(false);
    let attrs_hit = |slice| {
        store.attrs_iter(slice).any(|a| {
            str_hit(a.key)
                || match a.value {
                    Value::Str(s) | Value::Json(s) | Value::Bytes(s) => str_hit(s),
                    _ => false,
                }
        })
    };
    // Resources are shared by many spans: decide each once.
    let resource_hit: Vec<bool> = store
        .resources
        .iter()
        .map(|r| attrs_hit(r.attrs) || str_hit(r.scope_name))
        .collect();
    // Span ids are only compared when the query could be (part of) one.
    let id_query = (needle.len() >= 4 && needle.iter().all(u8::is_ascii_hexdigit))
        .then(|| query.to_ascii_lowercase());

    if !hit.iter().any(|h| *h) && id_query.is_none() {
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
                .is_some_and(|q| store.span_id_display(span.span_id).contains(q.as_str()))
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

/// Whether `hay` contains `needle`, ignoring ASCII case.
fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    if needle.len() > hay.len() {
        return false;
    }
    let first = needle[0].to_ascii_lowercase();
    (0..=hay.len() - needle.len()).any(|i| {
        hay[i].to_ascii_lowercase() == first
            && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        build_traces, Attr, Event, Resource, Slice, Span, SpanId, SpanKind, StatusCode, StrId,
        TraceId,
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
    fn ignores_case_without_allocating() {
        assert!(contains_ignore_ascii_case(b"Hello World", b"o w"));
        assert!(!contains_ignore_ascii_case(b"Hi", b"Hello"));
        assert!(contains_ignore_ascii_case(b"x", b"X"));
    }
}
