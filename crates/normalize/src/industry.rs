//! Industries → one canonical taxonomy: the 20 NAICS 2022 sectors.
//!
//! [`normalize_industry`] accepts what CRMs and enrichment vendors put in an
//! industry field and returns the NAICS sector, keeping any code it was
//! given:
//!
//! * **NAICS codes**, 2 to 6 digits, bare or prefixed (`"541511"`,
//!   `"NAICS 5112"`, `"NAICS: 513210 - Software Publishers"`). A code must
//!   exist in the 2022 or the 2017 edition (`data/naics_codes.csv`), so older
//!   data (`5112` Software Publishers, now `5132`) still reads.
//!   `"31-33"`, `"44-45"`, `"48-49"` name the combined sectors.
//! * **SIC codes** (1987), prefixed `SIC` (`"SIC 7372"`), 2 to 4 digits. The
//!   sector comes from `data/sic_major_groups.csv`: the major group (first
//!   two digits), refined by 3- and 4-digit rows where a major group splits
//!   across sectors (`7372` Prepackaged Software → 51 Information, though
//!   major group 73 Business Services → 56). Only the major group is
//!   checked for existence.
//! * **Bare numbers** are ambiguous between NAICS and SIC (`7372` is a SIC
//!   industry; `5415` is both). Rule: a bare number is NAICS when that NAICS
//!   code exists; otherwise a 4-digit number is SIC when its major group
//!   exists (so `7372` → SIC, there is no NAICS 7372, and `0742` → SIC, no
//!   NAICS code starts with 0); otherwise it is not a code (`12` is neither
//!   a NAICS sector nor a full SIC code).
//! * **Free text**, in several languages: LinkedIn industry names (old and
//!   2022 lists: `"Computer Software"`, `"Hospital & Health Care"`,
//!   `"IT Services and IT Consulting"`), and words anywhere in the text,
//!   the rightmost winning (`"Healthcare Software"` → 51,
//!   `"Retail Banking"` → 52, `"Maschinenbau"` → 31-33, `"Logiciel"` → 51).
//!   Tables in `data/industry_aliases.csv`.
//!
//! A code that does not exist falls back to the text around it; `None` when
//! nothing is recognised.
//!
//! Decisions worth knowing: "Information Technology & Services" and IT
//! consulting → 54 (computer systems design), software and SaaS → 51;
//! biotechnology and research → 54; "Mechanical or Industrial Engineering"
//! (LinkedIn's "Maschinenbau") → 31-33; "Oil & Energy" → 21, but "Energy"
//! and renewables → 22; "Technology" alone → 51; "Leisure, Travel & Tourism"
//! → 72, "Travel" alone → 56 (travel arrangement).
//!
//! ```
//! use firmlink_normalize::industry::normalize_industry;
//!
//! let i = normalize_industry("SIC 7372").unwrap();
//! assert_eq!((i.sector_code, i.sic.as_deref()), ("51", Some("7372")));
//! let i = normalize_industry("NAICS 336111").unwrap();
//! assert_eq!((i.sector_code, i.sector_name), ("31-33", "Manufacturing"));
//! assert_eq!(normalize_industry("Hospital & Health Care").unwrap().sector_code, "62");
//! ```

use std::borrow::Cow;
use std::sync::LazyLock;

use foldhash::{HashMap, HashMapExt};
use serde::Serialize;

use crate::text::fold;
use crate::title::split_csv_line;

/// An industry mapped to its NAICS sector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Industry {
    /// The input, unchanged.
    pub original: String,
    /// NAICS 2-digit sector; the combined sectors are `"31-33"`, `"44-45"`, `"48-49"`.
    pub sector_code: &'static str,
    /// NAICS 2022 sector title, e.g. `"Information"`.
    pub sector_name: &'static str,
    /// The NAICS code, when one was given.
    pub naics: Option<String>,
    /// The SIC code, when one was given.
    pub sic: Option<String>,
}

/// Maps an industry code or name to its NAICS sector (see the module docs).
pub fn normalize_industry(s: &str) -> Option<Industry> {
    let t: &'static Tables = &TABLES;
    let folded = fold(s);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let make = |sector: &'static str, naics: Option<String>, sic: Option<String>| {
        t.sector_names.get(sector).map(|name| Industry {
            original: s.to_owned(),
            sector_code: sector,
            sector_name: name.as_ref(),
            naics,
            sic,
        })
    };
    if let Some((scheme, code)) = find_code(&words) {
        let code_hit = match scheme {
            Scheme::Naics => t
                .naics_sector(code)
                .map(|sec| (sec, Some(code.to_owned()), None)),
            Scheme::Sic => t
                .sic_sector(code)
                .map(|sec| (sec, None, Some(code.to_owned()))),
            Scheme::Bare => t
                .naics_sector(code)
                .map(|sec| (sec, Some(code.to_owned()), None))
                .or_else(|| {
                    (code.len() == 4)
                        .then(|| t.sic_sector(code))
                        .flatten()
                        .map(|sec| (sec, None, Some(code.to_owned())))
                }),
            Scheme::Combined(sector) => Some((sector, Some(sector.to_owned()), None)),
        };
        if let Some((sector, naics, sic)) = code_hit {
            return make(sector, naics, sic);
        }
    }
    let text: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !w.bytes().all(|b| b.is_ascii_digit()) && !is_filler(w) && !is_scheme(w))
        .collect();
    t.text_sector(&text)
        .and_then(|sector| make(sector, None, None))
}

