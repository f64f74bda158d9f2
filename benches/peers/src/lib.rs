//! The 27-row peer table (`shared/bench/peer-table/`) run four ways on identical inputs:
//! carelevel (the table as a rule pack, `peer_table.toml`), zen-engine (the JDM graph),
//! datalogic-rs (the JSONLogic rule) and a hand-written `if`/`else`.
//!
//! Each engine gets its input pre-built in its own native form (a typed [`Intake`], a zen
//! [`Variable`], a datalogic [`OwnedDataValue`], a typed [`PeerInput`]), so the timed loop
//! measures evaluation, not input conversion. Every evaluator returns the same shape,
//! [`Outcome`]: the level and the id of the deciding row.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // bench code may fail loudly

use carelevel::intake::{History, Progress, SelfManagement, Setting};
use carelevel::{Intake, Level, RulePack};
use datalogic_rs::datavalue::OwnedDataValue;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
pub use zen_engine::Variable;

/// The peer table as a carelevel rule pack.
pub const PACK_TOML: &str = include_str!("../peer_table.toml");
/// The JDM graph for zen-engine (a byte-for-byte copy of `shared/bench/peer-table/`'s).
pub const JDM_GRAPH: &str = include_str!("../peer-table/jdm_graph.json");
/// The JSONLogic rule for datalogic-rs (a byte-for-byte copy of `shared/bench/peer-table/`'s).
pub const JSONLOGIC_RULE: &str = include_str!("../peer-table/jsonlogic_rule.json");

/// How many generated inputs the comparison cycles through.
pub const INPUTS: usize = 10_000;

/// The six rating names, in the peer README's field order.
pub const RATINGS: [&str; 6] = [
    "withdrawal",
    "biomedical",
    "emotional",
    "readiness",
    "relapse",
    "environment",
];

/// The current setting, in the peer README's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerSetting {
    /// Not in treatment.
    None,
    /// Outpatient.
    Outpatient,
    /// Intensive outpatient.
    Iop,
    /// Partial hospitalisation.
    Php,
    /// Residential.
    Residential,
}

impl PeerSetting {
    const ALL: [PeerSetting; 5] = [
        PeerSetting::None,
        PeerSetting::Outpatient,
        PeerSetting::Iop,
        PeerSetting::Php,
        PeerSetting::Residential,
    ];

    /// The name used in the JSON input.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerSetting::None => "none",
            PeerSetting::Outpatient => "outpatient",
            PeerSetting::Iop => "iop",
            PeerSetting::Php => "php",
            PeerSetting::Residential => "residential",
        }
    }
}

/// One peer-table input, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerInput {
    /// withdrawal, biomedical, emotional, readiness, relapse, environment (0-4 each).
    pub ratings: [u32; 6],
    /// The current setting.
    pub setting: PeerSetting,
    /// Whether the person can self-manage in the evenings.
    pub self_manage: bool,
}

/// SplitMix64, exactly as the peer README specifies.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The peer README's inputs: seed `0x5EED20260001`; per input, each rating in field order
/// (`next() % 100` banded 0-29, 30-59, 60-84, 85-94, 95-99 to 0..=4), then the setting
/// (`next() % 5`), then the boolean (`next() % 2 == 1`).
pub fn inputs(n: usize) -> Vec<PeerInput> {
    let mut rng = SplitMix64(0x5EED_2026_0001);
    (0..n)
        .map(|_| {
            let mut ratings = [0u32; 6];
            for r in &mut ratings {
                *r = match rng.next() % 100 {
                    0..=29 => 0,
                    30..=59 => 1,
                    60..=84 => 2,
                    85..=94 => 3,
                    _ => 4,
                };
            }
            let setting = PeerSetting::ALL[(rng.next() % 5) as usize];
            let self_manage = rng.next() % 2 == 1;
            PeerInput {
                ratings,
                setting,
                self_manage,
            }
        })
        .collect()
}

/// What every evaluator returns: the level and the deciding row's id (`R01`..`R27`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The level.
    pub level: Level,
    /// The row number, 1-27.
    pub row: u8,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} R{:02}", self.level, self.row)
    }
}

/// Parses `R01`..`R27` (or carelevel's `r01`..`r27`).
pub fn row_of(id: &str) -> u8 {
    let digits = id
        .strip_prefix('R')
        .or_else(|| id.strip_prefix('r'))
        .unwrap_or_else(|| panic!("not a row id: {id}"));
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not a row id: {id}"))
}

/// Parses a level name.
pub fn level_of(name: &str) -> Level {
    name.parse()
        .unwrap_or_else(|_| panic!("not a level: {name}"))
}

