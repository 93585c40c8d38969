//! Errors the library reports. Every message starts with the file it is about (and the line, when it is
//! known), so the binary can print it on one line as `perfgate: <path>:<line>: <problem>`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with the input, the baseline store, a remote service or the command line; all map to exit
/// code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system refused a read or write.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file perfgate will not read: not a regular file, too large, empty, not UTF-8.
    #[error("{}: {problem}", path.display())]
    Read { path: PathBuf, problem: ReadProblem },
    /// A file of a known format whose content is wrong.
    #[error("{}{}: {message}", path.display(), Location { line: *line, column: *column })]
    Parse {
        path: PathBuf,
        /// What the file was read as: an `InputFormat` id (`hyperfine`; `perfgate` for a snapshot), or
        /// `json` (before any format claimed it), `perfgate-verdict`, `pull-request-number`. Never empty.
        format: &'static str,
        /// 1-based line of the offending record, when known.
        line: Option<u64>,
        /// 1-based column, when known (JSON syntax errors).
        column: Option<u64>,
        kind: ParseKind,
        message: String,
    },
    #[error("{}: not a result file perfgate knows (tried {tried}); give --format to force one, see `perfgate formats`", path.display())]
    UnknownFormat { path: PathBuf, tried: String },
    /// Gzip-compressed input of a format perfgate only reads uncompressed.
    #[error("{}: {GZIP_UNSUPPORTED}", path.display())]
    Compressed { path: PathBuf },
    /// The command line is wrong (an option, a value, a file given twice). Nothing else.
    #[error("{0}")]
    Usage(String),
    /// An HTTP service (Prometheus, a Pushgateway, GitHub) failed or answered something unusable. `url`
    /// is shown as given: the caller strips credentials.
    #[error("{url}: {message}")]
    Remote { url: String, message: String },
    /// A program perfgate runs (git, a build or benchmark command) could not start or failed.
    #[error("{0}")]
    Command(String),
    /// Baseline and current cannot be compared (no metric in common, units of different kinds).
    #[error("{0}")]
    Incomparable(String),
    #[error("{}: {message}", path.display())]
    Baseline { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },
}

/// Message for gzip-compressed input that is not k6 NDJSON (the only format read compressed).
pub const GZIP_UNSUPPORTED: &str =
    "gzip-compressed input is only read for k6 NDJSON (`--out json=results.json.gz`); decompress this one first (gunzip -k FILE), or give --format k6-ndjson if it is k6 output";

/// Why a file was not read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadProblem {
    /// A directory where a file is expected.
    IsDirectory,
    /// A directory given as results that no format reads whole (only Criterion's output directory is).
    UnknownDirectory,
    /// A pipe, socket or device: it could block or never end.
    NotRegular,
    /// Larger than the limit for this kind of file (`limit` readable, e.g. `256 MiB`).
    TooLarge { limit: String, what: &'static str },
    /// Not UTF-8 text; `offset` is the first invalid byte.
    NotUtf8 { offset: usize },
    /// Nothing but whitespace (or a BOM).
    Empty,
}

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadProblem::IsDirectory => f.write_str("is a directory, not a file"),
            ReadProblem::UnknownDirectory => f.write_str(
                "is a directory, and not one perfgate reads whole (only Criterion's target/criterion is); give the result files in it, or for --baseline a snapshot file or a stored baseline name (`perfgate baseline create NAME FILE...` stores several files as one)",
            ),
            ReadProblem::NotRegular => f.write_str(
                "not a regular file (a pipe, socket or device); save the results to a file first",
            ),
            ReadProblem::TooLarge { limit, what } => write!(
                f,
                "larger than the {limit} limit for a {what}; perfgate does not read it"
            ),
            ReadProblem::NotUtf8 { offset } => {
                write!(f, "not UTF-8 text (invalid byte at offset {offset})")
            }
            ReadProblem::Empty => f.write_str("file is empty"),
        }
    }
}

/// What is wrong with a file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseKind {
    /// Not valid JSON or text of the format at all.
    Syntax,
    /// A field is missing or of the wrong type.
    Shape,
    /// A value is negative, non-finite, overflowing, out of range or not allowed (control characters).
    Value,
    /// A unit is unknown or does not match.
    Unit,
    /// The file holds no results.
    Empty,
    /// Larger than perfgate reads.
    TooLarge,
    /// The file (or one inside a result directory) could not be read.
    Unreadable,
}

