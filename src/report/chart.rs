//! Charts of metric history, drawn with plotters' SVG backend: one figure per benchmark, a panel per
//! gated metric with its segments, noise bands, change points and band thresholds. `--output html`
//! inlines the figures in a page (no script or network, so it opens offline); `--output svg` stacks the
//! same figures, in the same order, in one SVG.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use std::fmt::Write as _;

use crate::escape;
use crate::history::{Analysed, Change, Series};
use crate::report::value;
use crate::severity::{Bands, Severity};

/// The label of the snapshot at `x`, on whole snapshot indices only (plotters asks for ticks in between).
fn label_at(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// The series' values as a line with a dot per snapshot (x is the snapshot's index).
fn draw_values<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    s: &Series,
    colour: RGBColor,
) -> Option<()> {
    let pts: Vec<(f64, f64)> = s
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64, p.value))
        .collect();
    chart
        .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
        .ok()?;
    chart
        .draw_series(pts.iter().map(|p| Circle::new(*p, 3, colour.filled())))
        .ok()?;
    Some(())
}

const FIGURE_W: u32 = 900;
const METRIC_H: u32 = 230;
/// Colours of the metrics in a figure (values, band and marks of one metric share one).
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// x-axis label of a point: short commit and date (`abc1234 12-07`), or date and time without a commit.
fn x_label(p: &crate::history::Point) -> String {
    let date = p.created_at.get(5..10).unwrap_or(&p.created_at);
    match &p.commit {
        Some(c) => format!("{} {date}", c.chars().take(7).collect::<String>()),
        None => p
            .created_at
            .get(5..16)
            .unwrap_or(&p.created_at)
            .replace('T', " "),
    }
}

/// One figure per benchmark: a panel per gated metric, sharing the snapshot axis.
fn benchmark_svg(panels: &[&Analysed]) -> String {
    let mut out = String::new();
    {
        let height = METRIC_H * panels.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut out, (FIGURE_W, height)).into_drawing_area();
        // Drawing errors only arise from the backend writing to a String, which cannot fail.
        let _ = root.fill(&WHITE);
        draw_figure(&root, panels);
        let _ = root.present();
    }
    out
}

fn draw_figure(area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>, panels: &[&Analysed]) {
    let areas = area.split_evenly((panels.len().max(1), 1));
    for (k, (a, area)) in panels.iter().zip(areas.iter()).enumerate() {
        let _ = draw_metric(a, area, PALETTE[k % PALETTE.len()]);
    }
}

/// A benchmark's series as the page and the SVG show them: charted (gated and moving), flat (never
/// moved: one line of text) and not gated (named only).
struct Figure<'a> {
    benchmark: &'a str,
    charted: Vec<&'a Analysed>,
    flat: Vec<&'a Analysed>,
    ungated: Vec<&'a Analysed>,
}

/// Worst severity, metrics at it, largest step (percent).
type Weight = (Severity, usize, f64);

/// How much a benchmark's history matters, for ordering the figures: its worst marked change point in a
/// gated metric (regressions above improvements), how many of its metrics stepped that badly, and the
/// largest step among them. `None` when nothing stepped beyond the low band.
fn weight(of_bench: &[&Analysed]) -> Option<Weight> {
    let steps: Vec<_> = of_bench
        .iter()
        .filter(|a| a.series.gated)
        .flat_map(|a| &a.change_points)
        .filter(|c| c.severity != Severity::Unchanged)
        .collect();
    let worst = steps.iter().map(|c| c.severity).max()?;
    let at_worst: Vec<_> = steps.iter().filter(|c| c.severity == worst).collect();
    // A rate leaving 0 has no percent: it counts as the largest step.
    let largest = at_worst
        .iter()
        .map(|c| c.worse_pct.map_or(f64::INFINITY, f64::abs))
        .fold(0.0, f64::max);
    Some((worst, at_worst.len(), largest))
}

