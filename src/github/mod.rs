//! GitHub integration: the Actions context read from the environment, the sticky PR comment
//! ([`comment`], [`client`]) and the job summary and annotations ([`actions`]).
//!
//! Nothing here may change the gate's verdict or exit code: every failure becomes a warning.

pub mod actions;
pub mod client;
pub mod comment;
pub mod stored;

use std::io::Write;
use std::path::PathBuf;

use serde_json::Value;

use crate::report::markdown::{self, MarkdownOptions};
use crate::verdict::Verdict;

pub use crate::secret::Token;

/// What perfgate knows about the GitHub Actions run it is part of.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// `GITHUB_ACTIONS=true`.
    pub in_actions: bool,
    /// `GITHUB_API_URL`, default `https://api.github.com`.
    pub api_url: String,
    /// `owner/name` from `GITHUB_REPOSITORY`.
    pub repository: Option<String>,
    pub token: Option<Token>,
    /// The pull request number from the event payload.
    pub pr: Option<u64>,
    /// The PR's head commit (not `GITHUB_SHA`, which is a merge commit).
    pub head_sha: Option<String>,
    /// The commit the run measured, which a PR's head must be for the comment to be posted: the event's
    /// PR head or `workflow_run.head_sha`, else `GITHUB_SHA` (a push's commit).
    pub measured_sha: Option<String>,
    /// Link to the workflow run that measured the results.
    pub run_url: Option<String>,
    /// `GITHUB_RUN_ID`, for the link text.
    pub run_id: Option<String>,
    /// `GITHUB_STEP_SUMMARY`.
    pub step_summary: Option<PathBuf>,
}

