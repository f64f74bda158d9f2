//! Shared by the bench targets: a deterministic batch of varied, valid intakes.

use carelevel::intake::*;
use carelevel::{Intake, Level};

/// SplitMix64, so the batch is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn maybe(&mut self, max: u32) -> Option<u32> {
        (self.below(4) != 0).then(|| self.below(u64::from(max) + 1) as u32)
    }
    fn flag(&mut self) -> Option<bool> {
        self.pick(&[None, Some(true), Some(false), Some(false)])
    }
}

/// 10,000 varied valid intakes, skewed toward low risk as real intakes are.
pub fn generated(n: usize) -> Vec<Intake> {
    let mut r = Rng(0x5EED_2026_0002);
    (0..n)
        .map(|_| {
            let low = |r: &mut Rng, xs: &[u64]| -> usize {
                let x = r.below(100);
                xs.iter().position(|t| x < *t).unwrap_or(xs.len())
            };
            let suicide = [
                SuicideRisk::None,
                SuicideRisk::WishToBeDead,
                SuicideRisk::NonspecificActiveThoughts,
                SuicideRisk::MethodWithoutIntent,
                SuicideRisk::IntentWithoutPlan,
                SuicideRisk::PlanWithIntent,
                SuicideRisk::RecentBehavior,
            ][low(&mut r, &[70, 80, 88, 93, 96, 98])];
            Intake {
                age: Some(12 + r.below(70) as u32),
                safety: Safety {
                    suicide_risk: Some(suicide),
                    harm_to_others: Some(
                        [
                            HarmToOthers::None,
                            HarmToOthers::Ideation,
                            HarmToOthers::PlanOrIntent,
                        ][low(&mut r, &[90, 97])],
                    ),
                    psychosis_or_unable_to_self_care: Some(r.below(20) == 0),
                },
                withdrawal: Withdrawal {
                    ciwa_ar: r.maybe(30),
                    cows: r.maybe(30),
                    seizure_or_dt_history: Some(r.below(10) == 0),
                },
                medical: Medical {
                    status: Some(
                        [
                            MedicalStatus::Stable,
                            MedicalStatus::DailyMonitoring,
                            MedicalStatus::RoundTheClockCare,
                        ][low(&mut r, &[85, 96])],
                    ),
                },
                severity: Severity {
                    substance_use: Some(
                        (0..r.below(3))
                            .map(|_| SubstanceUse {
                                substance: r.pick(&[
                                    Substance::Alcohol,
                                    Substance::Opioids,
                                    Substance::Stimulants,
                                    Substance::Cannabis,
                                ]),
                                dsm5_criteria: r.below(12) as u32,
                            })
                            .collect(),
                    ),
                    phq9: r.maybe(27),
                    gad7: r.maybe(21),
                    clinician_rating: r.pick(&[
                        None,
                        Some(ClinicianRating::Mild),
                        Some(ClinicianRating::Moderate),
                        Some(ClinicianRating::Severe),
                    ]),
                    impairs_daily_activities: r.flag(),
                },
                self_management: Some(
                    [
                        SelfManagement::Independent,
                        SelfManagement::WithDailyStructure,
                        SelfManagement::OnlyIn24HourSetting,
                    ][low(&mut r, &[75, 95])],
                ),
                history: History {
                    current_setting: Some(r.pick(&[
                        Setting::None,
                        Setting::Outpatient,
                        Setting::Iop,
                        Setting::Php,
                        Setting::Inpatient,
                        Setting::InpatientWithdrawalManagement,
                    ])),
                    progress: Some(r.pick(&[
                        Progress::GoalsMet,
                        Progress::Progressing,
                        Progress::NotEnough,
                    ])),
                    earlier_levels_not_held: if r.below(4) == 0 {
                        vec![r.pick(&Level::ALL)]
                    } else {
                        Vec::new()
                    },
                },
                home: Home {
                    substance_free: r.flag(),
                    supportive: r.flag(),
                    safe: r.flag(),
                    stable_housing: r.flag(),
                    substance_free_housing_arranged: r.below(5) == 0,
                },
                engagement: Engagement {
                    stage_of_change: Some(r.pick(&[
                        StageOfChange::Precontemplation,
                        StageOfChange::Contemplation,
                        StageOfChange::Preparation,
                        StageOfChange::Action,
                    ])),
                    can_attend_several_days: r.flag(),
                    commitments: if r.below(2) == 0 {
                        vec![Commitment::Work]
                    } else {
                        Vec::new()
                    },
                    needs_transportation: r.flag(),
                    needs_childcare: r.flag(),
                    preferences: Preferences::default(),
                },
                ratings: Default::default(),
                notes: None,
            }
        })
        .collect()
}
