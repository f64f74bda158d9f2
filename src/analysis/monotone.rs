//! (b) Monotonicity: where a rule stops firing as an answer worsens (its drops), and
//! whether other rules with a floor at least as high take over, one at a time or jointly.

use super::space::{Condition, Ctx, enumerate};
use super::{BUDGET, CheckKind, Compensated, Violation};
use crate::Level;
use crate::answer::{AnswerKind, Value, Worse};
use std::collections::{BTreeSet, HashSet};

/// The answers around a violation: answer-table index and value.
type Witness = Vec<(usize, Option<Value>)>;

/// Steps where a rule stops firing, by cells: its other answers, then the two values.
type Drops = HashSet<(Vec<Option<Value>>, Option<Value>, Option<Value>)>;

/// Maps a point to the cells one rule distinguishes (see [`Ctx::boundaries`]).
struct Keys {
    /// The rule's other answers, each with its cell boundaries.
    slots: Vec<(usize, Vec<u32>)>,
    /// The boundaries of the answer being worsened.
    answer: Vec<u32>,
}

impl Keys {
    fn new(ctx: &Ctx<'_>, r: usize, a: usize, slots: &[usize]) -> Keys {
        Keys {
            slots: slots.iter().map(|s| (*s, ctx.boundaries(r, *s))).collect(),
            answer: ctx.boundaries(r, a),
        }
    }

    fn cell(bounds: &[u32], v: Option<Value>) -> Option<Value> {
        match v {
            Some(Value::Num(n)) => Some(Value::Num(
                bounds.iter().rev().find(|b| **b <= n).copied().unwrap_or(n),
            )),
            other => other,
        }
    }

    fn key(
        &self,
        env: &[Option<Value>],
        from: Value,
        to: Value,
    ) -> (Vec<Option<Value>>, Option<Value>, Option<Value>) {
        let ctx = self
            .slots
            .iter()
            .map(|(s, b)| Keys::cell(b, env.get(*s).copied().flatten()))
            .collect();
        (
            ctx,
            Keys::cell(&self.answer, Some(from)),
            Keys::cell(&self.answer, Some(to)),
        )
    }
}

