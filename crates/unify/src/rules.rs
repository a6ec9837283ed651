//! What firmlink knows about B2B data that a general-purpose matcher does
//! not: derived matching columns, and rules that veto a scored pair no
//! matter how high its score.
//!
//! Derived columns:
//! - contacts: `email_personal` (the email unless it is a role address such
//!   as info@, a disposable or an invalid one: those say nothing about who a
//!   person is), `email_local` (its local part), `employer_domain` (the
//!   corporate email domain, else the typed company website's domain, else
//!   the domain of the account the source links the contact to
//!   (`account_ref`, see [`crate::account_ref`]); free-mail never counts),
//!   `employer_label` and `employer_keys` (the employer as a label and as a
//!   set of keys: domain label, compact company name, acronym, from the
//!   contact and its linked account), `employer_terms` (the keys and the
//!   first word of a multi-word company name, for scoring);
//! - accounts: `domain_corp` (the registrable domain unless it is a
//!   free-mail domain), `name_short` (the acronym of a multi-word name, or a
//!   short one-word name, so "IBM" meets "International Business Machines"),
//!   `name_country`, `name_domain` (the registrable domain of a name
//!   typed as a website, "www.acme.com") and `name_compact` (the name key's
//!   letters and digits: "northwindpolymers.com" meets "Northwind Polymers"),
//!   `tax_number` (the tax id without its VAT country prefix).
//!
//! Vetoes (with `b2b_rules = true`, the default for the built-in
//! comparisons):
//! - accounts, `tax_id`: two different non-null tax ids are two legal
//!   entities;
//! - accounts, `country`: a legal entity has one country: records in
//!   different countries are different accounts unless their tax ids agree
//!   (regional subsidiaries and similarly named foreign companies);
//! - accounts, `shared_domain`: the same corporate domain with clearly
//!   different names (under half the name words shared), with names
//!   sharing only half their words and another phone or city, or with one
//!   name being the other plus a word of its own ("Black Farms" and "Black
//!   Farms Labs"; legal forms, their typos and CRM notes do not count) is a
//!   corporate family (a subsidiary listing its parent's website), for the
//!   resolve stage, not one account — unless one of the names is that
//!   website typed as the name ("acme.com"), which tells nothing about the
//!   name;
//! - contacts, `employer`: two different corporate employer domains mean two
//!   contacts (a person who changed jobs is a new contact), unless the
//!   domains differ by a typo (edit distance ≤ 1).

use firmlink_model::{Column, Kind, StrColumn, Table};
use serde::Serialize;

