//! The bad-input matrix: each odd or broken input either exits 2 with one line naming the file and the
//! problem, or (valid but odd data) gives a clear verdict. Rows already covered elsewhere: empty file,
//! truncated JSON, a directory and a missing file as the current input (`tests/it/cli.rs`
//! `malformed_inputs_exit_2_without_panicking`), unknown format (`garbage_file_exits_2_…`), a newer
//! snapshot given by name (`snapshot_from_a_newer_perfgate_is_refused`), a zero error-rate baseline
//! (`zero_baseline_error_rate_…`), all-failed load tests (`tests/it/formats_load.rs` `artillery_all_failed_…`,
//! `autocannon_all_403_…`).

use crate::common;

use std::path::{Path, PathBuf};

use common::{benchmarks, fixture, one_line_error, read_json, run_stderr, severity, Sandbox};
use serde_json::Value;

/// Runs `perfgate analyze ARGS…` and asserts exit 2 with one stderr line naming `file` and saying `problem`.
fn assert_one_line_error(sb: &Sandbox, args: &[&str], file: &str, problem: &str) {
    one_line_error(sb.cmd().arg("analyze").args(args), file, problem);
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn k6(rel: &str) -> PathBuf {
    fixture(&format!("k6/{rel}"))
}

fn verdict(sb: &Sandbox, args: &[&str]) -> (i32, Value) {
    let out = sb
        .cmd()
        .arg("analyze")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!("{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap(), v)
}

#[test]
fn empty_and_blank_files() {
    let sb = Sandbox::new();
    let blank = sb.write("blank.json", "  \r\n\t\n");
    assert_one_line_error(&sb, &[p(&blank)], "blank.json", "file is empty");
    let bom = sb.write("bom.json", "\u{feff}");
    assert_one_line_error(&sb, &[p(&bom)], "bom.json", "file is empty");
    let empty = sb.write("empty.json", "");
    let current = k6("current-summary.json");
    assert_one_line_error(
        &sb,
        &["--baseline", p(&empty), p(&current)],
        "empty.json",
        "empty",
    );
}

#[test]
fn truncated_baseline_file() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(k6("baseline-summary.json")).unwrap();
    let cut_text = &text[..text.len() * 2 / 3];
    let cut = sb.write("cut.json", cut_text);
    let current = k6("current-summary.json");
    // The end of the file is where the document breaks off: its line is named.
    let last_line = cut_text.matches('\n').count() + 1;
    assert_one_line_error(
        &sb,
        &["--baseline", p(&cut), p(&current)],
        &format!("cut.json:{last_line}:"),
        "invalid JSON: EOF while parsing",
    );
}

/// Line and column of the first `needle` in `text`, 1-based.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

#[test]
fn a_syntax_error_in_a_json_file_names_its_line_and_column() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(fixture("hyperfine/current.json")).unwrap();
    let (line, column) = position(&text, "\"mean\":");
    let broken = sb.write("broken.json", &text.replacen("\"mean\":", "\"mean\" ", 1));
    // The line of the key whose `:` is missing, and a column past the key.
    let at = format!("broken.json:{line}:");
    let err = sb
        .cmd()
        .arg("analyze")
        .arg(&broken)
        .output()
        .unwrap()
        .stderr;
    let err = String::from_utf8(err).unwrap();
    let col: usize = err
        .split(&at)
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(col > column + "\"mean\"".len(), "{err}");
    assert_one_line_error(&sb, &[p(&broken)], &at, "invalid JSON: expected `:`");
    // Forced to a format, the same place, and the format.
    assert_one_line_error(
        &sb,
        &["--format", "hyperfine", p(&broken)],
        &at,
        "(hyperfine)",
    );
    // A broken stored baseline too.
    sb.write(
        "baselines/main.json",
        "{\n  \"schema\": \"perfgate/snapshot/v1\",\n  ]\n}",
    );
    assert_one_line_error(
        &sb,
        &["--baseline", "main", p(&fixture("hyperfine/current.json"))],
        "main.json:3:3: ",
        "invalid JSON",
    );
}

