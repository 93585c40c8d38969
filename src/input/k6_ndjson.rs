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
//! back to serde. Trends keep exact count, sum, min and max and a [`Summary`] for percentiles (exact up to
//! 1024 values, then within 0.049 % of the exact type-7 value).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::k6_common::{self, K6Type};
use crate::input::progress::Progress;
use crate::input::sketch::Summary;
use crate::input::{InputFormat, Probe};
use crate::model::Run;
use crate::time::{nanos_to_secs, ns_to_sec, parse_rfc3339_nanos, TimeCache};

/// Reader for k6's NDJSON stream.
pub struct K6NdjsonInput;

/// Tags whose values split a metric into sub-metrics.
const SPLIT_TAGS: &[&str] = &["name", "scenario", "status", "method"];

/// Percentiles computed for trends, as k6 names them.
const PERCENTILES: &[(&str, f64)] = &[
    ("med", 0.5),
    ("p(90)", 0.9),
    ("p(95)", 0.95),
    ("p(99)", 0.99),
];

/// Bytes per chunk handed to a worker. Chunks end at the last newline within this many bytes, so their
/// boundaries depend on the content only (not on read sizes or gzip).
const CHUNK: usize = 1 << 20;

/// A line longer than this is refused rather than buffered without bound.
const MAX_LINE: usize = 64 << 20;

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
            head = gunzip_head(probe).unwrap_or_default();
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
        return feed(agg, text.as_bytes(), threads, None);
    }
    let path = probe.path();
    let file = crate::bounded_read::open(path).map_err(|e| ParseError::new(e.to_string()))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: file,
        n: Arc::clone(&read),
    };
    let progress = Progress::new(path, total, read);
    if probe.is_gzip() {
        let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, counted));
        feed(agg, GzipErrors(gz), threads, Some(progress))
    } else {
        feed(agg, counted, threads, Some(progress))
    }
}

/// The first lines of a gzip file, for sniffing.
fn gunzip_head(probe: &Probe) -> Option<String> {
    let file = crate::bounded_read::open(probe.path()).ok()?;
    let mut buf = Vec::new();
    // A truncated or corrupt file still yields what decompressed before the damage.
    let _ = flate2::read::MultiGzDecoder::new(file)
        .take(64 * 1024)
        .read_to_end(&mut buf);
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Counts the compressed bytes read, for the progress bar.
struct Counting {
    inner: File,
    n: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Says what a gzip read error means: flate2's messages ("corrupt deflate stream") do not mention gzip.
struct GzipErrors<R>(R);

impl<R: Read> Read for GzipErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let what = if e.kind() == io::ErrorKind::UnexpectedEof {
                "gzip stream is truncated".to_string()
            } else {
                format!("gzip stream is corrupt ({e})")
            };
            io::Error::new(e.kind(), what)
        })
    }
}

/// Aggregates a k6 NDJSON stream with `threads` workers (1: all on the calling thread). The result is the
/// same for any number of threads.
pub fn aggregate_reader<R: Read + Send>(reader: R, threads: usize) -> Result<Run, ParseError> {
    feed(K6Aggregator::new(), reader, threads, None).map(K6Aggregator::finish)
}

/// Feeds a stream into `agg` with `threads` workers.
fn feed<R: Read + Send>(
    mut agg: K6Aggregator,
    reader: R,
    threads: usize,
    progress: Option<Progress>,
) -> Result<K6Aggregator, ParseError> {
    let mut chunker = Chunker {
        r: reader,
        carry: Vec::new(),
        eof: false,
    };
    let mut lines_before = 0u64;
    let first = chunker
        .next(Vec::with_capacity(CHUNK))
        .map_err(read_error)?;
    let Some(first) = first else {
        return Ok(agg);
    };
    // Small inputs (one chunk) are not worth threads.
    if threads <= 1 || chunker.eof {
        let mut progress = progress;
        let mut buf = Some(first);
        let mut first_in_file = true;
        while let Some(chunk) = buf.take() {
            let part = parse_chunk(&chunk, std::mem::take(&mut first_in_file));
            lines_before = agg.merge_partial(part, lines_before)?;
            if let Some(p) = &mut progress {
                p.tick();
            }
            buf = chunker.next(chunk).map_err(read_error)?;
        }
        if let Some(p) = &mut progress {
            p.finish();
        }
        return Ok(agg);
    }
    parallel(chunker, first, threads, progress, agg)
}

fn read_error(e: io::Error) -> ParseError {
    ParseError::new(e.to_string())
}

/// Messages from the reader and the workers to the merging thread, keyed by chunk number.
enum Msg {
    Chunk(u64, Box<Partial>, Vec<u8>),
    Failed(u64, String),
    End(u64),
}

fn parallel<R: Read + Send>(
    mut chunker: Chunker<R>,
    first: Vec<u8>,
    threads: usize,
    progress: Option<Progress>,
    mut agg: K6Aggregator,
) -> Result<K6Aggregator, ParseError> {
    // Buffers circulate reader → worker → merger → reader; their number bounds the memory in flight.
    let buffers = threads * 2 + 2;
    let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(buffers);
    for _ in 1..buffers {
        let _ = free_tx.send(Vec::with_capacity(CHUNK));
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(buffers);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::channel::<Msg>();
    std::thread::scope(|s| {
        let reader_done = done_tx.clone();
        s.spawn(move || {
            let mut progress = progress;
            let mut seq = 0u64;
            let mut chunk = Some(first);
            loop {
                let Some(c) = chunk.take() else {
                    let _ = reader_done.send(Msg::End(seq));
                    break;
                };
                if work_tx.send((seq, c)).is_err() {
                    break;
                }
                seq += 1;
                if let Some(p) = &mut progress {
                    p.tick();
                }
                let Ok(buf) = free_rx.recv() else { break };
                match chunker.next(buf) {
                    Ok(c) => chunk = c,
                    Err(e) => {
                        let _ = reader_done.send(Msg::Failed(seq, e.to_string()));
                        break;
                    }
                }
            }
            if let Some(p) = &mut progress {
                p.finish();
            }
        });
        for _ in 0..threads {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            s.spawn(move || worker(&rx, &tx));
        }
        drop(done_tx);
        drop(work_rx);
        let result = merge_in_order(&mut agg, &done_rx, &free_tx);
        // Unblock the reader and the workers before the scope joins them.
        drop(free_tx);
        drop(done_rx);
        result
    })?;
    Ok(agg)
}

fn worker(rx: &Mutex<Receiver<(u64, Vec<u8>)>>, tx: &mpsc::Sender<Msg>) {
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, chunk)) = job else { return };
        let part = parse_chunk(&chunk, seq == 0);
        if tx.send(Msg::Chunk(seq, Box::new(part), chunk)).is_err() {
            return;
        }
    }
}