/// Derived columns for a kind, as (name, values), computed in parallel
/// slices of rows.
pub fn derived_columns(kind: Kind, t: &Table) -> Vec<(&'static str, StrColumn)> {
    use rayon::prelude::*;
    const SLICE: usize = 65_536;
    let n = t.rows();
    let parts: Vec<Vec<(&'static str, StrColumn)>> = (0..n.div_ceil(SLICE).max(1))
        .into_par_iter()
        .map(|k| derived_rows(kind, t, k * SLICE..((k + 1) * SLICE).min(n)))
        .collect();
    let mut parts = parts.into_iter();
    let mut out = parts.next().expect("at least one slice");
    for part in parts {
        for ((_, col), (_, more)) in out.iter_mut().zip(&part) {
            col.extend(more);
        }
    }
    for (_, col) in &mut out {
        col.shrink_to_fit();
    }
    out
}

/// [`derived_columns`] of the rows `rows`.
fn derived_rows(
    kind: Kind,
    t: &Table,
    rows: std::ops::Range<usize>,
) -> Vec<(&'static str, StrColumn)> {
    let n = rows.len();
    let s = |name: &str| t.str(name);
    match kind {
        Kind::Contacts => {
            let email = s("email");
            let class = s("email_class");
            let domain = s("email_domain");
            let company_domain = s("company_domain");
            let company_key = s("company_key");
            let first = s("first_name_key");
            let last = s("last_name_key");
            let full = s("full_name");
            let mut personal = StrColumn::with_capacity(n);
            let mut local = StrColumn::with_capacity(n);
            let mut employer = StrColumn::with_capacity(n);
            let mut label = StrColumn::with_capacity(n);
            let mut name_set = StrColumn::with_capacity(n);
            let mut terms = StrColumn::with_capacity(n);
            let mut keys = StrColumn::with_capacity(n);
            let acronym = s("company_acronym");
            let acc_domain = s("account_domain");
            let acc_key = s("account_name_key");
            let acc_acronym = s("account_acronym");
            let get =
                |c: Option<&'_ StrColumn>, i: usize| c.and_then(|c| c.get(i)).map(str::to_string);
            use firmlink_normalize::email::EmailClass;
            let is = |cls: Option<&str>, classes: &[EmailClass]| {
                cls.is_some_and(|c| classes.iter().any(|k| k.as_str() == c))
            };
            for i in rows.clone() {
                let cls = class.and_then(|c| c.get(i));
                let e = email
                    .and_then(|c| c.get(i))
                    .filter(|_| is(cls, &[EmailClass::Corporate, EmailClass::FreeMail]));
                personal.push(e);
                // A local part spelled from the person's own name says
                // nothing the name comparisons have not said: namesakes
                // write "kylesmith@" too.
                let own = e.and_then(|e| e.split('@').next()).filter(|l| {
                    !local_is_the_name(l, first.and_then(|c| c.get(i)), last.and_then(|c| c.get(i)))
                });
                local.push(own);
                let corp = domain
                    .and_then(|c| c.get(i))
                    .filter(|_| is(cls, &[EmailClass::Corporate, EmailClass::Role]));
                let typed = company_domain
                    .and_then(|c| c.get(i))
                    .filter(|d| !firmlink_normalize::email::is_free_mail_domain(d));
                let linked = acc_domain.and_then(|c| c.get(i));
                let emp = corp.or(typed).or(linked);
                employer.push(emp);
                let lab = emp
                    .map(domain_label)
                    .or_else(|| get(company_key, i).map(|k| compact(&k)))
                    .or_else(|| get(acc_key, i).map(|k| compact(&k)));
                label.push(lab.as_deref().filter(|l| !l.is_empty()));
                let mut ks: Vec<String> = Vec::new();
                ks.extend(emp.map(domain_label));
                ks.extend(linked.map(domain_label));
                ks.extend(get(company_key, i).map(|k| compact(&k)));
                ks.extend(get(acronym, i));
                ks.extend(get(acc_key, i).map(|k| compact(&k)));
                ks.extend(get(acc_acronym, i));
                ks.retain(|k| !k.is_empty());
                ks.sort();
                ks.dedup();
                let joined_keys = ks.join(" ");
                keys.push((!ks.is_empty()).then_some(joined_keys.as_str()));
                // For scoring only, the first word of a multi-word company
                // name too: a typed "Dyneon Communicatoins" meets dyneon.com.
                // Not for the employer rule: "Global Tech" and "Global Foods"
                // share it and are two employers.
                for k in [get(company_key, i), get(acc_key, i)].into_iter().flatten() {
                    if let Some((first, _)) = k.split_once(' ') {
                        let w = compact(first);
                        if w.len() >= 4 {
                            ks.push(w);
                        }
                    }
                }
                ks.sort();
                ks.dedup();
                let joined_terms = ks.join(" ");
                terms.push((!ks.is_empty()).then_some(joined_terms.as_str()));
                let mut words: Vec<String> = match full.and_then(|c| c.get(i)) {
                    Some(f) => firmlink_normalize::text::fold(f)
                        .split(' ')
                        .map(str::to_string)
                        .collect(),
                    None => [get(first, i), get(last, i)]
                        .into_iter()
                        .flatten()
                        .collect(),
                };
                words.retain(|w| !w.is_empty());
                words.sort();
                let joined = words.join(" ");
                name_set.push((words.len() >= 2).then_some(joined.as_str()));
            }
            vec![
                ("email_personal", personal),
                ("email_local", local),
                ("employer_domain", employer),
                ("employer_label", label),
                ("employer_keys", keys),
                ("employer_terms", terms),
                ("name_set", name_set),
            ]
        }
        Kind::Accounts => {
            let domain = s("domain");
            let free = match t.get("domain_is_free_mail") {
                Some(Column::Bool(v)) => Some(v),
                _ => None,
            };
            let key = s("name_key");
            let tokens = s("name_tokens");
            let acronym = s("name_acronym");
            let mut corp = StrColumn::with_capacity(n);
            let mut short = StrColumn::with_capacity(n);
            let country = s("country");
            let mut name_country = StrColumn::with_capacity(n);
            let tax = s("tax_id");
            let mut tax_number = StrColumn::with_capacity(n);
            let raw_name = s("name");
            let mut name_domain = StrColumn::with_capacity(n);
            let mut name_compact = StrColumn::with_capacity(n);
            for i in rows.clone() {
                let is_free = free.and_then(|f| f[i]).unwrap_or(false);
                corp.push(domain.and_then(|d| d.get(i)).filter(|_| !is_free));
                let words = tokens
                    .and_then(|c| c.get(i))
                    .map_or(0, |t| t.split(' ').count());
                let k = key.and_then(|c| c.get(i));
                let value = if words >= 2 {
                    acronym.and_then(|c| c.get(i))
                } else {
                    k.filter(|k| k.len() <= 5 && !k.contains(' '))
                };
                short.push(value);
                let c = country.and_then(|c| c.get(i));
                let nc = k.zip(c).map(|(k, c)| format!("{k}|{c}"));
                name_country.push(nc.as_deref());
                let nd = raw_name
                    .and_then(|c| c.get(i))
                    .and_then(firmlink_normalize::website::name_as_domain);
                name_domain.push(nd.as_deref());
                tax_number.push(tax.and_then(|c| c.get(i)).map(|t| tax_parts(t).1));
                let cp = k.map(compact);
                name_compact.push(cp.as_deref().filter(|c| !c.is_empty()));
            }
            vec![
                ("domain_corp", corp),
                ("name_short", short),
                ("name_country", name_country),
                ("name_domain", name_domain),
                ("name_compact", name_compact),
                ("tax_number", tax_number),
            ]
        }
    }
}

/// Which matching columns are computed from which, per kind, as
/// `(column, sources)`: records that agree on every source agree on the
/// column. EM sessions leave out comparisons on such a column when their
/// rule blocks on the sources (see `firmlink_linkage::Table::computed_from`):
/// a session blocked on `email` learns nothing about `email_personal`.
/// Only dependencies that hold exactly are listed (company keys: up to a
/// source's default country, used when a record has none): `employer_domain` is computed from the
/// email, the typed website and the linked account together, so a rule on
/// the email alone leaves the employer comparison in.
pub fn computed_from(kind: Kind) -> &'static [(&'static str, &'static [&'static str])] {
    match kind {
        Kind::Contacts => &[
            ("first_name_key", &["first_name"]),
            ("formal_first_name_key", &["first_name_key"]),
            ("first_name_phonetic", &["first_name_key"]),
            ("last_name_key", &["last_name"]),
            ("last_name_phonetic", &["last_name_key"]),
            ("name_set", &["full_name"]),
            ("email_domain", &["email"]),
            ("email_class", &["email"]),
            // The personal email is the email when it is not a role, invalid
            // or disposable address: each determines the other where the
            // personal one is not null, as it is in a block on it.
            ("email_personal", &["email"]),
            ("email", &["email_personal"]),
            ("email_local", &["email_personal"]),
            ("company_key", &["company_name", "country"]),
            ("company_acronym", &["company_name", "country"]),
            (
                "employer_domain",
                &["email", "company_domain", "account_domain"],
            ),
            ("employer_label", &["employer_domain"]),
            ("phone_valid", &["phone"]),
        ],
        Kind::Accounts => &[
            ("name_clean", &["name", "country"]),
            ("name_key", &["name", "country"]),
            ("name_tokens", &["name_key"]),
            ("name_acronym", &["name", "country"]),
            ("name_short", &["name_key", "name_acronym"]),
            ("name_country", &["name_key", "country"]),
            ("name_domain", &["name"]),
            ("name_compact", &["name_key"]),
            ("tax_number", &["tax_id"]),
            ("domain", &["website"]),
            ("domain_corp", &["domain"]),
            ("domain", &["domain_corp"]),
            ("city_key", &["city"]),
            ("phone_valid", &["phone"]),
        ],
    }
}

/// The name part of a registrable domain: "tohoku-seiyaku.co.jp" → "tohokuseiyaku".
fn domain_label(domain: &str) -> String {
    compact(domain.split('.').next().unwrap_or(domain))
}

/// Letters and digits only.
fn compact(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// Why a pair was vetoed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Veto {
    TaxId,
    Country,
    SharedDomain,
    Employer,
    FirstName,
}

impl Veto {
    pub fn as_str(self) -> &'static str {
        match self {
            Veto::TaxId => "tax_id",
            Veto::Country => "country",
            Veto::SharedDomain => "shared_domain",
            Veto::Employer => "employer",
            Veto::FirstName => "first_name",
        }
    }
}

/// Pairs at or above the clustering threshold vetoed, per rule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VetoCounts {
    pub tax_id: u64,
    pub country: u64,
    pub shared_domain: u64,
    pub employer: u64,
    pub first_name: u64,
}

