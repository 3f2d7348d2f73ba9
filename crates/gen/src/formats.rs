//! The three output formats, each written span by span into a [`JsonOut`]:
//!
//! * OTLP JSON (`TracesData`): per trace, one `resourceSpans` entry per service (first
//!   appearance order), one `scopeSpans` per instrumentation scope, spans in the order an SDK
//!   exports them (by end time, so children usually come before their parents). Ids in hex,
//!   times as decimal strings of nanoseconds, `kind` and `status.code` as numbers.
//! * Jaeger query JSON (`{"data": [trace]}`, what `/api/traces` returns): times in
//!   microseconds (start rounded down, end rounded up so a child never leaves its parent by
//!   rounding), parent as a `CHILD_OF` reference, links as `FOLLOWS_FROM`, typed tags,
//!   events as logs, `processes` keyed `p1`, `p2`, … in first-appearance order.
//! * Zipkin v2 JSON (what `POST /api/v2/spans` takes): a flat array of spans, tags as
//!   strings, events as annotations, times in microseconds.

use super::catalogue::Catalogue;
use super::detail::{self, AttrValue, Detail, TraceContext};
use super::json_out::JsonOut;
use super::shape::{Fault, GenTrace, Role};
use std::fmt::Write as _;
use std::io::Write;

/// Per-file state shared by the writers: the catalogue and cached resource attributes.
pub struct Writer<'a> {
    pub cat: &'a Catalogue,
    /// Seed of the file (resources depend on it).
    pub seed: u64,
    resources: Vec<Option<Detail>>,
    detail: Detail,
}

impl<'a> Writer<'a> {
    /// A writer for a file generated from `seed`.
    pub fn new(cat: &'a Catalogue, seed: u64) -> Writer<'a> {
        Writer {
            cat,
            seed,
            resources: (0..cat.services.len()).map(|_| None).collect(),
            detail: Detail::default(),
        }
    }

    fn resource(&mut self, service: u16) -> &Detail {
        let (cat, seed) = (self.cat, self.seed);
        let slot = &mut self.resources[service as usize];
        slot.get_or_insert_with(|| {
            let mut d = Detail::default();
            detail::describe_resource(cat, seed, service, &mut d);
            d
        })
    }
}

/// Services of a trace in order of first appearance.
fn services_in_order(trace: &GenTrace, service_count: usize) -> (Vec<u16>, Vec<u32>) {
    let mut rank = vec![u32::MAX; service_count];
    let mut order = Vec::new();
    for s in &trace.spans {
        let slot = &mut rank[s.service as usize];
        if *slot == u32::MAX {
            *slot = order.len() as u32;
            order.push(s.service);
        }
    }
    (order, rank)
}

fn otlp_value<W: Write>(j: &mut JsonOut<W>, v: AttrValue<'_>) {
    j.begin_object();
    match v {
        AttrValue::Str(s) => j.field_str("stringValue", s),
        AttrValue::Int(i) => {
            j.key("intValue");
            j.i64_string(i);
        }
        AttrValue::Float(f, decimals) => {
            j.key("doubleValue");
            j.f64(f, decimals);
        }
        AttrValue::Bool(b) => {
            j.key("boolValue");
            j.bool(b);
        }
    }
    j.end_object();
}

fn otlp_attrs<'v, W: Write>(
    j: &mut JsonOut<W>,
    attrs: impl Iterator<Item = (&'static str, AttrValue<'v>)>,
) {
    j.key("attributes");
    j.begin_array();
    for (k, v) in attrs {
        j.begin_inline_object();
        j.field_str("key", k);
        j.key("value");
        otlp_value(j, v);
        j.end_object();
    }
    j.end_array();
}

