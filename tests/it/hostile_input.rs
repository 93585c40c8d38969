//! Hostile, careless and huge input (#17): units and snapshot fields cannot inject workflow commands or
//! escape sequences, no reader blocks on a FIFO or device (every case runs under a timeout), and
//! oversized files are refused with one line.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{one_line_error, read_json, Sandbox};
use serde_json::{json, Value};

/// Generous: a refused FIFO returns in milliseconds; a blocked reader never does.
const TIMEOUT: Duration = Duration::from_secs(20);

/// `perfgate ARGS` in the sandbox, under the timeout.
fn run(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    sb.cmd().args(args).timeout(TIMEOUT).output().unwrap()
}

fn gab(sb: &Sandbox, file: &str, entries: &[(&str, &str, f64)]) -> String {
    sb.write(file, &common::gab_json(entries))
        .display()
        .to_string()
}

/// No line a runner would read as a workflow command, no raw control character.
fn assert_no_commands(what: &str, text: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: workflow command {line:?}"
        );
        assert!(!line.contains("##["), "{what}: old-style command {line:?}");
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{what}: control character in {line:?}"
        );
    }
}

const HOSTILE_UNITS: &[&str] = &[
    "ms\n::error title=Security::pwned",
    "ms\n    ::warning::pwned",
    "x ##[stop-commands]tok",
    "\u{1b}]0;title\u{7}ms",
];

