//! The rendered report on the real fixture pairs: snapshots of the terminal table and the markdown (and
//! JUnit, OpenMetrics and JSON for two pairs; the baseline and history listings over real runs), the markdown parsed by a real GitHub-flavoured markdown renderer
//! (comrak with GFM extensions), and the promises of the report: same-code pairs pass quietly, a
//! regression is the first visible row, the headline counts gated rows only, nothing is shown twice.
//!
//! Snapshots live in `tests/it/snapshots/`; after an intended change, review and accept them with
//! `INSTA_UPDATE=always cargo test --features test-hooks --test it report::` (or `cargo insta review`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{failing_rows, json, perfgate, Sandbox};
use serde_json::{json, Value};

/// The fixture directory; commands run there so that paths in the output are short and stable.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The first of `names` (relative to `fixtures/`) that exists: fixtures may be re-recorded gzipped.
fn existing(names: &[&str]) -> String {
    names
        .iter()
        .find(|n| fixtures().join(n).exists())
        .unwrap_or_else(|| panic!("none of {names:?} in fixtures/"))
        .to_string()
}

/// Regression pairs: snapshot name, the files `<dir>baseline<suffix>` and `<dir>current<suffix>` (or the same
/// gzipped), and a word of the benchmark that was slowed.
const REGRESSION_PAIRS: &[(&str, &str, &str, &str)] = &[
    ("k6-summary", "k6/", "-summary.json", "search"),
    ("k6-export", "k6/", "-export.json", "search"),
    ("k6-ndjson", "k6/", ".ndjson", "search"),
    ("artillery", "artillery/", ".json", "search"),
    ("autocannon", "autocannon/", "-search.json", "search"),
    ("criterion", "criterion/", "", "sort"),
    ("go-bench", "go-bench/", ".txt", "Sort"),
    ("google-benchmark", "google-benchmark/", ".json", "Sort"),
    ("hyperfine", "hyperfine/", ".json", "primes"),
    ("libtest", "libtest/", ".txt", "sort"),
    ("pytest-benchmark", "pytest-benchmark/", ".json", "sort"),
];

fn regression_pairs() -> Vec<(&'static str, String, String, &'static str)> {
    REGRESSION_PAIRS
        .iter()
        .map(|(name, dir, suffix, slowed)| {
            let side = |s: &str| {
                let f = format!("{dir}{s}{suffix}");
                existing(&[&f, &format!("{f}.gz")])
            };
            (*name, side("baseline"), side("current"), *slowed)
        })
        .collect()
}

/// The baseline and current files of the regression pair `name`.
fn pair(name: &str) -> (String, String) {
    let (_, base, cur, _) = regression_pairs()
        .into_iter()
        .find(|p| p.0 == name)
        .unwrap_or_else(|| panic!("no regression pair {name}"));
    (base, cur)
}

/// The micro-benchmark tools with six same-code runs in `fixtures/<tool>/noise/`.
const NOISE_TOOLS: &[&str] = &[
    "criterion",
    "google-benchmark",
    "hyperfine",
    "pytest-benchmark",
];

fn noise_runs(tool: &str) -> Vec<String> {
    let dir = fixtures().join(tool).join("noise");
    let mut runs: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("run"))
        .map(|n| format!("{tool}/noise/{n}"))
        .collect();
    runs.sort();
    assert_eq!(runs.len(), 6, "{tool}: six noise runs");
    runs
}

