//! A reference implementation: a small, deliberately naive evaluator written here from the
//! documented semantics, sharing nothing with `src/engine.rs` or `src/answer.rs`. It reads the
//! rule TOML itself (with the `toml` crate) into its own simple structures, computes every
//! answer straight from the intake's fields (a `declined` or `unable_to_assess` safety item
//! is unknown; a withdrawal scale for a person who uses no substance it measures is not
//! applicable: answered, and no test of its value holds), and applies three-valued logic
//! without any short-circuit. The instruments given item by item (PHQ-9, GAD-7, CIWA-Ar,
//! COWS, the C-SSRS screener) it scores itself, from the intake's JSON by item name, with its
//! own item lists and scales: it never calls the library's scoring. The engine must agree with it on the level, urgency, binding rules, fired
//! rules and not-evaluated rules, and on whether an intake is refused, for every bundled
//! intake, every scenario case and a large generated set, for the built-in pack and for a
//! custom pack with ratings, scores and every kind of condition.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code may fail loudly

mod common;

use carelevel::intake::{
    ArrangedHousing, Assessed, AudMedication, Intake, OudMedication, Setting, Substance,
    SubstanceUse,
};
use carelevel::{BUILTIN_SOURCES, RulePack};
#[cfg(feature = "proptest")]
use proptest::prelude::*;
#[cfg(feature = "proptest")]
use std::collections::BTreeMap;
use std::path::Path;

// ---------------------------------------------------------------------------------------
// The reference pack: rules, ratings and scores, as plain data.
// ---------------------------------------------------------------------------------------

const LEVELS: [&str; 4] = ["outpatient", "iop", "php", "inpatient"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Truth {
    Yes,
    No,
    Unknown,
}

#[derive(Debug)]
enum Test {
    Is(toml::Value),
    In(Vec<toml::Value>),
    Between(Option<toml::Value>, Option<toml::Value>),
    Answered(bool),
}

#[derive(Debug)]
enum Condition {
    Test(String, Test),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    AnyGiven(Vec<Condition>),
    Not(Box<Condition>),
    AtLeastN(usize, Vec<Condition>),
}

/// The urgency tiers, least urgent first.
const URGENCY: [&str; 3] = ["routine", "same_day", "emergency"];

#[derive(Debug)]
struct RefRule {
    id: String,
    floor: Option<usize>,
    /// Index into `URGENCY` (0 routine).
    urgency: usize,
    when: Condition,
}

#[derive(Debug)]
struct RefRating {
    id: String,
    min: u32,
    max: u32,
    required: bool,
}

#[derive(Debug)]
struct RefScore {
    id: String,
    sum: bool,
    of: Vec<String>,
}

#[derive(Debug, Default)]
struct RefPack {
    rules: Vec<RefRule>,
    ratings: Vec<RefRating>,
    scores: Vec<RefScore>,
    /// The youngest age the pack supports (`[pack] min_age`).
    min_age: Option<i64>,
}

fn condition(v: &toml::Value) -> Condition {
    let t = v.as_table().expect("a condition is a table");
    let list = |key: &str| -> Vec<Condition> {
        t[key]
            .as_array()
            .expect("a list")
            .iter()
            .map(condition)
            .collect()
    };
    if let Some(answer) = t.get("answer") {
        let name = answer.as_str().unwrap().to_owned();
        let test = if let Some(k) = t.get("is") {
            Test::Is(k.clone())
        } else if let Some(k) = t.get("in") {
            Test::In(k.as_array().unwrap().clone())
        } else if let Some(b) = t.get("answered") {
            Test::Answered(b.as_bool().unwrap())
        } else {
            Test::Between(t.get("at_least").cloned(), t.get("at_most").cloned())
        };
        Condition::Test(name, test)
    } else if t.contains_key("all") {
        Condition::All(list("all"))
    } else if t.contains_key("any") {
        Condition::Any(list("any"))
    } else if t.contains_key("any_given") {
        Condition::AnyGiven(list("any_given"))
    } else if let Some(inner) = t.get("not") {
        Condition::Not(Box::new(condition(inner)))
    } else {
        let n = t["at_least_n"].as_integer().unwrap();
        Condition::AtLeastN(usize::try_from(n).unwrap(), list("of"))
    }
}

fn load(sources: &[(&str, &str)]) -> RefPack {
    let mut pack = RefPack::default();
    for (_, text) in sources {
        let file: toml::Table = toml::from_str(text).expect("reference reads the file");
        if let Some(age) = file
            .get("pack")
            .and_then(|p| p.get("min_age"))
            .and_then(toml::Value::as_integer)
        {
            pack.min_age = Some(age);
        }
        for r in file
            .get("rating")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            pack.ratings.push(RefRating {
                id: r["id"].as_str().unwrap().to_owned(),
                min: u32::try_from(r["min"].as_integer().unwrap()).unwrap(),
                max: u32::try_from(r["max"].as_integer().unwrap()).unwrap(),
                required: r.get("required").is_none_or(|b| b.as_bool().unwrap()),
            });
        }
        for s in file
            .get("score")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let (sum, of) = match (s.get("sum"), s.get("max")) {
                (Some(l), None) => (true, l),
                (None, Some(l)) => (false, l),
                _ => panic!("a score has sum or max"),
            };
            pack.scores.push(RefScore {
                id: s["id"].as_str().unwrap().to_owned(),
                sum,
                of: of
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| {
                        n.as_str()
                            .unwrap()
                            .strip_prefix("rating.")
                            .unwrap()
                            .to_owned()
                    })
                    .collect(),
            });
        }
        for r in file
            .get("rule")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            pack.rules.push(RefRule {
                id: r["id"].as_str().unwrap().to_owned(),
                floor: r.get("floor").map(|f| {
                    LEVELS
                        .iter()
                        .position(|l| *l == f.as_str().unwrap())
                        .unwrap()
                }),
                urgency: match (r.get("urgency"), r.get("urgent")) {
                    (Some(u), _) => URGENCY
                        .iter()
                        .position(|t| *t == u.as_str().unwrap())
                        .unwrap(),
                    (None, Some(u)) if u.as_bool().unwrap() => 1,
                    _ => 0,
                },
                when: condition(&r["when"]),
            });
        }
    }
    pack
}

// ---------------------------------------------------------------------------------------
// Answers, straight from the intake's fields.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum V {
    Bool(bool),
    Num(i64),
    /// A choice, by name, with its position in the answer's ladder.
    Choice(String, usize),
    /// Answered, but it does not apply to this person: no test of its value holds.
    NotApplicable,
}

const IDEATION: &[&str] = &[
    "none",
    "wish_to_be_dead",
    "nonspecific_active_thoughts",
    "method_without_intent",
    "intent_without_plan",
    "plan_with_intent",
];
const RECENCY: &[&str] = &["never", "lifetime", "past_3_months"];
const SUD: &[&str] = &["no_disorder", "mild", "moderate", "severe"];
const HOUSING: &[&str] = &[
    "housed",
    "unstably_housed",
    "sheltered_homeless",
    "unsheltered",
];
const HARM: &[&str] = &["none", "ideation", "plan_or_intent"];
const PSYCHOSIS: &[&str] = &["none", "chronic_stable", "acute"];
/// The most severe entry of a condition listed, or none.
const CONDITION: &[&str] = &["none", "mild", "moderate", "severe"];
const LETHAL_MEANS: &[&str] = &["none", "stockpiled_medication", "other_weapon", "firearm"];
const MEDICAL: &[&str] = &["stable", "daily_monitoring", "round_the_clock_care"];
const CLINICIAN: &[&str] = &["none", "mild", "moderate", "severe"];
const SELF_MANAGEMENT: &[&str] = &[
    "independent",
    "with_daily_structure",
    "only_in_24_hour_setting",
];
const SETTING: &[&str] = &[
    "none",
    "outpatient",
    "iop",
    "php",
    "inpatient",
    "inpatient_withdrawal_management",
];
const PROGRESS: &[&str] = &["goals_met", "progressing", "not_enough"];
const PREGNANCY: &[&str] = &["no", "pregnant", "postpartum"];
const OVERDOSE: &[&str] = &["none", "past_12_months", "past_90_days"];
/// Whether a condition is listed: unknown when the conditions were not asked.
fn listed(i: &Intake, kind: &str) -> Option<V> {
    let list = i.severity.conditions.as_ref()?;
    Some(V::Bool(list.iter().any(|c| name_of(&c.condition) == kind)))
}

/// A use disorder of one substance: none listed, listed and not in recent use, in recent use.
const USE: &[&str] = &["none", "not_recent", "recent"];
const LEVEL_OR_NONE: &[&str] = &["none", "outpatient", "iop", "php", "inpatient"];
const WORK_SCHEDULE: &[&str] = &["day", "evening", "night", "rotating"];
const SCHOOL: &[&str] = &[
    "attending",
    "frequent_absences",
    "suspended_or_expelled",
    "not_enrolled",
    "finished",
];
const CAREGIVER: &[&str] = &["involved", "partly", "not_involved"];
const STAGE: &[&str] = &[
    "precontemplation",
    "contemplation",
    "preparation",
    "action",
    "maintenance",
];

