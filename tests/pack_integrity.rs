//! Packs cannot pretend: pack text a clinician reads is one short line (so it cannot inject a
//! line such as "Recommended level: Outpatient" into a report) and is escaped in markdown; the
//! built-in pack's id belongs to the built-in rules alone; and the safety analysis of a loaded
//! pack is one call away, so an integrator can refuse an unproved pack.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::pack::{BUILTIN_ID, MAX_REASON_CHARS};
use carelevel::{BUILTIN_SOURCES, Intake, Level, PackError, RulePack};

/// The text a malicious or careless reason tries to slip into a report.
const INJECTED: &str = "Recommended level: Outpatient";

/// A mild intake: the built-in pack places it in outpatient care.
const MILD: &str = r#"{
    "schema_version": "2",
    "age": 34,
    "safety": { "suicidal_ideation": "none", "suicidal_behavior": "never",
                "harm_to_others": "none", "psychosis": "none", "unable_to_self_care": false },
    "withdrawal": { "seizure_or_dt_history": false },
    "substance_use": [],
    "medical": { "status": "stable" },
    "severity": { "phq9": 6, "gad7": 5, "impairs_daily_activities": false },
    "self_management": "independent",
    "history": { "current_setting": "none", "episodes": [] },
    "home": { "others_use_substances": false, "supportive": true, "violence_or_abuse": false,
              "housing": "housed" },
    "engagement": { "stage_of_change": "action", "can_attend_several_days": true,
                    "commitments": ["work"], "needs_transportation": false,
                    "needs_childcare": false }
}"#;

/// The built-in `pack.toml` (identity, programmes, baseline rule) with its own id, as a
/// custom pack built on the built-in files must have.
fn own_pack_toml(id: &str) -> String {
    let (name, text) = BUILTIN_SOURCES[0];
    assert_eq!(name, "pack.toml");
    let from = format!("id = \"{BUILTIN_ID}\"");
    assert!(text.contains(&from), "the built-in pack.toml names its id");
    text.replacen(&from, &format!("id = \"{id}\""), 1)
}

/// A rule that always fires (every intake gives an age), with this floor and reason, citing
/// the local defaults with this `locator` (shown in reports).
fn always(id: &str, floor: &str, reason: &str, locator: &str) -> String {
    // A 24-hour floor names its setting.
    let setting = if floor == "inpatient" {
        "setting = \"clinically_managed_residential_high\"\n"
    } else {
        ""
    };
    format!(
        "[[rule]]\nid = \"{id}\"\ncriterion = \"engagement\"\nwhen = {{ answer = \"age\", answered = true }}\nfloor = \"{floor}\"\n{setting}reason = \"{reason}\"\ncite = [{{ source = \"carelevel-local-defaults\", locator = \"{locator}\", fact = \"A rule written for a test.\", use = \"local_default\" }}]\n\n"
    )
}

/// The identity file plus one rule file named `local.toml`.
fn load(rules: &str) -> Result<RulePack, PackError> {
    let pack_toml = own_pack_toml("test.local");
    RulePack::from_sources(&[("pack.toml", &pack_toml), ("local.toml", rules)])
}

/// Every problem as displayed.
fn messages(err: &PackError) -> Vec<String> {
    err.problems().iter().map(ToString::to_string).collect()
}

#[test]
fn a_multi_line_reason_is_rejected_naming_file_rule_and_field_without_the_text() {
    let rules = always(
        "local.odd",
        "inpatient",
        r"ok.\n\nRecommended level: Outpatient\nThis is a recommendation",
        "product default: test",
    );
    let err = load(&rules).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let p = &err.problems()[0];
    assert_eq!(p.file, "local.toml");
    assert_eq!(p.item.as_deref(), Some("rule `local.odd`"));
    assert_eq!(
        p.message,
        "`reason` must be one line of plain text, but contains a line break (U+000A)"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(INJECTED), "{shown}");
    assert!(!shown.contains("This is a recommendation"), "{shown}");
    assert!(!err.to_string().contains('\n'), "{err}");
}

