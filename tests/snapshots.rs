//! Snapshot tests (`insta`) of what a person or another system reads: the text and markdown
//! renderings and the CDS card of every bundled intake, the built-in pack's analysis, the FHIR
//! Questionnaire, and the messages of a set of bad intakes and bad packs. Placement itself is
//! asserted by hand in `tests/scenarios/`; these catch any change to the wording and layout.
//!
//! The accepted snapshots are committed in `tests/snapshots/`. After an intended change, run
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test snapshots --all-features`
//! and read `git diff tests/snapshots`); with `CI=true` a mismatch fails and nothing is written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::intake::{
    Adherence, Assessed, AudMedication, Condition, ConditionKind, ConditionSeverity, Progress,
    SchoolStatus, Setting, Substance, SubstanceUse, SudSeverity, SuicidalIdeation,
};
use carelevel::{BUILTIN_SOURCES, Intake, RulePack};
use std::fmt::Write as _;
use std::path::Path;

/// The bundled intakes, `(file stem, text)`, sorted by name.
fn bundled() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/intakes");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 5,
        "examples/intakes holds {} intakes",
        out.len()
    );
    out
}

/// Every rendering names the pack's digest (a SHA-256 of the rule files) and this crate's
/// version: both change with any rule edit or release, whatever the rendering says, so they
/// are redacted here and pinned once, in the `pack_identity` snapshot.
fn redacted(rendering: &str) -> String {
    let digest = RulePack::builtin().meta().digest.clone();
    assert!(rendering.contains(digest.as_str()), "{rendering}");
    rendering.replace(digest.as_str(), "[pack digest]").replace(
        &format!("carelevel {}", carelevel::VERSION),
        "carelevel [version]",
    )
}

/// The built-in pack's identity, and the card id that a digest of one recommendation gives.
#[test]
fn pack_identity() {
    let pack = RulePack::builtin();
    let meta = pack.meta();
    let (_, text) = bundled()
        .into_iter()
        .find(|(name, _)| name == "iop_primary")
        .expect("the bundled iop_primary intake");
    let report = pack.report(&Intake::from_json(&text).unwrap()).unwrap();
    let card = report.to_cds_card().unwrap();
    let identity = format!(
        "pack: {} {}\ndigest: {}\ncard uuid of iop_primary: {}\n",
        meta.id, meta.version, meta.digest, card.uuid
    );
    insta::assert_snapshot!("pack_identity", identity);
}

/// The text and markdown renderings of every bundled intake: the incomplete one is rendered
/// provisionally (its strict refusal is among the error messages).
#[test]
fn renderings_of_the_bundled_intakes() {
    let pack = RulePack::builtin();
    let mut rendered = 0;
    for (name, text) in bundled() {
        let report = pack.report(&Intake::from_json(&text).unwrap()).unwrap();
        insta::assert_snapshot!(format!("text_{name}"), redacted(&report.to_text()));
        insta::assert_snapshot!(format!("markdown_{name}"), redacted(&report.to_markdown()));
        rendered += 1;
    }
    assert_eq!(
        rendered,
        bundled().len(),
        "every bundled intake is rendered"
    );
}

/// The CDS Hooks card of every bundled intake (the incomplete one's is a provisional card).
/// The card's `uuid` is a digest of the whole recommendation, the pack's digest included, so
/// any edit to any rule file changes it: it is checked for shape and determinism here,
/// redacted from these snapshots with the pack digest, and pinned once in `pack_identity`.
#[test]
fn cds_cards_of_the_bundled_intakes() {
    let pack = RulePack::builtin();
    for (name, text) in bundled() {
        let report = pack.report(&Intake::from_json(&text).unwrap()).unwrap();
        let card = report.to_cds_card().unwrap();
        assert_eq!(card.uuid.len(), 36, "{name}: {}", card.uuid);
        assert_eq!(report.to_cds_card().unwrap().uuid, card.uuid, "{name}");
        let mut json: serde_json::Value =
            serde_json::from_str(&redacted(&serde_json::to_string(&card).unwrap())).unwrap();
        json["uuid"] = "[uuid: a digest of the recommendation]".into();
        insta::assert_json_snapshot!(format!("cds_card_{name}"), json);
    }
}

/// Provisional results as a person and another system read them: the text, the markdown and
/// the CDS card (its id redacted) of a suicidal plan with intent and nothing else answered
/// (certain although incomplete: inpatient both ways, urgent, a critical card), and of a daily
/// drinker missing only the withdrawal items (IOP so far, up to inpatient, those items to ask
/// first, a warning card). Never "Recommended level".
#[test]
fn provisional_results() {
    let pack = RulePack::builtin();
    let mut plan = Intake::default();
    plan.safety.suicidal_ideation = Some(Assessed::Answer(SuicidalIdeation::PlanWithIntent));
    let mut drinker = Intake::from_json(&bundled_text("iop_primary")).unwrap();
    drinker.withdrawal.seizure_or_dt_history = None;
    for s in drinker.substance_use.iter_mut().flatten() {
        s.ciwa_ar = None;
    }
    for (name, intake) in [
        ("plan_with_intent_alone", plan),
        ("daily_drinker_without_withdrawal_items", drinker),
    ] {
        let report = pack.report(&intake).unwrap();
        assert_eq!(report.status, carelevel::Status::Provisional, "{name}");
        let text = report.to_text();
        let markdown = report.to_markdown();
        assert!(!text.contains("Recommended level"), "{name}: {text}");
        assert!(
            !markdown.contains("Recommended level"),
            "{name}: {markdown}"
        );
        insta::assert_snapshot!(format!("provisional_text_{name}"), redacted(&text));
        insta::assert_snapshot!(format!("provisional_markdown_{name}"), redacted(&markdown));
        let card = report.to_cds_card().unwrap();
        let mut json: serde_json::Value =
            serde_json::from_str(&redacted(&serde_json::to_string(&card).unwrap())).unwrap();
        json["uuid"] = "[uuid: a digest of the recommendation]".into();
        insta::assert_json_snapshot!(format!("provisional_cds_card_{name}"), json);
    }
}

/// The text of the bundled intake `name`.
fn bundled_text(name: &str) -> String {
    bundled()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no bundled intake {name}"))
        .1
}

/// The analysis of the built-in pack, as `Display` prints it (it reads no clock).
#[test]
fn analysis_of_the_builtin_pack() {
    let analysis = carelevel::analysis::analyze(&RulePack::builtin());
    insta::assert_snapshot!("analysis_builtin", analysis.to_string());
}

/// The FHIR R4 Questionnaire of the intake.
#[cfg(feature = "fhir")]
#[test]
fn fhir_questionnaire() {
    insta::assert_json_snapshot!("fhir_questionnaire", carelevel::fhir::questionnaire());
}

/// What an intake that cannot be read or assessed says: each message, and each problem's
/// field, for one intake of each kind of mistake. Each is an intake 2
/// (`"schema_version": "2"`) with that one mistake, but for the 0.1 intake.
#[test]
fn intake_error_messages() {
    let base = serde_json::to_value(Intake::minimal_adult()).unwrap();
    let json = |patch: serde_json::Value| {
        let mut v = base.clone();
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        v.to_string()
    };
    let incomplete = bundled()
        .into_iter()
        .find(|(name, _)| name == "incomplete_missing_safety")
        .expect("the bundled incomplete intake")
        .1;
    let v2 = |rest: &str| format!(r#"{{"schema_version": "2", {rest}}}"#);
    let old = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/v0_1/iop_primary.json"),
    )
    .unwrap();
    let read: Vec<(&str, String)> = vec![
        ("not JSON", "{".to_owned()),
        ("not an object", "[1, 2]".to_owned()),
        ("empty input", String::new()),
        (
            "trailing text",
            format!("{} x", json(serde_json::json!({}))),
        ),
        (
            "a misspelt key",
            v2(r#""safety": {"suicidal_ideations": "none"}"#),
        ),
        ("a misspelt top-level key", v2(r#""agee": 34"#)),
        ("a number as a string", v2(r#""age": "34""#)),
        ("a negative number", v2(r#""age": -1"#)),
        ("a fraction", v2(r#""age": 34.5"#)),
        (
            "an unknown choice",
            json(serde_json::json!({"safety": {"suicidal_ideation": "maybe"}})),
        ),
        (
            "neither an answer nor declined",
            json(serde_json::json!({"safety": {"harm_to_others": "refused"}})),
        ),
        (
            "declined on an item that does not take it",
            json(serde_json::json!({"self_management": "declined"})),
        ),
        ("a duplicate key", v2(r#""age": 30, "age": 31"#)),
        (
            "a duplicate rating",
            v2(r#""ratings": {"dim_a": 1, "dim_a": 2}"#),
        ),
        (
            "free text in place of a boolean",
            json(serde_json::json!({"home": {"supportive": "yes, mostly"}})),
        ),
        (
            "an episode without its outcome",
            json(
                serde_json::json!({"history": {"current_setting": "none", "episodes": [{"level": "iop"}]}}),
            ),
        ),
        (
            "an unknown schema version",
            v2(r#""age": 34"#).replace(r#""2""#, r#""3""#),
        ),
        ("a 0.1 intake (no schema version)", old),
    ];
    // Assessed strictly (`RulePack::assess`): a missing required item is refused there (the
    // report gives a provisional result instead: `provisional_results`).
    let assess: Vec<(&str, Intake)> = vec![
        (
            "the bundled incomplete intake",
            Intake::from_json(&incomplete).unwrap(),
        ),
        ("an empty intake", Intake::default()),
        (
            "every number out of range",
            Intake::builder()
                .age(121)
                .substance_use(Substance::Alcohol, 12)
                .substance_use(Substance::Opioids, 2)
                .substance_use(Substance::Sedatives, 2)
                .ciwa_ar(68)
                .cows(49)
                .phq9(28)
                .gad7(22)
                .with(|i| {
                    i.withdrawal.pawss = Some(11);
                    i.severity.days_impaired_past_30 = Some(31);
                    let list = i.substance_use.as_mut().unwrap();
                    list[0].days_used_past_30 = Some(31);
                    list[0].hours_since_last_use = Some(8761);
                    list[0].drinks_per_day = Some(101);
                    list[2].daily_dose_mg = Some(2001);
                })
                .episode(carelevel::Level::Iop, carelevel::intake::Outcome::Completed)
                .with(|i| i.history.episodes.as_mut().unwrap()[0].months_ago = Some(601))
                .build(),
        ),
        ("an age below the pack's", Intake::builder().age(4).build()),
        (
            "answers that conflict",
            Intake::builder()
                .substance_use(Substance::Alcohol, 3)
                .substance_use(Substance::Cannabis, 2)
                .with(|i| {
                    let list = i.substance_use.as_mut().unwrap();
                    list[0].cows = Some(10);
                    list[0].severity = Some(SudSeverity::Severe);
                    list[1].ciwa_ar = Some(5);
                    list[1].drinks_per_day = Some(4);
                    list.push(SubstanceUse::new(Substance::Cannabis, 2));
                    let mut unknown = SubstanceUse::new(Substance::Stimulants, 0);
                    unknown.dsm5_criteria = None;
                    list.push(unknown);
                    i.medication.opioid_use_disorder_adherence = Some(Adherence::Stopped);
                    i.medication.alcohol_use_disorder = Some(AudMedication::None);
                    i.medication.alcohol_use_disorder_adherence = Some(Adherence::AsPrescribed);
                    let depressive = Condition {
                        condition: ConditionKind::Depressive,
                        severity: ConditionSeverity::Mild,
                    };
                    i.severity.conditions = Some(vec![depressive, depressive]);
                    i.history.progress = Some(Progress::Progressing);
                    i.adolescent.school = Some(SchoolStatus::Attending);
                })
                .build(),
        ),
        (
            "declined and unable to assess are answers: only the unasked item is missing",
            Intake::builder()
                .with(|i| {
                    i.safety.suicidal_ideation = Some(Assessed::Declined);
                    i.safety.suicidal_behavior = Some(Assessed::UnableToAssess);
                    i.safety.harm_to_others = None;
                })
                .build(),
        ),
        (
            "progress missing in treatment",
            Intake::builder()
                .with(|i| i.history.current_setting = Some(Setting::Php))
                .build(),
        ),
        (
            "a rating the pack does not declare",
            Intake::builder().rating("dim_a", 3).build(),
        ),
        (
            "totals that disagree with their items",
            scored(serde_json::json!({
                "safety": {"phq9_item9": "not_at_all"},
                "severity": {
                    "phq9": 15,
                    "phq9_items": phq9_items_17(),
                    "gad7": 8,
                    "gad7_items": {
                        "nervous": "nearly_every_day", "uncontrolled_worry": "nearly_every_day",
                        "excessive_worry": "nearly_every_day"
                    }
                },
                "substance_use": [
                    {"substance": "alcohol", "dsm5_criteria": 5, "ciwa_ar": 8, "ciwa_ar_items": ciwa_ar_items_11()},
                    {"substance": "opioids", "dsm5_criteria": 6, "cows": 2, "cows_items": {"pulse": 2, "sweating": 1}}
                ]
            })),
        ),
        (
            "item-level answers that conflict",
            scored(serde_json::json!({
                "safety": {
                    "cssrs": {
                        "wish_to_be_dead": true, "nonspecific_thoughts": false, "method": false,
                        "behavior": false, "behavior_past_3_months": false
                    }
                },
                "substance_use": [
                    {"substance": "alcohol", "dsm5_criteria": 5, "cows_items": {"pulse": 1}},
                    {"substance": "cannabis", "dsm5_criteria": 2, "ciwa_ar_items": {"tremor": 1}},
                    {"substance": "opioids", "dsm5_criteria": 6, "cows_items": {"pulse": 3, "gooseflesh_skin": 1}}
                ]
            })),
        ),
        (
            "a screener that leaves the ideation open, and no direct answer",
            scored(serde_json::json!({
                "safety": {
                    "suicidal_ideation": null,
                    "cssrs": {"wish_to_be_dead": true, "nonspecific_thoughts": true}
                }
            })),
        ),
    ];
    let pack = RulePack::builtin();
    let mut out = String::new();
    for (label, text) in read {
        let err = pack.assess_json(&text).unwrap_err();
        write_error(&mut out, label, &err);
    }
    for (label, intake) in assess {
        let err = pack.assess(&intake).unwrap_err();
        write_error(&mut out, label, &err);
    }
    insta::assert_snapshot!("intake_errors", out);
}

/// PHQ-9 items 1-8 that, with item 9 not at all, total 17.
fn phq9_items_17() -> serde_json::Value {
    serde_json::json!({
        "interest": "more_than_half_the_days", "feeling_down": "nearly_every_day",
        "sleep": "more_than_half_the_days", "tiredness": "nearly_every_day",
        "appetite": "several_days", "self_worth": "more_than_half_the_days",
        "concentration": "nearly_every_day", "psychomotor": "several_days"
    })
}

/// CIWA-Ar's ten items, totalling 11.
fn ciwa_ar_items_11() -> serde_json::Value {
    serde_json::json!({
        "nausea_vomiting": 2, "tremor": 3, "paroxysmal_sweats": 2, "anxiety": 2, "agitation": 1,
        "tactile_disturbances": 0, "auditory_disturbances": 0, "visual_disturbances": 0,
        "headache": 1, "orientation": 0
    })
}

/// COWS's eleven items, each a score its scale gives, totalling 14.
fn cows_items_14() -> serde_json::Value {
    serde_json::json!({
        "pulse": 2, "sweating": 1, "restlessness": 1, "pupil_size": 1, "bone_or_joint_aches": 2,
        "runny_nose_or_tearing": 2, "gi_upset": 2, "tremor": 1, "yawning": 1,
        "anxiety_or_irritability": 1, "gooseflesh_skin": 0
    })
}

/// [`Intake::minimal_adult`], housed in a safe, supportive, substance-free home, ready to
/// attend, never treated before and using no substance, with `patch` merged in (objects key by
/// key, `null` removes, anything else replaces).
fn scored(patch: serde_json::Value) -> Intake {
    fn merge(target: &mut serde_json::Value, patch: &serde_json::Value) {
        match (target, patch) {
            (serde_json::Value::Object(t), serde_json::Value::Object(p)) => {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                    }
                }
            }
            (t, p) => *t = p.clone(),
        }
    }
    let mut v = serde_json::to_value(Intake::minimal_adult()).unwrap();
    let settled = serde_json::json!({
        "substance_use": [],
        "severity": {"impairs_daily_activities": false},
        "history": {"episodes": []},
        "home": {
            "others_use_substances": false, "supportive": true, "violence_or_abuse": false,
            "housing": "housed"
        },
        "engagement": {
            "stage_of_change": "action", "can_attend_several_days": true,
            "needs_transportation": false, "needs_childcare": false
        }
    });
    merge(&mut v, &settled);
    merge(&mut v, &patch);
    Intake::from_json(&v.to_string()).unwrap()
}

/// The text and markdown renderings of intakes whose instruments are scored from their
/// items: totals from items, a partial instrument, a total checked against partial items,
/// the C-SSRS screener's triage (and one it leaves open), and a caution to reconcile.
#[test]
fn renderings_of_instruments_scored_from_items() {
    let intakes = [
        (
            "every instrument by items; PHQ-9 partial, item 9 positive beside a screener saying no ideation",
            scored(serde_json::json!({
                "safety": {
                    "suicidal_ideation": null, "suicidal_behavior": null,
                    "phq9_item9": "several_days",
                    "cssrs": {"wish_to_be_dead": false, "nonspecific_thoughts": false, "behavior": false}
                },
                "severity": {
                    "impairs_daily_activities": true,
                    "phq9_items": {
                        "interest": "more_than_half_the_days", "feeling_down": "nearly_every_day",
                        "tiredness": "nearly_every_day", "appetite": "several_days",
                        "self_worth": "more_than_half_the_days", "concentration": "nearly_every_day",
                        "psychomotor": "several_days"
                    },
                    "gad7_items": {
                        "nervous": "more_than_half_the_days", "uncontrolled_worry": "more_than_half_the_days",
                        "excessive_worry": "several_days", "trouble_relaxing": "several_days",
                        "restlessness": "not_at_all", "irritability": "several_days", "dread": "several_days"
                    }
                },
                "substance_use": [
                    {
                        "substance": "alcohol", "dsm5_criteria": 5, "ciwa_ar": 7,
                        "ciwa_ar_items": {
                            "nausea_vomiting": 1, "tremor": 2, "paroxysmal_sweats": 1, "anxiety": 1,
                            "agitation": 1, "tactile_disturbances": 0, "auditory_disturbances": 0,
                            "visual_disturbances": 0, "headache": 1
                        }
                    },
                    {"substance": "opioids", "dsm5_criteria": 4, "cows_items": cows_items_14()}
                ]
            })),
        ),
        (
            "the screener with a declined rung: ideation not obtained, the risk open",
            scored(serde_json::json!({
                "safety": {
                    "suicidal_ideation": null, "suicidal_behavior": null,
                    "cssrs": {
                        "wish_to_be_dead": true, "nonspecific_thoughts": true, "method": "declined",
                        "intent": false, "plan": false, "behavior": true,
                        "behavior_past_3_months": false
                    }
                }
            })),
        ),
    ];
    let pack = RulePack::builtin();
    let mut out = String::new();
    for (label, intake) in intakes {
        let report = pack.report(&intake).unwrap();
        writeln!(
            out,
            "## {label}\n\n### text\n\n{}",
            redacted(&report.to_text())
        )
        .unwrap();
        writeln!(out, "### markdown\n\n{}", redacted(&report.to_markdown())).unwrap();
    }
    insta::assert_snapshot!("instruments_scored_from_items", out);
}

fn write_error(out: &mut String, label: &str, err: &carelevel::IntakeError) {
    writeln!(out, "## {label}\n{err}").unwrap();
    for p in err.problems() {
        writeln!(out, "- `{}`: {p}", p.field).unwrap();
    }
    out.push('\n');
}

/// The built-in `pack.toml` under a test id (the built-in id is reserved), with `edit` applied.
fn pack_toml(edit: impl Fn(&str) -> String) -> String {
    let (name, text) = BUILTIN_SOURCES[0];
    assert_eq!(name, "pack.toml");
    edit(&text.replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#))
}

/// A one-rule file in the `safety` criterion.
fn rule_file(body: &str) -> String {
    format!(
        "[[rule]]\nid = \"local.a\"\ncriterion = \"safety\"\n{body}\nreason = \"test\"\ncite = [{{ source = \"carelevel-local-defaults\", locator = \"test\", fact = \"A rule written for a test.\", use = \"local_default\" }}]\n"
    )
}

/// What a pack that does not load says: the whole message, and each problem, for one pack of
/// each kind of mistake.
#[test]
fn pack_error_messages() {
    let ok = |when: &str| rule_file(&format!("when = {when}\nfloor = \"iop\""));
    let packs: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "TOML syntax",
            vec![("local.toml", "[[rule]\nid = ".to_owned())],
        ),
        (
            "every mistake in one file",
            vec![(
                "bad.toml",
                r#"[pack]
id = "t"
version = "1"

[[rule]]
id = "a"
criterion = "safty"
when = { answer = "safety.suicidal_ideations", is = "none" }
floor = "inpatent"
reason = "r"
cite = [{ source = "seed", locator = "x", fact = "f", use = "applied" }]

[[rule]]
id = "a"
criterion = "safety"
when = { answer = "severity.phq9", at_least = 40 }
services = ["case_managment"]
reason = "r"

[[rule]]
id = "c"
criterion = "safety"
when = { answer = "safety.harm_to_others", is = true }
floor = "php"
reason = "r"
cite = [{ source = "../notes/criteria.md", locator = "section 4", fact = "my hunch", use = "guess" }]
"#
                .to_owned(),
            )],
        ),
        (
            "an unknown key in a rule",
            vec![
                ("pack.toml", pack_toml(str::to_owned)),
                (
                    "local.toml",
                    rule_file(
                        "when = { answer = \"safety.suicidal_ideation\", is = \"none\" }\nflor = \"iop\"",
                    ),
                ),
            ],
        ),
        (
            "a condition that can never hold",
            vec![
                ("pack.toml", pack_toml(str::to_owned)),
                (
                    "local.toml",
                    ok(r#"{ answer = "withdrawal.ciwa_ar", at_least = 20, at_most = 10 }"#),
                ),
            ],
        ),
        (
            "a programme below its level's minimum hours",
            vec![(
                "pack.toml",
                pack_toml(|t| {
                    let from = "days_per_week = 3\nhours_per_day = 3";
                    assert!(t.contains(from), "the IOP programme's schedule");
                    t.replacen(from, "days_per_week = 2\nhours_per_day = 3", 1)
                }),
            )],
        ),
        (
            "a reason that is not one line",
            vec![
                ("pack.toml", pack_toml(str::to_owned)),
                (
                    "local.toml",
                    ok(r#"{ answer = "safety.suicidal_ideation", is = "none" }"#)
                        .replace("reason = \"test\"", "reason = \"one\\ntwo\""),
                ),
            ],
        ),
        (
            "the built-in id on another pack",
            vec![("pack.toml", BUILTIN_SOURCES[0].1.to_owned())],
        ),
        ("no files", vec![]),
    ];
    let mut out = String::new();
    for (label, files) in packs {
        let sources: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let err = RulePack::from_sources(&sources).unwrap_err();
        writeln!(out, "## {label}\n{err}").unwrap();
        for p in err.problems() {
            writeln!(out, "- {p}").unwrap();
        }
        out.push('\n');
    }
    insta::assert_snapshot!("pack_errors", out);
}
