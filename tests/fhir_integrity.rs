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

/// Every item of intake 2 answered, with two or more entries in each repeating group (a
/// 16-year-old, so that the adolescent items apply; each instrument's items add up to its
/// total, and the C-SSRS screener agrees with the two suicide items). `a_fully_answered_intake_round_trips`
/// holds it to the Questionnaire: a new item must be answered here.
const FULL: &str = r#"{
  "schema_version": "2",
  "age": 16,
  "safety": {
    "suicidal_ideation": "method_without_intent",
    "suicidal_behavior": "lifetime",
    "self_injury": "past_3_months",
    "phq9_item9": "several_days",
    "lethal_means": "firearm",
    "harm_to_others": "ideation",
    "harm_target_identified": false,
    "psychosis": "none",
    "unable_to_self_care": false,
    "cssrs": {
      "wish_to_be_dead": true,
      "nonspecific_thoughts": true,
      "method": true,
      "intent": false,
      "plan": false,
      "behavior": true,
      "behavior_past_3_months": false
    }
  },
  "withdrawal": {
    "seizure_or_dt_history": true,
    "seizure_this_episode": false,
    "hallucinations_this_episode": true,
    "delirium_this_episode": false,
    "intoxicated_now": false,
    "pawss": 5
  },
  "substance_use": [
    {
      "substance": "alcohol",
      "dsm5_criteria": 7,
      "days_used_past_30": 28,
      "hours_since_last_use": 14,
      "drinks_per_day": 12,
      "ciwa_ar": 16,
      "ciwa_ar_items": {
        "nausea_vomiting": 2,
        "tremor": 3,
        "paroxysmal_sweats": 2,
        "anxiety": 3,
        "agitation": 2,
        "tactile_disturbances": 1,
        "auditory_disturbances": 0,
        "visual_disturbances": 0,
        "headache": 2,
        "orientation": 1
      }
    },
    {
      "substance": "opioids",
      "severity": "moderate",
      "remission": "early",
      "on_maintenance_therapy": true,
      "days_used_past_30": 0,
      "hours_since_last_use": 8760,
      "cows": 3,
      "cows_items": {
        "pulse": 1,
        "sweating": 0,
        "restlessness": 1,
        "pupil_size": 0,
        "bone_or_joint_aches": 1,
        "runny_nose_or_tearing": 0,
        "gi_upset": 0,
        "tremor": 0,
        "yawning": 0,
        "anxiety_or_irritability": 0,
        "gooseflesh_skin": 0
      }
    },
    {
      "substance": "sedatives",
      "dsm5_criteria": 3,
      "days_used_past_30": 10,
      "hours_since_last_use": 30,
      "benzodiazepine": "alprazolam",
      "daily_dose_mg": 4
    }
  ],
  "medical": {
    "status": "daily_monitoring",
    "pregnancy": "no",
    "injection_use": false,
    "overdose": "past_12_months"
  },
  "medication": {
    "opioid_use_disorder": "buprenorphine",
    "opioid_use_disorder_adherence": "as_prescribed",
    "alcohol_use_disorder": "naltrexone",
    "alcohol_use_disorder_adherence": "missing_doses",
    "naloxone_on_hand": true,
    "psychiatric": "stopped"
  },
  "severity": {
    "phq9": 19,
    "gad7": 12,
    "phq9_items": {
      "interest": "nearly_every_day",
      "feeling_down": "nearly_every_day",
      "sleep": "more_than_half_the_days",
      "tiredness": "more_than_half_the_days",
      "appetite": "more_than_half_the_days",
      "self_worth": "more_than_half_the_days",
      "concentration": "more_than_half_the_days",
      "psychomotor": "more_than_half_the_days"
    },
    "gad7_items": {
      "nervous": "more_than_half_the_days",
      "uncontrolled_worry": "more_than_half_the_days",
      "excessive_worry": "more_than_half_the_days",
      "trouble_relaxing": "more_than_half_the_days",
      "restlessness": "more_than_half_the_days",
      "irritability": "several_days",
      "dread": "several_days"
    },
    "clinician_rating": "moderate",
    "conditions": [
      { "condition": "depressive", "severity": "moderate" },
      { "condition": "ptsd", "severity": "severe" }
    ],
    "impairs_daily_activities": true,
    "days_impaired_past_30": 12
  },
  "self_management": "with_daily_structure",
  "history": {
    "current_setting": "iop",
    "progress": "not_enough",
    "medication_setting": "office_based_buprenorphine",
    "episodes": [
      { "level": "outpatient", "outcome": "did_not_hold", "months_ago": 14 },
      { "level": "inpatient", "outcome": "left_early" }
    ],
    "relapse_after_abstinence": true
  },
  "home": {
    "others_use_substances": true,
    "violence_or_abuse": false,
    "supportive": false,
    "housing": "unstably_housed",
    "children_in_home": true,
    "arranged_housing": "sober_living"
  },
  "engagement": {
    "stage_of_change": "preparation",
    "can_attend_several_days": true,
    "commitments": ["school", "caregiving"],
    "work_schedule": "night",
    "mandated": "probation_or_parole",
    "requested_intensity": "less",
    "needs_transportation": true,
    "needs_childcare": false,
    "preferences": {
      "cultural": "a counsellor who shares the family's faith",
      "language": "Spanish at family sessions",
      "spiritual": "time for Friday prayers"
    }
  },
  "adolescent": {
    "guardian_consent": "given",
    "school": "frequent_absences",
    "caregiver_involvement": "partly"
  },
  "notes": "Lives with an aunt since March."
}"#;

/// The form-only "assessed: none" items, one for each repeating group.
const NONE_OF: [(&str, &str); 3] = [
    ("no_substance_use", "substance_use"),
    ("severity.no_conditions", "severity.conditions"),
    ("history.no_episodes", "history.episodes"),
];

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

/// Every item of a Questionnaire, depth first.
fn questions(items: &[QuestionnaireItem]) -> Vec<&QuestionnaireItem> {
    let mut out = Vec::new();
    for item in items {
        out.push(item);
        out.extend(questions(&item.item));
    }
    out
}

/// Every item of a response, depth first.
fn answered(items: &[ResponseItem]) -> Vec<&ResponseItem> {
    let mut out = Vec::new();
    for item in items {
        out.push(item);
        out.extend(answered(&item.item));
    }
    out
}

