//! Where each field sits in each MRZ format (ICAO 9303 Parts 4–7).
//!
//! Positions are kept as data rather than spread through the parser so that parsing, OCR
//! correction and generation all agree on one table.

use serde::Serialize;

/// The five MRZ layouts of ICAO 9303.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Format {
    /// ID-card size: 3 lines of 30 characters (Part 5).
    #[serde(rename = "TD1")]
    Td1,
    /// 2 lines of 36 characters (Part 6).
    #[serde(rename = "TD2")]
    Td2,
    /// Passport booklet: 2 lines of 44 characters (Part 4).
    #[serde(rename = "TD3")]
    Td3,
    /// Full-page visa: 2 lines of 44 characters, document code `V…` (Part 7).
    #[serde(rename = "MRVA")]
    MrvA,
    /// Small visa: 2 lines of 36 characters, document code `V…` (Part 7).
    #[serde(rename = "MRVB")]
    MrvB,
}

impl Format {
    /// Number of lines.
    pub fn lines(self) -> usize {
        match self {
            Format::Td1 => 3,
            _ => 2,
        }
    }

    /// Characters per line.
    pub fn width(self) -> usize {
        match self {
            Format::Td1 => 30,
            Format::Td2 | Format::MrvB => 36,
            Format::Td3 | Format::MrvA => 44,
        }
    }

