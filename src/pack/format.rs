//! The rule-file format: what a human edits in `rules/*.toml`.
//!
//! These types mirror the TOML one to one and keep every name as text, so that loading can
//! check each rule on its own and report every problem at once (see
//! [`RulePack::from_sources`](crate::RulePack::from_sources)). They also serialise, so a
//! tool can generate a pack and print it back as TOML.
//!
//! A file may hold any of these tables; across all the files of a pack there must be exactly
//! one `[pack]` and one programme per level.
//!
//! Text a clinician reads in a report, a CDS card or a FHIR resource — a rule's `reason`, a
//! citation's `locator` and `fact`, a source record's fields, a programme's `source`, the
//! pack's `id`, `version` and `title` — must be one line of plain text: no line break, carriage return, tab or other control character, no Unicode
//! line or paragraph separator, no bidirectional-text control. Lengths are capped (a reason at
//! [`MAX_REASON_CHARS`](super::MAX_REASON_CHARS), a source at
//! [`MAX_SOURCE_CHARS`](super::MAX_SOURCE_CHARS), the pack's id and version at
//! [`MAX_PACK_ID_CHARS`](super::MAX_PACK_ID_CHARS), its title at
//! [`MAX_TITLE_CHARS`](super::MAX_TITLE_CHARS), rule ids at
//! [`MAX_RULE_ID_CHARS`](super::MAX_RULE_ID_CHARS), rating and score ids at
//! [`MAX_NAME_CHARS`](super::MAX_NAME_CHARS) characters). Descriptions are not shown to a
//! clinician and are not checked. The id `carelevel.builtin` belongs to the built-in pack
//! alone ([`BUILTIN_ID`](super::BUILTIN_ID)).
//!
//! ```toml
//! [pack]
//! id = "example"
//! version = "1.0.0"
//!
//! [[rule]]
//! id = "safety.plan_with_intent"
//! criterion = "safety"
//! when = { answer = "safety.suicidal_ideation", at_least = "plan_with_intent" }
//! floor = "inpatient"
//! urgency = "same_day"
//! reason = "A plan with intent needs a 24-hour setting."
//!
//! [[cite]]
//! rule = "safety.plan_with_intent"
//! source = "cssrs-2011"            # a source record's id
//! locator = "Suicidal ideation severity (items 4-5)"
//! fact = "In our own words: what the source says that the rule relies on."
//! use = "applied"                  # applied | extrapolated | local_default
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rule file, as written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDef {
    /// The pack's identity; exactly one file of a pack has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackDef>,
    /// Ratings the pack's instrument adds to the intake (`rating.<id>`), as raw TOML so each
    /// can be checked on its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rating: Vec<toml::Value>,
    /// Composite scores over ratings (`score.<id>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub score: Vec<toml::Value>,
    /// The programme that goes with each level, keyed by level id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub programme: BTreeMap<String, toml::Value>,
    /// The rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule: Vec<toml::Value>,
    /// A source record ([`SourceDef`]): one publication that citations name by its id; at
    /// most one a file (the built-in records are `rules/sources/<id>.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<toml::Value>,
    /// Citations ([`CiteDef`]): where in a source each rule comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cite: Vec<toml::Value>,
    /// Cited exemptions from the analysis's safety guarantees ([`ExemptionDef`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guarantee_exemption: Vec<toml::Value>,
}

/// A `[[guarantee_exemption]]`: a high-risk value of carelevel's table
/// ([`HIGH_RISK`](crate::analysis::HIGH_RISK)) whose guaranteed floor the analysis checks
/// only where `given` holds (or, without `given`, does not check), with the reason and the
/// source record (an id of `rules/sources/*.toml`) that justify it. The analysis reports
/// every exemption.
///
/// ```toml
/// [[guarantee_exemption]]
/// answer = "withdrawal.seizure_or_dt_history"
/// value = true
/// given = { answer = "substance_use.severity", at_least = "mild" }
/// reason = "A past withdrawal seizure matters for a person who still drinks or uses sedatives."
/// source = "seed"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptionDef {
    /// The answer, e.g. `withdrawal.seizure_or_dt_history`.
    pub answer: String,
    /// The high-risk value: a choice name, `true`, or the threshold of a number's high-risk
    /// range (`19` for `withdrawal.ciwa_ar` at least 19).
    pub value: Constant,
    /// Where the guarantee must still hold (the condition syntax of a rule's `when`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<CondDef>,
    /// Why, in one line a clinician can read.
    pub reason: String,
    /// The id of the source record that supports it.
    pub source: String,
}

/// The `[pack]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackDef {
    /// A stable identifier for the pack; one line. `carelevel.builtin` is reserved for the
    /// built-in pack.
    pub id: String,
    /// The pack's version; one line.
    pub version: String,
    /// A title for people; one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the pack encodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The youngest age (in years) the pack's rules are written for; an intake below it is
    /// refused. Absent: every age the intake accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u32>,
    /// Clinical governance: who owns the pack clinically, whether and when it was approved,
    /// when it is next reviewed, and what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<GovernanceDef>,
}

