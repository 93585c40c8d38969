//! `perfgate pull`: a k6 test run stored in Prometheus (remote-write output) into a perfgate snapshot
//! file, which every other command reads like a result file.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::baseline::Snapshot;
use crate::error::{Error, Result};
use crate::input::prometheus::{run_from_series, Series};
use crate::model::Source;
use crate::prom::{agent, display_url, http_error};
use crate::time::parse_rfc3339_nanos;

/// The unit k6's time trends have in Prometheus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrendUnit {
    /// What the remote-write output sends.
    #[default]
    Seconds,
    Milliseconds,
}

/// Which k6 run to read, and where to write it.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// Prometheus base URL, e.g. http://localhost:9090.
    pub prometheus_url: String,
    /// The k6 run's `testid` label value.
    pub testid: String,
    /// Window start (RFC 3339 or Unix seconds); `None`: `end` minus `lookback`.
    pub start: Option<String>,
    /// Window end (RFC 3339 or Unix seconds); `None`: now.
    pub end: Option<String>,
    /// Window length when `start` is not given.
    pub lookback: Duration,
    pub time_unit: TrendUnit,
    /// Name recorded in the snapshot; `None`: the testid.
    pub name: Option<String>,
    /// The file to write (a perfgate snapshot).
    pub output: PathBuf,
    /// Bearer token, sent only in the Authorization header.
    pub token: Option<crate::secret::Token>,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    pub benchmarks: usize,
    pub metrics: usize,
    /// Series Prometheus returned.
    pub series: usize,
    /// Metrics that span several series; the worse value is kept, not gated.
    pub approximate: Vec<String>,
}

fn parse_time(flag: &str, s: &str) -> Result<f64> {
    if let Ok(secs) = s.trim().parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(secs);
        }
    }
    #[allow(clippy::cast_precision_loss)]
    parse_rfc3339_nanos(s)
        .map(|ns| ns as f64 / 1e9)
        .ok_or_else(|| {
            Error::Usage(format!(
                "--{flag} {s:?}: not an RFC 3339 time or Unix seconds"
            ))
        })
}

/// The series of a Prometheus `matrix` result.
pub fn parse_matrix(doc: &Value) -> std::result::Result<Vec<Series>, String> {
    if doc["status"].as_str() != Some("success") {
        let err = doc["error"].as_str().unwrap_or("no status");
        return Err(format!("query failed: {err}"));
    }
    let Some(result) = doc["data"]["result"].as_array() else {
        return Err("response has no data.result".to_string());
    };
    let mut out = Vec::new();
    for r in result {
        let labels: BTreeMap<String, String> = r["metric"]
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let samples = r["values"]
            .as_array()
            .map(|vs| {
                vs.iter()
                    .filter_map(|p| {
                        let t = p.get(0)?.as_f64()?;
                        let v: f64 = p.get(1)?.as_str()?.parse().ok()?;
                        v.is_finite().then_some((t, v))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Series { labels, samples });
    }
    Ok(out)
}

/// Reads every k6 series of the test run in the window and writes them as a snapshot file.
pub fn pull(args: &PullOptions) -> Result<Pulled> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64();
    let end = match &args.end {
        Some(e) => parse_time("end", e)?,
        None => now,
    };
    let start = match &args.start {
        Some(s) => parse_time("start", s)?,
        None => end - args.lookback.as_secs_f64(),
    };
    if start >= end {
        return Err(Error::Usage("--start must be before --end".to_string()));
    }
    // Whole seconds: a range selector takes a duration, and a sample at `start` belongs to the window.
    let range = (end - start).ceil().max(1.0);
    let query = format!(
        "{{__name__=~\"k6_.+\",testid=\"{}\"}}[{range}s]",
        crate::escape::prometheus_string(&args.testid)
    );
    let url = format!("{}/api/v1/query", args.prometheus_url.trim_end_matches('/'));
    let mut req = agent()
        .get(&url)
        .query("query", &query)
        .query("time", &format!("{end:.3}"));
    if let Some(t) = &args.token {
        req = req.set("Authorization", &format!("Bearer {}", t.expose()));
    }
    let resp = req.call().map_err(|e| http_error(&url, e))?;
    let text = resp
        .into_string()
        .map_err(|e| Error::remote(display_url(&url), format!("reading the response: {e}")))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| Error::remote(display_url(&url), format!("invalid JSON response: {e}")))?;
    let series = parse_matrix(&doc).map_err(|e| Error::remote(display_url(&url), e))?;
    let scale = match args.time_unit {
        TrendUnit::Seconds => 1000.0,
        TrendUnit::Milliseconds => 1.0,
    };
    let (mut run, approximate) = run_from_series(&series, scale);
    if run.benchmarks.is_empty() {
        return Err(Error::remote(
            display_url(&args.prometheus_url),
            format!(
                "no k6 series with testid {:?} between {} and {} (k6 -o experimental-prometheus-rw --tag testid=…)",
                crate::escape::terminal(&args.testid),
                fmt_time(start),
                fmt_time(end)
            ),
        ));
    }
    run.sources.push(Source {
        path: format!(
            "{} testid={}",
            display_url(&args.prometheus_url),
            args.testid
        ),
        format: "prometheus".to_string(),
        tool: "k6".to_string(),
    });
    let name = args.name.clone().unwrap_or_else(|| args.testid.clone());
    let snapshot = Snapshot::new(&name, run);
    crate::baseline::write_snapshot(&args.output, &snapshot)?;
    Ok(Pulled {
        benchmarks: snapshot.run.benchmarks.len(),
        metrics: snapshot.run.metric_count(),
        series: series.len(),
        approximate,
    })
}

fn fmt_time(secs: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let t = UNIX_EPOCH + Duration::from_secs(secs.max(0.0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("end", "1700000000").unwrap(), 1_700_000_000.0);
        assert_eq!(
            parse_time("end", "2023-11-14T22:13:20Z").unwrap(),
            1_700_000_000.0
        );
        assert!(parse_time("end", "yesterday").is_err());
    }

    #[test]
    fn the_options_never_show_the_token() {
        let opts = PullOptions {
            prometheus_url: "http://127.0.0.1:9090".into(),
            testid: "t".into(),
            start: None,
            end: None,
            lookback: Duration::from_secs(60),
            time_unit: TrendUnit::Milliseconds,
            name: None,
            output: "x.json".into(),
            token: crate::secret::Token::new("prom-secret-0123456789".into()),
        };
        let shown = format!("{opts:?}");
        assert!(!shown.contains("prom-secret"), "{shown}");
        assert!(shown.contains("Token(***)"), "{shown}");
    }

    #[test]
    fn matrix_errors_are_reported() {
        let doc = serde_json::json!({"status":"error","error":"bad query"});
        assert!(parse_matrix(&doc).unwrap_err().contains("bad query"));
    }
}
