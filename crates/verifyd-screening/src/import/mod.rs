//! Importers: one function per published list format, bytes/readers in, `Vec<Entity>` out.
//!
//! Each list is parsed into a small DOM first (the files are a few MB), which keeps every importer
//! a readable walk over the list's own element names instead of a streaming state machine.

pub mod eu;
pub mod ofac;
pub mod opensanctions;
pub mod uk;
pub mod un;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::ScreeningError;

/// A parsed XML element (namespace prefixes stripped).
#[derive(Debug, Default, Clone)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// First child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child with this name, if non-empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// Attribute value by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    match s.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => s.into_owned(),
    }
}

/// Parses a whole XML document into a tree rooted at a synthetic element.
pub(crate) fn parse_xml(bytes: &[u8], what: &'static str) -> Result<Element, ScreeningError> {
    let mut reader = Reader::from_reader(bytes);
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut buf = Vec::new();
    let err = |reader: &Reader<&[u8]>, message: String| ScreeningError::Xml {
        what,
        position: reader.buffer_position(),
        message,
    };
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let mut el = Element {
                    name: local(e.name().as_ref()),
                    ..Element::default()
                };
                for a in e.attributes().flatten() {
                    let v = a
                        .unescape_value()
                        .map_err(|x| err(&reader, x.to_string()))?
                        .into_owned();
                    el.attrs.push((local(a.key.as_ref()), v));
                }
                stack.push(el);
            }
            Ok(Event::Empty(e)) => {
                let mut el = Element {
                    name: local(e.name().as_ref()),
                    ..Element::default()
                };
                for a in e.attributes().flatten() {
                    let v = a
                        .unescape_value()
                        .map_err(|x| err(&reader, x.to_string()))?
                        .into_owned();
                    el.attrs.push((local(a.key.as_ref()), v));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(el);
                }
            }
            Ok(Event::Text(t)) => {
                let t = t.unescape().map_err(|x| err(&reader, x.to_string()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::End(_)) => {
                if stack.len() < 2 {
                    return Err(err(&reader, "unbalanced end tag".into()));
                }
                if let Some(el) = stack.pop() {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(el);
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(err(&reader, e.to_string())),
        }
        buf.clear();
    }
    if stack.len() != 1 {
        return Err(err(&reader, "unexpected end of document".into()));
    }
    stack
        .pop()
        .ok_or_else(|| err(&reader, "empty document".into()))
}

/// Parses `1960-01-12`, `1960-01`, `1960`, `12 Jan 1960`, `Jan 1960`, `12/01/1960`.
pub(crate) fn parse_date(s: &str) -> Option<crate::model::BirthDate> {
    use crate::model::BirthDate;
    use chrono::NaiveDate;
    let s = s.trim().trim_end_matches('.');
    let s = s
        .trim_start_matches("circa")
        .trim_start_matches("Circa")
        .trim_start_matches("approximately")
        .trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(BirthDate::Full(d));
    }
    for f in ["%d %b %Y", "%d %B %Y", "%d/%m/%Y", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(BirthDate::Full(d));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(&format!("01 {s}"), "%d %b %Y") {
        return Some(BirthDate::YearMonth(
            chrono::Datelike::year(&d),
            chrono::Datelike::month(&d),
        ));
    }
    if let Some((y, m)) = s.split_once('-') {
        if let (Ok(y), Ok(m)) = (y.parse::<i32>(), m.parse::<u32>()) {
            if (1..=12).contains(&m) {
                return Some(BirthDate::YearMonth(y, m));
            }
        }
    }
    if s.len() == 4 {
        if let Ok(y) = s.parse::<i32>() {
            return Some(BirthDate::Year(y));
        }
    }
    None
}

/// Expands a year range "1955 to 1958" into one `Year` per year (at most 15).
pub(crate) fn year_range(from: i32, to: i32) -> Vec<crate::model::BirthDate> {
    if to < from || to - from > 15 {
        return vec![crate::model::BirthDate::Year(from)];
    }
    (from..=to).map(crate::model::BirthDate::Year).collect()
}

/// Loads every list file recognised under `path` (a file or a directory, not recursive), by
/// file name: `*un*.xml` (UN), `*sdn*.xml` (OFAC XML), `*eu*.xml` / `*fsf*.xml` (EU),
/// `sdn.csv` / `*ofac_sdn*.csv` with their `alt`/`add` siblings (OFAC SDN), `cons_prim.csv` /
/// `*cons_prim*.csv` with siblings (OFAC consolidated), `*conlist*.csv` (UK OFSI),
/// `*.ftm.json` / `*.jsonl` (OpenSanctions FtM) and `*senzing*.json` (OpenSanctions Senzing).
/// Other files are ignored. Used by `verifyd lists` / `verifyd eval aml`.
pub fn load_path(path: &std::path::Path) -> Result<Vec<crate::model::Entity>, ScreeningError> {
    use crate::model::Source;
    const WHAT: &str = "list file";
    let io = |source| ScreeningError::Io { what: WHAT, source };
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut out = Vec::new();
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let read = || std::fs::read(f).map_err(io);
        // OFAC CSV: the primary file names its siblings
        let sibling = |from: &str, to: &str| {
            let p = f.with_file_name(
                f.file_name()
                    .map(|n| n.to_string_lossy().replace(from, to))
                    .unwrap_or_default(),
            );
            std::fs::File::open(p).ok()
        };
        if name.ends_with(".xml") {
            if name.contains("sdn") {
                out.extend(ofac::parse_sdn_xml(&read()?, Source::OfacSdn)?);
            } else if name.contains("eu") || name.contains("fsf") {
                out.extend(eu::parse(&read()?)?);
            } else if name.contains("un") {
                out.extend(un::parse(&read()?)?);
            }
        } else if name.ends_with(".csv") {
            if name.contains("cons_prim") {
                let file = std::fs::File::open(f).map_err(io)?;
                out.extend(ofac::parse_csv(
                    Source::OfacConsolidated,
                    file,
                    sibling("prim", "alt"),
                    sibling("prim", "add"),
                )?);
            } else if name == "sdn.csv" || name.contains("ofac_sdn") {
                let file = std::fs::File::open(f).map_err(io)?;
                out.extend(ofac::parse_csv(
                    Source::OfacSdn,
                    file,
                    sibling("sdn", "alt"),
                    sibling("sdn", "add"),
                )?);
            } else if name.contains("conlist") {
                out.extend(uk::parse(std::fs::File::open(f).map_err(io)?)?);
            }
        } else if name.contains("senzing") && name.ends_with(".json") {
            let text = String::from_utf8_lossy(&read()?).into_owned();
            out.extend(opensanctions::parse_senzing(&text)?);
        } else if name.ends_with(".ftm.json") || name.ends_with(".jsonl") {
            let text = String::from_utf8_lossy(&read()?).into_owned();
            out.extend(opensanctions::parse_ftm_lines(&text)?);
        }
    }
    Ok(out)
}

