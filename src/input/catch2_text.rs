//! Catch2's console output of `BENCHMARK`s (Catch2 2 and 3): under the header `benchmark name  samples
//! iterations estimated` each benchmark is three rows, `name samples iterations estimated`, `mean low-mean
//! high-mean` and `std-dev low high`, durations with their unit (`ns`, `us`, `ms`, `s`, `m`).
//!
//! A name longer than its column is wrapped by Catch2 over several rows, padded to the table's width,
//! the numbers on the last one (github-action-benchmark #55 reads only that last piece). The pieces are
//! joined back as Catch2 cut them: at a space, or after one of `])}>.,:;*+-=&/\` and before one of
//! `[({<|` with no space, or mid-word with a `-` of its own. Where the cut cannot tell whether a space
//! was there, the name read is said in a warning; the XML reporter ([`super::catch2`]) has names exact.
//!
//! `mean` is gated (its bounds as the confidence interval, and the sample count, mean and standard
//! deviation as the within-run evidence, as in [`super::catch2::moment_samples`]), `std_dev` reported. With
//! `--benchmark-no-analysis` the single row holds the mean only. A row that says `Benchmark failed` is
//! named in a warning.

use crate::error::ParseError;
use crate::input::{check_metric, lines, units, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for Catch2's console benchmark table.
pub struct Catch2TextInput;

/// A duration as Catch2 prints it, in nanoseconds: `7.30281 us`.
fn duration(value: &str, unit: &str) -> Option<f64> {
    let v = value.parse::<f64>().ok().filter(|v| v.is_finite())?;
    let factor = match unit {
        "m" => 60e9,
        u => units::time_unit(u)?.nanos()?,
    };
    Some(v * factor)
}

/// Three durations: `7.30281 us    7.20463 us    7.48471 us`.
fn three_durations(line: &str) -> Option<[f64; 3]> {
    let t: Vec<&str> = line.split_whitespace().collect();
    if t.len() != 6 {
        return None;
    }
    Some([
        duration(t[0], t[1])?,
        duration(t[2], t[3])?,
        duration(t[4], t[5])?,
    ])
}

/// The first row of a benchmark: its name (or the name's last piece), samples, iterations, and a
/// duration (the estimate, or the mean without analysis).
fn first_row(line: &str) -> Option<(&str, f64, f64)> {
    let rest = line.trim_end();
    let (rest, unit) = rest.rsplit_once(char::is_whitespace)?;
    let (rest, value) = rest.trim_end().rsplit_once(char::is_whitespace)?;
    let d = duration(value, unit)?;
    let (rest, iterations) = rest.trim_end().rsplit_once(char::is_whitespace)?;
    let (name, samples) = rest.trim_end().rsplit_once(char::is_whitespace)?;
    let int = |s: &str| s.parse::<u64>().ok().map(|v| v as f64);
    int(iterations)?;
    let samples = int(samples)?;
    let name = name.trim();
    (!name.is_empty()).then_some((name, samples, d))
}

/// Characters after which, and before which, Catch2's text wrapping may cut without a space.
const BREAK_AFTER: &str = "])}>.,:;*+-=&/\\";
const BREAK_BEFORE: &str = "[({<|";

/// Joins the wrapped pieces of a name; `ambiguous` is set when a cut may have eaten a space.
fn join(pieces: &[String], width: usize, ambiguous: &mut bool) -> String {
    let mut name = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            name.push_str(piece);
            continue;
        }
        let last = name.chars().last().unwrap_or(' ');
        let first = piece.chars().next().unwrap_or(' ');
        let prev = &pieces[i - 1];
        if last == '-' && prev.chars().count() >= width.saturating_sub(1) && width > 1 {
            // A word longer than the column, cut mid-word with a hyphen of Catch2's own.
            name.pop();
        } else if BREAK_AFTER.contains(last) || BREAK_BEFORE.contains(first) {
            // `a,b` and `a, b` wrap alike; after `,` `;` `:` a space is the usual spelling.
            if matches!(last, ',' | ';' | ':') && first != ':' {
                name.push(' ');
            }
            *ambiguous = true;
        } else {
            name.push(' ');
        }
        name.push_str(piece);
    }
    name
}

