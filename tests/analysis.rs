//! The pack analysis: the built-in pack is proved safe, and each kind of problem is caught in
//! a deliberately broken small pack.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::analysis::{Analysis, CheckKind, GapKind, analyze};
use carelevel::{BUILTIN_SOURCES, Level, RulePack};
use proptest::prelude::*;

/// The built-in `pack.toml` (programmes and the baseline rule) under a test pack's own id:
/// the built-in id is reserved for the built-in rules.
fn pack_toml() -> &'static str {
    static LOCAL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        BUILTIN_SOURCES
            .iter()
            .find(|(name, _)| *name == "pack.toml")
            .expect("the built-in pack has a pack.toml")
            .1
            .replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#)
    });
    &LOCAL
}

/// A rule of the `safety` criterion (so every ordered answer it reads is a safety answer).
fn rule(id: &str, when: &str, effects: &str) -> String {
    rule_in("safety", id, when, effects)
}

fn rule_in(criterion: &str, id: &str, when: &str, effects: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\ncriterion = \"{criterion}\"\nwhen = {when}\n{effects}\nreason = \"test\"\nsource = \"product default: test\"\n\n"
    )
}

fn inst(id: &str, when: &str, effects: &str) -> String {
    rule_in("instrument", id, when, effects)
}

/// Rules that cover every safety answer monotonically, with every non-best value read.
fn cover_suicide() -> String {
    rule(
        "cover.suicide.any",
        r#"{ answer = "safety.suicide_risk", at_least = "wish_to_be_dead" }"#,
        r#"services = ["safety_planning"]"#,
    ) + &rule(
        "cover.suicide.intent",
        r#"{ answer = "safety.suicide_risk", at_least = "intent_without_plan" }"#,
        r#"floor = "inpatient""#,
    )
}

fn cover_harm() -> String {
    rule(
        "cover.harm.ideation",
        r#"{ answer = "safety.harm_to_others", is = "ideation" }"#,
        r#"floor = "iop""#,
    ) + &rule(
        "cover.harm.plan",
        r#"{ answer = "safety.harm_to_others", is = "plan_or_intent" }"#,
        r#"floor = "inpatient""#,
    )
}

fn cover_rest() -> String {
    rule(
        "cover.psychosis",
        r#"{ answer = "safety.psychosis_or_unable_to_self_care", is = true }"#,
        r#"floor = "inpatient""#,
    ) + &rule(
        "cover.seizure",
        r#"{ all = [{ answer = "withdrawal.seizure_or_dt_history", is = true }, { answer = "withdrawal.ciwa_ar", at_least = 10 }] }"#,
        r#"floor = "inpatient""#,
    ) + &rule(
        "cover.medical.daily",
        r#"{ answer = "medical.status", at_least = "daily_monitoring" }"#,
        r#"floor = "php""#,
    ) + &rule(
        "cover.medical.round_the_clock",
        r#"{ answer = "medical.status", is = "round_the_clock_care" }"#,
        r#"floor = "inpatient""#,
    )
}

fn cover() -> String {
    cover_suicide() + &cover_harm() + &cover_rest()
}

/// A small pack: the built-in `pack.toml` plus these rules.
fn mini(rules: &str) -> RulePack {
    RulePack::from_sources(&[("pack.toml", pack_toml()), ("test.toml", rules)])
        .unwrap_or_else(|e| panic!("test pack loads: {e}"))
}

