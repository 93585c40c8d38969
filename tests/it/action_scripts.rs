//! The Action's bash scripts (`action/*.sh`), run as the composite action runs them: against a fake GitHub
//! on 127.0.0.1 (a small stateful HTTP server below) and a local bare repository as `origin`. Covers the
//! baseline mode (a pushed snapshot, two concurrent runs), the PR mode (reads the data branch, one sticky
//! comment, a stranger's marker comment left alone), the fork pair (artifact written, posted, a wrong PR
//! number refused) and the installer (good checksum, bad checksum, missing release). No network.

use crate::common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use common::{fixture, git, k6, read_json};
use serde_json::{json, Value};

const TOKEN: &str = "ghs_actionScriptTestToken0123456789";
const BOT: &str = "github-actions[bot]";
const MARKER: &str = "<!-- perfgate:v1 key=default -->";

// ---------------------------------------------------------------------------------------------------
// A fake GitHub: issue comments, pull requests, the token's identity, release downloads.

#[derive(Default)]
struct State {
    /// Comments: `{id, pr, body, user: {login}}`.
    comments: Vec<Value>,
    next_id: u64,
    /// Head commit of each open pull request.
    pulls: HashMap<u64, String>,
    /// Static files (release assets) by path.
    files: HashMap<String, Vec<u8>>,
    /// Paths answered with `302 Found` and this `location`.
    redirects: HashMap<String, String>,
    /// `METHOD /path` of every request but the listing GETs.
    log: Vec<String>,
}

/// A comment as GitHub shows it, plus the `pr` it belongs to (the fake's own bookkeeping).
fn stored_comment(id: u64, pr: u64, login: &str, body: &str) -> Value {
    let mut c = common::github::comment(id, pr, login, body);
    c["pr"] = json!(pr);
    c
}

