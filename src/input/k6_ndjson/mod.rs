//! k6 `--out json=results.json`: one JSON object per line, every sample of every metric.
//!
//! `{"type":"Metric","data":{"type":"trend","contains":"time",…},"metric":"http_req_duration"}` comes once
//! before a metric's first point; then `{"metric":…,"type":"Point","data":{"time","value","tags"}}` per
//! sample (key order differs between k6 versions). perfgate computes the summary k6 would print: per
//! metric, and per value of the `name`, `scenario`, `status` and `method` tags as sub-metrics named like
//! k6's own (`http_req_duration{name:login}`), plus `{expected_response:true}` which k6 always creates.
//!
//! Files are huge (gigabytes), so they are streamed in bounded memory: the input (plain or gzip, also
//! multi-member) is cut into chunks of whole lines, worker threads parse chunks into small partial results,
//! and those are merged in file order, so results do not depend on the number of threads. Point lines are
//! read by a hand-rolled scanner that borrows from the chunk; anything unusual (escapes, other shapes) falls
//! back to serde. Trends keep exact count, sum, min and max and a histogram sketch ([`crate::stats::sketch`]) for percentiles (exact up to
//! 1024 values, then within 0.049 % of the exact type-7 value).
//!
//! The files, in the order a line goes through them: `source.rs` opens the bytes (plain or gzip),
//! `chunk.rs` cuts them into chunks of whole lines, `pool.rs` hands chunks to worker threads and merges
//! their results in file order, `lines.rs` reads one chunk (`scan.rs` for the common Point line, serde for
//! the rest) into a `partial.rs` result, `aggregate.rs` turns the merged partials into k6's summary, and
//! `windows.rs` keeps per-time-window percentiles for the batch evidence.

mod aggregate;
mod chunk;
mod fxhash;
mod lines;
mod partial;
mod pool;
mod scan;
mod source;
pub(crate) mod windows;

use std::io::{BufReader, Read};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde_json::Value;

use crate::error::ParseError;
use crate::input::progress::Progress;
use crate::input::{InputFormat, Probe};
use crate::model::Run;

pub use aggregate::K6Aggregator;
pub use windows::BATCHES;

/// Reader for k6's NDJSON stream.
pub struct K6NdjsonInput;

impl InputFormat for K6NdjsonInput {
    fn id(&self) -> &'static str {
        "k6-ndjson"
    }

    fn tool(&self) -> &'static str {
        "k6"
    }

    fn example(&self) -> &'static str {
        "k6 run --out json=results.json script.js"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head;
        let text = if probe.is_gzip() {
            head = source::gunzip_head(probe).unwrap_or_default();
            head.as_str()
        } else {
            probe.head()
        };
        let Some(first) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return false;
        };
        let first = first.strip_prefix('\u{feff}').unwrap_or(first);
        let Ok(Value::Object(o)) = serde_json::from_str::<Value>(first) else {
            return false;
        };
        matches!(
            o.get("type").and_then(Value::as_str),
            Some("Metric" | "Point")
        ) && o.get("metric").is_some_and(Value::is_string)
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        feed_probe(K6Aggregator::new(), probe).map(K6Aggregator::finish)
    }
}

/// Streams one k6 NDJSON file (plain or gzip) into `agg`, so that several files of one run (one per load
/// generator) can be aggregated together, exactly as if they were one file.
pub fn feed_probe(agg: K6Aggregator, probe: &Probe) -> Result<K6Aggregator, ParseError> {
    if probe.is_dir() {
        return Err(ParseError::new("is a directory, not a file"));
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if let Some(text) = probe.in_memory_text() {
        return pool::feed(agg, text.as_bytes(), threads, None, None);
    }
    let path = probe.path();
    let file = crate::bounded_read::open(path).map_err(|e| ParseError::from_read(&e))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Arc::new(AtomicU64::new(0));
    let progress = Progress::new(path, total, Arc::clone(&read));
    if probe.is_gzip() {
        let counted = source::Counting {
            inner: file,
            n: read,
        };
        let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, counted));
        pool::feed(agg, source::GzipErrors(gz), threads, Some(progress), None)
    } else {
        pool::feed(agg, file, threads, Some(progress), Some(read))
    }
}

/// Aggregates a k6 NDJSON stream with `threads` workers (1: all on the calling thread). The result is the
/// same for any number of threads.
pub fn aggregate_reader<R: Read + Send>(reader: R, threads: usize) -> Result<Run, ParseError> {
    pool::feed(K6Aggregator::new(), reader, threads, None, None).map(K6Aggregator::finish)
}

#[cfg(test)]
mod tests;
