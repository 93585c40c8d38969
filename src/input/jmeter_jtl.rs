//! JMeter `jmeter -n -t plan.jmx -l results.jtl`: the CSV results file, one line per sample.
//!
//! Streamed in bounded memory like k6's NDJSON: each line is read (at most [`MAX_LINE`] bytes), and each
//! label keeps a count and a histogram sketch ([`crate::stats::sketch`]: exact up to 1024 samples, then
//! within 0.049 % of the exact type-7 percentile) of `elapsed` (ms). Labels beyond the `max_series` cap
//! ([`crate::input::series_cap`]) are counted in `Total` only, with one warning, so memory does not grow
//! with the number of distinct labels (a plan that labels samples by URL).
//!
//! One benchmark per label, plus `Total` over every sample (the name JMeter's dashboard gives it, so that
//! `statistics.json` and the JTL of one run read alike): type-7 `p50`, `p90`, `p95`, `p99`, `p99.9`,
//! `mean`, `min`, `max`, `count`, `failures` (samples whose `success` is `false`: JMeter marks 4xx/5xx and
//! failed assertions so), `error_rate`, and `rate` = samples / (last end − first start), JMeter's
//! throughput, reported only (JMeter's threads are a closed loop). Metrics as in
//! [`super::endpoint_stats`]. Like k6's NDJSON, each label's samples are also kept per second of
//! `timeStamp` (k6 NDJSON's `Windows`), so its gated percentiles carry their values over ten consecutive
//! time batches and one run per side is judged on the run's own variation over time.
//!
//! The header line (JMeter's default since 3.0; `jmeter.save.saveservice.print_field_names=true` before)
//! is what detection keys on. A file without one is read with `--format jmeter-jtl` in JMeter's default
//! column order (`timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success`).
//! The XML flavour of JTL is not read.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use crate::error::ParseError;
use crate::input::endpoint_stats::{csv_fields, EndpointStats};
use crate::input::k6_ndjson::windows::Windows;
use crate::input::series_cap::SeriesCap;
use crate::input::{InputFormat, Probe};
use crate::model::Run;
use crate::stats::sketch::Summary;

/// Reader for JMeter's CSV results (JTL).
pub struct JmeterJtlInput;

/// The longest line read; a longer one is an error, not an unbounded buffer.
pub const MAX_LINE: usize = 1 << 20;

/// The benchmark over every sample.
pub(crate) const TOTAL: &str = "Total";

const PERCENTILES: &[f64] = &[50.0, 90.0, 95.0, 99.0, 99.9];

/// JMeter's default CSV columns, for a file written without its header.
const DEFAULT_COLUMNS: &[&str] = &[
    "timeStamp",
    "elapsed",
    "label",
    "responseCode",
    "responseMessage",
    "threadName",
    "dataType",
    "success",
];

/// Where the read columns are.
struct Columns {
    time: Option<usize>,
    elapsed: usize,
    label: usize,
    success: Option<usize>,
}

impl Columns {
    fn from_header(fields: &[String]) -> Option<Columns> {
        let at = |name: &str| fields.iter().position(|f| f.trim() == name);
        Some(Columns {
            time: at("timeStamp"),
            elapsed: at("elapsed")?,
            label: at("label")?,
            success: at("success"),
        })
    }

    fn default_order() -> Columns {
        let fields: Vec<String> = DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect();
        Columns::from_header(&fields).unwrap_or(Columns {
            time: Some(0),
            elapsed: 1,
            label: 2,
            success: Some(7),
        })
    }
}

fn is_header(line: &str) -> bool {
    let f = csv_fields(line.trim_end_matches(['\r', '\n']));
    f.iter().any(|c| c == "timeStamp") && Columns::from_header(&f).is_some()
}

/// One label's samples.
#[derive(Default)]
struct Label {
    elapsed: Summary,
    failures: u64,
    /// First sample start and last sample end, ms since the epoch.
    first: Option<f64>,
    last: Option<f64>,
    /// Per-second windows for the batch evidence, as k6 NDJSON keeps them (not for `Total`).
    windows: Option<Windows>,
}

impl Label {
    fn add(&mut self, elapsed: f64, ok: bool, start: Option<f64>) {
        self.elapsed.add(elapsed);
        if !ok {
            self.failures += 1;
        }
        if let (Some(t), Some(w)) = (start, self.windows.as_mut()) {
            #[allow(clippy::cast_possible_truncation)]
            w.add((t / 1000.0).floor() as i64, elapsed);
        }
        if let Some(t) = start {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            let end = t + elapsed;
            self.last = Some(self.last.map_or(end, |l| l.max(end)));
        }
    }

