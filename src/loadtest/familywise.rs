//! Family-wise error control over the gated rows of one comparison: Holm's step-down procedure (1979).
//!
//! A k6 NDJSON pair has hundreds of rows; at a 1 % per-row false-alarm rate one false failure is nearly
//! certain. Holm keeps the chance that *any* gated row is a false alarm at most α, for any dependence
//! between rows (endpoints share a machine, so rows are dependent), and is uniformly more powerful than
//! Bonferroni. Rows without a p-value (one summary value per side, graded by the bands) take no part.

use crate::comparison::{Comparison, Exemption, Kind, LoadTest, Reason};
use crate::evidence::Outcome;
use crate::severity::Severity;

/// The p-value a row contributes to the family: its count test, else its significance test. Rows whose
/// test could never reach α (too few runs) and unverified rows have none.
fn p_value(row: &Comparison) -> Option<f64> {
    if !row.gated || row.kind != Kind::Change {
        return None;
    }
    if let Some(c) = row.load_test.as_ref().and_then(|l| l.counts.as_ref()) {
        return Some(c.p_value);
    }
    let e = row.evidence.as_ref()?;
    match e.outcome {
        Outcome::Unverified | Outcome::TooFewSamples => None,
        _ => e.p_value.filter(|p| p.is_finite()),
    }
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

/// Records each p-valued gated row's Holm-adjusted p-value and takes back the regressions that were
/// significant alone but are not at the family level.
pub fn holm(rows: &mut [Comparison], alpha: f64) {
    let idx: Vec<usize> = (0..rows.len())
        .filter(|&i| p_value(&rows[i]).is_some())
        .collect();
    let ps: Vec<f64> = idx.iter().filter_map(|&i| p_value(&rows[i])).collect();
    let adjusted = holm_adjust(&ps);
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
