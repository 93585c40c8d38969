//! End-to-end tests of the `perfgate` binary: commands, exit codes, outputs and error messages.

use crate::common;

use common::{
    corpus, fixture, k6_pair, one_line_error, perfgate, row, rows, run_json, run_stderr, severity,
    Sandbox,
};
use predicates::prelude::*;

#[test]
fn baseline_then_analyze_flags_the_slowed_endpoint_and_fails() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["baseline", "create", "main"])
        .arg(fixture("k6/baseline-summary.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("created baseline `main`"));
    assert!(sb.path("baselines/main.json").is_file());

    let v = run_json(
        sb.cmd()
            .args(["analyze", "--output", "json"])
            .arg(fixture("k6/current-summary.json")),
        1,
    );
    assert_eq!(v["schema"], "perfgate/verdict/v1");
    assert_eq!(v["status"], "fail");
    assert_eq!(v["baseline"]["name"], "main");
    let p95 = row(&v, "http_req_duration{name:search}", "p95");
    assert_eq!(p95["severity"], "critical");
    assert_eq!(p95["unit"], "ms");
    assert_eq!(p95["direction"], "lower_is_better");
    // /search went from 20 to 35 ms in the real runs: p95 22.76 → 38.88 ms.
    assert!(
        (p95["change_pct"].as_f64().unwrap() - 70.8).abs() < 0.1,
        "{p95}"
    );
    for endpoint in ["health", "items"] {
        for c in rows(&v) {
            if c["benchmark"] == format!("http_req_duration{{name:{endpoint}}}")
                && c["gated"] == true
            {
                assert_eq!(c["severity"], "unchanged", "{c}");
            }
        }
    }
    let summary = &v["summary"];
    for key in [
        "critical",
        "high",
        "medium",
        "low",
        "improvement",
        "unchanged",
        "new",
        "missing",
    ] {
        assert!(summary[key].is_u64(), "summary.{key}");
    }
}

#[test]
fn table_output_shows_the_regression_and_the_verdict_line() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["analyze", "--baseline"])
        .args(k6_pair())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("http_req_duration{name:search}"))
        .stdout(predicate::str::contains("CRITICAL"))
        .stdout(predicate::str::contains("+70.8 %"))
        .stdout(predicate::str::contains("FAIL "))
        .stdout(predicate::str::contains("(gate: fail on high or worse)"))
        // Piped: no colour.
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn fail_on_never_passes_with_a_warning_status() {
    let sb = Sandbox::new();
    let v = run_json(
        sb.cmd()
            .args(["analyze", "--fail-on", "never", "-o", "json", "--baseline"])
            .args(k6_pair()),
        0,
    );
    assert_eq!(v["status"], "warn");
}

#[test]
fn fail_on_critical_still_fails_on_the_70_percent_slowdown() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["analyze", "--fail-on", "critical", "--baseline"])
        .args(k6_pair())
        .assert()
        .code(1);
}

#[test]
fn legacy_summary_export_pair_gives_the_same_verdict() {
    let sb = Sandbox::new();
    let v = sb.fixture_verdict("k6/baseline-export.json", "k6/current-export.json", 1);
    assert_eq!(
        severity(&v, "http_req_duration{name:search}", "p95"),
        "critical"
    );
    assert_eq!(
        severity(&v, "http_req_duration{name:health}", "p95"),
        "unchanged"
    );
}

#[test]
fn identical_files_pass() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["analyze", "--baseline"])
        .arg(fixture("k6/baseline-summary.json"))
        .arg(fixture("k6/baseline-summary.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS "));
}

#[test]
fn garbage_file_exits_2_with_one_line_naming_it() {
    let sb = Sandbox::new();
    let f = sb.write("garbage.txt", "this is not a benchmark result\n");
    one_line_error(
        sb.cmd().arg("analyze").arg(&f),
        "garbage.txt",
        "tried perfgate, k6-summary",
    );
}

#[test]
fn malformed_inputs_exit_2_without_panicking() {
    let sb = Sandbox::new();
    let truncated = {
        let text = std::fs::read_to_string(fixture("k6/current-summary.json")).unwrap();
        sb.write("truncated.json", &text[..text.len() / 2])
    };
    let cases = [
        (sb.write("empty.json", ""), "empty"),
        (truncated, "invalid JSON"),
        (
            sb.write(
                "wrong.json",
                r#"{"metrics": {"http_reqs": {"type": "counter", "values": "@{count=1}"}}}"#,
            ),
            "values as a string",
        ),
        (sb.write("array.json", "[1, 2, 3]"), "not a result file"),
        (sb.path("does-not-exist.json"), "No such file"),
        (sb.dir(), "is a directory, and not one perfgate reads whole"),
    ];
    for (path, expected) in cases {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        one_line_error(sb.cmd().arg("analyze").arg(&path), &name, expected);
    }
}

