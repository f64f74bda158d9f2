//! Proving a rule pack safe: a static analysis of every rule of any [`RulePack`], without
//! enumerating intakes.
//!
//! [`analyze`] answers four questions about a pack — built-in or custom, including the ratings
//! and scores a pack declares — and [`Analysis`] holds the answers (its `Display` is a readable
//! report; `cargo run --release --example analyze` prints it for the built-in pack or for rule
//! files given on the command line).
//!
//! ```
//! let analysis = carelevel::analysis::analyze(&carelevel::RulePack::builtin());
//! assert!(analysis.is_proved_safe());
//! assert!(analysis.violations.is_empty() && analysis.gaps.is_empty());
//! assert_eq!(analysis.baseline_rules, ["baseline.outpatient"]);
//! ```
//!
//! # The method, and why it is sound
//!
//! The joint space of answers is far too large to enumerate (the built-in pack's rules read
//! answers whose value combinations number well over 10^15). The analysis rests on the shape
//! of the decision instead: **the level is the maximum, over the rules, of the rule's floor if
//! its condition is true** (outpatient when none is). A condition that is *not evaluated*
//! (three-valued logic, an optional answer absent) sets no floor, exactly as in the engine.
//! Each rule reads only a handful of answers, so each property is checked on small spaces:
//!
//! - **Cut points.** A condition is built from tests `lo <= v <= hi`, `v in {...}`, `v = b`
//!   and `answered`. A number enters only through its constants, so the number line cut at
//!   every constant `c` the rules involved use gives intervals on which every test is
//!   constant. Taking `min`, `max` and `c - 1`, `c`, `c + 1` (within range) for each constant
//!   puts at least one representative in every interval, and two consecutive representatives
//!   lie in the same interval or in adjacent ones. Evaluating at the representatives is
//!   therefore *exact* for the rules involved, and every step between adjacent intervals is
//!   seen. Choices and yes/no answers take every value. An optional answer also takes
//!   "absent"; answers the intake always supplies (required ones, and those computed from
//!   defaults such as `home.substance_free_housing_arranged`) do not.
//! - **Over-approximation.** Answers are treated as independent even where the intake ties
//!   them (`adolescent` and `age`, a score and its ratings, `history.progress` being required
//!   once a setting is given). The spaces checked therefore contain every real combination
//!   and some impossible ones: a property that holds on them holds for every intake, and an
//!   impossible combination can only raise a false alarm, never hide a problem.
//!
//! **(a) Every intake gets a level.** Structurally: outpatient unless a floor fires. So that
//! every recommendation also *names* a rule, [`Analysis::baseline_rules`] lists the rules with
//! floor outpatient whose condition is true at every point of their space (the built-in pack's
//! `baseline.outpatient`).
//!
//! **(b) Monotonicity.** Each answer has a direction ([`Worse`]; a pack's ratings say theirs).
//! The claim: making one ordered answer worse, everything else fixed, never lowers the level.
//! Unordered answers (the current setting, age) are held fixed at each of their values, and
//! absent is kept apart: monotonicity is over given values (giving an absent answer turns a
//! rule from not evaluated into true or false, which the report shows as such).
//!
//! It suffices to check each step between adjacent values, and a step can lower the level
//! only if some rule `R` that fires before the step has no rule with a floor at least
//! `R`'s firing after it. So, for every rule `R` with a floor above outpatient and every ordered
//! answer `a` it reads:
//!
//! 1. enumerate `R`'s own space (context x values of `a`, in worse order) and look for a step
//!    where `R` stops firing. None: `R` is monotone in `a`, and the maximum of monotone
//!    functions is monotone.
//! 2. Otherwise those steps (the *drops*, keyed by the cells of `R`'s other answers and of
//!    the two values of `a`, cells being cut at each constant `c` and at `c + 1`) must be
//!    taken over by other rules `S` with a floor at least `R`'s. First one `S` at a time, over
//!    the joint space of `R` and `S` at both rules' cut points: `S` covers a drop if it fires
//!    after the step at *every* point of that space that falls in the drop's cells (whatever
//!    the answers only `S` reads). If some drop is covered by no single rule, the joint space
//!    of `R` and all of those rules (those that read `a`, beyond [`BUDGET`]) is enumerated,
//!    which is exact for them. A step where none fires is a [`Violation`] (rule, answer, from
//!    value, to value, and the other answers as a witness); a rule that needed others is
//!    listed in [`Analysis::compensated`] (for example a step-down rule whose condition stops
//!    holding when progress worsens, while the continue-stay rule takes over at a higher
//!    floor). Why a single-rule cover is enough for an intake `x` stepping from `u` to `u + 1`:
//!    `u + 1` starts a cell of `R`, both `u` and `u + 1` are cut points, and `x`'s other
//!    answers fall in cells that contain cut points of the joint space, so `x`'s step is one
//!    of the steps enumerated there, with the same truth values for `R` and `S`.
//!
//! Aggregate answers are monotone in what they summarise (`severity.sud_max_criteria` and
//! `history.highest_level_not_held` are maxima over lists, a score is a sum or maximum of its
//! ratings), so monotonicity in them carries over to the intake. A score mixing
//! higher-is-worse and lower-is-worse ratings has no direction; if a floor-setting rule reads
//! one it is listed in [`Analysis::mixed_scores`] and the pack is not proved.
//!
//! **(c) Dead and shadowed rules.** A rule is *dead* if its condition is true nowhere in its
//! own space. A rule is *shadowed* if each of its effects (floor, urgent, each service and
//! referral, schedule change) is produced — a floor at least as high, the same service, and
//! so on — by one other rule that fires whenever it fires, checked pair by pair over the
//! union of the two rules' answers. Both checks are sound (what they report is true) but not
//! complete: a rule covered only by a combination of rules, or only because of ties between
//! answers, is not reported. Two identical rules shadow each other: remove one, not both.
//! Shadowed rules change no level, plan or urgency, only which rules the rationale names.
//!
//! **(d) Safety floors.** Floors combine by maximum, so no rule can lower another's floor:
//! that is a structural guarantee of the engine. What can go wrong is coverage. For every
//! safety answer (`safety.*`, `withdrawal.seizure_or_dt_history`, `medical.status`, and any
//! ordered answer a `safety` rule of the pack reads) the analysis lists, value by value, the
//! rules that can fire, the highest floor they can set, and the floor guaranteed by that answer
//! alone (the least, over every other answer the floor-setting rules that read it also read,
//! of the highest floor among them that fires). A [`Gap`] is a worst value that no
//! floor-setting rule can fire on, or (for choices and yes/no answers) a value worse than the
//! best that no rule reads at all. A [`SafetyFloorViolation`] is a step to a worse value that
//! lowers the guaranteed floor.
//!
//! **Budget.** Every enumeration is capped at [`BUDGET`] points. A check that would exceed it
//! is not run and is listed in [`Analysis::unchecked`]. A floor-setting rule or a compensation
//! left unchecked means the pack is not proved ([`Analysis::is_proved_safe`] is false); a
//! guaranteed safety floor beyond the budget falls back to a single-rule lower bound
//! ([`SafetyAnswer::exact`] is false), which can only raise false alarms; any other unchecked
//! check only means fewer dead or shadowed rules found.
//!
//! **What this does not prove**: that the thresholds are clinically right, or that the engine
//! implements the condition semantics (the crate's tests check the engine against an
//! independent reference evaluator, and this module's evaluator against the engine's).

