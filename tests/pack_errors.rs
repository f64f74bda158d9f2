//! Errors a pack author and an integrator can act on: every pack problem carries its kind, its
//! file, the rule (or rating, score, programme) and its id, the TOML key path, the line and
//! column, and the did-you-mean suggestion as data; intake JSON errors carry their line and
//! column. And all of it serialises.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::pack::{BUILTIN_ID, PackProblem, PackProblemKind, Span};
use carelevel::{BUILTIN_SOURCES, Intake, IntakeError, PackError, RulePack};
use serde_json::json;
use std::collections::BTreeSet;

/// The built-in `pack.toml` (identity and programmes) under a test id.
fn pack_toml() -> String {
    BUILTIN_SOURCES[0]
        .1
        .replacen(&format!("id = \"{BUILTIN_ID}\""), "id = \"test.local\"", 1)
}

/// The built-in identity file plus `local.toml`.
fn load(local: &str) -> Result<RulePack, PackError> {
    RulePack::from_sources(&[("pack.toml", &pack_toml()), ("local.toml", local)])
}

/// The one problem of `kind`.
fn only(err: &PackError, kind: PackProblemKind) -> &PackProblem {
    let found: Vec<&PackProblem> = err.problems().iter().filter(|p| p.kind == kind).collect();
    assert_eq!(found.len(), 1, "{kind:?} in {err}");
    found[0]
}

/// (line, column) of a problem.
fn at(p: &PackProblem) -> Option<(usize, usize)> {
    p.span.map(|Span { line, column }| (line, column))
}

/// A rule that is fine but for what the test replaces.
const GOOD_RULE: &str = r#"[[rule]]
id = "local.ok"
criterion = "engagement"
when = { answer = "age", answered = true }
services = ["childcare"]
reason = "Fine."
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]
"#;

#[test]
fn a_good_rule_loads() {
    load(GOOD_RULE).unwrap();
}

