//! Contact sources: CRM contacts and marketing-automation leads.

use std::collections::HashSet;

use crate::accounts::Ctx;
use crate::company::{Company, contacts_factor, mean_contacts_factor, website};
use crate::emit::{Record, Truth, Value};
use crate::person::{self, Person, Role};
use crate::phone::{self, Habit, Phone};
use crate::rng::{Rng, Stream};
use crate::text::{fold, typo};
use crate::vary::{self, NameKind, NameWeights};

pub const CRM_CONTACTS_HEADER: [&str; 11] = [
    "Id",
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Title",
    "Account Id",
    "Mailing Country",
    "LinkedIn",
    "Last Activity Date",
    "Created Date",
];

pub const LEADS_HEADER: [&str; 14] = [
    "lead_id",
    "full_name",
    "email",
    "phone",
    "job_title",
    "company",
    "website",
    "country",
    "email_opens",
    "web_visits",
    "pricing_page_visits",
    "webinars_attended",
    "created_at",
    "last_activity_at",
];

pub fn contact_entity_id(i: u32) -> String {
    format!("C{:07}", i + 1)
}

const LEAD_COMPANY: &NameWeights = &[
    (NameKind::Canonical, 15.0),
    (NameKind::CoreOnly, 35.0),
    (NameKind::Lower, 6.0),
    (NameKind::Upper, 4.0),
    (NameKind::FormVariant, 8.0),
    (NameKind::Abbrev, 4.0),
    (NameKind::Acronym, 3.0),
    (NameKind::Domain, 5.0),
    (NameKind::ParentName, 5.0),
    (NameKind::Typo, 5.0),
    (NameKind::Folded, 4.0),
    (NameKind::Connector, 2.0),
];

/// One person at one employer (a contact entity) and how they are reached.
struct Contact {
    person: Person,
    role: Role,
    id: u32,
    company: u32,
    title: String,
    work_email: String,
    direct: Option<Phone>,
    mobile: Option<Phone>,
}

/// Counters across companies.
#[derive(Debug, Default)]
pub struct ContactCounters {
    pub persons: u32,
    pub contacts: u32,
    pub job_changes: u32,
}