/// `:line` or `:line:column`, or nothing when the line is not known.
struct Location {
    line: Option<u64>,
    column: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, ":{l}:{c}"),
            (Some(l), None) => write!(f, ":{l}"),
            _ => Ok(()),
        }
    }
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A file that is not read at all.
    pub fn read(path: &Path, problem: ReadProblem) -> Error {
        Error::Read {
            path: path.to_path_buf(),
            problem,
        }
    }

    /// A parser's complaint about `path`, read as `format`, with its kind and location.
    pub fn parse(path: &Path, format: &'static str, e: ParseError) -> Error {
        debug_assert!(!format.is_empty());
        Error::Parse {
            path: path.to_path_buf(),
            format,
            line: e.line,
            column: e.column,
            kind: e.kind,
            message: e.message,
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

    /// An HTTP failure of `url` (shown without credentials by the caller).
    pub fn remote(url: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Remote {
            url: url.into(),
            message: message.into(),
        }
    }

    /// The file the error is about, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Error::Io { path, .. }
            | Error::Read { path, .. }
            | Error::Parse { path, .. }
            | Error::UnknownFormat { path, .. }
            | Error::Compressed { path }
            | Error::Baseline { path, .. }
            | Error::Config { path, .. } => Some(path),
            Error::Usage(_) | Error::Remote { .. } | Error::Command(_) | Error::Incomparable(_) => {
                None
            }
        }
    }

    /// The same error about another name for its file (e.g. the path relative to a scratch copy, as
    /// `perfgate ab` shows it), so that the line and column stay where they belong: `rel.json:3:5: …`.
    pub fn with_path(mut self, new: &Path) -> Error {
        match &mut self {
            Error::Io { path, .. }
            | Error::Read { path, .. }
            | Error::Parse { path, .. }
            | Error::UnknownFormat { path, .. }
            | Error::Compressed { path }
            | Error::Baseline { path, .. }
            | Error::Config { path, .. } => *path = new.to_path_buf(),
            Error::Usage(_) | Error::Remote { .. } | Error::Command(_) | Error::Incomparable(_) => {
            }
        }
        self
    }

    /// The problem without the leading path (but with the line, when known): `3:9: invalid JSON: …`
    /// for a parse error. For callers that name the file themselves.
    pub fn problem(&self) -> String {
        match self {
            Error::Io { source, .. } => source.to_string(),
            Error::Read { problem, .. } => problem.to_string(),
            Error::Parse {
                line,
                column,
                message,
                ..
            } => match line {
                Some(_) => format!(
                    "{}: {message}",
                    &Location {
                        line: *line,
                        column: *column
                    }
                    .to_string()[1..]
                ),
                None => message.clone(),
            },
            Error::Baseline { message, .. } | Error::Config { message, .. } => message.clone(),
            other => {
                let text = other.to_string();
                match other.path() {
                    Some(p) => text
                        .strip_prefix(&format!("{}: ", p.display()))
                        .map(str::to_string)
                        .unwrap_or(text),
                    None => text,
                }
            }
        }
    }

    /// True when this is a closed stdout (e.g. piped into `head`), which exits quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A format parser's complaint, turned into [`Error::Parse`] with the path and format by the ingest layer.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub kind: ParseKind,
    /// 1-based line of the offending record, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    pub message: String,
}

