//! Countries: ISO 3166-1 codes from whatever people type in a country field.
//!
//! [`normalize_country`] accepts ISO alpha-2 and alpha-3 codes, ISO numeric
//! codes, English short and common names, the names in 29 other languages,
//! native names ("Deutschland", "Österreich", "日本", "Россия"), abbreviations
//! with or without dots ("U.S.A.", "UK", "UAE", "KSA", "PRC") and common
//! misspellings ("Germnay", "Untied States", "Phillipines"; also "Columbia",
//! which in a country field almost always means Colombia). The match is on
//! [`text::fold`](crate::text::fold) keys, so case, accents and punctuation
//! do not matter. Values such as "Germany (DE)" or "Paris, France" resolve
//! when their parts agree.
//!
//! Every country has a sales [`Region`] (see `data/README.md` for the rule).
//!
//! ```
//! use firmlink_normalize::country::{normalize_country, Region};
//!
//! let de = normalize_country("Deutschland").unwrap();
//! assert_eq!((de.alpha2, de.alpha3, de.region), ("DE", "DEU", Region::EMEA));
//! assert_eq!(normalize_country("U.S.A.").unwrap().alpha2, "US");
//! assert_eq!(normalize_country("n/a"), None);
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

use foldhash::fast::FixedState;
use serde::Serialize;

use crate::text::fold;

/// A sales region. Geographic (UN M49), with the deviations listed in
/// `data/README.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Region {
    /// Northern America: US, Canada, Bermuda, Greenland, Saint Pierre and Miquelon.
    NA,
    /// Mexico, Central and South America, the Caribbean.
    LATAM,
    /// Europe, the Middle East (incl. Iran), Africa, Central Asia.
    EMEA,
    /// The rest of Asia, and Oceania (and Antarctica).
    APAC,
}

impl Region {
    /// The region's name as written in data and configuration: `"NA"`,
    /// `"LATAM"`, `"EMEA"`, `"APAC"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::NA => "NA",
            Region::LATAM => "LATAM",
            Region::EMEA => "EMEA",
            Region::APAC => "APAC",
        }
    }

    /// Parses [`Region::as_str`]'s names, case-insensitively.
    pub fn parse(s: &str) -> Option<Region> {
        [Region::NA, Region::LATAM, Region::EMEA, Region::APAC]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// One ISO 3166-1 country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Country {
    /// Alpha-2 code, upper case: `"DE"`.
    pub alpha2: &'static str,
    /// Alpha-3 code, upper case: `"DEU"`.
    pub alpha3: &'static str,
    /// Numeric code, three digits: `"276"`.
    pub numeric: &'static str,
    /// ISO English short name: `"Germany"`, `"Korea, Republic of"`.
    pub name: &'static str,
    /// Sales region.
    pub region: Region,
}

const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");
const ALIASES_TSV: &str = include_str!("../data/country_aliases.tsv");
const I18N_TSV: &str = include_str!("../data/country_names_i18n.tsv");

type Map<V> = HashMap<String, V, FixedState>;