impl Writer<'_> {
    /// Writes the `resourceSpans` entries of one trace (the caller has opened the array).
    pub fn otlp_trace<W: Write>(&mut self, j: &mut JsonOut<W>, trace: &GenTrace) {
        let cat = self.cat;
        let ctx = TraceContext::new(trace);
        let (services, rank) = services_in_order(trace, cat.services.len());
        // Scope of each span as a small index into `scopes`.
        let mut scopes: Vec<(&'static str, &'static str)> = Vec::new();
        let scope_of: Vec<u16> = trace
            .spans
            .iter()
            .map(|s| {
                let sc = detail::scope(cat, s);
                match scopes.iter().position(|x| *x == sc) {
                    Some(i) => i as u16,
                    None => {
                        scopes.push(sc);
                        scopes.len() as u16 - 1
                    }
                }
            })
            .collect();
        let mut order: Vec<u32> = (0..trace.spans.len() as u32).collect();
        order.sort_unstable_by_key(|&i| {
            let s = &trace.spans[i as usize];
            (
                rank[s.service as usize],
                scope_of[i as usize],
                s.end_unix_nanos(),
                i,
            )
        });
        let mut at = 0;
        for &service in &services {
            j.begin_object();
            j.key("resource");
            j.begin_object();
            let res = self.resource(service);
            otlp_attrs(j, res.attrs());
            j.end_object();
            j.key("scopeSpans");
            j.begin_array();
            while at < order.len() && trace.spans[order[at] as usize].service == service {
                let scope = scope_of[order[at] as usize];
                let (name, version) = scopes[scope as usize];
                j.begin_object();
                j.key("scope");
                j.begin_inline_object();
                j.field_str("name", name);
                j.field_str("version", version);
                j.end_object();
                j.key("spans");
                j.begin_array();
                while at < order.len()
                    && trace.spans[order[at] as usize].service == service
                    && scope_of[order[at] as usize] == scope
                {
                    self.otlp_span(j, trace, &ctx, order[at] as usize);
                    at += 1;
                }
                j.end_array();
                j.end_object();
            }
            j.end_array();
            j.field_str("schemaUrl", "https://opentelemetry.io/schemas/1.24.0");
            j.end_object();
        }
    }

    fn otlp_span<W: Write>(
        &mut self,
        j: &mut JsonOut<W>,
        trace: &GenTrace,
        ctx: &TraceContext,
        i: usize,
    ) {
        let s = trace.spans[i];
        let d = &mut self.detail;
        detail::describe(self.cat, trace, ctx, i, d);
        j.begin_object();
        j.key("traceId");
        j.hex(trace.trace_id, 32);
        j.key("spanId");
        j.hex(s.span_id as u128, 16);
        if let Some(p) = trace.spans.get(s.parent as usize) {
            j.key("parentSpanId");
            j.hex(p.span_id as u128, 16);
        }
        j.field_str("name", self.cat.ops[s.op as usize].name);
        j.key("kind");
        j.u64(s.role.otlp_kind() as u64);
        j.key("startTimeUnixNano");
        j.i64_string(s.start_unix_nanos);
        j.key("endTimeUnixNano");
        j.i64_string(s.end_unix_nanos());
        otlp_attrs(j, d.attrs());
        if !d.events.is_empty() {
            j.key("events");
            j.begin_array();
            for e in &d.events {
                j.begin_object();
                j.key("timeUnixNano");
                j.i64_string(e.time_unix_nanos);
                j.field_str("name", e.name);
                otlp_attrs(j, d.event_attrs(e));
                j.end_object();
            }
            j.end_array();
        }
        if !d.links.is_empty() {
            j.key("links");
            j.begin_array();
            for l in &d.links {
                j.begin_inline_object();
                j.key("traceId");
                j.hex(l.trace_id, 32);
                j.key("spanId");
                j.hex(l.span_id as u128, 16);
                j.end_object();
            }
            j.end_array();
        }
        j.key("status");
        j.begin_inline_object();
        if let Some(message) = d.status_message() {
            j.key("code");
            j.u64(2);
            j.field_str("message", message);
        }
        j.end_object();
        j.end_object();
    }

    /// Writes one trace object of Jaeger's `data` array.
    pub fn jaeger_trace<W: Write>(&mut self, j: &mut JsonOut<W>, trace: &GenTrace) {
        let cat = self.cat;
        let ctx = TraceContext::new(trace);
        let (services, rank) = services_in_order(trace, cat.services.len());
        let process_ids: Vec<String> = (1..=services.len()).map(|n| format!("p{n}")).collect();
        let pid = |rank: u32| process_ids.get(rank as usize).map_or("p0", |s| s.as_str());
        j.begin_object();
        j.key("traceID");
        j.hex(trace.trace_id, 32);
        j.key("spans");
        j.begin_array();
        for i in 0..trace.spans.len() {
            let s = trace.spans[i];
            let d = &mut self.detail;
            detail::describe(cat, trace, &ctx, i, d);
            j.begin_object();
            j.key("traceID");
            j.hex(trace.trace_id, 32);
            j.key("spanID");
            j.hex(s.span_id as u128, 16);
            j.key("flags");
            j.u64(1);
            j.field_str("operationName", cat.ops[s.op as usize].name);
            j.key("references");
            j.begin_array();
            if let Some(p) = trace.spans.get(s.parent as usize) {
                jaeger_ref(j, "CHILD_OF", trace.trace_id, p.span_id);
            }
            for l in d.links.iter().filter(|l| !l.is_parent) {
                jaeger_ref(j, "FOLLOWS_FROM", l.trace_id, l.span_id);
            }
            j.end_array();
            let (start_us, duration_us) = micros(s.start_unix_nanos, s.end_unix_nanos());
            j.key("startTime");
            j.i64(start_us);
            j.key("duration");
            j.i64(duration_us);
            j.key("tags");
            j.begin_array();
            let (scope_name, scope_version) = detail::scope(cat, &s);
            jaeger_tag(j, "otel.scope.name", AttrValue::Str(scope_name));
            jaeger_tag(j, "otel.scope.version", AttrValue::Str(scope_version));
            jaeger_tag(j, "span.kind", AttrValue::Str(s.role.kind_name()));
            for (k, v) in d.attrs() {
                jaeger_tag(j, k, v);
            }
            if let Some(message) = d.status_message() {
                jaeger_tag(j, "error", AttrValue::Bool(true));
                jaeger_tag(j, "otel.status_code", AttrValue::Str("ERROR"));
                jaeger_tag(j, "otel.status_description", AttrValue::Str(message));
            }
            j.end_array();
            j.key("logs");
            j.begin_array();
            for e in &d.events {
                j.begin_object();
                j.key("timestamp");
                j.i64(e.time_unix_nanos.div_euclid(1000));
                j.key("fields");
                j.begin_array();
                jaeger_tag(j, "event", AttrValue::Str(e.name));
                for (k, v) in d.event_attrs(e) {
                    jaeger_tag(j, k, v);
                }
                j.end_array();
                j.end_object();
            }
            j.end_array();
            j.key("processID");
            j.string(pid(rank[s.service as usize]));
            j.key("warnings");
            j.null();
            j.end_object();
        }
        j.end_array();
        j.key("processes");
        j.begin_object();
        for (r, &service) in services.iter().enumerate() {
            j.key(pid(r as u32));
            j.begin_object();
            let res = self.resource(service);
            j.field_str("serviceName", cat.services[service as usize].name);
            j.key("tags");
            j.begin_array();
            for (k, v) in res.attrs().filter(|(k, _)| *k != "service.name") {
                jaeger_tag(j, k, v);
            }
            j.end_array();
            j.end_object();
        }
        j.end_object();
        j.key("warnings");
        j.null();
        j.end_object();
    }

    /// Writes the Zipkin v2 spans of one trace (the caller has opened the array).
    pub fn zipkin_trace<W: Write>(&mut self, j: &mut JsonOut<W>, trace: &GenTrace) {
        let cat = self.cat;
        let ctx = TraceContext::new(trace);
        for i in 0..trace.spans.len() {
            let s = trace.spans[i];
            let d = &mut self.detail;
            detail::describe(cat, trace, &ctx, i, d);
            j.begin_object();
            j.key("traceId");
            j.hex(trace.trace_id, 32);
            if let Some(p) = trace.spans.get(s.parent as usize) {
                j.key("parentId");
                j.hex(p.span_id as u128, 16);
            }
            j.key("id");
            j.hex(s.span_id as u128, 16);
            let kind = match s.role {
                Role::Server => Some("SERVER"),
                Role::Client | Role::Database => Some("CLIENT"),
                Role::Producer => Some("PRODUCER"),
                Role::Consumer => Some("CONSUMER"),
                Role::Internal => None,
            };
            if let Some(kind) = kind {
                j.field_str("kind", kind);
            }
            j.field_str("name", &cat.ops[s.op as usize].name.to_ascii_lowercase());
            let (start_us, duration_us) = micros(s.start_unix_nanos, s.end_unix_nanos());
            j.key("timestamp");
            j.i64(start_us);
            j.key("duration");
            j.i64(duration_us);
            let service = &cat.services[s.service as usize];
            j.key("localEndpoint");
            j.begin_inline_object();
            j.field_str("serviceName", service.name);
            j.key("ipv4");
            let ip = format!("10.0.{}.{}", s.service / 8, 10 + s.service % 8 * 20);
            j.string(&ip);
            j.end_object();
            if matches!(s.role, Role::Client | Role::Database | Role::Producer) {
                let callee = cat.services[cat.ops[s.op as usize].service as usize].name;
                let remote = if s.role == Role::Client {
                    callee
                } else {
                    service.name
                };
                j.key("remoteEndpoint");
                j.begin_inline_object();
                j.field_str("serviceName", remote);
                j.end_object();
            }
            if !d.events.is_empty() {
                j.key("annotations");
                j.begin_array();
                for e in &d.events {
                    j.begin_inline_object();
                    j.key("timestamp");
                    j.i64(e.time_unix_nanos.div_euclid(1000));
                    j.field_str("value", e.name);
                    j.end_object();
                }
                j.end_array();
            }
            j.key("tags");
            j.begin_object();
            let mut text = String::new();
            for (k, v) in d.attrs() {
                text.clear();
                let value: &str = match v {
                    AttrValue::Str(s) => s,
                    AttrValue::Int(n) => {
                        let _ = write!(text, "{n}");
                        &text
                    }
                    AttrValue::Float(f, decimals) => {
                        let _ = write!(text, "{f:.decimals$}");
                        &text
                    }
                    AttrValue::Bool(b) => {
                        if b {
                            "true"
                        } else {
                            "false"
                        }
                    }
                };
                j.field_str(k, value);
            }
            let (scope_name, scope_version) = detail::scope(cat, &s);
            j.field_str("otel.scope.name", scope_name);
            j.field_str("otel.scope.version", scope_version);
            if let Some(message) = d.status_message() {
                j.field_str("otel.status_code", "ERROR");
                j.field_str("error", message);
            }
            j.end_object();
            j.end_object();
        }
    }
}

