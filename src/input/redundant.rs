//! Drops series that repeat another one: a k6 tag sub-metric (`http_req_duration{method:GET}`) whose
//! values equal its parent's (`http_req_duration`) in every statistic. That happens when the tag has a
//! single value in the run (all requests `GET`, all `200`, one scenario, no failed request): the
//! sub-metric is the same series under another name, and reporting it would repeat every change.
//!
//! The same holds for Artillery's `http.response_time.2xx` when every response was a 2xx.
//!
//! A failure count (a metric its reader declared with [`crate::model::FailuresOf`]) out of other trials
//! than its parent's stays: equal to the parent's, it is still judged out of its own endpoint's requests
//! (15 of 525, not 15 of 1575), and the endpoint is what the verdict names.
//!
//! A post-pass on each [`Run`] as it is read, for every format (k6 summaries carry such sub-metrics too).

use std::collections::BTreeMap;

use crate::model::{Benchmark, Metric, Run};

/// The parent of a single-tag sub-metric name: `http_reqs{status:200}` → `http_reqs`.
fn parent(name: &str) -> Option<&str> {
    let (base, rest) = name.split_once('{')?;
    let inner = rest.strip_suffix('}')?;
    // One `key:value` tag; a brace or a second tag inside would be some other naming scheme.
    (!base.is_empty() && inner.contains(':') && !inner.contains(['{', '}', ','])).then_some(base)
}

/// The parent of a status-class summary: Artillery's `http.response_time.2xx` → `http.response_time`.
fn class_parent(name: &str) -> Option<&str> {
    let (base, class) = name.rsplit_once('.')?;
    let b = class.as_bytes();
    (!base.is_empty() && b.len() == 3 && b[0].is_ascii_digit() && &b[1..] == b"xx").then_some(base)
}

/// A duration series that is zero throughout, e.g. a k6 connection phase that never happened for one
/// endpoint's requests (no TLS, reused connections): it carries no information, and every endpoint's
/// would look alike.
fn all_zero_durations(b: &Benchmark) -> bool {
    let mut durations = b.metrics.values().filter(|m| m.unit.nanos().is_some());
    durations.clone().next().is_some() && durations.all(|m| m.value == 0.0)
}

/// Whether a series holds a failure count judged out of other trials than its parent's (`p`; `None`: any
/// failure count).
fn own_failure_trials(run: &Run, b: &Benchmark, p: Option<&Benchmark>) -> bool {
    let trials = |m: &Metric| {
        let of = m.failures.as_ref()?;
        run.metric(&of.benchmark, &of.metric).map(|t| t.value)
    };
    b.metrics.iter().any(|(k, m)| {
        m.failures.is_some() && p.is_none_or(|p| trials(m) != p.metrics.get(k).and_then(trials))
    })
}

/// Same metrics, units and values (to the last bit a parser would reproduce).
fn same_series(a: &Benchmark, b: &Benchmark) -> bool {
    a.metrics.len() == b.metrics.len()
        && a.metrics.iter().all(|(k, m)| {
            b.metrics.get(k).is_some_and(|p| {
                p.unit == m.unit
                    && (p.value == m.value
                        || (p.value - m.value).abs() <= 1e-12 * p.value.abs().max(m.value.abs()))
            })
        })
}

/// Which of two aliases to keep: the endpoint name says most, k6's always-present tags least.
fn key_rank(key: &str) -> usize {
    [
        "name",
        "scenario",
        "group",
        "method",
        "status",
        "expected_response",
    ]
    .iter()
    .position(|k| *k == key)
    .unwrap_or(3)
}

