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
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(());
        }
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.i += 1;
        }
        let s = self.s.get(start..self.i).ok_or(())?;
        // Rust accepts a few forms JSON does not ("1.", "01"); serde decides those.
        if s.ends_with('.') || (s.len() > 1 && s.starts_with('0') && !s.starts_with("0.")) {
            return Err(());
        }
        s.parse::<f64>().map(Some).map_err(|_| ())
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

    use super::point;

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