/// The `[pack.governance]` table. An approval is recorded only when one was given: leave
/// `approved_by` and `approved_on` out until then.
///
/// ```toml
/// [pack.governance]
/// clinical_owner_role = "Medical director of the deploying organisation"
/// status = "not yet approved for clinical use"
/// review_due = "2027-05-31"
///
/// [[pack.governance.change_log]]
/// version = "2026.11.0"
/// date = "2026-11-29"
/// change = "Structured citations for every rule."
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernanceDef {
    /// The role (not a person's name) accountable for the pack's clinical content.
    pub clinical_owner_role: String,
    /// The approval status, one line (e.g. `not yet approved for clinical use`).
    pub status: String,
    /// Who approved it for clinical use, when someone has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When it was approved (`YYYY-MM-DD`), when it has been.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<String>,
    /// When the next clinical review is due (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_due: Option<String>,
    /// What changed, version by version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change_log: Vec<ChangeDef>,
}

/// One `[[pack.governance.change_log]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeDef {
    /// The pack version.
    pub version: String,
    /// The date (`YYYY-MM-DD`).
    pub date: String,
    /// What changed, one line.
    pub change: String,
}

/// A `[[rating]]`: a number the intake supplies under `ratings.<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingDef {
    /// Identifier; rules read it as `rating.<id>`.
    pub id: String,
    /// Smallest valid value.
    pub min: u32,
    /// Largest valid value.
    pub max: u32,
    /// Whether every intake must supply it (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// `higher` (default), `lower` or `unordered`: which direction is worse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worse: Option<String>,
    /// What it rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn yes() -> bool {
    true
}

/// A `[[score]]`: a composite of ratings, read as `score.<id>`. Give exactly one of `sum` and
/// `max`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreDef {
    /// Identifier; rules read it as `score.<id>`.
    pub id: String,
    /// The sum of these ratings (`rating.<id>` names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<Vec<String>>,
    /// The largest of these ratings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Vec<String>>,
}

/// A `[programme.<level>]`: the schedule and services that go with a level.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDef {
    /// Days of treatment a week.
    pub days_per_week: u32,
    /// Hours of treatment a day.
    pub hours_per_day: u32,
    /// Days a week when a rule asks for the intensive schedule (severe conditions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intensive_days_per_week: Option<u32>,
    /// Whether an evening schedule exists for people who work or study.
    #[serde(default)]
    pub evening_option: bool,
    /// Expected length in weeks, `[shortest, longest]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<[u32; 2]>,
    /// Review the placement at least this often, in weeks (continued-stay review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_within_weeks: Option<u32>,
    /// Services every plan at this level includes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Referrals every plan at this level includes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<String>,
    /// Cost a day in US dollars, `[low, high]`, out of pocket before insurance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_day_usd: Option<[u32; 2]>,
    /// Cost a month in US dollars, `[low, high]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_month_usd: Option<[u32; 2]>,
    /// Where these figures come from; one line, like a rule's `source`.
    pub source: String,
}

/// A `[[rule]]`. Text fields stay text here; loading checks them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// A stable identifier, unique in the pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The criterion: safety, withdrawal, medical, severity, self_management, history, home,
    /// engagement or instrument.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// When the rule fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<CondDef>,
    /// The level this need requires at least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    /// How soon the person must be seen when the rule fires: `same_day` or `emergency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// Services the plan gains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Referrals the plan gains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<String>,
    /// The setting within the floor's level this need calls for (a
    /// [`CareSetting`](crate::CareSetting) id of the floor's level); required with a 24-hour
    /// floor, so every 24-hour recommendation names where it is delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// Capabilities the receiving programme needs ([`Capability`](crate::Capability) ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// A schedule change: `intensive` (the level's intensive days) or `evening`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// One line a clinician can read, at most
    /// [`MAX_REASON_CHARS`](super::MAX_REASON_CHARS) characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Citations written inside the rule (`cite = [{ source = "...", locator = "...", fact =
    /// "...", use = "..." }]`), as an alternative to top-level `[[cite]]` tables naming the
    /// rule. Every rule needs at least one citation, one way or the other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cite: Vec<toml::Value>,
}

/// A `[source]`: one publication (or the project's own defaults) that citations name.
///
/// ```toml
/// [source]
/// id = "cows-2003"
/// kind = "instrument"
/// title = "The Clinical Opiate Withdrawal Scale (COWS)"
/// publisher = "Wesson DR, Ling W; Journal of Psychoactive Drugs"
/// edition = "2003"
/// identifier = "J Psychoactive Drugs 2003;35(2):253-259"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    /// A stable id citations use: lowercase letters, digits, `-`, `_` and `.`.
    pub id: String,
    /// `guideline`, `instrument`, `regulation`, `consensus`, `local_default` or `web_page`.
    pub kind: String,
    /// The publication's title.
    pub title: String,
    /// Who publishes it (authors and journal, a society, an agency).
    pub publisher: String,
    /// The edition or year.
    pub edition: String,
    /// A DOI, CFR section, ISBN, journal citation or URL; never a local file path.
    pub identifier: String,
    /// Anything a reader should know (an unverified identifier, the form's version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a web page: its section headings, the only locators a citation of it may use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headings: Vec<String>,
}

