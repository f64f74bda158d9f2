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
        "[[rule]]\nid = \"{id}\"\ncriterion = \"{criterion}\"\nwhen = {when}\n{effects}\nreason = \"test\"\ncite = [{{ source = \"carelevel-local-defaults\", locator = \"test\", fact = \"A rule written for a test.\", use = \"local_default\" }}]\n\n"
    )
}

fn inst(id: &str, when: &str, effects: &str) -> String {
    rule_in("instrument", id, when, effects)
}

/// Rules that cover every safety answer monotonically, with every non-best value read. Suicide
/// has two axes (ideation in the past month, behaviour), covered as the built-in pack does.
fn cover_suicide() -> String {
    rule(
        "cover.suicide.any",
        r#"{ any = [{ answer = "safety.suicidal_ideation", at_least = "wish_to_be_dead" }, { answer = "safety.suicidal_behavior", at_least = "lifetime" }] }"#,
        r#"services = ["safety_planning"]"#,
    ) + &rule(
        "cover.suicide.intent",
        r#"{ any = [{ answer = "safety.suicidal_ideation", at_least = "intent_without_plan" }, { answer = "safety.suicidal_behavior", is = "past_3_months" }] }"#,
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
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
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
    )
}

fn cover_rest() -> String {
    rule(
        "cover.psychosis",
        r#"{ answer = "safety.psychosis", is = "acute" }"#,
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
    ) + &rule(
        "cover.psychosis.chronic",
        r#"{ answer = "safety.psychosis", is = "chronic_stable" }"#,
        r#"services = ["psychiatric_medication_management"]"#,
    ) + &rule(
        "cover.self_care",
        r#"{ answer = "safety.unable_to_self_care", is = true }"#,
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
    ) + &rule(
        "cover.seizure",
        r#"{ all = [{ answer = "withdrawal.seizure_or_dt_history", is = true }, { answer = "withdrawal.ciwa_ar", at_least = 10 }] }"#,
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
    ) + &rule(
        "cover.seizure.history",
        r#"{ answer = "withdrawal.seizure_or_dt_history", is = true }"#,
        r#"floor = "php""#,
    ) + &rule(
        "cover.withdrawal.now",
        r#"{ any = [{ answer = "withdrawal.seizure_this_episode", is = true }, { answer = "withdrawal.delirium_this_episode", is = true }, { answer = "withdrawal.ciwa_ar", at_least = 19 }] }"#,
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
    ) + &rule(
        "cover.medical.daily",
        r#"{ answer = "medical.status", at_least = "daily_monitoring" }"#,
        r#"floor = "php""#,
    ) + &rule(
        "cover.medical.round_the_clock",
        r#"{ answer = "medical.status", is = "round_the_clock_care" }"#,
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
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
        "safety.suicidal_ideation",
        "safety.suicidal_behavior",
        "safety.harm_to_others",
        "safety.psychosis",
        "safety.unable_to_self_care",
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
    // Suicide, on both axes: the best value guarantees nothing above outpatient, the worst
    // guarantees inpatient by itself.
    for (answer, best, worst) in [
        ("safety.suicidal_ideation", "none", "plan_with_intent"),
        ("safety.suicidal_behavior", "never", "past_3_months"),
    ] {
        let suicide = a.safety.iter().find(|s| s.answer == answer).unwrap();
        let floors: Vec<(&str, Level)> = suicide
            .values
            .iter()
            .map(|v| (v.value.as_str(), v.guaranteed_floor))
            .collect();
        assert_eq!(floors.first(), Some(&(best, Level::Outpatient)), "{answer}");
        assert_eq!(floors.last(), Some(&(worst, Level::Inpatient)), "{answer}");
    }

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
        r#"{ answer = "safety.suicidal_ideation", at_most = "wish_to_be_dead" }"#,
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
            "safety.suicidal_ideation",
            "wish_to_be_dead",
            "nonspecific_active_thoughts"
        )]
    );
    assert!(a.to_string().contains("VIOLATION broken.at_most"));
}

#[test]
fn a_non_monotone_number_with_a_witness_is_caught() {
    // A PHP band with nothing as high just above it (below the inpatient floor at 19) unless
    // there is a seizure history: the witness names the other answers.
    let broken = rule(
        "broken.band",
        r#"{ all = [{ answer = "withdrawal.ciwa_ar", at_least = 10, at_most = 15 }, { answer = "safety.unable_to_self_care", is = false }] }"#,
        r#"floor = "php""#,
    );
    let a = analyze(&mini(&(cover() + &broken)));
    let v: Vec<_> = a
        .violations
        .iter()
        .filter(|v| v.rule == "broken.band")
        .collect();
    assert_eq!(v.len(), 1, "{a}");
    assert_eq!((v[0].from.as_str(), v[0].to.as_str()), ("15", "16"));
    assert!(
        v[0].context
            .contains(&("withdrawal.seizure_or_dt_history".into(), "false".into())),
        "{:?}",
        v[0].context
    );
}

