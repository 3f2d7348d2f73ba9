//! Tracing backends as data sources: Jaeger's query service, Grafana Tempo and Zipkin,
//! read from the page over their HTTP query APIs. Here: which backend (`jaeger:<base-url>`,
//! as in the page's `?backend=` parameter), the URL of every endpoint the page uses (ids
//! and query values percent-encoded, durations in each API's unit), parsers of their small
//! JSON answers (names, Tempo's search summaries) and the texts that say why a request
//! failed. The page fetches; nothing here touches the network.
//!
//! | | trace by id | search | names | dependencies |
//! |---|---|---|---|---|
//! | Jaeger | `/api/traces/{id}`, then `/api/v3/traces/{id}` on 404 | `/api/traces?service=…` (durations as Go durations, times µs) | `/api/services`, `/api/services/{s}/operations` | `/api/dependencies?endTs=&lookback=` (ms) |
//! | Tempo | `/api/traces/{id}` (`Accept: application/json`) | `/api/search?tags=…` or `q=` TraceQL (Go durations, times s) | `/api/search/tag/service.name/values` | — |
//! | Zipkin | `/api/v2/trace/{id}` | `/api/v2/traces?serviceName=…` (durations µs, times ms) | `/api/v2/services`, `/api/v2/spans?serviceName=` | `/api/v2/dependencies?endTs=&lookback=` (ms) |

use crate::model::query::parse_duration;
use crate::url::encode as escape;
use serde_json::Value;

/// Which query API a backend speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BackendKind {
    Jaeger,
    Tempo,
    Zipkin,
}

impl BackendKind {
    pub const ALL: [BackendKind; 3] =
        [BackendKind::Jaeger, BackendKind::Tempo, BackendKind::Zipkin];

    /// The name in links and settings: `jaeger`, `tempo`, `zipkin`.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "jaeger",
            BackendKind::Tempo => "tempo",
            BackendKind::Zipkin => "zipkin",
        }
    }

    /// The name people read: `Jaeger`, `Tempo`, `Zipkin`.
    pub fn label(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "Jaeger",
            BackendKind::Tempo => "Tempo",
            BackendKind::Zipkin => "Zipkin",
        }
    }

    /// From [`BackendKind::name`], any case.
    pub fn from_name(name: &str) -> Option<BackendKind> {
        BackendKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }

    /// What to change so that the backend lets a page of `origin` read its answers.
    pub fn cors_hint(self, origin: &str) -> String {
        let header = format!("\"Access-Control-Allow-Origin: {origin}\"");
        match self {
            BackendKind::Jaeger => format!(
                "start Jaeger's query service with --query.additional-headers={header} \
                 (or put it behind a reverse proxy that adds that header)"
            ),
            BackendKind::Tempo => format!(
                "Tempo has no CORS setting: put it behind a reverse proxy that adds {header} \
                 (and answers OPTIONS requests)"
            ),
            BackendKind::Zipkin => format!(
                "set Zipkin's QUERY_ALLOWED_ORIGINS (zipkin.query.allowed-origins) to {origin}, \
                 or put it behind a reverse proxy that adds {header}"
            ),
        }
    }
}

/// A backend: its kind and the base URL of its query API (`http(s)://host:port[/path]`,
/// without a trailing `/`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Backend {
    pub kind: BackendKind,
    pub base: String,
}

/// Why a request to a backend failed, as the page saw it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Failure {
    /// No answer: the fetch failed and so did a `no-cors` probe of the same URL.
    Unreachable,
    /// The fetch failed but a `no-cors` probe got an (opaque) answer: the server is there and
    /// does not let other origins read it.
    Cors,
    /// An HTTP status other than 2xx, with its status text.
    Status(u16, String),
    /// A 2xx answer whose body is not JSON; its first characters.
    NotJson(String),
    /// A search or dependency answer with nothing in it ([`is_empty_answer`]).
    Empty,
}