/// The snake_case name serde gives an enum value.
fn name_of<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_value(x)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn choice<T: serde::Serialize>(x: Option<&T>, ladder: &[&str]) -> Option<V> {
    let name = name_of(x?);
    let rank = ladder
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("`{name}` is not on the ladder {ladder:?}"));
    Some(V::Choice(name, rank))
}

fn num(x: Option<u32>) -> Option<V> {
    x.map(|n| V::Num(i64::from(n)))
}

/// A safety item: only an answer is a value (declined or unable to assess is unknown).
fn given<T>(x: Option<&Assessed<T>>) -> Option<&T> {
    match x? {
        Assessed::Answer(v) => Some(v),
        Assessed::Declined | Assessed::UnableToAssess => None,
    }
}

/// A withdrawal scale over the entries of the substances it measures: unknown when substance
/// use was not asked; not applicable when no substance it measures is listed; else the
/// highest score given (by entry index), unknown when none is.
/// Whether a condition reads an answer given in part: a partial instrument's total.
fn given_in_part(p: &Person<'_>, c: &Condition) -> bool {
    match c {
        Condition::Test(name, _) => match name.as_str() {
            "severity.phq9" => p.s.phq9_partial,
            "severity.gad7" => p.s.gad7_partial,
            "withdrawal.ciwa_ar" => measured_in_part(
                p,
                &[Substance::Alcohol, Substance::Sedatives],
                &p.s.ciwa_ar_partial,
            ),
            "withdrawal.cows" => measured_in_part(p, &[Substance::Opioids], &p.s.cows_partial),
            _ => false,
        },
        Condition::All(l)
        | Condition::Any(l)
        | Condition::AnyGiven(l)
        | Condition::AtLeastN(_, l) => l.iter().any(|c| given_in_part(p, c)),
        Condition::Not(c) => given_in_part(p, c),
    }
}

fn measured_in_part(p: &Person<'_>, measures: &[Substance], partial: &[bool]) -> bool {
    p.i.substance_use
        .iter()
        .flatten()
        .zip(partial)
        .any(|(s, part)| *part && measures.contains(&s.substance))
}

/// Whether an entry's use is recent: the last use at most 14 days (336 hours) ago, else use
/// on a day of the past 30, else not in remission (no recency given: presumed).
fn recent(s: &SubstanceUse) -> bool {
    match (s.hours_since_last_use, s.days_used_past_30) {
        (Some(h), _) => h <= 336,
        (None, Some(d)) => d >= 1,
        (None, None) => s.remission.is_none(),
    }
}

/// A scale over the entries it measures: unknown when one of them is a partial instrument;
/// an entry with no score counts only when its use is recent (nobody is in withdrawal weeks
/// after last use); not applicable when no entry counts.
fn scale(
    i: &Intake,
    measures: &[Substance],
    score: impl Fn(usize) -> Option<u32>,
    partial: impl Fn(usize) -> bool,
) -> Option<V> {
    let list = i.substance_use.as_ref()?;
    let mut listed = false;
    let mut top: Option<u32> = None;
    for (n, s) in list.iter().enumerate() {
        if measures.contains(&s.substance) {
            if partial(n) {
                return None;
            }
            match score(n) {
                Some(v) => {
                    listed = true;
                    top = Some(top.map_or(v, |t| t.max(v)));
                }
                None => listed |= recent(s),
            }
        }
    }
    if !listed {
        return Some(V::NotApplicable);
    }
    num(top)
}

/// A use disorder of one substance, by how recent its use is, as a position in [`USE`]. An
/// entry is a disorder at two criteria or more (or a severity of mild or worse), in
/// remission, or on maintenance; its use is recent when the last use was at most 14 days
/// (336 hours) ago, else when it was used on a day of the past 30, else not in remission
/// (no recency given: presumed); the most recent entry counts.
fn use_of(i: &Intake, substance: Option<Substance>) -> Option<V> {
    let list = i.substance_use.as_ref()?;
    let mut top = 0;
    for s in list
        .iter()
        .filter(|s| substance.is_none_or(|x| s.substance == x))
    {
        let disorder = match (s.severity, s.dsm5_criteria) {
            (Some(sev), _) => name_of(&sev) != "no_disorder",
            (None, Some(n)) => n >= 2,
            (None, None) => true,
        } || s.remission.is_some()
            || s.on_maintenance_therapy;
        if !disorder {
            continue;
        }
        top = top.max(if recent(s) { 2 } else { 1 });
    }
    Some(V::Choice(USE[top].to_owned(), top))
}

/// A complication of this episode's withdrawal: as given (declined reads unknown); unanswered,
/// not applicable when the list names no alcohol or sedatives used recently (last use within
/// 14 days, else use in the past 30 days, else recent unless in remission), else unknown.
fn this_episode(i: &Intake, item: &Option<Assessed<bool>>) -> Option<V> {
    if item.is_some() {
        return given(item.as_ref()).copied().map(V::Bool);
    }
    let list = i.substance_use.as_ref()?;
    let recent = list
        .iter()
        .filter(|s| matches!(s.substance, Substance::Alcohol | Substance::Sedatives))
        .any(recent);
    if recent { None } else { Some(V::NotApplicable) }
}

/// The most severe entry of one condition among those listed (`none` when none is): unknown
/// when the conditions were not asked.
fn condition_of(i: &Intake, kind: &str) -> Option<V> {
    let list = i.severity.conditions.as_ref()?;
    let name = list
        .iter()
        .filter(|c| name_of(&c.condition) == kind)
        .map(|c| name_of(&c.severity))
        .max_by_key(|n| CONDITION.iter().position(|c| c == n).unwrap())
        .unwrap_or_else(|| "none".to_owned());
    choice(Some(&name), CONDITION)
}

/// The DSM-5 band of a criteria count, by position in [`SUD`].
fn band(count: u32) -> usize {
    match count {
        0 | 1 => 0,
        2 | 3 => 1,
        4 | 5 => 2,
        _ => 3,
    }
}

fn ladder(answer: &str) -> &'static [&'static str] {
    match answer {
        "safety.suicidal_ideation" => IDEATION,
        "safety.suicidal_behavior" => RECENCY,
        "substance_use.severity" => SUD,
        "home.housing" => HOUSING,
        "safety.harm_to_others" => HARM,
        "safety.psychosis" => PSYCHOSIS,
        "severity.mania" | "severity.eating_disorder" => CONDITION,
        "safety.lethal_means" => LETHAL_MEANS,
        "medical.status" => MEDICAL,
        "severity.clinician_rating" => CLINICIAN,
        "self_management" => SELF_MANAGEMENT,
        "history.current_setting" => SETTING,
        "history.progress" => PROGRESS,
        "history.highest_level_not_held" => LEVEL_OR_NONE,
        "history.recent_level_not_held" => LEVEL_OR_NONE,
        "engagement.stage_of_change" => STAGE,
        "engagement.work_schedule" => WORK_SCHEDULE,
        "adolescent.school" => SCHOOL,
        "adolescent.caregiver_involvement" => CAREGIVER,
        "medical.pregnancy" => PREGNANCY,
        "medical.overdose" => OVERDOSE,
        "substance_use.alcohol_disorder"
        | "substance_use.sedative_disorder"
        | "substance_use.opioid_disorder"
        | "substance_use.use_recency" => USE,
        other => panic!("`{other}` is not a choice"),
    }
}

// ---------------------------------------------------------------------------------------
// The instruments given item by item, scored here from the intake's JSON.
// ---------------------------------------------------------------------------------------

/// The PHQ-9 and GAD-7 answer scale, scored 0-3 by position.
const FREQUENCY: [&str; 4] = [
    "not_at_all",
    "several_days",
    "more_than_half_the_days",
    "nearly_every_day",
];
/// PHQ-9 items 1-8 in `severity.phq9_items` (item 9 is `safety.phq9_item9`).
const PHQ9_1_TO_8: [&str; 8] = [
    "interest",
    "feeling_down",
    "sleep",
    "tiredness",
    "appetite",
    "self_worth",
    "concentration",
    "psychomotor",
];
const GAD7_ITEMS: [&str; 7] = [
    "nervous",
    "uncontrolled_worry",
    "excessive_worry",
    "trouble_relaxing",
    "restlessness",
    "irritability",
    "dread",
];
/// CIWA-Ar's items and the highest score of each.
const CIWA_AR_ITEMS: [(&str, u32); 10] = [
    ("nausea_vomiting", 7),
    ("tremor", 7),
    ("paroxysmal_sweats", 7),
    ("anxiety", 7),
    ("agitation", 7),
    ("tactile_disturbances", 7),
    ("auditory_disturbances", 7),
    ("visual_disturbances", 7),
    ("headache", 7),
    ("orientation", 4),
];
/// COWS's items and the scores each one's scale gives.
const COWS_ITEMS: [(&str, &[u32]); 11] = [
    ("pulse", &[0, 1, 2, 4]),
    ("sweating", &[0, 1, 2, 3, 4]),
    ("restlessness", &[0, 1, 3, 5]),
    ("pupil_size", &[0, 1, 2, 5]),
    ("bone_or_joint_aches", &[0, 1, 2, 4]),
    ("runny_nose_or_tearing", &[0, 1, 2, 4]),
    ("gi_upset", &[0, 1, 2, 3, 5]),
    ("tremor", &[0, 1, 2, 4]),
    ("yawning", &[0, 1, 2, 4]),
    ("anxiety_or_irritability", &[0, 1, 2, 4]),
    ("gooseflesh_skin", &[0, 3, 5]),
];

