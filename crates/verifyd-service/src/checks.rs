//! The standalone checks (`/v3/face-match/`, `/v3/passive-liveness/`, `/v3/age-estimation/`,
//! `/v3/id-verification/`, `/v3/aml/`): one use case each, wiring the engine libraries into the
//! contract's response objects.
//!
//! Engines are heavy (hundreds of MB of ONNX graphs, a sanctions index), so [`Engines`] loads
//! each one lazily on first use, on a blocking thread, and keeps it for the life of the
//! process. Inference is CPU-bound and synchronous: it always runs on `spawn_blocking` behind a
//! semaphore sized to the CPU count, so a burst of uploads queues instead of oversubscribing the
//! cores, and the async executor never runs a model.
//!
//! **An engine that cannot run never approves.** The two cases differ by what the contract can
//! express:
//! * Face and document checks: their standalone status enum is `Approved | Declined` only, and a
//!   made-up `Declined` would wrongly turn a person away. A missing or unloadable model folder
//!   is therefore [`ServiceError::Unavailable`] (HTTP 503, cause in the log); the load is retried
//!   on the next request, so installing the models fixes it without a restart.
//! * AML: the enum has `In Review`, so without lists (none imported, no `sanctions_dir`, or a
//!   folder that failed to load) the result is `In Review` with an `AML_LISTS_NOT_LOADED` warning
//!   and no hits — never a clean `Approved`.
//!
//! Sandbox applications get the contract's static Approved mocks without touching any engine.
//! Standalone results only approve or decline: a review-band document reading is Declined with
//! its warnings, as the face engine already does for its objects.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};
use uuid::Uuid;
use verifyd_core::tenant::{Application, Environment};
use verifyd_core::workflow::Feature;
use verifyd_core::FieldErrors;
use verifyd_documents::{DocumentError, DocumentPolicy, DocumentReader, IdVerification};
use verifyd_faces::report::{
    AgeEstimationResult, ApiStatus, FaceEntity, FaceMatchResult, ImageFaces, PassiveLivenessResult,
};
use verifyd_faces::{AnalyzeOptions, FaceAnalysis, FaceEngine, FaceError};
use verifyd_screening::decision::AmlWarning;
use verifyd_screening::{AmlResult, AmlStatus, Index, ScreenOptions};

use crate::faces::{Enrollment, TemplateSource};
use crate::screening::ScreeningLists;
use crate::{ServiceError, ServiceResult, Services};

/// The screening types callers build queries from, so the HTTP layer needs no engine crate.
pub use verifyd_screening::index::ScoreWeights;
pub use verifyd_screening::{Query, QueryDate, QueryEntityType, Thresholds as AmlThresholds};

/// Warning code of an AML result produced without any list loaded.
pub const AML_LISTS_NOT_LOADED: &str = "AML_LISTS_NOT_LOADED";

/// DRF's message for an upload that is not a readable image.
const NOT_AN_IMAGE: &str =
    "Upload a valid image. The file you uploaded was either not an image or a corrupted image.";

/// The loaded engines, each created on first use and then shared by every request.
pub struct Engines {
    models_dir: PathBuf,
    faces: OnceCell<Arc<FaceEngine>>,
    documents: OnceCell<Arc<DocumentReader>>,
    /// The sanctions lists (folder and imported), rebuilt when an import lands.
    lists: ScreeningLists,
    /// One permit per core: at most that many inferences run at once.
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Engines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engines")
            .field("models_dir", &self.models_dir)
            .field("lists", &self.lists)
            .field("faces_loaded", &self.faces.initialized())
            .field("documents_loaded", &self.documents.initialized())
            .finish_non_exhaustive()
    }
}

