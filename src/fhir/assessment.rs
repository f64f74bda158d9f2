//! The report as FHIR R4 resources an EHR can store as they are: a `RiskAssessment`, and a
//! proposed `ServiceRequest` for the recommended setting.

use super::context::check_id;
use super::terminology::{ASSESSMENT_DISPLAY, urgency_display};
use super::{
    ASSESSMENT_CODE, ASSESSMENT_SYSTEM, Annotation, CodeableConcept, Coding, ConceptExtension,
    FhirContext, FhirError, LEVEL_SYSTEM, Narrative, Reference, SETTING_EXTENSION, SETTING_SYSTEM,
    URGENCY_EXTENSION, URGENCY_SYSTEM, xml_escape,
};
use crate::report::Report;
use crate::{Level, Status, Urgency};
use serde::{Deserialize, Serialize};

/// A prediction in a RiskAssessment. It never carries a probability (R4 `ras-2`): the rules
/// give a level, not a likelihood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prediction {
    /// The setting within the level ([`SETTING_EXTENSION`]): a refinement of the outcome, not
    /// another code for it, so an extension rather than a second coding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<ConceptExtension>,
    /// The recommended level of care.
    pub outcome: CodeableConcept,
    /// Why: the binding rules, each `id: reason`, separated by `; `.
    pub rationale: String,
}

/// A RiskAssessment resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskAssessment {
    /// Always `RiskAssessment`.
    pub resource_type: String,
    /// The logical id ([`FhirContext::id`]).
    pub id: String,
    /// A generated narrative: the level and setting, the urgency, the binding rules and the
    /// plan.
    pub text: Narrative,
    /// The urgency ([`URGENCY_EXTENSION`], coded in [`URGENCY_SYSTEM`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<ConceptExtension>,
    /// `final`, or `preliminary` for a provisional result.
    pub status: String,
    /// The method: the rule pack and its version.
    pub method: CodeableConcept,
    /// What was assessed: a level of care ([`ASSESSMENT_SYSTEM`] `level-of-care`).
    pub code: CodeableConcept,
    /// The person assessed.
    pub subject: Reference,
    /// The encounter, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<Reference>,
    /// When the assessment was made ([`FhirContext::occurrence`]).
    pub occurrence_date_time: String,
    /// Who performed it, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer: Option<Reference>,
    /// What it rests on: the QuestionnaireResponse.
    pub basis: Vec<Reference>,
    /// The recommended level.
    pub prediction: Vec<Prediction>,
    /// Services and referrals of the plan, as text.
    pub mitigation: String,
    /// The binding rules and the pack digest.
    pub note: Vec<Annotation>,
}

/// A ServiceRequest resource: a *proposal* (`status` `draft`, `intent` `proposal`) for the
/// recommended setting, never an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRequest {
    /// Always `ServiceRequest`.
    pub resource_type: String,
    /// The logical id (the `id` given to [`Report::to_service_request`]).
    pub id: String,
    /// A generated narrative: what is proposed, how soon, and why.
    pub text: Narrative,
    /// `draft`: not yet actionable.
    pub status: String,
    /// `proposal`: a suggestion a clinician may adopt, not an order.
    pub intent: String,
    /// `stat` for an emergency, `urgent` for a same-day evaluation, else `routine`.
    pub priority: String,
    /// The setting proposed ([`SETTING_SYSTEM`]); its text names the level and the setting.
    pub code: CodeableConcept,
    /// The person.
    pub subject: Reference,
    /// The encounter, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<Reference>,
    /// When it was proposed: the assessment's [`FhirContext::occurrence`].
    pub authored_on: String,
    /// Who proposes it: the assessment's performer, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<Reference>,
    /// Why: the RiskAssessment (`RiskAssessment/{context.id}`).
    pub reason_reference: Vec<Reference>,
    /// What it rests on: the QuestionnaireResponse.
    pub supporting_info: Vec<Reference>,
    /// The capabilities the programme must offer; for a provisional result, that answers are
    /// missing and the level may rise.
    pub note: Vec<Annotation>,
}