fn merge_in_order(
    agg: &mut K6Aggregator,
    done: &Receiver<Msg>,
    free: &mpsc::SyncSender<Vec<u8>>,
) -> Result<(), ParseError> {
    let mut pending: BTreeMap<u64, Msg> = BTreeMap::new();
    let mut next = 0u64;
    let mut lines_before = 0u64;
    loop {
        while let Some(msg) = pending.remove(&next) {
            match msg {
                Msg::Chunk(_, part, buf) => {
                    lines_before = agg.merge_partial(*part, lines_before)?;
                    let _ = free.try_send(buf);
                    next += 1;
                }
                Msg::Failed(_, e) => return Err(ParseError::new(e)),
                Msg::End(_) => return Ok(()),
            }
        }
        let msg = done
            .recv()
            .map_err(|_| ParseError::new("internal error: a reader thread stopped"))?;
        let seq = match &msg {
            Msg::Chunk(s, ..) | Msg::Failed(s, _) | Msg::End(s) => *s,
        };
        pending.insert(seq, msg);
    }
}

/// Cuts a stream into chunks of whole lines at content-determined places.
struct Chunker<R> {
    r: R,
    carry: Vec<u8>,
    eof: bool,
}

impl<R: Read> Chunker<R> {
    /// The next chunk, reusing `buf`; `None` at the end.
    fn next(&mut self, mut buf: Vec<u8>) -> io::Result<Option<Vec<u8>>> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut target = CHUNK;
        loop {
            // Zero the window once, not once per read: gzip and pipes return small reads.
            let mut filled = buf.len();
            if filled < target && !self.eof {
                buf.resize(target, 0);
            }
            while filled < target && !self.eof {
                let dst = buf.get_mut(filled..target).unwrap_or_default();
                let n = loop {
                    match self.r.read(dst) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let n = n.inspect_err(|_| buf.truncate(filled))?;
                filled += n;
                self.eof = n == 0;
            }
            buf.truncate(filled);
            if self.eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            // Only the first CHUNK-sized windows decide the cut, so it does not depend on read sizes.
            if let Some(i) = memchr::memrchr(b'\n', &buf) {
                self.carry
                    .extend_from_slice(buf.get(i + 1..).unwrap_or_default());
                buf.truncate(i + 1);
                return Ok(Some(buf));
            }
            if buf.len() >= MAX_LINE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a line is longer than 64 MiB; is this k6 NDJSON?",
                ));
            }
            target += CHUNK;
        }
    }
}

/// One series' values from one chunk, kept for the merger, which knows the metric's type.
#[derive(Debug, Default)]
struct PartSeries {
    metric_len: usize,
    count: u64,
    sum: f64,
    nonzero: u64,
    min: f64,
    max: f64,
    values: Vec<f64>,
    /// Whether its timed points are kept per window (a gated trend's name; the type is checked later).
    windowed: bool,
}

/// What a worker made of one chunk.
#[derive(Debug, Default)]
struct Partial {
    lines: u64,
    /// Metric lines in order: (metric, type, contains).
    defs: Vec<(String, String, Option<String>)>,
    keys: HashMap<Box<str>, usize, BuildHasherDefault<Fx>>,
    series: Vec<(Box<str>, PartSeries)>,
    first_ns: Option<i128>,
    last_ns: Option<i128>,
    /// (series, second since the epoch, value) of every timed point, for the per-window summaries.
    timed: Vec<(usize, i64, f64)>,
    /// The first bad line (1-based within the chunk) and what is wrong with it.
    error: Option<(u64, String)>,
}

impl Partial {
    fn observe_time(&mut self, ns: i128) {
        self.first_ns = Some(self.first_ns.map_or(ns, |f| f.min(ns)));
        self.last_ns = Some(self.last_ns.map_or(ns, |l| l.max(ns)));
    }

    /// The series of `key`, created (starting at `value`) when new.
    fn index_of(&mut self, key: &str, metric_len: usize, value: f64) -> usize {
        match self.keys.get(key) {
            Some(&i) => i,
            None => {
                let i = self.series.len();
                self.keys.insert(key.into(), i);
                self.series.push((
                    key.into(),
                    PartSeries {
                        metric_len,
                        min: value,
                        max: value,
                        // A chunk holds thousands of points: skip the first doublings.
                        values: Vec::with_capacity(256),
                        windowed: k6_common::windowed(key),
                        ..PartSeries::default()
                    },
                ));
                i
            }
        }
    }

    /// Remembers a timed point of these series for the per-window summaries.
    fn add_timed(&mut self, went: &[usize], sec: Option<i64>, value: f64) {
        if let Some(sec) = sec {
            let series = &self.series;
            self.timed.extend(
                went.iter()
                    .filter(|&&i| series.get(i).is_some_and(|(_, s)| s.windowed))
                    .map(|&i| (i, sec, value)),
            );
        }
    }

    fn add_at(&mut self, i: usize, value: f64) {
        if let Some((_, s)) = self.series.get_mut(i) {
            s.count += 1;
            s.sum += value;
            s.nonzero += u64::from(value != 0.0);
            s.min = s.min.min(value);
            s.max = s.max.max(value);
            s.values.push(value);
        }
    }

    /// Adds a point under its metric and each of its sub-metric keys; returns the series it went to
    /// (`None` when such points are not counted at all), which depend only on the metric and the tags.
    fn add_point<'a>(
        &mut self,
        key: &mut String,
        metric: &str,
        value: f64,
        tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Option<Vec<usize>> {
        // Built-in gauges are the most frequent lines that are never reported.
        if !value.is_finite() || metric == "vus" || metric == "vus_max" {
            return None;
        }
        if tags
            .clone()
            .any(|(k, v)| k == "group" && is_setup_or_teardown(v))
        {
            return None;
        }
        let mut went = vec![self.index_of(metric, metric.len(), value)];
        for (k, v) in tags {
            let split = (SPLIT_TAGS.contains(&k) && !v.is_empty())
                || (k == "expected_response" && v == "true");
            if split {
                key.clear();
                key.push_str(metric);
                key.push('{');
                key.push_str(k);
                key.push(':');
                key.push_str(v);
                key.push('}');
                went.push(self.index_of(key, metric.len(), value));
            }
        }
        for &i in &went {
            self.add_at(i, value);
        }
        Some(went)
    }
}

/// FxHash (rustc's): series keys are short and trusted to be few, so a fast non-keyed hash is fine.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// (metric, tags object as written) → the series its points go to, or `None` when they are not counted.
type Routes<'a> = HashMap<(&'a [u8], &'a [u8]), Option<Vec<usize>>, BuildHasherDefault<Fx>>;

