//! App state and the one reducer that changes it (yew `function_todomvc` style): loads,
//! selection, collapse, messages.

use super::Shared;
use spanorama_core::model::{Store, StrId, Trace, TraceId, TraceSearch, NO_PARENT};
use spanorama_core::theme::Palette;
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
    /// Loads in progress, oldest first.
    pub loading: Vec<Loading>,
    /// How long the last load took, ms (read + parse + tree building).
    pub last_load_ms: Option<f64>,
    /// Service colours for everything loaded.
    pub palette: Rc<Palette>,
    /// Number of distinct services loaded.
    pub service_count: usize,
    /// Span search in the selected trace.
    pub search: SearchState,
    /// Bumped whenever the selection should be scrolled into view (search steps).
    pub reveal: u32,
}

/// The text searched for, the matches in the selected trace, and which one is current.
#[derive(Clone, Default, PartialEq)]
pub struct SearchState {
    pub query: String,
    /// Trace positions of the matching spans, ascending.
    pub matches: Shared<Vec<u32>>,
    /// Index into `matches`.
    pub current: Option<usize>,
    /// A trace of more than [`SEARCH_AT_ONCE_SPANS`] spans is searched in steps after the
    /// first match is shown (`App` runs them): until they are done, `matches` holds only
    /// that first match.
    pub counting: bool,
    /// Bumped by every new search, so that the steps of an older one are dropped.
    pub generation: u32,
}

/// Traces up to this many spans are searched at once (~2-3 ms in the browser); bigger ones
/// show their first match at once and are counted in steps of [`SEARCH_STEP_SPANS`].
pub const SEARCH_AT_ONCE_SPANS: usize = 50_000;

/// Spans tested per task while a big trace is counted.
pub const SEARCH_STEP_SPANS: usize = 250_000;

/// Where the first match of a big trace is looked for at once (trace positions from the top).
const FIRST_MATCH_WITHIN: usize = 100_000;

/// One load request in progress.
#[derive(Clone, PartialEq, Debug)]
pub struct Loading {
    pub id: u32,
    /// File names or URLs, as the user gave them.
    pub sources: Vec<String>,
    /// `performance.now()` when the load started, ms.
    pub started_ms: f64,
    pub progress: Option<LoadProgress>,
}

/// What the import worker last said about a load.
#[derive(Clone, PartialEq, Debug)]
pub struct LoadProgress {
    pub id: u32,
    /// The source being read or parsed ("" while building trees or sending the model).
    pub source: String,
    /// `reading`, `parsing`, `building` or `sending`.
    pub phase: String,
    /// Bytes read (or sent) so far, and the total when known (0 otherwise).
    pub done: f64,
    pub total: f64,
    /// Spans parsed so far.
    pub spans: u64,
}

/// The whole model after a load, as the worker built it.
pub struct LoadedModel {
    pub store: Store,
    pub traces: Vec<Trace>,
    /// The first trace with spans from the newly loaded files.
    pub selected: Option<usize>,
    /// `store.services()`, collected while the model was decoded.
    pub services: Vec<StrId>,
}