fn analyze(output: &str, base: &str, cur: &str, env: &[(&str, &str)]) -> Output {
    let mut c = perfgate();
    c.current_dir(fixtures()).args([
        "analyze",
        "--color",
        "never",
        "-o",
        output,
        "--baseline",
        base,
        cur,
    ]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{base} {cur}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// What a reviewer sees without unfolding anything: everything before the first `<details>`.
fn visible(md: &str) -> &str {
    md.split("<details>").next().unwrap()
}

fn table_rows(s: &str) -> Vec<&str> {
    s.lines().filter(|l| l.starts_with('|')).collect()
}

/// GitHub's GFM extensions (tables, strikethrough, autolinks, tag filter, task lists, footnotes): the one
/// set every markdown check of the tests parses with.
// GitHub applies the tag filter; comrak deprecated its option (to be redone), not the behaviour.
#[allow(deprecated)]
pub(crate) fn gfm_options() -> comrak::Options<'static> {
    let mut o = comrak::Options::default();
    o.extension.table = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.tagfilter = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o
}

/// The GFM rendering GitHub applies, keeping perfgate's `<details>` (raw HTML GitHub allows).
pub(crate) fn gfm(md: &str) -> String {
    let mut o = gfm_options();
    o.render.r#unsafe = true;
    comrak::markdown_to_html(md, &o)
}

/// Every rendered table: rows of cell counts, the header first.
fn html_tables(html: &str) -> Vec<Vec<usize>> {
    html.split("<table>")
        .skip(1)
        .map(|t| {
            let t = t.split("</table>").next().unwrap();
            t.split("<tr>")
                .skip(1)
                .map(|r| r.matches("<td").count() + r.matches("<th").count())
                .collect()
        })
        .collect()
}

/// Renders through comrak and checks that every table kept its columns; returns the HTML.
pub fn check_gfm(what: &str, md: &str) -> String {
    let html = gfm(md);
    let tables = html_tables(&html);
    let md_tables = md
        .lines()
        .filter(|l| l.starts_with("|---") || l.starts_with("| ---"))
        .count();
    assert_eq!(
        tables.len(),
        md_tables,
        "{what}: every table parses\n{html}"
    );
    for t in &tables {
        assert!(t.len() >= 2, "{what}: a table with rows\n{html}");
        assert!(
            t.iter().all(|n| *n == t[0]),
            "{what}: ragged table {t:?}\n{html}"
        );
    }
    html
}

#[test]
fn snapshots_of_every_regression_pair() {
    for (name, base, cur, _) in regression_pairs() {
        let table = text(&analyze("table", &base, &cur, &[]));
        insta::assert_snapshot!(format!("{name}.table"), table);
        let md = text(&analyze("markdown", &base, &cur, &[]));
        check_gfm(name, &md);
        insta::assert_snapshot!(format!("{name}.md"), md);
    }
}

#[test]
fn snapshots_of_a_same_code_pair_per_tool() {
    for tool in NOISE_TOOLS {
        let runs = noise_runs(tool);
        let table = text(&analyze("table", &runs[0], &runs[1], &[]));
        insta::assert_snapshot!(format!("{tool}-noise.table"), table);
        let md = text(&analyze("markdown", &runs[0], &runs[1], &[]));
        check_gfm(tool, &md);
        insta::assert_snapshot!(format!("{tool}-noise.md"), md);
    }
}

#[test]
fn snapshots_of_junit_and_openmetrics() {
    for (name, base, cur, _) in regression_pairs()
        .into_iter()
        .filter(|p| p.0 == "k6-summary" || p.0 == "hyperfine")
    {
        let xml = text(&analyze("junit", &base, &cur, &[]));
        roxmltree::Document::parse(&xml).expect("well-formed JUnit");
        insta::assert_snapshot!(format!("{name}.junit.xml"), xml);
        let om = text(&analyze("openmetrics", &base, &cur, &[]));
        insta::assert_snapshot!(format!("{name}.openmetrics"), om);
    }
}

/// Floats to ten significant digits, so that a last-bit difference of a platform's `exp` or `ln` in a
/// p-value does not fail a snapshot; every other byte of the JSON is kept.
fn round_floats(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            let x: f64 = format!("{:.9e}", n.as_f64().unwrap()).parse().unwrap();
            *v = json!(x);
        }
        Value::Array(a) => a.iter_mut().for_each(round_floats),
        Value::Object(o) => o.values_mut().for_each(round_floats),
        _ => {}
    }
}