fn ids(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn the_builtin_pack_is_proved_safe() {
    let pack = RulePack::try_builtin().unwrap();
    let a = analyze(&pack);
    println!("{a}");
    assert!(a.violations.is_empty(), "{a}");
    assert!(a.gaps.is_empty(), "{a}");
    assert!(a.safety_floor_violations.is_empty(), "{a}");
    assert!(a.unchecked.is_empty(), "{a}");
    assert!(a.mixed_scores.is_empty(), "{a}");
    assert!(a.is_proved_safe(), "{a}");
    assert!(
        a.dead.is_empty(),
        "dead rules in the built-in pack: {:?}",
        a.dead
    );
    assert_eq!(ids(&a.baseline_rules), ["baseline.outpatient"]);
    assert_eq!(a.rules, pack.rules().count());
    assert!(a.floor_rules > 20);

    // Every safety answer is analysed, and its worst value can set a floor above outpatient.
    let names: Vec<&str> = a.safety.iter().map(|s| s.answer.as_str()).collect();
    for want in [
        "safety.suicide_risk",
        "safety.harm_to_others",
        "safety.psychosis_or_unable_to_self_care",
        "withdrawal.seizure_or_dt_history",
        "medical.status",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    for s in &a.safety {
        assert!(s.exact);
        let worst = s.values.last().unwrap();
        assert!(worst.highest_floor > Level::Outpatient, "{}", s.answer);
    }
    let suicide = a
        .safety
        .iter()
        .find(|s| s.answer == "safety.suicide_risk")
        .unwrap();
    let floors: Vec<(&str, Level)> = suicide
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.guaranteed_floor))
        .collect();
    assert_eq!(floors.first(), Some(&("none", Level::Outpatient)));
    assert_eq!(floors.last(), Some(&("recent_behavior", Level::Inpatient)));

    // The figures are real: per-rule spaces are small, the joint space they stand for is not.
    assert!(a.space.per_rule_points > 1_000);
    assert!(a.space.points_evaluated >= a.space.per_rule_points);
    assert!(a.space.joint_values > 1_000_000_000_000_000);
    assert!(a.space.joint_cut_points > a.space.per_rule_points);
    assert!(a.to_string().contains("PROVED"));
}

#[test]
fn the_analysis_is_deterministic() {
    let pack = RulePack::try_builtin().unwrap();
    assert_eq!(analyze(&pack), analyze(&pack));
}

#[test]
fn a_complete_small_pack_is_proved_safe() {
    let a = analyze(&mini(&cover()));
    assert!(a.is_proved_safe(), "{a}");
    assert!(a.dead.is_empty(), "{a}");
    assert!(a.shadowed.is_empty(), "{a}");
    assert!(a.compensated.iter().any(|c| c.rule == "cover.harm.ideation"
        && c.answer == "safety.harm_to_others"
        && c.by == ["cover.harm.plan"]));
}

#[test]
fn a_non_monotone_rule_is_caught() {
    let broken = rule(
        "broken.at_most",
        r#"{ answer = "safety.suicide_risk", at_most = "wish_to_be_dead" }"#,
        r#"floor = "php""#,
    );
    let a = analyze(&mini(&(cover() + &broken)));
    assert!(!a.is_proved_safe());
    let found: Vec<(&str, &str, &str, &str)> = a
        .violations
        .iter()
        .map(|v| {
            (
                v.rule.as_str(),
                v.answer.as_str(),
                v.from.as_str(),
                v.to.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "broken.at_most",
            "safety.suicide_risk",
            "wish_to_be_dead",
            "nonspecific_active_thoughts"
        )]
    );
    assert!(a.to_string().contains("VIOLATION broken.at_most"));
}

#[test]
fn a_non_monotone_number_with_a_witness_is_caught() {
    // A PHP band with nothing as high above it unless there is a seizure history: the
    // witness names the other answers.
    let broken = rule(
        "broken.band",
        r#"{ all = [{ answer = "withdrawal.ciwa_ar", at_least = 10, at_most = 18 }, { answer = "safety.psychosis_or_unable_to_self_care", is = false }] }"#,
        r#"floor = "php""#,
    );
    let a = analyze(&mini(&(cover() + &broken)));
    let v: Vec<_> = a
        .violations
        .iter()
        .filter(|v| v.rule == "broken.band")
        .collect();
    assert_eq!(v.len(), 1, "{a}");
    assert_eq!((v[0].from.as_str(), v[0].to.as_str()), ("18", "19"));
    assert!(
        v[0].context
            .contains(&("withdrawal.seizure_or_dt_history".into(), "false".into())),
        "{:?}",
        v[0].context
    );
}

