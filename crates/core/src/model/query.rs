//! The span search's query language: parsing text into a [`SpanQuery`] (evaluated by
//! [`super::TraceSearch`]).
//!
//! A query is terms separated by whitespace, all of which a span must match:
//!
//! | term | matches a span |
//! |---|---|
//! | `cart`, `"payment failed"` | whose text contains it (free text: names, attributes, events, id) |
//! | `service:cart` | whose service name contains `cart` |
//! | `op:"GET /cart"` (`operation:`, `name:`) | whose operation name contains `GET /cart` |
//! | `kind:client` | of that kind (`server`, `client`, `producer`, `consumer`, `internal`, `unspecified`) |
//! | `error` | with an error status (`status:error`, `status:ok`, `status:unset`) |
//! | `http.status_code=500` | with that attribute (its own or its resource's) equal to the value |
//! | `key!=value` | with that attribute, of another value |
//! | `key~text` | with that attribute, its value as text containing `text` |
//! | `duration>250ms` (`>=`, `<`, `<=`) | whose end is known and that took longer (units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`; decimals allowed) |
//! | `-term` | that does not match `term` (so `-duration>1s` includes spans of unknown end) |
//!
//! Field names, kinds, statuses and units ignore case, and so does every comparison of text
//! (ASCII letters only). `=` compares numbers as numbers (`500` is the integer 500, the
//! double 500.0 and the string `"500"`) and `true`/`false` with booleans; `~` compares the
//! value as shown. Attribute terms look at the span's and its resource's attributes, not
//! its events' (free text does). A bare `error` is the status, `"error"` is text. A value
//! with spaces is quoted; in quotes, `\"` is a quote and `\\` a backslash. Text with a colon
//! that is not a field is quoted too (`"10:30"`), since `word:` names a field. Malformed
//! text is a [`QueryError`] whose offset counts characters from 0.

use super::store::{SpanKind, StatusCode};
use std::fmt;

/// A parsed query: a span matches when it matches every term. No terms: an empty query,
/// which matches nothing.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct SpanQuery {
    pub terms: Vec<Term>,
}

/// One term, possibly negated (`-term`).
#[derive(Clone, PartialEq, Debug)]
pub struct Term {
    pub negated: bool,
    pub test: Test,
}

/// What a term tests.
#[derive(Clone, PartialEq, Debug)]
pub enum Test {
    /// Free text: the span's text contains it (as a search without the language does).
    Text(String),
    /// The service name contains it.
    Service(String),
    /// The operation name contains it.
    Operation(String),
    Kind(SpanKind),
    Status(StatusCode),
    /// An attribute of the span or its resource with key `key` (any ASCII case).
    Attr {
        key: String,
        op: AttrOp,
        value: String,
    },
    /// The duration compared with `nanos` (which may have a fraction: `1.5us`).
    /// Spans whose end is unknown never match.
    Duration {
        op: Compare,
        nanos: f64,
    },
}

/// How an attribute's value is compared with the query's.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum AttrOp {
    /// `=`: equal as text (ignoring case), or as a number or a boolean.
    Eq,
    /// `!=`: the attribute is there and not equal.
    NotEq,
    /// `~`: the value as text contains the query's (ignoring case).
    Contains,
}

/// A duration comparison: the span's duration `op` the query's.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Compare {
    Lt,
    Le,
    Gt,
    Ge,
}

/// Why a query could not be read. `message` says what is wrong and where, in words shown
/// under the search box (it ends with the offset); `at` is that offset, in characters
/// from 0.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct QueryError {
    pub message: String,
    pub at: usize,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

impl SpanQuery {
    /// Parses a query. Never panics; any text is either a query or an error.
    pub fn parse(text: &str) -> Result<SpanQuery, QueryError> {
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
        };
        let mut terms = Vec::new();
        while parser.skip_space() {
            terms.push(parser.term()?);
        }
        Ok(SpanQuery { terms })
    }

    /// True when there are no terms (the query matches nothing).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// The characters that join a key to its value (`!` only before `=`).
const OPERATORS: [char; 6] = [':', '=', '!', '~', '<', '>'];

const KINDS: &str = "client, server, producer, consumer, internal, unspecified";

/// A cursor over the query's characters (offsets in errors are character offsets).
struct Parser {
    chars: Vec<char>,
    at: usize,
}