impl Engines {
    /// Engines reading models from `models_dir` and screening against `lists`; nothing is
    /// loaded until a check needs it.
    pub fn new(models_dir: PathBuf, lists: ScreeningLists) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            models_dir,
            faces: OnceCell::new(),
            documents: OnceCell::new(),
            lists,
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    /// Runs CPU-bound work on the blocking pool once a core is free. The permit moves into
    /// the task, so a client that hangs up does not free a core that is still busy.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> ServiceResult<T> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| ServiceError::internal("inference semaphore", e))?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| ServiceError::internal("inference task", e))
    }

    /// The face engine, loaded on first use (a failed load is retried next time).
    pub async fn faces(&self) -> ServiceResult<Arc<FaceEngine>> {
        let engine = self
            .faces
            .get_or_try_init(|| async {
                let dir = self.models_dir.clone();
                let loaded = self.run(move || FaceEngine::load(dir)).await?;
                loaded
                    .map(Arc::new)
                    .map_err(|e| ServiceError::unavailable("face engine", e))
            })
            .await?;
        Ok(Arc::clone(engine))
    }

    /// The document reader, loaded on first use from `<models_dir>/ocr`.
    pub async fn documents(&self) -> ServiceResult<Arc<DocumentReader>> {
        let reader = self
            .documents
            .get_or_try_init(|| async {
                let dir = self.models_dir.join("ocr");
                let loaded = self.run(move || DocumentReader::from_dir(&dir)).await?;
                loaded
                    .map(Arc::new)
                    .map_err(|e| ServiceError::unavailable("document reader", e))
            })
            .await?;
        Ok(Arc::clone(reader))
    }

    /// The sanctions lists behind [`Engines::screening`].
    pub(crate) fn screening_lists(&self) -> &ScreeningLists {
        &self.lists
    }

    /// The sanctions index from the folder and the imported lists (rebuilt after an import);
    /// `None` when no list is loaded at all.
    pub async fn screening(&self) -> ServiceResult<Option<Arc<Index>>> {
        self.lists.index(|build| self.run(build)).await
    }
}

/// What every standalone request carries besides its inputs.
#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    /// Echoed back.
    pub vendor_data: Option<String>,
    /// Echoed back (an object or absent).
    pub metadata: Option<Map<String, Value>>,
    /// `save_api_request` (default true).
    pub save: bool,
}

/// A standalone response: the envelope of contract §1.3 around one feature object.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    /// The request id (the API-type session's id once requests are persisted).
    pub request_id: Uuid,
    /// The feature object.
    pub result: T,
    /// Echo of the request's vendor_data.
    pub vendor_data: Option<String>,
    /// Echo of the request's metadata.
    pub metadata: Option<Map<String, Value>>,
    /// When the check ran.
    pub created_at: DateTime<Utc>,
}

impl<T: Serialize> ApiResponse<T> {
    /// The wire body, with the feature object under `key` (`face_match`, `liveness`, …).
    pub fn to_json(&self, key: &str) -> Value {
        let mut body = Map::new();
        body.insert("request_id".into(), json!(self.request_id));
        body.insert(
            key.into(),
            serde_json::to_value(&self.result).unwrap_or(Value::Null),
        );
        body.insert("vendor_data".into(), json!(self.vendor_data));
        body.insert("metadata".into(), json!(self.metadata));
        body.insert(
            "created_at".into(),
            json!(verifyd_core::session::iso(self.created_at)),
        );
        Value::Object(body)
    }
}

/// `POST /v3/face-match/` inputs.
#[derive(Debug, Clone)]
pub struct FaceMatchInput {
    /// The selfie.
    pub user_image: Vec<u8>,
    /// The reference image.
    pub ref_image: Vec<u8>,
    /// Score at or below which the match is Declined (default 30).
    pub decline_threshold: f32,
    /// Try the images turned by quarter turns.
    pub rotate: bool,
}

/// `POST /v3/passive-liveness/` and `/v3/age-estimation/` inputs.
#[derive(Debug, Clone)]
pub struct SelfieInput {
    /// The selfie.
    pub user_image: Vec<u8>,
    /// Liveness score at or below which the check is Declined (default 30).
    pub liveness_decline_threshold: f32,
    /// Minimum estimated age (age estimation only; default 18).
    pub minimum_age: f32,
    /// Try the image turned by quarter turns.
    pub rotate: bool,
}

/// `POST /v3/id-verification/` inputs.
#[derive(Debug, Clone)]
pub struct IdVerificationInput {
    /// The document's front.
    pub front_image: Vec<u8>,
    /// The back, for cards.
    pub back_image: Option<Vec<u8>>,
    /// Minimum holder age, if any.
    pub minimum_age: Option<u32>,
}

/// `POST /v3/aml/` inputs.
#[derive(Debug, Clone)]
pub struct AmlInput {
    /// Who to screen.
    pub query: Query,
    /// Match, approve and review thresholds.
    pub thresholds: verifyd_screening::Thresholds,
    /// Name / date of birth / country weights.
    pub weights: ScoreWeights,
}

/// The standalone `id_verification` object: the document element without its node id, with
/// the standalone status (`Approved | Declined`) in place of the feature status.
#[derive(Debug, Clone)]
pub struct StandaloneIdVerification {
    /// `Approved` only when the reading had no warning of `warning` or `error` severity.
    pub status: ApiStatus,
    /// The reading and its checks.
    pub reading: IdVerification,
}

