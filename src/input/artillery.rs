//! Artillery `artillery run --output report.json script.yml`, 2.x and 1.x report shapes (told apart by
//! structure: 2.x `aggregate` has `counters`/`summaries`, 1.x has `latency`/`scenariosCreated`).
//!
//! Only `aggregate` is read. Both versions map to the same benchmark names so that a baseline survives an
//! Artillery upgrade:
//! - `http.response_time` (2.x summary; 1.x `latency`) and `vusers.session_length` (1.x `scenarioDuration`):
//!   ms, lower is better. `http.response_time{endpoint:/path}` comes from the metrics-by-endpoint plugin.
//!   Other 2.x summaries keep their names (`http.response_time.2xx`, custom histograms).
//! - `http.requests`: `rate` (req/s, gated), `count` (informational), `error_rate` (errors / requests).
//!   In 2.x the rate is `http.requests` over `firstCounterAt`..`lastCounterAt`, not Artillery's
//!   `http.request_rate` (see below); 1.x has `rps.mean`.
//! - `errors.<code>` (`ETIMEDOUT`, …), `http.codes.<status>` (4xx/5xx gated), `vusers.failed` (`count` and
//!   `error_rate` = failed / created): lower is better. An all-failed run has no latency at all, so these
//!   are what fails the gate.
//!
//! 2.x quantiles come from a DDSketch (±1 %) and are rounded to 0.1 ms. 1.x `latency` values are ms, but
//! raw `intermediate[].latencies` are nanoseconds; they give `mean` (and samples) only when complete.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::{json, units, InputFormat, Probe};
use crate::model::trials_name;
use crate::model::{Direction, Metric, Run, Trials, Unit};

/// Reader for Artillery report JSON.
pub struct ArtilleryInput;

const RESPONSE_TIME: &str = "http.response_time";
const SESSION_LENGTH: &str = "vusers.session_length";
const REQUESTS: &str = "http.requests";
const VUSERS_FAILED: &str = "vusers.failed";
const BY_ENDPOINT: &str = "plugins.metrics-by-endpoint.";

/// perfgate stat name → Artillery keys, first present wins (1.x and 2.x both have `median`).
const STATS: &[(&str, &[&str])] = &[
    ("min", &["min"]),
    ("max", &["max"]),
    ("mean", &["mean"]),
    ("p50", &["p50", "median"]),
    ("p90", &["p90"]),
    ("p95", &["p95"]),
    ("p99", &["p99"]),
];

fn is_v2(agg: &Map<String, Value>) -> bool {
    ["counters", "summaries", "histograms"]
        .iter()
        .any(|k| agg.get(*k).is_some_and(Value::is_object))
}

fn is_v1(agg: &Map<String, Value>) -> bool {
    agg.get("latency").is_some_and(Value::is_object)
        || agg.contains_key("scenariosCreated")
        || agg.contains_key("requestsCompleted")
}

impl InputFormat for ArtilleryInput {
    fn id(&self) -> &'static str {
        "artillery"
    }

    fn tool(&self) -> &'static str {
        "artillery"
    }

    fn example(&self) -> &'static str {
        "artillery run --output report.json script.yml"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        probe
            .json()
            .and_then(|d| d.get("aggregate"))
            .and_then(Value::as_object)
            .is_some_and(|agg| is_v2(agg) || is_v1(agg))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        let agg = doc
            .get("aggregate")
            .ok_or_else(|| ParseError::new("no `aggregate` object"))?;
        let agg = json::object(agg, "aggregate")?;
        let mut run = Run::default();
        // 1.x reports may carry an empty `counters` too, so the 1.x markers decide first.
        if is_v1(agg) {
            parse_v1(&mut run, agg, doc.get("intermediate"))?;
        } else if is_v2(agg) {
            parse_v2(&mut run, agg)?;
        } else {
            return Err(ParseError::new(
                "`aggregate` has neither 2.x `counters`/`summaries` nor 1.x `latency`",
            ));
        }
        Ok(run)
    }
}

