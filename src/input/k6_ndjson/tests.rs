//! The reader end to end, on hand-made, generated and real k6 streams; and the test data other files'
//! tests use.

use std::path::Path;

use serde_json::{Map, Value};

use super::*;
use crate::input::read_file;
use crate::model::{Direction, Unit};

fn parse_text(text: &str) -> Result<Run, ParseError> {
    K6NdjsonInput.parse(&Probe::from_text(Path::new("t.json"), text))
}

/// Points of one metric in the file, for checking perfgate's numbers against the file's own values.
fn points(path: &Path, metric: &str) -> Vec<(f64, Map<String, Value>)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "Point" && v["metric"] == metric)
        .filter(|v| {
            let g = v["data"]["tags"]["group"].as_str().unwrap_or("");
            !g.starts_with("::setup") && !g.starts_with("::teardown")
        })
        .map(|v| {
            let tags = v["data"]["tags"].as_object().cloned().unwrap_or_default();
            (v["data"]["value"].as_f64().unwrap(), tags)
        })
        .collect()
}

#[test]
fn every_shared_file_parses_with_its_own_numbers() {
    let mut n = 0;
    for path in crate::input::shared_formats::files("k6-ndjson") {
        let run = read_file(&path, None).expect("parses");
        assert_eq!(run.sources[0].format, "k6-ndjson", "{}", path.display());
        let dur = points(&path, "http_req_duration");
        let mut vals: Vec<f64> = dur.iter().map(|(v, _)| *v).collect();
        vals.sort_by(f64::total_cmp);
        let d = &run.benchmarks["http_req_duration"].metrics;
        assert_eq!(d["count"].value, vals.len() as f64);
        assert_eq!(d["max"].value, *vals.last().unwrap());
        assert_eq!(d["min"].value, vals[0]);
        assert_eq!(d["p95"].unit, Unit::Milliseconds);
        assert_eq!(d["p95"].direction, Direction::LowerIsBetter);
        let mean = vals.iter().sum::<f64>() / vals.len() as f64;
        assert!((d["mean"].value - mean).abs() < 1e-9);
        // Sub-metrics by the tags the points carry.
        for (value, tags) in &dur {
            for tag in ["name", "status", "method", "scenario"] {
                let v = tags[tag].as_str().unwrap();
                let key = format!("http_req_duration{{{tag}:{v}}}");
                assert!(run.benchmarks.contains_key(&key), "{key}");
                let m = &run.benchmarks[&key].metrics;
                assert!(m["min"].value <= *value && *value <= m["max"].value);
            }
        }
        let reqs = points(&path, "http_reqs");
        assert_eq!(
            run.metric("http_reqs", "count").unwrap().value,
            reqs.iter().map(|(v, _)| v).sum::<f64>()
        );
        let failed = points(&path, "http_req_failed");
        let nonzero = failed.iter().filter(|(v, _)| *v != 0.0).count();
        assert_eq!(
            run.metric("http_req_failed", "error_rate").unwrap().value,
            nonzero as f64 / failed.len() as f64
        );
        assert!(!run.benchmarks.contains_key("vus"), "gauges are skipped");
        n += 1;
    }
    // One file carries no licence: it is read only with the outside corpus.
    assert_eq!(
        n,
        if crate::input::shared_formats::given() {
            2
        } else {
            1
        }
    );
}

#[test]
fn setup_points_are_skipped() {
    // KirillY's iteration_duration has one ::setup point (0.001976 ms) and one real iteration.
    let Some(path) = crate::input::shared_formats::file(
        "k6-ndjson/KirillY_k6-load-template_k6-results.trimmed.ndjson",
    ) else {
        return;
    };
    let run = read_file(&path, None).unwrap();
    let it = &run.benchmarks["iteration_duration"].metrics;
    assert_eq!(it["count"].value, 1.0);
    assert!(it["min"].value > 0.01);
    assert_eq!(run.metric("checks", "rate").unwrap().value, 1.0);
}