#[test]
fn two_rules_taking_over_together_are_enough() {
    // No single rule takes over from `together.method` at intent_without_plan everywhere
    // (each needs a psychosis answer), but between them they always do: the joint check
    // proves it, and names the first rule that fires on each side.
    let rules = cover_harm()
        + &cover_rest()
        + &rule(
            "together.method",
            r#"{ answer = "safety.suicide_risk", is = "method_without_intent" }"#,
            r#"floor = "php""#,
        )
        + &rule(
            "together.intent_no_psychosis",
            r#"{ all = [{ answer = "safety.suicide_risk", at_least = "intent_without_plan" }, { answer = "safety.psychosis_or_unable_to_self_care", is = false }] }"#,
            r#"floor = "php""#,
        )
        + &rule(
            "together.intent_psychosis",
            r#"{ all = [{ answer = "safety.suicide_risk", at_least = "intent_without_plan" }, { answer = "safety.psychosis_or_unable_to_self_care", is = true }] }"#,
            r#"floor = "inpatient""#,
        );
    let a = analyze(&mini(&rules));
    assert!(a.violations.is_empty(), "{a}");
    let c = a
        .compensated
        .iter()
        .find(|c| c.rule == "together.method")
        .unwrap();
    assert_eq!(c.by, ["cover.psychosis", "together.intent_no_psychosis"]);
}

#[test]
fn a_rule_taking_over_one_step_late_is_caught() {
    let rules = cover()
        + &rule(
            "late.band",
            r#"{ answer = "withdrawal.cows", at_least = 10, at_most = 18 }"#,
            r#"floor = "php""#,
        )
        + &rule(
            "late.above",
            r#"{ answer = "withdrawal.cows", at_least = 20 }"#,
            r#"floor = "inpatient""#,
        )
        + &rule(
            "late.partly",
            r#"{ all = [{ answer = "withdrawal.cows", at_least = 19 }, { answer = "home.supportive", is = false }] }"#,
            r#"floor = "php""#,
        );
    let a = analyze(&mini(&rules));
    let v: Vec<_> = a
        .violations
        .iter()
        .map(|v| (v.rule.as_str(), v.from.as_str(), v.to.as_str()))
        .collect();
    // `late.above` starts one step too late; `late.partly` takes over only when the home is
    // known not to be supportive.
    assert_eq!(v, [("late.band", "18", "19")], "{a}");
    let context = &a.violations[0].context;
    let home = context
        .iter()
        .find(|(answer, _)| answer == "home.supportive")
        .map(|(_, v)| v.as_str());
    assert!(matches!(home, Some("true" | "absent")), "{context:?}");
}

#[test]
fn a_dead_rule_is_caught() {
    let broken = rule(
        "broken.contradiction",
        r#"{ all = [{ answer = "safety.suicide_risk", at_least = "plan_with_intent" }, { answer = "safety.suicide_risk", at_most = "none" }] }"#,
        r#"floor = "inpatient""#,
    ) + &rule(
        "broken.numbers",
        r#"{ all = [{ answer = "withdrawal.ciwa_ar", at_least = 20 }, { not = { answer = "withdrawal.ciwa_ar", at_least = 15 } }] }"#,
        r#"services = ["crisis_line"]"#,
    );
    let a = analyze(&mini(&(cover() + &broken)));
    assert_eq!(ids(&a.dead), ["broken.contradiction", "broken.numbers"]);
    // A dead rule is not also reported as shadowed.
    assert!(a.shadowed.is_empty(), "{a}");
    assert!(
        a.is_proved_safe(),
        "dead rules are findings, not failures: {a}"
    );
}

#[test]
fn a_shadowed_duplicate_is_caught() {
    let duplicate = rule(
        "broken.duplicate",
        r#"{ answer = "safety.harm_to_others", is = "plan_or_intent" }"#,
        r#"floor = "inpatient""#,
    );
    let a = analyze(&mini(&(cover() + &duplicate)));
    let shadowed: Vec<&str> = a.shadowed.iter().map(|s| s.rule.as_str()).collect();
    // Duplicates shadow each other.
    assert_eq!(shadowed, ["cover.harm.plan", "broken.duplicate"]);
    assert_eq!(
        a.shadowed[1].by,
        [("floor inpatient".to_owned(), "cover.harm.plan".to_owned())]
    );
}

#[test]
fn a_rule_shadowed_by_a_broader_one_is_caught_per_effect() {
    // Every effect is covered, by two different rules.
    let narrow = rule(
        "broken.narrow",
        r#"{ answer = "safety.suicide_risk", at_least = "plan_with_intent" }"#,
        "floor = \"php\"\nservices = [\"safety_planning\"]",
    );
    let a = analyze(&mini(&(cover() + &narrow)));
    let s = a
        .shadowed
        .iter()
        .find(|s| s.rule == "broken.narrow")
        .unwrap();
    assert_eq!(
        s.by,
        [
            ("floor php".to_owned(), "cover.suicide.intent".to_owned()),
            (
                "service safety_planning".to_owned(),
                "cover.suicide.any".to_owned()
            ),
        ]
    );
    // An effect no other rule produces keeps a rule from being shadowed.
    let urgent = rule(
        "broken.narrow_urgent",
        r#"{ answer = "safety.suicide_risk", at_least = "plan_with_intent" }"#,
        "floor = \"php\"\nurgent = true",
    );
    let a = analyze(&mini(&(cover() + &urgent)));
    assert!(!a.shadowed.iter().any(|s| s.rule == "broken.narrow_urgent"));
}

