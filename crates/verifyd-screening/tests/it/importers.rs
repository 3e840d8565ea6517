//! Importers on real data (shared folder, when present), committed excerpts, and hand-written
//! fixtures of the formats the shared data lacks.

use verifyd_screening::import::{eu, ofac, opensanctions, uk, un};
use verifyd_screening::{AliasQuality, BirthDate, EntityType, Gender, ScreeningError, Source};

use crate::{fixture, ofac_cons_2025, ofac_sdn_2021, shared, un_2026};

#[test]
fn un_2026_has_730_persons_and_273_entities() {
    let Some(all) = un_2026() else { return };
    let persons = all
        .iter()
        .filter(|e| e.entity_type == EntityType::Person)
        .count();
    let orgs = all
        .iter()
        .filter(|e| e.entity_type == EntityType::Organization)
        .count();
    assert_eq!((persons, orgs), (730, 273));
    let weak = all
        .iter()
        .flat_map(|e| &e.aliases)
        .filter(|a| a.quality == AliasQuality::Weak)
        .count();
    assert!(weak > 300, "Low-quality aliases: {weak}");
    let aslan = all.iter().find(|e| e.source_id == "6908547").unwrap();
    assert_eq!(aslan.name, "ASLAN AVGAZAROVICH BYUTUKAEV");
    assert!(aslan.aliases.iter().any(|a| a.name.contains("Бютукаев")));
    assert!(!aslan.birth_dates.is_empty());
    assert_eq!(aslan.nationalities, vec!["RUS"]);
    let badege = all.iter().find(|e| e.source_id == "6907993").unwrap();
    assert_eq!(badege.gender, Some(Gender::Male));
}

#[test]
fn un_excerpt_parses() {
    let all = un::parse(&std::fs::read(fixture("un_excerpt.xml")).unwrap()).unwrap();
    assert_eq!(all.len(), 31);
    let badege = all.iter().find(|e| e.source_id == "6907993").unwrap();
    assert_eq!(badege.name, "ERIC BADEGE");
    assert_eq!(badege.birth_dates, vec![BirthDate::Year(1971)]);
    assert_eq!(badege.nationalities, vec!["COD"]);
    assert_eq!(badege.key(), "un-6907993");
}

#[test]
fn ofac_sdn_2021_csv() {
    let Some(all) = ofac_sdn_2021() else { return };
    assert!(all.len() > 8900, "{}", all.len());
    let persons = all
        .iter()
        .filter(|e| e.entity_type == EntityType::Person)
        .count();
    assert_eq!(persons, 4620);
    assert_eq!(
        all.iter()
            .filter(|e| e.entity_type == EntityType::Vessel)
            .count(),
        406
    );
    let z = all.iter().find(|e| e.source_id == "2676").unwrap();
    assert_eq!(z.name, "Dr. Ayman AL ZAWAHIRI");
    assert!(z.birth_dates.contains(&BirthDate::Full(
        chrono::NaiveDate::from_ymd_opt(1951, 6, 19).unwrap()
    )));
    assert!(z.documents.iter().any(|d| d == "1084010"));
    let with_dob = all.iter().filter(|e| !e.birth_dates.is_empty()).count();
    assert!(with_dob > 3500, "{with_dob}");
}

