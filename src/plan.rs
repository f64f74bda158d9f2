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
use crate::pack::{Programme, Rule, ScheduleChange};
use crate::vocab::{Capability, CareSetting, Referral, Service, Set};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The plan that goes with a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Plan {
    /// The level.
    pub level: Level,
    /// Where the level is delivered: the setting within it, and what chose it.
    pub setting: PlanSetting,
    /// What the receiving programme must offer, each with the rules that need it, so a
    /// referral can be matched to a programme.
    pub capabilities: Vec<PlanCapability>,
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Weeks {
    /// Shortest.
    pub shortest: u32,
    /// Longest.
    pub longest: u32,
}

/// The setting within the plan's level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PlanSetting {
    /// The setting.
    pub setting: CareSetting,
    /// What chose it: the fired rules that name it, else the rules needing the capability
    /// that implies it, else `programme.<level>` (the level's standard programme).
    pub chosen_by: Vec<String>,
}

/// A capability the receiving programme needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PlanCapability {
    /// The capability.
    pub capability: Capability,
    /// The fired rules that need it.
    pub needed_by: Vec<String>,
}

/// A service in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PlanService {
    /// The service.
    pub service: Service,
    /// What added it.
    pub added_by: Vec<String>,
}

/// A referral in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PlanReferral {
    /// The referral.
    pub referral: Referral,
    /// What added it.
    pub added_by: Vec<String>,
}

/// Cost figures in US dollars, out of pocket before insurance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
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

impl<'p> Recommendation<'p> {
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
    /// let intake = carelevel::Intake::from_json(json)?;
    /// let rec = pack.assess(&intake)?;
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
        let parts = self.plan_parts();
        let origin = [PROGRAMME_ORIGIN, parts.level.as_str()].concat();
        // What added a plan item: the level's programme and every fired rule that adds it.
        let added_by = |in_programme: bool, rules: &mut dyn Iterator<Item = &str>| -> Vec<String> {
            in_programme
                .then(|| origin.clone())
                .into_iter()
                .chain(rules.map(str::to_owned))
                .collect()
        };
        let services = parts
            .services()
            .map(|(s, in_programme)| PlanService {
                service: s,
                added_by: added_by(in_programme, &mut self.rules_adding_service(s)),
            })
            .collect();
        let referrals = parts
            .referrals()
            .map(|(s, in_programme)| PlanReferral {
                referral: s,
                added_by: added_by(in_programme, &mut self.rules_adding_referral(s)),
            })
            .collect();
        let programme = parts.programme;
        let cost = parts.has_cost().then(|| Cost {
            per_day_usd: programme.cost_per_day_usd.map(|(a, b)| [a, b]),
            per_month_usd: programme.cost_per_month_usd.map(|(a, b)| [a, b]),
            source: programme.source.clone(),
        });
        let setting = parts.setting;
        let chosen_by: Vec<String> = match self.rules_choosing(setting) {
            Some(rules) => rules.map(str::to_owned).collect(),
            None => vec![origin.clone()],
        };
        let capabilities = parts
            .capabilities()
            .map(|c| PlanCapability {
                capability: c,
                needed_by: self.rules_needing(c).map(str::to_owned).collect(),
            })
            .collect();
        Plan {
            level: parts.level,
            setting: PlanSetting {
                setting: setting.setting,
                chosen_by,
            },
            capabilities,
            schedule: parts.schedule,
            services,
            referrals,
            cost,
            preferences: preferences.filter(|p| p.any()).cloned(),
        }
    }

    /// The plan's parts, borrowed: the level's programme, the union of the services and
    /// referrals it and every fired rule add, and the schedule.
    pub(crate) fn plan_parts(&self) -> PlanParts<'p> {
        let level = self.level;
        let programme = self.pack.programme(level);
        // The union of what every fired rule and the level's programme add.
        let (mut services, mut referrals) = (programme.services, programme.referrals);
        let mut changes = Changes::default();
        let mut capabilities = Set::default();
        // The setting a fired rule at the level names: the first in the vocabulary's order.
        let mut named: Option<CareSetting> = None;
        for rule in self.fired_rules() {
            services = services.union(rule.services);
            referrals = referrals.union(rule.referrals);
            capabilities = capabilities.union(rule.capabilities);
            changes.add(rule);
            if let Some(s) = rule.setting.filter(|s| s.level() == level) {
                named = Some(named.map_or(s, |n| n.min(s)));
            }
        }
        let setting = match named {
            Some(s) => ChosenSetting {
                setting: s,
                named: true,
            },
            None => ChosenSetting {
                // A 24-hour level always comes from a rule naming its setting (loading
                // requires one with a 24-hour floor); the fallback is the most intensive
                // residential setting, never a lower level's.
                setting: CareSetting::implied(level, capabilities)
                    .unwrap_or(CareSetting::ClinicallyManagedResidentialHigh),
                named: false,
            },
        };
        PlanParts {
            level,
            programme,
            services,
            referrals,
            capabilities,
            setting,
            schedule: self.schedule_with(changes),
        }
    }

    /// The setting within the level: see [`Plan::setting`].
    ///
    /// # Examples
    ///
    /// ```
    /// # let json = include_str!("../examples/intakes/inpatient_suicide_plan.json");
    /// let pack = carelevel::RulePack::builtin();
    /// let intake = carelevel::Intake::from_json(json)?;
    /// let rec = pack.assess(&intake)?;
    /// assert_eq!(rec.setting(), carelevel::CareSetting::InpatientPsychiatric);
    /// # Ok::<(), carelevel::IntakeError>(())
    /// ```
    pub fn setting(&self) -> CareSetting {
        self.plan_parts().setting.setting
    }

    /// The capabilities the receiving programme needs, in vocabulary order.
    pub fn capabilities(&self) -> impl Iterator<Item = Capability> + use<> {
        self.plan_parts().capabilities()
    }

    /// What chose the setting, in pack order: the fired rules that name it, else those
    /// needing the capability that implies it; `None` when it is the level's standard
    /// programme (`programme.<level>`).
    pub(crate) fn rules_choosing(
        &self,
        chosen: ChosenSetting,
    ) -> Option<impl Iterator<Item = &'p str> + '_> {
        let need = match (chosen.named, chosen.setting.implied_by()) {
            (true, _) => None,
            (false, Some(c)) => Some(c),
            (false, None) => return None,
        };
        Some(
            self.fired_rules()
                .filter(move |r| match need {
                    None => r.setting == Some(chosen.setting),
                    Some(c) => r.capabilities.contains_bit(c.bit()),
                })
                .map(|r| r.id.as_str()),
        )
    }

    /// The ids of the fired rules that need `capability`, in pack order.
    pub(crate) fn rules_needing(
        &self,
        capability: Capability,
    ) -> impl Iterator<Item = &'p str> + '_ {
        self.fired_rules()
            .filter(move |r| r.capabilities.contains_bit(capability.bit()))
            .map(|r| r.id.as_str())
    }

    /// The ids of the fired rules that add `service` to the plan, in pack order.
    pub(crate) fn rules_adding_service(
        &self,
        service: Service,
    ) -> impl Iterator<Item = &'p str> + '_ {
        self.fired_rules()
            .filter(move |r| r.services.contains_bit(service.bit()))
            .map(|r| r.id.as_str())
    }

    /// The ids of the fired rules that add `referral` to the plan, in pack order.
    pub(crate) fn rules_adding_referral(
        &self,
        referral: Referral,
    ) -> impl Iterator<Item = &'p str> + '_ {
        self.fired_rules()
            .filter(move |r| r.referrals.contains_bit(referral.bit()))
            .map(|r| r.id.as_str())
    }
}