impl Backend {
    /// A backend of `kind` at `base` (trimmed, trailing `/` dropped); an error saying what
    /// is wrong with the address.
    pub fn new(kind: BackendKind, base: &str) -> Result<Backend, String> {
        let base = base.trim();
        let rest = base
            .strip_prefix("http://")
            .or_else(|| base.strip_prefix("https://"))
            .ok_or_else(|| {
                format!(
                    "the {} address must start with http:// or https://",
                    kind.label()
                )
            })?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("the {} address names no host", kind.label()));
        }
        let base = base.trim_end_matches('/');
        if base.contains(['?', '#', ' ']) {
            return Err(format!(
                "the {} address is the base of its API, without ?, # or spaces",
                kind.label()
            ));
        }
        Ok(Backend {
            kind,
            base: base.to_string(),
        })
    }

    /// `jaeger:<base-url>` (also `tempo:`, `zipkin:`), as in `?backend=`.
    pub fn parse(text: &str) -> Result<Backend, String> {
        let (kind, base) = text.trim().split_once(':').unwrap_or(("", ""));
        let kind = BackendKind::from_name(kind).ok_or_else(|| {
            format!("a backend is jaeger:, tempo: or zipkin: and its base URL, not \"{text}\"")
        })?;
        Backend::new(kind, base)
    }

    /// The `jaeger:<base-url>` form [`Backend::parse`] reads.
    pub fn to_param(&self) -> String {
        format!("{}:{}", self.kind.name(), self.base)
    }

    /// What the page names it by: `Jaeger at http://…`.
    pub fn describe(&self) -> String {
        format!("{} at {}", self.kind.label(), self.base)
    }

    fn url(&self, path: &str, params: &[(&str, String)]) -> String {
        let query: Vec<String> = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", escape(v)))
            .collect();
        if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{}", self.base, query.join("&"))
        }
    }

    /// The trace `id` (its text trimmed, escaped).
    pub fn trace_url(&self, id: &str) -> String {
        let id = escape(id.trim());
        match self.kind {
            BackendKind::Jaeger | BackendKind::Tempo => self.url(&format!("/api/traces/{id}"), &[]),
            BackendKind::Zipkin => self.url(&format!("/api/v2/trace/{id}"), &[]),
        }
    }

    /// Where to ask again when [`Backend::trace_url`] answers 404: Jaeger's api_v3 (OTLP
    /// in `{"result": …}`), which newer Jaeger versions serve; `None` for the others.
    pub fn trace_fallback_url(&self, id: &str) -> Option<String> {
        (self.kind == BackendKind::Jaeger)
            .then(|| self.url(&format!("/api/v3/traces/{}", escape(id.trim())), &[]))
    }

    /// The service names.
    pub fn services_url(&self) -> String {
        match self.kind {
            BackendKind::Jaeger => self.url("/api/services", &[]),
            BackendKind::Tempo => self.url("/api/search/tag/service.name/values", &[]),
            BackendKind::Zipkin => self.url("/api/v2/services", &[]),
        }
    }

    /// The operation (span) names of `service`; `None` where the API has no such list
    /// (Tempo).
    pub fn operations_url(&self, service: &str) -> Option<String> {
        match self.kind {
            BackendKind::Jaeger => {
                let path = format!("/api/services/{}/operations", escape(service));
                Some(self.url(&path, &[]))
            }
            BackendKind::Tempo => None,
            BackendKind::Zipkin => {
                Some(self.url("/api/v2/spans", &[("serviceName", service.to_string())]))
            }
        }
    }

    /// The dependency links of the `lookback_ms` before `end_ms` (ms since the epoch);
    /// `None` for Tempo, whose service graph lives in its metrics, not its query API.
    pub fn dependencies_url(&self, end_ms: i64, lookback_ms: i64) -> Option<String> {
        let params = [
            ("endTs", end_ms.to_string()),
            ("lookback", lookback_ms.to_string()),
        ];
        match self.kind {
            BackendKind::Jaeger => Some(self.url("/api/dependencies", &params)),
            BackendKind::Tempo => None,
            BackendKind::Zipkin => Some(self.url("/api/v2/dependencies", &params)),
        }
    }

    /// The search for `s` ending at `now_ms` (ms since the epoch); an error naming the
    /// field that is not understood. Jaeger answers the traces themselves, Zipkin too (as
    /// an array of traces); Tempo answers summaries ([`parse_tempo_search`]).
    pub fn search_url(&self, s: &Search, now_ms: i64) -> Result<String, String> {
        let lookback = duration_field("lookback", &s.lookback)?.unwrap_or(3_600_000_000_000);
        let asked = Asked {
            service: s.service.trim().to_string(),
            operation: s.operation.trim().to_string(),
            tags: parse_tags(&s.tags)?,
            min: duration_field("minimum duration", &s.min_duration)?,
            max: duration_field("maximum duration", &s.max_duration)?,
            start_ms: now_ms.saturating_sub(lookback / 1_000_000),
            end_ms: now_ms,
            limit: s.limit.clamp(1, 1000).to_string(),
        };
        match self.kind {
            BackendKind::Jaeger => self.jaeger_search(asked),
            BackendKind::Tempo => Ok(self.tempo_search(asked, s.traceql.trim())),
            BackendKind::Zipkin => Ok(self.zipkin_search(asked)),
        }
    }

    /// Jaeger: tags as a JSON object, Go durations, times in µs; one service is required.
    fn jaeger_search(&self, a: Asked) -> Result<String, String> {
        if a.service.is_empty() {
            return Err("Jaeger searches one service: choose it".to_string());
        }
        let mut tags = String::new();
        if !a.tags.is_empty() {
            let map = a.tags.into_iter().map(|(k, v)| (k, Value::String(v)));
            tags = Value::Object(map.collect()).to_string();
        }
        let lookback = (a.end_ms - a.start_ms).saturating_mul(1_000_000);
        Ok(self.url(
            "/api/traces",
            &[
                ("service", a.service),
                ("operation", a.operation),
                ("tags", tags),
                ("minDuration", a.min.map(go_duration).unwrap_or_default()),
                ("maxDuration", a.max.map(go_duration).unwrap_or_default()),
                ("start", a.start_ms.saturating_mul(1000).to_string()),
                ("end", a.end_ms.saturating_mul(1000).to_string()),
                ("lookback", go_duration(lookback)),
                ("limit", a.limit),
            ],
        ))
    }

    /// Tempo: service, operation and tags as logfmt (or a TraceQL query instead of them
    /// all), Go durations, times in whole seconds (the end rounded up).
    fn tempo_search(&self, a: Asked, traceql: &str) -> String {
        let times = [
            ("limit", a.limit),
            ("start", (a.start_ms / 1000).to_string()),
            ("end", (a.end_ms / 1000 + 1).to_string()),
        ];
        if !traceql.is_empty() {
            let mut params = vec![("q", traceql.to_string())];
            params.extend(times);
            return self.url("/api/search", &params);
        }
        let mut logfmt = Vec::new();
        if !a.service.is_empty() {
            logfmt.push(("service.name".to_string(), a.service));
        }
        if !a.operation.is_empty() {
            logfmt.push(("name".to_string(), a.operation));
        }
        logfmt.extend(a.tags);
        let mut params = vec![
            ("tags", to_logfmt(&logfmt)),
            ("minDuration", a.min.map(go_duration).unwrap_or_default()),
            ("maxDuration", a.max.map(go_duration).unwrap_or_default()),
        ];
        params.extend(times);
        self.url("/api/search", &params)
    }

    /// Zipkin: tags as an annotation query (`k=v and k2`), durations in µs, times in ms.
    fn zipkin_search(&self, a: Asked) -> String {
        let annotations: Vec<String> = a
            .tags
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        let micros = |d: Option<i64>| d.map(|n| (n / 1000).to_string()).unwrap_or_default();
        self.url(
            "/api/v2/traces",
            &[
                ("serviceName", a.service),
                ("spanName", a.operation),
                ("annotationQuery", annotations.join(" and ")),
                ("minDuration", micros(a.min)),
                ("maxDuration", micros(a.max)),
                ("endTs", a.end_ms.to_string()),
                ("lookback", (a.end_ms - a.start_ms).to_string()),
                ("limit", a.limit),
            ],
        )
    }

    /// What the page says when a request for `url` failed; `trace` is the id asked for when
    /// it was a trace; `origin` the page's, for the CORS setting.
    pub fn explain(
        &self,
        failure: &Failure,
        url: &str,
        trace: Option<&str>,
        origin: &str,
    ) -> String {
        let who = self.describe();
        match failure {
            Failure::Unreachable => format!(
                "{who} could not be reached ({url}): is it running, and is the address that of \
                 its query API?"
            ),
            Failure::Cors => format!(
                "{who} answered but does not let this page read its answers (CORS refused, \
                 {url}): {}",
                self.kind.cors_hint(origin)
            ),
            Failure::Status(404, _) if trace.is_some() => format!(
                "trace {} not found in {who}",
                trace.unwrap_or_default().trim()
            ),
            Failure::Status(status, text) => {
                let hint = match status {
                    404 => ": is the address that of the query API?",
                    401 | 403 => ": it asks for credentials, which this page does not send",
                    400 => ": it did not accept the query",
                    _ => "",
                };
                let text = if text.is_empty() {
                    String::new()
                } else {
                    format!(" {text}")
                };
                format!("{who} answered HTTP {status}{text} for {url}{hint}")
            }
            Failure::Empty => format!("{who} found nothing for {url}"),
            Failure::NotJson(start) => format!(
                "{who} answered {url} with something that is not JSON (it starts with \
                 \"{start}\"): is the address that of its query API?"
            ),
        }
    }
}

