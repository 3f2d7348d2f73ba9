//! Everything a writer needs about one span beyond its place and time: attributes
//! (OpenTelemetry semantic conventions `http.*`, `rpc.*`, `db.*`, `messaging.*`, plus `app.*`
//! values of every type), events (`exception` on failures), links, the status message, the
//! instrumentation scope, and each service's resource attributes.
//!
//! Values come from a random stream derived from the trace's seed and the span's index, so
//! every output format shows the same values for the same span, and writing a span never
//! depends on which spans were written before it.

use super::catalogue::{Catalogue, Lang, Op, Proto, Service, ServiceKind};
use super::rng::{mix64, Rng};
use super::shape::{Fault, GenSpan, GenTrace, Role, NO_PARENT};
use std::fmt::Write as _;

/// An attribute value as the writers see it.
#[derive(Copy, Clone, PartialEq, Debug)]
pub enum AttrValue<'a> {
    Str(&'a str),
    Int(i64),
    /// A float and how many decimals to print.
    Float(f64, usize),
    Bool(bool),
}

impl AttrValue<'_> {
    /// Jaeger's tag type name.
    pub fn jaeger_type(&self) -> &'static str {
        match self {
            AttrValue::Str(_) => "string",
            AttrValue::Int(_) => "int64",
            AttrValue::Float(..) => "float64",
            AttrValue::Bool(_) => "bool",
        }
    }
}

#[derive(Copy, Clone, Debug)]
enum Val {
    /// Byte range into `Detail::text`.
    Str(u32, u32),
    Int(i64),
    Float(f64, u8),
    Bool(bool),
}

/// A span event: a time, a name and a range of [`Detail`]'s event attributes.
#[derive(Clone, Debug)]
pub struct EventDetail {
    /// Nanoseconds since the Unix epoch.
    pub time_unix_nanos: i64,
    pub name: &'static str,
    attrs: std::ops::Range<usize>,
}

/// A link to another span.
#[derive(Copy, Clone, Debug)]
pub struct LinkDetail {
    pub trace_id: u128,
    pub span_id: u64,
    /// True when the linked span is also the parent (a consumer's producer); Jaeger and
    /// Zipkin writers skip these, their parent reference already says it.
    pub is_parent: bool,
}

/// Reusable buffers describing one span (or one service's resource).
#[derive(Default, Debug)]
pub struct Detail {
    text: String,
    attrs: Vec<(&'static str, Val)>,
    event_attrs: Vec<(&'static str, Val)>,
    pub events: Vec<EventDetail>,
    pub links: Vec<LinkDetail>,
    status: Option<(u32, u32)>,
}

impl Detail {
    fn clear(&mut self) {
        self.text.clear();
        self.attrs.clear();
        self.event_attrs.clear();
        self.events.clear();
        self.links.clear();
        self.status = None;
    }

    fn value<'a>(&'a self, v: &Val) -> AttrValue<'a> {
        match *v {
            Val::Str(a, b) => AttrValue::Str(self.text.get(a as usize..b as usize).unwrap_or("")),
            Val::Int(i) => AttrValue::Int(i),
            Val::Float(f, d) => AttrValue::Float(f, d as usize),
            Val::Bool(b) => AttrValue::Bool(b),
        }
    }

    /// The attributes, in a fixed order.
    pub fn attrs(&self) -> impl Iterator<Item = (&'static str, AttrValue<'_>)> + '_ {
        self.attrs.iter().map(|(k, v)| (*k, self.value(v)))
    }

    /// The attributes of one event.
    pub fn event_attrs<'a>(
        &'a self,
        event: &EventDetail,
    ) -> impl Iterator<Item = (&'static str, AttrValue<'a>)> + 'a {
        self.event_attrs
            .get(event.attrs.clone())
            .unwrap_or(&[])
            .iter()
            .map(|(k, v)| (*k, self.value(v)))
    }

    /// The error message when the span failed.
    pub fn status_message(&self) -> Option<&str> {
        self.status
            .map(|(a, b)| self.text.get(a as usize..b as usize).unwrap_or(""))
    }

    fn text(&mut self, args: std::fmt::Arguments<'_>) -> Val {
        let a = self.text.len() as u32;
        let _ = self.text.write_fmt(args);
        Val::Str(a, self.text.len() as u32)
    }

    fn s(&mut self, key: &'static str, value: &str) {
        let v = self.text(format_args!("{value}"));
        self.attrs.push((key, v));
    }

    fn sf(&mut self, key: &'static str, args: std::fmt::Arguments<'_>) {
        let v = self.text(args);
        self.attrs.push((key, v));
    }

    fn int(&mut self, key: &'static str, value: i64) {
        self.attrs.push((key, Val::Int(value)));
    }

    fn float(&mut self, key: &'static str, value: f64, decimals: u8) {
        self.attrs.push((key, Val::Float(value, decimals)));
    }

    fn bool(&mut self, key: &'static str, value: bool) {
        self.attrs.push((key, Val::Bool(value)));
    }

    fn event(&mut self, time: i64, name: &'static str, attrs: &[(&'static str, Val)]) {
        let from = self.event_attrs.len();
        self.event_attrs.extend_from_slice(attrs);
        self.events.push(EventDetail {
            time_unix_nanos: time,
            name,
            attrs: from..self.event_attrs.len(),
        });
    }
}

