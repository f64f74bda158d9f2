//! (a) and (c): each rule's own space (live or dead, and the baseline rules that always
//! fire), and shadowed rules, pair by pair.

use super::space::{Ctx, Prep, enumerate};
use super::{BUDGET, CheckKind, Shadowed};
use crate::Level;
use crate::answer::Value;
use crate::pack::{Rule, ScheduleChange};
use crate::vocab::{Capability, CareSetting, Referral, Service};
use std::collections::HashMap;
use std::fmt;

/// One thing a rule does when it fires (what another rule must also do to shadow it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Floor(Level),
    Urgent,
    Service(Service),
    Referral(Referral),
    Schedule(ScheduleChange),
    Setting(CareSetting),
    Capability(Capability),
}

impl Effect {
    fn of(rule: &Rule) -> Vec<Effect> {
        let mut out: Vec<Effect> = rule.floor.map(Effect::Floor).into_iter().collect();
        if rule.urgent() {
            out.push(Effect::Urgent);
        }
        out.extend(rule.services().map(Effect::Service));
        out.extend(rule.referrals().map(Effect::Referral));
        out.extend(rule.schedule.map(Effect::Schedule));
        out.extend(rule.setting.map(Effect::Setting));
        out.extend(rule.capabilities().map(Effect::Capability));
        out
    }

    fn produced_by(self, rule: &Rule) -> bool {
        match self {
            Effect::Floor(f) => rule.floor.is_some_and(|g| g >= f),
            Effect::Urgent => rule.urgent(),
            Effect::Service(s) => rule.services.contains_bit(s.bit()),
            Effect::Referral(r) => rule.referrals.contains_bit(r.bit()),
            Effect::Schedule(s) => rule.schedule == Some(s),
            // The same setting, or one of its level listed before it (which wins).
            Effect::Setting(s) => rule
                .setting
                .is_some_and(|g| g.level() == s.level() && g <= s),
            Effect::Capability(c) => rule.capabilities.contains_bit(c.bit()),
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Floor(l) => write!(f, "floor {l}"),
            Effect::Urgent => f.write_str("urgent"),
            Effect::Service(s) => write!(f, "service {s}"),
            Effect::Referral(r) => write!(f, "referral {r}"),
            Effect::Schedule(ScheduleChange::Intensive) => f.write_str("schedule intensive"),
            Effect::Schedule(ScheduleChange::Evening) => f.write_str("schedule evening"),
            Effect::Setting(s) => write!(f, "setting {s}"),
            Effect::Capability(c) => write!(f, "capability {c}"),
        }
    }
}

impl Ctx<'_> {
    /// Each rule's own space: liveness and the baseline.
    pub(super) fn per_rule(&mut self) {
        let mut env = self.env();
        for r in 0..self.rules.len() {
            let space = self.space(&[r], None);
            let size = space.size();
            self.out.space.per_rule_points = self.out.space.per_rule_points.saturating_add(size);
            if size > BUDGET {
                if let Some(p) = self.rules.get_mut(r) {
                    p.checked = false;
                }
                let kind = match self.rules.get(r).and_then(Prep::raises) {
                    Some(_) => CheckKind::Rule,
                    None => CheckKind::Liveness,
                };
                self.unchecked(self.id(r), kind, size);
                continue;
            }
            let Some(cond) = self.cond(r) else { continue };
            let (mut live, mut always) = (false, true);
            let (_, points) = enumerate(&space, &mut env, |env| {
                let t = cond.fires(env);
                live |= t;
                always &= t;
                true
            });
            self.out.space.points_evaluated =
                self.out.space.points_evaluated.saturating_add(points);
            let Some(p) = self.rules.get_mut(r) else {
                continue;
            };
            p.live = live;
            if !live {
                self.out.dead.push(p.rule.id.clone());
            }
            if always && p.rule.floor == Some(Level::Outpatient) {
                self.out.baseline_rules.push(p.rule.id.clone());
            }
        }
    }

    /// Whether rule `s` fires whenever rule `r` does, over their joint space; `None` beyond
    /// the budget.
    fn implies(&mut self, r: usize, s: usize, env: &mut [Option<Value>]) -> Option<bool> {
        if self.refuted(r, s, env) {
            return Some(false);
        }
        let space = self.space(&[r, s], None);
        let size = space.size();
        if size > BUDGET {
            self.unchecked(
                format!("{} by {}", self.id(r), self.id(s)),
                CheckKind::Shadowing,
                size,
            );
            return None;
        }
        let (nr, ns) = (self.cond(r)?, self.cond(s)?);
        let (done, points) = enumerate(&space, env, |env| !nr.fires(env) || ns.fires(env));
        self.add_points(points);
        Some(done)
    }

    /// A quick search for a counterexample to "`s` fires whenever `r` does": `r`'s own
    /// space, with the answers only `s` reads set to their first, middle or last value. Every
    /// point tried is a point of the joint space, so a counterexample found is real.
    fn refuted(&mut self, r: usize, s: usize, env: &mut [Option<Value>]) -> bool {
        let (Some(nr), Some(ns)) = (self.cond(r), self.cond(s)) else {
            return false;
        };
        let own = self.space(&[r], None);
        let other = self.space(&[s], None);
        let extra: Vec<(usize, &Vec<Option<Value>>)> = other
            .slots
            .iter()
            .zip(&other.domains)
            .filter(|(a, _)| !own.slots.contains(a))
            .map(|(a, d)| (*a, d))
            .collect();
        let probe = |env: &mut [Option<Value>], pick: fn(usize) -> usize| {
            for (a, dom) in &extra {
                if let Some(e) = env.get_mut(*a) {
                    *e = dom.get(pick(dom.len())).copied().flatten();
                }
            }
        };
        let picks: [fn(usize) -> usize; 3] = [|_| 0, |n| n / 2, |n| n.saturating_sub(1)];
        let (done, points) = enumerate(&own, env, |env| {
            if !nr.fires(env) {
                return true;
            }
            for pick in picks {
                probe(env, pick);
                if !ns.fires(env) {
                    return false;
                }
            }
            true
        });
        self.add_points(points);
        !done
    }

    /// (c): shadowed rules, pair by pair.
    pub(super) fn shadowing(&mut self) {
        let mut env = self.env();
        let mut cache: HashMap<(usize, usize), Option<bool>> = HashMap::new();
        for r in 0..self.rules.len() {
            let Some(p) = self.rules.get(r) else { continue };
            if !p.checked || !p.live {
                continue;
            }
            let effects = Effect::of(p.rule);
            let mut by = Vec::new();
            for e in effects {
                let candidates: Vec<usize> = (0..self.rules.len())
                    .filter(|s| *s != r)
                    .filter(|s| {
                        self.rules
                            .get(*s)
                            .is_some_and(|q| q.checked && q.live && e.produced_by(q.rule))
                    })
                    .collect();
                let mut covered = None;
                for s in candidates {
                    let holds = match cache.get(&(r, s)) {
                        Some(h) => *h,
                        None => {
                            let h = self.implies(r, s, &mut env);
                            cache.insert((r, s), h);
                            h
                        }
                    };
                    if holds == Some(true) {
                        covered = Some(s);
                        break;
                    }
                }
                match covered {
                    Some(s) => by.push((e.to_string(), self.id(s))),
                    None => {
                        by.clear();
                        break;
                    }
                }
            }
            if !by.is_empty() {
                self.out.shadowed.push(Shadowed {
                    rule: self.id(r),
                    by,
                });
            }
        }
    }
}
