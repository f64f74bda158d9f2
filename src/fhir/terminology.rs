//! carelevel's own codes as FHIR R4 `CodeSystem` resources, generated from the crate's
//! vocabularies ([`Level`], [`CareSetting`], [`Urgency`], [`OverrideReason`]) so that they
//! cannot drift from what the engine writes. Each definition below is an exhaustive `match`:
//! a new member of a vocabulary does not compile until it is defined here.

use super::{
    ASSESSMENT_CODE, ASSESSMENT_SYSTEM, LEVEL_SYSTEM, Narrative, SETTING_SYSTEM, URGENCY_SYSTEM,
    xml_escape,
};
use crate::cds_hooks::OVERRIDE_CODE_SYSTEM;
use crate::overrides::OverrideReason;
use crate::{CareSetting, Level, Urgency};
use serde::{Deserialize, Serialize};

/// A property a code system defines for its concepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSystemProperty {
    /// The property's code, as concepts name it.
    pub code: String,
    /// What it means.
    pub description: String,
    /// Its type: `code` (a code of another carelevel code system).
    #[serde(rename = "type")]
    pub kind: String,
}

/// A property's value on a concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptProperty {
    /// The property ([`CodeSystemProperty::code`]).
    pub code: String,
    /// Its value.
    pub value_code: String,
}

/// A concept of a code system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSystemConcept {
    /// The code, as carelevel writes it.
    pub code: String,
    /// Its display, as carelevel's Codings show it.
    pub display: String,
    /// What it means, in one line.
    pub definition: String,
    /// Its properties (a care setting's level).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub property: Vec<ConceptProperty>,
}

/// A FHIR R4 `CodeSystem` resource of carelevel's own codes (`content` `complete`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeSystem {
    /// Always `CodeSystem`.
    pub resource_type: String,
    /// The resource id: `carelevel-` and the system's last part (`carelevel-level-of-care`).
    pub id: String,
    /// A generated narrative: the codes as a table.
    pub text: Narrative,
    /// The canonical URL: the system, as Codings name it ([`LEVEL_SYSTEM`], ...).
    pub url: String,
    /// The crate's version ([`crate::VERSION`]).
    pub version: String,
    /// A computer-friendly name (`CarelevelLevelOfCare`).
    pub name: String,
    /// A title for people.
    pub title: String,
    /// `active`.
    pub status: String,
    /// `carelevel`.
    pub publisher: String,
    /// What the codes are for.
    pub description: String,
    /// `true`: codes are compared as written.
    pub case_sensitive: bool,
    /// `complete`: every code is here.
    pub content: String,
    /// How many concepts.
    pub count: u32,
    /// The properties its concepts carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub property: Vec<CodeSystemProperty>,
    /// The codes.
    pub concept: Vec<CodeSystemConcept>,
}

/// The display of an urgency, as the RiskAssessment's urgency extension shows it.
pub(super) const fn urgency_display(u: Urgency) -> &'static str {
    match u {
        Urgency::Routine => "Routine",
        Urgency::SameDay => "Same-day clinical evaluation",
        Urgency::Emergency => "Emergency",
    }
}

const fn urgency_definition(u: Urgency) -> &'static str {
    match u {
        Urgency::Routine => "No rule asks for a faster response: an ordinary appointment.",
        Urgency::SameDay => "A clinician should evaluate the person today.",
        Urgency::Emergency => {
            "Now: do not leave the person alone; emergency department, mobile crisis team or the 988 Suicide & Crisis Lifeline."
        }
    }
}

const fn level_definition(l: Level) -> &'static str {
    match l {
        Level::Outpatient => {
            "Therapy or counselling once or twice a week with little supervision; the person lives at home."
        }
        Level::Iop => {
            "An intensive outpatient programme: several hours of treatment a day on most days (at least 9 hours a week for adults, 6 for adolescents); home every night."
        }
        Level::Php => {
            "Partial hospitalisation: a day programme of at least 20 hours a week, usually five days; home at night."
        }
        Level::Inpatient => "Care around the clock, in a residential setting or a hospital.",
    }
}