impl Serialize for StandaloneIdVerification {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.reading).map_err(serde::ser::Error::custom)?;
        if let Some(object) = value.as_object_mut() {
            object.remove("node_id");
            object.insert("status".into(), json!(self.status));
            // Image URLs exist once requests are persisted (save_api_request).
            object.insert("front_image".into(), Value::Null);
            object.insert("back_image".into(), Value::Null);
        }
        value.serialize(serializer)
    }
}

fn input_message(err: &FaceError) -> &'static str {
    match err {
        FaceError::TooLarge { .. } => "The image has too many pixels.",
        FaceError::TooSmall { .. } => "The image is too small.",
        _ => NOT_AN_IMAGE,
    }
}

pub(crate) fn face_error(field: &str, err: FaceError) -> ServiceError {
    if err.is_input_error() {
        FieldErrors::single(field, input_message(&err)).into()
    } else {
        ServiceError::internal("face engine", err)
    }
}

impl Services {
    pub(crate) fn envelope<T>(&self, request: ApiRequest, result: T) -> ApiResponse<T> {
        // TODO(save_api_request): persist an API-type session when `request.save` and return
        // its id; until then every response gets a fresh id and nothing is stored.
        ApiResponse {
            request_id: Uuid::new_v4(),
            result,
            vendor_data: request.vendor_data,
            metadata: request.metadata,
            created_at: self.clock.now(),
        }
    }

    /// Charges a completed live request, then hands its response back.
    async fn billed<T>(
        &self,
        app: &Application,
        price: i64,
        response: ApiResponse<T>,
    ) -> ServiceResult<ApiResponse<T>> {
        self.charge_request(app, price, &response.request_id.to_string())
            .await?;
        Ok(response)
    }

    /// Compares a selfie with a reference image.
    pub async fn face_match(
        &self,
        app: &Application,
        input: FaceMatchInput,
        request: ApiRequest,
    ) -> ServiceResult<ApiResponse<FaceMatchResult>> {
        if app.environment == Environment::Sandbox {
            return Ok(self.envelope(request, mocks::face_match()));
        }
        let price = self
            .require_request_credits(app, Feature::FaceMatch)
            .await?;
        let engine = self.engines.faces().await?;
        let result = self
            .engines
            .run(move || {
                let options = AnalyzeOptions {
                    liveness: false,
                    age: true,
                    rotate: input.rotate,
                };
                let user = engine.analyze(&input.user_image, options);
                let reference = engine.analyze(&input.ref_image, options);
                let (user, reference) = both(user, reference, "user_image", "ref_image")?;
                Ok::<_, ServiceError>(engine.face_match_result(
                    &user,
                    &reference,
                    input.decline_threshold,
                ))
            })
            .await??;
        self.billed(app, price, self.envelope(request, result))
            .await
    }

    /// Passive liveness of a selfie.
    pub async fn passive_liveness(
        &self,
        app: &Application,
        input: SelfieInput,
        request: ApiRequest,
    ) -> ServiceResult<ApiResponse<PassiveLivenessResult>> {
        if app.environment == Environment::Sandbox {
            return Ok(self.envelope(request, mocks::passive_liveness()));
        }
        self.selfie_check(
            app,
            input,
            request,
            Feature::Liveness,
            |engine, selfie, input| {
                let result =
                    engine.passive_liveness_result(selfie, input.liveness_decline_threshold);
                (result.status, result)
            },
        )
        .await
    }

    /// Age estimation (with liveness) of a selfie.
    pub async fn age_estimation(
        &self,
        app: &Application,
        input: SelfieInput,
        request: ApiRequest,
    ) -> ServiceResult<ApiResponse<AgeEstimationResult>> {
        if app.environment == Environment::Sandbox {
            return Ok(self.envelope(request, mocks::age_estimation()));
        }
        self.selfie_check(
            app,
            input,
            request,
            Feature::AgeEstimation,
            |engine, selfie, input| {
                let result = engine.age_estimation_result(
                    selfie,
                    input.liveness_decline_threshold,
                    input.minimum_age,
                );
                (result.status, result)
            },
        )
        .await
    }

