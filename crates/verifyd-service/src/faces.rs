//! The 1:N face index of each application: enrolment (sessions, list entries, face-search
//! probes), search, and `POST /v3/face-search/`.
//!
//! Templates live sealed in the database (`face_templates`), so every node sees the same
//! index and a deleted session takes its face with it. Each node keeps an in-memory exact
//! index per application and brings it up to date before a search: new rows are read by
//! enrolment time, and a count that disagrees with the cache (a deletion on any node) makes
//! it reload. Face-search probes are enrolled but never indexed: repeated searches must not
//! match each other (contract).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;
use uuid::Uuid;
use verifyd_core::ids::{AppId, SessionId};
use verifyd_core::tenant::{Application, Environment};
use verifyd_faces::report::{
    image_faces, ImageFaces, LogType, Warning, WarningCode, WarningFeature,
};
use verifyd_faces::{AnalyzeOptions, FaceIndex, ScoreCalibration, Template};
use verifyd_store::faces::FaceTemplateRow;

use crate::checks::{ApiRequest, ApiResponse};
use crate::{ServiceError, ServiceResult, Services};

/// At most this many matches are returned (contract).
pub const MAX_MATCHES: usize = 5;
/// Calibrated score (0–100, as for 1:1) below which a face is not a match at all: 50 is the
/// score of the calibration's midpoint (dlib distance 0.6, the recogniser's own threshold).
pub const SIMILARITY_FLOOR: f32 = 50.0;
/// Score from which a match is taken as the same person rather than a possible one (the
/// workflows' default face-match review threshold).
pub const SAME_PERSON_SCORE: f32 = 70.0;
/// Candidates examined when a search is restricted to some sources.
const FILTERED_CANDIDATES: usize = 100;

/// Where an enrolled face came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateSource {
    /// A verification session's selfie (or a saved standalone check).
    Session,
    /// A face added to a block- or allowlist.
    ListEntry,
    /// A face-search probe: kept, never a search result.
    FaceSearch,
}

impl TemplateSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::ListEntry => "list_entry",
            Self::FaceSearch => "face_search",
        }
    }
}

/// A face to add to an application's index.
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// The session (or saved API request) it came from.
    pub session_id: Option<Uuid>,
    /// The list entry it belongs to.
    pub list_entry_id: Option<Uuid>,
    /// Its source.
    pub source: TemplateSource,
    /// `blocklist` or `allowlist` for list entries.
    pub list_kind: Option<String>,
    /// The standalone check of a saved API call (`PASSIVE_LIVENESS` …).
    pub api_service: Option<String>,
    /// The status of that session or check.
    pub status: Option<String>,
    /// The integrator's reference.
    pub vendor_data: Option<String>,
}

/// What is known of an indexed face besides its template.
#[derive(Debug, Clone)]
struct FaceMeta {
    session_id: Option<Uuid>,
    source: String,
    list_kind: Option<String>,
    api_service: Option<String>,
    status: Option<String>,
    vendor_data: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Clone, Default)]
struct Snapshot {
    index: FaceIndex<Uuid>,
    meta: HashMap<Uuid, FaceMeta>,
}

#[derive(Default)]
struct AppFaces {
    snapshot: Arc<Snapshot>,
    /// Enrolment time of the newest row read; the next sync reads from there.
    watermark: Option<DateTime<Utc>>,
}

/// The per-application indexes of this node.
#[derive(Default)]
pub struct FaceIndexes {
    apps: std::sync::Mutex<HashMap<AppId, Arc<Mutex<AppFaces>>>>,
}

impl std::fmt::Debug for FaceIndexes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceIndexes").finish_non_exhaustive()
    }
}

impl FaceIndexes {
    fn app(&self, app: AppId) -> Arc<Mutex<AppFaces>> {
        let mut apps = match self.apps.lock() {
            Ok(apps) => apps,
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(apps.entry(app).or_default())
    }
}

/// One face found by a search.
#[derive(Debug, Clone)]
pub struct FaceCandidate {
    /// The template id.
    pub template_id: Uuid,
    /// Calibrated similarity 0–100.
    pub score: f32,
    /// The session it came from.
    pub session_id: Option<Uuid>,
    /// `session` or `list_entry`.
    pub source: String,
    /// On a blocklist.
    pub is_blocklisted: bool,
    /// On an allowlist.
    pub is_allowlisted: bool,
    /// The standalone check of a saved API call.
    pub api_service: Option<String>,
    /// The status of its session or check.
    pub status: Option<String>,
    /// The integrator's reference of its session.
    pub vendor_data: Option<String>,
    /// When it was enrolled.
    pub enrolled_at: DateTime<Utc>,
}

/// Which enrolled faces a search considers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchScope {
    /// Every enrolled face, by similarity.
    MostSimilar,
    /// Block- and allowlisted faces and faces of approved sessions, blocklisted first.
    BlocklistedOrApproved,
}

