//! SHA-256 digests written as `sha256:<hex>`: the pack's content digest, the report's digest
//! (which ties an override record and a CDS card to their recommendation).

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// `sha256:` followed by the lowercase hex of the hasher's digest.
pub(crate) fn sha256_hex(hasher: Sha256) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in hasher.finalize().iter() {
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// [`sha256_hex`] of a value's JSON, streamed into the hasher (the same bytes as
/// `serde_json::to_string`).
///
/// # Errors
///
/// serde_json's error if the value cannot be written as JSON.
pub(crate) fn sha256_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut hasher = Sha256::new();
    serde_json::to_writer(HashWriter(&mut hasher), value)?;
    Ok(sha256_hex(hasher))
}

/// Feeds every byte written into a hasher.
struct HashWriter<'h>(&'h mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_json_digest_equals_digest_of_the_string() {
        let value = serde_json::json!({"level": "iop", "rules": ["a", "b"], "n": 3});
        let mut h = Sha256::new();
        h.update(serde_json::to_string(&value).unwrap().as_bytes());
        assert_eq!(sha256_json(&value).ok(), Some(sha256_hex(h)));
    }

    #[test]
    fn hex_of_the_empty_input() {
        assert_eq!(
            sha256_hex(Sha256::new()),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
