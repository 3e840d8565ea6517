//! What a valid number is and what it says about its holder.
//!
//! Rules turn text into an [`IdNumber`] (parse, don't validate): once one exists, its check digits
//! held and every date it encodes is a real calendar date. What the number *encodes* — birth date,
//! sex, region, name letters — is kept typed so the cross-check compares values, not strings.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

use crate::kind::IdKind;

/// A valid national identification number and the data it encodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdNumber {
    /// The scheme.
    pub kind: IdKind,
    /// The number without separators, upper-case (`54362315K`).
    pub compact: String,
    /// Birth date as far as the number encodes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<EncodedDate>,
    /// Sex the number encodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Region the number encodes (place of birth or of registration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Letters derived from the holder's names (CURP, RFC, codice fiscale).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_code: Option<NameCode>,
    /// Other facts the number states about its holder.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Another national number embedded in this one (the DNI inside an Argentine CUIL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded: Option<String>,
}

impl IdNumber {
    /// A number that encodes nothing beyond itself.
    pub(crate) fn bare(kind: IdKind, compact: impl Into<String>) -> IdNumber {
        IdNumber {
            kind,
            compact: compact.into(),
            birth_date: None,
            sex: None,
            region: None,
            name_code: None,
            flags: Vec::new(),
            embedded: None,
        }
    }

    pub(crate) fn born(mut self, date: EncodedDate) -> Self {
        self.birth_date = Some(date);
        self
    }

    pub(crate) fn sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    pub(crate) fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    pub(crate) fn flag(mut self, flag: Flag) -> Self {
        self.flags.push(flag);
        self
    }
}

/// Sex as national numbers encode it (none encodes a third value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Sex {
    /// The contract's letter (`M`, `F`).
    pub fn letter(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }

    /// Male when `odd`, female otherwise: the most common encoding (a parity digit).
    pub(crate) fn odd_male(digit: u32) -> Sex {
        if digit % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }
}

impl Serialize for Sex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.letter())
    }
}

/// The year as a number encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Year {
    /// The full year (the century is encoded or implied by the scheme).
    Full(i32),
    /// Only the last two digits (codice fiscale, NIR).
    TwoDigits(u8),
}

/// A birth date as far as a number encodes it: some schemes leave the century, the day or even the
/// month out, and some write zeroes for an unknown part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncodedDate {
    /// Year.
    pub year: Year,
    /// Month 1–12, when encoded.
    pub month: Option<u32>,
    /// Day 1–31, when encoded.
    pub day: Option<u32>,
}

impl EncodedDate {
    /// A complete date.
    pub fn exact(date: NaiveDate) -> EncodedDate {
        EncodedDate {
            year: Year::Full(date.year()),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    /// The date, when year, month and day are all encoded.
    pub fn date(&self) -> Option<NaiveDate> {
        match (self.year, self.month, self.day) {
            (Year::Full(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        }
    }

    /// True when `date` agrees with every part the number encodes.
    pub fn agrees_with(&self, date: NaiveDate) -> bool {
        let year_ok = match self.year {
            Year::Full(y) => y == date.year(),
            Year::TwoDigits(yy) => i32::from(yy) == date.year().rem_euclid(100),
        };
        year_ok
            && self.month.is_none_or(|m| m == date.month())
            && self.day.is_none_or(|d| d == date.day())
    }

    /// Whether the number pins the whole date down (otherwise a match is a weaker statement).
    pub fn is_exact(&self) -> bool {
        self.date().is_some()
    }
}

impl fmt::Display for EncodedDate {
    /// ISO 8601 where complete; unknown parts as `XX` (`XX85-12-10`, `1955-08-XX`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Year::Full(y) => write!(f, "{y:04}")?,
            Year::TwoDigits(yy) => write!(f, "XX{yy:02}")?,
        }
        match self.month {
            Some(m) => write!(f, "-{m:02}")?,
            None => f.write_str("-XX")?,
        }
        match self.day {
            Some(d) => write!(f, "-{d:02}"),
            None => f.write_str("-XX"),
        }
    }
}

impl Serialize for EncodedDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A region a number encodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    /// What the code designates (`"province"`, `"state of birth"`, `"comune (Belfiore code)"`).
    pub scheme: &'static str,
    /// The code as written in the number.
    pub code: String,
    /// Its name, where this crate ships the code table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
}

impl Region {
    pub(crate) fn new(scheme: &'static str, code: impl Into<String>) -> Region {
        Region {
            scheme,
            code: code.into(),
            name: None,
        }
    }

