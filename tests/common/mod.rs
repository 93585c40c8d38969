//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

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

/// A file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Whether a test of the shared corpus must return: `PERFGATE_SHARED_FORMATS` is unset (a plain clone).
/// `.ci/run` sets it to the `../shared/formats` beside the checkout; set, it must name that directory.
pub fn no_shared_formats() -> bool {
    let Some(var) = std::env::var_os("PERFGATE_SHARED_FORMATS") else {
        return true;
    };
    let want = shared_format("");
    let (got, want) = (std::fs::canonicalize(&var), std::fs::canonicalize(&want));
    match (got, want) {
        (Ok(g), Ok(w)) if g == w => false,
        (g, w) => panic!(
            "PERFGATE_SHARED_FORMATS={} must be the ../shared/formats beside the checkout ({g:?} vs {w:?})",
            Path::new(&var).display()
        ),
    }
}

/// A file under `../shared/formats/` (real files whose licences do not allow copying them here).
pub fn shared_format(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/formats")
        .join(rel)
}

/// A temporary working directory; commands run inside it, so `baselines/` lands there.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
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
        let out = self
            .cmd()
            .args(["analyze", "-o", "json"])
            .args(args)
            .arg("--baseline")
            .arg(baseline)
            .args(current)
            .assert()
            .code(code)
            .get_output()
            .stdout
            .clone();
        json(&out)
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