    /// The name used on the wire (`"TD1"`, …, `"MRVA"`, `"MRVB"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
            Format::MrvA => "MRVA",
            Format::MrvB => "MRVB",
        }
    }

    /// True for the two visa formats, which have no composite check digit.
    pub fn is_visa(self) -> bool {
        matches!(self, Format::MrvA | Format::MrvB)
    }

    /// The format for a zone of `lines` lines of `width` characters whose document code starts
    /// with `first` (`V` selects the visa layout of the same size).
    pub(crate) fn from_shape(lines: usize, width: usize, first: u8) -> Option<Format> {
        let visa = first == b'V';
        match (lines, width, visa) {
            (3, 30, _) => Some(Format::Td1),
            (2, 36, false) => Some(Format::Td2),
            (2, 36, true) => Some(Format::MrvB),
            (2, 44, false) => Some(Format::Td3),
            (2, 44, true) => Some(Format::MrvA),
            _ => None,
        }
    }

    pub(crate) fn layout(self) -> Layout {
        match self {
            Format::Td1 => TD1,
            Format::Td2 => two_line(36, 7, false, true),
            Format::Td3 => two_line(44, 14, true, true),
            Format::MrvA => two_line(44, 16, false, false),
            Format::MrvB => two_line(36, 8, false, false),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run of characters on one line (0-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: usize,
    pub start: usize,
    pub len: usize,
}

impl Span {
    const fn new(line: usize, start: usize, len: usize) -> Span {
        Span { line, start, len }
    }

    pub fn end(self) -> usize {
        self.start + self.len
    }

    #[cfg(test)]
    pub fn contains(self, line: usize, col: usize) -> bool {
        self.line == line && col >= self.start && col < self.end()
    }

    /// The positions this span covers, in reading order.
    pub fn positions(self) -> impl Iterator<Item = (usize, usize)> {
        (self.start..self.end()).map(move |c| (self.line, c))
    }
}

/// Field positions of one format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub document_code: Span,
    pub issuing_state: Span,
    pub name: Span,
    pub document_number: Span,
    pub document_number_check: Span,
    pub nationality: Span,
    pub birth_date: Span,
    pub birth_date_check: Span,
    pub sex: Span,
    pub expiry_date: Span,
    pub expiry_date_check: Span,
    pub optional_data: Span,
    /// TD3 only: the personal-number check digit.
    pub optional_data_check: Option<Span>,
    /// TD1 only: the second optional-data field (line 2).
    pub optional_data_2: Option<Span>,
    /// Whether the document number may continue into the optional data (TD1, TD2).
    pub long_document_number: bool,
    /// The composite check digit and the spans it covers, absent on visas.
    pub composite: Option<(&'static [Span], Span)>,
}

const TD1_COMPOSITE: &[Span] = &[
    Span::new(0, 5, 25),
    Span::new(1, 0, 7),
    Span::new(1, 8, 7),
    Span::new(1, 18, 11),
];

const TD1: Layout = Layout {
    document_code: Span::new(0, 0, 2),
    issuing_state: Span::new(0, 2, 3),
    document_number: Span::new(0, 5, 9),
    document_number_check: Span::new(0, 14, 1),
    optional_data: Span::new(0, 15, 15),
    birth_date: Span::new(1, 0, 6),
    birth_date_check: Span::new(1, 6, 1),
    sex: Span::new(1, 7, 1),
    expiry_date: Span::new(1, 8, 6),
    expiry_date_check: Span::new(1, 14, 1),
    nationality: Span::new(1, 15, 3),
    optional_data_2: Some(Span::new(1, 18, 11)),
    composite: Some((TD1_COMPOSITE, Span::new(1, 29, 1))),
    name: Span::new(2, 0, 30),
    optional_data_check: None,
    long_document_number: true,
};

// Line 2 of TD2/TD3 is covered by the composite digit from column 0 to the end, skipping only the
// nationality (10..13).
const TD2_COMPOSITE: &[Span] = &[
    Span::new(1, 0, 10),
    Span::new(1, 13, 7),
    Span::new(1, 21, 14),
];
const TD3_COMPOSITE: &[Span] = &[
    Span::new(1, 0, 10),
    Span::new(1, 13, 7),
    Span::new(1, 21, 22),
];

/// TD2, TD3 and both visas share their first 28 columns of line 2; they differ in the width and
/// in what follows (optional data length, personal-number digit, composite digit).
const fn two_line(
    width: usize,
    optional_len: usize,
    personal_check: bool,
    composite: bool,
) -> Layout {
    let composite = if composite {
        if width == 44 {
            Some((TD3_COMPOSITE, Span::new(1, 43, 1)))
        } else {
            Some((TD2_COMPOSITE, Span::new(1, 35, 1)))
        }
    } else {
        None
    };
    Layout {
        document_code: Span::new(0, 0, 2),
        issuing_state: Span::new(0, 2, 3),
        name: Span::new(0, 5, width - 5),
        document_number: Span::new(1, 0, 9),
        document_number_check: Span::new(1, 9, 1),
        nationality: Span::new(1, 10, 3),
        birth_date: Span::new(1, 13, 6),
        birth_date_check: Span::new(1, 19, 1),
        sex: Span::new(1, 20, 1),
        expiry_date: Span::new(1, 21, 6),
        expiry_date_check: Span::new(1, 27, 1),
        optional_data: Span::new(1, 28, optional_len),
        optional_data_check: if personal_check {
            Some(Span::new(1, 28 + optional_len, 1))
        } else {
            None
        },
        optional_data_2: None,
        long_document_number: width == 36 && composite.is_some(),
        composite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of every line belongs to exactly one field.
    #[test]
    fn layouts_tile_the_zone() {
        for f in [
            Format::Td1,
            Format::Td2,
            Format::Td3,
            Format::MrvA,
            Format::MrvB,
        ] {
            let l = f.layout();
            let mut spans = vec![
                l.document_code,
                l.issuing_state,
                l.name,
                l.document_number,
                l.document_number_check,
                l.nationality,
                l.birth_date,
                l.birth_date_check,
                l.sex,
                l.expiry_date,
                l.expiry_date_check,
                l.optional_data,
            ];
            spans.extend(l.optional_data_check);
            spans.extend(l.optional_data_2);
            spans.extend(l.composite.map(|c| c.1));
            for line in 0..f.lines() {
                for col in 0..f.width() {
                    let n = spans.iter().filter(|s| s.contains(line, col)).count();
                    assert_eq!(n, 1, "{f} line {line} col {col}");
                }
            }
        }
    }
}
