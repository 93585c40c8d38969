//! The real [`CommentStore`]: GitHub's REST API through octocrab's typed API.
//!
//! octocrab's handlers are used where they match GitHub's documented API (the token's user, the pull
//! request, deleting a comment, GraphQL) and its pagination ([`Page`], `get_page`) for the comment
//! listing. Two places do not match, each shown by a test in `tests/it/github.rs`:
//! - `update_comment` sends POST where GitHub documents PATCH: perfgate sends the PATCH through
//!   octocrab's typed [`Octocrab::patch`], so an update is idempotent and may be retried, a POST never;
//! - `models::issues::Comment` requires a `user` (and its `gravatar_id`) that GitHub's schema makes
//!   nullable, so one comment by a deleted account fails the whole listing: comments are read into
//!   [`ListedComment`] instead, through the same typed requests and pagination.
//!
//! octocrab is compiled without its `retry`, `timeout` and `default-client` features: retries are
//! [`GitHubApi::call`]'s (POST is never re-sent), the one time limit is the one around each request,
//! and the HTTP client is built here on [`crate::tls`], the certificate policy of every HTTPS call.
//! The tokio runtime and the client exist only while commenting; `analyze` without `--comment` never
//! builds them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::service::middleware::extra_headers::ExtraHeadersLayer;
use octocrab::{AuthState, Octocrab, OctocrabBuilder, Page};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::github::comment::{ApiError, CommentStore, RemoteComment};
use crate::github::Token;

/// Per-request time limit unless `PERFGATE_GITHUB_TIMEOUT` (seconds) says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts for idempotent requests (GET, PATCH, DELETE, a GraphQL query).
const ATTEMPTS: u32 = 3;
/// Longest `Retry-After` perfgate is willing to wait; longer means give up until the next run.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);
const PER_PAGE: u8 = 100;
/// A PR with more than 100 pages of comments is not worth reading further.
const MAX_PAGES: u32 = 100;

/// An issue comment as GitHub's schema has it: `user` may be null (a deleted account).
#[derive(Deserialize)]
struct ListedComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    user: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

