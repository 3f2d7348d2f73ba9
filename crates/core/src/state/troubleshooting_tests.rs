//! The reducer's troubleshooting actions: stepping through errors, folding to them, the
//! critical path switch.

use super::*;
use crate::model::errors::error_positions;

/// A loaded generated model whose first trace has errors.
fn with_errors() -> AppState {
    let cfg = spanorama_gen::GenConfig {
        seed: 21,
        traces: 1,
        spans_min: 400,
        spans_max: 400,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = crate::import::import("gen.json", &bytes).unwrap();
    let traces = crate::model::build_traces(&store);
    let services = store.services();
    let model = LoadedModel {
        store,
        traces,
        selected: Some(0),
        services,
    };
    AppState::default().reduce(Action::FinishLoading {
        id: 1,
        model: Some(Box::new(model)),
        errors: Vec::new(),
        finished_ms: 1.0,
    })
}

#[test]
fn next_and_previous_error_select_unfold_and_reveal_them() {
    let state = with_errors().reduce(Action::CollapseAll);
    let trace = state.selected().unwrap().clone();
    let errors = error_positions(&state.store, &trace);
    assert!(
        errors.len() >= 2,
        "the generated trace has errors: {errors:?}"
    );
    let at = |s: &AppState| {
        let span = s.selected_span.unwrap();
        trace.spans.iter().position(|&t| t == span).unwrap() as u32
    };
    let first = state.reduce(Action::ErrorStep(1));
    assert_eq!(at(&first), errors[0]);
    assert_eq!(first.reveal, state.reveal.wrapping_add(1));
    let mut p = trace.parent[errors[0] as usize];
    while p != NO_PARENT {
        assert!(!first.collapsed.contains(&p), "ancestor {p} unfolded");
        p = trace.parent[p as usize];
    }
    let second = first.reduce(Action::ErrorStep(1));
    assert_eq!(at(&second), errors[1]);
    assert_eq!(at(&second.reduce(Action::ErrorStep(-1))), errors[0]);
    // Backwards from the first wraps to the last.
    assert_eq!(
        at(&first.reduce(Action::ErrorStep(-1))),
        *errors.last().unwrap()
    );
}

#[test]
fn collapse_to_errors_leaves_every_error_visible() {
    let state = with_errors().reduce(Action::CollapseToErrors);
    let trace = state.selected().unwrap();
    let rows = crate::layout::visible_rows(trace, &state.collapsed);
    let errors = error_positions(&state.store, trace);
    assert!(errors.iter().all(|e| rows.binary_search(e).is_ok()));
    assert!(rows.len() < trace.len(), "healthy subtrees are folded");
}

#[test]
fn the_critical_path_switch_toggles() {
    let state = with_errors();
    assert!(!state.show_critical_path);
    let on = state.reduce(Action::ToggleCriticalPath);
    assert!(on.show_critical_path);
    assert!(!on.reduce(Action::ToggleCriticalPath).show_critical_path);
}
