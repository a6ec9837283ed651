//! Account sources: CRM accounts, the enrichment vendor and the ERP.

use chrono::NaiveDate;

use crate::GenerateOptions;
use crate::company::{Company, website};
use crate::data::Data;
use crate::emit::{Record, Truth, Value};
use crate::phone::{self, Habit};
use crate::rng::{Rng, Stream};
use crate::taxid;
use crate::vary::{self, NameKind, NameWeights};

pub const CRM_ACCOUNTS_HEADER: [&str; 14] = [
    "Id",
    "Account Name",
    "Website",
    "Phone",
    "Billing Street",
    "Billing City",
    "Billing Postal Code",
    "Billing Country",
    "Industry",
    "Employees",
    "Annual Revenue",
    "Parent Account Id",
    "VAT Number",
    "Last Modified Date",
];

pub const ENRICHMENT_KEYS: [&str; 11] = [
    "vendor_id",
    "company_name",
    "domain",
    "employee_count",
    "revenue",
    "industry_code",
    "industry",
    "hq_city",
    "hq_country",
    "parent_domain",
    "verified_at",
];

pub const ERP_HEADER: [&str; 11] = [
    "customer_no",
    "customer_name",
    "street",
    "zip",
    "city",
    "country_code",
    "phone",
    "vat_id",
    "first_order",
    "last_order",
    "lifetime_value",
];

/// Where a company appears among the account sources.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    /// CRM account ids (the first is the main record; the rest duplicates).
    pub crm_ids: Vec<String>,
    pub enrichment_rows: u8,
    pub erp_rows: u8,
    /// Employee count the CRM holds (often out of date).
    pub crm_employees: u32,
}

impl Presence {
    pub fn in_crm(&self) -> bool {
        !self.crm_ids.is_empty()
    }
}

/// Decides, per company, in which account sources it appears and how often.
/// CRM ids are assigned here (in company order) so that parent references
/// and contacts can point at them.
pub fn presence(opts: &GenerateOptions, companies: &[Company]) -> Vec<Presence> {
    let mut next_crm = 0u64;
    companies
        .iter()
        .map(|c| {
            let mut rng = Rng::stream(opts.seed, Stream::Presence, u64::from(c.index));
            let customer = rng.chance(opts.customer_share);
            let crm_p = if customer {
                0.97
            } else if c.parent.is_some() {
                opts.crm_coverage * 0.9
            } else {
                opts.crm_coverage
            };
            let mut crm_rows = 0;
            if rng.chance(crm_p) {
                crm_rows = 1;
                if rng.chance(opts.crm_duplicate_rate) {
                    crm_rows += 1;
                    if rng.chance(0.25) {
                        crm_rows += 1;
                        if rng.chance(0.3) {
                            crm_rows += 1;
                        }
                    }
                }
            }
            let crm_ids = (0..crm_rows)
                .map(|_| {
                    let id = crate::emit::salesforce_id("001", next_crm);
                    next_crm += 1;
                    id
                })
                .collect();
            let enrichment_rows = if rng.chance(opts.enrichment_coverage) {
                if rng.chance(0.03) { 2 } else { 1 }
            } else {
                0
            };
            let erp_rows = if customer {
                if rng.chance(0.05) { 2 } else { 1 }
            } else {
                0
            };
            let crm_employees = if rng.chance(0.5) {
                c.employees
            } else {
                ((f64::from(c.employees) * rng.uniform(0.55, 1.15)).round() as u32).max(1)
            };
            Presence {
                crm_ids,
                enrichment_rows,
                erp_rows,
                crm_employees,
            }
        })
        .collect()
}

fn p(opts: &GenerateOptions, base: f64) -> f64 {
    (base * opts.noise).min(1.0)
}

fn present(opts: &GenerateOptions, rng: &mut Rng, missing: f64) -> bool {
    !rng.chance(p(opts, missing))
}

const CRM_MAIN_NAMES: &NameWeights = &[
    (NameKind::Canonical, 55.0),
    (NameKind::FormVariant, 18.0),
    (NameKind::CoreOnly, 10.0),
    (NameKind::Upper, 4.0),
    (NameKind::Folded, 4.0),
    (NameKind::Abbrev, 3.0),
    (NameKind::Typo, 3.0),
    (NameKind::Connector, 3.0),
];

