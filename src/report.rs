//! The recommendation as an owned, serialisable report: the JSON contract, and the readable
//! renderings for clinicians.

use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Value};
use crate::engine::{Firing, Recommendation};
use crate::intake::Preferences;
use crate::vocab::{Criterion, Referral, Service};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// A recommendation, owned and serialisable: the JSON contract other systems rely on. Its
/// schema is committed at `schema/recommendation.schema.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The recommended level of care.
    pub level: Level,
    /// A safety rule fired: the person needs same-day evaluation.
    pub urgent: bool,
    /// Ids of the rules that set the level (their floor equals it).
    pub binding_rules: Vec<String>,
    /// Every rule that fired, in pack order, with the answers it read.
    pub fired: Vec<FiredRule>,
    /// Rules that could not be evaluated because an optional answer is absent.
    pub not_evaluated: Vec<NotEvaluated>,
    /// For each less intensive level, the rules that rule it out.
    pub ruled_out: Vec<RuledOut>,
    /// Lower levels that one arranged condition would allow.
    pub conditional: Vec<ConditionalLevel>,
    /// The plan that goes with the level.
    pub plan: Plan,
    /// The rule pack that decided, for audit.
    pub pack: PackInfo,
    /// The engine that decided.
    pub engine: EngineInfo,
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiredRule {
    /// Rule id.
    pub id: String,
    /// Its criterion.
    pub criterion: Criterion,
    /// The floor it set, if any.
    pub floor: Option<Level>,
    /// Whether it marks the result urgent.
    pub urgent: bool,
    /// Why, for a clinician.
    pub reason: String,
    /// Where the rule comes from.
    pub source: String,
    /// The answers it read and the values it saw.
    pub answers: Vec<AnswerRead>,
}

/// An answer a rule read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRead {
    /// The answer's name, e.g. `safety.suicide_risk`.
    pub answer: String,
    /// Its value; `null` when unanswered.
    pub value: Option<AnswerValue>,
}

/// An answer's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnswerValue {
    /// Yes or no.
    Bool(bool),
    /// A number.
    Number(u32),
    /// A choice, by name.
    Choice(String),
}

/// A rule that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotEvaluated {
    /// Rule id.
    pub id: String,
    /// The floor it would set if it applied.
    pub floor: Option<Level>,
    /// The unanswered items it needed.
    pub missing: Vec<String>,
    /// Its reason.
    pub reason: String,
}

/// Why a less intensive level is ruled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuledOut {
    /// The level ruled out.
    pub level: Level,
    /// Ids of the fired rules whose floor is above it.
    pub by: Vec<String>,
}

/// A lower level one arranged condition would allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionalLevel {
    /// The answer that would change (e.g. `home.substance_free_housing_arranged`).
    pub answer: String,
    /// The condition in words.
    pub condition: String,
    /// The level that would follow.
    pub level: Level,
}

/// The plan that goes with a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The level.
    pub level: Level,
    /// The schedule.
    pub schedule: Schedule,
    /// Services, each with what added it (`programme.<level>` or a rule id).
    pub services: Vec<PlanService>,
    /// Referrals, each with what added it.
    pub referrals: Vec<PlanReferral>,
    /// Cost figures from the pack's programme profile, when it gives them.
    pub cost: Option<Cost>,
    /// The person's cultural, language or spiritual preferences, carried as given.
    pub preferences: Option<Preferences>,
}

/// A schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Days a week.
    pub days_per_week: u32,
    /// Hours a day (24 for round-the-clock care).
    pub hours_per_day: u32,
    /// Hours a week.
    pub weekly_hours: u32,
    /// The minimum weekly hours for the level and the person's age (0 where none applies).
    pub minimum_weekly_hours: u32,
    /// Expected length.
    pub weeks: Option<Weeks>,
    /// The intensive schedule (severe conditions).
    pub intensive: bool,
    /// An evening option, for work or school.
    pub evening: bool,
}

/// An expected length in weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weeks {
    /// Shortest.
    pub shortest: u32,
    /// Longest.
    pub longest: u32,
}

/// A service in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanService {
    /// The service.
    pub service: Service,
    /// What added it.
    pub added_by: Vec<String>,
}

/// A referral in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanReferral {
    /// The referral.
    pub referral: Referral,
    /// What added it.
    pub added_by: Vec<String>,
}

