//! Germany, the Netherlands, Poland and the Nordic countries.

use chrono::{Datelike, NaiveDate};

use super::{clean, dchar, need_digits, need_len, not_future, two, ymd, Seed};
use crate::checksum::{self, weighted_sum};
use crate::kind::IdKind;
use crate::number::{Defect, EncodedDate, Flag, IdNumber, Sex};

// ---------------------------------------------------------------------------------------------
// Germany — Personalausweis document number (PAuswV §5, BSI TR-03127): nine characters from
// 0-9 and C F G H J K L M N P R T V W X Y Z (no vowels, no B D Q S), followed in the MRZ by an
// ICAO 9303 7-3-1 check digit.

const DE_CARD_ALPHABET: &str = "0123456789CFGHJKLMNPRTVWXYZ";

pub(super) fn de_id_card(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "-<");
    need_len(&s, &[9, 10], "9 characters (10 with the MRZ check digit)")?;
    let (serial, check) = s.split_at(9);
    if !serial.chars().all(|c| DE_CARD_ALPHABET.contains(c)) {
        return Err(Defect::Characters {
            expected: "digits and the letters C F G H J K L M N P R T V W X Y Z",
        });
    }
    if check.is_empty() {
        return Ok(IdNumber::bare(IdKind::DeIdCard, s).flag(Flag::WithoutCheckDigit));
    }
    if checksum::icao_check_digit(serial)
        .map(String::from)
        .as_deref()
        != Some(check)
    {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::DeIdCard, serial))
}

pub(super) fn sample_de_id_card(g: &mut Seed) -> String {
    let alphabet: Vec<char> = DE_CARD_ALPHABET.chars().collect();
    let first = *g.pick(&['L', 'M', 'N', 'P', 'R', 'T', 'V', 'W', 'X', 'Y']);
    let rest: String = (0..8).map(|_| *g.pick(&alphabet)).collect();
    let serial = format!("{first}{rest}");
    let check = checksum::icao_check_digit(&serial).unwrap_or('0');
    format!("{serial}{check}")
}

// Germany — Steuer-IdNr (§139b AO, BZSt): 11 digits, no leading zero; among the first ten exactly
// one digit occurs twice or three times (three never in a row); ISO 7064 MOD 11,10 check digit.

pub(super) fn de_tax_id(text: &str) -> Result<IdNumber, Defect> {
    let s = clean(text, "/-.");
    need_len(&s, &[11], "11 digits")?;
    let d = need_digits(&s)?;
    if d[0] == 0 {
        return Err(Defect::Component {
            what: "a Steuer-IdNr never starts with 0",
        });
    }
    if !de_tax_id_digits_ok(&d[..10]) {
        return Err(Defect::Component {
            what: "exactly one digit must occur twice or three times in the first ten",
        });
    }
    if !checksum::mod11_10_valid(&s) {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::DeTaxId, s))
}

fn de_tax_id_digits_ok(d: &[u32]) -> bool {
    let mut counts = [0u8; 10];
    for &x in d {
        counts[x as usize % 10] += 1;
    }
    let repeated: Vec<usize> = (0..10).filter(|&i| counts[i] > 1).collect();
    let [digit] = repeated.as_slice() else {
        return false;
    };
    match counts[*digit] {
        2 => true,
        3 => !d
            .windows(3)
            .any(|w| w.iter().all(|&x| x as usize == *digit)),
        _ => false,
    }
}

