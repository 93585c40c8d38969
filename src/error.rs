//! Errors the library reports. Every message starts with the file it is about, so the binary can
//! print it on one line as `perfgate: <path>: <problem>`.

use std::path::{Path, PathBuf};

/// A problem with the input, the baseline store or the command line; all map to exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Parse {
        path: PathBuf,
        format: &'static str,
        message: String,
    },
    #[error("{}: not a result file perfgate knows (tried {tried}); give --format to force one, see `perfgate formats`", path.display())]
    UnknownFormat { path: PathBuf, tried: String },
    #[error("{0}")]
    Usage(String),
    #[error("{}: {message}", path.display())]
    Baseline { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A baseline-store error about `path`.
    pub fn baseline(path: &Path, message: impl Into<String>) -> Error {
        Error::Baseline {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A policy-file error about `path`.
    pub fn config(path: &Path, message: impl Into<String>) -> Error {
        Error::Config {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// True when this is a closed stdout (e.g. piped into `head`), which exits quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A format parser's complaint, turned into [`Error::Parse`] with the path by the ingest layer.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError(pub String);

impl ParseError {
    /// A parse error with a message.
    pub fn new(message: impl Into<String>) -> ParseError {
        ParseError(message.into())
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> ParseError {
        ParseError(format!("invalid JSON: {e}"))
    }
}
