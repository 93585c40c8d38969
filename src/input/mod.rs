//! Reading result files: the [`InputFormat`] seam, the list of known formats, content-based detection,
//! and merging several files into one [`Run`].
//!
//! To add a format: write one file in this directory implementing [`InputFormat`] and add it to
//! [`FORMATS`].

pub mod artillery;
pub mod autocannon;
pub mod benchmarkdotnet;
pub mod bmf;
pub mod criterion;
// Load testers beyond k6 (issue 25), alphabetic; their shared endpoint metrics in `endpoint_stats`.
mod endpoint_stats;
pub use endpoint_stats::FAILURES;
pub mod jmeter_jtl;
pub mod locust;
pub mod locust_csv;
pub mod oha;
// End of the load testers.
pub mod gab_custom;
pub mod go_bench;
pub mod google_benchmark;
pub mod hyperfine;
pub mod jmh;
mod k6_common;
/// k6 connection phases: reported, not gated by default (see `k6_common`).
pub use k6_common::CONNECTION_PHASES;
pub mod k6_handle_summary;
pub mod k6_ndjson;
pub mod k6_summary_export;
pub mod libtest;
pub mod names;
pub mod progress;
pub mod prometheus;
pub mod pytest_benchmark;
pub mod redundant;
pub mod series_cap;
pub mod snapshot;
pub mod units;
pub mod workers;
// Micro-benchmark harnesses of other ecosystems (JavaScript, Valgrind counts, Catch2, asv).
pub mod asv;
pub mod asv_text;
pub mod benchmark_js;
pub mod catch2;
pub mod catch2_text;
pub mod gungraun;
pub mod gungraun_text;
pub mod mitata;
pub mod tinybench;
pub mod vitest;

use std::cell::OnceCell;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::bounded_read;
use crate::error::{Error, ParseError, ReadProblem, Result};
use crate::model::{Metric, Run, Source};

/// How much of a file is read for cheap detection.
const HEAD_BYTES: u64 = 64 * 1024;

/// A result format perfgate can read.
pub trait InputFormat: Sync {
    /// Id used with `--format` and stored in snapshots, e.g. `k6-summary-export`.
    fn id(&self) -> &'static str;
    /// The tool that writes it, e.g. `k6`.
    fn tool(&self) -> &'static str;
    /// A command line that produces this format, shown by `perfgate formats`.
    fn example(&self) -> &'static str;
    /// Cheap check whether the probed input looks like this format.
    fn sniff(&self, probe: &Probe) -> bool;
    /// Parses the input into a run.
    fn parse(&self, probe: &Probe) -> Result<Run, ParseError>;
}

/// Every format, most specific first; detection takes the first whose `sniff` accepts the input.
pub static FORMATS: &[&dyn InputFormat] = &[
    &snapshot::SnapshotInput,
    &k6_handle_summary::K6HandleSummaryInput,
    &k6_summary_export::K6SummaryExportInput,
    &k6_ndjson::K6NdjsonInput,
    &artillery::ArtilleryInput,
    &autocannon::AutocannonInput,
    // Load testers beyond k6 (issue 25), alphabetic; each keys on its own tool's fields.
    &jmeter_jtl::JmeterJtlInput,
    &locust::LocustInput,
    &locust_csv::LocustCsvInput,
    &oha::OhaInput,
    // Structural JSON sniffers: each keys on fields no other format has.
    &criterion::CriterionInput,
    &hyperfine::HyperfineInput,
    &pytest_benchmark::PytestBenchmarkInput,
    &google_benchmark::GoogleBenchmarkInput,
    &jmh::JmhInput,
    &benchmarkdotnet::BenchmarkDotNetInput,
    // Other ecosystems' micro-benchmark harnesses: JSON keyed on their own fields, text on their own
    // result lines (and never a file that starts like JSON).
    &asv::AsvInput,
    &asv_text::AsvTextInput,
    &benchmark_js::BenchmarkJsInput,
    &catch2::Catch2XmlInput,
    &catch2_text::Catch2TextInput,
    &gungraun::GungraunInput,
    &gungraun_text::GungraunTextInput,
    &mitata::MitataInput,
    &tinybench::TinybenchInput,
    &vitest::VitestInput,
    // BMF and GAB are generic shapes: after every tool-specific format. Their sniffers are strict enough
    // not to claim each other's files (object of objects vs array).
    &bmf::BmfInput,
    &gab_custom::GAB_SMALLER,
    // Never auto-detected: the content cannot tell the flavours apart, so `--format gab-bigger` is needed.
    &gab_custom::GAB_BIGGER,
    // Text formats last: they scan lines and would accept text embedded in other files.
    &go_bench::GoBenchInput,
    &libtest::LibtestInput,
];

