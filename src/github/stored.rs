//! Reading a stored `perfgate/verdict/v1` document (`perfgate comment --from verdict.json`), as written
//! by `perfgate analyze --output json` in an untrusted workflow.

use std::path::Path;

use crate::error::{Error, Result};
use crate::verdict::{Verdict, VERDICT_SCHEMA};

/// Parses a verdict file; the schema id must match.
pub fn read_verdict(path: &Path) -> Result<Verdict> {
    // An artifact of an untrusted workflow: bounded, and never a FIFO or device.
    let text = crate::bounded_read::read_to_string(path, crate::bounded_read::ARTIFACT_FILE)?;
    parse_verdict(&text).map_err(|message| Error::Parse {
        path: path.to_path_buf(),
        format: "perfgate-verdict",
        message,
    })
}

/// Parses verdict JSON text.
pub fn parse_verdict(text: &str) -> std::result::Result<Verdict, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    match value["schema"].as_str() {
        Some(VERDICT_SCHEMA) => {}
        Some(other) => {
            return Err(format!(
                "schema {:?} is not {VERDICT_SCHEMA}; write it with `perfgate analyze --output json`",
                crate::escape::terminal(other)
            ))
        }
        None => {
            return Err(format!(
                "not a perfgate verdict (no \"schema\": \"{VERDICT_SCHEMA}\"); write it with `perfgate analyze --output json`"
            ))
        }
    }
    serde_json::from_value(value).map_err(|e| format!("not a valid verdict: {e}"))
}

/// Reads a PR number written by the untrusted workflow (`echo $PR > pr_number`): digits only.
pub fn read_pr_number(path: &Path) -> Result<u64> {
    let text = crate::bounded_read::read_to_string(path, crate::bounded_read::PR_NUMBER_FILE)?;
    let t = text.trim();
    t.parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && t.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| Error::Usage(format!("{}: not a pull request number", path.display())))
}