/// The title of a NAICS code of the 2017 or 2022 edition (2022 wording when
/// the code is in both).
pub fn naics_title(code: &str) -> Option<&'static str> {
    let t: &'static Tables = &TABLES;
    t.naics.get(code).map(|title| title.as_ref())
}

/// The 20 NAICS sectors: (code, title), in code order.
pub fn sectors() -> impl Iterator<Item = (&'static str, &'static str)> {
    let t: &'static Tables = &TABLES;
    SECTOR_CODES
        .iter()
        .map(move |&c| (c, t.sector_names[c].as_ref()))
}

/// The sector a NAICS code belongs to, e.g. `"541511"` → `"54"`,
/// `"336111"` → `"31-33"` (the code itself is not checked).
pub fn naics_sector_of(code: &str) -> Option<&'static str> {
    let two = code.get(..2)?;
    SECTOR_CODES
        .iter()
        .copied()
        .find(|s| match s.split_once('-') {
            Some((lo, hi)) => (lo..=hi).contains(&two),
            None => *s == two,
        })
}

const SECTOR_CODES: [&str; 20] = [
    "11", "21", "22", "23", "31-33", "42", "44-45", "48-49", "51", "52", "53", "54", "55", "56",
    "61", "62", "71", "72", "81", "92",
];

const NAICS_CSV: &str = include_str!("../data/naics_codes.csv");
const SIC_CSV: &str = include_str!("../data/sic_major_groups.csv");
const ALIASES_CSV: &str = include_str!("../data/industry_aliases.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Naics,
    Sic,
    Bare,
    Combined(&'static str),
}

fn is_scheme(w: &str) -> bool {
    w.starts_with("naics") || w == "sic" || w == "code"
}

/// Words dropped before matching names (both in the table and the input).
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "and"
            | "of"
            | "the"
            | "industry"
            | "industries"
            | "sector"
            | "et"
            | "und"
            | "y"
            | "e"
            | "de"
            | "des"
            | "du"
            | "la"
            | "le"
            | "les"
            | "der"
            | "die"
            | "das"
            | "di"
            | "del"
            | "el"
            | "al"
            | "por"
            | "da"
            | "do"
            | "dos"
            | "en"
            | "van"
            | "het"
    )
}

/// The first code in the words, with the scheme its prefix names.
fn find_code<'a>(words: &[&'a str]) -> Option<(Scheme, &'a str)> {
    let i = words
        .iter()
        .position(|w| w.bytes().all(|b| b.is_ascii_digit()))?;
    let code = words[i];
    if let Some(next) = words.get(i + 1) {
        for (lo, hi, sector) in [
            ("31", "33", "31-33"),
            ("44", "45", "44-45"),
            ("48", "49", "48-49"),
        ] {
            if code == lo && *next == hi {
                return Some((Scheme::Combined(sector), code));
            }
        }
    }
    if !(2..=6).contains(&code.len()) {
        return None;
    }
    let before = &words[i.saturating_sub(2)..i];
    let scheme = if before.iter().any(|w| w.starts_with("naics")) {
        Scheme::Naics
    } else if before.contains(&"sic") {
        Scheme::Sic
    } else {
        Scheme::Bare
    };
    Some((scheme, code))
}

struct Tables {
    /// NAICS code → title.
    naics: HashMap<Field, Field>,
    /// SIC prefix (2–4 digits) → sector (`None` for nonclassifiable).
    sic: HashMap<Field, Option<&'static str>>,
    sector_names: HashMap<&'static str, Field>,
    names: HashMap<String, &'static str>,
    words: HashMap<String, &'static str>,
    /// Longest first.
    prefixes: Vec<(Field, &'static str)>,
}

fn sector_code(s: &str) -> Option<&'static str> {
    SECTOR_CODES.iter().copied().find(|c| *c == s)
}

static TABLES: LazyLock<Tables> =
    LazyLock::new(|| Tables::build().expect("bundled industry tables are valid"));

type Field = Cow<'static, str>;