const SKUS: &[&str] = &[
    "OLJCESPC7Z",
    "66VCHSJNUP",
    "1YMWWN1N4O",
    "L9ECAV7KIM",
    "2ZYFJ3GM2N",
    "0PUK6V6EV0",
    "LS4PSXUNUM",
    "9SIQT8TOJO",
    "6E92ZMYYFZ",
    "HQTGWGPNH4",
];
const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY", "CAD", "CHF"];
const QUERIES: &[&str] = &[
    "telescope",
    "lens cap",
    "tripod",
    "star chart",
    "binoculars",
    "red flashlight",
];
const CARRIERS: &[&str] = &["ups", "dhl", "fedex", "usps"];
const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
];

/// Values shared by all spans of one trace (one user, one order, one currency).
#[derive(Clone, Debug)]
pub struct TraceContext {
    user: u32,
    session: u64,
    order: u32,
    currency: &'static str,
    sku: &'static str,
    query: &'static str,
    items: i64,
    total_cents: i64,
    user_agent: &'static str,
    client_ip: [u8; 2],
}

impl TraceContext {
    /// The context of `trace`.
    pub fn new(trace: &GenTrace) -> TraceContext {
        let mut r = Rng::derive(trace.seed, u64::MAX);
        TraceContext {
            user: r.range(10_000, 99_999) as u32,
            session: r.next_u64(),
            order: r.next_u64() as u32,
            currency: pick(&mut r, CURRENCIES),
            sku: pick(&mut r, SKUS),
            query: pick(&mut r, QUERIES),
            items: r.range(1, 7) as i64,
            total_cents: r.range(1_999, 149_999) as i64,
            user_agent: pick(&mut r, USER_AGENTS),
            client_ip: [r.range(0, 255) as u8, r.range(1, 254) as u8],
        }
    }
}

fn pick(r: &mut Rng, items: &'static [&'static str]) -> &'static str {
    r.pick(items).copied().unwrap_or("")
}

/// The name of the function that handles an operation, for messages and stack traces:
/// `PlaceOrder` (gRPC), `getProduct` (`GET /product/{id}`), `compute_totals` (in-process),
/// `consumeOrders` (Kafka).
fn handler_name(op: &Op) -> String {
    match op.proto {
        Proto::Grpc { method, .. } => method.to_string(),
        Proto::Http { method, route } => {
            let mut out = method.to_ascii_lowercase();
            let words: Vec<&str> = route
                .split(['/', '-', '_'])
                .filter(|w| !w.is_empty() && !w.starts_with('{'))
                .collect();
            if words.is_empty() {
                out.push_str("Index");
            }
            for w in words {
                let mut chars = w.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            out
        }
        Proto::Consume { topic } | Proto::Produce { topic } => {
            let mut chars = topic.chars();
            let first: String = chars
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            format!("consume{first}{}", chars.as_str())
        }
        Proto::Sql { .. } | Proto::Redis { .. } => "query".to_string(),
        Proto::Internal => op.name.replace(' ', "_"),
    }
}

/// Fills `d` with everything about span `i` of `trace`.
///
/// The random values come from one stream per span, drawn in a fixed order (protocol,
/// application, failure, events, links): the generator's output depends on it.
pub fn describe(cat: &Catalogue, trace: &GenTrace, ctx: &TraceContext, i: usize, d: &mut Detail) {
    d.clear();
    let Some(span) = trace.spans.get(i) else {
        return;
    };
    let mut r = Rng::derive(trace.seed, i as u64);
    let s = Subject::new(cat, trace, ctx, i, span);
    let status = s.protocol_attributes(d, &mut r);
    if matches!(span.role, Role::Server | Role::Consumer) {
        app_attributes(d, &mut r, s.service.name, ctx, s.failed);
    }
    if s.failed {
        s.failure(d, &mut r, status);
    }
    s.ordinary_events(d, &mut r);
    s.links(d, &mut r);
}

/// The span being described, and what the steps of [`describe`] look up about it.
struct Subject<'a> {
    cat: &'a Catalogue,
    trace: &'a GenTrace,
    ctx: &'a TraceContext,
    /// The span's index in the trace.
    i: usize,
    span: &'a GenSpan,
    op: &'a Op,
    service: &'a Service,
    /// The service that serves the operation (the span's own, unless it is a client).
    callee: &'static str,
    failed: bool,
}

/// The HTTP and gRPC status codes a span reported (0 when it did not speak the protocol).
#[derive(Copy, Clone, Default)]
struct Status {
    http: i64,
    grpc: i64,
}

