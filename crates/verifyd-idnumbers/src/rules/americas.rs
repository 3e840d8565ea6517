//! Argentina, Brazil, Canada, Chile, Colombia, Mexico, Peru and the United States.

use chrono::{Datelike, NaiveDate};

use super::europe_south_west::exists_in_some_century;
use super::{clean, dchar, need_char_len, need_digits, need_len, not_future, two, ymd, Seed};
use crate::checksum::{self, weighted_sum};
use crate::kind::IdKind;
use crate::names;
use crate::number::{Defect, EncodedDate, Flag, IdNumber, NameCode, Region, Sex, Year};

// ---------------------------------------------------------------------------------------------
// Argentina — DNI (RENAPER): 7 or 8 digits, no check digit.

pub(super) fn ar_dni(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, ".-");
    need_len(&s, &[7, 8], "7 or 8 digits")?;
    need_digits(&s)?;
    Ok(IdNumber::bare(IdKind::ArDni, s))
}

pub(super) fn sample_ar_dni(g: &mut Seed) -> String {
    format!("{}{}", g.range(1, 9), g.digits(7))
}

// Argentina — CUIL/CUIT (AFIP/ANSES): type prefix, the DNI in 8 digits, check digit with weights
// 5,4,3,2,7,6,5,4,3,2 (11 → 0; 10 is never issued: the prefix becomes 23/33 instead).

const CUIT_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

fn cuit_check(d: &[u32]) -> Option<u32> {
    match 11 - weighted_sum(d, &CUIT_WEIGHTS) % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k),
    }
}

pub(super) fn ar_cuit(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, ".-/");
    need_len(&s, &[11], "11 digits")?;
    let d = need_digits(&s)?;
    let prefix = two(&d, 0);
    if !matches!(prefix, 20 | 23 | 24 | 27 | 30 | 33 | 34) {
        return Err(Defect::Component {
            what: "the type prefix must be 20, 23, 24, 27, 30, 33 or 34",
        });
    }
    if cuit_check(&d[..10]) != Some(d[10]) {
        return Err(Defect::CheckDigit);
    }
    let mut n = IdNumber::bare(IdKind::ArCuit, s.clone());
    n = match prefix {
        20 => n.sex(Sex::Male),
        27 => n.sex(Sex::Female),
        30 | 33 | 34 => n.flag(Flag::LegalEntity),
        _ => n,
    };
    if prefix < 30 {
        n.embedded = Some(s[2..10].trim_start_matches('0').to_owned());
    }
    Ok(n)
}

