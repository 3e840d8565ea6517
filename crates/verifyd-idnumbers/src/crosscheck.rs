//! Comparing what a number encodes with what the document read says.
//!
//! Each compared field gets the contract's verdict (`full_match` / `partial_match` /
//! `no_match`); fields the number does not encode, or the document did not state, are left out
//! rather than guessed. Name letters (CURP, RFC, codice fiscale) are recomputed from the stated
//! names with the registries' own rules and compared position by position, trying every way the
//! stated surnames can split into first and second surname.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};

use crate::names;
use crate::number::{Flag, IdNumber, NameCode, Sex};

/// The contract's per-field verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldMatch {
    /// The values disagree.
    NoMatch,
    /// The values agree in part (a name close but not equal, a plausible but unconfirmed number).
    PartialMatch,
    /// The values agree.
    FullMatch,
}

impl FieldMatch {
    /// Verdict for `agree` of `total` compared positions: all → full, at least half → partial.
    pub(crate) fn from_agreement(agree: usize, total: usize) -> FieldMatch {
        if total > 0 && agree == total {
            FieldMatch::FullMatch
        } else if agree > 0 && agree * 2 >= total {
            FieldMatch::PartialMatch
        } else {
            FieldMatch::NoMatch
        }
    }

    /// Weight in the match score.
    pub(crate) fn score(self) -> f64 {
        match self {
            FieldMatch::FullMatch => 1.0,
            FieldMatch::PartialMatch => 0.5,
            FieldMatch::NoMatch => 0.0,
        }
    }
}

/// A key of a validation's `validation` object: the request field that was compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// `identification_number`.
    IdentificationNumber,
    /// `personal_number`.
    PersonalNumber,
    /// `tax_number`.
    TaxNumber,
    /// `document_number`.
    DocumentNumber,
    /// `national_id`.
    NationalId,
    /// `first_name` (with `middle_name`).
    FirstName,
    /// `last_name`.
    LastName,
    /// `full_name` (when first and last name were not given apart).
    FullName,
    /// `date_of_birth`.
    DateOfBirth,
    /// `gender`.
    Gender,
}

impl Field {
    /// The request field name.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::IdentificationNumber => "identification_number",
            Field::PersonalNumber => "personal_number",
            Field::TaxNumber => "tax_number",
            Field::DocumentNumber => "document_number",
            Field::NationalId => "national_id",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::DateOfBirth => "date_of_birth",
            Field::Gender => "gender",
        }
    }

    /// Whether this is one of the number fields.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Field::IdentificationNumber
                | Field::PersonalNumber
                | Field::TaxNumber
                | Field::DocumentNumber
                | Field::NationalId
        )
    }

    /// Whether this is one of the name fields.
    pub fn is_name(self) -> bool {
        matches!(self, Field::FirstName | Field::LastName | Field::FullName)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The gender a document states (`X` is a valid statement that no number can encode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    /// `M`.
    #[serde(rename = "M")]
    Male,
    /// `F`.
    #[serde(rename = "F")]
    Female,
    /// `X`.
    #[serde(rename = "X")]
    Unspecified,
}

impl Gender {
    /// Parses the contract's `M` / `F` / `X` (case-insensitive).
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" => Some(Gender::Male),
            "F" => Some(Gender::Female),
            "X" => Some(Gender::Unspecified),
            _ => None,
        }
    }

    /// The sex this gender corresponds to, when it names one.
    pub fn sex(self) -> Option<Sex> {
        match self {
            Gender::Male => Some(Sex::Male),
            Gender::Female => Some(Sex::Female),
            Gender::Unspecified => None,
        }
    }
}

/// What the document read (or the caller) says about the holder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Claims {
    /// Given name(s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Further given names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Surname(s); for Mexico both surnames, first then second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// The whole name, used when first and last name are not given apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Date of birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// Gender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