/// The XHTML namespace a FHIR narrative's `div` declares.
const DIV: &str = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

fn level_concept(level: Level) -> CodeableConcept {
    CodeableConcept {
        coding: vec![Coding {
            system: Some(LEVEL_SYSTEM.into()),
            code: Some(level.as_str().into()),
            display: Some(level.title().into()),
        }],
        text: Some(level.title().into()),
    }
}

fn reference(to: &str) -> Reference {
    Reference {
        reference: to.into(),
    }
}

/// The urgency in words, as the note and the narrative give it.
const fn urgency_words(u: Urgency) -> &'static str {
    match u {
        Urgency::Emergency => {
            "emergency, do not leave the person alone (emergency department, mobile crisis, 988)"
        }
        Urgency::SameDay => "same-day evaluation",
        Urgency::Routine => "routine",
    }
}

/// `ServiceRequest.priority` for an urgency.
const fn priority(u: Urgency) -> &'static str {
    match u {
        Urgency::Emergency => "stat",
        Urgency::SameDay => "urgent",
        Urgency::Routine => "routine",
    }
}

impl Report {
    /// The outcome: the level (the lower bound when provisional); its text names the setting
    /// too where it says more than the level, and a provisional result's says it is a lower
    /// bound, so that a reader of the text never takes it for the level.
    fn outcome_concept(&self) -> CodeableConcept {
        let level = self.level_at_least;
        let setting = self.plan.setting.setting;
        let mut concept = level_concept(level);
        if !setting.is_standard() {
            concept.text = Some(format!("{}: {}", level.title(), setting.title()));
        }
        if self.level.is_none() {
            concept.text = Some(format!(
                "At least {} (provisional: answers are missing; up to {})",
                concept.text.as_deref().unwrap_or(level.title()),
                self.level_at_most.title()
            ));
        }
        concept
    }

    /// The setting within the level, coded.
    fn setting_concept(&self, text: String) -> CodeableConcept {
        let setting = self.plan.setting.setting;
        CodeableConcept {
            coding: vec![Coding {
                system: Some(SETTING_SYSTEM.into()),
                code: Some(setting.as_str().into()),
                display: Some(setting.title().into()),
            }],
            text: Some(text),
        }
    }

    /// The setting within the level, as the prediction's extension.
    fn setting_extension(&self) -> ConceptExtension {
        ConceptExtension {
            url: SETTING_EXTENSION.into(),
            value_codeable_concept: self.setting_concept(self.plan.setting.setting.title().into()),
        }
    }

    /// The urgency, as the RiskAssessment's extension.
    fn urgency_extension(&self) -> ConceptExtension {
        let display = urgency_display(self.urgency);
        ConceptExtension {
            url: URGENCY_EXTENSION.into(),
            value_codeable_concept: CodeableConcept {
                coding: vec![Coding {
                    system: Some(URGENCY_SYSTEM.into()),
                    code: Some(self.urgency.as_str().into()),
                    display: Some(display.into()),
                }],
                text: Some(display.into()),
            },
        }
    }

