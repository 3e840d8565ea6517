//! Letters that Mexican and Italian numbers derive from the holder's names, computed from the
//! names a document states so the cross-check can compare them with the number.
//!
//! The rules are the registries' own: RENAPO's *Instructivo Normativo para la Asignación de la
//! CURP* (particles skipped, María/José skipped as first given name, Ñ → X, first inner vowel and
//! inner consonants, an inconvenient word gets an X), SAT's RFC variant (short and single
//! surnames, the X at the end), and the codice fiscale's consonants-then-vowels rule of DM
//! 23/12/1976. Names are folded to A–Z with the screening crate's transliteration so "Núñez",
//! "NUNEZ" and "Núnez" derive the same letters.

use verifyd_screening::normalize::{fold_latin, tokenize};

/// Words skipped in compound Mexican names (RENAPO instructivo, "preposiciones, conjunciones,
/// contracciones").
const PARTICLES: &[&str] = &[
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS", "LE", "LES",
    "MAC", "MC", "VAN", "VON", "Y",
];

/// First given names skipped when another follows (RENAPO: María and José and their short forms).
const SKIPPED_FIRST_NAMES: &[&str] = &["MARIA", "MA", "JOSE", "J"];

/// Four-letter words RENAPO replaces (second letter → X) in the CURP. SAT's RFC list is a subset.
const INCONVENIENT: &[&str] = &[
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI",
    "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA",
    "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI",
    "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS",
    "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA", "NACO", "PEDA", "PEDO", "PENE",
    "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
];

/// Whether four letters are a word RENAPO/SAT never issue as a name code.
pub(crate) fn is_inconvenient(letters: &str) -> bool {
    INCONVENIENT.contains(&letters)
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'A' | 'E' | 'I' | 'O' | 'U')
}

