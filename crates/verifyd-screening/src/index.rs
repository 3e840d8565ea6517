//! The screening index: built once from entities, answers queries without scanning every name.
//!
//! Every list name (primary and aliases) is tokenised once. An inverted index maps exact tokens,
//! phonetic keys, phonetic keys minus their first letter (first-letter typos) and adjacent-token
//! concatenations (split/joined spellings) to the names containing them. A query collects the names
//! sharing keys with it, ranks them by the summed rarity of the shared keys, and only the best few
//! hundred get the full (comparatively expensive) alignment score. Birth date, nationality, gender
//! and document number then adjust the name score into the contract's weighted match score.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::matcher::{compare, PreparedName};
use crate::model::{AliasQuality, BirthDate, Entity, EntityType, Gender};
use crate::normalize::{phonetic_key, NameKind};

/// Entity kind a query asks about (the contract's `entity_type`: person | company).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryEntityType {
    /// Natural persons only.
    Person,
    /// Companies, organisations, vessels, aircraft.
    Company,
}

/// A date of birth as precise as the caller knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryDate {
    /// Full date.
    Full(NaiveDate),
    /// Year only.
    Year(i32),
}

impl QueryDate {
    /// Parses `YYYY-MM-DD` (also with a time part, as the SDK sends) or `YYYY`.
    pub fn parse(s: &str) -> Option<QueryDate> {
        let s = s.trim();
        let date = s.get(..10).unwrap_or(s);
        if let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            return Some(QueryDate::Full(d));
        }
        (s.len() == 4)
            .then(|| s.parse().ok().map(QueryDate::Year))
            .flatten()
    }

    fn year(self) -> i32 {
        match self {
            QueryDate::Full(d) => d.year(),
            QueryDate::Year(y) => y,
        }
    }
}

/// What to screen.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Full name in any script and order.
    pub full_name: String,
    /// Person or company; `None` screens against everything.
    pub entity_type: Option<QueryEntityType>,
    /// Date of birth, if known.
    pub date_of_birth: Option<QueryDate>,
    /// Nationality: ISO-2, ISO-3 or a country name.
    pub nationality: Option<String>,
    /// Gender, if known.
    pub gender: Option<Gender>,
    /// Identity document number, if known (an exact match is decisive).
    pub document_number: Option<String>,
}

impl QueryEntityType {
    /// Parses the contract's `entity_type` (`person` | `company`, case-insensitive).
    pub fn parse(s: &str) -> Option<QueryEntityType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" => Some(QueryEntityType::Person),
            "company" | "organization" | "organisation" | "entity" => {
                Some(QueryEntityType::Company)
            }
            _ => None,
        }
    }
}

impl Query {
    /// A name-only query.
    pub fn name(full_name: impl Into<String>) -> Self {
        Query {
            full_name: full_name.into(),
            ..Query::default()
        }
    }
}

/// Relative weights of the score components (the contract's `aml_*_weight`, defaults 60/25/15).
/// Components the query or the entity lacks are left out and the rest renormalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreWeights {
    /// Name similarity weight.
    pub name: u32,
    /// Date-of-birth weight.
    pub dob: u32,
    /// Nationality weight.
    pub country: u32,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights {
            name: 60,
            dob: 25,
            country: 15,
        }
    }
}

/// Tuning knobs of one screening call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenOptions {
    /// Hits below this match score (0–100) are not returned.
    pub min_score: f64,
    /// At most this many hits, best first.
    pub max_hits: usize,
    /// Component weights.
    pub weights: ScoreWeights,
    /// How many candidate names get the full score (recall/latency trade-off).
    pub max_candidates: usize,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            min_score: 50.0,
            max_hits: 25,
            weights: ScoreWeights::default(),
            max_candidates: 200,
        }
    }
}

/// How a document number compared (the contract's `document_number_match_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentMatch {
    /// The query's document number is listed for the entity.
    Match,
    /// Nothing to compare.
    Neutral,
    /// Both have document numbers and none agree (informational; the lists are incomplete).
    HardMismatch,
}

