//! What the caller tells the FHIR writers that the core cannot know: ids, references, and
//! when the assessment was made (the core reads no clock); and the checks that each is valid
//! FHIR before anything is written.

use super::FhirError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a `RiskAssessment` (and a proposed `ServiceRequest`) needs beside the report: its id,
/// whom and what it is about, and when it was made.
///
/// Each is checked before anything is written ([`FhirError::InvalidId`],
/// [`FhirError::InvalidReference`], [`FhirError::InvalidDateTime`], naming the field and
/// never echoing its value). A reference is either `Type/id` (a relative reference: `id`
/// 1-64 ASCII letters, digits, `-` or `.`) of a type the field may name, or an absolute
/// `http:`, `https:` or `urn:` URL (such as `urn:uuid:...` inside a transaction Bundle):
///
/// | field | may name |
/// |---|---|
/// | `subject` | `Patient`, `Group` |
/// | `response` | `QuestionnaireResponse` |
/// | `encounter` | `Encounter` |
/// | `performer` | `Practitioner`, `PractitionerRole`, `Device` (the types R4 allows both for `RiskAssessment.performer` and `ServiceRequest.requester`) |
///
/// # Examples
///
/// ```
/// let context: carelevel::fhir::FhirContext = serde_json::from_str(
///     r#"{"id": "ra-1", "subject": "Patient/123", "response": "QuestionnaireResponse/456",
///         "occurrence": "2026-11-29T14:05:00Z", "performer": "Device/carelevel"}"#,
/// )?;
/// assert_eq!(context.encounter, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(
    description = "What carelevel's FHIR RiskAssessment and proposed ServiceRequest need beside the report. A reference is `Type/id` (id: 1-64 ASCII letters, digits, `-` or `.`) or an absolute http:, https: or urn: URL; `subject` names a Patient or Group, `response` a QuestionnaireResponse, `encounter` an Encounter, `performer` a Practitioner, PractitionerRole or Device. `occurrence` is a FHIR dateTime."
)]
pub struct FhirContext {
    /// The RiskAssessment's logical id (a FHIR id: 1-64 of A-Z a-z 0-9 - .).
    pub id: String,
    /// The person: a reference such as `Patient/123`.
    pub subject: String,
    /// The QuestionnaireResponse the report was computed from (a reference).
    pub response: String,
    /// When the assessment was made: a FHIR dateTime the caller supplies (the core has no clock).
    pub occurrence: String,
    /// The encounter, when given (a reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<String>,
    /// Who performed it, when given (a reference, e.g. Practitioner/7 or Device/carelevel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer: Option<String>,
}

/// The types `subject` may name.
const SUBJECT: (&[&str], &str) = (&["Patient", "Group"], "a `Patient` or `Group`");
/// The types `response` may name.
const RESPONSE: (&[&str], &str) = (&["QuestionnaireResponse"], "a `QuestionnaireResponse`");
/// The types `encounter` may name.
const ENCOUNTER: (&[&str], &str) = (&["Encounter"], "an `Encounter`");
/// The types `performer` may name: those R4 allows for both `RiskAssessment.performer` and
/// `ServiceRequest.requester`.
const PERFORMER: (&[&str], &str) = (
    &["Practitioner", "PractitionerRole", "Device"],
    "a `Practitioner`, `PractitionerRole` or `Device`",
);

impl FhirContext {
    /// Checks every field, in declaration order; the first invalid one is the error.
    pub(super) fn check(&self) -> Result<(), FhirError> {
        check_id("id", &self.id)?;
        check_reference("subject", &self.subject, SUBJECT)?;
        check_reference("response", &self.response, RESPONSE)?;
        if !is_date_time(&self.occurrence) {
            return Err(FhirError::InvalidDateTime {
                field: "occurrence",
            });
        }
        if let Some(encounter) = &self.encounter {
            check_reference("encounter", encounter, ENCOUNTER)?;
        }
        if let Some(performer) = &self.performer {
            check_reference("performer", performer, PERFORMER)?;
        }
        Ok(())
    }
}