/// One instrument as given: its total, and its items when any was given.
#[derive(Debug, Default)]
struct Instrument {
    given: Option<u32>,
    /// Items given item by item (the group holds at least one answer).
    by_items: bool,
    /// The sum of the items answered.
    sum: u32,
    /// Items not answered.
    unanswered: usize,
    /// The most the unanswered items could add.
    room: u32,
}

impl Instrument {
    /// `values`: each item's score, if answered, and its highest score.
    fn new(given: Option<u32>, by_items: bool, values: &[(Option<u32>, u32)]) -> Instrument {
        let mut x = Instrument {
            given,
            by_items,
            ..Instrument::default()
        };
        if by_items {
            for (v, top) in values {
                match v {
                    Some(v) => x.sum += v,
                    None => {
                        x.unanswered += 1;
                        x.room += top;
                    }
                }
            }
        }
        x
    }

    /// The total rules read: as given, else the sum of every item; none for a partial one.
    /// Given item by item, and not complete: no total, but not "not measured" either.
    fn partial(&self) -> bool {
        self.total().is_none() && self.by_items
    }

    fn total(&self) -> Option<u32> {
        match self.given {
            Some(t) => Some(t),
            None if self.by_items && self.unanswered == 0 => Some(self.sum),
            None => None,
        }
    }

    /// A total given that its items cannot add up to.
    fn disagrees(&self) -> bool {
        match self.given {
            Some(t) if self.by_items => t < self.sum || t > self.sum + self.room,
            _ => false,
        }
    }
}

/// The object at `key` of `v`, when it holds any answer.
fn group<'a>(
    v: &'a serde_json::Value,
    key: &str,
) -> Option<&'a serde_json::Map<String, serde_json::Value>> {
    v.get(key)
        .and_then(serde_json::Value::as_object)
        .filter(|m| !m.is_empty())
}

/// An answer on the PHQ-9/GAD-7 scale, scored; `None` when not an answer (absent, declined or
/// unable to assess).
fn frequency(v: Option<&serde_json::Value>) -> Option<u32> {
    let name = v?.as_str()?;
    FREQUENCY
        .iter()
        .position(|f| *f == name)
        .map(|n| u32::try_from(n).unwrap())
}

fn number(v: Option<&serde_json::Value>) -> Option<u32> {
    v?.as_u64().map(|n| u32::try_from(n).unwrap())
}

/// A yes/no answer of the C-SSRS screener.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Said {
    Yes,
    No,
    /// Declined or unable to assess.
    NotObtained,
    /// Not asked.
    Absent,
}

fn said(v: Option<&serde_json::Value>) -> Said {
    match v {
        None => Said::Absent,
        Some(serde_json::Value::Bool(true)) => Said::Yes,
        Some(serde_json::Value::Bool(false)) => Said::No,
        Some(_) => Said::NotObtained,
    }
}

/// What a source says of a safety item: an answer, not obtained, or nothing.
#[derive(Debug, Clone, PartialEq)]
enum Says {
    Answer(String),
    NotObtained,
    Nothing,
}

/// The screener's past-month ideation: the most severe rung answered yes, when every more
/// severe rung that applies was answered no (a rung declined or not assessable above a yes
/// leaves the yes only a floor: the ideation is not obtained, and the rules wait); not
/// obtained when a rung was declined, and nothing when one was not asked. Items 3-5 apply unless item 2 is no, and
/// are not obtained when item 2 is declined and they were not asked.
fn screened_ideation(c: &serde_json::Map<String, serde_json::Value>) -> Says {
    let thoughts = said(c.get("nonspecific_thoughts"));
    let only_after_yes = |key: &str| match (thoughts, said(c.get(key))) {
        (Said::No, _) => Said::No,
        (Said::NotObtained, Said::Absent) => Said::NotObtained,
        (_, answer) => answer,
    };
    let rungs = [
        (only_after_yes("plan"), "plan_with_intent"),
        (only_after_yes("intent"), "intent_without_plan"),
        (only_after_yes("method"), "method_without_intent"),
        (thoughts, "nonspecific_active_thoughts"),
        (said(c.get("wish_to_be_dead")), "wish_to_be_dead"),
    ];
    let (mut unasked, mut unobtained) = (false, false);
    let settle = |unasked: bool, unobtained: bool, rung: &'static str| {
        if unasked {
            Says::Nothing
        } else if unobtained {
            Says::NotObtained
        } else {
            Says::Answer(rung.to_owned())
        }
    };
    for (answer, rung) in rungs {
        match answer {
            // A yes below a declined rung is only a floor: not obtained; below an unasked
            // one, nothing.
            Said::Yes => return settle(unasked, unobtained, rung),
            Said::No => {}
            Said::NotObtained => unobtained = true,
            Said::Absent => unasked = true,
        }
    }
    settle(unasked, unobtained, "none")
}

/// The screener's suicidal behaviour: item 6, and its follow-up after a yes (declined or not
/// assessable, the yes is only a floor: not obtained).
fn screened_behavior(c: &serde_json::Map<String, serde_json::Value>) -> Says {
    let settle = |a: Said, yes: &str, no: &str| match a {
        Said::Yes => Says::Answer(yes.to_owned()),
        Said::No => Says::Answer(no.to_owned()),
        Said::NotObtained => Says::NotObtained,
        Said::Absent => Says::Nothing,
    };
    match said(c.get("behavior")) {
        Said::Yes => settle(
            said(c.get("behavior_past_3_months")),
            "past_3_months",
            "lifetime",
        ),
        other => settle(other, "lifetime", "never"),
    }
}

/// A direct safety item, else the screener's answer.
/// A direct answer wins; a declined direct item gives way to the screener's answer (it never
/// hides what the screener found), and stays not obtained otherwise.
fn safety_item<T: serde::Serialize>(direct: Option<&Assessed<T>>, screened: Option<Says>) -> Says {
    match (direct, screened) {
        (Some(Assessed::Answer(v)), _) => Says::Answer(name_of(v)),
        (Some(_), Some(Says::Answer(s))) => Says::Answer(s),
        (Some(_), _) => Says::NotObtained,
        (None, screened) => screened.unwrap_or(Says::Nothing),
    }
}

/// Everything the reference scores from an intake's instruments.
#[derive(Debug)]
struct Scored {
    phq9: Option<u32>,
    gad7: Option<u32>,
    /// Each substance entry's CIWA-Ar and COWS totals.
    ciwa_ar: Vec<Option<u32>>,
    cows: Vec<Option<u32>>,
    /// Which of them are partial instruments (items given, no total).
    phq9_partial: bool,
    gad7_partial: bool,
    ciwa_ar_partial: Vec<bool>,
    cows_partial: Vec<bool>,
    ideation: Says,
    behavior: Says,
    /// A total its items cannot add up to, an item out of its scale, a screener question its
    /// skip logic leaves out answered, a direct suicide item the screener contradicts, or
    /// items on a substance their instrument does not measure.
    conflict: bool,
}