/// The JSON value at a linkId of an item outside the repeating groups.
fn at<'a>(json: &'a mut serde_json::Value, link: &str) -> &'a mut serde_json::Value {
    link.split('.').fold(json, |v, key| &mut v[key])
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
        "safety.suicidal_ideation",
        vec![choice("safety.suicidal_ideation", "none")],
    ));
    let e = err(&qr);
    assert_eq!(
        e,
        FhirError::RepeatedItem {
            link_id: "safety.suicidal_ideation".into(),
            repeats: false
        }
    );
    assert_eq!(
        e.to_string(),
        "linkId `safety.suicidal_ideation` appears more than once but does not repeat"
    );

    // The same when the second copy comes first.
    let mut qr = response(SUICIDE_PLAN);
    group(&mut qr, "safety").item.insert(
        0,
        leaf(
            "safety.suicidal_ideation",
            vec![choice("safety.suicidal_ideation", "none")],
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
    child(&mut second, "safety.suicidal_ideation").answer =
        vec![choice("safety.suicidal_ideation", "none")];
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
            "safety.suicidal_ideation",
            vec![choice("safety.suicidal_ideation", "none")],
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
fn the_repeating_groups_may_repeat() {
    // The top-level `substance_use`.
    let mut qr = response(IOP);
    let mut second = group(&mut qr, "substance_use").clone();
    child(&mut second, "substance_use.substance").answer =
        vec![choice("substance_use.substance", "cannabis")];
    child(&mut second, "substance_use.ciwa_ar").answer = vec![];
    qr.item.push(second);
    let read = intake_from_response(&qr).unwrap();
    let json = serde_json::to_value(&read).unwrap();
    let list = json["substance_use"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["substance"], "alcohol");
    assert_eq!(list[1]["substance"], "cannabis");
    // And it survives the round trip.
    assert_eq!(
        intake_from_response(&response_from_intake(&read)).unwrap(),
        read
    );

    // The nested `severity.conditions` and `history.episodes`.
    let full = response(FULL);
    for (grp, link) in [
        ("severity", "severity.conditions"),
        ("history", "history.episodes"),
    ] {
        let mut qr = full.clone();
        let g = group(&mut qr, grp);
        let entries = g.item.iter().filter(|i| i.link_id == link).count();
        assert_eq!(entries, 2, "{link}");
        let third = g.item.iter().find(|i| i.link_id == link).unwrap().clone();
        g.item.push(third);
        let read = intake_from_response(&qr).unwrap();
        let json = serde_json::to_value(&read).unwrap();
        let (outer, key) = link.split_once('.').unwrap();
        let list = json[outer][key].as_array().unwrap();
        assert_eq!(list.len(), 3, "{link}");
        assert_eq!(list[2], list[0], "{link}");
    }
}

#[test]
fn assessed_none_beside_an_entry_is_rejected() {
    // At the top level, and in a group.
    let yes = || {
        vec![ResponseAnswer {
            value_boolean: Some(true),
            ..Default::default()
        }]
    };
    let mut qr = response(IOP);
    qr.item.insert(0, leaf("no_substance_use", yes()));
    let e = err(&qr);
    assert!(
        e.to_string().starts_with(
            "linkId `no_substance_use`: answered yes, but `substance_use` groups are present"
        ),
        "{e}"
    );
    for (grp, link) in [
        ("severity", "severity.no_conditions"),
        ("history", "history.no_episodes"),
    ] {
        let mut qr = response(FULL);
        group(&mut qr, grp).item.insert(0, leaf(link, yes()));
        let e = err(&qr);
        assert!(
            e.to_string()
                .starts_with(&format!("linkId `{link}`: answered yes, but")),
            "{e}"
        );
    }
}

#[test]
fn answers_on_a_group_or_child_items_on_a_question_are_rejected() {
    let mut qr = response(IOP);
    group(&mut qr, "safety")
        .answer
        .push(choice("safety.suicidal_ideation", "none"));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `safety`: expected child items, not an answer"
    );

    let mut qr = response(IOP);
    qr.item[0].item.push(leaf(
        "safety.suicidal_ideation",
        vec![choice("safety.suicidal_ideation", "plan_with_intent")],
    ));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `age`: expected answers, not child items"
    );
}