#[test]
fn a_syntax_error_has_its_line_and_column_and_no_item() {
    let text = "[[rule]]\nid = \"local.x\"\ncriterion = engagement\n";
    let err = load(text).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let p = only(&err, PackProblemKind::Syntax);
    assert_eq!(p.file, "local.toml");
    assert_eq!((p.item.as_deref(), p.id.as_deref()), (None, None));
    assert_eq!(at(p), Some((3, 13)));
    assert_eq!(p.path, None);
    assert_eq!(p.suggestion, None);
    // The position is the span, not " (at byte N)" in the message.
    assert!(!p.message.contains("byte"), "{p}");
    assert_eq!(
        p.to_string(),
        format!("local.toml:3:13: {}", p.message),
        "file:line:col, then the message"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    // `é` is two bytes, one character: the error after it is at column 9, not 10.
    let err = RulePack::from_toml("x.toml", "# é\ntitle = \"é\" x\n").unwrap_err();
    let p = &err.problems()[0];
    assert_eq!(p.kind, PackProblemKind::Syntax);
    assert_eq!(at(p), Some((2, 13)));
}

#[test]
fn an_unknown_answer_in_a_nested_condition_is_placed_at_its_key_with_a_suggestion() {
    let text = GOOD_RULE.replace(
        "when = { answer = \"age\", answered = true }",
        "when = { all = [\n  { answer = \"age\", at_least = 18 },\n  { answer = \"home.violence_or_abuse\", is = false },\n  { any = [ { answer = \"safety.suicidal_ideations\", is = \"none\" } ] },\n] }",
    );
    let err = load(&text).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let p = only(&err, PackProblemKind::UnknownAnswer);
    assert_eq!(p.file, "local.toml");
    assert_eq!(p.item.as_deref(), Some("rule `local.ok`"));
    assert_eq!(p.id.as_deref(), Some("local.ok"));
    assert_eq!(p.path.as_deref(), Some("rule[0].when.all[2].any[0].answer"));
    assert_eq!(at(p), Some((7, 24)));
    assert_eq!(p.suggestion.as_deref(), Some("safety.suicidal_ideation"));
    assert_eq!(
        p.to_string(),
        "local.toml:7:24: rule `local.ok`: `when.all[2].any[0]` reads unknown answer \
         `safety.suicidal_ideations` (did you mean `safety.suicidal_ideation`?)"
    );
}

#[test]
fn a_duplicate_id_is_placed_at_the_second_id() {
    let text = format!("{GOOD_RULE}\n{GOOD_RULE}");
    let err = load(&text).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let p = only(&err, PackProblemKind::DuplicateId);
    assert_eq!(p.item.as_deref(), Some("rule `local.ok`"));
    assert_eq!(p.id.as_deref(), Some("local.ok"));
    assert_eq!(p.path.as_deref(), Some("rule[1].id"));
    assert_eq!(at(p), Some((10, 6)));
    assert_eq!(p.suggestion, None);
    assert_eq!(
        p.to_string(),
        "local.toml:10:6: rule `local.ok`: duplicate rule id `local.ok`"
    );
}

#[test]
fn an_unknown_service_is_placed_at_its_list_element_with_a_suggestion() {
    let text = GOOD_RULE.replace(
        "services = [\"childcare\"]",
        "services = [\"childcare\", \"case_managment\"]",
    );
    let err = load(&text).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let p = only(&err, PackProblemKind::UnknownService);
    assert_eq!(p.path.as_deref(), Some("rule[0].services[1]"));
    assert_eq!(at(p), Some((5, 26)));
    assert_eq!(p.suggestion.as_deref(), Some("case_management"));
    assert_eq!(
        p.message,
        "unknown service `case_managment` (did you mean `case_management`?)"
    );
    // Nothing close: no suggestion, and no hint in the message.
    let text = GOOD_RULE.replace("\"childcare\"", "\"zzzzzzzzzzzz\"");
    let err = load(&text).unwrap_err();
    let p = only(&err, PackProblemKind::UnknownService);
    assert_eq!(p.suggestion, None);
    assert_eq!(p.message, "unknown service `zzzzzzzzzzzz`");
}

#[test]
fn a_multi_line_reason_is_placed_at_the_reason_without_its_text() {
    let text = GOOD_RULE.replace(
        "reason = \"Fine.\"",
        r#"reason = "Fine.\nRecommended level: Outpatient""#,
    );
    let err = load(&text).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let p = only(&err, PackProblemKind::NotOneLine);
    assert_eq!(p.item.as_deref(), Some("rule `local.ok`"));
    assert_eq!(p.path.as_deref(), Some("rule[0].reason"));
    assert_eq!(at(p), Some((6, 10)));
    assert_eq!(
        p.to_string(),
        "local.toml:6:10: rule `local.ok`: `reason` must be one line of plain text, but contains a line break (U+000A)"
    );
    assert!(!err.to_string().contains("Recommended"), "{err}");
    // Too long is its own kind.
    let long = GOOD_RULE.replace("Fine.", &"a".repeat(301));
    let p = load(&long).unwrap_err().problems()[0].clone();
    assert_eq!(
        (p.kind, p.path.as_deref()),
        (PackProblemKind::TooLong, Some("rule[0].reason"))
    );
}

#[test]
fn an_unknown_key_and_a_wrong_type_are_placed_at_the_key_and_the_value() {
    let text = GOOD_RULE.replace("services =", "flor = \"iop\"\nservices =");
    let err = load(&text).unwrap_err();
    let p = only(&err, PackProblemKind::UnknownKey);
    assert_eq!(p.item.as_deref(), Some("rule `local.ok`"));
    assert_eq!(p.path.as_deref(), Some("rule[0].flor"));
    assert_eq!(at(p), Some((5, 1)));
    assert!(p.message.starts_with("unknown field `flor`"), "{p}");

    let text = GOOD_RULE.replace("services =", "urgency = true\nservices =");
    let err = load(&text).unwrap_err();
    let p = only(&err, PackProblemKind::WrongType);
    assert_eq!(p.path.as_deref(), Some("rule[0].urgency"));
    assert_eq!(at(p), Some((5, 11)));

    // An urgency tier that does not exist (or `routine`, the default, given as a tier).
    for tier in ["soon", "routine"] {
        let text = GOOD_RULE.replace("services =", &format!("urgency = \"{tier}\"\nservices ="));
        let err = load(&text).unwrap_err();
        let p = only(&err, PackProblemKind::InvalidValue);
        assert_eq!(p.path.as_deref(), Some("rule[0].urgency"), "{tier}");
        assert!(p.message.contains("expected same_day or emergency"), "{p}");
    }
    // The 0.1 key is gone: one way to say it.
    let text = GOOD_RULE.replace("services =", "urgent = true\nservices =");
    let err = load(&text).unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| p.path.as_deref() == Some("rule[0].urgent")),
        "{err}"
    );

    // A constant of the wrong type in a condition, found when compiling.
    let text = GOOD_RULE.replace("answered = true", "is = \"old\"");
    let err = load(&text).unwrap_err();
    let p = only(&err, PackProblemKind::WrongType);
    assert_eq!(p.path.as_deref(), Some("rule[0].when.is"));
    assert_eq!(at(p), Some((4, 31)));
}

