//! Baseline history: appended snapshots, the history table and charts, `--baseline-ref` with git.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{fixture, git, k6_scaled, read_json, run_json, run_stdout, Sandbox};
use predicates::prelude::*;
use serde_json::Value;

/// Five appended snapshots of the k6 fixture, each a little slower than the last.
fn five_snapshots(sb: &Sandbox) {
    for i in 0..5 {
        let f = sb.write(&format!("run{i}.json"), &k6_scaled(1.0 + 0.03 * i as f64));
        sb.append_at("main", &f, 1_700_000_000 + i * 86_400);
    }
}

#[test]
fn history_table_has_every_snapshot_and_its_step() {
    let sb = Sandbox::new();
    five_snapshots(&sb);
    let text = run_stdout(
        sb.cmd().args([
            "history",
            "main",
            "--benchmark",
            "http_req_duration{name:search}",
            "--metric",
            "p95",
        ]),
        0,
    );
    assert_eq!(
        text.lines().filter(|l| l.contains("2023-11")).count(),
        5,
        "{text}"
    );
    assert!(text.contains("+3.0 %"), "{text}");
    let json = run_json(
        sb.cmd()
            .args(["history", "main", "--metric", "p95", "-o", "json"]),
        0,
    );
    for s in json.as_array().unwrap() {
        assert_eq!(s["points"].as_array().unwrap().len(), 5, "{s}");
        assert_eq!(s["unit"], "ms");
    }
    sb.cmd()
        .args(["baseline", "list", "--history", "main"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("20231118T221320Z"));
    sb.cmd()
        .args(["baseline", "prune", "main", "--keep", "3"])
        .assert()
        .code(0)
        .stdout("pruned 2 history snapshots of `main`\n");
    sb.cmd()
        .args(["history", "main", "--metric", "nothing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no metric matching"));
}

#[test]
fn svg_chart_is_valid_with_one_series_of_five_points_per_metric() {
    let sb = Sandbox::new();
    five_snapshots(&sb);
    let text = run_stdout(
        sb.cmd()
            .args(["history", "main", "--metric", "p95", "-o", "svg"]),
        0,
    );
    let doc = roxmltree::Document::parse(&text).expect("valid SVG/XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    // p95 exists for every trend of the fixture (aggregate, endpoints, phases, iterations).
    // Data lines are the blue polylines; the grey and black ones are the mesh and axes.
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#0000FF"))
        .collect::<Vec<_>>();
    assert_eq!(lines.len(), 11, "one line per metric");
    for l in &lines {
        assert_eq!(l.attribute("points").unwrap().split_whitespace().count(), 5);
    }
    let dots = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert_eq!(dots, 11 * 5, "five points per line");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert!(
        texts.contains(&"p95 (ms)"),
        "axis names the unit: {texts:?}"
    );
    assert!(texts
        .iter()
        .any(|t| t.contains("http_req_duration{name:search}")));
    assert!(
        texts.iter().any(|t| t.ends_with(" ms")),
        "tick labels carry units"
    );
}

#[test]
fn html_chart_is_self_contained_and_renders_in_a_browser() {
    let sb = Sandbox::new();
    five_snapshots(&sb);
    let html = run_stdout(
        sb.cmd()
            .args(["history", "main", "--metric", "p95", "-o", "html"]),
        0,
    );
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url(http"),
        "no network references"
    );
    let path = sb.write("history.html", &html);
    let Some(browser) = common::tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "apt-get install chromium",
    ) else {
        return;
    };
    let profile = sb.path("chromium-profile");
    let dom = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", path.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<svg"),
        "the browser parsed the inline SVG: {dom:.300}"
    );
    assert_eq!(
        dom.matches("stroke=\"#0000FF\" stroke-width=\"2\"").count(),
        11
    );
    assert!(dom.contains("<td>p95</td>"));
}

fn commit(dir: &Path, msg: &str) -> String {
    std::fs::write(dir.join("file.txt"), msg).unwrap();
    git(dir, &["add", "file.txt"]);
    git(dir, &["commit", "-q", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

#[test]
fn baseline_ref_picks_the_merge_base_snapshot() {
    let sb = Sandbox::new();
    let dir = sb.dir();
    git(&dir, &["init", "-q"]);
    let c1 = commit(&dir, "one");
    sb.append_at("main", fixture("k6/baseline-summary.json"), 1_700_000_000);
    let c2 = commit(&dir, "two");
    sb.append_at("main", fixture("k6/current-summary.json"), 1_700_100_000);
    // A feature branch forked at c1, one commit ahead.
    git(&dir, &["checkout", "-q", "-b", "feature", &c1]);
    commit(&dir, "feature work");
    let v = run_json(
        sb.cmd()
            .args(["analyze", "-o", "json", "--baseline-ref", "main"])
            .arg(fixture("k6/current-summary.json")),
        1,
    );
    assert_eq!(
        v["baseline"]["commit"],
        c1.as_str(),
        "the merge-base snapshot, not the latest ({c2})"
    );
    assert_eq!(v["baseline"]["name"], "main");
    assert!(
        v["baseline"]["reason"]
            .as_str()
            .unwrap()
            .contains("merge-base"),
        "{}",
        v["baseline"]
    );

    // Two commits on main without a snapshot: a branch from the newest picks c2, 2 commits back.
    git(&dir, &["checkout", "-q", "main"]);
    commit(&dir, "three");
    let c4 = commit(&dir, "four");
    git(&dir, &["checkout", "-q", "-b", "feature2", &c4]);
    commit(&dir, "more work");
    let v = run_json(
        sb.cmd()
            .args(["analyze", "-o", "json", "--baseline-ref", "main"])
            .arg(fixture("k6/current-summary.json")),
        0,
    );
    assert_eq!(v["baseline"]["commit"], c2.as_str());
    assert!(
        v["baseline"]["reason"]
            .as_str()
            .unwrap()
            .contains("2 commits earlier"),
        "{}",
        v["baseline"]
    );
    // Outside any git checkout: the latest snapshot, and the verdict says why.
    sb.cmd()
        .args(["analyze", "-o", "json", "--baseline-ref", "no-such-branch"])
        .arg(fixture("k6/current-summary.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("using the latest snapshot"));
}

#[test]
fn a_different_runner_is_flagged() {
    let sb = Sandbox::new();
    sb.create_baseline(&["main"], &[fixture("k6/baseline-summary.json")]);
    let path = sb.path("baselines/main.json");
    let mut snap: Value = read_json(&path);
    snap["runner"] =
        serde_json::json!({"os": "macos", "arch": "aarch64", "cores": 10, "cpu": "Apple M2"});
    std::fs::write(&path, snap.to_string()).unwrap();
    sb.cmd()
        .arg("analyze")
        .arg(fixture("k6/baseline-summary.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "different runner (macos aarch64, 10 cores, Apple M2)",
        ));
}
