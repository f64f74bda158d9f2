//! [`proptest`](mod@proptest) strategies for valid intakes, and for each group of answers: for
//! property tests of code that takes an [`Intake`] (a front end, a store, a report consumer).
//!
//! Compiled only with the `proptest` feature:
//!
//! ```toml
//! [dev-dependencies]
//! carelevel = { version = "0.1", features = ["proptest"] }
//! proptest = "1"
//! ```
//!
//! [`intake()`] gives intakes that [`RulePack::assess`](crate::RulePack::assess) accepts with the
//! built-in pack: every required item answered, every number in range, `history.progress`
//! given whenever the current setting is a level of care, and no `ratings` (the built-in pack
//! declares none). Optional answers are absent about one time in five, so rules that need them
//! are also exercised as *not evaluated*. Each group has its own strategy, to build intakes
//! that hold one group fixed or to vary one group of a fixture; proptest shrinks a failure
//! towards the first choice of each answer (the least severe) and towards short lists.
//!
//! # Examples
//!
//! ```
//! use carelevel::{strategies, RulePack};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(32))]
//!     // In a test module, put `#[test]` on each.
//!     fn every_valid_intake_is_placed(intake in strategies::intake()) {
//!         let report = RulePack::builtin().report(&intake).unwrap();
//!         prop_assert!(!report.binding_rules.is_empty());
//!     }
//!
//!     // One group varied over a fixture, the rest held fixed.
//!     fn acute_risk_is_urgent_or_not(safety in strategies::safety()) {
//!         let intake = carelevel::Intake { safety, ..carelevel::Intake::minimal_adult() };
//!         let report = RulePack::builtin().report(&intake).unwrap();
//!         prop_assert_eq!(report.urgent, report.fired.iter().any(|f| f.urgent));
//!     }
//! }
//! # every_valid_intake_is_placed();
//! # acute_risk_is_urgent_or_not();
//! ```

use crate::Level;
use crate::intake::{
    ClinicianRating, Commitment, Engagement, FreeText, HarmToOthers, History, Home, Intake,
    Medical, MedicalStatus, Preferences, Progress, Safety, SelfManagement, Setting, Severity,
    StageOfChange, Substance, SubstanceUse, SuicideRisk, Withdrawal,
};
use proptest::prelude::*;
use std::fmt::Debug;

/// An optional answer: absent one time in five, otherwise a value of `s` (shrinks to absent),
/// as in `optional(0u32..=27)` for a PHQ-9 score that may be unmeasured.
pub fn optional<T: Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 4 => s.prop_map(Some)].boxed()
}

/// One of `values`, shrinking towards the first: give them least severe first.
fn one_of<T: Debug + Clone + 'static>(values: &[T]) -> impl Strategy<Value = T> + use<T> {
    prop::sample::select(values.to_vec())
}

/// Free text from a small set (including non-ASCII), for notes and preferences.
fn free_text() -> impl Strategy<Value = FreeText> {
    one_of(&[
        "Spanish",
        "Native American family programme",
        "faith-based",
        "Vietnamese (tiếng Việt)",
        "",
    ])
    .prop_map(FreeText::from)
}

/// The range of a whole-number item, from the intake catalogue (the same range the intake
/// check enforces), evaluated at compile time: a path that is not a whole-number item does
/// not compile.
const fn range_of(path: &str) -> std::ops::RangeInclusive<u32> {
    match crate::catalogue::find(path) {
        Some(crate::catalogue::Item {
            kind: crate::catalogue::Kind::Int { min, max },
            ..
        }) => *min..=*max,
        _ => unreachable!(),
    }
}

const AGE: std::ops::RangeInclusive<u32> = range_of("age");
const CIWA_AR: std::ops::RangeInclusive<u32> = range_of("withdrawal.ciwa_ar");
const COWS: std::ops::RangeInclusive<u32> = range_of("withdrawal.cows");
const DSM5: std::ops::RangeInclusive<u32> = range_of("severity.substance_use.dsm5_criteria");
const PHQ9: std::ops::RangeInclusive<u32> = range_of("severity.phq9");
const GAD7: std::ops::RangeInclusive<u32> = range_of("severity.gad7");