#[test]
fn ofac_excerpts_csv() {
    let sdn = ofac::parse_csv(
        Source::OfacSdn,
        std::fs::File::open(fixture("ofac_sdn_excerpt.csv")).unwrap(),
        std::fs::File::open(fixture("ofac_alt_excerpt.csv")).ok(),
        std::fs::File::open(fixture("ofac_add_excerpt.csv")).ok(),
    )
    .unwrap();
    assert_eq!(sdn.len(), 47);
    let bnc = sdn.iter().find(|e| e.source_id == "306").unwrap();
    assert!(bnc
        .aliases
        .iter()
        .any(|a| a.name == "NATIONAL BANK OF CUBA"));
    assert!(bnc
        .aliases
        .iter()
        .any(|a| a.name == "BNC" && a.quality == AliasQuality::Weak));
    let cons = ofac::parse_csv(
        Source::OfacConsolidated,
        std::fs::File::open(fixture("ofac_cons_prim_excerpt.csv")).unwrap(),
        std::fs::File::open(fixture("ofac_cons_alt_excerpt.csv")).ok(),
        std::fs::File::open(fixture("ofac_cons_add_excerpt.csv")).ok(),
    )
    .unwrap();
    assert_eq!(cons.len(), 30);
    let h = cons.iter().find(|e| e.source_id == "9639").unwrap();
    assert_eq!(h.name, "Ismail Abdul Salah HANIYA");
    assert_eq!(h.birth_dates, vec![BirthDate::Year(1962)]);
    assert_eq!(h.key(), "ofac-cons-9639");
    if let Some(all) = ofac_cons_2025() {
        assert!(all.len() > 400, "{}", all.len());
    }
}

#[test]
fn ofac_sdn_xml() {
    let all = ofac::parse_sdn_xml(
        &std::fs::read(fixture("ofac_sdn_sample.xml")).unwrap(),
        Source::OfacSdn,
    )
    .unwrap();
    assert_eq!(all.len(), 3);
    let z = &all[0];
    assert_eq!(
        (z.source_id.as_str(), z.name.as_str()),
        ("2676", "Ayman AL-ZAWAHIRI")
    );
    assert_eq!(z.entity_type, EntityType::Person);
    assert_eq!(z.gender, Some(Gender::Male));
    assert_eq!(z.nationalities, vec!["EGY"]);
    assert_eq!(z.documents, vec!["1084010"]);
    assert_eq!(z.aliases[1].quality, AliasQuality::Weak);
    assert_eq!(all[2].entity_type, EntityType::Vessel);
}

#[test]
fn eu_xml() {
    let all = eu::parse(&std::fs::read(fixture("eu_sample.xml")).unwrap()).unwrap();
    assert_eq!(all.len(), 3);
    let z = &all[0];
    assert_eq!(z.name, "Ayman Muhammed Rabi Al-Zawahari");
    assert_eq!(z.source, Source::Eu);
    assert_eq!(z.aliases.len(), 2);
    assert_eq!(z.aliases[0].quality, AliasQuality::Weak);
    assert_eq!(z.nationalities, vec!["EGY"]);
    assert_eq!(all[1].entity_type, EntityType::Organization);
    assert_eq!(all[2].programs, vec!["UKR"]);
}

#[test]
fn uk_ofsi_csv() {
    let all = uk::parse(std::fs::File::open(fixture("uk_conlist_sample.csv")).unwrap()).unwrap();
    assert_eq!(all.len(), 3);
    let z = &all[0];
    assert_eq!(z.name, "Ayman AL-ZAWAHIRI");
    assert_eq!(z.source_id, "6896");
    assert!(z
        .aliases
        .iter()
        .any(|a| a.name == "USTAZ" && a.quality == AliasQuality::Weak));
    assert!(z.aliases.iter().any(|a| a.name == "أيمن الظواهري"));
    assert_eq!(z.nationalities, vec!["EGY"]);
    assert_eq!(all[2].entity_type, EntityType::Organization);
}

#[test]
fn opensanctions_ftm_and_senzing() {
    let text = std::fs::read_to_string(fixture("opensanctions_ftm_sample.jsonl")).unwrap();
    let all = opensanctions::parse_ftm_lines(&text).unwrap();
    assert_eq!(all.len(), 2, "the Sanction schema row is skipped");
    assert!(all[0].is_pep && !all[0].is_sanctioned);
    assert_eq!(all[0].nationalities, vec!["ESP"]);
    assert!(all[1].is_sanctioned);
    assert!(matches!(
        opensanctions::parse_ftm_lines("{not json"),
        Err(ScreeningError::Json { line: 1, .. })
    ));
    // CC BY-NC sample: read only when present, never committed
    if let Some(p) = shared("opensanctions_peps_sample_senzing.json") {
        let all = opensanctions::parse_senzing(&std::fs::read_to_string(p).unwrap()).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].name, "John Smith");
        assert!(all[0].is_pep);
        assert_eq!(all[1].nationalities, vec!["ESP"]);
        assert_eq!(all[2].entity_type, EntityType::Organization);
    }
}

