//! Finding spans in a trace by a query ([`super::query`]): free text (service, operation,
//! status message, attribute keys and string values of the span, its resource and its
//! events, event names, span id), and terms on the service, operation, kind, status,
//! attributes and duration, all of which must match.
//!
//! Built for a million spans: each term is worked out once per distinct interned string
//! (there are far fewer strings than spans) and once per resource, then each span only looks
//! up whether its string ids and its resource matched. Case-insensitive for ASCII, no
//! allocation per span.

use super::query::{AttrOp, Compare, QueryError, SpanQuery, Test};
use super::store::{PackedAttr, Slice, Span, SpanKind, StatusCode, Store, Value};
use super::strings::Interner;
use super::tree::Trace;
use super::{SpanId, StrId};

/// Trace positions (tree order, ascending) of the spans of `trace` that match `query`.
/// An empty (or all-space) query matches nothing, and so does a malformed one.
pub fn find_spans(store: &Store, trace: &Trace, query: &str) -> Vec<u32> {
    let mut search = TraceSearch::new(store, trace, query);
    while !search.step(store, trace, usize::MAX) {}
    search.into_matches()
}

/// A set of interned strings, as bits indexed by id: a million spans look up ~10 million
/// string ids, and 100k strings' bits fit in the processor's first-level cache.
struct StrSet(Vec<u64>);

impl StrSet {
    fn from_hits(hit: &[bool]) -> StrSet {
        let mut bits = vec![0u64; hit.len().div_ceil(64)];
        for (i, _) in hit.iter().enumerate().filter(|(_, h)| **h) {
            bits[i / 64] |= 1 << (i % 64);
        }
        StrSet(bits)
    }

    /// The strings that `pick` says yes to (one call per string).
    fn picked(strings: &Interner, pick: impl Fn(&str) -> bool) -> StrSet {
        let hit: Vec<bool> = (0..strings.len() as u32)
            .map(|id| pick(strings.get(StrId(id))))
            .collect();
        StrSet::from_hits(&hit)
    }

    /// The strings that contain `needle`, ignoring ASCII case.
    fn containing(strings: &Interner, needle: &str) -> StrSet {
        StrSet::from_hits(&strings.contains_ignore_ascii_case(needle))
    }

    #[inline]
    fn contains(&self, id: StrId) -> bool {
        let i = id.0 as usize;
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 != 0)
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// A parsed query made ready for one store: its terms, each worked out once for the
/// store's strings and resources, cheapest first (they are ANDed, so the order does not
/// change what matches, and most spans fail an early, cheap term).
struct Query {
    conditions: Vec<Condition>,
}

/// A term of the query: `check` must be `!negated`.
struct Condition {
    negated: bool,
    check: Check,
}

/// What one term tests on a span, with everything that can be decided per string or per
/// resource decided.
enum Check {
    Text(TextMatch),
    Service(StrSet),
    Operation(StrSet),
    Kind(SpanKind),
    Status(StatusCode),
    /// Durations in `min..=max` ns. `min >= 0`, so a span of unknown end
    /// ([`SPAN_END_UNKNOWN`](super::SPAN_END_UNKNOWN), -1) is never in range.
    Duration {
        min: i64,
        max: i64,
    },
    Attr(AttrMatch),
}

impl Query {
    /// `None` when no span can match: an empty query, or one with a term that nothing in
    /// the store can match (a negated term that nothing can match is dropped: every span
    /// passes it).
    fn compile(store: &Store, query: &SpanQuery) -> Option<Query> {
        if query.is_empty() {
            return None;
        }
        let mut conditions = Vec::with_capacity(query.terms.len());
        for term in &query.terms {
            match Check::new(store, &term.test) {
                Some(check) => conditions.push(Condition {
                    negated: term.negated,
                    check,
                }),
                None if term.negated => {}
                None => return None,
            }
        }
        conditions.sort_by_key(|c| c.check.cost());
        Some(Query { conditions })
    }

