//! Phone numbers: parsing and validation against libphonenumber's numbering-plan metadata (the
//! `phonenumber` crate), the line type the plan assigns to the number's range, and the list of
//! public receive-SMS numbers.
//!
//! What the metadata can and cannot say: it knows which ranges a country allocates to mobile,
//! fixed, VoIP, toll-free… lines, so `line_type` is the *allocated* type. It has no carrier
//! names and no porting data (a number ported from mobile to VoIP keeps its mobile range), so
//! `carrier.name` is always `None` here — never guessed.

use phonenumber::Mode;

use crate::country::Country;
use crate::error::{DataError, PhoneError};
use crate::lists::NumberSet;
use crate::warning::{Action, Risk, Warning};

/// Compiled numbering-plan patterns kept. `phonenumber` compiles each pattern on first use into
/// a shared LRU cache of only 100, while validating and typing one number touches ~15 patterns
/// of its country: numbers from seven countries already evict each other and every parse
/// recompiles (measured 15.7 ms a number under load, against µs once cached). The whole plan
/// has about 10,000 patterns; 4,096 covers every country's common ones.
const PATTERN_CACHE: usize = 4096;

/// Gives `phonenumber`'s shared pattern cache room for [`PATTERN_CACHE`] patterns, once.
fn enlarge_pattern_cache() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Every compiled pattern of the default database refers to this one cache, so
        // replacing its contents resizes it for all of them.
        if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock() {
            *cache = regex_cache::RegexCache::new(PATTERN_CACHE);
        }
    });
}

/// The built-in receive-SMS list (see `data/README.md`).
const BUILTIN_DISPOSABLE: &str = include_str!("../data/disposable_phone_numbers.txt");

/// The type of line a number's range is allocated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineType {
    /// Mobile.
    Mobile,
    /// Fixed (landline).
    FixedLine,
    /// A range used for both (the whole NANP: US, Canada…), so the plan cannot tell.
    FixedLineOrMobile,
    /// VoIP.
    Voip,
    /// Personal numbers: forwarded to any line the holder chooses (UK 070…), i.e. virtual.
    PersonalNumber,
    /// Free to call.
    TollFree,
    /// Premium rate.
    PremiumRate,
    /// Cost shared between caller and holder.
    SharedCost,
    /// Pager.
    Pager,
    /// Universal access number (company numbers).
    Uan,
    /// Voicemail access.
    Voicemail,
    /// The plan gives no type.
    Unknown,
}

impl LineType {
    fn from_metadata(t: phonenumber::Type) -> Self {
        use phonenumber::Type as T;
        match t {
            T::Mobile => Self::Mobile,
            T::FixedLine => Self::FixedLine,
            T::FixedLineOrMobile => Self::FixedLineOrMobile,
            T::Voip => Self::Voip,
            T::PersonalNumber => Self::PersonalNumber,
            T::TollFree => Self::TollFree,
            T::PremiumRate => Self::PremiumRate,
            T::SharedCost => Self::SharedCost,
            T::Pager => Self::Pager,
            T::Uan => Self::Uan,
            T::Voicemail => Self::Voicemail,
            _ => Self::Unknown,
        }
    }

    /// `carrier.type` on the wire: Didit's `mobile` / `landline` / `voip` / `unknown`, and the
    /// plan's own name for the other types.
    pub fn wire(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::FixedLine => "landline",
            Self::FixedLineOrMobile => "fixed_line_or_mobile",
            Self::Voip => "voip",
            Self::PersonalNumber => "personal_number",
            Self::TollFree => "toll_free",
            Self::PremiumRate => "premium_rate",
            Self::SharedCost => "shared_cost",
            Self::Pager => "pager",
            Self::Uan => "uan",
            Self::Voicemail => "voicemail",
            Self::Unknown => "unknown",
        }
    }

    /// Virtual lines: not tied to a SIM or a physical line (`is_virtual`).
    pub fn is_virtual(self) -> bool {
        matches!(self, Self::Voip | Self::PersonalNumber)
    }
}

/// A number that parsed and is valid for its country's numbering plan.
#[derive(Debug, Clone)]
pub struct PhoneNumber {
    inner: phonenumber::PhoneNumber,
    e164: String,
}

impl PhoneNumber {
    /// `+` and the digits (`+14155552671`): the form numbers are stored, matched and
    /// blocklisted in.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The country calling code with its `+` (`+1`).
    pub fn prefix(&self) -> String {
        format!("+{}", self.inner.code().value())
    }