/// Upper-case A–Z words of a name. `enye_as_x` applies RENAPO's Ñ → X before folding.
pub(crate) fn words(name: &str, enye_as_x: bool) -> Vec<String> {
    let name = if enye_as_x {
        name.replace(['ñ', 'Ñ'], "X")
    } else {
        name.to_owned()
    };
    tokenize(&fold_latin(&name))
        .into_iter()
        .map(|w| w.to_ascii_uppercase())
        .filter(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        .collect()
}

/// Drops particles, keeping the words if nothing else is left.
fn without_particles(words: &[String]) -> Vec<String> {
    let kept: Vec<String> = words
        .iter()
        .filter(|w| !PARTICLES.contains(&w.as_str()))
        .cloned()
        .collect();
    if kept.is_empty() {
        words.to_vec()
    } else {
        kept
    }
}

/// The given name RENAPO and SAT take letters from: the first, unless it is María/José and
/// another follows.
fn principal_given(given: &[String]) -> Option<String> {
    let given = without_particles(given);
    match given.as_slice() {
        [first, second, ..] if SKIPPED_FIRST_NAMES.contains(&first.as_str()) => {
            Some(second.clone())
        }
        [first, ..] => Some(first.clone()),
        [] => None,
    }
}

/// The surname word letters are taken from (particles skipped).
fn principal_surname(words: &[String]) -> Option<String> {
    without_particles(words).into_iter().next()
}

fn first_inner(word: &str, want_vowel: bool) -> char {
    word.chars()
        .skip(1)
        .find(|&c| is_vowel(c) == want_vowel)
        .unwrap_or('X')
}

fn initial(word: Option<&String>) -> char {
    word.and_then(|w| w.chars().next()).unwrap_or('X')
}

/// CURP positions 1–4 and 14–16 for a person, or `None` without a surname and a given name.
pub(crate) fn curp_letters(
    first_surname: &[String],
    second_surname: &[String],
    given: &[String],
) -> Option<(String, String)> {
    let p = principal_surname(first_surname)?;
    let m = principal_surname(second_surname);
    let g = principal_given(given)?;
    let mut letters: Vec<char> = vec![
        initial(Some(&p)),
        first_inner(&p, true),
        initial(m.as_ref()),
        initial(Some(&g)),
    ];
    let word: String = letters.iter().collect();
    if INCONVENIENT.contains(&word.as_str()) {
        letters[1] = 'X';
    }
    let consonants: String = [
        first_inner(&p, false),
        m.as_deref().map_or('X', |m| first_inner(m, false)),
        first_inner(&g, false),
    ]
    .iter()
    .collect();
    Some((letters.into_iter().collect(), consonants))
}

/// RFC positions 1–4 for a person (SAT algorithm), or `None` without a surname and a given name.
pub(crate) fn rfc_letters(
    first_surname: &[String],
    second_surname: &[String],
    given: &[String],
) -> Option<String> {
    let p = principal_surname(first_surname)?;
    let m = principal_surname(second_surname);
    let g = principal_given(given)?;
    let two = |w: &str| -> String {
        let mut it = w.chars();
        [it.next().unwrap_or('X'), it.next().unwrap_or('X')]
            .iter()
            .collect()
    };
    let mut letters: Vec<char> = match &m {
        // One surname only: two letters of it, two of the given name.
        None => format!("{}{}", two(&p), two(&g)).chars().collect(),
        // A surname of one or two letters: initials of both surnames, two letters of the name.
        Some(m) if p.chars().count() <= 2 => {
            format!("{}{}{}", initial(Some(&p)), initial(Some(m)), two(&g))
                .chars()
                .collect()
        }
        Some(m) => vec![
            initial(Some(&p)),
            first_inner(&p, true),
            initial(Some(m)),
            initial(Some(&g)),
        ],
    };
    let word: String = letters.iter().collect();
    if INCONVENIENT.contains(&word.as_str()) {
        if let Some(last) = letters.last_mut() {
            *last = 'X';
        }
    }
    Some(letters.into_iter().collect())
}

fn consonants_and_vowels(name: &str) -> (Vec<char>, Vec<char>) {
    let letters: Vec<char> = words(name, false).concat().chars().collect();
    letters.iter().partition(|&&c| !is_vowel(c))
}

fn three(mut chars: Vec<char>) -> String {
    chars.resize(3.max(chars.len()), 'X');
    chars.into_iter().take(3).collect()
}

/// Codice fiscale characters 1–3: surname consonants, then vowels, then X.
pub(crate) fn cf_surname(surname: &str) -> String {
    let (mut c, v) = consonants_and_vowels(surname);
    c.extend(v);
    three(c)
}

/// Codice fiscale characters 4–6: with four or more consonants the 1st, 3rd and 4th, otherwise
/// consonants, then vowels, then X.
pub(crate) fn cf_name(name: &str) -> String {
    let (c, v) = consonants_and_vowels(name);
    if c.len() >= 4 {
        return [c[0], c[2], c[3]].iter().collect();
    }
    let mut c = c;
    c.extend(v);
    three(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words(s, true)
    }

    #[test]
    fn codice_fiscale_letters_follow_the_decree() {
        // DM 23/12/1976 worked cases: Rossi → RSS, Mario → MRA, Fo → FOX, Gianfranco → GFR.
        assert_eq!(cf_surname("Rossi"), "RSS");
        assert_eq!(cf_name("Mario"), "MRA");
        assert_eq!(cf_surname("Fo"), "FOX");
        assert_eq!(cf_name("Gianfranco"), "GFR");
        assert_eq!(cf_surname("De Luca"), "DLC");
        assert_eq!(cf_surname("D'Angelo"), "DNG");
    }

    #[test]
    fn curp_letters_follow_renapo() {
        // Gloria Hernández García: HEGG…, inner consonants R R L.
        let (l, c) = curp_letters(&w("Hernández"), &w("García"), &w("Gloria")).unwrap();
        assert_eq!((l.as_str(), c.as_str()), ("HEGG", "RRL"));
        // María José skipped, particles skipped, Ñ → X, no second surname → X.
        let (l, c) = curp_letters(&w("de la Peña"), &[], &w("María Luisa")).unwrap();
        assert_eq!((l.as_str(), c.as_str()), ("PEXL", "XXS"));
        // An inconvenient word gets its second letter replaced.
        let (l, _) = curp_letters(&w("Pérez"), &w("Don"), &w("Ofelia")).unwrap();
        assert_eq!(l, "PXDO");
    }

    #[test]
    fn rfc_letters_cover_the_short_and_single_surname_rules() {
        assert_eq!(
            rfc_letters(&w("Gómez"), &w("Díaz"), &w("Emma")).as_deref(),
            Some("GODE")
        );
        assert_eq!(
            rfc_letters(&w("Ek"), &w("Chan"), &w("Rosa")).as_deref(),
            Some("ECRO")
        );
        assert_eq!(
            rfc_letters(&w("Martínez"), &[], &w("Juan")).as_deref(),
            Some("MAJU")
        );
    }
}
