//! Fuzz-style tests that run inside `cargo test`: the intake JSON and rule TOML parsers never
//! panic on arbitrary or mutated input, parsing and serialising round-trip, and 100,000
//! generated intakes — valid and invalid — go through `assess` and `assess_json` without a
//! panic. (Longer, coverage-guided runs: the `cargo fuzz` targets under `fuzz/`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use carelevel::intake::*;
use carelevel::pack::format::FileDef;
use carelevel::{BUILTIN_SOURCES, Intake, Level, RulePack};
use proptest::prelude::*;
use proptest::sample::Index;
use std::path::Path;
use std::sync::OnceLock;

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(|| RulePack::try_builtin().unwrap())
}

/// The bundled intakes, as text.
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/intakes");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let texts: Vec<String> = files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        assert!(!texts.is_empty());
        texts
    })
}

/// The bundled intakes that parse.
fn seed_intakes() -> &'static [Intake] {
    static INTAKES: OnceLock<Vec<Intake>> = OnceLock::new();
    INTAKES.get_or_init(|| {
        seeds()
            .iter()
            .filter_map(|s| Intake::from_json(s).ok())
            .collect()
    })
}

/// Everything the intake side offers a hostile caller; none of it may panic.
fn feed_intake(text: &str) {
    let parsed = Intake::from_json(text);
    if let Ok(intake) = &parsed {
        // Parse -> serialise -> parse is the identity.
        let again = Intake::from_json(&intake.to_json().unwrap());
        assert_eq!(again.as_ref().ok(), Some(intake), "round trip of {text:?}");
        if let Ok(rec) = pack().assess(intake) {
            let _ = rec
                .to_report(Some(&intake.engagement.preferences))
                .to_text();
        }
    }
    let out = pack().assess_json(text);
    if parsed.is_err() {
        assert!(out.is_err());
    }
}

/// Everything the rule side offers; none of it may panic. The file is loaded with the
/// built-in `pack.toml` (identity and programmes), so a rule file that survives its
/// mutation still makes a pack that loads and assesses.
fn feed_rules(name: &str, text: &str) {
    round_trip_rule_file(text);
    // Under a test id: the built-in id is reserved for the built-in rules.
    let local = |t: &str| t.replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#);
    let (pack_name, pack_text) = BUILTIN_SOURCES[0];
    assert_eq!(pack_name, "pack.toml");
    let loaded = if name == pack_name {
        RulePack::from_sources(&[(name, &local(text))])
    } else {
        RulePack::from_sources(&[(pack_name, &local(pack_text)), (name, text)])
    };
    if let Ok(pack) = loaded {
        for intake in seed_intakes() {
            if let Ok(rec) = pack.assess(intake) {
                let _ = rec.schedule();
            }
        }
    }
}

/// A rule file that parses serialises back to TOML that parses to the same value.
fn round_trip_rule_file(text: &str) {
    let Ok(first) = toml::from_str::<FileDef>(text) else {
        return;
    };
    let printed = toml::to_string(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    let second = toml::from_str::<FileDef>(&printed)
        .unwrap_or_else(|e| panic!("printed TOML does not parse: {e}\n{printed}"));
    // NaN is not equal to itself; compare such files by their debug form.
    assert!(
        first == second || format!("{first:?}") == format!("{second:?}"),
        "round trip changed the file:\n{text}\n---\n{printed}"
    );
}

/// One edit to a text's bytes.
#[derive(Debug, Clone)]
enum Edit {
    Replace(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Duplicate(Index, Index),
    Truncate(Index),
}

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"{}[]\":,-+0123456789.eEtrufalsn \n\\#=_'".to_vec()),
        1 => any::<u8>(),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<Index>(), byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<Index>(), byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Duplicate(a, b)),
        any::<Index>().prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 1..6)
}

fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut b = text.as_bytes().to_vec();
    for e in edits {
        if b.is_empty() {
            b.push(b'{');
        }
        let n = b.len();
        match e {
            Edit::Replace(i, x) => b[i.index(n)] = *x,
            Edit::Insert(i, x) => b.insert(i.index(n + 1), *x),
            Edit::Delete(i) => {
                b.remove(i.index(n));
            }
            Edit::Duplicate(i, j) => {
                let (s, t) = (i.index(n), j.index(n));
                let (s, t) = (s.min(t), s.max(t).min(s.min(t) + 64));
                let slice = b[s..t].to_vec();
                b.splice(s..s, slice);
            }
            Edit::Truncate(i) => b.truncate(i.index(n + 1)),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// A JSON value a hostile intake might put anywhere.
fn json_leaf() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0u64,
            1,
            11,
            12,
            27,
            28,
            67,
            68,
            120,
            121,
            4_294_967_295,
            4_294_967_296
        ])
        .prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z_]{0,14}".prop_map(Value::from),
        prop::sample::select(vec![
            "none",
            "iop",
            "php",
            "inpatient",
            "plan_with_intent",
            "ideation",
            "stable",
            "severe",
            "work",
            "alcohol",
            "goals_met",
            "action",
            "only_in_24_hour_setting",
        ])
        .prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{"substance": "alcohol", "dsm5_criteria": 99}])),
        Just(json!({"unknown_rating": 3})),
    ]
}