/// Looks a format up by id.
pub fn format_by_id(id: &str) -> Option<&'static dyn InputFormat> {
    FORMATS.iter().copied().find(|f| f.id() == id)
}

/// Comma-separated list of format ids, for messages.
pub fn format_ids() -> String {
    FORMATS
        .iter()
        .map(|f| f.id())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A file or directory being identified, with lazily read contents shared by all sniffers.
pub struct Probe {
    path: PathBuf,
    is_dir: bool,
    head: String,
    text: OnceCell<Result<String, ParseError>>,
    json: OnceCell<Result<Value, ParseError>>,
}

impl Probe {
    /// Opens `path`, reading only its first bytes.
    pub fn open(path: &Path) -> Result<Probe> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        let mut head = String::new();
        if !meta.is_dir() {
            // A FIFO or device would block or never end: refused on the open handle.
            let mut buf = Vec::new();
            bounded_read::open(path)?
                .take(HEAD_BYTES)
                .read_to_end(&mut buf)
                .map_err(|e| Error::io(path, e))?;
            head = String::from_utf8_lossy(strip_bom(&buf)).into_owned();
        }
        Ok(Probe {
            path: path.to_path_buf(),
            is_dir: meta.is_dir(),
            head,
            text: OnceCell::new(),
            json: OnceCell::new(),
        })
    }

    /// A probe over in-memory text (tests, fuzzing).
    pub fn from_text(path: &Path, text: &str) -> Probe {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
        let head: String = text.chars().take(HEAD_BYTES as usize).collect();
        let probe = Probe {
            path: path.to_path_buf(),
            is_dir: false,
            head,
            text: OnceCell::new(),
            json: OnceCell::new(),
        };
        let _ = probe.text.set(Ok(text));
        probe
    }

    /// The path being probed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the path is a directory.
    pub fn is_dir(&self) -> bool {
        self.is_dir
    }

    /// The first bytes of the file as text (BOM stripped, invalid UTF-8 replaced).
    pub fn head(&self) -> &str {
        &self.head
    }

    /// The whole file as UTF-8 text (BOM stripped).
    pub fn text(&self) -> Result<&str, ParseError> {
        self.text
            .get_or_init(|| {
                if self.is_dir {
                    return Err(read_problem(ReadProblem::IsDirectory));
                }
                let bytes = bounded_read::read(&self.path, bounded_read::RESULT_FILE)
                    .map_err(|e| ParseError::from_read(&e))?;
                String::from_utf8(strip_bom(&bytes).to_vec()).map_err(|e| {
                    read_problem(ReadProblem::NotUtf8 {
                        offset: e.utf8_error().valid_up_to(),
                    })
                })
            })
            .as_deref()
            .map_err(Clone::clone)
    }

    /// A buffered reader over the whole input (BOM not stripped), for line-oriented formats that must not
    /// hold the file in memory.
    pub fn reader(&self) -> Result<Box<dyn BufRead + '_>, ParseError> {
        if self.is_dir {
            return Err(read_problem(ReadProblem::IsDirectory));
        }
        if let Some(Ok(text)) = self.text.get() {
            return Ok(Box::new(Cursor::new(text.as_bytes())));
        }
        let reader =
            bounded_read::open_stream(&self.path).map_err(|e| ParseError::from_read(&e))?;
        Ok(Box::new(reader))
    }

    /// The text, when the probe was made from text (tests) or the whole file has already been read.
    pub fn in_memory_text(&self) -> Option<&str> {
        match self.text.get() {
            Some(Ok(t)) => Some(t),
            _ => None,
        }
    }

    /// Whether the file starts with the gzip magic bytes (`1f 8b`).
    pub fn is_gzip(&self) -> bool {
        // The head is lossy UTF-8: 0x8b is never valid on its own, so it became U+FFFD.
        !self.is_dir && self.head.starts_with("\u{1f}\u{fffd}")
    }

    /// The file parsed as one JSON document, or `None` when it is not JSON. Parsed once, shared by all formats.
    pub fn json(&self) -> Option<&Value> {
        self.json_result().ok()
    }

    /// Like [`Probe::json`], with the parse error.
    pub fn json_result(&self) -> Result<&Value, ParseError> {
        self.json
            .get_or_init(|| {
                let first = self.head.trim_start().chars().next();
                if self.is_dir {
                    return Err(read_problem(ReadProblem::IsDirectory));
                }
                if !matches!(first, Some('{') | Some('[')) {
                    return Err(ParseError::syntax("not a JSON document"));
                }
                match self.text.get() {
                    Some(Ok(text)) => serde_json::from_str(text),
                    _ => {
                        let file =
                            bounded_read::open_limited(&self.path, bounded_read::RESULT_FILE)
                                .map_err(|e| ParseError::from_read(&e))?;
                        let mut reader = BufReader::new(file);
                        let mut bom = [0u8; 3];
                        // Skip a UTF-8 BOM without reading the whole file into memory.
                        let n = reader
                            .read(&mut bom)
                            .map_err(|e| ParseError::from_read(&Error::io(&self.path, e)))?;
                        let prefix: &[u8] = if bom[..n] == [0xEF, 0xBB, 0xBF] {
                            &[]
                        } else {
                            &bom[..n]
                        };
                        serde_json::from_reader(prefix.chain(reader))
                    }
                }
                .map_err(ParseError::from)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// A read problem of the probed file, as its parser reports it.
fn read_problem(problem: ReadProblem) -> ParseError {
    ParseError::from_read(&Error::read(Path::new(""), problem))
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

/// Reads one result file (or directory), detecting its format unless `format` is given.
pub fn read_file(path: &Path, format: Option<&'static dyn InputFormat>) -> Result<Run> {
    let probe = Probe::open(path)?;
    let format = match format {
        Some(f) => f,
        None => detect(&probe)?,
    };
    let mut run = format
        .parse(&probe)
        .map_err(|e| parse_error(path, format, e))?;
    if run.benchmarks.is_empty() {
        let e = ParseError::empty(format!("no benchmarks found in this {} file", format.id()));
        return Err(Error::parse(path, format.id(), e));
    }
    check_values(&run).map_err(|e| parse_error(path, format, e))?;
    if run.sources.is_empty() {
        run.sources.push(Source {
            path: path.display().to_string(),
            format: format.id().to_string(),
            tool: format.tool().to_string(),
        });
    }
    Ok(run)
}

/// A parser's complaint as the error about `path`, the format id appended to the message.
pub fn parse_error(path: &Path, format: &dyn InputFormat, mut e: ParseError) -> Error {
    e.message = format!("{} ({})", e.message, format.id());
    Error::parse(path, format.id(), e)
}

/// Refuses values no tool can measure: a value that overflowed to infinity once scaled to perfgate's
/// unit (`1e300` seconds in nanoseconds), and a negative duration, size, rate or ratio.
fn check_values(run: &Run) -> Result<(), ParseError> {
    for (bench, b) in &run.benchmarks {
        for (name, m) in &b.metrics {
            check_metric(bench, name, m)?;
        }
    }
    Ok(())
}

/// The check of [`check_values`] for one metric; line formats call it on each record, so that the
/// error names the line.
pub(crate) fn check_metric(bench: &str, name: &str, m: &Metric) -> Result<(), ParseError> {
    use crate::model::Unit;
    let what = || {
        format!(
            "benchmark `{}` metric `{}`",
            crate::escape::terminal(bench),
            crate::escape::terminal(name)
        )
    };
    let all = std::iter::once(m.value)
        .chain(m.samples.iter().copied())
        .chain(m.runs.iter().copied());
    if let Some(v) = all.into_iter().find(|v| !v.is_finite()) {
        return Err(ParseError::value(format!(
            "{}: value {v} is out of range (it overflows once converted to {})",
            what(),
            m.unit
        )));
    }
    let non_negative =
        m.unit.nanos().is_some() || matches!(m.unit, Unit::Bytes | Unit::PerSecond | Unit::Ratio);
    if non_negative && m.value < 0.0 {
        return Err(ParseError::value(format!(
            "{}: negative value {} {}; a duration, size, rate or ratio cannot be below zero",
            what(),
            m.value,
            m.unit
        )));
    }
    Ok(())
}

/// The format name of a file that starts like JSON but is not, before any format claimed it.
pub const JSON: &str = "json";

/// Picks the format of a probed input.
pub fn detect(probe: &Probe) -> Result<&'static dyn InputFormat> {
    if probe.head().trim().is_empty() && !probe.is_dir() {
        return Err(Error::read(probe.path(), ReadProblem::Empty));
    }
    if let Some(f) = FORMATS.iter().copied().find(|f| f.sniff(probe)) {
        return Ok(f);
    }
    if probe.is_gzip() {
        return Err(Error::Compressed {
            path: probe.path().to_path_buf(),
        });
    }
    // A file that starts like JSON but does not parse is reported as broken JSON, not as an unknown format.
    if let Err(e) = probe.json_result() {
        if matches!(probe.head().trim_start().chars().next(), Some('{' | '[')) && !probe.is_dir() {
            return Err(Error::parse(probe.path(), JSON, e));
        }
    }
    // Listing every file format tried would say the directory is a file perfgate does not know.
    if probe.is_dir() {
        return Err(Error::read(probe.path(), ReadProblem::UnknownDirectory));
    }
    Err(Error::UnknownFormat {
        path: probe.path().to_path_buf(),
        tried: format_ids(),
    })
}

/// Reads several result files into one run.
///
/// The same benchmark in several files of the same format is a repeated run: each file's value is kept
/// in `runs` and the compared value is their median. A benchmark name that collides across formats is
/// prefixed with the format id.
pub fn read_files(paths: &[PathBuf], format: Option<&'static dyn InputFormat>) -> Result<Run> {
    refuse_repeated_files(paths)?;
    let runs = paths
        .iter()
        .map(|p| read_file(p, format))
        .collect::<Result<Vec<_>>>()?;
    Ok(merge(runs))
}

/// Refuses a file given twice (also under another name or through a link): each file is one run, and
/// counting it twice doubles the samples and shrinks every p-value.
pub fn refuse_repeated_files(paths: &[PathBuf]) -> Result<()> {
    let mut seen: std::collections::HashMap<FileId, &PathBuf> = std::collections::HashMap::new();
    for p in paths {
        let Some(id) = file_id(p) else {
            continue; // missing files are reported by the reader
        };
        if let Some(first) = seen.insert(id, p) {
            return Err(Error::Usage(format!(
                "{}: given twice (also as {}); each result file counts once, as one run",
                p.display(),
                first.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

/// What identifies a file whatever path names it.
fn file_id(p: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(p).ok()
    }
}

/// Merges runs as described in [`read_files`].
pub fn merge(runs: Vec<Run>) -> Run {
    let mut runs = runs.into_iter();
    let Some(mut merged) = runs.next() else {
        return Run::default();
    };
    if runs.len() == 0 {
        return merged;
    }
    let first_format = merged
        .sources
        .first()
        .map(|s| s.format.clone())
        .unwrap_or_default();
    let mut formats_by_benchmark: std::collections::BTreeMap<String, String> = merged
        .benchmarks
        .keys()
        .map(|k| (k.clone(), first_format.clone()))
        .collect();
    // Seed `runs` with the first file's values so that every repeated run is represented.
    for bench in merged.benchmarks.values_mut() {
        for m in bench.metrics.values_mut() {
            if m.runs.is_empty() {
                m.runs = vec![m.value];
            }
        }
    }
    for run in runs {
        let format = run
            .sources
            .first()
            .map(|s| s.format.clone())
            .unwrap_or_default();
        for (name, bench) in run.benchmarks {
            let key = match formats_by_benchmark.get(&name) {
                Some(f) if *f != format => format!("{format}:{name}"),
                _ => name,
            };
            formats_by_benchmark
                .entry(key.clone())
                .or_insert_with(|| format.clone());
            let target = merged.benchmarks.entry(key).or_default();
            for (metric_name, m) in bench.metrics {
                merge_metric(target.metrics.entry(metric_name), m);
            }
        }
        merged.tool_checks.extend(run.tool_checks);
        merged.sources.extend(run.sources);
    }
    for bench in merged.benchmarks.values_mut() {
        for m in bench.metrics.values_mut() {
            if m.runs.len() > 1 {
                m.value = crate::stats::median(&m.runs).unwrap_or(m.value);
            } else {
                m.runs.clear();
            }
        }
    }
    merged
}

fn merge_metric(entry: std::collections::btree_map::Entry<'_, String, Metric>, incoming: Metric) {
    use std::collections::btree_map::Entry;
    match entry {
        Entry::Vacant(v) => {
            let mut m = incoming;
            if m.runs.is_empty() {
                m.runs = vec![m.value];
            }
            v.insert(m);
        }
        Entry::Occupied(mut o) => {
            let existing = o.get_mut();
            let Some(m) = incoming.converted_to(&existing.unit) else {
                // Same name but a different kind of unit: keep the first, it cannot be a repeat.
                return;
            };
            if m.runs.is_empty() {
                existing.runs.push(m.value);
            } else {
                existing.runs.extend(m.runs);
            }
            existing.samples.extend(m.samples);
        }
    }
}

/// Shared helpers for JSON-based formats.
pub(crate) mod json {
    use serde_json::{Map, Value};

    use crate::error::ParseError;

    /// The value as an object, or a parse error naming `what`.
    pub fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, ParseError> {
        v.as_object()
            .ok_or_else(|| ParseError::new(format!("`{what}` is not an object")))
    }

    /// A finite number, or `None` (missing, null, a string such as "NaN").
    pub fn number(v: Option<&Value>) -> Option<f64> {
        v.and_then(Value::as_f64).filter(|x| x.is_finite())
    }

    /// The finite numbers of an array, skipping anything else (strings, null, nested arrays).
    pub fn numbers(v: Option<&Value>) -> Vec<f64> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_f64)
                    .filter(|x| x.is_finite())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Replaces bare `NaN`/`Infinity`/`-Infinity` outside string literals with `null`, so that JSON
    /// written by Google Benchmark or Python's `json` parses and those values read as missing.
    pub fn non_finite_to_null(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut in_string = false;
        let mut escaped = false;
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else {
                let token = ["-Infinity", "Infinity", "NaN"]
                    .into_iter()
                    .find(|t| rest.starts_with(t));
                if let Some(t) = token {
                    out.push_str("null");
                    rest = &rest[t.len()..];
                    continue;
                }
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

/// Sniffs a JSON document with a `benchmarks` array (Google Benchmark, pytest-benchmark): its head names
/// `benchmarks` and `marker` (quoted), and `looks_right` accepts the array. Parsed as [`lenient_json`].
pub(crate) fn sniff_benchmarks(
    probe: &Probe,
    marker: &str,
    looks_right: impl Fn(&[Value]) -> bool,
) -> bool {
    let head = probe.head();
    if !head.contains("\"benchmarks\"") || !head.contains(marker) {
        return false;
    }
    let Ok(doc) = lenient_json(probe) else {
        return false;
    };
    doc.get("benchmarks")
        .and_then(Value::as_array)
        .is_some_and(|b| looks_right(b))
}

/// The probe's JSON document, also when it holds bare `NaN`/`Infinity` tokens that strict JSON rejects.
pub(crate) fn lenient_json(probe: &Probe) -> Result<std::borrow::Cow<'_, Value>, ParseError> {
    match probe.json_result() {
        Ok(v) => Ok(std::borrow::Cow::Borrowed(v)),
        Err(e) => {
            let text = probe.text()?;
            let fixed = json::non_finite_to_null(text);
            if fixed == text {
                return Err(e);
            }
            Ok(std::borrow::Cow::Owned(serde_json::from_str(&fixed)?))
        }
    }
}

/// The lines of a text format, tolerating CRLF and stray CRs.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|l| l.trim_end_matches('\r'))
}

/// Warns that benchmark `name` of `probe` (at `line`, when known) is not read and why: a benchmark the
/// tool reports but that has no result is never dropped silently.
pub(crate) fn warn_not_read(probe: &Probe, line: Option<usize>, name: &str, why: &str) {
    let at = line.map(|n| format!(" line {n}:")).unwrap_or_default();
    eprintln!(
        "perfgate: warning: {}:{at} benchmark `{}` not read: {}",
        probe.path().display(),
        crate::escape::terminal(name),
        crate::escape::terminal(why)
    );
}

/// The corpus loader shared with the integration tests (`tests/it/common/corpus.rs`).
#[cfg(test)]
#[path = "../../tests/it/common/corpus.rs"]
mod corpus;

/// Real result files for the format tests: `fixtures/corpus/<dir>/`, plus the outside corpus when
/// `PERFGATE_SHARED_FORMATS` points to it ([`corpus`]).
#[cfg(test)]
pub(crate) mod shared_formats {
    use std::path::{Path, PathBuf};

    pub use super::corpus::{file, given};

    /// Every file of the format directory `dir` ([`super::corpus::files`]); fails if there are none.
    pub fn files(dir: &str) -> Vec<PathBuf> {
        let v = super::corpus::files(dir);
        assert!(!v.is_empty(), "no files for {dir} in fixtures/corpus");
        v
    }

    /// A corpus file's own JSON document, to check perfgate's numbers against (a UTF-8 byte-order mark
    /// skipped).
    pub fn json(path: &Path) -> serde_json::Value {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every file of `dir` ([`files`]) read as perfgate reads it, by detection, which must pick `format`;
    /// each with its own JSON document ([`json`]).
    pub fn read_json(
        dir: &str,
        format: &str,
    ) -> Vec<(PathBuf, serde_json::Value, crate::model::Run)> {
        files(dir)
            .into_iter()
            .map(|path| {
                let run = super::read_file(&path, None)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(run.sources[0].format, format, "{}", path.display());
                let doc = json(&path);
                (path, doc, run)
            })
            .collect()
    }

    /// How many files a format directory holds: `in_repo` in `fixtures/corpus`, plus `outside_only` (files
    /// whose licence does not let them be copied) when the outside corpus is [`given`].
    pub fn count(in_repo: usize, outside_only: usize) -> usize {
        in_repo + if given() { outside_only } else { 0 }
    }
}
