//! Reference lists embedded at compile time from `data/*.tsv` (sources and
//! licences in `data/README.md`), parsed once on first use.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::rng::Weighted;

/// Languages used for company-name words and job titles.
pub const LANGS: [&str; 11] = [
    "en", "de", "fr", "es", "it", "nl", "sv", "da", "pl", "pt", "ja",
];

pub fn lang_index(lang: &str) -> usize {
    LANGS.iter().position(|l| *l == lang).unwrap_or(0)
}

#[derive(Debug)]
pub struct Country {
    pub iso2: &'static str,
    pub iso3: &'static str,
    pub weight: f64,
    pub name_en: &'static str,
    pub aliases: Vec<&'static str>,
    pub local_name: &'static str,
    pub lang: &'static str,
    pub name_locales: Weighted<&'static str>,
    pub currency: &'static str,
    pub per_usd: f64,
    pub phone_cc: &'static str,
    pub trunk: &'static str,
    pub nsn_len: usize,
    pub mobile_prefixes: Vec<&'static str>,
    pub mobile_nsn_len: usize,
    pub cctld: &'static str,
    pub com_share: f64,
    pub freemail: Vec<&'static str>,
    /// Indices into [`Data::cities`].
    pub cities: Weighted<usize>,
    /// Indices into [`Data::legal_forms`].
    pub legal_forms: Vec<usize>,
    pub phone_nat: Weighted<&'static str>,
    pub phone_intl: Weighted<&'static str>,
}

