//! Files that cannot be loaded fail with an `ImportError` whose text starts with the file
//! name and says what is wrong and, for broken JSON, where. Odd but readable input loads.

use spanorama_core::import::{import, ImportError};

/// Imports `bytes` as `name`, expecting a failure; checks the message names the file.
fn fails(name: &str, bytes: &[u8]) -> ImportError {
    let err = match import(name, bytes) {
        Ok(store) => panic!(
            "{name}: loaded {} spans, expected an error",
            store.spans.len()
        ),
        Err(err) => err,
    };
    assert_eq!(err.file, name);
    assert!(!err.message.trim().is_empty());
    let text = err.to_string();
    assert!(text.starts_with(&format!("{name}: ")), "{text}");
    err
}

fn assert_mentions(err: &ImportError, words: &[&str]) {
    for word in words {
        assert!(
            err.message.contains(word),
            "{:?} lacks {word:?}",
            err.message
        );
    }
}

const OTLP: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"op","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]}"#;

const JAEGER: &str = r#"{"data":[{"traceID":"0102030405060708","spans":[{"traceID":"0102030405060708","spanID":"0a0b0c0d0e0f1011","operationName":"op","references":[],"startTime":1,"duration":2,"tags":[],"logs":[],"processID":"p1","warnings":null}],"processes":{"p1":{"serviceName":"svc","tags":[]}},"warnings":null}]}"#;

const ZIPKIN: &str = r#"[{"traceId":"0102030405060708","id":"0a0b0c0d0e0f1011","kind":"SERVER","name":"op","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"svc"}}]"#;

const ZIPKIN_V1: &str = r#"[{"traceId":"0102030405060708","id":"0a0b0c0d0e0f1011","name":"op","annotations":[{"timestamp":1,"value":"sr","endpoint":{"serviceName":"svc"}}],"binaryAnnotations":[]}]"#;

#[test]
fn the_reference_documents_load() {
    assert_eq!(import("a.json", OTLP.as_bytes()).unwrap().spans.len(), 1);
    assert_eq!(import("b.json", JAEGER.as_bytes()).unwrap().spans.len(), 1);
    assert_eq!(import("c.json", ZIPKIN.as_bytes()).unwrap().spans.len(), 1);
}

#[test]
fn zipkin_v1_is_read_as_v1() {
    let store = import("v1.json", ZIPKIN_V1.as_bytes()).unwrap();
    assert_eq!(store.files[0].format, "Zipkin v1 JSON");
    assert_eq!(store.spans.len(), 1);
}

#[test]
fn dependency_files_without_links_say_so() {
    let err = fails(
        "deps.json",
        br#"[{"parent": "", "child": "b", "callCount": 1}]"#,
    );
    assert_mentions(
        &err,
        &["Jaeger dependency links", "names a service at both ends"],
    );
    let err = fails(
        "deps.json",
        br#"[{"parent": "a", "child": "b", "callCount": "many"}]"#,
    );
    assert_mentions(
        &err,
        &["Jaeger dependency links", "callCount", "line 1 column"],
    );
}

#[test]
fn an_empty_file_says_empty() {
    assert_mentions(&fails("empty.json", b""), &["empty"]);
}

#[test]
fn a_whitespace_only_file_says_empty() {
    assert_mentions(&fails("blank.json", b"  \n\t\r\n  "), &["empty"]);
    assert_mentions(&fails("bom-only.json", b"\xEF\xBB\xBF \n"), &["empty"]);
}

#[test]
fn text_that_is_not_json_says_where() {
    let err = fails("notes.txt", b"hello world\nthis is not JSON");
    assert_mentions(&err, &["not valid JSON", "line 1"]);
    let err = fails("second-line.json", b"{\"a\": 1,\n  oops}");
    assert_mentions(&err, &["not valid JSON", "line 2", "column"]);
}

