//! Trace-context headers decoded and checked: what an engineer holding a header line from a
//! log needs to find its trace. Each line is `Name: value` or a bare value (its format
//! guessed from its shape); the multi-header formats (B3's `x-b3-*`, Datadog's
//! `x-datadog-*`) gather their lines into one context.
//!
//! The rules are the specifications':
//! - W3C Trace Context (<https://www.w3.org/TR/trace-context/>): `traceparent` is
//!   `version-traceid-parentid-flags` in lowercase hex; version `ff` is invalid, version `00`
//!   has exactly four fields, a later version may add fields after a `-`; all-zero ids are
//!   invalid. `tracestate` holds at most 32 comma-separated `key=value` members, keys
//!   `[a-z][a-z0-9_\-*/]{0,255}` or `tenant@system` (tenant up to 241, system up to 14), values
//!   up to 256 printable characters without `,` or `=` and not ending in a space; no key twice.
//! - B3 (<https://github.com/openzipkin/b3-propagation>): trace id 16 or 32 lowercase hex, span
//!   and parent ids 16; `x-b3-sampled` `1`/`0`, `x-b3-flags` `1` (debug); single `b3` is
//!   `{trace}-{span}-{sampling}-{parent}` (the last two optional) or a sampling state alone,
//!   sampling `0`, `1` or `d`.
//! - Jaeger (`uber-trace-id`): `{trace}:{span}:{parent}:{flags}`, ids hex of up to 32 / 16
//!   digits (leading zeros may be left out), flags a byte (1 sampled, 2 debug); `%3A` for `:`.
//! - AWS X-Ray (`X-Amzn-Trace-Id`): `Root=1-{8 hex time}-{24 hex};Parent={16 hex};Sampled=…`;
//!   the W3C trace id is the time and the 24 digits together.
//! - Datadog: `x-datadog-trace-id` and `x-datadog-parent-id` decimal 64-bit,
//!   `x-datadog-sampling-priority` an integer (above 0: kept), and the trace id's upper half
//!   as `_dd.p.tid` (16 hex) in `x-datadog-tags`.
//!
//! Ids come out in lowercase hex as trace stores show them (32 digits for 128-bit trace ids,
//! 16 for 64-bit ids, zero-padded). Never panics: anything wrong becomes an error text.

/// Which propagation format a context was written in.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Format {
    TraceParent,
    TraceState,
    B3,
    B3Single,
    Jaeger,
    Aws,
    Datadog,
}

impl Format {
    /// Its name for the page.
    pub fn name(self) -> &'static str {
        match self {
            Format::TraceParent => "W3C traceparent",
            Format::TraceState => "W3C tracestate",
            Format::B3 => "B3 (multiple headers)",
            Format::B3Single => "B3 (single header)",
            Format::Jaeger => "Jaeger uber-trace-id",
            Format::Aws => "AWS X-Amzn-Trace-Id",
            Format::Datadog => "Datadog",
        }
    }
}

/// One decoded context.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Decoded {
    pub format: Format,
    /// The trace id, lowercase hex; `None` when absent or invalid.
    pub trace_id: Option<String>,
    /// The span the sender was in (the caller's span: W3C parent-id, B3 span id, Jaeger span
    /// id, X-Ray parent, Datadog parent id).
    pub span_id: Option<String>,
    /// The sender's parent (B3 and Jaeger carry it).
    pub parent_id: Option<String>,
    pub sampled: Option<bool>,
    /// What the header says, field by field, for display (`("version", "00")`, …).
    pub fields: Vec<(String, String)>,
    /// What is wrong, each naming the field; empty when valid.
    pub errors: Vec<String>,
}

