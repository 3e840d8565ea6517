//! EU consolidated financial sanctions list XML (the FSF "export" format:
//! `export/sanctionEntity/{subjectType,nameAlias,birthdate,citizen,identification}`).

use super::{parse_xml, Element};
use crate::error::ScreeningError;
use crate::model::{AliasQuality, BirthDate, Entity, EntityType, Gender, Source};

const WHAT: &str = "EU consolidated XML";

fn alias_name(a: &Element) -> Option<String> {
    if let Some(w) = a.attr("wholeName") {
        return Some(w.trim().to_string());
    }
    let parts: Vec<&str> = ["firstName", "middleName", "lastName"]
        .iter()
        .filter_map(|k| a.attr(k))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn birth_date(b: &Element) -> Option<BirthDate> {
    if let Some(d) = b.attr("birthdate").and_then(super::parse_date) {
        return Some(d);
    }
    let year: i32 = b.attr("year")?.parse().ok()?;
    match b.attr("monthOfYear").and_then(|m| m.parse::<u32>().ok()) {
        Some(m) if (1..=12).contains(&m) => Some(BirthDate::YearMonth(year, m)),
        _ => Some(BirthDate::Year(year)),
    }
}

/// Parses the EU consolidated list XML.
pub fn parse(bytes: &[u8]) -> Result<Vec<Entity>, ScreeningError> {
    let doc = parse_xml(bytes, WHAT)?;
    let root = doc.child("export").ok_or_else(|| ScreeningError::Format {
        what: WHAT,
        message: "no export root".into(),
    })?;
    let mut out = Vec::new();
    for se in root.children("sanctionEntity") {
        let id = se
            .attr("logicalId")
            .or_else(|| se.attr("euReferenceNumber"))
            .ok_or_else(|| ScreeningError::Format {
                what: WHAT,
                message: "sanctionEntity without logicalId".into(),
            })?;
        let et = match se
            .child("subjectType")
            .and_then(|s| s.attr("code"))
            .unwrap_or("enterprise")
        {
            "person" => EntityType::Person,
            _ => EntityType::Organization,
        };
        let names: Vec<(String, bool, Option<Gender>)> = se
            .children("nameAlias")
            .filter_map(|a| {
                let strong = a.attr("strong").is_none_or(|s| s != "false");
                alias_name(a).map(|n| (n, strong, a.attr("gender").and_then(Gender::parse)))
            })
            .collect();
        let Some((primary, _, gender)) = names.first().cloned() else {
            continue;
        };
        let mut e = Entity::new(Source::Eu, id, et, primary);
        e.gender = gender;
        for (n, strong, _) in names.iter().skip(1) {
            let q = if *strong {
                AliasQuality::Strong
            } else {
                AliasQuality::Weak
            };
            e.push_alias(n, q);
        }
        for b in se.children("birthdate") {
            if let Some(d) = birth_date(b) {
                e.push_birth_date(d);
            }
        }
        for c in se.children("citizen") {
            if let Some(code) = c.attr("countryIso2Code").filter(|c| *c != "00") {
                e.push_nationality(code);
            } else if let Some(desc) = c.attr("countryDescription") {
                e.push_nationality(desc);
            }
        }
        for i in se.children("identification") {
            if let Some(n) = i.attr("number") {
                e.documents.push(n.to_string());
            }
        }
        e.programs = se
            .children("regulation")
            .filter_map(|r| r.attr("programme").map(str::to_string))
            .collect();
        e.programs.dedup();
        e.remarks = se.child_text("remark").map(str::to_string);
        out.push(e);
    }
    Ok(out)
}
