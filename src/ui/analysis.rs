//! Analyses of the selected trace that a million spans would make long tasks of, worked
//! out in steps of [`STEP_SPANS`] spans, a task each: the critical path (while it is shown,
//! `model::CriticalPathBuild`), clock skew (always: the page says when it finds some,
//! `model::SkewBuild`) and the errors under each row (`errors::ErrorsBelowBuild`).

use super::state::PageState;
use super::{in_steps, Shared};
use spanorama_core::model::errors::{errors_below, ErrorsBelowBuild};
use spanorama_core::model::{
    CriticalPath, CriticalPathBuild, SkewAdjustment, SkewBuild, SkewReport, Store, Trace,
};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// Spans looked at per task.
const STEP_SPANS: usize = 50_000;

/// A computation done a bounded number of spans at a time.
trait Stepped {
    type Output;
    /// True once done.
    fn step(&mut self, budget: usize) -> bool;
    fn finish(self: Box<Self>) -> Self::Output;
}

impl Stepped for CriticalPathBuild<'_> {
    type Output = CriticalPath;
    fn step(&mut self, budget: usize) -> bool {
        CriticalPathBuild::step(self, budget)
    }
    fn finish(self: Box<Self>) -> CriticalPath {
        CriticalPathBuild::finish(*self)
    }
}

impl Stepped for ErrorsBelowBuild<'_> {
    type Output = Vec<u32>;
    fn step(&mut self, budget: usize) -> bool {
        ErrorsBelowBuild::step(self, budget)
    }
    fn finish(self: Box<Self>) -> Vec<u32> {
        ErrorsBelowBuild::finish(*self)
    }
}

/// What clock skew the selected trace has, and how to adjust it.
#[derive(PartialEq, Debug)]
pub struct SkewFound {
    pub report: SkewReport,
    pub adjustment: SkewAdjustment,
    /// The trace's extent once adjusted, ns since the epoch.
    pub bounds: (i64, i64),
    /// `adjustment.shift_nanos`, shared with the overview's image builder.
    pub shift: Rc<Vec<i64>>,
}

/// [`SkewBuild`] with what the page needs of its result.
struct SkewSteps<'t> {
    build: SkewBuild<'t>,
    store: &'t Store,
    trace: &'t Trace,
}

impl Stepped for SkewSteps<'_> {
    type Output = SkewFound;
    fn step(&mut self, budget: usize) -> bool {
        self.build.step(budget)
    }
    fn finish(self: Box<Self>) -> SkewFound {
        let (report, adjustment) = self.build.finish();
        let bounds = adjustment.shifted_bounds(self.store, self.trace);
        let shift = Rc::new(adjustment.shift_nanos.clone());
        SkewFound {
            report,
            adjustment,
            bounds,
            shift,
        }
    }
}

type Start<T> = for<'a> fn(&'a Store, &'a Trace) -> Box<dyn Stepped<Output = T> + 'a>;

/// Runs the computation `start` makes for trace `index` in steps, after every change of the
/// model or the trace; its result, or `None` meanwhile (and when `index` is `None`).
#[hook]
fn use_stepped<T: 'static>(
    state: &UseReducerHandle<PageState>,
    index: Option<usize>,
    start: Start<T>,
) -> Option<Shared<T>> {
    let result = use_state(|| None::<Shared<T>>);
    let key = (state.store.clone(), state.traces.clone(), index);
    {
        let result = result.clone();
        use_effect_with(key, move |(store, traces, index)| {
            result.set(None);
            let stopped = Rc::new(Cell::new(false));
            if let Some(index) = *index {
                let (store, traces, stop) = (store.clone(), traces.clone(), stopped.clone());
                yew::platform::spawn_local(async move {
                    let Some(trace) = traces.get(index) else {
                        return;
                    };
                    let mut steps = start(&store, trace);
                    let step = || steps.step(STEP_SPANS);
                    if !in_steps(&stop, "spanorama:analysis-step", step).await {
                        return;
                    }
                    result.set(Some(Shared::new(steps.finish())));
                });
            }
            move || stopped.set(true)
        });
    }
    (*result).clone()
}

/// The critical path of the selected trace while the user shows it.
#[hook]
pub fn use_critical_path(state: &UseReducerHandle<PageState>) -> Option<Shared<CriticalPath>> {
    let index = state
        .show_critical_path
        .then_some(state.selected_trace)
        .flatten();
    use_stepped(state, index, |store, trace| {
        Box::new(CriticalPathBuild::new(store, trace))
    })
}

/// Traces up to this many spans have the errors under each row counted at once.
const ERRORS_AT_ONCE_SPANS: usize = 50_000;

/// The error spans under each row of the selected trace: none for a trace without errors,
/// counted at once for a small one, in steps for a big one (empty until counted, so a big
/// trace is drawn once more when its marks are ready).
#[hook]
pub fn use_errors_below(state: &UseReducerHandle<PageState>) -> Shared<Vec<u32>> {
    let trace = state.selected();
    let failed = trace.is_some_and(|t| t.error_count > 0);
    let small = trace.is_some_and(|t| t.len() <= ERRORS_AT_ONCE_SPANS);
    let key = (
        state.store.clone(),
        state.traces.clone(),
        state.selected_trace.filter(|_| failed && small),
    );
    // One list for as long as the key holds: a new one each render would redraw.
    let at_once = use_memo(key, |(store, traces, index)| {
        let counted = index
            .and_then(|i| traces.get(i))
            .map(|t| errors_below(store, t));
        Shared::new(counted.unwrap_or_default())
    });
    let index = state.selected_trace.filter(|_| failed && !small);
    let stepped = use_stepped(state, index, |store, trace| {
        Box::new(ErrorsBelowBuild::new(store, trace))
    });
    stepped.unwrap_or_else(|| (*at_once).clone())
}

/// The clock skew of the selected trace.
#[hook]
pub fn use_skew(state: &UseReducerHandle<PageState>) -> Option<Shared<SkewFound>> {
    use_stepped(state, state.selected_trace, |store, trace| {
        Box::new(SkewSteps {
            build: SkewBuild::new(store, trace),
            store,
            trace,
        })
    })
}
