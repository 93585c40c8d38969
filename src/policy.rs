//! The policy file `perfgate.toml`: bands, gate, significance level, per-benchmark/metric rules and
//! absolute budgets. Every field is optional; unknown keys are errors naming the key.
//!
//! Patterns use `*` (any run of characters) and `?` (one character); everything else is literal, so k6
//! names such as `http_req_duration{name:auth}` need no escaping.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use wildmatch::WildMatch;

use crate::error::{Error, ParseError, ParseKind, Result};
use crate::model::{Direction, Unit};
use crate::severity::{Bands, FailOn};

/// File looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "perfgate.toml";

/// Metrics reported but not gated unless a rule says otherwise: single-sample extremes and dispersion.
pub const DEFAULT_REPORT_ONLY: &[&str] =
    &["min", "max", "std_dev", "stddev", "iqr", "mad", "deviation"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BandsFile {
    low: Option<f64>,
    medium: Option<f64>,
    high: Option<f64>,
    critical: Option<f64>,
}

impl BandsFile {
    fn apply(&self, base: Bands) -> Bands {
        Bands {
            low: self.low.unwrap_or(base.low),
            medium: self.medium.unwrap_or(base.medium),
            high: self.high.unwrap_or(base.high),
            critical: self.critical.unwrap_or(base.critical),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    benchmark: Option<String>,
    metric: Option<String>,
    bands: Option<BandsFile>,
    direction: Option<Direction>,
    ignore: Option<bool>,
    gate: Option<bool>,
    min_abs_change: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetFile {
    benchmark: String,
    metric: String,
    warn_above: Option<f64>,
    fail_above: Option<f64>,
    warn_below: Option<f64>,
    fail_below: Option<f64>,
    unit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    fail_on: Option<FailOn>,
    alpha: Option<f64>,
    min_samples: Option<usize>,
    min_history: Option<usize>,
    bands: Option<BandsFile>,
    report_only: Option<Vec<String>>,
    max_series: Option<usize>,
    fail_on_critical_step: Option<bool>,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleFile>,
    #[serde(default, rename = "budget")]
    budgets: Vec<BudgetFile>,
}

/// A pattern over benchmark or metric names.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    matcher: WildMatch,
}

impl Pattern {
    /// Compiles a `*`/`?` pattern.
    pub fn new(text: &str) -> Pattern {
        Pattern {
            text: text.to_string(),
            matcher: WildMatch::new(text),
        }
    }

    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        self.matcher.matches(s)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A per-benchmark/metric override.
#[derive(Debug, Clone)]
struct Rule {
    benchmark: Pattern,
    metric: Pattern,
    bands: Option<Bands>,
    direction: Option<Direction>,
    ignore: Option<bool>,
    gate: Option<bool>,
    min_abs_change: Option<f64>,
}

/// An absolute limit on one metric, independent of the baseline.
#[derive(Debug, Clone)]
pub struct Budget {
    pub benchmark: Pattern,
    pub metric: Pattern,
    pub warn_above: Option<f64>,
    pub fail_above: Option<f64>,
    pub warn_below: Option<f64>,
    pub fail_below: Option<f64>,
    /// Unit of the limits; `None` means the metric's own unit.
    pub unit: Option<Unit>,
}

/// What applies to one metric after all rules.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPolicy {
    pub bands: Bands,
    pub direction: Option<Direction>,
    pub ignore: bool,
    /// `Some(false)` keeps the metric out of the gate, `Some(true)` forces it in, `None` leaves the default.
    pub gate: Option<bool>,
    pub min_abs_change: Option<f64>,
}

/// The resolved policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where it came from, if from a file.
    pub path: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    /// One-sided significance level.
    pub alpha: f64,
    /// Values per side below which no significance test is attempted.
    pub min_samples: usize,
    /// Earlier snapshots needed before a summary-only metric is judged against its history.
    pub min_history: usize,
    pub bands: Bands,
    report_only: Vec<Pattern>,
    rules: Vec<Rule>,
    pub budgets: Vec<Budget>,
    /// Most distinct k6 tag values kept as sub-metrics per run (memory bound; see `input::series_cap`).
    pub max_series: usize,
    /// `baseline create --append` (the Action's `mode: baseline`) exits 1 when the snapshot it records
    /// starts a critical step in a gated metric of main's history. Off by default.
    pub fail_on_critical_step: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            path: None,
            fail_on: None,
            alpha: 0.01,
            min_samples: 2,
            min_history: 5,
            bands: Bands::default(),
            report_only: DEFAULT_REPORT_ONLY
                .iter()
                .map(|p| Pattern::new(p))
                .collect(),
            rules: Vec::new(),
            budgets: Vec::new(),
            max_series: crate::input::series_cap::DEFAULT_MAX_SERIES,
            fail_on_critical_step: false,
        }
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (u64, u64) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line as u64, column as u64)
}

