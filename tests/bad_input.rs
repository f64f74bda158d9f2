//! Bad input of every kind gives a clear error naming the field or the rule.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::{Intake, IntakeError, ProblemKind, RulePack};

const GOOD: &str = include_str!("../examples/intakes/iop_primary.json");

fn with(path: &[&str], value: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    let mut cur = &mut v;
    for key in &path[..path.len() - 1] {
        cur = &mut cur[*key];
    }
    cur[path[path.len() - 1]] = value;
    v.to_string()
}

#[test]
fn missing_safety_items_are_all_named() {
    let text = include_str!("../examples/intakes/incomplete_missing_safety.json");
    let intake = Intake::from_json(text).unwrap();
    let err = RulePack::builtin().assess(&intake).unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "safety.suicide_risk",
            "safety.psychosis_or_unable_to_self_care",
            "medical.status"
        ]
    );
    assert!(
        err.problems()
            .iter()
            .all(|p| p.kind == ProblemKind::Missing)
    );
    let msg = err.to_string();
    assert!(msg.starts_with("intake has 3 problems: `safety.suicide_risk` is unanswered; a safety item is required and never assumed to be no risk"), "{msg}");
}

#[test]
fn out_of_range_scores_name_field_and_value() {
    let text = with(&["severity", "phq9"], 99.into());
    let intake = Intake::from_json(&text).unwrap();
    let err = RulePack::builtin().assess(&intake).unwrap_err();
    assert_eq!(
        err.to_string(),
        "intake has 1 problem: `severity.phq9` is 99, expected 0-27"
    );

    let text = with(
        &["severity", "substance_use"],
        serde_json::json!([{"substance": "alcohol", "dsm5_criteria": 12}]),
    );
    let err = RulePack::builtin()
        .assess(&Intake::from_json(&text).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "intake has 1 problem: `severity.substance_use[0].dsm5_criteria` is 12, expected 0-11"
    );
}

#[test]
fn every_out_of_range_value_is_reported_at_once() {
    let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    v["age"] = 130.into();
    v["withdrawal"]["ciwa_ar"] = 68.into();
    v["withdrawal"]["cows"] = 49.into();
    v["severity"]["gad7"] = 22.into();
    let err = RulePack::builtin()
        .assess(&Intake::from_json(&v.to_string()).unwrap())
        .unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "age",
            "withdrawal.ciwa_ar",
            "withdrawal.cows",
            "severity.gad7"
        ]
    );
}

#[test]
fn unknown_keys_are_errors_naming_the_path() {
    let text = with(&["home", "substance_fre"], true.into());
    let err = Intake::from_json(&text).unwrap_err();
    match &err {
        IntakeError::Json { path, message, .. } => {
            assert_eq!(path, "home.substance_fre");
            assert!(
                message
                    .starts_with("unknown key `substance_fre`, expected one of `substance_free`"),
                "{message}"
            );
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn wrong_types_and_unknown_choices_name_the_field() {
    // The choice given is not repeated (it may be free text typed into the wrong field).
    let err = Intake::from_json(&with(&["safety", "suicide_risk"], "maybe".into())).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "intake field `safety.suicide_risk`: unknown choice of 5 characters, expected one of `none`"
        ),
        "{err}"
    );
    assert!(!err.to_string().contains("maybe"), "{err}");
    let err = Intake::from_json(&with(&["severity", "phq9"], (-1).into())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("intake field `severity.phq9`: invalid value: integer `-1`"),
        "{err}"
    );
    let err = Intake::from_json("{ not json").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("intake field `.`: key must be a string"),
        "{err}"
    );
}

#[test]
fn free_text_never_reaches_an_error_or_debug() {
    let secret = "I have been hearing voices since my divorce";
    let err = Intake::from_json(&with(&["age"], secret.into())).unwrap_err();
    assert!(!err.to_string().contains("voices"), "{err}");
    assert!(!format!("{err:?}").contains("voices"), "{err:?}");
    assert!(err.to_string().contains("string of 43 characters"), "{err}");
    let mut intake = Intake::from_json(GOOD).unwrap();
    intake.notes = Some(secret.into());
    assert!(!format!("{intake:?}").contains("voices"));
}