#[test]
fn unknown_format_flag_exits_2() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["analyze", "--format", "nope"])
        .arg(fixture("k6/current-summary.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown --format \"nope\""));
}

#[test]
fn format_flag_forces_a_reader() {
    let sb = Sandbox::new();
    // The handleSummary file read as a legacy export has no flattened metrics: nothing to read.
    sb.cmd()
        .args(["analyze", "--format", "k6-summary-export"])
        .arg(fixture("k6/current-summary.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no benchmarks found"));
    sb.cmd()
        .args(["analyze", "--format", "k6-summary"])
        .arg(fixture("k6/current-summary.json"))
        .assert()
        .code(0);
}

#[test]
fn no_baseline_is_a_clear_pass() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("analyze")
        .arg(fixture("k6/current-summary.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("NO BASELINE"))
        .stdout(predicate::str::contains("perfgate baseline create main"));
    let v = run_json(
        sb.cmd()
            .args(["analyze", "-o", "json", "--baseline", "release"])
            .arg(fixture("k6/current-summary.json")),
        0,
    );
    assert_eq!(v["status"], "no-baseline");
    assert!(v["message"].as_str().unwrap().contains("`release`"));
}

#[test]
fn baseline_create_refuses_to_overwrite_without_force() {
    let sb = Sandbox::new();
    let create = |extra: &[&str]| {
        let mut c = sb.cmd();
        c.args(["baseline", "create", "main"])
            .args(extra)
            .arg(fixture("k6/baseline-summary.json"));
        c
    };
    create(&[]).assert().code(0);
    let before = std::fs::read(sb.path("baselines/main.json")).unwrap();
    create(&[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists; use --force"));
    assert_eq!(
        std::fs::read(sb.path("baselines/main.json")).unwrap(),
        before
    );
    create(&["--force"]).assert().code(0);
}

#[test]
fn baseline_create_rejects_unsafe_names_and_bad_input_without_writing() {
    let sb = Sandbox::new();
    for name in ["../escape", "a/b", ".hidden", "", "x\u{1b}y"] {
        sb.cmd()
            .args(["baseline", "create", name])
            .arg(fixture("k6/baseline-summary.json"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("invalid baseline name"));
    }
    let bad = sb.write("bad.json", "{\"metrics\": ");
    sb.cmd()
        .args(["baseline", "create", "main"])
        .arg(&bad)
        .assert()
        .code(2);
    assert!(
        !sb.path("baselines").exists()
            || std::fs::read_dir(sb.path("baselines")).unwrap().count() == 0
    );
}

#[test]
fn baseline_list_show_latest_delete() {
    let sb = Sandbox::new();
    sb.cmd()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["baseline", "create", "old"])
        .arg(fixture("k6/baseline-summary.json"))
        .assert()
        .code(0);
    sb.cmd()
        .env("SOURCE_DATE_EPOCH", "1750000000")
        .args(["baseline", "create", "new"])
        .arg(fixture("k6/baseline-export.json"))
        .assert()
        .code(0);
    sb.cmd()
        .args(["baseline", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Name"))
        .stdout(predicate::str::contains("old"))
        .stdout(predicate::str::contains("2023-11-14T22:13:20Z"));
    let list = run_json(sb.cmd().args(["baseline", "list", "-o", "json"]), 0);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["name"], "old");
    assert_eq!(list[0]["benchmarks"], 17);
    sb.cmd()
        .args(["baseline", "latest"])
        .assert()
        .code(0)
        .stdout("new\n");
    sb.cmd()
        .args(["baseline", "show", "old"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("http_req_duration{name:search}"))
        .stdout(predicate::str::contains("22.8 ms"));
    let snap = run_json(sb.cmd().args(["baseline", "show", "old", "-o", "json"]), 0);
    assert_eq!(snap["schema_version"], 1);
    assert_eq!(snap["sources"][0]["format"], "k6-summary");
    assert_eq!(snap["sources"][0]["tool"], "k6");
    // The latest snapshot is the default baseline.
    let v = run_json(
        sb.cmd()
            .args(["analyze", "-o", "json"])
            .arg(fixture("k6/current-export.json")),
        1,
    );
    assert_eq!(v["baseline"]["name"], "new");
    sb.cmd()
        .args(["baseline", "delete", "old"])
        .assert()
        .code(0);
    sb.cmd()
        .args(["baseline", "delete", "old"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no baseline `old` (available: new)",
        ));
    sb.cmd().args(["baseline", "show", "old"]).assert().code(2);
}

#[test]
fn snapshot_from_a_newer_perfgate_is_refused() {
    let sb = Sandbox::new();
    let snap = r#"{"schema":"perfgate/snapshot/v1","schema_version":7,"name":"main","created_at":"2030-01-01T00:00:00Z","benchmarks":{}}"#;
    sb.write("baselines/main.json", snap);
    sb.cmd()
        .args(["analyze", "--baseline", "main"])
        .arg(fixture("k6/current-summary.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "main.json: written by perfgate snapshot schema 7",
        ));
}

#[test]
fn zero_baseline_error_rate_is_tested_as_counts() {
    let sb = Sandbox::new();
    // `passes` of http_req_failed counts failed requests.
    let doc = |failed: u32| {
        format!(
            r#"{{"metrics": {{"http_req_failed": {{"type": "rate", "contains": "default", "values": {{"rate": {}, "passes": {failed}, "fails": {}}}}},
                "http_req_duration": {{"type": "trend", "contains": "time", "values": {{"avg": 0, "p(95)": 0}}}}}}}}"#,
            f64::from(failed) / 1000.0,
            1000 - failed
        )
    };
    let base = sb.write("base.json", &doc(0));
    let cur = sb.write("cur.json", &doc(300));
    let v = sb.verdict(&[], &base, &[&cur], 1);
    let r = row(&v, "http_req_failed", "error_rate");
    assert_eq!(r["severity"], "critical");
    assert!(r["change_pct"].is_null());
    assert_eq!(r["load_test"]["counts"]["baseline_events"], 0, "{r}");
    assert_eq!(r["load_test"]["counts"]["current_events"], 300, "{r}");
    assert_eq!(severity(&v, "http_req_duration", "p95"), "unchanged");
}

#[test]
fn new_and_missing_metrics_are_reported_not_failed() {
    let sb = Sandbox::new();
    let base = sb.write(
        "base.json",
        // `{name:old}` differs from its parent: a sub-metric equal to it would be dropped as a repeat.
        r#"{"metrics": {"http_req_duration{name:old}": {"type": "trend", "contains": "time", "values": {"p(95)": 11}},
            "http_req_duration": {"type": "trend", "contains": "time", "values": {"p(95)": 10}}}}"#,
    );
    let cur = sb.write(
        "cur.json",
        r#"{"metrics": {"http_req_duration{name:new}": {"type": "trend", "contains": "time", "values": {"p(95)": 10}},
            "http_req_duration": {"type": "trend", "contains": "time", "values": {"p(95)": 10, "p(99)": 12}}}}"#,
    );
    let v = sb.verdict(&[], &base, &[&cur], 0);
    assert_eq!(
        severity(&v, "http_req_duration{name:old}", "p95"),
        "missing"
    );
    assert_eq!(severity(&v, "http_req_duration{name:new}", "p95"), "new");
    assert_eq!(severity(&v, "http_req_duration", "p99"), "new");
    assert_eq!(v["summary"]["new"], 2);
    assert_eq!(v["summary"]["missing"], 1);
}

