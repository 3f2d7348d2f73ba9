//! The bundled example files (`static/examples/`) are exactly what the generator makes, and
//! each one loads cleanly. To change them on purpose, edit `spanorama_gen::examples()` and
//! run `cargo run -p spanorama-gen -- examples static/examples`.

use spanorama_core::import::import;
use spanorama_core::model::{build_traces, TreeWarning};
use spanorama_gen::{self as gen, Format};
use std::path::PathBuf;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static/examples")
}

const REGENERATE: &str = "cargo run -p spanorama-gen -- examples static/examples";

#[test]
fn committed_examples_are_exactly_the_generated_bytes() {
    for example in gen::examples() {
        let path = examples_dir().join(example.file_name);
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `{REGENERATE}`", path.display()));
        let (generated, _) = gen::to_bytes(&example.config, example.format).unwrap();
        assert!(
            committed == generated,
            "{} differs from what the generator makes ({} vs {} bytes); if the change is \
             intended, run `{REGENERATE}`",
            example.file_name,
            committed.len(),
            generated.len()
        );
    }
}

#[test]
fn there_is_no_stray_file_in_the_examples_folder() {
    let expected: Vec<&str> = gen::examples().iter().map(|e| e.file_name).collect();
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(expected.contains(&name.as_str()), "unexpected file {name}");
    }
}

/// (file, format name, traces, spans, error spans)
const EXPECTED: &[(&str, &str, usize, usize, u32)] = &[
    ("shop-checkout.otlp.json", "OTLP JSON", 1, 64, 8),
    ("shop-traces.jaeger.json", "Jaeger JSON", 12, 264, 3),
    ("big-fanout.otlp.json", "OTLP JSON", 1, 5_000, 119),
];

#[test]
fn examples_import_with_the_expected_counts_and_no_missing_parents() {
    assert_eq!(gen::examples().len(), EXPECTED.len());
    for &(file, format, trace_count, span_count, errors) in EXPECTED {
        let bytes = std::fs::read(examples_dir().join(file)).unwrap();
        let store = import(file, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.files[0].format, format, "{file}");
        assert_eq!(store.files[0].warnings, Vec::<String>::new(), "{file}");
        assert!(
            store.span_warnings.is_empty(),
            "{file}: {:?}",
            store.span_warnings.first()
        );
        assert_eq!(store.spans.len(), span_count, "{file}");
        let traces = build_traces(&store);
        assert_eq!(traces.len(), trace_count, "{file}");
        assert_eq!(
            traces.iter().map(|t| t.error_count).sum::<u32>(),
            errors,
            "{file}"
        );
        for t in &traces {
            assert_eq!(t.root_count, 1, "{file}");
            for (_, w) in &t.warnings {
                assert!(
                    matches!(w, TreeWarning::OutsideParent),
                    "{file}: unexpected tree warning {w:?}"
                );
            }
        }
    }
}

#[test]
fn the_examples_match_their_descriptions() {
    let by_name = |name: &str| {
        let bytes = std::fs::read(examples_dir().join(name)).unwrap();
        build_traces(&import(name, &bytes).unwrap())
    };
    // One checkout, several services, a failure that travels up from inventory to the page
    // (server, client, handler … frontend).
    let checkout = by_name("shop-checkout.otlp.json");
    assert!((8..=12).contains(&checkout[0].service_count));
    assert!((4..=8).contains(&checkout[0].error_count));
    // Twelve traces of 5–60 spans.
    for t in by_name("shop-traces.jaeger.json") {
        assert!((5..=60).contains(&t.len()), "{}", t.len());
    }
    // A big trace is a batch job: deep, most services, no long chains.
    let big = by_name("big-fanout.otlp.json");
    assert!((15..=40).contains(big[0].depth.iter().max().unwrap()));
    assert!(big[0].service_count >= 17, "{}", big[0].service_count);
    assert!(gen::examples()
        .iter()
        .all(|e| e.format == Format::Otlp || e.format == Format::Jaeger));
}