fn score(i: &Intake) -> Scored {
    let json = serde_json::to_value(i).unwrap();
    let mut conflict = false;
    let severity = &json["severity"];
    let safety = &json["safety"];
    let phq9_items = group(severity, "phq9_items");
    let mut values: Vec<(Option<u32>, u32)> = PHQ9_1_TO_8
        .iter()
        .map(|k| (frequency(phq9_items.and_then(|g| g.get(*k))), 3))
        .collect();
    let item9 = frequency(safety.get("phq9_item9"));
    values.push((item9, 3));
    // Item 9 alone bounds a total given (item 9 <= total <= item 9 + 24).
    let bounded = i.severity.phq9.is_some() && item9.is_some();
    let phq9 = Instrument::new(i.severity.phq9, phq9_items.is_some() || bounded, &values);
    let gad7_items = group(severity, "gad7_items");
    let values: Vec<(Option<u32>, u32)> = GAD7_ITEMS
        .iter()
        .map(|k| (frequency(gad7_items.and_then(|g| g.get(*k))), 3))
        .collect();
    let gad7 = Instrument::new(i.severity.gad7, gad7_items.is_some(), &values);
    conflict |= phq9.disagrees() || gad7.disagrees();

    let (mut ciwa_ar, mut cows) = (Vec::new(), Vec::new());
    let (mut ciwa_ar_partial, mut cows_partial) = (Vec::new(), Vec::new());
    let entries = json
        .get("substance_use")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (s, e) in i.substance_use.iter().flatten().zip(&entries) {
        let c = group(e, "ciwa_ar_items");
        let values: Vec<(Option<u32>, u32)> = CIWA_AR_ITEMS
            .iter()
            .map(|(k, top)| {
                let v = number(c.and_then(|g| g.get(*k)));
                conflict |= v.is_some_and(|v| v > *top);
                (v, *top)
            })
            .collect();
        let ciwa = Instrument::new(s.ciwa_ar, c.is_some(), &values);
        let w = group(e, "cows_items");
        let values: Vec<(Option<u32>, u32)> = COWS_ITEMS
            .iter()
            .map(|(k, scale)| {
                let v = number(w.and_then(|g| g.get(*k)));
                conflict |= v.is_some_and(|v| !scale.contains(&v));
                (v, *scale.iter().max().unwrap())
            })
            .collect();
        let opiate = Instrument::new(s.cows, w.is_some(), &values);
        let measures_ciwa = matches!(s.substance, Substance::Alcohol | Substance::Sedatives);
        conflict |= ciwa.disagrees()
            || opiate.disagrees()
            || (c.is_some() && !measures_ciwa)
            || (w.is_some() && s.substance != Substance::Opioids);
        ciwa_ar.push(ciwa.total());
        cows.push(opiate.total());
        ciwa_ar_partial.push(ciwa.partial());
        cows_partial.push(opiate.partial());
    }

    let screener = group(safety, "cssrs");
    if let Some(c) = screener {
        let no = |k: &str| said(c.get(k)) == Said::No;
        let answered = |k: &str| said(c.get(k)) != Said::Absent;
        conflict |= no("nonspecific_thoughts")
            && (answered("method") || answered("intent") || answered("plan"));
        conflict |= no("behavior") && answered("behavior_past_3_months");
    }
    let ideation_by_screener = screener.map(screened_ideation);
    let behavior_by_screener = screener.map(screened_behavior);
    // A direct answer the screener contradicts, complete or not: ideation below a rung it
    // answered yes, on a rung it answered no, or (where its answer is not only a floor)
    // other than its answer; behaviour against item 6 or its follow-up.
    if let Some(c) = screener {
        let is = |k: &str, a: Said| said(c.get(k)) == a;
        let ideation_ladder = ladder("safety.suicidal_ideation");
        let rank = |name: &str| ideation_ladder.iter().position(|r| *r == name).unwrap();
        // Item keys by rung, least severe first (`none` has no item).
        let items = [
            (None, "none"),
            (Some("wish_to_be_dead"), "wish_to_be_dead"),
            (Some("nonspecific_thoughts"), "nonspecific_active_thoughts"),
            (Some("method"), "method_without_intent"),
            (Some("intent"), "intent_without_plan"),
            (Some("plan"), "plan_with_intent"),
        ];
        let highest_yes = items
            .iter()
            .rev()
            .find(|(k, _)| k.is_some_and(|k| is(k, Said::Yes)))
            .map(|(_, rung)| rank(rung));
        let floor_only = {
            let keys = [
                "wish_to_be_dead",
                "nonspecific_thoughts",
                "method",
                "intent",
                "plan",
            ];
            (0..keys.len()).any(|n| {
                is(keys[n], Said::Yes) && keys[n + 1..].iter().any(|k| is(k, Said::NotObtained))
            })
        };
        if let Says::Answer(given) = safety_item(i.safety.suicidal_ideation.as_ref(), None) {
            let below_a_yes = highest_yes.is_some_and(|yes| rank(&given) < yes);
            // A no to item 2 skips items 3-5: a no to each of them.
            let on_a_no = items
                .iter()
                .any(|(k, rung)| *rung == given && k.is_some_and(|k| is(k, Said::No)))
                || (rank(&given) >= rank("method_without_intent")
                    && is("nonspecific_thoughts", Said::No));
            let differs = matches!(&ideation_by_screener, Some(Says::Answer(s)) if *s != given)
                && !floor_only;
            conflict |= below_a_yes || on_a_no || differs;
        }
        if let Says::Answer(given) = safety_item(i.safety.suicidal_behavior.as_ref(), None) {
            let (behavior, recent) = ("behavior", "behavior_past_3_months");
            conflict |= match given.as_str() {
                "never" => is(behavior, Said::Yes),
                "lifetime" => is(behavior, Said::No) || is(recent, Said::Yes),
                _ => is(behavior, Said::No) || is(recent, Said::No),
            };
        }
    }
    Scored {
        phq9: phq9.total(),
        gad7: gad7.total(),
        ciwa_ar,
        cows,
        phq9_partial: phq9.partial(),
        gad7_partial: gad7.partial(),
        ciwa_ar_partial,
        cows_partial,
        ideation: safety_item(i.safety.suicidal_ideation.as_ref(), ideation_by_screener),
        behavior: safety_item(i.safety.suicidal_behavior.as_ref(), behavior_by_screener),
        conflict,
    }
}

/// An intake, and what its instruments score.
struct Person<'a> {
    i: &'a Intake,
    s: Scored,
}

/// A safety item the screener may answer, as a value on its ladder.
fn says(x: &Says, ladder: &[&str]) -> Option<V> {
    match x {
        Says::Answer(name) => {
            let rank = ladder.iter().position(|c| c == name).unwrap();
            Some(V::Choice(name.clone(), rank))
        }
        Says::NotObtained | Says::Nothing => None,
    }
}

