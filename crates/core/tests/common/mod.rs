//! The readable rendering of an imported file that the importer snapshots compare
//! (`snapshots.rs`) and the X-Ray tests (`xray.rs`) read: shared so every format is shown the
//! same way.

use spanorama_core::import::import;
use spanorama_core::model::{build_traces, StatusCode, Store};
use std::fmt::Write;

/// What importing `bytes` as `name` gives, in words: the detected format and the model
/// ([`render`]), or `error: ` and the error message when the file is rejected.
#[allow(dead_code)]
pub fn render_import(name: &str, bytes: &[u8]) -> String {
    match import(name, bytes) {
        Ok(store) => render(&store) + &render_dependencies(&store),
        Err(e) => format!("error: {}\n", e.message),
    }
}

/// The model in words: the file's format; each trace, its spans in tree order (indented under
/// their parent), each with its attributes, events, links and warnings; the resources; then
/// the file warnings.
///
/// A span line is `<span id> <name> [<service>] <kind> +<duration ns or "open"> <start ns>`,
/// then ` <status>: <message>` unless the status is unset, then ` (parent <id>)` when the
/// span names a parent that the indentation does not show (it is a root, or hangs elsewhere).
/// Below it: `. key = value` attributes, `event <name> @<ns>`, `link <span id>` (with
/// `in trace <id>` when the link leaves the trace), `! <span warning>` and `tree: <warning>`.
pub fn render(store: &Store) -> String {
    let mut out = String::new();
    let text = |id| store.strings.get(id);
    for file in &store.files {
        let _ = writeln!(out, "format: {}", file.format);
    }
    for trace in build_traces(store) {
        let _ = writeln!(out, "trace {}", store.trace_id_display(trace.id));
        let _ = writeln!(out, "  = {}", trace.id);
        for (pos, &index) in trace.spans.iter().enumerate() {
            let s = &store.spans[index as usize];
            let indent = "  ".repeat(trace.depth[pos] as usize + 1);
            let duration = if s.end_unknown() {
                "open".to_string()
            } else {
                s.duration_nanos.to_string()
            };
            let _ = write!(
                out,
                "{indent}{} {} [{}] {} +{duration} {}",
                store.span_id_display(s.span_id),
                text(s.name),
                text(s.service),
                s.kind.as_str(),
                s.start_unix_nanos,
            );
            if s.status != StatusCode::Unset {
                let _ = write!(out, " {}: {}", s.status.as_str(), text(s.status_message));
            }
            let tree_parent = trace
                .parent
                .get(pos)
                .and_then(|&p| trace.spans.get(p as usize))
                .map(|&p| store.spans[p as usize].span_id);
            if !s.parent_id.is_zero() && tree_parent != Some(s.parent_id) {
                let _ = write!(out, " (parent {})", store.span_id_display(s.parent_id));
            }
            out.push('\n');
            for a in store.attrs_iter(s.attrs) {
                let value = a.value.display(&store.strings).replace('\n', "\\n");
                let _ = writeln!(out, "{indent}  . {} = {value}", text(a.key));
            }
            for e in store.events_of(s) {
                let _ = writeln!(
                    out,
                    "{indent}  event {} @{}",
                    text(e.name),
                    e.time_unix_nanos
                );
                for a in store.attrs_iter(e.attrs) {
                    let value = a.value.display(&store.strings).replace('\n', "\\n");
                    let _ = writeln!(out, "{indent}    . {} = {value}", text(a.key));
                }
            }
            for l in store.links_of(s) {
                let _ = write!(out, "{indent}  link {}", store.span_id_display(l.span_id));
                if l.trace_id != s.trace_id {
                    let _ = write!(out, " in trace {}", store.trace_id_display(l.trace_id));
                }
                out.push('\n');
                for a in store.attrs_iter(l.attrs) {
                    let value = a.value.display(&store.strings).replace('\n', "\\n");
                    let _ = writeln!(out, "{indent}    . {} = {value}", text(a.key));
                }
            }
            for w in store.warnings_of(index) {
                let _ = writeln!(out, "{indent}  ! {}", w.message());
            }
            for (_, w) in trace.warnings.iter().filter(|(p, _)| *p as usize == pos) {
                let _ = writeln!(out, "{indent}  tree: {}", w.message(store));
            }
        }
    }
    for r in &store.resources {
        let attrs: Vec<String> = store
            .attrs_iter(r.attrs)
            .map(|a| format!("{}={}", text(a.key), a.value.display(&store.strings)))
            .collect();
        let line = format!("resource {}: {}", text(r.service), attrs.join(", "));
        let _ = writeln!(out, "{}", line.trim_end());
        let scope = format!("{} {}", text(r.scope_name), text(r.scope_version));
        let scope_attrs: Vec<String> = store
            .attrs_iter(r.scope_attrs)
            .map(|a| format!("{}={}", text(a.key), a.value.display(&store.strings)))
            .collect();
        if !scope.trim().is_empty() || !scope_attrs.is_empty() {
            let line = format!("  scope {}: {}", scope.trim(), scope_attrs.join(", "));
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    for file in &store.files {
        for w in &file.warnings {
            let _ = writeln!(out, "file: {w}");
        }
    }
    // No trailing blanks (an empty status message or value), which editors strip.
    out.lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}

/// A dependency file's links, one a line: `link <parent> -> <child>: <calls> calls`, then
/// ` <errors> errors`, ` p50/p95/p99 <ns>` and ` types <parent>|<child>` where the file gives them.
pub fn render_dependencies(store: &Store) -> String {
    let mut out = String::new();
    let text = |id| store.strings.get(id);
    for d in &store.dependencies {
        let _ = write!(
            out,
            "link {} -> {}: {} calls",
            text(d.parent),
            text(d.child),
            d.calls
        );
        if let Some(errors) = d.errors {
            let _ = write!(out, ", {errors} errors");
        }
        if d.latency_nanos != [0; 3] {
            let [p50, p95, p99] = d.latency_nanos;
            let _ = write!(out, ", p50/p95/p99 {p50}/{p95}/{p99}");
        }
        if !text(d.parent_type).is_empty() || !text(d.child_type).is_empty() {
            let _ = write!(
                out,
                ", types {}|{}",
                text(d.parent_type),
                text(d.child_type)
            );
        }
        out.push('\n');
    }
    out
}