impl Ctx<'_> {
    /// (b): every floor-setting rule in every ordered answer it reads.
    ///
    /// A step is between two adjacent given values of the answer ([`Ctx::values`]). Absent
    /// and not applicable (a withdrawal scale for a person who uses no substance it measures)
    /// are not ordered against the values, so they are never a step: moving between them and
    /// a value changes another fact (whether the item was asked, which substances are used),
    /// not how bad the answer is. Both are values of every other answer's context
    /// ([`Ctx::space`]), so each step is checked whatever the others are, those included.
    pub(super) fn monotonicity(&mut self) {
        let mut env = self.env();
        let mut mixed = BTreeSet::new();
        for r in 0..self.rules.len() {
            let Some(p) = self.rules.get(r) else { continue };
            let Some(floor) = p.raises() else { continue };
            if !p.checked {
                continue;
            }
            for a in p.reads.clone() {
                let Some(ans) = self.answers.get(a) else {
                    continue;
                };
                if ans.mixed {
                    mixed.insert(a);
                }
                if ans.worse == Worse::Unordered {
                    continue;
                }
                let drops = self.drops_alone(r, a, &mut env);
                if !drops.is_empty() {
                    self.compensate(r, a, floor, drops, &mut env);
                }
            }
        }
        self.out.mixed_scores = mixed.into_iter().map(|a| self.name(a)).collect();
    }

    /// The cells rule `r` distinguishes on number answer `a`, by their smallest values: the
    /// minimum, and `c` and `c + 1` for each constant `c` (a refinement of the cells where its
    /// tests change). Empty for other answers.
    fn boundaries(&self, r: usize, a: usize) -> Vec<u32> {
        let Some(AnswerKind::Number { min, max }) = self.answers.get(a).map(|x| x.kind) else {
            return Vec::new();
        };
        let mut b = BTreeSet::from([min]);
        for c in self.consts_of(&[r], a) {
            for v in [Some(c), c.checked_add(1)].into_iter().flatten() {
                if (min..=max).contains(&v) {
                    b.insert(v);
                }
            }
        }
        b.into_iter().collect()
    }

    /// The steps at which rule `r` on its own stops firing as `a` worsens, each keyed by the
    /// cells (see [`Ctx::boundaries`]) of its other answers and of the two values of `a`.
    fn drops_alone(&mut self, r: usize, a: usize, env: &mut [Option<Value>]) -> Drops {
        let mut drops = Drops::default();
        let Some(cond) = self.cond(r) else {
            return drops;
        };
        let vals = self.values(a, &self.consts_of(&[r], a));
        let ctx = self.space(&[r], Some(a));
        let keys = Keys::new(self, r, a, &ctx.slots);
        let (_, points) = enumerate(&ctx, env, |env| {
            let mut before: Option<Value> = None;
            for v in &vals {
                if let Some(e) = env.get_mut(a) {
                    *e = Some(*v);
                }
                let now = cond.fires(env);
                if let Some(w) = before.filter(|_| !now) {
                    drops.insert(keys.key(env, w, *v));
                }
                before = now.then_some(*v);
            }
            true
        });
        self.add_points(points.saturating_mul(vals.len() as u128));
        drops
    }

    /// The drops of `drops` that rule `s` covers on its own: at every point of the joint
    /// space of `r` and `s` that falls in the drop's cells, `s` fires after the step. `None`
    /// beyond the budget.
    fn covered_by(
        &mut self,
        r: usize,
        s: usize,
        a: usize,
        drops: &Drops,
        env: &mut [Option<Value>],
    ) -> Option<Drops> {
        let (nr, ns) = (self.cond(r)?, self.cond(s)?);
        let vals = self.values(a, &self.consts_of(&[r, s], a));
        let space = self.space(&[r, s], Some(a));
        if space.size().saturating_mul(vals.len() as u128) > BUDGET {
            return None;
        }
        let own = self.space(&[r], Some(a)).slots;
        let keys = Keys::new(self, r, a, &own);
        let (mut seen, mut bad) = (Drops::default(), Drops::default());
        let (_, points) = enumerate(&space, env, |env| {
            let mut before: Option<Value> = None;
            for v in &vals {
                if let Some(e) = env.get_mut(a) {
                    *e = Some(*v);
                }
                let now = nr.fires(env);
                if let Some(w) = before.filter(|_| !now) {
                    let key = keys.key(env, w, *v);
                    if drops.contains(&key) {
                        if !ns.fires(env) {
                            bad.insert(key.clone());
                        }
                        seen.insert(key);
                    }
                }
                before = now.then_some(*v);
            }
            true
        });
        self.add_points(points.saturating_mul(vals.len() as u128));
        Some(seen.difference(&bad).cloned().collect())
    }

    /// Rule `r` stops firing at some steps of `a` (`drops`): check that rules reading `a`
    /// with a floor at least `floor` always take over. First rule by rule, each over its joint
    /// space with `r` (cheap, and enough when one rule takes over everywhere); what is left,
    /// over the joint space of `r` and all of them.
    fn compensate(
        &mut self,
        r: usize,
        a: usize,
        floor: Level,
        drops: Drops,
        env: &mut [Option<Value>],
    ) {
        let mut candidates: Vec<(u128, usize)> = (0..self.rules.len())
            .filter(|s| *s != r)
            .filter(|s| {
                self.rules
                    .get(*s)
                    .is_some_and(|p| p.checked && p.live && p.raises() >= Some(floor))
            })
            .map(|s| (self.space(&[r, s], None).size(), s))
            .collect();
        candidates.sort_unstable();
        let candidates: Vec<usize> = candidates.into_iter().map(|(_, s)| s).collect();
        let mut remaining = drops;
        let mut by = BTreeSet::new();
        for s in &candidates {
            if remaining.is_empty() {
                break;
            }
            if let Some(covered) = self.covered_by(r, *s, a, &remaining, env) {
                if !covered.is_empty() {
                    by.insert(*s);
                    remaining.retain(|k| !covered.contains(k));
                }
            }
        }
        if remaining.is_empty() {
            self.out.compensated.push(Compensated {
                rule: self.id(r),
                answer: self.name(a),
                by: by.into_iter().map(|s| self.id(s)).collect(),
            });
            return;
        }
        // All of them at once if the budget allows, else those that read the answer.
        let mut group = vec![r];
        group.extend(&candidates);
        let mut vals = self.values(a, &self.consts_of(&group, a));
        let mut ctx = self.space(&group, Some(a));
        let mut size = ctx.size().saturating_mul(vals.len() as u128);
        if size > BUDGET {
            group.retain(|s| self.rules.get(*s).is_some_and(|p| p.reads.contains(&a)));
            vals = self.values(a, &self.consts_of(&group, a));
            ctx = self.space(&group, Some(a));
            size = ctx.size().saturating_mul(vals.len() as u128);
        }
        let candidates: Vec<usize> = group.iter().copied().filter(|s| *s != r).collect();
        if size > BUDGET {
            self.unchecked(
                format!("{} in {}", self.id(r), self.name(a)),
                CheckKind::Compensation,
                size,
            );
            return;
        }
        let Some(cond) = self.cond(r) else { return };
        let cands: Vec<(usize, Condition<'_>)> = candidates
            .iter()
            .filter_map(|s| Some((*s, self.cond(*s)?)))
            .collect();
        let mut found: Vec<(usize, usize, Witness)> = Vec::new();
        let (_, points) = enumerate(&ctx, env, |env| {
            let mut before = false;
            let mut prev: Option<usize> = None;
            for (k, v) in vals.iter().enumerate() {
                if let Some(e) = env.get_mut(a) {
                    *e = Some(*v);
                }
                let now = cond.fires(env);
                if before && !now {
                    match cands.iter().find(|(_, n)| n.fires(env)) {
                        Some((s, _)) => {
                            by.insert(*s);
                        }
                        None => {
                            if let Some(from) = prev {
                                if !found.iter().any(|(f, t, _)| *f == from && *t == k) {
                                    let witness = ctx
                                        .slots
                                        .iter()
                                        .map(|s| (*s, env.get(*s).copied().flatten()))
                                        .collect();
                                    found.push((from, k, witness));
                                }
                            }
                        }
                    }
                }
                before = now;
                prev = Some(k);
            }
            true
        });
        self.add_points(points.saturating_mul(vals.len() as u128));
        let rule = self.id(r);
        let answer = self.name(a);
        if found.is_empty() {
            self.out.compensated.push(Compensated {
                rule,
                answer,
                by: by.into_iter().map(|s| self.id(s)).collect(),
            });
            return;
        }
        let show = |k: usize| {
            vals.get(k)
                .map_or_else(String::new, |v| self.show(a, Some(*v)))
        };
        let violations: Vec<Violation> = found
            .into_iter()
            .map(|(from, to, witness)| Violation {
                rule: rule.clone(),
                floor,
                answer: answer.clone(),
                from: show(from),
                to: show(to),
                context: witness
                    .into_iter()
                    .map(|(s, v)| (self.name(s), self.show(s, v)))
                    .collect(),
            })
            .collect();
        self.out.violations.extend(violations);
    }
}
