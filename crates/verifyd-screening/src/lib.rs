//! Sanctions and PEP list import and name screening — a pure library (no HTTP, no SQL).
//!
//! The crate owns three things the server only wires together: importers that turn the lists'
//! real published formats (OFAC CSV/XML, UN XML, EU XML, UK OFSI CSV, OpenSanctions JSON) into one
//! [`Entity`] model; an [`Index`] that screens a [`Query`] against those entities with a matcher
//! built for transliterated, reordered and abbreviated names; and the [`decision`] helpers that
//! turn hits into the contract's `aml_screenings[]` / `/v3/aml/` JSON. [`eval`] and [`bench`]
//! measure the matcher so accuracy and latency claims stay checkable.

pub mod bench;
pub mod country;
pub mod decision;
pub mod error;
pub mod eval;
pub mod import;
pub mod index;
pub mod matcher;
pub mod model;
pub mod normalize;

pub use decision::{decide, AmlHitOut, AmlResult, AmlStatus, Thresholds};
pub use error::ScreeningError;
pub use eval::{evaluate, EvalReport, LabelledPair};
pub use index::{Hit, Index, Query, QueryDate, QueryEntityType, ScoreBreakdown, ScreenOptions};
pub use model::{Alias, AliasQuality, BirthDate, Entity, EntityType, Gender, Source};