struct Tables {
    countries: Vec<Country>,
    /// Alpha-2 code (two upper-case letters, as 26 × first + second) → index + 1.
    by_alpha2: Vec<u16>,
    /// Folded keys (aliases, names, codes) → index into `countries`.
    by_key: Map<u16>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(load);

fn load() -> Tables {
    let mut countries = Vec::with_capacity(256);
    for line in data_lines(COUNTRIES_TSV) {
        let f: Vec<&'static str> = line.split('\t').collect();
        assert!(f.len() == 5, "countries.tsv: bad line {line:?}");
        let region =
            Region::parse(f[4]).unwrap_or_else(|| panic!("countries.tsv: bad region in {line:?}"));
        countries.push(Country {
            alpha2: f[0],
            alpha3: f[1],
            numeric: f[2],
            name: f[3],
            region,
        });
    }
    let index_of = |code: &str| -> u16 {
        let i = countries
            .iter()
            .position(|c| c.alpha2 == code)
            .unwrap_or_else(|| panic!("country table: unknown alpha-2 code {code:?}"));
        i as u16
    };
    let mut by_key: Map<u16> = Map::with_capacity_and_hasher(8192, FixedState::default());
    // 1. hand-written aliases win over everything else.
    for line in data_lines(ALIASES_TSV) {
        let (alias, code) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("country_aliases.tsv: bad line {line:?}"));
        let idx = index_of(code.trim());
        let key = country_key(alias);
        if let Some(&old) = by_key.get(&key) {
            assert_eq!(
                old, idx,
                "country_aliases.tsv: {alias:?} given for two countries"
            );
        }
        by_key.insert(key, idx);
    }
    // 2. ISO short names and alpha-3 codes ("Congo" is CG, not CD).
    for (i, c) in countries.iter().enumerate() {
        by_key.entry(country_key(c.name)).or_insert(i as u16);
        by_key
            .entry(c.alpha3.to_ascii_lowercase())
            .or_insert(i as u16);
    }
    // 3. The other names; one that two countries share is dropped.
    let mut generated: Map<Option<u16>> =
        Map::with_capacity_and_hasher(8192, FixedState::default());
    let mut add = |key: String, idx: u16| {
        if key.is_empty() || by_key.contains_key(&key) {
            return;
        }
        generated
            .entry(key)
            .and_modify(|v| {
                if *v != Some(idx) {
                    *v = None;
                }
            })
            .or_insert(Some(idx));
    };
    for line in data_lines(I18N_TSV) {
        let mut f = line.split('\t');
        let (Some(name), Some(code)) = (f.next(), f.next()) else {
            panic!("country_names_i18n.tsv: bad line {line:?}");
        };
        add(country_key(name), index_of(code));
    }
    by_key.extend(generated.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    let mut by_alpha2 = vec![0u16; 26 * 26];
    for (i, c) in countries.iter().enumerate() {
        let slot = alpha2_slot(c.alpha2)
            .unwrap_or_else(|| panic!("countries.tsv: bad alpha-2 code {:?}", c.alpha2));
        by_alpha2[slot] = i as u16 + 1;
    }
    Tables {
        countries,
        by_alpha2,
        by_key,
    }
}

/// Non-comment, non-empty lines of an embedded table.
fn data_lines(tsv: &'static str) -> impl Iterator<Item = &'static str> {
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// The lookup key of a country value: [`fold`], then single letters joined
/// ("u s a" → "usa") and a leading or trailing "the" dropped.
fn country_key(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut lo = 0;
    let mut hi = words.len();
    if hi - lo > 1 && words[lo] == "the" {
        lo += 1;
    }
    if hi - lo > 1 && words[hi - 1] == "the" {
        hi -= 1;
    }
    let mut prev_single = false;
    for w in &words[lo..hi] {
        let single = w.len() == 1 && w.as_bytes()[0].is_ascii_alphabetic();
        if !(out.is_empty() || single && prev_single) {
            out.push(' ');
        }
        out.push_str(w);
        prev_single = single;
    }
    out
}

/// Folded values that mean "no country" although one of them ("na") is an
/// ISO code (Namibia): in CRM data it is "n/a" or North America.
const NULL_KEYS: &[&str] = &[
    "na",
    "n a",
    "none",
    "null",
    "nil",
    "unknown",
    "unk",
    "tbd",
    "tba",
    "other",
    "others",
    "not applicable",
    "not available",
    "not specified",
    "unspecified",
    "various",
    "xx",
    "zz",
    "international",
    "worldwide",
    "global",
];

/// The country a free-text value names, if any.
///
/// Tries, in order: ISO alpha-2 (two letters; "NA" is treated as missing),
/// alpha-3, numeric code, the alias tables on the folded value, and finally
/// the parts of values like "Germany (DE)", "DE - Germany" or "Paris, France"
/// (all parts that name a country must name the same one).
pub fn normalize_country(s: &str) -> Option<&'static Country> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(c) = lookup_whole(t) {
        return Some(c);
    }
    // "Germany (DE)", "DE - Germany", "Paris, France", "USA / Canada" (no).
    let parts = t
        .split(['(', ')', '[', ']', '/', '|', ';', ',', '-', '–', '—'])
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let mut found: Option<&'static Country> = None;
    let mut n_parts = 0;
    for p in parts {
        n_parts += 1;
        if let Some(c) = lookup_whole(p) {
            match found {
                Some(f) if f.alpha2 != c.alpha2 => return None,
                _ => found = Some(c),
            }
        }
    }
    if n_parts > 1 { found } else { None }
}

fn lookup_whole(t: &str) -> Option<&'static Country> {
    let tables = &*TABLES;
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        if t.eq_ignore_ascii_case("na") {
            return None;
        }
        if let Some(c) = by_alpha2(t) {
            return Some(c);
        }
    } else if t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit()) {
        return tables.countries.iter().find(|c| c.numeric == t);
    } else if t.len() == 3
        && t.bytes().all(|b| b.is_ascii_alphabetic())
        && let Some(c) = by_alpha3(t)
    {
        // before the aliases: "MSR" is Montserrat although "مصر" folds to "msr"
        return Some(c);
    }
    let key = country_key(t);
    if key.is_empty() || NULL_KEYS.contains(&key.as_str()) {
        return None;
    }
    if let Some(&i) = tables.by_key.get(&key) {
        return Some(&tables.countries[usize::from(i)]);
    }
    // "u.s." folds to "us": a two-letter key is an alpha-2 code too.
    if key.len() == 2 {
        return by_alpha2(&key);
    }
    None
}

