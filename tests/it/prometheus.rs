//! Prometheus in and out against the real servers (Debian's `prometheus`, `prometheus-pushgateway`,
//! `promtool`), started on 127.0.0.1 with temporary data. Skipped, loudly, only when the binaries are absent
//! and `PERFGATE_REQUIRE_TOOLS=1` is not set.

use crate::common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{k6_pair, perfgate, read_json, run_ok};
use serde_json::Value;

/// The binary, or `None` after a notice that the test is skipped (a failure under
/// `PERFGATE_REQUIRE_TOOLS=1`).
fn need(name: &str) -> Option<PathBuf> {
    common::tool(
        &[name],
        "apt-get install -y prometheus prometheus-pushgateway",
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed and reaped when the test ends (also on panic).
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Minimal HTTP GET against 127.0.0.1 (status, body), so the tests do not share perfgate's client.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split_whitespace().nth(1)?.parse().ok()?;
    let body = buf.split_once("\r\n\r\n").map(|x| x.1.to_string())?;
    Some((status, body))
}

fn start(bin: &Path, args: &[String], port: u16) -> Server {
    let child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if matches!(get(port, "/-/ready"), Some((200, _))) {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("{} exited early: {status}", bin.display());
        }
        assert!(
            Instant::now() < deadline,
            "{} not ready within 30 s",
            bin.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// One k6 run as the remote-write output stores it: 10 flushes 5 s apart starting at `t0`.
/// `slow` scales login's latencies.
fn k6_run(om: &mut String, testid: &str, t0: u64, slow: f64) {
    let l = |name: &str, status: &str| {
        format!(
            "testid=\"{testid}\",name=\"{name}\",method=\"GET\",status=\"{status}\",expected_response=\"{}\",scenario=\"default\"",
            status == "200"
        )
    };
    for i in 0..10u64 {
        let t = t0 + 5 * i;
        let f = 1.0 + 0.01 * i as f64; // trend stats drift while the run goes on; the last flush is final
        let mut put = |name: &str, labels: &str, v: f64| {
            om.push_str(&format!("{name}{{{labels}}} {v} {t}\n"));
        };
        put(
            "k6_http_req_duration_p95",
            &l("login", "200"),
            0.100 * f * slow,
        );
        put(
            "k6_http_req_duration_p99",
            &l("login", "200"),
            0.150 * f * slow,
        );
        put(
            "k6_http_req_duration_avg",
            &l("login", "200"),
            0.060 * f * slow,
        );
        put("k6_http_req_duration_p95", &l("search", "200"), 0.200 * f);
        put(
            "k6_http_reqs_total",
            &l("login", "200"),
            50.0 * (i + 1) as f64,
        );
        put(
            "k6_http_reqs_total",
            &l("search", "200"),
            90.0 * (i + 1) as f64,
        );
        put(
            "k6_http_reqs_total",
            &l("search", "500"),
            10.0 * (i + 1) as f64,
        );
        put("k6_http_req_failed_rate", &l("login", "200"), 0.0);
        put("k6_http_req_failed_rate", &l("search", "200"), 0.0);
        put("k6_http_req_failed_rate", &l("search", "500"), 1.0);
        put("k6_vus", &format!("testid=\"{testid}\""), 5.0);
    }
}

fn metric(snapshot: &Value, bench: &str, metric: &str) -> f64 {
    snapshot["benchmarks"][bench]["metrics"][metric]["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("no {bench} {metric} in {snapshot}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn backfilled_k6_run_is_pulled_and_gated() {
    let (Some(prometheus), Some(promtool)) = (need("prometheus"), need("promtool")) else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Two runs in the past hours: the blocks must be older than the (empty) head to be loaded.
    let base_t0 = (now() - 3 * 3600) / 60 * 60;
    let cur_t0 = base_t0 + 3600;
    let mut om = String::new();
    k6_run(&mut om, "base-1", base_t0, 1.0);
    k6_run(&mut om, "cur-2", cur_t0, 1.4);
    om.push_str("# EOF\n");
    let om_path = dir.path().join("k6.om");
    std::fs::write(&om_path, om).unwrap();
    run_ok(
        Command::new(&promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&om_path)
            .arg(&data),
    );
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1h\n").unwrap();
    let port = free_port();
    let server = start(
        &prometheus,
        &[
            format!("--config.file={}", config.display()),
            format!("--storage.tsdb.path={}", data.display()),
            "--storage.tsdb.retention.time=3650d".into(),
            format!("--web.listen-address=127.0.0.1:{port}"),
        ],
        port,
    );
    let url = format!("http://127.0.0.1:{}", server.port);

    // The baseline by an explicit window, the current run by the default lookback.
    let base = dir.path().join("base.json");
    let out = run_ok(
        perfgate()
            .args(["pull", "--prometheus-url", &url, "--testid", "base-1"])
            .args([
                "--start",
                &(base_t0 - 1).to_string(),
                "--end",
                &(base_t0 + 60).to_string(),
            ])
            .arg("-o")
            .arg(&base)
            .env("PERFGATE_PROMETHEUS_TOKEN", "s3cret-token"),
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cret"), "token printed: {all}");
    let cur = dir.path().join("cur.json");
    run_ok(
        perfgate()
            .args(["pull", "--prometheus-url", &url, "--testid", "cur-2", "-o"])
            .arg(&cur),
    );

    // The numbers are the source data's final flush, in k6's summary names and units.
    let b: Value = read_json(&base);
    for (bench, m, want) in [
        ("http_req_duration{name:login}", "p95", 109.0),
        ("http_req_duration{name:login}", "p99", 163.5),
        ("http_req_duration{name:login}", "mean", 65.4),
        ("http_req_duration{name:search}", "p95", 218.0),
        ("http_reqs{name:login}", "rate", 10.0), // (500 - 50) / 45 s
        ("http_reqs{name:search}", "rate", 20.0),
        ("http_reqs", "rate", 30.0),
        ("http_reqs", "count", 1500.0),
        ("http_req_failed{name:search}", "error_rate", 0.1), // 100 of 1000
        ("http_req_failed{name:login}", "error_rate", 0.0),
        ("http_req_failed", "error_rate", 100.0 / 1500.0),
    ] {
        let got = metric(&b, bench, m);
        assert!(close(got, want), "{bench} {m}: {got}, not {want}");
    }
    assert!(b["benchmarks"].get("vus").is_none());

    let out = perfgate()
        .args(["analyze", "-o", "json", "--baseline"])
        .arg(&base)
        .arg(&cur)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = v["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["benchmark"] == "http_req_duration{name:login}" && r["metric"] == "p95")
        .unwrap();
    assert_eq!(row["severity"], "critical");
    assert!((row["change_pct"].as_f64().unwrap() - 40.0).abs() < 1e-6);

    // Nothing for an unknown testid: one line naming the URL, exit 2.
    let out = perfgate()
        .args(["pull", "--prometheus-url", &url, "--testid", "nope", "-o"])
        .arg(dir.path().join("x.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&url) && err.contains("no k6 series"), "{err}");
    eprintln!(
        "prometheus round trip took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn verdict_json(dir: &Path) -> PathBuf {
    let out = perfgate()
        .args(["analyze", "-o", "json", "--baseline"])
        .args(k6_pair())
        .output()
        .unwrap();
    let path = dir.join("verdict.json");
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

#[test]
fn openmetrics_output_passes_promtool() {
    let Some(promtool) = need("promtool") else {
        return;
    };
    let out = perfgate()
        .args(["analyze", "-o", "openmetrics", "--baseline"])
        .args(k6_pair())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("# EOF\n"));
    assert!(text.contains("perfgate_gate_failed 1\n"));
    assert!(text.contains(
        "perfgate_severity{benchmark=\"http_req_duration{name:search}\",metric=\"p95\",unit=\"ms\",kind=\"change\"} 4\n"
    ));
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let res = child.wait_with_output().unwrap();
    assert!(
        res.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
}

#[test]
fn push_appears_on_a_real_pushgateway() {
    let Some(pushgateway) = need("prometheus-pushgateway") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let verdict = verdict_json(dir.path());
    let port = free_port();
    let server = start(
        &pushgateway,
        &[format!("--web.listen-address=127.0.0.1:{port}")],
        port,
    );
    let url = format!("http://127.0.0.1:{}", server.port);
    let out = run_ok(
        perfgate()
            .args([
                "push",
                "--pushgateway",
                &url,
                "--branch",
                "feature/x\"y",
                "--from",
            ])
            .arg(&verdict)
            .env("PERFGATE_PUSHGATEWAY_TOKEN", "s3cret-token"),
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("s3cret"));
    let (status, body) = get(port, "/metrics").unwrap();
    assert_eq!(status, 200);
    let line = body
        .lines()
        .find(|l| {
            l.starts_with("perfgate_value{")
                && l.contains("benchmark=\"http_req_duration{name:search}\"")
                && l.contains("metric=\"p95\"")
        })
        .unwrap_or_else(|| panic!("no pushed perfgate_value in\n{body}"));
    assert!(line.contains("job=\"perfgate\""), "{line}");
    assert!(line.contains("branch=\"feature/x\\\"y\""), "{line}");
    assert!(
        body.contains(
            "perfgate_gate_failed{branch=\"feature/x\\\"y\",instance=\"\",job=\"perfgate\"} 1"
        ),
        "{body}"
    );

    // A refused push names the URL and exits 2.
    let out = perfgate()
        .args(["push", "--pushgateway", &format!("{url}/nope"), "--from"])
        .arg(&verdict)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("127.0.0.1"));
}

#[test]
fn grafana_example_charts_the_pushed_series() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/grafana-dashboard.json");
    let doc: Value = read_json(path);
    let exprs: Vec<String> = doc["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t["expr"].as_str().map(str::to_string))
        .collect();
    for series in [
        "perfgate_value",
        "perfgate_baseline_value",
        "perfgate_change_ratio",
        "perfgate_severity",
        "perfgate_gate_failed",
    ] {
        assert!(
            exprs.iter().any(|e| e.contains(&format!("{series}{{"))),
            "{series} not charted"
        );
    }
}
