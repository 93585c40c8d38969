//! The one way perfgate opens a file it did not write: regular files only, never blocking, never more
//! than a stated number of bytes.
//!
//! A FIFO or device would block or never end (`/dev/zero` as a config file, a FIFO named
//! `estimates.json` in a Criterion directory), and untrusted artifacts (`comment --from`) could be any
//! size. The file is opened non-blocking (opening a FIFO then returns at once instead of waiting for a
//! writer), its type is checked on the open handle (no window between check and open), and reading
//! stops one byte past the limit.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{Error, ReadProblem, Result};

const MIB: u64 = 1024 * 1024;

/// Largest result document read whole (JSON formats, snapshots): 256 MiB. Line formats stream instead.
pub const RESULT_FILE: Limit = Limit {
    bytes: 256 * MIB,
    what: "result file",
};
/// Largest file of a Criterion benchmark directory (`estimates.json`, `sample.json`, …).
pub const CRITERION_FILE: Limit = Limit {
    bytes: 64 * MIB,
    what: "Criterion file",
};
/// Largest policy file (`perfgate.toml`, `--config`, `PERFGATE_CONFIG`).
pub const CONFIG_FILE: Limit = Limit {
    bytes: MIB,
    what: "policy file",
};
/// Largest verdict artifact (`comment --from`, `push --from`) or event file.
pub const ARTIFACT_FILE: Limit = Limit {
    bytes: 64 * MIB,
    what: "verdict file",
};
/// Largest PR-number file (`comment --pr-file`).
pub const PR_NUMBER_FILE: Limit = Limit {
    bytes: 1024,
    what: "pull request number file",
};

/// A size limit and what kind of file it is for (for the message).
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bytes: u64,
    pub what: &'static str,
}

impl Limit {
    /// The limit in readable form, e.g. `256 MiB`.
    pub fn describe(&self) -> String {
        if self.bytes >= MIB {
            format!("{} MiB", self.bytes / MIB)
        } else {
            format!("{} bytes", self.bytes)
        }
    }

    fn too_large(&self, path: &Path) -> Error {
        Error::read(
            path,
            ReadProblem::TooLarge {
                limit: self.describe(),
                what: self.what,
            },
        )
    }
}

/// Opens a regular file without blocking; a FIFO, socket, device or directory is refused.
pub fn open(path: &Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless non-blocking. Reads from a regular
        // file ignore the flag.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::read(path, ReadProblem::IsDirectory));
    }
    if !meta.is_file() {
        return Err(Error::read(path, ReadProblem::NotRegular));
    }
    Ok(file)
}

/// Opens a regular file for streaming: no total limit (the caller bounds what it keeps), buffered.
pub fn open_stream(path: &Path) -> Result<BufReader<File>> {
    Ok(BufReader::with_capacity(256 * 1024, open(path)?))
}

/// Opens a regular file and refuses it when it is larger than `limit` (by its size, before reading).
pub fn open_limited(path: &Path, limit: Limit) -> Result<std::io::Take<File>> {
    let file = open(path)?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len > limit.bytes {
        return Err(limit.too_large(path));
    }
    // The size can grow after the check: read at most one byte past the limit, then refuse.
    Ok(file.take(limit.bytes + 1))
}

/// The whole file, at most `limit` bytes.
pub fn read(path: &Path, limit: Limit) -> Result<Vec<u8>> {
    let mut reader = open_limited(path, limit)?;
    let mut buf = Vec::new();
    reader
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    if buf.len() as u64 > limit.bytes {
        return Err(limit.too_large(path));
    }
    Ok(buf)
}

/// The whole file as UTF-8 text (a BOM stripped), at most `limit` bytes.
pub fn read_to_string(path: &Path, limit: Limit) -> Result<String> {
    let bytes = read(path, limit)?;
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        Error::read(
            path,
            ReadProblem::NotUtf8 {
                offset: e.utf8_error().valid_up_to(),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "\u{feff}hello").unwrap();
        assert_eq!(read_to_string(&p, CONFIG_FILE).unwrap(), "hello");
        let small = Limit {
            bytes: 4,
            what: "test file",
        };
        let e = read(&p, small).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Read {
                    problem: ReadProblem::TooLarge { .. },
                    ..
                }
            ),
            "a read problem, not a parse error: {e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains("larger than the 4 bytes limit for a test file"),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let e = read(Path::new("/dev/zero"), CONFIG_FILE)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read(&fifo, CONFIG_FILE).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = read(dir.path(), CONFIG_FILE).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }
}
