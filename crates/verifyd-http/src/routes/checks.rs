//! Standalone checks (contract §1.3): face match, passive liveness, age estimation and ID
//! verification as `multipart/form-data`, AML screening as JSON. Handlers parse the form the
//! way Didit's DRF serializers do (same field errors), call one use case from
//! `verifyd_service::checks` and wrap nothing themselves: the envelope comes from the service.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use verifyd_core::FieldErrors;
use verifyd_service::checks::{
    AmlInput, AmlThresholds, ApiRequest, FaceMatchInput, IdVerificationInput, Query, QueryDate,
    QueryEntityType, ScoreWeights, SelfieInput,
};

use verifyd_service::faces::{FaceSearchInput, SearchScope};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiApp, JsonBody};
use crate::AppState;

/// Largest accepted upload per file (contract: 5 MB).
pub const FILE_LIMIT: usize = 5 * 1024 * 1024;
/// Largest multipart body: two files at the limit plus the text fields.
pub const MULTIPART_BODY_LIMIT: usize = 12 * 1024 * 1024;

const FILE_TOO_LARGE: &str = "File size should not exceed 5 MB";

pub(crate) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(face_match))
        .routes(routes!(passive_liveness))
        .routes(routes!(age_estimation))
        .routes(routes!(id_verification))
        .routes(routes!(face_search))
        .layer(DefaultBodyLimit::max(MULTIPART_BODY_LIMIT));
    router.merge(uploads).routes(routes!(aml))
}

/// A `multipart/form-data` body read whole: 415 for other content types, 413 past the body
/// limit, and a 5 MB cap per field recorded as the contract's field error.
#[derive(Debug, Default)]
pub struct MultipartForm {
    fields: HashMap<String, Vec<u8>>,
    errors: FieldErrors,
}

impl<S: Send + Sync> FromRequest<S> for MultipartForm {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("multipart/form-data") {
            return Err(ApiError::UnsupportedMediaType(essence.to_owned()));
        }
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| parse_error("Invalid boundary in multipart: None"))?;
        let mut form = Self::default();
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or("").to_owned();
            let mut data = Vec::new();
            let mut too_large = false;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                // Keep draining an oversized field so the rest of the form is still read.
                too_large |= data.len() + chunk.len() > FILE_LIMIT;
                if !too_large {
                    data.extend_from_slice(&chunk);
                }
            }
            if too_large {
                form.errors.add(name.clone(), FILE_TOO_LARGE);
                data.clear();
            }
            form.fields.entry(name).or_insert(data);
        }
        Ok(form)
    }
}

fn parse_error(text: &str) -> ApiError {
    ApiError::BadRequest(format!("Multipart form parse error - {text}"))
}

fn multipart_error(err: axum::extract::multipart::MultipartError) -> ApiError {
    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        parse_error(&err.body_text())
    }
}

impl MultipartForm {
    /// A required file; DRF's messages when it is absent or empty.
    fn file(&mut self, name: &str) -> Option<Vec<u8>> {
        if self.errors.0.contains_key(name) {
            return None;
        }
        match self.fields.remove(name) {
            None => {
                self.errors.add(name, "No file was submitted.");
                None
            }
            Some(data) if data.is_empty() => {
                self.errors.add(name, "The submitted file is empty.");
                None
            }
            Some(data) => Some(data),
        }
    }

    /// An optional file (an empty part counts as absent, as browsers send one).
    fn optional_file(&mut self, name: &str) -> Option<Vec<u8>> {
        self.fields.remove(name).filter(|d| !d.is_empty())
    }

