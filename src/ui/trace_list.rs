//! The list of loaded traces: root service and operation, start, duration, span and error
//! counts. Clicking a row shows that trace. A filter (the traces through a service of the
//! graph) narrows it, with a line saying so and a way back to all of them.

use super::Shared;
use spanorama_core::model::units::{format_count, format_duration, format_timestamp};
use spanorama_core::model::{Store, Trace};
use spanorama_core::state::TraceFilter;
use yew::prelude::*;

/// Rows rendered at most; more traces are summarised in a footer line.
const MAX_ROWS: usize = 2_000;

#[derive(Properties, PartialEq)]
pub struct TraceListProps {
    pub store: Shared<Store>,
    pub traces: Shared<Vec<Trace>>,
    pub selected: Option<usize>,
    pub onselect: Callback<usize>,
    /// Only these traces (`None`: all).
    pub filter: Option<TraceFilter>,
    /// Clears the filter.
    pub onclear: Callback<()>,
}

#[function_component(TraceList)]
pub fn trace_list(props: &TraceListProps) -> Html {
    let store = &props.store;
    let all: Vec<usize>;
    let shown: &[usize] = match &props.filter {
        Some(f) => &f.traces,
        None => {
            all = (0..props.traces.len()).collect();
            &all
        }
    };
    let rows = shown
        .iter()
        .filter_map(|&i| props.traces.get(i).map(|t| (i, t)));
    let longest = props
        .traces
        .iter()
        .map(|t| t.duration_nanos())
        .max()
        .unwrap_or(1)
        .max(1);
    html! {
        <>
        { filter_line(props) }
        <div class="trace-list-wrap">
            <table id="trace-list" class="trace-list">
                <thead>
                    <tr>
                        <th>{"Trace"}</th>
                        <th>{"Start"}</th>
                        <th class="num">{"Duration"}</th>
                        <th class="num">{"Spans"}</th>
                        <th class="num">{"Errors"}</th>
                        <th class="num">{"Services"}</th>
                    </tr>
                </thead>
                <tbody>
                    { for rows.take(MAX_ROWS).map(|(i, t)| {
                        let onselect = props.onselect.clone();
                        let selected = props.selected == Some(i);
                        let share = t.duration_nanos() as f64 / longest as f64 * 100.0;
                        html! {
                            <tr class={classes!("trace-row", selected.then_some("selected"), (t.error_count > 0).then_some("has-errors"))}
                                data-trace-id={t.id.to_string()}
                                onclick={Callback::from(move |_| onselect.emit(i))}>
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
                                <td class={classes!("num", (t.error_count > 0).then_some("errors"))}>{ format_count(t.error_count as u64) }</td>
                                <td class="num">{ format_count(t.service_count as u64) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if shown.len() > MAX_ROWS {
                <div class="more">{ format!("Showing the first {} of {} traces", format_count(MAX_ROWS as u64), format_count(shown.len() as u64)) }</div>
            }
        </div>
        </>
    }
}

/// What the filter keeps (`#trace-filter`), and a button to list every trace again
/// (`#trace-filter-clear`).
fn filter_line(props: &TraceListProps) -> Html {
    let Some(filter) = &props.filter else {
        return html! {};
    };
    let onclear = props.onclear.clone();
    let onclick = Callback::from(move |_: MouseEvent| onclear.emit(()));
    let text = format!(
        "{} of {} traces {}",
        format_count(filter.traces.len() as u64),
        format_count(props.traces.len() as u64),
        filter.label
    );
    html! {
        <div id="trace-filter" class="trace-filter" role="status" data-count={filter.traces.len().to_string()}>
            <span>{ text }</span>
            <button id="trace-filter-clear" onclick={onclick}>{"Show all traces"}</button>
        </div>
    }
}