/// `together.method`, and two rules taking over from it at intent_without_plan, split on
/// psychosis: the first when `no_psychosis` holds, the second when acute psychosis is
/// reported.
fn together(no_psychosis: &str) -> String {
    cover_harm()
        + &cover_rest()
        + &rule(
            "together.method",
            r#"{ answer = "safety.suicidal_ideation", is = "method_without_intent" }"#,
            r#"floor = "php""#,
        )
        + &rule(
            "together.intent_no_psychosis",
            &format!(
                r#"{{ all = [{{ answer = "safety.suicidal_ideation", at_least = "intent_without_plan" }}, {no_psychosis}] }}"#
            ),
            r#"floor = "php""#,
        )
        + &rule(
            "together.intent_psychosis",
            r#"{ all = [{ answer = "safety.suicidal_ideation", at_least = "intent_without_plan" }, { answer = "safety.psychosis", is = "acute" }] }"#,
            r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
        )
}

#[test]
fn two_rules_taking_over_together_are_enough() {
    // No single rule takes over from `together.method` at intent_without_plan everywhere
    // (each needs a psychosis answer, or its absence), but between them they always do: the
    // joint check proves it, and names the first rule that fires on each side.
    let rules = together(
        r#"{ any = [{ answer = "safety.psychosis", at_most = "chronic_stable" }, { answer = "safety.psychosis", answered = false }] }"#,
    );
    let a = analyze(&mini(&rules));
    assert!(a.violations.is_empty(), "{a}");
    let c = a
        .compensated
        .iter()
        .find(|c| c.rule == "together.method")
        .unwrap();
    // (`cover.seizure.history`, a PHP floor of its own, is the first to fire wherever a
    // seizure history is reported without psychosis; with inability to care for oneself now
    // an answer of its own, `cover.self_care` is the first where it is reported, and the
    // harm and medical floors, earlier in pack order, where those are.)
    assert_eq!(
        c.by,
        [
            "cover.harm.plan",
            "cover.psychosis",
            "cover.self_care",
            "cover.seizure.history",
            "cover.medical.daily",
            "together.intent_no_psychosis"
        ]
    );

    // A safety item may be declined (read as unknown, which no test of its value matches):
    // two rules that split on its given answers alone leave the declined case uncovered, and
    // the witness says so.
    let rules = together(r#"{ answer = "safety.psychosis", at_most = "chronic_stable" }"#);
    let a = analyze(&mini(&rules));
    let v: Vec<_> = a
        .violations
        .iter()
        .map(|v| (v.rule.as_str(), v.from.as_str(), v.to.as_str()))
        .collect();
    assert_eq!(
        v,
        [(
            "together.method",
            "method_without_intent",
            "intent_without_plan"
        )],
        "{a}"
    );
    assert!(
        a.violations[0]
            .context
            .contains(&("safety.psychosis".into(), "absent".into())),
        "{a}"
    );
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
            r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
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
        r#"{ all = [{ answer = "safety.suicidal_ideation", at_least = "plan_with_intent" }, { answer = "safety.suicidal_ideation", at_most = "none" }] }"#,
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
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
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
    );
    let a = analyze(&mini(&(cover() + &duplicate)));
    let shadowed: Vec<&str> = a.shadowed.iter().map(|s| s.rule.as_str()).collect();
    // Duplicates shadow each other.
    assert_eq!(shadowed, ["cover.harm.plan", "broken.duplicate"]);
    // Every effect, the 24-hour setting included, is produced by the other.
    assert_eq!(
        a.shadowed[1].by,
        [
            ("floor inpatient".to_owned(), "cover.harm.plan".to_owned()),
            (
                "setting clinically_managed_residential_high".to_owned(),
                "cover.harm.plan".to_owned()
            )
        ]
    );
}

#[test]
fn a_rule_naming_another_setting_is_not_shadowed() {
    // The same floor under the same condition, but a setting listed before the other's: it
    // wins the setting, so it is not redundant (and the other one is: its setting never wins).
    let psychiatric = rule(
        "setting.psychiatric",
        r#"{ answer = "safety.harm_to_others", is = "plan_or_intent" }"#,
        r#"floor = "inpatient"
setting = "inpatient_psychiatric""#,
    );
    let a = analyze(&mini(&(cover() + &psychiatric)));
    let shadowed: Vec<&str> = a.shadowed.iter().map(|s| s.rule.as_str()).collect();
    assert_eq!(shadowed, ["cover.harm.plan"], "{a}");
}