/// What a plan item added by the level's programme names as its origin, before the level:
/// `programme.<level>`.
pub(crate) const PROGRAMME_ORIGIN: &str = "programme.";

/// A plan's parts, borrowed from the pack: what [`Recommendation::plan`] builds the owned
/// [`Plan`] from, and what the report's JSON writer writes without building it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanParts<'p> {
    /// The level.
    pub(crate) level: Level,
    /// The level's programme.
    pub(crate) programme: &'p Programme,
    /// The services the programme and the fired rules add.
    services: Set,
    /// The referrals the programme and the fired rules add.
    referrals: Set,
    /// The capabilities the fired rules need.
    capabilities: Set,
    /// The setting within the level.
    pub(crate) setting: ChosenSetting,
    /// The schedule.
    pub(crate) schedule: Schedule,
}

/// The setting within a level and whether a fired rule named it (else capabilities imply it,
/// or it is the level's standard programme).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChosenSetting {
    pub(crate) setting: CareSetting,
    pub(crate) named: bool,
}

impl PlanParts<'_> {
    /// The capabilities in vocabulary order.
    pub(crate) fn capabilities(&self) -> impl Iterator<Item = Capability> + use<> {
        let all = self.capabilities;
        Capability::ALL
            .iter()
            .copied()
            .filter(move |c| all.contains_bit(c.bit()))
    }

    /// The plan's services in vocabulary order, each with whether the programme adds it.
    pub(crate) fn services(&self) -> impl Iterator<Item = (Service, bool)> + use<> {
        let (all, by_programme) = (self.services, self.programme.services);
        Service::ALL
            .iter()
            .filter(move |s| all.contains_bit(s.bit()))
            .map(move |s| (*s, by_programme.contains_bit(s.bit())))
    }

    /// The plan's referrals in vocabulary order, each with whether the programme adds it.
    pub(crate) fn referrals(&self) -> impl Iterator<Item = (Referral, bool)> + use<> {
        let (all, by_programme) = (self.referrals, self.programme.referrals);
        Referral::ALL
            .iter()
            .filter(move |s| all.contains_bit(s.bit()))
            .map(move |s| (*s, by_programme.contains_bit(s.bit())))
    }

    /// Whether the programme gives cost figures (the plan's `cost` is then not `null`).
    pub(crate) fn has_cost(&self) -> bool {
        self.programme.cost_per_day_usd.is_some() || self.programme.cost_per_month_usd.is_some()
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
