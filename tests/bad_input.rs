//! Bad input of every kind gives a clear error naming the field or the rule.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::{Intake, IntakeError, ProblemKind, RulePack};
use serde_json::Value;

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
            "safety.suicidal_ideation",
            "safety.suicidal_behavior",
            "safety.psychosis",
            "safety.unable_to_self_care",
            "medical.status"
        ]
    );
    assert!(
        err.problems()
            .iter()
            .all(|p| p.kind == ProblemKind::Missing)
    );
    let msg = err.to_string();
    assert!(msg.starts_with("intake has 5 problems: `safety.suicidal_ideation` is unanswered; a safety item is required and never assumed to be no risk"), "{msg}");
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
        &["substance_use"],
        serde_json::json!([{"substance": "alcohol", "dsm5_criteria": 12}]),
    );
    let err = RulePack::builtin()
        .assess(&Intake::from_json(&text).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "intake has 1 problem: `substance_use[0].dsm5_criteria` is 12, expected 0-11"
    );
}

#[test]
fn every_out_of_range_value_is_reported_at_once() {
    let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    v["age"] = 130.into();
    v["substance_use"][0]["ciwa_ar"] = 68.into();
    v["substance_use"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"substance": "opioids", "dsm5_criteria": 12, "cows": 49}));
    v["severity"]["gad7"] = 22.into();
    v["severity"]["conditions"] = serde_json::json!([{"condition": "ptsd", "severity": "mild"}]);
    v["severity"]["days_impaired_past_30"] = 31.into();
    v["history"]["episodes"] =
        serde_json::json!([{"level": "iop", "outcome": "completed", "months_ago": 601}]);
    let err = RulePack::builtin()
        .assess(&Intake::from_json(&v.to_string()).unwrap())
        .unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "age",
            "severity.gad7",
            "severity.days_impaired_past_30",
            // Item by item in the catalogue's order, each over the entries.
            "substance_use[1].dsm5_criteria",
            "substance_use[0].ciwa_ar",
            "substance_use[1].cows",
            "history.episodes[0].months_ago",
        ]
    );
}

/// Ages below 12 are outside the built-in pack's supported range (`min_age = 12`): refused,
/// with exactly one problem, naming `age` as below the supported age; 12 itself is accepted.
#[test]
fn an_age_below_12_is_refused_naming_age_and_12_is_accepted() {
    let pack = RulePack::builtin();
    let young = Intake::from_json(&with(&["age"], 4.into())).unwrap();
    let err = pack.assess(&young).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    assert!(err.problems().iter().all(|p| p.field == "age"), "{err}");
    assert!(
        err.problems()
            .iter()
            .any(|p| matches!(p.kind, ProblemKind::BelowSupportedAge { min: 12 })),
        "{err}"
    );
    assert!(err.to_string().contains("`age`"), "{err}");
    // Not assessed in part either.
    assert!(pack.assess_partial(&young).is_err());

    let twelve = Intake::from_json(&with(&["age"], 12.into())).unwrap();
    pack.assess(&twelve)
        .unwrap_or_else(|e| panic!("age 12 is accepted: {e}"));
}

