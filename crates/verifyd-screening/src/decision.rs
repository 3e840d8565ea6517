//! From hits to the contract's AML JSON: the `aml` object of `POST /v3/aml/` and the
//! `aml_screenings[]` element of a session decision.
//!
//! Didit's model has two scores. The *match score* (is this the same person?) classifies each hit:
//! below the match threshold it is a `False Positive`, otherwise `Unreviewed`. The *risk score*
//! (how bad is this entity if it is them?) of the unreviewed hits gives the aggregate `score`,
//! which the approve/review thresholds turn into Approved / In Review / Declined. With Didit's
//! defaults (approve 80, review 100) a sanctions hit lands In Review and nothing auto-declines;
//! workflows lower the review threshold to decline automatically.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::index::{Hit, Query, QueryDate, QueryEntityType, ScoreBreakdown};

/// The match-score threshold this engine is calibrated for (chosen on `name_pairs_dev.csv`; see
/// the crate README/eval). Didit's own default, 93, belongs to Didit's score scale.
pub const DEFAULT_MATCH_THRESHOLD: f64 = 82.0;

/// Risk score of a hit on a sanctions list.
pub const RISK_SANCTIONS: f64 = 100.0;
/// Risk score of a PEP-only hit.
pub const RISK_PEP: f64 = 75.0;
/// Risk score of any other listed entity.
pub const RISK_OTHER: f64 = 50.0;

/// Decision thresholds (the contract's `aml_match_score_threshold`, `aml_score_approve_threshold`,
/// `aml_score_review_threshold`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Hits with a match score below this are `False Positive` and carry no risk.
    pub match_score: f64,
    /// Aggregate score at or below this → Approved.
    pub approve: f64,
    /// Aggregate score above this → Declined; between approve and review → In Review.
    pub review: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            match_score: DEFAULT_MATCH_THRESHOLD,
            approve: 80.0,
            review: 100.0,
        }
    }
}

/// AML feature status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmlStatus {
    /// No relevant hit.
    Approved,
    /// A possible match needs a human.
    #[serde(rename = "In Review")]
    InReview,
    /// Above the review threshold.
    Declined,
}

/// Review state of one hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewStatus {
    /// Awaiting review (match score at or above the threshold).
    Unreviewed,
    /// Confirmed by a reviewer.
    #[serde(rename = "Confirmed Match")]
    ConfirmedMatch,
    /// Below the match threshold, or dismissed by a reviewer.
    #[serde(rename = "False Positive")]
    FalsePositive,
    /// Reviewer could not decide.
    Inconclusive,
}

/// A `sanction_matches[]` element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SanctionMatch {
    /// List name.
    pub list_name: String,
    /// Publisher key (`un`, `ofac`, …).
    pub source: String,
    /// Id of the entry in its list.
    pub source_id: String,
    /// Programmes/regimes.
    pub programs: Vec<String>,
    /// The name that matched.
    pub matched_name: String,
}

/// A `pep_matches[]` element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PepMatch {
    /// List name.
    pub list_name: String,
    /// Publisher.
    pub publisher: String,
    /// Source URL (empty when unknown).
    pub source_url: String,
    /// The name that matched.
    pub matched_name: String,
    /// Position (empty when unknown).
    pub pep_position: String,
    /// First known birth date.
    pub date_of_birth: String,
    /// Place of birth (empty when unknown).
    pub place_of_birth: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Education (unknown).
    pub education: Vec<String>,
    /// Other sources.
    pub other_sources: Vec<String>,
}

/// One element of `hits[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmlHitOut {
    /// Entity key (`un-6908547`, `ofac-2674`).
    pub id: String,
    /// Link to the entry (none for local lists).
    pub url: Option<String>,
    /// Whether the match score reaches the match threshold.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Deprecated 0–1 score (match_score / 100).
    pub score: f64,
    /// Match score 0–100.
    pub match_score: f64,
    /// Risk score 0–100.
    pub risk_score: f64,
    /// Always true: the entity itself is listed.
    pub target: bool,
    /// Entity's primary name.
    pub caption: String,
    /// `Sanctions`, `PEP`.
    pub datasets: Vec<String>,
    /// Unused.
    pub features: Option<Value>,
    /// FtM-style properties of the entity.
    pub properties: Value,
    /// Relative/close associate name (unused).
    pub rca_name: Option<String>,
    /// PEP details.
    pub pep_matches: Vec<PepMatch>,
    /// Sanctions details.
    pub sanction_matches: Vec<SanctionMatch>,
    /// Unused.
    pub warning_matches: Vec<Value>,
    /// Adverse media is not screened.
    pub adverse_media_matches: Vec<Value>,
    /// Unused.
    pub adverse_media_details: Option<Value>,
    /// Unknown.
    pub first_seen: Option<String>,
    /// Unknown.
    pub last_seen: Option<String>,
    /// Unused.
    pub linked_entities: Vec<Value>,
    /// Unused.
    pub risk_view: Option<Value>,
    /// Matching details: source, source id, matched name, reasons.
    pub additional_information: Value,
    /// Review status.
    pub review_status: ReviewStatus,
    /// Component scores.
    pub score_breakdown: ScoreBreakdown,
}

