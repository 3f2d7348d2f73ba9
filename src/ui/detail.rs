//! The span detail panel (HTML, so text can be selected and copied): a failed span's error
//! and exception first, then ids, timing (with self time), status, attributes, resource,
//! scope, events, links and warnings. Trace data is shown as text only.

use super::analysis::SkewFound;
use super::Shared;
use spanorama_core::model::errors::exception_of;
use spanorama_core::model::skew::call_gap;
use spanorama_core::model::units::{format_duration, format_timestamp};
use spanorama_core::model::{
    self_time_nanos, Attr, Span, StatusCode, Store, Trace, TreeWarning, Value, NO_PARENT,
};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub store: Shared<Store>,
    pub traces: Shared<Vec<Trace>>,
    pub trace_index: usize,
    /// Store index of the span shown.
    pub span: u32,
    pub onselect: Callback<Option<u32>>,
    /// Show a service (the span's) in the service graph.
    pub onshowservice: Callback<String>,
    /// Show span (store index) of trace (index): a link's target in another trace.
    pub onshowspan: Callback<(usize, u32)>,
    /// The trace's clock skew (once worked out), and whether spans are shown adjusted.
    pub skew: Option<Shared<SkewFound>>,
    pub adjusting: bool,
}

#[function_component(DetailPanel)]
pub fn detail_panel(props: &DetailProps) -> Html {
    let store = &props.store;
    let (Some(trace), Some(span)) = (
        props.traces.get(props.trace_index),
        store.spans.get(props.span as usize),
    ) else {
        return html! {};
    };
    let shown = Shown {
        store,
        trace,
        span,
        index: props.span,
        pos: trace.position_of(props.span),
    };
    let onclose = {
        let onselect = props.onselect.clone();
        Callback::from(move |_: MouseEvent| onselect.emit(None))
    };
    let show_in_graph = {
        let (on, service) = (
            props.onshowservice.clone(),
            store.strings.get(span.service).to_string(),
        );
        Callback::from(move |_: MouseEvent| on.emit(service.clone()))
    };
    html! {
        <aside id="detail" class="detail" tabindex="-1" aria-label="Span details">
            <div class="detail-head">
                <h2 class="detail-title">{ store.strings.get(span.name).to_string() }</h2>
                <button id="show-in-graph" class="show-in-graph" title="Show this span's service in the service graph"
                    onclick={show_in_graph}>{"Show in graph"}</button>
                <button class="close" title="Close" onclick={onclose}>{"×"}</button>
            </div>
            { shown.failure() }
            { shown.facts(&props.onselect) }
            { shown.call(props.skew.as_deref(), props.adjusting) }
            { shown.warnings() }
            <section class="detail-section">
                <h3>{ format!("Attributes ({})", store.attrs_of(span.attrs).len()) }</h3>
                { attr_table(store, store.attrs_of(span.attrs)) }
            </section>
            { shown.resource() }
            { shown.events() }
            { shown.links(&props.traces, &props.onshowspan) }
        </aside>
    }
}

/// The span shown and where it is.
struct Shown<'a> {
    store: &'a Store,
    trace: &'a Trace,
    span: &'a Span,
    /// Index into `Store::spans`.
    index: u32,
    /// Position in `trace`, if it is in it.
    pos: Option<usize>,
}

