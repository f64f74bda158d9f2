//! Shared test support: a proptest strategy for valid intakes, and "worsen one answer".

#![allow(dead_code)]

use carelevel::Level;
use carelevel::intake::*;
use proptest::prelude::*;

pub fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 4 => s.prop_map(Some)].boxed()
}

fn suicide() -> impl Strategy<Value = SuicideRisk> {
    prop::sample::select(vec![
        SuicideRisk::None,
        SuicideRisk::WishToBeDead,
        SuicideRisk::NonspecificActiveThoughts,
        SuicideRisk::MethodWithoutIntent,
        SuicideRisk::IntentWithoutPlan,
        SuicideRisk::PlanWithIntent,
        SuicideRisk::RecentBehavior,
    ])
}

fn setting() -> impl Strategy<Value = Setting> {
    prop::sample::select(vec![
        Setting::None,
        Setting::Outpatient,
        Setting::Iop,
        Setting::Php,
        Setting::Inpatient,
        Setting::InpatientWithdrawalManagement,
    ])
}

fn level() -> impl Strategy<Value = Level> {
    prop::sample::select(Level::ALL.to_vec())
}

/// A valid intake: every required item answered, every number in range.
pub fn intake() -> impl Strategy<Value = Intake> {
    let safety = (
        suicide(),
        prop::sample::select(vec![
            HarmToOthers::None,
            HarmToOthers::Ideation,
            HarmToOthers::PlanOrIntent,
        ]),
        any::<bool>(),
    );
    let withdrawal = (opt(0u32..=67), opt(0u32..=48), any::<bool>());
    let medical = prop::sample::select(vec![
        MedicalStatus::Stable,
        MedicalStatus::DailyMonitoring,
        MedicalStatus::RoundTheClockCare,
    ]);
    let severity = (
        opt(prop::collection::vec(
            (
                prop::sample::select(vec![
                    Substance::Alcohol,
                    Substance::Opioids,
                    Substance::Cannabis,
                ]),
                0u32..=11,
            )
                .prop_map(|(substance, dsm5_criteria)| SubstanceUse {
                    substance,
                    dsm5_criteria,
                }),
            0..3,
        )),
        opt(0u32..=27),
        opt(0u32..=21),
        opt(prop::sample::select(vec![
            ClinicianRating::None,
            ClinicianRating::Mild,
            ClinicianRating::Moderate,
            ClinicianRating::Severe,
        ])),
        opt(any::<bool>()),
    );
    let self_mgmt = prop::sample::select(vec![
        SelfManagement::Independent,
        SelfManagement::WithDailyStructure,
        SelfManagement::OnlyIn24HourSetting,
    ]);
    let history = (
        setting(),
        prop::sample::select(vec![
            Progress::GoalsMet,
            Progress::Progressing,
            Progress::NotEnough,
        ]),
        prop::collection::vec(level(), 0..3),
    );
    let home = (
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt(any::<bool>()),
        any::<bool>(),
    );
    let engagement = (
        opt(prop::sample::select(vec![
            StageOfChange::Precontemplation,
            StageOfChange::Contemplation,
            StageOfChange::Preparation,
            StageOfChange::Action,
            StageOfChange::Maintenance,
        ])),
        opt(any::<bool>()),
        prop::collection::vec(
            prop::sample::select(vec![
                Commitment::Work,
                Commitment::School,
                Commitment::Caregiving,
            ]),
            0..3,
        ),
        opt(any::<bool>()),
        opt(any::<bool>()),
        any::<bool>(),
    );
    (
        0u32..=120,
        safety,
        withdrawal,
        medical,
        severity,
        self_mgmt,
        history,
        home,
        engagement,
    )
        .prop_map(|(age, s, w, m, sev, sm, h, home, e)| Intake {
            age: Some(age),
            safety: Safety {
                suicide_risk: Some(s.0),
                harm_to_others: Some(s.1),
                psychosis_or_unable_to_self_care: Some(s.2),
            },
            withdrawal: Withdrawal {
                ciwa_ar: w.0,
                cows: w.1,
                seizure_or_dt_history: Some(w.2),
            },
            medical: Medical { status: Some(m) },
            severity: Severity {
                substance_use: sev.0,
                phq9: sev.1,
                gad7: sev.2,
                clinician_rating: sev.3,
                impairs_daily_activities: sev.4,
            },
            self_management: Some(sm),
            history: History {
                current_setting: Some(h.0),
                progress: Some(h.1),
                earlier_levels_not_held: h.2,
            },
            home: Home {
                substance_free: home.0,
                supportive: home.1,
                safe: home.2,
                stable_housing: home.3,
                substance_free_housing_arranged: home.4,
            },
            engagement: Engagement {
                stage_of_change: e.0,
                can_attend_several_days: e.1,
                commitments: e.2,
                needs_transportation: e.3,
                needs_childcare: e.4,
                preferences: if e.5 {
                    Preferences {
                        cultural: Some("Native American family programme".into()),
                        ..Default::default()
                    }
                } else {
                    Preferences::default()
                },
            },
            ratings: Default::default(),
            notes: None,
        })
}