#[test]
fn missing_fields_point_at_the_table_header() {
    let text = GOOD_RULE.replace("criterion = \"engagement\"\n", "");
    let err = load(&format!(
        "{GOOD_RULE}\n{}",
        text.replace("local.ok", "local.b")
    ))
    .unwrap_err();
    let p = only(&err, PackProblemKind::MissingField);
    assert_eq!(p.message, "has no `criterion`");
    assert_eq!(p.path.as_deref(), Some("rule[1]"));
    assert_eq!(at(p), Some((9, 1)));
    assert_eq!(
        p.to_string(),
        "local.toml:9:1: rule `local.b`: has no `criterion`"
    );
}

#[test]
fn out_of_range_and_impossible_conditions_have_their_kinds() {
    let text = GOOD_RULE.replace("answered = true", "at_least = 200");
    let p = only(&load(&text).unwrap_err(), PackProblemKind::OutOfRange).clone();
    assert_eq!(p.path.as_deref(), Some("rule[0].when.at_least"));
    let text = GOOD_RULE.replace(
        "{ answer = \"age\", answered = true }",
        "{ answer = \"safety.suicidal_ideation\", at_least = \"plan_with_intent\", at_most = \"none\" }",
    );
    let p = only(
        &load(&text).unwrap_err(),
        PackProblemKind::ImpossibleCondition,
    )
    .clone();
    assert_eq!(p.path.as_deref(), Some("rule[0].when.at_least"));
    let text = GOOD_RULE.replace(
        "{ answer = \"age\", answered = true }",
        "{ answer = \"safety.suicidal_ideation\", is = \"plan_with_intnet\" }",
    );
    let p = only(&load(&text).unwrap_err(), PackProblemKind::UnknownChoice).clone();
    assert_eq!(p.suggestion.as_deref(), Some("plan_with_intent"));
    assert_eq!(p.path.as_deref(), Some("rule[0].when.is"));
}

#[test]
fn ratings_scores_and_programmes_carry_their_ids() {
    let text = format!(
        "[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\n\n[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\n\n\
         [[score]]\nid = \"total\"\nsum = [\"rating.d1\", \"rating.d2\"]\n\n{GOOD_RULE}"
    );
    let err = load(&text).unwrap_err();
    let p = only(&err, PackProblemKind::DuplicateId);
    assert_eq!(p.item.as_deref(), Some("rating `d1`"));
    assert_eq!(p.id.as_deref(), Some("d1"));
    assert_eq!(p.path.as_deref(), Some("rating[1].id"));
    assert_eq!(at(p), Some((7, 6)));
    let p = only(&err, PackProblemKind::UnknownRating);
    assert_eq!(p.item.as_deref(), Some("score `total`"));
    assert_eq!(p.id.as_deref(), Some("total"));
    assert_eq!(p.path.as_deref(), Some("score[0].sum[1]"));
    assert_eq!(at(p), Some((13, 21)));

    let pack = pack_toml().replacen("[programme.inpatient]", "[programme.inpatent]", 1);
    let err =
        RulePack::from_sources(&[("pack.toml", &pack), ("local.toml", GOOD_RULE)]).unwrap_err();
    let p = only(&err, PackProblemKind::UnknownLevel);
    assert_eq!(p.item.as_deref(), Some("programme `inpatent`"));
    assert_eq!(p.id, None, "not a level, so no id");
    assert_eq!(p.path.as_deref(), Some("programme.inpatent"));
    assert_eq!(p.suggestion.as_deref(), Some("inpatient"));
    assert!(p.span.is_some());
}

