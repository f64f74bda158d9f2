//! Nothing lost, nothing leaked: the intake reader never drops, reorders or overrides an
//! answer, and its errors never quote a string from the input.
//!
//! The tests of 0.1 failed on 0.1.0 (reliability review S1, S3, the positional-array and
//! free-text findings); intake 2 adds its own surface to each: `schema_version`, the
//! declinable safety items and the three repeating groups; item-level scoring adds the
//! instruments' item groups (PHQ-9, GAD-7, CIWA-Ar, COWS, the C-SSRS screener).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::{Intake, IntakeError, ProblemKind, RulePack};
use proptest::prelude::*;

const GOOD: &str = include_str!("../examples/intakes/iop_primary.json");

/// A pack with one rating, `d1`, whose worst value (4) means urgent 24-hour care.
const RATING_PACK: &str = r#"
[[rating]]
id = "d1"
min = 0
max = 4
description = "dimension 1 risk"

[[rule]]
id = "instrument.d1.high"
criterion = "instrument"
when = { answer = "rating.d1", at_least = 4 }
floor = "inpatient"
setting = "clinically_managed_residential_high"
urgency = "same_day"
reason = "Dimension 1 at 4 needs 24-hour care."
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]
"#;

/// The built-in rules under a pack id of their own, with [`RATING_PACK`] or `extra` added.
fn pack_with(extra: &str) -> RulePack {
    let mut sources: Vec<(&str, String)> = carelevel::BUILTIN_SOURCES
        .iter()
        .map(|(name, text)| {
            (
                *name,
                text.replace("id = \"carelevel.builtin\"", "id = \"test.ratings\""),
            )
        })
        .collect();
    sources.push(("extra.toml", extra.to_owned()));
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
    RulePack::from_sources(&sources).unwrap()
}

fn good() -> serde_json::Value {
    serde_json::from_str(GOOD).unwrap()
}

/// The good intake, compact, with `suicidal_ideation` set to `risk`.
fn good_with_risk(risk: &str) -> String {
    let mut v = good();
    v["safety"]["suicidal_ideation"] = risk.into();
    v.to_string()
}

/// The good intake's JSON text with `"ratings": RATINGS` spliced in as its first key (before
/// `schema_version`: the order of keys does not matter).
fn with_ratings(ratings: &str) -> String {
    let compact = good().to_string();
    format!("{{\"ratings\":{ratings},{}", &compact[1..])
}

