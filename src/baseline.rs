//! The baseline store: one pretty-printed JSON snapshot per name in `baselines/`, written atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ParseError, Result};
use crate::model::Run;

mod fields;

/// Format name of a snapshot file in errors (the id of its `InputFormat`).
pub const SNAPSHOT_FORMAT: &str = "perfgate";
/// Schema id of a snapshot file.
pub const SNAPSHOT_SCHEMA: &str = "perfgate/snapshot/v1";
/// The newest snapshot layout this perfgate writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
/// Longest accepted baseline name.
const MAX_NAME: usize = 100;
/// Temporary snapshot files: `.perfgate-XXXXXX.tmp`, hidden from `list`.
const TEMP_PREFIX: &str = ".perfgate-";
const TEMP_SUFFIX: &str = ".tmp";
/// Age after which a temporary file is a killed writer's leftover.
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(3600);

/// Where the measured code came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GitInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// The machine a snapshot was measured on, so comparisons across runner classes can be flagged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerInfo {
    pub os: String,
    pub arch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    pub cores: usize,
}

impl RunnerInfo {
    /// This machine.
    pub fn detect() -> RunnerInfo {
        let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        });
        RunnerInfo {
            os: std::env::consts::OS.to_string(),
            arch: std::env::consts::ARCH.to_string(),
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// One line, e.g. `linux x86_64, 2 cores, Intel(R) Xeon(R) Processor`.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}, {} cores", self.os, self.arch, self.cores);
        if let Some(cpu) = &self.cpu {
            s.push_str(", ");
            s.push_str(cpu);
        }
        s
    }
}

/// A stored baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: String,
    pub schema_version: u32,
    pub name: String,
    pub created_at: String,
    #[serde(default)]
    pub git: GitInfo,
    #[serde(default)]
    pub perfgate_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<RunnerInfo>,
    #[serde(flatten)]
    pub run: Run,
}

impl Snapshot {
    /// A new snapshot of `run`, stamped with the time and git state.
    pub fn new(name: &str, run: Run) -> Snapshot {
        Snapshot {
            schema: SNAPSHOT_SCHEMA.to_string(),
            schema_version: SCHEMA_VERSION,
            name: name.to_string(),
            created_at: now_rfc3339(),
            git: git_info(),
            perfgate_version: env!("CARGO_PKG_VERSION").to_string(),
            runner: Some(RunnerInfo::detect()),
            run,
        }
    }

    /// Reads a snapshot document, refusing newer layouts and absurd strings (see `baseline/fields.rs`).
    pub fn from_value(v: &Value) -> Result<Snapshot, ParseError> {
        let version = v.get("schema_version").and_then(Value::as_u64).unwrap_or(0);
        if version > u64::from(SCHEMA_VERSION) {
            return Err(ParseError::value(format!(
                "written by perfgate snapshot schema {version}, this perfgate reads up to {SCHEMA_VERSION}; upgrade perfgate"
            )));
        }
        let mut snapshot = Snapshot::deserialize(v)
            .map_err(|e| ParseError::new(format!("not a valid perfgate snapshot: {e}")))?;
        fields::check(&mut snapshot)?;
        Ok(snapshot)
    }

    /// `created_at` as nanoseconds since the epoch, whatever its RFC 3339 offset; `None` when unreadable.
    pub fn created_nanos(&self) -> Option<i128> {
        crate::time::parse_rfc3339_nanos(&self.created_at)
    }

    /// Short commit id, if known.
    pub fn short_commit(&self) -> Option<&str> {
        // By characters: the commit comes from the file and need not be ASCII.
        self.git
            .commit
            .as_deref()
            .map(|c| c.char_indices().nth(7).map_or(c, |(i, _)| &c[..i]))
    }
}

/// Checks that a baseline name is a safe file name.
pub fn validate_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::Usage(format!(
            "invalid baseline name {name:?}: {why}; use letters, digits, '.', '-', '_' (e.g. main, release-1.2)"
        )))
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > MAX_NAME {
        return bad("it is longer than 100 characters");
    }
    if name.starts_with('.') {
        return bad("it starts with '.'");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return bad(&format!("it contains {c:?}"));
    }
    Ok(())
}

