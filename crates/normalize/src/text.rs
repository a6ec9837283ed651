//! Shared text helpers: the matching-key fold, whitespace collapsing and
//! name-aware title casing.
//!
//! The API is deliberately small and stable; other normalizers build on it.
//!
//! ```
//! use firmlink_normalize::text::{collapse_ws, fold, title_case};
//!
//! assert_eq!(fold("Müller-Lüdenscheidt GmbH"), "muller ludenscheidt gmbh");
//! assert_eq!(collapse_ws("  Jane \t  Doe "), "Jane Doe");
//! assert_eq!(title_case("jan VAN DER berg"), "Jan van der Berg");
//! ```

use unicode_normalization::UnicodeNormalization;

/// The matching key of a string: NFKC, lowercase, transliterated to ASCII
/// (deunicode), every run of non-alphanumeric characters replaced by one
/// space, trimmed.
///
/// The result contains only `[a-z0-9 ]`, never starts or ends with a space
/// and never has two spaces in a row, so `fold(fold(s)) == fold(s)`.
/// Characters that deunicode cannot transliterate act as separators.
/// CJK text comes out as space-separated syllables (`北京` → `bei jing`);
/// Japanese kanji get their Chinese reading.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    if s.is_ascii() {
        for b in s.bytes().filter(|&b| !is_invisible(b as char)) {
            push_key_byte(&mut out, &mut gap, b);
        }
        return out;
    }
    for c in s.nfkc() {
        if is_invisible(c) {
            continue;
        }
        if c.is_ascii() {
            push_key_byte(&mut out, &mut gap, c as u8);
            continue;
        }
        for lc in c.to_lowercase() {
            if lc.is_ascii() {
                push_key_byte(&mut out, &mut gap, lc as u8);
            } else if let Some(t) = deunicode::deunicode_char(lc) {
                for b in t.bytes() {
                    push_key_byte(&mut out, &mut gap, b);
                }
            } else {
                gap = true;
            }
        }
    }
    out
}

/// Characters that show nothing and join what is around them in a key:
/// control characters other than whitespace (a NUL or BEL pasted into a
/// name) and zero-width characters ("An\u{200B}n" is "Ann" on screen).
#[inline]
pub(crate) fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        )
}

#[inline]
fn push_key_byte(out: &mut String, gap: &mut bool, b: u8) {
    if b.is_ascii_alphanumeric() {
        if *gap && !out.is_empty() {
            out.push(' ');
        }
        *gap = false;
        out.push(b.to_ascii_lowercase() as char);
    } else {
        *gap = true;
    }
}

/// Trims and replaces every run of Unicode whitespace with one ASCII space.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Name particles written in lowercase when they stand inside a name
/// ("Jan van der Berg", "Maria de la Cruz", "Osama bin Laden"). Single
/// letters ("e", "y") are left out: they are far more often initials.
pub(crate) const PARTICLES: &[&str] = &[
    "af", "al", "av", "bin", "bint", "binti", "da", "das", "de", "degli", "dei", "del", "della",
    "den", "der", "des", "di", "do", "dos", "du", "el", "ibn", "la", "le", "lo", "ten", "ter",
    "van", "vande", "vanden", "vander", "von", "zu", "zum", "zur",
];

/// True for a lowercase name particle (see [`title_case`]).
pub(crate) fn is_particle(lower: &str) -> bool {
    PARTICLES.binary_search(&lower).is_ok()
}

/// Title-cases a personal name, word by word, after [`collapse_ws`].
///
/// * every word and every hyphenated part starts with a capital
///   ("jean-pierre" → "Jean-Pierre");
/// * one letter before an apostrophe capitalises what follows
///   ("o'brien" → "O'Brien", "d'angelo" → "D'Angelo");
/// * "Mc…" always and "Mac…" with the usual exceptions ("mcdonald" →
///   "McDonald", "macdonald" → "MacDonald", but "Mack", "Machado");
/// * particles ("van", "der", "de", "la", "von", "bin", "al", …) stay
///   lowercase when they are neither the first nor the last word
///   ("van der berg" → "Van der Berg", "jan van der berg" → "Jan van der Berg");
/// * roman numerals II, III, IV after the first word are upper case.
///
/// The result does not depend on the input's case, so the function is
/// idempotent.
pub fn title_case(s: &str) -> String {
    let words: Vec<&str> = s
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = String::with_capacity(s.len());
    let n = words.len();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        title_case_word(w, i > 0, i + 1 < n, &mut out);
    }
    out
}

/// Title-cases one word (no whitespace) into `out`. `after_first`: the word
/// is not the first of its name; `before_last`: it is not the last.
pub(crate) fn title_case_word(word: &str, after_first: bool, before_last: bool, out: &mut String) {
    let lower = word.to_lowercase();
    if after_first && before_last && is_particle(&lower) {
        out.push_str(&lower);
        return;
    }
    if after_first && matches!(lower.as_str(), "ii" | "iii" | "iv") {
        out.push_str(&lower.to_ascii_uppercase());
        return;
    }
    for (k, seg) in lower.split('-').enumerate() {
        if k > 0 {
            out.push('-');
        }
        // "Ahmed al-Hassan": a leading "al-"/"el-" inside a name stays lowercase.
        if k == 0 && after_first && (seg == "al" || seg == "el") && lower.len() > seg.len() + 1 {
            out.push_str(seg);
            continue;
        }
        cap_segment(seg, out);
    }
}

