//! Helpers shared by the importers' fixture tests.

use crate::import::import;
use crate::model::{Slice, Span, Store};

/// Imports `doc`, which must load and be detected as `format`.
pub fn load_as(doc: &str, format: &str) -> Store {
    let store = import("test.json", doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.files[0].format, format);
    store
}

/// The first span called `name`.
pub fn span<'s>(store: &'s Store, name: &str) -> &'s Span {
    store
        .spans
        .iter()
        .find(|s| store.strings.get(s.name) == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

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

/// Imports every cut of `doc`, and `doc` with each byte at every `step`-th place replaced by
/// each of `bytes`: none may panic.
pub fn never_panics(doc: &[u8], step: usize, bytes: &[u8]) {
    for cut in 0..doc.len() {
        let _ = import("cut.json", &doc[..cut]);
    }
    for at in (0..doc.len()).step_by(step) {
        for &byte in bytes {
            let mut bad = doc.to_vec();
            bad[at] = byte;
            let _ = import("bad.json", &bad);
        }
    }
}
