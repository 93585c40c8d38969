//! `perfgate analyze` and `perfgate comment`: a [`Request`] from the arguments, the verdict rendered on
//! stdout, the GitHub side (annotations, comment, job summary), and the exit code.

use std::io::{self, Write};
use std::path::Path;

use perfgate::analyze::{BaselineSource, Request};
use perfgate::error::Result;
use perfgate::github::{self, CommentRequest};
use perfgate::report::{OutputFormat, RenderOptions};
use perfgate::verdict::Verdict;

use super::args::{AnalyzeArgs, CommentArgs, CommentTarget, ReportArgs};
use super::{stdout_err, EXIT_GATE_FAILED, EXIT_PASS};

pub fn run(
    args: &AnalyzeArgs,
    baselines_dir: &Path,
    color: bool,
    out: &mut dyn Write,
) -> Result<u8> {
    let baseline = match (&args.baseline_ref, &args.baseline) {
        (Some(branch), _) => BaselineSource::MergeBase {
            branch: branch.clone(),
            repo: ".".into(),
        },
        (None, Some(arg)) => BaselineSource::NameOrPath(arg.clone()),
        (None, None) => BaselineSource::Latest,
    };
    let request = Request {
        files: args.files.clone(),
        input: args.input.options(),
        baselines_dir: baselines_dir.to_path_buf(),
        baseline,
        policy: args.report.policy(),
        fail_on: args.report.fail_on,
        labels: None,
        ab: None,
    };
    let verdict = perfgate::analyze(&request)?;
    report(
        &verdict,
        &args.report,
        comment_request(args.comment, &args.github),
        color,
        out,
    )
}

/// The sticky comment asked for with `--comment`.
pub fn comment_request(comment: bool, target: &CommentTarget) -> Option<CommentRequest> {
    comment.then(|| CommentRequest {
        key: target.comment_key.clone(),
        pr: target.pr,
    })
}

/// Renders the verdict on stdout, then does the GitHub part; returns the exit code the verdict decides.
pub fn report(
    verdict: &Verdict,
    args: &ReportArgs,
    comment: Option<CommentRequest>,
    color: bool,
    out: &mut dyn Write,
) -> Result<u8> {
    let opts = RenderOptions {
        color,
        all: args.all,
    };
    let code = if verdict.gate_failed() {
        EXIT_GATE_FAILED
    } else {
        EXIT_PASS
    };
    let format = args.output;
    let result = match format
        .renderer_for(github::RunInfo::from(&github::Context::from_env()))
        .render(verdict, &opts, out)
        .and_then(|()| out.flush())
    {
        Ok(()) => Ok(code),
        // The verdict stands even when the reader of stdout went away.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(stdout_err(e)),
    };
    // GitHub output (annotations, comment, job summary) only warns; the exit code is already decided.
    // Markdown, JSON and XML on stdout are usually redirected to a file and must stay clean; the runner
    // reads workflow commands on stderr too.
    let table = args.output == OutputFormat::Table;
    github::after_analyze(verdict, comment.as_ref(), table.then_some(out));
    result
}

/// `perfgate comment`.
pub fn comment(args: &CommentArgs) -> Result<()> {
    github::comment_stored(&github::StoredComment {
        from: args.from.clone(),
        pr_file: args.pr_file.clone(),
        key: args.github.comment_key.clone(),
        pr: args.github.pr,
    })
}