    /// The capabilities the programme must offer, by title.
    fn capability_titles(&self) -> Vec<&'static str> {
        self.plan
            .capabilities
            .iter()
            .map(|c| c.capability.title())
            .collect()
    }

    /// The capabilities in a sentence: "The programme must offer: a; b."
    fn capabilities_sentence(&self) -> String {
        let capabilities = self.capability_titles();
        if capabilities.is_empty() {
            "The programme must offer nothing beyond its standard services.".into()
        } else {
            format!("The programme must offer: {}.", capabilities.join("; "))
        }
    }

    /// "1 answer is missing", "4 answers are missing".
    fn missing_words(&self) -> String {
        match self.ask_next.len() {
            1 => "1 answer is missing".into(),
            n => format!("{n} answers are missing"),
        }
    }

    /// The plan as text: setting, capabilities, services and referrals (the RiskAssessment's
    /// `mitigation`).
    fn mitigation(&self) -> String {
        let capabilities = self.capability_titles();
        let services: Vec<&str> = self
            .plan
            .services
            .iter()
            .map(|s| s.service.title())
            .collect();
        let referrals: Vec<&str> = self
            .plan
            .referrals
            .iter()
            .map(|r| r.referral.title())
            .collect();
        format!(
            "Setting: {}. The programme must offer: {}. Services: {}. Referrals: {}.",
            self.plan.setting.setting.title(),
            if capabilities.is_empty() {
                "nothing beyond its standard services".to_owned()
            } else {
                capabilities.join("; ")
            },
            services.join("; "),
            referrals.join("; ")
        )
    }

    /// The RiskAssessment's narrative: every piece of text escaped.
    fn risk_narrative(&self, mitigation: &str) -> Narrative {
        let mut div = String::from(DIV);
        let setting = xml_escape(self.plan.setting.setting.title());
        div.push_str(&match self.level {
            Some(level) => format!(
                "<p><b>Level of care</b>: {}. <b>Setting</b>: {setting}.</p>",
                xml_escape(level.title())
            ),
            None => format!(
                "<p><b>Provisional</b>: at least {}, up to {}; {}. <b>Setting</b> (at least): \
                 {setting}.</p>",
                xml_escape(self.level_at_least.title()),
                xml_escape(self.level_at_most.title()),
                xml_escape(&self.missing_words())
            ),
        });
        // The action when there is one ("EMERGENCY: ...", "URGENT: ..."), else "Routine".
        let action = match self.urgency.action() {
            "" => format!("{}.", urgency_display(self.urgency)),
            action => action.to_owned(),
        };
        div.push_str(&format!("<p><b>Urgency</b>: {}</p>", xml_escape(&action)));
        let binding: String = self
            .binding()
            .map(|f| {
                format!(
                    "<li><code>{}</code>: {}</li>",
                    xml_escape(&f.id),
                    xml_escape(&f.reason)
                )
            })
            .collect();
        if binding.is_empty() {
            div.push_str("<p><b>Binding rules</b>: none.</p>");
        } else {
            div.push_str(&format!("<p><b>Binding rules</b>:</p><ul>{binding}</ul>"));
        }
        div.push_str(&format!(
            "<p><b>Plan</b>: {}</p><p>Recommendation, not a diagnosis: a clinician decides. \
             Rule pack {} {}.</p></div>",
            xml_escape(mitigation),
            xml_escape(&self.pack.id),
            xml_escape(&self.pack.version)
        ));
        Narrative {
            status: "generated".into(),
            div,
        }
    }

    /// The recommendation as a FHIR R4 `RiskAssessment` an EHR can store as it is: the
    /// context's `id`, `subject`, `encounter`, `occurrenceDateTime` and `performer`; a
    /// generated narrative (level and setting, urgency, binding rules, plan; every piece of
    /// text escaped); `status` `final`, or `preliminary` for a provisional result (whose
    /// outcome is the level the known answers guarantee); `code`, carelevel's level-of-care
    /// assessment ([`ASSESSMENT_SYSTEM`]); the urgency coded in the extension
    /// [`URGENCY_EXTENSION`] ([`URGENCY_SYSTEM`]: `routine`, `same_day`, `emergency`); `basis`
    /// the QuestionnaireResponse; the level coded in `prediction.outcome` ([`LEVEL_SYSTEM`])
    /// with the setting in its extension ([`SETTING_EXTENSION`]); the plan in `mitigation`;
    /// the pack digest in `note`. No probability: the rules give a level, not a likelihood.
    ///
    /// # Errors
    ///
    /// A context field that is not valid FHIR, named and never echoed:
    /// [`FhirError::InvalidId`], [`FhirError::InvalidReference`],
    /// [`FhirError::InvalidDateTime`] (see [`FhirContext`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::fhir::{FhirContext, FhirError};
    /// # let json = include_str!("../../examples/intakes/iop_primary.json");
    /// let report = carelevel::RulePack::builtin().report(&carelevel::Intake::from_json(json)?)?;
    /// let context = FhirContext {
    ///     id: "ra-1".into(),
    ///     subject: "Patient/example".into(),
    ///     response: "QuestionnaireResponse/intake-1".into(),
    ///     occurrence: "2026-11-29T14:05:00Z".into(),
    ///     encounter: Some("Encounter/e1".into()),
    ///     performer: None,
    /// };
    /// let ra = report.to_risk_assessment(&context)?;
    /// assert_eq!(ra.id, "ra-1");
    /// assert_eq!(ra.basis[0].reference, "QuestionnaireResponse/intake-1");
    /// assert_eq!(ra.prediction[0].outcome.coding[0].code.as_deref(), Some("iop"));
    /// assert!(ra.text.div.starts_with(r#"<div xmlns="http://www.w3.org/1999/xhtml">"#));
    ///
    /// // Invalid FHIR is refused, naming the field and never echoing it.
    /// let late = FhirContext { occurrence: "yesterday".into(), ..context };
    /// let e = report.to_risk_assessment(&late).unwrap_err();
    /// assert_eq!(e, FhirError::InvalidDateTime { field: "occurrence" });
    /// assert!(!e.to_string().contains("yesterday"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_risk_assessment(&self, context: &FhirContext) -> Result<RiskAssessment, FhirError> {
        context.check()?;
        let binding: Vec<String> = self
            .binding()
            .map(|f| format!("{}: {}", f.id, f.reason))
            .collect();
        let mitigation = self.mitigation();
        Ok(RiskAssessment {
            resource_type: "RiskAssessment".into(),
            id: context.id.clone(),
            text: self.risk_narrative(&mitigation),
            extension: vec![self.urgency_extension()],
            // A provisional result (answers missing) is preliminary.
            status: match self.status {
                Status::Final => "final",
                Status::Provisional => "preliminary",
            }
            .into(),
            method: CodeableConcept {
                coding: vec![Coding {
                    system: Some("urn:carelevel:rule-pack".into()),
                    code: Some(format!("{}@{}", self.pack.id, self.pack.version)),
                    display: Some(format!(
                        "carelevel {} rule pack {}",
                        self.engine.version, self.pack.id
                    )),
                }],
                text: None,
            },
            code: CodeableConcept {
                coding: vec![Coding {
                    system: Some(ASSESSMENT_SYSTEM.into()),
                    code: Some(ASSESSMENT_CODE.into()),
                    display: Some(ASSESSMENT_DISPLAY.into()),
                }],
                text: Some(ASSESSMENT_DISPLAY.into()),
            },
            subject: reference(&context.subject),
            encounter: context.encounter.as_deref().map(reference),
            occurrence_date_time: context.occurrence.clone(),
            performer: context.performer.as_deref().map(reference),
            basis: vec![reference(&context.response)],
            prediction: vec![Prediction {
                extension: vec![self.setting_extension()],
                outcome: self.outcome_concept(),
                rationale: binding.join("; "),
            }],
            mitigation,
            note: vec![Annotation {
                text: format!(
                    "Recommendation, not a diagnosis: a clinician decides. Urgency: {}. Pack digest {}.",
                    urgency_words(self.urgency),
                    self.pack.digest
                ),
            }],
        })
    }

    /// A proposed FHIR R4 `ServiceRequest` for the recommended setting, to store beside the
    /// [`RiskAssessment`](Report::to_risk_assessment): `status` `draft` and `intent`
    /// `proposal` (a suggestion a clinician may adopt as an order, never an order); `id` its
    /// own; `priority` from the urgency (`stat` for an emergency, `urgent` for a same-day
    /// evaluation, else `routine`); `code` the setting ([`SETTING_SYSTEM`]) with text naming
    /// the level and the setting; the context's `subject` and `encounter`; `authoredOn` the
    /// context's `occurrence`; `requester` the context's performer when given;
    /// `reasonReference` `RiskAssessment/{context.id}`; `supportingInfo` the
    /// QuestionnaireResponse; and a `note` listing the capabilities the programme must offer.
    ///
    /// For a provisional report it is still a draft proposal, for the level the known answers
    /// already require ([`level_at_least`](Report::level_at_least)), with a note saying that
    /// answers are missing and how far the level may rise.
    ///
    /// # Errors
    ///
    /// As for [`to_risk_assessment`](Report::to_risk_assessment), and
    /// [`FhirError::InvalidId`] with the field `ServiceRequest.id` when `id` is not a FHIR id.
    ///
    /// # Examples
    ///
    /// ```
    /// use carelevel::fhir::FhirContext;
    /// # let json = include_str!("../../examples/intakes/inpatient_suicide_plan.json");
    /// let report = carelevel::RulePack::builtin().report(&carelevel::Intake::from_json(json)?)?;
    /// let context = FhirContext {
    ///     id: "ra-1".into(),
    ///     subject: "Patient/example".into(),
    ///     response: "QuestionnaireResponse/intake-1".into(),
    ///     occurrence: "2026-11-29".into(),
    ///     ..Default::default()
    /// };
    /// let sr = report.to_service_request(&context, "sr-1")?;
    /// assert_eq!((sr.status.as_str(), sr.intent.as_str()), ("draft", "proposal"));
    /// assert_eq!(sr.priority, "stat"); // an emergency
    /// assert_eq!(sr.code.coding[0].code.as_deref(), Some("inpatient_psychiatric"));
    /// assert_eq!(sr.reason_reference[0].reference, "RiskAssessment/ra-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_service_request(
        &self,
        context: &FhirContext,
        id: &str,
    ) -> Result<ServiceRequest, FhirError> {
        context.check()?;
        check_id("ServiceRequest.id", id)?;
        let level = self.level_at_least;
        let setting = self.plan.setting.setting;
        let what = format!("{}: {}", level.title(), setting.title());
        let reason = format!("RiskAssessment/{}", context.id);
        let mut note = vec![Annotation {
            text: self.capabilities_sentence(),
        }];
        let provisional = match self.level {
            Some(_) => None,
            None if self.level_at_most > level => Some(format!(
                "Provisional: {}. This proposes the level the known answers already require; \
                 once they are given the level may rise, up to {}. Complete the intake and \
                 reassess.",
                self.missing_words(),
                self.level_at_most.title()
            )),
            None => Some(format!(
                "Provisional: {}, but none of them can change the level. Complete the intake \
                 and reassess.",
                self.missing_words()
            )),
        };
        let mut div = format!(
            "{DIV}<p><b>Proposed</b> (a draft, not an order): {}. <b>Priority</b>: {} ({}).</p>\
             <p>{}</p>",
            xml_escape(&what),
            priority(self.urgency),
            xml_escape(urgency_display(self.urgency)),
            xml_escape(&self.capabilities_sentence())
        );
        if let Some(text) = &provisional {
            div.push_str(&format!("<p>{}</p>", xml_escape(text)));
            note.push(Annotation { text: text.clone() });
        }
        div.push_str(&format!(
            "<p>Reason: the carelevel assessment <code>{}</code>.</p></div>",
            xml_escape(&reason)
        ));
        Ok(ServiceRequest {
            resource_type: "ServiceRequest".into(),
            id: id.into(),
            text: Narrative {
                status: "generated".into(),
                div,
            },
            status: "draft".into(),
            intent: "proposal".into(),
            priority: priority(self.urgency).into(),
            code: self.setting_concept(what),
            subject: reference(&context.subject),
            encounter: context.encounter.as_deref().map(reference),
            authored_on: context.occurrence.clone(),
            requester: context.performer.as_deref().map(reference),
            reason_reference: vec![reference(&reason)],
            supporting_info: vec![reference(&context.response)],
            note,
        })
    }
}
