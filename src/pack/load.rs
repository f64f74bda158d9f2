//! Loading a pack: reading each file, checking every table and rule, and collecting every
//! problem at once, each located by file, item, key path and (when loading fails) line and
//! column. Conditions are compiled by [`compile`](super::compile).

/// The oldest age the intake accepts: a pack's `min_age` may not exceed it.
const MAX_AGE: u32 = match crate::catalogue::find("age") {
    Some(item) => match item.kind {
        crate::catalogue::Kind::Int { max, .. } => max,
        _ => 0,
    },
    None => 0,
};

use super::compile::*;
use super::*;

pub(super) fn toml_message(e: &toml::de::Error) -> String {
    // toml's `Display` adds a source excerpt over several lines; the message alone is one
    // line, and the position goes into the problem's span.
    e.message().trim().trim_end_matches('.').to_owned()
}

#[derive(Default)]
pub(super) struct Loader {
    pub(super) problems: Vec<Found>,
    /// A file failed to parse, so pack-wide "missing" checks would only repeat that.
    pub(super) unparsed: bool,
    /// The sources are exactly [`BUILTIN_SOURCES`], so the pack may carry [`BUILTIN_ID`].
    pub(super) builtin: bool,
    /// Citations read so far, checked once every rule and source record is known.
    pub(super) pending_cites: Vec<super::cite::PendingCite>,
    /// Where each rule is written, to place a "no citation" problem.
    pub(super) rule_items: BTreeMap<String, Item>,
}

/// What a rule being compiled may refer to.
pub(super) struct Names<'a> {
    pub(super) ratings: &'a [Rating],
    pub(super) scores: &'a [Score],
}

/// A source being loaded: its name and its position in the sources (names need not be
/// unique).
#[derive(Debug, Clone, Copy)]
pub(super) struct Src<'a> {
    pub(super) name: &'a str,
    pub(super) index: usize,
}

/// One step of a TOML key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// A TOML key path, shown as TOML writes it: `rule[2].when.all[1].answer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct KeyPath(Vec<Seg>);

impl KeyPath {
    pub(super) fn of(key: &str) -> KeyPath {
        KeyPath(vec![Seg::Key(key.to_owned())])
    }

    pub(super) fn key(&self, key: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_owned()));
        p
    }

    pub(super) fn index(&self, index: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(index));
        p
    }

    /// The last key of the path, if it ends in one.
    pub(super) fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Seg::Key(k)) => Some(k),
            _ => None,
        }
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
pub(super) enum Table {
    Rating,
    Score,
    Programme,
    Rule,
    Exemption,
    Source,
    Cite,
}

/// The part of a file problems are reported in: a rule, rating, score or programme, the
/// `[pack]` table, a file as a whole, or the whole pack.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) file: String,
    pub(super) source: Option<usize>,
    pub(super) label: Option<String>,
    pub(super) id: Option<String>,
    /// The item's table, from the top of the file.
    pub(super) path: KeyPath,
}

impl Item {
    /// A problem of the whole pack, in no file.
    pub(super) fn pack_wide(file: &str) -> Item {
        Item {
            file: file.to_owned(),
            source: None,
            label: None,
            id: None,
            path: KeyPath::default(),
        }
    }

    /// A problem of a file as a whole.
    pub(super) fn file(src: Src<'_>) -> Item {
        Item {
            source: Some(src.index),
            ..Item::pack_wide(src.name)
        }
    }

    /// A table of a file, labelled as messages show it.
    pub(super) fn table(src: Src<'_>, label: String, id: Option<String>, path: KeyPath) -> Item {
        Item {
            label: Some(label),
            id,
            path,
            ..Item::file(src)
        }
    }

