//! The list of loaded traces (`#trace-list`): root service and operation, start, duration,
//! span, error and service counts. Click a header to sort by it (again: the other way);
//! filter by root service and operation, errors, duration and a span query (traces with a
//! matching span, found in steps; `#trace-list-filters`); a
//! filter from the service graph (the traces through a service) narrows it too, with a
//! line saying so. Virtual: 100,000 traces scroll as smoothly as ten. Clicking a row
//! shows that trace.

use super::latency_chart::LatencyCharts;
use super::state::{Action, PageState};
use super::virtual_table::{aria_row_index, VirtualTable};
use super::Shared;
use spanorama_core::model::query::parse_duration;
use spanorama_core::model::trace_list::{
    filter_traces, list_traces, root_choices, TraceColumn, TraceQuery, TracesMatching,
};
use spanorama_core::model::units::{format_count, format_duration, format_timestamp};
use spanorama_core::model::{Store, Trace};
use spanorama_core::state::TraceFilter;
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TraceListProps {
    pub state: UseReducerHandle<PageState>,
}

const COLUMNS: [(TraceColumn, &str, bool); 6] = [
    (TraceColumn::Root, "Trace", false),
    (TraceColumn::Start, "Start", false),
    (TraceColumn::Duration, "Duration", true),
    (TraceColumn::Spans, "Spans", true),
    (TraceColumn::Errors, "Errors", true),
    (TraceColumn::Services, "Services", true),
];

#[function_component(TraceList)]
pub fn trace_list(props: &TraceListProps) -> Html {
    let state = &props.state;
    let matching = use_traces_matching(state);
    let key = (
        state.store.clone(),
        state.traces.clone(),
        state.trace_filter.clone(),
        state.trace_query.clone(),
        state.trace_sort,
        matching.found.clone(),
    );
    let order = use_memo(key, |(store, traces, filter, query, sort, found)| {
        let among = among(
            filter.as_ref().map(|f| f.traces.as_slice()),
            found.as_deref().map(|f| f.as_slice()),
        );
        list_traces(store, traces, among.as_deref(), query, *sort)
    });
    let charted = use_memo(
        key_without_ranges(state, &matching),
        |(store, traces, filter, query, found)| {
            let among = among(
                filter.as_ref().map(|f| f.traces.as_slice()),
                found.as_deref().map(|f| f.as_slice()),
            )
            .unwrap_or_else(|| (0..traces.len()).collect());
            Shared::new(filter_traces(store, traces, &among, query))
        },
    );
    let longest = state
        .traces
        .iter()
        .map(|t| t.duration_nanos())
        .max()
        .unwrap_or(1)
        .max(1);
    let row = {
        let (store, traces, order) = (state.store.clone(), state.traces.clone(), order.clone());
        let (selected, dispatch) = (state.selected_trace, state.dispatcher());
        Callback::from(move |r: usize| {
            let Some((i, t)) = order.get(r).and_then(|&i| Some((i, traces.get(i)?))) else {
                return html! {};
            };
            let dispatch = dispatch.clone();
            let onselect =
                Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::SelectTrace(i)));
            trace_row(&store, t, r, selected == Some(i), longest, onselect)
        })
    };
    html! {
        <>
            { filter_line(state) }
            <LatencyCharts state={state.clone()} traces={(*charted).clone()} />
            <Filters state={state.clone()} shown={order.len()} matching={(*matching).clone()} />
            <VirtualTable id="trace-list" box_class="trace-list-wrap" class="trace-list" caption=""
                head={header(state)} rows={order.len()} {row} />
        </>
    }
}

type ChartKey = (
    Shared<Store>,
    Shared<Vec<Trace>>,
    Option<TraceFilter>,
    TraceQuery,
    Option<Shared<Vec<usize>>>,
);

/// What the charts' traces depend on: the list's, but the query without its start and
/// duration bounds (the charts draw those as the brush).
fn key_without_ranges(state: &PageState, matching: &Matching) -> ChartKey {
    (
        state.store.clone(),
        state.traces.clone(),
        state.trace_filter.clone(),
        state.trace_query.without_ranges(),
        matching.found.clone(),
    )
}

