//! Importers: sniff the format of a file from its content, parse it into a [`Store`], and
//! collect warnings. Only an unreadable file is an [`ImportError`]; odd data is a warning.
//!
//! Every importer is a module with the same surface: a cheap [`Sniff`] over the first bytes,
//! and a parse into a fresh [`Store`]. Detection is by content, never by file name. To add a
//! format, add a module and list it in [`IMPORTERS`].

mod builder;
mod datadog;
mod dependencies;
mod gzip;
pub mod ids;
mod jaeger;
mod jaeger_proto;
mod json;
mod newrelic;
mod otlp;
mod scan;
mod stream;
mod xray;
mod zipkin;
mod zipkin1;

#[cfg(test)]
mod test_util;

pub use builder::StoreBuilder;
pub use stream::StreamImport;

use crate::model::{FileInfo, SpanKind, Store, StrId, Value};
use std::fmt;

/// How sure an importer is, from a look at the start of a file, that it can read it.
#[derive(Copy, Clone, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Sniff {
    No,
    Maybe,
    Yes,
}

/// One importer's surface.
pub struct Importer {
    /// Human name of the format, shown to the user ("OTLP JSON").
    pub name: &'static str,
    /// Looks at the first bytes (at most [`SNIFF_BYTES`]) of a file.
    pub sniff: fn(head: &[u8]) -> Sniff,
    /// Parses a whole file into `builder`; `Err` is a user-facing reason.
    pub parse: fn(bytes: &[u8], builder: &mut StoreBuilder) -> Result<(), String>,
    /// What `sniff` looks for, for the "formats tried" message.
    pub looks_for: &'static str,
}

/// The importers, in order of preference when several say the same.
pub const IMPORTERS: &[Importer] = &[
    otlp::IMPORTER,
    jaeger::IMPORTER,
    jaeger_proto::IMPORTER,
    zipkin::IMPORTER,
    zipkin1::IMPORTER,
    xray::IMPORTER,
    datadog::IMPORTER,
    newrelic::IMPORTER,
    dependencies::JAEGER,
    dependencies::XRAY,
];

/// Largest file content Spanorama reads, in bytes (1.5 GiB): a wasm32 instance has at most
/// 4 GiB of memory, and the file's bytes, the spans made from them and the model already
/// loaded must all fit. The import worker refuses bigger files before reading them; a gzip
/// file must not decompress to more.
pub const MAX_FILE_BYTES: usize = 1536 * 1024 * 1024;

/// How many leading bytes sniffers see.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Why a file could not be loaded. Displays as `"<file>: <message>"`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ImportError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ImportError {}

/// Detects the format of `bytes` and imports them. `file_name` is used only in messages and
/// in the returned [`FileInfo`]. The returned store holds exactly one file.
pub fn import(file_name: &str, bytes: &[u8]) -> Result<Store, ImportError> {
    import_with_progress(file_name, bytes, &mut |_| {})
}

