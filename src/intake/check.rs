//! The checks of an intake that span more than one item: an answer that does not apply
//! given another (a COWS score on an alcohol entry, an adherence with no medication, progress
//! when not in treatment, adolescent items for an adult, PAWSS with no alcohol) and answers
//! that contradict each other (a DSM-5 count and a severity that disagree, a sustained
//! remission with criteria met this year, a seizure this episode with no seizure history, a
//! substance listed twice). The checks of one item (required, range) are the catalogue's.

use super::score;
use super::{
    Assessed, AudMedication, HarmToOthers, Intake, Medication, OudMedication, Recency, Remission,
    Setting, Substance, SubstanceUse, SudSeverity,
};
use crate::catalogue::At;

/// An answer that does not fit the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// Where.
    pub(crate) at: At,
    /// Why.
    pub(crate) why: Why,
}

/// Why an answer does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// Completing a sentence that starts with the field's path.
    Reason(&'static str),
    /// A total given beside its items cannot be their total.
    Total {
        /// The total given.
        given: u32,
        /// The sum of the items answered.
        sum: u32,
        /// Whether every item is answered.
        complete: bool,
        /// Where the items are (their group's path).
        items: &'static str,
    },
}

fn item(path: &'static str, reason: &'static str) -> Conflict {
    Conflict {
        at: At::Item(path),
        why: Why::Reason(reason),
    }
}

fn entry(group: &'static str, index: usize, key: &'static str, reason: &'static str) -> Conflict {
    Conflict {
        at: At::Entry { group, index, key },
        why: Why::Reason(reason),
    }
}

/// A total that disagrees with its items, at `at`.
fn total(at: At, t: score::Total, items: &'static str) -> Option<Conflict> {
    let sum = t.items?;
    (t.disagrees()).then_some(Conflict {
        at,
        why: Why::Total {
            given: t.given?,
            sum: sum.sum,
            complete: sum.complete(),
            items,
        },
    })
}

/// COWS's items as an entry's keys, with why a score its scale skips is refused, in
/// `score::COWS_ITEMS` order (a unit test holds the two together).
const COWS_KEYS: [(&str, &str); 11] = [
    (
        "cows_items.pulse",
        "is not a score of this COWS item (0, 1, 2 or 4)",
    ),
    (
        "cows_items.sweating",
        "is not a score of this COWS item (0-4)",
    ),
    (
        "cows_items.restlessness",
        "is not a score of this COWS item (0, 1, 3 or 5)",
    ),
    (
        "cows_items.pupil_size",
        "is not a score of this COWS item (0, 1, 2 or 5)",
    ),
    (
        "cows_items.bone_or_joint_aches",
        "is not a score of this COWS item (0, 1, 2 or 4)",
    ),
    (
        "cows_items.runny_nose_or_tearing",
        "is not a score of this COWS item (0, 1, 2 or 4)",
    ),
    (
        "cows_items.gi_upset",
        "is not a score of this COWS item (0, 1, 2, 3 or 5)",
    ),
    (
        "cows_items.tremor",
        "is not a score of this COWS item (0, 1, 2 or 4)",
    ),
    (
        "cows_items.yawning",
        "is not a score of this COWS item (0, 1, 2 or 4)",
    ),
    (
        "cows_items.anxiety_or_irritability",
        "is not a score of this COWS item (0, 1, 2 or 4)",
    ),
    (
        "cows_items.gooseflesh_skin",
        "is not a score of this COWS item (0, 3 or 5)",
    ),
];

/// The position of each entry whose key an earlier entry already has (entries without a key
/// never repeat). Quadratic, without allocating: lists hold a handful of entries.
fn repeats<'a, T, K: PartialEq>(
    list: &'a [T],
    key: impl Fn(&T) -> Option<K> + 'a,
) -> impl Iterator<Item = usize> + 'a {
    list.iter().enumerate().filter_map(move |(i, x)| {
        let k = key(x)?;
        let before = list.get(..i)?;
        before
            .iter()
            .any(|b| key(b).as_ref() == Some(&k))
            .then_some(i)
    })
}

