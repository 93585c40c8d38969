//! `--results GLOB`: which files (or directories) one run wrote, relative to a tree.
//!
//! The pattern is a [`globset`] glob (ripgrep's): `*`, `?` and `[ab]` stay inside a component, `**` spans
//! any number of directories, `\` escapes. It is compiled once. The walk starts at the pattern's literal
//! prefix and skips `.git`, so `bench.json` costs one `stat` and `target/criterion` one directory, not a
//! walk of the whole tree.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use globset::{GlobBuilder, GlobMatcher};

/// What starts a glob construct in a component (`\` escapes one): such a component is not literal.
const SPECIAL: [char; 6] = ['*', '?', '[', '{', '\\', ']'];

/// A parsed `--results` pattern.
#[derive(Debug, Clone)]
pub struct Glob {
    /// Leading components without wildcards.
    prefix: PathBuf,
    /// How many components the rest of the pattern has, and whether one is `**` (any depth).
    depth: usize,
    deep: bool,
    /// The rest of the pattern, matched against paths relative to `prefix`; `None` when it is all prefix.
    matcher: Option<GlobMatcher>,
}

/// What a matched path looked like: newest modification time, total bytes, number of files.
pub type Fingerprint = (Option<SystemTime>, u64, usize);

impl Glob {
    /// Parses a pattern relative to a tree; absolute paths and `..` are refused (a run's files live in its tree).
    pub fn new(pattern: &str) -> Result<Glob, String> {
        let path = Path::new(pattern);
        if pattern.trim().is_empty() {
            return Err("empty pattern".into());
        }
        let mut prefix = PathBuf::new();
        let mut parts = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(s) => {
                    let s = s
                        .to_str()
                        .ok_or_else(|| "not valid UTF-8".to_string())?
                        .to_string();
                    if parts.is_empty() && !s.contains(SPECIAL) {
                        prefix.push(s);
                    } else {
                        parts.push(s);
                    }
                }
                Component::CurDir => {}
                _ => {
                    return Err(
                        "must be relative to the tree and stay inside it (no leading `/`, no `..`)"
                            .into(),
                    )
                }
            }
        }
        if prefix.as_os_str().is_empty() && parts.is_empty() {
            return Err("names no file".into());
        }
        let matcher = if parts.is_empty() {
            None
        } else {
            let glob = GlobBuilder::new(&parts.join("/"))
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| e.kind().to_string())?;
            Some(glob.compile_matcher())
        };
        Ok(Glob {
            prefix,
            depth: parts.len(),
            deep: parts.iter().any(|p| p.contains("**")),
            matcher,
        })
    }

    /// Paths below `root` that match, relative to `root`, sorted. A matching directory is taken whole.
    pub fn matches(&self, root: &Path) -> Vec<PathBuf> {
        let start = root.join(&self.prefix);
        let Some(matcher) = &self.matcher else {
            return if start.exists() {
                vec![self.prefix.clone()]
            } else {
                Vec::new()
            };
        };
        if !start.is_dir() {
            return Vec::new();
        }
        let mut walk = walkdir::WalkDir::new(&start)
            .min_depth(1)
            .sort_by_file_name();
        if !self.deep {
            walk = walk.max_depth(self.depth);
        }
        let mut found = Vec::new();
        let mut it = walk.into_iter();
        while let Some(entry) = it.next() {
            let Ok(entry) = entry else { continue };
            let is_dir = entry.file_type().is_dir();
            if is_dir && entry.file_name() == ".git" {
                it.skip_current_dir();
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&start) else {
                continue;
            };
            if matcher.is_match(rel) {
                found.push(self.prefix.join(rel));
                if is_dir {
                    it.skip_current_dir();
                }
            }
        }
        found
    }

    /// Fingerprints of every current match, to tell afterwards which ones a run wrote.
    pub fn fingerprints(&self, root: &Path) -> BTreeMap<PathBuf, Fingerprint> {
        self.matches(root)
            .into_iter()
            .map(|rel| {
                let fp = fingerprint(&root.join(&rel));
                (rel, fp)
            })
            .collect()
    }

    /// Matches that are new or changed since `before`.
    pub fn written_since(
        &self,
        root: &Path,
        before: &BTreeMap<PathBuf, Fingerprint>,
    ) -> Vec<PathBuf> {
        self.matches(root)
            .into_iter()
            .filter(|rel| before.get(rel) != Some(&fingerprint(&root.join(rel))))
            .collect()
    }
}

fn fingerprint(path: &Path) -> Fingerprint {
    let mut fp: Fingerprint = (None, 0, 0);
    for entry in walkdir::WalkDir::new(path).into_iter().flatten() {
        if let Ok(meta) = entry.metadata() {
            if meta.is_file() {
                fp.0 = fp.0.max(meta.modified().ok());
                fp.1 += meta.len();
                fp.2 += 1;
            }
        }
    }
    fp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched(root: &Path, pattern: &str) -> Vec<String> {
        Glob::new(pattern)
            .unwrap()
            .matches(root)
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "{}").unwrap();
    }

    #[test]
    fn components_match_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "bench.json",
            "out/a.json",
            "out/deep/b.json",
            "target/criterion/fib/new/estimates.json",
            "target/criterion/fib/base/estimates.json",
            ".git/x.json",
        ] {
            touch(root, f);
        }
        let m = |p: &str| matched(root, p);
        assert_eq!(m("bench.json"), ["bench.json"]);
        assert_eq!(m("*.json"), ["bench.json"]);
        assert_eq!(m("out/*.json"), ["out/a.json"]);
        assert_eq!(m("out/**/*.json"), ["out/a.json", "out/deep/b.json"]);
        assert_eq!(
            m("target/criterion/*/new/estimates.json"),
            ["target/criterion/fib/new/estimates.json"]
        );
        assert_eq!(m("target/criterion"), ["target/criterion"]);
        assert_eq!(m("./missing.json"), Vec::<String>::new());
    }

    #[test]
    fn character_classes_work_in_the_prefix_and_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "target/a1/x.json",
            "target/b2/x.json",
            "target/c3/x.json",
            "[lit]/x.json",
        ] {
            touch(root, f);
        }
        let m = |p: &str| matched(root, p);
        assert_eq!(
            m("target/[ab]*/x.json"),
            ["target/a1/x.json", "target/b2/x.json"]
        );
        assert_eq!(m("target/[!ab]*/x.json"), ["target/c3/x.json"]);
        assert_eq!(m("[[]lit]/x.json"), ["[lit]/x.json"]);
        assert_eq!(m("\\[lit\\]/*.json"), ["[lit]/x.json"]);
        assert_eq!(
            m("target/{a,c}?/x.json"),
            ["target/a1/x.json", "target/c3/x.json"]
        );
        assert!(Glob::new("target/[ab/x.json").is_err());
    }

    #[test]
    fn escaping_the_tree_is_refused() {
        for bad in ["/etc/passwd", "../x.json", "a/../../b", "", "."] {
            assert!(Glob::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_written_files_count() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "old.json");
        let g = Glob::new("*.json").unwrap();
        let before = g.fingerprints(root);
        assert!(g.written_since(root, &before).is_empty());
        std::fs::write(root.join("old.json"), "{\"changed\": 1}").unwrap();
        touch(root, "new.json");
        let written: Vec<_> = g.written_since(root, &before);
        assert_eq!(
            written,
            [PathBuf::from("new.json"), PathBuf::from("old.json")]
        );
    }
}