    /// The digits after the calling code (`4155552671`).
    pub fn national_digits(&self) -> &str {
        let code_len = self.inner.code().value().to_string().len();
        self.e164.get(1 + code_len..).unwrap_or_default()
    }

    /// The country the number belongs to (US and Canada share +1; the plan tells them apart).
    pub fn country(&self) -> Option<Country> {
        self.inner
            .country()
            .id()
            .and_then(|id| Country::from_code(id.as_ref()))
    }

    /// The number as written in its own country (`(415) 555-2671`).
    pub fn national_format(&self) -> String {
        self.inner.format().mode(Mode::National).to_string()
    }

    /// The number as written abroad (`+1 415-555-2671`).
    pub fn international_format(&self) -> String {
        self.inner.format().mode(Mode::International).to_string()
    }

    fn e164_value(&self) -> Option<u64> {
        self.e164.get(1..).and_then(|d| d.parse().ok())
    }
}

/// Everything the engine can tell about a number (the `phone` element's facts).
#[derive(Debug, Clone)]
pub struct PhoneAnalysis {
    /// The number.
    pub number: PhoneNumber,
    /// The type of line its range is allocated to.
    pub line_type: LineType,
    /// Listed as a public receive-SMS number.
    pub is_disposable: bool,
}

impl PhoneAnalysis {
    /// VoIP or another virtual line (`is_virtual`).
    pub fn is_virtual(&self) -> bool {
        self.line_type.is_virtual()
    }

    /// The warnings these facts raise under the workflow's or request's actions.
    pub fn warnings(&self, policy: &PhonePolicy) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.is_virtual() {
            warnings.push(
                Warning::new(Risk::VoipNumberDetected, policy.voip_number_action)
                    .with_data(serde_json::json!({ "line_type": self.line_type.wire() })),
            );
        }
        if self.is_disposable {
            warnings.push(Warning::new(
                Risk::DisposableNumberDetected,
                policy.disposable_number_action,
            ));
        }
        warnings
    }
}

/// What to do about a virtual or disposable number (`voip_number_action`,
/// `disposable_number_action`; both `NO_ACTION` by default, as on Didit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhonePolicy {
    /// For `VOIP_NUMBER_DETECTED`.
    pub voip_number_action: Action,
    /// For `DISPOSABLE_NUMBER_DETECTED`.
    pub disposable_number_action: Action,
}

/// Parses and analyses numbers. Build it once (the list is ~93k numbers, 0.75 MB) and share it.
#[derive(Debug, Clone)]
pub struct PhoneAnalyzer {
    disposable: NumberSet,
}

impl PhoneAnalyzer {
    /// With the built-in receive-SMS list.
    pub fn builtin() -> Result<Self, DataError> {
        Ok(Self::new(NumberSet::parse(
            "disposable_phone_numbers.txt",
            BUILTIN_DISPOSABLE,
        )?))
    }

    /// With another receive-SMS list (a newer download, or a test list).
    pub fn new(disposable: NumberSet) -> Self {
        enlarge_pattern_cache();
        Self { disposable }
    }

    /// Parses what a person or a client typed: E.164 (`+14155552671`), an international form
    /// with spaces or punctuation, or a national form when `default_country` (ISO alpha-2 or
    /// alpha-3, the request's `country_code`) says which plan to read it in.
    pub fn parse(
        &self,
        raw: &str,
        default_country: Option<&str>,
    ) -> Result<PhoneNumber, PhoneError> {
        let region = match default_country.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => {
                let country = Country::from_code(code).ok_or(PhoneError::UnknownCountry)?;
                Some(
                    country
                        .alpha2()
                        .parse::<phonenumber::country::Id>()
                        .map_err(|_| PhoneError::UnknownCountry)?,
                )
            }
            None => None,
        };
        let inner = phonenumber::parse(region, raw.trim()).map_err(|_| PhoneError::Unparseable)?;
        if !inner.is_valid() {
            return Err(PhoneError::Invalid);
        }
        let e164 = inner.format().mode(Mode::E164).to_string();
        Ok(PhoneNumber { inner, e164 })
    }

    /// The facts about a parsed number.
    pub fn analyze(&self, number: &PhoneNumber) -> PhoneAnalysis {
        let line_type =
            LineType::from_metadata(number.inner.number_type(&phonenumber::metadata::DATABASE));
        let is_disposable = number
            .e164_value()
            .is_some_and(|n| self.disposable.contains(n));
        PhoneAnalysis {
            number: number.clone(),
            line_type,
            is_disposable,
        }
    }

    /// How many receive-SMS numbers are loaded.
    pub fn disposable_count(&self) -> usize {
        self.disposable.len()
    }
}
