//! ICAO 9303 machine-readable zones: parsing, validation, OCR repair and generation.
//!
//! This crate owns everything verifyd knows about the MRZ printed at the bottom of passports, ID
//! cards and visas, and nothing else: it has no dependency on the rest of verifyd, so the
//! document engine, the CLI (`verifyd mrz parse`) and the test-document renderer all share one
//! implementation of a format where a single wrong column silently corrupts data.
//!
//! * [`parse`] / [`parse_text`] read a zone into a typed [`Mrz`]: all five layouts (TD1, TD2,
//!   TD3, MRV-A, MRV-B), every check digit, state codes, names, dates. Failed checks are listed in
//!   [`Mrz::problems`] instead of failing the parse: the only error is [`MrzError::NotMrz`].
//! * [`Mode::Tolerant`] accepts OCR output and repairs it conservatively (see "OCR repair"
//!   below); [`Mode::Strict`] accepts only a well-formed zone and changes nothing.
//! * [`generate`] builds valid lines from [`MrzFields`]; `parse(generate(f)).fields() == f`.
//! * [`parse_report`] gives the flat JSON [`Report`] the CLI prints.
//!
//! ## Years
//! Dates carry two-digit years, so the caller supplies "today" (never the wall clock, so results
//! are reproducible). A birth date is the latest matching date not after today; an expiry date is
//! placed in the window `[today.year − 50, today.year + 50)`.
//!
//! ## OCR repair
//! Tolerant mode normalises case and whitespace, repairs line lengths that are off by up to
//! [`LENGTH_TOLERANCE`] (by stretching or shrinking the longest run of fillers), and fixes the
//! usual confusions O/D/Q↔0, I↔1, Z↔2, S↔5, G↔6, B↔8 only where the field's type requires it:
//! digits in names and state codes become letters; letters in dates and check digits become
//! digits, but only if the field's check digit then passes; alphanumeric fields (document number,
//! optional data) take the unique smallest set of swaps that satisfies their check digit. Each
//! change is reported as a [`Correction`]. Note that `G`/`6` differ by 10 in check-digit value,
//! so that confusion is invisible to check digits and is never corrected in alphanumeric fields.
//!
//! ```
//! use chrono::NaiveDate;
//! let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
//! let mrz = mrz::parse(
//!     &[
//!         "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
//!         "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
//!     ],
//!     mrz::Mode::Strict,
//!     today,
//! )
//! .unwrap();
//! assert!(mrz.is_valid());
//! assert_eq!(mrz.given_names, "ANNA MARIA");
//! ```
#![deny(missing_docs)]

mod check;
mod dates;
mod generate;
mod layout;
mod model;
mod parse;
mod report;
mod states;

pub use check::{char_value, check_digit};
pub use generate::{generate, name_field, name_fits};
pub use layout::Format;
pub use model::{Correction, DocumentCategory, Field, Mode, Mrz, MrzFields, Problem, Sex};
pub use parse::{parse, parse_text, LENGTH_TOLERANCE};
pub use report::{parse_report, Report};
pub use states::{all_states, is_known_state, state_name};

/// The one error type of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    /// The input does not have the shape of any MRZ format (line count and lengths).
    #[error("not a machine-readable zone: {0}")]
    NotMrz(String),
    /// [`generate`] cannot encode a field value.
    #[error("cannot encode {field:?}: {reason}")]
    InvalidField {
        /// The field at fault.
        field: Field,
        /// Why.
        reason: String,
    },
}
