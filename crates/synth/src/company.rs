//! True companies: names, domains, addresses, ids, size, and group structure.
//!
//! Companies are generated in index order; a group (parent plus
//! subsidiaries) takes consecutive indices, parents always before their
//! children, so the hierarchy cannot have cycles.

use std::collections::HashSet;

use crate::GenerateOptions;
use crate::data::{Data, FormSize, data, lang_index};
use crate::phone::{self, Phone};
use crate::rng::{Rng, Stream};
use crate::taxid;
use crate::text::slug;

/// How a subsidiary relates to its parent (the `relation` column of
/// `truth/hierarchy_truth.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// A country subsidiary named after the parent ("Acme Deutschland GmbH"),
    /// on a subdomain (de.acme.com), a country domain (acme.de) or a path.
    Regional,
    /// A subsidiary that lists the parent's website as its own.
    SubsidiarySameDomain,
    /// A bought company that kept its own, unrelated name and domain.
    AcquiredBrand,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Regional => "regional",
            Relation::SubsidiarySameDomain => "subsidiary_same_domain",
            Relation::AcquiredBrand => "acquired_brand",
        }
    }
}

/// A postal address.
#[derive(Debug, Clone)]
pub struct Address {
    pub city: u16,
    /// Street name as the company writes it.
    pub street: &'static str,
    pub number: u32,
    /// Suite, floor or unit, if any ("Suite 400", "Level 12").
    pub unit: Option<String>,
    pub postcode: String,
}

/// Identity a company had before a rebrand; older records still use it.
#[derive(Debug, Clone)]
pub struct Former {
    pub name: String,
    pub core: String,
    pub domain: String,
}

#[derive(Debug, Clone)]
pub struct Company {
    pub index: u32,
    pub country: u16,
    /// Name without legal form ("Müller Maschinenbau").
    pub core: String,
    pub legal_form: u16,
    /// Registered name ("Müller Maschinenbau GmbH").
    pub name: String,
    /// Registrable domain of the website ("acme.com").
    pub domain: String,
    /// Host the website is served on ("www.acme.com", "de.acme.com").
    pub host: String,
    /// Path on the host for a country site sharing the parent's host ("/de").
    pub path: &'static str,
    pub email_domain: String,
    pub former: Option<Former>,
    pub address: Address,
    /// Earlier address (the company moved); older records keep it.
    pub former_address: Option<Address>,
    pub phone: Phone,
    pub tax_id: String,
    pub industry: u8,
    pub employees: u32,
    pub revenue_usd: u64,
    pub parent: Option<u32>,
    pub relation: Option<Relation>,
    /// 0 = first.last, 1 = flast, 2 = first, 3 = firstl, 4 = first_last,
    /// 5 = last.first, 6 = f.last, 7 = firstlast, 8 = last.
    pub email_pattern: u8,
    /// E-mail local parts use German umlaut spelling (ü → ue).
    pub german_email: bool,
    /// Role mailbox ("info", "sales", …) shared by several people.
    pub role_mailbox: &'static str,
}

impl Company {
    pub fn entity_id(&self) -> String {
        entity_id(self.index)
    }
}

pub fn entity_id(index: u32) -> String {
    format!("A{:06}", index + 1)
}

/// Employee-count buckets (low, high, weight, contacts factor). The contacts
/// factor scales the number of people known at a company with its size.
pub const SIZE_BUCKETS: [(u32, u32, f64, f64); 9] = [
    (1, 10, 14.0, 0.35),
    (11, 50, 28.0, 0.6),
    (51, 200, 27.0, 0.9),
    (201, 500, 13.0, 1.3),
    (501, 1000, 8.0, 1.6),
    (1001, 5000, 6.5, 2.0),
    (5001, 10000, 2.0, 2.4),
    (10001, 50000, 1.2, 2.8),
    (50001, 300000, 0.3, 3.2),
];