impl Decoded {
    fn new(format: Format) -> Decoded {
        Decoded {
            format,
            trace_id: None,
            span_id: None,
            parent_id: None,
            sampled: None,
            fields: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    fn field(&mut self, name: &str, value: impl Into<String>) {
        self.fields.push((name.to_string(), value.into()));
    }

    fn error(&mut self, text: impl Into<String>) {
        self.errors.push(text.into());
    }
}

/// Decodes every context in `text`: one per line, except that B3's and Datadog's
/// multi-header lines make one context each. Blank lines are skipped; a line that is no known
/// header is reported as such.
pub fn decode(text: &str) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut b3: Vec<(String, String)> = Vec::new();
    let mut datadog: Vec<(String, String)> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, value) = split_header(line);
        match name.as_deref() {
            Some(n) if n.starts_with("x-b3-") => b3.push((n.to_string(), value.to_string())),
            Some(n) if n.starts_with("x-datadog-") => {
                datadog.push((n.to_string(), value.to_string()))
            }
            Some("traceparent") => out.push(traceparent(value)),
            Some("tracestate") => out.push(tracestate(value)),
            Some("b3") => out.push(b3_single(value)),
            Some("uber-trace-id") => out.push(jaeger(value)),
            Some("x-amzn-trace-id") => out.push(aws(value)),
            Some(other) => out.push(unknown(format!(
                "“{other}” is not a trace-context header this page knows (traceparent, \
                 tracestate, b3, x-b3-*, uber-trace-id, X-Amzn-Trace-Id, x-datadog-*)"
            ))),
            None => out.push(match guess(value) {
                Some(decoder) => decoder(value),
                None => unknown(format!(
                    "“{}” is no trace-context value this page recognises; give the header's \
                     name, e.g. “traceparent: …”",
                    shorten(value)
                )),
            }),
        }
    }
    if !b3.is_empty() {
        out.push(b3_multi(&b3));
    }
    if !datadog.is_empty() {
        out.push(datadog_headers(&datadog));
    }
    out
}

/// `Name: value` → (lowercase name, value); a bare value has no name. A known header's name,
/// or a word with a letter past `f` before the first `:` (an uber-trace-id value has colons
/// too, but only hex digits before them).
fn split_header(line: &str) -> (Option<String>, &str) {
    if let Some((name, value)) = line.split_once(':') {
        let name = name.trim();
        let known = name.eq_ignore_ascii_case("traceparent")
            || name.eq_ignore_ascii_case("tracestate")
            || name.eq_ignore_ascii_case("b3")
            || name.eq_ignore_ascii_case("uber-trace-id")
            || name.eq_ignore_ascii_case("x-amzn-trace-id")
            || name.to_ascii_lowercase().starts_with("x-b3-")
            || name.to_ascii_lowercase().starts_with("x-datadog-");
        let looks_like_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && name.chars().any(|c| c.is_ascii_alphabetic() && c > 'f');
        if known || looks_like_name {
            return (Some(name.to_ascii_lowercase()), value.trim());
        }
    }
    (None, line)
}

/// A line that is no context: its error alone.
fn unknown(error: String) -> Decoded {
    let mut d = Decoded::new(Format::TraceParent);
    d.error(error);
    d
}

/// The decoder for a bare value, by its shape.
fn guess(value: &str) -> Option<fn(&str) -> Decoded> {
    let v = value.trim();
    if v.starts_with("Root=") || v.contains(";Root=") || v.starts_with("Self=") {
        return Some(aws);
    }
    if v.contains(':') || v.to_ascii_lowercase().contains("%3a") {
        return Some(jaeger);
    }
    let parts: Vec<&str> = v.split('-').collect();
    if parts.len() >= 4 && parts[0].len() == 2 && parts[1].len() == 32 {
        return Some(traceparent);
    }
    if matches!(v, "0" | "1" | "d") || (2..=4).contains(&parts.len()) {
        return Some(b3_single);
    }
    if v.contains('=') {
        return Some(tracestate);
    }
    None
}