fn answer(pack: &RefPack, p: &Person<'_>, name: &str) -> Option<V> {
    let i = p.i;
    let commitment = |names: &[&str]| {
        let any = i
            .engagement
            .commitments
            .iter()
            .any(|c| names.contains(&name_of(c).as_str()));
        Some(V::Bool(any))
    };
    let b = |x: Option<bool>| x.map(V::Bool);
    match name {
        "age" => num(i.age),
        "adolescent" => i.age.map(|a| V::Bool(a < 18)),
        "safety.suicidal_ideation" => says(&p.s.ideation, IDEATION),
        "safety.suicidal_behavior" => says(&p.s.behavior, RECENCY),
        "safety.harm_to_others" => choice(given(i.safety.harm_to_others.as_ref()), HARM),
        "safety.harm_target_identified" => {
            b(given(i.safety.harm_target_identified.as_ref()).copied())
        }
        "safety.lethal_means" => choice(given(i.safety.lethal_means.as_ref()), LETHAL_MEANS),
        "safety.psychosis" => choice(given(i.safety.psychosis.as_ref()), PSYCHOSIS),
        "safety.unable_to_self_care" => b(given(i.safety.unable_to_self_care.as_ref()).copied()),
        "severity.mania" => condition_of(i, "bipolar_or_mania"),
        "severity.eating_disorder" => condition_of(i, "eating_disorder"),
        "severity.catatonia" => listed(i, "catatonia"),
        "severity.acute_psychosis_listed" => listed(i, "psychotic_acute"),
        "withdrawal.ciwa_ar" => scale(
            i,
            &[Substance::Alcohol, Substance::Sedatives],
            |n| p.s.ciwa_ar[n],
            |n| p.s.ciwa_ar_partial[n],
        ),
        "withdrawal.cows" => scale(
            i,
            &[Substance::Opioids],
            |n| p.s.cows[n],
            |n| p.s.cows_partial[n],
        ),
        // A seizure in this episode is part of the lifetime history.
        "withdrawal.seizure_or_dt_history" => {
            if given(i.withdrawal.seizure_this_episode.as_ref()) == Some(&true) {
                Some(V::Bool(true))
            } else {
                b(given(i.withdrawal.seizure_or_dt_history.as_ref()).copied())
            }
        }
        "withdrawal.seizure_this_episode" => this_episode(i, &i.withdrawal.seizure_this_episode),
        "withdrawal.hallucinations_this_episode" => {
            this_episode(i, &i.withdrawal.hallucinations_this_episode)
        }
        "withdrawal.delirium_this_episode" => this_episode(i, &i.withdrawal.delirium_this_episode),
        "withdrawal.pawss" => num(i.withdrawal.pawss),
        "medical.status" => choice(given(i.medical.status.as_ref()), MEDICAL),
        "medical.pregnancy" => choice(given(i.medical.pregnancy.as_ref()), PREGNANCY),
        "medical.overdose" => choice(given(i.medical.overdose.as_ref()), OVERDOSE),
        "substance_use.alcohol_disorder" => use_of(i, Some(Substance::Alcohol)),
        "substance_use.sedative_disorder" => use_of(i, Some(Substance::Sedatives)),
        "substance_use.opioid_disorder" => use_of(i, Some(Substance::Opioids)),
        "substance_use.use_recency" => use_of(i, None),
        "substance_use.benzodiazepine_diazepam_mg" => {
            let list = i.substance_use.as_ref()?;
            let sedatives: Vec<_> = list
                .iter()
                .filter(|s| s.substance == Substance::Sedatives)
                .collect();
            if sedatives.is_empty() {
                return Some(V::NotApplicable);
            }
            let mut doses = Vec::new();
            for s in sedatives {
                // Milligrams of diazepam per milligram of the drug, as a fraction.
                let (num, den) = match name_of(&s.benzodiazepine?).as_str() {
                    "alprazolam" | "clonazepam" => (10, 0.5),
                    "lorazepam" => (10, 1.0),
                    "diazepam" => (1, 1.0),
                    "chlordiazepoxide" => (10, 25.0),
                    _ => return None,
                };
                let mg = (f64::from(s.daily_dose_mg?) * f64::from(num) / den).floor();
                doses.push(mg.min(2000.0) as i64);
            }
            doses.into_iter().max().map(V::Num)
        }
        "substance_use.severity" => {
            let list = i.substance_use.as_ref()?;
            let mut top = 0;
            for s in list {
                let rank = match (s.severity, s.dsm5_criteria) {
                    (Some(sev), _) => SUD.iter().position(|x| *x == name_of(&sev)).unwrap(),
                    (None, Some(n)) => band(n),
                    (None, None) => return None,
                };
                top = top.max(rank);
            }
            Some(V::Choice(SUD[top].to_owned(), top))
        }
        "severity.phq9" => num(p.s.phq9),
        "severity.gad7" => num(p.s.gad7),
        "severity.clinician_rating" => choice(i.severity.clinician_rating.as_ref(), CLINICIAN),
        "severity.impairs_daily_activities" => b(i.severity.impairs_daily_activities),
        "self_management" => choice(i.self_management.as_ref(), SELF_MANAGEMENT),
        "history.current_setting" => choice(i.history.current_setting.as_ref(), SETTING),
        // Not applicable to a person not in treatment.
        "history.progress" => match (&i.history.progress, &i.history.current_setting) {
            (None, Some(Setting::None)) => Some(V::NotApplicable),
            (p, _) => choice(p.as_ref(), PROGRESS),
        },
        // Over every episode, or (recent) over those that ended in the past 12 months or
        // at a time not recorded.
        "history.highest_level_not_held" | "history.recent_level_not_held" => {
            let recent_only = name == "history.recent_level_not_held";
            let episodes = i.history.episodes.as_ref()?;
            let mut top = "none".to_owned();
            let mut rank = 0;
            for e in episodes.iter().filter(|e| {
                e.outcome == carelevel::intake::Outcome::DidNotHold
                    && !(recent_only && e.months_ago.is_some_and(|m| m > 12))
            }) {
                // Withdrawal management alone is not a level of care.
                let n = name_of(&e.level);
                let Some(r) = LEVEL_OR_NONE.iter().position(|x| *x == n) else {
                    continue;
                };
                if r > rank {
                    rank = r;
                    top = n;
                }
            }
            Some(V::Choice(top, rank))
        }
        "home.others_use_substances" => b(i.home.others_use_substances),
        "home.violence_or_abuse" => b(given(i.home.violence_or_abuse.as_ref()).copied()),
        "home.supportive" => b(i.home.supportive),
        "home.housing" => choice(i.home.housing.as_ref(), HOUSING),
        "home.substance_free_housing_arranged" => Some(V::Bool(matches!(
            i.home.arranged_housing,
            Some(ArrangedHousing::SoberLiving | ArrangedHousing::TransitionalHousing)
        ))),
        "home.safe_housing_arranged" => Some(V::Bool(matches!(
            i.home.arranged_housing,
            Some(
                ArrangedHousing::SoberLiving
                    | ArrangedHousing::TransitionalHousing
                    | ArrangedHousing::Shelter
            )
        ))),
        "engagement.stage_of_change" => choice(i.engagement.stage_of_change.as_ref(), STAGE),
        "engagement.can_attend_several_days" => b(i.engagement.can_attend_several_days),
        "engagement.work_or_school" => commitment(&["work", "school"]),
        "engagement.caregiving" => commitment(&["caregiving"]),
        "engagement.work_schedule" => choice(i.engagement.work_schedule.as_ref(), WORK_SCHEDULE),
        "adolescent.school" => choice(i.adolescent.school.as_ref(), SCHOOL),
        "adolescent.caregiver_involvement" => {
            choice(i.adolescent.caregiver_involvement.as_ref(), CAREGIVER)
        }
        "engagement.needs_transportation" => b(i.engagement.needs_transportation),
        "engagement.needs_childcare" => b(i.engagement.needs_childcare),
        "engagement.has_preferences" => {
            let p = &i.engagement.preferences;
            Some(V::Bool(
                p.cultural.is_some() || p.language.is_some() || p.spiritual.is_some(),
            ))
        }
        other => {
            if let Some(id) = other.strip_prefix("rating.") {
                return i.ratings.get(id).map(|v| V::Num(i64::from(*v)));
            }
            if let Some(id) = other.strip_prefix("score.") {
                let score = pack.scores.iter().find(|s| s.id == id).unwrap();
                let mut values = Vec::new();
                for r in &score.of {
                    values.push(i64::from(*i.ratings.get(r)?));
                }
                let total = if score.sum {
                    values.iter().sum()
                } else {
                    values.iter().copied().max().unwrap_or(0)
                };
                return Some(V::Num(total));
            }
            panic!("the reference does not know the answer `{other}`")
        }
    }
}

/// A constant compared with a value: numbers as numbers, choices by name.
fn same(v: &V, k: &toml::Value) -> bool {
    match (v, k) {
        (V::NotApplicable, _) => false,
        (V::Bool(b), toml::Value::Boolean(c)) => b == c,
        (V::Num(n), toml::Value::Integer(c)) => n == c,
        (V::Choice(name, _), toml::Value::String(c)) => name == c,
        _ => panic!("constant {k} does not fit {v:?}"),
    }
}

/// The position of a value or constant on its scale, for `at_least` / `at_most`.
fn position(answer: &str, k: &toml::Value) -> i64 {
    match k {
        toml::Value::Integer(n) => *n,
        toml::Value::String(s) => {
            i64::try_from(ladder(answer).iter().position(|c| c == s).unwrap()).unwrap()
        }
        _ => panic!("{k} cannot be compared"),
    }
}

fn truth(b: bool) -> Truth {
    if b { Truth::Yes } else { Truth::No }
}

fn evaluate(pack: &RefPack, p: &Person<'_>, c: &Condition) -> Truth {
    match c {
        Condition::Test(name, test) => {
            let value = answer(pack, p, name);
            if let Test::Answered(want) = test {
                return truth(value.is_some() == *want);
            }
            let Some(v) = value else {
                return Truth::Unknown;
            };
            match test {
                Test::Is(k) => truth(same(&v, k)),
                Test::In(ks) => truth(ks.iter().any(|k| same(&v, k))),
                Test::Between(lo, hi) => {
                    let at = match &v {
                        V::Num(n) => *n,
                        V::Choice(_, r) => i64::try_from(*r).unwrap(),
                        V::NotApplicable => return Truth::No,
                        V::Bool(_) => panic!("a yes/no answer has no order"),
                    };
                    let above = lo.as_ref().is_none_or(|k| at >= position(name, k));
                    let below = hi.as_ref().is_none_or(|k| at <= position(name, k));
                    truth(above && below)
                }
                Test::Answered(_) => unreachable!(),
            }
        }
        Condition::All(list) => {
            let ts: Vec<Truth> = list.iter().map(|c| evaluate(pack, p, c)).collect();
            if ts.contains(&Truth::No) {
                Truth::No
            } else if ts.contains(&Truth::Unknown) {
                Truth::Unknown
            } else {
                Truth::Yes
            }
        }
        Condition::Any(list) => {
            let ts: Vec<Truth> = list.iter().map(|c| evaluate(pack, p, c)).collect();
            if ts.contains(&Truth::Yes) {
                Truth::Yes
            } else if ts.contains(&Truth::Unknown) {
                Truth::Unknown
            } else {
                Truth::No
            }
        }
        Condition::AnyGiven(list) => {
            // Decided by whichever alternatives are answered; not evaluated when none is, or
            // when one unknown was given in part (a partial instrument may still hold).
            let ts: Vec<Truth> = list.iter().map(|c| evaluate(pack, p, c)).collect();
            let pending = list
                .iter()
                .zip(&ts)
                .any(|(c, t)| *t == Truth::Unknown && given_in_part(p, c));
            if ts.contains(&Truth::Yes) {
                Truth::Yes
            } else if ts.contains(&Truth::No) && !pending {
                Truth::No
            } else {
                Truth::Unknown
            }
        }
        Condition::Not(c) => match evaluate(pack, p, c) {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Unknown => Truth::Unknown,
        },
        Condition::AtLeastN(n, list) => {
            let ts: Vec<Truth> = list.iter().map(|c| evaluate(pack, p, c)).collect();
            let yes = ts.iter().filter(|t| **t == Truth::Yes).count();
            let unknown = ts.iter().filter(|t| **t == Truth::Unknown).count();
            if yes >= *n {
                Truth::Yes
            } else if yes + unknown >= *n {
                Truth::Unknown
            } else {
                Truth::No
            }
        }
    }
}