/// Calls `f` with each conflict, in form order, until `f` returns `true`; returns whether it
/// did.
#[inline]
pub(crate) fn visit_conflicts(i: &Intake, mut f: impl FnMut(Conflict) -> bool) -> bool {
    let is = |a: Option<Assessed<bool>>, v: bool| a == Some(Assessed::Answer(v));
    let s = &i.safety;
    if is(s.harm_target_identified, true)
        && s.harm_to_others == Some(Assessed::Answer(HarmToOthers::None))
        && f(item(
            "safety.harm_target_identified",
            "is `true`, but `safety.harm_to_others` is `none`",
        ))
    {
        return true;
    }
    if screener_conflicts(i, &mut f) {
        return true;
    }
    for (t, at, items) in [
        (score::phq9(i), "severity.phq9", "severity.phq9_items"),
        (score::gad7(i), "severity.gad7", "severity.gad7_items"),
    ] {
        if total(At::Item(at), t, items).is_some_and(&mut f) {
            return true;
        }
    }
    let w = &i.withdrawal;
    if is(w.seizure_this_episode, true)
        && is(w.seizure_or_dt_history, false)
        && f(item(
            "withdrawal.seizure_or_dt_history",
            "is `false`, but `withdrawal.seizure_this_episode` is `true`: a seizure in this episode is part of the lifetime history",
        ))
    {
        return true;
    }
    if let Some(list) = &i.substance_use {
        if w.pawss.is_some()
            && !list.iter().any(|s| s.substance == Substance::Alcohol)
            && f(item(
                "withdrawal.pawss",
                "predicts alcohol withdrawal, and `substance_use` lists no alcohol",
            ))
        {
            return true;
        }
        for (index, s) in list.iter().enumerate() {
            if substance_conflicts(index, s, &mut f) {
                return true;
            }
        }
        // One entry per substance; sedatives once per benzodiazepine; `other` as often as
        // there are other substances.
        let key = |s: &SubstanceUse| {
            (s.substance != Substance::Other).then_some((s.substance, s.benzodiazepine))
        };
        for index in repeats(list, key) {
            if f(entry(
                "substance_use",
                index,
                "substance",
                "is listed twice: give one entry per substance (per benzodiazepine for sedatives)",
            )) {
                return true;
            }
        }
    }
    if medication_conflicts(&i.medication, &mut f) {
        return true;
    }
    if let Some(conditions) = &i.severity.conditions {
        for index in repeats(conditions, |c| Some(c.condition)) {
            if f(entry(
                "severity.conditions",
                index,
                "condition",
                "is listed twice: give one entry per condition",
            )) {
                return true;
            }
        }
    }
    if matches!(i.history.current_setting, Some(Setting::None))
        && i.history.progress.is_some()
        && f(item(
            "history.progress",
            "is asked only of a person in treatment, and `history.current_setting` is `none`",
        ))
    {
        return true;
    }
    if i.age.is_some_and(|a| a >= 18) {
        let a = &i.adolescent;
        for (given, path) in [
            (a.guardian_consent.is_some(), "adolescent.guardian_consent"),
            (a.school.is_some(), "adolescent.school"),
            (
                a.caregiver_involvement.is_some(),
                "adolescent.caregiver_involvement",
            ),
        ] {
            if given && f(item(path, "is asked only of a person under 18")) {
                return true;
            }
        }
    }
    false
}

fn answered<T: Copy>(a: Option<Assessed<T>>) -> Option<T> {
    a.and_then(|a| a.answer().copied())
}

/// The C-SSRS screener: a question its skip logic leaves out answered, and a suicide item
/// given beside the screener that disagrees with it.
fn screener_conflicts(i: &Intake, f: &mut impl FnMut(Conflict) -> bool) -> bool {
    let Some(c) = score::given(&i.safety.cssrs) else {
        return false;
    };
    let no = Some(Assessed::Answer(false));
    let skipped = [
        (
            c.nonspecific_thoughts == no && c.method.is_some(),
            "safety.cssrs.method",
        ),
        (
            c.nonspecific_thoughts == no && c.intent.is_some(),
            "safety.cssrs.intent",
        ),
        (
            c.nonspecific_thoughts == no && c.plan.is_some(),
            "safety.cssrs.plan",
        ),
    ];
    for (bad, path) in skipped {
        if bad
            && f(item(
                path,
                "is asked only after a yes to `safety.cssrs.nonspecific_thoughts`, which is no",
            ))
        {
            return true;
        }
    }
    if c.behavior == no
        && c.behavior_past_3_months.is_some()
        && f(item(
            "safety.cssrs.behavior_past_3_months",
            "is asked only after a yes to `safety.cssrs.behavior`, which is no",
        ))
    {
        return true;
    }
    // A direct answer below a rung the screener answered yes, or on a rung it answered no,
    // contradicts it (also when the screener is incomplete).
    let given_ideation = answered(i.safety.suicidal_ideation);
    let scored_ideation = score::cssrs_ideation(c).and_then(|a| a.answer().copied());
    let below_a_yes = given_ideation
        .zip(score::cssrs_highest_yes(c))
        .is_some_and(|(given, yes)| given < yes);
    let on_a_no = given_ideation.is_some_and(|given| score::cssrs_said_no(c, given));
    let differs = given_ideation.is_some()
        && scored_ideation.is_some()
        && !score::cssrs_ideation_floor_only(c)
        && given_ideation != scored_ideation;
    if (below_a_yes || on_a_no || differs)
        && f(item(
            "safety.suicidal_ideation",
            "disagrees with the C-SSRS screener's items in `safety.cssrs`",
        ))
    {
        return true;
    }
    let given_behavior = answered(i.safety.suicidal_behavior);
    let yes = Some(Assessed::Answer(true));
    let contradicts = match given_behavior {
        None => false,
        Some(Recency::Never) => c.behavior == yes,
        Some(Recency::Lifetime) => c.behavior == no || c.behavior_past_3_months == yes,
        Some(Recency::Past3Months) => c.behavior == no || c.behavior_past_3_months == no,
    };
    contradicts
        && f(item(
            "safety.suicidal_behavior",
            "disagrees with the C-SSRS screener's items in `safety.cssrs`",
        ))
}

