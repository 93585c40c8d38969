//! The hand-rolled scanner for the common Point line: plain JSON strings without escapes, a number or
//! null value, string tags. Returns `None` for anything else, which serde then reads (or rejects).

pub(super) struct Point<'a> {
    pub metric: &'a str,
    pub time: Option<&'a str>,
    pub value: Option<f64>,
    /// The tags object as written, the key for remembering where its points go.
    pub tags_raw: &'a [u8],
    tags: [(&'a str, &'a str); MAX_TAGS],
    n_tags: usize,
}

const MAX_TAGS: usize = 32;

impl<'a> Point<'a> {
    pub fn tags(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone + '_ {
        self.tags.iter().take(self.n_tags).copied()
    }
}

struct Cur<'a> {
    /// The whole line, validated as UTF-8 once so that strings need no check of their own.
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string without escapes. Control characters inside it (invalid JSON) are tolerated.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = self.b.get(start..)?;
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        if rest.get(end) != Some(&b'"') {
            return None;
        }
        self.i = start + end + 1;
        // Quotes are ASCII, so both ends are character boundaries.
        self.s.get(start..self.i - 1)
    }

    /// A JSON number, or `None` for null (`Err` for anything else).
    fn number_or_null(&mut self) -> Result<Option<f64>, ()> {
        self.ws();
        if self.b.get(self.i..self.i + 4) == Some(b"null") {
            self.i += 4;
            return Ok(None);
        }
        let start = self.i;
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.i += 1;
        }
        number(self.b.get(start..self.i).ok_or(())?).map(Some)
    }

    /// Calls `f` for each key of an object, which must consume the value.
    fn object(&mut self, mut f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let k = self.string()?;
            self.eat(b':')?;
            f(self, k)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// A JSON number made only of `0-9 - + . e E` (`Err` for anything else, serde decides those).
pub(super) fn number(b: &[u8]) -> Result<f64, ()> {
    if !matches!(b.first(), Some(b'-' | b'0'..=b'9'))
        || !b
            .iter()
            .all(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return Err(());
    }
    // Only ASCII, checked above.
    let s = std::str::from_utf8(b).map_err(|_| ())?;
    // Rust accepts a few forms JSON does not ("1.", "01"); serde decides those.
    if s.ends_with('.') || (s.len() > 1 && s.starts_with('0') && !s.starts_with("0.")) {
        return Err(());
    }
    fast_decimal(b).map_or_else(|| s.parse::<f64>().map_err(|_| ()), Ok)
}

/// `[-]digits[.digits]` with at most 15 digits, as k6 writes its values: the digits as an exact integer
/// divided by an exact power of ten, one correctly rounded division, so the same `f64` as the full parse
/// (Clinger's fast path); `None` for anything else.
fn fast_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let (mut m, mut n, mut dot) = (0u64, 0usize, None);
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                n += 1;
            }
            b'.' if dot.is_none() && i > 0 && i + 1 < digits.len() => dot = Some(i),
            _ => return None,
        }
    }
    if n > 15 {
        return None;
    }
    let scale = dot.map_or(0, |i| digits.len() - 1 - i);
    // Below 10^15 < 2^53: exact as an f64.
    #[allow(clippy::cast_precision_loss)]
    let v = m as f64 / POW10.get(scale)?;
    Some(if neg { -v } else { v })
}

/// A Point line exactly as k6 writes it, `{"metric":M,"type":"Point","data":{"time":T,"value":V,"tags":{…}}}`
/// without whitespace or escapes, cut into its parts without looking into the tags. Only worth taking when
/// the (metric, tags) bytes were already read once by [`point`], which validated them.
pub(super) struct Layout<'a> {
    pub metric: &'a [u8],
    pub time: &'a [u8],
    pub value: Option<f64>,
    pub tags_raw: &'a [u8],
}

pub(super) fn layout(line: &[u8]) -> Option<Layout<'_>> {
    let rest = line.strip_prefix(b"{\"metric\":\"")?;
    let (metric, rest) = until_quote(rest)?;
    let rest = rest.strip_prefix(b"\",\"type\":\"Point\",\"data\":{\"time\":\"")?;
    let (time, rest) = until_quote(rest)?;
    let rest = rest.strip_prefix(b"\",\"value\":")?;
    let end = memchr::memchr(b',', rest)?;
    let (num, rest) = rest.split_at(end);
    let value = if num == b"null" {
        None
    } else {
        Some(number(num).ok()?)
    };
    let tags_raw = rest.strip_prefix(b",\"tags\":")?.strip_suffix(b"}}")?;
    Some(Layout {
        metric,
        time,
        value,
        tags_raw,
    })
}

