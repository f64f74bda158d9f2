//! The 0.1 -> 2 conversion (`carelevel::intake::convert_v0_1`) over every 0.1 original of the
//! bundled examples in `tests/v0_1/` (the directory is enumerated, so a new file is covered):
//!
//! - the conversion succeeds, and each of its notes names an item of intake 2;
//! - no converted intake answers an item 0.1 had no way to express ([`NOT_IN_0_1`]: pregnancy,
//!   overdose, this episode's withdrawal complications, ...); where the bundled example states
//!   one, the converted intake without it is provisional (it cannot know), at least the level
//!   the name names;
//! - once each item a note names and the conversion left unanswered is answered with its
//!   least severe value ([`least_severe`]), and each [`NOT_IN_0_1`] item the example states is
//!   copied from it (those items only), the converted intake assesses to the level the
//!   bundled intake 2 example of the same name gives, and to the level its file name starts
//!   with (its first word that names a level: `inpatient_*`, `php_*`, `iop_*`,
//!   `outpatient_*`, `adolescent_iop`) — when the example is provisional (an optional item
//!   that could still raise the level is missing), the same bounds, the lower one the named
//!   level; a file whose name names no level (`incomplete_missing_safety`) is provisional, as
//!   its example is, safety first in "ask next", and the strict `assess` still refuses it;
//! - no converted intake charts a CIWA-Ar or COWS score on a substance the scale does not
//!   measure, and none charts a score of 0 that 0.1 gave for a substance not listed;
//! - `Intake::from_json` refuses each 0.1 file, with a message naming `convert_v0_1`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use carelevel::intake::{Substance, convert_v0_1};
use carelevel::{Intake, Level, RulePack, Status};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Every `.json` file of `dir`, sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The 0.1 originals, `(file stem, text)`.
fn originals() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/v0_1");
    let files: Vec<(String, String)> = json_files(&dir)
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    assert!(
        files.len() >= 10,
        "{} holds {} files",
        dir.display(),
        files.len()
    );
    files
}