#[test]
fn an_answer_with_two_values_is_rejected() {
    let mut qr = response(IOP);
    let risk = &mut child(group(&mut qr, "safety"), "safety.suicidal_ideation").answer[0];
    risk.value_boolean = Some(true);
    assert_eq!(
        err(&qr).to_string(),
        "linkId `safety.suicidal_ideation`: expected exactly one value[x] in each answer"
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
fn the_questionnaire_has_the_intake_version_and_responses_name_it() {
    let q = questionnaire();
    assert_eq!(q.url, QUESTIONNAIRE_URL);
    // The intake's format, as its JSON `schema_version` says it.
    assert_eq!(QUESTIONNAIRE_VERSION, "2");
    assert_eq!(
        serde_json::to_value(carelevel::intake::SchemaVersion::V2).unwrap(),
        QUESTIONNAIRE_VERSION
    );
    assert_eq!(q.version, QUESTIONNAIRE_VERSION);
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["version"], QUESTIONNAIRE_VERSION);

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
    for version in ["0.0.0-other", "", "1", "2.0", "0.1.0 ", "0.1.1", "0.2.0"] {
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
    let expected = "linkId `safety.suicidal_ideation`: expected a valueCoding with system `urn:carelevel:choice:safety.suicidal_ideation`";
    for system in [
        Some("http://snomed.info/sct"),
        Some("urn:carelevel:choice:safety.harm_to_others"),
        Some(CHOICE_SYSTEM),
        Some(""),
        None,
    ] {
        let mut qr = response(SUICIDE_PLAN);
        coding(&mut qr, "safety", "safety.suicidal_ideation").system = system.map(Into::into);
        let e = err(&qr);
        assert_eq!(e.to_string(), expected, "{system:?}");
        assert_eq!(
            e,
            FhirError::WrongSystem {
                link_id: "safety.suicidal_ideation".into(),
                system: format!("{CHOICE_SYSTEM}:safety.suicidal_ideation"),
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
    child(group(&mut qr, "substance_use"), "substance_use.substance").answer[0]
        .value_coding
        .as_mut()
        .unwrap()
        .system = Some("http://loinc.org".into());
    assert!(
        matches!(err(&qr), FhirError::WrongSystem { link_id, .. } if link_id == "substance_use.substance")
    );
    // And in an entry of a nested repeating group.
    let mut qr = response(FULL);
    child(group(&mut qr, "history"), "history.episodes")
        .item
        .iter_mut()
        .find(|i| i.link_id == "history.episodes.level")
        .unwrap()
        .answer[0]
        .value_coding
        .as_mut()
        .unwrap()
        .system = Some(format!("{CHOICE_SYSTEM}:history.current_setting"));
    assert!(
        matches!(err(&qr), FhirError::WrongSystem { link_id, .. } if link_id == "history.episodes.level")
    );
}

#[test]
fn an_unknown_code_is_rejected_naming_the_options() {
    let mut qr = response(SUICIDE_PLAN);
    coding(&mut qr, "safety", "safety.suicidal_ideation").code = Some("maybe".into());
    let e = err(&qr);
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "linkId `safety.suicidal_ideation`: expected a code of the item's answer options: `none`"
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
            coding(qr, "safety", "safety.suicidal_ideation").system = Some(PLANTED.into());
        }),
        ("code", |qr| {
            coding(qr, "safety", "safety.suicidal_ideation").code = Some(PLANTED.into());
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
            child(group(qr, "safety"), "safety.suicidal_ideation").answer[0].value_string =
                Some(PLANTED.into());
        }),
        ("text answer on a group", |qr| {
            group(qr, "safety").answer.push(ResponseAnswer {
                value_string: Some(PLANTED.into()),
                ..Default::default()
            });
        }),
        ("code of a LOINC panel's item", |qr| {
            qr.item
                .push(leaf("/44250-9", vec![code("http://loinc.org", PLANTED)]));
        }),
        ("system of a LOINC panel's item", |qr| {
            qr.item
                .push(leaf("/44250-9", vec![code(PLANTED, "LA6568-5")]));
        }),
        ("text as a LOINC total", |qr| {
            qr.item.push(leaf(
                "/44261-6",
                vec![ResponseAnswer {
                    value_string: Some(PLANTED.into()),
                    ..Default::default()
                }],
            ));
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

// 7. Intake 2: every item, the repeating groups, declined and unable to assess.

#[test]
fn a_fully_answered_intake_round_trips() {
    let i = intake(FULL);
    // Every answer of the fixture is in the intake (serde dropped none).
    let fixture: serde_json::Value = serde_json::from_str(FULL).unwrap();
    assert_eq!(serde_json::to_value(&i).unwrap(), fixture);

    let qr = response_from_intake(&i);
    let text = serde_json::to_string(&qr).unwrap();
    let parsed: QuestionnaireResponse = serde_json::from_str(&text).unwrap();
    let back = intake_from_response(&parsed).unwrap();
    assert_eq!(back, i);
    assert_eq!(
        back.schema_version,
        Some(carelevel::intake::SchemaVersion::V2)
    );

    // Every item of the Questionnaire is answered but the "assessed: none" ones (each
    // repeating group has entries): a new item must be added to FULL.
    let q = questionnaire();
    let asked: std::collections::BTreeSet<&str> = questions(&q.item)
        .into_iter()
        .map(|i| i.link_id.as_str())
        .collect();
    let given: std::collections::BTreeSet<&str> = answered(&qr.item)
        .into_iter()
        .map(|i| i.link_id.as_str())
        .collect();
    let unanswered: Vec<&str> = asked.difference(&given).copied().collect();
    let mut none_of: Vec<&str> = NONE_OF.iter().map(|(none, _)| *none).collect();
    none_of.sort_unstable();
    assert_eq!(unanswered, none_of, "answer every item in FULL");
    assert!(given.is_subset(&asked));

    // Each repeating group once per entry.
    let all = answered(&qr.item);
    for (group, entries) in [
        ("substance_use", 3),
        ("severity.conditions", 2),
        ("history.episodes", 2),
    ] {
        assert_eq!(
            all.iter().filter(|i| i.link_id == group).count(),
            entries,
            "{group}"
        );
    }
}

#[test]
fn assessed_none_round_trips_for_each_repeating_group() {
    for (none, group) in NONE_OF {
        // None: an empty list is the "assessed: none" item, answered yes.
        let mut json: serde_json::Value = serde_json::from_str(FULL).unwrap();
        *at(&mut json, group) = serde_json::json!([]);
        let i = intake(&json.to_string());
        let qr = response_from_intake(&i);
        let all = answered(&qr.item);
        let item = all.iter().find(|i| i.link_id == none).unwrap();
        assert_eq!(item.answer[0].value_boolean, Some(true), "{none}");
        assert!(!all.iter().any(|i| i.link_id == group), "{group}");
        let back = intake_from_response(&qr).unwrap();
        assert_eq!(back, i, "{none}");
        let back = serde_json::to_value(&back).unwrap();
        assert_eq!(
            back.pointer(&format!("/{}", group.replace('.', "/"))),
            Some(&serde_json::json!([])),
            "{group}"
        );

        // Not asked: neither, and the list stays absent.
        let mut json: serde_json::Value = serde_json::from_str(FULL).unwrap();
        let (parent, key) = group.rsplit_once('.').unwrap_or(("", group));
        let holder = if parent.is_empty() {
            &mut json
        } else {
            at(&mut json, parent)
        };
        holder.as_object_mut().unwrap().remove(key).unwrap();
        let i = intake(&json.to_string());
        let qr = response_from_intake(&i);
        assert!(
            !answered(&qr.item)
                .iter()
                .any(|i| i.link_id == none || i.link_id == group),
            "{group}"
        );
        let back = intake_from_response(&qr).unwrap();
        assert_eq!(back, i, "{group}");
        let back = serde_json::to_value(&back).unwrap();
        assert_eq!(
            back.pointer(&format!("/{}", group.replace('.', "/"))),
            None,
            "{group}"
        );
    }
}

#[test]
fn a_flag_in_an_entry_round_trips() {
    let link = "substance_use.on_maintenance_therapy";
    let mut qr = response(FULL);
    let entries: Vec<&mut ResponseItem> = qr
        .item
        .iter_mut()
        .filter(|i| i.link_id == "substance_use")
        .collect();
    // Only the opioids entry says yes; the others leave it out (absent is no).
    let flagged: Vec<bool> = entries
        .iter()
        .map(|e| e.item.iter().any(|i| i.link_id == link))
        .collect();
    assert_eq!(flagged, [false, true, false]);
    let opioids = &entries[1];
    let flag = opioids.item.iter().find(|i| i.link_id == link).unwrap();
    assert_eq!(flag.answer[0].value_boolean, Some(true));

    // An explicit no is read as no.
    let mut qr = response(FULL);
    let alcohol = qr
        .item
        .iter_mut()
        .find(|i| i.link_id == "substance_use")
        .unwrap();
    alcohol.item.push(leaf(
        link,
        vec![ResponseAnswer {
            value_boolean: Some(false),
            ..Default::default()
        }],
    ));
    assert_eq!(intake_from_response(&qr).unwrap(), intake(FULL));

    // A flag is a yes/no, not a code.
    let mut qr = response(FULL);
    let opioids = qr
        .item
        .iter_mut()
        .filter(|i| i.link_id == "substance_use")
        .nth(1)
        .unwrap();
    child(opioids, link).answer = vec![choice(link, "yes")];
    assert_eq!(
        err(&qr).to_string(),
        format!("linkId `{link}`: expected a yes/no answer (valueBoolean)")
    );
}

/// The schema, with `$ref`s followed, `anyOf` with `null` and the items of an array
/// unwrapped.
fn resolve<'a>(root: &'a serde_json::Value, mut s: &'a serde_json::Value) -> &'a serde_json::Value {
    loop {
        if let Some(r) = s.get("$ref").and_then(|r| r.as_str()) {
            s = root.pointer(r.trim_start_matches('#')).unwrap();
        } else if let Some(any) = s.get("anyOf").and_then(|a| a.as_array()) {
            match any.iter().find(|v| v["type"] != "null") {
                Some(v) if any.len() == 2 && any.iter().any(|v| v["type"] == "null") => s = v,
                _ => return s,
            }
        } else if let Some(items) = s.get("items") {
            s = items;
        } else {
            return s;
        }
    }
}

/// The dotted paths of the intake's JSON Schema that take `"declined"` and
/// `"unable_to_assess"`.
fn declinable_in_schema(
    root: &serde_json::Value,
    at: &serde_json::Value,
    prefix: &str,
    out: &mut Vec<String>,
) {
    let Some(props) = resolve(root, at)
        .get("properties")
        .and_then(|p| p.as_object())
    else {
        return;
    };
    for (key, child) in props {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let text = child.to_string();
        if text.contains(r#""declined""#) && text.contains(r#""unable_to_assess""#) {
            out.push(path);
        } else {
            declinable_in_schema(root, child, &path, out);
        }
    }
}

#[test]
fn each_declinable_item_round_trips_declined_and_unable_to_assess() {
    // The items whose JSON takes "declined" and "unable_to_assess" are the form's items
    // offering both codes.
    let schema = carelevel::schema::intake();
    let mut in_schema = Vec::new();
    declinable_in_schema(&schema, &schema, "", &mut in_schema);
    in_schema.sort();
    let q = questionnaire();
    let mut in_form: Vec<String> = questions(&q.item)
        .into_iter()
        .filter(|i| {
            let codes: Vec<&str> = i
                .answer_option
                .iter()
                .filter_map(|o| o.value_coding.code.as_deref())
                .collect();
            codes.ends_with(&["declined", "unable_to_assess"])
        })
        .map(|i| i.link_id.clone())
        .collect();
    in_form.sort();
    assert_eq!(in_form, in_schema);
    for required in [
        "safety.suicidal_ideation",
        "safety.suicidal_behavior",
        "safety.harm_to_others",
        "safety.psychosis",
        "safety.unable_to_self_care",
        "withdrawal.seizure_or_dt_history",
        "medical.status",
    ] {
        assert!(in_form.iter().any(|l| l == required), "{required}");
    }

    for link in &in_form {
        let item = questions(&q.item)
            .into_iter()
            .find(|i| &i.link_id == link)
            .unwrap();
        assert_eq!(item.kind, "choice", "{link}");
        for code in ["declined", "unable_to_assess"] {
            let mut json: serde_json::Value = serde_json::from_str(FULL).unwrap();
            *at(&mut json, link) = code.into();
            let i = intake(&json.to_string());
            let qr = response_from_intake(&i);
            let answer = &answered(&qr.item)
                .into_iter()
                .find(|r| &r.link_id == link)
                .unwrap()
                .answer;
            assert_eq!(answer.len(), 1, "{link}");
            let coding = answer[0].value_coding.as_ref().unwrap();
            assert_eq!(coding.code.as_deref(), Some(code), "{link}");
            assert_eq!(
                coding.system.as_deref(),
                Some(format!("{CHOICE_SYSTEM}:{link}").as_str())
            );
            let back = intake_from_response(&qr).unwrap();
            assert_eq!(back, i, "{link} {code}");
            let mut back = serde_json::to_value(&back).unwrap();
            assert_eq!(*at(&mut back, link), code, "{link}");
        }
    }
}

#[test]
fn a_declined_yes_no_is_never_read_as_no() {
    use carelevel::intake::Assessed;
    let link = "safety.unable_to_self_care";
    let mut qr = response(IOP);
    let answer = &mut child(group(&mut qr, "safety"), link).answer;
    // A yes/no that may be declined is coded, `no` here.
    assert_eq!(answer, &vec![choice(link, "no")]);

    for (code, read) in [
        ("declined", Assessed::Declined),
        ("unable_to_assess", Assessed::UnableToAssess),
        ("yes", Assessed::Answer(true)),
        ("no", Assessed::Answer(false)),
    ] {
        child(group(&mut qr, "safety"), link).answer = vec![choice(link, code)];
        let i = intake_from_response(&qr).unwrap();
        assert_eq!(i.safety.unable_to_self_care, Some(read), "{code}");
    }

    // A valueBoolean is refused for it, naming the item and the codes.
    child(group(&mut qr, "safety"), link).answer = vec![ResponseAnswer {
        value_boolean: Some(false),
        ..Default::default()
    }];
    let e = err(&qr);
    assert_eq!(
        e.to_string(),
        format!(
            "linkId `{link}`: expected a coded answer (valueCoding), not valueBoolean: a yes/no \
             item that may be declined is coded `yes`, `no`, `declined` or `unable_to_assess`"
        )
    );

    // Any other code is refused, listing the item's codes and not echoing the one given.
    for other in ["false", "n", "No", "unknown", "asked-declined", PLANTED] {
        child(group(&mut qr, "safety"), link).answer = vec![choice(link, other)];
        let e = err(&qr);
        assert_eq!(
            e,
            FhirError::UnknownCode {
                link_id: link.into(),
                expected: "`yes`, `no`, `declined`, `unable_to_assess`".into(),
            },
            "{other}"
        );
        assert!(!e.to_string().contains("John"), "{e}");
    }
}

#[test]
fn declined_is_an_option_of_safety_items_only() {
    // A choice that may be declined lists both codes after its answers.
    let mut qr = response(IOP);
    coding(&mut qr, "medical", "medical.status").code = Some("maybe".into());
    assert_eq!(
        err(&qr).to_string(),
        "linkId `medical.status`: expected a code of the item's answer options: `stable`, \
         `daily_monitoring`, `round_the_clock_care`, `declined`, `unable_to_assess`"
    );
    // One that may not be declined refuses them.
    for code in ["declined", "unable_to_assess"] {
        let mut qr = response(IOP);
        coding(&mut qr, "history", "history.current_setting").code = Some(code.into());
        assert!(
            matches!(err(&qr), FhirError::UnknownCode { link_id, expected }
                if link_id == "history.current_setting" && !expected.contains("declined")),
            "{code}"
        );
    }
}

#[test]
fn a_response_to_the_0_1_questionnaire_is_refused_with_a_way_on() {
    for version in ["0.1.0", "0.1"] {
        let mut qr = response(IOP);
        qr.questionnaire = Some(format!("{QUESTIONNAIRE_URL}|{version}"));
        let e = err(&qr);
        assert_eq!(e, FhirError::QuestionnaireV0_1, "{version}");
        let msg = e.to_string();
        assert!(msg.starts_with("`questionnaire` names the 0.1"), "{msg}");
        assert!(msg.contains("`carelevel::intake::convert_v0_1`"), "{msg}");
        assert!(
            msg.contains(&format!("`{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}`")),
            "{msg}"
        );
    }
    // Refused before its (0.1) items are read.
    let mut qr = response(IOP);
    qr.questionnaire = Some(format!("{QUESTIONNAIRE_URL}|0.1.0"));
    group(&mut qr, "safety").item = vec![leaf(
        "safety.suicide_risk",
        vec![code(
            "urn:carelevel:choice:safety.suicide_risk",
            "recent_behavior",
        )],
    )];
    assert_eq!(err(&qr), FhirError::QuestionnaireV0_1);
}

#[test]
fn the_intake_read_is_an_intake_2() {
    // A response built by hand, as an EHR would send it: no `schema_version` anywhere.
    let json = serde_json::json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": format!("{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}"),
        "status": "completed",
        "item": [
            {"linkId": "age", "answer": [{"valueInteger": 34}]},
            {"linkId": "safety", "item": [
                {"linkId": "safety.suicidal_ideation", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:safety.suicidal_ideation", "code": "none"}}]},
                {"linkId": "safety.suicidal_behavior", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:safety.suicidal_behavior", "code": "never"}}]},
                {"linkId": "safety.harm_to_others", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:safety.harm_to_others", "code": "none"}}]},
                {"linkId": "safety.psychosis", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:safety.psychosis", "code": "none"}}]},
                {"linkId": "safety.unable_to_self_care", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:safety.unable_to_self_care",
                    "code": "no"}}]}
            ]},
            {"linkId": "withdrawal", "item": [
                {"linkId": "withdrawal.seizure_or_dt_history", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:withdrawal.seizure_or_dt_history",
                    "code": "no"}}]}
            ]},
            {"linkId": "medical", "item": [
                {"linkId": "medical.status", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:medical.status", "code": "stable"}}]}
            ]},
            {"linkId": "self_management", "answer": [{"valueCoding": {
                "system": "urn:carelevel:choice:self_management", "code": "independent"}}]},
            {"linkId": "history", "item": [
                {"linkId": "history.current_setting", "answer": [{"valueCoding": {
                    "system": "urn:carelevel:choice:history.current_setting", "code": "none"}}]}
            ]}
        ]
    });
    let qr: QuestionnaireResponse = serde_json::from_value(json).unwrap();
    let read = intake_from_response(&qr).unwrap();
    assert_eq!(
        read.schema_version,
        Some(carelevel::intake::SchemaVersion::V2)
    );
    assert_eq!(read, Intake::minimal_adult());
    // So it reads as JSON too.
    assert_eq!(Intake::from_json(&read.to_json().unwrap()).unwrap(), read);
}

// 8. Standard LOINC panels: PHQ-9 (44249-1) and GAD-7 (69737-5), read by code and scored.

/// A response to the intake questionnaire for an adult with no substance use and no
/// condition, carrying the PHQ-9 panel (a group `/44249-1` in `severity`, items
/// `/44249-1/<code>`, with the difficulty question 69722-7) and the GAD-7 panel (a group
/// `/69737-5` at the top level; item 2 answered "More days than not", LA18938-3), neither with
/// its total. PHQ-9 items 2, 2, 1, 3, 1, 2, 1, 0, 0 (12); GAD-7 items 2, 2, 1, 1, 0, 1, 1 (8).
const LOINC_PANELS: &str = include_str!("fhir/loinc_panels.json");

fn loinc_response() -> QuestionnaireResponse {
    serde_json::from_str(LOINC_PANELS).unwrap()
}

fn answer_integer(n: i64) -> ResponseAnswer {
    ResponseAnswer {
        value_integer: Some(n),
        ..Default::default()
    }
}

fn loinc(code: &str) -> ResponseAnswer {
    self::code("http://loinc.org", code)
}

/// The PHQ-9 panel's group (in `severity`).
fn phq9_panel(qr: &mut QuestionnaireResponse) -> &mut ResponseItem {
    child(group(qr, "severity"), "/44249-1")
}

/// The item with this LOINC code in the PHQ-9 panel.
fn phq9_item<'a>(qr: &'a mut QuestionnaireResponse, code: &str) -> &'a mut ResponseItem {
    child(phq9_panel(qr), &format!("/44249-1/{code}"))
}

fn report(intake: &Intake) -> carelevel::Report {
    carelevel::RulePack::builtin().report(intake).unwrap()
}

/// An instrument's line of the report's `scores`.
#[derive(Debug)]
struct Score {
    total: Option<u32>,
    from: String,
    field: String,
    missing_items: Vec<String>,
}

fn score(report: &carelevel::Report, instrument: &str) -> Score {
    // (The report's score type is not exported by name: its fields are read here.)
    let s = report
        .scores
        .iter()
        .find(|s| s.instrument == instrument)
        .unwrap_or_else(|| panic!("no {instrument} score in {:?}", report.scores));
    Score {
        total: s.total,
        from: s.from.clone(),
        field: s.field.clone(),
        missing_items: s.missing_items.clone(),
    }
}

#[test]
fn a_response_with_the_loinc_phq9_and_gad7_panels_is_read_and_scored() {
    let read = intake_from_response(&loinc_response()).unwrap();
    // Each item is the intake's own, as if given in JSON.
    let mut expected = serde_json::to_value(Intake::minimal_adult()).unwrap();
    expected["age"] = 41.into();
    expected["substance_use"] = serde_json::json!([]);
    expected["severity"]["conditions"] = serde_json::json!([]);
    expected["safety"]["phq9_item9"] = "not_at_all".into();
    expected["severity"]["phq9_items"] = serde_json::json!({
        "interest": "more_than_half_the_days",
        "feeling_down": "more_than_half_the_days",
        "sleep": "several_days",
        "tiredness": "nearly_every_day",
        "appetite": "several_days",
        "self_worth": "more_than_half_the_days",
        "concentration": "several_days",
        "psychomotor": "not_at_all",
    });
    expected["severity"]["gad7_items"] = serde_json::json!({
        "nervous": "more_than_half_the_days",
        "uncontrolled_worry": "more_than_half_the_days",
        "excessive_worry": "several_days",
        "trouble_relaxing": "several_days",
        "restlessness": "not_at_all",
        "irritability": "several_days",
        "dread": "several_days",
    });
    assert_eq!(serde_json::to_value(&read).unwrap(), expected);
    // No total was given: the intake holds none, the report scores them from the items.
    assert_eq!(read.severity.phq9, None);
    assert_eq!(read.severity.gad7, None);
    let report = report(&read);
    let phq9 = score(&report, "phq9");
    assert_eq!(
        (phq9.total, phq9.from.as_str(), phq9.field.as_str()),
        (Some(12), "items", "severity.phq9")
    );
    assert!(phq9.missing_items.is_empty());
    let gad7 = score(&report, "gad7");
    assert_eq!(
        (gad7.total, gad7.from.as_str(), gad7.field.as_str()),
        (Some(8), "items", "severity.gad7")
    );
    // The scores are read by the rules: none waits on them.
    assert!(
        !report.not_evaluated.iter().any(|n| n
            .missing
            .iter()
            .any(|m| m == "severity.phq9" || m == "severity.gad7")),
        "{:?}",
        report.not_evaluated
    );
}

#[test]
fn a_panel_read_loose_or_by_bare_codes_is_the_same() {
    let read = intake_from_response(&loinc_response()).unwrap();
    // The PHQ-9 items loose in `severity`, linkIds the bare codes; the GAD-7 items loose at
    // the top level.
    let mut qr = loinc_response();
    let panel = std::mem::take(&mut phq9_panel(&mut qr).item);
    let severity = group(&mut qr, "severity");
    severity.item.retain(|i| i.link_id != "/44249-1");
    for mut i in panel {
        i.link_id = i.link_id.trim_start_matches("/44249-1/").to_owned();
        severity.item.push(i);
    }
    let gad7 = qr
        .item
        .iter()
        .position(|i| i.link_id == "/69737-5")
        .unwrap();
    let gad7 = qr.item.remove(gad7);
    qr.item.extend(gad7.item);
    assert_eq!(intake_from_response(&qr).unwrap(), read);
}

#[test]
fn a_total_given_with_its_panel_must_agree() {
    let mut qr = loinc_response();
    // LHC-Forms writes a score as a decimal.
    phq9_panel(&mut qr).item.push(leaf(
        "/44249-1/44261-6",
        vec![ResponseAnswer {
            value_decimal: Some(serde_json::Number::from_f64(12.0).unwrap()),
            ..Default::default()
        }],
    ));
    let gad7 = qr
        .item
        .iter_mut()
        .find(|i| i.link_id == "/69737-5")
        .unwrap();
    gad7.item
        .push(leaf("/69737-5/70274-6", vec![answer_integer(8)]));
    let read = intake_from_response(&qr).unwrap();
    assert_eq!(
        (read.severity.phq9, read.severity.gad7),
        (Some(12), Some(8))
    );
    let report = report(&read);
    let phq9 = score(&report, "phq9");
    assert_eq!(
        (phq9.total, phq9.from.as_str()),
        (Some(12), "given_and_items")
    );
    assert_eq!(score(&report, "gad7").from, "given_and_items");

    // A total that is not its items' is refused when assessed, naming both.
    phq9_item(&mut qr, "44261-6").answer = vec![answer_integer(15)];
    let read = intake_from_response(&qr).unwrap();
    let err = carelevel::RulePack::builtin().assess(&read).unwrap_err();
    let carelevel::IntakeError::Invalid(problems) = &err else {
        panic!("{err}")
    };
    assert!(
        problems.iter().any(|p| p.field == "severity.phq9"
            && matches!(
                &p.kind,
                carelevel::ProblemKind::TotalDisagrees { given: 15, sum: 12, complete: true, items }
                    if items.contains("severity.phq9_items")
            )),
        "{err}"
    );
}

#[test]
fn a_partial_panel_has_no_total_and_names_what_is_missing() {
    let mut qr = loinc_response();
    // PHQ-9 item 7 (44252-5) left out; GAD-7 item 3 given without an answer.
    phq9_panel(&mut qr)
        .item
        .retain(|i| i.link_id != "/44249-1/44252-5");
    let gad7 = qr
        .item
        .iter_mut()
        .find(|i| i.link_id == "/69737-5")
        .unwrap();
    child(gad7, "/69737-5/69733-4").answer.clear();
    let read = intake_from_response(&qr).unwrap();
    assert_eq!(read.severity.phq9_items.concentration, None);
    let report = report(&read);
    let phq9 = score(&report, "phq9");
    // Never a silent zero: no total, and the missing item named.
    assert_eq!((phq9.total, phq9.from.as_str()), (None, "items"));
    assert_eq!(phq9.missing_items, ["severity.phq9_items.concentration"]);
    let gad7 = score(&report, "gad7");
    assert_eq!(gad7.total, None);
    assert_eq!(gad7.missing_items, ["severity.gad7_items.excessive_worry"]);
    // The rules that read the totals are not evaluated: they name them.
    let waiting: Vec<&str> = report
        .not_evaluated
        .iter()
        .flat_map(|n| n.missing.iter().map(String::as_str))
        .collect();
    assert!(
        waiting.contains(&"severity.phq9") && waiting.contains(&"severity.gad7"),
        "{waiting:?}"
    );
}

#[test]
fn a_panel_item_out_of_its_range_is_refused() {
    let mut qr = loinc_response();
    phq9_item(&mut qr, "44250-9").answer = vec![answer_integer(4)];
    let e = err(&qr);
    assert_eq!(
        e,
        FhirError::LoincOutOfRange {
            item: GivenLinkId::new("/44249-1/44250-9"),
            instrument: "PHQ-9 item 1",
            code: "44250-9",
            value: 4,
            min: 0,
            max: 3,
        }
    );
    assert_eq!(
        e.to_string(),
        "linkId `/44249-1/44250-9` (PHQ-9 item 1, LOINC 44250-9): 4 is outside 0-3"
    );
    // A score as an integer in range is read.
    let mut qr = loinc_response();
    phq9_item(&mut qr, "44250-9").answer = vec![answer_integer(2)];
    assert_eq!(
        intake_from_response(&qr).unwrap(),
        intake_from_response(&loinc_response()).unwrap()
    );
    // Totals: outside 0-27, negative, or not a whole number.
    for (answer, expected) in [
        (
            answer_integer(28),
            "linkId `/44249-1/44261-6` (PHQ-9 total, LOINC 44261-6): 28 is outside 0-27",
        ),
        (
            answer_integer(-1),
            "linkId `/44249-1/44261-6` (PHQ-9 total, LOINC 44261-6): -1 is outside 0-27",
        ),
        (
            ResponseAnswer {
                value_decimal: Some(serde_json::Number::from_f64(12.5).unwrap()),
                ..Default::default()
            },
            "linkId `/44249-1/44261-6` (PHQ-9 total, LOINC 44261-6): expected a whole number 0-27",
        ),
        (
            ResponseAnswer {
                value_string: Some("12".into()),
                ..Default::default()
            },
            "linkId `/44249-1/44261-6` (PHQ-9 total, LOINC 44261-6): expected a number 0-27 (valueInteger, or a whole valueDecimal)",
        ),
    ] {
        let mut qr = loinc_response();
        phq9_panel(&mut qr)
            .item
            .push(leaf("/44249-1/44261-6", vec![answer]));
        assert_eq!(err(&qr).to_string(), expected);
    }
    let mut qr = loinc_response();
    qr.item.push(leaf("/70274-6", vec![answer_integer(22)]));
    // (A loose GAD-7 total beside the GAD-7 group is the panel given twice: checked first.)
    assert!(matches!(
        err(&qr),
        FhirError::LoincRepeated {
            code: "69737-5",
            ..
        }
    ));
    let mut qr = loinc_response();
    let gad7 = qr
        .item
        .iter_mut()
        .find(|i| i.link_id == "/69737-5")
        .unwrap();
    gad7.item
        .push(leaf("/69737-5/70274-6", vec![answer_integer(22)]));
    assert!(matches!(
        err(&qr),
        FhirError::LoincOutOfRange {
            value: 22,
            max: 21,
            code: "70274-6",
            ..
        }
    ));
}

#[test]
fn a_panel_answer_code_not_in_its_list_is_refused() {
    for (code, item) in [
        // "Somewhat difficult": the difficulty question's list, not an item's.
        ("LA6572-7", "44250-9"),
        // "More days than not": GAD-7 item 2's own list only.
        ("LA18938-3", "44250-9"),
        (PLANTED, "44250-9"),
    ] {
        let mut qr = loinc_response();
        phq9_item(&mut qr, item).answer = vec![loinc(code)];
        let e = err(&qr);
        assert!(
            matches!(
                &e,
                FhirError::LoincUnknownCode {
                    code: "44250-9",
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "linkId `/44249-1/44250-9` (PHQ-9 item 1, LOINC 44250-9): expected a code of its \
             LOINC answer list: `LA6568-5` (0), `LA6569-3` (1), `LA6570-1` (2), `LA6571-9` (3)"
        );
    }
    // The difficulty question is checked against its own list.
    let mut qr = loinc_response();
    phq9_item(&mut qr, "69722-7").answer = vec![loinc("LA6571-9")];
    assert!(matches!(
        err(&qr),
        FhirError::LoincUnknownCode {
            code: "69722-7",
            ..
        }
    ));
}

#[test]
fn a_panel_answer_from_another_system_is_refused() {
    for system in [
        Some("http://snomed.info/sct"),
        Some("urn:carelevel:choice:severity.phq9_items.interest"),
        Some(""),
        None,
    ] {
        let mut qr = loinc_response();
        phq9_item(&mut qr, "44250-9").answer[0]
            .value_coding
            .as_mut()
            .unwrap()
            .system = system.map(Into::into);
        let e = err(&qr);
        assert_eq!(
            e.to_string(),
            "linkId `/44249-1/44250-9` (PHQ-9 item 1, LOINC 44250-9): expected a valueCoding \
             with system `http://loinc.org`",
            "{system:?}"
        );
    }
}

#[test]
fn a_panel_given_twice_is_refused() {
    // The same panel twice.
    let mut qr = loinc_response();
    let second = phq9_panel(&mut qr).clone();
    group(&mut qr, "severity").item.push(second.clone());
    let e = err(&qr);
    assert_eq!(
        e,
        FhirError::LoincRepeated {
            item: GivenLinkId::new("/44249-1"),
            instrument: "PHQ-9 panel",
            code: "44249-1",
        }
    );
    assert_eq!(
        e.to_string(),
        "linkId `/44249-1` (PHQ-9 panel, LOINC 44249-1) is given more than once: give each \
         panel, and each of its items, once"
    );
    // Again at the top level, or one item of it beside the group.
    let mut qr = loinc_response();
    qr.item.push(second);
    assert!(matches!(
        err(&qr),
        FhirError::LoincRepeated {
            code: "44249-1",
            ..
        }
    ));
    let mut qr = loinc_response();
    qr.item.push(leaf("/44260-8", vec![loinc("LA6568-5")]));
    assert!(matches!(
        err(&qr),
        FhirError::LoincRepeated {
            code: "44249-1",
            ..
        }
    ));
    // One item twice in the panel.
    let mut qr = loinc_response();
    let item = phq9_item(&mut qr, "44259-0").clone();
    phq9_panel(&mut qr).item.push(item);
    assert_eq!(
        err(&qr),
        FhirError::LoincRepeated {
            item: GivenLinkId::new("/44249-1/44259-0"),
            instrument: "PHQ-9 item 3",
            code: "44259-0",
        }
    );
    // An item both in the panel and by the intake's own linkId.
    for (grp, link, answer) in [
        (
            "severity",
            "severity.phq9_items",
            ResponseItem {
                link_id: "severity.phq9_items".into(),
                answer: vec![],
                item: vec![leaf(
                    "severity.phq9_items.sleep",
                    vec![choice("severity.phq9_items.sleep", "not_at_all")],
                )],
            },
        ),
        (
            "safety",
            "safety.phq9_item9",
            leaf(
                "safety.phq9_item9",
                vec![choice("safety.phq9_item9", "not_at_all")],
            ),
        ),
    ] {
        let mut qr = loinc_response();
        group(&mut qr, grp).item.push(answer);
        let e = err(&qr);
        assert!(matches!(&e, FhirError::AnsweredTwice { .. }), "{link}: {e}");
        assert!(
            e.to_string().contains("which the response answers too"),
            "{e}"
        );
    }
    let mut qr = loinc_response();
    group(&mut qr, "severity")
        .item
        .push(leaf("severity.phq9_items", vec![]));
    // (`severity.phq9_items` given with no item answers nothing: still read.)
    assert!(intake_from_response(&qr).is_ok());
    let mut qr = loinc_response();
    group(&mut qr, "severity")
        .item
        .push(leaf("severity.gad7", vec![answer_integer(8)]));
    let gad7 = qr
        .item
        .iter_mut()
        .find(|i| i.link_id == "/69737-5")
        .unwrap();
    gad7.item
        .push(leaf("/69737-5/70274-6", vec![answer_integer(8)]));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `/69737-5/70274-6` (GAD-7 total, LOINC 70274-6) answers `severity.gad7`, which \
         the response answers too: give it once"
    );
}

#[test]
fn only_the_panels_items_are_read_in_a_panel_and_only_where_a_panel_may_be() {
    // A GAD-7 item, or an unknown code, in the PHQ-9 group.
    for link in ["/44249-1/69725-0", "/44249-1/12345-6", "severity.phq9"] {
        let mut qr = loinc_response();
        phq9_panel(&mut qr)
            .item
            .push(leaf(link, vec![answer_integer(1)]));
        let e = err(&qr);
        assert_eq!(
            e.to_string(),
            format!("linkId `{link}` is not an item of the PHQ-9 panel (LOINC 44249-1)")
        );
    }
    // A panel item in another group than `severity` (or the top level).
    let mut qr = loinc_response();
    group(&mut qr, "safety")
        .item
        .push(leaf("/44260-8", vec![loinc("LA6568-5")]));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `/44260-8` is not an item of the carelevel intake questionnaire"
    );
    // Answers on the panel's group.
    let mut qr = loinc_response();
    phq9_panel(&mut qr).answer.push(answer_integer(12));
    assert_eq!(
        err(&qr).to_string(),
        "linkId `/44249-1` (PHQ-9 panel, LOINC 44249-1): expected child items, not an answer"
    );
    // A linkId with text in it is not shown.
    let mut qr = loinc_response();
    phq9_panel(&mut qr).item.push(leaf(PLANTED, vec![]));
    let e = err(&qr).to_string();
    assert!(
        e.starts_with("a linkId of 23 characters is not an item of the PHQ-9 panel"),
        "{e}"
    );
}

// 9. The form's own logic: `enableWhen`, evaluated over a response as a renderer would.

/// The answers to the question `link` nearest to the item being evaluated: searched in the
/// innermost group instance first, then outwards (R4: the nearest occurrence, on the ancestor
/// axis first).
fn nearest<'a>(scopes: &[&'a [ResponseItem]], link: &str) -> &'a [ResponseAnswer] {
    fn find<'a>(items: &'a [ResponseItem], link: &str) -> Option<&'a [ResponseAnswer]> {
        items.iter().find_map(|i| {
            if i.link_id == link {
                Some(i.answer.as_slice())
            } else {
                find(&i.item, link)
            }
        })
    }
    scopes
        .iter()
        .rev()
        .find_map(|scope| find(scope, link))
        .unwrap_or(&[])
}