impl Context {
    /// Reads the process environment.
    pub fn from_env() -> Context {
        Context::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the context through `get` (tests pass a map). The event file is read if named.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Context {
        let server = get("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
        let repository = get("GITHUB_REPOSITORY");
        let run_id = get("GITHUB_RUN_ID");
        let event: Value = get("GITHUB_EVENT_PATH")
            .and_then(|p| {
                crate::bounded_read::read_to_string(
                    std::path::Path::new(&p),
                    crate::bounded_read::ARTIFACT_FILE,
                )
                .ok()
            })
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null);
        let mut run_url = match (&repository, &run_id) {
            (Some(repo), Some(id)) => Some(format!(
                "{}/{repo}/actions/runs/{id}",
                server.trim_end_matches('/')
            )),
            _ => None,
        };
        // In a `workflow_run` job the interesting run is the one that measured, not this one: the
        // link's label and its target both name that run.
        let mut run_id = run_id;
        if let Some(url) = event["workflow_run"]["html_url"].as_str() {
            run_url = Some(url.to_string());
            run_id = event["workflow_run"]["id"]
                .as_u64()
                .map(|id| id.to_string())
                .or_else(|| url.rsplit('/').next().map(str::to_string));
        }
        Context {
            in_actions: get("GITHUB_ACTIONS").as_deref() == Some("true"),
            api_url: get("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            repository,
            token: get("GITHUB_TOKEN").and_then(Token::new),
            pr: pr_number(&event),
            head_sha: head_sha(&event),
            measured_sha: head_sha(&event).or_else(|| get("GITHUB_SHA").filter(|s| is_sha(s))),
            run_url,
            run_id,
            step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        }
    }
}

/// PR number from a `pull_request*`, `issue_comment` or `workflow_run` payload.
fn pr_number(event: &Value) -> Option<u64> {
    event["pull_request"]["number"]
        .as_u64()
        .or_else(|| {
            event["issue"]["pull_request"]
                .is_object()
                .then(|| event["issue"]["number"].as_u64())
                .flatten()
        })
        // Empty for fork PRs: those carry the number in an artifact (`--pr-file`).
        .or_else(|| event["workflow_run"]["pull_requests"][0]["number"].as_u64())
}

fn head_sha(event: &Value) -> Option<String> {
    event["pull_request"]["head"]["sha"]
        .as_str()
        .or_else(|| event["workflow_run"]["head_sha"].as_str())
        .filter(|s| is_sha(s))
        .map(str::to_string)
}

fn is_sha(s: &str) -> bool {
    s.len() >= 7 && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// The run context for rendering, built here from GitHub's environment.
pub use crate::report::RunInfo;

impl From<&Context> for RunInfo {
    fn from(c: &Context) -> RunInfo {
        RunInfo {
            run_url: c.run_url.clone(),
            run_id: c.run_id.clone(),
            head_sha: c.head_sha.clone(),
            // A run's address is `{server}/{owner}/{name}/actions/runs/{id}`.
            repo_url: c
                .run_url
                .as_deref()
                .and_then(|u| u.split_once("/actions/runs/"))
                .map(|(repo, _)| repo.to_string()),
        }
    }
}

/// `--comment` and its options.
#[derive(Debug, Clone)]
pub struct CommentRequest {
    /// Separates the comments of matrix jobs (`--comment-key`).
    pub key: String,
    /// Overrides the PR number from the event (`--pr`).
    pub pr: Option<u64>,
}

/// Collects warnings: printed on stderr at once (one line each), repeated in the job summary.
struct Warnings<'a> {
    ctx: &'a Context,
    lines: Vec<String>,
}

impl Warnings<'_> {
    fn warn(&mut self, text: String) {
        let text = match &self.ctx.token {
            Some(t) => t.redact(&text),
            None => text,
        };
        if self.ctx.in_actions {
            eprintln!("{}", actions::warning_command("perfgate", &text));
        } else {
            eprintln!("perfgate: warning: {text}");
        }
        self.lines.push(text);
    }
}

/// Posts or updates the sticky comment; every failure becomes a warning.
fn post_comment(ctx: &Context, v: &Verdict, req: &CommentRequest, warnings: &mut Warnings) {
    let Some(pr) = req.pr.or(ctx.pr) else {
        eprintln!("perfgate: no pull request in this event; PR comment skipped (give --pr N to comment anyway)");
        return;
    };
    let Some(token) = &ctx.token else {
        warnings.warn("cannot post the PR comment: GITHUB_TOKEN is not set — fix: add `env: GITHUB_TOKEN: ${{ github.token }}` to the step".into());
        return;
    };
    let Some(repo) = &ctx.repository else {
        warnings.warn("cannot post the PR comment: GITHUB_REPOSITORY is not set — fix: run inside GitHub Actions or set it to owner/name".into());
        return;
    };
    let report = markdown::render(
        v,
        &MarkdownOptions {
            run: RunInfo::from(ctx),
            ..MarkdownOptions::default()
        },
    );
    let body = comment::body(&req.key, &report);
    let mut api = match client::GitHubApi::new(&ctx.api_url, token, repo, pr) {
        Ok(api) => api,
        Err(e) => {
            warnings.warn(format!(
                "could not post the PR comment on #{pr}: {e} — fix: {}",
                e.hint()
            ));
            return;
        }
    };
    // On every path (the event's PR, `--pr`, a stored verdict with or without `--pr-file`): the PR must
    // be at the commit that was measured, so a report never lands on a pull request it does not describe.
    if !head_matches(ctx, &mut api, pr, warnings) {
        return;
    }
    let result = comment::upsert(&mut api, &req.key, &body);
    match result {
        Ok(o) => {
            let what = match o.action {
                comment::Action::Created => "posted",
                comment::Action::Updated => "updated",
                comment::Action::Unchanged => "already up to date",
            };
            eprintln!(
                "perfgate: PR comment {what}: {}",
                crate::escape::terminal(&o.html_url)
            );
        }
        Err(e) => warnings.warn(format!(
            "could not post the PR comment on #{pr}: {e} — fix: {}",
            e.hint()
        )),
    }
}

/// Whether PR `pr`'s head commit is the measured run's; when not, says why nothing is posted.
fn head_matches(
    ctx: &Context,
    api: &mut client::GitHubApi,
    pr: u64,
    warnings: &mut Warnings,
) -> bool {
    let Some(want) = &ctx.measured_sha else {
        warnings.warn(format!("not commenting on #{pr}: nothing names the measured commit to check the PR's head against (no PR head or workflow_run head_sha in the event, no GITHUB_SHA) — fix: run in a `pull_request` or `workflow_run` job, or set GITHUB_SHA"));
        return false;
    };
    let short = |s: &str| -> String { s.chars().filter(char::is_ascii_hexdigit).take(7).collect() };
    match api.pull_head_sha() {
        Ok(have) if have.eq_ignore_ascii_case(want) => true,
        Ok(have) => {
            warnings.warn(format!(
                "not commenting on #{pr}: its head is {}, but the measured run was at {} — either the PR got a newer push (whose own run will comment) or the PR number names another pull request",
                short(&have),
                short(want)
            ));
            false
        }
        Err(e) => {
            warnings.warn(format!(
                "not commenting on #{pr}: could not read the PR to check its head commit: {e} — fix: {}",
                e.hint()
            ));
            false
        }
    }
}

/// Everything after `analyze` (or `comment`) printed its report: annotations when in Actions, the sticky
/// comment when asked, and the job summary. Never fails: problems are warnings on stderr.
///
/// `annotations_to` receives the `::error::` lines (stdout, unless stdout carries JSON or XML).
pub fn publish(
    ctx: &Context,
    v: &Verdict,
    comment: Option<&CommentRequest>,
    annotations_to: Option<&mut dyn Write>,
) {
    let mut warnings = Warnings {
        ctx,
        lines: Vec::new(),
    };
    if ctx.in_actions {
        let written = match annotations_to {
            Some(w) => actions::write_annotations(v, w),
            None => actions::write_annotations(v, &mut std::io::stderr()),
        };
        if let Err(e) = written {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                warnings.warn(format!("could not write annotations: {e}"));
            }
        }
    }
    if let Some(req) = comment {
        post_comment(ctx, v, req, &mut warnings);
    }
    if let (true, Some(path)) = (ctx.in_actions, &ctx.step_summary) {
        let mut text = markdown::render(
            v,
            &MarkdownOptions {
                run: RunInfo::from(ctx),
                max_chars: usize::MAX,
                max_bytes: markdown::SUMMARY_LIMIT_BYTES,
            },
        );
        for w in &warnings.lines {
            text.push_str(&format!(
                "\n> [!WARNING]\n> perfgate: {}\n",
                crate::escape::markdown_text(w)
            ));
        }
        if let Err(e) = actions::append_summary(path, &text) {
            warnings.warn(format!(
                "could not write the job summary {}: {e}",
                path.display()
            ));
        }
    }
}