    /// The query of `text` for `store`; `None` when it is malformed or nothing can match.
    #[cfg(test)]
    fn new(store: &Store, text: &str) -> Option<Query> {
        Query::compile(store, &SpanQuery::parse(text).ok()?)
    }

    #[inline]
    fn matches(&self, store: &Store, span: &Span) -> bool {
        self.conditions
            .iter()
            .all(|c| c.check.matches(store, span) != c.negated)
    }

    /// The free text of a query that is nothing else (the most common query), so that a
    /// search can test it without going through the list of terms.
    fn lone_text(&self) -> Option<&TextMatch> {
        match self.conditions.as_slice() {
            [Condition {
                negated: false,
                check: Check::Text(text),
            }] => Some(text),
            _ => None,
        }
    }
}

impl Check {
    /// `None` when no span of `store` can pass the test.
    fn new(store: &Store, test: &Test) -> Option<Check> {
        let names = |needle: &str| {
            Some(StrSet::containing(&store.strings, needle)).filter(|s| !s.is_empty())
        };
        Some(match test {
            Test::Text(text) => Check::Text(TextMatch::new(store, text)?),
            Test::Service(needle) => Check::Service(names(needle)?),
            Test::Operation(needle) => Check::Operation(names(needle)?),
            Test::Kind(kind) => Check::Kind(*kind),
            Test::Status(status) => Check::Status(*status),
            Test::Duration { op, nanos } => duration_check(*op, *nanos)?,
            Test::Attr { key, op, value } => Check::Attr(AttrMatch::new(store, key, *op, value)?),
        })
    }

    /// Rough cost per span: fields of the span, then a string's bit, then the attributes,
    /// then everything free text looks at.
    fn cost(&self) -> u8 {
        match self {
            Check::Kind(_) | Check::Status(_) | Check::Duration { .. } => 0,
            Check::Service(_) | Check::Operation(_) => 1,
            Check::Attr(_) => 2,
            Check::Text(_) => 3,
        }
    }