/// Age in years, 0 to 120 (under 18 is an adolescent).
pub fn age() -> impl Strategy<Value = u32> {
    AGE
}

/// Any level of care, least to most intensive.
pub fn level() -> impl Strategy<Value = Level> {
    one_of(&Level::ALL)
}

/// Any suicide risk on the Columbia screener's ladder.
pub fn suicide_risk() -> impl Strategy<Value = SuicideRisk> {
    one_of(&[
        SuicideRisk::None,
        SuicideRisk::WishToBeDead,
        SuicideRisk::NonspecificActiveThoughts,
        SuicideRisk::MethodWithoutIntent,
        SuicideRisk::IntentWithoutPlan,
        SuicideRisk::PlanWithIntent,
        SuicideRisk::RecentBehavior,
    ])
}

/// Any risk of harm to others.
pub fn harm_to_others() -> impl Strategy<Value = HarmToOthers> {
    one_of(&[
        HarmToOthers::None,
        HarmToOthers::Ideation,
        HarmToOthers::PlanOrIntent,
    ])
}

/// The acute-safety group: all three items answered.
pub fn safety() -> impl Strategy<Value = Safety> {
    (suicide_risk(), harm_to_others(), any::<bool>()).prop_map(|(suicide, harm, psychosis)| {
        Safety {
            suicide_risk: Some(suicide),
            harm_to_others: Some(harm),
            psychosis_or_unable_to_self_care: Some(psychosis),
        }
    })
}

/// The withdrawal group: CIWA-Ar (0-67) and COWS (0-48) each optional; seizure or DT
/// history answered.
pub fn withdrawal() -> impl Strategy<Value = Withdrawal> {
    (optional(CIWA_AR), optional(COWS), any::<bool>()).prop_map(|(ciwa, cows, seizure)| {
        Withdrawal {
            ciwa_ar: ciwa,
            cows,
            seizure_or_dt_history: Some(seizure),
        }
    })
}

/// Any medical status.
pub fn medical_status() -> impl Strategy<Value = MedicalStatus> {
    one_of(&[
        MedicalStatus::Stable,
        MedicalStatus::DailyMonitoring,
        MedicalStatus::RoundTheClockCare,
    ])
}

/// The medical group: the status answered.
pub fn medical() -> impl Strategy<Value = Medical> {
    medical_status().prop_map(|status| Medical {
        status: Some(status),
    })
}

/// One substance use disorder: any substance, 0 to 11 DSM-5 criteria.
pub fn substance_use() -> impl Strategy<Value = SubstanceUse> {
    (
        one_of(&[
            Substance::Alcohol,
            Substance::Opioids,
            Substance::Stimulants,
            Substance::Cannabis,
            Substance::Sedatives,
            Substance::Other,
        ]),
        DSM5,
    )
        .prop_map(|(substance, dsm5_criteria)| SubstanceUse {
            substance,
            dsm5_criteria,
        })
}

/// Any clinician's rating of mental-health severity.
pub fn clinician_rating() -> impl Strategy<Value = ClinicianRating> {
    one_of(&[
        ClinicianRating::None,
        ClinicianRating::Mild,
        ClinicianRating::Moderate,
        ClinicianRating::Severe,
    ])
}

/// The severity group: the substance-use list (absent, empty or up to two disorders), PHQ-9
/// (0-27), GAD-7 (0-21), the clinician's rating and impairment, each optional.
pub fn severity() -> impl Strategy<Value = Severity> {
    (
        optional(prop::collection::vec(substance_use(), 0..3)),
        optional(PHQ9),
        optional(GAD7),
        optional(clinician_rating()),
        optional(any::<bool>()),
    )
        .prop_map(
            |(substance_use, phq9, gad7, clinician_rating, impairs)| Severity {
                substance_use,
                phq9,
                gad7,
                clinician_rating,
                impairs_daily_activities: impairs,
            },
        )
}

/// Any answer to how the person manages outside treatment hours.
pub fn self_management() -> impl Strategy<Value = SelfManagement> {
    one_of(&[
        SelfManagement::Independent,
        SelfManagement::WithDailyStructure,
        SelfManagement::OnlyIn24HourSetting,
    ])
}

