//! Fuzz-style tests that run inside `cargo test`: the intake JSON and rule TOML parsers never
//! panic on arbitrary or mutated input, parsing and serialising round-trip, and (with the
//! `proptest` feature) 100,000 generated intakes — valid and invalid — go through `assess` and
//! `assess_json` without a panic. (Longer, coverage-guided runs: the `cargo fuzz` targets under `fuzz/`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

#[cfg(feature = "proptest")]
use carelevel::intake::{Setting, Substance, SubstanceUse};
use carelevel::{BUILTIN_SOURCES, Intake, RulePack};
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
    #[cfg(feature = "proptest")]
    #[test]
    fn generated_intakes_round_trip(i in carelevel::strategies::intake()) {
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
fn every_bundled_intake_round_trips() {
    for text in seeds() {
        let i = Intake::from_json(text).unwrap();
        assert_eq!(Intake::from_json(&i.to_json().unwrap()).unwrap(), i);
    }
}

// ---------------------------------------------------------------------------------------
// No panics: 100,000 generated intakes, valid and invalid: a valid intake from
// `carelevel::strategies::intake` with up to three kinds of damage, each of which says whether
// the pack must now refuse it. A failure shrinks to a smallest intake and damage.
// ---------------------------------------------------------------------------------------

/// One way to damage a valid intake.
#[cfg(feature = "proptest")]
#[derive(Debug, Clone)]
enum Damage {
    /// A required item left unanswered.
    Unanswered(&'static str),
    /// A number this far past its maximum (saturating at `u32::MAX`).
    OutOfRange(&'static str, u32),
    /// `history.progress` unanswered: only a problem in treatment.
    NoProgress,
    /// A rating the built-in pack does not declare.
    UnknownRating(&'static str),
}

#[cfg(feature = "proptest")]
fn damage() -> impl Strategy<Value = Damage> {
    let required = [
        "age",
        "safety.suicide_risk",
        "safety.harm_to_others",
        "safety.psychosis_or_unable_to_self_care",
        "withdrawal.seizure_or_dt_history",
        "medical.status",
        "self_management",
        "history.current_setting",
    ];
    let numbers = [
        "age",
        "withdrawal.ciwa_ar",
        "withdrawal.cows",
        "severity.phq9",
        "severity.gad7",
        "severity.dsm5_criteria",
    ];
    prop_oneof![
        3 => prop::sample::select(required.to_vec()).prop_map(Damage::Unanswered),
        3 => (
            prop::sample::select(numbers.to_vec()),
            prop::sample::select(vec![1, 2, 100, u32::MAX]),
        )
            .prop_map(|(item, over)| Damage::OutOfRange(item, over)),
        2 => Just(Damage::NoProgress),
        1 => prop::sample::select(vec!["dim_a", "x", ""]).prop_map(Damage::UnknownRating),
    ]
}

/// Applies one damage; returns whether the pack must now refuse the intake.
#[cfg(feature = "proptest")]
fn apply(i: &mut Intake, damage: &Damage) -> bool {
    match *damage {
        Damage::Unanswered(item) => {
            match item {
                "age" => i.age = None,
                "safety.suicide_risk" => i.safety.suicide_risk = None,
                "safety.harm_to_others" => i.safety.harm_to_others = None,
                "safety.psychosis_or_unable_to_self_care" => {
                    i.safety.psychosis_or_unable_to_self_care = None
                }
                "withdrawal.seizure_or_dt_history" => i.withdrawal.seizure_or_dt_history = None,
                "medical.status" => i.medical.status = None,
                "self_management" => i.self_management = None,
                "history.current_setting" => i.history.current_setting = None,
                other => panic!("unknown required item {other}"),
            }
            true
        }
        Damage::OutOfRange(item, over) => {
            let past = |max: u32| Some(max.saturating_add(over));
            match item {
                "age" => i.age = past(120),
                "withdrawal.ciwa_ar" => i.withdrawal.ciwa_ar = past(67),
                "withdrawal.cows" => i.withdrawal.cows = past(48),
                "severity.phq9" => i.severity.phq9 = past(27),
                "severity.gad7" => i.severity.gad7 = past(21),
                "severity.dsm5_criteria" => {
                    let list = i.severity.substance_use.get_or_insert_with(Vec::new);
                    if list.is_empty() {
                        list.push(SubstanceUse {
                            substance: Substance::Alcohol,
                            dsm5_criteria: 0,
                        });
                    }
                    list[0].dsm5_criteria = 11u32.saturating_add(over);
                }
                other => panic!("unknown number {other}"),
            }
            true
        }
        Damage::NoProgress => {
            i.history.progress = None;
            i.history
                .current_setting
                .is_some_and(|s| s != Setting::None)
        }
        Damage::UnknownRating(id) => {
            i.ratings.insert(id.to_owned(), 3);
            true
        }
    }
}

/// Runs `cases` generated intakes, half of them damaged, through `assess` and `assess_json`:
/// neither panics, and each accepts exactly the undamaged ones.
#[cfg(feature = "proptest")]
fn no_panics(cases: u32) {
    use proptest::test_runner::TestRunner;
    use std::cell::Cell;

    let damages = prop_oneof![
        1 => Just(Vec::new()),
        1 => prop::collection::vec(damage(), 1..4),
    ];
    let (valid, invalid) = (Cell::new(0u32), Cell::new(0u32));
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        source_file: Some(file!()),
        ..ProptestConfig::default()
    });
    let outcome = runner.run(
        &(carelevel::strategies::intake(), damages),
        |(mut intake, damages)| {
            // Every damage is applied, whatever the ones before it said.
            let mut ok = true;
            for d in &damages {
                ok &= !apply(&mut intake, d);
            }
            let json = intake.to_json().unwrap();
            prop_assert_eq!(pack().assess(&intake).is_ok(), ok, "assess: {}", json);
            prop_assert_eq!(
                pack().assess_json(&json).is_ok(),
                ok,
                "assess_json: {}",
                json
            );
            let count = if ok { &valid } else { &invalid };
            count.set(count.get() + 1);
            Ok(())
        },
    );
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // Both kinds are well represented.
    let (valid, invalid) = (valid.get(), invalid.get());
    assert!(
        valid > cases / 4 && invalid > cases / 4,
        "{valid} valid, {invalid} invalid"
    );
}

// 100,000 intakes in all, in four tests so the harness can spread them over the cores.
#[cfg(feature = "proptest")]
#[test]
fn no_panics_on_generated_intakes_1() {
    no_panics(25_000);
}

#[cfg(feature = "proptest")]
#[test]
fn no_panics_on_generated_intakes_2() {
    no_panics(25_000);
}

#[cfg(feature = "proptest")]
#[test]
fn no_panics_on_generated_intakes_3() {
    no_panics(25_000);
}

#[cfg(feature = "proptest")]
#[test]
fn no_panics_on_generated_intakes_4() {
    no_panics(25_000);
}
