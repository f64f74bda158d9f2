//! Golden scenarios: each `tests/scenarios/<group>.json` holds a named base intake (an
//! intake 2) and cases that each patch it, with the placement the built-in rule pack must give
//! the patched intake. Each expectation was derived by hand from `rules/`.
//!
//! A file is `{ "description", "base": { "name", "description", "intake" }, "cases": [...] }`.
//! A case is `{ "name", "description", "patch", "expect" }`: its intake is the base with
//! `patch` applied as a JSON merge patch (RFC 7396: objects merge key by key, `null` removes a
//! key, any other value, a list included, replaces). For example:
//!
//! ```json
//! {
//!   "name": "suicide_intent_without_plan_inpatient",
//!   "description": "Intent without plan: inpatient, urgent, same-day evaluation.",
//!   "patch": {"safety": {"suicidal_ideation": "intent_without_plan"}},
//!   "expect": {
//!     "level": "inpatient", "urgent": true,
//!     "binding_rules": ["safety.suicide.intent_plan_or_behaviour"],
//!     "referrals_include": ["same_day_evaluation"]
//!   }
//! }
//! ```
//!
//! Each intake is assessed through `RulePack::report` (so an intake missing required items, or
//! with one declined, gives a provisional report rather than an error). `expect` keys are all
//! optional except one of: `level` (a final result), `status: "provisional"` with
//! `level_at_least` and `level_at_most` (a provisional one), or `error_fields` (an intake that
//! must be refused):
//!
//! - `level`: the report is final (`status` `final`) and its `level` is this.
//! - `status`: `final` or `provisional`. A provisional case must also give both bounds and
//!   what to ask next (one of the three `ask_next` keys), and may not give `level` (a
//!   provisional report has none).
//! - `level_at_least`, `level_at_most`: the bounds, equal (for a final case, both are the
//!   level).
//! - `ask_next_first`: the first answer to ask; `ask_next_prefix`: the first answers, in
//!   order; `ask_next_include`: answers that must be among those to ask (any order). For
//!   example `"ask_next_prefix": ["withdrawal.ciwa_ar", "withdrawal.seizure_or_dt_history"]`.
//! - `strict_error_fields`: the strict `RulePack::assess` refuses the intake with problems at
//!   exactly these fields: for a provisional case each must be a missing item (the report
//!   itself is provisional); for a refused case, any problems (the strict assessment also
//!   names the missing items that the report's refusal leaves out). Without it, where the
//!   strict assessment accepts an intake it must agree with the report, and where it refuses
//!   one the report must be provisional.
//! - `urgent`: equal (and every report's `urgent` must be `urgency` above `routine`).
//! - `urgency`: the tier, `routine`, `same_day` or `emergency`.
//! - `binding_rules`, `fired`, `not_evaluated`: exact sets of rule ids.
//! - `fired_include` / `fired_exclude`, `not_evaluated_include` / `not_evaluated_exclude`,
//!   `services_include` / `services_exclude`, `referrals_include` / `referrals_exclude`:
//!   subset / disjoint checks.
//! - `setting`: the plan's setting within the level; `capabilities`: the exact set of
//!   capabilities the receiving programme needs.
//! - `schedule`: each field given must equal the plan's schedule.
//! - `conditional_level`: the report's first conditional level; `null` asserts there is none.
//! - `ruled_out`: level -> exact set of rule ids ruling it out (absent in the report = empty).
//! - `error_fields`: assessment must fail, and the problem fields must equal this set exactly
//!   (an `IntakeError::Json` counts as one problem at its path, and a missing
//!   `schema_version`, `IntakeError::Version`, as one at `schema_version`).
//! - `error_kinds`: field -> the kind of its problem, for some of `error_fields`: a
//!   `ProblemKind` as its JSON names it (`missing`, `out_of_range`, `conflict`,
//!   `below_supported_age`, ...), `parse` for an `IntakeError::Json`, `version` for an
//!   `IntakeError::Version`.
//! - `error_details`: field -> an object each of whose keys must equal that key of the
//!   field's problem as its JSON writes it (for `total_disagrees`: `given`, `sum`, `complete`,
//!   `items`).
//! - `scores`: the report's `scores`, exactly: one key per instrument the intake carries, its
//!   instrument's name (`phq9`, `gad7`, `cssrs`) or, for a substance entry's scale, its field
//!   (`substance_use[0].ciwa_ar`, `substance_use[1].cows`). Each value may assert `total`
//!   (`null`: no total, a partial instrument), `from` (`given`, `items`, `given_and_items`),
//!   `missing_items` (an exact set of paths) and `risk` (the C-SSRS screener's triage: `none`,
//!   `low`, `moderate`, `high`, or `null` when its answers leave it open). `{}` asserts only
//!   that the instrument is listed. For example
//!   `"scores": {"phq9": {"total": 17, "from": "items", "missing_items": []}}`.
//! - `cautions`: the exact set of the report's caution codes (`[]`: none), e.g.
//!   `["phq9_item9_positive_without_suicidal_ideation"]`.
//! - `same_report_as`: another case of the same file, also assessed, whose report this case's
//!   must equal in all but `scores` (level, urgency, every rule fired and not evaluated, with
//!   the answers it read, what is ruled out, the plan, the cautions): an instrument scored from
//!   its items places exactly as its total given would.
//! - `unread`: items of the intake (dotted paths, `substance_use[0].drinks_per_day` for an item
//!   of one entry) that no rule reads: each must be in the case's intake, and the report must
//!   be the same with all of them removed, but for `scores` and `cautions` (they describe the
//!   intake's instruments, not a rule's reading): where those change, the case must assert
//!   them (`scores`, `cautions`).
//!
//! Every report must also keep the status contract, whatever the case asserts: `level` is
//! present exactly when the result is final (and is then both bounds), the bounds are
//! ordered, a provisional result names something to ask, and "ask next" lists the `safety.`
//! items first, then other safety answers, then the rest, each within the bounds. A case
//! whose correct expectation a library defect breaks is listed in `KNOWN_GAPS` with the
//! failures expected and why, until the library is fixed.
//!
//! Every case whose intake is assessed must also survive JSON: `Intake::from_json` of its
//! `to_json` gives the same intake back. And the scenarios together must answer every item of
//! the intake (as its JSON Schema lists them) in some assessed case, and every item that takes
//! `declined` / `unable_to_assess` with each of the two.
//!
//! Unknown keys (in a file, a case or `expect`), unknown services/referrals/levels and unknown
//! rule ids are themselves failures, so a typo can never turn an expectation into one that
//! cannot fail; so is a `null` in a patch that removes nothing from the base, and a misspelt
//! intake key is an intake parse error. Every case of every file is run and every failure
//! reported together, each named `group/case`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