impl Ctx<'_> {
    fn p(&self, base: f64) -> f64 {
        (base * self.opts.noise).min(1.0)
    }

    /// People known at company `c`; appends their CRM contact and lead
    /// records.
    pub fn company_contacts(
        &self,
        c: &Company,
        counters: &mut ContactCounters,
        crm: &mut Vec<Record>,
        leads: &mut Vec<Record>,
    ) {
        let d = self.d;
        let opts = self.opts;
        let mut rng = Rng::stream(opts.seed, Stream::Contacts, u64::from(c.index));
        let mean =
            opts.contacts_per_account * contacts_factor(c.employees) / mean_contacts_factor();
        let n = (mean * rng.uniform(0.5, 1.5) + rng.f64()) as usize;
        let lang = d.countries[c.country as usize].lang;
        let mut used_locals: HashSet<String> = HashSet::new();
        let in_crm = self.presence[c.index as usize].in_crm();
        for _ in 0..n {
            let country = if rng.chance(0.85) {
                c.country as usize
            } else {
                rng.weighted(&d.country_weights)
            };
            let person = person::new_person(d, country, counters.persons, &mut rng);
            counters.persons += 1;
            let contact = self.new_contact(c, person, lang, &mut used_locals, counters, &mut rng);
            // Which systems know this person at this company.
            let roll = rng.below(100);
            let (mut crm_rows, mut lead_rows, orphan) = if in_crm {
                match roll {
                    0..=34 => (1, 0, false),
                    35..=64 => (0, 1, false),
                    _ => (1, 1, false),
                }
            } else if roll < 10 {
                (1, 0, true)
            } else {
                (0, 1, false)
            };
            if crm_rows > 0 && rng.chance(0.06) {
                crm_rows += 1;
            }
            if lead_rows > 0 && rng.chance(opts.lead_duplicate_rate) {
                lead_rows += 1;
                if rng.chance(0.25) {
                    lead_rows += 1;
                }
            }
            // A job change: the CRM still has the person at the old employer.
            if self.companies.len() > 1 && rng.chance(opts.job_change_rate) {
                let old = self.pick_other_company(c, &mut rng);
                let mut old_locals = HashSet::new();
                let old_contact = self.new_contact(
                    old,
                    contact.person.clone(),
                    d.countries[old.country as usize].lang,
                    &mut old_locals,
                    counters,
                    &mut rng,
                );
                let orphan_old = !self.presence[old.index as usize].in_crm();
                crm.push(self.crm_contact(&old_contact, 0, orphan_old, true, &mut rng));
                counters.job_changes += 1;
                if lead_rows == 0 {
                    lead_rows = 1;
                }
            }
            for r in 0..crm_rows {
                crm.push(self.crm_contact(&contact, r, orphan, false, &mut rng));
            }
            let mut first_email: Option<String> = None;
            for r in 0..lead_rows {
                leads.push(self.lead(&contact, r, &mut first_email, &mut rng));
            }
        }
    }

    fn pick_other_company<'c>(&'c self, c: &Company, rng: &mut Rng) -> &'c Company {
        let mut best = None;
        for _ in 0..6 {
            let o = &self.companies[rng.index(self.companies.len())];
            if o.index == c.index {
                continue;
            }
            best = Some(o);
            if o.country == c.country {
                break;
            }
        }
        best.unwrap_or_else(|| &self.companies[(c.index as usize + 1) % self.companies.len()])
    }

    fn new_contact(
        &self,
        c: &Company,
        person: Person,
        lang: &'static str,
        used_locals: &mut HashSet<String>,
        counters: &mut ContactCounters,
        rng: &mut Rng,
    ) -> Contact {
        let d = self.d;
        let role = person::new_role(d, rng);
        let title = person::title(d, role, lang, person.female, rng);
        let base = person::local_part(c.email_pattern, &person, c.german_email, rng.chance(0.8));
        let mut local = base.clone();
        let mut k = 2;
        while !used_locals.insert(local.clone()) {
            local = format!("{base}{k}");
            k += 1;
        }
        let work_email = format!("{local}@{}", c.email_domain);
        let city = c.address.city as usize;
        let direct = rng.chance(0.5).then(|| phone::direct_line(&c.phone, rng));
        let mobile = rng.chance(0.45).then(|| phone::mobile(city, rng));
        let id = counters.contacts;
        counters.contacts += 1;
        Contact {
            person,
            role,
            id,
            company: c.index,
            title,
            work_email,
            direct,
            mobile,
        }
    }

    fn retitle(&self, ct: &Contact, rng: &mut Rng) -> String {
        let d = self.d;
        let lang = d.countries[self.companies[ct.company as usize].country as usize].lang;
        let t = if rng.chance(0.6) {
            ct.title.clone()
        } else {
            person::title(d, ct.role, lang, ct.person.female, rng)
        };
        match rng.below(40) {
            0 => t.to_lowercase(),
            1 => t.to_uppercase(),
            _ => t,
        }
    }

    fn crm_contact(
        &self,
        ct: &Contact,
        r: usize,
        orphan: bool,
        old_job: bool,
        rng: &mut Rng,
    ) -> Record {
        let d = self.d;
        let c = &self.companies[ct.company as usize];
        let p = &ct.person;
        let dup = r > 0;
        let nick = p.nickname.is_some() && rng.chance(if dup { 0.5 } else { 0.2 });
        let mut first = p.given(nick).to_string();
        let mut last = p.last.clone();
        match rng.below(100) {
            0..=4 if p.middle.is_some() => {
                let m = p.middle.as_deref().unwrap_or("M");
                first = format!("{first} {}.", m.chars().next().unwrap_or('M'));
            }
            5..=6 => first = format!("{}.", first.chars().next().unwrap_or('X')),
            7..=14 => {
                first = fold(&first, false);
                last = fold(&last, false);
            }
            15..=17 => last = last.to_uppercase(),
            18..=20 if p.family_first => std::mem::swap(&mut first, &mut last),
            _ => {}
        }
        if rng.chance(self.p(0.02)) {
            last = typo(&last, rng);
        }
        let email = {
            let roll = rng.f64();
            if roll < self.p(0.05) {
                None
            } else if roll < self.p(0.05) + 0.01 {
                Some(format!("{}@{}", c.role_mailbox, c.email_domain))
            } else if roll < self.p(0.05) + 0.03 {
                Some(person::freemail(d, p, rng))
            } else if roll < self.p(0.05) + 0.03 + self.p(0.02) {
                Some(person::email_typo(&ct.work_email, rng))
            } else if rng.chance(0.05) {
                Some(capitalise_email(&ct.work_email))
            } else {
                Some(ct.work_email.clone())
            }
        };
        let habit = Habit {
            international: 0.4,
            extension: 0.0,
        };
        let phone = match (&ct.direct, &ct.mobile) {
            (Some(dl), _) if rng.chance(0.6) => Some(phone::render(dl, habit, rng)),
            (_, Some(m)) if rng.chance(0.4) => Some(phone::render(m, habit, rng)),
            _ if rng.chance(0.2) => Some(phone::render(
                &c.phone,
                Habit {
                    international: 0.4,
                    extension: 1.0,
                },
                rng,
            )),
            _ => None,
        };
        let title = rng.chance(0.88).then(|| self.retitle(ct, rng));
        let pres = &self.presence[ct.company as usize];
        let account_id = if orphan || pres.crm_ids.is_empty() {
            None
        } else {
            let id = if rng.chance(0.75) {
                &pres.crm_ids[0]
            } else {
                rng.pick(&pres.crm_ids)
            };
            Some(if rng.chance(0.08) {
                id[..15].to_string()
            } else {
                id.clone()
            })
        };
        let country = rng.chance(0.55).then(|| {
            let style = match rng.below(10) {
                0..=6 => 0,
                7..=8 => 1,
                _ => 3,
            };
            vary::country(d, c.country as usize, style, rng)
        });
        let linkedin = rng
            .chance(0.4)
            .then(|| person::linkedin_url(p, d.countries[c.country as usize].iso2, rng));
        let (created_days, activity_max) = if old_job {
            (rng.range(1200, 3200) as i64, 400)
        } else {
            (rng.range(10, 2000) as i64, 0)
        };
        let created = vary::days_before(self.as_of, created_days, rng);
        let last_activity = rng.chance(0.75).then(|| {
            let lo = activity_max.min(created_days - 1).max(0) as u64;
            let days = rng.range(lo, (created_days - 1).max(lo as i64) as u64) as i64;
            vary::iso_date(vary::days_before(self.as_of, days, rng))
        });
        Record {
            fields: vec![
                Value::Null,
                Value::Str(first),
                Value::Str(last),
                Value::opt(email),
                Value::opt(phone),
                Value::opt(title),
                Value::opt(account_id),
                Value::opt(country),
                Value::opt(linkedin),
                Value::opt(last_activity),
                Value::Str(vary::iso_datetime(created)),
            ],
            truth: Truth::Contact {
                person: p.index,
                contact: ct.id,
                account: ct.company,
            },
        }
    }

    fn lead(
        &self,
        ct: &Contact,
        r: usize,
        first_email: &mut Option<String>,
        rng: &mut Rng,
    ) -> Record {
        let d = self.d;
        let c = &self.companies[ct.company as usize];
        let p = &ct.person;
        let nick = p.nickname.is_some() && rng.chance(0.3);
        let full = person::full_name(p, nick, rng.chance(0.1));
        let full_name = match rng.below(100) {
            0..=7 => format!("{}, {}", p.last, p.given(nick)),
            8..=11 => full.to_uppercase(),
            12..=16 => full.to_lowercase(),
            17..=21 => fold(&full, false),
            22..=23 => person::naive_title(&full.to_lowercase()),
            24..=25 if p.family_first => format!("{} {}", p.given(nick), p.last),
            26 => String::new(),
            _ => full,
        };
        let full_name = if rng.chance(self.p(0.02)) && !full_name.is_empty() {
            typo(&full_name, rng)
        } else {
            full_name
        };
        let email = match first_email {
            Some(e) if rng.chance(0.5) => Some(e.clone()),
            _ => {
                let roll = rng.f64();
                let e = if roll < 0.62 {
                    Some(ct.work_email.clone())
                } else if roll < 0.87 {
                    Some(person::freemail(d, p, rng))
                } else if roll < 0.91 {
                    Some(format!("{}@{}", c.role_mailbox, c.email_domain))
                } else if roll < 0.91 + self.p(0.04) {
                    Some(person::email_typo(&ct.work_email, rng))
                } else if roll < 0.97 {
                    Some(capitalise_email(&ct.work_email))
                } else {
                    None
                };
                if r == 0 {
                    first_email.clone_from(&e);
                }
                e
            }
        };
        let habit = Habit {
            international: 0.6,
            extension: 0.0,
        };
        let phone = if rng.chance(0.35) {
            ct.mobile
                .as_ref()
                .or(ct.direct.as_ref())
                .map(|ph| phone::render(ph, habit, rng))
        } else {
            None
        };
        let title = rng.chance(0.75).then(|| self.retitle(ct, rng));
        let company = if rng.chance(self.p(0.12)) {
            None
        } else {
            let kind = vary::pick_kind(LEAD_COMPANY, self.opts.noise, rng);
            Some(vary::company_name(d, self.companies, c, false, kind, rng))
        };
        let site = rng.chance(0.25).then(|| vary::website(&website(c), rng));
        let country = rng.chance(0.7).then(|| {
            let ci = if rng.chance(0.92) {
                c.country as usize
            } else {
                p.country as usize
            };
            let style = match rng.below(10) {
                0..=3 => 1,
                4..=7 => 0,
                _ => 3,
            };
            vary::country(d, ci, style, rng)
        });
        let skew = |rng: &mut Rng, max: f64| -> i64 {
            let u = rng.f64();
            (u * u * u * max) as i64
        };
        let senior_boost = if matches!(ct.role.seniority, "ceo" | "clevel" | "vp") {
            1.5
        } else {
            1.0
        };
        let email_opens = skew(rng, 80.0);
        let web_visits = skew(rng, 60.0 * senior_boost);
        let pricing = if rng.chance(0.3) {
            skew(rng, 12.0 * senior_boost)
        } else {
            0
        };
        let webinars = if rng.chance(0.25) { skew(rng, 6.0) } else { 0 };
        let created_days = rng.range(1, 1400) as i64;
        let created = vary::days_before(self.as_of, created_days, rng);
        let last = rng.chance(0.8).then(|| {
            let days = rng.range(0, (created_days - 1).max(0) as u64) as i64;
            vary::us_datetime(vary::days_before(self.as_of, days, rng))
        });
        Record {
            fields: vec![
                Value::Null,
                Value::Str(full_name),
                Value::opt(email),
                Value::opt(phone),
                Value::opt(title),
                Value::opt(company),
                Value::opt(site),
                Value::opt(country),
                Value::Int(email_opens),
                Value::Int(web_visits),
                Value::Int(pricing),
                Value::Int(webinars),
                Value::Str(vary::us_datetime(created)),
                Value::opt(last),
            ],
            truth: Truth::Contact {
                person: p.index,
                contact: ct.id,
                account: ct.company,
            },
        }
    }
}

/// "john.smith@acme.com" → "John.Smith@Acme.Com" (some systems
/// capitalise every part).
fn capitalise_email(e: &str) -> String {
    let mut out = String::with_capacity(e.len());
    let mut start = true;
    for ch in e.chars() {
        if start {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        start = matches!(ch, '.' | '@' | '_');
    }
    out
}
