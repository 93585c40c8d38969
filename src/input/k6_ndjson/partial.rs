//! What a worker makes of one chunk: per-series values and the timed points of gated trends, keyed by the
//! metric and its sub-metric tags, before the merger (which knows each metric's type) takes them.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::fxhash::Fx;
use crate::input::k6_common;
use crate::input::series_cap::group_of;
use crate::stats::distinct::DistinctCount;

/// The sub-metric groups (`{name:login}`) the series cap keeps, once it is full.
pub(super) type KeptGroups = HashSet<Box<str>, BuildHasherDefault<Fx>>;

/// A value whose sub-metric the full series cap drops, for its count of dropped values.
#[derive(Debug)]
pub(super) struct Dropped {
    /// Indices into [`Partial::dropped_names`].
    pub(super) metric: usize,
    pub(super) tag: usize,
    pub(super) hash: u64,
    /// The value, on the first of its metric and tag in the chunk (the warning's example).
    pub(super) example: Option<Box<str>>,
}

/// One series' values from one chunk, kept for the merger, which knows the metric's type.
#[derive(Debug, Default)]
pub(super) struct PartSeries {
    pub(super) metric_len: usize,
    pub(super) count: u64,
    pub(super) sum: f64,
    pub(super) nonzero: u64,
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) values: Vec<f64>,
    /// Whether its timed points are kept per window (a gated trend's name; the type is checked later).
    windowed: bool,
}

/// What a worker made of one chunk.
#[derive(Debug, Default)]
pub(super) struct Partial {
    pub(super) lines: u64,
    /// Metric lines in order: (metric, type, contains).
    pub(super) defs: Vec<(String, String, Option<String>)>,
    keys: HashMap<Box<str>, usize, BuildHasherDefault<Fx>>,
    pub(super) series: Vec<(Box<str>, PartSeries)>,
    pub(super) first_ns: Option<i128>,
    pub(super) last_ns: Option<i128>,
    /// (series, second since the epoch, value) of every timed point, for the per-window summaries.
    pub(super) timed: Vec<(usize, i64, f64)>,
    /// The first bad line (1-based within the chunk) and what is wrong with it.
    pub(super) error: Option<(u64, String)>,
    /// Once the series cap is full (no new group can be admitted), the groups it keeps: points of any
    /// other group build no series here, they are only counted in `dropped` (in file order).
    pub(super) kept: Option<Arc<KeptGroups>>,
    pub(super) dropped: Vec<Dropped>,
    /// The metrics and tags `dropped` refers to, and which (metric, tag) pairs have their example.
    pub(super) dropped_names: Vec<Box<str>>,
    dropped_firsts: Vec<(usize, usize)>,
    /// The last dropped value and its hash: the points of one request (one line per metric) drop the
    /// same value, hashed once.
    last_dropped: (String, u64),
}

impl Partial {
    pub(super) fn observe_time(&mut self, ns: i128) {
        self.first_ns = Some(self.first_ns.map_or(ns, |f| f.min(ns)));
        self.last_ns = Some(self.last_ns.map_or(ns, |l| l.max(ns)));
    }

    /// The series of `key`, created (starting at `value`) when new.
    fn index_of(&mut self, key: &str, metric_len: usize, value: f64) -> usize {
        match self.keys.get(key) {
            Some(&i) => i,
            None => {
                let i = self.series.len();
                self.keys.insert(key.into(), i);
                self.series.push((
                    key.into(),
                    PartSeries {
                        metric_len,
                        min: value,
                        max: value,
                        // No reserve: with one series per distinct tag value a chunk may hold
                        // thousands of series of one point each.
                        values: Vec::new(),
                        windowed: k6_common::windowed(key),
                        ..PartSeries::default()
                    },
                ));
                i
            }
        }
    }

    /// Remembers a timed point of these series for the per-window summaries.
    pub(super) fn add_timed(&mut self, went: &[usize], sec: Option<i64>, value: f64) {
        if let Some(sec) = sec {
            let series = &self.series;
            self.timed.extend(
                went.iter()
                    .filter(|&&i| series.get(i).is_some_and(|(_, s)| s.windowed))
                    .map(|&i| (i, sec, value)),
            );
        }
    }

    pub(super) fn add_at(&mut self, i: usize, value: f64) {
        if let Some((_, s)) = self.series.get_mut(i) {
            s.count += 1;
            s.sum += value;
            s.nonzero += u64::from(value != 0.0);
            s.min = s.min.min(value);
            s.max = s.max.max(value);
            s.values.push(value);
        }
    }

    /// Adds a point under its metric and each of its sub-metric keys, appending the series it went to
    /// onto `went`; `false` (nothing appended) when such points are not counted at all. The series depend
    /// only on the metric and the tags.
    pub(super) fn add_point<'a>(
        &mut self,
        key: &mut String,
        metric: &str,
        value: f64,
        tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
        went: &mut Vec<usize>,
    ) -> bool {
        // Built-in gauges are the most frequent lines that are never reported.
        if !value.is_finite() || metric == "vus" || metric == "vus_max" {
            return false;
        }
        if tags
            .clone()
            .any(|(k, v)| k == "group" && is_setup_or_teardown(v))
        {
            return false;
        }
        let kept = self.kept.take();
        let start = went.len();
        went.push(self.index_of(metric, metric.len(), value));
        // A metric name with a brace would move where the group starts: let `group_of` find it.
        let plain = !metric.contains('{');
        for (k, v) in tags {
            let split = match k {
                "name" | "scenario" | "status" | "method" => !v.is_empty(),
                "expected_response" => v == "true",
                _ => false,
            };
            if split {
                key.clear();
                key.push_str(metric);
                key.push('{');
                key.push_str(k);
                key.push(':');
                key.push_str(v);
                key.push('}');
                if let Some(kept) = &kept {
                    // What `group_of(key)` gives, without searching the key again.
                    let parts = match key.get(metric.len()..) {
                        Some(group) if plain => Some((group, k, v.trim_end_matches('}'))),
                        _ => group_of(key),
                    };
                    if let Some((group, tag, v)) = parts {
                        if !kept.contains(group) {
                            self.drop_value(metric, tag, v);
                            continue;
                        }
                    }
                }
                went.push(self.index_of(key, metric.len(), value));
            }
        }
        self.kept = kept;
        for i in start..went.len() {
            if let Some(&j) = went.get(i) {
                self.add_at(j, value);
            }
        }
        true
    }
}

impl Partial {
    fn drop_value(&mut self, metric: &str, tag: &str, value: &str) {
        let mut name = |n: &str| match self.dropped_names.iter().position(|x| **x == *n) {
            Some(i) => i,
            None => {
                self.dropped_names.push(n.into());
                self.dropped_names.len() - 1
            }
        };
        let (metric, tag) = (name(metric), name(tag));
        let first = !self.dropped_firsts.contains(&(metric, tag));
        if first {
            self.dropped_firsts.push((metric, tag));
        }
        if self.last_dropped.0 != value || self.last_dropped.0.is_empty() {
            self.last_dropped.0.clear();
            self.last_dropped.0.push_str(value);
            self.last_dropped.1 = DistinctCount::hash(value);
        }
        self.dropped.push(Dropped {
            metric,
            tag,
            hash: self.last_dropped.1,
            example: first.then(|| value.into()),
        });
    }
}

/// k6 tags setup and teardown samples with these groups; they are not part of the load.
fn is_setup_or_teardown(group: &str) -> bool {
    ["::setup", "::teardown"]
        .iter()
        .any(|g| group == *g || group.strip_prefix(g).is_some_and(|r| r.starts_with("::")))
}