#[derive(Debug)]
pub struct City {
    pub country: usize,
    pub name: &'static str,
    pub variants: Vec<&'static str>,
    pub postcodes: Vec<&'static str>,
    pub area_codes: Vec<&'static str>,
    pub street_set: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormSize {
    Any,
    Small,
    Large,
}

#[derive(Debug)]
pub struct LegalForm {
    pub canonical: &'static str,
    pub weight: f64,
    pub size: FormSize,
    pub variants: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Industry {
    pub key: &'static str,
    pub naics: &'static str,
    pub naics_2017: &'static str,
    pub title: &'static str,
    pub crm_labels: Vec<&'static str>,
    pub revenue_per_employee: f64,
    /// Name words per language, indexed like [`LANGS`].
    pub words: Vec<Vec<&'static str>>,
}

#[derive(Debug, Default)]
pub struct NameList {
    pub female: Vec<(&'static str, f64)>,
    pub male: Vec<(&'static str, f64)>,
    pub last: Vec<(&'static str, f64)>,
}

#[derive(Debug)]
pub struct Names {
    pub female: Weighted<&'static str>,
    pub male: Weighted<&'static str>,
    pub last: Weighted<&'static str>,
}

#[derive(Debug)]
pub struct Function {
    pub key: &'static str,
    pub weight: f64,
    /// Function names: en, de, fr, es, it, nl, pt.
    pub en: &'static str,
    pub en_short: Vec<&'static str>,
    pub de: &'static str,
    pub de_compound: &'static str,
    pub fr: &'static str,
    pub es: &'static str,
    pub it: &'static str,
    pub nl: &'static str,
    pub pt: &'static str,
    pub c_level: Vec<&'static str>,
}

#[derive(Debug)]
pub struct TitleRule {
    pub lang: &'static str,
    pub seniority: &'static str,
    pub function: Option<&'static str>,
    pub variants: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Data {
    pub countries: Vec<Country>,
    pub country_weights: Vec<f64>,
    pub cities: Vec<City>,
    pub legal_forms: Vec<LegalForm>,
    pub industries: Vec<Industry>,
    pub names: BTreeMap<&'static str, Names>,
    pub nicknames: BTreeMap<&'static str, Vec<&'static str>>,
    pub words: BTreeMap<&'static str, Vec<&'static str>>,
    pub streets: BTreeMap<&'static str, Vec<&'static str>>,
    pub functions: Vec<Function>,
    pub titles: Vec<TitleRule>,
}

const COUNTRIES: &str = include_str!("../data/countries.tsv");
const CITIES: &str = include_str!("../data/cities.tsv");
const LEGAL_FORMS: &str = include_str!("../data/legal_forms.tsv");
const INDUSTRIES: &str = include_str!("../data/industries.tsv");
const NAMES: &str = include_str!("../data/names.tsv");
const NAMES_EXTRA: &str = include_str!("../data/names_extra.tsv");
const NICKNAMES: &str = include_str!("../data/nicknames.tsv");
const WORDS: &str = include_str!("../data/words.tsv");
const STREETS: &str = include_str!("../data/streets.tsv");
const FUNCTIONS: &str = include_str!("../data/functions.tsv");
const TITLES: &str = include_str!("../data/titles.tsv");
const PHONE_FORMATS: &str = include_str!("../data/phone_formats.tsv");

/// Data rows of a TSV file: comment lines (`#`) and the header (the
/// `names.tsv` header starts with `locale`) are skipped.
fn rows(text: &'static str, min_fields: usize, file: &str) -> Vec<Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("locale\t"))
        .map(|l| {
            let f: Vec<&'static str> = l.split('\t').collect();
            assert!(
                f.len() >= min_fields,
                "data/{file}: expected {min_fields} fields in {l:?}"
            );
            f
        })
        .collect()
}

fn list(field: &'static str) -> Vec<&'static str> {
    field
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn num(field: &str, file: &str) -> f64 {
    field
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("data/{file}: not a number: {field:?}"))
}

pub fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(load)
}

fn load() -> Data {
    // Phone formats per country (or "*" default).
    let mut formats: BTreeMap<(&str, &str), Vec<(&'static str, f64)>> = BTreeMap::new();
    for f in rows(PHONE_FORMATS, 4, "phone_formats.tsv") {
        formats
            .entry((f[0], f[1]))
            .or_default()
            .push((f[3], num(f[2], "phone_formats.tsv")));
    }
    let fmt = |iso: &str, kind: &str| -> Weighted<&'static str> {
        let v = formats
            .get(&(iso, kind))
            .or_else(|| formats.get(&("*", kind)))
            .cloned()
            .unwrap_or_default();
        Weighted::new(v)
    };

    let mut countries = Vec::new();
    for f in rows(COUNTRIES, 18, "countries.tsv") {
        let locales = list(f[7])
            .into_iter()
            .map(|lw| {
                let (l, w) = lw.split_once(':').unwrap_or((lw, "1"));
                (l, num(w, "countries.tsv"))
            })
            .collect();
        countries.push(Country {
            iso2: f[0],
            iso3: f[1],
            weight: num(f[2], "countries.tsv"),
            name_en: f[3],
            aliases: list(f[4]),
            local_name: f[5],
            lang: f[6],
            name_locales: Weighted::new(locales),
            currency: f[8],
            per_usd: num(f[9], "countries.tsv"),
            phone_cc: f[10],
            trunk: f[11],
            nsn_len: num(f[12], "countries.tsv") as usize,
            mobile_prefixes: list(f[13]),
            mobile_nsn_len: num(f[14], "countries.tsv") as usize,
            cctld: f[15],
            com_share: num(f[16], "countries.tsv"),
            freemail: list(f[17]),
            cities: Weighted::new(Vec::new()),
            legal_forms: Vec::new(),
            phone_nat: fmt(f[0], "nat"),
            phone_intl: fmt(f[0], "intl"),
        });
    }
    let isos: Vec<&'static str> = countries.iter().map(|c| c.iso2).collect();
    let country_index = |iso: &str, file: &str| -> usize {
        isos.iter()
            .position(|c| *c == iso)
            .unwrap_or_else(|| panic!("data/{file}: unknown country {iso}"))
    };

    let mut cities = Vec::new();
    let mut city_weights: Vec<Vec<(usize, f64)>> = vec![Vec::new(); countries.len()];
    for f in rows(CITIES, 8, "cities.tsv") {
        let ci = country_index(f[0], "cities.tsv");
        let idx = cities.len();
        city_weights[ci].push((idx, num(f[6], "cities.tsv")));
        let default_set = match f[0] {
            "US" => "us",
            "CA" => "ca",
            "GB" => "gb",
            "IE" => "ie",
            "AU" => "au",
            "IN" => "in",
            "SG" => "sg",
            "DE" | "AT" | "CH" => "de",
            "FR" | "BE" => "fr",
            "ES" => "es",
            "IT" => "it",
            "NL" => "nl",
            "SE" => "sv",
            "DK" => "da",
            "PL" => "pl",
            "BR" => "pt",
            "JP" => "ja",
            _ => "us",
        };
        cities.push(City {
            country: ci,
            name: f[1],
            variants: list(f[2]),
            postcodes: list(f[4]),
            area_codes: list(f[5]),
            street_set: if f[7].trim().is_empty() {
                default_set
            } else {
                f[7].trim()
            },
        });
    }
    for (ci, w) in city_weights.into_iter().enumerate() {
        assert!(
            !w.is_empty(),
            "data/cities.tsv: no city for {}",
            countries[ci].iso2
        );
        countries[ci].cities = Weighted::new(w);
    }

    let mut legal_forms = Vec::new();
    for f in rows(LEGAL_FORMS, 5, "legal_forms.tsv") {
        let ci = country_index(f[0], "legal_forms.tsv");
        countries[ci].legal_forms.push(legal_forms.len());
        legal_forms.push(LegalForm {
            canonical: f[1],
            weight: num(f[2], "legal_forms.tsv"),
            size: match f[3] {
                "small" => FormSize::Small,
                "large" => FormSize::Large,
                _ => FormSize::Any,
            },
            variants: list(f[4]),
        });
    }

    let industries = rows(INDUSTRIES, 16, "industries.tsv")
        .into_iter()
        .map(|f| {
            let (naics, naics_2017) = f[1].split_once('|').unwrap_or((f[1], f[1]));
            Industry {
                key: f[0],
                naics,
                naics_2017,
                title: f[2],
                crm_labels: list(f[3]),
                revenue_per_employee: num(f[4], "industries.tsv"),
                words: f[5..16].iter().map(|w| list(w)).collect(),
            }
        })
        .collect();

    let mut name_lists: BTreeMap<&'static str, NameList> = BTreeMap::new();
    for text in [NAMES, NAMES_EXTRA] {
        for f in rows(text, 4, "names.tsv") {
            let entry = name_lists.entry(f[0]).or_default();
            let target = match f[1] {
                "f" => &mut entry.female,
                "m" => &mut entry.male,
                _ => &mut entry.last,
            };
            if !target.iter().any(|(n, _)| *n == f[2]) {
                target.push((f[2], num(f[3], "names.tsv")));
            }
        }
    }
    // Locales without first names of their own (zh_CN romanized surnames only)
    // borrow from "sg".
    let names = name_lists
        .into_iter()
        .map(|(loc, l)| {
            (
                loc,
                Names {
                    female: Weighted::new(l.female),
                    male: Weighted::new(l.male),
                    last: Weighted::new(l.last),
                },
            )
        })
        .collect();

    let mut nicknames: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for f in rows(NICKNAMES, 2, "nicknames.tsv") {
        nicknames.entry(f[0]).or_default().extend(list(f[1]));
    }
    let mut words: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for f in rows(WORDS, 2, "words.tsv") {
        words.entry(f[0]).or_default().push(f[1]);
    }
    let mut streets: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for f in rows(STREETS, 2, "streets.tsv") {
        streets.entry(f[0]).or_default().push(f[1]);
    }
    let functions = rows(FUNCTIONS, 12, "functions.tsv")
        .into_iter()
        .map(|f| Function {
            key: f[0],
            weight: num(f[1], "functions.tsv"),
            en: f[2],
            en_short: list(f[3]),
            de: f[4],
            de_compound: f[5],
            fr: f[6],
            es: f[7],
            it: f[8],
            nl: f[9],
            pt: f[10],
            c_level: list(f[11]),
        })
        .collect();
    let titles = rows(TITLES, 5, "titles.tsv")
        .into_iter()
        .map(|f| TitleRule {
            lang: f[0],
            seniority: f[1],
            function: if f[2] == "*" { None } else { Some(f[2]) },
            variants: list(f[4]),
        })
        .collect();

    let country_weights = countries.iter().map(|c| c.weight).collect();
    Data {
        countries,
        country_weights,
        cities,
        legal_forms,
        industries,
        names,
        nicknames,
        words,
        streets,
        functions,
        titles,
    }
}

impl Data {
    pub fn words(&self, kind: &str) -> &[&'static str] {
        self.words.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }

    #[cfg(test)]
    pub fn country_by_iso(&self, iso2: &str) -> Option<usize> {
        self.countries.iter().position(|c| c.iso2 == iso2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_data_parses_and_is_complete() {
        let d = data();
        assert_eq!(d.countries.len(), 20);
        for c in &d.countries {
            assert!(!c.cities.is_empty(), "{}", c.iso2);
            assert!(!c.legal_forms.is_empty(), "{}", c.iso2);
            assert!(!c.freemail.is_empty(), "{}", c.iso2);
            assert!(!c.phone_nat.is_empty() && !c.phone_intl.is_empty());
            for (loc, _) in c.name_locales.items().iter().map(|l| (l, ())) {
                let n = d.names.get(loc).unwrap_or_else(|| panic!("locale {loc}"));
                assert!(!n.female.is_empty() && !n.male.is_empty() && !n.last.is_empty());
            }
        }
        for city in &d.cities {
            assert!(d.streets.contains_key(city.street_set), "{}", city.name);
            assert!(!city.postcodes.is_empty() && !city.area_codes.is_empty());
        }
        assert_eq!(d.industries.len(), 20);
        for ind in &d.industries {
            assert_eq!(ind.words.len(), LANGS.len());
            assert!(ind.words.iter().all(|w| !w.is_empty()), "{}", ind.key);
        }
        assert!(d.nicknames["Robert"].contains(&"Bob"));
        assert!(d.names["de_DE"].last.items().contains(&"Müller"));
        for kind in [
            "brand",
            "syl_start",
            "syl_end",
            "adj",
            "noun",
            "generic",
            "sub_word",
        ] {
            assert!(!d.words(kind).is_empty(), "{kind}");
        }
    }
}
