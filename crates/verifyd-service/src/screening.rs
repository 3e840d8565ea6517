//! The sanctions/PEP lists a server screens against, and their import.
//!
//! Lists come from two places: files in `sanctions_dir` (read at start, handy for a quick try)
//! and lists imported into the database by `verifyd lists import` or the scheduled refresh.
//! An imported list replaces the same list from the folder, and a re-import replaces the
//! previous import in one statement. Every node notices a new import within
//! [`RECHECK_EVERY`] by comparing the stored import times, rebuilds its index on the blocking
//! pool and swaps it in; requests that arrive during a rebuild keep using the previous index,
//! so no node ever restarts or screens against half a list.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use verifyd_core::{CoreError, FieldErrors};
use verifyd_screening::model::{Entity, Source};
use verifyd_screening::Index;
use verifyd_store::sanctions::SanctionsListInfo;
use verifyd_store::Store;

use crate::{ServiceError, ServiceResult, Services};

/// How often a node asks the database whether a list was imported since its last build.
pub const RECHECK_EVERY: Duration = Duration::from_secs(5);

/// Which imported lists (and when) an index was built from.
type Generation = Vec<(String, i64)>;

/// The current index and where it came from; shared by every request of a node.
pub struct ScreeningLists {
    store: Store,
    sanctions_dir: Option<PathBuf>,
    current: RwLock<Option<Loaded>>,
    /// Held while checking the database or rebuilding, so a node rebuilds once per change.
    refresh: Mutex<Option<Instant>>,
}

#[derive(Clone)]
struct Loaded {
    generation: Generation,
    index: Option<Arc<Index>>,
}

impl std::fmt::Debug for ScreeningLists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScreeningLists")
            .field("sanctions_dir", &self.sanctions_dir)
            .finish_non_exhaustive()
    }
}

/// The result of importing one list.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// The stored list.
    pub info: SanctionsListInfo,
    /// False when the files were identical to the stored copy (nothing was written).
    pub changed: bool,
}

impl ScreeningLists {
    /// Lists from the database plus the files in `sanctions_dir`; nothing is read until the
    /// first screening.
    pub fn new(store: Store, sanctions_dir: Option<PathBuf>) -> Self {
        Self {
            store,
            sanctions_dir,
            current: RwLock::new(None),
            refresh: Mutex::new(None),
        }
    }

    fn loaded(&self) -> Option<Loaded> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// The index to screen with (`None`: no list loaded at all). `build` runs the CPU-heavy
    /// parse-and-index step on the blocking pool.
    pub(crate) async fn index<F, Fut>(&self, build: F) -> ServiceResult<Option<Arc<Index>>>
    where
        F: FnOnce(Box<dyn FnOnce() -> Option<Arc<Index>> + Send>) -> Fut,
        Fut: std::future::Future<Output = ServiceResult<Option<Arc<Index>>>>,
    {
        let loaded = self.loaded();
        let mut guard = match (&loaded, self.refresh.try_lock()) {
            (_, Ok(guard)) => guard,
            // Another request is checking or rebuilding: keep serving the index we have.
            (Some(loaded), Err(_)) => return Ok(loaded.index.clone()),
            (None, Err(_)) => self.refresh.lock().await,
        };
        if let Some(loaded) = self.loaded() {
            if guard.is_some_and(|at| at.elapsed() < RECHECK_EVERY) {
                return Ok(loaded.index);
            }
        }
        let infos = self.store.sanctions_lists().await?;
        let generation: Generation = infos
            .iter()
            .map(|i| (i.source.clone(), i.imported_at.timestamp_micros()))
            .collect();
        *guard = Some(Instant::now());
        if let Some(loaded) = self.loaded() {
            if loaded.generation == generation {
                return Ok(loaded.index);
            }
        }
        let stored = self.store.sanctions_list_entities().await?;
        let dir = self.sanctions_dir.clone();
        let index = build(Box::new(move || build_index(dir, stored))).await?;
        if let Ok(mut current) = self.current.write() {
            *current = Some(Loaded {
                generation,
                index: index.clone(),
            });
        }
        Ok(index)
    }
}

