//! Reading trace and span ids from their text forms.
//!
//! Accepted, in this order: hex of any case (left-padded with zeros when short, as Zipkin
//! writers emit `"2"` or 15-digit ids), base64 of 16 or 8 bytes (protobuf's canonical JSON),
//! and anything else as an opaque string hashed to a number (Jaeger test data uses
//! `"span-1"`, New Relic uses UUIDs). The caller keeps the text of opaque ids for display.

use crate::model::{SpanId, TraceId};
use base64::Engine;

/// How an id's text was read.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum IdForm {
    /// Hex at a normal width, or base64 of the right byte count, or empty (absent).
    Exact,
    /// Hex with fewer digits than normal; left-padded with zeros.
    Padded,
    /// Not hex or base64; hashed.
    Opaque,
}

/// Reads a 128-bit trace id. 16 and 32 hex digits are both normal widths (64-bit trace ids
/// are common in Jaeger and Zipkin).
pub fn trace_id(text: &str) -> (TraceId, IdForm) {
    let t = super::scan::trim(text);
    if t.is_empty() {
        return (TraceId(0), IdForm::Exact);
    }
    if t.len() <= 32 {
        if let Some(id) = hex_u128(t.as_bytes()) {
            let form = if t.len() == 32 || t.len() == 16 {
                IdForm::Exact
            } else {
                IdForm::Padded
            };
            return (TraceId(id), form);
        }
    }
    let mut buf = [0u8; 32];
    if let Some(bytes) = base64_bytes(t, &mut buf) {
        if bytes.len() == 16 || bytes.len() == 8 {
            let id = bytes.iter().fold(0u128, |acc, b| (acc << 8) | *b as u128);
            return (TraceId(id), IdForm::Exact);
        }
    }
    let hi = fnv1a(t.as_bytes(), 0xcbf2_9ce4_8422_2325);
    let lo = fnv1a(t.as_bytes(), 0x8422_2325_cbf2_9ce4);
    (
        TraceId(((hi as u128) << 64 | lo as u128).max(1)),
        IdForm::Opaque,
    )
}

/// Reads a 64-bit span id.
pub fn span_id(text: &str) -> (SpanId, IdForm) {
    let t = super::scan::trim(text);
    if t.is_empty() {
        return (SpanId(0), IdForm::Exact);
    }
    if t.len() <= 16 {
        if let Some(id) = hex_u64(t.as_bytes()) {
            let form = if t.len() == 16 {
                IdForm::Exact
            } else {
                IdForm::Padded
            };
            return (SpanId(id), form);
        }
    }
    let mut buf = [0u8; 32];
    if let Some(bytes) = base64_bytes(t, &mut buf) {
        if bytes.len() == 8 {
            let id = bytes.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64);
            return (SpanId(id), IdForm::Exact);
        }
    }
    (
        SpanId(fnv1a(t.as_bytes(), 0xcbf2_9ce4_8422_2325).max(1)),
        IdForm::Opaque,
    )
}

/// Value of each hex digit, or 0xFF for bytes that are not hex digits.
const HEX_DIGIT: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Up to 16 hex digits of any case, in one pass; `None` if any byte is not a hex digit.
fn hex_u64(digits: &[u8]) -> Option<u64> {
    let mut v = 0u64;
    let mut bad = 0u8;
    for &c in digits {
        let d = HEX_DIGIT[c as usize];
        bad |= d;
        v = v << 4 | (d & 0x0F) as u64;
    }
    (bad < 0x10 && digits.len() <= 16).then_some(v)
}

/// Up to 32 hex digits of any case.
fn hex_u128(digits: &[u8]) -> Option<u128> {
    let split = digits.len().saturating_sub(16);
    let (hi, lo) = digits.split_at(split);
    Some((hex_u64(hi)? as u128) << 64 | hex_u64(lo)? as u128)
}

/// Base64 (standard or URL-safe, padded or not) decoded into `buf`, without allocating;
/// `None` if no alphabet decodes it or it decodes to more than `buf` holds.
fn base64_bytes<'b>(t: &str, buf: &'b mut [u8; 32]) -> Option<&'b [u8]> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let len = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode_slice(t, &mut buf[..]).ok())?;
    buf.get(..len)
}

fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(seed, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_any_case() {
        let (id, form) = trace_id("5B8EFFF798038103D269B633813FC60C");
        assert_eq!(id.to_string(), "5b8efff798038103d269b633813fc60c");
        assert_eq!(form, IdForm::Exact);
        assert_eq!(span_id("eee19b7ec3c1b174").0, SpanId(0xeee19b7ec3c1b174));
    }

    #[test]
    fn short_hex_is_padded() {
        assert_eq!(span_id("2"), (SpanId(2), IdForm::Padded));
        assert_eq!(
            span_id("c26551047c72d19"),
            (SpanId(0x0c26551047c72d19), IdForm::Padded)
        );
        assert_eq!(trace_id("0000000000000001").1, IdForm::Exact);
    }

    #[test]
    fn base64_ids() {
        // Tempo's W47/95gDgQPSabYzgT/GDA== is 5b8efff798038103d269b633813fc60c.
        let (id, form) = trace_id("W47/95gDgQPSabYzgT/GDA==");
        assert_eq!(id.to_string(), "5b8efff798038103d269b633813fc60c");
        assert_eq!(form, IdForm::Exact);
        let (id, _) = span_id("7uGbfsPBsXM=");
        assert_eq!(id.to_string(), "eee19b7ec3c1b173");
        let (id, _) = trace_id("AAAAAAAAAABguiq7RPE+rg==");
        assert_eq!(id.to_string(), "000000000000000060ba2abb44f13eae");
    }

    #[test]
    fn hex_edges() {
        assert_eq!(span_id("FFFFFFFFFFFFFFFF").0, SpanId(u64::MAX));
        assert_eq!(
            trace_id("ffffffffffffffffffffffffffffffff").0,
            TraceId(u128::MAX)
        );
        assert_eq!(
            trace_id(" 1 ").0,
            TraceId(1),
            "surrounding whitespace is trimmed"
        );
        assert_eq!(trace_id("0g").1, IdForm::Opaque);
        assert_eq!(span_id("00000000000000000").1, IdForm::Opaque);
        // 17-32 hex digits are a padded trace id.
        let (id, form) = trace_id("1ffffffffffffffff");
        assert_eq!((id.0, form), (0x1_ffff_ffff_ffff_ffff, IdForm::Padded));
        // Base64 of another length is opaque, however long.
        assert_eq!(span_id("AAAAAAAAAAAAAAAAAAAAAA==").1, IdForm::Opaque);
        assert_eq!(trace_id(&"QUJD".repeat(40)).1, IdForm::Opaque);
    }

    #[test]
    fn opaque_ids_are_hashed_stably() {
        let (a, form) = span_id("span-1");
        assert_eq!(form, IdForm::Opaque);
        assert_eq!(span_id("span-1").0, a);
        assert_ne!(span_id("span-2").0, a);
        assert_eq!(trace_id("trace-123").1, IdForm::Opaque);
        assert_eq!(span_id(""), (SpanId(0), IdForm::Exact));
    }
}