/// A directory of snapshots.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `dir` (need not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the snapshot called `name`.
    pub fn path_for(&self, name: &str) -> Result<PathBuf> {
        validate_name(name)?;
        Ok(self.dir.join(format!("{name}.json")))
    }

    /// Writes a snapshot atomically (temp file, fsync, rename). Without `force`, an existing snapshot
    /// of the same name is left untouched and an error returned.
    pub fn save(&self, snapshot: &Snapshot, force: bool) -> Result<PathBuf> {
        let path = self.path_for(&snapshot.name)?;
        let tmp = self.write_temp(snapshot)?;
        pause_before_rename();
        self.persist(tmp, &path, &snapshot.name, force)
    }

    /// The snapshot, written and synced to a temporary file in the store (not yet visible). Temporary
    /// files that writers killed long ago left behind are removed first.
    fn write_temp(&self, snapshot: &Snapshot) -> Result<tempfile::NamedTempFile> {
        if let Err(e) = fields::check_lengths(snapshot) {
            let path = self.path_for(&snapshot.name)?;
            return Err(Error::parse(&path, SNAPSHOT_FORMAT, e));
        }
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        self.remove_stale_temp_files();
        write_temp_in(&self.dir, snapshot)
    }

    /// Deletes `.perfgate-*.tmp` files older than [`STALE_TEMP`]: a live writer renames its file within
    /// seconds, so these are from killed ones.
    fn remove_stale_temp_files(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
                continue;
            }
            let stale = e
                .metadata()
                .ok()
                .filter(std::fs::Metadata::is_file)
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_TEMP);
            if stale {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    /// Renames a written temporary file to `path`.
    fn persist(
        &self,
        tmp: tempfile::NamedTempFile,
        path: &Path,
        name: &str,
        force: bool,
    ) -> Result<PathBuf> {
        let path = path.to_path_buf();
        let persisted = if force {
            tmp.persist(&path).map(drop)
        } else {
            tmp.persist_noclobber(&path).map(drop)
        };
        if let Err(e) = persisted {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                return Err(Error::baseline(
                    &path,
                    format!("baseline `{name}` already exists; use --force to replace it"),
                ));
            }
            return Err(Error::io(&path, e.error));
        }
        // Make the rename itself durable.
        if let Ok(d) = fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(path)
    }

    /// Directory holding the earlier snapshots of `name`. A symlink there is refused: `--append` writes
    /// and prunes files in it, which must not happen outside the store.
    pub fn history_dir(&self, name: &str) -> Result<PathBuf> {
        validate_name(name)?;
        let dir = self.dir.join(format!("{name}.history"));
        if fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::baseline(
                &dir,
                "is a symbolic link; perfgate does not follow links out of the baselines directory",
            ));
        }
        Ok(dir)
    }

    /// Saves `snapshot` as the current `NAME.json` and adds it to `NAME.history/`, keeping the newest
    /// `keep` (at least 1: the snapshot just added).
    ///
    /// Both files are written and synced before either becomes visible, so a full disk leaves the store as
    /// it was; if the final rename fails, the history entry is taken back. History file names never
    /// collide: a name already taken (appends in the same second, concurrent writers) gets `-002`, `-003`, …
    /// and is claimed with a no-clobber rename.
    pub fn append(&self, snapshot: &Snapshot, keep: usize) -> Result<PathBuf> {
        if keep == 0 {
            return Err(Error::Usage(
                "--keep 0 with --append would delete the snapshot being appended; keep at least 1, or use `perfgate baseline prune NAME --keep 0` to drop the history".into(),
            ));
        }
        let path = self.path_for(&snapshot.name)?;
        let dir = self.history_dir(&snapshot.name)?;
        let history = Store::new(&dir);
        let current = self.write_temp(snapshot)?;
        // One file per snapshot, named by time and commit, so history diffs as added files in git.
        let stamp: String = snapshot
            .created_at
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let base = match snapshot.short_commit() {
            Some(c) => format!("{stamp}-{c}"),
            None => stamp,
        };
        let mut entry = snapshot.clone();
        let mut n = 1;
        let entry_path = loop {
            entry.name = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n:03}")
            };
            let tmp = history.write_temp(&entry)?;
            let entry_path = history.path_for(&entry.name)?;
            match history.persist(tmp, &entry_path, &entry.name, false) {
                Ok(p) => break p,
                Err(_) if entry_path.exists() && n < 10_000 => n += 1,
                Err(e) => return Err(e),
            }
        };
        pause_before_rename();
        if let Err(e) = self.persist(current, &path, &snapshot.name, true) {
            let _ = fs::remove_file(&entry_path);
            return Err(e);
        }
        self.prune(&snapshot.name, keep)?;
        Ok(path)
    }

    /// Deletes all but the newest `keep` history snapshots of `name` (all of them with 0); returns how
    /// many were deleted. An unknown name is an error, not "pruned 0".
    pub fn prune(&self, name: &str, keep: usize) -> Result<usize> {
        self.prune_keeping(name, keep, &|_| Vec::new())
    }

    /// [`Store::prune`], but the snapshots at the indices `keep_also` names (into the history, oldest
    /// first) stay beyond the newest `keep`: `perfgate` keeps the snapshots either side of each change
    /// point this way (`history::boundaries`), so the history still shows where it stepped.
    pub fn prune_keeping(
        &self,
        name: &str,
        keep: usize,
        keep_also: &dyn Fn(&[Snapshot]) -> Vec<usize>,
    ) -> Result<usize> {
        let dir = self.history_dir(name)?;
        if !dir.is_dir() && !self.path_for(name)?.exists() {
            return Err(Error::baseline(
                &self.dir,
                format!("no baseline `{name}` and no history of it"),
            ));
        }
        let history = Store::new(dir);
        let (all, _) = history.list()?;
        if all.len() <= keep {
            return Ok(0);
        }
        let protected = keep_also(&all);
        let mut deleted = 0;
        for (i, oldest) in all[..all.len() - keep].iter().enumerate() {
            if !protected.contains(&i) {
                history.delete(&oldest.name)?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Every snapshot in the store and in every history directory (for `--baseline-ref`), each with the
    /// baseline name whose history holds it (`None` for the top-level snapshots).
    pub fn all_snapshots(&self) -> Result<Vec<(Option<String>, Snapshot)>> {
        let (top, _) = self.list()?;
        let mut all: Vec<(Option<String>, Snapshot)> = top.into_iter().map(|s| (None, s)).collect();
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let p = e.path();
                let owner = p.file_stem().map(|s| s.to_string_lossy().to_string());
                if p.is_dir() && p.extension().is_some_and(|x| x == "history") {
                    all.extend(
                        Store::new(&p)
                            .list()?
                            .0
                            .into_iter()
                            .map(|s| (owner.clone(), s)),
                    );
                }
            }
        }
        Ok(all)
    }

    /// Earlier snapshots of `name` (from `--append`), oldest first.
    pub fn history(&self, name: &str) -> Result<Vec<Snapshot>> {
        let (snapshots, _) = Store::new(self.history_dir(name)?).list()?;
        Ok(snapshots)
    }

    /// Loads the snapshot called `name`, or `None` when there is none.
    pub fn load(&self, name: &str) -> Result<Option<Snapshot>> {
        let path = self.path_for(name)?;
        if !path.exists() {
            return Ok(None);
        }
        read_snapshot(&path).map(Some)
    }

    /// Every snapshot, oldest first. Unreadable files are returned as errors beside the good ones.
    pub fn list(&self) -> Result<(Vec<Snapshot>, Vec<Error>)> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Vec::new(), Vec::new()))
            }
            Err(e) => return Err(Error::io(&self.dir, e)),
        };
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.dir, e))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            match read_snapshot(&path).and_then(|s| {
                let t = created_time(&s).map_err(|why| Error::baseline(&path, why))?;
                Ok((t, s))
            }) {
                Ok(s) => good.push(s),
                Err(e) => bad.push(e),
            }
        }
        // By time, not by string: `2026-1-2` or `9999-…` must not stay "latest" forever.
        good.sort_by(|(ta, a), (tb, b)| ta.cmp(tb).then_with(|| a.name.cmp(&b.name)));
        Ok((good.into_iter().map(|(_, s)| s).collect(), bad))
    }

    /// The most recently created snapshot.
    pub fn latest(&self) -> Result<Option<Snapshot>> {
        Ok(self.list()?.0.pop())
    }

    /// Deletes a snapshot; `false` when it did not exist.
    pub fn delete(&self, name: &str) -> Result<bool> {
        let path = self.path_for(name)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Deletes a baseline and its `--append` history; `false` when neither existed. Only snapshot files
    /// are removed from the history directory, which is then removed if empty.
    pub fn delete_with_history(&self, name: &str) -> Result<bool> {
        let dir = self.history_dir(name)?;
        let mut found = false;
        if dir.is_dir() {
            found = true;
            let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
            for e in entries.flatten() {
                let p = e.path();
                let is_snapshot = p.extension().is_some_and(|x| x == "json")
                    || e.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
                if is_snapshot && e.file_type().is_ok_and(|t| t.is_file()) {
                    fs::remove_file(&p).map_err(|err| Error::io(&p, err))?;
                }
            }
            // Anything else the user put there stays, with the directory.
            let _ = fs::remove_dir(&dir);
        }
        Ok(self.delete(name)? || found)
    }
}

