//! The catalogue of intake items: the one place that says, for each item of the intake (and
//! of its FHIR form), its path, its type (a range, the choices), when it is required, its
//! question, its one-line description and its LOINC code where one exists.
//!
//! Everything else that needs these facts is generated from it:
//!
//! - the completeness and range checks: [`visit_missing`] and [`visit_out_of_range`], code
//!   generated per item and used by `Intake::missing_required`, `RulePack::check` and the
//!   fused fast path of `RulePack::assess`;
//! - the name, kind, required flag and description of every built-in answer that is an item
//!   (`carelevel::answers()`, in `answer.rs`, which adds what rules need beyond an item: which
//!   direction is worse, and the answers derived from several items);
//! - the FHIR `Questionnaire`, and the reading and writing of a `QuestionnaireResponse`, which
//!   walk [`ITEMS`] (`fhir.rs`);
//! - the README's intake table (`markdown_table`, which a test holds the README to).
//!
//! A choice's options are typed once, as the serde names of its enum: [`choices!`] defines
//! the enum and gives it [`Choice::IDS`]. The JSON Schema is derived from the intake's types,
//! whose `#[schemars(range)]` attributes a test holds equal to the ranges here.
//!
//! **Adding an item** is one entry below plus its field in the intake's structs: the entry's
//! path is written as the Rust field path, so the compiler checks that the field exists and
//! has the type the entry says (`Option<u32>` for `int`, `Option<T>` for `choice(T)`, ...).
//!
//! An entry reads `path: type [required], "question" [| "description"] [, loinc(code, display)];`
//!
//! - `path`: the dotted field path, which is also the FHIR linkId; `group[].item` for an item
//!   of each entry of a repeating group.
//! - `type`: `int(min, max)`, `bool`, `flag` (yes/no, absent means no), `choice(Enum)`,
//!   `choices(Enum)` (any number of them), `text` (free text), `group`, `groups` (a repeating
//!   group) or `none_of(path)` (a form-only yes/no meaning "the repeating group at `path` has
//!   no entries", which a FHIR response cannot otherwise say).
//! - `required` (always), `required_in_treatment` (unless `history.current_setting` is
//!   `none`), or nothing (never). In an entry of a repeating group, `required` means the field
//!   is not an `Option`: serde then refuses an entry without it.
//! - the question is the form's text; the description, when it differs, is the one line a
//!   report and the README show (it defaults to the question).

use crate::Level;
use crate::intake::{
    Adherence, ArrangedHousing, AudMedication, Benzodiazepine, CaregiverInvolvement,
    ClinicianRating, Commitment, ConditionKind, ConditionSeverity, EpisodeLevel, Frequency,
    GuardianConsent, HarmToOthers, Housing, Intake, LethalMeans, Mandate, MedicalStatus,
    MedicationSetting, OudMedication, Outcome, Overdose, Pregnancy, Progress,
    PsychiatricMedication, Psychosis, Recency, Remission, RequestedIntensity, SchoolStatus,
    SelfManagement, Setting, StageOfChange, Substance, SudSeverity, SuicidalIdeation, WorkSchedule,
};

/// The type of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A whole number in `min..=max`.
    Int {
        /// Smallest valid value.
        min: u32,
        /// Largest valid value.
        max: u32,
    },
    /// Yes or no; may be unanswered.
    Bool,
    /// Yes or no, where absent means no (it is never unanswered).
    Flag,
    /// One of these choices (an enum's serde names, in declaration order).
    Choice(&'static [&'static str]),
    /// Any number of these choices.
    Choices(&'static [&'static str]),
    /// Free text.
    Text,
    /// A group of items.
    Group,
    /// A group that repeats: a list of entries.
    Groups,
    /// A form-only yes/no: "the repeating group at this path has no entries".
    NoneOf(&'static str),
}

/// When an item must be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Required {
    /// Always.
    Always,
    /// When the person is in treatment: `history.current_setting` is answered and not `none`.
    InTreatment,
    /// Always, where the C-SSRS screener's items (`safety.cssrs`) do not answer it.
    UnlessScreened,
    /// Never.
    Never,
}

impl Required {
    /// Whether the item must be answered in this intake.
    #[inline(always)]
    pub(crate) fn applies(self, intake: &Intake) -> bool {
        match self {
            Required::Always => true,
            Required::InTreatment => {
                !matches!(intake.history.current_setting, None | Some(Setting::None))
            }
            // The item's own check asks whether the screener answers it.
            Required::UnlessScreened => true,
            Required::Never => false,
        }
    }
}

/// One item of the intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item {
    /// The dotted path, e.g. `safety.suicidal_ideation` (also the FHIR linkId).
    pub(crate) path: &'static str,
    /// Its type.
    pub(crate) kind: Kind,
    /// When it must be answered.
    pub(crate) required: Required,
    /// The question, as the form asks it.
    pub(crate) question: &'static str,
    /// What it means, in one line (a report's and the README's wording).
    pub(crate) description: &'static str,
    /// The LOINC code and display of the question, where one exists.
    pub(crate) loinc: Option<(&'static str, &'static str)>,
    /// Whether it also takes `declined` or `unable_to_assess` (a safety item, read through
    /// [`crate::intake::Assessed`]), which a rule reads as unknown.
    pub(crate) declinable: bool,
}

// The tree walk serves the FHIR adapter and the catalogue's own tests.
#[cfg(any(feature = "fhir", test))]
impl Item {
    /// The last segment of the path: the item's key in its group's JSON object.
    pub(crate) fn key(&self) -> &'static str {
        key_of(self.path)
    }

    /// The path of the group holding the item, `""` at the top level.
    pub(crate) fn parent(&self) -> &'static str {
        self.path.rsplit_once('.').map_or("", |(parent, _)| parent)
    }

    /// The items directly inside this one (a group's or a repeating group's), in order.
    pub(crate) fn children(&self) -> impl Iterator<Item = &'static Item> {
        children_of(self.path)
    }
}