    #[inline]
    fn matches(&self, store: &Store, span: &Span) -> bool {
        match self {
            Check::Text(text) => text.matches(store, span),
            Check::Service(names) => names.contains(span.service),
            Check::Operation(names) => names.contains(span.name),
            Check::Kind(kind) => span.kind == *kind,
            Check::Status(status) => span.status == *status,
            Check::Duration { min, max } => (*min..=*max).contains(&span.duration_nanos),
            Check::Attr(attr) => attr.matches(store, span),
        }
    }
}

/// A duration comparison as whole nanoseconds `min..=max` (durations are integers, so
/// `> 1.5` is `>= 2`); `None` when no duration is in range (`< 0ns`).
fn duration_check(op: Compare, nanos: f64) -> Option<Check> {
    // Float-to-int casts saturate, so a huge bound stays in range.
    let (min, max) = match op {
        Compare::Gt => ((nanos.floor() as i64).saturating_add(1), i64::MAX),
        Compare::Ge => (nanos.ceil() as i64, i64::MAX),
        Compare::Lt => (0, (nanos.ceil() as i64).saturating_sub(1)),
        Compare::Le => (0, nanos.floor() as i64),
    };
    // Also for a negative bound (not from the parser): unknown ends must stay out.
    let min = min.max(0);
    (min <= max).then_some(Check::Duration { min, max })
}

/// Free text, worked out once per query: which interned strings contain it, which
/// resources, and the text as a span id.
struct TextMatch {
    strings: StrSet,
    resource_hit: Vec<bool>,
    id: Option<IdQuery>,
}

impl TextMatch {
    /// `None` when no span can match: no string contains the text and it cannot be a span
    /// id.
    fn new(store: &Store, text: &str) -> Option<TextMatch> {
        let hit = store.strings.contains_ignore_ascii_case(text);
        let id = IdQuery::new(store, text);
        if !hit.contains(&true) && id.is_none() {
            return None;
        }
        let mut q = TextMatch {
            strings: StrSet::from_hits(&hit),
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
        self.strings.contains(id)
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

/// An attribute term, worked out once per query: the keys (any ASCII case), the string
/// values that compare as wanted, the value as a number and a boolean, and which resources
/// have such an attribute. Numbers and booleans are compared per attribute; only `~` formats
/// them, and only those under a wanted key.
struct AttrMatch {
    keys: StrSet,
    op: AttrOp,
    /// String, bytes and JSON values equal to the query's (`=`, `!=`) or containing it (`~`).
    texts: StrSet,
    /// The query's value as an integer (`500`, `500.0`, `5e2`), a float, and a boolean.
    int: Option<i64>,
    float: Option<f64>,
    boolean: Option<bool>,
    /// For `~` on numbers and booleans: the query's value.
    needle: String,
    resource_hit: Vec<bool>,
}

impl AttrMatch {
    /// `None` when no attribute can match: no such key, or `=` a value that no string
    /// equals and that is not a number or a boolean.
    fn new(store: &Store, key: &str, op: AttrOp, value: &str) -> Option<AttrMatch> {
        let keys = StrSet::picked(&store.strings, |s| s.eq_ignore_ascii_case(key));
        if keys.is_empty() {
            return None;
        }
        let texts = match op {
            AttrOp::Contains => StrSet::containing(&store.strings, value),
            AttrOp::Eq | AttrOp::NotEq => {
                StrSet::picked(&store.strings, |s| s.eq_ignore_ascii_case(value))
            }
        };
        let float = value.parse::<f64>().ok().filter(|f| f.is_finite());
        let whole = float.filter(|f| f.fract() == 0.0 && f.abs() < i64::MAX as f64);
        let boolean = match value.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        let mut q = AttrMatch {
            keys,
            op,
            texts,
            int: value.parse::<i64>().ok().or(whole.map(|f| f as i64)),
            float,
            boolean,
            needle: value.to_string(),
            resource_hit: Vec::new(),
        };
        let nothing_equal = q.texts.is_empty() && q.float.is_none() && q.boolean.is_none();
        if op == AttrOp::Eq && nothing_equal {
            return None;
        }
        q.resource_hit = store
            .resources
            .iter()
            .map(|r| q.any(store, r.attrs) || q.any(store, r.scope_attrs))
            .collect();
        Some(q)
    }

    fn matches(&self, store: &Store, span: &Span) -> bool {
        self.resource_hit
            .get(span.resource as usize)
            .copied()
            .unwrap_or(false)
            || self.any(store, span.attrs)
    }

    /// True when an attribute of `slice` has a wanted key and a value that passes.
    fn any(&self, store: &Store, slice: Slice) -> bool {
        store
            .attrs
            .get(slice.range())
            .unwrap_or(&[])
            .iter()
            .any(|&a| self.keys.contains(a.key()) && self.passes(a))
    }

    fn passes(&self, attr: PackedAttr) -> bool {
        match self.op {
            AttrOp::Eq => self.equal(attr.unpack().value),
            AttrOp::NotEq => !self.equal(attr.unpack().value),
            AttrOp::Contains => self.contains(attr.unpack().value),
        }
    }

    fn equal(&self, value: Value) -> bool {
        match value {
            Value::Str(s) | Value::Bytes(s) | Value::Json(s) => self.texts.contains(s),
            Value::Int(i) => self.int == Some(i),
            Value::Float(f) => self.float == Some(f),
            Value::Bool(b) => self.boolean == Some(b),
        }
    }

    /// The value as shown ([`Value::display`]) contains the needle, ignoring ASCII case.
    fn contains(&self, value: Value) -> bool {
        match value {
            Value::Str(s) | Value::Bytes(s) | Value::Json(s) => self.texts.contains(s),
            Value::Int(i) => shown_contains(format_args!("{i}"), &self.needle),
            Value::Float(f) => shown_contains(format_args!("{f}"), &self.needle),
            Value::Bool(b) => shown_contains(format_args!("{b}"), &self.needle),
        }
    }
}

/// True when the text of `shown` contains `needle`, ignoring ASCII case. Formats on the
/// stack; only a float of over 64 characters (`1e300` shown in full) makes a `String`.
fn shown_contains(shown: std::fmt::Arguments, needle: &str) -> bool {
    let needle = needle.as_bytes();
    let found = |text: &[u8]| {
        needle.is_empty()
            || text
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    };
    let mut buf = StackText {
        bytes: [0; 64],
        len: 0,
    };
    if std::fmt::write(&mut buf, shown).is_ok() {
        found(buf.bytes.get(..buf.len).unwrap_or(&[]))
    } else {
        found(shown.to_string().as_bytes())
    }
}

/// A small text buffer on the stack; writing past its end is an error.
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A search of one trace done a bounded number of spans at a time ([`TraceSearch::step`]),
/// so the page can search a million spans without a long task. The store and trace passed
/// to each step must be those it was made with.
pub struct TraceSearch {
    /// `None` when nothing can match (a malformed, empty or hopeless query).
    query: Option<Query>,
    /// Why the query could not be read.
    error: Option<QueryError>,
    progress: Progress,
}

/// How far a search has gone, and what it has found.
struct Progress {
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
    /// Parses `query` and works out what it can once for `store`. A malformed query
    /// matches nothing ([`TraceSearch::error`] says why).
    pub fn new(store: &Store, trace: &Trace, query: &str) -> TraceSearch {
        let (query, error) = match SpanQuery::parse(query) {
            Ok(parsed) => (Query::compile(store, &parsed), None),
            Err(e) => (None, Some(e)),
        };
        let progress = Progress {
            done: 0,
            big: trace.len() * 4 >= store.spans.len(),
            hit_by_index: Vec::new(),
            matches: Vec::new(),
            finished: query.is_none(),
        };
        TraceSearch {
            query,
            error,
            progress,
        }
    }

    /// Tests up to `budget` more spans; true once every span has been tested.
    pub fn step(&mut self, store: &Store, trace: &Trace, budget: usize) -> bool {
        let progress = &mut self.progress;
        let Some(query) = self.query.as_ref().filter(|_| !progress.finished) else {
            return true;
        };
        // Free text alone gets a loop of its own, as fast as before there were terms.
        match query.lone_text() {
            Some(text) => progress.step(store, trace, budget, |s| text.matches(store, s)),
            None => progress.step(store, trace, budget, |s| query.matches(store, s)),
        }
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

    /// Whether `span` matches (any span of the store: the query was worked out for the
    /// store, not for one trace).
    pub fn matches_span(&self, store: &Store, span: &Span) -> bool {
        self.query.as_ref().is_some_and(|q| q.matches(store, span))
    }

    /// Why the query could not be read, when it could not.
    pub fn error(&self) -> Option<&QueryError> {
        self.error.as_ref()
    }

    /// True when nothing can match (then the search is finished at once): an empty or
    /// malformed query, or one with a term that nothing in the store can pass.
    pub fn is_hopeless(&self) -> bool {
        self.query.is_none()
    }

    /// The trace positions of the matches, ascending (all of them once finished).
    pub fn into_matches(self) -> Vec<u32> {
        self.progress.matches
    }
}

impl Progress {
    /// Tests up to `budget` more spans with `matches`; true once every span has been tested.
    fn step(
        &mut self,
        store: &Store,
        trace: &Trace,
        budget: usize,
        matches: impl Fn(&Span) -> bool,
    ) -> bool {
        if self.big {
            let end = self.done.saturating_add(budget).min(store.spans.len());
            let spans = store.spans.get(self.done..end).unwrap_or(&[]);
            self.hit_by_index.extend(spans.iter().map(matches));
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
                if store.spans.get(index).is_some_and(&matches) {
                    self.matches.push(pos as u32);
                }
            }
            self.done = end;
            self.finished = end == trace.len();
        }
        self.finished
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