/// Whether one `enableWhen` holds for these answers (R4 operator definitions: `!=` holds when
/// no answer equals the value, so also when there is none).
fn holds(c: &EnableWhen, answers: &[ResponseAnswer]) -> bool {
    let equal = |a: &ResponseAnswer| match (&c.answer_boolean, &c.answer_integer, &c.answer_coding)
    {
        (Some(b), None, None) => a.value_boolean == Some(*b),
        (None, Some(n), None) => a.value_integer == Some(*n),
        (None, None, Some(coding)) => a
            .value_coding
            .as_ref()
            .is_some_and(|v| v.system == coding.system && v.code == coding.code),
        _ => panic!("`{}`: not exactly one answer[x]", c.question),
    };
    match c.operator.as_str() {
        "exists" => c.answer_boolean == Some(!answers.is_empty()),
        "=" => answers.iter().any(equal),
        "!=" => !answers.iter().any(equal),
        "<" => {
            let limit = c.answer_integer.unwrap();
            answers
                .iter()
                .any(|a| a.value_integer.is_some_and(|v| v < limit))
        }
        other => panic!("operator `{other}` is not used by the form"),
    }
}

fn enabled(item: &QuestionnaireItem, scopes: &[&[ResponseItem]]) -> bool {
    let mut results = item
        .enable_when
        .iter()
        .map(|c| holds(c, nearest(scopes, &c.question)));
    match (item.enable_behavior.as_deref(), item.enable_when.len()) {
        (_, 0) => true,
        (None, 1) => results.all(|r| r),
        (Some("all"), _) => results.all(|r| r),
        (Some("any"), _) => results.any(|r| r),
        (behavior, n) => panic!("`{}`: {n} conditions, behavior {behavior:?}", item.link_id),
    }
}

