//! One statistic of several parts that ran side by side over the same window (load generators merged
//! with `--merge-workers`, Prometheus series of one k6 run) as one value: exact where the statistic
//! allows it, else the parts' bounds.

/// How a statistic combines across parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Counts, sums and rates of parts running side by side add up.
    Sum,
    Min,
    Max,
    /// A mean, weighted by each part's count.
    Mean,
    /// Percentiles and the like do not combine: only bounded by the parts' values.
    Bound,
}

/// The combined value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Combined {
    Exact(f64),
    /// The true value lies between the parts' lowest and highest.
    Bounds {
        low: f64,
        high: f64,
    },
}

/// Combines the parts' `values` of one statistic; `counts` are the parts' counts, in the same order, for
/// [`Rule::Mean`] (without them, or with none counted, a mean is only bounded). One part is exact.
pub fn combine(rule: Rule, values: &[f64], counts: Option<&[f64]>) -> Combined {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match rule {
        Rule::Sum => return Combined::Exact(values.iter().sum()),
        Rule::Min => return Combined::Exact(low),
        Rule::Max => return Combined::Exact(high),
        _ if values.len() == 1 => return Combined::Exact(low),
        Rule::Mean => {
            if let Some(c) = counts.filter(|c| c.len() == values.len()) {
                let n: f64 = c.iter().sum();
                if n > 0.0 {
                    let weighted: f64 = values.iter().zip(c).map(|(v, n)| v * n).sum();
                    return Combined::Exact(weighted / n);
                }
            }
        }
        Rule::Bound => {}
    }
    Combined::Bounds { low, high }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_where_the_statistic_allows_it() {
        let v = [10.0, 30.0];
        assert_eq!(combine(Rule::Sum, &v, None), Combined::Exact(40.0));
        assert_eq!(combine(Rule::Min, &v, None), Combined::Exact(10.0));
        assert_eq!(combine(Rule::Max, &v, None), Combined::Exact(30.0));
        assert_eq!(
            combine(Rule::Mean, &v, Some(&[3.0, 1.0])),
            Combined::Exact(15.0)
        );
        let bounds = Combined::Bounds {
            low: 10.0,
            high: 30.0,
        };
        assert_eq!(combine(Rule::Mean, &v, None), bounds);
        assert_eq!(combine(Rule::Mean, &v, Some(&[1.0])), bounds);
        assert_eq!(combine(Rule::Mean, &v, Some(&[0.0, 0.0])), bounds);
        assert_eq!(combine(Rule::Bound, &v, None), bounds);
        assert_eq!(combine(Rule::Bound, &[7.0], None), Combined::Exact(7.0));
    }
}