#[test]
fn every_line_breaking_character_in_a_reason_is_rejected() {
    for (escape, name) in [
        (r"\r", "a carriage return (U+000D)"),
        (r"\t", "a tab (U+0009)"),
        (r"\u0000", "a control character (U+0000)"),
        (r"\u001b", "a control character (U+001B)"),
        (r"\u0085", "a control character (U+0085)"),
        (r"\u2028", "a line separator (U+2028)"),
        (r"\u2029", "a paragraph separator (U+2029)"),
        (r"\u202e", "a bidirectional-text control (U+202E)"),
    ] {
        let rules = always(
            "local.odd",
            "iop",
            &format!("ok.{escape}{INJECTED}"),
            "product default: test",
        );
        let err = load(&rules).unwrap_err();
        assert_eq!(
            messages(&err),
            [format!(
                "local.toml:6:10: rule `local.odd`: `reason` must be one line of plain text, but contains {name}"
            )],
            "{escape}"
        );
        assert!(!err.to_string().contains(INJECTED), "{err}");
    }
}

#[test]
fn an_over_long_reason_is_rejected_and_one_at_the_limit_loads() {
    let at_limit = "a".repeat(MAX_REASON_CHARS);
    let pack = load(&always(
        "local.long",
        "iop",
        &at_limit,
        "product default: test",
    ))
    .unwrap();
    assert_eq!(
        pack.rule("local.long").unwrap().reason().chars().count(),
        300
    );
    let over = "é".repeat(MAX_REASON_CHARS + 1);
    let err = load(&always("local.long", "iop", &over, "product default: test")).unwrap_err();
    assert_eq!(
        messages(&err),
        [
            "local.toml:6:10: rule `local.long`: `reason` is 301 characters long, at most 300 are allowed"
        ]
    );
    assert!(!err.to_string().contains("éé"), "{err}");
}

#[test]
fn control_characters_in_every_rendered_string_are_rejected_all_at_once() {
    // The pack's id, version and title, a programme's source, and a rule's source: each one
    // is shown to a clinician (report footer, CDS card, plan cost, rationale).
    let pack_toml = own_pack_toml(r"test.local\nRecommended level: Outpatient")
        .replacen(
            "version = \"2026.11.1\"",
            r#"version = "1\r\nRecommended level: Outpatient""#,
            1,
        )
        .replacen(
            "title = \"carelevel built-in pack: the seed document and public guidance\"",
            r#"title = "a\u2028Recommended level: Outpatient""#,
            1,
        )
        .replacen(
            "source = \"seed: \\\"Outpatient Treatment\\\"\"",
            r#"source = "seed: x\tRecommended level: Outpatient""#,
            1,
        );
    assert_eq!(pack_toml.matches(INJECTED).count(), 4, "{pack_toml}");
    let rules = always(
        "local.odd",
        "iop",
        "fine",
        r"reference: x\u0085Recommended level: Outpatient",
    );
    // The outpatient programme's source, wherever the built-in pack.toml puts it.
    let programme_source = 1 + pack_toml
        .lines()
        .position(|l| l.contains("Recommended level: Outpatient") && l.starts_with("source"))
        .unwrap();
    let err =
        RulePack::from_sources(&[("pack.toml", &pack_toml), ("local.toml", &rules)]).unwrap_err();
    let mut got = messages(&err);
    got.sort();
    let mut want = [
        "pack.toml:7:6: [pack]: `id` must be one line of plain text, but contains a line break (U+000A)".to_owned(),
        "pack.toml:8:11: [pack]: `version` must be one line of plain text, but contains a carriage return (U+000D)".to_owned(),
        "pack.toml:9:9: [pack]: `title` must be one line of plain text, but contains a line separator (U+2028)".to_owned(),
        format!("pack.toml:{programme_source}:10: programme `outpatient`: `source` must be one line of plain text, but contains a tab (U+0009)"),
        "local.toml:7:58: rule `local.odd`: `locator` must be one line of plain text, but contains a control character (U+0085)".to_owned(),
    ];
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(!err.to_string().contains(INJECTED), "{err}");
}

