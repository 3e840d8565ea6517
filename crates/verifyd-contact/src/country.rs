//! Countries by ISO 3166-1 code, for the names and codes the contract prints
//! (`country_name`, `ip_country`, ISO-3 codes in mismatch warnings) and a reference point for
//! distances. The data is the `keshvar` crate's (the Ruby `countries` gem's tables).

use keshvar::{Alpha2, Alpha3};

/// One country, from an alpha-2 (`ES`) or alpha-3 (`ESP`) code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Country(Alpha2);

// `Alpha2` is a field-less enum compared by variant, so equality is total.
impl Eq for Country {}

impl std::hash::Hash for Country {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_string().hash(state);
    }
}

impl Country {
    /// The country for an ISO alpha-2 or alpha-3 code (any case, surrounding spaces ignored);
    /// `None` for anything else, including ICAO-only codes such as `D`.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase();
        match code.len() {
            2 => Alpha2::try_from(code.as_str()).ok().map(Self),
            3 => Alpha3::try_from(code.as_str())
                .ok()
                .map(|a3| Self(Alpha2::from(a3))),
            _ => None,
        }
    }

    /// ISO alpha-2, upper case (`ES`).
    pub fn alpha2(self) -> String {
        self.0.to_string()
    }

    /// ISO alpha-3, upper case (`ESP`).
    pub fn alpha3(self) -> String {
        Alpha3::from(self.0).to_string()
    }

    /// The everyday English name (`United States`, `United Kingdom`, `South Korea`): the
    /// first common name in the table, else the ISO short name.
    pub fn name(self) -> &'static str {
        let country = self.0.to_country();
        country
            .unofficial_name_list()
            .first()
            .copied()
            .unwrap_or_else(|| country.iso_short_name())
    }

    /// The country's geographic centre, as the table gives it.
    pub fn centre(self) -> Coordinates {
        let geo = self.0.to_country().geo();
        Coordinates {
            latitude: geo.latitude(),
            longitude: geo.longitude(),
        }
    }
}

/// A point on the Earth in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    /// Degrees north (negative south).
    pub latitude: f64,
    /// Degrees east (negative west).
    pub longitude: f64,
}

impl Coordinates {
    /// Great-circle distance in kilometres (haversine on a sphere of the mean Earth radius,
    /// 6,371.0088 km, IUGG): good to ~0.5 %, far finer than IP geolocation itself.
    pub fn distance_km(self, other: Coordinates) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6_371.008_8;
        let (lat1, lat2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let d_lat = lat2 - lat1;
        let d_lon = (other.longitude - self.longitude).to_radians();
        let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names() {
        let us = Country::from_code("usa").unwrap();
        assert_eq!(us, Country::from_code(" US ").unwrap());
        assert_eq!((us.alpha2().as_str(), us.alpha3().as_str()), ("US", "USA"));
        assert_eq!(us.name(), "United States");
        assert_eq!(Country::from_code("GB").unwrap().name(), "United Kingdom");
        assert_eq!(Country::from_code("ES").unwrap().name(), "Spain");
        assert!(Country::from_code("D").is_none());
        assert!(Country::from_code("XX").is_none());
        assert!(Country::from_code("").is_none());
    }

    #[test]
    fn distances() {
        let madrid = Coordinates {
            latitude: 40.4168,
            longitude: -3.7038,
        };
        let amsterdam = Coordinates {
            latitude: 52.3676,
            longitude: 4.9041,
        };
        let d = madrid.distance_km(amsterdam);
        assert!((1470.0..1490.0).contains(&d), "{d}");
        assert_eq!(madrid.distance_km(madrid), 0.0);
        let spain = Country::from_code("ESP").unwrap().centre();
        assert!(spain.distance_km(madrid) < 300.0);
    }
}
