//! Latency benchmark, for `verifyd bench faces` and BENCHMARKS.md: run it on a
//! release build. Inference runs on the calling thread only (tract does not
//! spawn threads), so the figures are one-core figures.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::calibration::ScoreCalibration;
use crate::engine::{AnalyzeOptions, FaceEngine};
use crate::error::{FaceError, Result};
use crate::imaging::resize;
use crate::index::{FaceIndex, Template, TEMPLATE_DIM};

/// Timing summary in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Fastest run.
    pub min_ms: f64,
    /// Median run.
    pub median_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
}

fn timing(mut d: Vec<Duration>) -> Timing {
    d.sort();
    let ms = |i: usize| d.get(i).map_or(0.0, |x| x.as_secs_f64() * 1e3);
    Timing {
        min_ms: ms(0),
        median_ms: ms(d.len() / 2),
        p90_ms: ms((d.len() * 9 / 10).min(d.len().saturating_sub(1))),
    }
}

/// Benchmark results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// Size the selfie was resized to.
    pub selfie_size: (u32, u32),
    /// Decoding the original bytes.
    pub decode: Timing,
    /// Detection + alignment + embedding of the 640×480 selfie.
    pub detect_embed: Timing,
    /// Full analysis: + quality, liveness (two models) and age.
    pub analyze_full: Timing,
    /// Number of templates in the 1:N index.
    pub index_size: usize,
    /// Top-10 exact search over the index.
    pub search: Timing,
}

/// Measure detection+embedding of `selfie` (resized to 640×480), a full
/// analysis, and a top-10 search over `index_size` random templates.
pub fn bench(
    engine: &FaceEngine,
    selfie: &[u8],
    iterations: usize,
    index_size: usize,
) -> Result<BenchReport> {
    let iterations = iterations.max(1);
    let mut decode = Vec::with_capacity(iterations);
    let mut img = None;
    for _ in 0..iterations {
        let t = Instant::now();
        img = Some(engine.decode(selfie)?);
        decode.push(t.elapsed());
    }
    let img = img.ok_or(FaceError::NotAnImage)?;
    let img = resize(&img, 640, 480);

    let mut detect_embed = Vec::with_capacity(iterations);
    let mut analyze_full = Vec::with_capacity(iterations);
    let mut query = None;
    for _ in 0..iterations {
        let t = Instant::now();
        let a = engine.analyze_image(&img, AnalyzeOptions::default())?;
        detect_embed.push(t.elapsed());
        query = a.main.map(|m| m.template);
        let t = Instant::now();
        engine.analyze_image(&img, AnalyzeOptions::full())?;
        analyze_full.push(t.elapsed());
    }

    // Deterministic pseudo-random templates (an LCG; no rand dependency).
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    };
    let mut index = FaceIndex::with_capacity(index_size);
    let mut v = vec![0f32; TEMPLATE_DIM];
    for i in 0..index_size {
        v.iter_mut().for_each(|x| *x = next() * 0.25);
        if let Some(t) = Template::from_embedding(&v) {
            index.insert(i, &t);
        }
    }
    let query = match query {
        Some(q) => q,
        None => Template::from_embedding(&v).ok_or(FaceError::NotAnImage)?,
    };
    let cal = ScoreCalibration::default();
    let mut search = Vec::with_capacity(iterations.max(20));
    for _ in 0..iterations.max(20) {
        let t = Instant::now();
        let hits = index.search(&query, 10, 0.0, &cal);
        search.push(t.elapsed());
        std::hint::black_box(hits);
    }

    Ok(BenchReport {
        selfie_size: (img.width(), img.height()),
        decode: timing(decode),
        detect_embed: timing(detect_embed),
        analyze_full: timing(analyze_full),
        index_size: index.len(),
        search: timing(search),
    })
}
