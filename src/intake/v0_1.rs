//! Reading a 0.1 intake into intake 2: [`convert_v0_1`].
//!
//! Each 0.1 item maps to one intake 2 item, or is left unanswered with a note where 0.1
//! could not say what intake 2 asks (a lifetime suicide attempt, whether arranged housing is
//! sober living or a shelter). Nothing is guessed: a conversion never answers an item with a
//! less severe value than the 0.1 answer supports, and every item it could not fill is named
//! in [`Conversion::notes`].

use super::{
    ArrangedHousing, Assessed, ClinicianRating, Engagement, Episode, FreeText, HarmToOthers,
    History, Home, Housing, Intake, Medical, MedicalStatus, Outcome, Progress, Psychosis, Recency,
    Safety, SchemaVersion, SelfManagement, Setting, Severity, Substance, SubstanceUse,
    SuicidalIdeation, Withdrawal,
};
use crate::Level;
use crate::error::IntakeError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A 0.1 intake converted to intake 2, with what the conversion could not carry over.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Conversion {
    /// The intake 2. It may lack required items that 0.1 could not express (the notes name
    /// them): [`RulePack::assess`](crate::RulePack::assess) then refuses it until they are
    /// answered.
    pub intake: Intake,
    /// Each item the conversion left unanswered, or carried over with a meaning that
    /// changed, in form order.
    pub notes: Vec<ConversionNote>,
}

/// One thing a conversion from 0.1 could not infer, or carried over with a changed meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ConversionNote {
    /// The intake 2 item concerned (its dotted path).
    pub field: &'static str,
    /// What could not be inferred, and what to ask.
    pub note: &'static str,
}

impl std::fmt::Display for ConversionNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.field, self.note)
    }
}

/// Converts a 0.1 intake (JSON with no `schema_version`) to intake 2.
///
/// | 0.1 | intake 2 |
/// |---|---|
/// | `safety.suicide_risk` `none` … `plan_with_intent` | `safety.suicidal_ideation`, the same; `safety.suicidal_behavior` left unanswered (0.1 could not record an attempt more than 3 months ago) |
/// | `safety.suicide_risk` `recent_behavior` | `safety.suicidal_behavior` `past_3_months`; `safety.suicidal_ideation` left unanswered |
/// | `safety.psychosis_or_unable_to_self_care` `false` | `safety.psychosis` `none` and `safety.unable_to_self_care` `false` |
/// | `safety.psychosis_or_unable_to_self_care` `true` | both left unanswered (0.1's yes could be acute psychosis, a chronic stable psychotic illness, or inability to care for oneself) |
/// | `safety.harm_to_others`, `withdrawal.seizure_or_dt_history`, `medical.status` | the same items |
/// | `severity.substance_use[]` | `substance_use[]`, with the same counts |
/// | `withdrawal.ciwa_ar` | `ciwa_ar` of the alcohol entry (else the sedatives entry, as a proxy); with neither listed, a new alcohol entry with no count (which must then be given) when the score is above 0, and dropped when it is 0 (a scale for a substance not used) |
/// | `withdrawal.cows` | `cows` of the opioids entry; likewise otherwise |
/// | `severity.*`, `self_management`, `history.current_setting`, `history.progress`, `home.supportive`, `engagement.*`, `ratings`, `notes` | the same items |
/// | `history.earlier_levels_not_held` | `history.episodes`, one `did_not_hold` episode per level |
/// | `home.substance_free` | `home.others_use_substances`, negated |
/// | `home.safe` | `home.violence_or_abuse`, negated |
/// | `home.stable_housing` | `home.housing`: `housed`, or `unstably_housed` (0.1 could not say homeless) |
/// | `home.substance_free_housing_arranged: true` | `home.arranged_housing` left unanswered (0.1 did not say sober living or a shelter) |
///
/// # Errors
///
/// [`IntakeError::Json`] when the JSON is not a valid 0.1 intake (an intake 2, with its
/// `schema_version`, is not one).
///
/// # Examples
///
/// ```
/// let old = r#"{"age": 40, "safety": {"suicide_risk": "none", "harm_to_others": "none",
///     "psychosis_or_unable_to_self_care": false}, "withdrawal": {"seizure_or_dt_history": false},
///     "medical": {"status": "stable"}, "self_management": "independent",
///     "history": {"current_setting": "none"}}"#;
/// let converted = carelevel::intake::convert_v0_1(old)?;
/// // 0.1 could not record a suicide attempt more than 3 months ago: left to ask.
/// assert_eq!(converted.intake.missing_required(), ["safety.suicidal_behavior"]);
/// assert!(converted.notes.iter().any(|n| n.field == "safety.suicidal_behavior"));
/// # Ok::<(), carelevel::IntakeError>(())
/// ```
pub fn convert_v0_1(json: &str) -> Result<Conversion, IntakeError> {
    let old: V01 = crate::json::read(json).map_err(IntakeError::from)?;
    Ok(convert(old))
}

