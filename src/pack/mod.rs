//! Rule packs: loading, validation and the compiled, typed rules.

pub(crate) mod cond;
mod error;
mod format;
mod text;

pub use error::{PackError, PackProblem, PackProblemKind, Span};

pub(crate) use cond::Cond;

use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Field, Worse};
use crate::level::minimum_weekly_hours;
use crate::vocab::{Criterion, Referral, Service, Set};
use error::{hint, suggest};
use format::{CondDef, Constant, FileDef, PackDef, ProgrammeDef, RatingDef, RuleDef, ScoreDef};
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
}

// `fields_read` holds one bit per built-in answer.
const _: () = assert!(Field::ALL.len() <= 64);

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
    /// `sha256:` and the hex SHA-256 of every source name and text, in load order.
    pub digest: String,
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

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
                digest: String::new(),
            },
            ratings: Vec::new(),
            scores: Vec::new(),
            rules: Vec::new(),
            fields_read: 0,
            rating_order: Vec::new(),
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
    // toml's `Display` adds a source excerpt over several lines; the message alone is one
    // line, and the position goes into the problem's span.
    e.message().trim().trim_end_matches('.').to_owned()
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

#[derive(Default)]
struct Loader {
    problems: Vec<Found>,
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

/// A source being loaded: its name and its position in the sources (names need not be
/// unique).
#[derive(Debug, Clone, Copy)]
struct Src<'a> {
    name: &'a str,
    index: usize,
}

/// One step of a TOML key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A TOML key path, shown as TOML writes it: `rule[2].when.all[1].answer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct KeyPath(Vec<Seg>);

impl KeyPath {
    fn of(key: &str) -> KeyPath {
        KeyPath(vec![Seg::Key(key.to_owned())])
    }

    fn key(&self, key: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_owned()));
        p
    }

    fn index(&self, index: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(index));
        p
    }
}

