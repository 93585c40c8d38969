//! Catch2's XML reporter (`-r xml`, Catch2 2 `<Catch>` and Catch2 3 `<Catch2TestRun>`): one
//! `<BenchmarkResults name=… samples=… iterations=…>` per `BENCHMARK`, holding `<mean value lowerBound
//! upperBound ci/>`, `<standardDeviation …/>` and `<outliers variance …/>`, all in nanoseconds.
//!
//! `mean` is gated, with Catch2's bootstrap confidence interval; `std_dev` and `outlier_variance` (the
//! share of the variance that outliers explain, Catch2's own warning sign) are reported. Catch2 keeps no
//! raw samples, only their count (`samples`), mean and standard deviation: those are the within-run
//! evidence of one run ([`moment_samples`]). A benchmark that failed
//! (`<failed message=…/>`, no `<mean>`) is named in a warning, never dropped silently.

use roxmltree::{Document, Node};

use crate::error::ParseError;
use crate::input::{check_metric, warn_not_read, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for Catch2's XML reports.
pub struct Catch2XmlInput;

/// The root elements of Catch2 2 and Catch2 3 XML reports.
const ROOTS: [&str; 2] = ["<Catch2TestRun", "<Catch "];

fn attr(node: Node<'_, '_>, name: &str) -> Option<f64> {
    node.attribute(name)?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name(name))
}

fn ns(v: f64) -> Metric {
    Metric::new(v, Unit::Nanoseconds, Direction::LowerIsBetter)
}

/// Most values [`moment_samples`] expands a sample count into (Catch2's default is 100).
const MAX_SAMPLES: f64 = 100_000.0;

/// `n` values with exactly Catch2's mean and standard deviation of its `n` samples, so that the
/// within-run standard error the gate takes from them is Catch2's own `sd / √n`. Catch2 writes no raw
/// samples; this carries the evidence it does write. The shape is that of a run with one slow sample
/// (`n − 1` at `mean − sd/√n`, one at `mean + (n − 1)·sd/√n`), which stays positive even when one
/// preempted sample makes `sd` larger than the mean. Empty when `n` < 2, the count is not a whole
/// number, or a value would not be positive.
pub(crate) fn moment_samples(n: f64, mean: f64, sd: f64) -> Vec<f64> {
    if !(2.0..=MAX_SAMPLES).contains(&n) || n.fract() != 0.0 || !sd.is_finite() || sd < 0.0 {
        return Vec::new();
    }
    // (n − 1)·d² + ((n − 1)·d)² = (n − 1)·sd², with d = sd/√n.
    let d = sd / n.sqrt();
    if !(mean.is_finite() && mean - d > 0.0) {
        return Vec::new();
    }
    let mut v = vec![mean - d; n as usize - 1];
    v.push(mean + (n - 1.0) * d);
    v
}

