//! Accuracy evaluation on labelled (query, candidate entity) pairs, against a plain Jaro-Winkler
//! baseline, so that "better than Watchman" is a number anyone can recompute.
//!
//! Evaluation is entity-level, as screening is used: the query is screened against the whole
//! index and the pair counts as predicted-positive when the candidate entity comes back with a
//! match score at or above the threshold (through any of its names). Pairs whose entity is not
//! in the index fall back to comparing the query with the candidate name directly.

use std::fmt;
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::decision::DEFAULT_MATCH_THRESHOLD;
use crate::error::ScreeningError;
use crate::index::{Index, Query, QueryEntityType, ScreenOptions};
use crate::matcher::{baseline_best_pairs_jaro_winkler, baseline_jaro_winkler};
use crate::normalize::NameKind;

/// One labelled pair (columns of `name_pairs_dev.csv`: pair_id, split, label, category, family,
/// query, candidate, candidate_entity, source, schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledPair {
    /// Pair id.
    pub pair_id: String,
    /// True if query and candidate are the same entity.
    pub label: bool,
    /// Variant category (alias_good, typo, near-miss…).
    pub category: String,
    /// The screened name.
    pub query: String,
    /// The list name the pair was built from.
    pub candidate: String,
    /// Entity key (`un-<DATAID>`, `ofac-<ent_num>`).
    pub candidate_entity: String,
    /// `Person` or `Organization`.
    pub schema: String,
}

/// Reads a labelled pair CSV (header-driven; extra columns are ignored).
pub fn load_pairs<R: Read>(reader: R) -> Result<Vec<LabelledPair>, ScreeningError> {
    const WHAT: &str = "labelled pairs CSV";
    let mut rdr = csv::Reader::from_reader(reader);
    let h = rdr
        .headers()
        .map_err(|source| ScreeningError::Csv { what: WHAT, source })?
        .clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .ok_or_else(|| ScreeningError::Format {
                what: WHAT,
                message: format!("missing column {n}"),
            })
    };
    let (ci, cl, cc, cq, ccand, ce) = (
        col("pair_id")?,
        col("label")?,
        col("category")?,
        col("query")?,
        col("candidate")?,
        col("candidate_entity")?,
    );
    let cs = h.iter().position(|x| x == "schema");
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|source| ScreeningError::Csv { what: WHAT, source })?;
        let g = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.push(LabelledPair {
            pair_id: g(ci),
            label: matches!(rec.get(cl).map(str::trim), Some("1" | "true" | "True")),
            category: g(cc),
            query: g(cq),
            candidate: g(ccand),
            candidate_entity: g(ce),
            schema: cs.map(g).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Confusion counts and rates of one method at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodReport {
    /// Method name.
    pub method: String,
    /// Threshold (0–100).
    pub threshold: f64,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// True negatives.
    pub tn: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp).
    pub precision: f64,
    /// tp / (tp + fn).
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

impl MethodReport {
    fn from_scores(method: &str, threshold: f64, scored: &[(bool, f64)]) -> Self {
        let (mut tp, mut fp, mut tn, mut fn_) = (0, 0, 0, 0);
        for (label, s) in scored {
            match (*label, *s >= threshold) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (false, false) => tn += 1,
                (true, false) => fn_ += 1,
            }
        }
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        MethodReport {
            method: method.to_string(),
            threshold,
            tp,
            fp,
            tn,
            fn_,
            precision,
            recall,
            f1,
        }
    }

    /// Best-F1 threshold over 0..=100 (used for the baseline, which gets tuned on the same data:
    /// a generous comparison).
    fn best(method: &str, scored: &[(bool, f64)]) -> Self {
        let mut best = Self::from_scores(method, 0.0, scored);
        for t in 1..=100 {
            let r = Self::from_scores(method, f64::from(t), scored);
            if r.f1 > best.f1 {
                best = r;
            }
        }
        best
    }
}

/// Per-category accuracy of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryStats {
    /// Category name.
    pub category: String,
    /// Label of the category's pairs.
    pub label: bool,
    /// Pairs.
    pub total: usize,
    /// Correctly classified at the threshold.
    pub correct: usize,
}

/// Evaluation result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Number of pairs.
    pub pairs: usize,
    /// Pairs whose entity was not in the index (scored name-to-name).
    pub pairs_without_entity: usize,
    /// This engine at the chosen threshold.
    pub engine: MethodReport,
    /// This engine at its best-F1 threshold (for reference).
    pub engine_best: MethodReport,
    /// Plain Jaro-Winkler at its best-F1 threshold.
    pub baseline_jaro_winkler: MethodReport,
    /// Token best-pairs Jaro-Winkler (Watchman-style) at its best-F1 threshold.
    pub baseline_best_pairs: MethodReport,
    /// Engine accuracy by category.
    pub by_category: Vec<CategoryStats>,
    /// Misclassified pairs (`id label score | query | candidate`), at most 50.
    pub errors: Vec<String>,
}

