//! Latency benchmark helpers: a realistic large index synthesised from real list names, a query
//! mix, and p50/p99 measurement. Used by `benches/screen.rs` and `verifyd bench aml`.
//!
//! The published lists hold ~20k names; production indexes with PEP data are larger, so the
//! benchmark recombines real given names and surnames into ≥50k synthetic persons (same token
//! statistics as the lists, hence realistic candidate-list lengths) on top of the real entities.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::index::{Index, Query, QueryEntityType};
use crate::model::{Entity, EntityType, Source};

/// Small deterministic PRNG (SplitMix64): reproducible benchmarks without a `rand` dependency.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform index below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Picks an element.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        xs.get(self.below(xs.len()))
    }
}

/// Given names and surnames of the persons in `entities` (first and last tokens of their names).
fn name_parts(entities: &[Entity]) -> (Vec<String>, Vec<String>) {
    let mut given = Vec::new();
    let mut family = Vec::new();
    for e in entities
        .iter()
        .filter(|e| e.entity_type == EntityType::Person)
    {
        let toks: Vec<&str> = e.name.split_whitespace().collect();
        if toks.len() >= 2 {
            if let (Some(f), Some(l)) = (toks.first(), toks.last()) {
                given.push((*f).to_string());
                family.push((*l).to_string());
            }
        }
    }
    given.sort();
    given.dedup();
    family.sort();
    family.dedup();
    (given, family)
}

/// `real` plus synthetic persons until the index would hold at least `target_names` names.
pub fn synthetic_entities(real: &[Entity], target_names: usize, seed: u64) -> Vec<Entity> {
    let (given, family) = name_parts(real);
    let mut rng = SplitMix64::new(seed);
    let mut out = real.to_vec();
    let mut names: usize = real.iter().map(|e| 1 + e.aliases.len()).sum();
    let mut i = 0u64;
    while names < target_names && !given.is_empty() && !family.is_empty() {
        i += 1;
        let mut n = String::new();
        for part in 0..(2 + rng.below(3)) {
            let pool = if part == 0 || rng.below(3) == 0 {
                &given
            } else {
                &family
            };
            if let Some(t) = rng.pick(pool) {
                if !n.is_empty() {
                    n.push(' ');
                }
                n.push_str(t);
            }
        }
        let mut e = Entity::new(
            Source::OpenSanctions,
            format!("synthetic-{i}"),
            EntityType::Person,
            n,
        );
        e.is_sanctioned = false;
        e.is_pep = true;
        if rng.below(3) == 0 {
            let alias = format!(
                "{} {}",
                rng.pick(&given).map_or("", String::as_str),
                rng.pick(&family).map_or("", String::as_str)
            );
            e.push_alias(&alias, crate::model::AliasQuality::Strong);
        }
        names += 1 + e.aliases.len();
        out.push(e);
    }
    out
}

/// A realistic query mix: half perturbed real list names (typo, reorder, dropped token), half
/// random recombinations that mostly should not match.
pub fn bench_queries(entities: &[Entity], n: usize, seed: u64) -> Vec<Query> {
    let mut rng = SplitMix64::new(seed);
    let (given, family) = name_parts(entities);
    let listed: Vec<&Entity> = entities.iter().filter(|e| !e.name.is_empty()).collect();
    (0..n)
        .map(|i| {
            let name = if i % 2 == 0 {
                let e = listed.get(rng.below(listed.len()));
                let mut toks: Vec<String> = e
                    .map(|e| e.name.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default();
                match rng.below(3) {
                    0 if toks.len() > 1 => toks.rotate_left(1),
                    1 if toks.len() > 2 => {
                        toks.remove(1);
                    }
                    _ => {
                        if let Some(t) = toks.first_mut() {
                            let mut cs: Vec<char> = t.chars().collect();
                            if cs.len() > 3 {
                                cs.remove(2);
                                *t = cs.into_iter().collect();
                            }
                        }
                    }
                }
                toks.join(" ")
            } else {
                format!(
                    "{} {}",
                    rng.pick(&given).map_or("John", String::as_str),
                    rng.pick(&family).map_or("Smith", String::as_str)
                )
            };
            Query {
                full_name: name,
                entity_type: Some(QueryEntityType::Person),
                ..Query::default()
            }
        })
        .collect()
}

/// Latency figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// Names in the index.
    pub names: usize,
    /// Entities in the index.
    pub entities: usize,
    /// Queries timed.
    pub queries: usize,
    /// Median latency of the first run of each query, microseconds.
    pub p50_us: f64,
    /// 99th percentile of the first run, microseconds (includes scheduler noise on a busy box).
    pub p99_us: f64,
    /// Mean of the first run, microseconds.
    pub mean_us: f64,
    /// Median of the per-query minimum over `reps` runs (noise-free estimate), microseconds.
    pub p50_min_us: f64,
    /// 99th percentile of the per-query minimum over `reps` runs, microseconds.
    pub p99_min_us: f64,
    /// Runs per query.
    pub reps: usize,
    /// Mean hits per query.
    pub mean_hits: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} names / {} entities, {} queries: p50 {:.0} µs, p99 {:.0} µs, mean {:.0} µs \
             (min of {} runs per query: p50 {:.0} µs, p99 {:.0} µs), {:.1} hits/query",
            self.names,
            self.entities,
            self.queries,
            self.p50_us,
            self.p99_us,
            self.mean_us,
            self.reps,
            self.p50_min_us,
            self.p99_min_us,
            self.mean_hits
        )
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Times `index.screen` over `queries` on the current thread (one core), `reps` runs per query
/// (at least 1).
pub fn bench(index: &Index, queries: &[Query], reps: usize) -> BenchReport {
    let reps = reps.max(1);
    let mut first: Vec<f64> = Vec::with_capacity(queries.len());
    let mut best: Vec<f64> = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for q in queries {
        let mut min = f64::MAX;
        for r in 0..reps {
            let t = Instant::now();
            let h = index.screen(q);
            let us = t.elapsed().as_secs_f64() * 1e6;
            if r == 0 {
                first.push(us);
                hits += h.len();
            }
            min = min.min(us);
        }
        best.push(min);
    }
    let n = queries.len().max(1) as f64;
    let mean_us = first.iter().sum::<f64>() / n;
    first.sort_by(f64::total_cmp);
    best.sort_by(f64::total_cmp);
    BenchReport {
        names: index.name_count(),
        entities: index.entities().len(),
        queries: queries.len(),
        p50_us: percentile(&first, 0.5),
        p99_us: percentile(&first, 0.99),
        mean_us,
        p50_min_us: percentile(&best, 0.5),
        p99_min_us: percentile(&best, 0.99),
        reps,
        mean_hits: hits as f64 / n,
    }
}

/// One-call benchmark for `verifyd bench aml`: index `real` entities padded with synthetic persons
/// to `target_names` names, time `queries` generated queries (3 runs each).
pub fn bench_synthetic(real: &[Entity], target_names: usize, queries: usize) -> BenchReport {
    let entities = synthetic_entities(real, target_names, 7);
    let qs = bench_queries(&entities, queries, 11);
    let index = Index::new(entities);
    bench(&index, &qs, 3)
}