#[test]
fn malformed_input_is_a_clear_error() {
    assert!(matches!(
        un::parse(b"<CONSOLIDATED_LIST><INDIVIDUALS>"),
        Err(ScreeningError::Xml { .. })
    ));
    assert!(matches!(
        un::parse(b"<other/>"),
        Err(ScreeningError::Format { .. })
    ));
    let e = ofac::parse_csv(Source::OfacSdn, &b""[..], None::<&[u8]>, None::<&[u8]>).unwrap_err();
    assert!(e.to_string().contains("no entries"), "{e}");
}

#[test]
fn load_path_recognises_fixture_files() {
    let all = verifyd_screening::import::load_path(&fixture("")).unwrap();
    let count = |s: Source| all.iter().filter(|e| e.source == s).count();
    assert_eq!(count(Source::Un), 31);
    assert_eq!(count(Source::OfacSdn), 47 + 3);
    assert_eq!(count(Source::OfacConsolidated), 30);
    assert_eq!(count(Source::Eu), 3);
    assert_eq!(count(Source::Uk), 3);
    assert_eq!(count(Source::OpenSanctions), 2);
}

/// `parse_source` (what `verifyd lists import --source` calls) reads each list's files as the
/// folder loader does, detecting OFAC XML vs the CSV triple.
#[test]
fn parse_source_reads_each_list_as_the_folder_loader_does() {
    use verifyd_screening::import::{load_path, parse_source};
    use verifyd_screening::model::Source;
    let read = |name: &str| std::fs::read(fixture(name)).unwrap();
    let cases: [(Source, Vec<&str>, &str); 6] = [
        (Source::Un, vec!["un_excerpt.xml"], "un_excerpt.xml"),
        (Source::Eu, vec!["eu_sample.xml"], "eu_sample.xml"),
        (
            Source::OfacSdn,
            vec!["ofac_sdn_sample.xml"],
            "ofac_sdn_sample.xml",
        ),
        (
            Source::Uk,
            vec!["uk_conlist_sample.csv"],
            "uk_conlist_sample.csv",
        ),
        (
            Source::OpenSanctions,
            vec!["opensanctions_ftm_sample.jsonl"],
            "opensanctions_ftm_sample.jsonl",
        ),
        (
            Source::OfacSdn,
            vec![
                "ofac_sdn_excerpt.csv",
                "ofac_alt_excerpt.csv",
                "ofac_add_excerpt.csv",
            ],
            "",
        ),
    ];
    for (source, files, same_as) in cases {
        let bytes: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
        let parsed = parse_source(source, &bytes).unwrap();
        assert!(!parsed.is_empty(), "{files:?}");
        assert!(parsed.iter().all(|e| e.source == source), "{files:?}");
        if !same_as.is_empty() {
            assert_eq!(parsed, load_path(&fixture(same_as)).unwrap(), "{files:?}");
        }
    }
    // The CSV triple: aliases from alt.csv reach the entities.
    let primary_only = parse_source(Source::OfacSdn, &[read("ofac_sdn_excerpt.csv")]).unwrap();
    let with_alt = parse_source(
        Source::OfacSdn,
        &[read("ofac_sdn_excerpt.csv"), read("ofac_alt_excerpt.csv")],
    )
    .unwrap();
    let aliases =
        |v: &[verifyd_screening::model::Entity]| v.iter().map(|e| e.aliases.len()).sum::<usize>();
    assert!(aliases(&with_alt) > aliases(&primary_only));
    for source in Source::ALL {
        assert_eq!(Source::from_slug(source.slug()), Some(source));
    }
    assert_eq!(Source::from_slug("interpol"), None);
}