/// Things that change the state, named by what happened.
pub enum Action {
    /// A load of the named sources started.
    StartLoading {
        id: u32,
        sources: Vec<String>,
        started_ms: f64,
    },
    /// The worker reported progress on a load.
    Progress(LoadProgress),
    /// A load finished: the new model (all files, merged) if anything loaded, and the
    /// failures as "<source>: <reason>".
    FinishLoading {
        id: u32,
        model: Option<LoadedModel>,
        errors: Vec<String>,
    },
    /// A whole load failed (the worker could not start or crashed).
    FailLoading {
        id: u32,
        message: String,
    },
    /// The user cancelled: every load in progress stops; what was shown stays.
    CancelLoading,
    SelectTrace(usize),
    SelectSpan(Option<u32>),
    /// Collapse or expand the row at this trace position.
    ToggleRow(u32),
    ExpandAll,
    /// Collapse every row that has children (roots stay visible).
    CollapseAll,
    DismissError(usize),
    /// Search the selected trace for this text (selects the first match).
    Search(String),
    /// Go to the next (+1) or previous (-1) match, wrapping around.
    SearchStep(i32),
    /// All the matches of search `generation` of a big trace, counted in steps.
    SearchCounted {
        generation: u32,
        matches: Vec<u32>,
    },
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::StartLoading {
                id,
                sources,
                started_ms,
            } => next.loading.push(Loading {
                id,
                sources,
                started_ms,
                progress: None,
            }),
            Action::Progress(progress) => {
                if let Some(l) = next.loading.iter_mut().find(|l| l.id == progress.id) {
                    l.progress = Some(progress);
                }
            }
            Action::FinishLoading { id, model, errors } => {
                let started_ms = next.finish_load(id);
                next.errors.extend(errors);
                if let Some(model) = model {
                    next.replace_model(model);
                    next.last_load_ms = started_ms.map(|t| super::now_ms() - t);
                }
            }
            Action::FailLoading { id, message } => {
                if let Some(l) = next.loading.iter().find(|l| l.id == id) {
                    let failed: Vec<String> = l
                        .sources
                        .iter()
                        .map(|s| format!("{s}: {message}"))
                        .collect();
                    next.errors.extend(failed);
                }
                next.finish_load(id);
            }
            Action::CancelLoading => next.loading.clear(),
            Action::SelectTrace(index) => {
                if index < next.traces.len() && next.selected_trace != Some(index) {
                    next.selected_trace = Some(index);
                    next.selected_span = None;
                    next.collapsed = Rc::default();
                    next.run_search();
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
            Action::Search(query) => {
                next.search.query = query;
                next.run_search();
                next.go_to_match(next.search.current);
            }
            Action::SearchStep(step) => {
                let n = next.search.matches.len();
                if n > 0 {
                    let at = match next.search.current {
                        Some(c) => (c as i64 + step as i64).rem_euclid(n as i64) as usize,
                        None if step < 0 => n - 1,
                        None => 0,
                    };
                    next.go_to_match(Some(at));
                }
            }
            Action::SearchCounted {
                generation,
                matches,
            } => {
                if generation == next.search.generation && next.search.counting {
                    next.search.counting = false;
                    let shown = next.search.current.and_then(|c| next.search.matches.get(c));
                    let current = match shown {
                        Some(pos) => matches.binary_search(pos).ok(),
                        None => None,
                    };
                    let first = current.is_none() && !matches.is_empty();
                    next.search.matches = Shared::new(matches);
                    next.search.current = current;
                    if first {
                        next.go_to_match(Some(0));
                    }
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

    /// Recomputes the matches of the search in the selected trace.
    /// A big trace gets its first match now and is counted later (see [`SearchState`]).
    fn run_search(&mut self) {
        let _timing = super::Measure::new("spanorama:search");
        self.search.generation = self.search.generation.wrapping_add(1);
        let (matches, counting) = match self.selected() {
            Some(trace) => {
                let mut search = TraceSearch::new(&self.store, trace, &self.search.query);
                if search.is_hopeless() || trace.len() <= SEARCH_AT_ONCE_SPANS {
                    while !search.step(&self.store, trace, usize::MAX) {}
                    (search.into_matches(), false)
                } else {
                    let first = search.first_within(&self.store, trace, FIRST_MATCH_WITHIN);
                    (first.into_iter().collect(), true)
                }
            }
            None => (Vec::new(), false),
        };
        self.search.current = (!matches.is_empty()).then_some(0);
        self.search.matches = Shared::new(matches);
        self.search.counting = counting;
    }

    /// Makes match `at` current: selects its span, unfolds its ancestors, scrolls to it.
    fn go_to_match(&mut self, at: Option<usize>) {
        self.search.current = at;
        let Some(&pos) = at.and_then(|i| self.search.matches.get(i)) else {
            return;
        };
        let Some(trace) = self.selected() else { return };
        let span = trace.spans.get(pos as usize).copied();
        let mut ancestors = Vec::new();
        let mut p = trace.parent.get(pos as usize).copied().unwrap_or(NO_PARENT);
        while p != NO_PARENT && ancestors.len() <= trace.len() {
            ancestors.push(p);
            p = trace.parent.get(p as usize).copied().unwrap_or(NO_PARENT);
        }
        if ancestors.iter().any(|a| self.collapsed.contains(a)) {
            let mut collapsed = (*self.collapsed).clone();
            for a in &ancestors {
                collapsed.remove(a);
            }
            self.collapsed = Rc::new(collapsed);
        }
        self.selected_span = span;
        self.reveal = self.reveal.wrapping_add(1);
    }

    /// Ends load `id`; returns when it started.
    fn finish_load(&mut self, id: u32) -> Option<f64> {
        let at = self.loading.iter().position(|l| l.id == id)?;
        Some(self.loading.remove(at).started_ms)
    }

    /// Shows a new model (everything loaded so far). The selection moves to the first trace
    /// of the new files; the old selection survives otherwise.
    fn replace_model(&mut self, model: LoadedModel) {
        let LoadedModel {
            store,
            traces,
            selected: newly_loaded,
            services,
        } = model;
        let previous: Option<TraceId> = self.selected().map(|t| t.id);
        let selected = newly_loaded
            .filter(|&i| i < traces.len())
            .or_else(|| previous.and_then(|id| traces.iter().position(|t| t.id == id)))
            .or(if traces.is_empty() { None } else { Some(0) });
        if selected.map(|i| traces[i].id) != previous {
            self.collapsed = Rc::default();
            self.selected_span = None;
        }
        self.selected_trace = selected;
        self.service_count = services.len();
        self.palette = Rc::new(Palette::for_services(
            services.iter().map(|s| store.strings.get(*s)),
        ));
        self.store = Shared::new(store);
        self.traces = Shared::new(traces);
        self.run_search();
    }
}