/// Whether the pack must refuse the intake: not intake 2, an age below the pack's, a required
/// item missing, a number out of range, answers that conflict, a rating missing, out of
/// range or undeclared.
fn refused(pack: &RefPack, p: &Person<'_>) -> bool {
    let i = p.i;
    let in_range = |v: Option<u32>, max: u32| v.is_none_or(|n| n <= max);
    let too_young = match (i.age, pack.min_age) {
        (Some(age), Some(min)) => i64::from(age) < min,
        _ => false,
    };
    let in_treatment = i
        .history
        .current_setting
        .is_some_and(|s| s != Setting::None);
    let missing = i.schema_version.is_none()
        || i.age.is_none()
        || p.s.ideation == Says::Nothing
        || p.s.behavior == Says::Nothing
        || i.safety.harm_to_others.is_none()
        || i.safety.psychosis.is_none()
        || i.safety.unable_to_self_care.is_none()
        || i.withdrawal.seizure_or_dt_history.is_none()
        || i.medical.status.is_none()
        || i.self_management.is_none()
        || i.history.current_setting.is_none()
        || (i.history.progress.is_none() && in_treatment);
    let entries = i.substance_use.iter().flatten();
    // Ages below 12 are outside the intake's range, whatever the pack.
    let ranges = in_range(i.age, 120)
        && i.age.is_none_or(|a| a >= 12)
        && in_range(i.withdrawal.pawss, 10)
        && in_range(i.severity.phq9, 27)
        && in_range(i.severity.gad7, 21)
        && in_range(i.severity.days_impaired_past_30, 30)
        && entries.clone().all(|s| {
            in_range(s.dsm5_criteria, 11)
                && in_range(s.days_used_past_30, 30)
                && in_range(s.hours_since_last_use, 8760)
                && in_range(s.drinks_per_day, 100)
                && in_range(s.daily_dose_mg, 2000)
                && in_range(s.ciwa_ar, 67)
                && in_range(s.cows, 48)
        })
        && i.history
            .episodes
            .iter()
            .flatten()
            .all(|e| in_range(e.months_ago, 600));
    let list: Vec<&SubstanceUse> = entries.collect();
    let entry_conflict = list.iter().enumerate().any(|(n, s)| {
        let alcohol = s.substance == Substance::Alcohol;
        let sedatives = s.substance == Substance::Sedatives;
        let disagree = match (s.dsm5_criteria, s.severity) {
            (Some(count), Some(sev)) => SUD[band(count)] != name_of(&sev),
            _ => false,
        };
        (s.dsm5_criteria.is_none() && s.severity.is_none())
            || disagree
            || (s.drinks_per_day.is_some() && !alcohol)
            || ((s.benzodiazepine.is_some() || s.daily_dose_mg.is_some()) && !sedatives)
            || (s.ciwa_ar.is_some() && !alcohol && !sedatives)
            || (s.cows.is_some() && s.substance != Substance::Opioids)
            || (s.on_maintenance_therapy && s.substance != Substance::Opioids)
            || (s.remission == Some(carelevel::intake::Remission::Sustained)
                && match (s.dsm5_criteria, s.severity) {
                    (Some(count), _) => count >= 2,
                    (None, Some(sev)) => name_of(&sev) != "no_disorder",
                    (None, None) => false,
                })
            // One entry per substance, per benzodiazepine for sedatives; `other` may repeat.
            || (s.substance != Substance::Other
                && list[..n]
                    .iter()
                    .any(|b| b.substance == s.substance && b.benzodiazepine == s.benzodiazepine))
    });
    let answered = |a: Option<Assessed<bool>>| match a {
        Some(Assessed::Answer(b)) => Some(b),
        _ => None,
    };
    let w = &i.withdrawal;
    let cross = (answered(i.safety.harm_target_identified) == Some(true)
        && i.safety.harm_to_others
            == Some(Assessed::Answer(carelevel::intake::HarmToOthers::None)))
        || (answered(w.seizure_this_episode) == Some(true)
            && answered(w.seizure_or_dt_history) == Some(false))
        || (w.pawss.is_some()
            && i.substance_use
                .as_ref()
                .is_some_and(|l| !l.iter().any(|s| s.substance == Substance::Alcohol)));
    let m = &i.medication;
    let no_oud = matches!(m.opioid_use_disorder, None | Some(OudMedication::None));
    let no_aud = matches!(m.alcohol_use_disorder, None | Some(AudMedication::None));
    let conditions: Vec<_> = i.severity.conditions.iter().flatten().collect();
    let conflict = entry_conflict
        || cross
        || (m.opioid_use_disorder_adherence.is_some() && no_oud)
        || (m.alcohol_use_disorder_adherence.is_some() && no_aud)
        || conditions
            .iter()
            .enumerate()
            .any(|(n, c)| conditions[..n].iter().any(|b| b.condition == c.condition))
        || (i.history.current_setting == Some(Setting::None) && i.history.progress.is_some())
        || (i.age.is_some_and(|a| a >= 18)
            && (i.adolescent.guardian_consent.is_some()
                || i.adolescent.school.is_some()
                || i.adolescent.caregiver_involvement.is_some()));
    let ratings = pack.ratings.iter().all(|r| match i.ratings.get(&r.id) {
        Some(v) => r.min <= *v && *v <= r.max,
        None => !r.required,
    }) && i
        .ratings
        .keys()
        .all(|k| pack.ratings.iter().any(|r| &r.id == k));
    too_young || missing || !ranges || conflict || p.s.conflict || !ratings
}

#[derive(Debug, PartialEq)]
struct Outcome {
    level: String,
    urgency: &'static str,
    binding: Vec<String>,
    fired: Vec<String>,
    not_evaluated: Vec<String>,
}

/// The reference decision: `None` when the intake is refused.
fn decide(pack: &RefPack, i: &Intake) -> Option<Outcome> {
    let p = Person { i, s: score(i) };
    if refused(pack, &p) {
        return None;
    }
    let mut fired = Vec::new();
    let mut not_evaluated = Vec::new();
    for r in &pack.rules {
        match evaluate(pack, &p, &r.when) {
            Truth::Yes => fired.push(r),
            Truth::Unknown => not_evaluated.push(r),
            Truth::No => {}
        }
    }
    let mut level = 0;
    for r in &fired {
        if let Some(f) = r.floor {
            if f > level {
                level = f;
            }
        }
    }
    Some(Outcome {
        level: LEVELS[level].to_owned(),
        urgency: URGENCY[fired.iter().map(|r| r.urgency).max().unwrap_or(0)],
        binding: fired
            .iter()
            .filter(|r| r.floor == Some(level))
            .map(|r| r.id.clone())
            .collect(),
        fired: fired.iter().map(|r| r.id.clone()).collect(),
        not_evaluated: not_evaluated.iter().map(|r| r.id.clone()).collect(),
    })
}

fn engine(pack: &RulePack, i: &Intake) -> Option<Outcome> {
    let rec = pack.assess(i).ok()?;
    let ids = |it: &mut dyn Iterator<Item = &carelevel::Rule>| -> Vec<String> {
        it.map(|r| r.id().to_owned()).collect()
    };
    Some(Outcome {
        level: rec.level().as_str().to_owned(),
        urgency: rec.urgency().as_str(),
        binding: ids(&mut rec.binding_rules()),
        fired: ids(&mut rec.fired_rules()),
        not_evaluated: ids(&mut rec.not_evaluated_rules()),
    })
}

/// The engine and the reference must agree; the message names the intake.
fn agree(engine_pack: &RulePack, reference: &RefPack, i: &Intake, what: &str) {
    let want = decide(reference, i);
    let got = engine(engine_pack, i);
    assert_eq!(
        got,
        want,
        "engine (left) and reference (right) disagree on {what}: {}",
        i.to_json().unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// The packs.
// ---------------------------------------------------------------------------------------

/// A custom instrument exercising ratings, scores and every condition form, loaded on top of
/// the built-in pack. Used by the generated intakes (the `proptest` feature).
#[cfg(feature = "proptest")]
const INSTRUMENT: &str = r#"
[[rating]]
id = "dim_a"
min = 0
max = 4

[[rating]]
id = "dim_b"
min = 0
max = 4
required = false

[[rating]]
id = "functioning"
min = 1
max = 100
worse = "lower"
required = false

[[score]]
id = "composite"
sum = ["rating.dim_a", "rating.dim_b"]

[[score]]
id = "top"
max = ["rating.dim_a", "rating.dim_b"]

[[rule]]
id = "inst.composite"
criterion = "instrument"
when = { answer = "score.composite", at_least = 6 }
floor = "php"
reason = "test"
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]

[[rule]]
id = "inst.any_dimension_at_4"
criterion = "instrument"
when = { answer = "score.top", is = 4 }
floor = "iop"
urgency = "same_day"
reason = "test"
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]

[[rule]]
id = "inst.two_of_three"
criterion = "instrument"
when = { at_least_n = 2, of = [
  { answer = "rating.dim_a", at_least = 3 },
  { answer = "rating.dim_b", in = [3, 4] },
  { answer = "rating.functioning", at_most = 40 },
] }
floor = "inpatient"
setting = "clinically_managed_residential_high"
reason = "test"
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]

