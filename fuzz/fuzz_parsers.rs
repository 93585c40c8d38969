//! Stable-Rust fuzz driver for every input format (no libFuzzer: nightly is not available in CI).
//!
//! Mutates the real result files in `fixtures/` and `../shared/formats/` (JSON-aware structural mutations
//! through `serde_json::Value`, line mutations, byte mutations) and feeds every input to every format's
//! `sniff` and `parse`, to detection, and to comparison plus every renderer when it parses. A panic is
//! caught, its input written to `fuzz/artifacts/`, and the run exits 1.
//!
//! ```sh
//! cargo run --release --example fuzz_parsers -- --iterations 1000000 --seed 1
//! cargo run --release --example fuzz_parsers -- --seconds 90 --seed $RANDOM     # CI-sized
//! cargo run --release --example fuzz_parsers -- --replay fuzz/artifacts/crash-….bin
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use perfgate::compare::{self, Context};
use perfgate::github::{actions, stored};
use perfgate::input::{self, Probe, FORMATS};
use perfgate::model::Run;
use perfgate::policy::Policy;
use perfgate::report::markdown::{self, MarkdownOptions};
use perfgate::report::{OutputFormat, RenderOptions};
use perfgate::severity::FailOn;
use perfgate::verdict::{BaselineInfo, Inputs, Verdict};
use serde_json::{Map, Value};

/// SplitMix64: tiny, deterministic, good enough for choosing mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

struct Seed {
    path: PathBuf,
    bytes: Vec<u8>,
    json: Option<Value>,
}

fn load_seeds(roots: &[PathBuf]) -> Vec<Seed> {
    let mut seeds = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            let p = entry.path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !entry.file_type().is_file()
                || !matches!(
                    ext,
                    "json" | "ndjson" | "txt" | "out" | "toml" | "csv" | "jtl" | "xml"
                )
            {
                continue;
            }
            let Ok(bytes) = std::fs::read(p) else {
                continue;
            };
            if bytes.len() > 256 * 1024 {
                continue;
            }
            let json = serde_json::from_slice(strip_bom(&bytes)).ok();
            seeds.push(Seed {
                path: p.to_path_buf(),
                bytes,
                json,
            });
        }
    }
    seeds
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b)
}

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e308",
    "-1e308",
    "1e-320",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "9007199254740993",
    "0.5",
    "4294967296",
    "1e400",
    "-1e400",
];
const TOKENS: &[&str] = &[
    "NaN",
    "Infinity",
    "-Infinity",
    "\"NaN\"",
    "\"Infinity\"",
    "\"-Infinity\"",
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "1e999",
];
const NAMES: &[&str] = &[
    "\u{1b}[31mred\u{1b}[0m",
    "::error::pwned",
    "<!-- -->",
    "@here",
    "`tick`",
    "a|b",
    "\u{202e}evil",
    "x\r\ny",
    "../../etc/passwd",
    "",
    "%0A",
];

fn huge_name(rng: &mut Rng) -> String {
    // Mostly long, sometimes very long: 100 kB names are slow to render, so rarer.
    let max = if rng.chance(16) { 100_000 } else { 300 };
    "n".repeat(1 + rng.below(max))
}

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(2)),
        2 => serde_json::from_str(rng.pick(NUMBERS)).unwrap_or(Value::Null),
        3 => Value::from(rng.next() as i64),
        4 => Value::from(f64::from_bits(rng.next())),
        5 => Value::String(
            rng.pick(&["NaN", "Infinity", "-Infinity", "1.5", "ms", "ns", "abc"])
                .to_string(),
        ),
        6 => Value::String(rng.pick(NAMES).to_string()),
        7 => Value::Array(Vec::new()),
        _ => Value::Object(Map::new()),
    }
}