#[test]
fn an_uncovered_safety_value_is_caught() {
    // No rule reads harm to others at all.
    let a = analyze(&mini(&(cover_suicide() + &cover_rest())));
    assert!(!a.is_proved_safe());
    let gaps: Vec<(&str, &str, GapKind)> = a
        .gaps
        .iter()
        .map(|g| (g.answer.as_str(), g.value.as_str(), g.kind))
        .collect();
    assert_eq!(
        gaps,
        [
            ("safety.harm_to_others", "ideation", GapKind::NoRuleAtValue),
            (
                "safety.harm_to_others",
                "plan_or_intent",
                GapKind::NoFloorAtWorst
            ),
        ]
    );

    // Read, but only by a rule without a floor: the worst value is still a gap.
    let services_only = rule(
        "broken.harm_services_only",
        r#"{ answer = "safety.harm_to_others", at_least = "ideation" }"#,
        r#"services = ["crisis_line"]"#,
    );
    let a = analyze(&mini(&(cover_suicide() + &cover_rest() + &services_only)));
    let gaps: Vec<(&str, &str, GapKind)> = a
        .gaps
        .iter()
        .map(|g| (g.answer.as_str(), g.value.as_str(), g.kind))
        .collect();
    assert_eq!(
        gaps,
        [(
            "safety.harm_to_others",
            "plan_or_intent",
            GapKind::NoFloorAtWorst
        )]
    );
}

#[test]
fn a_non_monotone_safety_floor_is_caught() {
    let broken = rule(
        "broken.one_value",
        r#"{ answer = "safety.suicide_risk", is = "nonspecific_active_thoughts" }"#,
        r#"floor = "php""#,
    );
    let a = analyze(&mini(&(cover() + &broken)));
    let drops: Vec<_> = a
        .safety_floor_violations
        .iter()
        .map(|v| {
            (
                v.answer.as_str(),
                v.from.as_str(),
                v.from_floor,
                v.to.as_str(),
                v.to_floor,
            )
        })
        .collect();
    assert_eq!(
        drops,
        [(
            "safety.suicide_risk",
            "nonspecific_active_thoughts",
            Level::Php,
            "method_without_intent",
            Level::Outpatient
        )]
    );
    assert!(!a.is_proved_safe());
    assert!(a.to_string().contains("DROP safety.suicide_risk"));
}

/// A custom instrument: two higher-is-worse dimension ratings, one lower-is-worse
/// functioning rating, a composite sum and a maximum.
const INSTRUMENT: &str = r#"
[[rating]]
id = "dim_a"
min = 0
max = 4

[[rating]]
id = "dim_b"
min = 0
max = 4
required = false

[[rating]]
id = "functioning"
min = 0
max = 100
worse = "lower"

[[score]]
id = "composite"
sum = ["rating.dim_a", "rating.dim_b"]

[[score]]
id = "top"
max = ["rating.dim_a", "rating.dim_b"]

[[score]]
id = "mixed"
sum = ["rating.dim_a", "rating.functioning"]
"#;

fn instrument(rules: &str) -> Analysis {
    let text = format!("{INSTRUMENT}\n{}{rules}", cover());
    analyze(&mini(&text))
}

