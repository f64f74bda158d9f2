//! Errors from loading a rule pack.

use crate::error::Joined;
use serde::Serialize;
use std::fmt;

/// One problem found while loading a rule pack: what kind it is, where it is (file, item, key
/// path, line and column) and, for a misspelt name, the name that was probably meant. Every
/// part is data, so a tool (an editor, the C ABI) can branch on the kind and point at the
/// place without reading the message.
///
/// It serialises (and [`schema::pack_problem`](crate::schema) describes it) as one flat
/// object; the item's label is named `rule`, as in the C ABI's error shape:
///
/// ```json
/// {"file": "mine.toml", "rule": "rule `x`", "message": "`when` reads unknown answer ...",
///  "problem_kind": "unknown_answer", "id": "x", "path": "rule[0].when.answer", "line": 4,
///  "column": 19, "suggestion": "safety.suicidal_ideation"}
/// ```
///
/// # Examples
///
/// ```
/// use carelevel::pack::PackProblemKind;
/// let toml = "[[rule]]\nid = 'x'\ncriterion = 'safety'\n\
///             when = { answer = 'safety.suicidal_ideations', is = 'none' }\n";
/// let err = carelevel::RulePack::from_toml("mine.toml", toml).unwrap_err();
/// let p = err.problems().iter().find(|p| p.kind == PackProblemKind::UnknownAnswer).unwrap();
/// assert_eq!((p.file.as_str(), p.id.as_deref()), ("mine.toml", Some("x")));
/// assert_eq!(p.path.as_deref(), Some("rule[0].when.answer"));
/// assert_eq!(p.span.map(|s| (s.line, s.column)), Some((4, 19)));
/// assert_eq!(p.suggestion.as_deref(), Some("safety.suicidal_ideation"));
/// assert_eq!(
///     p.to_string(),
///     "mine.toml:4:19: rule `x`: `when` reads unknown answer `safety.suicidal_ideations` \
///      (did you mean `safety.suicidal_ideation`?)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(
    description = "One problem found while loading a rule pack: its kind, where it is (file, item, TOML key path, line and column) and, for a misspelt name, the name probably meant. Absent parts are left out."
)]
#[non_exhaustive]
pub struct PackProblem {
    /// The file (source name) the problem is in, or `pack` for a problem of the whole pack
    /// (a missing programme, no rules).
    pub file: String,
    /// The rule, rating, score or programme the problem is in, as shown in messages
    /// (``rule `x` ``, ``rating `d1` ``, ``programme `iop` ``, `[pack]`, or
    /// `rule #3 in the file` when the id is missing or malformed), when there is one.
    #[serde(rename = "rule", skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// What is wrong, lowercase, one line. It names the item's keys and the pack's own names,
    /// never the text of a reason or source.
    pub message: String,
    /// What kind of problem it is.
    #[serde(rename = "problem_kind")]
    pub kind: PackProblemKind,
    /// The id of the rule, rating or score, or the level of the programme, the problem is in,
    /// when the item has a well-formed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The TOML key path of the offending value from the top of the file, e.g.
    /// `rule[2].when.all[1].answer` or `programme.iop.services[0]` (indexes count from 0 in
    /// the file's own list of that table), when the problem is in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where in the file: the offending value, key or table header, or the position of a
    /// syntax error. Absent for problems of the whole pack.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The declared name closest to a misspelt one (an answer, level, service, referral,
    /// criterion, rating or choice), when one is close enough to suggest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// A position in a rule file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
pub struct Span {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, counted in characters (Unicode scalar values) from the start of
    /// the line.
    pub column: usize,
}

impl Span {
    /// The line and column of byte `offset` in `text` (an offset inside a character counts as
    /// that character; one past the end is the position after the last character).
    pub(crate) fn at(text: &str, offset: usize) -> Span {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let before = text.get(..end).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
        Span {
            line: before.matches('\n').count().saturating_add(1),
            column: before
                .get(line_start..)
                .unwrap_or_default()
                .chars()
                .count()
                .saturating_add(1),
        }
    }
}

/// What kind of problem a [`PackProblem`] is. Serialised in `snake_case` (`unknown_answer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PackProblemKind {
    /// The file is not valid TOML.
    Syntax,
    /// A key appears twice in one table, or a table is defined twice (a TOML error).
    DuplicateKey,
    /// A key the format does not define (e.g. `flor` in a rule).
    UnknownKey,
    /// A value of the wrong type: a string where a number is expected, a number or a choice
    /// name tested against a yes/no answer, and so on.
    WrongType,
    /// A required key or table is missing or empty (`id`, `criterion`, `when`, `reason`,
    /// `source`, the `[pack]` table, a level's programme).
    MissingField,
    /// Keys that exclude each other are given together (`sum` and `max` in a score).
    ConflictingKeys,
    /// Two rules, ratings or scores have the same id.
    DuplicateId,
    /// A second `[pack]` table, or a second programme for one level.
    DuplicateTable,
    /// An id with characters other than those allowed.
    InvalidId,
    /// The id `carelevel.builtin` on sources that are not the built-in pack's.
    ReservedId,
    /// A condition reads an answer that neither the intake nor the pack's ratings and scores
    /// define.
    UnknownAnswer,
    /// A choice that is not one of the answer's choices.
    UnknownChoice,
    /// A level of care other than `outpatient`, `iop`, `php` and `inpatient`.
    UnknownLevel,
    /// A service the plan vocabulary does not define.
    UnknownService,
    /// A referral the plan vocabulary does not define.
    UnknownReferral,
    /// A setting the setting vocabulary does not define.
    UnknownSetting,
    /// A programme capability the vocabulary does not define.
    UnknownCapability,
    /// A criterion other than those of the built-in rules.
    UnknownCriterion,
    /// A score combines a rating the pack does not declare.
    UnknownRating,
    /// A value outside the values allowed (`worse`, `schedule`) that is not a name of
    /// another vocabulary.
    InvalidValue,
    /// A number outside its range (a constant for an answer, days a week, hours a day,
    /// `at_least_n`).
    OutOfRange,
    /// A pair that must be ordered is not (`min` above `max`, `weeks`, a cost range).
    InvalidRange,
    /// A condition that can never hold (`at_least` above `at_most`).
    ImpossibleCondition,
    /// A condition that is not of one of the condition forms (an empty one, two forms mixed,
    /// an empty list, no test or more than one).
    MalformedCondition,
    /// A programme's schedule falls below its level's minimum weekly hours.
    BelowMinimumHours,
    /// An outpatient schedule reaches intensive-outpatient hours.
    AboveMaximumHours,
    /// A programme's `source` that does not start with `seed:`, `reference:` or `product
    /// default:`, or names nothing after it; or a citation, source record or programme
    /// source that names a local file path (`*.md`, `../`, `/...`) instead of a
    /// publication.
    InvalidSource,
    /// A rule with no citation: every rule needs at least one (`[[cite]]` or its `cite`).
    Uncited,
    /// A citation names a rule the pack does not have.
    UnknownRule,
    /// A citation names a source record the pack does not have.
    UnknownSource,
    /// A rule changes nothing: no floor, urgency, services, referrals or schedule.
    NoEffect,
    /// Text a clinician reads (a reason, a source, the pack's id, version or title) that is
    /// not one line of plain text.
    NotOneLine,
    /// Text or an id longer than allowed.
    TooLong,
    /// More rules than a pack may hold, or none.
    RuleCount,
}

