//! A failure the baseline never had, on real runs (fixtures/errors, recorded by its generate.sh): the
//! server answers HTTP 500 to every 30th request to /items in `errors*` and never in `clean*`. Clean →
//! errors fails with the /items row first and /health, /search not flagged; errors → clean passes as an
//! improvement, for every tool and output shape.

use crate::common;

use std::path::PathBuf;

use common::{fixture, high_or_worse, rows, Sandbox};
use serde_json::Value;

/// The files of one run of a tool (autocannon writes one per endpoint).
fn files(tool: &str, run: &str) -> Vec<PathBuf> {
    let f = |rel: String| fixture(&format!("errors/{rel}"));
    match tool {
        "k6-summary" => vec![f(format!("k6/{run}-summary.json"))],
        "k6-export" => vec![f(format!("k6/{run}-export.json"))],
        "k6-ndjson" => vec![f(format!("k6/{run}.ndjson.gz"))],
        "autocannon" => ["health", "items", "search"]
            .iter()
            .map(|ep| f(format!("autocannon/{run}-{ep}.json")))
            .collect(),
        dir => vec![f(format!("{dir}/{run}.json"))],
    }
}

const TOOLS: &[&str] = &[
    "k6-summary",
    "k6-export",
    "k6-ndjson",
    "artillery",
    "artillery-plain",
    "artillery-v1",
    "autocannon",
];

/// The row that must come first when /items starts failing: the endpoint's where the tool names
/// endpoints, the overall counter where it does not (Artillery without the plugin, 1.x).
fn failing_row(tool: &str) -> (&'static str, &'static [&'static str]) {
    match tool {
        "artillery" => ("http.codes.500{endpoint:/items}", &["count"]),
        "artillery-plain" | "artillery-v1" => ("http.codes.500", &["count"]),
        "autocannon" => ("/items", &["non2xx", "non2xx_rate"]),
        // The endpoint's error rate or its custom `errors` counter, whichever rose most.
        _ => ("{name:items}", &["error_rate", "count"]),
    }
}

/// Baseline from `base`, analysis of `cur` in `output` (json, table, markdown): exit code and output.
fn analyze(tool: &str, base: &str, cur: &str, output: &str) -> (i32, String) {
    let sb = Sandbox::new();
    sb.create_baseline(&["main"], &files(tool, base));
    let out = sb
        .cmd()
        .env("NO_COLOR", "1")
        .args(["analyze", "-o", output])
        .args(files(tool, cur))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap(), text)
}

fn verdict(tool: &str, base: &str, cur: &str) -> (i32, Value) {
    let (code, text) = analyze(tool, base, cur, "json");
    (code, common::json(text.as_bytes()))
}

#[test]
fn a_new_error_fails_and_its_endpoint_comes_first() {
    for tool in TOOLS {
        let (code, v) = verdict(tool, "clean", "errors");
        assert_eq!(code, 1, "{tool}: the gate must fail");
        let first = &rows(&v)[0];
        let (bench, metrics) = failing_row(tool);
        let b = first["benchmark"].as_str().unwrap();
        assert!(
            b.ends_with(bench) && metrics.contains(&first["metric"].as_str().unwrap()),
            "{tool}: first row {first}"
        );
        assert!(
            first["gated"] == true && high_or_worse(first),
            "{tool}: {first}"
        );
        let counts = &first["load_test"]["counts"];
        assert_eq!(counts["baseline_events"], 0, "{tool}: {first}");
        assert!(
            counts["current_events"].as_u64().unwrap() >= 10,
            "{tool}: {first}"
        );
        for c in rows(&v) {
            let b = c["benchmark"].as_str().unwrap();
            if ["health", "search"].iter().any(|ep| b.contains(ep)) {
                assert!(
                    !(c["gated"] == true && high_or_worse(c)),
                    "{tool}: untouched endpoint flagged: {c}"
                );
            }
        }
    }
}

#[test]
fn errors_that_stop_are_an_improvement() {
    for tool in TOOLS {
        let (code, v) = verdict(tool, "errors", "clean");
        assert_eq!(code, 0, "{tool}: fewer errors never fail");
        let (bench, metrics) = failing_row(tool);
        let improved = rows(&v).iter().find(|c| {
            c["benchmark"].as_str().unwrap().ends_with(bench)
                && metrics.contains(&c["metric"].as_str().unwrap())
        });
        let row = improved.unwrap_or_else(|| panic!("{tool}: no {bench} row"));
        assert_eq!(row["severity"], "improvement", "{tool}: {row}");
        assert_eq!(row["load_test"]["counts"]["current_events"], 0, "{tool}");
    }
}

#[test]
fn the_terminal_table_and_the_pr_comment_start_with_the_endpoint() {
    let (code, table) = analyze("artillery", "clean", "errors", "table");
    assert_eq!(code, 1);
    let first = table
        .lines()
        .find(|l| l.contains("http."))
        .expect("a row in the table");
    assert!(first.contains("http.codes.500{endpoint:/items}"), "{table}");
    assert!(
        table.contains("0 of 400 → 13 of 400 requests"),
        "the counts, as counts: {table}"
    );
    let (_, md) = analyze("artillery", "clean", "errors", "markdown");
    let first = md
        .lines()
        .find(|l| l.starts_with('|') && l.contains("http."))
        .expect("a row in the comment");
    assert!(first.contains("http.codes.500{endpoint:/items}"), "{md}");
}

#[test]
fn snapshots_of_a_new_error_in_the_table_and_the_comment() {
    for (name, tool) in [
        ("errors-artillery", "artillery"),
        ("errors-k6-summary", "k6-summary"),
    ] {
        for output in ["table", "markdown"] {
            let (base, cur) = (files(tool, "clean"), files(tool, "errors"));
            let out = common::perfgate()
                .current_dir(fixture(""))
                .args(["analyze", "--color", "never", "-o", output, "--baseline"])
                .arg(base[0].strip_prefix(fixture("")).unwrap())
                .arg(cur[0].strip_prefix(fixture("")).unwrap())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{name}");
            let text = String::from_utf8(out.stdout).unwrap();
            if output == "markdown" {
                crate::report::check_gfm(name, &text);
            }
            insta::assert_snapshot!(format!("{name}.{output}"), text);
        }
    }
}
