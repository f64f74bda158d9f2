//! Citations and source records: reading the `[source]` tables and the `[[cite]]` tables (and
//! the `cite` lists inside rules), checking each one, and giving every rule its citations.
//! Every problem is collected with its place, as for the rest of a pack.

use super::load::{Item, KeyPath, Loader, Src, Table, take};
use super::*;
use format::{CiteDef, GovernanceDef, SourceDef};

/// The most characters a citation's `fact` may have.
pub const MAX_FACT_CHARS: usize = 400;
/// The most characters a citation's `locator`, or a source record's `title`, `publisher`,
/// `edition` or `identifier`, may have.
pub const MAX_CITE_FIELD_CHARS: usize = 300;

/// A citation waiting for the pack's source records: where it was written and for which rule.
#[derive(Debug)]
pub(super) struct PendingCite {
    pub(super) item: Item,
    /// Its key path from the item's table (empty for a top-level `[[cite]]`).
    pub(super) at: KeyPath,
    pub(super) def: CiteDef,
}

/// Whether `s` looks like a local file path rather than a publication: a markdown, TOML,
/// text, JSON or Rust file, a relative, absolute or home-relative path, or a `file:` URL.
pub(crate) fn names_a_path(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let ext = [".md", ".toml", ".txt", ".json", ".rs"].iter().any(|e| {
        lower.match_indices(e).any(|(i, _)| {
            let next = lower.as_bytes().get(i + e.len()).copied();
            next.is_none_or(|b| !b.is_ascii_alphanumeric())
        })
    });
    ext || lower.contains("../")
        || lower.starts_with("./")
        || lower.starts_with('/')
        || lower.starts_with('~')
        || lower.contains("file:")
        || lower.contains('\\')
}

impl Loader {
    /// Reads a rule's `cite` list, to be checked once the source records are known.
    pub(super) fn inline_cites(&mut self, item: &Item, rule: &str, raw: Vec<toml::Value>) {
        for (i, v) in raw.into_iter().enumerate() {
            let at = KeyPath::of("cite").index(i);
            match CiteDef::deserialize(v) {
                Ok(mut def) => {
                    if def.rule.as_deref().is_some_and(|r| r != rule) {
                        self.report(
                            item.problem(
                                PackProblemKind::InvalidValue,
                                "a `cite` inside a rule names another rule; leave `rule` out"
                                    .into(),
                            )
                            .at(&at.key("rule")),
                        );
                    }
                    def.rule = Some(rule.to_owned());
                    self.pending_cites.push(PendingCite {
                        item: item.clone(),
                        at,
                        def,
                    });
                }
                Err(e) => {
                    let mut found = item.problem(
                        load::shape_kind(e.message()),
                        e.message().trim().trim_end_matches('.').to_owned(),
                    );
                    found = found.at(&at);
                    self.report(found);
                }
            }
        }
    }