#[derive(Clone)]
struct FakeGitHub {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FakeGitHub {
    fn start() -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeGitHub {
            url,
            state: Arc::new(Mutex::new(State {
                next_id: 100,
                ..State::default()
            })),
        };
        let served = fake.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let f = served.clone();
                std::thread::spawn(move || f.serve(stream));
            }
        });
        fake
    }

    fn seed(&self, pr: u64, login: &str, body: &str) -> u64 {
        let mut s = self.state.lock().unwrap();
        s.next_id += 1;
        let id = s.next_id;
        s.comments.push(stored_comment(id, pr, login, body));
        id
    }

    fn comments(&self, pr: u64) -> Vec<Value> {
        let s = self.state.lock().unwrap();
        s.comments
            .iter()
            .filter(|c| c["pr"] == pr)
            .cloned()
            .collect()
    }

    fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut length = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let mut out = stream;
        let redirect = {
            let mut s = self.state.lock().unwrap();
            let to = s.redirects.get(&target).cloned();
            if to.is_some() {
                s.log.push(format!("{method} {target}"));
            }
            to
        };
        if let Some(to) = redirect {
            let _ = write!(
                out,
                "HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            return;
        }
        let (status, bytes) = self.route(&method, &target, &body);
        let _ = write!(
            out,
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            bytes.len()
        );
        let _ = out.write_all(&bytes);
    }

    fn route(&self, method: &str, target: &str, body: &Value) -> (u16, Vec<u8>) {
        let full = target.split('?').next().unwrap_or("");
        let mut s = self.state.lock().unwrap();
        if method != "GET" || !full.ends_with("/comments") {
            s.log.push(format!("{method} {full}"));
        }
        // GitHub Enterprise Server: REST under /api/v3, GraphQL at /api/graphql.
        let path = match full.strip_prefix("/api/v3") {
            Some(rest) => rest,
            None if full == "/api/graphql" => "/graphql",
            None => full,
        };
        let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let ok = |v: Value| (200, v.to_string().into_bytes());
        let status =
            |code: u16, msg: &str| (code, json!({ "message": msg }).to_string().into_bytes());
        match (method, seg.as_slice()) {
            // An Actions token has no user; its identity comes from GraphQL.
            ("GET", ["user"]) => status(403, "Resource not accessible by integration"),
            ("POST", ["graphql"]) => ok(json!({"data": {"viewer": {"login": "github-actions"}}})),
            ("GET", ["repos", "o", "r", "issues", n, "comments"]) => {
                let n: u64 = n.parse().unwrap();
                ok(Value::Array(
                    s.comments
                        .iter()
                        .filter(|c| c["pr"] == n)
                        .cloned()
                        .collect(),
                ))
            }
            ("POST", ["repos", "o", "r", "issues", n, "comments"]) => {
                let n: u64 = n.parse().unwrap();
                s.next_id += 1;
                let id = s.next_id;
                let c = stored_comment(id, n, BOT, body["body"].as_str().unwrap_or_default());
                s.comments.push(c.clone());
                (201, c.to_string().into_bytes())
            }
            ("PATCH" | "DELETE", ["repos", "o", "r", "issues", "comments", id]) => {
                let id: u64 = id.parse().unwrap();
                let Some(pos) = s.comments.iter().position(|c| c["id"] == id) else {
                    return status(404, "Not Found");
                };
                if s.comments[pos]["user"]["login"] != BOT {
                    return status(403, "Must have admin rights to Repository.");
                }
                if method == "DELETE" {
                    s.comments.remove(pos);
                    return (204, Vec::new());
                }
                s.comments[pos]["body"] = body["body"].clone();
                ok(s.comments[pos].clone())
            }
            ("GET", ["repos", "o", "r", "pulls", n]) => match s.pulls.get(&n.parse().unwrap()) {
                Some(sha) => ok(common::github::pull(n.parse().unwrap(), sha)),
                None => status(404, "Not Found"),
            },
            ("GET", _) => match s.files.get(path) {
                Some(b) => (200, b.clone()),
                None => status(404, "Not Found"),
            },
            _ => status(404, "Not Found"),
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// A repository with a bare `origin`, workspaces cloned from it, and the scripts run as the Action runs them.

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct World {
    tmp: tempfile::TempDir,
    gh: FakeGitHub,
}

impl World {
    fn new() -> World {
        let w = World {
            tmp: tempfile::tempdir().unwrap(),
            gh: FakeGitHub::start(),
        };
        let origin = w.path("origin.git");
        std::fs::create_dir_all(&origin).unwrap();
        git(&origin, &["init", "-q", "--bare"]);
        let seed = w.path("seed");
        std::fs::create_dir_all(&seed).unwrap();
        git(&seed, &["init", "-q"]);
        std::fs::write(seed.join("app.txt"), "v1\n").unwrap();
        git(&seed, &["add", "app.txt"]);
        git(&seed, &["commit", "-q", "-m", "first"]);
        git(
            &seed,
            &["remote", "add", "origin", origin.to_str().unwrap()],
        );
        git(&seed, &["push", "-q", "origin", "main"]);
        w
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// A fresh clone of origin, as `actions/checkout` leaves it: HEAD detached, no local branches.
    fn checkout(&self, name: &str, rev: &str) -> PathBuf {
        let dir = self.path(name);
        git(
            self.tmp.path(),
            &[
                "clone",
                "-q",
                self.path("origin.git").to_str().unwrap(),
                name,
            ],
        );
        git(&dir, &["checkout", "-q", "--detach", rev]);
        git(&dir, &["branch", "-q", "-D", "main"]);
        dir
    }

    /// Adds a commit to origin's main; returns its id.
    fn push_to_main(&self, text: &str) -> String {
        let seed = self.path("seed");
        git(&seed, &["pull", "-q", "--rebase", "origin", "main"]);
        std::fs::write(seed.join("app.txt"), text).unwrap();
        git(&seed, &["commit", "-q", "-am", text]);
        git(&seed, &["push", "-q", "origin", "main"]);
        git(&seed, &["rev-parse", "HEAD"])
    }

    fn event(&self, name: &str, v: Value) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    }

    /// `bash action/<script>` in `dir` with a runner-like environment and the given inputs.
    fn script(&self, script: &str, dir: &Path, vars: &[(&str, &str)]) -> Command {
        let bin = self.path("bin");
        if !bin.exists() {
            std::fs::create_dir_all(&bin).unwrap();
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_perfgate"), bin.join("perfgate"))
                .unwrap();
        }
        let runner_temp = self.path("runner-temp");
        std::fs::create_dir_all(&runner_temp).unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg(repo_root().join("action").join(script))
            .current_dir(dir)
            .env_clear()
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("HOME", self.tmp.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", repo_root())
            .env("GITHUB_API_URL", &self.gh.url)
            .env("GITHUB_SERVER_URL", "https://github.test")
            .env("GITHUB_REPOSITORY", "o/r")
            // A push to the default branch, unless a test says otherwise.
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_REF", "refs/heads/main")
            .env("PG_DEFAULT_BRANCH", "main")
            .env("GITHUB_RUN_ID", "99")
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("RUNNER_TEMP", &runner_temp)
            .env("PERFGATE_GITHUB_TIMEOUT", "5");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, script: &str, dir: &Path, vars: &[(&str, &str)]) -> Output {
        let out = self.script(script, dir, vars).output().unwrap();
        for s in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(s).contains(TOKEN), "token leaked");
        }
        out
    }

    /// `run.sh` in baseline mode on `files`, with `vars` besides.
    fn baseline(&self, dir: &Path, files: &str, vars: &[(&str, &str)]) -> Output {
        let mut all = vec![("PG_MODE", "baseline"), ("PG_FILES", files)];
        all.extend_from_slice(vars);
        self.run("run.sh", dir, &all)
    }

    fn assert_nothing_pushed(&self) {
        let data = git(
            &self.path("origin.git"),
            &["branch", "--list", "perfgate-data"],
        );
        assert_eq!(data, "", "nothing was pushed");
    }

    /// The snapshots on origin's `branch`, as (path, commit recorded in the snapshot).
    fn snapshots_on(&self, branch: &str) -> Vec<(String, String)> {
        let origin = self.path("origin.git");
        let files = git(
            &origin,
            &["ls-tree", "-r", "--name-only", branch, "--", "baselines"],
        );
        files
            .lines()
            .filter(|f| f.ends_with(".json"))
            .map(|f| {
                let text = git(&origin, &["show", &format!("{branch}:{f}")]);
                let v: Value = serde_json::from_str(&text).unwrap();
                (
                    f.to_string(),
                    v["git"]["commit"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

// ---------------------------------------------------------------------------------------------------

#[test]
fn baseline_mode_pushes_a_snapshot_and_pr_mode_reads_it_and_posts_one_sticky_comment() {
    let w = World::new();
    let main_before = git(&w.path("origin.git"), &["rev-parse", "main"]);
    let ws = w.checkout("push-run", "origin/main");
    let out = w.run(
        "run.sh",
        &ws,
        &[
            ("PG_MODE", "baseline"),
            ("PG_FILES", &k6("baseline-summary.json")),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let snaps = w.snapshots_on("perfgate-data");
    assert_eq!(snaps.len(), 2, "main.json and one history entry: {snaps:?}");
    assert!(snaps.iter().all(|(_, c)| *c == main_before), "{snaps:?}");
    assert!(snaps.iter().any(|(f, _)| f == "baselines/main.json"));
    // The default branch is untouched, and so is the workspace.
    assert_eq!(
        git(&w.path("origin.git"), &["rev-parse", "main"]),
        main_before
    );
    assert!(!ws.join("baselines").exists());
    assert_eq!(git(&ws, &["status", "--porcelain"]), "");

    // A PR branched from main, checked out like actions/checkout does (only origin/main exists).
    let pr = w.checkout("pr-run", "origin/main");
    std::fs::write(pr.join("app.txt"), "v2\n").unwrap();
    git(&pr, &["commit", "-q", "-am", "pr work"]);
    let head = git(&pr, &["rev-parse", "HEAD"]);
    let event = w.event(
        "pr-event.json",
        json!({"number": 5, "pull_request": {"number": 5, "head": {"sha": head}}}),
    );
    w.gh.state.lock().unwrap().pulls.insert(5, head.clone());
    let stranger =
        w.gh.seed(5, "mallory", &format!("{MARKER}\nnot perfgate's"));
    let pr_vars = [
        ("PG_FILES", k6("current-summary.json")),
        ("PG_BASELINE_BRANCH", "perfgate-data".into()),
        ("PG_BASELINE_REF", "main".into()),
        ("PG_COMMENT", "true".into()),
        ("PG_VERDICT_FILE", "perfgate/verdict.json".into()),
        ("GITHUB_EVENT_PATH", event.display().to_string()),
    ];
    let vars: Vec<(&str, &str)> = pr_vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = w.run("run.sh", &pr, &vars);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the regressed fixture fails: {}",
        text(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("baseline main"), "{}", text(&out));
    assert!(std::fs::read_to_string(w.path("output"))
        .unwrap()
        .contains("exit-code=1"),);
    // `--baseline-ref main` found origin/main's merge-base snapshot, though there is no local main.
    let verdict: Value = read_json(pr.join("perfgate/verdict.json"));
    assert_eq!(verdict["baseline"]["commit"], main_before.as_str());
    let reason = verdict["baseline"]["reason"].as_str().unwrap();
    assert!(reason.starts_with("snapshot at the merge-base"), "{reason}");
    // Run again: still one comment of perfgate's, and the stranger's marker comment untouched.
    let out = w.run("run.sh", &pr, &vars);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let comments = w.gh.comments(5);
    let ours: Vec<&Value> = comments
        .iter()
        .filter(|c| c["user"]["login"] == BOT)
        .collect();
    assert_eq!(ours.len(), 1, "{comments:?}");
    let body = ours[0]["body"].as_str().unwrap();
    assert!(
        body.starts_with(MARKER) && body.contains("regressions"),
        "{body}"
    );
    let theirs = comments.iter().find(|c| c["id"] == stranger).unwrap();
    assert_eq!(theirs["body"], format!("{MARKER}\nnot perfgate's"));
    let log = w.gh.log();
    assert!(
        !log.iter()
            .any(|l| l.ends_with(&format!("/comments/{stranger}"))),
        "{log:?}"
    );
    assert_eq!(
        log.iter().filter(|l| l.starts_with("POST /repos")).count(),
        1,
        "{log:?}"
    );
}

#[test]
fn two_concurrent_baseline_runs_keep_both_snapshots() {
    let w = World::new();
    let a = git(&w.path("origin.git"), &["rev-parse", "main"]);
    let b = w.push_to_main("v2\n");
    let c = w.push_to_main("v3\n");
    // The first snapshot creates the branch.
    let ws0 = w.checkout("run0", &a);
    let files = k6("baseline-summary.json");
    let vars = [("PG_MODE", "baseline"), ("PG_FILES", files.as_str())];
    assert_eq!(w.run("run.sh", &ws0, &vars).status.code(), Some(0));
    // Then two merges at once. The hook holds each of the next two pushes until both have arrived, so
    // both were recorded on the same tip and exactly one of them is rejected.
    let hook = w.path("origin.git/hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho x >> pushes\nn=$(wc -l < pushes)\ni=0\n\
         if [ \"$n\" -le 2 ]; then\n  while [ \"$(wc -l < pushes)\" -lt 2 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done\nfi\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let ws1 = w.checkout("run1", &b);
    let ws2 = w.checkout("run2", &c);
    let piped = |mut c: Command| {
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let c1 = piped(w.script("run.sh", &ws1, &vars));
    let c2 = piped(w.script("run.sh", &ws2, &vars));
    let (o1, o2) = (
        c1.wait_with_output().unwrap(),
        c2.wait_with_output().unwrap(),
    );
    assert_eq!(o1.status.code(), Some(0), "{}", text(&o1));
    assert_eq!(o2.status.code(), Some(0), "{}", text(&o2));
    let both = format!("{}{}", text(&o1), text(&o2));
    assert!(
        both.contains("rejected") && both.contains("(attempt 2)"),
        "{both}"
    );
    let snaps = w.snapshots_on("perfgate-data");
    let history: Vec<&(String, String)> = snaps
        .iter()
        .filter(|(f, _)| f != "baselines/main.json")
        .collect();
    assert_eq!(history.len(), 3, "every run kept its snapshot: {snaps:?}");
    for commit in [&a, &b, &c] {
        assert_eq!(
            history.iter().filter(|(_, x)| x == commit).count(),
            1,
            "{snaps:?}"
        );
    }
}

#[test]
fn a_rerun_that_records_the_same_snapshot_pushes_nothing_and_passes() {
    let w = World::new();
    let ws = w.checkout("push-run", "origin/main");
    let files = k6("baseline-summary.json");
    let vars = [
        ("PG_MODE", "baseline"),
        ("PG_FILES", files.as_str()),
        ("SOURCE_DATE_EPOCH", "1700000000"),
    ];
    assert_eq!(w.run("run.sh", &ws, &vars).status.code(), Some(0));
    let tip = git(&w.path("origin.git"), &["rev-parse", "perfgate-data"]);
    let out = w.run("run.sh", &ws, &vars);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already on perfgate-data"));
    assert_eq!(
        git(&w.path("origin.git"), &["rev-parse", "perfgate-data"]),
        tip
    );
}

#[test]
fn baseline_mode_refuses_to_record_a_pull_request() {
    let w = World::new();
    let ws = w.checkout("pr-run", "origin/main");
    let files = k6("baseline-summary.json");
    let out = w.baseline(&ws, &files, &[("GITHUB_EVENT_NAME", "pull_request")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not on pull_request"));
    assert!(w.snapshots_on("main").is_empty());
    assert_eq!(
        git(
            &w.path("origin.git"),
            &["branch", "--list", "perfgate-data"]
        ),
        ""
    );
}

#[test]
fn baseline_mode_can_commit_to_the_pushed_branch() {
    let w = World::new();
    let before = git(&w.path("origin.git"), &["rev-parse", "main"]);
    let ws = w.checkout("push-run", "origin/main");
    let files = k6("baseline-summary.json");
    let out = w.run(
        "run.sh",
        &ws,
        &[
            ("PG_MODE", "baseline"),
            ("PG_STORE", "commit"),
            ("GITHUB_REF_NAME", "main"),
            ("PG_FILES", &files),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let origin = w.path("origin.git");
    assert_eq!(git(&origin, &["rev-parse", "main~1"]), before);
    assert!(git(&origin, &["log", "-1", "--format=%s", "main"]).contains("[skip ci]"));
    assert!(w
        .snapshots_on("main")
        .iter()
        .any(|(f, c)| f == "baselines/main.json" && *c == before));

    // A PR reads them from origin/main, not from its own checkout's copy, which it could have edited.
    let pr = w.checkout("pr-run", "origin/main");
    std::fs::create_dir_all(pr.join("baselines")).unwrap();
    std::fs::copy(
        fixture("k6/current-summary.json"),
        pr.join("baselines/main.json"),
    )
    .unwrap();
    let out = w.run(
        "run.sh",
        &pr,
        &[
            ("PG_FILES", &k6("current-summary.json")),
            ("PG_BASELINE_BRANCH", "main"),
            ("PG_BASELINE_REF", "main"),
            ("PG_COMMENT", "false"),
            ("PG_VERDICT_FILE", "verdict.json"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: Value = read_json(pr.join("verdict.json"));
    assert_eq!(v["baseline"]["commit"], before.as_str());
}

/// Part 1 of a fork pair in `ws`: the k6 pair gated with `extra` inputs, no comment, the JSON verdict
/// written to `verdict` (relative to `ws`).
fn measure(w: &World, ws: &Path, verdict: &str, extra: &[(&str, &str)]) -> Output {
    let files = k6("current-summary.json");
    let baseline = k6("baseline-summary.json");
    let vars = [
        &[
            ("PG_FILES", files.as_str()),
            ("PG_BASELINE", baseline.as_str()),
            ("PG_COMMENT", "false"),
            ("PG_VERDICT_FILE", verdict),
        ][..],
        extra,
    ]
    .concat();
    w.run("run.sh", ws, &vars)
}

#[test]
fn fork_pair_uploads_posts_and_refuses_a_wrong_pr_number() {
    let w = World::new();
    let ws = w.checkout("fork-run", "origin/main");
    let head = git(&ws, &["rev-parse", "HEAD"]);
    // Part 1, untrusted: the verdict goes to a directory nothing created yet.
    let out = measure(&w, &ws, "perfgate/verdict.json", &[("PG_FAIL_ON", "never")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let verdict: Value = read_json(ws.join("perfgate/verdict.json"));
    assert_eq!(verdict["schema"], "perfgate/verdict/v1");
    std::fs::write(ws.join("perfgate/pr_number"), "5\n").unwrap();
    assert!(w.gh.log().is_empty(), "part 1 never calls GitHub");

    // Part 2, privileged: a workflow_run event naming the measured run and its head commit.
    let art = w.path("artifact");
    std::fs::create_dir_all(&art).unwrap();
    for f in ["verdict.json", "pr_number"] {
        std::fs::copy(ws.join("perfgate").join(f), art.join(f)).unwrap();
    }
    let event = w.event(
        "run-event.json",
        json!({"workflow_run": {"id": 77, "head_sha": head, "pull_requests": [],
            "html_url": "https://github.test/o/r/actions/runs/77"}}),
    );
    w.gh.state.lock().unwrap().pulls.insert(5, head.clone());
    w.gh.state
        .lock()
        .unwrap()
        .pulls
        .insert(6, "1111111111111111111111111111111111111111".into());
    let comment = |pr_file: &Path| {
        w.run(
            "run.sh",
            &w.path("."),
            &[
                ("PG_MODE", "comment"),
                (
                    "PG_VERDICT_FILE",
                    art.join("verdict.json").to_str().unwrap(),
                ),
                ("PG_PR_FILE", pr_file.to_str().unwrap()),
                ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ],
        )
    };
    let out = comment(&art.join("pr_number"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let posted = w.gh.comments(5);
    assert_eq!(posted.len(), 1, "{}", text(&out));
    let body = posted[0]["body"].as_str().unwrap();
    assert!(body.contains("9 warnings in 3 benchmarks"), "{body}");
    // The footer names and links the measured run, not this job's run 99.
    assert!(
        body.contains("actions/runs/77") && !body.contains("runs/99"),
        "{body}"
    );
    assert!(body.contains("run 77"), "{body}");

    // An artifact naming another PR (whose head is another commit) is refused.
    std::fs::write(art.join("pr_number"), "6").unwrap();
    let out = comment(&art.join("pr_number"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(w.gh.comments(6).is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not commenting on #6"),
        "{}",
        text(&out)
    );
    // On GitHub Enterprise Server the token's identity comes from /api/graphql, and perfgate's earlier
    // comment is found under /api/v3.
    std::fs::write(art.join("pr_number"), "5").unwrap();
    let ghes = format!("{}/api/v3", w.gh.url);
    let out = w.run(
        "run.sh",
        &w.path("."),
        &[
            ("PG_MODE", "comment"),
            (
                "PG_VERDICT_FILE",
                art.join("verdict.json").to_str().unwrap(),
            ),
            ("PG_PR_FILE", art.join("pr_number").to_str().unwrap()),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ("GITHUB_API_URL", &ghes),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = w.gh.log();
    assert_eq!(
        log[log.len() - 3..],
        [
            "GET /api/v3/repos/o/r/pulls/5",
            "GET /api/v3/user",
            "POST /api/graphql"
        ],
        "the same report again: found as the token's own, nothing written"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("already up to date"));
    assert_eq!(w.gh.comments(5).len(), 1);

    // A missing artifact is one clear error.
    let out = comment(&art.join("no_such_file"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no PR number at"));
}

// ---------------------------------------------------------------------------------------------------
// The installer, against a fake release.

const VERSION: &str = "9.9.9";
const ASSET: &str = "perfgate-v9.9.9-x86_64-unknown-linux-musl.tar.gz";

/// A release asset holding a stand-in `perfgate` that prints its version, and its SHA-256.
fn fake_asset(dir: &Path, version: &str) -> (Vec<u8>, String) {
    let stage = dir.join(format!("stage-{version}"));
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(
        stage.join("perfgate"),
        format!("#!/bin/sh\necho perfgate {version}\n"),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            stage.join("perfgate"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let tgz = dir.join("asset.tar.gz");
    let ok = Command::new("tar")
        .args([
            "-czf",
            tgz.to_str().unwrap(),
            "-C",
            stage.to_str().unwrap(),
            "perfgate",
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let sum = Command::new("sha256sum").arg(&tgz).output().unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    (std::fs::read(&tgz).unwrap(), sum)
}

/// A stand-in cargo: records its arguments, and installs a stand-in perfgate under `--root`.
fn fake_cargo(dir: &Path) -> PathBuf {
    let p = dir.join("fake-cargo");
    std::fs::write(
        &p,
        "#!/usr/bin/env bash\nset -euo pipefail\necho \"$*\" >> \"$(dirname \"$0\")/cargo-calls\"\n\
         while [[ $# -gt 0 ]]; do if [[ $1 == --root ]]; then root=$2; fi; shift; done\n\
         mkdir -p \"$root/bin\"\nprintf '#!/bin/sh\\necho perfgate %s\\n' \"$PERFGATE_VERSION\" > \"$root/bin/perfgate\"\n\
         chmod +x \"$root/bin/perfgate\"\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    p
}

/// `install.sh` with the test switch on (`PERFGATE_TEST_HOOKS=1`, so the fake cargo and the fake
/// release on 127.0.0.1 are allowed) and `extra` variables.
fn install(w: &World, version: &str, extra: &[(&str, &str)]) -> (Output, PathBuf) {
    install_as(
        w,
        version,
        &[&[("PERFGATE_TEST_HOOKS", "1")], extra].concat(),
    )
}

/// `install.sh` as a real runner would run it: no test switch unless `extra` sets it.
fn install_as(w: &World, version: &str, extra: &[(&str, &str)]) -> (Output, PathBuf) {
    // A fresh directory per call: an earlier install must not answer for this one.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dest = w.path(&format!("install-{version}-{n}"));
    let cargo = fake_cargo(w.tmp.path());
    let mut vars = vec![
        ("PERFGATE_VERSION", version.to_string()),
        ("PERFGATE_INSTALL_DIR", dest.display().to_string()),
        ("PERFGATE_CARGO", cargo.display().to_string()),
        ("GITHUB_PATH", w.path("github-path").display().to_string()),
        ("GITHUB_SERVER_URL", w.gh.url.clone()),
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_ARCH", "X64".into()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (w.run("install.sh", w.tmp.path(), &vars), dest)
}

fn cargo_calls(w: &World) -> String {
    std::fs::read_to_string(w.path("cargo-calls")).unwrap_or_default()
}

/// The Action as the runner checks it out at `_actions/OWNER/NAME/REF` (the script finds its release
/// from that path), with `pins` as its `action/checksums.txt`: what the release workflow committed.
fn action_checkout(w: &World, pins: &str) -> PathBuf {
    let p = w.path("work/_actions/acme/perfgate/v9.9.9");
    std::fs::create_dir_all(p.join("action")).unwrap();
    std::fs::write(
        p.join("action/checksums.txt"),
        format!("# pinned by the release workflow\n{pins}"),
    )
    .unwrap();
    p
}

const RELEASE: &str = "/acme/perfgate/releases/download/v9.9.9";

#[test]
fn install_downloads_the_release_when_its_pinned_checksum_matches() {
    let w = World::new();
    let (bytes, sum) = fake_asset(w.tmp.path(), VERSION);
    w.gh.state
        .lock()
        .unwrap()
        .files
        .insert(format!("{RELEASE}/{ASSET}"), bytes);
    let action = action_checkout(&w, &format!("{sum}  {ASSET}\n"));
    let (out, dest) = install(
        &w,
        VERSION,
        &[("GITHUB_ACTION_PATH", action.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = Command::new(dest.join("perfgate"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&v.stdout).trim(), "perfgate 9.9.9");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("verified against action/checksums.txt"),
        "{}",
        text(&out)
    );
    assert!(std::fs::read_to_string(w.path("github-path"))
        .unwrap()
        .contains(dest.to_str().unwrap()));
    assert_eq!(cargo_calls(&w), "", "no build when the download works");
    // Only the asset: the release's own SHA256SUMS is never asked for.
    assert_eq!(w.gh.log(), [format!("GET {RELEASE}/{ASSET}")]);
}

/// Finding 1: whoever replaces the release's assets (and its SHA256SUMS with them) installs nothing,
/// and a version the Action has no pin for is built from source, not downloaded.
#[test]
fn install_trusts_only_the_sums_pinned_in_the_action_never_the_releases() {
    let w = World::new();
    let (good, sum) = fake_asset(w.tmp.path(), VERSION);
    drop(good);
    let (evil, evil_sum) = fake_asset(&w.path("evil"), "6.6.6");
    {
        let mut s = w.gh.state.lock().unwrap();
        s.files.insert(format!("{RELEASE}/{ASSET}"), evil.clone());
        s.files.insert(
            format!("{RELEASE}/SHA256SUMS"),
            format!("{evil_sum}  {ASSET}\n").into_bytes(),
        );
    }
    let action = action_checkout(&w, &format!("{sum}  {ASSET}\n"));
    let (out, dest) = install(
        &w,
        VERSION,
        &[("GITHUB_ACTION_PATH", action.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("checksum mismatch"),
        "{}",
        text(&out)
    );
    assert!(!dest.join("perfgate").exists());
    assert_eq!(
        cargo_calls(&w),
        "",
        "a bad download is not papered over by a build"
    );

    // The attack as reported: a release of an unpinned version, with its own matching SHA256SUMS.
    let evil_asset = "perfgate-v9.9.8-x86_64-unknown-linux-musl.tar.gz";
    {
        let mut s = w.gh.state.lock().unwrap();
        s.log.clear();
        let dir = "/acme/perfgate/releases/download/v9.9.8";
        s.files.insert(format!("{dir}/{evil_asset}"), evil);
        s.files.insert(
            format!("{dir}/SHA256SUMS"),
            format!("{evil_sum}  {evil_asset}\n").into_bytes(),
        );
    }
    let out = w
        .script("install.sh", w.tmp.path(), &[("PERFGATE_TEST_HOOKS", "1")])
        .arg("--download-only")
        .env("GITHUB_ACTION_PATH", &action)
        .env("GITHUB_SERVER_URL", &w.gh.url)
        .env("PERFGATE_VERSION", "9.9.8")
        .env("PERFGATE_INSTALL_DIR", w.path("install-evil"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no SHA-256 for perfgate-v9.9.8"),
        "{}",
        text(&out)
    );
    assert!(std::fs::read_to_string(w.path("output"))
        .unwrap()
        .contains("need-build=true"));
    assert!(!w.path("install-evil/perfgate").exists());
    assert!(w.gh.log().is_empty(), "nothing fetched: {:?}", w.gh.log());
}

/// Finding 7: plain http and redirects to another host are refused; the test hooks are ignored
/// without the switch, and on a real runner even with it.
#[test]
fn install_refuses_http_and_cross_host_redirects_and_ignores_test_hooks_in_production() {
    let w = World::new();
    let other = FakeGitHub::start();
    let (bytes, sum) = fake_asset(w.tmp.path(), VERSION);
    other
        .state
        .lock()
        .unwrap()
        .files
        .insert(format!("{RELEASE}/{ASSET}"), bytes.clone());
    let action = action_checkout(&w, &format!("{sum}  {ASSET}\n"));
    let action = action.to_str().unwrap();
    // Refused, the download falls back to a build from source (the fake cargo), never to the redirect.
    let ask = |w: &World, extra: &[(&str, &str)]| {
        let (out, _) = install(
            w,
            VERSION,
            &[&[("GITHUB_ACTION_PATH", action)], extra].concat(),
        );
        let verified = String::from_utf8_lossy(&out.stderr).contains("verified against");
        (out, verified)
    };
    // A redirect to another port of 127.0.0.1 (another origin) and one to a host name.
    for to in [
        format!("{}{RELEASE}/{ASSET}", other.url),
        format!(
            "http://localhost:{}{RELEASE}/{ASSET}",
            other.url.rsplit(':').next().unwrap()
        ),
    ] {
        w.gh.state
            .lock()
            .unwrap()
            .redirects
            .insert(format!("{RELEASE}/{ASSET}"), to.clone());
        let (out, verified) = ask(&w, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("refusing a redirect") || err.contains("only https"),
            "{to}: {}\n{:?}",
            text(&out),
            w.gh.log()
        );
        assert!(!verified, "{to}: {}", text(&out));
    }
    assert!(other.log().is_empty(), "never followed: {:?}", other.log());

    // Without the switch, plain http to the server is refused too, and the hooks are ignored, each
    // with a warning; so they are on a real runner (RUNNER_ENVIRONMENT), even with the switch.
    let evil_base = format!("{}/evil", other.url);
    for switch in [
        vec![],
        vec![
            ("PERFGATE_TEST_HOOKS", "1"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
        ],
    ] {
        let mut vars = vec![
            ("GITHUB_ACTION_PATH", action),
            ("PERFGATE_DOWNLOAD_BASE", evil_base.as_str()),
            ("PERFGATE_REPOSITORY", "mallory/evil"),
        ];
        vars.extend(switch.iter().copied());
        let out = w
            .script("install.sh", w.tmp.path(), &vars)
            .arg("--download-only")
            // The real server's address, but over plain http.
            .env("GITHUB_SERVER_URL", &w.gh.url)
            .env("PERFGATE_VERSION", VERSION)
            .env("PERFGATE_CARGO", "/bin/false")
            .env("PERFGATE_INSTALL_DIR", w.path("install-prod"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        for hook in [
            "PERFGATE_DOWNLOAD_BASE",
            "PERFGATE_REPOSITORY",
            "PERFGATE_CARGO",
        ] {
            assert!(
                stdout.contains(&format!("::warning title=perfgate::{hook} is a test hook")),
                "{switch:?} {hook}: {}",
                text(&out)
            );
        }
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("only https"),
            "{}",
            text(&out)
        );
        assert!(!w.path("install-prod/perfgate").exists());
    }
    assert!(other.log().is_empty(), "{:?}", other.log());
    let log = w.gh.log();
    assert!(log.iter().all(|l| !l.contains("evil")), "{log:?}");
}

#[test]
fn install_without_a_release_falls_back_to_a_cached_cargo_build() {
    let w = World::new();
    // The Action's own version: built from its source (a version it has no pin for).
    let own = env!("CARGO_PKG_VERSION");
    let base = format!("{}/dl", w.gh.url);
    let vars = [
        ("PERFGATE_REPOSITORY", "o/r"),
        ("PERFGATE_DOWNLOAD_BASE", base.as_str()),
        ("PERFGATE_TEST_HOOKS", "1"),
    ];
    // The action's first step only tells whether a build is needed, and the cache key.
    let out = w
        .script("install.sh", w.tmp.path(), &vars)
        .arg("--download-only")
        .env("PERFGATE_VERSION", own)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let output = std::fs::read_to_string(w.path("output")).unwrap();
    assert!(output.contains("need-build=true"), "{output}");
    assert!(
        output.contains(&format!("cache-key=perfgate-build-Linux-X64-{own}-")),
        "{output}"
    );

    let (out, dest) = install(&w, own, &vars);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let calls = cargo_calls(&w);
    assert!(
        calls.starts_with(&format!(
            "install --locked --quiet --path {} --root ",
            repo_root().display()
        )),
        "{calls}"
    );
    let v = Command::new(dest.join("perfgate"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&v.stdout).trim(),
        format!("perfgate {own}")
    );
    // The next job finds the build in the (restored) cache and does not build again.
    let (out, _) = install(&w, own, &vars);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(cargo_calls(&w).lines().count(), 1);
    // Another version than the Action's own comes from crates.io, not from the Action's source.
    let (out, _) = install(&w, "9.9.7", &vars);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        cargo_calls(&w).contains("install --locked --quiet perfgate --version =9.9.7 --root "),
        "{}",
        cargo_calls(&w)
    );
}

#[test]
fn git_reaches_an_https_origin_with_the_token_from_the_environment_only() {
    let w = World::new();
    let ws = w.checkout("auth", "origin/main");
    git(
        &ws,
        &["remote", "set-url", "origin", "https://github.test/o/r.git"],
    );
    let script = format!(
        "source {}; git_auth origin; git config --get http.https://github.test/.extraheader",
        repo_root().join("action/git-auth.sh").display()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(&ws)
        .env("GITHUB_TOKEN", TOKEN)
        .env("HOME", w.tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // git sees the header; the log gets it masked; the token itself never shows.
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("AUTHORIZATION: basic "),
        "{stdout}"
    );
    assert!(stdout.starts_with("::add-mask::"), "{stdout}");
    assert!(!stdout.contains(TOKEN));
    // Nothing is written to the repository's config.
    assert!(!std::fs::read_to_string(ws.join(".git/config"))
        .unwrap()
        .contains("extraheader"));
}

/// Every input of action.yml reaches the scripts, and every input variable the scripts read is set by it.
#[test]
fn action_yml_wires_every_input_to_the_scripts() {
    let yml = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let inputs_block = &yml[yml.find("\ninputs:\n").unwrap()..yml.find("\noutputs:\n").unwrap()];
    let inputs: Vec<&str> = inputs_block
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|n| !n.starts_with(' '))
        .collect();
    assert!(inputs.len() > 10, "{inputs:?}");
    let runs = &yml[yml.find("\nruns:\n").unwrap()..];
    for input in &inputs {
        assert!(
            runs.contains(&format!("${{{{ inputs.{input} }}}}"))
                || runs.contains(&format!("${{{{ inputs.{input} || ")),
            "input {input} is never used"
        );
    }
    // Variables the scripts read that the runner or the workflow author may set instead of action.yml.
    let optional = [
        "PG_REMOTE",
        "PG_PUSH_ATTEMPTS",
        "PG_COMMITTER_NAME",
        "PG_COMMITTER_EMAIL",
        "PG_BRANCH",
        // Set by the scripts themselves.
        "PG_TITLE",
    ];
    for script in ["run.sh", "baseline.sh", "ab.sh", "lib.sh"] {
        let text = std::fs::read_to_string(repo_root().join("action").join(script)).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("PG_") {
            let name: String = rest[i..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            rest = &rest[i + name.len()..];
            // `PG_AB_*` in a comment is a family, not a variable.
            if name.len() > 3 && !name.ends_with('_') && !optional.contains(&name.as_str()) {
                assert!(
                    runs.contains(&format!("{name}: ${{{{ inputs."))
                        || runs.contains(&format!("{name}: ${{{{ github.event.")),
                    "{script} reads {name}, which action.yml never sets"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The security review's attacks (issue 27), each re-run: refused or harmless.

/// The workflow commands in a script's stdout: lines the runner would act on.
fn commands(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.trim_start().starts_with("::"))
        .map(String::from)
        .collect()
}

/// Finding 2: `mode: baseline` records only on a push to the default branch (or a listed branch) and
/// on workflow_dispatch / schedule there; everything else is one clear error and no push.
#[test]
fn baseline_mode_records_by_allow_list_only() {
    let w = World::new();
    let ws = w.checkout("ws", "origin/main");
    let files = k6("baseline-summary.json");
    let refused = [
        ("issue_comment", "refs/heads/main"),
        ("pull_request_review", "refs/heads/main"),
        ("pull_request_review_comment", "refs/heads/main"),
        ("merge_group", "refs/heads/gh-readonly-queue/main/pr-1"),
        ("pull_request", "refs/pull/1/merge"),
        ("pull_request_target", "refs/heads/main"),
        ("workflow_run", "refs/heads/main"),
        ("repository_dispatch", "refs/heads/main"),
        ("", "refs/heads/main"),
        ("push", "refs/heads/feature"),
        ("push", "refs/tags/v1.0.0"),
        ("workflow_dispatch", "refs/heads/feature"),
    ];
    for (event, git_ref) in refused {
        let out = w.baseline(
            &ws,
            &files,
            &[("GITHUB_EVENT_NAME", event), ("GITHUB_REF", git_ref)],
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{event} {git_ref}: {}",
            text(&out)
        );
        let cmds = commands(&out);
        assert_eq!(cmds.len(), 1, "{event}: one clear line: {}", text(&out));
        assert!(
            cmds[0].starts_with("::error title=perfgate::mode baseline records on"),
            "{cmds:?}"
        );
    }
    w.assert_nothing_pushed();
    // Unknown default branch: refused unless the branches are listed.
    let out = w.baseline(&ws, &files, &[("PG_DEFAULT_BRANCH", "")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("baseline-branches"));

    // Allowed: workflow_dispatch and schedule on main, a push to a listed branch.
    for (event, git_ref, listed) in [
        ("workflow_dispatch", "refs/heads/main", ""),
        ("schedule", "refs/heads/main", ""),
        ("push", "refs/heads/release", "main, release"),
    ] {
        let out = w.baseline(
            &ws,
            &files,
            &[
                ("GITHUB_EVENT_NAME", event),
                ("GITHUB_REF", git_ref),
                ("PG_BASELINE_BRANCHES", listed),
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{event} {git_ref}: {}",
            text(&out)
        );
    }
    assert!(!w.snapshots_on("perfgate-data").is_empty());
}

/// A workspace with a PR commit on top of origin/main, its event file, and PR 5 at that head on the
/// fake GitHub. Returns (workspace, base commit, head commit, event file).
fn pull_request(
    w: &World,
    name: &str,
    change: impl FnOnce(&Path),
) -> (PathBuf, String, String, PathBuf) {
    let ws = w.checkout(name, "origin/main");
    let base = git(&ws, &["rev-parse", "HEAD"]);
    change(&ws);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-q", "-m", "pr work"]);
    let head = git(&ws, &["rev-parse", "HEAD"]);
    let event = w.event(
        &format!("{name}-event.json"),
        json!({"number": 5, "pull_request": {"number": 5, "head": {"sha": head}, "base": {"sha": base}}}),
    );
    w.gh.state.lock().unwrap().pulls.insert(5, head.clone());
    (ws, base, head, event)
}

/// Finding 3: the PR's build and benchmark commands see no token, no file commands and no stored git
/// credentials, even when the step's environment held them; the comment is posted afterwards by the
/// step that has the token.
#[test]
fn ab_mode_gives_the_prs_commands_no_token_file_commands_or_credentials() {
    let w = World::new();
    let (ws, base, _, event) = pull_request(&w, "ab", |ws| {
        std::fs::write(ws.join("app.txt"), "v2\n").unwrap();
    });
    // What actions/checkout leaves with persist-credentials: true (the default).
    git(
        &ws,
        &[
            "config",
            "http.https://github.com/.extraheader",
            "AUTHORIZATION: basic c2VjcmV0",
        ],
    );
    let seen = w.path("seen-by-pr-code.txt");
    let command = format!(
        "{{ env; git config --list; cat \"$(git rev-parse --git-common-dir)/config\"; }} >> '{}'; cp '{}' bench.json",
        seen.display(),
        k6("baseline-summary.json")
    );
    let ev = event.display().to_string();
    let out = w.run(
        "run.sh",
        &ws,
        &[
            ("PG_MODE", "ab"),
            ("PG_AB_BASE", &base),
            ("PG_AB_COMMAND", &command),
            ("PG_AB_BUILD", &command),
            ("PG_AB_RESULTS", "bench.json"),
            ("PG_AB_RUNS", "2"),
            ("PG_COMMENT", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", &ev),
            ("GITHUB_ENV", w.path("github-env").to_str().unwrap()),
            ("GITHUB_PATH", w.path("github-path").to_str().unwrap()),
            ("GITHUB_STATE", w.path("github-state").to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert!(seen.contains("PERFGATE_AB_SIDE=base") && seen.contains("PERFGATE_AB_SIDE=head"));
    for secret in [
        TOKEN,
        "GITHUB_TOKEN=",
        "GITHUB_ENV=",
        "GITHUB_OUTPUT=",
        "GITHUB_PATH=",
        "GITHUB_STATE=",
        "GITHUB_STEP_SUMMARY=",
        "extraheader",
        "c2VjcmV0",
    ] {
        assert!(
            !seen.contains(secret),
            "the PR's code saw {secret}:\n{seen}"
        );
    }
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("removed http.https://github.com/.extraheader"),
        "{}",
        text(&out)
    );
    assert!(
        w.gh.comments(5).is_empty(),
        "no comment from the step that ran PR code"
    );
    // The next step (action.yml's "Comment (mode ab)") has the token and posts the verdict.
    let output = std::fs::read_to_string(w.path("output")).unwrap();
    let verdict = output
        .lines()
        .find_map(|l| l.strip_prefix("ab-verdict="))
        .unwrap_or_else(|| panic!("no ab-verdict output: {output}"))
        .to_string();
    let out = w.run(
        "run.sh",
        &ws,
        &[
            ("PG_MODE", "comment"),
            ("PG_VERDICT_FILE", &verdict),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", &ev),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(w.gh.comments(5).len(), 1, "{}", text(&out));
}

/// Finding 4: `mode: comment` without `pr-file` checks the head too: a workflow_run naming PR #8,
/// whose head is another commit than the measured one, gets no comment.
#[test]
fn comment_mode_without_a_pr_file_checks_the_prs_head() {
    let w = World::new();
    let ws = w.checkout("measured", "origin/main");
    let head = git(&ws, &["rev-parse", "HEAD"]);
    let out = measure(&w, &ws, "verdict.json", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let event = w.event(
        "run-event.json",
        json!({"workflow_run": {"id": 77, "head_sha": head, "pull_requests": [{"number": 8}],
            "html_url": "https://github.test/o/r/actions/runs/77"}}),
    );
    let verdict = ws.join("verdict.json");
    let comment = |w: &World| {
        w.run(
            "run.sh",
            &w.path("."),
            &[
                ("PG_MODE", "comment"),
                ("PG_VERDICT_FILE", verdict.to_str().unwrap()),
                ("GITHUB_EVENT_NAME", "workflow_run"),
                ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ],
        )
    };
    w.gh.state
        .lock()
        .unwrap()
        .pulls
        .insert(8, "2222222222222222222222222222222222222222".into());
    let out = comment(&w);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(w.gh.comments(8).is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not commenting on #8: its head is 2222222"),
        "{}",
        text(&out)
    );
    // At the measured commit, it posts.
    w.gh.state.lock().unwrap().pulls.insert(8, head.clone());
    let out = comment(&w);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(w.gh.comments(8).len(), 1, "{}", text(&out));
}

/// Finding 5: URLs, `www.`, `#N`, `owner/repo#N`, `GH-N`, e-mail addresses and mentions in the prose
/// fields of a (forged) verdict link nothing in the comment, as a GFM renderer with GitHub's autolink
/// extension shows.
#[test]
fn prose_fields_of_a_forged_verdict_link_nothing() {
    let w = World::new();
    let (ws, _, _, event) = pull_request(&w, "prose", |ws| {
        std::fs::write(ws.join("app.txt"), "v2\n").unwrap();
    });
    let out = measure(&w, &ws, "verdict.json", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let hostile = "Log in again at https://evil.example/login or www.evil.example, see #12 and \
        acme/infra#3 and GH-4, ask @admin or root@evil.example";
    let mut v: Value = read_json(ws.join("verdict.json"));
    v["message"] = json!(hostile);
    v["warnings"] = json!([hostile]);
    v["baseline"]["runner"] = json!(hostile);
    std::fs::write(ws.join("verdict.json"), v.to_string()).unwrap();
    let out = w.run(
        "run.sh",
        &ws,
        &[
            ("PG_MODE", "comment"),
            ("PG_VERDICT_FILE", ws.join("verdict.json").to_str().unwrap()),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let body = w.gh.comments(5)[0]["body"].as_str().unwrap().to_string();
    assert!(
        body.matches("Log in again").count() >= 2,
        "message and warning shown: {body}"
    );
    let html = crate::report::gfm(&body);
    let links: Vec<&str> = html
        .split("href=\"")
        .skip(1)
        .map(|l| l.split('"').next().unwrap())
        .collect();
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("https://github.test/o/r/")),
        "only perfgate's own links: {links:?}\n{body}"
    );
    for linked in [
        "://evil", "www.evil", "#12", "infra#3", "GH-4", "@admin", "@evil",
    ] {
        assert!(!body.contains(linked), "{linked} survives in {body}");
    }
}

/// Finding 6: result files are globbed once and passed after `--`: a file named `--baseline=evil.json`
/// is a (bad) result file, not an option, and a name with a space stays one file.
#[test]
fn a_result_file_named_like_an_option_stays_a_file() {
    let w = World::new();
    let dir = w.path("results");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        fixture("k6/current-summary.json"),
        dir.join("my results.json"),
    )
    .unwrap();
    // The attacker's "baseline": the current run itself, which would compare equal and pass.
    std::fs::copy(fixture("k6/current-summary.json"), dir.join("evil.json")).unwrap();
    std::fs::write(dir.join("--baseline=evil.json"), "not a result file").unwrap();
    let out = w.run(
        "run.sh",
        &dir,
        &[
            ("PG_FILES", "*.json"),
            ("PG_BASELINE", &k6("baseline-summary.json")),
            ("PG_COMMENT", "false"),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        err.contains("--baseline=evil.json"),
        "named as a file: {}",
        text(&out)
    );
    std::fs::remove_file(dir.join("--baseline=evil.json")).unwrap();
    std::fs::remove_file(dir.join("evil.json")).unwrap();
    let out = w.run(
        "run.sh",
        &dir,
        &[
            ("PG_FILES", "*.json"),
            ("PG_BASELINE", &k6("baseline-summary.json")),
            ("PG_COMMENT", "false"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the regression still fails: {}",
        text(&out)
    );
}

/// Finding 9: an input holding a line break cannot add a workflow command to the scripts' own messages.
#[test]
fn inputs_in_the_scripts_messages_cannot_start_a_workflow_command() {
    let w = World::new();
    let ws = w.checkout("inj", "origin/main");
    let inj = "x\n::error::injected\r\n::add-mask::y";
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("PG_MODE", inj)],
        vec![("PG_FILES", "none*.json\n::error::injected*")],
        vec![("PG_MODE", "comment"), ("PG_VERDICT_FILE", inj)],
        vec![
            ("PG_MODE", "baseline"),
            ("PG_FILES", "x"),
            ("PG_BASELINE_BRANCHES", inj),
        ],
        vec![
            ("PG_MODE", "baseline"),
            ("PG_FILES", "x"),
            ("PG_STORE", inj),
        ],
        vec![
            ("PG_MODE", "ab"),
            ("PG_AB_BASE", inj),
            ("PG_AB_COMMAND", "true"),
            ("PG_AB_RESULTS", "x"),
        ],
    ];
    for vars in cases {
        let out = w.run("run.sh", &ws, &vars);
        assert_eq!(out.status.code(), Some(2), "{vars:?}: {}", text(&out));
        let cmds = commands(&out);
        assert_eq!(cmds.len(), 1, "{vars:?}: {cmds:?}");
        assert!(cmds[0].starts_with("::error title=perfgate"), "{cmds:?}");
        // Encoded (`%0A`) or split into words, never a raw line break.
        assert!(!cmds[0].contains('\r'), "{cmds:?}");
    }
}

/// Finding 10: a ref input that looks like an option (`--upload-pack=...`) never reaches git.
#[test]
fn ref_inputs_are_validated_before_they_reach_git() {
    let w = World::new();
    let ws = w.checkout("refs", "origin/main");
    let pwned = w.path("pwned");
    let evil = format!("--upload-pack=touch {}", pwned.display());
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("PG_MODE", "ab"),
            ("PG_AB_BASE", &evil),
            ("PG_AB_COMMAND", "true"),
            ("PG_AB_RESULTS", "x"),
        ],
        vec![("PG_FILES", "app.txt"), ("PG_BASELINE_REF", &evil)],
        vec![("PG_FILES", "app.txt"), ("PG_BASELINE_BRANCH", &evil)],
        vec![("PG_FILES", "app.txt"), ("PG_CONFIG_REF", &evil)],
        vec![("PG_FILES", "app.txt"), ("PG_BASELINE_REF", "main..x")],
        vec![
            ("PG_MODE", "baseline"),
            ("PG_FILES", "app.txt"),
            ("PG_DATA_BRANCH", &evil),
        ],
    ];
    for vars in cases {
        let out = w.run("run.sh", &ws, &vars);
        assert_eq!(out.status.code(), Some(2), "{vars:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("must be a branch, tag or commit name"),
            "{vars:?}: {}",
            text(&out)
        );
        assert!(!pwned.exists(), "{vars:?} ran a command");
    }
}

/// The policy file from the base branch (`config-ref: base`): a PR's `fail_on = "never"` no longer
/// turns its own regression into a pass.
#[test]
fn config_ref_base_reads_the_policy_from_the_base_not_the_pr() {
    let w = World::new();
    let (ws, base, _, _) = pull_request(&w, "policy", |ws| {
        std::fs::write(ws.join("perfgate.toml"), "fail_on = \"never\"\n").unwrap();
    });
    let mut vars = vec![
        ("PG_FILES", k6("current-summary.json")),
        ("PG_BASELINE", k6("baseline-summary.json")),
        ("PG_COMMENT", "false".to_string()),
    ];
    let run = |vars: &[(&str, String)]| {
        let v: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        w.run("run.sh", &ws, &v)
    };
    let out = run(&vars);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the PR's own policy passes it: {}",
        text(&out)
    );
    vars.push(("PG_CONFIG_REF", "base".into()));
    vars.push(("PG_BASE_SHA", base.clone()));
    let out = run(&vars);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("has no perfgate.toml; the default policy applies"),
        "{}",
        text(&out)
    );
    // A policy on the base is used (here: only critical fails; the fixture's regressions are critical).
    let main = w.push_to_main("v2\n");
    let seed = w.path("seed");
    std::fs::write(seed.join("perfgate.toml"), "fail_on = \"critical\"\n").unwrap();
    git(&seed, &["add", "perfgate.toml"]);
    git(&seed, &["commit", "-q", "-m", "policy"]);
    git(&seed, &["push", "-q", "origin", "main"]);
    let with_policy = git(&seed, &["rev-parse", "HEAD"]);
    assert_ne!(main, with_policy);
    vars.pop();
    vars.push(("PG_BASE_SHA", with_policy));
    let out = run(&vars);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("policy perfgate.toml from"),
        "{}",
        text(&out)
    );
}