/// Header cells that sort by their column.
fn header(state: &UseReducerHandle<PageState>) -> Html {
    let sort = state.trace_sort;
    let cell = |(column, title, numeric): (TraceColumn, &'static str, bool)| {
        let dispatch = state.dispatcher();
        let onclick =
            Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::SortTraces(column)));
        let aria = match (sort.column == column, sort.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        html! {
            <th aria-sort={aria} class={classes!(numeric.then_some("num"))} data-column={title.to_lowercase()}>
                <button class="sort" {onclick}>{ title }</button>
            </th>
        }
    };
    html! { <tr>{ for COLUMNS.into_iter().map(cell) }</tr> }
}

fn trace_row(
    store: &Store,
    t: &Trace,
    r: usize,
    selected: bool,
    longest: i64,
    onclick: Callback<MouseEvent>,
) -> Html {
    let share = t.duration_nanos() as f64 / longest as f64 * 100.0;
    let errors = t.error_count > 0;
    html! {
        <tr key={t.id.0.to_string()} class={classes!("trace-row", selected.then_some("selected"), errors.then_some("has-errors"))}
            data-trace-id={t.id.to_string()} data-duration-ns={t.duration_nanos().to_string()}
            aria-rowindex={aria_row_index(r)} {onclick}>
            <td class="trace-name">
                <span class="service">{ store.strings.get(t.root_service).to_string() }</span>
                <span class="operation">{ store.strings.get(t.root_name).to_string() }</span>
                <span class="trace-id">{ store.trace_id_display(t.id) }</span>
            </td>
            <td class="start">{ format_timestamp(t.start_unix_nanos) }</td>
            <td class="num duration">
                <span class="duration-bar" style={format!("width:{share:.1}%")}></span>
                <span class="duration-text">{ format_duration(t.duration_nanos()) }</span>
            </td>
            <td class="num">{ format_count(t.len() as u64) }</td>
            <td class={classes!("num", errors.then_some("errors"))}>{ format_count(t.error_count as u64) }</td>
            <td class="num">{ format_count(t.service_count as u64) }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct FiltersProps {
    state: UseReducerHandle<PageState>,
    /// Traces the list shows.
    shown: usize,
    matching: Matching,
}

/// The traces with a span matching the list's span query: `found` is `None` while they
/// are searched (and when there is no query); `error` says why a query cannot be read.
#[derive(Clone, PartialEq, Default)]
struct Matching {
    found: Option<Shared<Vec<usize>>>,
    error: Option<String>,
    searching: bool,
}

/// Spans tested per task when the list is filtered by a span query.
const MATCH_STEP_SPANS: usize = 100_000;

/// Finds the traces with a span matching the list's span query, in steps.
#[hook]
fn use_traces_matching(state: &UseReducerHandle<PageState>) -> UseStateHandle<Matching> {
    let matching = use_state(Matching::default);
    let key = (
        state.store.clone(),
        state.traces.clone(),
        state.trace_query.spans.clone(),
    );
    {
        let matching = matching.clone();
        use_effect_with(key, move |(store, traces, query)| {
            let stopped = Rc::new(Cell::new(false));
            let Some(query) = query.clone() else {
                matching.set(Matching::default());
                return Box::new(move || stopped.set(true)) as Box<dyn FnOnce()>;
            };
            let (store, traces, stop) = (store.clone(), traces.clone(), stopped.clone());
            yew::platform::spawn_local(async move {
                let mut search = TracesMatching::new(&store, &traces, &query);
                let error = search.error();
                matching.set(Matching {
                    found: None,
                    error: error.clone(),
                    searching: error.is_none(),
                });
                loop {
                    gloo::timers::future::TimeoutFuture::new(0).await;
                    if stop.get() {
                        return;
                    }
                    if search.step(&store, &traces, MATCH_STEP_SPANS) {
                        break;
                    }
                }
                let found = Some(Shared::new(search.finish()));
                matching.set(Matching {
                    found,
                    error,
                    searching: false,
                });
            });
            Box::new(move || stopped.set(true))
        });
    }
    matching
}

/// The traces in both lists (each ascending), or in the one there is.
fn among(a: Option<&[usize]>, b: Option<&[usize]>) -> Option<Vec<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(
            a.iter()
                .copied()
                .filter(|i| b.binary_search(i).is_ok())
                .collect(),
        ),
        (Some(x), None) | (None, Some(x)) => Some(x.to_vec()),
        (None, None) => None,
    }
}