#[test]
fn problems_of_the_whole_pack_have_no_position() {
    let err = RulePack::from_toml("local.toml", GOOD_RULE).unwrap_err();
    let missing: Vec<&PackProblem> = err
        .problems()
        .iter()
        .filter(|p| p.kind == PackProblemKind::MissingField)
        .collect();
    assert!(!missing.is_empty(), "{err}");
    for p in missing {
        assert_eq!((p.span, p.path.as_deref()), (None, None), "{p}");
    }
    assert!(
        err.problems()
            .iter()
            .any(|p| p.to_string() == "pack: no programme for level `outpatient`"),
        "{err}"
    );
}

#[test]
fn a_pack_problem_serialises_flat_with_the_c_abi_names() {
    let text = GOOD_RULE.replace("\"childcare\"", "\"chilcare\"");
    let err = load(&text).unwrap_err();
    assert_eq!(
        serde_json::to_value(err.problems()).unwrap(),
        json!([{
            "file": "local.toml",
            "rule": "rule `local.ok`",
            "message": "unknown service `chilcare` (did you mean `childcare`?)",
            "problem_kind": "unknown_service",
            "id": "local.ok",
            "path": "rule[0].services[0]",
            "line": 5,
            "column": 13,
            "suggestion": "childcare"
        }])
    );
    // Absent parts are left out, never null.
    let err = RulePack::from_toml("x.toml", "x = ").unwrap_err();
    let v = serde_json::to_value(&err.problems()[0]).unwrap();
    let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["file", "message", "problem_kind", "line", "column"])
    );
}

#[test]
fn intake_json_errors_carry_line_and_column() {
    let text = "{\n  \"schema_version\": \"2\",\n  \"age\": 34,\n  \"safety\": {\"suicidal_ideations\": \"none\"}\n}";
    match Intake::from_json(text).unwrap_err() {
        IntakeError::Json {
            path,
            line,
            column,
            message,
        } => {
            assert_eq!(path, "safety.suicidal_ideations");
            assert_eq!((line, column), (4, 33));
            assert!(message.ends_with("at line 4 column 33"), "{message}");
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
    // A syntax error, and content after the document.
    let err = Intake::from_json("{\n\n  \"age\" 34}").unwrap_err();
    assert!(
        matches!(&err, IntakeError::Json { path, line: 3, column: 9, .. } if path == "."),
        "{err:?}"
    );
    let err = Intake::from_json("{}\n  {}").unwrap_err();
    assert!(
        matches!(
            &err,
            IntakeError::Json {
                line: 2,
                column: 3,
                ..
            }
        ),
        "{err:?}"
    );
    // The value is never echoed, and neither are the position fields' neighbours.
    let err = Intake::from_json("{\"age\": \"SECRET\"}").unwrap_err();
    assert!(!format!("{err} {err:?}").contains("SECRET"), "{err:?}");
}

#[test]
fn intake_problems_serialise_with_their_kind_and_message() {
    let json = include_str!("../examples/intakes/incomplete_missing_safety.json");
    let err = RulePack::builtin()
        .assess(&Intake::from_json(json).unwrap())
        .unwrap_err();
    let v = serde_json::to_value(err.problems()).unwrap();
    assert!(
        v.as_array().unwrap().contains(&json!({
            "field": "safety.suicidal_ideation",
            "message": "`safety.suicidal_ideation` is unanswered; a safety item is required and never assumed to be no risk",
            "problem_kind": "missing"
        })),
        "{v}"
    );
}