fn json_paths(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                json_paths(x, p, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                json_paths(x, p, out);
            }
        }
        _ => {}
    }
}

fn toml_leaf() -> impl Strategy<Value = toml::Value> {
    use toml::Value;
    prop_oneof![
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(Value::Integer),
        prop::sample::select(vec![
            -1i64,
            0,
            1,
            4,
            9,
            10,
            19,
            67,
            68,
            255,
            65_536,
            4_294_967_296
        ])
        .prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Float),
        "[a-z_. ]{0,16}".prop_map(Value::String),
        prop::sample::select(vec![
            "inpatient",
            "iop",
            "php",
            "outpatient",
            "safety.suicide_risk",
            "severity.phq9",
            "withdrawal.ciwa_ar",
            "plan_with_intent",
            "crisis_line",
            "sober_living",
            "intensive",
            "seed: \"x\"",
            "reference:",
            "product default: x",
            "rating.x",
            "score.y",
        ])
        .prop_map(|s| Value::String(s.into())),
        Just(Value::Array(vec![])),
        Just(Value::Table(toml::Table::new())),
    ]
}

fn toml_paths(v: &toml::Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let mut p = at.clone();
                p.push(k.clone());
                out.push(p.clone());
                toml_paths(x, p, out);
            }
        }
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut p = at.clone();
                p.push(i.to_string());
                out.push(p.clone());
                toml_paths(x, p, out);
            }
        }
        _ => {}
    }
}

