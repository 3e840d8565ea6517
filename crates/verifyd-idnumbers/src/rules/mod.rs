//! Per-country rules: text → [`IdNumber`] or the [`Defect`] that rules it out.
//!
//! Each file implements one country's published rules (see [`crate::KindInfo::source`]) and a
//! generator of valid numbers for the property tests. Rules take the day of the check because
//! some schemes need it (the Swedish short form's century) and because a birth date after it
//! cannot be real.

use chrono::NaiveDate;

use crate::checksum;
use crate::country::Country;
use crate::kind::IdKind;
use crate::number::{Defect, IdNumber};

mod americas;
mod asia_africa;
mod europe_north;
mod europe_south_west;

/// Parses `text` as a number of `country`, trying each of its kinds in turn: the first kind whose
/// shape fits decides (a Spanish `X…` is an NIE, an 18-character Mexican code a CURP). A
/// rejection names that kind, or none when no kind's shape fits.
pub fn parse(country: Country, text: &str, today: NaiveDate) -> Result<IdNumber, Rejection> {
    let mut first_shape_defect = None;
    for kind in IdKind::of(country) {
        match parse_as(kind, text, today) {
            Ok(n) => return Ok(n),
            Err(d) if d.is_shape() => {
                first_shape_defect.get_or_insert(d);
            }
            Err(defect) => {
                return Err(Rejection {
                    kind: Some(kind),
                    defect,
                })
            }
        }
    }
    Err(Rejection {
        kind: None,
        defect: first_shape_defect.unwrap_or(Defect::Empty),
    })
}

/// A number no rule of its country accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The kind whose shape fitted but whose checks failed, if any.
    pub kind: Option<IdKind>,
    /// What is wrong.
    pub defect: Defect,
}

/// Parses `text` as a number of one kind.
pub fn parse_as(kind: IdKind, text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    use IdKind::*;
    match kind {
        ArDni => americas::ar_dni(text),
        ArCuit => americas::ar_cuit(text),
        BrCpf => americas::br_cpf(text),
        CaSin => americas::ca_sin(text),
        ClRut => americas::cl_rut(text),
        CoCedula => americas::co_cedula(text),
        MxCurp => americas::mx_curp(text, today),
        MxRfc => americas::mx_rfc(text, today),
        PeDni => americas::pe_dni(text),
        UsSsn => americas::us_ssn(text),
        CnResidentId => asia_africa::cn_ric(text, today),
        InAadhaar => asia_africa::in_aadhaar(text),
        KrRrn => asia_africa::kr_rrn(text, today),
        TrTcKimlik => asia_africa::tr_tckimlik(text),
        ZaId => asia_africa::za_id(text, today),
        DeIdCard => europe_north::de_id_card(text),
        DeTaxId => europe_north::de_tax_id(text),
        DkCpr => europe_north::dk_cpr(text, today),
        FiHetu => europe_north::fi_hetu(text, today),
        NlBsn => europe_north::nl_bsn(text),
        NoFodselsnummer => europe_north::no_fnr(text, today),
        PlPesel => europe_north::pl_pesel(text, today),
        SePersonnummer => europe_north::se_pnr(text, today),
        BeNationalNumber => europe_south_west::be_nn(text, today),
        EsDni => europe_south_west::es_dni(text),
        EsNie => europe_south_west::es_nie(text),
        FrNir => europe_south_west::fr_nir(text),
        ItCodiceFiscale => europe_south_west::it_cf(text, today),
        PtCc => europe_south_west::pt_cc(text),
        PtNif => europe_south_west::pt_nif(text),
        RoCnp => europe_south_west::ro_cnp(text, today),
    }
}

