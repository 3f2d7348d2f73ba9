//! The viewer's state and the one reducer that changes it (yew `function_todomvc` style):
//! loads, selection, folds, messages, search. Pure: the page wraps it in Yew's reducer and
//! supplies what only a browser knows (the clock) in the actions.

mod folds;
mod link;
mod load;
mod search;
mod shared;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod troubleshooting_tests;

pub use link::Link;
pub use load::{LoadPhase, LoadProgress, LoadedModel, Loading};
pub use search::{SearchState, SEARCH_AT_ONCE_SPANS, SEARCH_STEP_SPANS};
pub use shared::Shared;

use crate::model::stats::GroupBy;
use crate::model::trace_list::{TraceColumn, TraceQuery, TraceSort};
use crate::model::{Store, Trace, TraceId, NO_PARENT};
use crate::theme::{Palette, Scheme};
use std::collections::BTreeSet;
use std::rc::Rc;

/// Everything the page shows. Cheap to clone and to compare: big data sits behind `Rc`s,
/// compared by identity first.
#[derive(Clone, Default, PartialEq)]
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
    /// What the trace area shows.
    pub view: View,
    /// What the service graph covers.
    pub graph_scope: GraphScope,
    /// What is chosen in the service graph, by names (they outlive a rebuilt graph).
    pub graph_selection: Option<GraphSelection>,
    /// The trace list narrowed to some traces (`None`: every trace).
    pub trace_filter: Option<TraceFilter>,
    /// Light or dark, as the user chose or the system prefers.
    pub scheme: Scheme,
    /// The critical path is drawn on the waterfall.
    pub show_critical_path: bool,
    /// Spans are shown at times adjusted for clock skew (off: as recorded).
    pub adjust_skew: bool,
    /// The waterfall shows only the spans matching the search, and their ancestors.
    pub only_matches: bool,
    /// A link opened before the data it names was loaded: opened when a model has it.
    pub pending_link: Option<Link>,
    /// The zoom window (ns from the trace's start) a link asked for this trace; the
    /// waterfall shows it when it shows the trace. Selecting a trace forgets it.
    pub link_window: Option<(TraceId, (i64, i64))>,
    /// How the trace list is sorted and what it keeps.
    pub trace_sort: TraceSort,
    pub trace_query: TraceQuery,
    /// What the statistics cover (all traces, or the selected one) and how they group.
    pub stats_scope: GraphScope,
    pub stats_group: GroupBy,
    /// The waterfall shows only these spans of the selected trace (a statistics row).
    pub span_filter: Option<SpanFilter>,
    /// The two traces compared (indices: the baseline, the other), as last chosen; `None`:
    /// the defaults (the selected trace and its [`crate::model::diff::compare_partner`]).
    pub compare: Option<(usize, usize)>,
}

/// Some spans of one trace, and what they have in common ("cart · GET /cart").
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SpanFilter {
    pub label: String,
    /// Index into the traces, and trace positions (ascending) in it.
    pub trace: usize,
    pub positions: Rc<Vec<u32>>,
}

/// Some of the loaded traces, and what they have in common ("through cart"): indices into
/// the traces, so a new model drops it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TraceFilter {
    pub label: String,
    pub traces: Rc<Vec<usize>>,
}

/// A node or an edge of the service graph, by node names.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum GraphSelection {
    Node(String),
    Edge { from: String, to: String },
}

/// The trace area's views.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum View {
    #[default]
    Waterfall,
    Graph,
    Stats,
    Flame,
    TraceGraph,
    Compare,
}

impl View {
    /// Its name in the page's URL fragment (`#view=graph`).
    pub fn name(self) -> &'static str {
        match self {
            View::Waterfall => "waterfall",
            View::Graph => "graph",
            View::Stats => "stats",
            View::Flame => "flame",
            View::TraceGraph => "trace-graph",
            View::Compare => "compare",
        }
    }

    /// The view named in a URL fragment such as `#view=graph` (other `key=value` pairs,
    /// separated by `&`, are ignored).
    pub fn from_fragment(fragment: &str) -> Option<View> {
        let value = fragment
            .trim_start_matches('#')
            .split('&')
            .find_map(|pair| pair.strip_prefix("view="))?;
        let views = [
            View::Waterfall,
            View::Graph,
            View::Stats,
            View::Flame,
            View::TraceGraph,
            View::Compare,
        ];
        views.into_iter().find(|v| v.name() == value)
    }
}