/// A search's fields, read.
struct Asked {
    service: String,
    operation: String,
    tags: Vec<(String, String)>,
    min: Option<i64>,
    max: Option<i64>,
    start_ms: i64,
    end_ms: i64,
    limit: String,
}

/// What a search asks for, as the user typed it.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Search {
    pub service: String,
    pub operation: String,
    /// `key=value` pairs separated by spaces; a value with spaces in double quotes.
    pub tags: String,
    /// Durations as typed (`250ms`, `1.5s`; a bare number is ms); empty for none.
    pub min_duration: String,
    pub max_duration: String,
    /// How far back from now (`1h` when empty).
    pub lookback: String,
    pub limit: u32,
    /// A TraceQL query (Tempo): it replaces the other filters.
    pub traceql: String,
}

/// Whether a body is JSON by its first character (`{` or `[` after white space); `Err`
/// with its first characters (at most 24, control characters dropped) when not.
pub fn check_json(bytes: &[u8]) -> Result<(), String> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    match start.map(|i| bytes[i]) {
        Some(b'{') | Some(b'[') => Ok(()),
        None => Err(String::new()),
        Some(_) => {
            let text = String::from_utf8_lossy(
                &bytes[start.unwrap_or(0)..bytes.len().min(start.unwrap_or(0) + 64)],
            )
            .chars()
            .filter(|c| !c.is_control())
            .take(24)
            .collect();
            Err(text)
        }
    }
}

