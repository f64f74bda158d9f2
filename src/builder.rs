//! Test fixtures in one line: named starting intakes and [`IntakeBuilder`].

use crate::Level;
use crate::intake::{
    ArrangedHousing, Assessed, ClinicianRating, Commitment, Episode, EpisodeLevel, HarmToOthers,
    History, Housing, Intake, Medical, MedicalStatus, Outcome, Progress, Psychosis, Recency,
    Safety, SelfManagement, Setting, StageOfChange, Substance, SubstanceUse, SuicidalIdeation,
    Withdrawal,
};

impl Intake {
    /// A 34-year-old with only the required items answered, each with its least severe
    /// answer: no suicidal ideation or behaviour, no harm to others, no psychosis, able to care
    /// for oneself, no seizure or DT history,
    /// medically stable, manages independently, not in treatment. The built-in pack places it
    /// at outpatient; the rules that need an unanswered optional item are reported as not
    /// evaluated. Start a fixture from it with struct-update syntax or [`Intake::builder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::{Intake, Level, RulePack};
    ///
    /// let intake = Intake::minimal_adult();
    /// assert!(intake.missing_required().is_empty());
    /// assert_eq!(RulePack::builtin().assess(&intake)?.level(), Level::Outpatient);
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn minimal_adult() -> Intake {
        Intake {
            age: Some(34),
            safety: Safety {
                suicidal_ideation: Some(Assessed::Answer(SuicidalIdeation::None)),
                suicidal_behavior: Some(Assessed::Answer(Recency::Never)),
                harm_to_others: Some(Assessed::Answer(HarmToOthers::None)),
                psychosis: Some(Assessed::Answer(Psychosis::None)),
                unable_to_self_care: Some(Assessed::Answer(false)),
                ..Safety::default()
            },
            withdrawal: Withdrawal {
                seizure_or_dt_history: Some(Assessed::Answer(false)),
                ..Withdrawal::default()
            },
            medical: Medical {
                status: Some(Assessed::Answer(MedicalStatus::Stable)),
                ..Medical::default()
            },
            self_management: Some(SelfManagement::Independent),
            history: History {
                current_setting: Some(Setting::None),
                ..History::default()
            },
            ..Intake::default()
        }
    }

    /// [`Intake::minimal_adult`] at 16: an adolescent, for whom the IOP hour minimum differs.
    pub fn minimal_adolescent() -> Intake {
        Intake {
            age: Some(16),
            ..Intake::minimal_adult()
        }
    }

    /// A builder starting from [`Intake::minimal_adult`]: see [`IntakeBuilder`].
    pub fn builder() -> IntakeBuilder {
        IntakeBuilder::new()
    }
}

/// Builds an intake for a test fixture in one line: it starts from
/// [`Intake::minimal_adult`] (or any intake, with [`IntakeBuilder::from`]), and each method
/// answers one item, named after it (`phq9`, `ciwa_ar`, `violence_or_abuse`).
/// [`IntakeBuilder::with`] changes anything else, including removing an answer.
///
/// The builder checks nothing: an out-of-range number is kept, so that a test can build an
/// intake that [`RulePack::assess`](crate::RulePack::assess) must refuse.
///
/// # Examples
///
/// ```
/// use carelevel::intake::{Progress, Setting, Substance, SuicidalIdeation};
/// use carelevel::{Intake, Level, RulePack};
///
/// let pack = RulePack::builtin();
/// let intake = Intake::builder().suicidal_ideation(SuicidalIdeation::PlanWithIntent).build();
/// assert_eq!(pack.assess(&intake)?.level(), Level::Inpatient);
///
/// let intake = Intake::builder()
///     .substance_use(Substance::Alcohol, 7)
///     .ciwa_ar(12)
///     .current_setting(Setting::Iop, Progress::NotEnough)
///     .build();
/// assert_eq!(pack.assess(&intake)?.level(), Level::Php);
///
/// // Out of range on purpose: refused, naming the field.
/// let err = pack.assess(&Intake::builder().phq9(28).build()).unwrap_err();
/// assert_eq!(err.problems()[0].field, "severity.phq9");
///
/// // Remove an answer with `with`.
/// let no_age = Intake::builder().with(|i| i.age = None).build();
/// assert_eq!(no_age.missing_required(), ["age"]);
/// # Ok::<(), carelevel::IntakeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "call `build` to get the intake"]
pub struct IntakeBuilder {
    intake: Intake,
}