pub(super) fn sample_ar_cuit(g: &mut Seed) -> String {
    loop {
        let prefix = *g.pick(&[20, 27]);
        let body = format!("{prefix}{}{}", g.range(1, 4), g.digits(7));
        let d = checksum::digits(&body).unwrap_or_default();
        if let Some(k) = cuit_check(&d) {
            return format!("{body}{k}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Brazil — CPF (Receita Federal): 9 digits, two check digits (weights 10..2 then 11..2;
// remainder < 2 → 0, else 11 − r), the 9th digit the fiscal region of registration.

fn cpf_digit(d: &[u32], top_weight: u32) -> u32 {
    let weights: Vec<u32> = (2..=top_weight).rev().collect();
    let r = weighted_sum(d, &weights) % 11;
    if r < 2 {
        0
    } else {
        11 - r
    }
}

fn cpf_region(digit: u32) -> &'static str {
    match digit {
        0 => "RS",
        1 => "DF, GO, MS, MT, TO",
        2 => "AC, AM, AP, PA, RO, RR",
        3 => "CE, MA, PI",
        4 => "AL, PB, PE, RN",
        5 => "BA, SE",
        6 => "MG",
        7 => "ES, RJ",
        8 => "SP",
        _ => "PR, SC",
    }
}

pub(super) fn br_cpf(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, ".-");
    need_len(&s, &[11], "11 digits")?;
    let d = need_digits(&s)?;
    if d.iter().all(|&x| x == d[0]) {
        return Err(Defect::Component {
            what: "a CPF of one repeated digit is never issued",
        });
    }
    if cpf_digit(&d[..9], 10) != d[9] || cpf_digit(&d[..10], 11) != d[10] {
        return Err(Defect::CheckDigit);
    }
    let region =
        Region::new("fiscal region of registration", &s[8..9]).named(Some(cpf_region(d[8])));
    Ok(IdNumber::bare(IdKind::BrCpf, s).region(region))
}

pub(super) fn sample_br_cpf(g: &mut Seed) -> String {
    let body = format!("{}{}", g.range(1, 9), g.digits(8));
    let mut d = checksum::digits(&body).unwrap_or_default();
    let d1 = cpf_digit(&d, 10);
    d.push(d1);
    let d2 = cpf_digit(&d, 11);
    format!("{body}{d1}{d2}")
}

// ---------------------------------------------------------------------------------------------
// Canada — SIN (ESDC Code of Practice): 9 digits, Luhn; 0 and 8 are not assigned to people as a
// first digit, 9 is for temporary residents.

pub(super) fn ca_sin(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-.");
    need_len(&s, &[9], "9 digits")?;
    let d = need_digits(&s)?;
    if !checksum::luhn_valid(&s) {
        return Err(Defect::CheckDigit);
    }
    match d[0] {
        0 | 8 => Err(Defect::Component {
            what: "SINs starting with 0 or 8 are not issued to individuals",
        }),
        9 => Ok(IdNumber::bare(IdKind::CaSin, s).flag(Flag::TemporaryResident)),
        _ => Ok(IdNumber::bare(IdKind::CaSin, s)),
    }
}

pub(super) fn sample_ca_sin(g: &mut Seed) -> String {
    let body = format!("{}{}", g.range(1, 7), g.digits(7));
    let check = checksum::luhn_check_digit(&body).unwrap_or('0');
    format!("{body}{check}")
}

// ---------------------------------------------------------------------------------------------
// Chile — RUN/RUT (Registro Civil, SII): the number and a check character, mod 11 with weights
// 2..7 repeating from the right (11 → 0, 10 → K).

fn rut_check(body: &[u32]) -> char {
    let sum: u32 = body
        .iter()
        .rev()
        .zip([2, 3, 4, 5, 6, 7].iter().cycle())
        .map(|(d, w)| d * w)
        .sum();
    match 11 - sum % 11 {
        11 => '0',
        10 => 'K',
        k => dchar(k),
    }
}

pub(super) fn cl_rut(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, ".-");
    let s = s.strip_prefix("CL").map(str::to_owned).unwrap_or(s);
    need_len(
        &s,
        &[2, 3, 4, 5, 6, 7, 8, 9],
        "up to 8 digits and a check character",
    )?;
    let (body, check) = s.split_at(s.len() - 1);
    let d = need_digits(body)?;
    if !check.chars().all(|c| c.is_ascii_digit() || c == 'K') {
        return Err(Defect::Characters {
            expected: "a final check character 0–9 or K",
        });
    }
    if !check.starts_with(rut_check(&d)) {
        return Err(Defect::CheckDigit);
    }
    let body = body.trim_start_matches('0');
    Ok(IdNumber::bare(IdKind::ClRut, format!("{body}{check}")))
}

pub(super) fn sample_cl_rut(g: &mut Seed) -> String {
    let body = format!("{}{}", g.range(1, 2), g.digits(7));
    let check = rut_check(&checksum::digits(&body).unwrap_or_default());
    format!("{body}{check}")
}

// ---------------------------------------------------------------------------------------------
// Colombia — cédula de ciudadanía (Registraduría): a plain number, no check digit.

pub(super) fn co_cedula(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, ".-");
    need_len(&s, &[3, 4, 5, 6, 7, 8, 9, 10], "3 to 10 digits")?;
    let d = need_digits(&s)?;
    if d[0] == 0 {
        return Err(Defect::Characters {
            expected: "no leading zero",
        });
    }
    Ok(IdNumber::bare(IdKind::CoCedula, s))
}

pub(super) fn sample_co_cedula(g: &mut Seed) -> String {
    format!("1{}", g.digits(9))
}

// ---------------------------------------------------------------------------------------------
// Mexico — CURP (RENAPO instructivo): 4 name letters, YYMMDD, H/M, state, 3 inner consonants,
// a differentiator (digit before 2000, letter from 2000) and a check digit: Σ value·(18 − i) over
// the first 17 characters in 0–9 A–N Ñ O–Z, (10 − sum mod 10) mod 10.

const CURP_ALPHABET: &str = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";