/// The JSON verdict of a micro-benchmark pair and of a load-test pair (perfgate's version masked).
#[test]
fn snapshots_of_json() {
    for (name, base, cur, _) in regression_pairs()
        .into_iter()
        .filter(|p| p.0 == "hyperfine" || p.0 == "autocannon")
    {
        let mut v = json(&analyze("json", &base, &cur, &[]).stdout);
        assert_eq!(v["schema"], "perfgate/verdict/v1");
        v["perfgate_version"] = json!("[version]");
        round_floats(&mut v);
        insta::assert_snapshot!(
            format!("{name}.json"),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}

/// A baseline with three snapshots kept by `baseline create --append` at fixed times (`SOURCE_DATE_EPOCH`)
/// from the real hyperfine runs: the baseline, the slowed run, a same-code run. In a sandbox outside any
/// git checkout, so no commit is recorded.
fn hyperfine_history() -> Sandbox {
    let sb = Sandbox::new();
    for (i, run) in ["baseline.json", "current.json", "noise/run1.json"]
        .iter()
        .enumerate()
    {
        let file = run.replace('/', "-");
        std::fs::copy(fixtures().join("hyperfine").join(run), sb.path(&file)).unwrap();
        sb.cmd()
            .args(["baseline", "create", "main", "--append", &file])
            .env(
                "SOURCE_DATE_EPOCH",
                (1_767_225_600 + 86_400 * i).to_string(),
            )
            .assert()
            .success();
    }
    sb
}

/// The views of the baseline store and of a baseline's history, and the format list.
#[test]
fn snapshots_of_baseline_and_history_listings() {
    let sb = hyperfine_history();
    for (name, args) in [
        ("baseline-list", &["baseline", "list"][..]),
        ("baseline-list.json", &["baseline", "list", "-o", "json"]),
        (
            "baseline-list-history",
            &["baseline", "list", "--history", "main"],
        ),
        ("baseline-show", &["baseline", "show", "main"]),
        ("history", &["history", "main"]),
        (
            "history-median.json",
            &["history", "main", "--metric", "median", "-o", "json"],
        ),
        ("formats", &["formats"]),
    ] {
        let out = sb
            .cmd()
            .args(["--color", "never"])
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        insta::assert_snapshot!(name, String::from_utf8(out).unwrap());
    }
}

/// Same-code pairs of every micro-benchmark fixture: pass, a green headline, no annotation, nothing red or
/// orange before the details.
#[test]
fn same_code_pairs_pass_quietly() {
    let actions = [("GITHUB_ACTIONS", "true")];
    for tool in NOISE_TOOLS {
        let runs = noise_runs(tool);
        for i in 0..runs.len() {
            for j in i + 1..runs.len() {
                let pair = format!("{tool} {} vs {}", runs[i], runs[j]);
                let out = analyze("markdown", &runs[i], &runs[j], &actions);
                assert_eq!(out.status.code(), Some(0), "{pair}");
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    !stderr.lines().any(|l| l.starts_with("::")),
                    "{pair}: annotations {stderr}"
                );
                let md = text(&out);
                assert!(
                    md.starts_with("### ✅ perfgate: no regressions"),
                    "{pair}: {md}"
                );
                let shown = visible(&md);
                assert!(
                    !shown.contains('🔴') && !shown.contains('🟠'),
                    "{pair}: {shown}"
                );
                let table = text(&analyze("table", &runs[i], &runs[j], &actions));
                assert!(table.contains("\nPASS  "), "{pair}: {table}");
                assert!(
                    !table.lines().any(|l| l.starts_with("::")),
                    "{pair}: annotations {table}"
                );
            }
        }
    }
}

fn json_of(base: &str, cur: &str) -> Value {
    json(&analyze("json", base, cur, &[]).stdout)
}

/// The number before `word` in the headline, e.g. 7 in `7 regressions in 2 benchmarks`.
fn count_before(headline: &str, word: &str) -> usize {
    let i = headline
        .find(word)
        .unwrap_or_else(|| panic!("{word} in {headline}"));
    headline[..i]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count before {word} in {headline}"))
}

/// Every regression pair: the first visible row is the slowed benchmark and the headline counts the gated
/// rows that fail the gate, nothing else.
#[test]
fn the_regression_comes_first_and_the_headline_counts_gated_rows() {
    for (name, base, cur, slowed) in regression_pairs() {
        let md = text(&analyze("markdown", &base, &cur, &[]));
        let rows = table_rows(visible(&md));
        assert!(rows.len() >= 3, "{name}: {md}");
        let first = rows[2];
        let bench = first.split(" | ").nth(1).unwrap();
        assert!(bench.contains(slowed), "{name}: first row {first}");
        let v = json_of(&base, &cur);
        assert_eq!(v["status"], "fail", "{name}");
        let failing = failing_rows(&v).len();
        let title = md.lines().next().unwrap();
        assert_eq!(
            count_before(title, " regression"),
            failing,
            "{name}: {title}"
        );
        // The table's last line says the same.
        let table = text(&analyze("table", &base, &cur, &[]));
        let last = table.lines().last().unwrap();
        assert!(last.starts_with("FAIL  "), "{name}: {last}");
        assert_eq!(count_before(last, " regression"), failing, "{name}: {last}");
    }
}

/// Nothing twice: no row of the markdown report appears in two places.
#[test]
fn no_row_is_shown_twice() {
    for (name, base, cur, _) in regression_pairs() {
        let md = text(&analyze("markdown", &base, &cur, &[]));
        let rows: Vec<&str> = table_rows(&md)
            .into_iter()
            .filter(|l| {
                !l.starts_with("|---")
                    && !l.starts_with("| Severity")
                    && !l.starts_with("| Benchmark")
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            // The benchmark and metric identify a row (a visible row may say "and 3 more").
            let cells: Vec<&str> = r.split(" | ").collect();
            let key = if r.starts_with("| `") {
                (cells[0].to_string(), cells[1].to_string())
            } else {
                (
                    cells[1].to_string(),
                    cells[2].split(" and ").next().unwrap().to_string(),
                )
            };
            assert!(seen.insert(key.clone()), "{name}: {key:?} twice\n{md}");
        }
    }
}

/// The k6 NDJSON pair: no benchmark repeats another (a tag sub-metric identical to its parent, or two tags
/// selecting the same requests), and the visible part fits in 40 table rows.
#[test]
fn k6_ndjson_has_no_repeated_series_and_a_short_visible_part() {
    let (base, cur) = pair("k6-ndjson");
    let v = json_of(&base, &cur);
    let mut by_bench: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for c in v["comparisons"].as_array().unwrap() {
        by_bench
            .entry(c["benchmark"].as_str().unwrap().to_string())
            .or_default()
            .push(format!(
                "{} {} {}",
                c["metric"], c["baseline"], c["current"]
            ));
    }
    let parent = |b: &str| b.split('{').next().unwrap().to_string();
    let tag_key = |b: &str| {
        b.split('{')
            .nth(1)
            .and_then(|t| t.split(':').next())
            .map(str::to_string)
    };
    for (a, ma) in &by_bench {
        for (b, mb) in by_bench.range::<String, _>((
            std::ops::Bound::Excluded(a.clone()),
            std::ops::Bound::Unbounded,
        )) {
            let (mut ma, mut mb) = (ma.clone(), mb.clone());
            ma.sort();
            mb.sort();
            // Two values of one tag (`{name:home}`, `{name:login}`) are different requests even when their
            // counts agree; every other identical pair is a repeat.
            let siblings =
                parent(a) == parent(b) && tag_key(a).is_some() && tag_key(a) == tag_key(b);
            // Counters of different metrics agree when the script does one of each per iteration
            // (`iterations` and `http_reqs{name:health}`); they count different things.
            let counts_only = ma
                .iter()
                .all(|r| r.starts_with("\"count\" ") || r.starts_with("\"rate\" "));
            assert!(siblings || counts_only || ma != mb, "{a} repeats {b}");
        }
    }
    for b in by_bench.keys() {
        for tag in [
            "method:GET",
            "expected_response:true",
            "scenario:default",
            "status:200",
        ] {
            assert!(!b.contains(tag), "single-valued tag series kept: {b}");
        }
    }
    let md = text(&analyze("markdown", &base, &cur, &[]));
    assert!(table_rows(visible(&md)).len() <= 40, "{md}");
}

/// `--output json` keeps every row, gated or not, with `gated`.
#[test]
fn json_keeps_every_row_with_gated() {
    let (base, cur) = pair("hyperfine");
    let v = json_of(&base, &cur);
    let rows = v["comparisons"].as_array().unwrap();
    assert_eq!(rows.len() as u64, v["current"]["metrics"].as_u64().unwrap());
    assert!(rows.iter().all(|c| c["gated"].is_boolean()));
    let ungated = rows.iter().filter(|c| c["gated"] == false).count();
    assert!(ungated > 0);
    let n: u64 = v["not_gated"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(n as usize, ungated);
}

/// Hostile benchmark names, metric names and units render as text through a real GFM renderer: no HTML,
/// no links, no mentions, no broken tables.
#[test]
fn hostile_names_render_as_text() {
    let names = [
        "<img src=x onerror=alert(1)> <b>bold</b>",
        "@here @org/team",
        "https://evil.example/x [link](https://evil.example)",
        "pipe | cell\nnew line",
        "``back`ticks``",
        "<!-- comment --> </details>",
    ];
    let sb = Sandbox::new();
    let doc = |value: f64| -> String {
        let rows: Vec<Value> = names
            .iter()
            .map(|n| json!({"name": n, "unit": "https://evil.example/u @team", "value": value}))
            .collect();
        serde_json::to_string(&rows).unwrap()
    };
    let base = sb.write("base.json", &doc(10.0));
    let cur = sb.write("cur.json", &doc(20.0));
    let md = String::from_utf8(
        sb.cmd()
            .args(["analyze", "-o", "markdown", "--baseline"])
            .arg(&base)
            .arg(&cur)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let html = check_gfm("hostile", &md);
    for bad in ["<img", "<b>", "<a ", "<!--", "onerror=alert(1)>"] {
        assert!(!html.contains(bad), "{bad} in\n{html}");
    }
    // One </details> per <details>: a name cannot close perfgate's own.
    assert_eq!(
        html.matches("<details>").count(),
        html.matches("</details>").count()
    );
    // A mention is plain text only inside code, where GitHub does not notify.
    for part in html.split("@here").skip(1) {
        let before_close = part.find("</code>");
        let before_open = part.find("<code>");
        assert!(
            before_close.is_some() && before_close < before_open.or(Some(usize::MAX)),
            "@here outside code in\n{html}"
        );
    }
}

/// The legend states the policy's bands, not the defaults, and a budget row names the limit it crossed, in
/// the markdown, the table and the JUnit failure.
#[test]
fn policy_bands_and_budget_limits_are_shown() {
    let sb = Sandbox::new();
    sb.write(
        "perfgate.toml",
        "[bands]\nlow = 3\nmedium = 8\nhigh = 12\ncritical = 20\n\n\
         [[budget]]\nbenchmark = \"http_req_duration{name:search}\"\nmetric = \"p95\"\nfail_above = 30\n",
    );
    let run = |fmt: &str| {
        let out = sb
            .cmd()
            .args(["analyze", "-o", fmt, "--baseline"])
            .arg(fixtures().join("k6/baseline-summary.json"))
            .arg(fixtures().join("k6/current-summary.json"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let md = run("markdown");
    assert!(
        md.contains("🔴 critical > 20 % · 🟠 high > 12 % · 🟡 medium > 8 % · ⚪ low > 3 % worse"),
        "{md}"
    );
    assert!(
        md.contains("| 🔴 critical | `http_req_duration{name:search}` | `p95` budget | **+8.88 ms** | fail above 30.0 ms | 38.9 ms |"),
        "{md}"
    );
    assert!(
        md.starts_with(
            "### ❌ perfgate: 10 regressions in 3 benchmarks (10 critical; 1 over budget)"
        ),
        "{md}"
    );
    assert!(run("table").contains("fail above 30.0 ms"));
    assert!(run("junit").contains("critical over budget (fail above 30.0 ms)"));
}

/// With `--fail-on never` nothing fails: the worst rows are warnings, and the headline says so.
#[test]
fn a_gate_that_never_fails_reports_warnings() {
    let out = perfgate()
        .current_dir(fixtures())
        .args([
            "analyze",
            "-o",
            "markdown",
            "--fail-on",
            "never",
            "--baseline",
        ])
        .args(["k6/baseline-summary.json", "k6/current-summary.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = text(&out);
    assert!(
        md.starts_with("### ⚠️ perfgate: 9 warnings in 3 benchmarks (9 critical)"),
        "{md}"
    );
}