impl fmt::Display for PackProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(Span { line, column }) = self.span {
            write!(f, ":{line}:{column}")?;
        }
        match &self.item {
            Some(item) => write!(f, ": {}: {}", item, self.message),
            None => write!(f, ": {}", self.message),
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
/// assert!(err.to_string().contains("bad:1:1: rule `x`: has no `criterion`"));
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

/// The closest of `candidates` to `name`, if any is close enough to suggest.
pub(crate) fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let best = candidates
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= (name.len() / 3).max(2) => Some(c.to_owned()),
        _ => None,
    }
}

/// A suggestion as it reads in a message: ``" (did you mean `x`?)"``, or nothing.
pub(crate) fn hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_lines_and_characters_from_one() {
        let text = "a = 1\né = \"x\"\n";
        assert_eq!(Span::at(text, 0), Span { line: 1, column: 1 });
        assert_eq!(Span::at(text, 4), Span { line: 1, column: 5 });
        assert_eq!(Span::at(text, 6), Span { line: 2, column: 1 });
        // `=` after a two-byte character is the third character of its line.
        assert_eq!(Span::at(text, 9), Span { line: 2, column: 3 });
        // Inside a character, and past the end.
        assert_eq!(Span::at(text, 7), Span { line: 2, column: 1 });
        assert_eq!(Span::at(text, 99), Span { line: 3, column: 1 });
    }

    #[test]
    fn suggestions_are_data() {
        let names = ["safety.suicidal_ideation", "safety.harm_to_others"];
        assert_eq!(
            suggest("safety.suicidal_ideations", names.into_iter()).as_deref(),
            Some("safety.suicidal_ideation")
        );
        assert_eq!(suggest("zzz", names.into_iter()), None);
        assert_eq!(hint(Some("x")), " (did you mean `x`?)");
        assert_eq!(hint(None), "");
    }
}