/// What a renderer following the form's logic finds in a response: the required items that
/// are enabled and unanswered, and the disabled items that are answered. A group not in the
/// response is shown once, empty (its required items are asked), as LHC-Forms does.
#[derive(Debug, Default, PartialEq)]
struct Completeness {
    missing: Vec<String>,
    answered_disabled: Vec<String>,
}

fn walk<'a>(
    form: &[QuestionnaireItem],
    given: &'a [ResponseItem],
    scopes: &mut Vec<&'a [ResponseItem]>,
    out: &mut Completeness,
) {
    for q in form {
        let here: Vec<&'a ResponseItem> = given.iter().filter(|r| r.link_id == q.link_id).collect();
        if !enabled(q, scopes) {
            if !here.is_empty() {
                out.answered_disabled.push(q.link_id.clone());
            }
            continue;
        }
        if q.kind == "group" {
            if here.is_empty() {
                scopes.push(&[]);
                walk(&q.item, &[], scopes, out);
                scopes.pop();
            }
            for g in here {
                scopes.push(&g.item);
                walk(&q.item, &g.item, scopes, out);
                scopes.pop();
            }
        } else if q.required && here.iter().all(|r| r.answer.is_empty()) {
            out.missing.push(q.link_id.clone());
        }
    }
}

fn completeness(q: &Questionnaire, qr: &QuestionnaireResponse) -> Completeness {
    let mut out = Completeness::default();
    let mut scopes = vec![qr.item.as_slice()];
    walk(&q.item, &qr.item, &mut scopes, &mut out);
    out
}