impl SearchScope {
    /// The contract's `search_type` value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "most_similar" => Some(Self::MostSimilar),
            "blocklisted_or_approved" => Some(Self::BlocklistedOrApproved),
            _ => None,
        }
    }
}

/// `POST /v3/face-search/` inputs.
#[derive(Debug, Clone)]
pub struct FaceSearchInput {
    /// The face to search with.
    pub user_image: Vec<u8>,
    /// Which faces to consider.
    pub scope: SearchScope,
    /// Try quarter turns of the image.
    pub rotate: bool,
}

/// One element of `face_search.matches`.
#[derive(Debug, Clone, Serialize)]
pub struct FaceSearchMatch {
    /// The session the face came from.
    pub session_id: Option<Uuid>,
    /// Its number.
    pub session_number: Option<i64>,
    /// Calibrated similarity 0–100, two decimals.
    pub similarity_percentage: f64,
    /// `session` or `list_entry`.
    pub source: String,
    /// The session's vendor_data.
    pub vendor_data: Option<String>,
    /// When that session was verified.
    pub verification_date: Option<String>,
    /// Identity read from that session's document.
    pub user_details: Option<Value>,
    /// Not served: images stay inside the decision of their session.
    pub match_image_url: Option<String>,
    /// The session's status.
    pub status: Option<String>,
    /// On a blocklist.
    pub is_blocklisted: bool,
    /// On an allowlist.
    pub is_allowlisted: bool,
    /// The standalone check of a saved API call.
    pub api_service: Option<String>,
    /// The vendor user (the session's vendor_data identifies it here).
    pub vendor_user_id: Option<String>,
    /// The enrolled template.
    pub biometric_template_id: Option<Uuid>,
}

/// The `face_search` object.
#[derive(Debug, Clone, Serialize)]
pub struct FaceSearchResult {
    /// `Declined` only on a blocklist hit.
    pub status: String,
    /// `matches.len()`.
    pub total_matches: usize,
    /// Best first, at most [`MAX_MATCHES`].
    pub matches: Vec<FaceSearchMatch>,
    /// The faces found in the probe.
    pub user_image: ImageFaces,
    /// Blocklist, duplicate and multiple-face warnings.
    pub warnings: Vec<Warning>,
}

impl Services {
    /// Adds a face to the application's index.
    pub async fn enroll_face(
        &self,
        app: AppId,
        template: &Template,
        enrollment: Enrollment,
    ) -> ServiceResult<Uuid> {
        let row = FaceTemplateRow {
            id: Uuid::new_v4(),
            session_id: enrollment.session_id,
            list_entry_id: enrollment.list_entry_id,
            source: enrollment.source.as_str().to_owned(),
            list_kind: enrollment.list_kind,
            api_service: enrollment.api_service,
            status: enrollment.status,
            vendor_data: enrollment.vendor_data,
            template: template.to_bytes(),
            created_at: self.clock.now(),
        };
        self.store.insert_face_template(app, &row).await?;
        Ok(row.id)
    }