/// Per-component scores, serialised as the contract's `score_breakdown` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// Name similarity 0–100.
    pub name_score: Option<i64>,
    /// Configured name weight.
    pub name_weight: Option<i64>,
    /// Name weight after dropping missing components (0–1).
    pub name_weight_normalized: Option<f64>,
    /// Points the name contributed to the total.
    pub name_contribution: Option<f64>,
    /// Birth-date agreement 0–100 (`None` if either side lacks one).
    pub dob_score: Option<i64>,
    /// Configured birth-date weight.
    pub dob_weight: Option<i64>,
    /// Normalised birth-date weight.
    pub dob_weight_normalized: Option<f64>,
    /// Points the birth date contributed.
    pub dob_contribution: Option<f64>,
    /// Nationality agreement 0–100 (`None` if either side lacks one).
    pub country_score: Option<i64>,
    /// Configured nationality weight.
    pub country_weight: Option<i64>,
    /// Normalised nationality weight.
    pub country_weight_normalized: Option<f64>,
    /// Points nationality contributed.
    pub country_contribution: Option<f64>,
    /// Document comparison outcome.
    pub document_number_match_type: Option<DocumentMatch>,
    /// Human-readable effect of the document comparison.
    pub document_number_effect: Option<String>,
    /// The final match score 0–100.
    pub total_score: Option<i64>,
}

/// One potential match.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The listed entity.
    pub entity: Arc<Entity>,
    /// The entity's name (primary or alias) that matched best.
    pub matched_name: String,
    /// Combined match score 0–100.
    pub match_score: f64,
    /// Name-only similarity 0–100.
    pub name_score: f64,
    /// Component scores.
    pub score_breakdown: ScoreBreakdown,
    /// Short human-readable reasons ("name 94 via alias", "birth year matches", …).
    pub reasons: Vec<String>,
}

struct NameEntry {
    entity: u32,
    name: String,
    prepared: PreparedName,
    quality: AliasQuality,
    primary: bool,
}

/// An immutable, thread-safe screening index.
pub struct Index {
    entities: Vec<Arc<Entity>>,
    names: Vec<NameEntry>,
    postings: HashMap<String, Vec<u32>>,
    token_df: HashMap<String, u32>,
    n_names: f64,
}

fn kind_of(t: EntityType) -> NameKind {
    if t == EntityType::Person {
        NameKind::Person
    } else {
        NameKind::Organization
    }
}

/// Index keys of one tokenised name (see the module docs).
fn keys_of(p: &PreparedName, query_side: bool, out: &mut Vec<String>) {
    let toks = &p.tokens;
    for (i, t) in toks.iter().enumerate() {
        if i + 1 < toks.len() {
            out.push(format!("t:{}{}", t.text, toks[i + 1].text));
        }
        if t.particle || t.text.len() < 2 {
            continue;
        }
        out.push(format!("t:{}", t.text));
        if t.key.len() >= 2 {
            out.push(format!("k:{}", t.key));
        }
        if t.key.len() >= 3 {
            out.push(format!("r:{}", &t.key[1..]));
        }
        // single-deletion neighbourhood (SymSpell): any one-edit typo shares a key
        if t.text.len() >= 4 {
            out.push(format!("d:{}", t.text));
            for i in 0..t.text.len() {
                if t.text.is_char_boundary(i) && t.text.is_char_boundary(i + 1) {
                    out.push(format!("d:{}{}", &t.text[..i], &t.text[i + 1..]));
                }
            }
        }
        if query_side && t.text.len() >= 6 {
            // "alsayed" typed joined, listed as "al sayed"
            for pre in [
                "al", "el", "ul", "ad", "as", "ar", "ash", "abd", "abdul", "abu",
            ] {
                if let Some(rest) = t.text.strip_prefix(pre) {
                    if rest.len() >= 3 {
                        out.push(format!("t:{rest}"));
                        out.push(format!("k:{}", phonetic_key(rest)));
                    }
                }
            }
        }
    }
    if out.is_empty() {
        for t in toks {
            out.push(format!("t:{}", t.text));
        }
    }
}

/// Pulls a birth year written into the name ("… born in 1963", "… (b. 1963)") out of it.
fn split_year(full_name: &str) -> (String, Option<i32>) {
    let mut year = None;
    let mut kept = Vec::new();
    for w in full_name.split_whitespace() {
        let digits: String = w.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 4 && digits.len() + 3 >= w.len() {
            if let Ok(y) = digits.parse::<i32>() {
                if (1900..=2030).contains(&y) {
                    year = Some(y);
                    continue;
                }
            }
        }
        kept.push(w);
    }
    if year.is_some() {
        kept.retain(|w| {
            let l = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            !matches!(l.as_str(), "born" | "in" | "b" | "dob")
        });
    }
    (kept.join(" "), year)
}

