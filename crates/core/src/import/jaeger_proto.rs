//! Jaeger api_v2 model in protobuf-JSON (what Jaeger's gRPC `QueryService` returns through
//! the grpc-gateway, what `jaeger-idl`'s `model.proto` looks like written by gogo `jsonpb`,
//! and the form of Jaeger's own test fixtures).
//!
//! Supports: `{"spans": [...]}` (a `Trace` or `SpansResponseChunk`, with `processMap` and
//! trace `warnings`), the grpc-gateway's `{"result": {"spans": [...]}}`, a collector
//! `{"batch": {"spans": [...], "process": {...}}}` and `{"batches": [...]}` (the batch's
//! process is the default of its spans), a bare array of spans or of any of these, JSON
//! Lines. Span fields: base64 `traceId`/`spanId` (hex is read too); `startTime` and log
//! `timestamp` in RFC 3339 with up to nanosecond precision and any offset; `duration` as a
//! protobuf Duration (`"0.000005s"`) or a Go duration (`"5000ns"`, `"1.5ms"`, `"1h2m"`);
//! typed tags (`vType` STRING/BOOL/INT64/FLOAT64/BINARY, by name or number, omitted for
//! STRING; `vStr`/`vBool`/`vInt64` (number or string)/`vFloat64`/`vBinary` (base64), a value
//! left out by `jsonpb` being its type's zero); `references` with `refType` CHILD_OF (the
//! default when absent) or FOLLOWS_FROM, by name or number; `process` inline or through
//! `processId`; `logs` with `timestamp` and `fields`; span `warnings`.
//!
//! The fields and rules are those of Jaeger's UI JSON in another spelling, so the reading
//! is `jaeger.rs`'s (one reader takes both spellings: ids, processes, references, tags,
//! logs, `span.kind`/`error` tags and parent choice are the same code). This module holds
//! the importer entry, its sniff, and the two value forms the UI JSON does not have: RFC 3339
//! times and duration strings.
//!
//! Ignored: `flags`. Not read: api_v3, which is OTLP (`otlp.rs` reads it).
//!
//! Units: times and durations are converted to nanoseconds, exactly (integer arithmetic, no
//! `f64`).
//!
//! Spec: <https://github.com/jaegertracing/jaeger-idl/blob/main/proto/api_v2/model.proto>;
//! protobuf JSON mapping of `Timestamp` and `Duration`:
//! <https://protobuf.dev/programming-guides/json/>.

use super::scan::{parse_u64, trim, ScanResult, Scanner};
use super::{first_byte, has_key, Importer, Sniff};

/// The Jaeger api_v2 protobuf-JSON importer, listed in [`super::IMPORTERS`].
pub const IMPORTER: Importer = Importer {
    name: "Jaeger api_v2 protobuf-JSON",
    sniff,
    parse: super::jaeger::parse,
    looks_for: "spans with \"traceId\", \"spanId\" and \"operationName\"",
};

/// Yes for `traceId` + `spanId` + `operationName` (OTLP has `name`, Jaeger's UI JSON
/// `traceID`).
fn sniff(head: &[u8]) -> Sniff {
    if !matches!(first_byte(head), Some(b'{' | b'[')) {
        return Sniff::No;
    }
    let k = |key: &str| has_key(head, key);
    if k("traceId") && k("spanId") && k("operationName") && !k("traceID") && !k("resourceSpans") {
        Sniff::Yes
    } else {
        Sniff::No
    }
}

/// A `startTime` or log `timestamp`, in nanoseconds since the Unix epoch: microseconds as a
/// number or a string of digits (Jaeger's UI JSON), or RFC 3339 text (api_v2).
pub(super) fn read_time(s: &mut Scanner<'_>) -> ScanResult<i64> {
    micros_or_text(
        s,
        rfc3339_nanos,
        "an RFC 3339 time (like \"2017-01-26T16:46:31.639875139-05:00\")",
    )
}

/// A `duration` in nanoseconds: microseconds as a number or a string of digits (Jaeger's UI
/// JSON), or a duration string (api_v2). May be negative.
pub(super) fn read_duration(s: &mut Scanner<'_>) -> ScanResult<i64> {
    micros_or_text(
        s,
        duration_nanos,
        "a duration (like \"5000ns\" or \"0.000005s\")",
    )
}