    fn text(&self, name: &str) -> Option<String> {
        self.fields
            .get(name)
            .map(|d| String::from_utf8_lossy(d).trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    /// A number in 0–100 (DRF's FloatField messages).
    fn percentage(&mut self, name: &str, default: f32) -> f32 {
        let Some(raw) = self.text(name) else {
            return default;
        };
        match raw.parse::<f32>() {
            Ok(v) if v.is_finite() && v < 0.0 => {
                self.errors
                    .add(name, "Ensure this value is greater than or equal to 0.");
                default
            }
            Ok(v) if v.is_finite() && v > 100.0 => {
                self.errors
                    .add(name, "Ensure this value is less than or equal to 100.");
                default
            }
            Ok(v) if v.is_finite() => v,
            _ => {
                self.errors.add(name, "A valid number is required.");
                default
            }
        }
    }

    /// An integer within `range` (DRF's IntegerField messages).
    fn integer(&mut self, name: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        let raw = self.text(name)?;
        match raw.parse::<i64>() {
            Ok(v) if v < *range.start() => {
                self.errors.add(
                    name,
                    format!(
                        "Ensure this value is greater than or equal to {}.",
                        range.start()
                    ),
                );
                None
            }
            Ok(v) if v > *range.end() => {
                self.errors.add(
                    name,
                    format!(
                        "Ensure this value is less than or equal to {}.",
                        range.end()
                    ),
                );
                None
            }
            Ok(v) => Some(v),
            Err(_) => {
                self.errors.add(name, "A valid integer is required.");
                None
            }
        }
    }

    /// A boolean as DRF reads form values.
    fn boolean(&mut self, name: &str, default: bool) -> bool {
        let Some(raw) = self.text(name) else {
            return default;
        };
        match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => true,
            "false" | "0" | "no" | "off" | "f" | "n" => false,
            _ => {
                self.errors.add(name, "Must be a valid boolean.");
                default
            }
        }
    }

    /// `vendor_data`, `metadata` (a JSON object sent as a string) and `save_api_request`.
    fn request(&mut self) -> ApiRequest {
        let metadata = match self.text("metadata") {
            None => None,
            Some(raw) => match serde_json::from_str::<Value>(&raw) {
                Ok(Value::Object(map)) => Some(map),
                Ok(Value::Null) => None,
                _ => {
                    self.errors.add("metadata", "Value must be valid JSON.");
                    None
                }
            },
        };
        ApiRequest {
            vendor_data: self.text("vendor_data"),
            metadata,
            save: self.boolean("save_api_request", true),
        }
    }

    /// Every error recorded so far, or `Ok`.
    fn finish(self) -> ApiResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// `POST /v3/face-match/` form (schema only).
#[allow(dead_code)]
#[derive(ToSchema)]
struct FaceMatchForm {
    /// The selfie (JPEG, PNG, WebP or TIFF, at most 5 MB).
    #[schema(value_type = String, format = Binary)]
    user_image: Vec<u8>,
    /// The reference image, e.g. a document portrait (at most 5 MB).
    #[schema(value_type = String, format = Binary)]
    ref_image: Vec<u8>,
    /// 0–100, default 30: a score strictly above it is Approved.
    face_match_score_decline_threshold: Option<f32>,
    /// Also try the images turned by quarter turns (default false).
    rotate_image: Option<bool>,
    /// Default true (requests are not yet kept as API sessions).
    save_api_request: Option<bool>,
    /// Your reference, echoed back.
    vendor_data: Option<String>,
    /// A JSON object as a string, echoed back.
    metadata: Option<String>,
}

/// `POST /v3/passive-liveness/` and `/v3/age-estimation/` form (schema only).
#[allow(dead_code)]
#[derive(ToSchema)]
struct SelfieForm {
    /// The selfie (at most 5 MB).
    #[schema(value_type = String, format = Binary)]
    user_image: Vec<u8>,
    /// 0–100, default 30: a liveness score at or below it is Declined.
    face_liveness_score_decline_threshold: Option<f32>,
    /// Age estimation only: minimum age, default 18.
    age_estimation_decline_threshold: Option<i64>,
    /// Also try the image turned by quarter turns (default false).
    rotate_image: Option<bool>,
    /// Default true: the selfie joins the face-search index (the request is not yet kept as
    /// an API session).
    save_api_request: Option<bool>,
    /// Your reference, echoed back.
    vendor_data: Option<String>,
    /// A JSON object as a string, echoed back.
    metadata: Option<String>,
}

/// `POST /v3/id-verification/` form (schema only).
#[allow(dead_code)]
#[derive(ToSchema)]
struct IdVerificationForm {
    /// The document's front (at most 5 MB).
    #[schema(value_type = String, format = Binary)]
    front_image: Vec<u8>,
    /// The document's back, for cards (at most 5 MB).
    #[schema(value_type = Option<String>, format = Binary)]
    back_image: Option<Vec<u8>>,
    /// 1–120: holders younger than this are Declined.
    minimum_age: Option<i64>,
    /// Default true (requests are not yet kept as API sessions).
    save_api_request: Option<bool>,
    /// Your reference, echoed back.
    vendor_data: Option<String>,
    /// A JSON object as a string, echoed back.
    metadata: Option<String>,
}

/// Compares the face in `user_image` with the face in `ref_image`.
#[utoipa::path(post, path = "/v3/face-match", tag = "standalone",
    request_body(content = FaceMatchForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "`{request_id, face_match, vendor_data, metadata, created_at}`"),
        (status = 400, description = "Field errors"), (status = 503, description = "Face engine not installed")),
    security(("api_key" = [])))]