impl<'a> Subject<'a> {
    fn new(
        cat: &'a Catalogue,
        trace: &'a GenTrace,
        ctx: &'a TraceContext,
        i: usize,
        span: &'a GenSpan,
    ) -> Self {
        let op = &cat.ops[span.op as usize];
        Subject {
            cat,
            trace,
            ctx,
            i,
            span,
            op,
            service: &cat.services[span.service as usize],
            callee: cat.services[op.service as usize].name,
            failed: span.fault != Fault::None,
        }
    }

    /// The attributes of the span's protocol and role; returns the status it reported.
    fn protocol_attributes(&self, d: &mut Detail, r: &mut Rng) -> Status {
        let mut status = Status::default();
        match (self.span.role, self.op.proto) {
            (Role::Server, Proto::Http { method, route }) => {
                status.http = self.http_server(d, method, route);
            }
            (Role::Client, Proto::Http { method, route }) => {
                status.http = self.http_client(d, method, route);
            }
            (Role::Server | Role::Client, Proto::Grpc { service, method }) => {
                status.grpc = self.grpc(d, r, service, method);
            }
            (_, Proto::Sql { operation, table }) => self.sql(d, r, operation, table),
            (_, Proto::Redis { command }) => self.redis(d, r, command),
            (Role::Producer, Proto::Produce { topic })
            | (Role::Consumer, Proto::Consume { topic }) => self.kafka(d, r, topic),
            (_, Proto::Internal) => self.internal(d, r),
            _ => {}
        }
        status
    }

    /// The request path of `route`, with the trace's product and user filled in.
    fn path(&self, d: &mut Detail, route: &str) -> Val {
        let ctx = self.ctx;
        d.text(format_args!(
            "{}",
            route
                .replace("{id}", ctx.sku)
                .replace("{productId}", ctx.sku)
                .replace("{userId}", &format!("u-{}", ctx.user))
        ))
    }

    /// An HTTP server span; returns its response status.
    fn http_server(&self, d: &mut Detail, method: &str, route: &str) -> i64 {
        let (ctx, service) = (self.ctx, self.service);
        let http_status = match self.failed {
            false if method == "POST" => 201,
            false => 200,
            true => failure_codes(self.trace, self.i).0,
        };
        d.s("http.request.method", method);
        d.s("http.route", route);
        let p = self.path(d, route);
        d.attrs.push(("url.path", p));
        if service.name == "frontend" && route == "/search" {
            d.sf(
                "url.query",
                format_args!("q={}", ctx.query.replace(' ', "+")),
            );
        }
        d.s("url.scheme", "http");
        d.s("server.address", service.name);
        d.int("server.port", 8080);
        d.s("network.protocol.version", "1.1");
        if service.name == "frontend" {
            d.s("user_agent.original", ctx.user_agent);
            d.sf(
                "client.address",
                format_args!("203.0.{}.{}", ctx.client_ip[0], ctx.client_ip[1]),
            );
        }
        d.int("http.response.status_code", http_status);
        http_status
    }

    /// An HTTP client span; returns the status it got (its server's, or 503 when the
    /// request never got an answer).
    fn http_client(&self, d: &mut Detail, method: &str, route: &str) -> i64 {
        let (trace, i, callee) = (self.trace, self.i, self.callee);
        let http_status = match (self.failed, server_failed(trace, i)) {
            (false, _) if method == "POST" => 201,
            (false, _) => 200,
            (true, true) => failure_codes(trace, i + 1).0,
            (true, false) => 503,
        };
        d.s("http.request.method", method);
        let p = self.path(d, route);
        let full = match p {
            Val::Str(a, b) => d.text.get(a as usize..b as usize).unwrap_or("").to_string(),
            _ => String::new(),
        };
        d.sf("url.full", format_args!("http://{callee}:8080{full}"));
        d.s("server.address", callee);
        d.int("server.port", 8080);
        d.s("peer.service", callee);
        d.s("network.protocol.version", "1.1");
        d.int("http.response.status_code", http_status);
        http_status
    }

    /// A gRPC server or client span; returns its status code (a client's is its server's,
    /// or UNAVAILABLE when no answer came).
    fn grpc(&self, d: &mut Detail, r: &mut Rng, svc: &str, method: &str) -> i64 {
        let (trace, i, callee, role) = (self.trace, self.i, self.callee, self.span.role);
        let grpc_status = match (self.failed, role, server_failed(trace, i)) {
            (false, ..) => 0,
            (true, Role::Client, true) => failure_codes(trace, i + 1).1,
            (true, Role::Client, false) => 14,
            (true, ..) => failure_codes(trace, i).1,
        };
        d.s("rpc.system", "grpc");
        d.s("rpc.service", svc);
        d.s("rpc.method", method);
        d.s("server.address", callee);
        d.int("server.port", 50051);
        if role == Role::Client {
            d.s("peer.service", callee);
        } else {
            d.sf(
                "network.peer.address",
                format_args!("10.0.{}.{}", r.range(0, 15), r.range(2, 250)),
            );
        }
        d.int("rpc.grpc.status_code", grpc_status);
        grpc_status
    }

