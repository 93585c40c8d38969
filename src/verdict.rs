//! The outcome of `perfgate analyze`: every comparison, counts per severity and the gate's status.
//! Serialised as the stable `perfgate/verdict/v1` document (fields may be added, never renamed).

use serde::{Deserialize, Serialize};

use crate::choice::Choice;
use crate::compare::{Comparison, Kind};
use crate::comparison::reason::BudgetProblem;
use crate::model::ToolCheck;
use crate::severity::{Bands, FailOn, Severity};

/// Schema id of the JSON verdict.
pub const VERDICT_SCHEMA: &str = "perfgate/verdict/v1";

/// Overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    NoBaseline,
}

impl Status {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::NoBaseline => "no-baseline",
        }
    }
}

/// Which baseline was used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselineInfo {
    pub name: String,
    pub created_at: Option<String>,
    pub commit: Option<String>,
    pub branch: Option<String>,
    /// The machine the baseline was measured on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
    /// Why this snapshot was chosen (`--baseline-ref`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Count of comparisons per severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub improvement: usize,
    pub unchanged: usize,
    pub new: usize,
    pub missing: usize,
}

impl Summary {
    /// Counts the rows.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a Comparison>) -> Summary {
        let mut s = Summary::default();
        for r in rows {
            *s.slot(r.severity) += 1;
        }
        s
    }

    /// Number of rows counted.
    pub fn total(&self) -> usize {
        Severity::ALL.iter().map(|&s| self.get(s)).sum()
    }

    fn slot(&mut self, sev: Severity) -> &mut usize {
        match sev {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Improvement => &mut self.improvement,
            Severity::Unchanged => &mut self.unchanged,
            Severity::New => &mut self.new,
            Severity::Missing => &mut self.missing,
        }
    }

    /// The count for one severity.
    pub fn get(&self, sev: Severity) -> usize {
        match sev {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Improvement => self.improvement,
            Severity::Unchanged => self.unchanged,
            Severity::New => self.new,
            Severity::Missing => self.missing,
        }
    }

    /// Non-zero counts, worst first, e.g. `[(Critical, 1), (Unchanged, 40)]`.
    pub fn nonzero(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .map(|&s| (s, self.get(s)))
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}

/// Facts about the inputs, for headers and footers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    pub files: Vec<String>,
    pub benchmarks: usize,
    pub metrics: usize,
}

fn default_alpha() -> f64 {
    0.01
}

/// The whole verdict.
/// Deserialisable for `perfgate comment --from` (the schema id is checked before, the version is this binary's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    #[serde(skip_deserializing, default = "schema_id")]
    pub schema: &'static str,
    #[serde(skip_deserializing, default = "own_version")]
    pub perfgate_version: &'static str,
    pub status: Status,
    pub fail_on: FailOn,
    pub baseline: Option<BaselineInfo>,
    pub current: Inputs,
    pub comparisons: Vec<Comparison>,
    /// Counts of the gated rows: what the status, the headline and the exit code are decided on.
    pub summary: Summary,
    /// Counts of the rows that are reported but can never fail the gate.
    #[serde(default)]
    pub not_gated: Summary,
    /// Checks the tool itself evaluated in the current run (k6 thresholds), reported, not gated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_checks: Vec<ToolCheck>,
    /// A sentence for humans when there is nothing to compare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The relative bands in force (defaults or the policy file's).
    #[serde(default)]
    pub bands: Bands,
    /// One-sided significance level of the tests.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Things the user should know that are not rows (e.g. the baseline came from another runner).
    /// Renderers list the budget problems first (the JSON document folds their sentences in here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Budgets of the policy file that produced no row; worded by the renderers, as `warnings`.
    #[serde(skip)]
    pub budget_problems: Vec<BudgetProblem>,
    /// `perfgate ab`: the order and wall time of every base and head run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ab: Option<AbRecord>,
}

fn schema_id() -> &'static str {
    VERDICT_SCHEMA
}

fn own_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

impl Verdict {
    /// Builds the verdict from graded rows. Only gated rows decide the status; rows are put in report order
    /// (see [`order_rows`]).
    pub fn new(
        baseline: Option<BaselineInfo>,
        current: Inputs,
        mut comparisons: Vec<Comparison>,
        fail_on: FailOn,
        tool_checks: Vec<ToolCheck>,
    ) -> Verdict {
        order_rows(&mut comparisons);
        let summary = Summary::of(comparisons.iter().filter(|c| c.gated));
        let not_gated = Summary::of(comparisons.iter().filter(|c| !c.gated));
        // Budgets can fail a run that has no baseline.
        let status = if comparisons
            .iter()
            .any(|c| c.gated && fail_on.fails(c.severity))
        {
            Status::Fail
        } else if baseline.is_none() {
            Status::NoBaseline
        } else if comparisons
            .iter()
            .any(|c| c.gated && c.severity >= Severity::Medium)
        {
            Status::Warn
        } else {
            Status::Pass
        };
        Verdict {
            schema: VERDICT_SCHEMA,
            perfgate_version: env!("CARGO_PKG_VERSION"),
            status,
            fail_on,
            baseline,
            current,
            comparisons,
            summary,
            not_gated,
            tool_checks,
            message: None,
            bands: Bands::default(),
            alpha: 0.01,
            warnings: Vec::new(),
            budget_problems: Vec::new(),
            ab: None,
        }
    }

