//! Evaluation: an intake and a pack in, a traced recommendation out.

use crate::answer::{AnswerRef, Field, Value};
use crate::catalogue;
use crate::error::{IntakeError, IntakeProblem, ProblemKind};
use crate::intake::Intake;
use crate::pack::cond::{Lookup, NoTrace, Recorder, Tri, eval};
use crate::pack::{Aggregate, Rule, RulePack};
use crate::{Level, Urgency};

/// One answer read by a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    pub(crate) answer: AnswerRef,
    pub(crate) value: Option<Value>,
}

/// Records each answer a rule reads once, in the order first read, after `start`.
struct Tracer<'v> {
    reads: &'v mut Vec<Reading>,
    start: usize,
    /// The built-in answers already recorded for this rule, by position in `Field::ALL`
    /// (the same test as looking for them after `start`, without the scan).
    fields: crate::answer::FieldBits,
}

impl Recorder for Tracer<'_> {
    #[inline(always)]
    fn read(&mut self, answer: AnswerRef, value: Option<Value>) {
        let seen = match answer {
            AnswerRef::Field(f) => {
                let bit = crate::answer::FieldBits::from(1u8)
                    .checked_shl(f as u32)
                    .unwrap_or(0);
                let seen = self.fields & bit != 0;
                self.fields |= bit;
                seen
            }
            AnswerRef::Rating(_) | AnswerRef::Score(_) => self
                .reads
                .get(self.start..)
                .is_some_and(|r| r.iter().any(|x| x.answer == answer)),
        };
        if !seen {
            self.reads.push(Reading { answer, value });
        }
    }
}

/// What rules read: the intake, the pack's ratings and scores, and at most one answer
/// replaced (to ask "what if housing were arranged?").
///
/// This is the reference reading, straight from the intake on every read, compiled only for
/// tests. Assessments use [`Answers`], which resolves the same values once; tests hold the two
/// to the same answers.
#[cfg(test)]
pub(crate) struct Env<'a> {
    pub(crate) intake: &'a Intake,
    pub(crate) pack: &'a RulePack,
    pub(crate) patch: Option<(AnswerRef, Value)>,
}

#[cfg(test)]
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

#[cfg(test)]
impl Lookup for Env<'_> {
    #[inline]
    fn value(&self, a: AnswerRef) -> Option<Value> {
        Env::get(self, a)
    }

    fn obtained(&self, a: AnswerRef) -> bool {
        matches!(a, AnswerRef::Field(f) if f.obtained(self.intake))
    }
}

/// A pack reading at most this many built-in answers has only those read; one reading more
/// has all of them read in one pass (cheaper than that many separate reads).
const SPARSE: u32 = 8;

/// How many ratings and scores an assessment resolves up front into arrays on the stack. A
/// pack declaring more reads the rest from the intake when a rule asks (as `Env` does).
const INLINE: usize = 16;

/// Every answer an assessment can read, resolved once: the built-in answers the pack's rules
/// read, each rating (found once per assessment, not looked up by name on every read) and
/// each score (aggregated once, not on every read). Reads are then array loads. It gives
/// exactly what `Env` gives for the same intake and pack (a unit test below holds the two
/// to that).
#[derive(Clone)]
pub(crate) struct Answers<'a> {
    intake: &'a Intake,
    pack: &'a RulePack,
    fields: [Option<Value>; Field::ALL.len()],
    ratings: [Option<u32>; INLINE],
    scores: [Option<u32>; INLINE],
}

