//! Spain, Portugal, Italy, France, Belgium and Romania.

use chrono::{Datelike, NaiveDate};

use super::{clean, dchar, need_digits, need_len, not_future, two, ymd, Seed};
use crate::checksum::{self, weighted_sum};
use crate::kind::IdKind;
use crate::names;
use crate::number::{Defect, EncodedDate, Flag, IdNumber, NameCode, Region, Sex, Year};

// ---------------------------------------------------------------------------------------------
// Spain: DNI and NIE — Ministerio del Interior: the control letter is the number mod 23 looked up
// in TRWAGMYFPDXBNJZSQVHLCKE; an NIE's X/Y/Z count as 0/1/2.

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

fn dni_letter(n: u64) -> char {
    // n % 23 < 23, always in bounds.
    char::from(DNI_LETTERS[(n % 23) as usize])
}

pub(super) fn es_dni(text: &str) -> Result<IdNumber, Defect> {
    let mut s = clean(text, "-.");
    // Numbers below 10,000,000 are often written without their leading zero.
    if s.len() == 8 && s.as_bytes().last().is_some_and(u8::is_ascii_uppercase) {
        s.insert(0, '0');
    }
    need_len(&s, &[9], "9 (8 digits and a letter)")?;
    let (body, letter) = s.split_at(8);
    let n = checksum::number(body).ok_or(Defect::Characters {
        expected: "8 digits then a letter",
    })?;
    if !letter.as_bytes()[0].is_ascii_uppercase() {
        return Err(Defect::Characters {
            expected: "8 digits then a letter",
        });
    }
    if !letter.starts_with(dni_letter(n)) {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::EsDni, s))
}

pub(super) fn es_nie(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-.");
    need_len(&s, &[9], "9 (X/Y/Z, 7 digits and a letter)")?;
    let prefix = match s.as_bytes()[0] {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        _ => {
            return Err(Defect::Characters {
                expected: "X, Y or Z first",
            })
        }
    };
    let body = &s[1..8];
    let n = checksum::number(body).ok_or(Defect::Characters {
        expected: "X/Y/Z, 7 digits then a letter",
    })?;
    if s.chars().nth(8) != Some(dni_letter(prefix * 10_000_000 + n)) {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::EsNie, s).flag(Flag::Foreigner))
}

pub(super) fn sample_es_dni(g: &mut Seed) -> String {
    let body = g.digits(8);
    let n = checksum::number(&body).unwrap_or(0);
    format!("{body}{}", dni_letter(n))
}

pub(super) fn sample_es_nie(g: &mut Seed) -> String {
    let prefix = g.range(0, 2);
    let body = g.digits(7);
    let n = u64::from(prefix) * 10_000_000 + checksum::number(&body).unwrap_or(0);
    let p = ['X', 'Y', 'Z'][prefix as usize % 3];
    format!("{p}{body}{}", dni_letter(n))
}

// ---------------------------------------------------------------------------------------------
// Portugal — Cartão de Cidadão (AMA, "Validação de Número de Documento do Cartão de Cidadão"):
// 8-digit civil id, its check digit, a 2-character version and a final check digit computed
// over all eleven preceding characters (letters worth 10–35, every second value from the right
// doubled and reduced by 9 when above 9, total ≡ 0 mod 10).

