//! The sanctions/PEP lists a server screens against, and their import.
//!
//! Lists come from two places: files in `sanctions_dir` (read at start, handy for a quick try)
//! and lists imported into the database by `verifyd lists import` or the scheduled refresh.
//! An imported list replaces the same list from the folder, and a re-import replaces the
//! previous import in one statement. Every node notices a new import within
//! [`RECHECK_EVERY`] by comparing the stored import times, rebuilds its index on the blocking
//! pool and swaps it in; requests that arrive during a rebuild keep using the previous index,
//! so no node ever restarts or screens against half a list.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use verifyd_core::{CoreError, FieldErrors};
use verifyd_screening::model::{Entity, Source};
use verifyd_screening::Index;
use verifyd_store::sanctions::SanctionsListInfo;
use verifyd_store::Store;

use serde_json::{json, Value};
use verifyd_core::ids::WorkflowId;
use verifyd_core::session::{ReviewItem, Session};
use verifyd_core::status::SessionStatus;
use verifyd_core::tenant::Environment;
use verifyd_core::workflow::WorkflowSpec;
use verifyd_screening::{Query, QueryDate, QueryEntityType, ScreenOptions, Thresholds};

use crate::{ServiceError, ServiceResult, Services};

/// Sessions read per page by the ongoing-monitoring job.
const MONITORING_PAGE: i64 = 200;

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

    /// Makes the next screening look at the database again (after an import by this node).
    pub(crate) async fn invalidate(&self) {
        *self.refresh.lock().await = None;
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
            .iter()
            .find(|i| i.source == source && i.content_sha256 == sha)
        {
            return Ok(ImportOutcome {
                info: info.clone(),
                changed: false,
            });
        }
        // Always after every stored import, so nodes see a change even when two imports land
        // within one clock tick.
        let now = self.clock.now();
        let imported_at = match existing.iter().map(|i| i.imported_at).max() {
            Some(latest) if latest >= now => latest + chrono::Duration::microseconds(1),
            _ => now,
        };
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
            imported_at,
        };
        self.store.replace_sanctions_list(&info, &json).await?;
        self.engines.screening_lists().invalidate().await;
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
}

/// The AML thresholds of a workflow: a score above `aml_review_threshold` is reviewed, above
/// `aml_decline_threshold` declined.
pub fn workflow_aml_thresholds(spec: &WorkflowSpec) -> Thresholds {
    Thresholds {
        approve: spec.aml_review_threshold,
        review: spec.aml_decline_threshold,
        ..Thresholds::default()
    }
}

/// What one ongoing-monitoring run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonitoringReport {
    /// Approved sessions whose screening was repeated.
    pub screened: usize,
    /// Of those, the ones with hits they did not have before (each got a `data.updated`).
    pub with_new_hits: usize,
}

/// The query an `aml_screenings` element was screened with (its `screened_data`).
fn query_of(element: &Value) -> Option<Query> {
    let data = element.get("screened_data")?;
    let text = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(Query {
        full_name: text("full_name").filter(|n| !n.trim().is_empty())?,
        entity_type: Some(
            element
                .get("entity_type")
                .and_then(Value::as_str)
                .and_then(QueryEntityType::parse)
                .unwrap_or(QueryEntityType::Person),
        ),
        date_of_birth: text("date_of_birth").and_then(|d| QueryDate::parse(&d)),
        nationality: text("nationality"),
        gender: None,
        document_number: text("document_number"),
    })
}

