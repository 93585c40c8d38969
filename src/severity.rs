//! The five severities, the bands that assign them, and the `--fail-on` gate.

use serde::{Deserialize, Serialize};

use crate::choice::Choice;

/// How bad a change is. Ordered from best to worst, so `max()` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Within the noise band (±5 % by default).
    Unchanged,
    /// Better by more than the low band.
    Improvement,
    /// Only in the current run.
    New,
    /// Only in the baseline.
    Missing,
    /// Worse by 5–10 %: information.
    Low,
    /// Worse by 10–15 %: a warning.
    Medium,
    /// Worse by 15–25 %: fails the gate by default.
    High,
    /// Worse by more than 25 %: fails the gate.
    Critical,
}

impl Severity {
    /// Every severity, worst first (the order of the verdict summary).
    pub const ALL: [Severity; 8] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Improvement,
        Severity::Unchanged,
        Severity::New,
        Severity::Missing,
    ];

    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unchanged => "unchanged",
            Severity::Improvement => "improvement",
            Severity::New => "new",
            Severity::Missing => "missing",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// A regression of some degree.
    pub fn is_regression(self) -> bool {
        self >= Severity::Low
    }
}

/// Relative thresholds in percent of the baseline (worse direction); a change must exceed a band to enter it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    pub low: f64,
    pub medium: f64,
    pub high: f64,
    pub critical: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            low: 5.0,
            medium: 10.0,
            high: 15.0,
            critical: 25.0,
        }
    }
}

impl Bands {
    /// Severity of a change that is `worse_pct` percent worse (negative: better).
    pub fn grade(&self, worse_pct: f64) -> Severity {
        if worse_pct > self.critical {
            Severity::Critical
        } else if worse_pct > self.high {
            Severity::High
        } else if worse_pct > self.medium {
            Severity::Medium
        } else if worse_pct > self.low {
            Severity::Low
        } else if worse_pct < -self.low {
            Severity::Improvement
        } else {
            Severity::Unchanged
        }
    }
}

/// The lowest severity that fails the gate (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    Critical,
    #[default]
    High,
    Medium,
    Low,
    Never,
}

impl Choice for FailOn {
    const CHOICES: &'static [(Self, &'static str, Option<&'static str>)] = &[
        (Self::Critical, "critical", None),
        (Self::High, "high", None),
        (Self::Medium, "medium", None),
        (Self::Low, "low", None),
        (Self::Never, "never", None),
    ];
}

impl FailOn {
    /// The severity at which the gate fails, or `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Never => None,
        }
    }

    /// Whether a severity fails the gate.
    pub fn fails(self, s: Severity) -> bool {
        self.threshold()
            .is_some_and(|t| s.is_regression() && s >= t)
    }

    /// Human description for the verdict line.
    pub fn describe(self) -> &'static str {
        match self {
            FailOn::Critical => "fail on critical",
            FailOn::High => "fail on high or worse",
            FailOn::Medium => "fail on medium or worse",
            FailOn::Low => "fail on low or worse",
            FailOn::Never => "never fail",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges_belong_to_the_lower_band() {
        let b = Bands::default();
        assert_eq!(b.grade(5.0), Severity::Unchanged);
        assert_eq!(b.grade(5.0001), Severity::Low);
        assert_eq!(b.grade(10.0), Severity::Low);
        assert_eq!(b.grade(15.0), Severity::Medium);
        assert_eq!(b.grade(25.0), Severity::High);
        assert_eq!(b.grade(25.0001), Severity::Critical);
        assert_eq!(b.grade(-5.0), Severity::Unchanged);
        assert_eq!(b.grade(-5.0001), Severity::Improvement);
    }

    #[test]
    fn fail_on_thresholds() {
        assert!(FailOn::High.fails(Severity::Critical));
        assert!(FailOn::High.fails(Severity::High));
        assert!(!FailOn::High.fails(Severity::Medium));
        assert!(!FailOn::Never.fails(Severity::Critical));
        assert!(!FailOn::Low.fails(Severity::Missing));
        assert!(FailOn::Low.fails(Severity::Low));
    }
}
