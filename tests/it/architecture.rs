//! The module structure stays a graph without cycles, the library stays free of the command line, and
//! rendering stays free of the environment. `cargo test architecture -- --nocapture` prints the listing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// One source file of `src/`, named by its module path (`input::k6_ndjson::scan`).
struct File {
    module: Module,
    path: PathBuf,
    /// Source with comments, string and char literals, and `#[cfg(test)]` items removed.
    code: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read_tree(root: &Path) -> Vec<File> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("walk src/");
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap().with_extension("");
        let mut module: Module = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod" || m == "lib") {
            module.pop();
        }
        if module == ["main"] {
            module = vec!["<bin>".to_string()];
        }
        let text = std::fs::read_to_string(path).unwrap();
        out.push(File {
            module,
            path: path.to_path_buf(),
            code: drop_test_items(&strip_literals(&text)),
        });
    }
    out
}

/// Replaces comments and string/char literals with spaces, keeping the code's shape.
fn strip_literals(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(i + k).copied().unwrap_or('\0');
        if at(0) == '/' && at(1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(0) == '/' && at(1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if (at(0) == 'r' || (at(0) == 'b' && at(1) == 'r'))
            && !prev_is_ident(&c, i)
            && raw_string_start(&c, i + usize::from(at(0) == 'b')).is_some()
        {
            let start = i + usize::from(at(0) == 'b');
            let hashes = raw_string_start(&c, start).unwrap();
            i = start + 1 + hashes + 1;
            while i < c.len() {
                if c[i] == '"' && (0..hashes).all(|k| c.get(i + 1 + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
            out.push_str("\"\"");
        } else if at(0) == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if at(0) == '\'' && (at(1) == '\\' || (at(1) != '\0' && at(2) == '\'')) {
            i += 1;
            while i < c.len() && c[i] != '\'' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(c: &[char], i: usize) -> bool {
    i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_')
}

/// At `r`, the number of `#` of a raw string `r#*"`, if one starts here.
fn raw_string_start(c: &[char], i: usize) -> Option<usize> {
    if c.get(i) != Some(&'r') {
        return None;
    }
    let mut k = i + 1;
    while c.get(k) == Some(&'#') {
        k += 1;
    }
    (c.get(k) == Some(&'"')).then_some(k - i - 1)
}

/// Removes each item marked `#[cfg(test)]`: test modules and test-only imports are not dependencies.
fn drop_test_items(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + "#[cfg(test)]".len()..];
        // The item ends at the first `;` outside braces or at the brace that closes its body.
        let mut depth = 0usize;
        let mut end = after.len();
        for (k, ch) in after.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Every path written in `code` that starts with `crate`, `super` or `self`, or with one of `children`
/// (the modules this file declares), with `use` trees expanded.
fn paths(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(pos) = word_positions(rest, "use").next() {
        let after = &rest[pos + 3..];
        let end = after.find(';').unwrap_or(after.len());
        expand_use(&[], after[..end].trim(), &mut out);
        rest = &after[end..];
    }
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_ident(chars[i]) && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':')) {
            let mut segs = Vec::new();
            let mut k = i;
            loop {
                let start = k;
                while k < chars.len() && is_ident(chars[k]) {
                    k += 1;
                }
                segs.push(chars[start..k].iter().collect::<String>());
                if chars.get(k) == Some(&':')
                    && chars.get(k + 1) == Some(&':')
                    && chars.get(k + 2).is_some_and(|&c| is_ident(c))
                {
                    k += 2;
                } else {
                    break;
                }
            }
            let first = segs[0].as_str();
            if segs.len() > 1
                && (matches!(first, "crate" | "super" | "self") || children.contains(first))
            {
                out.push(segs);
            }
            i = k.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Where `word` stands in `s` as a whole word (not part of a longer identifier).
fn word_positions<'a>(s: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    s.match_indices(word).map(|(at, _)| at).filter(move |&at| {
        let before = s[..at].chars().next_back();
        let after = s[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

fn expand_use(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim().trim_start_matches("::");
    if tree.is_empty() {
        return;
    }
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut base = prefix.to_vec();
        base.extend(head);
        let mut depth = 0;
        let mut start = 0;
        for (k, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_use(&base, &inner[start..k], out);
                    start = k + 1;
                }
                _ => {}
            }
        }
        expand_use(&base, &inner[start..], out);
    } else {
        let name = tree.split(" as ").next().unwrap_or(tree);
        let mut p = prefix.to_vec();
        p.extend(
            name.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        out.push(p);
    }
}

/// The file-level dependencies of every module of `src/`.
fn dependencies(files: &[File]) -> BTreeMap<Module, BTreeSet<Module>> {
    let known: BTreeSet<&Module> = files.iter().map(|f| &f.module).collect();
    let mut graph = BTreeMap::new();
    for f in files {
        let children: BTreeSet<String> = f
            .code
            .split(';')
            .filter_map(|stmt| {
                let words: Vec<&str> = stmt.split_whitespace().collect();
                match words.as_slice() {
                    [.., "mod", name] => Some(name.to_string()),
                    _ => None,
                }
            })
            .collect();
        // `self` is the module itself; `super` its parent (for a `mod.rs`, the directory's parent).
        let here: Module = if f.module == ["<bin>"] {
            vec![]
        } else {
            f.module.clone()
        };
        let mut deps = BTreeSet::new();
        for p in paths(&f.code, &children) {
            let (mut base, mut rest): (Module, &[String]) = match p[0].as_str() {
                "crate" => (vec![], &p[1..]),
                "self" => (here.clone(), &p[1..]),
                "super" => {
                    let mut b = here.clone();
                    b.pop();
                    (b, &p[1..])
                }
                _ => (here.clone(), &p[..]),
            };
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            let mut full = base;
            full.extend(rest.iter().cloned());
            let target = (0..=full.len())
                .rev()
                .map(|k| full[..k].to_vec())
                .find(|m| known.contains(m));
            if let Some(t) = target {
                if !t.is_empty() && t != f.module {
                    deps.insert(t);
                }
            }
        }
        graph.insert(f.module.clone(), deps);
    }
    graph
}

/// The strongly connected components with more than one member (Tarjan).
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.found.push(comp);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// The graph between top-level modules (`input`, `compare`, …), the binary left out.
fn top_level(files: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut g: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, tos) in files {
        if from.first().is_none_or(|m| m == "<bin>") {
            continue;
        }
        let a = from[..1].to_vec();
        let entry = g.entry(a.clone()).or_default();
        for to in tos {
            let b = to[..1].to_vec();
            if b != a {
                entry.insert(b);
            }
        }
    }
    g
}

/// The graph between files, where a file's use of its own ancestors (`super::`) does not count: a
/// directory module's `mod.rs` is its face, which its children may build on.
fn file_level(files: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeMap<Module, BTreeSet<Module>> {
    files
        .iter()
        .map(|(from, tos)| {
            let kept = tos
                .iter()
                .filter(|to| !from.starts_with(to))
                .cloned()
                .collect();
            (from.clone(), kept)
        })
        .collect()
}

fn listing(g: &BTreeMap<Module, BTreeSet<Module>>) -> String {
    g.iter()
        .map(|(a, bs)| {
            let to: Vec<String> = bs.iter().map(name).collect();
            format!("{} -> {}\n", name(a), to.join(", "))
        })
        .collect()
}

fn describe(found: &[Vec<Module>]) -> String {
    found
        .iter()
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(" <-> "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn modules_form_no_cycles() {
    let files = read_tree(&src_dir());
    let deps = dependencies(&files);
    let top = top_level(&deps);
    let per_file = file_level(&deps);
    println!(
        "top-level modules:\n{}\nfiles:\n{}",
        listing(&top),
        listing(&per_file)
    );
    let (a, b) = (cycles(&top), cycles(&per_file));
    assert!(
        a.is_empty(),
        "cycles between top-level modules:\n{}",
        describe(&a)
    );
    assert!(b.is_empty(), "cycles between files:\n{}", describe(&b));
}

/// The library knows nothing of the command line; the binary side (`main.rs`, `cli/`) does.
#[test]
fn the_library_has_no_command_line() {
    let files = read_tree(&src_dir());
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| f.module.first().is_some_and(|m| m != "<bin>" && m != "cli"))
        .filter(|f| find_word_any(&f.code, &["clap", "exit", "ExitCode"]))
        .map(|f| f.path.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "library files using the command line: {offenders:?}"
    );
}

/// Rendering takes the run context as an argument, and the pipeline takes a request: neither reads the
/// environment or writes to the terminal.
#[test]
fn rendering_and_the_pipeline_neither_read_the_environment_nor_print() {
    let files = read_tree(&src_dir());
    let checked: Vec<&File> = files
        .iter()
        .filter(|f| {
            f.module
                .first()
                .is_some_and(|m| m == "report" || m == "analyze")
        })
        .collect();
    assert!(checked.len() > 5, "src/report and src/analyze not found");
    let offenders: Vec<String> = checked
        .iter()
        .filter(|f| {
            [
                "env::var",
                "env!(",
                "println!",
                "eprintln!",
                "print!(",
                "eprint!(",
            ]
            .iter()
            .any(|banned| f.code.contains(banned))
        })
        .map(|f| f.path.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "reads the environment or prints: {offenders:?}"
    );
}

fn find_word_any(code: &str, words: &[&str]) -> bool {
    words
        .iter()
        .any(|w| word_positions(code, w).next().is_some())
}

#[test]
fn the_checker_sees_paths_and_literals_correctly() {
    let code = strip_literals("use crate::{a::{b, c as d}, e};\nlet s = \"crate::x\"; // crate::y\nlet r = r#\"crate::z\"#; super::f::g(); 'q'; fn h<'a>() {}");
    let mut found = paths(&code, &BTreeSet::new());
    found.sort();
    let want: Vec<Vec<String>> = [
        vec!["crate", "a", "b"],
        vec!["crate", "a", "c"],
        vec!["crate", "e"],
        vec!["super", "f", "g"],
    ]
    .iter()
    .map(|v| v.iter().map(|s| s.to_string()).collect())
    .collect();
    // Paths inside `use` are found twice (as a tree and as words); duplicates do not matter.
    found.dedup();
    for w in &want {
        assert!(found.contains(w), "{w:?} not in {found:?}");
    }
    assert!(!found.iter().any(|p| p.contains(&"x".to_string())
        || p.contains(&"y".to_string())
        || p.contains(&"z".to_string())));
    assert_eq!(
        drop_test_items("a #[cfg(test)]\nmod tests { fn f() { } } b"),
        "a  b"
    );
}
