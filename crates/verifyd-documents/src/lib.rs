//! Reading identity documents from photos: finding the document, reading its machine-readable
//! zone and printed text with the PaddleOCR models, cropping the portrait, and turning all of it
//! into the contract's `id_verifications[]` element with its warnings.
//!
//! The crate is a pure, synchronous engine: the server calls [`DocumentReader::read`] on a
//! blocking pool and stores what it returns. It owns three things and nothing else:
//!
//! * **Reading** ([`reader`], [`rectify`], [`zone`], [`ocr`], [`visual`]): decode safely, square
//!   up a document photographed at an angle, detect text lines,
//!   find and read the MRZ (parsed and repaired by the `mrz` crate), read the printed fields,
//!   crop the portrait, measure image quality. The MRZ is the anchor: it fixes orientation,
//!   scale and layout, so the rest of the page is read relative to it.
//! * **Checks** ([`checks`]): expiry, minimum age, accepted document types, consistency with the
//!   session's expected details, MRZ validity, quality — each a warning object; the status follows
//!   from the most severe warning.
//! * **Evaluation** ([`synth`], [`bench`]): a renderer of synthetic passports and ID cards with
//!   known MRZs and realistic damage, used by the tests and by `verifyd bench documents`.
//!
//! Models are loaded once ([`DocumentReader::new`]); see `models/README.md` for their origin.

pub mod bench;
pub mod checks;
mod decode;
mod error;
pub mod ocr;
pub mod reader;
pub mod rectify;
pub mod report;
pub mod synth;
pub mod visual;
pub mod zone;

pub use checks::{evaluate, DocumentPolicy, ExpectedDetails};
pub use decode::{decode_image, DEFAULT_MAX_PIXELS};
pub use error::DocumentError;
pub use reader::{DocumentReader, DocumentReading, ImageQuality, ReadOptions, ReaderConfig, Side};
pub use report::{
    DocumentType, FeatureStatus, Gender, IdVerification, LogType, MrzSection, Warning,
};
