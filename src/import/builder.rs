//! What importers write into: a [`Store`] for one file, plus helpers that turn id text into
//! ids (recording warnings and the text of opaque ids) and summarise warnings per file.

use super::ids::{self, IdForm};
use crate::model::{
    Attr, FileInfo, Resource, Slice, Span, SpanId, SpanWarning, Store, StrId, TraceId,
    UNKNOWN_SERVICE,
};

/// How often (in spans) [`StoreBuilder::push_span`] reports progress.
pub const PROGRESS_EVERY_SPANS: usize = 16 * 1024;

/// Builds the [`Store`] of one file.
#[derive(Default)]
pub struct StoreBuilder<'p> {
    store: Store,
    /// Warnings about the span being built, attached by [`StoreBuilder::push_span`].
    pending: Vec<SpanWarning>,
    file_warnings: Vec<String>,
    /// Called with the number of spans so far, every [`PROGRESS_EVERY_SPANS`] spans.
    on_progress: Option<&'p mut dyn FnMut(usize)>,
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

    /// The store being built (for arenas: `attrs`, `events`, `links`).
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn intern(&mut self, s: &str) -> StrId {
        self.store.strings.intern(s)
    }

    /// Appends attributes and returns their slice.
    pub fn push_attrs(&mut self, attrs: impl IntoIterator<Item = Attr>) -> Slice {
        self.store.push_attrs(attrs)
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
        let index = self.store.spans.len() as u32;
        let service = self.store.strings.get(span.service);
        if service.is_empty() || service == UNKNOWN_SERVICE {
            span.service = self.store.strings.intern(UNKNOWN_SERVICE);
            self.pending.push(SpanWarning::NoServiceName);
        }
        if span.duration_nanos < 0 && !span.end_unknown() {
            span.duration_nanos = 0;
            self.pending.push(SpanWarning::EndBeforeStart);
        }
        span.file = 0;
        self.store.spans.push(span);
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

    /// Spans added so far.
    pub fn span_count(&self) -> usize {
        self.store.spans.len()
    }

    /// Finishes the store, summarising span warnings into file warnings.
    pub fn finish(mut self, mut info: FileInfo) -> Store {
        info.warnings = self.summarise();
        info.span_count = self.store.spans.len();
        self.store.files = vec![info];
        self.store
    }

    fn summarise(&self) -> Vec<String> {
        let mut no_service = 0;
        let mut opaque = (0, String::new());
        let mut padded = 0;
        let mut end_before_start = 0;
        let mut no_end = 0;
        let mut from_source = (0, String::new());
        for (_, w) in &self.store.span_warnings {
            match w {
                SpanWarning::NoServiceName => no_service += 1,
                SpanWarning::OpaqueId { text, .. } => {
                    if opaque.0 == 0 {
                        opaque.1 = text.clone();
                    }
                    opaque.0 += 1;
                }
                SpanWarning::PaddedId { .. } => padded += 1,
                SpanWarning::EndBeforeStart => end_before_start += 1,
                SpanWarning::NoEndTime => no_end += 1,
                SpanWarning::FromSource(text) => {
                    if from_source.0 == 0 {
                        from_source.1 = text.clone();
                    }
                    from_source.0 += 1;
                }
            }
        }
        let spans = |n: usize| crate::model::units::format_counted(n as u64, "span", "spans");
        let ids = |n: usize| crate::model::units::format_counted(n as u64, "id", "ids");
        let mut out = Vec::new();
        if no_service > 0 {
            out.push(format!(
                "{} without a service name: shown as \"{UNKNOWN_SERVICE}\"",
                spans(no_service)
            ));
        }
        if opaque.0 > 0 {
            out.push(format!(
                "{} that are not hex (e.g. \"{}\"): shown as written",
                ids(opaque.0),
                opaque.1
            ));
        }
        if padded > 0 {
            out.push(format!(
                "{} shorter than full width: left-padded with zeros",
                ids(padded)
            ));
        }
        if end_before_start > 0 {
            out.push(format!(
                "{} ending before they start: duration set to 0",
                spans(end_before_start)
            ));
        }
        if no_end > 0 {
            out.push(format!(
                "{} without an end time: drawn open-ended",
                spans(no_end)
            ));
        }
        if from_source.0 > 0 {
            out.push(format!(
                "{} with warnings from the exporter (e.g. \"{}\")",
                spans(from_source.0),
                from_source.1
            ));
        }
        out.extend(self.file_warnings.iter().cloned());
        out
    }
}
