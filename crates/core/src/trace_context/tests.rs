//! Cases from the W3C Trace Context specification and its test suite, the B3 propagation
//! README, Jaeger's and X-Ray's documentation and Datadog's 128-bit id examples.

use super::*;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN: &str = "00f067aa0ba902b7";

fn one(text: &str) -> Decoded {
    let mut all = decode(text);
    assert_eq!(all.len(), 1, "{text}: {all:?}");
    all.remove(0)
}

fn error_of(text: &str) -> String {
    let d = one(text);
    assert!(!d.is_valid(), "{text} should be invalid: {d:?}");
    d.errors.join("; ")
}

#[test]
fn traceparent_of_the_specification() {
    let d = one(&format!("traceparent: 00-{TRACE}-{SPAN}-01"));
    assert!(d.is_valid(), "{d:?}");
    assert_eq!(d.format, Format::TraceParent);
    assert_eq!(d.trace_id.as_deref(), Some(TRACE));
    assert_eq!(d.span_id.as_deref(), Some(SPAN));
    assert_eq!(d.sampled, Some(true));
    assert_eq!(one(&format!("00-{TRACE}-{SPAN}-00")).sampled, Some(false));
    // Header names are case-insensitive.
    assert!(one(&format!("TraceParent: 00-{TRACE}-{SPAN}-01")).is_valid());
}

#[test]
fn traceparent_invalid_cases_say_what_is_wrong() {
    assert!(error_of(&format!("traceparent: ff-{TRACE}-{SPAN}-01")).contains("version ff"));
    let zeros = "0".repeat(32);
    assert!(
        error_of(&format!("traceparent: 00-{zeros}-{SPAN}-01")).contains("trace id is all zeros")
    );
    assert!(
        error_of(&format!("traceparent: 00-{TRACE}-0000000000000000-01"))
            .contains("parent id is all zeros")
    );
    let upper = TRACE.to_ascii_uppercase();
    assert!(error_of(&format!("traceparent: 00-{upper}-{SPAN}-01")).contains("uppercase"));
    assert!(
        error_of(&format!("traceparent: 00-{}-{SPAN}-01", &TRACE[1..])).contains("31 characters")
    );
    assert!(error_of(&format!("traceparent: 00-{TRACE}-{}-01", &SPAN[..15])).contains("parent id"));
    assert!(
        error_of(&format!("traceparent: 00-{TRACE}-{SPAN}-01-extra"))
            .contains("exactly four fields")
    );
    assert!(error_of(&format!("traceparent: 00-{TRACE}-{SPAN}")).contains("four"));
    assert!(error_of(&format!("traceparent: 0-{TRACE}-{SPAN}-01")).contains("version"));
    assert!(error_of(&format!("traceparent: 00-{TRACE}-{SPAN}-1")).contains("flags"));
    assert!(error_of(&format!("traceparent: 00-{TRACE}-{SPAN}-0g")).contains("flags"));
    // A later version may carry more fields.
    let future = one(&format!(
        "traceparent: cc-{TRACE}-{SPAN}-01-what-the-future-will-be-like"
    ));
    assert!(future.is_valid(), "{future:?}");
}

#[test]
fn tracestate_members_and_limits() {
    let d = one("tracestate: rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,,tenant@vendor=x");
    assert!(d.is_valid(), "{d:?}");
    assert_eq!(d.fields.len(), 3);
    assert_eq!(d.fields[1], ("congo".into(), "t61rcWkgMzE".into()));
    let many: Vec<String> = (0..33).map(|i| format!("k{i}=v")).collect();
    assert!(error_of(&format!("tracestate: {}", many.join(","))).contains("33 members"));
    let thirty_two: Vec<String> = (0..32).map(|i| format!("k{i}=v")).collect();
    assert!(one(&format!("tracestate: {}", thirty_two.join(","))).is_valid());
    assert!(error_of("tracestate: Rojo=1").contains("lowercase letter"));
    assert!(error_of("tracestate: rojo=1,rojo=2").contains("twice"));
    assert!(error_of("tracestate: rojo").contains("no “=”"));
    assert!(error_of("tracestate: a=b=c").contains("not allowed"));
    assert!(error_of(&format!("tracestate: {}=1", "k".repeat(257))).contains("1 to 256"));
    assert!(error_of(&format!("tracestate: a={}", "v".repeat(257))).contains("1 to 256"));
    assert!(error_of("tracestate: t@waytoolongsystemid=1").contains("1 to 14"));
    assert!(error_of("tracestate: @sys=1").contains("tenant"));
}