const CRM_DUP_NAMES: &NameWeights = &[
    (NameKind::Canonical, 18.0),
    (NameKind::FormVariant, 20.0),
    (NameKind::CoreOnly, 15.0),
    (NameKind::Upper, 9.0),
    (NameKind::Lower, 5.0),
    (NameKind::Domain, 8.0),
    (NameKind::Junk, 7.0),
    (NameKind::Abbrev, 5.0),
    (NameKind::Typo, 8.0),
    (NameKind::Folded, 3.0),
    (NameKind::Connector, 2.0),
];

/// Shared context for rendering account records.
pub struct Ctx<'a> {
    pub d: &'static Data,
    pub opts: &'a GenerateOptions,
    pub companies: &'a [Company],
    pub presence: &'a [Presence],
    pub as_of: NaiveDate,
}

impl Ctx<'_> {
    /// CRM account row `r` of company `c` (row 0 is the main record).
    pub fn crm_account(&self, c: &Company, r: usize) -> Record {
        let d = self.d;
        let opts = self.opts;
        let pres = &self.presence[c.index as usize];
        let mut rng = Rng::stream(
            opts.seed,
            Stream::CrmAccounts,
            (u64::from(c.index) << 3) | r as u64,
        );
        let dup = r > 0;
        let former = c.former.is_some() && rng.chance(0.6);
        let kind = vary::pick_kind(
            if dup { CRM_DUP_NAMES } else { CRM_MAIN_NAMES },
            opts.noise,
            &mut rng,
        );
        let name = vary::company_name(d, self.companies, c, former, kind, &mut rng);
        let site = match (&c.former, former) {
            (Some(f), true) => format!("www.{}", f.domain),
            _ => website(c),
        };
        let website = (present(opts, &mut rng, if dup { 0.4 } else { 0.15 }))
            .then(|| vary::website(&site, &mut rng));
        let habit = Habit {
            international: if d.countries[c.country as usize].iso2 == "US" {
                0.2
            } else {
                0.45
            },
            extension: 0.05,
        };
        let phone = present(opts, &mut rng, if dup { 0.4 } else { 0.2 })
            .then(|| phone::render(&c.phone, habit, &mut rng));
        let addr = match &c.former_address {
            Some(old) if rng.chance(0.5) => old,
            _ => &c.address,
        };
        let has_address = present(opts, &mut rng, if dup { 0.35 } else { 0.12 });
        let (street, city, postcode, country) = if has_address {
            let multiline = addr.unit.is_some() && rng.chance(0.15);
            let street = present(opts, &mut rng, 0.05)
                .then(|| vary::street(d, addr, 0.35, multiline, &mut rng));
            let city = Some(vary::city(d, addr.city as usize, 0.15, &mut rng));
            let postcode =
                present(opts, &mut rng, 0.06).then(|| postcode_typed(&addr.postcode, &mut rng));
            let style = match rng.below(20) {
                0..=13 => 0,
                14..=16 => 3,
                _ => 1,
            };
            let country = present(opts, &mut rng, 0.04)
                .then(|| vary::country(d, c.country as usize, style, &mut rng));
            (street, city, postcode, country)
        } else {
            (None, None, None, None)
        };
        let ind = &d.industries[c.industry as usize];
        let industry = present(opts, &mut rng, 0.2).then(|| {
            if rng.chance(0.05) {
                "Other".to_string()
            } else if rng.chance(0.75) {
                ind.crm_labels[0].to_string()
            } else {
                rng.pick(&ind.crm_labels).to_string()
            }
        });
        let employees = present(opts, &mut rng, if dup { 0.5 } else { 0.3 })
            .then(|| vary::employees(pres.crm_employees, &mut rng));
        let revenue = present(opts, &mut rng, if dup { 0.6 } else { 0.45 })
            .then(|| vary::revenue(c.revenue_usd, d, c.country as usize, &mut rng));
        let parent = match c.parent {
            Some(pi) if !dup && rng.chance(0.45) => {
                let pp = &self.presence[pi as usize];
                pp.crm_ids.first().map(|id| {
                    if rng.chance(0.2) {
                        id[..15].to_string()
                    } else {
                        id.clone()
                    }
                })
            }
            _ => None,
        };
        let eu = is_eu(d.countries[c.country as usize].iso2);
        let vat = rng.chance(if eu { 0.45 } else { 0.15 }).then(|| {
            taxid::render(
                &c.tax_id,
                d.countries[c.country as usize].iso2,
                rng.below(4) as u32,
            )
        });
        let modified = if dup {
            vary::days_before(self.as_of, rng.range(200, 2500) as i64, &mut rng)
        } else {
            vary::days_before(self.as_of, rng.range(0, 900) as i64, &mut rng)
        };
        Record {
            fields: vec![
                Value::Str(pres.crm_ids[r].clone()),
                Value::Str(name),
                Value::opt(website),
                Value::opt(phone),
                Value::opt(street),
                Value::opt(city),
                Value::opt(postcode),
                Value::opt(country),
                Value::opt(industry),
                Value::opt(employees),
                Value::opt(revenue),
                Value::opt(parent),
                Value::opt(vat),
                Value::Str(vary::iso_datetime(modified)),
            ],
            truth: Truth::Account(c.index),
        }
    }

    /// Enrichment record `r` of company `c`.
    pub fn enrichment(&self, c: &Company, r: usize) -> Record {
        let d = self.d;
        let opts = self.opts;
        let mut rng = Rng::stream(
            opts.seed,
            Stream::Enrichment,
            (u64::from(c.index) << 3) | r as u64,
        );
        // Second vendor records of one company are older copies.
        let stale = rng.chance(p(opts, 0.15)) || r > 0;
        let former = stale && c.former.is_some() && rng.chance(0.7);
        let kind = match rng.below(20) {
            0..=11 => NameKind::Canonical,
            12..=15 => NameKind::CoreOnly,
            16..=17 => NameKind::Upper,
            18 => NameKind::FormVariant,
            _ => NameKind::Folded,
        };
        let name = vary::company_name(d, self.companies, c, former, kind, &mut rng);
        let domain_src = match (&c.former, former) {
            (Some(f), true) => f.domain.clone(),
            _ => c.domain.clone(),
        };
        let domain = match rng.below(20) {
            0 => Value::Null,
            1 => Value::Str(format!("www.{domain_src}")),
            2 if c.host != format!("www.{}", c.domain) && !former => Value::Str(c.host.clone()),
            _ => Value::Str(domain_src),
        };
        let employees_true = if stale {
            ((f64::from(c.employees) * rng.uniform(0.45, 0.9)).round() as u32).max(1)
        } else {
            ((f64::from(c.employees) * rng.uniform(0.95, 1.05)).round() as u32).max(1)
        };
        let employee_count = match rng.below(20) {
            0..=10 => Value::Int(i64::from(employees_true)),
            11..=12 => Value::Str(employees_true.to_string()),
            13..=16 => Value::Str(vary::employee_range(employees_true).to_string()),
            _ => Value::Null,
        };
        let rev = if stale {
            (c.revenue_usd as f64 * rng.uniform(0.5, 0.9)) as u64 / 1000 * 1000
        } else {
            c.revenue_usd
        };
        let revenue = match rng.below(20) {
            0..=11 => Value::Int(rev as i64),
            12..=16 => Value::Str(vary::revenue(rev, d, c.country as usize, &mut rng)),
            _ => Value::Null,
        };
        let ind = &d.industries[c.industry as usize];
        let industry_code = match rng.below(20) {
            0..=12 => Value::Str(ind.naics.to_string()),
            13..=15 => Value::Str(ind.naics_2017.to_string()),
            16..=17 => Value::Str(ind.naics[..4].to_string()),
            18 => Value::Int(ind.naics.parse().unwrap_or(0)),
            _ => Value::Null,
        };
        let industry = if rng.chance(0.85) {
            Value::Str(ind.title.to_string())
        } else {
            Value::Str(ind.crm_labels[0].to_string())
        };
        let addr = match &c.former_address {
            Some(old) if stale => old,
            _ => &c.address,
        };
        let hq_city = if present(opts, &mut rng, 0.05) {
            Value::Str(vary::city(d, addr.city as usize, 0.08, &mut rng))
        } else {
            Value::Null
        };
        let style = match rng.below(20) {
            0..=17 => 1,
            18 => 2,
            _ => 0,
        };
        let hq_country = Value::Str(vary::country(d, c.country as usize, style, &mut rng));
        let parent_domain = match c.parent {
            Some(pi) if rng.chance(0.65) => Value::Str(self.companies[pi as usize].domain.clone()),
            _ => Value::Null,
        };
        let days = if stale {
            rng.range(3 * 365, 7 * 365)
        } else {
            rng.range(5, 540)
        };
        let verified = vary::days_before(self.as_of, days as i64, &mut rng);
        Record {
            fields: vec![
                Value::Null,
                Value::Str(name),
                domain,
                employee_count,
                revenue,
                industry_code,
                industry,
                hq_city,
                hq_country,
                parent_domain,
                Value::Str(vary::iso_date(verified)),
            ],
            truth: Truth::Account(c.index),
        }
    }

    /// ERP customer record `r` of company `c` (a second record is another
    /// bill-to site).
    pub fn erp(&self, c: &Company, r: usize) -> Record {
        let d = self.d;
        let opts = self.opts;
        let mut rng = Rng::stream(opts.seed, Stream::Erp, (u64::from(c.index) << 3) | r as u64);
        let iso = d.countries[c.country as usize].iso2;
        let former = c.former.is_some() && rng.chance(0.4);
        let kind = match rng.below(20) {
            0..=7 => NameKind::Canonical,
            8..=13 => NameKind::Upper,
            14..=15 => NameKind::FormVariant,
            16 => NameKind::Folded,
            17 => NameKind::Abbrev,
            18 => NameKind::Typo,
            _ => NameKind::Canonical,
        };
        let mut name = vary::company_name(d, self.companies, c, former, kind, &mut rng);
        if rng.chance(0.2) {
            name = crate::text::fold(&name, d.countries[c.country as usize].lang == "de");
        }
        // Legacy ERP name fields hold 35 characters.
        if name.chars().count() > 35 {
            name = name
                .chars()
                .take(35)
                .collect::<String>()
                .trim_end()
                .to_string();
        }
        let addr_owned;
        let addr = if r > 0 && rng.chance(0.6) {
            addr_owned = crate::company::random_address(d, c.country as usize, &mut rng);
            &addr_owned
        } else {
            &c.address
        };
        let street = vary::street(d, addr, 0.5, false, &mut rng);
        let street = if rng.chance(0.3) {
            street.to_uppercase()
        } else {
            street
        };
        let zip = postcode_typed(&addr.postcode, &mut rng);
        let city = vary::city(d, addr.city as usize, 0.2, &mut rng);
        let country_code = match rng.below(40) {
            0 => iso.to_lowercase(),
            1 => d.countries[c.country as usize].iso3.to_string(),
            _ => iso.to_string(),
        };
        let habit = Habit {
            international: 0.3,
            extension: 0.02,
        };
        let phone_v =
            present(opts, &mut rng, 0.15).then(|| phone::render(&c.phone, habit, &mut rng));
        let vat = rng
            .chance(if is_eu(iso) { 0.85 } else { 0.5 })
            .then(|| taxid::render(&c.tax_id, iso, if rng.chance(0.7) { 0 } else { 2 }));
        let first_days = rng.range(200, 4000) as i64;
        let last_days = rng.range(0, (first_days - 1).max(1) as u64) as i64;
        let first = vary::days_before(self.as_of, first_days, &mut rng);
        let last = vary::days_before(self.as_of, last_days, &mut rng);
        let ltv = (c.revenue_usd as f64 * rng.uniform(0.0005, 0.02) * 100.0).round() / 100.0;
        Record {
            fields: vec![
                Value::Null,
                Value::Str(name),
                Value::Str(street),
                Value::Str(zip),
                Value::Str(city),
                Value::Str(country_code),
                Value::opt(phone_v),
                Value::opt(vat),
                Value::Str(vary::eu_date(first)),
                Value::Str(vary::eu_date(last)),
                Value::Str(format!("{ltv:.2}")),
            ],
            truth: Truth::Account(c.index),
        }
    }
}

/// Postcodes as typed: sometimes lower case, without the space, or with a
/// leading zero lost to a spreadsheet.
fn postcode_typed(pc: &str, rng: &mut Rng) -> String {
    match rng.below(40) {
        0 if pc.starts_with('0') && pc.bytes().all(|b| b.is_ascii_digit()) => {
            pc.trim_start_matches('0').to_string()
        }
        1 if pc.contains(' ') => pc.replace(' ', ""),
        2 => pc.to_lowercase(),
        _ => pc.to_string(),
    }
}

pub fn is_eu(iso2: &str) -> bool {
    matches!(
        iso2,
        "DE" | "AT" | "FR" | "BE" | "NL" | "ES" | "IT" | "SE" | "DK" | "PL" | "IE"
    )
}
