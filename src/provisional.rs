//! Assessing an intake that is not complete: what the known answers already guarantee, how
//! far the missing ones could still take the level, and which item to ask next.
//!
//! Evaluation is three-valued: a rule that fired holds whatever the missing answers turn out
//! to be, a rule that did not fire cannot be made to fire by them, and a rule that could not
//! be evaluated might go either way. So the level the fired rules set is a lower bound every
//! completion reaches, and the highest floor among the rules not evaluated (or that level,
//! if higher) is an upper bound no completion exceeds. A test completes partial intakes in
//! every way over their missing items' values and holds every completion between the two.

use crate::Level;
use crate::answer::{AnswerRef, Field};
use crate::catalogue;
use crate::engine::Recommendation;
use crate::error::{IntakeError, ProblemKind};
use crate::intake::Intake;
use crate::pack::RulePack;
use crate::vocab::Criterion;

/// Whether a recommendation is final or provisional.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Everything the pack needs to decide the level and the urgency is known.
    Final,
    /// Answers are missing, declined or could not be assessed, and they could still change
    /// the level or the urgency, or a required item is among them.
    Provisional,
}

/// A missing answer, and how far it could move the recommendation.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AskNext {
    /// The answer's name (an item's path, or a derived answer such as `withdrawal.ciwa_ar`).
    pub answer: String,
    /// The highest level the rules waiting for it could set (the current lower bound when
    /// none sets a higher floor).
    pub could_reach: Level,
    /// Whether a rule waiting for it is a safety rule or urgent, or it is a safety item.
    pub safety: bool,
    /// The ids of the rules waiting for it, in pack order.
    pub rules: Vec<String>,
}

impl RulePack {
    /// Assesses an intake that may lack required items: they are read as unknown, never as
    /// "no risk", and the recommendation is then [`Status::Provisional`], with the bounds
    /// [`Recommendation::level`] (the level the known answers guarantee) and
    /// [`Recommendation::level_at_most`], and the items to ask next. Everything else is
    /// checked as by [`RulePack::assess`].
    ///
    /// # Errors
    ///
    /// As for [`RulePack::assess`], except that a missing required item is not an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::{Intake, Level, RulePack, Status};
    /// use carelevel::intake::{Assessed, SuicidalIdeation};
    ///
    /// // A plan with intent, and nothing else answered.
    /// let mut intake = Intake::default();
    /// intake.safety.suicidal_ideation = Some(Assessed::Answer(SuicidalIdeation::PlanWithIntent));
    /// let pack = RulePack::builtin();
    /// let rec = pack.assess_partial(&intake)?;
    /// assert_eq!(rec.status(), Status::Provisional);
    /// // Certain although incomplete: both bounds are inpatient, and it is urgent.
    /// assert_eq!((rec.level(), rec.level_at_most()), (Level::Inpatient, Level::Inpatient));
    /// assert!(rec.urgent());
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn assess_partial<'a>(
        &'a self,
        intake: &'a Intake,
    ) -> Result<Recommendation<'a>, IntakeError> {
        match self.check(intake) {
            Ok(()) => {}
            Err(IntakeError::Invalid(problems)) => {
                let others: Vec<_> = problems
                    .into_iter()
                    .filter(|p| p.kind != ProblemKind::Missing)
                    .collect();
                if !others.is_empty() {
                    return Err(IntakeError::Invalid(others));
                }
            }
            Err(e) => return Err(e),
        }
        Ok(self.evaluate_unchecked(intake))
    }
}