/// Removes repeated series; returns the names removed.
///
/// * A tag sub-metric identical to its parent (`{method:GET}` when every request was a GET).
/// * Of two tags with different keys that select the same requests (`{name:http://a}` and `{status:308}`
///   when exactly the requests to that URL were redirected), identical under every metric that has
///   them, the one with the less telling key.
///
/// Sub-metrics of one tag key (`{name:home}`, `{name:login}`) are different requests and always stay,
/// even when their numbers happen to agree (each iteration requests each endpoint once).
pub fn drop_repeated_tag_series(run: &mut Run) -> Vec<String> {
    let mut repeated: Vec<String> = run
        .benchmarks
        .iter()
        .filter(|(name, b)| {
            parent(name)
                .or_else(|| class_parent(name))
                .and_then(|p| run.benchmarks.get(p))
                .is_some_and(|p| {
                    (same_series(b, p) || all_zero_durations(b))
                        && !own_failure_trials(run, b, Some(p))
                })
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in &repeated {
        run.benchmarks.remove(name);
    }
    // tag → (parent → its sub-metric), over what is left.
    let mut by_tag: BTreeMap<&str, BTreeMap<&str, &Benchmark>> = BTreeMap::new();
    for (name, b) in &run.benchmarks {
        if let Some(p) = parent(name).filter(|_| !own_failure_trials(run, b, None)) {
            let tag = &name[p.len() + 1..name.len() - 1];
            by_tag.entry(tag).or_default().insert(p, b);
        }
    }
    let mut tags: Vec<&str> = by_tag.keys().copied().collect();
    tags.sort_by_key(|t| (key_rank(t.split(':').next().unwrap_or("")), *t));
    let key = |t: &str| t.split(':').next().unwrap_or("").to_string();
    let mut aliases: Vec<&str> = Vec::new();
    for (i, keep) in tags.iter().enumerate() {
        if aliases.contains(keep) {
            continue;
        }
        for other in &tags[i + 1..] {
            let (a, b) = (&by_tag[keep], &by_tag[other]);
            let same = key(keep) != key(other)
                && a.len() == b.len()
                && a.iter()
                    .all(|(p, sa)| b.get(p).is_some_and(|sb| same_series(sa, sb)));
            if same && !aliases.contains(other) {
                aliases.push(other);
            }
        }
    }
    let alias_names: Vec<String> = aliases
        .iter()
        .flat_map(|t| by_tag[t].keys().map(move |p| format!("{p}{{{t}}}")))
        .collect();
    for name in alias_names {
        run.benchmarks.remove(&name);
        repeated.push(name);
    }
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Metric, Unit};

    fn ms(v: f64) -> Metric {
        Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter)
    }

    #[test]
    fn single_valued_tags_go_other_values_stay() {
        let mut run = Run::default();
        for (name, p95) in [
            ("http_req_duration", 70.0),
            ("http_req_duration{method:GET}", 70.0),
            ("http_req_duration{status:200}", 70.0),
            ("http_req_duration{name:home}", 20.0),
            ("http_req_duration{name:search}", 80.0),
            // No parent in the run: kept.
            ("http_req_waiting{method:GET}", 60.0),
        ] {
            run.insert(name, "p95", ms(p95));
            run.insert(name, "p50", ms(p95 / 2.0));
        }
        // Same p95, different p50: a different series.
        run.insert("http_req_duration{scenario:a}", "p95", ms(70.0));
        run.insert("http_req_duration{scenario:a}", "p50", ms(30.0));
        let dropped = drop_repeated_tag_series(&mut run);
        assert_eq!(
            dropped,
            [
                "http_req_duration{method:GET}",
                "http_req_duration{status:200}"
            ]
        );
        assert_eq!(run.benchmarks.len(), 5);
    }

    #[test]
    fn a_tag_that_selects_the_same_requests_as_another_goes() {
        let mut run = Run::default();
        for (name, p95) in [
            ("http_req_duration", 50.0),
            ("http_req_duration{name:http://a}", 70.0),
            ("http_req_duration{status:308}", 70.0),
            ("http_req_duration{name:http://b}", 30.0),
            ("http_req_duration{status:200}", 30.0),
            ("http_reqs", 2.0),
            ("http_reqs{name:http://a}", 1.0),
            ("http_reqs{status:308}", 1.0),
            ("http_reqs{name:http://b}", 1.0),
            ("http_reqs{status:200}", 1.0),
        ] {
            run.insert(name, "p95", ms(p95));
        }
        let dropped = drop_repeated_tag_series(&mut run);
        assert_eq!(
            dropped,
            [
                "http_req_duration{status:308}",
                "http_reqs{status:308}",
                "http_req_duration{status:200}",
                "http_reqs{status:200}"
            ]
        );
        // Two endpoints with the same request count are different requests: both stay.
        assert!(run.benchmarks.contains_key("http_reqs{name:http://a}"));
        assert!(run.benchmarks.contains_key("http_reqs{name:http://b}"));
    }

    #[test]
    fn an_endpoint_failure_count_equal_to_its_parent_stays() {
        // Artillery: all 15 HTTP 500s of the run came from /login.
        let mut run = Run::default();
        let count = |n: f64, of: &str| {
            Metric::new(n, Unit::Count, Direction::LowerIsBetter).failures_of(
                of,
                "count",
                crate::model::Trials::Requests,
            )
        };
        run.insert("http.codes.500", "count", count(15.0, "http.requests"));
        run.insert(
            "http.codes.500{endpoint:/login}",
            "count",
            count(15.0, "http.requests{endpoint:/login}"),
        );
        run.insert("http.codes.200", "count", ms(500.0));
        run.insert("http.codes.200{endpoint:/login}", "count", ms(500.0));
        run.insert("http.requests", "count", ms(1575.0));
        run.insert("http.requests{endpoint:/login}", "count", ms(525.0));
        // One scenario: its errors are out of the same requests as all errors, the same verdict.
        run.insert("errors", "count", count(15.0, "http.requests"));
        run.insert("errors{scenario:a}", "count", count(15.0, "http.requests"));
        assert_eq!(
            drop_repeated_tag_series(&mut run),
            ["errors{scenario:a}", "http.codes.200{endpoint:/login}"]
        );
        assert!(run
            .benchmarks
            .contains_key("http.codes.500{endpoint:/login}"));
    }

    #[test]
    fn names_that_are_not_tag_sub_metrics_stay() {
        assert_eq!(parent("http_reqs{status:200}"), Some("http_reqs"));
        assert_eq!(parent("{a:b}"), None);
        assert_eq!(parent("x{a,b}"), None);
        assert_eq!(parent("BM_sort/1024"), None);
        assert_eq!(parent("x{a:b}y"), None);
        assert_eq!(
            class_parent("http.response_time.2xx"),
            Some("http.response_time")
        );
        assert_eq!(class_parent("http.codes.200"), None);
        assert_eq!(class_parent("v1.2"), None);
    }
}