    /// Whether the gate failed (exit code 1).
    pub fn gate_failed(&self) -> bool {
        self.status == Status::Fail
    }
}

/// How much worse a row is, in percent of its reference, for ordering rows of the same severity: the
/// change in the worse direction (the estimate when judged on samples), or for a budget how far past
/// its limit the value is. Negative for improvements, 0 when unknown.
pub fn worse_pct(c: &Comparison) -> f64 {
    let sign = c.direction.worse_sign();
    let pct = match c.kind {
        Kind::Budget => match (c.baseline, c.current) {
            (Some(limit), Some(v)) if limit.abs() > 0.0 => Some((v - limit) / limit.abs() * 100.0),
            _ => None,
        },
        Kind::Change => c
            .evidence
            .as_ref()
            .filter(|e| e.method.has_estimate())
            .and_then(|e| e.estimate_pct)
            .or(c.change_pct),
    };
    pct.filter(|p| p.is_finite()).map_or(0.0, |p| sign * p)
}

/// Puts rows in the order every report shows them: gated rows before ungated ones; within each, benchmarks
/// by their worst row (severity, then size of change), and a benchmark's rows by severity, then size of
/// change for regressions. At equal severity the benchmark whose failure rate rose most comes first, and an endpoint's series (`http_req_duration{name:search}`) comes
/// before aggregates (`http_req_duration`), whose change it usually explains. Rows that tie keep their
/// order (means and percentiles before extremes).
pub fn order_rows(rows: &mut [Comparison]) {
    use std::collections::HashMap;
    // A benchmark's rank among the gated or the ungated rows: its worst severity, then its largest change.
    let mut worst: HashMap<(bool, &str), (Severity, f64)> = HashMap::new();
    for r in rows.iter() {
        let w = worse_pct(r);
        let e = worst
            .entry((r.gated, r.benchmark.as_str()))
            .or_insert((r.severity, w));
        if r.severity > e.0 || (r.severity == e.0 && w > e.1) {
            *e = (r.severity, w);
        }
    }
    // Among benchmarks equally bad, the one whose failure rate rose most (the endpoint's, before a
    // total such as Locust's `Aggregated`) first.
    let mut rise: HashMap<(bool, &str), f64> = HashMap::new();
    for r in rows.iter() {
        let e = rise.entry((r.gated, r.benchmark.as_str())).or_insert(0.0);
        *e = e.max(crate::loadtest::failures::rise_points(r));
    }
    let keys: Vec<(Severity, f64)> = rows
        .iter()
        .map(|r| worst[&(r.gated, r.benchmark.as_str())])
        .collect();
    let rises: Vec<f64> = rows
        .iter()
        .map(|r| rise[&(r.gated, r.benchmark.as_str())])
        .collect();
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| {
        let (ra, rb) = (&rows[a], &rows[b]);
        let (ka, kb) = (keys[a], keys[b]);
        let size = |r: &Comparison| {
            if r.severity.is_regression() {
                worse_pct(r)
            } else {
                0.0
            }
        };
        let tagged = |r: &Comparison| r.benchmark.contains('{');
        rb.gated
            .cmp(&ra.gated)
            .then(kb.0.cmp(&ka.0))
            .then(rises[b].total_cmp(&rises[a]))
            .then(tagged(rb).cmp(&tagged(ra)))
            .then(kb.1.total_cmp(&ka.1))
            .then_with(|| ra.benchmark.cmp(&rb.benchmark))
            .then(rb.severity.cmp(&ra.severity))
            .then(size(rb).total_cmp(&size(ra)))
            .then(a.cmp(&b))
    });
    let sorted: Vec<Comparison> = idx.iter().map(|&i| rows[i].clone()).collect();
    for (slot, row) in rows.iter_mut().zip(sorted) {
        *slot = row;
    }
}

/// The order of `perfgate ab`'s runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Counterbalanced: base, head, head, base, base, head, … so a slow drift hits both sides alike.
    Interleaved,
    /// All base runs, then all head runs.
    Sequential,
}

impl Choice for Order {
    const CHOICES: &'static [(Self, &'static str, Option<&'static str>)] = &[
        (
            Self::Interleaved,
            "interleaved",
            Some("Counterbalanced: base, head, head, base, base, head, … so a slow drift hits both sides alike"),
        ),
        (
            Self::Sequential,
            "sequential",
            Some("All base runs, then all head runs"),
        ),
    ];
}

/// Which tree a `perfgate ab` run measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Base,
    Head,
}

impl Side {
    /// `base` or `head`, as in `PERFGATE_AB_SIDE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::Head => "head",
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One measured `perfgate ab` run, as recorded in the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbRun {
    pub side: Side,
    /// 1-based per side (`PERFGATE_AB_RUN`).
    pub run: u32,
    /// Wall time of the command, seconds.
    pub wall_s: f64,
    /// The result files it wrote, relative to its tree.
    pub files: Vec<String>,
}

/// What `perfgate ab` measured: the `ab` object of the JSON verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbRecord {
    /// `--base` as given.
    pub base_ref: String,
    pub base_commit: String,
    /// `HEAD` of the working tree.
    pub head_commit: Option<String>,
    /// Whether the working tree had uncommitted changes to tracked files (they were measured).
    #[serde(default)]
    pub head_dirty: bool,
    pub order: Order,
    pub runs_per_side: u32,
    /// Every run in the order it ran.
    pub runs: Vec<AbRun>,
}