/// Parses the lines of one chunk. Stops at the first bad line.
fn parse_chunk(chunk: &[u8], first_in_file: bool) -> Partial {
    let mut part = Partial::default();
    let mut key = String::new();
    let mut time_cache = TimeCache::default();
    // Points of one metric with the same tags (byte for byte) go to the same series: remember which.
    let mut routes: Routes<'_> = HashMap::default();
    let mut rest = chunk;
    if first_in_file {
        rest = rest.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(rest);
    }
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 1..).unwrap_or_default(),
            ),
            None => (rest, &[][..]),
        };
        rest = next;
        part.lines += 1;
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let result = match fast::point(line) {
            Some(p) => {
                let mut sec = None;
                if let Some(t) = p.time {
                    match time_cache.parse(t) {
                        Some(ns) => {
                            part.observe_time(ns);
                            sec = Some(ns_to_sec(ns));
                        }
                        None => {
                            part.error = Some((
                                part.lines,
                                format!("`data.time` {t:?} is not an RFC 3339 timestamp"),
                            ));
                            return part;
                        }
                    }
                }
                // Non-finite values are missing samples; they create no series.
                if let Some(v) = p.value.filter(|v| v.is_finite()) {
                    match routes.get(&(p.metric.as_bytes(), p.tags_raw)) {
                        Some(Some(went)) => {
                            for &i in went {
                                part.add_at(i, v);
                            }
                            part.add_timed(went, sec, v);
                        }
                        Some(None) => {}
                        None => {
                            let went = part.add_point(&mut key, p.metric, v, p.tags());
                            if let Some(w) = &went {
                                part.add_timed(w, sec, v);
                            }
                            routes.insert((p.metric.as_bytes(), p.tags_raw), went);
                        }
                    }
                }
                Ok(())
            }
            None => slow_line(&mut part, &mut key, line),
        };
        if let Err(e) = result {
            part.error = Some((part.lines, e));
            return part;
        }
    }
    part
}

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: Option<String>,
    metric: Option<String>,
    data: Option<Data>,
}

/// The union of a Metric line's and a Point line's `data`.
#[derive(Deserialize)]
struct Data {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    contains: Option<String>,
    time: Option<String>,
    value: Option<Value>,
    tags: Option<Map<String, Value>>,
}

/// Any line the fast scanner did not take: Metric lines, escapes, unexpected shapes, errors.
fn slow_line(part: &mut Partial, key: &mut String, bytes: &[u8]) -> Result<(), String> {
    let line: Line = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let data = line.data;
    match line.kind.as_deref() {
        Some("Metric") => {
            let Some(data) = data else { return Ok(()) };
            let name = line
                .metric
                .or(data.name)
                .ok_or("Metric line without `metric`")?;
            if let Some(kind) = data.kind {
                part.defs.push((name, kind, data.contains));
            }
        }
        Some("Point") => {
            let metric = line.metric.ok_or("Point line without `metric`")?;
            let data = data.ok_or("Point line without `data`")?;
            let mut sec = None;
            if let Some(t) = data.time.as_deref() {
                let ns = parse_rfc3339_nanos(t)
                    .ok_or_else(|| format!("`data.time` {t:?} is not an RFC 3339 timestamp"))?;
                part.observe_time(ns);
                sec = Some(ns_to_sec(ns));
            }
            // A null or non-numeric value is a missing sample, never 0.
            let Some(value) = data.value.as_ref().and_then(Value::as_f64) else {
                return Ok(());
            };
            let tags = data.tags.iter().flatten();
            let went = part.add_point(
                key,
                &metric,
                value,
                tags.filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))),
            );
            if let Some(w) = &went {
                part.add_timed(w, sec, value);
            }
        }
        // Future line types are not ours to judge.
        _ => {}
    }
    Ok(())
}

/// The hand-rolled scanner for the common Point line: plain JSON strings without escapes, a number or
/// null value, string tags. Returns `None` for anything else, which serde then reads (or rejects).
mod fast {
    pub(super) struct Point<'a> {
        pub metric: &'a str,
        pub time: Option<&'a str>,
        pub value: Option<f64>,
        /// The tags object as written, the key for remembering where its points go.
        pub tags_raw: &'a [u8],
        tags: [(&'a str, &'a str); MAX_TAGS],
        n_tags: usize,
    }

    const MAX_TAGS: usize = 32;

    impl<'a> Point<'a> {
        pub fn tags(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone + '_ {
            self.tags.iter().take(self.n_tags).copied()
        }
    }

    struct Cur<'a> {
        /// The whole line, validated as UTF-8 once so that strings need no check of their own.
        s: &'a str,
        b: &'a [u8],
        i: usize,
    }

    impl<'a> Cur<'a> {
        fn peek(&self) -> Option<u8> {
            self.b.get(self.i).copied()
        }

        fn ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                self.i += 1;
            }
        }

        fn eat(&mut self, c: u8) -> Option<()> {
            self.ws();
            (self.peek()? == c).then(|| self.i += 1)
        }

        /// A string without escapes. Control characters inside it (invalid JSON) are tolerated.
        fn string(&mut self) -> Option<&'a str> {
            self.eat(b'"')?;
            let start = self.i;
            let rest = self.b.get(start..)?;
            let end = memchr::memchr2(b'"', b'\\', rest)?;
            if rest.get(end) != Some(&b'"') {
                return None;
            }
            self.i = start + end + 1;
            // Quotes are ASCII, so both ends are character boundaries.
            self.s.get(start..self.i - 1)
        }

        /// A JSON number, or `None` for null (`Err` for anything else).
        fn number_or_null(&mut self) -> Result<Option<f64>, ()> {
            self.ws();
            if self.b.get(self.i..self.i + 4) == Some(b"null") {
                self.i += 4;
                return Ok(None);
            }
            let start = self.i;
            if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
                return Err(());
            }
            while matches!(
                self.peek(),
                Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
            ) {
                self.i += 1;
            }
            let s = self.s.get(start..self.i).ok_or(())?;
            // Rust accepts a few forms JSON does not ("1.", "01"); serde decides those.
            if s.ends_with('.') || (s.len() > 1 && s.starts_with('0') && !s.starts_with("0.")) {
                return Err(());
            }
            s.parse::<f64>().map(Some).map_err(|_| ())
        }

        /// Calls `f` for each key of an object, which must consume the value.
        fn object(&mut self, mut f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
            self.eat(b'{')?;
            self.ws();
            if self.peek()? == b'}' {
                self.i += 1;
                return Some(());
            }
            loop {
                let k = self.string()?;
                self.eat(b':')?;
                f(self, k)?;
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }
    }

    pub(super) fn point(line: &[u8]) -> Option<Point<'_>> {
        let s = std::str::from_utf8(line).ok()?;
        let mut c = Cur { s, b: line, i: 0 };
        let mut p = Point {
            metric: "",
            time: None,
            value: None,
            tags_raw: b"",
            tags: [("", ""); MAX_TAGS],
            n_tags: 0,
        };
        let (mut is_point, mut has_metric, mut has_data) = (false, false, false);
        c.object(|c, k| {
            match k {
                "type" => is_point = c.string()? == "Point",
                "metric" => {
                    p.metric = c.string()?;
                    has_metric = true;
                }
                "data" => {
                    has_data = true;
                    return c.object(|c, k| {
                        match k {
                            "time" => p.time = Some(c.string()?),
                            "value" => p.value = c.number_or_null().ok()?,
                            "tags" => {
                                c.ws();
                                let start = c.i;
                                if c.b.get(c.i..c.i + 4) == Some(b"null") {
                                    c.i += 4;
                                    p.tags_raw = c.b.get(start..c.i)?;
                                    return Some(());
                                }
                                // A repeated "tags" key would leave stale tags behind: not ours.
                                if p.n_tags > 0 {
                                    return None;
                                }
                                c.object(|c, k| {
                                    let v = c.string()?;
                                    let slot = p.tags.get_mut(p.n_tags)?;
                                    *slot = (k, v);
                                    p.n_tags += 1;
                                    Some(())
                                })?;
                                p.tags_raw = c.b.get(start..c.i)?;
                            }
                            _ => return None,
                        }
                        Some(())
                    });
                }
                _ => return None,
            }
            Some(())
        })?;
        c.ws();
        (c.i == line.len() && is_point && has_metric && has_data).then_some(p)
    }
}

