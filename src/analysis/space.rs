//! The answer table and the spaces the analysis enumerates: each answer's slot, its values
//! at the rules' cut points, the spaces of one or more rules, and their enumeration. Rules
//! are evaluated at a space's points by the engine's own evaluator ([`eval`]), reading each
//! answer from its slot.

use super::{Analysis, CheckKind, SpaceFigures, Unchecked};
use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Field, Value, Worse};
use crate::intake::Intake;
use crate::pack::cond::{Cond, Lookup, NoTrace, Tri, eval};
use crate::pack::{Rule, RulePack};
use std::collections::{BTreeMap, BTreeSet};

/// An answer as the analysis sees it.
pub(super) struct Answer {
    pub(super) name: String,
    pub(super) kind: AnswerKind,
    pub(super) worse: Worse,
    pub(super) optional: bool,
    /// A complete intake may leave it out (an optional item or instrument not given), as
    /// opposed to a required answer declined, which leaves the result provisional.
    pub(super) omittable: bool,
    /// It can be not applicable ([`Value::NotApplicable`]: a withdrawal scale for a person
    /// who uses no substance it measures): answered, yet no test of its value holds. Not
    /// ordered against its values, so it is a value of the spaces enumerated (like absent)
    /// but never a step of the monotonicity check.
    pub(super) not_applicable: bool,
    /// A score whose ratings disagree on direction.
    pub(super) mixed: bool,
}

/// Where each answer the rules read sits in the answer table, and so in a point.
pub(super) struct Slots {
    fields: [Option<usize>; Field::ALL.len()],
    ratings: Vec<Option<usize>>,
    scores: Vec<Option<usize>>,
}

impl Slots {
    fn new() -> Slots {
        Slots {
            fields: [None; Field::ALL.len()],
            ratings: Vec::new(),
            scores: Vec::new(),
        }
    }

    #[inline]
    fn get(&self, a: AnswerRef) -> Option<usize> {
        match a {
            AnswerRef::Field(f) => self.fields.get(f as usize).copied().flatten(),
            AnswerRef::Rating(i) => self.ratings.get(usize::from(i)).copied().flatten(),
            AnswerRef::Score(i) => self.scores.get(usize::from(i)).copied().flatten(),
        }
    }

    fn insert(&mut self, a: AnswerRef, slot: usize) {
        let (list, i) = match a {
            AnswerRef::Field(f) => {
                if let Some(s) = self.fields.get_mut(f as usize) {
                    *s = Some(slot);
                }
                return;
            }
            AnswerRef::Rating(i) => (&mut self.ratings, usize::from(i)),
            AnswerRef::Score(i) => (&mut self.scores, usize::from(i)),
        };
        if list.len() <= i {
            list.resize(i + 1, None);
        }
        if let Some(s) = list.get_mut(i) {
            *s = Some(slot);
        }
    }
}

/// A point of a space as the evaluator reads it: each answer's value (`None`: absent) is in
/// its slot.
struct Point<'a> {
    slots: &'a Slots,
    values: &'a [Option<Value>],
}

impl Lookup for Point<'_> {
    #[inline]
    fn value(&self, a: AnswerRef) -> Option<Value> {
        self.values.get(self.slots.get(a)?).copied().flatten()
    }
}

/// A rule's condition, evaluated at points of the analysis's spaces.
#[derive(Clone, Copy)]
pub(super) struct Condition<'a> {
    cond: &'a Cond,
    slots: &'a Slots,
}

impl Condition<'_> {
    /// Whether the rule fires at `point`: the engine's own evaluator, [`eval`], reading the
    /// point's values.
    #[inline]
    pub(super) fn fires(self, point: &[Option<Value>]) -> bool {
        let point = Point {
            slots: self.slots,
            values: point,
        };
        eval(self.cond, &point, &mut NoTrace) == Tri::True
    }
}

