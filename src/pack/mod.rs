//! Rule packs: the compiled, typed rules and their identity. Where each part lives:
//! `format` (the TOML as written), `load` (reading and checking every file and table,
//! collecting every problem with its place), `compile` (a `when` condition into a `Cond`),
//! `cond` (what a compiled condition means: the one evaluator, shared by the engine and the
//! analysis), `text` (one-line text checks), `error` (problems as data).

mod cite;
mod compile;
pub(crate) mod cond;
mod error;
mod format;
mod load;
mod text;

pub use cite::{MAX_CITE_FIELD_CHARS, MAX_FACT_CHARS};
pub use error::{PackError, PackProblem, PackProblemKind, Span};

pub(crate) use cond::Cond;

use crate::answer::{AnswerKind, AnswerRef, Field, FieldBits, Worse};
use crate::level::minimum_weekly_hours;
use crate::vocab::{Capability, CareSetting, Criterion, Referral, Service, Set};
use crate::{Level, Urgency};
use error::{hint, suggest};
use format::{
    CondDef, Constant, ExemptionDef, FileDef, PackDef, ProgrammeDef, RatingDef, RuleDef, ScoreDef,
};
use load::{Loader, Src};
use serde::Deserialize as _;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The built-in rule files, in load order. They are compiled into the crate, so the built-in
/// pack needs no file system.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("pack.toml", include_str!("../../rules/pack.toml")),
    ("safety.toml", include_str!("../../rules/safety.toml")),
    (
        "withdrawal.toml",
        include_str!("../../rules/withdrawal.toml"),
    ),
    ("medical.toml", include_str!("../../rules/medical.toml")),
    ("severity.toml", include_str!("../../rules/severity.toml")),
    (
        "self_management.toml",
        include_str!("../../rules/self_management.toml"),
    ),
    ("history.toml", include_str!("../../rules/history.toml")),
    ("home.toml", include_str!("../../rules/home.toml")),
    (
        "adolescent.toml",
        include_str!("../../rules/adolescent.toml"),
    ),
    (
        "engagement.toml",
        include_str!("../../rules/engagement.toml"),
    ),
    (
        "sources/acog-co-711-2017.toml",
        include_str!("../../rules/sources/acog-co-711-2017.toml"),
    ),
    (
        "sources/asam-alcohol-withdrawal-2020.toml",
        include_str!("../../rules/sources/asam-alcohol-withdrawal-2020.toml"),
    ),
    (
        "sources/asam-bzd-tapering-2025.toml",
        include_str!("../../rules/sources/asam-bzd-tapering-2025.toml"),
    ),
    (
        "sources/asam-oud-2020.toml",
        include_str!("../../rules/sources/asam-oud-2020.toml"),
    ),
    (
        "sources/ashton-benzodiazepines-2002.toml",
        include_str!("../../rules/sources/ashton-benzodiazepines-2002.toml"),
    ),
    (
        "sources/capta-42-usc-5106a.toml",
        include_str!("../../rules/sources/capta-42-usc-5106a.toml"),
    ),
    (
        "sources/carelevel-local-defaults.toml",
        include_str!("../../rules/sources/carelevel-local-defaults.toml"),
    ),
    (
        "sources/cfr-42-410-43.toml",
        include_str!("../../rules/sources/cfr-42-410-43.toml"),
    ),
    (
        "sources/ciwa-ar-1989.toml",
        include_str!("../../rules/sources/ciwa-ar-1989.toml"),
    ),
    (
        "sources/cms-opps-cy2024.toml",
        include_str!("../../rules/sources/cms-opps-cy2024.toml"),
    ),
    (
        "sources/columbia-protocol-triage.toml",
        include_str!("../../rules/sources/columbia-protocol-triage.toml"),
    ),
    (
        "sources/cows-2003.toml",
        include_str!("../../rules/sources/cows-2003.toml"),
    ),
    (
        "sources/cssrs-2011.toml",
        include_str!("../../rules/sources/cssrs-2011.toml"),
    ),
    (
        "sources/dsm-5-tr.toml",
        include_str!("../../rules/sources/dsm-5-tr.toml"),
    ),
    (
        "sources/gad7-2006.toml",
        include_str!("../../rules/sources/gad7-2006.toml"),
    ),
    (
        "sources/pawss-2014.toml",
        include_str!("../../rules/sources/pawss-2014.toml"),
    ),
    (
        "sources/phq9-2001.toml",
        include_str!("../../rules/sources/phq9-2001.toml"),
    ),
    (
        "sources/samhsa-pregnant-parenting-oud-2018.toml",
        include_str!("../../rules/sources/samhsa-pregnant-parenting-oud-2018.toml"),
    ),
    (
        "sources/samhsa-tip-25.toml",
        include_str!("../../rules/sources/samhsa-tip-25.toml"),
    ),
    (
        "sources/samhsa-tip-32.toml",
        include_str!("../../rules/sources/samhsa-tip-32.toml"),
    ),
    (
        "sources/samhsa-tip-35.toml",
        include_str!("../../rules/sources/samhsa-tip-35.toml"),
    ),
    (
        "sources/samhsa-tip-42.toml",
        include_str!("../../rules/sources/samhsa-tip-42.toml"),
    ),
    (
        "sources/samhsa-tip-47.toml",
        include_str!("../../rules/sources/samhsa-tip-47.toml"),
    ),
    (
        "sources/samhsa-tip-63.toml",
        include_str!("../../rules/sources/samhsa-tip-63.toml"),
    ),
    (
        "sources/seed.toml",
        include_str!("../../rules/sources/seed.toml"),
    ),
    (
        "sources/stanley-brown-2012.toml",
        include_str!("../../rules/sources/stanley-brown-2012.toml"),
    ),
    (
        "sources/tarasoff-1976.toml",
        include_str!("../../rules/sources/tarasoff-1976.toml"),
    ),
    ("citations.toml", include_str!("../../rules/citations.toml")),
];

