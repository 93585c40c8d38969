//! The README and the guide in `docs/`: every relative link and anchor resolves (anchors as GitHub makes
//! them from headings), every chapter is linked from README.md or docs/SUMMARY.md, every example output
//! is what its command prints today, and every `--help` names a chapter that exists.
//!
//! An example is a command in a marker and its output in the fenced block below it:
//!
//! ````text
//! <!-- example: perfgate analyze --color never --baseline fixtures/k6/baseline-summary.json fixtures/k6/current-summary.json -->
//! ```
//! (the command's standard output)
//! ```
//! <!-- /example -->
//! ````
//!
//! The command runs in bash from the repository root, with the perfgate under test first on PATH, no
//! GITHUB_*, PERFGATE_* or CI variables, NO_COLOR=1, TZ=UTC, and no terminal; exit codes 0 and 1 are
//! outputs, any other is an error. It must not write into the repository (use `mktemp -d`).
//! After an intended change, `scripts/readme-examples.sh` rewrites the stale blocks (it runs
//! `PERFGATE_UPDATE_EXAMPLES=1 cargo test --features test-hooks --test it docs::examples_are_current`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use comrak::nodes::NodeValue;

use crate::common::perfgate;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const FIX: &str = "scripts/readme-examples.sh";

// ---------------------------------------------------------------------------------------------------
// Links and anchors

/// README.md and every docs/**/*.md under `root`, relative to it, sorted.
fn doc_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md")];
    let docs = root.join("docs");
    if docs.is_dir() {
        let mut chapters: Vec<PathBuf> = walkdir::WalkDir::new(&docs)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file() && e.path().extension() == Some("md".as_ref()))
            .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
            .collect();
        chapters.sort();
        files.extend(chapters);
    }
    files
}

/// A link or image in a markdown file, with its 1-based line.
struct Link {
    line: usize,
    url: String,
}

/// What the link check needs of one markdown file.
struct Doc {
    links: Vec<Link>,
    /// Heading ids as GitHub makes them, and explicit `id`/`name` attributes of HTML.
    anchors: HashSet<String>,
}

fn parse(text: &str) -> Doc {
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, text, &crate::report::gfm_options());
    // GitHub's heading ids: lowercase, punctuation dropped, spaces to `-`, repeats get `-1`, `-2`, …
    let mut anchorizer = comrak::Anchorizer::new();
    let mut doc = Doc {
        links: Vec::new(),
        anchors: HashSet::new(),
    };
    for node in root.descendants() {
        let data = node.data();
        let line = data.sourcepos.start.line;
        match &data.value {
            NodeValue::Heading(_) => {
                doc.anchors
                    .insert(anchorizer.anchorize(&node.collect_text()));
            }
            NodeValue::Link(l) | NodeValue::Image(l) => doc.links.push(Link {
                line,
                url: l.url.clone(),
            }),
            NodeValue::HtmlBlock(h) => html(&h.literal, line, &mut doc),
            NodeValue::HtmlInline(h) => html(h, line, &mut doc),
            _ => {}
        }
    }
    doc
}

/// Links (`href`, `src`) and anchors (`id`, `name`) in raw HTML, comments left out.
fn html(html: &str, first_line: usize, doc: &mut Doc) {
    let mut rest = html;
    let mut text = String::new();
    // Blank out comments, keeping their newlines so that lines still count.
    while let Some(start) = rest.find("<!--") {
        let end = rest[start..]
            .find("-->")
            .map_or(rest.len(), |e| start + e + 3);
        text.push_str(&rest[..start]);
        text.extend(rest[start..end].chars().filter(|&c| c == '\n'));
        rest = &rest[end..];
    }
    text.push_str(rest);
    for attr in ["href", "src", "id", "name"] {
        for quote in ['"', '\''] {
            let key = format!(" {attr}={quote}");
            for (at, _) in text.match_indices(&key) {
                let value_start = at + key.len();
                let Some(len) = text[value_start..].find(quote) else {
                    continue;
                };
                let value = &text[value_start..value_start + len];
                let line = first_line + text[..at].matches('\n').count();
                match attr {
                    "href" | "src" => doc.links.push(Link {
                        line,
                        url: value.to_string(),
                    }),
                    _ => {
                        doc.anchors.insert(value.to_string());
                    }
                }
            }
        }
    }
}

