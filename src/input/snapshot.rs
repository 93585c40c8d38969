//! perfgate's own baseline snapshot (`baselines/<name>.json`), so a stored baseline can be given as a file.

use crate::baseline::Snapshot;
use crate::error::ParseError;
use crate::input::{InputFormat, Probe};
use crate::model::Run;

/// Reader for perfgate snapshots.
pub struct SnapshotInput;

impl InputFormat for SnapshotInput {
    fn id(&self) -> &'static str {
        "perfgate"
    }

    fn tool(&self) -> &'static str {
        "perfgate"
    }

    fn example(&self) -> &'static str {
        "perfgate baseline create main results.json   # writes baselines/main.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        probe
            .json()
            .and_then(|d| d.get("schema"))
            .and_then(|s| s.as_str())
            // Any version, so a newer one is refused by `parse` with "upgrade perfgate", not as unknown.
            .is_some_and(|s| s.starts_with("perfgate/snapshot/"))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let snapshot = Snapshot::from_value(probe.json_result()?)?;
        Ok(snapshot.run)
    }
}