/// The id of the built-in pack. It is reserved for exactly [`BUILTIN_SOURCES`] (the built-in
/// digest): loading any other pack with this id (compared ignoring ASCII case and surrounding
/// spaces) is a [`PackError`], so a report that names the built-in pack was decided by the
/// built-in rules. A pack built on the built-in files gives its `[pack]` table its own id.
///
/// # Examples
///
/// ```
/// use carelevel::{BUILTIN_SOURCES, RulePack};
/// let local = r#"
/// [[rule]]
/// id = "local.caregiving"
/// criterion = "engagement"
/// when = { answer = "engagement.caregiving", is = true }
/// services = ["childcare"]
/// reason = "Caregivers are offered childcare during sessions."
/// cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "Local policy.", use = "local_default" }]
/// "#;
/// // The built-in rules plus one of your own make a new pack: it may not keep the built-in id.
/// let mut sources = BUILTIN_SOURCES.to_vec();
/// sources.push(("local.toml", local));
/// let err = RulePack::from_sources(&sources).unwrap_err();
/// assert!(err.to_string().contains("pack id `carelevel.builtin` is reserved"));
///
/// // Give the `[pack]` table its own id and it loads.
/// let pack_toml = BUILTIN_SOURCES[0].1.replace(
///     &format!("id = \"{}\"", carelevel::pack::BUILTIN_ID),
///     "id = \"example.local\"",
/// );
/// let mut sources = BUILTIN_SOURCES.to_vec();
/// sources[0] = ("pack.toml", &pack_toml);
/// sources.push(("local.toml", local));
/// assert_eq!(RulePack::from_sources(&sources)?.meta().id, "example.local");
/// // The built-in sources themselves are the built-in pack.
/// let builtin = RulePack::from_sources(BUILTIN_SOURCES)?;
/// assert_eq!(builtin.meta(), RulePack::builtin().meta());
/// # Ok::<(), carelevel::PackError>(())
/// ```
pub const BUILTIN_ID: &str = "carelevel.builtin";

