//! The normalised data model every input format is turned into: a run of benchmarks, each with named metrics.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Latency, time, error rate: smaller values are better.
    LowerIsBetter,
    /// Throughput, operations per second: larger values are better.
    HigherIsBetter,
}

impl Direction {
    /// Stable name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::LowerIsBetter => "lower_is_better",
            Direction::HigherIsBetter => "higher_is_better",
        }
    }

    /// +1 when a larger value is worse, −1 when it is better: multiplies a change into "worse positive".
    pub fn worse_sign(self) -> f64 {
        match self {
            Direction::LowerIsBetter => 1.0,
            Direction::HigherIsBetter => -1.0,
        }
    }
}

/// The unit of a value. Time units are kept as the tool reported them after normalisation
/// (ms for load tests, ns for micro-benchmarks) and converted when two sides differ.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    Nanoseconds,
    Microseconds,
    Milliseconds,
    Seconds,
    Bytes,
    /// Events per second (requests/s, iterations/s, ops/s).
    PerSecond,
    /// A fraction between 0 and 1 (error rate, check pass rate).
    Ratio,
    /// A plain count.
    Count,
    /// Anything else, kept verbatim (e.g. `allocs/op`, `MB/s`); an empty string means unitless.
    Other(String),
}

impl Unit {
    /// Stable short name, used in JSON and snapshots.
    pub fn as_str(&self) -> &str {
        match self {
            Unit::Nanoseconds => "ns",
            Unit::Microseconds => "us",
            Unit::Milliseconds => "ms",
            Unit::Seconds => "s",
            Unit::Bytes => "B",
            Unit::PerSecond => "/s",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
            Unit::Other(s) => s,
        }
    }

    /// Parses a unit name; unknown names become [`Unit::Other`].
    pub fn parse(s: &str) -> Unit {
        match s {
            "ns" => Unit::Nanoseconds,
            "us" | "µs" | "μs" => Unit::Microseconds,
            "ms" => Unit::Milliseconds,
            "s" => Unit::Seconds,
            "B" | "bytes" => Unit::Bytes,
            "/s" => Unit::PerSecond,
            "ratio" => Unit::Ratio,
            "count" => Unit::Count,
            other => Unit::Other(other.to_string()),
        }
    }

    /// Nanoseconds per one of this unit, for time units.
    pub fn nanos(&self) -> Option<f64> {
        match self {
            Unit::Nanoseconds => Some(1.0),
            Unit::Microseconds => Some(1e3),
            Unit::Milliseconds => Some(1e6),
            Unit::Seconds => Some(1e9),
            _ => None,
        }
    }

    /// Bytes per one of this unit, for byte units as tools spell them (`B`, `KB`/`kB` = 1000,
    /// `KiB` = 1024, up to `GB`/`GiB`).
    pub fn bytes(&self) -> Option<f64> {
        match self {
            Unit::Bytes => Some(1.0),
            Unit::Other(u) => match u.as_str() {
                "KB" | "kB" | "kb" => Some(1e3),
                "MB" | "mb" => Some(1e6),
                "GB" | "gb" => Some(1e9),
                "KiB" | "kiB" => Some(1024.0),
                "MiB" => Some(1024.0 * 1024.0),
                "GiB" => Some(1024.0 * 1024.0 * 1024.0),
                _ => None,
            },
            _ => None,
        }
    }

    /// Factor that converts a value in `self` into `to`, when both measure the same kind.
    pub fn factor_to(&self, to: &Unit) -> Option<f64> {
        if self == to {
            return Some(1.0);
        }
        match (self.nanos(), to.nanos()) {
            (Some(a), Some(b)) => Some(a / b),
            _ => match (self.bytes(), to.bytes()) {
                (Some(a), Some(b)) => Some(a / b),
                _ => None,
            },
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Unit::parse(&s))
    }
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

/// One statistic of one benchmark, e.g. the p95 of `http_req_duration{name:search}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The value compared against the baseline.
    pub value: f64,
    pub unit: Unit,
    pub direction: Direction,
    /// Whether a regression of this metric can fail the gate; informational metrics are only reported.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub gated: bool,
    /// Raw per-iteration or per-request samples, when the tool wrote them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<f64>,
    /// This statistic from each repeated run, when several result files of the same benchmark were given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<f64>,
    /// This statistic over consecutive time batches of one run (k6 NDJSON): replicates that carry the
    /// run's own noise, autocorrelation included, for the batch-means evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batches: Vec<f64>,
    /// Lower bound of the tool's confidence interval for `value` (e.g. criterion's bootstrap CI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    /// Upper bound of the tool's confidence interval for `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
    /// Set by the reader when `value` counts failures (HTTP 4xx/5xx, network errors, failed VUs, KO):
    /// what they are out of. A side that lacks the metric but has the trials then had zero failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<FailuresOf>,
    /// A count that is the same on every run of the same code (Valgrind's instructions, cache hits):
    /// it has no noise, so any change is real and is graded by the bands alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deterministic: bool,
    /// The step the tool rounded the value to (Locust's whole milliseconds, JMeter's whole-ms
    /// `elapsed`), in `unit`: the true value lies within half a step of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<f64>,
}

/// What a failure count is out of: the metric holding the number of trials in the same run (e.g.
/// `http.requests` `count`), and what a trial is, for the wording ("0 of 510 → 15 of 525 requests").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailuresOf {
    pub benchmark: String,
    pub metric: String,
    pub trials: Trials,
}