fn base36(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

fn pt_cc_sum(chars: &[u8]) -> Option<u32> {
    let mut sum = 0;
    for (i, &c) in chars.iter().rev().enumerate() {
        let mut v = base36(c)?;
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    Some(sum)
}

pub(super) fn pt_cc(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(
        &s,
        &[12],
        "12 (8 digits, check digit, 2-character version, check digit)",
    )?;
    let b = s.as_bytes();
    let shape_ok = b[..9].iter().all(u8::is_ascii_digit)
        && b[9..11].iter().all(u8::is_ascii_alphanumeric)
        && b[11].is_ascii_digit();
    if !shape_ok {
        return Err(Defect::Characters {
            expected: "9 digits, 2 letters or digits, 1 digit",
        });
    }
    match pt_cc_sum(b) {
        Some(sum) if sum % 10 == 0 => Ok(IdNumber::bare(IdKind::PtCc, s)),
        _ => Err(Defect::CheckDigit),
    }
}

pub(super) fn sample_pt_cc(g: &mut Seed) -> String {
    let civil = g.digits(8);
    let civil_check = pt_nif_like_check(&civil);
    let letters = b"ZYXWVUTS";
    let version = format!(
        "{}{}",
        char::from(*g.pick(letters)),
        char::from(*g.pick(letters))
    );
    let body = format!("{civil}{civil_check}{version}");
    // Append the digit that makes the doubled sum a multiple of 10.
    let with_zero = format!("{body}0");
    let sum = pt_cc_sum(with_zero.as_bytes()).unwrap_or(0);
    format!("{body}{}", dchar((10 - sum % 10) % 10))
}

/// The civil-id check digit (weights 9..2, 11 − r, 10 and 11 → 0), as on the card.
fn pt_nif_like_check(body: &str) -> char {
    let d = checksum::digits(body).unwrap_or_default();
    let r = weighted_sum(&d, &[9, 8, 7, 6, 5, 4, 3, 2]) % 11;
    dchar((11 - r) % 11 % 10)
}

// Portugal — NIF (Autoridade Tributária): 9 digits, weights 9..2, check = 11 − r, 10/11 → 0.
// Leading digits: 1–3 persons, 45 non-resident persons, 5 companies, 6 public bodies, 7x/9x other
// entities, 8 former sole traders.

pub(super) fn pt_nif(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-.");
    let s = s.strip_prefix("PT").map(str::to_owned).unwrap_or(s);
    need_len(&s, &[9], "9 digits")?;
    let d = need_digits(&s)?;
    let valid_start = matches!(d[0], 1 | 2 | 3 | 5 | 6 | 8)
        || (d[0] == 4 && d[1] == 5)
        || (d[0] == 7 && matches!(d[1], 0 | 1 | 2 | 4 | 5 | 7 | 8 | 9))
        || (d[0] == 9 && matches!(d[1], 0 | 1 | 8 | 9));
    if !valid_start {
        return Err(Defect::Component {
            what: "the first digits are not an issued NIF prefix",
        });
    }
    if pt_nif_like_check(&s[..8]) != dchar(d[8]) {
        return Err(Defect::CheckDigit);
    }
    let n = IdNumber::bare(IdKind::PtNif, s);
    Ok(if d[0] >= 5 && !(d[0] == 4 || d[0] == 8) {
        n.flag(Flag::LegalEntity)
    } else {
        n
    })
}

pub(super) fn sample_pt_nif(g: &mut Seed) -> String {
    let body = format!("{}{}", g.range(1, 3), g.digits(7));
    let check = pt_nif_like_check(&body);
    format!("{body}{check}")
}

// ---------------------------------------------------------------------------------------------
// Italy — codice fiscale (DM 23/12/1976): 3 surname letters, 3 name letters, YY, month letter,
// day (+40 for women), Belfiore place code, check letter from the odd/even tables. Colliding
// codes replace digits from the right with L M N P Q R S T U V (omocodia).

const CF_MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
const CF_OMOCODE: &[u8; 10] = b"LMNPQRSTUV";
/// Values of 0–9 / A–Z in odd (1st, 3rd…) positions; digits share the letters' values.
const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
/// Positions that hold digits (possibly replaced by omocodia letters).
const CF_DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

fn cf_check_letter(first15: &[u8]) -> Option<char> {
    let mut sum = 0;
    for (i, &c) in first15.iter().enumerate() {
        let idx = match c {
            b'0'..=b'9' => usize::from(c - b'0'),
            b'A'..=b'Z' => usize::from(c - b'A'),
            _ => return None,
        };
        // i is 0-based, so even i are the standard's odd positions.
        sum += if i % 2 == 0 {
            CF_ODD[idx]
        } else {
            u32::try_from(idx).unwrap_or(0)
        };
    }
    Some(char::from(b'A' + (sum % 26) as u8))
}

/// The digit a (possibly omocode) character stands for.
fn cf_digit(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        _ => CF_OMOCODE
            .iter()
            .position(|&o| o == c)
            .and_then(|p| u32::try_from(p).ok()),
    }
}

pub(super) fn it_cf(text: &str, _today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[16], "16 characters")?;
    let b = s.as_bytes();
    let letters_ok = [0, 1, 2, 3, 4, 5, 8, 11, 15]
        .iter()
        .all(|&i| b[i].is_ascii_uppercase());
    let digits: Option<Vec<u32>> = CF_DIGIT_POSITIONS.iter().map(|&i| cf_digit(b[i])).collect();
    let Some(dg) = digits.filter(|_| letters_ok) else {
        return Err(Defect::Characters {
            expected: "6 letters, 2 digits, a month letter, 2 digits, a letter, 3 digits, a letter",
        });
    };
    if cf_check_letter(&b[..15]) != Some(char::from(b[15])) {
        return Err(Defect::CheckDigit);
    }
    let month = CF_MONTHS
        .iter()
        .position(|&m| m == b[8])
        .ok_or(Defect::Component {
            what: "the month letter is not one of A B C D E H L M P R S T",
        })?;
    let month = u32::try_from(month).unwrap_or(0) + 1;
    let yy = dg[0] * 10 + dg[1];
    let raw_day = dg[2] * 10 + dg[3];
    let (day, sex) = match raw_day {
        1..=31 => (raw_day, Sex::Male),
        41..=71 => (raw_day - 40, Sex::Female),
        _ => return Err(Defect::BirthDate),
    };
    let yy = u8::try_from(yy).unwrap_or(0);
    if !exists_in_some_century(yy, month, day) {
        return Err(Defect::BirthDate);
    }
    let place = format!("{}{}{}{}", char::from(b[11]), dg[4], dg[5], dg[6]);
    let region = if b[11] == b'Z' {
        Region::new("foreign state of birth (Belfiore code)", place)
    } else {
        Region::new("comune of birth (Belfiore code)", place)
    };
    let mut n = IdNumber::bare(IdKind::ItCodiceFiscale, s.clone())
        .born(EncodedDate {
            year: Year::TwoDigits(yy),
            month: Some(month),
            day: Some(day),
        })
        .sex(sex)
        .region(region);
    n.name_code = Some(NameCode::CodiceFiscale {
        surname: s[0..3].to_owned(),
        name: s[3..6].to_owned(),
    });
    Ok(n)
}