    /// A live selfie check billed as `feature`: analyses the selfie fully (liveness and age)
    /// on the inference pool, then builds the endpoint's result from it. A saved request
    /// (`save_api_request`) enrolls the face into the application's face-search index.
    async fn selfie_check<R: Send + 'static>(
        &self,
        app: &Application,
        input: SelfieInput,
        request: ApiRequest,
        feature: Feature,
        finish: impl FnOnce(&FaceEngine, &FaceAnalysis, &SelfieInput) -> (ApiStatus, R) + Send + 'static,
    ) -> ServiceResult<ApiResponse<R>> {
        let price = self.require_request_credits(app, feature).await?;
        let api_service = match feature {
            Feature::AgeEstimation => "AGE_ESTIMATION",
            _ => "PASSIVE_LIVENESS",
        };
        let engine = self.engines.faces().await?;
        let (status, template, result) = self
            .engines
            .run(move || {
                let options = AnalyzeOptions {
                    rotate: input.rotate,
                    ..AnalyzeOptions::full()
                };
                let selfie = engine
                    .analyze(&input.user_image, options)
                    .map_err(|e| face_error("user_image", e))?;
                let template = selfie.main.as_ref().map(|m| m.template.clone());
                let (status, result) = finish(&engine, &selfie, &input);
                Ok::<_, ServiceError>((status, template, result))
            })
            .await??;
        if let (true, Some(template)) = (request.save, template) {
            let status = match status {
                ApiStatus::Approved => "Approved",
                ApiStatus::Declined => "Declined",
            };
            self.enroll_face(
                app.id,
                &template,
                Enrollment {
                    session_id: None,
                    list_entry_id: None,
                    source: TemplateSource::Session,
                    list_kind: None,
                    api_service: Some(api_service.to_owned()),
                    status: Some(status.to_owned()),
                    vendor_data: request.vendor_data.clone(),
                },
            )
            .await?;
        }
        let response = self.envelope(request, result);
        self.billed(app, price, response).await
    }

    /// Reads and checks an identity document.
    pub async fn id_verification(
        &self,
        app: &Application,
        input: IdVerificationInput,
        request: ApiRequest,
    ) -> ServiceResult<ApiResponse<StandaloneIdVerification>> {
        if app.environment == Environment::Sandbox {
            return Ok(self.envelope(request, mocks::id_verification()));
        }
        let price = self.require_request_credits(app, Feature::Ocr).await?;
        let reader = self.engines.documents().await?;
        let mut policy = DocumentPolicy::new(self.clock.now().date_naive());
        policy.minimum_age = input.minimum_age;
        let result = self
            .engines
            .run(move || {
                let back = input.back_image.as_deref();
                match reader.verify(&input.front_image, back, &policy) {
                    Ok((reading, _)) => Ok(standalone_document(reading)),
                    Err(e) => Err(document_error(e, back)),
                }
            })
            .await??;
        self.billed(app, price, self.envelope(request, result))
            .await
    }

    /// Screens a name against the loaded sanctions and PEP lists.
    pub async fn aml(
        &self,
        app: &Application,
        input: AmlInput,
        request: ApiRequest,
    ) -> ServiceResult<ApiResponse<AmlResult>> {
        let AmlInput {
            query,
            thresholds,
            weights,
        } = input;
        if app.environment == Environment::Sandbox {
            let result = verifyd_screening::decide(&query, &[], &thresholds);
            return Ok(self.envelope(request, result));
        }
        let price = self.require_request_credits(app, Feature::Aml).await?;
        let Some(index) = self.engines.screening().await? else {
            // Nothing was screened, so nothing is charged.
            return Ok(self.envelope(request, lists_not_loaded(&query, &thresholds)));
        };
        let result = self
            .engines
            .run(move || {
                let options = ScreenOptions {
                    weights,
                    ..ScreenOptions::default()
                };
                let hits = index.screen_with(&query, &options);
                verifyd_screening::decide(&query, &hits, &thresholds)
            })
            .await?;
        self.billed(app, price, self.envelope(request, result))
            .await
    }
}

/// Both analyses, or the field errors of whichever images were unusable.
fn both(
    a: Result<FaceAnalysis, FaceError>,
    b: Result<FaceAnalysis, FaceError>,
    a_field: &str,
    b_field: &str,
) -> ServiceResult<(FaceAnalysis, FaceAnalysis)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => {
            let mut errors = FieldErrors::new();
            for (failure, field) in [(a.err(), a_field), (b.err(), b_field)] {
                match failure {
                    Some(e) if e.is_input_error() => errors.add(field, input_message(&e)),
                    Some(e) => return Err(ServiceError::internal("face engine", e)),
                    None => {}
                }
            }
            Err(errors.into())
        }
    }
}

