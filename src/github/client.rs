//! The real [`CommentStore`]: GitHub's REST API through octocrab's raw request methods.
//!
//! octocrab's typed helpers are avoided on purpose: `update_comment` sends POST instead of PATCH, its
//! default retry re-sends POSTs (duplicate comments), and its errors only say "GitHub". So retries,
//! timeouts and error messages are handled here. The tokio runtime and the HTTP client exist only while
//! commenting; `analyze` without `--comment` never builds them.

use std::time::Duration;

use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::json;

use crate::github::comment::{ApiError, CommentStore, RemoteComment};
use crate::github::Token;

/// Per-request time limit unless `PERFGATE_GITHUB_TIMEOUT` (seconds) says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts for idempotent requests (GET, PATCH, DELETE).
const ATTEMPTS: u32 = 3;
/// Longest `Retry-After` perfgate is willing to wait; longer means give up until the next run.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);
const PER_PAGE: usize = 100;
/// A PR with more than 100 pages of comments is not worth reading further.
const MAX_PAGES: u32 = 100;

#[derive(Deserialize)]
struct ApiComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    user: Option<ApiUser>,
}

#[derive(Deserialize)]
struct ApiUser {
    login: String,
}

impl From<ApiComment> for RemoteComment {
    fn from(c: ApiComment) -> RemoteComment {
        RemoteComment {
            id: c.id,
            body: c.body.unwrap_or_default(),
            login: c.user.map(|u| u.login).unwrap_or_default(),
            html_url: c.html_url.unwrap_or_default(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verb {
    Get,
    Post,
    Patch,
    Delete,
    /// A GraphQL query: sent as POST, but it changes nothing, so it may be retried.
    Query,
}

struct Answer {
    status: u16,
    body: String,
    has_next: bool,
}

/// How the client waits before a retry. The caller chooses it: the real [`std::thread::sleep`] by
/// default, a recorder in tests (which then need not wait).
pub type Sleep = Box<dyn Fn(Duration) + Send + Sync>;

/// The comments of one pull request, over the REST API.
pub struct GitHubApi {
    rt: tokio::runtime::Runtime,
    gh: Octocrab,
    api_url: String,
    repo: String,
    pr: u64,
    timeout: Duration,
    token: Token,
    sleep: Sleep,
}

/// `owner/name` with nothing that could change the request path.
fn valid_repo(repo: &str) -> bool {
    let mut parts = repo.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p != "."
                && p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

impl GitHubApi {
    /// Builds the runtime and client for `repo` (`owner/name`) and PR `pr`.
    pub fn new(api_url: &str, token: &Token, repo: &str, pr: u64) -> Result<GitHubApi, ApiError> {
        if !valid_repo(repo) {
            return Err(ApiError::transport(format!(
                "GITHUB_REPOSITORY {:?} is not owner/name",
                crate::escape::terminal(repo)
            )));
        }
        let timeout = std::env::var("PERFGATE_GITHUB_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s > 0.0 && *s <= 600.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(DEFAULT_TIMEOUT);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::transport(format!("cannot start the HTTP runtime: {e}")))?;
        let gh = client(&rt, api_url, token)?;
        Ok(GitHubApi {
            rt,
            gh,
            api_url: api_url.to_string(),
            repo: repo.to_string(),
            pr,
            timeout,
            token: token.clone(),
            sleep: Box::new(std::thread::sleep),
        })
    }

    /// The same client waiting between attempts with `sleep` instead of [`std::thread::sleep`].
    pub fn with_sleep(self, sleep: impl Fn(Duration) + Send + Sync + 'static) -> GitHubApi {
        GitHubApi {
            sleep: Box::new(sleep),
            ..self
        }
    }

    fn once(
        &self,
        gh: &Octocrab,
        verb: Verb,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(Answer, Option<Duration>), ApiError> {
        let fut = async {
            let resp = match verb {
                Verb::Get => gh._get(path).await,
                Verb::Post | Verb::Query => gh._post(path, body).await,
                Verb::Patch => gh._patch(path, body).await,
                Verb::Delete => gh._delete(path, None::<&()>).await,
            }
            .map_err(|e| ApiError::transport(format!("no answer from GitHub: {}", chain(&e))))?;
            let status = resp.status().as_u16();
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let retry_after = header("retry-after")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let exhausted = header("x-ratelimit-remaining").as_deref() == Some("0");
            let has_next = header("link").is_some_and(|l| l.contains("rel=\"next\""));
            let text = gh.body_to_string(resp).await.map_err(|e| {
                ApiError::transport(format!("reading GitHub's answer: {}", chain(&e)))
            })?;
            Ok::<_, ApiError>((
                Answer {
                    status,
                    body: text,
                    has_next,
                },
                retry_after.or(exhausted.then_some(Duration::MAX)),
            ))
        };
        self.rt
            .block_on(async { tokio::time::timeout(self.timeout, fut).await })
            .map_err(|_| {
                ApiError::transport(format!(
                    "GitHub did not answer within {} s",
                    self.timeout.as_secs_f64()
                ))
            })?
    }

    /// Sends a request; idempotent verbs are retried on 5xx, 429 and transport errors.
    fn send(
        &self,
        verb: Verb,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, ApiError> {
        self.send_on(&self.gh, verb, path, body)
    }

    fn send_on(
        &self,
        gh: &Octocrab,
        verb: Verb,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retryable = verb != Verb::Post && attempt < ATTEMPTS;
            let (wait, err) = match self.once(gh, verb, path, body) {
                Ok((a, _)) if (200..300).contains(&a.status) => return Ok(a),
                Ok((a, retry_after)) => {
                    let err = self.api_error(&a, retry_after.is_some() && a.status == 403);
                    let transient = a.status >= 500 || a.status == 429 || err.rate_limited;
                    if !transient {
                        return Err(err);
                    }
                    (retry_after, err)
                }
                Err(e) => (None, e),
            };
            let wait = wait.unwrap_or(Duration::from_millis(500 * u64::from(attempt)));
            if !retryable || wait > MAX_RETRY_AFTER {
                return Err(err);
            }
            (self.sleep)(wait);
        }
    }

    fn api_error(&self, a: &Answer, rate_limited: bool) -> ApiError {
        let message = serde_json::from_str::<serde_json::Value>(&a.body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or_default();
        let message: String = crate::escape::terminal(&message)
            .chars()
            .take(200)
            .collect();
        ApiError {
            status: Some(a.status),
            message: self.token.redact(if message.is_empty() {
                "no message"
            } else {
                &message
            }),
            rate_limited: rate_limited || a.status == 429,
        }
    }
}

/// Builds an octocrab client for `base`. octocrab is compiled without its `retry` and `timeout`
/// features: retries are [`GitHubApi::send`]'s (POST is never re-sent), and the one time limit is
/// [`GitHubApi::once`]'s, over the whole request.
fn client(rt: &tokio::runtime::Runtime, base: &str, token: &Token) -> Result<Octocrab, ApiError> {
    // octocrab's builder spawns a worker, so it must run inside the runtime.
    let _guard = rt.enter();
    Octocrab::builder()
        .personal_token(token.expose().to_string())
        .base_uri(base.trim_end_matches('/'))
        .map_err(|_| ApiError::transport(format!("GITHUB_API_URL {base:?} is not a URL")))?
        .build()
        .map_err(|e| ApiError::transport(format!("cannot build the GitHub client: {}", chain(&e))))
}

/// The GraphQL endpoint on the REST API's host: `(base, path)`. GitHub Enterprise Server serves REST
/// under `/api/v3` and GraphQL under `/api/graphql`; github.com under `/` and `/graphql`.
fn graphql_endpoint(api_url: &str) -> (String, &'static str) {
    let api = api_url.trim_end_matches('/');
    match api.strip_suffix("/api/v3") {
        Some(host) => (host.to_string(), "/api/graphql"),
        None => (api.to_string(), "/graphql"),
    }
}

impl GitHubApi {
    /// The head commit of the pull request, to check that a stored verdict belongs to it.
    pub fn pull_head_sha(&mut self) -> Result<String, ApiError> {
        let path = format!("/repos/{}/pulls/{}", self.repo, self.pr);
        let a = self.send(Verb::Get, &path, None)?;
        let v: serde_json::Value = parse(&a)?;
        v["head"]["sha"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ApiError::transport("GitHub's answer has no head.sha for the PR"))
    }

    /// The login of an installation token (`GITHUB_TOKEN`, a GitHub App), which `GET /user` refuses:
    /// GraphQL's `viewer`, as `<slug>[bot]`, the way REST shows the comments it writes.
    fn viewer_login(&mut self) -> Result<String, ApiError> {
        let (base, path) = graphql_endpoint(&self.api_url);
        let gh = client(&self.rt, &base, &self.token)?;
        let query = json!({ "query": "query { viewer { login } }" });
        let a = self.send_on(&gh, Verb::Query, path, Some(&query))?;
        let v: serde_json::Value = parse(&a)?;
        let login = v["data"]["viewer"]["login"]
            .as_str()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| {
                ApiError::transport(
                    "cannot tell which account the token belongs to (GET /user and GraphQL viewer both refused)",
                )
            })?;
        Ok(if login.ends_with("[bot]") {
            login.to_string()
        } else {
            format!("{login}[bot]")
        })
    }
}

/// An error with its causes, `a: b: c`; octocrab's own Display is just "GitHub" or "Hyper".
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.dedup();
    parts.join(": ")
}

fn parse<T: serde::de::DeserializeOwned>(a: &Answer) -> Result<T, ApiError> {
    serde_json::from_str(&a.body)
        .map_err(|e| ApiError::transport(format!("unexpected answer from GitHub: {e}")))
}

impl CommentStore for GitHubApi {
    fn identity(&mut self) -> Result<String, ApiError> {
        match self.send(Verb::Get, "/user", None) {
            Ok(a) => parse::<ApiUser>(&a).map(|u| u.login),
            // "Resource not accessible by integration": an app's installation token.
            Err(e) if matches!(e.status, Some(403) | Some(404)) => self.viewer_login(),
            Err(e) => Err(e),
        }
    }

    fn list(&mut self) -> Result<Vec<RemoteComment>, ApiError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            // The page number is ours: `Link` URLs are absolute and could point anywhere.
            let path = format!(
                "/repos/{}/issues/{}/comments?per_page={PER_PAGE}&page={page}",
                self.repo, self.pr
            );
            let a = self.send(Verb::Get, &path, None)?;
            let items: Vec<ApiComment> = parse(&a)?;
            let n = items.len();
            all.extend(items.into_iter().map(RemoteComment::from));
            if !(a.has_next || n >= PER_PAGE) || n == 0 {
                break;
            }
        }
        all.sort_by_key(|c| c.id);
        Ok(all)
    }

    fn create(&mut self, body: &str) -> Result<RemoteComment, ApiError> {
        let path = format!("/repos/{}/issues/{}/comments", self.repo, self.pr);
        let a = self.send(Verb::Post, &path, Some(&json!({ "body": body })))?;
        parse::<ApiComment>(&a).map(RemoteComment::from)
    }

    fn update(&mut self, id: u64, body: &str) -> Result<(), ApiError> {
        let path = format!("/repos/{}/issues/comments/{id}", self.repo);
        self.send(Verb::Patch, &path, Some(&json!({ "body": body })))
            .map(|_| ())
    }

    fn delete(&mut self, id: u64) -> Result<(), ApiError> {
        let path = format!("/repos/{}/issues/comments/{id}", self.repo);
        match self.send(Verb::Delete, &path, None) {
            Err(e) if e.status == Some(404) => Ok(()),
            r => r.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_cannot_change_the_path() {
        assert!(valid_repo("octo-org/perf.gate_2"));
        assert!(!valid_repo("o/r/../../x"));
        assert!(!valid_repo("o/.."));
        assert!(!valid_repo("o"));
        assert!(!valid_repo("o/r?x=1"));
    }

    #[test]
    fn graphql_lives_beside_the_rest_api() {
        assert_eq!(
            graphql_endpoint("https://api.github.com"),
            ("https://api.github.com".to_string(), "/graphql")
        );
        assert_eq!(
            graphql_endpoint("https://ghe.example/api/v3/"),
            ("https://ghe.example".to_string(), "/api/graphql")
        );
    }
}
