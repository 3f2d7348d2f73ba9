//! What importers write into: a [`Store`] for one file, plus helpers that turn id text into
//! ids (recording warnings and the text of opaque ids) and summarise warnings per file.

use super::ids::{self, IdForm};
use super::scan::Raw;
use crate::model::{
    Attr, Event, FileInfo, Link, PackedAttr, Resource, Slice, Span, SpanId, SpanWarning, Store,
    StrId, TraceId, Value, UNKNOWN_SERVICE,
};

/// How often (in spans) [`StoreBuilder::push_span`] reports progress.
pub const PROGRESS_EVERY_SPANS: usize = 16 * 1024;

/// Ends of the store's arenas at one moment (see [`StoreBuilder::marks`]).
#[derive(Copy, Clone, Debug)]
pub struct Marks {
    attrs: usize,
    events: usize,
    links: usize,
}

/// Slices of what was pushed to each arena since some [`Marks`].
#[derive(Copy, Clone, Debug)]
pub struct Pushed {
    pub attrs: Slice,
    pub events: Slice,
    pub links: Slice,
}

/// After this many spans, [`StoreBuilder::reserve_for_rest`] sizes the arenas for the
/// whole input from what these spans took.
const PLAN_AT_SPANS: usize = 4096;

/// Slots of [`StoreBuilder::intern`]'s cache (a power of two).
const INTERN_CACHE_SLOTS: usize = 4096;

/// Builds the [`Store`] of one file.
pub struct StoreBuilder<'p> {
    store: Store,
    /// Recently interned strings by a cheap hash of their ends: attribute keys and common
    /// values repeat on every span, and a hit here costs one comparison instead of a full
    /// hash and a table probe. A slot is checked against the interner, so it is never wrong.
    intern_cache: Vec<StrId>,
    /// Warnings about the span being built, attached by [`StoreBuilder::push_span`].
    pending: Vec<SpanWarning>,
    file_warnings: Vec<String>,
    /// Called with the number of spans so far, every [`PROGRESS_EVERY_SPANS`] spans.
    on_progress: Option<&'p mut dyn FnMut(usize)>,
    /// Length of the input being parsed (0: unknown), for [`StoreBuilder::reserve_for_rest`].
    input_len: usize,
}

impl Default for StoreBuilder<'_> {
    fn default() -> Self {
        StoreBuilder {
            store: Store::default(),
            intern_cache: vec![StrId::EMPTY; INTERN_CACHE_SLOTS],
            pending: Vec::new(),
            file_warnings: Vec::new(),
            on_progress: None,
            input_len: 0,
        }
    }
}

