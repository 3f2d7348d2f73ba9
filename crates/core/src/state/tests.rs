//! The reducer, action by action, on small generated models.

use super::*;
use crate::model::build_traces;

/// A model of `traces` generated traces of `spans` spans each, as a finished load hands it
/// over (the first trace selected).
fn model(traces: usize, spans: usize, seed: u64) -> LoadedModel {
    let cfg = spanorama_gen::GenConfig {
        seed,
        traces,
        spans_min: spans,
        spans_max: spans,
        ..spanorama_gen::GenConfig::default()
    };
    let (bytes, _) = spanorama_gen::to_bytes(&cfg, spanorama_gen::Format::Otlp).unwrap();
    let store = crate::import::import("gen.json", &bytes).unwrap();
    let traces = build_traces(&store);
    let services = store.services();
    LoadedModel {
        store,
        traces,
        selected: Some(0),
        services,
    }
}

fn start(state: &AppState, id: u32, name: &str) -> AppState {
    state.reduce(Action::StartLoading {
        id,
        sources: vec![name.to_string()],
        started_ms: 100.0,
    })
}

fn finish(state: &AppState, id: u32, model: Option<Box<LoadedModel>>, errors: &[&str]) -> AppState {
    state.reduce(Action::FinishLoading {
        id,
        model,
        errors: errors.iter().map(|e| e.to_string()).collect(),
        finished_ms: 350.0,
    })
}

fn loaded(traces: usize, spans: usize) -> AppState {
    let state = start(&AppState::default(), 1, "a.json");
    finish(&state, 1, Some(Box::new(model(traces, spans, 3))), &[])
}

#[test]
fn a_load_shows_its_model_and_its_time() {
    let state = start(&AppState::default(), 1, "a.json");
    assert_eq!(state.loading.len(), 1);
    let progress = LoadProgress {
        id: 1,
        source: "a.json".into(),
        phase: LoadPhase::Reading,
        done: 10.0,
        total: 20.0,
        spans: 5,
    };
    let state = state.reduce(Action::Progress(progress.clone()));
    assert_eq!(state.loading[0].progress, Some(progress));
    let state = finish(
        &state,
        1,
        Some(Box::new(model(3, 20, 3))),
        &["b.json: not a trace"],
    );
    assert!(state.loading.is_empty());
    assert_eq!(state.traces.len(), 3);
    assert_eq!(state.selected_trace, Some(0));
    assert_eq!(state.last_load_ms, Some(250.0));
    assert_eq!(state.errors, ["b.json: not a trace"]);
    assert!(state.service_count > 1);
}

#[test]
fn progress_of_an_unknown_load_is_ignored() {
    let state = start(&AppState::default(), 1, "a.json");
    let state = state.reduce(Action::Progress(LoadProgress {
        id: 9,
        source: String::new(),
        phase: LoadPhase::Building,
        done: 0.0,
        total: 0.0,
        spans: 0,
    }));
    assert_eq!(state.loading[0].progress, None);
}

#[test]
fn a_failed_or_cancelled_load_keeps_what_was_shown() {
    let shown = loaded(2, 10);
    let state = start(&shown, 2, "b.json");
    let failed = state.reduce(Action::FailLoading {
        id: 2,
        message: "the worker crashed".into(),
    });
    assert_eq!(failed.errors, ["b.json: the worker crashed"]);
    assert!(failed.loading.is_empty());
    assert!(failed.store == shown.store && failed.traces == shown.traces);
    let cancelled = state.reduce(Action::CancelLoading);
    assert!(cancelled.loading.is_empty() && cancelled.errors.is_empty());
    assert!(cancelled.traces == shown.traces);
    let dismissed = failed.reduce(Action::DismissError(0));
    assert!(dismissed.errors.is_empty());
    assert!(dismissed.reduce(Action::DismissError(5)).errors.is_empty());
}

#[test]
fn a_new_model_keeps_the_selected_trace_unless_new_files_bring_one() {
    let state = loaded(3, 10).reduce(Action::SelectTrace(2));
    let id = state.traces[2].id;
    // The same traces again, nothing new selected: the selection follows the trace.
    let mut again = model(3, 10, 3);
    again.selected = None;
    let state = finish(
        &start(&state, 2, "again.json"),
        2,
        Some(Box::new(again)),
        &[],
    );
    assert_eq!(state.selected().map(|t| t.id), Some(id));
    // A model whose load brought a trace: that one is selected.
    let state = finish(
        &start(&state, 3, "new.json"),
        3,
        Some(Box::new(model(2, 10, 8))),
        &[],
    );
    assert_eq!(state.selected_trace, Some(0));
}

