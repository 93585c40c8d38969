//! Finding the baseline of an analysis: a stored name, a file, the latest snapshot, or the snapshot at a
//! git merge-base.

use std::io;
use std::path::Path;

use crate::baseline::{self, Snapshot, Store};
use crate::error::{Error, Result};
use crate::input::{self, InputFormat, Probe};
use crate::model::Run;
use crate::verdict::BaselineInfo;

/// The outcome of resolving a baseline.
// Built once per analysis and moved straight into the comparison: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(super) enum Resolved {
    /// What the baseline is, its run, and its earlier snapshots.
    Found {
        info: BaselineInfo,
        run: Run,
        history: Vec<Run>,
    },
    /// None recorded yet: the sentence the verdict shows instead of comparisons.
    None { message: String },
}

/// `--baseline`: a path, a stored name, or (`None`) the latest snapshot.
pub(super) fn by_name_or_path(
    arg: Option<&str>,
    store: &Store,
    format: Option<&'static dyn InputFormat>,
) -> Result<Resolved> {
    let create_hint = |name: &str| {
        Resolved::None {
        message: format!(
            "no baseline `{name}` in {}/ yet; record one on the main branch with `perfgate baseline create {name} FILE...`",
            store.dir().display()
        ),
    }
    };
    let snapshot = match arg {
        Some("") => {
            return Err(Error::Usage(
                "--baseline is empty; give a stored baseline name (e.g. main) or a result file"
                    .into(),
            ))
        }
        // A stored name wins over a file or directory of the same name in the working directory.
        Some(a) if baseline::validate_name(a).is_ok() && store.path_for(a)?.exists() => {
            match store.load(a)? {
                Some(s) => s,
                None => return Ok(create_hint(a)),
            }
        }
        Some(a) if Path::new(a).exists() => {
            let path = Path::new(a);
            let probe = Probe::open(path)?;
            if input::snapshot::SnapshotInput.sniff(&probe) {
                baseline::read_snapshot(path)?
            } else {
                let run = input::read_file(path, format)?;
                let info = BaselineInfo {
                    name: a.to_string(),
                    ..BaselineInfo::default()
                };
                return Ok(Resolved::Found {
                    info,
                    run,
                    history: Vec::new(),
                });
            }
        }
        Some(a) => {
            if baseline::validate_name(a).is_err() {
                return Err(Error::io(
                    Path::new(a),
                    io::Error::from(io::ErrorKind::NotFound),
                ));
            }
            // Neither a file nor a stored name. With other baselines stored this is a typo (or
            // `main.json` for `main`), which must not pass as "no baseline yet".
            let (known, _) = store.list()?;
            if known.is_empty() {
                return Ok(create_hint(a));
            }
            let mut e = missing_baseline(store, a).to_string();
            if let Some(stem) = a.strip_suffix(".json") {
                if known.iter().any(|s| s.name == stem) {
                    e.push_str(&format!("; did you mean `{stem}`?"));
                }
            }
            return Err(Error::Usage(e));
        }
        None => match store.latest()? {
            Some(s) => s,
            None => return Ok(create_hint("main")),
        },
    };
    stored(store, snapshot, None)
}

