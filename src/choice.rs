//! Closed sets of named values (`--output`, `--fail-on`, `--order`): each value's name and line of help live
//! once, in the library, and the command line's parser reads them from here (clap stays on the binary side).

/// A value of a closed set that a user names, e.g. `markdown` for [`crate::report::OutputFormat::Markdown`].
pub trait Choice: Copy + PartialEq + 'static {
    /// Every value with its name and a line of help, in the order `--help` lists them.
    const CHOICES: &'static [(Self, &'static str, Option<&'static str>)];

    /// The name a user types for this value.
    fn name(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|(v, ..)| *v == self)
            .map(|(_, name, _)| *name)
            .expect("every value is listed in CHOICES")
    }

    /// The value a name stands for.
    fn from_name(name: &str) -> Option<Self> {
        Self::CHOICES
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(v, ..)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::OutputFormat;
    use crate::severity::FailOn;
    use crate::verdict::Order;

    fn round_trips<T: Choice + std::fmt::Debug>(names: &[&str]) {
        let listed: Vec<&str> = T::CHOICES.iter().map(|(_, n, _)| *n).collect();
        assert_eq!(listed, names);
        for (v, name, _) in T::CHOICES {
            assert_eq!(v.name(), *name);
            assert_eq!(T::from_name(name), Some(*v));
        }
        assert_eq!(T::from_name("Table"), None, "names are case-sensitive");
    }

    #[test]
    fn every_choice_is_named_once_and_read_back() {
        round_trips::<OutputFormat>(&["table", "markdown", "json", "junit", "openmetrics"]);
        assert_eq!(OutputFormat::Junit.name(), "junit");
        round_trips::<FailOn>(&["critical", "high", "medium", "low", "never"]);
        assert_eq!(FailOn::from_name("never"), Some(FailOn::Never));
        round_trips::<Order>(&["interleaved", "sequential"]);
        assert_eq!(Order::Sequential.name(), "sequential");
    }
}