fn check_bands(b: &Bands, path: &Path, what: &str) -> Result<()> {
    let ordered = b.low >= 0.0 && b.low <= b.medium && b.medium <= b.high && b.high <= b.critical;
    if !ordered
        || [b.low, b.medium, b.high, b.critical]
            .iter()
            .any(|v| !v.is_finite())
    {
        return Err(Error::config(
            path,
            format!("{what}: bands must satisfy 0 <= low <= medium <= high <= critical"),
        ));
    }
    Ok(())
}

impl Policy {
    /// Parses policy text; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Policy> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| {
            // Not TOML at all, or TOML that is not a policy (an unknown field, a wrong type).
            let kind = if text.parse::<toml::Table>().is_err() {
                ParseKind::Syntax
            } else {
                ParseKind::Shape
            };
            let mut pe = ParseError::of(kind, e.message().replace('\n', " "));
            if let Some(s) = e.span() {
                let (line, column) = line_and_column(text, s.start);
                pe.line = Some(line);
                pe.column = Some(column);
            }
            Error::parse(path, "toml", pe)
        })?;
        let mut p = Policy {
            path: Some(path.to_path_buf()),
            fail_on: file.fail_on,
            ..Policy::default()
        };
        if let Some(a) = file.alpha {
            if !(a > 0.0 && a < 0.5) {
                return Err(Error::config(
                    path,
                    format!("alpha = {a}: must be between 0 and 0.5"),
                ));
            }
            p.alpha = a;
        }
        if let Some(n) = file.min_samples {
            p.min_samples = n.max(2);
        }
        if let Some(n) = file.min_history {
            p.min_history = n.max(2);
        }
        if let Some(b) = &file.bands {
            p.bands = b.apply(p.bands);
            check_bands(&p.bands, path, "[bands]")?;
        }
        if let Some(n) = file.max_series {
            p.max_series = n;
        }
        p.fail_on_critical_step = file.fail_on_critical_step.unwrap_or(false);
        if let Some(list) = &file.report_only {
            p.report_only = list.iter().map(|s| Pattern::new(s)).collect();
        }
        for (i, r) in file.rules.iter().enumerate() {
            let bands = r.bands.as_ref().map(|b| b.apply(p.bands));
            if let Some(b) = &bands {
                check_bands(b, path, &format!("rule {}", i + 1))?;
            }
            p.rules.push(Rule {
                benchmark: Pattern::new(r.benchmark.as_deref().unwrap_or("*")),
                metric: Pattern::new(r.metric.as_deref().unwrap_or("*")),
                bands,
                direction: r.direction,
                ignore: r.ignore,
                gate: r.gate,
                min_abs_change: r.min_abs_change,
            });
        }
        for (i, b) in file.budgets.iter().enumerate() {
            if [b.warn_above, b.fail_above, b.warn_below, b.fail_below]
                .iter()
                .all(Option::is_none)
            {
                return Err(Error::config(
                    path,
                    format!(
                        "budget {} ({} {}): give warn_above, fail_above, warn_below or fail_below",
                        i + 1,
                        b.benchmark,
                        b.metric
                    ),
                ));
            }
            p.budgets.push(Budget {
                benchmark: Pattern::new(&b.benchmark),
                metric: Pattern::new(&b.metric),
                warn_above: b.warn_above,
                fail_above: b.fail_above,
                warn_below: b.warn_below,
                fail_below: b.fail_below,
                unit: b.unit.as_deref().map(Unit::parse),
            });
        }
        Ok(p)
    }

    /// Reads `--config PATH`, else `perfgate.toml` in the working directory if present, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Policy> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Policy::default()),
        };
        let text = crate::bounded_read::read_to_string(&path, crate::bounded_read::CONFIG_FILE)?;
        Policy::parse(&text, &path)
    }

    /// The policy for one metric: defaults, then every matching rule in file order (later wins).
    pub fn for_metric(&self, benchmark: &str, metric: &str) -> MetricPolicy {
        let mut mp = MetricPolicy {
            bands: self.bands,
            direction: None,
            ignore: false,
            gate: if self.report_only.iter().any(|p| p.matches(metric)) {
                Some(false)
            } else {
                None
            },
            min_abs_change: None,
        };
        for r in self
            .rules
            .iter()
            .filter(|r| r.benchmark.matches(benchmark) && r.metric.matches(metric))
        {
            if let Some(b) = r.bands {
                mp.bands = b;
            }
            mp.direction = r.direction.or(mp.direction);
            mp.ignore = r.ignore.unwrap_or(mp.ignore);
            mp.gate = r.gate.or(mp.gate);
            mp.min_abs_change = r.min_abs_change.or(mp.min_abs_change);
        }
        mp
    }
}