/// Builds one index from the folder's files and the stored lists; a stored list replaces the
/// folder's copy of the same source. A list that fails to load is logged and left out.
fn build_index(dir: Option<PathBuf>, stored: Vec<(String, String)>) -> Option<Arc<Index>> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut imported: Vec<Source> = Vec::new();
    for (slug, json) in stored {
        match serde_json::from_str::<Vec<Entity>>(&json) {
            Ok(list) => {
                imported.extend(Source::from_slug(&slug));
                entities.extend(list);
            }
            Err(e) => {
                tracing::error!(source = %slug, error = %e, "stored sanctions list unreadable; left out")
            }
        }
    }
    if let Some(dir) = dir {
        match verifyd_screening::import::load_path(&dir) {
            Ok(files) => {
                entities.extend(files.into_iter().filter(|e| !imported.contains(&e.source)))
            }
            Err(e) => {
                tracing::error!(dir = %dir.display(), error = %e, "loading sanctions lists failed; folder left out")
            }
        }
    }
    if entities.is_empty() {
        tracing::warn!("no sanctions lists loaded; AML checks will be In Review");
        return None;
    }
    tracing::info!(
        entities = entities.len(),
        imported = imported.len(),
        "sanctions index built"
    );
    Some(Arc::new(Index::new(entities)))
}

impl Services {
    /// Parses the files of one published list and stores it, replacing the previous import of
    /// that list at once; identical files are not written again. Running servers pick the new
    /// list up within [`RECHECK_EVERY`].
    pub async fn import_sanctions_list(
        &self,
        source: &str,
        origin: &str,
        files: Vec<Vec<u8>>,
    ) -> ServiceResult<ImportOutcome> {
        let Some(list) = Source::from_slug(source) else {
            let known: Vec<&str> = Source::ALL.iter().map(|s| s.slug()).collect();
            return Err(FieldErrors::single(
                "source",
                format!(
                    "Unknown list \"{source}\"; expected one of {}.",
                    known.join(", ")
                ),
            )
            .into());
        };
        let mut hasher = Sha256::new();
        for f in &files {
            hasher.update((f.len() as u64).to_le_bytes());
            hasher.update(f);
        }
        let sha = hex::encode(hasher.finalize());
        let existing = self.store.sanctions_lists().await?;
        if let Some(info) = existing
            .into_iter()
            .find(|i| i.source == source && i.content_sha256 == sha)
        {
            return Ok(ImportOutcome {
                info,
                changed: false,
            });
        }
        let parsed = tokio::task::spawn_blocking(move || {
            verifyd_screening::import::parse_source(list, &files)
                .map_err(|e| e.to_string())
                .and_then(|entities| {
                    serde_json::to_string(&entities)
                        .map(|json| (entities.len(), json))
                        .map_err(|e| e.to_string())
                })
        })
        .await
        .map_err(|e| ServiceError::internal("list import task", e))?;
        let (count, json) = parsed.map_err(|e| {
            CoreError::Rejected(format!("The {source} list could not be read: {e}"))
        })?;
        if count == 0 {
            return Err(CoreError::Rejected(format!(
                "The files hold no {source} entities; the stored list was left unchanged."
            ))
            .into());
        }
        let info = SanctionsListInfo {
            source: source.to_owned(),
            origin: origin.to_owned(),
            content_sha256: sha,
            entity_count: i64::try_from(count).unwrap_or(i64::MAX),
            imported_at: self.now_distinct_from_stored().await?,
        };
        self.store.replace_sanctions_list(&info, &json).await?;
        tracing::info!(source, entities = count, origin, "sanctions list imported");
        Ok(ImportOutcome {
            info,
            changed: true,
        })
    }

    /// The imported lists.
    pub async fn sanctions_lists(&self) -> ServiceResult<Vec<SanctionsListInfo>> {
        Ok(self.store.sanctions_lists().await?)
    }

    /// The import time: now, but always after every stored import so nodes see a change even
    /// when two imports land within one clock tick.
    async fn now_distinct_from_stored(&self) -> ServiceResult<DateTime<Utc>> {
        let now = self.clock.now();
        let latest = self
            .store
            .sanctions_lists()
            .await?
            .into_iter()
            .map(|i| i.imported_at)
            .max();
        Ok(match latest {
            Some(latest) if latest >= now => latest + chrono::Duration::microseconds(1),
            _ => now,
        })
    }
}
