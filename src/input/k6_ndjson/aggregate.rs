//! The merger's state: per metric and sub-metric, the k6 type and what has been collected (a [`Summary`]
//! for trends, sums for counters and rates), turned at the end into the summary k6 would print.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use serde_json::{Map, Value};

use super::fxhash::Fx;
use super::partial::{KeptGroups, Partial};
use super::windows::Windows;
use crate::error::ParseError;
use crate::input::k6_common::{self, K6Type};
use crate::input::series_cap::SeriesCap;
use crate::model::Run;
use crate::stats::sketch::Summary;
use crate::time::nanos_to_secs;

/// Percentiles computed for trends, as k6 names them.
const PERCENTILES: &[(&str, f64)] = &[
    ("med", 0.5),
    ("p(90)", 0.9),
    ("p(95)", 0.95),
    ("p(99)", 0.99),
];

/// What has been collected for one metric or sub-metric.
enum Series {
    Trend(Summary),
    Counter(f64),
    Rate { nonzero: u64, total: u64 },
}

/// One kept metric or sub-metric.
struct Slot {
    key: Box<str>,
    kind: K6Type,
    series: Series,
    /// Per-window summaries of a gated trend, for batch-means evidence (see [`Windows`]).
    windows: Option<Windows>,
}

/// Turns k6 samples into the summary k6 would compute. Fed one point (or one parsed chunk) at a time so
/// that the reading (lines, gzip, threads) stays separate from the statistics.
pub struct K6Aggregator {
    kinds: HashMap<String, (K6Type, Option<String>)>,
    /// The kept series by key: an index into `slots`.
    index: HashMap<Box<str>, usize, BuildHasherDefault<Fx>>,
    slots: Vec<Slot>,
    first_ns: Option<i128>,
    last_ns: Option<i128>,
    /// Bounds the sub-metrics (#17): dynamic URLs in the `name` tag must not grow memory without end.
    cap: SeriesCap,
}

impl Default for K6Aggregator {
    fn default() -> Self {
        Self::new()
    }
}

impl K6Aggregator {
    /// An empty aggregator.
    pub fn new() -> K6Aggregator {
        K6Aggregator {
            kinds: HashMap::new(),
            index: HashMap::default(),
            slots: Vec::new(),
            first_ns: None,
            last_ns: None,
            cap: SeriesCap::default(),
        }
    }

    /// Records a metric's k6 type (`trend`, `counter`, `rate`, `gauge`) and `contains` (`time`, `data`, …).
    pub fn define(&mut self, metric: &str, kind: &str, contains: Option<&str>) {
        if let Some(kind) = K6Type::parse(kind) {
            self.kinds
                .insert(metric.to_string(), (kind, contains.map(str::to_string)));
        }
    }

    /// Records a point's timestamp (nanoseconds since the epoch) for the span that counters' rates use.
    pub fn observe_time(&mut self, ns: i128) {
        self.first_ns = Some(self.first_ns.map_or(ns, |f| f.min(ns)));
        self.last_ns = Some(self.last_ns.map_or(ns, |l| l.max(ns)));
    }