/// Cost figures in US dollars, out of pocket before insurance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// A day, `[low, high]`.
    pub per_day_usd: Option<[u32; 2]>,
    /// A month, `[low, high]`.
    pub per_month_usd: Option<[u32; 2]>,
    /// Where the figures come from.
    pub source: String,
}

/// The pack that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// Content digest of the pack's sources.
    pub digest: String,
}

/// The engine that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EngineInfo {
    /// Always `carelevel`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

fn answer_value(kind: AnswerKind, v: Value) -> AnswerValue {
    match (kind, v) {
        (AnswerKind::Choice(names), Value::Choice(r)) => AnswerValue::Choice(
            names
                .get(usize::from(r))
                .map_or_else(|| r.to_string(), |s| (*s).to_owned()),
        ),
        (_, Value::Bool(b)) => AnswerValue::Bool(b),
        (_, Value::Num(n)) => AnswerValue::Number(n),
        (_, Value::Choice(r)) => AnswerValue::Number(u32::from(r)),
    }
}

impl Recommendation<'_> {
    fn answers_read(&self, f: &Firing) -> Vec<AnswerRead> {
        self.reads_of(f)
            .iter()
            .map(|r| AnswerRead {
                answer: self.pack.answer_name(r.answer),
                value: r
                    .value
                    .map(|v| answer_value(self.pack.answer_kind(r.answer), v)),
            })
            .collect()
    }

    /// The plan that goes with the level.
    pub fn plan(&self, preferences: Option<&Preferences>) -> Plan {
        let level = self.level;
        let programme = self.pack.programme(level);
        let origin = format!("programme.{level}");
        // What added a plan item: the level's programme and every fired rule that adds it.
        let added_by =
            |in_programme: bool, by_rule: &dyn Fn(&crate::Rule) -> bool| -> Vec<String> {
                in_programme
                    .then(|| origin.clone())
                    .into_iter()
                    .chain(
                        self.fired_rules()
                            .filter(|r| by_rule(r))
                            .map(|r| r.id.clone()),
                    )
                    .collect()
            };
        let services = Service::ALL
            .iter()
            .filter(|s| self.services.contains_bit(s.bit()))
            .map(|s| PlanService {
                service: *s,
                added_by: added_by(programme.services.contains_bit(s.bit()), &|r| {
                    r.services.contains_bit(s.bit())
                }),
            })
            .collect();
        let referrals = Referral::ALL
            .iter()
            .filter(|s| self.referrals.contains_bit(s.bit()))
            .map(|s| PlanReferral {
                referral: *s,
                added_by: added_by(programme.referrals.contains_bit(s.bit()), &|r| {
                    r.referrals.contains_bit(s.bit())
                }),
            })
            .collect();
        let cost = (programme.cost_per_day_usd.is_some() || programme.cost_per_month_usd.is_some())
            .then(|| Cost {
                per_day_usd: programme.cost_per_day_usd.map(|(a, b)| [a, b]),
                per_month_usd: programme.cost_per_month_usd.map(|(a, b)| [a, b]),
                source: programme.source.clone(),
            });
        Plan {
            level,
            schedule: self.schedule(),
            services,
            referrals,
            cost,
            preferences: preferences.filter(|p| p.any()).cloned(),
        }
    }

    /// The owned, serialisable report. Pass the intake's preferences to carry them into the
    /// plan (or use [`RulePack::report`](crate::RulePack::report), which does).
    pub fn to_report(&self, preferences: Option<&Preferences>) -> Report {
        let fired = self
            .fired_pairs()
            .map(|(f, r)| FiredRule {
                id: r.id.clone(),
                criterion: r.criterion,
                floor: r.floor,
                urgent: r.urgent,
                reason: r.reason.clone(),
                source: r.source.clone(),
                answers: self.answers_read(f),
            })
            .collect();
        let not_evaluated = self
            .unevaluated_pairs()
            .map(|(f, r)| NotEvaluated {
                id: r.id.clone(),
                floor: r.floor,
                missing: self
                    .reads_of(f)
                    .iter()
                    .filter(|x| x.value.is_none())
                    .map(|x| self.pack.answer_name(x.answer))
                    .collect(),
                reason: r.reason.clone(),
            })
            .collect();
        let ruled_out = Level::ALL
            .iter()
            .filter(|l| **l < self.level)
            .map(|l| RuledOut {
                level: *l,
                by: self.ruled_out_by(*l).map(|r| r.id.clone()).collect(),
            })
            .collect();
        let conditional = self
            .conditional
            .iter()
            .map(|c| ConditionalLevel {
                answer: self.pack.answer_name(c.answer),
                condition: match c.answer {
                    AnswerRef::Field(f) => f.info().description.to_owned(),
                    other => format!("{} is arranged", self.pack.answer_name(other)),
                },
                level: c.level,
            })
            .collect();
        let meta = self.pack.meta();
        Report {
            level: self.level,
            urgent: self.urgent,
            binding_rules: self.binding_rules().map(|r| r.id.clone()).collect(),
            fired,
            not_evaluated,
            ruled_out,
            conditional,
            plan: self.plan(preferences),
            pack: PackInfo {
                id: meta.id.clone(),
                version: meta.version.clone(),
                digest: meta.digest.clone(),
            },
            engine: EngineInfo {
                name: env!("CARGO_PKG_NAME").to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
        }
    }
}