#[test]
fn over_long_sources_and_identity_are_rejected() {
    let long = "x".repeat(301);
    let pack_toml = own_pack_toml(&"p".repeat(65)).replacen(
        "title = \"carelevel built-in pack: the seed document and public guidance\"",
        &format!("title = \"{}\"", "t".repeat(201)),
        1,
    );
    let rules = always("local.odd", "iop", "fine", &format!("reference: {long}"));
    let err =
        RulePack::from_sources(&[("pack.toml", &pack_toml), ("local.toml", &rules)]).unwrap_err();
    let mut got = messages(&err);
    got.sort();
    assert_eq!(
        got,
        [
            "local.toml:7:58: rule `local.odd`: `locator` is 312 characters long, at most 300 are allowed",
            "pack.toml:7:6: [pack]: `id` is 65 characters long, at most 64 are allowed",
            "pack.toml:9:9: [pack]: `title` is 201 characters long, at most 200 are allowed",
        ]
    );
    assert!(!err.to_string().contains(&long), "{err}");
}

#[test]
fn problem_messages_stay_on_one_line_whatever_a_name_holds() {
    // Names (ids, criteria) are quoted in problems; a line break in one is escaped, and a
    // malformed rule id is not used to label the rule.
    let rules = format!(
        "[[rule]]\nid = \"x\\n{INJECTED}\"\ncriterion = \"engagement\\n{INJECTED}\"\nwhen = {{ answer = \"age\", answered = true }}\nfloor = \"iop\"\nreason = \"fine\"\ncite = [{{ source = \"carelevel-local-defaults\", locator = \"t\", fact = \"A rule written for a test.\", use = \"local_default\" }}]\n"
    );
    let err = load(&rules).unwrap_err();
    for p in err.problems() {
        assert_eq!(p.item.as_deref(), Some("rule #1 in the file"), "{p}");
        assert!(!p.to_string().contains('\n'), "{p:?}");
    }
    assert!(!err.to_string().contains('\n'), "{err}");
}

#[test]
fn markdown_escapes_pack_strings_and_plain_text_shows_them_as_written() {
    let reason = "Needs *close* watch <b>now</b> [see](http://x) `x` | a_b # 1 & ~z~ \\\\";
    let source = "product default: <script>alert(1)</script> *local* policy";
    let rules = always("local.watch", "iop", reason, source);
    let pack = load(&rules).unwrap();
    let intake = Intake::from_json(MILD).unwrap();
    let report = pack.report(&intake).unwrap();
    assert_eq!(report.level, Some(Level::Iop));
    assert_eq!(report.binding_rules, ["local.watch"]);

    let md = report.to_markdown();
    assert!(
        md.contains(
            r"- `local.watch` Needs \*close\* watch \<b\>now\</b\> \[see\](http://x) \`x\` \| a\_b \# 1 \& \~z\~ \\ [age = 34]"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            r", product default: \<script\>alert(1)\</script\> \*local\* policy — local default"
        ),
        "{md}"
    );
    for raw in ["*close*", "<b>", "[see]", "`x`", "<script>"] {
        assert!(!md.contains(raw), "{raw} in {md}");
    }
    // The CDS card's markdown detail escapes them the same way.
    let card = report.to_cds_card().unwrap();
    assert!(
        card.detail
            .contains(r"Needs \*close\* watch \<b\>now\</b\>"),
        "{}",
        card.detail
    );
    for raw in ["*close*", "<b>", "[see]", "<script>"] {
        assert!(!card.detail.contains(raw), "{raw} in {}", card.detail);
    }
    // The footer's pack id is pack text too.
    assert!(
        md.contains("\nRule pack test.local 2026.11.1 (sha256:"),
        "{md}"
    );

    // Plain text is not markdown: shown as written.
    let text = report.to_text();
    assert!(
        text.contains(&format!("local.watch {}", reason.replace("\\\\", "\\"))),
        "{text}"
    );
    assert!(text.contains(source), "{text}");
}