/// Mean contacts factor over the bucket distribution, used to normalise.
pub fn mean_contacts_factor() -> f64 {
    let w: f64 = SIZE_BUCKETS.iter().map(|b| b.2).sum();
    SIZE_BUCKETS.iter().map(|b| b.2 * b.3).sum::<f64>() / w
}

pub fn contacts_factor(employees: u32) -> f64 {
    SIZE_BUCKETS
        .iter()
        .find(|b| employees <= b.1)
        .map_or(3.2, |b| b.3)
}

fn employees(rng: &mut Rng, min_bucket: usize) -> u32 {
    let weights: Vec<f64> = SIZE_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, b)| if i < min_bucket { 0.0 } else { b.2 })
        .collect();
    let b = SIZE_BUCKETS[rng.weighted(&weights)];
    // Skew towards the low end of the bucket (minimum of two uniforms).
    let span = u64::from(b.1 - b.0);
    let x = rng.below(span + 1).min(rng.below(span + 1));
    b.0 + x as u32
}

/// Expands a postcode template: `#` digit, `@` letter, `{a-b}` a number in
/// the range, zero-padded to the width of `a`.
pub fn postcode(template: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => out.push(char::from(b'0' + rng.below(10) as u8)),
            '@' => out.push(char::from(b'A' + rng.below(26) as u8)),
            '{' => {
                let mut spec = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                let (a, b) = spec.split_once('-').unwrap_or((&spec, &spec));
                let lo: u64 = a.parse().unwrap_or(0);
                let hi: u64 = b.parse().unwrap_or(lo).max(lo);
                out.push_str(&format!("{:0width$}", rng.range(lo, hi), width = a.len()));
            }
            c => out.push(c),
        }
    }
    out
}

pub fn random_address(d: &Data, country: usize, rng: &mut Rng) -> Address {
    let city = *d.countries[country].cities.pick(rng);
    let c = &d.cities[city];
    let street = *rng.pick(&d.streets[c.street_set]);
    // Four-digit house numbers are North American and Australian.
    let long_numbers = matches!(c.street_set, "us" | "ca" | "au");
    let number = match rng.below(10) {
        0..=5 => rng.range(1, 60) as u32,
        6..=8 => rng.range(1, 250) as u32,
        _ if long_numbers => rng.range(100, 9999) as u32,
        _ => rng.range(1, 120) as u32,
    };
    let unit = match c.street_set {
        "us" | "ca" if rng.chance(0.45) => Some(format!(
            "{} {}",
            ["Suite", "Suite", "Ste", "Floor", "Unit"][rng.index(5)],
            rng.range(100, 2400)
        )),
        "au" if rng.chance(0.45) => Some(format!("Level {}", rng.range(1, 40))),
        "gb" | "ie" if rng.chance(0.3) => Some(format!(
            "{} Floor",
            ["1st", "2nd", "3rd", "4th", "5th", "Ground"][rng.index(6)]
        )),
        "sg" => Some(format!("#{:02}-{:02}", rng.range(1, 40), rng.range(1, 20))),
        "in" if rng.chance(0.5) => Some(format!("Plot No. {}", rng.range(1, 300))),
        _ => None,
    };
    let template = *rng.pick(&c.postcodes);
    let pc = postcode(template, rng);
    Address {
        city: city as u16,
        street,
        number,
        unit,
        postcode: pc,
    }
}

/// Joins a core name and a legal-form spelling (", Inc." attaches without a space).
pub fn with_form(core: &str, form: &str) -> String {
    if form.is_empty() {
        core.to_string()
    } else if form.starts_with(',') {
        format!("{core}{form}")
    } else {
        format!("{core} {form}")
    }
}

fn pick_legal_form(d: &Data, country: usize, employees: u32, rng: &mut Rng) -> u16 {
    let forms = &d.countries[country].legal_forms;
    let weights: Vec<f64> = forms
        .iter()
        .map(|&f| {
            let lf = &d.legal_forms[f];
            match lf.size {
                FormSize::Large if employees < 500 => lf.weight * 0.05,
                FormSize::Small if employees > 200 => 0.0,
                _ => lf.weight,
            }
        })
        .collect();
    forms[rng.weighted(&weights)] as u16
}

