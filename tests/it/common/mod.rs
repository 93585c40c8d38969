//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::{Rc, Weak};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value;

/// A `perfgate` command with a clean environment: no GitHub or perfgate variables, no NO_COLOR.
pub fn perfgate() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_perfgate"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("GITHUB_") || k.starts_with("PERFGATE_") || k == "NO_COLOR" || k == "CI" {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// The tests are one binary whose tests run side by side. Those that time real runs (`perfgate ab`)
/// must have the machine to themselves: they hold [`alone`] (a write lock); every sandbox holds a
/// read lock, shared by all sandboxes of its thread, so that a test never waits for itself.
static MACHINE: RwLock<()> = RwLock::new(());

thread_local! {
    static SHARED: RefCell<Weak<Shared>> = const { RefCell::new(Weak::new()) };
    static ALONE: Cell<bool> = const { Cell::new(false) };
}

pub struct Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>);

fn share_machine() -> Option<Rc<Shared>> {
    if ALONE.get() {
        return None;
    }
    SHARED.with(|w| {
        let mut w = w.borrow_mut();
        if let Some(rc) = w.upgrade() {
            return Some(rc);
        }
        let rc = Rc::new(Shared(
            MACHINE.read().unwrap_or_else(PoisonError::into_inner),
        ));
        *w = Rc::downgrade(&rc);
        Some(rc)
    })
}

/// Held by a timing-sensitive test: no other sandbox test runs until it is dropped. Take it before the
/// test's first sandbox.
pub struct Alone(#[allow(dead_code)] RwLockWriteGuard<'static, ()>);

pub fn alone() -> Alone {
    let guard = MACHINE.write().unwrap_or_else(PoisonError::into_inner);
    ALONE.set(true);
    Alone(guard)
}

impl Drop for Alone {
    fn drop(&mut self) {
        ALONE.set(false);
    }
}

/// A file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

mod corpus;
pub mod github;

pub use corpus::{file as corpus_file, files as corpus_files};

/// A file of `fixtures/corpus/` (copied there with its licence), which every checkout has.
pub fn corpus(rel: &str) -> PathBuf {
    corpus_file(rel).unwrap_or_else(|| panic!("{rel} is not in fixtures/corpus"))
}

/// An external program a test drives, looked up by each of `names` on `PATH` (then `/usr/bin`,
/// `/usr/sbin`). Missing, the test fails when `PERFGATE_REQUIRE_TOOLS=1` (`.ci/run` and the GitHub
/// workflow set it, and install the tools), and otherwise is skipped: `None`, after a notice on stderr.
pub fn tool(names: &[&str], install: &str) -> Option<PathBuf> {
    let required = std::env::var_os("PERFGATE_REQUIRE_TOOLS").is_some_and(|v| v == "1");
    find_tool(names, install, required)
}

/// [`tool`] with the requirement given.
pub fn find_tool(names: &[&str], install: &str, required: bool) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .collect();
    let found = names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| is_executable(p));
    if found.is_none() {
        let what = names.join(" or ");
        assert!(
            !required,
            "{what} is not installed and PERFGATE_REQUIRE_TOOLS=1 requires it; install it: {install}"
        );
        eprintln!(
            "\n*** SKIPPED: {what} is not installed; install it: {install} (.ci/run does) ***\n"
        );
    }
    found
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A temporary working directory; commands run inside it, so `baselines/` lands there.
pub struct Sandbox {
    dir: tempfile::TempDir,
    _machine: Option<Rc<Shared>>,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
            _machine: share_machine(),
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Runs `perfgate analyze -o json ARGS --baseline BASELINE CURRENT...` in the sandbox, checks the exit
    /// code and returns the verdict.
    pub fn verdict<P: AsRef<std::ffi::OsStr>>(
        &self,
        args: &[&str],
        baseline: P,
        current: &[P],
        code: i32,
    ) -> Value {
        run_json(
            self.cmd()
                .args(["analyze", "-o", "json"])
                .args(args)
                .arg("--baseline")
                .arg(baseline)
                .args(current),
            code,
        )
    }

    /// [`Sandbox::verdict`] on the pair `fixtures/BASELINE` and `fixtures/CURRENT`.
    pub fn fixture_verdict(&self, baseline: &str, current: &str, code: i32) -> Value {
        self.verdict(&[], fixture(baseline), &[fixture(current)], code)
    }

    /// `perfgate baseline create ARGS FILES...` in the sandbox (ARGS: the name and any flags), which must
    /// succeed.
    pub fn create_baseline<P: AsRef<std::ffi::OsStr>>(&self, args: &[&str], files: &[P]) {
        self.cmd()
            .args(["baseline", "create"])
            .args(args)
            .args(files)
            .assert()
            .code(0);
    }

    /// `perfgate baseline create NAME --append FILE` as of the Unix time `epoch` (`SOURCE_DATE_EPOCH`),
    /// which must succeed.
    pub fn append_at<P: AsRef<std::ffi::OsStr>>(
        &self,
        name: &str,
        file: P,
        epoch: impl std::fmt::Display,
    ) {
        self.cmd()
            .env("SOURCE_DATE_EPOCH", epoch.to_string())
            .args(["baseline", "create", name, "--append"])
            .arg(file)
            .assert()
            .code(0);
    }

    /// `perfgate` running in the sandbox.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::from_std(perfgate());
        c.current_dir(self.dir.path());
        c
    }
}