/// What the service graph covers.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum GraphScope {
    /// Every loaded trace, and the links of dependency files.
    #[default]
    All,
    /// The selected trace.
    Trace,
}

/// Things that change the state, named by what happened.
pub enum Action {
    /// A load of the named sources started at `started_ms` (the page's clock, ms).
    StartLoading {
        id: u32,
        sources: Vec<String>,
        started_ms: f64,
    },
    /// The worker reported progress on a load.
    Progress(LoadProgress),
    /// A load finished at `finished_ms`: the new model (all files, merged) if anything
    /// loaded, and the failures as "<source>: <reason>".
    FinishLoading {
        id: u32,
        model: Option<Box<LoadedModel>>,
        errors: Vec<String>,
        finished_ms: f64,
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
    ShowView(View),
    /// Compare trace `b` with trace `a` (the baseline); ignored unless both are traces.
    CompareTraces {
        a: usize,
        b: usize,
    },
    SetGraphScope(GraphScope),
    /// Show span `span` (a store index) of trace `trace` in the waterfall: selected,
    /// unfolded, scrolled to.
    ShowSpan {
        trace: usize,
        span: u32,
    },
    /// Choose a node or an edge of the service graph (`None`: nothing).
    SelectInGraph(Option<GraphSelection>),
    /// Show the service graph with this service's node chosen.
    ShowInGraph(String),
    /// List only these traces (`None`: all of them).
    FilterTraces(Option<TraceFilter>),
    /// Paint in this scheme.
    SetScheme(Scheme),
    /// Show the critical path, or stop.
    ToggleCriticalPath,
    /// Select the next (+1) or previous (-1) error span of the selected trace, wrapping.
    ErrorStep(i32),
    /// Collapse every row but the paths to the failed spans.
    CollapseToErrors,
    /// Show spans at times adjusted for clock skew, or as recorded.
    ToggleSkewAdjustment,
    /// Show only the spans matching the search (and their ancestors), or all.
    ToggleOnlyMatches,
    /// Show what a link names (a URL fragment: at start-up, back and forward).
    OpenLink(Link),
    /// Fold the selected trace so that this many levels show.
    FoldToDepth(u32),
    /// Fold every span of the selected trace shorter than this many ns.
    FoldShorterThan(i64),
    /// The trace list's header was clicked: sort by it (again: the other way).
    SortTraces(TraceColumn),
    /// Keep only these traces in the list.
    QueryTraces(TraceQuery),
    SetStatsScope(GraphScope),
    SetStatsGroup(GroupBy),
    /// Show only these spans in the waterfall (`None`: all).
    FilterSpans(Option<SpanFilter>),
}

impl AppState {
    /// The state after `action`.
    pub fn reduce(&self, action: Action) -> AppState {
        let mut next = self.clone();
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
            Action::Progress(progress) => next.progress(progress),
            Action::FinishLoading {
                id,
                model,
                errors,
                finished_ms,
            } => next.finish_loading(id, model, errors, finished_ms),
            Action::FailLoading { id, message } => next.fail_loading(id, &message),
            Action::CancelLoading => next.loading.clear(),
            Action::SelectTrace(index) => {
                next.link_window = None;
                next.select_trace(index);
            }
            Action::SelectSpan(span) => next.selected_span = span,
            Action::ToggleRow(pos) => next.toggle_row(pos),
            Action::ExpandAll => next.collapsed = Rc::default(),
            Action::CollapseAll => next.collapse_all(),
            Action::Search(query) => {
                next.search.query = query;
                next.run_search();
                next.go_to_match(next.search.current);
            }
            Action::SearchStep(step) => next.search_step(step),
            Action::SearchCounted {
                generation,
                matches,
            } => next.search_counted(generation, matches),
            Action::ShowView(view) => next.view = view,
            Action::CompareTraces { a, b } => {
                if a < next.traces.len() && b < next.traces.len() {
                    next.compare = Some((a, b));
                }
            }
            Action::ShowSpan { trace, span } => next.show_span(trace, span),
            Action::SelectInGraph(selection) => next.graph_selection = selection,
            Action::ShowInGraph(service) => {
                next.view = View::Graph;
                next.graph_selection = Some(GraphSelection::Node(service));
            }
            Action::SetGraphScope(scope) => next.graph_scope = scope,
            Action::FilterTraces(filter) => next.trace_filter = filter,
            Action::SetScheme(scheme) => next.scheme = scheme,
            Action::ToggleCriticalPath => next.show_critical_path = !next.show_critical_path,
            Action::ErrorStep(step) => next.error_step(step),
            Action::CollapseToErrors => next.collapse_to_errors(),
            Action::ToggleSkewAdjustment => next.adjust_skew = !next.adjust_skew,
            Action::ToggleOnlyMatches => next.only_matches = !next.only_matches,
            Action::OpenLink(link) => next.open_link(link),
            Action::SortTraces(column) => next.trace_sort = next.trace_sort.clicked(column),
            Action::QueryTraces(query) => next.trace_query = query,
            Action::SetStatsScope(scope) => next.stats_scope = scope,
            Action::SetStatsGroup(group) => next.stats_group = group,
            Action::FilterSpans(filter) => {
                if let Some(f) = &filter {
                    next.select_trace(f.trace);
                    next.view = View::Waterfall;
                }
                next.span_filter = filter;
            }
            Action::FoldToDepth(levels) => {
                if let Some(trace) = next.selected() {
                    next.collapsed = Rc::new(folds::folded_to_depth(trace, levels));
                }
            }
            Action::FoldShorterThan(nanos) => {
                if let Some(trace) = next.selected() {
                    next.collapsed = Rc::new(folds::folded_shorter_than(&next.store, trace, nanos));
                }
            }
            Action::DismissError(i) => {
                if i < next.errors.len() {
                    next.errors.remove(i);
                }
            }
        }
        next
    }

