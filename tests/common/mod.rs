//! Shared test support: "worsen one answer", reading the golden scenario files, the intake's
//! items as its schema lists them, and running the example programs. The
//! strategy for valid intakes is the library's own, `carelevel::strategies::intake` (the
//! `proptest` feature).

#![allow(dead_code)]

pub mod examples;
pub mod items;
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

/// Like [`bump`], for a safety item: only an answer is made worse (`declined` and
/// `unable_to_assess` are left as they are).
fn bump_assessed<T: Copy + PartialOrd>(v: &mut Option<Assessed<T>>, ladder: &[T]) -> bool {
    let Some(Assessed::Answer(cur)) = *v else {
        return false;
    };
    let mut answer = Some(cur);
    let changed = bump(&mut answer, ladder);
    if let Some(next) = answer {
        *v = Some(Assessed::Answer(next));
    }
    changed
}

fn set_true_assessed(v: &mut Option<Assessed<bool>>) -> bool {
    if *v == Some(Assessed::Answer(false)) {
        *v = Some(Assessed::Answer(true));
        true
    } else {
        false
    }
}

/// Raises the highest score of a withdrawal scale over the entries it measures (the entry
/// holding that score), by `by` up to `max`.
fn bump_scale(
    i: &mut Intake,
    by: u32,
    max: u32,
    score: impl Fn(&mut SubstanceUse) -> &mut Option<u32>,
) -> bool {
    let Some(list) = i.substance_use.as_mut() else {
        return false;
    };
    let Some(top) = list
        .iter_mut()
        .filter_map(|s| {
            let v = (*score(s))?;
            Some((v, s))
        })
        .max_by_key(|(v, _)| *v)
        .map(|(_, s)| s)
    else {
        return false;
    };
    bump_num(score(top), max, by)
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

/// The names of the ordered risk answers `worsen` knows: every answer the built-in rules read
/// whose worse direction is known (`withdrawal.ciwa_ar` and `withdrawal.cows` are the scores
/// on the substance entries they measure).
pub const ORDERED: &[&str] = &[
    "safety.suicidal_ideation",
    "safety.suicidal_behavior",
    "safety.harm_to_others",
    "safety.psychosis_or_unable_to_self_care",
    "withdrawal.ciwa_ar",
    "withdrawal.cows",
    "withdrawal.seizure_or_dt_history",
    "substance_use.severity",
    "medical.status",
    "severity.phq9",
    "severity.gad7",
    "severity.clinician_rating",
    "severity.impairs_daily_activities",
    "self_management",
    "history.progress",
    "history.episodes",
    "home.others_use_substances",
    "home.supportive",
    "home.violence_or_abuse",
    "home.housing",
    "home.arranged_housing",
];

/// Makes one ordered risk answer worse by `by` steps (numbers) or one step (choices);
/// returns whether anything changed.
pub fn worsen(i: &mut Intake, which: &str, by: u32) -> bool {
    use ClinicianRating as C;
    use SuicidalIdeation as S;
    match which {
        "safety.suicidal_ideation" => bump_assessed(
            &mut i.safety.suicidal_ideation,
            &[
                S::None,
                S::WishToBeDead,
                S::NonspecificActiveThoughts,
                S::MethodWithoutIntent,
                S::IntentWithoutPlan,
                S::PlanWithIntent,
            ],
        ),
        "safety.suicidal_behavior" => bump_assessed(
            &mut i.safety.suicidal_behavior,
            &[Recency::Never, Recency::Lifetime, Recency::Past3Months],
        ),
        "safety.harm_to_others" => bump_assessed(
            &mut i.safety.harm_to_others,
            &[
                HarmToOthers::None,
                HarmToOthers::Ideation,
                HarmToOthers::PlanOrIntent,
            ],
        ),
        "safety.psychosis_or_unable_to_self_care" => {
            set_true_assessed(&mut i.safety.psychosis_or_unable_to_self_care)
        }
        "withdrawal.ciwa_ar" => bump_scale(i, by, 67, |s| &mut s.ciwa_ar),
        "withdrawal.cows" => bump_scale(i, by, 48, |s| &mut s.cows),
        "withdrawal.seizure_or_dt_history" => {
            set_true_assessed(&mut i.withdrawal.seizure_or_dt_history)
        }
        // The first entry's disorder: its count by `by` (and its severity with it, when both
        // are given), or its severity by one step.
        "substance_use.severity" => {
            let Some(s) = i.substance_use.as_mut().and_then(|l| l.first_mut()) else {
                return false;
            };
            match s.dsm5_criteria {
                Some(n) if n < 11 => {
                    let n = (n + by).min(11);
                    s.dsm5_criteria = Some(n);
                    if s.severity.is_some() {
                        s.severity = Some(SudSeverity::of_count(n));
                    }
                    true
                }
                Some(_) => false,
                None => bump(
                    &mut s.severity,
                    &[
                        SudSeverity::NoDisorder,
                        SudSeverity::Mild,
                        SudSeverity::Moderate,
                        SudSeverity::Severe,
                    ],
                ),
            }
        }
        "medical.status" => bump_assessed(
            &mut i.medical.status,
            &[
                MedicalStatus::Stable,
                MedicalStatus::DailyMonitoring,
                MedicalStatus::RoundTheClockCare,
            ],
        ),
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
        // One more episode that did not hold, a level above the highest that did not (only
        // when episodes were asked: an absent list is not asked, not "none").
        "history.episodes" => {
            let Some(episodes) = i.history.episodes.as_mut() else {
                return false;
            };
            let top = episodes
                .iter()
                .filter(|e| e.outcome == Outcome::DidNotHold)
                .map(|e| e.level)
                .max();
            let next = match top {
                None => Some(Level::Outpatient),
                Some(l) => l.step_up(),
            };
            match next {
                Some(level) => {
                    episodes.push(Episode {
                        level,
                        outcome: Outcome::DidNotHold,
                        months_ago: None,
                    });
                    true
                }
                None => false,
            }
        }
        "home.others_use_substances" => set_true(&mut i.home.others_use_substances),
        "home.supportive" => set_false(&mut i.home.supportive),
        "home.violence_or_abuse" => set_true_assessed(&mut i.home.violence_or_abuse),
        "home.housing" => bump(
            &mut i.home.housing,
            &[
                Housing::Housed,
                Housing::UnstablyHoused,
                Housing::ShelteredHomeless,
                Housing::Unsheltered,
            ],
        ),
        // Arranged housing falls through: nothing arranged is the worst.
        "home.arranged_housing" => {
            let was = i.home.arranged_housing;
            i.home.arranged_housing = None;
            !matches!(was, None | Some(ArrangedHousing::None))
        }
        other => panic!("unknown ordered answer {other}"),
    }
}