#[test]
fn selecting_a_trace_resets_span_selection_and_folds() {
    let state = loaded(2, 30)
        .reduce(Action::SelectSpan(Some(4)))
        .reduce(Action::ToggleRow(0));
    assert_eq!(state.selected_span, Some(4));
    assert!(state.collapsed.contains(&0));
    let other = state.reduce(Action::SelectTrace(1));
    assert_eq!(other.selected_trace, Some(1));
    assert_eq!(other.selected_span, None);
    assert!(other.collapsed.is_empty());
    // Out of range, or the same trace: nothing changes.
    assert_eq!(other.reduce(Action::SelectTrace(7)).selected_trace, Some(1));
    let same = state.reduce(Action::SelectTrace(0));
    assert_eq!(same.selected_span, Some(4));
}

#[test]
fn folds_toggle_collapse_all_and_expand_all() {
    let state = loaded(1, 40);
    let toggled = state.reduce(Action::ToggleRow(3));
    assert!(toggled.collapsed.contains(&3));
    assert!(toggled.reduce(Action::ToggleRow(3)).collapsed.is_empty());
    let all = state.reduce(Action::CollapseAll);
    let trace = all.selected().unwrap();
    let parents = (0..trace.len()).filter(|&p| trace.has_children(p)).count();
    assert_eq!(all.collapsed.len(), parents);
    assert!(all.collapsed.contains(&0));
    assert!(all.reduce(Action::ExpandAll).collapsed.is_empty());
}

#[test]
fn a_search_selects_and_unfolds_its_first_match_and_steps_around() {
    let state = loaded(1, 200).reduce(Action::CollapseAll);
    let trace = state.selected().unwrap().clone();
    let service = state
        .store
        .strings
        .get(state.store.spans[trace.spans[150] as usize].service);
    let state = state.reduce(Action::Search(service.to_string()));
    let matches = state.search.matches.clone();
    assert!(!matches.is_empty());
    assert!(!state.search.counting);
    assert_eq!(state.search.current, Some(0));
    let first = matches[0];
    assert_eq!(state.selected_span, Some(trace.spans[first as usize]));
    // Every ancestor of the match is unfolded.
    let mut p = trace.parent[first as usize];
    while p != NO_PARENT {
        assert!(!state.collapsed.contains(&p), "ancestor {p} still folded");
        p = trace.parent[p as usize];
    }
    let reveal = state.reveal;
    let back = state.reduce(Action::SearchStep(-1));
    assert_eq!(back.search.current, Some(matches.len() - 1));
    assert_eq!(back.reveal, reveal.wrapping_add(1));
    assert_eq!(back.reduce(Action::SearchStep(1)).search.current, Some(0));
    let none = state.reduce(Action::Search("no such text anywhere".into()));
    assert!(none.search.matches.is_empty() && none.search.current.is_none());
    assert!(none.reduce(Action::SearchStep(1)).search.current.is_none());
}

#[test]
fn a_big_trace_is_counted_later_and_stale_counts_are_dropped() {
    let state = loaded(1, SEARCH_AT_ONCE_SPANS + 1_000);
    let state = state.reduce(Action::Search("GET".into()));
    assert!(state.search.counting);
    assert_eq!(state.search.matches.len(), 1);
    let generation = state.search.generation;
    let shown = state.search.matches[0];
    let counted = vec![shown.saturating_sub(1), shown, shown + 1];
    let stale = state.reduce(Action::SearchCounted {
        generation: generation.wrapping_sub(1),
        matches: counted.clone(),
    });
    assert!(stale.search.counting);
    let done = state.reduce(Action::SearchCounted {
        generation,
        matches: counted.clone(),
    });
    assert!(!done.search.counting);
    assert_eq!(*done.search.matches, counted);
    // The match shown stays current.
    assert_eq!(
        done.search.current,
        counted.iter().position(|&m| m == shown)
    );
}

#[test]
fn a_malformed_search_says_why_and_matches_nothing() {
    let state = loaded(1, 200);
    let bad = state.reduce(Action::Search("kind:foo".into()));
    assert_eq!(
        bad.search.error.as_deref(),
        Some(
            "unknown kind \"foo\" (client, server, producer, consumer, internal, unspecified) at 5"
        )
    );
    assert!(bad.search.matches.is_empty() && bad.search.current.is_none());
    let good = bad.reduce(Action::Search("kind:server".into()));
    assert_eq!(good.search.error, None);
    assert!(!good.search.matches.is_empty());
    assert_eq!(good.search.current, Some(0));
    assert_eq!(bad.reduce(Action::Search("  ".into())).search.error, None);
    // With no trace to search, the query is still read.
    let none = AppState::default().reduce(Action::Search("service:".into()));
    assert_eq!(
        none.search.error.as_deref(),
        Some("nothing after \"service:\" at 8")
    );
}

#[test]
fn a_big_trace_counts_a_query_with_terms_but_not_a_malformed_one() {
    let state = loaded(1, SEARCH_AT_ONCE_SPANS + 1_000);
    let bad = state.reduce(Action::Search("kind:client \"GET".into()));
    assert_eq!(bad.search.error.as_deref(), Some("unclosed quote at 12"));
    assert!(!bad.search.counting && bad.search.matches.is_empty());
    let good = bad.reduce(Action::Search("kind:client -error".into()));
    assert_eq!(good.search.error, None);
    assert!(good.search.counting);
    assert_eq!(good.search.matches.len(), 1);
}

