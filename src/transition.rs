//! Reassessment, transitions and clinician overrides.
//!
//! Placement is not a one-time event. [`RulePack::transition`] takes the person's current
//! level and a fresh intake and says whether to continue, step down, step up or discharge to
//! aftercare, following the continuum of the seed document: after inpatient, IOP (or PHP)
//! rather than straight to outpatient; after IOP, outpatient with aftercare; continue while
//! progressing; step up when the level is not enough.
//!
//! [`Report::record_override`] records a clinician placing someone elsewhere than recommended,
//! with coded reasons (clinical-criteria.md section 8), tied to the recommendation by digest.

use crate::error::{IntakeError, IntakeProblem, ProblemKind};
use crate::intake::{FreeText, Intake, Progress};
use crate::report::{PackInfo, Report};
use crate::vocab::{Criterion, Referral};
use crate::{Level, RulePack};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// What happens next at a reassessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
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

const AFTERCARE: [Referral; 4] = [
    Referral::MutualHelp,
    Referral::ContinuingCounselling,
    Referral::SoberLiving,
    Referral::TransitionalHousing,
];

impl RulePack {
    /// Reassesses a person at `current` with a fresh intake.
    ///
    /// The result never lands below the fresh recommendation's level: a step down goes at most
    /// one level unless a treatment-history rule says why it may go further (for example
    /// `history.step_down.from_inpatient`: inpatient to IOP).
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
        let (kind, to, rules, reason) = if target > current {
            (
                TransitionKind::StepUp,
                target,
                binding,
                format!("needs now set a floor of {target}, above the current level"),
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
            TransitionKind::Discharge => aftercare_of(&report),
            TransitionKind::StepDown if to == Level::Outpatient => aftercare_of(&report),
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

fn aftercare_of(report: &Report) -> Vec<Referral> {
    AFTERCARE
        .into_iter()
        .filter(|a| report.plan.referrals.iter().any(|r| r.referral == *a))
        .collect()
}

crate::vocab::vocabulary! {
    /// Why a level other than the recommended one was arranged (clinical-criteria.md
    /// section 8). Codes serialise as stable snake_case strings.
    OverrideReason {
        /// The recommended service is not available.
        ServiceNotAvailable = "service_not_available": "Service not available",
        /// There is a waiting list for the recommended service.
        WaitingList = "waiting_list": "Waiting list",
        /// The person prefers another level.
        ClientPreference = "client_preference": "Client preference",
        /// The clinician judges another level right.
        ClinicianJudgement = "clinician_judgement": "Clinician judgement",
        /// Transportation or access prevents the recommended level.
        TransportationOrAccess = "transportation_or_access": "Transportation or access",
        /// Financial or coverage reasons.
        FinancialOrCoverage = "financial_or_coverage": "Financial or coverage",
        /// Language or cultural fit.
        LanguageOrCulturalFit = "language_or_cultural_fit": "Language or cultural fit",
        /// Court-ordered placement.
        CourtOrdered = "court_ordered": "Court-ordered",
        /// Another reason, explained in the note.
        Other = "other": "Other",
    }
}

/// The CDS Hooks 3.0 code system for override (non-adherence) reasons.
pub const CDS_HOOKS_OVERRIDE_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes";

impl OverrideReason {
    /// The CDS Hooks 3.0 non-adherence reason category this maps to, where one fits.
    /// Court orders and "other" have no fitting category.
    pub const fn cds_hooks_code(self) -> Option<&'static str> {
        match self {
            OverrideReason::ServiceNotAvailable
            | OverrideReason::WaitingList
            | OverrideReason::TransportationOrAccess
            | OverrideReason::FinancialOrCoverage => Some("not-convenient-feasible"),
            OverrideReason::ClientPreference | OverrideReason::LanguageOrCulturalFit => {
                Some("does-not-align-preferences")
            }
            OverrideReason::ClinicianJudgement => Some("recipient-disagrees-evidence"),
            OverrideReason::CourtOrdered | OverrideReason::Other => None,
        }
    }
}

/// A request to arrange a level other than the recommended one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// The level actually arranged.
    pub arranged: Level,
    /// One or more coded reasons.
    pub reasons: Vec<OverrideReason>,
    /// Free-text explanation (required for `other` and below a safety floor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<FreeText>,
}

/// A coded override reason with its CDS Hooks coding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodedReason {
    /// The carelevel code.
    pub code: OverrideReason,
    /// The CDS Hooks 3.0 non-adherence category, where one fits.
    pub cds_hooks_code: Option<String>,
}

