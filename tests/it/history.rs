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
    for s in json["series"].as_array().unwrap() {
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
fn svg_is_the_pages_figures_with_the_stepped_benchmark_first() {
    let sb = Sandbox::new();
    stepped_history(&sb);
    let text = run_stdout(sb.cmd().args(["history", "main", "-o", "svg"]), 0);
    let doc = roxmltree::Document::parse(&text).expect("valid SVG/XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    // One title per benchmark, as on the page: the one that stepped first.
    let first_bench = texts
        .iter()
        .find(|t| t.starts_with("http_req_duration") || t.starts_with("iteration"))
        .unwrap();
    assert_eq!(*first_bench, "http_req_duration{name:search}", "{texts:?}");
    assert!(
        texts.contains(&"p95 (ms)"),
        "panels name the unit: {texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.ends_with(" ms")),
        "tick labels carry units"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("medium 10")),
        "band thresholds: {texts:?}"
    );
    // Change marks are red vertical lines; every data line has a point per snapshot.
    let marks = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#FF0000"))
        .count();
    assert!(marks >= 1, "a change-point mark");
    let lines: Vec<_> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("polyline")
                && n.attribute("stroke-width") == Some("2")
                && n.attribute("points").unwrap().split_whitespace().count() == 30
        })
        .collect();
    assert!(!lines.is_empty(), "data lines of 30 snapshots");
    // The old per-metric chart is gone: no blue one-line-per-metric panels.
    assert!(!text.contains("#0000FF"));
}