impl<'p> StoreBuilder<'p> {
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder that reports the span count as it grows (the import worker posts it to the
    /// page as progress).
    pub fn with_progress(on_progress: &'p mut dyn FnMut(usize)) -> Self {
        StoreBuilder {
            on_progress: Some(on_progress),
            ..Self::default()
        }
    }

    /// Tells the builder how long the input is, so that [`StoreBuilder::reserve_for_rest`]
    /// can size the arenas.
    pub fn set_input_len(&mut self, len: usize) {
        self.input_len = len;
    }

    /// Called by importers after each span with the input offset they have read up to.
    /// Once, after [`PLAN_AT_SPANS`] spans, it reserves room in the span, attribute, event
    /// and link arenas for the rest of the input at the rate seen so far (plus 1/16). In
    /// WebAssembly a growing arena is copied to fresh memory at every doubling, and touching
    /// fresh memory is what costs most there: sized up front, a 100k-span file parses about
    /// a third faster in the browser.
    #[inline]
    pub fn reserve_for_rest(&mut self, read_up_to: usize) {
        if self.store.spans.len() == PLAN_AT_SPANS {
            self.reserve_at_rate(read_up_to);
        }
    }

    #[cold]
    fn reserve_at_rate(&mut self, read_up_to: usize) {
        if read_up_to == 0 || read_up_to >= self.input_len {
            return;
        }
        let rest = (self.input_len - read_up_to) as f64 / read_up_to as f64 * 1.0625;
        fn more<T>(arena: &mut Vec<T>, rest: f64) {
            let extra = (arena.len() as f64 * rest).ceil() as usize;
            // Best effort: if the memory is not there, the arena grows as it needs.
            let _ = arena.try_reserve_exact(extra);
        }
        let store = &mut self.store;
        more(&mut store.spans, rest);
        more(&mut store.attrs, rest);
        more(&mut store.events, rest);
        more(&mut store.links, rest);
    }

    /// The store being built (for arenas: `attrs`, `events`, `links`).
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Interns `s` (through a small cache of recent strings).
    #[inline]
    pub fn intern(&mut self, s: &str) -> StrId {
        let slot = cache_slot(s);
        if let Some(&id) = self.intern_cache.get(slot) {
            if same_bytes(self.store.strings.get(id).as_bytes(), s.as_bytes()) {
                return id;
            }
        }
        let id = self.store.strings.intern(s);
        if let Some(cached) = self.intern_cache.get_mut(slot) {
            *cached = id;
        }
        id
    }

    /// Appends attributes and returns their slice.
    pub fn push_attrs(&mut self, attrs: impl IntoIterator<Item = Attr>) -> Slice {
        self.store.push_attrs(attrs)
    }

    /// Appends one attribute to the arena. Lists are written as they are read: take
    /// [`StoreBuilder::marks`] before, and [`StoreBuilder::pushed_since`] after.
    pub fn push_attr(&mut self, attr: Attr) {
        self.store.attrs.push(PackedAttr::pack(attr));
    }

    /// Appends one event to the arena (see [`StoreBuilder::push_attr`]).
    pub fn push_event(&mut self, event: Event) {
        self.store.events.push(event);
    }

    /// Appends one link to the arena (see [`StoreBuilder::push_attr`]).
    pub fn push_link(&mut self, link: Link) {
        self.store.links.push(link);
    }

    /// The current ends of the attribute, event and link arenas.
    pub fn marks(&self) -> Marks {
        Marks {
            attrs: self.store.attrs.len(),
            events: self.store.events.len(),
            links: self.store.links.len(),
        }
    }

    /// Drops what was pushed to the arenas since `marks`, and the warnings about a span
    /// not yet added: a span whose object was cut off (see `import::stream`). Strings it
    /// interned stay (no span refers to them).
    pub fn roll_back(&mut self, marks: Marks) {
        let store = &mut self.store;
        store.attrs.truncate(marks.attrs);
        store.events.truncate(marks.events);
        store.links.truncate(marks.links);
        self.pending.clear();
    }

    /// What was pushed to each arena since `marks`. An empty attribute list is
    /// `Slice::default()`; empty event and link lists sit at their arena's end (as
    /// [`Store::push_attrs`] and its kin give them).
    pub fn pushed_since(&self, marks: Marks) -> Pushed {
        let since = |start: usize, end: usize| Slice {
            start: start as u32,
            len: end.saturating_sub(start) as u32,
        };
        let attrs = since(marks.attrs, self.store.attrs.len());
        Pushed {
            attrs: if attrs.len == 0 {
                Slice::default()
            } else {
                attrs
            },
            events: since(marks.events, self.store.events.len()),
            links: since(marks.links, self.store.links.len()),
        }
    }

    /// A JSON value read by the scanner as an attribute value (`None` for `null`): strings,
    /// booleans, integers (beyond `i64` kept as their digits), doubles, and arrays or
    /// objects as compact JSON text.
    pub fn raw_value(&mut self, raw: Raw<'_>) -> Option<Value> {
        match raw {
            Raw::Null => None,
            raw => Some(super::raw_value(self, &raw)),
        }
    }

    /// The attributes of a slice (empty if out of range).
    pub fn attrs_of(&self, slice: Slice) -> Vec<Attr> {
        self.store.attrs_of(slice)
    }

    /// The id of `s` if it was interned, without adding it.
    pub fn lookup(&self, s: &str) -> Option<StrId> {
        self.store.strings.lookup(s)
    }

    /// Reads a trace id of the span being built; `field` names it in warnings.
    pub fn trace_id(&mut self, text: &str, field: &'static str) -> TraceId {
        let (id, form) = ids::trace_id(text);
        if let Some(text_id) = self.note_id_form(form, text, field) {
            self.store.trace_id_text.insert(id, text_id);
        }
        id
    }

    /// Reads a span id of the span being built; `field` names it in warnings.
    pub fn span_id(&mut self, text: &str, field: &'static str) -> SpanId {
        let (id, form) = ids::span_id(text);
        if let Some(text_id) = self.note_id_form(form, text, field) {
            self.store.span_id_text.insert(id, text_id);
        }
        id
    }

    /// Records a warning for a padded or opaque id; for an opaque id, returns its interned
    /// text, which the caller keeps for display.
    fn note_id_form(&mut self, form: IdForm, text: &str, field: &'static str) -> Option<StrId> {
        let text_owned = || text.to_string();
        match form {
            IdForm::Exact => None,
            IdForm::Padded => {
                self.pending.push(SpanWarning::PaddedId {
                    field,
                    text: text_owned(),
                });
                None
            }
            IdForm::Opaque => {
                self.pending.push(SpanWarning::OpaqueId {
                    field,
                    text: text_owned(),
                });
                Some(self.store.strings.intern(text))
            }
        }
    }

    /// Adds a warning about the span being built.
    pub fn warn_span(&mut self, warning: SpanWarning) {
        self.pending.push(warning);
    }

    /// Adds a file-level warning.
    pub fn warn_file(&mut self, message: String) {
        if !self.file_warnings.contains(&message) {
            self.file_warnings.push(message);
        }
    }

    /// Adds a resource; an empty service name becomes [`UNKNOWN_SERVICE`].
    pub fn push_resource(&mut self, mut resource: Resource) -> u32 {
        if self.store.strings.get(resource.service).is_empty() {
            resource.service = self.store.strings.intern(UNKNOWN_SERVICE);
        }
        self.store.resources.push(resource);
        self.store.resources.len() as u32 - 1
    }

    /// Service name of a resource added with [`StoreBuilder::push_resource`].
    pub fn resource_service(&self, resource: u32) -> StrId {
        self.store
            .resources
            .get(resource as usize)
            .map_or(StrId::EMPTY, |r| r.service)
    }

    /// Adds a span with the warnings gathered since the last one. A span without a service
    /// name gets [`UNKNOWN_SERVICE`] and a warning.
    pub fn push_span(&mut self, mut span: Span) {
        let service = self.store.strings.get(span.service);
        if service.is_empty() || service == UNKNOWN_SERVICE {
            span.service = self.store.strings.intern(UNKNOWN_SERVICE);
            self.pending.push(SpanWarning::NoServiceName);
        }
        self.push_span_unresolved(span);
    }

    /// Files the pending warnings under span `index` and reports progress.
    fn attach_pending(&mut self, index: u32) {
        for w in self.pending.drain(..) {
            self.store.span_warnings.push((index, w));
        }
        let count = index as usize + 1;
        if count % PROGRESS_EVERY_SPANS == 0 {
            if let Some(report) = self.on_progress.as_mut() {
                report(count);
            }
        }
    }

    /// Adds a span whose resource is not known yet (Jaeger writes a trace's `processes`
    /// after its `spans`): `span.resource` holds a placeholder of the caller's, and
    /// [`StoreBuilder::resolve_spans`] must be called for the span before finishing (the
    /// service name is checked then). Returns the span's index.
    pub fn push_span_unresolved(&mut self, mut span: Span) -> u32 {
        let index = self.store.spans.len() as u32;
        if span.duration_nanos < 0 && !span.end_unknown() {
            span.duration_nanos = 0;
            self.pending.push(SpanWarning::EndBeforeStart);
        }
        span.file = 0;
        self.store.spans.push(span);
        self.attach_pending(index);
        index
    }

    /// Gives spans added with [`StoreBuilder::push_span_unresolved`] (`indices`, in
    /// increasing order) their resource: `resource_of` maps the placeholder to a resource
    /// index. Spans whose resource has no service name get [`UNKNOWN_SERVICE`] and a warning,
    /// as [`StoreBuilder::push_span`] gives them.
    pub fn resolve_spans(&mut self, indices: &[u32], mut resource_of: impl FnMut(u32) -> u32) {
        let unknown = self.store.strings.intern(UNKNOWN_SERVICE);
        let mut no_service = Vec::new();
        for &index in indices {
            let Some(span) = self.store.spans.get_mut(index as usize) else {
                continue;
            };
            span.resource = resource_of(span.resource);
            let service = self
                .store
                .resources
                .get(span.resource as usize)
                .map_or(StrId::EMPTY, |r| r.service);
            if service == unknown || self.store.strings.get(service).is_empty() {
                span.service = unknown;
                no_service.push(index);
            } else {
                span.service = service;
            }
        }
        let Some(&first) = no_service.first() else {
            return;
        };
        // Merge the new warnings into `span_warnings`, which stays in span order; each goes
        // after the span's other warnings, where push_span puts it.
        let from = self
            .store
            .span_warnings
            .partition_point(|(i, _)| *i < first);
        let tail = self.store.span_warnings.split_off(from);
        let mut tail = tail.into_iter().peekable();
        for index in no_service {
            while let Some(w) = tail.next_if(|(i, _)| *i <= index) {
                self.store.span_warnings.push(w);
            }
            self.store
                .span_warnings
                .push((index, SpanWarning::NoServiceName));
        }
        self.store.span_warnings.extend(tail);
    }

    /// The progress callback, back from a builder that is given up.
    pub fn into_progress(self) -> Option<&'p mut dyn FnMut(usize)> {
        self.on_progress
    }