pub(super) fn sample_de_tax_id(g: &mut Seed) -> String {
    loop {
        let mut pool: Vec<u32> = (0..10).collect();
        // Shuffle, then duplicate one digit over another position.
        for i in (1..pool.len()).rev() {
            let j = g.range(0, u32::try_from(i).unwrap_or(0)) as usize;
            pool.swap(i, j);
        }
        let dup = g.range(0, 9) as usize;
        let over = g.range(0, 9) as usize;
        if dup != over {
            pool[over] = pool[dup];
        }
        let body: String = pool.iter().map(|&x| dchar(x)).collect();
        if pool[0] == 0 || !de_tax_id_digits_ok(&pool) {
            continue;
        }
        if let Some(c) = checksum::mod11_10_check(&body) {
            return format!("{body}{c}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Netherlands — BSN (RvIG, elfproef): 9 digits, Σ dᵢ·(9−i) for the first eight minus the last
// is divisible by 11.

fn bsn_sum(d: &[u32]) -> i64 {
    let head = i64::from(weighted_sum(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2]));
    head - i64::from(d[8])
}

pub(super) fn nl_bsn(text: &str) -> Result<IdNumber, Defect> {
    let mut s = clean(text, ".-");
    if s.len() == 8 {
        s.insert(0, '0');
    }
    need_len(&s, &[9], "9 digits")?;
    let d = need_digits(&s)?;
    if d.iter().all(|&x| x == 0) {
        return Err(Defect::Component {
            what: "000000000 is not a BSN",
        });
    }
    if bsn_sum(&d) % 11 != 0 {
        return Err(Defect::CheckDigit);
    }
    Ok(IdNumber::bare(IdKind::NlBsn, s))
}

pub(super) fn sample_nl_bsn(g: &mut Seed) -> String {
    loop {
        let body = format!("{}{}", g.range(1, 9), g.digits(7));
        let d = checksum::digits(&body).unwrap_or_default();
        let head = weighted_sum(&d, &[9, 8, 7, 6, 5, 4, 3, 2]);
        let last = head % 11;
        if last <= 9 {
            return format!("{body}{last}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Poland — PESEL: YYMMDD (month +80 1800s, +0 1900s, +20 2000s, +40 2100s, +60 2200s), serial,
// sex digit (odd men), check (10 − Σ wᵢdᵢ mod 10) mod 10 with weights 1,3,7,9.

const PESEL_WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];

pub(super) fn pl_pesel(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[11], "11 digits")?;
    let d = need_digits(&s)?;
    if (10 - weighted_sum(&d, &PESEL_WEIGHTS) % 10) % 10 != d[10] {
        return Err(Defect::CheckDigit);
    }
    let mm = two(&d, 2);
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        _ => return Err(Defect::BirthDate),
    };
    let date = ymd(
        century + i32::try_from(two(&d, 0)).unwrap_or(0),
        month,
        two(&d, 4),
    )?;
    Ok(IdNumber::bare(IdKind::PlPesel, s)
        .born(EncodedDate::exact(not_future(date, today)?))
        .sex(Sex::odd_male(d[9])))
}

pub(super) fn sample_pl_pesel(g: &mut Seed) -> String {
    let date = g.birth_date();
    let month = date.month() + if date.year() >= 2000 { 20 } else { 0 };
    let body = format!(
        "{:02}{month:02}{:02}{}",
        date.year() % 100,
        date.day(),
        g.digits(4)
    );
    let d = checksum::digits(&body).unwrap_or_default();
    let check = (10 - weighted_sum(&d, &PESEL_WEIGHTS) % 10) % 10;
    format!("{body}{check}")
}

// ---------------------------------------------------------------------------------------------
// Denmark — CPR (CPR-kontoret): DDMMYY-SSSS; the century follows from the first sequence digit
// and the year (0–3 → 1900s; 4 and 9 → 2000s up to 36, else 1900s; 5–8 → 2000s up to 57, else
// 1800s); odd last digit men. The mod-11 check was dropped in 2007, so it is not required.

fn dk_century(first_seq: u32, yy: u32) -> i32 {
    match first_seq {
        0..=3 => 1900,
        4 | 9 if yy <= 36 => 2000,
        4 | 9 => 1900,
        _ if yy <= 57 => 2000,
        _ => 1800,
    }
}

pub(super) fn dk_cpr(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[10], "10 digits")?;
    let d = need_digits(&s)?;
    let yy = two(&d, 4);
    let year = dk_century(d[6], yy) + i32::try_from(yy).unwrap_or(0);
    let date = ymd(year, two(&d, 2), two(&d, 0))?;
    Ok(IdNumber::bare(IdKind::DkCpr, s)
        .born(EncodedDate::exact(not_future(date, today)?))
        .sex(Sex::odd_male(d[9])))
}

pub(super) fn sample_dk_cpr(g: &mut Seed) -> String {
    let date = g.birth_date();
    let first = if date.year() >= 2000 {
        4
    } else {
        g.range(0, 3)
    };
    format!("{}{first}{}", date.format("%d%m%y"), g.digits(3))
}

// ---------------------------------------------------------------------------------------------
// Finland — henkilötunnus (DVV): DDMMYY, century sign (+ 1800s; - Y X W V U 1900s; A–F 2000s),
// individual number 002–899 (odd men), check character DDMMYYZZZ mod 31 in
// 0123456789ABCDEFHJKLMNPRSTUVWXY.

const HETU_CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

fn hetu_check(nine_digits: u64) -> char {
    char::from(HETU_CHECK[(nine_digits % 31) as usize])
}

pub(super) fn fi_hetu(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "");
    need_len(
        &s,
        &[11],
        "11 characters (DDMMYY, century sign, 3 digits, check)",
    )?;
    let b = s.as_bytes();
    let century = match b[6] {
        b'+' => 1800,
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => 1900,
        b'A'..=b'F' => 2000,
        _ => {
            return Err(Defect::Characters {
                expected: "a century sign (+, -, A–F, U–Y) as the 7th character",
            })
        }
    };
    let digits = format!("{}{}", &s[..6], &s[7..10]);
    let (Some(n), Some(d)) = (checksum::number(&digits), checksum::digits(&digits)) else {
        return Err(Defect::Characters {
            expected: "digits around the century sign",
        });
    };
    if s.chars().nth(10) != Some(hetu_check(n)) {
        return Err(Defect::CheckDigit);
    }
    let individual = d[6] * 100 + d[7] * 10 + d[8];
    if individual < 2 {
        return Err(Defect::Component {
            what: "individual numbers 000 and 001 are not issued",
        });
    }
    let date = ymd(
        century + i32::try_from(two(&d, 4)).unwrap_or(0),
        two(&d, 2),
        two(&d, 0),
    )?;
    let mut n = IdNumber::bare(IdKind::FiHetu, s)
        .born(EncodedDate::exact(not_future(date, today)?))
        .sex(Sex::odd_male(individual));
    if individual >= 900 {
        n = n.flag(Flag::Temporary);
    }
    Ok(n)
}

pub(super) fn sample_fi_hetu(g: &mut Seed) -> String {
    let date = g.birth_date();
    let sign = if date.year() >= 2000 {
        *g.pick(&['A', 'B', 'C', 'D', 'E', 'F'])
    } else {
        *g.pick(&['-', 'Y', 'X', 'W', 'V', 'U'])
    };
    let individual = format!("{:03}", g.range(2, 899));
    let digits = format!("{}{individual}", date.format("%d%m%y"));
    let check = hetu_check(checksum::number(&digits).unwrap_or(0));
    format!("{}{sign}{individual}{check}", date.format("%d%m%y"))
}

// ---------------------------------------------------------------------------------------------
// Norway — fødselsnummer (Skatteetaten): DDMMYY (D-number day +40, H-number month +40; FH numbers
// start with 8 or 9 and encode no date), individual number with the century, two mod-11 check
// digits, 9th digit odd for men. Synthetic test numbers (month +80) are refused.

const NO_K1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const NO_K2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

fn no_check(d: &[u32], weights: &[u32]) -> Option<u32> {
    match 11 - weighted_sum(d, weights) % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k),
    }
}