/// Root service, operation, errors only, min and max duration, and the count shown.
#[function_component(Filters)]
fn filters(props: &FiltersProps) -> Html {
    let state = &props.state;
    let q = state.trace_query.clone();
    let choices = use_memo(
        (
            state.store.clone(),
            state.traces.clone(),
            q.root_service.clone(),
        ),
        |(store, traces, service)| root_choices(store, traces, service.as_deref()),
    );
    let set = |change: fn(&mut TraceQuery, String)| {
        let (dispatch, q) = (state.dispatcher(), q.clone());
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| {
                    if i.type_() == "checkbox" {
                        i.checked().to_string()
                    } else {
                        i.value()
                    }
                })
                .or_else(|| {
                    e.target_dyn_into::<web_sys::HtmlSelectElement>()
                        .map(|s| s.value())
                })
                .unwrap_or_default();
            let mut next = q.clone();
            change(&mut next, value);
            dispatch.dispatch(Action::QueryTraces(next));
        })
    };
    let options = |list: &[String], current: &Option<String>, all: &str| {
        html! {
            <>
                <option value="" selected={current.is_none()}>{ all.to_string() }</option>
                { for list.iter().map(|v| html! { <option value={v.clone()} selected={current.as_deref() == Some(v)}>{ v.clone() }</option> }) }
            </>
        }
    };
    let total = state.traces.len();
    html! {
        <div id="trace-list-filters" class="trace-list-filters">
            <select id="trace-filter-service" aria-label="Root service" onchange={set(|q, v| {
                q.root_service = (!v.is_empty()).then_some(v);
                q.operation = None;
            })}>{ options(&choices.0, &q.root_service, "All services") }</select>
            <select id="trace-filter-op" aria-label="Root operation" onchange={set(|q, v| q.operation = (!v.is_empty()).then_some(v))}>
                { options(&choices.1, &q.operation, "All operations") }</select>
            <label><input id="trace-filter-errors" type="checkbox" checked={q.errors_only}
                onchange={set(|q, v| q.errors_only = v == "true")} />{" With errors"}</label>
            <input id="trace-filter-min" type="text" size="8" placeholder="min 250ms" aria-label="Shortest duration"
                value={q.min_nanos.map(format_duration).unwrap_or_default()}
                onchange={set(|q, v| q.min_nanos = parse_duration(&v))} />
            <input id="trace-filter-max" type="text" size="8" placeholder="max 2s" aria-label="Longest duration"
                value={q.max_nanos.map(format_duration).unwrap_or_default()}
                onchange={set(|q, v| q.max_nanos = parse_duration(&v))} />
            <input id="trace-filter-spans" type="search" size="24" placeholder="with spans: service:db error"
                aria-label="Only traces with a span matching" aria-invalid={props.matching.error.is_some().to_string()}
                value={q.spans.clone().unwrap_or_default()}
                onchange={set(|q, v| q.spans = Some(v.trim().to_string()).filter(|v| !v.is_empty()))} />
            if let Some(error) = &props.matching.error {
                <span id="trace-filter-spans-error" class="search-error-inline" role="alert">{ error.clone() }</span>
            }
            <span id="trace-count" class="muted" data-shown={props.shown.to_string()}
                data-searching={props.matching.searching.to_string()}>
                if props.matching.searching {
                    {"searching…"}
                } else {
                    { format!("{} of {} traces", format_count(props.shown as u64), format_count(total as u64)) }
                }
            </span>
            if !q.is_empty() {
                <button id="trace-filters-clear" onclick={
                    let dispatch = state.dispatcher();
                    Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::QueryTraces(TraceQuery::default())))
                }>{"Clear filters"}</button>
            }
        </div>
    }
}

/// What the service graph's filter keeps (`#trace-filter`), and a button to list every
/// trace again (`#trace-filter-clear`).
fn filter_line(state: &UseReducerHandle<PageState>) -> Html {
    let Some(filter) = &state.trace_filter else {
        return html! {};
    };
    let dispatch = state.dispatcher();
    let onclick =
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::FilterTraces(None)));
    html! {
        <div id="trace-filter" class="trace-filter" role="status" data-count={filter.traces.len().to_string()}>
            <span>{ filter_text(filter, state.traces.len()) }</span>
            <button id="trace-filter-clear" {onclick}>{"Show all traces"}</button>
        </div>
    }
}

fn filter_text(filter: &TraceFilter, total: usize) -> String {
    format!(
        "{} of {} traces {}",
        format_count(filter.traces.len() as u64),
        format_count(total as u64),
        filter.label
    )
}