use carelevel::vocab::{Capability, CareSetting, Referral, Service};
use carelevel::{Intake, IntakeError, Level, Report, RulePack, Status, Urgency};
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::path::Path;

mod common;
use common::scenarios;

/// The fewest cases the scenario files must hold in all.
const MIN_SCENARIOS: usize = 30;

/// One case of a scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    description: String,
    /// A JSON merge patch of the file's base intake.
    patch: serde_json::Value,
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    level: Option<Level>,
    status: Option<Status>,
    level_at_least: Option<Level>,
    level_at_most: Option<Level>,
    ask_next_first: Option<String>,
    ask_next_prefix: Option<Vec<String>>,
    #[serde(default)]
    ask_next_include: Vec<String>,
    strict_error_fields: Option<Vec<String>>,
    urgent: Option<bool>,
    urgency: Option<Urgency>,
    binding_rules: Option<Vec<String>>,
    fired: Option<Vec<String>>,
    #[serde(default)]
    fired_include: Vec<String>,
    #[serde(default)]
    fired_exclude: Vec<String>,
    not_evaluated: Option<Vec<String>>,
    #[serde(default)]
    not_evaluated_include: Vec<String>,
    #[serde(default)]
    not_evaluated_exclude: Vec<String>,
    services_include: Option<Vec<Service>>,
    services_exclude: Option<Vec<Service>>,
    referrals_include: Option<Vec<Referral>>,
    referrals_exclude: Option<Vec<Referral>>,
    setting: Option<CareSetting>,
    capabilities: Option<Vec<Capability>>,
    schedule: Option<ScheduleExpect>,
    #[serde(default, deserialize_with = "present")]
    conditional_level: Option<Option<Level>>,
    ruled_out: Option<BTreeMap<String, Vec<String>>>,
    error_fields: Option<Vec<String>>,
    error_kinds: Option<BTreeMap<String, String>>,
    error_details: Option<BTreeMap<String, serde_json::Map<String, serde_json::Value>>>,
    scores: Option<BTreeMap<String, ScoreExpect>>,
    cautions: Option<Vec<String>>,
    same_report_as: Option<String>,
    unread: Option<Vec<String>>,
}

/// What one instrument of the report's `scores` must say (see `scores`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreExpect {
    #[serde(default, deserialize_with = "present")]
    total: Option<Option<u32>>,
    from: Option<String>,
    missing_items: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    risk: Option<Option<String>>,
}

/// The values of `scores.*.from`, `scores.*.risk` and the caution codes the report may give.
const FROM: &[&str] = &["given", "items", "given_and_items"];
const RISK: &[&str] = &["none", "low", "moderate", "high"];
const CAUTIONS: &[&str] = &[
    "phq9_item9_positive_without_suicidal_ideation",
    "cssrs_declined_above_a_yes",
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleExpect {
    days_per_week: Option<u32>,
    hours_per_day: Option<u32>,
    weekly_hours: Option<u32>,
    minimum_weekly_hours: Option<u32>,
    intensive: Option<bool>,
    evening: Option<bool>,
}

/// Distinguishes a key given as `null` (`Some(None)`) from an absent key (`None`, via
/// `#[serde(default)]`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The key `scores` gives an instrument of the report: its name, or for a substance entry's
/// scale its field.
fn score_key(instrument: &str, field: &str) -> String {
    if field.starts_with("substance_use[") {
        field.to_owned()
    } else {
        instrument.to_owned()
    }
}

/// Whether `key` can name an instrument in `scores`.
fn is_score_key(key: &str) -> bool {
    if ["phq9", "gad7", "cssrs"].contains(&key) {
        return true;
    }
    let Some(rest) = key.strip_prefix("substance_use[") else {
        return false;
    };
    let Some((index, scale)) = rest.split_once("].") else {
        return false;
    };
    !index.is_empty()
        && index.chars().all(|c| c.is_ascii_digit())
        && ["ciwa_ar", "cows"].contains(&scale)
}

/// Collects the mismatches of one scenario.
struct Check<'a> {
    pack: &'a RulePack,
    problems: Vec<String>,
}

impl Check<'_> {
    fn fail(&mut self, msg: String) {
        self.problems.push(msg);
    }

    /// Every rule id an expectation names must exist in the pack.
    fn known_rules(&mut self, key: &str, ids: &[String]) {
        for id in ids {
            if self.pack.rule(id).is_none() {
                self.fail(format!("`{key}` names unknown rule id `{id}`"));
            }
        }
    }

    fn eq<T: PartialEq + Debug>(&mut self, key: &str, expected: &T, actual: &T) {
        if expected != actual {
            self.fail(format!("{key}: expected {expected:?}, got {actual:?}"));
        }
    }

    fn exact_set<T: Ord + Clone + Debug>(&mut self, key: &str, expected: &[T], actual: &[T]) {
        let e: BTreeSet<T> = expected.iter().cloned().collect();
        let a: BTreeSet<T> = actual.iter().cloned().collect();
        if e.len() != expected.len() {
            self.fail(format!("`{key}` lists an item twice: {expected:?}"));
        }
        if e != a {
            let missing: Vec<&T> = e.difference(&a).collect();
            let extra: Vec<&T> = a.difference(&e).collect();
            self.fail(format!(
                "{key}: expected exactly {e:?}, got {a:?} (missing {missing:?}, unexpected {extra:?})"
            ));
        }
    }

    fn includes<T: PartialEq + Debug>(&mut self, key: &str, expected: &[T], actual: &[T]) {
        let missing: Vec<&T> = expected.iter().filter(|x| !actual.contains(x)).collect();
        if !missing.is_empty() {
            self.fail(format!("{key}: {missing:?} not present in {actual:?}"));
        }
    }

    fn excludes<T: PartialEq + Debug>(&mut self, key: &str, expected: &[T], actual: &[T]) {
        let present: Vec<&T> = expected.iter().filter(|x| actual.contains(x)).collect();
        if !present.is_empty() {
            self.fail(format!(
                "{key}: {present:?} must be absent but are in {actual:?}"
            ));
        }
    }
}