/// `%XX` escapes decoded (link targets with spaces or non-ASCII headings).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a URL leaves the repository (`https:`, `mailto:`, `//host`): not checked here.
fn is_external(url: &str) -> bool {
    let scheme = url.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    scheme || url.starts_with("//")
}

/// `rel` joined to `dir` with `.` and `..` resolved lexically, or `None` when it climbs out of the root.
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let joined = match rel.strip_prefix('/') {
        Some(from_root) => PathBuf::from(from_root),
        None => dir.join(rel),
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Every problem with the links of README.md and docs/**/*.md under `root`, as `file:line: problem`:
/// a relative link to a file that is missing, an anchor with no such heading, a chapter that neither
/// README.md nor docs/SUMMARY.md links to, a SUMMARY entry without a file.
fn link_problems(root: &Path) -> Vec<String> {
    let files = doc_files(root);
    let mut docs: HashMap<PathBuf, Doc> = HashMap::new();
    // Anchors of markdown files outside README.md and docs/ that a link points into.
    let mut others: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut problems = Vec::new();
    let summary = Path::new("docs/SUMMARY.md");
    let mut linked: BTreeSet<PathBuf> = BTreeSet::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            problems.push(format!("{}: missing", file.display()));
            continue;
        };
        docs.insert(file.clone(), parse(&text));
    }
    for file in &files {
        let Some(doc) = docs.get(file) else { continue };
        let dir = file.parent().unwrap_or(Path::new(""));
        for link in &doc.links {
            let at = format!("{}:{}", file.display(), link.line);
            let url = link.url.trim();
            if url.is_empty() {
                let what = if file == summary {
                    "a draft chapter (no file)"
                } else {
                    "an empty link"
                };
                problems.push(format!("{at}: {what}"));
                continue;
            }
            if is_external(url) {
                continue;
            }
            let (path, fragment) = match url.split_once('#') {
                Some((p, f)) => (p, Some(percent_decode(f))),
                None => (url, None),
            };
            let path = percent_decode(path.split('?').next().unwrap_or_default());
            let target = if path.is_empty() {
                file.clone()
            } else {
                match resolve(dir, &path) {
                    Some(t) => t,
                    None => {
                        problems.push(format!("{at}: `{url}` points outside the repository"));
                        continue;
                    }
                }
            };
            if file == summary || file == Path::new("README.md") {
                linked.insert(target.clone());
            }
            if !root.join(&target).exists() {
                problems.push(format!(
                    "{at}: broken link `{url}`: {} does not exist",
                    target.display()
                ));
                continue;
            }
            if file == summary && target.extension() != Some("md".as_ref()) {
                problems.push(format!(
                    "{at}: SUMMARY entry `{url}` is not a markdown chapter"
                ));
            }
            let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                continue;
            };
            if target.extension() != Some("md".as_ref()) || root.join(&target).is_dir() {
                continue; // source files' `#L10` line anchors and the like
            }
            let anchors = match docs.get(&target) {
                Some(d) => &d.anchors,
                None => others.entry(target.clone()).or_insert_with(|| {
                    let text = std::fs::read_to_string(root.join(&target)).unwrap_or_default();
                    parse(&text).anchors
                }),
            };
            if !anchors.contains(&fragment) {
                problems.push(format!(
                    "{at}: missing anchor `{url}`: {} has no heading with the id `{fragment}`",
                    target.display()
                ));
            }
        }
    }
    for file in &files {
        if file.starts_with("docs") && file != summary && !linked.contains(file) {
            problems.push(format!(
                "{}: a chapter that neither README.md nor docs/SUMMARY.md links to",
                file.display()
            ));
        }
    }
    problems
}