impl VetoCounts {
    pub fn total(&self) -> u64 {
        self.tax_id + self.country + self.shared_domain + self.employer + self.first_name
    }

    pub fn add(&mut self, v: Veto) {
        match v {
            Veto::TaxId => self.tax_id += 1,
            Veto::Country => self.country += 1,
            Veto::SharedDomain => self.shared_domain += 1,
            Veto::Employer => self.employer += 1,
            Veto::FirstName => self.first_name += 1,
        }
    }
}

/// Applies the vetoes to record pairs of one table.
pub struct Checker<'t> {
    kind: Kind,
    enabled: bool,
    tax: Option<&'t StrColumn>,
    country: Option<&'t StrColumn>,
    domain: Option<StrColumn>,
    tokens: Option<&'t StrColumn>,
    phone: Option<&'t StrColumn>,
    city: Option<&'t StrColumn>,
    short: Option<StrColumn>,
    employer_keys: Option<StrColumn>,
    first: Option<&'t StrColumn>,
    formal: Option<&'t StrColumn>,
    name_set: Option<StrColumn>,
    name_domain: Option<StrColumn>,
    email_personal: Option<StrColumn>,
}

impl<'t> Checker<'t> {
    pub fn new(kind: Kind, t: &'t Table, enabled: bool) -> Self {
        let derived = if enabled {
            derived_columns(kind, t)
        } else {
            Vec::new()
        };
        Self::from_derived(kind, t, enabled, derived)
    }

    /// A checker from derived columns already computed by [`derived_columns`].
    pub fn from_derived(
        kind: Kind,
        t: &'t Table,
        enabled: bool,
        mut derived: Vec<(&'static str, StrColumn)>,
    ) -> Self {
        let mut take = |name: &str| {
            derived
                .iter()
                .position(|(n, _)| *n == name)
                .map(|i| derived.swap_remove(i).1)
        };
        Checker {
            kind,
            enabled,
            tax: t.str("tax_id"),
            country: t.str("country"),
            domain: take("domain_corp"),
            short: take("name_short"),
            employer_keys: take("employer_keys"),
            name_set: take("name_set"),
            name_domain: take("name_domain"),
            email_personal: take("email_personal"),
            first: t.str("first_name_key"),
            formal: t.str("formal_first_name_key"),
            tokens: t.str("name_tokens"),
            phone: t.str("phone"),
            city: t.str("city_key"),
        }
    }

    /// Account record `i`'s corporate website: its website's registrable
    /// domain, else a website typed as its name; never free-mail. `None` for
    /// contacts and when the rules are off.
    pub fn website(&self, i: usize) -> Option<&str> {
        if self.kind != Kind::Accounts {
            return None;
        }
        let typed = || {
            self.name_domain
                .as_ref()?
                .get(i)
                .filter(|d| !firmlink_normalize::email::is_free_mail_domain(d))
        };
        self.domain.as_ref().and_then(|c| c.get(i)).or_else(typed)
    }

    /// The rule that forbids records `i` and `j` to be one entity, if any.
    pub fn veto(&self, i: usize, j: usize) -> Option<Veto> {
        if !self.enabled {
            return None;
        }
        fn both(c: Option<&StrColumn>, i: usize, j: usize) -> Option<(&str, &str)> {
            c.and_then(|c| Some((c.get(i)?, c.get(j)?)))
        }
        match self.kind {
            Kind::Accounts => {
                let tax = both(self.tax, i, j).map(|(a, b)| tax_ids_agree(a, b));
                if tax == Some(false) {
                    return Some(Veto::TaxId);
                }
                let same_tax = tax == Some(true);
                if let Some((a, b)) = both(self.country, i, j)
                    && a != b
                    && !same_tax
                {
                    return Some(Veto::Country);
                }
                // A name typed as the shared website ("acme.com") says
                // nothing a name would: only the domain.
                let name_is =
                    |r: usize, d: &str| self.name_domain.as_ref().and_then(|c| c.get(r)) == Some(d);
                if let Some((a, b)) = both(self.domain.as_ref(), i, j)
                    && a == b
                    && !same_tax
                    && !name_is(i, a)
                    && !name_is(j, a)
                {
                    let elsewhere = matches!(both(self.phone, i, j), Some((a, b)) if a != b)
                        || matches!(both(self.city, i, j), Some((a, b)) if a != b);
                    // A typo of a word is the word, unless the records are
                    // at another phone or city: then "Acme Mining" and "Acme
                    // Dining" are two companies.
                    let word_eq: fn(&str, &str) -> bool =
                        if elsewhere { |a, b| a == b } else { same_word };
                    let overlap = name_overlap(self.tokens, self.short.as_ref(), i, j, word_eq);
                    // Half the words in common, and another phone or city:
                    // "Zenant Corp." in Denver and "Zenant Retail Inc." in
                    // Pittsburgh on zenantgroup.com.
                    if overlap < 0.5
                        || (overlap <= 0.5 && elsewhere)
                        || adds_a_word(self.tokens, i, j, word_eq)
                    {
                        return Some(Veto::SharedDomain);
                    }
                }
                None
            }
            Kind::Contacts => {
                if let Some((a, b)) = both(self.employer_keys.as_ref(), i, j)
                    && employers_differ(a, b)
                {
                    return Some(Veto::Employer);
                }
                let same_set = matches!(both(self.name_set.as_ref(), i, j), Some((a, b)) if a == b);
                // One personal mailbox: at a company one person's; at a
                // free-mail provider perhaps a family's.
                let mailbox = both(self.email_personal.as_ref(), i, j)
                    .filter(|(a, b)| a == b)
                    .map(|(a, _)| {
                        let domain = a.rsplit('@').next().unwrap_or("");
                        !firmlink_normalize::email::is_free_mail_domain(domain)
                    });
                if let Some((a, b)) = both(self.first, i, j)
                    && !same_set
                    && first_names_differ(a, b, both(self.formal, i, j))
                    // One corporate mailbox outweighs any first names
                    // (nicknames the table lacks: "Chico"/"Francisco"); a
                    // shared free-mail one only a spelling two edits off
                    // ("Josh"/"Koshua"), not John and Mary on a family Gmail.
                    && !match mailbox {
                        Some(true) => true,
                        Some(false) => strsim::jaro_winkler(a, b) >= 0.7,
                        None => false,
                    }
                {
                    return Some(Veto::FirstName);
                }
                None
            }
        }
    }
}

/// Two employers (each a set of keys: email-domain label, compact company
/// name, company acronym) are different companies: no key is shared,
/// contained in another, or close in spelling.
fn employers_differ(a: &str, b: &str) -> bool {
    for x in a.split(' ') {
        for y in b.split(' ') {
            let short = x.len().min(y.len());
            if x == y
                || (short >= 3 && (x.contains(y) || y.contains(x)))
                || strsim::jaro_winkler(x, y) >= 0.85
            {
                return false;
            }
        }
    }
    true
}

/// Two tax ids are the same number: equal once a country prefix (two
/// letters before the number) is set aside, which VAT numbers are written
/// with and without ("NL142592821B01" = "142592821B01"), unless both carry
/// different prefixes ("GB811111111" is not "DE811111111"; EL and GR, XI and
/// GB are one country). After a European VAT prefix
/// the national number may begin with a letter (Spain's "ESB81765513" =
/// "B81765513"); Austria's "ATU80598907" is written "U80598907" and
/// "80598907" too.
fn tax_ids_agree(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let ((pa, ca), (pb, cb)) = (tax_parts(a), tax_parts(b));
    // Greece writes EL in VAT numbers and GR elsewhere; Northern Ireland's
    // XI numbers are its GB numbers.
    fn country(p: &str) -> &str {
        match p {
            "GR" => "EL",
            "XI" => "GB",
            p => p,
        }
    }
    match (pa, pb) {
        (Some(x), Some(y)) if country(x) != country(y) => false,
        _ => ca == cb,
    }
}

/// A tax id's VAT country prefix, if it has one, and the number after it.
fn tax_parts(t: &str) -> (Option<&str>, &str) {
    /// VAT prefixes of the EU member states, Northern Ireland and the UK.
    const VAT: &[&str] = &[
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "GB", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
    ];
    let b = t.as_bytes();
    let (prefix, mut core) = if b.len() > 4
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_alphabetic()
        && (b[2].is_ascii_digit() || (VAT.contains(&&t[..2]) && b[2].is_ascii_alphabetic()))
    {
        (Some(&t[..2]), &t[2..])
    } else {
        (None, t)
    };
    let c = core.as_bytes();
    if c.len() == 9 && c[0] == b'U' && c[1..].iter().all(u8::is_ascii_digit) {
        core = &core[1..];
    }
    (prefix, core)
}

/// Whether an email's local part is only the person's name: first and last
/// name (or their initials) in either order, with or without `.`, `_`, `-`
/// ("kyle.smith", "ksmith", "smithk", "kyle"). Digits or other words make it
/// the person's own choice.
fn local_is_the_name(local: &str, first: Option<&str>, last: Option<&str>) -> bool {
    use std::borrow::Cow;
    // Without allocating in the common case (no separators): this runs for
    // every contact.
    fn strip(s: &str, drop: &[char]) -> String {
        s.chars().filter(|c| !drop.contains(c)).collect()
    }
    fn compact(s: Option<&str>) -> Cow<'_, str> {
        match s {
            Some(s) if s.contains([' ', '-', '\'']) => Cow::Owned(strip(s, &[' ', '-', '\''])),
            Some(s) => Cow::Borrowed(s),
            None => Cow::Borrowed(""),
        }
    }
    let l: Cow<str> = if local.contains(['.', '_', '-']) {
        Cow::Owned(strip(local, &['.', '_', '-']))
    } else {
        Cow::Borrowed(local)
    };
    let (f, s) = (compact(first), compact(last));
    if l.is_empty() || (f.is_empty() && s.is_empty()) {
        return false;
    }
    let initial = |x: &str| x.char_indices().nth(1).map_or(x.len(), |(i, _)| i);
    let (fi, si) = (&f[..initial(&f)], &s[..initial(&s)]);
    // `a` then `b`, as one string.
    let cat = |a: &str, b: &str| l.len() == a.len() + b.len() && l.starts_with(a) && l.ends_with(b);
    let whole = |x: &str| !x.is_empty() && *l == *x;
    whole(&f)
        || whole(&s)
        || (!f.is_empty()
            && !s.is_empty()
            && (cat(&f, &s)
                || cat(&s, &f)
                || cat(fi, &s)
                || cat(&f, si)
                || cat(&s, fi)
                || cat(si, &f)))
}

