//! Proving a rule pack safe: a static analysis of every rule of any [`RulePack`], without
//! enumerating intakes.
//!
//! [`analyze`] answers four questions about a pack — built-in or custom, including the ratings
//! and scores a pack declares — and [`Analysis`] holds the answers (its `Display` is a readable
//! report; `carelevel analyze`, the command of the `carelevel-cli` package, prints it for the
//! built-in pack or for rule files given with `--pack`).
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
//!   "absent", and so does a required one that can be declined; answers the intake always
//!   supplies (required ones that cannot be declined, and those computed from defaults such
//!   as `home.substance_free_housing_arranged`) do not. The withdrawal scales also take "not
//!   applicable" (a person who uses no substance they measure), which, like "absent", is
//!   outside their order: no step of a scale leads to or from it.
//! - **Over-approximation.** Answers are treated as independent even where the intake ties
//!   them (`adolescent` and `age`, a score and its ratings, `history.progress` being required
//!   once a setting is given). The spaces checked therefore contain every real combination
//!   and some impossible ones: a property that holds on them holds for every intake, and an
//!   impossible combination can only raise a false alarm, never hide a problem. One state is
//!   not modelled: an instrument given in part (items, no total) is taken as absent, where the
//!   engine leaves an `any_given` over it unknown rather than decided by the alternatives; the
//!   engine is then the more cautious of the two.
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
//! Aggregate answers are monotone in what they summarise (`substance_use.severity` and
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
//! **(e) Safety guarantees.** (d) only asks whether *some* rule can set a floor at a value. For
//! each high-risk value of carelevel's own table, [`HIGH_RISK`] (fixed by carelevel, so a pack
//! cannot opt out), the analysis computes the floor it guarantees in *every* complete context:
//! the least, over the joint space of the floor-setting rules that read the answer, of the
//! highest floor that fires (a lower bound of the level of every complete intake with that
//! value; see the `guarantee` module for what a complete context is). A [`Guarantee`] whose
//! floor is outpatient fails the proof, with a counter-example, unless the pack declares a
//! cited `[[guarantee_exemption]]`: with `given`, the guarantee is checked where `given` holds;
//! without, it is reported as not checked.
//!
//! **Budget.** Every enumeration is capped at [`BUDGET`] points. A check that would exceed it
//! is not run and is listed in [`Analysis::unchecked`]. A floor-setting rule or a compensation
//! left unchecked means the pack is not proved ([`Analysis::is_proved_safe`] is false); a
//! guaranteed safety floor beyond the budget falls back to a single-rule lower bound
//! ([`SafetyAnswer::exact`] is false), which can only raise false alarms; any other unchecked
//! check only means fewer dead or shadowed rules found.
//!
//! **One evaluator.** Whether a rule fires at a point is decided by the engine's own
//! evaluator (`pack::cond::eval`, the code every assessment runs), reading the point's values
//! where an assessment reads the intake's: the analysis has no condition semantics of its own,
//! so what it proves holds of the conditions as the engine evaluates them.
//!
//! **What this does not prove**: that the thresholds are clinically right, or that that
//! evaluator implements the condition semantics as documented (the crate's tests check it
//! against an independent reference evaluator, `tests/reference.rs`).
//!
//! [`Worse`]: crate::Worse

mod display;
mod guarantee;
mod monotone;
mod safety;
mod shadow;
mod space;

pub(crate) use guarantee::high_risk_entry;
pub use guarantee::{HIGH_RISK, HighRisk, HighRiskValue};

use crate::Level;
use crate::pack::RulePack;
use space::Ctx;

/// The most points (answer combinations) one enumeration may visit. Checks beyond it are
/// skipped and listed in [`Analysis::unchecked`].
pub const BUDGET: u128 = 1 << 22;

/// What [`analyze`] found. Every list is in pack order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
    /// The floor each high-risk value of [`HIGH_RISK`] guarantees in every context, in table
    /// order. One that guarantees only outpatient (and is not exempt) fails the proof.
    pub guarantees: Vec<Guarantee>,
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Shadowed {
    /// The rule.
    pub rule: String,
    /// Each effect (`floor php`, `urgent`, `service crisis_line`, `referral sober_living`,
    /// `schedule intensive`) with the rule that always also produces it.
    pub by: Vec<(String, String)>,
}

/// One safety answer, value by value (least to most severe).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub enum GapKind {
    /// The worst value: no rule with a floor above outpatient can fire on it.
    NoFloorAtWorst,
    /// A value worse than the best: no rule reading the answer can fire on it.
    NoRuleAtValue,
}