const fn setting_definition(s: CareSetting) -> &'static str {
    match s {
        CareSetting::MedicallyManagedHospital => {
            "Inpatient care in a hospital with 24-hour physician and nursing care, for needs that call for medical management."
        }
        CareSetting::InpatientPsychiatric => {
            "An inpatient psychiatric unit, which can manage acute suicide risk, violence or psychosis."
        }
        CareSetting::MedicallyMonitoredResidential => {
            "Residential care or withdrawal management with 24-hour nursing and a physician available."
        }
        CareSetting::ClinicallyManagedResidentialHigh => {
            "Residential treatment staffed around the clock, of high intensity."
        }
        CareSetting::ClinicallyManagedResidentialLow => {
            "A recovery residence staffed around the clock, with treatment hours on site or nearby (low intensity)."
        }
        CareSetting::PhpWithdrawalManagement => {
            "A partial hospitalisation programme that manages withdrawal on site, with daily monitoring."
        }
        CareSetting::PhpCoOccurring => {
            "A partial hospitalisation programme enhanced to treat co-occurring mental-health conditions."
        }
        CareSetting::PhpStandard => "A partial hospitalisation programme.",
        CareSetting::IopWithdrawalManagement => {
            "An intensive outpatient programme that manages withdrawal on site, with daily monitoring."
        }
        CareSetting::IopCoOccurring => {
            "An intensive outpatient programme enhanced to treat co-occurring mental-health conditions."
        }
        CareSetting::IopStandard => "An intensive outpatient programme.",
        CareSetting::OutpatientMoud => {
            "Outpatient care with medication for opioid use disorder, in an opioid treatment programme or office-based."
        }
        CareSetting::OutpatientStandard => "Outpatient care.",
    }
}

const fn override_definition(r: OverrideReason) -> &'static str {
    match r {
        OverrideReason::ServiceNotAvailable => "The recommended service is not available.",
        OverrideReason::WaitingList => "There is a waiting list for the recommended service.",
        OverrideReason::ClientPreference => "The person prefers another level of care.",
        OverrideReason::ClinicianJudgement => {
            "The clinician judges another level of care right for the person."
        }
        OverrideReason::TransportationOrAccess => {
            "Transport or access keeps the person from the recommended level of care."
        }
        OverrideReason::FinancialOrCoverage => {
            "Cost or insurance coverage keeps the person from the recommended level of care."
        }
        OverrideReason::LanguageOrCulturalFit => {
            "No programme at the recommended level fits the person's language or culture."
        }
        OverrideReason::CourtOrdered => "A court ordered the placement.",
        OverrideReason::Other => "Another reason, explained in the override's note.",
    }
}

/// The display of carelevel's assessment (`RiskAssessment.code`).
pub(super) const ASSESSMENT_DISPLAY: &str = "Behavioural-health level-of-care assessment";

fn concept(code: &str, display: &str, definition: &str) -> CodeSystemConcept {
    CodeSystemConcept {
        code: code.into(),
        display: display.into(),
        definition: definition.into(),
        property: Vec::new(),
    }
}

/// The code system's narrative: what it is, and its codes as a table.
fn narrative(cs: &CodeSystem) -> Narrative {
    let rows: String = cs
        .concept
        .iter()
        .map(|c| {
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                xml_escape(&c.code),
                xml_escape(&c.display),
                xml_escape(&c.definition)
            )
        })
        .collect();
    Narrative {
        status: "generated".into(),
        div: format!(
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>{} (<code>{}</code>), version {}: \
             {} codes. {}</p><table><thead><tr><th>Code</th><th>Display</th><th>Definition</th>\
             </tr></thead><tbody>{rows}</tbody></table></div>",
            xml_escape(&cs.title),
            xml_escape(&cs.url),
            xml_escape(&cs.version),
            cs.concept.len(),
            xml_escape(&cs.description)
        ),
    }
}

