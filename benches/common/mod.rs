//! Shared by the bench targets: a deterministic batch of varied, valid intakes (intake 2).

use carelevel::Intake;
use carelevel::intake::*;

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
    /// One of `xs` (least severe first), skewed toward the first: `xs[k]` when a draw
    /// below 100 is under `cuts[k]` (and the last beyond every cut).
    fn low<T: Copy>(&mut self, xs: &[T], cuts: &[u64]) -> T {
        let x = self.below(100);
        xs[cuts.iter().position(|t| x < *t).unwrap_or(xs.len() - 1)]
    }
    /// A safety item's answer: declined one time in fifty, unable to assess one in a
    /// hundred.
    fn assessed<T>(&mut self, answer: T) -> Option<Assessed<T>> {
        Some(match self.below(100) {
            0 | 1 => Assessed::Declined,
            2 => Assessed::UnableToAssess,
            _ => Assessed::Answer(answer),
        })
    }
}

/// An entry for `substance`: its DSM-5 count, and the measures that apply to it.
fn entry(r: &mut Rng, substance: Substance) -> SubstanceUse {
    let mut s = SubstanceUse::new(substance, r.below(12) as u32);
    s.days_used_past_30 = r.maybe(30);
    match substance {
        Substance::Alcohol => {
            s.ciwa_ar = r.maybe(30);
            s.drinks_per_day = r.maybe(20);
        }
        Substance::Opioids => s.cows = r.maybe(30),
        Substance::Sedatives => {
            s.ciwa_ar = r.maybe(20);
            s.benzodiazepine = Some(Benzodiazepine::Alprazolam);
            s.daily_dose_mg = r.maybe(10);
        }
        _ => {}
    }
    s
}

/// COWS's items' scores, in the order of `CowsItems`' fields (some skip values).
const COWS_SCALES: [&[u32]; 11] = [
    &[0, 1, 2, 4],
    &[0, 1, 2, 3, 4],
    &[0, 1, 3, 5],
    &[0, 1, 2, 5],
    &[0, 1, 2, 4],
    &[0, 1, 2, 4],
    &[0, 1, 2, 3, 5],
    &[0, 1, 2, 4],
    &[0, 1, 2, 4],
    &[0, 1, 2, 4],
    &[0, 3, 5],
];

/// An answer on the PHQ's frequency scale, mostly `not_at_all`.
fn frequency(r: &mut Rng) -> Option<Frequency> {
    Some(r.low(
        &[
            Frequency::NotAtAll,
            Frequency::SeveralDays,
            Frequency::MoreThanHalfTheDays,
            Frequency::NearlyEveryDay,
        ],
        &[55, 80, 92],
    ))
}

