//! Clinician overrides: a clinician placing someone elsewhere than recommended, with coded
//! reasons and their CDS Hooks codes, checked against the
//! recommendation's safety floor and tied to it by the report's digest.

use crate::Level;
use crate::intake::FreeText;
use crate::report::{PackInfo, Report};
use crate::vocab::Criterion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

crate::vocab::vocabulary! {
    /// Why a level other than the recommended one was arranged. Codes serialise as stable
    /// snake_case strings.
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
#[non_exhaustive]
pub struct CodedReason {
    /// The carelevel code.
    pub code: OverrideReason,
    /// The CDS Hooks 3.0 non-adherence category, where one fits.
    pub cds_hooks_code: Option<String>,
}

/// A validated override record, tied to the recommendation it departs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
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
    /// The arranged level is below a 24-hour floor set by any fired rule (self-management,
    /// treatment history and home as well as safety, withdrawal and medical): honoured when
    /// the reasons allow it, but flagged. (Absent in a record made before it existed: read as
    /// `false`.)
    #[serde(default)]
    pub below_24_hour_floor: bool,
    /// Someone should review this override: it is below the safety floor or below a 24-hour
    /// floor. (Absent in a record made before it existed: read as `false`.)
    #[serde(default)]
    pub review_required: bool,
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
    /// The recommendation is provisional: there is no level to override yet.
    #[error(
        "the recommendation is provisional (answers are missing): complete the intake before recording an override"
    )]
    Provisional,
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
    /// The recommendation could not be written as JSON for its digest, so the record could
    /// not be tied to it.
    #[error("the recommendation could not be written as JSON for its digest: {message}")]
    Digest {
        /// serde_json's message.
        message: String,
    },
}

impl Report {
    /// `sha256:` and the hex SHA-256 of this report's JSON (the bytes
    /// `serde_json::to_string` gives), streamed into the hasher.
    ///
    /// # Errors
    ///
    /// serde_json's error if the report cannot be written as JSON (it holds only strings,
    /// numbers, lists and structs, so this is not expected; it is passed on, never hidden
    /// behind the digest of nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// let report = carelevel::RulePack::builtin().report(&carelevel::Intake::from_json(json)?)?;
    /// let digest = report.digest()?;
    /// assert!(digest.starts_with("sha256:") && digest.len() == 7 + 64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn digest(&self) -> Result<String, serde_json::Error> {
        crate::digest::sha256_json(self)
    }

    /// The highest floor set by a fired safety, withdrawal or medical rule, if any.
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
    /// `clinician_judgement` and a note; [`OverrideError::Digest`] if the recommendation
    /// cannot be written as JSON for its digest (not expected, but never hidden).
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// use carelevel::overrides::{OverrideReason, OverrideRequest};
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
    /// assert_eq!(record.recommendation_digest, report.digest()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_override(
        &self,
        request: OverrideRequest,
    ) -> Result<OverrideRecord, OverrideError> {
        let Some(level) = self.level else {
            return Err(OverrideError::Provisional);
        };
        if request.arranged == level {
            return Err(OverrideError::SameAsRecommendation(level));
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
        let below_24_hour = request.arranged < Level::Inpatient
            && self.fired.iter().any(|f| f.floor == Some(Level::Inpatient));
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
            recommended: level,
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
            below_24_hour_floor: below_24_hour,
            review_required: below || below_24_hour,
            recommendation_digest: self.digest().map_err(|e| OverrideError::Digest {
                message: e.to_string(),
            })?,
            pack: self.pack.clone(),
        })
    }
}
