//! Benchmark and evaluation: what `verifyd bench documents` runs.
//!
//! Two measurements answer "does the reader work, and how fast": synthetic documents with a
//! known MRZ (clean and degraded photos; the metric is an exact match of every line), and the
//! real specimens in `shared/testdata/documents`, whose file-name prefix is PassportEye's score
//! for the same image, so the two readers can be compared side by side.

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;

use crate::reader::{DocumentReader, ReadOptions};
use crate::synth::{Degradation, Renderer, SynthKind};
use crate::DocumentError;

/// Result of one synthetic set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SetReport {
    /// Documents read.
    pub documents: usize,
    /// Documents whose every MRZ line was read exactly.
    pub exact: usize,
    /// `exact / documents`.
    pub exact_rate: f64,
    /// Documents whose zone was found and validated (check digits all pass).
    pub valid: usize,
    /// Median read time per document in milliseconds (decode included).
    pub median_ms: f64,
    /// 90th percentile read time in milliseconds.
    pub p90_ms: f64,
    /// Median CPU time of the reading thread in milliseconds (Linux; 0 elsewhere): the cost on
    /// one core, unaffected by other load on the machine.
    pub median_cpu_ms: f64,
    /// Seeds of the documents not read exactly (to reproduce with [`Renderer::render`]).
    pub failed_seeds: Vec<u64>,
}

/// Result of [`bench_synthetic`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BenchReport {
    /// Flat, upright, sharp photos.
    pub clean: SetReport,
    /// Rotated, tilted, blurred, noisy, compressed photos.
    pub degraded: SetReport,
}

/// Even seeds are passports, odd seeds ID cards (so a failed seed alone reproduces a case).
pub fn kind_for_seed(seed: u64) -> SynthKind {
    if seed % 2 == 0 {
        SynthKind::Passport
    } else {
        SynthKind::IdCard
    }
}

/// CPU time consumed by the calling thread, in milliseconds, from `/proc/thread-self/schedstat`
/// (nanoseconds on CPU); 0 where that file does not exist.
pub fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |ns| ns / 1e6)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

fn run_set(
    reader: &DocumentReader,
    renderer: &Renderer,
    n: usize,
    degraded: bool,
    seed: u64,
    today: NaiveDate,
    options: &ReadOptions,
) -> Result<SetReport, DocumentError> {
    let mut report = SetReport {
        documents: n,
        ..SetReport::default()
    };
    let mut times = Vec::with_capacity(n);
    let mut cpu = Vec::with_capacity(n);
    for i in 0..n {
        let s = seed.wrapping_add(i as u64);
        let kind = kind_for_seed(s);
        let d = if degraded {
            Degradation::random(
                &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(s ^ 0xde9),
            )
        } else {
            Degradation::clean()
        };
        let doc = renderer.render(kind, today, &d, s)?;
        let t = Instant::now();
        let c = thread_cpu_ms();
        let reading = reader.read(&doc.front, doc.back.as_deref(), options)?;
        cpu.push(thread_cpu_ms() - c);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if reading.zone.as_ref().is_some_and(|z| z.mrz.is_valid()) {
            report.valid += 1;
        }
        if reading.mrz_lines() == Some(doc.mrz_lines.as_slice()) {
            report.exact += 1;
        } else {
            report.failed_seeds.push(s);
        }
    }
    times.sort_by(f64::total_cmp);
    report.exact_rate = report.exact as f64 / n.max(1) as f64;
    report.median_ms = percentile(&times, 0.5);
    report.p90_ms = percentile(&times, 0.9);
    cpu.sort_by(f64::total_cmp);
    report.median_cpu_ms = percentile(&cpu, 0.5);
    Ok(report)
}

/// Renders `n` clean and `n` degraded documents (half passports, half ID cards), reads them and
/// reports exact-MRZ rates and timings. Deterministic for a given `seed`.
pub fn bench_synthetic(
    reader: &DocumentReader,
    n: usize,
    seed: u64,
    today: NaiveDate,
    read_visual_zone: bool,
) -> Result<BenchReport, DocumentError> {
    let renderer = Renderer::new()?;
    let options = ReadOptions {
        today,
        read_visual_zone,
    };
    Ok(BenchReport {
        clean: run_set(reader, &renderer, n, false, seed, today, &options)?,
        degraded: run_set(
            reader,
            &renderer,
            n,
            true,
            seed.wrapping_add(1_000_000),
            today,
            &options,
        )?,
    })
}

/// One real specimen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecimenResult {
    /// File name.
    pub file: String,
    /// PassportEye's score from the file name prefix (0–100), if any.
    pub passporteye_score: Option<u32>,
    /// A zone was found.
    pub mrz_found: bool,
    /// The zone validated (all check digits pass).
    pub mrz_valid: bool,
    /// The lines read.
    pub lines: Vec<String>,
    /// Read time in milliseconds.
    pub ms: f64,
    /// Why the image could not be read at all, if so.
    pub error: Option<String>,
}

/// Result of [`eval_specimens`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpecimenReport {
    /// Images tried.
    pub images: usize,
    /// Zones found.
    pub found: usize,
    /// Zones with valid check digits.
    pub valid: usize,
    /// Images PassportEye scored 100 (read perfectly).
    pub passporteye_perfect: usize,
    /// Median time per image.
    pub median_ms: f64,
    /// Per image.
    pub results: Vec<SpecimenResult>,
}

/// Reads every image in `dir` (the PassportEye specimens) and counts valid MRZs.
pub fn eval_specimens(
    reader: &DocumentReader,
    dir: &Path,
    today: NaiveDate,
) -> Result<SpecimenReport, DocumentError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| DocumentError::Decode(format!("{}: {e}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| matches!(x.to_str(), Some("jpg" | "jpeg" | "png")))
        })
        .collect();
    entries.sort();
    let options = ReadOptions {
        today,
        read_visual_zone: false,
    };
    let mut report = SpecimenReport::default();
    let mut times = Vec::new();
    for path in entries {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let score = file.split('_').next().and_then(|p| p.parse::<u32>().ok());
        let bytes = std::fs::read(&path)
            .map_err(|e| DocumentError::Decode(format!("{}: {e}", path.display())))?;
        let t = Instant::now();
        let result = reader.read(&bytes, None, &options);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        let r = match result {
            Ok(reading) => {
                let zone = reading.zone.as_ref();
                SpecimenResult {
                    file,
                    passporteye_score: score,
                    mrz_found: zone.is_some(),
                    mrz_valid: zone.is_some_and(|z| z.mrz.is_valid()),
                    lines: zone.map(|z| z.mrz.lines.clone()).unwrap_or_default(),
                    ms,
                    error: None,
                }
            }
            Err(e) => SpecimenResult {
                file,
                passporteye_score: score,
                mrz_found: false,
                mrz_valid: false,
                lines: Vec::new(),
                ms,
                error: Some(e.to_string()),
            },
        };
        report.images += 1;
        report.found += usize::from(r.mrz_found);
        report.valid += usize::from(r.mrz_valid);
        report.passporteye_perfect += usize::from(score == Some(100));
        report.results.push(r);
    }
    times.sort_by(f64::total_cmp);
    report.median_ms = percentile(&times, 0.5);
    Ok(report)
}