/// The figures, those that matter first: benchmarks whose gated metrics stepped beyond the low band
/// (worst severity first, then the most metrics at it, then the largest step), then the rest in the
/// order of the series.
fn figures(analysed: &[Analysed]) -> Vec<Figure<'_>> {
    let mut names: Vec<&str> = Vec::new();
    for a in analysed {
        if !names.contains(&a.series.benchmark.as_str()) {
            names.push(&a.series.benchmark);
        }
    }
    let mut out: Vec<(Option<Weight>, Figure<'_>)> = names
        .into_iter()
        .map(|b| {
            let of_bench: Vec<&Analysed> = analysed
                .iter()
                .filter(|a| a.series.benchmark == b)
                .collect();
            let w = weight(&of_bench);
            let (flat, moving): (Vec<&Analysed>, Vec<&Analysed>) =
                of_bench.into_iter().partition(|a| a.is_flat());
            let (charted, ungated) = moving.into_iter().partition(|a| a.series.gated);
            (
                w,
                Figure {
                    benchmark: b,
                    charted,
                    flat,
                    ungated,
                },
            )
        })
        .collect();
    // Stable: equal weights keep the series' order.
    out.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) => b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.total_cmp(&a.2)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    out.into_iter().map(|(_, f)| f).collect()
}

const TITLE_H: u32 = 34;

/// `--output svg`: the page's figures, in its order, stacked in one SVG under a title per benchmark.
/// Metrics that never moved and ungated ones are named under the title, as on the page.
pub fn svg(analysed: &[Analysed]) -> String {
    let figs: Vec<Figure<'_>> = figures(analysed)
        .into_iter()
        .filter(|f| !f.charted.is_empty())
        .collect();
    let height: u32 = figs
        .iter()
        .map(|f| TITLE_H + METRIC_H * f.charted.len() as u32)
        .sum::<u32>()
        .max(TITLE_H);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (FIGURE_W, height)).into_drawing_area();
        // Drawing errors only arise from the backend writing to a String, which cannot fail.
        let _ = root.fill(&WHITE);
        if figs.is_empty() {
            let _ = root.draw(&Text::new(
                "no gated metric moved: nothing to chart",
                (10, 10),
                ("sans-serif", 15),
            ));
        }
        let mut rest = root.clone();
        for f in &figs {
            let (figure, below) =
                rest.split_vertically(TITLE_H + METRIC_H * f.charted.len() as u32);
            let (title, panels) = figure.split_vertically(TITLE_H);
            let _ = title.draw(&Text::new(
                escape::terminal(f.benchmark),
                (10, 8),
                ("sans-serif", 18).into_font().style(FontStyle::Bold),
            ));
            let folded = folded_text(f);
            if !folded.is_empty() {
                let _ = title.draw(&Text::new(
                    escape::terminal(&folded),
                    (FIGURE_W as i32 / 2, 12),
                    ("sans-serif", 11).into_font().color(&RGBColor(85, 85, 85)),
                ));
            }
            draw_figure(&panels, &f.charted);
            rest = below;
        }
        let _ = root.present();
    }
    out
}

/// `Never moved: rate 0 %. Not gated: p50.` (unescaped), or empty.
fn folded_text(f: &Figure<'_>) -> String {
    let mut out = Vec::new();
    if !f.flat.is_empty() {
        out.push(format!("Never moved: {}.", flat_list(&f.flat).join(", ")));
    }
    if !f.ungated.is_empty() {
        let names: Vec<&str> = f.ungated.iter().map(|a| a.series.metric.as_str()).collect();
        out.push(format!("Not gated (not charted): {}.", names.join(", ")));
    }
    out.join(" ")
}

/// `error_rate 0 %` for each series that never moved (unescaped).
fn flat_list(flat: &[&Analysed]) -> Vec<String> {
    flat.iter()
        .map(|a| {
            format!(
                "{} {}",
                a.series.metric,
                value::human(
                    a.series.points.first().map_or(0.0, |p| p.value),
                    &a.series.unit
                )
            )
        })
        .collect()
}

/// y range covering the values, the bands and the medium threshold of the current segment.
fn metric_range(a: &Analysed, thresholds: &[(f64, &str)]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in a
        .series
        .points
        .iter()
        .map(|p| p.value)
        .chain(thresholds.iter().take(2).map(|t| t.0))
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(1e-9);
    (
        (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY }),
        hi + pad,
    )
}

/// The lines `current median × (1 ± band)` on the worse side, for the bands the page shows.
fn thresholds(a: &Analysed, bands: &Bands) -> Vec<(f64, &'static str)> {
    let Some(cur) = a.current() else {
        return Vec::new();
    };
    let sign = a.series.direction.worse_sign();
    [
        (bands.low, "low"),
        (bands.medium, "medium"),
        (bands.high, "high"),
        (bands.critical, "critical"),
    ]
    .into_iter()
    .map(|(pct, name)| (cur.median * (1.0 + sign * pct / 100.0), name))
    .collect()
}