/// The GitHub part of `perfgate analyze`, with the context read from the environment: nothing outside
/// GitHub Actions unless a comment is asked for. `annotations_to` as in [`publish`].
pub fn after_analyze(
    v: &Verdict,
    comment: Option<&CommentRequest>,
    annotations_to: Option<&mut dyn Write>,
) {
    let ctx = Context::from_env();
    if !ctx.in_actions && comment.is_none() {
        return;
    }
    publish(&ctx, v, comment, annotations_to);
}

/// `perfgate comment`: a stored verdict and the pull request to post it on.
#[derive(Debug, Clone)]
pub struct StoredComment {
    /// A verdict written by `perfgate analyze --output json`.
    pub from: PathBuf,
    /// A file holding the pull request number (untrusted: the PR's head is checked before posting).
    pub pr_file: Option<PathBuf>,
    /// Separates the comments of matrix jobs.
    pub key: String,
    /// The pull request number, instead of the event's.
    pub pr: Option<u64>,
}

/// `perfgate comment --from verdict.json`: posts a stored verdict. Bad input is an error (exit 2);
/// a failure to comment is a warning.
pub fn comment_stored(args: &StoredComment) -> crate::Result<()> {
    let v = stored::read_verdict(&args.from)?;
    let pr = match &args.pr_file {
        Some(p) => Some(stored::read_pr_number(p)?),
        None => args.pr,
    };
    let ctx = Context::from_env();
    let req = CommentRequest {
        key: args.key.clone(),
        pr,
    };
    let mut warnings = Warnings {
        ctx: &ctx,
        lines: Vec::new(),
    };
    post_comment(&ctx, &v, &req, &mut warnings);
    if let (true, Some(path), false) =
        (ctx.in_actions, &ctx.step_summary, warnings.lines.is_empty())
    {
        let text: String = warnings
            .lines
            .iter()
            .map(|w| {
                format!(
                    "> [!WARNING]\n> perfgate: {}\n\n",
                    crate::escape::markdown_text(w)
                )
            })
            .collect();
        let _ = actions::append_summary(path, &text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn ctx(vars: &[(&str, &str)]) -> Context {
        let m: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Context::from_lookup(|k| m.get(k).cloned())
    }

    /// A `GITHUB_EVENT_PATH` file holding `json`, in a directory that lives as long as the returned guard.
    fn event_file(json: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let ev = dir.path().join("event.json");
        std::fs::write(&ev, json).unwrap();
        (dir, ev)
    }

    #[test]
    fn reads_pull_request_event() {
        let (_dir, ev) = event_file(
            r#"{"number":7,"pull_request":{"number":7,"head":{"sha":"0123456789abcdef0123456789abcdef01234567"}}}"#,
        );
        let c = ctx(&[
            ("GITHUB_EVENT_PATH", ev.to_str().unwrap()),
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_TOKEN", "s3cret"),
        ]);
        assert_eq!(c.pr, Some(7));
        assert_eq!(c.head_sha.as_deref().map(|s| &s[..7]), Some("0123456"));
        assert_eq!(
            c.run_url.as_deref(),
            Some("https://github.com/o/r/actions/runs/42")
        );
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn workflow_run_event_gives_pr_and_original_run() {
        let (_dir, ev) = event_file(
            r#"{"workflow_run":{"html_url":"https://github.com/o/r/actions/runs/1","head_sha":"abcdef0123","pull_requests":[{"number":3}]}}"#,
        );
        let c = ctx(&[("GITHUB_EVENT_PATH", ev.to_str().unwrap())]);
        assert_eq!(c.pr, Some(3));
        assert_eq!(
            c.run_url.as_deref(),
            Some("https://github.com/o/r/actions/runs/1")
        );
        // The footer's label names the run it links to, not this comment job's own run.
        let c = ctx(&[
            ("GITHUB_EVENT_PATH", ev.to_str().unwrap()),
            ("GITHUB_RUN_ID", "99"),
        ]);
        assert_eq!(c.run_id.as_deref(), Some("1"));
    }
}