fn dob_score(q: QueryDate, dates: &[BirthDate]) -> Option<(i64, &'static str)> {
    dates
        .iter()
        .map(|d| match (q, *d) {
            (QueryDate::Full(a), BirthDate::Full(b)) if a == b => (100, "birth date matches"),
            (QueryDate::Full(a), BirthDate::Full(b))
                if a.year() == b.year() && a.month() == b.day() && a.day() == b.month() =>
            {
                (80, "birth date matches with day/month swapped")
            }
            (QueryDate::Full(a), BirthDate::YearMonth(y, m)) if a.year() == y && a.month() == m => {
                (95, "birth year and month match")
            }
            (_, b) if q.year() == b.year() => match (q, b) {
                (QueryDate::Full(_), BirthDate::Full(_)) => (50, "birth year matches, day differs"),
                _ => (90, "birth year matches"),
            },
            (_, b) if (q.year() - b.year()).abs() == 1 => (40, "birth year off by one"),
            _ => (0, "birth date differs"),
        })
        .max_by_key(|(s, _)| *s)
}

fn normalize_doc(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Index {
    /// Builds the index (tokenises every name once).
    pub fn new(entities: Vec<Entity>) -> Index {
        let entities: Vec<Arc<Entity>> = entities.into_iter().map(Arc::new).collect();
        let mut names = Vec::new();
        for (ei, e) in entities.iter().enumerate() {
            let kind = kind_of(e.entity_type);
            let Ok(ei) = u32::try_from(ei) else { break };
            let mut add = |name: &str, quality: AliasQuality, primary: bool| {
                let prepared = PreparedName::new(name, kind);
                if !prepared.is_empty() {
                    names.push(NameEntry {
                        entity: ei,
                        name: name.to_string(),
                        prepared,
                        quality,
                        primary,
                    });
                }
            };
            add(&e.name, AliasQuality::Strong, true);
            for a in &e.aliases {
                add(&a.name, a.quality, false);
            }
        }
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        let mut token_df: HashMap<String, u32> = HashMap::new();
        let mut keys = Vec::new();
        for (ni, n) in names.iter().enumerate() {
            let Ok(ni) = u32::try_from(ni) else { break };
            keys.clear();
            keys_of(&n.prepared, false, &mut keys);
            keys.sort_unstable();
            keys.dedup();
            for k in keys.drain(..) {
                postings.entry(k).or_default().push(ni);
            }
            let mut seen: Vec<&str> = n.prepared.tokens.iter().map(|t| t.text.as_str()).collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *token_df.entry(t.to_string()).or_default() += 1;
            }
        }
        let n_names = names.len().max(1) as f64;
        let mut index = Index {
            entities,
            names: Vec::new(),
            postings,
            token_df,
            n_names,
        };
        for n in &mut names {
            n.prepared.cache_weights(&|t: &str| index.token_weight(t));
        }
        index.names = names;
        index
    }

    /// The indexed entities.
    pub fn entities(&self) -> &[Arc<Entity>] {
        &self.entities
    }

    /// Number of indexed names (primary names plus aliases).
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// Rarity weight of a token (IDF-like, 1..=10); `None` if the index has never seen it.
    fn token_weight(&self, t: &str) -> Option<f64> {
        self.token_df.get(t).map(|df| {
            ((self.n_names + 1.0) / (f64::from(*df) + 1.0))
                .ln()
                .clamp(1.0, 10.0)
        })
    }

    /// Name-to-name similarity (0–1) using this index's token statistics.
    pub fn name_similarity(&self, a: &str, b: &str, kind: NameKind) -> f64 {
        let w = |t: &str| self.token_weight(t);
        compare(&PreparedName::new(a, kind), &PreparedName::new(b, kind), &w).score
    }

    /// Screens with default options.
    pub fn screen(&self, query: &Query) -> Vec<Hit> {
        self.screen_with(query, &ScreenOptions::default())
    }

    /// Screens a query; hits sorted by match score, best first.
    pub fn screen_with(&self, query: &Query, opts: &ScreenOptions) -> Vec<Hit> {
        let (name, year_in_name) = split_year(&query.full_name);
        let dob = query
            .date_of_birth
            .or_else(|| year_in_name.map(QueryDate::Year));
        let kind = match query.entity_type {
            Some(QueryEntityType::Company) => NameKind::Organization,
            _ => NameKind::Person,
        };
        let mut q = PreparedName::new(&name, kind);
        q.cache_weights(&|t: &str| self.token_weight(t));
        // Organisation names are indexed without legal-form words; persons without titles. When
        // the type is unknown, also try the organisation form of the query.
        let q_org = query.entity_type.is_none().then(|| {
            let mut p = PreparedName::new(&name, NameKind::Organization);
            p.cache_weights(&|t: &str| self.token_weight(t));
            p
        });
        if q.is_empty() {
            return Vec::new();
        }
        let candidates = self.candidates(&q, q_org.as_ref(), opts.max_candidates);
        let weight = |t: &str| self.token_weight(t);
        // best name per entity
        let mut best: HashMap<u32, (f64, u32)> = HashMap::new();
        for ni in candidates {
            let Some(n) = self.names.get(ni as usize) else {
                continue;
            };
            let Some(e) = self.entities.get(n.entity as usize) else {
                continue;
            };
            let type_ok = match query.entity_type {
                Some(QueryEntityType::Person) => e.entity_type == EntityType::Person,
                Some(QueryEntityType::Company) => e.entity_type.is_company_like(),
                None => true,
            };
            if !type_ok {
                continue;
            }
            let qp = match (&q_org, e.entity_type.is_company_like()) {
                (Some(o), true) => o,
                _ => &q,
            };
            let mut s = compare(qp, &n.prepared, &weight).score;
            if n.quality == AliasQuality::Weak {
                s *= 0.95;
            }
            let slot = best.entry(n.entity).or_insert((-1.0, ni));
            if s > slot.0 {
                *slot = (s, ni);
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .filter_map(|(ei, (s, ni))| self.make_hit(query, dob, ei, ni, s, opts))
            .filter(|h| h.match_score >= opts.min_score)
            .collect();
        hits.sort_by(|a, b| {
            b.match_score
                .total_cmp(&a.match_score)
                .then(b.name_score.total_cmp(&a.name_score))
                .then(a.entity.source_id.cmp(&b.entity.source_id))
        });
        hits.truncate(opts.max_hits);
        hits
    }

    fn candidates(&self, q: &PreparedName, q2: Option<&PreparedName>, max: usize) -> Vec<u32> {
        let mut keys = Vec::new();
        keys_of(q, true, &mut keys);
        if let Some(q2) = q2 {
            keys_of(q2, true, &mut keys);
        }
        keys.sort_unstable();
        keys.dedup();
        // dense accumulator + touched list: far cheaper than a hash map for long posting lists
        let mut acc: Vec<f32> = vec![0.0; self.names.len()];
        let mut touched: Vec<u32> = Vec::new();
        for k in &keys {
            if let Some(p) = self.postings.get(k) {
                let idf = ((self.n_names + 1.0) / (p.len() as f64 + 1.0))
                    .ln()
                    .max(0.05) as f32;
                let boost = if k.starts_with("t:") { 1.0 } else { 0.6 };
                for &ni in p {
                    if let Some(slot) = acc.get_mut(ni as usize) {
                        if *slot == 0.0 {
                            touched.push(ni);
                        }
                        *slot += idf * boost;
                    }
                }
            }
        }
        // Initials ("S. IBRAHIM") have no key of their own; among the many names sharing the
        // surname, prefer those with a token starting with the initial.
        let initials: Vec<u8> = q
            .tokens
            .iter()
            .filter(|t| t.text.len() == 1)
            .filter_map(|t| t.text.as_bytes().first().copied())
            .collect();
        if !initials.is_empty() {
            for &ni in &touched {
                let (Some(n), Some(slot)) = (self.names.get(ni as usize), acc.get_mut(ni as usize))
                else {
                    continue;
                };
                for c in &initials {
                    if n.prepared
                        .tokens
                        .iter()
                        .any(|t| !t.particle && t.text.as_bytes().first() == Some(c))
                    {
                        *slot += 1.0;
                    }
                }
            }
        }
        let mut ranked: Vec<(f32, u32)> = touched
            .into_iter()
            .map(|n| (acc.get(n as usize).copied().unwrap_or(0.0), n))
            .collect();
        if ranked.len() > max {
            ranked.select_nth_unstable_by(max, |a, b| b.0.total_cmp(&a.0));
            ranked.truncate(max);
        }
        ranked.into_iter().map(|(_, n)| n).collect()
    }

    fn make_hit(
        &self,
        query: &Query,
        dob: Option<QueryDate>,
        ei: u32,
        ni: u32,
        name_sim: f64,
        opts: &ScreenOptions,
    ) -> Option<Hit> {
        let e = self.entities.get(ei as usize)?;
        let n = self.names.get(ni as usize)?;
        let name_score = (name_sim * 100.0).clamp(0.0, 100.0);
        let mut reasons = vec![format!(
            "name {:.0} via {} \"{}\"",
            name_score,
            if n.primary { "primary name" } else { "alias" },
            n.name
        )];
        let dob_part = dob.and_then(|d| dob_score(d, &e.birth_dates));
        if let Some((_, why)) = dob_part {
            reasons.push(why.to_string());
        }
        let country_part = query
            .nationality
            .as_deref()
            .filter(|_| !e.nationalities.is_empty())
            .map(|nat| {
                let code = crate::country::to_iso3(nat)
                    .map_or_else(|| nat.trim().to_ascii_uppercase(), str::to_string);
                if e.nationalities
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(&code))
                {
                    (100, "nationality matches")
                } else {
                    (0, "nationality differs")
                }
            });
        if let Some((_, why)) = country_part {
            reasons.push(why.to_string());
        }
        let w = opts.weights;
        let wn = f64::from(w.name);
        let wd = if dob_part.is_some() {
            f64::from(w.dob)
        } else {
            0.0
        };
        let wc = if country_part.is_some() {
            f64::from(w.country)
        } else {
            0.0
        };
        let sum = (wn + wd + wc).max(1.0);
        let name_c = name_score * wn / sum;
        let dob_c = dob_part.map(|(s, _)| s as f64 * wd / sum);
        let country_c = country_part.map(|(s, _)| s as f64 * wc / sum);
        let mut total = name_c + dob_c.unwrap_or(0.0) + country_c.unwrap_or(0.0);
        if let (Some(qg), Some(eg)) = (query.gender, e.gender) {
            if qg != eg {
                total -= 10.0;
                reasons.push("gender differs".into());
            }
        }
        let (doc_type, doc_effect) = match query.document_number.as_deref().map(normalize_doc) {
            Some(d) if !d.is_empty() && !e.documents.is_empty() => {
                if e.documents.iter().any(|x| normalize_doc(x) == d) {
                    total = 100.0;
                    reasons.push("document number matches".into());
                    (DocumentMatch::Match, "score set to 100")
                } else {
                    (
                        DocumentMatch::HardMismatch,
                        "no effect (lists are incomplete)",
                    )
                }
            }
            _ => (DocumentMatch::Neutral, "no effect"),
        };
        let total = total.clamp(0.0, 100.0);
        let round2 = |x: f64| (x * 100.0).round() / 100.0;
        let breakdown = ScoreBreakdown {
            name_score: Some(name_score.round() as i64),
            name_weight: Some(i64::from(w.name)),
            name_weight_normalized: Some(round2(wn / sum)),
            name_contribution: Some(round2(name_c)),
            dob_score: dob_part.map(|(s, _)| s),
            dob_weight: Some(i64::from(w.dob)),
            dob_weight_normalized: Some(round2(wd / sum)),
            dob_contribution: dob_c.map(round2),
            country_score: country_part.map(|(s, _)| s),
            country_weight: Some(i64::from(w.country)),
            country_weight_normalized: Some(round2(wc / sum)),
            country_contribution: country_c.map(round2),
            document_number_match_type: Some(doc_type),
            document_number_effect: Some(doc_effect.to_string()),
            total_score: Some(total.round() as i64),
        };
        Some(Hit {
            entity: Arc::clone(e),
            matched_name: n.name.clone(),
            match_score: round2(total),
            name_score: round2(name_score),
            score_breakdown: breakdown,
            reasons,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;

    #[test]
    fn index_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Index>();
    }

    #[test]
    fn query_dates_parse() {
        assert_eq!(QueryDate::parse("1960"), Some(QueryDate::Year(1960)));
        assert!(matches!(
            QueryDate::parse("1960-01-12T00:00:00+00:00"),
            Some(QueryDate::Full(_))
        ));
        assert_eq!(QueryDate::parse("12 Jan"), None);
    }

    #[test]
    fn year_in_name_is_extracted() {
        assert_eq!(
            split_year("Mohammad Ishaq Akhund born in 1963"),
            ("Mohammad Ishaq Akhund".to_string(), Some(1963))
        );
        assert_eq!(split_year("Boeing 747"), ("Boeing 747".to_string(), None));
    }

    #[test]
    fn dob_and_country_adjust_score() {
        let mut e = Entity::new(Source::Un, "1", EntityType::Person, "ERIC BADEGE");
        e.push_birth_date(BirthDate::Year(1971));
        e.push_nationality("Democratic Republic of the Congo");
        let idx = Index::new(vec![e]);
        let mut q = Query::name("Eric Badege");
        q.date_of_birth = Some(QueryDate::Year(1971));
        q.nationality = Some("CD".into());
        let hits = idx.screen(&q);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].match_score > 95.0, "{:?}", hits[0]);
        q.date_of_birth = Some(QueryDate::Year(1990));
        q.nationality = Some("FRA".into());
        let hits = idx.screen(&q);
        assert!(hits[0].match_score < 70.0, "{:?}", hits[0]);
    }
}