/// Adds a latency-like summary (`min`, `max`, `mean`, `p50`, …) as one benchmark.
fn add_summary(
    run: &mut Run,
    bench: &str,
    summary: &Map<String, Value>,
    unit: &Unit,
    direction: Direction,
) {
    for (name, keys) in STATS {
        if let Some(v) = keys.iter().find_map(|k| json::number(summary.get(*k))) {
            let m = Metric::new(v, unit.clone(), direction);
            // One slow request moves a fast endpoint's mean a lot; load tests gate percentiles.
            let m = if *name == "mean" {
                m.informational()
            } else {
                m
            };
            run.insert(bench, name, m);
        }
    }
    if let Some(c) = json::number(summary.get("count")) {
        run.insert(
            bench,
            "count",
            Metric::new(c, Unit::Count, Direction::HigherIsBetter).informational(),
        );
    }
}

fn count_metric(gated_lower: bool, n: f64) -> Metric {
    if gated_lower {
        Metric::new(n, Unit::Count, Direction::LowerIsBetter)
    } else {
        Metric::new(n, Unit::Count, Direction::HigherIsBetter).informational()
    }
}

fn ratio(num: f64, den: Option<f64>) -> Option<Metric> {
    let den = den.filter(|d| *d > 0.0)?;
    Some(Metric::new(
        num / den,
        Unit::Ratio,
        Direction::LowerIsBetter,
    ))
}

/// Client errors and server errors are failures; 1xx–3xx are only reported.
fn is_failure_status(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5')
}

fn add_code(run: &mut Run, code: &str, endpoint: Option<&str>, n: f64) {
    let m = count_metric(is_failure_status(code), n);
    let m = if is_failure_status(code) {
        failures(m, endpoint)
    } else {
        m
    };
    run.insert(
        &with_endpoint(&format!("http.codes.{code}"), endpoint),
        "count",
        m,
    );
}

/// An error counter (`errors.<code>`, overall or of one endpoint).
fn add_error(run: &mut Run, code: &str, endpoint: Option<&str>, n: f64) {
    run.insert(
        &with_endpoint(&format!("errors.{code}"), endpoint),
        "count",
        failures(count_metric(true, n), endpoint),
    );
}

/// Declares a failure count (4xx/5xx, `errors.*`) out of the requests, overall or of its endpoint: Artillery
/// writes these counters only once the first one happened, so the side without one had none.
fn failures(m: Metric, endpoint: Option<&str>) -> Metric {
    m.failures_of(
        &with_endpoint(REQUESTS, endpoint),
        "count",
        Trials::Requests,
    )
}

/// `vusers.failed` `count` out of the VUs created (the `error_rate` row's trials).
fn failed_vusers(n: f64) -> Metric {
    count_metric(true, n).failures_of(
        VUSERS_FAILED,
        &trials_name("error_rate"),
        Trials::VirtualUsers,
    )
}

fn with_endpoint(bench: &str, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(ep) => format!("{bench}{{endpoint:{ep}}}"),
        None => bench.to_string(),
    }
}