impl Claims {
    /// The best full-name string available (`full_name`, else the parts joined).
    pub fn display_name(&self) -> Option<String> {
        if let Some(full) = self.full_name.as_deref().filter(|s| !s.trim().is_empty()) {
            return Some(full.trim().to_owned());
        }
        let parts: Vec<&str> = [&self.first_name, &self.middle_name, &self.last_name]
            .iter()
            .filter_map(|p| p.as_deref())
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn has_parts(&self) -> bool {
        [&self.first_name, &self.middle_name, &self.last_name]
            .iter()
            .any(|p| p.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }
}

/// Per-field verdicts, in a stable order.
pub type FieldVerdicts = BTreeMap<Field, FieldMatch>;

/// Compares a valid number with the claims. `number_field` is the request field the number came
/// in; it is a full match unless the scheme flags the number as unconfirmed.
pub fn cross_check(number: &IdNumber, number_field: Field, claims: &Claims) -> FieldVerdicts {
    let mut out = FieldVerdicts::new();
    let number_verdict = if number.flags.contains(&Flag::CheckDigitMismatch) {
        FieldMatch::PartialMatch
    } else {
        FieldMatch::FullMatch
    };
    out.insert(number_field, number_verdict);
    if let (Some(encoded), Some(stated)) = (number.birth_date, claims.date_of_birth) {
        out.insert(
            Field::DateOfBirth,
            if encoded.agrees_with(stated) {
                FieldMatch::FullMatch
            } else {
                FieldMatch::NoMatch
            },
        );
    }
    if let (Some(encoded), Some(stated)) = (number.sex, claims.gender.and_then(Gender::sex)) {
        out.insert(
            Field::Gender,
            if encoded == stated {
                FieldMatch::FullMatch
            } else {
                FieldMatch::NoMatch
            },
        );
    }
    if let Some(code) = &number.name_code {
        out.extend(compare_name_code(code, claims));
    }
    out
}

/// A reading of the stated names: given names and surnames as words.
struct Reading {
    given: Vec<String>,
    surnames: Vec<String>,
}

/// The ways the claims can be read as (given names, surnames). With the parts stated there is
/// one; from a full name alone, every split point in both name orders.
fn readings(claims: &Claims, enye_as_x: bool) -> Vec<Reading> {
    let words = |s: &Option<String>| -> Vec<String> {
        s.as_deref()
            .map(|s| names::words(s, enye_as_x))
            .unwrap_or_default()
    };
    if claims.has_parts() {
        let mut given = words(&claims.first_name);
        given.extend(words(&claims.middle_name));
        return vec![Reading {
            given,
            surnames: words(&claims.last_name),
        }];
    }
    let all = words(&claims.full_name);
    let mut out = Vec::new();
    for k in 1..all.len() {
        out.push(Reading {
            given: all[..k].to_vec(),
            surnames: all[k..].to_vec(),
        });
        out.push(Reading {
            given: all[all.len() - k..].to_vec(),
            surnames: all[..all.len() - k].to_vec(),
        });
    }
    out
}

/// Every split of surname words into (first surname, second surname).
fn surname_splits(surnames: &[String]) -> Vec<(Vec<String>, Vec<String>)> {
    (1..=surnames.len())
        .map(|j| (surnames[..j].to_vec(), surnames[j..].to_vec()))
        .collect()
}

fn agreement(expected: &str, found: &str, positions: &[usize]) -> usize {
    let e: Vec<char> = expected.chars().collect();
    let f: Vec<char> = found.chars().collect();
    positions
        .iter()
        .filter(|&&i| e.get(i).is_some() && e.get(i) == f.get(i))
        .count()
}

/// Agreement of (surname positions, given-name positions) for the best reading.
#[derive(Debug, Clone, Copy, Default)]
struct Best {
    surname: usize,
    given: usize,
}

fn compare_name_code(code: &NameCode, claims: &Claims) -> FieldVerdicts {
    let (surname_total, given_total, best, has_surnames) = match code {
        NameCode::Curp {
            letters,
            consonants,
        } => {
            let mut best: Option<Best> = None;
            let mut has_surnames = false;
            for r in readings(claims, true) {
                has_surnames |= !r.surnames.is_empty();
                let splits = if r.surnames.is_empty() {
                    vec![(Vec::new(), Vec::new())]
                } else {
                    surname_splits(&r.surnames)
                };
                for (first, second) in splits {
                    let Some((l, c)) = names::curp_letters(&first, &second, &r.given) else {
                        continue;
                    };
                    let cand = Best {
                        surname: agreement(&l, letters, &[0, 1, 2])
                            + agreement(&c, consonants, &[0, 1]),
                        given: agreement(&l, letters, &[3]) + agreement(&c, consonants, &[2]),
                    };
                    best = Some(better(best, cand));
                }
            }
            (5, 2, best, has_surnames)
        }
        NameCode::Rfc { letters } => {
            let mut best: Option<Best> = None;
            let mut has_surnames = false;
            for enye_as_x in [true, false] {
                for r in readings(claims, enye_as_x) {
                    has_surnames |= !r.surnames.is_empty();
                    for (first, second) in surname_splits(&r.surnames) {
                        let Some(l) = names::rfc_letters(&first, &second, &r.given) else {
                            continue;
                        };
                        let cand = Best {
                            surname: agreement(&l, letters, &[0, 1, 2]),
                            given: agreement(&l, letters, &[3]),
                        };
                        best = Some(better(best, cand));
                    }
                }
            }
            (3, 1, best, has_surnames)
        }
        NameCode::CodiceFiscale { surname, name } => {
            let mut best: Option<Best> = None;
            let mut has_surnames = false;
            for r in readings(claims, false) {
                has_surnames |= !r.surnames.is_empty();
                let s = names::cf_surname(&r.surnames.join(" "));
                let g = names::cf_name(&r.given.join(" "));
                let cand = Best {
                    surname: if r.surnames.is_empty() {
                        0
                    } else {
                        agreement(&s, surname, &[0, 1, 2])
                    },
                    given: if r.given.is_empty() {
                        0
                    } else {
                        agreement(&g, name, &[0, 1, 2])
                    },
                };
                best = Some(better(best, cand));
            }
            (3, 3, best, has_surnames)
        }
    };
    let mut out = FieldVerdicts::new();
    let Some(best) = best else {
        return out;
    };
    let surname = FieldMatch::from_agreement(best.surname, surname_total);
    let given = FieldMatch::from_agreement(best.given, given_total);
    if claims.has_parts() {
        if has_surnames {
            out.insert(Field::LastName, surname);
        }
        if claims.first_name.is_some() || claims.middle_name.is_some() {
            out.insert(Field::FirstName, given);
        }
    } else {
        out.insert(
            Field::FullName,
            FieldMatch::from_agreement(best.surname + best.given, surname_total + given_total),
        );
    }
    out
}

fn better(current: Option<Best>, cand: Best) -> Best {
    match current {
        Some(c) if c.surname + c.given >= cand.surname + cand.given => c,
        _ => cand,
    }
}