impl fmt::Display for MethodReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<28} thr {:>5.1}  recall {:>6.2}%  precision {:>6.2}%  F1 {:.4}  (tp {} fp {} tn {} fn {})",
            self.method,
            self.threshold,
            self.recall * 100.0,
            self.precision * 100.0,
            self.f1,
            self.tp,
            self.fp,
            self.tn,
            self.fn_
        )
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "pairs: {} ({} scored name-to-name: entity not in index)",
            self.pairs, self.pairs_without_entity
        )?;
        writeln!(f, "{}", self.engine)?;
        writeln!(f, "{}", self.engine_best)?;
        writeln!(f, "{}", self.baseline_jaro_winkler)?;
        writeln!(f, "{}", self.baseline_best_pairs)?;
        for c in &self.by_category {
            writeln!(
                f,
                "  {:<28} label {}  {:>4}/{:<4} correct",
                c.category,
                u8::from(c.label),
                c.correct,
                c.total
            )?;
        }
        Ok(())
    }
}

/// One call for `verifyd eval aml --pairs FILE --lists DIR`: loads every recognised list under
/// `lists` (see [`crate::import::load_path`]), indexes it and evaluates the pair file.
pub fn evaluate_files(
    lists: &std::path::Path,
    pairs: &std::path::Path,
) -> Result<EvalReport, ScreeningError> {
    let entities = crate::import::load_path(lists)?;
    let file = std::fs::File::open(pairs).map_err(|source| ScreeningError::Io {
        what: "labelled pairs CSV",
        source,
    })?;
    let pairs = load_pairs(file)?;
    Ok(evaluate(&Index::new(entities), &pairs))
}

/// Evaluates at [`DEFAULT_MATCH_THRESHOLD`].
pub fn evaluate(index: &Index, pairs: &[LabelledPair]) -> EvalReport {
    evaluate_at(index, pairs, DEFAULT_MATCH_THRESHOLD)
}

/// Evaluates at a given match-score threshold (0–100).
pub fn evaluate_at(index: &Index, pairs: &[LabelledPair], threshold: f64) -> EvalReport {
    let opts = ScreenOptions {
        min_score: 0.0,
        max_hits: 50,
        ..ScreenOptions::default()
    };
    let by_key: std::collections::HashMap<String, usize> = index
        .entities()
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key(), i))
        .collect();
    let mut engine = Vec::with_capacity(pairs.len());
    let mut baseline = Vec::with_capacity(pairs.len());
    let mut best_pairs = Vec::with_capacity(pairs.len());
    let mut missing = 0;
    for p in pairs {
        let company = p.schema.eq_ignore_ascii_case("organization")
            || p.schema.eq_ignore_ascii_case("company");
        let kind = if company {
            NameKind::Organization
        } else {
            NameKind::Person
        };
        let (s, b, bp) = match by_key
            .get(&p.candidate_entity)
            .and_then(|&i| index.entities().get(i))
        {
            Some(e) => {
                let q = Query {
                    full_name: p.query.clone(),
                    entity_type: Some(if company {
                        QueryEntityType::Company
                    } else {
                        QueryEntityType::Person
                    }),
                    ..Query::default()
                };
                let s = index
                    .screen_with(&q, &opts)
                    .into_iter()
                    .find(|h| h.entity.key() == p.candidate_entity)
                    .map_or(0.0, |h| h.match_score);
                let names = || {
                    std::iter::once(e.name.as_str())
                        .chain(e.aliases.iter().map(|a| a.name.as_str()))
                };
                let b = names()
                    .map(|n| baseline_jaro_winkler(&p.query, n))
                    .fold(0.0, f64::max);
                let bp = names()
                    .map(|n| baseline_best_pairs_jaro_winkler(&p.query, n))
                    .fold(0.0, f64::max);
                (s, b * 100.0, bp * 100.0)
            }
            None => {
                missing += 1;
                (
                    index.name_similarity(&p.query, &p.candidate, kind) * 100.0,
                    baseline_jaro_winkler(&p.query, &p.candidate) * 100.0,
                    baseline_best_pairs_jaro_winkler(&p.query, &p.candidate) * 100.0,
                )
            }
        };
        engine.push((p.label, s));
        baseline.push((p.label, b));
        best_pairs.push((p.label, bp));
    }
    let mut cats: Vec<CategoryStats> = Vec::new();
    let mut errors = Vec::new();
    for (p, (label, s)) in pairs.iter().zip(&engine) {
        let ok = (*s >= threshold) == *label;
        match cats
            .iter_mut()
            .find(|c| c.category == p.category && c.label == p.label)
        {
            Some(c) => {
                c.total += 1;
                c.correct += usize::from(ok);
            }
            None => cats.push(CategoryStats {
                category: p.category.clone(),
                label: p.label,
                total: 1,
                correct: usize::from(ok),
            }),
        }
        if !ok && errors.len() < 50 {
            errors.push(format!(
                "{} label {} score {:.1} | {} | {} ({})",
                p.pair_id,
                u8::from(*label),
                s,
                p.query,
                p.candidate,
                p.candidate_entity
            ));
        }
    }
    cats.sort_by(|a, b| b.label.cmp(&a.label).then(a.category.cmp(&b.category)));
    EvalReport {
        pairs: pairs.len(),
        pairs_without_entity: missing,
        engine: MethodReport::from_scores("verifyd-screening", threshold, &engine),
        engine_best: MethodReport::best("verifyd-screening (best F1)", &engine),
        baseline_jaro_winkler: MethodReport::best("plain Jaro-Winkler (best F1)", &baseline),
        baseline_best_pairs: MethodReport::best("best-pairs token JW (best F1)", &best_pairs),
        by_category: cats,
        errors,
    }
}