fn person_surname(d: &Data, country: usize, rng: &mut Rng) -> &'static str {
    let loc = *d.countries[country].name_locales.pick(rng);
    let loc = if loc == "sg" { "zh_CN" } else { loc };
    d.names[loc].last.pick(rng)
}

fn industry_word(d: &Data, industry: usize, lang: &str, rng: &mut Rng) -> &'static str {
    let words = &d.industries[industry].words;
    let li = lang_index(lang);
    let li = if li != 0 && rng.chance(0.35) { 0 } else { li };
    words[li][rng.index(words[li].len())]
}

fn place_word(d: &Data, iso2: &str, rng: &mut Rng) -> &'static str {
    let kind = match iso2 {
        "US" => "place_en",
        "GB" => "place_gb",
        "IE" => "place_ie",
        "AU" => "place_au",
        "CA" => "place_ca",
        "IN" => "place_in",
        "SG" => "place_sg",
        "DE" => "place_de",
        "AT" => "place_at",
        "CH" => "place_ch",
        "FR" => "place_fr",
        "BE" => "place_be",
        "ES" => "place_es",
        "IT" => "place_it",
        "NL" => "place_nl",
        "SE" => "place_se",
        "DK" => "place_dk",
        "PL" => "place_pl",
        "BR" => "place_br",
        "JP" => "place_jp",
        _ => "place_en",
    };
    let list = d.words(kind);
    list[rng.index(list.len())]
}

fn invented(d: &Data, rng: &mut Rng) -> String {
    format!(
        "{}{}",
        rng.pick(d.words("syl_start")),
        rng.pick(d.words("syl_end"))
    )
}

fn brand(d: &Data, rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        rng.pick(d.words("brand")).to_string()
    } else {
        invented(d, rng)
    }
}

/// A company name without legal form, in the style of the country.
pub fn core_name(d: &Data, country: usize, industry: usize, rng: &mut Rng) -> String {
    let c = &d.countries[country];
    let lang = c.lang;
    let ind = |rng: &mut Rng| industry_word(d, industry, lang, rng);
    let family = |rng: &mut Rng| -> &'static str {
        let kind = match lang {
            "de" => "de_family_suffix",
            "fr" => "fr_family_suffix",
            "es" | "pt" => "es_family_suffix",
            "it" => "it_family_suffix",
            "nl" => "nl_family_suffix",
            _ => "en_family_suffix",
        };
        let list = d.words(kind);
        list[rng.index(list.len())]
    };
    if lang == "ja" {
        return match rng.below(10) {
            0..=4 => format!("{} {}", place_word(d, "JP", rng), ind(rng)),
            5..=7 => format!("{} {}", person_surname(d, country, rng), ind(rng)),
            _ => format!("{} {}", place_word(d, "JP", rng), {
                let w = &d.industries[industry].words[0];
                *rng.pick(w)
            }),
        };
    }
    let roll = rng.below(100);
    match roll {
        0..=17 => format!("{} {}", person_surname(d, country, rng), ind(rng)),
        18..=23 => {
            let a = person_surname(d, country, rng);
            let mut b = person_surname(d, country, rng);
            if a == b {
                b = person_surname(d, country, rng);
            }
            let and = match lang {
                "fr" => " et ",
                "de" if rng.chance(0.3) => " und ",
                "es" => " y ",
                "it" | "pt" => " e ",
                _ => " & ",
            };
            format!("{a}{and}{b}")
        }
        24..=28 => format!("{} {}", person_surname(d, country, rng), family(rng)),
        29..=42 => format!("{} {}", place_word(d, c.iso2, rng), ind(rng)),
        43..=60 => format!("{} {}", brand(d, rng), ind(rng)),
        61..=66 => rng.pick(d.words("brand")).to_string(),
        67..=76 => {
            let n = invented(d, rng);
            if rng.chance(0.5) {
                n
            } else {
                format!("{n} {}", ind(rng))
            }
        }
        77..=84 => format!(
            "{} {} {}",
            rng.pick(d.words("adj")),
            rng.pick(d.words("noun")),
            ind(rng)
        ),
        85..=87 => {
            let letters: String = (0..rng.range(2, 4))
                .map(|_| char::from(b'A' + rng.below(26) as u8))
                .collect();
            format!("{letters} {}", ind(rng))
        }
        _ => match lang {
            "fr" => format!(
                "{} {} de {}",
                rng.pick(d.words("fr_org")),
                rng.pick(d.words("fr_adj")),
                ind(rng)
            ),
            "de" | "nl" | "es" | "it" | "pt" | "pl" => {
                format!("{} {}", ind(rng), person_surname(d, country, rng))
            }
            "sv" | "da" => format!("{}s {}", person_surname(d, country, rng), ind(rng)),
            _ => format!("{} {}", place_word(d, c.iso2, rng), ind(rng)),
        },
    }
}