/// Whether `yy-mm-dd` is a calendar date in the 1800s, 1900s or 2000s (schemes that drop the
/// century still cannot write 29 February of a year that is never leap).
pub(super) fn exists_in_some_century(yy: u8, month: u32, day: u32) -> bool {
    [1800, 1900, 2000]
        .iter()
        .any(|c| NaiveDate::from_ymd_opt(c + i32::from(yy), month, day).is_some())
}

pub(super) fn sample_it_cf(g: &mut Seed) -> String {
    let surnames = ["ROSSI", "BIANCHI", "ESPOSITO", "COLOMBO", "DE LUCA", "FO"];
    let given = ["MARIO", "GIULIA", "FRANCESCO", "CHIARA", "LUCA", "EVA"];
    let surname = *g.pick(&surnames);
    let name = *g.pick(&given);
    let (surname, name) = (names::cf_surname(surname), names::cf_name(name));
    let date = g.birth_date();
    let female = g.range(0, 1) == 1;
    let day = date.day();
    let month = CF_MONTHS[(date.month0() as usize) % 12];
    let place = format!(
        "{}{:03}",
        char::from(*g.pick(b"ABCDEFGHILMZ")),
        g.range(1, 999)
    );
    let mut body = format!(
        "{surname}{name}{}{}{:02}{place}",
        date.format("%y"),
        char::from(month),
        if female { day + 40 } else { day }
    );
    // Sometimes apply omocodia to the last digit, as the Agenzia does on a collision.
    if g.range(0, 3) == 0 {
        let last = body.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
        body.push(char::from(CF_OMOCODE[last as usize % 10]));
    }
    let check = cf_check_letter(body.as_bytes()).unwrap_or('A');
    format!("{body}{check}")
}

// ---------------------------------------------------------------------------------------------
// France — NIR (INSEE): sex, YY, MM, department (2A/2B for Corsica), commune, order, key
// 97 − (n mod 97) with 2A → 19 and 2B → 18.