/// What has been collected for one metric or sub-metric.
enum Series {
    Trend(Summary),
    Counter(f64),
    Rate { nonzero: u64, total: u64 },
}

/// Turns k6 samples into the summary k6 would compute. Fed one point (or one parsed chunk) at a time so
/// that the reading (lines, gzip, threads) stays separate from the statistics.
pub struct K6Aggregator {
    kinds: HashMap<String, (K6Type, Option<String>)>,
    series: BTreeMap<String, (K6Type, Series)>,
    /// Per-window summaries of the gated trends, for batch-means evidence (see [`Windows`]).
    windows: HashMap<String, Windows>,
    first_ns: Option<i128>,
    last_ns: Option<i128>,
    /// Bounds the sub-metrics (#17): dynamic URLs in the `name` tag must not grow memory without end.
    cap: super::series_cap::SeriesCap,
}

impl Default for K6Aggregator {
    fn default() -> Self {
        Self::new()
    }
}

impl K6Aggregator {
    /// An empty aggregator.
    pub fn new() -> K6Aggregator {
        K6Aggregator {
            kinds: HashMap::new(),
            series: BTreeMap::new(),
            windows: HashMap::new(),
            first_ns: None,
            last_ns: None,
            cap: super::series_cap::SeriesCap::default(),
        }
    }

    /// Records a metric's k6 type (`trend`, `counter`, `rate`, `gauge`) and `contains` (`time`, `data`, …).
    pub fn define(&mut self, metric: &str, kind: &str, contains: Option<&str>) {
        if let Some(kind) = K6Type::parse(kind) {
            self.kinds
                .insert(metric.to_string(), (kind, contains.map(str::to_string)));
        }
    }

    /// Records a point's timestamp (nanoseconds since the epoch) for the span that counters' rates use.
    pub fn observe_time(&mut self, ns: i128) {
        self.first_ns = Some(self.first_ns.map_or(ns, |f| f.min(ns)));
        self.last_ns = Some(self.last_ns.map_or(ns, |l| l.max(ns)));
    }

    /// Adds one sample of `metric` with its tags. Setup/teardown samples, gauges and non-finite values are
    /// ignored.
    pub fn add_point<'a>(
        &mut self,
        metric: &str,
        value: f64,
        tags: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        let tags: Vec<_> = tags.into_iter().collect();
        let mut part = Partial::default();
        part.add_point(&mut String::new(), metric, value, tags.into_iter());
        // Cannot fail: the partial has no error.
        let _ = self.merge_partial(part, 0);
    }

    fn kind_of(&self, metric: &str) -> Option<K6Type> {
        self.kinds
            .get(metric)
            .map(|(k, _)| *k)
            .or_else(|| builtin_kind(metric))
    }

    /// Merges one chunk's partial result; returns the line count so far, or the chunk's error with its line.
    fn merge_partial(&mut self, part: Partial, lines_before: u64) -> Result<u64, ParseError> {
        // A chunk's definitions apply to all its points (k6 writes them before the first point anyway).
        for (metric, kind, contains) in &part.defs {
            self.define(metric, kind, contains.as_deref());
        }
        if let Some((line, e)) = part.error {
            return Err(ParseError::new(format!(
                "line {}: {e}",
                lines_before + line
            )));
        }
        if let Some(f) = part.first_ns {
            self.observe_time(f);
        }
        if let Some(l) = part.last_ns {
            self.observe_time(l);
        }
        for &(i, sec, v) in &part.timed {
            let Some((key, s)) = part.series.get(i) else {
                continue;
            };
            let metric = key.get(..s.metric_len).unwrap_or(key);
            if self.kind_of(metric) == Some(K6Type::Trend) && k6_common::windowed(key) {
                self.windows.entry(key.to_string()).or_default().add(sec, v);
            }
        }
        for (key, s) in part.series {
            let metric = key.get(..s.metric_len).unwrap_or(&key);
            let Some(kind) = self.kind_of(metric) else {
                continue;
            };
            if kind == K6Type::Gauge {
                continue;
            }
            if !self.series.contains_key(&*key) && !self.cap.admit(&key) {
                continue;
            }
            let (_, series) = self.series.entry(key.into()).or_insert_with(|| {
                let s = match kind {
                    K6Type::Trend => Series::Trend(Summary::default()),
                    K6Type::Counter => Series::Counter(0.0),
                    _ => Series::Rate {
                        nonzero: 0,
                        total: 0,
                    },
                };
                (kind, s)
            });
            match series {
                Series::Trend(sum) => sum.add_batch(&s.values, s.sum, s.min, s.max),
                Series::Counter(sum) => *sum += s.sum,
                Series::Rate { nonzero, total } => {
                    *total += s.count;
                    *nonzero += s.nonzero;
                }
            }
        }
        Ok(lines_before + part.lines)
    }

    /// The run: trends give count, mean, min, max, p50, p90, p95, p99; counters count and per-second rate
    /// over the span of the file's timestamps; rates their fraction of non-zero samples.
    pub fn finish(mut self) -> Run {
        if let Some(w) = self.cap.warning() {
            eprintln!("perfgate: warning: {w}");
        }
        let span_s = match (self.first_ns, self.last_ns) {
            (Some(f), Some(l)) if l > f => Some(nanos_to_secs(l - f)),
            _ => None,
        };
        let mut run = Run::default();
        for (key, (kind, series)) in self.series {
            let base = k6_common::base_name(&key);
            let contains = self.kinds.get(base).and_then(|(_, c)| c.as_deref());
            let mut values = Map::new();
            let mut put = |k: &str, v: Option<f64>| {
                if let Some(n) = v.and_then(serde_json::Number::from_f64) {
                    values.insert(k.to_string(), Value::Number(n));
                }
            };
            match series {
                Series::Trend(mut s) => {
                    if s.count() == 0 {
                        continue;
                    }
                    put("count", Some(u64_to_f64(s.count())));
                    put("avg", Some(s.sum() / u64_to_f64(s.count())));
                    put("min", s.min());
                    put("max", s.max());
                    let ps: Vec<f64> = PERCENTILES.iter().map(|(_, p)| *p).collect();
                    for ((name, _), q) in PERCENTILES.iter().zip(s.quantiles(&ps)) {
                        put(name, q);
                    }
                }
                Series::Counter(sum) => {
                    put("count", Some(sum));
                    put("rate", span_s.map(|s| sum / s));
                }
                Series::Rate { nonzero, total } => {
                    if total == 0 {
                        continue;
                    }
                    put("rate", Some(u64_to_f64(nonzero) / u64_to_f64(total)));
                    put("passes", Some(u64_to_f64(nonzero)));
                    put("fails", Some(u64_to_f64(total - nonzero)));
                }
            }
            k6_common::add_metric(&mut run, &key, kind, contains, &values);
            if let Some(batches) = self.windows.remove(&key).and_then(Windows::batches) {
                for (name, values) in batches {
                    if let Some(m) = run
                        .benchmarks
                        .get_mut(&key)
                        .and_then(|b| b.metrics.get_mut(name))
                    {
                        m.batches = values;
                    }
                }
            }
        }
        run
    }
}

