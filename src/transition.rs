//! Reassessment and transitions.
//!
//! Placement is not a one-time event. [`RulePack::transition`] takes the person's current
//! level and a fresh intake and says whether to continue, step down, step up or discharge to
//! aftercare, following the continuum of the seed document: after inpatient, IOP (or PHP)
//! rather than straight to outpatient; after IOP, outpatient with aftercare; continue while
//! progressing; step up when the level is not enough.
//!
//! Clinician overrides are in [`crate::overrides`]; their types are re-exported here, where
//! they have always been.

use crate::error::{IntakeError, IntakeProblem, ProblemKind};
use crate::intake::{Intake, Progress};
use crate::report::Report;
use crate::vocab::{Criterion, Referral};
use crate::{Level, RulePack};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::overrides::{
    CDS_HOOKS_OVERRIDE_SYSTEM, CodedReason, OverrideError, OverrideReason, OverrideRecord,
    OverrideRequest,
};

/// What happens next at a reassessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransitionKind {
    /// Stay at the current level.
    Continue,
    /// Move to a less intensive level.
    StepDown,
    /// Move to a more intensive level.
    StepUp,
    /// Treatment is complete: discharge to aftercare.
    Discharge,
}

/// The id cited when a step down is limited to one level because no rule says why it may
/// go further.
pub const ONE_STEP_AT_A_TIME: &str = "transition.one_step_at_a_time";

/// A transition from the current level, with the fresh recommendation behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Transition {
    /// What happens next.
    pub kind: TransitionKind,
    /// The current level.
    pub from: Level,
    /// The level to move to (the current level for `continue`; outpatient-level aftercare
    /// for `discharge`).
    pub to: Level,
    /// The rule ids behind the transition.
    pub rules: Vec<String>,
    /// Why, in one line.
    pub reason: String,
    /// Review the placement within this many weeks (continued-stay review), if the level's
    /// programme gives a figure.
    pub review_within_weeks: Option<u32>,
    /// Aftercare referrals (discharge and step-down to outpatient).
    pub aftercare: Vec<Referral>,
    /// The fresh recommendation the transition rests on.
    pub recommendation: Report,
}

impl Transition {
    /// The date by which to review, given the start date of the placement. The core has no
    /// clock: dates exist only when the caller passes one.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_step_down_from_residential.json");
    /// use carelevel::{Intake, Level, RulePack};
    /// let pack = RulePack::builtin();
    /// let t = pack.transition(Level::Inpatient, &Intake::from_json(json)?)?;
    /// let start = time::Date::from_calendar_date(2026, time::Month::November, 26).unwrap();
    /// let review = time::Date::from_calendar_date(2027, time::Month::January, 21).unwrap();
    /// assert_eq!(t.review_by(start), Some(review));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn review_by(&self, start: time::Date) -> Option<time::Date> {
        let weeks = i64::from(self.review_within_weeks?);
        start.checked_add(time::Duration::weeks(weeks))
    }
}