#[test]
fn b3_single_header() {
    let d = one("b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90");
    assert!(d.is_valid(), "{d:?}");
    assert_eq!(d.format, Format::B3Single);
    assert_eq!(
        d.trace_id.as_deref(),
        Some("80f198ee56343ba864fe8b2a57d3eff7")
    );
    assert_eq!(d.span_id.as_deref(), Some("e457b5a2e4d86bd1"));
    assert_eq!(d.parent_id.as_deref(), Some("05e3ac9a4f6e3b90"));
    assert_eq!(d.sampled, Some(true));
    let short = one("b3: a3ce929d0e0e4736-00f067aa0ba902b7");
    assert!(short.is_valid());
    assert_eq!(short.trace_id.as_deref(), Some("a3ce929d0e0e4736"));
    assert_eq!(short.sampled, None);
    let debug = one("b3: d");
    assert!(debug.is_valid() && debug.sampled == Some(true));
    assert!(debug.fields.contains(&("debug".into(), "yes".into())));
    assert_eq!(one("b3: 0").sampled, Some(false));
    assert!(error_of("b3: a3ce929d0e0e4736-00f067aa0ba902b7-x").contains("0, 1 or d"));
    assert!(error_of("b3: a3ce929d0e0e473-00f067aa0ba902b7").contains("16 or 32"));
    assert!(error_of("b3: x").contains("sampling state"));
}

#[test]
fn b3_headers_gather_into_one_context() {
    let text = "X-B3-TraceId: 80f198ee56343ba864fe8b2a57d3eff7\n\
                X-B3-ParentSpanId: 05e3ac9a4f6e3b90\n\
                X-B3-SpanId: e457b5a2e4d86bd1\n\
                X-B3-Sampled: 1";
    let d = one(text);
    assert!(d.is_valid(), "{d:?}");
    assert_eq!(d.format, Format::B3);
    assert_eq!(d.span_id.as_deref(), Some("e457b5a2e4d86bd1"));
    assert_eq!(d.parent_id.as_deref(), Some("05e3ac9a4f6e3b90"));
    assert_eq!(d.sampled, Some(true));
    assert!(error_of("X-B3-TraceId: 80f198ee56343ba864fe8b2a57d3eff7")
        .contains("x-b3-spanid is missing"));
    assert!(error_of(
        "X-B3-TraceId: 80f198ee56343ba8\nX-B3-SpanId: e457b5a2e4d86bd1\nX-B3-Sampled: d"
    )
    .contains("0 or 1"));
    assert!(error_of("X-B3-Flags: 2").contains("must be 1"));
    let debug = one("X-B3-Flags: 1");
    assert!(debug.is_valid() && debug.sampled == Some(true));
    assert!(error_of("X-B3-Foo: 1").contains("not a B3 header"));
}

#[test]
fn jaeger_uber_trace_id() {
    let d = one(&format!("uber-trace-id: {TRACE}:{SPAN}:0:1"));
    assert!(d.is_valid(), "{d:?}");
    assert_eq!(d.trace_id.as_deref(), Some(TRACE));
    assert_eq!(d.span_id.as_deref(), Some(SPAN));
    assert_eq!(d.parent_id, None);
    assert_eq!(d.sampled, Some(true));
    // Leading zeros left out, URL-encoded colons, a bare value.
    let short = one("abc%3Adef%3A0%3A3");
    assert!(short.is_valid(), "{short:?}");
    assert_eq!(short.format, Format::Jaeger);
    assert_eq!(short.trace_id.as_deref(), Some("0000000000000abc"));
    assert_eq!(short.span_id.as_deref(), Some("0000000000000def"));
    assert!(short.fields.contains(&("debug".into(), "yes".into())));
    let long = one("uber-trace-id: 1abc0000000000000:def:123:0");
    assert_eq!(
        long.trace_id.as_deref(),
        Some("00000000000000001abc0000000000000"[1..].as_ref())
    );
    assert_eq!(long.parent_id.as_deref(), Some("0000000000000123"));
    assert_eq!(long.sampled, Some(false));
    assert!(error_of("uber-trace-id: abc:def:0").contains("four"));
    assert!(error_of("uber-trace-id: 0:def:0:1").contains("trace id is zero"));
    assert!(error_of("uber-trace-id: abc:def:0:zz").contains("flags"));
    assert!(error_of(&format!("uber-trace-id: {TRACE}0:def:0:1")).contains("1 to 32"));
}