#[test]
fn custom_ratings_and_scores_are_analysed() {
    let good = inst(
        "inst.composite",
        r#"{ answer = "score.composite", at_least = 6 }"#,
        r#"floor = "php""#,
    ) + &inst(
        "inst.any_dimension",
        r#"{ answer = "score.top", at_least = 4 }"#,
        r#"floor = "iop""#,
    ) + &inst(
        "inst.low_functioning",
        r#"{ answer = "rating.functioning", at_most = 40 }"#,
        r#"floor = "iop""#,
    ) + &inst(
        "inst.two_of",
        r#"{ at_least_n = 2, of = [{ answer = "rating.dim_a", at_least = 3 }, { answer = "rating.dim_b", at_least = 3 }, { answer = "rating.functioning", at_most = 50 }] }"#,
        r#"floor = "php""#,
    );
    let a = instrument(&good);
    assert!(a.is_proved_safe(), "{a}");

    // at_least on a lower-is-worse rating stops firing as functioning worsens.
    let bad = inst(
        "inst.backwards",
        r#"{ answer = "rating.functioning", at_least = 70 }"#,
        r#"floor = "iop""#,
    );
    let a = instrument(&bad);
    let v: Vec<_> = a
        .violations
        .iter()
        .map(|v| {
            (
                v.rule.as_str(),
                v.answer.as_str(),
                v.from.as_str(),
                v.to.as_str(),
            )
        })
        .collect();
    assert_eq!(v, [("inst.backwards", "rating.functioning", "70", "69")]);

    // A band on a score.
    let band = inst(
        "inst.band",
        r#"{ answer = "score.composite", at_least = 3, at_most = 5 }"#,
        r#"floor = "iop""#,
    );
    let a = instrument(&band);
    let v: Vec<_> = a
        .violations
        .iter()
        .map(|v| (v.rule.as_str(), v.from.as_str(), v.to.as_str()))
        .collect();
    assert_eq!(v, [("inst.band", "5", "6")]);

    // A score mixing directions has none: a floor on it is not proved.
    let mixed = inst(
        "inst.mixed",
        r#"{ answer = "score.mixed", at_least = 50 }"#,
        r#"floor = "iop""#,
    );
    let a = instrument(&mixed);
    assert_eq!(ids(&a.mixed_scores), ["score.mixed"]);
    assert!(!a.is_proved_safe());

    // A safety rule on a custom rating makes it a safety answer.
    let safety = rule(
        "inst.safety_dimension",
        r#"{ answer = "rating.dim_a", at_least = 4 }"#,
        r#"floor = "inpatient""#,
    );
    let a = instrument(&safety);
    let dim = a
        .safety
        .iter()
        .find(|s| s.answer == "rating.dim_a")
        .unwrap();
    let floors: Vec<(&str, Level)> = dim
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.guaranteed_floor))
        .collect();
    assert_eq!(
        floors,
        [
            ("0", Level::Outpatient),
            ("3", Level::Outpatient),
            ("4", Level::Inpatient)
        ]
    );
    assert!(a.is_proved_safe(), "{a}");
}

#[test]
fn a_space_beyond_the_budget_is_reported_not_run() {
    // Nine optional ratings, each cut at `at_least = 5` (whose upper bound is the maximum):
    // 0, 4, 5, 6, 99, 100 and absent, so 7^9 points.
    let mut text = String::new();
    let mut of = Vec::new();
    for i in 0..9 {
        text += &format!("[[rating]]\nid = \"r{i}\"\nmin = 0\nmax = 100\nrequired = false\n\n");
        of.push(format!("{{ answer = \"rating.r{i}\", at_least = 5 }}"));
    }
    text += &cover();
    text += &inst(
        "inst.huge",
        &format!("{{ at_least_n = 3, of = [{}] }}", of.join(", ")),
        r#"floor = "iop""#,
    );
    let a = analyze(&mini(&text));
    let u: Vec<_> = a
        .unchecked
        .iter()
        .map(|u| (u.item.as_str(), u.check, u.points))
        .collect();
    assert_eq!(u, [("inst.huge", CheckKind::Rule, 7u128.pow(9))]);
    assert!(!a.is_proved_safe());
}

// ---------------------------------------------------------------------------------------
// The analysis against brute force: random small packs over four answers, whose whole joint
// space (every CIWA-Ar score, absent included) the engine can assess intake by intake.
// ---------------------------------------------------------------------------------------

const SUICIDE: [&str; 7] = [
    "none",
    "wish_to_be_dead",
    "nonspecific_active_thoughts",
    "method_without_intent",
    "intent_without_plan",
    "plan_with_intent",
    "recent_behavior",
];
const MEDICAL: [&str; 3] = ["stable", "daily_monitoring", "round_the_clock_care"];