/// Picks a random node (pre-order walk with a random stop) and applies `f` to it.
fn with_random_node(v: &mut Value, rng: &mut Rng, f: &mut dyn FnMut(&mut Value, &mut Rng)) {
    let mut cur = v;
    loop {
        let children = match &*cur {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if children == 0 || rng.chance(4) {
            f(cur, rng);
            return;
        }
        let i = rng.below(children);
        cur = match cur {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => o.values_mut().nth(i).expect("index in range"),
            _ => unreachable!(),
        };
    }
}

fn mutate_json(v: &mut Value, rng: &mut Rng) {
    let op = rng.below(11);
    with_random_node(v, rng, &mut |node, rng| match op {
        // Drop a field or element.
        0 => match node {
            Value::Object(o) if !o.is_empty() => {
                let k = o.keys().nth(rng.below(o.len())).cloned().expect("key");
                o.remove(&k);
            }
            Value::Array(a) if !a.is_empty() => {
                a.remove(rng.below(a.len()));
            }
            _ => *node = Value::Null,
        },
        // Rename a field (to a hostile or huge name sometimes).
        1 => {
            if let Value::Object(o) = node {
                if let Some(k) = o.keys().nth(rng.below(o.len().max(1))).cloned() {
                    let val = o.remove(&k).expect("present");
                    let new = match rng.below(3) {
                        0 => format!("{k}_x"),
                        1 => rng.pick(NAMES).to_string(),
                        _ => huge_name(rng),
                    };
                    o.insert(new, val);
                }
            }
        }
        // Wrong type.
        2 | 3 => *node = random_scalar(rng),
        // Huge, negative, tiny numbers.
        4 => {
            if node.is_number() || rng.chance(3) {
                *node = serde_json::from_str(rng.pick(NUMBERS)).unwrap_or(Value::Null);
            }
        }
        // Numbers as strings.
        5 => {
            if let Some(n) = node.as_f64() {
                *node = Value::String(if rng.chance(2) {
                    n.to_string()
                } else {
                    "NaN".into()
                });
            }
        }
        // Deep nesting.
        6 => {
            let depth = 1 + rng.below(140);
            let mut inner = node.take();
            for _ in 0..depth {
                inner = if rng.chance(2) {
                    Value::Array(vec![inner])
                } else {
                    let mut m = Map::new();
                    m.insert("x".into(), inner);
                    Value::Object(m)
                };
            }
            *node = inner;
        }
        // Very long or hostile string values (names usually are strings).
        7 => {
            if node.is_string() || rng.chance(3) {
                *node = Value::String(if rng.chance(2) {
                    huge_name(rng)
                } else {
                    rng.pick(NAMES).to_string()
                });
            }
        }
        // Duplicate an element (duplicate benchmark names), or empty a container.
        8 => match node {
            Value::Array(a) if !a.is_empty() => {
                let e = a[rng.below(a.len())].clone();
                a.push(e);
            }
            Value::Array(a) => a.clear(),
            Value::Object(o) => o.clear(),
            _ => {}
        },
        // Grow an array with many copies (sample lists, runs).
        9 => {
            if let Value::Array(a) = node {
                if let Some(e) = a.first().cloned() {
                    let max = if rng.chance(16) { 5000 } else { 50 };
                    for _ in 0..rng.below(max) {
                        a.push(e.clone());
                    }
                }
            }
        }
        _ => *node = Value::Array(vec![node.take(), random_scalar(rng)]),
    });
}

fn mutate_lines(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for _ in 0..1 + rng.below(4) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            // Replace one whitespace-separated field.
            3 | 4 => {
                let mut fields: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
                let f = rng.below(fields.len());
                fields[f] = match rng.below(3) {
                    0 => rng.pick(NUMBERS).to_string(),
                    1 => rng.pick(TOKENS).to_string(),
                    _ => rng.pick(NAMES).to_string(),
                };
                lines[i] = fields.join(" ");
            }
            5 => {
                let cut = rng.below(lines[i].len() + 1);
                let cut = (0..=cut)
                    .rev()
                    .find(|&c| lines[i].is_char_boundary(c))
                    .unwrap_or(0);
                lines[i].truncate(cut);
            }
            _ => lines[i].push_str(&huge_name(rng)),
        }
    }
    lines.join("\n")
}