/// One rule, prepared.
pub(super) struct Prep<'p> {
    pub(super) rule: &'p Rule,
    /// Answer-table indices it reads, ascending.
    pub(super) reads: Vec<usize>,
    /// Number constants per answer.
    pub(super) consts: BTreeMap<usize, BTreeSet<u32>>,
    pub(super) checked: bool,
    pub(super) live: bool,
}

impl Prep<'_> {
    pub(super) fn raises(&self) -> Option<Level> {
        self.rule.floor.filter(|f| *f > Level::Outpatient)
    }
}

/// A space to enumerate: answer slots with their values.
pub(super) struct Space {
    pub(super) slots: Vec<usize>,
    pub(super) domains: Vec<Vec<Option<Value>>>,
}

impl Space {
    pub(super) fn size(&self) -> u128 {
        self.domains
            .iter()
            .fold(1u128, |n, d| n.saturating_mul(d.len() as u128))
    }
}

/// The analysis under way: the answer table, the prepared rules, and the findings so far.
pub(super) struct Ctx<'p> {
    pub(super) pack: &'p RulePack,
    pub(super) answers: Vec<Answer>,
    pub(super) slots: Slots,
    pub(super) rules: Vec<Prep<'p>>,
    pub(super) out: Analysis,
}

/// Visits every point of `space`, writing each into `env`; `f` returns false to stop.
/// Returns whether it ran to the end, and how many points it visited.
pub(super) fn enumerate(
    space: &Space,
    env: &mut [Option<Value>],
    mut f: impl FnMut(&mut [Option<Value>]) -> bool,
) -> (bool, u128) {
    let mut idx = vec![0usize; space.slots.len()];
    for (slot, dom) in space.slots.iter().zip(&space.domains) {
        if dom.is_empty() {
            return (true, 0);
        }
        if let Some(e) = env.get_mut(*slot) {
            *e = dom.first().copied().flatten();
        }
    }
    let mut points = 0u128;
    loop {
        points = points.saturating_add(1);
        if !f(env) {
            return (false, points);
        }
        let mut wrapped_all = true;
        for ((i, slot), dom) in idx.iter_mut().zip(&space.slots).zip(&space.domains).rev() {
            *i += 1;
            let (value, wrapped) = match dom.get(*i) {
                Some(v) => (*v, false),
                None => {
                    *i = 0;
                    (dom.first().copied().flatten(), true)
                }
            };
            if let Some(e) = env.get_mut(*slot) {
                *e = value;
            }
            if !wrapped {
                wrapped_all = false;
                break;
            }
        }
        if wrapped_all {
            return (true, points);
        }
    }
}

/// Every answer a condition reads, in order of first appearance.
pub(super) fn collect_refs(c: &Cond, out: &mut Vec<AnswerRef>) {
    c.for_each_test(&mut |a, _| {
        if !out.contains(&a) {
            out.push(a);
        }
    });
}