/// A validated override record, tied to the recommendation it departs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRecord {
    /// The level the engine recommended.
    pub recommended: Level,
    /// The level arranged.
    pub arranged: Level,
    /// The reasons, coded.
    pub reasons: Vec<CodedReason>,
    /// The clinician's note.
    pub note: Option<FreeText>,
    /// The highest floor set by a safety, withdrawal or medical rule, if any fired.
    pub safety_floor: Option<Level>,
    /// The arranged level is below that safety floor.
    pub below_safety_floor: bool,
    /// `sha256:` digest of the recommendation's JSON, so an audit can tie the two together.
    pub recommendation_digest: String,
    /// The pack that made the recommendation.
    pub pack: PackInfo,
}

/// Why an override was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OverrideError {
    /// The arranged level is the recommended level: that is not an override.
    #[error("override `arranged` is `{0}`, the recommended level itself: that is not an override")]
    SameAsRecommendation(Level),
    /// No reason was given.
    #[error("override `reasons` is empty: give at least one coded reason")]
    NoReason,
    /// `other` needs a note.
    #[error("override reason `other` needs a `note` explaining it")]
    OtherNeedsNote,
    /// Below a safety floor without clinician judgement and a note.
    #[error(
        "override `arranged` is `{arranged}`, below the safety floor `{floor}`: it needs the reason `clinician_judgement` and a `note`"
    )]
    BelowSafetyFloor {
        /// The level arranged.
        arranged: Level,
        /// The safety floor.
        floor: Level,
    },
}

impl Report {
    /// `sha256:` and the hex SHA-256 of this report's JSON.
    pub fn digest(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let mut out = String::from("sha256:");
        for b in Sha256::digest(json.as_bytes()).iter() {
            let _ = write!(out, "{b:02x}");
        }
        out
    }

    /// The highest floor set by a fired safety, withdrawal or medical rule (the checks of
    /// clinical-criteria.md section 4), if any.
    pub fn safety_floor(&self) -> Option<Level> {
        self.fired
            .iter()
            .filter(|f| {
                matches!(
                    f.criterion,
                    Criterion::Safety | Criterion::Withdrawal | Criterion::Medical
                )
            })
            .filter_map(|f| f.floor)
            .max()
    }

    /// Records a clinician's override of this recommendation.
    ///
    /// # Errors
    ///
    /// [`OverrideError`] when the arranged level equals the recommendation, no reason is
    /// given, `other` has no note, or the level is below a safety floor without
    /// `clinician_judgement` and a note.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// use carelevel::transition::{OverrideReason, OverrideRequest};
    /// use carelevel::{Intake, Level, RulePack};
    /// let report = RulePack::builtin().report(&Intake::from_json(json)?)?;
    /// let record = report
    ///     .record_override(OverrideRequest {
    ///         arranged: Level::Outpatient,
    ///         reasons: vec![OverrideReason::WaitingList],
    ///         note: None,
    ///     })
    ///     .unwrap();
    /// assert!(!record.below_safety_floor);
    /// assert_eq!(record.recommendation_digest, report.digest());
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn record_override(
        &self,
        request: OverrideRequest,
    ) -> Result<OverrideRecord, OverrideError> {
        if request.arranged == self.level {
            return Err(OverrideError::SameAsRecommendation(self.level));
        }
        if request.reasons.is_empty() {
            return Err(OverrideError::NoReason);
        }
        let has_note = request
            .note
            .as_ref()
            .is_some_and(|n| !n.0.trim().is_empty());
        if request.reasons.contains(&OverrideReason::Other) && !has_note {
            return Err(OverrideError::OtherNeedsNote);
        }
        let safety_floor = self.safety_floor();
        let below = safety_floor.is_some_and(|f| request.arranged < f);
        if let (true, Some(floor)) = (below, safety_floor) {
            if !request
                .reasons
                .contains(&OverrideReason::ClinicianJudgement)
                || !has_note
            {
                return Err(OverrideError::BelowSafetyFloor {
                    arranged: request.arranged,
                    floor,
                });
            }
        }
        Ok(OverrideRecord {
            recommended: self.level,
            arranged: request.arranged,
            reasons: request
                .reasons
                .iter()
                .map(|r| CodedReason {
                    code: *r,
                    cds_hooks_code: r.cds_hooks_code().map(str::to_owned),
                })
                .collect(),
            note: request.note,
            safety_floor,
            below_safety_floor: below,
            recommendation_digest: self.digest(),
            pack: self.pack.clone(),
        })
    }
}
