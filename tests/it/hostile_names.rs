//! Untrusted benchmark and file names through every output: terminal table, stderr, markdown, job
//! summary, annotations, JSON, JUnit and `baseline show`. (The PR comment: `tests/it/github.rs`.)

use crate::common;

use std::path::Path;

use common::Sandbox;
use serde_json::Value;

const NAMES: &[&str] = &[
    "\u{1b}[31mred\u{1b}[0m\u{1b}]0;title\u{7}",
    "carriage\rreturn",
    "bidi \u{202e}txt.exe\u{202c}",
    "::error::injected",
    "<!-- x --> <b>html</b>",
    "@here @org/team",
    "``back`ticks``",
    "pipe | row\nnew line",
];

/// Characters that must never reach a terminal or a markdown/annotation line raw.
fn assert_clean(what: &str, s: &str) {
    for bad in ['\u{1b}', '\r', '\u{202e}', '\u{202c}', '\u{7}'] {
        assert!(!s.contains(bad), "{what} holds {bad:?}: {s:?}");
    }
}

fn gab(dir: &Path, file: &str, value: f64, unit: &str) -> String {
    let entries: Vec<_> = NAMES.iter().map(|n| (*n, unit, value)).collect();
    let p = dir.join(file);
    std::fs::write(&p, common::gab_json(&entries)).unwrap();
    p.display().to_string()
}

#[test]
fn hostile_benchmark_names_are_escaped_in_every_output() {
    let sb = Sandbox::new();
    let base = gab(&sb.dir(), "base.json", 10.0, "ms");
    let cur = gab(&sb.dir(), "cur.json", 20.0, "ms");
    let summary = sb.path("summary.md");
    let run = |fmt: &str| {
        sb.cmd()
            .args(["analyze", "--all", "-o", fmt, "--baseline", &base, &cur])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap()
    };

    let table = run("table");
    assert_eq!(table.status.code(), Some(1));
    let text = String::from_utf8(table.stdout).unwrap();
    assert_clean("table", &text);
    assert!(text.contains("\\u{1b}[31mred"), "{text}");
    assert!(text.contains("\\u{202e}"), "{text}");
    // Annotations: every workflow command line is one of perfgate's, with no injected `::`.
    let commands: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!commands.is_empty());
    for c in &commands {
        assert!(c.starts_with("::error title=perfgate%3A"), "{c}");
        assert_eq!(c.matches("::").count(), 2, "{c}");
    }
    // Table rows start with the name: the runner trims leading spaces before looking for `::`.
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("::error::injected")),
        "{text}"
    );
    assert_clean("stderr", &String::from_utf8_lossy(&table.stderr));

    let md_out = run("markdown");
    let md = String::from_utf8(md_out.stdout).unwrap();
    let job_summary = std::fs::read_to_string(&summary).unwrap();
    for (what, md) in [("markdown", &md), ("job summary", &job_summary)] {
        assert_clean(what, md);
        assert!(!md.contains("-->"), "{what}: {md}");
        for line in md.lines().filter(|l| l.contains("<b>")) {
            assert!(
                line.contains("`<!-- x --\u{200B}> <b>"),
                "HTML only in a code span: {line}"
            );
        }
        // Mentions only inside code spans, where GitHub does not notify.
        for line in md.lines().filter(|l| l.contains("@here")) {
            assert!(
                line.contains("``@here") || line.contains("`@here"),
                "{line}"
            );
        }
        // Each table row keeps its columns despite `|` and newlines in names.
        let header = md
            .lines()
            .find(|l| l.starts_with("| Severity | Benchmark"))
            .unwrap();
        let cols = header.matches('|').count();
        for row in md.lines().filter(|l| l.starts_with("| 🔴")) {
            assert_eq!(row.replace("\\|", "").matches('|').count(), cols, "{row}");
        }
    }

    let json_out = run("json");
    let v: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    for n in NAMES {
        assert!(
            v["comparisons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["benchmark"] == *n),
            "JSON keeps the exact name {n:?}"
        );
    }
    // JSON is data: names stay exact (U+202E included), control characters are JSON-escaped.
    let raw = String::from_utf8(json_out.stdout).unwrap();
    assert!(!raw.contains('\u{1b}') && !raw.contains('\r') && !raw.contains('\u{7}'));

    let xml_out = run("junit");
    let xml = String::from_utf8(xml_out.stdout).unwrap();
    assert_clean("junit", &xml);
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    assert!(doc
        .descendants()
        .any(|n| n.attribute("classname") == Some("@here @org/team")));
}

#[test]
fn hostile_names_in_error_messages_are_terminal_escaped() {
    let sb = Sandbox::new();
    // A unit mismatch names the benchmark on stderr.
    let base = gab(&sb.dir(), "base.json", 10.0, "ms");
    let cur = gab(&sb.dir(), "cur.json", 10.0, "B");
    let out = sb
        .cmd()
        .args(["analyze", "--baseline", &base, &cur])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_clean("stderr", &err);
    // A file name with escape sequences, a CR and a direction override.
    let evil = sb.write("evil\u{1b}[2J\r\u{202e}nosj.json", "not a result\n");
    let out = sb.cmd().arg("analyze").arg(&evil).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_clean("stderr", &err);
    assert!(err.contains("evil\\u{1b}[2J"), "{err}");
}

#[test]
fn hostile_names_in_a_stored_baseline_are_escaped_by_show_and_list() {
    let sb = Sandbox::new();
    let base = gab(&sb.dir(), "base.json", 10.0, "ms");
    sb.create_baseline(&["main"], &[base]);
    let out = sb
        .cmd()
        .args(["baseline", "show", "main"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_clean("baseline show", &text);
    assert!(text.contains("::error::injected") || text.contains("injected"));
    let out = sb.cmd().args(["baseline", "list"]).output().unwrap();
    assert_clean("baseline list", &String::from_utf8_lossy(&out.stdout));
}
