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

#[test]
fn a_link_reopens_the_same_trace_span_search_window_and_view() {
    let cfg = spanorama_gen::GenConfig {
        seed: 8,
        traces: 4,
        spans_min: 30,
        spans_max: 60,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let load = |state: &AppState| {
        let store = crate::import::import("gen.json", &bytes).unwrap();
        let traces = crate::model::build_traces(&store);
        let services = store.services();
        let model = LoadedModel {
            store,
            traces,
            selected: Some(0),
            services,
        };
        state.reduce(Action::FinishLoading {
            id: 1,
            model: Some(Box::new(model)),
            errors: Vec::new(),
            finished_ms: 1.0,
        })
    };
    // A view: trace 2, its 5th span, a search, the graph.
    let shown = load(&AppState::default()).reduce(Action::SelectTrace(2));
    let span = shown.selected().unwrap().spans[5];
    let shown = shown
        .reduce(Action::SelectSpan(Some(span)))
        .reduce(Action::ShowView(View::Graph));
    let mut link = shown.link();
    assert!(link.query.is_none());
    link.query = Some("service:x".into());
    link.window = Some((10, 20));
    let fragment = link.to_fragment();
    // A fresh page: the link comes first, the data later.
    let fresh = AppState::default().reduce(Action::OpenLink(Link::parse(&fragment)));
    assert_eq!(fresh.view, View::Graph);
    assert!(fresh.pending_link.is_some());
    let opened = load(&fresh);
    assert_eq!(opened.selected_trace, Some(2));
    assert_eq!(opened.selected_span, Some(span));
    assert_eq!(opened.search.query, "service:x");
    let id = opened.selected().unwrap().id;
    assert_eq!(opened.link_window, Some((id, (10, 20))));
    assert!(opened.pending_link.is_none());
    // Its link is the one opened; choosing another trace forgets the window.
    assert_eq!(
        opened.link().to_fragment(),
        Link {
            window: None,
            ..link
        }
        .to_fragment()
    );
    assert_eq!(opened.reduce(Action::SelectTrace(0)).link_window, None);
    // A link to a trace nobody loaded waits; one without a trace changes only the view.
    let missing = opened.reduce(Action::OpenLink(Link::parse("trace=abcdef")));
    assert_eq!(missing.selected_trace, Some(2));
    assert!(missing.pending_link.is_some());
    // A trace is found by its id as a number too: unpadded, or in capitals.
    let other = opened.traces[1].id;
    assert_eq!(opened.trace_index(&format!("{:x}", other.0)), Some(1));
    assert_eq!(opened.trace_index(&format!("{:X}", other.0)), Some(1));
    assert_eq!(opened.trace_index(&format!("{:x}0", other.0 & 0xfff)), None);
    let unpadded = opened.reduce(Action::OpenLink(Link::parse(&format!(
        "trace={:x}",
        other.0
    ))));
    assert_eq!(unpadded.selected_trace, Some(1));
    let view_only = opened.reduce(Action::OpenLink(Link::parse("")));
    assert_eq!(view_only.selected_span, Some(span));
    // Back to a link of the trace alone (the browser's back button): no span selected.
    let trace_only = Link {
        span: None,
        query: None,
        ..opened.link()
    };
    let back = opened.reduce(Action::OpenLink(trace_only));
    assert_eq!((back.selected_trace, back.selected_span), (Some(2), None));
}

#[test]
fn a_statistics_row_shows_its_spans_in_the_waterfall_until_cleared() {
    let state = with_errors().reduce(Action::ShowView(View::Stats));
    assert_eq!(View::from_fragment("view=stats"), Some(View::Stats));
    let filter = SpanFilter {
        label: "cart".into(),
        trace: 0,
        positions: Rc::new(vec![1, 4]),
    };
    let shown = state.reduce(Action::FilterSpans(Some(filter.clone())));
    assert_eq!(shown.view, View::Waterfall);
    assert_eq!(shown.span_filter, Some(filter));
    assert_eq!(shown.reduce(Action::FilterSpans(None)).span_filter, None);
    let grouped = state.reduce(Action::SetStatsGroup(
        crate::model::stats::GroupBy::Operation,
    ));
    assert_eq!(grouped.stats_group, crate::model::stats::GroupBy::Operation);
}
