//! (e) Safety guarantees: for each high-risk value of carelevel's table ([`HIGH_RISK`]), the
//! floor it sets in every context, whatever the other answers.
//!
//! The guaranteed floor of a value `v` of answer `a` is the least, over every point of the
//! joint space of the floor-setting rules that read `a` (and of a cited exemption's `given`),
//! with `a = v`, of the highest floor among those rules that fires there. It is a lower bound
//! of the level of every complete intake with `a = v`: the rules left out can only raise the
//! level, the cut points make the enumeration exact for the rules included, and answers are
//! taken as independent (an impossible combination can only lower the bound). A context is
//! what a complete intake can hold: every answer given (at its cut points), not applicable
//! where it can be, and absent only where the intake may leave it out (an optional
//! instrument not given); a declined required answer leaves the result provisional, not a
//! level, and is not a context. Ages below the pack's `min_age` are refused, so are not
//! contexts either.

use super::space::{Ctx, Space, collect_refs, enumerate};
use super::{BUDGET, CheckKind, Guarantee, GuaranteeExemption};
use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Field, Value};
use crate::pack::Cond;
use std::collections::{BTreeMap, BTreeSet};

/// A high-risk value: one choice, `true`, or a number's range from a threshold up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HighRiskValue {
    /// This choice (by name).
    Choice(&'static str),
    /// `true`.
    Yes,
    /// Every value at least this.
    AtLeast(u32),
}

/// One entry of [`HIGH_RISK`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HighRisk {
    /// The answer.
    pub answer: &'static str,
    /// The high-risk value.
    pub value: HighRiskValue,
    /// Why it is high risk, in one line.
    pub reason: &'static str,
}

impl HighRisk {
    /// The value as reports show it: the choice, `true`, or `>=19`.
    pub fn value_label(&self) -> String {
        match self.value {
            HighRiskValue::Choice(c) => c.to_owned(),
            HighRiskValue::Yes => "true".to_owned(),
            HighRiskValue::AtLeast(n) => format!(">={n}"),
        }
    }
}

/// The answers and values that must never guarantee only outpatient care, whatever the pack:
/// fixed by carelevel, so that a pack cannot opt out of its own check (a pack may only
/// narrow one, with a cited `[[guarantee_exemption]]`).
pub const HIGH_RISK: &[HighRisk] = &[
    HighRisk {
        answer: "safety.suicidal_ideation",
        value: HighRiskValue::Choice("intent_without_plan"),
        reason: "suicidal ideation with intent is high risk on the C-SSRS screener",
    },
    HighRisk {
        answer: "safety.suicidal_ideation",
        value: HighRiskValue::Choice("plan_with_intent"),
        reason: "a suicide plan with intent is the highest risk on the C-SSRS screener",
    },
    HighRisk {
        answer: "safety.suicidal_behavior",
        value: HighRiskValue::Choice("past_3_months"),
        reason: "suicidal behaviour in the past 3 months is high risk on the C-SSRS screener",
    },
    HighRisk {
        answer: "safety.harm_to_others",
        value: HighRiskValue::Choice("plan_or_intent"),
        reason: "a plan or intent to harm another person is an acute risk",
    },
    HighRisk {
        answer: "safety.psychosis",
        value: HighRiskValue::Choice("acute"),
        reason: "acute psychosis cannot be managed weekly",
    },
    HighRisk {
        answer: "safety.unable_to_self_care",
        value: HighRiskValue::Yes,
        reason: "a person unable to care for themselves cannot be managed weekly",
    },
    HighRisk {
        answer: "withdrawal.seizure_this_episode",
        value: HighRiskValue::Yes,
        reason: "a withdrawal seizure in this episode is complicated withdrawal in progress",
    },
    HighRisk {
        answer: "withdrawal.delirium_this_episode",
        value: HighRiskValue::Yes,
        reason: "withdrawal delirium in this episode is a medical emergency",
    },
    HighRisk {
        answer: "withdrawal.ciwa_ar",
        value: HighRiskValue::AtLeast(19),
        reason: "a CIWA-Ar of 19 or more is severe alcohol withdrawal",
    },
    HighRisk {
        answer: "withdrawal.seizure_or_dt_history",
        value: HighRiskValue::Yes,
        reason: "a history of withdrawal seizures or delirium tremens predicts complicated withdrawal",
    },
    HighRisk {
        answer: "medical.status",
        value: HighRiskValue::Choice("daily_monitoring"),
        reason: "a condition that needs daily medical monitoring cannot be met weekly",
    },
    HighRisk {
        answer: "medical.status",
        value: HighRiskValue::Choice("round_the_clock_care"),
        reason: "a condition that needs 24-hour care cannot be met weekly",
    },
];