/// One table's layout, from its header row.
struct Table {
    /// Column where `samples` starts: the name column's width.
    name_width: usize,
    /// Without analysis (`--benchmark-no-analysis`): one row per benchmark, the mean in it.
    analysis: bool,
}

fn header(line: &str) -> Option<Table> {
    let rest = line.strip_prefix("benchmark name")?;
    let at = rest.find("samples")?;
    Some(Table {
        name_width: "benchmark name".len() + at,
        analysis: !rest.contains("mean"),
    })
}

impl InputFormat for Catch2TextInput {
    fn id(&self) -> &'static str {
        "catch2-text"
    }

    fn tool(&self) -> &'static str {
        "Catch2"
    }

    fn example(&self) -> &'static str {
        "./tests '[!benchmark]' | tee bench.txt   # the console reporter's benchmark table"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        !head.trim_start().starts_with(['{', '[', '<'])
            && lines(head).any(|l| header(l).is_some() && l.contains("iterations"))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let all: Vec<&str> = lines(probe.text()?).collect();
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        let warn = |n: usize, what: String| {
            eprintln!(
                "perfgate: warning: {}: line {n}: {what}",
                probe.path().display()
            );
        };
        let mut table: Option<Table> = None;
        let mut in_rows = false;
        let mut pieces: Vec<String> = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let line = all[i];
            let n = i + 1;
            i += 1;
            if let Some(t) = header(line) {
                table = Some(t);
                in_rows = false;
                pieces.clear();
                continue;
            }
            let Some(t) = &table else { continue };
            let trimmed = line.trim();
            if !in_rows {
                // The header's own rows end at a rule of dashes.
                in_rows = trimmed.len() > 3 && trimmed.chars().all(|c| c == '-');
                continue;
            }
            if trimmed.len() > 3 && trimmed.chars().all(|c| c == '-' || c == '=') {
                table = None; // the next test case's banner, or the summary
                continue;
            }
            if trimmed.contains("Benchmark failed") {
                let mut name = pieces.join(" ");
                if name.is_empty() && i >= 2 {
                    // The failed benchmark's first row, whose numbers may be missing.
                    let prev = all[i - 2];
                    name = prev.get(..t.name_width).unwrap_or(prev).trim().to_string();
                }
                warn(
                    n,
                    format!(
                        "benchmark `{}` not read: {}",
                        crate::escape::terminal(&name),
                        crate::escape::terminal(trimmed)
                    ),
                );
                pieces.clear();
                continue;
            }
            if let Some((last, samples, d)) = first_row(line) {
                pieces.push(last.to_string());
                let mut ambiguous = false;
                let raw = join(&pieces, t.name_width.saturating_sub(2), &mut ambiguous);
                pieces.clear();
                if ambiguous {
                    warn(
                        n,
                        format!(
                            "benchmark name wrapped by Catch2 read as `{}` (the wrap does not show whether a \
                             space was cut; `-r xml` keeps names exact)",
                            crate::escape::terminal(&raw)
                        ),
                    );
                }
                let name = names.unique(&raw);
                let (mean, low, high) = if t.analysis {
                    let Some(m) = all.get(i).and_then(|l| three_durations(l)) else {
                        warn(
                            n,
                            format!(
                                "benchmark `{}` not read: no `mean  low mean  high mean` row after it",
                                crate::escape::terminal(&raw)
                            ),
                        );
                        continue;
                    };
                    i += 1;
                    (m[0], Some(m[1]), Some(m[2]))
                } else {
                    (d, None, None)
                };
                let sd = if t.analysis {
                    all.get(i).and_then(|l| three_durations(l))
                } else {
                    None
                };
                if sd.is_some() {
                    i += 1;
                }
                let within = sd.map_or_else(Vec::new, |sd| {
                    super::catch2::moment_samples(samples, mean, sd[0])
                });
                let m = Metric::new(mean, Unit::Nanoseconds, Direction::LowerIsBetter)
                    .with_ci(low, high)
                    .with_samples(within);
                check_metric(&name, "mean", &m).map_err(|e| e.at_line(n as u64))?;
                run.insert(&name, "mean", m);
                if let Some(sd) = sd {
                    let m = Metric::new(sd[0], Unit::Nanoseconds, Direction::LowerIsBetter)
                        .with_ci(Some(sd[1]), Some(sd[2]));
                    run.insert(&name, "std_dev", m.informational());
                }
                continue;
            }
            // A piece of a wrapped name fills the name column and is padded to the table's width.
            let padded = line.len() > t.name_width
                && line.is_char_boundary(t.name_width)
                && line[t.name_width..].trim().is_empty();
            if !trimmed.is_empty() && padded {
                pieces.push(trimmed.to_string());
            } else {
                pieces.clear();
            }
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const HEAD: &str = "benchmark name                       samples       iterations    estimated\n\
                        \x20                                    mean          low mean      high mean\n\
                        \x20                                    std dev       low std dev   high std dev\n\
                        -------------------------------------------------------------------------------\n";

    fn parse(body: &str) -> Run {
        let probe = Probe::from_text(Path::new("c.txt"), &format!("{HEAD}{body}"));
        assert!(Catch2TextInput.sniff(&probe));
        Catch2TextInput.parse(&probe).unwrap()
    }

    #[test]
    fn wrapped_names_are_joined_as_catch2_cut_them() {
        let pad = |s: &str| format!("{s:<79}\n");
        let body = format!(
            "{}{}{}{}{}{}",
            pad("join strings with a separator into"),
            "one long string, 500 parts                      30             5     2.4918 ms \n\
             \x20                                       4.55921 us    4.43167 us    4.81475 us \n\
             \x20                                       484.936 ns    235.749 ns    752.117 ns \n\
             \n",
            pad("std::vector<int>/push_back/"),
            "1000                                           100             1     1.2 m \n\
             \x20                                           1 s           1 s           1 s \n\
             \x20                                          0 ns          0 ns          0 ns \n\n",
            pad("averyveryveryveryveryverylongwordth-"),
            "atwraps                                        100            20       7.48 ms \n\
             \x20                                    3.789 us      3.734 us      3.888 us \n\
             \x20                                      362 ns        234 ns        539 ns \n",
        );
        let run = parse(&body);
        let m = run
            .metric(
                "join strings with a separator into one long string, 500 parts",
                "mean",
            )
            .unwrap();
        assert_eq!(
            (m.value, m.ci_low, m.ci_high),
            (4559.21, Some(4431.67), Some(4814.75))
        );
        assert!(
            (run.metric(
                "join strings with a separator into one long string, 500 parts",
                "std_dev"
            )
            .unwrap()
            .value
                - 484.936)
                .abs()
                < 1e-9
        );
        assert_eq!(
            run.metric("std::vector<int>/push_back/1000", "mean")
                .unwrap()
                .value,
            1e9
        );
        assert_eq!(
            run.metric("averyveryveryveryveryverylongwordthatwraps", "mean")
                .unwrap()
                .value,
            3789.0
        );
        assert_eq!(run.benchmarks.len(), 3);
    }

    #[test]
    fn no_analysis_rows_and_failed_benchmarks() {
        let probe = Probe::from_text(
            Path::new("c.txt"),
            "benchmark name                            samples    iterations          mean\n\
             -------------------------------------------------------------------------------\n\
             fib 20                                         100             3    7.30281 us \n\
             throws                                         100             1 \n\
             Benchmark failed (boom)\n",
        );
        assert!(Catch2TextInput.sniff(&probe));
        let run = Catch2TextInput.parse(&probe).unwrap();
        assert_eq!(run.metric("fib 20", "mean").unwrap().value, 7302.81);
        assert_eq!(run.metric("fib 20", "mean").unwrap().ci_low, None);
        assert_eq!(run.benchmarks.len(), 1);
    }
}