fn is_lower_hex(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_zero(s: &str) -> bool {
    s.bytes().all(|b| b == b'0')
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Checks a hex id of exactly one of `lengths` digits, lowercase, not all zero; says what is
/// wrong naming `what`.
fn hex_id(d: &mut Decoded, what: &str, v: &str, lengths: &[usize]) -> Option<String> {
    let sizes = lengths
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" or ");
    if !lengths.contains(&v.len()) {
        d.error(format!(
            "{what} “{}” has {} characters; it must have {sizes} hex digits",
            shorten(v),
            v.chars().count()
        ));
    } else if v.bytes().any(|b| b.is_ascii_uppercase()) && is_lower_hex(&v.to_ascii_lowercase()) {
        d.error(format!(
            "{what} “{v}” has uppercase hex; it must be lowercase"
        ));
    } else if !is_lower_hex(v) {
        d.error(format!("{what} “{v}” is not hex"));
    } else if is_zero(v) {
        d.error(format!("{what} is all zeros, which is invalid"));
    } else {
        return Some(v.to_string());
    }
    None
}

/// W3C `traceparent`.
pub fn traceparent(value: &str) -> Decoded {
    let mut d = Decoded::new(Format::TraceParent);
    let v = value.trim();
    let parts: Vec<&str> = v.split('-').collect();
    let version = parts[0];
    d.field("version", version);
    if version.len() != 2 || !is_lower_hex(version) {
        d.error(format!(
            "version “{version}” must be two lowercase hex digits"
        ));
        return d;
    }
    if version == "ff" {
        d.error("version ff is invalid");
        return d;
    }
    if parts.len() < 4 {
        d.error(format!(
            "has {} fields; it must have four: version-traceid-parentid-flags",
            parts.len()
        ));
        return d;
    }
    if version == "00" && parts.len() > 4 {
        d.error("version 00 has exactly four fields; this has more after the flags");
    }
    d.field("trace id", parts[1]);
    d.field("parent id", parts[2]);
    d.field("flags", parts[3]);
    d.trace_id = hex_id(&mut d, "trace id", parts[1], &[32]);
    d.span_id = hex_id(&mut d, "parent id", parts[2], &[16]);
    let flags = parts[3];
    if flags.len() != 2 || !is_lower_hex(flags) {
        d.error(format!("flags “{flags}” must be two lowercase hex digits"));
    } else if let Ok(f) = u8::from_str_radix(flags, 16) {
        d.sampled = Some(f & 1 == 1);
        d.field("sampled", if f & 1 == 1 { "yes" } else { "no" });
    }
    d
}

/// W3C `tracestate`.
pub fn tracestate(value: &str) -> Decoded {
    let mut d = Decoded::new(Format::TraceState);
    let members: Vec<&str> = value
        .split(',')
        .map(|m| m.trim_matches([' ', '\t']))
        .filter(|m| !m.is_empty())
        .collect();
    if members.len() > 32 {
        d.error(format!(
            "has {} members; at most 32 are allowed",
            members.len()
        ));
    }
    let mut keys: Vec<&str> = Vec::new();
    for member in members {
        let Some((key, val)) = member.split_once('=') else {
            d.error(format!("member “{}” has no “=”", shorten(member)));
            continue;
        };
        if let Err(e) = tracestate_key(key) {
            d.error(format!("key “{}”: {e}", shorten(key)));
        }
        if let Err(e) = tracestate_value(val) {
            d.error(format!("value of “{}”: {e}", shorten(key)));
        }
        if keys.contains(&key) {
            d.error(format!("key “{key}” appears twice"));
        }
        keys.push(key);
        d.field(key, val);
    }
    d
}

fn key_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '*' | '/')
}

fn tracestate_key(key: &str) -> Result<(), String> {
    match key.split_once('@') {
        None => {
            if key.is_empty() || key.len() > 256 {
                return Err("must have 1 to 256 characters".into());
            }
            if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
                return Err("must start with a lowercase letter".into());
            }
            if !key.chars().all(key_char) {
                return Err("may hold only a-z, 0-9, _ - * /".into());
            }
        }
        Some((tenant, system)) => {
            if tenant.is_empty() || tenant.len() > 241 {
                return Err("its tenant (before @) must have 1 to 241 characters".into());
            }
            if !tenant.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
                return Err("its tenant must start with a lowercase letter or a digit".into());
            }
            if system.is_empty() || system.len() > 14 {
                return Err("its system (after @) must have 1 to 14 characters".into());
            }
            if !system.starts_with(|c: char| c.is_ascii_lowercase()) {
                return Err("its system must start with a lowercase letter".into());
            }
            if !tenant.chars().chain(system.chars()).all(key_char) {
                return Err("may hold only a-z, 0-9, _ - * / and one @".into());
            }
        }
    }
    Ok(())
}

fn tracestate_value(val: &str) -> Result<(), String> {
    if val.is_empty() || val.len() > 256 {
        return Err("must have 1 to 256 characters".into());
    }
    if val.ends_with(' ') {
        return Err("must not end with a space".into());
    }
    if let Some(c) = val
        .chars()
        .find(|&c| !(' '..='~').contains(&c) || c == ',' || c == '=')
    {
        return Err(format!(
            "holds “{}”, which is not allowed",
            c.escape_default()
        ));
    }
    Ok(())
}

/// B3 sampling state: `1`/`0` (and the legacy `true`/`false`), `d` for debug.
fn b3_sampling(d: &mut Decoded, what: &str, v: &str, debug_ok: bool) {
    match v {
        "1" | "true" => d.sampled = Some(true),
        "0" | "false" => d.sampled = Some(false),
        "d" if debug_ok => {
            d.sampled = Some(true);
            d.field("debug", "yes");
        }
        _ => d.error(format!(
            "{what} “{}” must be {}",
            shorten(v),
            if debug_ok { "0, 1 or d" } else { "0 or 1" }
        )),
    }
}

