//! The span search of the selected trace: matches, the current one, and the counting of a
//! big trace's matches in steps.

use super::{AppState, Shared};
use crate::model::{SpanQuery, TraceSearch};

/// The text searched for, the matches in the selected trace, and which one is current.
#[derive(Clone, Default, PartialEq, Debug)]
pub struct SearchState {
    pub query: String,
    /// Trace positions of the matching spans, ascending.
    pub matches: Shared<Vec<u32>>,
    /// Index into `matches`.
    pub current: Option<usize>,
    /// A trace of more than [`SEARCH_AT_ONCE_SPANS`] spans is searched in steps after the
    /// first match is shown (the page runs them and reports `Action::SearchCounted`): until
    /// they are done, `matches` holds only that first match.
    pub counting: bool,
    /// Bumped by every new search, so that the steps of an older one are dropped.
    pub generation: u32,
    /// Why the query could not be read (shown under the search box): a malformed query
    /// matches nothing. `None` for a good or empty query.
    pub error: Option<String>,
}

/// Traces up to this many spans are searched at once; bigger ones show their first match
/// at once and are counted in steps of [`SEARCH_STEP_SPANS`].
pub const SEARCH_AT_ONCE_SPANS: usize = 50_000;

/// Spans tested per step while a big trace is counted.
pub const SEARCH_STEP_SPANS: usize = 250_000;

/// Where the first match of a big trace is looked for at once (trace positions from the top).
const FIRST_MATCH_WITHIN: usize = 100_000;

impl AppState {
    /// Recomputes the matches of the search in the selected trace.
    /// A big trace gets its first match now and is counted later (see [`SearchState`]).
    /// The query's error is set whether or not a trace is selected.
    pub(super) fn run_search(&mut self) {
        self.search.generation = self.search.generation.wrapping_add(1);
        let parsed = SpanQuery::parse(&self.search.query);
        self.search.error = parsed.err().map(|e| e.to_string());
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
    pub(super) fn go_to_match(&mut self, at: Option<usize>) {
        self.search.current = at;
        if let Some(&pos) = at.and_then(|i| self.search.matches.get(i)) {
            self.show_position(pos);
        }
    }

    pub(super) fn search_step(&mut self, step: i32) {
        let n = self.search.matches.len();
        if n > 0 {
            let at = match self.search.current {
                Some(c) => (c as i64 + step as i64).rem_euclid(n as i64) as usize,
                None if step < 0 => n - 1,
                None => 0,
            };
            self.go_to_match(Some(at));
        }
    }

    pub(super) fn search_counted(&mut self, generation: u32, matches: Vec<u32>) {
        if generation != self.search.generation || !self.search.counting {
            return;
        }
        self.search.counting = false;
        let shown = self.search.current.and_then(|c| self.search.matches.get(c));
        let current = match shown {
            Some(pos) => matches.binary_search(pos).ok(),
            None => None,
        };
        let first = current.is_none() && !matches.is_empty();
        self.search.matches = Shared::new(matches);
        self.search.current = current;
        if first {
            self.go_to_match(Some(0));
        }
    }
}
