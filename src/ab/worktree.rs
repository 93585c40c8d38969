//! The base revision's temporary, detached `git worktree`: no branch is created, and dropping the guard
//! removes the worktree and its administrative entry, on errors and interrupts too.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// The repository of the working directory.
pub struct Repo {
    /// Top level of the working tree (head).
    pub root: PathBuf,
    /// Where the working directory is inside the tree (`""` at the top), so the base runs in the same place.
    pub prefix: PathBuf,
    /// `HEAD`'s commit, when there is one.
    pub head: Option<String>,
    /// Whether tracked files differ from `HEAD` (head is the working tree as it is).
    pub dirty: bool,
}

fn git_in(dir: &Path, args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
}

fn stdout_line(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn first_stderr_line(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

impl Repo {
    /// The git repository around `cwd`.
    pub fn discover(cwd: &Path) -> Result<Repo> {
        let out = git_in(cwd, &["rev-parse", "--show-toplevel", "--show-prefix"]).map_err(|e| {
            Error::Command(format!(
                "perfgate ab needs git, which could not be run: {e}"
            ))
        })?;
        if !out.status.success() {
            return Err(Error::Command(format!(
                "perfgate ab runs inside a git repository: {}",
                first_stderr_line(&out)
            )));
        }
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let mut lines = text.lines();
        let root = PathBuf::from(lines.next().unwrap_or("").trim());
        let prefix = PathBuf::from(lines.next().unwrap_or("").trim());
        let head = git_in(cwd, &["rev-parse", "--verify", "--quiet", "HEAD"])
            .ok()
            .filter(|o| o.status.success())
            .map(|o| stdout_line(&o));
        let dirty = git_in(cwd, &["status", "--porcelain", "--untracked-files=no"])
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
        Ok(Repo {
            root,
            prefix,
            head,
            dirty,
        })
    }

    /// The commit a revision names, or an error saying how to get it.
    pub fn resolve(&self, rev: &str) -> Result<String> {
        let bad = || {
            Error::Usage(format!(
                "--base {rev:?}: not a commit in this repository (fetch it first, e.g. `git fetch origin {rev}`, or check out with fetch-depth: 0)"
            ))
        };
        if rev.starts_with('-') || rev.is_empty() {
            return Err(bad());
        }
        let spec = format!("{rev}^{{commit}}");
        let out =
            git_in(&self.root, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|_| bad())?;
        if !out.status.success() {
            return Err(bad());
        }
        Ok(stdout_line(&out))
    }
}

/// A checked-out temporary worktree; removed on drop.
pub struct Worktree {
    repo_root: PathBuf,
    path: PathBuf,
}

impl Worktree {
    /// Checks `commit` out, detached, at `path` (which must not exist).
    pub fn add(repo: &Repo, commit: &str, path: &Path) -> Result<Worktree> {
        let p = path.to_string_lossy().to_string();
        let out = git_in(
            &repo.root,
            &["worktree", "add", "--detach", "--quiet", &p, commit],
        )
        .map_err(|e| Error::Command(format!("git worktree add: {e}")))?;
        let tree = Worktree {
            repo_root: repo.root.clone(),
            path: path.to_path_buf(),
        };
        if !out.status.success() {
            return Err(Error::Command(format!(
                "could not check out the base revision {}: {}",
                &commit[..commit.len().min(12)],
                first_stderr_line(&out)
            )));
        }
        Ok(tree)
    }

    /// The worktree's top level.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let p = self.path.to_string_lossy().to_string();
        let removed = git_in(
            &self.repo_root,
            &["worktree", "remove", "--force", "--force", &p],
        )
        .is_ok_and(|o| o.status.success());
        if !removed {
            // E.g. a build made files git cannot delete: remove the directory, then the stale entry.
            let _ = std::fs::remove_dir_all(&self.path);
            let _ = git_in(&self.repo_root, &["worktree", "prune"]);
        }
    }
}