/// Single-header `b3`.
pub fn b3_single(value: &str) -> Decoded {
    let mut d = Decoded::new(Format::B3Single);
    let v = value.trim();
    let parts: Vec<&str> = v.split('-').collect();
    if parts.len() == 1 {
        d.field("sampling", v);
        b3_sampling(&mut d, "sampling state", v, true);
        return d;
    }
    if parts.len() > 4 {
        d.error(format!(
            "has {} fields; at most four: {{trace}}-{{span}}-{{sampling}}-{{parent}}",
            parts.len()
        ));
        return d;
    }
    d.field("trace id", parts[0]);
    d.field("span id", parts[1]);
    d.trace_id = hex_id(&mut d, "trace id", parts[0], &[16, 32]);
    d.span_id = hex_id(&mut d, "span id", parts[1], &[16]);
    if let Some(s) = parts.get(2) {
        d.field("sampling", *s);
        b3_sampling(&mut d, "sampling state", s, true);
    }
    if let Some(p) = parts.get(3) {
        d.field("parent span id", *p);
        d.parent_id = hex_id(&mut d, "parent span id", p, &[16]);
    }
    d
}

/// The `x-b3-*` headers together.
fn b3_multi(headers: &[(String, String)]) -> Decoded {
    let mut d = Decoded::new(Format::B3);
    let seen = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let (trace, span, parent) = (
        seen("x-b3-traceid").cloned(),
        seen("x-b3-spanid").cloned(),
        seen("x-b3-parentspanid").cloned(),
    );
    let (sampled, flags) = (seen("x-b3-sampled").cloned(), seen("x-b3-flags").cloned());
    for (name, _) in headers {
        if ![
            "x-b3-traceid",
            "x-b3-spanid",
            "x-b3-parentspanid",
            "x-b3-sampled",
            "x-b3-flags",
        ]
        .contains(&name.as_str())
        {
            d.error(format!("“{name}” is not a B3 header"));
        }
    }
    match (&trace, &span) {
        (Some(t), Some(s)) => {
            d.field("x-b3-traceid", t.as_str());
            d.field("x-b3-spanid", s.as_str());
            d.trace_id = hex_id(&mut d, "x-b3-traceid", t, &[16, 32]);
            d.span_id = hex_id(&mut d, "x-b3-spanid", s, &[16]);
        }
        (None, None) if sampled.is_some() || flags.is_some() => {}
        (None, _) => d.error("x-b3-traceid is missing (it comes with x-b3-spanid)"),
        (_, None) => d.error("x-b3-spanid is missing (it comes with x-b3-traceid)"),
    }
    if let Some(p) = &parent {
        d.field("x-b3-parentspanid", p.as_str());
        d.parent_id = hex_id(&mut d, "x-b3-parentspanid", p, &[16]);
    }
    if let Some(s) = &sampled {
        d.field("x-b3-sampled", s.as_str());
        b3_sampling(&mut d, "x-b3-sampled", s, false);
    }
    if let Some(f) = &flags {
        d.field("x-b3-flags", f.as_str());
        if f == "1" {
            d.sampled = Some(true);
            d.field("debug", "yes");
        } else {
            d.error(format!("x-b3-flags “{}” must be 1 (debug)", shorten(f)));
        }
    }
    d
}

/// A hex id that may have lost its leading zeros, padded back to `len` digits.
fn short_hex(d: &mut Decoded, what: &str, v: &str, max: usize) -> Option<String> {
    let lower = v.to_ascii_lowercase();
    if v.is_empty() || v.len() > max || !is_lower_hex(&lower) {
        d.error(format!(
            "{what} “{}” must be 1 to {max} hex digits",
            shorten(v)
        ));
        return None;
    }
    if is_zero(&lower) {
        d.error(format!("{what} is zero, which is invalid"));
        return None;
    }
    let len = if lower.len() > 16 { 32 } else { 16 };
    Some(format!("{lower:0>len$}"))
}

