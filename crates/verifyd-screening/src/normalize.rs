//! Name normalisation: script folding, transliteration, tokenisation and phonetic keys.
//!
//! Everything the matcher compares goes through here, so a query typed in Arabic, a name with a
//! Cyrillic "А" smuggled into Latin text, and the list's upper-case ASCII spelling all end up as
//! the same kind of lower-case ASCII tokens. The transliteration tables are deliberately simple
//! (one Latin spelling per letter): the phonetic key and the fuzzy token comparison absorb the
//! remaining spelling variation (Husayn/Hussein, Tarek/Tariq), which is cheaper and more robust
//! than trying to guess the "official" romanisation.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Whether a name is a person's or an organisation's (decides which noise words are dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// Personal name: titles/honorifics are dropped.
    Person,
    /// Organisation/vessel/aircraft: legal-form suffixes are dropped.
    Organization,
}

/// Titles and honorifics that lists and users add or omit at will (Mr, Dr, Sheikh, Haji, Mullah…).
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "doctor",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "sheikh",
    "shaykh",
    "shaikh",
    "sheik",
    "cheikh",
    "haji",
    "hajji",
    "hadji",
    "alhaj",
    "alhaji",
    "hajj",
    "mullah",
    "mulla",
    "maulavi",
    "mawlawi",
    "maulvi",
    "molvi",
    "mawlavi",
    "maulana",
    "qari",
    "hafiz",
    "imam",
    "general",
    "gen",
    "col",
    "colonel",
    "major",
    "maj",
    "capt",
    "captain",
    "lt",
    "brigadier",
    "commander",
    "rev",
    "reverend",
    "eng",
    "engineer",
    "sayyed",
    "mufti",
    "emir",
];

/// Legal-form suffixes and filler words of organisation names.
const COMPANY_WORDS: &[&str] = &[
    "ltd",
    "limited",
    "llc",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "llp",
    "lp",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "pte",
    "pvt",
    "private",
    "sdn",
    "bhd",
    "kg",
    "ab",
    "oy",
    "the",
    "of",
    "and",
    "for",
];

/// Name particles: kept for display and joined-spelling checks, but weigh little in scoring.
const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ud", "ur", "ad", "as", "ash", "at", "az", "bin", "ibn", "ben", "bint",
    "binti", "van", "von", "der", "den", "de", "da", "del", "della", "di", "du", "dos", "das",
    "la", "le",
];

/// Whether `t` is a name particle (`al`, `bin`, `van`, `de`, …).
pub fn is_particle(t: &str) -> bool {
    PARTICLES.contains(&t)
}

/// Cyrillic → Latin (a practical blend of the Russian/Ukrainian passport romanisations).
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'э' | 'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'џ' => "dz",
        'ѕ' => "dz",
        _ => return None,
    })
}

/// Greek → Latin (ELOT 743-like, simplified).
fn greek(c: char) -> Option<&'static str> {
    Some(match c {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' => "i",
        'θ' => "th",
        'ι' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' => "o",
        _ => return None,
    })
}

/// Arabic and Persian letters → Latin consonant skeleton. Short vowels are not written in Arabic,
/// so the output is vowel-poor; the phonetic key compares consonant skeletons for that reason.
fn arabic(c: char, word_start: bool) -> Option<&'static str> {
    Some(match c {
        'ا' | 'أ' | 'آ' | 'ٱ' => "a",
        'إ' => "i",
        'ب' => "b",
        'ت' | 'ط' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' | 'ه' => "h",
        'خ' => "kh",
        'د' | 'ض' => "d",
        'ذ' => "dh",
        'ر' => "r",
        'ز' | 'ظ' => "z",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'ع' | 'ء' | 'ئ' | 'ؤ' | 'ـ' => "",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' => {
            if word_start {
                "w"
            } else {
                "u"
            }
        }
        'ي' | 'ی' | 'ې' => {
            if word_start {
                "y"
            } else {
                "i"
            }
        }
        'ى' => "a",
        'ة' => "a",
        'پ' => "p",
        'چ' => "ch",
        'ژ' => "zh",
        'گ' => "g",
        _ => return None,
    })
}