/// Microseconds as a number or a string of digits, or text that `parse` reads as
/// nanoseconds (`expected` names its form in the error); `null` and `""` are 0.
fn micros_or_text(
    s: &mut Scanner<'_>,
    parse: fn(&str) -> Option<i64>,
    expected: &str,
) -> ScanResult<i64> {
    if s.peek() != Some(b'"') {
        return Ok(micros_to_nanos(s.flex_u64()?));
    }
    let text = s.string("a string")?;
    let t = trim(&text);
    if t.is_empty() {
        return Ok(0);
    }
    match parse_u64(t).map(micros_to_nanos).or_else(|| parse(t)) {
        Some(ns) => Ok(ns),
        None => s.fail(format!(
            "expected {expected} or microseconds, found \"{text}\""
        )),
    }
}

fn micros_to_nanos(us: u64) -> i64 {
    i64::try_from(us).unwrap_or(i64::MAX).saturating_mul(1000)
}

/// RFC 3339 text (`2017-01-26T16:46:31.639875139-05:00`, `…Z`; `t`, `z` and a space as the
/// separator are taken too) as nanoseconds since the Unix epoch. Digits of the fraction past
/// nanoseconds are dropped. `None` when it is not such a time.
pub fn rfc3339_nanos(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && matches!(b.get(10), Some(b'T' | b't' | b' '))) {
        return None;
    }
    if !(at(13, b':') && at(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start < 9 {
                nanos = nanos * 10 + i64::from(c - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && at(i + 3, b':') => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let off = h * 3600 + m * 60;
            if sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A duration string as nanoseconds: protobuf's `"1.000340012s"`, or Go's
/// `time.Duration` text (`"5000ns"`, `"1.5ms"`, `"2h45m"`, units `ns`, `us`/`µs`, `ms`, `s`,
/// `m`, `h`), with an optional sign; `"0"` is zero. `None` when it is not one, or overflows.
pub fn duration_nanos(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let whole_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (whole, after) = rest.split_at(whole_len);
        let (fraction, after) = match after.strip_prefix('.') {
            Some(f) => {
                let len = f.bytes().take_while(u8::is_ascii_digit).count();
                f.split_at(len)
            }
            None => ("", after),
        };
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        let unit_nanos: i64 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut part = whole.checked_mul(unit_nanos)?;
        // The fraction, digit by digit, exact down to the nanosecond.
        let mut scale = unit_nanos;
        for d in fraction.bytes() {
            scale /= 10;
            if scale == 0 {
                break;
            }
            part = part.checked_add(i64::from(d - b'0') * scale)?;
        }
        total = total.checked_add(part)?;
        rest = next;
    }
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{attrs, cut_and_corrupt, file_warns, load_as, pairs};
    use crate::model::{SpanId, SpanKind, SpanWarning, StatusCode, Store, TraceId, Value};

    fn load(doc: &str) -> Store {
        load_as("Jaeger api_v2 protobuf-JSON", doc)
    }

    #[test]
    fn rfc3339_times_to_nanoseconds() {
        let t = |s| rfc3339_nanos(s);
        assert_eq!(t("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            t("2017-01-26T16:46:31.639875139-05:00"),
            Some(1_485_467_191_639_875_139)
        );
        assert_eq!(
            t("2017-01-26T21:46:31.639875139Z"),
            t("2017-01-26T16:46:31.639875139-05:00")
        );
        assert_eq!(
            t("2017-01-26T16:46:31.639875Z"),
            Some(1_485_449_191_639_875_000)
        );
        assert_eq!(t("2017-01-26t16:46:31.5z"), Some(1_485_449_191_500_000_000));
        assert_eq!(
            t("2017-01-26 16:46:31+01:30"),
            Some(1_485_443_791_000_000_000)
        );
        // Past nanoseconds, digits are dropped.
        assert_eq!(t("1970-01-01T00:00:00.0000000019Z"), Some(1));
        assert_eq!(t("1969-12-31T23:59:59Z"), Some(-1_000_000_000));
        assert_eq!(t("2000-02-29T00:00:00Z"), Some(951_782_400_000_000_000));
        for bad in [
            "2017-01-26",
            "2017-01-26T16:46:31",
            "2017-13-26T16:46:31Z",
            "2017-01-26T16:46:31.Z",
            "2017-01-26T16:46:31+0500",
            "2017-01-26T24:00:00Z",
            "2017-01-26T16:46:31Zjunk",
            "1485467191639875",
            "",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn duration_strings_to_nanoseconds() {
        let d = |s| duration_nanos(s);
        assert_eq!(d("5000ns"), Some(5_000));
        assert_eq!(d("0.000005s"), Some(5_000));
        assert_eq!(d("22938000ns"), Some(22_938_000));
        assert_eq!(d("1.000340012s"), Some(1_000_340_012));
        assert_eq!(d("1.5ms"), Some(1_500_000));
        assert_eq!(d("100µs"), Some(100_000));
        assert_eq!(d("100us"), Some(100_000));
        assert_eq!(d("2h45m0.5s"), Some(9_900_500_000_000));
        assert_eq!(d("-1.5s"), Some(-1_500_000_000));
        assert_eq!(d("0"), Some(0));
        assert_eq!(d(".5s"), Some(500_000_000));
        assert_eq!(d("1.0000000019s"), Some(1_000_000_001));
        for bad in ["", "5", "5 ns", "ns", "5xs", "1.s.", "-", "99999999999h"] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    /// The corpus's `jaeger-domain_01.json`, shortened.
    const DOMAIN: &str = r#"{"spans": [
        {"traceId": "AAAAAAAAAAAAAAAAAAAAAQ==", "spanId": "AAAAAAAAAAI=",
         "operationName": "op", "startTime": "2017-01-26T16:46:31.639875139-05:00",
         "duration": "5000ns", "flags": 1,
         "tags": [
           {"key": "peer.service", "vType": "STRING", "vStr": "service-y"},
           {"key": "peer.ipv4", "vType": "INT64", "vInt64": 23456},
           {"key": "error", "vType": "BOOL", "vBool": true},
           {"key": "temperature", "vType": "FLOAT64", "vFloat64": 72.5},
           {"key": "javascript_limit", "vType": "INT64", "vInt64": "9223372036854775222"},
           {"key": "blob", "vType": "BINARY", "vBinary": "AAAwOQ=="},
           {"key": "span.kind", "vStr": "server"},
           {"key": "zero", "vType": 2},
           {"key": "off", "vType": "BOOL"},
           {"key": "empty"}],
         "logs": [{"timestamp": "2017-01-26T16:46:31.639875140-05:00",
                   "fields": [{"key": "event", "vStr": "some-event"}, {"key": "n", "vInt64": "7"}]}],
         "process": {"serviceName": "service-x", "tags": [{"key": "ip", "vStr": "10.0.0.1"}]},
         "warnings": ["some span warning"]},
        {"traceId": "AAAAAAAAAAAAAAAAAAAAAQ==", "spanId": "AAAAAAAAAAQ=",
         "operationName": "child", "startTime": "2017-01-26T21:46:31.639875139Z",
         "duration": "0.000004s",
         "references": [
           {"refType": "CHILD_OF", "traceId": "AAAAAAAAAAAAAAAAAAAA/w==", "spanId": "AAAAAAAAAP8="},
           {"traceId": "AAAAAAAAAAAAAAAAAAAAAQ==", "spanId": "AAAAAAAAAAI="},
           {"refType": 1, "traceId": "AAAAAAAAAAAAAAAAAAAAAQ==", "spanId": "AAAAAAAAAAM="}],
         "processId": "p2"}],
      "processMap": [{"processId": "p2", "process": {"serviceName": "service-y"}}],
      "warnings": ["some trace warning"]}"#;

    #[test]
    fn a_span_maps_every_field() {
        let store = load(DOMAIN);
        assert_eq!(store.spans.len(), 2);
        let s = store.spans[0];
        assert_eq!(s.trace_id, TraceId(1));
        assert_eq!(s.span_id, SpanId(2));
        assert_eq!(s.start_unix_nanos, 1_485_467_191_639_875_139);
        assert_eq!(s.duration_nanos, 5_000);
        assert_eq!(store.strings.get(s.service), "service-x");
        assert_eq!(s.kind, SpanKind::Server);
        assert_eq!(s.status, StatusCode::Error);
        let values: Vec<Value> = store.attrs_of(s.attrs).iter().map(|a| a.value).collect();
        let str_id = |t: &str| store.strings.lookup(t).unwrap();
        assert_eq!(
            values,
            [
                Value::Str(str_id("service-y")),
                Value::Int(23456),
                Value::Bool(true),
                Value::Float(72.5),
                Value::Int(9_223_372_036_854_775_222),
                Value::Bytes(str_id("AAAwOQ==")),
                Value::Str(str_id("server")),
                Value::Int(0),
                Value::Bool(false),
                Value::Str(str_id("")),
            ]
        );
        let events = store.events_of(&s);
        assert_eq!(events.len(), 1);
        assert_eq!(store.strings.get(events[0].name), "some-event");
        assert_eq!(events[0].time_unix_nanos, 1_485_467_191_639_875_140);
        assert_eq!(
            attrs(&store, events[0].attrs),
            pairs(&[("event", "some-event"), ("n", "7")])
        );
        let resource = store.resources[s.resource as usize];
        assert_eq!(attrs(&store, resource.attrs), pairs(&[("ip", "10.0.0.1")]));
        assert!(store
            .warnings_of(0)
            .any(|w| *w == SpanWarning::FromSource("some span warning".into())));
        assert!(file_warns(&store, "some trace warning"));
    }

    #[test]
    fn references_choose_the_parent_and_the_rest_are_links() {
        let store = load(DOMAIN);
        let child = store.spans[1];
        // The CHILD_OF in another trace is skipped; a reference without refType is CHILD_OF.
        assert_eq!(child.parent_id, SpanId(2));
        assert_eq!(child.start_unix_nanos, 1_485_467_191_639_875_139);
        assert_eq!(child.duration_nanos, 4_000);
        assert_eq!(store.strings.get(child.service), "service-y");
        type LinkView = (TraceId, SpanId, Vec<(String, String)>);
        let links: Vec<LinkView> = store
            .links_of(&child)
            .iter()
            .map(|l| (l.trace_id, l.span_id, attrs(&store, l.attrs)))
            .collect();
        assert_eq!(
            links,
            [
                (
                    TraceId(0xff),
                    SpanId(0xff),
                    pairs(&[("jaeger.ref_type", "CHILD_OF")])
                ),
                (
                    TraceId(1),
                    SpanId(3),
                    pairs(&[("jaeger.ref_type", "FOLLOWS_FROM")])
                ),
            ]
        );
    }

    #[test]
    fn gateway_results_batches_arrays_and_lines_load() {
        let span = |id: &str| {
            format!(
                r#"{{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"{id}","operationName":"op",
                     "startTime":"2017-01-26T16:46:31Z","duration":"1s"}}"#
            )
        };
        let (a, b) = (span("AAAAAAAAAAE="), span("AAAAAAAAAAI="));
        let service =
            |store: &Store, i: usize| store.strings.get(store.spans[i].service).to_string();
        // The grpc-gateway streams one {"result": ...} per chunk.
        let store = load(&format!(
            "{{\"result\":{{\"spans\":[{a}]}}}}\n{{\"result\":{{\"spans\":[{b}]}}}}\n"
        ));
        assert_eq!(store.spans.len(), 2);
        // A collector batch: its process is its spans' process.
        let store = load(&format!(
            r#"{{"batch":{{"spans":[{a},{b}],"process":{{"serviceName":"batched"}}}}}}"#
        ));
        assert_eq!(
            (service(&store, 0), service(&store, 1)),
            ("batched".into(), "batched".into())
        );
        let store = load(&format!(
            r#"{{"batches":[{{"process":{{"serviceName":"one"}},"spans":[{a}]}},
                            {{"spans":[{b}],"process":{{"serviceName":"two"}}}}]}}"#
        ));
        assert_eq!(
            (service(&store, 0), service(&store, 1)),
            ("one".into(), "two".into())
        );
        let store = load(&format!("[{a},{b}]"));
        assert_eq!(store.spans.len(), 2);
        assert_eq!(service(&store, 0), crate::model::UNKNOWN_SERVICE);
    }

    #[test]
    fn bad_times_say_what_and_where() {
        let doc = r#"{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAE=",
            "operationName":"op","startTime":"yesterday","duration":"1s"}]}"#;
        let err = crate::import::import("t.json", doc.as_bytes()).unwrap_err();
        assert!(err.message.contains("RFC 3339"), "{err}");
        assert!(
            err.message.contains("\"yesterday\" at line 2 column"),
            "{err}"
        );
        let doc = doc.replace("\"yesterday\"", "\"2017-01-26T16:46:31Z\"");
        let err = crate::import::import("t.json", doc.replace("\"1s\"", "\"1 s\"").as_bytes())
            .unwrap_err();
        assert!(err.message.contains("expected a duration"), "{err}");
        // A negative duration is a warning, not a failure.
        let store = load(&doc.replace("\"1s\"", "\"-1ns\""));
        assert_eq!(store.spans[0].duration_nanos, 0);
        assert!(store
            .warnings_of(0)
            .any(|w| *w == SpanWarning::EndBeforeStart));
    }

    #[test]
    fn sniffing_tells_api_v2_from_its_neighbours() {
        assert_eq!(sniff(DOMAIN.as_bytes()), Sniff::Yes);
        let ui = br#"{"data":[{"traceID":"01","spans":[{"traceID":"01","spanID":"02","operationName":"x"}]}]}"#;
        assert_eq!(sniff(ui), Sniff::No);
        let otlp = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x"}]}]}]}"#;
        assert_eq!(sniff(otlp), Sniff::No);
        assert_eq!(sniff(b"traceId spanId operationName"), Sniff::No);
    }

    #[test]
    fn cut_or_corrupted_documents_never_panic() {
        cut_and_corrupt(DOMAIN.as_bytes());
    }
}