/// How far in the future a `created_at` may be (clock skew between runners) before it is refused.
const FUTURE_SLACK: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A snapshot's `created_at` as a time; an unparseable or far-future one is an error (such a snapshot
/// would sort as the latest forever).
fn created_time(s: &Snapshot) -> std::result::Result<i128, String> {
    let t = s.created_nanos().ok_or_else(|| {
        format!(
            "created_at {:?} is not an RFC 3339 time (e.g. 2026-01-31T12:00:00Z); skipped",
            crate::escape::terminal(&s.created_at)
        )
    })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX));
    if t > now.saturating_add(FUTURE_SLACK.as_nanos() as i128) {
        return Err(format!(
            "created_at {} is in the future; skipped (fix the runner's clock or the file)",
            crate::escape::terminal(&s.created_at)
        ));
    }
    Ok(t)
}

/// Test-only hook (`PERFGATE_TEST_PAUSE_BEFORE_RENAME_MS`), compiled only with the `test-hooks` cargo
/// feature: sleeps between writing the temporary file and renaming it, so tests can kill a writer
/// mid-save. Not a user setting; release builds do not read the variable.
#[cfg(feature = "test-hooks")]
fn pause_before_rename() {
    if let Some(ms) = std::env::var("PERFGATE_TEST_PAUSE_BEFORE_RENAME_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(not(feature = "test-hooks"))]
fn pause_before_rename() {}

/// Reads and validates one snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot> {
    let text = crate::bounded_read::read_to_string(path, crate::bounded_read::RESULT_FILE)?;
    let parse = |e| Error::parse(path, SNAPSHOT_FORMAT, e);
    let value: Value = serde_json::from_str(&text).map_err(|e| parse(ParseError::from(e)))?;
    Snapshot::from_value(&value).map_err(parse)
}

/// Writes one snapshot file outside the store (`perfgate pull -o`), with the store's checks and its
/// atomicity: a reader never sees half a file, and what perfgate would refuse to read is not written.
pub fn write_snapshot(path: &Path, snapshot: &Snapshot) -> Result<()> {
    fields::check_lengths(snapshot).map_err(|e| Error::parse(path, SNAPSHOT_FORMAT, e))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = write_temp_in(dir, snapshot)?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// The snapshot, written and synced to a temporary file in `dir` (not yet visible under its name).
fn write_temp_in(dir: &Path, snapshot: &Snapshot) -> Result<tempfile::NamedTempFile> {
    let mut body = serde_json::to_vec_pretty(snapshot).expect("snapshot serialises");
    body.push(b'\n');
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // Snapshots are committed files: created 0666 and narrowed by the umask like any other file,
    // not tempfile's private 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(&body)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    Ok(tmp)
}

/// Current time as RFC 3339 UTC; `SOURCE_DATE_EPOCH` makes it reproducible.
fn now_rfc3339() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now);
    humantime::format_rfc3339_seconds(now).to_string()
}

