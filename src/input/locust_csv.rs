//! Locust `locust --headless --csv results` → `results_stats.csv`: one row per request name and method, and
//! an `Aggregated` row.
//!
//! The same benchmarks and metrics as the JSON reader ([`super::locust`]): `METHOD name`, Locust's own
//! percentile columns (`50%`, `90%`, `95%`, `99%`, `99.9%`), `Average`/`Min`/`Max Response Time`, `Request Count`, `Failure Count` and `Requests/s`.
//! Locust 1.x headers (`"Method"`, `"# requests"`, `"# failures"`) are read too. `N/A` is missing. The
//! percentiles are Locust's rounded response times (whole ms below 100 ms), recorded as their resolution.

use crate::error::ParseError;
use crate::input::endpoint_stats::{csv_fields, EndpointStats};
use crate::input::locust::{bench_name, rounding_step, AGGREGATED, PERCENTILES};
use crate::input::{lines, InputFormat, Probe};
use crate::model::Run;

/// Reader for Locust's `_stats.csv`.
pub struct LocustCsvInput;

/// The index of the first column named one of `names` (case-insensitive).
fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

fn is_header(header: &[String]) -> bool {
    column(header, &["Name"]).is_some()
        && column(header, &["Request Count", "# requests"]).is_some()
        && column(header, &["Failure Count", "# failures"]).is_some()
        && column(header, &["Median Response Time"]).is_some()
}

impl InputFormat for LocustCsvInput {
    fn id(&self) -> &'static str {
        "locust-csv"
    }

    fn tool(&self) -> &'static str {
        "locust"
    }

    fn example(&self) -> &'static str {
        "locust -f locustfile.py --headless -u 10 -t 1m --csv results   # reads results_stats.csv"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        probe
            .head()
            .lines()
            .next()
            .is_some_and(|l| is_header(&csv_fields(l.trim_end_matches('\r'))))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let text = probe.text()?;
        let mut rows = lines(text)
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = rows
            .next()
            .ok_or_else(|| ParseError::empty("no header line"))?;
        let header = csv_fields(first);
        if !is_header(&header) {
            return Err(ParseError::new(
                "line 1 is not a Locust stats header (Type,Name,Request Count,Failure Count,…)",
            ));
        }
        let col = |names: &[&str]| column(&header, names);
        let (name_col, requests_col, failures_col) = (
            col(&["Name"]),
            col(&["Request Count", "# requests"]),
            col(&["Failure Count", "# failures"]),
        );
        let method_col = col(&["Type", "Method"]);
        let (mean_col, min_col, max_col, rate_col) = (
            col(&["Average Response Time"]),
            col(&["Min Response Time"]),
            col(&["Max Response Time"]),
            col(&["Requests/s"]),
        );
        let pct_cols: Vec<(f64, Option<usize>)> = PERCENTILES
            .iter()
            .map(|&p| (p, col(&[&format!("{p}%")])))
            .collect();
        let mut run = Run::default();
        for (i, line) in rows {
            let f = csv_fields(line);
            let cell = |c: Option<usize>| c.and_then(|c| f.get(c)).map(|s| s.trim());
            let num = |c: Option<usize>| -> Result<Option<f64>, ParseError> {
                match cell(c) {
                    None | Some("" | "N/A") => Ok(None),
                    Some(s) => s.parse::<f64>().map(Some).map_err(|_| {
                        ParseError::value(format!(
                            "`{}` is not a number",
                            crate::escape::terminal(s)
                        ))
                        .at_line(i as u64 + 1)
                    }),
                }
            };
            let name = cell(name_col).unwrap_or("");
            let requests = num(requests_col)?
                .ok_or_else(|| ParseError::new("no request count").at_line(i as u64 + 1))?;
            let mut percentiles = Vec::new();
            for &(p, c) in &pct_cols {
                if let Some(v) = num(c)? {
                    percentiles.push((p, v));
                }
            }
            let stats = EndpointStats {
                percentiles,
                percentile_step: Some(rounding_step),
                mean: num(mean_col)?.filter(|_| requests > 0.0),
                min: num(min_col)?.filter(|_| requests > 0.0),
                max: num(max_col)?.filter(|_| requests > 0.0),
                requests: Some(requests),
                failures: Some(num(failures_col)?.unwrap_or(0.0)),
                rate: num(rate_col)?,
                rate_gated: false,
                overall: name == AGGREGATED && cell(method_col).unwrap_or("").is_empty(),
            };
            stats.insert(&mut run, &bench_name(cell(method_col).unwrap_or(""), name));
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(t: &str) -> Result<Run, ParseError> {
        LocustCsvInput.parse(&Probe::from_text(Path::new("r_stats.csv"), t))
    }

    #[test]
    fn old_and_new_headers() {
        let new = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\nGET,\"/a,b\",10,1,3,4.5,1,9,11,2.5,0,3,4,4,5,6,7,8,9,9,9,9\n,Aggregated,10,1,3,4.5,1,9,11,2.5,0,3,4,4,5,6,7,8,9,9,9,9\n";
        let run = parse(new).unwrap();
        let b = &run.benchmarks["GET /a,b"].metrics;
        assert_eq!(b["p95"].value, 7.0);
        assert_eq!(b["p99.9"].value, 9.0);
        assert!(!b.contains_key("p99.99"));
        assert_eq!(b["error_rate"].value, 0.1);
        assert!(run.benchmarks.contains_key("Aggregated"));
        let old = "\"Method\",\"Name\",\"# requests\",\"# failures\",\"Median response time\",\"Average response time\",\"Min response time\",\"Max response time\",\"Average Content Size\",\"Requests/s\",\"50%\",\"95%\"\n\"GET\",\"/x\",4,0,2,2,1,3,5,1.0,2,N/A\n";
        let run = parse(old).unwrap();
        let b = &run.benchmarks["GET /x"].metrics;
        assert_eq!(b["p50"].value, 2.0);
        assert!(!b.contains_key("p95"), "N/A is missing");
        assert!(parse(
            "Type,Name,Request Count,Failure Count,Median Response Time\nGET,/a,x,0,1\n"
        )
        .is_err());
        assert!(parse("a,b\n").is_err());
    }
}