/// Two first names belong to different people: not equal, no common formal
/// name (Bob/Robert), not an initial of one another, and far apart in
/// spelling (more than a typo). The caller skips this rule for two records
/// with one personal email address.
fn first_names_differ(a: &str, b: &str, formal: Option<(&str, &str)>) -> bool {
    if a == b || a.starts_with(b) || b.starts_with(a) {
        return false;
    }
    if let Some((x, y)) = formal
        && x == y
    {
        return false;
    }
    // A nickname with several formal names ("teddy": edward, theodore) has
    // one formal key; any of them makes the names compatible.
    if firmlink_normalize::person::names_match_via_nickname(a, b) {
        return false;
    }
    // An initial against a name: "B." may be Bill, so William.
    if a.len() == 1 || b.len() == 1 {
        let (initial, name) = if a.len() == 1 { (a, b) } else { (b, a) };
        return !firmlink_normalize::person::initial_fits(initial, name);
    }
    // A typo is one edit ("Jon"/"John"); names two edits apart are other
    // people unless they share most of their spelling ("Stephen"/"Steven").
    let jw = strsim::jaro_winkler(a, b);
    jw < 0.7 || (jw < 0.8 && strsim::osa_distance(a, b) > 1)
}

/// Whether one name is the other plus a word of its own: "Black Farms" and
/// "Black Farms Labs", "Roht Hochbau" and "Roht Hochbau Security". On a
/// shared domain that is how a subsidiary is named after its parent. Legal
/// forms written as one word and typos of common ones ("Ltd", "Cprp"; see
/// `normalize::company::is_legal_form_word`), connectors and words under
/// three letters are not words of their own; CRM notes ("(old)", "- Billing")
/// are already gone from the key.
fn adds_a_word(
    tokens: Option<&StrColumn>,
    i: usize,
    j: usize,
    word_eq: fn(&str, &str) -> bool,
) -> bool {
    let Some((a, b)) = tokens.and_then(|c| Some((c.get(i)?, c.get(j)?))) else {
        return false;
    };
    let wa: Vec<&str> = a.split(' ').collect();
    let wb: Vec<&str> = b.split(' ').collect();
    let (small, big) = if wa.len() <= wb.len() {
        (wa, wb)
    } else {
        (wb, wa)
    };
    if small.len() == big.len() || !small.iter().all(|w| big.iter().any(|b| word_eq(w, b))) {
        return false;
    }
    big.iter().any(|w| {
        !small.iter().any(|s| word_eq(s, w))
            && w.len() >= 3
            && !matches!(*w, "and" | "und" | "et" | "the")
            && !firmlink_normalize::company::is_legal_form_word(w)
    })
}