/// Cyrillic/Greek letters that look like Latin ones; used only inside mixed-script words, where a
/// "Саrlos" is a spoofed "Carlos", not a transliteration.
fn homoglyph(c: char) -> Option<char> {
    Some(match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'е' | 'ε' => 'e',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'н' | 'η' => 'h',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'с' => 'c',
        'т' | 'τ' => 't',
        'у' | 'γ' => 'y',
        'х' | 'χ' => 'x',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ν' => 'v',
        'υ' => 'u',
        'ԁ' => 'd',
        'ɡ' => 'g',
        'ℓ' => 'l',
        _ => return None,
    })
}

fn is_cyrillic_or_greek(c: char) -> bool {
    // Greek (0370–03FF) and Cyrillic (0400–052F) are contiguous
    matches!(c as u32, 0x0370..=0x052F)
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F)
}

/// Folds any text to lower-case Latin: NFKD, drop combining marks, transliterate Cyrillic, Greek
/// and Arabic, undo homoglyph spoofing, and fall back to `deunicode` for other scripts.
/// Punctuation and spacing are preserved (tokenisation happens later).
pub fn fold_latin(s: &str) -> String {
    let decomposed: String = s
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = String::with_capacity(decomposed.len() + 8);
    for word in decomposed.split_inclusive(|c: char| c.is_whitespace()) {
        let has_latin = word.chars().any(|c| c.is_ascii_alphabetic());
        let has_cg = word.chars().any(is_cyrillic_or_greek);
        let spoofed = has_latin && has_cg;
        let mut word_start = true;
        let mut chars = word.chars().peekable();
        // The Arabic definite article is written joined ("السيد"); split it off like Latin
        // spellings do ("al-Sayyid").
        let mut arabic_word = word.chars().filter(|c| is_arabic(*c)).count() >= 2;
        while let Some(c) = chars.next() {
            if c.is_ascii() {
                out.push(if c.is_whitespace() { ' ' } else { c });
                word_start = !c.is_ascii_alphanumeric();
                continue;
            }
            if c.is_whitespace() {
                out.push(' ');
                word_start = true;
                continue;
            }
            if spoofed {
                if let Some(h) = homoglyph(c) {
                    out.push(h);
                    word_start = false;
                    continue;
                }
            }
            if arabic_word && word_start && c == 'ا' && chars.peek() == Some(&'ل') {
                chars.next();
                out.push_str("al ");
                arabic_word = false;
                word_start = true;
                continue;
            }
            let mapped = cyrillic(c)
                .or_else(|| greek(c))
                .or_else(|| arabic(c, word_start));
            match mapped {
                Some(m) => out.push_str(m),
                None if is_arabic(c) => {} // Arabic punctuation, tatweel, digits' marks
                None if c.is_alphanumeric() => {
                    let d = deunicode::deunicode_char(c).unwrap_or("");
                    out.push_str(&d.to_lowercase());
                    // CJK syllables come out as separate words
                    if d.len() > 1 && !c.is_alphabetic() {
                        out.push(' ');
                    }
                }
                None => out.push(' '),
            }
            word_start = false;
        }
    }
    out
}