fn json_error(text: &str) -> (String, String) {
    match Intake::from_json(text).unwrap_err() {
        IntakeError::Json { path, message, .. } => (path, message),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

// S1: a second document, or anything after the first, is an error on every path.

#[test]
fn a_second_document_on_the_same_line_is_an_error_not_dropped() {
    let first = good_with_risk("none");
    let second = good_with_risk("plan_with_intent");
    let (path, message) = json_error(&format!("{first}{second}"));
    assert_eq!(path, ".");
    assert!(
        message.starts_with("unexpected content after the end of the document at line 1 column"),
        "{message}"
    );
    assert!(
        RulePack::builtin()
            .assess_json(&format!("{first}{second}"))
            .is_err()
    );
}

#[test]
fn trailing_garbage_is_an_error_and_trailing_whitespace_is_not() {
    let (path, message) = json_error(&format!("{} garbage", good()));
    assert_eq!(path, ".");
    assert!(
        message.contains("after the end of the document"),
        "{message}"
    );
    assert!(Intake::from_json(&format!("{}\n\t \r\n", good())).is_ok());
    assert!(Intake::from_json(&format!("{}]", good())).is_err());
}

#[test]
fn a_leading_byte_order_mark_is_read_as_utf8() {
    let with_bom = format!("\u{feff}{GOOD}");
    assert_eq!(
        Intake::from_json(&with_bom).unwrap(),
        Intake::from_json(GOOD).unwrap()
    );
}

// S3: no duplicate key anywhere.

#[test]
fn a_duplicate_rating_key_is_an_error_not_last_wins() {
    let pack = pack_with(RATING_PACK);
    // Once: the rating is read and decides.
    let once = Intake::from_json(&with_ratings(r#"{"d1":4}"#)).unwrap();
    assert!(pack.assess(&once).unwrap().urgent());
    // Twice: refused, naming the map and the key.
    let (path, message) = json_error(&with_ratings(r#"{"d1":4,"d1":0}"#));
    assert_eq!(path, "ratings");
    assert!(message.starts_with("duplicate key `d1`"), "{message}");
    // Written with an escape, it is the same key.
    let (_, message) = json_error(&with_ratings(r#"{"d1":4,"\u0064\u0031":0}"#));
    assert!(message.starts_with("duplicate key `d1`"), "{message}");
}

#[test]
fn duplicate_struct_fields_stay_errors() {
    let compact = good().to_string();
    let text = format!("{{\"age\":30,{}", &compact[1..]);
    let (_, message) = json_error(&text);
    assert!(message.starts_with("duplicate field `age`"), "{message}");
    let text = compact.replace(
        "\"safety\":{",
        "\"safety\":{\"suicidal_ideation\":\"plan_with_intent\",",
    );
    assert_ne!(text, compact);
    let (path, message) = json_error(&text);
    assert_eq!(path, "safety");
    assert!(
        message.starts_with("duplicate field `suicidal_ideation`"),
        "{message}"
    );
    // A declinable item given twice, once declined: neither wins.
    let text = compact.replace(
        "\"safety\":{",
        "\"safety\":{\"suicidal_behavior\":\"declined\",",
    );
    assert_ne!(text, compact);
    let (path, message) = json_error(&text);
    assert_eq!(path, "safety");
    assert!(
        message.starts_with("duplicate field `suicidal_behavior`"),
        "{message}"
    );
    // An entry of a repeating group given a key twice.
    let text = compact.replace(
        "\"substance\":\"alcohol\"",
        "\"substance\":\"alcohol\",\"substance\":\"opioids\"",
    );
    assert_ne!(text, compact);
    let (path, message) = json_error(&text);
    assert_eq!(path, "substance_use[0]");
    assert!(
        message.starts_with("duplicate field `substance`"),
        "{message}"
    );
}

/// The items of an instrument, like every other group: a key given twice is an error
/// naming the group and the key, whichever value came last.
#[test]
fn an_item_given_twice_is_an_error_not_last_wins() {
    let compact = good().to_string();
    for (group_at, group, path) in [
        (
            "\"severity\":{",
            "\"phq9_items\":{\"sleep\":\"nearly_every_day\",\"sleep\":\"not_at_all\"},",
            "severity.phq9_items",
        ),
        (
            "\"safety\":{",
            "\"cssrs\":{\"plan\":true,\"plan\":\"declined\"},",
            "safety.cssrs",
        ),
        (
            "\"substance\":\"alcohol\"",
            "\"ciwa_ar_items\":{\"tremor\":7,\"tremor\":0},",
            "substance_use[0].ciwa_ar_items",
        ),
    ] {
        // Inserted as the first key of the group, or before the entry's substance.
        let with = if group_at.ends_with('{') {
            compact.replacen(group_at, &format!("{group_at}{group}"), 1)
        } else {
            compact.replacen(group_at, &format!("{group}{group_at}"), 1)
        };
        assert_ne!(with, compact);
        let (at, message) = json_error(&with);
        assert_eq!(at, path, "{with}");
        let key = ["sleep", "plan", "tremor"]
            .into_iter()
            .find(|k| group.contains(k))
            .unwrap();
        assert!(
            message.starts_with(&format!("duplicate field `{key}`")),
            "{message}"
        );
    }
}

/// An instrument given item by item reads back as given: a partial one keeps its gaps (no
/// item becomes 0), a declined screener answer stays declined, and a total beside the items
/// stays beside them.
#[test]
fn items_are_kept_as_given() {
    let mut v = good();
    v["severity"]["phq9_items"] =
        serde_json::json!({"interest": "several_days", "psychomotor": "nearly_every_day"});
    v["safety"]["cssrs"] = serde_json::json!({"wish_to_be_dead": "declined", "behavior": false});
    v["substance_use"][0]["ciwa_ar_items"] = serde_json::json!({"tremor": 2, "orientation": 0});
    let intake = Intake::from_json(&v.to_string()).unwrap();
    let back: serde_json::Value = serde_json::from_str(&intake.to_json().unwrap()).unwrap();
    for pointer in [
        "/severity/phq9_items",
        "/safety/cssrs",
        "/substance_use/0/ciwa_ar_items",
        "/substance_use/0/ciwa_ar",
        "/severity/phq9",
    ] {
        assert_eq!(back.pointer(pointer), v.pointer(pointer), "{pointer}");
    }
    // No item group is written when none of its items is given.
    let plain: serde_json::Value =
        serde_json::from_str(&Intake::from_json(GOOD).unwrap().to_json().unwrap()).unwrap();
    for pointer in [
        "/severity/phq9_items",
        "/severity/gad7_items",
        "/safety/cssrs",
        "/substance_use/0/ciwa_ar_items",
        "/substance_use/0/cows_items",
    ] {
        assert_eq!(plain.pointer(pointer), None, "{pointer}");
    }
}

#[test]
fn a_duplicate_schema_version_is_an_error_whatever_the_values() {
    // The good intake without its version: `{"adolescent":...`.
    let mut v = good();
    v.as_object_mut().unwrap().remove("schema_version");
    let rest = v.to_string();
    for (first, second) in [("2", "2"), ("2", "0.1"), ("0.1", "2")] {
        let text = format!(
            "{{\"schema_version\":\"{first}\",\"schema_version\":\"{second}\",{}",
            &rest[1..]
        );
        let (path, message) = json_error(&text);
        // A second version is a duplicate; a first that is not `2` fails before it.
        if first == "2" {
            assert_eq!(path, ".", "{first}, {second}");
            assert!(
                message.starts_with("duplicate field `schema_version`"),
                "{first}, {second}: {message}"
            );
        } else {
            assert_eq!(path, "schema_version", "{first}, {second}");
        }
    }
    // The same key spelt with an escape is the same key.
    let text = format!(
        "{{\"schema_version\":\"2\",\"\\u0073chema_version\":\"2\",{}",
        &rest[1..]
    );
    let (_, message) = json_error(&text);
    assert!(
        message.starts_with("duplicate field `schema_version`"),
        "{message}"
    );
}

// Positional arrays: objects only.

#[test]
fn an_array_where_an_object_is_expected_is_an_error() {
    let mut v = good();
    v["safety"] = serde_json::json!(["none", "none", false]);
    let (path, message) = json_error(&v.to_string());
    assert_eq!(path, "safety");
    assert!(
        message.starts_with("invalid type: sequence, expected struct Safety"),
        "{message}"
    );

    // Each entry of the three repeating groups is an object, never a positional array.
    for (group, entry) in [
        ("/substance_use", serde_json::json!(["alcohol", 7])),
        ("/severity/conditions", serde_json::json!(["ptsd", "mild"])),
        ("/history/episodes", serde_json::json!(["iop", "completed"])),
    ] {
        let mut v = good();
        let (parent, key) = group.rsplit_once('/').unwrap();
        let parent = if parent.is_empty() {
            &mut v
        } else {
            v.pointer_mut(parent).unwrap()
        };
        parent[key] = serde_json::json!([entry]);
        let (path, message) = json_error(&v.to_string());
        let field = format!("{}[0]", group.trim_start_matches('/').replace('/', "."));
        assert_eq!(path, field);
        assert!(message.starts_with("invalid type: sequence"), "{message}");
    }

    let (path, message) = json_error(&format!("[{}]", good()));
    assert_eq!(path, ".");
    assert!(
        message.starts_with("invalid type: sequence, expected struct Intake"),
        "{message}"
    );
}

// Nothing leaked.

const SECRET: &str = "John Smith HIV positive wants to kill wife";

fn assert_no_secret(text: &str) {
    for word in ["John", "Smith", "HIV", "kill"] {
        assert!(!text.contains(word), "`{word}` leaked into: {text}");
    }
}

#[test]
fn an_unknown_choice_is_not_echoed() {
    let err = Intake::from_json(&good_with_risk(SECRET)).unwrap_err();
    assert_no_secret(&err.to_string());
    assert_no_secret(&format!("{err:?}"));
    assert!(
        err.to_string().starts_with(
            "intake field `safety.suicidal_ideation`: unknown choice of 42 characters, expected one of `none`, `wish_to_be_dead`"
        ),
        "{err}"
    );
}

#[test]
fn a_string_that_imitates_serdes_message_shape_is_still_redacted() {
    let mut v = good();
    v["age"] = "secret\", expected foo John Smith HIV positive".into();
    let err = Intake::from_json(&v.to_string()).unwrap_err();
    assert_no_secret(&err.to_string());
    assert!(
        err.to_string()
            .starts_with("intake field `age`: invalid type: string of 45 characters, expected u32"),
        "{err}"
    );
    // Backticks in an unknown choice cannot end the quoted part early.
    let err = Intake::from_json(&good_with_risk("x`, expected John Smith `y")).unwrap_err();
    assert_no_secret(&err.to_string());
}

#[test]
fn an_unknown_key_that_is_not_an_identifier_is_named_by_length_only() {
    let mut v = good();
    v["safety"][SECRET] = true.into();
    let err = Intake::from_json(&v.to_string()).unwrap_err();
    assert_no_secret(&err.to_string());
    assert!(
        err.to_string()
            .starts_with("intake field `safety.<a key of 42 characters>`: unknown key <a key of 42 characters>, expected one of"),
        "{err}"
    );
    // A plain misspelt key is still named, to help fix it.
    let mut v = good();
    v["home"]["others_use_substance"] = true.into();
    let (path, message) = json_error(&v.to_string());
    assert_eq!(path, "home.others_use_substance");
    assert!(
        message.starts_with("unknown key `others_use_substance`, expected one of"),
        "{message}"
    );
    // Also in an entry of a repeating group.
    let mut v = good();
    v["substance_use"][0][SECRET] = 1.into();
    let err = Intake::from_json(&v.to_string()).unwrap_err();
    assert_no_secret(&err.to_string());
    assert!(
        err.to_string()
            .starts_with("intake field `substance_use[0].<a key of 42 characters>`"),
        "{err}"
    );
}

#[test]
fn unknown_rating_keys_are_not_echoed_and_their_count_is_capped() {
    let pack = pack_with(RATING_PACK);
    let intake = Intake::from_json(&with_ratings(&format!(r#"{{"d1":0,"{SECRET}":1}}"#))).unwrap();
    let err = pack.assess(&intake).unwrap_err();
    assert_no_secret(&err.to_string());
    assert_eq!(err.problems()[0].field, "ratings.<a key of 42 characters>");

    let keys: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\":1")).collect();
    let intake =
        Intake::from_json(&with_ratings(&format!("{{\"d1\":0,{}}}", keys.join(",")))).unwrap();
    let err = pack.assess(&intake).unwrap_err();
    assert_eq!(err.problems().len(), 11, "10 named, then one count");
    assert_eq!(
        err.problems()[10].kind,
        ProblemKind::MoreUnknownRatings { count: 99_990 }
    );
    let message = err.to_string();
    assert!(message.len() < 4_000, "{} bytes", message.len());
    assert!(
        message.ends_with("`ratings` has 99990 more keys that are not ratings of this rule pack"),
        "{message}"
    );
}

#[test]
fn a_long_list_of_problems_is_shown_capped_with_a_count() {
    // 30 out-of-range ratings: the message shows 20 and counts the rest; the list keeps all.
    let mut pack = String::new();
    let mut ratings = Vec::new();
    for i in 0..30 {
        pack += &format!("[[rating]]\nid = \"r{i}\"\nmin = 0\nmax = 4\ndescription = \"r\"\n\n");
        ratings.push(format!("\"r{i}\":9"));
    }
    let pack = pack_with(&pack);
    let intake = Intake::from_json(&with_ratings(&format!("{{{}}}", ratings.join(",")))).unwrap();
    let err = pack.assess(&intake).unwrap_err();
    assert_eq!(err.problems().len(), 30);
    let message = err.to_string();
    assert!(message.starts_with("intake has 30 problems: "), "{message}");
    assert!(message.ends_with("; and 10 more"), "{message}");
    assert_eq!(message.matches("expected 0-4").count(), 20);
}

fn marked() -> impl Strategy<Value = String> {
    // Printable text with the characters that end quotes in serde's messages.
    "[a-zA-Z0-9 `\"'\\\\,.:{}\\[\\]\u{e9}\u{2028}]{0,40}".prop_map(|s| format!("QZX{s}QZX"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Wherever a string lands, as a value of any type or as a key, no error repeats it.
    #[test]
    fn no_error_quotes_a_string_from_the_input(s in marked(), at in 0usize..22) {
        let mut v = good();
        match at {
            // A declinable choice, a declinable yes/no, a plain choice.
            0 => v["safety"]["suicidal_ideation"] = s.clone().into(),
            1 => v["home"]["violence_or_abuse"] = s.clone().into(),
            2 => v["home"]["housing"] = s.clone().into(),
            3 => v["age"] = s.clone().into(),
            4 => v["safety"][s.as_str()] = true.into(),
            // The three repeating groups: a choice of an entry, and a key of one.
            5 => v["substance_use"][0]["substance"] = s.clone().into(),
            6 => v["substance_use"][0]["benzodiazepine"] = s.clone().into(),
            7 => v["severity"]["conditions"] = serde_json::json!([{ "condition": s, "severity": "mild" }]),
            8 => v["history"]["episodes"] = serde_json::json!([{ "level": "iop", "outcome": s }]),
            9 => v["history"]["episodes"] = serde_json::json!([{ "level": "iop", "outcome": "completed", s.as_str(): 1 }]),
            10 => v["schema_version"] = s.clone().into(),
            11 => v["ratings"] = serde_json::json!({ s.as_str(): "x" }),
            12 => v["engagement"]["commitments"] = serde_json::json!(["work", s]),
            // The instruments given item by item: an item's answer, and a key of each group.
            14 => v["severity"]["phq9_items"] = serde_json::json!({ "interest": s }),
            15 => v["severity"]["gad7_items"] = serde_json::json!({ s.as_str(): "not_at_all" }),
            16 => v["substance_use"][0]["ciwa_ar_items"] = serde_json::json!({ "tremor": s }),
            17 => v["substance_use"][0]["ciwa_ar_items"] = serde_json::json!({ s.as_str(): 1 }),
            18 => v["safety"]["cssrs"] = serde_json::json!({ "plan": s }),
            19 => v["safety"]["cssrs"] = serde_json::json!({ s.as_str(): true }),
            20 => v["substance_use"] = serde_json::json!([{ "substance": "opioids", "cows_items": { s.as_str(): 1 } }]),
            _ => v[s.as_str()] = serde_json::json!({ "a": 1 }),
        }
        let err = Intake::from_json(&v.to_string()).unwrap_err();
        prop_assert!(!err.to_string().contains("QZX"), "{}", err);
        prop_assert!(!format!("{err:?}").contains("QZX"), "{:?}", err);
    }

    /// Any text after a valid intake (other than white space) is refused.
    #[test]
    fn any_trailing_content_is_refused(tail in "[^ \t\r\n]{1,20}") {
        let text = format!("{}{}", good(), tail);
        prop_assert!(Intake::from_json(&text).is_err());
    }
}