/// The same name word, or a typo of it: one letter added, dropped,
/// changed or two swapped ("etworks", "Sdvisors", "eWser"), when both
/// words have four letters or more ("ave" is not "dave").
fn same_word(a: &str, b: &str) -> bool {
    a == b || (a.len().min(b.len()) >= 4 && strsim::osa_distance(a, b) <= 1)
}

/// Share of name words two records have in common (Jaccard on name tokens),
/// 1.0 when their acronyms agree or a name is missing.
fn name_overlap(
    tokens: Option<&StrColumn>,
    short: Option<&StrColumn>,
    i: usize,
    j: usize,
    word_eq: fn(&str, &str) -> bool,
) -> f64 {
    let Some((a, b)) = tokens.and_then(|c| Some((c.get(i)?, c.get(j)?))) else {
        return 1.0;
    };
    if let Some((x, y)) = short.and_then(|c| Some((c.get(i)?, c.get(j)?)))
        && x == y
    {
        return 1.0;
    }
    let wa: Vec<&str> = a.split(' ').collect();
    let wb: Vec<&str> = b.split(' ').collect();
    // Words of each name with a counterpart in the other; the smaller count,
    // so that two words matching one ("lake", "lane" and "lake") count once
    // and the overlap is the same whichever name comes first.
    let matched =
        |x: &[&str], y: &[&str]| x.iter().filter(|w| y.iter().any(|v| word_eq(w, v))).count();
    let inter = matched(&wa, &wb).min(matched(&wb, &wa));
    let union = wa.len() + wb.len() - inter;
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> Table {
        let mut t = Table::new(5);
        let s = |v: [Option<&str>; 5]| Column::from_strs(v);
        t.push(
            "name_key",
            s([
                Some("acme"),
                Some("acme"),
                Some("acme deutschland"),
                Some("zeta labs"),
                Some("acme"),
            ]),
        );
        t.push(
            "name_tokens",
            s([
                Some("acme"),
                Some("acme"),
                Some("acme deutschland"),
                Some("labs zeta"),
                Some("acme"),
            ]),
        );
        t.push(
            "name_acronym",
            s([None, None, Some("ad"), Some("zl"), None]),
        );
        t.push(
            "domain",
            s([
                Some("acme.com"),
                Some("acme.com"),
                Some("acme.com"),
                Some("acme.com"),
                Some("gmail.com"),
            ]),
        );
        t.push(
            "domain_is_free_mail",
            Column::Bool(vec![
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                Some(true),
            ]),
        );
        t.push(
            "country",
            s([Some("US"), Some("US"), Some("DE"), Some("US"), Some("US")]),
        );
        t.push("tax_id", s([Some("1"), None, None, Some("2"), None]));
        t
    }

    #[test]
    fn shared_domain_and_a_word_of_its_own_is_a_corporate_family() {
        let mut t = Table::new(8);
        let s = |v: [Option<&str>; 8]| Column::from_strs(v);
        t.push(
            "name",
            s([
                None,
                None,
                None,
                None,
                None,
                None,
                Some("www.Zenant.com"),
                Some("zenant-tech.com"),
            ]),
        );
        t.push(
            "name_tokens",
            s([
                Some("zenant"),
                Some("retail zenant"),
                Some("retail zenant"),
                Some("tech zenant"),
                Some("cprp zenant"),
                Some("beta zenant"),
                Some("zenant"),
                Some("tech zenant"),
            ]),
        );
        t.push("domain", s([Some("zenant.com"); 8]));
        t.push(
            "city_key",
            s([
                Some("denver"),
                Some("pittsburgh"),
                Some("denver"),
                Some("denver"),
                Some("denver"),
                Some("denver"),
                None,
                None,
            ]),
        );
        t.push(
            "phone",
            s([
                Some("+1303"),
                None,
                None,
                Some("+1303"),
                None,
                None,
                None,
                None,
            ]),
        );
        let c = Checker::new(Kind::Accounts, &t, true);
        let cases = [
            // "Zenant" and "Zenant Retail": parent and subsidiary, even on
            // one campus.
            (0, 1, Some(Veto::SharedDomain)),
            (0, 2, Some(Veto::SharedDomain)),
            (0, 3, Some(Veto::SharedDomain)),
            // A typo of a legal form is not a word of its own ("Zenant Cprp").
            (0, 4, None),
            // The same name in two cities: one account, two addresses.
            (1, 2, None),
            // Two sister companies: a third of the words in common.
            (3, 5, Some(Veto::SharedDomain)),
            (2, 3, Some(Veto::SharedDomain)),
            // The shared website typed as the name says nothing of the name.
            (6, 1, None),
            (6, 3, None),
            // Another website typed as the name is a name like any other.
            (7, 1, Some(Veto::SharedDomain)),
        ];
        for (i, j, want) in cases {
            assert_eq!(c.veto(i, j), want, "{i} {j}");
            assert_eq!(c.veto(j, i), want, "symmetric {i} {j}");
        }
    }

    #[test]
    fn account_vetoes_are_symmetric() {
        let names = [
            "lake",
            "lake lane",
            "lane lake",
            "acme mining",
            "acme dining",
            "acme",
            "zenant cprp",
            "retail zenant",
            "retial zenant",
            "tech zenant",
            "edwards networks",
            "edwards etworks",
        ];
        let n = names.len() * 2;
        let mut t = Table::new(n);
        let rows = |f: &dyn Fn(usize) -> Option<String>| -> StrColumn {
            (0..n)
                .map(f)
                .collect::<Vec<_>>()
                .iter()
                .map(|v| v.as_deref())
                .collect()
        };
        t.push(
            "name_tokens",
            Column::Str(rows(&|i| Some(names[i % names.len()].to_string()))),
        );
        t.push("domain", Column::Str(rows(&|_| Some("acme.com".into()))));
        t.push(
            "city_key",
            Column::Str(rows(&|i| {
                Some(if i < names.len() { "denver" } else { "boston" }.into())
            })),
        );
        t.push(
            "tax_id",
            Column::Str(rows(&|i| {
                (i % 5 == 0).then(|| format!("DE{}", 100_000_000 + i % 3))
            })),
        );
        let c = Checker::new(Kind::Accounts, &t, true);
        for i in 0..n {
            for j in 0..n {
                assert_eq!(c.veto(i, j), c.veto(j, i), "{i} {j}");
            }
        }
    }

    #[test]
    fn employer_terms_hold_the_first_word_of_a_company_name() {
        let mut t = Table::new(3);
        t.push(
            "company_key",
            Column::from_strs([Some("dyneon communicatoins"), Some("ibm"), Some("abc data")]),
        );
        let d = derived_columns(Kind::Contacts, &t);
        let col = |name: &str| d.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        let (terms, keys) = (col("employer_terms"), col("employer_keys"));
        assert_eq!(terms.get(0), Some("dyneon dyneoncommunicatoins"));
        assert_eq!(terms.get(1), Some("ibm"));
        // Words under four letters are too common to say who the employer is.
        assert_eq!(terms.get(2), Some("abcdata"));
        // The employer rule does not see first words: "Global Tech" and
        // "Global Foods" are two employers.
        assert_eq!(keys.get(0), Some("dyneoncommunicatoins"));
        assert!(employers_differ("globaltech", "globalfoods"));
    }

    #[test]
    fn a_typo_in_a_name_word_is_no_other_company() {
        let mut t = Table::new(6);
        t.push(
            "name_tokens",
            Column::from_strs([
                Some("edwards networks"),
                Some("edwards etworks"),
                Some("retail zenant"),
                Some("retial zenant"),
                Some("zenant"),
                Some("tech zenant"),
            ]),
        );
        t.push("domain", Column::from_strs([Some("edwards.com"); 6]));
        let c = Checker::new(Kind::Accounts, &t, true);
        for (i, j, want) in [
            (0, 1, None),
            (2, 3, None),
            // A misspelt extra word is still a word of its own.
            (4, 3, Some(Veto::SharedDomain)),
            (3, 5, Some(Veto::SharedDomain)),
        ] {
            assert_eq!(c.veto(i, j), want, "{i} {j}");
            assert_eq!(c.veto(j, i), want, "symmetric {i} {j}");
        }
        // At another city a one-letter difference is another company.
        let mut t = Table::new(3);
        t.push(
            "name_tokens",
            Column::from_strs([
                Some("acme mining"),
                Some("acme dining"),
                Some("acme dining"),
            ]),
        );
        t.push("domain", Column::from_strs([Some("acme.com"); 3]));
        t.push(
            "city_key",
            Column::from_strs([Some("perth"), Some("sydney"), Some("perth")]),
        );
        let c = Checker::new(Kind::Accounts, &t, true);
        assert_eq!(c.veto(0, 1), Some(Veto::SharedDomain));
        assert_eq!(c.veto(0, 2), None);
        assert!(same_word("weser", "ewser") && same_word("edia", "media"));
        assert!(!same_word("ave", "dave") && !same_word("tech", "retail"));
    }

    #[test]
    fn tax_ids_compare_without_their_vat_prefix() {
        for (a, b) in [
            ("NL142592821B01", "142592821B01"),
            ("ESB81765513", "B81765513"),
            ("ATU80598907", "80598907"),
            ("ATU80598907", "U80598907"),
            ("FR85680237906", "85680237906"),
            ("NO123456789MVA", "123456789MVA"),
            ("EL094259216", "GR094259216"),
            ("XI123456789", "GB123456789"),
        ] {
            assert!(tax_ids_agree(a, b), "{a} {b}");
            assert!(tax_ids_agree(b, a), "{b} {a}");
        }
        for (a, b) in [
            ("ESB81765513", "ESA81765513"),
            ("DE123456789", "AT123456789X"),
            ("GB123456789", "IE123456789"),
            // Two countries' prefixes: two numbers, whatever follows.
            ("GB811111111", "DE811111111"),
            ("DEL850101AB1", "BEL850101AB1"),
            ("16DASCV5183L1ZE", "DASCV5183L1ZE"),
            ("T2961066052602", "2961066052602"),
        ] {
            assert!(!tax_ids_agree(a, b), "{a} {b}");
            assert!(!tax_ids_agree(b, a), "{b} {a}");
        }
    }

    #[test]
    fn account_vetoes() {
        let t = accounts();
        let c = Checker::new(Kind::Accounts, &t, true);
        let cases = [
            (0, 1, None),
            (0, 2, Some(Veto::Country)),
            (0, 3, Some(Veto::TaxId)),
            (1, 3, Some(Veto::SharedDomain)),
            (0, 4, None),
        ];
        for (i, j, want) in cases {
            assert_eq!(c.veto(i, j), want, "{i} {j}");
            assert_eq!(c.veto(j, i), want, "symmetric {i} {j}");
        }
        assert_eq!(Checker::new(Kind::Accounts, &t, false).veto(0, 2), None);
        let d = derived_columns(Kind::Accounts, &t);
        assert_eq!(d[0].1.get(4), None, "free-mail is not a corporate domain");
        assert_eq!(d[1].1.get(2), Some("ad"));
        assert_eq!(d[1].1.get(0), Some("acme"));
    }

    #[test]
    fn a_local_part_spelled_from_the_name_is_not_evidence() {
        let name = (Some("kyle"), Some("smith"));
        for local in [
            "kylesmith",
            "kyle.smith",
            "k_smith",
            "smith.kyle",
            "smithk",
            "kyle",
        ] {
            assert!(local_is_the_name(local, name.0, name.1), "{local}");
        }
        for local in ["kylesmith592", "kyle.s.1969", "ksmi", "bigkyle", "jsmith"] {
            assert!(!local_is_the_name(local, name.0, name.1), "{local}");
        }
        assert!(local_is_the_name(
            "marymiller-cummings",
            Some("mary"),
            Some("miller cummings")
        ));
        assert!(!local_is_the_name("info", None, None));
    }

    #[test]
    fn first_names_two_edits_apart_differ_unless_the_address_is_one() {
        // Colleagues sharing a surname: "Ben"/"Glen", "Bradley"/"Ashley"
        // (Jaro-Winkler 0.72 and 0.73, two edits or more) are two people; a
        // typo is one edit, and most spelling variants stay close.
        assert!(first_names_differ("ben", "glen", None));
        assert!(first_names_differ("bradley", "ashley", None));
        assert!(!first_names_differ("jon", "john", None), "one edit");
        assert!(!first_names_differ("stephen", "steven", None), "JW 0.90");
        let mut t = Table::new(5);
        let s = |v: [Option<&str>; 5]| Column::from_strs(v);
        t.push(
            "email",
            s([
                Some("joshua@axco.com"),
                Some("joshua@axco.com"),
                Some("bradley@axco.com"),
                Some("millers@gmail.com"),
                Some("millers@gmail.com"),
            ]),
        );
        t.push(
            "email_class",
            s([
                Some("corporate"),
                Some("corporate"),
                Some("corporate"),
                Some("freemail"),
                Some("freemail"),
            ]),
        );
        t.push(
            "email_domain",
            s([
                Some("axco.com"),
                Some("axco.com"),
                Some("axco.com"),
                Some("gmail.com"),
                Some("gmail.com"),
            ]),
        );
        t.push(
            "first_name_key",
            s([
                Some("josh"),
                Some("koshua"),
                Some("ashley"),
                Some("john"),
                Some("mary"),
            ]),
        );
        let c = Checker::new(Kind::Contacts, &t, true);
        assert_eq!(
            c.veto(0, 1),
            None,
            "one corporate mailbox: a typo'd nickname is the same person"
        );
        assert_eq!(c.veto(1, 2), Some(Veto::FirstName));
        assert_eq!(c.veto(2, 1), Some(Veto::FirstName));
        assert_eq!(
            c.veto(3, 4),
            Some(Veto::FirstName),
            "John and Mary on a family Gmail"
        );
    }

    #[test]
    fn contact_columns_and_vetoes() {
        let mut t = Table::new(4);
        let s = |v: [Option<&str>; 4]| Column::from_strs(v);
        t.push(
            "email",
            s([
                Some("jo@acme.com"),
                Some("info@acme.com"),
                Some("jo@gmail.com"),
                Some("jo@acme.co"),
            ]),
        );
        t.push(
            "email_class",
            s([
                Some("corporate"),
                Some("role"),
                Some("freemail"),
                Some("corporate"),
            ]),
        );
        t.push(
            "email_domain",
            s([
                Some("acme.com"),
                Some("acme.com"),
                Some("gmail.com"),
                Some("acme.co"),
            ]),
        );
        t.push("company_domain", s([None, None, Some("zeta.io"), None]));
        t.push(
            "first_name_key",
            s([Some("jo"), Some("robert"), Some("bob"), Some("jo")]),
        );
        t.push(
            "formal_first_name_key",
            s([Some("jo"), Some("robert"), Some("robert"), Some("jo")]),
        );
        let d = derived_columns(Kind::Contacts, &t);
        assert_eq!(
            d[0].1.iter().collect::<Vec<_>>(),
            [
                Some("jo@acme.com"),
                None,
                Some("jo@gmail.com"),
                Some("jo@acme.co")
            ]
        );
        assert_eq!(
            d[2].1.iter().collect::<Vec<_>>(),
            [
                Some("acme.com"),
                Some("acme.com"),
                Some("zeta.io"),
                Some("acme.co")
            ]
        );
        assert_eq!(
            d[3].1.iter().collect::<Vec<_>>(),
            [Some("acme"), Some("acme"), Some("zeta"), Some("acme")]
        );
        assert!(
            !employers_differ("ggp", "ggp goldengatepartners"),
            "acronym of the typed company"
        );
        assert!(!employers_differ("innsys", "innsysfrance"));
        assert!(employers_differ("berant", "flyos fpl"));
        let c = Checker::new(Kind::Contacts, &t, true);
        assert_eq!(c.veto(0, 2), Some(Veto::Employer));
        assert_eq!(
            c.veto(0, 3),
            None,
            "a typo in the domain is not a new employer"
        );
        assert_eq!(
            c.veto(0, 1),
            Some(Veto::FirstName),
            "jo and robert at one employer"
        );
        assert!(
            !first_names_differ("b", "william", Some(("b", "william"))),
            "B. may be Bill"
        );
        assert!(first_names_differ("k", "william", Some(("k", "william"))));
        assert!(
            !first_names_differ("bob", "robert", Some(("robert", "robert"))),
            "bob is robert"
        );
        assert!(!first_names_differ("j", "jo", None), "an initial");
        assert!(first_names_differ(
            "alicia",
            "marcus",
            Some(("alicia", "marcus"))
        ));
        // "teddy" has two formal names (edward, theodore) and one formal key.
        assert!(!first_names_differ(
            "teddy",
            "theodore",
            Some((
                firmlink_normalize::person::formal_first_key("teddy"),
                "theodore"
            ))
        ));
    }
}