/// Headless Chromium on a local file: `extra` is `--dump-dom` or `--screenshot=PATH`.
fn chromium(sb: &Sandbox, page: &Path, extra: &str) -> Option<String> {
    let browser = common::tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "apt-get install chromium",
    )?;
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1000,1300",
        ])
        .arg(format!(
            "--user-data-dir={}",
            sb.path("chromium-profile").display()
        ))
        .arg(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

/// Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium writes).
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    use std::io::Read;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let (mut pos, mut idat) = (8, Vec::new());
    let (mut w, mut h, mut channels) = (0, 0, 0);
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = &bytes[pos + 8..pos + 8 + len];
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                h = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!(data[8], 8, "8-bit");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    t => panic!("colour type {t}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = w * channels;
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(w * h);
    for row in raw.chunks(stride + 1).take(h) {
        let (filter, line) = (row[0], &row[1..]);
        let mut cur = vec![0u8; stride];
        for i in 0..stride {
            let a = if i >= channels { cur[i - channels] } else { 0 };
            let (b, c) = (prev[i], if i >= channels { prev[i - channels] } else { 0 });
            let pred = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((a as u16 + b as u16) / 2) as u8,
                _ => {
                    let p = a as i16 + b as i16 - c as i16;
                    let (pa, pb, pc) = (
                        (p - a as i16).abs(),
                        (p - b as i16).abs(),
                        (p - c as i16).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
            };
            cur[i] = line[i].wrapping_add(pred);
        }
        pixels.extend(cur.chunks(channels).map(|p| [p[0], p[1], p[2]]));
        prev = cur;
    }
    (w, h, pixels)
}

#[test]
fn history_page_shows_the_step_at_its_commit_with_bands_in_a_browser() {
    let sb = Sandbox::new();
    let commits = stepped_history(&sb);
    let html = run_stdout(
        sb.cmd().args([
            "history",
            "main",
            "-o",
            "html",
            "--repo-url",
            "https://github.example/o/r",
        ]),
        0,
    );
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(
        !html.contains("src=") && !html.contains("url(") && !html.contains("<link"),
        "nothing loaded from the network"
    );
    let link = format!(
        "href=\"https://github.example/o/r/commit/{}\"",
        commits[STEP_AT]
    );
    // The change table comes first and links the commit; only links to commits leave the page.
    let table = html.find("<table id=\"changes\">").expect("a change table");
    assert!(html[table..].find(&link).unwrap() < html.find("<figure>").unwrap() - table);
    assert_eq!(html.matches("href=").count(), html.matches(&link).count());
    // One figure per benchmark with moving gated metrics; flat rates are a line of text.
    // The benchmark that stepped leads the page.
    let first_h2 = html.find("<h2>").unwrap();
    assert!(html[first_h2..].starts_with("<h2>http_req_duration{name:search}</h2>"));
    assert!(
        html.contains("Never moved: rate 100 %"),
        "checks fold into text"
    );
    let path = sb.write("history.html", &html);
    let Some(dom) = chromium(&sb, &path, "--dump-dom") else {
        return;
    };
    assert!(
        dom.contains("<svg"),
        "the browser parsed the inline SVG: {dom:.300}"
    );
    assert_eq!(
        dom.matches("<figure>").count(),
        html.matches("<figure>").count()
    );
    assert!(dom.contains("class=\"critical\""), "{dom:.300}");

    let shot = sb.path("history.png");
    chromium(&sb, &path, &format!("--screenshot={}", shot.display()));
    let (w, h, px) = decode_png(&std::fs::read(&shot).expect("a screenshot"));
    assert_eq!((w, h), (1000, 1300));
    // The change point's mark: a red vertical line in the first figure (the search endpoint's).
    let red_column =
        (0..w).find(|&x| (0..h).filter(|&y| px[y * w + x] == [255, 0, 0]).count() > 120);
    let x = red_column.expect("a red change-point mark in the screenshot");
    // The step is at snapshot 20 of 30: the mark sits two thirds of the way along the plot.
    assert!((500..760).contains(&x), "mark at x = {x}");
    // Noise bands: light tints of the series' colour on both sides of the mark.
    let band = |p: &[u8; 3]| p[2] > 230 && p[0] < 235 && p[0] > 200 && p[1] > 220;
    let left = (0..h).any(|y| (150..x - 20).any(|x| band(&px[y * w + x])));
    let right = (0..h).any(|y| (x + 20..w - 150).any(|x| band(&px[y * w + x])));
    assert!(left && right, "a noise band each side of the step");
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

/// A k6 summary with ±2 % deterministic noise per snapshot `i` on every trend, and the `search`
/// endpoint `search` times slower.
fn k6_noisy(i: usize, search: f64) -> String {
    let mut doc = read_json(fixture("k6/baseline-summary.json"));
    let noise = 1.0 + 0.02 * ((i as f64) * 2.39).sin();
    for (name, m) in doc["metrics"].as_object_mut().unwrap() {
        if m["type"] != "trend" {
            continue;
        }
        let f = noise
            * if name == "http_req_duration{name:search}" {
                search
            } else {
                1.0
            };
        for (k, v) in m["values"].as_object_mut().unwrap() {
            if k != "count" {
                *v = (v.as_f64().unwrap() * f).into();
            }
        }
    }
    doc.to_string()
}

/// One commit per snapshot, dated, so that the hashes are the same on every run.
fn commit_at(dir: &Path, i: usize, epoch: u64) -> String {
    std::fs::write(dir.join("file.txt"), format!("{i}")).unwrap();
    let date = format!("{epoch} +0000");
    for args in [
        &["add", "file.txt"][..],
        &["commit", "-q", "-m", &format!("change {i}")][..],
    ] {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }
    git(dir, &["rev-parse", "HEAD"])
}

const STEP_AT: usize = 20;
const EPOCH0: u64 = 1_765_000_000;

/// Appends snapshot `i` of the stepped history (the search endpoint 30 % slower from `STEP_AT` on) at
/// its own commit; returns the command's output.
fn append_stepped(
    sb: &Sandbox,
    i: usize,
    env: &[(&str, String)],
) -> (String, std::process::Output) {
    let epoch = EPOCH0 + i as u64 * 3600;
    let commit = commit_at(&sb.dir(), i, epoch);
    let f = sb.write(
        "run.json",
        &k6_noisy(i, if i >= STEP_AT { 1.3 } else { 1.0 }),
    );
    let mut cmd = sb.cmd();
    for k in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_REPOSITORY",
        "GITHUB_SERVER_URL",
        "GITHUB_RUN_ID",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .args(["baseline", "create", "main", "--append"])
        .arg(f)
        .output()
        .unwrap();
    (commit, out)
}

/// 30 snapshots of the stepped history; the commits, oldest first.
fn stepped_history(sb: &Sandbox) -> Vec<String> {
    git(&sb.dir(), &["init", "-q"]);
    (0..30)
        .map(|i| {
            let (c, out) = append_stepped(sb, i, &[]);
            assert!(out.status.success(), "{out:?}");
            c
        })
        .collect()
}

#[test]
fn changes_name_the_commit_that_slowed_one_endpoint() {
    let sb = Sandbox::new();
    let commits = stepped_history(&sb);
    let text = run_stdout(sb.cmd().args(["history", "main", "--changes"]), 0);
    let short = &commits[STEP_AT][..7];
    assert!(
        text.starts_with(
            "4 change points beyond the low band in gated metrics in `main` at 1 snapshot"
        ),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().skip(3).collect();
    assert!(
        rows[0].contains(short) && rows[0].contains("2025-12-07"),
        "{text}"
    );
    for r in &rows {
        assert!(
            r.contains("http_req_duration{name:search}"),
            "only search moved: {r}"
        );
        assert!(r.contains(" (+") && r.contains("critical"), "{r}");
    }
    assert!(text.contains("p95 ") && text.contains("±"), "{text}");
    // The values table ends with a pointer to --changes.
    let table = run_stdout(sb.cmd().args(["history", "main", "--metric", "p95"]), 0);
    assert!(
        table.trim_end().ends_with("`--changes` lists them"),
        "{table}"
    );
    assert!(table.contains(&format!("newest at {short}")), "{table}");
    // --all lists smaller steps too (here none: the noise has none).
    let all = run_stdout(sb.cmd().args(["history", "main", "--changes", "--all"]), 0);
    assert!(all.lines().count() >= text.lines().count(), "{all}");
}

#[test]
fn history_json_lists_change_points_in_its_documented_shape() {
    let sb = Sandbox::new();
    stepped_history(&sb);
    let json = run_stdout(
        sb.cmd().args([
            "history",
            "main",
            "--benchmark",
            "http_req_duration{name:search}",
            "--metric",
            "p95",
            "-o",
            "json",
        ]),
        0,
    );
    insta::assert_snapshot!("history-changes.json", json);
    let v: Value = serde_json::from_str(&json).unwrap();
    let cp = &v["series"][0]["change_points"][0];
    assert_eq!(cp["index"], STEP_AT);
    assert_eq!(v["changes"][0]["snapshot"], STEP_AT);
    assert_eq!(v["changes"][0]["metrics"][0]["severity"], "critical");
}

#[test]
fn prune_keeps_the_snapshots_either_side_of_a_step() {
    let sb = Sandbox::new();
    let commits = stepped_history(&sb);
    sb.cmd()
        .args(["baseline", "prune", "main", "--keep", "5"])
        .assert()
        .code(0)
        .stdout("pruned 23 history snapshots of `main`\n");
    let list = run_stdout(sb.cmd().args(["baseline", "list", "--history", "main"]), 0);
    for c in &commits[STEP_AT - 1..=STEP_AT] {
        assert!(list.contains(&c[..7]), "boundary {c} kept: {list}");
    }
    assert!(!list.contains(&commits[STEP_AT + 1][..7]), "{list}");
}

#[test]
fn appending_on_main_names_the_commit_that_started_a_step() {
    let sb = Sandbox::new();
    git(&sb.dir(), &["init", "-q"]);
    let summary = sb.path("summary.md");
    let env = [
        ("GITHUB_ACTIONS", "true".to_string()),
        ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
        ("GITHUB_SERVER_URL", "https://github.example".to_string()),
        ("GITHUB_REPOSITORY", "o/r".to_string()),
    ];
    let mut notices = Vec::new();
    let mut commits = Vec::new();
    for i in 0..28 {
        let (c, out) = append_stepped(&sb, i, &env);
        assert!(out.status.success(), "{out:?}");
        commits.push(c);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        if stdout.contains("::warning") {
            notices.push((i, stdout, String::from_utf8_lossy(&out.stderr).to_string()));
        }
    }
    assert_eq!(notices.len(), 1, "one notice for one step: {notices:?}");
    let (at, stdout, stderr) = &notices[0];
    let short = &commits[STEP_AT][..7];
    assert!(
        (STEP_AT + 2..=STEP_AT + 3).contains(at),
        "found once 3 snapshots show it: at {at}"
    );
    let annotation: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotation.len(), 1, "{stdout}");
    assert!(
        annotation[0].starts_with(&format!(
            "::warning title=perfgate%3A main stepped at {short}::"
        )),
        "{stdout}"
    );
    assert!(
        annotation[0].contains("http_req_duration{name:search} p95"),
        "{stdout}"
    );
    assert!(
        annotation[0].contains(&format!(
            "https://github.example/o/r/commit/{}",
            commits[STEP_AT]
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!("change point in `main` at {short}")),
        "{stderr}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains(&format!(
            "[`{short}`](https://github.example/o/r/commit/{})",
            commits[STEP_AT]
        )),
        "{md}"
    );
    assert!(
        md.contains("| `http_req_duration{name:search}` | `p95` |"),
        "{md}"
    );
    // As GitHub renders it: a heading with the commit's link, then one table row per metric.
    let html = super::report::gfm(&md);
    assert!(
        html.contains(&format!(
            "<a href=\"https://github.example/o/r/commit/{}\"><code>{short}</code></a>",
            commits[STEP_AT]
        )),
        "{html}"
    );
    assert!(html.contains("<th>Noise before / after</th>"), "{html}");
    assert!(
        html.contains("<td><code>http_req_duration{name:search}</code></td>"),
        "{html}"
    );

    // With fail_on_critical_step, the same step fails the build, and the snapshot is recorded.
    let sb = Sandbox::new();
    git(&sb.dir(), &["init", "-q"]);
    sb.write("perfgate.toml", "fail_on_critical_step = true\n");
    let mut codes = Vec::new();
    for i in 0..=*at {
        codes.push(append_stepped(&sb, i, &[]).1.status.code());
    }
    assert_eq!(codes.last(), Some(&Some(1)), "{codes:?}");
    assert!(
        codes[..codes.len() - 1].iter().all(|c| *c == Some(0)),
        "{codes:?}"
    );
    let list = run_stdout(sb.cmd().args(["baseline", "list", "--history", "main"]), 0);
    assert_eq!(
        list.lines().filter(|l| l.contains("2025-12")).count(),
        at + 1,
        "{list}"
    );
}
