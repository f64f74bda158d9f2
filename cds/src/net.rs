//! What the service's two outgoing requests (a JWKS URL, and the FHIR server when the prefetch
//! is missing) share: plain http only to the local host, and bodies read up to a limit.

/// Whether a URL's host is the local host (`localhost` in any case, or a loopback address).
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Why a body could not be read.
pub(crate) enum ReadError {
    /// Longer than the limit (by its `Content-Length`, or as it arrived).
    TooLarge,
    /// The connection failed.
    Failed(reqwest::Error),
}

/// The body of `response`, at most `limit` bytes: refused at once when its `Content-Length`
/// says it is longer, and as soon as more arrives otherwise.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Failed)? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
