//! Talking to Prometheus and the Pushgateway over plain blocking HTTP (ureq; no async runtime).

pub mod pull;
pub mod push;

use std::time::Duration;

use crate::error::Error;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn agent() -> ureq::Agent {
    let agent = ureq::AgentBuilder::new().timeout(TIMEOUT);
    // The same certificate policy as the GitHub client's (crate::tls); without it, ureq's bundled roots.
    match crate::tls::client_config() {
        Ok(tls) => agent.tls_config(tls),
        Err(_) => agent,
    }
    .build()
}

/// The URL without user info or query, safe to print and to record.
pub(crate) fn display_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let mut s = if scheme.is_empty() {
        host.to_string()
    } else {
        format!("{scheme}://{host}")
    };
    if !path.is_empty() {
        s.push('/');
        s.push_str(path);
    }
    s
}

/// One-line error for a failed request, naming the URL (never the token).
pub(crate) fn http_error(url: &str, e: ureq::Error) -> Error {
    let what = match e {
        ureq::Error::Status(code, resp) => {
            let body = resp.into_string().unwrap_or_default();
            let body: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
            let body: String = body.chars().take(200).collect();
            format!("HTTP {code}: {body}")
        }
        ureq::Error::Transport(t) => {
            // The causes (a refused certificate, a reset), never ureq's own text, which holds the URL.
            let mut what = format!("request failed: {}", t.kind());
            let mut cause = std::error::Error::source(&t);
            while let Some(c) = cause {
                what.push_str(&format!(": {c}"));
                cause = c.source();
            }
            what
        }
    };
    Error::remote(display_url(url), what)
}

/// Percent-encodes a URL path segment (RFC 3986 unreserved characters stay).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Base64url with padding, as the Pushgateway's `@base64` label encoding expects.
pub(crate) fn base64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg==");
        assert_eq!(base64url(b"fo"), "Zm8=");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"feature/x?"), "ZmVhdHVyZS94Pw==");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8=");
    }

    #[test]
    fn urls_are_printed_without_credentials() {
        assert_eq!(
            display_url("https://user:secret@prom.example:9090/api?x=1"),
            "https://prom.example:9090/api"
        );
        assert_eq!(encode_segment("a b%"), "a%20b%25");
    }
}