/// Replaces the text of some JSON numbers with bare tokens (`NaN`, `Infinity`, `1e999`, …).
fn number_tokens(text: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let bytes = text.as_bytes();
    while let Some((i, c)) = chars.next() {
        let starts_number = (c.is_ascii_digit() || c == '-')
            && i > 0
            && matches!(bytes[i - 1], b':' | b' ' | b'[' | b',');
        if starts_number && rng.chance(8) {
            while chars.peek().is_some_and(|&(_, d)| {
                d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '-' | '+')
            }) {
                chars.next();
            }
            out.push_str(rng.pick(TOKENS));
        } else {
            out.push(c);
        }
    }
    out
}

fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut Rng, other: &[u8]) {
    for _ in 0..1 + rng.below(8) {
        let len = bytes.len();
        match rng.below(9) {
            0 if len > 0 => bytes[rng.below(len)] ^= 1 << rng.below(8),
            1 if len > 0 => bytes[rng.below(len)] = rng.next() as u8,
            2 => {
                let at = rng.below(len + 1);
                let ins: &[u8] = rng.pick(&[
                    &[0xFF][..],
                    &[0xC3],
                    &[0xED, 0xA0, 0x80],
                    &[0xEF, 0xBB, 0xBF],
                    b"\r\n",
                    b"\0",
                    b"\"",
                    b"{",
                    b"]",
                    b"\\u",
                ]);
                bytes.splice(at..at, ins.iter().copied());
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + rng.below(64)).min(len);
                bytes.drain(a..b);
            }
            4 => bytes.truncate(rng.below(len + 1)),
            5 if len > 0 && !other.is_empty() => {
                // Splice a chunk of another seed.
                let a = rng.below(other.len());
                let b = (a + rng.below(512)).min(other.len());
                let at = rng.below(len + 1);
                bytes.splice(at..at, other[a..b].iter().copied());
            }
            6 if len > 0 => {
                let a = rng.below(len);
                let b = (a + rng.below(32)).min(len);
                let chunk = bytes[a..b].to_vec();
                bytes.splice(a..a, chunk);
            }
            7 => {
                let at = rng.below(len + 1);
                let t = rng.pick(TOKENS).as_bytes().to_vec();
                bytes.splice(at..at, t);
            }
            _ => {}
        }
    }
}

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

/// One fuzz case: the bytes and whether to go through a real file.
struct Case {
    name: String,
    bytes: Vec<u8>,
    via_file: bool,
}

fn make_case(seeds: &[Seed], rng: &mut Rng) -> Case {
    let seed = &seeds[rng.below(seeds.len())];
    let name = seed
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut bytes = match (&seed.json, rng.below(10)) {
        (Some(v), 0..=5) => {
            let mut v = v.clone();
            for _ in 0..1 + rng.below(4) {
                mutate_json(&mut v, rng);
            }
            let mut text = if rng.chance(2) {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            }
            .expect("Value serialises");
            if rng.chance(4) {
                text = number_tokens(&text, rng);
            }
            text.into_bytes()
        }
        (_, 0..=6) => match std::str::from_utf8(&seed.bytes) {
            Ok(t) => mutate_lines(t, rng).into_bytes(),
            Err(_) => seed.bytes.clone(),
        },
        (_, 7) => String::from_utf8_lossy(&seed.bytes)
            .pipe(|t| number_tokens(&t, rng))
            .into_bytes(),
        _ => {
            let mut b = seed.bytes.clone();
            let other = &seeds[rng.below(seeds.len())].bytes;
            mutate_bytes(&mut b, rng, other);
            b
        }
    };
    if rng.chance(10) {
        bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
    }
    if rng.chance(10) {
        if let Ok(t) = std::str::from_utf8(&bytes) {
            bytes = crlf(t).into_bytes();
        }
    }
    let via_file = std::str::from_utf8(&bytes).is_err() || rng.chance(50);
    Case {
        name,
        bytes,
        via_file,
    }
}

trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}
impl<T> Pipe for T {}