/// `Ok` when `value` is a FHIR id, else [`FhirError::InvalidId`] naming `field`.
pub(super) fn check_id(field: &'static str, value: &str) -> Result<(), FhirError> {
    if is_id(value) {
        Ok(())
    } else {
        Err(FhirError::InvalidId { field })
    }
}

fn check_reference(
    field: &'static str,
    value: &str,
    (types, expected): (&[&str], &'static str),
) -> Result<(), FhirError> {
    if is_reference(value, types) {
        Ok(())
    } else {
        Err(FhirError::InvalidReference { field, expected })
    }
}

/// Whether `s` is a FHIR id: `[A-Za-z0-9\-\.]{1,64}` (the pattern of R4's `id` type), as a
/// resource's `id` and the id part of a `Type/id` reference must be.
///
/// # Examples
///
/// ```
/// assert!(carelevel::fhir::is_id("intake-1.2"));
/// assert!(!carelevel::fhir::is_id("Jane Doe"));
/// assert!(!carelevel::fhir::is_id(&"a".repeat(65)));
/// ```
pub fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// `Type/id` with `Type` one of `types`, or an absolute `http:`, `https:` or `urn:` URL (no
/// whitespace or control character, something after the scheme).
fn is_reference(s: &str, types: &[&str]) -> bool {
    let absolute = ["http://", "https://", "urn:"]
        .iter()
        .find_map(|scheme| s.strip_prefix(scheme));
    if let Some(rest) = absolute {
        return !rest.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    }
    s.split_once('/')
        .is_some_and(|(ty, id)| types.contains(&ty) && is_id(id))
}

/// The number written by the ASCII digits of `s` in `range` (`None` unless each is a digit).
fn number(s: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = s.get(range)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

/// Whether the byte at `at` is `byte`.
fn byte_is(s: &str, at: usize, byte: u8) -> bool {
    s.as_bytes().get(at) == Some(&byte)
}

/// Whether `s` is a FHIR R4 `dateTime` (the specification's regular expression:
/// `YYYY(-MM(-DD(Thh:mm:ss(.s+)?(Z|(+|-)hh:mm))?)?)?`, year 0001-9999, hours to 23, seconds to
/// 60, offsets to ±14:00) whose day exists (the expression lets 2026-02-31 through; FHIR's
/// date types do not).
pub(super) fn is_date_time(s: &str) -> bool {
    let Some(year) = number(s, 0..4).filter(|y| *y > 0) else {
        return false;
    };
    if s.len() == 4 {
        return true;
    }
    let Some(month) = number(s, 5..7).filter(|m| (1..=12).contains(m)) else {
        return false;
    };
    if !byte_is(s, 4, b'-') {
        return false;
    }
    if s.len() == 7 {
        return true;
    }
    let day = number(s, 8..10);
    let exists = || -> Option<()> {
        let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
        let year = i32::try_from(year).ok()?;
        time::Date::from_calendar_date(year, month, u8::try_from(day?).ok()?).ok()?;
        Some(())
    };
    if !byte_is(s, 7, b'-') || exists().is_none() {
        return false;
    }
    if s.len() == 10 {
        return true;
    }
    let time = byte_is(s, 10, b'T')
        && number(s, 11..13).is_some_and(|h| h <= 23)
        && byte_is(s, 13, b':')
        && number(s, 14..16).is_some_and(|m| m <= 59)
        && byte_is(s, 16, b':')
        && number(s, 17..19).is_some_and(|sec| sec <= 60);
    let Some(mut rest) = s.get(19..).filter(|_| time) else {
        return false;
    };
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = fraction.get(digits..).unwrap_or_default();
    }
    is_zone(rest)
}

/// `Z`, or `+hh:mm` / `-hh:mm` with hh 00-13 and mm 00-59, or `±14:00`.
fn is_zone(s: &str) -> bool {
    if s == "Z" {
        return true;
    }
    let signed = (byte_is(s, 0, b'+') || byte_is(s, 0, b'-')) && s.len() == 6;
    if !signed || !byte_is(s, 3, b':') {
        return false;
    }
    match (number(s, 1..3), number(s, 4..6)) {
        (Some(14), Some(0)) => true,
        (Some(h), Some(m)) => h <= 13 && m <= 59,
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code may fail loudly
mod tests {
    use super::*;

    #[test]
    fn date_times_are_the_specifications() {
        for good in [
            "2026",
            "2026-11",
            "2026-11-29",
            "2026-11-29T14:05:00Z",
            "2026-11-29T14:05:00.123+01:00",
            "2026-11-29T23:59:60-14:00",
            "2024-02-29",
            "0001-01-01T00:00:00+13:59",
            "1000",
        ] {
            assert!(is_date_time(good), "{good}");
        }
        for bad in [
            "",
            "0000",
            "26",
            "2026-1",
            "2026-13",
            "2026-00",
            "2026-11-31",
            "2025-02-29",
            "2026-11-29T14:05Z",
            "2026-11-29T14:05:00",
            "2026-11-29T24:00:00Z",
            "2026-11-29T14:60:00Z",
            "2026-11-29T14:05:61Z",
            "2026-11-29T14:05:00.Z",
            "2026-11-29T14:05:00+14:01",
            "2026-11-29T14:05:00+1:00",
            "2026-11-29T14:05:00z",
            "2026-11-29 14:05:00Z",
            "2026-11-29T14:05:00ZZ",
            "2026/11/29",
            "２０２６",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn references_are_relative_of_the_fields_types_or_absolute() {
        let types = SUBJECT.0;
        for good in [
            "Patient/123",
            "Group/a.b-c",
            "https://ehr.example/fhir/Patient/123",
            "http://x",
            "urn:uuid:0c3a2b1e-8c1d-4e0a-9b5f-1d2c3b4a5f6e",
        ] {
            assert!(is_reference(good, types), "{good}");
        }
        for bad in [
            "",
            "123",
            "Patient/",
            "Patient/12 3",
            "patient/123",
            "Practitioner/7",
            "Patient/123/_history/1",
            "https://",
            "https://ehr.example/a b",
            "ftp://ehr.example/Patient/1",
            "Jane Doe",
        ] {
            assert!(!is_reference(bad, types), "{bad}");
        }
        assert!(is_id(&"a".repeat(64)));
        assert!(!is_id(&"a".repeat(65)));
    }

    #[test]
    fn each_field_is_checked_and_named() {
        let good = FhirContext {
            id: "ra-1".into(),
            subject: "Patient/1".into(),
            response: "QuestionnaireResponse/2".into(),
            occurrence: "2026-11-29".into(),
            encounter: Some("Encounter/3".into()),
            performer: Some("Device/carelevel".into()),
        };
        assert_eq!(good.check(), Ok(()));
        let secret = "Jane Doe 1970-01-01";
        type Set = fn(&mut FhirContext, String);
        let cases: [(&str, Set); 6] = [
            ("id", |c, v| c.id = v),
            ("subject", |c, v| c.subject = v),
            ("response", |c, v| c.response = v),
            ("occurrence", |c, v| c.occurrence = v),
            ("encounter", |c, v| c.encounter = Some(v)),
            ("performer", |c, v| c.performer = Some(v)),
        ];
        for (field, set) in cases {
            let mut bad = good.clone();
            set(&mut bad, secret.into());
            let e = bad.check().unwrap_err();
            let text = e.to_string();
            assert!(
                text.starts_with(&format!("`{field}` is not a FHIR ")),
                "{text}"
            );
            assert!(!text.contains("Jane"), "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
        // A performer that R4 does not allow as a RiskAssessment's performer.
        let mut organization = good.clone();
        organization.performer = Some("Organization/1".into());
        assert_eq!(
            organization.check(),
            Err(FhirError::InvalidReference {
                field: "performer",
                expected: PERFORMER.1
            })
        );
    }
}