pub(super) fn fr_nir(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, ".-");
    need_len(&s, &[15], "15 characters")?;
    let dept = &s[5..7];
    let numeric = match dept {
        "2A" => format!("{}19{}", &s[..5], &s[7..13]),
        "2B" => format!("{}18{}", &s[..5], &s[7..13]),
        _ => s[..13].to_owned(),
    };
    let (Some(n), Some(key)) = (checksum::number(&numeric), checksum::number(&s[13..])) else {
        return Err(Defect::Characters {
            expected: "15 digits (2A or 2B allowed for Corsica)",
        });
    };
    if checksum::key97(n) != key {
        return Err(Defect::CheckDigit);
    }
    let d = checksum::digits(&s[..5]).unwrap_or_default();
    let sex = match d[0] {
        1 | 3 | 7 => Sex::Male,
        2 | 4 | 8 => Sex::Female,
        _ => {
            return Err(Defect::Component {
                what: "the first digit (sex) must be 1, 2, 3, 4, 7 or 8",
            })
        }
    };
    let yy = u8::try_from(two(&d, 1)).unwrap_or(0);
    let mm = two(&d, 3);
    // Months 20–42 and 50–99 stand for an unknown month (civil records without one).
    let month = match mm {
        1..=12 => Some(mm),
        20..=42 | 50..=99 => None,
        _ => {
            return Err(Defect::Component {
                what: "the month of birth is not 01–12 or an 'unknown month' code",
            })
        }
    };
    let region = match dept {
        "99" => Region::new("born abroad (INSEE country code)", &s[7..10]),
        "97" | "98" => Region::new("overseas department of birth", &s[5..8]),
        _ => Region::new("department of birth", dept),
    };
    let mut n = IdNumber::bare(IdKind::FrNir, s.clone())
        .born(EncodedDate {
            year: Year::TwoDigits(yy),
            month,
            day: None,
        })
        .sex(sex)
        .region(region);
    if matches!(d[0], 7 | 8) {
        n = n.flag(Flag::Temporary);
    }
    Ok(n)
}

pub(super) fn sample_fr_nir(g: &mut Seed) -> String {
    let date = g.birth_date();
    let sex = g.range(1, 2);
    let dept = format!("{:02}", g.range(1, 95));
    let dept = if dept == "20" { "2A".to_owned() } else { dept };
    let rest = g.digits(6);
    let body = format!(
        "{sex}{}{}{dept}{rest}",
        date.format("%y"),
        date.format("%m")
    );
    let numeric = body.replace("2A", "19");
    let key = checksum::key97(checksum::number(&numeric).unwrap_or(0));
    format!("{body}{key:02}")
}

// ---------------------------------------------------------------------------------------------
// Belgium — national register number (Rijksregister IT000) and BIS number (KSZ/BCSS): YYMMDD,
// a counter (odd men, even women), key 97 − (n mod 97) over the first nine digits, prefixed with
// 2 for births from 2000. BIS months are +20 (sex unknown) or +40 (sex known). Zeroes mark an
// unknown month or day; day numbers past the month's end are also used for unknown days.

pub(super) fn be_nn(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, ".-");
    need_len(&s, &[11], "11 digits")?;
    let d = need_digits(&s)?;
    let first9 = checksum::number(&s[..9]).unwrap_or(0);
    let key = checksum::number(&s[9..]).unwrap_or(0);
    let century = if checksum::key97(first9) == key {
        1900
    } else if checksum::key97(2_000_000_000 + first9) == key {
        2000
    } else {
        return Err(Defect::CheckDigit);
    };
    let year = century + i32::try_from(two(&d, 0)).unwrap_or(0);
    let raw_month = two(&d, 2);
    let (month, bis, sex_known) = match raw_month {
        0..=12 => (raw_month, false, true),
        20..=32 => (raw_month - 20, true, false),
        40..=52 => (raw_month - 40, true, true),
        _ => {
            return Err(Defect::Component {
                what: "the month is not 00–12 (or BIS 20–32, 40–52)",
            })
        }
    };
    let day = two(&d, 4);
    let counter = d[6] * 100 + d[7] * 10 + d[8];
    let fictitious = matches!(&s[..6], "000001" | "002001" | "004001");
    let mut n = IdNumber::bare(IdKind::BeNationalNumber, s.clone());
    if !fictitious {
        let month = (month != 0).then_some(month);
        let day = month
            .filter(|&m| NaiveDate::from_ymd_opt(year, m, day).is_some())
            .map(|_| day);
        let encoded = EncodedDate {
            year: Year::Full(year),
            month,
            day,
        };
        if let Some(date) = encoded.date() {
            not_future(date, today)?;
        }
        n = n.born(encoded);
    }
    if sex_known {
        n = n.sex(Sex::odd_male(counter));
    }
    if bis {
        n = n.flag(Flag::Temporary);
    }
    Ok(n)
}

pub(super) fn sample_be_nn(g: &mut Seed) -> String {
    let date = g.birth_date();
    let body = format!("{}{:03}", date.format("%y%m%d"), g.range(1, 997));
    let first9 = checksum::number(&body).unwrap_or(0);
    let n = if date.year() >= 2000 {
        2_000_000_000 + first9
    } else {
        first9
    };
    format!("{body}{:02}", checksum::key97(n))
}