/// The most characters a rule's `reason` may have. Every text a clinician reads from a pack
/// (reasons, sources, the pack's id, version and title) must also be one line: no control
/// characters (line feed, carriage return, tab or any other C0 or C1 control), no Unicode
/// line or paragraph separator (U+2028, U+2029) and no bidirectional-text control.
pub const MAX_REASON_CHARS: usize = 300;
/// The most characters a rule's or a programme's `source` may have.
pub const MAX_SOURCE_CHARS: usize = 300;
/// The most characters a rule id may have.
pub const MAX_RULE_ID_CHARS: usize = 100;
/// The most characters a rating or score id may have.
pub const MAX_NAME_CHARS: usize = 64;
/// The most characters the pack's `id` and `version` may each have.
pub const MAX_PACK_ID_CHARS: usize = 64;
/// The most characters the pack's `title` may have.
pub const MAX_TITLE_CHARS: usize = 200;

/// A loaded, validated rule pack. A pack that loads is safe to evaluate: every answer name,
/// type and constant has been checked, so evaluation cannot fail on a type error.
///
/// # Examples
///
/// ```
/// let pack = carelevel::RulePack::builtin();
/// assert_eq!(pack.meta().id, "carelevel.builtin");
/// assert!(pack.meta().digest.starts_with("sha256:"));
/// ```
#[derive(Debug, Clone)]
pub struct RulePack {
    pub(crate) meta: PackMeta,
    pub(crate) ratings: Vec<Rating>,
    pub(crate) scores: Vec<Score>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) programmes: Programmes,
    /// The built-in answers an assessment needs (those the rules read, and the arrangeable
    /// ones), as bits of their positions in `Field::ALL`; resolved once per assessment.
    pub(crate) fields_read: FieldBits,
    /// The positions of `ratings`, in id order (as an intake's ratings iterate).
    pub(crate) rating_order: Vec<u16>,
    /// The pack's cited exemptions from the analysis's safety guarantees.
    pub(crate) exemptions: Vec<Exemption>,
    /// The source records the pack's citations name (its own, and the built-in ones it
    /// cites), in id order.
    pub(crate) sources: Vec<SourceRecord>,
}

/// A cited exemption from one of the analysis's safety guarantees (a
/// `[[guarantee_exemption]]`): the guarantee for `answer = value` is checked only where
/// `given` holds, or not at all without `given`.
#[derive(Debug, Clone)]
pub struct Exemption {
    pub(crate) answer: String,
    pub(crate) value: String,
    pub(crate) given: Option<Cond>,
    pub(crate) reason: String,
    pub(crate) source: String,
}

impl Exemption {
    /// The answer.
    pub fn answer(&self) -> &str {
        &self.answer
    }
    /// The high-risk value, as the analysis shows it (`true`, a choice name, `>=19`).
    pub fn value(&self) -> &str {
        &self.value
    }
    /// Whether a `given` narrows the guarantee (rather than lifting it).
    pub fn has_given(&self) -> bool {
        self.given.is_some()
    }
    /// The reason, for a clinician.
    pub fn reason(&self) -> &str {
        &self.reason
    }
    /// The id of the source record cited.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// A pack's identity, carried into every recommendation for audit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackMeta {
    /// The pack's identifier. [`BUILTIN_ID`] belongs to the built-in pack alone.
    pub id: String,
    /// The pack's version.
    pub version: String,
    /// Its title, if given.
    pub title: Option<String>,
    /// The youngest age its rules are written for (an intake below it is refused), if any.
    pub min_age: Option<u32>,
    /// `sha256:` and the hex SHA-256 of every source name and text, in load order.
    pub digest: String,
    /// Its clinical governance (`[pack.governance]`), if given.
    pub governance: Option<Governance>,
}

/// A rating the pack's instrument adds to the intake.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rating {
    /// Identifier (`rating.<id>` in rules, `ratings.<id>` in the intake).
    pub id: String,
    /// Smallest valid value.
    pub min: u32,
    /// Largest valid value.
    pub max: u32,
    /// Whether the intake must supply it.
    pub required: bool,
    /// Which direction is worse.
    pub worse: Worse,
}

/// How a score combines its ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Aggregate {
    /// The sum.
    Sum,
    /// The largest.
    Max,
}