const STOP: [&str; 12] = [
    "de", "of", "and", "the", "et", "und", "y", "e", "s", "co", "und", "i",
];

/// Candidate domain labels for a core name, most natural first.
fn domain_labels(core: &str, german: bool, rng: &mut Rng) -> Vec<String> {
    let words: Vec<String> = slug(core, " ", german)
        .split(' ')
        .filter(|w| !STOP.contains(w) && !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    if words.is_empty() {
        out.push("company".to_string());
        return out;
    }
    let joined = words.concat();
    let hyphen = words.join("-");
    let first = words[0].clone();
    let first_two = words.iter().take(2).cloned().collect::<String>();
    let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
    let fallback = format!("{joined}co");
    match words.len() {
        1 => out.push(joined.clone()),
        2 => {
            let r = rng.below(10);
            if r < 4 {
                out.extend([joined, first.clone(), hyphen]);
            } else if r < 8 && first.len() >= 4 {
                out.extend([first.clone(), joined, hyphen]);
            } else {
                out.extend([hyphen, joined, first.clone()]);
            }
        }
        _ => {
            let r = rng.below(10);
            if r < 3 {
                out.extend([initials.clone(), first_two.clone(), joined.clone()]);
            } else if r < 7 {
                out.extend([first_two.clone(), joined.clone(), initials.clone()]);
            } else {
                out.extend([joined.clone(), hyphen.clone(), first_two.clone()]);
            }
        }
    }
    out.retain(|l| l.len() >= 2);
    if out.is_empty() {
        out.push(fallback);
    }
    out
}

fn choose_tld(d: &Data, country: usize, industry: usize, rng: &mut Rng) -> String {
    let c = &d.countries[country];
    if d.industries[industry].key == "software" && rng.chance(0.12) {
        return "io".into();
    }
    if rng.chance(c.com_share) {
        if rng.chance(0.06) {
            return "net".into();
        }
        return "com".into();
    }
    c.cctld.to_string()
}

/// A registrable domain for `core`, unique among `used`.
pub fn unique_domain(
    d: &Data,
    core: &str,
    country: usize,
    industry: usize,
    used: &mut HashSet<String>,
    rng: &mut Rng,
) -> String {
    let german = d.countries[country].lang == "de";
    let labels = domain_labels(core, german, rng);
    let tld = choose_tld(d, country, industry, rng);
    let cctld = d.countries[country].cctld;
    let iso = d.countries[country].iso2.to_lowercase();
    let mut candidates: Vec<String> = Vec::new();
    for l in &labels {
        candidates.push(format!("{l}.{tld}"));
    }
    for l in &labels {
        candidates.push(format!("{l}.{cctld}"));
    }
    let base = &labels[0];
    for suffix in ["group", "hq", "inc", "online", "global"] {
        candidates.push(format!("{base}{suffix}.{tld}"));
    }
    candidates.push(format!("{base}-{iso}.{tld}"));
    candidates.push(format!("{base}{iso}.com"));
    for cand in candidates {
        if used.insert(cand.clone()) {
            return cand;
        }
    }
    loop {
        let cand = format!("{base}{}.{tld}", rng.range(2, 999));
        if used.insert(cand.clone()) {
            return cand;
        }
    }
}

/// Builds all companies for the options.
pub struct Builder<'a> {
    d: &'static Data,
    opts: &'a GenerateOptions,
    used_domains: HashSet<String>,
    pub companies: Vec<Company>,
}