/// [`import`], calling `on_progress` with the number of spans parsed so far every
/// [`builder::PROGRESS_EVERY_SPANS`] spans (the count restarts if a second format is tried).
/// Gzip data (magic bytes `1f 8b`) is decompressed first, up to [`MAX_FILE_BYTES`]; the
/// returned [`FileInfo::bytes`] is then the decompressed size.
pub fn import_with_progress(
    file_name: &str,
    bytes: &[u8],
    on_progress: &mut dyn FnMut(usize),
) -> Result<Store, ImportError> {
    let fail = |message: String| ImportError {
        file: file_name.to_string(),
        message,
    };
    // Gzip (by its magic bytes, whatever the name): decompressed, then read like any file.
    let decompressed;
    let bytes = if gzip::is_gzip(bytes) {
        decompressed = gzip::gunzip_file(bytes).map_err(fail)?;
        &decompressed[..]
    } else {
        bytes
    };
    let bytes = strip_bom(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail("the file is empty".into()));
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let candidates = candidates(head);

    if candidates.is_empty() {
        if let Some(format) = recognise_unsupported(head) {
            let readable: Vec<&str> = IMPORTERS.iter().map(|imp| imp.name).collect();
            let readable = match readable.split_last() {
                Some((last, [])) => last.to_string(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            };
            return Err(fail(format!(
                "this looks like {format}, which Spanorama cannot read yet (it reads {readable})"
            )));
        }
        // Nobody recognised it: say whether it is JSON at all, then what was tried.
        if let Err(e) = json::check_syntax(bytes) {
            return Err(fail(format!("not valid JSON: {e}")));
        }
        let tried: Vec<String> = IMPORTERS
            .iter()
            .map(|imp| format!("{} (looks for {})", imp.name, imp.looks_for))
            .collect();
        return Err(fail(format!(
            "valid JSON, but not a trace format Spanorama reads. Tried: {}",
            tried.join("; ")
        )));
    }

    let mut failures = Vec::new();
    for (_, imp) in &candidates {
        let mut builder = StoreBuilder::with_progress(on_progress);
        builder.set_input_len(bytes.len());
        match (imp.parse)(bytes, &mut builder) {
            Ok(()) => {
                if builder.span_count() == 0 && builder.store().dependencies.is_empty() {
                    failures.push(format!("{}: the file contains no spans", imp.name));
                    continue;
                }
                return Ok(finish(builder, file_name, imp, bytes.len()));
            }
            Err(message) => failures.push(format!("{}: {message}", imp.name)),
        }
    }
    if failures.len() == 1 {
        Err(fail(failures.remove(0)))
    } else {
        Err(fail(format!(
            "no format could read it. {}",
            failures.join("; ")
        )))
    }
}

/// The importers whose sniff of `head` is not [`Sniff::No`], surest first (in
/// [`IMPORTERS`] order among equals).
fn candidates(head: &[u8]) -> Vec<(Sniff, &'static Importer)> {
    let mut candidates: Vec<(Sniff, &Importer)> = IMPORTERS
        .iter()
        .map(|imp| ((imp.sniff)(head), imp))
        .filter(|(s, _)| *s != Sniff::No)
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    candidates
}

/// The store of a file that `imp` read (`len` bytes of content).
fn finish(builder: StoreBuilder, file_name: &str, imp: &Importer, len: usize) -> Store {
    let info = FileInfo {
        name: file_name.to_string(),
        format: imp.name.to_string(),
        bytes: len,
        span_count: builder.span_count(),
        trace_count: 0,
        warnings: Vec::new(),
    };
    builder.finish(info)
}

/// Formats we can recognise but not yet read, so the user gets a precise message.
fn recognise_unsupported(head: &[u8]) -> Option<&'static str> {
    let k = |key: &str| has_key(head, key);
    if k("TraceSummaries") {
        return Some(
            "AWS X-Ray trace summaries (get-trace-summaries output: trace ids and statistics, \
             not spans; export the traces with batch-get-traces)",
        );
    }
    if k("traceEvents") || (k("ph") && k("ts")) {
        return Some("a Chrome Trace Event file (a profile, not distributed traces)");
    }
    None
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// True when `head` contains the JSON key `"key"` (followed by optional space and a colon).
pub(crate) fn has_key(head: &[u8], key: &str) -> bool {
    let needle = format!("\"{key}\"");
    let needle = needle.as_bytes();
    let mut from = 0;
    while let Some(at) = find(&head[from..], needle) {
        let after = from + at + needle.len();
        let rest = head[after..].iter().find(|b| !b.is_ascii_whitespace());
        if rest == Some(&b':') {
            return true;
        }
        from = after;
    }
    false
}

/// Where `needle` first occurs in `hay`. Compares only where the first byte matches (the
/// format sniffing looks for a few dozen keys in a file's first 64 KB, and comparing a
/// window at every byte is slow in wasm).
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.iter().position(|&b| b == first) {
        let at = from + i;
        if hay.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// [`SpanKind::from_name`] without its allocation (importers call it once per span).
pub(crate) fn span_kind_from_name(name: &str) -> SpanKind {
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    if is("internal") {
        SpanKind::Internal
    } else if is("server") || is("rpc.server") {
        SpanKind::Server
    } else if is("client") || is("rpc.client") {
        SpanKind::Client
    } else if is("producer") {
        SpanKind::Producer
    } else if is("consumer") {
        SpanKind::Consumer
    } else {
        SpanKind::Unspecified
    }
}

/// The type a tag declares for its value (Jaeger's `type`/`vType`, Zipkin v1's `type`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Declared {
    /// No type, or a string type: the value's JSON type decides.
    Any,
    Int,
    Float,
    Bool,
    /// Binary data, written as base64 text.
    Bytes,
}

impl Declared {
    /// From a type name of any case: Jaeger's `int64`/`float64`/`bool`/`binary`/`string`,
    /// protobuf enum names (`INT64`, …) and Zipkin v1's `I16`/`I32`/`I64`/`DOUBLE`/`BOOL`/
    /// `BYTES`/`STRING`. Unknown names are [`Declared::Any`].
    pub fn from_name(name: &str) -> Declared {
        let is = |s: &str| name.eq_ignore_ascii_case(s);
        if is("int64") || is("i64") || is("i32") || is("i16") {
            Declared::Int
        } else if is("float64") || is("double") {
            Declared::Float
        } else if is("bool") {
            Declared::Bool
        } else if is("binary") || is("bytes") {
            Declared::Bytes
        } else {
            Declared::Any
        }
    }
}

/// A JSON value as an attribute value, typed by `declared` when it is a string written for
/// another type (64-bit integers beyond 2^53 arrive as strings, and are read as integers,
/// never through `f64`); else by its JSON type. Integers beyond `i64` keep their digits as
/// text; arrays and objects become compact JSON text; `null` is the empty string.
pub(crate) fn typed_value(b: &mut StoreBuilder, declared: Declared, raw: &scan::Raw<'_>) -> Value {
    use scan::{trim, Num, Raw};
    match raw {
        Raw::Str(s) if declared == Declared::Int => match trim(s).parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(b.intern(s)),
        },
        Raw::Str(s) if declared == Declared::Float => match trim(s).parse::<f64>() {
            Ok(f) => Value::Float(f),
            Err(_) => Value::Str(b.intern(s)),
        },
        Raw::Str(s) if declared == Declared::Bool => match trim(s) {
            t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
            t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => Value::Str(b.intern(s)),
        },
        Raw::Str(s) if declared == Declared::Bytes => Value::Bytes(b.intern(s)),
        Raw::Str(s) => Value::Str(b.intern(s)),
        Raw::Bool(x) => Value::Bool(*x),
        Raw::Num(Num::I(i)) => Value::Int(*i),
        Raw::Num(Num::U(u)) => match i64::try_from(*u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(b.intern(&u.to_string())),
        },
        Raw::Num(Num::F(f)) => Value::Float(*f),
        // Rare, so parsing again to drop the writer's white space costs nothing that matters.
        Raw::Nested(text) => {
            let compact = serde_json::from_str::<serde_json::Value>(text)
                .map_or_else(|_| text.to_string(), |v| v.to_string());
            Value::Json(b.intern(&compact))
        }
        Raw::Null => Value::Str(StrId::EMPTY),
    }
}