/// The table written by hand as an `if`/`else` chain over the typed input, first hit wins.
#[inline]
pub fn hand_written(i: &PeerInput) -> Outcome {
    use Level::{Inpatient, Iop, Outpatient, Php};
    use PeerSetting as S;
    let [w, b, e, r, rp, env] = i.ratings;
    let max = w.max(b).max(e).max(r).max(rp).max(env);
    let s = i.setting;
    let sm = i.self_manage;
    let (level, row) = if w == 4 {
        (Inpatient, 1)
    } else if b == 4 {
        (Inpatient, 2)
    } else if e == 4 {
        (Inpatient, 3)
    } else if r == 4 {
        (Inpatient, 4)
    } else if rp == 4 {
        (Inpatient, 5)
    } else if env == 4 {
        (Inpatient, 6)
    } else if w >= 3 {
        (Inpatient, 7)
    } else if b >= 3 {
        (Inpatient, 8)
    } else if e == 3 && env >= 3 {
        (Inpatient, 9)
    } else if e == 3 && b >= 2 {
        (Inpatient, 10)
    } else if e == 3 {
        (Php, 11)
    } else if r == 3 {
        (Php, 12)
    } else if rp == 3 {
        (Php, 13)
    } else if env == 3 {
        (Php, 14)
    } else if env >= 2 && !sm {
        (Php, 15)
    } else if w == 2 && b == 2 {
        (Php, 16)
    } else if matches!(s, S::Residential | S::Php) && max <= 2 && sm {
        (Iop, 17)
    } else if s == S::Residential && max <= 2 {
        (Php, 18)
    } else if s == S::Php && !sm {
        (Php, 19)
    } else if w == 2 {
        (Iop, 20)
    } else if e == 2 && rp >= 2 {
        (Iop, 21)
    } else if rp >= 2 {
        (Iop, 22)
    } else if r >= 2 {
        (Iop, 23)
    } else if s == S::Iop && e >= 1 {
        (Iop, 24)
    } else if (1..=2).contains(&b) && env >= 1 {
        (Iop, 25)
    } else if s == S::Iop && !sm {
        (Iop, 26)
    } else {
        (Outpatient, 27)
    };
    Outcome { level, row }
}

/// The input as the peer README's JSON.
pub fn to_json(i: &PeerInput) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (name, v) in RATINGS.iter().zip(i.ratings) {
        m.insert((*name).into(), v.into());
    }
    m.insert("current_setting".into(), i.setting.as_str().into());
    m.insert("can_self_manage_evenings".into(), i.self_manage.into());
    serde_json::Value::Object(m)
}

/// The input as a carelevel intake (intake 2) for [`PACK_TOML`]: the six ratings, the
/// setting (residential is `inpatient`), self-management (`independent` or
/// `with_daily_structure`), and the least severe answer to every other required item
/// ([`Intake::minimal_adult`]).
pub fn to_intake(i: &PeerInput) -> Intake {
    let setting = match i.setting {
        PeerSetting::None => Setting::None,
        PeerSetting::Outpatient => Setting::Outpatient,
        PeerSetting::Iop => Setting::Iop,
        PeerSetting::Php => Setting::Php,
        PeerSetting::Residential => Setting::Inpatient,
    };
    Intake {
        age: Some(35),
        self_management: Some(if i.self_manage {
            SelfManagement::Independent
        } else {
            SelfManagement::WithDailyStructure
        }),
        history: History {
            current_setting: Some(setting),
            progress: (setting != Setting::None).then_some(Progress::Progressing),
            ..Default::default()
        },
        ratings: RATINGS
            .iter()
            .zip(i.ratings)
            .map(|(n, v)| ((*n).to_owned(), v))
            .collect::<BTreeMap<_, _>>(),
        ..Intake::minimal_adult()
    }
}

/// The carelevel pack for the table.
pub fn carelevel_pack() -> RulePack {
    RulePack::from_toml("peer_table.toml", PACK_TOML).unwrap()
}

/// carelevel with its full trace: `assess` (check the intake, evaluate every rule, record
/// the answers each fired rule read), then the level and the first binding rule.
#[inline]
pub fn carelevel(pack: &RulePack, intake: &Intake) -> Outcome {
    let rec = pack.assess(intake).unwrap();
    let first = rec.binding_rules().next().unwrap();
    Outcome {
        level: rec.level(),
        row: row_of(first.id()),
    }
}

/// Runs a future that never waits (zen-engine's decision tables do no I/O) to completion on
/// this thread, with no executor overhead.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// zen-engine: the JDM graph, created once and compiled.
pub fn zen_decision() -> zen_engine::Decision {
    let content: zen_engine::model::DecisionContent = serde_json::from_str(JDM_GRAPH).unwrap();
    let engine = zen_engine::DecisionEngine::default();
    let mut decision = engine.create_decision(content.into()).unwrap();
    decision.compile();
    decision
}

