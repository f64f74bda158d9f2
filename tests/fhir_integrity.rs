//! A FHIR QuestionnaireResponse is read whole or not at all: no answer is silently dropped or
//! overridden, only assessable responses to the intake questionnaire are read, and no error
//! message repeats a string from the response.

#![cfg(feature = "fhir")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::Intake;
use carelevel::fhir::*;

const SUICIDE_PLAN: &str = include_str!("../examples/intakes/inpatient_suicide_plan.json");
const IOP: &str = include_str!("../examples/intakes/iop_primary.json");
const PLANTED: &str = "John Smith HIV positive";

fn intake(json: &str) -> Intake {
    Intake::from_json(json).unwrap()
}

fn response(json: &str) -> QuestionnaireResponse {
    let qr = response_from_intake(&intake(json));
    // Every mutation below starts from a response that is read back exactly.
    assert_eq!(intake_from_response(&qr).unwrap(), intake(json));
    qr
}

fn group<'a>(qr: &'a mut QuestionnaireResponse, link: &str) -> &'a mut ResponseItem {
    qr.item.iter_mut().find(|i| i.link_id == link).unwrap()
}

fn child<'a>(item: &'a mut ResponseItem, link: &str) -> &'a mut ResponseItem {
    item.item.iter_mut().find(|i| i.link_id == link).unwrap()
}

fn coding<'a>(qr: &'a mut QuestionnaireResponse, grp: &str, link: &str) -> &'a mut Coding {
    child(group(qr, grp), link).answer[0]
        .value_coding
        .as_mut()
        .unwrap()
}

fn leaf(link: &str, answer: Vec<ResponseAnswer>) -> ResponseItem {
    ResponseItem {
        link_id: link.into(),
        answer,
        item: vec![],
    }
}

fn code(system: &str, code: &str) -> ResponseAnswer {
    ResponseAnswer {
        value_coding: Some(Coding {
            system: Some(system.into()),
            code: Some(code.into()),
            display: None,
        }),
        ..Default::default()
    }
}

fn choice(link: &str, c: &str) -> ResponseAnswer {
    code(&format!("{CHOICE_SYSTEM}:{link}"), c)
}

fn err(qr: &QuestionnaireResponse) -> FhirError {
    match intake_from_response(qr) {
        Ok(i) => panic!("read although it should be rejected: {i:?}"),
        Err(e) => e,
    }
}

// 1. Repeated items and groups.

#[test]
fn a_repeated_item_is_rejected_not_overwritten() {
    let mut qr = response(SUICIDE_PLAN);
    group(&mut qr, "safety").item.push(leaf(
        "safety.suicide_risk",
        vec![choice("safety.suicide_risk", "none")],
    ));
    let e = err(&qr);
    assert_eq!(
        e,
        FhirError::RepeatedItem {
            link_id: "safety.suicide_risk".into(),
            repeats: false
        }
    );
    assert_eq!(
        e.to_string(),
        "linkId `safety.suicide_risk` appears more than once but does not repeat"
    );

    // The same when the second copy comes first.
    let mut qr = response(SUICIDE_PLAN);
    group(&mut qr, "safety").item.insert(
        0,
        leaf(
            "safety.suicide_risk",
            vec![choice("safety.suicide_risk", "none")],
        ),
    );
    assert!(matches!(err(&qr), FhirError::RepeatedItem { .. }));
}

#[test]
fn a_repeated_top_level_item_is_rejected() {
    let mut qr = response(SUICIDE_PLAN);
    qr.item.push(leaf(
        "age",
        vec![ResponseAnswer {
            value_integer: Some(40),
            ..Default::default()
        }],
    ));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `age` appears more than once but does not repeat"
    );
}