#[test]
fn links_and_anchors_resolve() {
    let problems = link_problems(&repo());
    assert!(
        problems.is_empty(),
        "broken links in the docs:\n{}",
        problems.join("\n")
    );
}

/// A temporary tree of markdown files, `(path, text)`.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn the_link_check_names_each_broken_link_and_anchor_with_its_line() {
    let dir = tree(&[
        (
            "README.md",
            "# perfgate\n\nSee [the guide](docs/README.md), [A/B runs](docs/ab.md#perfgate-ab-ab-runs),\n\
             [gone](docs/gone.md) and [nowhere](docs/ab.md#no-such-heading).\n\n\
             [Up](#perfgate), [down](#down), <a href=\"docs/missing.md\">html</a>, ![x](img/x.png)\n",
        ),
        (
            "docs/SUMMARY.md",
            "# Summary\n\n[Introduction](README.md)\n- [A/B](ab.md)\n- [Later]()\n- [Removed](removed.md)\n",
        ),
        ("docs/README.md", "# Guide\n\n[Back](../README.md#perfgate), [source](../src/lib.rs#L10)\n"),
        (
            "docs/ab.md",
            "# `perfgate ab`: A/B runs\n\n## Example\n\n## Example\n\n\
             [second](#example-1), [third](#example-2), [web](https://example.com/#x)\n",
        ),
        ("docs/orphan.md", "# Orphan\n"),
        ("src/lib.rs", ""),
    ]);
    assert_eq!(
        link_problems(dir.path()),
        [
            "README.md:4: broken link `docs/gone.md`: docs/gone.md does not exist",
            "README.md:4: missing anchor `docs/ab.md#no-such-heading`: docs/ab.md has no heading with the id `no-such-heading`",
            "README.md:6: missing anchor `#down`: README.md has no heading with the id `down`",
            "README.md:6: broken link `docs/missing.md`: docs/missing.md does not exist",
            "README.md:6: broken link `img/x.png`: img/x.png does not exist",
            "docs/SUMMARY.md:5: a draft chapter (no file)",
            "docs/SUMMARY.md:6: broken link `removed.md`: docs/removed.md does not exist",
            "docs/ab.md:7: missing anchor `#example-2`: docs/ab.md has no heading with the id `example-2`",
            "docs/orphan.md: a chapter that neither README.md nor docs/SUMMARY.md links to",
        ]
    );
}

#[test]
fn heading_ids_are_githubs() {
    let doc = parse(
        "# Noise: when is a change real?\n## `perfgate ab`\n## Pull requests from forks\n\
         ## Exit codes 0/1/2\n## Über_Größe\n## Exit codes 0/1/2\n### *k6* — summaries\n",
    );
    let mut ids: Vec<_> = doc.anchors.into_iter().collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "exit-codes-012",
            "exit-codes-012-1",
            "k6--summaries",
            "noise-when-is-a-change-real",
            "perfgate-ab",
            "pull-requests-from-forks",
            "über_größe",
        ]
    );
}

// ---------------------------------------------------------------------------------------------------
// Examples

/// One `<!-- example: CMD -->` block: where its output goes in the file.
struct Example {
    line: usize,
    command: String,
    /// Byte range of the fenced block's content and closing fence (up to the end marker).
    body: std::ops::Range<usize>,
    /// The opening fence's character run (``` or ````), which closes it too.
    fence: String,
}

const OPEN: &str = "<!-- example:";
const CLOSE: &str = "<!-- /example -->";

