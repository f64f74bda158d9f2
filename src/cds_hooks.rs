//! A CDS Hooks card for a recommendation, so an EHR can show it without glue.
//!
//! The card follows CDS Hooks: `summary` under 140 characters, `detail` in markdown listing
//! the binding rules, `indicator` from urgency (`critical` when a safety rule fired,
//! `warning` for PHP and inpatient or when an unanswered item could raise the level, `info`
//! otherwise), `source` naming the pack and its version, and `overrideReasons` that match
//! the override codes of [`crate::overrides::OverrideReason`]. The detail is rendered by the
//! same renderer as the report's text and markdown.

use crate::overrides::OverrideReason;
use crate::report::Report;
use crate::{Level, Urgency};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The carelevel code system for override reasons on cards (the codes of
/// [`OverrideReason`]); each coding also names the CDS Hooks category in `display`.
pub const OVERRIDE_CODE_SYSTEM: &str = "urn:carelevel:override-reason";

/// A CDS Hooks card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Card {
    /// An id derived from the recommendation's [digest](Report::digest): the same answers give
    /// the same id, so it names the recommendation, not one showing of it. A service that
    /// sends cards to an EHR sets a fresh UUID per card (the `carelevel-cds` service does), so
    /// that feedback on two patients' cards with the same answers can be told apart.
    pub uuid: String,
    /// One line, under 140 characters.
    pub summary: String,
    /// Markdown: binding rules, levels ruled out, unanswered items, the plan.
    pub detail: String,
    /// `info`, `warning` or `critical`.
    pub indicator: Indicator,
    /// Who made the recommendation.
    pub source: CardSource,
    /// Reasons a clinician may give for overriding.
    pub override_reasons: Vec<Coding>,
}

/// A card's urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Indicator {
    /// For information.
    Info,
    /// Needs attention.
    Warning,
    /// Needs same-day action.
    Critical,
}

/// A card's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CardSource {
    /// The pack and its version.
    pub label: String,
    /// The topic of the card.
    pub topic: Coding,
}

/// A FHIR-style coding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Coding {
    /// The code system.
    pub system: String,
    /// The code.
    pub code: String,
    /// Text for people.
    pub display: String,
}

/// The most characters a summary may have (CDS Hooks: under 140).
pub const SUMMARY_LIMIT: usize = 139;

