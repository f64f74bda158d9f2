//! Errors from reading and checking an intake.

use serde::Serialize;
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
        /// The line of the document where reading stopped, from 1 (serde_json's
        /// [`line`](serde_json::Error::line); 0 if it gave none).
        line: usize,
        /// The column where reading stopped: the bytes of the line up to and including the
        /// offending one (serde_json's [`column`](serde_json::Error::column); 0 at the start
        /// of a line, as at the end of an empty document). A leading byte-order mark is not
        /// counted.
        column: usize,
        /// What is wrong; serde_json's messages end with the same position
        /// (`at line 1 column 30`).
        message: String,
    },
    /// The intake was read but has problems: every one is listed.
    #[error("intake has {} problem{}: {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, Joined(.0))]
    Invalid(Vec<IntakeProblem>),
    /// The report could not be written as JSON. Reports hold only strings, numbers, lists and
    /// string-keyed maps, so this is not expected; it is reported, never hidden.
    #[error("the report could not be written as JSON: {message}")]
    Output {
        /// serde_json's message.
        message: String,
    },
    /// The JSON has no `schema_version`: it is a 0.1 intake, or not an intake at all.
    #[error(
        "intake field `schema_version` is missing: a 0.1 intake has none; convert it with \
         `carelevel::intake::convert_v0_1` (or `assess --from-0.1`), which says what it could \
         not infer, or give `\"schema_version\": \"2\"` with every item in intake 2's form"
    )]
    Version,
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
///
/// It serialises as one flat object: the field, the message (its `Display`), and the kind
/// with its data under `problem_kind` (see [`ProblemKind`]). A problem carries paths, numbers
/// and the pack's own names only, never a string from the intake.
///
/// # Examples
///
/// ```
/// # let json = include_str!("../examples/intakes/iop_primary.json");
/// let mut intake = carelevel::Intake::from_json(json)?;
/// intake.severity.phq9 = Some(40);
/// let err = carelevel::RulePack::builtin().assess(&intake).unwrap_err();
/// assert_eq!(
///     serde_json::to_value(&err.problems()[0])?,
///     serde_json::json!({
///         "field": "severity.phq9",
///         "message": "`severity.phq9` is 40, expected 0-27",
///         "problem_kind": "out_of_range", "value": 40, "min": 0, "max": 27
///     })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IntakeProblem {
    /// Dotted path of the field, e.g. `safety.suicidal_ideation` or `ratings.withdrawal`.
    pub field: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a field. Serialised with its name in `snake_case` under
/// `problem_kind` and its data beside it: `{"problem_kind": "out_of_range", "value": 40,
/// "min": 0, "max": 27}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "problem_kind", rename_all = "snake_case")]
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
    /// The answer does not fit the others: it does not apply given another answer (a COWS
    /// score on an alcohol entry, adolescent items for an adult) or contradicts one.
    Conflict {
        /// Why, completing a sentence that starts with the field's path.
        reason: String,
    },
    /// A total given beside its items cannot be their total.
    TotalDisagrees {
        /// The total given.
        given: u32,
        /// The sum of the items answered.
        sum: u32,
        /// Whether every item is answered (else the total lies outside what the missing
        /// items could add).
        complete: bool,
        /// Where the items are.
        items: String,
    },
    /// The age is below the youngest this rule pack supports.
    BelowSupportedAge {
        /// The youngest age the pack supports.
        min: u32,
    },
    /// A rating the pack does not declare.
    UnknownRating {
        /// The closest declared rating, if any is close.
        #[serde(skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
    },
    /// More keys of the object are not ratings of the pack than are listed one by one (the
    /// list is capped so that a hostile intake cannot make an error of unbounded size).
    MoreUnknownRatings {
        /// How many more.
        count: usize,
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
            ProblemKind::Conflict { reason } => write!(f, "`{field}` {reason}"),
            ProblemKind::TotalDisagrees {
                given,
                sum,
                complete: true,
                items,
            } => write!(
                f,
                "`{field}` is {given}, but its items (`{items}`{}) sum to {sum}",
                item9(items)
            ),
            ProblemKind::TotalDisagrees {
                given,
                sum,
                complete: false,
                items,
            } => write!(
                f,
                "`{field}` is {given}, which its items (`{items}`{}) cannot total: those answered sum to {sum}",
                item9(items)
            ),
            ProblemKind::BelowSupportedAge { min } => write!(
                f,
                "`{field}` is below the ages this rule pack supports ({min} and over); \
                 assess a younger person with a pack built for their age"
            ),
            ProblemKind::UnknownRating { suggestion } => {
                write!(f, "`{field}` is not a rating of this rule pack")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean `ratings.{s}`?)"),
                    None => Ok(()),
                }
            }
            ProblemKind::MoreUnknownRatings { count } => {
                write!(
                    f,
                    "`{field}` has {count} more keys that are not ratings of this rule pack"
                )
            }
        }
    }
}

/// PHQ-9's ninth item is a safety item, kept apart from the other eight: say so.
fn item9(items: &str) -> &'static str {
    if items == "severity.phq9_items" {
        " with `safety.phq9_item9`"
    } else {
        ""
    }
}

// An `IntakeProblem` as it is written: its fields, plus the message its `Display` gives.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    rename = "IntakeProblem",
    description = "One problem with an intake: the field, the message, and the kind under `problem_kind` with its data beside it. It carries paths, numbers and the pack's own names only, never a string from the intake."
)]
struct IntakeProblemJson<'a> {
    /// Dotted path of the field, e.g. `safety.suicidal_ideation` or `ratings.withdrawal`.
    field: &'a str,
    /// The problem as one line, as `Display` writes it.
    message: String,
    #[serde(flatten)]
    kind: &'a ProblemKind,
}

impl Serialize for IntakeProblem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        IntakeProblemJson {
            field: &self.field,
            message: self.to_string(),
            kind: &self.kind,
        }
        .serialize(s)
    }
}

impl schemars::JsonSchema for IntakeProblem {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        IntakeProblemJson::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        IntakeProblemJson::json_schema(generator)
    }
}

/// How many problems an error message lists before it counts the rest: a message stays one
/// readable line, however many problems a hostile input holds. Every problem is still in the
/// error's list.
pub(crate) const SHOWN_PROBLEMS: usize = 20;

/// Displays a list of problems on one line, separated by `; `, the first
/// [`SHOWN_PROBLEMS`] of them and then a count of the rest (errors stay one line).
pub(crate) struct Joined<'a, T>(pub(crate) &'a [T]);

impl<T: fmt::Display> fmt::Display for Joined<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().take(SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        match self.0.len().saturating_sub(SHOWN_PROBLEMS) {
            0 => Ok(()),
            more => write!(f, "; and {more} more"),
        }
    }
}