/// The examples of one file, or the problems with its markers.
fn examples_in(file: &Path, text: &str) -> Result<Vec<Example>, Vec<String>> {
    // (byte offset of the line, line) for every line
    let mut lines = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        lines.push((at, line));
        at += line.len();
    }
    let mut examples = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let number = i + 1;
        let where_ = format!("{}:{number}", file.display());
        if line.trim_start().starts_with(CLOSE) {
            problems.push(format!("{where_}: `{CLOSE}` without an example before it"));
            i += 1;
            continue;
        }
        let Some(col) = line
            .find(OPEN)
            .filter(|_| line.trim_start().starts_with(OPEN))
        else {
            i += 1;
            continue;
        };
        // The command may go on over several lines, up to `-->`.
        let from = start + col + OPEN.len();
        let Some(len) = text[from..].find("-->") else {
            problems.push(format!(
                "{where_}: the example marker is not closed with `-->`"
            ));
            break;
        };
        let command = text[from..from + len].trim().to_string();
        while i < lines.len() && lines[i].0 + lines[i].1.len() <= from + len {
            i += 1;
        }
        i += 1; // the line holding `-->`
        if command.is_empty() {
            problems.push(format!("{where_}: the example has no command"));
        }
        let opening = lines.get(i).map(|l| l.1.trim_start()).unwrap_or("");
        let fence: String = opening
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        if fence.len() < 3 || fence.chars().any(|c| c != fence.chars().next().unwrap()) {
            problems.push(format!(
                "{where_}: the example's output must follow in a fenced block (``` on the next line)"
            ));
            continue;
        }
        let body_start = lines[i].0 + lines[i].1.len();
        let Some(end) = (i + 1..lines.len()).find(|&j| {
            let l = lines[j].1.trim_start();
            l.starts_with(CLOSE) || l.starts_with(OPEN)
        }) else {
            problems.push(format!(
                "{where_}: the example has no `{CLOSE}` after its block"
            ));
            break;
        };
        if lines[end].1.trim_start().starts_with(OPEN) {
            problems.push(format!(
                "{where_}: the example has no `{CLOSE}` before the next example"
            ));
            i = end;
            continue;
        }
        examples.push(Example {
            line: number,
            command,
            body: body_start..lines[end].0,
            fence,
        });
        i = end + 1;
    }
    if problems.is_empty() {
        Ok(examples)
    } else {
        Err(problems)
    }
}

/// How long one example may run (debug build, a busy CI machine) before it counts as hung.
const EXAMPLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs an example's command as the module's header says; its standard output, or why it failed.
fn run_example(root: &Path, command: &str) -> Result<String, String> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_perfgate"));
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    // The environment of `common::perfgate()` (no GITHUB_*, PERFGATE_*, CI), on bash.
    let mut cmd = Command::new("bash");
    let template = perfgate();
    for (key, value) in template.get_envs() {
        if value.is_none() {
            cmd.env_remove(key);
        }
    }
    cmd.args(["-o", "pipefail", "-c", command])
        .current_dir(root)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        // clap wraps help to these when they are set
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().map_err(|e| format!("cannot run bash: {e}"))?;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        stdout.read_to_end(&mut b).map(|_| b)
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        stderr.read_to_end(&mut b).map(|_| b)
    });
    let deadline = Instant::now() + EXAMPLE_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            // The whole process group: bash and what it started, which hold the pipes open.
            #[cfg(unix)]
            if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "still running after {} s: killed",
                EXAMPLE_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = out.join().unwrap().map_err(|e| e.to_string())?;
    let err = err.join().unwrap().map_err(|e| e.to_string())?;
    match status.code() {
        Some(0 | 1) => String::from_utf8(out).map_err(|_| "its output is not UTF-8".to_string()),
        code => Err(format!(
            "exited with {} (0 and 1 are outputs); its stderr:\n{}",
            code.map_or("a signal".to_string(), |c| c.to_string()),
            String::from_utf8_lossy(&err).trim_end()
        )),
    }
}

/// The fenced block an example's output makes, up to the end marker: content and closing fence.
fn rendered(output: &str, fence: &str) -> Result<String, String> {
    let output = output.trim_end_matches('\n');
    let fence_char = fence.chars().next().unwrap();
    let clash = output.lines().any(|l| {
        let l = l.trim_start();
        l.chars().take_while(|&c| c == fence_char).count() >= fence.len()
    });
    if clash {
        return Err(format!(
            "its output holds a line starting with {fence}: open the block with a longer fence"
        ));
    }
    Ok(if output.is_empty() {
        format!("{fence}\n")
    } else {
        format!("{output}\n{fence}\n")
    })
}

