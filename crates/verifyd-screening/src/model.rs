//! The list-independent entity model every importer produces and the index consumes.
//!
//! Lists disagree on almost everything (OFAC packs birth dates into free-text remarks, the UN splits
//! names over four fields, OpenSanctions uses ISO-2 countries), so importers translate into this one
//! shape and the matcher never looks at a list's own format.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The published list an entity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// OFAC Specially Designated Nationals list.
    OfacSdn,
    /// OFAC consolidated (non-SDN) sanctions list.
    OfacConsolidated,
    /// UN Security Council consolidated list.
    Un,
    /// EU consolidated financial sanctions list.
    Eu,
    /// UK sanctions list (OFSI consolidated list).
    Uk,
    /// OpenSanctions (FollowTheMoney or Senzing export).
    OpenSanctions,
}

impl Source {
    /// Every list, in the order `verifyd lists` prints them.
    pub const ALL: [Source; 6] = [
        Source::OfacSdn,
        Source::OfacConsolidated,
        Source::Un,
        Source::Eu,
        Source::Uk,
        Source::OpenSanctions,
    ];

    /// The name `verifyd lists import --source` takes and the store keys a list by.
    pub fn slug(self) -> &'static str {
        match self {
            Source::OfacSdn => "ofac-sdn",
            Source::OfacConsolidated => "ofac-cons",
            Source::Un => "un",
            Source::Eu => "eu",
            Source::Uk => "uk",
            Source::OpenSanctions => "opensanctions",
        }
    }

    /// The list a [`Source::slug`] names.
    pub fn from_slug(slug: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// Short, stable prefix used in entity keys (`un-6908547`, `ofac-2674`).
    pub fn key_prefix(self) -> &'static str {
        match self {
            Source::OfacSdn => "ofac",
            Source::OfacConsolidated => "ofac-cons",
            Source::Un => "un",
            Source::Eu => "eu",
            Source::Uk => "uk",
            Source::OpenSanctions => "os",
        }
    }

    /// Human-readable list name (used as `list_name`/dataset captions).
    pub fn list_name(self) -> &'static str {
        match self {
            Source::OfacSdn => "OFAC SDN List",
            Source::OfacConsolidated => "OFAC Consolidated Sanctions List",
            Source::Un => "UN Security Council Consolidated List",
            Source::Eu => "EU Consolidated Financial Sanctions List",
            Source::Uk => "UK Sanctions List (OFSI)",
            Source::OpenSanctions => "OpenSanctions",
        }
    }
}

/// What kind of thing is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A natural person.
    Person,
    /// A company, organisation, group or other legal entity.
    Organization,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
}

impl EntityType {
    /// Whether the contract's `entity_type=company` screening should consider this entity.
    pub fn is_company_like(self) -> bool {
        !matches!(self, EntityType::Person)
    }
}

/// How reliable a list considers an alias (UN "Good"/"Low", OFAC strong/weak a.k.a.).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasQuality {
    /// A name the subject is known to use.
    Strong,
    /// A weak or low-quality alias (nicknames, noms de guerre); scored with a small penalty.
    Weak,
    /// The list does not say.
    Unknown,
}

/// One alternative name of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// The alias as printed by the list.
    pub name: String,
    /// The list's quality rating, if any.
    pub quality: AliasQuality,
}

/// A birth date as precise as the list gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "precision", content = "value")]
pub enum BirthDate {
    /// A full date.
    Full(NaiveDate),
    /// Year and month only.
    YearMonth(i32, u32),
    /// Year only (also used for ranges, one entry per year).
    Year(i32),
}

impl BirthDate {
    /// The year part.
    pub fn year(self) -> i32 {
        match self {
            BirthDate::Full(d) => chrono::Datelike::year(&d),
            BirthDate::YearMonth(y, _) | BirthDate::Year(y) => y,
        }
    }

    /// ISO-ish rendering: `1960-01-12`, `1960-01`, `1960`.
    pub fn to_iso(self) -> String {
        match self {
            BirthDate::Full(d) => d.format("%Y-%m-%d").to_string(),
            BirthDate::YearMonth(y, m) => format!("{y:04}-{m:02}"),
            BirthDate::Year(y) => format!("{y:04}"),
        }
    }
}

/// Gender where the list states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Gender {
    /// Lenient parse of list/API spellings (`Male`, `m`, `FEMALE`, …).
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "male" | "man" => Some(Gender::Male),
            "f" | "female" | "woman" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// One listed person, organisation, vessel or aircraft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Which list.
    pub source: Source,
    /// The list's own identifier (OFAC ent_num, UN DATAID, EU logicalId, …).
    pub source_id: String,
    /// Kind of entity.
    pub entity_type: EntityType,
    /// The primary name as printed by the list.
    pub name: String,
    /// Alternative names.
    pub aliases: Vec<Alias>,
    /// Known birth dates (several when the list is unsure).
    pub birth_dates: Vec<BirthDate>,
    /// Nationalities and citizenships, ISO 3166-1 alpha-3 where derivable, else the list's text.
    pub nationalities: Vec<String>,
    /// Gender where stated.
    pub gender: Option<Gender>,
    /// Sanctions programmes (`SDGT`, `UN List type`, …).
    pub programs: Vec<String>,
    /// Identity document numbers (passports, national ids) where the list gives them.
    pub documents: Vec<String>,
    /// Free-text remarks.
    pub remarks: Option<String>,
    /// Politically exposed person.
    pub is_pep: bool,
    /// On a sanctions list.
    pub is_sanctioned: bool,
}

impl Entity {
    /// A new sanctioned entity with only its name set.
    pub fn new(
        source: Source,
        source_id: impl Into<String>,
        entity_type: EntityType,
        name: impl Into<String>,
    ) -> Self {
        Entity {
            source,
            source_id: source_id.into(),
            entity_type,
            name: name.into(),
            aliases: Vec::new(),
            birth_dates: Vec::new(),
            nationalities: Vec::new(),
            gender: None,
            programs: Vec::new(),
            documents: Vec::new(),
            remarks: None,
            is_pep: false,
            is_sanctioned: true,
        }
    }

    /// Stable key `<prefix>-<source_id>` (matches `candidate_entity` in the labelled pair files).
    pub fn key(&self) -> String {
        format!("{}-{}", self.source.key_prefix(), self.source_id)
    }

    /// Adds an alias unless it is empty or repeats an existing name.
    pub fn push_alias(&mut self, name: &str, quality: AliasQuality) {
        let name = name.trim();
        if name.is_empty()
            || name.eq_ignore_ascii_case(&self.name)
            || self
                .aliases
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(name))
        {
            return;
        }
        self.aliases.push(Alias {
            name: name.to_string(),
            quality,
        });
    }

    /// Adds a nationality (converted to ISO-3 when recognised), skipping duplicates.
    pub fn push_nationality(&mut self, raw: &str) {
        let raw = raw.trim();
        if raw.is_empty() {
            return;
        }
        let code = crate::country::to_iso3(raw).map_or_else(|| raw.to_string(), str::to_string);
        if !self.nationalities.contains(&code) {
            self.nationalities.push(code);
        }
    }

    /// Adds a birth date, skipping duplicates.
    pub fn push_birth_date(&mut self, d: BirthDate) {
        if !self.birth_dates.contains(&d) {
            self.birth_dates.push(d);
        }
    }
}