/// An adult with no substance use, not in treatment, no mental-health condition and no earlier
/// treatment: only what the form requires of everyone.
fn no_substance_adult() -> Intake {
    let mut json = serde_json::to_value(Intake::minimal_adult()).unwrap();
    json["substance_use"] = serde_json::json!([]);
    json["severity"]["conditions"] = serde_json::json!([]);
    json["history"]["episodes"] = serde_json::json!([]);
    serde_json::from_value(json).unwrap()
}

#[test]
fn the_form_asks_no_one_what_does_not_apply_to_them() {
    let q = questionnaire();
    let intake = no_substance_adult();
    let qr = response_from_intake(&intake);
    // The substance group, progress and the adolescent items are not answered...
    let given: Vec<&str> = answered(&qr.item)
        .into_iter()
        .map(|i| i.link_id.as_str())
        .collect();
    for absent in [
        "substance_use",
        "substance_use.substance",
        "history.progress",
        "adolescent",
    ] {
        assert!(!given.contains(&absent), "{absent}");
    }
    // ... and the form, by its own logic, has every required enabled item answered.
    assert_eq!(completeness(&q, &qr), Completeness::default());
    // The engine agrees: the intake read is complete.
    let read = intake_from_response(&qr).unwrap();
    assert!(
        read.missing_required().is_empty(),
        "{:?}",
        read.missing_required()
    );
    carelevel::RulePack::builtin().assess(&read).unwrap();

    // Without the "assessed: none" item, the substance group is asked, and its substance is
    // required.
    let mut without = qr.clone();
    without.item.retain(|i| i.link_id != "no_substance_use");
    assert_eq!(
        completeness(&q, &without).missing,
        ["substance_use.substance"]
    );
}

