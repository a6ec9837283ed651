//! How sources write the same fact differently: names, websites, countries,
//! addresses, numbers and dates.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::company::{Address, Company, with_form};
use crate::data::Data;
use crate::rng::Rng;
use crate::text::{abbreviate, acronym, fold, has_non_ascii, title_case, typo};

/// Ways a company name is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// The registered name ("Acme Inc.").
    Canonical,
    /// Another spelling of the legal form ("Acme, Incorporated").
    FormVariant,
    /// No legal form ("Acme").
    CoreOnly,
    /// All capitals, the ERP habit.
    Upper,
    /// All lower case.
    Lower,
    /// Diacritics dropped ("Muller Maschinenbau").
    Folded,
    /// A word abbreviated ("Acme Intl").
    Abbrev,
    /// A typing slip.
    Typo,
    /// The website typed as the name ("acme.com").
    Domain,
    /// A CRM duplicate marker (" (old)", " - DUPLICATE").
    Junk,
    /// Initials ("BOS").
    Acronym,
    /// The parent company's name (for subsidiaries).
    ParentName,
    /// "&" and "and" swapped, or "The " prefixed.
    Connector,
}

pub type NameWeights = [(NameKind, f64)];

/// Picks a name kind; typo weight is scaled by `noise`.
pub fn pick_kind(weights: &NameWeights, noise: f64, rng: &mut Rng) -> NameKind {
    let w: Vec<f64> = weights
        .iter()
        .map(|(k, w)| if *k == NameKind::Typo { w * noise } else { *w })
        .collect();
    weights[rng.weighted(&w)].0
}

fn legal_variant(d: &Data, c: &Company, rng: &mut Rng) -> &'static str {
    let lf = &d.legal_forms[c.legal_form as usize];
    if lf.variants.is_empty() {
        lf.canonical
    } else {
        lf.variants[rng.index(lf.variants.len())]
    }
}

/// The company name written in the given way. `former` uses the name
/// before a rebrand when there was one.
pub fn company_name(
    d: &Data,
    companies: &[Company],
    c: &Company,
    former: bool,
    kind: NameKind,
    rng: &mut Rng,
) -> String {
    let (core, name, domain) = match (&c.former, former) {
        (Some(f), true) => (f.core.as_str(), f.name.as_str(), f.domain.as_str()),
        _ => (c.core.as_str(), c.name.as_str(), c.domain.as_str()),
    };
    match kind {
        NameKind::Canonical => name.to_string(),
        NameKind::FormVariant => with_form(core, legal_variant(d, c, rng)),
        NameKind::CoreOnly => core.to_string(),
        NameKind::Upper => {
            if rng.chance(0.5) {
                name.to_uppercase()
            } else {
                with_form(core, legal_variant(d, c, rng)).to_uppercase()
            }
        }
        NameKind::Lower => {
            if rng.chance(0.6) {
                core.to_lowercase()
            } else {
                name.to_lowercase()
            }
        }
        NameKind::Folded => {
            if has_non_ascii(name) {
                fold(
                    name,
                    d.countries[c.country as usize].lang == "de" && rng.chance(0.5),
                )
            } else {
                name.to_string()
            }
        }
        NameKind::Abbrev => abbreviate(name)
            .or_else(|| abbreviate(&with_form(core, legal_variant(d, c, rng))))
            .unwrap_or_else(|| with_form(core, legal_variant(d, c, rng))),
        NameKind::Typo => {
            let base = if rng.chance(0.5) { name } else { core };
            typo(base, rng)
        }
        NameKind::Domain => {
            let dom = if rng.chance(0.8) { domain } else { &c.host };
            match rng.below(4) {
                0 => dom.to_uppercase(),
                1 => title_case(dom),
                _ => dom.to_string(),
            }
        }
        NameKind::Junk => {
            const JUNK: [&str; 9] = [
                " (old)",
                " - DUPLICATE",
                " [do not use]",
                " (inactive)",
                " - HQ",
                " EMEA",
                " - Billing",
                " (2)",
                " *DUP*",
            ];
            format!("{name}{}", rng.pick(&JUNK))
        }
        NameKind::Acronym => acronym(core).unwrap_or_else(|| core.to_string()),
        NameKind::ParentName => match c.parent {
            Some(p) => {
                let parent = &companies[p as usize];
                if rng.chance(0.6) {
                    parent.core.clone()
                } else {
                    parent.name.clone()
                }
            }
            None => core.to_string(),
        },
        NameKind::Connector => {
            if name.contains(" & ") {
                name.replace(" & ", " and ")
            } else if name.contains(" and ") {
                name.replace(" and ", " & ")
            } else if name.contains(" und ") {
                name.replace(" und ", " & ")
            } else if name.contains(" et ") {
                name.replace(" et ", " & ")
            } else if d.countries[c.country as usize].lang == "en" {
                format!("The {name}")
            } else {
                name.replace(' ', "  ")
            }
        }
    }
}