/// A composite score over ratings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Score {
    /// Identifier (`score.<id>` in rules).
    pub id: String,
    /// How the ratings combine.
    pub aggregate: Aggregate,
    pub(crate) terms: Vec<u16>,
    pub(crate) min: u32,
    pub(crate) max: u32,
}

/// What kind of publication a source record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceKind {
    /// A clinical practice guideline or treatment protocol.
    Guideline,
    /// A rating scale or screener and its validation paper.
    Instrument,
    /// A law or regulation.
    Regulation,
    /// A consensus document (a diagnostic manual).
    Consensus,
    /// The project's own choices, not a clinical source.
    LocalDefault,
    /// A web page.
    WebPage,
}

impl SourceKind {
    /// Every kind, in the order the format lists them.
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Guideline,
        SourceKind::Instrument,
        SourceKind::Regulation,
        SourceKind::Consensus,
        SourceKind::LocalDefault,
        SourceKind::WebPage,
    ];

    /// The name the format uses (`local_default`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Guideline => "guideline",
            SourceKind::Instrument => "instrument",
            SourceKind::Regulation => "regulation",
            SourceKind::Consensus => "consensus",
            SourceKind::LocalDefault => "local_default",
            SourceKind::WebPage => "web_page",
        }
    }
}

/// How a rule uses what a source says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CitationUse {
    /// The rule applies what the source says, to the population it is about.
    Applied,
    /// The rule carries the source's statement beyond what it says (another substance,
    /// another level).
    Extrapolated,
    /// A choice this project made; the citation says why.
    LocalDefault,
}

impl CitationUse {
    /// Every use, in the order the format lists them.
    pub const ALL: [CitationUse; 3] = [
        CitationUse::Applied,
        CitationUse::Extrapolated,
        CitationUse::LocalDefault,
    ];

    /// The name the format uses (`local_default`).
    pub fn as_str(self) -> &'static str {
        match self {
            CitationUse::Applied => "applied",
            CitationUse::Extrapolated => "extrapolated",
            CitationUse::LocalDefault => "local_default",
        }
    }

    /// As a report shows it (`local default`).
    pub fn title(self) -> &'static str {
        match self {
            CitationUse::Applied => "applied",
            CitationUse::Extrapolated => "extrapolated",
            CitationUse::LocalDefault => "local default",
        }
    }
}

/// A source record: one publication citations name by id (`rules/sources/<id>.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceRecord {
    /// Its id.
    pub id: String,
    /// What kind of publication it is.
    pub kind: SourceKind,
    /// Title.
    pub title: String,
    /// Publisher, or authors and journal.
    pub publisher: String,
    /// Edition or year.
    pub edition: String,
    /// DOI, CFR section, ISBN, journal citation or URL.
    pub identifier: String,
    /// A note for the reader, if any.
    pub note: Option<String>,
    /// A web page's section headings (the locators its citations may use).
    pub headings: Vec<String>,
}

/// Where in a source a rule comes from, and how the rule uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Citation {
    /// The source record's id.
    pub source: String,
    /// Where in the source.
    pub locator: String,
    /// What the source says that the rule relies on, in the project's words.
    pub fact: String,
    /// How the rule uses it.
    pub use_: CitationUse,
}

/// A pack's clinical governance, from `[pack.governance]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Governance {
    /// The role accountable for the pack's clinical content.
    pub clinical_owner_role: String,
    /// The approval status.
    pub status: String,
    /// Who approved it, if anyone has.
    pub approved_by: Option<String>,
    /// When it was approved, if it has been.
    pub approved_on: Option<String>,
    /// When the next review is due.
    pub review_due: Option<String>,
    /// `(version, date, change)`, oldest first as written.
    pub change_log: Vec<(String, String, String)>,
}

impl Governance {
    /// One line for a report's footer: the status, the owner role and the review date.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "Clinical governance: {}; clinical owner: {}",
            self.status, self.clinical_owner_role
        );
        if let (Some(by), Some(on)) = (&self.approved_by, &self.approved_on) {
            s.push_str(&format!("; approved by {by} on {on}"));
        }
        if let Some(due) = &self.review_due {
            s.push_str(&format!("; review due {due}"));
        }
        s.push('.');
        s
    }
}