/// Describes a stored snapshot and collects its history.
fn stored(store: &Store, snapshot: Snapshot, reason: Option<String>) -> Result<Resolved> {
    let info = BaselineInfo {
        name: snapshot.name.clone(),
        created_at: Some(snapshot.created_at.clone()),
        commit: snapshot.git.commit.clone(),
        branch: snapshot.git.branch.clone(),
        runner: snapshot.runner.as_ref().map(baseline::RunnerInfo::describe),
        reason,
    };
    let history = match baseline::validate_name(&snapshot.name) {
        Ok(()) => store
            .history(&snapshot.name)?
            .into_iter()
            .map(|s| s.run)
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(Resolved::Found {
        info,
        run: snapshot.run,
        history,
    })
}

/// Ends the reason of a `--baseline-ref` that found no snapshot on the branch's history; such a fallback
/// is also a warning in the report, never silent.
const REF_FALLBACK: &str = "; using the latest snapshot";

/// Whether a baseline's reason says the merge-base had no snapshot and the latest one was used.
pub(super) fn is_fallback(reason: &str) -> bool {
    reason.ends_with(REF_FALLBACK)
}

/// How far back `--baseline-ref` looks for an ancestor of the merge-base that has a snapshot.
const REF_SEARCH_DEPTH: &str = "200";

/// `--baseline-ref BRANCH`: the snapshot at the merge-base of HEAD and BRANCH in `repo`, or at its
/// nearest first-parent ancestor that has one; else the latest snapshot. The reason is recorded.
pub(super) fn by_merge_base(branch: &str, repo: &Path, store: &Store) -> Result<Resolved> {
    let all = store.all_snapshots()?;
    let latest = |why: String| -> Result<Resolved> {
        match store.latest()? {
            Some(s) => stored(store, s, Some(why)),
            None => Ok(Resolved::None {
                message: format!(
                    "no baselines in {}/ yet; record one on {branch} with `perfgate baseline create main --append FILE...`",
                    store.dir().display()
                ),
            }),
        }
    };
    if branch.starts_with('-') {
        return Err(Error::Usage(format!(
            "--baseline-ref {:?} is not a branch name",
            crate::escape::terminal(branch)
        )));
    }
    let git = |args: &[&str]| {
        let repo = repo.to_string_lossy();
        let mut all = vec!["-C", repo.as_ref()];
        all.extend_from_slice(args);
        baseline::git(&all)
    };
    let Some(base) = merge_base(branch, &git) else {
        let shallow = git(&["rev-parse", "--is-shallow-repository"]).as_deref() == Some("true");
        let why = if shallow {
            format!("no merge-base of HEAD and {branch}: this is a shallow clone (fetch the history: actions/checkout with `fetch-depth: 0`){REF_FALLBACK}")
        } else {
            format!("no merge-base of HEAD and {branch} (not a git checkout, or neither {branch} nor origin/{branch} exists){REF_FALLBACK}")
        };
        return latest(why);
    };
    let ancestors =
        git(&["rev-list", "--first-parent", "-n", REF_SEARCH_DEPTH, &base]).unwrap_or_default();
    for (depth, commit) in ancestors.lines().enumerate() {
        let found = all
            .iter()
            .filter(|(_, s)| s.git.commit.as_deref() == Some(commit))
            .max_by_key(|(_, s)| s.created_nanos());
        if let Some((owner, s)) = found {
            let short: String = base.chars().take(7).collect();
            let why = if depth == 0 {
                format!("snapshot at the merge-base of HEAD and {branch} ({short})")
            } else {
                format!("no snapshot at the merge-base {short}; using the nearest ancestor with one, {depth} commits earlier")
            };
            let mut snapshot = s.clone();
            let Some(owner) = owner else {
                return stored(store, snapshot, Some(why));
            };
            // A history entry: compare against the baseline it belongs to, with the history up to it.
            snapshot.name = owner.clone();
            let history = store
                .history(owner)?
                .into_iter()
                .filter(|h| h.created_nanos() <= s.created_nanos())
                .map(|h| h.run)
                .collect();
            return Ok(match stored(store, snapshot, Some(why))? {
                Resolved::Found { info, run, .. } => Resolved::Found { info, run, history },
                none => none,
            });
        }
    }
    latest(format!(
        "no snapshot at the merge-base of HEAD and {branch} or its last {REF_SEARCH_DEPTH} ancestors{REF_FALLBACK}"
    ))
}

/// The merge-base of HEAD and `branch`, where `branch` is a local branch or, as in an `actions/checkout`
/// clone that has only remote-tracking branches, `origin/<branch>`.
fn merge_base(branch: &str, git: &dyn Fn(&[&str]) -> Option<String>) -> Option<String> {
    let local = format!("refs/heads/{branch}");
    let remote = format!("refs/remotes/origin/{branch}");
    let reference = [local.as_str(), remote.as_str(), branch]
        .into_iter()
        .find(|r| {
            git(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{r}^{{commit}}"),
            ])
            .is_some()
        })?;
    git(&["merge-base", "HEAD", reference])
}

/// The error for a baseline name that is not stored, listing the names that are.
pub fn missing_baseline(store: &Store, name: &str) -> Error {
    let known: Vec<String> = store
        .list()
        .map(|(s, _)| s.into_iter().map(|s| s.name).collect())
        .unwrap_or_default();
    let known = if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    };
    Error::baseline(
        store.dir(),
        format!("no baseline `{name}` (available: {known})"),
    )
}