/// Batches per run for the batch-means evidence (Schmeiser 1982 suggests 10–30).
pub const BATCHES: usize = 10;

/// Windows kept per series before adjacent ones are merged (each merge doubles the window width), so
/// memory stays bounded whatever the test's length.
const MAX_WINDOWS: usize = 256;

/// One gated trend's values summarised per time window (1 s, doubled as needed). At the end the windows are
/// cut into [`BATCHES`] consecutive batches; each batch's p50/p90/p95/p99 is one value of the metric's
/// `samples`, so a test on them sees the run's variation over time (warm-up, pauses, interference), which
/// requests next to each other share (autocorrelation), instead of treating every request as independent.
#[derive(Default)]
struct Windows {
    width: i64,
    map: BTreeMap<i64, Summary>,
}

impl Windows {
    fn add(&mut self, sec: i64, v: f64) {
        if self.width == 0 {
            self.width = 1;
        }
        self.map
            .entry(sec.div_euclid(self.width))
            .or_default()
            .add(v);
        if self.map.len() > MAX_WINDOWS {
            self.width *= 2;
            let old = std::mem::take(&mut self.map);
            for (k, s) in old {
                self.map.entry(k.div_euclid(2)).or_default().merge(&s);
            }
        }
    }

    /// Per-batch percentiles, by perfgate stat name; `None` with fewer windows than batches.
    fn batches(self) -> Option<Vec<(&'static str, Vec<f64>)>> {
        let windows: Vec<Summary> = self.map.into_values().collect();
        let n = windows.len();
        if n < BATCHES {
            return None;
        }
        const STATS: [(&str, f64); 4] = [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)];
        let mut out: Vec<(&'static str, Vec<f64>)> =
            STATS.iter().map(|(s, _)| (*s, Vec::new())).collect();
        for b in 0..BATCHES {
            let mut batch = Summary::default();
            for w in &windows[b * n / BATCHES..(b + 1) * n / BATCHES] {
                batch.merge(w);
            }
            let qs = batch.quantiles(&STATS.map(|(_, q)| q));
            for ((_, values), q) in out.iter_mut().zip(qs) {
                values.push(q?);
            }
        }
        Some(out)
    }
}

/// k6 tags setup and teardown samples with these groups; they are not part of the load.
fn is_setup_or_teardown(group: &str) -> bool {
    ["::setup", "::teardown"]
        .iter()
        .any(|g| group == *g || group.strip_prefix(g).is_some_and(|r| r.starts_with("::")))
}

/// Types of built-in metrics, for streams whose Metric lines were cut off.
fn builtin_kind(metric: &str) -> Option<K6Type> {
    match metric {
        "http_reqs" | "iterations" | "data_sent" | "data_received" | "dropped_iterations" => {
            Some(K6Type::Counter)
        }
        "http_req_failed" | "checks" => Some(K6Type::Rate),
        "vus" | "vus_max" => Some(K6Type::Gauge),
        "iteration_duration" | "group_duration" | "grpc_req_duration" => Some(K6Type::Trend),
        m if m.starts_with("http_req_") => Some(K6Type::Trend),
        _ => None,
    }
}

/// Type-7 (linear interpolation at `p·(n-1)`, as k6 and numpy's default) quantile of sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = usize_to_f64(sorted.len() - 1) * p;
    let lo_f = h.floor();
    // `h` lies in [0, n-1], so the conversion is exact; `get` guards anyway.
    let lo = lo_f as usize;
    let a = *sorted.get(lo)?;
    let b = *sorted.get(lo + 1).unwrap_or(&a);
    Some(a + (h - lo_f) * (b - a))
}

#[allow(clippy::cast_precision_loss)]
fn usize_to_f64(n: usize) -> f64 {
    n as f64
}

