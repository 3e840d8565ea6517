//! Binary objects (document photos, selfies, reports): a local folder by default, any
//! S3-compatible bucket when configured. Objects are sealed before they are written, so the
//! bucket never holds readable biometric data.

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use std::sync::Arc;

use crate::{Cipher, StoreError, StoreResult};

/// Sealed object storage.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    cipher: Cipher,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore").finish_non_exhaustive()
    }
}

impl BlobStore {
    /// Objects as files under `root` (created if missing).
    pub fn local(root: &std::path::Path, cipher: Cipher) -> StoreResult<Self> {
        std::fs::create_dir_all(root)
            .map_err(|e| StoreError::Config(format!("cannot create blob folder: {e}")))?;
        let fs = LocalFileSystem::new_with_prefix(root)?;
        Ok(Self {
            inner: Arc::new(fs),
            cipher,
        })
    }

    /// Objects in an S3-compatible bucket, e.g. `s3://bucket/prefix`; credentials and endpoint
    /// come from the standard `AWS_*` environment variables.
    pub fn from_url(url: &str, cipher: Cipher) -> StoreResult<Self> {
        let parsed =
            url::Url::parse(url).map_err(|e| StoreError::Config(format!("blob URL: {e}")))?;
        let (store, _prefix) = object_store::parse_url_opts(&parsed, std::env::vars())?;
        Ok(Self {
            inner: Arc::from(store),
            cipher,
        })
    }

    /// Writes `data` under `key`, sealed.
    pub async fn put(&self, key: &str, data: &[u8]) -> StoreResult<()> {
        let sealed = self.cipher.seal(data)?;
        self.inner
            .put(
                &ObjectPath::from(key),
                PutPayload::from(Bytes::from(sealed)),
            )
            .await?;
        Ok(())
    }

    /// Reads and opens the object at `key`; `None` when absent.
    pub async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        match self.inner.get(&ObjectPath::from(key)).await {
            Ok(result) => {
                let bytes = result.bytes().await?;
                let text = std::str::from_utf8(&bytes)
                    .map_err(|_| StoreError::Corrupt("blob is not sealed text".to_owned()))?;
                Ok(Some(self.cipher.open(text)?))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the object at `key`; absent objects are not an error.
    pub async fn delete(&self, key: &str) -> StoreResult<()> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