#[test]
fn a_repeated_group_is_rejected_not_merged() {
    let mut qr = response(SUICIDE_PLAN);
    let mut second = group(&mut qr, "safety").clone();
    child(&mut second, "safety.suicide_risk").answer = vec![choice("safety.suicide_risk", "none")];
    qr.item.push(second);
    assert_eq!(
        err(&qr).to_string(),
        "linkId `safety` appears more than once but does not repeat"
    );

    // A second group carrying only the overriding item.
    let mut qr = response(SUICIDE_PLAN);
    qr.item.push(ResponseItem {
        link_id: "safety".into(),
        answer: vec![],
        item: vec![leaf(
            "safety.suicide_risk",
            vec![choice("safety.suicide_risk", "none")],
        )],
    });
    assert_eq!(
        err(&qr),
        FhirError::RepeatedItem {
            link_id: "safety".into(),
            repeats: false
        }
    );
}

#[test]
fn a_repeated_nested_group_is_rejected() {
    let mut qr = response(IOP);
    let engagement = group(&mut qr, "engagement");
    for language in ["en", "es"] {
        engagement.item.push(ResponseItem {
            link_id: "engagement.preferences".into(),
            answer: vec![],
            item: vec![leaf(
                "engagement.preferences.language",
                vec![ResponseAnswer {
                    value_string: Some(language.into()),
                    ..Default::default()
                }],
            )],
        });
    }
    assert_eq!(
        err(&qr).to_string(),
        "linkId `engagement.preferences` appears more than once but does not repeat"
    );
}

#[test]
fn a_repeating_choice_given_as_two_items_is_rejected() {
    let link = "engagement.commitments";
    let mut qr = response(SUICIDE_PLAN);
    group(&mut qr, "engagement")
        .item
        .push(leaf(link, vec![choice(link, "school")]));
    let e = err(&qr);
    assert_eq!(
        e,
        FhirError::RepeatedItem {
            link_id: link.into(),
            repeats: true
        }
    );
    assert_eq!(
        e.to_string(),
        "linkId `engagement.commitments` appears more than once: a repeating choice's answers belong in one item's `answer` list"
    );

    // The same answers in one item are read.
    let mut qr = response(SUICIDE_PLAN);
    child(group(&mut qr, "engagement"), link)
        .answer
        .push(choice(link, "school"));
    let read = intake_from_response(&qr).unwrap();
    let json = serde_json::to_value(&read).unwrap();
    assert_eq!(
        json["engagement"]["commitments"],
        serde_json::json!(["work", "school"])
    );
}

#[test]
fn the_repeating_group_may_repeat() {
    let mut qr = response(IOP);
    let severity = group(&mut qr, "severity");
    let mut second = severity
        .item
        .iter()
        .find(|i| i.link_id == "severity.substance_use")
        .unwrap()
        .clone();
    child(&mut second, "severity.substance_use.substance").answer =
        vec![choice("severity.substance_use.substance", "cannabis")];
    severity.item.push(second);
    let read = intake_from_response(&qr).unwrap();
    let json = serde_json::to_value(&read).unwrap();
    let list = json["severity"]["substance_use"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["substance"], "cannabis");
    // And it survives the round trip.
    assert_eq!(
        intake_from_response(&response_from_intake(&read)).unwrap(),
        read
    );
}

#[test]
fn no_substance_use_disorder_beside_a_disorder_is_rejected() {
    let mut qr = response(IOP);
    group(&mut qr, "severity").item.insert(
        0,
        leaf(
            "severity.no_substance_use_disorder",
            vec![ResponseAnswer {
                value_boolean: Some(true),
                ..Default::default()
            }],
        ),
    );
    let e = err(&qr);
    assert!(
        e.to_string()
            .starts_with("linkId `severity.no_substance_use_disorder`: answered yes, but"),
        "{e}"
    );
}

#[test]
fn answers_on_a_group_or_child_items_on_a_question_are_rejected() {
    let mut qr = response(IOP);
    group(&mut qr, "safety")
        .answer
        .push(choice("safety.suicide_risk", "none"));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `safety`: expected child items, not an answer"
    );

    let mut qr = response(IOP);
    qr.item[0].item.push(leaf(
        "safety.suicide_risk",
        vec![choice("safety.suicide_risk", "plan_with_intent")],
    ));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `age`: expected answers, not child items"
    );
}