#[test]
fn markdown_output_leads_with_the_verdict() {
    let sb = Sandbox::new();
    sb.cmd()
        .args(["analyze", "-o", "markdown", "--baseline"])
        .args(k6_pair())
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "### ❌ perfgate: 9 regressions in 3 benchmarks (9 critical)",
        ))
        .stdout(predicate::str::contains(
            "| 🔴 critical | `http_req_duration{name:search}` | `p90` |",
        ))
        // The other 6 regressions once, in the details (3 visible + 6 = the headline's 9).
        .stdout(predicate::str::contains(
            "<details><summary>Other gated metrics: 6 critical",
        ));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let sb = Sandbox::new();
    let run = |args: &[&str], no_color: bool| {
        let mut c = sb.cmd();
        if no_color {
            c.env("NO_COLOR", "1");
        }
        c.args(["analyze"]).args(args).arg("--baseline");
        c.args(k6_pair());
        String::from_utf8(c.assert().code(1).get_output().stdout.clone()).unwrap()
    };
    assert!(run(&["--color", "always"], false).contains("\x1b["));
    assert!(!run(&["--color", "never"], false).contains("\x1b["));
    assert!(!run(&[], true).contains("\x1b["));
}

#[test]
fn help_has_examples_and_formats_lists_readers() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("Exit codes:"));
    sb.cmd()
        .arg("formats")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("k6-summary-export"))
        .stdout(predicate::str::contains(
            "k6 run --summary-export=summary.json script.js",
        ));
}

#[test]
fn completions_are_generated() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        sb.cmd()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("analyze"));
    }
}