/// 2.x: `counters`, `rates`, `summaries` (or its copy `histograms`).
fn parse_v2(run: &mut Run, agg: &Map<String, Value>) -> Result<(), ParseError> {
    let empty = Map::new();
    let section = |name: &str| -> Result<&Map<String, Value>, ParseError> {
        match agg.get(name) {
            None | Some(Value::Null) => Ok(&empty),
            Some(v) => json::object(v, &format!("aggregate.{name}")),
        }
    };
    let counters = section("counters")?;
    let rates = section("rates")?;
    let mut summaries = section("summaries")?;
    if summaries.is_empty() {
        summaries = section("histograms")?;
    }

    for (name, s) in summaries {
        let s = json::object(s, &format!("aggregate.summaries.{name}"))?;
        let endpoint = name
            .strip_prefix(BY_ENDPOINT)
            .and_then(|r| r.strip_prefix("response_time."));
        let bench = match endpoint {
            Some(ep) => with_endpoint(RESPONSE_TIME, Some(ep)),
            None => name.clone(),
        };
        let is_time = endpoint.is_some()
            || name.starts_with(RESPONSE_TIME)
            || name.starts_with(SESSION_LENGTH);
        let (unit, direction) = if is_time {
            (Unit::Milliseconds, Direction::LowerIsBetter)
        } else {
            // A custom histogram: its unit is whatever the script emitted.
            (Unit::Other(String::new()), units::direction_for(name))
        };
        add_summary(run, &bench, s, &unit, direction);
    }

    let counter = |k: &str| json::number(counters.get(k));
    let mut errors = 0.0;
    // Requests per endpoint (every response code and error of it): the trials of its failure counts.
    let mut endpoint_requests: std::collections::BTreeMap<&str, f64> = Default::default();
    for (name, v) in counters {
        let Some(n) = json::number(Some(v)) else {
            continue;
        };
        if let Some(code) = name.strip_prefix("errors.") {
            errors += n;
            add_error(run, code, None, n);
        } else if let Some(code) = name.strip_prefix("http.codes.") {
            add_code(run, code, None, n);
        } else if let Some(rest) = name.strip_prefix(BY_ENDPOINT) {
            // `<endpoint>.codes.<status>` / `<endpoint>.errors.<code>`; the endpoint may contain dots.
            if let Some((ep, code)) = rest.rsplit_once(".codes.") {
                add_code(run, code, Some(ep), n);
                *endpoint_requests.entry(ep).or_default() += n;
            } else if let Some((ep, code)) = rest.rsplit_once(".errors.") {
                add_error(run, code, Some(ep), n);
                *endpoint_requests.entry(ep).or_default() += n;
            }
        }
    }
    for (ep, n) in endpoint_requests {
        run.insert(
            &with_endpoint(REQUESTS, Some(ep)),
            "count",
            count_metric(false, n),
        );
    }
    // Artillery's aggregate `http.request_rate` averages the 10 s periods, partial ones included (42/s
    // for a 100/s test); requests over the time they were sent in is the real rate.
    let span_s = match (
        json::number(agg.get("firstCounterAt")),
        json::number(agg.get("lastCounterAt")),
    ) {
        (Some(first), Some(last)) if last > first => Some((last - first) / 1000.0),
        _ => None,
    };
    let request_rate = counter(REQUESTS)
        .zip(span_s)
        .map(|(n, s)| n / s)
        .or_else(|| json::number(rates.get("http.request_rate")));
    if let Some(r) = request_rate {
        run.insert(
            REQUESTS,
            "rate",
            Metric::new(r, Unit::PerSecond, Direction::HigherIsBetter),
        );
    }
    if let Some(requests) = counter(REQUESTS) {
        run.insert(REQUESTS, "count", count_metric(false, requests));
        if let Some(m) = ratio(errors, Some(requests)) {
            run.insert(REQUESTS, "error_rate", m);
            run.insert(
                REQUESTS,
                &trials_name("error_rate"),
                count_metric(false, requests),
            );
        }
    }
    // Artillery writes `vusers.failed` once the first VU failed: with VUs created and none failed, zero.
    let created = counter("vusers.created");
    if let Some(failed) = counter(VUSERS_FAILED).or(created.map(|_| 0.0)) {
        run.insert(VUSERS_FAILED, "count", failed_vusers(failed));
        if let Some(m) = ratio(failed, created) {
            run.insert(VUSERS_FAILED, "error_rate", m);
            if let Some(c) = created {
                run.insert(
                    VUSERS_FAILED,
                    &trials_name("error_rate"),
                    count_metric(false, c),
                );
            }
        }
    }

    for (name, v) in rates {
        let Some(r) = json::number(Some(v)) else {
            continue;
        };
        if name != "http.request_rate" {
            let m = Metric::new(r, Unit::PerSecond, rate_direction(name));
            run.insert(name, "rate", m);
        }
    }
    Ok(())
}

fn rate_direction(name: &str) -> Direction {
    let n = name.to_ascii_lowercase();
    if ["error", "fail", "timeout"].iter().any(|w| n.contains(w)) {
        Direction::LowerIsBetter
    } else {
        Direction::HigherIsBetter
    }
}

