//! Timestamps: RFC 3339 text (k6's `data.time`, `perfgate pull --start/--end`) into nanoseconds since the
//! Unix epoch, and a cache for streams whose consecutive timestamps share their second.

/// Parses an RFC 3339 timestamp with offset (`2024-08-22T01:14:12.708268909-03:00`, `…Z`) into
/// nanoseconds since the Unix epoch.
pub fn parse_rfc3339_nanos(s: &str) -> Option<i128> {
    let b = s.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i128> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits
            .iter()
            .try_fold(0i128, |acc, d| Some(acc * 10 + i128::from(d - b'0')))
    };
    let sep = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // The fraction and offset are read as the stream cache reads them.
    let (frac_ns, offset_s) = parse_fraction_and_offset(s.trim().get(19..)?)?;
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some(secs * 1_000_000_000 + frac_ns)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i128, m: i128, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whole seconds since the epoch of a nanosecond timestamp.
pub fn ns_to_sec(ns: i128) -> i64 {
    // 64-bit division when it fits (until 2262): this runs per k6 point, and i128 division is slow.
    if let Ok(ns) = i64::try_from(ns) {
        return ns.div_euclid(1_000_000_000);
    }
    i64::try_from(ns.div_euclid(1_000_000_000)).unwrap_or(i64::MAX)
}

/// Seconds (fractional) of a nanosecond duration.
#[allow(clippy::cast_precision_loss)]
pub fn nanos_to_secs(ns: i128) -> f64 {
    ns as f64 / 1e9
}

/// Parses RFC 3339 timestamps of a stream, remembering the seconds of the last one's
/// `YYYY-MM-DDTHH:MM:SS` part: consecutive points share it, so only the fraction and offset are read.
/// Gives the same result as [`parse_rfc3339_nanos`].
#[derive(Default)]
pub struct TimeCache {
    prefix: [u8; 19],
    secs: i128,
    valid: bool,
}

impl TimeCache {
    /// Nanoseconds since the epoch of `t`, or `None` when it is not an RFC 3339 timestamp.
    pub fn parse(&mut self, t: &str) -> Option<i128> {
        let b = t.as_bytes();
        if t.trim().len() != t.len() {
            return parse_rfc3339_nanos(t);
        }
        let (Some(prefix), Some(rest)) = (b.get(..19), t.get(19..)) else {
            return parse_rfc3339_nanos(t);
        };
        if !(self.valid && prefix == self.prefix) {
            // The full parser validates the whole timestamp once per new second.
            let full = parse_rfc3339_nanos(t)?;
            let (frac, offset) = parse_fraction_and_offset(rest)?;
            self.secs = (full - frac) / 1_000_000_000 + offset;
            self.prefix.copy_from_slice(prefix);
            self.valid = true;
            return Some(full);
        }
        let (frac, offset) = parse_fraction_and_offset(rest)?;
        Some((self.secs - offset) * 1_000_000_000 + frac)
    }
}

/// The `.fffffffff` and `Z`/`±HH:MM` tail of a timestamp: nanoseconds and the offset in seconds.
fn parse_fraction_and_offset(tail: &str) -> Option<(i128, i128)> {
    let b = tail.as_bytes();
    let mut i = 0;
    let mut frac_ns = 0i64;
    if b.first() == Some(&b'.') {
        i = 1;
        // Nanosecond precision: digits past the ninth are dropped (64-bit arithmetic: this is per line).
        const SCALE: [i64; 9] = [
            100_000_000,
            10_000_000,
            1_000_000,
            100_000,
            10_000,
            1_000,
            100,
            10,
            1,
        ];
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            if let Some(scale) = SCALE.get(i - 1) {
                frac_ns += i64::from(d - b'0') * scale;
            }
            i += 1;
        }
        if i == 1 {
            return None;
        }
    }
    let two = |j: usize| -> Option<i64> {
        let (x, y) = (
            b.get(j).filter(|c| c.is_ascii_digit())?,
            b.get(j + 1).filter(|c| c.is_ascii_digit())?,
        );
        Some(i64::from(x - b'0') * 10 + i64::from(y - b'0'))
    };
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (two(i + 1)?, two(i + 4)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    Some((i128::from(frac_ns), i128::from(offset)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAD: [&str; 8] = [
        "",
        "2024-08-22",
        "2024-13-01T00:00:00Z",
        "2024-08-22T01:14:12",
        "2024-08-22T01:14:12.Z",
        "2024-08-22T01:14:12+0300",
        "2024-08-22T01:14:12+03:00x",
        "２024-08-22T01:14:12Z",
    ];

    #[test]
    fn timestamps() {
        assert_eq!(parse_rfc3339_nanos("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_nanos("2024-08-22T01:14:12.708268909-03:00"),
            Some(1_724_300_052_708_268_909)
        );
        assert_eq!(
            parse_rfc3339_nanos("2022-08-13T01:26:26.97176957Z"),
            Some(1_660_353_986_971_769_570)
        );
        assert_eq!(
            parse_rfc3339_nanos("1969-12-31T23:59:59.5Z"),
            Some(-500_000_000)
        );
        for bad in BAD {
            assert_eq!(parse_rfc3339_nanos(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_cache_agrees_with_the_full_parser_on_a_stream() {
        // Consecutive k6-style timestamps: a shared second with varying fractions and offsets, a new
        // second, bad tails after a cached prefix, and padding.
        let stream = [
            "2024-08-22T01:14:12.708268909-03:00",
            "2024-08-22T01:14:12.9-03:00",
            "2024-08-22T01:14:12Z",
            "2024-08-22T01:14:12.1234567891+05:30",
            "2024-08-22T01:14:12.Z",
            "2024-08-22T01:14:12+0300",
            "2024-08-22T01:14:13.000000001z",
            " 2024-08-22T01:14:13Z",
            "1969-12-31T23:59:59.5Z",
            "1969-12-31T23:59:59.25+01:00",
        ];
        let mut cache = TimeCache::default();
        for t in stream.into_iter().chain(BAD) {
            assert_eq!(cache.parse(t), parse_rfc3339_nanos(t), "{t:?}");
        }
    }

    #[test]
    fn whole_and_fractional_seconds() {
        assert_eq!(ns_to_sec(1_999_999_999), 1);
        assert_eq!(ns_to_sec(-1), -1, "rounds down, before the epoch too");
        assert_eq!(nanos_to_secs(1_500_000_000), 1.5);
    }
}