#[test]
fn an_answer_with_two_values_is_rejected() {
    let mut qr = response(IOP);
    let risk = &mut child(group(&mut qr, "safety"), "safety.suicide_risk").answer[0];
    risk.value_boolean = Some(true);
    assert_eq!(
        err(&qr).to_string(),
        "linkId `safety.suicide_risk`: expected exactly one value[x] in each answer"
    );
}

// 2. Status.

#[test]
fn only_completed_and_amended_responses_are_assessed() {
    for status in ["entered-in-error", "stopped", "garbage", "", "Completed"] {
        let mut qr = response(SUICIDE_PLAN);
        qr.status = status.into();
        let e = err(&qr);
        assert_eq!(e, FhirError::StatusNotAccepted, "{status:?}");
        let msg = e.to_string();
        assert!(msg.starts_with("`status`"), "{msg}");
        assert!(
            msg.contains("`completed`") && msg.contains("`amended`"),
            "{msg}"
        );
        if !status.is_empty() {
            assert!(!msg.contains(status), "{msg} echoes {status:?}");
        }
    }

    let mut qr = response(SUICIDE_PLAN);
    qr.status = "amended".into();
    assert_eq!(intake_from_response(&qr).unwrap(), intake(SUICIDE_PLAN));
}

#[test]
fn an_in_progress_response_is_not_yet_assessed() {
    let mut qr = response(SUICIDE_PLAN);
    qr.status = "in-progress".into();
    let e = err(&qr);
    assert_eq!(e, FhirError::PartialResponse);
    let msg = e.to_string();
    assert!(msg.starts_with("`status`"), "{msg}");
    assert!(
        msg.contains("partial responses are not yet assessed"),
        "{msg}"
    );
    assert!(
        msg.contains("`completed`") && msg.contains("`amended`"),
        "{msg}"
    );
}

// 3. The questionnaire canonical.

#[test]
fn the_questionnaire_has_the_crate_version_and_responses_name_it() {
    let q = questionnaire();
    assert_eq!(q.url, QUESTIONNAIRE_URL);
    assert_eq!(q.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(QUESTIONNAIRE_VERSION, env!("CARGO_PKG_VERSION"));
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));

    let qr = response(IOP);
    assert_eq!(
        qr.questionnaire.as_deref(),
        Some(format!("{}|{}", q.url, q.version).as_str())
    );
}

#[test]
fn the_unversioned_canonical_is_accepted() {
    let mut qr = response(IOP);
    qr.questionnaire = Some(QUESTIONNAIRE_URL.into());
    assert_eq!(intake_from_response(&qr).unwrap(), intake(IOP));
}

#[test]
fn a_missing_questionnaire_is_rejected() {
    let mut qr = response(IOP);
    qr.questionnaire = None;
    let e = err(&qr);
    assert_eq!(e, FhirError::MissingQuestionnaire);
    let msg = e.to_string();
    assert!(msg.starts_with("`questionnaire` is missing"), "{msg}");
    assert!(msg.contains(QUESTIONNAIRE_URL), "{msg}");
}

#[test]
fn another_questionnaire_is_rejected() {
    for other in [
        "http://example.org/Questionnaire/phq9",
        "urn:carelevel:questionnaire:intake2",
        "urn:carelevel:questionnaire",
        "",
        "|0.1.0",
    ] {
        let mut qr = response(IOP);
        qr.questionnaire = Some(other.into());
        let e = err(&qr);
        assert_eq!(e, FhirError::WrongQuestionnaire, "{other:?}");
        let msg = e.to_string();
        assert!(msg.starts_with("`questionnaire`"), "{msg}");
        assert!(
            msg.contains(&format!("`{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}`")),
            "{msg}"
        );
        assert!(
            !msg.contains("example.org") && !msg.contains("intake2"),
            "{msg}"
        );
    }
}