/// Hand-made stream: both key orders, a Metric line with `"tags": null`, blank lines, CRLF, local-TZ
/// timestamps, a setup point, a gauge and a null value.
const STREAM: &str = concat!(
    "{\"type\":\"Metric\",\"data\":{\"name\":\"http_req_duration\",\"type\":\"trend\",\"contains\":\"time\",\"thresholds\":[],\"submetrics\":null},\"metric\":\"http_req_duration\"}\r\n",
    "{\"type\":\"Metric\",\"data\":{\"type\":\"counter\",\"contains\":\"default\",\"tainted\":null},\"metric\":\"http_reqs\"}\r\n",
    "{\"type\":\"Metric\",\"data\":{\"type\":\"rate\"},\"metric\":\"http_req_failed\"}\n",
    "{\"type\":\"Metric\",\"data\":{\"type\":\"gauge\"},\"metric\":\"vus\"}\n",
    "\n",
    "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T01:13:59-03:00\",\"value\":5,\"tags\":null}}\n",
    "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T01:14:00-03:00\",\"value\":9999,\"tags\":{\"group\":\"::setup\",\"name\":\"home\"}}}\n",
);

fn stream() -> String {
    let values = [
        12.5, 3.0, 7.25, 100.0, 45.5, 8.0, 19.75, 61.0, 2.5, 33.0, 27.125,
    ];
    let mut s = STREAM.to_string();
    for (i, v) in values.iter().enumerate() {
        let name = if i % 2 == 0 { "home" } else { "search" };
        let status = if i == 3 { "500" } else { "200" };
        // Spans 04:14:00Z (as -03:00) to 04:14:10Z.
        let time = if i == 0 {
            "2024-08-22T01:14:00-03:00".to_string()
        } else {
            format!("2024-08-22T04:14:{:02}.5Z", i - 1)
        };
        let time = if i == values.len() - 1 {
            "2024-08-22T06:14:10+02:00".to_string()
        } else {
            time
        };
        let tags = format!("{{\"name\":\"{name}\",\"status\":\"{status}\",\"method\":\"GET\",\"group\":\"\",\"scenario\":\"default\"}}");
        s += &format!("{{\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{v},\"tags\":{tags}}},\"metric\":\"http_req_duration\"}}\r\n");
        s += &format!("{{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":1,\"tags\":{tags}}}}}\n");
        let failed = u8::from(status == "500");
        s += &format!("{{\"metric\":\"http_req_failed\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{failed},\"tags\":{tags}}}}}\n");
    }
    s += "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T04:14:05Z\",\"value\":null,\"tags\":null}}\n";
    s
}

#[test]
fn type7_percentiles_match_numpy() {
    let run = parse_text(&stream()).unwrap();
    // numpy.percentile(v, [50, 90, 95, 99]) (default method "linear" = type 7).
    let all = &run.benchmarks["http_req_duration"].metrics;
    assert_eq!(all["count"].value, 11.0);
    assert_eq!(all["p50"].value, 19.75);
    assert_eq!(all["p90"].value, 61.0);
    assert!((all["p95"].value - 80.5).abs() < 1e-12);
    assert!((all["p99"].value - 96.10000000000001).abs() < 1e-12);
    assert!((all["mean"].value - 29.056818181818183).abs() < 1e-12);
    assert_eq!(all["max"].value, 100.0, "the ::setup point is skipped");
    let home = &run.benchmarks["http_req_duration{name:home}"].metrics;
    assert_eq!(home["p50"].value, 16.125);
    assert!((home["p90"].value - 36.3125).abs() < 1e-12);
    assert!((home["p95"].value - 40.90625).abs() < 1e-12);
    assert!((home["p99"].value - 44.581250000000004).abs() < 1e-12);
    assert!((home["mean"].value - 19.104166666666668).abs() < 1e-12);
    assert_eq!(home["min"].value, 2.5);
    assert_eq!(
        run.metric("http_req_duration{status:500}", "max")
            .unwrap()
            .value,
        100.0
    );
    assert!(run.benchmarks.contains_key("http_req_duration{method:GET}"));
    assert!(run
        .benchmarks
        .contains_key("http_req_duration{scenario:default}"));
    assert!(!run.benchmarks.contains_key("http_req_duration{group:}"));
    assert!(!run.benchmarks.contains_key("vus"));
}