fn draw_metric(
    a: &Analysed,
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    colour: RGBColor,
) -> Option<()> {
    let s = &a.series;
    let n = s.points.len().max(1);
    let bands = a.bands;
    let lines = thresholds(a, &bands);
    let (lo, hi) = metric_range(a, lines.get(1..).unwrap_or(&[]));
    let labels: Vec<String> = s.points.iter().map(x_label).collect();
    let unit = s.unit.clone();
    let caption = format!(
        "{} ({})",
        escape::terminal(&s.metric),
        if unit.as_str().is_empty() {
            "value"
        } else {
            unit.as_str()
        }
    );
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
        .ok()?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .x_labels(n.min(10))
        .x_label_formatter(&|x| label_at(&labels, *x))
        .y_labels(6)
        .y_label_formatter(&|y| value::human(*y, &unit))
        .label_style(("sans-serif", 11))
        .draw()
        .ok()?;
    // Noise band of each segment: its median ± 2 robust standard deviations.
    for g in &a.segments {
        let f = 1.0 + 2.0 * g.noise_pct / 100.0;
        let (b_lo, b_hi) = if g.median >= 0.0 {
            (g.median / f, g.median * f)
        } else {
            (g.median * f, g.median / f)
        };
        let (x0, x1) = (g.first as f64 - 0.45, g.last as f64 + 0.45);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x0, b_lo.max(lo)), (x1, b_hi.min(hi))],
                colour.mix(0.15).filled(),
            )))
            .ok()?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0, g.median), (x1, g.median)],
                colour.mix(0.6).stroke_width(1),
            )))
            .ok()?;
    }
    // Band thresholds relative to the current segment, from its first snapshot on.
    if let Some(cur) = a.current() {
        for (y, name) in lines.iter().skip(1) {
            if *y <= lo || *y >= hi {
                continue;
            }
            let x0 = cur.first as f64 - 0.45;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0, *y), (n as f64 - 0.5, *y)],
                    RGBColor(120, 120, 120).stroke_width(1),
                )))
                .ok()?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{name} {}", pct_label(&bands, name)),
                    (x0 + 0.1, *y),
                    ("sans-serif", 10).into_font().color(&RGBColor(90, 90, 90)),
                )))
                .ok()?;
        }
    }
    // Change points: a vertical mark before the first snapshot of the new segment, with the step.
    // Steps within the low band still cut the segments (their bands show them) but get no mark.
    for c in a
        .change_points
        .iter()
        .filter(|c| c.severity != Severity::Unchanged)
    {
        let x = c.index as f64 - 0.5;
        let mark = if c.severity.is_regression() {
            RED
        } else {
            RGBColor(0, 120, 0)
        };
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, lo), (x, hi)],
                mark.stroke_width(2),
            )))
            .ok()?;
        let step = c
            .step_pct
            .map(value::pct)
            .unwrap_or_else(|| "from 0".into());
        chart
            .draw_series(std::iter::once(Text::new(
                step,
                // Below the new level when it rose, above it when it fell: where the line is not.
                match c.step_pct {
                    Some(p) if p < 0.0 => (x + 0.15, hi - (hi - lo) * 0.04),
                    _ => (x + 0.15, lo + (hi - lo) * 0.12),
                },
                ("sans-serif", 12).into_font().color(&mark),
            )))
            .ok()?;
    }
    draw_values(&mut chart, s, colour)
}

fn pct_label(bands: &Bands, name: &str) -> String {
    let pct = match name {
        "low" => bands.low,
        "medium" => bands.medium,
        "high" => bands.high,
        _ => bands.critical,
    };
    format!("{pct} %")
}

/// `<a href=…/commit/HASH>abc1234</a>` when the repository is known and the commit is a hash.
fn commit_link(commit: Option<&str>, repo_url: Option<&str>) -> String {
    let Some(c) = commit else {
        return String::new();
    };
    let short = escape::xml(&c.chars().take(7).collect::<String>());
    let is_hash = (7..=64).contains(&c.len()) && c.chars().all(|x| x.is_ascii_hexdigit());
    match repo_url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        Some(repo) if is_hash => format!(
            "<a href=\"{}/commit/{c}\"><code>{short}</code></a>",
            escape::xml(repo.trim_end_matches('/'))
        ),
        _ => format!("<code>{short}</code>"),
    }
}

