//! People: names, job titles, e-mail addresses and LinkedIn profiles.

use crate::data::{Data, Function};
use crate::rng::Rng;
use crate::text::{alnum_lower, slug, title_case, typo};

#[derive(Debug, Clone)]
pub struct Person {
    pub index: u32,
    pub country: u16,
    pub female: bool,
    /// Formal first name ("Robert", "Jean-Pierre", "Wei Ming").
    pub first: String,
    pub middle: Option<String>,
    /// Family name, with particles or two surnames ("van der Berg",
    /// "García López", "Smith-Jones").
    pub last: String,
    /// Short form the person goes by in some systems ("Bob").
    pub nickname: Option<&'static str>,
    /// Family name first when written in full (Japanese, Chinese names).
    pub family_first: bool,
    pub birth_year: u16,
    /// LinkedIn vanity name (unique per person).
    pub linkedin: String,
}

/// The `person_id` of the truth files.
pub fn person_id(index: u32) -> String {
    format!("P{:07}", index + 1)
}

impl Person {
    /// First name as a given record holds it: formal or nickname.
    pub fn given(&self, nickname: bool) -> &str {
        match (nickname, self.nickname) {
            (true, Some(n)) => n,
            _ => &self.first,
        }
    }
}

const DUTCH_PARTICLES: [&str; 7] = ["van", "van der", "de", "van den", "van de", "ter", "ten"];
const GERMAN_PARTICLES: [&str; 2] = ["von", "von der"];

/// A new person from `country`'s name pools (`locale` chosen by the country's
/// mix).
pub fn new_person(d: &Data, country: usize, index: u32, rng: &mut Rng) -> Person {
    let c = &d.countries[country];
    let locale = *c.name_locales.pick(rng);
    let names = &d.names[locale];
    let last_pool = if locale == "sg" {
        &d.names["sg"].last
    } else {
        &names.last
    };
    let female = rng.chance(0.42);
    let pool = if female { &names.female } else { &names.male };
    let first = pool.pick(rng).to_string();
    let mut last = last_pool.pick(rng).to_string();
    match locale {
        "nl_NL" | "nl_BE" if rng.chance(0.25) => {
            last = format!("{} {last}", rng.pick(&DUTCH_PARTICLES));
        }
        "de_DE" | "de_AT" if rng.chance(0.02) => {
            last = format!("{} {last}", rng.pick(&GERMAN_PARTICLES));
        }
        "es_ES" if rng.chance(0.6) => {
            last = format!("{last} {}", last_pool.pick(rng));
        }
        "pt_BR" if rng.chance(0.5) => {
            last = format!("{} {last}", last_pool.pick(rng));
        }
        "pl_PL" if female => {
            for (m, f) in [("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")] {
                if let Some(stem) = last.strip_suffix(m) {
                    last = format!("{stem}{f}");
                    break;
                }
            }
        }
        "en_GB" | "en_US" | "de_DE" | "fr_FR" if rng.chance(0.03) => {
            let other = last_pool.pick(rng);
            if *other != last {
                last = format!("{last}-{other}");
            }
        }
        _ => {}
    }
    let middle = if locale.starts_with("en") && rng.chance(0.2) {
        Some(pool.pick(rng).to_string())
    } else {
        None
    };
    let nickname = d
        .nicknames
        .get(first.as_str())
        .filter(|_| rng.chance(0.55))
        .map(|list| *rng.pick(list));
    let family_first = locale == "ja_JP" || (locale == "sg" && first.contains(' '));
    let slug_name = slug(&format!("{first} {last}"), "-", false);
    // Suffixes come from bijections of the person index, so no two people
    // share a profile name; the three styles cannot collide with each other
    // (different suffix shapes, hyphens only in the first two).
    let hex = index.wrapping_mul(0x9E37_79B1) ^ 0x5A5A_5A5A;
    let linkedin = match rng.below(10) {
        0..=5 => format!("{slug_name}-{hex:08x}"),
        6..=7 => format!(
            "{slug_name}-{}",
            100_000_000 + (u64::from(index) * 104_729 + 12_345) % 900_000_000
        ),
        _ => format!(
            "{}{}{hex:x}",
            alnum_lower(&first, false),
            alnum_lower(&last, false)
        ),
    };
    Person {
        index,
        country: country as u16,
        female,
        first,
        middle,
        last,
        nickname,
        family_first,
        birth_year: rng.range(1958, 2001) as u16,
        linkedin,
    }
}

/// Seniority bands and their shares among known contacts.
pub const SENIORITIES: [(&str, f64); 6] = [
    ("ceo", 3.0),
    ("clevel", 5.0),
    ("vp", 8.0),
    ("director", 14.0),
    ("manager", 25.0),
    ("staff", 45.0),
];

#[derive(Debug, Clone, Copy)]
pub struct Role {
    pub seniority: &'static str,
    pub function: u8,
}

