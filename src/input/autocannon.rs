//! autocannon `autocannon --json URL > result.json`: one object per run.
//!
//! One benchmark, named by `title` when set, else by the path of `url` (`/search`; the host and port are
//! dropped since they often change between runs). Latency stats keep plain names (`mean`, `p50`,
//! `p90`, `p97.5`, `p99`, `p99.9`, `min`, `max`; ms, lower is better; autocannon's `p97_5` is `p97.5`).
//! `requests_*` (req/s) and `throughput_*` (B/s) are per-second samples, higher is better: `mean`, `p2.5`
//! (the slow seconds) and `p50`. `errors`, `timeouts`, `non2xx` are counts and `error_rate` (errors /
//! attempted requests) and `non2xx_rate` (non-2xx / responses) ratios, lower is better: a run where every
//! response is a 403 has healthy-looking latency, so these must gate too.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::{json, InputFormat, Probe};
use crate::model::trials_name;
use crate::model::{Direction, Metric, Run, Trials, Unit};

/// The informational count of trials behind a ratio (for the load-test count test).
fn trials(n: Option<f64>) -> Metric {
    Metric::new(n.unwrap_or(0.0), Unit::Count, Direction::HigherIsBetter).informational()
}

/// Reader for autocannon JSON.
pub struct AutocannonInput;

const LATENCY_STATS: &[(&str, &str)] = &[
    ("mean", "mean"),
    ("min", "min"),
    ("max", "max"),
    ("p50", "p50"),
    ("p90", "p90"),
    ("p97.5", "p97_5"),
    ("p99", "p99"),
    ("p99.9", "p99_9"),
];

const RATE_STATS: &[(&str, &str)] = &[("mean", "mean"), ("p2.5", "p2_5"), ("p50", "p50")];

fn stats_object<'a>(doc: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    doc.get(key).and_then(Value::as_object)
}

/// `mean` was added next to `average` in later versions.
fn stat(obj: &Map<String, Value>, key: &str) -> Option<f64> {
    json::number(obj.get(key)).or_else(|| {
        (key == "mean")
            .then(|| json::number(obj.get("average")))
            .flatten()
    })
}