/// Any current treatment setting.
pub fn setting() -> impl Strategy<Value = Setting> {
    one_of(&[
        Setting::None,
        Setting::Outpatient,
        Setting::Iop,
        Setting::Php,
        Setting::Inpatient,
        Setting::InpatientWithdrawalManagement,
    ])
}

/// Any progress at the current setting, best to worst.
pub fn progress() -> impl Strategy<Value = Progress> {
    one_of(&[
        Progress::GoalsMet,
        Progress::Progressing,
        Progress::NotEnough,
    ])
}

/// The history group: the current setting; progress, always given in treatment (it is then
/// required) and optional out of it; up to two levels at which earlier treatment did not hold.
pub fn history() -> impl Strategy<Value = History> {
    (
        setting(),
        optional(progress()),
        progress(),
        prop::collection::vec(level(), 0..3),
    )
        .prop_map(
            |(setting, out_of_treatment, in_treatment, not_held)| History {
                current_setting: Some(setting),
                progress: match setting {
                    Setting::None => out_of_treatment,
                    _ => Some(in_treatment),
                },
                earlier_levels_not_held: not_held,
            },
        )
}

/// The home group: each item optional; substance-free housing arranged or not.
pub fn home() -> impl Strategy<Value = Home> {
    (
        optional(any::<bool>()),
        optional(any::<bool>()),
        optional(any::<bool>()),
        optional(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(
            |(substance_free, supportive, safe, stable, arranged)| Home {
                substance_free,
                supportive,
                safe,
                stable_housing: stable,
                substance_free_housing_arranged: arranged,
            },
        )
}

/// Any stage of change.
pub fn stage_of_change() -> impl Strategy<Value = StageOfChange> {
    one_of(&[
        StageOfChange::Precontemplation,
        StageOfChange::Contemplation,
        StageOfChange::Preparation,
        StageOfChange::Action,
        StageOfChange::Maintenance,
    ])
}

/// Any commitment treatment must fit around.
pub fn commitment() -> impl Strategy<Value = Commitment> {
    one_of(&[Commitment::Work, Commitment::School, Commitment::Caregiving])
}

/// Cultural, language and spiritual preferences: usually none, otherwise each optional.
pub fn preferences() -> impl Strategy<Value = Preferences> {
    let some = (
        optional(free_text()),
        optional(free_text()),
        optional(free_text()),
    )
        .prop_map(|(cultural, language, spiritual)| Preferences {
            cultural,
            language,
            spiritual,
        });
    prop_oneof![3 => Just(Preferences::default()), 1 => some]
}

/// The engagement group: stage of change, attendance, commitments, practical needs and
/// preferences, each optional.
pub fn engagement() -> impl Strategy<Value = Engagement> {
    (
        optional(stage_of_change()),
        optional(any::<bool>()),
        prop::collection::vec(commitment(), 0..3),
        optional(any::<bool>()),
        optional(any::<bool>()),
        preferences(),
    )
        .prop_map(
            |(stage, attend, commitments, transportation, childcare, preferences)| Engagement {
                stage_of_change: stage,
                can_attend_several_days: attend,
                commitments,
                needs_transportation: transportation,
                needs_childcare: childcare,
                preferences,
            },
        )
}

/// A valid intake for the built-in pack: every group from its strategy above, no ratings, and
/// notes now and then (never read by a rule).
pub fn intake() -> impl Strategy<Value = Intake> {
    (
        age(),
        safety(),
        withdrawal(),
        medical(),
        severity(),
        self_management(),
        history(),
        home(),
        engagement(),
        prop::option::weighted(0.1, free_text()),
    )
        .prop_map(
            |(age, safety, withdrawal, medical, severity, sm, history, home, engagement, notes)| {
                Intake {
                    age: Some(age),
                    safety,
                    withdrawal,
                    medical,
                    severity,
                    self_management: Some(sm),
                    history,
                    home,
                    engagement,
                    ratings: Default::default(),
                    notes,
                }
            },
        )
}