    /// Brings this node's index of `app` up to date and returns it.
    async fn face_snapshot(&self, app: AppId) -> ServiceResult<Arc<Snapshot>> {
        let state = self.face_indexes.app(app);
        let mut state = state.lock().await;
        let mut rows = self
            .store
            .searchable_face_templates_since(app, state.watermark)
            .await?;
        let count = self.store.searchable_face_template_count(app).await?;
        let cached = state.snapshot.index.len();
        let fresh: usize = rows
            .iter()
            .filter(|r| !state.snapshot.meta.contains_key(&r.id))
            .count();
        if usize::try_from(count).unwrap_or(usize::MAX) != cached + fresh {
            // Something was deleted (here or on another node): read everything again.
            rows = self
                .store
                .searchable_face_templates_since(app, None)
                .await?;
            state.snapshot = Arc::new(Snapshot::default());
        }
        if !rows.is_empty() {
            let AppFaces {
                snapshot,
                watermark,
            } = &mut *state;
            let snapshot = Arc::make_mut(snapshot);
            for row in rows {
                let Ok(template) = Template::from_bytes(&row.template) else {
                    tracing::error!(template = %row.id, "unreadable face template skipped");
                    continue;
                };
                *watermark = Some(watermark.map_or(row.created_at, |w| w.max(row.created_at)));
                snapshot.index.insert(row.id, &template);
                snapshot.meta.insert(
                    row.id,
                    FaceMeta {
                        session_id: row.session_id,
                        source: row.source,
                        list_kind: row.list_kind,
                        api_service: row.api_service,
                        status: row.status,
                        vendor_data: row.vendor_data,
                        created_at: row.created_at,
                    },
                );
            }
        }
        Ok(Arc::clone(&state.snapshot))
    }

    /// The enrolled faces most similar to `template` (score ≥ [`SIMILARITY_FLOOR`]), best
    /// first (blocklisted first for [`SearchScope::BlocklistedOrApproved`]).
    pub async fn search_faces(
        &self,
        app: AppId,
        template: Template,
        scope: SearchScope,
        limit: usize,
    ) -> ServiceResult<Vec<FaceCandidate>> {
        let snapshot = self.face_snapshot(app).await?;
        let found = self
            .engines
            .run(move || {
                let calibration = ScoreCalibration::default();
                let k = match scope {
                    SearchScope::MostSimilar => limit,
                    SearchScope::BlocklistedOrApproved => limit.max(FILTERED_CANDIDATES),
                };
                let hits = snapshot
                    .index
                    .search(&template, k, SIMILARITY_FLOOR, &calibration);
                let mut out: Vec<FaceCandidate> = hits
                    .into_iter()
                    .filter_map(|hit| {
                        let meta = snapshot.meta.get(&hit.id)?;
                        Some(FaceCandidate {
                            template_id: hit.id,
                            score: hit.score,
                            session_id: meta.session_id,
                            source: meta.source.clone(),
                            is_blocklisted: meta.list_kind.as_deref() == Some("blocklist"),
                            is_allowlisted: meta.list_kind.as_deref() == Some("allowlist"),
                            api_service: meta.api_service.clone(),
                            status: meta.status.clone(),
                            vendor_data: meta.vendor_data.clone(),
                            enrolled_at: meta.created_at,
                        })
                    })
                    .collect();
                if scope == SearchScope::BlocklistedOrApproved {
                    out.retain(|c| {
                        c.is_blocklisted
                            || c.is_allowlisted
                            || c.status.as_deref() == Some("Approved")
                    });
                    // Stable: blocklisted first, each group still best first.
                    out.sort_by_key(|c| !c.is_blocklisted);
                }
                out.truncate(limit);
                out
            })
            .await?;
        Ok(found)
    }

    /// `POST /v3/face-search/`: the probe's largest face against the application's index.
    pub async fn face_search(
        &self,
        app: &Application,
        input: FaceSearchInput,
        request: ApiRequest,
    ) -> ServiceResult<ApiResponse<FaceSearchResult>> {
        // Sandbox keys get the static Approved mock: nothing is analysed, searched or stored.
        if app.environment == Environment::Sandbox {
            let result = FaceSearchResult {
                status: "Approved".to_owned(),
                total_matches: 0,
                matches: Vec::new(),
                user_image: crate::checks::mocks::one_face(),
                warnings: Vec::new(),
            };
            return Ok(self.envelope(request, result));
        }
        let engine = self.engines.faces().await?;
        let rotate = input.rotate;
        let image = input.user_image;
        let analysis = self
            .engines
            .run(move || {
                engine.analyze(
                    &image,
                    AnalyzeOptions {
                        liveness: false,
                        age: true,
                        rotate,
                    },
                )
            })
            .await?
            .map_err(|e| crate::checks::face_error("user_image", e))?;
        let Some(main) = analysis.main.as_ref() else {
            return Err(verifyd_core::CoreError::BadInput(
                "No face detected in the image".to_owned(),
            )
            .into());
        };
        let mut warnings = Vec::new();
        if analysis.other_faces() > 0 {
            warnings.push(Warning::new(
                WarningCode::MultipleFacesDetected,
                WarningFeature::Liveness,
                LogType::Warning,
                None,
            ));
        }
        let user_image = image_faces(&analysis);
        let template = main.template.clone();
        let candidates = self
            .search_faces(app.id, template.clone(), input.scope, MAX_MATCHES)
            .await?;
        let mut matches = Vec::with_capacity(candidates.len());
        for candidate in &candidates {
            matches.push(self.describe_match(app.id, candidate).await?);
        }
        warnings.extend(match_warnings(&candidates, &matches));
        let declined = warnings.iter().any(|w| {
            matches!(
                w.risk,
                WarningCode::FaceInBlocklist | WarningCode::PossibleFaceInBlocklist
            )
        });
        let result = FaceSearchResult {
            status: if declined { "Declined" } else { "Approved" }.to_owned(),
            total_matches: matches.len(),
            matches,
            user_image,
            warnings,
        };
        if request.save {
            self.enroll_face(
                app.id,
                &template,
                Enrollment {
                    session_id: None,
                    list_entry_id: None,
                    source: TemplateSource::FaceSearch,
                    list_kind: None,
                    api_service: Some("FACE_SEARCH".to_owned()),
                    status: Some(result.status.clone()),
                    vendor_data: request.vendor_data.clone(),
                },
            )
            .await?;
        }
        Ok(self.envelope(request, result))
    }

