//! The recommendation as an owned, serialisable report: the JSON contract other systems rely
//! on, built from an evaluated [`Recommendation`] and its [`Plan`]. The readable renderings
//! (text, markdown, a CDS card's detail) are in `render`.

mod json;
mod render;
mod scores;

use crate::Urgency;
use crate::answer::{AnswerKind, AnswerRef, Value};
use crate::engine::{Firing, Recommendation};
use crate::error::IntakeError;
use crate::intake::{Intake, Preferences};
use crate::provisional::{AskNext, Status};
use crate::vocab::Criterion;
use crate::{Level, RulePack};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

// The plan types are built in the plan step; re-exported here, where they have always been.
pub use crate::plan::{
    Cost, Plan, PlanCapability, PlanReferral, PlanService, PlanSetting, Schedule, Weeks,
};

/// A recommendation, owned and serialisable: the JSON contract other systems rely on. Its
/// schema is committed at `schema/recommendation.schema.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Report {
    /// `final`, or `provisional` when answers the pack needs are missing, declined or could
    /// not be assessed.
    pub status: Status,
    /// The recommended level of care, present only when the status is `final`: a provisional
    /// result has no `level`, so a reader of `level` alone can never take a lower bound for
    /// an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The level the known answers already guarantee (the final level when final).
    pub level_at_least: Level,
    /// The highest level the missing answers could still require (the final level when
    /// final).
    pub level_at_most: Level,
    /// A fired rule asks for evaluation today: `urgency` is `same_day` or `emergency`.
    pub urgent: bool,
    /// How soon the person must be seen: `routine`, `same_day` (clinical evaluation today) or
    /// `emergency` (do not leave the person alone: emergency department, mobile crisis, 988).
    pub urgency: Urgency,
    /// Ids of the rules that set the level (their floor equals it).
    pub binding_rules: Vec<String>,
    /// Every rule that fired, in pack order, with the answers it read.
    pub fired: Vec<FiredRule>,
    /// Rules that could not be evaluated because an optional answer is absent.
    pub not_evaluated: Vec<NotEvaluated>,
    /// The missing answers, the one to ask next first: safety first, then by how high they
    /// could take the level.
    pub ask_next: Vec<AskNext>,
    /// For each less intensive level, the rules that rule it out.
    pub ruled_out: Vec<RuledOut>,
    /// Lower levels that one arranged condition would allow.
    pub conditional: Vec<ConditionalLevel>,
    /// Each instrument the intake carries: its total, given or scored from its items, and
    /// the items a partial instrument still lacks; the C-SSRS screener's triage.
    pub scores: Vec<InstrumentScore>,
    /// Answers to reconcile before relying on the placement.
    pub cautions: Vec<Caution>,
    /// The plan that goes with the level.
    pub plan: Plan,
    /// The rule pack that decided, for audit.
    pub pack: PackInfo,
    /// The engine that decided.
    pub engine: EngineInfo,
}

/// An instrument the intake carries, as scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InstrumentScore {
    /// `phq9`, `gad7`, `ciwa_ar`, `cows` or `cssrs` (the C-SSRS screener).
    pub instrument: String,
    /// Where its total is (e.g. `severity.phq9`, `substance_use[0].ciwa_ar`;
    /// `safety.cssrs` for the screener).
    pub field: String,
    /// The total: as given, or the sum of its items when every item is answered; `null` for
    /// a partial instrument (its rules are then not evaluated) and for the screener.
    pub total: Option<u32>,
    /// `given`, `items` (scored from them) or `given_and_items` (given, and checked against
    /// them).
    pub from: String,
    /// The items still unanswered (for the screener, those its skip logic asks).
    pub missing_items: Vec<String>,
    /// The C-SSRS screener's triage: `none`, `low`, `moderate` or `high`; `null` when its
    /// answers leave it open, and for other instruments.
    pub risk: Option<String>,
}

/// An answer to reconcile before relying on the placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Caution {
    /// A stable code (`phq9_item9_positive_without_suicidal_ideation`).
    pub code: String,
    /// What to do, for a clinician.
    pub message: String,
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FiredRule {
    /// Rule id.
    pub id: String,
    /// Its criterion.
    pub criterion: Criterion,
    /// The floor it set, if any.
    pub floor: Option<Level>,
    /// How soon it asks for the person to be seen (`routine` when it does not).
    pub urgency: Urgency,
    /// Why, for a clinician.
    pub reason: String,
    /// Where the rule comes from: each citation as "title (edition), locator — applied |
    /// extrapolated | local default", joined by "; " (the pack's source records give each
    /// publication's identifier).
    pub source: String,
    /// The answers it read and the values it saw.
    pub answers: Vec<AnswerRead>,
}

/// An answer a rule read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AnswerRead {
    /// The answer's name, e.g. `safety.suicidal_ideation`.
    pub answer: String,
    /// Its value; `null` when unanswered.
    pub value: Option<AnswerValue>,
}