/// Checks the case's own shape: what every case must assert.
fn check_shape(s: &Case, c: &mut Check<'_>) {
    let e = &s.expect;
    if s.description.trim().is_empty() {
        c.fail("`description` is empty".into());
    }
    if e.error_kinds.is_some() && e.error_fields.is_none() {
        c.fail("`error_kinds` needs `error_fields`".into());
    }
    if e.error_details.is_some() && e.error_fields.is_none() {
        c.fail("`error_details` needs `error_fields`".into());
    }
    for (key, want) in e.scores.iter().flatten() {
        if !is_score_key(key) {
            c.fail(format!(
                "`scores` key `{key}` names no instrument: `phq9`, `gad7`, `cssrs`, or `substance_use[N].ciwa_ar` / `.cows`"
            ));
        }
        if let Some(from) = &want.from {
            if !FROM.contains(&from.as_str()) {
                c.fail(format!(
                    "`scores.{key}.from` `{from}` is not one of {FROM:?}"
                ));
            }
        }
        match &want.risk {
            Some(Some(risk)) if !RISK.contains(&risk.as_str()) => {
                c.fail(format!(
                    "`scores.{key}.risk` `{risk}` is not one of {RISK:?}"
                ));
            }
            Some(_) if key != "cssrs" => {
                c.fail(format!(
                    "`scores.{key}.risk`: only the C-SSRS screener has a risk"
                ));
            }
            _ => {}
        }
        if key == "cssrs" && matches!(want.total, Some(Some(_))) {
            c.fail("`scores.cssrs.total`: the C-SSRS screener has no total".into());
        }
    }
    for code in e.cautions.iter().flatten() {
        if !CAUTIONS.contains(&code.as_str()) {
            c.fail(format!("`cautions` names unknown code `{code}`"));
        }
    }
    if e.same_report_as.as_deref() == Some(s.name.as_str()) {
        c.fail("`same_report_as` names the case itself".into());
    }
    let provisional = e.status == Some(Status::Provisional);
    let bounds = e.level_at_least.is_some() || e.level_at_most.is_some();
    let ask_next =
        e.ask_next_first.is_some() || e.ask_next_prefix.is_some() || !e.ask_next_include.is_empty();
    if e.ask_next_prefix.as_ref().is_some_and(Vec::is_empty) {
        c.fail(
            "`ask_next_prefix` is empty: use `ask_next_first`, or list the first answers".into(),
        );
    }
    match (&e.level, &e.error_fields) {
        (Some(_), Some(_)) => c.fail("give `level` or `error_fields`, not both".into()),
        (None, None) if !provisional => c.fail(
            "give `level` (a final result), `status: provisional` with `level_at_least` and `level_at_most`, or `error_fields` (refused)".into(),
        ),
        (Some(_) | None, None) => {
            if e.binding_rules.is_none() {
                c.fail("a valid scenario must assert `binding_rules`".into());
            }
            let plan_items = e.services_include.is_some()
                || e.services_exclude.is_some()
                || e.referrals_include.is_some()
                || e.referrals_exclude.is_some()
                || e.setting.is_some()
                || e.capabilities.is_some()
                || e.schedule.is_some();
            if provisional {
                if e.level.is_some() {
                    c.fail("a provisional result has no `level`: assert `level_at_least` and `level_at_most`".into());
                }
                if e.level_at_least.is_none() || e.level_at_most.is_none() {
                    c.fail("a provisional scenario must assert `level_at_least` and `level_at_most`".into());
                }
                if !ask_next {
                    c.fail("a provisional scenario must assert what to ask next (`ask_next_first`, `ask_next_prefix` or `ask_next_include`)".into());
                }
            } else {
                if !plan_items {
                    c.fail("a valid scenario must assert at least one plan item (services, referrals or schedule)".into());
                }
                if e.strict_error_fields.is_some() {
                    c.fail("`strict_error_fields` needs a provisional result: a final one lacks no required item".into());
                }
            }
        }
        (None, Some(fields)) => {
            for field in e.error_kinds.iter().flat_map(BTreeMap::keys) {
                if !fields.contains(field) {
                    c.fail(format!(
                        "`error_kinds` names `{field}`, which `error_fields` does not list"
                    ));
                }
            }
            for field in e.error_details.iter().flat_map(BTreeMap::keys) {
                if !fields.contains(field) {
                    c.fail(format!(
                        "`error_details` names `{field}`, which `error_fields` does not list"
                    ));
                }
            }
            if e.unread.is_some() {
                c.fail("`unread` needs an assessed intake, not a refused one".into());
            }
            if fields.is_empty() {
                c.fail("`error_fields` is empty: a refused intake has at least one problem".into());
            }
            let report_keys = e.urgent.is_some()
                || e.urgency.is_some()
                || e.status.is_some()
                || bounds
                || ask_next
                || e.binding_rules.is_some()
                || e.fired.is_some()
                || !e.fired_include.is_empty()
                || !e.fired_exclude.is_empty()
                || e.not_evaluated.is_some()
                || !e.not_evaluated_include.is_empty()
                || !e.not_evaluated_exclude.is_empty()
                || e.services_include.is_some()
                || e.services_exclude.is_some()
                || e.referrals_include.is_some()
                || e.referrals_exclude.is_some()
                || e.setting.is_some()
                || e.capabilities.is_some()
                || e.schedule.is_some()
                || e.conditional_level.is_some()
                || e.ruled_out.is_some()
                || e.scores.is_some()
                || e.cautions.is_some()
                || e.same_report_as.is_some();
            if report_keys {
                c.fail(
                    "a refused intake has no report: only `error_fields` may be asserted".into(),
                );
            }
        }
    }
    c.known_rules(
        "binding_rules",
        e.binding_rules.as_deref().unwrap_or_default(),
    );
    c.known_rules("fired", e.fired.as_deref().unwrap_or_default());
    c.known_rules("fired_include", &e.fired_include);
    c.known_rules("fired_exclude", &e.fired_exclude);
    c.known_rules(
        "not_evaluated",
        e.not_evaluated.as_deref().unwrap_or_default(),
    );
    c.known_rules("not_evaluated_include", &e.not_evaluated_include);
    c.known_rules("not_evaluated_exclude", &e.not_evaluated_exclude);
    for ids in e.ruled_out.iter().flat_map(BTreeMap::values) {
        c.known_rules("ruled_out", ids);
    }
}

