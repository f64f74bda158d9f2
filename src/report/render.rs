//! The one renderer of a [`Report`] for people: plain text and markdown for a clinician
//! ([`Report::to_text`], [`Report::to_markdown`]) and the markdown detail of a CDS Hooks card.
//!
//! Every rendering takes the rules that set the level from [`Report::binding`], and every
//! markdown rendering escapes pack-supplied text (reasons, sources) with [`escape_markdown`].

use super::{AnswerValue, ConditionalLevel, FiredRule, InstrumentScore, NotEvaluated, Report};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Pack-supplied text for a markdown rendering: every character markdown (CommonMark or
/// GitHub's) could read as markup is backslash-escaped, so a reason or source shows as
/// written and cannot add emphasis, code, links, images, raw HTML, headings or table cells.
/// Loading has already made it one line. Text without such characters is returned as is.
pub(crate) fn escape_markdown(s: &str) -> Cow<'_, str> {
    const MARKUP: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&'];
    if !s.contains(MARKUP) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if MARKUP.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Plain text or markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Text,
    Markdown,
}

impl Style {
    /// A section heading.
    fn heading(self, o: &mut String, title: &str) {
        // Writing to a `String` cannot fail.
        let _ = match self {
            Style::Markdown => write!(o, "\n### {title}\n\n"),
            Style::Text => write!(o, "\n{title}:\n"),
        };
    }

    /// The start of a list item.
    fn bullet(self) -> &'static str {
        match self {
            Style::Markdown => "- ",
            Style::Text => "  - ",
        }
    }

    /// A rule id or an answer name: code in markdown, as is in plain text.
    fn code(self, s: &str) -> Cow<'_, str> {
        match self {
            Style::Markdown => Cow::Owned(format!("`{s}`")),
            Style::Text => Cow::Borrowed(s),
        }
    }

    /// Several ids or names as [`Style::code`], joined by `sep`.
    fn codes<'a>(self, items: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
        let items: Vec<Cow<'_, str>> = items.into_iter().map(|s| self.code(s)).collect();
        items.join(sep)
    }

    /// Pack-supplied text: escaped in markdown, as is in plain text.
    fn pack_text(self, s: &str) -> Cow<'_, str> {
        match self {
            Style::Markdown => escape_markdown(s),
            Style::Text => Cow::Borrowed(s),
        }
    }

    /// A fired rule on one line: id, reason and the answers it read.
    fn firing(self, o: &mut String, f: &FiredRule) {
        let answers: Vec<String> = f
            .answers
            .iter()
            .map(|a| format!("{} = {}", a.answer, value_text(&a.value)))
            .collect();
        let _ = writeln!(
            o,
            "{}{} {} [{}]",
            self.bullet(),
            self.code(&f.id),
            self.pack_text(&f.reason),
            answers.join(", ")
        );
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
        Some(AnswerValue::NotApplicable(_)) => "not applicable".into(),
        Some(AnswerValue::Choice(c)) => c.replace('_', " "),
    }
}

/// What would change the level, as a sentence.
fn what_would_change(c: &ConditionalLevel) -> String {
    format!("{} if {}.", c.level.title(), c.condition)
}

impl Report {
    /// Plain text for a clinician.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../../examples/intakes/outpatient_mild.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let report = pack.report(&carelevel::Intake::from_json(json)?)?;
    /// assert!(report.to_text().starts_with("Recommended level: Outpatient"));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn to_text(&self) -> String {
        render(self, Style::Text)
    }

    /// Markdown for a clinician (for a chart note or a CDS card's detail). Text from the pack
    /// (reasons, sources, the pack's id and version) is escaped, so it shows as written.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../../examples/intakes/outpatient_mild.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let md = pack.report(&carelevel::Intake::from_json(json)?)?.to_markdown();
    /// assert!(md.starts_with("## Recommended level: Outpatient\n"));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        render(self, Style::Markdown)
    }
}