/// Splits folded text into tokens: letters and digits, apostrophes removed inside words
/// (`mas'ud` → `masud`), every other character a separator.
pub fn tokenize(folded: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '`' || c == '’' || c == 'ʼ' || c == 'ʻ' {
            // elided: ky'ong → kyong
        } else if !cur.is_empty() {
            tokens.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

/// Normalises a name to comparison tokens: fold, tokenise, drop honorifics (persons) or legal
/// forms (organisations). If dropping would leave nothing, the tokens are kept.
pub fn name_tokens(name: &str, kind: NameKind) -> Vec<String> {
    let tokens = tokenize(&fold_latin(name));

    let stop: &[&str] = match kind {
        NameKind::Person => HONORIFICS,
        NameKind::Organization => COMPANY_WORDS,
    };
    let kept: Vec<String> = tokens
        .iter()
        .filter(|t| !stop.contains(&t.as_str()))
        .cloned()
        .collect();
    if kept.iter().any(|t| !is_particle(t)) {
        kept
    } else {
        tokens
    }
}

/// A consonant-skeleton phonetic key tuned for romanised Arabic, Persian, Slavic and Spanish names:
/// digraphs collapse (kh→h, sh→s, ph→f…), q/c/ck→k, z→s, inner vowels and h/w/v/y vanish,
/// doubles collapse; a leading vowel becomes `a`. "Husayn"/"Hussein"/"حسين" → `hsn`;
/// "Mohammed"/"Muhammad" → `md`; "Tarek"/"Tariq" → `trk`.
pub fn phonetic_key(token: &str) -> String {
    let b = token.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let (mapped, step): (u8, usize) = match (c, next) {
            // Russian renders Arabic ح/ه as "kh" (Шахабуддин), English as "h"
            (b'k', b'h') => (b'h', 2),
            (b'c', b'k') => (b'k', 2),
            (b'g', b'h') => (b'g', 2),
            (b's', b'h') | (b'z', b'h') => (b's', 2),
            (b'c', b'h') | (b't', b's') => (b'c', 2),
            (b'p', b'h') => (b'f', 2),
            (b't', b'h') => (b't', 2),
            (b'd', b'h') => (b'd', 2),
            (b'd', b'j') => (b'j', 2),
            (b'q', _) | (b'c', _) => (b'k', 1),
            (b'z', _) => (b's', 1),
            // w/v: Arabic و is a vowel or a consonant, Slavic в is v or w (Delawar/Delavar)
            (b'v', _) | (b'w', _) if i > 0 => (b'w', 1),
            (b'x', _) => (b'k', 1),
            _ => (c, 1),
        };
        let is_vowelish = matches!(
            mapped,
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'h' | b'w'
        );
        if out.is_empty() && i == 0 {
            if matches!(mapped, b'a' | b'e' | b'i' | b'o' | b'u') {
                out.push(b'a');
            } else {
                out.push(mapped);
            }
        } else if !is_vowelish && out.last() != Some(&mapped) && mapped.is_ascii_alphanumeric() {
            out.push(mapped);
        }
        i += step;
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_scripts_to_latin() {
        assert_eq!(
            fold_latin("Аслан Авгазарович Бютукаев"),
            "aslan avgazarovich byutukaev"
        );
        assert_eq!(fold_latin("José Núñez"), "jose nunez");
        // homoglyph: Cyrillic Р and А inside Latin words
        assert_eq!(fold_latin("Рejman NАGIBIN"), "pejman nagibin");
        assert_eq!(fold_latin("طاريق"), "tariq");
        assert_eq!(fold_latin("السيد"), "al sid");
        assert_eq!(fold_latin("Σωκράτης"), "sokratis");
    }

    #[test]
    fn tokens_drop_titles_and_legal_forms() {
        assert_eq!(
            name_tokens("Dr. Ayman AL-ZAWAHIRI", NameKind::Person),
            vec!["ayman", "al", "zawahiri"]
        );
        assert_eq!(
            name_tokens("Mas'ud NIKBAKHT", NameKind::Person),
            vec!["masud", "nikbakht"]
        );
        assert_eq!(
            name_tokens("ANGLO-CARIBBEAN CO., LTD.", NameKind::Organization),
            vec!["anglo", "caribbean"]
        );
    }

    #[test]
    fn phonetic_keys_merge_spelling_variants() {
        assert_eq!(phonetic_key("husayn"), phonetic_key("hussein"));
        assert_eq!(phonetic_key("mohammed"), phonetic_key("muhammad"));
        assert_eq!(phonetic_key("tarek"), phonetic_key("tariq"));
        assert_eq!(phonetic_key("ahmad"), phonetic_key("ahmed"));
        assert_eq!(phonetic_key("osama"), phonetic_key("usama"));
        assert_ne!(phonetic_key("naing"), phonetic_key("khaing"));
    }
}