fn check_report(e: &Expect, r: &Report, c: &mut Check<'_>) {
    if let Some(level) = e.level {
        // A level is a final result's: a provisional one has none to compare.
        c.eq("level", &Some(level), &r.level);
        c.eq(
            "status (a case giving `level` is final)",
            &Status::Final,
            &r.status,
        );
    }
    if let Some(status) = e.status {
        c.eq("status", &status, &r.status);
    }
    if let Some(lower) = e.level_at_least {
        c.eq("level_at_least", &lower, &r.level_at_least);
    }
    if let Some(upper) = e.level_at_most {
        c.eq("level_at_most", &upper, &r.level_at_most);
    }
    check_contract(r, c);
    let asked: Vec<String> = r.ask_next.iter().map(|a| a.answer.clone()).collect();
    if let Some(first) = &e.ask_next_first {
        c.eq("ask_next_first", &Some(first), &asked.first());
    }
    if let Some(prefix) = &e.ask_next_prefix {
        let have: Vec<String> = asked.iter().take(prefix.len()).cloned().collect();
        if &have != prefix {
            c.fail(format!(
                "ask_next_prefix: expected the first answers to ask to be {prefix:?}, got {asked:?}"
            ));
        }
    }
    c.includes("ask_next_include", &e.ask_next_include, &asked);
    c.eq(
        "plan.level (must equal level_at_least)",
        &r.level_at_least,
        &r.plan.level,
    );
    if let Some(urgent) = e.urgent {
        c.eq("urgent", &urgent, &r.urgent);
    }
    if let Some(urgency) = e.urgency {
        c.eq("urgency", &urgency, &r.urgency);
    }
    c.eq(
        "urgent (must be urgency above routine)",
        &(r.urgency > Urgency::Routine),
        &r.urgent,
    );
    let fired: Vec<String> = r.fired.iter().map(|f| f.id.clone()).collect();
    let not_evaluated: Vec<String> = r.not_evaluated.iter().map(|n| n.id.clone()).collect();
    if let Some(binding) = &e.binding_rules {
        c.exact_set("binding_rules", binding, &r.binding_rules);
    }
    if let Some(exact) = &e.fired {
        c.exact_set("fired", exact, &fired);
    }
    c.includes("fired_include", &e.fired_include, &fired);
    c.excludes("fired_exclude", &e.fired_exclude, &fired);
    if let Some(exact) = &e.not_evaluated {
        c.exact_set("not_evaluated", exact, &not_evaluated);
    }
    c.includes(
        "not_evaluated_include",
        &e.not_evaluated_include,
        &not_evaluated,
    );
    c.excludes(
        "not_evaluated_exclude",
        &e.not_evaluated_exclude,
        &not_evaluated,
    );

    let services: Vec<Service> = r.plan.services.iter().map(|s| s.service).collect();
    let referrals: Vec<Referral> = r.plan.referrals.iter().map(|s| s.referral).collect();
    if let Some(setting) = e.setting {
        c.eq("setting", &setting, &r.plan.setting.setting);
    }
    if let Some(list) = &e.capabilities {
        let got: BTreeSet<Capability> = r.plan.capabilities.iter().map(|c| c.capability).collect();
        let want: BTreeSet<Capability> = list.iter().copied().collect();
        c.eq("capabilities", &want, &got);
    }
    if let Some(list) = &e.services_include {
        c.includes("services_include", list, &services);
    }
    if let Some(list) = &e.services_exclude {
        c.excludes("services_exclude", list, &services);
    }
    if let Some(list) = &e.referrals_include {
        c.includes("referrals_include", list, &referrals);
    }
    if let Some(list) = &e.referrals_exclude {
        c.excludes("referrals_exclude", list, &referrals);
    }

    if let Some(s) = &e.schedule {
        let got = &r.plan.schedule;
        let fields = [
            ("schedule.days_per_week", s.days_per_week, got.days_per_week),
            ("schedule.hours_per_day", s.hours_per_day, got.hours_per_day),
            ("schedule.weekly_hours", s.weekly_hours, got.weekly_hours),
            (
                "schedule.minimum_weekly_hours",
                s.minimum_weekly_hours,
                got.minimum_weekly_hours,
            ),
        ];
        for (key, want, have) in fields {
            if let Some(want) = want {
                c.eq(key, &want, &have);
            }
        }
        if let Some(want) = s.intensive {
            c.eq("schedule.intensive", &want, &got.intensive);
        }
        if let Some(want) = s.evening {
            c.eq("schedule.evening", &want, &got.evening);
        }
    }

    if let Some(want) = &e.conditional_level {
        let have = r.conditional.first().map(|x| x.level);
        c.eq("conditional_level", want, &have);
    }

    if let Some(map) = &e.ruled_out {
        for (name, ids) in map {
            let Ok(level) = name.parse::<Level>() else {
                c.fail(format!("`ruled_out` key `{name}` is not a level"));
                continue;
            };
            let have: Vec<String> = r
                .ruled_out
                .iter()
                .find(|x| x.level == level)
                .map(|x| x.by.clone())
                .unwrap_or_default();
            c.exact_set(&format!("ruled_out.{level}"), ids, &have);
        }
    }

    if let Some(want) = &e.scores {
        check_scores(want, r, c);
    }
    if let Some(want) = &e.cautions {
        let have: Vec<String> = r.cautions.iter().map(|x| x.code.clone()).collect();
        c.exact_set("cautions", want, &have);
    }
}

