//! The hosted verification flow: what the page at `/session/{token}` drives, authorised by
//! the session token alone and scoped to that one session.
//!
//! The person opens the page (Not Started → In Progress through [`Services::transition`]),
//! chooses a document, photographs it and takes a selfie. Every upload is checked for what it
//! can be (size, type, header dimensions — before any pixel is decoded), stored sealed in the
//! blob store, and run through its engine on the inference pool straight away, so the page can
//! ask for a retake when the engine cannot use it (no document, unreadable MRZ, blur, no face,
//! several faces). `max_retry_attempts` bounds the retakes; after that the capture is kept as
//! it is and the decision says what was wrong with it.
//!
//! Finishing runs what is left (liveness and face match on the selfie, AML on the name read
//! from the document), hands the elements to the pure decision builder
//! ([`verifyd_core::kyc::build_results`]) and moves the session to its final status. The
//! document reading is cached from its upload, so the last upload to decision path is the
//! selfie's engines plus screening.
//!
//! The flow's own progress (chosen document, attempts, the cached reading) is a small sealed
//! JSON object in the blob store next to the media, so the session record keeps its shape.

use std::collections::BTreeMap;
use std::io::Cursor;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use verifyd_core::ids::SessionId;
use verifyd_core::kyc::{
    self, document_allowed, has_back, offered_document_types, reopened_features, DecisionInput,
    ExtraWarning, FeatureResult, Step,
};
use verifyd_core::session::{warning, Session};
use verifyd_core::status::SessionStatus;
use verifyd_core::workflow::{Feature, WorkflowSpec};
use verifyd_core::{CoreError, FieldErrors};
use verifyd_documents::{
    DocumentPolicy, DocumentReading, DocumentType, ExpectedDetails, Gender, ReadOptions,
};
use verifyd_faces::report::Thresholds as FaceThresholds;
use verifyd_faces::{AnalyzeOptions, FaceAnalysis, QualityIssue};
use verifyd_screening::{Query, QueryDate, QueryEntityType, ScreenOptions};

use crate::checks::lists_not_loaded;
use crate::faces::{Enrollment, SearchScope, TemplateSource, SAME_PERSON_SCORE};
use crate::{ServiceError, ServiceResult, Services};
use verifyd_core::lists::BlocklistProbe;
use verifyd_faces::Template;

/// Largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest image accepted, in pixels (read from the header before decoding).
pub const MAX_UPLOAD_PIXELS: u64 = 40_000_000;
/// Smallest side of a usable capture.
pub const MIN_UPLOAD_SIDE: u32 = 200;
/// Largest side of a capture (a 1×40 M pixel strip is no photo).
pub const MAX_UPLOAD_SIDE: u32 = 12_000;

/// What is being uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// The document's front (a passport's data page).
    DocumentFront,
    /// A card's back.
    DocumentBack,
    /// The selfie.
    Selfie,
}

impl Capture {
    /// Parses the URL segment (`document_front`, `document_back`, `selfie`/`face`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "document_front" | "front" => Some(Self::DocumentFront),
            "document_back" | "back" => Some(Self::DocumentBack),
            "selfie" | "face" => Some(Self::Selfie),
            _ => None,
        }
    }

    fn step(self) -> Step {
        match self {
            Self::DocumentFront => Step::DocumentFront,
            Self::DocumentBack => Step::DocumentBack,
            Self::Selfie => Step::Face,
        }
    }

    fn blob(self) -> &'static str {
        match self {
            Self::DocumentFront => "document_front",
            Self::DocumentBack => "document_back",
            Self::Selfie => "selfie",
        }
    }
}

/// The flow's progress, stored sealed beside the media.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FlowState {
    /// Chosen document type code (`P`, `ID`, `DL`, `RP`).
    pub document_type: Option<String>,
    /// Chosen issuing country (ISO-3), if the person gave one.
    pub country: Option<String>,
    /// Failed captures per step.
    pub attempts: BTreeMap<String, u32>,
    /// Steps whose capture was accepted.
    pub done: Vec<Step>,
    /// The document element from the last document reading.
    pub id_verification: Option<Value>,
    /// Whether a document portrait is stored.
    pub has_document_portrait: bool,
    /// Features a resubmission reopened (`None`: the whole workflow).
    pub reopen: Option<Vec<Feature>>,
    /// Liveness / face match / age elements computed when the selfie was accepted (cleared
    /// when the document, and so the reference portrait, changes).
    #[serde(default)]
    pub face_elements: Option<Vec<(Feature, Value)>>,
    /// The accepted selfie's face template (serialised), searched in the face index when the
    /// flow finishes and enrolled once the session is decided.
    #[serde(default)]
    pub selfie_template: Option<Vec<u8>>,
}

