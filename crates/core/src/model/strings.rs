//! String interning: every service name, operation name, attribute key and string value is
//! stored once and referred to by a 4-byte [`StrId`].
//!
//! All strings live back to back in one `String`; a hash table holds only ids and hashes by
//! looking the bytes up in that buffer, so each distinct string costs its bytes plus about
//! 12 bytes of bookkeeping.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Index of an interned string. `StrId::EMPTY` is the empty string.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct StrId(pub u32);

impl StrId {
    /// The empty string, present in every interner.
    pub const EMPTY: StrId = StrId(0);
}

/// Deduplicating string store.
#[derive(Clone)]
pub struct Interner {
    bytes: String,
    /// `ends[i]` is the end offset of string `i` in `bytes`; string `i` starts at `ends[i-1]`.
    ends: Vec<usize>,
    table: HashTable<u32>,
    /// True when strings were added by [`Interner::push_decoded`] and `table` does not
    /// index them yet; the next `intern` rebuilds it.
    table_stale: bool,
    hasher: rustc_hash::FxBuildHasher,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            bytes: String::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            table_stale: false,
            hasher: rustc_hash::FxBuildHasher,
        };
        interner.intern("");
        interner
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} strings)", self.ends.len())
    }
}

impl Interner {
    /// Returns the id of `s`, adding it if it is new.
    pub fn intern(&mut self, s: &str) -> StrId {
        if self.table_stale {
            self.rebuild_table();
        }
        let hash = self.hasher.hash_one(s);
        let Interner {
            bytes,
            ends,
            table,
            hasher,
            ..
        } = self;
        let lookup = |id: &u32| slice(bytes, ends, *id) == s;
        if let Some(id) = table.find(hash, lookup) {
            return StrId(*id);
        }
        let id = ends.len() as u32;
        bytes.push_str(s);
        ends.push(bytes.len());
        table.insert_unique(hash, id, |id| hasher.hash_one(slice(bytes, ends, *id)));
        StrId(id)
    }

    /// Appends a string that is known to be distinct from all others, without indexing it
    /// (for decoding a transferred model: `push_decoded` in id order reproduces the ids, and
    /// the page, which only reads strings, never pays for the hash table).
    pub fn push_decoded(&mut self, s: &str) {
        if self.ends.len() == 1 && s.is_empty() {
            return; // the empty string every interner starts with
        }
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        self.table_stale = true;
    }

    /// Makes room for `strings` more strings of `bytes` bytes in all.
    pub fn reserve(&mut self, strings: usize, bytes: usize) {
        self.bytes.reserve_exact(bytes);
        self.ends.reserve_exact(strings);
    }

    fn rebuild_table(&mut self) {
        let Interner {
            bytes,
            ends,
            table,
            hasher,
            table_stale,
        } = self;
        table.clear();
        for id in 0..ends.len() as u32 {
            let hash = hasher.hash_one(slice(bytes, ends, id));
            table.insert_unique(hash, id, |id| hasher.hash_one(slice(bytes, ends, *id)));
        }
        *table_stale = false;
    }

    /// The id of `s` if it was interned, without adding it.
    pub fn lookup(&self, s: &str) -> Option<StrId> {
        if self.table_stale {
            return (0..self.ends.len() as u32)
                .find(|&id| slice(&self.bytes, &self.ends, id) == s)
                .map(StrId);
        }
        let hash = self.hasher.hash_one(s);
        self.table
            .find(hash, |id| slice(&self.bytes, &self.ends, *id) == s)
            .map(|id| StrId(*id))
    }

