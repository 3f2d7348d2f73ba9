//! A streaming JSON writer: values go straight into a byte buffer that is flushed to an
//! `io::Write` every 64 KiB, so a million-span file never exists as a value tree in memory.
//! Output is either compact or pretty (two-space indent, `"key": value`, like
//! `serde_json::to_string_pretty`). Strings are escaped per RFC 8259.

use std::io::{self, Write};

const FLUSH_AT: usize = 64 * 1024;

/// Writes one JSON document. Callers pair every `begin_*` with its `end_*`; a key is written
/// with [`JsonOut::key`] before each value inside an object.
pub struct JsonOut<W: Write> {
    out: W,
    buf: Vec<u8>,
    pretty: bool,
    /// Nesting depth (number of open containers).
    depth: usize,
    /// Whether the innermost open container already holds an element.
    non_empty: Vec<bool>,
    /// A key was just written; the next value follows it directly.
    after_key: bool,
    /// Depth at which an inline container was opened (0: none). Inside it, pretty output
    /// stays on one line: `{"key": "k", "value": 1}`.
    inline_from: usize,
    error: Option<io::Error>,
    /// Bytes handed to `out` so far.
    written: u64,
}

impl<W: Write> JsonOut<W> {
    /// A writer into `out`; `pretty` indents by two spaces.
    pub fn new(out: W, pretty: bool) -> JsonOut<W> {
        JsonOut {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            pretty,
            depth: 0,
            non_empty: Vec::with_capacity(16),
            after_key: false,
            inline_from: 0,
            error: None,
            written: 0,
        }
    }

    /// Separator and indentation before an element of the current container.
    fn element(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(non_empty) = self.non_empty.last_mut() {
            let had = *non_empty;
            *non_empty = true;
            if had {
                self.buf.push(b',');
            }
            if self.multiline() {
                self.newline(self.depth);
            } else if had && self.pretty {
                self.buf.push(b' ');
            }
        }
    }

    /// Pretty output outside an inline container.
    fn multiline(&self) -> bool {
        self.pretty && self.inline_from == 0
    }

    fn newline(&mut self, depth: usize) {
        self.buf.push(b'\n');
        for _ in 0..depth {
            self.buf.extend_from_slice(b"  ");
        }
    }

    fn maybe_flush(&mut self) {
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf();
        }
    }

    fn flush_buf(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(&self.buf) {
                self.error = Some(e);
            }
        }
        self.written += self.buf.len() as u64;
        self.buf.clear();
    }

    fn open(&mut self, bracket: u8) {
        self.element();
        self.buf.push(bracket);
        self.depth += 1;
        self.non_empty.push(false);
    }

    fn close(&mut self, bracket: u8) {
        let non_empty = self.non_empty.pop().unwrap_or(false);
        if non_empty && self.multiline() {
            self.newline(self.depth.saturating_sub(1));
        }
        if self.inline_from == self.depth {
            self.inline_from = 0;
        }
        self.depth = self.depth.saturating_sub(1);
        self.buf.push(bracket);
        self.maybe_flush();
    }

    /// `{`
    pub fn begin_object(&mut self) {
        self.open(b'{');
    }

    /// `{`, keeping this object and everything in it on one line in pretty output.
    pub fn begin_inline_object(&mut self) {
        self.open(b'{');
        if self.inline_from == 0 {
            self.inline_from = self.depth;
        }
    }

    /// `}`
    pub fn end_object(&mut self) {
        self.close(b'}');
    }

    /// `[`
    pub fn begin_array(&mut self) {
        self.open(b'[');
    }

    /// `]`
    pub fn end_array(&mut self) {
        self.close(b']');
    }

    /// An object key; the next call writes its value.
    pub fn key(&mut self, key: &str) {
        self.element();
        self.escaped(key);
        self.buf.push(b':');
        if self.pretty {
            self.buf.push(b' ');
        }
        self.after_key = true;
    }

    /// A string value.
    pub fn string(&mut self, s: &str) {
        self.element();
        self.escaped(s);
    }

    /// A string value made of the decimal digits of `n`.
    pub fn i64_string(&mut self, n: i64) {
        self.element();
        self.buf.push(b'"');
        push_i64(&mut self.buf, n);
        self.buf.push(b'"');
    }

    /// A string of `width` lowercase hex digits of `n`.
    pub fn hex(&mut self, n: u128, width: usize) {
        self.element();
        self.buf.push(b'"');
        push_hex(&mut self.buf, n, width);
        self.buf.push(b'"');
    }

    /// An integer number.
    pub fn i64(&mut self, n: i64) {
        self.element();
        push_i64(&mut self.buf, n);
    }

    /// A non-negative integer number.
    pub fn u64(&mut self, n: u64) {
        self.element();
        push_u64(&mut self.buf, n);
    }

    /// A float with `decimals` digits after the point (finite values only; others are 0).
    pub fn f64(&mut self, x: f64, decimals: usize) {
        self.element();
        let x = if x.is_finite() { x } else { 0.0 };
        // `write!` into a Vec cannot fail.
        let _ = write!(self.buf, "{x:.decimals$}");
    }

    /// `true` / `false`.
    pub fn bool(&mut self, b: bool) {
        self.element();
        self.buf
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.element();
        self.buf.extend_from_slice(b"null");
    }

    /// `"key": "value"` in one call.
    pub fn field_str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    /// Ends the document (a trailing newline) and flushes. Returns the bytes written.
    pub fn finish(mut self) -> io::Result<u64> {
        self.buf.push(b'\n');
        self.flush_buf();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.written)
    }

    fn escaped(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let buf = &mut self.buf;
        buf.push(b'"');
        let bytes = s.as_bytes();
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0..=0x1F => b"",
                _ => continue,
            };
            buf.extend_from_slice(&bytes[run..i]);
            if esc.is_empty() {
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[(b >> 4) as usize]);
                buf.push(HEX[(b & 0xF) as usize]);
            } else {
                buf.extend_from_slice(esc);
            }
            run = i + 1;
        }
        buf.extend_from_slice(&bytes[run..]);
        buf.push(b'"');
    }
}

fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

fn push_i64(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    push_u64(buf, n.unsigned_abs());
}

fn push_hex(buf: &mut Vec<u8>, n: u128, width: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..width).rev() {
        buf.push(HEX[((n >> (4 * i)) & 0xF) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(pretty: bool, f: impl FnOnce(&mut JsonOut<&mut Vec<u8>>)) -> String {
        let mut out = Vec::new();
        let mut j = JsonOut::new(&mut out, pretty);
        f(&mut j);
        j.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Keys in sorted order, as serde_json (without `preserve_order`) prints them.
    fn sample(j: &mut JsonOut<&mut Vec<u8>>) {
        j.begin_object();
        j.key("big");
        j.i64_string(i64::MIN);
        j.key("f");
        j.f64(1.5, 2);
        j.key("id");
        j.hex(0xabc, 8);
        j.key("list");
        j.begin_array();
        j.bool(true);
        j.null();
        j.begin_object();
        j.end_object();
        j.begin_array();
        j.end_array();
        j.end_array();
        j.key("n");
        j.i64(-12);
        j.field_str("s", "a\"b\\c\nd\te\u{1}é");
        j.end_object();
    }

    #[test]
    fn compact_output_parses_back_exactly() {
        let text = render(false, sample);
        assert_eq!(
            text,
            "{\"big\":\"-9223372036854775808\",\"f\":1.50,\"id\":\"00000abc\",\
             \"list\":[true,null,{},[]],\"n\":-12,\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001é\"}\n"
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["s"], "a\"b\\c\nd\te\u{1}é");
    }

    #[test]
    fn pretty_output_matches_serde_json_layout() {
        let text = render(true, sample);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut expected = serde_json::to_string_pretty(&v).unwrap();
        expected.push('\n');
        // serde_json prints 1.50 as 1.5; everything else is laid out the same.
        assert_eq!(text.replace("1.50", "1.5"), expected);
    }

    #[test]
    fn inline_objects_stay_on_one_line() {
        let text = render(true, |j| {
            j.begin_object();
            j.key("attributes");
            j.begin_array();
            for k in ["a", "b"] {
                j.begin_inline_object();
                j.field_str("key", k);
                j.key("value");
                j.begin_object();
                j.key("intValue");
                j.i64_string(1);
                j.end_object();
                j.end_object();
            }
            j.end_array();
            j.key("next");
            j.begin_array();
            j.end_array();
            j.end_object();
        });
        assert_eq!(
            text,
            "{\n  \"attributes\": [\n    {\"key\": \"a\", \"value\": {\"intValue\": \"1\"}},\n    \
             {\"key\": \"b\", \"value\": {\"intValue\": \"1\"}}\n  ],\n  \"next\": []\n}\n"
        );
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }
}