impl Report {
    /// The recommendation as a CDS Hooks card. Its `uuid` comes from the report's
    /// [digest](Report::digest) (the core has no randomness): replace it with a fresh UUID
    /// per card before sending the card to an EHR, as the `carelevel-cds` service does.
    ///
    /// # Errors
    ///
    /// As for [`Report::digest`]: serde_json's error if the report cannot be written as JSON
    /// (not expected; it is passed on rather than giving the card the id of an empty digest).
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/inpatient_suicide_plan.json");
    /// use carelevel::{cds_hooks::Indicator, Intake, RulePack};
    /// let card = RulePack::builtin().report(&Intake::from_json(json)?)?.to_cds_card()?;
    /// assert_eq!(card.indicator, Indicator::Critical);
    /// assert!(card.summary.chars().count() < 140);
    /// assert!(card.detail.contains("safety.suicide.intent_plan_or_behaviour"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_cds_card(&self) -> Result<Card, serde_json::Error> {
        let could_rise = self
            .not_evaluated
            .iter()
            .any(|n| n.floor.is_some_and(|f| f > self.level_at_least));
        let provisional = self.level.is_none();
        // The indicator follows the urgency tier: an emergency is critical, a same-day
        // evaluation a warning; a routine result is a warning only when it may rise or needs
        // reconciling.
        let indicator = if self.urgency == Urgency::Emergency {
            Indicator::Critical
        } else if self.urgency == Urgency::SameDay
            || self.level_at_least >= Level::Php
            || could_rise
            || provisional
            || !self.cautions.is_empty()
        {
            Indicator::Warning
        } else {
            Indicator::Info
        };
        let setting = self.plan.setting.setting;
        let mut summary = match self.level {
            // The setting where it says more than the level's own programme (a 24-hour
            // setting's name, with the level's hours; the others name their level).
            Some(Level::Inpatient) => format!("Recommended: {} (24-hour)", setting.title()),
            Some(_) if !setting.is_standard() => format!("Recommended: {}", setting.title()),
            Some(level) => format!("Recommended level of care: {}", level.title()),
            // A provisional result is never shown as a level.
            None => format!(
                "At least {} - {} answer{} missing",
                self.level_at_least.title(),
                self.ask_next.len(),
                if self.ask_next.len() == 1 { "" } else { "s" }
            ),
        };
        // The urgency is never cut off: the rest is shortened to make room for it.
        let urgency = match self.urgency {
            Urgency::Emergency => " - EMERGENCY: do not leave alone",
            Urgency::SameDay => " - same-day evaluation",
            Urgency::Routine => "",
        };
        let room = SUMMARY_LIMIT.saturating_sub(urgency.chars().count());
        if summary.chars().count() > room {
            summary = summary.chars().take(room).collect();
        }
        summary.push_str(urgency);
        if let Some(first) = self.binding_rules.first() {
            let more = self.binding_rules.len().saturating_sub(1);
            let tail = if more > 0 {
                format!(" (+{more})")
            } else {
                String::new()
            };
            let candidate = format!("{summary}; {first}{tail}");
            if candidate.chars().count() <= SUMMARY_LIMIT {
                summary = candidate;
            }
        }
        let summary: String = summary.chars().take(SUMMARY_LIMIT).collect();
        Ok(Card {
            uuid: uuid_from_digest(&self.digest()?),
            summary,
            detail: self.card_detail(),
            indicator,
            source: CardSource {
                label: format!("carelevel {} {}", self.pack.id, self.pack.version),
                topic: Coding {
                    system: "urn:carelevel:topic".into(),
                    code: "level-of-care".into(),
                    display: "Behavioural-health level of care".into(),
                },
            },
            override_reasons: OverrideReason::ALL
                .iter()
                .map(|r| Coding {
                    system: OVERRIDE_CODE_SYSTEM.into(),
                    code: r.as_str().into(),
                    // Plain words: an EHR shows `display` to the clinician as it is.
                    display: r.title().to_owned(),
                })
                .collect(),
        })
    }
}

/// A UUID-shaped id from the first 128 bits of a `sha256:` digest (version nibble 8,
/// "custom"), so the same recommendation always gets the same card id.
fn uuid_from_digest(digest: &str) -> String {
    let hex: String = digest
        .trim_start_matches("sha256:")
        .chars()
        .chain(std::iter::repeat('0'))
        .take(32)
        .collect();
    let part = |a: usize, b: usize| hex.get(a..b).unwrap_or("0").to_owned();
    format!(
        "{}-{}-8{}-a{}-{}",
        part(0, 8),
        part(8, 12),
        part(13, 16),
        part(17, 20),
        part(20, 32)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::intake::{Assessed, Frequency};
    use crate::{Intake, RulePack};

    /// A caution reaches a CDS consumer: the card is at least a warning and its detail says
    /// what to reconcile.
    #[test]
    fn a_caution_raises_the_card_and_is_in_its_detail() {
        let pack = RulePack::builtin();
        let calm =
            Intake::from_json(include_str!("../examples/intakes/outpatient_mild.json")).unwrap();
        let card = pack.report(&calm).unwrap().to_cds_card().unwrap();
        assert_eq!(card.indicator, super::Indicator::Info);
        assert!(!card.detail.contains("Reconcile"), "{}", card.detail);
        let item9 = Intake {
            safety: crate::intake::Safety {
                phq9_item9: Some(Assessed::Answer(Frequency::SeveralDays)),
                ..calm.safety.clone()
            },
            ..calm
        };
        let report = pack.report(&item9).unwrap();
        assert_eq!(report.cautions.len(), 1);
        let card = report.to_cds_card().unwrap();
        assert_eq!(card.indicator, super::Indicator::Warning);
        assert!(card.detail.contains("Reconcile"), "{}", card.detail);
    }
}