/// A URL without its scheme and host: `http://127.0.0.1:39953/slow?q=1` → `/slow?q=1`.
fn url_path(url: &str) -> String {
    let Some((_, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => rest[i..].to_string(),
        Some(i) => format!("/{}", &rest[i..]),
        None => "/".to_string(),
    }
}

/// The benchmark name: `title`, else the path of `url` (a list of URLs is joined), else the tool's name.
/// The host is dropped because it changes between runs (random local ports, preview deployments).
fn bench_name(doc: &Map<String, Value>) -> String {
    let non_empty = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(t) = non_empty(doc.get("title")) {
        return t;
    }
    match doc.get("url") {
        Some(Value::Array(urls)) => {
            let urls: Vec<String> = urls
                .iter()
                .filter_map(Value::as_str)
                .map(url_path)
                .collect();
            if urls.is_empty() {
                "autocannon".to_string()
            } else {
                urls.join(", ")
            }
        }
        other => non_empty(other)
            .map(|u| url_path(&u))
            .or_else(|| non_empty(doc.get("socketPath")))
            .unwrap_or_else(|| "autocannon".to_string()),
    }
}

impl InputFormat for AutocannonInput {
    fn id(&self) -> &'static str {
        "autocannon"
    }

    fn tool(&self) -> &'static str {
        "autocannon"
    }

    fn example(&self) -> &'static str {
        "autocannon --json http://localhost:3000/ > result.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let Some(doc) = probe.json().and_then(Value::as_object) else {
            return false;
        };
        let (Some(lat), Some(req)) = (stats_object(doc, "latency"), stats_object(doc, "requests"))
        else {
            return false;
        };
        lat.contains_key("p50")
            && (lat.contains_key("p97_5") || lat.contains_key("totalCount"))
            && req.contains_key("total")
            && (doc.contains_key("url") || doc.contains_key("throughput"))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = json::object(probe.json_result()?, "document")?;
        let section = |key: &str| match doc.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => json::object(v, key).map(Some),
        };
        let latency = section("latency")?.ok_or_else(|| ParseError::new("no `latency` object"))?;
        let requests = section("requests")?;
        let throughput = section("throughput")?;
        let bench = bench_name(doc);
        let mut run = Run::default();

        for (ours, theirs) in LATENCY_STATS {
            if let Some(v) = stat(latency, theirs) {
                let m = Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter);
                // Load tests gate percentiles: one slow request moves a fast endpoint's mean a lot, and
                // p99.9 is a handful of requests.
                let m = if *ours == "mean" || *ours == "p99.9" {
                    m.informational()
                } else {
                    m
                };
                run.insert(&bench, ours, m);
            }
        }
        for (prefix, obj, unit) in [
            ("requests", requests, Unit::PerSecond),
            ("throughput", throughput, Unit::Other("B/s".into())),
        ] {
            let Some(obj) = obj else { continue };
            for (ours, theirs) in RATE_STATS {
                if let Some(v) = stat(obj, theirs) {
                    // Reported, not gated: autocannon is a closed loop (each connection sends the next
                    // request when the last one returns), so requests/s is connections / latency and
                    // restates the latency rows, which are gated; on a fast endpoint it follows the
                    // machine's load (1 388 → 1 133 req/s between runs of unchanged code). The
                    // per-second percentiles rest on a handful of seconds besides.
                    let m = Metric::new(v, unit.clone(), Direction::HigherIsBetter).informational();
                    run.insert(&bench, &format!("{prefix}_{ours}"), m);
                }
            }
        }

        let total = requests.and_then(|r| json::number(r.get("total")));
        if let Some(t) = total {
            // Depends on the test's length, like k6's counts.
            run.insert(
                &bench,
                "requests_total",
                Metric::new(t, Unit::Count, Direction::HigherIsBetter).informational(),
            );
        }
        let count = |k: &str| json::number(doc.get(k));
        // Failure counts, judged out of the attempts (errors, timeouts) or the responses (non2xx) that
        // their rates' trials hold.
        for (key, of) in [
            ("errors", "error_rate"),
            ("timeouts", "error_rate"),
            ("non2xx", "non2xx_rate"),
        ] {
            if let Some(n) = count(key) {
                let m = Metric::new(n, Unit::Count, Direction::LowerIsBetter);
                let m = m.failures_of(&bench, &trials_name(of), Trials::Requests);
                run.insert(&bench, key, m);
            }
        }
        let ratio = |num: Option<f64>, den: Option<f64>| {
            let (num, den) = (num?, den.filter(|d| *d > 0.0)?);
            Some(Metric::new(
                num / den,
                Unit::Ratio,
                Direction::LowerIsBetter,
            ))
        };
        // Errors (connection errors, timeouts) never produced a response, so they add to the attempts.
        let attempts = total.map(|t| t + count("errors").unwrap_or(0.0));
        if let Some(m) = ratio(count("errors"), attempts) {
            run.insert(&bench, "error_rate", m);
            run.insert(&bench, &trials_name("error_rate"), trials(attempts));
        }
        if let Some(m) = ratio(count("non2xx"), total) {
            run.insert(&bench, "non2xx_rate", m);
            run.insert(&bench, &trials_name("non2xx_rate"), trials(total));
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::{read_file, shared_formats};

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        let files = shared_formats::read_json("autocannon", "autocannon");
        // One file carries no licence: it is read only with the outside corpus.
        assert_eq!(files.len(), shared_formats::count(1, 1));
        for (_, d, run) in files {
            let name = match d["title"].as_str() {
                Some(t) => t.to_string(),
                None => url_path(d["url"].as_str().unwrap()),
            };
            let b = &run.benchmarks[&name].metrics;
            for (ours, theirs) in LATENCY_STATS {
                assert_eq!(
                    b[*ours].value,
                    d["latency"][theirs].as_f64().unwrap(),
                    "{ours}"
                );
                assert_eq!(b[*ours].unit, Unit::Milliseconds);
                assert_eq!(b[*ours].direction, Direction::LowerIsBetter);
            }
            for (ours, theirs) in RATE_STATS {
                let r = &b[&format!("requests_{ours}")];
                assert_eq!(r.value, d["requests"][theirs].as_f64().unwrap());
                assert_eq!(r.direction, Direction::HigherIsBetter);
                let t = &b[&format!("throughput_{ours}")];
                assert_eq!(t.value, d["throughput"][theirs].as_f64().unwrap());
                assert_eq!(t.unit.as_str(), "B/s");
            }
            for key in ["errors", "timeouts", "non2xx"] {
                assert_eq!(b[key].value, d[key].as_f64().unwrap());
                assert!(b[key].gated);
            }
            assert_eq!(
                b["non2xx_rate"].value,
                d["non2xx"].as_f64().unwrap() / d["requests"]["total"].as_f64().unwrap()
            );
        }
    }

    #[test]
    fn all_403_run_has_a_failing_non2xx_rate() {
        let Some(path) = crate::input::shared_formats::file(
            "autocannon/dhardestylewis_homecastr_autocannon_all-403.json",
        ) else {
            return;
        };
        let run = read_file(&path, None).unwrap();
        let b = &run.benchmarks["/"].metrics;
        assert_eq!(b["non2xx_rate"].value, 1.0);
        assert_eq!(b["error_rate"].value, 0.0);
        assert_eq!(b["p99"].value, 1202.0);
        assert_eq!(b["p97.5"].value, 990.0);
    }

    #[test]
    fn names_and_malformed_input() {
        let parse = |t: &str| AutocannonInput.parse(&Probe::from_text(Path::new("a.json"), t));
        let run = parse(r#"{"url":["http://a","http://b:80/b/"],"latency":{"p50":1,"mean":null},"requests":{"total":0}}"#)
            .unwrap();
        let b = &run.benchmarks["/, /b/"].metrics;
        assert!(!b.contains_key("mean"), "null is missing, not 0");
        assert!(!b.contains_key("non2xx_rate"), "no responses, no rate");
        let run =
            parse(r#"{"title":"","url":"http://x:8080/x","latency":{"average":2.5}}"#).unwrap();
        assert_eq!(run.metric("/x", "mean").unwrap().value, 2.5);
        assert_eq!(url_path("http://h:1?q=1"), "/?q=1");
        assert_eq!(url_path("/local"), "/local");
        assert!(parse(r#"{"latency":3}"#).is_err());
        assert!(parse(r#"{"url":"x"}"#).is_err());
        assert!(parse(r#"{"latency":{},"requests":[1]}"#).is_err());
    }
}