/// The clinician's report, in plain text or markdown.
fn render(r: &Report, style: Style) -> String {
    let md = style == Style::Markdown;
    let b = style.bullet();
    let mut o = String::new();
    match r.level {
        Some(level) => {
            let _ = writeln!(
                o,
                "{}Recommended level: {}",
                if md { "## " } else { "" },
                level.title()
            );
        }
        // Never shown as a level: the bounds, and what is missing.
        None => {
            let _ = writeln!(
                o,
                "{}Provisional: at least {}, up to {} ({} answer{} missing)",
                if md { "## " } else { "" },
                r.level_at_least.title(),
                r.level_at_most.title(),
                r.ask_next.len(),
                if r.ask_next.len() == 1 { "" } else { "s" }
            );
            if let Some(next) = r.ask_next.first() {
                let raise = if next.could_reach > r.level_at_least {
                    format!(" — could raise the level to {}", next.could_reach.title())
                } else {
                    String::new()
                };
                let line = format!("Ask next: {}{raise}", style.code(&next.answer));
                let _ = if md {
                    writeln!(o, "\n**{line}**")
                } else {
                    writeln!(o, "{line}")
                };
            }
        }
    }
    let _ = writeln!(
        o,
        "{}Setting{}: {}",
        if md { "\n" } else { "" },
        if r.level.is_some() { "" } else { " (at least)" },
        r.plan.setting.setting.title()
    );
    if let Some(needs) = capability_list(r) {
        let _ = writeln!(o, "The programme must offer: {needs}");
    }
    if r.urgent {
        let _ = writeln!(
            o,
            "{}{}{}",
            if md { "\n**" } else { "" },
            r.urgency.action(),
            if md { "**" } else { "" }
        );
    }
    for c in &r.cautions {
        let _ = writeln!(
            o,
            "{}Reconcile: {}{}",
            if md { "\n**" } else { "" },
            c.message,
            if md { "**" } else { "" }
        );
    }
    style.heading(&mut o, "Why");
    for f in r.binding() {
        style.firing(&mut o, f);
        let _ = writeln!(
            o,
            "{}  source: {}",
            if md { "" } else { "  " },
            style.pack_text(&f.source)
        );
    }
    if !r.scores.is_empty() {
        style.heading(&mut o, "Scores");
        for s in &r.scores {
            let _ = writeln!(o, "{b}{}", score_text(s, style));
        }
    }
    if !r.ruled_out.is_empty() {
        style.heading(&mut o, "Less intensive levels ruled out");
        for x in &r.ruled_out {
            let by = style.codes(x.by.iter().map(String::as_str), ", ");
            let _ = writeln!(o, "{b}{}: by {by}", x.level.title());
        }
    }
    for c in &r.conditional {
        style.heading(&mut o, "What would change it");
        let _ = writeln!(o, "{b}{}", what_would_change(c));
    }
    let mut others = r.fired.iter().filter(|f| !r.is_binding(f)).peekable();
    if others.peek().is_some() {
        style.heading(&mut o, "Other rules that fired");
        for f in others {
            style.firing(&mut o, f);
        }
    }
    if !r.not_evaluated.is_empty() {
        style.heading(&mut o, "Not evaluated (answer these to complete the check)");
        // Group rules by the answers they lack, so one unmeasured score is one line.
        let mut groups: Vec<(&[String], Vec<&NotEvaluated>)> = Vec::new();
        for n in &r.not_evaluated {
            match groups.iter_mut().find(|(m, _)| *m == n.missing.as_slice()) {
                Some((_, list)) => list.push(n),
                None => groups.push((n.missing.as_slice(), vec![n])),
            }
        }
        for (missing, rules) in groups {
            let ids = style.codes(rules.iter().map(|n| n.id.as_str()), ", ");
            let top = rules
                .iter()
                .filter_map(|n| n.floor)
                .max()
                .filter(|f| *f > r.level_at_least);
            let risk = top
                .map(|f| format!("; if it applies it could require up to {}", f.title()))
                .unwrap_or_default();
            let missing = style.codes(missing.iter().map(String::as_str), " / ");
            let _ = writeln!(o, "{b}{missing} unanswered: {ids}{risk}");
        }
    }
    style.heading(&mut o, "Plan");
    let s = &r.plan.schedule;
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
    let services: Vec<&str> = r.plan.services.iter().map(|x| x.service.title()).collect();
    let _ = writeln!(o, "{b}Services: {}", services.join("; "));
    if !r.plan.referrals.is_empty() {
        let refs: Vec<&str> = r
            .plan
            .referrals
            .iter()
            .map(|x| x.referral.title())
            .collect();
        let _ = writeln!(o, "{b}Referrals: {}", refs.join("; "));
    }
    // Cost figures (a local, payer-specific setting of a pack) stay in the JSON plan; they are
    // not part of the clinical note.
    if r.plan.preferences.is_some() {
        let _ = writeln!(
            o,
            "{b}Cultural, language or spiritual preferences recorded: match the programme to them"
        );
    }
    let _ = write!(
        o,
        "\nRule pack {} {} ({}); {} {}.\n",
        style.pack_text(&r.pack.id),
        style.pack_text(&r.pack.version),
        r.pack.digest,
        r.engine.name,
        r.engine.version
    );
    if let Some(g) = &r.pack.governance {
        let _ = writeln!(o, "{}", style.pack_text(g));
    }
    let _ = writeln!(
        o,
        "This is a recommendation, not a diagnosis: a clinician decides."
    );
    o
}