fn no_century(individual: u32, yy: u32) -> Option<i32> {
    match individual {
        0..=499 => Some(1900),
        500..=749 if yy >= 54 => Some(1800),
        500..=999 if yy <= 39 => Some(2000),
        900..=999 => Some(1900),
        _ => None,
    }
}

pub(super) fn no_fnr(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, "-");
    need_len(&s, &[11], "11 digits")?;
    let d = need_digits(&s)?;
    if no_check(&d[..9], &NO_K1) != Some(d[9]) || no_check(&d[..10], &NO_K2) != Some(d[10]) {
        return Err(Defect::CheckDigit);
    }
    let mut n = IdNumber::bare(IdKind::NoFodselsnummer, s).sex(Sex::odd_male(d[8]));
    if d[0] >= 8 {
        // FH number: no birth date by design.
        return Ok(n.flag(Flag::Temporary));
    }
    let (mut day, mut month) = (two(&d, 0), two(&d, 2));
    if day > 40 {
        day -= 40;
        n = n.flag(Flag::Temporary);
    }
    if month > 80 {
        return Err(Defect::Component {
            what: "a synthetic test number (month + 80) is not issued to people",
        });
    }
    if month > 40 {
        month -= 40;
        n = n.flag(Flag::Temporary);
    }
    let yy = two(&d, 4);
    let individual = d[6] * 100 + d[7] * 10 + d[8];
    let century = no_century(individual, yy).ok_or(Defect::Component {
        what: "the individual number does not fit the year of birth",
    })?;
    let date = ymd(century + i32::try_from(yy).unwrap_or(0), month, day)?;
    Ok(n.born(EncodedDate::exact(not_future(date, today)?)))
}

