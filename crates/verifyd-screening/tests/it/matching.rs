//! Known matches and non-matches on real listed names.

use verifyd_screening::decision::DEFAULT_MATCH_THRESHOLD;
use verifyd_screening::{decide, AmlStatus, Index, Query, QueryDate, QueryEntityType, Thresholds};

use crate::{excerpt_index, full_index};

fn top(idx: &Index, name: &str, entity_type: Option<QueryEntityType>) -> Option<(String, f64)> {
    let q = Query {
        full_name: name.to_string(),
        entity_type,
        ..Query::default()
    };
    idx.screen(&q)
        .first()
        .map(|h| (h.entity.key(), h.match_score))
}

fn assert_found(idx: &Index, name: &str, key: &str) {
    let q = Query::name(name);
    let hits = idx.screen(&q);
    let h = hits.iter().find(|h| h.entity.key() == key);
    assert!(
        h.is_some_and(|h| h.match_score >= DEFAULT_MATCH_THRESHOLD),
        "{name} → {key}: {:?}",
        hits.iter()
            .take(3)
            .map(|h| (h.entity.key(), h.match_score, &h.matched_name))
            .collect::<Vec<_>>()
    );
}

const KNOWN: &[(&str, &str)] = &[
    ("طاريق أنور السيد احمد", "un-111498"),       // Arabic script
    ("Tarek Anwar el-Sayed Ahmad", "un-111498"),  // transliteration variant
    ("Аслан Авгазарович Бютукаев", "un-6908547"), // Cyrillic
    ("Byutukaev, Aslan", "un-6908547"),           // surname first, middle name missing
    ("BADEGE, Eric", "un-6907993"),               // reordered
    ("Mohammad Ishaq Akhund", "un-111145"),       // alias with spelling variant
    ("Jalaludin Haqani", "un-110915"),            // dropped doubled letters
    ("Shahabudin Dilawar", "un-111211"),
    ("Hussein Kamel Hassan al-Majid", "ofac-8330"), // OFAC, reordered
    ("Husayn Kamil Hasan Al Majid", "ofac-8330"),   // OFAC a.k.a.-style spelling
    ("National Bank of Cuba", "ofac-306"),          // OFAC alias of an entity
];

#[test]
fn known_listed_persons_are_found_in_the_excerpt() {
    let idx = excerpt_index();
    for (name, key) in KNOWN {
        assert_found(idx, name, key);
    }
}

#[test]
fn known_listed_persons_are_found_in_the_full_lists() {
    let Some(idx) = full_index() else { return };
    for (name, key) in KNOWN {
        assert_found(idx, name, key);
    }
}

#[test]
fn known_non_matches_stay_below_threshold() {
    let idx = full_index().unwrap_or_else(excerpt_index);
    for name in [
        "John Smith",
        "Maria Garcia Lopez",
        "Eric Clapton",
        "Peter Parker",
        "Emma Thompson",
        "Vladimir Nabokov",
        "Jose Luis Rodriguez Zapatero",
    ] {
        if let Some((key, s)) = top(idx, name, Some(QueryEntityType::Person)) {
            assert!(s < DEFAULT_MATCH_THRESHOLD, "{name} matched {key} with {s}");
        }
    }
}

#[test]
fn dob_mismatch_demotes_and_match_confirms() {
    let idx = excerpt_index();
    let mut q = Query::name("Eric Badege");
    q.date_of_birth = Some(QueryDate::Year(1971));
    q.nationality = Some("COD".into());
    let hit = idx.screen(&q).into_iter().next().unwrap();
    assert_eq!(hit.entity.key(), "un-6907993");
    assert!(hit.match_score > 95.0);
    q.date_of_birth = Some(QueryDate::Full(
        chrono::NaiveDate::from_ymd_opt(1990, 5, 1).unwrap(),
    ));
    let hit = idx.screen(&q).into_iter().next().unwrap();
    assert!(
        hit.match_score < DEFAULT_MATCH_THRESHOLD,
        "{}",
        hit.match_score
    );
    assert_eq!(hit.score_breakdown.dob_score, Some(0));
}

#[test]
fn company_queries_only_hit_company_like_entities() {
    let idx = excerpt_index();
    let (key, s) = top(
        idx,
        "Banco Nacional de Cuba S.A.",
        Some(QueryEntityType::Company),
    )
    .unwrap();
    assert_eq!(key, "ofac-306");
    assert!(s >= DEFAULT_MATCH_THRESHOLD);
    assert!(
        top(idx, "Banco Nacional de Cuba", Some(QueryEntityType::Person))
            .is_none_or(|(_, s)| s < DEFAULT_MATCH_THRESHOLD)
    );
}

#[test]
fn decision_json_for_a_real_hit() {
    let idx = excerpt_index();
    let q = Query::name("Tariq Anwar El Sayed Ahmed");
    let r = decide(&q, &idx.screen(&q), &Thresholds::default());
    assert_eq!(r.status, AmlStatus::InReview);
    let v = serde_json::to_value(&r).unwrap();
    let h = &v["hits"][0];
    assert_eq!(h["id"], "un-111498");
    assert_eq!(h["review_status"], "Unreviewed");
    assert_eq!(h["sanction_matches"][0]["source_id"], "111498");
    assert_eq!(h["datasets"][0], "Sanctions");
    assert!(h["score_breakdown"]["total_score"].as_i64().unwrap() >= 82);
    assert_eq!(v["sanctions_detected"], true);
    assert_eq!(v["pep_detected"], false);
    assert_eq!(v["adverse_media_detected"], false);
    assert_eq!(
        v["screened_data"]["full_name"],
        "Tariq Anwar El Sayed Ahmed"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Arbitrary text in any script never panics and scores stay in 0–100.
    #[test]
    fn screening_arbitrary_text_is_total(s in "\\PC{0,40}") {
        for h in excerpt_index().screen(&Query::name(s.clone())) {
            proptest::prop_assert!((0.0..=100.0).contains(&h.match_score));
        }
        let _ = verifyd_screening::matcher::name_similarity(&s, "Eric Badege", verifyd_screening::normalize::NameKind::Person);
    }
}
