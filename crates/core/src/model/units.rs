//! Formatting of counts, durations and timestamps for display. Pure functions, so the same
//! text appears in the summary, the trace list, the waterfall and the detail panel.

/// `12345` → `"12,345"`.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `n` followed by `singular` or its plural, with thousands separators: `"1 span"`,
/// `"12,345 spans"`.
pub fn format_counted(n: u64, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        format_count(n),
        if n == 1 { singular } else { plural }
    )
}

/// A size in bytes in decimal units, one decimal: `512` → `"512 bytes"`, `1_234_567` →
/// `"1.2 MB"`, `1_610_612_736` → `"1.6 GB"`.
pub fn format_bytes(n: u64) -> String {
    let x = n as f64;
    match n {
        0..=999 => format!("{n} bytes"),
        1_000..=999_999 => format!("{:.1} kB", x / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} MB", x / 1e6),
        _ => format!("{:.1} GB", x / 1e9),
    }
}

/// A duration in the most readable unit, with three significant digits:
/// `0` → `"0 ns"`, `1_500` → `"1.5 µs"`, `12_340_000` → `"12.3 ms"`, `90e9` → `"1.5 min"`.
pub fn format_duration(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let abs = nanos.unsigned_abs() as f64;
    let (value, unit) = if abs < 1e3 {
        (abs, "ns")
    } else if abs < 1e6 {
        (abs / 1e3, "µs")
    } else if abs < 1e9 {
        (abs / 1e6, "ms")
    } else if abs < 60e9 {
        (abs / 1e9, "s")
    } else if abs < 3600e9 {
        (abs / 60e9, "min")
    } else {
        (abs / 3600e9, "h")
    };
    format!("{sign}{} {unit}", three_significant(value))
}

fn three_significant(v: f64) -> String {
    let text = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Nanoseconds since the Unix epoch as an ISO-8601 UTC timestamp with microseconds:
/// `"2018-12-13 14:51:00.000000 UTC"`.
pub fn format_timestamp(unix_nanos: i64) -> String {
    let secs = unix_nanos.div_euclid(1_000_000_000);
    let nanos = unix_nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:06} UTC",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60,
        nanos / 1000
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(12_345), "12,345");
        assert_eq!(format_count(1_234_567), "1,234,567");
        assert_eq!(format_counted(1, "span", "spans"), "1 span");
        assert_eq!(format_counted(12_345, "span", "spans"), "12,345 spans");
    }

    #[test]
    fn byte_sizes_pick_a_readable_unit() {
        assert_eq!(format_bytes(0), "0 bytes");
        assert_eq!(format_bytes(999), "999 bytes");
        assert_eq!(format_bytes(10_000), "10.0 kB");
        assert_eq!(format_bytes(1_234_567), "1.2 MB");
        assert_eq!(format_bytes(1_610_612_736), "1.6 GB");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(format_duration(0), "0 ns");
        assert_eq!(format_duration(999), "999 ns");
        assert_eq!(format_duration(1_500), "1.5 µs");
        assert_eq!(format_duration(12_340_000), "12.3 ms");
        assert_eq!(format_duration(1_000_000_000), "1 s");
        assert_eq!(format_duration(90_000_000_000), "1.5 min");
        assert_eq!(format_duration(-2_000), "-2 µs");
    }

    #[test]
    fn timestamps_are_utc_iso() {
        assert_eq!(format_timestamp(0), "1970-01-01 00:00:00.000000 UTC");
        assert_eq!(
            format_timestamp(1_544_712_660_000_000_000),
            "2018-12-13 14:51:00.000000 UTC"
        );
        assert_eq!(
            format_timestamp(1_485_467_191_639_875_000),
            "2017-01-26 21:46:31.639875 UTC"
        );
        assert_eq!(format_timestamp(-1_000), "1969-12-31 23:59:59.999999 UTC");
    }
}