/// The last segment of a dotted path: its key in its group's JSON object.
#[cfg(any(feature = "fhir", test))]
pub(crate) fn key_of(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The items directly inside the group at `parent` (`""` for the top level), in order.
#[cfg(any(feature = "fhir", test))]
pub(crate) fn children_of(parent: &str) -> impl Iterator<Item = &'static Item> {
    ITEMS.iter().filter(move |i| i.parent() == parent)
}

/// An enum of choices: its serde names in declaration order, and a value's position.
pub(crate) trait Choice: Copy {
    /// The serde name of every choice, in declaration order (least to most severe where the
    /// choices are ordered).
    const IDS: &'static [&'static str];
    /// This choice's position in [`Choice::IDS`].
    fn rank(self) -> u8;
}

/// Defines a closed set of choices for an intake item: the enum (serde names given once,
/// per variant) and its [`Choice`] implementation. Derives every trait a choice needs; add
/// `#[derive(PartialOrd, Ord)]` for an ordered scale.
macro_rules! choices {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $id:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            schemars::JsonSchema,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $id)] $variant, )+
        }

        impl $name {
            /// Every choice, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];
        }

        impl $crate::intake::AssessedAnswer for $name {
            const EXPECTED: &'static str =
                concat!("one of ", $( "`", $id, "`, ", )+ "`declined` or `unable_to_assess`");
        }

        impl $crate::catalogue::Choice for $name {
            const IDS: &'static [&'static str] = &[ $( $id ),+ ];

            #[inline(always)]
            fn rank(self) -> u8 {
                self as u8
            }
        }
    };
}
pub(crate) use choices;

/// The levels of care as choices (`Level` is not an intake enum: its serde names are its
/// `as_str`, which a unit test holds equal to the ones listed here).
impl Choice for Level {
    const IDS: &'static [&'static str] = &[
        Level::Outpatient.as_str(),
        Level::Iop.as_str(),
        Level::Php.as_str(),
        Level::Inpatient.as_str(),
    ];

    fn rank(self) -> u8 {
        self as u8
    }
}

/// A number of an item that may hold one (`Option<u32>`, or `u32` inside an entry).
pub(crate) trait Number {
    /// The number, when answered.
    fn number(&self) -> Option<u32>;
}

impl Number for Option<u32> {
    #[inline(always)]
    fn number(&self) -> Option<u32> {
        *self
    }
}

impl Number for u32 {
    #[inline(always)]
    fn number(&self) -> Option<u32> {
        Some(*self)
    }
}

/// The entries of a repeating group (`Vec<T>`, or `Option<Vec<T>>` when it may be unasked).
pub(crate) trait Entries {
    /// One entry.
    type Entry;
    /// The entries, none when unasked.
    fn entries(&self) -> &[Self::Entry];
}

impl<T> Entries for Vec<T> {
    type Entry = T;
    #[inline(always)]
    fn entries(&self) -> &[T] {
        self
    }
}

impl<T> Entries for Option<Vec<T>> {
    type Entry = T;
    #[inline(always)]
    fn entries(&self) -> &[T] {
        self.as_deref().unwrap_or_default()
    }
}

/// Where a number is out of range: an item, or an item of one entry of a repeating group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// The item at this path.
    Item(&'static str),
    /// `group[index].key`.
    Entry {
        /// The repeating group's path.
        group: &'static str,
        /// The entry's position.
        index: usize,
        /// The item's path within the entry.
        key: &'static str,
    },
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            At::Item(path) => f.write_str(path),
            At::Entry { group, index, key } => write!(f, "{group}[{index}].{key}"),
        }
    }
}

/// A number outside its item's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfRange {
    /// Where.
    pub(crate) at: At,
    /// The value given.
    pub(crate) value: u32,
    /// Smallest valid value.
    pub(crate) min: u32,
    /// Largest valid value.
    pub(crate) max: u32,
}

#[inline(always)]
fn outside(value: u32, min: u32, max: u32) -> bool {
    value < min || value > max
}

/// The item at `path`, if there is one (usable in constants).
pub(crate) const fn find(path: &str) -> Option<&'static Item> {
    let mut rest = ITEMS;
    while let Some((item, tail)) = rest.split_first() {
        if same(item.path, path) {
            return Some(item);
        }
        rest = tail;
    }
    None
}