/// Clusters that never hold a vetoed pair: edges at or above `threshold`
/// are taken strongest first (ties by record index), and two groups merge
/// only if no record of one vetoes any record of the other. This is
/// greedy clustering with cannot-link constraints: a chain A–B–C cannot join
/// A and C when they conflict (two tax ids, two countries, two employers),
/// even though no single edge between them was vetoed.
///
/// Groups larger than `max_check` pairs across are merged without the
/// check (counted), so a pathological cluster cannot cost quadratic time.
pub fn constrained_clusters(
    n: usize,
    edges: &[(u32, u32, f64)],
    threshold: f64,
    checker: &Checker<'_>,
    max_check: usize,
) -> (Vec<u32>, ConstrainedStats) {
    let mut order: Vec<usize> = (0..edges.len())
        .filter(|&k| edges[k].2 >= threshold)
        .collect();
    order.sort_by(|&a, &b| {
        edges[b]
            .2
            .total_cmp(&edges[a].2)
            .then(edges[a].0.cmp(&edges[b].0))
            .then(edges[a].1.cmp(&edges[b].1))
    });
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let p = parent[x as usize];
            parent[x as usize] = parent[p as usize];
            x = p;
        }
        x
    }
    let mut stats = ConstrainedStats::default();
    for k in order {
        let (a, b, _) = edges[k];
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra == rb {
            continue;
        }
        let (ma, mb) = (&members[ra as usize], &members[rb as usize]);
        if ma.len() * mb.len() <= max_check {
            let conflict = ma.iter().any(|&x| {
                mb.iter()
                    .any(|&y| checker.veto(x as usize, y as usize).is_some())
            });
            if conflict {
                stats.merges_refused += 1;
                continue;
            }
        } else {
            stats.merges_unchecked += 1;
        }
        let (big, small) = if ma.len() >= mb.len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let moved = std::mem::take(&mut members[small as usize]);
        members[big as usize].extend(moved);
        parent[small as usize] = big;
        stats.merges += 1;
    }
    // Dense labels in order of each cluster's smallest record.
    let mut label_of = vec![u32::MAX; n];
    let mut labels = Vec::with_capacity(n);
    let mut next = 0u32;
    for i in 0..n as u32 {
        let r = find(&mut parent, i) as usize;
        if label_of[r] == u32::MAX {
            label_of[r] = next;
            next += 1;
        }
        labels.push(label_of[r]);
    }
    stats.clusters = next as usize;
    (labels, stats)
}

