//! Reading a stored `perfgate/verdict/v1` document (`perfgate comment --from verdict.json`), as written
//! by `perfgate analyze --output json` in an untrusted workflow.

use std::path::Path;

use crate::error::{Error, ParseError, Result};
use crate::verdict::{Verdict, VERDICT_SCHEMA};

/// Format name of a verdict artifact in errors.
pub const VERDICT_FORMAT: &str = "perfgate-verdict";
/// Format name of a pull-request number file in errors.
pub const PR_NUMBER_FORMAT: &str = "pull-request-number";

/// Parses a verdict file; the schema id must match.
pub fn read_verdict(path: &Path) -> Result<Verdict> {
    // An artifact of an untrusted workflow: bounded, and never a FIFO or device.
    let text = crate::bounded_read::read_to_string(path, crate::bounded_read::ARTIFACT_FILE)?;
    parse_verdict(&text).map_err(|e| Error::parse(path, VERDICT_FORMAT, e))
}

/// Parses verdict JSON text.
pub fn parse_verdict(text: &str) -> std::result::Result<Verdict, ParseError> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    match value["schema"].as_str() {
        Some(VERDICT_SCHEMA) => {}
        Some(other) => {
            return Err(ParseError::value(format!(
                "schema {:?} is not {VERDICT_SCHEMA}; write it with `perfgate analyze --output json`",
                crate::escape::terminal(other)
            )))
        }
        None => {
            return Err(ParseError::new(format!(
                "not a perfgate verdict (no \"schema\": \"{VERDICT_SCHEMA}\"); write it with `perfgate analyze --output json`"
            )))
        }
    }
    serde_json::from_value(value).map_err(|e| ParseError::new(format!("not a valid verdict: {e}")))
}

/// Reads a PR number written by the untrusted workflow (`echo $PR > pr_number`): digits only.
pub fn read_pr_number(path: &Path) -> Result<u64> {
    let text = crate::bounded_read::read_to_string(path, crate::bounded_read::PR_NUMBER_FILE)?;
    let t = text.trim();
    t.parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && t.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| {
            Error::parse(
                path,
                PR_NUMBER_FORMAT,
                ParseError::value("not a pull request number"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ParseKind;

    #[test]
    fn a_broken_verdict_names_the_line_and_kind() {
        let e = parse_verdict("{\n\"schema\": \"perfgate/verdict/v1\",\n}").unwrap_err();
        assert_eq!((e.kind, e.line), (ParseKind::Syntax, Some(3)));
        let e = parse_verdict(r#"{"schema": "perfgate/verdict/v0"}"#).unwrap_err();
        assert_eq!(e.kind, ParseKind::Value);
        assert!(e.message.contains("is not perfgate/verdict/v1"), "{e}");
    }

    #[test]
    fn a_pr_number_file_that_is_not_a_number_is_a_value_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pr");
        std::fs::write(&p, "12a\n").unwrap();
        let e = read_pr_number(&p).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Parse {
                    kind: ParseKind::Value,
                    format: PR_NUMBER_FORMAT,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!("{}: not a pull request number", p.display())
        );
    }
}