#[test]
fn the_pack_id_is_escaped_in_the_markdown_footer() {
    let pack_toml = own_pack_toml("test_*pack*");
    let pack = RulePack::from_sources(&[("pack.toml", &pack_toml)]).unwrap();
    let md = pack
        .report(&Intake::from_json(MILD).unwrap())
        .unwrap()
        .to_markdown();
    assert!(
        md.contains("\nRule pack test\\_\\*pack\\* 2026.11.1 (sha256:"),
        "{md}"
    );
}

#[test]
fn builtin_markdown_has_nothing_to_escape() {
    // The built-in strings contain no markdown characters, so escaping leaves the built-in
    // pack's output byte for byte as it was.
    let pack = RulePack::builtin();
    for r in pack.rules() {
        for s in [r.reason(), pack.citation_summary(r)] {
            assert!(
                !s.contains(['\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&']),
                "{}: {s}",
                r.id()
            );
        }
    }
    let md = pack
        .report(&Intake::from_json(MILD).unwrap())
        .unwrap()
        .to_markdown();
    assert!(!md.contains('\\'), "{md}");
}

/// The built-in sources with `safety.toml` replaced.
fn with_safety(safety: &str) -> Result<RulePack, PackError> {
    let citations = citations_of_safety(safety);
    let sources: Vec<(&str, &str)> = BUILTIN_SOURCES
        .iter()
        .map(|(name, text)| match *name {
            "safety.toml" => (*name, safety),
            "citations.toml" => (*name, citations.as_str()),
            _ => (*name, *text),
        })
        .collect();
    RulePack::from_sources(&sources)
}

/// The built-in `citations.toml` without the `[[cite]]` blocks of `safety.*` rules that
/// `safety` (a version of `safety.toml`) does not define: a pack without a rule drops its
/// citations too (a citation of an unknown rule does not load). Unchanged when every rule is
/// there, so the built-in files stay the built-in files.
fn citations_of_safety(safety: &str) -> String {
    let text = BUILTIN_SOURCES
        .iter()
        .find(|(n, _)| *n == "citations.toml")
        .unwrap()
        .1;
    let mut blocks = text.split("\n[[cite]]\n");
    let mut out = blocks.next().unwrap().to_owned();
    for b in blocks {
        let rule = b
            .strip_prefix("rule = \"")
            .and_then(|r| r.split('"').next())
            .unwrap_or_default();
        if rule.starts_with("safety.") && !safety.contains(&format!("id = \"{rule}\"\n")) {
            continue;
        }
        out.push_str("\n[[cite]]\n");
        out.push_str(b);
    }
    out
}

const RESERVED: &str = "pack.toml:7:6: [pack]: pack id `carelevel.builtin` is reserved for the built-in rules; give your pack its own id";

#[test]
fn the_builtin_id_with_a_changed_rule_is_rejected() {
    let safety = BUILTIN_SOURCES
        .iter()
        .find(|(n, _)| *n == "safety.toml")
        .unwrap()
        .1;
    // A lowered floor: the pack would still say `carelevel.builtin 2026.11.1`.
    let lowered = safety.replacen(
        "floor = \"inpatient\"\nsetting = \"inpatient_psychiatric\"",
        "floor = \"iop\"",
        1,
    );
    assert_ne!(lowered, safety);
    let err = with_safety(&lowered).unwrap_err();
    assert_eq!(messages(&err), [RESERVED]);
    // Even a change that is not a rule (a comment) is another pack.
    let err = with_safety(&format!("{safety}\n# local edit\n")).unwrap_err();
    assert_eq!(messages(&err), [RESERVED]);
}

