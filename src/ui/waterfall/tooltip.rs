//! The hover tooltip over the waterfall: service, operation, duration, self time and its
//! share of the trace, offset, error.

use super::draw::WaterfallSource;
use spanorama_core::model::self_time_nanos;
use spanorama_core::model::units::format_duration;
use spanorama_core::model::StatusCode;
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
        </div>
    }
}