    /// Spans added so far.
    pub fn span_count(&self) -> usize {
        self.store.spans.len()
    }

    /// Finishes the store, summarising span warnings into file warnings.
    pub fn finish(mut self, mut info: FileInfo) -> Store {
        // The arenas grew by doubling; give back the slack (a large block shrinks in place).
        let store = &mut self.store;
        store.spans.shrink_to_fit();
        store.attrs.shrink_to_fit();
        store.events.shrink_to_fit();
        store.links.shrink_to_fit();
        store.resources.shrink_to_fit();
        store.span_warnings.shrink_to_fit();
        info.warnings = self.summarise();
        info.span_count = self.store.spans.len();
        info.trace_count = self.trace_count();
        self.store.files = vec![info];
        self.store
    }

    /// Distinct trace ids among the spans: a set insert only where the id changes, since a
    /// trace's spans mostly come together (one insert for a 1M-span trace).
    fn trace_count(&self) -> usize {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut last = None;
        for span in &self.store.spans {
            if last != Some(span.trace_id) {
                seen.insert(span.trace_id);
                last = Some(span.trace_id);
            }
        }
        seen.len()
    }

    fn summarise(&self) -> Vec<String> {
        let spans = self.store.span_warnings.iter().map(|(_, w)| w.kind());
        let mut out = crate::model::summarise_warnings(spans);
        out.extend(self.file_warnings.iter().cloned());
        out
    }
}

