//! Every FHIR resource carelevel writes is valid FHIR R4: it validates against the official
//! FHIR R4 JSON schema (vendored in `tests/fhir-r4/`, draft-06, used offline), and it keeps
//! the R4 invariants and required bindings that a JSON schema cannot express.
//!
//! Validated: the `RiskAssessment` and the proposed `ServiceRequest` of every bundled intake,
//! each also made provisional, under several contexts (with and without encounter and
//! performer, relative and absolute references); the same for generated intakes (final and
//! provisional); every `CodeSystem`; the `Questionnaire` (and a pack's); the
//! `QuestionnaireResponse` of every bundled and generated intake. A broken resource is
//! rejected (the controls), so the tests cannot pass vacuously.
//!
//! The `CodeSystem` resources and the JSON Schema of [`FhirContext`] are committed under
//! `schema/fhir/`; regenerate them with `UPDATE_SCHEMAS=1 cargo test --all-features --test
//! fhir_r4_schema`.

#![cfg(feature = "fhir")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::fhir::{
    ASSESSMENT_SYSTEM, FhirContext, FhirError, LEVEL_SYSTEM, SETTING_EXTENSION, SETTING_SYSTEM,
    URGENCY_EXTENSION, URGENCY_SYSTEM, code_systems, questionnaire, questionnaire_for,
    response_from_intake,
};
use carelevel::{Intake, Report, RulePack, Status, Urgency};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The FHIR R4 JSON schema, read once (3.3 MB).
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("tests/fhir-r4/fhir.schema.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

/// The schema compiled once: a resource is valid when it is one of R4's resources.
fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        assert_eq!(
            schema()["$schema"],
            "http://json-schema.org/draft-06/schema#"
        );
        jsonschema::draft6::new(schema()).unwrap()
    })
}

/// Why `resource` is not valid FHIR R4 (empty when it is). The whole schema says only "none
/// of the resources"; the errors are those of the resource's own definition.
fn schema_errors(resource: &Value) -> Vec<String> {
    if validator().is_valid(resource) {
        return Vec::new();
    }
    let ty = resource["resourceType"].as_str().unwrap_or("");
    if schema()["definitions"][ty]["properties"]["resourceType"]["const"] != ty {
        return vec![format!("{ty:?} is not a FHIR R4 resource type")];
    }
    let narrowed = json!({
        "$schema": schema()["$schema"],
        "definitions": schema()["definitions"],
        "$ref": format!("#/definitions/{ty}"),
    });
    let errors: Vec<String> = jsonschema::draft6::new(&narrowed)
        .unwrap()
        .iter_errors(resource)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect();
    if errors.is_empty() {
        vec![format!("not a valid FHIR R4 resource (type {ty:?})")]
    } else {
        errors
    }
}

/// A compiled schema for one string definition of FHIR R4 (`dateTime`, `id`).
fn primitive(name: &str) -> jsonschema::Validator {
    let definition = &schema()["definitions"][name];
    assert!(definition["pattern"].is_string(), "{name}");
    jsonschema::draft6::new(&json!({
        "type": "string",
        "pattern": definition["pattern"],
    }))
    .unwrap()
}

/// The elements of XHTML a FHIR narrative may use (R4 `txt-1`).
const XHTML: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "b",
    "big",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "ul",
    "var",
];

/// Checks a narrative `div`: R4 `txt-1` (well-formed XHTML of the allowed elements, in the
/// XHTML namespace, no attributes here but the namespace) and `txt-2` (some text), and that
/// every `&` starts an entity and no `>` is left unescaped in text.
fn check_div(what: &str, div: &str) {
    const OPEN: &str = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";
    assert!(div.starts_with(OPEN), "{what}: {div}");
    assert!(div.ends_with("</div>"), "{what}: {div}");
    let mut stack: Vec<&str> = Vec::new();
    let mut text = String::new();
    let mut rest = div;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after
                .find('>')
                .unwrap_or_else(|| panic!("{what}: unclosed tag"));
            let tag = &after[..end];
            rest = &after[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "{what}: </{name}> closes nothing");
                continue;
            }
            let name = tag.split_whitespace().next().unwrap_or("");
            assert!(XHTML.contains(&name), "{what}: <{name}> is not allowed");
            if first {
                assert_eq!(tag, &OPEN[1..OPEN.len() - 1], "{what}");
                first = false;
            } else {
                assert_eq!(tag, name, "{what}: attributes on <{name}>");
            }
            stack.push(name);
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let chunk = &rest[..end];
            assert!(!chunk.contains('>'), "{what}: unescaped `>` in {chunk:?}");
            for (i, _) in chunk.match_indices('&') {
                let entity = &chunk[i..];
                assert!(
                    ["&lt;", "&gt;", "&amp;", "&quot;", "&#39;"]
                        .iter()
                        .any(|e| entity.starts_with(e)),
                    "{what}: a bare `&` in {chunk:?}"
                );
            }
            text.push_str(chunk);
            rest = &rest[end..];
        }
    }
    assert!(stack.is_empty(), "{what}: unclosed {stack:?}");
    assert!(
        !text.trim().is_empty(),
        "{what}: a narrative without text (txt-2)"
    );
    assert!(!text.contains("  "), "{what}: a double space in {text:?}");
}