impl From<ListedComment> for RemoteComment {
    fn from(c: ListedComment) -> RemoteComment {
        RemoteComment {
            id: c.id,
            body: c.body.unwrap_or_default(),
            login: c.user.map(|u| u.login).unwrap_or_default(),
            html_url: c.html_url.unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
struct PageQuery {
    per_page: u8,
    page: u32,
}

/// Whether a request may be sent again after a failure: everything but a POST that writes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verb {
    Idempotent,
    Post,
}

/// How the client waits before a retry. The caller chooses it: the real [`std::thread::sleep`] by
/// default, a recorder in tests (which then need not wait).
pub type Sleep = Box<dyn Fn(Duration) + Send + Sync>;

/// The comments of one pull request, over the REST API.
pub struct GitHubApi {
    rt: tokio::runtime::Runtime,
    gh: Octocrab,
    api_url: String,
    owner: String,
    name: String,
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
        let (owner, name) = repo.split_once('/').unwrap_or_default();
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
        // octocrab's client spawns a worker, so it is built inside the runtime.
        let gh = {
            let _guard = rt.enter();
            octocrab(api_url, token)?
        };
        Ok(GitHubApi {
            rt,
            gh,
            api_url: api_url.to_string(),
            owner: owner.to_string(),
            name: name.to_string(),
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

    /// Runs one octocrab request, `request()` once per attempt: idempotent ones are retried on 5xx,
    /// 429, an exhausted rate limit and transport errors, after `Retry-After` or a short backoff.
    fn call<T, F, Fut>(&self, verb: Verb, request: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = octocrab::Result<T>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let answer = self
                .rt
                .block_on(async { tokio::time::timeout(self.timeout, request()).await });
            let (err, retry_after) = match answer {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(e)) => self.api_error(&e),
                Err(_) => (
                    ApiError::transport(format!(
                        "GitHub did not answer within {} s",
                        self.timeout.as_secs_f64()
                    )),
                    None,
                ),
            };
            let transient = match err.status {
                Some(s) => s >= 500 || s == 429 || err.rate_limited,
                None => !err.message.starts_with(UNEXPECTED),
            };
            let wait = retry_after.unwrap_or(Duration::from_millis(500 * u64::from(attempt)));
            if !transient || verb == Verb::Post || attempt >= ATTEMPTS || wait > MAX_RETRY_AFTER {
                return Err(err);
            }
            (self.sleep)(wait);
        }
    }

    /// perfgate's error for octocrab's, and how long GitHub asked to wait (`Duration::MAX`: until the
    /// rate limit resets, longer than perfgate waits).
    fn api_error(&self, e: &octocrab::Error) -> (ApiError, Option<Duration>) {
        match e {
            octocrab::Error::GitHub { source, .. } => {
                let header = |name: &str| {
                    source
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(name))
                        .and_then(|v| v.to_str().ok())
                };
                let retry_after = header("retry-after")
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let exhausted = header("x-ratelimit-remaining") == Some("0");
                let status = source.status_code.as_u16();
                let message: String = crate::escape::terminal(source.message.trim())
                    .chars()
                    .take(200)
                    .collect();
                let err = ApiError {
                    status: Some(status),
                    message: self.token.redact(if message.is_empty() {
                        "no message"
                    } else {
                        &message
                    }),
                    rate_limited: status == 429
                        || (status == 403 && (exhausted || retry_after.is_some())),
                };
                (err, retry_after.or(exhausted.then_some(Duration::MAX)))
            }
            // A GraphQL answer with `errors` is an answer too: not retried.
            octocrab::Error::Serde { .. }
            | octocrab::Error::Json { .. }
            | octocrab::Error::Graphql { .. } => (
                ApiError::transport(format!("{UNEXPECTED}: {}", chain(e))),
                None,
            ),
            _ => (
                ApiError::transport(
                    self.token
                        .redact(&format!("no answer from GitHub: {}", chain(e))),
                ),
                None,
            ),
        }
    }
}

/// How a malformed answer's message starts; such an answer is not retried.
const UNEXPECTED: &str = "unexpected answer from GitHub";

/// An octocrab client for `base` (the REST API's root) on perfgate's own HTTP client, whose certificates
/// follow [`crate::tls`]. The token goes only to `base`'s host (octocrab's [`AuthHeaderLayer`]); `http:`
/// is allowed for a GitHub faked on 127.0.0.1. Must run inside a tokio runtime.
pub fn octocrab(base: &str, token: &Token) -> Result<Octocrab, ApiError> {
    let not_url = || ApiError::transport(format!("GITHUB_API_URL {base:?} is not a URL"));
    let uri: http::Uri = base.trim_end_matches('/').parse().map_err(|_| not_url())?;
    if uri.authority().is_none() || !matches!(uri.scheme_str(), Some("https" | "http")) {
        return Err(not_url());
    }
    let tls = crate::tls::client_config().map_err(ApiError::transport)?;
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*tls).clone())
        .https_or_http()
        .enable_http1()
        .build();
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let mut auth = http::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| ApiError::transport("the token is not a valid HTTP header value"))?;
    auth.set_sensitive(true);
    let agent = http::HeaderValue::from_static(concat!("perfgate/", env!("CARGO_PKG_VERSION")));
    let accept = http::HeaderValue::from_static("application/vnd.github+json");
    OctocrabBuilder::new_empty()
        .with_service(http)
        .with_layer(&BaseUriLayer::new(uri.clone()))
        .with_layer(&ExtraHeadersLayer::new(Arc::new(vec![
            (http::header::USER_AGENT, agent),
            (http::header::ACCEPT, accept),
        ])))
        .with_layer(&AuthHeaderLayer::new(Some(auth), uri.clone(), uri))
        .with_auth(AuthState::None)
        .build()
        .map_err(|e| match e {})
}

/// The GraphQL root on the REST API's host: octocrab posts to `<root>/graphql`. GitHub Enterprise
/// Server serves REST under `/api/v3` and GraphQL at `/api/graphql`; github.com at `/` and `/graphql`.
fn graphql_root(api_url: &str) -> String {
    let api = api_url.trim_end_matches('/');
    match api.strip_suffix("/v3").filter(|h| h.ends_with("/api")) {
        Some(root) => root.to_string(),
        None => api.to_string(),
    }
}

/// Whether a `Link: rel="next"` URL stays on the API's scheme, host and path: the listing never
/// follows GitHub's answer elsewhere.
fn same_api(api_url: &str, next: &http::Uri) -> bool {
    let Ok(api) = api_url.trim_end_matches('/').parse::<http::Uri>() else {
        return false;
    };
    next.scheme() == api.scheme()
        && next.authority() == api.authority()
        && next.path().starts_with(api.path().trim_end_matches('/'))
}

impl GitHubApi {
    /// The head commit of the pull request, to check that a stored verdict belongs to it.
    pub fn pull_head_sha(&mut self) -> Result<String, ApiError> {
        let pulls = self.gh.pulls(&self.owner, &self.name);
        let pull = self.call(Verb::Idempotent, || pulls.get(self.pr))?;
        Ok(pull.head.sha)
    }

