//! Text for the base-14 Helvetica fonts: WinAnsi encoding, transliteration, measuring, wrapping.
//!
//! The report uses the PDF's built-in Helvetica so it needs no font file and stays small. That font
//! only covers WinAnsi (Latin-1 plus a few typographic marks), so anything else is transliterated
//! where a sensible Latin form exists (Latin Extended-A, Cyrillic and Greek after ICAO 9303 Part 3,
//! as on a passport's MRZ) and replaced by `?` otherwise. The caller learns that a replacement
//! happened so the report can say the JSON decision holds the exact text.

use crate::metrics::{HELVETICA, HELVETICA_BOLD};

/// One of the two faces the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

/// Base letters of U+0100..=U+017F (Latin Extended-A), one per code point. Entries for letters that
/// WinAnsi has natively (Œ œ Š š Ÿ Ž ž) are never reached; ligatures are handled before this table.
const LATIN_EXT_A: &[u8; 128] = b"\
    AaAaAaCcCcCcCcDd\
    DdEeEeEeEeEeGgGg\
    GgGgHhHhIiIiIiIi\
    IiIiJjKkkLlLlLlL\
    lLlNnNnNnnNnOoOo\
    OoOoRrRrRrSsSsSs\
    SsTtTtTtUuUuUuUu\
    UuUuWwYyYZzZzZzs\
";

/// ICAO 9303 transliteration of the Russian/Ukrainian/Belarusian Cyrillic alphabet (upper case;
/// lower case letters map through their upper-case form and are lowered afterwards).
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'А' => "A",
        'Б' => "B",
        'В' => "V",
        'Г' => "G",
        'Ґ' => "G",
        'Д' => "D",
        'Е' | 'Ё' | 'Э' => "E",
        'Є' => "IE",
        'Ж' => "ZH",
        'З' => "Z",
        'И' | 'Й' | 'І' | 'Ї' => "I",
        'К' => "K",
        'Л' => "L",
        'М' => "M",
        'Н' => "N",
        'О' => "O",
        'П' => "P",
        'Р' => "R",
        'С' => "S",
        'Т' => "T",
        'У' | 'Ў' => "U",
        'Ф' => "F",
        'Х' => "KH",
        'Ц' => "TS",
        'Ч' => "CH",
        'Ш' => "SH",
        'Щ' => "SHCH",
        'Ъ' => "IE",
        'Ы' => "Y",
        'Ь' => "",
        'Ю' => "IU",
        'Я' => "IA",
        _ => return None,
    })
}

/// ICAO 9303 transliteration of Greek (upper case; see [`cyrillic`]).
fn greek(c: char) -> Option<&'static str> {
    Some(match c {
        'Α' | 'Ά' => "A",
        'Β' => "V",
        'Γ' => "G",
        'Δ' => "D",
        'Ε' | 'Έ' => "E",
        'Ζ' => "Z",
        'Η' | 'Ή' | 'Ι' | 'Ί' | 'Ϊ' => "I",
        'Θ' => "TH",
        'Κ' => "K",
        'Λ' => "L",
        'Μ' => "M",
        'Ν' => "N",
        'Ξ' => "X",
        'Ο' | 'Ό' | 'Ω' | 'Ώ' => "O",
        'Π' => "P",
        'Ρ' => "R",
        'Σ' => "S",
        'Τ' => "T",
        'Υ' | 'Ύ' | 'Ϋ' => "Y",
        'Φ' => "F",
        'Χ' => "CH",
        'Ψ' => "PS",
        _ => return None,
    })
}

/// The WinAnsi byte for `c`, when the encoding has it.
fn winansi_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(code).ok(),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => return None,
        }),
    }
}

/// Text already encoded for a WinAnsi Helvetica `Tj`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Encoded {
    pub bytes: Vec<u8>,
    /// Some character had no Latin form and became `?`.
    pub lossy: bool,
}

