//! `perfgate config check` and `perfgate init`.

use std::io::{self, Write};
use std::path::Path;

use perfgate::error::{Error, Result};
use perfgate::policy::{self, Policy};

use super::{stdout_err, EXIT_PASS};

pub fn check(file: Option<&Path>, out: &mut dyn Write) -> Result<u8> {
    let path = file.unwrap_or(Path::new(policy::DEFAULT_FILE));
    if !path.exists() {
        return Err(Error::io(path, io::Error::from(io::ErrorKind::NotFound)));
    }
    let p = Policy::load(Some(path))?;
    writeln!(
        out,
        "{}: ok · fail_on {} · alpha {} · bands {}/{}/{}/{} % · {} budget{}",
        path.display(),
        p.fail_on.unwrap_or_default().describe(),
        p.alpha,
        p.bands.low,
        p.bands.medium,
        p.bands.high,
        p.bands.critical,
        p.budgets.len(),
        if p.budgets.len() == 1 { "" } else { "s" }
    )
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}

pub fn init(force: bool, out: &mut dyn Write) -> Result<u8> {
    let path = Path::new(policy::DEFAULT_FILE);
    if path.exists() && !force {
        return Err(Error::config(
            path,
            "already exists; use --force to replace it",
        ));
    }
    std::fs::write(path, policy::EXAMPLE).map_err(|e| Error::io(path, e))?;
    writeln!(
        out,
        "wrote {}; check it with `perfgate config check`",
        path.display()
    )
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}
