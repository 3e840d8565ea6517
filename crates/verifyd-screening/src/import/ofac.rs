//! OFAC lists: the legacy CSV files (`sdn.csv`/`alt.csv`/`add.csv` and the consolidated
//! `cons_prim.csv`/`cons_alt.csv`/`cons_add.csv`, joined on `ent_num`) and `sdn.xml`.
//!
//! The CSV form has no structured birth dates or nationalities: they live in the free-text remarks
//! ("DOB 12 Jan 1960; alt. DOB 1961; POB …; nationality Iran; Gender Male; a.k.a. 'BNC'."), so
//! [`parse_remarks`] mines them. `-0-` marks an empty field.

use std::collections::HashMap;
use std::io::Read;

use super::{parse_date, parse_xml, year_range, Element};
use crate::error::ScreeningError;
use crate::model::{AliasQuality, Entity, EntityType, Gender, Source};

/// OFAC's empty-field marker is `-0-` (with trailing blanks in the CSV).
fn field(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty() && t != "-0-").then_some(t)
}

/// "AL ZAWAHIRI, Dr. Ayman" → "Dr. Ayman AL ZAWAHIRI" (persons only; lists print surname first).
pub fn surname_last(name: &str) -> String {
    match name.split_once(", ") {
        Some((last, first)) if !first.trim().is_empty() => {
            format!("{} {}", first.trim(), last.trim())
        }
        _ => name.trim().to_string(),
    }
}

/// Mines structured facts out of an OFAC remarks string into `e`.
pub fn parse_remarks(remarks: &str, e: &mut Entity) {
    for part in remarks.split(';') {
        let p = part.trim().trim_end_matches('.').trim();
        let p = p.strip_prefix("alt. ").unwrap_or(p);
        if let Some(d) = p.strip_prefix("DOB ") {
            let d = d.trim();
            if let Some((a, b)) = d.split_once(" to ") {
                match (parse_date(a), parse_date(b)) {
                    (Some(a), Some(b)) => {
                        for x in year_range(a.year(), b.year()) {
                            e.push_birth_date(x);
                        }
                    }
                    (Some(a), None) => e.push_birth_date(a),
                    _ => {}
                }
            } else if let Some(x) = parse_date(d) {
                e.push_birth_date(x);
            }
        } else if let Some(n) = p
            .strip_prefix("nationality ")
            .or_else(|| p.strip_prefix("citizen "))
        {
            e.push_nationality(n);
        } else if let Some(g) = p.strip_prefix("Gender ") {
            e.gender = Gender::parse(g);
        } else if let Some(rest) = p
            .strip_prefix("Passport ")
            .or_else(|| p.strip_prefix("National ID No. "))
            .or_else(|| p.strip_prefix("Cedula No. "))
            .or_else(|| p.strip_prefix("Identification Number "))
        {
            if let Some(num) = rest.split_whitespace().next() {
                e.documents.push(num.to_string());
            }
        }
        // weak aliases are quoted inside the remarks: a.k.a. 'BNC'
        let mut rest = part;
        while let Some(i) = rest.find("a.k.a. '") {
            let after = &rest[i + 8..];
            match after.find('\'') {
                Some(j) => {
                    e.push_alias(&after[..j], AliasQuality::Weak);
                    rest = &after[j + 1..];
                }
                None => break,
            }
        }
    }
}

fn csv_reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}

fn entity_type(sdn_type: Option<&str>) -> EntityType {
    match sdn_type.map(str::to_ascii_lowercase).as_deref() {
        Some("individual") => EntityType::Person,
        Some("vessel") => EntityType::Vessel,
        Some("aircraft") => EntityType::Aircraft,
        _ => EntityType::Organization,
    }
}