    /// Writes the label's metrics, with each gated percentile's values over ten consecutive time batches
    /// of the run (`Metric::batches`), so that one run per side is judged on its own variation over time.
    fn insert(mut self, run: &mut Run, bench: &str, overall: bool) {
        let windows = self.windows.take();
        self.stats(overall).insert(run, bench);
        let Some(batches) = windows.and_then(Windows::batches) else {
            return;
        };
        for (name, values) in batches {
            if let Some(m) = run
                .benchmarks
                .get_mut(bench)
                .and_then(|b| b.metrics.get_mut(name))
            {
                m.batches = values;
            }
        }
    }

    fn stats(mut self, overall: bool) -> EndpointStats {
        #[allow(clippy::cast_precision_loss)]
        let n = self.elapsed.count() as f64;
        let qs: Vec<f64> = PERCENTILES.iter().map(|p| p / 100.0).collect();
        let percentiles = PERCENTILES
            .iter()
            .zip(self.elapsed.quantiles(&qs))
            .filter_map(|(p, v)| v.map(|v| (*p, v)))
            .collect();
        let span_s = match (self.first, self.last) {
            (Some(f), Some(l)) if l > f => Some((l - f) / 1000.0),
            _ => None,
        };
        #[allow(clippy::cast_precision_loss)]
        EndpointStats {
            percentiles,
            // JMeter writes `elapsed` in whole milliseconds.
            percentile_step: Some(|_| 1.0),
            mean: (n > 0.0).then(|| self.elapsed.sum() / n),
            min: self.elapsed.min(),
            max: self.elapsed.max(),
            requests: Some(n),
            failures: Some(self.failures as f64),
            rate: span_s.map(|s| n / s),
            rate_gated: false,
            overall,
        }
    }
}

/// Reads one line of at most [`MAX_LINE`] bytes into `buf`; `Ok(false)` at the end of the input.
fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, n: u64) -> Result<bool, ParseError> {
    buf.clear();
    let read = reader
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', buf)
        .map_err(|e| ParseError::syntax(format!("read failed: {e}")).at_line(n))?;
    if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
        return Err(ParseError::syntax(format!("line longer than {MAX_LINE} bytes")).at_line(n));
    }
    Ok(read > 0)
}

