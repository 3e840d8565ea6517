//! China, India, South Korea, Turkey and South Africa.

use chrono::{Datelike, NaiveDate};

use super::europe_south_west::exists_in_some_century;
use super::{clean, dchar, need_digits, need_len, not_future, two, ymd, Seed};
use crate::checksum::{self, weighted_sum};
use crate::kind::IdKind;
use crate::number::{Defect, EncodedDate, Flag, IdNumber, Region, Sex, Year};

// ---------------------------------------------------------------------------------------------
// China — resident identity card (GB 11643-1999): 6-digit administrative code (GB/T 2260), birth
// date YYYYMMDD, 3-digit order code (odd men), ISO 7064 MOD 11-2 check character. Foreigners'
// permanent residence cards (2023 format) start with 9.

const CN_PROVINCES: &[(u32, &str)] = &[
    (11, "Beijing"),
    (12, "Tianjin"),
    (13, "Hebei"),
    (14, "Shanxi"),
    (15, "Inner Mongolia"),
    (21, "Liaoning"),
    (22, "Jilin"),
    (23, "Heilongjiang"),
    (31, "Shanghai"),
    (32, "Jiangsu"),
    (33, "Zhejiang"),
    (34, "Anhui"),
    (35, "Fujian"),
    (36, "Jiangxi"),
    (37, "Shandong"),
    (41, "Henan"),
    (42, "Hubei"),
    (43, "Hunan"),
    (44, "Guangdong"),
    (45, "Guangxi"),
    (46, "Hainan"),
    (50, "Chongqing"),
    (51, "Sichuan"),
    (52, "Guizhou"),
    (53, "Yunnan"),
    (54, "Tibet"),
    (61, "Shaanxi"),
    (62, "Gansu"),
    (63, "Qinghai"),
    (64, "Ningxia"),
    (65, "Xinjiang"),
    (71, "Taiwan"),
    (81, "Hong Kong"),
    (82, "Macau"),
    (83, "Taiwan (residence permit)"),
];

fn cn_province(code: u32) -> Option<&'static str> {
    CN_PROVINCES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

pub(super) fn cn_ric(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[18], "18 characters")?;
    let d = need_digits(&s[..17])?;
    let last = s.as_bytes()[17];
    if !(last.is_ascii_digit() || last == b'X') {
        return Err(Defect::Characters {
            expected: "17 digits and a final digit or X",
        });
    }
    if !checksum::mod11_2_valid(&s) {
        return Err(Defect::CheckDigit);
    }
    let foreigner = d[0] == 9;
    let province_code = if foreigner { two(&d, 1) } else { two(&d, 0) };
    let province = cn_province(province_code).ok_or(Defect::Component {
        what: "the first digits are not a GB/T 2260 province code",
    })?;
    let year = i32::try_from(d[6] * 1000 + d[7] * 100 + two(&d, 8)).unwrap_or(0);
    let date = ymd(year, two(&d, 10), two(&d, 12))?;
    let scheme = if foreigner {
        "province of issue"
    } else {
        "administrative division of registration (GB/T 2260)"
    };
    let code = if foreigner { &s[1..3] } else { &s[..6] };
    let mut n = IdNumber::bare(IdKind::CnResidentId, s.clone())
        .born(EncodedDate::exact(not_future(date, today)?))
        .sex(Sex::odd_male(d[16]))
        .region(Region::new(scheme, code).named(Some(province)));
    if foreigner {
        n = n.flag(Flag::Foreigner);
    }
    Ok(n)
}

pub(super) fn sample_cn_ric(g: &mut Seed) -> String {
    let (province, _) = *g.pick(&CN_PROVINCES[..31]);
    let date = g.birth_date();
    let body = format!(
        "{province:02}{:04}{}{}",
        g.range(101, 9999),
        date.format("%Y%m%d"),
        g.digits(3)
    );
    let check = checksum::mod11_2_check(&body).unwrap_or('0');
    format!("{body}{check}")
}

// ---------------------------------------------------------------------------------------------
// India — Aadhaar (UIDAI numbering scheme): 12 digits, the first 2–9, never a palindrome, the
// last a Verhoeff check digit.

pub(super) fn in_aadhaar(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[12], "12 digits")?;
    let d = need_digits(&s)?;
    if d[0] < 2 {
        return Err(Defect::Component {
            what: "Aadhaar numbers never start with 0 or 1",
        });
    }
    if s.chars().eq(s.chars().rev()) {
        return Err(Defect::Component {
            what: "Aadhaar numbers are never palindromes",
        });
    }
    if !checksum::verhoeff_valid(&s) {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::InAadhaar, s))
}