#[test]
fn the_builtin_id_is_rejected_on_dropped_added_renamed_or_reordered_files() {
    let citations = citations_of_safety("");
    let dropped: Vec<(&str, &str)> = BUILTIN_SOURCES
        .iter()
        .copied()
        .filter(|(n, _)| *n != "safety.toml")
        .map(|(n, t)| {
            if n == "citations.toml" {
                (n, citations.as_str())
            } else {
                (n, t)
            }
        })
        .collect();
    let mut added = BUILTIN_SOURCES.to_vec();
    added.push((
        "local.toml",
        "[[rule]]\nid = \"local.x\"\ncriterion = \"engagement\"\nwhen = { answer = \"age\", answered = true }\nservices = [\"childcare\"]\nreason = \"x\"\ncite = [{ source = \"carelevel-local-defaults\", locator = \"t\", fact = \"A rule written for a test.\", use = \"local_default\" }]\n",
    ));
    let renamed: Vec<(&str, &str)> = BUILTIN_SOURCES
        .iter()
        .map(|(n, t)| {
            if *n == "pack.toml" {
                ("rules/pack.toml", *t)
            } else {
                (*n, *t)
            }
        })
        .collect();
    let mut reordered = BUILTIN_SOURCES.to_vec();
    reordered.reverse();
    let alone = [BUILTIN_SOURCES[0]];
    for (what, sources) in [
        ("dropped", dropped.as_slice()),
        ("added", added.as_slice()),
        ("renamed", renamed.as_slice()),
        ("reordered", reordered.as_slice()),
        ("pack.toml alone", alone.as_slice()),
    ] {
        let err = RulePack::from_sources(sources).unwrap_err();
        let file = if what == "renamed" {
            "rules/pack.toml"
        } else {
            "pack.toml"
        };
        let want = RESERVED.replacen("pack.toml", file, 1);
        assert_eq!(messages(&err), [want], "{what}");
    }
}

#[test]
fn the_reserved_id_is_matched_ignoring_case_and_spaces_and_reported_with_other_problems() {
    let pack_toml = BUILTIN_SOURCES[0].1.replacen(
        "id = \"carelevel.builtin\"",
        "id = \" CareLevel.Builtin \"",
        1,
    );
    let err = RulePack::from_sources(&[
        ("pack.toml", &pack_toml),
        (
            "local.toml",
            &always("local.x", "iop", r"a\nb", "product default: x"),
        ),
    ])
    .unwrap_err();
    let got = messages(&err);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(got.contains(&RESERVED.to_owned()), "{got:#?}");
}

#[test]
fn the_builtin_sources_still_load_as_the_builtin() {
    let builtin = RulePack::try_builtin().unwrap();
    let from_const = RulePack::from_sources(BUILTIN_SOURCES).unwrap();
    // A copy of the sources (other addresses, same names and texts) is the same pack.
    let copied: Vec<(String, String)> = BUILTIN_SOURCES
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    let copied: Vec<(&str, &str)> = copied
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let from_copy = RulePack::from_sources(&copied).unwrap();
    for pack in [&from_const, &from_copy] {
        assert_eq!(pack.meta(), builtin.meta());
        assert_eq!(pack.meta().id, BUILTIN_ID);
        assert_eq!(pack.meta().version, "2026.11.1");
        assert!(pack.meta().digest.starts_with("sha256:"));
        assert_eq!(pack.rules().count(), builtin.rules().count());
    }
    assert_eq!(RulePack::builtin().meta(), builtin.meta());
    // Renaming the pack is enough to build on the built-in files.
    let pack_toml = own_pack_toml("test.local");
    let mut sources = BUILTIN_SOURCES.to_vec();
    sources[0] = ("pack.toml", &pack_toml);
    let renamed = RulePack::from_sources(&sources).unwrap();
    assert_eq!(renamed.meta().id, "test.local");
    assert_ne!(renamed.meta().digest, builtin.meta().digest);
}