/// An answer's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[non_exhaustive]
pub enum AnswerValue {
    /// Yes or no.
    Bool(bool),
    /// A number.
    Number(u32),
    /// The answer does not apply to this person (a withdrawal scale for a substance they do
    /// not use): `"not_applicable"`.
    NotApplicable(NotApplicable),
    /// A choice, by name.
    Choice(String),
}

/// What [`AnswerValue::NotApplicable`] is written as.
pub(crate) const NOT_APPLICABLE: &str = "not_applicable";

/// The marker of [`AnswerValue::NotApplicable`]: the string `"not_applicable"` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotApplicable;

impl Serialize for NotApplicable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(NOT_APPLICABLE)
    }
}

impl<'de> Deserialize<'de> for NotApplicable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if s == NOT_APPLICABLE {
            Ok(NotApplicable)
        } else {
            Err(serde::de::Error::custom("expected \"not_applicable\""))
        }
    }
}

impl JsonSchema for NotApplicable {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NotApplicable".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "const": NOT_APPLICABLE })
    }
}

/// A rule that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NotEvaluated {
    /// Rule id.
    pub id: String,
    /// The floor it would set if it applied.
    pub floor: Option<Level>,
    /// The unanswered items it needed.
    pub missing: Vec<String>,
    /// Its reason.
    pub reason: String,
}

/// Why a less intensive level is ruled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RuledOut {
    /// The level ruled out.
    pub level: Level,
    /// Ids of the fired rules whose floor is above it.
    pub by: Vec<String>,
}

/// A lower level one arranged condition would allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConditionalLevel {
    /// The answer that would change (e.g. `home.substance_free_housing_arranged`).
    pub answer: String,
    /// The condition in words.
    pub condition: String,
    /// The level that would follow.
    pub level: Level,
}

/// The pack that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PackInfo {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// Content digest of the pack's sources.
    pub digest: String,
    /// The pack's clinical governance in one line (approval status, clinical owner role,
    /// review date), when the pack declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<String>,
}

/// The engine that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EngineInfo {
    /// Always `carelevel`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

fn answer_value(kind: AnswerKind, v: Value) -> AnswerValue {
    match (kind, v) {
        (AnswerKind::Choice(names), Value::Choice(r)) => AnswerValue::Choice(
            names
                .get(usize::from(r))
                .map_or_else(|| r.to_string(), |s| (*s).to_owned()),
        ),
        (_, Value::Bool(b)) => AnswerValue::Bool(b),
        (_, Value::Num(n)) => AnswerValue::Number(n),
        (_, Value::Choice(r)) => AnswerValue::Number(u32::from(r)),
        (_, Value::NotApplicable) => AnswerValue::NotApplicable(NotApplicable),
    }
}

impl Recommendation<'_> {
    fn answers_read(&self, f: &Firing) -> Vec<AnswerRead> {
        self.reads_of(f)
            .iter()
            .map(|r| AnswerRead {
                answer: self.pack.answer_name(r.answer),
                value: r
                    .value
                    .map(|v| answer_value(self.pack.answer_kind(r.answer), v)),
            })
            .collect()
    }

    /// The owned, serialisable report. Pass the intake's preferences to carry them into the
    /// plan (or use [`RulePack::report`](crate::RulePack::report), which does).
    pub fn to_report(&self, preferences: Option<&Preferences>) -> Report {
        let fired = self
            .fired_pairs()
            .map(|(f, r)| FiredRule {
                id: r.id.clone(),
                criterion: r.criterion,
                floor: r.floor,
                urgency: r.urgency,
                reason: r.reason.clone(),
                source: r.source.clone(),
                answers: self.answers_read(f),
            })
            .collect();
        let not_evaluated = self
            .unevaluated_pairs()
            .map(|(f, r)| NotEvaluated {
                id: r.id.clone(),
                floor: r.floor,
                missing: self
                    .reads_of(f)
                    .iter()
                    .filter(|x| x.value.is_none())
                    .map(|x| self.pack.answer_name(x.answer))
                    .collect(),
                reason: r.reason.clone(),
            })
            .collect();
        let ruled_out = Level::ALL
            .iter()
            .filter(|l| **l < self.level)
            .map(|l| RuledOut {
                level: *l,
                by: self.ruled_out_by(*l).map(|r| r.id.clone()).collect(),
            })
            .collect();
        let conditional = self
            .conditional
            .iter()
            .map(|c| ConditionalLevel {
                answer: self.pack.answer_name(c.answer),
                condition: match c.answer {
                    AnswerRef::Field(f) => f.info().description.to_owned(),
                    other => format!("{} is arranged", self.pack.answer_name(other)),
                },
                level: c.level,
            })
            .collect();
        let meta = self.pack.meta();
        let mut scores = Vec::new();
        scores::for_each_line(self.intake, |l| {
            scores.push(InstrumentScore {
                instrument: l.instrument.to_owned(),
                field: l.at.to_string(),
                total: l.total,
                from: l.from.to_owned(),
                missing_items: l.missing_items().map(|m| m.to_string()).collect(),
                risk: l.risk.map(str::to_owned),
            });
        });
        let mut cautions = Vec::new();
        scores::for_each_caution(self.intake, |c| {
            cautions.push(Caution {
                code: c.code.to_owned(),
                message: c.message.to_owned(),
            });
        });
        let status = self.status();
        Report {
            status,
            level: (status == Status::Final).then_some(self.level),
            level_at_least: self.level,
            level_at_most: self.level_at_most(),
            urgent: self.urgent(),
            urgency: self.urgency,
            binding_rules: self.binding_rules().map(|r| r.id.clone()).collect(),
            fired,
            not_evaluated,
            ask_next: self.ask_next(),
            ruled_out,
            conditional,
            scores,
            cautions,
            plan: self.plan(preferences),
            pack: PackInfo {
                id: meta.id.clone(),
                version: meta.version.clone(),
                digest: meta.digest.clone(),
                governance: meta
                    .governance
                    .as_ref()
                    .map(crate::pack::Governance::summary),
            },
            engine: EngineInfo {
                name: env!("CARGO_PKG_NAME").to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
        }
    }
}