impl<'a> Answers<'a> {
    /// Nothing resolved yet.
    #[inline(always)]
    fn blank(pack: &'a RulePack, intake: &'a Intake) -> Answers<'a> {
        Answers {
            intake,
            pack,
            fields: [None; Field::ALL.len()],
            ratings: [None; INLINE],
            scores: [None; INLINE],
        }
    }

    /// Resolves every answer without checking the intake.
    #[cfg(test)]
    pub(crate) fn new(pack: &'a RulePack, intake: &'a Intake) -> Answers<'a> {
        let mut answers = Answers::blank(pack, intake);
        answers.fill_unchecked();
        answers
    }

    /// Resolves every answer, checking nothing.
    fn fill_unchecked(&mut self) {
        for (slot, r) in self.ratings.iter_mut().zip(&self.pack.ratings) {
            *slot = self.intake.ratings.get(&r.id).copied();
        }
        self.fill_fields_and_scores();
    }

    /// The fast path of [`RulePack::check`]: resolves every answer and returns `true` when
    /// the intake has no problem at all, `false` as soon as it finds one (then `check`
    /// names them all). Every test here is one `check` makes, over the same values.
    fn fill_checked(&mut self) -> bool {
        let (pack, intake) = (self.pack, self.intake);
        if pack.is_unavailable()
            || catalogue::visit_missing(intake, |_| true)
            || catalogue::visit_out_of_range(intake, |_| true)
            || crate::intake::visit_conflicts(intake, |_| true)
            || pack.below_supported_age(intake).is_some()
            || intake.schema_version.is_none()
        {
            return false;
        }
        // The intake's ratings and the pack's, both in id order, walked side by side: each
        // intake key is compared with the pack's ids once rather than searched for, and a
        // key no rating declares, a missing required rating or a value out of range ends
        // the walk.
        let mut declared = pack
            .rating_order
            .iter()
            .filter_map(|i| Some((usize::from(*i), pack.ratings.get(usize::from(*i))?)));
        for (key, value) in &intake.ratings {
            loop {
                let Some((i, r)) = declared.next() else {
                    return false;
                };
                match r.id.as_str().cmp(key.as_str()) {
                    std::cmp::Ordering::Less if r.required => return false,
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => {
                        if *value < r.min || *value > r.max {
                            return false;
                        }
                        if let Some(slot) = self.ratings.get_mut(i) {
                            *slot = Some(*value);
                        }
                        break;
                    }
                    std::cmp::Ordering::Greater => return false,
                }
            }
        }
        if declared.any(|(_, r)| r.required) {
            return false;
        }
        self.fill_fields_and_scores();
        true
    }

    fn fill_fields_and_scores(&mut self) {
        let mut used = self.pack.fields_read;
        if used.count_ones() > SPARSE {
            self.fields = Field::read_all(self.intake);
        } else {
            while used != 0 {
                let i = used.trailing_zeros() as usize;
                used &= used - 1;
                if let (Some(slot), Some(f)) = (self.fields.get_mut(i), Field::ALL.get(i)) {
                    *slot = f.read(self.intake);
                }
            }
        }
        for i in 0..self.pack.scores.len().min(INLINE) {
            let v = self.score(i);
            if let Some(slot) = self.scores.get_mut(i) {
                *slot = v;
            }
        }
    }

    #[inline]
    fn rating(&self, i: usize) -> Option<u32> {
        match self.ratings.get(i) {
            Some(v) => *v,
            None => self.rating_beyond_inline(i),
        }
    }

    /// A rating past the ones resolved up front, looked up by name (as `Env` does).
    #[cold]
    #[inline(never)]
    fn rating_beyond_inline(&self, i: usize) -> Option<u32> {
        let r = self.pack.ratings.get(i)?;
        self.intake.ratings.get(&r.id).copied()
    }

    /// A score past the ones computed up front.
    #[cold]
    #[inline(never)]
    fn score_beyond_inline(&self, i: usize) -> Option<u32> {
        self.score(i)
    }

    fn score(&self, i: usize) -> Option<u32> {
        let s = self.pack.scores.get(i)?;
        let mut acc = 0u32;
        for t in &s.terms {
            let v = self.rating(usize::from(*t))?;
            acc = match s.aggregate {
                Aggregate::Sum => acc.saturating_add(v),
                Aggregate::Max => acc.max(v),
            };
        }
        Some(acc)
    }

    /// The same answers with one built-in answer replaced (to ask "what if it were
    /// arranged?"). Scores read ratings, never a replaced answer, as with `Env`.
    fn with(&self, f: Field, v: Value) -> Answers<'a> {
        let mut patched = self.clone();
        if let Some(slot) = patched.fields.get_mut(f as usize) {
            *slot = Some(v);
        }
        patched
    }
}

