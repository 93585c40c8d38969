//! Reads a library [`Choice`] (`--output`, `--fail-on`, `--order`) from the command line: the names and help
//! come from the library's table, clap only checks and lists them.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use perfgate::choice::Choice;

/// The parser of one kind of choice, e.g. `#[arg(value_parser = choice::<OutputFormat>())]`.
pub fn choice<T: Choice>() -> ChoiceParser<T> {
    ChoiceParser(PhantomData)
}

/// See [`choice`].
#[derive(Debug, Clone, Copy)]
pub struct ChoiceParser<T>(PhantomData<T>);

fn possible_values<T: Choice>() -> impl Iterator<Item = PossibleValue> {
    T::CHOICES
        .iter()
        .map(|(_, name, help)| PossibleValue::new(*name).help(*help))
}

impl<T: Choice + Send + Sync> TypedValueParser for ChoiceParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        // clap's own parser words the error and lists the names, as for any enum.
        let name = PossibleValuesParser::new(possible_values::<T>()).parse_ref(cmd, arg, value)?;
        let ignore_case = arg.is_some_and(|a| a.is_ignore_case_set());
        let (value, ..) = T::CHOICES
            .iter()
            .find(|(_, n, _)| PossibleValue::new(*n).matches(&name, ignore_case))
            .expect("PossibleValuesParser accepts only listed names");
        Ok(*value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(possible_values::<T>()))
    }
}