/// What every report must say of its status, whatever the case asserts: `level` is there
/// exactly when the result is final (then both bounds are it), the bounds are ordered, a
/// provisional result names something to ask, and "ask next" puts the safety items first
/// (the `safety.` items, then other safety answers), each within the bounds.
fn check_contract(r: &Report, c: &mut Check<'_>) {
    match r.status {
        Status::Final => {
            c.eq("level of a final result", &Some(r.level_at_least), &r.level);
            c.eq(
                "level_at_most of a final result",
                &r.level_at_least,
                &r.level_at_most,
            );
        }
        Status::Provisional => {
            c.eq("level of a provisional result", &None, &r.level);
            if r.level_at_most < r.level_at_least {
                c.fail(format!(
                    "the bounds are reversed: at least {}, at most {}",
                    r.level_at_least, r.level_at_most
                ));
            }
            if r.ask_next.is_empty() {
                c.fail("a provisional result with nothing to ask next".into());
            }
        }
    }
    let tier = |a: &carelevel::AskNext| {
        if a.answer.starts_with("safety.") {
            0
        } else if a.safety {
            1
        } else {
            2
        }
    };
    let tiers: Vec<u8> = r.ask_next.iter().map(tier).collect();
    if tiers.windows(2).any(|w| w[0] > w[1]) {
        let asked: Vec<(&str, bool)> = r
            .ask_next
            .iter()
            .map(|a| (a.answer.as_str(), a.safety))
            .collect();
        c.fail(format!("ask_next does not put safety first: {asked:?}"));
    }
    for a in &r.ask_next {
        if a.could_reach < r.level_at_least || a.could_reach > r.level_at_most {
            c.fail(format!(
                "ask_next: `{}` could reach {}, outside the bounds {} to {}",
                a.answer, a.could_reach, r.level_at_least, r.level_at_most
            ));
        }
        c.known_rules(
            &format!("ask_next.{}.rules (the report's)", a.answer),
            &a.rules,
        );
    }
}

/// The report's `scores`, exactly as `scores` lists them.
fn check_scores(want: &BTreeMap<String, ScoreExpect>, r: &Report, c: &mut Check<'_>) {
    let keys: Vec<String> = r
        .scores
        .iter()
        .map(|s| score_key(&s.instrument, &s.field))
        .collect();
    let want_keys: Vec<String> = want.keys().cloned().collect();
    c.exact_set("scores (instruments)", &want_keys, &keys);
    for (key, w) in want {
        let Some(s) = r
            .scores
            .iter()
            .find(|s| &score_key(&s.instrument, &s.field) == key)
        else {
            continue;
        };
        if let Some(total) = &w.total {
            c.eq(&format!("scores.{key}.total"), total, &s.total);
        }
        if let Some(from) = &w.from {
            c.eq(&format!("scores.{key}.from"), from, &s.from);
        }
        if let Some(missing) = &w.missing_items {
            c.exact_set(
                &format!("scores.{key}.missing_items"),
                missing,
                &s.missing_items,
            );
        }
        if let Some(risk) = &w.risk {
            c.eq(&format!("scores.{key}.risk"), risk, &s.risk);
        }
    }
}

/// Each problem of a refused intake: its field and its kind (see `error_kinds`).
fn problems_of(err: &IntakeError) -> Vec<(String, String)> {
    match err {
        IntakeError::Json { path, .. } => vec![(path.clone(), "parse".to_owned())],
        IntakeError::Version => vec![("schema_version".to_owned(), "version".to_owned())],
        other => other
            .problems()
            .iter()
            .map(|p| {
                let kind = serde_json::to_value(&p.kind).unwrap()["problem_kind"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                (p.field.clone(), kind)
            })
            .collect(),
    }
}

fn check_error(e: &Expect, err: &IntakeError, c: &mut Check<'_>) {
    let expected = e.error_fields.as_deref().unwrap_or_default();
    let problems = problems_of(err);
    for (field, want) in e.error_details.iter().flatten() {
        let kinds: Vec<serde_json::Value> = err
            .problems()
            .iter()
            .filter(|p| &p.field == field)
            .map(|p| serde_json::to_value(&p.kind).unwrap())
            .collect();
        let fits = kinds
            .iter()
            .any(|k| want.iter().all(|(key, value)| k.get(key) == Some(value)));
        if !fits {
            c.fail(format!(
                "error_details: no problem at `{field}` has {want:?}; its problems: {kinds:?} ({err})"
            ));
        }
    }
    for (field, kind) in e.error_kinds.iter().flatten() {
        let have: Vec<&str> = problems
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, k)| k.as_str())
            .collect();
        if !have.contains(&kind.as_str()) {
            c.fail(format!(
                "error_kinds: `{field}` expected a `{kind}` problem, got {have:?} ({err})"
            ));
        }
    }
    let fields: Vec<String> = problems.into_iter().map(|(f, _)| f).collect();
    if fields.is_empty() {
        c.fail(format!(
            "expected problems {expected:?}, got an error with none: {err}"
        ));
        return;
    }
    let mut want = expected.to_vec();
    let mut have = fields;
    want.sort();
    have.sort();
    if want != have {
        c.fail(format!(
            "error_fields: expected {want:?}, got {have:?} ({err})"
        ));
    }
}