use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Field, Value, Worse};
use crate::engine::Tri;
use crate::intake::Intake;
use crate::pack::{Cond, Rule, RulePack, ScheduleChange};
use crate::vocab::{Criterion, Referral, Service};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

/// The most points (answer combinations) one enumeration may visit. Checks beyond it are
/// skipped and listed in [`Analysis::unchecked`].
pub const BUDGET: u128 = 1 << 22;

/// The answers whose worst value must be covered by a floor, whatever the pack's criteria.
const SAFETY_ANSWERS: &[&str] = &[
    "safety.suicide_risk",
    "safety.harm_to_others",
    "safety.psychosis_or_unable_to_self_care",
    "withdrawal.seizure_or_dt_history",
    "medical.status",
];

/// What [`analyze`] found. Every list is in pack order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The pack's id and version.
    pub pack: String,
    /// How many rules the pack has.
    pub rules: usize,
    /// How many of them set a floor above outpatient.
    pub floor_rules: usize,
    /// Rules with floor outpatient that fire on every intake, so every recommendation names a
    /// rule. Empty means an outpatient recommendation would name none.
    pub baseline_rules: Vec<String>,
    /// Steps where worsening one answer lowers the level. Empty for a proved pack.
    pub violations: Vec<Violation>,
    /// Rules that are not monotone on their own in some answer, where other rules always take
    /// over at a floor at least as high (so the level is monotone).
    pub compensated: Vec<Compensated>,
    /// Rules whose condition can never be true.
    pub dead: Vec<String>,
    /// Rules whose every effect other rules always produce when they fire.
    pub shadowed: Vec<Shadowed>,
    /// The safety answers, value by value.
    pub safety: Vec<SafetyAnswer>,
    /// Safety values no rule covers.
    pub gaps: Vec<Gap>,
    /// Safety answers whose guaranteed floor drops as the answer worsens.
    pub safety_floor_violations: Vec<SafetyFloorViolation>,
    /// Scores that mix higher-is-worse and lower-is-worse ratings and that a floor-setting
    /// rule reads, so their monotonicity cannot be established.
    pub mixed_scores: Vec<String>,
    /// Checks not run because they exceed [`BUDGET`].
    pub unchecked: Vec<Unchecked>,
    /// How much was covered.
    pub space: SpaceFigures,
}

/// A step to a worse answer that lowers the level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule that stops firing.
    pub rule: String,
    /// Its floor.
    pub floor: Level,
    /// The answer made worse.
    pub answer: String,
    /// The value at which the rule fires.
    pub from: String,
    /// The adjacent worse value at which neither it nor any other rule with a floor at least
    /// as high fires (of the rules in the joint check: every such rule when the joint space
    /// is within [`BUDGET`], else those that read the answer).
    pub to: String,
    /// The other answers of the witness, as `(answer, value)`.
    pub context: Vec<(String, String)>,
}