#[allow(clippy::cast_precision_loss)]
fn u64_to_f64(n: u64) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn windows_stay_bounded_and_cut_into_ten_time_batches() {
        let mut w = Windows::default();
        // An hour at one value per second, slowing down steadily.
        for sec in 0..3600i64 {
            w.add(1_700_000_000 + sec, 10.0 + sec as f64 / 360.0);
        }
        assert!(w.map.len() <= MAX_WINDOWS, "{}", w.map.len());
        assert_eq!(w.width, 16);
        let batches = w.batches().unwrap();
        let p50 = &batches.iter().find(|(n, _)| *n == "p50").unwrap().1;
        assert_eq!(p50.len(), BATCHES);
        // Each batch is a tenth of the run, in time order.
        assert!(p50.windows(2).all(|p| p[1] > p[0]), "{p50:?}");
        assert!(
            (p50[0] - 10.5).abs() < 0.2 && (p50[9] - 19.5).abs() < 0.2,
            "{p50:?}"
        );
        let mut short = Windows::default();
        for sec in 0..5 {
            short.add(sec, 1.0);
        }
        assert!(
            short.batches().is_none(),
            "five windows are too few for ten batches"
        );
    }

    use super::*;
    use crate::input::read_file;
    use crate::model::{Direction, Unit};

    fn shared_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/formats/k6-ndjson")
    }

    fn parse_text(text: &str) -> Result<Run, ParseError> {
        K6NdjsonInput.parse(&Probe::from_text(Path::new("t.json"), text))
    }

    /// Points of one metric in the file, for checking perfgate's numbers against the file's own values.
    fn points(path: &Path, metric: &str) -> Vec<(f64, Map<String, Value>)> {
        let text = std::fs::read_to_string(path).unwrap();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["type"] == "Point" && v["metric"] == metric)
            .filter(|v| {
                let g = v["data"]["tags"]["group"].as_str().unwrap_or("");
                !g.starts_with("::setup") && !g.starts_with("::teardown")
            })
            .map(|v| {
                let tags = v["data"]["tags"].as_object().cloned().unwrap_or_default();
                (v["data"]["value"].as_f64().unwrap(), tags)
            })
            .collect()
    }

    #[test]
    fn every_shared_file_parses_with_its_own_numbers() {
        if crate::input::shared_formats::skip() {
            return;
        }
        let mut n = 0;
        for entry in std::fs::read_dir(shared_dir()).unwrap() {
            let path = entry.unwrap().path();
            let run = read_file(&path, None).expect("parses");
            assert_eq!(run.sources[0].format, "k6-ndjson", "{}", path.display());
            let dur = points(&path, "http_req_duration");
            let mut vals: Vec<f64> = dur.iter().map(|(v, _)| *v).collect();
            vals.sort_by(f64::total_cmp);
            let d = &run.benchmarks["http_req_duration"].metrics;
            assert_eq!(d["count"].value, vals.len() as f64);
            assert_eq!(d["max"].value, *vals.last().unwrap());
            assert_eq!(d["min"].value, vals[0]);
            assert_eq!(d["p95"].unit, Unit::Milliseconds);
            assert_eq!(d["p95"].direction, Direction::LowerIsBetter);
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            assert!((d["mean"].value - mean).abs() < 1e-9);
            // Sub-metrics by the tags the points carry.
            for (value, tags) in &dur {
                for tag in ["name", "status", "method", "scenario"] {
                    let v = tags[tag].as_str().unwrap();
                    let key = format!("http_req_duration{{{tag}:{v}}}");
                    assert!(run.benchmarks.contains_key(&key), "{key}");
                    let m = &run.benchmarks[&key].metrics;
                    assert!(m["min"].value <= *value && *value <= m["max"].value);
                }
            }
            let reqs = points(&path, "http_reqs");
            assert_eq!(
                run.metric("http_reqs", "count").unwrap().value,
                reqs.iter().map(|(v, _)| v).sum::<f64>()
            );
            let failed = points(&path, "http_req_failed");
            let nonzero = failed.iter().filter(|(v, _)| *v != 0.0).count();
            assert_eq!(
                run.metric("http_req_failed", "error_rate").unwrap().value,
                nonzero as f64 / failed.len() as f64
            );
            assert!(!run.benchmarks.contains_key("vus"), "gauges are skipped");
            n += 1;
        }
        assert_eq!(n, 2);
    }

    #[test]
    fn setup_points_are_skipped() {
        if crate::input::shared_formats::skip() {
            return;
        }
        // KirillY's iteration_duration has one ::setup point (0.001976 ms) and one real iteration.
        let run = read_file(
            &shared_dir().join("KirillY_k6-load-template_k6-results.trimmed.ndjson"),
            None,
        )
        .unwrap();
        let it = &run.benchmarks["iteration_duration"].metrics;
        assert_eq!(it["count"].value, 1.0);
        assert!(it["min"].value > 0.01);
        assert_eq!(run.metric("checks", "rate").unwrap().value, 1.0);
    }

    /// Hand-made stream: both key orders, a Metric line with `"tags": null`, blank lines, CRLF, local-TZ
    /// timestamps, a setup point, a gauge and a null value.
    const STREAM: &str = concat!(
        "{\"type\":\"Metric\",\"data\":{\"name\":\"http_req_duration\",\"type\":\"trend\",\"contains\":\"time\",\"thresholds\":[],\"submetrics\":null},\"metric\":\"http_req_duration\"}\r\n",
        "{\"type\":\"Metric\",\"data\":{\"type\":\"counter\",\"contains\":\"default\",\"tainted\":null},\"metric\":\"http_reqs\"}\r\n",
        "{\"type\":\"Metric\",\"data\":{\"type\":\"rate\"},\"metric\":\"http_req_failed\"}\n",
        "{\"type\":\"Metric\",\"data\":{\"type\":\"gauge\"},\"metric\":\"vus\"}\n",
        "\n",
        "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T01:13:59-03:00\",\"value\":5,\"tags\":null}}\n",
        "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T01:14:00-03:00\",\"value\":9999,\"tags\":{\"group\":\"::setup\",\"name\":\"home\"}}}\n",
    );

    fn stream() -> String {
        let values = [
            12.5, 3.0, 7.25, 100.0, 45.5, 8.0, 19.75, 61.0, 2.5, 33.0, 27.125,
        ];
        let mut s = STREAM.to_string();
        for (i, v) in values.iter().enumerate() {
            let name = if i % 2 == 0 { "home" } else { "search" };
            let status = if i == 3 { "500" } else { "200" };
            // Spans 04:14:00Z (as -03:00) to 04:14:10Z.
            let time = if i == 0 {
                "2024-08-22T01:14:00-03:00".to_string()
            } else {
                format!("2024-08-22T04:14:{:02}.5Z", i - 1)
            };
            let time = if i == values.len() - 1 {
                "2024-08-22T06:14:10+02:00".to_string()
            } else {
                time
            };
            let tags = format!("{{\"name\":\"{name}\",\"status\":\"{status}\",\"method\":\"GET\",\"group\":\"\",\"scenario\":\"default\"}}");
            s += &format!("{{\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{v},\"tags\":{tags}}},\"metric\":\"http_req_duration\"}}\r\n");
            s += &format!("{{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":1,\"tags\":{tags}}}}}\n");
            let failed = u8::from(status == "500");
            s += &format!("{{\"metric\":\"http_req_failed\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{failed},\"tags\":{tags}}}}}\n");
        }
        s += "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T04:14:05Z\",\"value\":null,\"tags\":null}}\n";
        s
    }

    #[test]
    fn type7_percentiles_match_numpy() {
        let run = parse_text(&stream()).unwrap();
        // numpy.percentile(v, [50, 90, 95, 99]) (default method "linear" = type 7).
        let all = &run.benchmarks["http_req_duration"].metrics;
        assert_eq!(all["count"].value, 11.0);
        assert_eq!(all["p50"].value, 19.75);
        assert_eq!(all["p90"].value, 61.0);
        assert!((all["p95"].value - 80.5).abs() < 1e-12);
        assert!((all["p99"].value - 96.10000000000001).abs() < 1e-12);
        assert!((all["mean"].value - 29.056818181818183).abs() < 1e-12);
        assert_eq!(all["max"].value, 100.0, "the ::setup point is skipped");
        let home = &run.benchmarks["http_req_duration{name:home}"].metrics;
        assert_eq!(home["p50"].value, 16.125);
        assert!((home["p90"].value - 36.3125).abs() < 1e-12);
        assert!((home["p95"].value - 40.90625).abs() < 1e-12);
        assert!((home["p99"].value - 44.581250000000004).abs() < 1e-12);
        assert!((home["mean"].value - 19.104166666666668).abs() < 1e-12);
        assert_eq!(home["min"].value, 2.5);
        assert_eq!(
            run.metric("http_req_duration{status:500}", "max")
                .unwrap()
                .value,
            100.0
        );
        assert!(run.benchmarks.contains_key("http_req_duration{method:GET}"));
        assert!(run
            .benchmarks
            .contains_key("http_req_duration{scenario:default}"));
        assert!(!run.benchmarks.contains_key("http_req_duration{group:}"));
        assert!(!run.benchmarks.contains_key("vus"));
    }

    #[test]
    fn counters_rates_and_error_rate() {
        let run = parse_text(&stream()).unwrap();
        let count = run.metric("http_reqs", "count").unwrap();
        assert_eq!(count.value, 11.0);
        assert!(!count.gated, "totals depend on the test length");
        // 11 requests between the first point (04:13:59Z, the gauge) and the last (04:14:10Z).
        let rate = run.metric("http_reqs", "rate").unwrap();
        assert!((rate.value - 1.0).abs() < 1e-12, "{}", rate.value);
        assert_eq!(rate.direction, Direction::HigherIsBetter);
        let err = run.metric("http_req_failed", "error_rate").unwrap();
        assert!((err.value - 1.0 / 11.0).abs() < 1e-12);
        assert_eq!(err.unit, Unit::Ratio);
        assert_eq!(
            run.metric("http_req_failed{status:500}", "error_rate")
                .unwrap()
                .value,
            1.0
        );
    }

    #[test]
    fn quantiles_of_tiny_inputs() {
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&[4.0], 0.99), Some(4.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 1.0), Some(2.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 1.5), None);
    }

    #[test]
    fn bad_lines_are_errors_naming_the_line() {
        let e = parse_text(
            "{\"type\":\"Metric\",\"data\":{\"type\":\"trend\"},\"metric\":\"x\"}\n{oops\n",
        )
        .unwrap_err();
        assert!(e.0.starts_with("line 2: invalid JSON"), "{e}");
        let e = parse_text(
            "{\"type\":\"Point\",\"data\":{\"time\":\"yesterday\",\"value\":1},\"metric\":\"http_reqs\"}\n",
        )
        .unwrap_err();
        assert!(e.0.contains("line 1") && e.0.contains("data.time"), "{e}");
        let e = parse_text("{\"type\":\"Point\",\"data\":{}}\n").unwrap_err();
        assert!(e.0.contains("without `metric`"), "{e}");
        assert!(parse_text("[1]\n").is_err());
        assert!(parse_text("\"Point\"\n").is_err());
    }

    #[test]
    fn sniffs_only_k6_lines() {
        let sniff = |t: &str| K6NdjsonInput.sniff(&Probe::from_text(Path::new("x"), t));
        assert!(sniff(
            "\n{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{}}\n"
        ));
        assert!(sniff(
            "\u{feff}{\"type\":\"Metric\",\"data\":{},\"metric\":\"vus\"}"
        ));
        assert!(!sniff("{\"type\":\"Point\",\"data\":{}}"));
        assert!(!sniff("{\"metrics\":{}}"));
        assert!(!sniff("[{\"name\":\"a\",\"unit\":\"ns\",\"value\":1}]"));
    }

    /// A k6-shaped stream of `n` requests with log-normal durations over several names and statuses,
    /// in both key orders.
    pub(crate) fn generated(n: usize, seed: u64) -> String {
        let mut rng = crate::stats::test_util::Lcg(seed);
        let mut s = String::from(STREAM);
        for i in 0..n {
            let name = ["home", "login", "search", "api/items"][i % 4];
            let status = if rng.uniform() < 0.02 { "500" } else { "200" };
            let ms = (3.0 + 0.7 * rng.normal()).exp();
            let time = format!(
                "2024-08-22T04:{:02}:{:02}.{:09}Z",
                (i / 1_000_000) % 60,
                (i / 20_000) % 60,
                i % 1_000_000_000
            );
            let tags = format!("{{\"expected_response\":\"true\",\"group\":\"\",\"method\":\"GET\",\"name\":\"{name}\",\"scenario\":\"default\",\"status\":\"{status}\"}}");
            s += &format!("{{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{ms:.6},\"tags\":{tags}}}}}\n");
            s += &format!("{{\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":1,\"tags\":{tags}}},\"metric\":\"http_reqs\"}}\n");
            s += &format!("{{\"metric\":\"http_req_failed\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{},\"tags\":{tags}}}}}\n", u8::from(status == "500"));
            s += &format!("{{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":10,\"tags\":{{}}}}}}\n");
        }
        s
    }

    /// Exact type-7 percentiles and plain stats of one series, straight from the lines.
    fn exact_stats(text: &str, metric: &str, tag: Option<(&str, &str)>) -> Vec<(String, f64)> {
        let mut v: Vec<f64> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|p| p["type"] == "Point" && p["metric"] == metric)
            .filter(|p| {
                let g = p["data"]["tags"]["group"].as_str().unwrap_or("");
                !g.starts_with("::setup") && !g.starts_with("::teardown")
            })
            .filter(|p| tag.is_none_or(|(k, t)| p["data"]["tags"][k] == t))
            .filter_map(|p| p["data"]["value"].as_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        let mut out = vec![
            ("count".to_string(), v.len() as f64),
            ("min".to_string(), v[0]),
            ("max".to_string(), *v.last().unwrap()),
            ("mean".to_string(), v.iter().sum::<f64>() / v.len() as f64),
        ];
        for (name, p) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
            out.push((name.to_string(), quantile_sorted(&v, p).unwrap()));
        }
        out
    }

    fn assert_close(run: &Run, key: &str, exact: &[(String, f64)]) {
        for (stat, want) in exact {
            let got = run.metric(key, stat).unwrap().value;
            let tol = if stat.starts_with('p') { 1e-3 } else { 1e-9 };
            assert!(
                ((got - want) / want).abs() <= tol,
                "{key} {stat}: {got} vs exact {want}"
            );
            if ["count", "min", "max"].contains(&stat.as_str()) {
                assert_eq!(got, *want, "{key} {stat} is exact");
            }
        }
    }

    #[test]
    fn sketch_percentiles_within_a_tenth_of_a_percent_on_generated_data() {
        let text = generated(12_000, 5);
        let run = parse_text(&text).unwrap();
        assert_close(
            &run,
            "http_req_duration",
            &exact_stats(&text, "http_req_duration", None),
        );
        assert_close(
            &run,
            "http_req_duration{name:login}",
            &exact_stats(&text, "http_req_duration", Some(("name", "login"))),
        );
        assert_close(
            &run,
            "http_req_duration{status:500}",
            &exact_stats(&text, "http_req_duration", Some(("status", "500"))),
        );
    }

    #[test]
    fn sketch_percentiles_within_a_tenth_of_a_percent_on_shared_files() {
        if crate::input::shared_formats::skip() {
            return;
        }
        for entry in std::fs::read_dir(shared_dir()).unwrap() {
            let path = entry.unwrap().path();
            // Repeated with a per-copy factor, so that series outgrow the exact buffer.
            let one = std::fs::read_to_string(&path).unwrap();
            let per_copy = points(&path, "http_req_duration").len();
            let mut text = String::new();
            for copy in 0..1100 / per_copy + 1 {
                for line in one.lines() {
                    let mut v: Value = serde_json::from_str(line).unwrap();
                    if let Some(x) = v["data"]["value"].as_f64() {
                        if v["type"] == "Point" && v["metric"] != "http_reqs" {
                            v["data"]["value"] = serde_json::json!(x * (1.0 + copy as f64 / 97.0));
                        }
                    }
                    text += &v.to_string();
                    text.push('\n');
                }
            }
            let run = parse_text(&text).unwrap();
            for metric in [
                "http_req_duration",
                "http_req_waiting",
                "http_req_receiving",
            ] {
                assert_close(&run, metric, &exact_stats(&text, metric, None));
            }
            assert!(run.metric("http_req_duration", "count").unwrap().value > 1024.0);
        }
    }

    #[test]
    fn parallel_and_sequential_give_identical_runs() {
        let text = generated(12_000, 9);
        assert!(text.len() > 2 * CHUNK, "several chunks");
        let seq = aggregate_reader(text.as_bytes(), 1).unwrap();
        for threads in [2, 5] {
            assert_eq!(aggregate_reader(text.as_bytes(), threads).unwrap(), seq);
        }
        // Whatever the read sizes.
        struct Dribble<'a>(&'a [u8]);
        impl Read for Dribble<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(4093);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        assert_eq!(aggregate_reader(Dribble(text.as_bytes()), 2).unwrap(), seq);
        assert_eq!(
            seq.metric("http_req_duration", "count").unwrap().value,
            12_000.0
        );
    }

    #[test]
    fn errors_name_the_line_in_any_chunk() {
        let mut text = generated(9_000, 1);
        let lines = text.lines().count();
        text += "{\"type\":\"Point\",\"metric\":\"x\",\"data\":{\"time\":\"soon\",\"value\":1}}\n";
        for threads in [1, 2] {
            let e = aggregate_reader(text.as_bytes(), threads).unwrap_err();
            assert!(e.0.starts_with(&format!("line {}:", lines + 1)), "{e}");
        }
    }

    #[test]
    fn fast_path_and_serde_agree() {
        let lines = [
            "{\"metric\":\"m\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T04:14:00Z\",\"value\":1.5e2,\"tags\":{\"name\":\"a\"}}}",
            "{\"type\":\"Point\",\"data\":{\"value\":-0.25,\"tags\":null},\"metric\":\"m\"}",
            " { \"type\" : \"Point\" , \"metric\" : \"m\" , \"data\" : { \"value\" : null } } ",
        ];
        for l in lines {
            let p = fast::point(l.as_bytes()).expect(l);
            let v: Value = serde_json::from_str(l).unwrap();
            assert_eq!(p.metric, v["metric"]);
            assert_eq!(p.value, v["data"]["value"].as_f64());
        }
        for odd in [
            "{\"type\":\"Point\",\"metric\":\"m\\u0041\",\"data\":{\"value\":1}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":01}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":\"1\"}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":1,\"tags\":{\"a\":1}}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":1}} x",
            "{\"type\":\"Metric\",\"metric\":\"m\",\"data\":{\"type\":\"trend\"}}",
            "{\"type\":\"Point\",\"metric\":\"m\",\"data\":{\"value\":1}",
        ] {
            assert!(fast::point(odd.as_bytes()).is_none(), "{odd}");
        }
        // Escaped names still count, via serde.
        let run = parse_text(concat!(
            "{\"type\":\"Metric\",\"data\":{\"type\":\"trend\"},\"metric\":\"my_trend\"}\n",
            "{\"type\":\"Point\",\"metric\":\"my_tr\\u0065nd\",\"data\":{\"value\":4,\"tags\":{\"name\":\"a\\\"b\"}}}\n",
        ))
        .unwrap();
        assert_eq!(run.metric("my_trend{name:a\"b}", "max").unwrap().value, 4.0);
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_equals_plain_also_multi_member() {
        let dir = tempfile::tempdir().unwrap();
        let text = generated(9_000, 2);
        let plain = dir.path().join("results.json");
        std::fs::write(&plain, &text).unwrap();
        let want = read_file(&plain, None).unwrap().benchmarks;
        let gz = dir.path().join("results.json.gz");
        std::fs::write(&gz, gzip(text.as_bytes())).unwrap();
        let got = read_file(&gz, None).unwrap();
        assert_eq!(got.sources[0].format, "k6-ndjson");
        assert_eq!(got.benchmarks, want);
        // Two members, split mid-line, as `cat a.gz b.gz` makes.
        let (a, b) = text.as_bytes().split_at(text.len() / 2 + 17);
        let mut multi = gzip(a);
        multi.extend(gzip(b));
        let gz2 = dir.path().join("multi.json.gz");
        std::fs::write(&gz2, multi).unwrap();
        assert_eq!(read_file(&gz2, None).unwrap().benchmarks, want);
    }

    #[test]
    fn truncated_gzip_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let full = gzip(generated(5_000, 3).as_bytes());
        let p = dir.path().join("results.json.gz");
        std::fs::write(&p, &full[..full.len() * 2 / 3]).unwrap();
        let e = read_file(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("results.json.gz") && e.contains("gzip stream is truncated"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        // Not k6 inside: still refused with a hint.
        let other = dir.path().join("other.json.gz");
        std::fs::write(&other, gzip(b"{\"metrics\":{}}")).unwrap();
        let e = read_file(&other, None).unwrap_err().to_string();
        assert!(e.contains("only read for k6 NDJSON"), "{e}");
    }
}