#[test]
fn a_rule_shadowed_by_a_broader_one_is_caught_per_effect() {
    // Every effect is covered, by two different rules.
    let narrow = rule(
        "broken.narrow",
        r#"{ answer = "safety.suicidal_ideation", at_least = "plan_with_intent" }"#,
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
        r#"{ answer = "safety.suicidal_ideation", at_least = "plan_with_intent" }"#,
        "floor = \"php\"\nurgency = \"same_day\"",
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
        r#"{ answer = "safety.suicidal_ideation", is = "nonspecific_active_thoughts" }"#,
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
            "safety.suicidal_ideation",
            "nonspecific_active_thoughts",
            Level::Php,
            "method_without_intent",
            Level::Outpatient
        )]
    );
    assert!(!a.is_proved_safe());
    assert!(a.to_string().contains("DROP safety.suicidal_ideation"));
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
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
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
// Not applicable: a withdrawal scale for a person who uses no substance it measures is
// answered, yet no test of its value holds. The analysis explores it as a value of its own.
// ---------------------------------------------------------------------------------------

/// An intake with this suicidal ideation and this substance list (JSON), nothing else at risk.
fn with_ideation(ideation: &str, substance_use: &str) -> carelevel::Intake {
    carelevel::Intake::from_json(&format!(
        r#"{{ "schema_version": "2", "age": 30,
        "safety": {{ "suicidal_ideation": "{ideation}", "suicidal_behavior": "never", "harm_to_others": "none", "psychosis": "none", "unable_to_self_care": false }},
        "withdrawal": {{ "seizure_or_dt_history": false }},
        "substance_use": {substance_use},
        "medical": {{ "status": "stable" }},
        "self_management": "independent",
        "history": {{ "current_setting": "none", "episodes": [] }} }}"#
    ))
    .unwrap()
}

#[test]
fn a_violation_only_where_a_scale_is_not_applicable_is_caught() {
    // With any CIWA-Ar score, `na.scored` takes over from `na.answered_low` as ideation
    // worsens; absent, neither fires. Not applicable is answered (so `na.answered_low` fires)
    // but no test of its value holds (so `na.scored` does not): only there does the level drop.
    let rules = cover()
        + &rule(
            "na.answered_low",
            r#"{ all = [{ answer = "withdrawal.ciwa_ar", answered = true }, { answer = "safety.suicidal_ideation", at_most = "wish_to_be_dead" }] }"#,
            r#"floor = "php""#,
        )
        + &rule(
            "na.scored",
            r#"{ all = [{ answer = "withdrawal.ciwa_ar", at_least = 0 }, { answer = "safety.suicidal_ideation", at_least = "nonspecific_active_thoughts" }] }"#,
            r#"floor = "php""#,
        );
    let pack = mini(&rules);
    let a = analyze(&pack);
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
    assert_eq!(
        v,
        [(
            "na.answered_low",
            "safety.suicidal_ideation",
            "wish_to_be_dead",
            "nonspecific_active_thoughts"
        )],
        "{a}"
    );
    let ciwa = a.violations[0]
        .context
        .iter()
        .find(|(answer, _)| answer == "withdrawal.ciwa_ar")
        .map(|(_, v)| v.as_str());
    assert_eq!(ciwa, Some("not_applicable"), "{a}");
    assert!(!a.is_proved_safe());

    // The engine agrees: no alcohol or sedatives listed, the level drops as ideation worsens;
    // with a score, it does not.
    let level = |ideation: &str, substance_use: &str| {
        pack.assess(&with_ideation(ideation, substance_use))
            .unwrap()
            .level()
    };
    assert_eq!(level("wish_to_be_dead", "[]"), Level::Php);
    assert_eq!(
        level("nonspecific_active_thoughts", "[]"),
        Level::Outpatient
    );
    let scored = r#"[{ "substance": "alcohol", "dsm5_criteria": 4, "ciwa_ar": 3 }]"#;
    assert_eq!(level("wish_to_be_dead", scored), Level::Php);
    assert_eq!(level("nonspecific_active_thoughts", scored), Level::Php);
}

#[test]
fn not_applicable_is_not_a_step_of_a_scale() {
    // Not applicable is not ordered against scores: a floor for any CIWA-Ar score measured is
    // monotone in the score, and a person who uses neither alcohol nor sedatives is not a
    // "worse" score (what changes is the substance list).
    let rules = cover()
        + &rule(
            "na.any_score",
            r#"{ answer = "withdrawal.ciwa_ar", at_least = 0 }"#,
            r#"floor = "iop""#,
        );
    let a = analyze(&mini(&rules));
    assert!(a.violations.is_empty(), "{a}");
    assert!(a.is_proved_safe(), "{a}");
    // The scale's values are its scores at the cut points, never "not_applicable".
    let ciwa = a
        .safety
        .iter()
        .find(|s| s.answer == "withdrawal.ciwa_ar")
        .unwrap();
    assert!(
        ciwa.values.iter().all(|v| v.value.parse::<u32>().is_ok()),
        "{a}"
    );
}

