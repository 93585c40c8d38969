//! End-to-end tests of the load-testing formats (k6 NDJSON, Artillery, autocannon) and the "bring your own
//! metric" formats (BMF, github-action-benchmark custom JSON).

use crate::common;

use std::path::PathBuf;

use common::{
    corpus, corpus_file, corpus_files, failing_rows, fixture, high_or_worse, one_line_error,
    read_json, row, rows, run_json, severity, Sandbox,
};
use predicates::prelude::*;
use serde_json::Value;

/// Every real file of a format directory (`fixtures/corpus/`, plus `../shared/formats/` when given).
fn shared_files(dir: &str) -> Vec<PathBuf> {
    let v = corpus_files(dir);
    assert!(!v.is_empty(), "{dir}");
    v
}

/// The format a file is detected as, via the snapshot `baseline create` writes.
fn detected_format(path: &PathBuf) -> String {
    let sb = Sandbox::new();
    sb.create_baseline(&["t"], &[path]);
    let snap: Value = read_json(sb.path("baselines/t.json"));
    snap["sources"][0]["format"].as_str().unwrap().to_string()
}

#[test]
fn every_shared_file_is_detected_as_its_format() {
    for (dir, id) in [
        ("k6-ndjson", "k6-ndjson"),
        ("artillery-v1", "artillery"),
        ("artillery-v2", "artillery"),
        ("autocannon", "autocannon"),
        ("bmf", "bmf"),
        // The bigger-is-better file too: content cannot tell, so it needs --format gab-bigger.
        ("gab-custom", "gab-smaller"),
    ] {
        for f in shared_files(dir) {
            assert_eq!(detected_format(&f), id, "{}", f.display());
        }
    }
}

#[test]
fn every_shared_file_compared_with_itself_passes() {
    for dir in [
        "k6-ndjson",
        "artillery-v1",
        "artillery-v2",
        "autocannon",
        "bmf",
        "gab-custom",
    ] {
        for f in shared_files(dir) {
            let sb = Sandbox::new();
            let v = sb.verdict(&[], &f, &[&f], 0);
            assert_eq!(v["status"], "pass", "{}", f.display());
            assert!(v["current"]["metrics"].as_u64().unwrap() > 0);
        }
    }
    let bigger = corpus(
        "gab-custom/benchmark-action_github-action-benchmark_customBiggerIsBetter_output.json",
    );
    Sandbox::new().verdict(&["--format", "gab-bigger"], &bigger, &[&bigger], 0);
}