/// The entry of [`HIGH_RISK`] for `answer` whose value reads `label` (as
/// [`HighRisk::value_label`] writes it).
pub(crate) fn high_risk_entry(answer: &str, label: &str) -> Option<&'static HighRisk> {
    HIGH_RISK
        .iter()
        .find(|h| h.answer == answer && h.value_label() == label)
}

impl Ctx<'_> {
    /// (e): the guaranteed floor of every high-risk value.
    pub(super) fn guarantees(&mut self) {
        for h in HIGH_RISK {
            let Some(f) = Field::from_name(h.answer) else {
                continue;
            };
            let a = self.answer_index(AnswerRef::Field(f));
            let label = h.value_label();
            let exemption = self
                .pack
                .exemptions
                .iter()
                .find(|e| e.answer == h.answer && e.value == label);
            let given = exemption.and_then(|e| e.given.as_ref());
            let g = self.guarantee(a, h.value, given);
            let lifted = exemption.is_some_and(|e| e.given.is_none());
            self.out.guarantees.push(Guarantee {
                answer: h.answer.to_owned(),
                value: label,
                holds: g.floor > Level::Outpatient || lifted,
                floor: g.floor,
                rules: g.rules,
                counterexample: g.counterexample,
                exact: g.exact,
                exemption: exemption.map(|e| GuaranteeExemption {
                    narrowed: e.given.is_some(),
                    reason: e.reason.clone(),
                    source: e.source.clone(),
                }),
            });
        }
    }

    /// The values of answer `a` that are high risk, at the cut points of `consts`.
    fn high_values(&self, a: usize, value: HighRiskValue, consts: &BTreeSet<u32>) -> Vec<Value> {
        let kind = self.answers.get(a).map(|x| x.kind);
        match (value, kind) {
            (HighRiskValue::Yes, _) => vec![Value::Bool(true)],
            (HighRiskValue::Choice(c), Some(AnswerKind::Choice(names))) => names
                .iter()
                .position(|n| *n == c)
                .and_then(|r| u8::try_from(r).ok())
                .map(Value::Choice)
                .into_iter()
                .collect(),
            (HighRiskValue::AtLeast(n), Some(AnswerKind::Number { .. })) => {
                let mut consts = consts.clone();
                consts.insert(n);
                self.values(a, &consts)
                    .into_iter()
                    .filter(|v| matches!(v, Value::Num(x) if *x >= n))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The space of complete contexts over `slots`: given values at the cut points of
    /// `consts`, not applicable where it can be, absent only where an intake may leave the
    /// answer out; ages from the pack's `min_age`.
    fn complete_space(
        &self,
        slots: &BTreeSet<usize>,
        consts: &BTreeMap<usize, BTreeSet<u32>>,
    ) -> Space {
        let min_age = self.pack.meta.min_age;
        let age = Field::from_name("age").and_then(|f| self.slot_of(AnswerRef::Field(f)));
        let mut space = Space {
            slots: Vec::new(),
            domains: Vec::new(),
        };
        for a in slots {
            let mut cs = consts.get(a).cloned().unwrap_or_default();
            let floor_age = min_age.filter(|_| Some(*a) == age);
            if let Some(m) = floor_age {
                cs.insert(m);
            }
            let mut dom: Vec<Option<Value>> = self
                .values(*a, &cs)
                .into_iter()
                .filter(|v| !matches!((floor_age, v), (Some(m), Value::Num(n)) if *n < m))
                .map(Some)
                .collect();
            if let Some(ans) = self.answers.get(*a) {
                if ans.not_applicable {
                    dom.push(Some(Value::NotApplicable));
                }
                if ans.omittable {
                    dom.push(None);
                }
            }
            space.slots.push(*a);
            space.domains.push(dom);
        }
        space
    }

    /// The floor `a = value` guarantees where `given` holds (everywhere without it).
    fn guarantee(&mut self, a: usize, value: HighRiskValue, given: Option<&Cond>) -> Found {
        // The given's answers need slots of their own.
        let mut given_slots = BTreeSet::new();
        let mut given_consts: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
        if let Some(g) = given {
            let mut refs = Vec::new();
            collect_refs(g, &mut refs);
            for r in refs {
                given_slots.insert(self.answer_index(r));
            }
            given_consts = self.consts(g);
        }
        let raisers: Vec<usize> = (0..self.rules.len())
            .filter(|r| {
                self.rules
                    .get(*r)
                    .is_some_and(|p| p.raises().is_some() && p.reads.contains(&a))
            })
            .collect();
        let mut consts = given_consts.clone();
        for p in raisers.iter().filter_map(|r| self.rules.get(*r)) {
            for (k, v) in &p.consts {
                consts.entry(*k).or_default().extend(v.iter().copied());
            }
        }
        let high = self.high_values(a, value, &consts.get(&a).cloned().unwrap_or_default());
        let number = matches!(value, HighRiskValue::AtLeast(_));
        let mut slots: BTreeSet<usize> = raisers
            .iter()
            .filter_map(|r| self.rules.get(*r))
            .flat_map(|p| p.reads.iter().copied())
            .chain(given_slots.iter().copied())
            .collect();
        slots.remove(&a);
        let mut space = self.complete_space(&slots, &consts);
        space.slots.push(a);
        space.domains.push(high.iter().copied().map(Some).collect());
        let mut env = self.env();
        if space.size() <= BUDGET {
            let found = self.exact(&space, &raisers, given, &mut env, a, number);
            return found;
        }
        // Beyond the budget: the highest floor of a rule that fires at every point of its
        // own space (with the given's answers) where the given holds. A lower bound.
        self.unchecked(self.name(a), CheckKind::Guarantee, space.size());
        let mut best = Level::Outpatient;
        let mut rules = Vec::new();
        for r in &raisers {
            let Some(floor) = self.rules.get(*r).and_then(|p| p.raises()) else {
                continue;
            };
            let mut own: BTreeSet<usize> = self
                .rules
                .get(*r)
                .map(|p| p.reads.iter().copied().collect())
                .unwrap_or_default();
            own.extend(given_slots.iter().copied());
            own.remove(&a);
            let mut s = self.complete_space(&own, &consts);
            s.slots.push(a);
            s.domains.push(high.iter().copied().map(Some).collect());
            if s.size() > BUDGET {
                continue;
            }
            let one = self.exact(&s, &[*r], given, &mut env, a, number);
            if one.floor >= floor {
                best = best.max(floor);
                rules.push(self.id(*r));
            }
        }
        Found {
            floor: best,
            rules,
            counterexample: Vec::new(),
            exact: false,
        }
    }

    /// The least, over the points of `space` where `given` holds, of the highest floor of
    /// `rules` that fires; the first point reaching it as a witness.
    fn exact(
        &mut self,
        space: &Space,
        rules: &[usize],
        given: Option<&Cond>,
        env: &mut Vec<Option<Value>>,
        a: usize,
        number: bool,
    ) -> Found {
        if env.len() < self.answers.len() {
            env.resize(self.answers.len(), None);
        }
        let conds: Vec<(usize, Level, _)> = rules
            .iter()
            .filter_map(|r| Some((*r, self.rules.get(*r)?.raises()?, self.cond(*r)?)))
            .collect();
        let given = given.map(|g| self.condition(g));
        let mut least: Option<Level> = None;
        let mut witness: Vec<Option<Value>> = Vec::new();
        let mut fired: Vec<(usize, Level)> = Vec::new();
        let (_, points) = enumerate(space, env, |env| {
            if given.is_some_and(|g| !g.fires(env)) {
                return true;
            }
            let mut top = Level::Outpatient;
            for (r, floor, c) in &conds {
                if c.fires(env) {
                    top = top.max(*floor);
                    if !fired.iter().any(|(x, _)| x == r) {
                        fired.push((*r, *floor));
                    }
                }
            }
            if least.is_none_or(|l| top < l) {
                least = Some(top);
                witness = space
                    .slots
                    .iter()
                    .map(|s| env.get(*s).copied().flatten())
                    .collect();
            }
            true
        });
        self.add_points(points);
        // No context at all (a given that never holds) guarantees nothing: an exemption
        // narrows the check, it does not switch it off.
        let floor = least.unwrap_or(Level::Outpatient);
        let mut rules_out: Vec<usize> = fired
            .iter()
            .filter(|(_, f)| *f >= floor && floor > Level::Outpatient)
            .map(|(r, _)| *r)
            .collect();
        rules_out.sort_unstable();
        let counterexample = if floor == Level::Outpatient {
            space
                .slots
                .iter()
                .zip(&witness)
                .filter(|(s, _)| number || **s != a)
                .map(|(s, v)| (self.name(*s), self.show(*s, *v)))
                .collect()
        } else {
            Vec::new()
        };
        Found {
            floor,
            rules: rules_out.into_iter().map(|r| self.id(r)).collect(),
            counterexample,
            exact: true,
        }
    }
}

/// What [`Ctx::guarantee`] found.
struct Found {
    floor: Level,
    rules: Vec<String>,
    counterexample: Vec<(String, String)>,
    exact: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_high_risk_value_is_a_value_of_a_built_in_answer() {
        for h in HIGH_RISK {
            let f = Field::from_name(h.answer).unwrap_or_else(|| panic!("{}", h.answer));
            let ok = match (h.value, f.info().kind) {
                (HighRiskValue::Yes, AnswerKind::Bool) => true,
                (HighRiskValue::Choice(c), AnswerKind::Choice(names)) => names.contains(&c),
                (HighRiskValue::AtLeast(n), AnswerKind::Number { min, max }) => {
                    (min..=max).contains(&n)
                }
                _ => false,
            };
            assert!(ok, "{} {:?}", h.answer, h.value);
            assert!(!h.reason.is_empty() && !h.reason.contains('\n'));
        }
    }
}