    /// Adds one sample of `metric` with its tags. Setup/teardown samples, gauges and non-finite values are
    /// ignored.
    pub fn add_point<'a>(
        &mut self,
        metric: &str,
        value: f64,
        tags: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        let tags: Vec<_> = tags.into_iter().collect();
        let mut part = Partial::default();
        part.add_point(
            &mut String::new(),
            metric,
            value,
            tags.into_iter(),
            &mut Vec::new(),
        );
        // Cannot fail: the partial has no error.
        let _ = self.merge_partial(part, 0);
    }

    fn kind_of(&self, metric: &str) -> Option<K6Type> {
        self.kinds
            .get(metric)
            .map(|(k, _)| *k)
            .or_else(|| builtin_kind(metric))
    }

    /// The slot of `key`, created when its metric is counted and the series cap admits it.
    fn slot(&mut self, key: Box<str>, metric_len: usize) -> Option<usize> {
        if let Some(&i) = self.index.get(&key) {
            return Some(i);
        }
        let metric = key.get(..metric_len).unwrap_or(&key);
        let kind = self.kind_of(metric).filter(|k| *k != K6Type::Gauge)?;
        if !self.cap.admit(&key) {
            return None;
        }
        let series = match kind {
            K6Type::Trend => Series::Trend(Summary::default()),
            K6Type::Counter => Series::Counter(0.0),
            _ => Series::Rate {
                nonzero: 0,
                total: 0,
            },
        };
        let windows = (kind == K6Type::Trend && k6_common::windowed(&key)).then(Windows::default);
        let i = self.slots.len();
        self.index.insert(key.clone(), i);
        self.slots.push(Slot {
            key,
            kind,
            series,
            windows,
        });
        Some(i)
    }

    #[cfg(test)]
    pub(super) fn cap_warning(&self) -> Option<String> {
        self.cap.warning()
    }

    /// The sub-metric groups kept once the series cap is full, for the workers to drop the others.
    pub(super) fn kept_groups(&self) -> Option<KeptGroups> {
        self.cap
            .full()
            .map(|groups| groups.map(Box::from).collect())
    }

    /// Merges one chunk's partial result; returns the line count so far, or the chunk's error with its line.
    pub(super) fn merge_partial(
        &mut self,
        part: Partial,
        lines_before: u64,
    ) -> Result<u64, ParseError> {
        // A chunk's definitions apply to all its points (k6 writes them before the first point anyway).
        for (metric, kind, contains) in &part.defs {
            self.define(metric, kind, contains.as_deref());
        }
        if let Some((line, e)) = part.error {
            let kind = if e.starts_with("invalid JSON") {
                ParseError::syntax(e)
            } else {
                ParseError::new(e)
            };
            return Err(kind.at_line(lines_before + line));
        }
        if let Some(f) = part.first_ns {
            self.observe_time(f);
        }
        if let Some(l) = part.last_ns {
            self.observe_time(l);
        }
        // Where each of the chunk's series goes (`None`: not kept), decided before the windows so that a
        // sub-metric dropped by the series cap keeps no per-window state either.
        let mut slot_of = Vec::with_capacity(part.series.len());
        for (key, s) in part.series {
            let slot = self.slot(key, s.metric_len);
            if let Some(Slot { series, .. }) = slot.and_then(|i| self.slots.get_mut(i)) {
                match series {
                    Series::Trend(sum) => sum.add_batch(&s.values, s.sum, s.min, s.max),
                    Series::Counter(sum) => *sum += s.sum,
                    Series::Rate { nonzero, total } => {
                        *total += s.count;
                        *nonzero += s.nonzero;
                    }
                }
            }
            slot_of.push(slot);
        }
        // Values the workers dropped themselves once the cap was full, counted as `slot` would have.
        // Whether each name is a counted metric, decided once per chunk rather than per dropped value.
        let counted: Vec<bool> = part
            .dropped_names
            .iter()
            .map(|n| self.kind_of(n).is_some_and(|k| k != K6Type::Gauge))
            .collect();
        for d in &part.dropped {
            let name = |i: usize| part.dropped_names.get(i).map_or("", |n| &**n);
            if !counted.get(d.metric).copied().unwrap_or(false) {
                continue;
            }
            let example = || d.example.as_deref().unwrap_or_default().to_string();
            self.cap.count_dropped(name(d.tag), d.hash, example);
        }
        for &(i, sec, v) in &part.timed {
            let slot = slot_of.get(i).copied().flatten();
            if let Some(w) = slot.and_then(|j| self.slots.get_mut(j)?.windows.as_mut()) {
                w.add(sec, v);
            }
        }
        Ok(lines_before + part.lines)
    }

    /// The run: trends give count, mean, min, max, p50, p90, p95, p99; counters count and per-second rate
    /// over the span of the file's timestamps; rates their fraction of non-zero samples.
    pub fn finish(mut self) -> Run {
        if let Some(w) = self.cap.warning() {
            eprintln!("perfgate: warning: {w}");
        }
        let span_s = match (self.first_ns, self.last_ns) {
            (Some(f), Some(l)) if l > f => Some(nanos_to_secs(l - f)),
            _ => None,
        };
        let mut run = Run::default();
        // Keys in order, as the snapshot lists them.
        self.slots.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        for Slot {
            key,
            kind,
            series,
            windows,
        } in self.slots
        {
            let base = k6_common::base_name(&key);
            let contains = self.kinds.get(base).and_then(|(_, c)| c.as_deref());
            let mut values = Map::new();
            let mut put = |k: &str, v: Option<f64>| {
                if let Some(n) = v.and_then(serde_json::Number::from_f64) {
                    values.insert(k.to_string(), Value::Number(n));
                }
            };
            match series {
                Series::Trend(mut s) => {
                    if s.count() == 0 {
                        continue;
                    }
                    put("count", Some(u64_to_f64(s.count())));
                    put("avg", Some(s.sum() / u64_to_f64(s.count())));
                    put("min", s.min());
                    put("max", s.max());
                    let ps: Vec<f64> = PERCENTILES.iter().map(|(_, p)| *p).collect();
                    for ((name, _), q) in PERCENTILES.iter().zip(s.quantiles(&ps)) {
                        put(name, q);
                    }
                }
                Series::Counter(sum) => {
                    put("count", Some(sum));
                    put("rate", span_s.map(|s| sum / s));
                }
                Series::Rate { nonzero, total } => {
                    if total == 0 {
                        continue;
                    }
                    put("rate", Some(u64_to_f64(nonzero) / u64_to_f64(total)));
                    put("passes", Some(u64_to_f64(nonzero)));
                    put("fails", Some(u64_to_f64(total - nonzero)));
                }
            }
            k6_common::add_metric(&mut run, &key, kind, contains, &values);
            if let Some(batches) = windows.and_then(Windows::batches) {
                for (name, values) in batches {
                    if let Some(m) = run
                        .benchmarks
                        .get_mut(&*key)
                        .and_then(|b| b.metrics.get_mut(name))
                    {
                        m.batches = values;
                    }
                }
            }
        }
        k6_common::declare_failure_counters(&mut run);
        run
    }
}

/// Types of built-in metrics, for streams whose Metric lines were cut off.
fn builtin_kind(metric: &str) -> Option<K6Type> {
    match metric {
        "http_reqs" | "iterations" | "data_sent" | "data_received" | "dropped_iterations" => {
            Some(K6Type::Counter)
        }
        "http_req_failed" | "checks" => Some(K6Type::Rate),
        "vus" | "vus_max" => Some(K6Type::Gauge),
        "iteration_duration" | "group_duration" | "grpc_req_duration" => Some(K6Type::Trend),
        m if m.starts_with("http_req_") => Some(K6Type::Trend),
        _ => None,
    }
}

#[allow(clippy::cast_precision_loss)]
fn u64_to_f64(n: u64) -> f64 {
    n as f64
}