/// Lines of `old` and `new` as a diff (`-` committed, `+` regenerated), with two lines of context.
fn diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // Longest common subsequence, table from the end.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        ops[k.saturating_sub(2)..(k + 3).min(ops.len())]
            .iter()
            .any(|(op, _)| *op != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (op, line)) in ops.iter().enumerate() {
        if near_change(k) {
            out.push_str(&format!("{op}{line}\n"));
            skipped = false;
        } else if !skipped {
            out.push_str(" …\n");
            skipped = true;
        }
    }
    out
}

/// Every example of README.md and docs/**/*.md under `root` regenerated: with `update`, stale blocks
/// are rewritten in place (returned as `file:line`); without, a stale block is a problem with its diff.
fn check_examples(root: &Path, update: bool) -> Result<Vec<String>, Vec<String>> {
    let mut problems = Vec::new();
    let mut stale = Vec::new();
    for file in doc_files(root) {
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        let examples = match examples_in(&file, &text) {
            Ok(e) => e,
            Err(p) => {
                problems.extend(p);
                continue;
            }
        };
        let mut blocks = Vec::new();
        for ex in &examples {
            let at = format!("{}:{}", file.display(), ex.line);
            let block =
                match run_example(root, &ex.command).and_then(|out| rendered(&out, &ex.fence)) {
                    Ok(b) => b,
                    Err(e) => {
                        problems.push(format!("{at}: the example `{}` {e}", ex.command));
                        continue;
                    }
                };
            let committed = &text[ex.body.clone()];
            if committed != block {
                if !update {
                    problems.push(format!(
                        "{at}: the output of `{}` changed (- committed, + now):\n{}",
                        ex.command,
                        diff(committed, &block)
                    ));
                }
                stale.push(at);
                blocks.push((ex.body.clone(), block));
            }
        }
        if update && !blocks.is_empty() {
            let mut new_text = text.clone();
            // From the end, so that the earlier ranges stay valid.
            for (range, block) in blocks.iter().rev() {
                new_text.replace_range(range.clone(), block);
            }
            std::fs::write(root.join(&file), new_text).unwrap();
        }
    }
    if problems.is_empty() {
        Ok(stale)
    } else {
        Err(problems)
    }
}

/// What the test and the script print when examples are out of date.
fn stale_message(problems: &[String]) -> String {
    format!(
        "{}\n\nRegenerate the examples with `{FIX}` (PERFGATE_UPDATE_EXAMPLES=1 cargo test --features \
         test-hooks --test it docs::examples_are_current) and review the diff.",
        problems.join("\n")
    )
}

#[test]
fn examples_are_current() {
    let update = std::env::var_os("PERFGATE_UPDATE_EXAMPLES").is_some_and(|v| v == "1");
    match check_examples(&repo(), update) {
        Ok(updated) if update => {
            for at in updated {
                println!("updated {at}");
            }
        }
        Ok(_) => {}
        Err(problems) => panic!("{}", stale_message(&problems)),
    }
}