impl RulePack {
    /// Reassesses a person at `current` with a fresh intake.
    ///
    /// The result never lands below the fresh recommendation's level: a step down goes at most
    /// one level unless a treatment-history rule says why it may go further (for example
    /// `history.step_down.from_inpatient`: inpatient to IOP). A provisional recommendation
    /// (an item declined or not assessable) steps up to its lower bound when that is above
    /// `current`, and otherwise continues: it never steps down or discharges, and the rules
    /// still waiting for an answer are cited.
    ///
    /// # Errors
    ///
    /// As for [`RulePack::assess`], plus an [`IntakeError::Invalid`] naming
    /// `history.current_setting` when it contradicts `current`.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_step_up_from_outpatient.json");
    /// use carelevel::{transition::TransitionKind, Intake, Level, RulePack};
    /// let pack = RulePack::builtin();
    /// let t = pack.transition(Level::Outpatient, &Intake::from_json(json)?)?;
    /// assert_eq!((t.kind, t.to), (TransitionKind::StepUp, Level::Iop));
    /// assert_eq!(t.rules, ["history.step_up.from_outpatient"]);
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn transition(&self, current: Level, intake: &Intake) -> Result<Transition, IntakeError> {
        let setting_level = intake.history.current_setting.and_then(|s| s.level());
        if intake.history.current_setting.is_some() && setting_level != Some(current) {
            return Err(IntakeError::Invalid(vec![IntakeProblem {
                field: "history.current_setting".into(),
                kind: ProblemKind::Inconsistent {
                    expected: format!("a setting at level `{current}`"),
                },
            }]));
        }
        let rec = self.assess(intake)?;
        let report = rec.to_report(Some(&intake.engagement.preferences));
        let target = rec.level();
        // The baseline rule always fires; cite it only when nothing more specific set the level.
        let specific: Vec<String> = rec
            .binding_rules()
            .filter(|r| r.criterion() != Criterion::Baseline)
            .map(|r| r.id().to_owned())
            .collect();
        let binding = if specific.is_empty() {
            report.binding_rules.clone()
        } else {
            specific
        };
        let history_says_why = rec
            .binding_rules()
            .any(|r| r.criterion() == Criterion::History);
        let fired_history: Vec<String> = rec
            .fired_rules()
            .filter(|r| r.criterion() == Criterion::History)
            .map(|r| r.id().to_owned())
            .collect();
        let provisional = rec.status() == crate::Status::Provisional;
        let (kind, to, rules, reason) = if target > current {
            (
                TransitionKind::StepUp,
                target,
                binding,
                format!("needs now set a floor of {target}, above the current level"),
            )
        } else if provisional {
            // The level is only a lower bound: answers still missing, declined or not
            // assessable could hold the current level, so never step down or discharge on it.
            let mut rules = binding;
            rules.extend(rec.not_evaluated_rules().map(|r| r.id.clone()));
            (
                TransitionKind::Continue,
                current,
                rules,
                format!(
                    "provisional: at least {target}, up to {}; continue at {current} until the missing answers are obtained",
                    rec.level_at_most()
                ),
            )
        } else if target == current {
            let finished =
                current == Level::Outpatient && intake.history.progress == Some(Progress::GoalsMet);
            if finished {
                let rules = if fired_history.is_empty() {
                    binding
                } else {
                    fired_history
                };
                (
                    TransitionKind::Discharge,
                    Level::Outpatient,
                    rules,
                    "outpatient goals met and no need sets a floor: discharge to aftercare"
                        .to_owned(),
                )
            } else {
                (
                    TransitionKind::Continue,
                    current,
                    binding,
                    format!("needs still set a floor of {current}: continue"),
                )
            }
        } else if current.rank() - target.rank() > 1 && !history_says_why {
            let to = current.step_down().unwrap_or(target);
            let mut rules = binding;
            rules.push(ONE_STEP_AT_A_TIME.to_owned());
            (
                TransitionKind::StepDown,
                to,
                rules,
                format!(
                    "needs now set a floor of {target}, but no rule says why to step down more than one level: step down to {to}"
                ),
            )
        } else {
            (
                TransitionKind::StepDown,
                target,
                binding,
                format!("needs now set a floor of {target}, below the current level: step down"),
            )
        };
        let aftercare = match kind {
            TransitionKind::Discharge => report.plan.aftercare(),
            TransitionKind::StepDown if to == Level::Outpatient => report.plan.aftercare(),
            _ => Vec::new(),
        };
        Ok(Transition {
            kind,
            from: current,
            to,
            rules,
            reason,
            review_within_weeks: match kind {
                TransitionKind::Discharge => None,
                _ => self
                    .programme(to)
                    .review_within_weeks
                    .or(self.programme(to).weeks.map(|w| w.1)),
            },
            aftercare,
            recommendation: report,
        })
    }
}
