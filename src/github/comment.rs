//! The sticky PR comment: one comment per key, found by a hidden marker at the start of its body,
//! updated in place, with duplicates (from racing jobs) cleaned up.
//!
//! The logic talks to a [`CommentStore`], so it is tested against an in-memory store; the real one is
//! [`crate::github::client::GitHubApi`].

use std::fmt;

/// A comment as far as perfgate cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteComment {
    pub id: u64,
    pub body: String,
    /// Author login: only comments written by the token's own identity are updated or deleted.
    pub login: String,
    pub html_url: String,
}

/// A failed API call: the HTTP status when there was an answer, and GitHub's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: Option<u16>,
    pub message: String,
    /// GitHub said the rate limit is exhausted.
    pub rate_limited: bool,
}

impl ApiError {
    /// An error without an HTTP answer (transport, timeout).
    pub fn transport(message: impl Into<String>) -> ApiError {
        ApiError {
            status: None,
            message: message.into(),
            rate_limited: false,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self.status {
            _ if self.rate_limited => "GitHub's API rate limit is exhausted; the next run will update the comment",
            Some(401) => "the token was rejected; pass `GITHUB_TOKEN: ${{ github.token }}` in the step's env",
            Some(403) | Some(404) => "the token cannot write to this pull request: give the job `permissions: pull-requests: write`; for PRs from forks use the two-workflow pattern (docs/github-actions.md, \"Pull requests from forks\")",
            Some(422) => "GitHub refused the comment body; please report this to perfgate",
            Some(429) => "GitHub's API rate limit is exhausted; the next run will update the comment",
            Some(s) if s >= 500 => "GitHub had a server error; the next run will update the comment",
            _ => "check the network path to GITHUB_API_URL; the next run will update the comment",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "HTTP {s}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The operations the sticky comment needs, on one pull request.
pub trait CommentStore {
    /// The login comments written with this token carry (`github-actions[bot]` for an Actions token).
    fn identity(&mut self) -> Result<String, ApiError>;
    /// Every comment of the PR (all pages), oldest first.
    fn list(&mut self) -> Result<Vec<RemoteComment>, ApiError>;
    /// Posts a new comment. Never retried: a retry could post twice.
    fn create(&mut self, body: &str) -> Result<RemoteComment, ApiError>;
    /// Replaces a comment's body.
    fn update(&mut self, id: u64, body: &str) -> Result<(), ApiError>;
    /// Deletes a comment; an already deleted one is not an error.
    fn delete(&mut self, id: u64) -> Result<(), ApiError>;
}

/// Normalises a `--comment-key` so it cannot break out of the marker: only `[A-Za-z0-9._/+-]` are kept.
pub fn sanitize_key(key: &str) -> String {
    let k: String = key
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._/+-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    if k.is_empty() {
        "default".to_string()
    } else {
        k
    }
}

/// The hidden marker that identifies perfgate's comment for `key`; it starts the body.
pub fn marker(key: &str) -> String {
    format!("<!-- perfgate:v1 key={} -->", sanitize_key(key))
}

/// The full comment body: marker line, then the report.
pub fn body(key: &str, report: &str) -> String {
    format!("{}\n{}", marker(key), report.trim_end())
}

/// What [`upsert`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    /// The body was already current: no write was made.
    Unchanged,
}

/// The result of [`upsert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub action: Action,
    pub id: u64,
    pub html_url: String,
    /// Duplicate comments deleted.
    pub deleted: usize,
}

fn same_body(a: &str, b: &str) -> bool {
    // GitHub may store line endings as CRLF.
    a.replace("\r\n", "\n").trim_end() == b.replace("\r\n", "\n").trim_end()
}

/// This token's comments for `marker`, oldest first. A comment by anyone else is never touched, even
/// when it carries the marker: anyone can write `<!-- perfgate:v1 key=default -->`.
fn ours<'a>(comments: &'a [RemoteComment], marker: &str, me: &str) -> Vec<&'a RemoteComment> {
    let mut v: Vec<&RemoteComment> = comments
        .iter()
        .filter(|c| c.login.eq_ignore_ascii_case(me) && c.body.trim_start().starts_with(marker))
        .collect();
    v.sort_by_key(|c| c.id);
    v
}

