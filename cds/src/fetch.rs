//! Fetching the intake from the EHR's FHIR server when the prefetch is missing (only with
//! `--fetch-missing-prefetch`).

use crate::error::ApiError;
use axum::http::StatusCode;
use serde_json::Value;

/// GETs `query` from `server` with the request's access token; the search result as JSON.
pub(crate) async fn fetch(
    client: &reqwest::Client,
    server: &str,
    query: &str,
    token: Option<&str>,
    limit: usize,
) -> Result<Value, ApiError> {
    let base = reqwest::Url::parse(server)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| ApiError::bad_request("`fhirServer`: expected an http or https URL"))?;
    // The access token and the patient's answers never travel in clear text (CDS Hooks: https
    // for production data); plain http only to the local host, as for a JWKS URL (one check,
    // `net::is_loopback`, for both).
    if base.scheme() == "http" && !crate::net::is_loopback(&base) {
        return Err(ApiError::bad_request(
            "`fhirServer`: expected an https URL (plain http only to the local host)",
        ));
    }
    let url = format!("{}/{query}", base.as_str().trim_end_matches('/'));
    let mut request = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/fhir+json");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let failed = |why: String| {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            format!("fetching the intake from `fhirServer` failed: {why}"),
        )
    };
    // reqwest's messages carry the URL: only the kind of failure is said.
    let kind = |e: &reqwest::Error| {
        if e.is_timeout() {
            "timed out".to_owned()
        } else if e.is_connect() {
            "could not connect".to_owned()
        } else {
            "the request failed".to_owned()
        }
    };
    let response = request.send().await.map_err(|e| failed(kind(&e)))?;
    if !response.status().is_success() {
        return Err(failed(format!("HTTP {}", response.status().as_u16())));
    }
    let body = crate::net::read_limited(response, limit)
        .await
        .map_err(|e| match e {
            crate::net::ReadError::TooLarge => {
                failed(format!("the search result is larger than {limit} bytes"))
            }
            crate::net::ReadError::Failed(e) => failed(kind(&e)),
        })?;
    serde_json::from_slice(&body).map_err(|_| failed("the search result is not JSON".to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_the_local_host() {
        let loopback = |s: &str| crate::net::is_loopback(&reqwest::Url::parse(s).unwrap());
        assert!(loopback("http://127.0.0.1:8080/fhir"));
        assert!(loopback("http://localhost/fhir"));
        assert!(loopback("http://[::1]:1/fhir"));
        assert!(!loopback("http://ehr.example.org/fhir"));
        assert!(!loopback("http://10.0.0.1/fhir"));
    }

    #[tokio::test]
    async fn a_plain_http_server_elsewhere_is_refused_before_any_request() {
        let client = reqwest::Client::new();
        let err = fetch(
            &client,
            "http://ehr.example.org/fhir",
            "QuestionnaireResponse",
            Some("secret-token"),
            1024,
        )
        .await
        .unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("`fhirServer`: expected an https URL"));
    }
}