/// `a == b`, eight bytes at a time. Slice equality calls `memcmp`, which in WebAssembly
/// compares byte by byte: profiled in V8, ~4.5% of importing a Zipkin file, nearly all of it
/// the intern cache's check above.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes (overlapping bytes already compared).
    word(a, n - 8) == word(b, n - 8)
}

/// Slot of `s` in the intern cache: a multiplicative hash of its length and of up to eight
/// bytes at each end (cheap, and enough to tell apart the strings a span repeats).
#[inline]
fn cache_slot(s: &str) -> usize {
    let b = s.as_bytes();
    let (head, tail) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(h), Some(t)) => (u64::from_le_bytes(*h), u64::from_le_bytes(*t)),
        _ => {
            let short = b.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
            (short, 0)
        }
    };
    let h = (head ^ tail.rotate_left(31) ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - INTERN_CACHE_SLOTS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SpanKind, StatusCode};

    #[test]
    fn same_bytes_is_slice_equality() {
        let base: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for len in 0..=base.len() {
            let a = &base[..len];
            assert!(same_bytes(a, a), "len {len}");
            let copy = a.to_vec(); // equal bytes elsewhere in memory
            assert!(same_bytes(a, &copy), "len {len}");
            for at in 0..len {
                let mut other = a.to_vec();
                other[at] ^= 0x20;
                assert!(!same_bytes(a, &other), "len {len}, byte {at} differs");
            }
            if len > 0 {
                assert!(
                    !same_bytes(a, &base[..len - 1]),
                    "len {len} against {}",
                    len - 1
                );
            }
        }
    }

    fn span(b: &mut StoreBuilder, id: u64) -> Span {
        let service = b.intern("svc");
        let attrs = b.push_attrs([Attr {
            key: service,
            value: Value::Int(id as i64),
        }]);
        Span {
            trace_id: TraceId(1),
            span_id: SpanId(id),
            parent_id: SpanId(0),
            start_unix_nanos: 0,
            duration_nanos: 1,
            service,
            name: service,
            kind: SpanKind::Internal,
            status: StatusCode::Unset,
            status_message: StrId::EMPTY,
            resource: 0,
            attrs,
            events: Slice::default(),
            links: Slice::default(),
            file: 0,
        }
    }

    #[test]
    fn arenas_are_sized_for_the_rest_of_the_input_once() {
        let mut b = StoreBuilder::new();
        // 100 bytes a span: 4096 spans read at offset 409,600 of a 4,096,000-byte input.
        b.set_input_len(4_096_000);
        for id in 1..=PLAN_AT_SPANS as u64 {
            let s = span(&mut b, id);
            b.push_span(s);
            b.reserve_for_rest(id as usize * 100);
        }
        let expect = PLAN_AT_SPANS * 10;
        let (spans, attrs) = (b.store.spans.capacity(), b.store.attrs.capacity());
        assert!(
            spans >= expect && spans < expect * 11 / 10,
            "span room {spans}"
        );
        assert!(
            attrs >= expect && attrs < expect * 11 / 10,
            "attribute room {attrs}"
        );
        // Filling that room needs no growth.
        for id in PLAN_AT_SPANS as u64 + 1..=expect as u64 {
            let s = span(&mut b, id);
            b.push_span(s);
            b.reserve_for_rest(id as usize * 100);
        }
        assert_eq!(b.store.spans.capacity(), spans);
        assert_eq!(b.store.attrs.capacity(), attrs);
    }

    #[test]
    fn without_a_known_input_length_nothing_is_reserved() {
        let mut b = StoreBuilder::new();
        for id in 1..=PLAN_AT_SPANS as u64 {
            let s = span(&mut b, id);
            b.push_span(s);
            b.reserve_for_rest(id as usize * 100);
        }
        assert!(b.store.spans.capacity() < PLAN_AT_SPANS * 2 + 1);
    }
}