    /// What a link to this view names (the zoom window is the page's to add).
    pub fn link(&self) -> Link {
        let store = &self.store;
        let span = self.selected_span.and_then(|s| store.spans.get(s as usize));
        Link {
            view: Some(self.view),
            trace: self.selected().map(|t| store.trace_id_display(t.id)),
            span: span.map(|s| store.span_id_display(s.span_id)),
            window: None,
            query: Some(self.search.query.clone()).filter(|q| !q.trim().is_empty()),
        }
    }

    /// Shows what `link` names: its view; its trace (kept for a later model when none
    /// loaded has it), zoom window, search and span.
    fn open_link(&mut self, link: Link) {
        if let Some(view) = link.view {
            self.view = view;
        }
        let Some(wanted) = &link.trace else { return };
        let Some(index) = self.trace_index(wanted) else {
            self.pending_link = Some(link);
            return;
        };
        self.select_trace(index);
        let id = self.traces[index].id;
        self.link_window = link.window.map(|w| (id, w));
        if let Some(query) = &link.query {
            self.search.query = query.clone();
            self.run_search();
        }
        let pos = link.span.as_ref().and_then(|s| self.position_of_span_id(s));
        self.selected_span = None;
        match pos {
            Some(pos) => self.show_position(pos),
            None if link.query.is_some() => self.go_to_match(self.search.current),
            None => {}
        }
    }

    /// The loaded trace whose id is `wanted`: as a number when it is hex of up to 32 digits
    /// (so a 64-bit B3 id, zero-padded or not, finds its trace, and an X-Ray trace is found
    /// by its W3C id), else as the file's text (case-insensitive).
    pub fn trace_index(&self, wanted: &str) -> Option<usize> {
        let wanted = wanted.trim();
        let number = (wanted.len() <= 32)
            .then(|| u128::from_str_radix(wanted, 16).ok())
            .flatten();
        let store = &self.store;
        self.traces.iter().position(|t| {
            number == Some(t.id.0) || store.trace_id_display(t.id).eq_ignore_ascii_case(wanted)
        })
    }

