//! Rule packs: loading, validation and the compiled, typed rules.

mod error;
pub mod format;
mod text;

pub use error::{PackError, PackProblem};

use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Field, Worse};
use crate::vocab::{Criterion, Referral, Service, Set};
use error::did_you_mean;
use format::{CondDef, Constant, FileDef, PackDef, ProgrammeDef, RatingDef, RuleDef, ScoreDef};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

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
        "engagement.toml",
        include_str!("../../rules/engagement.toml"),
    ),
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
/// source = "product default: local policy"
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
    pub(crate) fields_read: u64,
    /// The positions of `ratings`, in id order (as an intake's ratings iterate).
    pub(crate) rating_order: Vec<u16>,
    /// The safety analysis, run on first request (see [`RulePack::analyze`]).
    pub(crate) analysis: OnceLock<crate::analysis::Analysis>,
}

// `fields_read` holds one bit per built-in answer.
const _: () = assert!(Field::ALL.len() <= 64);

/// A pack's identity, carried into every recommendation for audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackMeta {
    /// The pack's identifier. [`BUILTIN_ID`] belongs to the built-in pack alone.
    pub id: String,
    /// The pack's version.
    pub version: String,
    /// Its title, if given.
    pub title: Option<String>,
    /// `sha256:` and the hex SHA-256 of every source name and text, in load order.
    pub digest: String,
}

/// A rating the pack's instrument adds to the intake.
#[derive(Debug, Clone, PartialEq, Eq)]
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
pub enum Aggregate {
    /// The sum.
    Sum,
    /// The largest.
    Max,
}

/// A composite score over ratings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// Identifier (`score.<id>` in rules).
    pub id: String,
    /// How the ratings combine.
    pub aggregate: Aggregate,
    pub(crate) terms: Vec<u16>,
    pub(crate) min: u32,
    pub(crate) max: u32,
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A section of the seed document.
    Seed,
    /// A public reference.
    Reference,
    /// A product default, with a one-line reason.
    ProductDefault,
}

/// A schedule change a rule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub(crate) urgent: bool,
    pub(crate) services: Set,
    pub(crate) referrals: Set,
    pub(crate) schedule: Option<ScheduleChange>,
    pub(crate) reason: String,
    pub(crate) source: String,
    pub(crate) source_kind: SourceKind,
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
    /// Whether it marks the result as needing same-day evaluation.
    pub fn urgent(&self) -> bool {
        self.urgent
    }
    /// The reason, for a clinician.
    pub fn reason(&self) -> &str {
        &self.reason
    }
    /// The source, as written (`seed: ...`, `reference: ...`, `product default: ...`).
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The kind of source.
    pub fn source_kind(&self) -> SourceKind {
        self.source_kind
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
    /// The referrals it adds to the plan.
    pub fn referrals(&self) -> impl Iterator<Item = Referral> + '_ {
        Referral::ALL
            .iter()
            .copied()
            .filter(|s| self.referrals.contains_bit(s.bit()))
    }
}

/// A compiled condition over answers; constants are already typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    /// A yes/no answer equals `v`.
    Bool(AnswerRef, bool),
    /// A number or choice rank lies in `lo..=hi`.
    Range(AnswerRef, u32, u32),
    /// A choice is one of the ranks set in the mask.
    Mask(AnswerRef, u64),
    /// The answer is (or is not) given. Never unknown.
    Answered(AnswerRef, bool),
    All(Box<[Cond]>),
    Any(Box<[Cond]>),
    AnyGiven(Box<[Cond]>),
    Not(Box<Cond>),
    AtLeast(u32, Box<[Cond]>),
}

impl Cond {
    /// The built-in answers this condition reads, as bits of their positions in `Field::ALL`.
    pub(crate) fn fields_read(&self) -> u64 {
        match self {
            Cond::Bool(a, _) | Cond::Range(a, _, _) | Cond::Mask(a, _) | Cond::Answered(a, _) => {
                match a {
                    AnswerRef::Field(f) => field_bit(*f),
                    AnswerRef::Rating(_) | AnswerRef::Score(_) => 0,
                }
            }
            Cond::All(list) | Cond::Any(list) | Cond::AnyGiven(list) | Cond::AtLeast(_, list) => {
                list.iter().fold(0, |m, c| m | c.fields_read())
            }
            Cond::Not(c) => c.fields_read(),
        }
    }
}

fn field_bit(f: Field) -> u64 {
    1u64.checked_shl(f as u32).unwrap_or(0)
}