fn error<T>(message: String, at: usize) -> Result<T, QueryError> {
    Err(QueryError { message, at })
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, at: usize) -> Option<char> {
        self.chars.get(at).copied()
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.chars.get(from..to).unwrap_or(&[]).iter().collect()
    }

    /// Skips whitespace; false at the end of the text.
    fn skip_space(&mut self) -> bool {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
        self.at < self.chars.len()
    }

    fn at_term_end(&self) -> bool {
        self.peek().is_none_or(char::is_whitespace)
    }

    /// `-`? then a quoted phrase, a bare word, or `key`, an operator and a value.
    fn term(&mut self) -> Result<Term, QueryError> {
        let negated = self.peek() == Some('-');
        if negated {
            self.at += 1;
            if self.at_term_end() {
                return error(format!("nothing after \"-\" at {}", self.at), self.at);
            }
        }
        let test = if self.peek() == Some('"') {
            let start = self.at;
            let phrase = self.quoted()?;
            if phrase.is_empty() {
                return error(format!("nothing between the quotes at {start}"), start);
            }
            Test::Text(phrase)
        } else {
            self.unquoted()?
        };
        Ok(Term { negated, test })
    }

    /// A quoted string at the cursor, which must be followed by whitespace or the end.
    fn quoted(&mut self) -> Result<String, QueryError> {
        let open = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return error(format!("unclosed quote at {open}"), open),
                Some('"') => break,
                Some('\\') if matches!(self.peek_at(self.at + 1), Some('"' | '\\')) => {
                    self.at += 1;
                    out.extend(self.peek());
                }
                Some(c) => out.push(c),
            }
            self.at += 1;
        }
        self.at += 1;
        if !self.at_term_end() {
            return error(
                format!("expected a space after the closing quote at {}", self.at),
                self.at,
            );
        }
        Ok(out)
    }

    /// A bare word up to whitespace; a quote inside it is an error.
    fn bare(&mut self) -> Result<String, QueryError> {
        let start = self.at;
        while !self.at_term_end() {
            if self.peek() == Some('"') {
                return error(
                    format!(
                        "a quote inside a word at {} (quote the whole text)",
                        self.at
                    ),
                    self.at,
                );
            }
            self.at += 1;
        }
        Ok(self.text(start, self.at))
    }

    /// A term that does not start with a quote: free text, `error`, or `key<op>value`.
    fn unquoted(&mut self) -> Result<Test, QueryError> {
        let start = self.at;
        while !self.at_term_end() && self.peek() != Some('"') && !self.at_operator() {
            self.at += 1;
        }
        if self.at_operator() {
            return self.keyed(start);
        }
        self.at = start;
        let word = self.bare()?;
        if word.eq_ignore_ascii_case("error") {
            return Ok(Test::Status(StatusCode::Error));
        }
        Ok(Test::Text(word))
    }

    /// `key<op>value`, the key starting at `start` and the cursor at the operator.
    fn keyed(&mut self, start: usize) -> Result<Test, QueryError> {
        let key = self.text(start, self.at);
        let op_at = self.at;
        let op = self.operator();
        if key.is_empty() {
            return error(format!("nothing before \"{op}\" at {op_at}"), op_at);
        }
        let field = key.to_ascii_lowercase();
        if field == "duration" {
            let op = comparison(op, op_at)?;
            let nanos = self.duration_nanos()?;
            return Ok(Test::Duration { op, nanos });
        }
        if op.starts_with(['<', '>']) {
            return error(
                format!("only duration compares with \"{op}\" (at {op_at})"),
                op_at,
            );
        }
        let value_at = self.at;
        let value = self.value(&key, op)?;
        match op {
            ":" => field_test(&field, &key, value, start, value_at),
            "=" | "==" => Ok(attr(key, AttrOp::Eq, value)),
            "!=" => Ok(attr(key, AttrOp::NotEq, value)),
            _ => Ok(attr(key, AttrOp::Contains, value)),
        }
    }

    /// True at `:`, `=`, `~`, `<`, `>`, or a `!` followed by `=`.
    fn at_operator(&self) -> bool {
        match self.peek() {
            Some('!') => self.peek_at(self.at + 1) == Some('='),
            Some(c) => OPERATORS.contains(&c),
            None => false,
        }
    }

    /// Reads the operator at the cursor (one of `:`, `=`, `==`, `!=`, `~`, `<`, `<=`, `>`,
    /// `>=`).
    fn operator(&mut self) -> &'static str {
        let first = self.peek();
        self.at += 1;
        let then_eq = self.peek() == Some('=');
        let (op, two) = match first {
            Some(':') => (":", false),
            Some('~') => ("~", false),
            Some('!') => ("!=", true),
            Some('=') if then_eq => ("==", true),
            Some('=') => ("=", false),
            Some('<') if then_eq => ("<=", true),
            Some('<') => ("<", false),
            Some('>') if then_eq => (">=", true),
            _ => (">", false),
        };
        if two {
            self.at += 1;
        }
        op
    }

    /// The value after `key` and `op`: quoted (may be empty) or a bare word (may not).
    fn value(&mut self, key: &str, op: &str) -> Result<String, QueryError> {
        if self.peek() == Some('"') {
            return self.quoted();
        }
        if self.at_term_end() {
            return error(
                format!("nothing after \"{key}{op}\" at {}", self.at),
                self.at,
            );
        }
        self.bare()
    }

    /// A duration at the cursor: a number (decimals allowed) and a unit, in nanoseconds.
    fn duration_nanos(&mut self) -> Result<f64, QueryError> {
        let start = self.at;
        let word = self.bare()?;
        let digits = word
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(word.len());
        let (number, unit) = word.split_at(digits);
        let (Ok(number), false) = (number.parse::<f64>(), unit.is_empty()) else {
            return error(
                format!("duration needs a number and a unit, such as 250ms (at {start})"),
                start,
            );
        };
        // The number is ASCII: as many characters as bytes.
        let unit_at = start + digits;
        let Some(scale) = unit_nanos(unit) else {
            return error(
                format!("unknown unit \"{unit}\" (ns, us, ms, s, m, h) at {unit_at}"),
                unit_at,
            );
        };
        let nanos = number * scale;
        if !nanos.is_finite() || nanos > i64::MAX as f64 {
            return error(format!("duration too long at {start}"), start);
        }
        Ok(nanos)
    }
}