/// The ids of an element's hits (`un-6907993`, `ofac-2674` …).
fn hit_ids(element: &Value) -> Vec<String> {
    element
        .get("hits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| h.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

impl Services {
    /// Ongoing monitoring: re-screens the latest AML screening of every approved live session
    /// against the lists loaded now. A session whose screening finds a hit it did not have
    /// before gets the new result in place of the old one (same node), an activity item, and
    /// a `data.updated` webhook; its status stays as the reviewer left it. Run after a list
    /// import changed something.
    pub async fn rescreen_approved_sessions(&self) -> ServiceResult<MonitoringReport> {
        let mut report = MonitoringReport::default();
        let Some(index) = self.engines.screening().await? else {
            return Ok(report);
        };
        // Thresholds by workflow version: sessions share a few of them.
        let mut thresholds = HashMap::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .approved_sessions_after(after, MONITORING_PAGE)
                .await?;
            let Some(last) = page.last() else {
                break;
            };
            after = Some(last.id);
            for session in page {
                if session.environment != Environment::Live {
                    continue;
                }
                if self
                    .rescreen_session(session, &index, &mut thresholds, &mut report)
                    .await?
                {
                    report.with_new_hits += 1;
                }
            }
        }
        if report.with_new_hits > 0 {
            tracing::info!(
                screened = report.screened,
                new_hits = report.with_new_hits,
                "ongoing AML monitoring found new hits"
            );
        }
        Ok(report)
    }

    /// Re-screens one session; true when it had new hits (and was updated).
    async fn rescreen_session(
        &self,
        mut session: Session,
        index: &Arc<Index>,
        thresholds: &mut HashMap<(WorkflowId, i64), Thresholds>,
        report: &mut MonitoringReport,
    ) -> ServiceResult<bool> {
        let elements = session.results_of("aml_screenings");
        let Some((position, element)) = elements.iter().enumerate().next_back() else {
            return Ok(false);
        };
        let Some(query) = query_of(element) else {
            return Ok(false);
        };
        report.screened += 1;
        let key = (session.workflow_id, session.workflow_version);
        let thresholds = match thresholds.get(&key) {
            Some(known) => *known,
            None => {
                let found = workflow_aml_thresholds(&self.session_spec(&session).await?);
                thresholds.insert(key, found);
                found
            }
        };
        let index = Arc::clone(index);
        let result = self
            .engines
            .run(move || {
                let hits = index.screen_with(&query, &ScreenOptions::default());
                verifyd_screening::decide(&query, &hits, &thresholds)
            })
            .await?;
        let mut fresh =
            serde_json::to_value(result).map_err(|e| ServiceError::internal("aml element", e))?;
        let known = hit_ids(element);
        let new: Vec<String> = hit_ids(&fresh)
            .into_iter()
            .filter(|id| !known.contains(id))
            .collect();
        if new.is_empty() {
            return Ok(false);
        }
        if let (Some(object), Some(node)) = (fresh.as_object_mut(), element.get("node_id")) {
            object.insert("node_id".into(), node.clone());
            object.insert("ongoing_monitoring".into(), json!(true));
        }
        let mut updated = elements.clone();
        if let Some(slot) = updated.get_mut(position) {
            *slot = fresh;
        }
        session
            .results
            .insert("aml_screenings".into(), Value::Array(updated));
        let now = self.clock.now();
        session.updated_at = now;
        self.save_session_data_updated(&session).await?;
        let item = ReviewItem {
            id: uuid::Uuid::new_v4().to_string(),
            action: "aml_ongoing_monitoring".to_owned(),
            old_status: Some(SessionStatus::Approved),
            new_status: Some(session.status),
            note: Some(format!(
                "Ongoing AML monitoring: new hit(s) {}",
                new.join(", ")
            )),
            reviewed_by: "system".to_owned(),
            created_at: now,
        };
        self.store
            .add_review(session.app_id, session.id, &item)
            .await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::BillingSettings;
    use crate::test_support::services;
    use serde_json::Map;
    use verifyd_core::status::SessionStatus as Status;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../verifyd-screening/tests/fixtures/"
        );
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    /// An approved live session whose AML screening of `name` found nothing.
    async fn approved_session(
        services: &Services,
        name: &str,
    ) -> (Session, verifyd_core::tenant::Application) {
        let app = services
            .create_standalone_application("monitoring", Environment::Live)
            .await
            .unwrap()
            .app;
        let workflow = services
            .create_workflow(app.id, &obj(json!({"workflow_type": "kyc"})))
            .await
            .unwrap();
        let mut session = services
            .create_session(
                &app,
                &obj(json!({"workflow_id": workflow.id, "vendor_data": "u-1"})),
            )
            .await
            .unwrap()
            .session;
        session.results.insert(
            "aml_screenings".into(),
            json!([{"node_id": "feature_aml", "status": "Approved", "total_hits": 0, "hits": [],
                    "entity_type": "person", "warnings": [],
                    "screened_data": {"full_name": name, "date_of_birth": null,
                                      "nationality": null, "document_number": null}}]),
        );
        let session = services
            .transition(session, Status::InProgress, "status_change", None, "test")
            .await
            .unwrap();
        let session = services
            .transition(session, Status::Approved, "status_change", None, "test")
            .await
            .unwrap();
        (session, app)
    }

    #[tokio::test]
    async fn a_new_list_entry_updates_approved_sessions_once() {
        let dir = tempfile::tempdir().unwrap();
        let services = services(dir.path(), BillingSettings::default(), None).await;
        let (session, app) = approved_session(&services, "Eric Badege").await;
        let (clean, _) = approved_session(&services, "Margarethe Vandersloot").await;

        // No list yet: nothing to screen against, nothing changes.
        assert_eq!(
            services.rescreen_approved_sessions().await.unwrap(),
            MonitoringReport::default()
        );

        services
            .import_sanctions_list("un", "test", vec![fixture("un_excerpt.xml")])
            .await
            .unwrap();
        let report = services.rescreen_approved_sessions().await.unwrap();
        assert_eq!(
            report,
            MonitoringReport {
                screened: 2,
                with_new_hits: 1
            }
        );

        let after = services.session(app.id, session.id).await.unwrap();
        assert_eq!(after.status, Status::Approved);
        let element = &after.results_of("aml_screenings")[0];
        assert_eq!(element["node_id"], "feature_aml");
        assert_eq!(element["ongoing_monitoring"], true);
        assert!(
            hit_ids(element).contains(&"un-6907993".to_owned()),
            "{element}"
        );
        let reviews = services.store.reviews(app.id, session.id).await.unwrap();
        assert!(reviews.iter().any(|r| r.action == "aml_ongoing_monitoring"));
        let untouched = services.session(clean.app_id, clean.id).await.unwrap();
        assert!(hit_ids(&untouched.results_of("aml_screenings")[0]).is_empty());

        // The same lists again: the hit is known, nothing new.
        let report = services.rescreen_approved_sessions().await.unwrap();
        assert_eq!(
            report,
            MonitoringReport {
                screened: 2,
                with_new_hits: 0
            }
        );
    }
}
