//! One chunk's lines into a [`Partial`]: the common Point line through the hand-rolled scanner
//! (`scan.rs`), everything else (Metric lines, escapes, unexpected shapes, errors) through serde.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::fxhash::Fx;
use super::partial::Partial;
use super::scan;
use crate::time::{ns_to_sec, parse_rfc3339_nanos, TimeCache};

/// (metric, tags object as written) → the series its points go to, or `None` when they are not counted.
type Routes<'a> = HashMap<(&'a [u8], &'a [u8]), Option<Vec<usize>>, BuildHasherDefault<Fx>>;

/// Parses the lines of one chunk. Stops at the first bad line.
pub(super) fn parse_chunk(chunk: &[u8], first_in_file: bool) -> Partial {
    let mut part = Partial::default();
    let mut key = String::new();
    let mut time_cache = TimeCache::default();
    // Points of one metric with the same tags (byte for byte) go to the same series: remember which.
    let mut routes: Routes<'_> = HashMap::default();
    // About one timed point per 300 bytes of a typical k6 file: skip the doublings.
    part.timed.reserve(chunk.len() / 300);
    let mut rest = chunk;
    if first_in_file {
        rest = rest.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(rest);
    }
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 1..).unwrap_or_default(),
            ),
            None => (rest, &[][..]),
        };
        rest = next;
        part.lines += 1;
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let result = match scan::point(line) {
            Some(p) => {
                let mut sec = None;
                if let Some(t) = p.time {
                    match time_cache.parse(t) {
                        Some(ns) => {
                            part.observe_time(ns);
                            sec = Some(ns_to_sec(ns));
                        }
                        None => {
                            part.error = Some((
                                part.lines,
                                format!("`data.time` {t:?} is not an RFC 3339 timestamp"),
                            ));
                            return part;
                        }
                    }
                }
                // Non-finite values are missing samples; they create no series.
                if let Some(v) = p.value.filter(|v| v.is_finite()) {
                    match routes.get(&(p.metric.as_bytes(), p.tags_raw)) {
                        Some(Some(went)) => {
                            for &i in went {
                                part.add_at(i, v);
                            }
                            part.add_timed(went, sec, v);
                        }
                        Some(None) => {}
                        None => {
                            let went = part.add_point(&mut key, p.metric, v, p.tags());
                            if let Some(w) = &went {
                                part.add_timed(w, sec, v);
                            }
                            routes.insert((p.metric.as_bytes(), p.tags_raw), went);
                        }
                    }
                }
                Ok(())
            }
            None => slow_line(&mut part, &mut key, line),
        };
        if let Err(e) = result {
            part.error = Some((part.lines, e));
            return part;
        }
    }
    part
}

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: Option<String>,
    metric: Option<String>,
    data: Option<Data>,
}

/// The union of a Metric line's and a Point line's `data`.
#[derive(Deserialize)]
struct Data {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    contains: Option<String>,
    time: Option<String>,
    value: Option<Value>,
    tags: Option<Map<String, Value>>,
}

/// Any line the fast scanner did not take: Metric lines, escapes, unexpected shapes, errors.
fn slow_line(part: &mut Partial, key: &mut String, bytes: &[u8]) -> Result<(), String> {
    let line: Line = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let data = line.data;
    match line.kind.as_deref() {
        Some("Metric") => {
            let Some(data) = data else { return Ok(()) };
            let name = line
                .metric
                .or(data.name)
                .ok_or("Metric line without `metric`")?;
            if let Some(kind) = data.kind {
                part.defs.push((name, kind, data.contains));
            }
        }
        Some("Point") => {
            let metric = line.metric.ok_or("Point line without `metric`")?;
            let data = data.ok_or("Point line without `data`")?;
            let mut sec = None;
            if let Some(t) = data.time.as_deref() {
                let ns = parse_rfc3339_nanos(t)
                    .ok_or_else(|| format!("`data.time` {t:?} is not an RFC 3339 timestamp"))?;
                part.observe_time(ns);
                sec = Some(ns_to_sec(ns));
            }
            // A null or non-numeric value is a missing sample, never 0.
            let Some(value) = data.value.as_ref().and_then(Value::as_f64) else {
                return Ok(());
            };
            let tags = data.tags.iter().flatten();
            let went = part.add_point(
                key,
                &metric,
                value,
                tags.filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))),
            );
            if let Some(w) = &went {
                part.add_timed(w, sec, value);
            }
        }
        // Future line types are not ours to judge.
        _ => {}
    }
    Ok(())
}
