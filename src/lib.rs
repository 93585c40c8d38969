//! perfgate: a performance regression gate for CI.
//!
//! Reads benchmark and load-test results ([`input`]), compares every metric with a baseline snapshot kept in
//! the repository ([`baseline`], [`compare`]), grades each change ([`severity`]) and reports a verdict
//! ([`verdict`], [`report`]).

pub mod ab;
pub mod app;
pub mod baseline;
pub mod bounded_read;
pub mod budget;
pub mod cli;
pub mod compare;
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
pub mod time;
pub mod verdict;

pub use error::{Error, Result};