#[test]
fn aws_trace_header_maps_to_a_w3c_trace_id() {
    let d = one("X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    assert!(d.is_valid(), "{d:?}");
    assert_eq!(d.format, Format::Aws);
    assert_eq!(
        d.trace_id.as_deref(),
        Some("5759e988bd862e3fe1be46a994272793")
    );
    assert_eq!(d.span_id.as_deref(), Some("53995c3f42cd8ad8"));
    assert_eq!(d.sampled, Some(true));
    let bare = one("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?");
    assert!(bare.is_valid() && bare.sampled.is_none());
    assert!(error_of("X-Amzn-Trace-Id: Parent=53995c3f42cd8ad8").contains("Root is missing"));
    assert!(
        error_of("X-Amzn-Trace-Id: Root=2-5759e988-bd862e3fe1be46a994272793")
            .contains("must be 1-")
    );
    assert!(
        error_of("X-Amzn-Trace-Id: Root=1-5759e98-bd862e3fe1be46a994272793")
            .contains("Root's time")
    );
    assert!(
        error_of("X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=yes")
            .contains("Sampled")
    );
}

#[test]
fn datadog_decimal_ids_and_the_upper_half() {
    let text = "x-datadog-trace-id: 1234567890123456789\n\
                x-datadog-parent-id: 987654321\n\
                x-datadog-sampling-priority: 2\n\
                x-datadog-tags: _dd.p.dm=-4,_dd.p.tid=640cfd8d00000000";
    let d = one(text);
    assert!(d.is_valid(), "{d:?}");
    assert_eq!(d.format, Format::Datadog);
    assert_eq!(
        d.trace_id.as_deref(),
        Some("640cfd8d00000000112210f47de98115")
    );
    assert_eq!(d.span_id.as_deref(), Some("000000003ade68b1"));
    assert_eq!(d.sampled, Some(true));
    let lower = one("x-datadog-trace-id: 1234567890123456789\nx-datadog-sampling-priority: -1");
    assert_eq!(lower.trace_id.as_deref(), Some("112210f47de98115"));
    assert!(lower.fields.contains(&(
        "W3C trace id".into(),
        "0000000000000000112210f47de98115".into()
    )));
    assert_eq!(lower.sampled, Some(false));
    assert!(error_of("x-datadog-trace-id: 18446744073709551616").contains("below 2^64"));
    assert!(error_of("x-datadog-trace-id: 0").contains("zero"));
    assert!(error_of("x-datadog-parent-id: 5").contains("trace-id is missing"));
}

#[test]
fn several_lines_several_contexts_and_unknown_lines() {
    let text = format!(
        "traceparent: 00-{TRACE}-{SPAN}-01\n\n  tracestate: a=b  \nX-Request-Id: 42\nhello there"
    );
    let all = decode(&text);
    assert_eq!(all.len(), 4);
    assert!(all[0].is_valid() && all[1].is_valid());
    assert!(all[2].errors[0].contains("“x-request-id” is not a trace-context header"));
    assert!(all[3].errors[0].contains("no trace-context value"));
    // A bare traceparent is recognised by its shape.
    assert_eq!(
        one(&format!("00-{TRACE}-{SPAN}-01")).format,
        Format::TraceParent
    );
    assert!(decode("  \n\t\n").is_empty());
}

#[test]
fn odd_input_never_panics() {
    let odd = [
        "",
        ":",
        "::::",
        "-",
        "----",
        "traceparent:",
        "traceparent: ",
        "b3:",
        "b3: ---",
        "uber-trace-id:",
        "x-amzn-trace-id: ;;;",
        "x-amzn-trace-id: Root=",
        "Root=1--",
        "tracestate: ,,,",
        "tracestate: =",
        "x-datadog-tags: _dd.p.tid=",
        "é-é-é-é",
        "traceparent: 00-é\u{301}-😀-01",
        "b3: 😀",
        "uber-trace-id: é:é:é:é",
        "%3a%3A%3a",
    ];
    for text in odd {
        let _ = decode(text);
    }
}