/// A schedule change a rule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScheduleChange {
    /// The level's intensive schedule (more days a week), for severe conditions.
    Intensive,
    /// The evening option, when work or school conflict.
    Evening,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub(crate) id: String,
    pub(crate) criterion: Criterion,
    pub(crate) cond: Cond,
    pub(crate) floor: Option<Level>,
    pub(crate) urgency: Urgency,
    pub(crate) services: Set,
    pub(crate) referrals: Set,
    pub(crate) setting: Option<CareSetting>,
    pub(crate) capabilities: Set,
    pub(crate) schedule: Option<ScheduleChange>,
    pub(crate) reason: String,
    pub(crate) citations: Vec<Citation>,
    /// The citations as reports show them ([`RulePack::citation_summary`]), written at load.
    pub(crate) source: String,
}

impl Rule {
    /// The rule's stable identifier.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The criterion it belongs to.
    pub fn criterion(&self) -> Criterion {
        self.criterion
    }
    /// The floor it sets when it fires, if any.
    pub fn floor(&self) -> Option<Level> {
        self.floor
    }
    /// Whether it marks the result as needing evaluation today (same day or emergency).
    pub fn urgent(&self) -> bool {
        self.urgency > Urgency::Routine
    }
    /// How soon the person must be seen when it fires.
    pub fn urgency(&self) -> Urgency {
        self.urgency
    }
    /// The reason, for a clinician.
    pub fn reason(&self) -> &str {
        &self.reason
    }
    /// Where the rule comes from: one or more citations of the pack's source records.
    pub fn citations(&self) -> &[Citation] {
        &self.citations
    }
    /// The schedule change it asks for, if any.
    pub fn schedule(&self) -> Option<ScheduleChange> {
        self.schedule
    }
    /// The services it adds to the plan.
    pub fn services(&self) -> impl Iterator<Item = Service> + '_ {
        Service::ALL
            .iter()
            .copied()
            .filter(|s| self.services.contains_bit(s.bit()))
    }
    /// The setting within its floor's level it calls for, if it names one.
    pub fn setting(&self) -> Option<CareSetting> {
        self.setting
    }
    /// The capabilities the receiving programme needs when it fires.
    pub fn capabilities(&self) -> impl Iterator<Item = Capability> + '_ {
        Capability::ALL
            .iter()
            .copied()
            .filter(|c| self.capabilities.contains_bit(c.bit()))
    }
    /// The referrals it adds to the plan.
    pub fn referrals(&self) -> impl Iterator<Item = Referral> + '_ {
        Referral::ALL
            .iter()
            .copied()
            .filter(|s| self.referrals.contains_bit(s.bit()))
    }
}

fn field_bit(f: Field) -> FieldBits {
    FieldBits::from(1u8).checked_shl(f as u32).unwrap_or(0)
}

/// The built-in answers an assessment with these rules needs: every one a rule reads, and
/// the arrangeable ones (the what-if question reads them).
fn fields_read(rules: &[Rule]) -> FieldBits {
    let arrangeable = Field::ALL
        .iter()
        .filter(|f| f.info().arrangeable)
        .fold(0, |m, f| m | field_bit(*f));
    rules
        .iter()
        .fold(arrangeable, |m, r| m | r.cond.fields_read())
}

/// The positions of `ratings` sorted by id.
fn rating_order(ratings: &[Rating]) -> Vec<u16> {
    let mut order: Vec<u16> = (0..ratings.len())
        .filter_map(|i| u16::try_from(i).ok())
        .collect();
    order.sort_by(|a, b| {
        let id = |i: &u16| ratings.get(usize::from(*i)).map(|r| r.id.as_str());
        id(a).cmp(&id(b))
    });
    order
}

/// The programme that goes with each level.
#[derive(Debug, Clone)]
pub(crate) struct Programmes {
    pub(crate) outpatient: Programme,
    pub(crate) iop: Programme,
    pub(crate) php: Programme,
    pub(crate) inpatient: Programme,
}