#[test]
fn counters_rates_and_error_rate() {
    let run = parse_text(&stream()).unwrap();
    let count = run.metric("http_reqs", "count").unwrap();
    assert_eq!(count.value, 11.0);
    assert!(!count.gated, "totals depend on the test length");
    // 11 requests between the first point (04:13:59Z, the gauge) and the last (04:14:10Z).
    let rate = run.metric("http_reqs", "rate").unwrap();
    assert!((rate.value - 1.0).abs() < 1e-12, "{}", rate.value);
    assert_eq!(rate.direction, Direction::HigherIsBetter);
    let err = run.metric("http_req_failed", "error_rate").unwrap();
    assert!((err.value - 1.0 / 11.0).abs() < 1e-12);
    assert_eq!(err.unit, Unit::Ratio);
    assert_eq!(
        run.metric("http_req_failed{status:500}", "error_rate")
            .unwrap()
            .value,
        1.0
    );
}

#[test]
fn bad_lines_are_errors_naming_the_line() {
    let e =
        parse_text("{\"type\":\"Metric\",\"data\":{\"type\":\"trend\"},\"metric\":\"x\"}\n{oops\n")
            .unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.starts_with("invalid JSON"), "{e}");
    let e = parse_text(
        "{\"type\":\"Point\",\"data\":{\"time\":\"yesterday\",\"value\":1},\"metric\":\"http_reqs\"}\n",
    )
    .unwrap_err();
    assert!(e.line == Some(1) && e.message.contains("data.time"), "{e}");
    let e = parse_text("{\"type\":\"Point\",\"data\":{}}\n").unwrap_err();
    assert!(e.message.contains("without `metric`"), "{e}");
    assert!(parse_text("[1]\n").is_err());
    assert!(parse_text("\"Point\"\n").is_err());
}

#[test]
fn sniffs_only_k6_lines() {
    let sniff = |t: &str| K6NdjsonInput.sniff(&Probe::from_text(Path::new("x"), t));
    assert!(sniff(
        "\n{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{}}\n"
    ));
    assert!(sniff(
        "\u{feff}{\"type\":\"Metric\",\"data\":{},\"metric\":\"vus\"}"
    ));
    assert!(!sniff("{\"type\":\"Point\",\"data\":{}}"));
    assert!(!sniff("{\"metrics\":{}}"));
    assert!(!sniff("[{\"name\":\"a\",\"unit\":\"ns\",\"value\":1}]"));
}

#[test]
fn escaped_names_still_count_via_serde() {
    // Escaped names still count, via serde.
    let run = parse_text(concat!(
        "{\"type\":\"Metric\",\"data\":{\"type\":\"trend\"},\"metric\":\"my_trend\"}\n",
        "{\"type\":\"Point\",\"metric\":\"my_tr\\u0065nd\",\"data\":{\"value\":4,\"tags\":{\"name\":\"a\\\"b\"}}}\n",
    ))
    .unwrap();
    assert_eq!(run.metric("my_trend{name:a\"b}", "max").unwrap().value, 4.0);
}

