//! JSON helpers shared by the importers: user-facing syntax error messages and lenient
//! number readers (64-bit integers as strings or numbers, never through `f64`).
//!
//! The OTLP and Jaeger importers read through the faster pull scanner in `scan.rs` (whose
//! `flex_*` readers follow the same rules as the `Flex*` types here); the serde helpers stay
//! for importers built on serde derive.

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// Checks that `bytes` is a sequence of whitespace-separated JSON values (one document, or
/// JSON Lines). The error says what is wrong and at which line and column.
pub fn check_syntax(bytes: &[u8]) -> Result<(), String> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    for item in &mut stream {
        item.map_err(|e| describe(&e))?;
    }
    Ok(())
}

/// A serde_json error in words: syntax errors and early ends say where.
pub fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => format!(
            "the JSON ends too early (is the file truncated?) at line {} column {}",
            e.line(),
            e.column()
        ),
        _ => e.to_string(),
    }
}

/// Deserializes every top-level JSON value in `bytes` (one document, or JSON Lines) and
/// hands each to `each`.
#[allow(dead_code)] // kept for serde-based importers
pub fn for_each_document<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    mut each: impl FnMut(T),
) -> Result<(), String> {
    let stream = serde_json::Deserializer::from_slice(bytes).into_iter::<T>();
    for item in stream {
        each(item.map_err(|e| describe(&e))?);
    }
    Ok(())
}

/// For `deserialize_with`: a list that may be written as `null`, which reads as empty.
#[allow(dead_code)] // kept for serde-based importers
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An unsigned 64-bit integer written as a JSON number or a decimal string (proto3 JSON
/// writes 64-bit integers as strings). Floats are truncated; negative numbers are 0.
#[allow(dead_code)] // kept for serde-based importers
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct FlexU64(pub u64);

impl<'de> Deserialize<'de> for FlexU64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FlexU64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an unsigned integer or a string of digits")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexU64, E> {
                Ok(FlexU64(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexU64, E> {
                Ok(FlexU64(v.max(0) as u64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexU64, E> {
                Ok(FlexU64(if v.is_finite() && v > 0.0 {
                    v as u64
                } else {
                    0
                }))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexU64, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(FlexU64(0));
                }
                t.parse::<u64>()
                    .map(FlexU64)
                    .map_err(|_| E::custom(format!("expected a number, found \"{v}\"")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<FlexU64, E> {
                Ok(FlexU64(0))
            }
        }
        d.deserialize_any(V)
    }
}

/// A signed 64-bit integer written as a JSON number or a decimal string.
#[allow(dead_code)] // kept for serde-based importers
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct FlexI64(pub i64);

impl<'de> Deserialize<'de> for FlexI64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FlexI64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a string of digits")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexI64, E> {
                Ok(FlexI64(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexI64, E> {
                Ok(FlexI64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexI64, E> {
                Ok(FlexI64(v as i64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexI64, E> {
                v.trim()
                    .parse::<i64>()
                    .map(FlexI64)
                    .map_err(|_| E::custom(format!("expected an integer, found \"{v}\"")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A double written as a JSON number or as a string (`"NaN"`, `"Infinity"`, `"-Infinity"`,
/// or digits), as proto3 JSON allows.
#[allow(dead_code)] // kept for serde-based importers
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct FlexF64(pub f64);

impl<'de> Deserialize<'de> for FlexF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FlexF64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, or \"NaN\"/\"Infinity\"/\"-Infinity\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexF64, E> {
                Ok(FlexF64(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexF64, E> {
                Ok(FlexF64(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexF64, E> {
                Ok(FlexF64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexF64, E> {
                match v.trim() {
                    "NaN" => Ok(FlexF64(f64::NAN)),
                    "Infinity" => Ok(FlexF64(f64::INFINITY)),
                    "-Infinity" => Ok(FlexF64(f64::NEG_INFINITY)),
                    t => t
                        .parse::<f64>()
                        .map(FlexF64)
                        .map_err(|_| E::custom(format!("expected a number, found \"{v}\""))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value, kept as cheaply as possible: scalars as themselves, arrays and objects
/// as their compact JSON text.
#[allow(dead_code)] // kept for serde-based importers
#[derive(Clone, Debug, PartialEq)]
pub enum Loose<'a> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'a, str>),
    /// An array or object, re-serialized compactly.
    Json(String),
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Loose<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose<'a>, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Loose<'a>, E> {
                Ok(Loose::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose<'a>, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose<'a>, E> {
                Ok(Loose::I64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose<'a>, E> {
                Ok(Loose::U64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose<'a>, E> {
                Ok(Loose::F64(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Loose<'a>, E> {
                Ok(Loose::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose<'a>, E> {
                Ok(Loose::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Loose<'a>, E> {
                Ok(Loose::Str(Cow::Owned(v)))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Loose<'a>, A::Error> {
                let v = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Loose::Json(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Loose<'a>, A::Error> {
                let v = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Loose::Json(v.to_string()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flex_numbers_accept_strings_and_numbers_without_f64() {
        let v: FlexU64 = serde_json::from_str("\"1544712660000000001\"").unwrap();
        assert_eq!(v.0, 1_544_712_660_000_000_001);
        let v: FlexU64 = serde_json::from_str("1544712660000000001").unwrap();
        assert_eq!(v.0, 1_544_712_660_000_000_001);
        let v: FlexI64 = serde_json::from_str("\"-9223372036854775222\"").unwrap();
        assert_eq!(v.0, -9_223_372_036_854_775_222);
        let v: FlexF64 = serde_json::from_str("\"NaN\"").unwrap();
        assert!(v.0.is_nan());
        assert!(serde_json::from_str::<FlexU64>("\"abc\"").is_err());
    }

    #[test]
    fn syntax_errors_say_line_and_column() {
        let e = check_syntax(b"{\n  \"a\": 1,\n  oops\n}").unwrap_err();
        assert!(e.contains("line 3 column 3"), "{e}");
        let e = check_syntax(b"{\"a\": [1, 2").unwrap_err();
        assert!(e.contains("truncated") && e.contains("line 1"), "{e}");
    }

    #[test]
    fn loose_keeps_nested_values_as_json_text() {
        let v: Loose = serde_json::from_str(r#"{"a":[1,2]}"#).unwrap();
        assert_eq!(v, Loose::Json(r#"{"a":[1,2]}"#.into()));
        let v: Loose = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(v, Loose::U64(u64::MAX));
    }
}