/// `screened_data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenedData {
    /// Screened name.
    pub full_name: String,
    /// `YYYY-MM-DD` or `YYYY`.
    pub date_of_birth: Option<String>,
    /// Nationality as given.
    pub nationality: Option<String>,
    /// Document number as given.
    pub document_number: Option<String>,
}

/// The contract's warning object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmlWarning {
    /// Always `AML`.
    pub feature: String,
    /// Warning code (`POSSIBLE_MATCH_FOUND`).
    pub risk: String,
    /// Extra data.
    pub additional_data: Option<Value>,
    /// `warning` or `error` (error drives Declined).
    pub log_type: String,
    /// One line.
    pub short_description: String,
    /// Longer explanation.
    pub long_description: String,
}

/// The `aml` object of `POST /v3/aml/`; with `node_id` it is an `aml_screenings[]` element (see
/// [`AmlScreening`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmlResult {
    /// Feature status.
    pub status: AmlStatus,
    /// Number of hits returned.
    pub total_hits: usize,
    /// `person` or `company`.
    pub entity_type: String,
    /// Hits, best first.
    pub hits: Vec<AmlHitOut>,
    /// Aggregate risk score (max over unreviewed hits); `None` with no hits.
    pub score: Option<f64>,
    /// What was screened.
    pub screened_data: ScreenedData,
    /// Warnings.
    pub warnings: Vec<AmlWarning>,
    /// Whether adverse media was searched (never, here).
    pub is_adverse_media_fetched: bool,
    /// Any unreviewed PEP hit.
    pub pep_detected: bool,
    /// Any unreviewed sanctions hit.
    pub sanctions_detected: bool,
    /// Always false: no adverse media source.
    pub adverse_media_detected: bool,
}

/// An `aml_screenings[]` element of a session decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmlScreening {
    /// Workflow node id (e.g. `feature_aml`).
    pub node_id: Option<String>,
    /// The screening result, flattened.
    #[serde(flatten)]
    pub result: AmlResult,
}

fn risk_of(hit: &Hit) -> f64 {
    if hit.entity.is_sanctioned {
        RISK_SANCTIONS
    } else if hit.entity.is_pep {
        RISK_PEP
    } else {
        RISK_OTHER
    }
}

fn properties(hit: &Hit) -> Value {
    let e = &hit.entity;
    let mut p = Map::new();
    p.insert("name".into(), json!([e.name]));
    p.insert(
        "alias".into(),
        json!(e
            .aliases
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()),
    );
    p.insert(
        "birthDate".into(),
        json!(e.birth_dates.iter().map(|d| d.to_iso()).collect::<Vec<_>>()),
    );
    p.insert("nationality".into(), json!(e.nationalities.join(", ")));
    p.insert(
        "gender".into(),
        json!(e
            .gender
            .map(|g| format!("{g:?}").to_lowercase())
            .into_iter()
            .collect::<Vec<_>>()),
    );
    p.insert("notes".into(), json!(e.remarks.iter().collect::<Vec<_>>()));
    let topics: Vec<&str> = [(e.is_sanctioned, "sanction"), (e.is_pep, "role.pep")]
        .iter()
        .filter(|(b, _)| *b)
        .map(|(_, t)| *t)
        .collect();
    p.insert("topics".into(), json!(topics.join(",")));
    Value::Object(p)
}