#[test]
fn unknown_json_exits_2_listing_the_formats_tried() {
    let sb = Sandbox::new();
    let f = sb.write("other.json", r#"{"hello": [1, 2, 3]}"#);
    let err = one_line_error(
        sb.cmd().arg("analyze").arg(&f),
        "other.json",
        "not a result file perfgate knows",
    );
    for id in [
        "k6-ndjson",
        "artillery",
        "autocannon",
        "bmf",
        "gab-smaller",
        "gab-bigger",
    ] {
        assert!(err.contains(id), "{id}: {err}");
    }
}

#[test]
fn artillery_fixture_flags_the_slowed_endpoint() {
    let sb = Sandbox::new();
    let v = sb.fixture_verdict("artillery/baseline.json", "artillery/current.json", 1);
    assert_eq!(v["status"], "fail");
    let search = "http.response_time{endpoint:/search}";
    for metric in ["p50", "p95"] {
        let c = row(&v, search, metric);
        assert!(high_or_worse(c), "{c}");
        assert_eq!(c["unit"], "ms");
        assert_eq!(c["direction"], "lower_is_better");
    }
    // Only /search got slower; the overall response time and the session length include /search.
    for c in failing_rows(&v) {
        let b = c["benchmark"].as_str().unwrap();
        assert!(
            b == search
                || b == "http.response_time"
                || b == "http.response_time.2xx"
                || b == "vusers.session_length",
            "{c}"
        );
    }
    for ep in ["/health", "/items"] {
        let bench = format!("http.response_time{{endpoint:{ep}}}");
        assert!(rows(&v).iter().any(|c| c["benchmark"] == bench.as_str()));
        for c in rows(&v).iter().filter(|c| c["benchmark"] == bench.as_str()) {
            assert!(c["gated"] == false || !high_or_worse(c), "{c}");
        }
    }
    assert_eq!(severity(&v, "http.requests", "rate"), "unchanged");
}

#[test]
fn artillery_all_failed_run_fails_the_gate() {
    // The healthy baseline carries no licence: only with the outside corpus.
    let Some(baseline) = corpus_file("artillery-v2/ltphuoc_media-scraper_artillery-report.json")
    else {
        return;
    };
    let sb = Sandbox::new();
    let v = sb.verdict(
        &[],
        &baseline,
        &[&corpus(
            "artillery-v2/PasanMadhuranga_RailWise-Backend_artillery-report_all-errors.json",
        )],
        1,
    );
    assert_eq!(severity(&v, "http.requests", "error_rate"), "critical");
    assert_eq!(severity(&v, "vusers.failed", "error_rate"), "critical");
}

#[test]
fn autocannon_fixture_flags_the_slowed_endpoint() {
    let sb = Sandbox::new();
    let v = sb.fixture_verdict(
        "autocannon/baseline-search.json",
        "autocannon/current-search.json",
        1,
    );
    // Latency is reported in whole milliseconds: 20 → 36 ms at the median.
    for metric in ["p50", "p90"] {
        let c = row(&v, "/search", metric);
        assert!(high_or_worse(c), "{c}");
        assert_eq!(c["unit"], "ms");
    }
    // A closed loop: requests/s follows latency; reported, not gated.
    let rps = row(&v, "/search", "requests_mean");
    assert!(high_or_worse(rps) && rps["gated"] == false, "{rps}");
    for ep in ["health", "items"] {
        sb.fixture_verdict(
            &format!("autocannon/baseline-{ep}.json"),
            &format!("autocannon/current-{ep}.json"),
            0,
        );
    }
}

#[test]
fn autocannon_snapshot_of_all_endpoints_flags_only_search() {
    let sb = Sandbox::new();
    let files = |side: &str| {
        ["health", "items", "search"].map(|ep| fixture(&format!("autocannon/{side}-{ep}.json")))
    };
    sb.create_baseline(&["main"], &files("baseline"));
    let v = run_json(
        sb.cmd()
            .args(["analyze", "-o", "json"])
            .args(files("current")),
        1,
    );
    // The URLs carry different random ports; benchmarks are named by path so they still pair.
    assert_eq!(v["summary"]["new"], 0);
    assert_eq!(v["summary"]["missing"], 0);
    let flagged = failing_rows(&v);
    assert!(!flagged.is_empty());
    assert!(
        flagged.iter().all(|c| c["benchmark"] == "/search"),
        "{flagged:?}"
    );
}

#[test]
fn autocannon_all_403_run_fails_against_a_healthy_baseline() {
    // The file carries no licence: only with the outside corpus.
    let Some(current) = corpus_file("autocannon/dhardestylewis_homecastr_autocannon_all-403.json")
    else {
        return;
    };
    let sb = Sandbox::new();
    let bytes = std::fs::read(&current).unwrap();
    let mut healthy: Value =
        serde_json::from_slice(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap()).unwrap();
    healthy["non2xx"] = 0.into();
    healthy["2xx"] = 6500.into();
    let baseline = sb.write("healthy.json", &healthy.to_string());
    let v = sb.verdict(&[], &baseline, &[&current], 1);
    assert_eq!(severity(&v, "/", "non2xx_rate"), "critical");
    assert_eq!(severity(&v, "/", "p99"), "unchanged");
}

#[test]
fn k6_ndjson_regression_is_flagged_per_endpoint() {
    let sb = Sandbox::new();
    let stream = |slow: f64| {
        let mut s = String::from(
            "{\"type\":\"Metric\",\"data\":{\"type\":\"trend\",\"contains\":\"time\"},\"metric\":\"http_req_duration\"}\n",
        );
        for i in 0..20 {
            for (name, ms) in [("home", 10.0), ("search", 30.0 * slow)] {
                let v = ms + f64::from(i % 5);
                s += &format!(
                    "{{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{{\"time\":\"2024-01-01T00:00:{i:02}+01:00\",\"value\":{v},\"tags\":{{\"name\":\"{name}\",\"status\":\"200\",\"group\":\"\"}}}}}}\n"
                );
            }
        }
        s
    };
    let base = sb.write("base.json", &stream(1.0));
    let cur = sb.write("cur.json", &stream(1.3));
    let v = sb.verdict(&[], &base, &[&cur], 1);
    // +30 %: severity comes from the 75 % bound of the batch means, so high or critical.
    let search = row(&v, "http_req_duration{name:search}", "p95");
    assert!(high_or_worse(search), "{search}");
    assert_eq!(
        severity(&v, "http_req_duration{name:home}", "p95"),
        "unchanged"
    );
}

#[test]
fn gzip_that_is_not_k6_ndjson_is_refused_with_a_clear_message() {
    let sb = Sandbox::new();
    let f = sb.path("results.json.gz");
    std::fs::write(&f, [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]).unwrap();
    sb.cmd()
        .arg("analyze")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "gzip-compressed input is only read for k6 NDJSON",
        ));
}

