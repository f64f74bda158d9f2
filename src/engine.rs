//! Evaluation: an intake and a pack in, a traced recommendation out.

use crate::Level;
use crate::answer::{AnswerRef, Field, Value};
use crate::error::{IntakeError, IntakeProblem, ProblemKind};
use crate::intake::Intake;
use crate::pack::{Aggregate, Cond, Rule, RulePack, ScheduleChange, minimum_weekly_hours};
use crate::vocab::Set;

/// Three-valued truth: a condition over an unanswered optional item is `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    False,
    Unknown,
    True,
}

fn tri(b: bool) -> Tri {
    if b { Tri::True } else { Tri::False }
}

/// The answers a rule read while it was evaluated.
pub(crate) trait Recorder {
    fn read(&mut self, a: AnswerRef, v: Option<Value>);
}

/// Records nothing: used where only the level matters.
pub(crate) struct NoTrace;

impl Recorder for NoTrace {
    #[inline]
    fn read(&mut self, _: AnswerRef, _: Option<Value>) {}
}

/// One answer read by a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    pub(crate) answer: AnswerRef,
    pub(crate) value: Option<Value>,
}

struct Tracer<'v> {
    reads: &'v mut Vec<Reading>,
    start: usize,
}

impl Recorder for Tracer<'_> {
    #[inline]
    fn read(&mut self, answer: AnswerRef, value: Option<Value>) {
        let seen = self
            .reads
            .get(self.start..)
            .is_some_and(|r| r.iter().any(|x| x.answer == answer));
        if !seen {
            self.reads.push(Reading { answer, value });
        }
    }
}

/// What rules read: the intake, the pack's ratings and scores, and at most one answer
/// replaced (to ask "what if housing were arranged?").
pub(crate) struct Env<'a> {
    pub(crate) intake: &'a Intake,
    pub(crate) pack: &'a RulePack,
    pub(crate) patch: Option<(AnswerRef, Value)>,
}

impl Env<'_> {
    #[inline]
    pub(crate) fn get(&self, a: AnswerRef) -> Option<Value> {
        if let Some((p, v)) = self.patch {
            if p == a {
                return Some(v);
            }
        }
        match a {
            AnswerRef::Field(f) => f.read(self.intake),
            AnswerRef::Rating(i) => self.rating(i).map(Value::Num),
            AnswerRef::Score(i) => {
                let s = self.pack.scores.get(usize::from(i))?;
                let mut acc = 0u32;
                for t in &s.terms {
                    let v = self.rating(*t)?;
                    acc = match s.aggregate {
                        Aggregate::Sum => acc.saturating_add(v),
                        Aggregate::Max => acc.max(v),
                    };
                }
                Some(Value::Num(acc))
            }
        }
    }

    fn rating(&self, i: u16) -> Option<u32> {
        let r = self.pack.ratings.get(usize::from(i))?;
        self.intake.ratings.get(&r.id).copied()
    }
}

pub(crate) fn eval<R: Recorder>(c: &Cond, env: &Env<'_>, rec: &mut R) -> Tri {
    match c {
        Cond::Bool(a, want) => {
            let v = env.get(*a);
            rec.read(*a, v);
            match v {
                Some(Value::Bool(b)) => tri(b == *want),
                _ => Tri::Unknown,
            }
        }
        Cond::Range(a, lo, hi) => {
            let v = env.get(*a);
            rec.read(*a, v);
            match v {
                Some(Value::Num(n)) => tri(*lo <= n && n <= *hi),
                Some(Value::Choice(r)) => tri(*lo <= u32::from(r) && u32::from(r) <= *hi),
                _ => Tri::Unknown,
            }
        }
        Cond::Mask(a, mask) => {
            let v = env.get(*a);
            rec.read(*a, v);
            match v {
                Some(Value::Choice(r)) => {
                    tri(mask.checked_shr(u32::from(r)).is_some_and(|m| m & 1 == 1))
                }
                _ => Tri::Unknown,
            }
        }
        Cond::Answered(a, want) => {
            let v = env.get(*a);
            rec.read(*a, v);
            tri(v.is_some() == *want)
        }
        Cond::All(list) => {
            let mut unknown = false;
            for c in list.iter() {
                match eval(c, env, rec) {
                    Tri::False => return Tri::False,
                    Tri::Unknown => unknown = true,
                    Tri::True => {}
                }
            }
            if unknown { Tri::Unknown } else { Tri::True }
        }
        Cond::Any(list) => {
            let mut unknown = false;
            for c in list.iter() {
                match eval(c, env, rec) {
                    Tri::True => return Tri::True,
                    Tri::Unknown => unknown = true,
                    Tri::False => {}
                }
            }
            if unknown { Tri::Unknown } else { Tri::False }
        }
        Cond::AnyGiven(list) => {
            let mut known = false;
            for c in list.iter() {
                match eval(c, env, rec) {
                    Tri::True => return Tri::True,
                    Tri::False => known = true,
                    Tri::Unknown => {}
                }
            }
            if known { Tri::False } else { Tri::Unknown }
        }
        Cond::Not(c) => match eval(c, env, rec) {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        },
        Cond::AtLeast(n, list) => {
            let (mut yes, mut unknown) = (0u32, 0u32);
            for c in list.iter() {
                match eval(c, env, rec) {
                    Tri::True => yes += 1,
                    Tri::Unknown => unknown += 1,
                    Tri::False => {}
                }
                if yes >= *n {
                    return Tri::True;
                }
            }
            if yes.saturating_add(unknown) >= *n {
                Tri::Unknown
            } else {
                Tri::False
            }
        }
    }
}