impl Lookup for Answers<'_> {
    #[inline(always)]
    fn value(&self, a: AnswerRef) -> Option<Value> {
        match a {
            AnswerRef::Field(f) => self.fields.get(f as usize).copied().flatten(),
            AnswerRef::Rating(i) => self.rating(usize::from(i)).map(Value::Num),
            AnswerRef::Score(i) => match self.scores.get(usize::from(i)) {
                Some(v) => v.map(Value::Num),
                None => self.score_beyond_inline(usize::from(i)).map(Value::Num),
            },
        }
    }

    fn obtained(&self, a: AnswerRef) -> bool {
        matches!(a, AnswerRef::Field(f) if f.obtained(self.intake))
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

/// The recommendation for one intake: the level and the rules behind it with the answers they
/// read. It borrows the pack it came from (for rule text and audit identity).
///
/// Use [`Recommendation::plan`] for the plan that goes with the level,
/// [`Recommendation::to_report`] for the owned, serialisable form (the JSON contract),
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
    /// The intake assessed (its instruments are described in the report).
    pub(crate) intake: &'p Intake,
    pub(crate) level: Level,
    pub(crate) urgency: Urgency,
    pub(crate) adolescent: bool,
    pub(crate) fired: Vec<Firing>,
    pub(crate) unevaluated: Vec<Firing>,
    pub(crate) reads: Vec<Reading>,
    pub(crate) conditional: Option<Conditional>,
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
    /// The recommendation borrows the intake as well as the pack: its report describes the
    /// intake's instruments (their scores, and what they lack).
    ///
    /// # Examples
    ///
    /// ```
    /// let pack = carelevel::RulePack::builtin();
    /// let err = pack.assess(&carelevel::Intake::default()).unwrap_err();
    /// assert!(err.to_string().contains("`safety.suicidal_ideation` is unanswered"));
    /// ```
    pub fn assess<'a>(&'a self, intake: &'a Intake) -> Result<Recommendation<'a>, IntakeError> {
        // One pass checks the intake and resolves every answer; only an intake with a
        // problem takes the slower path that names each problem.
        let mut answers = Answers::blank(self, intake);
        if !answers.fill_checked() {
            self.check(intake)?;
            answers.fill_unchecked();
        }
        Ok(self.evaluate(&answers))
    }

    /// Checks an intake against the catalogue of items (required items, ranges) and this
    /// pack's ratings.
    ///
    /// # Errors
    ///
    /// As for [`RulePack::assess`].
    pub fn check(&self, intake: &Intake) -> Result<(), IntakeError> {
        if self.is_unavailable() {
            return Err(IntakeError::PackUnavailable);
        }
        let mut problems: Vec<IntakeProblem> = Vec::new();
        if intake.schema_version.is_none() {
            problems.push(IntakeProblem {
                field: "schema_version".to_owned(),
                kind: ProblemKind::Missing,
            });
        }
        if let Some(min) = self.below_supported_age(intake) {
            problems.push(IntakeProblem {
                field: "age".to_owned(),
                kind: ProblemKind::BelowSupportedAge { min },
            });
        }
        catalogue::visit_missing(intake, |path| {
            problems.push(IntakeProblem {
                field: path.to_owned(),
                kind: ProblemKind::Missing,
            });
            false
        });
        catalogue::visit_out_of_range(intake, |p| {
            problems.push(IntakeProblem {
                field: p.at.to_string(),
                kind: ProblemKind::OutOfRange {
                    value: p.value,
                    min: p.min,
                    max: p.max,
                },
            });
            false
        });
        crate::intake::visit_conflicts(intake, |c| {
            problems.push(IntakeProblem {
                field: c.at.to_string(),
                kind: match c.why {
                    crate::intake::Why::Reason(reason) => ProblemKind::Conflict {
                        reason: reason.to_owned(),
                    },
                    crate::intake::Why::Total {
                        given,
                        sum,
                        complete,
                        items,
                    } => ProblemKind::TotalDisagrees {
                        given,
                        sum,
                        complete,
                        // An entry's items by their full path.
                        items: match c.at {
                            catalogue::At::Entry { group, index, .. } => {
                                format!("{group}[{index}].{items}")
                            }
                            catalogue::At::Item(_) => items.to_owned(),
                        },
                    },
                },
            });
            false
        });
        // The field's name is only built when it has a problem.
        let range = |problems: &mut Vec<IntakeProblem>,
                     field: &dyn Fn() -> String,
                     v: Option<u32>,
                     min: u32,
                     max: u32| {
            if let Some(value) = v {
                if value < min || value > max {
                    problems.push(IntakeProblem {
                        field: field(),
                        kind: ProblemKind::OutOfRange { value, min, max },
                    });
                }
            }
        };
        for r in &self.ratings {
            match intake.ratings.get(&r.id) {
                Some(v) => range(
                    &mut problems,
                    &|| format!("ratings.{}", r.id),
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
        let mut unknown = intake
            .ratings
            .keys()
            .filter(|key| !self.ratings.iter().any(|r| &r.id == *key));
        // Ten are named one by one, then counted, so a hostile intake cannot make an error
        // (or a problem list) of unbounded size.
        for key in unknown.by_ref().take(10) {
            // A key that is not a plain identifier may be free text: name it by length only.
            let hint =
                crate::pack::did_you_mean_name(key, self.ratings.iter().map(|r| r.id.as_str()));
            problems.push(IntakeProblem {
                field: format!("ratings.{}", crate::json::shown_key(key)),
                kind: ProblemKind::UnknownRating { suggestion: hint },
            });
        }
        let more = unknown.count();
        if more > 0 {
            problems.push(IntakeProblem {
                field: "ratings".to_owned(),
                kind: ProblemKind::MoreUnknownRatings { count: more },
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(IntakeError::Invalid(problems))
        }
    }

    /// Resolves every answer without checking the intake, and evaluates: for an intake
    /// already checked, or one whose only problems are missing items (read as unknown).
    pub(crate) fn evaluate_unchecked<'a>(&'a self, intake: &'a Intake) -> Recommendation<'a> {
        let mut answers = Answers::blank(self, intake);
        answers.fill_unchecked();
        self.evaluate(&answers)
    }

    /// The youngest age this pack supports, when the intake's age is below it.
    #[inline]
    fn below_supported_age(&self, intake: &Intake) -> Option<u32> {
        let min = self.meta.min_age?;
        intake.age.filter(|a| *a < min).map(|_| min)
    }

    /// Evaluates every rule over a checked intake's resolved answers.
    pub(crate) fn evaluate<'a>(&'a self, answers: &Answers<'a>) -> Recommendation<'a> {
        let intake = answers.intake;
        let mut fired = Vec::new();
        let mut unevaluated = Vec::new();
        let mut reads = Vec::new();
        let mut level = Level::Outpatient;
        let mut rules = self.rules.iter().enumerate();
        while let Some((i, rule)) = rules.next() {
            // Most rules do not hold: find that out without recording anything, and trace
            // (evaluate again, recording) only the rules that fire or cannot be evaluated.
            // Evaluation is a pure function of the answers, so the second pass follows the
            // first exactly.
            let quick = eval(&rule.cond, answers, &mut NoTrace);
            if quick == Tri::False {
                continue;
            }
            if reads.capacity() == 0 {
                reads = Vec::with_capacity(64);
            }
            let start = reads.len();
            let t = eval(
                &rule.cond,
                answers,
                &mut Tracer {
                    reads: &mut reads,
                    start,
                    fields: 0,
                },
            );
            let firing = Firing {
                rule: u16::try_from(i).unwrap_or(u16::MAX),
                start: u32::try_from(start).unwrap_or(u32::MAX),
                end: u32::try_from(reads.len()).unwrap_or(u32::MAX),
            };
            // Each list is allocated once, when first needed, with room for every rule
            // still to come, so it never grows again.
            match t {
                Tri::True => {
                    if fired.capacity() == 0 {
                        fired = Vec::with_capacity(rules.len() + 1);
                    }
                    fired.push(firing);
                    if let Some(floor) = rule.floor {
                        level = level.max(floor);
                    }
                }
                Tri::Unknown => {
                    if unevaluated.capacity() == 0 {
                        unevaluated = Vec::with_capacity(rules.len() + 1);
                    }
                    unevaluated.push(firing);
                }
                Tri::False => reads.truncate(start),
            }
        }
        let mut rec = Recommendation {
            pack: self,
            intake,
            level,
            urgency: Urgency::Routine,
            adolescent: intake.is_adolescent(),
            fired,
            unevaluated,
            reads,
            conditional: None,
        };
        for f in &rec.fired {
            let Some(rule) = self.rules.get(usize::from(f.rule)) else {
                continue;
            };
            rec.urgency = rec.urgency.max(rule.urgency);
        }
        rec.conditional = self.conditional(answers, &rec);
        rec
    }

    /// The level alone, with no trace (for what-if questions).
    fn level_only<L: Lookup>(&self, env: &L) -> Level {
        let mut level = Level::Outpatient;
        for r in &self.rules {
            // Only a rule that could raise the level needs evaluating.
            if let Some(floor) = r.floor.filter(|f| *f > level) {
                if eval(&r.cond, env, &mut NoTrace) == Tri::True {
                    level = floor;
                }
            }
        }
        level
    }

    /// If arranging one arrangeable answer (substance-free housing) would lower the level,
    /// which level would follow.
    fn conditional(&self, answers: &Answers<'_>, rec: &Recommendation<'_>) -> Option<Conditional> {
        if rec.level == Level::Outpatient {
            // Nothing is below outpatient.
            return None;
        }
        for field in ARRANGEABLE {
            let answer = AnswerRef::Field(*field);
            if answers.value(answer) != Some(Value::Bool(false)) {
                continue;
            }
            let read_by_binding = rec
                .binding()
                .any(|(f, _)| rec.reads_of(f).iter().any(|r| r.answer == answer));
            if !read_by_binding {
                continue;
            }
            let level = self.level_only(&answers.with(*field, Value::Bool(true)));
            if level < rec.level {
                return Some(Conditional { answer, level });
            }
        }
        None
    }
}

/// The built-in answers the care team can arrange (`AnswerInfo::arrangeable`), in
/// `Field::ALL` order. A unit test keeps this list equal to that flag.
const ARRANGEABLE: &[Field] = &[
    Field::SubstanceFreeHousingArranged,
    Field::SafeHousingArranged,
];

impl<'p> Recommendation<'p> {
    /// The recommended level: the highest floor any fired rule set (outpatient if none).
    pub fn level(&self) -> Level {
        self.level
    }

    /// Whether a fired rule marks this as needing evaluation today (same day or emergency).
    pub fn urgent(&self) -> bool {
        self.urgency > Urgency::Routine
    }

    /// How soon the person must be seen: the highest tier any fired rule set.
    pub fn urgency(&self) -> Urgency {
        self.urgency
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
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    //! The assessment's fast paths (answers resolved once, the fused check, the field bit
    //! mask in the tracer, the pruned what-if) must give exactly what the straightforward
    //! evaluation gives. `reference` below is that evaluation, kept as it was written
    //! before those optimisations: it reads every answer through `Env` on every read.

    use super::*;
    use crate::intake::*;

    /// Records each answer once per rule by scanning what the rule already recorded.
    struct ScanTracer<'v> {
        reads: &'v mut Vec<Reading>,
        start: usize,
    }

    impl Recorder for ScanTracer<'_> {
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

    fn reference_level(pack: &RulePack, env: &Env<'_>) -> Level {
        pack.rules
            .iter()
            .filter(|r| r.floor.is_some_and(|f| f > Level::Outpatient))
            .filter(|r| eval(&r.cond, env, &mut NoTrace) == Tri::True)
            .filter_map(|r| r.floor)
            .max()
            .unwrap_or(Level::Outpatient)
    }

    fn reference<'p>(
        pack: &'p RulePack,
        intake: &'p Intake,
    ) -> Result<Recommendation<'p>, IntakeError> {
        pack.check(intake)?;
        let env = Env {
            intake,
            pack,
            patch: None,
        };
        let mut fired = Vec::new();
        let mut unevaluated = Vec::new();
        let mut reads = Vec::new();
        for (i, rule) in pack.rules.iter().enumerate() {
            let start = reads.len();
            let t = eval(
                &rule.cond,
                &env,
                &mut ScanTracer {
                    reads: &mut reads,
                    start,
                },
            );
            let firing = Firing {
                rule: u16::try_from(i).unwrap(),
                start: u32::try_from(start).unwrap(),
                end: u32::try_from(reads.len()).unwrap(),
            };
            match t {
                Tri::True => fired.push(firing),
                Tri::Unknown => unevaluated.push(firing),
                Tri::False => reads.truncate(start),
            }
        }
        let mut rec = Recommendation {
            pack,
            intake,
            level: Level::Outpatient,
            urgency: Urgency::Routine,
            adolescent: intake.is_adolescent(),
            fired,
            unevaluated,
            reads,
            conditional: None,
        };
        for f in &rec.fired {
            let rule = &pack.rules[usize::from(f.rule)];
            if let Some(floor) = rule.floor {
                rec.level = rec.level.max(floor);
            }
            rec.urgency = rec.urgency.max(rule.urgency);
        }
        for field in Field::ALL.iter().filter(|f| f.info().arrangeable) {
            let answer = AnswerRef::Field(*field);
            if env.get(answer) != Some(Value::Bool(false)) {
                continue;
            }
            if !rec
                .binding()
                .any(|(f, _)| rec.reads_of(f).iter().any(|r| r.answer == answer))
            {
                continue;
            }
            let patched = Env {
                intake,
                pack,
                patch: Some((answer, Value::Bool(true))),
            };
            let level = reference_level(pack, &patched);
            if level < rec.level {
                rec.conditional = Some(Conditional { answer, level });
                break;
            }
        }
        Ok(rec)
    }

    fn same(a: &Recommendation<'_>, b: &Recommendation<'_>) -> bool {
        a.level == b.level
            && a.urgency == b.urgency
            && a.adolescent == b.adolescent
            && a.fired == b.fired
            && a.unevaluated == b.unevaluated
            && a.reads == b.reads
            && a.conditional == b.conditional
    }

    /// xorshift64*, so every run checks the same intakes.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
            xs[self.below(xs.len() as u64) as usize]
        }
        /// Mostly answered, sometimes not; rarely out of range.
        fn num(&mut self, max: u32) -> Option<u32> {
            match self.below(12) {
                0..=2 => None,
                3 => Some(max + 1 + self.below(3) as u32),
                _ => Some(self.below(u64::from(max) + 1) as u32),
            }
        }
        fn opt<T: Copy>(&mut self, xs: &[T]) -> Option<T> {
            (self.below(5) != 0).then(|| self.pick(xs))
        }
        /// A required item: almost always answered.
        fn req<T: Copy>(&mut self, xs: &[T]) -> Option<T> {
            (self.below(40) != 0).then(|| self.pick(xs))
        }
    }

    fn intake(r: &mut Rng, ratings: &[(&str, u32)]) -> Intake {
        fn assessed<T: Copy>(r: &mut Rng, v: Option<T>) -> Option<Assessed<T>> {
            match r.below(20) {
                0 => Some(Assessed::Declined),
                1 => Some(Assessed::UnableToAssess),
                _ => v.map(Assessed::Answer),
            }
        }
        use SuicidalIdeation as S;
        let ideation = r.req(&[
            S::None,
            S::None,
            S::None,
            S::WishToBeDead,
            S::NonspecificActiveThoughts,
            S::MethodWithoutIntent,
            S::IntentWithoutPlan,
            S::PlanWithIntent,
        ]);
        let behavior = r.req(&[
            Recency::Never,
            Recency::Never,
            Recency::Lifetime,
            Recency::Past3Months,
        ]);
        let harm = r.req(&[
            HarmToOthers::None,
            HarmToOthers::None,
            HarmToOthers::Ideation,
            HarmToOthers::PlanOrIntent,
        ]);
        let psychosis = r.req(&[
            Psychosis::None,
            Psychosis::None,
            Psychosis::ChronicStable,
            Psychosis::Acute,
        ]);
        let self_care = r.req(&[false, false, false, true]);
        let seizure = r.req(&[false, false, true]);
        let status = r.req(&[
            MedicalStatus::Stable,
            MedicalStatus::Stable,
            MedicalStatus::DailyMonitoring,
            MedicalStatus::RoundTheClockCare,
        ]);
        let violence = r.opt(&[false, false, true]);
        let substances = [
            Substance::Alcohol,
            Substance::Opioids,
            Substance::Sedatives,
            Substance::Cannabis,
        ];
        let mut i = Intake {
            age: if r.below(40) == 0 {
                None
            } else {
                Some(r.below(130) as u32)
            },
            safety: Safety {
                suicidal_ideation: assessed(r, ideation),
                suicidal_behavior: assessed(r, behavior),
                harm_to_others: assessed(r, harm),
                psychosis: assessed(r, psychosis),
                unable_to_self_care: assessed(r, self_care),
                ..Safety::default()
            },
            withdrawal: Withdrawal {
                seizure_or_dt_history: assessed(r, seizure),
                ..Withdrawal::default()
            },
            substance_use: (r.below(5) != 0).then(|| {
                (0..r.below(4))
                    .map(|_| {
                        let top = if r.below(30) == 0 { 20 } else { 12 };
                        // Now and then a substance listed twice, or a scale on the wrong one.
                        let mut e = SubstanceUse::new(r.pick(&substances), r.below(top) as u32);
                        let wrong = r.below(40) == 0;
                        if e.substance == Substance::Alcohol || wrong {
                            e.ciwa_ar = r.num(35);
                        }
                        if e.substance == Substance::Opioids || wrong {
                            e.cows = r.num(40);
                        }
                        if r.below(6) == 0 {
                            e.severity = Some(SudSeverity::of_count(e.dsm5_criteria.unwrap_or(0)));
                            if r.below(2) == 0 {
                                e.dsm5_criteria = None;
                            }
                        }
                        e
                    })
                    .collect()
            }),
            medical: Medical {
                status: assessed(r, status),
                ..Medical::default()
            },
            severity: Severity {
                phq9: r.num(27),
                gad7: r.num(21),
                clinician_rating: r.opt(&[
                    ClinicianRating::None,
                    ClinicianRating::Mild,
                    ClinicianRating::Moderate,
                    ClinicianRating::Severe,
                ]),
                impairs_daily_activities: r.opt(&[true, false]),
                ..Severity::default()
            },
            self_management: r.req(&[
                SelfManagement::Independent,
                SelfManagement::Independent,
                SelfManagement::WithDailyStructure,
                SelfManagement::OnlyIn24HourSetting,
            ]),
            history: History {
                current_setting: r.req(&[
                    Setting::None,
                    Setting::Outpatient,
                    Setting::Iop,
                    Setting::Php,
                    Setting::Inpatient,
                    Setting::InpatientWithdrawalManagement,
                ]),
                progress: r.opt(&[
                    Progress::GoalsMet,
                    Progress::Progressing,
                    Progress::NotEnough,
                ]),
                episodes: (r.below(3) != 0).then(|| {
                    (0..r.below(3))
                        .map(|_| Episode {
                            level: r.pick(EpisodeLevel::ALL),
                            outcome: r.pick(&[
                                Outcome::Completed,
                                Outcome::LeftEarly,
                                Outcome::DidNotHold,
                            ]),
                            months_ago: None,
                        })
                        .collect()
                }),
                ..History::default()
            },
            home: Home {
                others_use_substances: r.opt(&[false, false, true]),
                supportive: r.opt(&[true, true, false]),
                violence_or_abuse: assessed(r, violence),
                housing: r.opt(&[
                    Housing::Housed,
                    Housing::Housed,
                    Housing::UnstablyHoused,
                    Housing::Unsheltered,
                ]),
                arranged_housing: r.opt(&[
                    ArrangedHousing::None,
                    ArrangedHousing::SoberLiving,
                    ArrangedHousing::Shelter,
                ]),
                ..Home::default()
            },
            engagement: Engagement {
                stage_of_change: r.opt(&[
                    StageOfChange::Precontemplation,
                    StageOfChange::Contemplation,
                    StageOfChange::Preparation,
                    StageOfChange::Action,
                    StageOfChange::Maintenance,
                ]),
                can_attend_several_days: r.opt(&[true, false]),
                commitments: (0..r.below(3))
                    .map(|_| {
                        r.pick(&[Commitment::Work, Commitment::School, Commitment::Caregiving])
                    })
                    .collect(),
                needs_transportation: r.opt(&[true, false]),
                needs_childcare: r.opt(&[true, false]),
                preferences: if r.below(4) == 0 {
                    Preferences {
                        language: Some("x".into()),
                        ..Default::default()
                    }
                } else {
                    Preferences::default()
                },
                ..Engagement::default()
            },
            ..Intake::default()
        };
        if r.below(60) == 0 {
            i.schema_version = None;
        }
        for (id, max) in ratings {
            match r.below(30 * ratings.len() as u64) {
                0 => {}
                1 => {
                    i.ratings.insert((*id).to_owned(), max + 1);
                }
                _ => {
                    i.ratings
                        .insert((*id).to_owned(), r.below(u64::from(*max) + 1) as u32);
                }
            }
        }
        if r.below(25) == 0 {
            // Undeclared keys sorting before, among and after the declared ids.
            let key = r.pick(&["undeclared", "a", "d10x", "d2a"]);
            i.ratings.insert(key.into(), 1);
        }
        i
    }

    /// A pack with more ratings than resolve inline, optional ones, and sum and max scores.
    fn rated_pack() -> (RulePack, Vec<(String, u32)>) {
        let mut toml = String::new();
        let mut ratings = Vec::new();
        for k in 0..(INLINE + 4) {
            let max = 3 + (k % 3) as u32;
            let required = k % 5 != 0;
            toml.push_str(&format!(
                "[[rating]]\nid = \"d{k}\"\nmin = 0\nmax = {max}\nrequired = {required}\n\n"
            ));
            ratings.push((format!("d{k}"), max));
        }
        let all: Vec<String> = ratings
            .iter()
            .map(|(id, _)| format!("\"rating.{id}\""))
            .collect();
        toml.push_str(&format!(
            "[[score]]\nid = \"total\"\nsum = [{}]\n\n[[score]]\nid = \"worst\"\nmax = [{}]\n\n",
            all.join(", "),
            all[..6].join(", ")
        ));
        for s in 0..(INLINE + 1) {
            // Scores past the inline ones, computed on demand.
            toml.push_str(&format!(
                "[[score]]\nid = \"pair{s}\"\nsum = [{}, {}]\n\n",
                all[s],
                all[s + 2]
            ));
        }
        let rule = |id: &str, when: &str, floor: &str| {
            // A 24-hour floor names its setting.
            let setting = if floor == "inpatient" {
                "setting = \"clinically_managed_residential_high\"\n"
            } else {
                ""
            };
            format!(
                "[[rule]]\nid = \"{id}\"\ncriterion = \"severity\"\nwhen = {when}\nfloor = \"{floor}\"\n{setting}reason = \"r\"\ncite = [{{ source = \"carelevel-local-defaults\", locator = \"test\", fact = \"A rule written for a test.\", use = \"local_default\" }}]\n\n"
            )
        };
        toml.push_str(&rule("w.any4", r#"{ any = [{ answer = "rating.d1", is = 4 }, { answer = "rating.d19", at_least = 4 }] }"#, "inpatient"));
        toml.push_str(&rule(
            "w.total",
            r#"{ answer = "score.total", at_least = 30 }"#,
            "php",
        ));
        toml.push_str(&rule("w.worst", r#"{ all = [{ answer = "score.worst", at_least = 3 }, { answer = "score.worst", at_most = 4 }, { answer = "rating.d2", answered = true }] }"#, "iop"));
        toml.push_str(&rule(
            "w.late",
            r#"{ answer = "score.pair16", at_least = 5 }"#,
            "php",
        ));
        toml.push_str(&rule("w.optional", r#"{ any_given = [{ answer = "rating.d0", at_least = 2 }, { answer = "rating.d15", at_least = 2 }, { answer = "rating.d5", at_least = 2 }] }"#, "iop"));
        toml.push_str(&rule("w.home", r#"{ all = [{ answer = "home.others_use_substances", is = true }, { answer = "rating.d3", at_least = 1 }, { answer = "home.substance_free_housing_arranged", is = false }, { answer = "withdrawal.ciwa_ar", at_most = 30 }] }"#, "inpatient"));
        toml.push_str(&rule("w.twice", r#"{ all = [{ answer = "severity.phq9", at_least = 5 }, { not = { answer = "severity.phq9", at_least = 21 } }, { answer = "rating.d6", at_least = 1 }, { answer = "rating.d6", at_most = 3 }] }"#, "iop"));
        toml.push_str(&rule("w.two", r#"{ at_least_n = 2, of = [{ answer = "rating.d4", at_least = 3 }, { answer = "rating.d17", at_least = 3 }, { not = { answer = "rating.d18", at_most = 1 } }] }"#, "php"));
        let local = crate::pack::BUILTIN_SOURCES[0]
            .1
            .replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#);
        let mut sources: Vec<(&str, &str)> = crate::pack::BUILTIN_SOURCES.to_vec();
        sources[0] = ("pack.toml", &local);
        sources.push(("rated.toml", &toml));
        let pack = RulePack::from_sources(&sources).unwrap();
        let ratings = ratings.into_iter().collect();
        (pack, ratings)
    }

    fn agree(pack: &RulePack, ratings: &[(&str, u32)], seed: u64, n: usize) {
        let mut r = Rng(seed);
        let (mut valid, mut conditional) = (0, 0);
        for k in 0..n {
            let intake = intake(&mut r, ratings);
            let fast = pack.assess(&intake);
            let slow = reference(pack, &intake);
            assert_eq!(
                Answers::blank(pack, &intake).fill_checked(),
                pack.check(&intake).is_ok(),
                "intake #{k}: the fused check and `check` disagree"
            );
            match (&fast, &slow) {
                (Ok(a), Ok(b)) => {
                    assert!(same(a, b), "intake #{k}:\n{a:#?}\n{b:#?}");
                    valid += 1;
                    conditional += usize::from(a.conditional.is_some());
                    let env = Env {
                        intake: &intake,
                        pack,
                        patch: None,
                    };
                    let mut answers = Answers::blank(pack, &intake);
                    assert!(answers.fill_checked());
                    assert!(same(
                        &pack.evaluate(&answers),
                        &pack.evaluate(&Answers::new(pack, &intake))
                    ));
                    for a in Field::ALL
                        .iter()
                        .map(|f| AnswerRef::Field(*f))
                        .chain((0..pack.ratings.len()).map(|i| AnswerRef::Rating(i as u16)))
                        .chain((0..pack.scores.len()).map(|i| AnswerRef::Score(i as u16)))
                    {
                        let read_by_pack = match a {
                            AnswerRef::Field(f) => pack.fields_read & (1u128 << f as u32) != 0,
                            _ => true,
                        };
                        if read_by_pack {
                            assert_eq!(answers.value(a), env.get(a), "intake #{k}: {a:?}");
                        }
                    }
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "intake #{k}"),
                _ => panic!("intake #{k}: {fast:?} vs {slow:?}"),
            }
        }
        // The generator reaches both outcomes and the what-if often enough to mean something.
        assert!(valid > n / 4 && valid < n, "{valid} of {n} valid");
        assert!(conditional > 0, "no what-if was exercised");
    }

    #[test]
    fn assess_matches_the_reference_evaluation_on_the_builtin_pack() {
        agree(&RulePack::try_builtin().unwrap(), &[], 0x5EED_0001, 20_000);
    }

    #[test]
    fn assess_matches_the_reference_evaluation_with_ratings_and_scores() {
        let (pack, ratings) = rated_pack();
        assert!(pack.ratings.len() > INLINE && pack.scores.len() > INLINE);
        let ratings: Vec<(&str, u32)> = ratings.iter().map(|(id, m)| (id.as_str(), *m)).collect();
        agree(&pack, &ratings, 0x5EED_0002, 20_000);
    }

    #[test]
    fn a_pack_reading_few_built_in_answers_resolves_only_those() {
        let pack = RulePack::from_toml(
            "few.toml",
            &crate::pack::BUILTIN_SOURCES[0]
                .1
                .replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#)
                .replace(
                    "when = { answer = \"age\", answered = true }",
                    "when = { all = [{ answer = \"home.violence_or_abuse\", is = true }, { answer = \"home.safe_housing_arranged\", is = false }, { answer = \"safety.suicidal_behavior\", at_most = \"lifetime\" }] }",
                )
                .replace(
                    "floor = \"outpatient\"",
                    "floor = \"inpatient\"\nsetting = \"clinically_managed_residential_high\"",
                ),
        )
        .unwrap();
        assert!(pack.fields_read.count_ones() <= SPARSE);
        agree(&pack, &[], 0x5EED_0003, 2_000);
    }

    #[test]
    fn arrangeable_lists_exactly_the_arrangeable_answers() {
        let flagged: Vec<Field> = Field::ALL
            .iter()
            .copied()
            .filter(|f| f.info().arrangeable)
            .collect();
        assert_eq!(ARRANGEABLE, flagged.as_slice());
    }

    #[test]
    fn read_all_reads_each_answer_as_read_does() {
        let mut r = Rng(0x5EED_0004);
        for _ in 0..2_000 {
            let intake = intake(&mut r, &[]);
            let all = Field::read_all(&intake);
            for (f, v) in Field::ALL.iter().zip(all) {
                assert_eq!(v, f.read(&intake), "{f:?}");
            }
        }
    }
}
