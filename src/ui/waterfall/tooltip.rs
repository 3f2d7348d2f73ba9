//! The hover tooltip over the waterfall: service, operation, duration, self time and its
//! share of the trace, offset, error, and the span's events (the one whose tick is under
//! the pointer first, marked).

use super::draw::WaterfallSource;
use spanorama_core::layout::TimeScale;
use spanorama_core::model::units::format_duration;
use spanorama_core::model::StatusCode;
use spanorama_core::model::{self_time_nanos, Span};
use yew::prelude::*;

/// Mouse position over the canvas.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Hover {
    /// Index into the visible rows.
    pub row: usize,
    /// Canvas position, CSS px.
    pub x_px: f64,
    pub y_px: f64,
}

#[derive(Properties, PartialEq)]
pub struct TooltipProps {
    pub source: WaterfallSource,
    pub hover: Hover,
    /// Time ↔ x of the timeline, to find the event tick under the pointer.
    pub scale: TimeScale,
    /// Width of the waterfall, CSS px: the tooltip stays inside it.
    pub width_px: f64,
}

#[function_component(Tooltip)]
pub fn tooltip(props: &TooltipProps) -> Html {
    let h = props.hover;
    let source = &props.source;
    let store = &source.store;
    let Some((trace, pos, span)) = source.trace().and_then(|trace| {
        let pos = *source.rows.get(h.row)?;
        let index = *trace.spans.get(pos as usize)?;
        Some((trace, pos, store.spans.get(index as usize)?))
    }) else {
        return html! {};
    };
    let left = (h.x_px + 14.0).min(props.width_px - 300.0).max(4.0);
    let top = h.y_px + 16.0;
    let service = store.strings.get(span.service);
    let duration = if span.end_unknown() {
        "no end time".to_string()
    } else {
        format_duration(span.duration_nanos)
    };
    html! {
        <div id="tooltip" class="tooltip" style={format!("left:{left:.0}px;top:{top:.0}px")}>
            <div class="tt-service" style={format!("border-color:{}", source.palette.colour(service))}>
                { service.to_string() }
            </div>
            <div class="tt-name">{ store.strings.get(span.name).to_string() }</div>
            <div class="tt-facts">
                <span>{ duration }</span>
                if let Some(own) = self_time_nanos(store, trace, pos) {
                    <span>{ format!("self {} ({:.0} %)", format_duration(own), own as f64 * 100.0 / trace.duration_nanos().max(1) as f64) }</span>
                }
                <span>{ format!("at +{}", format_duration(span.start_unix_nanos - trace.start_unix_nanos)) }</span>
                if span.status == StatusCode::Error {
                    <span class="error">{"error"}</span>
                }
            </div>
            { events(props, span, pos) }
        </div>
    }
}

/// Events listed in the tooltip at most.
const EVENTS_LISTED: usize = 5;

/// How near the pointer an event's tick must be to be the one pointed at, CSS px.
const EVENT_REACH_PX: f64 = 5.0;

/// The span's events: the one whose tick is under the pointer first (marked), then the
/// others in time order, with their offset into the span.
fn events(props: &TooltipProps, span: &Span, pos: u32) -> Html {
    let store = &props.source.store;
    let all = store.events_of(span);
    if all.is_empty() {
        return html! {};
    }
    let shift = props
        .source
        .skew
        .as_ref()
        .map_or(0, |s| s.adjustment.shift(pos));
    let x = |t: i64| props.scale.px_from_nanos(t.saturating_add(shift));
    let pointed = all
        .iter()
        .enumerate()
        .map(|(i, e)| (i, (x(e.time_unix_nanos) - props.hover.x_px).abs()))
        .filter(|&(_, d)| d <= EVENT_REACH_PX)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    let order = pointed
        .into_iter()
        .chain((0..all.len()).filter(|&i| Some(i) != pointed));
    let line = |i: usize| {
        let e = &all[i];
        let at = format_duration(e.time_unix_nanos.saturating_sub(span.start_unix_nanos));
        let text = format!("{} at +{at}", store.strings.get(e.name));
        html! { <li class={classes!((Some(i) == pointed).then_some("pointed"))}>{ text }</li> }
    };
    let more = all.len().saturating_sub(EVENTS_LISTED);
    html! {
        <ul class="tt-events">
            { for order.take(EVENTS_LISTED).map(line) }
            if more > 0 {
                <li class="more">{ format!("and {more} more (see the details)") }</li>
            }
        </ul>
    }
}