/// The built-in answers an assessment with these rules needs: every one a rule reads, and
/// the arrangeable ones (the what-if question reads them).
fn fields_read(rules: &[Rule]) -> u64 {
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

/// Weekly hours a level's schedule must reach: (adults, adolescents).
pub(crate) const fn minimum_weekly_hours(level: Level) -> (u32, u32) {
    match level {
        // Medicare IOP benefit (2024) and SAMHSA TIP 47: at least 9 h/week adults, 6 adolescents.
        Level::Iop => (9, 6),
        // Medicare PHP, 42 CFR 410.43: at least 20 h/week.
        Level::Php => (20, 20),
        Level::Outpatient | Level::Inpatient => (0, 0),
    }
}

impl RulePack {
    /// The built-in pack: the seed document and public guidance, from `rules/`.
    ///
    /// # Errors
    ///
    /// Never in practice: the built-in files are checked by this crate's tests. The `Result`
    /// is kept so that a broken build of the pack surfaces as an error, never a panic.
    ///
    /// # Examples
    ///
    /// ```
    /// let pack = carelevel::RulePack::builtin();
    /// assert!(pack.rules().count() > 30);
    /// ```
    pub fn try_builtin() -> Result<RulePack, PackError> {
        RulePack::from_sources(BUILTIN_SOURCES)
    }

    /// The built-in pack. Loading takes well under a millisecond; keep the pack and reuse it.
    ///
    /// If the compiled-in files ever failed to load (the tests make sure they do not), this
    /// returns an empty pack whose only effect is that every assessment fails closed with
    /// [`IntakeError::PackUnavailable`](crate::IntakeError::PackUnavailable).
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
                digest: String::new(),
            },
            ratings: Vec::new(),
            scores: Vec::new(),
            rules: Vec::new(),
            fields_read: 0,
            rating_order: Vec::new(),
            analysis: OnceLock::new(),
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
    /// [`PackError`] listing every problem in every file at once, each with its file and
    /// rule: TOML syntax, unknown keys, duplicate ids, missing sources, unknown answers,
    /// levels, services and referrals (with a "did you mean"), constants of the wrong type or
    /// out of range, programmes below their level's minimum hours, text a clinician reads
    /// (reasons, sources, the pack's id, version and title) that is not one line or is too
    /// long (see [`MAX_REASON_CHARS`]; the message names the field, never the text), and the
    /// built-in pack's id on any other sources (see [`BUILTIN_ID`]).
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
    /// source = "seed: \"IOP Addiction Treatment Services\""
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
    /// source = "product default: local policy"
    /// "#;
    /// let err = RulePack::from_sources(&[("pack.toml", &pack_toml), ("bad.toml", bad)])
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "rule pack has 1 problem: bad.toml: rule `local.x`: \
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
        for (name, text) in sources {
            match toml::from_str::<FileDef>(text) {
                Ok(f) => files.push((*name, f)),
                Err(e) => {
                    loader.problem(name, None, toml_message(&e));
                    loader.unparsed = true;
                }
            }
        }
        loader.load(&mut files, digest(sources))
    }

    /// The pack's identity.
    pub fn meta(&self) -> &PackMeta {
        &self.meta
    }

    /// The safety analysis of this pack ([`analysis::analyze`](crate::analysis::analyze)):
    /// whether it is proved monotone with every safety answer covered, and what stands in the
    /// way if not. Loading does not run it, because it costs far more than loading (about
    /// 40 ms for the built-in pack in a release build, 260 ms in a debug build, and seconds
    /// for packs of thousands of rules); it runs on the first call and the result is kept, so
    /// later calls (and clones of the pack made afterwards) are free.
    ///
    /// # Examples
    ///
    /// Refuse a custom pack the analysis cannot prove, in one line:
    ///
    /// ```
    /// use carelevel::RulePack;
    /// fn load_proved(sources: &[(&str, &str)]) -> Result<RulePack, Box<dyn std::error::Error>> {
    ///     let pack = RulePack::from_sources(sources)?;
    ///     if !pack.analyze().is_proved_safe() {
    ///         return Err(format!("pack {} is not proved safe:\n{}", pack.meta().id, pack.analyze()).into());
    ///     }
    ///     Ok(pack)
    /// }
    /// assert!(load_proved(carelevel::BUILTIN_SOURCES).is_ok());
    /// // Only the built-in identity file, renamed: programmes and the baseline rule, but no rule
    /// // covers a safety answer, so it loads but is refused.
    /// let pack_toml = carelevel::BUILTIN_SOURCES[0]
    ///     .1
    ///     .replace(r#"id = "carelevel.builtin""#, r#"id = "example.local""#);
    /// let sources = [("pack.toml", pack_toml.as_str())];
    /// assert!(RulePack::from_sources(&sources).is_ok());
    /// let err = load_proved(&sources).unwrap_err().to_string();
    /// assert!(err.starts_with("pack example.local is not proved safe:"), "{err}");
    /// ```
    pub fn analyze(&self) -> &crate::analysis::Analysis {
        self.analysis.get_or_init(|| crate::analysis::analyze(self))
    }

    /// Every rule, in load order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
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

