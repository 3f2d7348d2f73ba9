//! The selected trace: its header (root, facts, search, actions) and its body (the
//! waterfall and, when a span is selected, its detail panel).

use super::analysis::SkewFound;
use super::state::{Action, PageState};
use super::{detail, export, waterfall, Shared};
use spanorama_core::model::units::{
    format_count, format_counted, format_duration, format_timestamp,
};
use spanorama_core::model::{Store, Trace};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TraceViewProps {
    pub state: UseReducerHandle<PageState>,
    /// Told the waterfall's zoom window (ns from the trace's start), for the URL.
    pub onwindow: Callback<Option<(i64, i64)>>,
}

/// The selected trace's view (nothing when no trace is selected).
#[function_component(TraceView)]
pub fn trace_view(props: &TraceViewProps) -> Html {
    let state = &props.state;
    let (Some(index), Some(trace)) = (state.selected_trace, state.selected()) else {
        return html! {};
    };
    let dispatch = |action: fn() -> Action| {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(action()))
    };
    let on_select_span = {
        let dispatch = state.dispatcher();
        Callback::from(move |s: Option<u32>| dispatch.dispatch(Action::SelectSpan(s)))
    };
    let on_toggle = {
        let dispatch = state.dispatcher();
        Callback::from(move |pos: u32| dispatch.dispatch(Action::ToggleRow(pos)))
    };
    let show_in_graph = {
        let dispatch = state.dispatcher();
        Callback::from(move |service: String| {
            dispatch.dispatch(Action::ShowInGraph(service));
        })
    };
    let show_span = {
        let dispatch = state.dispatcher();
        Callback::from(move |(trace, span): (usize, u32)| {
            dispatch.dispatch(Action::ShowSpan { trace, span });
        })
    };
    let critical = super::analysis::use_critical_path(state);
    let skew = super::analysis::use_skew(state);
    let errors_below = super::analysis::use_errors_below(state);
    let adjusted = skew.clone().filter(|_| state.adjust_skew);
    let store = state.store.clone();
    let traces = state.traces.clone();
    html! {
        <div class="trace-view">
            <div class="trace-header">
                { trace_title(&store, trace) }
                <SearchBox search={state.search.clone()} dispatch={state.dispatcher()} only_matches={state.only_matches} />
                <div class="trace-actions">
                    <button id="critical-path" aria-pressed={state.show_critical_path.to_string()}
                        title="Show the chain of spans that decides the trace's duration (c)"
                        onclick={dispatch(|| Action::ToggleCriticalPath)}>{"Critical path"}</button>
                    if trace.error_count > 0 {
                        <button id="prev-error" title="Previous error (E)" onclick={dispatch(|| Action::ErrorStep(-1))}>{"◀ Error"}</button>
                        <button id="next-error" title="Next error (e)" onclick={dispatch(|| Action::ErrorStep(1))}>{"Error ▶"}</button>
                        <button id="collapse-to-errors" title="Fold everything but the paths to failed spans"
                            onclick={dispatch(|| Action::CollapseToErrors)}>{"Collapse to errors"}</button>
                    }
                    { fold_select(state) }
                    <button id="expand-all" onclick={dispatch(|| Action::ExpandAll)}>{"Expand all"}</button>
                    <button id="collapse-all" onclick={dispatch(|| Action::CollapseAll)}>{"Collapse all"}</button>
                    <super::link::CopyLink />
                    <export::ExportButton store={store.clone()} traces={traces.clone()}
                        trace_index={Some(index)} id="export-trace" label="Download OTLP"
                        title="Download this trace as OpenTelemetry OTLP JSON" />
                </div>
            </div>
            { skew_notice(state, skew.as_deref()) }
            { span_filter_line(state, index) }
            <div class="trace-body">
                <waterfall::Waterfall
                    store={store.clone()}
                    traces={traces.clone()}
                    trace_index={index}
                    collapsed={state.collapsed.clone()}
                    palette={state.palette.clone()}
                    selected_span={state.selected_span}
                    matches={state.search.matches.clone()}
                    reveal={state.reveal}
                    onselect={on_select_span.clone()}
                    ontoggle={on_toggle}
                    scheme={state.scheme}
                    {critical}
                    skew={adjusted.clone()}
                    {errors_below}
                    only={only_rows(state, index)}
                    link_window={state.link_window.filter(|w| w.0 == trace.id).map(|w| w.1)}
                    onwindow={props.onwindow.clone()} />
                if let Some(span) = state.selected_span {
                    <detail::DetailPanel
                        store={store.clone()}
                        traces={traces.clone()}
                        trace_index={index}
                        span={span}
                        onselect={on_select_span}
                        onshowservice={show_in_graph}
                        onshowspan={show_span}
                        skew={skew.clone()}
                        adjusting={state.adjust_skew} />
                }
            </div>
        </div>
    }
}

