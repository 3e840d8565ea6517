//! OpenSanctions exports: FollowTheMoney entities as JSON lines (`entities.ftm.json`) and the
//! Senzing JSON variant (flat `NAME_FULL`/`NAME_FIRST`… fields or nested `NAMES`/`DATES`, as a
//! JSON array or JSON lines). PEP vs sanctioned comes from FtM `topics` (`role.pep`, `sanction`)
//! or, for Senzing, from the data source name.

use serde_json::Value;

use super::parse_date;
use crate::error::ScreeningError;
use crate::model::{AliasQuality, Entity, EntityType, Gender, Source};

fn strings<'a>(props: &'a Value, key: &str) -> Vec<&'a str> {
    props
        .get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Converts one FtM entity; `None` for schemata that are not screenable things (Sanction,
/// Address, Ownership…).
pub fn ftm_entity(v: &Value) -> Option<Entity> {
    let et = match v.get("schema")?.as_str()? {
        "Person" => EntityType::Person,
        "Company" | "Organization" | "LegalEntity" | "PublicBody" => EntityType::Organization,
        "Vessel" => EntityType::Vessel,
        "Airplane" => EntityType::Aircraft,
        _ => return None,
    };
    let id = v.get("id")?.as_str()?;
    let props = v.get("properties")?;
    let names = strings(props, "name");
    let primary = v
        .get("caption")
        .and_then(Value::as_str)
        .or_else(|| names.first().copied())?;
    let mut e = Entity::new(Source::OpenSanctions, id, et, primary);
    for n in names {
        e.push_alias(n, AliasQuality::Strong);
    }
    for n in strings(props, "alias") {
        e.push_alias(n, AliasQuality::Strong);
    }
    for n in strings(props, "weakAlias") {
        e.push_alias(n, AliasQuality::Weak);
    }
    for d in strings(props, "birthDate") {
        if let Some(x) = parse_date(d) {
            e.push_birth_date(x);
        }
    }
    for key in ["nationality", "citizenship"] {
        for c in strings(props, key) {
            e.push_nationality(c);
        }
    }
    e.gender = strings(props, "gender")
        .first()
        .and_then(|g| Gender::parse(g));
    for key in ["idNumber", "passportNumber"] {
        e.documents
            .extend(strings(props, key).into_iter().map(str::to_string));
    }
    let topics = strings(props, "topics");
    e.is_pep = topics.iter().any(|t| t.starts_with("role.pep"));
    e.is_sanctioned = topics.iter().any(|t| t.starts_with("sanction"));
    e.programs = strings(props, "program")
        .into_iter()
        .map(str::to_string)
        .collect();
    e.remarks = strings(props, "notes").first().map(|s| s.to_string());
    Some(e)
}

/// Parses FollowTheMoney JSON lines, skipping non-screenable schemata.
pub fn parse_ftm_lines(text: &str) -> Result<Vec<Entity>, ScreeningError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|source| ScreeningError::Json {
            what: "OpenSanctions FtM",
            line: i + 1,
            source,
        })?;
        out.extend(ftm_entity(&v));
    }
    Ok(out)
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|x| !x.is_empty())
}

fn senzing_name(v: &Value) -> Option<String> {
    if let Some(n) = s(v, "NAME_FULL").or_else(|| s(v, "NAME_ORG")) {
        return Some(n.to_string());
    }
    let parts: Vec<&str> = ["NAME_FIRST", "NAME_MIDDLE", "NAME_LAST"]
        .iter()
        .filter_map(|k| s(v, k))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Converts one Senzing record.
pub fn senzing_record(v: &Value) -> Option<Entity> {
    let id = s(v, "RECORD_ID")?;
    let et = match s(v, "RECORD_TYPE").unwrap_or("PERSON") {
        "PERSON" => EntityType::Person,
        _ => EntityType::Organization,
    };
    let mut names: Vec<String> = senzing_name(v).into_iter().collect();
    if let Some(arr) = v.get("NAMES").and_then(Value::as_array) {
        names.extend(arr.iter().filter_map(senzing_name));
    }
    let mut it = names.into_iter();
    let mut e = Entity::new(Source::OpenSanctions, id, et, it.next()?);
    for n in it {
        e.push_alias(&n, AliasQuality::Strong);
    }
    let mut facts = vec![v];
    for k in ["DATES", "COUNTRIES", "ATTRIBUTES", "IDENTIFIERS"] {
        if let Some(arr) = v.get(k).and_then(Value::as_array) {
            facts.extend(arr.iter());
        }
    }
    for f in facts {
        if let Some(d) = s(f, "DATE_OF_BIRTH").and_then(parse_date) {
            e.push_birth_date(d);
        }
        for k in ["NATIONALITY", "CITIZENSHIP"] {
            if let Some(c) = s(f, k) {
                e.push_nationality(c);
            }
        }
        if let Some(g) = s(f, "GENDER").and_then(Gender::parse) {
            e.gender = Some(g);
        }
        if let Some(p) = s(f, "PASSPORT_NUMBER").or_else(|| s(f, "NATIONAL_ID_NUMBER")) {
            e.documents.push(p.to_string());
        }
    }
    let ds = s(v, "DATA_SOURCE").unwrap_or("").to_ascii_uppercase();
    let risk = v.to_string();
    e.is_pep = ds.contains("PEP") || risk.contains("role.pep");
    e.is_sanctioned = ds.contains("SANCTION") || risk.contains("\"sanction");
    Some(e)
}

/// Parses a Senzing JSON export (array or JSON lines).
pub fn parse_senzing(text: &str) -> Result<Vec<Entity>, ScreeningError> {
    const WHAT: &str = "OpenSanctions Senzing JSON";
    let t = text.trim_start();
    let records: Vec<Value> = if t.starts_with('[') {
        serde_json::from_str(t).map_err(|source| ScreeningError::Json {
            what: WHAT,
            line: 0,
            source,
        })?
    } else {
        let mut v = Vec::new();
        for (i, line) in t.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            v.push(
                serde_json::from_str(line).map_err(|source| ScreeningError::Json {
                    what: WHAT,
                    line: i + 1,
                    source,
                })?,
            );
        }
        v
    };
    Ok(records.iter().filter_map(senzing_record).collect())
}