/// Deletes the duplicates (all written by this token); failures are ignored (harmless leftovers).
fn delete_dups(store: &mut dyn CommentStore, dups: &[&RemoteComment]) -> usize {
    dups.iter().filter(|c| store.delete(c.id).is_ok()).count()
}

/// Creates or updates the comment for `key` so that its body is `body` (as built by [`body`]).
///
/// Only comments written by the token's own identity count: the oldest carrying the marker is kept and
/// updated, later ones deleted. After a create, the list is read again, so two jobs racing to create
/// converge on one comment.
pub fn upsert(store: &mut dyn CommentStore, key: &str, body: &str) -> Result<Outcome, ApiError> {
    let marker = marker(key);
    let comments = store.list()?;
    // Whose comments are whose matters only once some comment carries the marker.
    if comments
        .iter()
        .any(|c| c.body.trim_start().starts_with(&marker))
    {
        let me = store.identity()?;
        if let Some((keep, rest)) = ours(&comments, &marker, &me).split_first() {
            let action = if same_body(&keep.body, body) {
                Action::Unchanged
            } else {
                store.update(keep.id, body)?;
                Action::Updated
            };
            let deleted = delete_dups(store, rest);
            return Ok(Outcome {
                action,
                id: keep.id,
                html_url: keep.html_url.clone(),
                deleted,
            });
        }
    }
    let created = store.create(body)?;
    let mut outcome = Outcome {
        action: Action::Created,
        id: created.id,
        html_url: created.html_url.clone(),
        deleted: 0,
    };
    // A job racing with this one may have created its own; keep the oldest. The new comment's author
    // is this token's identity.
    if let Ok(again) = store.list() {
        let mine = ours(&again, &marker, &created.login);
        if let Some((keep, rest)) = mine.split_first() {
            outcome.deleted = delete_dups(store, rest);
            if keep.id != created.id {
                outcome.id = keep.id;
                outcome.html_url = keep.html_url.clone();
                if !same_body(&keep.body, body) && store.update(keep.id, body).is_ok() {
                    outcome.action = Action::Updated;
                }
            }
        }
    }
    Ok(outcome)
}

/// An in-memory [`CommentStore`] for the unit tests: records writes, can fail on demand.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub comments: Vec<RemoteComment>,
    pub next_id: u64,
    pub login: String,
    pub writes: Vec<String>,
    pub fail_create: Option<ApiError>,
}

#[cfg(test)]
impl MemoryStore {
    /// An empty PR; comments will be written by `login`.
    pub fn new(login: &str) -> MemoryStore {
        MemoryStore {
            next_id: 1,
            login: login.to_string(),
            ..MemoryStore::default()
        }
    }

    /// Adds a comment as if someone had posted it.
    pub fn seed(&mut self, login: &str, body: &str) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.comments.push(RemoteComment {
            id,
            body: body.to_string(),
            login: login.to_string(),
            html_url: format!("https://github.test/c/{id}"),
        });
        id
    }
}