const CURP_STATES: &[(&str, &str)] = &[
    ("AS", "Aguascalientes"),
    ("BC", "Baja California"),
    ("BS", "Baja California Sur"),
    ("CC", "Campeche"),
    ("CH", "Chihuahua"),
    ("CL", "Coahuila"),
    ("CM", "Colima"),
    ("CS", "Chiapas"),
    ("DF", "Ciudad de México"),
    ("DG", "Durango"),
    ("GR", "Guerrero"),
    ("GT", "Guanajuato"),
    ("HG", "Hidalgo"),
    ("JC", "Jalisco"),
    ("MC", "Estado de México"),
    ("MN", "Michoacán"),
    ("MS", "Morelos"),
    ("NE", "born abroad"),
    ("NL", "Nuevo León"),
    ("NT", "Nayarit"),
    ("OC", "Oaxaca"),
    ("PL", "Puebla"),
    ("QR", "Quintana Roo"),
    ("QT", "Querétaro"),
    ("SL", "Sinaloa"),
    ("SP", "San Luis Potosí"),
    ("SR", "Sonora"),
    ("TC", "Tabasco"),
    ("TL", "Tlaxcala"),
    ("TS", "Tamaulipas"),
    ("VZ", "Veracruz"),
    ("YN", "Yucatán"),
    ("ZS", "Zacatecas"),
];

fn curp_check(first17: &str) -> Option<u32> {
    let mut sum = 0;
    for (i, c) in first17.chars().enumerate() {
        let v = CURP_ALPHABET.chars().position(|a| a == c)?;
        sum += u32::try_from(v).ok()? * (18 - u32::try_from(i).ok()?);
    }
    Some((10 - sum % 10) % 10)
}

fn is_consonant(c: char) -> bool {
    c.is_ascii_uppercase() && !matches!(c, 'A' | 'E' | 'I' | 'O' | 'U')
}

pub(super) fn mx_curp(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[18], "18 characters")?;
    let c: Vec<char> = s.chars().collect();
    let shape = c[..4].iter().all(char::is_ascii_uppercase)
        && c[4..10].iter().all(char::is_ascii_digit)
        && c[10..13].iter().all(char::is_ascii_uppercase)
        && c[13..16].iter().all(|&x| is_consonant(x))
        && c[16].is_ascii_alphanumeric()
        && c[17].is_ascii_digit();
    if !shape {
        return Err(Defect::Characters {
            expected: "4 letters, 6 digits, H/M, 2 state letters, 3 consonants, a digit or letter, a digit",
        });
    }
    if curp_check(&s[..17]) != c[17].to_digit(10) {
        return Err(Defect::CheckDigit);
    }
    if names::is_inconvenient(&s[..4]) {
        return Err(Defect::Component {
            what: "RENAPO never issues an inconvenient word as the first four letters",
        });
    }
    let sex = match c[10] {
        'H' => Sex::Male,
        'M' => Sex::Female,
        _ => {
            return Err(Defect::Component {
                what: "the sex letter must be H or M",
            })
        }
    };
    let state = &s[11..13];
    let state_name = CURP_STATES
        .iter()
        .find(|(code, _)| *code == state)
        .map(|(_, name)| *name)
        .ok_or(Defect::Component {
            what: "the state code is not a Mexican state or NE",
        })?;
    let d = checksum::digits(&s[4..10]).unwrap_or_default();
    // A letter differentiator means born from 2000; numbers in use show RENAPO also assigned
    // letters to earlier births once the digits ran out, so a letter that would put the birth in
    // the future means the 1900s.
    let century = if c[16].is_ascii_digit() { 1900 } else { 2000 };
    let yy = i32::try_from(two(&d, 0)).unwrap_or(0);
    let mut date = ymd(century + yy, two(&d, 2), two(&d, 4))?;
    if century == 2000 && date > today {
        date = ymd(1900 + yy, two(&d, 2), two(&d, 4))?;
    }
    let mut n = IdNumber::bare(IdKind::MxCurp, s.clone())
        .born(EncodedDate::exact(not_future(date, today)?))
        .sex(sex)
        .region(Region::new("state of birth", state).named(Some(state_name)));
    if state == "NE" {
        n = n.flag(Flag::Foreigner);
    }
    n.name_code = Some(NameCode::Curp {
        letters: s[..4].to_owned(),
        consonants: s[13..16].to_owned(),
    });
    Ok(n)
}