/// The commented example written by `perfgate init`.
pub const EXAMPLE: &str = r#"# perfgate policy. Every field is optional; delete what you do not need.
# Patterns use * and ? as wildcards; everything else is literal (k6 names need no escaping).

# Lowest severity that fails the build: critical | high | medium | low | never (--fail-on overrides).
fail_on = "high"

# One-sided significance level for changes measured with several samples or runs per side.
alpha = 0.01

# Samples per run needed to test one run per side on its samples (with several runs, the runs are the values).
min_samples = 2

# Earlier snapshots (`perfgate baseline create NAME --append`) needed before a single-value metric such
# as a k6 p95 is judged against its history instead of being marked "unverified".
min_history = 5

# On main (`perfgate baseline create --append`, the Action's mode: baseline): fail the build when the
# snapshot just recorded starts a critical step in a gated metric of the history. A notice is always shown.
# fail_on_critical_step = false

# Relative bands, in percent worse than the baseline.
[bands]
low = 5
medium = 10
high = 15
critical = 25

# Metrics that are reported but never fail the build (default: single-sample extremes and spreads).
# report_only = ["min", "max", "std_dev", "stddev", "iqr", "mad", "deviation"]

# Overrides for matching benchmarks and metrics; later rules win. The examples below are commented out:
# remove the leading `#` of the ones you want, with your own benchmark names.
#[[rule]]
#benchmark = "http_req_duration{name:*}"
#metric = "p99"
#bands = { high = 20, critical = 40 }   # tails are noisier: wider bands
#min_abs_change = 2                    # in the metric's unit (ms here): smaller changes are at most "low"

#[[rule]]
#benchmark = "setup_*"
#ignore = true                          # not compared at all

#[[rule]]
#metric = "max"
#gate = false                           # reported only

# Absolute budgets: checked on every run, with or without a baseline (a budget that matches no metric is
# a warning on every run, so only enable ones that name your benchmarks).
#[[budget]]
#benchmark = "http_req_duration{name:auth}"
#metric = "p95"
#warn_above = 1000   # ms, the metric's own unit unless `unit` is given
#fail_above = 1500

#[[budget]]
#benchmark = "http_reqs"
#metric = "rate"
#fail_below = 50     # requests per second
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy> {
        Policy::parse(text, Path::new("perfgate.toml"))
    }

    #[test]
    fn the_example_parses() {
        // As written by `perfgate init`: defaults only, every rule and budget commented out.
        let p = parse(EXAMPLE).unwrap();
        assert_eq!(p.fail_on, Some(FailOn::High));
        assert!(p.budgets.is_empty() && !p.for_metric("setup_db", "mean").ignore);
        // The commented examples are valid once uncommented.
        let uncommented: String = EXAMPLE
            .lines()
            .map(|l| match l.strip_prefix('#') {
                Some(rest) if !rest.starts_with(' ') && !rest.is_empty() => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let p = parse(&uncommented).unwrap();
        assert_eq!(p.budgets.len(), 2);
        let mp = p.for_metric("http_req_duration{name:search}", "p99");
        assert_eq!(mp.bands.critical, 40.0);
        assert_eq!(mp.bands.medium, 10.0);
        assert_eq!(mp.min_abs_change, Some(2.0));
        assert!(p.for_metric("setup_db", "mean").ignore);
        assert_eq!(p.for_metric("x", "max").gate, Some(false));
        assert_eq!(p.for_metric("x", "p95").gate, None);
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let e = parse("alpha = 0.01\nfail_onn = \"high\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("fail_onn") && e.contains("perfgate.toml:2:1: "),
            "{e}"
        );
        let e = parse("[[rule]]\nmetrc = \"p95\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("metrc"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(parse("alpha = 0.7").is_err());
        assert!(parse("[bands]\nlow = 20\nmedium = 10").is_err());
        assert!(parse("[[budget]]\nbenchmark = \"a\"\nmetric = \"p95\"").is_err());
        assert!(parse("fail_on = \"sometimes\"").is_err());
    }

    #[test]
    fn braces_are_literal_in_patterns() {
        let p = Pattern::new("http_req_duration{name:auth}");
        assert!(p.matches("http_req_duration{name:auth}"));
        assert!(!p.matches("http_req_duration{name:other}"));
        assert!(Pattern::new("http_req_duration{name:*}").matches("http_req_duration{name:x}"));
    }
}
