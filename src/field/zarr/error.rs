//! What can go wrong reading a Zarr store, one variant per failure a user can act on; every
//! message is one line naming the store, the problem and the fix.

/// A Zarr store could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ZarrError {
    /// The location is neither a store nor something this reader can reach.
    #[error("{location} is not a Zarr store ({detail}); give a directory or URL holding .zmetadata/.zgroup (Zarr v2) or zarr.json (Zarr v3)")]
    NotAStore { location: String, detail: String },

    /// An URL scheme this reader has no client for.
    #[error("{location}: {detail}")]
    UnsupportedLocation { location: String, detail: String },

    /// The server could not be reached or answered with an error.
    #[error("cannot reach {location} ({detail}); check the URL, the network and, for S3, AWS_ENDPOINT_URL and AWS_REGION")]
    Unreachable { location: String, detail: String },

    /// The server refused the request.
    #[error(
        "access to {location} was denied ({detail}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for a private bucket, or unset them for a public one"
    )]
    AccessDenied { location: String, detail: String },

    /// An array's codecs, data type or chunk grid are not ones this reader decodes.
    #[error(
        "{location}: array '{array}' cannot be decoded here ({detail}); rewrite the store with zstd, zlib/gzip or blosc compression (xarray: encoding={{'{array}': {{'compressors': ...}}}})"
    )]
    Unsupported { location: String, array: String, detail: String },

    /// A chunk the frame needs is absent: the store is incomplete.
    #[error(
        "{location}: chunk '{key}' of '{array}' is missing (frame {frame}); the store is incomplete, a copy or write was interrupted: copy or write it again"
    )]
    MissingChunk { location: String, array: String, key: String, frame: usize },

    /// A chunk could not be decoded.
    #[error("{location}: chunk '{key}' of '{array}' cannot be decoded ({detail}); the store is corrupt: copy or write it again")]
    CorruptChunk { location: String, array: String, key: String, detail: String },

    /// The metadata is not valid Zarr metadata.
    #[error("{location}: invalid metadata in '{key}' ({detail}); the store is corrupt: copy or write it again")]
    BadMetadata { location: String, key: String, detail: String },
}

/// An error text on one line (object_store and zarrs chain causes over several lines).
pub(super) fn one_line(e: &dyn std::fmt::Display) -> String {
    let mut s = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    const LIMIT: usize = 400;
    if s.len() > LIMIT {
        let cut = (0..=LIMIT).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// A storage failure as the error a user can act on: denied, or unreachable.
pub(super) fn storage_error(location: &str, e: &dyn std::fmt::Display) -> ZarrError {
    let detail = one_line(e);
    if says_denied(&detail) {
        ZarrError::AccessDenied { location: location.into(), detail }
    } else {
        ZarrError::Unreachable { location: location.into(), detail }
    }
}

/// Whether an error text reports a refused authorisation. Words are compared whole, and URLs
/// are skipped: a port such as 40159 or a path segment holds "401" without meaning it.
fn says_denied(detail: &str) -> bool {
    const DENIED: [&str; 7] = ["403", "401", "Forbidden", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Unauthorized"];
    detail
        .split_whitespace()
        .filter(|word| !word.contains("://"))
        .flat_map(|word| word.split(|c: char| !c.is_ascii_alphanumeric()))
        .any(|token| DENIED.contains(&token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_are_sorted_into_denied_and_unreachable() {
        assert!(matches!(storage_error("s3://b/x.zarr", &"Client error with status 403 Forbidden: <Error>AccessDenied"), ZarrError::AccessDenied { .. }));
        assert!(matches!(storage_error("http://127.0.0.1:9/x.zarr", &"error sending request\nConnection refused"), ZarrError::Unreachable { .. }));
        // a port holding "401" is no refusal (a CI run drew port 40159)
        let refused = "Generic HTTP error: Error performing GET http://127.0.0.1:40159/era5.zarr/zarr.json in 291ms - HTTP error: error sending request";
        assert!(matches!(storage_error("http://127.0.0.1:40159/era5.zarr", &refused), ZarrError::Unreachable { .. }));
        assert!(matches!(storage_error("http://h/x.zarr", &"HTTP status client error (401 Unauthorized)"), ZarrError::AccessDenied { .. }));
        let e = ZarrError::Unreachable { location: "u".into(), detail: one_line(&"a\nb\n  c") }.to_string();
        assert!(!e.contains('\n') && e.contains("(a b c)"), "{e}");
    }
}