/// [`typed_value`] without a declared type.
pub(crate) fn raw_value(b: &mut StoreBuilder, raw: &scan::Raw<'_>) -> Value {
    typed_value(b, Declared::Any, raw)
}

/// First non-whitespace byte.
pub(crate) fn first_byte(head: &[u8]) -> Option<u8> {
    head.iter().copied().find(|b| !b.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xray_summaries_are_refused_by_name() {
        let summaries = br#"{"TraceSummaries": [{"Id": "1-5d82881a-0a9126e92a73e971eed891b9",
            "Duration": 0.232, "HasFault": false}], "ApproximateTime": 1568835600.0}"#;
        let e = import("summaries.json", summaries).unwrap_err();
        assert!(e.message.contains("trace summaries"), "{e}");
        assert!(e.message.contains("batch-get-traces"), "{e}");
    }

    #[test]
    fn span_kind_names_match_the_model() {
        for name in [
            "server",
            "SERVER",
            "Client",
            "rpc.server",
            "RPC.CLIENT",
            "producer",
            "consumer",
            "internal",
            "INTERNAL",
            "",
            "other",
            "ſerver",
        ] {
            assert_eq!(
                span_kind_from_name(name),
                SpanKind::from_name(name),
                "{name}"
            );
        }
    }

    #[test]
    fn find_finds_the_first_occurrence() {
        assert_eq!(find(b"abcabc", b"bc"), Some(1));
        assert_eq!(find(b"aab", b"ab"), Some(1));
        assert_eq!(find(b"abc", b"c"), Some(2));
        assert_eq!(find(b"abc", b"cd"), None);
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"", b"a"), None);
        assert_eq!(find(b"abc", b""), Some(0));
    }

    #[test]
    fn has_key_needs_a_colon() {
        assert!(has_key(br#"{"resourceSpans" : []}"#, "resourceSpans"));
        assert!(!has_key(br#"{"a": "resourceSpans"}"#, "resourceSpans"));
    }
}