#[test]
fn truncated_json_says_line_and_column() {
    // Cut off inside a recognised format…
    let cut = &OTLP[..OTLP.len() / 2];
    let err = fails("cut.otlp.json", cut.as_bytes());
    assert_mentions(&err, &["OTLP JSON", "truncated", "line 1", "column"]);
    let cut = &JAEGER[..JAEGER.len() - 10];
    assert_mentions(
        &fails("cut.jaeger.json", cut.as_bytes()),
        &["Jaeger JSON", "line", "column"],
    );
    let cut = &ZIPKIN[..ZIPKIN.len() - 10];
    assert_mentions(
        &fails("cut.zipkin.json", cut.as_bytes()),
        &["Zipkin v2 JSON", "line 1", "column"],
    );
    // …inside JSON Lines, on the second line…
    let jsonl = format!("{OTLP}\n{}", &OTLP[..40]);
    assert_mentions(&fails("cut.jsonl", jsonl.as_bytes()), &["line 2", "column"]);
    // …and inside JSON of no known format.
    let err = fails("cut.json", b"{\n  \"a\": [1,\n  2");
    assert_mentions(&err, &["not valid JSON", "truncated", "line 3", "column"]);
}

#[test]
fn valid_json_of_no_known_format_lists_the_formats_tried() {
    for doc in [
        &b"{\"hello\": \"world\"}"[..],
        b"[1, 2, 3]",
        b"null",
        b"\"a string\"",
        b"42",
    ] {
        let err = fails("other.json", doc);
        assert_mentions(
            &err,
            &[
                "OTLP JSON",
                "Jaeger JSON",
                "Zipkin v2 JSON",
                "resourceSpans",
                "traceID",
            ],
        );
    }
}

#[test]
fn containers_without_spans_say_no_spans() {
    assert_mentions(
        &fails("none.otlp.json", b"{\"resourceSpans\":[]}"),
        &["no spans"],
    );
    assert_mentions(
        &fails(
            "none.otlp.json",
            b"{\"resourceSpans\":[{\"scopeSpans\":[]}]}",
        ),
        &["no spans"],
    );
    assert_mentions(&fails("none.jaeger.json", b"{\"data\":[]}"), &["no spans"]);
    assert_mentions(
        &fails(
            "none.jaeger.json",
            b"{ \"data\": [ ], \"total\": 0, \"limit\": 0, \"offset\": 0, \"errors\": null }",
        ),
        &["no spans"],
    );
    assert_mentions(
        &fails("none.jaeger.json", b"{\"data\":null}"),
        &["no spans"],
    );
}

#[test]
fn binary_garbage_is_refused_without_panicking() {
    let png = [
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe,
    ];
    assert_mentions(&fails("image.png", &png), &["not valid JSON"]);
    // Pseudo-random bytes, and the same after a `{` so sniffers look harder.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    fails("noise.bin", &noise);
    let mut braced = b"{\"resourceSpans\":".to_vec();
    braced.extend_from_slice(&noise);
    fails("noise.json", &braced);
    let mut nul = OTLP.as_bytes().to_vec();
    nul.insert(30, 0);
    fails("nul.json", &nul);
}

#[test]
fn invalid_utf8_inside_a_string_is_an_error_with_a_position() {
    let doc = OTLP.replace("\"op\"", "\"caf\u{e9}\"");
    let mut bytes = doc.into_bytes();
    // Replace the two-byte UTF-8 é by a lone Latin-1 byte.
    let at = bytes.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
    bytes.splice(at..at + 2, [0xE9]);
    assert_mentions(&fails("latin1.json", &bytes), &["line 1", "column"]);
}

#[test]
fn a_utf8_byte_order_mark_is_ignored() {
    for (name, doc, format) in [
        ("bom.otlp.json", OTLP, "OTLP JSON"),
        ("bom.jaeger.json", JAEGER, "Jaeger JSON"),
        ("bom.zipkin.json", ZIPKIN, "Zipkin v2 JSON"),
    ] {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(doc.as_bytes());
        let store = import(name, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.files[0].format, format);
        assert_eq!(store.spans.len(), 1);
    }
}

#[test]
fn a_wrong_type_where_a_list_belongs_says_what_and_where() {
    let err = fails("wrong.json", b"{\"resourceSpans\": 5}");
    assert_mentions(&err, &["OTLP JSON", "line 1", "column"]);
}