/// Everything done with a parsed run: compare it with itself and with `other`, render every output.
fn exercise_run(run: &Run, other: Option<&Run>, render: bool) {
    let policy = Policy::default();
    let ctx = Context::new(&policy);
    let _ = serde_json::to_string(run);
    for base in [Some(run), other].into_iter().flatten() {
        let Ok(rows) = compare::compare(base, run, &ctx) else {
            continue;
        };
        let mut rows = rows;
        compare::sort_worst_first(&mut rows);
        let info = BaselineInfo {
            name: "fuzz".into(),
            ..BaselineInfo::default()
        };
        let inputs = Inputs {
            files: vec!["fuzz.json".into()],
            benchmarks: run.benchmarks.len(),
            metrics: run.metric_count(),
        };
        let v = Verdict::new(
            Some(info),
            inputs,
            rows,
            FailOn::default(),
            run.tool_checks.clone(),
        );
        if !render {
            continue;
        }
        for fmt in [
            OutputFormat::Table,
            OutputFormat::Markdown,
            OutputFormat::Json,
            OutputFormat::Junit,
        ] {
            let mut sink = Vec::new();
            let opts = RenderOptions {
                color: true,
                all: true,
            };
            let _ = fmt.renderer().render(&v, &opts, &mut sink);
        }
        let _ = markdown::render(&v, &MarkdownOptions::default());
        let _ = actions::annotations(&v);
    }
}

#[derive(Default, Clone)]
struct Stats {
    inputs: u64,
    sniffed: u64,
    parsed: u64,
    panics: u64,
}

struct Fuzzer {
    stats: BTreeMap<&'static str, Stats>,
    panics: u64,
    artifacts: PathBuf,
    last_panic: Arc<Mutex<String>>,
    scratch: tempfile::TempDir,
    /// A run per format that parsed from the unmutated seeds, as the "other side" of comparisons.
    references: BTreeMap<&'static str, Run>,
    parsed_total: u64,
}

impl Fuzzer {
    fn record_panic(&mut self, what: &str, case: &Case) {
        self.panics += 1;
        let msg = self
            .last_panic
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        let hash = case.bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let _ = std::fs::create_dir_all(&self.artifacts);
        let file = self.artifacts.join(format!(
            "crash-{what}-{hash:016x}-{}.bin",
            sanitize(&case.name)
        ));
        let _ = std::fs::write(&file, &case.bytes);
        eprintln!(
            "PANIC in {what} ({}): {msg}\n  input saved to {}",
            case.name,
            file.display()
        );
    }

    /// Runs `f` under `catch_unwind` as the pseudo-format `id`; `f` says whether the input was accepted.
    fn reader(&mut self, id: &'static str, case: &Case, f: impl FnOnce() -> bool) {
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        let s = self.stats.entry(id).or_default();
        s.inputs += 1;
        match result {
            Ok(ok) => s.parsed += u64::from(ok),
            Err(_) => {
                s.panics += 1;
                self.record_panic(id, case);
            }
        }
    }

    /// The readers around the formats: the policy file, the verdict artifact and PR-number file of
    /// `comment --from`/`--pr-file` and `push --from`, through memory and (for file cases) the bounded
    /// reader.
    fn run_other_readers(&mut self, case: &Case, file: Option<&Path>) {
        let text = std::str::from_utf8(&case.bytes).ok();
        if let Some(text) = text {
            self.reader("policy", case, || {
                Policy::parse(text, Path::new("perfgate.toml")).is_ok()
            });
            self.reader("verdict", case, || stored::parse_verdict(text).is_ok());
        }
        if let Some(p) = file {
            self.reader("policy (file)", case, || Policy::load(Some(p)).is_ok());
            self.reader("verdict (file)", case, || stored::read_verdict(p).is_ok());
            self.reader("pr-number (file)", case, || {
                stored::read_pr_number(p).is_ok()
            });
        }
    }

