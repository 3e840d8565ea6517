//! Integration tests (one binary): importers on real list data, known matches and non-matches,
//! and accuracy bounds on the labelled pair sets. Real data comes from the shared test-data folder
//! when present (tests print a note and skip otherwise) and from small committed excerpts.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::OnceLock;

use verifyd_screening::import::{ofac, un};
use verifyd_screening::{Entity, Index, Source};

mod accuracy;
mod importers;
mod matching;

/// A file from `shared/testdata/sanctions`, or `None` (with a note) when absent.
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/sanctions"
    ))
    .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} not present, skipping", p.display());
        None
    }
}

/// A committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

/// The full UN 2026-02-27 list.
pub fn un_2026() -> Option<Vec<Entity>> {
    let bytes = std::fs::read(shared("un_consolidated_2026-02-27.xml")?).ok()?;
    Some(un::parse(&bytes).unwrap())
}

/// The full OFAC SDN 2021-07 CSV triple.
pub fn ofac_sdn_2021() -> Option<Vec<Entity>> {
    let open = |n: &str| shared(n).and_then(|p| std::fs::File::open(p).ok());
    Some(
        ofac::parse_csv(
            Source::OfacSdn,
            open("ofac_sdn_2021-07.csv")?,
            open("ofac_alt_2021-07.csv"),
            open("ofac_add_2021-07.csv"),
        )
        .unwrap(),
    )
}

/// The full OFAC consolidated 2025-12 CSV triple.
pub fn ofac_cons_2025() -> Option<Vec<Entity>> {
    let open = |n: &str| shared(n).and_then(|p| std::fs::File::open(p).ok());
    Some(
        ofac::parse_csv(
            Source::OfacConsolidated,
            open("ofac_cons_prim_2025-12.csv")?,
            open("ofac_cons_alt_2025-12.csv"),
            open("ofac_cons_add_2025-12.csv"),
        )
        .unwrap(),
    )
}

/// Index over the full UN 2026 + OFAC SDN 2021 + OFAC consolidated 2025 lists (built once).
pub fn full_index() -> Option<&'static Index> {
    static IDX: OnceLock<Option<Index>> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut all = un_2026()?;
        all.extend(ofac_sdn_2021()?);
        all.extend(ofac_cons_2025().unwrap_or_default());
        Some(Index::new(all))
    })
    .as_ref()
}

/// Index over the committed excerpts only (always available).
pub fn excerpt_index() -> &'static Index {
    static IDX: OnceLock<Index> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut all = un::parse(&std::fs::read(fixture("un_excerpt.xml")).unwrap()).unwrap();
        all.extend(
            ofac::parse_csv(
                Source::OfacSdn,
                std::fs::File::open(fixture("ofac_sdn_excerpt.csv")).unwrap(),
                std::fs::File::open(fixture("ofac_alt_excerpt.csv")).ok(),
                None::<std::fs::File>,
            )
            .unwrap(),
        );
        Index::new(all)
    })
}