struct Notes(Vec<ConversionNote>);

impl Notes {
    fn add(&mut self, field: &'static str, note: &'static str) {
        self.0.push(ConversionNote { field, note });
    }
}

fn convert(old: V01) -> Conversion {
    let mut notes = Notes(Vec::new());
    let n = &mut notes;

    // Safety: the one ladder splits into its two axes.
    let (ideation, behavior) = match old.safety.suicide_risk {
        None => (None, None),
        Some(OldSuicideRisk::RecentBehavior) => {
            n.add(
                "safety.suicidal_ideation",
                "0.1's `recent_behavior` does not say the past month's ideation: ask it",
            );
            (None, Some(Recency::Past3Months))
        }
        Some(risk) => {
            n.add(
                "safety.suicidal_behavior",
                "0.1 says no suicidal behaviour in the past 3 months but could not record an attempt earlier in life: ask (`never` or `lifetime`)",
            );
            (risk.ideation(), None)
        }
    };

    // Psychosis and self-care: 0.1's one yes/no splits in two. A no is no to both; a yes
    // does not say which (or whether both), so both are left to ask.
    let (psychosis, unable_to_self_care) = match old.safety.psychosis_or_unable_to_self_care {
        None => (None, None),
        Some(false) => (Some(Psychosis::None), Some(false)),
        Some(true) => {
            let note = "0.1's yes could be acute psychosis, chronic stable psychosis or inability to care for oneself: ask both `safety.psychosis` and `safety.unable_to_self_care` (neither is guessed)";
            n.add("safety.psychosis", note);
            n.add("safety.unable_to_self_care", note);
            (None, None)
        }
    };

    // Substances: the 0.1 list, then each scale on the substance it measures.
    let mut substances: Option<Vec<SubstanceUse>> = old.severity.substance_use.map(|list| {
        n.add(
            "substance_use",
            "0.1 listed substance use disorders only; intake 2 lists every substance used: add any used without a disorder (a withdrawal scale reads as not applicable for a substance not listed)",
        );
        list.into_iter()
            .map(|s| SubstanceUse::new(s.substance, s.dsm5_criteria))
            .collect()
    });
    if let Some(score) = old.withdrawal.ciwa_ar {
        place_scale(
            &mut substances,
            score,
            &[Substance::Alcohol, Substance::Sedatives],
            |s, v| s.ciwa_ar = Some(v),
            n,
            (
                "substance_use.ciwa_ar",
                "0.1 gave a CIWA-Ar score with no alcohol or sedatives listed: kept on a new alcohol entry, whose DSM-5 count or severity must be given (or move the score to the substance it measured); where 0.1 had no list, the list now holds only this entry: add every substance used",
                "0.1 charted CIWA-Ar 0 for a person with no alcohol or sedatives listed: not carried over (the scale does not apply)",
            ),
        );
    }
    if let Some(score) = old.withdrawal.cows {
        place_scale(
            &mut substances,
            score,
            &[Substance::Opioids],
            |s, v| s.cows = Some(v),
            n,
            (
                "substance_use.cows",
                "0.1 gave a COWS score with no opioids listed: kept on a new opioids entry, whose DSM-5 count or severity must be given; where 0.1 had no list, the list now holds only this entry: add every substance used",
                "0.1 charted COWS 0 for a person with no opioids listed: not carried over (the scale does not apply)",
            ),
        );
    }

    let measured_by_ciwa =
        |s: &SubstanceUse| matches!(s.substance, Substance::Alcohol | Substance::Sedatives);
    if old.withdrawal.seizure_or_dt_history == Some(true)
        && substances
            .as_ref()
            .is_some_and(|list| !list.iter().any(measured_by_ciwa))
    {
        n.add(
            "withdrawal.seizure_or_dt_history",
            "a history of withdrawal seizures or delirium tremens with no alcohol or sedatives listed: CIWA-Ar now reads as not applicable, so 0.1's same-day check for an unmeasured CIWA-Ar does not apply; if the person drinks or takes sedatives, list them",
        );
    }
    if old
        .self_management
        .is_some_and(|s| s != SelfManagement::Independent)
    {
        n.add(
            "self_management",
            "0.1 asked about evenings and weekends at home; intake 2 asks about a safe, substance-free setting (the home is asked separately): review",
        );
    }
    if old.history.progress == Some(Progress::NotEnough) {
        n.add(
            "history.progress",
            "0.1's `not_enough` included being tempted to relapse; in intake 2 cravings managed with the level's support are `progressing`: review",
        );
    }
    let episodes = if old.history.earlier_levels_not_held.is_empty() {
        n.add(
            "history.episodes",
            "0.1 could not say whether there were earlier episodes of treatment: list them (an empty list for none)",
        );
        None
    } else {
        Some(
            old.history
                .earlier_levels_not_held
                .iter()
                .map(|level| Episode {
                    level: (*level).into(),
                    outcome: Outcome::DidNotHold,
                    months_ago: None,
                })
                .collect(),
        )
    };

    if old.home.substance_free == Some(false) {
        n.add(
            "home.others_use_substances",
            "0.1's \"the home is not substance-free\" is read as substance use by others in the home: review",
        );
    }
    if old.home.safe == Some(false) {
        n.add(
            "home.violence_or_abuse",
            "0.1's \"the home is not safe\" (violence or toxicity) is read as violence or abuse: review",
        );
    }
    let housing = old.home.stable_housing.map(|stable| {
        if stable {
            Housing::Housed
        } else {
            n.add(
                "home.housing",
                "0.1 could not say whether the person is homeless: `unstably_housed` is its least severe reading; review",
            );
            Housing::UnstablyHoused
        }
    });
    // 0.1's one flag does not say which kind was arranged: left to ask.
    let arranged_housing: Option<ArrangedHousing> = None;
    if old.home.substance_free_housing_arranged {
        n.add(
            "home.arranged_housing",
            "0.1 did not say whether sober living, a transitional home or a shelter was arranged: answer it (until then nothing counts as arranged)",
        );
    }

    let intake = Intake {
        schema_version: Some(SchemaVersion::V2),
        age: old.age,
        safety: Safety {
            suicidal_ideation: ideation.map(Assessed::Answer),
            suicidal_behavior: behavior.map(Assessed::Answer),
            harm_to_others: old.safety.harm_to_others.map(Assessed::Answer),
            psychosis: psychosis.map(Assessed::Answer),
            unable_to_self_care: unable_to_self_care.map(Assessed::Answer),
            ..Safety::default()
        },
        withdrawal: Withdrawal {
            seizure_or_dt_history: old.withdrawal.seizure_or_dt_history.map(Assessed::Answer),
            ..Withdrawal::default()
        },
        substance_use: substances,
        medical: Medical {
            status: old.medical.status.map(Assessed::Answer),
            ..Medical::default()
        },
        severity: Severity {
            phq9: old.severity.phq9,
            gad7: old.severity.gad7,
            clinician_rating: old.severity.clinician_rating,
            impairs_daily_activities: old.severity.impairs_daily_activities,
            ..Severity::default()
        },
        self_management: old.self_management,
        history: History {
            current_setting: old.history.current_setting,
            progress: old.history.progress,
            episodes,
            ..History::default()
        },
        home: Home {
            others_use_substances: old.home.substance_free.map(|free| !free),
            violence_or_abuse: old.home.safe.map(|safe| Assessed::Answer(!safe)),
            supportive: old.home.supportive,
            housing,
            arranged_housing,
            ..Home::default()
        },
        engagement: old.engagement,
        ratings: old.ratings,
        notes: old.notes,
        ..Intake::default()
    };
    // Notes in form order: the catalogue's order of their items.
    notes.0.sort_by_key(|note| {
        crate::catalogue::ITEMS
            .iter()
            .position(|i| i.path == note.field)
            .unwrap_or(usize::MAX)
    });
    Conversion {
        intake,
        notes: notes.0,
    }
}