impl std::fmt::Display for KeyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let bare = !k.is_empty()
                        && k.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                    if bare {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The tables of a file that are read one by one, so that a problem in one is reported
/// with its position by reading that table again.
#[derive(Debug, Clone, Copy)]
enum Table {
    Rating,
    Score,
    Programme,
    Rule,
}

/// The part of a file problems are reported in: a rule, rating, score or programme, the
/// `[pack]` table, a file as a whole, or the whole pack.
#[derive(Debug, Clone)]
struct Item {
    file: String,
    source: Option<usize>,
    label: Option<String>,
    id: Option<String>,
    /// The item's table, from the top of the file.
    path: KeyPath,
}

impl Item {
    /// A problem of the whole pack, in no file.
    fn pack_wide(file: &str) -> Item {
        Item {
            file: file.to_owned(),
            source: None,
            label: None,
            id: None,
            path: KeyPath::default(),
        }
    }

    /// A problem of a file as a whole.
    fn file(src: Src<'_>) -> Item {
        Item {
            source: Some(src.index),
            ..Item::pack_wide(src.name)
        }
    }

    /// A table of a file, labelled as messages show it.
    fn table(src: Src<'_>, label: String, id: Option<String>, path: KeyPath) -> Item {
        Item {
            label: Some(label),
            id,
            path,
            ..Item::file(src)
        }
    }

    /// A problem at the item's table.
    fn problem(&self, kind: PackProblemKind, message: String) -> Found {
        Found {
            problem: PackProblem {
                file: self.file.clone(),
                item: self.label.clone(),
                message,
                kind,
                id: self.id.clone(),
                path: None,
                span: None,
                suggestion: None,
            },
            source: self.source,
            at: self.path.clone(),
            offset: None,
            reread: None,
        }
    }
}

/// A problem found while loading, with what is needed to place it in its file once loading
/// has failed: a pack that loads never pays for positions.
#[derive(Debug)]
struct Found {
    problem: PackProblem,
    /// The source the problem is in, if it is in one.
    source: Option<usize>,
    /// The TOML key path of the offending item or value, from the top of the file.
    at: KeyPath,
    /// The byte offset the TOML reader gave, if it gave one.
    offset: Option<usize>,
    /// The item could not be read as this table: read it again with positions to find the
    /// offending key.
    reread: Option<Table>,
}

impl Found {
    /// The problem is at this key (or list element) inside the item.
    fn at(mut self, path: &KeyPath) -> Found {
        self.at.0.extend(path.0.iter().cloned());
        self
    }

    /// The problem is at this key of the item.
    fn key(self, key: &str) -> Found {
        self.at(&KeyPath::of(key))
    }

    fn suggesting(mut self, suggestion: Option<String>) -> Found {
        self.problem.suggestion = suggestion;
        self
    }
}

/// A problem in a condition: its key path from the rule's table.
#[derive(Debug)]
struct CondProblem {
    kind: PackProblemKind,
    at: KeyPath,
    message: String,
    suggestion: Option<String>,
}

impl CondProblem {
    fn new(kind: PackProblemKind, at: KeyPath, message: String) -> CondProblem {
        CondProblem {
            kind,
            at,
            message,
            suggestion: None,
        }
    }
}

/// A vocabulary a list of names is checked against (services, referrals).
struct Vocab<T> {
    what: &'static str,
    kind: PackProblemKind,
    lookup: fn(&str) -> Option<T>,
    ids: fn() -> Box<dyn Iterator<Item = &'static str>>,
    bit: fn(T) -> u32,
}

const SERVICES: Vocab<Service> = Vocab {
    what: "service",
    kind: PackProblemKind::UnknownService,
    lookup: Service::from_id,
    ids: service_ids,
    bit: Service::bit,
};

const REFERRALS: Vocab<Referral> = Vocab {
    what: "referral",
    kind: PackProblemKind::UnknownReferral,
    lookup: Referral::from_id,
    ids: referral_ids,
    bit: Referral::bit,
};

impl Loader {
    fn report(&mut self, found: Found) {
        self.problems.push(found);
    }

    /// A file that could not be read: a TOML syntax error, or a document of the wrong shape
    /// (an unknown top-level table, a `rule` that is not a list of tables).
    fn unreadable(&mut self, src: Src<'_>, text: &str, e: &toml::de::Error) {
        let kind = if toml::de::DeTable::parse(text).is_ok() {
            shape_kind(e.message())
        } else if e.message().starts_with("duplicate key") {
            PackProblemKind::DuplicateKey
        } else {
            PackProblemKind::Syntax
        };
        let mut found = Item::file(src).problem(kind, toml_message(e));
        found.offset = e.span().map(|s| s.start);
        self.report(found);
    }

    /// A table that could not be read as `table`.
    fn unreadable_table(&mut self, item: &Item, table: Table, e: &toml::de::Error) {
        let mut found = item.problem(shape_kind(e.message()), toml_message(e));
        found.reread = Some(table);
        self.report(found);
    }

    /// Compiles the parsed files. Each raw table is moved out of `files` as it is converted
    /// (not cloned): nothing reads it again.
    fn load(
        mut self,
        files: &mut [(Src<'_>, FileDef)],
        sources: &[(&str, &str)],
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
        for (src, def) in files.iter_mut() {
            for (index, raw) in def.rule.iter_mut().enumerate() {
                if let Some(rule) = self.rule(*src, index, raw, &names, &mut seen) {
                    rules.push(rule);
                }
            }
        }
        if rules.len() > usize::from(u16::MAX) {
            self.report(Item::pack_wide("pack").problem(
                PackProblemKind::RuleCount,
                format!("has {} rules, at most 65535 are allowed", rules.len()),
            ));
        }
        if rules.is_empty() && self.problems.is_empty() && !self.unparsed {
            self.report(
                Item::pack_wide("pack").problem(PackProblemKind::RuleCount, "has no rules".into()),
            );
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
            }),
            _ => Err(PackError::new(place(self.problems, sources))),
        }
    }

    /// Checks a rating or score id: it is read as `rating.<id>` or `score.<id>` and shown in
    /// reports.
    fn name_id(&mut self, item: &Item, id: &str) {
        if !is_identifier(id) {
            self.report(
                item.problem(
                    PackProblemKind::InvalidId,
                    format!("id `{id}` must be lowercase letters, digits and underscores"),
                )
                .key("id"),
            );
        } else if id.len() > MAX_NAME_CHARS {
            self.report(
                item.problem(
                    PackProblemKind::TooLong,
                    format!(
                        "id is {} characters long, at most {MAX_NAME_CHARS} are allowed",
                        id.len()
                    ),
                )
                .key("id"),
            );
        }
    }

    /// Reports the problems with one text field a clinician reads; true when it has none.
    fn text(&mut self, item: &Item, field: &str, value: &str, max: usize) -> bool {
        let problems = text::line_problems(field, value, max);
        let ok = problems.is_empty();
        for (kind, message) in problems {
            self.report(item.problem(kind, message).key(field));
        }
        ok
    }

    fn meta(&mut self, files: &[(Src<'_>, FileDef)], digest: String) -> Option<PackMeta> {
        let defs: Vec<(Src<'_>, &PackDef)> = files
            .iter()
            .filter_map(|(f, d)| d.pack.as_ref().map(|p| (*f, p)))
            .collect();
        let item = |src: Src<'_>| Item::table(src, "[pack]".into(), None, KeyPath::of("pack"));
        match defs.as_slice() {
            [] if self.unparsed => None,
            [] => {
                let file = files.first().map_or("pack", |(f, _)| f.name);
                self.report(Item::pack_wide(file).problem(
                    PackProblemKind::MissingField,
                    "no file has a `[pack]` table with an id and version".into(),
                ));
                None
            }
            [(src, p)] => {
                let item = item(*src);
                if p.id.trim().is_empty() {
                    self.report(
                        item.problem(PackProblemKind::MissingField, "`id` is empty".into())
                            .key("id"),
                    );
                }
                if p.version.trim().is_empty() {
                    self.report(
                        item.problem(PackProblemKind::MissingField, "`version` is empty".into())
                            .key("version"),
                    );
                }
                self.text(&item, "id", &p.id, MAX_PACK_ID_CHARS);
                self.text(&item, "version", &p.version, MAX_PACK_ID_CHARS);
                if let Some(title) = &p.title {
                    self.text(&item, "title", title, MAX_TITLE_CHARS);
                }
                if !self.builtin && p.id.trim().eq_ignore_ascii_case(BUILTIN_ID) {
                    self.report(
                        item.problem(
                            PackProblemKind::ReservedId,
                            format!(
                                "pack id `{BUILTIN_ID}` is reserved for the built-in rules; give your pack its own id"
                            ),
                        )
                        .key("id"),
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
                for (src, _) in rest {
                    self.report(item(*src).problem(
                        PackProblemKind::DuplicateTable,
                        "a second `[pack]` table; a pack has exactly one".into(),
                    ));
                }
                None
            }
        }
    }

    fn ratings(&mut self, files: &mut [(Src<'_>, FileDef)]) -> Vec<Rating> {
        let mut out: Vec<Rating> = Vec::new();
        for (src, def) in files.iter_mut() {
            for (index, raw) in def.rating.iter_mut().enumerate() {
                let item = table_item(*src, "rating", index, raw);
                let r: RatingDef = match take(raw).try_into() {
                    Ok(r) => r,
                    Err(e) => {
                        self.unreadable_table(&item, Table::Rating, &e);
                        continue;
                    }
                };
                self.name_id(&item, &r.id);
                if out.iter().any(|o| o.id == r.id) {
                    self.report(
                        item.problem(
                            PackProblemKind::DuplicateId,
                            format!("duplicate rating id `{}`", r.id),
                        )
                        .key("id"),
                    );
                }
                if r.min > r.max {
                    self.report(
                        item.problem(
                            PackProblemKind::InvalidRange,
                            format!("`min` {} is above `max` {}", r.min, r.max),
                        )
                        .key("min"),
                    );
                }
                let worse = match r.worse.as_deref() {
                    None | Some("higher") => Worse::Higher,
                    Some("lower") => Worse::Lower,
                    Some("unordered") => Worse::Unordered,
                    Some(other) => {
                        self.report(
                            item.problem(
                                PackProblemKind::InvalidValue,
                                format!(
                                    "`worse` is `{other}`, expected higher, lower or unordered"
                                ),
                            )
                            .key("worse"),
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

    fn scores(&mut self, files: &mut [(Src<'_>, FileDef)], ratings: &[Rating]) -> Vec<Score> {
        let mut out: Vec<Score> = Vec::new();
        for (src, def) in files.iter_mut() {
            for (index, raw) in def.score.iter_mut().enumerate() {
                let item = table_item(*src, "score", index, raw);
                let s: ScoreDef = match take(raw).try_into() {
                    Ok(s) => s,
                    Err(e) => {
                        self.unreadable_table(&item, Table::Score, &e);
                        continue;
                    }
                };
                self.name_id(&item, &s.id);
                if out.iter().any(|o| o.id == s.id) {
                    self.report(
                        item.problem(
                            PackProblemKind::DuplicateId,
                            format!("duplicate score id `{}`", s.id),
                        )
                        .key("id"),
                    );
                }
                let (aggregate, key, names) = match (s.sum, s.max) {
                    (Some(n), None) => (Aggregate::Sum, "sum", n),
                    (None, Some(n)) => (Aggregate::Max, "max", n),
                    (sum, _) => {
                        let (kind, at) = match sum {
                            Some(_) => (PackProblemKind::ConflictingKeys, KeyPath::of("max")),
                            None => (PackProblemKind::MissingField, KeyPath::default()),
                        };
                        self.report(
                            item.problem(kind, "give exactly one of `sum` and `max`".into())
                                .at(&at),
                        );
                        continue;
                    }
                };
                if names.is_empty() {
                    self.report(
                        item.problem(PackProblemKind::MissingField, "combines no ratings".into())
                            .key(key),
                    );
                }
                let mut terms = Vec::new();
                let (mut min, mut max) = (0u32, 0u32);
                for (i, name) in names.iter().enumerate() {
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
                            let s = suggest(name, ratings.iter().map(|r| r.id.as_str()));
                            self.report(
                                item.problem(
                                    PackProblemKind::UnknownRating,
                                    format!(
                                        "unknown rating `{name}`{}; name ratings as `rating.<id>`",
                                        hint(s.as_deref())
                                    ),
                                )
                                .at(&KeyPath::of(key).index(i))
                                .suggesting(s),
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

    fn programmes(&mut self, files: &mut [(Src<'_>, FileDef)]) -> Option<Programmes> {
        let mut found: BTreeMap<Level, Programme> = BTreeMap::new();
        let mut written: BTreeSet<Level> = BTreeSet::new();
        for (src, def) in files.iter_mut() {
            for (key, raw) in &mut def.programme {
                let level = key.parse::<Level>().ok();
                let item = Item::table(
                    *src,
                    format!("programme `{key}`"),
                    level.map(|l| l.as_str().to_owned()),
                    KeyPath::of("programme").key(key),
                );
                let Some(level) = level else {
                    let s = suggest(key, Level::ALL.iter().map(|l| l.as_str()));
                    self.report(
                        item.problem(
                            PackProblemKind::UnknownLevel,
                            format!("unknown level `{key}`{}", hint(s.as_deref())),
                        )
                        .suggesting(s),
                    );
                    continue;
                };
                written.insert(level);
                let p: ProgrammeDef = match take(raw).try_into() {
                    Ok(p) => p,
                    Err(e) => {
                        self.unreadable_table(&item, Table::Programme, &e);
                        continue;
                    }
                };
                if let Some(prog) = self.programme(&item, level, p) {
                    if found.insert(level, prog).is_some() {
                        self.report(item.problem(
                            PackProblemKind::DuplicateTable,
                            "a second programme for this level".into(),
                        ));
                    }
                }
            }
        }
        let mut take = |level: Level| {
            let p = found.remove(&level);
            if p.is_none() && !written.contains(&level) && !self.unparsed {
                self.problems.push(Item::pack_wide("pack").problem(
                    PackProblemKind::MissingField,
                    format!("no programme for level `{level}`"),
                ));
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

    fn programme(&mut self, item: &Item, level: Level, p: ProgrammeDef) -> Option<Programme> {
        let before = self.problems.len();
        let check = |ok: bool, kind, key: Option<&str>, msg: String, problems: &mut Vec<Found>| {
            if !ok {
                let found = item.problem(kind, msg);
                problems.push(match key {
                    Some(key) => found.key(key),
                    None => found,
                });
            }
        };
        let intensive = p.intensive_days_per_week.unwrap_or(p.days_per_week);
        check(
            (1..=7).contains(&p.days_per_week),
            PackProblemKind::OutOfRange,
            Some("days_per_week"),
            format!("`days_per_week` is {}, expected 1-7", p.days_per_week),
            &mut self.problems,
        );
        check(
            (1..=7).contains(&intensive),
            PackProblemKind::OutOfRange,
            Some("intensive_days_per_week"),
            format!("`intensive_days_per_week` is {intensive}, expected 1-7"),
            &mut self.problems,
        );
        check(
            intensive >= p.days_per_week,
            PackProblemKind::InvalidRange,
            Some("intensive_days_per_week"),
            format!(
                "`intensive_days_per_week` {intensive} is below `days_per_week` {}",
                p.days_per_week
            ),
            &mut self.problems,
        );
        check(
            (1..=24).contains(&p.hours_per_day),
            PackProblemKind::OutOfRange,
            Some("hours_per_day"),
            format!("`hours_per_day` is {}, expected 1-24", p.hours_per_day),
            &mut self.problems,
        );
        let weekly = p.days_per_week.saturating_mul(p.hours_per_day);
        let (adult_min, _) = minimum_weekly_hours(level);
        check(
            weekly >= adult_min,
            PackProblemKind::BelowMinimumHours,
            None,
            format!(
                "schedule gives {weekly} h/week, below the {adult_min} h/week minimum for {level}"
            ),
            &mut self.problems,
        );
        if level == Level::Outpatient {
            let most = intensive.saturating_mul(p.hours_per_day);
            check(
                most < 6,
                PackProblemKind::AboveMaximumHours,
                None,
                format!(
                    "outpatient schedule reaches {most} h/week, which is intensive-outpatient territory (at least 6 h/week adolescents, 9 adults)"
                ),
                &mut self.problems,
            );
        }
        if let Some([a, b]) = p.weeks {
            check(
                a >= 1 && a <= b,
                PackProblemKind::InvalidRange,
                Some("weeks"),
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
                    PackProblemKind::InvalidRange,
                    Some(name),
                    format!("`{name}` is [{a}, {b}], expected low <= high"),
                    &mut self.problems,
                );
            }
        }
        let services = self.set(item, "services", &SERVICES, &p.services);
        let referrals = self.set(item, "referrals", &REFERRALS, &p.referrals);
        if self.text(item, "source", &p.source, MAX_SOURCE_CHARS) {
            if let Err(msg) = source_kind(&p.source) {
                self.report(
                    item.problem(PackProblemKind::InvalidSource, msg)
                        .key("source"),
                );
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

    /// The names of list `key` looked up in `vocab`; each unknown one is a problem at its
    /// place in the list.
    fn set<T: Copy>(&mut self, item: &Item, key: &str, vocab: &Vocab<T>, names: &[String]) -> Set {
        let mut set = Set::default();
        for (i, name) in names.iter().enumerate() {
            match (vocab.lookup)(name) {
                Some(v) => set.insert_bit((vocab.bit)(v)),
                None => {
                    let s = suggest(name, (vocab.ids)());
                    self.report(
                        item.problem(
                            vocab.kind,
                            format!("unknown {} `{name}`{}", vocab.what, hint(s.as_deref())),
                        )
                        .at(&KeyPath::of(key).index(i))
                        .suggesting(s),
                    );
                }
            }
        }
        set
    }

    fn rule(
        &mut self,
        src: Src<'_>,
        index: usize,
        raw: &mut toml::Value,
        names: &Names<'_>,
        seen: &mut BTreeSet<String>,
    ) -> Option<Rule> {
        let (label, id) = match raw.get("id").and_then(toml::Value::as_str) {
            Some(id) if is_rule_id(id) && id.len() <= MAX_RULE_ID_CHARS => {
                (format!("rule `{id}`"), Some(id.to_owned()))
            }
            _ => (format!("rule #{} in the file", index + 1), None),
        };
        let item = Item::table(src, label, id, KeyPath::of("rule").index(index));
        let def: RuleDef = match take(raw).try_into() {
            Ok(d) => d,
            Err(e) => {
                self.unreadable_table(&item, Table::Rule, &e);
                return None;
            }
        };
        let before = self.problems.len();
        let id = def.id.clone().unwrap_or_default();
        if def.id.is_none() {
            self.report(item.problem(PackProblemKind::MissingField, "has no `id`".into()));
        } else if !is_rule_id(&id) {
            self.report(
                item.problem(
                    PackProblemKind::InvalidId,
                    format!("id `{id}` must be lowercase letters, digits, `_`, `-` and `.`"),
                )
                .key("id"),
            );
        } else if id.len() > MAX_RULE_ID_CHARS {
            self.report(
                item.problem(
                    PackProblemKind::TooLong,
                    format!(
                        "id is {} characters long, at most {MAX_RULE_ID_CHARS} are allowed",
                        id.len()
                    ),
                )
                .key("id"),
            );
        } else if !seen.insert(id.clone()) {
            self.report(
                item.problem(
                    PackProblemKind::DuplicateId,
                    format!("duplicate rule id `{id}`"),
                )
                .key("id"),
            );
        }
        let criterion = match def.criterion.as_deref() {
            None => {
                self.report(
                    item.problem(PackProblemKind::MissingField, "has no `criterion`".into()),
                );
                None
            }
            Some(c) => {
                let found = Criterion::from_id(c);
                if found.is_none() {
                    let s = suggest(c, Criterion::ids());
                    self.report(
                        item.problem(
                            PackProblemKind::UnknownCriterion,
                            format!("unknown criterion `{c}`{}", hint(s.as_deref())),
                        )
                        .key("criterion")
                        .suggesting(s),
                    );
                }
                found
            }
        };
        let reason = def.reason.clone().unwrap_or_default();
        if reason.trim().is_empty() {
            let found = item.problem(PackProblemKind::MissingField, "has no `reason`".into());
            self.report(match def.reason {
                Some(_) => found.key("reason"),
                None => found,
            });
        }
        self.text(&item, "reason", &reason, MAX_REASON_CHARS);
        let source = def.source.clone().unwrap_or_default();
        let source_ok = self.text(&item, "source", &source, MAX_SOURCE_CHARS);
        let source_kind = match def.source.as_deref() {
            // Already reported, and the text must not be echoed.
            Some(_) if !source_ok => None,
            None => {
                self.report(item.problem(
                    PackProblemKind::MissingField,
                    "has no `source`: name a seed section, a public reference, or `product default: <why>`".into(),
                ));
                None
            }
            Some(s) => match source_kind(s) {
                Ok(k) => Some(k),
                Err(msg) => {
                    self.report(
                        item.problem(PackProblemKind::InvalidSource, msg)
                            .key("source"),
                    );
                    None
                }
            },
        };
        let floor = match def.floor.as_deref() {
            None => None,
            Some(f) => match f.parse::<Level>() {
                Ok(l) => Some(l),
                Err(_) => {
                    let s = suggest(f, Level::ALL.iter().map(|l| l.as_str()));
                    self.report(
                        item.problem(
                            PackProblemKind::UnknownLevel,
                            format!("unknown level `{f}` in `floor`{}", hint(s.as_deref())),
                        )
                        .key("floor")
                        .suggesting(s),
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
                self.report(
                    item.problem(
                        PackProblemKind::InvalidValue,
                        format!("unknown schedule change `{other}`, expected intensive or evening"),
                    )
                    .key("schedule"),
                );
                None
            }
        };
        let services = self.set(&item, "services", &SERVICES, &def.services);
        let referrals = self.set(&item, "referrals", &REFERRALS, &def.referrals);
        if def.floor.is_none()
            && !def.urgent
            && def.services.is_empty()
            && def.referrals.is_empty()
            && def.schedule.is_none()
        {
            self.report(item.problem(
                PackProblemKind::NoEffect,
                "has no effect: give a `floor`, `urgent`, `services`, `referrals` or `schedule`"
                    .into(),
            ));
        }
        let cond = match &def.when {
            None => {
                self.report(item.problem(
                    PackProblemKind::MissingField,
                    "has no `when` condition".into(),
                ));
                None
            }
            Some(w) => {
                let mut errs = Vec::new();
                let c = compile_cond(w, names, &mut errs, &KeyPath::of("when"));
                for e in errs {
                    self.report(
                        item.problem(e.kind, e.message)
                            .at(&e.at)
                            .suggesting(e.suggestion),
                    );
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

/// The kind of a problem the TOML reader found in a document that parses: serde's messages
/// start with what went wrong.
fn shape_kind(message: &str) -> PackProblemKind {
    if message.starts_with("unknown field") {
        PackProblemKind::UnknownKey
    } else if message.starts_with("missing field") {
        PackProblemKind::MissingField
    } else if message.starts_with("duplicate") {
        PackProblemKind::DuplicateKey
    } else {
        PackProblemKind::WrongType
    }
}

/// Gives every problem its path and position (reading each file that has a problem once
/// more, with positions), and keeps every text one line.
fn place(found: Vec<Found>, sources: &[(&str, &str)]) -> Vec<PackProblem> {
    let mut docs: BTreeMap<usize, Option<toml::Spanned<toml::de::DeValue<'_>>>> = BTreeMap::new();
    found
        .into_iter()
        .map(|f| {
            let mut p = f.problem;
            if let Some((i, text)) = f.source.and_then(|i| Some((i, sources.get(i)?.1))) {
                let doc = docs.entry(i).or_insert_with(|| {
                    let t = toml::de::DeTable::parse(text).ok()?;
                    Some(toml::Spanned::new(
                        t.span(),
                        toml::de::DeValue::Table(t.into_inner()),
                    ))
                });
                let (path, offset) = locate(doc.as_ref(), &f.at, f.offset, f.reread);
                p.span = offset.map(|o| Span::at(text, o));
                p.path = (!path.0.is_empty()).then(|| path.to_string());
            }
            PackProblem {
                file: text::one_line(p.file),
                item: p.item.map(text::one_line),
                message: text::one_line(p.message),
                id: p.id.map(text::one_line),
                path: p.path.map(text::one_line),
                suggestion: p.suggestion.map(text::one_line),
                ..p
            }
        })
        .collect()
}

/// The key path and byte offset of a problem at `at` in `doc` (the parsed file, if it
/// parses): the deepest part of `at` the file has, refined by the reader's offset (or the
/// offset found by reading the table again) to the key or value it falls in.
fn locate(
    doc: Option<&toml::Spanned<toml::de::DeValue<'_>>>,
    at: &KeyPath,
    offset: Option<usize>,
    reread: Option<Table>,
) -> (KeyPath, Option<usize>) {
    let Some(mut node) = doc else {
        return (KeyPath::default(), offset);
    };
    let mut path = KeyPath::default();
    for seg in &at.0 {
        let next = match seg {
            Seg::Key(k) => node.get_ref().get(k.as_str()),
            Seg::Index(i) => node.get_ref().get(*i),
        };
        match next {
            Some(n) => {
                node = n;
                path.0.push(seg.clone());
            }
            None => break,
        }
    }
    let offset = offset.or_else(|| reread.and_then(|t| reread_offset(t, node)));
    match offset {
        Some(o) => {
            path.0.extend(find(node, o).unwrap_or_default());
            (path, Some(o))
        }
        None => (path, Some(node.span().start)),
    }
}

/// Where reading `node` as `table` fails, read with positions.
fn reread_offset(table: Table, node: &toml::Spanned<toml::de::DeValue<'_>>) -> Option<usize> {
    let de = || toml::de::ValueDeserializer::from(node.clone());
    let err = match table {
        Table::Rating => RatingDef::deserialize(de()).err(),
        Table::Score => ScoreDef::deserialize(de()).err(),
        Table::Programme => ProgrammeDef::deserialize(de()).err(),
        Table::Rule => RuleDef::deserialize(de()).err(),
    };
    err.and_then(|e| e.span()).map(|s| s.start)
}

/// The key path from `node` to the deepest key or value that holds byte `offset`, if one
/// does.
fn find(node: &toml::Spanned<toml::de::DeValue<'_>>, offset: usize) -> Option<Vec<Seg>> {
    let holds = |s: std::ops::Range<usize>| s.contains(&offset) || s.start == offset;
    match node.get_ref() {
        toml::de::DeValue::Table(t) => {
            for (k, v) in t.iter() {
                let seg = Seg::Key(k.get_ref().to_string());
                if let Some(mut rest) = find(v, offset) {
                    rest.insert(0, seg);
                    return Some(rest);
                }
                if holds(k.span()) {
                    return Some(vec![seg]);
                }
            }
        }
        toml::de::DeValue::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                if let Some(mut rest) = find(v, offset) {
                    rest.insert(0, Seg::Index(i));
                    return Some(rest);
                }
            }
        }
        _ => {}
    }
    holds(node.span()).then(Vec::new)
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

/// The item `[[what]]` number `index` of its file, labelled ``rating `x` ``, or by its
/// position when its id is missing or malformed (so a label never quotes arbitrary text).
fn table_item(src: Src<'_>, what: &str, index: usize, raw: &toml::Value) -> Item {
    let (label, id) = match raw.get("id").and_then(toml::Value::as_str) {
        Some(id) if is_identifier(id) && id.len() <= MAX_NAME_CHARS => {
            (format!("{what} `{id}`"), Some(id.to_owned()))
        }
        _ => (format!("{what} #{} in the file", index + 1), None),
    };
    Item::table(src, label, id, KeyPath::of(what).index(index))
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

/// Compiles one condition; problems go to `errs` with the condition's key path.
fn compile_cond(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Cond> {
    use PackProblemKind::MalformedCondition;
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
        errs.push(CondProblem::new(
            MalformedCondition,
            path.key("of"),
            format!("`{path}` has `of` without `at_least_n`"),
        ));
        return None;
    }
    match (&c.answer, logical) {
        (Some(_), 0) => compile_test(c, names, errs, path),
        (None, 1) => compile_logical(c, names, errs, path),
        (Some(_), _) => {
            errs.push(CondProblem::new(MalformedCondition, path.clone(), format!("`{path}` mixes an `answer` test with `all`/`any`/`any_given`/`not`/`at_least_n`; nest them instead")));
            None
        }
        (None, 0) => {
            errs.push(CondProblem::new(MalformedCondition, path.clone(), format!("`{path}` is empty: give `answer` with a test, or one of `all`, `any`, `any_given`, `not`, `at_least_n`")));
            None
        }
        (None, _) => {
            errs.push(CondProblem::new(MalformedCondition, path.clone(), format!("`{path}` has more than one of `all`, `any`, `any_given`, `not`, `at_least_n`; nest them instead")));
            None
        }
    }
}

fn compile_list(
    list: &[CondDef],
    names: &Names<'_>,
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Box<[Cond]>> {
    if list.is_empty() {
        errs.push(CondProblem::new(
            PackProblemKind::MalformedCondition,
            path.clone(),
            format!("`{path}` is an empty list"),
        ));
        return None;
    }
    let compiled: Vec<Option<Cond>> = list
        .iter()
        .enumerate()
        .map(|(i, c)| compile_cond(c, names, errs, &path.index(i)))
        .collect();
    compiled
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .map(Vec::into_boxed_slice)
}

fn compile_logical(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Cond> {
    if let Some(list) = &c.all {
        return compile_list(list, names, errs, &path.key("all")).map(Cond::All);
    }
    if let Some(list) = &c.any {
        return compile_list(list, names, errs, &path.key("any")).map(Cond::Any);
    }
    if let Some(list) = &c.any_given {
        return compile_list(list, names, errs, &path.key("any_given")).map(Cond::AnyGiven);
    }
    if let Some(inner) = &c.not {
        return compile_cond(inner, names, errs, &path.key("not")).map(|c| Cond::Not(Box::new(c)));
    }
    let n = c.at_least_n.unwrap_or(0);
    let Some(list) = &c.of else {
        errs.push(CondProblem::new(
            PackProblemKind::MissingField,
            path.key("at_least_n"),
            format!("`{path}.at_least_n` has no `of` list"),
        ));
        return None;
    };
    if n == 0 || usize::try_from(n).map_or(true, |n| n > list.len()) {
        errs.push(CondProblem::new(
            PackProblemKind::OutOfRange,
            path.key("at_least_n"),
            format!(
                "`{path}.at_least_n` is {n}, expected 1 to {} (the length of `of`)",
                list.len()
            ),
        ));
        return None;
    }
    compile_list(list, names, errs, &path.key("of")).map(|l| Cond::AtLeast(n, l))
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
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Cond> {
    use PackProblemKind::{MalformedCondition, WrongType};
    let name = c.answer.as_deref().unwrap_or_default();
    let Some((a, kind)) = resolve(name, names) else {
        let all = all_answer_names(names);
        let s = suggest(name, all.iter().map(String::as_str));
        errs.push(CondProblem {
            kind: PackProblemKind::UnknownAnswer,
            at: path.key("answer"),
            message: format!(
                "`{path}` reads unknown answer `{name}`{}",
                hint(s.as_deref())
            ),
            suggestion: s,
        });
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
        errs.push(CondProblem::new(
            MalformedCondition,
            path.clone(),
            format!(
                "`{path}` on `{name}` needs exactly one test: `is`, `in`, `at_least`/`at_most` or `answered`"
            ),
        ));
        return None;
    }
    if let Some(v) = c.answered {
        return Some(Cond::Answered(a, v));
    }
    // The key of the test given (`is`, `in`, `at_least` or `at_most`), for a problem's place.
    let test_key = if c.is.is_some() {
        "is"
    } else if c.in_.is_some() {
        "in"
    } else if c.at_least.is_some() {
        "at_least"
    } else {
        "at_most"
    };
    match kind {
        AnswerKind::Bool => match &c.is {
            Some(Constant::Bool(b)) => Some(Cond::Bool(a, *b)),
            Some(other) => {
                errs.push(CondProblem::new(
                    WrongType,
                    path.key("is"),
                    format!(
                        "`{path}`: `{name}` is yes/no, so `is` takes true or false, not {other}"
                    ),
                ));
                None
            }
            None => {
                errs.push(CondProblem::new(
                    WrongType,
                    path.key(test_key),
                    format!(
                        "`{path}`: `{name}` is yes/no: test it with `is = true` or `is = false`"
                    ),
                ));
                None
            }
        },
        AnswerKind::Number { min, max } => {
            let num = |k: &Constant, at: KeyPath, errs: &mut Vec<CondProblem>| -> Option<u32> {
                match k {
                    Constant::Int(n) if *n >= i64::from(min) && *n <= i64::from(max) => {
                        u32::try_from(*n).ok()
                    }
                    Constant::Int(n) => {
                        errs.push(CondProblem::new(
                            PackProblemKind::OutOfRange,
                            at,
                            format!(
                                "`{path}`: constant {n} is out of range for `{name}` ({min}-{max})"
                            ),
                        ));
                        None
                    }
                    other => {
                        errs.push(CondProblem::new(
                            WrongType,
                            at,
                            format!("`{path}`: `{name}` is a number ({min}-{max}), not {other}"),
                        ));
                        None
                    }
                }
            };
            if let Some(k) = &c.is {
                let v = num(k, path.key("is"), errs)?;
                return Some(Cond::Range(a, v, v));
            }
            if let Some(list) = &c.in_ {
                if list.is_empty() {
                    errs.push(CondProblem::new(
                        MalformedCondition,
                        path.key("in"),
                        format!("`{path}`: `in` is an empty list"),
                    ));
                    return None;
                }
                let vals: Vec<Option<u32>> = list
                    .iter()
                    .enumerate()
                    .map(|(i, k)| num(k, path.key("in").index(i), errs))
                    .collect();
                let vals = vals.into_iter().collect::<Option<Vec<_>>>()?;
                return Some(Cond::Any(
                    vals.into_iter().map(|v| Cond::Range(a, v, v)).collect(),
                ));
            }
            let lo = match &c.at_least {
                Some(k) => num(k, path.key("at_least"), errs)?,
                None => min,
            };
            let hi = match &c.at_most {
                Some(k) => num(k, path.key("at_most"), errs)?,
                None => max,
            };
            if lo > hi {
                errs.push(CondProblem::new(
                    PackProblemKind::ImpossibleCondition,
                    path.key("at_least"),
                    format!(
                        "`{path}`: `at_least` {lo} is above `at_most` {hi}, so it can never hold"
                    ),
                ));
                return None;
            }
            Some(Cond::Range(a, lo, hi))
        }
        AnswerKind::Choice(choices) => {
            let rank = |k: &Constant, at: KeyPath, errs: &mut Vec<CondProblem>| -> Option<u32> {
                match k {
                    Constant::Text(t) => match choices.iter().position(|c| c == t) {
                        Some(p) => u32::try_from(p).ok(),
                        None => {
                            let s = suggest(t, choices.iter().copied());
                            errs.push(CondProblem {
                                kind: PackProblemKind::UnknownChoice,
                                at,
                                message: format!(
                                    "`{path}`: `{t}` is not a choice of `{name}`{}; choices: {}",
                                    hint(s.as_deref()),
                                    choices.join(", ")
                                ),
                                suggestion: s,
                            });
                            None
                        }
                    },
                    other => {
                        errs.push(CondProblem::new(
                            WrongType,
                            at,
                            format!(
                                "`{path}`: `{name}` is one of {}, not {other}",
                                choices.join(", ")
                            ),
                        ));
                        None
                    }
                }
            };
            if let Some(k) = &c.is {
                let r = rank(k, path.key("is"), errs)?;
                return Some(Cond::Mask(a, 1u64 << r));
            }
            if let Some(list) = &c.in_ {
                if list.is_empty() {
                    errs.push(CondProblem::new(
                        MalformedCondition,
                        path.key("in"),
                        format!("`{path}`: `in` is an empty list"),
                    ));
                    return None;
                }
                let ranks: Vec<Option<u32>> = list
                    .iter()
                    .enumerate()
                    .map(|(i, k)| rank(k, path.key("in").index(i), errs))
                    .collect();
                let ranks = ranks.into_iter().collect::<Option<Vec<_>>>()?;
                return Some(Cond::Mask(
                    a,
                    ranks.into_iter().fold(0u64, |m, r| m | (1u64 << r)),
                ));
            }
            let top = u32::try_from(choices.len().saturating_sub(1)).unwrap_or(0);
            let lo = match &c.at_least {
                Some(k) => rank(k, path.key("at_least"), errs)?,
                None => 0,
            };
            let hi = match &c.at_most {
                Some(k) => rank(k, path.key("at_most"), errs)?,
                None => top,
            };
            if lo > hi {
                errs.push(CondProblem::new(
                    PackProblemKind::ImpossibleCondition,
                    path.key("at_least"),
                    format!("`{path}`: `at_least` is above `at_most`, so it can never hold"),
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
