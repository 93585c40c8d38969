//! The corpus of real result files, for the integration tests (`common`) and the library's unit tests
//! (`src/input/mod.rs` includes this file with `#[path]`): one loader for both.
//!
//! `fixtures/corpus/<dir>/` holds the files whose licence allows copying them, in every checkout. When
//! `PERFGATE_SHARED_FORMATS` points to the `../shared/formats` beside the checkout (as `.ci/run` does), the
//! files of that corpus kept outside the repository for their licences are added.

use std::path::{Path, PathBuf};

/// Whether the outside corpus is given. Set, the variable must name the `../shared/formats` beside the
/// checkout.
pub fn given() -> bool {
    let Some(var) = std::env::var_os("PERFGATE_SHARED_FORMATS") else {
        return false;
    };
    let want = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/formats");
    let (got, want) = (std::fs::canonicalize(&var), std::fs::canonicalize(&want));
    match (got, want) {
        (Ok(g), Ok(w)) if g == w => true,
        (g, w) => panic!(
            "PERFGATE_SHARED_FORMATS={} must be the ../shared/formats beside the checkout ({g:?} vs {w:?})",
            Path::new(&var).display()
        ),
    }
}

/// The real result files of the format directory `dir` (`""` for every directory), sorted by directory
/// and name: those of `fixtures/corpus/<dir>/`, plus those of `../shared/formats/<dir>/` when [`given`]
/// (which must hold some). A file in both must be byte-identical and is listed once.
pub fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut roots = vec![(root.join("fixtures/corpus"), false)];
    if given() {
        roots.push((root.join("../shared/formats"), true));
    }
    let mut v: Vec<PathBuf> = Vec::new();
    for (r, outside) in roots {
        let dirs = if dir.is_empty() {
            let mut d: Vec<PathBuf> = list(&r).into_iter().filter(|p| p.is_dir()).collect();
            d.sort();
            d
        } else {
            vec![r.join(dir)]
        };
        for d in dirs {
            let found = list(&d);
            assert!(
                !(outside && found.is_empty()),
                "no files in {}",
                d.display()
            );
            for p in found {
                let same = |c: &&PathBuf| {
                    c.file_name() == p.file_name()
                        && c.parent().and_then(Path::file_name)
                            == p.parent().and_then(Path::file_name)
                };
                match v.iter().find(same) {
                    Some(c) => assert!(
                        std::fs::read(c).unwrap() == std::fs::read(&p).unwrap(),
                        "{} differs from {}",
                        c.display(),
                        p.display()
                    ),
                    None => v.push(p),
                }
            }
        }
    }
    v.sort_by(|a, b| {
        let key = |p: &PathBuf| {
            (
                p.parent().and_then(Path::file_name).map(|n| n.to_owned()),
                p.file_name().map(|n| n.to_owned()),
            )
        };
        key(a).cmp(&key(b))
    });
    v
}

/// The file `<dir>/<name>` of [`files`]; `None` when it is outside the repository and the outside corpus
/// is not given.
pub fn file(rel: &str) -> Option<PathBuf> {
    let (dir, name) = rel.split_once('/').expect("<dir>/<name>");
    let found = files(dir)
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == name));
    assert!(found.is_some() || !given(), "no file {rel}");
    found
}

fn list(d: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(d) {
        Ok(rd) => rd.map(|e| e.expect("directory entry").path()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", d.display()),
    }
}