    /// Runs one input through detection and every format. `dir` makes it a criterion directory, in
    /// which `sample.json` is now and then a link to a device or a FIFO (which must be refused at once).
    fn run_case(&mut self, case: &Case, dir: bool) {
        let path_in_scratch = self.scratch.path().join(if dir { "crit" } else { "case" });
        let mut file = None;
        let probe = if dir {
            let bench = path_in_scratch.join("group").join("new");
            let _ = std::fs::remove_dir_all(&path_in_scratch);
            let _ = std::fs::create_dir_all(&bench);
            let _ = std::fs::write(bench.join("estimates.json"), &case.bytes);
            let _ = std::fs::write(bench.join("benchmark.json"), &case.bytes);
            let sample = bench.join("sample.json");
            match case.bytes.len() % 8 {
                #[cfg(unix)]
                0 => {
                    let _ = std::os::unix::fs::symlink("/dev/zero", &sample);
                }
                #[cfg(unix)]
                1 => {
                    let c = std::ffi::CString::new(sample.to_string_lossy().as_bytes()).unwrap();
                    // SAFETY: a valid NUL-terminated path.
                    let _ = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
                }
                2 => {}
                _ => {
                    let _ = std::fs::write(&sample, &case.bytes);
                }
            }
            let whole = path_in_scratch.clone();
            self.reader("criterion-dir", case, || {
                input::read_file(&whole, None).is_ok()
            });
            Probe::open(&path_in_scratch).ok()
        } else if case.via_file {
            let p = path_in_scratch.with_file_name(sanitize(&case.name));
            let _ = std::fs::write(&p, &case.bytes);
            file = Some(p.clone());
            Probe::open(&p).ok()
        } else {
            let text = std::str::from_utf8(&case.bytes).expect("text cases are UTF-8");
            Some(Probe::from_text(Path::new(&case.name), text))
        };
        if !dir {
            self.run_other_readers(case, file.as_deref());
        }
        let Some(probe) = probe else { return };
        let detected = panic::catch_unwind(AssertUnwindSafe(|| input::detect(&probe).is_ok()));
        if detected.is_err() {
            self.record_panic("detect", case);
        }
        for f in FORMATS {
            let id = f.id();
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                let sniffed = f.sniff(&probe);
                let parsed = f.parse(&probe).ok();
                if let Some(run) = &parsed {
                    // Rendering dominates the cost: every parsed run is compared, every 4th rendered.
                    self.parsed_total += 1;
                    exercise_run(run, self.references.get(id), self.parsed_total % 4 == 0);
                }
                (sniffed, parsed.is_some())
            }));
            let s = self.stats.entry(id).or_default();
            s.inputs += 1;
            match result {
                Ok((sniffed, parsed)) => {
                    s.sniffed += u64::from(sniffed);
                    s.parsed += u64::from(parsed);
                }
                Err(_) => {
                    s.panics += 1;
                    self.record_panic(id, case);
                }
            }
        }
    }
}

fn sanitize(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("f{s}")
    } else {
        s
    }
}