/// Whether an answer holds no trace or link: `[]`, `{"data": []}` or `{"data": null}`
/// (Jaeger), `{"traces": []}` (Tempo). Only small answers are looked at.
pub fn is_empty_answer(bytes: &[u8]) -> bool {
    if bytes.len() > 4096 {
        return false;
    }
    let empty = |v: Option<&Value>| match v {
        Some(Value::Array(list)) => list.is_empty(),
        Some(Value::Null) => true,
        _ => false,
    };
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(list)) => list.is_empty(),
        Ok(v @ Value::Object(_)) => empty(v.get("data")) || empty(v.get("traces")),
        _ => false,
    }
}

/// Names from a list answer, sorted, without repeats: Jaeger's `{"data": [...]}` (names,
/// or `{"name"}` objects of its newer operations answer), Zipkin's bare arrays, Tempo's
/// `{"tagValues": [...]}` (strings, or `{"value"}` objects in its v2 API).
pub fn parse_names(bytes: &[u8]) -> Result<Vec<String>, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a JSON list of names: {e}"))?;
    let list = match &value {
        Value::Array(list) => list,
        Value::Object(o) => match o.get("data").or_else(|| o.get("tagValues")) {
            Some(Value::Array(list)) => list,
            Some(Value::Null) => return Ok(Vec::new()),
            _ => return Err("expected a list of names, or {\"data\": [...]}".to_string()),
        },
        _ => return Err("expected a list of names".to_string()),
    };
    let mut names: Vec<String> = list
        .iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("name")
                .or_else(|| o.get("value"))?
                .as_str()
                .map(str::to_string),
            _ => None,
        })
        .filter(|s| !s.trim().is_empty())
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The trace ids of a Tempo search answer (`{"traces": [{"traceID", …}]}`), in its order.
pub fn parse_tempo_search(bytes: &[u8]) -> Result<Vec<String>, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a Tempo search answer: {e}"))?;
    let traces = match value.get("traces") {
        Some(Value::Array(list)) => list,
        Some(Value::Null) | None if value.is_object() => return Ok(Vec::new()),
        _ => return Err("expected {\"traces\": [...]}".to_string()),
    };
    Ok(traces
        .iter()
        .filter_map(|t| t.get("traceID").and_then(Value::as_str))
        .filter(|id| !id.trim().is_empty())
        .map(str::to_string)
        .collect())
}

