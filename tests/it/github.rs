//! The GitHub integration end to end, against a fake GitHub on 127.0.0.1 (wiremock): the sticky comment,
//! failures that must only warn, the job summary, annotations and JUnit. No test touches the internet.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{fixture, perfgate};
use perfgate::github::client::GitHubApi;
use perfgate::github::comment::{self, upsert, Action, ApiError, CommentStore, Outcome};
use perfgate::github::Token;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "ghs_perfgateTestToken0123456789abcdef";
const BOT: &str = "github-actions[bot]";
const HOSTILE: &str = "@org/team <img src=x> | `x` -->";
/// The head commit of PR 5 in the event file.
const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";

/// An in-memory PR conversation behind GitHub's comment endpoints.
#[derive(Clone, Default)]
struct Fake {
    comments: Arc<Mutex<Vec<Value>>>,
    next_id: Arc<Mutex<u64>>,
    page_size: usize,
    base: String,
}

impl Fake {
    fn seed(&self, login: &str, body: &str) -> u64 {
        let mut n = self.next_id.lock().unwrap();
        *n += 1;
        let id = 1000 + *n;
        self.comments
            .lock()
            .unwrap()
            .push(common::github::comment(id, 5, login, body));
        id
    }

    fn bodies(&self) -> Vec<(u64, String)> {
        self.comments
            .lock()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_u64().unwrap(),
                    c["body"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

impl Respond for Fake {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let path = req.url.path().to_string();
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        match req.method.as_str() {
            "GET" => {
                let page: usize = req
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "page")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(1);
                let all = self.comments.lock().unwrap().clone();
                let items: Vec<Value> = all
                    .iter()
                    .skip((page - 1) * self.page_size)
                    .take(self.page_size)
                    .cloned()
                    .collect();
                let mut r = ResponseTemplate::new(200).set_body_json(items);
                if page * self.page_size < all.len() {
                    r = r.insert_header(
                        "link",
                        format!(
                            "<{}{path}?per_page=100&page={}>; rel=\"next\"",
                            self.base,
                            page + 1
                        )
                        .as_str(),
                    );
                }
                r
            }
            // GitHub documents POST on a PR's comments (create) and PATCH on one comment (update).
            "POST" if !path.ends_with("/comments") => {
                ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))
            }
            "POST" => {
                let id = self.seed(BOT, body["body"].as_str().unwrap());
                let c = self
                    .comments
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == id)
                    .cloned()
                    .unwrap();
                ResponseTemplate::new(201).set_body_json(c)
            }
            "PATCH" | "DELETE" => {
                let id: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
                let mut all = self.comments.lock().unwrap();
                let Some(pos) = all.iter().position(|c| c["id"] == id) else {
                    return ResponseTemplate::new(404)
                        .set_body_json(json!({"message": "Not Found"}));
                };
                if req.method.as_str() == "DELETE" {
                    all.remove(pos);
                    return ResponseTemplate::new(204);
                }
                all[pos]["body"] = body["body"].clone();
                ResponseTemplate::new(200).set_body_json(all[pos].clone())
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

/// Who the token is: `GET /user` as for a personal token, or, under `prefix` `/api/v3` (GitHub Enterprise
/// Server), refused as for an Actions token, with the identity from GraphQL's `viewer` at `/api/graphql`.
async fn mount_identity(server: &MockServer, prefix: &str) {
    if prefix.is_empty() {
        Mock::given(method("GET"))
            .and(path("/user"))
            .respond_with(ResponseTemplate::new(200).set_body_json(common::github::user(BOT)))
            .mount(server)
            .await;
        return;
    }
    Mock::given(method("GET"))
        .and(path(format!("{prefix}/user")))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Resource not accessible by integration"})),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/graphql"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"viewer": {"login": "github-actions"}}})),
        )
        .mount(server)
        .await;
}

struct Env {
    server: MockServer,
    fake: Fake,
    dir: tempfile::TempDir,
}