/// A website as typed into a source: scheme, `www.`, paths, ports, case.
pub fn website(host_path: &str, rng: &mut Rng) -> String {
    let (host, path) = match host_path.find('/') {
        Some(i) => (&host_path[..i], &host_path[i..]),
        None => (host_path, ""),
    };
    let bare = host.strip_prefix("www.").unwrap_or(host);
    let www_host = if host.starts_with("www.") || bare.split('.').count() > 2 {
        host.to_string()
    } else {
        format!("www.{bare}")
    };
    match rng.below(20) {
        0..=4 => format!("{bare}{path}"),
        5..=7 => format!("{www_host}{path}"),
        8..=9 => format!("http://{www_host}{path}"),
        10..=11 => format!("https://{host}{path}/"),
        12 => format!("http://{www_host}{}/about", path),
        13 => format!("https://{host}/en-us/contact"),
        14 => bare.to_uppercase(),
        15 => title_case(bare),
        16 => format!("{bare}:443"),
        17 => format!("https://{www_host}:443{path}"),
        18 => format!("{www_host}/?utm_source=linkedin&utm_medium=social"),
        _ => format!(" {bare} "),
    }
}

/// Country as a source writes it. `style`: 0 English name or alias,
/// 1 ISO alpha-2, 2 ISO alpha-3, 3 local or any alias.
pub fn country(d: &Data, country: usize, style: u32, rng: &mut Rng) -> String {
    let c = &d.countries[country];
    match style {
        0 => {
            if rng.chance(0.75) || c.aliases.is_empty() {
                c.name_en.to_string()
            } else {
                rng.pick(&c.aliases).to_string()
            }
        }
        1 => c.iso2.to_string(),
        2 => c.iso3.to_string(),
        _ => {
            if c.aliases.is_empty() {
                c.name_en.to_string()
            } else {
                rng.pick(&c.aliases).to_string()
            }
        }
    }
}

/// City as typed: canonical, a variant spelling, upper case or folded.
pub fn city(d: &Data, city: usize, p_variant: f64, rng: &mut Rng) -> String {
    let c = &d.cities[city];
    if rng.chance(p_variant) {
        match rng.below(4) {
            0 | 1 if !c.variants.is_empty() => rng.pick(&c.variants).to_string(),
            2 => c.name.to_uppercase(),
            _ => fold(c.name, false),
        }
    } else {
        c.name.to_string()
    }
}

fn abbreviate_street(set: &str, street: &str, rng: &mut Rng) -> String {
    let dot = rng.chance(0.5);
    let d = |s: &str| if dot { format!("{s}.") } else { s.to_string() };
    let pairs: Vec<(&str, String)> = match set {
        "us" | "ca" | "gb" | "ie" | "au" | "in" | "sg" => vec![
            ("Street", d("St")),
            ("Avenue", d("Ave")),
            ("Boulevard", d("Blvd")),
            ("Drive", d("Dr")),
            ("Parkway", d("Pkwy")),
            ("Road", d("Rd")),
            ("Place", d("Pl")),
            ("Lane", d("Ln")),
            ("Terrace", d("Tce")),
            ("Central", d("Ctrl")),
        ],
        "de" => vec![
            ("straße", "str.".to_string()),
            ("Straße", "Str.".to_string()),
            ("strasse", "str.".to_string()),
        ],
        "fr" | "ca_fr" => vec![
            ("avenue", "av.".to_string()),
            ("boulevard", "bd".to_string()),
            ("rue", "r.".to_string()),
        ],
        "es" => vec![
            ("Calle de ", "C/ ".to_string()),
            ("Calle ", "C/ ".to_string()),
            ("Avenida de ", "Avda. ".to_string()),
            ("Avenida ", "Avda. ".to_string()),
            ("Paseo de ", "Pº ".to_string()),
        ],
        "it" => vec![
            ("Viale ", "V.le ".to_string()),
            ("Piazza ", "P.zza ".to_string()),
            ("Corso ", "C.so ".to_string()),
        ],
        "pt" => vec![
            ("Avenida ", "Av. ".to_string()),
            ("Rua ", "R. ".to_string()),
        ],
        "nl" => vec![("straat", "str.".to_string()), ("weg", "wg.".to_string())],
        "pl" => vec![("ul. ", String::new()), ("al. ", "Al. ".to_string())],
        _ => vec![],
    };
    for (long, short) in pairs {
        if street.contains(long) {
            return street.replacen(long, &short, 1);
        }
    }
    street.to_string()
}