    /// The login of an installation token (`GITHUB_TOKEN`, a GitHub App), which `GET /user` refuses:
    /// GraphQL's `viewer`, as `<slug>[bot]`, the way REST shows the comments it writes.
    fn viewer_login(&mut self) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct Data {
            viewer: Login,
        }
        let gh = {
            let _guard = self.rt.enter();
            octocrab(&graphql_root(&self.api_url), &self.token)?
        };
        let query = json!({ "query": "query { viewer { login } }" });
        // A query changes nothing, so it may be retried although it is sent as POST.
        let data: Data = self.call(Verb::Idempotent, || gh.graphql(&query))?;
        let login = data.viewer.login;
        if login.is_empty() {
            return Err(ApiError::transport(
                "cannot tell which account the token belongs to (GET /user and GraphQL viewer both refused)",
            ));
        }
        Ok(if login.ends_with("[bot]") {
            login
        } else {
            format!("{login}[bot]")
        })
    }

    fn comments_route(&self) -> String {
        format!(
            "/repos/{}/{}/issues/{}/comments",
            self.owner, self.name, self.pr
        )
    }

    fn comment_route(&self, id: u64) -> String {
        format!("/repos/{}/{}/issues/comments/{id}", self.owner, self.name)
    }
}

/// An error with its causes, `a: b: c`, leaving out a cause its parent already says (hyper's and
/// octocrab's errors repeat their source).
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.last().is_some_and(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

impl CommentStore for GitHubApi {
    fn identity(&mut self) -> Result<String, ApiError> {
        let current = self.gh.current();
        match self.call(Verb::Idempotent, || current.user()) {
            Ok(user) => Ok(user.login),
            // "Resource not accessible by integration": an app's installation token.
            Err(e) if matches!(e.status, Some(403) | Some(404)) => self.viewer_login(),
            Err(e) => Err(e),
        }
    }

    fn list(&mut self) -> Result<Vec<RemoteComment>, ApiError> {
        let route = self.comments_route();
        let query = PageQuery {
            per_page: PER_PAGE,
            page: 1,
        };
        let mut page: Page<ListedComment> =
            self.call(Verb::Idempotent, || self.gh.get(&route, Some(&query)))?;
        let mut all: Vec<RemoteComment> = Vec::new();
        for _ in 1..MAX_PAGES {
            all.extend(page.take_items().into_iter().map(RemoteComment::from));
            let Some(next) = page.next.take().filter(|n| same_api(&self.api_url, n)) else {
                break;
            };
            let next = Some(next);
            match self.call(Verb::Idempotent, || self.gh.get_page(&next))? {
                Some(p) => page = p,
                None => break,
            }
        }
        all.extend(page.take_items().into_iter().map(RemoteComment::from));
        all.sort_by_key(|c| c.id);
        all.dedup_by_key(|c| c.id);
        Ok(all)
    }

    fn create(&mut self, body: &str) -> Result<RemoteComment, ApiError> {
        let route = self.comments_route();
        let body = json!({ "body": body });
        self.call(Verb::Post, || {
            self.gh.post::<_, ListedComment>(&route, Some(&body))
        })
        .map(RemoteComment::from)
    }

    fn update(&mut self, id: u64, body: &str) -> Result<(), ApiError> {
        let route = self.comment_route(id);
        let body = json!({ "body": body });
        self.call(Verb::Idempotent, || {
            self.gh.patch::<ListedComment, _, _>(&route, Some(&body))
        })
        .map(drop)
    }

    fn delete(&mut self, id: u64) -> Result<(), ApiError> {
        let issues = self.gh.issues(&self.owner, &self.name);
        match self.call(Verb::Idempotent, || issues.delete_comment(id.into())) {
            Err(e) if e.status == Some(404) => Ok(()),
            r => r,
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
            graphql_root("https://api.github.com"),
            "https://api.github.com"
        );
        assert_eq!(
            graphql_root("https://ghe.example/api/v3/"),
            "https://ghe.example/api"
        );
    }

    #[test]
    fn the_listing_follows_next_links_on_the_api_only() {
        let api = "https://ghe.example/api/v3";
        let on = |u: &str| same_api(api, &u.parse().unwrap());
        assert!(on(
            "https://ghe.example/api/v3/repositories/1/issues/5/comments?page=2"
        ));
        assert!(!on(
            "https://evil.example/api/v3/repos/o/r/issues/5/comments?page=2"
        ));
        assert!(!on(
            "http://ghe.example/api/v3/repos/o/r/issues/5/comments?page=2"
        ));
        assert!(!on("https://ghe.example/other/repos?page=2"));
    }
}