/// Runs one case; returns its mismatches, and its report when it was assessed.
fn run_case(
    pack: &RulePack,
    base: &serde_json::Value,
    case: &Case,
) -> (Vec<String>, Option<Report>) {
    let mut c = Check {
        pack,
        problems: Vec::new(),
    };
    if !case.patch.is_object() {
        c.fail("`patch` must be an object: a JSON merge patch of the base intake".into());
    }
    let mut idle = Vec::new();
    scenarios::idle_removals(base, &case.patch, "", &mut idle);
    for path in idle {
        c.fail(format!(
            "`patch` removes `{path}` (`null`), which the base intake does not have"
        ));
    }
    check_shape(case, &mut c);
    if !c.problems.is_empty() {
        return (c.problems, None);
    }
    let mut intake = base.clone();
    scenarios::merge_patch(&mut intake, &case.patch);
    let e = &case.expect;
    let outcome = Intake::from_json(&intake.to_string()).and_then(|i| {
        let report = pack.report(&i)?;
        Ok((i, report))
    });
    let mut assessed = None;
    match (outcome, &e.error_fields) {
        (Ok((read, report)), None) => {
            check_report(e, &report, &mut c);
            check_strict(pack, &read, &report, e.strict_error_fields.as_deref(), &mut c);
            check_round_trip(&read, &mut c);
            if let Some(paths) = &e.unread {
                check_unread(pack, &intake, paths, &report, e, &mut c);
            }
            assessed = Some(report);
        }
        (Err(err), Some(_)) => {
            check_error(e, &err, &mut c);
            if let Some(fields) = &e.strict_error_fields {
                check_strict_refusal(pack, &intake, fields, &mut c);
            }
        }
        (Ok((_, report)), Some(fields)) => c.fail(format!(
            "expected the intake to be refused with problems in {fields:?}, but it was assessed: {:?}, at least `{}`, at most `{}`",
            report.status, report.level_at_least, report.level_at_most
        )),
        (Err(err), None) => c.fail(format!("expected an assessment, but the intake was refused: {err}")),
    }
    (c.problems, assessed)
}

/// The strict assessment (`RulePack::assess`) of an intake the report assessed: with
/// `strict_error_fields`, it must refuse it, each problem a missing item, at exactly those
/// fields; without, where it accepts the intake it must agree with the report (the same
/// level, bounds and status), and where it refuses it the report must be provisional.
fn check_strict(
    pack: &RulePack,
    intake: &Intake,
    report: &Report,
    want: Option<&[String]>,
    c: &mut Check<'_>,
) {
    match (pack.assess(intake), want) {
        (Err(err), Some(fields)) => {
            let problems = problems_of(&err);
            let mut have: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
            let mut want: Vec<&str> = fields.iter().map(String::as_str).collect();
            have.sort_unstable();
            want.sort_unstable();
            if have != want {
                c.fail(format!(
                    "strict_error_fields: the strict assessment refused {have:?}, expected {want:?} ({err})"
                ));
            }
            for (field, kind) in &problems {
                if kind != "missing" {
                    c.fail(format!(
                        "strict_error_fields: `{field}` is a `{kind}` problem, not a missing item: the report should have refused it too"
                    ));
                }
            }
        }
        (Ok(rec), Some(fields)) => c.fail(format!(
            "strict_error_fields: expected the strict assessment to refuse {fields:?}, but it placed the person at least at {}",
            rec.level()
        )),
        (Ok(rec), None) => {
            let strict = (rec.status(), rec.level(), rec.level_at_most());
            let partial = (report.status, report.level_at_least, report.level_at_most);
            c.eq("the strict assessment (status, level, at most)", &partial, &strict);
        }
        (Err(err), None) => {
            if report.status != Status::Provisional {
                c.fail(format!(
                    "the strict assessment refused a final result: {err}"
                ));
            }
        }
    }
}

/// `strict_error_fields` of an intake the report refuses too: the strict assessment of the
/// intake (which must read) refuses it with problems at exactly those fields, of any kind.
fn check_strict_refusal(
    pack: &RulePack,
    intake: &serde_json::Value,
    fields: &[String],
    c: &mut Check<'_>,
) {
    let read = match Intake::from_json(&intake.to_string()) {
        Ok(read) => read,
        Err(err) => {
            c.fail(format!(
                "strict_error_fields: the intake does not read, so nothing is assessed: {err}"
            ));
            return;
        }
    };
    match pack.assess(&read) {
        Ok(rec) => c.fail(format!(
            "strict_error_fields: the strict assessment placed the person at least at {}",
            rec.level()
        )),
        Err(err) => {
            let mut have: Vec<String> = problems_of(&err).into_iter().map(|(f, _)| f).collect();
            let mut want = fields.to_vec();
            have.sort();
            want.sort();
            if have != want {
                c.fail(format!(
                    "strict_error_fields: the strict assessment refused {have:?}, expected {want:?} ({err})"
                ));
            }
        }
    }
}

/// The report without `scores`: what places the person, and the cautions.
fn placement(r: &Report) -> Report {
    let mut r = r.clone();
    r.scores.clear();
    r
}

/// An assessed intake survives JSON: what `to_json` writes reads back to the same intake.
fn check_round_trip(read: &Intake, c: &mut Check<'_>) {
    match read.to_json().map(|json| Intake::from_json(&json)) {
        Ok(Ok(back)) if &back == read => {}
        Ok(Ok(back)) => c.fail(format!(
            "the intake does not survive JSON: `to_json` then `from_json` gives {back:?}, not {read:?}"
        )),
        Ok(Err(e)) => c.fail(format!("`to_json`'s output does not read back: {e}")),
        Err(e) => c.fail(format!("`to_json` failed: {e}")),
    }
}

/// The report with the `unread` items removed from the intake; `Err` says why there is none.
fn report_without(
    pack: &RulePack,
    intake: &serde_json::Value,
    paths: &[&str],
) -> Result<Report, String> {
    let mut without = intake.clone();
    for path in paths {
        if !scenarios::remove_path(&mut without, path) {
            return Err(format!(
                "`unread` names `{path}`, which the intake does not answer"
            ));
        }
    }
    Intake::from_json(&without.to_string())
        .and_then(|i| pack.report(&i))
        .map_err(|err| format!("without {paths:?} the intake is refused: {err}"))
}

/// The report without `scores` and `cautions`: what the rules read and decided.
fn rules_part(r: &Report) -> Report {
    let mut r = placement(r);
    r.cautions.clear();
    r
}