fn document_error(err: DocumentError, back: Option<&[u8]>) -> ServiceError {
    let message = match err {
        DocumentError::UnsupportedFormat | DocumentError::Decode(_) => NOT_AN_IMAGE,
        DocumentError::TooLarge { .. } => "The image has too many pixels.",
        DocumentError::TooSmall { .. } => "The image is too small.",
        model @ DocumentError::Model(_) => return ServiceError::internal("document reader", model),
    };
    // The engine does not say which side failed; the back is only blamed if it is unreadable.
    let field = match back {
        Some(b)
            if verifyd_documents::decode_image(b, verifyd_documents::DEFAULT_MAX_PIXELS)
                .is_err() =>
        {
            "back_image"
        }
        _ => "front_image",
    };
    FieldErrors::single(field, message).into()
}

fn standalone_document(mut reading: IdVerification) -> StandaloneIdVerification {
    let status = if reading.status == verifyd_documents::FeatureStatus::Approved {
        ApiStatus::Approved
    } else {
        ApiStatus::Declined
    };
    reading.node_id = None;
    StandaloneIdVerification { status, reading }
}

/// The AML object when no list is loaded: no hits, In Review, and a warning saying why.
pub(crate) fn lists_not_loaded(
    query: &Query,
    thresholds: &verifyd_screening::Thresholds,
) -> AmlResult {
    let mut result = verifyd_screening::decide(query, &[], thresholds);
    result.status = AmlStatus::InReview;
    result.warnings.push(AmlWarning {
        feature: "AML".into(),
        risk: AML_LISTS_NOT_LOADED.into(),
        additional_data: None,
        log_type: "warning".into(),
        short_description: "AML lists not loaded".into(),
        long_description: "No sanctions or PEP lists are loaded on this server, so the name could \
                           not be screened; a reviewer must screen it."
            .into(),
    });
    result
}

/// The contract's static sandbox answers: Approved, fixed values, no engine involved.
pub(crate) mod mocks {
    use super::*;

    pub(crate) fn one_face() -> ImageFaces {
        ImageFaces {
            entities: vec![FaceEntity {
                bbox: [120, 80, 360, 380],
                confidence: 0.99,
                age: Some(32.0),
                gender: Some("female".to_owned()),
                race: None,
            }],
            best_angle: 0,
        }
    }

    pub(super) fn face_match() -> FaceMatchResult {
        FaceMatchResult {
            status: ApiStatus::Approved,
            score: Some(95.0),
            user_image: one_face(),
            ref_image: one_face(),
            warnings: Vec::new(),
        }
    }

    pub(super) fn passive_liveness() -> PassiveLivenessResult {
        PassiveLivenessResult {
            status: ApiStatus::Approved,
            method: "PASSIVE".to_owned(),
            score: Some(95.0),
            user_image: one_face(),
            warnings: Vec::new(),
            face_quality: Some(90.0),
            face_luminance: Some(60.0),
        }
    }

    pub(super) fn age_estimation() -> AgeEstimationResult {
        AgeEstimationResult {
            status: ApiStatus::Approved,
            method: "PASSIVE".to_owned(),
            score: Some(95.0),
            user_image: one_face(),
            age_estimation: Some(32.0),
            warnings: Vec::new(),
        }
    }

    pub(super) fn id_verification() -> StandaloneIdVerification {
        use chrono::NaiveDate;
        use verifyd_documents::{DocumentType, FeatureStatus, Gender};
        StandaloneIdVerification {
            status: ApiStatus::Approved,
            reading: IdVerification {
                node_id: None,
                status: FeatureStatus::Approved,
                document_type: Some(DocumentType::Passport),
                document_number: Some("L898902C3".to_owned()),
                personal_number: None,
                first_name: Some("ANNA MARIA".to_owned()),
                last_name: Some("ERIKSSON".to_owned()),
                full_name: Some("ANNA MARIA ERIKSSON".to_owned()),
                date_of_birth: NaiveDate::from_ymd_opt(1974, 8, 12),
                age: Some(52),
                expiration_date: NaiveDate::from_ymd_opt(2034, 4, 15),
                date_of_issue: NaiveDate::from_ymd_opt(2024, 4, 16),
                issuing_state: Some("UTO".to_owned()),
                issuing_state_name: Some("Utopia".to_owned()),
                country: Some("UTO".to_owned()),
                nationality: Some("UTO".to_owned()),
                gender: Some(Gender::F),
                mrz: None,
                portrait_image: None,
                warnings: Vec::new(),
            },
        }
    }
}
