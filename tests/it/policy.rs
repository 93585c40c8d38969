//! The policy file, budgets, history-based verdicts and significance on repeated runs, end to end.

use crate::common;

use common::{fixture, row, run_json, severity, Sandbox};
use predicates::prelude::*;

/// A k6 handleSummary document with one trend sub-metric per endpoint, p95 values in ms.
fn k6_summary(endpoints: &[(&str, f64)]) -> String {
    let metrics: Vec<String> = endpoints
        .iter()
        .map(|(name, p95)| {
            format!(
                r#""http_req_duration{{name:{name}}}": {{"type": "trend", "contains": "time", "values": {{"avg": {avg}, "med": {avg}, "p(95)": {p95}, "max": {max}}}}}"#,
                avg = p95 * 0.7,
                max = p95 * 2.0
            )
        })
        .collect();
    format!(r#"{{"metrics": {{{}}}}}"#, metrics.join(", "))
}

const BUDGETS: &str = r#"
[[budget]]
benchmark = "http_req_duration{name:auth}"
metric = "p95"
warn_above = 1000
fail_above = 1500
"#;

#[test]
fn a_budget_breach_fails_with_no_baseline_present() {
    let sb = Sandbox::new();
    sb.write("perfgate.toml", BUDGETS);
    let cur = sb.write("k6.json", &k6_summary(&[("auth", 1600.0), ("home", 20.0)]));
    let v = run_json(sb.cmd().args(["analyze", "-o", "json"]).arg(&cur), 1);
    assert_eq!(v["status"], "fail");
    assert!(v["baseline"].is_null());
    let r = row(&v, "http_req_duration{name:auth}", "p95");
    assert_eq!(r["kind"], "budget");
    assert_eq!(r["severity"], "critical");
    assert_eq!(r["current"], 1600.0);
    assert_eq!(
        r["baseline"], 1500.0,
        "the limit stands in the baseline column"
    );
    sb.cmd()
        .arg("analyze")
        .arg(&cur)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CRITICAL (budget)"))
        .stdout(predicate::str::contains("fail above 1.50 s"));
}

#[test]
fn a_budget_warning_warns_and_a_pass_passes() {
    let sb = Sandbox::new();
    sb.write("perfgate.toml", BUDGETS);
    let warn = sb.write("warn.json", &k6_summary(&[("auth", 1200.0)]));
    sb.cmd()
        .arg("analyze")
        .arg(&warn)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("medium (budget)"));
    let ok = sb.write("ok.json", &k6_summary(&[("auth", 900.0)]));
    let v = run_json(sb.cmd().args(["analyze", "-o", "json"]).arg(&ok), 0);
    assert_eq!(v["status"], "no-baseline");
}

#[test]
fn config_flag_and_unknown_keys() {
    let sb = Sandbox::new();
    let bad = sb.write(
        "custom.toml",
        "fail_on = \"high\"\nalpha = 0.01\nbandz = 3\n",
    );
    let cur = sb.write("k6.json", &k6_summary(&[("auth", 100.0)]));
    sb.cmd()
        .args(["analyze", "--config"])
        .arg(&bad)
        .arg(&cur)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "custom.toml:3:1: unknown field `bandz`",
        ));
    sb.cmd()
        .args(["config", "check"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bandz"));
    // Not TOML at all: the line and column of the syntax error.
    let broken = sb.write("broken.toml", "fail_on = \"high\"\n[bands\nlow = 3\n");
    sb.cmd()
        .args(["config", "check"])
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "broken.toml:2:7: invalid table header",
        ));
}

#[test]
fn init_writes_an_example_that_config_check_accepts() {
    let sb = Sandbox::new();
    sb.cmd().arg("init").assert().code(0);
    sb.cmd()
        .args(["config", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("perfgate.toml: ok"))
        .stdout(predicate::str::contains("0 budgets"));
    // Its examples are commented out: a same-code run passes, with no "matched nothing" warnings.
    let k6 = fixture("k6/baseline-summary.json");
    sb.cmd()
        .args(["analyze", "--baseline"])
        .arg(&k6)
        .arg(&k6)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("matched").not())
        .stderr(predicate::str::contains("matched").not());
    sb.cmd()
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    sb.cmd().args(["init", "--force"]).assert().code(0);
}

