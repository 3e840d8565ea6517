//! Issuing states: the contract's `issuing_state` arrives as alpha-2 (`"ES"`, the MCP form) or
//! alpha-3 (`"ESP"`, the OpenAPI example); both fold to one [`IssuingState`] here, and the
//! countries this crate has rules for become a [`Country`].

use std::fmt;

use serde::{Serialize, Serializer};

use crate::error::IdNumberError;

/// A country this crate has national-ID rules for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Country {
    /// Argentina.
    Ar,
    /// Belgium.
    Be,
    /// Brazil.
    Br,
    /// Canada.
    Ca,
    /// Chile.
    Cl,
    /// China (mainland).
    Cn,
    /// Colombia.
    Co,
    /// Germany.
    De,
    /// Denmark.
    Dk,
    /// Spain.
    Es,
    /// Finland.
    Fi,
    /// France.
    Fr,
    /// India.
    In,
    /// Italy.
    It,
    /// South Korea.
    Kr,
    /// Mexico.
    Mx,
    /// Netherlands.
    Nl,
    /// Norway.
    No,
    /// Peru.
    Pe,
    /// Poland.
    Pl,
    /// Portugal.
    Pt,
    /// Romania.
    Ro,
    /// Sweden.
    Se,
    /// Turkey.
    Tr,
    /// United States.
    Us,
    /// South Africa.
    Za,
}

/// `(country, alpha-2, alpha-3, English name)`, in [`Country`] order.
const TABLE: &[(Country, &str, &str, &str)] = &[
    (Country::Ar, "AR", "ARG", "Argentina"),
    (Country::Be, "BE", "BEL", "Belgium"),
    (Country::Br, "BR", "BRA", "Brazil"),
    (Country::Ca, "CA", "CAN", "Canada"),
    (Country::Cl, "CL", "CHL", "Chile"),
    (Country::Cn, "CN", "CHN", "China"),
    (Country::Co, "CO", "COL", "Colombia"),
    (Country::De, "DE", "DEU", "Germany"),
    (Country::Dk, "DK", "DNK", "Denmark"),
    (Country::Es, "ES", "ESP", "Spain"),
    (Country::Fi, "FI", "FIN", "Finland"),
    (Country::Fr, "FR", "FRA", "France"),
    (Country::In, "IN", "IND", "India"),
    (Country::It, "IT", "ITA", "Italy"),
    (Country::Kr, "KR", "KOR", "South Korea"),
    (Country::Mx, "MX", "MEX", "Mexico"),
    (Country::Nl, "NL", "NLD", "Netherlands"),
    (Country::No, "NO", "NOR", "Norway"),
    (Country::Pe, "PE", "PER", "Peru"),
    (Country::Pl, "PL", "POL", "Poland"),
    (Country::Pt, "PT", "PRT", "Portugal"),
    (Country::Ro, "RO", "ROU", "Romania"),
    (Country::Se, "SE", "SWE", "Sweden"),
    (Country::Tr, "TR", "TUR", "Turkey"),
    (Country::Us, "US", "USA", "United States"),
    (Country::Za, "ZA", "ZAF", "South Africa"),
];

impl Country {
    /// Every supported country, in alphabetical order of alpha-2 code.
    pub fn all() -> impl Iterator<Item = Country> {
        TABLE.iter().map(|(c, ..)| *c)
    }

    fn row(self) -> (Country, &'static str, &'static str, &'static str) {
        // TABLE is in declaration order, so the discriminant is the index.
        TABLE
            .get(self as usize)
            .copied()
            .unwrap_or((self, "", "", ""))
    }

    /// ISO 3166-1 alpha-2 code.
    pub fn alpha2(self) -> &'static str {
        self.row().1
    }

    /// ISO 3166-1 alpha-3 code (what the decision's `issuing_state` carries).
    pub fn alpha3(self) -> &'static str {
        self.row().2
    }

    /// English short name.
    pub fn name(self) -> &'static str {
        self.row().3
    }

    /// The supported country with this alpha-3 code.
    pub fn from_alpha3(alpha3: &str) -> Option<Country> {
        TABLE
            .iter()
            .find(|(_, _, a3, _)| *a3 == alpha3)
            .map(|(c, ..)| *c)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha3())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.alpha3())
    }
}

/// A valid ISO 3166-1 country, whether or not this crate has rules for it (a configured registry
/// may still cover it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IssuingState {
    alpha3: &'static str,
    country: Option<Country>,
}

impl IssuingState {
    /// Parses an alpha-2 or alpha-3 code, case-insensitively (`"es"`, `"ESP"`).
    pub fn parse(code: &str) -> Result<IssuingState, IdNumberError> {
        let alpha3 = verifyd_screening::country::to_iso3(code)
            .ok_or_else(|| IdNumberError::UnknownIssuingState(code.trim().to_owned()))?;
        Ok(IssuingState {
            alpha3,
            country: Country::from_alpha3(alpha3),
        })
    }

    /// The alpha-3 code.
    pub fn alpha3(self) -> &'static str {
        self.alpha3
    }

    /// The country, when this crate has rules for it.
    pub fn country(self) -> Option<Country> {
        self.country
    }
}

impl From<Country> for IssuingState {
    fn from(country: Country) -> Self {
        IssuingState {
            alpha3: country.alpha3(),
            country: Some(country),
        }
    }
}

impl fmt::Display for IssuingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha3)
    }
}

impl Serialize for IssuingState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.alpha3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_follows_declaration_order() {
        for (i, (c, ..)) in TABLE.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }

    #[test]
    fn alpha2_and_alpha3_fold_to_one_state() {
        let a = IssuingState::parse("es").unwrap();
        let b = IssuingState::parse("ESP").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.country(), Some(Country::Es));
        let pan = IssuingState::parse("PA").unwrap();
        assert_eq!(pan.alpha3(), "PAN");
        assert_eq!(pan.country(), None);
        assert!(IssuingState::parse("ZZZ").is_err());
    }
}