impl<'p> Ctx<'p> {
    pub(super) fn new(pack: &'p RulePack) -> Ctx<'p> {
        let mut ctx = Ctx {
            pack,
            answers: Vec::new(),
            slots: Slots::new(),
            rules: Vec::new(),
            out: Analysis {
                pack: format!("{} {}", pack.meta.id, pack.meta.version),
                rules: pack.rules.len(),
                floor_rules: pack
                    .rules
                    .iter()
                    .filter(|r| r.floor.is_some_and(|f| f > Level::Outpatient))
                    .count(),
                baseline_rules: Vec::new(),
                violations: Vec::new(),
                compensated: Vec::new(),
                dead: Vec::new(),
                shadowed: Vec::new(),
                safety: Vec::new(),
                gaps: Vec::new(),
                safety_floor_violations: Vec::new(),
                guarantees: Vec::new(),
                mixed_scores: Vec::new(),
                unchecked: Vec::new(),
                space: SpaceFigures::default(),
            },
        };
        for rule in &pack.rules {
            let mut refs = Vec::new();
            collect_refs(&rule.cond, &mut refs);
            for a in refs {
                ctx.answer_index(a);
            }
        }
        for rule in &pack.rules {
            let consts = ctx.consts(&rule.cond);
            let mut refs = Vec::new();
            collect_refs(&rule.cond, &mut refs);
            let mut reads: Vec<usize> = refs.iter().map(|a| ctx.answer_index(*a)).collect();
            reads.sort_unstable();
            reads.dedup();
            ctx.rules.push(Prep {
                rule,
                reads,
                consts,
                checked: true,
                live: true,
            });
        }
        ctx
    }

    /// The table index of an answer, adding it on first sight.
    pub(super) fn answer_index(&mut self, a: AnswerRef) -> usize {
        if let Some(i) = self.slots.get(a) {
            return i;
        }
        let pack = self.pack;
        let not_applicable = matches!(a, AnswerRef::Field(f) if f.can_be_not_applicable());
        let (worse, optional, mixed) = match a {
            AnswerRef::Field(f) => {
                let info = f.info();
                // An answer the empty intake already gives is computed from defaults, so it
                // is never absent; a required one is absent only when it can be declined.
                let always =
                    (info.required && !info.declinable) || f.read(&Intake::default()).is_some();
                (info.worse, !always, false)
            }
            AnswerRef::Rating(i) => pack
                .ratings
                .get(usize::from(i))
                .map_or((Worse::Unordered, true, false), |r| {
                    (r.worse, !r.required, false)
                }),
            AnswerRef::Score(i) => {
                let terms: Vec<_> = pack
                    .scores
                    .get(usize::from(i))
                    .map(|s| s.terms.clone())
                    .unwrap_or_default();
                let ratings: Vec<_> = terms
                    .iter()
                    .filter_map(|t| pack.ratings.get(usize::from(*t)))
                    .collect();
                let higher = ratings.iter().any(|r| r.worse == Worse::Higher);
                let lower = ratings.iter().any(|r| r.worse == Worse::Lower);
                let optional = ratings.iter().any(|r| !r.required);
                match (higher, lower) {
                    (true, false) => (Worse::Higher, optional, false),
                    (false, true) => (Worse::Lower, optional, false),
                    (false, false) => (Worse::Unordered, optional, false),
                    (true, true) => (Worse::Unordered, optional, true),
                }
            }
        };
        // Left out of a complete intake: not required, and not computed from defaults.
        let omittable = match a {
            AnswerRef::Field(f) => !f.info().required && f.read(&Intake::default()).is_none(),
            _ => optional,
        };
        let i = self.answers.len();
        self.answers.push(Answer {
            name: pack.answer_name(a),
            kind: pack.answer_kind(a),
            worse,
            optional,
            omittable,
            not_applicable,
            mixed,
        });
        self.slots.insert(a, i);
        i
    }

    /// The number constants a condition compares each answer with, by answer-table index.
    pub(super) fn consts(&self, c: &Cond) -> BTreeMap<usize, BTreeSet<u32>> {
        let mut consts: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
        c.for_each_test(&mut |a, test| {
            if let Cond::Range(_, lo, hi) = test {
                let set = consts
                    .entry(self.slots.get(a).unwrap_or(usize::MAX))
                    .or_default();
                set.insert(*lo);
                set.insert(*hi);
            }
        });
        consts
    }

    /// The given values of an answer at the cut points of `consts`, least to most severe
    /// (ascending for unordered answers): the values a worsening steps through. Not
    /// applicable and absent are outside that order; [`Ctx::space`] adds them.
    pub(super) fn values(&self, a: usize, consts: &BTreeSet<u32>) -> Vec<Value> {
        let Some(ans) = self.answers.get(a) else {
            return Vec::new();
        };
        let mut vals: Vec<Value> = match ans.kind {
            AnswerKind::Bool => vec![Value::Bool(false), Value::Bool(true)],
            AnswerKind::Choice(names) => (0..names.len())
                .filter_map(|r| u8::try_from(r).ok())
                .map(Value::Choice)
                .collect(),
            AnswerKind::Number { min, max } => {
                let mut cuts = BTreeSet::from([min, max]);
                for c in consts {
                    for v in [c.checked_sub(1), Some(*c), c.checked_add(1)]
                        .into_iter()
                        .flatten()
                    {
                        if (min..=max).contains(&v) {
                            cuts.insert(v);
                        }
                    }
                }
                cuts.into_iter().map(Value::Num).collect()
            }
        };
        if ans.worse == Worse::Lower {
            vals.reverse();
        }
        vals
    }

    /// The union of the constants the given rules use on answer `a`.
    pub(super) fn consts_of(&self, rules: &[usize], a: usize) -> BTreeSet<u32> {
        rules
            .iter()
            .filter_map(|r| self.rules.get(*r))
            .filter_map(|p| p.consts.get(&a))
            .flat_map(|s| s.iter().copied())
            .collect()
    }

    /// The joint space of the given rules' answers, leaving out `except`: each answer's
    /// given values at the rules' cut points, then not applicable where the answer can be,
    /// then absent where it is optional.
    pub(super) fn space(&self, rules: &[usize], except: Option<usize>) -> Space {
        let slots: BTreeSet<usize> = rules
            .iter()
            .filter_map(|r| self.rules.get(*r))
            .flat_map(|p| p.reads.iter().copied())
            .filter(|a| Some(*a) != except)
            .collect();
        let mut space = Space {
            slots: Vec::new(),
            domains: Vec::new(),
        };
        for a in slots {
            let mut dom: Vec<Option<Value>> = self
                .values(a, &self.consts_of(rules, a))
                .into_iter()
                .map(Some)
                .collect();
            if let Some(ans) = self.answers.get(a) {
                // The values outside the answer's order: not applicable, then absent.
                if ans.not_applicable {
                    dom.push(Some(Value::NotApplicable));
                }
                if ans.optional {
                    dom.push(None);
                }
            }
            space.slots.push(a);
            space.domains.push(dom);
        }
        space
    }

    /// The answer-table index of `a`, if it has one.
    pub(super) fn slot_of(&self, a: AnswerRef) -> Option<usize> {
        self.slots.get(a)
    }

    /// Any condition (not only a rule's), evaluated at points of the analysis's spaces; its
    /// answers must have slots ([`Ctx::answer_index`]).
    pub(super) fn condition<'c>(&'c self, cond: &'c Cond) -> Condition<'c> {
        Condition {
            cond,
            slots: &self.slots,
        }
    }

    pub(super) fn env(&self) -> Vec<Option<Value>> {
        vec![None; self.answers.len()]
    }

    pub(super) fn id(&self, r: usize) -> String {
        self.rules
            .get(r)
            .map_or_else(String::new, |p| p.rule.id.clone())
    }

    pub(super) fn cond(&self, r: usize) -> Option<Condition<'_>> {
        self.rules.get(r).map(|p| Condition {
            cond: &p.rule.cond,
            slots: &self.slots,
        })
    }