async fn face_match(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    mut form: MultipartForm,
) -> ApiResult<Json<Value>> {
    let user_image = form.file("user_image");
    let ref_image = form.file("ref_image");
    let decline_threshold = form.percentage("face_match_score_decline_threshold", 30.0);
    let rotate = form.boolean("rotate_image", false);
    let request = form.request();
    form.finish()?;
    let (Some(user_image), Some(ref_image)) = (user_image, ref_image) else {
        return Err(ApiError::Internal("validated files missing".to_owned()));
    };
    let input = FaceMatchInput {
        user_image,
        ref_image,
        decline_threshold,
        rotate,
    };
    let response = state.services.face_match(&app, input, request).await?;
    Ok(Json(response.to_json("face_match")))
}

fn selfie(form: &mut MultipartForm, with_age: bool) -> (SelfieInput, ApiRequest) {
    let user_image = form.file("user_image");
    let liveness_decline_threshold = form.percentage("face_liveness_score_decline_threshold", 30.0);
    let minimum_age = if with_age {
        form.integer("age_estimation_decline_threshold", 0..=100)
            .unwrap_or(18)
    } else {
        18
    };
    let rotate = form.boolean("rotate_image", false);
    let request = form.request();
    let user_image = user_image.unwrap_or_default();
    let input = SelfieInput {
        user_image,
        liveness_decline_threshold,
        // Ages are 0–100, exactly representable.
        minimum_age: minimum_age as f32,
        rotate,
    };
    (input, request)
}

/// Passive liveness of the face in `user_image`.
#[utoipa::path(post, path = "/v3/passive-liveness", tag = "standalone",
    request_body(content = SelfieForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "`{request_id, liveness, vendor_data, metadata, created_at}`"),
        (status = 400, description = "Field errors"), (status = 503, description = "Face engine not installed")),
    security(("api_key" = [])))]
async fn passive_liveness(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    mut form: MultipartForm,
) -> ApiResult<Json<Value>> {
    let (input, request) = selfie(&mut form, false);
    form.finish()?;
    let response = state
        .services
        .passive_liveness(&app, input, request)
        .await?;
    Ok(Json(response.to_json("liveness")))
}

/// Estimated age (and liveness) of the face in `user_image`.
#[utoipa::path(post, path = "/v3/age-estimation", tag = "standalone",
    request_body(content = SelfieForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "`{request_id, age_estimation, vendor_data, metadata, created_at}`"),
        (status = 400, description = "Field errors"), (status = 503, description = "Face engine not installed")),
    security(("api_key" = [])))]
async fn age_estimation(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    mut form: MultipartForm,
) -> ApiResult<Json<Value>> {
    let (input, request) = selfie(&mut form, true);
    form.finish()?;
    let response = state.services.age_estimation(&app, input, request).await?;
    Ok(Json(response.to_json("age_estimation")))
}