fn jaeger_ref<W: Write>(j: &mut JsonOut<W>, kind: &str, trace_id: u128, span_id: u64) {
    j.begin_inline_object();
    j.field_str("refType", kind);
    j.key("traceID");
    j.hex(trace_id, 32);
    j.key("spanID");
    j.hex(span_id as u128, 16);
    j.end_object();
}

fn jaeger_tag<W: Write>(j: &mut JsonOut<W>, key: &str, v: AttrValue<'_>) {
    j.begin_inline_object();
    j.field_str("key", key);
    j.field_str("type", v.jaeger_type());
    j.key("value");
    match v {
        AttrValue::Str(s) => j.string(s),
        AttrValue::Int(i) => j.i64(i),
        AttrValue::Float(f, decimals) => j.f64(f, decimals),
        AttrValue::Bool(b) => j.bool(b),
    }
    j.end_object();
}

/// Start rounded down and end rounded up to microseconds, as (start, duration).
fn micros(start_nanos: i64, end_nanos: i64) -> (i64, i64) {
    let start = start_nanos.div_euclid(1000);
    let end = (end_nanos + 999).div_euclid(1000);
    (start, end - start)
}

/// Number of failed spans in a trace.
pub fn error_count(trace: &GenTrace) -> usize {
    trace
        .spans
        .iter()
        .filter(|s| s.fault != Fault::None)
        .count()
}