#[test]
fn k6_layout_shortcut_equals_the_full_scanner() {
    // One chunk either way (sums are added per chunk, so other cuts could move the mean's last bit).
    let text = generated(1_000, 5);
    assert!(text.len() + text.lines().count() < chunk::CHUNK);
    // A space after each line's first brace defeats the shortcut, not the scanner.
    let spaced: String = text
        .lines()
        .map(|l| match l.strip_prefix('{') {
            Some(rest) => format!("{{ {rest}\n"),
            None => format!("{l}\n"),
        })
        .collect();
    assert_eq!(parse_text(&text).unwrap(), parse_text(&spaced).unwrap());
    // A line the shortcut takes (metric and tags seen before) still has its timestamp and value checked.
    let seen = text
        .lines()
        .rfind(|l| l.starts_with("{\"metric\":\"http_req_duration\",\"type\":\"Point\""))
        .unwrap();
    let (head, tail) = seen.split_once("\"time\":\"").unwrap();
    let tail = &tail[tail.find('"').unwrap()..];
    let lines = text.lines().count() as u64;
    for time in ["", "soon", "2024-08-22T04:00:00.5"] {
        let bad = format!("{text}{head}\"time\":\"{time}{tail}\n");
        let e = parse_text(&bad).unwrap_err();
        assert_eq!(e.line, Some(lines + 1), "{time:?}: {e}");
        assert!(e.to_string().contains("RFC 3339"), "{e}");
    }
    let (before, after) = seen.split_once("\"value\":").unwrap();
    let after = &after[after.find(',').unwrap()..];
    let with = |v: &str| parse_text(&format!("{text}{before}\"value\":{v}{after}\n"));
    let count = |r: Result<Run, ParseError>| {
        r.unwrap()
            .metric("http_req_duration", "count")
            .unwrap()
            .value
    };
    let n = count(parse_text(&text));
    assert_eq!(count(with("null")), n, "null is a missing sample");
    assert_eq!(count(with("2.5e1")), n + 1.0);
    assert!(with("01").is_err() && with("1.").is_err() && with("\"1\"").is_ok());
}

/// A k6-shaped stream of `n` requests with log-normal durations over several names and statuses,
/// in both key orders.
pub(crate) fn generated(n: usize, seed: u64) -> String {
    let mut rng = crate::stats::test_util::Lcg(seed);
    let mut s = String::from(STREAM);
    for i in 0..n {
        let name = ["home", "login", "search", "api/items"][i % 4];
        let status = if rng.uniform() < 0.02 { "500" } else { "200" };
        let ms = (3.0 + 0.7 * rng.normal()).exp();
        let time = format!(
            "2024-08-22T04:{:02}:{:02}.{:09}Z",
            (i / 1_000_000) % 60,
            (i / 20_000) % 60,
            i % 1_000_000_000
        );
        let tags = format!("{{\"expected_response\":\"true\",\"group\":\"\",\"method\":\"GET\",\"name\":\"{name}\",\"scenario\":\"default\",\"status\":\"{status}\"}}");
        s += &format!("{{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{ms:.6},\"tags\":{tags}}}}}\n");
        s += &format!("{{\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":1,\"tags\":{tags}}},\"metric\":\"http_reqs\"}}\n");
        s += &format!("{{\"metric\":\"http_req_failed\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{},\"tags\":{tags}}}}}\n", u8::from(status == "500"));
        s += &format!("{{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":10,\"tags\":{{}}}}}}\n");
    }
    s
}

/// Exact type-7 percentiles and plain stats of one series, straight from the lines.
fn exact_stats(text: &str, metric: &str, tag: Option<(&str, &str)>) -> Vec<(String, f64)> {
    let mut v: Vec<f64> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|p| p["type"] == "Point" && p["metric"] == metric)
        .filter(|p| {
            let g = p["data"]["tags"]["group"].as_str().unwrap_or("");
            !g.starts_with("::setup") && !g.starts_with("::teardown")
        })
        .filter(|p| tag.is_none_or(|(k, t)| p["data"]["tags"][k] == t))
        .filter_map(|p| p["data"]["value"].as_f64())
        .collect();
    v.sort_by(f64::total_cmp);
    let mut out = vec![
        ("count".to_string(), v.len() as f64),
        ("min".to_string(), v[0]),
        ("max".to_string(), *v.last().unwrap()),
        ("mean".to_string(), v.iter().sum::<f64>() / v.len() as f64),
    ];
    for (name, p) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
        out.push((
            name.to_string(),
            crate::stats::quantile_sorted(&v, p).unwrap(),
        ));
    }
    out
}