/// R4 `dom-6`: a resource should have a narrative; carelevel's always has a generated one.
fn check_narrative(what: &str, resource: &Value) {
    assert_eq!(resource["text"]["status"], "generated", "{what}: dom-6");
    check_div(what, resource["text"]["div"].as_str().unwrap());
}

/// Every key anywhere in `value`, with its path.
fn keys(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                out.push(format!("{path}.{k}"));
                keys(v, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| keys(v, path, out)),
        _ => {}
    }
}

/// Every Coding (an object with `system` and `code`) anywhere in `value`.
fn codings<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(m) => {
            if m.contains_key("system") && m.contains_key("code") {
                out.push(value);
            }
            m.values().for_each(|v| codings(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| codings(v, out)),
        _ => {}
    }
}

/// carelevel's codes: system -> code -> display, from `code_systems()`.
fn vocabulary() -> BTreeMap<String, BTreeMap<String, String>> {
    code_systems()
        .into_iter()
        .map(|cs| {
            let codes = cs
                .concept
                .into_iter()
                .map(|c| (c.code, c.display))
                .collect();
            (cs.url, codes)
        })
        .collect()
}

/// Each carelevel Coding names a code of carelevel's code systems, with its display (so an
/// EHR that loads the CodeSystems finds nothing to warn about); the only other system is the
/// rule pack's (the method).
fn check_codings(what: &str, resource: &Value) {
    let vocabulary = vocabulary();
    let mut found = Vec::new();
    codings(resource, &mut found);
    assert!(!found.is_empty(), "{what}");
    for c in found {
        let system = c["system"].as_str().unwrap();
        if system == "urn:carelevel:rule-pack" {
            continue;
        }
        let codes = vocabulary
            .get(system)
            .unwrap_or_else(|| panic!("{what}: {system} has no CodeSystem"));
        let code = c["code"].as_str().unwrap();
        assert_eq!(
            codes.get(code).map(String::as_str),
            c["display"].as_str(),
            "{what}: {system} {code}"
        );
    }
}

/// R4 required bindings a JSON schema leaves as `code`.
const OBSERVATION_STATUS: &[&str] = &[
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
];
const REQUEST_STATUS: &[&str] = &[
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
];
const REQUEST_INTENT: &[&str] = &[
    "proposal",
    "plan",
    "directive",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
];
const REQUEST_PRIORITY: &[&str] = &["routine", "urgent", "asap", "stat"];

/// What the schema cannot check of a RiskAssessment: its bindings and invariants.
fn risk_assessment_problems(ra: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let status = ra["status"].as_str().unwrap_or("");
    if !OBSERVATION_STATUS.contains(&status) {
        problems.push(format!("status {status:?} is not an ObservationStatus"));
    }
    // ras-2 bounds a probability; carelevel never states one.
    let mut all = Vec::new();
    keys(ra, "", &mut all);
    for k in all.iter().filter(|k| k.contains(".probability")) {
        problems.push(format!("{k}: a probability"));
    }
    problems
}

fn service_request_problems(sr: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (field, allowed) in [
        ("status", REQUEST_STATUS),
        ("intent", REQUEST_INTENT),
        ("priority", REQUEST_PRIORITY),
    ] {
        let value = sr[field].as_str().unwrap_or("");
        if !allowed.contains(&value) {
            problems.push(format!("{field} {value:?} is not in its value set"));
        }
    }
    problems
}

