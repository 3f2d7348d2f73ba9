//! Helpers shared by the importers' fixture tests.

use crate::model::{Slice, Span, Store};

/// Attributes as (key, display text), in order.
pub fn attrs(store: &Store, slice: Slice) -> Vec<(String, String)> {
    store
        .attrs_of(slice)
        .iter()
        .map(|a| {
            let key = store.strings.get(a.key).to_string();
            (key, a.value.display(&store.strings))
        })
        .collect()
}

/// Owned (key, value) pairs, to compare with [`attrs`].
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Imports `doc`, which must load as `format`.
pub fn load_as(format: &str, doc: &str) -> Store {
    let store = super::import("test.json", doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.files[0].format, format);
    store
}

/// Every tree warning of every trace of `store`.
pub fn tree_warnings(store: &Store) -> Vec<crate::model::TreeWarning> {
    crate::model::build_traces(store)
        .iter()
        .flat_map(|t| t.warnings.iter().map(|(_, w)| *w))
        .collect()
}

/// Imports every prefix of `doc`, and copies with bytes replaced here and there: none may
/// panic (what they return does not matter).
pub fn cut_and_corrupt(doc: &[u8]) {
    never_panics(doc, 3, b"\"}0\xFF");
}

/// Imports every cut of `doc`, and `doc` with the byte at every `step`-th place replaced by
/// each of `bytes`: none may panic.
pub fn never_panics(doc: &[u8], step: usize, bytes: &[u8]) {
    for cut in 0..doc.len() {
        let _ = super::import("cut.json", &doc[..cut]);
    }
    for at in (0..doc.len()).step_by(step) {
        for &byte in bytes {
            let mut bad = doc.to_vec();
            bad[at] = byte;
            let _ = super::import("bad.json", &bad);
        }
    }
}

/// The first span called `name`.
pub fn span<'s>(store: &'s Store, name: &str) -> &'s Span {
    store
        .spans
        .iter()
        .find(|s| store.strings.get(s.name) == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

/// True when a file warning of `store` contains `text`.
pub fn file_warns(store: &Store, text: &str) -> bool {
    store
        .files
        .iter()
        .flat_map(|f| &f.warnings)
        .any(|w| w.contains(text))
}

/// Asserts that `store` is one clean tree (no tree warnings, one root) `depth` deep.
pub fn assert_one_tree(store: &Store, depth: u32) {
    let warnings = tree_warnings(store);
    assert!(warnings.is_empty(), "{warnings:?}");
    let traces = crate::model::build_traces(store);
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].root_count, 1);
    assert_eq!(traces[0].depth.iter().max(), Some(&depth));
}

/// Asserts that `doc` fails to load, with a message that names `format` and says where.
pub fn assert_fails_where(format: &str, doc: &[u8]) {
    let err = super::import("cut.json", doc).unwrap_err();
    assert!(err.message.contains(format), "{err}");
    assert!(err.message.contains("line 1 column"), "{err}");
}
