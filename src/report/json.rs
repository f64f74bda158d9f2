//! The report's JSON written straight from the evaluated [`Recommendation`], its plan's parts
//! and the pack, without building the owned [`Report`](super::Report) first: the same bytes
//! `serde_json::to_string(&report)` writes (field order, `null`s, escaping), for
//! [`RulePack::assess_json`](crate::RulePack::assess_json).
//!
//! Building the owned report copies about a hundred strings out of the pack, and serde_json
//! then escapes every one byte by byte; here each string is searched eight bytes at a time
//! for a character JSON must escape and copied whole up to it (most have none; the pack's
//! `source` texts quote titles). The owned [`Report`](super::Report) stays the contract:
//! tests require this writer's output to equal `serde_json::to_string` of it for every
//! scenario, bundled and generated intake.

use crate::Level;
use crate::answer::{AnswerKind, AnswerRef, Value};
use crate::engine::{Firing, Recommendation};
use crate::intake::Preferences;
use crate::pack::RulePack;
use crate::plan::PROGRAMME_ORIGIN;
use crate::provisional::Status;

/// A JSON text being written into a `String` (so it needs no UTF-8 check at the end: every
/// piece written is a `&str` or ASCII).
struct Json<'b>(&'b mut String);

impl Json<'_> {
    /// Punctuation and keys, written as they are.
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    fn null(&mut self) {
        self.raw("null");
    }

    /// A number, in decimal as serde_json writes a `u32`.
    fn u32(&mut self, n: u32) {
        // The digits, filled from the end (a `u32` has at most ten).
        let mut digits = [b'0'; 10];
        let (mut rest, mut start) = (n, digits.len());
        for d in digits.iter_mut().rev() {
            // Below 10, so the cast keeps every bit.
            *d = b'0' + (rest % 10) as u8;
            rest /= 10;
            start -= 1;
            if rest == 0 {
                break;
            }
        }
        let (_, written) = digits.split_at(start);
        // ASCII digits are UTF-8; the `Err` arm cannot happen.
        match std::str::from_utf8(written) {
            Ok(s) => self.0.push_str(s),
            Err(_) => written.iter().for_each(|d| self.0.push(char::from(*d))),
        }
    }

    /// A string, quoted and escaped.
    fn str(&mut self, s: &str) {
        self.0.push('"');
        self.fragment(s);
        self.0.push('"');
    }

    /// A path the crate builds (identifiers, dots, brackets and digits: nothing to escape),
    /// quoted.
    fn display(&mut self, path: &impl std::fmt::Display) {
        use std::fmt::Write;
        self.0.push('"');
        // Writing to a `String` cannot fail.
        let _ = write!(self.0, "{path}");
        self.0.push('"');
    }

    /// A string made of pieces (`rating.` and an id), quoted and escaped as one.
    fn strs(&mut self, pieces: &[&str]) {
        self.0.push('"');
        for p in pieces {
            self.fragment(p);
        }
        self.0.push('"');
    }

    /// Part of a string's contents, escaped as serde_json escapes it: `"` and `\` with a
    /// backslash, the control characters below U+0020 as `\b`, `\t`, `\n`, `\f`, `\r` or
    /// `\u00xx` (lower-case hex); everything else (U+007F and all non-ASCII) as it is.
    fn fragment(&mut self, s: &str) {
        // Copy each run of characters that need no escape whole (the pack's text is one run),
        // then escape the ASCII character that ends it; splitting before or after an ASCII
        // byte keeps UTF-8 whole.
        let mut rest = s;
        while let Some((plain, tail)) =
            first_escape(rest.as_bytes()).and_then(|i| rest.split_at_checked(i))
        {
            self.0.push_str(plain);
            // `tail` starts with the ASCII byte found, so this always splits.
            let Some((c, after)) = tail.split_at_checked(1) else {
                rest = tail;
                break;
            };
            match c {
                "\"" => self.raw("\\\""),
                "\\" => self.raw("\\\\"),
                "\u{08}" => self.raw("\\b"),
                "\t" => self.raw("\\t"),
                "\n" => self.raw("\\n"),
                "\u{0c}" => self.raw("\\f"),
                "\r" => self.raw("\\r"),
                _ => {
                    let n = c.bytes().next().map_or(0, u32::from);
                    self.raw("\\u00");
                    self.0.push(digit(n >> 4));
                    self.0.push(digit(n & 0xf));
                }
            }
            rest = after;
        }
        self.0.push_str(rest);
    }

    fn level(&mut self, l: Level) {
        self.str(l.as_str());
    }

    fn opt_level(&mut self, l: Option<Level>) {
        match l {
            Some(l) => self.level(l),
            None => self.null(),
        }
    }

    fn pair(&mut self, p: Option<(u32, u32)>) {
        match p {
            Some((a, b)) => {
                self.raw("[");
                self.u32(a);
                self.raw(",");
                self.u32(b);
                self.raw("]");
            }
            None => self.null(),
        }
    }

    /// A JSON array: `each` writes one item.
    fn list<T>(&mut self, items: impl IntoIterator<Item = T>, mut each: impl FnMut(&mut Self, T)) {
        self.raw("[");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            each(self, item);
        }
        self.raw("]");
    }

    /// Strings separated by commas (the inside of a list).
    fn list_items<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        for (i, s) in items.into_iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            self.str(s);
        }
    }

    /// An answer's name, as `RulePack::answer_name` gives it.
    fn answer_name(&mut self, pack: &RulePack, a: AnswerRef) {
        self.strs(&answer_name(pack, a));
    }

    /// An answer's value, as its [`AnswerValue`](super::AnswerValue) serialises (untagged).
    fn answer_value(&mut self, kind: AnswerKind, v: Value) {
        match (kind, v) {
            (AnswerKind::Choice(names), Value::Choice(r)) => match names.get(usize::from(r)) {
                Some(name) => self.str(name),
                // A choice without a name is written as its position, as a string.
                None => {
                    self.raw("\"");
                    self.u32(u32::from(r));
                    self.raw("\"");
                }
            },
            (_, Value::Bool(b)) => self.bool(b),
            (_, Value::Num(n)) => self.u32(n),
            (_, Value::Choice(r)) => self.u32(u32::from(r)),
            (_, Value::NotApplicable) => self.str(super::NOT_APPLICABLE),
        }
    }
}