impl Default for IntakeBuilder {
    fn default() -> Self {
        IntakeBuilder::new()
    }
}

impl From<Intake> for IntakeBuilder {
    /// A builder starting from `intake` (a bundled example, a fixture of your own).
    fn from(intake: Intake) -> Self {
        IntakeBuilder { intake }
    }
}

impl IntakeBuilder {
    /// A builder starting from [`Intake::minimal_adult`].
    pub fn new() -> IntakeBuilder {
        IntakeBuilder {
            intake: Intake::minimal_adult(),
        }
    }

    /// The intake.
    #[must_use]
    pub fn build(self) -> Intake {
        self.intake
    }

    /// Changes the intake in place: any field, including setting an answer back to `None`.
    pub fn with(mut self, change: impl FnOnce(&mut Intake)) -> IntakeBuilder {
        change(&mut self.intake);
        self
    }

    /// Age in years.
    pub fn age(self, years: u32) -> IntakeBuilder {
        self.with(|i| i.age = Some(years))
    }

    /// `safety.suicidal_ideation`.
    pub fn suicidal_ideation(self, ideation: SuicidalIdeation) -> IntakeBuilder {
        self.with(|i| i.safety.suicidal_ideation = Some(Assessed::Answer(ideation)))
    }

    /// `safety.suicidal_behavior`.
    pub fn suicidal_behavior(self, when: Recency) -> IntakeBuilder {
        self.with(|i| i.safety.suicidal_behavior = Some(Assessed::Answer(when)))
    }

    /// `safety.harm_to_others`.
    pub fn harm_to_others(self, risk: HarmToOthers) -> IntakeBuilder {
        self.with(|i| i.safety.harm_to_others = Some(Assessed::Answer(risk)))
    }

    /// `safety.psychosis`.
    pub fn psychosis(self, psychosis: Psychosis) -> IntakeBuilder {
        self.with(|i| i.safety.psychosis = Some(Assessed::Answer(psychosis)))
    }