fn substance_conflicts(
    index: usize,
    s: &SubstanceUse,
    f: &mut impl FnMut(Conflict) -> bool,
) -> bool {
    let alcohol = s.substance == Substance::Alcohol;
    let sedatives = s.substance == Substance::Sedatives;
    let entry_at = |key| At::Entry {
        group: "substance_use",
        index,
        key,
    };
    if total(entry_at("ciwa_ar"), score::ciwa_ar(s), "ciwa_ar_items").is_some_and(&mut *f)
        || total(entry_at("cows"), score::cows(s), "cows_items").is_some_and(&mut *f)
    {
        return true;
    }
    if let Some(items) = score::given(&s.cows_items) {
        let values = score::cows_values(items);
        for (((value, _), scores), (key, reason)) in
            values.iter().zip(score::COWS_SCORES).zip(COWS_KEYS)
        {
            if value.is_some_and(|v| !scores.contains(&v))
                && f(entry("substance_use", index, key, reason))
            {
                return true;
            }
        }
    }
    let checks = [
        (
            s.dsm5_criteria.is_none() && s.severity.is_none(),
            "dsm5_criteria",
            "is unanswered, and so is `severity`: give the count, or the severity when the count is unknown",
        ),
        (
            matches!((s.dsm5_criteria, s.severity), (Some(n), Some(sev)) if SudSeverity::of_count(n) != sev),
            "severity",
            "disagrees with `dsm5_criteria` (0-1 criteria: no disorder, 2-3 mild, 4-5 moderate, 6 or more severe)",
        ),
        (
            s.remission == Some(Remission::Sustained)
                && s.sud_severity()
                    .is_some_and(|sev| sev > SudSeverity::NoDisorder),
            "remission",
            "is `sustained` (no criterion but craving for 12 months or more), but the count or severity says criteria were met in the past 12 months",
        ),
        (
            s.on_maintenance_therapy && s.substance != Substance::Opioids,
            "on_maintenance_therapy",
            "is a specifier of opioid use disorder only",
        ),
        (
            s.drinks_per_day.is_some() && !alcohol,
            "drinks_per_day",
            "is asked for alcohol only",
        ),
        (
            s.benzodiazepine.is_some() && !sedatives,
            "benzodiazepine",
            "is asked for sedatives only",
        ),
        (
            s.daily_dose_mg.is_some() && !sedatives,
            "daily_dose_mg",
            "is asked for sedatives only",
        ),
        (
            s.ciwa_ar.is_some() && !alcohol && !sedatives,
            "ciwa_ar",
            "does not apply: CIWA-Ar measures alcohol withdrawal (and sedative withdrawal only as a proxy)",
        ),
        (
            s.cows.is_some() && s.substance != Substance::Opioids,
            "cows",
            "does not apply: COWS measures opioid withdrawal",
        ),
        (
            score::given(&s.ciwa_ar_items).is_some() && !alcohol && !sedatives,
            "ciwa_ar_items",
            "do not apply: CIWA-Ar measures alcohol withdrawal (and sedative withdrawal only as a proxy)",
        ),
        (
            score::given(&s.cows_items).is_some() && s.substance != Substance::Opioids,
            "cows_items",
            "do not apply: COWS measures opioid withdrawal",
        ),
    ];
    checks
        .into_iter()
        .any(|(bad, key, reason)| bad && f(entry("substance_use", index, key, reason)))
}

fn medication_conflicts(m: &Medication, f: &mut impl FnMut(Conflict) -> bool) -> bool {
    let none_oud = matches!(m.opioid_use_disorder, None | Some(OudMedication::None));
    let none_aud = matches!(m.alcohol_use_disorder, None | Some(AudMedication::None));
    let checks = [
        (
            m.opioid_use_disorder_adherence.is_some() && none_oud,
            "medication.opioid_use_disorder_adherence",
            "is asked only with a medication in `medication.opioid_use_disorder`",
        ),
        (
            m.alcohol_use_disorder_adherence.is_some() && none_aud,
            "medication.alcohol_use_disorder_adherence",
            "is asked only with a medication in `medication.alcohol_use_disorder`",
        ),
    ];
    checks
        .into_iter()
        .any(|(bad, path, reason)| bad && f(item(path, reason)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cows_keys_follow_the_scale_s_items() {
        for (((key, reason), name), scores) in COWS_KEYS
            .iter()
            .zip(score::COWS_ITEMS)
            .zip(score::COWS_SCORES)
        {
            assert_eq!(key.strip_prefix("cows_items."), Some(name));
            let max = scores.last().copied().unwrap_or(0);
            assert!(reason.contains(&max.to_string()), "{key}: {reason}");
        }
    }
}
