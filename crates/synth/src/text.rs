//! String variation: diacritics, case, typos, abbreviations, slugs.

use crate::rng::Rng;

/// ASCII spelling of a Latin letter with diacritics. `german` spells
/// umlauts the German way (ü → ue), as German systems and e-mail addresses do.
fn fold_char(c: char, german: bool) -> Option<&'static str> {
    Some(match c {
        'ä' if german => "ae",
        'ö' if german => "oe",
        'ü' if german => "ue",
        'Ä' if german => "Ae",
        'Ö' if german => "Oe",
        'Ü' if german => "Ue",
        'ß' => "ss",
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ą' => "A",
        'æ' => "ae",
        'Æ' => "Ae",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ł' => "l",
        'Ł' => "L",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'ø' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ō' | 'Ø' | 'Ő' => "O",
        'œ' => "oe",
        'Œ' => "Oe",
        'ř' => "r",
        'Ř' => "R",
        'ś' | 'š' | 'ş' => "s",
        'Ś' | 'Š' | 'Ş' => "S",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ð' => "d",
        'Ð' | 'Đ' => "D",
        'đ' => "d",
        'þ' => "th",
        'º' => "o",
        _ => return None,
    })
}

/// Replaces letters with diacritics by their ASCII spelling; other
/// non-ASCII characters are kept.
pub fn fold(s: &str, german: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match fold_char(c, german) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    out
}

pub fn has_non_ascii(s: &str) -> bool {
    !s.is_ascii()
}

/// Lower-case ASCII letters and digits of `s` (diacritics folded), words
/// joined with `sep`.
pub fn slug(s: &str, sep: &str, german: bool) -> String {
    let folded = fold(s, german).to_lowercase();
    let mut words: Vec<String> = Vec::new();
    for w in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !w.is_empty() {
            words.push(w.to_string());
        }
    }
    words.join(sep)
}

/// Keeps only ASCII letters and digits, lower-cased (for e-mail local parts).
pub fn alnum_lower(s: &str, german: bool) -> String {
    fold(s, german)
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// First letter upper-case, the rest lower-case, per word.
pub fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == ' ' || c == '-';
    }
    out
}

fn neighbour(c: char) -> Option<char> {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let lower = c.to_ascii_lowercase();
    for row in ROWS {
        if let Some(i) = row.find(lower) {
            let b = row.as_bytes();
            let j = if i + 1 < b.len() { i + 1 } else { i - 1 };
            let n = b[j] as char;
            return Some(if c.is_ascii_uppercase() {
                n.to_ascii_uppercase()
            } else {
                n
            });
        }
    }
    None
}

/// One realistic keyboard slip: swapped neighbours, a dropped, doubled or
/// neighbouring-key letter. Always returns a different string when `s` has
/// at least two letters.
pub fn typo(s: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_alphabetic())
        .map(|(i, _)| i)
        .collect();
    if letters.len() < 2 {
        return format!("{s}{s}");
    }
    for _ in 0..8 {
        let mut out = chars.clone();
        let i = letters[rng.index(letters.len())];
        match rng.below(4) {
            0 if i + 1 < out.len() && out[i + 1].is_alphabetic() => out.swap(i, i + 1),
            1 => {
                out.remove(i);
            }
            2 => out.insert(i, out[i]),
            _ => match neighbour(out[i]) {
                Some(n) => out[i] = n,
                None => {
                    out.remove(i);
                }
            },
        }
        let t: String = out.into_iter().collect();
        if t != s {
            return t;
        }
    }
    let mut t: String = chars[..chars.len() - 1].iter().collect();
    t.push(chars[chars.len() - 1]);
    t.push(chars[chars.len() - 1]);
    t
}