fn rows(text: &'static str, file: &str) -> Result<Vec<(usize, Vec<Field>)>, String> {
    let mut out = Vec::new();
    let mut header = true;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if header {
            header = false;
            continue;
        }
        let fields = split_csv_line(line).map_err(|e| format!("{file}:{}: {e}", i + 1))?;
        out.push((i + 1, fields));
    }
    Ok(out)
}

fn alias_key(text: &str) -> String {
    let folded = fold(text);
    let kept: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !is_filler(w))
        .collect();
    kept.join(" ")
}

impl Tables {
    fn build() -> Result<Tables, String> {
        let mut naics = HashMap::new();
        let mut sector_names = HashMap::new();
        for (line, f) in rows(NAICS_CSV, "naics_codes.csv")? {
            let [code, title, _editions] = <[Field; 3]>::try_from(f)
                .map_err(|_| format!("naics_codes.csv:{line}: expected 3 fields"))?;
            if let Some(sector) = sector_code(&code) {
                sector_names.insert(sector, title.clone());
            }
            naics.insert(code, title);
        }
        if sector_names.len() != SECTOR_CODES.len() {
            return Err("naics_codes.csv: a sector is missing".into());
        }
        let mut sic = HashMap::new();
        for (line, f) in rows(SIC_CSV, "sic_major_groups.csv")? {
            let [code, _title, sector] = <[Field; 3]>::try_from(f)
                .map_err(|_| format!("sic_major_groups.csv:{line}: expected 3 fields"))?;
            let sector = match sector.as_ref() {
                "" => None,
                s => Some(
                    sector_code(s)
                        .ok_or(format!("sic_major_groups.csv:{line}: unknown sector {s:?}"))?,
                ),
            };
            sic.insert(code, sector);
        }
        let mut names = HashMap::new();
        let mut words = HashMap::new();
        let mut prefixes = Vec::new();
        for (line, f) in rows(ALIASES_CSV, "industry_aliases.csv")? {
            let [text, sector, kind] = <[Field; 3]>::try_from(f)
                .map_err(|_| format!("industry_aliases.csv:{line}: expected 3 fields"))?;
            let Some(sector) = sector_code(&sector) else {
                return Err(format!(
                    "industry_aliases.csv:{line}: unknown sector {sector:?}"
                ));
            };
            let key = alias_key(&text);
            let map = match kind.as_ref() {
                "name" => &mut names,
                "word" => &mut words,
                "prefix" => {
                    prefixes.push((text, sector));
                    continue;
                }
                k => return Err(format!("industry_aliases.csv:{line}: unknown match {k:?}")),
            };
            if map.insert(key, sector).is_some_and(|old| old != sector) {
                return Err(format!(
                    "industry_aliases.csv:{line}: {text:?} maps to two sectors"
                ));
            }
        }
        prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Ok(Tables {
            naics,
            sic,
            sector_names,
            names,
            words,
            prefixes,
        })
    }

    fn naics_sector(&self, code: &str) -> Option<&'static str> {
        if code.starts_with('0') {
            return None;
        }
        if code.len() == 2 || self.naics.contains_key(code) {
            naics_sector_of(code)
        } else {
            None
        }
    }

    fn sic_sector(&self, code: &str) -> Option<&'static str> {
        if !(2..=4).contains(&code.len()) {
            return None;
        }
        (2..=code.len())
            .rev()
            .find_map(|n| self.sic.get(&code[..n]))
            .copied()
            .flatten()
    }

    fn text_sector(&self, words: &[&str]) -> Option<&'static str> {
        if words.is_empty() {
            return None;
        }
        if let Some(&s) = self.names.get(&words.join(" ")) {
            return Some(s);
        }
        for end in (0..words.len()).rev() {
            for len in (1..=4.min(end + 1)).rev() {
                let phrase = words[end + 1 - len..=end].join(" ");
                if let Some(&s) = self.words.get(&phrase) {
                    return Some(s);
                }
            }
            if let Some(&(_, s)) = self
                .prefixes
                .iter()
                .find(|(p, _)| words[end].starts_with(p.as_ref()))
            {
                return Some(s);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_build() {
        let t = Tables::build().unwrap();
        assert_eq!(t.sector_names.len(), 20);
        assert!(t.naics.len() > 2300);
        assert_eq!(naics_title("513210"), Some("Software Publishers"));
        assert_eq!(naics_title("5112"), Some("Software Publishers"));
    }

    #[test]
    fn sectors_of_codes() {
        for (code, want) in [
            ("541511", Some("54")),
            ("31", Some("31-33")),
            ("336111", Some("31-33")),
            ("45", Some("44-45")),
            ("492110", Some("48-49")),
            ("92", Some("92")),
            ("99", None),
            ("7", None),
        ] {
            assert_eq!(naics_sector_of(code), want, "{code}");
        }
    }
}