    pub(crate) fn named(mut self, name: Option<&'static str>) -> Region {
        self.name = name;
        self
    }
}

/// Letters a number derives from its holder's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum NameCode {
    /// CURP: `letters` are positions 1–4 (first letter and first inner vowel of the first surname,
    /// first letter of the second surname, first letter of the given name); `consonants` are
    /// positions 14–16 (first inner consonants of the same three names).
    Curp {
        /// Positions 1–4.
        letters: String,
        /// Positions 14–16.
        consonants: String,
    },
    /// RFC of a person: the same four letters as the CURP (with the RFC's own exceptions).
    Rfc {
        /// Positions 1–4.
        letters: String,
    },
    /// Codice fiscale: three letters from the surname, three from the given name.
    CodiceFiscale {
        /// Characters 1–3.
        surname: String,
        /// Characters 4–6.
        name: String,
    },
}

/// Facts about a number or its holder besides birth date, sex and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Issued to a foreign national (NIE, Korean alien registration, CNP 7/8).
    Foreigner,
    /// A temporary or coordination number rather than a full registration (Norwegian D/H number,
    /// Swedish samordningsnummer, Belgian BIS number).
    Temporary,
    /// Holder is a permanent resident, not a citizen (South Africa).
    PermanentResident,
    /// Holder is a refugee (South Africa).
    Refugee,
    /// Holder is a citizen (South Africa).
    Citizen,
    /// Issued to a temporary resident (Canadian SIN starting with 9).
    TemporaryResident,
    /// Issued to a company or other legal entity (RFC persona moral, CUIT 30/33/34).
    LegalEntity,
    /// The holder was at least 100 years old when the short form was written (Swedish `+`).
    Centenarian,
    /// The number was given without its optional check character (a German card number without
    /// the MRZ digit, a Peruvian DNI without the printed character): only its format was checked.
    WithoutCheckDigit,
    /// The check character does not match, in a scheme whose registry is known to have issued
    /// such numbers (about 1.5 % of Mexican RFCs): the number stays plausible, not confirmed.
    CheckDigitMismatch,
}

/// Why a string is not a valid number of a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "defect", rename_all = "snake_case")]
pub enum Defect {
    /// Nothing left after removing separators.
    Empty,
    /// Wrong number of characters.
    Length {
        /// The lengths the scheme allows.
        expected: &'static str,
        /// The length found (after removing separators).
        found: usize,
    },
    /// A character the scheme does not allow at that position.
    Characters {
        /// What the scheme expects.
        expected: &'static str,
    },
    /// The check digit/letter does not match.
    CheckDigit,
    /// The encoded birth date is not a calendar date.
    BirthDate,
    /// The encoded birth date lies after the day of the check.
    FutureBirthDate,
    /// A part of the number the scheme never issues (`what` says which).
    Component {
        /// What is wrong, in words.
        what: &'static str,
    },
}

impl Defect {
    /// True when the text does not even have the shape of this kind (so another kind of the same
    /// country may fit); false when it has the shape but fails a check.
    pub fn is_shape(&self) -> bool {
        matches!(
            self,
            Defect::Empty | Defect::Length { .. } | Defect::Characters { .. }
        )
    }

    /// The contract's `outcome_code` for a number rejected by a local rule.
    pub fn outcome_code(&self) -> &'static str {
        "INVALID_DOCUMENT_FORMAT"
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Defect::Empty => f.write_str("the number is empty"),
            Defect::Length { expected, found } => {
                write!(f, "the number has {found} characters, expected {expected}")
            }
            Defect::Characters { expected } => write!(f, "expected {expected}"),
            Defect::CheckDigit => f.write_str("the check digit does not match"),
            Defect::BirthDate => f.write_str("the encoded birth date is not a calendar date"),
            Defect::FutureBirthDate => f.write_str("the encoded birth date is in the future"),
            Defect::Component { what } => f.write_str(what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_agree_on_what_they_encode() {
        let d = NaiveDate::from_ymd_opt(1985, 12, 10).unwrap();
        let cf = EncodedDate {
            year: Year::TwoDigits(85),
            month: Some(12),
            day: Some(10),
        };
        assert!(cf.agrees_with(d));
        assert!(cf.agrees_with(NaiveDate::from_ymd_opt(1885, 12, 10).unwrap()));
        assert!(!cf.agrees_with(NaiveDate::from_ymd_opt(1985, 12, 11).unwrap()));
        assert_eq!(cf.to_string(), "XX85-12-10");
        let nir = EncodedDate {
            year: Year::TwoDigits(55),
            month: Some(8),
            day: None,
        };
        assert!(nir.agrees_with(NaiveDate::from_ymd_opt(1955, 8, 30).unwrap()));
        assert!(!nir.is_exact());
        assert_eq!(EncodedDate::exact(d).to_string(), "1985-12-10");
    }
}