/// The bundled intake 2 example of this name.
fn bundled(stem: &str) -> Intake {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/intakes")
        .join(format!("{stem}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no bundled intake 2 example {}: {e}", path.display()));
    Intake::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The level a file name names: its first `_`-separated word that is a level.
fn level_in_name(stem: &str) -> Option<Level> {
    stem.split('_').find_map(|w| w.parse::<Level>().ok())
}

/// The least severe answer of each item a conversion may leave unanswered: what a clinician
/// asked to complete it would record for a person 0.1 already described as having no such
/// risk. `None` for an item the conversion never leaves unanswered.
fn least_severe(field: &str) -> Option<Value> {
    Some(match field {
        // 0.1 said no behaviour in the past 3 months; the least severe complement is never.
        "safety.suicidal_behavior" => json!("never"),
        // 0.1's `recent_behavior` did not give the month's ideation.
        "safety.suicidal_ideation" => json!("none"),
        // 0.1 listed only the levels that did not hold: no other episode.
        "history.episodes" => json!([]),
        // 0.1's `substance_free_housing_arranged: true`: the housing that lets the home rule
        // stand down (it is the answer that gives the lowest level).
        "home.arranged_housing" => json!("sober_living"),
        _ => return None,
    })
}

/// Items intake 2 added that no 0.1 item could express (0.1 had no pregnancy, overdose,
/// injection use, lethal means, identified target, PAWSS or current-episode withdrawal item):
/// the conversion never answers them, and a bundled example may state them.
const NOT_IN_0_1: &[&str] = &[
    "medical.pregnancy",
    "medical.overdose",
    "medical.injection_use",
    "safety.lethal_means",
    "safety.harm_target_identified",
    "withdrawal.pawss",
    "withdrawal.intoxicated_now",
    "withdrawal.seizure_this_episode",
    "withdrawal.hallucinations_this_episode",
    "withdrawal.delirium_this_episode",
];

/// `intake` with each [`NOT_IN_0_1`] item the example states copied from it, and the items
/// copied. The conversion must have left each of them unanswered.
fn with_what_0_1_could_not_say(
    stem: &str,
    intake: &Intake,
    example: &Intake,
) -> (Intake, Vec<&'static str>) {
    let mut v: Value = serde_json::from_str(&intake.to_json().unwrap()).unwrap();
    let ex: Value = serde_json::from_str(&example.to_json().unwrap()).unwrap();
    let mut copied = Vec::new();
    for field in NOT_IN_0_1 {
        assert!(
            at(&v, field).is_none(),
            "{stem}: the conversion answers `{field}`, which 0.1 could not express"
        );
        if let Some(value) = at(&ex, field) {
            set(&mut v, field, value.clone());
            copied.push(*field);
        }
    }
    let out = Intake::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{stem}: {e}"));
    (out, copied)
}

/// The JSON value at a dotted path, if any.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

/// Sets the JSON value at a dotted path, creating groups on the way.
fn set(v: &mut Value, path: &str, value: Value) {
    let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
    let mut here = v;
    for k in parent.split('.').filter(|k| !k.is_empty()) {
        here = here
            .as_object_mut()
            .unwrap()
            .entry(k.to_owned())
            .or_insert_with(|| json!({}));
    }
    here.as_object_mut().unwrap().insert(key.to_owned(), value);
}

/// The converted intake with each item a note names, and left unanswered, answered with its
/// least severe value; an entry the conversion added for a score with no count (a note on
/// `substance_use.ciwa_ar` / `.cows`) gets the least severe count, 0.
fn completed(stem: &str, converted: &Intake, notes: &[&'static str]) -> Intake {
    let mut v: Value = serde_json::from_str(&converted.to_json().unwrap()).unwrap();
    for field in notes {
        if let Some(scale) = field.strip_prefix("substance_use.") {
            assert!(
                ["ciwa_ar", "cows"].contains(&scale),
                "{stem}: a note on `{field}`: no least severe answer is known; add one to this test"
            );
            for entry in v["substance_use"].as_array_mut().into_iter().flatten() {
                if entry.get("dsm5_criteria").is_none() && entry.get("severity").is_none() {
                    entry["dsm5_criteria"] = json!(0);
                }
            }
            continue;
        }
        if at(&v, field).is_some() {
            continue; // carried over, with a note to review it
        }
        let value = least_severe(field).unwrap_or_else(|| {
            panic!(
                "{stem}: the conversion left `{field}` unanswered and this test knows no least severe answer for it: add one to `least_severe`"
            )
        });
        set(&mut v, field, value);
    }
    Intake::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{stem}: {e}"))
}

#[test]
fn every_0_1_original_converts_to_the_level_of_its_intake_2_example() {
    let pack = RulePack::builtin();
    let items = common::items::schema_paths();
    let mut assessed = 0;
    for (stem, text) in originals() {
        let conversion =
            convert_v0_1(&text).unwrap_or_else(|e| panic!("{stem}: the conversion failed: {e}"));
        let intake = &conversion.intake;
        assert!(intake.schema_version.is_some(), "{stem}: no schema_version");
        let mut fields = Vec::new();
        for note in &conversion.notes {
            assert!(
                items.contains(note.field),
                "{stem}: the note `{note}` names `{}`, which is not an item of intake 2",
                note.field
            );
            assert!(!note.note.trim().is_empty(), "{stem}: an empty note");
            fields.push(note.field);
        }
        // A required item the conversion leaves unanswered was unanswered in 0.1, or a note
        // names it.
        let old: Value = serde_json::from_str(&text).unwrap();
        for missing in intake.missing_required() {
            let in_0_1 = match missing {
                "safety.suicidal_ideation" | "safety.suicidal_behavior" => "safety.suicide_risk",
                same => same,
            };
            assert!(
                fields.contains(&missing) || at(&old, in_0_1).is_none(),
                "{stem}: the conversion left `{missing}` unanswered without a note"
            );
        }

        let without = completed(&stem, intake, &fields);
        let example = bundled(&stem);
        let (completed, copied) = with_what_0_1_could_not_say(&stem, &without, &example);
        if !copied.is_empty() {
            // Without them the converted intake cannot be final: it asks for them.
            let r = pack
                .report(&without)
                .unwrap_or_else(|e| panic!("{stem}: {e}"));
            assert_eq!(r.status, Status::Provisional, "{stem}: without {copied:?}");
            assert_eq!(Some(r.level_at_least), level_in_name(&stem), "{stem}");
            let asked: Vec<&str> = r.ask_next.iter().map(|a| a.answer.as_str()).collect();
            assert!(
                copied.iter().any(|c| asked.contains(c)),
                "{stem}: asks {asked:?}, none of {copied:?}"
            );
        }
        let got = pack.report(&completed);
        let want = pack.report(&example);
        match (level_in_name(&stem), got, want) {
            (Some(named), Ok(got), Ok(want)) => {
                // The same result: final with the same level, or provisional with the same
                // bounds (a bundled example may lack an optional item that could still raise
                // its level, e.g. a COWS for an opioid use disorder).
                assert_eq!(
                    (got.status, got.level, got.level_at_least, got.level_at_most),
                    (
                        want.status,
                        want.level,
                        want.level_at_least,
                        want.level_at_most
                    ),
                    "{stem}: the converted intake assesses to {:?}, the bundled example to {:?}",
                    (got.status, got.level_at_least, got.level_at_most),
                    (want.status, want.level_at_least, want.level_at_most)
                );
                // The name names the level (the level the known answers give when
                // provisional).
                assert_eq!(
                    got.level_at_least, named,
                    "{stem}: the file name names {named}, got {}",
                    got.level_at_least
                );
                if got.status == Status::Final {
                    assert_eq!(got.level, Some(named), "{stem}");
                }
                // For the same reasons.
                assert_eq!(got.urgent, want.urgent, "{stem}: urgent");
                assert_eq!(
                    got.binding_rules, want.binding_rules,
                    "{stem}: binding rules"
                );
                assessed += 1;
            }
            (None, Ok(got), Ok(want)) => {
                // An intake 0.1 refused is assessed provisionally, as its example is, with no
                // level, and a safety item to ask first.
                for (which, r) in [("converted", &got), ("bundled", &want)] {
                    assert_eq!(r.status, Status::Provisional, "{stem}: {which}");
                    assert_eq!(r.level, None, "{stem}: {which}");
                    let first = r.ask_next.first().map(|a| a.answer.as_str());
                    assert!(
                        first.is_some_and(|a| a.starts_with("safety.")),
                        "{stem}: {which}: asks {first:?} first, not a safety item"
                    );
                }
                assert_eq!(got.ask_next, want.ask_next, "{stem}: ask next");
                // The strict assessment still refuses it, for the safety items.
                let err = pack.assess(&completed).unwrap_err();
                let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
                assert!(
                    fields.iter().any(|f| f.starts_with("safety.")),
                    "{stem}: refused, but not for a safety item: {err}"
                );
            }
            (named, got, want) => panic!(
                "{stem}: the name names {named:?}; converted: {got:?}; bundled example: {want:?}"
            ),
        }
    }
    assert!(assessed >= 9, "{assessed} converted intakes assessed");
}

#[test]
fn the_incomplete_intake_stays_refused() {
    let (_, text) = originals()
        .into_iter()
        .find(|(stem, _)| stem == "incomplete_missing_safety")
        .expect("tests/v0_1/incomplete_missing_safety.json");
    let conversion = convert_v0_1(&text).unwrap();
    let err = RulePack::builtin().assess(&conversion.intake).unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    for required in [
        "safety.suicidal_ideation",
        "safety.suicidal_behavior",
        "safety.psychosis",
        "safety.unable_to_self_care",
        "medical.status",
    ] {
        assert!(fields.contains(&required), "{required} not in {fields:?}");
    }
}

#[test]
fn no_converted_intake_charts_a_score_nobody_took() {
    for (stem, text) in originals() {
        let old: Value = serde_json::from_str(&text).unwrap();
        let intake = convert_v0_1(&text).unwrap().intake;
        let entries = intake.substance_use.iter().flatten();
        for (n, s) in entries.enumerate() {
            let alcohol_or_sedatives =
                matches!(s.substance, Substance::Alcohol | Substance::Sedatives);
            assert!(
                s.ciwa_ar.is_none() || alcohol_or_sedatives,
                "{stem}: substance_use[{n}] ({:?}) charts CIWA-Ar",
                s.substance
            );
            assert!(
                s.cows.is_none() || s.substance == Substance::Opioids,
                "{stem}: substance_use[{n}] ({:?}) charts COWS",
                s.substance
            );
        }
        // A 0.1 score of 0 for a substance not listed is dropped, not put on a new entry.
        let listed = |names: &[&str]| {
            old["severity"]["substance_use"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| names.contains(&s["substance"].as_str().unwrap()))
        };
        for (scale, names) in [
            ("ciwa_ar", &["alcohol", "sedatives"][..]),
            ("cows", &["opioids"][..]),
        ] {
            if old["withdrawal"][scale] == json!(0) && !listed(names) {
                let charted = intake.substance_use.iter().flatten().any(|s| {
                    let score = if scale == "ciwa_ar" {
                        s.ciwa_ar
                    } else {
                        s.cows
                    };
                    score.is_some()
                });
                assert!(!charted, "{stem}: 0.1's {scale} 0 charted on a substance");
            }
        }
        // And the bundled example charts none either.
        for (n, s) in bundled(&stem).substance_use.iter().flatten().enumerate() {
            assert!(
                (s.ciwa_ar.is_none()
                    || matches!(s.substance, Substance::Alcohol | Substance::Sedatives))
                    && (s.cows.is_none() || s.substance == Substance::Opioids),
                "examples/intakes/{stem}.json: substance_use[{n}] charts a scale that does not measure it"
            );
        }
    }
}

#[test]
fn a_0_1_intake_is_refused_with_how_to_convert_it() {
    for (stem, text) in originals() {
        let err = Intake::from_json(&text).unwrap_err();
        assert!(
            err.to_string().contains("convert_v0_1"),
            "{stem}: the message does not say how to convert: {err}"
        );
    }
}

#[test]
fn an_intake_2_is_not_a_0_1_intake() {
    let json = Intake::minimal_adult().to_json().unwrap();
    assert!(convert_v0_1(&json).is_err());
}

/// What 0.1 could not say is named, never filled in: a disorder list is not a list of every
/// substance used; a seizure history beside no alcohol or sedatives loses 0.1's same-day check
/// for an unmeasured CIWA-Ar; a score with no list becomes an entry that must be completed.
#[test]
fn what_0_1_could_not_say_is_named_not_guessed() {
    let base = r#""age": 40, "safety": {"suicide_risk": "none", "harm_to_others": "none",
        "psychosis_or_unable_to_self_care": false}, "medical": {"status": "stable"},
        "self_management": "independent", "history": {"current_setting": "none"}"#;
    let convert =
        |rest: &str| carelevel::intake::convert_v0_1(&format!("{{{base}, {rest}}}")).unwrap();
    let fields =
        |c: &carelevel::intake::Conversion| c.notes.iter().map(|n| n.field).collect::<Vec<_>>();

    let c = convert(
        r#""withdrawal": {"seizure_or_dt_history": true},
           "severity": {"substance_use": [{"substance": "opioids", "dsm5_criteria": 6}]}"#,
    );
    assert!(fields(&c).contains(&"substance_use"), "{:?}", c.notes);
    assert!(
        fields(&c).contains(&"withdrawal.seizure_or_dt_history"),
        "{:?}",
        c.notes
    );

    // A COWS score with no list: kept on a new entry with no count, which is refused until
    // completed (never a silent "uses opioids only").
    let c = convert(r#""withdrawal": {"seizure_or_dt_history": false, "cows": 14}"#);
    assert!(fields(&c).contains(&"substance_use.cows"), "{:?}", c.notes);
    let list = c.intake.substance_use.as_ref().unwrap();
    assert_eq!(
        (list.len(), list[0].cows, list[0].dsm5_criteria),
        (1, Some(14), None)
    );
    let err = RulePack::builtin().assess(&c.intake).unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| p.field == "substance_use[0].dsm5_criteria"),
        "{err}"
    );

    // A charted 0 for a substance nobody listed is dropped, and said.
    let c = convert(r#""withdrawal": {"seizure_or_dt_history": false, "ciwa_ar": 0}"#);
    assert_eq!(c.intake.substance_use, None);
    assert!(
        fields(&c).contains(&"substance_use.ciwa_ar"),
        "{:?}",
        c.notes
    );
}

/// 0.1's one psychosis-or-self-care item: a no is no to both intake 2 items; a yes could be
/// acute psychosis, a chronic stable psychotic illness or inability to care for oneself, so
/// both items are left to ask (never guessed) and the report is provisional until they are.
#[test]
fn a_0_1_psychosis_or_self_care_yes_is_asked_not_guessed() {
    use carelevel::intake::{Assessed, Psychosis};
    let old = |yes: bool| {
        format!(
            r#"{{"age": 40, "safety": {{"suicide_risk": "none", "harm_to_others": "none",
            "psychosis_or_unable_to_self_care": {yes}}}, "withdrawal": {{"seizure_or_dt_history": false}},
            "medical": {{"status": "stable"}}, "self_management": "independent",
            "history": {{"current_setting": "none"}}}}"#
        )
    };
    let no = convert_v0_1(&old(false)).unwrap();
    assert_eq!(
        no.intake.safety.psychosis,
        Some(Assessed::Answer(Psychosis::None))
    );
    assert_eq!(
        no.intake.safety.unable_to_self_care,
        Some(Assessed::Answer(false))
    );
    assert!(
        no.notes
            .iter()
            .all(|n| !["safety.psychosis", "safety.unable_to_self_care"].contains(&n.field)),
        "{:?}",
        no.notes
    );

    let yes = convert_v0_1(&old(true)).unwrap();
    assert_eq!(yes.intake.safety.psychosis, None);
    assert_eq!(yes.intake.safety.unable_to_self_care, None);
    for field in ["safety.psychosis", "safety.unable_to_self_care"] {
        let note = yes
            .notes
            .iter()
            .find(|n| n.field == field)
            .unwrap_or_else(|| panic!("no note on {field}: {:?}", yes.notes));
        for says in ["acute", "chronic stable", "care for oneself"] {
            assert!(note.note.contains(says), "{note}");
        }
    }
    let missing = yes.intake.missing_required();
    assert!(missing.contains(&"safety.psychosis"), "{missing:?}");
    assert!(
        missing.contains(&"safety.unable_to_self_care"),
        "{missing:?}"
    );
    // Provisional, never placed as if the answer were no: it could reach inpatient.
    let report = RulePack::builtin().report(&yes.intake).unwrap();
    assert_eq!(report.status, Status::Provisional);
    assert_eq!(report.level_at_most, Level::Inpatient);
}