#[test]
fn the_form_requires_progress_of_a_person_in_treatment() {
    let q = questionnaire();
    let mut intake = no_substance_adult();
    intake.history.current_setting = Some(carelevel::intake::Setting::Iop);
    let qr = response_from_intake(&intake);
    assert_eq!(
        completeness(&q, &qr),
        Completeness {
            missing: vec!["history.progress".into()],
            answered_disabled: vec![],
        }
    );
    // So does the engine.
    let read = intake_from_response(&qr).unwrap();
    assert_eq!(read.missing_required(), ["history.progress"]);

    // Answered, it is complete.
    intake.history.progress = Some(carelevel::intake::Progress::Progressing);
    let qr = response_from_intake(&intake);
    assert_eq!(completeness(&q, &qr), Completeness::default());
    // And progress is not asked when the setting is none.
    let mut none = no_substance_adult();
    none.history.progress = Some(carelevel::intake::Progress::Progressing);
    assert_eq!(
        completeness(&q, &response_from_intake(&none)).answered_disabled,
        ["history.progress"]
    );
}

#[test]
fn the_form_asks_each_substance_entry_only_its_own_items() {
    let q = questionnaire();
    let mut json: serde_json::Value = serde_json::from_str(FULL).unwrap();
    // FULL answers each entry only with what applies to its substance. It also gives the
    // C-SSRS screener beside agreeing direct suicide items, which the form asks only when
    // the screener is not used: with the screener alone, nothing is answered while disabled.
    let safety = json["safety"].as_object_mut().unwrap();
    safety.remove("suicidal_ideation");
    safety.remove("suicidal_behavior");
    let qr = response_from_intake(&intake(&json.to_string()));
    assert_eq!(
        completeness(&q, &qr).answered_disabled,
        Vec::<String>::new()
    );
    // COWS on the alcohol entry, CIWA-Ar items on the opioids entry, a dose on an alcohol
    // entry: each is an item the form does not enable there.
    for (entry, key, value) in [
        (0, "cows", serde_json::json!(3)),
        (1, "ciwa_ar_items", serde_json::json!({"tremor": 2})),
        (0, "daily_dose_mg", serde_json::json!(4)),
        (2, "drinks_per_day", serde_json::json!(4)),
        (0, "on_maintenance_therapy", serde_json::json!(true)),
    ] {
        let mut json = json.clone();
        json["substance_use"][entry][key] = value;
        let qr = response_from_intake(&intake(&json.to_string()));
        assert_eq!(
            completeness(&q, &qr).answered_disabled,
            [format!("substance_use.{key}")],
            "{key}"
        );
    }
    // The adolescent items only under 18; C-SSRS items 3-5 only after a yes to item 2.
    json["age"] = 18.into();
    let qr = response_from_intake(&intake(&json.to_string()));
    assert_eq!(completeness(&q, &qr).answered_disabled, ["adolescent"]);
    json["age"] = 16.into();
    json["safety"]["cssrs"]["nonspecific_thoughts"] = false.into();
    let qr = response_from_intake(&intake(&json.to_string()));
    assert_eq!(
        completeness(&q, &qr).answered_disabled,
        [
            "safety.cssrs.method",
            "safety.cssrs.intent",
            "safety.cssrs.plan"
        ]
    );
}