/// What the selfie checks need from the workflow.
#[derive(Debug, Clone, Copy)]
struct FaceParams {
    liveness: FaceThresholds,
    face_match: FaceThresholds,
    minimum_age: f32,
    want_liveness: bool,
    want_match: bool,
    want_age: bool,
}

impl FaceParams {
    fn of(view: &FlowView) -> Self {
        let spec = &view.spec;
        let reopened = view.state.reopen.as_deref();
        let wants = |f: Feature| spec.has(f) && reopened.is_none_or(|r| r.contains(&f));
        FaceParams {
            liveness: FaceThresholds {
                decline: spec.face_liveness_score_decline_threshold as f32,
                review: None,
            },
            face_match: FaceThresholds {
                decline: spec.face_match_score_decline_threshold as f32,
                review: Some(spec.face_match_score_review_threshold as f32),
            },
            minimum_age: spec.minimum_age.unwrap_or(18) as f32,
            want_liveness: wants(Feature::Liveness),
            want_match: wants(Feature::FaceMatch),
            want_age: wants(Feature::AgeEstimation),
        }
    }

    /// Liveness always (the selfie's verdict and checks need it); age only when the workflow
    /// estimates age.
    fn analyze_options(&self) -> AnalyzeOptions {
        AnalyzeOptions {
            liveness: true,
            age: self.want_age,
            rotate: false,
        }
    }

    fn any(&self) -> bool {
        self.want_liveness || self.want_match || self.want_age
    }
}

/// The selfie's decision elements (synchronous: call on the inference pool).
fn face_elements(
    engine: &verifyd_faces::FaceEngine,
    user: &FaceAnalysis,
    portrait: Option<&[u8]>,
    params: FaceParams,
) -> ServiceResult<Vec<(Feature, Value)>> {
    let value = |v: Result<Value, serde_json::Error>| {
        v.map_err(|e| ServiceError::internal("face element", e))
    };
    let mut out = Vec::new();
    if params.want_liveness {
        let check = engine.liveness_check(user, params.liveness);
        out.push((Feature::Liveness, value(serde_json::to_value(check))?));
    }
    if params.want_match {
        let reference = portrait.and_then(|p| engine.analyze(p, AnalyzeOptions::default()).ok());
        let check = engine.face_match_check(user, reference.as_ref(), params.face_match);
        out.push((Feature::FaceMatch, value(serde_json::to_value(check))?));
    }
    if params.want_age {
        let result =
            engine.age_estimation_result(user, params.liveness.decline, params.minimum_age);
        let mut v = value(serde_json::to_value(result))?;
        if let Some(obj) = v.as_object_mut() {
            obj.remove("user_image");
        }
        out.push((Feature::AgeEstimation, v));
    }
    Ok(out)
}

/// The engine's verdict on one capture.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureVerdict {
    /// The capture is kept and the flow can move on.
    pub accepted: bool,
    /// Why a retake is asked for (`no_document`, `mrz_unreadable`, `blurry`, `glare`,
    /// `no_face`, `several_faces`, `face_too_small`, `too_dark`, `too_bright`), or why the
    /// accepted capture is imperfect once the retakes are used up.
    pub reason: Option<String>,
    /// Retakes left for this step.
    pub attempts_left: u32,
    /// The next step, when accepted.
    pub next_step: Option<Step>,
}

/// Enrolled faces examined for blocklist and duplicate warnings.
const FACE_CANDIDATES: usize = 10;

/// Blob key of one of a session's flow objects.
pub fn media_key(id: SessionId, name: &str) -> String {
    format!("sessions/{id}/{name}")
}

/// Every blob the flow may have written for a session (for deletion).
pub fn media_keys(id: SessionId) -> Vec<String> {
    [
        "document_front",
        "document_back",
        "selfie",
        "document_portrait",
        "flow",
    ]
    .iter()
    .map(|n| media_key(id, n))
    .collect()
}

/// Checks an upload before any decoding: size, a JPEG/PNG/WebP signature, and the header's
/// dimensions (a decompression bomb is refused here, before a pixel buffer exists).
pub fn check_upload(bytes: &[u8]) -> Result<(), FieldErrors> {
    let field = "image";
    if bytes.is_empty() {
        return Err(FieldErrors::single(field, "The submitted file is empty."));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(FieldErrors::single(
            field,
            "File size should not exceed 10 MB",
        ));
    }
    let format = image::guess_format(bytes).ok();
    if !matches!(
        format,
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP)
    ) {
        return Err(FieldErrors::single(
            field,
            "Upload a JPEG, PNG or WebP image.",
        ));
    }
    let mut reader = image::ImageReader::new(Cursor::new(bytes));
    if let Some(format) = format {
        reader.set_format(format);
    }
    reader.no_limits();
    let (w, h) = reader
        .into_dimensions()
        .map_err(|_| FieldErrors::single(field, "Upload a valid image. The file is corrupted."))?;
    if u64::from(w) * u64::from(h) > MAX_UPLOAD_PIXELS || w > MAX_UPLOAD_SIDE || h > MAX_UPLOAD_SIDE
    {
        return Err(FieldErrors::single(field, "The image has too many pixels."));
    }
    if w < MIN_UPLOAD_SIDE || h < MIN_UPLOAD_SIDE {
        return Err(FieldErrors::single(field, "The image is too small."));
    }
    Ok(())
}

