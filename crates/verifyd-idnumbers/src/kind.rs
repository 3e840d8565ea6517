//! The kinds of number this crate knows, one per national scheme, each with the published rule it
//! implements. The source notes are part of the code on purpose: a reviewer checks a rule against
//! its note, and the README table is generated from the same words.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country::Country;

/// What a number identifies, which decides the request fields it is looked for in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A personal identification number (`identification_number`, `personal_number`).
    Personal,
    /// A taxpayer number (`tax_number`).
    Tax,
    /// The number of the identity document itself (`document_number`).
    Document,
}

/// One national identification scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// Argentina: DNI number.
    ArDni,
    /// Argentina: CUIL/CUIT (tax and labour number, wraps the DNI).
    ArCuit,
    /// Belgium: national register number (and BIS number).
    BeNationalNumber,
    /// Brazil: CPF.
    BrCpf,
    /// Canada: Social Insurance Number.
    CaSin,
    /// Chile: RUN/RUT.
    ClRut,
    /// China: resident identity card number.
    CnResidentId,
    /// Colombia: cédula de ciudadanía.
    CoCedula,
    /// Germany: identity card (Personalausweis) document number.
    DeIdCard,
    /// Germany: tax identification number (Steuer-IdNr).
    DeTaxId,
    /// Denmark: CPR number.
    DkCpr,
    /// Spain: DNI (and NIF of Spanish citizens).
    EsDni,
    /// Spain: NIE (foreigner number).
    EsNie,
    /// Finland: henkilötunnus.
    FiHetu,
    /// France: NIR (INSEE / social security number).
    FrNir,
    /// India: Aadhaar.
    InAadhaar,
    /// Italy: codice fiscale.
    ItCodiceFiscale,
    /// South Korea: resident registration number.
    KrRrn,
    /// Mexico: CURP.
    MxCurp,
    /// Mexico: RFC (taxpayer register).
    MxRfc,
    /// Netherlands: burgerservicenummer.
    NlBsn,
    /// Norway: fødselsnummer (and D/H numbers).
    NoFodselsnummer,
    /// Peru: DNI (CUI) with its check character.
    PeDni,
    /// Poland: PESEL.
    PlPesel,
    /// Portugal: Cartão de Cidadão document number.
    PtCc,
    /// Portugal: NIF (taxpayer number).
    PtNif,
    /// Romania: CNP.
    RoCnp,
    /// Sweden: personnummer (and samordningsnummer).
    SePersonnummer,
    /// Turkey: T.C. kimlik numarası.
    TrTcKimlik,
    /// United States: Social Security Number.
    UsSsn,
    /// South Africa: identity number.
    ZaId,
}

/// Static facts about a kind.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// The kind.
    pub kind: IdKind,
    /// Its country.
    pub country: Country,
    /// Which request fields carry it.
    pub role: Role,
    /// Stable id used in `service_id` (`verifyd_rules_<code>`) and in logs.
    pub code: &'static str,
    /// Human name.
    pub label: &'static str,
    /// What the local rule checks.
    pub checks: &'static str,
    /// Where the rule comes from (one line).
    pub source: &'static str,
}