/// Common business abbreviations, longest first.
const ABBREVIATIONS: [(&str, &str); 22] = [
    ("International", "Intl"),
    ("Technologies", "Tech"),
    ("Technology", "Tech"),
    ("Manufacturing", "Mfg"),
    ("Corporation", "Corp"),
    ("Incorporated", "Inc"),
    ("Company", "Co"),
    ("Services", "Svcs"),
    ("Systems", "Sys"),
    ("Solutions", "Soln"),
    ("Management", "Mgmt"),
    ("Associates", "Assoc"),
    ("Brothers", "Bros"),
    ("Engineering", "Eng"),
    ("Communications", "Comms"),
    ("Laboratories", "Labs"),
    ("Consulting", "Cons."),
    ("Holdings", "Hldgs"),
    ("Industries", "Inds"),
    ("Logistics", "Log."),
    ("Gesellschaft", "Ges."),
    ("Société", "Sté"),
];

/// Abbreviates the first word of `s` that has a common abbreviation;
/// `None` when none applies.
pub fn abbreviate(s: &str) -> Option<String> {
    for (long, short) in ABBREVIATIONS {
        if let Some(pos) = s.find(long) {
            let end = pos + long.len();
            let boundary_after = s[end..].chars().next().is_none_or(|c| !c.is_alphabetic());
            if boundary_after {
                return Some(format!("{}{}{}", &s[..pos], short, &s[end..]));
            }
        }
    }
    None
}

/// Initials of the significant words ("Blue Ocean Systems" → "BOS").
pub fn acronym(s: &str) -> Option<String> {
    const SKIP: [&str; 9] = ["de", "of", "and", "&", "the", "et", "und", "y", "e"];
    let words: Vec<&str> = s
        .split_whitespace()
        .filter(|w| !SKIP.contains(&w.to_lowercase().as_str()))
        .collect();
    if words.len() < 2 {
        return None;
    }
    let a: String = words
        .iter()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    Some(fold(&a, false))
}

/// Encodes `s` as Latin-1 where possible (characters above U+00FF as `?`),
/// the classic mis-encoding of legacy exports; never valid UTF-8 when the
/// input had a non-ASCII Latin-1 letter.
pub fn latin1_bytes(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| {
            let n = c as u32;
            if n <= 0xFF { n as u8 } else { b'?' }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_cases() {
        for (input, german, want) in [
            ("Müller", true, "Mueller"),
            ("Müller", false, "Muller"),
            ("Société Générale", false, "Societe Generale"),
            ("Łódź", false, "Lodz"),
            ("Straße", false, "Strasse"),
            ("Øresund", false, "Oresund"),
            ("Tōkyō", false, "Tokyo"),
            ("plain", false, "plain"),
        ] {
            assert_eq!(fold(input, german), want, "{input}");
        }
    }

    #[test]
    fn slug_cases() {
        for (input, sep, want) in [
            ("Müller Maschinenbau", "", "mullermaschinenbau"),
            ("Blue Ocean Systems", "-", "blue-ocean-systems"),
            ("O'Brien & Sons", "", "obriensons"),
        ] {
            assert_eq!(slug(input, sep, false), want, "{input}");
        }
    }

    #[test]
    fn typo_always_changes_the_string() {
        let mut rng = Rng::new(5);
        for s in ["Acme", "Northwind Logistics", "ab", "Müller"] {
            for _ in 0..50 {
                assert_ne!(typo(s, &mut rng), s);
            }
        }
    }

    #[test]
    fn abbreviation_and_acronym_cases() {
        assert_eq!(
            abbreviate("Acme International").as_deref(),
            Some("Acme Intl")
        );
        assert_eq!(abbreviate("Acme Internationals"), None);
        assert_eq!(abbreviate("Acme"), None);
        assert_eq!(acronym("Blue Ocean Systems").as_deref(), Some("BOS"));
        assert_eq!(acronym("Acme"), None);
        assert_eq!(
            acronym("Société Générale de Transports").as_deref(),
            Some("SGT")
        );
    }

    #[test]
    fn latin1_is_invalid_utf8_for_umlauts() {
        let b = latin1_bytes("Müller");
        assert!(std::str::from_utf8(&b).is_err());
        assert_eq!(latin1_bytes("abc"), b"abc");
    }
}