/// A duration field: `None` when blank, else its nanoseconds or an error naming `field`.
fn duration_field(field: &str, text: &str) -> Result<Option<i64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_duration(text).map(Some).ok_or_else(|| {
        format!(
            "the {field} \"{}\" is not a duration such as 250ms or 1.5s",
            text.trim()
        )
    })
}

/// `key=value` pairs separated by white space; a value in double quotes may hold spaces; a
/// bare key has an empty value. An error names the pair that is not understood.
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut tags = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        if key.is_empty() {
            return Err(format!("a tag needs a key before its = (at \"{rest}\")"));
        }
        rest = &rest[key_end..];
        let value = match rest.strip_prefix('=') {
            Some(after) if after.starts_with('"') => {
                let close = after[1..]
                    .find('"')
                    .ok_or_else(|| format!("the value of tag {key} has no closing quote"))?;
                rest = &after[close + 2..];
                after[1..close + 1].to_string()
            }
            Some(after) => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                rest = &after[end..];
                after[..end].to_string()
            }
            None => String::new(),
        };
        tags.push((key.to_string(), value));
        rest = rest.trim_start();
    }
    Ok(tags)
}

/// Pairs as logfmt (Tempo's `tags=`): values with spaces, quotes or `=` quoted.
fn to_logfmt(pairs: &[(String, String)]) -> String {
    let value = |v: &str| {
        if v.is_empty() || v.contains([' ', '"', '=']) {
            format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            v.to_string()
        }
    };
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", value(v)))
        .collect();
    parts.join(" ")
}

/// Nanoseconds as a Go duration (`time.ParseDuration`) in the largest unit that holds them
/// exactly: `250ms`, `1500us`, `2s`.
pub fn go_duration(nanos: i64) -> String {
    for (unit, size) in [
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
    ] {
        if nanos != 0 && nanos % size == 0 {
            return format!("{}{unit}", nanos / size);
        }
    }
    format!("{nanos}ns")
}

#[cfg(test)]
mod tests;