/// The intake with its instruments given item by item: PHQ-9 and GAD-7 items in place of
/// their totals (PHQ-9's item 9 answered), CIWA-Ar and COWS items in place of the scores on
/// the entries, and, when both suicide items are answered, the C-SSRS screener answered to
/// score the same in their place. Every instrument complete, so placements stay valid.
fn with_items(r: &mut Rng, i: &mut Intake) {
    if i.severity.phq9.take().is_some() {
        let p = &mut i.severity.phq9_items;
        for item in [
            &mut p.interest,
            &mut p.feeling_down,
            &mut p.sleep,
            &mut p.tiredness,
            &mut p.appetite,
            &mut p.self_worth,
            &mut p.concentration,
            &mut p.psychomotor,
        ] {
            *item = frequency(r);
        }
        i.safety.phq9_item9 = frequency(r).map(Assessed::Answer);
    }
    if i.severity.gad7.take().is_some() {
        let g = &mut i.severity.gad7_items;
        for item in [
            &mut g.nervous,
            &mut g.uncontrolled_worry,
            &mut g.excessive_worry,
            &mut g.trouble_relaxing,
            &mut g.restlessness,
            &mut g.irritability,
            &mut g.dread,
        ] {
            *item = frequency(r);
        }
    }
    for s in i.substance_use.iter_mut().flatten() {
        if s.ciwa_ar.take().is_some() {
            let c = &mut s.ciwa_ar_items;
            for item in [
                &mut c.nausea_vomiting,
                &mut c.tremor,
                &mut c.paroxysmal_sweats,
                &mut c.anxiety,
                &mut c.agitation,
                &mut c.tactile_disturbances,
                &mut c.auditory_disturbances,
                &mut c.visual_disturbances,
                &mut c.headache,
            ] {
                *item = Some(r.below(4) as u32);
            }
            c.orientation = Some(r.below(2) as u32);
        }
        if s.cows.take().is_some() {
            let c = &mut s.cows_items;
            let items = [
                &mut c.pulse,
                &mut c.sweating,
                &mut c.restlessness,
                &mut c.pupil_size,
                &mut c.bone_or_joint_aches,
                &mut c.runny_nose_or_tearing,
                &mut c.gi_upset,
                &mut c.tremor,
                &mut c.yawning,
                &mut c.anxiety_or_irritability,
                &mut c.gooseflesh_skin,
            ];
            for (item, scale) in items.into_iter().zip(COWS_SCALES) {
                *item = Some(r.pick(&scale[..3.min(scale.len())]));
            }
        }
    }
    let safety = &mut i.safety;
    if let (Some(Assessed::Answer(ideation)), Some(Assessed::Answer(behavior))) =
        (safety.suicidal_ideation, safety.suicidal_behavior)
        && r.below(2) == 0
    {
        use SuicidalIdeation as S;
        let answer = |yes: bool| Some(Assessed::Answer(yes));
        let thoughts = ideation >= S::NonspecificActiveThoughts;
        let after_thoughts = |yes: bool| if thoughts { answer(yes) } else { None };
        safety.cssrs = CssrsScreener {
            wish_to_be_dead: answer(ideation >= S::WishToBeDead),
            nonspecific_thoughts: answer(thoughts),
            method: after_thoughts(ideation == S::MethodWithoutIntent),
            intent: after_thoughts(ideation == S::IntentWithoutPlan),
            plan: after_thoughts(ideation == S::PlanWithIntent),
            behavior: answer(behavior != Recency::Never),
            behavior_past_3_months: (behavior != Recency::Never)
                .then(|| Assessed::Answer(behavior == Recency::Past3Months)),
        };
        safety.suicidal_ideation = None;
        safety.suicidal_behavior = None;
    }
}

/// 10,000 varied valid intakes, skewed toward low risk as real intakes are; one in four
/// gives its instruments item by item ([`with_items`], from a generator of its own, so the
/// others are as they were).
pub fn generated(n: usize) -> Vec<Intake> {
    let mut items = Rng(0x5EED_2026_0012);
    let mut batch = generated_by_totals(n);
    for intake in &mut batch {
        if items.below(4) == 0 {
            with_items(&mut items, intake);
        }
    }
    batch
}