/// The bytes up to a closing quote (`None` at a backslash), and the rest from that quote on.
fn until_quote(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = memchr::memchr2(b'"', b'\\', b)?;
    (b.get(end) == Some(&b'"')).then(|| b.split_at(end))
}

pub(super) fn point(line: &[u8]) -> Option<Point<'_>> {
    let s = std::str::from_utf8(line).ok()?;
    let mut c = Cur { s, b: line, i: 0 };
    let mut p = Point {
        metric: "",
        time: None,
        value: None,
        tags_raw: b"",
        tags: [("", ""); MAX_TAGS],
        n_tags: 0,
    };
    let (mut is_point, mut has_metric, mut has_data) = (false, false, false);
    c.object(|c, k| {
        match k {
            "type" => is_point = c.string()? == "Point",
            "metric" => {
                p.metric = c.string()?;
                has_metric = true;
            }
            "data" => {
                has_data = true;
                return c.object(|c, k| {
                    match k {
                        "time" => p.time = Some(c.string()?),
                        "value" => p.value = c.number_or_null().ok()?,
                        "tags" => {
                            c.ws();
                            let start = c.i;
                            if c.b.get(c.i..c.i + 4) == Some(b"null") {
                                c.i += 4;
                                p.tags_raw = c.b.get(start..c.i)?;
                                return Some(());
                            }
                            // A repeated "tags" key would leave stale tags behind: not ours.
                            if p.n_tags > 0 {
                                return None;
                            }
                            c.object(|c, k| {
                                let v = c.string()?;
                                let slot = p.tags.get_mut(p.n_tags)?;
                                *slot = (k, v);
                                p.n_tags += 1;
                                Some(())
                            })?;
                            p.tags_raw = c.b.get(start..c.i)?;
                        }
                        _ => return None,
                    }
                    Some(())
                });
            }
            _ => return None,
        }
        Some(())
    })?;
    c.ws();
    (c.i == line.len() && is_point && has_metric && has_data).then_some(p)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::{number, point};

    #[test]
    fn fast_decimals_equal_the_full_parse() {
        let mut rng = crate::stats::test_util::Lcg(17);
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "1",
            "0.1",
            "20.167896",
            "0.003727",
            "999999999999999",
            "9999999999999999",
            "123456.789012345",
            "1.7976931348623157",
            "-0.000000000000001",
            "1e3",
            "1.5E-7",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        for _ in 0..20_000 {
            let v = (rng.normal() * 8.0).exp();
            cases.push(format!("{v:.6}"));
            cases.push(format!("{:.3}", -v));
            cases.push(format!("{v}"));
        }
        for c in &cases {
            let want: f64 = c.parse().unwrap();
            let got = number(c.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{c}");
        }
        for bad in ["", "-", ".5", "5.", "01", "1.2.3", "--1", "1-"] {
            assert!(number(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn fast_path_and_serde_agree() {
        let lines = [
            "{\"metric\":\"m\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T04:14:00Z\",\"value\":1.5e2,\"tags\":{\"name\":\"a\"}}}",
            "{\"type\":\"Point\",\"data\":{\"value\":-0.25,\"tags\":null},\"metric\":\"m\"}",
            " { \"type\" : \"Point\" , \"metric\" : \"m\" , \"data\" : { \"value\" : null } } ",
        ];
        for l in lines {
            let p = point(l.as_bytes()).expect(l);
            let v: Value = serde_json::from_str(l).unwrap();
            assert_eq!(p.metric, v["metric"]);
            assert_eq!(p.value, v["data"]["value"].as_f64());
        }
        for odd in [
            "{\"type\":\"Point\",\"metric\":\"m\\u0041\",\"data\":{\"value\":1}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":01}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":\"1\"}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":1,\"tags\":{\"a\":1}}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":1}} x",
            "{\"type\":\"Metric\",\"metric\":\"m\",\"data\":{\"type\":\"trend\"}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":1}",
        ] {
            assert!(point(odd.as_bytes()).is_none(), "{odd}");
        }
    }
}
