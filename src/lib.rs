//! perfgate: a performance regression gate for CI.
//!
//! Reads benchmark and load-test results ([`input`]), compares every metric with a baseline snapshot kept in
//! the repository ([`baseline`], [`compare`]), grades each change ([`severity`]) and reports a verdict
//! ([`verdict`], [`report`]). [`analyze()`] runs the whole pipeline for a [`Request`]; the `perfgate`
//! command line is a thin layer on top of it.

pub mod ab;
pub mod analyze;
pub mod baseline;
pub mod bounded_read;
pub mod budget;
pub mod compare;
pub mod comparison;
pub mod error;
pub mod escape;
pub mod evidence;
pub mod github;
pub mod history;
pub mod input;
pub mod loadtest;
pub mod model;
pub mod policy;
pub mod prom;
pub mod report;
pub mod severity;
pub mod stats;
pub mod verdict;

pub use analyze::{analyze, Request};
pub use error::{Error, Result};

#[cfg(test)]
mod layering {
    use std::path::Path;

    /// Every `.rs` file under `dir`, with its text.
    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }

    #[test]
    fn clap_is_only_on_the_binary_side() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let binary = [src.join("main.rs"), src.join("cli")];
        // Built at run time, so that this file does not match itself.
        let (path_use, plain_use) = (["clap", "::"].concat(), ["use ", "clap"].concat());
        let offenders: Vec<&String> = files
            .iter()
            .filter(|(path, _)| !binary.iter().any(|b| Path::new(path).starts_with(b)))
            .filter(|(_, text)| text.contains(&path_use) || text.contains(&plain_use))
            .map(|(path, _)| path)
            .collect();
        assert!(offenders.is_empty(), "clap in the library: {offenders:?}");
    }

    #[test]
    fn the_pipeline_neither_prints_nor_reads_the_environment() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analyze"),
            &mut files,
        );
        assert!(!files.is_empty());
        for (path, text) in &files {
            for banned in [
                "std::env",
                "println!",
                "eprintln!",
                "print!(",
                "process::exit",
            ] {
                assert!(!text.contains(banned), "{path} uses {banned}");
            }
        }
    }
}