/// Folds the trace at once (`#fold`): to 1–5 levels, or every span shorter than 1 ms,
/// 10 ms or 100 ms. The select goes back to its title after each choice.
fn fold_select(state: &UseReducerHandle<PageState>) -> Html {
    const CHOICES: [(&str, &str); 8] = [
        ("depth:1", "to the roots"),
        ("depth:2", "to 2 levels"),
        ("depth:3", "to 3 levels"),
        ("depth:5", "to 5 levels"),
        ("shorter:100000", "spans under 100 µs"),
        ("shorter:1000000", "spans under 1 ms"),
        ("shorter:10000000", "spans under 10 ms"),
        ("shorter:100000000", "spans under 100 ms"),
    ];
    let dispatch = state.dispatcher();
    let onchange = Callback::from(move |e: Event| {
        let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
            return;
        };
        let value = select.value();
        select.set_value("");
        let action = match value.split_once(':') {
            Some(("depth", n)) => n.parse().ok().map(Action::FoldToDepth),
            Some(("shorter", n)) => n.parse().ok().map(Action::FoldShorterThan),
            _ => None,
        };
        if let Some(action) = action {
            dispatch.dispatch(action);
        }
    });
    html! {
        <select id="fold" aria-label="Fold the trace" title="Fold the trace to a depth, or fold short spans" {onchange}>
            <option value="" selected=true>{"Fold…"}</option>
            { for CHOICES.iter().map(|(value, text)| html! { <option value={*value}>{ *text }</option> }) }
        </select>
    }
}

/// The rows the waterfall is narrowed to: a statistics row's spans, or the search's
/// matches when the user asked for only those.
fn only_rows(state: &PageState, index: usize) -> Option<Shared<Vec<u32>>> {
    match &state.span_filter {
        Some(f) if f.trace == index => Some(Shared(f.positions.clone())),
        _ if state.only_matches && !state.search.query.trim().is_empty() => {
            Some(state.search.matches.clone())
        }
        _ => None,
    }
}

/// What a statistics row narrowed the waterfall to (`#span-filter`), and the way back.
fn span_filter_line(state: &UseReducerHandle<PageState>, index: usize) -> Html {
    let Some(filter) = state.span_filter.as_ref().filter(|f| f.trace == index) else {
        return html! {};
    };
    let dispatch = state.dispatcher();
    let onclick = Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::FilterSpans(None)));
    let text = format!(
        "Showing {}: {}",
        format_counted(filter.positions.len() as u64, "span", "spans"),
        filter.label
    );
    html! {
        <div id="span-filter" class="trace-filter" role="status" data-count={filter.positions.len().to_string()}>
            <span>{ text }</span>
            <button id="span-filter-clear" {onclick}>{"Show all spans"}</button>
        </div>
    }
}

/// When the trace has clock skew: how much, and the switch that adjusts it (`#skew-notice`,
/// `#adjust-skew`). Both ways are honest: off shows the recorded times.
fn skew_notice(state: &UseReducerHandle<PageState>, skew: Option<&SkewFound>) -> Html {
    let Some(found) = skew.filter(|s| !s.report.is_empty()) else {
        return html! {};
    };
    let onchange = {
        let dispatch = state.dispatcher();
        Callback::from(move |_: Event| dispatch.dispatch(Action::ToggleSkewAdjustment))
    };
    let calls = found.report.calls.len();
    let text = if calls == 1 {
        "Clock skew: 1 server span starts before or ends after the client span that called it (their hosts' clocks differ).".to_string()
    } else {
        format!(
            "Clock skew: {} server spans start before or end after the client spans that called them (their hosts' clocks differ).",
            format_count(calls as u64)
        )
    };
    html! {
        <div id="skew-notice" class="skew-notice" role="status" data-calls={calls.to_string()}>
            <span>{ text }</span>
            <label><input id="adjust-skew" type="checkbox" checked={state.adjust_skew} {onchange} />
                {" Adjust: move each into its client, as Zipkin and Jaeger do"}</label>
        </div>
    }
}