    /// A problem at the item's table.
    pub(super) fn problem(&self, kind: PackProblemKind, message: String) -> Found {
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
pub(super) struct Found {
    pub(super) problem: PackProblem,
    /// The source the problem is in, if it is in one.
    pub(super) source: Option<usize>,
    /// The TOML key path of the offending item or value, from the top of the file.
    pub(super) at: KeyPath,
    /// The byte offset the TOML reader gave, if it gave one.
    pub(super) offset: Option<usize>,
    /// The item could not be read as this table: read it again with positions to find the
    /// offending key.
    pub(super) reread: Option<Table>,
}

impl Found {
    /// The problem is at this key (or list element) inside the item.
    pub(super) fn at(mut self, path: &KeyPath) -> Found {
        self.at.0.extend(path.0.iter().cloned());
        self
    }

    /// The problem is at this key of the item.
    pub(super) fn key(self, key: &str) -> Found {
        self.at(&KeyPath::of(key))
    }

    pub(super) fn suggesting(mut self, suggestion: Option<String>) -> Found {
        self.problem.suggestion = suggestion;
        self
    }
}

/// A problem in a condition: its key path from the rule's table.
#[derive(Debug)]
pub(super) struct CondProblem {
    pub(super) kind: PackProblemKind,
    pub(super) at: KeyPath,
    pub(super) message: String,
    pub(super) suggestion: Option<String>,
}

impl CondProblem {
    pub(super) fn new(kind: PackProblemKind, at: KeyPath, message: String) -> CondProblem {
        CondProblem {
            kind,
            at,
            message,
            suggestion: None,
        }
    }
}

/// A vocabulary a list of names is checked against (services, referrals).
pub(super) struct Vocab<T> {
    pub(super) what: &'static str,
    pub(super) kind: PackProblemKind,
    pub(super) lookup: fn(&str) -> Option<T>,
    pub(super) ids: fn() -> Box<dyn Iterator<Item = &'static str>>,
    pub(super) bit: fn(T) -> u32,
}

pub(super) const SERVICES: Vocab<Service> = Vocab {
    what: "service",
    kind: PackProblemKind::UnknownService,
    lookup: Service::from_id,
    ids: service_ids,
    bit: Service::bit,
};

pub(super) const REFERRALS: Vocab<Referral> = Vocab {
    what: "referral",
    kind: PackProblemKind::UnknownReferral,
    lookup: Referral::from_id,
    ids: referral_ids,
    bit: Referral::bit,
};

pub(super) const CAPABILITIES: Vocab<Capability> = Vocab {
    what: "capability",
    kind: PackProblemKind::UnknownCapability,
    lookup: Capability::from_id,
    ids: capability_ids,
    bit: Capability::bit,
};

impl Loader {
    pub(super) fn report(&mut self, found: Found) {
        self.problems.push(found);
    }

    /// A file that could not be read: a TOML syntax error, or a document of the wrong shape
    /// (an unknown top-level table, a `rule` that is not a list of tables).
    pub(super) fn unreadable(&mut self, src: Src<'_>, text: &str, e: &toml::de::Error) {
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
    pub(super) fn unreadable_table(&mut self, item: &Item, table: Table, e: &toml::de::Error) {
        let mut found = item.problem(shape_kind(e.message()), toml_message(e));
        found.reread = Some(table);
        self.report(found);
    }

    /// Compiles the parsed files. Each raw table is moved out of `files` as it is converted
    /// (not cloned): nothing reads it again.
    pub(super) fn load(
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
        // The ids of the pack's source records (`[source]` tables), which exemptions cite.
        let source_ids: BTreeSet<String> = files
            .iter()
            .filter_map(|(_, d)| d.source.as_ref()?.get("id")?.as_str().map(str::to_owned))
            .collect();
        let mut exemptions: Vec<Exemption> = Vec::new();
        for (src, def) in files.iter_mut() {
            for (index, raw) in def.guarantee_exemption.iter_mut().enumerate() {
                let known = (&names, &source_ids, exemptions.as_slice());
                if let Some(e) = self.exemption(*src, index, raw, known) {
                    exemptions.push(e);
                }
            }
        }
        self.top_level_cites(files);
        let mut records = self.source_records(files);
        if !self.unparsed {
            self.attach_citations(&mut rules, &seen, &mut records);
        }
        // Each rule's citations as the report shows them, written once here rather than for
        // every report.
        for rule in &mut rules {
            rule.source = summarise(&rule.citations, &records);
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
                exemptions,
                sources: records,
            }),
            _ => Err(PackError::new(place(self.problems, sources))),
        }
    }

    /// Checks a rating or score id: it is read as `rating.<id>` or `score.<id>` and shown in
    /// reports.
    pub(super) fn name_id(&mut self, item: &Item, id: &str) {
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
    pub(super) fn text(&mut self, item: &Item, field: &str, value: &str, max: usize) -> bool {
        let problems = text::line_problems(field, value, max);
        let ok = problems.is_empty();
        for (kind, message) in problems {
            self.report(item.problem(kind, message).key(field));
        }
        ok
    }

    pub(super) fn meta(
        &mut self,
        files: &[(Src<'_>, FileDef)],
        digest: String,
    ) -> Option<PackMeta> {
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
                if let Some(age) = p.min_age.filter(|a| *a > MAX_AGE) {
                    self.report(
                        item.problem(
                            PackProblemKind::OutOfRange,
                            format!("`min_age` is {age}, expected 0-{MAX_AGE} (the intake's ages)"),
                        )
                        .key("min_age"),
                    );
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
                    min_age: p.min_age,
                    digest,
                    governance: p.governance.as_ref().map(|g| self.governance(&item, g)),
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

    pub(super) fn ratings(&mut self, files: &mut [(Src<'_>, FileDef)]) -> Vec<Rating> {
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

    pub(super) fn scores(
        &mut self,
        files: &mut [(Src<'_>, FileDef)],
        ratings: &[Rating],
    ) -> Vec<Score> {
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

    pub(super) fn programmes(&mut self, files: &mut [(Src<'_>, FileDef)]) -> Option<Programmes> {
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

    pub(super) fn programme(
        &mut self,
        item: &Item,
        level: Level,
        p: ProgrammeDef,
    ) -> Option<Programme> {
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
            if let Err(msg) = programme_source(&p.source) {
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
    pub(super) fn set<T: Copy>(
        &mut self,
        item: &Item,
        key: &str,
        vocab: &Vocab<T>,
        names: &[String],
    ) -> Set {
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

    /// A rule's `setting`: a known setting of its floor's level, and given whenever the floor
    /// is the 24-hour level (a 24-hour recommendation that does not say which setting cannot
    /// be routed).
    fn setting(
        &mut self,
        item: &Item,
        name: Option<&str>,
        floor: Option<Level>,
    ) -> Option<CareSetting> {
        let Some(name) = name else {
            if floor == Some(Level::Inpatient) {
                self.report(
                    item.problem(
                        PackProblemKind::MissingField,
                        "sets a 24-hour floor without a `setting`: name one of medically_managed_hospital, inpatient_psychiatric, medically_monitored_residential, clinically_managed_residential_high, clinically_managed_residential_low".into(),
                    )
                    .key("floor"),
                );
            }
            return None;
        };
        let Some(setting) = CareSetting::from_id(name) else {
            let s = suggest(name, CareSetting::ids());
            self.report(
                item.problem(
                    PackProblemKind::UnknownSetting,
                    format!("unknown setting `{name}`{}", hint(s.as_deref())),
                )
                .key("setting")
                .suggesting(s),
            );
            return None;
        };
        match floor {
            Some(level) if level == setting.level() => Some(setting),
            Some(level) => {
                self.report(
                    item.problem(
                        PackProblemKind::InvalidValue,
                        format!(
                            "setting `{name}` belongs to {}, but the rule's floor is {}",
                            setting.level().as_str(),
                            level.as_str()
                        ),
                    )
                    .key("setting"),
                );
                None
            }
            None => {
                self.report(
                    item.problem(
                        PackProblemKind::MissingField,
                        format!(
                            "names setting `{name}` without a `floor`: give `floor = \"{}\"`",
                            setting.level().as_str()
                        ),
                    )
                    .key("setting"),
                );
                None
            }
        }
    }

    /// A `[[guarantee_exemption]]`: a high-risk value of the analysis's table, once per pack,
    /// with a one-line reason, the id of one of the pack's source records, and a `given` that
    /// compiles.
    /// Compiles the condition at `key` of `item`, reporting each of its problems there.
    fn condition(
        &mut self,
        item: &Item,
        def: &CondDef,
        names: &Names<'_>,
        key: &str,
    ) -> Option<Cond> {
        let mut errs = Vec::new();
        let c = compile_cond(def, names, &mut errs, &KeyPath::of(key));
        for e in errs {
            self.report(
                item.problem(e.kind, e.message)
                    .at(&e.at)
                    .suggesting(e.suggestion),
            );
        }
        c
    }

    pub(super) fn exemption(
        &mut self,
        src: Src<'_>,
        index: usize,
        raw: &mut toml::Value,
        (names, source_ids, earlier): (&Names<'_>, &BTreeSet<String>, &[Exemption]),
    ) -> Option<Exemption> {
        let item = Item::table(
            src,
            format!("guarantee_exemption #{} in the file", index + 1),
            None,
            KeyPath::of("guarantee_exemption").index(index),
        );
        let def: ExemptionDef = match take(raw).try_into() {
            Ok(d) => d,
            Err(e) => {
                self.unreadable_table(&item, Table::Exemption, &e);
                return None;
            }
        };
        let before = self.problems.len();
        let label = match &def.value {
            Constant::Bool(b) => b.to_string(),
            Constant::Int(n) => format!(">={n}"),
            Constant::Text(t) => t.clone(),
        };
        let known = crate::analysis::high_risk_entry(&def.answer, &label).is_some();
        let answers: BTreeSet<&str> = crate::analysis::HIGH_RISK
            .iter()
            .map(|h| h.answer)
            .collect();
        if !answers.contains(def.answer.as_str()) {
            self.report(
                item.problem(
                    PackProblemKind::InvalidValue,
                    "`answer` has no high-risk value in the analysis's table".into(),
                )
                .key("answer"),
            );
        } else if !known {
            self.report(
                item.problem(
                    PackProblemKind::InvalidValue,
                    format!(
                        "`value` is not a high-risk value of `{}` in the analysis's table",
                        def.answer
                    ),
                )
                .key("value"),
            );
        } else if earlier
            .iter()
            .any(|e| e.answer == def.answer && e.value == label)
        {
            self.report(
                item.problem(
                    PackProblemKind::DuplicateId,
                    format!("a second exemption for `{}` {label}", def.answer),
                )
                .key("value"),
            );
        }
        if def.reason.trim().is_empty() {
            self.report(
                item.problem(PackProblemKind::MissingField, "`reason` is empty".into())
                    .key("reason"),
            );
        }
        self.text(&item, "reason", &def.reason, MAX_REASON_CHARS);
        if !source_ids.contains(&def.source) {
            self.report(
                item.problem(
                    PackProblemKind::InvalidSource,
                    "`source` is not the id of a source record (`[source]`) of the pack".into(),
                )
                .key("source"),
            );
        }
        let given = def
            .given
            .as_ref()
            .and_then(|w| self.condition(&item, w, names, "given"));
        if self.problems.len() != before {
            return None;
        }
        Some(Exemption {
            answer: def.answer,
            value: label,
            given,
            reason: def.reason,
            source: def.source,
        })
    }

    pub(super) fn rule(
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
        let mut def: RuleDef = match take(raw).try_into() {
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
        if item.id.is_some() {
            let cites = std::mem::take(&mut def.cite);
            self.inline_cites(&item, &id, cites);
            self.rule_items
                .entry(id.clone())
                .or_insert_with(|| item.clone());
        }
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
        let urgency = match def.urgency.as_deref() {
            None => Urgency::Routine,
            Some(u) => match u.parse::<Urgency>() {
                // `routine` is the default: a rule gives a tier only to raise it.
                Ok(u) if u != Urgency::Routine => u,
                _ => {
                    self.report(
                        item.problem(
                            PackProblemKind::InvalidValue,
                            format!("unknown urgency `{u}`, expected same_day or emergency"),
                        )
                        .key("urgency"),
                    );
                    Urgency::Routine
                }
            },
        };
        let services = self.set(&item, "services", &SERVICES, &def.services);
        let referrals = self.set(&item, "referrals", &REFERRALS, &def.referrals);
        let capabilities = self.set(&item, "capabilities", &CAPABILITIES, &def.capabilities);
        let setting = self.setting(&item, def.setting.as_deref(), floor);
        if def.floor.is_none()
            && urgency == Urgency::Routine
            && def.services.is_empty()
            && def.referrals.is_empty()
            && def.capabilities.is_empty()
            && def.schedule.is_none()
        {
            self.report(item.problem(
                PackProblemKind::NoEffect,
                "has no effect: give a `floor`, `urgency`, `services`, `referrals`, `capabilities` or `schedule`"
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
            Some(w) => self.condition(&item, w, names, "when"),
        };
        if self.problems.len() != before {
            return None;
        }
        Some(Rule {
            id,
            criterion: criterion?,
            cond: cond?,
            floor,
            urgency,
            services,
            referrals,
            setting,
            capabilities,
            schedule,
            reason,
            citations: Vec::new(),
            source: String::new(),
        })
    }
}

/// The kind of a problem the TOML reader found in a document that parses: serde's messages
/// start with what went wrong.
pub(super) fn shape_kind(message: &str) -> PackProblemKind {
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
pub(super) fn place(found: Vec<Found>, sources: &[(&str, &str)]) -> Vec<PackProblem> {
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
pub(super) fn locate(
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
pub(super) fn reread_offset(
    table: Table,
    node: &toml::Spanned<toml::de::DeValue<'_>>,
) -> Option<usize> {
    let de = || toml::de::ValueDeserializer::from(node.clone());
    let err = match table {
        Table::Rating => RatingDef::deserialize(de()).err(),
        Table::Score => ScoreDef::deserialize(de()).err(),
        Table::Programme => ProgrammeDef::deserialize(de()).err(),
        Table::Rule => RuleDef::deserialize(de()).err(),
        Table::Exemption => ExemptionDef::deserialize(de()).err(),
        Table::Source => format::SourceDef::deserialize(de()).err(),
        Table::Cite => format::CiteDef::deserialize(de()).err(),
    };
    err.and_then(|e| e.span()).map(|s| s.start)
}

/// The key path from `node` to the deepest key or value that holds byte `offset`, if one
/// does.
pub(super) fn find(node: &toml::Spanned<toml::de::DeValue<'_>>, offset: usize) -> Option<Vec<Seg>> {
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

pub(super) fn service_ids() -> Box<dyn Iterator<Item = &'static str>> {
    Box::new(Service::ids())
}

pub(super) fn referral_ids() -> Box<dyn Iterator<Item = &'static str>> {
    Box::new(Referral::ids())
}

pub(super) fn capability_ids() -> Box<dyn Iterator<Item = &'static str>> {
    Box::new(Capability::ids())
}

/// Moves a raw table out for conversion, leaving a placeholder nothing reads.
pub(super) fn take(raw: &mut toml::Value) -> toml::Value {
    std::mem::replace(raw, toml::Value::Boolean(false))
}

/// The item `[[what]]` number `index` of its file, labelled ``rating `x` ``, or by its
/// position when its id is missing or malformed (so a label never quotes arbitrary text).
pub(super) fn table_item(src: Src<'_>, what: &str, index: usize, raw: &toml::Value) -> Item {
    let (label, id) = match raw.get("id").and_then(toml::Value::as_str) {
        Some(id) if is_identifier(id) && id.len() <= MAX_NAME_CHARS => {
            (format!("{what} `{id}`"), Some(id.to_owned()))
        }
        _ => (format!("{what} #{} in the file", index + 1), None),
    };
    Item::table(src, label, id, KeyPath::of(what).index(index))
}

pub(super) fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

pub(super) fn is_rule_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        })
}

/// Checks a programme's source line; an error names what is wrong (never echoing a path).
pub(super) fn programme_source(s: &str) -> Result<(), String> {
    if super::cite::names_a_path(s) {
        return Err(
            "`source` names a file path; cite a publication or a seed heading, never a local file"
                .into(),
        );
    }
    let (product_default, rest) = if let Some(r) = s.strip_prefix("seed:") {
        (false, r)
    } else if let Some(r) = s.strip_prefix("reference:") {
        (false, r)
    } else if let Some(r) = s.strip_prefix("product default:") {
        (true, r)
    } else {
        return Err(format!(
            "source `{s}` must start with `seed:`, `reference:` or `product default:`"
        ));
    };
    if rest.trim().is_empty() {
        return Err(if product_default {
            "source `product default:` needs a one-line reason".into()
        } else {
            format!("source `{}` names nothing after the colon", s.trim())
        });
    }
    Ok(())
}

/// A rule's citations, briefly: "title (edition), locator — use", joined by "; " (the source
/// id stands in for a record the pack does not hold).
fn summarise(citations: &[Citation], records: &[SourceRecord]) -> String {
    citations
        .iter()
        .map(|c| match records.iter().find(|s| s.id == c.source) {
            Some(s) => format!(
                "{} ({}), {} — {}",
                s.title,
                s.edition,
                c.locator,
                c.use_.title()
            ),
            None => format!("{}, {} — {}", c.source, c.locator, c.use_.title()),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
