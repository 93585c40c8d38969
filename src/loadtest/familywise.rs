//! Family-wise error control over the rows of one comparison that moved: the Benjamini–Hochberg step-up
//! procedure (1995), for micro-benchmark suites and load tests alike.
//!
//! A 200-benchmark suite or a k6 NDJSON pair has hundreds of rows; at a 1 % per-row false-alarm rate one
//! false failure is nearly certain. The family is the gated rows that **moved**: whose estimate is
//! beyond the band the gate fails at (15 % with `fail_on = high`) in the worse direction (and, for load
//! tests, beyond the materiality floor), or whose count test failed. A row inside that band can never
//! fail the gate, so counting it would only take power from the rows that can (Holm over ~90 k6 rows, `checks` 100 % → 100 % among them, caught a +20 % p95
//! 2–22 % of the time). On unchanged code BH keeps the chance that any moved row fails at most α, as Holm
//! does; with real regressions among the rows it takes back fewer of them (a +20 % p95 among 20 k6
//! endpoints, a slowed benchmark among 200). `examples/detection_quality` measures both. Rows without a p-value (one
//! summary value per side, graded by the bands, †) take no part.

use crate::comparison::{Comparison, Exemption, Kind, LoadTest, Reason};
use crate::evidence::Outcome;
use crate::model::Direction;
use crate::policy::Policy;
use crate::severity::{FailOn, Severity};

/// The p-value a row contributes to the family, when it moved: its count test, else its significance
/// test. Rows that did not move, rows exempted (immaterial, thin), rows whose test could never reach α
/// (too few runs) and unverified rows have none.
fn p_value(row: &Comparison, policy: &Policy, fail_on: FailOn) -> Option<f64> {
    if !row.gated || row.kind != Kind::Change {
        return None;
    }
    let lt = row.load_test.as_ref();
    if lt.and_then(|l| l.exemption) == Some(Exemption::Immaterial) {
        return None;
    }
    if let Some(c) = lt.and_then(|l| l.counts.as_ref()) {
        return row.severity.is_regression().then_some(c.p_value);
    }
    let e = row.evidence.as_ref()?;
    let estimate = e.estimate_pct.or(row.change_pct)?;
    let worse = match row.direction {
        Direction::LowerIsBetter => estimate,
        Direction::HigherIsBetter => -estimate,
    };
    let bands = policy.for_metric(&row.benchmark, &row.metric).bands;
    // Moved: beyond the band the gate fails at (the low band when nothing fails).
    let band = match fail_on {
        FailOn::Critical => bands.critical,
        FailOn::High => bands.high,
        FailOn::Medium => bands.medium,
        _ => bands.low,
    };
    if worse <= band {
        return None;
    }
    match e.outcome {
        Outcome::Unverified | Outcome::TooFewSamples => None,
        _ => e.p_value.filter(|p| p.is_finite()),
    }
}

/// Benjamini–Hochberg-adjusted p-values (step-up): sorted ascending, p̃(i) = min over j ≥ i of
/// min(1, m·p(j)/j). On unchanged code (every row null) the chance that any row passes α is at most α,
/// as with Holm; when some rows did regress it lets more of them through, keeping the share of false
/// ones among the failures at most α (Benjamini and Hochberg 1995; valid for the positive dependence
/// rows on one machine share).
pub fn bh_adjust(ps: &[f64]) -> Vec<f64> {
    let m = ps.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| ps[a].total_cmp(&ps[b]));
    let mut adjusted = vec![1.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min((m as f64 * ps[i] / (rank + 1) as f64).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Holm-adjusted p-values: sorted ascending, p̃(i) = max over j ≤ i of min(1, (m − j)·p(j)).
pub fn holm_adjust(ps: &[f64]) -> Vec<f64> {
    let m = ps.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| ps[a].total_cmp(&ps[b]));
    let mut adjusted = vec![1.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * ps[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Records each moved row's adjusted p-value and takes back the regressions that were significant alone
/// but are not at the family level.
pub fn control(rows: &mut [Comparison], policy: &Policy, fail_on: FailOn) {
    let alpha = policy.alpha;
    let idx: Vec<usize> = (0..rows.len())
        .filter(|&i| p_value(&rows[i], policy, fail_on).is_some())
        .collect();
    let ps: Vec<f64> = idx
        .iter()
        .filter_map(|&i| p_value(&rows[i], policy, fail_on))
        .collect();
    let adjusted = bh_adjust(&ps);
    for (&i, &adj) in idx.iter().zip(&adjusted) {
        let row = &mut rows[i];
        let significant = row
            .evidence
            .as_ref()
            .is_some_and(|e| e.outcome == Outcome::Significant);
        let lt = row.load_test.get_or_insert_with(LoadTest::default);
        lt.holm_p = Some(adj);
        // The p-values are one-sided in the worse direction: the family guards against false failures,
        // and an improvement cannot fail the gate.
        if significant && adj > alpha && row.severity.is_regression() {
            row.severity = Severity::Unchanged;
            lt.exemption = Some(Exemption::FamilyWise);
            row.reason = Some(Reason::FamilyWise {
                gated_rows: ps.len(),
                adjusted_p: adj,
            });
            if let Some(e) = row.evidence.as_mut() {
                e.outcome = Outcome::WithinNoise;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bh_matches_r_p_adjust() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02
        let adj = bh_adjust(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.02, 0.04, 0.04, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        assert!(bh_adjust(&[]).is_empty());
    }

    #[test]
    fn holm_matches_r_p_adjust() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
        let adj = holm_adjust(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        assert!(holm_adjust(&[]).is_empty());
        assert_eq!(holm_adjust(&[0.7, 0.9]), vec![1.0, 1.0]);
    }
}
