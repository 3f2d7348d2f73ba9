//! A strict JSON pull scanner for the importers' hot paths: the importer walks the document
//! in order and asks for exactly the value it expects next (an object's next key, a string,
//! a number), so spans stream straight into the [`super::StoreBuilder`] with no tree of wire
//! structs in between.
//!
//! Strict: it accepts exactly RFC 8259 JSON (values ignored with [`Scanner::skip`] are
//! checked too), so a file that loads is a JSON file. The whole input is checked as UTF-8
//! once up front, after which strings without escapes are borrowed slices of the input; only
//! strings with escapes allocate. Nothing here panics on any input, and nesting is limited
//! ([`MAX_DEPTH`]) for the recursive readers built on it (the skipper is iterative).
//!
//! Errors carry a byte offset; [`error_message`] turns them into the user-facing "… at line L
//! column C" text, preferring serde_json's wording for syntax errors so messages read the
//! same whichever importer found the problem.

use std::borrow::Cow;

/// Deepest nesting of objects and arrays read through [`Scanner::object`] and
/// [`Scanner::array`] (serde_json's default limit is the same).
pub const MAX_DEPTH: u32 = 128;

/// What went wrong, and where (a byte offset into the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    /// Offset of the byte after the last one read, as serde_json counts.
    pub pos: usize,
    pub what: Cow<'static, str>,
}

pub type ScanResult<T> = Result<T, ScanError>;

/// A JSON number as serde_json reports it: non-negative integers as `U`, negative integers
/// as `I`, anything with a fraction or exponent (or out of 64-bit range) as `F`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Num {
    U(u64),
    I(i64),
    F(f64),
}