/// A valid number of `kind` derived from `seed` (the property tests' generator: the same seed
/// gives the same number). Birth dates fall in 1930–2005, so they are valid on any later day.
pub fn sample(kind: IdKind, seed: u64) -> String {
    use IdKind::*;
    let mut g = Seed::new(seed);
    match kind {
        ArDni => americas::sample_ar_dni(&mut g),
        ArCuit => americas::sample_ar_cuit(&mut g),
        BrCpf => americas::sample_br_cpf(&mut g),
        CaSin => americas::sample_ca_sin(&mut g),
        ClRut => americas::sample_cl_rut(&mut g),
        CoCedula => americas::sample_co_cedula(&mut g),
        MxCurp => americas::sample_mx_curp(&mut g),
        MxRfc => americas::sample_mx_rfc(&mut g),
        PeDni => americas::sample_pe_dni(&mut g),
        UsSsn => americas::sample_us_ssn(&mut g),
        CnResidentId => asia_africa::sample_cn_ric(&mut g),
        InAadhaar => asia_africa::sample_in_aadhaar(&mut g),
        KrRrn => asia_africa::sample_kr_rrn(&mut g),
        TrTcKimlik => asia_africa::sample_tr_tckimlik(&mut g),
        ZaId => asia_africa::sample_za_id(&mut g),
        DeIdCard => europe_north::sample_de_id_card(&mut g),
        DeTaxId => europe_north::sample_de_tax_id(&mut g),
        DkCpr => europe_north::sample_dk_cpr(&mut g),
        FiHetu => europe_north::sample_fi_hetu(&mut g),
        NlBsn => europe_north::sample_nl_bsn(&mut g),
        NoFodselsnummer => europe_north::sample_no_fnr(&mut g),
        PlPesel => europe_north::sample_pl_pesel(&mut g),
        SePersonnummer => europe_north::sample_se_pnr(&mut g),
        BeNationalNumber => europe_south_west::sample_be_nn(&mut g),
        EsDni => europe_south_west::sample_es_dni(&mut g),
        EsNie => europe_south_west::sample_es_nie(&mut g),
        FrNir => europe_south_west::sample_fr_nir(&mut g),
        ItCodiceFiscale => europe_south_west::sample_it_cf(&mut g),
        PtCc => europe_south_west::sample_pt_cc(&mut g),
        PtNif => europe_south_west::sample_pt_nif(&mut g),
        RoCnp => europe_south_west::sample_ro_cnp(&mut g),
    }
}

/// Whether the kind's check detects every single-digit substitution. Schemes that fold two
/// remainders onto one digit (CPF, RRN, CNP, NIF), use a weight that vanishes modulo the check
/// (CURP, RFC), or have no check at all are excluded.
pub fn detects_single_digit_errors(kind: IdKind) -> bool {
    use IdKind::*;
    !matches!(
        kind,
        ArDni | CoCedula | UsSsn | DkCpr | BrCpf | KrRrn | RoCnp | MxCurp | MxRfc | PtNif | PeDni
    )
}

/// A splitmix64 stream: enough randomness for generators without a dependency.
pub(crate) struct Seed(u64);

impl Seed {
    fn new(seed: u64) -> Seed {
        Seed(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi - lo) + 1;
        // The remainder is below `span`, which fits in u32.
        lo + u32::try_from(self.next() % span).unwrap_or(0)
    }

    /// `n` random decimal digits.
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }

    /// One element of a non-empty slice.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let len = u32::try_from(items.len()).unwrap_or(u32::MAX).max(1);
        let i = self.range(0, len - 1) as usize;
        &items[i.min(items.len() - 1)]
    }

    /// A birth date between 1930-01-01 and 2005-12-28 (day ≤ 28, valid in every month).
    fn birth_date(&mut self) -> NaiveDate {
        let y = i32::try_from(self.range(1930, 2005)).unwrap_or(1970);
        let m = self.range(1, 12);
        let d = self.range(1, 28);
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }
}

/// Upper-cases and drops whitespace and the listed separators.
pub(crate) fn clean(text: &str, separators: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !separators.contains(*c))
        .flat_map(char::to_uppercase)
        .collect()
}

/// `Ok` when `s` is ASCII and has one of the allowed lengths. Rules slice by byte after this, so
/// the ASCII check is what keeps them panic-free.
pub(crate) fn need_len(s: &str, allowed: &[usize], expected: &'static str) -> Result<(), Defect> {
    need_char_len(s, allowed, expected)?;
    if !s.is_ascii() {
        return Err(Defect::Characters {
            expected: "letters A–Z and digits",
        });
    }
    Ok(())
}

/// `Ok` when `s` has one of the allowed lengths in characters (for schemes that allow Ñ).
pub(crate) fn need_char_len(
    s: &str,
    allowed: &[usize],
    expected: &'static str,
) -> Result<(), Defect> {
    if s.is_empty() {
        return Err(Defect::Empty);
    }
    let found = s.chars().count();
    if allowed.contains(&found) {
        Ok(())
    } else {
        Err(Defect::Length { expected, found })
    }
}

/// `Ok` when `s` is all ASCII digits.
pub(crate) fn need_digits(s: &str) -> Result<Vec<u32>, Defect> {
    checksum::digits(s).ok_or(Defect::Characters { expected: "digits" })
}

/// The value of the two digits at `i..i + 2` (callers have checked they are digits).
pub(crate) fn two(d: &[u32], i: usize) -> u32 {
    d.get(i).copied().unwrap_or(0) * 10 + d.get(i + 1).copied().unwrap_or(0)
}

/// A calendar date or [`Defect::BirthDate`].
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, Defect> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or(Defect::BirthDate)
}

/// `Ok(date)` unless it lies after `today`.
pub(crate) fn not_future(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Defect> {
    if date > today {
        Err(Defect::FutureBirthDate)
    } else {
        Ok(date)
    }
}

/// The digit character for a value 0–9.
pub(crate) fn dchar(v: u32) -> char {
    char::from_digit(v % 10, 10).unwrap_or('0')
}