pub fn new_role(d: &Data, rng: &mut Rng) -> Role {
    let weights: Vec<f64> = SENIORITIES.iter().map(|s| s.1).collect();
    let seniority = SENIORITIES[rng.weighted(&weights)].0;
    let fw: Vec<f64> = d.functions.iter().map(|f| f.weight).collect();
    Role {
        seniority,
        function: rng.weighted(&fw) as u8,
    }
}

fn function_name(f: &Function, lang: &str) -> &'static str {
    match lang {
        "de" => f.de,
        "fr" => f.fr,
        "es" => f.es,
        "it" => f.it,
        "nl" => f.nl,
        "pt" => f.pt,
        _ => f.en,
    }
}

/// Applies the gender markup of `titles.tsv`: `<a/b>` and `[x]`.
fn gendered(template: &str, female: bool) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['<', '[']) {
        out.push_str(&rest[..i]);
        let open = rest.as_bytes()[i];
        let close = if open == b'<' { '>' } else { ']' };
        let Some(j) = rest[i..].find(close) else {
            out.push_str(&rest[i..]);
            return out;
        };
        let inner = &rest[i + 1..i + j];
        if open == b'<' {
            let (m, f) = inner.split_once('/').unwrap_or((inner, inner));
            out.push_str(if female { f } else { m });
        } else if female {
            out.push_str(inner);
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// A job title for `role`, in `lang` where there are local titles (else
/// English).
pub fn title(d: &Data, role: Role, lang: &str, female: bool, rng: &mut Rng) -> String {
    let f = &d.functions[role.function as usize];
    if role.seniority == "clevel" {
        return rng.pick(&f.c_level).to_string();
    }
    let lang = if lang != "en" && rng.chance(0.45) {
        "en"
    } else {
        lang
    };
    let find = |lang: &str| -> Vec<&'static str> {
        let specific: Vec<&'static str> = d
            .titles
            .iter()
            .filter(|t| {
                t.lang == lang && t.seniority == role.seniority && t.function == Some(f.key)
            })
            .flat_map(|t| t.variants.iter().copied())
            .collect();
        let generic: Vec<&'static str> = d
            .titles
            .iter()
            .filter(|t| t.lang == lang && t.seniority == role.seniority && t.function.is_none())
            .flat_map(|t| t.variants.iter().copied())
            .collect();
        // Function-specific titles win where they exist.
        if specific.is_empty() {
            generic
        } else {
            specific
        }
    };
    let mut variants = find(lang);
    let mut used_lang = lang;
    if variants.is_empty() {
        variants = find("en");
        used_lang = "en";
    }
    if variants.is_empty() {
        return f.en.to_string();
    }
    let template = *rng.pick(&variants);
    let short = *rng.pick(&f.en_short);
    let filled = template
        .replace("{F}", function_name(f, used_lang))
        .replace("{Fs}", short)
        .replace("{Fc}", f.de_compound);
    let mut t = gendered(&filled, female);
    if let Some(stripped) = t.strip_prefix("IT-leiter") {
        t = format!("IT-Leiter{stripped}");
    }
    t
}

/// The e-mail local part for a company's naming pattern. With
/// `first_surname_only`, a double surname keeps its first part ("García
/// López" → "garcia") while particles stay attached ("van der Berg" →
/// "vanderberg").
pub fn local_part(pattern: u8, p: &Person, german: bool, first_surname_only: bool) -> String {
    let first = alnum_lower(&p.first, german);
    let particle = p
        .last
        .split(' ')
        .next()
        .is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
    let last_src = if first_surname_only && !particle {
        p.last.split(' ').next().unwrap_or(&p.last)
    } else {
        &p.last
    };
    let last = alnum_lower(last_src, german);
    let fi = first.chars().next().map(String::from).unwrap_or_default();
    let li = last.chars().next().map(String::from).unwrap_or_default();
    match pattern {
        0 => format!("{first}.{last}"),
        1 => format!("{fi}{last}"),
        2 => first,
        3 => format!("{first}{li}"),
        4 => format!("{first}_{last}"),
        5 => format!("{last}.{first}"),
        6 => format!("{fi}.{last}"),
        7 => format!("{first}{last}"),
        _ => last,
    }
}

/// A personal address at a free-mail provider.
pub fn freemail(d: &Data, p: &Person, rng: &mut Rng) -> String {
    let c = &d.countries[p.country as usize];
    let domain = if rng.chance(0.25) {
        "gmail.com"
    } else {
        *rng.pick(&c.freemail)
    };
    let first = alnum_lower(p.given(rng.chance(0.3)), false);
    let last = alnum_lower(&p.last, false);
    let yy = p.birth_year % 100;
    let local = match rng.below(8) {
        0 => format!("{first}.{last}"),
        1 => format!("{first}{last}"),
        2 => format!("{first}.{last}{yy:02}"),
        3 => format!("{}{last}{}", &first[..1.min(first.len())], rng.range(1, 99)),
        4 => format!("{first}_{last}"),
        5 => format!("{last}.{first}"),
        6 => format!("{first}{}", p.birth_year),
        _ => format!("{first}.{last}{}", rng.range(1, 999)),
    };
    format!("{local}@{domain}")
}

/// A mistyped e-mail address (local-part slip, domain slip, or a broken
/// separator).
pub fn email_typo(email: &str, rng: &mut Rng) -> String {
    let Some((local, domain)) = email.split_once('@') else {
        return typo(email, rng);
    };
    match rng.below(7) {
        0..=2 => format!("{}@{domain}", typo(local, rng)),
        3 => {
            let (label, tld) = domain.rsplit_once('.').unwrap_or((domain, "com"));
            let bad_tld = match tld {
                "com" => ["con", "cmo", "co", "om"][rng.index(4)].to_string(),
                t => format!("{t}{}", &t[t.len() - 1..]),
            };
            format!("{local}@{label}.{bad_tld}")
        }
        4 => format!("{local}@{}", typo(domain, rng)),
        5 => format!("{local}@@{domain}"),
        _ => format!("{local}{domain}"),
    }
}

/// LinkedIn profile URL in one of the forms sources hold.
pub fn linkedin_url(p: &Person, iso2: &str, rng: &mut Rng) -> String {
    let slug = &p.linkedin;
    let sub = match iso2 {
        "GB" => "uk",
        "US" => "www",
        other => {
            if rng.chance(0.5) {
                "www"
            } else {
                // lowercase two-letter country sub-domain
                return format!("https://{}.linkedin.com/in/{slug}", other.to_lowercase());
            }
        }
    };
    match rng.below(9) {
        0..=2 => format!("https://www.linkedin.com/in/{slug}"),
        3 => format!("https://www.linkedin.com/in/{slug}/"),
        4 => format!("http://linkedin.com/in/{slug}"),
        5 => format!("linkedin.com/in/{slug}"),
        6 => format!("www.linkedin.com/in/{slug}?trk=public_profile"),
        7 => format!("https://{sub}.linkedin.com/in/{slug}"),
        _ => format!("https://www.linkedin.com/in/{}/", slug.to_uppercase()),
    }
}

/// "First Last" in the person's usual order, optionally with a nickname or
/// middle initial.
pub fn full_name(p: &Person, nickname: bool, middle: bool) -> String {
    let given = p.given(nickname);
    let given = match (&p.middle, middle) {
        (Some(m), true) => format!("{given} {}.", m.chars().next().unwrap_or('M')),
        _ => given.to_string(),
    };
    if p.family_first {
        format!("{} {given}", p.last)
    } else {
        format!("{given} {}", p.last)
    }
}

/// Names typed all lower-case or all upper-case, then normalised by some
/// systems with naive title case ("Mcdonald", "Van Der Berg").
pub fn naive_title(s: &str) -> String {
    title_case(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::data;

    fn person(first: &str, last: &str) -> Person {
        Person {
            index: 0,
            country: 0,
            female: false,
            first: first.into(),
            middle: None,
            last: last.into(),
            nickname: None,
            family_first: false,
            birth_year: 1980,
            linkedin: "x".into(),
        }
    }

    #[test]
    fn local_part_patterns() {
        let p = person("Jürgen", "Müller");
        for (pattern, german, want) in [
            (0, true, "juergen.mueller"),
            (0, false, "jurgen.muller"),
            (1, true, "jmueller"),
            (2, true, "juergen"),
            (6, false, "j.muller"),
            (5, false, "muller.jurgen"),
        ] {
            assert_eq!(local_part(pattern, &p, german, false), want);
        }
        let nl = person("Jan", "van der Berg");
        assert_eq!(local_part(0, &nl, false, true), "jan.vanderberg");
        let es = person("José", "García López");
        assert_eq!(local_part(0, &es, false, true), "jose.garcia");
    }

    #[test]
    fn gender_markup() {
        for (t, female, want) in [
            ("Geschäftsführer[in]", false, "Geschäftsführer"),
            ("Geschäftsführer[in]", true, "Geschäftsführerin"),
            (
                "<Directeur/Directrice> général[e]",
                true,
                "Directrice générale",
            ),
            (
                "<Directeur/Directrice> général[e]",
                false,
                "Directeur général",
            ),
            ("CEO", true, "CEO"),
        ] {
            assert_eq!(gendered(t, female), want);
        }
    }

    #[test]
    fn titles_render_without_placeholders() {
        let d = data();
        let mut rng = Rng::new(2);
        for lang in ["en", "de", "fr", "es", "it", "nl", "sv", "pt", "ja", "pl"] {
            for _ in 0..200 {
                let role = new_role(d, &mut rng);
                let t = title(d, role, lang, rng.chance(0.5), &mut rng);
                assert!(!t.is_empty());
                assert!(
                    !t.contains('{') && !t.contains('<') && !t.contains('['),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn linkedin_slugs_are_unique_per_person() {
        let d = data();
        let mut rng = Rng::new(3);
        let mut seen = std::collections::HashSet::new();
        for i in 0..5000 {
            let p = new_person(d, 0, i, &mut rng);
            assert!(seen.insert(p.linkedin.clone()), "{}", p.linkedin);
        }
    }
}