/// `POST /v3/face-search/` form (schema only).
#[allow(dead_code)]
#[derive(ToSchema)]
struct FaceSearchForm {
    /// The face to search with (at most 5 MB); the largest face is used.
    #[schema(value_type = String, format = Binary)]
    user_image: Vec<u8>,
    /// `most_similar` (default) or `blocklisted_or_approved`.
    search_type: Option<String>,
    /// Also try the image turned by quarter turns (default false).
    rotate_image: Option<bool>,
    /// Default true: the searched face is enrolled (face-search probes never match later
    /// searches).
    save_api_request: Option<bool>,
    /// Your reference, echoed back.
    vendor_data: Option<String>,
    /// A JSON object as a string, echoed back.
    metadata: Option<String>,
}

/// Searches the face in `user_image` among the application's enrolled faces (1:N).
#[utoipa::path(post, path = "/v3/face-search", tag = "standalone",
    request_body(content = FaceSearchForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "`{request_id, face_search, vendor_data, metadata, created_at}`"),
        (status = 400, description = "Field errors, or `{\"error\": \"No face detected in the image\"}`"),
        (status = 503, description = "Face engine not installed")),
    security(("api_key" = [])))]
async fn face_search(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    mut form: MultipartForm,
) -> ApiResult<Json<Value>> {
    let user_image = form.file("user_image");
    let scope = match form.text("search_type") {
        None => SearchScope::MostSimilar,
        Some(raw) => SearchScope::parse(&raw).unwrap_or_else(|| {
            form.errors
                .add("search_type", format!("\"{raw}\" is not a valid choice."));
            SearchScope::MostSimilar
        }),
    };
    let rotate = form.boolean("rotate_image", false);
    let request = form.request();
    form.finish()?;
    let Some(user_image) = user_image else {
        return Err(ApiError::Internal("validated file missing".to_owned()));
    };
    let input = FaceSearchInput {
        user_image,
        scope,
        rotate,
    };
    let response = state.services.face_search(&app, input, request).await?;
    Ok(Json(response.to_json("face_search")))
}

/// Reads and checks an identity document from its front (and back) image.
#[utoipa::path(post, path = "/v3/id-verification", tag = "standalone",
    request_body(content = IdVerificationForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "`{request_id, id_verification, vendor_data, metadata, created_at}`"),
        (status = 400, description = "Field errors"), (status = 503, description = "OCR models not installed")),
    security(("api_key" = [])))]
async fn id_verification(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    mut form: MultipartForm,
) -> ApiResult<Json<Value>> {
    let front_image = form.file("front_image");
    let back_image = form.optional_file("back_image");
    let minimum_age = form
        .integer("minimum_age", 1..=120)
        .and_then(|a| u32::try_from(a).ok());
    let request = form.request();
    form.finish()?;
    let Some(front_image) = front_image else {
        return Err(ApiError::Internal("validated file missing".to_owned()));
    };
    let input = IdVerificationInput {
        front_image,
        back_image,
        minimum_age,
    };
    let response = state.services.id_verification(&app, input, request).await?;
    Ok(Json(response.to_json("id_verification")))
}

/// `POST /v3/aml/` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AmlIn {
    /// Name to screen, at least 2 characters, any script and order.
    full_name: String,
    /// `person` (default) or `company`.
    entity_type: Option<String>,
    /// `YYYY-MM-DD` (or `YYYY`).
    date_of_birth: Option<String>,
    /// ISO alpha-2 / alpha-3 or a country name.
    nationality: Option<String>,
    /// Identity document number; an exact listed match is decisive.
    document_number: Option<String>,
    /// Aggregate risk at or below this is Approved (default 80).
    aml_score_approve_threshold: Option<f64>,
    /// Aggregate risk above this is Declined (default 100).
    aml_score_review_threshold: Option<f64>,
    /// Hits below this match score are False Positives. Default: this matcher's calibrated 82
    /// (Didit's 93 belongs to Didit's score scale).
    aml_match_score_threshold: Option<f64>,
    /// Name weight (default 60).
    aml_name_weight: Option<u32>,
    /// Date-of-birth weight (default 25).
    aml_dob_weight: Option<u32>,
    /// Nationality weight (default 15).
    aml_country_weight: Option<u32>,
    /// Accepted; no adverse-media source is available, so always false in the result.
    #[allow(dead_code)]
    include_adverse_media: Option<bool>,
    /// Accepted; standalone screenings are not kept, so ongoing monitoring (re-screening after
    /// a list import) covers approved sessions only.
    #[allow(dead_code)]
    include_ongoing_monitoring: Option<bool>,
    /// Default true (requests are not yet kept as API sessions).
    save_api_request: Option<bool>,
    /// Your reference, echoed back.
    vendor_data: Option<String>,
    /// A JSON object, echoed back.
    metadata: Option<Value>,
}