impl Programmes {
    pub(crate) fn get(&self, level: Level) -> &Programme {
        match level {
            Level::Outpatient => &self.outpatient,
            Level::Iop => &self.iop,
            Level::Php => &self.php,
            Level::Inpatient => &self.inpatient,
        }
    }
}

/// The schedule, services and cost figures that go with a level.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Programme {
    /// Days a week.
    pub days_per_week: u32,
    /// Hours a day.
    pub hours_per_day: u32,
    /// Days a week on the intensive schedule.
    pub intensive_days_per_week: u32,
    /// Whether an evening option exists.
    pub evening_option: bool,
    /// Expected length in weeks.
    pub weeks: Option<(u32, u32)>,
    /// Review the placement at least this often, in weeks.
    pub review_within_weeks: Option<u32>,
    pub(crate) services: Set,
    pub(crate) referrals: Set,
    /// Cost a day in US dollars.
    pub cost_per_day_usd: Option<(u32, u32)>,
    /// Cost a month in US dollars.
    pub cost_per_month_usd: Option<(u32, u32)>,
    /// Where the figures come from.
    pub source: String,
}

impl RulePack {
    /// The built-in pack: the seed document and public guidance, from `rules/`.
    ///
    /// # Errors
    ///
    /// Never for a tested build: see [`RulePack::builtin`]. The `Result` is kept so that a
    /// broken build of the pack surfaces as an error, never a panic.
    ///
    /// # Examples
    ///
    /// ```
    /// let pack = carelevel::RulePack::try_builtin()?;
    /// assert!(pack.rules().count() > 30);
    /// # Ok::<(), carelevel::PackError>(())
    /// ```
    pub fn try_builtin() -> Result<RulePack, PackError> {
        RulePack::from_sources(BUILTIN_SOURCES)
    }

    /// The built-in pack. Loading takes well under a millisecond; keep the pack and reuse it.
    ///
    /// # Infallible by test
    ///
    /// The built-in files are compile-time constants ([`BUILTIN_SOURCES`]), so whether they
    /// load is settled when the crate is built, not when it runs. The unit test
    /// `pack::tests::builtin_sources_always_load` loads exactly these sources and checks that
    /// this function returns them, so a build that passes its tests never takes the fallback.
    /// The fallback stays only so that a broken build can never panic: an empty stand-in pack
    /// whose every assessment fails closed with
    /// [`IntakeError::PackUnavailable`](crate::IntakeError::PackUnavailable) (also tested).
    ///
    /// # Examples
    ///
    /// ```
    /// let pack = carelevel::RulePack::builtin();
    /// assert_eq!(pack.meta().id, carelevel::pack::BUILTIN_ID);
    /// ```
    pub fn builtin() -> RulePack {
        RulePack::try_builtin().unwrap_or_else(|e| RulePack::unavailable(&e))
    }

    fn unavailable(err: &PackError) -> RulePack {
        let empty = Programme {
            days_per_week: 0,
            hours_per_day: 0,
            intensive_days_per_week: 0,
            evening_option: false,
            weeks: None,
            review_within_weeks: None,
            services: Set::default(),
            referrals: Set::default(),
            cost_per_day_usd: None,
            cost_per_month_usd: None,
            source: String::new(),
        };
        RulePack {
            meta: PackMeta {
                id: "unavailable".into(),
                version: "0".into(),
                title: Some(err.to_string()),
                min_age: None,
                digest: String::new(),
                governance: None,
            },
            ratings: Vec::new(),
            scores: Vec::new(),
            rules: Vec::new(),
            fields_read: 0,
            rating_order: Vec::new(),
            exemptions: Vec::new(),
            sources: Vec::new(),
            programmes: Programmes {
                outpatient: empty.clone(),
                iop: empty.clone(),
                php: empty.clone(),
                inpatient: empty,
            },
        }
    }

    pub(crate) fn is_unavailable(&self) -> bool {
        self.rules.is_empty()
    }