/// A rule that fired or could not be evaluated, with the span of answers it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Firing {
    pub(crate) rule: u16,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// What a recommendation would become if one arrangeable answer were arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conditional {
    pub(crate) answer: AnswerRef,
    pub(crate) level: Level,
}

/// The recommendation for one intake: the level, the rules behind it with the answers they
/// read, and the plan. It borrows the pack it came from (for rule text and audit identity).
///
/// Use [`Recommendation::to_report`] for the owned, serialisable form (the JSON contract),
/// and [`Report::to_text`](crate::Report::to_text) or [`Report::to_markdown`](crate::Report::to_markdown) for a clinician.
///
/// # Examples
///
/// ```
/// # let json = include_str!("../examples/intakes/iop_primary.json");
/// let pack = carelevel::RulePack::builtin();
/// let intake = carelevel::Intake::from_json(json)?;
/// let rec = pack.assess(&intake)?;
/// assert_eq!(rec.level(), carelevel::Level::Iop);
/// assert!(rec.binding_rules().count() >= 1);
/// # Ok::<(), carelevel::IntakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Recommendation<'p> {
    pub(crate) pack: &'p RulePack,
    pub(crate) level: Level,
    pub(crate) urgent: bool,
    pub(crate) adolescent: bool,
    pub(crate) fired: Vec<Firing>,
    pub(crate) unevaluated: Vec<Firing>,
    pub(crate) reads: Vec<Reading>,
    pub(crate) conditional: Option<Conditional>,
    pub(crate) services: Set,
    pub(crate) referrals: Set,
    pub(crate) intensive: bool,
    pub(crate) evening: bool,
}