/// 1.x: `latency`, `scenarioDuration`, `rps`, `errors`, `codes`, `scenariosCreated`/`scenariosCompleted`.
fn parse_v1(
    run: &mut Run,
    agg: &Map<String, Value>,
    intermediate: Option<&Value>,
) -> Result<(), ParseError> {
    let num = |k: &str| json::number(agg.get(k));
    if let Some(l) = agg.get("latency").filter(|v| !v.is_null()) {
        let l = json::object(l, "aggregate.latency")?;
        add_summary(
            run,
            RESPONSE_TIME,
            l,
            &Unit::Milliseconds,
            Direction::LowerIsBetter,
        );
    }
    if let Some(s) = agg.get("scenarioDuration").filter(|v| !v.is_null()) {
        let s = json::object(s, "aggregate.scenarioDuration")?;
        add_summary(
            run,
            SESSION_LENGTH,
            s,
            &Unit::Milliseconds,
            Direction::LowerIsBetter,
        );
    }
    // 1.x summaries carry no count: the completed requests and scenarios are theirs (what the thin-percentile
    // rule needs: p99 of 400 sessions rests on 4).
    for (bench, count) in [
        (RESPONSE_TIME, num("requestsCompleted")),
        (SESSION_LENGTH, num("scenariosCompleted")),
    ] {
        if let Some(c) = count.filter(|_| run.benchmarks.contains_key(bench)) {
            run.insert(bench, "count", count_metric(false, c));
        }
    }
    if let Some(samples) = raw_latencies_ms(intermediate, num("requestsCompleted")) {
        let mean = crate::stats::moments::mean(&samples);
        run.insert(
            RESPONSE_TIME,
            "mean",
            Metric::new(mean, Unit::Milliseconds, Direction::LowerIsBetter).with_samples(samples),
        );
    }

    let mut errors = 0.0;
    if let Some(e) = agg.get("errors").filter(|v| !v.is_null()) {
        for (code, v) in json::object(e, "aggregate.errors")? {
            if let Some(n) = json::number(Some(v)) {
                errors += n;
                add_error(run, code, None, n);
            }
        }
    }
    if let Some(c) = agg.get("codes").filter(|v| !v.is_null()) {
        for (code, v) in json::object(c, "aggregate.codes")? {
            if let Some(n) = json::number(Some(v)) {
                add_code(run, code, None, n);
            }
        }
    }

    let rps = agg.get("rps").and_then(Value::as_object);
    let rps_num = |k: &str| rps.and_then(|r| json::number(r.get(k)));
    // `rps.count` counts every request sent, errored ones included.
    let requests = rps_num("count").or_else(|| num("requestsCompleted").map(|c| c + errors));
    if let Some(mean) = rps_num("mean") {
        run.insert(
            REQUESTS,
            "rate",
            Metric::new(mean, Unit::PerSecond, Direction::HigherIsBetter),
        );
    }
    if let Some(r) = requests {
        run.insert(REQUESTS, "count", count_metric(false, r));
        if let Some(m) = ratio(errors, Some(r)) {
            run.insert(REQUESTS, "error_rate", m);
            run.insert(REQUESTS, &trials_name("error_rate"), count_metric(false, r));
        }
    }
    // 1.x has no failed counter: a scenario that was created but never completed failed.
    if let (Some(created), Some(completed)) = (num("scenariosCreated"), num("scenariosCompleted")) {
        let failed = (created - completed).max(0.0);
        run.insert(VUSERS_FAILED, "count", failed_vusers(failed));
        if let Some(m) = ratio(failed, Some(created)) {
            run.insert(VUSERS_FAILED, "error_rate", m);
            let trials = count_metric(false, created);
            run.insert(VUSERS_FAILED, &trials_name("error_rate"), trials);
        }
    }
    Ok(())
}

