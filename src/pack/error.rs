//! Errors from loading a rule pack.

use crate::error::Joined;
use std::fmt;

/// One problem found while loading a rule pack, located by file and rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackProblem {
    /// The file (source name) the problem is in.
    pub file: String,
    /// The rule, rating, score or programme the problem is in, when there is one.
    pub item: Option<String>,
    /// What is wrong, lowercase, one line.
    pub message: String,
}

impl fmt::Display for PackProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{}: {}: {}", self.file, item, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found in a rule pack. Loading reports all of them at once, not the first.
///
/// # Examples
///
/// ```
/// let err = carelevel::RulePack::from_toml("bad", "[[rule]]\nid = 'x'\n").unwrap_err();
/// assert!(err.problems().len() > 1);
/// assert!(err.to_string().contains("rule `x`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule pack has {} problem{}: {}", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, Joined(.problems))]
pub struct PackError {
    problems: Vec<PackProblem>,
}

impl PackError {
    pub(crate) fn new(problems: Vec<PackProblem>) -> Self {
        PackError { problems }
    }

    /// Every problem, in file order.
    pub fn problems(&self) -> &[PackProblem] {
        &self.problems
    }
}

/// A "did you mean `x`?" hint for a near-miss name, or an empty string.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let best = candidates
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= (name.len() / 3).max(2) => format!(" (did you mean `{c}`?)"),
        _ => String::new(),
    }
}