fn toml_at<'a>(v: &'a mut toml::Value, path: &[String]) -> Option<&'a mut toml::Value> {
    let mut cur = v;
    for k in path {
        cur = match cur {
            toml::Value::Table(t) => t.get_mut(k)?,
            toml::Value::Array(a) => a.get_mut(k.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_never_a_panic_as_an_intake(s in any::<String>()) {
        feed_intake(&s);
    }

    #[test]
    fn json_shaped_text_is_never_a_panic_as_an_intake(
        s in r#"[{}\[\]":, 0-9a-z_.\-]{0,160}"#,
    ) {
        feed_intake(&s);
        feed_intake(&format!("{{{s}}}"));
    }

    #[test]
    fn arbitrary_bytes_are_never_a_panic_as_an_intake(b in prop::collection::vec(any::<u8>(), 0..256)) {
        feed_intake(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn mutated_intakes_are_never_a_panic(seed in any::<Index>(), e in edits()) {
        let seeds = seeds();
        let text = &seeds[seed.index(seeds.len())];
        feed_intake(&mutate(text, &e));
    }

    #[test]
    fn intakes_with_a_value_replaced_are_never_a_panic(
        seed in any::<Index>(),
        at in any::<Index>(),
        leaf in json_leaf(),
        remove in prop::bool::weighted(0.2),
    ) {
        let seeds = seeds();
        let mut v: serde_json::Value = serde_json::from_str(&seeds[seed.index(seeds.len())]).unwrap();
        let mut paths = Vec::new();
        json_paths(&v, String::new(), &mut paths);
        let path = &paths[at.index(paths.len())];
        if remove {
            let (parent, key) = path.rsplit_once('/').unwrap();
            match v.pointer_mut(parent) {
                Some(serde_json::Value::Object(m)) => { m.remove(key); }
                Some(serde_json::Value::Array(a)) => { a.remove(key.parse::<usize>().unwrap()); }
                _ => {}
            }
        } else {
            *v.pointer_mut(path).unwrap() = leaf;
        }
        feed_intake(&v.to_string());
    }

    /// Generated intakes survive the round trip exactly.
    #[test]
    fn generated_intakes_round_trip(i in common::intake()) {
        let json = i.to_json().unwrap();
        prop_assert_eq!(Intake::from_json(&json).ok(), Some(i));
    }

}

proptest! {
    // Loading a pack costs more than parsing an intake: fewer cases.
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_text_is_never_a_panic_as_a_rule_file(s in any::<String>()) {
        feed_rules("fuzz.toml", &s);
    }

    #[test]
    fn toml_shaped_text_is_never_a_panic_as_a_rule_file(
        s in r#"(\[\[rule\]\]\n|\[pack\]\n|[a-z_]{1,8} = ("[a-z_.: ]{0,12}"|-?[0-9]{1,4}|true|\[\]|\{ [a-z]+ = [0-9] \})\n){0,12}"#,
    ) {
        feed_rules("fuzz.toml", &s);
    }


    #[test]
    fn mutated_rule_files_are_never_a_panic(file in any::<Index>(), e in edits()) {
        let (name, text) = BUILTIN_SOURCES[file.index(BUILTIN_SOURCES.len())];
        feed_rules(name, &mutate(text, &e));
    }

    #[test]
    fn rule_files_with_a_value_replaced_are_never_a_panic(
        file in any::<Index>(),
        at in any::<Index>(),
        leaf in toml_leaf(),
    ) {
        let (name, text) = BUILTIN_SOURCES[file.index(BUILTIN_SOURCES.len())];
        let mut v: toml::Value = toml::Value::Table(toml::from_str(text).unwrap());
        let mut paths = Vec::new();
        toml_paths(&v, Vec::new(), &mut paths);
        let path = &paths[at.index(paths.len())];
        *toml_at(&mut v, path).unwrap() = leaf;
        // Some replacements cannot be printed as a document (a bare value where a table
        // must be); those are not rule files at all.
        if let Ok(text) = toml::to_string(&v) {
            feed_rules(name, &text);
        }
    }
}

#[test]
fn every_builtin_rule_file_round_trips() {
    for (name, text) in BUILTIN_SOURCES {
        let first = toml::from_str::<FileDef>(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let printed = toml::to_string(&first).unwrap();
        assert_eq!(
            toml::from_str::<FileDef>(&printed).unwrap(),
            first,
            "{name}"
        );
        // And the printed files still load as the same pack.
    }
    let printed: Vec<(String, String)> = BUILTIN_SOURCES
        .iter()
        .map(|(n, t)| {
            let f = toml::from_str::<FileDef>(t).unwrap();
            // Reprinted files are not the built-in sources, so they take a pack id of their own.
            let printed = toml::to_string(&f)
                .unwrap()
                .replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#);
            ((*n).to_owned(), printed)
        })
        .collect();
    let sources: Vec<(&str, &str)> = printed
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let reprinted = RulePack::from_sources(&sources).unwrap();
    let ids = |p: &RulePack| p.rules().map(|r| r.id().to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(&reprinted), ids(pack()));
}

#[test]
fn every_bundled_intake_round_trips() {
    for text in seeds() {
        let i = Intake::from_json(text).unwrap();
        assert_eq!(Intake::from_json(&i.to_json().unwrap()).unwrap(), i);
    }
}

// ---------------------------------------------------------------------------------------
// No panics: 100,000 cheap, deterministic intakes, valid and invalid.
// ---------------------------------------------------------------------------------------

/// xorshift64: cheap, deterministic, good enough to spread choices.
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
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn bool(&mut self) -> bool {
        self.below(2) == 1
    }
    fn opt_bool(&mut self) -> Option<bool> {
        (!self.chance(4)).then(|| self.bool())
    }
}

/// A generated intake, and whether the pack must accept it.
struct Generated {
    intake: Intake,
    valid: bool,
}

fn generate(g: &mut Rng) -> Generated {
    let mut valid = true;
    // A required item: missing now and then, which makes the intake invalid.
    macro_rules! required {
        ($v:expr) => {{
            if g.chance(20) {
                valid = false;
                None
            } else {
                Some($v)
            }
        }};
    }
    // A number in 0..=max: out of range now and then (invalid), absent now and then.
    let mut number = |g: &mut Rng, max: u32, optional: bool| -> Option<u32> {
        if optional && g.chance(4) {
            return None;
        }
        if g.chance(25) {
            valid = false;
            let over = g.pick(&[1, 2, 100, u32::MAX - max]);
            return Some(max + over);
        }
        Some(g.below(u64::from(max) + 1) as u32)
    };
    let age = number(g, 120, false);
    let ciwa = number(g, 67, true);
    let cows = number(g, 48, true);
    let phq9 = number(g, 27, true);
    let gad7 = number(g, 21, true);
    let listed = !g.chance(4);
    let n = if listed { g.below(4) } else { 0 };
    let mut list = Vec::new();
    for _ in 0..n {
        list.push(SubstanceUse {
            substance: g.pick(&[
                Substance::Alcohol,
                Substance::Opioids,
                Substance::Stimulants,
                Substance::Cannabis,
                Substance::Sedatives,
                Substance::Other,
            ]),
            dsm5_criteria: number(g, 11, false).unwrap(),
        });
    }
    let setting = g.pick(&[
        Setting::None,
        Setting::Outpatient,
        Setting::Iop,
        Setting::Php,
        Setting::Inpatient,
        Setting::InpatientWithdrawalManagement,
    ]);
    let progress = if g.chance(8) {
        if setting != Setting::None {
            valid = false;
        }
        None
    } else {
        Some(g.pick(&[
            Progress::GoalsMet,
            Progress::Progressing,
            Progress::NotEnough,
        ]))
    };
    let mut intake = Intake {
        age: if g.chance(20) {
            valid = false;
            None
        } else {
            age
        },
        safety: Safety {
            suicide_risk: required!(g.pick(&[
                SuicideRisk::None,
                SuicideRisk::WishToBeDead,
                SuicideRisk::NonspecificActiveThoughts,
                SuicideRisk::MethodWithoutIntent,
                SuicideRisk::IntentWithoutPlan,
                SuicideRisk::PlanWithIntent,
                SuicideRisk::RecentBehavior,
            ])),
            harm_to_others: required!(g.pick(&[
                HarmToOthers::None,
                HarmToOthers::Ideation,
                HarmToOthers::PlanOrIntent,
            ])),
            psychosis_or_unable_to_self_care: required!(g.bool()),
        },
        withdrawal: Withdrawal {
            ciwa_ar: ciwa,
            cows,
            seizure_or_dt_history: required!(g.bool()),
        },
        medical: Medical {
            status: required!(g.pick(&[
                MedicalStatus::Stable,
                MedicalStatus::DailyMonitoring,
                MedicalStatus::RoundTheClockCare,
            ])),
        },
        severity: Severity {
            substance_use: listed.then_some(list),
            phq9,
            gad7,
            clinician_rating: (!g.chance(3)).then(|| {
                g.pick(&[
                    ClinicianRating::None,
                    ClinicianRating::Mild,
                    ClinicianRating::Moderate,
                    ClinicianRating::Severe,
                ])
            }),
            impairs_daily_activities: g.opt_bool(),
        },
        self_management: required!(g.pick(&[
            SelfManagement::Independent,
            SelfManagement::WithDailyStructure,
            SelfManagement::OnlyIn24HourSetting,
        ])),
        history: History {
            current_setting: required!(setting),
            progress,
            earlier_levels_not_held: (0..g.below(3)).map(|_| g.pick(&Level::ALL)).collect(),
        },
        home: Home {
            substance_free: g.opt_bool(),
            supportive: g.opt_bool(),
            safe: g.opt_bool(),
            stable_housing: g.opt_bool(),
            substance_free_housing_arranged: g.bool(),
        },
        engagement: Engagement {
            stage_of_change: (!g.chance(3)).then(|| {
                g.pick(&[
                    StageOfChange::Precontemplation,
                    StageOfChange::Contemplation,
                    StageOfChange::Preparation,
                    StageOfChange::Action,
                    StageOfChange::Maintenance,
                ])
            }),
            can_attend_several_days: g.opt_bool(),
            commitments: (0..g.below(3))
                .map(|_| g.pick(&[Commitment::Work, Commitment::School, Commitment::Caregiving]))
                .collect(),
            needs_transportation: g.opt_bool(),
            needs_childcare: g.opt_bool(),
            preferences: Preferences {
                language: g.chance(5).then(|| "Spanish".into()),
                ..Default::default()
            },
        },
        ratings: Default::default(),
        notes: g.chance(10).then(|| "free text".into()),
    };
    // The built-in pack declares no ratings: any rating is unknown.
    if g.chance(30) {
        valid = false;
        intake
            .ratings
            .insert(g.pick(&["dim_a", "x", ""]).to_owned(), 3);
    }
    Generated { intake, valid }
}

fn no_panics(seed: u64, count: usize) {
    let pack = RulePack::builtin();
    let mut g = Rng(seed);
    let (mut valid, mut invalid) = (0, 0);
    for _ in 0..count {
        let Generated { intake, valid: ok } = generate(&mut g);
        let assessed = pack.assess(&intake);
        assert_eq!(
            assessed.is_ok(),
            ok,
            "assess: {}",
            intake.to_json().unwrap()
        );
        let json = pack.assess_json(&intake.to_json().unwrap());
        assert_eq!(
            json.is_ok(),
            ok,
            "assess_json: {}",
            intake.to_json().unwrap()
        );
        if ok { valid += 1 } else { invalid += 1 }
    }
    // Both kinds are well represented.
    assert!(
        valid > count / 4 && invalid > count / 4,
        "{valid} valid, {invalid} invalid"
    );
}

// 100,000 intakes in all, in four tests so the harness can spread them over the cores.
#[test]
fn no_panics_on_generated_intakes_1() {
    no_panics(0x0123_4567_89ab_cdef, 25_000);
}

#[test]
fn no_panics_on_generated_intakes_2() {
    no_panics(0x0fed_cba9_8765_4321, 25_000);
}

#[test]
fn no_panics_on_generated_intakes_3() {
    no_panics(0x9e37_79b9_7f4a_7c15, 25_000);
}

#[test]
fn no_panics_on_generated_intakes_4() {
    no_panics(0x2545_f491_4f6c_dd1d, 25_000);
}