/// Any JSON value, kept cheaply: scalars as themselves, arrays and objects as their raw
/// JSON text (a slice of the input).
#[derive(Clone, Debug, PartialEq)]
pub enum Raw<'a> {
    Null,
    Bool(bool),
    Num(Num),
    Str(Cow<'a, str>),
    /// An array or an object, as written in the input.
    Nested(&'a str),
}

/// Iteration state of one object or array (whether a comma is due before the next item).
#[must_use]
pub struct Seq {
    first: bool,
}

impl Seq {
    /// The state of a sequence read partly by an earlier scanner ([`Scanner::resume`]):
    /// `first` when no item has been read yet.
    pub fn resume(first: bool) -> Seq {
        Seq { first }
    }
}

/// The scanner: a position in a UTF-8 checked input.
pub struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Offset of `bytes` in the whole input (0 but for [`Scanner::resume`]): added to
    /// [`Scanner::pos`] and to error positions, so both count from the start of the input.
    base: usize,
    depth: u32,
    /// Open containers of [`Scanner::skip`] (`true` = object), reused between calls.
    skip_stack: Vec<bool>,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `bytes`; fails when `bytes` is not UTF-8.
    pub fn new(bytes: &'a [u8]) -> ScanResult<Scanner<'a>> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Scanner {
                text,
                bytes,
                pos: 0,
                base: 0,
                depth: 0,
                skip_stack: Vec::new(),
            }),
            Err(e) => Err(ScanError {
                pos: e.valid_up_to() + 1,
                what: "invalid UTF-8 (the file is not UTF-8 text)".into(),
            }),
        }
    }

    /// A scanner over the part of an input that starts at byte `base` (already checked as
    /// UTF-8: `text`), `depth` containers deep: for reading an input while it arrives, one
    /// window at a time. Positions, its own and its errors', count from the input's start.
    pub fn resume(text: &'a str, base: usize, depth: u32) -> Scanner<'a> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            base,
            depth,
            skip_stack: Vec::new(),
        }
    }

    /// A second scanner over the same input, at `pos` (for values read out of order).
    pub fn fork_at(&self, pos: usize) -> Scanner<'a> {
        Scanner {
            text: self.text,
            bytes: self.bytes,
            pos: pos.saturating_sub(self.base),
            base: self.base,
            depth: self.depth,
            skip_stack: Vec::new(),
        }
    }

    /// Current byte offset.
    pub fn pos(&self) -> usize {
        self.base + self.pos
    }

    /// True when an error is at the end of what this scanner was given: the input stopped
    /// in the middle of a value (which more input may complete).
    pub fn ends_at(&self, e: &ScanError) -> bool {
        e.pos >= self.base + self.bytes.len()
    }

    fn err<T>(&self, what: impl Into<Cow<'static, str>>) -> ScanResult<T> {
        Err(ScanError {
            pos: self.base + (self.pos + 1).min(self.bytes.len()),
            what: what.into(),
        })
    }

    /// An error about the value that starts at the current position.
    pub fn invalid<T>(&mut self, expected: &str) -> ScanResult<T> {
        let found = match self.peek() {
            None => return self.eof(),
            Some(b'{') => "an object",
            Some(b'[') => "a list",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            Some(b'-' | b'0'..=b'9') => "a number",
            Some(_) => "something that is not JSON",
        };
        self.err(format!("invalid type: expected {expected}, found {found}"))
    }

    fn eof<T>(&self) -> ScanResult<T> {
        Err(ScanError {
            pos: self.base + self.bytes.len(),
            what: "the JSON ends too early (is the file truncated?)".into(),
        })
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b > b' ' || !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, not consumed.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    /// True when only whitespace is left (between JSON Lines documents, or at the end).
    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Consumes `null` if it is next.
    #[inline]
    pub fn null(&mut self) -> ScanResult<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    fn literal(&mut self, word: &[u8]) -> ScanResult<()> {
        let end = self.pos + word.len();
        match self.bytes.get(self.pos..end) {
            Some(w) if w == word => {
                self.pos = end;
                Ok(())
            }
            _ => {
                // Say where the literal stops matching, as a parser would.
                let matched = word
                    .iter()
                    .zip(&self.bytes[self.pos.min(self.bytes.len())..])
                    .take_while(|(a, b)| a == b)
                    .count();
                self.pos += matched;
                if self.pos >= self.bytes.len() {
                    self.eof()
                } else {
                    self.err("expected ident")
                }
            }
        }
    }

    /// Starts reading an object; `expected` names it in the error when something else is
    /// there. Continue with [`Scanner::key`].
    #[inline]
    pub fn object(&mut self, expected: &str) -> ScanResult<Seq> {
        self.open(b'{', expected)
    }

    /// [`Scanner::object`], or `None` for `null`.
    #[inline]
    pub fn object_or_null(&mut self, expected: &str) -> ScanResult<Option<Seq>> {
        self.open_or_null(b'{', expected)
    }

    /// Starts reading an array; continue with [`Scanner::item`].
    #[inline]
    pub fn array(&mut self, expected: &str) -> ScanResult<Seq> {
        self.open(b'[', expected)
    }

    /// [`Scanner::array`], or `None` for `null` (lists written as `null` read as empty).
    #[inline]
    pub fn array_or_null(&mut self, expected: &str) -> ScanResult<Option<Seq>> {
        self.open_or_null(b'[', expected)
    }

    #[inline]
    fn open(&mut self, bracket: u8, expected: &str) -> ScanResult<Seq> {
        if self.peek() != Some(bracket) {
            return self.invalid(expected);
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("recursion limit exceeded");
        }
        self.pos += 1;
        Ok(Seq { first: true })
    }

    #[inline]
    fn open_or_null(&mut self, bracket: u8, expected: &str) -> ScanResult<Option<Seq>> {
        if self.null()? {
            return Ok(None);
        }
        self.open(bracket, expected).map(Some)
    }

    /// The next key of an object (its `:` consumed), or `None` at its end.
    #[inline]
    pub fn key(&mut self, seq: &mut Seq) -> ScanResult<Option<Cow<'a, str>>> {
        let mut b = self.peek();
        if b == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(None);
        }
        if !seq.first {
            if b != Some(b',') {
                return self.expected_after_item("`,` or `}`");
            }
            self.pos += 1;
            b = self.peek();
        }
        seq.first = false;
        if b != Some(b'"') {
            return match b {
                None => self.eof(),
                _ => self.err("key must be a string"),
            };
        }
        self.pos += 1;
        let key = self.string_body()?;
        if self.peek() != Some(b':') {
            return self.expected_after_item("`:`");
        }
        self.pos += 1;
        Ok(Some(key))
    }

    fn expected_after_item<T>(&self, what: &str) -> ScanResult<T> {
        if self.pos >= self.bytes.len() {
            self.eof()
        } else {
            self.err(format!("expected {what}"))
        }
    }

    /// True when another item follows in the array (read it next); false at its end.
    #[inline]
    pub fn item(&mut self, seq: &mut Seq) -> ScanResult<bool> {
        let b = self.peek();
        if b == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(false);
        }
        if !seq.first {
            if b != Some(b',') {
                return self.expected_after_item("`,` or `]`");
            }
            self.pos += 1;
        }
        seq.first = false;
        Ok(true)
    }

    /// Reads a string.
    #[inline]
    pub fn string(&mut self, expected: &str) -> ScanResult<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return self.invalid(expected);
        }
        self.pos += 1;
        self.string_body()
    }

    /// Reads a string; `null` reads as the empty string.
    #[inline]
    pub fn string_or_null(&mut self, expected: &str) -> ScanResult<Cow<'a, str>> {
        if self.null()? {
            return Ok(Cow::Borrowed(""));
        }
        self.string(expected)
    }

    /// Advances to the next `"`, `\` or control character inside a string (eight bytes at
    /// a time while there is none), or to the end of the input.
    #[inline(always)]
    fn skip_to_string_special(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            let quote = x ^ (ONES * b'"' as u64);
            let backslash = x ^ (ONES * b'\\' as u64);
            // A byte is flagged when it is zero (after the xor) or below 0x20; the lowest
            // flag is exact (borrows only run upwards).
            let found = (quote.wrapping_sub(ONES) & !quote
                | backslash.wrapping_sub(ONES) & !backslash
                | x.wrapping_sub(ONES * 0x20) & !x)
                & HIGHS;
            if found != 0 {
                self.pos += (found.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
        }
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                return;
            }
            self.pos += 1;
        }
    }

    /// The rest of a string whose opening quote was consumed.
    #[inline(always)]
    fn string_body(&mut self) -> ScanResult<Cow<'a, str>> {
        let start = self.pos;
        self.skip_to_string_special();
        if self.bytes.get(self.pos) == Some(&b'"') {
            let s = self.text.get(start..self.pos).unwrap_or("");
            self.pos += 1;
            return Ok(Cow::Borrowed(s));
        }
        self.string_slow(start)
    }

    /// [`Scanner::string_body`] at a backslash, a control character or the end of input.
    #[cold]
    #[inline(never)]
    fn string_slow(&mut self, start: usize) -> ScanResult<Cow<'a, str>> {
        match self.bytes.get(self.pos) {
            Some(b'\\') => {
                let mut out = String::from(self.text.get(start..self.pos).unwrap_or(""));
                self.escaped_rest(&mut out)?;
                Ok(Cow::Owned(out))
            }
            Some(_) => self.err("control character (\\u0000-\\u001F) found while parsing a string"),
            None => self.eof(),
        }
    }

    /// Continues a string at a backslash, unescaping into `out`, through the closing quote.
    fn escaped_rest(&mut self, out: &mut String) -> ScanResult<()> {
        loop {
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                Some(b) if *b < 0x20 => {
                    return self
                        .err("control character (\\u0000-\\u001F) found while parsing a string")
                }
                Some(_) => {
                    let start = self.pos;
                    self.skip_to_string_special();
                    out.push_str(self.text.get(start..self.pos).unwrap_or(""));
                }
                None => return self.eof(),
            }
        }
    }

    /// One escape after its backslash. Lone surrogates become U+FFFD.
    fn escape(&mut self) -> ScanResult<char> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return self.eof();
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) {
                    if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                        let back = self.pos;
                        self.pos += 2;
                        let lo = self.hex4()?;
                        if (0xDC00..0xE000).contains(&lo) {
                            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
                        }
                        self.pos = back;
                    }
                    '\u{FFFD}'
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            _ => {
                self.pos -= 1;
                return self.err("invalid escape");
            }
        })
    }

    fn hex4(&mut self) -> ScanResult<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&b) = self.bytes.get(self.pos) else {
                return self.eof();
            };
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return self.err("invalid escape"),
            };
            v = v << 4 | d as u32;
            self.pos += 1;
        }
        Ok(v)
    }

    /// Reads a number.
    pub fn number(&mut self, expected: &str) -> ScanResult<Num> {
        let b = self.peek();
        if !matches!(b, Some(b'-' | b'0'..=b'9')) {
            return self.invalid(expected);
        }
        let start = self.pos;
        let negative = b == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut value: u64 = 0;
        let mut overflow = false;
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                let digits_start = self.pos;
                while let Some(&d) = self.bytes.get(self.pos) {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    let d = (d - b'0') as u64;
                    if self.pos - digits_start < SAFE_U64_DIGITS {
                        value = value.wrapping_mul(10).wrapping_add(d);
                    } else {
                        match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
                            Some(v) => value = v,
                            None => overflow = true,
                        }
                    }
                    self.pos += 1;
                }
            }
            None => return self.eof(),
            Some(_) => return self.err("invalid number"),
        }
        let mut float = overflow;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            float = true;
            self.digits()?;
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            float = true;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
        }
        if !float {
            if !negative {
                return Ok(Num::U(value));
            }
            if value <= i64::MAX as u64 + 1 {
                return Ok(Num::I(0i64.wrapping_sub_unsigned(value)));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        match text.parse::<f64>() {
            Ok(f) => Ok(Num::F(f)),
            Err(_) => self.err("invalid number"),
        }
    }

    /// Reads a number and returns its text as written, for callers that need every digit
    /// (X-Ray's float seconds carry more digits than an `f64` keeps at that magnitude).
    pub fn number_text(&mut self, expected: &str) -> ScanResult<&'a str> {
        self.peek();
        let start = self.pos;
        self.number(expected)?;
        Ok(self.text.get(start..self.pos).unwrap_or(""))
    }

    /// One or more digits (of a fraction or an exponent).
    fn digits(&mut self) -> ScanResult<()> {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        if self.pos == start {
            return match self.bytes.get(self.pos) {
                None => self.eof(),
                Some(_) => self.err("invalid number"),
            };
        }
        Ok(())
    }

    /// Reads `true` or `false`.
    pub fn boolean(&mut self, expected: &str) -> ScanResult<bool> {
        match self.peek() {
            Some(b't') => self.literal(b"true").map(|_| true),
            Some(b'f') => self.literal(b"false").map(|_| false),
            _ => self.invalid(expected),
        }
    }

    /// Reads any value cheaply (see [`Raw`]).
    pub fn raw(&mut self) -> ScanResult<Raw<'a>> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string_body().map(Raw::Str)
            }
            Some(b'-' | b'0'..=b'9') => self.number("a number").map(Raw::Num),
            Some(b't' | b'f') => self.boolean("a boolean").map(Raw::Bool),
            Some(b'n') => self.literal(b"null").map(|_| Raw::Null),
            Some(b'{' | b'[') => {
                let start = self.pos;
                self.skip()?;
                Ok(Raw::Nested(self.text.get(start..self.pos).unwrap_or("")))
            }
            _ => self.invalid("a value"),
        }
    }

    /// Skips one value of any kind, checking its syntax. Iterative, so deep nesting in
    /// ignored values cannot exhaust the stack.
    pub fn skip(&mut self) -> ScanResult<()> {
        let mut stack = std::mem::take(&mut self.skip_stack);
        stack.clear();
        let result = self.skip_with(&mut stack);
        self.skip_stack = stack;
        result
    }

    fn skip_with(&mut self, stack: &mut Vec<bool>) -> ScanResult<()> {
        'value: loop {
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        stack.push(true);
                        self.skip_key()?;
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        stack.push(false);
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.pos += 1;
                    self.skip_string_body()?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number("a value")?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                None => return self.eof(),
                Some(_) => return self.err("expected value"),
            }
            // A value is done: close what it completes, stop at the next item.
            while let Some(&is_object) = stack.last() {
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if is_object {
                            self.skip_key()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if is_object => {}
                    Some(b']') if !is_object => {}
                    None => return self.eof(),
                    Some(_) if is_object => return self.err("expected `,` or `}`"),
                    Some(_) => return self.err("expected `,` or `]`"),
                }
                self.pos += 1;
                stack.pop();
            }
            return Ok(());
        }
    }

    /// A key and its colon, inside [`Scanner::skip`].
    fn skip_key(&mut self) -> ScanResult<()> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.skip_string_body()?;
            }
            None => return self.eof(),
            Some(_) => return self.err("key must be a string"),
        }
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            None => self.eof(),
            Some(_) => self.err("expected `:`"),
        }
    }

    /// The rest of a string, checked but not kept.
    fn skip_string_body(&mut self) -> ScanResult<()> {
        loop {
            self.skip_to_string_special();
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape()?;
                }
                Some(_) => {
                    return self
                        .err("control character (\\u0000-\\u001F) found while parsing a string")
                }
                None => return self.eof(),
            }
        }
    }

    /// An unsigned 64-bit integer written as a number or a decimal string; `null` and `""`
    /// are 0, negative numbers 0, floats truncated (the rules of [`super::json::FlexU64`]).
    pub fn flex_u64(&mut self) -> ScanResult<u64> {
        match self.peek() {
            Some(b'"') => {
                let text = self.string("a string")?;
                let t = trim(&text);
                if t.is_empty() {
                    return Ok(0);
                }
                match parse_u64(t) {
                    Some(v) => Ok(v),
                    None => self.fail(format!("expected a number, found \"{text}\"")),
                }
            }
            Some(b'n') => self.literal(b"null").map(|_| 0),
            _ => Ok(
                match self.number("an unsigned integer or a string of digits")? {
                    Num::U(v) => v,
                    Num::I(_) => 0,
                    Num::F(f) if f.is_finite() && f > 0.0 => f as u64,
                    Num::F(_) => 0,
                },
            ),
        }
    }

    /// A signed 64-bit integer written as a number or a decimal string (the rules of
    /// [`super::json::FlexI64`]).
    pub fn flex_i64(&mut self) -> ScanResult<i64> {
        if self.peek() == Some(b'"') {
            let text = self.string("a string")?;
            return match text.trim().parse::<i64>() {
                Ok(v) => Ok(v),
                Err(_) => self.fail(format!("expected an integer, found \"{text}\"")),
            };
        }
        Ok(match self.number("an integer or a string of digits")? {
            Num::U(v) => i64::try_from(v).unwrap_or(i64::MAX),
            Num::I(v) => v,
            Num::F(f) => f as i64,
        })
    }

    /// A double written as a number or as a string (`"NaN"`, `"Infinity"`, `"-Infinity"`
    /// or digits), as proto3 JSON allows.
    pub fn flex_f64(&mut self) -> ScanResult<f64> {
        if self.peek() == Some(b'"') {
            let text = self.string("a string")?;
            return match text.trim() {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                t => match t.parse::<f64>() {
                    Ok(v) => Ok(v),
                    Err(_) => self.fail(format!("expected a number, found \"{text}\"")),
                },
            };
        }
        Ok(
            match self.number("a number, or \"NaN\"/\"Infinity\"/\"-Infinity\"")? {
                Num::U(v) => v as f64,
                Num::I(v) => v as f64,
                Num::F(f) => f,
            },
        )
    }

    /// A number, or a string of one, times 10^`scale`, exactly (see [`scaled_decimal`]):
    /// what a time in one unit is in a smaller one (`scale` 6 turns milliseconds into
    /// nanoseconds) without an `f64` on the way. `null` is `None`.
    pub fn scaled_number(&mut self, scale: i32) -> ScanResult<Option<i64>> {
        let start = {
            self.peek();
            self.pos
        };
        let text = match self.raw()? {
            Raw::Null => return Ok(None),
            Raw::Num(_) => Cow::Borrowed(self.text.get(start..self.pos).unwrap_or("")),
            Raw::Str(text) => text,
            Raw::Bool(_) | Raw::Nested(_) => {
                self.pos = start;
                return self.invalid("a number");
            }
        };
        match scaled_decimal(&text, scale) {
            Some(v) => Ok(Some(v)),
            None if text.trim().is_empty() => Ok(None),
            None => self.fail(format!(
                "expected a number within 64-bit range, found \"{text}\""
            )),
        }
    }

    /// An error about the value that ended at the current position: reported where the
    /// value ends, as serde_json does.
    pub fn fail<T>(&self, what: String) -> ScanResult<T> {
        Err(ScanError {
            pos: self.base + self.pos,
            what: what.into(),
        })
    }
}