/// The fake conversation behind the comment endpoints of `server`, and PR 5 at the event's head commit
/// (every comment path checks it).
async fn mount_fake(server: &MockServer, fake: &Fake) {
    Mock::given(method("GET"))
        .and(path_regex(r"^(/api/v3)?/repos/o/r/pulls/5$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::github::pull(5, HEAD)))
        .mount(server)
        .await;
    Mock::given(path_regex(r"^/repos/o/r/issues/(5/comments|comments/\d+)$"))
        .respond_with(fake.clone())
        .mount(server)
        .await;
}

/// A GitHub API error: `status` with a JSON `message`.
fn api_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "message": message }))
}

impl Env {
    async fn new() -> Env {
        Env::with_page_size(100).await
    }

    async fn with_page_size(page_size: usize) -> Env {
        let server = MockServer::start().await;
        mount_identity(&server, "").await;
        let fake = Fake {
            page_size,
            base: server.uri(),
            ..Fake::default()
        };
        mount_fake(&server, &fake).await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("event.json"),
            r#"{"number":5,"pull_request":{"number":5,"head":{"sha":"0123456789abcdef0123456789abcdef01234567"}}}"#,
        )
        .unwrap();
        Env { server, fake, dir }
    }

    fn summary(&self) -> PathBuf {
        self.dir.path().join("summary.md")
    }

    /// Runs perfgate as a GitHub Actions step would; checks the token never shows.
    async fn run(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let mut cmd = perfgate();
        cmd.current_dir(self.dir.path())
            .args(args)
            .env("GITHUB_API_URL", self.server.uri())
            .env("GITHUB_REPOSITORY", "o/r")
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_EVENT_PATH", self.dir.path().join("event.json"))
            .env("GITHUB_RUN_ID", "42")
            .env("GITHUB_SERVER_URL", "https://github.test")
            .env("PERFGATE_GITHUB_TIMEOUT", "2");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(TOKEN),
                "token leaked: {}",
                String::from_utf8_lossy(stream)
            );
        }
        out
    }

    /// Every request the fake GitHub received, in order.
    async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap()
    }

    async fn writes(&self) -> Vec<String> {
        self.requests()
            .await
            .iter()
            .filter(|r| r.method.as_str() != "GET")
            .map(|r| format!("{} {}", r.method, r.url.path()))
            .collect()
    }

    /// Answers `verb` requests with `reply` ahead of the fake: the first `times` of them, or all (`None`).
    async fn answer(&self, verb: &str, reply: ResponseTemplate, times: Option<u64>) {
        let mock = Mock::given(method(verb)).respond_with(reply);
        let mock = match times {
            Some(n) => mock.up_to_n_times(n),
            None => mock,
        };
        mock.with_priority(1).mount(&self.server).await;
    }

    async fn reset_log(&self) {
        self.server.reset().await;
        mount_identity(&self.server, "").await;
        mount_fake(&self.server, &self.fake).await;
    }
}

fn k6(rel: &str) -> String {
    fixture(rel).display().to_string()
}

