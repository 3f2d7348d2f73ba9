//! Trace and span identifiers at full width: 128-bit trace ids, 64-bit span ids.
//!
//! They are plain integers (never `f64`); `0` means "absent", as in OTLP and W3C trace context
//! where an all-zero id is invalid.

use std::fmt;

/// A 128-bit trace id. `TraceId(0)` means "no trace id".
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct TraceId(pub u128);

/// A 64-bit span id. `SpanId(0)` means "no span" (e.g. no parent).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct SpanId(pub u64);

impl TraceId {
    /// True when this id is the all-zero "absent" id.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl SpanId {
    /// True when this id is the all-zero "absent" id.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for TraceId {
    /// 32 lowercase hex digits, the W3C `traceparent` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Display for SpanId {
    /// 16 lowercase hex digits, the W3C `traceparent` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_zero_padded_lowercase_hex() {
        assert_eq!(
            TraceId(0xABC).to_string(),
            "00000000000000000000000000000abc"
        );
        assert_eq!(SpanId(u64::MAX).to_string(), "ffffffffffffffff");
    }
}
