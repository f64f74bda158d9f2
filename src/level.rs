//! Levels of care, ordered from least to most intensive, and the weekly hours each level's
//! schedule must reach.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A level of behavioural-health care, ordered from least to most intensive.
///
/// The order is the order of intensity, so `Level::Outpatient < Level::Inpatient`, and the
/// recommendation is the [`Ord::max`] of every floor a need sets. The enum is deliberately
/// exhaustive: a caller's `match` breaks loudly if a level is ever added.
///
/// # Examples
///
/// ```
/// use carelevel::Level;
/// assert!(Level::Iop > Level::Outpatient);
/// assert_eq!(Level::Php.as_str(), "php");
/// assert_eq!("inpatient".parse::<Level>(), Ok(Level::Inpatient));
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Standard outpatient: therapy once or twice a week, little supervision.
    Outpatient,
    /// Intensive outpatient programme: several hours a day, most days, home every night.
    Iop,
    /// Partial hospitalization: a day programme, usually five days a week.
    Php,
    /// 24-hour residential or hospital care.
    Inpatient,
}

impl Level {
    /// Every level, least intensive first.
    pub const ALL: [Level; 4] = [Level::Outpatient, Level::Iop, Level::Php, Level::Inpatient];

    /// The stable identifier used in JSON and rule files.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Outpatient => "outpatient",
            Level::Iop => "iop",
            Level::Php => "php",
            Level::Inpatient => "inpatient",
        }
    }

    /// A human-readable name.
    pub const fn title(self) -> &'static str {
        match self {
            Level::Outpatient => "Outpatient",
            Level::Iop => "Intensive outpatient (IOP)",
            Level::Php => "Partial hospitalization (PHP)",
            Level::Inpatient => "Inpatient / residential (24-hour)",
        }
    }

    /// Position in the order of intensity, 0 for outpatient to 3 for inpatient.
    pub const fn rank(self) -> usize {
        self as usize
    }

    /// The next more intensive level, or `None` at inpatient.
    pub const fn step_up(self) -> Option<Level> {
        match self {
            Level::Outpatient => Some(Level::Iop),
            Level::Iop => Some(Level::Php),
            Level::Php => Some(Level::Inpatient),
            Level::Inpatient => None,
        }
    }

    /// The next less intensive level, or `None` at outpatient.
    pub const fn step_down(self) -> Option<Level> {
        match self {
            Level::Outpatient => None,
            Level::Iop => Some(Level::Outpatient),
            Level::Php => Some(Level::Iop),
            Level::Inpatient => Some(Level::Php),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Weekly hours a level's schedule must reach: (adults, adolescents). A fact about the level,
/// not the pack: a pack's programme is refused at load when it falls below the adult figure,
/// and the plan's schedule states the figure for the person's age.
pub(crate) const fn minimum_weekly_hours(level: Level) -> (u32, u32) {
    match level {
        // Medicare IOP benefit (2024) and SAMHSA TIP 47: at least 9 h/week adults, 6 adolescents.
        Level::Iop => (9, 6),
        // Medicare PHP, 42 CFR 410.43: at least 20 h/week.
        Level::Php => (20, 20),
        Level::Outpatient | Level::Inpatient => (0, 0),
    }
}

/// The error returned when text does not name a [`Level`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown level `{0}`, expected one of outpatient, iop, php, inpatient")]
pub struct UnknownLevel(pub String);

impl std::str::FromStr for Level {
    type Err = UnknownLevel;

    /// # Errors
    ///
    /// [`UnknownLevel`] when `s` is not one of the four identifiers.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

/// How soon the person must be seen, ordered from least to most urgent: the highest tier any
/// fired rule sets.
///
/// # Examples
///
/// ```
/// use carelevel::Urgency;
/// assert!(Urgency::Emergency > Urgency::SameDay);
/// assert_eq!(Urgency::SameDay.as_str(), "same_day");
/// assert_eq!("emergency".parse::<Urgency>(), Ok(Urgency::Emergency));
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// No rule asks for a faster response: an ordinary appointment.
    #[default]
    Routine,
    /// Same-day clinical evaluation.
    SameDay,
    /// Now: do not leave the person alone; emergency department, mobile crisis team or the
    /// 988 Suicide & Crisis Lifeline.
    Emergency,
}

impl Urgency {
    /// Every tier, least urgent first.
    pub const ALL: [Urgency; 3] = [Urgency::Routine, Urgency::SameDay, Urgency::Emergency];

    /// The stable identifier used in JSON and rule files.
    pub const fn as_str(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::SameDay => "same_day",
            Urgency::Emergency => "emergency",
        }
    }

    /// What to do, in one line, for a report's headline (empty for routine).
    pub const fn action(self) -> &'static str {
        match self {
            Urgency::Routine => "",
            Urgency::SameDay => "URGENT: arrange same-day clinical evaluation.",
            Urgency::Emergency => {
                "EMERGENCY: do not leave the person alone; emergency department, mobile crisis team or 988 now."
            }
        }
    }
}

impl fmt::Display for Urgency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no urgency tier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an urgency tier: expected one of routine, same_day, emergency")]
pub struct UnknownUrgency;

impl std::str::FromStr for Urgency {
    type Err = UnknownUrgency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Urgency::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or(UnknownUrgency)
    }
}