#[test]
fn answer_options_are_shown_readably() {
    let q = questionnaire();
    let status = questions(&q.item)
        .into_iter()
        .find(|i| i.link_id == "medical.status")
        .unwrap();
    let shown: Vec<&str> = status
        .answer_option
        .iter()
        .map(|o| o.value_coding.display.as_deref().unwrap())
        .collect();
    assert_eq!(
        shown,
        [
            "Stable",
            "Daily monitoring",
            "Round-the-clock care",
            "Declined",
            "Unable to assess"
        ]
    );
}

#[test]
fn the_form_has_its_metadata() {
    let q = questionnaire();
    assert_eq!(
        (
            q.id.as_str(),
            q.name.as_str(),
            q.publisher.as_str(),
            q.date.as_str()
        ),
        (
            QUESTIONNAIRE_ID,
            QUESTIONNAIRE_NAME,
            QUESTIONNAIRE_PUBLISHER,
            QUESTIONNAIRE_DATE
        )
    );
    assert_eq!(q.text.status, "generated");
    assert!(
        q.text
            .div
            .starts_with(r#"<div xmlns="http://www.w3.org/1999/xhtml">"#)
    );
    // The LOINC totals with LOINC's long common names.
    let names: Vec<(String, String)> = questions(&q.item)
        .into_iter()
        .flat_map(|i| i.code.iter())
        .filter_map(|c| Some((c.code.clone()?, c.display.clone()?)))
        .collect();
    assert_eq!(
        names,
        [
            (
                "44261-6".to_owned(),
                "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]".to_owned()
            ),
            (
                "70274-6".to_owned(),
                "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]".to_owned()
            ),
        ]
    );
}

// 10. A rule pack's ratings.

/// The built-in rules under the id `test dims`, with a required rating `d1` (0-4) and an
/// optional `d2` (0-10).
fn ratings_pack() -> carelevel::RulePack {
    let mut sources: Vec<(&str, String)> = carelevel::BUILTIN_SOURCES
        .iter()
        .map(|(n, t)| {
            (
                *n,
                t.replace("id = \"carelevel.builtin\"", "id = \"test dims\""),
            )
        })
        .collect();
    sources.push((
        "ratings.toml",
        "[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\n\n[[rating]]\nid = \"d2\"\nmin = 0\nmax = 10\nrequired = false\n"
            .into(),
    ));
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
    carelevel::RulePack::from_sources(&sources).unwrap()
}

#[test]
fn a_packs_ratings_are_items_of_its_form() {
    let pack = ratings_pack();
    let q = questionnaire_for(&pack);
    assert_eq!(q.url, "urn:carelevel:questionnaire:intake:pack:test-dims");
    assert_eq!(q.version, format!("2-{}", pack.meta().version));
    assert_eq!(
        q.derived_from,
        [format!("{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}")]
    );
    assert_ne!(q.id, QUESTIONNAIRE_ID);
    // The intake's items, then the ratings before `notes`.
    let links: Vec<&str> = q.item.iter().map(|i| i.link_id.as_str()).collect();
    assert_eq!(&links[links.len() - 2..], ["ratings", "notes"]);
    let ratings = &q.item[links.len() - 2];
    let items: Vec<(&str, &str, bool, Vec<i64>)> = ratings
        .item
        .iter()
        .map(|i| {
            (
                i.link_id.as_str(),
                i.kind.as_str(),
                i.required,
                i.extension.iter().map(|e| e.value_integer).collect(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("ratings.d1", "integer", true, vec![0, 4]),
            ("ratings.d2", "integer", false, vec![0, 10]),
        ]
    );
    // Everything else is the intake questionnaire's.
    let mut base = questionnaire();
    base.item.insert(base.item.len() - 1, ratings.clone());
    assert_eq!(q.item, base.item);
}

#[test]
fn a_packs_ratings_are_read_back_with_the_pack() {
    let pack = ratings_pack();
    let mut i = intake(IOP);
    i.ratings.insert("d1".into(), 3);
    i.ratings.insert("d2".into(), 7);
    let qr = response_from_intake_for(&pack, &i);
    let (url, version) = (
        questionnaire_for(&pack).url,
        questionnaire_for(&pack).version,
    );
    assert_eq!(qr.questionnaire, Some(format!("{url}|{version}")));
    assert_eq!(intake_from_response_for(&pack, &qr).unwrap(), i);
    // The ratings are scored by the pack.
    let back = intake_from_response_for(&pack, &qr).unwrap();
    pack.assess(&back).unwrap();

    // The intake questionnaire's reader refuses the pack's form, and ratings.
    assert_eq!(err(&qr), FhirError::WrongQuestionnaire);
    let plain = response_from_intake(&i);
    assert_eq!(err(&plain), FhirError::RatingsWithoutPack);
    assert!(
        err(&plain)
            .to_string()
            .contains("`intake_from_response_for`")
    );
    // A response to the intake questionnaire is read with the pack too.
    assert_eq!(intake_from_response_for(&pack, &plain).unwrap(), i);
    assert_eq!(
        intake_from_response_for(&pack, &response(IOP)).unwrap(),
        intake(IOP)
    );

    // A rating the pack does not declare, or of the wrong type, or twice.
    let mut bad = qr.clone();
    group(&mut bad, "ratings")
        .item
        .push(leaf("ratings.d9", vec![answer_integer(1)]));
    assert_eq!(
        intake_from_response_for(&pack, &bad)
            .unwrap_err()
            .to_string(),
        "linkId `ratings.d9` is not an item of the carelevel intake questionnaire"
    );
    let mut bad = qr.clone();
    group(&mut bad, "ratings").item[0].answer = vec![ResponseAnswer {
        value_string: Some(PLANTED.into()),
        ..Default::default()
    }];
    let e = intake_from_response_for(&pack, &bad)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "linkId `ratings.d1`: expected an integer answer (valueInteger)"
    );
    let mut bad = qr.clone();
    let first = group(&mut bad, "ratings").item[0].clone();
    group(&mut bad, "ratings").item.push(first);
    assert_eq!(
        intake_from_response_for(&pack, &bad)
            .unwrap_err()
            .to_string(),
        "linkId `ratings.d1` appears more than once but does not repeat"
    );
}