    /// `safety.unable_to_self_care`.
    pub fn unable_to_self_care(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.safety.unable_to_self_care = Some(Assessed::Answer(yes)))
    }

    /// `substance_use[].ciwa_ar` on the alcohol entry (added, with no count, when there is
    /// none: give its count with [`IntakeBuilder::substance_use`] first).
    pub fn ciwa_ar(self, score: u32) -> IntakeBuilder {
        self.with(|i| entry(i, Substance::Alcohol, |e| e.ciwa_ar = Some(score)))
    }

    /// `substance_use[].cows` on the opioids entry (added, with no count, when there is none:
    /// give its count with [`IntakeBuilder::substance_use`] first).
    pub fn cows(self, score: u32) -> IntakeBuilder {
        self.with(|i| entry(i, Substance::Opioids, |e| e.cows = Some(score)))
    }

    /// `withdrawal.seizure_or_dt_history`.
    pub fn seizure_or_dt_history(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.withdrawal.seizure_or_dt_history = Some(Assessed::Answer(yes)))
    }

    /// `medical.status`.
    pub fn medical_status(self, status: MedicalStatus) -> IntakeBuilder {
        self.with(|i| i.medical.status = Some(Assessed::Answer(status)))
    }

    /// Adds one substance to `substance_use` with its DSM-5 criteria count (creating the
    /// list if absent), or sets the count on its entry if it is listed.
    pub fn substance_use(self, substance: Substance, dsm5_criteria: u32) -> IntakeBuilder {
        self.with(|i| entry(i, substance, |e| e.dsm5_criteria = Some(dsm5_criteria)))
    }

    /// `substance_use` asked, and no substance used (an empty list).
    pub fn no_substance_use(self) -> IntakeBuilder {
        self.with(|i| i.substance_use = Some(Vec::new()))
    }

    /// `severity.phq9`.
    pub fn phq9(self, score: u32) -> IntakeBuilder {
        self.with(|i| i.severity.phq9 = Some(score))
    }

    /// `severity.gad7`.
    pub fn gad7(self, score: u32) -> IntakeBuilder {
        self.with(|i| i.severity.gad7 = Some(score))
    }

    /// `severity.clinician_rating`.
    pub fn clinician_rating(self, rating: ClinicianRating) -> IntakeBuilder {
        self.with(|i| i.severity.clinician_rating = Some(rating))
    }

    /// `severity.impairs_daily_activities`.
    pub fn impairs_daily_activities(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.severity.impairs_daily_activities = Some(yes))
    }

    /// `self_management`.
    pub fn self_management(self, answer: SelfManagement) -> IntakeBuilder {
        self.with(|i| i.self_management = Some(answer))
    }

    /// `history.current_setting` and `history.progress` (required together in treatment).
    pub fn current_setting(self, setting: Setting, progress: Progress) -> IntakeBuilder {
        self.with(|i| {
            i.history.current_setting = Some(setting);
            i.history.progress = Some(progress);
        })
    }

    /// Adds an earlier episode to `history.episodes` (creating the list if absent).
    /// `level` is a [`Level`] or an [`EpisodeLevel`] (for withdrawal management alone).
    pub fn episode(self, level: impl Into<EpisodeLevel>, outcome: Outcome) -> IntakeBuilder {
        let level = level.into();
        self.with(|i| {
            i.history
                .episodes
                .get_or_insert_with(Vec::new)
                .push(Episode {
                    level,
                    outcome,
                    months_ago: None,
                });
        })
    }

    /// Adds an earlier episode at `level` that did not hold.
    pub fn earlier_level_not_held(self, level: Level) -> IntakeBuilder {
        self.episode(level, Outcome::DidNotHold)
    }

    /// `home.others_use_substances`.
    pub fn others_use_substances(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.home.others_use_substances = Some(yes))
    }

    /// `home.supportive`.
    pub fn home_supportive(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.home.supportive = Some(yes))
    }

    /// `home.violence_or_abuse`.
    pub fn violence_or_abuse(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.home.violence_or_abuse = Some(Assessed::Answer(yes)))
    }

    /// `home.housing`.
    pub fn housing(self, housing: Housing) -> IntakeBuilder {
        self.with(|i| i.home.housing = Some(housing))
    }

    /// `home.arranged_housing`.
    pub fn arranged_housing(self, arranged: ArrangedHousing) -> IntakeBuilder {
        self.with(|i| i.home.arranged_housing = Some(arranged))
    }

    /// `engagement.stage_of_change`.
    pub fn stage_of_change(self, stage: StageOfChange) -> IntakeBuilder {
        self.with(|i| i.engagement.stage_of_change = Some(stage))
    }

    /// `engagement.can_attend_several_days`.
    pub fn can_attend_several_days(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.engagement.can_attend_several_days = Some(yes))
    }

    /// Adds one commitment to `engagement.commitments`.
    pub fn commitment(self, commitment: Commitment) -> IntakeBuilder {
        self.with(|i| i.engagement.commitments.push(commitment))
    }

    /// `engagement.needs_transportation`.
    pub fn needs_transportation(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.engagement.needs_transportation = Some(yes))
    }

    /// `engagement.needs_childcare`.
    pub fn needs_childcare(self, yes: bool) -> IntakeBuilder {
        self.with(|i| i.engagement.needs_childcare = Some(yes))
    }

    /// `engagement.preferences.cultural`.
    pub fn cultural_preference(self, text: &str) -> IntakeBuilder {
        self.with(|i| i.engagement.preferences.cultural = Some(text.into()))
    }

    /// `engagement.preferences.language`.
    pub fn language_preference(self, text: &str) -> IntakeBuilder {
        self.with(|i| i.engagement.preferences.language = Some(text.into()))
    }

    /// `engagement.preferences.spiritual`.
    pub fn spiritual_preference(self, text: &str) -> IntakeBuilder {
        self.with(|i| i.engagement.preferences.spiritual = Some(text.into()))
    }

    /// A rating for an instrument the rule pack declares (`ratings.<id>`).
    pub fn rating(self, id: &str, value: u32) -> IntakeBuilder {
        self.with(|i| {
            i.ratings.insert(id.to_owned(), value);
        })
    }

    /// Free-text `notes` (never read by a rule).
    pub fn notes(self, text: &str) -> IntakeBuilder {
        self.with(|i| i.notes = Some(text.into()))
    }
}

/// Sets a field of the entry for `substance` in `substance_use`, adding the entry (with no
/// count) when absent.
fn entry(i: &mut Intake, substance: Substance, set: impl FnOnce(&mut SubstanceUse)) {
    let list = i.substance_use.get_or_insert_with(Vec::new);
    match list.iter_mut().find(|s| s.substance == substance) {
        Some(e) => set(e),
        None => {
            let mut e = SubstanceUse::new(substance, 0);
            e.dsm5_criteria = None;
            set(&mut e);
            list.push(e);
        }
    }
}