/// Parses the files of one published list, as `verifyd lists import --source` receives them:
/// OFAC (`ofac-sdn`, `ofac-cons`) takes its XML file, or its CSV primary file followed by the
/// optional `alt` and `add` files; `un` and `eu` one XML file; `uk` the OFSI CSV; and
/// `opensanctions` FollowTheMoney JSON lines or a Senzing export. Several files of a
/// single-file list are parsed one by one and concatenated.
pub fn parse_source(
    source: crate::model::Source,
    files: &[Vec<u8>],
) -> Result<Vec<crate::model::Entity>, ScreeningError> {
    use crate::model::Source;
    let is_xml = |bytes: &[u8]| {
        bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF)
            .is_some_and(|b| *b == b'<')
    };
    let mut out = Vec::new();
    match source {
        Source::OfacSdn | Source::OfacConsolidated => match files {
            [] => {}
            [xml, rest @ ..] if is_xml(xml) => {
                out.extend(ofac::parse_sdn_xml(xml, source)?);
                for more in rest {
                    out.extend(ofac::parse_sdn_xml(more, source)?);
                }
            }
            [primary, rest @ ..] => {
                out.extend(ofac::parse_csv(
                    source,
                    primary.as_slice(),
                    rest.first().map(Vec::as_slice),
                    rest.get(1).map(Vec::as_slice),
                )?);
            }
        },
        Source::Un => {
            for f in files {
                out.extend(un::parse(f)?);
            }
        }
        Source::Eu => {
            for f in files {
                out.extend(eu::parse(f)?);
            }
        }
        Source::Uk => {
            for f in files {
                out.extend(uk::parse(f.as_slice())?);
            }
        }
        Source::OpenSanctions => {
            for f in files {
                let text = String::from_utf8_lossy(f);
                let first = text.trim_start().chars().next();
                let senzing = first == Some('[')
                    || text
                        .lines()
                        .next()
                        .is_some_and(|l| l.contains("\"RECORD_ID\""));
                if senzing {
                    out.extend(opensanctions::parse_senzing(&text)?);
                } else {
                    out.extend(opensanctions::parse_ftm_lines(&text)?);
                }
            }
        }
    }
    Ok(out)
}