/// The floor one high-risk value guarantees in every complete context (see [`HIGH_RISK`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Guarantee {
    /// The answer.
    pub answer: String,
    /// The high-risk value (`true`, a choice, or `>=19` for a number's range).
    pub value: String,
    /// The least level over every complete intake with this value (where the exemption's
    /// `given` holds, if it has one): a lower bound, exact over the rules that read the answer
    /// when [`Guarantee::exact`].
    pub floor: Level,
    /// Whether the guarantee holds: a floor above outpatient, or an exemption without `given`.
    pub holds: bool,
    /// The rules that set at least [`Guarantee::floor`] somewhere in those contexts (empty when
    /// the floor is outpatient).
    pub rules: Vec<String>,
    /// When the floor is outpatient: a context (the other answers, as `(answer, value)`) where
    /// no rule sets more. Empty beyond the budget, or when no context satisfies a `given`.
    pub counterexample: Vec<(String, String)>,
    /// The pack's exemption for this value, if it declares one.
    pub exemption: Option<GuaranteeExemption>,
    /// Whether the floor comes from the joint enumeration (else from single rules, beyond
    /// [`BUDGET`]: a lower bound that can only raise false alarms).
    pub exact: bool,
}

/// A pack's cited exemption, as a [`Guarantee`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GuaranteeExemption {
    /// The guarantee is checked where the exemption's `given` holds; false: not checked.
    pub narrowed: bool,
    /// Why.
    pub reason: String,
    /// The source record's id.
    pub source: String,
}

/// A step to a worse safety value that lowers the floor it guarantees.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// A high-risk value's guarantee (the single-rule lower bound was used instead).
    Guarantee,
}

impl CheckKind {
    /// Whether skipping this check leaves the safety proof incomplete.
    pub fn blocks_proof(self) -> bool {
        matches!(self, CheckKind::Rule | CheckKind::Compensation)
    }
}

/// The size of what was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
    /// safety floor that drops, every high-risk value guaranteeing more than outpatient (or
    /// exempt), no direction-less score under a floor, and no blocking check left unrun. Dead
    /// and shadowed rules are findings, not failures.
    pub fn is_proved_safe(&self) -> bool {
        self.problems() == 0
    }

    /// How many problems stand in the way of [`Analysis::is_proved_safe`].
    pub fn problems(&self) -> usize {
        self.violations.len()
            + self.gaps.len()
            + self.safety_floor_violations.len()
            + self.guarantees.iter().filter(|g| !g.holds).count()
            + self.mixed_scores.len()
            + self
                .unchecked
                .iter()
                .filter(|u| u.check.blocks_proof())
                .count()
    }
}

impl RulePack {
    /// The safety analysis of this pack ([`analysis::analyze`](crate::analysis::analyze)):
    /// whether it is proved monotone with every safety answer covered, and what stands in the
    /// way if not. Loading does not run it, because it costs far more than loading (about
    /// 40 ms for the built-in pack in a release build, 260 ms in a debug build, and seconds
    /// for packs of thousands of rules): run it once when a pack is loaded and keep the
    /// verdict.
    ///
    /// # Examples
    ///
    /// Refuse a custom pack the analysis cannot prove, in one line:
    ///
    /// ```
    /// use carelevel::RulePack;
    /// fn load_proved(sources: &[(&str, &str)]) -> Result<RulePack, Box<dyn std::error::Error>> {
    ///     let pack = RulePack::from_sources(sources)?;
    ///     let analysis = pack.analyze();
    ///     if !analysis.is_proved_safe() {
    ///         return Err(format!("pack {} is not proved safe:\n{analysis}", pack.meta().id).into());
    ///     }
    ///     Ok(pack)
    /// }
    /// assert!(load_proved(carelevel::BUILTIN_SOURCES).is_ok());
    /// // Only the built-in identity file, renamed: programmes and the baseline rule, but no rule
    /// // covers a safety answer, so it loads but is refused.
    /// let pack_toml = carelevel::BUILTIN_SOURCES[0]
    ///     .1
    ///     .replace(r#"id = "carelevel.builtin""#, r#"id = "example.local""#);
    /// let sources = [("pack.toml", pack_toml.as_str())];
    /// assert!(RulePack::from_sources(&sources).is_ok());
    /// let err = load_proved(&sources).unwrap_err().to_string();
    /// assert!(err.starts_with("pack example.local is not proved safe:"), "{err}");
    /// ```
    pub fn analyze(&self) -> Analysis {
        analyze(self)
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
/// when = { answer = "safety.suicidal_ideation", at_most = "wish_to_be_dead" }
/// floor = "php"
/// reason = "A deliberately broken rule: it stops firing as risk rises."
/// cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]
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
    ctx.guarantees();
    ctx.figures();
    ctx.out
}