/// What one trial behind a failure count is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trials {
    Requests,
    Iterations,
    VirtualUsers,
    Checks,
    Sessions,
}

impl Metric {
    /// A gated metric with no samples.
    pub fn new(value: f64, unit: Unit, direction: Direction) -> Metric {
        Metric {
            value,
            unit,
            direction,
            gated: true,
            samples: Vec::new(),
            runs: Vec::new(),
            batches: Vec::new(),
            ci_low: None,
            ci_high: None,
            failures: None,
            deterministic: false,
            resolution: None,
        }
    }

    /// Records the step the tool rounded the value to (see [`Metric::resolution`]).
    pub fn with_resolution(mut self, step: f64) -> Metric {
        self.resolution = (step.is_finite() && step > 0.0).then_some(step);
        self
    }

    /// Marks the metric as deterministic (see [`Metric::deterministic`]).
    pub fn deterministic(mut self) -> Metric {
        self.deterministic = true;
        self
    }

    /// Marks the metric as reported but never failing the gate.
    pub fn informational(mut self) -> Metric {
        self.gated = false;
        self
    }

    /// Marks the value as a count of failures out of `trials` in the metric `benchmark` `metric` of the
    /// same run (see [`FailuresOf`]).
    pub fn failures_of(mut self, benchmark: &str, metric: &str, trials: Trials) -> Metric {
        self.failures = Some(FailuresOf {
            benchmark: benchmark.to_string(),
            metric: metric.to_string(),
            trials,
        });
        self
    }

    /// Attaches raw samples.
    pub fn with_samples(mut self, samples: Vec<f64>) -> Metric {
        self.samples = samples;
        self
    }

    /// Attaches the tool's confidence interval; non-finite bounds are dropped.
    pub fn with_ci(mut self, low: Option<f64>, high: Option<f64>) -> Metric {
        self.ci_low = low.filter(|x| x.is_finite());
        self.ci_high = high.filter(|x| x.is_finite());
        self
    }

    /// Converts value and samples into another unit of the same kind; `None` if the kinds differ.
    pub fn converted_to(&self, unit: &Unit) -> Option<Metric> {
        let k = self.unit.factor_to(unit)?;
        let scale = |v: &Vec<f64>| v.iter().map(|x| x * k).collect();
        Some(Metric {
            value: self.value * k,
            unit: unit.clone(),
            direction: self.direction,
            gated: self.gated,
            samples: scale(&self.samples),
            runs: scale(&self.runs),
            batches: scale(&self.batches),
            ci_low: self.ci_low.map(|x| x * k),
            ci_high: self.ci_high.map(|x| x * k),
            failures: self.failures.clone(),
            deterministic: self.deterministic,
            resolution: self.resolution.map(|x| x * k),
        })
    }
}

/// The percentile a metric name stands for: `p95` → 95, `p97.5` → 97.5; `None` for other names
/// (`pinf`, `p150`, `mean`).
pub fn percentile_of(name: &str) -> Option<f64> {
    let p: f64 = name.strip_prefix('p')?.parse().ok()?;
    (0.0..=100.0).contains(&p).then_some(p)
}

/// The name of the metric holding the number of trials (requests, checks) behind a ratio metric:
/// `error_rate` → `error_rate_trials`. Readers write it, the load-test count rules read it.
pub fn trials_name(ratio_metric: &str) -> String {
    format!("{ratio_metric}_trials")
}

/// Connection phases of a request: microseconds that move by hundreds of percent between halves of one run
/// (scheduling, not code). Reported, gated only when the policy file says so.
pub const CONNECTION_PHASES: &[&str] = &[
    "http_req_blocked",
    "http_req_connecting",
    "http_req_tls_handshaking",
    "http_req_sending",
    "http_req_receiving",
    "http_req_waiting",
];

/// A metric whose merged value is only known to lie between the workers' values (`--merge-workers
/// --approximate-merge`): the reader records it, grading explains and may gate the row.
#[derive(Debug, Clone, PartialEq)]
pub struct Approximation {
    pub benchmark: String,
    pub metric: String,
    pub low: f64,
    pub high: f64,
    pub workers: usize,
}

/// A benchmark (or load-test endpoint) and its metrics, keyed by metric name (`p95`, `mean`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    pub metrics: BTreeMap<String, Metric>,
}

/// A pass/fail check the tool itself evaluated (e.g. a k6 threshold), reported alongside perfgate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCheck {
    pub benchmark: String,
    pub expression: String,
    pub ok: bool,
}

/// Where a run came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub path: String,
    /// Input format id (see `perfgate formats`).
    pub format: String,
    /// The tool that wrote the file.
    pub tool: String,
}

/// Everything read from one or more result files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub benchmarks: BTreeMap<String, Benchmark>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_checks: Vec<ToolCheck>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

impl Run {
    /// Adds a metric, creating its benchmark when needed.
    pub fn insert(&mut self, benchmark: &str, metric: &str, m: Metric) {
        self.benchmarks
            .entry(benchmark.to_string())
            .or_default()
            .metrics
            .insert(metric.to_string(), m);
    }

    /// Looks a metric up.
    pub fn metric(&self, benchmark: &str, metric: &str) -> Option<&Metric> {
        self.benchmarks.get(benchmark)?.metrics.get(metric)
    }

    /// Number of metrics over all benchmarks.
    pub fn metric_count(&self) -> usize {
        self.benchmarks.values().map(|b| b.metrics.len()).sum()
    }
}