/// Everything the page needs to render the current state.
#[derive(Debug, Clone)]
pub struct FlowView {
    /// The session.
    pub session: Session,
    /// Its workflow.
    pub spec: WorkflowSpec,
    /// The flow's progress.
    pub state: FlowState,
}

impl FlowView {
    /// The steps, given the chosen document.
    pub fn steps(&self) -> Vec<Step> {
        kyc::steps(
            &self.spec,
            self.state.reopen.as_deref(),
            self.state.document_type.as_deref(),
        )
    }

    /// The first step not done yet.
    pub fn current_step(&self) -> Option<Step> {
        self.steps()
            .into_iter()
            .find(|s| !self.state.done.contains(s))
    }

    /// Whether the session has reached a decision (or can no longer be worked on).
    pub fn is_final(&self) -> bool {
        !matches!(
            self.session.status,
            SessionStatus::NotStarted | SessionStatus::InProgress | SessionStatus::Resubmitted
        )
    }

    /// The callback URL with `verificationSessionId` and `status` (contract §1.5).
    pub fn callback_url(&self) -> Option<String> {
        let base = self.session.callback.as_deref()?;
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(format!(
            "{base}{sep}verificationSessionId={}&status={}",
            self.session.id,
            encode(self.session.status.as_str())
        ))
    }

    /// The JSON the page reads (`GET /session/{token}/api/state`).
    pub fn to_json(&self) -> Value {
        let id = self.state.id_verification.as_ref();
        let field = |k: &str| id.and_then(|e| e.get(k)).cloned().unwrap_or(Value::Null);
        let max = self.spec.max_retry_attempts;
        let attempts: serde_json::Map<String, Value> = self
            .steps()
            .iter()
            .map(|s| {
                let used = self.state.attempts.get(s.as_str()).copied().unwrap_or(0);
                (s.as_str().to_owned(), json!(max.saturating_sub(used)))
            })
            .collect();
        json!({
            "session_id": self.session.id,
            "status": self.session.status,
            "language": self.session.language,
            "steps": self.steps(),
            "current_step": self.current_step(),
            "done": self.state.done,
            "document_types": offered_document_types(&self.spec, self.session.expected_details.as_ref()),
            "document_type": self.state.document_type,
            "country": self.state.country.clone().or_else(|| field("issuing_state").as_str().map(str::to_owned)),
            "attempts_left": attempts,
            "max_retry_attempts": max,
            "is_final": self.is_final(),
            "callback": self.callback_url(),
            "callback_method": self.session.callback_method,
            "is_desktop_allowed": self.spec.is_desktop_allowed,
        })
    }
}

fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn not_found() -> ServiceError {
    CoreError::not_found().into()
}

fn rejected(message: &str) -> ServiceError {
    CoreError::Rejected(message.to_owned()).into()
}

/// The session's expected details as the document checks read them.
fn expected_details(value: Option<&Value>) -> Option<ExpectedDetails> {
    let v = value?;
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let details = ExpectedDetails {
        first_name: s("first_name"),
        last_name: s("last_name"),
        date_of_birth: s("date_of_birth")
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        gender: match s("gender").as_deref() {
            Some("M") => Some(Gender::M),
            Some("F") => Some(Gender::F),
            _ => None,
        },
        nationality: s("nationality"),
        id_country: s("id_country"),
        identification_number: s("identification_number"),
    };
    (details != ExpectedDetails::default()).then_some(details)
}

/// The document element as the decision shows it: display name in `document_type`, the code
/// in `document_type_code` (as list rows and the sandbox do).
fn document_element(reading: &verifyd_documents::IdVerification) -> ServiceResult<Value> {
    let mut element =
        serde_json::to_value(reading).map_err(|e| ServiceError::internal("document element", e))?;
    if let (Some(obj), Some(t)) = (element.as_object_mut(), reading.document_type) {
        obj.insert("document_type".into(), json!(t.display_name()));
        obj.insert("document_type_code".into(), json!(t.code()));
    }
    Ok(element)
}