/// Asserts that `resource` is valid FHIR R4, and counts it.
fn assert_valid(what: &str, resource: &Value, count: &mut BTreeMap<String, usize>) {
    let errors = schema_errors(resource);
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{resource:#}");
    let ty = resource["resourceType"].as_str().unwrap().to_owned();
    *count.entry(ty).or_default() += 1;
}

/// The contexts each report is written under: dates alone and dates with time and offset;
/// without and with encounter and performer; relative references and absolute ones (a
/// server's URL, `urn:uuid:` in a transaction Bundle).
fn contexts() -> Vec<FhirContext> {
    vec![
        FhirContext {
            id: "ra-1".into(),
            subject: "Patient/p1".into(),
            response: "QuestionnaireResponse/qr1".into(),
            occurrence: "2026-11-29".into(),
            encounter: None,
            performer: None,
        },
        FhirContext {
            id: "carelevel.2026-11-29.1".into(),
            subject: "Patient/123".into(),
            response: "QuestionnaireResponse/456".into(),
            occurrence: "2026-11-29T14:05:09.250-05:00".into(),
            encounter: Some("Encounter/e-9".into()),
            performer: Some("Device/carelevel".into()),
        },
        FhirContext {
            id: "A".into(),
            subject: "https://ehr.example.org/fhir/Group/7".into(),
            response: "urn:uuid:0c3a2b1e-8c1d-4e0a-9b5f-1d2c3b4a5f6e".into(),
            occurrence: "2026-11-29T23:59:60Z".into(),
            encounter: Some("urn:uuid:9d1f0c1e-0000-4000-8000-000000000001".into()),
            performer: Some("PractitionerRole/7".into()),
        },
    ]
}

/// The bundled intakes, by file name.
fn bundled() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(root().join("examples/intakes"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "{} bundled intakes", out.len());
    out
}

/// Every bundled intake, and each also made provisional (a safety item unanswered), with a
/// plan with intent and nothing else (provisional, its level certain).
fn reports() -> Vec<(String, Report)> {
    let pack = RulePack::builtin();
    let report = |v: &Value| {
        pack.report(&Intake::from_json(&v.to_string()).unwrap())
            .unwrap()
    };
    let mut out = Vec::new();
    for (name, json) in bundled() {
        out.push((name.clone(), report(&json)));
        let mut partial = json.clone();
        let safety = partial["safety"].as_object_mut().unwrap();
        safety.remove("harm_to_others");
        safety.remove("psychosis");
        let r = report(&partial);
        assert_eq!(r.status, Status::Provisional, "{name} made provisional");
        out.push((format!("{name} (provisional)"), r));
    }
    let alone = json!({"schema_version": "2", "safety": {"suicidal_ideation": "plan_with_intent"}});
    out.push(("plan with intent alone".into(), report(&alone)));
    out
}

/// The RiskAssessment and ServiceRequest of `report` under every context, validated and
/// checked.
fn check_report(name: &str, report: &Report, count: &mut BTreeMap<String, usize>) {
    for (k, context) in contexts().iter().enumerate() {
        let what = format!("{name}, context {k}");
        let ra = report.to_risk_assessment(context).unwrap();
        let ra = serde_json::to_value(&ra).unwrap();
        assert_valid(&format!("{what}: RiskAssessment"), &ra, count);
        let problems = risk_assessment_problems(&ra);
        assert!(problems.is_empty(), "{what}: {problems:?}");
        check_narrative(&format!("{what}: RiskAssessment"), &ra);
        check_codings(&format!("{what}: RiskAssessment"), &ra);
        let sr = report.to_service_request(context, "sr-1").unwrap();
        let sr = serde_json::to_value(&sr).unwrap();
        assert_valid(&format!("{what}: ServiceRequest"), &sr, count);
        let problems = service_request_problems(&sr);
        assert!(problems.is_empty(), "{what}: {problems:?}");
        check_narrative(&format!("{what}: ServiceRequest"), &sr);
        check_codings(&format!("{what}: ServiceRequest"), &sr);
        check_contents(&what, report, context, &ra, &sr);
    }
}

/// What the two resources say, beside being valid.
fn check_contents(what: &str, report: &Report, context: &FhirContext, ra: &Value, sr: &Value) {
    let provisional = report.status == Status::Provisional;
    assert_eq!(ra["id"], context.id.as_str(), "{what}");
    assert_eq!(
        ra["status"],
        if provisional { "preliminary" } else { "final" }
    );
    assert_eq!(ra["subject"]["reference"], context.subject.as_str());
    assert_eq!(ra["basis"][0]["reference"], context.response.as_str());
    assert_eq!(ra["occurrenceDateTime"], context.occurrence.as_str());
    assert_eq!(
        ra["encounter"]["reference"].as_str(),
        context.encounter.as_deref()
    );
    assert_eq!(
        ra["performer"]["reference"].as_str(),
        context.performer.as_deref()
    );
    assert_eq!(
        ra["code"],
        json!({
            "coding": [{"system": ASSESSMENT_SYSTEM, "code": "level-of-care",
                        "display": "Behavioural-health level-of-care assessment"}],
            "text": "Behavioural-health level-of-care assessment"
        })
    );
    // The urgency, coded with the crate's own names.
    let urgency = &ra["extension"][0];
    assert_eq!(urgency["url"], URGENCY_EXTENSION, "{what}");
    let coding = &urgency["valueCodeableConcept"]["coding"][0];
    assert_eq!(coding["system"], URGENCY_SYSTEM);
    assert_eq!(
        coding["code"],
        serde_json::to_value(report.urgency).unwrap(),
        "{what}"
    );
    // The level (the lower bound when provisional) and the setting, as before.
    let prediction = &ra["prediction"][0];
    assert_eq!(prediction["outcome"]["coding"][0]["system"], LEVEL_SYSTEM);
    assert_eq!(
        prediction["outcome"]["coding"][0]["code"],
        report.level_at_least.as_str()
    );
    assert_eq!(prediction["extension"][0]["url"], SETTING_EXTENSION);
    let setting = report.plan.setting.setting;
    assert_eq!(
        prediction["extension"][0]["valueCodeableConcept"]["coding"][0]["code"],
        setting.as_str()
    );
    assert!(
        ra["note"][0]["text"]
            .as_str()
            .unwrap()
            .contains(&report.pack.digest),
        "{what}: the note keeps the pack digest"
    );
    // The narrative names the level, the setting, the urgency and each binding rule.
    let div = ra["text"]["div"].as_str().unwrap();
    let escaped = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    assert!(
        div.contains(&escaped(report.level_at_least.title())),
        "{what}"
    );
    assert!(div.contains(&escaped(setting.title())), "{what}");
    for rule in report.binding() {
        assert!(div.contains(&escaped(&rule.id)), "{what}: {}", rule.id);
    }
    assert_eq!(div.contains("Provisional"), provisional, "{what}");

    // The ServiceRequest: a draft proposal for the setting, for the RiskAssessment.
    assert_eq!(
        (&sr["status"], &sr["intent"]),
        (&json!("draft"), &json!("proposal"))
    );
    let priority = match report.urgency {
        Urgency::Emergency => "stat",
        Urgency::SameDay => "urgent",
        Urgency::Routine => "routine",
    };
    assert_eq!(sr["priority"], priority, "{what}");
    assert_eq!(sr["code"]["coding"][0]["system"], SETTING_SYSTEM);
    assert_eq!(sr["code"]["coding"][0]["code"], setting.as_str());
    let text = sr["code"]["text"].as_str().unwrap();
    assert!(text.contains(report.level_at_least.title()) && text.contains(setting.title()));
    assert_eq!(sr["subject"], ra["subject"]);
    assert_eq!(sr["encounter"], ra["encounter"]);
    assert_eq!(sr["requester"], ra["performer"]);
    assert_eq!(
        sr["reasonReference"],
        json!([{ "reference": format!("RiskAssessment/{}", context.id) }])
    );
    let notes: Vec<&str> = sr["note"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    for c in &report.plan.capabilities {
        assert!(notes[0].contains(c.capability.title()), "{what}: {notes:?}");
    }
    assert_eq!(notes.len(), if provisional { 2 } else { 1 }, "{what}");
    if provisional {
        assert!(notes[1].starts_with("Provisional: "), "{what}: {notes:?}");
        assert!(notes[1].contains(" missing"), "{what}: {notes:?}");
        if report.level_at_most > report.level_at_least {
            assert!(notes[1].contains("may rise"), "{what}: {notes:?}");
        }
    }
}

#[test]
fn every_bundled_intakes_risk_assessment_and_service_request_are_valid_fhir_r4() {
    let mut count = BTreeMap::new();
    let reports = reports();
    let provisional = reports
        .iter()
        .filter(|(_, r)| r.status == Status::Provisional)
        .count();
    assert!(provisional > reports.len() / 2, "{provisional} provisional");
    for (name, report) in &reports {
        check_report(name, report, &mut count);
    }
    let expected = reports.len() * contexts().len();
    assert_eq!(count.get("RiskAssessment"), Some(&expected));
    assert_eq!(count.get("ServiceRequest"), Some(&expected));
    eprintln!(
        "validated against FHIR R4: {count:?} ({} reports, {provisional} provisional, {} contexts)",
        reports.len(),
        contexts().len()
    );
}

#[test]
fn the_code_systems_questionnaires_and_responses_are_valid_fhir_r4() {
    let mut count = BTreeMap::new();
    // The CodeSystems: valid, complete, unique codes (csd-1), a computer-friendly name
    // (cnl-0), the crate's version.
    let systems = code_systems();
    for cs in &systems {
        let v = serde_json::to_value(cs).unwrap();
        assert_valid(&cs.url, &v, &mut count);
        check_narrative(&cs.url, &v);
        assert_eq!(
            (cs.status.as_str(), cs.content.as_str()),
            ("active", "complete")
        );
        assert_eq!(cs.version, carelevel::VERSION);
        assert_eq!(cs.publisher, "carelevel");
        let codes: BTreeSet<&str> = cs.concept.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes.len(), cs.concept.len(), "{}: csd-1", cs.url);
        assert_eq!(cs.count as usize, cs.concept.len(), "{}", cs.url);
        assert!(
            cs.name.starts_with(|c: char| c.is_ascii_uppercase())
                && cs
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{}: cnl-0",
            cs.url
        );
        for c in &cs.concept {
            assert!(
                !c.display.is_empty() && !c.definition.is_empty(),
                "{}",
                c.code
            );
            assert!(!c.definition.contains('\n'), "{}: one line", c.code);
        }
    }
    // Generated from the vocabularies: every member, in order, with its title.
    let by_url = |url: &str| systems.iter().find(|cs| cs.url == url).unwrap();
    let codes = |url: &str| -> Vec<(String, String)> {
        by_url(url)
            .concept
            .iter()
            .map(|c| (c.code.clone(), c.display.clone()))
            .collect()
    };
    let titles = |pairs: Vec<(&str, &str)>| -> Vec<(String, String)> {
        pairs
            .into_iter()
            .map(|(c, d)| (c.to_owned(), d.to_owned()))
            .collect()
    };
    assert_eq!(
        codes(LEVEL_SYSTEM),
        titles(
            carelevel::Level::ALL
                .iter()
                .map(|l| (l.as_str(), l.title()))
                .collect()
        )
    );
    assert_eq!(
        codes(SETTING_SYSTEM),
        titles(
            carelevel::CareSetting::ALL
                .iter()
                .map(|s| (s.as_str(), s.title()))
                .collect()
        )
    );
    for c in &by_url(SETTING_SYSTEM).concept {
        let setting = carelevel::CareSetting::from_id(&c.code).unwrap();
        assert_eq!(c.property[0].value_code, setting.level().as_str());
    }
    let urgency: Vec<String> = by_url(URGENCY_SYSTEM)
        .concept
        .iter()
        .map(|c| c.code.clone())
        .collect();
    let serde_names: Vec<String> = Urgency::ALL
        .iter()
        .map(|u| {
            serde_json::to_value(u)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(urgency, serde_names);
    use carelevel::overrides::OverrideReason;
    assert_eq!(
        codes(carelevel::cds_hooks::OVERRIDE_CODE_SYSTEM),
        titles(
            OverrideReason::ALL
                .iter()
                .map(|r| (r.as_str(), r.title()))
                .collect()
        )
    );

    // The Questionnaires: the intake's, and a pack's with a rating.
    let q = serde_json::to_value(questionnaire()).unwrap();
    assert_valid("Questionnaire", &q, &mut count);
    check_narrative("Questionnaire", &q);
    let mut sources: Vec<(&str, String)> = carelevel::BUILTIN_SOURCES
        .iter()
        .map(|(n, t)| (*n, t.replace("id = \"carelevel.builtin\"", "id = \"dims\"")))
        .collect();
    sources.push((
        "d1.toml",
        "[[rating]]\nid = \"d1\"\nmin = 0\nmax = 4\n".into(),
    ));
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let pack = RulePack::from_sources(&sources).unwrap();
    let q = serde_json::to_value(questionnaire_for(&pack)).unwrap();
    assert_valid("Questionnaire (a pack's)", &q, &mut count);
    check_narrative("Questionnaire (a pack's)", &q);

    // The QuestionnaireResponse of every bundled intake.
    for (name, json) in bundled() {
        let intake = Intake::from_json(&json.to_string()).unwrap();
        let qr = serde_json::to_value(response_from_intake(&intake)).unwrap();
        assert_valid(&format!("{name}: QuestionnaireResponse"), &qr, &mut count);
    }
    assert_eq!(count.get("CodeSystem"), Some(&systems.len()));
    eprintln!("validated against FHIR R4: {count:?}");
}

/// A resource the schema must refuse, and one the bindings must: the checks are not vacuous.
#[test]
fn broken_resources_are_rejected() {
    let report = &reports()[0].1;
    let context = &contexts()[1];
    let ra = serde_json::to_value(report.to_risk_assessment(context).unwrap()).unwrap();
    assert!(schema_errors(&ra).is_empty());
    let sr = serde_json::to_value(report.to_service_request(context, "sr-1").unwrap()).unwrap();
    assert!(schema_errors(&sr).is_empty());

    // A misspelt property (R4 resources allow no other).
    let mut misspelt = ra.clone();
    let when = misspelt
        .as_object_mut()
        .unwrap()
        .remove("occurrenceDateTime")
        .unwrap();
    misspelt["occurenceDateTime"] = when;
    let errors = schema_errors(&misspelt);
    assert!(
        errors.iter().any(|e| e.contains("occurenceDateTime")),
        "{errors:?}"
    );
    // A date that is not a FHIR dateTime; a narrative status R4 does not have; an id too
    // long; a probability that is not a number; a prediction as an object, not an array.
    let mut broken: Vec<Value> = Vec::new();
    for (pointer, value) in [
        ("/occurrenceDateTime", json!("29/11/2026")),
        ("/text/status", json!("automatic")),
        ("/id", json!("x".repeat(65))),
        ("/prediction/0/probabilityDecimal", json!("high")),
    ] {
        let mut r = ra.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        r.pointer_mut(parent).unwrap()[key] = value;
        broken.push(r);
    }
    let mut r = ra.clone();
    r["prediction"] = ra["prediction"][0].clone();
    broken.push(r);
    // Not a resource at all; another resource's type.
    let mut r = ra.clone();
    r["resourceType"] = json!("RiskAssesment");
    broken.push(r);
    let mut r = sr.clone();
    r["resourceType"] = json!("RiskAssessment");
    broken.push(r);
    for (k, r) in broken.iter().enumerate() {
        assert!(!schema_errors(r).is_empty(), "broken resource {k} passed");
    }

    // What the schema lets through, the bindings catch: status `done`, a probability.
    let mut done = ra.clone();
    done["status"] = json!("done");
    assert!(
        schema_errors(&done).is_empty(),
        "the schema leaves status a code"
    );
    assert_eq!(
        risk_assessment_problems(&done),
        ["status \"done\" is not an ObservationStatus"]
    );
    let mut likely = ra.clone();
    likely["prediction"][0]["probabilityDecimal"] = json!(0.4);
    assert!(schema_errors(&likely).is_empty());
    assert_eq!(risk_assessment_problems(&likely).len(), 1);
    let mut ordered = sr.clone();
    ordered["intent"] = json!("orders");
    ordered["priority"] = json!("now");
    assert!(schema_errors(&ordered).is_empty());
    assert_eq!(service_request_problems(&ordered).len(), 2);
    // A narrative that is not XHTML of the allowed elements.
    let mut script = ra.clone();
    script["text"]["div"] =
        json!("<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x</script></div>");
    let caught = std::panic::catch_unwind(|| check_narrative("script", &script));
    assert!(caught.is_err(), "a <script> narrative passed");
}

/// The context's checks are FHIR's: an occurrence or id the core accepts is one the schema
/// accepts, and one the schema refuses the core refuses too (the core also refuses a day
/// that does not exist).
#[test]
fn the_contexts_checks_agree_with_the_schema() {
    let date_time = primitive("dateTime");
    let id = primitive("id");
    let report = &reports()[0].1;
    let base = contexts()[0].clone();
    let candidates = [
        "2026",
        "2026-11",
        "2026-11-29",
        "2026-11-29T14:05:00Z",
        "2026-11-29T14:05:00+14:00",
        "2026-11-29T14:05:00.5-13:59",
        "2026-02-31",
        "2026-11-31T00:00:00Z",
        "0000",
        "2026-11-29T14:05Z",
        "2026-11-29T14:05:00",
        "2026-11-29T24:00:00Z",
        "2026-11-29T14:05:00+14:30",
        "2026-1-29",
        "29-11-2026",
        "",
        "2026-11-29 ",
        "yesterday",
    ];
    for occurrence in candidates {
        let context = FhirContext {
            occurrence: occurrence.into(),
            ..base.clone()
        };
        let ours = report.to_risk_assessment(&context);
        let schemas = date_time.is_valid(&json!(occurrence));
        match &ours {
            Ok(ra) => {
                assert!(schemas, "{occurrence:?}: accepted, but not an R4 dateTime");
                assert!(schema_errors(&serde_json::to_value(ra).unwrap()).is_empty());
            }
            Err(e) => {
                assert_eq!(
                    *e,
                    FhirError::InvalidDateTime {
                        field: "occurrence"
                    }
                );
                // Refused although the pattern matches: only a day that does not exist.
                if schemas {
                    assert!(
                        occurrence.starts_with("2026-02-31")
                            || occurrence.starts_with("2026-11-31"),
                        "{occurrence:?}"
                    );
                }
            }
        }
    }
    for candidate in [
        "a",
        "A-1.b",
        &"z".repeat(64),
        "",
        &"z".repeat(65),
        "a_b",
        "a b",
        "é",
    ] {
        let context = FhirContext {
            id: candidate.to_owned(),
            ..base.clone()
        };
        let ours = report.to_risk_assessment(&context).is_ok();
        assert_eq!(ours, id.is_valid(&json!(candidate)), "{candidate:?}");
        let sr = report.to_service_request(&base, candidate);
        assert_eq!(sr.is_ok(), ours, "{candidate:?}");
        if let Err(e) = sr {
            assert_eq!(
                e,
                FhirError::InvalidId {
                    field: "ServiceRequest.id"
                }
            );
        }
    }
}

/// A context's errors name the field and never echo the value.
#[test]
fn a_bad_context_is_refused_naming_the_field() {
    let report = &reports()[0].1;
    let secret = "Jane Doe DOB 1970-01-01";
    let base = contexts()[1].clone();
    let cases: Vec<(&str, FhirContext)> = vec![
        (
            "id",
            FhirContext {
                id: secret.into(),
                ..base.clone()
            },
        ),
        (
            "subject",
            FhirContext {
                subject: secret.into(),
                ..base.clone()
            },
        ),
        (
            "subject",
            FhirContext {
                subject: "Practitioner/1".into(),
                ..base.clone()
            },
        ),
        (
            "response",
            FhirContext {
                response: "Observation/1".into(),
                ..base.clone()
            },
        ),
        (
            "occurrence",
            FhirContext {
                occurrence: secret.into(),
                ..base.clone()
            },
        ),
        (
            "encounter",
            FhirContext {
                encounter: Some(secret.into()),
                ..base.clone()
            },
        ),
        (
            "performer",
            FhirContext {
                performer: Some("Organization/1".into()),
                ..base.clone()
            },
        ),
    ];
    for (field, context) in cases {
        for e in [
            report.to_risk_assessment(&context).unwrap_err(),
            report.to_service_request(&context, "sr-1").unwrap_err(),
        ] {
            let text = e.to_string();
            assert!(
                text.starts_with(&format!("`{field}` is not a FHIR ")),
                "{text}"
            );
            assert!(!text.contains("Jane") && !text.contains('\n'), "{text}");
        }
    }
    // The context's JSON names its fields in camelCase and refuses others.
    let json = serde_json::to_value(&base).unwrap();
    let names: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "encounter",
            "id",
            "occurrence",
            "performer",
            "response",
            "subject"
        ])
    );
    let mut unknown = json.clone();
    unknown["Jane"] = json!("Doe");
    assert!(serde_json::from_value::<FhirContext>(unknown).is_err());
    let minimal = json!({"id": "a", "subject": "Patient/1", "response": "QuestionnaireResponse/2",
                         "occurrence": "2026"});
    let context: FhirContext = serde_json::from_value(minimal.clone()).unwrap();
    assert_eq!(serde_json::to_value(&context).unwrap(), minimal);
}