/// The comparison of `duration<op>` (`op` read at `op_at`).
fn comparison(op: &str, op_at: usize) -> Result<Compare, QueryError> {
    match op {
        "<" => Ok(Compare::Lt),
        "<=" => Ok(Compare::Le),
        ">" => Ok(Compare::Gt),
        ">=" => Ok(Compare::Ge),
        _ => error(
            format!("duration compares with <, <=, > or >=, such as duration>250ms (at {op_at})"),
            op_at,
        ),
    }
}

/// A duration as a person types it (`250ms`, `1.5s`, `300 us`; a bare number is ms), in
/// whole nanoseconds; `None` when it is not one.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim();
    let scale = if unit.is_empty() {
        1e6
    } else {
        unit_nanos(unit)?
    };
    let nanos = (number * scale).round();
    (nanos.is_finite() && nanos >= 0.0 && nanos <= i64::MAX as f64).then_some(nanos as i64)
}

/// Nanoseconds in one `unit`, any ASCII case (`µ` as the micro sign or the Greek letter).
fn unit_nanos(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "ns" => 1.0,
        "us" | "µs" | "μs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => return None,
    })
}

fn attr(key: String, op: AttrOp, value: String) -> Test {
    Test::Attr { key, op, value }
}

/// `field:value` for the fields that take a colon (`field` is `key` in lower case; `key`
/// starts at `key_at`, the value at `value_at`).
fn field_test(
    field: &str,
    key: &str,
    value: String,
    key_at: usize,
    value_at: usize,
) -> Result<Test, QueryError> {
    match field {
        "service" => Ok(Test::Service(value)),
        "op" | "operation" | "name" => Ok(Test::Operation(value)),
        "kind" => match value.to_ascii_lowercase().as_str() {
            "unspecified" => Ok(Test::Kind(SpanKind::Unspecified)),
            "internal" => Ok(Test::Kind(SpanKind::Internal)),
            "server" => Ok(Test::Kind(SpanKind::Server)),
            "client" => Ok(Test::Kind(SpanKind::Client)),
            "producer" => Ok(Test::Kind(SpanKind::Producer)),
            "consumer" => Ok(Test::Kind(SpanKind::Consumer)),
            _ => error(
                format!("unknown kind \"{value}\" ({KINDS}) at {value_at}"),
                value_at,
            ),
        },
        "status" => match value.to_ascii_lowercase().as_str() {
            "error" => Ok(Test::Status(StatusCode::Error)),
            "ok" => Ok(Test::Status(StatusCode::Ok)),
            "unset" => Ok(Test::Status(StatusCode::Unset)),
            _ => error(
                format!("unknown status \"{value}\" (error, ok, unset) at {value_at}"),
                value_at,
            ),
        },
        _ => error(
            format!(
                "unknown field \"{key}\" (service, op, kind, status; key=value for an \
                 attribute; quotes for text with a colon) at {key_at}"
            ),
            key_at,
        ),
    }
}

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod tests;