#[test]
fn the_view_and_the_graph_scope_are_chosen_and_survive_a_load() {
    let state = loaded(2, 10).reduce(Action::ShowView(View::Graph));
    let state = state.reduce(Action::SetGraphScope(GraphScope::Trace));
    let state = finish(
        &start(&state, 2, "b.json"),
        2,
        Some(Box::new(model(1, 5, 4))),
        &[],
    );
    assert_eq!(
        (state.view, state.graph_scope),
        (View::Graph, GraphScope::Trace)
    );
    assert_eq!(View::from_fragment("#view=graph"), Some(View::Graph));
    assert_eq!(
        View::from_fragment("trace=ab&view=waterfall"),
        Some(View::Waterfall)
    );
    assert_eq!(View::from_fragment("#view=flame"), Some(View::Flame));
    assert_eq!(
        View::from_fragment("#trace=ab&view=trace-graph"),
        Some(View::TraceGraph)
    );
    assert_eq!(View::from_fragment("#view=compare"), Some(View::Compare));
    assert_eq!(View::from_fragment("#view=sunburst"), None);
    assert_eq!(View::from_fragment(""), None);
}

#[test]
fn showing_a_span_selects_its_trace_unfolds_it_and_shows_the_waterfall() {
    let state = loaded(3, 60).reduce(Action::ShowView(View::Graph));
    let trace = state.traces[2].clone();
    let deep = (0..trace.len()).max_by_key(|&p| trace.depth[p]).unwrap();
    let span = trace.spans[deep];
    let state = state
        .reduce(Action::SelectTrace(2))
        .reduce(Action::CollapseAll);
    let reveal = state.reveal;
    let shown = state.reduce(Action::ShowSpan { trace: 2, span });
    assert_eq!(
        (shown.selected_trace, shown.selected_span),
        (Some(2), Some(span))
    );
    assert_eq!(shown.view, View::Waterfall);
    assert_eq!(shown.reveal, reveal.wrapping_add(1));
    let mut p = trace.parent[deep];
    while p != NO_PARENT {
        assert!(!shown.collapsed.contains(&p));
        p = trace.parent[p as usize];
    }
    // A span that is not in that trace changes only the trace.
    let other = state.reduce(Action::ShowSpan { trace: 0, span });
    assert_eq!((other.selected_trace, other.selected_span), (Some(0), None));
}

#[test]
fn show_in_graph_chooses_the_service_node() {
    let state = loaded(1, 10).reduce(Action::ShowInGraph("cart".into()));
    assert_eq!(state.view, View::Graph);
    assert_eq!(
        state.graph_selection,
        Some(GraphSelection::Node("cart".into()))
    );
    let edge = GraphSelection::Edge {
        from: "a".into(),
        to: "b".into(),
    };
    let state = state.reduce(Action::SelectInGraph(Some(edge.clone())));
    assert_eq!(state.graph_selection, Some(edge));
    assert_eq!(
        state.reduce(Action::SelectInGraph(None)).graph_selection,
        None
    );
}

#[test]
fn a_trace_filter_holds_until_cleared_or_a_new_model_comes() {
    let filter = TraceFilter {
        label: "through cart".into(),
        traces: Rc::new(vec![0, 2]),
    };
    let state = loaded(3, 10).reduce(Action::FilterTraces(Some(filter.clone())));
    assert_eq!(state.trace_filter, Some(filter.clone()));
    let state = state.reduce(Action::SelectTrace(1));
    assert_eq!(state.trace_filter, Some(filter.clone()));
    assert_eq!(state.reduce(Action::FilterTraces(None)).trace_filter, None);
    // Its indices are into the traces shown: a new model drops it.
    let state = finish(
        &start(&state, 2, "b.json"),
        2,
        Some(Box::new(model(1, 5, 4))),
        &[],
    );
    assert_eq!(state.trace_filter, None);
}

#[test]
fn the_compared_pair_holds_across_views_until_a_new_model_comes() {
    let state = loaded(3, 10).reduce(Action::ShowView(View::Compare));
    assert_eq!(state.compare, None);
    let state = state.reduce(Action::CompareTraces { a: 2, b: 0 });
    assert_eq!(state.compare, Some((2, 0)));
    // Not traces: ignored.
    assert_eq!(
        state.reduce(Action::CompareTraces { a: 0, b: 3 }).compare,
        Some((2, 0))
    );
    let state = state
        .reduce(Action::ShowView(View::Waterfall))
        .reduce(Action::SelectTrace(1))
        .reduce(Action::ShowView(View::Compare));
    assert_eq!(state.compare, Some((2, 0)));
    assert_eq!(state.link().view, Some(View::Compare));
    // Its indices are into the traces shown: a new model drops it.
    let state = finish(
        &start(&state, 2, "b.json"),
        2,
        Some(Box::new(model(1, 5, 4))),
        &[],
    );
    assert_eq!(state.compare, None);
}