fn toml_message(e: &toml::de::Error) -> String {
    // toml's message spans several lines (a source excerpt); keep one line.
    let msg = e.message().trim().trim_end_matches('.').to_owned();
    match e.span() {
        Some(span) => format!("{msg} (at byte {})", span.start),
        None => msg,
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
    let mut out = String::from("sha256:");
    for b in h.finalize().iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[derive(Default)]
struct Loader {
    problems: Vec<crate::pack::PackProblem>,
    /// A file failed to parse, so pack-wide "missing" checks would only repeat that.
    unparsed: bool,
    /// The sources are exactly [`BUILTIN_SOURCES`], so the pack may carry [`BUILTIN_ID`].
    builtin: bool,
}

/// What a rule being compiled may refer to.
struct Names<'a> {
    ratings: &'a [Rating],
    scores: &'a [Score],
}

impl Loader {
    fn problem(&mut self, file: &str, item: Option<String>, message: String) {
        self.problems.push(PackProblem {
            file: file.to_owned(),
            item,
            message,
        });
    }

    /// Compiles the parsed files. Each raw table is moved out of `files` as it is converted
    /// (not cloned): nothing reads it again.
    fn load(
        mut self,
        files: &mut [(&str, FileDef)],
        digest: String,
    ) -> Result<RulePack, PackError> {
        let meta = self.meta(files, digest);
        let ratings = self.ratings(files);
        let scores = self.scores(files, &ratings);
        let programmes = self.programmes(files);
        let names = Names {
            ratings: &ratings,
            scores: &scores,
        };
        let mut rules = Vec::new();
        let mut seen = BTreeSet::new();
        for (file, def) in files.iter_mut() {
            for (index, raw) in def.rule.iter_mut().enumerate() {
                if let Some(rule) = self.rule(file, index, raw, &names, &mut seen) {
                    rules.push(rule);
                }
            }
        }
        if rules.len() > usize::from(u16::MAX) {
            self.problem(
                "pack",
                None,
                format!("has {} rules, at most 65535 are allowed", rules.len()),
            );
        }
        if rules.is_empty() && self.problems.is_empty() && !self.unparsed {
            self.problem("pack", None, "has no rules".into());
        }
        match (self.problems.is_empty(), meta, programmes) {
            (true, Some(meta), Some(programmes)) => Ok(RulePack {
                meta,
                rating_order: rating_order(&ratings),
                ratings,
                scores,
                fields_read: fields_read(&rules),
                rules,
                programmes,
                analysis: OnceLock::new(),
            }),
            _ => Err(PackError::new(
                self.problems
                    .into_iter()
                    .map(|p| PackProblem {
                        file: text::one_line(p.file),
                        item: p.item.map(text::one_line),
                        message: text::one_line(p.message),
                    })
                    .collect(),
            )),
        }
    }

    /// Checks a rating or score id: it is read as `rating.<id>` or `score.<id>` and shown in
    /// reports.
    fn name_id(&mut self, file: &str, label: &str, id: &str) {
        if !is_identifier(id) {
            self.problem(
                file,
                Some(label.to_owned()),
                format!("id `{id}` must be lowercase letters, digits and underscores"),
            );
        } else if id.len() > MAX_NAME_CHARS {
            self.problem(
                file,
                Some(label.to_owned()),
                format!(
                    "id is {} characters long, at most {MAX_NAME_CHARS} are allowed",
                    id.len()
                ),
            );
        }
    }

    /// Reports the problems with one text field a clinician reads; true when it has none.
    fn text(&mut self, file: &str, item: &str, field: &str, value: &str, max: usize) -> bool {
        let problems = text::line_problems(field, value, max);
        let ok = problems.is_empty();
        for message in problems {
            self.problem(file, Some(item.to_owned()), message);
        }
        ok
    }

    fn meta(&mut self, files: &[(&str, FileDef)], digest: String) -> Option<PackMeta> {
        let defs: Vec<(&str, &PackDef)> = files
            .iter()
            .filter_map(|(f, d)| d.pack.as_ref().map(|p| (*f, p)))
            .collect();
        match defs.as_slice() {
            [] if self.unparsed => None,
            [] => {
                let file = files.first().map_or("pack", |(f, _)| f);
                self.problem(
                    file,
                    None,
                    "no file has a `[pack]` table with an id and version".into(),
                );
                None
            }
            [(file, p)] => {
                if p.id.trim().is_empty() {
                    self.problem(file, Some("[pack]".into()), "`id` is empty".into());
                }
                if p.version.trim().is_empty() {
                    self.problem(file, Some("[pack]".into()), "`version` is empty".into());
                }
                self.text(file, "[pack]", "id", &p.id, MAX_PACK_ID_CHARS);
                self.text(file, "[pack]", "version", &p.version, MAX_PACK_ID_CHARS);
                if let Some(title) = &p.title {
                    self.text(file, "[pack]", "title", title, MAX_TITLE_CHARS);
                }
                if !self.builtin && p.id.trim().eq_ignore_ascii_case(BUILTIN_ID) {
                    self.problem(
                        file,
                        Some("[pack]".into()),
                        format!(
                            "pack id `{BUILTIN_ID}` is reserved for the built-in rules; give your pack its own id"
                        ),
                    );
                }
                Some(PackMeta {
                    id: p.id.clone(),
                    version: p.version.clone(),
                    title: p.title.clone(),
                    digest,
                })
            }
            [_, rest @ ..] => {
                for (file, _) in rest {
                    self.problem(
                        file,
                        Some("[pack]".into()),
                        "a second `[pack]` table; a pack has exactly one".into(),
                    );
                }
                None
            }
        }
    }

    fn ratings(&mut self, files: &mut [(&str, FileDef)]) -> Vec<Rating> {
        let mut out: Vec<Rating> = Vec::new();
        for (file, def) in files.iter_mut() {
            for (index, raw) in def.rating.iter_mut().enumerate() {
                let label = item_label("rating", index, raw);
                let r: RatingDef = match take(raw).try_into() {
                    Ok(r) => r,
                    Err(e) => {
                        self.problem(file, Some(label), toml_message(&e));
                        continue;
                    }
                };
                self.name_id(file, &label, &r.id);
                if out.iter().any(|o| o.id == r.id) {
                    self.problem(
                        file,
                        Some(label.clone()),
                        format!("duplicate rating id `{}`", r.id),
                    );
                }
                if r.min > r.max {
                    self.problem(
                        file,
                        Some(label.clone()),
                        format!("`min` {} is above `max` {}", r.min, r.max),
                    );
                }
                let worse = match r.worse.as_deref() {
                    None | Some("higher") => Worse::Higher,
                    Some("lower") => Worse::Lower,
                    Some("unordered") => Worse::Unordered,
                    Some(other) => {
                        self.problem(
                            file,
                            Some(label.clone()),
                            format!("`worse` is `{other}`, expected higher, lower or unordered"),
                        );
                        Worse::Higher
                    }
                };
                out.push(Rating {
                    id: r.id,
                    min: r.min,
                    max: r.max,
                    required: r.required,
                    worse,
                });
            }
        }
        out
    }

    fn scores(&mut self, files: &mut [(&str, FileDef)], ratings: &[Rating]) -> Vec<Score> {
        let mut out: Vec<Score> = Vec::new();
        for (file, def) in files.iter_mut() {
            for (index, raw) in def.score.iter_mut().enumerate() {
                let label = item_label("score", index, raw);
                let s: ScoreDef = match take(raw).try_into() {
                    Ok(s) => s,
                    Err(e) => {
                        self.problem(file, Some(label), toml_message(&e));
                        continue;
                    }
                };
                self.name_id(file, &label, &s.id);
                if out.iter().any(|o| o.id == s.id) {
                    self.problem(
                        file,
                        Some(label.clone()),
                        format!("duplicate score id `{}`", s.id),
                    );
                }
                let (aggregate, names) = match (s.sum, s.max) {
                    (Some(n), None) => (Aggregate::Sum, n),
                    (None, Some(n)) => (Aggregate::Max, n),
                    _ => {
                        self.problem(
                            file,
                            Some(label),
                            "give exactly one of `sum` and `max`".into(),
                        );
                        continue;
                    }
                };
                if names.is_empty() {
                    self.problem(file, Some(label.clone()), "combines no ratings".into());
                }
                let mut terms = Vec::new();
                let (mut min, mut max) = (0u32, 0u32);
                for name in &names {
                    let found = name
                        .strip_prefix("rating.")
                        .and_then(|id| ratings.iter().position(|r| r.id == id));
                    match found.and_then(|i| Some((u16::try_from(i).ok()?, ratings.get(i)?))) {
                        Some((i, r)) => {
                            terms.push(i);
                            match aggregate {
                                Aggregate::Sum => {
                                    min = min.saturating_add(r.min);
                                    max = max.saturating_add(r.max);
                                }
                                Aggregate::Max => {
                                    min = min.max(r.min);
                                    max = max.max(r.max);
                                }
                            }
                        }
                        None => {
                            let hint = did_you_mean(name, ratings.iter().map(|r| r.id.as_str()));
                            self.problem(
                                file,
                                Some(label.clone()),
                                format!(
                                    "unknown rating `{name}`{hint}; name ratings as `rating.<id>`"
                                ),
                            );
                        }
                    }
                }
                out.push(Score {
                    id: s.id,
                    aggregate,
                    terms,
                    min,
                    max,
                });
            }
        }
        out
    }

    fn programmes(&mut self, files: &mut [(&str, FileDef)]) -> Option<Programmes> {
        let mut found: BTreeMap<Level, Programme> = BTreeMap::new();
        let mut written: BTreeSet<Level> = BTreeSet::new();
        for (file, def) in files.iter_mut() {
            for (key, raw) in &mut def.programme {
                let label = format!("programme `{key}`");
                if let Ok(level) = key.parse::<Level>() {
                    written.insert(level);
                }
                let Ok(level) = key.parse::<Level>() else {
                    let hint = did_you_mean(key, Level::ALL.iter().map(|l| l.as_str()));
                    self.problem(file, Some(label), format!("unknown level `{key}`{hint}"));
                    continue;
                };
                let p: ProgrammeDef = match take(raw).try_into() {
                    Ok(p) => p,
                    Err(e) => {
                        self.problem(file, Some(label), toml_message(&e));
                        continue;
                    }
                };
                if let Some(prog) = self.programme(file, &label, level, p) {
                    if found.insert(level, prog).is_some() {
                        self.problem(
                            file,
                            Some(label),
                            "a second programme for this level".into(),
                        );
                    }
                }
            }
        }
        let mut take = |level: Level| {
            let p = found.remove(&level);
            if p.is_none() && !written.contains(&level) && !self.unparsed {
                self.problems.push(PackProblem {
                    file: "pack".into(),
                    item: None,
                    message: format!("no programme for level `{level}`"),
                });
            }
            p
        };
        Some(Programmes {
            outpatient: take(Level::Outpatient)?,
            iop: take(Level::Iop)?,
            php: take(Level::Php)?,
            inpatient: take(Level::Inpatient)?,
        })
    }

    fn programme(
        &mut self,
        file: &str,
        label: &str,
        level: Level,
        p: ProgrammeDef,
    ) -> Option<Programme> {
        let before = self.problems.len();
        let check = |ok: bool, msg: String, problems: &mut Vec<PackProblem>| {
            if !ok {
                problems.push(PackProblem {
                    file: file.to_owned(),
                    item: Some(label.to_owned()),
                    message: msg,
                });
            }
        };
        let intensive = p.intensive_days_per_week.unwrap_or(p.days_per_week);
        check(
            (1..=7).contains(&p.days_per_week),
            format!("`days_per_week` is {}, expected 1-7", p.days_per_week),
            &mut self.problems,
        );
        check(
            (1..=7).contains(&intensive),
            format!("`intensive_days_per_week` is {intensive}, expected 1-7"),
            &mut self.problems,
        );
        check(
            intensive >= p.days_per_week,
            format!(
                "`intensive_days_per_week` {intensive} is below `days_per_week` {}",
                p.days_per_week
            ),
            &mut self.problems,
        );
        check(
            (1..=24).contains(&p.hours_per_day),
            format!("`hours_per_day` is {}, expected 1-24", p.hours_per_day),
            &mut self.problems,
        );
        let weekly = p.days_per_week.saturating_mul(p.hours_per_day);
        let (adult_min, _) = minimum_weekly_hours(level);
        check(
            weekly >= adult_min,
            format!(
                "schedule gives {weekly} h/week, below the {adult_min} h/week minimum for {level}"
            ),
            &mut self.problems,
        );
        if level == Level::Outpatient {
            let most = intensive.saturating_mul(p.hours_per_day);
            check(
                most < 6,
                format!(
                    "outpatient schedule reaches {most} h/week, which is intensive-outpatient territory (at least 6 h/week adolescents, 9 adults)"
                ),
                &mut self.problems,
            );
        }
        if let Some([a, b]) = p.weeks {
            check(
                a >= 1 && a <= b,
                format!("`weeks` is [{a}, {b}], expected 1 <= shortest <= longest"),
                &mut self.problems,
            );
        }
        for (name, range) in [
            ("cost_per_day_usd", p.cost_per_day_usd),
            ("cost_per_month_usd", p.cost_per_month_usd),
        ] {
            if let Some([a, b]) = range {
                check(
                    a <= b,
                    format!("`{name}` is [{a}, {b}], expected low <= high"),
                    &mut self.problems,
                );
            }
        }
        let services = self.set(
            file,
            label,
            "service",
            &p.services,
            Service::from_id,
            service_ids,
            Service::bit,
        );
        let referrals = self.set(
            file,
            label,
            "referral",
            &p.referrals,
            Referral::from_id,
            referral_ids,
            Referral::bit,
        );
        if self.text(file, label, "source", &p.source, MAX_SOURCE_CHARS) {
            if let Err(msg) = source_kind(&p.source) {
                self.problem(file, Some(label.to_owned()), msg);
            }
        }
        (self.problems.len() == before).then(|| Programme {
            days_per_week: p.days_per_week,
            hours_per_day: p.hours_per_day,
            intensive_days_per_week: intensive,
            evening_option: p.evening_option,
            weeks: p.weeks.map(|[a, b]| (a, b)),
            review_within_weeks: p.review_within_weeks,
            services,
            referrals,
            cost_per_day_usd: p.cost_per_day_usd.map(|[a, b]| (a, b)),
            cost_per_month_usd: p.cost_per_month_usd.map(|[a, b]| (a, b)),
            source: p.source,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn set<T: Copy>(
        &mut self,
        file: &str,
        label: &str,
        what: &str,
        names: &[String],
        lookup: fn(&str) -> Option<T>,
        ids: fn() -> Box<dyn Iterator<Item = &'static str>>,
        bit: fn(T) -> u32,
    ) -> Set {
        let mut set = Set::default();
        for name in names {
            match lookup(name) {
                Some(v) => set.insert_bit(bit(v)),
                None => {
                    let hint = did_you_mean(name, ids());
                    self.problem(
                        file,
                        Some(label.to_owned()),
                        format!("unknown {what} `{name}`{hint}"),
                    );
                }
            }
        }
        set
    }

    fn rule(
        &mut self,
        file: &str,
        index: usize,
        raw: &mut toml::Value,
        names: &Names<'_>,
        seen: &mut BTreeSet<String>,
    ) -> Option<Rule> {
        let label = match raw.get("id").and_then(toml::Value::as_str) {
            Some(id) if is_rule_id(id) && id.len() <= MAX_RULE_ID_CHARS => format!("rule `{id}`"),
            _ => format!("rule #{} in the file", index + 1),
        };
        let def: RuleDef = match take(raw).try_into() {
            Ok(d) => d,
            Err(e) => {
                self.problem(file, Some(label), toml_message(&e));
                return None;
            }
        };
        let before = self.problems.len();
        let bad = |problems: &mut Vec<PackProblem>, msg: String| {
            problems.push(PackProblem {
                file: file.to_owned(),
                item: Some(label.clone()),
                message: msg,
            });
        };
        let id = def.id.clone().unwrap_or_default();
        if def.id.is_none() {
            bad(&mut self.problems, "has no `id`".into());
        } else if !is_rule_id(&id) {
            bad(
                &mut self.problems,
                format!("id `{id}` must be lowercase letters, digits, `_`, `-` and `.`"),
            );
        } else if id.len() > MAX_RULE_ID_CHARS {
            bad(
                &mut self.problems,
                format!(
                    "id is {} characters long, at most {MAX_RULE_ID_CHARS} are allowed",
                    id.len()
                ),
            );
        } else if !seen.insert(id.clone()) {
            bad(&mut self.problems, format!("duplicate rule id `{id}`"));
        }
        let criterion = match def.criterion.as_deref() {
            None => {
                bad(&mut self.problems, "has no `criterion`".into());
                None
            }
            Some(c) => {
                let found = Criterion::from_id(c);
                if found.is_none() {
                    let hint = did_you_mean(c, Criterion::ids());
                    bad(&mut self.problems, format!("unknown criterion `{c}`{hint}"));
                }
                found
            }
        };
        let reason = def.reason.clone().unwrap_or_default();
        if reason.trim().is_empty() {
            bad(&mut self.problems, "has no `reason`".into());
        }
        self.text(file, &label, "reason", &reason, MAX_REASON_CHARS);
        let source = def.source.clone().unwrap_or_default();
        let source_ok = self.text(file, &label, "source", &source, MAX_SOURCE_CHARS);
        let source_kind = match def.source.as_deref() {
            // Already reported, and the text must not be echoed.
            Some(_) if !source_ok => None,
            None => {
                bad(&mut self.problems, "has no `source`: name a seed section, a public reference, or `product default: <why>`".into());
                None
            }
            Some(s) => match source_kind(s) {
                Ok(k) => Some(k),
                Err(msg) => {
                    bad(&mut self.problems, msg);
                    None
                }
            },
        };
        let floor = match def.floor.as_deref() {
            None => None,
            Some(f) => match f.parse::<Level>() {
                Ok(l) => Some(l),
                Err(_) => {
                    let hint = did_you_mean(f, Level::ALL.iter().map(|l| l.as_str()));
                    bad(
                        &mut self.problems,
                        format!("unknown level `{f}` in `floor`{hint}"),
                    );
                    None
                }
            },
        };
        let schedule = match def.schedule.as_deref() {
            None => None,
            Some("intensive") => Some(ScheduleChange::Intensive),
            Some("evening") => Some(ScheduleChange::Evening),
            Some(other) => {
                bad(
                    &mut self.problems,
                    format!("unknown schedule change `{other}`, expected intensive or evening"),
                );
                None
            }
        };
        let services = self.set(
            file,
            &label,
            "service",
            &def.services,
            Service::from_id,
            service_ids,
            Service::bit,
        );
        let referrals = self.set(
            file,
            &label,
            "referral",
            &def.referrals,
            Referral::from_id,
            referral_ids,
            Referral::bit,
        );
        if def.floor.is_none()
            && !def.urgent
            && def.services.is_empty()
            && def.referrals.is_empty()
            && def.schedule.is_none()
        {
            self.problem(
                file,
                Some(label.clone()),
                "has no effect: give a `floor`, `urgent`, `services`, `referrals` or `schedule`"
                    .into(),
            );
        }
        let cond = match &def.when {
            None => {
                self.problem(file, Some(label.clone()), "has no `when` condition".into());
                None
            }
            Some(w) => {
                let mut errs = Vec::new();
                let c = compile_cond(w, names, &mut errs, "when");
                for e in errs {
                    self.problem(file, Some(label.clone()), e);
                }
                c
            }
        };
        if self.problems.len() != before {
            return None;
        }
        Some(Rule {
            id,
            criterion: criterion?,
            cond: cond?,
            floor,
            urgent: def.urgent,
            services,
            referrals,
            schedule,
            reason,
            source,
            source_kind: source_kind?,
        })
    }
}

fn service_ids() -> Box<dyn Iterator<Item = &'static str>> {
    Box::new(Service::ids())
}

fn referral_ids() -> Box<dyn Iterator<Item = &'static str>> {
    Box::new(Referral::ids())
}

/// Moves a raw table out for conversion, leaving a placeholder nothing reads.
fn take(raw: &mut toml::Value) -> toml::Value {
    std::mem::replace(raw, toml::Value::Boolean(false))
}

/// `rating `x``, or the item's position when its id is missing or malformed (so a label never
/// quotes arbitrary text).
fn item_label(what: &str, index: usize, raw: &toml::Value) -> String {
    match raw.get("id").and_then(toml::Value::as_str) {
        Some(id) if is_identifier(id) && id.len() <= MAX_NAME_CHARS => format!("{what} `{id}`"),
        _ => format!("{what} #{} in the file", index + 1),
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_rule_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        })
}

/// Classifies a source line; an error names what is wrong.
fn source_kind(s: &str) -> Result<SourceKind, String> {
    let (kind, rest) = if let Some(r) = s.strip_prefix("seed:") {
        (SourceKind::Seed, r)
    } else if let Some(r) = s.strip_prefix("reference:") {
        (SourceKind::Reference, r)
    } else if let Some(r) = s.strip_prefix("product default:") {
        (SourceKind::ProductDefault, r)
    } else {
        return Err(format!(
            "source `{s}` must start with `seed:`, `reference:` or `product default:`"
        ));
    };
    if rest.trim().is_empty() {
        return Err(match kind {
            SourceKind::ProductDefault => {
                "source `product default:` needs a one-line reason".into()
            }
            _ => format!("source `{}` names nothing after the colon", s.trim()),
        });
    }
    Ok(kind)
}

/// Compiles one condition; problems go to `errs` with the condition's path.
fn compile_cond(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<String>,
    path: &str,
) -> Option<Cond> {
    let logical = [
        c.all.is_some(),
        c.any.is_some(),
        c.any_given.is_some(),
        c.not.is_some(),
        c.at_least_n.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if c.of.is_some() && c.at_least_n.is_none() {
        errs.push(format!("`{path}` has `of` without `at_least_n`"));
        return None;
    }
    match (&c.answer, logical) {
        (Some(_), 0) => compile_test(c, names, errs, path),
        (None, 1) => compile_logical(c, names, errs, path),
        (Some(_), _) => {
            errs.push(format!("`{path}` mixes an `answer` test with `all`/`any`/`any_given`/`not`/`at_least_n`; nest them instead"));
            None
        }
        (None, 0) => {
            errs.push(format!("`{path}` is empty: give `answer` with a test, or one of `all`, `any`, `any_given`, `not`, `at_least_n`"));
            None
        }
        (None, _) => {
            errs.push(format!("`{path}` has more than one of `all`, `any`, `any_given`, `not`, `at_least_n`; nest them instead"));
            None
        }
    }
}

fn compile_list(
    list: &[CondDef],
    names: &Names<'_>,
    errs: &mut Vec<String>,
    path: &str,
) -> Option<Box<[Cond]>> {
    if list.is_empty() {
        errs.push(format!("`{path}` is an empty list"));
        return None;
    }
    let compiled: Vec<Option<Cond>> = list
        .iter()
        .enumerate()
        .map(|(i, c)| compile_cond(c, names, errs, &format!("{path}[{i}]")))
        .collect();
    compiled
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .map(Vec::into_boxed_slice)
}

fn compile_logical(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<String>,
    path: &str,
) -> Option<Cond> {
    if let Some(list) = &c.all {
        return compile_list(list, names, errs, &format!("{path}.all")).map(Cond::All);
    }
    if let Some(list) = &c.any {
        return compile_list(list, names, errs, &format!("{path}.any")).map(Cond::Any);
    }
    if let Some(list) = &c.any_given {
        return compile_list(list, names, errs, &format!("{path}.any_given")).map(Cond::AnyGiven);
    }
    if let Some(inner) = &c.not {
        return compile_cond(inner, names, errs, &format!("{path}.not"))
            .map(|c| Cond::Not(Box::new(c)));
    }
    let n = c.at_least_n.unwrap_or(0);
    let Some(list) = &c.of else {
        errs.push(format!("`{path}.at_least_n` has no `of` list"));
        return None;
    };
    if n == 0 || usize::try_from(n).map_or(true, |n| n > list.len()) {
        errs.push(format!(
            "`{path}.at_least_n` is {n}, expected 1 to {} (the length of `of`)",
            list.len()
        ));
        return None;
    }
    compile_list(list, names, errs, &format!("{path}.of")).map(|l| Cond::AtLeast(n, l))
}

fn resolve(name: &str, names: &Names<'_>) -> Option<(AnswerRef, AnswerKind)> {
    if let Some(id) = name.strip_prefix("rating.") {
        let i = names.ratings.iter().position(|r| r.id == id)?;
        let r = names.ratings.get(i)?;
        return Some((
            AnswerRef::Rating(u16::try_from(i).ok()?),
            AnswerKind::Number {
                min: r.min,
                max: r.max,
            },
        ));
    }
    if let Some(id) = name.strip_prefix("score.") {
        let i = names.scores.iter().position(|s| s.id == id)?;
        let s = names.scores.get(i)?;
        return Some((
            AnswerRef::Score(u16::try_from(i).ok()?),
            AnswerKind::Number {
                min: s.min,
                max: s.max,
            },
        ));
    }
    let f = Field::from_name(name)?;
    Some((AnswerRef::Field(f), f.info().kind))
}

fn all_answer_names(names: &Names<'_>) -> Vec<String> {
    Field::ALL
        .iter()
        .map(|f| f.info().name.to_owned())
        .chain(names.ratings.iter().map(|r| format!("rating.{}", r.id)))
        .chain(names.scores.iter().map(|s| format!("score.{}", s.id)))
        .collect()
}

fn compile_test(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<String>,
    path: &str,
) -> Option<Cond> {
    let name = c.answer.as_deref().unwrap_or_default();
    let Some((a, kind)) = resolve(name, names) else {
        let all = all_answer_names(names);
        let hint = did_you_mean(name, all.iter().map(String::as_str));
        errs.push(format!("`{path}` reads unknown answer `{name}`{hint}"));
        return None;
    };
    let tests = [
        c.is.is_some(),
        c.in_.is_some(),
        c.at_least.is_some() || c.at_most.is_some(),
        c.answered.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if tests != 1 {
        errs.push(format!(
            "`{path}` on `{name}` needs exactly one test: `is`, `in`, `at_least`/`at_most` or `answered`"
        ));
        return None;
    }
    if let Some(v) = c.answered {
        return Some(Cond::Answered(a, v));
    }
    match kind {
        AnswerKind::Bool => match &c.is {
            Some(Constant::Bool(b)) => Some(Cond::Bool(a, *b)),
            Some(other) => {
                errs.push(format!(
                    "`{path}`: `{name}` is yes/no, so `is` takes true or false, not {other}"
                ));
                None
            }
            None => {
                errs.push(format!(
                    "`{path}`: `{name}` is yes/no: test it with `is = true` or `is = false`"
                ));
                None
            }
        },
        AnswerKind::Number { min, max } => {
            let num = |k: &Constant, errs: &mut Vec<String>| -> Option<u32> {
                match k {
                    Constant::Int(n) if *n >= i64::from(min) && *n <= i64::from(max) => {
                        u32::try_from(*n).ok()
                    }
                    Constant::Int(n) => {
                        errs.push(format!(
                            "`{path}`: constant {n} is out of range for `{name}` ({min}-{max})"
                        ));
                        None
                    }
                    other => {
                        errs.push(format!(
                            "`{path}`: `{name}` is a number ({min}-{max}), not {other}"
                        ));
                        None
                    }
                }
            };
            if let Some(k) = &c.is {
                let v = num(k, errs)?;
                return Some(Cond::Range(a, v, v));
            }
            if let Some(list) = &c.in_ {
                if list.is_empty() {
                    errs.push(format!("`{path}`: `in` is an empty list"));
                    return None;
                }
                let vals: Vec<Option<u32>> = list.iter().map(|k| num(k, errs)).collect();
                let vals = vals.into_iter().collect::<Option<Vec<_>>>()?;
                return Some(Cond::Any(
                    vals.into_iter().map(|v| Cond::Range(a, v, v)).collect(),
                ));
            }
            let lo = match &c.at_least {
                Some(k) => num(k, errs)?,
                None => min,
            };
            let hi = match &c.at_most {
                Some(k) => num(k, errs)?,
                None => max,
            };
            if lo > hi {
                errs.push(format!(
                    "`{path}`: `at_least` {lo} is above `at_most` {hi}, so it can never hold"
                ));
                return None;
            }
            Some(Cond::Range(a, lo, hi))
        }
        AnswerKind::Choice(choices) => {
            let rank = |k: &Constant, errs: &mut Vec<String>| -> Option<u32> {
                match k {
                    Constant::Text(t) => {
                        match choices.iter().position(|c| c == t) {
                            Some(p) => u32::try_from(p).ok(),
                            None => {
                                let hint = did_you_mean(t, choices.iter().copied());
                                errs.push(format!("`{path}`: `{t}` is not a choice of `{name}`{hint}; choices: {}", choices.join(", ")));
                                None
                            }
                        }
                    }
                    other => {
                        errs.push(format!(
                            "`{path}`: `{name}` is one of {}, not {other}",
                            choices.join(", ")
                        ));
                        None
                    }
                }
            };
            if let Some(k) = &c.is {
                let r = rank(k, errs)?;
                return Some(Cond::Mask(a, 1u64 << r));
            }
            if let Some(list) = &c.in_ {
                if list.is_empty() {
                    errs.push(format!("`{path}`: `in` is an empty list"));
                    return None;
                }
                let ranks: Vec<Option<u32>> = list.iter().map(|k| rank(k, errs)).collect();
                let ranks = ranks.into_iter().collect::<Option<Vec<_>>>()?;
                return Some(Cond::Mask(
                    a,
                    ranks.into_iter().fold(0u64, |m, r| m | (1u64 << r)),
                ));
            }
            let top = u32::try_from(choices.len().saturating_sub(1)).unwrap_or(0);
            let lo = match &c.at_least {
                Some(k) => rank(k, errs)?,
                None => 0,
            };
            let hi = match &c.at_most {
                Some(k) => rank(k, errs)?,
                None => top,
            };
            if lo > hi {
                errs.push(format!(
                    "`{path}`: `at_least` is above `at_most`, so it can never hold"
                ));
                return None;
            }
            Some(Cond::Range(a, lo, hi))
        }
    }
}

/// The closest of `candidates` to `name`, if any is close enough to suggest.
pub(crate) fn did_you_mean_name<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<String> {
    let hint = did_you_mean(name, candidates);
    hint.split('`').nth(1).map(str::to_owned)
}