// ---------------------------------------------------------------------------------------
// The analysis against brute force: random small packs over four answers, whose whole joint
// space (every CIWA-Ar score, not applicable and absent included, and each safety answer
// declined) the engine can assess intake by intake.
// ---------------------------------------------------------------------------------------

const SUICIDE: [&str; 6] = [
    "none",
    "wish_to_be_dead",
    "nonspecific_active_thoughts",
    "method_without_intent",
    "intent_without_plan",
    "plan_with_intent",
];
const MEDICAL: [&str; 3] = ["stable", "daily_monitoring", "round_the_clock_care"];

/// A condition on one of the four answers.
fn atom() -> BoxedStrategy<String> {
    let s = || prop::sample::select(SUICIDE.to_vec());
    let m = || prop::sample::select(MEDICAL.to_vec());
    let c = || prop::sample::select(vec![0u32, 1, 9, 10, 18, 19, 40, 67]);
    let suicide = prop_oneof![
        s().prop_map(|v| format!(r#"{{ answer = "safety.suicidal_ideation", at_least = "{v}" }}"#)),
        s().prop_map(|v| format!(r#"{{ answer = "safety.suicidal_ideation", at_most = "{v}" }}"#)),
        s().prop_map(|v| format!(r#"{{ answer = "safety.suicidal_ideation", is = "{v}" }}"#)),
        (s(), s()).prop_map(|(a, b)| format!(
            r#"{{ answer = "safety.suicidal_ideation", in = ["{a}", "{b}"] }}"#
        )),
    ];
    let self_care = any::<bool>()
        .prop_map(|v| format!(r#"{{ answer = "safety.unable_to_self_care", is = {v} }}"#));
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
    prop_oneof![suicide, self_care, ciwa, medical].boxed()
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
        r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
        "floor = \"php\"\nurgency = \"same_day\"",
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

/// CIWA-Ar as an intake 2 gives it: not asked (no substance list), not applicable (no
/// alcohol or sedatives listed), or a score on the alcohol entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ciwa {
    Absent,
    NotApplicable,
    Score(u32),
}

/// A point of the four answers: suicidal ideation rank, inability to care for oneself,
/// CIWA-Ar, medical status rank; `None` is a safety item declined.
type Point = (Option<usize>, Option<bool>, Ciwa, Option<usize>);

/// Every intake over the four answers, each safety item also declined (read as unknown).
fn every_intake() -> &'static [(Point, carelevel::Intake)] {
    static ALL: std::sync::LazyLock<Vec<(Point, carelevel::Intake)>> = std::sync::LazyLock::new(
        || {
            let declined = "\"declined\"".to_owned();
            let quoted = |s: &str| format!("\"{s}\"");
            let mut out = Vec::new();
            let suicide = std::iter::once(None).chain((0..SUICIDE.len()).map(Some));
            for s in suicide {
                for p in [None, Some(false), Some(true)] {
                    let ciwas = [Ciwa::Absent, Ciwa::NotApplicable]
                        .into_iter()
                        .chain((0..=67).map(Ciwa::Score));
                    for c in ciwas {
                        for m in std::iter::once(None).chain((0..MEDICAL.len()).map(Some)) {
                            let ideation = s.map_or(declined.clone(), |s| quoted(SUICIDE[s]));
                            let self_care = p.map_or(declined.clone(), |p| p.to_string());
                            let medical = m.map_or(declined.clone(), |m| quoted(MEDICAL[m]));
                            let substance_use = match c {
                                Ciwa::Absent => String::new(),
                                Ciwa::NotApplicable => r#""substance_use": [],"#.to_owned(),
                                Ciwa::Score(c) => format!(
                                    r#""substance_use": [{{ "substance": "alcohol", "dsm5_criteria": 0, "ciwa_ar": {c} }}],"#
                                ),
                            };
                            let json = format!(
                                r#"{{ "schema_version": "2", "age": 30,
                                "safety": {{ "suicidal_ideation": {ideation}, "suicidal_behavior": "never", "harm_to_others": "none", "psychosis": "none", "unable_to_self_care": {self_care} }},
                                "withdrawal": {{ "seizure_or_dt_history": false }},
                                {substance_use}
                                "medical": {{ "status": {medical} }},
                                "self_management": "independent",
                                "history": {{ "current_setting": "none" }} }}"#
                            );
                            let intake = carelevel::Intake::from_json(&json)
                                .unwrap_or_else(|e| panic!("{e}: {json}"));
                            out.push(((s, p, c, m), intake));
                        }
                    }
                }
            }
            out
        },
    );
    &ALL
}

fn brute(pack: &RulePack) -> Vec<(Point, Level, Vec<String>)> {
    every_intake()
        .iter()
        .map(|(point, intake)| {
            let rec = pack.assess(intake).unwrap();
            let fired = rec.fired_rules().map(|r| r.id().to_owned()).collect();
            (*point, rec.level(), fired)
        })
        .collect()
}

/// Whether a point gives `answer` the value the analysis shows as `value`.
fn at_value(point: &Point, answer: &str, value: &str) -> bool {
    let (s, p, c, m) = *point;
    let rank = |list: &[&str]| list.iter().position(|x| *x == value);
    match answer {
        "safety.suicidal_ideation" => s.is_some() && s == rank(&SUICIDE),
        "safety.unable_to_self_care" => p.map(|p| p.to_string()).as_deref() == Some(value),
        "withdrawal.ciwa_ar" => value.parse().is_ok_and(|n: u32| c == Ciwa::Score(n)),
        "medical.status" => m.is_some() && m == rank(&MEDICAL),
        other => panic!("{other} is fixed in the brute-force space"),
    }
}

/// The answers the brute-force space varies (the others are fixed at their best value).
const VARIED: [&str; 4] = [
    "safety.suicidal_ideation",
    "safety.unable_to_self_care",
    "withdrawal.ciwa_ar",
    "medical.status",
];

#[test]
fn the_analysis_is_sound_against_brute_force_on_random_packs() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;

    let (proved, refuted, false_alarms) = (Cell::new(0), Cell::new(0), Cell::new(0));
    // Roughly one random pack in ten is proved (the seed is random): 200 of them make "at
    // least 5 of each" hold whatever the seed (40 fell short now and then).
    let mut runner = TestRunner::new(Config {
        cases: 200,
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
        // Monotone in every answer (given values only: declined, absent and not applicable
        // are not ordered against them), by brute force.
        let mut monotone = true;
        for ((s, p, c, m), l, _) in &all {
            let mut worse = Vec::new();
            if let Some(s) = s.filter(|s| s + 1 < SUICIDE.len()) {
                worse.push((Some(s + 1), *p, *c, *m));
            }
            if *p == Some(false) {
                worse.push((*s, Some(true), *c, *m));
            }
            if let Ciwa::Score(c) = c {
                if *c < 67 {
                    worse.push((*s, *p, Ciwa::Score(c + 1), *m));
                }
            }
            if let Some(m) = m.filter(|m| m + 1 < MEDICAL.len()) {
                worse.push((*s, *p, *c, Some(m + 1)));
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
        // Safety floors: what the analysis guarantees, the engine gives, for every value of
        // every safety answer it lists that the space varies.
        let varied = a
            .safety
            .iter()
            .filter(|s| VARIED.contains(&s.answer.as_str()));
        assert!(varied.clone().count() > 0, "{text}\n{a}");
        for answer in varied {
            for v in &answer.values {
                let at: Vec<Level> = all
                    .iter()
                    .filter(|(point, _, _)| at_value(point, &answer.answer, &v.value))
                    .map(|(_, l, _)| *l)
                    .collect();
                let (lowest, highest) = (at.iter().min().unwrap(), at.iter().max().unwrap());
                let what = format!("{}={}", answer.answer, v.value);
                assert!(*lowest >= v.guaranteed_floor, "{what}:\n{text}\n{a}");
                assert!(*highest >= v.highest_floor, "{what}:\n{text}\n{a}");
            }
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

// ---------------------------------------------------------------------------------------
// (e) Safety guarantees: the floor each high-risk value sets in every context.

/// The review's packs (finding S5), in today's format: `rules/safety.toml` with every suicide
/// rule that sets a floor also gated on `extra` (a condition), as `tests/packs/<file>` holds it.
fn gated_safety(what: &str, extra: &str) -> String {
    let mut out = format!(
        "# Test fixture (review finding S5): rules/safety.toml with every suicide rule that sets a\n\
         # floor also gated on {what}. A pack like this must not be proved safe. Regenerate with\n\
         # UPDATE_PACKS=1 cargo test --all-features --test analysis fixtures\n\n"
    );
    let text = include_str!("../rules/safety.toml");
    let blocks: Vec<&str> = text.split("[[rule]]").collect();
    out.push_str(blocks[0]);
    for block in &blocks[1..] {
        out.push_str("[[rule]]");
        let gate = block.contains("\nid = \"safety.suicide.") && block.contains("\nfloor = ");
        if !gate {
            out.push_str(block);
            continue;
        }
        let lines: Vec<&str> = block.split_inclusive('\n').collect();
        let start = lines.iter().position(|l| l.starts_with("when = ")).unwrap();
        let end = (start + 1..lines.len())
            .find(|i| {
                let l = lines[*i];
                l.split(" = ").next().is_some_and(|k| {
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                })
            })
            .unwrap();
        let expr: String = lines[start..end].concat();
        let expr = expr.trim_start_matches("when = ").trim_end();
        out.push_str(&lines[..start].concat());
        out.push_str(&format!("when = {{ all = [\n  {expr},\n  {extra},\n] }}\n"));
        out.push_str(&lines[end..].concat());
    }
    out
}

const V7: (&str, &str, &str) = (
    "v7_safety_gated_on_phq9.toml",
    "a PHQ-9 being given",
    r#"{ answer = "severity.phq9", answered = true }"#,
);
const V8: (&str, &str, &str) = (
    "v8_safety_gated_on_age.toml",
    "age 18 or more",
    r#"{ answer = "age", at_least = 18 }"#,
);

fn fixture_path(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/packs")
        .join(file)
}

#[test]
fn fixtures_are_todays_safety_rules_with_the_review_gates() {
    for (file, what, extra) in [V7, V8] {
        let want = gated_safety(what, extra);
        let path = fixture_path(file);
        if std::env::var_os("UPDATE_PACKS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{file} is stale: regenerate with UPDATE_PACKS=1 cargo test --all-features --test analysis fixtures"
        );
        // Two suicide rules are gated, and nothing else.
        assert_eq!(want.matches(extra).count(), 2, "{file}");
    }
}

/// The built-in files with `safety.toml` replaced by the fixture `file`, under a test id.
fn review_pack(file: &str) -> RulePack {
    let safety = std::fs::read_to_string(fixture_path(file)).unwrap();
    let mut sources: Vec<(&str, &str)> = vec![("pack.toml", pack_toml())];
    for (name, text) in BUILTIN_SOURCES {
        match *name {
            "pack.toml" => {}
            "safety.toml" => sources.push((file, &safety)),
            _ => sources.push((name, text)),
        }
    }
    RulePack::from_sources(&sources).unwrap_or_else(|e| panic!("{file} loads: {e}"))
}

/// The failing guarantees of an analysis, as `answer=value`.
fn failing(a: &Analysis) -> Vec<String> {
    a.guarantees
        .iter()
        .filter(|g| !g.holds)
        .map(|g| format!("{}={}", g.answer, g.value))
        .collect()
}

#[test]
fn suicide_rules_gated_on_age_or_phq9_fail_with_a_counter_example() {
    for ((file, _, _), witness) in [(V8, ("age", "12")), (V7, ("severity.phq9", "absent"))] {
        let a = analyze(&review_pack(file));
        let text = a.to_string();
        assert!(!a.is_proved_safe(), "{file}\n{text}");
        assert!(text.contains("NOT PROVED"), "{text}");
        let suicide: Vec<String> = failing(&a)
            .into_iter()
            .filter(|g| g.starts_with("safety."))
            .collect();
        assert_eq!(
            suicide,
            [
                "safety.suicidal_ideation=intent_without_plan",
                "safety.suicidal_ideation=plan_with_intent",
                "safety.suicidal_behavior=past_3_months",
            ],
            "{file}\n{text}"
        );
        for g in a
            .guarantees
            .iter()
            .filter(|g| g.answer.starts_with("safety.suicidal"))
        {
            assert_eq!(g.floor, Level::Outpatient);
            assert!(g.exact);
            let w = (witness.0.to_owned(), witness.1.to_owned());
            assert!(
                g.counterexample.contains(&w),
                "{file}: {:?}",
                g.counterexample
            );
        }
        assert!(
            text.contains(
                "FAIL safety.suicidal_ideation=plan_with_intent: only outpatient guaranteed (e.g. with"
            ) && text.contains(&format!("{}={}", witness.0, witness.1)),
            "{text}"
        );
        // The other safety answers still hold.
        for g in a
            .guarantees
            .iter()
            .filter(|g| g.answer.starts_with("safety.") && !g.answer.starts_with("safety.suicidal"))
        {
            assert!(g.holds && g.floor == Level::Inpatient, "{file}: {g:?}");
        }
    }
}

#[test]
fn the_builtin_pack_guarantees_a_floor_for_every_high_risk_value() {
    let a = analyze(&RulePack::try_builtin().unwrap());
    assert_eq!(a.guarantees.len(), carelevel::analysis::HIGH_RISK.len());
    for g in &a.guarantees {
        assert!(g.exact, "{g:?}");
    }
    for (answer, value, floor) in [
        (
            "safety.suicidal_ideation",
            "intent_without_plan",
            Level::Inpatient,
        ),
        (
            "safety.suicidal_ideation",
            "plan_with_intent",
            Level::Inpatient,
        ),
        (
            "safety.suicidal_behavior",
            "past_3_months",
            Level::Inpatient,
        ),
        ("safety.harm_to_others", "plan_or_intent", Level::Inpatient),
        ("safety.psychosis", "acute", Level::Inpatient),
        ("safety.unable_to_self_care", "true", Level::Inpatient),
        ("withdrawal.ciwa_ar", ">=19", Level::Inpatient),
        ("medical.status", "daily_monitoring", Level::Php),
        ("medical.status", "round_the_clock_care", Level::Inpatient),
    ] {
        let g = a
            .guarantees
            .iter()
            .find(|g| g.answer == answer && g.value == value)
            .unwrap();
        assert_eq!((g.floor, g.holds), (floor, true), "{answer}={value}\n{a}");
        assert!(!g.rules.is_empty());
    }
    assert_eq!(failing(&a), Vec::<String>::new(), "{a}");
}

/// A source record, so that an exemption can cite it.
const TEST_SOURCE: &str = r#"
[source]
id = "test-source"
kind = "local_default"
title = "Test"
publisher = "carelevel tests"
edition = "1"
identifier = "none"
"#;

fn with_exemption(exemption: &str) -> Result<RulePack, carelevel::PackError> {
    let rules = cover() + exemption;
    RulePack::from_sources(&[
        ("pack.toml", pack_toml()),
        ("source.toml", TEST_SOURCE),
        ("test.toml", &rules),
    ])
}

fn exemption(given: &str, source: &str) -> String {
    format!(
        "[[guarantee_exemption]]\nanswer = \"withdrawal.seizure_or_dt_history\"\nvalue = true\n{given}\nreason = \"test\"\nsource = \"{source}\"\n"
    )
}

#[test]
fn an_exemption_narrows_a_guarantee_and_is_reported() {
    let value = |a: &Analysis| {
        a.guarantees
            .iter()
            .find(|g| g.answer == "withdrawal.seizure_or_dt_history")
            .unwrap()
            .clone()
    };
    // cover_rest()'s seizure rules: a history sets php alone, inpatient from CIWA-Ar 10.
    let a = analyze(&with_exemption("").unwrap());
    assert_eq!(value(&a).floor, Level::Php, "{a}");
    // Where CIWA-Ar is at least 10, the history guarantees inpatient.
    let narrowed = exemption(
        r#"given = { answer = "withdrawal.ciwa_ar", at_least = 10 }"#,
        "test-source",
    );
    let a = analyze(&with_exemption(&narrowed).unwrap());
    let g = value(&a);
    assert_eq!((g.floor, g.holds), (Level::Inpatient, true), "{a}");
    assert!(
        g.exemption
            .as_ref()
            .is_some_and(|e| e.narrowed && e.source == "test-source")
    );
    let text = a.to_string();
    assert!(
        text.contains("GUARANTEE withdrawal.seizure_or_dt_history=true: at least inpatient in every context where the exemption's `given` holds")
            && text.contains("exemption (test-source): test"),
        "{text}"
    );
    assert!(a.is_proved_safe(), "{a}");
}

#[test]
fn an_exemption_does_not_hide_a_failing_guarantee_where_its_given_holds() {
    // The history alone guarantees nothing in this pack; an exemption narrowed to CIWA-Ar
    // 5 or more still fails at 5-9, with the counter-example.
    let rules = cover_suicide()
        + &cover_harm()
        + &rule(
            "cover.seizure",
            r#"{ all = [{ answer = "withdrawal.seizure_or_dt_history", is = true }, { answer = "withdrawal.ciwa_ar", at_least = 10 }] }"#,
            r#"floor = "inpatient"
setting = "clinically_managed_residential_high""#,
        )
        + &exemption(
            r#"given = { answer = "withdrawal.ciwa_ar", at_least = 5 }"#,
            "test-source",
        );
    let pack = RulePack::from_sources(&[
        ("pack.toml", pack_toml()),
        ("source.toml", TEST_SOURCE),
        ("test.toml", &rules),
    ])
    .unwrap();
    let a = analyze(&pack);
    let g = a
        .guarantees
        .iter()
        .find(|g| g.answer == "withdrawal.seizure_or_dt_history")
        .unwrap();
    assert!(!g.holds && g.floor == Level::Outpatient, "{a}");
    assert!(
        g.counterexample
            .iter()
            .any(|(k, v)| k == "withdrawal.ciwa_ar" && ["5", "6", "9"].contains(&v.as_str())),
        "{:?}",
        g.counterexample
    );
    assert!(!a.is_proved_safe());
}

#[test]
fn an_exemption_without_a_known_source_or_high_risk_value_is_a_pack_error() {
    use carelevel::pack::PackProblemKind;
    let err = with_exemption(&exemption("", "no-such-source")).unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| p.kind == PackProblemKind::InvalidSource
                && p.path.as_deref() == Some("guarantee_exemption[0].source")),
        "{err}"
    );
    let not_high = "[[guarantee_exemption]]\nanswer = \"safety.suicidal_ideation\"\nvalue = \"wish_to_be_dead\"\nreason = \"test\"\nsource = \"test-source\"\n";
    let err = with_exemption(not_high).unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| p.kind == PackProblemKind::InvalidValue),
        "{err}"
    );
    let bad_given = exemption(
        r#"given = { answer = "no.such_answer", is = true }"#,
        "test-source",
    );
    assert!(with_exemption(&bad_given).is_err());
    let twice = exemption("", "test-source") + &exemption("", "test-source");
    assert!(with_exemption(&twice).is_err());
}

#[test]
fn an_exemption_without_given_lifts_the_check_and_says_so() {
    let rules = cover_suicide() + &cover_harm() + &exemption("", "test-source");
    let pack = RulePack::from_sources(&[
        ("pack.toml", pack_toml()),
        ("source.toml", TEST_SOURCE),
        ("test.toml", &rules),
    ])
    .unwrap();
    let a = analyze(&pack);
    let text = a.to_string();
    assert!(
        text.contains("EXEMPT withdrawal.seizure_or_dt_history=true: not checked"),
        "{text}"
    );
    assert!(text.contains("exemption (test-source): test"), "{text}");
}

#[cfg(feature = "proptest")]
/// Sets a built-in answer (a choice or yes/no item at its intake path) through the JSON form.
fn with_answer(intake: &carelevel::Intake, answer: &str, value: &str) -> carelevel::Intake {
    let mut json = serde_json::to_value(intake).unwrap();
    let mut at = &mut json;
    for key in answer.split('.') {
        if at.get(key).is_none() {
            at[key] = serde_json::json!({});
        }
        at = &mut at[key];
    }
    *at = match value {
        "true" => serde_json::Value::Bool(true),
        v => serde_json::Value::String(v.to_owned()),
    };
    serde_json::from_value(json).unwrap()
}

#[cfg(feature = "proptest")]
/// The intake moved inside the `given` of the built-in pack's one narrowed exemption
/// (`withdrawal.seizure_or_dt_history`: a recent alcohol or sedative use disorder), by listing
/// a recent alcohol use disorder in place of any alcohol entry it had. A guarantee narrowed by
/// an exemption holds only there.
fn inside_the_exemption(intake: &carelevel::Intake, answer: &str) -> carelevel::Intake {
    assert_eq!(
        answer, "withdrawal.seizure_or_dt_history",
        "a new narrowed exemption: teach this test its `given`"
    );
    let mut json = serde_json::to_value(intake).unwrap();
    let mut list: Vec<serde_json::Value> = json["substance_use"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    list.retain(|s| s["substance"] != "alcohol");
    list.push(serde_json::json!({
        "substance": "alcohol",
        "severity": "severe",
        "hours_since_last_use": 24
    }));
    json["substance_use"] = serde_json::Value::Array(list);
    serde_json::from_value(json).unwrap()
}

#[cfg(feature = "proptest")]
#[test]
fn a_guaranteed_floor_is_never_above_the_level_of_a_complete_intake_with_that_value() {
    use proptest::test_runner::{Config, TestRunner};
    let packs = [
        RulePack::try_builtin().unwrap(),
        review_pack(V7.0),
        review_pack(V8.0),
    ];
    // Each pack's exemptions are the built-in one, which `inside_the_exemption` knows.
    for pack in &packs {
        let exemptions: Vec<(&str, &str, bool)> = pack
            .exemptions()
            .iter()
            .map(|e| (e.answer(), e.value(), e.has_given()))
            .collect();
        assert_eq!(
            exemptions,
            [("withdrawal.seizure_or_dt_history", "true", true)]
        );
    }
    let analyses: Vec<Analysis> = packs.iter().map(analyze).collect();
    let narrowed_checked = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: 300,
        source_file: Some(file!()),
        ..Config::default()
    });
    let checked = std::cell::Cell::new(0usize);
    runner
        .run(&carelevel::strategies::intake(), |intake| {
            // Complete: no safety answer declined or unable to assess.
            let json = serde_json::to_string(&intake).unwrap();
            if json.contains("\"declined\"") || json.contains("\"unable_to_assess\"") {
                return Ok(());
            }
            for (pack, a) in packs.iter().zip(&analyses) {
                for g in &a.guarantees {
                    if g.value.starts_with(">=") {
                        continue;
                    }
                    let mut i = with_answer(&intake, &g.answer, &g.value);
                    let narrowed = g.exemption.as_ref().is_some_and(|e| e.narrowed);
                    if narrowed {
                        i = inside_the_exemption(&i, &g.answer);
                    }
                    let Ok(rec) = pack.assess(&i) else { continue };
                    if narrowed {
                        narrowed_checked.set(narrowed_checked.get() + 1);
                    }
                    prop_assert!(
                        rec.level() >= g.floor,
                        "{}={}: guaranteed {} but this intake gets {}",
                        g.answer,
                        g.value,
                        g.floor,
                        rec.level()
                    );
                    checked.set(checked.get() + 1);
                }
            }
            Ok(())
        })
        .unwrap();
    assert!(checked.get() > 500, "only {} checked", checked.get());
    assert!(
        narrowed_checked.get() > 100,
        "only {} checked inside an exemption",
        narrowed_checked.get()
    );
}