[[rule]]
id = "inst.not_functioning_well"
criterion = "instrument"
when = { all = [
  { not = { answer = "rating.functioning", at_least = 61 } },
  { answer = "history.current_setting", in = ["none", "outpatient"] },
] }
floor = "iop"
reason = "test"
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]

[[rule]]
id = "inst.unmeasured_functioning"
criterion = "instrument"
when = { all = [
  { answer = "rating.functioning", answered = false },
  { any_given = [
    { answer = "rating.dim_b", at_least = 2 },
    { answer = "severity.phq9", at_most = 4 },
    { answer = "severity.clinician_rating", in = ["mild", "severe"] },
  ] },
] }
services = ["case_management"]
reason = "test"
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]

[[rule]]
id = "inst.adolescent_any"
criterion = "instrument"
when = { any = [
  { answer = "adolescent", is = true },
  { answer = "engagement.stage_of_change", at_most = "contemplation" },
  { not = { answer = "home.supportive", is = true } },
] }
services = ["family_therapy"]
reason = "test"
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]
"#;

/// The built-in rules under a test id (the built-in id is reserved) plus [`INSTRUMENT`].
#[cfg(feature = "proptest")]
fn custom_sources() -> Vec<(&'static str, &'static str)> {
    static LOCAL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        BUILTIN_SOURCES[0]
            .1
            .replace(r#"id = "carelevel.builtin""#, r#"id = "test.local""#)
    });
    let mut s = BUILTIN_SOURCES.to_vec();
    s[0] = (BUILTIN_SOURCES[0].0, LOCAL.as_str());
    s.push(("instrument.toml", INSTRUMENT));
    s
}

// ---------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------

fn json_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new(); // tolerate a missing directory
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_reference_reads_every_rule_of_the_builtin_pack() {
    let reference = load(BUILTIN_SOURCES);
    let pack = RulePack::try_builtin().unwrap();
    let ids: Vec<&str> = pack.rules().map(|r| r.id()).collect();
    let mine: Vec<&str> = reference.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, mine);
}

#[test]
fn bundled_intakes_and_scenarios_agree_with_the_reference() {
    let builtin = RulePack::try_builtin().unwrap();
    let reference = load(BUILTIN_SOURCES);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for path in json_files(&root.join("examples/intakes")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let intake = Intake::from_json(&text).unwrap();
        agree(&builtin, &reference, &intake, &path.display().to_string());
        checked += 1;
    }
    assert!(checked >= 5, "examples/intakes holds {checked} intakes");
    // A scenario being written may not read yet; only its intake matters here.
    let cases = common::scenarios::intakes();
    assert!(cases.len() >= 30, "{} scenario cases", cases.len());
    for (name, intake) in cases {
        // An intake that is not even well-typed JSON is refused before any rule runs.
        let Ok(intake) = Intake::from_json(&intake.to_string()) else {
            continue;
        };
        agree(&builtin, &reference, &intake, &name);
    }
}

#[cfg(feature = "proptest")]
fn ratings() -> impl Strategy<Value = BTreeMap<String, u32>> {
    let value = |max: u32| {
        carelevel::strategies::optional(prop_oneof![8 => 0..=max, 1 => max + 1..=max + 3])
    };
    (
        value(4),
        value(4),
        carelevel::strategies::optional(
            prop_oneof![8 => 1u32..=100, 1 => Just(0u32), 1 => Just(101u32)],
        ),
        prop::bool::weighted(0.02),
    )
        .prop_map(|(a, b, f, unknown)| {
            let mut m = BTreeMap::new();
            for (k, v) in [("dim_a", a), ("dim_b", b), ("functioning", f)] {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            }
            if unknown {
                m.insert("dim_c".to_owned(), 1);
            }
            m
        })
}

/// Out-of-range numbers, missing required items, conflicting answers, an age below the
/// pack's and safety items not obtained, now and then.
#[cfg(feature = "proptest")]
fn damaged(i: Intake, damage: u8) -> Intake {
    let mut i = i;
    let first = |i: &mut Intake| {
        i.substance_use
            .as_mut()
            .and_then(|l| l.first_mut())
            .cloned()
    };
    match damage {
        0 => i.severity.phq9 = Some(28),
        1 => i.safety.suicidal_ideation = None,
        2 => i.history.progress = None,
        3 => i.age = Some(121),
        4 => i.age = Some(4),
        5 => i.safety.suicidal_behavior = Some(Assessed::Declined),
        6 => i.withdrawal.seizure_or_dt_history = Some(Assessed::UnableToAssess),
        7 => i.medical.status = Some(Assessed::Declined),
        8 => i.home.violence_or_abuse = Some(Assessed::UnableToAssess),
        9 => i.schema_version = None,
        // A second entry of the first substance listed.
        10 => {
            if let Some(entry) = first(&mut i) {
                i.substance_use.get_or_insert_with(Vec::new).push(entry);
            }
        }
        // A score out of range, or on a substance it does not measure.
        11 => {
            if let Some(s) = i.substance_use.as_mut().and_then(|l| l.first_mut()) {
                s.ciwa_ar = Some(if s.substance == Substance::Alcohol {
                    68
                } else {
                    10
                });
            }
        }
        12 => {
            if let Some(s) = i.substance_use.as_mut().and_then(|l| l.first_mut()) {
                s.cows = Some(if s.substance == Substance::Opioids {
                    49
                } else {
                    10
                });
            }
        }
        13 => {
            if let Some(s) = i.substance_use.as_mut().and_then(|l| l.first_mut()) {
                s.dsm5_criteria = None;
            }
        }
        14 => {
            i.medication.opioid_use_disorder_adherence = Some(carelevel::intake::Adherence::Stopped)
        }
        15 => {
            i.history.current_setting = Some(Setting::None);
            i.history.progress = Some(carelevel::intake::Progress::Progressing);
        }
        16 => i.adolescent.school = Some(carelevel::intake::SchoolStatus::Attending),
        _ => {}
    }
    i
}

/// A scale drawn for a substance entry: which entry (the first it measures, or any), the raw
/// draw of each item, how the total is given, and by how much it is off.
#[cfg(feature = "proptest")]
type OnEntry<T> = (bool, u8, Vec<Option<T>>, u8, i8);

/// Instruments given item by item, drawn for a generated intake (which carries totals only):
/// each present about a third of the time, its items mostly all answered, a total beside
/// them that agrees, is off by a little, sits at the edge of what they can add, or is absent;
/// items now and then on a substance their instrument does not measure, a COWS score its
/// item's scale skips, a CIWA-Ar item out of range; the C-SSRS screener mostly following its
/// skip logic, with or without the direct suicide items (which may agree or not).
#[cfg(feature = "proptest")]
#[derive(Debug, Clone)]
struct Drawn {
    /// PHQ-9 items 1-8 (0-3), item 9 (0-3 an answer, 4 declined, 5 unable to assess, 6 not
    /// asked, 7 as generated), how the total is given, and by how much it is off.
    phq9: Option<(Vec<Option<u8>>, u8, u8, i8)>,
    gad7: Option<(Vec<Option<u8>>, u8, i8)>,
    ciwa_ar: Option<OnEntry<u8>>,
    /// As CIWA-Ar, with whether each item may take a score its scale skips.
    cows: Option<OnEntry<(u8, bool)>>,
    /// The screener's seven answers (0-4 yes, 5-9 no, 10 declined, 11 unable to assess), whether
    /// its skip logic is kept, and what becomes of the direct items.
    cssrs: Option<(Vec<Option<u8>>, bool, u8)>,
}

#[cfg(feature = "proptest")]
fn drawn() -> impl Strategy<Value = Drawn> {
    let freq = |n: usize| prop::collection::vec(prop::option::weighted(0.93, 0u8..=3), n);
    let raw = |n: usize| prop::collection::vec(prop::option::weighted(0.93, 0u8..=255), n);
    (
        prop::option::weighted(0.35, (freq(8), 0u8..8, 0u8..5, -2i8..=2)),
        prop::option::weighted(0.35, (freq(7), 0u8..5, -2i8..=2)),
        prop::option::weighted(
            0.3,
            (
                prop::bool::weighted(0.9),
                any::<u8>(),
                raw(10),
                0u8..5,
                -2i8..=2,
            ),
        ),
        prop::option::weighted(
            0.3,
            (
                prop::bool::weighted(0.9),
                any::<u8>(),
                prop::collection::vec(
                    prop::option::weighted(0.93, (any::<u8>(), prop::bool::weighted(0.03))),
                    11,
                ),
                0u8..5,
                -2i8..=2,
            ),
        ),
        prop::option::weighted(
            0.35,
            (
                prop::collection::vec(prop::option::weighted(0.95, 0u8..12), 7),
                prop::bool::weighted(0.9),
                0u8..5,
            ),
        ),
    )
        .prop_map(|(phq9, gad7, ciwa_ar, cows, cssrs)| Drawn {
            phq9,
            gad7,
            ciwa_ar,
            cows,
            cssrs,
        })
}