/// A complete, active code system of `concepts`, with its narrative.
fn code_system(
    url: &str,
    name: &str,
    title: &str,
    description: &str,
    concepts: Vec<CodeSystemConcept>,
) -> CodeSystem {
    let last = url.rsplit(':').next().unwrap_or(url);
    let mut cs = CodeSystem {
        resource_type: "CodeSystem".into(),
        id: format!("carelevel-{last}"),
        text: Narrative {
            status: "generated".into(),
            div: String::new(),
        },
        url: url.into(),
        version: crate::VERSION.into(),
        name: name.into(),
        title: title.into(),
        status: "active".into(),
        publisher: "carelevel".into(),
        description: description.into(),
        case_sensitive: true,
        content: "complete".into(),
        count: u32::try_from(concepts.len()).unwrap_or(u32::MAX),
        property: Vec::new(),
        concept: concepts,
    };
    cs.text = narrative(&cs);
    cs
}

/// The `CodeSystem` resources of carelevel's own codes, generated from the crate's
/// vocabularies: levels of care ([`LEVEL_SYSTEM`]), care settings ([`SETTING_SYSTEM`], each
/// with its level as the property `level`), urgency ([`URGENCY_SYSTEM`]), override reasons
/// ([`OVERRIDE_CODE_SYSTEM`]) and the kind of assessment ([`ASSESSMENT_SYSTEM`]). Each is
/// `active` and `complete`, its `version` the crate's; the same resources are committed as
/// `schema/fhir/CodeSystem-<id>.json` (a test keeps them equal).
///
/// # Examples
///
/// ```
/// use carelevel::fhir::{LEVEL_SYSTEM, code_systems};
/// let systems = code_systems();
/// let levels = systems.iter().find(|cs| cs.url == LEVEL_SYSTEM).unwrap();
/// let codes: Vec<&str> = levels.concept.iter().map(|c| c.code.as_str()).collect();
/// assert_eq!(codes, ["outpatient", "iop", "php", "inpatient"]);
/// assert_eq!(levels.version, carelevel::VERSION);
/// ```
pub fn code_systems() -> Vec<CodeSystem> {
    let levels = Level::ALL
        .iter()
        .map(|&l| concept(l.as_str(), l.title(), level_definition(l)))
        .collect();
    let settings = CareSetting::ALL
        .iter()
        .map(|&s| CodeSystemConcept {
            property: vec![ConceptProperty {
                code: "level".into(),
                value_code: s.level().as_str().into(),
            }],
            ..concept(s.as_str(), s.title(), setting_definition(s))
        })
        .collect();
    let urgencies = Urgency::ALL
        .iter()
        .map(|&u| concept(u.as_str(), urgency_display(u), urgency_definition(u)))
        .collect();
    let reasons = OverrideReason::ALL
        .iter()
        .map(|&r| concept(r.as_str(), r.title(), override_definition(r)))
        .collect();
    let mut setting_system = code_system(
        SETTING_SYSTEM,
        "CarelevelCareSetting",
        "carelevel care settings",
        "Where a level of care is delivered, so that a referral can be routed; each setting \
         belongs to one level (its property `level`).",
        settings,
    );
    setting_system.property = vec![CodeSystemProperty {
        code: "level".into(),
        description: format!(
            "The level of care the setting belongs to (a code of {LEVEL_SYSTEM})."
        ),
        kind: "code".into(),
    }];
    vec![
        code_system(
            LEVEL_SYSTEM,
            "CarelevelLevelOfCare",
            "carelevel levels of care",
            "The four levels of behavioural-health care carelevel recommends, least intensive \
             first.",
            levels,
        ),
        setting_system,
        code_system(
            URGENCY_SYSTEM,
            "CarelevelUrgency",
            "carelevel urgency",
            "How soon the person must be seen, least urgent first.",
            urgencies,
        ),
        code_system(
            OVERRIDE_CODE_SYSTEM,
            "CarelevelOverrideReason",
            "carelevel override reasons",
            "Why a clinician arranged a level of care other than the recommended one.",
            reasons,
        ),
        code_system(
            ASSESSMENT_SYSTEM,
            "CarelevelAssessment",
            "carelevel assessments",
            "The kinds of assessment carelevel makes.",
            vec![concept(
                ASSESSMENT_CODE,
                ASSESSMENT_DISPLAY,
                "The level of care (outpatient, IOP, PHP or 24-hour) and the setting within it \
                 that a behavioural-health intake calls for, as carelevel's rules decide it.",
            )],
        ),
    ]
}