/// A condition on one of the four answers.
fn atom() -> BoxedStrategy<String> {
    let s = || prop::sample::select(SUICIDE.to_vec());
    let m = || prop::sample::select(MEDICAL.to_vec());
    let c = || prop::sample::select(vec![0u32, 1, 9, 10, 18, 19, 40, 67]);
    let suicide = prop_oneof![
        s().prop_map(|v| format!(r#"{{ answer = "safety.suicide_risk", at_least = "{v}" }}"#)),
        s().prop_map(|v| format!(r#"{{ answer = "safety.suicide_risk", at_most = "{v}" }}"#)),
        s().prop_map(|v| format!(r#"{{ answer = "safety.suicide_risk", is = "{v}" }}"#)),
        (s(), s()).prop_map(|(a, b)| format!(
            r#"{{ answer = "safety.suicide_risk", in = ["{a}", "{b}"] }}"#
        )),
    ];
    let psychosis = any::<bool>().prop_map(|v| {
        format!(r#"{{ answer = "safety.psychosis_or_unable_to_self_care", is = {v} }}"#)
    });
    let ciwa = prop_oneof![
        c().prop_map(|v| format!(r#"{{ answer = "withdrawal.ciwa_ar", at_least = {v} }}"#)),
        c().prop_map(|v| format!(r#"{{ answer = "withdrawal.ciwa_ar", at_most = {v} }}"#)),
        (c(), c()).prop_map(|(a, b)| format!(
            r#"{{ answer = "withdrawal.ciwa_ar", at_least = {}, at_most = {} }}"#,
            a.min(b),
            a.max(b)
        )),
        c().prop_map(|v| format!(r#"{{ answer = "withdrawal.ciwa_ar", is = {v} }}"#)),
        any::<bool>()
            .prop_map(|v| format!(r#"{{ answer = "withdrawal.ciwa_ar", answered = {v} }}"#)),
    ];
    let medical = prop_oneof![
        m().prop_map(|v| format!(r#"{{ answer = "medical.status", is = "{v}" }}"#)),
        m().prop_map(|v| format!(r#"{{ answer = "medical.status", at_least = "{v}" }}"#)),
        m().prop_map(|v| format!(r#"{{ answer = "medical.status", at_most = "{v}" }}"#)),
    ];
    prop_oneof![suicide, psychosis, ciwa, medical].boxed()
}

/// A condition nested up to `depth` combinators deep.
fn condition(depth: u32) -> BoxedStrategy<String> {
    if depth == 0 {
        return atom();
    }
    let combined = (
        prop::collection::vec(condition(depth - 1), 2..4),
        0u8..5,
        any::<prop::sample::Index>(),
    )
        .prop_map(|(list, kind, n)| {
            let joined = list.join(", ");
            match kind {
                0 => format!("{{ all = [{joined}] }}"),
                1 => format!("{{ any = [{joined}] }}"),
                2 => format!("{{ any_given = [{joined}] }}"),
                3 => format!("{{ not = {} }}", list[0]),
                _ => format!(
                    "{{ at_least_n = {}, of = [{joined}] }}",
                    1 + n.index(list.len())
                ),
            }
        });
    prop_oneof![1 => atom(), 2 => combined].boxed()
}

/// Two to six rules, each with a condition two combinators deep and one effect.
fn random_pack() -> impl Strategy<Value = String> {
    let effect = prop::sample::select(vec![
        r#"floor = "iop""#,
        r#"floor = "php""#,
        r#"floor = "inpatient""#,
        "floor = \"php\"\nurgent = true",
        r#"services = ["crisis_line"]"#,
    ]);
    prop::collection::vec((condition(2), effect), 2..7).prop_map(|rules| {
        rules
            .iter()
            .enumerate()
            .map(|(i, (when, effects))| rule(&format!("r{i}"), when, effects))
            .collect()
    })
}

/// Every intake over the four answers: (suicide, psychosis, ciwa, medical).
/// A point of the four answers: suicide risk rank, psychosis, CIWA-Ar, medical status rank.
type Point = (usize, bool, Option<u32>, usize);

fn brute(pack: &RulePack) -> Vec<(Point, Level, Vec<String>)> {
    let mut out = Vec::new();
    for (s, suicide) in SUICIDE.iter().enumerate() {
        for psychosis in [false, true] {
            for ciwa in std::iter::once(None).chain((0..=67).map(Some)) {
                for (m, medical) in MEDICAL.iter().enumerate() {
                    let ciwa_json = ciwa.map_or(String::new(), |c| format!(r#""ciwa_ar": {c}, "#));
                    let json = format!(
                        r#"{{ "age": 30,
                        "safety": {{ "suicide_risk": "{suicide}", "harm_to_others": "none", "psychosis_or_unable_to_self_care": {psychosis} }},
                        "withdrawal": {{ {ciwa_json}"seizure_or_dt_history": false }},
                        "medical": {{ "status": "{medical}" }},
                        "self_management": "independent",
                        "history": {{ "current_setting": "none" }} }}"#
                    );
                    let intake = carelevel::Intake::from_json(&json).unwrap();
                    let rec = pack.assess(&intake).unwrap();
                    let fired = rec.fired_rules().map(|r| r.id().to_owned()).collect();
                    out.push(((s, psychosis, ciwa, m), rec.level(), fired));
                }
            }
        }
    }
    out
}

#[test]
fn the_analysis_is_sound_against_brute_force_on_random_packs() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;

    let (proved, refuted, false_alarms) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let mut runner = TestRunner::new(Config {
        cases: 40,
        source_file: Some(file!()),
        ..Config::default()
    });
    let outcome = runner.run(&random_pack(), |text| {
        let pack = mini(&text);
        let a = analyze(&pack);
        assert!(a.unchecked.is_empty(), "{text}\n{a}");
        let all = brute(&pack);
        let levels: std::collections::HashMap<_, _> =
            all.iter().map(|(k, l, _)| (*k, *l)).collect();
        let level = |k: &Point| levels[k];
        // Monotone in every answer (given values only), by brute force.
        let mut monotone = true;
        for ((s, p, c, m), l, _) in &all {
            let mut worse = Vec::new();
            if *s + 1 < SUICIDE.len() {
                worse.push((*s + 1, *p, *c, *m));
            }
            if !*p {
                worse.push((*s, true, *c, *m));
            }
            if let Some(c) = c.filter(|c| *c < 67) {
                worse.push((*s, *p, Some(c + 1), *m));
            }
            if *m + 1 < MEDICAL.len() {
                worse.push((*s, *p, *c, *m + 1));
            }
            monotone &= worse.iter().all(|w| level(w) >= *l);
        }
        // Sound: no violation reported means monotone.
        if a.violations.is_empty() {
            assert!(monotone, "analysis missed a violation:\n{text}\n{a}");
            proved.set(proved.get() + 1);
        } else {
            refuted.set(refuted.get() + 1);
        }
        if !monotone {
            assert!(!a.violations.is_empty());
        } else if !a.violations.is_empty() {
            false_alarms.set(false_alarms.get() + 1);
        }
        // Dead exactly when it never fires.
        for r in pack.rules() {
            let fires = all.iter().any(|(_, _, f)| f.iter().any(|x| x == r.id()));
            let dead = a.dead.iter().any(|d| d == r.id());
            if r.id() != "baseline.outpatient" {
                assert_eq!(dead, !fires, "rule {}:\n{text}\n{a}", r.id());
            }
        }
        // Shadowing: whenever the rule fires, every rule it names fires too.
        for sh in &a.shadowed {
            for (_, by) in &sh.by {
                for (_, _, f) in &all {
                    if f.contains(&sh.rule) {
                        assert!(
                            f.contains(by),
                            "{} not shadowed by {by}:\n{text}\n{a}",
                            sh.rule
                        );
                    }
                }
            }
        }
        // Safety floors: what the analysis guarantees, the engine gives.
        let suicide = a
            .safety
            .iter()
            .find(|s| s.answer == "safety.suicide_risk")
            .unwrap();
        for (i, v) in suicide.values.iter().enumerate() {
            let at = all.iter().filter(|((s, ..), _, _)| *s == i);
            let lowest = at.clone().map(|(_, l, _)| *l).min().unwrap();
            let highest = at.map(|(_, l, _)| *l).max().unwrap();
            assert!(lowest >= v.guaranteed_floor, "{text}\n{a}");
            assert!(highest >= v.highest_floor, "{text}\n{a}");
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // The random packs exercise both outcomes.
    let (proved, refuted, false_alarms) = (proved.get(), refuted.get(), false_alarms.get());
    println!("{proved} proved, {refuted} refuted ({false_alarms} of them monotone after all)");
    assert!(
        proved >= 5 && refuted >= 5,
        "{proved} proved, {refuted} refuted"
    );
}