/// What constrained clustering did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConstrainedStats {
    pub merges: u64,
    /// Merges refused because the two groups held a vetoed pair.
    pub merges_refused: u64,
    /// Merges of groups too large to check pair by pair.
    pub merges_unchecked: u64,
    pub clusters: usize,
}

#[cfg(test)]
mod constrained_tests {
    use super::*;

    #[test]
    fn a_chain_cannot_join_conflicting_records() {
        // 0 (tax 1) – 1 (no tax) – 2 (tax 2): the weaker edge is refused.
        let mut t = Table::new(3);
        t.push("tax_id", Column::from_strs([Some("1"), None, Some("2")]));
        let c = Checker::new(Kind::Accounts, &t, true);
        let (labels, stats) =
            constrained_clusters(3, &[(0, 1, 0.99), (1, 2, 0.95)], 0.9, &c, 10_000);
        assert_eq!(labels, [0, 0, 1]);
        assert_eq!(stats.merges_refused, 1);
        // Without rules it is plain connected components.
        let off = Checker::new(Kind::Accounts, &t, false);
        let (labels, _) = constrained_clusters(3, &[(0, 1, 0.99), (1, 2, 0.95)], 0.9, &off, 10_000);
        assert_eq!(labels, [0, 0, 0]);
    }
}