/// Jaeger `uber-trace-id`.
pub fn jaeger(value: &str) -> Decoded {
    let mut d = Decoded::new(Format::Jaeger);
    let v = value.trim().replace("%3A", ":").replace("%3a", ":");
    let parts: Vec<&str> = v.split(':').collect();
    if parts.len() != 4 {
        d.error(format!(
            "has {} fields; it must have four: {{trace}}:{{span}}:{{parent}}:{{flags}}",
            parts.len()
        ));
        return d;
    }
    d.field("trace id", parts[0]);
    d.field("span id", parts[1]);
    d.field("parent span id", parts[2]);
    d.field("flags", parts[3]);
    d.trace_id = short_hex(&mut d, "trace id", parts[0], 32);
    d.span_id = short_hex(&mut d, "span id", parts[1], 16);
    if !is_zero(parts[2]) {
        d.parent_id = short_hex(&mut d, "parent span id", parts[2], 16);
    }
    match u8::from_str_radix(parts[3], 16) {
        Ok(f) if !parts[3].is_empty() && parts[3].len() <= 2 => {
            d.sampled = Some(f & 1 == 1);
            if f & 2 == 2 {
                d.field("debug", "yes");
            }
        }
        _ => d.error(format!(
            "flags “{}” must be one byte in hex (1 sampled, 2 debug)",
            shorten(parts[3])
        )),
    }
    d
}

/// AWS `X-Amzn-Trace-Id`.
pub fn aws(value: &str) -> Decoded {
    let mut d = Decoded::new(Format::Aws);
    let mut root = None;
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, val)) = part.split_once('=') else {
            d.error(format!("“{}” is not Key=value", shorten(part)));
            continue;
        };
        d.field(key, val);
        match key {
            "Root" => root = Some(val.to_string()),
            "Parent" => d.span_id = hex_id(&mut d, "Parent", val, &[16]),
            "Sampled" => match val {
                "1" => d.sampled = Some(true),
                "0" => d.sampled = Some(false),
                "?" => {}
                _ => d.error(format!("Sampled “{}” must be 0, 1 or ?", shorten(val))),
            },
            _ => {}
        }
    }
    match root {
        None => d.error("Root is missing"),
        Some(r) => {
            let parts: Vec<&str> = r.split('-').collect();
            if parts.len() != 3 || parts[0] != "1" {
                d.error(format!(
                    "Root “{}” must be 1-{{8 hex digits}}-{{24 hex digits}}",
                    shorten(&r)
                ));
            } else {
                let time = hex_id(&mut d, "Root's time", parts[1], &[8]);
                let unique = hex_id(&mut d, "Root's id", parts[2], &[24]);
                if let (Some(t), Some(u)) = (time, unique) {
                    d.trace_id = Some(format!("{t}{u}"));
                    d.field("W3C trace id", format!("{t}{u}"));
                }
            }
        }
    }
    d
}

/// Decimal 64-bit id as 16 hex digits.
fn decimal_id(d: &mut Decoded, what: &str, v: &str) -> Option<String> {
    match v.parse::<u64>() {
        Ok(0) => {
            d.error(format!("{what} is zero, which is invalid"));
            None
        }
        Ok(n) => Some(format!("{n:016x}")),
        Err(_) => {
            d.error(format!(
                "{what} “{}” must be a decimal number below 2^64",
                shorten(v)
            ));
            None
        }
    }
}

/// The `x-datadog-*` headers together.
fn datadog_headers(headers: &[(String, String)]) -> Decoded {
    let mut d = Decoded::new(Format::Datadog);
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut upper = None;
    if let Some(tags) = get("x-datadog-tags") {
        d.field("x-datadog-tags", tags.as_str());
        if let Some(tid) = tags
            .split(',')
            .find_map(|t| t.trim().strip_prefix("_dd.p.tid="))
        {
            upper = hex_id(&mut d, "_dd.p.tid", tid, &[16]);
        }
    }
    match get("x-datadog-trace-id") {
        Some(t) => {
            d.field("x-datadog-trace-id", t.as_str());
            let lower = decimal_id(&mut d, "x-datadog-trace-id", &t);
            d.trace_id = lower.map(|l| match &upper {
                Some(u) => format!("{u}{l}"),
                None => l,
            });
        }
        None => d.error("x-datadog-trace-id is missing"),
    }
    if let Some(p) = get("x-datadog-parent-id") {
        d.field("x-datadog-parent-id", p.as_str());
        d.span_id = decimal_id(&mut d, "x-datadog-parent-id", &p);
    }
    if let Some(s) = get("x-datadog-sampling-priority") {
        d.field("x-datadog-sampling-priority", s.as_str());
        match s.parse::<i32>() {
            Ok(n) => d.sampled = Some(n > 0),
            Err(_) => d.error(format!(
                "x-datadog-sampling-priority “{}” must be an integer",
                shorten(&s)
            )),
        }
    }
    if let Some(t) = &d.trace_id {
        d.field("W3C trace id", format!("{t:0>32}"));
    }
    d
}

#[cfg(test)]
mod tests;
