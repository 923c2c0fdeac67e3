//! Where a store lives and the storage that reads it: a local directory (zarrs' filesystem
//! store), an HTTP(S) URL or an `s3://` URL (object_store, behind zarrs' async-to-sync adapter
//! on a small tokio runtime owned by this module). See docs/input.md#zarr-stores.

use super::error::{ZarrError, one_line};
use object_store::ObjectStore;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::storage_adapter::async_to_sync::{AsyncToSyncBlockOn, AsyncToSyncStorageAdapter};
use zarrs::storage::{MaybeBytes, MaybeBytesIterator, ReadableStorage, ReadableStorageTraits, StorageError, StoreKey};
use zarrs_object_store::AsyncObjectStore;

/// Whether `input` names a Zarr store rather than a NetCDF file: a URL, or a local directory
/// (a store is a directory; a `.zarr` name that does not exist is a store too, so that the
/// message says what is missing).
pub fn is_zarr_location(input: &Path) -> bool {
    let text = input.to_string_lossy();
    if is_url(&text) {
        return true;
    }
    input.is_dir() || (!input.exists() && text.trim_end_matches('/').ends_with(".zarr"))
}

fn is_url(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'))
}

/// The storage of the store at `location` (a directory, `file://`, `http(s)://` or `s3://`).
pub(super) fn open_storage(location: &str) -> Result<ReadableStorage, ZarrError> {
    let unsupported = |detail: &str| ZarrError::UnsupportedLocation { location: location.into(), detail: detail.into() };
    let Some((scheme, rest)) = location.split_once("://").filter(|_| is_url(location)) else {
        return open_directory(location);
    };
    match scheme.to_ascii_lowercase().as_str() {
        "file" => open_directory(rest),
        "http" | "https" => remote(location, http_store(location)?),
        "s3" => remote(location, s3_store(location, rest)?),
        "gs" | "gcs" => Err(unsupported(
            "Google Cloud Storage is read over HTTPS here: give https://storage.googleapis.com/BUCKET/PATH for a public store, or its S3-compatible endpoint with AWS_ENDPOINT_URL=https://storage.googleapis.com",
        )),
        _ => Err(unsupported("only local directories, file://, http://, https:// and s3:// stores are read; download the store or give one of those")),
    }
}

fn open_directory(path: &str) -> Result<ReadableStorage, ZarrError> {
    let p = Path::new(path);
    if !p.exists() {
        return Err(ZarrError::NotAStore { location: path.into(), detail: "it does not exist".into() });
    }
    if !p.is_dir() {
        return Err(ZarrError::NotAStore { location: path.into(), detail: "it is a file, not a directory".into() });
    }
    let store = zarrs::filesystem::FilesystemStore::new(p).map_err(|e| ZarrError::NotAStore { location: path.into(), detail: one_line(&e) })?;
    Ok(Arc::new(store))
}

/// Timeouts and retries for remote stores: a dead server fails in seconds, not minutes.
fn client_options() -> object_store::ClientOptions {
    object_store::ClientOptions::new().with_allow_http(true).with_connect_timeout(Duration::from_secs(10)).with_timeout(Duration::from_secs(120))
}

fn retry_config() -> object_store::RetryConfig {
    object_store::RetryConfig { max_retries: 2, retry_timeout: Duration::from_secs(20), backoff: Default::default() }
}

fn http_store(location: &str) -> Result<Arc<dyn ObjectStore>, ZarrError> {
    let store = object_store::http::HttpBuilder::new()
        .with_url(location.trim_end_matches('/'))
        .with_client_options(client_options())
        .with_retry(retry_config())
        .build()
        .map_err(|e| ZarrError::UnsupportedLocation { location: location.into(), detail: format!("not a usable URL ({})", one_line(&e)) })?;
    Ok(Arc::new(store))
}