/// Puts a 0.1 withdrawal score on the entry of the first of `targets` listed; with none
/// listed, on a new entry for the first target when it is above 0, else drops it. `texts` are
/// the note's field and its text for each of the two cases.
fn place_scale(
    substances: &mut Option<Vec<SubstanceUse>>,
    score: u32,
    targets: &[Substance],
    set: impl Fn(&mut SubstanceUse, u32),
    n: &mut Notes,
    texts: (&'static str, &'static str, &'static str),
) {
    for target in targets {
        let entry = substances
            .iter_mut()
            .flatten()
            .find(|s| s.substance == *target);
        if let Some(entry) = entry {
            set(entry, score);
            return;
        }
    }
    let (field, kept, dropped) = texts;
    let Some(first) = targets.first() else {
        return;
    };
    if score > 0 {
        let mut entry = SubstanceUse::new(*first, 0);
        entry.dsm5_criteria = None;
        set(&mut entry, score);
        substances.get_or_insert_with(Vec::new).push(entry);
        n.add(field, kept);
    } else {
        n.add(field, dropped);
    }
}

// The 0.1 intake, as 0.1 read it (every struct denies unknown keys).

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct V01 {
    age: Option<u32>,
    safety: OldSafety,
    withdrawal: OldWithdrawal,
    medical: OldMedical,
    severity: OldSeverity,
    self_management: Option<SelfManagement>,
    history: OldHistory,
    home: OldHome,
    engagement: Engagement,
    #[serde(deserialize_with = "crate::json::unique_keys")]
    ratings: BTreeMap<String, u32>,
    notes: Option<FreeText>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct OldSafety {
    suicide_risk: Option<OldSuicideRisk>,
    harm_to_others: Option<HarmToOthers>,
    psychosis_or_unable_to_self_care: Option<bool>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum OldSuicideRisk {
    None,
    WishToBeDead,
    NonspecificActiveThoughts,
    MethodWithoutIntent,
    IntentWithoutPlan,
    PlanWithIntent,
    RecentBehavior,
}

impl OldSuicideRisk {
    /// The ideation a rung of the 0.1 ladder records; `recent_behavior` records none.
    fn ideation(self) -> Option<SuicidalIdeation> {
        match self {
            OldSuicideRisk::RecentBehavior => None,
            OldSuicideRisk::None => Some(SuicidalIdeation::None),
            OldSuicideRisk::WishToBeDead => Some(SuicidalIdeation::WishToBeDead),
            OldSuicideRisk::NonspecificActiveThoughts => {
                Some(SuicidalIdeation::NonspecificActiveThoughts)
            }
            OldSuicideRisk::MethodWithoutIntent => Some(SuicidalIdeation::MethodWithoutIntent),
            OldSuicideRisk::IntentWithoutPlan => Some(SuicidalIdeation::IntentWithoutPlan),
            OldSuicideRisk::PlanWithIntent => Some(SuicidalIdeation::PlanWithIntent),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct OldWithdrawal {
    ciwa_ar: Option<u32>,
    cows: Option<u32>,
    seizure_or_dt_history: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct OldMedical {
    status: Option<MedicalStatus>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct OldSeverity {
    substance_use: Option<Vec<OldSubstanceUse>>,
    phq9: Option<u32>,
    gad7: Option<u32>,
    clinician_rating: Option<ClinicianRating>,
    impairs_daily_activities: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OldSubstanceUse {
    substance: Substance,
    dsm5_criteria: u32,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct OldHistory {
    current_setting: Option<Setting>,
    progress: Option<Progress>,
    earlier_levels_not_held: Vec<Level>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct OldHome {
    substance_free: Option<bool>,
    supportive: Option<bool>,
    safe: Option<bool>,
    stable_housing: Option<bool>,
    substance_free_housing_arranged: bool,
}