/// Encode `s` to WinAnsi, transliterating what can be and replacing the rest with `?`.
/// Control characters (tabs, newlines) become spaces: callers wrap text themselves.
pub(crate) fn encode(s: &str) -> Encoded {
    let mut out = Encoded {
        bytes: Vec::with_capacity(s.len()),
        lossy: false,
    };
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if let Some(b) = winansi_byte(c) {
            out.bytes.push(b);
            continue;
        }
        let code = u32::from(c);
        match code {
            // Controls and the many Unicode spaces.
            0..=0x1F | 0x7F..=0x9F | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => {
                out.bytes.push(b' ')
            }
            // Combining marks and zero-width characters carry no letter of their own.
            0x0300..=0x036F | 0x200B..=0x200F | 0x2060 | 0xFEFF => {}
            0x2010..=0x2012 => out.bytes.push(b'-'),
            0x2032 => out.bytes.push(b'\''),
            0x0132 => out.bytes.extend_from_slice(b"IJ"),
            0x0133 => out.bytes.extend_from_slice(b"ij"),
            0x0100..=0x017F => {
                let i = (code - 0x0100) as usize;
                out.bytes.push(LATIN_EXT_A.get(i).copied().unwrap_or(b'?'));
            }
            0x0218 => out.bytes.push(b'S'),
            0x0219 => out.bytes.push(b's'),
            0x021A => out.bytes.push(b'T'),
            0x021B => out.bytes.push(b't'),
            _ => {
                let upper = c.to_uppercase().next().unwrap_or(c);
                let lower = upper != c;
                // Final sigma has no distinct upper-case letter.
                let upper = if c == 'ς' { 'Σ' } else { upper };
                match cyrillic(upper).or_else(|| greek(upper)) {
                    Some(latin) if lower || c == 'ς' => out
                        .bytes
                        .extend(latin.bytes().map(|b| b.to_ascii_lowercase())),
                    Some(latin) => {
                        // A capital followed by lower case reads as a name: "Zhanna", not "ZHanna".
                        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                        for (k, b) in latin.bytes().enumerate() {
                            let lower_it = next_lower && k > 0;
                            out.bytes
                                .push(if lower_it { b.to_ascii_lowercase() } else { b });
                        }
                    }
                    None => {
                        out.bytes.push(b'?');
                        out.lossy = true;
                    }
                }
            }
        }
    }
    out
}

/// Advance width of one encoded byte, in text space units (1/1000 em).
fn byte_width(font: Font, b: u8) -> u16 {
    let table = match font {
        Font::Regular => &HELVETICA,
        Font::Bold => &HELVETICA_BOLD,
    };
    b.checked_sub(32)
        .and_then(|i| table.get(usize::from(i)).copied())
        .unwrap_or(556)
}

/// Width of encoded bytes at `size` points.
pub(crate) fn width(font: Font, size: f32, bytes: &[u8]) -> f32 {
    let units: u32 = bytes.iter().map(|&b| u32::from(byte_width(font, b))).sum();
    units as f32 * size / 1000.0
}

/// Break encoded text into lines no wider than `max` points. Breaks at spaces; a word longer than a
/// line is cut between characters. Always returns at least one (possibly empty) line.
pub(crate) fn wrap(font: Font, size: f32, bytes: &[u8], max: f32) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_w = 0.0_f32;
    let space_w = width(font, size, b" ");
    for word in bytes.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let word_w = width(font, size, word);
        let needed = if line.is_empty() {
            word_w
        } else {
            line_w + space_w + word_w
        };
        if needed <= max {
            if !line.is_empty() {
                line.push(b' ');
            }
            line.extend_from_slice(word);
            line_w = needed;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_w = 0.0;
        }
        if word_w <= max {
            line.extend_from_slice(word);
            line_w = word_w;
            continue;
        }
        // Hard-break an over-long token (URLs, hashes, MRZ lines).
        for &b in word {
            let w = width(font, size, &[b]);
            if line_w + w > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            line.push(b);
            line_w += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cut encoded text to fit `max` points, ending with an ellipsis when shortened.
pub(crate) fn truncate(font: Font, size: f32, bytes: &[u8], max: f32) -> Vec<u8> {
    if width(font, size, bytes) <= max {
        return bytes.to_vec();
    }
    let ellipsis = 0x85_u8;
    let budget = max - width(font, size, &[ellipsis]);
    let mut out = Vec::new();
    let mut w = 0.0;
    for &b in bytes {
        let bw = width(font, size, &[b]);
        if w + bw > budget {
            break;
        }
        out.push(b);
        w += bw;
    }
    out.push(ellipsis);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_passes_through() {
        let e = encode("José Müller");
        assert_eq!(e.bytes, b"Jos\xe9 M\xfcller");
        assert!(!e.lossy);
    }

    #[test]
    fn transliterates_and_replaces() {
        assert_eq!(encode("Łukasz Wałęsa").bytes, b"Lukasz Walesa");
        assert_eq!(encode("Жанна Щукина").bytes, b"Zhanna Shchukina");
        assert_eq!(encode("ЖАННА").bytes, b"ZHANNA");
        let cjk = encode("日本");
        assert_eq!(cjk.bytes, b"??");
        assert!(cjk.lossy);
    }

    #[test]
    fn wraps_long_words() {
        let text = encode(&"A".repeat(200)).bytes;
        let lines = wrap(Font::Regular, 10.0, &text, 100.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(width(Font::Regular, 10.0, l) <= 100.0);
        }
        assert_eq!(wrap(Font::Bold, 10.0, b"", 50.0), vec![Vec::<u8>::new()]);
    }
}