fn analyze(baseline: &str, current: &str) -> Vec<String> {
    vec![
        "analyze".into(),
        "--comment".into(),
        "--baseline".into(),
        k6(baseline),
        k6(current),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

const BASE: &str = "k6/baseline-summary.json";
const CUR: &str = "k6/current-summary.json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_creates_second_updates_third_writes_nothing() {
    let env = Env::new().await;
    env.fake.seed("alice", "Nice PR!");
    let out = env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        env.writes().await,
        vec!["POST /repos/o/r/issues/5/comments"]
    );
    let comments = env.fake.bodies();
    assert_eq!(comments.len(), 2);
    let (id, body) = &comments[1];
    assert!(
        body.starts_with("<!-- perfgate:v1 key=default -->\n### ❌ perfgate:"),
        "{body}"
    );
    assert!(
        body.contains("[run 42](https://github.test/o/r/actions/runs/42)"),
        "{body}"
    );
    assert!(body.contains("head `0123456`"), "{body}");
    assert!(
        stderr(&out).contains("PR comment posted"),
        "{}",
        stderr(&out)
    );

    env.reset_log().await;
    let out = env.run(&strs(&analyze(BASE, BASE)), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        env.writes().await,
        vec![format!("PATCH /repos/o/r/issues/comments/{id}")]
    );
    assert!(env.fake.bodies()[1]
        .1
        .contains("✅ perfgate: no regressions"));

    env.reset_log().await;
    let out = env.run(&strs(&analyze(BASE, BASE)), &[]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(env.writes().await.is_empty(), "{:?}", env.writes().await);
    assert_eq!(env.fake.bodies().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_on_create_only_warns_and_is_not_retried() {
    let env = Env::new().await;
    env.answer("POST", api_error(500, "Server Error"), None)
        .await;
    let out = env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    assert_eq!(out.status.code(), Some(1), "the gate's verdict stands");
    let err = stderr(&out);
    assert!(
        err.contains("warning: could not post the PR comment on #5: HTTP 500: Server Error"),
        "{err}"
    );
    assert!(err.contains("fix:"), "{err}");
    assert_eq!(env.writes().await.len(), 1, "POST is never retried");

    let out = env.run(&strs(&analyze(BASE, BASE)), &[]).await;
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_keys_get_a_comment_each() {
    let env = Env::new().await;
    for key in ["linux", "macos", "linux"] {
        let mut args = analyze(BASE, CUR);
        args.extend(["--comment-key".into(), key.into()]);
        env.run(&strs(&args), &[]).await;
    }
    let bodies = env.fake.bodies();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].1.starts_with("<!-- perfgate:v1 key=linux -->"));
    assert!(bodies[1].1.starts_with("<!-- perfgate:v1 key=macos -->"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_cleaned_up_keeping_the_oldest() {
    let env = Env::new().await;
    let old = env.fake.seed(BOT, "<!-- perfgate:v1 key=default -->\nold");
    env.fake.seed("alice", "a review");
    let dup = env
        .fake
        .seed(BOT, "<!-- perfgate:v1 key=default -->\nraced");
    env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    let writes = env.writes().await;
    assert_eq!(
        writes,
        vec![
            format!("PATCH /repos/o/r/issues/comments/{old}"),
            format!("DELETE /repos/o/r/issues/comments/{dup}"),
        ]
    );
    assert_eq!(env.fake.bodies().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_marker_comment_is_found_on_page_two() {
    let env = Env::with_page_size(2).await;
    env.fake.seed("alice", "one");
    env.fake.seed("bob", "two");
    let mine = env.fake.seed(BOT, "<!-- perfgate:v1 key=default -->\nold");
    env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    assert_eq!(
        env.writes().await,
        vec![format!("PATCH /repos/o/r/issues/comments/{mine}")]
    );
    let pages: Vec<String> = env
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET" && r.url.path().ends_with("/comments"))
        .map(|r| r.url.query().unwrap_or("").to_string())
        .collect();
    assert_eq!(pages, vec!["per_page=100&page=1", "per_page=100&page=2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_degrades_to_a_warning_with_a_fix() {
    let env = Env::new().await;
    env.answer(
        "POST",
        api_error(403, "Resource not accessible by integration"),
        None,
    )
    .await;
    let summary = env.summary();
    let out = env
        .run(
            &strs(&analyze(BASE, BASE)),
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.starts_with("::warning title=perfgate::"), "{err}");
    assert!(
        err.contains("HTTP 403: Resource not accessible by integration"),
        "{err}"
    );
    assert!(err.contains("pull-requests: write"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let s = std::fs::read_to_string(summary).unwrap();
    assert!(s.contains("> [!WARNING]") && s.contains("HTTP 403"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_github_times_out_into_a_warning() {
    let env = Env::new().await;
    env.answer(
        "GET",
        ResponseTemplate::new(200)
            .set_body_json(json!([]))
            .set_delay(Duration::from_secs(5)),
        None,
    )
    .await;
    let started = std::time::Instant::now();
    let out = env
        .run(
            &strs(&analyze(BASE, CUR)),
            &[("PERFGATE_GITHUB_TIMEOUT", "0.3")],
        )
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did not answer within 0.3 s"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(env.writes().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_is_a_warning_not_an_error() {
    let env = Env::new().await;
    let mut cmd = perfgate();
    cmd.args(strs(&analyze(BASE, CUR)))
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", env.server.uri())
        .env("GITHUB_EVENT_PATH", env.dir.path().join("event.json"));
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("GITHUB_TOKEN is not set"));
    assert!(env.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_verdict_is_posted_by_the_comment_command() {
    let env = Env::new().await;
    let verdict = perfgate()
        .args(["analyze", "-o", "json", "--baseline", &k6(BASE), &k6(CUR)])
        .output()
        .unwrap();
    let vpath = env.dir.path().join("verdict.json");
    std::fs::write(&vpath, &verdict.stdout).unwrap();
    let pr = env.dir.path().join("pr_number");
    std::fs::write(&pr, "5\n").unwrap();
    // The privileged workflow's event is `workflow_run`, with no pull request for forks; the PR's head
    // must be the commit that run measured.
    std::fs::write(
        env.dir.path().join("event.json"),
        r#"{"workflow_run":{"id":7,"head_sha":"0123456789abcdef0123456789abcdef01234567","pull_requests":[]}}"#,
    )
    .unwrap();
    Mock::given(method("GET"))
        .and(path("/repos/o/r/pulls/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::github::pull(5, HEAD)))
        .mount(&env.server)
        .await;
    let comment = [
        "comment",
        "--from",
        vpath.to_str().unwrap(),
        "--pr-file",
        pr.to_str().unwrap(),
    ];
    let out = env.run(&comment, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bodies = env.fake.bodies();
    assert_eq!(bodies.len(), 1);
    assert!(
        bodies[0]
            .1
            .contains("9 regressions in 3 benchmarks (9 critical)"),
        "{}",
        bodies[0].1
    );

    std::fs::write(&pr, "5; rm -rf /").unwrap();
    let out = env.run(&comment, &[]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn actions_get_a_job_summary_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = perfgate()
        .args(["analyze", "--baseline", &k6(BASE), &k6(CUR)])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(
        s.starts_with("earlier step\n### ❌ perfgate: 9 regressions"),
        "{s}"
    );
    let o = stdout(&out);
    let errors = o
        .lines()
        .filter(|l| l.starts_with("::error title="))
        .count();
    let warnings = o
        .lines()
        .filter(|l| l.starts_with("::warning title="))
        .count();
    // 9 gated rows fail; the report-only rows (min/max, mean, thin p99, phases) are not annotated.
    assert_eq!((errors, warnings), (9, 0), "{o}");
    assert!(o.contains("(+73.6 %25)"), "percent is escaped: {o}");
}

#[test]
fn annotations_do_not_corrupt_json_on_stdout() {
    let out = perfgate()
        .args(["analyze", "-o", "json", "--baseline", &k6(BASE), &k6(CUR)])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let _: Value = serde_json::from_slice(&out.stdout).expect("stdout is still JSON");
    assert!(stderr(&out).contains("::error title="));
}

#[test]
fn junit_is_well_formed_xml_with_one_case_per_gated_metric() {
    let out = perfgate()
        .args(["analyze", "-o", "junit", "--baseline", &k6(BASE), &k6(CUR)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("valid XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let failures = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    // min, max, mean, counts, phases and thin percentiles are report-only, so they are not failures.
    assert_eq!(failures, 9);
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("failures"), Some("9"));
    assert_eq!(
        suite.attribute("tests"),
        Some(cases.len().to_string().as_str())
    );
}

/// A k6 handleSummary file with one trend metric under a hostile name.
fn hostile_summary(dir: &Path, file: &str, p95: f64) -> String {
    let doc = json!({"metrics": {
        HOSTILE: {"type": "trend", "contains": "time", "values": {"p(95)": p95}},
        "ok": {"type": "trend", "contains": "time", "values": {"p(95)": 1.0}}
    }});
    let p = dir.join(file);
    std::fs::write(&p, doc.to_string()).unwrap();
    p.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_benchmark_name_is_harmless_everywhere() {
    let env = Env::new().await;
    let base = hostile_summary(env.dir.path(), "base.json", 10.0);
    let cur = hostile_summary(env.dir.path(), "cur.json", 20.0);
    let run = |fmt: &str| {
        perfgate()
            .args(["analyze", "-o", fmt, "--baseline", &base, &cur])
            .env("GITHUB_ACTIONS", "true")
            .output()
            .unwrap()
    };

    let table = stdout(&run("table"));
    assert!(
        !stdout(&run("markdown")).contains("::error"),
        "annotations stay out of a markdown file"
    );
    assert!(
        table.contains(HOSTILE) && !table.contains('\u{1b}'),
        "{table}"
    );

    let md = stdout(&run("markdown"));
    assert!(!md.contains("-->"), "{md}");
    // Inside a code span a mention does not notify and HTML is shown as text.
    assert_eq!(
        md.matches("@org").count(),
        md.matches("``@org").count(),
        "{md}"
    );
    for line in md.lines().filter(|l| l.contains("org/team")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 7, "the row keeps its columns: {line}");
        assert!(line.contains("``"), "the name is a code span: {line}");
    }

    let v: Value = serde_json::from_slice(&run("json").stdout).unwrap();
    assert!(v["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["benchmark"] == HOSTILE));

    let xml = String::from_utf8(run("junit").stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    assert!(doc
        .descendants()
        .any(|n| n.attribute("classname") == Some(HOSTILE)));

    let out = run("table");
    let annotations: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.contains("org/team") && l.starts_with("::"))
        .map(str::to_string)
        .collect();
    assert!(!annotations.is_empty());
    for a in &annotations {
        assert!(
            a.starts_with("::error title=perfgate%3A critical regression::@org/team"),
            "{a}"
        );
        assert_eq!(a.matches("::").count(), 2, "{a}");
    }

    let args = ["analyze", "--comment", "--baseline", &base, &cur];
    env.run(&args, &[]).await;
    let body = &env.fake.bodies()[0].1;
    assert_eq!(
        body.matches("-->").count(),
        1,
        "only the marker closes a comment: {body}"
    );
    assert_eq!(
        body.matches("@org").count(),
        body.matches("``@org").count(),
        "{body}"
    );
}

/// Runs `f` with the library's client for PR 5 of `o/r` on the fake GitHub, whose retries wait through a
/// recorder instead of sleeping; returns `f`'s result and the waits the client asked for. On a plain
/// thread: the client runs its own runtime.
async fn with_api<T: Send + 'static>(
    env: &Env,
    f: impl FnOnce(&mut GitHubApi) -> T + Send + 'static,
) -> (T, Vec<Duration>) {
    let uri = env.server.uri();
    let run = move || {
        let waits = Arc::new(Mutex::new(Vec::new()));
        let recorder = Arc::clone(&waits);
        let token = Token::new(TOKEN.to_string()).unwrap();
        let mut api = GitHubApi::new(&uri, &token, "o/r", 5)
            .unwrap()
            .with_sleep(move |d| recorder.lock().unwrap().push(d));
        let out = f(&mut api);
        let waits = waits.lock().unwrap().clone();
        (out, waits)
    };
    tokio::task::spawn_blocking(move || std::thread::spawn(run).join().unwrap())
        .await
        .unwrap()
}

/// Upserts the default comment through the library's client; see [`with_api`].
async fn upsert_recording_waits(env: &Env) -> (Result<Outcome, ApiError>, Vec<Duration>) {
    with_api(env, |api| {
        upsert(
            api,
            "default",
            &comment::body("default", "### perfgate report"),
        )
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_calls_are_retried_after_retry_after() {
    let env = Env::new().await;
    let mine = env.fake.seed(BOT, "<!-- perfgate:v1 key=default -->\nold");
    env.answer(
        "PATCH",
        api_error(503, "Service Unavailable").insert_header("retry-after", "1"),
        Some(1),
    )
    .await;
    let (outcome, waits) = upsert_recording_waits(&env).await;
    assert_eq!(outcome.unwrap().action, Action::Updated);
    assert_eq!(waits, [Duration::from_secs(1)], "Retry-After honoured");
    let patch = format!("PATCH /repos/o/r/issues/comments/{mine}");
    assert_eq!(env.writes().await, vec![patch.clone(), patch]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_enterprise_api_prefix_is_kept() {
    let server = MockServer::start().await;
    mount_identity(&server, "/api/v3").await;
    let fake = Fake {
        page_size: 100,
        base: server.uri(),
        ..Fake::default()
    };
    mount_fake(&server, &fake).await;
    Mock::given(path_regex(r"^/api/v3/repos/o/r/issues/5/comments$"))
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = perfgate();
    // No event: `--pr 5` names the PR, and GITHUB_SHA (a push's commit) the commit its head must be.
    cmd.args(strs(&analyze(BASE, CUR)))
        .args(["--pr", "5"])
        .env("GITHUB_SHA", HEAD)
        .env("GITHUB_API_URL", format!("{}/api/v3", server.uri()))
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_TOKEN", TOKEN)
        .current_dir(dir.path());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("PR comment posted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.bodies().len(), 1);
}

/// Requests by method, e.g. `["GET", "GET", "POST"]`, leaving out the token's identity lookup.
async fn methods(env: &Env) -> Vec<String> {
    env.requests()
        .await
        .iter()
        .filter(|r| r.url.path() != "/user")
        .map(|r| r.method.as_str().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_on_listing_is_retried_and_the_comment_posted_once() {
    let env = Env::new().await;
    env.answer(
        "GET",
        ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"),
        Some(1),
    )
    .await;
    let (outcome, waits) = upsert_recording_waits(&env).await;
    assert_eq!(outcome.unwrap().action, Action::Created);
    // No Retry-After: a backoff of 500 ms times the attempt.
    assert_eq!(waits, [Duration::from_millis(500)]);
    // Retried GET, one POST (then perfgate re-lists to catch a concurrent duplicate).
    let m = methods(&env).await;
    assert_eq!(m[..3], ["GET", "GET", "POST"], "{m:?}");
    assert_eq!(m.iter().filter(|x| *x == "POST").count(), 1);
    assert_eq!(env.fake.bodies().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_github_that_stays_down_gets_a_bounded_number_of_attempts() {
    let env = Env::new().await;
    env.answer("GET", ResponseTemplate::new(502), None).await;
    let (outcome, waits) = upsert_recording_waits(&env).await;
    assert_eq!(outcome.unwrap_err().status, Some(502));
    assert_eq!(
        waits,
        [Duration::from_millis(500), Duration::from_millis(1000)]
    );
    assert_eq!(
        methods(&env).await,
        ["GET", "GET", "GET"],
        "3 attempts, no POST"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_listing_waits_for_retry_after() {
    let env = Env::new().await;
    env.answer(
        "GET",
        api_error(403, "API rate limit exceeded")
            .insert_header("retry-after", "1")
            .insert_header("x-ratelimit-remaining", "0"),
        Some(1),
    )
    .await;
    let (outcome, waits) = upsert_recording_waits(&env).await;
    assert_eq!(outcome.unwrap().action, Action::Created);
    assert_eq!(waits, [Duration::from_secs(1)], "Retry-After honoured");
    // Retried GET, one POST (then perfgate re-lists to catch a concurrent duplicate).
    let m = methods(&env).await;
    assert_eq!(m[..3], ["GET", "GET", "POST"], "{m:?}");
    assert_eq!(m.iter().filter(|x| *x == "POST").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secondary_rate_limit_on_create_is_not_retried_and_never_duplicates() {
    let env = Env::new().await;
    env.answer(
        "POST",
        api_error(403, "You have exceeded a secondary rate limit")
            .insert_header("retry-after", "1"),
        Some(1),
    )
    .await;
    let out = env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    assert_eq!(out.status.code(), Some(1), "verdict unchanged");
    let err = stderr(&out);
    assert!(err.contains("secondary rate limit"), "{err}");
    assert_eq!(env.writes().await.len(), 1, "a POST is never re-sent");
    assert!(env.fake.bodies().is_empty());
    // The next run posts exactly one comment; the one after updates nothing.
    env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    assert_eq!(env.fake.bodies().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_retry_after_gives_up_at_once_with_a_warning() {
    let env = Env::new().await;
    env.answer(
        "GET",
        api_error(429, "slow down").insert_header("retry-after", "3600"),
        None,
    )
    .await;
    let start = std::time::Instant::now();
    let out = env.run(&strs(&analyze(BASE, CUR)), &[]).await;
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1), "verdict unchanged");
    assert!(stderr(&out).contains("HTTP 429"), "{}", stderr(&out));
    assert_eq!(methods(&env).await, ["GET"]);
    // The library's client asks for no wait at all: one more GET, given up at once.
    let (outcome, waits) = upsert_recording_waits(&env).await;
    assert_eq!(outcome.unwrap_err().status, Some(429));
    assert!(waits.is_empty(), "{waits:?}");
    assert_eq!(methods(&env).await, ["GET", "GET"]);
}

/// octocrab's client on the fake GitHub, as perfgate builds it.
fn octocrab_on(env: &Env) -> octocrab::Octocrab {
    let token = Token::new(TOKEN.to_string()).unwrap();
    perfgate::github::client::octocrab(&env.server.uri(), &token).unwrap()
}

/// Why perfgate updates through `Octocrab::patch` rather than `update_comment`: octocrab's sends POST,
/// where GitHub documents `PATCH /repos/{owner}/{repo}/issues/comments/{id}`; a POST is also what
/// perfgate never re-sends, so an update through it could not be retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn octocrabs_update_comment_posts_where_github_documents_patch() {
    let env = Env::new().await;
    let mine = env.fake.seed(BOT, "<!-- perfgate:v1 key=default -->\nold");
    let gh = octocrab_on(&env);
    let sent = gh.issues("o", "r").update_comment(mine.into(), "new").await;
    assert!(sent.is_err(), "the documented API has no POST there");
    assert_eq!(
        env.writes().await,
        vec![format!("POST /repos/o/r/issues/comments/{mine}")]
    );
    assert!(env.fake.bodies()[0].1.ends_with("old"));

    env.reset_log().await;
    let (updated, _) = with_api(&env, move |api| api.update(mine, "new")).await;
    updated.unwrap();
    assert_eq!(
        env.writes().await,
        vec![format!("PATCH /repos/o/r/issues/comments/{mine}")]
    );
    assert_eq!(env.fake.bodies()[0].1, "new");
}

/// Why perfgate reads comments into its own model (through octocrab's `get` and `Page`): GitHub's
/// schema makes an issue comment's `user` nullable (`null | simple-user`: a deleted account), and
/// octocrab's `models::issues::Comment` requires it, so one such comment fails the whole listing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn octocrabs_comment_model_fails_a_listing_with_a_deleted_account() {
    let env = Env::new().await;
    env.fake.seed("alice", "Nice PR!");
    let mine = env.fake.seed(BOT, "<!-- perfgate:v1 key=default -->\nold");
    let gh = octocrab_on(&env);
    let issues = gh.issues("o", "r");
    let list = || issues.list_comments(5).per_page(100).send();
    assert_eq!(
        list().await.unwrap().items.len(),
        2,
        "GitHub-shaped comments read"
    );
    env.fake.comments.lock().unwrap()[0]["user"] = Value::Null;
    let err = list().await.unwrap_err();
    assert!(
        matches!(
            err,
            octocrab::Error::Serde { .. } | octocrab::Error::Json { .. }
        ),
        "{err:?}"
    );

    let (outcome, _) = upsert_recording_waits(&env).await;
    assert_eq!(outcome.unwrap().action, Action::Updated);
    assert_eq!(
        env.writes().await,
        vec![format!("PATCH /repos/o/r/issues/comments/{mine}")]
    );
}