impl Shown<'_> {
    /// Name, timing, status, ids, parent, children, file.
    fn facts(&self, onselect: &Callback<Option<u32>>) -> Html {
        let (store, span) = (self.store, self.span);
        let duration = if span.end_unknown() {
            "unknown (no end time)".to_string()
        } else {
            format_duration(span.duration_nanos)
        };
        let offset = span.start_unix_nanos - self.trace.start_unix_nanos;
        let file = store.files.get(span.file as usize);
        html! {
            <dl class="facts">
                <dt>{"Service"}</dt><dd>{ store.strings.get(span.service).to_string() }</dd>
                <dt>{"Operation"}</dt><dd>{ store.strings.get(span.name).to_string() }</dd>
                <dt>{"Duration"}</dt><dd>{ duration }</dd>
                <dt>{"Self time"}</dt><dd id="detail-self-time">{ self.self_time() }</dd>
                <dt>{"Offset"}</dt><dd>{ format!("+{}", format_duration(offset)) }</dd>
                <dt>{"Start"}</dt><dd>{ format_timestamp(span.start_unix_nanos) }</dd>
                <dt>{"Status"}</dt><dd class={classes!((span.status == StatusCode::Error).then_some("error"))}>{ self.status() }</dd>
                <dt>{"Kind"}</dt><dd>{ span.kind.as_str() }</dd>
                <dt>{"Trace ID"}</dt><dd class="mono">{ store.trace_id_display(span.trace_id) }</dd>
                <dt>{"Span ID"}</dt><dd class="mono">{ store.span_id_display(span.span_id) }</dd>
                <dt>{"Parent"}</dt><dd class="mono">{ self.parent(onselect) }</dd>
                <dt>{"Children"}</dt><dd>{ self.children() }</dd>
                if let Some(file) = file {
                    <dt>{"File"}</dt><dd>{ format!("{} ({})", file.name, file.format) }</dd>
                }
            </dl>
        }
    }

    /// Time not spent in children (overlaps counted once), and its share of the trace.
    fn self_time(&self) -> String {
        let own = self
            .pos
            .and_then(|p| self_time_nanos(self.store, self.trace, p as u32));
        match own {
            Some(nanos) => {
                let share = nanos as f64 / self.trace.duration_nanos().max(1) as f64;
                format!(
                    "{} ({:.1} % of the trace)",
                    format_duration(nanos),
                    share * 100.0
                )
            }
            None => "unknown".to_string(),
        }
    }

    /// For one side of a client → server call: the time between the two (network,
    /// queueing), and any clock skew between them and how it is shown.
    fn call(&self, skew: Option<&SkewFound>, adjusting: bool) -> Html {
        let Some(gap) = self
            .pos
            .and_then(|p| call_gap(self.store, self.trace, p as u32))
        else {
            return html! {};
        };
        let name = |pos: u32| {
            let span = self
                .trace
                .spans
                .get(pos as usize)
                .and_then(|&s| self.store.spans.get(s as usize));
            span.map_or_else(String::new, |s| {
                self.store.strings.get(s.service).to_string()
            })
        };
        let skewed = skew.and_then(|s| {
            s.report
                .calls
                .iter()
                .find(|c| c.server_pos == gap.server_pos)
        });
        // Shown adjusted, the server moved against its client by the difference of shifts.
        let moved = skew.filter(|_| adjusting).map_or(0, |s| {
            let a = &s.adjustment;
            a.shift(gap.server_pos)
                .saturating_sub(a.shift(gap.client_pos))
        });
        let (before, after) = (
            gap.before_nanos.saturating_add(moved),
            gap.after_nanos.saturating_sub(moved),
        );
        let skew_text = skewed.map(|c| {
            let shift = format_signed(c.correction_nanos);
            if adjusting {
                format!("Clock skew: the server span is shown moved by {shift} to lie inside its client.")
            } else {
                format!("Clock skew: the server span lies outside its client; adjusting would move it by {shift}.")
            }
        });
        html! {
            <section id="detail-call" class="detail-section">
                <h3>{ format!("Call {} → {}", name(gap.client_pos), name(gap.server_pos)) }</h3>
                <dl class="facts">
                    <dt>{"Before the server"}</dt><dd>{ format_signed(before) }</dd>
                    <dt>{"After the server"}</dt><dd>{ format_signed(after) }</dd>
                </dl>
                <p class="muted">{"Time the client waited outside the server: the request and the response on their way (network, queueing)."}</p>
                if let Some(text) = skew_text {
                    <p class="skew">{ text }</p>
                }
            </section>
        }
    }

    /// A failed span's status message and exception (type, message, stack trace), first.
    fn failure(&self) -> Html {
        if self.span.status != StatusCode::Error {
            return html! {};
        }
        let message = self.store.strings.get(self.span.status_message);
        let exception = exception_of(self.store, self.span).unwrap_or_default();
        html! {
            <section id="detail-error" class="detail-error" role="alert">
                <h3>{"Error"}</h3>
                if !message.is_empty() {
                    <p class="error-status">{ message.to_string() }</p>
                }
                if exception.kind.is_some() || exception.message.is_some() {
                    <p class="exception-head">
                        if let Some(kind) = exception.kind {
                            <span class="exception-type">{ kind }</span>{": "}
                        }
                        { exception.message.unwrap_or_default() }
                    </p>
                }
                if let Some(stack) = exception.stacktrace {
                    <pre class="stacktrace">{ stack }</pre>
                }
            </section>
        }
    }

    /// The status code, with its message if any.
    fn status(&self) -> String {
        let message = self.store.strings.get(self.span.status_message);
        let code = self.span.status.as_str();
        if message.is_empty() {
            code.to_string()
        } else {
            format!("{code}: {message}")
        }
    }

    /// The parent, as a link when it is loaded.
    fn parent(&self, onselect: &Callback<Option<u32>>) -> Html {
        let (store, span) = (self.store, self.span);
        let parent_pos = self
            .pos
            .and_then(|p| self.trace.parent.get(p).copied())
            .filter(|p| *p != NO_PARENT);
        if span.parent_id.is_zero() {
            html! { <span class="muted">{"none (root span)"}</span> }
        } else if let Some(pp) = parent_pos {
            let parent_span = self.trace.spans[pp as usize];
            let onselect = onselect.clone();
            html! {
                <a href="#" class="span-link" onclick={Callback::from(move |e: MouseEvent| { e.prevent_default(); onselect.emit(Some(parent_span)); })}>
                    { store.span_id_display(span.parent_id) }
                </a>
            }
        } else {
            html! { <span>{ store.span_id_display(span.parent_id) }<span class="muted">{" (not in the loaded data)"}</span></span> }
        }
    }

    /// Number of direct children in the trace.
    fn children(&self) -> usize {
        let trace = self.trace;
        self.pos.map_or(0, |p| {
            let end = trace.subtree_end[p] as usize;
            (p + 1..end)
                .filter(|&c| trace.parent[c] as usize == p)
                .count()
        })
    }

    /// The span's import warnings and its tree warnings, if any.
    fn warnings(&self) -> Html {
        let store = self.store;
        let mut warnings: Vec<String> =
            store.warnings_of(self.index).map(|w| w.message()).collect();
        if let Some(p) = self.pos {
            warnings.extend(
                self.trace
                    .warnings_at(p as u32)
                    .map(|w: &TreeWarning| w.message(store)),
            );
        }
        if warnings.is_empty() {
            return html! {};
        }
        html! {
            <section class="detail-section warnings">
                <h3>{"Warnings"}</h3>
                <ul>{ for warnings.into_iter().map(|w| html! { <li>{ w }</li> }) }</ul>
            </section>
        }
    }

    /// The resource (process) and its instrumentation scope.
    fn resource(&self) -> Html {
        let store = self.store;
        let Some(r) = store.resources.get(self.span.resource as usize) else {
            return html! {};
        };
        html! {
            <section class="detail-section">
                <h3>{ format!("Resource / process ({})", store.attrs_of(r.attrs).len()) }</h3>
                { attr_table(store, store.attrs_of(r.attrs)) }
                if !store.strings.get(r.scope_name).is_empty() || r.scope_attrs.len > 0 {
                    <h4>{ format!("Scope: {} {}", store.strings.get(r.scope_name), store.strings.get(r.scope_version)) }</h4>
                    { attr_table(store, store.attrs_of(r.scope_attrs)) }
                }
            </section>
        }
    }

    fn events(&self) -> Html {
        let (store, span) = (self.store, self.span);
        let events = store.events_of(span);
        html! {
            <section class="detail-section">
                <h3>{ format!("Events ({})", events.len()) }</h3>
                { for events.iter().map(|e| html! {
                    <div class="event">
                        <div class="event-head">
                            <span class="event-time">{ format!("+{}", format_duration(e.time_unix_nanos - span.start_unix_nanos)) }</span>
                            <span class="event-name">{ store.strings.get(e.name).to_string() }</span>
                        </div>
                        <div class="event-abs muted">{ format_timestamp(e.time_unix_nanos) }</div>
                        { attr_table(store, store.attrs_of(e.attrs)) }
                    </div>
                }) }
            </section>
        }
    }

    /// Links, with a "show" link to each target that is loaded (in this trace or another).
    fn links(&self, traces: &[Trace], onshow: &Callback<(usize, u32)>) -> Html {
        let store = self.store;
        let links = store.links_of(self.span);
        html! {
            <section class="detail-section">
                <h3>{ format!("Links ({})", links.len()) }</h3>
                { for links.iter().map(|l| {
                    let span = store.spans.iter().position(|s| s.trace_id == l.trace_id && s.span_id == l.span_id);
                    let trace = traces.iter().position(|t| t.id == l.trace_id);
                    let target = span.zip(trace);
                    let onshow = onshow.clone();
                    html! {
                        <div class="link">
                            <div class="mono">{ format!("trace {}", store.trace_id_display(l.trace_id)) }</div>
                            <div class="mono">
                                { format!("span {}", store.span_id_display(l.span_id)) }
                                if let Some((s, t)) = target {
                                    {" "}
                                    <a href="#" class="span-link" onclick={Callback::from(move |e: MouseEvent| { e.prevent_default(); onshow.emit((t, s as u32)); })}>{"show"}</a>
                                }
                            </div>
                            { attr_table(store, store.attrs_of(l.attrs)) }
                        </div>
                    }
                }) }
            </section>
        }
    }
}

fn attr_table(store: &Store, attrs: Vec<Attr>) -> Html {
    if attrs.is_empty() {
        return html! { <div class="muted none">{"none"}</div> };
    }
    html! {
        <table class="attrs">
            { for attrs.iter().map(|a| html! {
                <tr>
                    <th>{ store.strings.get(a.key).to_string() }</th>
                    <td class={classes!(value_class(&a.value))}>{ a.value.display(&store.strings) }</td>
                </tr>
            }) }
        </table>
    }
}

fn value_class(v: &Value) -> &'static str {
    match v {
        Value::Str(_) => "str",
        Value::Int(_) | Value::Float(_) => "num",
        Value::Bool(_) => "bool",
        Value::Bytes(_) | Value::Json(_) => "json",
    }
}

/// A duration that may be negative (clock skew), with its sign.
fn format_signed(nanos: i64) -> String {
    if nanos < 0 {
        format!("−{}", format_duration(nanos.saturating_neg()))
    } else {
        format_duration(nanos)
    }
}