/// No rule reads the `unread` items: the report is the same without them, but for `scores`
/// and `cautions`, which the case must assert where they change (and, when it is not, each
/// item that alone changes it is named).
fn check_unread(
    pack: &RulePack,
    intake: &serde_json::Value,
    paths: &[String],
    report: &Report,
    e: &Expect,
    c: &mut Check<'_>,
) {
    if paths.is_empty() {
        c.fail("`unread` is empty".into());
        return;
    }
    let all: Vec<&str> = paths.iter().map(String::as_str).collect();
    match report_without(pack, intake, &all) {
        Ok(r) if rules_part(&r) == rules_part(report) => {
            if r.scores != report.scores && e.scores.is_none() {
                c.fail(format!(
                    "unread: without {all:?} the report's `scores` change: assert them (`scores`)"
                ));
            }
            if r.cautions != report.cautions && e.cautions.is_none() {
                c.fail(format!(
                    "unread: without {all:?} the report's `cautions` change: assert them (`cautions`)"
                ));
            }
        }
        Ok(_) => {
            let read: Vec<&str> = all
                .iter()
                .copied()
                .filter(|p| {
                    report_without(pack, intake, &[p])
                        .is_ok_and(|r| rules_part(&r) != rules_part(report))
                })
                .collect();
            c.fail(format!(
                "unread: the report changes without {all:?}; read by a rule, alone: {read:?}"
            ));
        }
        Err(msg) => c.fail(format!("unread: {msg}")),
    }
}

/// Whether a case name is usable in `group/case`: lower-case letters, digits and `_`.
fn is_case_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
}

/// Runs every case of one scenario file; returns how many cases it holds and its failures,
/// each prefixed with `group/case` (or `group` for the file itself).
fn run_file(pack: &RulePack, group: &str, path: &Path) -> (usize, Vec<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return (0, vec![format!("{group}: cannot read: {e}")]),
    };
    let file: scenarios::Group = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => return (0, vec![format!("{group}: not a valid scenario file: {e}")]),
    };
    let mut failures = Vec::new();
    if file.description.trim().is_empty() {
        failures.push(format!("{group}: `description` is empty"));
    }
    let base = &file.base;
    if !is_case_name(&base.name) || base.description.trim().is_empty() {
        failures.push(format!(
            "{group}: the base needs a name (lower-case letters, digits, `_`) and a description"
        ));
    }
    if !base.intake.is_object() {
        failures.push(format!(
            "{group}: base `{}`: `intake` must be an object",
            base.name
        ));
    } else if let Err(e) = Intake::from_json(&base.intake.to_string()) {
        failures.push(format!(
            "{group}: base `{}` is not an intake: {e}",
            base.name
        ));
    }
    if file.cases.is_empty() {
        failures.push(format!("{group}: no cases"));
    }
    let mut names = BTreeSet::new();
    let mut reports: BTreeMap<String, Option<Report>> = BTreeMap::new();
    let mut twins: Vec<(String, String)> = Vec::new();
    for (n, value) in file.cases.iter().enumerate() {
        let label = value
            .get("name")
            .and_then(serde_json::Value::as_str)
            .map_or_else(|| format!("#{}", n + 1), str::to_owned);
        let case: Case = match serde_json::from_value(value.clone()) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{group}/{label}: not a valid case: {e}"));
                continue;
            }
        };
        if !is_case_name(&case.name) {
            failures.push(format!(
                "{group}/{label}: a case name is lower-case letters, digits and `_`"
            ));
        }
        if !names.insert(case.name.clone()) {
            failures.push(format!("{group}/{label}: a second case of this name"));
        }
        let (problems, report) = run_case(pack, &base.intake, &case);
        for problem in problems {
            failures.push(format!("{group}/{label}: {problem}"));
        }
        if let Some(twin) = &case.expect.same_report_as {
            twins.push((case.name.clone(), twin.clone()));
        }
        reports.insert(case.name.clone(), report);
    }
    // Each `same_report_as`: the two reports, but for `scores`, are equal.
    for (name, twin) in twins {
        let (Some(Some(mine)), Some(theirs)) = (reports.get(&name), reports.get(&twin)) else {
            if !reports.contains_key(&twin) {
                failures.push(format!(
                    "{group}/{name}: `same_report_as` names `{twin}`, no case of this file"
                ));
            }
            continue;
        };
        match theirs {
            None => failures.push(format!(
                "{group}/{name}: `same_report_as` names `{twin}`, which has no report (it is refused, or its own expectations are malformed)"
            )),
            Some(theirs) if placement(mine) != placement(theirs) => {
                let (a, b) = (
                    serde_json::to_value(placement(mine)).unwrap(),
                    serde_json::to_value(placement(theirs)).unwrap(),
                );
                let differ: Vec<&String> = a
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                    .map(|(k, _)| k)
                    .collect();
                failures.push(format!(
                    "{group}/{name}: the report differs from `{twin}`'s (`same_report_as`) in {differ:?}"
                ));
            }
            Some(_) => {}
        }
    }
    (file.cases.len(), failures)
}

/// Library defects a case's (correct) expectation exposes, each `(group/case, the starts of
/// the failures it gives, why)`: the failures are expected until the library is fixed, and
/// once one no longer occurs its entry itself fails, so it is removed and the case holds for
/// good. Never a way to accept a wrong result: each names what the library must change.
const KNOWN_GAPS: &[(&str, &[&str], &str)] = &[];

/// Takes each known gap's failures out of `failures`; a gap that no longer fails is a failure.
fn expect_known_gaps(failures: &mut Vec<String>) {
    for (case, starts, why) in KNOWN_GAPS {
        for start in *starts {
            let prefix = format!("{case}: {start}");
            let before = failures.len();
            failures.retain(|f| !f.starts_with(&prefix));
            if failures.len() == before {
                failures.push(format!(
                    "KNOWN_GAPS: `{case}` no longer fails with `{start}` ({why}): the library is fixed; remove it"
                ));
            }
        }
    }
}