    /// A PostgreSQL query.
    fn sql(&self, d: &mut Detail, r: &mut Rng, operation: &str, table: &str) {
        d.s("db.system", "postgresql");
        d.s("db.name", "shop");
        d.s("db.user", "shop_app");
        d.s("db.statement", self.op.statement);
        d.s("db.operation", operation);
        d.s("db.sql.table", table);
        d.s("server.address", "postgres");
        d.int("server.port", 5432);
        if operation == "SELECT" && !self.failed {
            d.int("db.response.returned_rows", r.range(0, 50) as i64);
        }
    }

    /// A Redis command, with a key that fits it.
    fn redis(&self, d: &mut Detail, r: &mut Rng, command: &str) {
        let ctx = self.ctx;
        let key = match command {
            "HGETALL" | "DEL" => format!("cart:u-{}", ctx.user),
            "MGET" => format!("price:{} price:{}", ctx.sku, pick(r, SKUS)),
            "SET" => format!("sync:cursor:acct-{:06}", r.range(1, 999_999)),
            "ZINCRBY" => format!("copurchase:{} 1 {}", ctx.sku, pick(r, SKUS)),
            _ => format!("session:{:08x}", ctx.session as u32),
        };
        d.s("db.system", "redis");
        d.s("db.operation", command);
        d.sf("db.statement", format_args!("{command} {key}"));
        d.int("db.redis.database_index", 0);
        d.s("server.address", "redis");
        d.int("server.port", 6379);
        if command == "GET" || command == "MGET" {
            d.bool("app.cache.hit", r.chance(0.8));
        }
    }

    /// A Kafka publish (producer) or process (consumer) span.
    fn kafka(&self, d: &mut Detail, r: &mut Rng, topic: &str) {
        let producer = self.span.role == Role::Producer;
        d.s("messaging.system", "kafka");
        d.s(
            "messaging.operation",
            if producer { "publish" } else { "process" },
        );
        d.s("messaging.destination.name", topic);
        d.int(
            "messaging.kafka.destination.partition",
            r.range(0, 11) as i64,
        );
        d.sf(
            "messaging.message.id",
            format_args!("{:016x}", mix64(self.trace.seed ^ self.span.span_id)),
        );
        d.sf(
            "messaging.kafka.message.key",
            format_args!("ord-{:08x}", self.ctx.order),
        );
        if producer {
            d.int("messaging.message.body.size", r.range(180, 2_400) as i64);
        } else {
            d.s("messaging.kafka.consumer.group", self.service.name);
            d.int(
                "messaging.kafka.message.offset",
                r.range(100_000, 9_000_000) as i64,
            );
        }
    }

    /// An in-process step: where its code is, and what the step works on.
    fn internal(&self, d: &mut Detail, r: &mut Rng) {
        let (op, service) = (self.op, self.service);
        d.sf(
            "code.function",
            format_args!("{}", op.name.replace(' ', "_")),
        );
        d.sf(
            "code.namespace",
            format_args!("shop.{}.handlers", service.name.replace('-', "_")),
        );
        d.int("thread.id", r.range(1, 64) as i64);
        step_attributes(d, r, op.name, self.ctx, self.span);
    }

    /// A failed span's status message, and an `exception` event where the code saw one (its
    /// origin, or any span but a client that only passes on its server's failure).
    fn failure(&self, d: &mut Detail, r: &mut Rng, status: Status) {
        let (span, service) = (self.span, self.service);
        let (kind, message) = error_text(self.cat, span, r, self.ctx, status.http, status.grpc);
        let m = d.text(format_args!("{message}"));
        if let Val::Str(a, b) = m {
            d.status = Some((a, b));
        }
        let origin = span.fault == Fault::Origin;
        if !origin && span.role == Role::Client {
            return;
        }
        let lang = if span.role == Role::Database {
            Lang::Java
        } else {
            service.lang
        };
        let func = handler_name(self.op);
        let stack = stacktrace(lang, service.name, &func, &kind, &message, r);
        let t = d.text(format_args!("{kind}"));
        let m = d.text(format_args!("{message}"));
        let st = d.text(format_args!("{stack}"));
        let at = span.start_unix_nanos + (span.duration_nanos as f64 * r.uniform(0.6, 0.98)) as i64;
        d.event(
            at,
            "exception",
            &[
                ("exception.type", t),
                ("exception.message", m),
                ("exception.stacktrace", st),
                ("exception.escaped", Val::Bool(span.role != Role::Internal)),
            ],
        );
    }