    /// The contract's view of a candidate, with its session's details when it still exists.
    async fn describe_match(
        &self,
        app: AppId,
        candidate: &FaceCandidate,
    ) -> ServiceResult<FaceSearchMatch> {
        let mut out = FaceSearchMatch {
            session_id: candidate.session_id,
            session_number: None,
            similarity_percentage: (f64::from(candidate.score) * 100.0).round() / 100.0,
            source: candidate.source.clone(),
            vendor_data: candidate.vendor_data.clone(),
            verification_date: Some(verifyd_core::session::iso(candidate.enrolled_at)),
            user_details: None,
            match_image_url: None,
            status: candidate.status.clone(),
            is_blocklisted: candidate.is_blocklisted,
            is_allowlisted: candidate.is_allowlisted,
            api_service: candidate.api_service.clone(),
            vendor_user_id: candidate.vendor_data.clone(),
            biometric_template_id: Some(candidate.template_id),
        };
        let Some(session_id) = candidate.session_id else {
            return Ok(out);
        };
        let session = match self.session(app, SessionId(session_id)).await {
            Ok(session) => session,
            Err(ServiceError::Core(verifyd_core::CoreError::NotFound(_))) => return Ok(out),
            Err(e) => return Err(e),
        };
        out.session_number = Some(session.number);
        out.status = Some(session.status.to_string());
        out.vendor_data = session.vendor_data.clone();
        out.vendor_user_id = session.vendor_data.clone();
        out.verification_date = Some(verifyd_core::session::iso(session.updated_at));
        let decision = self.decision_of(&session).await?;
        out.user_details = decision["id_verifications"]
            .as_array()
            .and_then(|docs| docs.last())
            .map(|doc| {
                json!({
                    "full_name": doc["full_name"],
                    "document_type": doc["document_type"],
                    "document_number": doc["document_number"],
                })
            });
        Ok(out)
    }
}

/// The blocklist and duplicate warnings of a search: one per kind, for its best match.
pub fn match_warnings(candidates: &[FaceCandidate], matches: &[FaceSearchMatch]) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = Vec::new();
    for (candidate, described) in candidates.iter().zip(matches) {
        let strong = candidate.score >= SAME_PERSON_SCORE;
        let (code, log_type, key) = if candidate.is_blocklisted {
            let code = if strong {
                WarningCode::FaceInBlocklist
            } else {
                WarningCode::PossibleFaceInBlocklist
            };
            (code, LogType::Error, "blocklisted")
        } else if candidate.is_allowlisted {
            continue;
        } else {
            let code = if strong {
                WarningCode::DuplicatedFace
            } else {
                WarningCode::PossibleDuplicatedFace
            };
            (code, LogType::Information, "duplicated")
        };
        if warnings.iter().any(|w| w.risk == code) {
            continue;
        }
        warnings.push(Warning::new(
            code,
            WarningFeature::Liveness,
            log_type,
            Some(json!({
                format!("{key}_session_id"): described.session_id,
                format!("{key}_session_number"): described.session_number,
                "api_service": described.api_service,
                "similarity_percentage": described.similarity_percentage,
            })),
        ));
    }
    warnings
}