/// The root span's service and operation, and the trace's facts.
fn trace_title(store: &Store, trace: &Trace) -> Html {
    html! {
        <>
            <div class="trace-title">
                <span class="service">{ store.strings.get(trace.root_service).to_string() }</span>
                <span class="operation">{ store.strings.get(trace.root_name).to_string() }</span>
            </div>
            <div class="trace-facts">
                <span>{ format!("Trace {}", store.trace_id_display(trace.id)) }</span>
                <span>{ format_timestamp(trace.start_unix_nanos) }</span>
                <span>{ format!("Duration {}", format_duration(trace.duration_nanos())) }</span>
                <span>{ format_counted(trace.len() as u64, "span", "spans") }</span>
                <span>{ format_counted(trace.service_count as u64, "service", "services") }</span>
                <span>{ format!("Depth {}", trace.depth.iter().max().map_or(0, |d| d + 1)) }</span>
                if trace.error_count > 0 {
                    <span class="errors">{ format_counted(trace.error_count as u64, "error", "errors") }</span>
                }
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SearchBoxProps {
    search: super::state::SearchState,
    dispatch: UseReducerDispatcher<PageState>,
    only_matches: bool,
}

/// Find spans in the selected trace: matches are highlighted, Enter / Shift+Enter (or the
/// arrows) select the next / previous one.
#[function_component(SearchBox)]
fn search_box(props: &SearchBoxProps) -> Html {
    let oninput = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                dispatch.dispatch(Action::Search(input.value()));
            }
        })
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                dispatch.dispatch(Action::SearchStep(if e.shift_key() { -1 } else { 1 }));
            }
            "Escape" => dispatch.dispatch(Action::Search(String::new())),
            _ => {}
        })
    };
    let step = |by: i32| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::SearchStep(by)))
    };
    let only = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: Event| dispatch.dispatch(Action::ToggleOnlyMatches))
    };
    let s = &props.search;
    let current = format_count(s.current.map_or(0, |c| c + 1) as u64);
    let count = if s.query.trim().is_empty() {
        String::new()
    } else if s.error.is_some() {
        "no matches".to_string()
    } else if s.counting && s.matches.is_empty() {
        "searching…".to_string()
    } else if s.counting {
        // The first match is shown; the others are still being counted.
        format!("{current} of …")
    } else if s.matches.is_empty() {
        "no matches".to_string()
    } else {
        format!("{current} of {}", format_count(s.matches.len() as u64))
    };
    html! {
        <div class="search" role="search">
            <input id="search-input" type="search" value={s.query.clone()}
                placeholder="Find spans: text, service:cart, op:\"GET /\", key=value, duration>10ms, error, -term"
                title="Free text, or terms: service:… op:… kind:client error key=value key~part duration>250ms; -term excludes; \"quoted phrases\""
                aria-label="Find spans in this trace" aria-invalid={s.error.is_some().to_string()}
                aria-describedby="search-error" {oninput} {onkeydown} />
            <span id="search-count" class="search-count">{ count }</span>
            <button id="search-prev" title="Previous match (Shift+Enter)" disabled={s.matches.is_empty()} onclick={step(-1)}>{"↑"}</button>
            <button id="search-next" title="Next match (Enter)" disabled={s.matches.is_empty()} onclick={step(1)}>{"↓"}</button>
            <label class="only-matches" title="Show only the matching spans and their ancestors">
                <input id="only-matches" type="checkbox" checked={props.only_matches} onchange={only} />{" Only matches"}</label>
            if let Some(error) = &s.error {
                <div id="search-error" class="search-error" role="alert">{ error.clone() }</div>
            }
        </div>
    }
}