/// One zen-engine evaluation, with or without its trace.
#[inline]
pub fn zen(decision: &zen_engine::Decision, input: &Variable, trace: bool) -> Outcome {
    let opts = zen_engine::EvaluationOptions {
        trace,
        max_depth: 5,
    };
    let res = block_on(decision.evaluate_with_opts(input.clone(), opts)).unwrap();
    debug_assert_eq!(res.trace.is_some(), trace);
    let level = res.result.dot("level").unwrap();
    let rule = res.result.dot("rule_id").unwrap();
    Outcome {
        level: level_of(level.as_str().unwrap()),
        row: row_of(rule.as_str().unwrap()),
    }
}

/// datalogic-rs: the engine and the compiled rule.
pub fn datalogic() -> (datalogic_rs::Engine, datalogic_rs::Logic) {
    let engine = datalogic_rs::Engine::new();
    let logic = engine.compile(JSONLOGIC_RULE).unwrap();
    (engine, logic)
}

/// The input as datalogic's owned value.
pub fn to_datalogic(i: &PeerInput) -> OwnedDataValue {
    OwnedDataValue::from_json(&to_json(i).to_string()).unwrap()
}

/// One datalogic-rs evaluation into `arena` (reset by the caller).
#[inline]
pub fn datalogic_eval(
    engine: &datalogic_rs::Engine,
    logic: &datalogic_rs::Logic,
    input: &OwnedDataValue,
    arena: &datalogic_rs::bumpalo::Bump,
) -> Outcome {
    let out = engine.evaluate(logic, input, arena).unwrap();
    let pair = out.as_array().unwrap();
    Outcome {
        level: level_of(pair[0].as_str().unwrap()),
        row: row_of(pair[1].as_str().unwrap()),
    }
}

/// Every engine's input, pre-built once in its native form.
#[derive(Debug)]
pub struct Prepared {
    /// The typed inputs (the hand-written chain reads these).
    pub typed: Vec<PeerInput>,
    /// carelevel intakes.
    pub intakes: Vec<Intake>,
    /// zen-engine variables.
    pub zen: Vec<Variable>,
    /// datalogic-rs values.
    pub datalogic: Vec<OwnedDataValue>,
    /// The hand-written chain's outcome for each input: the expected answer.
    pub expected: Vec<Outcome>,
}

impl Prepared {
    /// Generates [`INPUTS`] inputs and converts each for every engine.
    pub fn new() -> Prepared {
        let typed = inputs(INPUTS);
        Prepared {
            intakes: typed.iter().map(to_intake).collect(),
            zen: typed.iter().map(|i| Variable::from(to_json(i))).collect(),
            datalogic: typed.iter().map(to_datalogic).collect(),
            expected: typed.iter().map(hand_written).collect(),
            typed,
        }
    }
}

impl Default for Prepared {
    fn default() -> Self {
        Prepared::new()
    }
}

/// Runs every engine on every input and panics at the first disagreement with the
/// hand-written chain (level or row). Also checks the peer README's published
/// distribution. Returns the per-level counts (inpatient, php, iop, outpatient).
pub fn prove_identical(p: &Prepared) -> [usize; 4] {
    let pack = carelevel_pack();
    let zen_decision = zen_decision();
    let (dl_engine, dl_logic) = datalogic();
    let mut arena = datalogic_rs::bumpalo::Bump::new();
    let mut per_level = [0usize; 4];
    let mut per_row = [0usize; 28];
    for (i, want) in p.expected.iter().enumerate() {
        let got = [
            ("carelevel", carelevel(&pack, &p.intakes[i])),
            ("zen-engine (trace)", zen(&zen_decision, &p.zen[i], true)),
            (
                "zen-engine (no trace)",
                zen(&zen_decision, &p.zen[i], false),
            ),
            (
                "datalogic-rs",
                datalogic_eval(&dl_engine, &dl_logic, &p.datalogic[i], &arena),
            ),
        ];
        arena.reset();
        for (engine, got) in got {
            assert_eq!(
                got, *want,
                "input #{i} {:?}: {engine} says {got}, hand-written says {want}",
                p.typed[i]
            );
        }
        per_level[match want.level {
            Level::Inpatient => 0,
            Level::Php => 1,
            Level::Iop => 2,
            Level::Outpatient => 3,
        }] += 1;
        per_row[usize::from(want.row)] += 1;
    }
    // The peer README: inpatient 4280, php 3226, iop 2176, outpatient 318, every row at
    // least 19 times. A mismatch means the inputs are not the published ones.
    assert_eq!(per_level, [4280, 3226, 2176, 318], "level distribution");
    let rarest = per_row[1..].iter().min().copied().unwrap_or(0);
    assert!(rarest >= 19, "a row fired only {rarest} times");
    per_level
}