#[test]
fn unknown_keys_are_errors_naming_the_path() {
    let text = with(&["home", "others_use_substance"], true.into());
    let err = Intake::from_json(&text).unwrap_err();
    match &err {
        IntakeError::Json { path, message, .. } => {
            assert_eq!(path, "home.others_use_substance");
            assert!(
                message.starts_with(
                    "unknown key `others_use_substance`, expected one of `others_use_substances`"
                ),
                "{message}"
            );
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
    // In an entry of a repeating group too.
    let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    v["substance_use"][0]["drinks_a_day"] = 8.into();
    match Intake::from_json(&v.to_string()).unwrap_err() {
        IntakeError::Json { path, message, .. } => {
            assert_eq!(path, "substance_use[0].drinks_a_day");
            assert!(
                message.starts_with("unknown key `drinks_a_day`"),
                "{message}"
            );
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn wrong_types_and_unknown_choices_name_the_field() {
    // The choice given is not repeated (it may be free text typed into the wrong field).
    let err =
        Intake::from_json(&with(&["safety", "suicidal_ideation"], "maybe".into())).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "intake field `safety.suicidal_ideation`: unknown choice of 5 characters, expected one of `none`"
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
when = {{ answer = "safety.suicidal_ideations", is = "none" }}
floor = "inpatent"
reason = "r"
cite = [{{ source = "seed", locator = "x", fact = "f", use = "applied" }}]

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
cite = [{{ source = "../notes/criteria.md", locator = "section 4", fact = "my hunch", use = "guess" }}]
"#
    );
    let err = RulePack::from_toml("bad.toml", &text).unwrap_err();
    let msgs: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    let expect = [
        "bad.toml:7:13: rule `a`: unknown criterion `safty` (did you mean `safety`?)",
        "bad.toml:9:9: rule `a`: unknown level `inpatent` in `floor` (did you mean `inpatient`?)",
        "bad.toml:8:19: rule `a`: `when` reads unknown answer `safety.suicidal_ideations` (did you mean `safety.suicidal_ideation`?)",
        "bad.toml:14:6: rule `a`: duplicate rule id `a`",
        "bad.toml:17:13: rule `a`: unknown service `case_managment` (did you mean `case_management`?)",
        "bad.toml:16:47: rule `a`: `when`: constant 40 is out of range for `severity.phq9` (0-27)",
        "bad.toml:11:38: rule `a`: `locator` must be one of the headings of source `seed`, exactly as written there",
        "bad.toml:26:20: rule `c`: `source` names a file path; cite a publication (title, edition, DOI, CFR section, ISBN or URL), never a local file",
        "bad.toml:26:92: rule `c`: `use` is `guess`, expected applied, extrapolated, local_default",
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
    let line = 1 + pack.lines().position(|l| l == "[programme.iop]").unwrap();
    let err = RulePack::from_sources(&sources).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "rule pack has 1 problem: pack.toml:{line}:1: programme `iop`: schedule gives 6 h/week, below the 9 h/week minimum for iop"
        )
    );
}

#[test]
fn the_builtin_pack_loads_and_every_rule_has_a_source() {
    let pack = RulePack::try_builtin().unwrap();
    for r in pack.rules() {
        assert!(
            !r.citations().is_empty() && !r.reason().is_empty(),
            "{}",
            r.id()
        );
        for c in r.citations() {
            assert!(pack.source(&c.source).is_some(), "{}: {}", r.id(), c.source);
        }
    }
}

// Intake 2: `schema_version`, and the safety items that take `declined` / `unable_to_assess`.

/// The items that take `"declined"` or `"unable_to_assess"` besides their answers: the
/// properties whose JSON Schema admits those two strings, as JSON pointers.
fn declinable_items() -> Vec<String> {
    fn walk(schema: &Value, defs: &Value, at: &str, out: &mut Vec<String>) {
        let resolve = |s: &Value| match s["$ref"].as_str() {
            Some(r) => defs[r.trim_start_matches("#/$defs/")].clone(),
            None => s.clone(),
        };
        let schema = resolve(schema);
        let Some(properties) = schema["properties"].as_object() else {
            return;
        };
        for (key, property) in properties {
            let pointer = format!("{at}/{key}");
            if property
                .to_string()
                .contains(r#"["declined","unable_to_assess"]"#)
            {
                out.push(pointer);
            } else {
                walk(property, defs, &pointer, out);
            }
        }
    }
    let schema = carelevel::schema::intake();
    let mut out = Vec::new();
    walk(&schema, &schema["$defs"], "", &mut out);
    out
}

/// `/safety/suicidal_ideation` as `safety.suicidal_ideation`.
fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn good_with(pointer: &str, value: Value) -> String {
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} is not in the good intake")) = value;
    v.to_string()
}

/// Sets `pointer` in the good intake, creating it and any group above it that the good
/// intake leaves out (`/safety/cssrs/plan`); an index is an entry of a repeating group the
/// good intake has.
fn good_setting(pointer: &str, value: Value) -> String {
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    let mut at = &mut v;
    for key in pointer.trim_start_matches('/').split('/') {
        at = match at {
            Value::Array(entries) => &mut entries[key.parse::<usize>().unwrap()],
            other => &mut other[key],
        };
    }
    *at = value;
    v.to_string()
}

#[test]
fn the_declinable_items_are_the_safety_items() {
    assert_eq!(
        declinable_items(),
        [
            "/home/violence_or_abuse",
            "/medical/injection_use",
            "/medical/overdose",
            "/medical/pregnancy",
            "/medical/status",
            "/safety/cssrs/behavior",
            "/safety/cssrs/behavior_past_3_months",
            "/safety/cssrs/intent",
            "/safety/cssrs/method",
            "/safety/cssrs/nonspecific_thoughts",
            "/safety/cssrs/plan",
            "/safety/cssrs/wish_to_be_dead",
            "/safety/harm_target_identified",
            "/safety/harm_to_others",
            "/safety/lethal_means",
            "/safety/phq9_item9",
            "/safety/psychosis",
            "/safety/self_injury",
            "/safety/suicidal_behavior",
            "/safety/suicidal_ideation",
            "/safety/unable_to_self_care",
            "/withdrawal/delirium_this_episode",
            "/withdrawal/hallucinations_this_episode",
            "/withdrawal/intoxicated_now",
            "/withdrawal/seizure_or_dt_history",
            "/withdrawal/seizure_this_episode",
        ]
    );
}

#[test]
fn declined_and_unable_to_assess_are_read_for_every_declinable_item() {
    let pack = RulePack::builtin();
    for pointer in declinable_items() {
        let field = dotted(&pointer);
        for not_obtained in ["declined", "unable_to_assess"] {
            let intake = Intake::from_json(&good_setting(&pointer, not_obtained.into()))
                .unwrap_or_else(|e| panic!("{field} = {not_obtained}: {e}"));
            // Kept as given, never turned into an answer or dropped.
            let back: Value = serde_json::from_str(&intake.to_json().unwrap()).unwrap();
            assert_eq!(
                back.pointer(&pointer),
                Some(&not_obtained.into()),
                "{field}"
            );
            // Not obtained is not unanswered: nothing is missing, and the intake is assessed.
            assert!(intake.missing_required().is_empty(), "{field}");
            let report = pack.report(&intake);
            assert!(report.is_ok(), "{field} = {not_obtained}: {report:?}");
        }
    }
    // A rule that needs the answer is not evaluated: `declined` is never read as no risk.
    let intake =
        Intake::from_json(&good_with("/safety/suicidal_ideation", "declined".into())).unwrap();
    let report = serde_json::to_value(pack.report(&intake).unwrap()).unwrap();
    let not_evaluated = report["not_evaluated"].as_array().unwrap();
    assert!(
        not_evaluated
            .iter()
            .any(|r| r["missing"] == serde_json::json!(["safety.suicidal_ideation"])),
        "{report}"
    );
}

#[test]
fn a_declinable_item_refuses_any_other_value_naming_the_field_and_never_echoing_it() {
    let strings = [
        "Declined",
        "DECLINED",
        "unable to assess",
        "refused",
        "QZX said he would rather not say",
    ];
    for pointer in declinable_items() {
        let field = dotted(&pointer);
        let mut values: Vec<Value> = vec![
            serde_json::json!({}),
            serde_json::json!({"declined": true}),
            serde_json::json!([1]),
            serde_json::json!(["declined"]),
            serde_json::json!(1.5),
            serde_json::json!(-1),
        ];
        values.extend(strings.iter().map(|s| Value::from(*s)));
        for value in values {
            let err = Intake::from_json(&good_setting(&pointer, value.clone()))
                .expect_err(&format!("{field} = {value}"));
            let IntakeError::Json { path, message, .. } = &err else {
                panic!("{field} = {value}: expected a JSON error, got {err:?}");
            };
            assert_eq!(path, &field, "{value}: {err}");
            if let Some(s) = value.as_str() {
                let debug = format!("{err:?}");
                for shown in [err.to_string(), debug] {
                    assert!(!shown.contains(s), "{field}: `{s}` echoed in {shown}");
                }
                assert!(
                    message.contains(&format!("of {} characters", s.chars().count())),
                    "{field}: {message}"
                );
            }
        }
    }
}

#[test]
fn declined_is_only_for_the_declinable_items() {
    for pointer in [
        "/age",
        "/self_management",
        "/severity/phq9",
        "/history/current_setting",
        "/home/others_use_substances",
        "/home/housing",
        "/engagement/stage_of_change",
        "/substance_use/0/substance",
        "/substance_use/0/ciwa_ar",
        // An instrument's items: a score, never declined (a partial instrument leaves
        // the item out).
        "/severity/phq9_items/interest",
        "/severity/gad7_items/dread",
        "/substance_use/0/ciwa_ar_items/tremor",
        "/substance_use/0/cows_items/pulse",
    ] {
        for not_obtained in ["declined", "unable_to_assess"] {
            let err = Intake::from_json(&good_setting(pointer, not_obtained.into()))
                .expect_err(&format!("{pointer} = {not_obtained}"));
            match &err {
                IntakeError::Json { path, .. } => {
                    let field = dotted(pointer).replace(".0.", "[0].");
                    assert_eq!(path, &field, "{err}");
                }
                other => panic!("{pointer}: expected a JSON error, got {other:?}"),
            }
        }
    }
}

#[test]
fn schema_version_is_required_and_is_2() {
    let pack = RulePack::builtin();
    // Missing (or null): a 0.1 intake, or no intake at all. The message says how to convert.
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v.as_object_mut().unwrap().remove("schema_version");
    for text in [v.to_string(), good_with("/schema_version", Value::Null)] {
        let err = Intake::from_json(&text).unwrap_err();
        assert_eq!(err, IntakeError::Version);
        let message = err.to_string();
        assert!(
            message.starts_with("intake field `schema_version` is missing"),
            "{message}"
        );
        for hint in ["convert_v0_1", "--from-0.1"] {
            assert!(message.contains(hint), "{message}");
        }
        assert_eq!(pack.assess_json(&text).unwrap_err(), IntakeError::Version);
    }
    // Any other version, or the right one as a number: an error naming the field.
    for version in [
        Value::from("0.1"),
        Value::from("1"),
        Value::from("3"),
        Value::from("2.0"),
        Value::from(" 2"),
        Value::from(2),
        Value::from(2.0),
        serde_json::json!(["2"]),
        serde_json::json!({"major": 2}),
    ] {
        let err = Intake::from_json(&good_with("/schema_version", version.clone())).unwrap_err();
        match &err {
            IntakeError::Json { path, .. } => assert_eq!(path, "schema_version", "{version}"),
            other => panic!("{version}: expected a JSON error, got {other:?}"),
        }
    }
    // Only at the top: not inside a group.
    let err = Intake::from_json(&good_setting("/safety/schema_version", "2".into())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("intake field `safety.schema_version`: unknown key"),
        "{err}"
    );
}

/// A real 0.1 intake fails on its 0.1 keys too; what it is told is how to convert it, not
/// which of its keys is unknown.
#[test]
fn every_bundled_0_1_intake_is_refused_saying_how_to_convert_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/v0_1");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            Intake::from_json(&text).unwrap_err(),
            IntakeError::Version,
            "{}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 10);
}

// Item-level scoring: the items of PHQ-9, GAD-7, CIWA-Ar and COWS, and the C-SSRS screener.

/// The JSON error for `text`: its field and message, with both the message and the error's
/// debug form checked never to hold `secret`.
fn json_error_without(text: &str, secret: &str) -> (String, String) {
    let err = Intake::from_json(text).unwrap_err();
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(secret), "`{secret}` echoed in {shown}");
    }
    match err {
        IntakeError::Json { path, message, .. } => (path, message),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn an_item_answer_of_the_wrong_kind_names_the_item_and_is_never_echoed() {
    // A PHQ-9 item is a frequency, not its score. (The message is serde_json's for a
    // plain choice given a number, as for `home.housing`: the field is what is checked.)
    for value in [Value::from(2), Value::from(true)] {
        let (path, _) =
            json_error_without(&good_setting("/severity/phq9_items/interest", value), "QZX");
        assert_eq!(path, "severity.phq9_items.interest");
    }
    // Nor free text.
    let free = "QZX most days, he says";
    let (path, message) = json_error_without(
        &good_setting("/severity/phq9_items/interest", free.into()),
        "QZX",
    );
    assert_eq!(path, "severity.phq9_items.interest");
    assert!(
        message.starts_with(
            "unknown choice of 22 characters, expected one of `not_at_all`, `several_days`, `more_than_half_the_days`, `nearly_every_day`"
        ),
        "{message}"
    );
    // A GAD-7 item likewise.
    let (path, _) = json_error_without(
        &good_setting("/severity/gad7_items/dread", "QZX often".into()),
        "QZX",
    );
    assert_eq!(path, "severity.gad7_items.dread");
    // A screener answer is yes or no (or declined, unable to assess): not "yes", not 1.
    for (value, start) in [
        (Value::from("QZX yes"), "unknown choice of 7 characters"),
        (Value::from(1), "invalid type: integer `1`"),
        (serde_json::json!({"answer": true}), "invalid type: map"),
    ] {
        let (path, message) =
            json_error_without(&good_setting("/safety/cssrs/plan", value.clone()), "QZX");
        assert_eq!(path, "safety.cssrs.plan", "{value}");
        assert!(message.starts_with(start), "{value}: {message}");
    }
    // A CIWA-Ar or COWS item is a number.
    for pointer in [
        "/substance_use/0/ciwa_ar_items/tremor",
        "/substance_use/0/cows_items/pulse",
    ] {
        let (path, message) =
            json_error_without(&good_setting(pointer, "QZX severe".into()), "QZX");
        assert_eq!(path, dotted(pointer).replace(".0.", "[0]."));
        assert!(
            message.starts_with("invalid type: string of 10 characters, expected u32"),
            "{message}"
        );
    }
}

#[test]
fn an_unknown_item_key_is_named_with_the_instrument_s_items() {
    for (pointer, key, first) in [
        (
            "/substance_use/0/ciwa_ar_items/sweats",
            "sweats",
            "nausea_vomiting",
        ),
        (
            "/substance_use/0/cows_items/heart_rate",
            "heart_rate",
            "pulse",
        ),
        // Item 9 is the safety item `safety.phq9_item9`, not one of these.
        ("/severity/phq9_items/item9", "item9", "interest"),
        ("/severity/gad7_items/worry", "worry", "nervous"),
        ("/safety/cssrs/ideation", "ideation", "wish_to_be_dead"),
    ] {
        let (path, message) = json_error_without(&good_setting(pointer, 1.into()), "QZX");
        assert_eq!(path, dotted(pointer).replace(".0.", "[0]."));
        assert!(
            message.starts_with(&format!("unknown key `{key}`, expected one of `{first}`")),
            "{message}"
        );
    }
}

#[test]
fn an_item_score_out_of_its_range_or_scale_names_the_item() {
    let pack = RulePack::builtin();
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v["substance_use"][0]
        .as_object_mut()
        .unwrap()
        .remove("ciwa_ar");
    v["substance_use"][0]["ciwa_ar_items"] = serde_json::json!({"tremor": 8, "orientation": 5});
    v["substance_use"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!(
            {"substance": "opioids", "dsm5_criteria": 4, "cows_items": {"pulse": 5}}
        ));
    let err = pack
        .assess(&Intake::from_json(&v.to_string()).unwrap())
        .unwrap_err();
    let message = err.to_string();
    for named in [
        "`substance_use[0].ciwa_ar_items.tremor` is 8, expected 0-7",
        "`substance_use[0].ciwa_ar_items.orientation` is 5, expected 0-4",
        "`substance_use[1].cows_items.pulse` is 5, expected 0-4",
    ] {
        assert!(message.contains(named), "{named}: {message}");
    }
    let out_of_range: Vec<&str> = err
        .problems()
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::OutOfRange { .. }))
        .map(|p| p.field.as_str())
        .collect();
    assert_eq!(
        out_of_range,
        [
            "substance_use[0].ciwa_ar_items.tremor",
            "substance_use[0].ciwa_ar_items.orientation",
            "substance_use[1].cows_items.pulse"
        ]
    );
    // Every problem names one of the items (none a total scored from out-of-range items).
    for p in err.problems() {
        assert!(out_of_range.contains(&p.field.as_str()), "{p}");
    }
    // Within the range, but a score the item's scale skips: a resting pulse scores 0, 1, 2
    // or 4, never 3.
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v["substance_use"].as_array_mut().unwrap().push(
        serde_json::json!({"substance": "opioids", "dsm5_criteria": 4, "cows_items": {"pulse": 3}}),
    );
    let err = pack
        .assess(&Intake::from_json(&v.to_string()).unwrap())
        .unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    assert_eq!(err.problems()[0].field, "substance_use[1].cows_items.pulse");
    assert!(
        matches!(err.problems()[0].kind, ProblemKind::Conflict { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("(0, 1, 2 or 4)"), "{err}");
    // Below zero is not a score at all.
    let (path, _) = json_error_without(
        &good_setting("/substance_use/0/ciwa_ar_items/tremor", (-1).into()),
        "QZX",
    );
    assert_eq!(path, "substance_use[0].ciwa_ar_items.tremor");
}

#[test]
fn a_total_that_cannot_be_its_items_total_names_both() {
    let pack = RulePack::builtin();
    let refused = |v: &Value| {
        pack.assess(&Intake::from_json(&v.to_string()).unwrap())
            .unwrap_err()
    };
    // Complete items that sum to other than the total given (GAD-7 8).
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v["severity"]["gad7_items"] = serde_json::json!({
        "nervous": "not_at_all", "uncontrolled_worry": "not_at_all",
        "excessive_worry": "not_at_all", "trouble_relaxing": "not_at_all",
        "restlessness": "not_at_all", "irritability": "not_at_all", "dread": "not_at_all"
    });
    let err = refused(&v);
    assert_eq!(
        err.problems()[0].kind,
        ProblemKind::TotalDisagrees {
            given: 8,
            sum: 0,
            complete: true,
            items: "severity.gad7_items".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "intake has 1 problem: `severity.gad7` is 8, but its items (`severity.gad7_items`) sum to 0"
    );
    // A partial PHQ-9 whose answered items already pass the total given (11).
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v["severity"]["phq9_items"] = serde_json::json!({
        "interest": "nearly_every_day", "feeling_down": "nearly_every_day",
        "sleep": "nearly_every_day", "tiredness": "nearly_every_day"
    });
    let err = refused(&v);
    assert_eq!(err.problems()[0].field, "severity.phq9");
    let message = err.to_string();
    for named in [
        "`severity.phq9` is 11",
        "`severity.phq9_items`",
        "`safety.phq9_item9`",
        "12",
    ] {
        assert!(message.contains(named), "{named}: {message}");
    }
    // A partial CIWA-Ar that its missing items could not bring up to the total given (4).
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v["substance_use"][0]["ciwa_ar_items"] = serde_json::json!({"tremor": 7});
    let err = refused(&v);
    assert_eq!(
        err.problems()[0].kind,
        ProblemKind::TotalDisagrees {
            given: 4,
            sum: 7,
            complete: false,
            items: "substance_use[0].ciwa_ar_items".into()
        }
    );
    assert_eq!(err.problems()[0].field, "substance_use[0].ciwa_ar");
    // A total the answered items and the missing ones can make is accepted.
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v["substance_use"][0]["ciwa_ar_items"] = serde_json::json!({"tremor": 3});
    assert!(
        pack.assess(&Intake::from_json(&v.to_string()).unwrap())
            .is_ok()
    );
}

#[test]
fn a_partial_instrument_is_no_total_and_its_missing_items_are_named() {
    let mut v: Value = serde_json::from_str(GOOD).unwrap();
    v["severity"].as_object_mut().unwrap().remove("gad7");
    v["severity"]["gad7_items"] =
        serde_json::json!({"nervous": "nearly_every_day", "dread": "several_days"});
    let intake = Intake::from_json(&v.to_string()).unwrap();
    let report = serde_json::to_value(RulePack::builtin().report(&intake).unwrap()).unwrap();
    let gad7 = report["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["instrument"] == "gad7")
        .unwrap();
    assert_eq!(gad7["total"], Value::Null, "{gad7}");
    assert_eq!(gad7["from"], "items");
    assert_eq!(
        gad7["missing_items"],
        serde_json::json!([
            "severity.gad7_items.uncontrolled_worry",
            "severity.gad7_items.excessive_worry",
            "severity.gad7_items.trouble_relaxing",
            "severity.gad7_items.restlessness",
            "severity.gad7_items.irritability"
        ])
    );
    // Never a silent zero: no rule read a GAD-7 total.
    for fired in report["fired"].as_array().unwrap() {
        for read in fired["answers"].as_array().unwrap() {
            if read["answer"] == "severity.gad7" {
                assert_eq!(read["value"], Value::Null, "{fired}");
            }
        }
    }
}

#[test]
fn the_screener_s_skip_logic_and_the_suicide_items_it_scores_are_checked() {
    let pack = RulePack::builtin();
    let problems = |cssrs: Value, direct: bool| {
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["safety"]["cssrs"] = cssrs;
        if !direct {
            let safety = v["safety"].as_object_mut().unwrap();
            safety.remove("suicidal_ideation");
            safety.remove("suicidal_behavior");
        }
        match pack.assess(&Intake::from_json(&v.to_string()).unwrap()) {
            Ok(_) => vec![],
            Err(e) => e
                .problems()
                .iter()
                .map(|p| (p.field.clone(), p.kind.clone()))
                .collect(),
        }
    };
    let conflict = |p: &[(String, ProblemKind)]| -> Vec<String> {
        p.iter()
            .filter(|(_, k)| matches!(k, ProblemKind::Conflict { .. }))
            .map(|(f, _)| f.clone())
            .collect()
    };
    // A question asked only after a yes, answered after a no.
    let got = problems(
        serde_json::json!({"wish_to_be_dead": false, "nonspecific_thoughts": false,
            "method": true, "behavior": false, "behavior_past_3_months": false}),
        false,
    );
    assert_eq!(
        conflict(&got),
        ["safety.cssrs.method", "safety.cssrs.behavior_past_3_months"]
    );
    // A direct answer beside the screener that disagrees with what it scores (the good
    // intake's `none` and `never`).
    let got = problems(
        serde_json::json!({"wish_to_be_dead": true, "nonspecific_thoughts": false,
            "behavior": true, "behavior_past_3_months": false}),
        true,
    );
    assert_eq!(
        conflict(&got),
        ["safety.suicidal_ideation", "safety.suicidal_behavior"]
    );
    // Standing in for the two items, it must answer them: method, intent and plan follow a
    // yes to non-specific thoughts, and unasked they leave ideation unanswered.
    let got = problems(
        serde_json::json!({"wish_to_be_dead": true, "nonspecific_thoughts": true,
            "behavior": false}),
        false,
    );
    assert_eq!(
        got,
        [("safety.suicidal_ideation".to_owned(), ProblemKind::Missing)]
    );
    // Answered, it stands in for them; declined items leave them not obtained, not missing.
    for cssrs in [
        serde_json::json!({"wish_to_be_dead": true, "nonspecific_thoughts": true,
            "method": false, "intent": false, "plan": false, "behavior": false}),
        serde_json::json!({"wish_to_be_dead": "declined", "nonspecific_thoughts": "unable_to_assess",
            "method": "declined", "intent": "declined", "plan": "declined", "behavior": "declined"}),
    ] {
        assert_eq!(problems(cssrs.clone(), false), [], "{cssrs}");
    }
}

#[test]
fn item_groups_on_a_substance_they_do_not_measure_are_conflicts() {
    let pack = RulePack::builtin();
    for (substance, key, items) in [
        ("alcohol", "cows_items", serde_json::json!({"pulse": 1})),
        (
            "cannabis",
            "ciwa_ar_items",
            serde_json::json!({"tremor": 1}),
        ),
        ("opioids", "ciwa_ar_items", serde_json::json!({"tremor": 1})),
    ] {
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["substance_use"] =
            serde_json::json!([{"substance": substance, "dsm5_criteria": 4, key: items}]);
        let err = pack
            .assess(&Intake::from_json(&v.to_string()).unwrap())
            .unwrap_err();
        let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [format!("substance_use[0].{key}")],
            "{substance}: {err}"
        );
        assert!(
            matches!(err.problems()[0].kind, ProblemKind::Conflict { .. }),
            "{err}"
        );
    }
}