    /// Loads a pack from one TOML text.
    ///
    /// # Errors
    ///
    /// [`PackError`] listing every problem found (see [`RulePack::from_sources`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = carelevel::RulePack::from_toml("mine.toml", "not toml = ").unwrap_err();
    /// assert!(err.to_string().starts_with("rule pack has 1 problem: mine.toml:"));
    /// ```
    pub fn from_toml(name: &str, text: &str) -> Result<RulePack, PackError> {
        RulePack::from_sources(&[(name, text)])
    }

    /// Loads a pack from several named TOML texts, as the built-in pack is split by
    /// criterion. The digest covers every name and text in order.
    ///
    /// Loading checks that the pack is well formed; it does not prove it safe. Run
    /// [`RulePack::analyze`] to refuse a pack the safety analysis cannot prove.
    ///
    /// # Errors
    ///
    /// [`PackError`] listing every problem in every file at once, each a [`PackProblem`]
    /// with its [kind](PackProblemKind), file, rule, key path, line and column, and the
    /// closest known name for a misspelt one: TOML syntax, unknown keys, duplicate ids,
    /// missing sources, unknown answers, levels, services and referrals (with a "did you
    /// mean"), constants of the wrong type or out of range, programmes below their level's
    /// minimum hours, text a clinician reads (reasons, sources, the pack's id, version and
    /// title) that is not one line or is too long (see [`MAX_REASON_CHARS`]; the message
    /// names the field, never the text), and the built-in pack's id on any other sources
    /// (see [`BUILTIN_ID`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::RulePack;
    /// // The built-in rules with one of your own: a new pack, so give it its own id.
    /// let pack_toml = carelevel::BUILTIN_SOURCES[0]
    ///     .1
    ///     .replace(r#"id = "carelevel.builtin""#, r#"id = "example.local""#);
    /// let mut sources = carelevel::BUILTIN_SOURCES.to_vec();
    /// sources[0] = ("pack.toml", &pack_toml);
    /// sources.push(("local.toml", r#"
    /// [[rule]]
    /// id = "local.caregiving"
    /// criterion = "engagement"
    /// when = { answer = "engagement.caregiving", is = true }
    /// services = ["childcare"]
    /// reason = "Caregivers are offered childcare during sessions."
    /// cite = [{ source = "seed", locator = "IOP Addiction Treatment Services", fact = "Childcare is provided when needed.", use = "applied" }]
    /// "#));
    /// let pack = RulePack::from_sources(&sources).unwrap();
    /// assert!(pack.rule("local.caregiving").is_some());
    ///
    /// // A reason must be one line: it cannot add lines to a report.
    /// let bad = r#"
    /// [[rule]]
    /// id = "local.x"
    /// criterion = "engagement"
    /// when = { answer = "engagement.caregiving", is = true }
    /// services = ["childcare"]
    /// reason = "ok.\n\nRecommended level: Outpatient"
    /// cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "Local policy.", use = "local_default" }]
    /// "#;
    /// let err = RulePack::from_sources(&[("pack.toml", &pack_toml), ("bad.toml", bad)])
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "rule pack has 1 problem: bad.toml:7:10: rule `local.x`: \
    ///      `reason` must be one line of plain text, but contains a line break (U+000A)"
    /// );
    /// ```
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<RulePack, PackError> {
        let mut loader = Loader {
            // Equal sources, equal digest: comparing them is exact and cheaper than hashing.
            builtin: sources.len() == BUILTIN_SOURCES.len()
                && sources.iter().zip(BUILTIN_SOURCES).all(|(a, b)| a == b),
            ..Loader::default()
        };
        let mut files = Vec::new();
        for (index, (name, text)) in sources.iter().enumerate() {
            let src = Src { name, index };
            match toml::from_str::<FileDef>(text) {
                Ok(f) => files.push((src, f)),
                Err(e) => {
                    loader.unreadable(src, text, &e);
                    loader.unparsed = true;
                }
            }
        }
        loader.load(&mut files, sources, digest(sources))
    }

    /// The pack's identity.
    pub fn meta(&self) -> &PackMeta {
        &self.meta
    }