/// Parses a command's JSON output.
pub fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// The verdict's comparison rows.
pub fn rows(v: &Value) -> &Vec<Value> {
    v["comparisons"]
        .as_array()
        .expect("a verdict with comparisons")
}

/// The verdict row of one benchmark's metric.
pub fn row<'a>(v: &'a Value, bench: &str, metric: &str) -> &'a Value {
    rows(v)
        .iter()
        .find(|c| c["benchmark"] == bench && c["metric"] == metric)
        .unwrap_or_else(|| panic!("no row {bench} {metric} in {v}"))
}

/// Runs `cmd`, checks its exit code and returns its standard output.
pub fn run_stdout(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().stdout.clone();
    String::from_utf8(out).expect("UTF-8 output")
}

/// Runs `cmd`, checks its exit code and returns its standard output parsed as JSON.
pub fn run_json(cmd: &mut assert_cmd::Command, code: i32) -> Value {
    json(&cmd.assert().code(code).get_output().stdout)
}

/// Runs `cmd`, checks its exit code and returns its standard error.
pub fn run_stderr(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().stderr.clone();
    String::from_utf8(out).expect("UTF-8 output")
}

/// Runs `cmd`, which must succeed (else the failure shows its standard error), and returns its output.
pub fn run_ok(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The k6 handleSummary pair of `fixtures/k6/`: the baseline, then the run where /search slowed from 20
/// to 35 ms.
pub fn k6_pair() -> [PathBuf; 2] {
    [
        fixture("k6/baseline-summary.json"),
        fixture("k6/current-summary.json"),
    ]
}

/// Runs `git ARGS` in `dir` with a throw-away identity and no system or user configuration (HOME is
/// `dir`); it must succeed. Returns its trimmed standard output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The k6 summary fixture (`fixtures/k6/baseline-summary.json`) with every trend value scaled by `factor`.
pub fn k6_scaled(factor: f64) -> String {
    let mut doc = read_json(fixture("k6/baseline-summary.json"));
    for m in doc["metrics"].as_object_mut().unwrap().values_mut() {
        if m["type"] == "trend" {
            for v in m["values"].as_object_mut().unwrap().values_mut() {
                *v = (v.as_f64().unwrap() * factor).into();
            }
        }
    }
    doc.to_string()
}

/// The severity of one benchmark's metric in a verdict.
pub fn severity<'a>(v: &'a Value, bench: &str, metric: &str) -> &'a str {
    row(v, bench, metric)["severity"]
        .as_str()
        .unwrap_or_else(|| panic!("no severity for {bench} {metric} in {v}"))
}

/// Whether a verdict row is graded high or critical.
pub fn high_or_worse(c: &Value) -> bool {
    c["severity"] == "high" || c["severity"] == "critical"
}

/// A load-test verdict caught the slowed endpoint: its gated `metric` is high or worse, and no gated row
/// of the `others` endpoints is. `what` names the comparison in the failure message.
pub fn assert_only_slowed_endpoint(
    v: &Value,
    what: &str,
    slow: &str,
    metric: &str,
    others: &[&str],
) {
    let hit = row(v, slow, metric);
    assert!(hit["gated"] == true && high_or_worse(hit), "{what}: {hit}");
    for c in rows(v) {
        let b = c["benchmark"].as_str().unwrap();
        if others.contains(&b) && c["gated"] == true {
            assert!(!high_or_worse(c), "{what}: untouched endpoint flagged: {c}");
        }
    }
}

/// The verdict's gated rows graded high or critical: those that fail the default gate.
pub fn failing_rows(v: &Value) -> Vec<&Value> {
    rows(v)
        .iter()
        .filter(|c| c["gated"] == true && high_or_worse(c))
        .collect()
}

/// The benchmark name of every row of the verdict, in order (a name with several metrics repeats).
pub fn benchmarks(v: &Value) -> Vec<&str> {
    rows(v)
        .iter()
        .map(|c| c["benchmark"].as_str().expect("a benchmark name"))
        .collect()
}

/// The path of a file under `fixtures/k6/`, as a string.
pub fn k6(rel: &str) -> String {
    fixture(&format!("k6/{rel}")).display().to_string()
}

/// A github-action-benchmark custom JSON document (`customSmallerIsBetter`): one entry per
/// `(name, unit, value)`.
pub fn gab_json(entries: &[(&str, &str, f64)]) -> String {
    let doc: Vec<Value> = entries
        .iter()
        .map(|(n, u, v)| serde_json::json!({"name": n, "unit": u, "value": v}))
        .collect();
    serde_json::to_string(&doc).unwrap()
}

/// Runs `cmd` (under a timeout, so a reader that blocks fails the test), which must exit 2 with one line
/// on stderr that starts with `perfgate: `, names `file` and says `problem`, and print nothing on stdout.
/// Returns that line.
pub fn one_line_error(cmd: &mut assert_cmd::Command, file: &str, problem: &str) -> String {
    let out = cmd
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{cmd:?} (None = hung): {err}");
    assert_eq!(err.lines().count(), 1, "{cmd:?}: {err}");
    assert!(err.starts_with("perfgate: "), "{err}");
    assert!(err.contains(file), "{cmd:?}: names {file}: {err}");
    assert!(err.contains(problem), "{cmd:?}: says {problem:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty(), "no partial report on stdout");
    err
}

/// A JSON file, parsed.
pub fn read_json(path: impl AsRef<Path>) -> Value {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
