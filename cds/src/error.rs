//! Error responses: CDS Hooks-style JSON bodies, `{"error": "..."}`, one line naming the
//! field, never a value from the request.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// An error response: a status and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// Reads a JSON body, naming the field that is wrong (`context.patientId`, `feedback[0].card`)
/// and what was expected, never the value given.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| ApiError::bad_request(describe(&e.path().to_string(), e.inner())))?;
    de.end()
        .map_err(|e| ApiError::bad_request(describe(".", &e)))?;
    Ok(value)
}

/// Reads a JSON value found at `at` (a dotted path in the request) as a `T`.
pub(crate) fn parse_value<T: DeserializeOwned>(
    value: serde_json::Value,
    at: &str,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." {
            at.to_owned()
        } else {
            format!("{at}.{inner}")
        };
        ApiError::bad_request(describe(&path, e.inner()))
    })
}

/// One line: the field and what is wrong with it.
pub(crate) fn describe(path: &str, error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let message = error.to_string();
    match error.classify() {
        // Syntax errors and an early end say where, never what.
        Category::Syntax | Category::Eof => format!("the body is not valid JSON: {message}"),
        Category::Io => "the body could not be read".to_owned(),
        Category::Data => {
            let field = if path == "." {
                "the body".to_owned()
            } else {
                format!("`{path}`")
            };
            format!("{field}: {}", safe_data_message(&message))
        }
    }
}

/// serde's data error without the value it quotes: `invalid type: string "Jane", expected
/// u32` becomes `wrong type: expected u32`.
fn safe_data_message(message: &str) -> String {
    let core = message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head);
    if core.starts_with("missing field ") || core.starts_with("duplicate field ") {
        return core.to_owned();
    }
    let kind = if core.starts_with("invalid type") {
        "wrong type"
    } else if core.starts_with("unknown variant") {
        "unknown value"
    } else if core.starts_with("unknown field") {
        "unknown field"
    } else if core.starts_with("invalid length") {
        "wrong number of items"
    } else {
        "invalid value"
    };
    match core.rsplit_once(", expected ") {
        Some((_, expected)) => format!("{kind}: expected {expected}"),
        None => kind.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Outer {
        context: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        patient_id: String,
        count: Option<u32>,
    }

    #[test]
    fn a_wrong_type_names_the_field_and_not_the_value() {
        let err = parse_body::<Outer>(br#"{"context": {"patientId": "p", "count": "Jane Doe"}}"#)
            .unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(
            err.message.starts_with("`context.count`: wrong type"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("Jane"), "{}", err.message);
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse_body::<Outer>(br#"{"context": {}}"#).unwrap_err();
        assert_eq!(err.message, "`context`: missing field `patientId`");
    }

    #[test]
    fn syntax_errors_and_trailing_text_are_400s() {
        let err = parse_body::<Outer>(b"{\"context\": ").unwrap_err();
        assert!(
            err.message.starts_with("the body is not valid JSON"),
            "{}",
            err.message
        );
        let err = parse_body::<Outer>(br#"{"context": {"patientId": "p"}} Jane"#).unwrap_err();
        assert!(
            err.message.starts_with("the body is not valid JSON"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("Jane"));
    }
}