fn score_field(errors: &mut FieldErrors, name: &str, value: Option<f64>, default: f64) -> f64 {
    match value {
        None => default,
        Some(v) if !(0.0..=100.0).contains(&v) => {
            errors.add(name, "Ensure this value is between 0 and 100.");
            default
        }
        Some(v) => v,
    }
}

impl AmlIn {
    fn parse(self) -> ApiResult<(AmlInput, ApiRequest)> {
        let mut errors = FieldErrors::new();
        let full_name = self.full_name.trim().to_owned();
        if full_name.chars().count() < 2 {
            errors.add("full_name", "Ensure this field has at least 2 characters.");
        }
        let entity_type = match self.entity_type.as_deref().map(str::trim) {
            None | Some("") => QueryEntityType::Person,
            Some(raw) => QueryEntityType::parse(raw).unwrap_or_else(|| {
                errors.add("entity_type", format!("\"{raw}\" is not a valid choice."));
                QueryEntityType::Person
            }),
        };
        let date_of_birth = match self.date_of_birth.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => QueryDate::parse(raw).or_else(|| {
                errors.add(
                    "date_of_birth",
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
                );
                None
            }),
        };
        let defaults = AmlThresholds::default();
        let thresholds = AmlThresholds {
            match_score: score_field(
                &mut errors,
                "aml_match_score_threshold",
                self.aml_match_score_threshold,
                defaults.match_score,
            ),
            approve: score_field(
                &mut errors,
                "aml_score_approve_threshold",
                self.aml_score_approve_threshold,
                defaults.approve,
            ),
            review: score_field(
                &mut errors,
                "aml_score_review_threshold",
                self.aml_score_review_threshold,
                defaults.review,
            ),
        };
        let base = ScoreWeights::default();
        let mut weight = |name: &str, value: Option<u32>, default: u32| match value {
            Some(v) if v > 100 => {
                errors.add(name, "Ensure this value is less than or equal to 100.");
                default
            }
            Some(v) => v,
            None => default,
        };
        let weights = ScoreWeights {
            name: weight("aml_name_weight", self.aml_name_weight, base.name),
            dob: weight("aml_dob_weight", self.aml_dob_weight, base.dob),
            country: weight("aml_country_weight", self.aml_country_weight, base.country),
        };
        let metadata = match self.metadata {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                errors.add("metadata", "Must be a JSON object.");
                None
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let query = Query {
            full_name,
            entity_type: Some(entity_type),
            date_of_birth,
            nationality: blank(self.nationality),
            gender: None,
            document_number: blank(self.document_number),
        };
        let request = ApiRequest {
            vendor_data: self.vendor_data,
            metadata,
            save: self.save_api_request.unwrap_or(true),
        };
        Ok((
            AmlInput {
                query,
                thresholds,
                weights,
            },
            request,
        ))
    }
}

/// Screens a person or company against the loaded sanctions and PEP lists.
#[utoipa::path(post, path = "/v3/aml", tag = "standalone", request_body = AmlIn,
    responses((status = 200, description = "`{request_id, aml, vendor_data, metadata, created_at}`; without lists: In Review with AML_LISTS_NOT_LOADED"),
        (status = 400, description = "Field errors")),
    security(("api_key" = [])))]
async fn aml(
    State(state): State<AppState>,
    ApiApp(app): ApiApp,
    JsonBody(body): JsonBody<AmlIn>,
) -> ApiResult<Json<Value>> {
    let (input, request) = body.parse()?;
    let response = state.services.aml(&app, input, request).await?;
    Ok(Json(response.to_json("aml")))
}