#[test]
fn usage_errors_exit_2() {
    let sb = Sandbox::new();
    sb.cmd().arg("analyze").assert().code(2);
    sb.cmd()
        .args(["analyze", "--fail-on", "sometimes", "x.json"])
        .assert()
        .code(2);
    sb.cmd().arg("frobnicate").assert().code(2);
}

#[test]
fn a_closed_stdout_exits_quietly_with_the_verdict() {
    let sb = Sandbox::new();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = perfgate()
        .current_dir(sb.dir())
        .args(["analyze", "--all", "--baseline"])
        .args(k6_pair())
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn k6_ndjson_pair_flags_the_slowed_endpoint() {
    let sb = Sandbox::new();
    let v = sb.fixture_verdict("k6/baseline.ndjson.gz", "k6/current.ndjson.gz", 1);
    assert_eq!(
        severity(&v, "http_req_duration{name:search}", "p95"),
        "critical"
    );
    for endpoint in ["health", "items"] {
        for metric in ["p50", "p90", "p95"] {
            let r = row(&v, &format!("http_req_duration{{name:{endpoint}}}"), metric);
            assert_eq!(r["severity"], "unchanged", "{r}");
        }
    }
}

/// k6 NDJSON, plain and gzip (also a truncated gzip): no progress bar when stderr is not a terminal,
/// and a damaged file is one line naming it.
#[test]
fn ndjson_plain_gzip_and_truncated_gzip() {
    use std::io::Write;
    let sb = Sandbox::new();
    let src = corpus("k6-ndjson/czrpb_workloads_k6out.trimmed.ndjson");
    let text = std::fs::read(&src).unwrap();
    let mut text_big = Vec::new();
    for _ in 0..400 {
        text_big.extend_from_slice(&text);
    }
    let plain = sb.path("results.json");
    std::fs::write(&plain, &text_big).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text_big).unwrap();
    let gz = gz.finish().unwrap();
    let gz_path = sb.path("results.json.gz");
    std::fs::write(&gz_path, &gz).unwrap();
    for file in [&plain, &gz_path] {
        for quiet in [&[][..], &["--quiet"][..]] {
            sb.cmd()
                .args(["analyze", "--baseline"])
                .arg(&plain)
                .arg(file)
                .args(quiet)
                .assert()
                .code(0)
                .stderr("");
        }
    }
    let cut = sb.path("cut.json.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let err = run_stderr(
        sb.cmd()
            .args(["analyze", "--format", "k6-ndjson", "-q"])
            .arg(&cut),
        2,
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cut.json.gz") && err.contains("gzip stream is truncated"),
        "{err}"
    );
}

/// The helper of the tests that drive real programs (Prometheus, Chromium, hyperfine): a missing one is a
/// notice, or a failure naming it when `PERFGATE_REQUIRE_TOOLS=1` (as in CI).
#[test]
fn a_missing_tool_skips_with_a_notice_or_fails_when_required() {
    let missing = ["perfgate-test-no-such-tool"];
    assert_eq!(common::find_tool(&missing, "nothing", false), None);
    let failed =
        std::panic::catch_unwind(|| common::find_tool(&missing, "apt-get install it", true))
            .expect_err("a required tool that is missing fails the test");
    let msg = failed.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("perfgate-test-no-such-tool is not installed")
            && msg.contains("PERFGATE_REQUIRE_TOOLS=1")
            && msg.contains("apt-get install it"),
        "{msg}"
    );
    assert!(common::find_tool(&["sh"], "", true).is_some());
}

/// The progress line prints the file name through the terminal escape: on a pseudo-terminal (util-linux
/// `script`), a name holding an OSC sequence (which would retitle the window) shows as text.
#[test]
fn the_progress_line_escapes_the_file_name_on_a_terminal() {
    let sb = Sandbox::new();
    let name = "evil\u{1b}]0;pwned\u{7}.json.gz";
    std::fs::copy(fixture("k6/current.ndjson.gz"), sb.path(name)).unwrap();
    let out = std::process::Command::new("script")
        .current_dir(sb.dir())
        .args([
            "-qefc",
            "\"$PG\" analyze --format k6-ndjson \"$F\" >/dev/null",
            "/dev/null",
        ])
        .env("PG", env!("CARGO_BIN_EXE_perfgate"))
        .env("F", name)
        .env("PERFGATE_TEST_PROGRESS_AT_ONCE", "1")
        .env_remove("CI")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` (a pseudo-terminal) is needed");
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{tty}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        tty.contains("reading evil\\u{1b}]0;pwned\\u{7}.json.gz ["),
        "{tty:?}"
    );
    assert!(
        !tty.contains("\u{1b}]"),
        "a raw OSC reached the terminal: {tty:?}"
    );
}