impl<'a> Builder<'a> {
    pub fn new(opts: &'a GenerateOptions) -> Self {
        Builder {
            d: data(),
            opts,
            used_domains: HashSet::new(),
            companies: Vec::with_capacity(opts.accounts),
        }
    }

    pub fn build(mut self) -> Vec<Company> {
        let n = self.opts.accounts;
        while self.companies.len() < n {
            let idx = self.companies.len();
            let mut rng = Rng::stream(self.opts.seed, Stream::Company, idx as u64);
            let remaining = n - idx;
            if remaining >= 2 && rng.chance(self.opts.group_share) {
                let mut subs = 1;
                while subs < 8 && rng.chance(0.55) {
                    subs += 1;
                }
                let subs = subs.min(remaining - 1);
                self.group(subs, &mut rng);
            } else {
                let c = self.standalone(None, &mut rng);
                self.companies.push(c);
            }
        }
        self.companies
    }

    fn pick_country(&self, rng: &mut Rng) -> usize {
        rng.weighted(&self.d.country_weights)
    }

    fn base(
        &mut self,
        country: usize,
        industry: usize,
        core: String,
        employees: u32,
        rng: &mut Rng,
    ) -> Company {
        let d = self.d;
        let lf = pick_legal_form(d, country, employees, rng);
        let name = with_form(&core, d.legal_forms[lf as usize].canonical);
        let address = random_address(d, country, rng);
        let phone = phone::landline(address.city as usize, rng);
        let rev_per_emp = d.industries[industry].revenue_per_employee * rng.uniform(0.5, 1.6);
        let revenue_usd = ((f64::from(employees) * rev_per_emp) / 1000.0).round() as u64 * 1000;
        let german_email = d.countries[country].lang == "de" && rng.chance(0.85);
        let small = employees <= 50;
        let email_weights = [
            50.0,
            18.0,
            if small { 12.0 } else { 2.0 },
            4.0,
            4.0,
            3.0,
            8.0,
            4.0,
            if d.countries[country].iso2 == "JP" {
                6.0
            } else {
                1.0
            },
        ];
        let email_pattern = rng.weighted(&email_weights) as u8;
        let role_mailbox = match d.countries[country].lang {
            "de" => ["info", "kontakt", "vertrieb", "office"][rng.index(4)],
            "fr" => ["contact", "info", "commercial", "accueil"][rng.index(4)],
            "es" => ["info", "contacto", "ventas"][rng.index(3)],
            "it" => ["info", "commerciale", "amministrazione"][rng.index(3)],
            "nl" => ["info", "verkoop", "contact"][rng.index(3)],
            _ => ["info", "sales", "contact", "hello", "office", "enquiries"][rng.index(6)],
        };
        Company {
            index: self.companies.len() as u32,
            country: country as u16,
            core,
            legal_form: lf,
            name,
            domain: String::new(),
            host: String::new(),
            path: "",
            email_domain: String::new(),
            former: None,
            address,
            former_address: None,
            phone,
            tax_id: taxid::generate(d.countries[country].iso2, rng),
            industry: industry as u8,
            employees,
            revenue_usd,
            parent: None,
            relation: None,
            email_pattern,
            german_email,
            role_mailbox,
        }
    }