/// An S3 (or S3-compatible) store from the usual environment variables (AWS_ACCESS_KEY_ID,
/// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION/AWS_DEFAULT_REGION,
/// AWS_ENDPOINT_URL); without credentials the requests are anonymous (a public bucket).
fn s3_store(location: &str, rest: &str) -> Result<Arc<dyn ObjectStore>, ZarrError> {
    use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(ZarrError::UnsupportedLocation { location: location.into(), detail: "no bucket: give s3://BUCKET/PATH/store.zarr".into() });
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket).with_client_options(client_options()).with_retry(retry_config());
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if env("AWS_ACCESS_KEY_ID").is_none() && env("AWS_WEB_IDENTITY_TOKEN_FILE").is_none() {
        builder = builder.with_skip_signature(true);
    }
    if builder.get_config_value(&AmazonS3ConfigKey::Region).is_none() && env("AWS_REGION").is_none() {
        builder = builder.with_region("us-east-1");
    }
    // AWS_ENDPOINT_URL as boto3 reads it (object_store's own name is AWS_ENDPOINT)
    if let Some(endpoint) = env("AWS_ENDPOINT_URL").or_else(|| env("AWS_ENDPOINT_URL_S3")) {
        builder = builder.with_endpoint(endpoint);
    }
    let store =
        builder.build().map_err(|e| ZarrError::UnsupportedLocation { location: location.into(), detail: format!("cannot configure S3 ({})", one_line(&e)) })?;
    let prefix = prefix.trim_end_matches('/');
    Ok(if prefix.is_empty() { Arc::new(store) } else { Arc::new(object_store::prefix::PrefixStore::new(store, prefix)) })
}

fn remote(_location: &str, store: Arc<dyn ObjectStore>) -> Result<ReadableStorage, ZarrError> {
    let ranges = AsyncToSyncStorageAdapter::new(Arc::new(AsyncObjectStore::new(store.clone())), TokioBlockOn);
    Ok(Arc::new(RemoteStorage { store, ranges }))
}

/// A remote store read synchronously. A whole value (metadata, a chunk) is one plain GET:
/// zarrs' adapter would ask for its size first and then for a byte range, two requests where
/// one does, and the second fails on servers without range requests. Byte ranges (sharded
/// arrays) go through that adapter.
struct RemoteStorage {
    store: Arc<dyn ObjectStore>,
    ranges: AsyncToSyncStorageAdapter<AsyncObjectStore<Arc<dyn ObjectStore>>, TokioBlockOn>,
}

impl ReadableStorageTraits for RemoteStorage {
    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        use object_store::ObjectStoreExt;
        runtime().block_on(async {
            match self.store.get(&object_store::path::Path::from(key.as_str())).await {
                Ok(found) => found.bytes().await.map(Some).map_err(|e| StorageError::Other(e.to_string())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(StorageError::Other(e.to_string())),
            }
        })
    }

    fn get_partial_many<'a>(&'a self, key: &StoreKey, byte_ranges: ByteRangeIterator<'a>) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.ranges.get_partial_many(key, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.ranges.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        true
    }
}

/// Runs the object store's futures on a runtime of this module's own, from whichever thread
/// reads (rayon workers, the caller's thread); never called from inside an async context.
struct TokioBlockOn;

impl AsyncToSyncBlockOn for TokioBlockOn {
    fn block_on<F: core::future::Future>(&self, future: F) -> F::Output {
        runtime().block_on(future)
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("stormtrack-zarr-io")
            .enable_all()
            .build()
            .expect("a tokio runtime for remote Zarr stores")
    })
}

/// The value at `key`, `None` where absent.
pub(super) fn get(storage: &ReadableStorage, location: &str, key: &str) -> Result<Option<Vec<u8>>, ZarrError> {
    let k = StoreKey::new(key).map_err(|e| ZarrError::BadMetadata { location: location.into(), key: key.into(), detail: one_line(&e) })?;
    let bytes = storage.get(&k).map_err(|e| super::error::storage_error(location, &e))?;
    Ok(bytes.map(|b| b.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_directories_are_zarr_locations() {
        assert!(is_zarr_location(Path::new("https://example.org/era5.zarr")));
        assert!(is_zarr_location(Path::new("s3://bucket/era5.zarr")));
        assert!(is_zarr_location(Path::new("missing.zarr")));
        assert!(!is_zarr_location(Path::new("missing.nc")));
        assert!(is_zarr_location(Path::new(env!("CARGO_MANIFEST_DIR"))));
    }

    #[test]
    fn unknown_schemes_say_what_is_read() {
        let e = open_storage("ftp://host/x.zarr").err().unwrap().to_string();
        assert!(e.contains("only local directories"), "{e}");
        let e = open_storage("gs://bucket/x.zarr").err().unwrap().to_string();
        assert!(e.contains("storage.googleapis.com"), "{e}");
        let e = open_storage("/nonexistent/x.zarr").err().unwrap().to_string();
        assert!(e.contains("does not exist"), "{e}");
    }
}
