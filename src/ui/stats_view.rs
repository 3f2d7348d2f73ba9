//! Span statistics (`#stats`): per service, service and operation, or any attribute's
//! value, over all loaded traces or the selected one: spans, errors, total and self time,
//! mean, p50, p95, p99, max. Sortable. A row narrows the trace list to the traces with such
//! spans (all traces) or the waterfall to those spans (the selected trace). Worked out in
//! steps of [`STATS_STEP_SPANS`] spans (`model::stats::StatsBuild`), a task each.

use super::state::{Action, GraphScope, PageState, SpanFilter, TraceFilter};
use super::virtual_table::{aria_row_index, VirtualTable};
use super::{in_steps, Shared};
use spanorama_core::model::stats::{
    sort_stats, spans_in_group, traces_in_group, GroupBy, SpanStats, StatsBuild, StatsColumn,
};
use spanorama_core::model::units::{format_count, format_duration};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// Spans counted per task.
const STATS_STEP_SPANS: usize = 50_000;

const COLUMNS: [(StatsColumn, &str); 10] = [
    (StatsColumn::Label, "Group"),
    (StatsColumn::Count, "Spans"),
    (StatsColumn::Errors, "Errors"),
    (StatsColumn::Total, "Total"),
    (StatsColumn::SelfTime, "Self"),
    (StatsColumn::Mean, "Mean"),
    (StatsColumn::P50, "p50"),
    (StatsColumn::P95, "p95"),
    (StatsColumn::P99, "p99"),
    (StatsColumn::Max, "Max"),
];

#[derive(Properties, PartialEq)]
pub struct StatsViewProps {
    pub state: UseReducerHandle<PageState>,
}

#[function_component(StatsView)]
pub fn stats_view(props: &StatsViewProps) -> Html {
    let state = &props.state;
    let stats = use_stats(state);
    let sort = use_state(|| (StatsColumn::Total, true));
    let sorted = use_memo(
        ((*stats).clone(), *sort),
        |(stats, (column, descending))| {
            let mut list = stats.as_ref().map(|s| (**s).clone()).unwrap_or_default();
            sort_stats(&mut list, *column, *descending);
            list
        },
    );
    html! {
        <div id="stats-view" class="graph-view stats-view">
            { controls(state) }
            { match &*stats {
                None => html! { <div class="graph-building" role="status">{"Counting…"}</div> },
                Some(_) => html! {
                    <VirtualTable id="stats" caption={format!("{} groups", format_count(sorted.len() as u64))}
                        head={header(&sort)} rows={sorted.len()} row={row_callback(state, sorted)} />
                },
            } }
        </div>
    }
}

/// The statistics of what the state scopes, worked out in steps after each change.
#[hook]
fn use_stats(
    state: &UseReducerHandle<PageState>,
) -> UseStateHandle<Option<Shared<Vec<SpanStats>>>> {
    let stats = use_state(|| None::<Shared<Vec<SpanStats>>>);
    let trace = (state.stats_scope == GraphScope::Trace)
        .then_some(state.selected_trace)
        .flatten();
    let key = (
        state.store.clone(),
        state.traces.clone(),
        trace,
        state.stats_group.clone(),
    );
    {
        let stats = stats.clone();
        use_effect_with(key, move |(store, traces, trace, group)| {
            stats.set(None);
            let stopped = Rc::new(Cell::new(false));
            let (store, traces, trace, group, stop) = (
                store.clone(),
                traces.clone(),
                *trace,
                group.clone(),
                stopped.clone(),
            );
            yew::platform::spawn_local(async move {
                let chosen: Vec<_> = match trace {
                    Some(i) => traces.get(i).into_iter().collect(),
                    None => traces.iter().collect(),
                };
                let mut build = StatsBuild::new(&store, chosen, &group);
                if !in_steps(&stop, "spanorama:stats-step", || {
                    build.step(STATS_STEP_SPANS)
                })
                .await
                {
                    return;
                }
                stats.set(Some(Shared::new(build.finish())));
            });
            move || stopped.set(true)
        });
    }
    stats
}