const RULE_HEADER: &str = "[pack]\nid = \"t\"\nversion = \"1\"\n";

#[test]
fn a_malformed_rule_file_reports_every_problem_with_its_rule() {
    let text = format!(
        r#"{RULE_HEADER}
[[rule]]
id = "a"
criterion = "safty"
when = {{ answer = "safety.suicide_risks", is = "none" }}
floor = "inpatent"
reason = "r"
source = "seed: \"x\""

[[rule]]
id = "a"
criterion = "safety"
when = {{ answer = "severity.phq9", at_least = 40 }}
services = ["case_managment"]
reason = "r"

[[rule]]
id = "c"
criterion = "safety"
when = {{ answer = "safety.harm_to_others", is = true }}
floor = "php"
reason = "r"
source = "my hunch"
"#
    );
    let err = RulePack::from_toml("bad.toml", &text).unwrap_err();
    let msgs: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    let expect = [
        "bad.toml:7:13: rule `a`: unknown criterion `safty` (did you mean `safety`?)",
        "bad.toml:9:9: rule `a`: unknown level `inpatent` in `floor` (did you mean `inpatient`?)",
        "bad.toml:8:19: rule `a`: `when` reads unknown answer `safety.suicide_risks` (did you mean `safety.suicide_risk`?)",
        "bad.toml:14:6: rule `a`: duplicate rule id `a`",
        "bad.toml:13:1: rule `a`: has no `source`: name a seed section, a public reference, or `product default: <why>`",
        "bad.toml:17:13: rule `a`: unknown service `case_managment` (did you mean `case_management`?)",
        "bad.toml:16:47: rule `a`: `when`: constant 40 is out of range for `severity.phq9` (0-27)",
        "bad.toml:26:10: rule `c`: source `my hunch` must start with `seed:`, `reference:` or `product default:`",
        "bad.toml:23:49: rule `c`: `when`: `safety.harm_to_others` is one of none, ideation, plan_or_intent, not true",
    ];
    for e in expect {
        assert!(msgs.iter().any(|m| m == e), "missing {e:?} in {msgs:#?}");
    }
    // Plus the missing programmes: everything at once, not the first.
    assert!(
        msgs.iter()
            .any(|m| m == "pack: no programme for level `outpatient`"),
        "{msgs:#?}"
    );
    assert!(err.to_string().starts_with("rule pack has "), "{err}");
}

#[test]
fn toml_syntax_errors_name_the_file() {
    let err =
        RulePack::from_sources(&[("one.toml", "[[rule]\n"), ("two.toml", "x = ")]).unwrap_err();
    let files: Vec<&str> = err.problems().iter().map(|p| p.file.as_str()).collect();
    assert!(
        files.contains(&"one.toml") && files.contains(&"two.toml"),
        "{err}"
    );
}

#[test]
fn programmes_below_minimum_hours_are_rejected() {
    let mut sources = carelevel::BUILTIN_SOURCES.to_vec();
    let pack = sources[0].1.replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#).replace(
        "[programme.iop]\n# 3-4 days a week, 3-4 hours a day, 8-12 weeks; 5 days a week for severe conditions;\n# evening sessions for busy schedules. 3 x 3 h = 9 h/week meets the Medicare minimum.\ndays_per_week = 3\nhours_per_day = 3",
        "[programme.iop]\ndays_per_week = 2\nhours_per_day = 3",
    );
    assert_ne!(pack, sources[0].1, "the replacement must apply");
    sources[0] = ("pack.toml", &pack);
    let err = RulePack::from_sources(&sources).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule pack has 1 problem: pack.toml:20:1: programme `iop`: schedule gives 6 h/week, below the 9 h/week minimum for iop"
    );
}

#[test]
fn the_builtin_pack_loads_and_every_rule_has_a_source() {
    let pack = RulePack::try_builtin().unwrap();
    for r in pack.rules() {
        assert!(
            !r.source().is_empty() && !r.reason().is_empty(),
            "{}",
            r.id()
        );
    }
}