#[test]
fn another_version_is_rejected() {
    for version in ["0.0.0-other", "", "1", "0.1.0 "] {
        if version == QUESTIONNAIRE_VERSION {
            continue;
        }
        let mut qr = response(IOP);
        qr.questionnaire = Some(format!("{QUESTIONNAIRE_URL}|{version}"));
        let e = err(&qr);
        assert_eq!(e, FhirError::WrongQuestionnaireVersion, "{version:?}");
        let msg = e.to_string();
        assert!(
            msg.contains(&format!(
                "expected `{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}`"
            )),
            "{msg}"
        );
        assert!(!msg.contains("0.0.0-other"), "{msg}");
    }
}

// 4. Code systems and codes.

#[test]
fn a_coding_from_another_system_is_rejected() {
    let expected = "linkId `safety.suicide_risk`: expected a valueCoding with system `urn:carelevel:choice:safety.suicide_risk`";
    for system in [
        Some("http://snomed.info/sct"),
        Some("urn:carelevel:choice:safety.harm_to_others"),
        Some(CHOICE_SYSTEM),
        Some(""),
        None,
    ] {
        let mut qr = response(SUICIDE_PLAN);
        coding(&mut qr, "safety", "safety.suicide_risk").system = system.map(Into::into);
        let e = err(&qr);
        assert_eq!(e.to_string(), expected, "{system:?}");
        assert_eq!(
            e,
            FhirError::WrongSystem {
                link_id: "safety.suicide_risk".into(),
                system: format!("{CHOICE_SYSTEM}:safety.suicide_risk"),
            }
        );
    }

    // Also in a repeating choice and in the repeating group.
    let mut qr = response(IOP);
    coding(&mut qr, "engagement", "engagement.commitments").system = None;
    assert!(
        matches!(err(&qr), FhirError::WrongSystem { link_id, .. } if link_id == "engagement.commitments")
    );
    let mut qr = response(IOP);
    let sud = child(group(&mut qr, "severity"), "severity.substance_use");
    child(sud, "severity.substance_use.substance").answer[0]
        .value_coding
        .as_mut()
        .unwrap()
        .system = Some("http://loinc.org".into());
    assert!(
        matches!(err(&qr), FhirError::WrongSystem { link_id, .. } if link_id == "severity.substance_use.substance")
    );
}

#[test]
fn an_unknown_code_is_rejected_naming_the_options() {
    let mut qr = response(SUICIDE_PLAN);
    coding(&mut qr, "safety", "safety.suicide_risk").code = Some("maybe".into());
    let e = err(&qr);
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "linkId `safety.suicide_risk`: expected a code of the item's answer options: `none`"
        ),
        "{msg}"
    );
    assert!(msg.contains("`plan_with_intent`"), "{msg}");
    assert!(!msg.contains("maybe"), "{msg}");
}

// 5. Errors never echo a string from the response.

#[test]
fn the_resource_type_is_not_echoed() {
    let mut qr = response(IOP);
    qr.resource_type = "Patient".into();
    let e = err(&qr);
    assert_eq!(e, FhirError::WrongResource);
    assert_eq!(
        e.to_string(),
        "`resourceType` is not `QuestionnaireResponse`"
    );
}

#[test]
fn unknown_link_ids_are_shown_only_when_identifier_like() {
    let unknown = |link: &str| {
        let mut qr = response(IOP);
        qr.item.push(leaf(link, vec![]));
        err(&qr).to_string()
    };
    assert_eq!(
        unknown("safety.mood"),
        "linkId `safety.mood` is not an item of the carelevel intake questionnaire"
    );
    assert_eq!(
        unknown(PLANTED),
        "a linkId of 23 characters is not an item of the carelevel intake questionnaire"
    );
    assert_eq!(
        unknown(&"a".repeat(65)),
        "a linkId of 65 characters is not an item of the carelevel intake questionnaire"
    );
    assert!(unknown(&"a".repeat(64)).starts_with("linkId `aaaa"));
    assert!(unknown("JohnSmith").starts_with("a linkId of 9 characters"));
    assert!(unknown("").starts_with("a linkId of 0 characters"));
    assert!(unknown("X").starts_with("a linkId of 1 character is"));
    assert!(unknown("é").starts_with("a linkId of 1 character is"));
    assert!(unknown("a\nb").starts_with("a linkId of 3 characters"));
}