    fn set_own_domain(&mut self, c: &mut Company, rng: &mut Rng) {
        let domain = unique_domain(
            self.d,
            &c.core,
            c.country as usize,
            c.industry as usize,
            &mut self.used_domains,
            rng,
        );
        c.host = if rng.chance(0.7) {
            format!("www.{domain}")
        } else {
            domain.clone()
        };
        c.email_domain = domain.clone();
        if rng.chance(0.04) {
            // E-mail on a different registrable domain than the website
            // (an older or country domain).
            let label = domain.split('.').next().unwrap_or("mail");
            let alt = format!(
                "{label}-mail.{}",
                self.d.countries[c.country as usize].cctld
            );
            if self.used_domains.insert(alt.clone()) {
                c.email_domain = alt;
            }
        }
        c.domain = domain;
    }

    /// A company of its own (also used for acquired brands).
    fn standalone(&mut self, country: Option<usize>, rng: &mut Rng) -> Company {
        let d = self.d;
        let country = country.unwrap_or_else(|| self.pick_country(rng));
        let industry = rng.index(d.industries.len());
        let emp = employees(rng, 0);
        let kind = rng.below(1000);
        let core = if kind < 20 {
            rng.pick(d.words("generic")).to_string()
        } else if kind < 50 && !self.companies.is_empty() {
            // An unrelated namesake of an earlier company, in another country
            // where possible.
            let other = &self.companies[rng.index(self.companies.len())];
            other.core.clone()
        } else {
            core_name(d, country, industry, rng)
        };
        let mut c = self.base(country, industry, core, emp, rng);
        self.set_own_domain(&mut c, rng);
        let noise = self.opts.noise;
        if rng.chance(0.02 * noise.min(1.0) + 0.01) {
            // Rebranded: older systems still hold the former name and domain.
            let old_core = core_name(d, country, industry, rng);
            let old_domain =
                unique_domain(d, &old_core, country, industry, &mut self.used_domains, rng);
            let old_name = with_form(&old_core, d.legal_forms[c.legal_form as usize].canonical);
            c.former = Some(Former {
                name: old_name,
                core: old_core,
                domain: old_domain,
            });
        }
        if rng.chance(0.03) {
            c.former_address = Some(random_address(d, country, rng));
        }
        c
    }

    fn group(&mut self, subs: usize, rng: &mut Rng) {
        let d = self.d;
        let country = self.pick_country(rng);
        let industry = rng.index(d.industries.len());
        let emp = employees(rng, 4);
        let mut core = if rng.chance(0.6) {
            brand(d, rng)
        } else {
            core_name(d, country, industry, rng)
        };
        if rng.chance(0.35) {
            let kind = match d.countries[country].lang {
                "de" => "parent_word_de",
                "fr" => "parent_word_fr",
                "ja" => "parent_word_ja",
                _ => "parent_word",
            };
            core = format!("{core} {}", rng.pick(d.words(kind)));
        }
        let mut parent = self.base(country, industry, core, emp, rng);
        self.set_own_domain(&mut parent, rng);
        let parent_index = parent.index;
        self.companies.push(parent);
        let mut members: Vec<u32> = vec![parent_index];
        for _ in 0..subs {
            // Most subsidiaries hang under the top parent; some under an
            // earlier subsidiary (a second level).
            let parent_idx = if members.len() > 1 && rng.chance(0.15) {
                members[1 + rng.index(members.len() - 1)]
            } else {
                parent_index
            };
            let roll = rng.below(100);
            let c = if roll < 50 {
                self.regional(parent_idx, rng)
            } else if roll < 75 {
                self.same_domain(parent_idx, rng)
            } else {
                let mut c = self.standalone(
                    if rng.chance(0.6) {
                        Some(self.companies[parent_idx as usize].country as usize)
                    } else {
                        None
                    },
                    rng,
                );
                c.parent = Some(parent_idx);
                c.relation = Some(Relation::AcquiredBrand);
                c
            };
            members.push(c.index);
            self.companies.push(c);
        }
    }

