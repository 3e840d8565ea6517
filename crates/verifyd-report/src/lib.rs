//! The session PDF report behind `GET /v3/session/{id}/generate-pdf`.
//!
//! A reviewer or auditor reads this file outside the console, often printed, so it has to stand on
//! its own: who the session is, what each check found, every warning, who changed the status, and
//! the photos. The input is the decision JSON exactly as the API returns it (contract §2) rather than
//! a typed model, because the report must render whatever a decision holds: features added later,
//! fields missing on half-finished sessions, odd values from imported sessions. Unknown feature
//! arrays get a generic section; nothing in the JSON can make rendering fail.
//!
//! The PDF uses the viewer's built-in Helvetica (no font file to ship or embed), so text outside
//! WinAnsi is transliterated or replaced (see [`text`](crate::text)); images are decoded here,
//! downscaled and embedded as JPEG. The result is deterministic for a given input and timestamp.

mod images;
mod layout;
mod metrics;
mod report;
mod text;

use chrono::{DateTime, Utc};

/// An image to show in the report (document front/back, portrait, selfie...), as uploaded.
#[derive(Clone, PartialEq, Eq)]
pub struct ReportImage {
    /// Caption under the picture, e.g. "Document front".
    pub label: String,
    /// Encoded JPEG, PNG or WebP bytes. Undecodable bytes are skipped with a note in the report.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for ReportImage {
    // The bytes are biometric data and large; never dump them into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportImage")
            .field("label", &self.label)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The decision would need more pages than a report is allowed (a sign of corrupt data).
    #[error("the report would exceed {max} pages")]
    TooLarge {
        /// The page limit.
        max: usize,
    },
}

/// Render the PDF report for one session.
///
/// `decision` is the session's decision object (any JSON is accepted; non-objects render an empty
/// report), `images` are shown in the order given, and `generated_at` is printed in the footer and
/// the document info (passed in, not read from the clock, so output is reproducible).
pub fn render_session_report(
    decision: &serde_json::Value,
    images: &[ReportImage],
    generated_at: DateTime<Utc>,
) -> Result<Vec<u8>, ReportError> {
    let session = report::scalar(decision.get("session_id"));
    let number = report::scalar(decision.get("session_number"));
    let header_right = match (&number, &session) {
        (Some(n), _) => format!("Session #{n}"),
        (None, Some(id)) => format!("Session {id}"),
        (None, None) => "Session".to_owned(),
    };
    let mut doc = layout::Doc::new(header_right, report::MAX_PAGES);
    report::build(&mut doc, decision, images, generated_at);
    if doc.too_long() {
        return Err(ReportError::TooLarge {
            max: report::MAX_PAGES,
        });
    }
    let title = match session {
        Some(id) => format!("Verification report - session {id}"),
        None => "Verification report".to_owned(),
    };
    let footer = format!(
        "Generated {} by verifyd  |  Confidential: contains personal data",
        generated_at.format("%Y-%m-%d %H:%M UTC")
    );
    Ok(doc.finish(&title, &footer, layout::pdf_date(generated_at)))
}
