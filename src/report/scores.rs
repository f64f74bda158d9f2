//! The instruments an intake carries, as the report describes them: each total, where it
//! comes from (given, scored from its items, or both and checked), and the items a partial
//! instrument still lacks; the C-SSRS screener's triage; and answers to reconcile before the
//! placement is relied on. Computed from the intake by `intake::score`, the one place that
//! scores; here only described. Written without allocating when nothing is scored, so the
//! JSON writer can call it on every report.

use crate::intake::score::{self, Items, Total};
use crate::intake::{Assessed, Frequency, Intake, SuicidalIdeation};

/// Where an instrument's total is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// An item of the intake, by path.
    Item(&'static str),
    /// An item of a substance entry: `substance_use[index].key`.
    Entry(usize, &'static str),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Item(path) => f.write_str(path),
            Place::Entry(index, key) => write!(f, "substance_use[{index}].{key}"),
        }
    }
}

/// One instrument, as the report describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    /// `phq9`, `gad7`, `ciwa_ar`, `cows` or `cssrs`.
    pub(crate) instrument: &'static str,
    /// Its total's place (the screener's group for the C-SSRS).
    pub(crate) at: Place,
    /// The total, when there is one.
    pub(crate) total: Option<u32>,
    /// `given`, `items` or `given_and_items`.
    pub(crate) from: &'static str,
    /// Its items' places (full paths, or names within the entry's `prefix` group), and
    /// which are missing.
    pub(crate) names: &'static [&'static str],
    pub(crate) prefix: &'static str,
    pub(crate) missing: u32,
    /// The C-SSRS screener's triage.
    pub(crate) risk: Option<&'static str>,
}

impl Line {
    /// The paths of the items still missing.
    pub(crate) fn missing_items(&self) -> impl Iterator<Item = Missing> + '_ {
        self.names
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                self.missing
                    .checked_shr(*k as u32)
                    .is_some_and(|m| m & 1 == 1)
            })
            .map(|(_, name)| match self.at {
                Place::Item(_) => Missing(None, "", name),
                Place::Entry(index, _) => Missing(Some(index), self.prefix, name),
            })
    }
}

/// A missing item's path: its own, or `substance_use[index].prefixname`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Missing(Option<usize>, &'static str, &'static str);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(index) => write!(f, "substance_use[{index}].{}{}", self.1, self.2),
            None => f.write_str(self.2),
        }
    }
}

const CSSRS_ITEMS: [&str; 7] = [
    "safety.cssrs.wish_to_be_dead",
    "safety.cssrs.nonspecific_thoughts",
    "safety.cssrs.method",
    "safety.cssrs.intent",
    "safety.cssrs.plan",
    "safety.cssrs.behavior",
    "safety.cssrs.behavior_past_3_months",
];

fn line(
    instrument: &'static str,
    at: Place,
    t: Total,
    (prefix, names): (&'static str, &'static [&'static str]),
) -> Option<Line> {
    Some(Line {
        instrument,
        at,
        total: t.value(),
        from: t.source()?.as_str(),
        names,
        prefix,
        missing: t.items.map_or(0, |i: Items| i.missing),
        risk: None,
    })
}

/// Calls `f` with each instrument the intake carries, in form order.
pub(crate) fn for_each_line(i: &Intake, mut f: impl FnMut(Line)) {
    if let Some(c) = score::given(&i.safety.cssrs) {
        let asked_q3_5 = c.nonspecific_thoughts != Some(Assessed::Answer(false));
        let asked_6a = c.behavior == Some(Assessed::Answer(true));
        let needed = [
            c.wish_to_be_dead.is_none(),
            c.nonspecific_thoughts.is_none(),
            asked_q3_5 && c.method.is_none(),
            asked_q3_5 && c.intent.is_none(),
            asked_q3_5 && c.plan.is_none(),
            c.behavior.is_none(),
            asked_6a && c.behavior_past_3_months.is_none(),
        ];
        let missing = needed
            .iter()
            .enumerate()
            .filter(|(_, m)| **m)
            .fold(0u32, |acc, (k, _)| {
                acc | 1u32.checked_shl(k as u32).unwrap_or(0)
            });
        f(Line {
            instrument: "cssrs",
            at: Place::Item("safety.cssrs"),
            total: None,
            from: "items",
            names: &CSSRS_ITEMS,
            prefix: "",
            missing,
            risk: score::cssrs_risk(c),
        });
    }
    for (instrument, path, t, names) in [
        (
            "phq9",
            "severity.phq9",
            // Item 9 alone bounds a given total, but is no item-by-item PHQ-9 to report.
            Total {
                items: score::phq9(i)
                    .items
                    .filter(|_| score::given(&i.severity.phq9_items).is_some()),
                ..score::phq9(i)
            },
            ("", &score::PHQ9_ITEMS[..]),
        ),
        (
            "gad7",
            "severity.gad7",
            score::gad7(i),
            ("", &score::GAD7_ITEMS[..]),
        ),
    ] {
        if let Some(l) = line(instrument, Place::Item(path), t, names) {
            f(l);
        }
    }
    for (index, s) in i.substance_use.iter().flatten().enumerate() {
        for (instrument, key, t, names) in [
            (
                "ciwa_ar",
                "ciwa_ar",
                score::ciwa_ar(s),
                ("ciwa_ar_items.", &score::CIWA_AR_ITEMS[..]),
            ),
            (
                "cows",
                "cows",
                score::cows(s),
                ("cows_items.", &score::COWS_ITEMS[..]),
            ),
        ] {
            if let Some(l) = line(instrument, Place::Entry(index, key), t, names) {
                f(l);
            }
        }
    }
}

/// An answer to reconcile before the placement is relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caution {
    /// A stable code.
    pub(crate) code: &'static str,
    /// What to do, for a clinician.
    pub(crate) message: &'static str,
}

/// Calls `f` with each caution the intake raises.
pub(crate) fn for_each_caution(i: &Intake, mut f: impl FnMut(Caution)) {
    if score::given(&i.safety.cssrs).is_some_and(score::cssrs_floor_only) {
        f(Caution {
            code: "cssrs_declined_above_a_yes",
            message: "a C-SSRS screener item above a yes was declined or could not be assessed: the yes is only a floor, so the suicide item it scores is not obtained, the rules reading it wait and the triage is left open; a yes still calls for a safety plan and the crisis line, and the item must be asked again before relying on this placement",
        });
    }
    let item9 = i.safety.phq9_item9.and_then(|a| a.answer().copied());
    let ideation = score::suicidal_ideation(i).and_then(|a| a.answer().copied());
    if item9.is_some_and(|v| v > Frequency::NotAtAll) && ideation == Some(SuicidalIdeation::None) {
        f(Caution {
            code: "phq9_item9_positive_without_suicidal_ideation",
            message: "PHQ-9 item 9 is positive, but suicidal ideation is recorded as none: reconcile the two (ask the suicide screen again) before relying on this placement",
        });
    }
}