impl InputFormat for JmeterJtlInput {
    fn id(&self) -> &'static str {
        "jmeter-jtl"
    }

    fn tool(&self) -> &'static str {
        "jmeter"
    }

    fn example(&self) -> &'static str {
        "jmeter -n -t plan.jmx -l results.jtl"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        let head = head.strip_prefix('\u{feff}').unwrap_or(head);
        head.lines().next().is_some_and(is_header)
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let mut reader = probe.reader()?;
        let mut buf = Vec::new();
        let mut cap = SeriesCap::default();
        let mut labels: HashMap<String, Label> = HashMap::new();
        let mut total = Label::default();
        let (mut dropped, mut dropped_example) = (0u64, None::<String>);
        let mut columns = None;
        let mut n = 0u64;
        while read_line(&mut *reader, &mut buf, n + 1)? {
            n += 1;
            let text = std::str::from_utf8(&buf)
                .map_err(|_| ParseError::syntax("not UTF-8 text").at_line(n))?;
            let text = if n == 1 {
                text.strip_prefix('\u{feff}').unwrap_or(text)
            } else {
                text
            };
            let line = text.trim_end_matches(['\r', '\n']);
            if line.trim().is_empty() {
                continue;
            }
            let cols = match &columns {
                Some(c) => c,
                None => {
                    if line.trim_start().starts_with('<') {
                        return Err(ParseError::new(
                            "an XML JTL; perfgate reads the CSV one (jmeter.save.saveservice.output_format=csv, JMeter's default)",
                        ));
                    }
                    let f = csv_fields(line);
                    let is_head = f.iter().any(|c| c == "timeStamp");
                    let c = match Columns::from_header(&f) {
                        Some(c) if is_head => c,
                        _ if is_head => {
                            return Err(ParseError::new(
                                "the header has no `elapsed` and `label` columns",
                            )
                            .at_line(n))
                        }
                        _ => Columns::default_order(),
                    };
                    columns = Some(c);
                    if is_head {
                        continue;
                    }
                    columns.as_ref().unwrap_or_else(|| unreachable!())
                }
            };
            let f = csv_fields(line);
            let field = |i: usize| f.get(i).map(|s| s.trim());
            let elapsed: f64 = field(cols.elapsed)
                .and_then(|s| s.parse().ok())
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    ParseError::value(format!(
                        "`elapsed` {:?} is not a duration in ms (a JMeter CSV results line?)",
                        crate::escape::terminal(field(cols.elapsed).unwrap_or(""))
                    ))
                    .at_line(n)
                })?;
            let label =
                field(cols.label).ok_or_else(|| ParseError::new("no `label` field").at_line(n))?;
            let ok = cols
                .success
                .and_then(field)
                .is_none_or(|s| !s.eq_ignore_ascii_case("false"));
            // Epoch milliseconds (JMeter's default timestamp format); anything else gives no rate.
            let start = cols
                .time
                .and_then(field)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|t| t.is_finite());
            total.add(elapsed, ok, start);
            if label == TOTAL {
                continue; // `Total` is the benchmark over every sample; a label of that name stays in it.
            }
            if let Some(l) = labels.get_mut(label) {
                l.add(elapsed, ok, start);
            } else if cap.admit(&format!("jmeter{{label:{label}}}")) {
                let mut l = Label {
                    windows: Some(Windows::default()),
                    ..Label::default()
                };
                l.add(elapsed, ok, start);
                labels.insert(label.to_string(), l);
            } else {
                dropped += 1;
                dropped_example.get_or_insert_with(|| label.chars().take(80).collect());
            }
        }
        if let Some(example) = dropped_example {
            eprintln!(
                "perfgate: warning: {}: more than {} distinct JMeter labels; {dropped} samples of further labels (e.g. `{}`) are counted in `{TOTAL}` but not kept as benchmarks. Name samplers by endpoint, not by URL, or raise max_series in perfgate.toml",
                crate::escape::terminal(&probe.path().display().to_string()),
                crate::input::series_cap::max_series(),
                crate::escape::terminal(&example),
            );
        }
        let mut run = Run::default();
        if total.elapsed.count() == 0 {
            return Ok(run);
        }
        for (name, l) in labels {
            l.insert(&mut run, &name, false);
        }
        total.insert(&mut run, TOTAL, true);
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::FAILURES;

    fn parse(t: &str) -> Result<Run, ParseError> {
        JmeterJtlInput.parse(&Probe::from_text(Path::new("r.jtl"), t))
    }

    #[test]
    fn labels_failures_and_throughput() {
        let t = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes\n\
                 1000,10,search,200,OK,t 1-1,text,true,5\n\
                 1500,30,search,500,\"Server, Error\",t 1-1,text,false,5\n\
                 2000,5,health,200,OK,t 1-1,text,true,5\n";
        let run = parse(t).unwrap();
        let s = &run.benchmarks["search"].metrics;
        assert_eq!(s["p50"].value, 20.0);
        assert_eq!(s[FAILURES].value, 1.0);
        assert_eq!(s["error_rate"].value, 0.5);
        // 2 samples from 1000 to 1530 ms.
        assert!((s["rate"].value - 2.0 / 0.53).abs() < 1e-9);
        let total = &run.benchmarks[TOTAL].metrics;
        assert_eq!(total["count"].value, 3.0);
        assert!(!total["p95"].gated && total[FAILURES].gated);
    }

    #[test]
    fn headerless_file_in_default_order_and_bad_lines() {
        let run = parse("1000,10,a,200,OK,t,text,true,5,1,1,9\n").unwrap();
        assert_eq!(run.benchmarks["a"].metrics["p50"].value, 10.0);
        let e = parse("timeStamp,elapsed,label\n1,x,a\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e:?}");
        assert!(parse("timeStamp,foo\n1,2\n").is_err());
        assert!(parse("<?xml version=\"1.0\"?>\n<testResults>\n").is_err());
        assert!(parse("timeStamp,elapsed,label\n1,-3,a\n").is_err());
        assert!(parse("timeStamp,elapsed,label\n")
            .unwrap()
            .benchmarks
            .is_empty());
    }

    #[test]
    fn a_line_past_the_limit_is_an_error() {
        let long = format!(
            "timeStamp,elapsed,label\n1,2,{}\n",
            "x".repeat(MAX_LINE + 10)
        );
        let e = parse(&long).unwrap_err();
        assert!(e.message.contains("longer than"), "{e:?}");
    }
}
