//! Gzip-compressed files: detected by their magic bytes (not their name), decompressed, then
//! read like any file; truncated, corrupt or non-trace contents get messages naming the file.

use flate2::{write::GzEncoder, Compression};
use spanorama_core::import::import;
use spanorama_core::model::{Store, StrId};
use std::io::Write;
use std::path::Path;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Panics unless `a` and `b` hold the same spans, strings and everything they refer to.
fn assert_same_store(a: &Store, b: &Store, what: &str) {
    assert_eq!(a.spans, b.spans, "{what}: spans");
    assert_eq!(a.attrs, b.attrs, "{what}: attrs");
    assert_eq!(a.events, b.events, "{what}: events");
    assert_eq!(a.links, b.links, "{what}: links");
    assert_eq!(a.resources, b.resources, "{what}: resources");
    assert_eq!(a.span_warnings, b.span_warnings, "{what}: span warnings");
    assert_eq!(a.span_id_text, b.span_id_text, "{what}: span id text");
    assert_eq!(a.trace_id_text, b.trace_id_text, "{what}: trace id text");
    assert_eq!(a.files, b.files, "{what}: files");
    assert_eq!(a.strings.len(), b.strings.len(), "{what}: strings");
    for i in 0..a.strings.len() as u32 {
        assert_eq!(a.strings.get(StrId(i)), b.strings.get(StrId(i)), "{what}");
    }
}

const ZIPKIN: &str = r#"[{"traceId":"0102030405060708","id":"0a0b0c0d0e0f1011","kind":"SERVER",
    "name":"op","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"svc"}}]"#;

#[test]
fn a_gzipped_file_loads_as_the_plain_file_whatever_its_name() {
    let plain = import("trace.json", ZIPKIN.as_bytes()).unwrap();
    for name in ["trace.json", "trace.json.gz", "upload.bin"] {
        let store = import(name, &gzip(ZIPKIN.as_bytes())).unwrap_or_else(|e| panic!("{e}"));
        let mut want = plain.clone();
        want.files[0].name = name.to_string();
        assert_same_store(&store, &want, name);
    }
    // Concatenated members are one stream.
    let (head, tail) = ZIPKIN.split_at(40);
    let mut members = gzip(head.as_bytes());
    members.extend(gzip(tail.as_bytes()));
    assert_same_store(&import("trace.json", &members).unwrap(), &plain, "members");
    // A byte-order mark inside the gzip is dropped as for a plain file.
    let bom = [b"\xEF\xBB\xBF".as_slice(), ZIPKIN.as_bytes()].concat();
    assert_eq!(import("bom.gz", &gzip(&bom)).unwrap().spans, plain.spans);
}

#[test]
fn every_readable_corpus_file_gzipped_gives_the_same_store() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("SKIPPED: no corpus at {}", corpus.display());
        return;
    }
    let mut checked = 0;
    for folder in ["otlp", "jaeger", "jaeger-proto", "zipkin1", "zipkin2"] {
        let mut names: Vec<_> = std::fs::read_dir(corpus.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for path in names {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            let plain = import(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
            let gz = import(&name, &gzip(&bytes)).unwrap_or_else(|e| panic!("{e}"));
            assert_same_store(&gz, &plain, &name);
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} files");
}

#[test]
fn truncated_and_corrupt_gzip_say_so_and_name_the_file() {
    // Big enough that a cut lands well inside the deflate data.
    let doc = vec![ZIPKIN; 2_000].join("\n");
    let gz = gzip(doc.as_bytes());
    let err = import("cut.json.gz", &gz[..gz.len() / 2]).unwrap_err();
    assert_eq!(err.file, "cut.json.gz");
    assert!(
        err.message.starts_with("the gzip data is truncated after ")
            && err.message.ends_with(" of output"),
        "{err}"
    );
    let mut bad = gz.clone();
    let crc = bad.len() - 8;
    bad[crc] ^= 1;
    let err = import("bad.gz", &bad).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("bad.gz: the gzip data is corrupt after "),
        "{err}"
    );
    let err = import("magic-only.gz", &[0x1f, 0x8b]).unwrap_err();
    assert!(err.message.contains("gzip data is"), "{err}");
}

#[test]
fn a_gzip_of_something_else_gets_the_usual_message() {
    let err = import("notes.txt.gz", &gzip(b"just some notes, not JSON")).unwrap_err();
    assert_eq!(err.file, "notes.txt.gz");
    assert!(err.message.starts_with("not valid JSON"), "{err}");
    let err = import("empty.gz", &gzip(b"")).unwrap_err();
    assert!(err.message.contains("empty"), "{err}");
    let err = import("other.json.gz", &gzip(br#"{"hello": "world"}"#)).unwrap_err();
    assert!(err.message.contains("not a trace format"), "{err}");
}