#[cfg(test)]
mod computed_from_tests {
    use super::*;
    use firmlink_model::RawRecord;
    use firmlink_normalize::records::{Context, normalize};

    /// Normalized records of `kind` from `(field, value)` lists, plus the
    /// derived columns, as one table.
    fn table(kind: Kind, rows: &[&[(&str, &str)]]) -> Table {
        let n = firmlink_model::fields(kind).len();
        let records: Vec<RawRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut fields = vec![None; n];
                for (field, value) in *row {
                    let slot = firmlink_model::slot(kind, field).expect("a canonical field");
                    fields[slot] = Some(value.to_string());
                }
                RawRecord {
                    source: 0,
                    source_id: i.to_string(),
                    id_derived: false,
                    line: i as u64 + 2,
                    fields,
                    extras: vec![],
                }
            })
            .collect();
        let ctx = Context {
            source_names: vec!["crm".into()],
            default_country: vec![None],
            ..Context::default()
        };
        let mut t = normalize(kind, &records, &ctx);
        for (name, col) in derived_columns(kind, &t) {
            t.push(name, Column::Str(col));
        }
        t
    }

    fn cell(t: &Table, name: &str, i: usize) -> Option<String> {
        match t.get(name)? {
            Column::Str(c) => c.get(i).map(str::to_string),
            Column::Bool(v) => v[i].map(|b| b.to_string()),
            Column::F64(v) => v[i].map(|x| x.to_string()),
            Column::I64(v) => v[i].map(|x| x.to_string()),
            Column::Date(v) => v[i].map(|x| x.to_string()),
        }
    }

    /// Every declared dependency holds on `t`: two records that agree on
    /// every source (not null, as in a block) agree on the column. Each
    /// dependency must be put to the test by at least one pair, except those
    /// reading a column in `later` (added after normalization).
    fn check(kind: Kind, t: &Table, later: &[&str]) {
        for (column, sources) in computed_from(kind) {
            for name in sources.iter().chain([column]) {
                assert!(
                    t.get(name).is_some() || later.contains(name),
                    "{name} is neither a normalized nor a derived {} column",
                    kind.as_str()
                );
            }
            if sources.iter().chain([column]).any(|n| t.get(n).is_none()) {
                continue;
            }
            let mut checked = 0;
            for i in 0..t.rows() {
                for j in i + 1..t.rows() {
                    let agree = sources.iter().all(|s| {
                        let a = cell(t, s, i);
                        a.is_some() && a == cell(t, s, j)
                    });
                    if agree {
                        checked += 1;
                        assert_eq!(
                            cell(t, column, i),
                            cell(t, column, j),
                            "{column} differs for records {i} and {j} that agree on {sources:?}"
                        );
                    }
                }
            }
            assert!(
                checked > 0,
                "no two records agree on {sources:?}: {column} is not tested"
            );
        }
    }

    #[test]
    fn contact_columns_agree_where_their_sources_agree() {
        let t = table(
            Kind::Contacts,
            &[
                &[
                    ("first_name", "Bob"),
                    ("last_name", "Müller"),
                    ("email", "Bob.Muller@Acme.com"),
                    ("company_name", "Acme, Inc."),
                    ("country", "US"),
                    ("phone", "+1 415 555 0100"),
                ],
                &[
                    ("full_name", "Müller, Bob"),
                    ("email", "bob.muller@acme.com"),
                    ("company_name", "Acme, Inc."),
                    ("country", "United States"),
                    ("phone", "(415) 555-0100"),
                ],
                &[
                    ("full_name", "Bob Müller"),
                    ("email", "info@acme.com"),
                    ("company_name", "ACME Incorporated"),
                    ("country", "USA"),
                ],
                &[
                    ("first_name", "bob"),
                    ("last_name", "MULLER"),
                    ("email", "INFO@acme.com"),
                    ("company_name", "Acme Inc"),
                    ("company_website", "https://www.acme.com/about"),
                ],
                &[
                    ("first_name", "Robert"),
                    ("last_name", "Mueller"),
                    ("email", "bob.muller@gmail.com"),
                    ("company_name", "acme.com"),
                    ("country", "DE"),
                ],
            ],
        );
        check(Kind::Contacts, &t, &["account_domain"]);
        // A free-mail address is a person's own (Gmail ignores dots); a role
        // address is not.
        assert_eq!(
            cell(&t, "email_personal", 4).as_deref(),
            Some("bobmuller@gmail.com")
        );
        assert_eq!(cell(&t, "email_personal", 2), None);
    }

    #[test]
    fn account_columns_agree_where_their_sources_agree() {
        let t = table(
            Kind::Accounts,
            &[
                &[
                    ("name", "Acme GmbH"),
                    ("country", "DE"),
                    ("website", "https://www.acme.de/impressum"),
                    ("city", "Zürich"),
                    ("phone", "+49 30 123456"),
                ],
                &[
                    ("name", "ACME GMBH"),
                    ("country", "Germany"),
                    ("website", "acme.de"),
                    ("city", "Zürich"),
                    ("phone", "030 123456"),
                ],
                &[
                    ("name", "International Business Machines Corp."),
                    ("country", "US"),
                    ("website", "http://gmail.com"),
                ],
                &[
                    ("name", "International Business Machines Corporation"),
                    ("country", "US"),
                    ("website", "gmail.com"),
                ],
                &[("name", "acme.de"), ("country", "DE"), ("city", "zurich")],
                // The same raw name, country and website as rows 0 and 1,
                // and a second name typed as a website.
                &[
                    ("name", "Acme GmbH"),
                    ("country", "DE"),
                    ("website", "acme.de"),
                    ("tax_id", "DE 123.456.789"),
                ],
                &[
                    ("name", "acme.de"),
                    ("country", "DE"),
                    ("tax_id", "de123456789"),
                ],
            ],
        );
        check(Kind::Accounts, &t, &[]);
    }
}