/// Runs git in the working directory; `None` when git is missing or the command fails.
pub fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

/// Commit and branch of the working directory, falling back to GitHub Actions' variables.
fn git_info() -> GitInfo {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let commit = git(&["rev-parse", "HEAD"]).or_else(|| env("GITHUB_SHA"));
    let branch = git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .filter(|b| b != "HEAD")
        .or_else(|| env("GITHUB_HEAD_REF"))
        .or_else(|| env("GITHUB_REF_NAME"));
    GitInfo { commit, branch }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_file_names() {
        for ok in ["main", "release-1.2", "pr_12", "v1.0.0"] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "..", "../x", "a/b", "/abs", ".hidden", "a\nb", "a\u{1b}b", "a b", "a\\b",
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn hostile_snapshot_strings_are_escaped_or_refused() {
        let v = serde_json::json!({"schema": SNAPSHOT_SCHEMA, "schema_version": 1,
            "name": "main\u{1b}[2J", "created_at": "2026-01-01T00:00:00Z",
            "git": {"commit": "\u{1b}]0;x\u{7}abc\n::error::c", "branch": "b\u{202e}rtl"},
            "runner": {"os": "linux\r", "arch": "x86_64", "cpu": "\u{1b}[31mcpu", "cores": 2},
            "sources": [{"path": "r\u{1b}.json", "format": "gab", "tool": "t"}],
            "benchmarks": {"a\u{1b}[31m": {"metrics": {"m": {"value": 1.0, "unit": "ms", "direction": "lower_is_better"}}}}});
        let s = Snapshot::from_value(&v).unwrap();
        for field in [
            s.name.as_str(),
            s.git.commit.as_deref().unwrap(),
            s.git.branch.as_deref().unwrap(),
            &s.runner.as_ref().unwrap().os,
            s.runner.as_ref().unwrap().cpu.as_deref().unwrap(),
            &s.run.sources[0].path,
        ] {
            assert!(!field.chars().any(char::is_control), "{field:?}");
            assert!(!field.contains('\u{202e}'), "{field:?}");
        }
        assert!(s.git.commit.as_deref().unwrap().contains("\\u{1b}]0;x"));
        // Names must still match the current results: kept as they are.
        assert!(s.run.benchmarks.contains_key("a\u{1b}[31m"));

        let mut huge = v.clone();
        huge["benchmarks"] = serde_json::json!({ "x".repeat(1 << 20): {"metrics": {}} });
        let e = Snapshot::from_value(&huge).unwrap_err();
        assert_eq!(e.kind, crate::error::ParseKind::Value);
        assert!(
            e.message.contains("a benchmark name") && e.message.contains("1048576 bytes"),
            "{e}"
        );
        assert!(
            e.message.len() < 200,
            "the message does not repeat the name: {e}"
        );
        let mut long_commit = v;
        long_commit["git"]["commit"] = serde_json::json!("é".repeat(600));
        let e = Snapshot::from_value(&long_commit).unwrap_err();
        assert!(
            e.message
                .starts_with("field `git.commit` is 1200 bytes long"),
            "{e}"
        );
    }

    #[test]
    fn newer_schema_is_refused() {
        let v = serde_json::json!({"schema": SNAPSHOT_SCHEMA, "schema_version": 99, "name": "x",
            "created_at": "2026-01-01T00:00:00Z", "benchmarks": {}});
        let e = Snapshot::from_value(&v).unwrap_err();
        assert!(e.message.contains("schema 99"), "{e}");
    }
}
