//! Parsing: every term, quotes, negation, units, and errors with their offsets.

use super::*;

fn terms(text: &str) -> Vec<Term> {
    match SpanQuery::parse(text) {
        Ok(q) => q.terms,
        Err(e) => panic!("{text:?} did not parse: {e}"),
    }
}

fn one(text: &str) -> Test {
    let mut t = terms(text);
    assert_eq!(t.len(), 1, "{text:?}: {t:?}");
    let term = t.remove(0);
    assert!(!term.negated, "{text:?}");
    term.test
}

fn fails(text: &str) -> QueryError {
    match SpanQuery::parse(text) {
        Ok(q) => panic!("{text:?} parsed as {q:?}"),
        Err(e) => e,
    }
}

fn text(s: &str) -> Test {
    Test::Text(s.to_string())
}

#[test]
fn free_text_words_and_quoted_phrases() {
    assert_eq!(one("cart"), text("cart"));
    assert_eq!(one("  eu-west-1 "), text("eu-west-1"));
    assert_eq!(one("\"payment failed\""), text("payment failed"));
    assert_eq!(
        one("\" padded \""),
        text(" padded "),
        "spaces in quotes kept"
    );
    assert_eq!(one(r#""say \"hi\" \\ there""#), text(r#"say "hi" \ there"#));
    assert_eq!(one(r#""a\b""#), text(r"a\b"), "other backslashes are text");
    assert_eq!(one("wow!"), text("wow!"), "a ! not before = is text");
    assert_eq!(one("über"), text("über"));
    assert_eq!(
        terms("GET /cart"),
        vec![
            Term {
                negated: false,
                test: text("GET")
            },
            Term {
                negated: false,
                test: text("/cart")
            }
        ],
        "whitespace separates terms"
    );
    assert!(SpanQuery::parse("").unwrap().is_empty());
    assert!(SpanQuery::parse(" \t\n ").unwrap().is_empty());
}

#[test]
fn fields_kinds_and_statuses() {
    let service = |s: &str| Test::Service(s.to_string());
    let operation = |s: &str| Test::Operation(s.to_string());
    assert_eq!(one("service:cart"), service("cart"));
    assert_eq!(
        one("Service:Cart"),
        service("Cart"),
        "field names ignore case"
    );
    assert_eq!(one("service:\"my cart\""), service("my cart"));
    assert_eq!(one("service:\"\""), service(""));
    assert_eq!(one("op:\"GET /cart\""), operation("GET /cart"));
    assert_eq!(one("operation:GET"), operation("GET"));
    assert_eq!(
        one("name:a:b"),
        operation("a:b"),
        "the first operator splits"
    );
    for (word, kind) in [
        ("client", SpanKind::Client),
        ("SERVER", SpanKind::Server),
        ("producer", SpanKind::Producer),
        ("consumer", SpanKind::Consumer),
        ("internal", SpanKind::Internal),
        ("unspecified", SpanKind::Unspecified),
    ] {
        assert_eq!(one(&format!("kind:{word}")), Test::Kind(kind));
    }
    assert_eq!(one("error"), Test::Status(StatusCode::Error));
    assert_eq!(one("ERROR"), Test::Status(StatusCode::Error));
    assert_eq!(one("\"error\""), text("error"), "quoted, it is text");
    assert_eq!(one("errors"), text("errors"));
    assert_eq!(one("status:error"), Test::Status(StatusCode::Error));
    assert_eq!(one("status:OK"), Test::Status(StatusCode::Ok));
    assert_eq!(one("status:unset"), Test::Status(StatusCode::Unset));
}

#[test]
fn attribute_terms() {
    let attr = |key: &str, op, value: &str| Test::Attr {
        key: key.to_string(),
        op,
        value: value.to_string(),
    };
    assert_eq!(
        one("http.status_code=500"),
        attr("http.status_code", AttrOp::Eq, "500")
    );
    assert_eq!(
        one("http.status_code==500"),
        attr("http.status_code", AttrOp::Eq, "500")
    );
    assert_eq!(
        one("k8s.pod-name/x_y=\"some value\""),
        attr("k8s.pod-name/x_y", AttrOp::Eq, "some value")
    );
    assert_eq!(one("key=\"\""), attr("key", AttrOp::Eq, ""));
    assert_eq!(
        one("db.statement~select"),
        attr("db.statement", AttrOp::Contains, "select")
    );
    assert_eq!(one("retry!=true"), attr("retry", AttrOp::NotEq, "true"));
    assert_eq!(
        one("url=http://x/?a=b"),
        attr("url", AttrOp::Eq, "http://x/?a=b"),
        "a bare value runs to the next space"
    );
    assert_eq!(
        one("error=true"),
        attr("error", AttrOp::Eq, "true"),
        "error with an operator is a key"
    );
}

#[test]
fn durations_and_their_units() {
    let d = |op, nanos| Test::Duration { op, nanos };
    assert_eq!(one("duration>250ms"), d(Compare::Gt, 250e6));
    assert_eq!(one("duration>=1s"), d(Compare::Ge, 1e9));
    assert_eq!(one("duration<10us"), d(Compare::Lt, 10e3));
    assert_eq!(one("duration<10µs"), d(Compare::Lt, 10e3));
    assert_eq!(one("duration<10μs"), d(Compare::Lt, 10e3), "Greek mu");
    assert_eq!(one("duration<=2.5ms"), d(Compare::Le, 2.5e6));
    assert_eq!(one("duration>7ns"), d(Compare::Gt, 7.0));
    assert_eq!(one("duration>2m"), d(Compare::Gt, 120e9));
    assert_eq!(one("duration>1.5h"), d(Compare::Gt, 5400e9));
    assert_eq!(one("Duration>.5S"), d(Compare::Gt, 0.5e9));
}

#[test]
fn negation_applies_to_any_term() {
    for (query, test) in [
        ("-service:cart", Test::Service("cart".into())),
        ("-error", Test::Status(StatusCode::Error)),
        ("-\"some text\"", text("some text")),
        (
            "-duration>1s",
            Test::Duration {
                op: Compare::Gt,
                nanos: 1e9,
            },
        ),
        (
            "-k=v",
            Test::Attr {
                key: "k".into(),
                op: AttrOp::Eq,
                value: "v".into(),
            },
        ),
        ("--x", text("-x")),
    ] {
        assert_eq!(
            terms(query),
            vec![Term {
                negated: true,
                test
            }],
            "{query}"
        );
    }
    assert_eq!(
        one("eu-west"),
        text("eu-west"),
        "a dash inside a word is text"
    );
    let all = terms("kind:server -error duration>1ms \"a b\"");
    assert_eq!(
        all.iter().map(|t| t.negated).collect::<Vec<_>>(),
        [false, true, false, false]
    );
}

#[test]
fn errors_say_what_and_where() {
    let cases: &[(&str, usize, &str)] = &[
        ("service:cart \"oops", 13, "unclosed quote at 13"),
        ("service:", 8, "nothing after \"service:\" at 8"),
        ("service: cart", 8, "nothing after \"service:\" at 8"),
        ("a k=", 4, "nothing after \"k=\" at 4"),
        ("x~", 2, "nothing after \"x~\" at 2"),
        (
            "kind:foo",
            5,
            "unknown kind \"foo\" (client, server, producer, consumer, internal, unspecified) at 5",
        ),
        (
            "status:bad",
            7,
            "unknown status \"bad\" (error, ok, unset) at 7",
        ),
        (
            "duration>fast",
            9,
            "duration needs a number and a unit, such as 250ms (at 9)",
        ),
        (
            "duration>250",
            9,
            "duration needs a number and a unit, such as 250ms (at 9)",
        ),
        (
            "duration>",
            9,
            "duration needs a number and a unit, such as 250ms (at 9)",
        ),
        (
            "duration>1.2.3ms",
            9,
            "duration needs a number and a unit, such as 250ms (at 9)",
        ),
        (
            "duration>=25xs",
            12,
            "unknown unit \"xs\" (ns, us, ms, s, m, h) at 12",
        ),
        ("duration>9999999999999999h", 9, "duration too long at 9"),
        (
            "duration:1s",
            8,
            "duration compares with <, <=, > or >=, such as duration>250ms (at 8)",
        ),
        ("-", 1, "nothing after \"-\" at 1"),
        ("a - b", 3, "nothing after \"-\" at 3"),
        ("\"\"", 0, "nothing between the quotes at 0"),
        (
            "\"ab\"cd",
            4,
            "expected a space after the closing quote at 4",
        ),
        (
            "ab\"cd\"",
            2,
            "a quote inside a word at 2 (quote the whole text)",
        ),
        ("=500", 0, "nothing before \"=\" at 0"),
        ("size>5", 4, "only duration compares with \">\" (at 4)"),
        (
            "http:x",
            0,
            "unknown field \"http\" (service, op, kind, status; key=value for an attribute; \
             quotes for text with a colon) at 0",
        ),
        // Offsets count characters, not bytes.
        ("ü service:", 10, "nothing after \"service:\" at 10"),
    ];
    for &(query, at, message) in cases {
        let e = fails(query);
        assert_eq!((e.at, e.to_string().as_str()), (at, message), "{query:?}");
    }
}

#[test]
fn any_text_parses_or_fails_without_panicking() {
    let pieces = [
        "a", "\"", "\\", "-", ":", "=", "!", "~", "<", ">", " ", "duration", "kind", "1", ".",
        "ms", "µ", "service", "error",
    ];
    // Every sequence of three pieces.
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let text = format!("{a}{b}{c}");
                if let Err(e) = SpanQuery::parse(&text) {
                    assert!(e.at <= text.chars().count(), "{text:?}: {e}");
                    assert!(
                        e.message.ends_with(&format!("{})", e.at))
                            || e.message.contains(&format!(" at {}", e.at)),
                        "{text:?}: {e}"
                    );
                }
            }
        }
    }
}