/// A rule that is not monotone on its own in one answer, compensated by other rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compensated {
    /// The rule.
    pub rule: String,
    /// The answer.
    pub answer: String,
    /// The rules that fire, with a floor at least as high, where it stops firing.
    pub by: Vec<String>,
}

/// A rule whose every effect other rules produce whenever it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The rule.
    pub rule: String,
    /// Each effect (`floor php`, `urgent`, `service crisis_line`, `referral sober_living`,
    /// `schedule intensive`) with the rule that always also produces it.
    pub by: Vec<(String, String)>,
}

/// One safety answer, value by value (least to most severe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyAnswer {
    /// The answer.
    pub answer: String,
    /// Its values, least to most severe (numbers at the rules' cut points).
    pub values: Vec<SafetyValue>,
    /// Whether the guaranteed floors are exact (joint enumeration) rather than the
    /// single-rule lower bound used beyond [`BUDGET`].
    pub exact: bool,
}

/// One value of a safety answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyValue {
    /// The value.
    pub value: String,
    /// The floor this value guarantees by itself, whatever the other answers.
    pub guaranteed_floor: Level,
    /// The highest floor a rule reading the answer can set at this value.
    pub highest_floor: Level,
    /// The rules reading the answer that can fire at this value.
    pub rules: Vec<String>,
}

/// A safety value no rule covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The answer.
    pub answer: String,
    /// The value.
    pub value: String,
    /// What is missing.
    pub kind: GapKind,
}

/// What a [`Gap`] lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapKind {
    /// The worst value: no rule with a floor above outpatient can fire on it.
    NoFloorAtWorst,
    /// A value worse than the best: no rule reading the answer can fire on it.
    NoRuleAtValue,
}

/// A step to a worse safety value that lowers the floor it guarantees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyFloorViolation {
    /// The answer.
    pub answer: String,
    /// The less severe value.
    pub from: String,
    /// The floor it guarantees.
    pub from_floor: Level,
    /// The adjacent more severe value.
    pub to: String,
    /// The lower floor it guarantees.
    pub to_floor: Level,
}

/// A check not run because its space exceeds [`BUDGET`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unchecked {
    /// The rule (or safety answer) concerned.
    pub item: String,
    /// Which check.
    pub check: CheckKind,
    /// How many points it would have visited.
    pub points: u128,
}

/// The kinds of check, for [`Unchecked`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// A floor-setting rule's own space (liveness and monotonicity).
    Rule,
    /// The own space of a rule that sets no floor (liveness and shadowing only).
    Liveness,
    /// The joint space for a rule's compensation in one answer.
    Compensation,
    /// A shadowing pair.
    Shadowing,
    /// A safety answer's guaranteed floor (the single-rule lower bound was used instead).
    SafetyFloor,
}

impl CheckKind {
    /// Whether skipping this check leaves the safety proof incomplete.
    pub fn blocks_proof(self) -> bool {
        matches!(self, CheckKind::Rule | CheckKind::Compensation)
    }
}

/// The size of what was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpaceFigures {
    /// How many distinct answers the rules read.
    pub answers: usize,
    /// The sum over rules of each rule's own space (its answers at its cut points).
    pub per_rule_points: u128,
    /// Every point evaluated, over all checks.
    pub points_evaluated: u128,
    /// The joint space the per-rule checks stand for: every answer the rules read, at every
    /// rule's cut points, all at once (saturating).
    pub joint_cut_points: u128,
    /// The same joint space with every value of every answer (saturating).
    pub joint_values: u128,
}

impl Analysis {
    /// Whether the analysis proves the pack safe: no monotonicity violation, no safety gap, no
    /// safety floor that drops, no direction-less score under a floor, and no blocking check
    /// left unrun. Dead and shadowed rules are findings, not failures.
    pub fn is_proved_safe(&self) -> bool {
        self.problems() == 0
    }

    /// How many problems stand in the way of [`Analysis::is_proved_safe`].
    pub fn problems(&self) -> usize {
        self.violations.len()
            + self.gaps.len()
            + self.safety_floor_violations.len()
            + self.mixed_scores.len()
            + self
                .unchecked
                .iter()
                .filter(|u| u.check.blocks_proof())
                .count()
    }
}

