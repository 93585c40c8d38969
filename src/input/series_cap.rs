//! A cap on the distinct tag values that become sub-metrics of a k6 run, so memory stays bounded by design.
//!
//! A script that requests dynamic URLs without a `name` tag gives every URL its own sub-metric
//! (`http_req_duration{name:https://…/users/123}`): 300 000 URLs took 2.46 GB and wrote a 321 MB snapshot.
//! Past the cap, new tag values are not kept as sub-metrics (their points still count in the metric
//! itself), and one warning names the tag to fix. What is remembered is bounded too: at most `max_series`
//! kept groups, and per split tag one example and a fixed-size distinct count ([`DistinctCount`], 4 KiB)
//! of the dropped values, so peak memory does not grow with the number of distinct values.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::stats::distinct::DistinctCount;

/// Distinct `tag:value` sub-metric groups kept per run unless `max_series` in the policy says otherwise.
pub const DEFAULT_MAX_SERIES: usize = 1000;

static MAX_SERIES: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_SERIES);

/// Sets the cap for this process (from the policy's `max_series`, before inputs are read).
pub fn set_max_series(n: usize) {
    MAX_SERIES.store(n, Ordering::Relaxed);
}

/// The cap in force.
pub fn max_series() -> usize {
    MAX_SERIES.load(Ordering::Relaxed)
}

/// Which sub-metric groups a run keeps, and what it dropped.
#[derive(Debug)]
pub struct SeriesCap {
    max: usize,
    kept: HashSet<Box<str>>,
    /// Per tag (bounded: only the tags that split a metric reach here), the dropped values and an example.
    dropped: BTreeMap<String, (DistinctCount, String)>,
}

impl Default for SeriesCap {
    fn default() -> Self {
        SeriesCap {
            max: max_series(),
            kept: HashSet::new(),
            dropped: BTreeMap::new(),
        }
    }
}

impl SeriesCap {
    /// Whether a new series `metric{tag:value}` may be created. Plain metrics always may.
    pub fn admit(&mut self, key: &str) -> bool {
        let Some((group, tag, value)) = group_of(key) else {
            return true;
        };
        if self.kept.contains(group) {
            return true;
        }
        if self.kept.len() < self.max {
            self.kept.insert(group.into());
            return true;
        }
        self.count_dropped(tag, DistinctCount::hash(value), || value.to_string());
        false
    }

    /// The kept groups once the cap is reached, when no other group can be admitted any more: a reader's
    /// worker threads may then drop the others themselves (and report them through
    /// [`count_dropped`](Self::count_dropped)) without building their series.
    pub fn full(&self) -> Option<impl Iterator<Item = &str>> {
        (self.kept.len() >= self.max).then(|| self.kept.iter().map(|g| &**g))
    }

    /// Counts a dropped value of `tag` by its [`DistinctCount::hash`]; `example` names the first.
    pub fn count_dropped(&mut self, tag: &str, hash: u64, example: impl FnOnce() -> String) {
        if let Some((seen, _example)) = self.dropped.get_mut(tag) {
            seen.add_hash(hash);
            return;
        }
        let mut seen = DistinctCount::default();
        seen.add_hash(hash);
        self.dropped.insert(tag.to_string(), (seen, example()));
    }

    /// The warning to show when anything was dropped: which tag, how many values, an example, the fix.
    pub fn warning(&self) -> Option<String> {
        let (tag, (seen, example)) = self.dropped.iter().max_by_key(|(_, (s, _))| s.estimate())?;
        let more = if seen.is_exact() { "" } else { "about " };
        let mut shown: String = example.chars().take(80).collect();
        if shown.len() < example.len() {
            shown.push('…');
        }
        Some(format!(
            "k6 run has more than {} distinct tag values; {more}{} more values of tag `{}` (e.g. `{}`) are counted in their metric but not kept as sub-metrics. Give dynamic URLs one name (http.get(url, {{ tags: {{ name: 'users/:id' }} }})), or raise max_series in perfgate.toml",
            self.max,
            seen.estimate(),
            crate::escape::terminal(tag),
            crate::escape::terminal(&shown),
        ))
    }
}

/// A sub-metric key's group `{tag:value}`, its tag and its value; `None` for a plain metric.
pub fn group_of(key: &str) -> Option<(&str, &str, &str)> {
    let group = key.get(key.find('{')?..)?;
    let inner = group.trim_start_matches('{').trim_end_matches('}');
    let (tag, value) = inner.split_once(':').unwrap_or((inner, ""));
    Some((group, tag, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_cap_new_groups_are_dropped_and_named() {
        let mut cap = SeriesCap {
            max: 2,
            kept: HashSet::new(),
            dropped: BTreeMap::new(),
        };
        assert!(cap.admit("http_reqs"));
        assert!(cap.admit("http_req_duration{name:a}"));
        assert!(cap.admit("http_reqs{name:a}"), "same group, other metric");
        assert!(cap.admit("http_req_duration{status:200}"));
        assert!(!cap.admit("http_req_duration{name:b}"));
        assert!(!cap.admit("http_reqs{name:b}"));
        assert!(!cap.admit("http_req_duration{name:c}"));
        assert!(cap.admit("http_req_duration"));
        let w = cap.warning().unwrap();
        assert!(
            w.contains("more than 2 distinct tag values; 2 more values of tag `name` (e.g. `b`)"),
            "{w}"
        );
    }
}