    /// Now and then, an ordinary event on an in-process step: a cache miss, a feature flag,
    /// a retry.
    fn ordinary_events(&self, d: &mut Detail, r: &mut Rng) {
        let (span, service) = (self.span, self.service);
        if span.role != Role::Internal || !r.chance(0.2) {
            return;
        }
        let at = span.start_unix_nanos + (span.duration_nanos as f64 * r.unit()) as i64;
        match r.below(3) {
            0 => {
                let k = d.text(format_args!("{}:u-{}", service.name, self.ctx.user));
                d.event(at, "cache miss", &[("app.cache.key", k)]);
            }
            1 => {
                let k = d.text(format_args!("new-{}-flow", service.name));
                let v = d.text(format_args!("{}", if r.chance(0.5) { "on" } else { "off" }));
                d.event(
                    at,
                    "feature_flag",
                    &[("feature_flag.key", k), ("feature_flag.variant", v)],
                );
            }
            _ => {
                d.event(
                    at,
                    "retry",
                    &[("retry.attempt", Val::Int(r.range(1, 3) as i64))],
                );
            }
        }
    }

    /// Links: a consumer links to the message's producer; now and then work is linked to
    /// the previous request (batching).
    fn links(&self, d: &mut Detail, r: &mut Rng) {
        let (trace, span) = (self.trace, self.span);
        if span.role == Role::Consumer && span.parent != NO_PARENT {
            if let Some(p) = trace.spans.get(span.parent as usize) {
                d.links.push(LinkDetail {
                    trace_id: trace.trace_id,
                    span_id: p.span_id,
                    is_parent: true,
                });
            }
        }
        if span.role == Role::Internal && r.chance(0.01) {
            if let Some((t, s)) = trace.previous {
                d.links.push(LinkDetail {
                    trace_id: t,
                    span_id: s,
                    is_parent: false,
                });
            }
        }
    }
}

const MARKETPLACES: &[&str] = &["amazon", "ebay", "etsy", "walmart", "zalando", "rakuten"];

/// What a step of a loop works on: which marketplace, account, window, page or line item.
fn step_attributes(d: &mut Detail, r: &mut Rng, step: &str, ctx: &TraceContext, span: &GenSpan) {
    match step {
        "sync marketplace" => d.s("app.marketplace", pick(r, MARKETPLACES)),
        "sync seller account" => {
            d.sf(
                "app.seller.account_id",
                format_args!("acct-{:06}", r.range(1, 999_999)),
            );
        }
        "sync time window" => {
            let hour = r.range(0, 3) * 6;
            d.sf(
                "app.sync.window",
                format_args!("2024-05-13T{hour:02}:00:00Z/PT6H"),
            );
        }
        "fetch orders page" => {
            let page = r.range(1, 40) as i64;
            let count = r.range(1, 100) as i64;
            d.int("app.page.number", page);
            d.int("app.page.size", 100);
            d.sf(
                "url.full",
                format_args!(
                    "https://api.{}.example/v3/orders?page={page}&limit=100",
                    pick(r, MARKETPLACES)
                ),
            );
            let at = span.end_unix_nanos() - (span.duration_nanos as f64 * 0.1) as i64;
            d.event(
                at,
                "marketplace.response",
                &[
                    ("http.response.status_code", Val::Int(200)),
                    ("app.orders.count", Val::Int(count)),
                ],
            );
        }
        "map line item" => {
            d.s("app.sku", pick(r, SKUS));
            d.int("app.quantity", r.range(1, 4) as i64);
            d.s("app.currency", ctx.currency);
        }
        _ => {}
    }
}

/// HTTP and gRPC status codes of the failed server span at `index`. A client reports the
/// same codes as its server, so both are derived from the server's index.
fn failure_codes(trace: &GenTrace, index: usize) -> (i64, i64) {
    let mut r = Rng::derive(trace.seed ^ 0xC0DE, index as u64);
    let origin = trace
        .spans
        .get(index)
        .is_some_and(|s| s.fault == Fault::Origin);
    if origin {
        (
            *r.pick(&[500, 503]).unwrap_or(&500),
            *r.pick(&[2, 13, 4, 3]).unwrap_or(&2),
        )
    } else {
        (502, 13)
    }
}

/// Whether the span after client span `index` (its server, in pre-order) failed.
fn server_failed(trace: &GenTrace, index: usize) -> bool {
    trace
        .spans
        .get(index + 1)
        .is_some_and(|s| s.parent as usize == index && s.fault != Fault::None)
}

