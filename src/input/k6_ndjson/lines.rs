//! One chunk's lines into a [`Partial`]: the common Point line through the hand-rolled scanner
//! (`scan.rs`), everything else (Metric lines, escapes, unexpected shapes, errors) through serde.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::fxhash::Fx;
use super::partial::{KeptGroups, Partial};
use super::scan;
use crate::time::{ns_to_sec, parse_rfc3339_nanos, TimeCache};

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Where the points of one route go: a range of [`Routes::went`], `None` when they are not counted.
type Went = Option<(usize, usize)>;

/// (metric, tags object as written) → the series its points go to, or `None` when they are not counted.
/// The tags object (long) is hashed once per run of lines that share it, as the points of a request do.
#[derive(Default)]
struct Routes<'a> {
    tag_ids: FxMap<&'a [u8], u32>,
    last: Option<(&'a [u8], u32)>,
    /// A range of `went` per route: no allocation per new series of tags.
    map: FxMap<(&'a [u8], u32), Went>,
    went: Vec<usize>,
}

impl<'a> Routes<'a> {
    /// The id of these tags, given on first sight (one hash per distinct tags object, however many of
    /// its points are looked up or inserted).
    fn tags_id(&mut self, tags: &'a [u8]) -> Option<u32> {
        if let Some((t, id)) = self.last {
            if t == tags {
                return Some(id);
            }
        }
        let next = u32::try_from(self.tag_ids.len()).ok()?;
        let id = *self.tag_ids.entry(tags).or_insert(next);
        self.last = Some((tags, id));
        Some(id)
    }

    /// The series a point of `metric` with these tags goes to: `Some(None)` when not counted, `None`
    /// when not known yet.
    fn get(&mut self, metric: &'a [u8], tags: &'a [u8]) -> Option<Option<&[usize]>> {
        let id = self.tags_id(tags)?;
        let route = *self.map.get(&(metric, id))?;
        Some(route.map(|(a, b)| self.went.get(a..b).unwrap_or_default()))
    }

    fn insert(&mut self, metric: &'a [u8], tags: &'a [u8], went: Went) {
        if let Some(id) = self.tags_id(tags) {
            self.map.insert((metric, id), went);
        }
    }
}

/// Parses the lines of one chunk. Stops at the first bad line.
pub(super) fn parse_chunk(
    chunk: &[u8],
    first_in_file: bool,
    kept: Option<Arc<KeptGroups>>,
) -> Partial {
    let mut part = Partial::default();
    part.kept = kept;
    let mut key = String::new();
    let mut time_cache = TimeCache::default();
    // Points of one metric with the same tags (byte for byte) go to the same series: remember which.
    let mut routes = Routes::default();
    // The points of one request share their timestamp, byte for byte.
    let mut last_time: Option<(&[u8], i128)> = None;
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
        // The common case: k6's own layout, with metric and tags seen before in this chunk (so already
        // validated by the scanner); the tags are neither parsed nor split again.
        if let Some(q) = scan::layout(line) {
            if let Some(route) = routes.get(q.metric, q.tags_raw) {
                if let Ok(t) = std::str::from_utf8(q.time) {
                    let ns = match last_time {
                        Some((lt, ns)) if lt == q.time => Some(ns),
                        _ => time_cache.parse(t),
                    };
                    let Some(ns) = ns else {
                        part.error = Some((part.lines, bad_time(t)));
                        return part;
                    };
                    last_time = Some((q.time, ns));
                    part.observe_time(ns);
                    if let (Some(went), Some(v)) = (route, q.value.filter(|v| v.is_finite())) {
                        for &i in went {
                            part.add_at(i, v);
                        }
                        part.add_timed(went, Some(ns_to_sec(ns)), v);
                    }
                    continue;
                }
            }
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
                            part.error = Some((part.lines, bad_time(t)));
                            return part;
                        }
                    }
                }
                // Non-finite values are missing samples; they create no series.
                if let Some(v) = p.value.filter(|v| v.is_finite()) {
                    match routes.get(p.metric.as_bytes(), p.tags_raw) {
                        Some(Some(went)) => {
                            for &i in went {
                                part.add_at(i, v);
                            }
                            part.add_timed(went, sec, v);
                        }
                        Some(None) => {}
                        None => {
                            let start = routes.went.len();
                            let counted =
                                part.add_point(&mut key, p.metric, v, p.tags(), &mut routes.went);
                            let went = counted.then_some((start, routes.went.len()));
                            if let Some(w) = routes.went.get(start..).filter(|_| counted) {
                                part.add_timed(w, sec, v);
                            }
                            routes.insert(p.metric.as_bytes(), p.tags_raw, went);
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

fn bad_time(t: &str) -> String {
    format!("`data.time` {t:?} is not an RFC 3339 timestamp")
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
                let ns = parse_rfc3339_nanos(t).ok_or_else(|| bad_time(t))?;
                part.observe_time(ns);
                sec = Some(ns_to_sec(ns));
            }
            // A null or non-numeric value is a missing sample, never 0.
            let Some(value) = data.value.as_ref().and_then(Value::as_f64) else {
                return Ok(());
            };
            let tags = data.tags.iter().flatten();
            let mut went = Vec::new();
            let tags = tags.filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)));
            if part.add_point(key, &metric, value, tags, &mut went) {
                part.add_timed(&went, sec, value);
            }
        }
        // Future line types are not ours to judge.
        _ => {}
    }
    Ok(())
}