/// A `[[cite]]` (or one entry of a rule's `cite` list): where in a source a rule comes from.
///
/// ```toml
/// [[cite]]
/// rule = "withdrawal.opioid.mild"
/// source = "cows-2003"
/// locator = "Score interpretation"
/// fact = "A COWS of 5 to 12 is mild opioid withdrawal."
/// use = "applied"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiteDef {
    /// The rule cited for; required in a top-level `[[cite]]`, left out inside a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The id of a source record.
    #[serde(default)]
    pub source: String,
    /// Where in the source: a section, recommendation, table or (for a web page) a heading.
    #[serde(default)]
    pub locator: String,
    /// What the source says that the rule relies on, in our own words.
    #[serde(default)]
    pub fact: String,
    /// `applied`, `extrapolated` or `local_default`.
    #[serde(default, rename = "use")]
    pub use_: String,
}

/// A condition. Give either `answer` with exactly one test (`is`, `in`, `at_least`,
/// `at_most`, `answered`; `at_least` and `at_most` may go together), or exactly one of
/// `all`, `any`, `not`, or `at_least_n` with `of`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CondDef {
    /// The answer tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Equal to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is: Option<Constant>,
    /// One of.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_: Option<Vec<Constant>>,
    /// At least (numbers and ordered choices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<Constant>,
    /// At most (numbers and ordered choices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<Constant>,
    /// Whether the answer is given at all (never "not evaluated").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    /// Every condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<CondDef>>,
    /// Some condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<CondDef>>,
    /// Alternative measures of one thing (e.g. PHQ-9, GAD-7 or a clinician's rating): holds
    /// if any answered one holds; fails if none holds and at least one is answered; is "not
    /// evaluated" only when none is answered. Unlike `any`, an unmeasured alternative does
    /// not leave the condition undecided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_given: Option<Vec<CondDef>>,
    /// The condition does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<CondDef>>,
    /// At least this many of `of` hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least_n: Option<u32>,
    /// The conditions counted by `at_least_n`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<Vec<CondDef>>,
}

/// A constant in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Constant {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A choice name.
    Text(String),
}

impl std::fmt::Display for Constant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Constant::Bool(b) => write!(f, "{b}"),
            Constant::Int(n) => write!(f, "{n}"),
            Constant::Text(s) => write!(f, "\"{s}\""),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
mod tests {
    //! The format round-trips: a file that parses prints back to TOML that parses to the same
    //! value (what a tool that generates packs relies on). Internal, because these types keep
    //! `toml::Value`s and are not part of the public API; the loader is fuzzed through
    //! `RulePack::from_sources` in `tests/fuzz_parsers.rs`.

    use super::FileDef;
    use crate::pack::{BUILTIN_SOURCES, RulePack};

    fn round_trip(text: &str) -> Option<String> {
        let first = toml::from_str::<FileDef>(text).ok()?;
        let printed = toml::to_string(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
        let second = toml::from_str::<FileDef>(&printed)
            .unwrap_or_else(|e| panic!("printed TOML does not parse: {e}\n{printed}"));
        // NaN is not equal to itself; compare such files by their debug form.
        assert!(
            first == second || format!("{first:?}") == format!("{second:?}"),
            "round trip changed the file:\n{text}\n---\n{printed}"
        );
        Some(printed)
    }

    #[test]
    fn every_builtin_file_round_trips_and_still_loads_as_the_same_rules() {
        let printed: Vec<(&str, String)> = BUILTIN_SOURCES
            .iter()
            .map(|(name, text)| {
                let printed = round_trip(text).unwrap_or_else(|| panic!("{name} parses"));
                // Reprinted files are not the built-in sources: a pack id of their own.
                let printed =
                    printed.replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#);
                (*name, printed)
            })
            .collect();
        let sources: Vec<(&str, &str)> = printed.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let reprinted = RulePack::from_sources(&sources).unwrap();
        let ids = |p: &RulePack| p.rules().map(|r| r.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(ids(&reprinted), ids(&RulePack::builtin()));
    }

    #[test]
    fn files_with_a_byte_removed_round_trip_whenever_they_parse() {
        // Every 7th byte of every built-in file removed in turn: many results do not parse
        // (nothing to check), the rest must round-trip.
        let mut parsed = 0;
        for (_, text) in BUILTIN_SOURCES {
            let bytes = text.as_bytes();
            for at in (0..bytes.len()).step_by(7) {
                let mut cut = bytes.to_vec();
                cut.remove(at);
                if let Ok(cut) = std::str::from_utf8(&cut) {
                    parsed += usize::from(round_trip(cut).is_some());
                }
            }
        }
        assert!(parsed > 100, "only {parsed} mutated files parsed");
    }
}