/// `str::trim`, skipped when the text plainly needs none (the usual case).
#[inline]
pub fn trim(t: &str) -> &str {
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => t,
        _ => t.trim(),
    }
}

/// Decimal digits to `u64` (the common case, without `str::parse`'s generality), falling
/// back to `str::parse` (which also takes a leading `+`).
#[inline]
pub fn parse_u64(t: &str) -> Option<u64> {
    let mut v: u64 = 0;
    for (i, &b) in t.as_bytes().iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return t.parse().ok();
        }
        v = if i < SAFE_U64_DIGITS {
            v.wrapping_mul(10).wrapping_add(d as u64)
        } else {
            v.checked_mul(10)?.checked_add(d as u64)?
        };
    }
    Some(v)
}

/// Decimal digits that always fit a `u64` (10^19 - 1 < 2^64). Up to this many, numbers are
/// accumulated without overflow checks: on wasm32 a checked 64-bit multiply is a call to a
/// 128-bit multiply routine (`__multi3`), 3% of an OTLP import's time in the browser.
const SAFE_U64_DIGITS: usize = 19;

/// A decimal number's text (`12`, `-0.5`, `1.25e3`) times 10^`scale`, rounded to the nearest
/// integer (halves away from zero), computed exactly on the digits (no `f64`); `None` when
/// the text is not a number or the result does not fit an `i64`. Digits beyond the 36th
/// significant one are dropped (far below any time unit's resolution).
pub fn scaled_decimal(text: &str, scale: i32) -> Option<i64> {
    let t = text.trim();
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(at) => (&t[..at], t[at + 1..].parse::<i32>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    // value = digits × 10^shift
    let mut digits: i128 = 0;
    let mut shift = exponent as i64 - frac.len() as i64 + scale as i64;
    for c in int.bytes().chain(frac.bytes()) {
        if digits < 10i128.pow(36) {
            digits = digits * 10 + (c - b'0') as i128;
        } else {
            shift += 1;
        }
    }
    let magnitude = if digits == 0 {
        0
    } else if shift >= 0 {
        digits.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?
    } else if shift < -38 {
        0
    } else {
        let divisor = 10i128.pow((-shift) as u32);
        let (q, r) = (digits / divisor, digits % divisor);
        if r >= divisor - r {
            q + 1
        } else {
            q
        }
    };
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// 1-based line and column of the byte before `pos` (column 0 right after a newline), as
/// serde_json reports positions.
pub fn line_column(bytes: &[u8], pos: usize) -> (usize, usize) {
    let before = &bytes[..pos.min(bytes.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, before.len() - line_start)
}

/// The user-facing message for a scan error in `bytes`: serde_json's own words when the
/// input is not well-formed JSON (it finds the first syntax error), else ours, with the line
/// and column of the problem.
pub fn error_message(bytes: &[u8], e: &ScanError) -> String {
    if let Err(syntax) = super::json::check_syntax(bytes) {
        return syntax;
    }
    let (line, column) = line_column(bytes, e.pos);
    format!("{} at line {line} column {column}", e.what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Scanner<'_> {
        Scanner::new(text.as_bytes()).unwrap()
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let mut s = scan(r#" "plain" "a\"b\\c\/\n\u00e9\ud83d\ude00\ud800x" "#);
        assert!(matches!(s.string("").unwrap(), Cow::Borrowed("plain")));
        assert_eq!(s.string("").unwrap(), "a\"b\\c/\né😀\u{FFFD}x");
        assert!(s.at_end());
        // Long strings go through the eight-bytes-at-a-time path.
        let long = format!("\"{}\\t{}\"", "x".repeat(37), "é".repeat(9));
        assert_eq!(
            scan(&long).string("").unwrap(),
            format!("{}\t{}", "x".repeat(37), "é".repeat(9))
        );
    }

    #[test]
    fn strings_reject_control_characters_and_bad_escapes() {
        assert!(scan("\"a\u{1}b\"").string("").is_err());
        assert!(scan("\"abcdefghijkl\nmn\"").string("").is_err());
        assert!(scan(r#""\x""#).string("").is_err());
        assert!(scan(r#""\u12""#).string("").is_err());
        assert!(scan("\"abc").string("").is_err());
    }

    #[test]
    fn numbers_read_as_serde_json_does() {
        let mut s =
            scan("0 18446744073709551615 18446744073709551616 -9223372036854775808 -1.5e3 2E+2");
        assert_eq!(s.number("").unwrap(), Num::U(0));
        assert_eq!(s.number("").unwrap(), Num::U(u64::MAX));
        assert_eq!(s.number("").unwrap(), Num::F(18446744073709551616.0));
        assert_eq!(s.number("").unwrap(), Num::I(i64::MIN));
        assert_eq!(s.number("").unwrap(), Num::F(-1500.0));
        assert_eq!(s.number("").unwrap(), Num::F(200.0));
        for bad in ["01", "-", "1.", "1e", ".5", "+1", "1.e5"] {
            let mut s = scan(bad);
            let ok = s.number("").is_ok() && s.at_end();
            assert!(!ok, "{bad} accepted");
        }
    }

    #[test]
    fn scaled_decimals_are_exact() {
        let ms = |t: &str| scaled_decimal(t, 6);
        assert_eq!(ms("1567707504897"), Some(1_567_707_504_897_000_000));
        assert_eq!(ms("1567707504897.123456"), Some(1_567_707_504_897_123_456));
        assert_eq!(ms("1567707504897.1234567"), Some(1_567_707_504_897_123_457));
        assert_eq!(ms("0.42"), Some(420_000));
        assert_eq!(ms("62.0"), Some(62_000_000));
        assert_eq!(ms("0.0000005"), Some(1));
        assert_eq!(ms("0.0000004999"), Some(0));
        assert_eq!(ms("-2.5e-6"), Some(-3));
        assert_eq!(ms("1.5677075048971E12"), Some(1_567_707_504_897_100_000));
        assert_eq!(
            scaled_decimal("1549359141765341000", 0),
            Some(1_549_359_141_765_341_000)
        );
        assert_eq!(scaled_decimal("9223372036854775807", 0), Some(i64::MAX));
        assert_eq!(scaled_decimal("9223372036854775808", 0), None);
        assert_eq!(scaled_decimal("1e400", 0), None);
        assert_eq!(scaled_decimal("1e-400", 0), Some(0));
        for bad in ["", "-", ".", "1.2.3", "abc", "1e", "0x10", "1_000"] {
            assert_eq!(ms(bad), None, "{bad}");
        }
        let mut s = scan(r#"1.5 "2" null "" true"#);
        assert_eq!(s.scaled_number(3).unwrap(), Some(1500));
        assert_eq!(s.scaled_number(3).unwrap(), Some(2000));
        assert_eq!(s.scaled_number(3).unwrap(), None);
        assert_eq!(s.scaled_number(3).unwrap(), None);
        assert!(s.scaled_number(3).is_err());
        assert!(scan(r#""soon""#).scaled_number(0).is_err());
    }

    #[test]
    fn flex_numbers() {
        let mut s = scan(r#""1544712660000000001" 1544712660000000001 " " null -3 2.9"#);
        assert_eq!(s.flex_u64().unwrap(), 1_544_712_660_000_000_001);
        assert_eq!(s.flex_u64().unwrap(), 1_544_712_660_000_000_001);
        assert_eq!(s.flex_u64().unwrap(), 0);
        assert_eq!(s.flex_u64().unwrap(), 0);
        assert_eq!(s.flex_u64().unwrap(), 0);
        assert_eq!(s.flex_u64().unwrap(), 2);
        assert!(scan(r#""abc""#).flex_u64().is_err());
        let mut s = scan(r#""-9223372036854775222" 4 "NaN" "-Infinity" 1.5"#);
        assert_eq!(s.flex_i64().unwrap(), -9_223_372_036_854_775_222);
        assert_eq!(s.flex_i64().unwrap(), 4);
        assert!(s.flex_f64().unwrap().is_nan());
        assert_eq!(s.flex_f64().unwrap(), f64::NEG_INFINITY);
        assert_eq!(s.flex_f64().unwrap(), 1.5);
    }

    #[test]
    fn objects_arrays_and_skipping() {
        let text = r#"{"a": [1, {"x": [true, false, null, "s", -0.5e-3, {}], "y": []}], "b": "t"}"#;
        let mut s = scan(text);
        let mut o = s.object("").unwrap();
        assert_eq!(s.key(&mut o).unwrap().as_deref(), Some("a"));
        s.skip().unwrap();
        assert_eq!(s.key(&mut o).unwrap().as_deref(), Some("b"));
        assert_eq!(s.string("").unwrap(), "t");
        assert_eq!(s.key(&mut o).unwrap(), None);
        assert!(s.at_end());
        let mut s = scan(r#"[ {"k": [1, 2]}, "x" ]"#);
        let mut a = s.array("").unwrap();
        assert!(s.item(&mut a).unwrap());
        assert_eq!(s.raw().unwrap(), Raw::Nested(r#"{"k": [1, 2]}"#));
        assert!(s.item(&mut a).unwrap());
        assert_eq!(s.raw().unwrap(), Raw::Str("x".into()));
        assert!(!s.item(&mut a).unwrap());
    }

    #[test]
    fn skipping_rejects_malformed_values() {
        for bad in [
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{1:2}",
            "[tru]",
            "[nul",
            "{\"a\":",
            "[\"\\q\"]",
            "{\"a\":1]",
            "[}",
        ] {
            assert!(scan(bad).skip().is_err(), "{bad} accepted");
        }
        // Deep nesting is fine for the skipper (no recursion).
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(scan(&deep).skip().is_ok());
    }

    #[test]
    fn nesting_is_limited_for_readers() {
        let deep = "[".repeat(MAX_DEPTH as usize + 1);
        let mut s = scan(&deep);
        let mut failed = false;
        for _ in 0..=MAX_DEPTH {
            if s.array("").is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed);
    }

    #[test]
    fn positions_are_line_and_column() {
        let bytes = b"{\n  \"a\": x\n}";
        let mut s = Scanner::new(bytes).unwrap();
        let mut o = s.object("").unwrap();
        s.key(&mut o).unwrap();
        let e = s.raw().unwrap_err();
        assert_eq!(line_column(bytes, e.pos), (2, 8));
        assert!(error_message(bytes, &e).contains("line 2 column 8"));
        let e = Scanner::new(b"{\"a\": \"caf\xE9\"}").err().unwrap();
        assert_eq!(line_column(b"{\"a\": \"caf\xE9\"}", e.pos), (1, 11));
    }
}