/// Why a document capture cannot be used, if it cannot.
fn document_problem(
    reading: &DocumentReading,
    capture: Capture,
    code: &str,
) -> Option<&'static str> {
    let zone = reading.zone.as_ref();
    let zone_valid = zone.is_some_and(|z| z.mrz.is_valid());
    let recognised = zone.is_some() || reading.document_type.is_some();
    // Passports carry the zone on the data page, ID cards and residence permits on the back;
    // most driving licences have none, so their back is only checked for blur.
    let needs_zone = (capture == Capture::DocumentBack && code != "DL") || !has_back(code);
    if !recognised && reading.portrait_jpeg.is_none() {
        return Some("no_document");
    }
    if needs_zone && !zone_valid {
        return Some(if reading.quality.blurry {
            "blurry"
        } else if reading.quality.glare {
            "glare"
        } else if zone.is_none() && !recognised {
            "no_document"
        } else {
            "mrz_unreadable"
        });
    }
    if !needs_zone && reading.quality.blurry {
        return Some("blurry");
    }
    None
}

/// Why a selfie cannot be used, if it cannot.
fn selfie_problem(analysis: &FaceAnalysis) -> Option<&'static str> {
    let Some(main) = analysis.main.as_ref() else {
        return Some("no_face");
    };
    if analysis.other_faces() > 0 {
        return Some("several_faces");
    }
    main.quality.issues.iter().find_map(|issue| match issue {
        QualityIssue::FaceTooSmall => Some("face_too_small"),
        QualityIssue::FaceTooDark => Some("too_dark"),
        QualityIssue::FaceOverexposed => Some("too_bright"),
        QualityIssue::FaceBlurry => Some("blurry"),
        QualityIssue::FacePoseTooStrong => None,
    })
}

/// Removes a warning from a document element and re-derives its status from the rest.
fn drop_warning(element: &mut verifyd_documents::IdVerification, risk: &str) {
    use verifyd_documents::{FeatureStatus, LogType};
    element.warnings.retain(|w| w.risk != risk);
    element.status = match element.warnings.iter().map(|w| w.log_type).max() {
        Some(LogType::Error) => FeatureStatus::Declined,
        Some(LogType::Warning) => FeatureStatus::InReview,
        _ => FeatureStatus::Approved,
    };
}

impl Services {
    /// The holder's photo on a document front, found by the face engine: the largest face,
    /// framed like a passport photo, as JPEG. `None` without a face.
    async fn portrait_from_face(&self, front: Vec<u8>) -> ServiceResult<Option<Vec<u8>>> {
        let engine = self.engines.faces().await?;
        self.engines
            .run(move || {
                let Ok(img) = engine.decode(&front) else {
                    return Ok(None);
                };
                let Ok(analysis) = engine.analyze_image(&img, AnalyzeOptions::default()) else {
                    return Ok(None);
                };
                let Some(main) = analysis.main else {
                    return Ok(None);
                };
                let [x1, y1, x2, y2] = main.detection.bbox;
                let (iw, ih) = (img.width() as f32, img.height() as f32);
                let h = ((y2 - y1) * 1.8).min(ih);
                let w = (h * 0.75).min(iw);
                let left = ((x1 + x2) / 2.0 - w / 2.0).clamp(0.0, (iw - w).max(0.0));
                let top = ((y1 + y2) / 2.0 - h * 0.45).clamp(0.0, (ih - h).max(0.0));
                let crop =
                    image::imageops::crop_imm(&img, left as u32, top as u32, w as u32, h as u32)
                        .to_image();
                let mut out = Vec::new();
                image::DynamicImage::ImageRgb8(crop)
                    .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
                    .map_err(|e| ServiceError::internal("portrait crop", e))?;
                Ok(Some(out))
            })
            .await?
    }

    /// The session a page token opens, with its workflow and flow state. Unknown tokens and
    /// sessions that lapsed are not found.
    pub async fn flow(&self, token: &str) -> ServiceResult<FlowView> {
        if token.len() != 12 || !token.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(not_found());
        }
        let session = self
            .store
            .session_by_token(token)
            .await?
            .ok_or_else(not_found)?;
        if matches!(
            session.status,
            SessionStatus::Expired | SessionStatus::Abandoned | SessionStatus::KycExpired
        ) || (session.status == SessionStatus::NotStarted
            && session.expires_at < self.clock.now())
        {
            return Err(not_found());
        }
        let spec = self.session_spec(&session).await?;
        let state = match self.blobs.get(&media_key(session.id, "flow")).await? {
            Some(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            None => FlowState::default(),
        };
        Ok(FlowView {
            session,
            spec,
            state,
        })
    }

    async fn save_flow(&self, id: SessionId, state: &FlowState) -> ServiceResult<()> {
        let bytes =
            serde_json::to_vec(state).map_err(|e| ServiceError::internal("flow state", e))?;
        self.blobs.put(&media_key(id, "flow"), &bytes).await?;
        Ok(())
    }

