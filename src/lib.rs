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
pub mod choice;
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
pub mod secret;
pub mod severity;
pub mod stats;
pub mod time;
pub mod tls;
pub mod verdict;

pub use analyze::{analyze, Request};
pub use error::{Error, Result};
