//! Human-readable numbers with units, shared by the table and markdown renderers.

use crate::model::Unit;

/// Three significant digits, without exponent noise.
fn sig3(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// A value in the most readable scale of its unit: `18.2 ms`, `3.10 µs`, `8.62k/s`, `21.7 %`.
pub fn human(value: f64, unit: &Unit) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if let Some(ns) = unit.nanos() {
        let n = value * ns;
        let (scaled, name) = match n.abs() {
            a if a < 1e3 => (n, "ns"),
            a if a < 1e6 => (n / 1e3, "µs"),
            a if a < 1e9 => (n / 1e6, "ms"),
            _ => (n / 1e9, "s"),
        };
        return format!("{} {name}", sig3(scaled));
    }
    match unit {
        Unit::Bytes => {
            let (scaled, name) = match value.abs() {
                a if a < 1024.0 => (value, "B"),
                a if a < 1024.0 * 1024.0 => (value / 1024.0, "KiB"),
                a if a < 1024.0 * 1024.0 * 1024.0 => (value / (1024.0 * 1024.0), "MiB"),
                _ => (value / (1024.0 * 1024.0 * 1024.0), "GiB"),
            };
            format!("{} {name}", sig3(scaled))
        }
        Unit::PerSecond => format!("{}/s", si(value)),
        Unit::Ratio => format!("{} %", sig3(value * 100.0)),
        Unit::Count if value.fract() == 0.0 && value.abs() < 1e15 => format!("{value:.0}"),
        Unit::Count => sig3(value),
        Unit::Other(u) if u.is_empty() => si(value),
        // A unit comes from the result file: untrusted, like a name.
        Unit::Other(u) => format!("{} {}", si(value), crate::escape::terminal(u)),
        _ => sig3(value),
    }
}

/// Three significant digits with k/M/G suffixes for large values.
fn si(v: f64) -> String {
    match v.abs() {
        a if a >= 1e9 => format!("{}G", sig3(v / 1e9)),
        a if a >= 1e6 => format!("{}M", sig3(v / 1e6)),
        a if a >= 1e4 => format!("{}k", sig3(v / 1e3)),
        _ => sig3(v),
    }
}

/// A signed percentage: `+67.6 %`, `-10.1 %`.
pub fn pct(p: f64) -> String {
    format!("{}{} %", if p >= 0.05 { "+" } else { "" }, sig3_change(p))
}

fn sig3_change(p: f64) -> String {
    // A change that rounds to zero has no sign: `-0.0 %` reads as a regression that is not there.
    if p.abs() < 0.05 {
        return "0.0".into();
    }
    if p.abs() >= 1000.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

/// A signed absolute change: `+3.00 ms`.
pub fn abs_change(delta: f64, unit: &Unit) -> String {
    let s = human(delta, unit);
    if delta > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_pick_a_readable_scale() {
        assert_eq!(human(18.23, &Unit::Milliseconds), "18.2 ms");
        assert_eq!(human(0.0031, &Unit::Milliseconds), "3.10 µs");
        assert_eq!(human(1350.0, &Unit::Milliseconds), "1.35 s");
        assert_eq!(human(512.0, &Unit::Nanoseconds), "512 ns");
    }

    #[test]
    fn rates_ratios_and_bytes() {
        assert_eq!(human(98.0, &Unit::PerSecond), "98.0/s");
        assert_eq!(human(8621.04, &Unit::PerSecond), "8621/s");
        assert_eq!(human(0.2174, &Unit::Ratio), "21.7 %");
        assert_eq!(human(2048.0, &Unit::Bytes), "2.00 KiB");
        assert_eq!(pct(67.63), "+67.6 %");
        assert_eq!(pct(-10.14), "-10.1 %");
        assert_eq!(pct(-0.04), "0.0 %");
        assert_eq!(pct(0.04), "0.0 %");
        assert_eq!(pct(0.05), "+0.1 %");
    }
}