    /// For every string (indexed by id), whether it contains `needle`, ignoring ASCII case.
    /// One pass over all the text at once (`memchr` for the needle's first byte in either
    /// case), instead of a search per string: at a million spans there are ~100k strings.
    pub fn contains_ignore_ascii_case(&self, needle: &str) -> Vec<bool> {
        let mut hit = vec![false; self.ends.len()];
        let needle = needle.as_bytes();
        let Some(&first) = needle.first() else {
            hit.fill(true);
            return hit;
        };
        let text = self.bytes.as_bytes();
        let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
        // `id` is the string that holds position `at` (its end is past `at`).
        let mut id = 0usize;
        let mut from = 0usize;
        while let Some(found) = text
            .get(from..)
            .and_then(|rest| memchr::memchr2(lower, upper, rest))
        {
            let at = from + found;
            while self.ends.get(id).is_some_and(|&end| end <= at) {
                id += 1;
            }
            let Some(&end) = self.ends.get(id) else { break };
            let fits = at + needle.len() <= end;
            if fits && text[at..at + needle.len()].eq_ignore_ascii_case(needle) {
                if let Some(h) = hit.get_mut(id) {
                    *h = true;
                }
                from = end; // the rest of this string cannot matter
            } else {
                from = at + 1;
            }
        }
        hit
    }

    /// The text of an id. An id from another interner that is out of range yields "".
    pub fn get(&self, id: StrId) -> &str {
        slice(&self.bytes, &self.ends, id.0)
    }

    /// Number of distinct strings (including the empty string).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Always false: the empty string is always present.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8 + self.table.capacity() * 5
    }
}

fn slice<'a>(bytes: &'a str, ends: &[usize], id: u32) -> &'a str {
    let i = id as usize;
    let end = match ends.get(i) {
        Some(end) => *end,
        None => return "",
    };
    let start = if i == 0 { 0 } else { ends[i - 1] };
    bytes.get(start..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_search_covers_every_string_and_no_straddling() {
        let mut i = Interner::default();
        let words = [
            "frontend",
            "Postgres",
            "gres",
            "po",
            "stGRES db",
            "xpostgresx",
            "p",
        ];
        let ids: Vec<StrId> = words.iter().map(|w| i.intern(w)).collect();
        let hit = i.contains_ignore_ascii_case("postgres");
        let expect = [false, true, false, false, false, true, false];
        for ((w, id), e) in words.iter().zip(&ids).zip(expect) {
            assert_eq!(hit[id.0 as usize], e, "{w}");
        }
        // "po" + "stGRES db" are neighbours in the buffer, but no string holds "postgres".
        let hit = i.contains_ignore_ascii_case("gres");
        let expect = [false, true, true, false, true, true, false];
        for ((w, id), e) in words.iter().zip(&ids).zip(expect) {
            assert_eq!(hit[id.0 as usize], e, "{w}");
        }
        assert!(
            i.contains_ignore_ascii_case("P")
                .iter()
                .filter(|h| **h)
                .count()
                == 4
        );
        assert!(!i.contains_ignore_ascii_case("zz").contains(&true));
        // Agrees with a plain per-string search on random-ish text.
        let mut j = Interner::default();
        let mut seed = 7u64;
        for _ in 0..2000 {
            let len = (seed % 7) as usize;
            let s: String = (0..len)
                .map(|k| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    [b'a', b'B', b'b', b'A', b'c'][((seed >> 33) as usize + k) % 5] as char
                })
                .collect();
            j.intern(&s);
        }
        for needle in ["ab", "AbA", "c", "bb", "abcab"] {
            let fast = j.contains_ignore_ascii_case(needle);
            for id in 0..j.len() as u32 {
                let text = j.get(StrId(id)).to_ascii_lowercase();
                assert_eq!(
                    fast[id as usize],
                    text.contains(&needle.to_ascii_lowercase()),
                    "{needle} in {text}"
                );
            }
        }
    }

    #[test]
    fn interning_dedupes_and_round_trips() {
        let mut i = Interner::default();
        assert_eq!(i.intern(""), StrId::EMPTY);
        let a = i.intern("frontend");
        let b = i.intern("backend");
        assert_ne!(a, b);
        assert_eq!(i.intern("frontend"), a);
        assert_eq!(i.get(a), "frontend");
        assert_eq!(i.get(b), "backend");
        assert_eq!(i.lookup("backend"), Some(b));
        assert_eq!(i.lookup("nope"), None);
        assert_eq!(i.get(StrId(999)), "");
        for n in 0..10_000 {
            i.intern(&format!("s{n}"));
        }
        assert_eq!(i.get(i.lookup("s1234").unwrap()), "s1234");
        assert_eq!(i.len(), 3 + 10_000);
    }
}
