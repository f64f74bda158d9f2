//! Shared test support: "worsen one answer", reading the golden scenario files, and running
//! the example programs. The
//! strategy for valid intakes is the library's own, `carelevel::strategies::intake` (the
//! `proptest` feature).

#![allow(dead_code)]

pub mod examples;
pub mod scenarios;

use carelevel::Level;
use carelevel::intake::*;

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