#[test]
fn gab_bigger_needs_the_flag_and_then_flags_a_drop() {
    let sb = Sandbox::new();
    let baseline = corpus(
        "gab-custom/benchmark-action_github-action-benchmark_customBiggerIsBetter_output.json",
    );
    let mut doc: Value = read_json(&baseline);
    doc[0]["value"] = 50.into(); // throughput 70 → 50 req/s
    let current = sb.write("current.json", &doc.to_string());
    let name = "My Custom Bigger Is Better Benchmark - Throughput";

    let v = sb.verdict(&["--format", "gab-bigger"], &baseline, &[&current], 1);
    let c = row(&v, name, "value");
    assert_eq!(c["severity"], "critical");
    assert_eq!(c["direction"], "higher_is_better");
    assert_eq!(c["unit"], "req/s");

    // Detection guesses smaller-is-better, for which the drop is an improvement.
    let v = sb.verdict(&[], &baseline, &[&current], 0);
    assert_eq!(severity(&v, name, "value"), "improvement");
}

#[test]
fn bmf_latency_regression_is_flagged() {
    let sb = Sandbox::new();
    let baseline = corpus("bmf/bencherdev_bencher_bmf_report_latency.json");
    let mut doc: Value = read_json(&baseline);
    doc["tests::benchmark_b"]["latency"]["value"] = 4500.0.into(); // 3443 → 4500 ns
    let current = sb.write("current.json", &doc.to_string());
    let v = sb.verdict(&[], &baseline, &[&current], 1);
    let c = row(&v, "tests::benchmark_b", "latency");
    assert_eq!(c["severity"], "critical");
    assert_eq!(c["unit"], "ns");
    assert_eq!(severity(&v, "tests::benchmark_a", "latency"), "unchanged");
}

#[test]
fn no_reader_panics_on_any_shared_file() {
    for f in corpus_files("") {
        for id in [
            "k6-ndjson",
            "artillery",
            "autocannon",
            "bmf",
            "gab-smaller",
            "gab-bigger",
        ] {
            let format = perfgate::input::format_by_id(id).unwrap();
            // Errors are fine; a panic fails the test.
            let _ = perfgate::input::read_file(&f, Some(format));
        }
    }
}