#[test]
fn a_bad_record_in_a_text_format_names_its_line() {
    let sb = Sandbox::new();
    let go = sb.write(
        "go.txt",
        "goos: linux\npkg: example.com/x\nBenchmarkA-8 100 12 ns/op\nBenchmarkB-8 100 -5 ns/op\nPASS\n",
    );
    assert_one_line_error(
        &sb,
        &[p(&go)],
        "go.txt:4: benchmark `BenchmarkB-8` metric `ns/op`",
        "negative value",
    );
    let libtest = sb.write(
        "bench.txt",
        "running 2 tests\ntest a ... bench: 12 ns/iter (+/- 1)\ntest b ... bench: 1e300 s/iter (+/- 0)\n",
    );
    assert_one_line_error(&sb, &[p(&libtest)], "bench.txt:3: ", "out of range");
}

#[test]
fn hostile_strings_in_a_snapshot_are_escaped_or_refused() {
    let sb = Sandbox::new();
    let cur = fixture("hyperfine/current.json");
    sb.create_baseline(&["main"], &[&cur]);
    let path = sb.path("baselines/main.json");
    let good: Value = read_json(&path);
    let mut snap = good.clone();
    snap["git"]["commit"] = serde_json::json!("\u{1b}]0;title\u{7}abc\n::error::pwned");
    snap["git"]["branch"] = serde_json::json!("\u{1b}[2J\u{202e}main");
    snap["runner"]["cpu"] = serde_json::json!("cpu\r::warning::x");
    std::fs::write(&path, snap.to_string()).unwrap();
    // Read, compared, shown: nothing raw reaches the output.
    for args in [
        &["baseline", "show", "main"][..],
        &["analyze", "--baseline", "main", p(&cur)][..],
        &["analyze", "-o", "json", "--baseline", "main", p(&cur)][..],
    ] {
        let out = sb.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            assert!(!line.chars().any(|c| c.is_control()), "{args:?}: {line:?}");
            assert!(!line.trim_start().starts_with("::"), "{args:?}: {line:?}");
        }
    }
    // A 1 MB benchmark name is refused with one line naming the file and the field.
    let mut huge = good;
    let benchmarks = huge["benchmarks"].as_object_mut().unwrap();
    let (_, first) = benchmarks.iter().next().unwrap();
    let first = first.clone();
    benchmarks.insert("x".repeat(1 << 20), first);
    std::fs::write(&path, huge.to_string()).unwrap();
    assert_one_line_error(
        &sb,
        &["--baseline", "main", p(&cur)],
        "main.json: field `benchmarks (a benchmark name)` is 1048576 bytes long",
        "perfgate reads at most 16384",
    );
    assert_one_line_error(
        &sb,
        &["--baseline", p(&path), p(&cur)],
        "main.json: field `benchmarks (a benchmark name)`",
        "perfgate reads at most 16384",
    );
    // What perfgate would refuse to read, it does not write either.
    let long = sb.write(
        "long.json",
        &serde_json::json!([{"name": "n".repeat(20_000), "unit": "ms", "value": 1}]).to_string(),
    );
    let err = run_stderr(sb.cmd().args(["baseline", "create", "long"]).arg(&long), 2);
    assert!(
        err.contains("long.json: field `benchmarks (a benchmark name)` is 20000 bytes long"),
        "{err}"
    );
    assert!(!sb.path("baselines/long.json").exists());
}

#[test]
fn a_directory_where_a_file_is_expected() {
    let sb = Sandbox::new();
    let dir = sb.path("results");
    std::fs::create_dir_all(&dir).unwrap();
    assert_one_line_error(
        &sb,
        &["--format", "hyperfine", p(&dir)],
        "results",
        "is a directory",
    );
    let current = k6("current-summary.json");
    assert_one_line_error(
        &sb,
        &["--baseline", p(&dir), p(&current)],
        "results",
        "give the result files in it",
    );
}