/// A total for items summing to `sum` with `room` more possible: none, the sum, the sum off
/// by `off`, as generated, or the most they can add.
#[cfg(feature = "proptest")]
fn drawn_total(
    how: u8,
    sum: u32,
    room: u32,
    off: i8,
    generated: Option<u32>,
    max: u32,
) -> Option<u32> {
    let off_by = |t: u32| {
        u32::try_from((i64::from(t) + i64::from(off)).max(0))
            .unwrap()
            .min(max)
    };
    match how {
        0 => None,
        1 => Some(sum),
        2 => Some(off_by(sum)),
        3 => generated,
        _ => Some((sum + room).min(max)),
    }
}

/// A group of items by name, as the intake's JSON gives it.
#[cfg(feature = "proptest")]
fn items_json(names: &[&str], values: &[Option<serde_json::Value>]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, v) in names.iter().zip(values) {
        if let Some(v) = v {
            m.insert((*k).to_owned(), v.clone());
        }
    }
    serde_json::Value::Object(m)
}

/// The entry an instrument's items go on: the first entry it measures (if `right` and there
/// is one), else any.
#[cfg(feature = "proptest")]
fn entry_for(i: &Intake, right: bool, pick: u8, measures: &[Substance]) -> Option<usize> {
    let list = i.substance_use.as_ref().filter(|l| !l.is_empty())?;
    let first = list.iter().position(|s| measures.contains(&s.substance));
    match first {
        Some(n) if right => Some(n),
        _ => Some(usize::from(pick) % list.len()),
    }
}

#[cfg(feature = "proptest")]
fn with_instruments(i: Intake, d: &Drawn) -> Intake {
    use serde_json::{Value, json};
    let mut i = i;
    let freq = |v: u8| Value::from(FREQUENCY[usize::from(v)]);
    if let Some((items, item9, how, off)) = &d.phq9 {
        let values: Vec<Option<Value>> = items.iter().map(|v| v.map(freq)).collect();
        i.severity.phq9_items = serde_json::from_value(items_json(&PHQ9_1_TO_8, &values)).unwrap();
        match item9 {
            0..=3 => i.safety.phq9_item9 = serde_json::from_value(freq(*item9)).unwrap(),
            4 => i.safety.phq9_item9 = Some(Assessed::Declined),
            5 => i.safety.phq9_item9 = Some(Assessed::UnableToAssess),
            6 => i.safety.phq9_item9 = None,
            _ => {}
        }
        let nine = match i.safety.phq9_item9 {
            Some(Assessed::Answer(f)) => (Some(u32::try_from(f as usize).unwrap()), 3),
            _ => (None, 3),
        };
        let mut all: Vec<(Option<u32>, u32)> =
            items.iter().map(|v| (v.map(u32::from), 3)).collect();
        all.push(nine);
        let sum: u32 = all.iter().filter_map(|(v, _)| *v).sum();
        let room: u32 = all
            .iter()
            .filter(|(v, _)| v.is_none())
            .map(|(_, t)| t)
            .sum();
        i.severity.phq9 = drawn_total(*how, sum, room, *off, i.severity.phq9, 27);
    }
    if let Some((items, how, off)) = &d.gad7 {
        let values: Vec<Option<Value>> = items.iter().map(|v| v.map(freq)).collect();
        i.severity.gad7_items = serde_json::from_value(items_json(&GAD7_ITEMS, &values)).unwrap();
        let sum: u32 = items.iter().flatten().map(|v| u32::from(*v)).sum();
        let room = 3 * u32::try_from(items.iter().filter(|v| v.is_none()).count()).unwrap();
        i.severity.gad7 = drawn_total(*how, sum, room, *off, i.severity.gad7, 21);
    }
    if let Some((right, pick, raw, how, off)) = &d.ciwa_ar {
        let measures = [Substance::Alcohol, Substance::Sedatives];
        if let Some(n) = entry_for(&i, *right, *pick, &measures) {
            // Mostly within each item's scale, now and then one above it.
            let values: Vec<Option<u32>> = raw
                .iter()
                .zip(CIWA_AR_ITEMS)
                .map(|(r, (_, top))| r.map(|r| u32::from(r) % (top + if r > 250 { 3 } else { 1 })))
                .collect();
            let names: Vec<&str> = CIWA_AR_ITEMS.iter().map(|(k, _)| *k).collect();
            let json: Vec<Option<Value>> = values.iter().map(|v| v.map(Value::from)).collect();
            let sum = values.iter().flatten().sum();
            let room = values
                .iter()
                .zip(CIWA_AR_ITEMS)
                .filter(|(v, _)| v.is_none())
                .map(|(_, (_, top))| top)
                .sum();
            let entry = &mut i.substance_use.as_mut().unwrap()[n];
            entry.ciwa_ar_items = serde_json::from_value(items_json(&names, &json)).unwrap();
            entry.ciwa_ar = drawn_total(*how, sum, room, *off, entry.ciwa_ar, 67);
        }
    }
    if let Some((right, pick, raw, how, off)) = &d.cows {
        if let Some(n) = entry_for(&i, *right, *pick, &[Substance::Opioids]) {
            // Mostly a score the item's scale gives, now and then any 0-6.
            let values: Vec<Option<u32>> = raw
                .iter()
                .zip(COWS_ITEMS)
                .map(|(r, (_, scale))| {
                    r.map(|(r, anything)| {
                        if anything {
                            u32::from(r % 7)
                        } else {
                            scale[usize::from(r) % scale.len()]
                        }
                    })
                })
                .collect();
            let names: Vec<&str> = COWS_ITEMS.iter().map(|(k, _)| *k).collect();
            let json: Vec<Option<Value>> = values.iter().map(|v| v.map(Value::from)).collect();
            let sum = values.iter().flatten().sum();
            let room = values
                .iter()
                .zip(COWS_ITEMS)
                .filter(|(v, _)| v.is_none())
                .map(|(_, (_, scale))| scale.iter().max().unwrap())
                .sum();
            let entry = &mut i.substance_use.as_mut().unwrap()[n];
            entry.cows_items = serde_json::from_value(items_json(&names, &json)).unwrap();
            entry.cows = drawn_total(*how, sum, room, *off, entry.cows, 48);
        }
    }
    if let Some((answers, keep_skips, direct)) = &d.cssrs {
        let names = [
            "wish_to_be_dead",
            "nonspecific_thoughts",
            "method",
            "intent",
            "plan",
            "behavior",
            "behavior_past_3_months",
        ];
        let mut values: Vec<Option<Value>> = answers
            .iter()
            .map(|a| {
                a.map(|a| match a {
                    0..=4 => json!(true),
                    5..=9 => json!(false),
                    10 => json!("declined"),
                    _ => json!("unable_to_assess"),
                })
            })
            .collect();
        if *keep_skips {
            // Items 3-5 are skipped after a no to item 2; item 6's follow-up is asked after a yes.
            if values[1] == Some(json!(false)) {
                for v in &mut values[2..5] {
                    *v = None;
                }
            }
            if values[5] != Some(json!(true)) {
                values[6] = None;
            }
        }
        let screener = items_json(&names, &values);
        i.safety.cssrs = serde_json::from_value(screener.clone()).unwrap();
        let map = screener.as_object().unwrap();
        match direct {
            0 => {
                i.safety.suicidal_ideation = None;
                i.safety.suicidal_behavior = None;
            }
            1 => i.safety.suicidal_ideation = None,
            2 => i.safety.suicidal_behavior = None,
            3 => {}
            // The direct items as the screener scores them, where it does.
            _ => {
                if let Says::Answer(a) = screened_ideation(map) {
                    i.safety.suicidal_ideation = serde_json::from_value(json!(a)).unwrap();
                }
                if let Says::Answer(a) = screened_behavior(map) {
                    i.safety.suicidal_behavior = serde_json::from_value(json!(a)).unwrap();
                }
            }
        }
    }
    i
}

#[cfg(feature = "proptest")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    /// 20,000 generated intakes, each against the built-in pack and the custom pack, with
    /// instruments given item by item now and then.
    #[test]
    fn generated_intakes_agree_with_the_reference(
        i in carelevel::strategies::intake(),
        r in ratings(),
        damage in 0u8..40,
        d in drawn(),
    ) {
        thread_local! {
            static PACKS: (RulePack, RefPack, RulePack, RefPack) = (
                RulePack::try_builtin().unwrap(),
                load(BUILTIN_SOURCES),
                RulePack::from_sources(&custom_sources()).unwrap(),
                load(&custom_sources()),
            );
        }
        let i = with_instruments(damaged(i, damage), &d);
        PACKS.with(|(builtin, reference, custom, custom_reference)| {
            agree(builtin, reference, &i, "a generated intake (built-in pack)");
            let mut with_ratings = i.clone();
            with_ratings.ratings = r.clone();
            agree(custom, custom_reference, &with_ratings, "a generated intake (custom pack)");
        });
    }
}