/// Scope (`#stats-scope-all`, `#stats-scope-trace`) and grouping (`#stats-group`, with
/// `#stats-key` for an attribute).
fn controls(state: &UseReducerHandle<PageState>) -> Html {
    let scope = {
        let dispatch = state.dispatcher();
        Callback::from(move |scope: GraphScope| dispatch.dispatch(Action::SetStatsScope(scope)))
    };
    let has_trace = state.selected().is_some();
    let key = match &state.stats_group {
        GroupBy::Attribute(k) => k.clone(),
        _ => String::new(),
    };
    let ongroup = {
        let (dispatch, key) = (state.dispatcher(), key.clone());
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            let group = match select.value().as_str() {
                "operation" => GroupBy::Operation,
                "attribute" => GroupBy::Attribute(if key.is_empty() {
                    "http.route".into()
                } else {
                    key.clone()
                }),
                _ => GroupBy::Service,
            };
            dispatch.dispatch(Action::SetStatsGroup(group));
        })
    };
    let onkey = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let k = input.value().trim().to_string();
                if !k.is_empty() {
                    dispatch.dispatch(Action::SetStatsGroup(GroupBy::Attribute(k)));
                }
            }
        })
    };
    let group = &state.stats_group;
    html! {
        <div class="graph-toolbar">
            { super::panels::scope_switch("stats-scope", "What the statistics cover", state.stats_scope, has_trace, scope) }
            <label>{"Group by "}
                <select id="stats-group" onchange={ongroup}>
                    <option value="service" selected={*group == GroupBy::Service}>{"service"}</option>
                    <option value="operation" selected={*group == GroupBy::Operation}>{"service and operation"}</option>
                    <option value="attribute" selected={matches!(group, GroupBy::Attribute(_))}>{"attribute"}</option>
                </select>
            </label>
            if matches!(group, GroupBy::Attribute(_)) {
                <input id="stats-key" type="text" value={key} placeholder="http.route" aria-label="Attribute key" onchange={onkey} />
            }
        </div>
    }
}

/// Header cells that sort by their column (again: the other way).
fn header(sort: &UseStateHandle<(StatsColumn, bool)>) -> Html {
    let (current, descending) = **sort;
    let cell = |(column, title): (StatsColumn, &'static str)| {
        let sort = sort.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let next = if current == column {
                !descending
            } else {
                column != StatsColumn::Label
            };
            sort.set((column, next));
        });
        let aria = match (current == column, descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        let numeric = column != StatsColumn::Label;
        html! {
            <th aria-sort={aria} class={classes!(numeric.then_some("num"))}>
                <button class="sort" {onclick}>{ title }</button>
            </th>
        }
    };
    html! { <tr>{ for COLUMNS.into_iter().map(cell) }</tr> }
}

fn nanos(n: Option<i64>) -> String {
    n.map_or_else(|| "–".to_string(), format_duration)
}

/// Row `r`: `tr[data-key][data-count][data-errors][data-self-ns]`; clicking narrows the
/// trace list (all traces) or the waterfall (the selected trace) to the group.
fn row_callback(
    state: &UseReducerHandle<PageState>,
    sorted: Rc<Vec<SpanStats>>,
) -> Callback<usize, Html> {
    let state = state.clone();
    Callback::from(move |r: usize| {
        let Some(s) = sorted.get(r) else {
            return html! {};
        };
        let onclick = narrow(&state, s);
        html! {
            <tr key={s.key.clone()} data-key={s.key.clone()} data-count={s.count.to_string()}
                data-errors={s.errors.to_string()} data-self-ns={s.self_nanos.to_string()}
                aria-rowindex={aria_row_index(r)} class={classes!((s.errors > 0).then_some("error"))}>
                <td class="name" title={s.label.clone()}><button class="link" {onclick}>{ s.label.clone() }</button></td>
                <td class="num">{ format_count(s.count) }</td>
                <td class="num">{ format_count(s.errors) }</td>
                <td class="num">{ format_duration(s.total_nanos) }</td>
                <td class="num">{ format_duration(s.self_nanos) }</td>
                <td class="num">{ nanos(s.mean_nanos) }</td>
                <td class="num">{ nanos(s.p50_nanos) }</td>
                <td class="num">{ nanos(s.p95_nanos) }</td>
                <td class="num">{ nanos(s.p99_nanos) }</td>
                <td class="num">{ nanos(s.max_nanos) }</td>
            </tr>
        }
    })
}

/// What a click on a group does: the selected trace's spans of it in the waterfall, or
/// the traces with such spans in the list.
fn narrow(state: &UseReducerHandle<PageState>, s: &SpanStats) -> Callback<MouseEvent> {
    let (state, key, label) = (state.clone(), s.key.clone(), s.label.clone());
    Callback::from(move |_: MouseEvent| {
        let group = &state.stats_group;
        let trace = (state.stats_scope == GraphScope::Trace)
            .then_some(state.selected_trace)
            .flatten();
        let action = match trace.and_then(|i| state.traces.get(i).map(|t| (i, t))) {
            Some((i, t)) => Action::FilterSpans(Some(SpanFilter {
                label: label.clone(),
                trace: i,
                positions: Rc::new(spans_in_group(&state.store, t, group, &key)),
            })),
            None => Action::FilterTraces(Some(TraceFilter {
                label: format!("with spans of {label}"),
                traces: Rc::new(traces_in_group(&state.store, &state.traces, group, &key)),
            })),
        };
        state.dispatch(action);
    })
}