#[test]
fn a_stale_example_is_reported_with_its_diff_and_then_regenerated() {
    let readme = "# x\n\n<!-- example: printf 'one\\ntwo\\n'; perfgate --version -->\n```text\none\nold\n```\n\
                  <!-- /example -->\n\n<!-- example: echo \"NO_COLOR=$NO_COLOR\"; [ -t 1 ] || echo piped -->\n\
                  ````markdown\n````\n<!-- /example -->\n";
    let dir = tree(&[
        ("README.md", readme),
        (
            "docs/a.md",
            "<!-- example:\n  printf 'gate failed\\n'; exit 1 -->\n```\ngate failed\n```\n<!-- /example -->\n",
        ),
    ]);
    let problems = check_examples(dir.path(), false).unwrap_err();
    let version = format!("perfgate {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        problems,
        [
            format!(
                "README.md:3: the output of `printf 'one\\ntwo\\n'; perfgate --version` changed (- committed, + now):\n \
                 one\n-old\n+two\n+{version}\n ```\n"
            ),
            "README.md:10: the output of `echo \"NO_COLOR=$NO_COLOR\"; [ -t 1 ] || echo piped` changed \
             (- committed, + now):\n+NO_COLOR=1\n+piped\n ````\n"
                .to_string(),
        ]
    );
    assert!(stale_message(&problems).contains(FIX));

    assert_eq!(
        check_examples(dir.path(), true).unwrap(),
        ["README.md:3", "README.md:10"]
    );
    let text = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
    assert!(
        text.contains(&format!(
            "```text\none\ntwo\n{version}\n```\n<!-- /example -->"
        )),
        "{text}"
    );
    assert!(
        text.contains("````markdown\nNO_COLOR=1\npiped\n````\n<!-- /example -->"),
        "{text}"
    );
    assert_eq!(
        check_examples(dir.path(), false).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn a_failing_or_malformed_example_names_its_file_and_line() {
    let dir = tree(&[
        ("README.md", "# x\n"),
        (
            "docs/a.md",
            "text\n\n<!-- example: echo oops >&2; exit 2 -->\n```\n```\n<!-- /example -->\n\n\
             <!-- example: printf '```\\n' -->\n```\n```\n<!-- /example -->\n",
        ),
        (
            "docs/b.md",
            "<!-- example: true -->\nno fence\n<!-- /example -->\n",
        ),
        ("docs/c.md", "<!-- example: true -->\n```\n"),
    ]);
    assert_eq!(
        check_examples(dir.path(), false).unwrap_err(),
        [
            "docs/a.md:3: the example `echo oops >&2; exit 2` exited with 2 (0 and 1 are outputs); its stderr:\noops",
            "docs/a.md:8: the example `printf '```\\n'` its output holds a line starting with ```: open the \
             block with a longer fence",
            "docs/b.md:1: the example's output must follow in a fenced block (``` on the next line)",
            "docs/b.md:3: `<!-- /example -->` without an example before it",
            "docs/c.md:1: the example has no `<!-- /example -->` after its block",
        ]
    );
}

// ---------------------------------------------------------------------------------------------------
// --help

/// The subcommands listed under "Commands:" in a help text (`help` left out).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_help_ends_with_a_guide_chapter_that_exists() {
    let mut queue = vec![Vec::<String>::new()];
    let mut seen = 0;
    while let Some(words) = queue.pop() {
        let out = perfgate().args(&words).arg("--help").output().unwrap();
        assert!(out.status.success(), "perfgate {words:?} --help");
        let help = String::from_utf8(out.stdout).unwrap();
        let name = format!("perfgate {}", words.join(" "));
        let last = help.trim_end().lines().last().unwrap_or_default();
        let chapter = last.strip_prefix("Guide: ").unwrap_or_else(|| {
            panic!("`{name} --help` does not end with \"Guide: docs/….md\":\n{help}")
        });
        assert!(
            chapter.starts_with("docs/") && chapter.ends_with(".md"),
            "`{name} --help`: {last}"
        );
        // Every chapter named anywhere in the help, not only on the last line.
        for named in help.split(|c: char| c.is_whitespace() || "(),\"'`".contains(c)) {
            let named = named.trim_end_matches(['.', ':', ';']);
            if named.starts_with("docs/") {
                let path = named.split('#').next().unwrap();
                assert!(
                    repo().join(path).is_file(),
                    "`{name} --help` names {named}, which does not exist"
                );
            }
        }
        seen += 1;
        for sub in subcommands(&help) {
            queue.push(words.iter().cloned().chain([sub]).collect());
        }
    }
    assert!(
        seen > 15,
        "only {seen} helps: the Commands: list was not read"
    );
}