impl ParseError {
    /// A parse error of the given kind.
    pub fn of(kind: ParseKind, message: impl Into<String>) -> ParseError {
        ParseError {
            kind,
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A field missing or of the wrong type: the usual complaint of a JSON format. Prefer the
    /// constructor of the right kind ([`ParseError::value`], …) where another kind fits.
    pub fn new(message: impl Into<String>) -> ParseError {
        ParseError::of(ParseKind::Shape, message)
    }

    /// Not valid JSON or text of the format.
    pub fn syntax(message: impl Into<String>) -> ParseError {
        ParseError::of(ParseKind::Syntax, message)
    }

    /// A value out of range (negative, non-finite, overflowing, forbidden characters).
    pub fn value(message: impl Into<String>) -> ParseError {
        ParseError::of(ParseKind::Value, message)
    }

    /// An unknown or mismatched unit.
    pub fn unit(message: impl Into<String>) -> ParseError {
        ParseError::of(ParseKind::Unit, message)
    }

    /// No results.
    pub fn empty(message: impl Into<String>) -> ParseError {
        ParseError::of(ParseKind::Empty, message)
    }

    /// The same error at 1-based `line` (kept if a line is already known).
    pub fn at_line(mut self, line: u64) -> ParseError {
        if self.line.is_none() {
            self.line = Some(line);
            self.column = None;
        }
        self
    }

    /// The error as found in `file`, a file inside the input (e.g. a Criterion directory): its name and
    /// location go into the message, since the line is not a line of the input itself.
    pub fn inside(self, file: &Path) -> ParseError {
        let location = Location {
            line: self.line,
            column: self.column,
        };
        ParseError {
            kind: self.kind,
            line: None,
            column: None,
            message: format!("{}{location}: {}", file.display(), self.message),
        }
    }

    /// The same error with `context` before the message (`benchmark `x`: …`).
    pub fn context(mut self, context: impl fmt::Display) -> ParseError {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// A read failure of the input, as a parser sees it (the ingest layer adds the path back).
    pub fn from_read(e: &Error) -> ParseError {
        let kind = match e {
            Error::Read {
                problem: ReadProblem::TooLarge { .. },
                ..
            } => ParseKind::TooLarge,
            Error::Read {
                problem: ReadProblem::NotUtf8 { .. },
                ..
            } => ParseKind::Syntax,
            Error::Read {
                problem: ReadProblem::Empty,
                ..
            } => ParseKind::Empty,
            Error::Parse { kind, .. } => *kind,
            _ => ParseKind::Unreadable,
        };
        ParseError::of(kind, e.problem())
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(_) => write!(
                f,
                "line {}: {}",
                &Location {
                    line: self.line,
                    column: self.column
                }
                .to_string()[1..],
                self.message
            ),
            None => f.write_str(&self.message),
        }
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> ParseError {
        use serde_json::error::Category;
        let kind = match e.classify() {
            Category::Syntax | Category::Eof => ParseKind::Syntax,
            Category::Data => ParseKind::Shape,
            Category::Io => ParseKind::Unreadable,
        };
        // serde_json appends " at line L column C" when it knows them; they go into the location instead.
        let text = e.to_string();
        let (line, column) = (e.line(), e.column());
        let suffix = format!(" at line {line} column {column}");
        let message = text.strip_suffix(&suffix).unwrap_or(&text);
        ParseError {
            kind,
            line: (line > 0).then_some(line as u64),
            column: (line > 0 && column > 0).then_some(column as u64),
            message: format!("invalid JSON: {message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_carry_kind_line_and_column() {
        let e: ParseError = serde_json::from_str::<serde_json::Value>("{\n  \"a\": [1,\n  2,,\n]}")
            .unwrap_err()
            .into();
        assert_eq!(e.kind, ParseKind::Syntax);
        assert_eq!((e.line, e.column), (Some(3), Some(5)));
        assert_eq!(e.message, "invalid JSON: expected value");
        let e = Error::parse(Path::new("r.json"), "json", e);
        assert_eq!(e.to_string(), "r.json:3:5: invalid JSON: expected value");
        assert_eq!(e.problem(), "3:5: invalid JSON: expected value");
        let e = e.with_path(Path::new("results/r.json"));
        assert_eq!(
            e.to_string(),
            "results/r.json:3:5: invalid JSON: expected value"
        );

        let e: ParseError = serde_json::from_str::<serde_json::Value>("{\"a\": ")
            .unwrap_err()
            .into();
        assert_eq!(e.kind, ParseKind::Syntax, "EOF is a syntax error");
        assert_eq!(e.line, Some(1));

        let e: ParseError = serde_json::from_str::<Vec<f64>>("[1,\n\"x\"]")
            .unwrap_err()
            .into();
        assert_eq!(e.kind, ParseKind::Shape, "a wrong type is a shape error");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn the_location_is_shown_only_when_known() {
        let e = Error::parse(
            Path::new("a.txt"),
            "go-bench",
            ParseError::value("negative"),
        );
        assert_eq!(e.to_string(), "a.txt: negative");
        let e = Error::parse(
            Path::new("a.txt"),
            "go-bench",
            ParseError::value("negative").at_line(7),
        );
        assert_eq!(e.to_string(), "a.txt:7: negative");
        assert!(matches!(
            e,
            Error::Parse {
                kind: ParseKind::Value,
                line: Some(7),
                format: "go-bench",
                ..
            }
        ));
        let inner = ParseError::syntax("bad")
            .at_line(2)
            .inside(Path::new("d/e.json"));
        assert_eq!(
            (inner.line, inner.message.as_str()),
            (None, "d/e.json:2: bad")
        );
    }

    #[test]
    fn what_usage_carried_has_its_own_variants_with_the_same_text() {
        // The text the callers built for `Usage` stays the same once they construct these instead.
        let e = Error::remote("http://localhost:9091/metrics/job/perfgate", "HTTP 500");
        assert_eq!(
            e.to_string(),
            "http://localhost:9091/metrics/job/perfgate: HTTP 500"
        );
        assert_eq!(e.path(), None);
        let e = Error::Command("base: `make` exited with 2".into());
        assert_eq!(e.to_string(), "base: `make` exited with 2");
        let e = Error::Compressed {
            path: PathBuf::from("r.json.gz"),
        };
        assert_eq!(e.to_string(), format!("r.json.gz: {GZIP_UNSUPPORTED}"));
        assert_eq!(e.problem(), GZIP_UNSUPPORTED);
    }

    #[test]
    fn read_problems_are_not_parse_errors() {
        let e = Error::read(Path::new("/dev/zero"), ReadProblem::NotRegular);
        assert!(
            e.to_string().starts_with("/dev/zero: not a regular file"),
            "{e}"
        );
        let p = ParseError::from_read(&Error::read(
            Path::new("x"),
            ReadProblem::TooLarge {
                limit: "1 MiB".into(),
                what: "policy file",
            },
        ));
        assert_eq!(p.kind, ParseKind::TooLarge);
        assert_eq!(
            p.message,
            "larger than the 1 MiB limit for a policy file; perfgate does not read it"
        );
    }
}