/// Generated intakes (final and provisional: their safety items are declined or not
/// assessable now and then): the RiskAssessment, the ServiceRequest and the
/// QuestionnaireResponse are valid FHIR R4.
#[cfg(feature = "proptest")]
mod generated {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn generated_intakes_write_valid_fhir_r4(intake in carelevel::strategies::intake()) {
            let mut count = BTreeMap::new();
            let report = RulePack::builtin().report(&intake).unwrap();
            check_report("generated", &report, &mut count);
            // Empty free text (which the strategies generate) is left out, never written as
            // an empty `valueString`, which R4 does not allow.
            let qr = serde_json::to_value(response_from_intake(&intake)).unwrap();
            assert_valid("generated: QuestionnaireResponse", &qr, &mut count);
        }
    }
}

/// `text` (JSON written pretty, in the order the type writes it) is the committed file.
fn check_file(path: &Path, text: String) {
    let text = text + "\n";
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert!(
        committed == text,
        "{} differs from the one generated; run UPDATE_SCHEMAS=1 cargo test --all-features --test fhir_r4_schema",
        path.display()
    );
}

/// `schema/fhir/` holds exactly the CodeSystems of `code_systems()`, as they are generated,
/// and the JSON Schema of `FhirContext` (the C ABI's `context_json`; tests/schema.rs keeps it).
#[test]
fn the_committed_code_systems_and_context_schema_are_generated() {
    let dir = root().join("schema/fhir");
    let mut expected = BTreeSet::new();
    for cs in code_systems() {
        let name = format!("CodeSystem-{}.json", cs.id);
        check_file(&dir.join(&name), serde_json::to_string_pretty(&cs).unwrap());
        expected.insert(name);
    }
    // The context's JSON Schema is one of `carelevel::schema::ALL` (kept by tests/schema.rs).
    expected.insert("fhir-context.schema.json".to_owned());
    let present: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        present, expected,
        "files in schema/fhir/ that nothing generates"
    );
}

