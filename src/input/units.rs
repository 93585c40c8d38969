//! Unit names as tools write them, and the direction a unit implies when the tool does not say.

use crate::model::{Direction, Unit};

/// Parses a time unit as tools spell it (`ns`, `us`, `µs`, `ms`, `s`, `sec`, …).
pub fn time_unit(s: &str) -> Option<Unit> {
    match s.trim() {
        "ns" | "nanoseconds" => Some(Unit::Nanoseconds),
        "us" | "µs" | "μs" | "microseconds" => Some(Unit::Microseconds),
        "ms" | "milliseconds" => Some(Unit::Milliseconds),
        "s" | "sec" | "seconds" => Some(Unit::Seconds),
        _ => None,
    }
}

/// Whether a unit string names something per unit of time (`ops/s`, `MB/s`, `req/sec`, `items_per_second`).
pub fn is_throughput(unit_or_name: &str) -> bool {
    let u = unit_or_name.to_ascii_lowercase();
    u.ends_with("/s")
        || u.ends_with("/sec")
        || u.ends_with("/second")
        || u.contains("per_second")
        || u.contains("per second")
        || u.contains("ops")
        || u.contains("throughput")
        || u == "hz"
}

/// The direction a unit or metric name implies: throughput is higher-is-better, everything else
/// (time, bytes per op, allocations, errors) lower-is-better.
pub fn direction_for(unit_or_name: &str) -> Direction {
    if is_throughput(unit_or_name) {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_is_higher_is_better() {
        for u in ["ops/s", "MB/s", "req/sec", "items_per_second", "ops", "Hz"] {
            assert_eq!(direction_for(u), Direction::HigherIsBetter, "{u}");
        }
        for u in ["ns/op", "B/op", "allocs/op", "ms", "errors"] {
            assert_eq!(direction_for(u), Direction::LowerIsBetter, "{u}");
        }
    }

    #[test]
    fn time_units() {
        assert_eq!(time_unit("µs"), Some(Unit::Microseconds));
        assert_eq!(time_unit("sec"), Some(Unit::Seconds));
        assert_eq!(time_unit("MB/s"), None);
    }
}