const fn same(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.split_first(), b.split_first()) {
            (Some((x, a_rest)), Some((y, b_rest))) if *x == *y => {
                a = a_rest;
                b = b_rest;
            }
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Defines [`ITEMS`], [`visit_missing`], [`visit_out_of_range`] and a compile-time check of
/// every entry's path and Rust type. The grammar is in the module documentation.
macro_rules! items {
    (
        $(
            $($seg:ident).+ $([] $(. $sub:ident)+)? :
            $kind:ident $(($($arg:tt)*))? $($req:ident)? ,
            $question:literal $(| $description:literal)?
            $(, loinc($code:literal, $display:literal))? ;
        )+
    ) => {
        /// Every item, in form order: a group is followed by its items.
        pub(crate) const ITEMS: &[Item] = &[
            $( Item {
                path: items!(@path $($seg).+ $($(. $sub)+)?),
                kind: items!(@kind $kind $(($($arg)*))?),
                required: items!(@required $($req)?),
                question: $question,
                description: items!(@or $($description)? ; $question),
                loinc: items!(@loinc $(($code, $display))?),
                declinable: items!(@declinable $kind),
            }, )+
        ];

        /// Calls `f` with the path of each item that is required in this intake and
        /// unanswered, in form order, until `f` returns `true`; returns whether it did.
        #[inline(always)]
        pub(crate) fn visit_missing(i: &Intake, mut f: impl FnMut(&'static str) -> bool) -> bool {
            $( items!(@missing i f [$($req)?] [$($seg).+] [$($($sub).+)?]); )+
            false
        }

        /// Calls `f` with each number outside its item's range until `f` returns `true`, and
        /// returns whether it did: first the items in form order, then each repeating group's
        /// entries in order.
        #[inline(always)]
        pub(crate) fn visit_out_of_range(
            i: &Intake,
            mut f: impl FnMut(OutOfRange) -> bool,
        ) -> bool {
            $( items!(@range i f [$kind $(($($arg)*))?] [$($seg).+] [$($($sub).+)?]); )+
            $( items!(@entry_range i f [$kind $(($($arg)*))?] [$($seg).+] [$($($sub).+)?]); )+
            false
        }

        // Each entry's path names a field of the intake of the type its entry says.
        const _: fn(&Intake) = |i| {
            $( items!(@typed i [$kind $(($($arg)*))?] [$($req)?] [$($seg).+] [$($($sub).+)?]); )+
        };
    };

    (@path $first:ident $(. $rest:ident)*) => {
        concat!(stringify!($first) $(, ".", stringify!($rest))*)
    };

    (@kind assessed($($inner:tt)+)) => { items!(@kind $($inner)+) };
    (@kind int($min:literal, $max:literal)) => { Kind::Int { min: $min, max: $max } };
    (@kind bool) => { Kind::Bool };
    (@kind flag) => { Kind::Flag };
    (@kind choice($t:ty)) => { Kind::Choice(<$t as Choice>::IDS) };
    (@kind choices($t:ty)) => { Kind::Choices(<$t as Choice>::IDS) };
    (@kind text) => { Kind::Text };
    (@kind group) => { Kind::Group };
    (@kind groups) => { Kind::Groups };
    (@kind none_of($($seg:ident).+)) => { Kind::NoneOf(items!(@path $($seg).+)) };

    (@declinable assessed) => { true };
    (@declinable $other:ident) => { false };

    (@required) => { Required::Never };
    (@required required) => { Required::Always };
    (@required required_in_treatment) => { Required::InTreatment };
    (@required required_unless_screened) => { Required::UnlessScreened };

    (@or $description:literal ; $question:literal) => { $description };
    (@or ; $question:literal) => { $question };

    (@loinc) => { None };
    (@loinc ($code:literal, $display:literal)) => { Some(($code, $display)) };

    // Items of an entry of a repeating group are required by their type (not an `Option`).
    (@missing $i:ident $f:ident [required_unless_screened] [$($seg:ident).+] []) => {
        if $i.$($seg).+.is_none()
            && !crate::intake::score::screened($i, items!(@path $($seg).+))
            && $f(items!(@path $($seg).+))
        {
            return true;
        }
    };
    (@missing $i:ident $f:ident [$req:ident] [$($seg:ident).+] []) => {
        if items!(@required $req).applies($i)
            && $i.$($seg).+.is_none()
            && $f(items!(@path $($seg).+))
        {
            return true;
        }
    };
    (@missing $($other:tt)*) => {};

    (@range $i:ident $f:ident [int($min:literal, $max:literal)] [$($seg:ident).+] []) => {
        if let Some(value) = Number::number(&$i.$($seg).+) {
            if outside(value, $min, $max) && $f(OutOfRange {
                at: At::Item(items!(@path $($seg).+)),
                value,
                min: $min,
                max: $max,
            }) {
                return true;
            }
        }
    };
    (@range $($other:tt)*) => {};

    (@entry_range $i:ident $f:ident [int($min:literal, $max:literal)] [$($seg:ident).+]
        [$($sub:ident).+]) => {
        for (index, entry) in Entries::entries(&$i.$($seg).+).iter().enumerate() {
            if let Some(value) = Number::number(&entry.$($sub).+) {
                if outside(value, $min, $max) && $f(OutOfRange {
                    at: At::Entry {
                        group: items!(@path $($seg).+),
                        index,
                        key: items!(@path $($sub).+),
                    },
                    value,
                    min: $min,
                    max: $max,
                }) {
                    return true;
                }
            }
        }
    };
    (@entry_range $($other:tt)*) => {};

    (@typed $i:ident [none_of $($x:tt)*] $($other:tt)*) => {};
    (@typed $i:ident [group] [] [$($seg:ident).+] []) => { let _ = &$i.$($seg).+; };
    (@typed $i:ident [groups] [] [$($seg:ident).+] []) => {
        let _ = Entries::entries(&$i.$($seg).+);
    };
    (@typed $i:ident [flag] [] [$($seg:ident).+] []) => { let _: &bool = &$i.$($seg).+; };
    (@typed $i:ident [choices($t:ty)] [] [$($seg:ident).+] []) => {
        let _: &Vec<$t> = &$i.$($seg).+;
    };
    (@typed $i:ident [$($kind:tt)+] [$($req:ident)?] [$($seg:ident).+] []) => {
        let _: &Option<items!(@type $($kind)+)> = &$i.$($seg).+;
    };
    (@typed $i:ident [group] [] [$($seg:ident).+] [$($sub:ident).+]) => {
        for entry in Entries::entries(&$i.$($seg).+) {
            let _ = &entry.$($sub).+;
        }
    };
    (@typed $i:ident [flag] [] [$($seg:ident).+] [$($sub:ident).+]) => {
        for entry in Entries::entries(&$i.$($seg).+) {
            let _: &bool = &entry.$($sub).+;
        }
    };
    (@typed $i:ident [$($kind:tt)+] [required] [$($seg:ident).+] [$($sub:ident).+]) => {
        for entry in Entries::entries(&$i.$($seg).+) {
            let _: &items!(@type $($kind)+) = &entry.$($sub).+;
        }
    };
    (@typed $i:ident [$($kind:tt)+] [] [$($seg:ident).+] [$($sub:ident).+]) => {
        for entry in Entries::entries(&$i.$($seg).+) {
            let _: &Option<items!(@type $($kind)+)> = &entry.$($sub).+;
        }
    };

    (@type assessed($($inner:tt)+)) => { crate::intake::Assessed<items!(@type $($inner)+)> };
    (@type int $($range:tt)*) => { u32 };
    (@type bool) => { bool };
    (@type choice($t:ty)) => { $t };
    (@type text) => { crate::intake::FreeText };
}

items! {
    age: int(0, 120) required, "Age in years" | "age in years";

    safety: group, "Acute safety";
    safety.suicidal_ideation: assessed(choice(SuicidalIdeation)) required_unless_screened,
        "Suicidal ideation in the past month (Columbia screener)"
        | "suicidal ideation in the past month, on the Columbia screener's ladder";
    safety.suicidal_behavior: assessed(choice(Recency)) required_unless_screened,
        "Suicidal behaviour (an attempt, or an interrupted, aborted or prepared one)"
        | "suicidal behaviour: in the past 3 months, earlier in life (lifetime), or never";
    safety.self_injury: assessed(choice(Recency)),
        "Non-suicidal self-injury" | "non-suicidal self-injury: past 3 months, lifetime or never";
    safety.phq9_item9: assessed(choice(Frequency)),
        "PHQ-9 item 9: thoughts of being better off dead or of self-harm, past 2 weeks"
        | "PHQ-9 item 9 (thoughts of being better off dead or of self-harm, past 2 weeks)";
    safety.lethal_means: assessed(choice(LethalMeans)),
        "Access to lethal means"
        | "the most dangerous means of harm to self or others within reach: a firearm, another weapon, or stockpiled medication";
    safety.harm_to_others: assessed(choice(HarmToOthers)) required,
        "Risk of harm to others" | "risk of harm to others";
    safety.harm_target_identified: assessed(bool),
        "Thoughts of harm name an identifiable person"
        | "thoughts of harming others name an identifiable person";
    safety.psychosis: assessed(choice(Psychosis)) required,
        "Psychosis: none, chronic and stable, or acute"
        | "psychosis: none; a long-standing psychotic illness, stable (chronic_stable); or new psychosis or an acute episode, with disorganisation, danger or a marked change (acute)";
    safety.unable_to_self_care: assessed(bool) required,
        "Unable to care for oneself" | "unable to care for oneself: food, fluids, hygiene, safety";
    safety.cssrs: group, "C-SSRS screener, item by item"
        | "the C-SSRS screener's yes/no answers: they score the two suicide items";
    safety.cssrs.wish_to_be_dead: assessed(bool), "C-SSRS screener item 1"
        | "item 1 (past month): a wish to be dead";
    safety.cssrs.nonspecific_thoughts: assessed(bool), "C-SSRS screener item 2"
        | "item 2 (past month): non-specific active suicidal thoughts";
    safety.cssrs.method: assessed(bool), "C-SSRS screener item 3"
        | "item 3 (past month, asked after a yes to item 2): thoughts of a method";
    safety.cssrs.intent: assessed(bool), "C-SSRS screener item 4"
        | "item 4 (past month, asked after a yes to item 2): some intent to act";
    safety.cssrs.plan: assessed(bool), "C-SSRS screener item 5"
        | "item 5 (past month, asked after a yes to item 2): a specific plan, with intent";
    safety.cssrs.behavior: assessed(bool), "C-SSRS screener item 6"
        | "item 6 (lifetime): suicidal behaviour";
    safety.cssrs.behavior_past_3_months: assessed(bool), "C-SSRS screener item 6, past 3 months"
        | "item 6's follow-up (asked after a yes to item 6): in the past 3 months";

    withdrawal: group, "Withdrawal";
    withdrawal.seizure_or_dt_history: assessed(bool) required,
        "History of withdrawal seizures or delirium tremens"
        | "lifetime history of withdrawal seizures or delirium tremens";
    withdrawal.seizure_this_episode: assessed(bool),
        "Withdrawal seizure in this episode" | "a withdrawal seizure in the current episode";
    withdrawal.hallucinations_this_episode: assessed(bool),
        "Hallucinations in this episode of withdrawal"
        | "hallucinations in the current episode of withdrawal";
    withdrawal.delirium_this_episode: assessed(bool),
        "Delirium in this episode of withdrawal" | "delirium in the current episode of withdrawal";
    withdrawal.intoxicated_now: assessed(bool), "Intoxicated now" | "intoxicated now";
    withdrawal.pawss: int(0, 10), "PAWSS total score"
        | "PAWSS (Prediction of Alcohol Withdrawal Severity Scale) total";

    no_substance_use: none_of(substance_use), "Assessed: uses no substance";
    substance_use: groups, "Substance use"
        | "each substance used (an empty list: none; absent: not asked)";
    substance_use[].substance: choice(Substance) required, "Substance";
    substance_use[].dsm5_criteria: int(0, 11),
        "DSM-5 criteria met (past 12 months)" | "DSM-5 criteria met in the past 12 months (give this or the severity)";
    substance_use[].severity: choice(SudSeverity),
        "Disorder severity, when the criteria count is unknown"
        | "the disorder's DSM-5 severity, when the criteria count is unknown";
    substance_use[].remission: choice(Remission), "DSM-5 remission specifier";
    substance_use[].on_maintenance_therapy: flag,
        "On maintenance therapy (DSM-5 specifier)" | "the DSM-5 \"on maintenance therapy\" specifier";
    substance_use[].days_used_past_30: int(0, 30), "Days of use in the past 30";
    substance_use[].hours_since_last_use: int(0, 8760),
        "Hours since last use" | "hours since last use (8760: a year or more)";
    substance_use[].drinks_per_day: int(0, 100),
        "Standard drinks a day" | "standard drinks on a typical day of use (alcohol only)";
    substance_use[].benzodiazepine: choice(Benzodiazepine),
        "Benzodiazepine taken" | "the benzodiazepine taken (sedatives only)";
    substance_use[].daily_dose_mg: int(0, 2000),
        "Daily dose (mg)" | "its daily dose in milligrams (sedatives only)";
    substance_use[].ciwa_ar: int(0, 67), "CIWA-Ar score"
        | "CIWA-Ar alcohol withdrawal score (alcohol; sedatives only as a stated proxy)";
    substance_use[].cows: int(0, 48), "COWS score" | "COWS opioid withdrawal score (opioids only)";
    substance_use[].ciwa_ar_items: group, "CIWA-Ar, item by item"
        | "CIWA-Ar's ten items: they score `ciwa_ar`";
    substance_use[].ciwa_ar_items.nausea_vomiting: int(0, 7), "CIWA-Ar: nausea and vomiting";
    substance_use[].ciwa_ar_items.tremor: int(0, 7), "CIWA-Ar: tremor";
    substance_use[].ciwa_ar_items.paroxysmal_sweats: int(0, 7), "CIWA-Ar: paroxysmal sweats";
    substance_use[].ciwa_ar_items.anxiety: int(0, 7), "CIWA-Ar: anxiety";
    substance_use[].ciwa_ar_items.agitation: int(0, 7), "CIWA-Ar: agitation";
    substance_use[].ciwa_ar_items.tactile_disturbances: int(0, 7),
        "CIWA-Ar: tactile disturbances";
    substance_use[].ciwa_ar_items.auditory_disturbances: int(0, 7),
        "CIWA-Ar: auditory disturbances";
    substance_use[].ciwa_ar_items.visual_disturbances: int(0, 7),
        "CIWA-Ar: visual disturbances";
    substance_use[].ciwa_ar_items.headache: int(0, 7),
        "CIWA-Ar: headache, fullness in the head";
    substance_use[].ciwa_ar_items.orientation: int(0, 4),
        "CIWA-Ar: orientation and clouding of sensorium";
    substance_use[].cows_items: group, "COWS, item by item" | "COWS's eleven items: they score `cows`";
    substance_use[].cows_items.pulse: int(0, 4), "COWS: resting pulse rate" | "resting pulse rate (0, 1, 2 or 4)";
    substance_use[].cows_items.sweating: int(0, 4), "COWS: sweating";
    substance_use[].cows_items.restlessness: int(0, 5), "COWS: restlessness" | "restlessness (0, 1, 3 or 5)";
    substance_use[].cows_items.pupil_size: int(0, 5), "COWS: pupil size" | "pupil size (0, 1, 2 or 5)";
    substance_use[].cows_items.bone_or_joint_aches: int(0, 4), "COWS: bone or joint aches"
        | "bone or joint aches (0, 1, 2 or 4)";
    substance_use[].cows_items.runny_nose_or_tearing: int(0, 4), "COWS: runny nose or tearing"
        | "runny nose or tearing (0, 1, 2 or 4)";
    substance_use[].cows_items.gi_upset: int(0, 5), "COWS: gastrointestinal upset"
        | "gastrointestinal upset (0, 1, 2, 3 or 5)";
    substance_use[].cows_items.tremor: int(0, 4), "COWS: tremor" | "tremor (0, 1, 2 or 4)";
    substance_use[].cows_items.yawning: int(0, 4), "COWS: yawning" | "yawning (0, 1, 2 or 4)";
    substance_use[].cows_items.anxiety_or_irritability: int(0, 4), "COWS: anxiety or irritability"
        | "anxiety or irritability (0, 1, 2 or 4)";
    substance_use[].cows_items.gooseflesh_skin: int(0, 5), "COWS: gooseflesh skin"
        | "gooseflesh skin (0, 3 or 5)";

    medical: group, "Medical";
    medical.status: assessed(choice(MedicalStatus)) required,
        "Medical status" | "today's medical stability: what monitoring any condition needs";
    medical.pregnancy: assessed(choice(Pregnancy)),
        "Pregnant or postpartum" | "pregnant, or within 12 months after a birth";
    medical.injection_use: assessed(bool),
        "Injected drugs in the past 12 months" | "injected drugs in the past 12 months";
    medical.overdose: assessed(choice(Overdose)),
        "Most recent non-fatal overdose" | "the most recent non-fatal overdose (past 90 days, past 12 months, or none)";

    medication: group, "Medication";
    medication.opioid_use_disorder: choice(OudMedication),
        "Medication for opioid use disorder" | "current medication for opioid use disorder";
    medication.opioid_use_disorder_adherence: choice(Adherence),
        "How the opioid use disorder medication is taken";
    medication.alcohol_use_disorder: choice(AudMedication),
        "Medication for alcohol use disorder" | "current medication for alcohol use disorder";
    medication.alcohol_use_disorder_adherence: choice(Adherence),
        "How the alcohol use disorder medication is taken";
    medication.naloxone_on_hand: bool, "Has naloxone on hand" | "has naloxone on hand";
    medication.psychiatric: choice(PsychiatricMedication),
        "Psychiatric medication" | "psychiatric medication: none prescribed, or how it is taken";

    severity: group, "Mental-health severity";
    severity.phq9: int(0, 27), "PHQ-9 total score" | "PHQ-9 depression score",
        loinc("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]");
    severity.gad7: int(0, 21), "GAD-7 total score" | "GAD-7 anxiety score",
        loinc("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]");
    severity.phq9_items: group, "PHQ-9, item by item"
        | "PHQ-9 items 1-8 (item 9 is `safety.phq9_item9`): with item 9 they score `phq9`";
    severity.phq9_items.interest: choice(Frequency), "PHQ-9 item 1: little interest or pleasure";
    severity.phq9_items.feeling_down: choice(Frequency), "PHQ-9 item 2: feeling down or hopeless";
    severity.phq9_items.sleep: choice(Frequency), "PHQ-9 item 3: sleep";
    severity.phq9_items.tiredness: choice(Frequency), "PHQ-9 item 4: tiredness or little energy";
    severity.phq9_items.appetite: choice(Frequency), "PHQ-9 item 5: appetite";
    severity.phq9_items.self_worth: choice(Frequency), "PHQ-9 item 6: feeling bad about oneself";
    severity.phq9_items.concentration: choice(Frequency), "PHQ-9 item 7: concentration";
    severity.phq9_items.psychomotor: choice(Frequency),
        "PHQ-9 item 8: moving or speaking slowly, or restless";
    severity.gad7_items: group, "GAD-7, item by item" | "GAD-7's seven items: they score `gad7`";
    severity.gad7_items.nervous: choice(Frequency), "GAD-7 item 1: nervous, anxious or on edge";
    severity.gad7_items.uncontrolled_worry: choice(Frequency),
        "GAD-7 item 2: unable to stop or control worrying";
    severity.gad7_items.excessive_worry: choice(Frequency), "GAD-7 item 3: worrying too much";
    severity.gad7_items.trouble_relaxing: choice(Frequency), "GAD-7 item 4: trouble relaxing";
    severity.gad7_items.restlessness: choice(Frequency), "GAD-7 item 5: restlessness";
    severity.gad7_items.irritability: choice(Frequency), "GAD-7 item 6: easily annoyed or irritable";
    severity.gad7_items.dread: choice(Frequency),
        "GAD-7 item 7: afraid something awful might happen";
    severity.clinician_rating: choice(ClinicianRating),
        "Clinician's mental-health severity rating" | "clinician's mental-health severity rating";
    severity.no_conditions: none_of(severity.conditions),
        "Assessed: no current mental-health condition";
    severity.conditions: groups, "Current mental-health conditions"
        | "each current mental-health condition (an empty list: none; absent: not asked)";
    severity.conditions[].condition: choice(ConditionKind) required, "Condition";
    severity.conditions[].severity: choice(ConditionSeverity) required, "Its severity";
    severity.impairs_daily_activities: bool,
        "Symptoms stop daily activities" | "symptoms stop daily activities (work, school, self-care)";
    severity.days_impaired_past_30: int(0, 30),
        "Days in the past 30 that symptoms stopped work, school or self-care"
        | "days in the past 30 on which symptoms stopped work, school or self-care";

    self_management: choice(SelfManagement) required,
        "Manages symptoms and cravings outside treatment hours, in a safe, substance-free setting"
        | "how symptoms and cravings are managed outside treatment hours, in a safe, substance-free setting";

    history: group, "Treatment history";
    history.current_setting: choice(Setting) required,
        "Current or just-finished setting" | "current or just-finished treatment setting";
    history.progress: choice(Progress) required_in_treatment,
        "How treatment there is going" | "how treatment at the current setting is going";
    history.medication_setting: choice(MedicationSetting),
        "Medication-only treatment setting" | "a current setting for medication-only treatment";
    history.no_episodes: none_of(history.episodes), "Assessed: no earlier treatment";
    history.episodes: groups, "Earlier treatment episodes"
        | "each earlier episode of treatment (an empty list: none; absent: not asked)";
    history.episodes[].level: choice(EpisodeLevel) required,
        "Level of care" | "its level of care, or withdrawal management alone";
    history.episodes[].outcome: choice(Outcome) required, "How it ended";
    history.episodes[].months_ago: int(0, 600), "Months since it ended";
    history.relapse_after_abstinence: bool,
        "Relapse after a period of abstinence outside treatment"
        | "a relapse after a period of abstinence outside treatment";

    home: group, "Home and recovery environment";
    home.others_use_substances: bool,
        "Others in the home use alcohol or drugs" | "someone else in the home uses alcohol or drugs";
    home.violence_or_abuse: assessed(bool),
        "Violence or abuse at home" | "exposed to violence or abuse at home (as its victim)";
    home.supportive: bool,
        "People at home support recovery" | "the people at home support recovery";
    home.housing: choice(Housing), "Housing status";
    home.children_in_home: bool, "Children live in the home" | "children live in the home";
    home.arranged_housing: choice(ArrangedHousing),
        "Housing arranged for treatment" | "housing arranged for treatment, away from the home";

    engagement: group, "Engagement and practical needs";
    engagement.stage_of_change: choice(StageOfChange), "Stage of change" | "stage of change";
    engagement.can_attend_several_days: bool,
        "Able and willing to attend several days a week"
        | "able and willing to attend several days a week";
    engagement.commitments: choices(Commitment), "Commitments"
        | "work, school or caregiving commitments that treatment must fit around";
    engagement.work_schedule: choice(WorkSchedule), "Work schedule" | "when the person works";
    engagement.mandated: choice(Mandate), "Treatment mandated by"
        | "treatment mandated by a court, probation, child welfare or another authority";
    engagement.requested_intensity: choice(RequestedIntensity), "The person's own request"
        | "the person's own request for more or less intensive care";
    engagement.needs_transportation: bool,
        "Needs transportation" | "needs transportation to attend";
    engagement.needs_childcare: bool, "Needs childcare" | "needs childcare to attend";
    engagement.preferences: group, "Preferences"
        | "cultural, language or spiritual preferences: carried into the plan; a rule reads only whether any is given";
    engagement.preferences.cultural: text, "Cultural preferences";
    engagement.preferences.language: text, "Preferred language";
    engagement.preferences.spiritual: text, "Spiritual preferences";

    adolescent: group, "Adolescent" | "for a person under 18 only";
    adolescent.guardian_consent: choice(GuardianConsent),
        "Guardian's consent to treatment" | "a parent's or guardian's consent to treatment";
    adolescent.school: choice(SchoolStatus), "School status";
    adolescent.caregiver_involvement: choice(CaregiverInvolvement),
        "Caregiver involvement" | "how involved a caregiver is in treatment";

    notes: text, "Notes" | "free-text notes; never read by a rule";
}

/// The README's intake table: one row per item of the intake's JSON (form-only items left
/// out), in form order.
#[cfg(test)]
pub(crate) fn markdown_table() -> String {
    let code_list = |ids: &[&str]| {
        ids.iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let readers = readers();
    let mut out = String::from(
        "| item | JSON | required | meaning | read by rules |\n|---|---|---|---|---|\n",
    );
    for item in ITEMS {
        let value = match item.kind {
            Kind::Int { min, max } => format!("integer, {min}-{max}"),
            Kind::Bool => "`true` or `false`".to_owned(),
            Kind::Flag => "`true` or `false`; absent is `false`".to_owned(),
            Kind::Choice(ids) => format!("one of {}", code_list(ids)),
            Kind::Choices(ids) => format!("list of any of {}", code_list(ids)),
            Kind::Text => "free text".to_owned(),
            Kind::Group => "object".to_owned(),
            Kind::Groups => "list of objects".to_owned(),
            Kind::NoneOf(_) => continue,
        };
        let value = if item.declinable {
            format!("{value}; or `declined`, `unable_to_assess`")
        } else {
            value
        };
        // An item of each entry of a repeating group is shown as `group[].item`.
        let parent = find(item.parent());
        let (path, each) = match parent {
            Some(p) if p.kind == Kind::Groups => (format!("{}[].{}", p.path, item.key()), true),
            _ => (item.path.to_owned(), false),
        };
        let required = match (item.required, each) {
            (Required::Always, false) => "**required**",
            (Required::Always, true) => "**required** in each",
            (Required::InTreatment, _) => "**required** unless `history.current_setting` is `none`",
            (Required::UnlessScreened, _) => "**required**, or scored from `safety.cssrs`",
            (Required::Never, _) => "",
        };
        let mut meaning = item.description.chars();
        let meaning = meaning
            .next()
            .map(|c| c.to_uppercase().chain(meaning).collect::<String>())
            .unwrap_or_default();
        let read_by = match readers.get(item.path) {
            Some(rules) if !rules.is_empty() => rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", "),
            _ if matches!(item.kind, Kind::Group | Kind::Groups) => String::new(),
            _ if item.kind == Kind::Text => "never (free text)".to_owned(),
            _ => "none yet".to_owned(),
        };
        out.push_str(&format!(
            "| `{path}` | {value} | {required} | {meaning} | {read_by} |\n"
        ));
    }
    out
}

/// For each item path, the ids of the built-in pack's rules that read it: directly (an answer
/// of the same name) or through an answer derived from it.
#[cfg(test)]
fn readers() -> std::collections::BTreeMap<&'static str, Vec<String>> {
    use crate::answer::{AnswerRef, DERIVED_FROM, Field};
    let pack = crate::RulePack::builtin();
    let mut out: std::collections::BTreeMap<&'static str, Vec<String>> = Default::default();
    for rule in &pack.rules {
        let mut names = Vec::new();
        rule.cond.for_each_test(&mut |a, _| {
            if let AnswerRef::Field(f) = a {
                names.push(Field::info(f).name);
            }
        });
        for name in names {
            let mut items: Vec<&'static str> = Vec::new();
            if let Some(item) = find(name) {
                items.push(item.path);
            }
            for (_, from) in DERIVED_FROM.iter().filter(|(n, _)| *n == name) {
                items.extend(from.iter().copied());
            }
            for path in items {
                let list = out.entry(path).or_default();
                if !list.contains(&rule.id) {
                    list.push(rule.id.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeSet;

    const BEGIN: &str = "<!-- intake table: generated from src/catalogue.rs \
        (UPDATE_README=1 cargo test --lib catalogue) -->\n";
    const END: &str = "<!-- end of intake table -->";

    #[test]
    fn the_readme_intake_table_is_the_catalogue() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let (before, rest) = readme.split_once(BEGIN).expect("the README's table marker");
        let (_, after) = rest
            .split_once(END)
            .expect("the README's end-of-table marker");
        let regenerated = format!("{before}{BEGIN}{}{END}{after}", markdown_table());
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(&path, &regenerated).unwrap();
            return;
        }
        assert!(
            readme == regenerated,
            "the README's intake table differs from the catalogue; run \
             UPDATE_README=1 cargo test --lib catalogue"
        );
    }

    /// A schema with its `$ref`s followed, `anyOf` with `null` and the items of an array
    /// unwrapped: what the values at its place must be.
    fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
        loop {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                s = root.pointer(r.trim_start_matches('#')).unwrap();
            } else if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
                s = any.iter().find(|v| v["type"] != "null").unwrap();
            } else if let Some(items) = s.get("items") {
                s = items;
            } else {
                return s;
            }
        }
    }

    /// The schema at a dotted path of the intake's JSON Schema.
    fn schema_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
        let mut at = root;
        for key in path.split('.') {
            at = resolve(root, at).get("properties")?.get(key)?;
        }
        Some(at)
    }

    #[test]
    fn every_range_and_choice_is_the_json_schemas() {
        let schema = crate::schema::intake();
        for item in ITEMS {
            if matches!(item.kind, Kind::NoneOf(_)) {
                continue;
            }
            let at = schema_at(&schema, item.path)
                .unwrap_or_else(|| panic!("`{}` is not in the intake's schema", item.path));
            match item.kind {
                Kind::Int { min, max } => {
                    assert_eq!(at["minimum"], min, "`{}` minimum", item.path);
                    assert_eq!(at["maximum"], max, "`{}` maximum", item.path);
                    // A range stated in the field's documentation (the schema's
                    // description) is the same range.
                    let description = at["description"].as_str().unwrap_or_default();
                    if let Some((_, tail)) = description.split_once('(') {
                        if tail.starts_with(|c: char| c.is_ascii_digit()) {
                            assert!(
                                tail.starts_with(&format!("{min}-{max})")),
                                "`{}`: the documentation says ({tail}",
                                item.path
                            );
                        }
                    }
                }
                Kind::Choice(ids) | Kind::Choices(ids) => {
                    let s = resolve(&schema, at);
                    let names: Vec<&str> = s["oneOf"]
                        .as_array()
                        .map(|o| o.iter().filter_map(|v| v["const"].as_str()).collect())
                        .or_else(|| {
                            s["enum"]
                                .as_array()
                                .map(|e| e.iter().filter_map(Value::as_str).collect())
                        })
                        .unwrap_or_default();
                    assert_eq!(names, ids, "`{}` choices", item.path);
                }
                _ => {}
            }
        }
    }

    /// Every dotted path of the intake's JSON Schema, groups included (`ratings`, whose
    /// keys are the ratings a pack declares, is not an item).
    fn schema_paths(root: &Value, at: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        let s = resolve(root, at);
        let Some(props) = s.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (key, child) in props {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            // `ratings` holds what a pack declares; `schema_version` is the format's, not an
            // item's (in FHIR it is the Questionnaire's version).
            if path == "ratings" || path == "schema_version" {
                continue;
            }
            schema_paths(root, child, &path, out);
            out.insert(path);
        }
    }

    #[test]
    fn every_field_of_the_intake_is_an_item() {
        let schema = crate::schema::intake();
        let mut fields = BTreeSet::new();
        schema_paths(&schema, &schema, "", &mut fields);
        let items: BTreeSet<String> = ITEMS
            .iter()
            .filter(|i| !matches!(i.kind, Kind::NoneOf(_)))
            .map(|i| i.path.to_owned())
            .collect();
        assert_eq!(fields, items);
    }

    #[test]
    fn the_tree_is_well_formed() {
        let mut seen = BTreeSet::new();
        for item in ITEMS {
            assert!(seen.insert(item.path), "`{}` is listed twice", item.path);
            // A group comes before its items.
            if !item.parent().is_empty() {
                let parent = find(item.parent()).expect("a parent group");
                assert!(matches!(parent.kind, Kind::Group | Kind::Groups));
                assert!(
                    seen.contains(parent.path),
                    "`{}` before its group",
                    item.path
                );
            }
            if matches!(item.kind, Kind::Group | Kind::Groups) {
                assert_eq!(item.required, Required::Never, "`{}`", item.path);
                assert!(item.children().next().is_some(), "`{}` is empty", item.path);
            }
            if let Kind::NoneOf(group) = item.kind {
                let target = find(group).expect("the group a `none_of` item names");
                assert_eq!(target.kind, Kind::Groups);
                assert_eq!(target.parent(), item.parent(), "`{}`", item.path);
            }
            // A required item in a repeating group's entry is required by its type, which
            // the entry's `@typed` check holds; one required only in treatment is not.
            if find(item.parent()).is_some_and(|p| p.kind == Kind::Groups) {
                assert_ne!(item.required, Required::InTreatment, "`{}`", item.path);
            }
        }
    }

    #[test]
    fn level_choices_are_its_serde_names() {
        let names: Vec<String> = Level::ALL
            .iter()
            .map(|l| {
                serde_json::to_value(l)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(names, <Level as Choice>::IDS);
        for (i, l) in Level::ALL.iter().enumerate() {
            assert_eq!(usize::from(Choice::rank(*l)), i);
        }
    }

    #[test]
    fn a_choice_rank_is_its_position_among_its_serde_names() {
        fn check<T: Choice + serde::Serialize>(all: &[T]) {
            assert_eq!(all.len(), T::IDS.len());
            for (i, c) in all.iter().enumerate() {
                assert_eq!(usize::from(c.rank()), i);
                assert_eq!(serde_json::to_value(c).unwrap(), T::IDS[i]);
            }
        }
        use crate::intake::*;
        // Every choice enum of the intake: `rank` is `as u8`, so an explicit discriminant or a
        // serde name out of step with `IDS` would show here.
        check(SuicidalIdeation::ALL);
        check(Recency::ALL);
        check(Frequency::ALL);
        check(LethalMeans::ALL);
        check(HarmToOthers::ALL);
        check(Psychosis::ALL);
        check(Substance::ALL);
        check(SudSeverity::ALL);
        check(Remission::ALL);
        check(Benzodiazepine::ALL);
        check(MedicalStatus::ALL);
        check(Pregnancy::ALL);
        check(Overdose::ALL);
        check(OudMedication::ALL);
        check(AudMedication::ALL);
        check(Adherence::ALL);
        check(PsychiatricMedication::ALL);
        check(ClinicianRating::ALL);
        check(ConditionKind::ALL);
        check(ConditionSeverity::ALL);
        check(SelfManagement::ALL);
        check(Setting::ALL);
        check(Progress::ALL);
        check(MedicationSetting::ALL);
        check(Outcome::ALL);
        check(EpisodeLevel::ALL);
        check(Housing::ALL);
        check(ArrangedHousing::ALL);
        check(StageOfChange::ALL);
        check(Commitment::ALL);
        check(WorkSchedule::ALL);
        check(Mandate::ALL);
        check(RequestedIntensity::ALL);
        check(GuardianConsent::ALL);
        check(SchoolStatus::ALL);
        check(CaregiverInvolvement::ALL);
    }

    #[test]
    fn checks_visit_in_form_order_then_entries() {
        let intake = Intake::from_json(
            r#"{"schema_version": "2", "age": 130, "severity": {"phq9": 28},
                "substance_use": [{"substance": "alcohol", "dsm5_criteria": 12}]}"#,
        )
        .unwrap();
        let mut seen = Vec::new();
        visit_out_of_range(&intake, |p| {
            seen.push(p.at.to_string());
            false
        });
        assert_eq!(
            seen,
            ["age", "severity.phq9", "substance_use[0].dsm5_criteria"]
        );
        // Stopping at the first.
        let mut first = Vec::new();
        assert!(visit_out_of_range(&intake, |p| {
            first.push(p.at);
            true
        }));
        assert_eq!(first, [At::Item("age")]);
        assert!(visit_missing(&intake, |_| true));
        assert!(!visit_missing(
            &crate::IntakeBuilder::default().build(),
            |_| true
        ));
    }
}