pub(super) fn sample_no_fnr(g: &mut Seed) -> String {
    loop {
        let date = g.birth_date();
        let individual = if date.year() >= 2000 {
            g.range(500, 999)
        } else {
            g.range(0, 499)
        };
        let d_number = g.range(0, 4) == 0;
        let day = date.day() + if d_number { 40 } else { 0 };
        let body = format!(
            "{day:02}{:02}{:02}{individual:03}",
            date.month(),
            date.year() % 100
        );
        let mut d = checksum::digits(&body).unwrap_or_default();
        let Some(k1) = no_check(&d, &NO_K1) else {
            continue;
        };
        d.push(k1);
        let Some(k2) = no_check(&d, &NO_K2) else {
            continue;
        };
        return format!("{body}{k1}{k2}");
    }
}

// ---------------------------------------------------------------------------------------------
// Sweden — personnummer (Skatteverket SKV 704): YYMMDD-NNNC, the separator turning into + in the
// year the holder turns 100; 12-digit forms carry the century. Luhn over the ten digits;
// samordningsnummer add 60 to the day; the 9th digit is odd for men.

pub(super) fn se_pnr(text: &str, today: NaiveDate) -> Result<IdNumber, Defect> {
    let s = clean(text, ":");
    let plus = s.contains('+');
    let digits_only: String = s.chars().filter(|&c| c != '-' && c != '+').collect();
    let separators = s.len() - digits_only.len();
    if separators > 1 || (separators == 1 && !matches!(s.len(), 11 | 13)) {
        return Err(Defect::Characters {
            expected: "one - or + before the last four digits",
        });
    }
    if separators == 1 && !matches!(s.as_bytes().get(s.len() - 5), Some(b'-' | b'+')) {
        return Err(Defect::Characters {
            expected: "the - or + before the last four digits",
        });
    }
    need_len(&digits_only, &[10, 12], "10 or 12 digits")?;
    let d = need_digits(&digits_only)?;
    let ten = &digits_only[digits_only.len() - 10..];
    let td = &d[d.len() - 10..];
    if !checksum::luhn_valid(ten) {
        return Err(Defect::CheckDigit);
    }
    let yy = two(td, 0);
    let month = two(td, 2);
    let mut day = two(td, 4);
    let coordination = day > 60;
    if coordination {
        day -= 60;
    }
    let year = if d.len() == 12 {
        i32::try_from(two(&d, 0) * 100 + yy).unwrap_or(0)
    } else {
        // The latest year with these two digits that is not after this year (the separator
        // changes by calendar year, not on the birthday); `+` adds 100 years.
        let yy = i32::try_from(yy).unwrap_or(0);
        let mut year = today.year() - (today.year() - yy).rem_euclid(100);
        if plus {
            year -= 100;
        }
        year
    };
    let date = not_future(ymd(year, month, day)?, today)?;
    let canonical = format!("{:04}{}", date.year(), &ten[2..]);
    let mut n = IdNumber::bare(IdKind::SePersonnummer, canonical)
        .born(EncodedDate::exact(date))
        .sex(Sex::odd_male(td[8]));
    if coordination {
        n = n.flag(Flag::Temporary);
    }
    if plus {
        n = n.flag(Flag::Centenarian);
    }
    Ok(n)
}

pub(super) fn sample_se_pnr(g: &mut Seed) -> String {
    let date = g.birth_date();
    let body = format!("{}{}", date.format("%y%m%d"), g.digits(3));
    let check = checksum::luhn_check_digit(&body).unwrap_or('0');
    // The short form, so every digit is under the Luhn check (the 12-digit form's century is
    // not); 1930–2005 all resolve to the right century from any day after 2005.
    format!("{}-{}{check}", &body[..6], &body[6..])
}