/// Analyses a pack: baseline, monotonicity, dead and shadowed rules, safety coverage. See the
/// [module documentation](self) for the method and why it is sound. Deterministic; reads no
/// clock (time it in the caller). [`RulePack::analyze`] runs it once per pack and keeps the
/// result.
///
/// # Examples
///
/// ```
/// use carelevel::RulePack;
/// // The built-in rules plus a broken one: a new pack, with its own id.
/// let pack_toml = carelevel::BUILTIN_SOURCES[0]
///     .1
///     .replace(r#"id = "carelevel.builtin""#, r#"id = "example.broken""#);
/// let mut sources = carelevel::BUILTIN_SOURCES.to_vec();
/// sources[0] = ("pack.toml", &pack_toml);
/// sources.push(("broken.toml", r#"
/// [[rule]]
/// id = "local.low_risk_only"
/// criterion = "safety"
/// when = { answer = "safety.suicide_risk", at_most = "wish_to_be_dead" }
/// floor = "php"
/// reason = "A deliberately broken rule: it stops firing as risk rises."
/// source = "product default: test"
/// "#));
/// let pack = RulePack::from_sources(&sources)?;
/// let analysis = carelevel::analysis::analyze(&pack);
/// assert!(!analysis.is_proved_safe());
/// let v = &analysis.violations[0];
/// assert_eq!((v.rule.as_str(), v.from.as_str(), v.to.as_str()),
///            ("local.low_risk_only", "wish_to_be_dead", "nonspecific_active_thoughts"));
/// # Ok::<(), carelevel::PackError>(())
/// ```
pub fn analyze(pack: &RulePack) -> Analysis {
    let mut ctx = Ctx::new(pack);
    ctx.per_rule();
    ctx.monotonicity();
    ctx.shadowing();
    ctx.safety();
    ctx.figures();
    ctx.out
}

/// An answer as the analysis sees it.
struct Answer {
    name: String,
    kind: AnswerKind,
    worse: Worse,
    optional: bool,
    /// A score whose ratings disagree on direction.
    mixed: bool,
}

/// A condition compiled against the analysis's answer table.
enum Node {
    Bool(usize, bool),
    Range(usize, u32, u32),
    Mask(usize, u64),
    Answered(usize, bool),
    All(Vec<Node>),
    Any(Vec<Node>),
    AnyGiven(Vec<Node>),
    Not(Box<Node>),
    AtLeast(u32, Vec<Node>),
}

/// One rule, prepared.
struct Prep<'p> {
    rule: &'p Rule,
    node: Node,
    /// Answer-table indices it reads, ascending.
    reads: Vec<usize>,
    /// Number constants per answer.
    consts: BTreeMap<usize, BTreeSet<u32>>,
    checked: bool,
    live: bool,
}

impl Prep<'_> {
    fn raises(&self) -> Option<Level> {
        self.rule.floor.filter(|f| *f > Level::Outpatient)
    }
}

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

/// A space to enumerate: answer slots with their values.
struct Space {
    slots: Vec<usize>,
    domains: Vec<Vec<Option<Value>>>,
}

impl Space {
    fn size(&self) -> u128 {
        self.domains
            .iter()
            .fold(1u128, |n, d| n.saturating_mul(d.len() as u128))
    }
}

struct Ctx<'p> {
    pack: &'p RulePack,
    answers: Vec<Answer>,
    index: HashMap<AnswerRef, usize>,
    rules: Vec<Prep<'p>>,
    out: Analysis,
}

fn tri(b: bool) -> Tri {
    if b { Tri::True } else { Tri::False }
}

/// The engine's three-valued semantics (`engine::eval`), over an assignment.
fn eval(n: &Node, env: &[Option<Value>]) -> Tri {
    let get = |i: &usize| env.get(*i).copied().flatten();
    match n {
        Node::Bool(i, want) => match get(i) {
            Some(Value::Bool(b)) => tri(b == *want),
            _ => Tri::Unknown,
        },
        Node::Range(i, lo, hi) => match get(i) {
            Some(Value::Num(v)) => tri(*lo <= v && v <= *hi),
            Some(Value::Choice(r)) => tri(*lo <= u32::from(r) && u32::from(r) <= *hi),
            _ => Tri::Unknown,
        },
        Node::Mask(i, mask) => match get(i) {
            Some(Value::Choice(r)) => {
                tri(mask.checked_shr(u32::from(r)).is_some_and(|m| m & 1 == 1))
            }
            _ => Tri::Unknown,
        },
        Node::Answered(i, want) => tri(get(i).is_some() == *want),
        Node::All(list) => {
            let mut unknown = false;
            for c in list {
                match eval(c, env) {
                    Tri::False => return Tri::False,
                    Tri::Unknown => unknown = true,
                    Tri::True => {}
                }
            }
            if unknown { Tri::Unknown } else { Tri::True }
        }
        Node::Any(list) => {
            let mut unknown = false;
            for c in list {
                match eval(c, env) {
                    Tri::True => return Tri::True,
                    Tri::Unknown => unknown = true,
                    Tri::False => {}
                }
            }
            if unknown { Tri::Unknown } else { Tri::False }
        }
        Node::AnyGiven(list) => {
            let mut known = false;
            for c in list {
                match eval(c, env) {
                    Tri::True => return Tri::True,
                    Tri::False => known = true,
                    Tri::Unknown => {}
                }
            }
            if known { Tri::False } else { Tri::Unknown }
        }
        Node::Not(c) => match eval(c, env) {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        },
        Node::AtLeast(n, list) => {
            let (mut yes, mut unknown) = (0u32, 0u32);
            for c in list {
                match eval(c, env) {
                    Tri::True => yes = yes.saturating_add(1),
                    Tri::Unknown => unknown = unknown.saturating_add(1),
                    Tri::False => {}
                }
            }
            if yes >= *n {
                Tri::True
            } else if yes.saturating_add(unknown) >= *n {
                Tri::Unknown
            } else {
                Tri::False
            }
        }
    }
}