fn assert_close(run: &Run, key: &str, exact: &[(String, f64)]) {
    for (stat, want) in exact {
        let got = run.metric(key, stat).unwrap().value;
        let tol = if stat.starts_with('p') { 1e-3 } else { 1e-9 };
        assert!(
            ((got - want) / want).abs() <= tol,
            "{key} {stat}: {got} vs exact {want}"
        );
        if ["count", "min", "max"].contains(&stat.as_str()) {
            assert_eq!(got, *want, "{key} {stat} is exact");
        }
    }
}

#[test]
fn sketch_percentiles_within_a_tenth_of_a_percent_on_generated_data() {
    let text = generated(12_000, 5);
    let run = parse_text(&text).unwrap();
    assert_close(
        &run,
        "http_req_duration",
        &exact_stats(&text, "http_req_duration", None),
    );
    assert_close(
        &run,
        "http_req_duration{name:login}",
        &exact_stats(&text, "http_req_duration", Some(("name", "login"))),
    );
    assert_close(
        &run,
        "http_req_duration{status:500}",
        &exact_stats(&text, "http_req_duration", Some(("status", "500"))),
    );
}

#[test]
fn sketch_percentiles_within_a_tenth_of_a_percent_on_shared_files() {
    for path in crate::input::shared_formats::files("k6-ndjson") {
        // Repeated with a per-copy factor, so that series outgrow the exact buffer.
        let one = std::fs::read_to_string(&path).unwrap();
        let per_copy = points(&path, "http_req_duration").len();
        let mut text = String::new();
        for copy in 0..1100 / per_copy + 1 {
            for line in one.lines() {
                let mut v: Value = serde_json::from_str(line).unwrap();
                if let Some(x) = v["data"]["value"].as_f64() {
                    if v["type"] == "Point" && v["metric"] != "http_reqs" {
                        v["data"]["value"] = serde_json::json!(x * (1.0 + copy as f64 / 97.0));
                    }
                }
                text += &v.to_string();
                text.push('\n');
            }
        }
        let run = parse_text(&text).unwrap();
        for metric in [
            "http_req_duration",
            "http_req_waiting",
            "http_req_receiving",
        ] {
            assert_close(&run, metric, &exact_stats(&text, metric, None));
        }
        assert!(run.metric("http_req_duration", "count").unwrap().value > 1024.0);
    }
}

/// Each recorded k6 run in `fixtures/k6` has its NDJSON and k6's own handleSummary: every percentile k6
/// printed is what perfgate computes from the points (k6 interpolates as type 7 too), to the last bits
/// while a series has at most 1024 values, within the sketch's 2⁻¹¹ beyond.
#[test]
fn percentiles_match_k6s_own_summary_of_the_same_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/k6");
    let mut stems = vec!["baseline".to_string(), "current".to_string()];
    stems.extend(["current-run2", "current-run3"].map(String::from));
    stems.extend((1..=6).map(|i| format!("noise/run{i}")));
    let (mut exact, mut sketched) = (0, 0);
    for stem in stems {
        let k6 = read_file(&dir.join(format!("{stem}-summary.json")), None).unwrap();
        let ours = read_file(&dir.join(format!("{stem}.ndjson.gz")), None).unwrap();
        for (key, bench) in &k6.benchmarks {
            let Some(count) = bench
                .metrics
                .get("count")
                .filter(|_| bench.metrics.contains_key("p95"))
            else {
                continue;
            };
            assert_eq!(
                ours.metric(key, "count").unwrap().value,
                count.value,
                "{stem} {key}"
            );
            let tol = if count.value <= 1024.0 {
                1e-15
            } else {
                1.0 / 2048.0
            };
            for stat in ["p50", "p90", "p95", "p99"] {
                let want = bench.metrics[stat].value;
                let got = ours.metric(key, stat).unwrap().value;
                assert!(
                    (got - want).abs() <= tol * want.abs(),
                    "{stem} {key} {stat}: {got} vs k6's {want}"
                );
                if count.value <= 1024.0 {
                    exact += 1;
                } else {
                    sketched += 1;
                }
            }
        }
    }
    assert!(
        exact >= 10 * 3 * 4 && sketched > 0,
        "{exact} exact, {sketched} sketched"
    );
}