    /// Opening the page: Not Started (or Resubmitted) → In Progress. A resubmitted session
    /// reopens only the requested nodes. Idempotent once started.
    pub async fn flow_start(&self, token: &str) -> ServiceResult<FlowView> {
        let mut view = self.flow(token).await?;
        match view.session.status {
            SessionStatus::NotStarted => {}
            SessionStatus::Resubmitted => {
                let reopen = view
                    .session
                    .resubmit_info
                    .as_ref()
                    .map(reopened_features)
                    .unwrap_or_default();
                // Backend-only nodes (AML) re-run at the end without the person.
                let mut state = FlowState {
                    reopen: Some(reopen),
                    ..FlowState::default()
                };
                state.document_type = view.state.document_type.clone();
                // The document portrait stays the reference when only the selfie is redone.
                state.has_document_portrait = view.state.has_document_portrait;
                self.save_flow(view.session.id, &state).await?;
                view.state = state;
            }
            _ => return Ok(view),
        }
        view.session = self
            .transition(
                view.session,
                SessionStatus::InProgress,
                "status_change",
                None,
                "user",
            )
            .await?;
        Ok(view)
    }

    fn require_in_progress(view: &FlowView) -> ServiceResult<()> {
        if view.session.status != SessionStatus::InProgress {
            return Err(rejected("The verification is not in progress."));
        }
        Ok(())
    }