fn app_attributes(d: &mut Detail, r: &mut Rng, service: &str, ctx: &TraceContext, failed: bool) {
    let total = ctx.total_cents as f64 / 100.0;
    match service {
        "frontend" => {
            d.sf("app.session.id", format_args!("{:016x}", ctx.session));
            d.sf("app.user.id", format_args!("u-{}", ctx.user));
        }
        "api-gateway" => {
            d.int("app.ratelimit.remaining", r.range(0, 1_000) as i64);
        }
        "auth" => {
            d.s("app.auth.method", "jwt");
            d.bool("app.auth.valid", !failed);
        }
        "user" => {
            d.sf("app.user.id", format_args!("u-{}", ctx.user));
            d.s(
                "app.user.tier",
                if ctx.user % 3 == 0 {
                    "gold"
                } else {
                    "standard"
                },
            );
        }
        "cart" => {
            d.sf("app.user.id", format_args!("u-{}", ctx.user));
            d.int("app.cart.items", ctx.items);
            d.float("app.cart.total", total, 2);
        }
        "checkout" => {
            d.sf("app.order.id", format_args!("ord-{:08x}", ctx.order));
            d.int("app.order.items", ctx.items);
            d.float("app.order.total", total, 2);
            d.s("app.order.currency", ctx.currency);
        }
        "payment" => {
            d.float("app.payment.amount", total, 2);
            d.s("app.payment.currency", ctx.currency);
            d.s(
                "app.payment.card_type",
                r.pick(&["visa", "mastercard", "amex"])
                    .copied()
                    .unwrap_or("visa"),
            );
            d.bool("app.payment.charged", !failed);
        }
        "inventory" => {
            d.s("app.inventory.sku", ctx.sku);
            d.int("app.inventory.available", r.range(0, 400) as i64);
        }
        "shipping" => {
            d.s("app.shipping.carrier", pick(r, CARRIERS));
            d.float("app.shipping.cost", r.uniform(4.0, 39.0), 2);
            d.s(
                "app.shipping.zone",
                r.pick(&["domestic", "eu", "intl"])
                    .copied()
                    .unwrap_or("domestic"),
            );
        }
        "recommendation" => {
            d.int("app.recommendation.count", r.range(3, 12) as i64);
            d.float("app.recommendation.top_score", r.uniform(0.5, 0.99), 4);
        }
        "search" => {
            d.s("app.search.query", ctx.query);
            d.int("app.search.results", r.range(0, 120) as i64);
        }
        "pricing" => {
            d.int("app.price.count", ctx.items);
            d.bool("app.price.discount_applied", r.chance(0.3));
        }
        "currency" => {
            d.s("app.currency.from", "USD");
            d.s("app.currency.to", ctx.currency);
            d.float("app.currency.rate", r.uniform(0.7, 1.6), 4);
        }
        "ad" => {
            d.s("app.ads.context", ctx.query);
            d.int("app.ads.count", r.range(0, 3) as i64);
        }
        "review" => {
            d.int("app.reviews.count", r.range(0, 80) as i64);
            d.float("app.reviews.avg_rating", r.uniform(2.5, 5.0), 2);
        }
        "order-sync" => {
            d.sf(
                "app.sync.run_id",
                format_args!("run-{:08x}", ctx.session as u32),
            );
            d.bool("app.sync.dry_run", false);
        }
        "notification" | "email" => {
            d.s(
                "app.email.template",
                r.pick(&["order_confirmation", "shipping_update"])
                    .copied()
                    .unwrap_or(""),
            );
            d.s("app.email.recipient_domain", "example.com");
        }
        _ => {}
    }
}

/// Exception type and message of a failed span.
fn error_text(
    cat: &Catalogue,
    span: &GenSpan,
    r: &mut Rng,
    ctx: &TraceContext,
    http_status: i64,
    grpc_status: i64,
) -> (String, String) {
    let op = &cat.ops[span.op as usize];
    let service = &cat.services[span.service as usize];
    let callee = cat.services[op.service as usize].name;
    let origin = span.fault == Fault::Origin;
    let lang = service.lang;
    match span.role {
        Role::Database if service.kind == ServiceKind::Redis => (
            "io.lettuce.core.RedisCommandTimeoutException".into(),
            pick_str(
                r,
                &[
                    "Command timed out after 1 second(s)",
                    "READONLY You can't write against a read only replica.",
                    "Connection pool exhausted",
                ],
            ),
        ),
        Role::Database => (
            "org.postgresql.util.PSQLException".into(),
            pick_str(
                r,
                &[
                    "ERROR: canceling statement due to statement timeout",
                    "ERROR: deadlock detected",
                    "FATAL: sorry, too many clients already",
                    "ERROR: could not serialize access due to concurrent update",
                ],
            ),
        ),
        Role::Producer => (
            "org.apache.kafka.common.errors.NotEnoughReplicasException".into(),
            format!(
                "Failed to produce to {}: Broker: Not enough in-sync replicas",
                match op.proto {
                    Proto::Produce { topic } => topic,
                    _ => "topic",
                }
            ),
        ),
        Role::Client if origin => (
            exception_type(lang, true).into(),
            format!(
                "dial tcp 10.0.{}.{}:{}: connect: connection refused",
                r.range(0, 15),
                r.range(2, 250),
                if matches!(op.proto, Proto::Grpc { .. }) {
                    50051
                } else {
                    8080
                }
            ),
        ),
        Role::Client => match op.proto {
            Proto::Http { .. } => (
                exception_type(lang, false).into(),
                format!("{callee} responded {http_status} {}", reason(http_status)),
            ),
            _ => (
                exception_type(lang, false).into(),
                format!(
                    "rpc error: code = {} desc = {callee} request failed",
                    grpc_code_name(grpc_status)
                ),
            ),
        },
        _ if origin => (
            exception_type(lang, true).into(),
            origin_message(service.name, ctx, r),
        ),
        _ => (
            exception_type(lang, false).into(),
            format!(
                "{} failed: a downstream call returned an error",
                handler_name(op)
            ),
        ),
    }
}

