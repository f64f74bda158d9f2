//! Errors from reading and checking an intake.

use std::fmt;

/// Why an intake could not be assessed.
///
/// Messages are one lowercase line naming the field and the offending value. Free text from
/// the intake (notes, preferences) never appears in them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeError {
    /// The JSON could not be read into an intake: a syntax error, an unknown key, a value of
    /// the wrong type or an unknown choice.
    #[error("intake field `{path}`: {message}")]
    Json {
        /// The dotted path of the offending field (`.` for the whole document).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The intake was read but has problems: every one is listed.
    #[error("intake has {} problem{}: {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, Joined(.0))]
    Invalid(Vec<IntakeProblem>),
    /// The rule pack is unavailable, so nothing is assessed (fail closed).
    #[error("no rule pack is loaded, so the intake is not assessed")]
    PackUnavailable,
}

impl IntakeError {
    /// The problems of an [`IntakeError::Invalid`], or an empty slice.
    pub fn problems(&self) -> &[IntakeProblem] {
        match self {
            IntakeError::Invalid(p) => p,
            _ => &[],
        }
    }
}

/// One problem with an intake, naming its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeProblem {
    /// Dotted path of the field, e.g. `safety.suicide_risk` or `ratings.withdrawal`.
    pub field: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A required item is unanswered.
    Missing,
    /// A number lies outside its range.
    OutOfRange {
        /// The value given.
        value: u32,
        /// Smallest valid value.
        min: u32,
        /// Largest valid value.
        max: u32,
    },
    /// The answer contradicts another input (e.g. the current setting and the current level
    /// given to a transition).
    Inconsistent {
        /// What the other input implies.
        expected: String,
    },
    /// A rating the pack does not declare.
    UnknownRating {
        /// The closest declared rating, if any is close.
        suggestion: Option<String>,
    },
}

impl fmt::Display for IntakeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match &self.kind {
            ProblemKind::Missing if field.starts_with("safety.") => write!(
                f,
                "`{field}` is unanswered; a safety item is required and never assumed to be no risk"
            ),
            ProblemKind::Missing => write!(f, "`{field}` is unanswered and required"),
            ProblemKind::OutOfRange { value, min, max } => {
                write!(f, "`{field}` is {value}, expected {min}-{max}")
            }
            ProblemKind::Inconsistent { expected } => {
                write!(
                    f,
                    "`{field}` contradicts the current level: expected {expected}"
                )
            }
            ProblemKind::UnknownRating { suggestion } => {
                write!(f, "`{field}` is not a rating of this rule pack")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean `ratings.{s}`?)"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Displays a list of problems on one line, separated by `; ` (errors stay one line).
pub(crate) struct Joined<'a, T>(pub(crate) &'a [T]);

impl<T: fmt::Display> fmt::Display for Joined<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Removes the content of any quoted string from a serde message, keeping its length, so
/// free text typed into the wrong field never reaches an error message or a log.
pub(crate) fn redact_strings(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(start) = rest.find("string \"") {
        let (head, tail) = rest.split_at(start + "string ".len());
        out.push_str(head);
        // tail starts with the opening quote; find the closing quote that is followed by
        // `, expected` (serde's shape), or else the last quote.
        let body = tail.get(1..).unwrap_or_default();
        let end = body
            .find("\", expected")
            .or_else(|| body.rfind('"'))
            .unwrap_or(body.len());
        let n = body.get(..end).map_or(0, |s| s.chars().count());
        out.push_str(&format!("of {n} characters"));
        rest = body.get(end.saturating_add(1)..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}