/// Mac-names that are not "Mac" + capitalised name (Lingua::EN::NameCase).
const MAC_EXCEPTIONS: &[&str] = &[
    "macedo",
    "macevic",
    "machado",
    "machar",
    "machell",
    "machen",
    "machiel",
    "machin",
    "machlin",
    "machon",
    "macias",
    "macin",
    "maciol",
    "maciulis",
    "mackell",
    "macken",
    "mackey",
    "mackie",
    "mackintosh",
    "mackle",
    "macklem",
    "macklin",
    "mackley",
    "mackrell",
    "maclin",
    "macomber",
    "macquarie",
];

/// Capitalises one lowercase hyphen-free segment into `out`.
fn cap_segment(seg: &str, out: &mut String) {
    if seg.is_empty() {
        return;
    }
    // Mc / Mac prefixes (ASCII only, so byte slicing is safe).
    if seg.len() > 2 && seg.starts_with("mc") && seg[2..].chars().all(char::is_alphabetic) {
        out.push_str("Mc");
        cap_simple(&seg[2..], out);
        return;
    }
    if is_mac_name(seg) {
        out.push_str("Mac");
        cap_simple(&seg[3..], out);
        return;
    }
    cap_simple(seg, out);
}

fn is_mac_name(seg: &str) -> bool {
    let b = seg.as_bytes();
    // "Mac" + at least two letters + a last letter not in "aciozj".
    if b.len() < 6 || !seg.starts_with("mac") || !b.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    if matches!(b[b.len() - 1], b'a' | b'c' | b'i' | b'o' | b'z' | b'j') {
        return false;
    }
    !MAC_EXCEPTIONS.iter().any(|e| seg.starts_with(e))
}

/// Pushes the upper case of `c` when it is a single character; otherwise
/// (ß → SS, ﬓ → ՄՆ) `c` itself, so that title casing stays idempotent.
fn push_upper(c: char, out: &mut String) {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => out.push(u),
        _ => out.push(c),
    }
}

/// Uppercases the first letter of a lowercase segment, and the letter after
/// an apostrophe that follows exactly one leading letter (O'Brien).
fn cap_simple(seg: &str, out: &mut String) {
    let mut first_done = false;
    let mut letters_before = 0usize;
    let mut cap_next = false;
    for c in seg.chars() {
        if c.is_alphabetic() {
            if !first_done || cap_next {
                push_upper(c, out);
                first_done = true;
                cap_next = false;
            } else {
                out.push(c);
            }
            letters_before += 1;
        } else {
            if (c == '\'' || c == '\u{2019}') && letters_before == 1 {
                cap_next = true;
            }
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_sorted() {
        let mut v = PARTICLES.to_vec();
        v.sort_unstable();
        assert_eq!(v, PARTICLES);
    }

    #[test]
    fn fold_cases() {
        for (input, want) in [
            ("Müller-Lüdenscheidt GmbH", "muller ludenscheidt gmbh"),
            ("  ACME,   Inc. ", "acme inc"),
            ("Straße", "strasse"),
            ("Ｆｕｌｌ　Ｗｉｄｔｈ", "full width"),
            ("Crème Brûlée", "creme brulee"),
            ("北京大学", "bei jing da xue"),
            ("Łódź", "lodz"),
            ("Ærø", "aero"),
            ("", ""),
            ("---", ""),
            ("O'Brien", "o brien"),
            ("①②", "12"),
            ("① ②", "1 2"),
            ("An\u{0}n", "ann"),
            ("An\u{200B}n Lee", "ann lee"),
            ("Ann\tLee", "ann lee"),
        ] {
            assert_eq!(fold(input), want, "{input:?}");
        }
    }

    #[test]
    fn title_case_cases() {
        for (input, want) in [
            ("o'brien", "O'Brien"),
            ("mcdonald", "McDonald"),
            ("MACDONALD", "MacDonald"),
            ("mack", "Mack"),
            ("machado", "Machado"),
            ("van der berg", "Van der Berg"),
            ("jan van der berg", "Jan van der Berg"),
            ("jean-pierre dupont", "Jean-Pierre Dupont"),
            ("ANNE-MARIE DOE-SMITH", "Anne-Marie Doe-Smith"),
            ("john smith iii", "John Smith III"),
            ("ahmed al-hassan", "Ahmed al-Hassan"),
            ("nguyen le", "Nguyen Le"),
            ("élodie durand", "Élodie Durand"),
            ("  ", ""),
        ] {
            assert_eq!(title_case(input), want, "{input:?}");
        }
    }
}