    pub(super) fn show(&self, a: usize, v: Option<Value>) -> String {
        match (v, self.answers.get(a).map(|x| x.kind)) {
            (None, _) => "absent".into(),
            (Some(Value::Bool(b)), _) => b.to_string(),
            (Some(Value::Num(n)), _) => n.to_string(),
            (Some(Value::Choice(r)), Some(AnswerKind::Choice(names))) => names
                .get(usize::from(r))
                .map_or_else(|| r.to_string(), |s| (*s).to_owned()),
            (Some(Value::Choice(r)), _) => r.to_string(),
            (Some(Value::NotApplicable), _) => "not_applicable".into(),
        }
    }

    pub(super) fn name(&self, a: usize) -> String {
        self.answers
            .get(a)
            .map_or_else(String::new, |x| x.name.clone())
    }

    pub(super) fn unchecked(&mut self, item: String, check: CheckKind, points: u128) {
        self.out.unchecked.push(Unchecked {
            item,
            check,
            points,
        });
    }

    pub(super) fn add_points(&mut self, n: u128) {
        self.out.space.points_evaluated = self.out.space.points_evaluated.saturating_add(n);
    }

    /// The joint-space figures.
    pub(super) fn figures(&mut self) {
        let all: Vec<usize> = (0..self.rules.len()).collect();
        let read: BTreeSet<usize> = self
            .rules
            .iter()
            .flat_map(|p| p.reads.iter().copied())
            .collect();
        let (mut cut, mut full) = (1u128, 1u128);
        for a in &read {
            let Some(ans) = self.answers.get(*a) else {
                continue;
            };
            let extra = u128::from(ans.optional) + u128::from(ans.not_applicable);
            let cuts = self.values(*a, &self.consts_of(&all, *a)).len() as u128;
            let values = match ans.kind {
                AnswerKind::Bool => 2,
                AnswerKind::Choice(names) => names.len() as u128,
                AnswerKind::Number { min, max } => {
                    u128::from(max.saturating_sub(min)).saturating_add(1)
                }
            };
            cut = cut.saturating_mul(cuts.saturating_add(extra));
            full = full.saturating_mul(values.saturating_add(extra));
        }
        self.out.space.answers = read.len();
        self.out.space.joint_cut_points = cut;
        self.out.space.joint_values = full;
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
    //! The analysis decides whether a rule fires with the engine's own evaluator
    //! (`pack::cond::eval`), so the two cannot disagree on what a condition means; the unit
    //! test that sampled intakes to compare two evaluators is gone with the second one. What
    //! remains the analysis's own is where a point keeps each answer's value: these tests hold
    //! that table to the pack.

    use super::*;

    /// The built-in rules plus a rule reading a rating and a score.
    fn rated_pack() -> RulePack {
        let local = crate::pack::BUILTIN_SOURCES[0]
            .1
            .replace(r#"id = "carelevel.builtin""#, r#"id = "test.slots""#);
        let mut sources = crate::pack::BUILTIN_SOURCES.to_vec();
        sources[0] = ("pack.toml", &local);
        sources.push((
            "rated.toml",
            r#"
[[rating]]
id = "a"
min = 0
max = 4
required = false

[[rating]]
id = "b"
min = 0
max = 4
required = true

[[score]]
id = "total"
sum = ["rating.a", "rating.b"]

[[rule]]
id = "local.rated"
criterion = "severity"
when = { any = [{ answer = "score.total", at_least = 6 }, { answer = "rating.b", is = 4 }] }
floor = "iop"
reason = "r"
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]
"#,
        ));
        RulePack::from_sources(&sources).unwrap()
    }

    #[test]
    fn each_answer_read_has_its_own_slot_and_a_point_reads_it_there() {
        for pack in [RulePack::try_builtin().unwrap(), rated_pack()] {
            let ctx = Ctx::new(&pack);
            let mut refs = Vec::new();
            for rule in &pack.rules {
                collect_refs(&rule.cond, &mut refs);
            }
            // One slot per answer the rules read, shared by none, naming that answer.
            let slots: Vec<usize> = refs.iter().map(|a| ctx.slots.get(*a).unwrap()).collect();
            let mut sorted = slots.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..ctx.answers.len()).collect::<Vec<_>>());
            for (a, slot) in refs.iter().zip(&slots) {
                assert_eq!(ctx.answers[*slot].name, pack.answer_name(*a));
            }
            // A point gives each answer the value in its slot, absent included.
            let values: Vec<Option<Value>> = (0..ctx.answers.len())
                .map(|i| (i % 3 != 0).then_some(Value::Num(i as u32)))
                .collect();
            let point = Point {
                slots: &ctx.slots,
                values: &values,
            };
            for (a, slot) in refs.iter().zip(&slots) {
                assert_eq!(point.value(*a), values[*slot], "{a:?}");
            }
            // An answer no rule reads has no slot, and reads as absent.
            let unread = Field::ALL
                .iter()
                .map(|f| AnswerRef::Field(*f))
                .chain((0..pack.ratings.len()).map(|i| AnswerRef::Rating(i as u16)))
                .chain((0..pack.scores.len()).map(|i| AnswerRef::Score(i as u16)))
                .filter(|a| !refs.contains(a));
            for a in unread {
                assert_eq!(ctx.slots.get(a), None, "{a:?}");
                assert_eq!(point.value(a), None, "{a:?}");
            }
        }
        // The rated pack's rule reads a rating and a score; the rating only its score sums
        // is not read.
        let pack = rated_pack();
        let ctx = Ctx::new(&pack);
        assert!(ctx.slots.get(AnswerRef::Rating(1)).is_some());
        assert!(ctx.slots.get(AnswerRef::Score(0)).is_some());
        assert!(ctx.slots.get(AnswerRef::Rating(0)).is_none());
    }

    #[test]
    fn the_answers_that_can_be_not_applicable_take_it_in_every_space() {
        // An intake listing no substance, not in treatment: an answer that reads not
        // applicable there must say it can be (the withdrawal scales, the items about this
        // episode's withdrawal, which concern only recent alcohol or sedative use, the
        // benzodiazepine dose, progress in treatment).
        let mut none_used = Intake {
            substance_use: Some(Vec::new()),
            ..Intake::default()
        };
        none_used.history.current_setting = Some(crate::intake::Setting::None);
        let mut read_na = Vec::new();
        for f in Field::ALL {
            if f.read(&none_used) == Some(Value::NotApplicable) {
                assert!(f.can_be_not_applicable(), "{f:?}");
                read_na.push(*f);
            }
        }
        assert_eq!(
            read_na,
            [
                Field::SeizureThisEpisode,
                Field::HallucinationsThisEpisode,
                Field::DeliriumThisEpisode,
                Field::CiwaAr,
                Field::Cows,
                Field::BenzodiazepineDose,
                Field::Progress
            ]
        );
        // Each answer the built-in rules read takes not applicable exactly when it can, once,
        // after its given values.
        let pack = RulePack::try_builtin().unwrap();
        let ctx = Ctx::new(&pack);
        let all: Vec<usize> = (0..ctx.rules.len()).collect();
        let space = ctx.space(&all, None);
        let mut explored = Vec::new();
        for (slot, dom) in space.slots.iter().zip(&space.domains) {
            let name = ctx.answers[*slot].name.as_str();
            let f = Field::from_name(name).unwrap();
            let na: Vec<usize> = (0..dom.len())
                .filter(|i| dom[*i] == Some(Value::NotApplicable))
                .collect();
            if f.can_be_not_applicable() {
                let given = ctx.values(*slot, &ctx.consts_of(&all, *slot)).len();
                assert_eq!(na, [given], "{name}");
                explored.push(name);
            } else {
                assert!(na.is_empty(), "{name}");
            }
        }
        assert_eq!(
            explored,
            [
                "withdrawal.seizure_this_episode",
                "withdrawal.delirium_this_episode",
                "withdrawal.hallucinations_this_episode",
                "withdrawal.ciwa_ar",
                "substance_use.benzodiazepine_diazepam_mg",
                "withdrawal.cows",
                "history.progress"
            ]
        );
    }

    #[test]
    fn never_absent_answers_are_not_optional() {
        let pack = RulePack::try_builtin().unwrap();
        let mut ctx = Ctx::new(&pack);
        for (name, optional) in [
            ("age", false),
            ("withdrawal.ciwa_ar", true),
            ("home.substance_free_housing_arranged", false),
            ("history.highest_level_not_held", true),
            ("history.progress", true),
            ("safety.suicidal_ideation", true),
            ("home.safe_housing_arranged", false),
        ] {
            let f = Field::from_name(name).unwrap();
            let i = ctx.answer_index(AnswerRef::Field(f));
            assert_eq!(ctx.answers[i].optional, optional, "{name}");
        }
    }
}