/// The country with this ISO alpha-2 code (case-insensitive, trimmed).
pub fn by_alpha2(code: &str) -> Option<&'static Country> {
    let tables = &*TABLES;
    match tables.by_alpha2[alpha2_slot(code.trim())?] {
        0 => None,
        i => Some(&tables.countries[usize::from(i - 1)]),
    }
}

fn alpha2_slot(code: &str) -> Option<usize> {
    match code.as_bytes() {
        &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(
            usize::from(a.to_ascii_uppercase() - b'A') * 26
                + usize::from(b.to_ascii_uppercase() - b'A'),
        ),
        _ => None,
    }
}

/// The country with this ISO alpha-3 code (case-insensitive, trimmed).
pub fn by_alpha3(code: &str) -> Option<&'static Country> {
    let code = code.trim();
    if code.len() != 3 {
        return None;
    }
    TABLES
        .countries
        .iter()
        .find(|c| c.alpha3.eq_ignore_ascii_case(code))
}

/// All 249 ISO 3166-1 countries, ordered by alpha-2 code.
pub fn all_countries() -> &'static [Country] {
    &TABLES.countries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_consistent() {
        let all = all_countries();
        assert_eq!(all.len(), 249);
        for w in all.windows(2) {
            assert!(
                w[0].alpha2 < w[1].alpha2,
                "sorted and unique: {}",
                w[1].alpha2
            );
        }
        for c in all {
            assert_eq!(c.alpha2.len(), 2);
            assert_eq!(c.alpha3.len(), 3);
            assert_eq!(c.numeric.len(), 3);
            assert_eq!(by_alpha3(c.alpha3).unwrap().alpha2, c.alpha2);
            // every country is found by its ISO name
            assert_eq!(
                normalize_country(c.name).map(|x| x.alpha2),
                Some(c.alpha2),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn country_key_joins_initials() {
        assert_eq!(country_key("U.S.A."), "usa");
        assert_eq!(country_key("US of A"), "us of a");
        assert_eq!(country_key("The Netherlands"), "netherlands");
        assert_eq!(country_key("Netherlands, The"), "netherlands");
        assert_eq!(country_key("the"), "the");
    }
}
