//! Line charts of metric history (`perfgate history --output svg|html`): one panel per metric, drawn with
//! plotters' SVG backend. The HTML page inlines the SVG and needs no script or network, so it opens offline.

use plotters::prelude::*;

use crate::escape;
use crate::history::Series;
use crate::report::value;

const PANEL_W: u32 = 720;
const PANEL_H: u32 = 260;

/// Axis range with a little headroom; a flat series gets a visible band around its value.
fn y_range(series: &Series) -> (f64, f64) {
    let (lo, hi) = series
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.value), hi.max(p.value))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.05).max(1e-9);
    (
        (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY }),
        hi + pad,
    )
}

/// SVG of every series, one panel each, stacked.
pub fn svg(series: &[Series]) -> String {
    let mut out = String::new();
    let height = PANEL_H * (series.len().max(1) as u32);
    {
        let root = SVGBackend::with_string(&mut out, (PANEL_W, height)).into_drawing_area();
        // Drawing errors only arise from the backend writing to a String, which cannot fail.
        let _ = root.fill(&WHITE);
        let panels = root.split_evenly((series.len().max(1), 1));
        for (s, area) in series.iter().zip(panels.iter()) {
            let _ = draw_panel(s, area);
        }
        let _ = root.present();
    }
    out
}

fn draw_panel(
    s: &Series,
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
) -> Option<()> {
    let (lo, hi) = y_range(s);
    let n = s.points.len().max(1);
    let labels: Vec<String> = s.points.iter().map(|p| p.label()).collect();
    let caption = format!(
        "{} · {}",
        escape::terminal(&s.benchmark),
        escape::terminal(&s.metric)
    );
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
        .ok()?;
    let unit = s.unit.clone();
    chart
        .configure_mesh()
        .x_desc("snapshot")
        .y_desc(format!(
            "{} ({})",
            s.metric,
            if unit.as_str().is_empty() {
                "value"
            } else {
                unit.as_str()
            }
        ))
        .x_labels(n.min(12))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| value::human(*y, &unit))
        .draw()
        .ok()?;
    let pts: Vec<(f64, f64)> = s
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64, p.value))
        .collect();
    chart
        .draw_series(LineSeries::new(pts.clone(), BLUE.stroke_width(2)))
        .ok()?;
    chart
        .draw_series(pts.iter().map(|p| Circle::new(*p, 3, BLUE.filled())))
        .ok()?;
    Some(())
}

/// A self-contained HTML page: the chart and a table of the values.
pub fn html(title: &str, series: &[Series]) -> String {
    let mut rows = String::new();
    for s in series {
        for p in &s.points {
            rows.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape::xml(&s.benchmark),
                escape::xml(&s.metric),
                escape::xml(&p.created_at),
                escape::xml(&p.commit.clone().unwrap_or_default()),
                escape::xml(&value::human(p.value, &s.unit)),
            ));
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\n\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{padding:2px 8px;border-bottom:1px solid #ddd}}</style>\n\
         </head><body>\n<h1>{t}</h1>\n<div id=\"charts\">{svg}</div>\n\
         <table><thead><tr><th>Benchmark</th><th>Metric</th><th>Created</th><th>Commit</th><th>Value</th></tr></thead><tbody>\n{rows}</tbody></table>\n\
         </body></html>\n",
        t = escape::xml(title),
        svg = svg(series),
    )
}
