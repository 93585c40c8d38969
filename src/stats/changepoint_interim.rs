//! INTERIM, to be deleted when issue 24's `stats::changepoint` is merged: the same signature, a plain
//! binary segmentation with a pooled two-sample t-test (Bonferroni over the split positions).

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::moments::{mean, sum_sq_dev};

pub struct ChangePoint {
    /// First value of the new segment.
    pub index: usize,
    pub p_value: f64,
}

/// Change points of a series (pass ln values), ascending by index. Deterministic.
pub fn change_points(values: &[f64], alpha: f64) -> Vec<ChangePoint> {
    let mut out = Vec::new();
    if values.iter().all(|v| v.is_finite()) {
        split(values, 0, alpha, &mut out);
    }
    out.sort_by_key(|c| c.index);
    out
}

const MIN_SEGMENT: usize = 2;

fn split(v: &[f64], offset: usize, alpha: f64, out: &mut Vec<ChangePoint>) {
    let n = v.len();
    if n < 2 * MIN_SEGMENT + 1 {
        return;
    }
    let mut best: Option<(usize, f64)> = None;
    for i in MIN_SEGMENT..=n - MIN_SEGMENT {
        let (a, b) = v.split_at(i);
        let df = (n - 2) as f64;
        let var = (sum_sq_dev(a) + sum_sq_dev(b)) / df;
        let se = (var * (1.0 / a.len() as f64 + 1.0 / b.len() as f64)).sqrt();
        let t = if se > 0.0 {
            (mean(b) - mean(a)).abs() / se
        } else {
            continue;
        };
        if best.is_none_or(|(_, bt)| t > bt) {
            best = Some((i, t));
        }
    }
    let Some((i, t)) = best else { return };
    let Ok(dist) = StudentsT::new(0.0, 1.0, (n - 2) as f64) else {
        return;
    };
    let candidates = (n + 1 - 2 * MIN_SEGMENT) as f64;
    let p = (2.0 * dist.sf(t) * candidates).min(1.0);
    if p <= alpha {
        out.push(ChangePoint {
            index: offset + i,
            p_value: p,
        });
        split(&v[..i], offset, alpha, out);
        split(&v[i..], offset + i, alpha, out);
    }
}