pub(super) fn sample_mx_curp(g: &mut Seed) -> String {
    let people = [
        ("Hernández", "García", "Gloria"),
        ("López", "Obrador", "Andrés Manuel"),
        ("de la Cruz", "Muñoz", "José Luis"),
        ("Sánchez", "", "Ana"),
        ("Ek", "Chan", "Rosa"),
    ];
    let (p, m, given) = *g.pick(&people);
    let (letters, consonants) = names::curp_letters(
        &names::words(p, true),
        &names::words(m, true),
        &names::words(given, true),
    )
    .unwrap_or_else(|| ("XXXX".to_owned(), "XXX".to_owned()));
    let date = g.birth_date();
    let sex = *g.pick(&['H', 'M']);
    let (state, _) = *g.pick(CURP_STATES);
    let differentiator = if date.year() >= 2000 {
        char::from(b'A' + (g.range(0, 25) as u8))
    } else {
        dchar(g.range(0, 9))
    };
    let body = format!(
        "{letters}{}{sex}{state}{consonants}{differentiator}",
        date.format("%y%m%d")
    );
    let check = curp_check(&body).unwrap_or(0);
    format!("{body}{check}")
}

// Mexico — RFC (SAT): persons 4 letters + YYMMDD + 3-character homoclave, companies 3 letters;
// the last character is Σ value·(13 − i) over the first 12 (companies padded with a leading
// space) in 0–9 A–N & O–Z space Ñ, (11 − sum mod 11) mod 11 with 10 → A.

const RFC_ALPHABET: &str = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ";

fn rfc_check(first: &str) -> Option<char> {
    let padded: Vec<char> = std::iter::repeat_n(' ', 12usize.saturating_sub(first.chars().count()))
        .chain(first.chars())
        .collect();
    let mut sum = 0;
    for (i, c) in padded.iter().enumerate() {
        let v = RFC_ALPHABET.chars().position(|a| a == *c)?;
        sum += u32::try_from(v).ok()? * (13 - u32::try_from(i).ok()?);
    }
    Some(match (11 - sum % 11) % 11 {
        10 => 'A',
        k => dchar(k),
    })
}

pub(super) fn mx_rfc(text: &str, _today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-_");
    // Ñ is a valid name letter in an RFC, so this scheme works on characters, not bytes.
    need_char_len(
        &s,
        &[10, 12, 13],
        "13 characters (12 for companies, 10 without homoclave)",
    )?;
    let c: Vec<char> = s.chars().collect();
    let letters = if c.len() == 12 { 3 } else { 4 };
    let name_ok = c[..letters]
        .iter()
        .all(|&x| x.is_ascii_uppercase() || x == '&' || x == 'Ñ');
    let date_ok = c[letters..letters + 6].iter().all(char::is_ascii_digit);
    let homoclave_ok = c[letters + 6..].iter().all(char::is_ascii_alphanumeric);
    if !(name_ok && date_ok && homoclave_ok) {
        return Err(Defect::Characters {
            expected: "name letters, 6 digits (YYMMDD) and a 3-character homoclave",
        });
    }
    let head: String = c[..letters].iter().collect();
    if letters == 4 && names::is_inconvenient(&head) {
        return Err(Defect::Component {
            what: "SAT never issues an inconvenient word as the first four letters",
        });
    }
    let date: String = c[letters..letters + 6].iter().collect();
    let d = checksum::digits(&date).unwrap_or_default();
    let (yy, mm, dd) = (two(&d, 0), two(&d, 2), two(&d, 4));
    let yy = u8::try_from(yy).unwrap_or(0);
    if !exists_in_some_century(yy, mm, dd) {
        return Err(Defect::BirthDate);
    }
    let mut n = IdNumber::bare(IdKind::MxRfc, s.clone());
    if c.len() == 10 {
        n = n.flag(Flag::WithoutCheckDigit);
    } else {
        let first: String = c[..c.len() - 1].iter().collect();
        if rfc_check(&first) != c.last().copied() {
            n = n.flag(Flag::CheckDigitMismatch);
        }
    }
    if letters == 3 {
        // A company: the date is its incorporation, not a birth.
        return Ok(n.flag(Flag::LegalEntity));
    }
    n = n.born(EncodedDate {
        year: Year::TwoDigits(yy),
        month: Some(mm),
        day: Some(dd),
    });
    n.name_code = Some(NameCode::Rfc { letters: head });
    Ok(n)
}

