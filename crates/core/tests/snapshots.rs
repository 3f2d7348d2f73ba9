//! Importer snapshot tests: every file under `tests/fixtures/<format>/` is a small document
//! showing one quirk of its format; it is imported and rendered to text (`common::render`:
//! the detected format, spans in tree order with ids, times, kinds, services, status,
//! attributes, events, links and warnings, then resources and file warnings), and that text
//! must equal the fixture's snapshot, the file of the same name plus `.snap` next to it.
//! Fixtures named `reject-…` must fail to load; their snapshot is `error: ` and the message.
//!
//! A missing or different snapshot fails the test, which prints every difference. To bless
//! (write or rewrite the snapshots from what the importers do now), deliberately:
//!
//! ```text
//! SPANORAMA_BLESS=1 cargo test -p spanorama-core --test snapshots
//! ```
//!
//! then read each changed `.snap` against its fixture and the format's spec (`git diff`)
//! before committing it. Blessing is refused when `CI` is set.

mod common;

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The format each fixture directory's documents must be detected as.
const FORMATS: &[(&str, &str)] = &[
    ("datadog", "Datadog JSON"),
    ("jaeger", "Jaeger JSON"),
    ("jaeger_deps", "Jaeger dependency links"),
    ("jaeger_proto", "Jaeger api_v2 protobuf-JSON"),
    ("newrelic", "New Relic JSON"),
    ("otlp", "OTLP JSON"),
    ("xray", "AWS X-Ray JSON"),
    ("xray_graph", "AWS X-Ray service graph"),
    ("zipkin", "Zipkin v2 JSON"),
    ("zipkin1", "Zipkin v1 JSON"),
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture (not a snapshot), sorted by path.
fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (dir, _) in FORMATS {
        let dir = fixtures_dir().join(dir);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() && path.extension().is_some_and(|e| e != "snap") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn snapshot_path(fixture: &Path) -> PathBuf {
    let mut name = fixture.file_name().unwrap().to_os_string();
    name.push(".snap");
    fixture.with_file_name(name)
}

fn blessing() -> bool {
    let bless = std::env::var("SPANORAMA_BLESS").is_ok_and(|v| v == "1");
    if bless && std::env::var_os("CI").is_some() {
        panic!(
            "SPANORAMA_BLESS is refused when CI is set: bless locally and commit the .snap files"
        );
    }
    bless
}

#[test]
fn every_fixture_imports_as_its_snapshot_says() {
    let bless = blessing();
    let mut problems = String::new();
    let mut blessed = Vec::new();
    let fixtures = fixtures();
    for fixture in &fixtures {
        let dir = fixture
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let name = fixture.file_name().unwrap().to_str().unwrap();
        let bytes = std::fs::read(fixture).unwrap();
        let got = common::render_import(name, &bytes);

        // What no snapshot can bless away: rejects fail, the rest load as the format of
        // their directory.
        let want_format = FORMATS.iter().find(|(d, _)| *d == dir).unwrap().1;
        if name.starts_with("reject-") {
            if !got.starts_with("error: ") {
                let _ = writeln!(
                    problems,
                    "{dir}/{name}: loaded, but a reject- fixture must fail"
                );
            }
        } else if got.lines().next() != Some(&format!("format: {want_format}")) {
            let first = got.lines().next().unwrap_or("");
            let _ = writeln!(problems, "{dir}/{name}: not read as {want_format}: {first}");
        }

        let snap = snapshot_path(fixture);
        match std::fs::read_to_string(&snap) {
            Ok(want) if want == got => {}
            found => {
                if bless {
                    std::fs::write(&snap, &got).unwrap();
                    blessed.push(format!("{dir}/{name}"));
                } else if let Ok(want) = found {
                    let _ = writeln!(
                        problems,
                        "{dir}/{name}: differs from its snapshot (- snapshot, + now)\n{}",
                        diff(&want, &got)
                    );
                } else {
                    let _ = writeln!(
                        problems,
                        "{dir}/{name}: no snapshot {}; it would be:\n{got}",
                        snap.display()
                    );
                }
            }
        }
    }
    // A snapshot whose fixture is gone is stale.
    for (dir, _) in FORMATS {
        for entry in std::fs::read_dir(fixtures_dir().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "snap")
                && !fixtures.contains(&path.with_extension(""))
            {
                let _ = writeln!(problems, "{}: snapshot without a fixture", path.display());
            }
        }
    }
    if !blessed.is_empty() {
        eprintln!(
            "blessed {} snapshot(s): {}",
            blessed.len(),
            blessed.join(", ")
        );
    }
    assert!(
        problems.is_empty(),
        "{problems}\nIf the new output is right, bless it: SPANORAMA_BLESS=1 cargo test -p spanorama-core --test snapshots"
    );
}

/// Each format has a few fixtures, at least one of them a file it must reject; no fixture
/// directory is left out of [`FORMATS`] (its files would never be checked).
#[test]
fn every_format_has_fixtures() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            !path.is_dir() || FORMATS.iter().any(|(d, _)| *d == name),
            "fixtures/{name} is not in FORMATS"
        );
    }
    let fixtures = fixtures();
    for (dir, _) in FORMATS {
        let names: Vec<&str> = fixtures
            .iter()
            .filter(|f| f.parent().unwrap().ends_with(dir))
            .map(|f| f.file_name().unwrap().to_str().unwrap())
            .collect();
        assert!(names.len() >= 4, "{dir}: only {names:?}");
        assert!(
            names.iter().any(|n| n.starts_with("reject-")),
            "{dir}: no reject- fixture in {names:?}"
        );
    }
}

/// A line diff of two snapshots: the lines only in the snapshot (`-`) and only in the new
/// output (`+`), in order, with their line numbers. Enough to see what changed in a small
/// snapshot; the full texts are the `.snap` file and the blessed output.
fn diff(want: &str, got: &str) -> String {
    let want: Vec<&str> = want.lines().collect();
    let got: Vec<&str> = got.lines().collect();
    // Longest common subsequence, table from the ends (snapshots are a few dozen lines).
    let (n, m) = (want.len(), got.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if want[i] == got[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && want[i] == got[j] {
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "  -{:>3} {}", i + 1, want[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "  +{:>3} {}", j + 1, got[j]);
            j += 1;
        }
    }
    out
}
