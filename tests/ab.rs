//! `perfgate ab`: a real git repository made by each test, a real benchmark tool (hyperfine, installed by
//! `.ci/run`), base and head measured in turn; errors, interrupts and cleanup.
//!
//! A binary of its own, not a module of `tests/it`: cargo runs test binaries one after another, so the runs
//! these tests time never share the machine with the other tests (`alone` orders them among themselves).
//! Tests of `tests/it` that do not use a sandbox would not wait for the lock.

#[path = "it/common/mod.rs"]
#[allow(unused_imports)] // Helpers for the other tests of tests/it.
mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{failing_rows, fixture, git, json, perfgate, read_json, Sandbox};
use serde_json::Value;

/// The wall-clock benchmark (for hyperfine): a shell loop of `n` iterations, tens of milliseconds.
fn bench_sh(n: u32) -> String {
    format!("#!/bin/sh\nN={n}\ni=0; while [ $i -lt $N ]; do i=$((i+1)); done\n")
}

/// A benchmark that writes pytest-benchmark's JSON, as `pytest --benchmark-timer TIMER --benchmark-json`
/// does: `body` timed with `timer` for 10 rounds.
fn pytest_style(n: u32, body: &str, timer: &str) -> String {
    format!(
        r#"import json, statistics, time

N = {n}
ROUNDS = 10

def work(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

{body}
data = []
for _ in range(ROUNDS):
    t = time.{timer}()
    {body}
    data.append(time.{timer}() - t)
q = statistics.quantiles(data, n=4)
mean = statistics.mean(data)
stats = {{"min": min(data), "max": max(data), "mean": mean, "stddev": statistics.stdev(data),
          "rounds": ROUNDS, "median": statistics.median(data), "iqr": q[2] - q[0], "q1": q[0],
          "q3": q[2], "ops": 1 / mean, "total": sum(data), "data": data, "iterations": 1}}
bench = {{"group": None, "name": "test_work", "fullname": "bench.py::test_work", "params": None,
          "param": None, "extra_info": {{}}, "options": {{"timer": "time.{timer}"}}, "stats": stats}}
with open("bench.json", "w") as f:
    json.dump({{"machine_info": {{}}, "commit_info": {{}}, "benchmarks": [bench],
               "datetime": "", "version": "5.1.0"}}, f)
"#
    )
}

/// CPU-bound: a Python loop of `n` iterations, timed in CPU time (`time.process_time`), which moves less
/// than wall time when neighbours load the machine.
fn bench_py(n: u32) -> String {
    pytest_style(n, "work(N)", "process_time")
}

/// Waiting-bound, like a call to a slow service: sleeps `n` µs per round, timed in wall time. Its time
/// hardly depends on the load of a shared CI machine, so a detection test on it does not either.
fn wait_py(n: u32) -> String {
    pytest_style(n, "time.sleep(N / 1e6)", "perf_counter")
}

/// A repository whose first commit (returned) has `bench.sh` with `base_n` iterations, and whose HEAD has
/// `head_n` (or, when equal, an unrelated change).
fn repo(sb: &Sandbox, base_n: u32, head_n: u32) -> (PathBuf, String) {
    let dir = sb.path("repo");
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["config", "user.email", "test@example.com"]);
    git(&dir, &["config", "user.name", "test"]);
    git(&dir, &["config", "commit.gpgsign", "false"]);
    let script = dir.join("bench.sh");
    std::fs::write(&script, bench_sh(base_n)).unwrap();
    std::fs::write(dir.join("bench.py"), bench_py(base_n)).unwrap();
    std::fs::write(dir.join("wait.py"), wait_py(base_n)).unwrap();
    std::fs::write(dir.join(".gitignore"), "bench.json\n").unwrap();
    std::fs::write(dir.join("README"), "a benchmark\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    let base = git(&dir, &["rev-parse", "HEAD"]);
    if head_n == base_n {
        std::fs::write(dir.join("README"), "a benchmark, unchanged\n").unwrap();
    } else {
        std::fs::write(&script, bench_sh(head_n)).unwrap();
        std::fs::write(dir.join("bench.py"), bench_py(head_n)).unwrap();
        std::fs::write(dir.join("wait.py"), wait_py(head_n)).unwrap();
    }
    git(&dir, &["commit", "-q", "-a", "-m", "head"]);
    (dir, base)
}

/// Whether a tool the test drives is installed (a failure under `PERFGATE_REQUIRE_TOOLS=1`).
fn have(tool: &str) -> bool {
    let package = if tool == "taskset" {
        "util-linux"
    } else {
        tool
    };
    common::tool(&[tool], &format!("apt-get install {package}")).is_some()
}

/// `hyperfine` with `runs` timings per perfgate run, writing `bench.json`.
fn hyperfine(runs: u32) -> Vec<String> {
    [
        "hyperfine",
        "-N",
        "--warmup",
        "1",
        "--runs",
        &runs.to_string(),
        "--export-json",
        "bench.json",
        "./bench.sh",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Python, preferring the system's (a version-manager shim adds a second of start-up to every run).
fn python(script: &str) -> Vec<String> {
    let system = Path::new("/usr/bin/python3");
    let exe = if system.is_file() {
        system.display().to_string()
    } else {
        "python3".to_string()
    };
    vec![exe, script.to_string()]
}

fn ab(dir: &Path, base: &str, runs_per_side: u32, extra: &[&str], cmd: &[String]) -> Command {
    let mut c = perfgate();
    c.current_dir(dir)
        .args(["ab", "--base", base, "--runs"])
        .arg(runs_per_side.to_string())
        .args(["--results", "bench.json", "-o", "json"])
        .args(extra)
        .arg("--")
        .args(cmd);
    c
}

fn output(mut c: Command) -> (i32, Value, String) {
    let out = c.output().expect("perfgate runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = out.status.code().unwrap_or(-1);
    let v = if out.stdout.is_empty() {
        Value::Null
    } else {
        json(&out.stdout)
    };
    (code, v, stderr)
}

fn worktrees(dir: &Path) -> usize {
    git(dir, &["worktree", "list"]).lines().count()
}

fn branches(dir: &Path) -> String {
    git(dir, &["branch", "--list", "--all"])
}

/// `metric base → head (change, p, severity, evidence)` of the mean and median rows and of every row that
/// moved, so that a failure in CI says which row failed and on what evidence.
fn describe(v: &Value) -> String {
    let rows = v["comparisons"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .filter(|c| c["metric"] == "mean" || c["metric"] == "median" || c["severity"] != "unchanged")
        .map(|c| {
            let e = &c["evidence"];
            format!(
                "{} {:.3} → {:.3} {} ({:+.1} %, p {}, {}; {} {}v{}, noise {} sd {} %, outliers {}, gated {})",
                c["metric"].as_str().unwrap_or(""),
                c["baseline"].as_f64().unwrap_or(f64::NAN),
                c["current"].as_f64().unwrap_or(f64::NAN),
                c["unit"].as_str().unwrap_or(""),
                c["change_pct"].as_f64().unwrap_or(f64::NAN),
                e["p_value"],
                c["severity"].as_str().unwrap_or(""),
                e["method"],
                e["n_baseline"],
                e["n_current"],
                e["noise"],
                e["noise_sd_pct"],
                e["outliers_dropped"],
                c["gated"]
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn a_25_percent_slower_head_fails_and_is_named() {
    if !have("python3") {
        return;
    }
    let _alone = common::alone();
    let sb = Sandbox::new();
    // 4 ms → 5 ms per round.
    let (dir, base) = repo(&sb, 4_000, 5_000);
    let (code, v, stderr) = output(ab(&dir, &base, 8, &[], &python("wait.py")));
    eprintln!("{}", describe(&v));
    assert_eq!(code, 1, "{stderr}\n{v:#}");
    let failing = failing_rows(&v);
    assert!(
        failing
            .iter()
            .any(|c| c["benchmark"] == "bench.py::test_work"
                && c["evidence"]["method"] == "runs"
                && c["evidence"]["n_baseline"] == 8),
        "{v:#}"
    );
    // The runs are recorded in order: base, head, head, base, …
    let sides: String = v["ab"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| if r["side"] == "base" { 'B' } else { 'H' })
        .collect();
    assert_eq!(sides, "BHHBBHHBBHHBBHHB");
    assert!(v["ab"]["runs"][0]["wall_s"].as_f64().unwrap() > 0.0);
    assert_eq!(v["ab"]["base_commit"], base.as_str());
    assert_eq!(worktrees(&dir), 1);
}

#[test]
fn an_unchanged_head_passes_ten_times_in_a_row() {
    if !have("python3") {
        return;
    }
    let _alone = common::alone();
    let sb = Sandbox::new();
    let (dir, base) = repo(&sb, 16_000, 16_000);
    for i in 1..=10 {
        let (code, v, stderr) = output(ab(&dir, &base, 6, &[], &python("bench.py")));
        let rows = describe(&v);
        eprintln!("repetition {i}: {rows}");
        assert_eq!(code, 0, "repetition {i}: {rows}\n{stderr}\n{v:#}");
        assert_eq!(v["status"], "pass", "repetition {i}: {rows}\n{v:#}");
    }
    assert_eq!(worktrees(&dir), 1);
}

/// Busy loops pinned to CPU 0, bounded by `timeout`, stopped by PID when dropped.
struct Hogs(Vec<std::process::Child>);

impl Hogs {
    fn start(n: usize) -> Hogs {
        Hogs(
            (0..n)
                .map(|_| {
                    Command::new("timeout")
                        .args([
                            "60",
                            "taskset",
                            "-c",
                            "0",
                            "sh",
                            "-c",
                            "while :; do :; done",
                        ])
                        .spawn()
                        .expect("timeout and taskset run")
                })
                .collect(),
        )
    }
}

impl Drop for Hogs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            // SIGTERM: timeout passes it on to the loop (SIGKILL would orphan the loop).
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }
}

/// Runs an unchanged head with 6 runs per side pinned to CPU 0, and starts a CPU hog on CPU 0 after the
/// 6th of 12 runs.
fn drift(order: &str) -> (i32, Value) {
    let sb = Sandbox::new();
    let (dir, base) = repo(&sb, 12_000, 12_000);
    let mut cmd = vec!["taskset".to_string(), "-c".into(), "0".into()];
    cmd.extend(hyperfine(3));
    let mut c = ab(&dir, &base, 6, &["--order", order], &cmd);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut hogs = None;
    let mut log = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if line.contains("run 6/12") {
            hogs = Some(Hogs::start(3));
        }
        log.push_str(&line);
        log.push('\n');
    }
    let out = child.wait_with_output().unwrap();
    drop(hogs);
    let v = json(&out.stdout);
    let walls: Vec<String> = v["ab"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}{:.2}", &r["side"].as_str().unwrap()[..1], r["wall_s"]))
        .collect();
    eprintln!(
        "{order}: exit {:?}; {}\n  runs: {}\n{log}",
        out.status.code(),
        describe(&v),
        walls.join(" ")
    );
    assert_eq!(worktrees(&dir), 1);
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn drift_halfway_hits_both_sides_alike_when_interleaved() {
    if !have("hyperfine") || !have("taskset") {
        return;
    }
    let _alone = common::alone();
    let (code, v) = drift("interleaved");
    assert_eq!(code, 0, "{v:#}");
    // The same unchanged code measured all-base-then-all-head reads as a regression.
    let (code, v) = drift("sequential");
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["ab"]["order"], "sequential");
}

#[test]
fn sigint_mid_run_stops_the_run_and_leaves_no_worktree() {
    interrupt("INT", 130);
}

#[test]
fn sigterm_mid_run_stops_the_run_and_leaves_no_worktree() {
    interrupt("TERM", 143);
}

/// Sends SIG`signal` to perfgate while the first run sleeps, then checks the exit code and the cleanup.
fn interrupt(signal: &str, code: i32) {
    let sb = Sandbox::new();
    let (dir, base) = repo(&sb, 100, 100);
    let pid_file = sb.path("child.pid");
    let before = branches(&dir);
    let mut c = perfgate();
    c.current_dir(&dir)
        .args(["ab", "--base", &base, "--results", "bench.json", "--"])
        .args(["sh", "-c", "echo $$ > \"$PID_FILE\"; exec sleep 30"])
        .env("PID_FILE", &pid_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    let start = Instant::now();
    while !pid_file.is_file()
        || std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .is_empty()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let porcelain = git(&dir, &["worktree", "list", "--porcelain"]);
    let tree: Vec<&str> = porcelain
        .lines()
        .filter_map(|l| l.strip_prefix("worktree "))
        .collect();
    assert_eq!(tree.len(), 2, "{porcelain}");
    let base_tree = PathBuf::from(tree[1]);
    assert!(base_tree.is_dir());

    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "perfgate did not stop the 30 s run"
    );
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted by SIG{signal} during the base run 1")),
        "{stderr}"
    );
    assert_eq!(worktrees(&dir), 1, "{}", git(&dir, &["worktree", "list"]));
    assert!(!base_tree.exists(), "{} is left", base_tree.display());
    assert_eq!(branches(&dir), before);
    // The benchmark process was ended too.
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let alive = Command::new("kill")
        .args(["-0", pid.trim()])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(!alive, "the benchmark (pid {pid}) still runs");
}

/// A real hyperfine result file.
fn hyperfine_fixture() -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture("hyperfine"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files.into_iter().next().expect("a hyperfine fixture")
}

/// A command that copies a real hyperfine result into place (fast; no timing involved).
fn copy_result(extra: &str) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        format!("{extra} cp '{}' bench.json", hyperfine_fixture().display()),
    ]
}

#[test]
fn every_run_gets_its_side_and_number_in_its_own_tree() {
    let sb = Sandbox::new();
    let (dir, base) = repo(&sb, 100, 100);
    let log = sb.path("env.log");
    let cmd = copy_result(&format!(
        "echo \"$PERFGATE_AB_SIDE $PERFGATE_AB_RUN $(pwd)\" >> '{}';",
        log.display()
    ));
    let (code, v, stderr) = output(ab(
        &dir,
        &base,
        2,
        &["--build", "echo building $PERFGATE_AB_SIDE > built.txt"],
        &cmd,
    ));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let head_dir = std::fs::canonicalize(&dir).unwrap();
    let sides: Vec<String> = lines
        .iter()
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(sides, ["base 1", "head 1", "head 2", "base 2"]);
    for l in &lines {
        let cwd = PathBuf::from(l.splitn(3, ' ').nth(2).unwrap());
        if l.starts_with("head") {
            assert_eq!(std::fs::canonicalize(&cwd).unwrap(), head_dir, "{l}");
        } else {
            // The base ran in its own tree, removed since.
            assert!(!cwd.exists() && cwd != head_dir, "{l}");
        }
    }
    // The build ran in the head tree too (and the base tree is gone).
    assert_eq!(
        std::fs::read_to_string(dir.join("built.txt")).unwrap(),
        "building head\n"
    );
    assert_eq!(v["ab"]["runs_per_side"], 2);
    assert_eq!(v["ab"]["head_dirty"], false);
    assert_eq!(v["ab"]["runs"][1]["files"][0], "bench.json");
    assert_eq!(v["current"]["files"][0], "head run 1: bench.json");
    // One line per run when stderr is not a terminal.
    assert_eq!(
        stderr.lines().filter(|l| l.contains(" run ")).count(),
        4,
        "{stderr}"
    );
    assert_eq!(worktrees(&dir), 1);
}

/// Runs a failing `perfgate ab` and returns its stderr after checking exit 2 and cleanup.
fn fails(dir: &Path, args: &[&str], cmd: &[String]) -> String {
    let before = branches(dir);
    let mut c = perfgate();
    c.current_dir(dir).arg("ab").args(args);
    if !args.contains(&"--results") {
        c.args(["--results", "bench.json"]);
    }
    c.arg("--").args(cmd);
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(worktrees(dir), 1, "{}", git(dir, &["worktree", "list"]));
    assert_eq!(branches(dir), before);
    stderr
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or_default()
}

#[test]
fn errors_name_the_side_and_run_and_leave_nothing_behind() {
    let sb = Sandbox::new();
    let (dir, base) = repo(&sb, 100, 100);

    let e = fails(&dir, &["--base", "no-such-branch"], &copy_result(""));
    assert_eq!(
        last_line(&e),
        "perfgate: --base \"no-such-branch\": not a commit in this repository (fetch it first, e.g. `git fetch origin no-such-branch`, or check out with fetch-depth: 0)"
    );

    let e = fails(
        &dir,
        &[
            "--base",
            &base,
            "--build",
            "echo compiling; echo 'error: it broke' >&2; exit 4",
        ],
        &copy_result(""),
    );
    assert!(e.contains("  base build | error: it broke"), "{e}");
    assert_eq!(
        last_line(&e),
        "perfgate: base build: `echo compiling; echo 'error: it broke' >&2; exit 4` exited with status 4"
    );

    let e = fails(
        &dir,
        &["--base", &base],
        &copy_result("[ \"$PERFGATE_AB_SIDE\" = head ] && { echo 'panic!'; exit 3; };"),
    );
    assert!(e.contains("  head run 1 | panic!"), "{e}");
    assert!(
        last_line(&e).starts_with("perfgate: head run 1: `sh -c ")
            && last_line(&e).ends_with("` exited with status 3"),
        "{e}"
    );

    let e = fails(&dir, &["--base", &base], &["true".to_string()]);
    assert_eq!(
        last_line(&e),
        "perfgate: base run 1: `true` wrote no file matching `bench.json` in the base tree"
    );

    let e = fails(
        &dir,
        &["--base", &base],
        &[
            "sh".into(),
            "-c".into(),
            "echo '{broken' > bench.json".into(),
        ],
    );
    assert!(
        last_line(&e).starts_with("perfgate: base run 1: bench.json:1:2: invalid JSON"),
        "{e}"
    );

    let e = fails(&dir, &["--base", &base], &["./no-such-program".to_string()]);
    assert!(
        last_line(&e).starts_with("perfgate: base run 1: cannot start `./no-such-program`: "),
        "{e}"
    );

    // Run from a directory the base revision does not have.
    let sub = dir.join("new-dir");
    std::fs::create_dir_all(&sub).unwrap();
    let e = fails(&sub, &["--base", &base], &copy_result(""));
    assert_eq!(
        last_line(&e),
        "perfgate: the base revision has no directory `new-dir/` to run in; run perfgate ab from a directory both revisions have"
    );

    let e = fails(
        &dir,
        &["--base", &base, "--results", "../x.json"],
        &copy_result(""),
    );
    assert!(
        last_line(&e).starts_with("perfgate: --results \"../x.json\": "),
        "{e}"
    );
}

#[test]
fn outside_a_repository_is_a_usage_error() {
    let sb = Sandbox::new();
    let out = perfgate()
        .current_dir(sb.dir())
        .args(["ab", "--base", "main", "--results", "x.json", "--", "true"])
        .env("GIT_CEILING_DIRECTORIES", sb.dir())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("perfgate: perfgate ab runs inside a git repository"),
        "{stderr}"
    );
}

#[test]
fn the_action_mode_runs_ab_against_the_given_base() {
    let sb = Sandbox::new();
    let (dir, base) = repo(&sb, 100, 100);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_perfgate"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let gh_out = sb.path("github_output");
    let verdict = sb.path("verdict.json");
    let action = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
    let out = perfgate_free_env(Command::new("bash").arg(&action))
        .current_dir(&dir)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &gh_out)
        .env("PG_MODE", "ab")
        .env("PG_AB_BASE", &base)
        .env("PG_AB_RUNS", "2")
        .env("PG_AB_RESULTS", "bench.json")
        .env(
            "PG_AB_COMMAND",
            format!("cp '{}' bench.json", hyperfine_fixture().display()),
        )
        .env("PG_COMMENT", "false")
        .env("PG_VERDICT_FILE", &verdict)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&gh_out).unwrap(), "exit-code=0\n");
    let v: Value = read_json(&verdict);
    assert_eq!(v["ab"]["base_commit"], base.as_str());
    assert_eq!(v["status"], "pass");
}

fn perfgate_free_env(c: &mut Command) -> &mut Command {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("GITHUB_") || k.starts_with("PERFGATE_") || k == "CI" {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn a_directory_of_results_is_copied_whole() {
    // Criterion's layout: `--results target/criterion`, rewritten by every run.
    let sb = Sandbox::new();
    let (dir, base) = repo(&sb, 100, 100);
    let criterion = fixture("criterion/baseline");
    let cmd = [
        "sh".to_string(),
        "-c".into(),
        format!(
            "mkdir -p target && rm -rf target/criterion && cp -r '{}' target/criterion",
            criterion.display()
        ),
    ];
    let mut c = perfgate();
    c.current_dir(&dir)
        .args(["ab", "--base", &base, "--runs", "2"])
        .args(["--results", "target/criterion", "-o", "json", "--"])
        .args(cmd);
    let (code, v, stderr) = output(c);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v["ab"]["runs"][0]["files"][0], "target/criterion");
    assert_eq!(v["current"]["benchmarks"], 3, "{v:#}");
    assert_eq!(v["status"], "pass", "{v:#}");
    assert_eq!(worktrees(&dir), 1);
}
