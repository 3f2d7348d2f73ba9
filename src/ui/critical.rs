//! The critical path of the selected trace while it is shown, worked out in steps of
//! [`CRITICAL_STEP_SPANS`] spans, a task each (`model::CriticalPathBuild`), so a million
//! spans never block the page.

use super::state::PageState;
use super::{Measure, Shared};
use spanorama_core::model::{CriticalPath, CriticalPathBuild};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// Spans looked at per task.
const CRITICAL_STEP_SPANS: usize = 50_000;

/// The critical path of the selected trace when the user shows it; `None` otherwise, and
/// while it is being worked out.
#[hook]
pub fn use_critical_path(state: &UseReducerHandle<PageState>) -> Option<Shared<CriticalPath>> {
    let path = use_state(|| None::<Shared<CriticalPath>>);
    let wanted = state
        .show_critical_path
        .then_some(state.selected_trace)
        .flatten();
    let key = (state.store.clone(), state.traces.clone(), wanted);
    {
        let path = path.clone();
        use_effect_with(key, move |(store, traces, wanted)| {
            path.set(None);
            let stopped = Rc::new(Cell::new(false));
            if let Some(index) = *wanted {
                let (store, traces, stop) = (store.clone(), traces.clone(), stopped.clone());
                yew::platform::spawn_local(async move {
                    let Some(trace) = traces.get(index) else {
                        return;
                    };
                    let mut build = CriticalPathBuild::new(&store, trace);
                    loop {
                        gloo::timers::future::TimeoutFuture::new(0).await;
                        if stop.get() {
                            return;
                        }
                        let _timing = Measure::new("spanorama:critical-path-step");
                        if build.step(CRITICAL_STEP_SPANS) {
                            break;
                        }
                    }
                    path.set(Some(Shared::new(build.finish())));
                });
            }
            move || stopped.set(true)
        });
    }
    (*path).clone()
}