/// One street line for an address. `p_abbrev` is the chance of
/// abbreviations; `multiline` puts the unit on its own line.
pub fn street(d: &Data, a: &Address, p_abbrev: f64, multiline: bool, rng: &mut Rng) -> String {
    let set = d.cities[a.city as usize].street_set;
    let german_spelling = set == "de" && rng.chance(0.15);
    let mut name = if rng.chance(p_abbrev) {
        abbreviate_street(set, a.street, rng)
    } else {
        a.street.to_string()
    };
    if german_spelling {
        name = name.replace('ß', "ss");
    }
    let n = a.number;
    let unit = a.unit.as_deref();
    let base = match set {
        "us" | "ca" | "gb" | "ie" => format!("{n} {name}"),
        "ca_fr" => format!("{n}, {name}"),
        "au" => format!("{n} {name}"),
        "in" => format!("{n}, {name}"),
        "sg" => format!("{n} {name}"),
        "fr" => {
            if rng.chance(0.8) {
                format!("{n} {name}")
            } else {
                format!("{n}, {name}")
            }
        }
        "es" | "it" | "pt" => format!("{name}, {n}"),
        "ja" => {
            let (chome, ban, go) = (n % 5 + 1, n % 29 + 1, n % 17 + 1);
            if rng.chance(0.6) {
                format!("{chome}-{ban}-{go} {name}")
            } else {
                format!("{name} {chome}-{ban}-{go}")
            }
        }
        _ => format!("{name} {n}"),
    };
    match unit {
        Some(u) if multiline => format!("{base}\n{u}"),
        Some(u) if set == "au" || set == "in" => format!("{u}, {base}"),
        Some(u) => format!("{base}, {u}"),
        None => base,
    }
}

/// Employee count as typed: "1200", "1,200", "1.2k", "1001-5000".
pub fn employees(n: u32, rng: &mut Rng) -> String {
    match rng.below(20) {
        0..=9 => n.to_string(),
        10..=12 if n >= 1000 => {
            let s = n.to_string();
            let (a, b) = s.split_at(s.len() - 3);
            format!("{a},{b}")
        }
        13 if n >= 1000 => format!("{:.1}k", f64::from(n) / 1000.0),
        14..=17 => employee_range(n).to_string(),
        18 => format!("~{}", round_to(n, 10)),
        _ => n.to_string(),
    }
}

fn round_to(n: u32, k: u32) -> u32 {
    (n / k).max(1) * k
}

/// LinkedIn-style size band.
pub fn employee_range(n: u32) -> &'static str {
    match n {
        0..=10 => "1-10",
        11..=50 => "11-50",
        51..=200 => "51-200",
        201..=500 => "201-500",
        501..=1000 => "501-1000",
        1001..=5000 => "1001-5000",
        5001..=10000 => "5001-10000",
        _ => "10001+",
    }
}

fn short_amount(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.1}B", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else {
        format!("{:.0}K", x / 1e3)
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Annual revenue as a CRM holds it: plain number (USD), formatted with a
/// currency sign, short ("12.5M"), or in local currency with its code.
pub fn revenue(usd: u64, d: &Data, country: usize, rng: &mut Rng) -> String {
    let c = &d.countries[country];
    match rng.below(10) {
        0..=4 => usd.to_string(),
        5 => format!("{usd}.00"),
        6 => format!("${}", thousands(usd)),
        7 => short_amount(usd as f64),
        _ => {
            let local = (usd as f64 * c.per_usd / 1000.0).round() as u64 * 1000;
            if rng.chance(0.5) {
                format!("{} {}", c.currency, thousands(local))
            } else {
                format!("{} {}", short_amount(local as f64), c.currency)
            }
        }
    }
}

/// A date `days` before `as_of`, at a time of day from the rng.
pub fn days_before(as_of: NaiveDate, days: i64, rng: &mut Rng) -> NaiveDateTime {
    let date = as_of - Duration::days(days);
    let secs = rng.range(6 * 3600, 20 * 3600) as i64;
    date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds(secs)
}

/// CRM style: `2025-06-12T08:15:22.000Z`.
pub fn iso_datetime(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `2025-06-12`.
pub fn iso_date(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Marketing-automation style: `06/12/2025 08:15`.
pub fn us_datetime(t: NaiveDateTime) -> String {
    t.format("%m/%d/%Y %H:%M").to_string()
}

/// ERP style: `12.06.2025`.
pub fn eu_date(t: NaiveDateTime) -> String {
    t.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(thousands(12_500_000), "12,500,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(short_amount(12_500_000.0), "12.5M");
        assert_eq!(employee_range(150), "51-200");
        assert_eq!(employee_range(20_000), "10001+");
    }

    #[test]
    fn date_formats() {
        let t = NaiveDate::from_ymd_opt(2025, 6, 12)
            .unwrap()
            .and_hms_opt(8, 15, 22)
            .unwrap();
        assert_eq!(iso_datetime(t), "2025-06-12T08:15:22.000Z");
        assert_eq!(iso_date(t), "2025-06-12");
        assert_eq!(us_datetime(t), "06/12/2025 08:15");
        assert_eq!(eu_date(t), "12.06.2025");
    }

    #[test]
    fn website_variants_keep_the_domain() {
        let mut rng = Rng::new(8);
        for _ in 0..200 {
            let w = website("www.acme.com", &mut rng).to_lowercase();
            assert!(w.contains("acme.com"), "{w}");
            let w = website("de.acme.com", &mut rng).to_lowercase();
            assert!(w.contains("acme.com"), "{w}");
        }
    }
}