#[cfg(test)]
impl CommentStore for MemoryStore {
    fn identity(&mut self) -> Result<String, ApiError> {
        Ok(self.login.clone())
    }
    fn list(&mut self) -> Result<Vec<RemoteComment>, ApiError> {
        Ok(self.comments.clone())
    }
    fn create(&mut self, body: &str) -> Result<RemoteComment, ApiError> {
        if let Some(e) = &self.fail_create {
            return Err(e.clone());
        }
        self.writes.push("create".into());
        let login = self.login.clone();
        let id = self.seed(&login, body);
        Ok(self.comments.iter().find(|c| c.id == id).cloned().unwrap())
    }
    fn update(&mut self, id: u64, body: &str) -> Result<(), ApiError> {
        self.writes.push(format!("update {id}"));
        match self.comments.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                c.body = body.to_string();
                Ok(())
            }
            None => Err(ApiError {
                status: Some(404),
                message: "Not Found".into(),
                rate_limited: false,
            }),
        }
    }
    fn delete(&mut self, id: u64) -> Result<(), ApiError> {
        self.writes.push(format!("delete {id}"));
        self.comments.retain(|c| c.id != id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOT: &str = "github-actions[bot]";

    #[test]
    fn create_then_update_then_nothing() {
        let mut s = MemoryStore::new(BOT);
        s.seed("alice", "LGTM");
        let o = upsert(&mut s, "default", &body("default", "one")).unwrap();
        assert_eq!(o.action, Action::Created);
        let o2 = upsert(&mut s, "default", &body("default", "two")).unwrap();
        assert_eq!((o2.action, o2.id), (Action::Updated, o.id));
        let o3 = upsert(&mut s, "default", &body("default", "two")).unwrap();
        assert_eq!(o3.action, Action::Unchanged);
        assert_eq!(
            s.writes,
            vec!["create".to_string(), format!("update {}", o.id)]
        );
        assert_eq!(s.comments.len(), 2);
    }

    #[test]
    fn keys_are_separate_comments() {
        let mut s = MemoryStore::new(BOT);
        upsert(&mut s, "linux", &body("linux", "a")).unwrap();
        upsert(&mut s, "macos", &body("macos", "b")).unwrap();
        upsert(&mut s, "linux", &body("linux", "c")).unwrap();
        assert_eq!(s.comments.len(), 2);
    }

    #[test]
    fn duplicates_are_merged_into_the_oldest() {
        let mut s = MemoryStore::new(BOT);
        let old = s.seed(BOT, &body("default", "old"));
        s.seed("alice", "unrelated");
        let dup = s.seed(BOT, &body("default", "dup"));
        let o = upsert(&mut s, "default", &body("default", "new")).unwrap();
        assert_eq!((o.action, o.id, o.deleted), (Action::Updated, old, 1));
        assert!(s.comments.iter().all(|c| c.id != dup));
    }

    #[test]
    fn someone_elses_marker_comment_is_never_deleted() {
        let mut s = MemoryStore::new(BOT);
        s.seed(BOT, &body("default", "old"));
        let spoof = s.seed("mallory", &body("default", "spoof"));
        upsert(&mut s, "default", &body("default", "new")).unwrap();
        assert!(s.comments.iter().any(|c| c.id == spoof));
    }

    #[test]
    fn a_strangers_older_marker_comment_is_neither_updated_nor_deleted() {
        let mut s = MemoryStore::new(BOT);
        let spoof = s.seed("mallory", &body("default", "spoof"));
        let o = upsert(&mut s, "default", &body("default", "mine")).unwrap();
        assert_eq!(o.action, Action::Created);
        assert_ne!(o.id, spoof);
        assert_eq!(s.writes, vec!["create".to_string()]);
        let o2 = upsert(&mut s, "default", &body("default", "mine 2")).unwrap();
        assert_eq!((o2.action, o2.id), (Action::Updated, o.id));
        let theirs = s.comments.iter().find(|c| c.id == spoof).unwrap();
        assert!(theirs.body.ends_with("spoof"));
    }

    #[test]
    fn keys_cannot_close_the_marker() {
        assert_eq!(marker("a --> b"), "<!-- perfgate:v1 key=a-----b -->");
        assert_eq!(marker(""), "<!-- perfgate:v1 key=default -->");
        // `key=a` must not match `key=ab`.
        let mut s = MemoryStore::new(BOT);
        s.seed(BOT, &body("ab", "x"));
        let o = upsert(&mut s, "a", &body("a", "y")).unwrap();
        assert_eq!(o.action, Action::Created);
    }

    #[test]
    fn failed_create_is_an_error_not_a_panic() {
        let mut s = MemoryStore::new(BOT);
        s.fail_create = Some(ApiError {
            status: Some(403),
            message: "Resource not accessible by integration".into(),
            rate_limited: false,
        });
        let e = upsert(&mut s, "default", "x").unwrap_err();
        assert!(e.hint().contains("pull-requests: write"));
    }
}
