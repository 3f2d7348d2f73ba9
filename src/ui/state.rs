//! App state and the one reducer that changes it (yew `function_todomvc` style): loads,
//! selection, collapse, messages.

use super::Shared;
use crate::import::ImportError;
use crate::model::{build_traces, Store, Trace, TraceId};
use crate::theme::Palette;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::Reducible;

/// Everything the page shows. Cheap to clone: big data sits behind `Rc`.
#[derive(Clone, Default)]
pub struct AppState {
    pub store: Shared<Store>,
    pub traces: Shared<Vec<Trace>>,
    /// Index into `traces`.
    pub selected_trace: Option<usize>,
    /// Index into `store.spans`.
    pub selected_span: Option<u32>,
    /// Collapsed rows (trace positions) of the selected trace.
    pub collapsed: Rc<BTreeSet<u32>>,
    /// Failed loads, newest last, as "<file>: <reason>".
    pub errors: Vec<String>,
    /// Names of sources being loaded.
    pub loading: Vec<String>,
    /// How long the last load took, ms (read + parse + tree building).
    pub last_load_ms: Option<f64>,
    /// Service colours for everything loaded.
    pub palette: Rc<Palette>,
    /// Number of distinct services loaded.
    pub service_count: usize,
}

/// Things that change the state, named by what happened.
pub enum Action {
    /// A load of the named sources started.
    StartLoading(Vec<String>),
    /// Sources finished loading: what imported, what failed, and when the load started
    /// (`performance.now()` ms) so the reducer can report the total time.
    FinishLoading {
        sources: Vec<String>,
        stores: Vec<Store>,
        errors: Vec<ImportError>,
        started_ms: f64,
    },
    /// A load failed before any bytes arrived (network error, HTTP status).
    FailLoading {
        source: String,
        message: String,
    },
    SelectTrace(usize),
    SelectSpan(Option<u32>),
    /// Collapse or expand the row at this trace position.
    ToggleRow(u32),
    ExpandAll,
    /// Collapse every row that has children (roots stay visible).
    CollapseAll,
    DismissError(usize),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::StartLoading(sources) => next.loading.extend(sources),
            Action::FinishLoading {
                sources,
                stores,
                errors,
                started_ms,
            } => {
                next.loading.retain(|s| !sources.contains(s));
                next.errors
                    .extend(errors.into_iter().map(|e| e.to_string()));
                if !stores.is_empty() {
                    next.add_stores(stores);
                    next.last_load_ms = Some(super::now_ms() - started_ms);
                }
            }
            Action::FailLoading { source, message } => {
                next.loading.retain(|s| *s != source);
                next.errors.push(format!("{source}: {message}"));
            }
            Action::SelectTrace(index) => {
                if index < next.traces.len() && next.selected_trace != Some(index) {
                    next.selected_trace = Some(index);
                    next.selected_span = None;
                    next.collapsed = Rc::default();
                }
            }
            Action::SelectSpan(span) => next.selected_span = span,
            Action::ToggleRow(pos) => {
                let mut collapsed = (*next.collapsed).clone();
                if !collapsed.remove(&pos) {
                    collapsed.insert(pos);
                }
                next.collapsed = Rc::new(collapsed);
            }
            Action::ExpandAll => next.collapsed = Rc::default(),
            Action::CollapseAll => {
                if let Some(trace) = next.selected() {
                    let all: BTreeSet<u32> = (0..trace.len())
                        .filter(|&p| trace.has_children(p))
                        .map(|p| p as u32)
                        .collect();
                    next.collapsed = Rc::new(all);
                }
            }
            Action::DismissError(i) => {
                if i < next.errors.len() {
                    next.errors.remove(i);
                }
            }
        }
        Rc::new(next)
    }
}

impl AppState {
    /// The selected trace.
    pub fn selected(&self) -> Option<&Trace> {
        self.selected_trace.and_then(|i| self.traces.get(i))
    }

    /// Merges newly imported files and rebuilds the traces. The selection moves to the
    /// first trace of the new files; the old selection survives otherwise.
    fn add_stores(&mut self, stores: Vec<Store>) {
        let previous: Option<TraceId> = self.selected().map(|t| t.id);
        let first_new_file = self.store.files.len() as u32;
        let mut store = (*self.store.0).clone();
        for s in stores {
            store.append(s);
        }
        let traces = build_traces(&store);
        let newly_loaded = traces.iter().position(|t| {
            t.spans.iter().any(|&i| {
                store
                    .spans
                    .get(i as usize)
                    .is_some_and(|s| s.file >= first_new_file)
            })
        });
        let selected = newly_loaded
            .or_else(|| previous.and_then(|id| traces.iter().position(|t| t.id == id)))
            .or(if traces.is_empty() { None } else { Some(0) });
        if selected.map(|i| traces[i].id) != previous {
            self.collapsed = Rc::default();
            self.selected_span = None;
        }
        self.selected_trace = selected;
        let services = store.services();
        self.service_count = services.len();
        self.palette = Rc::new(Palette::for_services(
            services.iter().map(|s| store.strings.get(*s)),
        ));
        self.store = Shared::new(store);
        self.traces = Shared::new(traces);
    }
}