#[test]
fn golden_scenarios() {
    let dir = scenarios::dir();
    let pack = RulePack::builtin();
    assert!(
        pack.rules().count() > 0,
        "the built-in rule pack did not load"
    );

    let mut failures: Vec<String> = Vec::new();
    let (mut files, mut count) = (0usize, 0usize);
    for path in scenarios::paths() {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if path.extension().is_none_or(|x| x != "json") || !path.is_file() {
            failures.push(format!(
                "{name}: not a `.json` scenario file; only scenario files belong in {}",
                dir.display()
            ));
            continue;
        }
        let group = name.trim_end_matches(".json");
        let (cases, problems) = run_file(&pack, group, &path);
        files += 1;
        count += cases;
        failures.extend(problems);
    }

    assert!(
        count >= MIN_SCENARIOS,
        "{} holds {count} cases, expected at least {MIN_SCENARIOS}",
        dir.display()
    );
    expect_known_gaps(&mut failures);
    assert!(
        failures.is_empty(),
        "{} failed expectation(s) across {count} cases in {files} files:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// Every required item (those an empty intake lacks, and `history.progress`, required in
/// treatment) is, alone, what the strict assessment refuses in some provisional case: the
/// strict `RulePack::assess` still refuses an intake missing any one of them, and the case
/// gives the provisional bounds with it missing.
#[test]
fn each_required_item_missing_alone_is_refused_strictly_and_provisional_otherwise() {
    let mut required: Vec<String> = Intake::default()
        .missing_required()
        .into_iter()
        .map(str::to_owned)
        .collect();
    required.push("history.progress".to_owned());
    let mut alone = BTreeSet::new();
    for path in scenarios::paths() {
        let text = std::fs::read_to_string(&path).unwrap();
        let group: scenarios::Group = serde_json::from_str(&text).unwrap();
        for case in group.cases {
            let case: Case = serde_json::from_value(case).unwrap();
            let e = &case.expect;
            if e.status != Some(Status::Provisional) {
                continue;
            }
            if let Some([only]) = e.strict_error_fields.as_deref() {
                alone.insert(only.clone());
            }
        }
    }
    let uncovered: Vec<&String> = required.iter().filter(|r| !alone.contains(*r)).collect();
    assert!(
        uncovered.is_empty(),
        "no provisional case has the strict assessment refuse only these: {uncovered:?}"
    );
}

/// Items no scenario needs to answer: `ratings` are a pack's own (the built-in pack declares
/// none, so any rating is refused).
const NOT_ANSWERED: &[&str] = &["ratings"];

/// Together the scenarios read every item of the intake: each item its JSON Schema lists is
/// answered in some case that is assessed, and each item that takes `declined` and
/// `unable_to_assess` is given each of the two in some assessed case.
#[test]
fn scenarios_answer_every_item_of_the_intake() {
    let pack = RulePack::builtin();
    let mut answered = BTreeMap::new();
    let mut assessed = 0;
    for (_, intake) in scenarios::intakes() {
        let ok = Intake::from_json(&intake.to_string()).is_ok_and(|i| pack.report(&i).is_ok());
        if ok {
            assessed += 1;
            common::items::answered(&intake, "", &mut answered);
        }
    }
    assert!(assessed >= MIN_SCENARIOS, "{assessed} assessed cases");
    let items = common::items::schema_items();
    assert!(
        items
            .iter()
            .any(|i| i.path == "substance_use.ciwa_ar" && !i.group)
            && items
                .iter()
                .any(|i| i.path == "safety.suicidal_ideation" && i.declinable),
        "the schema walk finds the items: {items:?}"
    );
    let mut unanswered = Vec::new();
    let mut not_declined = Vec::new();
    for item in &items {
        if item.group || NOT_ANSWERED.contains(&item.path.as_str()) {
            continue;
        }
        let Some(values) = answered.get(&item.path) else {
            unanswered.push(item.path.as_str());
            continue;
        };
        if item.declinable {
            for reason in ["\"declined\"", "\"unable_to_assess\""] {
                if !values.contains(reason) {
                    not_declined.push(format!("{} as {reason}", item.path));
                }
            }
        }
    }
    assert!(
        unanswered.is_empty(),
        "no assessed scenario answers these items: {unanswered:?}"
    );
    assert!(
        not_declined.is_empty(),
        "no assessed scenario gives these safety answers: {not_declined:?}"
    );
}

/// The merge patch is RFC 7396's: its appendix A, every example.
#[test]
fn merge_patch_follows_rfc_7396() {
    use serde_json::json;
    let examples = [
        (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
        (
            json!({"a": "b"}),
            json!({"b": "c"}),
            json!({"a": "b", "b": "c"}),
        ),
        (json!({"a": "b"}), json!({"a": null}), json!({})),
        (
            json!({"a": "b", "b": "c"}),
            json!({"a": null}),
            json!({"b": "c"}),
        ),
        (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
        (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
        (
            json!({"a": {"b": "c"}}),
            json!({"a": {"b": "d", "c": null}}),
            json!({"a": {"b": "d"}}),
        ),
        (
            json!({"a": [{"b": "c"}]}),
            json!({"a": [1]}),
            json!({"a": [1]}),
        ),
        (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
        (json!({"a": "b"}), json!(["c"]), json!(["c"])),
        (json!({"a": "foo"}), json!(null), json!(null)),
        (json!({"a": "foo"}), json!("bar"), json!("bar")),
        (
            json!({"e": null}),
            json!({"a": 1}),
            json!({"e": null, "a": 1}),
        ),
        (
            json!([1, 2]),
            json!({"a": "b", "c": null}),
            json!({"a": "b"}),
        ),
        (
            json!({}),
            json!({"a": {"bb": {"ccc": null}}}),
            json!({"a": {"bb": {}}}),
        ),
    ];
    for (target, patch, want) in examples {
        let mut got = target.clone();
        scenarios::merge_patch(&mut got, &patch);
        assert_eq!(got, want, "{target} patched with {patch}");
    }
    // A removal that removes nothing is reported, nested or not.
    let mut idle = Vec::new();
    scenarios::idle_removals(
        &json!({"severity": {"phq9": 4}}),
        &json!({"severity": {"phq_9": null, "phq9": null}, "agee": null, "home": {"safe": null}}),
        "",
        &mut idle,
    );
    idle.sort();
    assert_eq!(idle, ["agee", "home.safe", "severity.phq_9"]);
}
