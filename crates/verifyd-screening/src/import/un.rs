//! UN Security Council consolidated list XML (`CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL`,
//! `ENTITIES/ENTITY`), as published at scsanctions.un.org.

use super::{parse_date, parse_xml, year_range, Element};
use crate::error::ScreeningError;
use crate::model::{AliasQuality, BirthDate, Entity, EntityType, Gender, Source};

const WHAT: &str = "UN consolidated XML";

fn quality(el: &Element) -> AliasQuality {
    match el
        .child_text("QUALITY")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("good") => AliasQuality::Strong,
        Some("low") => AliasQuality::Weak,
        _ => AliasQuality::Unknown,
    }
}

fn common(el: &Element, entity_type: EntityType, name: String) -> Result<Entity, ScreeningError> {
    let id = el
        .child_text("DATAID")
        .ok_or_else(|| ScreeningError::Format {
            what: WHAT,
            message: format!("{} without DATAID", el.name),
        })?;
    let mut e = Entity::new(Source::Un, id, entity_type, name);
    if let Some(t) = el.child_text("UN_LIST_TYPE") {
        e.programs.push(t.to_string());
    }
    e.remarks = el.child_text("COMMENTS1").map(str::to_string);
    if let Some(orig) = el.child_text("NAME_ORIGINAL_SCRIPT") {
        e.push_alias(orig, AliasQuality::Strong);
    }
    Ok(e)
}

fn individual(el: &Element) -> Result<Entity, ScreeningError> {
    let name = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|f| el.child_text(f))
        .collect::<Vec<_>>()
        .join(" ");
    let mut e = common(el, EntityType::Person, name)?;
    e.gender = el.child_text("GENDER").and_then(Gender::parse);
    for a in el.children("INDIVIDUAL_ALIAS") {
        if let Some(n) = a.child_text("ALIAS_NAME") {
            e.push_alias(n, quality(a));
        }
    }
    for n in el.children("NATIONALITY") {
        for v in n.children("VALUE") {
            let t = v.text.trim();
            if !t.is_empty() && t != "na" {
                e.push_nationality(t);
            }
        }
    }
    for d in el.children("INDIVIDUAL_DATE_OF_BIRTH") {
        let dates: Vec<BirthDate> = if let Some(full) = d.child_text("DATE") {
            parse_date(full).into_iter().collect()
        } else if let Some(y) = d.child_text("YEAR").and_then(|y| y.parse().ok()) {
            vec![BirthDate::Year(y)]
        } else if let (Some(f), Some(t)) = (
            d.child_text("FROM_YEAR").and_then(|y| y.parse().ok()),
            d.child_text("TO_YEAR").and_then(|y| y.parse().ok()),
        ) {
            year_range(f, t)
        } else {
            Vec::new()
        };
        for x in dates {
            e.push_birth_date(x);
        }
    }
    for d in el.children("INDIVIDUAL_DOCUMENT") {
        if let Some(n) = d.child_text("NUMBER") {
            e.documents.push(n.to_string());
        }
    }
    Ok(e)
}

fn entity(el: &Element) -> Result<Entity, ScreeningError> {
    // some entities pack two names into one field: "CAGL ; GREAT LAKES BUSINESS COMPANY (GLBC)"
    let full = el.child_text("FIRST_NAME").unwrap_or_default();
    let mut parts = full.split(" ; ").map(str::trim).filter(|p| !p.is_empty());
    let name = parts.next().unwrap_or_default().to_string();
    let mut e = common(el, EntityType::Organization, name)?;
    for p in parts {
        e.push_alias(p, AliasQuality::Strong);
    }
    for a in el.children("ENTITY_ALIAS") {
        if let Some(n) = a.child_text("ALIAS_NAME") {
            e.push_alias(n, quality(a));
        }
    }
    Ok(e)
}

/// Parses the UN consolidated list XML.
pub fn parse(bytes: &[u8]) -> Result<Vec<Entity>, ScreeningError> {
    let doc = parse_xml(bytes, WHAT)?;
    let root = doc
        .child("CONSOLIDATED_LIST")
        .ok_or_else(|| ScreeningError::Format {
            what: WHAT,
            message: "no CONSOLIDATED_LIST root".into(),
        })?;
    let mut out = Vec::new();
    if let Some(ind) = root.child("INDIVIDUALS") {
        for el in ind.children("INDIVIDUAL") {
            out.push(individual(el)?);
        }
    }
    if let Some(ents) = root.child("ENTITIES") {
        for el in ents.children("ENTITY") {
            out.push(entity(el)?);
        }
    }
    Ok(out)
}