/// Every raw 1.x latency in ms (bare ns numbers or `[ts, id, ns, status]` tuples), when the intermediate
/// reports hold exactly `expected` of them (a trimmed or partial file would give a wrong mean).
fn raw_latencies_ms(intermediate: Option<&Value>, expected: Option<f64>) -> Option<Vec<f64>> {
    let mut out = Vec::new();
    for report in intermediate?.as_array()? {
        let Some(lat) = report.get("latencies").and_then(Value::as_array) else {
            continue;
        };
        for l in lat {
            let ns = match l {
                Value::Array(t) => json::number(t.get(2)),
                v => json::number(Some(v)),
            }?;
            out.push(ns / 1e6);
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let complete = !out.is_empty() && expected == Some(out.len() as f64);
    complete.then_some(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::{read_file, shared_formats};

    fn value(run: &Run, bench: &str, metric: &str) -> f64 {
        run.metric(bench, metric)
            .unwrap_or_else(|| panic!("no {bench} {metric}"))
            .value
    }

    #[test]
    fn every_v2_file_matches_its_own_numbers() {
        let files = shared_formats::read_json("artillery-v2", "artillery");
        // One file carries no licence: it is read only with the outside corpus.
        assert_eq!(files.len(), shared_formats::count(1, 1));
        for (_, d, run) in files {
            let agg = &d["aggregate"];
            for (name, s) in agg["summaries"].as_object().unwrap() {
                let bench = match name.strip_prefix("plugins.metrics-by-endpoint.response_time.") {
                    Some(ep) => format!("http.response_time{{endpoint:{ep}}}"),
                    None => name.clone(),
                };
                for (ours, theirs) in [
                    ("p95", "p95"),
                    ("p99", "p99"),
                    ("p50", "median"),
                    ("mean", "mean"),
                    ("min", "min"),
                    ("max", "max"),
                ] {
                    assert_eq!(value(&run, &bench, ours), s[theirs].as_f64().unwrap());
                }
                assert_eq!(run.metric(&bench, "p95").unwrap().unit, Unit::Milliseconds);
            }
            let counters = agg["counters"].as_object().unwrap();
            for (name, n) in counters {
                if name.starts_with("errors.") {
                    let m = run.metric(name, "count").unwrap();
                    assert_eq!(m.value, n.as_f64().unwrap());
                    assert_eq!(m.direction, Direction::LowerIsBetter);
                    assert!(m.gated);
                }
            }
            assert_eq!(
                value(&run, "vusers.failed", "count"),
                counters["vusers.failed"].as_f64().unwrap()
            );
            let rate = run.metric("http.requests", "rate").unwrap();
            let span =
                agg["lastCounterAt"].as_f64().unwrap() - agg["firstCounterAt"].as_f64().unwrap();
            assert_eq!(
                rate.value,
                counters["http.requests"].as_f64().unwrap() / (span / 1000.0)
            );
            assert_eq!(rate.direction, Direction::HigherIsBetter);
        }
    }

    #[test]
    fn v2_endpoints_and_codes() {
        let Some(path) = crate::input::shared_formats::file(
            "artillery-v2/ltphuoc_media-scraper_artillery-report.json",
        ) else {
            return;
        };
        let run = read_file(&path, None).unwrap();
        assert_eq!(value(&run, "http.response_time", "p95"), 1465.9);
        assert_eq!(
            value(&run, "http.response_time{endpoint:/api/scrape}", "p99"),
            1790.4
        );
        let ok = run
            .metric("http.codes.200{endpoint:/api/scrape}", "count")
            .unwrap();
        assert_eq!(ok.value, 6000.0);
        assert!(!ok.gated);
        assert_eq!(value(&run, "http.requests", "error_rate"), 0.0);
        assert_eq!(value(&run, "vusers.failed", "error_rate"), 0.0);
        assert!(run.metric("vusers.session_length", "p95").is_some());
    }

    #[test]
    fn all_failed_run_reports_errors_not_nothing() {
        let path = crate::input::shared_formats::file(
            "artillery-v2/PasanMadhuranga_RailWise-Backend_artillery-report_all-errors.json",
        )
        .expect("in fixtures/corpus");
        let run = read_file(&path, None).unwrap();
        assert!(run.metric("http.response_time", "p95").is_none());
        assert_eq!(value(&run, "errors.ECONNREFUSED", "count"), 600.0);
        assert_eq!(
            value(
                &run,
                "errors.ECONNREFUSED{endpoint:/api/admin/schedulesDetails}",
                "count"
            ),
            600.0
        );
        let e = run.metric("http.requests", "error_rate").unwrap();
        assert_eq!(e.value, 1.0);
        assert_eq!(e.unit, Unit::Ratio);
        assert_eq!(e.direction, Direction::LowerIsBetter);
        assert_eq!(value(&run, "vusers.failed", "error_rate"), 1.0);
    }

    #[test]
    fn every_v1_file_matches_its_own_numbers() {
        let files = shared_formats::read_json("artillery-v1", "artillery");
        // One file carries no licence: it is read only with the outside corpus.
        assert_eq!(files.len(), shared_formats::count(1, 1));
        for (_, d, run) in files {
            let agg = &d["aggregate"];
            for (ours, theirs) in [
                ("p50", "median"),
                ("p95", "p95"),
                ("p99", "p99"),
                ("min", "min"),
                ("max", "max"),
            ] {
                let m = run.metric("http.response_time", ours).unwrap();
                assert_eq!(m.value, agg["latency"][theirs].as_f64().unwrap());
                assert_eq!(m.unit, Unit::Milliseconds);
                assert_eq!(
                    value(&run, "vusers.session_length", ours),
                    agg["scenarioDuration"][theirs].as_f64().unwrap()
                );
            }
            assert_eq!(
                value(&run, "http.requests", "rate"),
                agg["rps"]["mean"].as_f64().unwrap()
            );
            for (code, n) in agg["errors"].as_object().unwrap() {
                assert_eq!(
                    value(&run, &format!("errors.{code}"), "count"),
                    n.as_f64().unwrap()
                );
            }
            for (code, n) in agg["codes"].as_object().unwrap() {
                let m = run.metric(&format!("http.codes.{code}"), "count").unwrap();
                assert_eq!(m.value, n.as_f64().unwrap());
                assert_eq!(m.gated, code.starts_with('4') || code.starts_with('5'));
            }
        }
    }

    #[test]
    fn v1_errors_and_raw_nanosecond_latencies() {
        // JailtonJunior94 (no licence, outside corpus only): 5161 ETIMEDOUT of 35445 requests; 19348
        // created, 14187 completed.
        if let Some(path) = crate::input::shared_formats::file(
            "artillery-v1/JailtonJunior94_bank_artillery-report.trimmed.json",
        ) {
            let run = read_file(&path, None).unwrap();
            assert!((value(&run, "http.requests", "error_rate") - 5161.0 / 35445.0).abs() < 1e-12);
            assert_eq!(value(&run, "vusers.failed", "count"), 5161.0);
            assert!(
                run.metric("http.response_time", "mean").is_none(),
                "trimmed raw latencies do not give a mean"
            );
        }
        // djaustin: 60 complete raw latencies in ns, e.g. 152957780 ns = 152.95778 ms.
        let djaustin =
            crate::input::shared_formats::file("artillery-v1/djaustin_fyp-server_output.json")
                .expect("in fixtures/corpus");
        let run = read_file(&djaustin, None).unwrap();
        let mean = run.metric("http.response_time", "mean").unwrap();
        assert_eq!(mean.samples.len(), 60);
        assert!(mean.samples.contains(&152.95778));
        let d = shared_formats::json(&djaustin);
        let lat = &d["aggregate"]["latency"];
        assert!(
            mean.value > lat["min"].as_f64().unwrap() && mean.value < lat["max"].as_f64().unwrap()
        );
    }

    #[test]
    fn nulls_are_missing_and_bad_shapes_are_errors() {
        let parse = |t: &str| ArtilleryInput.parse(&Probe::from_text(Path::new("a.json"), t));
        let run = parse(
            r#"{"aggregate":{"latency":{"min":1,"max":9,"median":4,"p95":null,"p99":null},"rps":{"count":3,"mean":null},"scenariosCreated":3,"scenariosCompleted":3}}"#,
        )
        .unwrap();
        assert!(run.metric("http.response_time", "p95").is_none());
        assert!(run.metric("http.requests", "rate").is_none());
        assert_eq!(value(&run, "http.response_time", "p50"), 4.0);
        assert!(parse(r#"{"aggregate":{"counters":[],"summaries":{}}}"#).is_err());
        assert!(parse(r#"{"aggregate":{"counters":{},"summaries":{"x":3}}}"#).is_err());
        assert!(parse(r#"{"aggregate":5}"#).is_err());
        assert!(parse(r#"{"aggregate":{"foo":1}}"#).is_err());
        assert!(parse(r#"[]"#).is_err());
    }
}
