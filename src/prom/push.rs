//! `perfgate push`: a stored verdict's metrics to a Prometheus Pushgateway, grouped by job and branch.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::prom::{agent, base64url, display_url, encode_segment, http_error, token};
use crate::report::openmetrics;

pub const PUSH_HELP: &str = "\
Example:
  perfgate analyze --output json k6-summary.json > verdict.json
  perfgate push --pushgateway http://pushgateway:9091 --from verdict.json --branch \"$GITHUB_REF_NAME\"

Replaces the group /metrics/job/<job>/branch/<branch> (PUT). An optional bearer token is read from
PERFGATE_PUSHGATEWAY_TOKEN and never printed.";

/// `perfgate push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Pushgateway base URL, e.g. http://localhost:9091.
    #[arg(long, env = "PERFGATE_PUSHGATEWAY_URL", value_name = "URL")]
    pub pushgateway: String,
    /// A verdict written by `perfgate analyze --output json`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The `job` grouping label.
    #[arg(long, default_value = "perfgate")]
    pub job: String,
    /// The `branch` grouping label (omitted when not given).
    #[arg(long, env = "PERFGATE_BRANCH", value_name = "B")]
    pub branch: Option<String>,
}

/// One grouping-key path element: `/name/value`, or `/name@base64/…` where plain encoding cannot carry it.
fn group_element(name: &str, value: &str) -> String {
    if value.is_empty() || value.contains('/') {
        let v = if value.is_empty() {
            "=".to_string()
        } else {
            base64url(value.as_bytes())
        };
        format!("/{name}@base64/{v}")
    } else {
        format!("/{name}/{}", encode_segment(value))
    }
}

/// The push URL for a job and optional branch.
pub fn push_url(base: &str, job: &str, branch: Option<&str>) -> String {
    let mut url = format!(
        "{}/metrics{}",
        base.trim_end_matches('/'),
        group_element("job", job)
    );
    if let Some(b) = branch {
        url.push_str(&group_element("branch", b));
    }
    url
}

/// The Pushgateway reads the classic text format: the OpenMetrics text without `# UNIT` and `# EOF`.
pub fn body(verdict: &crate::verdict::Verdict) -> String {
    openmetrics::render(verdict)
        .lines()
        .filter(|l| !l.starts_with("# UNIT ") && *l != "# EOF")
        .map(|l| format!("{l}\n"))
        .collect()
}

pub fn run(args: &PushArgs, out: &mut dyn Write) -> Result<u8> {
    if args.job.is_empty() {
        return Err(Error::Usage("--job must not be empty".to_string()));
    }
    let verdict = crate::github::stored::read_verdict(&args.from)?;
    let url = push_url(&args.pushgateway, &args.job, args.branch.as_deref());
    let mut req = agent()
        .put(&url)
        .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    if let Some(t) = token("PERFGATE_PUSHGATEWAY_TOKEN") {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    req.send_string(&body(&verdict))
        .map_err(|e| http_error(&url, e))?;
    writeln!(
        out,
        "pushed {} comparisons to {}",
        verdict.comparisons.len(),
        display_url(&url)
    )
    .map_err(|e| Error::io(std::path::Path::new("<stdout>"), e))?;
    Ok(crate::app::EXIT_PASS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_key_is_encoded() {
        assert_eq!(
            push_url("http://h:9091/", "perfgate", Some("feature/x")),
            "http://h:9091/metrics/job/perfgate/branch@base64/ZmVhdHVyZS94"
        );
        assert_eq!(
            push_url("http://h:9091", "a b", Some("")),
            "http://h:9091/metrics/job/a%20b/branch@base64/="
        );
        assert_eq!(push_url("http://h", "j", None), "http://h/metrics/job/j");
    }
}