/// The history page: a table of the change points, then one figure per benchmark with its gated
/// metrics, their segments' noise bands, the change points and the current segment's band thresholds;
/// metrics that never moved are one line of text. Self-contained: no script, no network.
pub fn page(
    title: &str,
    analysed: &[Analysed],
    changes: &[Change],
    repo_url: Option<&str>,
) -> String {
    let mut body = String::new();
    let snapshots = analysed
        .iter()
        .map(|a| a.series.points.len())
        .max()
        .unwrap_or(0);
    let steps: usize = changes.iter().map(|c| c.metrics.len()).sum();
    let _ = writeln!(
        body,
        "<p class=\"lead\">{snapshots} snapshot{}; {steps} change point{} beyond the low band in gated metrics{}.</p>",
        if snapshots == 1 { "" } else { "s" },
        if steps == 1 { "" } else { "s" },
        match changes.first() {
            Some(c) if c.commit.is_some() => {
                format!(", newest at {}", commit_link(c.commit.as_deref(), repo_url))
            }
            Some(c) => format!(", newest at {}", escape::xml(&c.created_at)),
            None => String::new(),
        }
    );
    if !changes.is_empty() {
        body.push_str("<table id=\"changes\"><thead><tr><th>Snapshot</th><th>Date</th><th>Benchmark</th><th>Metric</th><th>Step</th><th>Severity</th><th>Noise before / after</th><th>p</th></tr></thead><tbody>\n");
        for c in changes {
            for (i, m) in c.metrics.iter().enumerate() {
                let (snap, date) = if i == 0 {
                    (
                        commit_link(c.commit.as_deref(), repo_url),
                        escape::xml(c.created_at.get(..16).unwrap_or(&c.created_at))
                            .replace('T', " "),
                    )
                } else {
                    (String::new(), String::new())
                };
                let _ = writeln!(
                    body,
                    "<tr class=\"{sev}\"><td>{snap}</td><td>{date}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{sev}</td><td>±{:.1} % / ±{:.1} %</td><td>{:.3}</td></tr>",
                    escape::xml(&m.benchmark),
                    escape::xml(&m.metric),
                    if m.gated { "" } else { " (not gated)" },
                    escape::xml(&super::history::step_text(m)),
                    m.change.noise_before_pct,
                    m.change.noise_after_pct,
                    m.change.p_value,
                    sev = m.change.severity.as_str(),
                );
            }
        }
        body.push_str("</tbody></table>\n");
    }
    for f in figures(analysed) {
        let _ = writeln!(
            body,
            "<section class=\"benchmark\"><h2>{}</h2>",
            escape::xml(f.benchmark)
        );
        if !f.charted.is_empty() {
            let _ = writeln!(body, "<figure>{}</figure>", benchmark_svg(&f.charted));
        }
        if !f.flat.is_empty() {
            let list: Vec<String> = flat_list(&f.flat).iter().map(|t| escape::xml(t)).collect();
            let _ = writeln!(
                body,
                "<p class=\"flat\">Never moved: {}.</p>",
                list.join(", ")
            );
        }
        if !f.ungated.is_empty() {
            let list: Vec<String> = f
                .ungated
                .iter()
                .map(|a| escape::xml(&a.series.metric))
                .collect();
            let _ = writeln!(
                body,
                "<p class=\"ungated\">Not gated (not charted): {}.</p>",
                list.join(", ")
            );
        }
        body.push_str("</section>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\n\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0;font-size:0.9em}}\
         td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}}tr.critical td,tr.high td{{color:#b00}}\
         tr.improvement td{{color:#070}}figure{{margin:0}}p.flat,p.ungated{{color:#555}}</style>\n\
         </head><body>\n<h1>{t}</h1>\n{body}\
         <p class=\"legend\">Shaded: each segment's median ± 2 robust standard deviations. Vertical marks: change \
         points, with the step. Grey lines: the medium, high and critical bands above the current segment's median. \
         Benchmarks that stepped come first: the worst step, the most metrics at it, the largest.</p>\n\
         </body></html>\n",
        t = escape::xml(title),
    )
}