/// The position of the first byte JSON needs escaped, eight bytes at a time: in each word,
/// the classic bit tests for "a byte below 0x20" and "a byte equal to `"` or `\\`" (a
/// borrow can only flag a byte above one that matches, so the lowest flag is exact).
fn first_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        // A chunk of `chunks_exact(8)` always converts; were it not to, look byte by byte.
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            return bytes.iter().position(|b| escaped(*b));
        };
        let x = u64::from_le_bytes(word);
        let flags = ((x.wrapping_sub(ONES * 0x20) & !x)
            | zero_byte(x ^ (ONES * u64::from(b'"')))
            | zero_byte(x ^ (ONES * u64::from(b'\\'))))
            & HIGH;
        if flags != 0 {
            return Some(at + flags.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|b| escaped(*b))
        .map(|i| at + i)
}

/// Whether JSON needs `b` escaped in a string: `"`, `\\` and the control characters.
fn escaped(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// The lower-case hex digit for `n`, below 16.
fn digit(n: u32) -> char {
    char::from_digit(n, 16).unwrap_or('0')
}

/// An answer's name in pieces, as `RulePack::answer_name` gives it whole: a built-in
/// answer's name, or `rating.` or `score.` and the pack's id for it.
fn answer_name(pack: &RulePack, a: AnswerRef) -> [&str; 2] {
    match a {
        AnswerRef::Field(f) => ["", f.info().name],
        AnswerRef::Rating(i) => [
            "rating.",
            pack.ratings().get(usize::from(i)).map_or("?", |r| &r.id),
        ],
        AnswerRef::Score(i) => [
            "score.",
            pack.scores().get(usize::from(i)).map_or("?", |s| &s.id),
        ],
    }
}

impl Recommendation<'_> {
    /// Appends the report's JSON to `out`: exactly `serde_json::to_string(&self.to_report(
    /// preferences))`, without building the report.
    ///
    /// # Errors
    ///
    /// serde_json's error if the preferences cannot be written (they are plain strings, so
    /// this is not expected).
    pub(crate) fn write_report_json(
        &self,
        preferences: Option<&Preferences>,
        out: &mut String,
    ) -> Result<(), serde_json::Error> {
        let pack = self.pack;
        let mut w = Json(out);
        let status = self.status();
        w.raw("{\"status\":");
        w.str(match status {
            Status::Final => "final",
            Status::Provisional => "provisional",
        });
        if status == Status::Final {
            w.raw(",\"level\":");
            w.level(self.level);
        }
        w.raw(",\"level_at_least\":");
        w.level(self.level);
        w.raw(",\"level_at_most\":");
        w.level(self.level_at_most());
        w.raw(",\"urgent\":");
        w.bool(self.urgent());
        w.raw(",\"urgency\":");
        w.str(self.urgency.as_str());
        w.raw(",\"binding_rules\":");
        w.list(self.binding_rules(), |w, r| w.str(&r.id));
        w.raw(",\"fired\":");
        w.list(self.fired_pairs(), |w, (f, r)| {
            w.raw("{\"id\":");
            w.str(&r.id);
            w.raw(",\"criterion\":");
            w.str(r.criterion.as_str());
            w.raw(",\"floor\":");
            w.opt_level(r.floor);
            w.raw(",\"urgency\":");
            w.str(r.urgency.as_str());
            w.raw(",\"reason\":");
            w.str(&r.reason);
            w.raw(",\"source\":");
            w.str(&r.source);
            w.raw(",\"answers\":");
            self.write_answers_read(&mut *w, f);
            w.raw("}");
        });
        w.raw(",\"not_evaluated\":");
        w.list(self.unevaluated_pairs(), |w, (f, r)| {
            w.raw("{\"id\":");
            w.str(&r.id);
            w.raw(",\"floor\":");
            w.opt_level(r.floor);
            w.raw(",\"missing\":");
            let missing = self.reads_of(f).iter().filter(|x| x.value.is_none());
            w.list(missing, |w, x| w.answer_name(pack, x.answer));
            w.raw(",\"reason\":");
            w.str(&r.reason);
            w.raw("}");
        });
        w.raw(",\"ask_next\":");
        w.list(self.ask_next().iter(), |w, a| {
            w.raw("{\"answer\":");
            w.str(&a.answer);
            w.raw(",\"could_reach\":");
            w.level(a.could_reach);
            w.raw(",\"safety\":");
            w.bool(a.safety);
            w.raw(",\"rules\":");
            w.list(a.rules.iter(), |w, r| w.str(r));
            w.raw("}");
        });
        w.raw(",\"ruled_out\":");
        let below = Level::ALL.iter().filter(|l| **l < self.level);
        w.list(below, |w, l| {
            w.raw("{\"level\":");
            w.level(*l);
            w.raw(",\"by\":");
            w.list(self.ruled_out_by(*l), |w, r| w.str(&r.id));
            w.raw("}");
        });
        w.raw(",\"conditional\":");
        w.list(self.conditional.iter(), |w, c| {
            w.raw("{\"answer\":");
            w.answer_name(pack, c.answer);
            w.raw(",\"condition\":");
            match c.answer {
                AnswerRef::Field(f) => w.str(f.info().description),
                other => {
                    let [kind, id] = answer_name(pack, other);
                    w.strs(&[kind, id, " is arranged"]);
                }
            }
            w.raw(",\"level\":");
            w.level(c.level);
            w.raw("}");
        });
        w.raw(",\"scores\":[");
        let mut first = true;
        super::scores::for_each_line(self.intake, |l| {
            if !std::mem::take(&mut first) {
                w.raw(",");
            }
            w.raw("{\"instrument\":");
            w.str(l.instrument);
            w.raw(",\"field\":");
            w.display(&l.at);
            w.raw(",\"total\":");
            match l.total {
                Some(t) => w.u32(t),
                None => w.null(),
            }
            w.raw(",\"from\":");
            w.str(l.from);
            w.raw(",\"missing_items\":");
            w.list(l.missing_items(), |w, m| w.display(&m));
            w.raw(",\"risk\":");
            match l.risk {
                Some(r) => w.str(r),
                None => w.null(),
            }
            w.raw("}");
        });
        w.raw("],\"cautions\":[");
        let mut first = true;
        super::scores::for_each_caution(self.intake, |c| {
            if !std::mem::take(&mut first) {
                w.raw(",");
            }
            w.raw("{\"code\":");
            w.str(c.code);
            w.raw(",\"message\":");
            w.str(c.message);
            w.raw("}");
        });
        w.raw("]");
        w.raw(",\"plan\":");
        self.write_plan(&mut w, preferences)?;
        let meta = pack.meta();
        w.raw(",\"pack\":{\"id\":");
        w.str(&meta.id);
        w.raw(",\"version\":");
        w.str(&meta.version);
        w.raw(",\"digest\":");
        w.str(&meta.digest);
        if let Some(g) = &meta.governance {
            w.raw(",\"governance\":");
            w.str(&g.summary());
        }
        w.raw("},\"engine\":{\"name\":");
        w.str(env!("CARGO_PKG_NAME"));
        w.raw(",\"version\":");
        w.str(env!("CARGO_PKG_VERSION"));
        w.raw("}}");
        Ok(())
    }

    /// The answers a fired rule read, as [`AnswerRead`](super::AnswerRead)s serialise.
    fn write_answers_read(&self, w: &mut Json<'_>, f: &Firing) {
        w.list(self.reads_of(f), |w, x| {
            w.raw("{\"answer\":");
            w.answer_name(self.pack, x.answer);
            w.raw(",\"value\":");
            match x.value {
                Some(v) => w.answer_value(self.pack.answer_kind(x.answer), v),
                None => w.null(),
            }
            w.raw("}");
        });
    }

    /// The plan, as [`Recommendation::plan`]'s [`Plan`](super::Plan) serialises.
    fn write_plan(
        &self,
        w: &mut Json<'_>,
        preferences: Option<&Preferences>,
    ) -> Result<(), serde_json::Error> {
        let parts = self.plan_parts();
        // One `{"<key>": name, "added_by": [...]}` entry of the services or referrals list:
        // the programme first when it brings the item, then the rules that add it.
        let entry = |w: &mut Json<'_>,
                     key: &str,
                     name: &str,
                     in_programme: bool,
                     rules: &mut dyn Iterator<Item = &str>| {
            w.raw(key);
            w.str(name);
            w.raw(",\"added_by\":[");
            if in_programme {
                w.strs(&[PROGRAMME_ORIGIN, parts.level.as_str()]);
            }
            for (i, id) in rules.enumerate() {
                if in_programme || i > 0 {
                    w.raw(",");
                }
                w.str(id);
            }
            w.raw("]}");
        };
        w.raw("{\"level\":");
        w.level(parts.level);
        let chosen = parts.setting;
        w.raw(",\"setting\":{\"setting\":");
        w.str(chosen.setting.as_str());
        w.raw(",\"chosen_by\":[");
        match self.rules_choosing(chosen) {
            Some(rules) => w.list_items(rules),
            None => w.strs(&[PROGRAMME_ORIGIN, parts.level.as_str()]),
        }
        w.raw("]},\"capabilities\":");
        w.list(parts.capabilities(), |w, c| {
            w.raw("{\"capability\":");
            w.str(c.as_str());
            w.raw(",\"needed_by\":[");
            w.list_items(self.rules_needing(c));
            w.raw("]}");
        });
        let s = parts.schedule;
        w.raw(",\"schedule\":{\"days_per_week\":");
        w.u32(s.days_per_week);
        w.raw(",\"hours_per_day\":");
        w.u32(s.hours_per_day);
        w.raw(",\"weekly_hours\":");
        w.u32(s.weekly_hours);
        w.raw(",\"minimum_weekly_hours\":");
        w.u32(s.minimum_weekly_hours);
        w.raw(",\"weeks\":");
        match s.weeks {
            Some(weeks) => {
                w.raw("{\"shortest\":");
                w.u32(weeks.shortest);
                w.raw(",\"longest\":");
                w.u32(weeks.longest);
                w.raw("}");
            }
            None => w.null(),
        }
        w.raw(",\"intensive\":");
        w.bool(s.intensive);
        w.raw(",\"evening\":");
        w.bool(s.evening);
        w.raw("},\"services\":");
        w.list(parts.services(), |w, (s, in_programme)| {
            let rules = &mut self.rules_adding_service(s);
            entry(w, "{\"service\":", s.as_str(), in_programme, rules);
        });
        w.raw(",\"referrals\":");
        w.list(parts.referrals(), |w, (r, in_programme)| {
            let rules = &mut self.rules_adding_referral(r);
            entry(w, "{\"referral\":", r.as_str(), in_programme, rules);
        });
        w.raw(",\"cost\":");
        if parts.has_cost() {
            let p = parts.programme;
            w.raw("{\"per_day_usd\":");
            w.pair(p.cost_per_day_usd);
            w.raw(",\"per_month_usd\":");
            w.pair(p.cost_per_month_usd);
            w.raw(",\"source\":");
            w.str(&p.source);
            w.raw("}");
        } else {
            w.null();
        }
        w.raw(",\"preferences\":");
        match preferences.filter(|p| p.any()) {
            // Free text the person gave, rare and short: serde_json writes it.
            Some(p) => w.raw(&serde_json::to_string(p)?),
            None => w.null(),
        }
        w.raw("}");
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    //! The writer against serde_json: strings (every ASCII character, arbitrary text),
    //! numbers, vocabulary names, and whole reports from a pack with ratings, scores and text
    //! that needs escaping. The built-in pack's reports are compared in `tests/properties.rs`
    //! and `tests/golden.rs`.

    use super::*;
    use crate::vocab::{Criterion, Referral, Service};
    use crate::{Intake, Report};
    use proptest::prelude::*;

    fn written(f: impl FnOnce(&mut Json<'_>)) -> String {
        let mut s = String::new();
        f(&mut Json(&mut s));
        s
    }

    #[test]
    fn every_ascii_character_is_escaped_as_serde_json_escapes_it() {
        // At every offset in and after the first two eight-byte words, and twice.
        for c in (0u8..=0x7f).map(char::from) {
            for at in 0..20 {
                let s = format!("{}{c}b{c}", "é".repeat(at / 2) + &"a".repeat(at % 2));
                assert_eq!(
                    written(|w| w.str(&s)),
                    serde_json::to_string(&s).unwrap(),
                    "{c:?} at {at}"
                );
                let alone = format!("{}{c}", "a".repeat(at));
                assert_eq!(
                    written(|w| w.str(&alone)),
                    serde_json::to_string(&alone).unwrap()
                );
            }
        }
        let s = "é – \u{7f}\u{80}\u{2028}\u{1F600} \"q\" \\ \u{0}\u{1f}";
        assert_eq!(written(|w| w.str(s)), serde_json::to_string(s).unwrap());
        assert_eq!(
            written(|w| w.strs(&["a\"", "\n", "b"])),
            serde_json::to_string("a\"\nb").unwrap()
        );
    }

    #[test]
    fn numbers_and_names_are_written_as_serde_json_writes_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            4_294_967_295,
            1_000_000_000,
            123_456_789,
        ] {
            assert_eq!(written(|w| w.u32(n)), serde_json::to_string(&n).unwrap());
        }
        for l in Level::ALL {
            assert_eq!(written(|w| w.level(l)), serde_json::to_string(&l).unwrap());
        }
        for c in Criterion::ALL {
            assert_eq!(
                written(|w| w.str(c.as_str())),
                serde_json::to_string(c).unwrap()
            );
        }
        for s in Service::ALL {
            assert_eq!(
                written(|w| w.str(s.as_str())),
                serde_json::to_string(s).unwrap()
            );
        }
        for r in Referral::ALL {
            assert_eq!(
                written(|w| w.str(r.as_str())),
                serde_json::to_string(r).unwrap()
            );
        }
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in any::<String>()) {
            prop_assert_eq!(written(|w| w.str(&s)), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn strings_dense_in_escapes_are_escaped_as_serde_json_escapes_them(
            s in "[a-z \"\\\\\\x00-\\x1f\\x7f\u{e9}\u{2028}]{0,40}"
        ) {
            prop_assert_eq!(written(|w| w.str(&s)), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn any_number_is_written_as_serde_json_writes_it(n in any::<u32>()) {
            prop_assert_eq!(written(|w| w.u32(n)), serde_json::to_string(&n).unwrap());
        }
    }

    /// The built-in pack with three ratings, two scores and rules that read them, and text
    /// that needs escaping (quotes, a backslash; a pack allows no control characters) or is
    /// not ASCII.
    fn rated_pack() -> RulePack {
        let rated = r#"
[[rating]]
id = "mood"
min = 0
max = 4
required = true

[[rating]]
id = "sleep"
min = 0
max = 4
required = false

[[rating]]
id = "function"
min = 0
max = 4
required = true

[[score]]
id = "total"
sum = ["rating.mood", "rating.sleep", "rating.function"]

[[score]]
id = "worst"
max = ["rating.mood", "rating.function"]

[[rule]]
id = "rated.mood"
criterion = "instrument"
when = { answer = "rating.mood", at_least = 3 }
floor = "iop"
reason = "A \"high\" mood rating needs\\more support – café."
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A \"quoted\" test.", use = "local_default" }]

[[rule]]
id = "rated.total"
criterion = "instrument"
when = { answer = "score.total", at_least = 8 }
floor = "php"
reason = "A high total."
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]

[[rule]]
id = "rated.sleep"
criterion = "instrument"
when = { all = [{ answer = "rating.sleep", at_least = 2 }, { answer = "score.worst", at_least = 2 }] }
floor = "iop"
reason = "Poor sleep."
cite = [{ source = "carelevel-local-defaults", locator = "test", fact = "A rule written for a test.", use = "local_default" }]
"#;
        let local = crate::pack::BUILTIN_SOURCES[0]
            .1
            .replace(r#"id = "carelevel.builtin""#, r#"id = "test.\"rated\"""#);
        let mut sources: Vec<(&str, &str)> = crate::pack::BUILTIN_SOURCES.to_vec();
        sources[0] = ("pack.toml", &local);
        sources.push(("rated.toml", rated));
        RulePack::from_sources(&sources).unwrap()
    }

    fn json_of(pack: &RulePack, intake: &Intake) -> String {
        let rec = pack.assess(intake).unwrap();
        let mut out = String::new();
        rec.write_report_json(Some(&intake.engagement.preferences), &mut out)
            .unwrap();
        out
    }

    fn report_of(pack: &RulePack, intake: &Intake) -> Report {
        pack.report(intake).unwrap()
    }

    #[test]
    fn reports_with_ratings_scores_and_escaped_text_are_written_as_serde_json_writes_them() {
        let pack = rated_pack();
        let mut seen_rated = 0;
        for (k, (mood, sleep, function)) in (0..=4)
            .flat_map(|m| (0..=5).flat_map(move |s| (0..=4).map(move |f| (m, s, f))))
            .enumerate()
        {
            let mut intake = Intake::minimal_adult();
            intake.ratings.insert("mood".into(), mood);
            // 5 stands for "not given": `sleep` is optional.
            if sleep < 5 {
                intake.ratings.insert("sleep".into(), sleep);
            }
            intake.ratings.insert("function".into(), function);
            if k % 3 == 0 {
                intake.engagement.preferences.language = Some("Español \"x\"\n".into());
            }
            if k % 4 == 0 {
                intake.home.others_use_substances = Some(true);
            }
            let report = report_of(&pack, &intake);
            seen_rated += usize::from(report.fired.iter().any(|f| f.id.starts_with("rated.")));
            assert_eq!(
                json_of(&pack, &intake),
                serde_json::to_string(&report).unwrap(),
                "mood {mood}, sleep {sleep}, function {function}"
            );
        }
        assert!(
            seen_rated > 20,
            "only {seen_rated} intakes fired a rated rule"
        );
    }

    #[test]
    fn bundled_intakes_are_written_as_serde_json_writes_their_reports() {
        let pack = RulePack::try_builtin().unwrap();
        for (name, text) in [
            (
                "adolescent_iop",
                include_str!("../../examples/intakes/adolescent_iop.json"),
            ),
            (
                "inpatient_complicated_withdrawal",
                include_str!("../../examples/intakes/inpatient_complicated_withdrawal.json"),
            ),
            (
                "iop_home_not_substance_free",
                include_str!("../../examples/intakes/iop_home_not_substance_free.json"),
            ),
            (
                "inpatient_suicide_plan",
                include_str!("../../examples/intakes/inpatient_suicide_plan.json"),
            ),
            (
                "iop_primary",
                include_str!("../../examples/intakes/iop_primary.json"),
            ),
            (
                "iop_step_down_from_residential",
                include_str!("../../examples/intakes/iop_step_down_from_residential.json"),
            ),
            (
                "iop_step_up_from_outpatient",
                include_str!("../../examples/intakes/iop_step_up_from_outpatient.json"),
            ),
            (
                "outpatient_mild",
                include_str!("../../examples/intakes/outpatient_mild.json"),
            ),
            (
                "php_daily_structure",
                include_str!("../../examples/intakes/php_daily_structure.json"),
            ),
        ] {
            let intake = Intake::from_json(text).unwrap();
            assert_eq!(
                pack.assess_json(text).unwrap(),
                serde_json::to_string(&report_of(&pack, &intake)).unwrap(),
                "{name}"
            );
        }
    }
}