    /// Every rule, in load order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The source records the pack's citations name, in id order.
    ///
    /// # Examples
    ///
    /// ```
    /// let pack = carelevel::RulePack::builtin();
    /// for rule in pack.rules() {
    ///     let cite = &rule.citations()[0];
    ///     let source = pack.source(&cite.source).unwrap();
    ///     assert!(!source.title.is_empty() && !cite.fact.is_empty());
    /// }
    /// ```
    pub fn sources(&self) -> &[SourceRecord] {
        &self.sources
    }

    /// The source record with this id, if the pack's citations name it.
    pub fn source(&self, id: &str) -> Option<&SourceRecord> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// A rule's citations, briefly, for a report: "title (edition), locator — use", joined
    /// by "; " (written once, when the pack is loaded).
    pub fn citation_summary<'r>(&self, rule: &'r Rule) -> &'r str {
        &rule.source
    }

    /// The pack's cited exemptions from the analysis's safety guarantees, in load order.
    pub fn exemptions(&self) -> &[Exemption] {
        &self.exemptions
    }

    /// The ratings the pack declares.
    pub fn ratings(&self) -> &[Rating] {
        &self.ratings
    }

    /// The scores the pack declares.
    pub fn scores(&self) -> &[Score] {
        &self.scores
    }

    /// The programme that goes with a level.
    pub fn programme(&self, level: Level) -> &Programme {
        self.programmes.get(level)
    }

    /// The name rules use for an answer.
    pub(crate) fn answer_name(&self, a: AnswerRef) -> String {
        match a {
            AnswerRef::Field(f) => f.info().name.to_owned(),
            AnswerRef::Rating(i) => format!(
                "rating.{}",
                self.ratings.get(usize::from(i)).map_or("?", |r| &r.id)
            ),
            AnswerRef::Score(i) => format!(
                "score.{}",
                self.scores.get(usize::from(i)).map_or("?", |s| &s.id)
            ),
        }
    }

    /// The kind of an answer.
    pub(crate) fn answer_kind(&self, a: AnswerRef) -> AnswerKind {
        match a {
            AnswerRef::Field(f) => f.info().kind,
            AnswerRef::Rating(i) => self.ratings.get(usize::from(i)).map_or(
                AnswerKind::Number { min: 0, max: 0 },
                |r| AnswerKind::Number {
                    min: r.min,
                    max: r.max,
                },
            ),
            AnswerRef::Score(i) => {
                self.scores
                    .get(usize::from(i))
                    .map_or(AnswerKind::Number { min: 0, max: 0 }, |s| {
                        AnswerKind::Number {
                            min: s.min,
                            max: s.max,
                        }
                    })
            }
        }
    }
}

fn digest(sources: &[(&str, &str)]) -> String {
    let mut h = Sha256::new();
    for (name, text) in sources {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    crate::digest::sha256_hex(h)
}

/// The closest of `candidates` to `name`, if any is close enough to suggest.
pub(crate) fn did_you_mean_name<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<String> {
    suggest(name, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The proof behind [`RulePack::builtin`]'s infallibility: the compiled-in sources are
    /// constants, and they load without a problem, so the stand-in is never returned.
    #[test]
    fn builtin_sources_always_load() {
        let loaded = RulePack::from_sources(BUILTIN_SOURCES).unwrap();
        let pack = RulePack::builtin();
        assert!(!pack.is_unavailable());
        assert_eq!(pack.meta().id, BUILTIN_ID);
        assert_eq!(pack.meta().digest, loaded.meta().digest);
        assert_eq!(pack.rules().count(), loaded.rules().count());
    }

    /// The stand-in (reached only if the sources above failed to load) fails closed: it
    /// assesses nothing, not even a complete intake.
    #[test]
    fn stand_in_fails_closed() {
        let err = RulePack::from_toml("broken.toml", "not toml = ").unwrap_err();
        let stand_in = RulePack::unavailable(&err);
        assert!(stand_in.is_unavailable());
        let intake =
            crate::Intake::from_json(include_str!("../../examples/intakes/iop_primary.json"))
                .unwrap();
        assert!(RulePack::builtin().assess(&intake).is_ok());
        assert!(matches!(
            stand_in.assess(&intake),
            Err(crate::IntakeError::PackUnavailable)
        ));
    }
}
