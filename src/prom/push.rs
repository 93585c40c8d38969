//! `perfgate push`: a stored verdict's metrics to a Prometheus Pushgateway, grouped by job and branch.

use crate::error::{Error, Result};
use crate::prom::{agent, base64url, display_url, encode_segment, http_error};
use crate::report::openmetrics;

/// Where to push a verdict.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Pushgateway base URL, e.g. http://localhost:9091.
    pub pushgateway: String,
    /// The `job` grouping label.
    pub job: String,
    /// The `branch` grouping label (omitted when `None`).
    pub branch: Option<String>,
    /// Bearer token, sent only in the Authorization header.
    pub token: Option<crate::secret::Token>,
}

/// What was pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub comparisons: usize,
    /// The group's URL, without credentials or query: safe to print.
    pub url: String,
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

/// Replaces the Pushgateway group of `opts.job` and `opts.branch` with the verdict's metrics.
pub fn push(verdict: &crate::verdict::Verdict, opts: &PushOptions) -> Result<Pushed> {
    if opts.job.is_empty() {
        return Err(Error::Usage("--job must not be empty".to_string()));
    }
    let url = push_url(&opts.pushgateway, &opts.job, opts.branch.as_deref());
    let mut req = agent()
        .put(&url)
        .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    if let Some(t) = &opts.token {
        req = req.set("Authorization", &format!("Bearer {}", t.expose()));
    }
    req.send_string(&body(verdict))
        .map_err(|e| http_error(&url, e))?;
    Ok(Pushed {
        comparisons: verdict.comparisons.len(),
        url: display_url(&url),
    })
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
