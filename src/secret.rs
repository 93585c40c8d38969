//! Secrets (the GitHub token, Prometheus and Pushgateway bearer tokens): one type for all of them, which
//! never prints itself, so no options struct that holds one can show it through `Debug`.

use std::fmt;

/// A secret that never prints itself (Debug and Display are redacted).
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token; `None` when empty.
    pub fn new(s: String) -> Option<Token> {
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(Token(s))
    }

    /// The secret itself, only for the Authorization header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces any occurrence of the token in `s`, as a last line of defence for messages.
    pub fn redact(&self, s: &str) -> String {
        // A token too short to be real would only garble words.
        if self.0.len() < 8 {
            return s.to_string();
        }
        s.replace(&self.0, "***")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_prints_itself() {
        let t = Token::new(" secret-value-123 \n".to_string()).unwrap();
        assert_eq!(t.expose(), "secret-value-123");
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert_eq!(format!("{:?}", Some(t.clone())), "Some(Token(***))");
        assert_eq!(t.redact("got secret-value-123 back"), "got *** back");
        assert!(Token::new("  ".to_string()).is_none());
    }
}