    /// The trace position in the selected trace of the span shown as `id`: a hex id is
    /// compared as a number (a million spans are not each formatted), any other as the
    /// file's text.
    fn position_of_span_id(&self, id: &str) -> Option<u32> {
        let store = &self.store;
        let trace = self.selected()?;
        let number = u64::from_str_radix(id, 16).ok();
        let is = |s: &crate::model::Span| match number {
            Some(n) if !store.span_id_text.contains_key(&s.span_id) => s.span_id.0 == n,
            _ => store.span_id_display(s.span_id).eq_ignore_ascii_case(id),
        };
        trace
            .spans
            .iter()
            .position(|&s| store.spans.get(s as usize).is_some_and(is))
            .map(|p| p as u32)
    }

    /// The selected trace.
    pub fn selected(&self) -> Option<&Trace> {
        self.selected_trace.and_then(|i| self.traces.get(i))
    }

    fn select_trace(&mut self, index: usize) {
        if index < self.traces.len() && self.selected_trace != Some(index) {
            self.selected_trace = Some(index);
            self.selected_span = None;
            self.collapsed = Rc::default();
            self.run_search();
        }
    }

    fn show_span(&mut self, trace: usize, span: u32) {
        self.select_trace(trace);
        let Some(pos) = self
            .selected()
            .filter(|_| self.selected_trace == Some(trace))
            .and_then(|t| t.spans.iter().position(|&s| s == span))
        else {
            return;
        };
        self.unfold_to(pos as u32);
        self.selected_span = Some(span);
        self.reveal = self.reveal.wrapping_add(1);
        self.view = View::Waterfall;
    }

    fn toggle_row(&mut self, pos: u32) {
        let mut collapsed = (*self.collapsed).clone();
        if !collapsed.remove(&pos) {
            collapsed.insert(pos);
        }
        self.collapsed = Rc::new(collapsed);
    }

    fn collapse_all(&mut self) {
        if let Some(trace) = self.selected() {
            let all: BTreeSet<u32> = (0..trace.len())
                .filter(|&p| trace.has_children(p))
                .map(|p| p as u32)
                .collect();
            self.collapsed = Rc::new(all);
        }
    }

    fn error_step(&mut self, step: i32) {
        let Some(trace) = self.selected() else { return };
        let errors = crate::model::errors::error_positions(&self.store, trace);
        let from = self
            .selected_span
            .and_then(|s| trace.spans.iter().position(|&t| t == s))
            .map(|p| p as u32);
        if let Some(pos) = crate::model::errors::step_error(&errors, from, step) {
            self.show_position(pos);
        }
    }

    fn collapse_to_errors(&mut self) {
        if let Some(trace) = self.selected() {
            self.collapsed = Rc::new(crate::model::errors::collapsed_to_errors(
                &self.store,
                trace,
            ));
        }
    }

    /// Selects the span at trace position `pos` of the selected trace, unfolds its
    /// ancestors and scrolls it into view.
    pub(super) fn show_position(&mut self, pos: u32) {
        let Some(&span) = self.selected().and_then(|t| t.spans.get(pos as usize)) else {
            return;
        };
        self.unfold_to(pos);
        self.selected_span = Some(span);
        self.reveal = self.reveal.wrapping_add(1);
    }

    /// Unfolds the ancestors of trace position `pos` of the selected trace.
    fn unfold_to(&mut self, pos: u32) {
        let Some(trace) = self.selected() else { return };
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
        self.trace_filter = None;
        self.span_filter = None;
        self.compare = None;
        self.service_count = services.len();
        self.palette = Rc::new(Palette::for_services(
            services.iter().map(|s| store.strings.get(*s)),
        ));
        self.store = Shared::new(store);
        self.traces = Shared::new(traces);
        self.run_search();
        if let Some(link) = self.pending_link.take() {
            self.open_link(link);
        }
    }
}