fn bump<T: Copy + PartialOrd>(v: &mut Option<T>, ladder: &[T]) -> bool {
    let Some(cur) = *v else { return false };
    match ladder.iter().find(|x| **x > cur) {
        Some(next) => {
            *v = Some(*next);
            true
        }
        None => false,
    }
}

fn bump_num(v: &mut Option<u32>, max: u32, by: u32) -> bool {
    match *v {
        Some(n) if n < max => {
            *v = Some((n + by).min(max));
            true
        }
        _ => false,
    }
}

fn set_true(v: &mut Option<bool>) -> bool {
    if *v == Some(false) {
        *v = Some(true);
        true
    } else {
        false
    }
}

fn set_false(v: &mut Option<bool>) -> bool {
    if *v == Some(true) {
        *v = Some(false);
        true
    } else {
        false
    }
}

/// The names of the ordered risk answers `worsen` knows.
pub const ORDERED: &[&str] = &[
    "safety.suicide_risk",
    "safety.harm_to_others",
    "safety.psychosis_or_unable_to_self_care",
    "withdrawal.ciwa_ar",
    "withdrawal.cows",
    "withdrawal.seizure_or_dt_history",
    "medical.status",
    "severity.dsm5_criteria",
    "severity.phq9",
    "severity.gad7",
    "severity.clinician_rating",
    "severity.impairs_daily_activities",
    "self_management",
    "history.progress",
    "history.earlier_levels_not_held",
    "home.substance_free",
    "home.supportive",
    "home.safe",
    "home.stable_housing",
    "home.substance_free_housing_arranged",
];

/// Makes one ordered risk answer worse by `by` steps (numbers) or one step (choices);
/// returns whether anything changed.
pub fn worsen(i: &mut Intake, which: &str, by: u32) -> bool {
    use ClinicianRating as C;
    use SuicideRisk as S;
    match which {
        "safety.suicide_risk" => bump(
            &mut i.safety.suicide_risk,
            &[
                S::None,
                S::WishToBeDead,
                S::NonspecificActiveThoughts,
                S::MethodWithoutIntent,
                S::IntentWithoutPlan,
                S::PlanWithIntent,
                S::RecentBehavior,
            ],
        ),
        "safety.harm_to_others" => bump(
            &mut i.safety.harm_to_others,
            &[
                HarmToOthers::None,
                HarmToOthers::Ideation,
                HarmToOthers::PlanOrIntent,
            ],
        ),
        "safety.psychosis_or_unable_to_self_care" => {
            set_true(&mut i.safety.psychosis_or_unable_to_self_care)
        }
        "withdrawal.ciwa_ar" => bump_num(&mut i.withdrawal.ciwa_ar, 67, by),
        "withdrawal.cows" => bump_num(&mut i.withdrawal.cows, 48, by),
        "withdrawal.seizure_or_dt_history" => set_true(&mut i.withdrawal.seizure_or_dt_history),
        "medical.status" => bump(
            &mut i.medical.status,
            &[
                MedicalStatus::Stable,
                MedicalStatus::DailyMonitoring,
                MedicalStatus::RoundTheClockCare,
            ],
        ),
        "severity.dsm5_criteria" => match i
            .severity
            .substance_use
            .as_mut()
            .and_then(|l| l.first_mut())
        {
            Some(s) if s.dsm5_criteria < 11 => {
                s.dsm5_criteria = (s.dsm5_criteria + by).min(11);
                true
            }
            _ => false,
        },
        "severity.phq9" => bump_num(&mut i.severity.phq9, 27, by),
        "severity.gad7" => bump_num(&mut i.severity.gad7, 21, by),
        "severity.clinician_rating" => bump(
            &mut i.severity.clinician_rating,
            &[C::None, C::Mild, C::Moderate, C::Severe],
        ),
        "severity.impairs_daily_activities" => set_true(&mut i.severity.impairs_daily_activities),
        "self_management" => bump(
            &mut i.self_management,
            &[
                SelfManagement::Independent,
                SelfManagement::WithDailyStructure,
                SelfManagement::OnlyIn24HourSetting,
            ],
        ),
        "history.progress" => bump(
            &mut i.history.progress,
            &[
                Progress::GoalsMet,
                Progress::Progressing,
                Progress::NotEnough,
            ],
        ),
        "history.earlier_levels_not_held" => {
            let top = i.history.earlier_levels_not_held.iter().copied().max();
            let next = match top {
                None => Some(Level::Outpatient),
                Some(l) => l.step_up(),
            };
            match next {
                Some(l) => {
                    i.history.earlier_levels_not_held.push(l);
                    true
                }
                None => false,
            }
        }
        "home.substance_free" => set_false(&mut i.home.substance_free),
        "home.supportive" => set_false(&mut i.home.supportive),
        "home.safe" => set_false(&mut i.home.safe),
        "home.stable_housing" => set_false(&mut i.home.stable_housing),
        "home.substance_free_housing_arranged" => {
            let was = i.home.substance_free_housing_arranged;
            i.home.substance_free_housing_arranged = false;
            was
        }
        other => panic!("unknown ordered answer {other}"),
    }
}
