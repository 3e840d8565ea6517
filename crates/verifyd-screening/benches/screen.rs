//! Screening latency over a ≥50k-name index synthesised from the real UN list (shipped fixture
//! excerpt, or the full list under ../../../shared when present).

use criterion::{criterion_group, criterion_main, Criterion};
use verifyd_screening::bench::{bench, bench_queries, synthetic_entities};
use verifyd_screening::{import, Index};

fn load() -> Vec<verifyd_screening::Entity> {
    let full = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/sanctions/un_consolidated_2026-02-27.xml"
    );
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/un_excerpt.xml");
    let bytes = std::fs::read(full)
        .or_else(|_| std::fs::read(fixture))
        .unwrap_or_default();
    import::un::parse(&bytes).unwrap_or_default()
}

fn screen(c: &mut Criterion) {
    let entities = synthetic_entities(&load(), 60_000, 7);
    let queries = bench_queries(&entities, 2_000, 11);
    let index = Index::new(entities);
    println!("{}", bench(&index, &queries, 3));
    let mut i = 0;
    c.bench_function("screen_60k_names", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            index.screen(&queries[i])
        })
    });
}

criterion_group!(benches, screen);
criterion_main!(benches);