#[test]
fn no_error_message_contains_a_planted_string() {
    type Mutation = fn(&mut QuestionnaireResponse);
    let mutations: &[(&str, Mutation)] = &[
        ("resourceType", |qr| qr.resource_type = PLANTED.into()),
        ("status", |qr| qr.status = PLANTED.into()),
        ("questionnaire", |qr| {
            qr.questionnaire = Some(PLANTED.into())
        }),
        ("questionnaire version", |qr| {
            qr.questionnaire = Some(format!("{QUESTIONNAIRE_URL}|{PLANTED}"));
        }),
        ("questionnaire url", |qr| {
            qr.questionnaire = Some(format!("{PLANTED}|{QUESTIONNAIRE_VERSION}"));
        }),
        ("system", |qr| {
            coding(qr, "safety", "safety.suicide_risk").system = Some(PLANTED.into());
        }),
        ("code", |qr| {
            coding(qr, "safety", "safety.suicide_risk").code = Some(PLANTED.into());
        }),
        ("code of a repeating choice", |qr| {
            coding(qr, "engagement", "engagement.commitments").code = Some(PLANTED.into());
        }),
        ("top-level linkId", |qr| qr.item.push(leaf(PLANTED, vec![]))),
        ("nested linkId", |qr| {
            group(qr, "safety").item.push(leaf(PLANTED, vec![]));
        }),
        ("linkId of a group's child", |qr| {
            group(qr, "safety").item[0].link_id = PLANTED.into();
        }),
        ("text in an integer item", |qr| {
            qr.item[0].answer[0] = ResponseAnswer {
                value_string: Some(PLANTED.into()),
                ..Default::default()
            };
        }),
        ("text beside a code", |qr| {
            child(group(qr, "safety"), "safety.suicide_risk").answer[0].value_string =
                Some(PLANTED.into());
        }),
        ("text answer on a group", |qr| {
            group(qr, "safety").answer.push(ResponseAnswer {
                value_string: Some(PLANTED.into()),
                ..Default::default()
            });
        }),
        ("text as a second answer", |qr| {
            qr.item[0].answer.push(ResponseAnswer {
                value_string: Some(PLANTED.into()),
                ..Default::default()
            });
        }),
    ];
    for (what, mutate) in mutations {
        let mut qr = response(SUICIDE_PLAN);
        mutate(&mut qr);
        let e = err(&qr);
        for shown in [e.to_string(), format!("{e:?}")] {
            for word in ["John", "Smith", "HIV", "positive"] {
                assert!(!shown.contains(word), "{what}: {shown}");
            }
        }
    }
}

#[test]
fn a_planted_response_read_from_json_is_rejected_without_echo() {
    // The same through serde, as an EHR would send it.
    let mut json = serde_json::to_value(response(SUICIDE_PLAN)).unwrap();
    json["status"] = PLANTED.into();
    json["questionnaire"] = PLANTED.into();
    json["resourceType"] = PLANTED.into();
    let qr: QuestionnaireResponse = serde_json::from_value(json).unwrap();
    let msg = err(&qr).to_string();
    assert!(!msg.contains("John"), "{msg}");
}

// 6. Round trips are unchanged.

#[test]
fn valid_responses_still_round_trip() {
    for json in [SUICIDE_PLAN, IOP] {
        let i = intake(json);
        let qr = response_from_intake(&i);
        assert_eq!(qr.status, "completed");
        let text = serde_json::to_string(&qr).unwrap();
        let parsed: QuestionnaireResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(intake_from_response(&parsed).unwrap(), i);
    }
}
