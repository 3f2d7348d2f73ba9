//! The core never touches the browser: no crate it depends on, directly or through others,
//! is one of the browser binding crates (the guide's rule, kept by the crate graph as rerun
//! keeps its own). Read from the workspace's `Cargo.lock`, which lists every package with the
//! packages it depends on.

use std::collections::{BTreeMap, BTreeSet};

/// Crates that only make sense in a browser.
const BROWSER_CRATES: [&str; 7] = [
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "wasm-bindgen-futures",
    "yew",
    "gloo",
    "spanorama",
];

#[test]
fn the_core_depends_on_no_browser_crate() {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    let lock = std::fs::read_to_string(lock_path).expect("the workspace's Cargo.lock");
    let graph = dependency_graph(&lock);
    assert!(
        graph.contains_key("spanorama-core"),
        "no spanorama-core in Cargo.lock"
    );
    // Every package reachable from the core.
    let mut seen = BTreeSet::new();
    let mut todo = vec!["spanorama-core".to_string()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        todo.extend(graph.get(&name).into_iter().flatten().cloned());
    }
    assert!(
        seen.contains("serde_json"),
        "the graph was not read: {seen:?}"
    );
    let browser: Vec<_> = BROWSER_CRATES
        .iter()
        .filter(|c| seen.contains(**c))
        .collect();
    assert!(browser.is_empty(), "the core depends on {browser:?}");
}

/// Package name → names of the packages it depends on (versions dropped).
fn dependency_graph(lock: &str) -> BTreeMap<String, Vec<String>> {
    let mut graph = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let mut name = None;
        let mut deps = Vec::new();
        let mut in_deps = false;
        for line in package.lines().map(str::trim) {
            if let Some(n) = line.strip_prefix("name = ") {
                name = Some(n.trim_matches('"').to_string());
            } else if line.starts_with("dependencies = [") {
                in_deps = true;
            } else if in_deps && line == "]" {
                in_deps = false;
            } else if in_deps {
                let dep = line.trim_matches(|c| c == '"' || c == ',');
                deps.push(dep.split(' ').next().unwrap_or(dep).to_string());
            }
        }
        if let Some(name) = name {
            graph.entry(name).or_insert_with(Vec::new).extend(deps);
        }
    }
    graph
}
