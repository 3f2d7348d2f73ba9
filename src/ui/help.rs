//! In-page help (`#help`, opened by `#help-open`): which formats open, how to get a trace
//! out of each backend or exporter, and the keyboard shortcuts.

use super::dialog::{use_opening, Dialog, Opening};
use super::shortcuts::shortcut_table;
use yew::prelude::*;

/// What each source writes, and the file Spanorama reads from it.
const FORMATS: &[(&str, &str)] = &[
    ("OpenTelemetry", "OTLP/JSON (resourceSpans), also JSON Lines from the collector's file exporter and Tempo's responses (batches, base64 ids)"),
    ("Jaeger", "the UI's and query API's JSON ({\"data\": [traces]} or one trace), api_v2 / api_v3 protobuf-JSON, dependency links"),
    ("Zipkin", "v2 JSON (a list of spans or of traces) and v1 JSON, dependency links"),
    ("AWS X-Ray", "segment documents, and batch-get-traces / get-trace-graph output"),
    ("Datadog", "agent API traces (v0.3 / v0.4 JSON: a list of traces, each a list of spans)"),
    ("New Relic", "Trace API payloads (newrelic format)"),
];

/// How to get a trace out of each source: (source, how, command or snippet).
const EXPORTS: &[(&str, &str, &str)] = &[
    ("Jaeger", "In Jaeger UI open the trace, then the menu at its top right → “Trace JSON” / “Download JSON”. Or ask the query service:",
        "curl \"$JAEGER/api/traces/<trace-id>\" > trace.json"),
    ("Grafana Tempo", "Ask Tempo's API for JSON (OTLP):",
        "curl -H 'Accept: application/json' \"$TEMPO/api/traces/<trace-id>\" > trace.json"),
    ("Zipkin", "In Zipkin's UI open the trace and press “Download JSON”. Or ask its API:",
        "curl \"$ZIPKIN/api/v2/trace/<trace-id>\" > trace.json"),
    ("AWS X-Ray", "With the AWS CLI:",
        "aws xray batch-get-traces --trace-ids 1-5759e988-bd862e3fe1be46a994272793 > traces.json"),
    ("OpenTelemetry Collector", "Add the file exporter to the traces pipeline; every line it writes is an OTLP/JSON document:",
        "exporters:\n  file:\n    path: ./traces.json\nservice:\n  pipelines:\n    traces:\n      exporters: [file]"),
];

#[derive(Properties, PartialEq)]
pub struct HelpButtonProps {}

/// The toolbar's `#help-open` and, while open, the help.
#[function_component(HelpButton)]
pub fn help_button(_: &HelpButtonProps) -> Html {
    let Opening {
        open,
        toggle,
        close,
    } = use_opening();
    html! {
        <>
            <button id="help-open" class="toolbar-ghost" title="Formats, how to export a trace, keyboard shortcuts"
                onclick={toggle}>{"Help"}</button>
            if open {
                <Dialog id="help" title="Help" class="help" onclose={close}>
                    { help_body() }
                </Dialog>
            }
        </>
    }
}

fn help_body() -> Html {
    html! {
        <>
            <section id="help-formats">
                <h3>{"What opens"}</h3>
                <p>{"Drop files anywhere, use Open files, give a URL, or open one from a tracing backend. The format is recognised from the content; gzip is unpacked. Everything happens in this browser: nothing is uploaded, and nothing is fetched except what you name."}</p>
                <table>
                    { for FORMATS.iter().map(|(source, what)| html! { <tr><th>{ *source }</th><td>{ *what }</td></tr> }) }
                </table>
            </section>
            <section id="help-export">
                <h3>{"Getting a trace out"}</h3>
                { for EXPORTS.iter().map(|(source, how, code)| html! {
                    <div class="help-export" data-source={*source}>
                        <b>{ *source }</b>{" — "}{ *how }
                        <pre><code>{ *code }</code></pre>
                    </div>
                }) }
            </section>
            <section id="help-shortcuts">
                <h3>{"Keyboard shortcuts"}</h3>
                { shortcut_table() }
            </section>
        </>
    }
}