pub(super) fn sample_mx_rfc(g: &mut Seed) -> String {
    let people = [
        ("Gómez", "Díaz", "Emma"),
        ("Ek", "Chan", "Rosa"),
        ("Martínez", "", "Juan"),
        ("Vázquez", "Cruz", "Enrique"),
    ];
    let (p, m, given) = *g.pick(&people);
    let letters = names::rfc_letters(
        &names::words(p, false),
        &names::words(m, false),
        &names::words(given, false),
    )
    .unwrap_or_else(|| "XAXX".to_owned());
    let date = g.birth_date();
    let homo = ['1', '2', '3', 'A', 'B', 'C'];
    let first = format!(
        "{letters}{}{}{}",
        date.format("%y%m%d"),
        g.pick(&homo),
        g.pick(&homo)
    );
    let check = rfc_check(&first).unwrap_or('0');
    format!("{first}{check}")
}

// ---------------------------------------------------------------------------------------------
// Peru — DNI (RENIEC CUI): 8 digits and the card's verification character: weights
// 3,2,7,6,5,4,3,2, c = sum mod 11; the character is the digit at index c of 65432110987 or the
// letter at index c of KJIHGFEDCBA (cards print one or the other).

const PE_DIGITS: &[u8; 11] = b"65432110987";
const PE_LETTERS: &[u8; 11] = b"KJIHGFEDCBA";

pub(super) fn pe_dni(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[8, 9], "8 digits (9 with the check character)")?;
    let (body, check) = s.split_at(8);
    let d = need_digits(body)?;
    if check.is_empty() {
        return Ok(IdNumber::bare(IdKind::PeDni, s).flag(Flag::WithoutCheckDigit));
    }
    let c = (weighted_sum(&d, &[3, 2, 7, 6, 5, 4, 3, 2]) % 11) as usize;
    let given = check.as_bytes()[0];
    if given != PE_DIGITS[c] && given != PE_LETTERS[c] {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::PeDni, body))
}

pub(super) fn sample_pe_dni(g: &mut Seed) -> String {
    let body = g.digits(8);
    let d = checksum::digits(&body).unwrap_or_default();
    let c = (weighted_sum(&d, &[3, 2, 7, 6, 5, 4, 3, 2]) % 11) as usize;
    format!("{body}{}", char::from(PE_LETTERS[c]))
}

// ---------------------------------------------------------------------------------------------
// United States — SSN (SSA): AAA-GG-SSSS without a check digit. Never issued: area 000, 666 and
// 900–999 (ITINs and advertising), group 00, serial 0000; the SSA voided numbers printed in
// advertising (078-05-1120 from a 1938 wallet insert, 219-09-9999, 457-55-5462).

const VOIDED_SSNS: &[&str] = &["078051120", "219099999", "457555462"];

pub(super) fn us_ssn(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-.");
    need_len(&s, &[9], "9 digits")?;
    let d = need_digits(&s)?;
    let area = d[0] * 100 + d[1] * 10 + d[2];
    if area == 0 || area == 666 || area >= 900 {
        return Err(Defect::Component {
            what: "area numbers 000, 666 and 900–999 are never issued",
        });
    }
    if two(&d, 3) == 0 {
        return Err(Defect::Component {
            what: "group number 00 is never issued",
        });
    }
    if d[5..].iter().all(|&x| x == 0) {
        return Err(Defect::Component {
            what: "serial number 0000 is never issued",
        });
    }
    if VOIDED_SSNS.contains(&s.as_str()) {
        return Err(Defect::Component {
            what: "the SSA voided this number after it was printed in advertising",
        });
    }
    Ok(IdNumber::bare(IdKind::UsSsn, s))
}

pub(super) fn sample_us_ssn(g: &mut Seed) -> String {
    loop {
        let s = format!(
            "{:03}{:02}{:04}",
            g.range(1, 899),
            g.range(1, 99),
            g.range(1, 9999)
        );
        if !s.starts_with("666") && !VOIDED_SSNS.contains(&s.as_str()) {
            return s;
        }
    }
}