// ---------------------------------------------------------------------------------------------
// Romania — CNP (Legea 105/1996): S (sex and century), YYMMDD, county JJ, serial NNN, check with
// weights 279146358279 (remainder 10 → 1).

const RO_WEIGHTS: [u32; 12] = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];

fn ro_county(code: u32) -> Option<&'static str> {
    const COUNTIES: [&str; 52] = [
        "Alba",
        "Arad",
        "Argeș",
        "Bacău",
        "Bihor",
        "Bistrița-Năsăud",
        "Botoșani",
        "Brașov",
        "Brăila",
        "Buzău",
        "Caraș-Severin",
        "Cluj",
        "Constanța",
        "Covasna",
        "Dâmbovița",
        "Dolj",
        "Galați",
        "Gorj",
        "Harghita",
        "Hunedoara",
        "Ialomița",
        "Iași",
        "Ilfov",
        "Maramureș",
        "Mehedinți",
        "Mureș",
        "Neamț",
        "Olt",
        "Prahova",
        "Satu Mare",
        "Sălaj",
        "Sibiu",
        "Suceava",
        "Teleorman",
        "Timiș",
        "Tulcea",
        "Vaslui",
        "Vâlcea",
        "Vrancea",
        "București",
        "București, sectorul 1",
        "București, sectorul 2",
        "București, sectorul 3",
        "București, sectorul 4",
        "București, sectorul 5",
        "București, sectorul 6",
        "București, sectorul 7 (desființat)",
        "București, sectorul 8 (desființat)",
        "",
        "",
        "Călărași",
        "Giurgiu",
    ];
    match code {
        1..=52 => COUNTIES
            .get(code as usize - 1)
            .copied()
            .filter(|n| !n.is_empty()),
        70 => Some("any county (issued centrally)"),
        _ => None,
    }
}

fn ro_check(d: &[u32]) -> u32 {
    let r = weighted_sum(d, &RO_WEIGHTS) % 11;
    if r == 10 {
        1
    } else {
        r
    }
}

pub(super) fn ro_cnp(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-.");
    need_len(&s, &[13], "13 digits")?;
    let d = need_digits(&s)?;
    let century = match d[0] {
        1 | 2 => Some(1900),
        3 | 4 => Some(1800),
        5 | 6 => Some(2000),
        7..=9 => None,
        _ => {
            return Err(Defect::Component {
                what: "the first digit (sex and century) must be 1–9",
            })
        }
    };
    let (yy, mm, dd) = (two(&d, 1), two(&d, 3), two(&d, 5));
    let county = two(&d, 7);
    let county_name = ro_county(county);
    if county_name.is_none() && !(80..=83).contains(&county) {
        return Err(Defect::Component {
            what: "the county code is not one the CNP uses",
        });
    }
    let encoded = match century {
        Some(c) => {
            let date = ymd(c + i32::try_from(yy).unwrap_or(0), mm, dd)?;
            EncodedDate::exact(not_future(date, today)?)
        }
        None => {
            let yy = u8::try_from(yy).unwrap_or(0);
            if !exists_in_some_century(yy, mm, dd) {
                return Err(Defect::BirthDate);
            }
            EncodedDate {
                year: Year::TwoDigits(yy),
                month: Some(mm),
                day: Some(dd),
            }
        }
    };
    if ro_check(&d) != d[12] {
        return Err(Defect::CheckDigit);
    }
    let mut n = IdNumber::bare(IdKind::RoCnp, s.clone())
        .born(encoded)
        .region(Region::new("county of registration", &s[7..9]).named(county_name));
    if d[0] != 9 {
        n = n.sex(Sex::odd_male(d[0]));
    }
    if century.is_none() {
        n = n.flag(Flag::Foreigner);
    }
    Ok(n)
}

pub(super) fn sample_ro_cnp(g: &mut Seed) -> String {
    let date = g.birth_date();
    let male = g.range(0, 1) == 1;
    let s = match (date.year() >= 2000, male) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 5,
        (true, false) => 6,
    };
    let body = format!(
        "{s}{}{:02}{:03}",
        date.format("%y%m%d"),
        g.range(1, 46),
        g.range(1, 999)
    );
    let d = checksum::digits(&body).unwrap_or_default();
    format!("{body}{}", ro_check(&d))
}