#[test]
fn the_guide_policy_example_is_valid() {
    let chapter =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/policy.md")).unwrap();
    let start = chapter
        .find("```toml\n")
        .expect("docs/policy.md has a toml block")
        + 8;
    let end = start + chapter[start..].find("```").unwrap();
    let sb = Sandbox::new();
    sb.write("perfgate.toml", &chapter[start..end]);
    sb.cmd().args(["config", "check"]).assert().code(0);
}

#[test]
fn policy_bands_fail_on_ignore_and_gate_rules_apply() {
    let sb = Sandbox::new();
    let base = sb.write(
        "base.json",
        &k6_summary(&[("a", 100.0), ("b", 100.0), ("c", 100.0)]),
    );
    let cur = sb.write(
        "cur.json",
        &k6_summary(&[("a", 112.0), ("b", 140.0), ("c", 140.0)]),
    );
    sb.write(
        "perfgate.toml",
        "fail_on = \"medium\"\n[bands]\nmedium = 11\n\
         [[rule]]\nbenchmark = \"http_req_duration{name:b}\"\nignore = true\n\
         [[rule]]\nbenchmark = \"http_req_duration{name:c}\"\ngate = false\n",
    );
    let v = sb.verdict(&[], &base, &[&cur], 1);
    assert_eq!(v["fail_on"], "medium");
    assert_eq!(severity(&v, "http_req_duration{name:a}", "p95"), "medium");
    assert!(v["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["benchmark"] != "http_req_duration{name:b}"));
    let c = row(&v, "http_req_duration{name:c}", "p95");
    assert_eq!(c["severity"], "critical");
    assert_eq!(c["gated"], false);
    // max is report-only by default.
    assert_eq!(row(&v, "http_req_duration{name:a}", "max")["gated"], false);
    // --fail-on overrides the file.
    sb.cmd()
        .args(["analyze", "--fail-on", "high", "--baseline"])
        .arg(&base)
        .arg(&cur)
        .assert()
        .code(0);
}

#[test]
fn one_millisecond_steps_are_the_data_resolution() {
    let sb = Sandbox::new();
    let doc = |p95: f64| {
        format!(
            r#"{{"metrics": {{"http_req_duration{{name:a}}": {{"type": "trend", "contains": "time", "values": {{"p(95)": {p95}}}}}}}}}"#
        )
    };
    let base = sb.write("base.json", &doc(2.0));
    let cur = sb.write("cur.json", &doc(3.0));
    let v = sb.verdict(&[], &base, &[&cur], 0);
    let r = row(&v, "http_req_duration{name:a}", "p95");
    assert_eq!(r["change_pct"], 50.0);
    // k6 is a load test: the load-test materiality floor (5 ms) covers one resolution step too.
    assert_eq!(r["severity"], "unchanged");
    assert_eq!(r["load_test"]["exemption"], "immaterial", "{r}");
    assert!(r["note"].as_str().unwrap().contains("materiality"), "{r}");
}

#[test]
fn summary_metrics_with_history_get_noise_aware_verdicts() {
    let sb = Sandbox::new();
    // Five earlier runs with ~3 % noise on `a` and a perfectly steady `b`.
    for (i, a) in [100.0, 104.0, 97.0, 102.0, 99.0].iter().enumerate() {
        let f = sb.write(
            &format!("run{i}.json"),
            &k6_summary(&[("a", *a), ("noisy", [100.0, 130.0, 80.0, 120.0, 90.0][i])]),
        );
        sb.append_at("main", &f, 1_700_000_000 + i * 100);
    }
    let history = std::fs::read_dir(sb.path("baselines/main.history"))
        .unwrap()
        .count();
    assert_eq!(history, 5);
    // +40 % on a steady metric is established; +25 % on a metric that swings ±25 % is not.
    let cur = sb.write("cur.json", &k6_summary(&[("a", 139.0), ("noisy", 112.5)]));
    let v = run_json(
        sb.cmd()
            .args(["analyze", "-o", "json", "--baseline", "main"])
            .arg(&cur),
        1,
    );
    let a = row(&v, "http_req_duration{name:a}", "p95");
    assert_eq!(a["severity"], "critical");
    assert_eq!(a["evidence"]["method"], "prediction-interval");
    assert_eq!(a["evidence"]["n_baseline"], 5);
    assert!(a["evidence"]["p_value"].as_f64().unwrap() < 0.01);
    let noisy = row(&v, "http_req_duration{name:noisy}", "p95");
    // Against the history's centre (its geometric mean), the reference of the test and the severity.
    let centre = [100.0f64, 130.0, 80.0, 120.0, 90.0]
        .iter()
        .map(|v| v.ln())
        .sum::<f64>()
        / 5.0;
    let want = (112.5 / centre.exp() - 1.0) * 100.0;
    assert!(
        (noisy["change_pct"].as_f64().unwrap() - want).abs() < 1e-6,
        "{noisy}"
    );
    assert_eq!(noisy["severity"], "unchanged");
    // Beyond the band but not established: more history would settle it.
    assert_eq!(noisy["evidence"]["outcome"], "inconclusive");
}

#[test]
fn append_keeps_at_most_keep_snapshots() {
    let sb = Sandbox::new();
    for i in 0..4 {
        sb.cmd()
            .env("SOURCE_DATE_EPOCH", (1_700_000_000 + i * 100).to_string())
            .args(["baseline", "create", "main", "--append", "--keep", "2"])
            .arg(fixture("k6/baseline-summary.json"))
            .assert()
            .code(0);
    }
    assert_eq!(
        std::fs::read_dir(sb.path("baselines/main.history"))
            .unwrap()
            .count(),
        2
    );
    sb.cmd()
        .args(["baseline", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("main"));
}

#[test]
fn repeated_runs_are_tested_for_significance() {
    let sb = Sandbox::new();
    let mut base_files = Vec::new();
    let mut cur_files = Vec::new();
    // Six runs per side; `slow` got 20 % slower, `same` only moved within its ±3 % noise.
    let noise = [1.0, 1.03, 0.98, 1.01, 0.97, 1.02];
    for (i, n) in noise.iter().enumerate() {
        base_files.push(sb.write(
            &format!("b{i}.json"),
            &k6_summary(&[("slow", 100.0 * n), ("same", 50.0 * n)]),
        ));
        let m = noise[(i + 3) % 6];
        cur_files.push(sb.write(
            &format!("c{i}.json"),
            &k6_summary(&[("slow", 120.0 * m), ("same", 51.0 * m)]),
        ));
    }
    sb.create_baseline(&["main"], &base_files);
    let v = run_json(sb.cmd().args(["analyze", "-o", "json"]).args(&cur_files), 1);
    let slow = row(&v, "http_req_duration{name:slow}", "p95");
    assert_eq!(slow["severity"], "high");
    assert_eq!(slow["evidence"]["method"], "runs");
    assert_eq!(slow["evidence"]["n_baseline"], 6);
    assert!(slow["evidence"]["ci_low_pct"].as_f64().unwrap() > 5.0);
    let same = row(&v, "http_req_duration{name:same}", "p95");
    assert_eq!(same["severity"], "unchanged");
    sb.cmd()
        .arg("analyze")
        .args(&cur_files)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("(≥ +"));
}

#[test]
fn three_runs_per_side_are_tested_as_runs() {
    // No cliff: three runs per side are judged by the same rule as ten. +3 % is not a regression,
    // +30 % with ±1 % noise is.
    let sb = Sandbox::new();
    let b: Vec<_> = (0..3)
        .map(|i| {
            sb.write(
                &format!("b{i}.json"),
                &k6_summary(&[("x", 100.0 + i as f64), ("y", 100.0 + i as f64)]),
            )
        })
        .collect();
    let c: Vec<_> = (0..3)
        .map(|i| {
            sb.write(
                &format!("c{i}.json"),
                &k6_summary(&[("x", 103.0 + i as f64), ("y", 130.0 + i as f64)]),
            )
        })
        .collect();
    sb.create_baseline(&["main"], &b);
    let v = run_json(
        sb.cmd().args(["analyze", "-o", "json", "--all"]).args(&c),
        1,
    );
    let x = row(&v, "http_req_duration{name:x}", "p95");
    assert_eq!(x["severity"], "unchanged");
    assert_eq!(x["evidence"]["method"], "runs");
    assert_eq!(x["evidence"]["n_current"], 3);
    let y = row(&v, "http_req_duration{name:y}", "p95");
    assert_eq!(y["severity"], "critical", "{y}");
    assert!(y["evidence"]["bound_pct"].as_f64().unwrap() > 25.0);
}