    fn regional(&mut self, parent_idx: u32, rng: &mut Rng) -> Company {
        let d = self.d;
        let p = self.companies[parent_idx as usize].clone();
        let mut country = self.pick_country(rng);
        for _ in 0..20 {
            if country != p.country as usize {
                break;
            }
            country = self.pick_country(rng);
        }
        let cinfo = &d.countries[country];
        let parent_core = if rng.chance(0.85) {
            strip_group_word(&p.core)
        } else {
            p.core.clone()
        };
        let region_word = match rng.below(10) {
            0..=5 => cinfo.local_name.to_string(),
            6..=7 => cinfo.name_en.to_string(),
            _ => String::new(),
        };
        let core = if region_word.is_empty() || country == p.country as usize {
            parent_core
        } else {
            format!("{parent_core} {region_word}")
        };
        let emp = employees(rng, 1).min(p.employees.max(20));
        let industry = if rng.chance(0.8) {
            p.industry as usize
        } else {
            rng.index(d.industries.len())
        };
        let mut c = self.base(country, industry, core, emp, rng);
        c.email_pattern = p.email_pattern;
        let label = p.domain.split('.').next().unwrap_or("group").to_string();
        let cc = if cinfo.iso2 == "GB" {
            "uk".to_string()
        } else {
            cinfo.iso2.to_lowercase()
        };
        match rng.below(100) {
            0..=44 => {
                c.domain = p.domain.clone();
                c.host = format!("{cc}.{}", p.domain);
                c.email_domain = if rng.chance(0.7) {
                    p.email_domain.clone()
                } else {
                    c.host.clone()
                };
            }
            45..=84 => {
                let cand = format!("{label}.{}", cinfo.cctld);
                let domain = if cand != p.domain && self.used_domains.insert(cand.clone()) {
                    cand
                } else {
                    unique_domain(d, &c.core, country, industry, &mut self.used_domains, rng)
                };
                c.host = if rng.chance(0.6) {
                    format!("www.{domain}")
                } else {
                    domain.clone()
                };
                c.email_domain = domain.clone();
                c.domain = domain;
            }
            _ => {
                c.domain = p.domain.clone();
                c.host = p.host.clone();
                c.path = [
                    "/de", "/fr", "/uk", "/en-gb", "/ja-jp", "/es", "/it", "/nl", "/intl",
                ][rng.index(9)];
                c.email_domain = p.email_domain.clone();
            }
        }
        c.parent = Some(parent_idx);
        c.relation = Some(Relation::Regional);
        c
    }

    fn same_domain(&mut self, parent_idx: u32, rng: &mut Rng) -> Company {
        let d = self.d;
        let p = self.companies[parent_idx as usize].clone();
        let country = if rng.chance(0.8) {
            p.country as usize
        } else {
            self.pick_country(rng)
        };
        let industry = if rng.chance(0.6) {
            p.industry as usize
        } else {
            rng.index(d.industries.len())
        };
        // Named after the parent with a business-line word, or unrelated.
        let core = if rng.chance(0.8) {
            format!(
                "{} {}",
                strip_group_word(&p.core),
                rng.pick(d.words("sub_word"))
            )
        } else {
            core_name(d, country, industry, rng)
        };
        let emp = employees(rng, 0).min(p.employees.max(20));
        let mut c = self.base(country, industry, core, emp, rng);
        c.domain = p.domain.clone();
        c.host = p.host.clone();
        c.email_domain = p.email_domain.clone();
        c.email_pattern = p.email_pattern;
        if country == p.country as usize && rng.chance(0.4) {
            // Same campus as the parent.
            c.address = p.address.clone();
            c.phone = phone::direct_line(&p.phone, rng);
        }
        c.parent = Some(parent_idx);
        c.relation = Some(Relation::SubsidiarySameDomain);
        c
    }
}

