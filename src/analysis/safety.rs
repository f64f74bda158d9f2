//! (d) Safety coverage: for each safety answer, value by value, the rules that can fire,
//! the highest floor they set, the floor the value guarantees by itself, and the gaps.

use super::space::{Condition, Ctx, enumerate};
use super::{BUDGET, CheckKind, Gap, GapKind, SafetyAnswer, SafetyFloorViolation, SafetyValue};
use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Field, Value, Worse};
use crate::vocab::Criterion;
use std::collections::BTreeSet;

/// The answers whose worst value must be covered by a floor, whatever the pack's criteria.
const SAFETY_ANSWERS: &[&str] = &[
    "safety.suicidal_ideation",
    "safety.suicidal_behavior",
    "safety.harm_to_others",
    "safety.psychosis",
    "safety.unable_to_self_care",
    "withdrawal.seizure_or_dt_history",
    "medical.status",
];

impl Ctx<'_> {
    /// (d): coverage and the guaranteed floor of every safety answer.
    pub(super) fn safety(&mut self) {
        let mut targets: Vec<usize> = Vec::new();
        for name in SAFETY_ANSWERS {
            if let Some(f) = Field::from_name(name) {
                targets.push(self.answer_index(AnswerRef::Field(f)));
            }
        }
        for p in &self.rules {
            if p.rule.criterion == Criterion::Safety {
                targets.extend(&p.reads);
            }
        }
        let mut seen = BTreeSet::new();
        targets.retain(|a| seen.insert(*a));
        let mut env = self.env();
        for a in targets {
            if self
                .answers
                .get(a)
                .is_none_or(|x| x.worse == Worse::Unordered)
            {
                continue;
            }
            self.safety_answer(a, &mut env);
        }
    }

    fn safety_answer(&mut self, a: usize, env: &mut Vec<Option<Value>>) {
        if env.len() < self.answers.len() {
            env.resize(self.answers.len(), None);
        }
        let readers: Vec<usize> = (0..self.rules.len())
            .filter(|r| {
                self.rules
                    .get(*r)
                    .is_some_and(|p| p.checked && p.live && p.reads.contains(&a))
            })
            .collect();
        let raisers: Vec<usize> = readers
            .iter()
            .copied()
            .filter(|r| self.rules.get(*r).is_some_and(|p| p.raises().is_some()))
            .collect();
        let vals = self.values(a, &self.consts_of(&readers, a));
        // Which rules can fire at each value, and the highest floor among them.
        let mut per_value: Vec<(Vec<String>, Level)> = Vec::new();
        for v in &vals {
            let mut rules = Vec::new();
            let mut highest = Level::Outpatient;
            for r in &readers {
                let (can, _) = self.at_value(*r, a, *v, env);
                if can {
                    rules.push(self.id(*r));
                    if let Some(f) = self.rules.get(*r).and_then(|p| p.raises()) {
                        highest = highest.max(f);
                    }
                }
            }
            per_value.push((rules, highest));
        }
        // The floor each value guarantees by itself.
        let ctx = self.space(&raisers, Some(a));
        let size = ctx.size().saturating_mul(vals.len() as u128);
        let (guaranteed, exact) = if size <= BUDGET {
            let mut g = vec![Level::Inpatient; vals.len()];
            let conds: Vec<(Level, Condition<'_>)> = raisers
                .iter()
                .filter_map(|r| Some((self.rules.get(*r)?.raises()?, self.cond(*r)?)))
                .collect();
            let (_, points) = enumerate(&ctx, env, |env| {
                for (gk, v) in g.iter_mut().zip(&vals) {
                    if let Some(e) = env.get_mut(a) {
                        *e = Some(*v);
                    }
                    let top = conds
                        .iter()
                        .filter(|(_, n)| n.fires(env))
                        .map(|(f, _)| *f)
                        .max()
                        .unwrap_or(Level::Outpatient);
                    *gk = (*gk).min(top);
                }
                true
            });
            self.add_points(points.saturating_mul(vals.len() as u128));
            (g, true)
        } else {
            self.unchecked(self.name(a), CheckKind::SafetyFloor, size);
            let mut g = Vec::new();
            for v in &vals {
                let mut best = Level::Outpatient;
                for r in &raisers {
                    let (_, always) = self.at_value(*r, a, *v, env);
                    if always {
                        if let Some(f) = self.rules.get(*r).and_then(|p| p.raises()) {
                            best = best.max(f);
                        }
                    }
                }
                g.push(best);
            }
            (g, false)
        };
        let answer = self.name(a);
        let choice_like = self
            .answers
            .get(a)
            .is_some_and(|x| !matches!(x.kind, AnswerKind::Number { .. }));
        let mut values = Vec::new();
        for (k, ((v, (rules, highest)), floor)) in
            vals.iter().zip(per_value).zip(&guaranteed).enumerate()
        {
            let value = self.show(a, Some(*v));
            let worst = k + 1 == vals.len();
            if worst && highest == Level::Outpatient {
                self.out.gaps.push(Gap {
                    answer: answer.clone(),
                    value: value.clone(),
                    kind: GapKind::NoFloorAtWorst,
                });
            } else if k > 0 && choice_like && rules.is_empty() {
                self.out.gaps.push(Gap {
                    answer: answer.clone(),
                    value: value.clone(),
                    kind: GapKind::NoRuleAtValue,
                });
            }
            values.push(SafetyValue {
                value,
                guaranteed_floor: *floor,
                highest_floor: highest,
                rules,
            });
        }
        for (lo, hi) in values.iter().zip(values.iter().skip(1)) {
            if hi.guaranteed_floor < lo.guaranteed_floor {
                self.out.safety_floor_violations.push(SafetyFloorViolation {
                    answer: answer.clone(),
                    from: lo.value.clone(),
                    from_floor: lo.guaranteed_floor,
                    to: hi.value.clone(),
                    to_floor: hi.guaranteed_floor,
                });
            }
        }
        self.out.safety.push(SafetyAnswer {
            answer,
            values,
            exact,
        });
    }

    /// Over rule `r`'s own space with answer `a` fixed at `v`: whether it can fire, and
    /// whether it always fires.
    fn at_value(
        &mut self,
        r: usize,
        a: usize,
        v: Value,
        env: &mut [Option<Value>],
    ) -> (bool, bool) {
        let Some(cond) = self.cond(r) else {
            return (false, false);
        };
        let ctx = self.space(&[r], Some(a));
        let (mut can, mut always) = (false, true);
        if let Some(e) = env.get_mut(a) {
            *e = Some(v);
        }
        let (_, points) = enumerate(&ctx, env, |env| {
            let t = cond.fires(env);
            can |= t;
            always &= t;
            true
        });
        self.add_points(points);
        (can, always)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_safety_answer_is_a_built_in_answer() {
        for name in SAFETY_ANSWERS {
            assert!(Field::from_name(name).is_some(), "`{name}`");
        }
    }
}