const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: IdKind::ArDni,
        country: Country::Ar,
        role: Role::Personal,
        code: "arg_dni",
        label: "Argentina DNI",
        checks: "format only: 7–8 digits (no check digit exists)",
        source: "RENAPER DNI layout; Ley 17.671 (the number carries no check digit)",
    },
    KindInfo {
        kind: IdKind::ArCuit,
        country: Country::Ar,
        role: Role::Tax,
        code: "arg_cuit",
        label: "Argentina CUIL/CUIT",
        checks: "11 digits, type prefix (20/23/24/27 persons, 30/33/34 companies), mod-11 check digit, embedded DNI, sex from prefix",
        source: "AFIP/ANSES CUIT and CUIL verification digit: weights 5,4,3,2,7,6,5,4,3,2, 11 − (sum mod 11)",
    },
    KindInfo {
        kind: IdKind::BeNationalNumber,
        country: Country::Be,
        role: Role::Personal,
        code: "bel_nn",
        label: "Belgium national register / BIS number",
        checks: "11 digits, 97 − (n mod 97) with the 2-prefix for births from 2000, YYMMDD birth date (BIS month +20/+40), sex from the counter parity",
        source: "Rijksregister IT000 instruction 'Rijksregisternummer' (FOD Binnenlandse Zaken)",
    },
    KindInfo {
        kind: IdKind::BrCpf,
        country: Country::Br,
        role: Role::Personal,
        code: "bra_cpf",
        label: "Brazil CPF",
        checks: "11 digits, two mod-11 check digits, repeated-digit numbers rejected, fiscal region from the 9th digit",
        source: "Receita Federal CPF check digits (mod 11, weights 10..2 then 11..2)",
    },
    KindInfo {
        kind: IdKind::CaSin,
        country: Country::Ca,
        role: Role::Personal,
        code: "can_sin",
        label: "Canada SIN",
        checks: "9 digits, Luhn, first digit 0 and 8 never issued, 9 = temporary resident",
        source: "ESDC / Canada.ca 'Social Insurance Number': Luhn check, 9 for temporary residents",
    },
    KindInfo {
        kind: IdKind::ClRut,
        country: Country::Cl,
        role: Role::Personal,
        code: "chl_rut",
        label: "Chile RUN/RUT",
        checks: "up to 8 digits plus check character (0–9 or K), mod 11 with weights 2..7",
        source: "Servicio de Registro Civil e Identificación / SII RUT módulo 11",
    },
    KindInfo {
        kind: IdKind::CnResidentId,
        country: Country::Cn,
        role: Role::Personal,
        code: "chn_ric",
        label: "China resident identity card",
        checks: "18 characters, ISO 7064 MOD 11-2 check (0–9 or X), province-level region code, YYYYMMDD birth date, sex from the order code parity",
        source: "GB 11643-1999 Citizen identification number; region codes GB/T 2260",
    },
    KindInfo {
        kind: IdKind::CoCedula,
        country: Country::Co,
        role: Role::Personal,
        code: "col_cc",
        label: "Colombia cédula de ciudadanía",
        checks: "format only: 3–10 digits without a leading zero (no check digit exists)",
        source: "Registraduría Nacional del Estado Civil (the cédula / NUIP carries no check digit)",
    },
    KindInfo {
        kind: IdKind::DeIdCard,
        country: Country::De,
        role: Role::Document,
        code: "deu_id_card",
        label: "Germany Personalausweis document number",
        checks: "9 characters from the card alphabet (digits and C F G H J K L M N P R T V W X Y Z), ICAO 9303 7-3-1 check digit when the 10th character is given",
        source: "Card number format of the German ID card since 2010 (no vowels, no B D Q S); ICAO Doc 9303 Part 3 §4.9 check digit",
    },
    KindInfo {
        kind: IdKind::DeTaxId,
        country: Country::De,
        role: Role::Tax,
        code: "deu_idnr",
        label: "Germany Steuer-IdNr",
        checks: "11 digits, no leading zero, one digit twice or thrice in the first ten, ISO 7064 MOD 11,10 check digit",
        source: "§139b AO; BZSt Steuer-IdNr structure (ISO/IEC 7064 MOD 11,10)",
    },
    KindInfo {
        kind: IdKind::DkCpr,
        country: Country::Dk,
        role: Role::Personal,
        code: "dnk_cpr",
        label: "Denmark CPR number",
        checks: "10 digits, DDMMYY birth date with the century from the 7th digit, sex from the last digit (the mod-11 check was abandoned in 2007 and is not required)",
        source: "CPR-kontoret 'Personnummeret i CPR-systemet' (century table and sex rule)",
    },
    KindInfo {
        kind: IdKind::EsDni,
        country: Country::Es,
        role: Role::Personal,
        code: "esp_dni",
        label: "Spain DNI / NIF",
        checks: "8 digits and check letter (number mod 23 → TRWAGMYFPDXBNJZSQVHLCKE)",
        source: "Ministerio del Interior, 'Cálculo del dígito de control del NIF/NIE'",
    },
    KindInfo {
        kind: IdKind::EsNie,
        country: Country::Es,
        role: Role::Personal,
        code: "esp_nie",
        label: "Spain NIE",
        checks: "X/Y/Z, 7 digits and check letter (X=0, Y=1, Z=2, then mod 23)",
        source: "Ministerio del Interior, 'Cálculo del dígito de control del NIF/NIE'",
    },
    KindInfo {
        kind: IdKind::FiHetu,
        country: Country::Fi,
        role: Role::Personal,
        code: "fin_hetu",
        label: "Finland henkilötunnus",
        checks: "DDMMYY, century sign (+ - A–F, U–Y), 3-digit individual number, mod-31 check character, sex from the individual number",
        source: "Digital and Population Data Services Agency (DVV), 'The personal identity code' (incl. the century signs added in 2023)",
    },
    KindInfo {
        kind: IdKind::FrNir,
        country: Country::Fr,
        role: Role::Personal,
        code: "fra_nir",
        label: "France NIR (INSEE number)",
        checks: "15 characters, key 97 − (n mod 97) (Corsica 2A/2B as 19/18), sex digit, YYMM of birth, department of birth (99 abroad)",
        source: "INSEE, 'Numéro d'inscription au répertoire (NIR)'; décret 82-103",
    },
    KindInfo {
        kind: IdKind::InAadhaar,
        country: Country::In,
        role: Role::Personal,
        code: "ind_aadhaar",
        label: "India Aadhaar",
        checks: "12 digits, first digit 2–9, not a palindrome, Verhoeff check digit",
        source: "UIDAI 'A UID Numbering Scheme' (2010): Verhoeff check digit, leading 0/1 reserved",
    },
    KindInfo {
        kind: IdKind::ItCodiceFiscale,
        country: Country::It,
        role: Role::Personal,
        code: "ita_cf",
        label: "Italy codice fiscale",
        checks: "16 characters, odd/even check character, surname and name letters, YY + month letter + day (women +40), Belfiore comune/foreign-state code, omocodia substitutions",
        source: "DM 23/12/1976 (Ministero delle Finanze) 'Sistemi di codificazione dei soggetti'",
    },
    KindInfo {
        kind: IdKind::KrRrn,
        country: Country::Kr,
        role: Role::Personal,
        code: "kor_rrn",
        label: "South Korea resident registration number",
        checks: "13 digits, YYMMDD birth date, century and sex from the 7th digit (5–8 foreigners), weighted mod-11 check digit",
        source: "Resident Registration Act (주민등록법) number layout; check digit of numbers assigned before October 2020 (weights 2–9, 2–5; (11 − sum mod 11) mod 10)",
    },
    KindInfo {
        kind: IdKind::MxCurp,
        country: Country::Mx,
        role: Role::Personal,
        code: "mex_curp",
        label: "Mexico CURP",
        checks: "18 characters, name letters, YYMMDD, sex H/M, state of birth (NE abroad), internal consonants, century from the 17th character, RENAPO check digit",
        source: "RENAPO 'Instructivo Normativo para la Asignación de la Clave Única de Registro de Población'",
    },
    KindInfo {
        kind: IdKind::MxRfc,
        country: Country::Mx,
        role: Role::Tax,
        code: "mex_rfc",
        label: "Mexico RFC",
        checks: "13 characters for persons (4 name letters + YYMMDD + homoclave), 12 for companies, 10 without homoclave; SAT check character (a mismatch gives a partial match: SAT issued some RFCs with wrong check characters)",
        source: "SAT 'Algoritmo para generar el RFC con homoclave para personas físicas y morales'",
    },
    KindInfo {
        kind: IdKind::NlBsn,
        country: Country::Nl,
        role: Role::Personal,
        code: "nld_bsn",
        label: "Netherlands BSN",
        checks: "9 digits (8 with a leading zero restored), the 11-proef with weights 9..2 and −1",
        source: "Wet algemene bepalingen burgerservicenummer; the elfproef (RvIG)",
    },
    KindInfo {
        kind: IdKind::NoFodselsnummer,
        country: Country::No,
        role: Role::Personal,
        code: "nor_fnr",
        label: "Norway fødselsnummer / D-number / H-number",
        checks: "11 digits, DDMMYY (D-number day +40, H-number month +40), century from the individual number, two mod-11 check digits, sex from the 9th digit",
        source: "Skatteetaten, 'Fødselsnummer' and 'D-nummer' (folkeregisteret)",
    },
    KindInfo {
        kind: IdKind::PeDni,
        country: Country::Pe,
        role: Role::Personal,
        code: "per_dni",
        label: "Peru DNI (CUI)",
        checks: "8 digits and, when given, the check character printed on the card (digit or letter from one mod-11 sum)",
        source: "RENIEC DNI: Código Único de Identificación and its verification digit",
    },
    KindInfo {
        kind: IdKind::PlPesel,
        country: Country::Pl,
        role: Role::Personal,
        code: "pol_pesel",
        label: "Poland PESEL",
        checks: "11 digits, YYMMDD with the century in the month (+80/+0/+20/+40/+60), weights 1,3,7,9 check digit, sex from the 10th digit",
        source: "Ustawa o ewidencji ludności: PESEL structure (MSWiA)",
    },
    KindInfo {
        kind: IdKind::PtCc,
        country: Country::Pt,
        role: Role::Document,
        code: "prt_cc",
        label: "Portugal Cartão de Cidadão number",
        checks: "civil id (8 digits + check digit), 2-character version, final check digit over all 11 (doubling, base-36 letters)",
        source: "AMA, 'Validação de Número de Documento do Cartão de Cidadão' (v1.0, 2009)",
    },
    KindInfo {
        kind: IdKind::PtNif,
        country: Country::Pt,
        role: Role::Tax,
        code: "prt_nif",
        label: "Portugal NIF",
        checks: "9 digits, valid leading digits, mod-11 check digit (weights 9..2)",
        source: "Autoridade Tributária NIF structure and mod-11 check digit",
    },
    KindInfo {
        kind: IdKind::RoCnp,
        country: Country::Ro,
        role: Role::Personal,
        code: "rou_cnp",
        label: "Romania CNP",
        checks: "13 digits, sex/century digit, YYMMDD, county code, weights 279146358279 check digit",
        source: "Romanian population-records rules on the CNP (Legea 105/1996 privind evidența populației)",
    },
    KindInfo {
        kind: IdKind::SePersonnummer,
        country: Country::Se,
        role: Role::Personal,
        code: "swe_pnr",
        label: "Sweden personnummer / samordningsnummer",
        checks: "10 or 12 digits, YYMMDD (samordningsnummer day +60), century from 12-digit form or the +/- separator, Luhn over the last 10, sex from the 9th digit",
        source: "Skatteverket SKV 704 'Personnummer' (Folkbokföringslagen 1991:481 §18)",
    },
    KindInfo {
        kind: IdKind::TrTcKimlik,
        country: Country::Tr,
        role: Role::Personal,
        code: "tur_tckn",
        label: "Turkey T.C. kimlik no",
        checks: "11 digits, no leading zero, the two NVİ check digits",
        source: "Nüfus ve Vatandaşlık İşleri (NVİ) T.C. kimlik numarası algorithm",
    },
    KindInfo {
        kind: IdKind::UsSsn,
        country: Country::Us,
        role: Role::Personal,
        code: "usa_ssn",
        label: "United States SSN",
        checks: "format only (no check digit exists): 9 digits, never-issued area 000/666/900–999, group 00, serial 0000, and the SSA's voided advertising numbers",
        source: "SSA: never-issued area/group/serial values ('Social Security Number Randomization', 2011) and numbers voided after use in advertising",
    },
    KindInfo {
        kind: IdKind::ZaId,
        country: Country::Za,
        role: Role::Personal,
        code: "zaf_id",
        label: "South Africa identity number",
        checks: "13 digits, YYMMDD birth date, sex from the sequence (5000+ male), citizenship digit (0 citizen, 1 permanent resident, 2 refugee), Luhn",
        source: "Department of Home Affairs identity number structure (Identification Act 68 of 1997)",
    },
];

