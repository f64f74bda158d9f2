//! The plan that goes with a recommended level: the schedule (with the minimum weekly hours),
//! the services and referrals with what added each (the level's programme or a fired rule),
//! the programme's cost figures, the person's preferences, and the aftercare referrals a
//! discharge or step down to outpatient carries.
//!
//! The plan is built from an evaluated [`Recommendation`] and the pack's programmes; evaluation
//! itself knows nothing of it.

use crate::Level;
use crate::engine::Recommendation;
use crate::intake::Preferences;
use crate::level::minimum_weekly_hours;
use crate::pack::{Rule, ScheduleChange};
use crate::vocab::{Referral, Service};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// The schedule changes the fired rules ask for.
#[derive(Debug, Clone, Copy, Default)]
struct Changes {
    /// The intensive schedule.
    intensive: bool,
    /// Evening sessions (given only where the programme offers them).
    evening: bool,
}

impl Changes {
    fn add(&mut self, rule: &Rule) {
        match rule.schedule {
            Some(ScheduleChange::Intensive) => self.intensive = true,
            Some(ScheduleChange::Evening) => self.evening = true,
            None => {}
        }
    }
}

impl Recommendation<'_> {
    /// The schedule changes every fired rule asks for.
    fn changes(&self) -> Changes {
        let mut c = Changes::default();
        for rule in self.fired_rules() {
            c.add(rule);
        }
        c
    }

    /// The schedule that goes with the level: the programme's days and hours (its intensive
    /// days when a fired rule asks for them), the minimum weekly hours for the person's age,
    /// and the evening option when a fired rule asks for it and the programme offers it.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let rec = pack.assess(&carelevel::Intake::from_json(json)?)?;
    /// assert_eq!(rec.schedule().minimum_weekly_hours, 9);
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    // Inline across crates: a caller asking only for the schedule gets the loop over the
    // fired rules in place (as it got the schedule when the engine computed its flags).
    #[inline]
    pub fn schedule(&self) -> Schedule {
        self.schedule_with(self.changes())
    }

    fn schedule_with(&self, changes: Changes) -> Schedule {
        let p = self.pack.programme(self.level);
        let days = if changes.intensive {
            p.intensive_days_per_week
        } else {
            p.days_per_week
        };
        let (adult, adolescent) = minimum_weekly_hours(self.level);
        Schedule {
            days_per_week: days,
            hours_per_day: p.hours_per_day,
            weekly_hours: days.saturating_mul(p.hours_per_day),
            minimum_weekly_hours: if self.adolescent { adolescent } else { adult },
            weeks: p
                .weeks
                .map(|(shortest, longest)| Weeks { shortest, longest }),
            intensive: changes.intensive && p.intensive_days_per_week > p.days_per_week,
            evening: changes.evening && p.evening_option,
        }
    }

    /// The plan that goes with the level: its schedule, the services and referrals with what
    /// added each, the programme's cost figures and, when any is recorded, the person's
    /// preferences.
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/iop_primary.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let intake = carelevel::Intake::from_json(json)?;
    /// let plan = pack.assess(&intake)?.plan(Some(&intake.engagement.preferences));
    /// assert_eq!(plan.level, carelevel::Level::Iop);
    /// assert!(plan.services.iter().all(|s| !s.added_by.is_empty()));
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn plan(&self, preferences: Option<&Preferences>) -> Plan {
        let level = self.level;
        let programme = self.pack.programme(level);
        // The union of what every fired rule and the level's programme add.
        let (mut services, mut referrals) = (programme.services, programme.referrals);
        let mut changes = Changes::default();
        for rule in self.fired_rules() {
            services = services.union(rule.services);
            referrals = referrals.union(rule.referrals);
            changes.add(rule);
        }
        let origin = ["programme.", level.as_str()].concat();
        // What added a plan item: the level's programme and every fired rule that adds it.
        let added_by = |in_programme: bool, by_rule: &dyn Fn(&Rule) -> bool| -> Vec<String> {
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
            .filter(|s| services.contains_bit(s.bit()))
            .map(|s| PlanService {
                service: *s,
                added_by: added_by(programme.services.contains_bit(s.bit()), &|r| {
                    r.services.contains_bit(s.bit())
                }),
            })
            .collect();
        let referrals = Referral::ALL
            .iter()
            .filter(|s| referrals.contains_bit(s.bit()))
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
            schedule: self.schedule_with(changes),
            services,
            referrals,
            cost,
            preferences: preferences.filter(|p| p.any()).cloned(),
        }
    }
}

/// The referrals that count as aftercare, in the order a transition lists them.
const AFTERCARE: [Referral; 4] = [
    Referral::MutualHelp,
    Referral::ContinuingCounselling,
    Referral::SoberLiving,
    Referral::TransitionalHousing,
];

impl Plan {
    /// The plan's aftercare referrals (mutual help, continuing counselling, sober living,
    /// transitional housing), for a discharge or a step down to outpatient.
    pub(crate) fn aftercare(&self) -> Vec<Referral> {
        AFTERCARE
            .into_iter()
            .filter(|a| self.referrals.iter().any(|r| r.referral == *a))
            .collect()
    }
}