/// The message of a failure that started in the span's own code: most of the time one
/// particular to the service, where it has one; else a generic one.
fn origin_message(service: &str, ctx: &TraceContext, r: &mut Rng) -> String {
    let specific = match service {
        "payment" => Some("card declined: insufficient funds".to_string()),
        "inventory" => Some(format!("insufficient stock for SKU {}", ctx.sku)),
        "checkout" => Some("order validation failed: shipping address is incomplete".to_string()),
        "currency" => Some(format!("unsupported currency pair USD/{}", ctx.currency)),
        "email" | "notification" => {
            Some("template variable 'customer_name' is undefined".to_string())
        }
        "auth" => Some("token expired".to_string()),
        _ => None,
    };
    match specific {
        Some(m) if r.chance(0.6) => m,
        _ => pick_str(
            r,
            &[
                "context deadline exceeded",
                "invalid argument: quantity must be positive",
                "unexpected end of JSON input",
                "resource temporarily unavailable",
            ],
        ),
    }
}

/// One of `items`, owned.
fn pick_str(r: &mut Rng, items: &[&str]) -> String {
    r.pick(items).copied().unwrap_or("").to_string()
}

fn exception_type(lang: Lang, origin: bool) -> &'static str {
    match (lang, origin) {
        (Lang::Go, true) => "*errors.errorString",
        (Lang::Go, false) => "*status.Error",
        (Lang::Java, true) => "java.lang.IllegalStateException",
        (Lang::Java, false) => "io.grpc.StatusRuntimeException",
        (Lang::Python, true) => "ValueError",
        (Lang::Python, false) => "grpc.RpcError",
        (Lang::Node, true) => "Error",
        (Lang::Node, false) => "FetchError",
        (Lang::DotNet, true) => "System.InvalidOperationException",
        (Lang::DotNet, false) => "Grpc.Core.RpcException",
        (Lang::Rust, true) => "anyhow::Error",
        (Lang::Rust, false) => "tonic::Status",
    }
}

fn reason(status: i64) -> &'static str {
    match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn grpc_code_name(code: i64) -> &'static str {
    match code {
        2 => "Unknown",
        3 => "InvalidArgument",
        4 => "DeadlineExceeded",
        13 => "Internal",
        14 => "Unavailable",
        _ => "Unknown",
    }
}

/// A stack trace in the style of `lang`'s runtime (tabs and newlines included on purpose:
/// writers must escape them).
fn stacktrace(
    lang: Lang,
    service: &str,
    func: &str,
    kind: &str,
    message: &str,
    r: &mut Rng,
) -> String {
    let line = r.range(40, 900);
    let line2 = r.range(20, 400);
    let svc = service.replace('-', "_");
    match lang {
        Lang::Go => format!(
            "goroutine {} [running]:\nmain.(*server).{func}(0xc000{:06x}, {{0x1c2e4a0, 0xc0004d8f30}})\n\t/app/{service}/server.go:{line} +0x{:x}\nmain.main.func1()\n\t/app/{service}/main.go:{line2} +0x2f",
            r.range(20, 400),
            r.range(0, 0xffffff),
            r.range(0x20, 0x3ff)
        ),
        Lang::Java => format!(
            "{kind}: {message}\n\tat com.example.shop.{svc}.Handler.{func}(Handler.java:{line})\n\tat com.example.shop.{svc}.Service.handle(Service.java:{line2})\n\tat io.grpc.stub.ServerCalls$UnaryServerCallHandler$UnaryServerCallListener.onHalfClose(ServerCalls.java:182)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)"
        ),
        Lang::Python => format!(
            "Traceback (most recent call last):\n  File \"/app/{svc}/server.py\", line {line}, in {func}\n    result = handler(request)\n  File \"/app/{svc}/logic.py\", line {line2}, in handler\n    raise {kind}(\"{message}\")\n{kind}: {message}"
        ),
        Lang::Node => format!(
            "{kind}: {message}\n    at {func} (/app/{service}/server.js:{line}:{})\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
            r.range(5, 60)
        ),
        Lang::DotNet => format!(
            "{kind}: {message}\n   at {svc}service.Handlers.{func}(String userId) in /app/src/Handlers.cs:line {line}\n   at Grpc.AspNetCore.Server.Internal.CallHandlers.UnaryServerCallHandler`3.HandleCallAsyncCore(HttpContext httpContext)"
        ),
        Lang::Rust => format!(
            "{message}\n\nStack backtrace:\n   0: {svc}::handlers::{}\n             at ./src/handlers.rs:{line}:{}\n   1: tokio::runtime::task::harness::poll_future\n             at /usr/local/cargo/registry/src/tokio-1.37.0/src/runtime/task/harness.rs:473:19",
            func.to_ascii_lowercase(),
            r.range(5, 60)
        ),
    }
}