impl RulePack {
    /// Assesses an intake: checks it, then evaluates every rule.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Invalid`] listing every problem (all missing required items, every
    /// out-of-range number, every rating the pack does not declare); the intake is then not
    /// assessed at all, so a missing safety item can never read as "no risk".
    /// [`IntakeError::PackUnavailable`] if this is the fail-closed stand-in returned when
    /// the built-in pack could not load.
    ///
    /// # Examples
    ///
    /// ```
    /// let pack = carelevel::RulePack::builtin();
    /// let err = pack.assess(&carelevel::Intake::default()).unwrap_err();
    /// assert!(err.to_string().contains("`safety.suicide_risk` is unanswered"));
    /// ```
    pub fn assess(&self, intake: &Intake) -> Result<Recommendation<'_>, IntakeError> {
        self.check(intake)?;
        Ok(self.evaluate(intake))
    }

    /// Checks an intake against the built-in ranges and this pack's ratings.
    ///
    /// # Errors
    ///
    /// As for [`RulePack::assess`].
    pub fn check(&self, intake: &Intake) -> Result<(), IntakeError> {
        if self.is_unavailable() {
            return Err(IntakeError::PackUnavailable);
        }
        let mut problems: Vec<IntakeProblem> = intake
            .missing_required()
            .into_iter()
            .map(|f| IntakeProblem {
                field: f.to_owned(),
                kind: ProblemKind::Missing,
            })
            .collect();
        let range = |problems: &mut Vec<IntakeProblem>,
                     field: String,
                     v: Option<u32>,
                     min: u32,
                     max: u32| {
            if let Some(value) = v {
                if value < min || value > max {
                    problems.push(IntakeProblem {
                        field,
                        kind: ProblemKind::OutOfRange { value, min, max },
                    });
                }
            }
        };
        range(&mut problems, "age".into(), intake.age, 0, 120);
        range(
            &mut problems,
            "withdrawal.ciwa_ar".into(),
            intake.withdrawal.ciwa_ar,
            0,
            67,
        );
        range(
            &mut problems,
            "withdrawal.cows".into(),
            intake.withdrawal.cows,
            0,
            48,
        );
        range(
            &mut problems,
            "severity.phq9".into(),
            intake.severity.phq9,
            0,
            27,
        );
        range(
            &mut problems,
            "severity.gad7".into(),
            intake.severity.gad7,
            0,
            21,
        );
        for (i, s) in intake.severity.substance_use.iter().flatten().enumerate() {
            range(
                &mut problems,
                format!("severity.substance_use[{i}].dsm5_criteria"),
                Some(s.dsm5_criteria),
                0,
                11,
            );
        }
        for r in &self.ratings {
            match intake.ratings.get(&r.id) {
                Some(v) => range(
                    &mut problems,
                    format!("ratings.{}", r.id),
                    Some(*v),
                    r.min,
                    r.max,
                ),
                None if r.required => problems.push(IntakeProblem {
                    field: format!("ratings.{}", r.id),
                    kind: ProblemKind::Missing,
                }),
                None => {}
            }
        }
        for key in intake.ratings.keys() {
            if !self.ratings.iter().any(|r| &r.id == key) {
                let hint =
                    crate::pack::did_you_mean_name(key, self.ratings.iter().map(|r| r.id.as_str()));
                problems.push(IntakeProblem {
                    field: format!("ratings.{key}"),
                    kind: ProblemKind::UnknownRating { suggestion: hint },
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(IntakeError::Invalid(problems))
        }
    }

    /// Evaluates every rule over a checked intake.
    pub(crate) fn evaluate(&self, intake: &Intake) -> Recommendation<'_> {
        let env = Env {
            intake,
            pack: self,
            patch: None,
        };
        let mut fired = Vec::with_capacity(self.rules.len().min(32));
        let mut unevaluated = Vec::new();
        let mut reads = Vec::with_capacity(64);
        for (i, rule) in self.rules.iter().enumerate() {
            let start = reads.len();
            let t = eval(
                &rule.cond,
                &env,
                &mut Tracer {
                    reads: &mut reads,
                    start,
                },
            );
            let firing = Firing {
                rule: u16::try_from(i).unwrap_or(u16::MAX),
                start: u32::try_from(start).unwrap_or(u32::MAX),
                end: u32::try_from(reads.len()).unwrap_or(u32::MAX),
            };
            match t {
                Tri::True => fired.push(firing),
                Tri::Unknown => unevaluated.push(firing),
                Tri::False => reads.truncate(start),
            }
        }
        let mut rec = Recommendation {
            pack: self,
            level: Level::Outpatient,
            urgent: false,
            adolescent: intake.is_adolescent(),
            fired,
            unevaluated,
            reads,
            conditional: None,
            services: Set::default(),
            referrals: Set::default(),
            intensive: false,
            evening: false,
        };
        for f in &rec.fired {
            let Some(rule) = self.rules.get(usize::from(f.rule)) else {
                continue;
            };
            if let Some(floor) = rule.floor {
                rec.level = rec.level.max(floor);
            }
            rec.urgent |= rule.urgent;
            rec.services = rec.services.union(rule.services);
            rec.referrals = rec.referrals.union(rule.referrals);
            rec.intensive |= rule.schedule == Some(ScheduleChange::Intensive);
            rec.evening |= rule.schedule == Some(ScheduleChange::Evening);
        }
        let programme = self.programmes.get(rec.level);
        rec.services = rec.services.union(programme.services);
        rec.referrals = rec.referrals.union(programme.referrals);
        rec.evening &= programme.evening_option;
        rec.conditional = self.conditional(&env, &rec);
        rec
    }

    /// The level alone, with no trace (for what-if questions).
    pub(crate) fn level_only(&self, env: &Env<'_>) -> Level {
        self.rules
            .iter()
            .filter(|r| r.floor.is_some_and(|f| f > Level::Outpatient))
            .filter(|r| eval(&r.cond, env, &mut NoTrace) == Tri::True)
            .filter_map(|r| r.floor)
            .max()
            .unwrap_or(Level::Outpatient)
    }

    /// If arranging one arrangeable answer (substance-free housing) would lower the level,
    /// which level would follow.
    fn conditional(&self, env: &Env<'_>, rec: &Recommendation<'_>) -> Option<Conditional> {
        for field in Field::ALL.iter().filter(|f| f.info().arrangeable) {
            let answer = AnswerRef::Field(*field);
            if env.get(answer) != Some(Value::Bool(false)) {
                continue;
            }
            let read_by_binding = rec
                .binding()
                .any(|(f, _)| rec.reads_of(f).iter().any(|r| r.answer == answer));
            if !read_by_binding {
                continue;
            }
            let patched = Env {
                intake: env.intake,
                pack: self,
                patch: Some((answer, Value::Bool(true))),
            };
            let level = self.level_only(&patched);
            if level < rec.level {
                return Some(Conditional { answer, level });
            }
        }
        None
    }
}

impl<'p> Recommendation<'p> {
    /// The recommended level: the highest floor any fired rule set (outpatient if none).
    pub fn level(&self) -> Level {
        self.level
    }

    /// Whether a fired rule marks this as needing same-day evaluation.
    pub fn urgent(&self) -> bool {
        self.urgent
    }

    /// The rule pack it came from.
    pub fn pack(&self) -> &'p RulePack {
        self.pack
    }

    fn rule(&self, f: &Firing) -> Option<&'p Rule> {
        self.pack.rules.get(usize::from(f.rule))
    }

    pub(crate) fn reads_of(&self, f: &Firing) -> &[Reading] {
        self.reads
            .get(f.start as usize..f.end as usize)
            .unwrap_or_default()
    }

    pub(crate) fn binding(&self) -> impl Iterator<Item = (&Firing, &'p Rule)> + '_ {
        self.fired_pairs()
            .filter(move |(_, r)| r.floor == Some(self.level))
    }

    pub(crate) fn fired_pairs(&self) -> impl Iterator<Item = (&Firing, &'p Rule)> + '_ {
        self.fired
            .iter()
            .filter_map(move |f| Some((f, self.rule(f)?)))
    }

    pub(crate) fn unevaluated_pairs(&self) -> impl Iterator<Item = (&Firing, &'p Rule)> + '_ {
        self.unevaluated
            .iter()
            .filter_map(move |f| Some((f, self.rule(f)?)))
    }

    /// The rules that set the level: every fired rule whose floor equals it.
    pub fn binding_rules(&self) -> impl Iterator<Item = &'p Rule> + '_ {
        self.binding().map(|(_, r)| r)
    }

    /// Every rule that fired, in pack order.
    pub fn fired_rules(&self) -> impl Iterator<Item = &'p Rule> + '_ {
        self.fired_pairs().map(|(_, r)| r)
    }

    /// Rules that could not be evaluated because an optional answer is absent.
    pub fn not_evaluated_rules(&self) -> impl Iterator<Item = &'p Rule> + '_ {
        self.unevaluated_pairs().map(|(_, r)| r)
    }

    /// The fired rules that rule out `level` (their floor is above it). Empty for the
    /// recommended level and above.
    pub fn ruled_out_by(&self, level: Level) -> impl Iterator<Item = &'p Rule> + '_ {
        self.fired_rules()
            .filter(move |r| r.floor.is_some_and(|f| f > level))
    }

    /// If arranging substance-free housing would lower the level, that level.
    pub fn level_if_housing_arranged(&self) -> Option<Level> {
        self.conditional.map(|c| c.level)
    }

    /// The schedule that goes with the level.
    pub fn schedule(&self) -> crate::report::Schedule {
        let p = self.pack.programmes.get(self.level);
        let days = if self.intensive {
            p.intensive_days_per_week
        } else {
            p.days_per_week
        };
        let (adult, adolescent) = minimum_weekly_hours(self.level);
        crate::report::Schedule {
            days_per_week: days,
            hours_per_day: p.hours_per_day,
            weekly_hours: days.saturating_mul(p.hours_per_day),
            minimum_weekly_hours: if self.adolescent { adolescent } else { adult },
            weeks: p
                .weeks
                .map(|(shortest, longest)| crate::report::Weeks { shortest, longest }),
            intensive: self.intensive && p.intensive_days_per_week > p.days_per_week,
            evening: self.evening,
        }
    }
}