    /// The person's choice of document type (and optionally country).
    pub async fn flow_select_document(
        &self,
        token: &str,
        document_type: &str,
        country: Option<&str>,
    ) -> ServiceResult<FlowView> {
        let mut view = self.flow(token).await?;
        Self::require_in_progress(&view)?;
        let code = document_type.trim().to_uppercase();
        let offered = offered_document_types(&view.spec, view.session.expected_details.as_ref());
        if !offered.contains(&code) {
            return Err(FieldErrors::single(
                "document_type",
                format!("\"{code}\" is not a valid choice."),
            )
            .into());
        }
        let country = country
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty());
        if let Some(c) = &country {
            if c.len() != 3 || !c.chars().all(|x| x.is_ascii_alphabetic()) {
                return Err(FieldErrors::single("country", "Use an ISO 3166 alpha-3 code.").into());
            }
            if !document_allowed(&view.spec, Some(c), Some(&code)) {
                return Err(FieldErrors::single(
                    "document_type",
                    "This document is not accepted for this country.",
                )
                .into());
            }
        }
        let state = &mut view.state;
        if state.document_type.as_deref() != Some(code.as_str()) {
            // Another type: the captures of the previous one no longer apply.
            state.done.retain(|s| *s == Step::Face);
            state.id_verification = None;
            state.has_document_portrait = false;
        }
        state.document_type = Some(code);
        state.country = country;
        if !state.done.contains(&Step::DocumentSelection) {
            state.done.push(Step::DocumentSelection);
        }
        self.save_flow(view.session.id, &view.state).await?;
        Ok(view)
    }

    fn document_policy(&self, view: &FlowView) -> DocumentPolicy {
        let mut policy = DocumentPolicy::new(self.clock.now().date_naive());
        policy.minimum_age = view.spec.minimum_age;
        policy.expected_document_types = view
            .session
            .expected_details
            .as_ref()
            .and_then(|d| d.get("expected_document_types"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(DocumentType::from_code)
            .collect();
        policy.expected_details = expected_details(view.session.expected_details.as_ref());
        policy
    }

    /// Stores one capture, runs its engine and says whether it can be used.
    pub async fn flow_upload(
        &self,
        token: &str,
        capture: Capture,
        bytes: Vec<u8>,
    ) -> ServiceResult<(FlowView, CaptureVerdict)> {
        let mut view = self.flow(token).await?;
        Self::require_in_progress(&view)?;
        check_upload(&bytes)?;
        let steps = view.steps();
        if !steps.contains(&capture.step()) {
            return Err(rejected("This step is not part of the verification."));
        }
        let code = view.state.document_type.clone();
        if capture != Capture::Selfie {
            let Some(_) = code.as_deref() else {
                return Err(rejected("Choose the document type first."));
            };
            if capture == Capture::DocumentBack && !view.state.done.contains(&Step::DocumentFront) {
                return Err(rejected("Photograph the front of the document first."));
            }
        }
        let id = view.session.id;
        self.blobs
            .put(&media_key(id, capture.blob()), &bytes)
            .await?;
        let problem = match capture {
            Capture::Selfie => {
                let engine = self.engines.faces().await?;
                let params = FaceParams::of(&view);
                let portrait = if view.state.has_document_portrait {
                    self.blobs.get(&media_key(id, "document_portrait")).await?
                } else {
                    None
                };
                // The full analysis once: the verdict, and the decision's elements with it, so
                // finishing has only screening left.
                let (problem, elements, template) = self
                    .engines
                    .run(move || {
                        let user = engine
                            .analyze(&bytes, params.analyze_options())
                            .map_err(|e| upload_face_error(&e))?;
                        let elements = face_elements(&engine, &user, portrait.as_deref(), params)?;
                        let template = user.main.as_ref().map(|m| m.template.to_bytes());
                        Ok::<_, ServiceError>((selfie_problem(&user), elements, template))
                    })
                    .await??;
                view.state.face_elements = Some(elements);
                view.state.selfie_template = template;
                problem
            }
            Capture::DocumentFront | Capture::DocumentBack => {
                let code = code.unwrap_or_else(|| "P".to_owned());
                let reader = self.engines.documents().await?;
                let policy = self.document_policy(&view);
                // The front alone, or the stored front with this back.
                let (front, back) = match capture {
                    Capture::DocumentFront => (bytes, None),
                    _ => {
                        let front = self
                            .blobs
                            .get(&media_key(id, "document_front"))
                            .await?
                            .ok_or_else(|| {
                                rejected("Photograph the front of the document first.")
                            })?;
                        (front, Some(bytes))
                    }
                };
                let front_copy = front.clone();
                let (reading, mut element) = self
                    .engines
                    .run(move || {
                        let reading = reader
                            .read(&front, back.as_deref(), &ReadOptions::new(policy.today))
                            .map_err(|e| upload_document_error(&e))?;
                        let element = reading.evaluate(&policy);
                        Ok::<_, ServiceError>((reading, element))
                    })
                    .await??;
                let problem = document_problem(&reading, capture, &code);
                let complete = capture == Capture::DocumentBack || !has_back(&code);
                let mut portrait = reading.portrait_jpeg.clone();
                if portrait.is_none() && problem.is_none() {
                    // The layout heuristics found no portrait (cards vary): the largest face
                    // on the front is the holder's photo.
                    portrait = self.portrait_from_face(front_copy).await?;
                    if portrait.is_some() {
                        drop_warning(&mut element, "PORTRAIT_IMAGE_NOT_DETECTED");
                    }
                }
                if complete || problem.is_none() {
                    view.state.id_verification = Some(document_element(&element)?);
                }
                if let Some(portrait) = &portrait {
                    self.blobs
                        .put(&media_key(id, "document_portrait"), portrait)
                        .await?;
                    view.state.has_document_portrait = true;
                }
                view.state.face_elements = None;
                problem
            }
        };
        let step = capture.step();
        let max = view.spec.max_retry_attempts;
        let used = view
            .state
            .attempts
            .entry(step.as_str().to_owned())
            .or_insert(0);
        let accepted = match problem {
            None => true,
            Some(_) if *used >= max => true,
            Some(_) => {
                *used += 1;
                false
            }
        };
        let attempts_left = max.saturating_sub(*used);
        if accepted && !view.state.done.contains(&step) {
            view.state.done.push(step);
        }
        if capture == Capture::DocumentFront && accepted {
            // A new front invalidates an earlier back.
            view.state.done.retain(|s| *s != Step::DocumentBack);
        }
        self.save_flow(id, &view.state).await?;
        let next_step = if accepted { view.current_step() } else { None };
        Ok((
            view,
            CaptureVerdict {
                accepted,
                reason: problem.map(str::to_owned),
                attempts_left,
                next_step,
            },
        ))
    }

    /// Runs the remaining checks, builds the decision and moves the session to its final
    /// status. Returns the session as decided.
    pub async fn flow_finish(&self, token: &str) -> ServiceResult<FlowView> {
        let mut view = self.flow(token).await?;
        if view.is_final() {
            return Ok(view);
        }
        Self::require_in_progress(&view)?;
        if let Some(step) = view.current_step() {
            return Err(rejected(&format!(
                "The step \"{}\" is not complete.",
                step.as_str()
            )));
        }
        let fresh = self.run_checks(&view).await?;
        let (extra, template) = self.extra_warnings(&view, &fresh).await?;
        let decision = kyc::build_results(DecisionInput {
            spec: &view.spec,
            previous: &view.session.results,
            reopened: view.state.reopen.as_deref(),
            fresh,
            extra,
        });
        let mut session = view.session;
        session.results = decision.results;
        session.session_type = "HOSTED".to_owned();
        view.session = self
            .transition(
                session,
                decision.status,
                "status_change",
                Some("Verification completed".to_owned()),
                "system",
            )
            .await?;
        if let Some(template) = template {
            self.enroll_selfie(&view.session, &template).await;
        }
        Ok(view)
    }

    /// Blocklist and duplicate-user warnings for a finished flow, and the selfie's face
    /// template (enrolled into the application's face index once the session is decided).
    ///
    /// * The document number read from the document is looked up in the document blocklist.
    /// * The selfie's face is searched among the application's enrolled faces: a blocklisted
    ///   face gives FACE_IN_BLOCKLIST (POSSIBLE_FACE_IN_BLOCKLIST below the same-person
    ///   score), and the same face in another person's session (another `vendor_data`) a
    ///   possible duplicated user with the severity of `duplicated_user_action`.
    async fn extra_warnings(
        &self,
        view: &FlowView,
        fresh: &[FeatureResult],
    ) -> ServiceResult<(Vec<ExtraWarning>, Option<Template>)> {
        let session = &view.session;
        let mut extra = Vec::new();
        let document_number = fresh
            .iter()
            .find(|r| r.feature == Feature::Ocr)
            .and_then(|r| r.element.get("document_number"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let probe = BlocklistProbe {
            document_number,
            phone: None,
            email: None,
        };
        for warning in self.blocklist_warnings(session.app_id, &probe).await? {
            extra.push(ExtraWarning {
                feature: Feature::Ocr,
                warning,
            });
        }

        // The template the selfie upload computed (none: no selfie, or no face in it).
        let Some(template) = view
            .state
            .selfie_template
            .as_deref()
            .and_then(|bytes| Template::from_bytes(bytes).ok())
        else {
            return Ok((extra, None));
        };
        let candidates = self
            .search_faces(
                session.app_id,
                template.clone(),
                SearchScope::MostSimilar,
                FACE_CANDIDATES,
            )
            .await?;
        let face_feature = if view.spec.has(Feature::Liveness) {
            Feature::Liveness
        } else {
            Feature::FaceMatch
        };
        if let Some(hit) = candidates.iter().find(|c| c.is_blocklisted) {
            let (code, log_type, short) = if hit.score >= SAME_PERSON_SCORE {
                ("FACE_IN_BLOCKLIST", "error", "Face in blocklist")
            } else {
                (
                    "POSSIBLE_FACE_IN_BLOCKLIST",
                    "warning",
                    "Possible face in blocklist",
                )
            };
            let mut w = warning(
                code,
                "LIVENESS",
                log_type,
                short,
                "The selfie matches a face in the application's blocklist.",
            );
            if let Some(object) = w.as_object_mut() {
                object.insert(
                    "additional_data".into(),
                    json!({"blocklisted_entry_template": hit.template_id,
                           "similarity_percentage": (f64::from(hit.score) * 100.0).round() / 100.0}),
                );
            }
            extra.push(ExtraWarning {
                feature: face_feature,
                warning: w,
            });
        }
        let others: Vec<String> = candidates
            .iter()
            .filter(|c| c.score >= SAME_PERSON_SCORE && !c.is_blocklisted && !c.is_allowlisted)
            .filter(|c| c.session_id.is_some_and(|id| id != session.id.0))
            .filter(|c| c.vendor_data.is_none() || c.vendor_data != session.vendor_data)
            .filter_map(|c| c.session_id.map(|id| id.to_string()))
            .collect();
        if !others.is_empty() && view.spec.has(Feature::Ocr) {
            extra.push(kyc::duplicated_user_warning(
                view.spec.duplicated_user_action,
                &others,
            ));
        }
        Ok((extra, Some(template)))
    }

    /// Enrolls a decided session's selfie into the application's face index (duplicates and
    /// face searches find it from now on). A failure is logged: the decision stands.
    async fn enroll_selfie(&self, session: &Session, template: &Template) {
        let enrolled = self
            .enroll_face(
                session.app_id,
                template,
                Enrollment {
                    session_id: Some(session.id.0),
                    list_entry_id: None,
                    source: TemplateSource::Session,
                    list_kind: None,
                    api_service: None,
                    status: Some(session.status.to_string()),
                    vendor_data: session.vendor_data.clone(),
                },
            )
            .await;
        if let Err(err) = enrolled {
            tracing::error!(session_id = %session.id, error = %err, "enrolling the selfie failed");
        }
    }

    /// The engines' elements for the features this run decides.
    async fn run_checks(&self, view: &FlowView) -> ServiceResult<Vec<FeatureResult>> {
        let spec = &view.spec;
        let reopened = view.state.reopen.as_deref();
        let wants = |f: Feature| spec.has(f) && reopened.is_none_or(|r| r.contains(&f));
        let id = view.session.id;
        let mut out = Vec::new();

        // The document, read at upload; the decision adds what only the workflow knows.
        let mut document = view.state.id_verification.clone();
        if wants(Feature::Ocr) {
            let mut element = document.clone().unwrap_or_else(|| {
                json!({"status": "Declined", "warnings": [warning(
                    "COULD_NOT_RECOGNIZE_DOCUMENT", "ID_VERIFICATION", "error",
                    "Document not recognised", "No document was captured.")]})
            });
            let country = element
                .get("issuing_state")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let code = element
                .get("document_type_code")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if country.is_some() && !document_allowed(spec, country.as_deref(), code.as_deref()) {
                kyc::apply_warning(
                    &mut element,
                    warning(
                        "DOCUMENT_NOT_SUPPORTED_FOR_APPLICATION",
                        "ID_VERIFICATION",
                        "error",
                        "Document not accepted",
                        "This document type or issuing country is not accepted by the workflow.",
                    ),
                );
            }
            document = Some(element.clone());
            out.push(FeatureResult {
                feature: Feature::Ocr,
                element,
            });
        } else if document.is_none() {
            // A resubmission that kept the document: its earlier reading.
            document = view
                .session
                .results_of("id_verifications")
                .into_iter()
                .next();
        }

        let params = FaceParams::of(view);
        if params.any() {
            let elements = match view.state.face_elements.clone() {
                Some(cached) => cached,
                None => {
                    let selfie = self
                        .blobs
                        .get(&media_key(id, "selfie"))
                        .await?
                        .ok_or_else(|| rejected("Take the selfie first."))?;
                    let portrait = if view.state.has_document_portrait {
                        self.blobs.get(&media_key(id, "document_portrait")).await?
                    } else {
                        None
                    };
                    let engine = self.engines.faces().await?;
                    self.engines
                        .run(move || {
                            let user = engine
                                .analyze(&selfie, params.analyze_options())
                                .map_err(|e| ServiceError::internal("selfie analysis", e))?;
                            face_elements(&engine, &user, portrait.as_deref(), params)
                        })
                        .await??
                }
            };
            out.extend(
                elements
                    .into_iter()
                    .map(|(feature, element)| FeatureResult { feature, element }),
            );
        }

        if wants(Feature::Aml) {
            out.push(FeatureResult {
                feature: Feature::Aml,
                element: self.screen_document_holder(view, document.as_ref()).await?,
            });
        }
        Ok(out)
    }

    /// AML on the name read from the document (the session's expected name otherwise).
    async fn screen_document_holder(
        &self,
        view: &FlowView,
        document: Option<&Value>,
    ) -> ServiceResult<Value> {
        let from_doc = |k: &str| {
            document
                .and_then(|d| d.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let expected = view.session.expected_details.as_ref();
        let from_expected = |k: &str| {
            expected
                .and_then(|d| d.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let full_name = from_doc("full_name").or_else(|| {
            match (from_expected("first_name"), from_expected("last_name")) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                (f, l) => f.or(l),
            }
        });
        let Some(full_name) = full_name.filter(|n| !n.trim().is_empty()) else {
            return Ok(
                json!({"status": "In Review", "total_hits": 0, "hits": [], "warnings": [warning(
                "AML_NAME_NOT_AVAILABLE", "AML", "warning", "No name to screen",
                "No name could be read from the document, so it could not be screened; a reviewer must screen it.")]}),
            );
        };
        let query = Query {
            full_name,
            entity_type: Some(QueryEntityType::Person),
            date_of_birth: from_doc("date_of_birth")
                .or_else(|| from_expected("date_of_birth"))
                .and_then(|d| QueryDate::parse(&d)),
            nationality: from_doc("nationality").or_else(|| from_expected("nationality")),
            gender: None,
            document_number: from_doc("document_number"),
        };
        let thresholds = crate::screening::workflow_aml_thresholds(&view.spec);
        let result = match self.engines.screening().await? {
            None => lists_not_loaded(&query, &thresholds),
            Some(index) => {
                self.engines
                    .run(move || {
                        let hits = index.screen_with(&query, &ScreenOptions::default());
                        verifyd_screening::decide(&query, &hits, &thresholds)
                    })
                    .await?
            }
        };
        serde_json::to_value(result).map_err(|e| ServiceError::internal("aml element", e))
    }
}

fn upload_face_error(err: &verifyd_faces::FaceError) -> ServiceError {
    if err.is_input_error() {
        FieldErrors::single("image", "Upload a valid image. The file is corrupted.").into()
    } else {
        ServiceError::Internal(format!("face engine: {err}"))
    }
}

fn upload_document_error(err: &verifyd_documents::DocumentError) -> ServiceError {
    match err {
        verifyd_documents::DocumentError::Model(_) => {
            ServiceError::Internal(format!("document reader: {err}"))
        }
        _ => FieldErrors::single("image", "Upload a valid image. The file is corrupted.").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::new(w, h);
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn uploads_are_checked_before_decoding() {
        assert!(check_upload(&png(400, 300)).is_ok());
        assert!(check_upload(&png(50, 300)).is_err());
        assert!(check_upload(b"GIF89a....").is_err());
        assert!(check_upload(&[]).is_err());
        // A PNG header announcing 50 000 × 50 000 pixels: refused from the header alone.
        let mut bomb = png(400, 300);
        bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = check_upload(&bomb).unwrap_err();
        assert_eq!(err.0["image"], vec!["The image has too many pixels."]);
    }

    #[test]
    fn callback_carries_id_and_status() {
        assert_eq!(encode("In Review"), "In%20Review");
    }
}
