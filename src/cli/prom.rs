//! `perfgate pull` and `perfgate push`: the arguments and tokens for [`perfgate::prom`], and what it did.

use std::io::Write;

use perfgate::error::Result;
use perfgate::prom::pull::{PullOptions, TrendUnit};
use perfgate::prom::push::PushOptions;
use perfgate::report::plural;

use super::args::{PullArgs, PushArgs};
use super::{stdout_err, EXIT_PASS};

/// A bearer token from the environment; never printed.
fn token(var: &str) -> Option<perfgate::secret::Token> {
    std::env::var(var)
        .ok()
        .and_then(perfgate::secret::Token::new)
}

pub fn pull(args: &PullArgs, out: &mut dyn Write) -> Result<u8> {
    let pulled = perfgate::prom::pull::pull(&PullOptions {
        prometheus_url: args.prometheus_url.clone(),
        testid: args.testid.clone(),
        start: args.start.clone(),
        end: args.end.clone(),
        lookback: args.lookback.into(),
        time_unit: if args.time_unit == "s" {
            TrendUnit::Seconds
        } else {
            TrendUnit::Milliseconds
        },
        name: args.name.clone(),
        output: args.output.clone(),
        token: token("PERFGATE_PROMETHEUS_TOKEN"),
    })?;
    for a in &pulled.approximate {
        eprintln!(
            "perfgate: note: {a} spans several series (tags such as status or method); the worse value is kept, not gated"
        );
    }
    writeln!(
        out,
        "wrote {}: {}, {} from {} series",
        args.output.display(),
        plural(pulled.benchmarks, "benchmark"),
        plural(pulled.metrics, "metric"),
        pulled.series
    )
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}

pub fn push(args: &PushArgs, out: &mut dyn Write) -> Result<u8> {
    let opts = PushOptions {
        pushgateway: args.pushgateway.clone(),
        job: args.job.clone(),
        branch: args.branch.clone(),
        token: token("PERFGATE_PUSHGATEWAY_TOKEN"),
    };
    let verdict = perfgate::github::stored::read_verdict(&args.from)?;
    let pushed = perfgate::prom::push::push(&verdict, &opts)?;
    writeln!(
        out,
        "pushed {} comparisons to {}",
        pushed.comparisons, pushed.url
    )
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}