fn value_text(v: &Option<AnswerValue>) -> String {
    match v {
        None => "unanswered".into(),
        Some(AnswerValue::Bool(b)) => {
            if *b {
                "yes".into()
            } else {
                "no".into()
            }
        }
        Some(AnswerValue::Number(n)) => n.to_string(),
        Some(AnswerValue::Choice(c)) => c.replace('_', " "),
    }
}

fn level_title(l: Level) -> &'static str {
    l.title()
}

/// Pack-supplied text for a markdown rendering: every character markdown (CommonMark or
/// GitHub's) could read as markup is backslash-escaped, so a reason or source shows as
/// written and cannot add emphasis, code, links, images, raw HTML, headings or table cells.
/// Loading has already made it one line. Text without such characters is returned as is.
pub(crate) fn escape_markdown(s: &str) -> std::borrow::Cow<'_, str> {
    const MARKUP: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&'];
    if !s.contains(MARKUP) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if MARKUP.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// Text or markdown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Text,
    Markdown,
}

impl Report {
    /// Plain text for a clinician.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/outpatient_mild.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let report = pack.report(&carelevel::Intake::from_json(json)?)?;
    /// assert!(report.to_text().starts_with("Recommended level: Outpatient"));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn to_text(&self) -> String {
        self.render(Style::Text)
    }

    /// Markdown for a clinician (for a chart note or a CDS card's detail). Text from the pack
    /// (reasons, sources, the pack's id and version) is escaped, so it shows as written.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/outpatient_mild.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let md = pack.report(&carelevel::Intake::from_json(json)?)?.to_markdown();
    /// assert!(md.starts_with("## Recommended level: Outpatient\n"));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        self.render(Style::Markdown)
    }

    fn render(&self, style: Style) -> String {
        let md = style == Style::Markdown;
        let mut o = String::new();
        let h = |o: &mut String, title: &str| {
            if md {
                let _ = write!(o, "\n### {title}\n\n");
            } else {
                let _ = write!(o, "\n{title}:\n");
            }
        };
        let b = if md { "- " } else { "  - " };
        let code = |s: &str| if md { format!("`{s}`") } else { s.to_owned() };
        // Pack-supplied text: escaped in markdown, as is in plain text.
        let text = |s: &str| {
            if md {
                escape_markdown(s).into_owned()
            } else {
                s.to_owned()
            }
        };
        if md {
            let _ = writeln!(o, "## Recommended level: {}", level_title(self.level));
        } else {
            let _ = writeln!(o, "Recommended level: {}", level_title(self.level));
        }
        if self.urgent {
            let _ = writeln!(
                o,
                "{}URGENT: a safety rule fired; arrange same-day clinical evaluation.{}",
                if md { "\n**" } else { "" },
                if md { "**" } else { "" }
            );
        }
        h(&mut o, "Why");
        for f in self
            .fired
            .iter()
            .filter(|f| self.binding_rules.contains(&f.id))
        {
            let answers: Vec<String> = f
                .answers
                .iter()
                .map(|a| format!("{} = {}", a.answer, value_text(&a.value)))
                .collect();
            let _ = writeln!(
                o,
                "{b}{} {} [{}]",
                code(&f.id),
                text(&f.reason),
                answers.join(", ")
            );
            let _ = writeln!(
                o,
                "{}  source: {}",
                if md { "" } else { "  " },
                text(&f.source)
            );
        }
        if !self.ruled_out.is_empty() {
            h(&mut o, "Less intensive levels ruled out");
            for r in &self.ruled_out {
                let by: Vec<String> = r.by.iter().map(|x| code(x)).collect();
                let _ = writeln!(o, "{b}{}: by {}", level_title(r.level), by.join(", "));
            }
        }
        for c in &self.conditional {
            h(&mut o, "What would change it");
            let _ = writeln!(o, "{b}{} if {}.", level_title(c.level), c.condition);
        }
        let others: Vec<&FiredRule> = self
            .fired
            .iter()
            .filter(|f| !self.binding_rules.contains(&f.id))
            .collect();
        if !others.is_empty() {
            h(&mut o, "Other rules that fired");
            for f in others {
                let answers: Vec<String> = f
                    .answers
                    .iter()
                    .map(|a| format!("{} = {}", a.answer, value_text(&a.value)))
                    .collect();
                let _ = writeln!(
                    o,
                    "{b}{} {} [{}]",
                    code(&f.id),
                    text(&f.reason),
                    answers.join(", ")
                );
            }
        }
        if !self.not_evaluated.is_empty() {
            h(&mut o, "Not evaluated (answer these to complete the check)");
            // Group rules by the answers they lack, so one unmeasured score is one line.
            let mut groups: Vec<(&[String], Vec<&NotEvaluated>)> = Vec::new();
            for n in &self.not_evaluated {
                match groups.iter_mut().find(|(m, _)| *m == n.missing.as_slice()) {
                    Some((_, list)) => list.push(n),
                    None => groups.push((n.missing.as_slice(), vec![n])),
                }
            }
            for (missing, rules) in groups {
                let ids: Vec<String> = rules.iter().map(|n| code(&n.id)).collect();
                let top = rules
                    .iter()
                    .filter_map(|n| n.floor)
                    .max()
                    .filter(|f| *f > self.level);
                let risk = top
                    .map(|f| format!("; if it applies it could require up to {}", level_title(f)))
                    .unwrap_or_default();
                let missing: Vec<String> = missing.iter().map(|m| code(m)).collect();
                let _ = writeln!(
                    o,
                    "{b}{} unanswered: {}{risk}",
                    missing.join(" / "),
                    ids.join(", ")
                );
            }
        }
        h(&mut o, "Plan");
        let s = &self.plan.schedule;
        let mut sched = if s.hours_per_day >= 24 {
            "round-the-clock care, 7 days a week".to_owned()
        } else {
            format!(
                "{} day(s) a week, {} h a day = {} h/week",
                s.days_per_week, s.hours_per_day, s.weekly_hours
            )
        };
        if s.minimum_weekly_hours > 0 {
            let _ = write!(sched, " (minimum {} h/week)", s.minimum_weekly_hours);
        }
        if let Some(w) = s.weeks {
            let _ = write!(sched, ", about {}-{} weeks", w.shortest, w.longest);
        }
        if s.intensive {
            sched.push_str(", intensive schedule for severity");
        }
        if s.evening {
            sched.push_str(", evening sessions offered");
        }
        let _ = writeln!(o, "{b}Schedule: {sched}");
        let services: Vec<&str> = self
            .plan
            .services
            .iter()
            .map(|x| x.service.title())
            .collect();
        let _ = writeln!(o, "{b}Services: {}", services.join("; "));
        if !self.plan.referrals.is_empty() {
            let refs: Vec<&str> = self
                .plan
                .referrals
                .iter()
                .map(|x| x.referral.title())
                .collect();
            let _ = writeln!(o, "{b}Referrals: {}", refs.join("; "));
        }
        if let Some(c) = &self.plan.cost {
            let mut parts = Vec::new();
            if let Some([a, z]) = c.per_day_usd {
                parts.push(format!("${a}-${z} a day"));
            }
            if let Some([a, z]) = c.per_month_usd {
                parts.push(format!("${a}-${z} a month"));
            }
            let _ = writeln!(o, "{b}Typical cost before insurance: {}", parts.join(", "));
        }
        if self.plan.preferences.is_some() {
            let _ = writeln!(
                o,
                "{b}Cultural, language or spiritual preferences recorded: match the programme to them"
            );
        }
        let _ = write!(
            o,
            "\nRule pack {} {} ({}); {} {}.\nThis is a recommendation, not a diagnosis: a clinician decides.\n",
            text(&self.pack.id),
            text(&self.pack.version),
            self.pack.digest,
            self.engine.name,
            self.engine.version
        );
        o
    }
}