/// The README's mapping table lists every level and care setting, with its display, as the
/// CodeSystems do.
#[test]
fn the_readmes_mapping_table_is_the_code_systems() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let rows: Vec<(&str, &str)> = readme
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", _, code, display, _, ""] if code.starts_with('`') => {
                    Some((code.trim_matches('`'), *display))
                }
                _ => None,
            }
        })
        .collect();
    let mut expected = Vec::new();
    for cs in code_systems() {
        if cs.url == LEVEL_SYSTEM || cs.url == SETTING_SYSTEM {
            for c in &cs.concept {
                expected.push((c.code.clone(), c.display.clone()));
            }
        }
    }
    let rows: Vec<(String, String)> = rows
        .into_iter()
        .map(|(c, d)| (c.to_owned(), d.to_owned()))
        .collect();
    assert_eq!(rows, expected);
}

/// Text from a rule pack reaches the narratives escaped: markup in a rule's reason is shown,
/// never obeyed, and the narrative stays valid XHTML.
#[test]
fn pack_text_is_escaped_in_the_narratives() {
    let hostile = r#"<script>alert('x')</script> & \"severe\""#;
    let sources: Vec<(&str, String)> = carelevel::BUILTIN_SOURCES
        .iter()
        .map(|(n, t)| {
            (
                *n,
                t.replace("id = \"carelevel.builtin\"", "id = \"hostile\"")
                    .replace(
                        "A severe substance use disorder (6 or more",
                        &format!("{hostile} (6 or more"),
                    ),
            )
        })
        .collect();
    assert!(sources.iter().any(|(_, t)| t.contains("<script>")));
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let pack = RulePack::from_sources(&sources).unwrap();
    let iop = std::fs::read_to_string(root().join("examples/intakes/iop_primary.json")).unwrap();
    let report = pack.report(&Intake::from_json(&iop).unwrap()).unwrap();
    assert!(report.binding().any(|f| f.reason.contains("<script>")));
    let ra = serde_json::to_value(report.to_risk_assessment(&contexts()[1]).unwrap()).unwrap();
    assert_eq!(schema_errors(&ra), Vec::<String>::new());
    check_narrative("hostile reason", &ra);
    let div = ra["text"]["div"].as_str().unwrap();
    assert!(
        div.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;severe&quot;"),
        "{div}"
    );
    // The rationale, outside the narrative, is plain text as given.
    assert!(
        ra["prediction"][0]["rationale"]
            .as_str()
            .unwrap()
            .contains(r#"<script>alert('x')</script> & "severe""#)
    );
}