/// The instrumentation scope (name, version) that emitted a span.
pub fn scope(cat: &Catalogue, span: &GenSpan) -> (&'static str, &'static str) {
    let op = &cat.ops[span.op as usize];
    let service = &cat.services[span.service as usize];
    match (span.role, op.proto) {
        (Role::Internal, _) => (service_scope(service.name), service.version),
        (_, Proto::Sql { .. }) => ("io.opentelemetry.jdbc", "2.6.0-alpha"),
        (_, Proto::Redis { .. }) => ("io.opentelemetry.lettuce-5.1", "2.6.0-alpha"),
        (_, Proto::Produce { .. }) => ("io.opentelemetry.kafka-clients-2.6", "2.6.0-alpha"),
        (_, Proto::Consume { .. }) => ("opentelemetry.instrumentation.kafka", "0.46b0"),
        (_, Proto::Grpc { .. }) => match service.lang {
            Lang::Go => (
                "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
                "0.53.0",
            ),
            Lang::Java => ("io.opentelemetry.grpc-1.6", "2.6.0-alpha"),
            Lang::Python => ("opentelemetry.instrumentation.grpc", "0.46b0"),
            Lang::Node => ("@opentelemetry/instrumentation-grpc", "0.52.1"),
            Lang::DotNet => (
                "OpenTelemetry.Instrumentation.GrpcNetClient",
                "1.9.0-beta.1",
            ),
            Lang::Rust => ("tonic-tracing-opentelemetry", "0.19.0"),
        },
        _ => match service.lang {
            Lang::Go => (
                "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
                "0.53.0",
            ),
            Lang::Java => ("io.opentelemetry.spring-webmvc-6.0", "2.6.0-alpha"),
            Lang::Python => ("opentelemetry.instrumentation.flask", "0.46b0"),
            Lang::Node => ("@opentelemetry/instrumentation-http", "0.52.1"),
            Lang::DotNet => ("Microsoft.AspNetCore", "8.0.0"),
            Lang::Rust => ("axum-tracing-opentelemetry", "0.19.0"),
        },
    }
}

fn service_scope(service: &str) -> &'static str {
    match service {
        "frontend" => "shop.frontend",
        "api-gateway" => "shop.api-gateway",
        "auth" => "shop.auth",
        "user" => "shop.user",
        "cart" => "shop.cart",
        "checkout" => "shop.checkout",
        "payment" => "shop.payment",
        "inventory" => "shop.inventory",
        "shipping" => "shop.shipping",
        "recommendation" => "shop.recommendation",
        "search" => "shop.search",
        "notification" => "shop.notification",
        "email" => "shop.email",
        "pricing" => "shop.pricing",
        "currency" => "shop.currency",
        "ad" => "shop.ad",
        "review" => "shop.review",
        "order-sync" => "shop.order-sync",
        _ => "shop",
    }
}

/// Fills `d` with the resource attributes of `service` (the same for every trace of a file
/// generated from `seed`). `service.name` comes first.
pub fn describe_resource(cat: &Catalogue, seed: u64, service: u16, d: &mut Detail) {
    d.clear();
    let Some(s) = cat.services.get(service as usize) else {
        return;
    };
    let mut r = Rng::derive(seed ^ 0x5e41_1ce5, service as u64);
    let pod = r.next_u64();
    d.s("service.name", s.name);
    d.s("service.namespace", "shop");
    d.s("service.version", s.version);
    let a = r.next_u64();
    let b = r.next_u64();
    d.sf(
        "service.instance.id",
        format_args!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        ),
    );
    d.s("deployment.environment", "production");
    d.sf(
        "host.name",
        format_args!(
            "{}-{:x}-{}",
            s.name,
            (pod >> 40) & 0xfffff,
            base36(pod & 0xffffff, 5)
        ),
    );
    d.s("k8s.namespace.name", "shop");
    d.int("process.pid", r.range(1, 32_000) as i64);
    d.s("telemetry.sdk.name", "opentelemetry");
    d.s("telemetry.sdk.language", s.lang.sdk_language());
    d.s("telemetry.sdk.version", s.lang.sdk_version());
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_names_read_like_code() {
        let cat = Catalogue::new();
        let name =
            |svc: &str, op: &str| handler_name(&cat.ops[cat.op_index(svc, op).unwrap() as usize]);
        assert_eq!(name("frontend", "GET /product/{id}"), "getProduct");
        assert_eq!(name("frontend", "GET /"), "getIndex");
        assert_eq!(name("frontend", "POST /cart/checkout"), "postCartCheckout");
        assert_eq!(
            name("checkout", "checkout.CheckoutService/PlaceOrder"),
            "PlaceOrder"
        );
        assert_eq!(name("checkout", "compute totals"), "compute_totals");
        assert_eq!(
            name("notification", "kafka.consume orders"),
            "consumeOrders"
        );
    }
}
