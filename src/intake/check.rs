//! The checks of an intake that span more than one item: an answer that does not apply
//! given another (a COWS score on an alcohol entry, an adherence with no medication, progress
//! when not in treatment, adolescent items for an adult) and answers that contradict each
//! other (a DSM-5 count and a severity that disagree, a substance listed twice). The checks of
//! one item (required, range) are the catalogue's.

use super::{Intake, Medication, OudMedication, Setting, Substance, SubstanceUse};
use crate::catalogue::At;
use crate::intake::AudMedication;

/// An answer that does not fit the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// Where.
    pub(crate) at: At,
    /// Why, completing a sentence that starts with the field's path.
    pub(crate) reason: &'static str,
}

const SUBSTANCES: &str = "substance_use";

fn entry(index: usize, key: &'static str, reason: &'static str) -> Conflict {
    Conflict {
        at: At::Entry {
            group: SUBSTANCES,
            index,
            key,
        },
        reason,
    }
}

/// Calls `f` with each conflict, in form order, until `f` returns `true`; returns whether it
/// did.
#[inline]
pub(crate) fn visit_conflicts(i: &Intake, mut f: impl FnMut(Conflict) -> bool) -> bool {
    if let Some(list) = &i.substance_use {
        for (index, s) in list.iter().enumerate() {
            if substance_conflicts(index, s, &mut f) {
                return true;
            }
            let twice = list
                .get(..index)
                .is_some_and(|before| before.iter().any(|b| b.substance == s.substance));
            if twice
                && f(entry(
                    index,
                    "substance",
                    "is listed twice: give one entry per substance",
                ))
            {
                return true;
            }
        }
    }
    if medication_conflicts(&i.medication, &mut f) {
        return true;
    }
    if let Some(conditions) = &i.severity.conditions {
        for (index, c) in conditions.iter().enumerate() {
            let twice = conditions
                .get(..index)
                .is_some_and(|before| before.iter().any(|b| b.condition == c.condition));
            if twice
                && f(Conflict {
                    at: At::Entry {
                        group: "severity.conditions",
                        index,
                        key: "condition",
                    },
                    reason: "is listed twice: give one entry per condition",
                })
            {
                return true;
            }
        }
    }
    if matches!(i.history.current_setting, Some(Setting::None))
        && i.history.progress.is_some()
        && f(Conflict {
            at: At::Item("history.progress"),
            reason: "is asked only of a person in treatment, and `history.current_setting` is `none`",
        })
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
            if given
                && f(Conflict {
                    at: At::Item(path),
                    reason: "is asked only of a person under 18",
                })
            {
                return true;
            }
        }
    }
    false
}

fn substance_conflicts(
    index: usize,
    s: &SubstanceUse,
    f: &mut impl FnMut(Conflict) -> bool,
) -> bool {
    let alcohol = s.substance == Substance::Alcohol;
    let sedatives = s.substance == Substance::Sedatives;
    let checks = [
        (
            s.dsm5_criteria.is_none() && s.severity.is_none(),
            "dsm5_criteria",
            "is unanswered, and so is `severity`: give the count, or the severity when the count is unknown",
        ),
        (
            matches!((s.dsm5_criteria, s.severity), (Some(n), Some(sev)) if super::SudSeverity::of_count(n) != sev),
            "severity",
            "disagrees with `dsm5_criteria` (0-1 criteria: no disorder, 2-3 mild, 4-5 moderate, 6 or more severe)",
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
    ];
    checks
        .into_iter()
        .any(|(bad, key, reason)| bad && f(entry(index, key, reason)))
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
    checks.into_iter().any(|(bad, path, reason)| {
        bad && f(Conflict {
            at: At::Item(path),
            reason,
        })
    })
}