impl InputFormat for Catch2XmlInput {
    fn id(&self) -> &'static str {
        "catch2"
    }

    fn tool(&self) -> &'static str {
        "Catch2"
    }

    fn example(&self) -> &'static str {
        "./tests --reporter xml --out catch2.xml '[!benchmark]'   # BENCHMARK results, CATCH_CONFIG_ENABLE_BENCHMARKING"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head().trim_start();
        head.starts_with('<') && ROOTS.iter().any(|r| head.contains(r))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let text = probe.text()?;
        let doc = Document::parse(text)
            .map_err(|e| ParseError::syntax(format!("not well-formed XML: {e}")))?;
        let root = doc.root_element();
        if !matches!(root.tag_name().name(), "Catch" | "Catch2TestRun") {
            return Err(ParseError::new(format!(
                "the root element is <{}>, not Catch2's <Catch> or <Catch2TestRun>",
                crate::escape::terminal(root.tag_name().name())
            )));
        }
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        let mut failed = 0;
        for b in root
            .descendants()
            .filter(|n| n.has_tag_name("BenchmarkResults"))
        {
            let raw = b.attribute("name").unwrap_or("").trim();
            let line = doc.text_pos_at(b.range().start).row;
            let Some(mean) = child(b, "mean") else {
                failed += 1;
                let why = child(b, "failed")
                    .and_then(|f| f.attribute("message"))
                    .unwrap_or("no <mean>");
                warn_not_read(probe, Some(line as usize), raw, why);
                continue;
            };
            if raw.is_empty() {
                return Err(
                    ParseError::new("a <BenchmarkResults> has no `name`").at_line(line.into())
                );
            }
            let name = names.unique(raw);
            let value = attr(mean, "value").ok_or_else(|| {
                ParseError::value(format!(
                    "benchmark `{}`: <mean> has no numeric `value`",
                    crate::escape::terminal(raw)
                ))
                .at_line(line.into())
            })?;
            let sd = child(b, "standardDeviation");
            let samples = match (attr(b, "samples"), sd.and_then(|sd| attr(sd, "value"))) {
                (Some(n), Some(sd)) => moment_samples(n, value, sd),
                _ => Vec::new(),
            };
            let m = ns(value)
                .with_ci(attr(mean, "lowerBound"), attr(mean, "upperBound"))
                .with_samples(samples);
            check_metric(&name, "mean", &m).map_err(|e| e.at_line(line.into()))?;
            run.insert(&name, "mean", m);
            if let Some(sd) = sd {
                if let Some(v) = attr(sd, "value") {
                    let m = ns(v).with_ci(attr(sd, "lowerBound"), attr(sd, "upperBound"));
                    run.insert(&name, "std_dev", m.informational());
                }
            }
            if let Some(v) = child(b, "outliers").and_then(|o| attr(o, "variance")) {
                let m = Metric::new(v, Unit::Ratio, Direction::LowerIsBetter);
                run.insert(&name, "outlier_variance", m.informational());
            }
        }
        if run.benchmarks.is_empty() {
            let what = if failed > 0 {
                format!("every benchmark in this Catch2 report failed ({failed})")
            } else {
                "this Catch2 report has no <BenchmarkResults>: run the BENCHMARKs (tag [!benchmark]) of a \
                 build with CATCH_CONFIG_ENABLE_BENCHMARKING"
                    .to_string()
            };
            return Err(ParseError::empty(what));
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> Result<Run, ParseError> {
        let probe = Probe::from_text(Path::new("c.xml"), text);
        assert!(Catch2XmlInput.sniff(&probe));
        Catch2XmlInput.parse(&probe)
    }

    #[test]
    fn catch2_3_root_escaped_names_and_a_failed_benchmark() {
        let run = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Catch2TestRun name="t" rng-seed="1" catch2-version="3.5.2">
  <TestCase name="a" filename="a.cpp" line="3">
    <Section name="s">
      <BenchmarkResults name="vector&lt;int&gt; push &amp; pop" samples="100" iterations="4">
        <mean value="1200.5" lowerBound="1190" upperBound="1210.25" ci="0.95"/>
        <standardDeviation value="30" lowerBound="20" upperBound="40" ci="0.95"/>
        <outliers variance="0.25" lowMild="1" lowSevere="0" highMild="2" highSevere="0"/>
      </BenchmarkResults>
    </Section>
    <BenchmarkResults name="throws" samples="100" iterations="1">
      <failed message="boom"/>
    </BenchmarkResults>
  </TestCase>
</Catch2TestRun>"#,
        )
        .unwrap();
        let m = run.metric("vector<int> push & pop", "mean").unwrap();
        assert_eq!(
            (m.value, m.ci_low, m.ci_high),
            (1200.5, Some(1190.0), Some(1210.25))
        );
        assert!(m.gated);
        // 100 values with Catch2's mean and standard deviation: its within-run error, 30/√100.
        assert_eq!(m.samples.len(), 100);
        let (lm, se) = crate::stats::log_mean_se(&m.samples).unwrap();
        assert!((lm.exp() - 1200.5).abs() < 1e-6, "{lm}");
        assert!((se - 3.0 / 1200.5).abs() < 1e-9, "{se}");
        let sd = run.metric("vector<int> push & pop", "std_dev").unwrap();
        assert_eq!(sd.value, 30.0);
        assert!(!sd.gated);
        assert_eq!(
            run.metric("vector<int> push & pop", "outlier_variance")
                .unwrap()
                .value,
            0.25
        );
        assert_eq!(run.benchmarks.len(), 1);
    }

    #[test]
    fn moment_samples_keep_mean_and_standard_deviation() {
        for n in [2.0, 3.0, 7.0, 100.0] {
            let v = moment_samples(n, 50.0, 4.0);
            assert_eq!(v.len(), n as usize);
            let mean = crate::stats::moments::mean(&v);
            let sd = (crate::stats::moments::sum_sq_dev(&v) / (n - 1.0)).sqrt();
            assert!(
                (mean - 50.0).abs() < 1e-9 && (sd - 4.0).abs() < 1e-9,
                "{n}: {mean} {sd}"
            );
        }
        assert!(moment_samples(1.0, 50.0, 4.0).is_empty());
        assert!(moment_samples(2.5, 50.0, 4.0).is_empty());
        assert!(moment_samples(1e9, 50.0, 4.0).is_empty());
        // One preempted sample: the standard deviation above the mean, every value still positive.
        let v = moment_samples(100.0, 17.1, 82.8);
        assert!(v.iter().all(|x| *x > 0.0) && v.len() == 100);
        assert!(
            moment_samples(4.0, 50.0, 100.0).is_empty(),
            "no value at or below zero"
        );
    }

    #[test]
    fn refusals_name_the_problem() {
        let e = parse("<Catch name=\"t\"><Group name=\"t\"><TestCase name=\"x\"/></Group></Catch>")
            .unwrap_err();
        assert!(
            e.message.contains("CATCH_CONFIG_ENABLE_BENCHMARKING"),
            "{}",
            e.message
        );
        let e = parse("<Catch name=\"t\"><BenchmarkResults name=\"x\"><mean value=\"1\"></Catch>")
            .unwrap_err();
        assert!(e.message.contains("not well-formed XML"), "{}", e.message);
        let e = parse("<Catch name=\"t\"><BenchmarkResults name=\"x\"><mean value=\"fast\"/></BenchmarkResults></Catch>")
            .unwrap_err();
        assert!(e.message.contains("no numeric `value`"), "{}", e.message);
        assert!(!Catch2XmlInput.sniff(&Probe::from_text(Path::new("j.xml"), "<testsuites>")));
    }
}