fn fires(n: &Node, env: &[Option<Value>]) -> bool {
    eval(n, env) == Tri::True
}

/// Visits every point of `space`, writing each into `env`; `f` returns false to stop.
/// Returns whether it ran to the end, and how many points it visited.
fn enumerate(
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
fn collect_refs(c: &Cond, out: &mut Vec<AnswerRef>) {
    match c {
        Cond::Bool(a, _) | Cond::Range(a, _, _) | Cond::Mask(a, _) | Cond::Answered(a, _) => {
            if !out.contains(a) {
                out.push(*a);
            }
        }
        Cond::All(l) | Cond::Any(l) | Cond::AnyGiven(l) | Cond::AtLeast(_, l) => {
            for c in l.iter() {
                collect_refs(c, out);
            }
        }
        Cond::Not(c) => collect_refs(c, out),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Floor(Level),
    Urgent,
    Service(Service),
    Referral(Referral),
    Schedule(ScheduleChange),
}

impl Effect {
    fn of(rule: &Rule) -> Vec<Effect> {
        let mut out: Vec<Effect> = rule.floor.map(Effect::Floor).into_iter().collect();
        if rule.urgent {
            out.push(Effect::Urgent);
        }
        out.extend(rule.services().map(Effect::Service));
        out.extend(rule.referrals().map(Effect::Referral));
        out.extend(rule.schedule.map(Effect::Schedule));
        out
    }

    fn produced_by(self, rule: &Rule) -> bool {
        match self {
            Effect::Floor(f) => rule.floor.is_some_and(|g| g >= f),
            Effect::Urgent => rule.urgent,
            Effect::Service(s) => rule.services.contains_bit(s.bit()),
            Effect::Referral(r) => rule.referrals.contains_bit(r.bit()),
            Effect::Schedule(s) => rule.schedule == Some(s),
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
        }
    }
}

impl<'p> Ctx<'p> {
    fn new(pack: &'p RulePack) -> Ctx<'p> {
        let mut ctx = Ctx {
            pack,
            answers: Vec::new(),
            index: HashMap::new(),
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
            let mut consts = BTreeMap::new();
            let node = ctx.compile(&rule.cond, &mut consts);
            let mut refs = Vec::new();
            collect_refs(&rule.cond, &mut refs);
            let mut reads: Vec<usize> = refs.iter().map(|a| ctx.answer_index(*a)).collect();
            reads.sort_unstable();
            reads.dedup();
            ctx.rules.push(Prep {
                rule,
                node,
                reads,
                consts,
                checked: true,
                live: true,
            });
        }
        ctx
    }

    /// The table index of an answer, adding it on first sight.
    fn answer_index(&mut self, a: AnswerRef) -> usize {
        if let Some(i) = self.index.get(&a) {
            return *i;
        }
        let pack = self.pack;
        let (worse, optional, mixed) = match a {
            AnswerRef::Field(f) => {
                let info = f.info();
                // An answer the empty intake already gives is computed from defaults, so it
                // is never absent.
                let always = info.required || f.read(&Intake::default()).is_some();
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
        let i = self.answers.len();
        self.answers.push(Answer {
            name: pack.answer_name(a),
            kind: pack.answer_kind(a),
            worse,
            optional,
            mixed,
        });
        self.index.insert(a, i);
        i
    }

    fn compile(&self, c: &Cond, consts: &mut BTreeMap<usize, BTreeSet<u32>>) -> Node {
        let at = |a: &AnswerRef| self.index.get(a).copied().unwrap_or(usize::MAX);
        let list = |l: &[Cond], consts: &mut BTreeMap<usize, BTreeSet<u32>>| {
            l.iter().map(|c| self.compile(c, consts)).collect()
        };
        match c {
            Cond::Bool(a, b) => Node::Bool(at(a), *b),
            Cond::Range(a, lo, hi) => {
                let i = at(a);
                let set = consts.entry(i).or_default();
                set.insert(*lo);
                set.insert(*hi);
                Node::Range(i, *lo, *hi)
            }
            Cond::Mask(a, m) => Node::Mask(at(a), *m),
            Cond::Answered(a, b) => Node::Answered(at(a), *b),
            Cond::All(l) => Node::All(list(l, consts)),
            Cond::Any(l) => Node::Any(list(l, consts)),
            Cond::AnyGiven(l) => Node::AnyGiven(list(l, consts)),
            Cond::Not(c) => Node::Not(Box::new(self.compile(c, consts))),
            Cond::AtLeast(n, l) => Node::AtLeast(*n, list(l, consts)),
        }
    }

    /// The given values of an answer at the cut points of `consts`, least to most severe
    /// (ascending for unordered answers).
    fn values(&self, a: usize, consts: &BTreeSet<u32>) -> Vec<Value> {
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
    fn consts_of(&self, rules: &[usize], a: usize) -> BTreeSet<u32> {
        rules
            .iter()
            .filter_map(|r| self.rules.get(*r))
            .filter_map(|p| p.consts.get(&a))
            .flat_map(|s| s.iter().copied())
            .collect()
    }

    /// The joint space of the given rules' answers, leaving out `except`.
    fn space(&self, rules: &[usize], except: Option<usize>) -> Space {
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
            if self.answers.get(a).is_some_and(|x| x.optional) {
                dom.push(None);
            }
            space.slots.push(a);
            space.domains.push(dom);
        }
        space
    }

    fn env(&self) -> Vec<Option<Value>> {
        vec![None; self.answers.len()]
    }

    fn id(&self, r: usize) -> String {
        self.rules
            .get(r)
            .map_or_else(String::new, |p| p.rule.id.clone())
    }

    fn node(&self, r: usize) -> Option<&Node> {
        self.rules.get(r).map(|p| &p.node)
    }

    fn show(&self, a: usize, v: Option<Value>) -> String {
        match (v, self.answers.get(a).map(|x| x.kind)) {
            (None, _) => "absent".into(),
            (Some(Value::Bool(b)), _) => b.to_string(),
            (Some(Value::Num(n)), _) => n.to_string(),
            (Some(Value::Choice(r)), Some(AnswerKind::Choice(names))) => names
                .get(usize::from(r))
                .map_or_else(|| r.to_string(), |s| (*s).to_owned()),
            (Some(Value::Choice(r)), _) => r.to_string(),
        }
    }

    fn name(&self, a: usize) -> String {
        self.answers
            .get(a)
            .map_or_else(String::new, |x| x.name.clone())
    }

    fn unchecked(&mut self, item: String, check: CheckKind, points: u128) {
        self.out.unchecked.push(Unchecked {
            item,
            check,
            points,
        });
    }

    /// Each rule's own space: liveness and the baseline.
    fn per_rule(&mut self) {
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
            let Some(node) = self.node(r) else { continue };
            let (mut live, mut always) = (false, true);
            let (_, points) = enumerate(&space, &mut env, |env| {
                let t = fires(node, env);
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

    /// (b): every floor-setting rule in every ordered answer it reads.
    fn monotonicity(&mut self) {
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
        let Some(node) = self.node(r) else {
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
                let now = fires(node, env);
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

    fn add_points(&mut self, n: u128) {
        self.out.space.points_evaluated = self.out.space.points_evaluated.saturating_add(n);
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
        let (nr, ns) = (self.node(r)?, self.node(s)?);
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
                let now = fires(nr, env);
                if let Some(w) = before.filter(|_| !now) {
                    let key = keys.key(env, w, *v);
                    if drops.contains(&key) {
                        if !fires(ns, env) {
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
        let Some(node) = self.node(r) else { return };
        let cands: Vec<(usize, &Node)> = candidates
            .iter()
            .filter_map(|s| Some((*s, self.node(*s)?)))
            .collect();
        let mut found: Vec<(usize, usize, Witness)> = Vec::new();
        let (_, points) = enumerate(&ctx, env, |env| {
            let mut before = false;
            let mut prev: Option<usize> = None;
            for (k, v) in vals.iter().enumerate() {
                if let Some(e) = env.get_mut(a) {
                    *e = Some(*v);
                }
                let now = fires(node, env);
                if before && !now {
                    match cands.iter().find(|(_, n)| fires(n, env)) {
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
        let (nr, ns) = (self.node(r)?, self.node(s)?);
        let (done, points) = enumerate(&space, env, |env| !fires(nr, env) || fires(ns, env));
        self.add_points(points);
        Some(done)
    }

    /// A quick search for a counterexample to "`s` fires whenever `r` does": `r`'s own
    /// space, with the answers only `s` reads set to their first, middle or last value. Every
    /// point tried is a point of the joint space, so a counterexample found is real.
    fn refuted(&mut self, r: usize, s: usize, env: &mut [Option<Value>]) -> bool {
        let (Some(nr), Some(ns)) = (self.node(r), self.node(s)) else {
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
            if !fires(nr, env) {
                return true;
            }
            for pick in picks {
                probe(env, pick);
                if !fires(ns, env) {
                    return false;
                }
            }
            true
        });
        self.add_points(points);
        !done
    }

    /// (c): shadowed rules, pair by pair.
    fn shadowing(&mut self) {
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

    /// (d): coverage and the guaranteed floor of every safety answer.
    fn safety(&mut self) {
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
            let nodes: Vec<(Level, &Node)> = raisers
                .iter()
                .filter_map(|r| {
                    let p = self.rules.get(*r)?;
                    Some((p.raises()?, &p.node))
                })
                .collect();
            let (_, points) = enumerate(&ctx, env, |env| {
                for (gk, v) in g.iter_mut().zip(&vals) {
                    if let Some(e) = env.get_mut(a) {
                        *e = Some(*v);
                    }
                    let top = nodes
                        .iter()
                        .filter(|(_, n)| fires(n, env))
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
        let Some(node) = self.node(r) else {
            return (false, false);
        };
        let ctx = self.space(&[r], Some(a));
        let (mut can, mut always) = (false, true);
        if let Some(e) = env.get_mut(a) {
            *e = Some(v);
        }
        let (_, points) = enumerate(&ctx, env, |env| {
            let t = fires(node, env);
            can |= t;
            always &= t;
            true
        });
        self.add_points(points);
        (can, always)
    }

    /// The joint-space figures.
    fn figures(&mut self) {
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
            let extra = u128::from(ans.optional);
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

/// A count for people: digits grouped below a million, scientific notation above.
fn big(n: u128) -> String {
    if n < 1_000_000 {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        #[allow(clippy::cast_precision_loss)] // an approximate figure for display
        let f = n as f64;
        format!("{f:.2e}")
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

impl fmt::Display for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.space;
        writeln!(
            f,
            "Pack {}: {} rules, {} setting a floor above outpatient.",
            self.pack, self.rules, self.floor_rules
        )?;
        writeln!(
            f,
            "Space: {} answers read by rules; {} points over the rules' own spaces, {} points evaluated in all;",
            s.answers,
            big(s.per_rule_points),
            big(s.points_evaluated)
        )?;
        writeln!(
            f,
            "       they stand for a joint space of {} cut points, {} combinations of values.",
            big(s.joint_cut_points),
            big(s.joint_values)
        )?;
        writeln!(
            f,
            "(a) Every intake gets a level (outpatient unless a floor fires). Baseline rules that always fire: {}.",
            list(&self.baseline_rules)
        )?;
        writeln!(
            f,
            "(b) Monotonicity: {} violation(s).",
            self.violations.len()
        )?;
        for v in &self.violations {
            let ctx: Vec<String> = v.context.iter().map(|(a, x)| format!("{a}={x}")).collect();
            writeln!(
                f,
                "    VIOLATION {} (floor {}) in {}: fires at {}, nothing as high at {} [{}]",
                v.rule,
                v.floor,
                v.answer,
                v.from,
                v.to,
                ctx.join(", ")
            )?;
        }
        for c in &self.compensated {
            writeln!(
                f,
                "    {} is not monotone alone in {}; covered by {}",
                c.rule,
                c.answer,
                list(&c.by)
            )?;
        }
        if !self.mixed_scores.is_empty() {
            writeln!(
                f,
                "    scores with no direction (mixed ratings) under a floor: {}",
                list(&self.mixed_scores)
            )?;
        }
        writeln!(f, "(c) Dead rules: {}.", list(&self.dead))?;
        writeln!(f, "    Shadowed rules: {}.", self.shadowed.len())?;
        for sh in &self.shadowed {
            let by: Vec<String> = sh.by.iter().map(|(e, r)| format!("{e} by {r}")).collect();
            writeln!(f, "    {}: {}", sh.rule, by.join("; "))?;
        }
        writeln!(
            f,
            "(d) Floors combine by maximum, so no rule can lower another's floor (structural)."
        )?;
        for a in &self.safety {
            let vals: Vec<String> = a
                .values
                .iter()
                .map(|v| format!("{}→{}", v.value, v.guaranteed_floor))
                .collect();
            writeln!(
                f,
                "    {}{}: {}",
                a.answer,
                if a.exact { "" } else { " (lower bound)" },
                vals.join(", ")
            )?;
        }
        writeln!(f, "    Gaps: {}.", self.gaps.len())?;
        for g in &self.gaps {
            let what = match g.kind {
                GapKind::NoFloorAtWorst => {
                    "no rule sets a floor above outpatient at the worst value"
                }
                GapKind::NoRuleAtValue => "no rule reads this value",
            };
            writeln!(f, "    GAP {}={}: {what}", g.answer, g.value)?;
        }
        writeln!(
            f,
            "    Safety floors that drop: {}.",
            self.safety_floor_violations.len()
        )?;
        for v in &self.safety_floor_violations {
            writeln!(
                f,
                "    DROP {}: {}→{} but {}→{}",
                v.answer, v.from, v.from_floor, v.to, v.to_floor
            )?;
        }
        for u in &self.unchecked {
            writeln!(
                f,
                "    UNCHECKED {:?} {} ({} points > budget {})",
                u.check,
                u.item,
                big(u.points),
                big(BUDGET)
            )?;
        }
        if self.is_proved_safe() {
            writeln!(f, "PROVED: monotone, every safety answer covered.")
        } else {
            writeln!(f, "NOT PROVED: {} problem(s).", self.problems())
        }
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
    //! The analysis's evaluator must agree with the engine's on every rule.

    use super::*;
    use crate::engine::{Env, NoTrace};
    use crate::intake::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
            xs[self.below(xs.len() as u64) as usize]
        }
        fn opt<T>(&mut self, v: T) -> Option<T> {
            (self.below(4) != 0).then_some(v)
        }
        fn opt_pick<T: Copy>(&mut self, xs: &[T]) -> Option<T> {
            let v = self.pick(xs);
            self.opt(v)
        }
        fn num(&mut self, max: u32) -> Option<u32> {
            let v = self.below(u64::from(max) + 1) as u32;
            self.opt(v)
        }
        fn bool(&mut self) -> Option<bool> {
            let b = self.below(2) == 1;
            self.opt(b)
        }
    }

    fn intake(g: &mut Rng) -> Intake {
        use SuicideRisk as S;
        let mut i = Intake {
            age: g.num(120),
            ..Default::default()
        };
        i.safety.suicide_risk = Some(g.pick(&[
            S::None,
            S::WishToBeDead,
            S::NonspecificActiveThoughts,
            S::MethodWithoutIntent,
            S::IntentWithoutPlan,
            S::PlanWithIntent,
            S::RecentBehavior,
        ]));
        i.safety.harm_to_others = Some(g.pick(&[
            HarmToOthers::None,
            HarmToOthers::Ideation,
            HarmToOthers::PlanOrIntent,
        ]));
        i.safety.psychosis_or_unable_to_self_care = g.bool();
        i.withdrawal.ciwa_ar = g.num(67);
        i.withdrawal.cows = g.num(48);
        i.withdrawal.seizure_or_dt_history = g.bool();
        i.medical.status = g.opt_pick(&[
            MedicalStatus::Stable,
            MedicalStatus::DailyMonitoring,
            MedicalStatus::RoundTheClockCare,
        ]);
        let n = g.below(3);
        let list = (0..n)
            .map(|_| SubstanceUse {
                substance: Substance::Alcohol,
                dsm5_criteria: g.below(12) as u32,
            })
            .collect();
        i.severity.substance_use = g.opt(list);
        i.severity.phq9 = g.num(27);
        i.severity.gad7 = g.num(21);
        i.severity.clinician_rating = g.opt_pick(&[
            ClinicianRating::None,
            ClinicianRating::Mild,
            ClinicianRating::Moderate,
            ClinicianRating::Severe,
        ]);
        i.severity.impairs_daily_activities = g.bool();
        i.self_management = g.opt_pick(&[
            SelfManagement::Independent,
            SelfManagement::WithDailyStructure,
            SelfManagement::OnlyIn24HourSetting,
        ]);
        i.history.current_setting = g.opt_pick(&[
            Setting::None,
            Setting::Outpatient,
            Setting::Iop,
            Setting::Php,
            Setting::Inpatient,
            Setting::InpatientWithdrawalManagement,
        ]);
        i.history.progress = g.opt_pick(&[
            Progress::GoalsMet,
            Progress::Progressing,
            Progress::NotEnough,
        ]);
        let n = g.below(3);
        i.history.earlier_levels_not_held = (0..n).map(|_| g.pick(&Level::ALL)).collect();
        i.home.substance_free = g.bool();
        i.home.supportive = g.bool();
        i.home.safe = g.bool();
        i.home.stable_housing = g.bool();
        i.home.substance_free_housing_arranged = g.below(2) == 1;
        i.engagement.stage_of_change = g.opt_pick(&[
            StageOfChange::Precontemplation,
            StageOfChange::Contemplation,
            StageOfChange::Preparation,
            StageOfChange::Action,
            StageOfChange::Maintenance,
        ]);
        i.engagement.can_attend_several_days = g.bool();
        if g.below(2) == 1 {
            i.engagement.commitments.push(Commitment::Work);
        }
        if g.below(3) == 1 {
            i.engagement.commitments.push(Commitment::Caregiving);
        }
        i.engagement.needs_transportation = g.bool();
        i.engagement.needs_childcare = g.bool();
        i
    }

    #[test]
    fn evaluator_agrees_with_the_engine() {
        let pack = RulePack::try_builtin().unwrap();
        let ctx = Ctx::new(&pack);
        let mut g = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let intake = intake(&mut g);
            let env = Env {
                intake: &intake,
                pack: &pack,
                patch: None,
            };
            let mut point = vec![None; ctx.answers.len()];
            for (a, i) in &ctx.index {
                point[*i] = env.get(*a);
            }
            for p in &ctx.rules {
                let engine = crate::engine::eval(&p.rule.cond, &env, &mut NoTrace);
                assert_eq!(eval(&p.node, &point), engine, "rule {}", p.rule.id);
            }
        }
    }

    #[test]
    fn never_absent_answers_are_not_optional() {
        let pack = RulePack::try_builtin().unwrap();
        let mut ctx = Ctx::new(&pack);
        for (name, optional) in [
            ("age", false),
            ("withdrawal.ciwa_ar", true),
            ("home.substance_free_housing_arranged", false),
            ("history.highest_level_not_held", false),
            ("history.progress", true),
        ] {
            let f = Field::from_name(name).unwrap();
            let i = ctx.answer_index(AnswerRef::Field(f));
            assert_eq!(ctx.answers[i].optional, optional, "{name}");
        }
    }
}
