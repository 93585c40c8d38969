//! GitHub's answers as its REST API shapes them, for the fake GitHubs of the tests: octocrab's typed
//! models read them, so they carry the fields GitHub's schema requires.

use serde_json::{json, Value};

/// A user (`simple-user`), as `GET /user` and a comment's `user` show it.
pub fn user(login: &str) -> Value {
    let api = format!("https://api.github.test/users/{login}");
    json!({
        "login": login, "id": 41898282, "node_id": "MDM6Qm90NDE4OTgyODI=",
        "avatar_url": "https://avatars.github.test/u/41898282", "gravatar_id": "",
        "url": api, "html_url": format!("https://github.test/{login}"),
        "followers_url": format!("{api}/followers"), "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"), "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"), "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"), "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": if login.ends_with("[bot]") { "Bot" } else { "User" }, "site_admin": false,
    })
}

/// Pull request `number` of `o/r` with head commit `sha` (`GET /repos/o/r/pulls/N`), the fields
/// GitHub's `pull-request` schema requires of it that perfgate's client reads through.
pub fn pull(number: u64, sha: &str) -> Value {
    json!({
        "id": 1_000_000 + number, "number": number, "locked": false, "state": "open",
        "url": format!("https://api.github.test/repos/o/r/pulls/{number}"),
        "head": {"ref": "feature", "sha": sha, "label": "o:feature"},
        "base": {"ref": "main", "sha": "fedcba9876543210fedcba9876543210fedcba98", "label": "o:main"},
    })
}

/// An issue comment (`issue-comment`) with id `id` on PR `pr` of `o/r`, written by `login`.
pub fn comment(id: u64, pr: u64, login: &str, body: &str) -> Value {
    json!({
        "id": id, "node_id": format!("IC_{id}"), "body": body, "user": user(login),
        "url": format!("https://api.github.test/repos/o/r/issues/comments/{id}"),
        "html_url": format!("https://github.test/o/r/pull/{pr}#issuecomment-{id}"),
        "issue_url": format!("https://api.github.test/repos/o/r/issues/{pr}"),
        "author_association": "NONE",
        "created_at": "2026-12-07T10:00:00Z", "updated_at": "2026-12-07T10:00:00Z",
    })
}
