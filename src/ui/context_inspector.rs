//! The trace-context inspector (`#context-inspector`): paste header lines from a log
//! (`traceparent`, `b3`, `x-b3-*`, `uber-trace-id`, `X-Amzn-Trace-Id`, `x-datadog-*`) or bare
//! values and read them decoded and checked ([`spanorama_core::trace_context`]); a context
//! whose trace is loaded opens it, at the sending span, in one click; one that is not is
//! fetched from the backend in use, if any (`.context-fetch-trace`), and opened there.

use super::dialog::{use_opening, Dialog, Opening};
use super::state::{Action, PageState, View};
use crate::worker::protocol::Source;
use spanorama_core::backend::Backend;
use spanorama_core::state::Link;
use spanorama_core::trace_context::{decode, Decoded};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ContextButtonProps {
    pub state: UseReducerHandle<PageState>,
    /// The backend in use, to fetch traces that are not loaded.
    #[prop_or_default]
    pub backend: Option<Backend>,
    #[prop_or_default]
    pub onload: Callback<Vec<Source>>,
}

/// The toolbar's button (`#context-open`) and, while open, the inspector over the page.
#[function_component(ContextButton)]
pub fn context_button(props: &ContextButtonProps) -> Html {
    let Opening {
        open,
        toggle,
        close,
    } = use_opening();
    html! {
        <>
            <button id="context-open" class="ghost" title="Decode trace-context headers (traceparent, b3, uber-trace-id, X-Amzn-Trace-Id …)"
                onclick={toggle}>{"Trace context"}</button>
            if open {
                <Inspector state={props.state.clone()} onclose={close}
                    backend={props.backend.clone()} onload={props.onload.clone()} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct InspectorProps {
    state: UseReducerHandle<PageState>,
    onclose: Callback<()>,
    backend: Option<Backend>,
    onload: Callback<Vec<Source>>,
}

const PLACEHOLDER: &str = "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n\
X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\n\
uber-trace-id: 4bf92f3577b34da6:00f067aa0ba902b7:0:1";

#[function_component(Inspector)]
fn inspector(props: &InspectorProps) -> Html {
    let text = use_state(String::new);
    let decoded = use_memo((*text).clone(), |t| decode(t));
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                text.set(t.value());
            }
        })
    };
    let input_ref = use_node_ref();
    html! {
        <Dialog id="context-inspector" title="Trace context" class="context-inspector"
            onclose={props.onclose.clone()} focus={input_ref.clone()}>
            <p class="muted">{"Paste header lines or bare values, one per line; B3 and Datadog headers of one request go together."}</p>
            <textarea id="context-input" ref={input_ref} rows="5" spellcheck="false"
                placeholder={PLACEHOLDER} value={(*text).clone()} {oninput} />
            <div id="context-results">
                { for decoded.iter().map(|d| context(d, props)) }
            </div>
        </Dialog>
    }
}

/// One decoded context: its format, whether it is valid, its fields, what is wrong, and the
/// way to its trace.
fn context(d: &Decoded, props: &InspectorProps) -> Html {
    let status = if d.is_valid() {
        "valid".to_string()
    } else {
        format!(
            "{} problem{}",
            d.errors.len(),
            if d.errors.len() == 1 { "" } else { "s" }
        )
    };
    let sampled = d.sampled.map(|s| if s { "sampled" } else { "not sampled" });
    html! {
        <section class="context" data-format={d.format.name()} data-valid={d.is_valid().to_string()}
            data-trace-id={d.trace_id.clone()} data-span-id={d.span_id.clone()}>
            <h3>{ d.format.name() }{" · "}<span class={classes!("context-status", (!d.is_valid()).then_some("bad"))}>{ status }</span>
                { for sampled.map(|s| html! { <span class="muted">{" · "}{ s }</span> }) }</h3>
            if !d.errors.is_empty() {
                <ul class="context-errors">
                    { for d.errors.iter().map(|e| html! { <li class="context-error">{ e }</li> }) }
                </ul>
            }
            <table class="context-fields">
                { for d.fields.iter().map(|(k, v)| html! { <tr><th>{ k }</th><td><code>{ v }</code></td></tr> }) }
            </table>
            { open_trace(d, props) }
        </section>
    }
}

/// "Open trace" when the trace is loaded; else "Fetch from {backend}" with a backend in
/// use, or says it is not loaded.
fn open_trace(d: &Decoded, props: &InspectorProps) -> Html {
    let Some(trace) = d.trace_id.clone() else {
        return html! {};
    };
    let state = &props.state;
    let loaded = state.trace_index(&trace).is_some();
    let link = Link {
        trace: Some(trace.clone()),
        span: d.span_id.clone(),
        view: Some(View::Waterfall),
        ..Link::default()
    };
    // Opened now, or kept by the state until the fetched trace arrives.
    let (dispatch, onclose, onload) = (
        state.dispatcher(),
        props.onclose.clone(),
        props.onload.clone(),
    );
    match &props.backend {
        _ if loaded => {
            let onclick = Callback::from(move |_: MouseEvent| {
                dispatch.dispatch(Action::OpenLink(link.clone()));
                onclose.emit(());
            });
            html! { <button class="context-open-trace primary" {onclick}>{"Open trace"}</button> }
        }
        Some(backend) => {
            let label = format!("Fetch from {}", backend.kind.label());
            let source = backend.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                dispatch.dispatch(Action::OpenLink(link.clone()));
                super::link::set_backend_query(Some((&source, &trace)));
                onload.emit(vec![super::backend_panel::trace_source(&source, &trace)]);
                onclose.emit(());
            });
            html! {
                <button class="context-fetch-trace primary" title={format!("Load trace {} from {}", d.trace_id.clone().unwrap_or_default(), backend.describe())}
                    {onclick}>{ label }</button>
            }
        }
        None => html! {
            <p class="context-missing muted">{ format!("Trace {trace} is not among the loaded traces.") }</p>
        },
    }
}