impl Recommendation<'_> {
    /// The highest level the missing answers could still require: the highest floor among
    /// the rules not evaluated, or [`Recommendation::level`] if that is higher. Equal to
    /// `level()` when nothing missing could raise it.
    pub fn level_at_most(&self) -> Level {
        self.not_evaluated_rules()
            .filter_map(|r| r.floor)
            .fold(self.level(), Level::max)
    }

    /// Whether the recommendation is final: no required item missing, declined or not
    /// assessable, and no rule left unevaluated that could raise the level or make it urgent.
    pub fn status(&self) -> Status {
        let could_become_urgent = !self.urgent() && self.not_evaluated_rules().any(|r| r.urgent());
        let required_unknown = Field::ALL.iter().any(|f| {
            let info = f.info();
            info.required && f.read(self.intake).is_none()
        });
        // A screener answer that is only a floor (a rung above a yes was declined).
        let floor_only = crate::intake::score::given(&self.intake.safety.cssrs)
            .is_some_and(crate::intake::score::cssrs_floor_only);
        if self.level_at_most() > self.level()
            || could_become_urgent
            || required_unknown
            || floor_only
            || !self.intake.missing_required().is_empty()
        {
            Status::Provisional
        } else {
            Status::Final
        }
    }

    /// The answers to ask next, most useful first: the acute-safety items, then other safety
    /// answers (declinable or read by an urgent or safety rule), then the rest; within each,
    /// by how high they could take the level, then items every intake must answer before
    /// optional ones, then by name. Each answer a rule not evaluated is waiting for, and each
    /// required item missing.
    pub fn ask_next(&self) -> Vec<AskNext> {
        let mut out: Vec<AskNext> = Vec::new();
        let lower = self.level();
        for (f, rule) in self.unevaluated_pairs() {
            for read in self.reads_of(f).iter().filter(|r| r.value.is_none()) {
                let name = self.pack.answer_name(read.answer);
                let safety = rule.urgent()
                    || rule.criterion == Criterion::Safety
                    || is_safety(read.answer, &name);
                let reach = rule.floor.map_or(lower, |l| l.max(lower));
                match out.iter_mut().find(|a| a.answer == name) {
                    Some(a) => {
                        a.could_reach = a.could_reach.max(reach);
                        a.safety |= safety;
                        if !a.rules.contains(&rule.id) {
                            a.rules.push(rule.id.clone());
                        }
                    }
                    None => out.push(AskNext {
                        answer: name,
                        could_reach: reach,
                        safety,
                        rules: vec![rule.id.clone()],
                    }),
                }
            }
        }
        // A required item declined or not assessable that no rule waits for.
        for f in Field::ALL {
            let info = f.info();
            if info.required
                && info.declinable
                && f.read(self.intake).is_none()
                && !out.iter().any(|a| a.answer == info.name)
                && !self.intake.missing_required().contains(&info.name)
            {
                out.push(AskNext {
                    answer: info.name.to_owned(),
                    could_reach: lower,
                    safety: true,
                    rules: Vec::new(),
                });
            }
        }
        for path in self.intake.missing_required() {
            if !out.iter().any(|a| a.answer == path) {
                out.push(AskNext {
                    answer: path.to_owned(),
                    could_reach: lower,
                    safety: path.starts_with("safety.")
                        || catalogue::find(path).is_some_and(|i| i.declinable),
                    rules: Vec::new(),
                });
            }
        }
        // The acute-safety items first, then other safety answers, then the rest; within
        // each, the highest level they could take it to first.
        let tier = |a: &AskNext| {
            if a.answer.starts_with("safety.") {
                0
            } else if a.safety {
                1
            } else {
                2
            }
        };
        // Within a tier and a reach, the items every intake must answer (and the answers
        // derived from them) before optional follow-ups: the thoughts of harming someone
        // before whether a target is named.
        let optional = |a: &AskNext| {
            catalogue::find(&a.answer).is_some_and(|i| i.required == catalogue::Required::Never)
        };
        out.sort_by(|a, b| {
            tier(a)
                .cmp(&tier(b))
                .then(b.could_reach.cmp(&a.could_reach))
                .then(optional(a).cmp(&optional(b)))
                .then(a.answer.cmp(&b.answer))
        });
        out
    }
}

/// A safety item: in the safety group, or declinable (every declinable item is one).
fn is_safety(a: AnswerRef, name: &str) -> bool {
    name.starts_with("safety.")
        || matches!(a, AnswerRef::Field(f) if f.info().declinable)
        || catalogue::find(name).is_some_and(|i| i.declinable)
}