    /// The pack's own source records: each file's `[source]`, sorted by id. (A citation may
    /// also name a built-in record the pack does not carry: see [`builtin_record`].)
    pub(super) fn source_records(&mut self, files: &mut [(Src<'_>, FileDef)]) -> Vec<SourceRecord> {
        let mut out: Vec<SourceRecord> = Vec::new();
        for (src, def) in files.iter_mut() {
            let Some(raw) = def.source.as_mut() else {
                continue;
            };
            let item = Item::table(
                *src,
                "[source]".into(),
                raw.get("id")
                    .and_then(toml::Value::as_str)
                    .filter(|i| is_source_id(i))
                    .map(str::to_owned),
                KeyPath::of("source"),
            );
            let d: SourceDef = match take(raw).try_into() {
                Ok(d) => d,
                Err(e) => {
                    self.unreadable_table(&item, Table::Source, &e);
                    continue;
                }
            };
            if let Some(r) = self.source_record(&item, d) {
                if out.iter().any(|o| o.id == r.id) {
                    self.report(
                        item.problem(
                            PackProblemKind::DuplicateId,
                            format!("duplicate source id `{}`", r.id),
                        )
                        .key("id"),
                    );
                } else {
                    out.push(r);
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    fn source_record(&mut self, item: &Item, d: SourceDef) -> Option<SourceRecord> {
        let before = self.problems.len();
        if !is_source_id(&d.id) {
            self.report(
                item.problem(
                    PackProblemKind::InvalidId,
                    "source id must be lowercase letters, digits, `-`, `_` and `.`".into(),
                )
                .key("id"),
            );
        }
        let kind = source_kind(&d.kind);
        if kind.is_none() {
            let names = SourceKind::ALL.map(SourceKind::as_str);
            self.report(
                item.problem(
                    PackProblemKind::InvalidValue,
                    format!(
                        "`kind` is `{}`, expected one of {}",
                        d.kind,
                        names.join(", ")
                    ),
                )
                .key("kind")
                .suggesting(suggest(&d.kind, names.into_iter())),
            );
        }
        for (field, value) in [
            ("title", &d.title),
            ("publisher", &d.publisher),
            ("edition", &d.edition),
            ("identifier", &d.identifier),
        ] {
            self.required(
                item,
                &KeyPath::default(),
                field,
                value,
                MAX_CITE_FIELD_CHARS,
            );
        }
        if let Some(note) = &d.note {
            self.text(item, "note", note, MAX_FACT_CHARS);
        }
        self.not_a_path(item, &KeyPath::of("identifier"), &d.identifier);
        for (i, h) in d.headings.iter().enumerate() {
            let at = KeyPath::of("headings").index(i);
            for (k, m) in text::line_problems("headings", h, MAX_CITE_FIELD_CHARS) {
                self.report(item.problem(k, m).at(&at));
            }
        }
        (self.problems.len() == before).then(|| record(d, kind.unwrap_or(SourceKind::LocalDefault)))
    }

    /// A required one-line field: present, not blank, one line and short enough.
    fn required(&mut self, item: &Item, at: &KeyPath, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.report(
                item.problem(PackProblemKind::MissingField, format!("has no `{field}`"))
                    .at(at),
            );
            return;
        }
        for (kind, message) in text::line_problems(field, value, max) {
            self.report(item.problem(kind, message).at(&at.key(field)));
        }
    }

    fn not_a_path(&mut self, item: &Item, at: &KeyPath, value: &str) {
        if names_a_path(value) {
            let field = at.last_key().unwrap_or_default();
            self.report(
                item.problem(
                    PackProblemKind::InvalidSource,
                    format!(
                        "`{field}` names a file path; cite a publication (title, edition, DOI, CFR section, ISBN or URL), never a local file"
                    ),
                )
                .at(at),
            );
        }
    }

    /// Reads the top-level `[[cite]]` tables.
    pub(super) fn top_level_cites(&mut self, files: &mut [(Src<'_>, FileDef)]) {
        for (src, def) in files.iter_mut() {
            for (index, raw) in def.cite.iter_mut().enumerate() {
                let rule = raw.get("rule").and_then(toml::Value::as_str);
                let (label, id) = match rule {
                    Some(r) if load::is_rule_id(r) && r.len() <= MAX_RULE_ID_CHARS => {
                        (format!("cite for rule `{r}`"), Some(r.to_owned()))
                    }
                    _ => (format!("cite #{} in the file", index + 1), None),
                };
                let item = Item::table(*src, label, id, KeyPath::of("cite").index(index));
                match take(raw).try_into::<CiteDef>() {
                    Ok(def) => self.pending_cites.push(PendingCite {
                        item,
                        at: KeyPath::default(),
                        def,
                    }),
                    Err(e) => self.unreadable_table(&item, Table::Cite, &e),
                }
            }
        }
    }

    /// Checks every citation and gives each rule its own; a rule without one is a problem.
    /// `rule_ids` are every well-formed rule id written (also of rules with problems, so that
    /// their citations are not reported as naming unknown rules).
    pub(super) fn attach_citations(
        &mut self,
        rules: &mut [Rule],
        rule_ids: &BTreeSet<String>,
        records: &mut Vec<SourceRecord>,
    ) {
        let pending = std::mem::take(&mut self.pending_cites);
        let mut cited: BTreeSet<String> = BTreeSet::new();
        for p in pending {
            let (item, at, d) = (&p.item, &p.at, p.def);
            let before = self.problems.len();
            let rule = d.rule.clone().unwrap_or_default();
            if rule.trim().is_empty() {
                self.report(
                    item.problem(PackProblemKind::MissingField, "has no `rule`".into())
                        .at(at),
                );
            } else if !rule_ids.contains(&rule) {
                let s = suggest(&rule, rule_ids.iter().map(String::as_str));
                self.report(
                    item.problem(
                        PackProblemKind::UnknownRule,
                        format!("cites for unknown rule `{rule}`{}", hint(s.as_deref())),
                    )
                    .at(&at.key("rule"))
                    .suggesting(s),
                );
            }
            if records.iter().all(|r| r.id != d.source) {
                if let Some(r) = builtin_record(&d.source) {
                    let at = records.partition_point(|x| x.id < r.id);
                    records.insert(at, r);
                }
            }
            let source = records.iter().find(|r| r.id == d.source);
            if d.source.trim().is_empty() {
                self.report(
                    item.problem(PackProblemKind::MissingField, "has no `source`".into())
                        .at(at),
                );
            } else if names_a_path(&d.source) {
                self.not_a_path(item, &at.key("source"), &d.source);
            } else if source.is_none() {
                let s = suggest(&d.source, records.iter().map(|r| r.id.as_str()));
                self.report(
                    item.problem(
                        PackProblemKind::UnknownSource,
                        format!(
                            "cites unknown source `{}`{}; add a `[source]` record with that id",
                            d.source,
                            hint(s.as_deref())
                        ),
                    )
                    .at(&at.key("source"))
                    .suggesting(s),
                );
            }
            self.required(item, at, "locator", &d.locator, MAX_CITE_FIELD_CHARS);
            self.required(item, at, "fact", &d.fact, MAX_FACT_CHARS);
            if !d.locator.trim().is_empty() {
                self.not_a_path(item, &at.key("locator"), &d.locator);
            }
            if let Some(s) = source.filter(|s| !s.headings.is_empty()) {
                if !s.headings.contains(&d.locator) {
                    self.report(
                        item.problem(
                            PackProblemKind::InvalidValue,
                            format!(
                                "`locator` must be one of the headings of source `{}`, exactly as written there",
                                s.id
                            ),
                        )
                        .at(&at.key("locator")),
                    );
                }
            }
            let use_ = CitationUse::ALL.into_iter().find(|u| u.as_str() == d.use_);
            if use_.is_none() {
                let names = CitationUse::ALL.map(CitationUse::as_str);
                if d.use_.trim().is_empty() {
                    self.report(
                        item.problem(PackProblemKind::MissingField, "has no `use`".into())
                            .at(at),
                    );
                } else {
                    self.report(
                        item.problem(
                            PackProblemKind::InvalidValue,
                            format!("`use` is `{}`, expected {}", d.use_, names.join(", ")),
                        )
                        .at(&at.key("use"))
                        .suggesting(suggest(&d.use_, names.into_iter())),
                    );
                }
            }
            if self.problems.len() != before {
                // A citation with problems still counts as written for its rule, so the rule
                // is not also reported as uncited.
                cited.insert(rule);
                continue;
            }
            cited.insert(rule.clone());
            if let (Some(r), Some(use_)) = (rules.iter_mut().find(|r| r.id == rule), use_) {
                r.citations.push(Citation {
                    source: d.source,
                    locator: d.locator,
                    fact: d.fact,
                    use_,
                });
            }
        }
        for r in rules.iter() {
            if !cited.contains(&r.id) {
                let item = self
                    .rule_items
                    .get(&r.id)
                    .cloned()
                    .unwrap_or_else(|| Item::pack_wide("pack"));
                self.report(item.problem(
                    PackProblemKind::Uncited,
                    "has no citation: add a `[[cite]]` naming it (or a `cite` list in the rule)"
                        .into(),
                ));
            }
        }
    }

    /// Checks `[pack.governance]`: the owner role and status are required one-line texts,
    /// and an approval needs both who and when.
    pub(super) fn governance(&mut self, item: &Item, g: &GovernanceDef) -> Governance {
        let at = KeyPath::of("governance");
        self.required(
            item,
            &at,
            "clinical_owner_role",
            &g.clinical_owner_role,
            MAX_CITE_FIELD_CHARS,
        );
        self.required(item, &at, "status", &g.status, MAX_CITE_FIELD_CHARS);
        for (field, v) in [
            ("approved_by", &g.approved_by),
            ("approved_on", &g.approved_on),
            ("review_due", &g.review_due),
        ] {
            if let Some(v) = v {
                self.required(item, &at, field, v, MAX_CITE_FIELD_CHARS);
            }
        }
        if g.approved_by.is_some() != g.approved_on.is_some() {
            self.report(
                item.problem(
                    PackProblemKind::MissingField,
                    "an approval needs both `approved_by` and `approved_on`".into(),
                )
                .at(&at),
            );
        }
        for (i, c) in g.change_log.iter().enumerate() {
            let at = at.key("change_log").index(i);
            self.required(item, &at, "version", &c.version, MAX_PACK_ID_CHARS);
            self.required(item, &at, "date", &c.date, MAX_PACK_ID_CHARS);
            self.required(item, &at, "change", &c.change, MAX_FACT_CHARS);
        }
        Governance {
            clinical_owner_role: g.clinical_owner_role.clone(),
            status: g.status.clone(),
            approved_by: g.approved_by.clone(),
            approved_on: g.approved_on.clone(),
            review_due: g.review_due.clone(),
            change_log: g
                .change_log
                .iter()
                .map(|c| (c.version.clone(), c.date.clone(), c.change.clone()))
                .collect(),
        }
    }
}

/// Whether `s` may be a source id.
fn is_source_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_RULE_ID_CHARS
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        })
}

/// The built-in source record with this id (`rules/sources/<id>.toml`), so that a pack of
/// its own may cite `carelevel-local-defaults`, `seed` or a guideline without copying the
/// record.
fn builtin_record(id: &str) -> Option<SourceRecord> {
    let needle = format!("id = \"{id}\"");
    BUILTIN_SOURCES
        .iter()
        .filter(|(name, text)| name.starts_with("sources/") && text.contains(&needle))
        .find_map(|(_, text)| {
            let d: SourceDef = toml::from_str::<FileDef>(text)
                .ok()?
                .source?
                .try_into()
                .ok()?;
            let kind = source_kind(&d.kind)?;
            (d.id == id).then(|| record(d, kind))
        })
}

fn source_kind(s: &str) -> Option<SourceKind> {
    SourceKind::ALL.into_iter().find(|k| k.as_str() == s)
}

fn record(d: SourceDef, kind: SourceKind) -> SourceRecord {
    SourceRecord {
        id: d.id,
        kind,
        title: d.title,
        publisher: d.publisher,
        edition: d.edition,
        identifier: d.identifier,
        note: d.note,
        headings: d.headings,
    }
}