impl IdKind {
    /// Static facts about this kind.
    pub fn info(self) -> &'static KindInfo {
        // KINDS is in declaration order, so the discriminant is the index; the fallback is
        // unreachable but keeps the lookup panic-free.
        KINDS.get(self as usize).unwrap_or(&KINDS[0])
    }

    /// Every kind, in declaration order.
    pub fn all() -> impl Iterator<Item = IdKind> {
        KINDS.iter().map(|k| k.kind)
    }

    /// The kinds of a country, most common first.
    pub fn of(country: Country) -> impl Iterator<Item = IdKind> {
        KINDS
            .iter()
            .filter(move |k| k.country == country)
            .map(|k| k.kind)
    }

    /// Its country.
    pub fn country(self) -> Country {
        self.info().country
    }

    /// Stable code (`esp_dni`).
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<IdKind> {
        KINDS.iter().find(|k| k.code == code).map(|k| k.kind)
    }
}

/// The table of countries and checks for the README (a test keeps the README equal to it).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Country | Scheme (`service_id`) | Field | What is checked | Rule source |\n|---|---|---|---|---|\n",
    );
    for k in KINDS {
        let role = match k.role {
            Role::Personal => "personal",
            Role::Tax => "tax",
            Role::Document => "document",
        };
        out.push_str(&format!(
            "| {} ({}) | {} (`verifyd_rules_{}`) | {role} | {} | {} |\n",
            k.country.name(),
            k.country.alpha2(),
            k.label,
            k.code,
            k.checks,
            k.source
        ));
    }
    out
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for IdKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for IdKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        IdKind::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown number kind `{code}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_follows_declaration_order_and_codes_are_unique() {
        for (i, k) in KINDS.iter().enumerate() {
            assert_eq!(k.kind as usize, i, "{}", k.code);
            assert!(k.code.starts_with(&k.country.alpha3().to_ascii_lowercase()));
        }
        let mut codes: Vec<_> = KINDS.iter().map(|k| k.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), KINDS.len());
    }

    #[test]
    fn every_country_has_a_kind() {
        for c in Country::all() {
            assert!(IdKind::of(c).next().is_some(), "{c}");
        }
    }
}