/// A parent's core name without its group word ("Acme Holdings" → "Acme").
fn strip_group_word(core: &str) -> String {
    const WORDS: [&str; 12] = [
        " Holdings",
        " Holding",
        " Group",
        " Gruppe",
        " Groupe",
        " International",
        " Global",
        " Worldwide",
        " Enterprises",
        " Industries",
        " Sogo",
        " Capital",
    ];
    for w in WORDS {
        if let Some(stem) = core.strip_suffix(w)
            && !stem.is_empty()
        {
            return stem.to_string();
        }
    }
    core.to_string()
}

/// The website of a company as its own records say (host plus path).
pub fn website(c: &Company) -> String {
    format!("{}{}", c.host, c.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcode_template_cases() {
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let p = postcode("750{01-20}", &mut rng);
            let n: u32 = p.parse().unwrap();
            assert!((75001..=75020).contains(&n), "{p}");
            let uk = postcode("EC2M #@@", &mut rng);
            assert_eq!(uk.len(), 8);
            let jp = postcode("100-{0001-0014}", &mut rng);
            assert_eq!(jp.len(), 8);
        }
    }

    #[test]
    fn group_words_are_stripped() {
        for (core, want) in [
            ("Acme Holdings", "Acme"),
            ("Axion Holding", "Axion"),
            ("Acme", "Acme"),
            ("Holdings", "Holdings"),
        ] {
            assert_eq!(strip_group_word(core), want);
        }
    }

    #[test]
    fn with_form_attaches_comma_forms() {
        assert_eq!(with_form("Acme", ", Inc."), "Acme, Inc.");
        assert_eq!(with_form("Acme", "GmbH"), "Acme GmbH");
        assert_eq!(with_form("Acme", ""), "Acme");
    }

    #[test]
    fn companies_have_unique_own_domains_and_acyclic_parents() {
        let opts = GenerateOptions {
            accounts: 2000,
            ..GenerateOptions::default()
        };
        let cs = Builder::new(&opts).build();
        assert_eq!(cs.len(), 2000);
        let mut own: HashSet<&str> = HashSet::new();
        let mut relations = [0usize; 3];
        for c in &cs {
            if let Some(p) = c.parent {
                assert!(p < c.index, "parent after child");
                match c.relation.unwrap() {
                    Relation::Regional => relations[0] += 1,
                    Relation::SubsidiarySameDomain => {
                        relations[1] += 1;
                        assert_eq!(c.domain, cs[p as usize].domain);
                    }
                    Relation::AcquiredBrand => {
                        relations[2] += 1;
                        assert_ne!(c.domain, cs[p as usize].domain);
                    }
                }
            }
            if c.relation.is_none() || c.relation == Some(Relation::AcquiredBrand) {
                assert!(own.insert(&c.domain), "duplicate domain {}", c.domain);
            }
            assert!(c.domain.is_ascii() && c.domain.contains('.'));
        }
        assert!(relations.iter().all(|r| *r > 0), "{relations:?}");
        // Unrelated companies share names across countries, with their own
        // domains ("Apex Solutions Ltd" in GB, "Apex Solutions GmbH" in DE).
        let mut by_core: std::collections::HashMap<&str, Vec<&Company>> = Default::default();
        for c in cs.iter().filter(|c| c.parent.is_none()) {
            by_core.entry(c.core.as_str()).or_default().push(c);
        }
        let namesakes = by_core
            .values()
            .filter(|v| v.len() >= 2 && v[0].country != v[1].country && v[0].domain != v[1].domain)
            .count();
        assert!(namesakes >= 10, "{namesakes}");
        let generic = data()
            .words("generic")
            .iter()
            .filter(|g| cs.iter().filter(|c| c.core == **g).count() >= 2)
            .count();
        assert!(generic >= 5, "{generic}");
    }
}