/// CI runs as root, where a `chmod 000` file is still readable; these paths fail for everyone.
#[cfg(unix)]
#[test]
fn unreadable_paths() {
    let sb = Sandbox::new();
    sb.write("file.json", "{}");
    let under_file = sb.path("file.json/x.json");
    assert_one_line_error(
        &sb,
        &[p(&under_file)],
        "file.json/x.json",
        "Not a directory",
    );
    let dangling = sb.path("dangling.json");
    std::os::unix::fs::symlink(sb.path("nowhere.json"), &dangling).unwrap();
    assert_one_line_error(&sb, &[p(&dangling)], "dangling.json", "No such file");
    // A FIFO would block the reader forever (and is read twice): refused up front.
    let fifo = sb.path("fifo.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    assert_one_line_error(&sb, &[p(&fifo)], "fifo.json", "not a regular file");
    let current = k6("current-summary.json");
    assert_one_line_error(
        &sb,
        &["--baseline", p(&fifo), p(&current)],
        "fifo.json",
        "not a regular file",
    );
    // Devices too: /dev/zero never ends.
    assert_one_line_error(&sb, &["/dev/zero"], "/dev/zero", "not a regular file");
}

#[test]
fn a_directory_that_is_not_criterion_output_says_what_to_give() {
    let sb = Sandbox::new();
    let dir = sb.path("oha-results");
    std::fs::create_dir_all(&dir).unwrap();
    let current = fixture("oha/current/search.json");
    std::fs::copy(fixture("oha/baseline/search.json"), dir.join("search.json")).unwrap();
    // As the baseline, as the results, and empty: never "not a result file perfgate knows".
    for args in [vec!["--baseline", p(&dir), p(&current)], vec![p(&dir)]] {
        let err = one_line_error(
            sb.cmd().arg("analyze").args(&args),
            "oha-results",
            "is a directory",
        );
        assert!(err.contains("give the result files in it"), "{err}");
        assert!(!err.contains("not a result file"), "{err}");
    }
    let empty = sb.path("empty-dir");
    std::fs::create_dir_all(&empty).unwrap();
    assert_one_line_error(&sb, &[p(&empty)], "empty-dir", "is a directory");
}

#[test]
fn unknown_formats() {
    let sb = Sandbox::new();
    let binary = sb.path("blob.bin");
    std::fs::write(
        &binary,
        [0x00, 0xFF, 0xFE, 0x89, b'P', b'N', b'G', 0x0D, 0x0A],
    )
    .unwrap();
    assert_one_line_error(
        &sb,
        &[p(&binary)],
        "blob.bin",
        "not a result file perfgate knows",
    );
    let latin1 = sb.path("latin1.txt");
    std::fs::write(&latin1, b"BenchmarkCaf\xe9-8 100 12 ns/op\n").unwrap();
    assert_one_line_error(&sb, &[p(&latin1)], "latin1.txt", "not UTF-8 text");
    let unrelated = sb.write("notes.json", r#"{"hello": "world"}"#);
    assert_one_line_error(
        &sb,
        &["--format", "jmh", p(&unrelated)],
        "notes.json",
        "jmh",
    );
}

#[test]
fn format_detected_but_fields_missing_or_mistyped() {
    let sb = Sandbox::new();
    let cases = [
        (
            "hf.json",
            r#"{"results":[{"command":"x","mean":"fast"}]}"#,
            "no numeric `mean`",
        ),
        (
            "k6.json",
            r#"{"root_group":{},"metrics":{"http_req_duration":{"type":"trend"}}}"#,
            "no benchmarks found",
        ),
        ("gab.json", r#"[{"name":"a","unit":"ms"}]"#, "gab"),
        (
            "bmf.json",
            r#"{"bench":{"latency":{"value":"NaN"}}}"#,
            "bmf",
        ),
        (
            "gb.json",
            r#"{"context":{"date":"x"},"benchmarks":[{"name":"BM_x","run_type":"iteration"}]}"#,
            "google-benchmark",
        ),
    ];
    for (file, text, problem) in cases {
        let path = sb.write(file, text);
        assert_one_line_error(&sb, &[p(&path)], file, problem);
    }
}

#[test]
fn zero_valued_baseline_metrics_give_a_clear_verdict() {
    let sb = Sandbox::new();
    let zero = sb.write("zero.json", r#"[{"name":"a","unit":"ms","value":0}]"#);
    let slow = sb.write("slow.json", r#"[{"name":"a","unit":"ms","value":100}]"#);
    let (code, v) = verdict(&sb, &["--baseline", p(&zero), p(&slow)]);
    assert_eq!(code, 0);
    let c = &v["comparisons"][0];
    assert_eq!(c["severity"], "low");
    assert!(c["change_pct"].is_null());
    assert_eq!(c["change_abs"], 100.0);
    assert!(c["note"].as_str().unwrap().contains("baseline is 0"), "{c}");
    let (code, v) = verdict(&sb, &["--baseline", p(&zero), p(&zero)]);
    assert_eq!(code, 0);
    assert_eq!(v["comparisons"][0]["severity"], "unchanged");
}

#[test]
fn unit_mismatch_is_converted_or_refused() {
    let sb = Sandbox::new();
    let ms = sb.write("ms.json", r#"[{"name":"a","unit":"ms","value":100}]"#);
    let s = sb.write("s.json", r#"[{"name":"a","unit":"s","value":0.1}]"#);
    let s_slow = sb.write("s-slow.json", r#"[{"name":"a","unit":"s","value":0.25}]"#);
    let bytes = sb.write("bytes.json", r#"[{"name":"a","unit":"B","value":100}]"#);
    let (code, v) = verdict(&sb, &["--baseline", p(&ms), p(&s)]);
    assert_eq!(
        (code, v["comparisons"][0]["severity"].as_str()),
        (0, Some("unchanged"))
    );
    let (code, v) = verdict(&sb, &["--baseline", p(&ms), p(&s_slow)]);
    assert_eq!(
        (code, v["comparisons"][0]["severity"].as_str()),
        (1, Some("critical"))
    );
    // The only row cannot be compared: nothing in common is an error, not a pass.
    assert_one_line_error(
        &sb,
        &["--baseline", p(&ms), p(&bytes)],
        "bytes.json",
        "nothing to compare",
    );
    // One mismatched row among others is reported on its own; the rest is still compared and gated.
    let base = sb.write(
        "base2.json",
        r#"[{"name":"a","unit":"ms","value":100},{"name":"b","unit":"ms","value":100}]"#,
    );
    let cur = sb.write(
        "cur2.json",
        r#"[{"name":"a","unit":"B","value":100},{"name":"b","unit":"ms","value":300}]"#,
    );
    let (code, v) = verdict(&sb, &["--baseline", p(&base), p(&cur)]);
    assert_eq!(code, 1, "b regressed: {v}");
    let a = common::row(&v, "a", "value");
    assert!(a["note"].as_str().unwrap().contains("not compared"), "{a}");
    assert_eq!(severity(&v, "b", "value"), "critical");
    // Decimal and binary byte units convert: 1024 KB = 1000 KiB.
    let kb = sb.write("kb.json", r#"[{"name":"m","unit":"KB","value":1024}]"#);
    let kib = sb.write("kib.json", r#"[{"name":"m","unit":"KiB","value":1000}]"#);
    let b = sb.write("b.json", r#"[{"name":"m","unit":"B","value":1500000}]"#);
    let (code, v) = verdict(&sb, &["--baseline", p(&kb), p(&kib)]);
    assert_eq!(
        (code, v["comparisons"][0]["severity"].as_str()),
        (0, Some("unchanged")),
        "{v}"
    );
    let (code, v) = verdict(&sb, &["--baseline", p(&kib), p(&b)]);
    assert_eq!(
        (code, v["comparisons"][0]["severity"].as_str()),
        (1, Some("critical")),
        "{v}"
    );
}

#[test]
fn duplicate_benchmark_names_are_kept_apart_or_treated_as_runs() {
    let sb = Sandbox::new();
    let dup = sb.write(
        "dup.json",
        r#"[{"name":"a","unit":"ms","value":100},{"name":"a","unit":"ms","value":300}]"#,
    );
    let (code, v) = verdict(&sb, &["--baseline", p(&dup), p(&dup)]);
    assert_eq!(code, 0);
    let names = benchmarks(&v);
    assert!(names.contains(&"a") && names.contains(&"a #2"), "{names:?}");
    // Two hyperfine entries with the same command in one file.
    let hf = sb.write(
        "hf.json",
        r#"{"results":[{"command":"x","mean":1.0,"stddev":0.1,"median":1.0,"user":0.5,"system":0.1,"min":0.9,"max":1.1,"times":[1.0]},
                       {"command":"x","mean":2.0,"stddev":0.1,"median":2.0,"user":0.5,"system":0.1,"min":1.9,"max":2.1,"times":[2.0]}]}"#,
    );
    let (code, v) = verdict(&sb, &["--baseline", p(&hf), p(&hf)]);
    assert_eq!(code, 0);
    assert!(benchmarks(&v).contains(&"x #2"), "{v}");
}

#[test]
fn a_newer_snapshot_in_the_store_is_skipped_by_list_with_a_warning() {
    let sb = Sandbox::new();
    sb.create_baseline(&["main"], &[k6("baseline-summary.json")]);
    sb.write(
        "baselines/next.json",
        r#"{"schema":"perfgate/snapshot/v2","schema_version":2,"name":"next","created_at":"2099-01-01T00:00:00Z","benchmarks":{}}"#,
    );
    let out = sb.cmd().args(["baseline", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("next.json") && err.contains("upgrade perfgate"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("main"));
    // Given as a path it is refused like by name.
    let current = k6("current-summary.json");
    let next = sb.path("baselines/next.json");
    assert_one_line_error(
        &sb,
        &["--baseline", p(&next), p(&current)],
        "next.json",
        "schema 2",
    );
}

#[test]
fn a_baseline_name_that_is_not_stored_is_an_error_once_others_are() {
    let sb = Sandbox::new();
    let cur = k6("current-summary.json");
    // A fresh store: no baseline yet is a clear NO BASELINE, exit 0 (the first run of a new repo).
    let (code, v) = verdict(&sb, &["--baseline", "main", p(&cur)]);
    assert_eq!(
        (code, v["status"].as_str()),
        (0, Some("no-baseline")),
        "{v}"
    );
    sb.create_baseline(&["main"], &[k6("baseline-summary.json")]);
    assert_one_line_error(
        &sb,
        &["--baseline", "nosuch", p(&cur)],
        "no baseline `nosuch`",
        "available: main",
    );
    assert_one_line_error(
        &sb,
        &["--baseline", "main.json", p(&cur)],
        "main.json",
        "did you mean `main`?",
    );
    assert_one_line_error(&sb, &["--baseline", "", p(&cur)], "--baseline", "is empty");
    // A file or directory called `main` in the working directory does not shadow the stored baseline.
    sb.write("main", "not a result file");
    let (code, v) = verdict(&sb, &["--baseline", "main", p(&cur)]);
    assert_eq!(code, 1, "compared with the stored main: {v}");
    assert_eq!(v["baseline"]["name"], "main");
    std::fs::remove_file(sb.path("main")).unwrap();
    std::fs::create_dir(sb.path("main")).unwrap();
    let (code, _) = verdict(&sb, &["--baseline", "main", p(&cur)]);
    assert_eq!(code, 1);
}

#[test]
fn the_same_file_given_twice_is_refused() {
    let sb = Sandbox::new();
    let base = fixture("hyperfine/baseline.json");
    let cur = sb.path("cur.json");
    std::fs::copy(fixture("hyperfine/current.json"), &cur).unwrap();
    assert_one_line_error(
        &sb,
        &["--baseline", p(&base), p(&cur), p(&cur)],
        "cur.json",
        "given twice",
    );
    // Under another name: a relative path, and a hard link.
    assert_one_line_error(
        &sb,
        &["--baseline", p(&base), p(&cur), "./cur.json"],
        "cur.json",
        "given twice",
    );
    std::fs::hard_link(&cur, sb.path("link.json")).unwrap();
    assert_one_line_error(
        &sb,
        &["--baseline", p(&base), p(&cur), "link.json"],
        "link.json",
        "given twice",
    );
    // A repeated worker file would double every count.
    let w = k6("current.ndjson.gz");
    assert_one_line_error(
        &sb,
        &[
            "--merge-workers",
            "--baseline",
            p(&k6("baseline.ndjson.gz")),
            p(&w),
            p(&w),
        ],
        "current.ndjson.gz",
        "given twice",
    );
}

#[test]
fn no_overlap_between_baseline_and_current_is_an_error_not_a_pass() {
    let sb = Sandbox::new();
    assert_one_line_error(
        &sb,
        &[
            "--baseline",
            p(&fixture("hyperfine/baseline.json")),
            p(&k6("current-summary.json")),
        ],
        "current-summary.json",
        "nothing to compare",
    );
}

/// `doc[key][0]` appended again with every number under `scale_keys` of it multiplied by 3.
fn with_slower_duplicate(doc: &mut Value, list: Option<&str>, scale: &dyn Fn(&mut Value)) {
    let arr = match list {
        Some(k) => doc[k].as_array_mut().unwrap(),
        None => doc.as_array_mut().unwrap(),
    };
    let mut dup = arr[0].clone();
    scale(&mut dup);
    arr.push(dup);
}

fn times3(v: &mut Value) {
    match v {
        Value::Number(n) => *v = serde_json::json!(n.as_f64().unwrap() * 3.0),
        Value::Array(a) => a.iter_mut().for_each(times3),
        Value::Object(o) => o.values_mut().for_each(times3),
        _ => {}
    }
}

#[test]
fn duplicate_entries_in_pytest_benchmark_and_jmh_are_kept_not_dropped() {
    let sb = Sandbox::new();
    // pytest-benchmark: a 3x slower duplicate of the first test must be seen, not overwritten.
    let mut doc: Value = read_json(fixture("pytest-benchmark/baseline.json"));
    let name = doc["benchmarks"][0]["fullname"]
        .as_str()
        .unwrap()
        .to_string();
    with_slower_duplicate(&mut doc, Some("benchmarks"), &|d| times3(&mut d["stats"]));
    let f = sb.write("pytest.json", &doc.to_string());
    let (code, v) = verdict(&sb, &["--baseline", p(&f), p(&f)]);
    assert_eq!(code, 0);
    let dup = common::row(&v, &format!("{name} #2"), "mean");
    let first = common::row(&v, &name, "mean");
    let ratio = dup["current"].as_f64().unwrap() / first["current"].as_f64().unwrap();
    assert!((ratio - 3.0).abs() < 1e-6, "{ratio}");
    // JMH: the same.
    let jmh = common::corpus("jmh/bencherdev_bencher_jmh_six_1.36.json");
    let mut doc: Value = read_json(jmh);
    let n = doc.as_array().unwrap().len();
    with_slower_duplicate(&mut doc, None, &|d| times3(&mut d["primaryMetric"]));
    let f = sb.write("jmh.json", &doc.to_string());
    let (code, v) = verdict(&sb, &["--baseline", p(&f), p(&f)]);
    assert_eq!(code, 0);
    let benches: std::collections::BTreeSet<&str> = benchmarks(&v).into_iter().collect();
    assert_eq!(benches.len(), n + 1, "{benches:?}");
    assert!(benches.iter().any(|b| b.ends_with(" #2")), "{benches:?}");
}

#[test]
fn many_duplicate_names_are_all_numbered() {
    // Numbering was quadratic (20 000 repeats: 47 s); 100 000 are measured in docs/security.md.
    let sb = Sandbox::new();
    let doc: Vec<Value> = (0..5_000)
        .map(|i| serde_json::json!({"name": "same", "unit": "ms", "value": 1 + i % 7}))
        .collect();
    let f = sb.write("dups.json", &serde_json::to_string(&doc).unwrap());
    let (code, v) = verdict(&sb, &["--baseline", p(&f), p(&f)]);
    assert_eq!(code, 0);
    assert_eq!(v["current"]["benchmarks"], 5_000);
    common::row(&v, "same #5000", "value");
}

#[test]
fn bmf_throughput_like_measures_are_higher_is_better() {
    let sb = Sandbox::new();
    let doc = |v: f64| {
        let measures: serde_json::Map<String, Value> =
            ["qps", "rps", "bandwidth", "hit_rate", "speedup", "score"]
                .iter()
                .map(|m| (m.to_string(), serde_json::json!({"value": v})))
                .collect();
        serde_json::json!({"bench": measures}).to_string()
    };
    let base = sb.write("base.json", &doc(100.0));
    let cur = sb.write("cur.json", &doc(50.0));
    let (code, v) = verdict(&sb, &["--baseline", p(&base), p(&cur)]);
    assert_eq!(code, 1, "a 50 % drop is a regression: {v}");
    for m in ["qps", "rps", "bandwidth", "hit_rate", "speedup", "score"] {
        assert_eq!(severity(&v, "bench", m), "critical", "{m}");
    }
}

#[test]
fn negative_and_overflowing_values_are_refused() {
    let sb = Sandbox::new();
    let neg = sb.write("neg.json", r#"[{"name":"a","unit":"ms","value":-5}]"#);
    assert_one_line_error(&sb, &[p(&neg)], "neg.json", "negative value");
    // 1e306 s is finite as read, infinite in milliseconds.
    let hf = sb.write(
        "huge.json",
        r#"{"results":[{"command":"x","mean":1e306,"stddev":0.1,"median":1.0,"user":0.5,"system":0.1,"min":0.9,"max":1.1,"times":[1e306]}]}"#,
    );
    assert_one_line_error(&sb, &[p(&hf)], "huge.json", "out of range");
}