impl Report {
    /// The markdown detail of a CDS Hooks card: the binding rules, the levels ruled out, what
    /// would change the level, the unanswered items that could raise it, and the pack.
    pub(crate) fn card_detail(&self) -> String {
        card_detail(self)
    }
}

/// The capabilities the programme must offer, in words, or `None` when there are none.
fn capability_list(r: &Report) -> Option<String> {
    (!r.plan.capabilities.is_empty()).then(|| {
        r.plan
            .capabilities
            .iter()
            .map(|c| c.capability.title())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn card_detail(r: &Report) -> String {
    let md = Style::Markdown;
    let mut d = String::new();
    for c in &r.cautions {
        let _ = writeln!(d, "**Reconcile:** {}\n", c.message);
    }
    let _ = writeln!(d, "**Setting:** {}\n", r.plan.setting.setting.title());
    if let Some(needs) = capability_list(r) {
        let _ = writeln!(d, "**The programme must offer:** {needs}\n");
    }
    let _ = writeln!(
        d,
        "**Binding rules** (they set {}{}):\n",
        if r.level.is_some() { "" } else { "at least " },
        r.level_at_least.title()
    );
    for f in r.binding() {
        // Reasons and sources come from the pack: escaped, so they cannot add markup.
        let _ = writeln!(
            d,
            "- {}: {} _(source: {})_",
            md.code(&f.id),
            md.pack_text(&f.reason),
            md.pack_text(&f.source)
        );
    }
    for x in &r.ruled_out {
        let by = md.codes(x.by.iter().map(String::as_str), ", ");
        let _ = writeln!(d, "\n{} ruled out by {by}.", x.level.title());
    }
    for c in &r.conditional {
        let _ = writeln!(d, "\n{}", what_would_change(c));
    }
    // Sorted and deduplicated as written (with the backticks).
    let raising: BTreeSet<Cow<'_, str>> = r
        .not_evaluated
        .iter()
        .filter(|n| n.floor.is_some_and(|f| f > r.level_at_least))
        .flat_map(|n| n.missing.iter().map(|m| md.code(m)))
        .collect();
    if !raising.is_empty() {
        let raising: Vec<Cow<'_, str>> = raising.into_iter().collect();
        let _ = writeln!(
            d,
            "\nUnanswered items that could raise the level: {}.",
            raising.join(", ")
        );
    }
    let _ = write!(
        d,
        "\nPack `{}` {} (`{}`). A recommendation, not a diagnosis: a clinician decides.",
        r.pack.id, r.pack.version, r.pack.digest
    );
    d
}

/// One instrument's line: "PHQ-9 = 17, from items", "GAD-7: not scored, items missing: …",
/// "C-SSRS screener: high risk, from items".
fn score_text(s: &InstrumentScore, style: Style) -> String {
    let name = match s.instrument.as_str() {
        "phq9" => "PHQ-9",
        "gad7" => "GAD-7",
        "ciwa_ar" => "CIWA-Ar",
        "cows" => "COWS",
        "cssrs" => "C-SSRS screener",
        other => other,
    };
    let from = match s.from.as_str() {
        "items" => "from items",
        "given_and_items" if s.missing_items.is_empty() => "given, and agrees with its items",
        "given_and_items" => "given, within what its answered items allow",
        _ => "given",
    };
    let mut line = match (s.instrument.as_str(), s.total, &s.risk) {
        ("cssrs", _, Some(risk)) if risk == "none" => format!("{name}: no risk, {from}"),
        ("cssrs", _, Some(risk)) => format!("{name}: {risk} risk, {from}"),
        ("cssrs", _, None) => format!("{name}: risk not determined, {from}"),
        (_, Some(total), _) => format!("{name} = {total}, {from}"),
        (_, None, _) => format!("{name}: no total (a partial instrument), {from}"),
    };
    if s.field.starts_with("substance_use[") {
        line.push_str(&format!(" ({})", style.code(&s.field)));
    }
    if !s.missing_items.is_empty() {
        line.push_str("; missing: ");
        line.push_str(&style.codes(s.missing_items.iter().map(String::as_str), ", "));
    }
    line
}
