//! UK OFSI consolidated list CSV (`ConList.csv`): one row per name, grouped by `Group ID`;
//! surname in `Name 6`, given names in `Name 1`…`Name 5`, `Alias Type` says whether a row is the
//! primary name. A leading "Last Updated" line is skipped.

use std::collections::HashMap;
use std::io::Read;

use crate::error::ScreeningError;
use crate::model::{AliasQuality, BirthDate, Entity, EntityType, Source};

const WHAT: &str = "UK OFSI CSV";

/// "dd/mm/yyyy" with `00` for unknown day/month.
fn parse_dob(s: &str) -> Option<BirthDate> {
    let mut it = s.trim().split('/');
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    let y: i32 = y.trim().parse().ok()?;
    let m: u32 = m.trim().parse().ok()?;
    let d: u32 = d.trim().parse().ok()?;
    match (d, m) {
        (0, 0) => Some(BirthDate::Year(y)),
        (0, m) => Some(BirthDate::YearMonth(y, m)),
        (d, m) => chrono::NaiveDate::from_ymd_opt(y, m, d).map(BirthDate::Full),
    }
}

/// Parses the OFSI consolidated list CSV.
pub fn parse<R: Read>(reader: R) -> Result<Vec<Entity>, ScreeningError> {
    let mut text = String::new();
    let mut reader = reader;
    reader
        .read_to_string(&mut text)
        .map_err(|source| ScreeningError::Io { what: WHAT, source })?;
    let body = match text.find("Name 6") {
        Some(i) => &text[text[..i].rfind('\n').map_or(0, |j| j + 1)..],
        None => {
            return Err(ScreeningError::Format {
                what: WHAT,
                message: "no header row with \"Name 6\"".into(),
            })
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|source| ScreeningError::Csv { what: WHAT, source })?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let group = col("Group ID").ok_or_else(|| ScreeningError::Format {
        what: WHAT,
        message: "no Group ID column".into(),
    })?;
    let name_cols: Vec<Option<usize>> =
        ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6"]
            .iter()
            .map(|n| col(n))
            .collect();
    let (c_type, c_alias, c_quality, c_dob, c_nat, c_regime, c_nonlatin, c_passport, c_natid) = (
        col("Group Type"),
        col("Alias Type"),
        col("Alias Quality"),
        col("DOB"),
        col("Nationality"),
        col("Regime"),
        col("Name Non-Latin Script"),
        col("Passport Number"),
        col("National Identification Number"),
    );
    let mut out: Vec<Entity> = Vec::new();
    let mut by_group: HashMap<String, usize> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|source| ScreeningError::Csv { what: WHAT, source })?;
        let get = |c: Option<usize>| {
            c.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let Some(gid) = get(Some(group)) else {
            continue;
        };
        let name = name_cols
            .iter()
            .filter_map(|c| get(*c))
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            continue;
        }
        let primary = get(c_alias).is_none_or(|a| a.eq_ignore_ascii_case("Primary name"));
        let i = match by_group.get(gid) {
            Some(&i) => i,
            None => {
                let et = match get(c_type).map(str::to_ascii_lowercase).as_deref() {
                    Some("individual") => EntityType::Person,
                    Some("ship") => EntityType::Vessel,
                    _ => EntityType::Organization,
                };
                by_group.insert(gid.to_string(), out.len());
                out.push(Entity::new(Source::Uk, gid, et, name.clone()));
                out.len() - 1
            }
        };
        let Some(e) = out.get_mut(i) else { continue };
        if primary && e.name != name {
            let old = std::mem::replace(&mut e.name, name);
            e.push_alias(&old, AliasQuality::Strong);
        } else {
            // "Good quality" / "Low quality"
            let q = match get(c_quality).map(str::to_ascii_lowercase) {
                Some(s) if s.starts_with("good") => AliasQuality::Strong,
                Some(s) if s.starts_with("low") => AliasQuality::Weak,
                _ => AliasQuality::Unknown,
            };
            e.push_alias(&name, q);
        }
        if let Some(nl) = get(c_nonlatin) {
            e.push_alias(nl, AliasQuality::Strong);
        }
        if let Some(d) = get(c_dob).and_then(parse_dob) {
            e.push_birth_date(d);
        }
        if let Some(n) = get(c_nat) {
            for part in n.split(&[',', ';'][..]) {
                // OFSI numbers multiple values: "(1) Syria (2) Iraq"
                let p = part
                    .trim()
                    .trim_start_matches(|c: char| c == '(' || c.is_ascii_digit() || c == ')')
                    .trim();
                e.push_nationality(p);
            }
        }
        for c in [c_passport, c_natid] {
            if let Some(doc) = get(c) {
                if !e.documents.iter().any(|d| d == doc) {
                    e.documents.push(doc.to_string());
                }
            }
        }
        if let Some(r) = get(c_regime) {
            if !e.programs.iter().any(|p| p == r) {
                e.programs.push(r.to_string());
            }
        }
    }
    Ok(out)
}
