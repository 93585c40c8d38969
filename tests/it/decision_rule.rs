//! The decision rule end to end on shape changes and slow creep. The runs are real hyperfine and k6 results
//! from `fixtures/`, changed here in the way each case describes (a slow mode, one slow iteration, +4 % per
//! snapshot), so that the expected verdict follows from the case.

use crate::common;

use common::{fixture, k6_scaled, read_json, row, run_json, severity, Sandbox};
use serde_json::Value;

/// hyperfine's `loop` benchmark from a real noise run, with `times` changed by `f` (sorted ascending, in
/// seconds) and the summary fields recomputed from them.
fn hyperfine_loop(run: usize, f: impl Fn(&mut Vec<f64>)) -> String {
    let path = fixture(&format!("hyperfine/noise/run{run}.json"));
    let mut doc: Value = read_json(path);
    let results = doc["results"].as_array_mut().unwrap();
    results.retain(|r| r["command"] == "loop");
    let r = &mut results[0];
    let mut times: Vec<f64> = r["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    times.sort_by(f64::total_cmp);
    f(&mut times);
    let n = times.len() as f64;
    let mean = times.iter().sum::<f64>() / n;
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let k = sorted.len();
    let median = if k % 2 == 1 {
        sorted[k / 2]
    } else {
        0.5 * (sorted[k / 2 - 1] + sorted[k / 2])
    };
    let sd = (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    r["times"] = times.clone().into();
    r["mean"] = mean.into();
    r["median"] = median.into();
    r["stddev"] = sd.into();
    r["min"] = sorted[0].into();
    r["max"] = sorted[k - 1].into();
    doc.to_string()
}

/// The slowest `share` of iterations twice as slow: a second mode.
fn slow_mode(share: f64) -> impl Fn(&mut Vec<f64>) {
    move |t: &mut Vec<f64>| {
        let from = t.len() - (t.len() as f64 * share).round() as usize;
        for v in &mut t[from..] {
            *v *= 2.0;
        }
    }
}

#[test]
fn a_slow_mode_growing_from_30_to_70_percent_fails_on_the_median_row() {
    let sb = Sandbox::new();
    let base = sb.write("base.json", &hyperfine_loop(1, slow_mode(0.3)));
    let cur = sb.write("cur.json", &hyperfine_loop(2, slow_mode(0.7)));
    let v = sb.verdict(&[], &base, &[&cur], 1);
    let median = row(&v, "loop", "median");
    assert_eq!(median["severity"], "critical", "{median}");
    assert_eq!(median["evidence"]["method"], "within-run");
    assert_eq!(median["evidence"]["statistic"]["quantile"], 0.5);
    assert!(median["evidence"]["estimate_pct"].as_f64().unwrap() > 50.0);
    // The mean row is judged by the mean; it is never called a small change.
    let mean = row(&v, "loop", "mean");
    assert_eq!(mean["evidence"]["statistic"], "mean");
    assert_ne!(mean["evidence"]["outcome"], "below-band", "{mean}");
}

#[test]
fn one_iteration_100x_slower_is_inconclusive_once_and_critical_in_every_run() {
    let sb = Sandbox::new();
    let outlier = |t: &mut Vec<f64>| t[10] *= 100.0;
    let base = sb.write("base.json", &hyperfine_loop(1, |_| {}));
    let cur = sb.write("cur.json", &hyperfine_loop(2, outlier));
    let v = sb.verdict(&[], &base, &[&cur], 0);
    let mean = row(&v, "loop", "mean");
    assert!(mean["change_pct"].as_f64().unwrap() > 400.0, "{mean}");
    // One slow iteration in one run: not established, but not "small" either.
    assert_eq!(mean["evidence"]["outcome"], "inconclusive", "{mean}");
    assert_eq!(severity(&v, "loop", "median"), "unchanged");

    // The same slow iteration in each of three runs against three clean runs: a regression of the mean.
    let base: Vec<_> = (1..=3)
        .map(|i| sb.write(&format!("b{i}.json"), &hyperfine_loop(i, |_| {})))
        .collect();
    let cur: Vec<_> = (4..=6)
        .map(|i| sb.write(&format!("c{i}.json"), &hyperfine_loop(i, outlier)))
        .collect();
    sb.create_baseline(&["main"], &base);
    let v = run_json(sb.cmd().args(["analyze", "-o", "json"]).args(&cur), 1);
    let mean = row(&v, "loop", "mean");
    assert_eq!(mean["severity"], "critical", "{mean}");
    assert_eq!(mean["evidence"]["method"], "runs");
    assert_eq!(mean["evidence"]["n_current"], 3);
    assert_eq!(severity(&v, "loop", "median"), "unchanged");
}

#[test]
fn creep_of_four_percent_per_merge_is_reported_as_medium() {
    let sb = Sandbox::new();
    // Ten times the fixture's ~20 ms, so that each 4 % step is beyond the load-test materiality floor
    // (5 ms) and the rule under test, drift, decides.
    for i in 0..6 {
        let f = sb.write(&format!("run{i}.json"), &k6_scaled(10.0 * 1.04f64.powi(i)));
        sb.append_at("main", &f, 1_700_000_000 + i * 86_400);
    }
    let seventh = sb.write("run6.json", &k6_scaled(10.0 * 1.04f64.powi(6)));
    let analyze = |code: i32, extra: &[&str]| -> Value {
        run_json(
            sb.cmd()
                .args(["analyze", "-o", "json"])
                .args(extra)
                .arg(&seventh),
            code,
        )
    };
    let v = analyze(0, &[]);
    let p95 = row(&v, "http_req_duration", "p95");
    assert_eq!(p95["severity"], "medium", "{p95}");
    let e = &p95["evidence"];
    assert_eq!(e["method"], "prediction-interval");
    assert_eq!(e["adjustment"], "raised-by-drift");
    assert!(
        (e["drift_pct"].as_f64().unwrap() - 26.53).abs() < 0.1,
        "{e}"
    );
    // Significance and severity against one reference: the history's centre, 1.04^2.5 of the first.
    let centre = row(&v, "http_req_duration", "p95")["baseline"]
        .as_f64()
        .unwrap();
    let current = p95["current"].as_f64().unwrap();
    assert!((current / centre - 1.04f64.powf(3.5)).abs() < 1e-9);
    // The default gate fails on high; medium is a warning that `--fail-on medium` turns into a failure.
    analyze(1, &["--fail-on", "medium"]);
}