/// The bytes [`RulePack::assess_json`] reserves for a report's JSON (the built-in pack's
/// reports are 2-6 KiB).
const REPORT_JSON_CAPACITY: usize = 8 * 1024;

impl RulePack {
    /// Assesses an intake and returns the owned [`Report`], with the intake's preferences
    /// carried into the plan. An incomplete intake gives a provisional report (as
    /// [`RulePack::assess_partial`]).
    ///
    /// # Errors
    ///
    /// As for [`RulePack::assess_partial`].
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../../examples/intakes/inpatient_suicide_plan.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let report = pack.report(&carelevel::Intake::from_json(json)?)?;
    /// assert!(report.urgent);
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn report(&self, intake: &Intake) -> Result<Report, IntakeError> {
        let rec = self.assess_partial(intake)?;
        Ok(rec.to_report(Some(&intake.engagement.preferences)))
    }

    /// JSON in, JSON out: reads an intake, assesses it (an incomplete one provisionally, as
    /// [`RulePack::assess_partial`] does) and returns the report as JSON.
    ///
    /// # Errors
    ///
    /// As for [`Intake::from_json`] and [`RulePack::assess_partial`]; [`IntakeError::Output`]
    /// if the report cannot be written as JSON (not expected, but never hidden).
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../../examples/intakes/php_daily_structure.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let out = pack.assess_json(json)?;
    /// assert!(out.starts_with(r#"{"status":"final","level":"php","#));
    ///
    /// // An intake missing required items: provisional, and no `level` to misread.
    /// let out = pack.assess_json(r#"{"schema_version": "2", "age": 40}"#)?;
    /// assert!(out.starts_with(r#"{"status":"provisional","level_at_least":"#));
    /// let report: serde_json::Value = serde_json::from_str(&out).map_err(|e| {
    ///     carelevel::IntakeError::Output { message: e.to_string() }
    /// })?;
    /// assert!(report.get("level").is_none());
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn assess_json(&self, json: &str) -> Result<String, IntakeError> {
        let intake = Intake::from_json(json)?;
        let rec = self.assess_partial(&intake)?;
        // The owned report's JSON, written straight from the recommendation (`json.rs`):
        // the same bytes as `serde_json::to_string(&self.report(&intake)?)`. A report is a
        // few KiB: start with room for it rather than growing (and copying) the buffer.
        let mut out = String::with_capacity(REPORT_JSON_CAPACITY);
        rec.write_report_json(Some(&intake.engagement.preferences), &mut out)
            .map_err(|e| IntakeError::Output {
                message: e.to_string(),
            })?;
        Ok(out)
    }
}

impl Report {
    /// The fired rules that set the level (those named in `binding_rules`), in pack order:
    /// what every rendering shows under "why".
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../../examples/intakes/inpatient_suicide_plan.json");
    /// let report = carelevel::RulePack::builtin().report(&carelevel::Intake::from_json(json)?)?;
    /// assert!(report.binding().all(|f| f.floor == report.level));
    /// assert_eq!(report.binding().count(), report.binding_rules.len());
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn binding(&self) -> impl Iterator<Item = &FiredRule> + '_ {
        self.fired.iter().filter(|f| self.is_binding(f))
    }

    /// Whether a fired rule is one of those that set the level.
    pub(crate) fn is_binding(&self, f: &FiredRule) -> bool {
        self.binding_rules.contains(&f.id)
    }
}