/// Parses OFAC's CSV triple. `alt` and `add` are optional; `source` is `OfacSdn` for
/// sdn/alt/add.csv and `OfacConsolidated` for cons_prim/cons_alt/cons_add.csv.
pub fn parse_csv<P: Read, A: Read, D: Read>(
    source: Source,
    primary: P,
    alt: Option<A>,
    add: Option<D>,
) -> Result<Vec<Entity>, ScreeningError> {
    const WHAT: &str = "OFAC CSV";
    let csv_err = |e| ScreeningError::Csv {
        what: WHAT,
        source: e,
    };
    let mut out: Vec<Entity> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for rec in csv_reader(primary).records() {
        let rec = rec.map_err(csv_err)?;
        // the files end with a DOS EOF byte (0x1A) on a line of its own
        let Some(id) = rec
            .get(0)
            .and_then(field)
            .filter(|s| !s.starts_with('\u{1a}'))
        else {
            continue;
        };
        let Some(raw_name) = rec.get(1).and_then(field) else {
            continue;
        };
        let et = entity_type(rec.get(2).and_then(field));
        let name = if et == EntityType::Person {
            surname_last(raw_name)
        } else {
            raw_name.to_string()
        };
        let mut e = Entity::new(source, id, et, name);
        if let Some(p) = rec.get(3).and_then(field) {
            e.programs = p
                .split(&[']', '['][..])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(r) = rec.get(11).and_then(field) {
            parse_remarks(r, &mut e);
            e.remarks = Some(r.to_string());
        }
        by_id.insert(id.to_string(), out.len());
        out.push(e);
    }
    if let Some(alt) = alt {
        for rec in csv_reader(alt).records() {
            let rec = rec.map_err(csv_err)?;
            let (Some(id), Some(name)) = (rec.get(0).and_then(field), rec.get(3).and_then(field))
            else {
                continue;
            };
            let Some(&i) = by_id.get(id) else { continue };
            let Some(e) = out.get_mut(i) else { continue };
            let name = if e.entity_type == EntityType::Person {
                surname_last(name)
            } else {
                name.to_string()
            };
            // the CSV does not carry OFAC's strong/weak flag; weak names sit in the remarks
            e.push_alias(&name, AliasQuality::Strong);
        }
    }
    if let Some(add) = add {
        // addresses are not used for matching; read them only to validate the join
        for rec in csv_reader(add).records() {
            rec.map_err(csv_err)?;
        }
    }
    if out.is_empty() {
        return Err(ScreeningError::Format {
            what: WHAT,
            message: "no entries found".into(),
        });
    }
    Ok(out)
}

fn xml_person_name(el: &Element) -> String {
    [el.child_text("firstName"), el.child_text("lastName")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses OFAC's `sdn.xml` (`sdnList/sdnEntry`).
pub fn parse_sdn_xml(bytes: &[u8], source: Source) -> Result<Vec<Entity>, ScreeningError> {
    const WHAT: &str = "OFAC SDN XML";
    let doc = parse_xml(bytes, WHAT)?;
    let root = doc.child("sdnList").ok_or_else(|| ScreeningError::Format {
        what: WHAT,
        message: "no sdnList root".into(),
    })?;
    let mut out = Vec::new();
    for el in root.children("sdnEntry") {
        let uid = el.child_text("uid").ok_or_else(|| ScreeningError::Format {
            what: WHAT,
            message: "sdnEntry without uid".into(),
        })?;
        let et = entity_type(el.child_text("sdnType"));
        let mut e = Entity::new(source, uid, et, xml_person_name(el));
        if let Some(pl) = el.child("programList") {
            e.programs = pl
                .children("program")
                .map(|p| p.text.trim().to_string())
                .collect();
        }
        if let Some(al) = el.child("akaList") {
            for a in al.children("aka") {
                let q = match a
                    .child_text("category")
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("strong") => AliasQuality::Strong,
                    Some("weak") => AliasQuality::Weak,
                    _ => AliasQuality::Unknown,
                };
                e.push_alias(&xml_person_name(a), q);
            }
        }
        if let Some(dl) = el.child("dateOfBirthList") {
            for d in dl.children("dateOfBirthItem") {
                if let Some(x) = d.child_text("dateOfBirth").and_then(parse_date) {
                    e.push_birth_date(x);
                }
            }
        }
        for (list, item) in [
            ("nationalityList", "nationality"),
            ("citizenshipList", "citizenship"),
        ] {
            if let Some(nl) = el.child(list) {
                for n in nl.children(item) {
                    if let Some(c) = n.child_text("country") {
                        e.push_nationality(c);
                    }
                }
            }
        }
        if let Some(il) = el.child("idList") {
            for id in il.children("id") {
                match (id.child_text("idType"), id.child_text("idNumber")) {
                    (Some("Gender"), Some(g)) => e.gender = Gender::parse(g),
                    (_, Some(n)) => e.documents.push(n.to_string()),
                    _ => {}
                }
            }
        }
        e.remarks = el.child_text("remarks").map(str::to_string);
        if let Some(r) = e.remarks.clone() {
            parse_remarks(&r, &mut e);
        }
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BirthDate;

    #[test]
    fn remarks_yield_dates_nationality_gender_and_weak_aliases() {
        let mut e = Entity::new(Source::OfacSdn, "1", EntityType::Person, "X");
        parse_remarks(
            "DOB 10 Dec 1948; alt. DOB 1950 to 1951; POB Giza, Egypt; nationality Iran; \
             Gender Male; Passport 1084010 (Egypt); a.k.a. 'ABU ABBAS'.",
            &mut e,
        );
        assert_eq!(e.birth_dates.len(), 3);
        assert!(matches!(e.birth_dates[0], BirthDate::Full(_)));
        assert_eq!(e.nationalities, vec!["IRN"]);
        assert_eq!(e.gender, Some(Gender::Male));
        assert_eq!(e.documents, vec!["1084010"]);
        assert_eq!(e.aliases[0].name, "ABU ABBAS");
        assert_eq!(e.aliases[0].quality, AliasQuality::Weak);
    }
}
