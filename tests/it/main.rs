//! The integration tests: one binary, so the dependency graph is linked once (`cargo test --test it NAME`).

mod common;

mod action_scripts;
mod architecture;
mod bad_input;
mod baseline_safety;
mod cli;
mod decision_rule;
mod docs;
mod failures;
mod formats_load;
mod formats_micro;
mod github;
mod history;
mod hostile_input;
mod hostile_names;
mod load_testers;
mod loadtest;
mod noise;
mod policy;
mod prometheus;
mod report;
mod tls;
mod workers;