#[test]
fn units_and_old_style_commands_cannot_reach_the_runner() {
    let sb = Sandbox::new();
    let entries = |v: f64| -> Vec<(&str, &str, f64)> {
        let mut e: Vec<(&str, &str, f64)> = HOSTILE_UNITS
            .iter()
            .enumerate()
            .map(|(i, u)| (["a", "b", "c", "d"][i], *u, v))
            .collect();
        e.push(("##[error]name", "ms", v));
        e.push(("n", "##[add-mask]unit", v));
        e
    };
    let base = gab(&sb, "base.json", &entries(10.0));
    let cur = gab(&sb, "cur.json", &entries(20.0));
    let out = run(&sb, &["analyze", "--all", "--baseline", &base, &cur]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_commands("table", &text);
    assert!(text.contains("pwned"), "the unit is shown, escaped: {text}");
    assert_no_commands("stderr", &String::from_utf8_lossy(&out.stderr));

    // The same units through `perfgate history` and `baseline show`.
    for f in [&base, &cur] {
        sb.cmd()
            .args(["baseline", "create", "main", "--append", f])
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .timeout(TIMEOUT)
            .assert()
            .success();
    }
    for args in [
        &["history", "main"][..],
        &["baseline", "show", "main"][..],
        &["baseline", "list"][..],
    ] {
        let out = run(&sb, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_no_commands(
            &format!("{args:?}"),
            &String::from_utf8(out.stdout).unwrap(),
        );
    }
}

#[test]
fn snapshot_commit_and_date_cannot_inject_into_headers() {
    let sb = Sandbox::new();
    let f = gab(&sb, "r.json", &[("a", "ms", 10.0)]);
    sb.cmd()
        .args(["baseline", "create", "main", &f])
        .timeout(TIMEOUT)
        .assert()
        .success();
    let path = sb.path("baselines/main.json");
    let mut snap: Value = read_json(&path);
    snap["git"]["commit"] = json!("\u{1b}]0;x\u{7}\u{1b}[2Jé\n::error::c");
    snap["created_at"] = json!("2026-01-01T00:00:00Z");
    snap["git"]["branch"] = json!("##[stop-commands]t");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    for args in [
        &["analyze", "--all", "--baseline", "main", &f][..],
        &["baseline", "show", "main"][..],
        &["baseline", "list"][..],
        &["history", "main"][..],
    ] {
        let out = run(&sb, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_no_commands(
            &format!("{args:?}"),
            &String::from_utf8(out.stdout).unwrap(),
        );
    }
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Runs perfgate and asserts it ended (no hang) with exit 2 and a one-line message naming `file`.
fn assert_refused(sb: &Sandbox, args: &[&str], env: &[(&str, &str)], file: &str, problem: &str) {
    let mut cmd = sb.cmd();
    cmd.args(args).envs(env.iter().copied());
    one_line_error(&mut cmd, file, problem);
}

#[cfg(unix)]
#[test]
fn nothing_blocks_on_a_fifo_or_reads_a_device_forever() {
    let sb = Sandbox::new();
    let fifo = sb.path("fifo");
    mkfifo(&fifo);
    let fifo = fifo.display().to_string();
    let good = gab(&sb, "r.json", &[("a", "ms", 10.0)]);
    let verdict = sb.path("verdict.json").display().to_string();
    let out = run(&sb, &["analyze", "-o", "json", "--baseline", &good, &good]);
    std::fs::write(&verdict, out.stdout).unwrap();
    let not_regular = "not a regular file";
    for dev in [fifo.as_str(), "/dev/zero"] {
        assert_refused(&sb, &["analyze", dev], &[], dev, not_regular);
        assert_refused(
            &sb,
            &["analyze", "--baseline", &good, "--config", dev, &good],
            &[],
            dev,
            not_regular,
        );
        assert_refused(
            &sb,
            &["analyze", "--baseline", &good, &good],
            &[("PERFGATE_CONFIG", dev)],
            dev,
            not_regular,
        );
        assert_refused(&sb, &["config", "check", dev], &[], dev, not_regular);
        assert_refused(&sb, &["comment", "--from", dev], &[], dev, not_regular);
        assert_refused(
            &sb,
            &["comment", "--from", &verdict, "--pr-file", dev],
            &[("GITHUB_REPOSITORY", "o/r"), ("GITHUB_TOKEN", "t")],
            dev,
            not_regular,
        );
        assert_refused(
            &sb,
            &["push", "--pushgateway", "http://127.0.0.1:9", "--from", dev],
            &[],
            dev,
            not_regular,
        );
    }
}

/// A Criterion directory `crit/bench/new/` with the real estimates of `fixtures/criterion`.
fn criterion_dir(sb: &Sandbox) -> PathBuf {
    let est = common::fixture("criterion/baseline/sort_u32/new/estimates.json");
    let new = sb.path("crit/bench/new");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::copy(est, new.join("estimates.json")).unwrap();
    sb.path("crit")
}

#[cfg(unix)]
#[test]
fn criterion_directory_with_a_fifo_a_device_or_a_huge_sample() {
    let sb = Sandbox::new();
    let dir = criterion_dir(&sb);
    let new = dir.join("bench/new");
    let d = dir.display().to_string();

    // A FIFO named estimates.json.
    let est = new.join("estimates.json");
    let saved = std::fs::read(&est).unwrap();
    std::fs::remove_file(&est).unwrap();
    mkfifo(&est);
    assert_refused(
        &sb,
        &["analyze", &d],
        &[],
        "estimates.json",
        "not a regular file",
    );
    std::fs::remove_file(&est).unwrap();
    std::fs::write(&est, &saved).unwrap();

    // sample.json linked to /dev/zero.
    let sample = new.join("sample.json");
    std::os::unix::fs::symlink("/dev/zero", &sample).unwrap();
    assert_refused(
        &sb,
        &["analyze", &d],
        &[],
        "sample.json",
        "not a regular file",
    );
    std::fs::remove_file(&sample).unwrap();

    // A sparse 1 GiB sample.json: refused by its size, not read.
    let f = std::fs::File::create(&sample).unwrap();
    f.set_len(1 << 30).unwrap();
    assert_refused(&sb, &["analyze", &d], &[], "sample.json", "64 MiB limit");

    // A corrupt sample.json is an error, not a benchmark with one value.
    std::fs::write(&sample, "{\"iters\": [1, 2").unwrap();
    assert_refused(&sb, &["analyze", &d], &[], "sample.json", "invalid JSON");
}

#[test]
fn oversized_files_are_refused_by_size() {
    let sb = Sandbox::new();
    let good = gab(&sb, "r.json", &[("a", "ms", 10.0)]);
    // Sparse: costs no disk. 1 GiB of NUL bytes used to be accepted as an empty go-bench run.
    let big = sb.path("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let b = big.display().to_string();
    assert_refused(
        &sb,
        &["analyze", "--format", "go-bench", "--baseline", &good, &b],
        &[],
        "big.txt",
        "larger than the 256 MiB limit for a result file",
    );
    let cfg = sb.path("big.toml");
    std::fs::File::create(&cfg)
        .unwrap()
        .set_len(2 << 20)
        .unwrap();
    let c = cfg.display().to_string();
    assert_refused(
        &sb,
        &["config", "check", &c],
        &[],
        "big.toml",
        "1 MiB limit",
    );
}

/// k6 NDJSON in which each of `n` requests has its own URL as `name` (the dynamic-URL mistake).
fn ndjson_dynamic_urls(n: usize) -> String {
    let mut s = String::from(
        "{\"type\":\"Metric\",\"data\":{\"name\":\"http_req_duration\",\"type\":\"trend\",\"contains\":\"time\"},\"metric\":\"http_req_duration\"}\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "{{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{{\"time\":\"2025-11-25T12:00:{:02}.000000Z\",\"value\":{},\"tags\":{{\"method\":\"GET\",\"status\":\"200\",\"name\":\"http://127.0.0.1/users/{i}\"}}}}}}\n",
            i % 60,
            10 + i % 7
        ));
    }
    s
}

#[test]
fn distinct_k6_tag_values_are_capped_with_a_warning_naming_the_tag() {
    let sb = Sandbox::new();
    let f = sb.write("run.ndjson", &ndjson_dynamic_urls(1100));
    let f = f.display().to_string();
    let out = run(&sb, &["analyze", "-o", "json", "--baseline", &f, &f]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    // Default cap 1000 `tag:value` groups: method and status take two, so 998 of the 1100 URLs are kept.
    assert!(
        err.contains("more than 1000 distinct tag values; 102 more values of tag `name` (e.g. `http://127.0.0.1/users/998`)"),
        "{err}"
    );
    assert!(err.contains("max_series in perfgate.toml"), "{err}");
    let v = common::json(&out.stdout);
    // The metric itself still counts every point.
    assert_eq!(
        common::row(&v, "http_req_duration", "count")["current"],
        1100.0
    );
    let benches: std::collections::BTreeSet<&str> = common::benchmarks(&v).into_iter().collect();
    assert_eq!(benches.iter().filter(|b| b.contains("{name:")).count(), 998);
    // The policy raises (or lowers) the cap.
    sb.write("perfgate.toml", "max_series = 5\n");
    let out = run(&sb, &["analyze", "-o", "json", "--baseline", &f, &f]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    // Past 256 dropped values the count is a fixed-size estimate (HyperLogLog, ±1.6 %): 1097 exactly.
    let about: u64 = err
        .split("more than 5 distinct tag values; about ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(about.abs_diff(1097) <= 55, "{err}");
    assert!(err.contains("more values of tag `name`"), "{err}");
}