/// The built-in `safety.toml` without the rule that sets the inpatient floor for suicide
/// risk (derived from the shipped file, so it follows the file as it changes).
fn safety_without_suicide_floor() -> String {
    let safety = BUILTIN_SOURCES
        .iter()
        .find(|(name, _)| *name == "safety.toml")
        .unwrap()
        .1;
    let blocks: Vec<&str> = safety.split("\n[[rule]]\n").collect();
    let kept: Vec<&str> = blocks
        .iter()
        .copied()
        .filter(|b| !b.starts_with("id = \"safety.suicide.intent_plan_or_behaviour\"\n"))
        .collect();
    assert_eq!(kept.len() + 1, blocks.len(), "exactly one rule removed");
    kept.join("\n[[rule]]\n")
}

#[test]
fn a_pack_without_the_suicide_floor_is_not_proved_while_the_builtin_is() {
    let builtin = RulePack::builtin().analyze();
    assert!(builtin.is_proved_safe(), "{builtin}");
    assert_eq!(builtin.problems(), 0);
    let without = safety_without_suicide_floor();

    // Under the built-in id it does not even load.
    assert_eq!(messages(&with_safety(&without).unwrap_err()), [RESERVED]);
    // Under its own id it loads, and the analysis refuses it.
    let pack_toml = own_pack_toml("test.no_suicide_floor");
    let citations = citations_of_safety(&without);
    let sources: Vec<(&str, &str)> = BUILTIN_SOURCES
        .iter()
        .map(|(name, text)| match *name {
            "pack.toml" => (*name, pack_toml.as_str()),
            "safety.toml" => (*name, without.as_str()),
            "citations.toml" => (*name, citations.as_str()),
            _ => (*name, *text),
        })
        .collect();
    let pack = RulePack::from_sources(&sources).unwrap();
    assert!(
        pack.rule("safety.suicide.intent_plan_or_behaviour")
            .is_none()
    );
    assert!(pack.rule("safety.suicide.method_without_intent").is_some());
    let verdict = pack.analyze();
    assert!(!verdict.is_proved_safe(), "{verdict}");
    assert!(verdict.problems() > 0);
    // Both suicide axes lose their floor.
    for axis in ["safety.suicidal_ideation", "safety.suicidal_behavior"] {
        assert!(
            verdict.gaps.iter().any(|g| g.answer == axis),
            "{axis}: {verdict}"
        );
    }
    // The same pack, the same verdict.
    assert_eq!(pack.clone().analyze(), verdict);
}

#[test]
fn no_duplicate_key_in_a_pack_passes() {
    // A key twice in one rule (the second `floor` would otherwise win), a rating declared
    // twice by key, and a programme table given twice: each refused by the TOML reader.
    let rule = always(
        "local.twice",
        "inpatient",
        "Needs 24-hour care.",
        "product default: t",
    );
    let twice = rule.replace(
        "floor = \"inpatient\"\n",
        "floor = \"inpatient\"\nfloor = \"outpatient\"\n",
    );
    let err = load(&twice).unwrap_err();
    assert!(err.to_string().contains("duplicate key"), "{err}");
    assert!(!err.to_string().contains("outpatient\""), "{err}");

    let inline = "[[rule]]\nid = \"local.inline\"\ncriterion = \"engagement\"\nwhen = { answer = \"age\", answered = true, answered = false }\nfloor = \"iop\"\nreason = \"r.\"\ncite = [{ source = \"carelevel-local-defaults\", locator = \"t\", fact = \"A rule written for a test.\", use = \"local_default\" }]\n";
    let err = load(inline).unwrap_err();
    assert!(err.to_string().contains("duplicate key"), "{err}");

    let programme = own_pack_toml("test.local").replacen(
        "[programme.iop]",
        "[programme.iop]\ndays_per_week = 5\n\n[programme.iop]",
        1,
    );
    let err = RulePack::from_sources(&[("pack.toml", &programme)]).unwrap_err();
    assert!(
        err.problems().iter().any(|p| p.file == "pack.toml"),
        "{err}"
    );
}