fn generated_by_totals(n: usize) -> Vec<Intake> {
    let mut r = Rng(0x5EED_2026_0002);
    (0..n)
        .map(|_| {
            let ideation = r.low(
                &[
                    SuicidalIdeation::None,
                    SuicidalIdeation::WishToBeDead,
                    SuicidalIdeation::NonspecificActiveThoughts,
                    SuicidalIdeation::MethodWithoutIntent,
                    SuicidalIdeation::IntentWithoutPlan,
                    SuicidalIdeation::PlanWithIntent,
                ],
                &[72, 82, 90, 95, 98],
            );
            let behavior = r.low(
                &[Recency::Never, Recency::Lifetime, Recency::Past3Months],
                &[85, 96],
            );
            let age = 12 + r.below(70) as u32;
            // Up to three different substances (one entry per substance).
            let mut substances = vec![
                Substance::Alcohol,
                Substance::Opioids,
                Substance::Stimulants,
                Substance::Cannabis,
                Substance::Sedatives,
            ];
            let count = r.below(4) as usize;
            let mut list = Vec::with_capacity(count);
            for _ in 0..count {
                let s = substances.remove(r.below(substances.len() as u64) as usize);
                list.push(entry(&mut r, s));
            }
            let opioids = list.iter().any(|s| s.substance == Substance::Opioids);
            let setting = r.low(
                &[
                    Setting::None,
                    Setting::Outpatient,
                    Setting::Iop,
                    Setting::Php,
                    Setting::Inpatient,
                    Setting::InpatientWithdrawalManagement,
                ],
                &[40, 55, 70, 82, 94],
            );
            let progress = r.pick(&[
                Progress::GoalsMet,
                Progress::Progressing,
                Progress::NotEnough,
            ]);
            Intake {
                age: Some(age),
                safety: Safety {
                    suicidal_ideation: r.assessed(ideation),
                    suicidal_behavior: r.assessed(behavior),
                    harm_to_others: {
                        let h = r.low(
                            &[
                                HarmToOthers::None,
                                HarmToOthers::Ideation,
                                HarmToOthers::PlanOrIntent,
                            ],
                            &[90, 97],
                        );
                        r.assessed(h)
                    },
                    psychosis: {
                        let p = r.low(
                            &[Psychosis::None, Psychosis::ChronicStable, Psychosis::Acute],
                            &[90, 95],
                        );
                        r.assessed(p)
                    },
                    unable_to_self_care: {
                        let u = r.below(20) == 0;
                        r.assessed(u)
                    },
                    lethal_means: (r.below(3) == 0).then_some(Assessed::Answer(LethalMeans::None)),
                    ..Safety::default()
                },
                withdrawal: Withdrawal {
                    seizure_or_dt_history: {
                        let s = r.below(10) == 0;
                        r.assessed(s)
                    },
                    intoxicated_now: r.flag().map(Assessed::Answer),
                    ..Withdrawal::default()
                },
                substance_use: (r.below(10) != 0).then_some(list),
                medical: Medical {
                    status: {
                        let s = r.low(
                            &[
                                MedicalStatus::Stable,
                                MedicalStatus::DailyMonitoring,
                                MedicalStatus::RoundTheClockCare,
                            ],
                            &[85, 96],
                        );
                        r.assessed(s)
                    },
                    injection_use: r.flag().map(Assessed::Answer),
                    ..Medical::default()
                },
                medication: Medication {
                    opioid_use_disorder: opioids.then_some(OudMedication::Buprenorphine),
                    opioid_use_disorder_adherence: opioids.then(|| {
                        r.pick(&[
                            Adherence::AsPrescribed,
                            Adherence::MissingDoses,
                            Adherence::Stopped,
                        ])
                    }),
                    naloxone_on_hand: r.flag(),
                    ..Medication::default()
                },
                severity: Severity {
                    phq9: r.maybe(27),
                    gad7: r.maybe(21),
                    clinician_rating: r.pick(&[
                        None,
                        Some(ClinicianRating::Mild),
                        Some(ClinicianRating::Moderate),
                        Some(ClinicianRating::Severe),
                    ]),
                    impairs_daily_activities: r.flag(),
                    ..Severity::default()
                },
                self_management: Some(r.low(
                    &[
                        SelfManagement::Independent,
                        SelfManagement::WithDailyStructure,
                        SelfManagement::OnlyIn24HourSetting,
                    ],
                    &[75, 95],
                )),
                history: History {
                    current_setting: Some(setting),
                    // Asked only in treatment, and then required.
                    progress: (setting != Setting::None).then_some(progress),
                    episodes: match r.below(4) {
                        0 => None,
                        1 => Some(vec![Episode {
                            level: r.pick(EpisodeLevel::ALL),
                            outcome: r.pick(&[
                                Outcome::Completed,
                                Outcome::LeftEarly,
                                Outcome::DidNotHold,
                            ]),
                            months_ago: r.maybe(60),
                        }]),
                        _ => Some(Vec::new()),
                    },
                    ..History::default()
                },
                home: Home {
                    others_use_substances: r.pick(&[None, Some(true), Some(false), Some(false)]),
                    violence_or_abuse: r.flag().map(|b| Assessed::Answer(b && r.below(3) == 0)),
                    supportive: r.flag(),
                    housing: r.pick(&[
                        None,
                        Some(Housing::Housed),
                        Some(Housing::Housed),
                        Some(Housing::UnstablyHoused),
                    ]),
                    arranged_housing: (r.below(5) == 0).then_some(ArrangedHousing::SoberLiving),
                    ..Home::default()
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
                    ..Engagement::default()
                },
                adolescent: if age < 18 {
                    Adolescent {
                        guardian_consent: Some(GuardianConsent::Given),
                        school: Some(SchoolStatus::Attending),
                        ..Adolescent::default()
                    }
                } else {
                    Adolescent::default()
                },
                ..Intake::default()
            }
        })
        .collect()
}