fn hit_out(hit: &Hit, t: &Thresholds) -> AmlHitOut {
    let e = &hit.entity;
    let is_match = hit.match_score >= t.match_score;
    let mut datasets = Vec::new();
    if e.is_sanctioned {
        datasets.push("Sanctions".to_string());
    }
    if e.is_pep {
        datasets.push("PEP".to_string());
    }
    let sanction_matches = if e.is_sanctioned {
        vec![SanctionMatch {
            list_name: e.source.list_name().to_string(),
            source: e.source.key_prefix().to_string(),
            source_id: e.source_id.clone(),
            programs: e.programs.clone(),
            matched_name: hit.matched_name.clone(),
        }]
    } else {
        Vec::new()
    };
    let pep_matches = if e.is_pep {
        vec![PepMatch {
            list_name: e.source.list_name().to_string(),
            publisher: e.source.list_name().to_string(),
            source_url: String::new(),
            matched_name: hit.matched_name.clone(),
            pep_position: String::new(),
            date_of_birth: e
                .birth_dates
                .first()
                .map(|d| d.to_iso())
                .unwrap_or_default(),
            place_of_birth: String::new(),
            aliases: e.aliases.iter().map(|a| a.name.clone()).collect(),
            education: Vec::new(),
            other_sources: Vec::new(),
        }]
    } else {
        Vec::new()
    };
    AmlHitOut {
        id: e.key(),
        url: None,
        is_match,
        score: (hit.match_score / 100.0 * 1000.0).round() / 1000.0,
        match_score: hit.match_score,
        risk_score: risk_of(hit),
        target: true,
        caption: e.name.clone(),
        datasets,
        features: None,
        properties: properties(hit),
        rca_name: None,
        pep_matches,
        sanction_matches,
        warning_matches: Vec::new(),
        adverse_media_matches: Vec::new(),
        adverse_media_details: None,
        first_seen: None,
        last_seen: None,
        linked_entities: Vec::new(),
        risk_view: None,
        additional_information: json!({
            "source": e.source,
            "source_id": e.source_id,
            "list_name": e.source.list_name(),
            "matched_name": hit.matched_name,
            "name_score": hit.name_score,
            "reasons": hit.reasons,
        }),
        review_status: if is_match {
            ReviewStatus::Unreviewed
        } else {
            ReviewStatus::FalsePositive
        },
        score_breakdown: hit.score_breakdown.clone(),
    }
}

/// Turns screening hits into the contract's `aml` object.
pub fn decide(query: &Query, hits: &[Hit], t: &Thresholds) -> AmlResult {
    let out: Vec<AmlHitOut> = hits.iter().map(|h| hit_out(h, t)).collect();
    let relevant: Vec<&AmlHitOut> = out
        .iter()
        .filter(|h| h.review_status == ReviewStatus::Unreviewed)
        .collect();
    let score = relevant.iter().map(|h| h.risk_score).reduce(f64::max);
    let s = score.unwrap_or(0.0);
    let status = if s > t.review {
        AmlStatus::Declined
    } else if s > t.approve {
        AmlStatus::InReview
    } else {
        AmlStatus::Approved
    };
    let mut warnings = Vec::new();
    if status != AmlStatus::Approved {
        warnings.push(AmlWarning {
            feature: "AML".into(),
            risk: "POSSIBLE_MATCH_FOUND".into(),
            additional_data: None,
            log_type: if status == AmlStatus::Declined {
                "error"
            } else {
                "warning"
            }
            .into(),
            short_description: "Possible match found in AML screening".into(),
            long_description: format!(
                "{} hit(s) reached the match threshold; aggregate risk score {s:.0}.",
                relevant.len()
            ),
        });
    }
    AmlResult {
        status,
        total_hits: out.len(),
        entity_type: match query.entity_type {
            Some(QueryEntityType::Company) => "company",
            _ => "person",
        }
        .into(),
        pep_detected: relevant.iter().any(|h| !h.pep_matches.is_empty()),
        sanctions_detected: relevant.iter().any(|h| !h.sanction_matches.is_empty()),
        adverse_media_detected: false,
        is_adverse_media_fetched: false,
        score,
        screened_data: ScreenedData {
            full_name: query.full_name.clone(),
            date_of_birth: query.date_of_birth.map(|d| match d {
                QueryDate::Full(d) => d.format("%Y-%m-%d").to_string(),
                QueryDate::Year(y) => format!("{y:04}"),
            }),
            nationality: query.nationality.clone(),
            document_number: query.document_number.clone(),
        },
        warnings,
        hits: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Index;
    use crate::model::{Entity, EntityType, Source};

    #[test]
    fn sanctions_hit_goes_to_review_and_serialises_like_the_contract() {
        let idx = Index::new(vec![Entity::new(
            Source::Un,
            "6907993",
            EntityType::Person,
            "ERIC BADEGE",
        )]);
        let q = Query::name("Eric Badege");
        let r = decide(&q, &idx.screen(&q), &Thresholds::default());
        assert_eq!(r.status, AmlStatus::InReview);
        assert!(r.sanctions_detected);
        let v = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(v["status"], "In Review");
        assert_eq!(v["hits"][0]["review_status"], "Unreviewed");
        assert_eq!(v["hits"][0]["match"], true);
        assert_eq!(v["hits"][0]["score_breakdown"]["name_weight"], 60);
        assert_eq!(v["warnings"][0]["risk"], "POSSIBLE_MATCH_FOUND");
        let strict = Thresholds {
            review: 90.0,
            ..Thresholds::default()
        };
        assert_eq!(
            decide(&q, &idx.screen(&q), &strict).status,
            AmlStatus::Declined
        );
        let clean = Query::name("Jane Doe");
        assert_eq!(
            decide(&clean, &idx.screen(&clean), &Thresholds::default()).status,
            AmlStatus::Approved
        );
    }
}