fn main() {
    let mut iterations: u64 = 10_000;
    let mut seconds: Option<u64> = None;
    let mut seed: u64 = 1;
    let mut replay: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().expect("option needs a value");
        match a.as_str() {
            "--iterations" => iterations = val().parse().expect("--iterations N"),
            "--seconds" => seconds = Some(val().parse().expect("--seconds N")),
            "--seed" => seed = val().parse().expect("--seed N"),
            "--replay" => replay.push(val().into()),
            _ => {
                eprintln!(
                    "usage: fuzz_parsers [--iterations N] [--seconds N] [--seed N] [--replay FILE]"
                );
                std::process::exit(2);
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let last_panic = Arc::new(Mutex::new(String::new()));
    {
        let last = Arc::clone(&last_panic);
        // Silent hook: the message is kept and printed with the input's file name.
        panic::set_hook(Box::new(move |info| {
            if let Ok(mut m) = last.lock() {
                *m = info.to_string();
            }
        }));
    }
    let seeds = load_seeds(&[
        root.join("fixtures"),
        root.join("baselines"),
        root.join("../shared/formats"),
    ]);
    assert!(!seeds.is_empty(), "no seed files found under fixtures/");
    let mut fuzzer = Fuzzer {
        stats: BTreeMap::new(),
        panics: 0,
        artifacts: root.join("fuzz/artifacts"),
        last_panic,
        scratch: tempfile::tempdir().expect("temp dir"),
        references: BTreeMap::new(),
        parsed_total: 0,
    };
    for s in &seeds {
        if let Ok(text) = std::str::from_utf8(&s.bytes) {
            let probe = Probe::from_text(&s.path, text);
            if let Ok(f) = input::detect(&probe) {
                if let Ok(run) = f.parse(&probe) {
                    fuzzer.references.entry(f.id()).or_insert(run);
                }
            }
        }
    }
    // No snapshot files are committed: make seeds from what the fixtures parse to. The same for the
    // verdict artifacts of `comment --from` and the policy file.
    let mut seeds = seeds;
    seeds.push(Seed {
        path: PathBuf::from("perfgate.toml"),
        bytes: perfgate::policy::EXAMPLE.as_bytes().to_vec(),
        json: None,
    });
    for run in fuzzer.references.values() {
        let policy = Policy::default();
        if let Ok(rows) = compare::compare(run, run, &Context::new(&policy)) {
            let inputs = Inputs {
                files: vec!["fuzz.json".into()],
                benchmarks: run.benchmarks.len(),
                metrics: run.metric_count(),
            };
            let v = Verdict::new(None, inputs, rows, FailOn::default(), Vec::new());
            let bytes = serde_json::to_vec(&v).expect("verdict serialises");
            seeds.push(Seed {
                path: PathBuf::from("verdict.json"),
                json: serde_json::from_slice(&bytes).ok(),
                bytes,
            });
        }
    }
    for run in fuzzer.references.values() {
        let snap = perfgate::baseline::Snapshot::new("fuzz", run.clone());
        let bytes = serde_json::to_vec_pretty(&snap).expect("snapshot serialises");
        seeds.push(Seed {
            path: PathBuf::from("main.json"),
            json: serde_json::from_slice(&bytes).ok(),
            bytes,
        });
    }
    if !replay.is_empty() {
        for p in replay {
            let bytes = std::fs::read(&p).expect("read replay file");
            let case = Case {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                via_file: std::str::from_utf8(&bytes).is_err(),
                bytes,
            };
            fuzzer.run_case(&case, false);
            fuzzer.run_case(&case, true);
        }
        std::process::exit(i32::from(fuzzer.panics > 0));
    }
    let mut rng = Rng(seed);
    let start = Instant::now();
    let deadline = seconds.map(|s| start + Duration::from_secs(s));
    let mut done: u64 = 0;
    let mut next_report = start + Duration::from_secs(60);
    println!(
        "fuzzing {} formats with {} seed files, seed {seed}, {}",
        FORMATS.len(),
        seeds.len(),
        match seconds {
            Some(s) => format!("for {s} s"),
            None => format!("{iterations} iterations"),
        }
    );
    while deadline.map_or(done < iterations, |d| Instant::now() < d) {
        let case = make_case(&seeds, &mut rng);
        // Every 64th case also goes through a criterion directory (estimates/benchmark/sample.json).
        let dir = done % 64 == 0;
        fuzzer.run_case(&case, dir);
        done += 1;
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(60);
            println!(
                "  {done} inputs, {:.0} s, {} panics",
                start.elapsed().as_secs_f64(),
                fuzzer.panics
            );
            let _ = std::io::stdout().flush();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{done} inputs in {secs:.1} s ({:.0}/s), seed {seed}",
        done as f64 / secs
    );
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>7}",
        "format", "inputs", "sniffed", "parsed", "panics"
    );
    for (id, s) in &fuzzer.stats {
        println!(
            "{id:<22} {:>10} {:>10} {:>10} {:>7}",
            s.inputs, s.sniffed, s.parsed, s.panics
        );
    }
    if fuzzer.panics > 0 {
        eprintln!(
            "{} panics; inputs in {}",
            fuzzer.panics,
            fuzzer.artifacts.display()
        );
        std::process::exit(1);
    }
}