pub(super) fn sample_in_aadhaar(g: &mut Seed) -> String {
    loop {
        let body = format!("{}{}", g.range(2, 9), g.digits(10));
        let check = checksum::verhoeff_check_digit(&body).unwrap_or('0');
        let s = format!("{body}{check}");
        if !s.chars().eq(s.chars().rev()) {
            return s;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// South Korea — resident registration number: YYMMDD, a century/sex digit (1/2 1900s, 3/4 2000s,
// 9/0 1800s; 5–8 the same for foreigners), 5 digits and a check digit (11 − Σ wᵢdᵢ mod 11) mod 10
// with weights 2–9, 2–5. Since October 2020 the last six digits of new numbers are random, so
// for births from then on a failing check is not evidence against the number.

const KR_WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

fn kr_check(d: &[u32]) -> u32 {
    (11 - weighted_sum(d, &KR_WEIGHTS) % 11) % 10
}

/// The foreigner registration number's variant of the check (13 − r) mod 10.
fn kr_foreigner_check(d: &[u32]) -> u32 {
    (13 - weighted_sum(d, &KR_WEIGHTS) % 11) % 10
}

pub(super) fn kr_rrn(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[13], "13 digits")?;
    let d = need_digits(&s)?;
    let (century, foreigner) = match d[6] {
        1 | 2 => (1900, false),
        3 | 4 => (2000, false),
        5 | 6 => (1900, true),
        7 | 8 => (2000, true),
        _ => (1800, false),
    };
    let sex = if matches!(d[6], 1 | 3 | 5 | 7 | 9) {
        Sex::Male
    } else {
        Sex::Female
    };
    let date = ymd(
        century + i32::try_from(two(&d, 0)).unwrap_or(0),
        two(&d, 2),
        two(&d, 4),
    )?;
    let date = not_future(date, today)?;
    let random_serial = date >= NaiveDate::from_ymd_opt(2020, 10, 1).unwrap_or(date);
    let check_ok =
        kr_check(&d[..12]) == d[12] || (foreigner && kr_foreigner_check(&d[..12]) == d[12]);
    let mut n = IdNumber::bare(IdKind::KrRrn, s)
        .born(EncodedDate::exact(date))
        .sex(sex);
    if !check_ok {
        if !random_serial {
            return Err(Defect::CheckDigit);
        }
        n = n.flag(Flag::WithoutCheckDigit);
    }
    if foreigner {
        n = n.flag(Flag::Foreigner);
    }
    Ok(n)
}

pub(super) fn sample_kr_rrn(g: &mut Seed) -> String {
    let date = g.birth_date();
    let male = g.range(0, 1) == 1;
    let code = match (date.year() >= 2000, male) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 3,
        (true, false) => 4,
    };
    let body = format!(
        "{}{code}{:02}{}",
        date.format("%y%m%d"),
        g.range(0, 95),
        g.digits(3)
    );
    let d = checksum::digits(&body).unwrap_or_default();
    format!("{body}{}", kr_check(&d))
}

// ---------------------------------------------------------------------------------------------
// Turkey — T.C. kimlik numarası (NVİ): 11 digits, no leading zero; d10 = (7·Σodd − Σeven) mod 10
// over the first nine, d11 = Σ of the first ten mod 10.

fn tr_checks(d: &[u32]) -> (u32, u32) {
    let odd: i64 = d.iter().step_by(2).take(5).map(|&x| i64::from(x)).sum();
    let even: i64 = d
        .iter()
        .skip(1)
        .step_by(2)
        .take(4)
        .map(|&x| i64::from(x))
        .sum();
    let d10 = u32::try_from((7 * odd - even).rem_euclid(10)).unwrap_or(0);
    let d11 = (d.iter().take(9).sum::<u32>() + d10) % 10;
    (d10, d11)
}

pub(super) fn tr_tckimlik(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[11], "11 digits")?;
    let d = need_digits(&s)?;
    if d[0] == 0 {
        return Err(Defect::Component {
            what: "a T.C. kimlik number never starts with 0",
        });
    }
    if tr_checks(&d) != (d[9], d[10]) {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::TrTcKimlik, s))
}

pub(super) fn sample_tr_tckimlik(g: &mut Seed) -> String {
    let body = format!("{}{}", g.range(1, 9), g.digits(8));
    let d = checksum::digits(&body).unwrap_or_default();
    let (d10, d11) = tr_checks(&d);
    format!("{body}{d10}{d11}")
}

// ---------------------------------------------------------------------------------------------
// South Africa — identity number (Home Affairs): YYMMDD, SSSS (0000–4999 women, 5000–9999 men),
// C (0 citizen, 1 permanent resident, 2 refugee), A (formerly race, now 8), Luhn over all 13.
// The century is not encoded.

pub(super) fn za_id(text: &str, _today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[13], "13 digits")?;
    let d = need_digits(&s)?;
    if !checksum::luhn_valid(&s) {
        return Err(Defect::CheckDigit);
    }
    let (yy, mm, dd) = (two(&d, 0), two(&d, 2), two(&d, 4));
    let yy = u8::try_from(yy).unwrap_or(0);
    if !exists_in_some_century(yy, mm, dd) {
        return Err(Defect::BirthDate);
    }
    let citizenship = match d[10] {
        0 => Flag::Citizen,
        1 => Flag::PermanentResident,
        2 => Flag::Refugee,
        _ => {
            return Err(Defect::Component {
                what: "the citizenship digit must be 0, 1 or 2",
            })
        }
    };
    let sequence = d[6] * 1000 + d[7] * 100 + two(&d, 8);
    let sex = if sequence >= 5000 {
        Sex::Male
    } else {
        Sex::Female
    };
    Ok(IdNumber::bare(IdKind::ZaId, s)
        .born(EncodedDate {
            year: Year::TwoDigits(yy),
            month: Some(mm),
            day: Some(dd),
        })
        .sex(sex)
        .flag(citizenship))
}

pub(super) fn sample_za_id(g: &mut Seed) -> String {
    let date = g.birth_date();
    let body = format!(
        "{}{:04}{}8",
        date.format("%y%m%d"),
        g.range(0, 9999),
        dchar(g.range(0, 1))
    );
    let check = checksum::luhn_check_digit(&body).unwrap_or('0');
    format!("{body}{check}")
}
