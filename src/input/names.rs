//! Numbering repeated benchmark names (`x`, `x #2`, `x #3`, …) in linear time.
//!
//! Probing `x #2`, `x #3`, … from 2 for every repeat is quadratic: 20 000 repeats took 47 s. The next
//! number to try is remembered per name, so each name is probed about once.

use std::collections::{HashMap, HashSet};

/// Hands out names not handed out before.
#[derive(Debug, Default)]
pub struct UniqueNames {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl UniqueNames {
    /// `name` the first time, then `name #2`, `name #3`, … (skipping any already taken).
    pub fn unique(&mut self, name: &str) -> String {
        if self.used.insert(name.to_string()) {
            return name.to_string();
        }
        let n = self.next.entry(name.to_string()).or_insert(2);
        loop {
            let candidate = format!("{name} #{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_numbered_and_never_collide() {
        let mut u = UniqueNames::default();
        assert_eq!(u.unique("a"), "a");
        assert_eq!(u.unique("a #2"), "a #2");
        assert_eq!(u.unique("a"), "a #3");
        assert_eq!(u.unique("a"), "a #4");
        assert_eq!(u.unique("b"), "b");
    }

    #[test]
    fn many_repeats_take_linear_time() {
        let mut u = UniqueNames::default();
        let names: HashSet<String> = (0..100_000).map(|_| u.unique("same")).collect();
        assert_eq!(names.len(), 100_000);
    }
}
