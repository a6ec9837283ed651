//! The normalize stage: [`RawRecord`]s of one source → a [`Table`] of
//! normalized columns (originals kept beside canonical values and matching
//! keys). The column set is fixed per kind ([`account_columns`],
//! [`contact_columns`]) plus `x_<name>` extra columns, so tables from several
//! sources append to one another.

use std::sync::{Arc, Mutex};

use firmlink_model::{Column, ExtraType, Kind, RawRecord, StrColumn, Table, slot};
use rayon::prelude::*;

use crate::{company, country, email, industry, number, person, phone, text, title, website};

/// Per-source settings the normalizers need.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Source names by source index (for the `source` column).
    pub source_names: Vec<String>,
    /// Default ISO alpha-2 country per source index.
    pub default_country: Vec<Option<String>>,
    /// Default ISO 4217 currency per source index.
    pub default_currency: Vec<Option<String>>,
    /// Day-first dates per source index.
    pub day_first: Vec<bool>,
    /// Extra column names of this kind (union over sources), in output order.
    pub extra_names: Vec<String>,
    /// The type of each of `extra_names`.
    pub extra_types: Vec<ExtraType>,
    /// Per source index: for each of its extras, the position in `extra_names`.
    pub extra_slots: Vec<Vec<usize>>,
    /// Where the normalizers count values of typed fields (dates, numbers,
    /// booleans) that did not read: those fields keep no original text, so
    /// the count and an example are all that shows the value was dropped.
    pub unreadable: Arc<Mutex<Vec<UnreadableField>>>,
}

/// Values of one typed field of one source that did not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableField {
    /// Source index.
    pub source: u16,
    pub field: &'static str,
    /// "date", "number", "count" (a number of zero or more), "boolean",
    /// "amount", "employee count".
    pub expected: &'static str,
    pub values: u64,
    /// The value on the first such line, and that line.
    pub example: String,
    pub line: u64,
}

/// Text that stands for "no value" in exports rather than a bad value:
/// nothing but punctuation ("-", "—", "?"), or na, n.a., none, nan, nil,
/// unknown and the zero date. Not counted as unreadable.
fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    !t.chars().any(char::is_alphanumeric)
        || [
            "na",
            "n.a.",
            "n/a",
            "none",
            "nan",
            "nil",
            "unknown",
            "0000-00-00",
        ]
        .iter()
        .any(|p| t.eq_ignore_ascii_case(p))
        || t.starts_with("0000-00-00")
}

/// A chunk's unreadable values, merged into [`Context::unreadable`] once.
#[derive(Default)]
struct Misreads(Vec<UnreadableField>);

impl Misreads {
    /// `parsed`, after counting `raw` when it held text that did not read.
    fn check<T>(
        &mut self,
        r: &RawRecord,
        field: &'static str,
        expected: &'static str,
        raw: Option<&str>,
        parsed: Option<T>,
    ) -> Option<T> {
        if parsed.is_none()
            && let Some(text) = raw
            && !is_placeholder(text)
        {
            match self
                .0
                .iter_mut()
                .find(|u| u.source == r.source && u.field == field)
            {
                Some(u) => u.values += 1,
                None => self.0.push(UnreadableField {
                    source: r.source,
                    field,
                    expected,
                    values: 1,
                    example: firmlink_model::shorten(text, 80),
                    line: r.line,
                }),
            }
        }
        parsed
    }

    /// A date field's value as days since 1970, counted when unreadable.
    fn date(
        &mut self,
        r: &RawRecord,
        field: &'static str,
        raw: Option<&str>,
        day_first: bool,
    ) -> Option<i32> {
        self.check(r, field, "date", raw, date(raw, day_first))
    }

    /// Add to the run's counts; the example is the one on the lowest line
    /// (the same whichever thread finishes first).
    fn merge_into(self, all: &Mutex<Vec<UnreadableField>>) {
        if self.0.is_empty() {
            return;
        }
        let mut all = all
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for u in self.0 {
            match all
                .iter_mut()
                .find(|a| a.source == u.source && a.field == u.field)
            {
                Some(a) => {
                    a.values += u.values;
                    if u.line < a.line {
                        (a.example, a.line) = (u.example, u.line);
                    }
                }
                None => all.push(u),
            }
        }
    }
}

/// Rows per parallel task.
const TASK_ROWS: usize = 2048;

/// Per-thread memo of expensive normalizers. B2B values repeat a lot (job
/// titles, typed company names, countries, switchboard numbers, websites),
/// so each worker thread keeps what it computed; results are identical to
/// calling the normalizer. A table that grows past `MEMO_CAP` is cleared.
/// A table whose values hardly repeat (direct-dial phone numbers: under 5%
/// hits over its first `PROBE` lookups) stops memoizing on that thread:
/// building keys and storing every value would cost more than it saves.
mod memo {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    use std::thread::LocalKey;

    pub const MEMO_CAP: usize = 200_000;
    const PROBE: u64 = 20_000;

    pub struct Memo<V> {
        pub(super) map: HashMap<String, Rc<V>, foldhash::fast::FixedState>,
        /// The key being looked up (reused: no allocation per lookup).
        buf: String,
        lookups: u64,
        hits: u64,
    }

    impl<V> Default for Memo<V> {
        fn default() -> Self {
            Memo {
                map: HashMap::default(),
                buf: String::new(),
                lookups: 0,
                hits: 0,
            }
        }
    }

    pub type Table<V> = RefCell<Memo<V>>;

    /// The value for the key that `key` writes, computed by `f` on a miss.
    /// `f` runs while the table is borrowed: it must not use the same table.
    pub fn get<V>(
        cell: &'static LocalKey<Table<V>>,
        key: impl FnOnce(&mut String),
        f: impl FnOnce() -> V,
    ) -> Rc<V> {
        cell.with(|m| {
            let mut m = m.borrow_mut();
            let Memo {
                map,
                buf,
                lookups,
                hits,
            } = &mut *m;
            if *lookups >= PROBE && *hits * 20 < *lookups {
                if map.capacity() > 0 {
                    *map = HashMap::default();
                }
                return Rc::new(f());
            }
            *lookups += 1;
            buf.clear();
            key(buf);
            if let Some(v) = map.get(buf.as_str()) {
                *hits += 1;
                return v.clone();
            }
            let v = Rc::new(f());
            if map.len() >= MEMO_CAP {
                map.clear();
            }
            map.insert(buf.clone(), v.clone());
            v
        })
    }
}

thread_local! {
    static TITLES: memo::Table<title::JobTitle> = Default::default();
    static COMPANIES: memo::Table<company::CompanyName> = Default::default();
    static PHONES: memo::Table<phone::Phone> = Default::default();
    static WEBSITES: memo::Table<website::Website> = Default::default();
    static COUNTRIES: memo::Table<Option<&'static country::Country>> = Default::default();
}

/// Memo key of a value normalized with a default country.
fn with_country(k: &mut String, country: Option<&str>, s: &str) {
    k.push_str(country.unwrap_or(""));
    k.push('\u{1f}');
    k.push_str(s);
}

fn title_of(s: &str) -> std::rc::Rc<title::JobTitle> {
    memo::get(&TITLES, |k| k.push_str(s), || title::classify_title(s))
}

fn company_of(s: &str, country: Option<&str>) -> std::rc::Rc<company::CompanyName> {
    memo::get(
        &COMPANIES,
        |k| with_country(k, country, s),
        || company::normalize_company(s, country),
    )
}

fn phone_of(s: &str, country: Option<&str>) -> std::rc::Rc<phone::Phone> {
    memo::get(
        &PHONES,
        |k| with_country(k, country, s),
        || phone::normalize_phone(s, country),
    )
}

fn website_of(s: &str) -> std::rc::Rc<website::Website> {
    memo::get(
        &WEBSITES,
        |k| k.push_str(s),
        || website::normalize_website(s),
    )
}

fn country_of(s: &str) -> Option<&'static country::Country> {
    *memo::get(
        &COUNTRIES,
        |k| k.push_str(s),
        || country::normalize_country(s),
    )
}

/// Normalize records of one kind (any mix of sources) into a table.
pub fn normalize(kind: Kind, records: &[RawRecord], ctx: &Context) -> Table {
    Table::concat(normalize_parts(kind, records, ctx)).unwrap_or_else(|| empty(kind, ctx))
}

/// Normalize records in parallel into tables of a few thousand rows each, in
/// record order. A caller that stacks many chunks (the run) concatenates all
/// parts once at the end instead of copying every value twice.
pub fn normalize_parts(kind: Kind, records: &[RawRecord], ctx: &Context) -> Vec<Table> {
    records
        .par_chunks(TASK_ROWS)
        .map(|chunk| match kind {
            Kind::Accounts => accounts(chunk, ctx),
            Kind::Contacts => contacts(chunk, ctx),
        })
        .collect()
}

/// A table with the kind's columns and no rows.
pub fn empty(kind: Kind, ctx: &Context) -> Table {
    match kind {
        Kind::Accounts => accounts(&[], ctx),
        Kind::Contacts => contacts(&[], ctx),
    }
}

/// Column builders keyed by name, in insertion order.
struct Builder {
    rows: usize,
    cols: Vec<(&'static str, Column)>,
}

impl Builder {
    fn new(rows: usize) -> Self {
        Builder {
            rows,
            cols: Vec::new(),
        }
    }
    fn s(&mut self, i: usize, name: &'static str, v: Option<&str>) {
        let rows = self.rows;
        self.col(i, name, || Column::Str(StrColumn::with_capacity(rows)));
        if let Column::Str(c) = &mut self.cols[i].1 {
            c.push(v);
        }
    }
    fn f(&mut self, i: usize, name: &'static str, v: Option<f64>) {
        let rows = self.rows;
        self.col(i, name, || Column::F64(Vec::with_capacity(rows)));
        if let Column::F64(c) = &mut self.cols[i].1 {
            c.push(v);
        }
    }
    fn i(&mut self, i: usize, name: &'static str, v: Option<i64>) {
        let rows = self.rows;
        self.col(i, name, || Column::I64(Vec::with_capacity(rows)));
        if let Column::I64(c) = &mut self.cols[i].1 {
            c.push(v);
        }
    }
    fn b(&mut self, i: usize, name: &'static str, v: Option<bool>) {
        let rows = self.rows;
        self.col(i, name, || Column::Bool(Vec::with_capacity(rows)));
        if let Column::Bool(c) = &mut self.cols[i].1 {
            c.push(v);
        }
    }
    fn d(&mut self, i: usize, name: &'static str, v: Option<i32>) {
        let rows = self.rows;
        self.col(i, name, || Column::Date(Vec::with_capacity(rows)));
        if let Column::Date(c) = &mut self.cols[i].1 {
            c.push(v);
        }
    }
    fn col(&mut self, i: usize, name: &'static str, make: impl FnOnce() -> Column) {
        if i == self.cols.len() {
            self.cols.push((name, make()));
        }
        debug_assert_eq!(self.cols[i].0, name);
    }
    fn finish(self, extras: Vec<(String, Column)>) -> Table {
        let mut t = Table::new(self.rows);
        for (name, c) in self.cols {
            t.push(name, c);
        }
        for (name, c) in extras {
            t.push(name, c);
        }
        t
    }
}

/// Sequential column index within one row (so builders need no name lookup).
struct Cursor(usize);
impl Cursor {
    fn next(&mut self) -> usize {
        self.0 += 1;
        self.0 - 1
    }
}

fn days(d: chrono::NaiveDate) -> i32 {
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

fn date(v: Option<&str>, day_first: bool) -> Option<i32> {
    v.and_then(|s| number::parse_date(s, day_first)).map(days)
}

fn num(v: Option<&str>) -> Option<f64> {
    let s = v?;
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .or_else(|| number::parse_money(s, None).map(|m| m.amount))
}

fn boolean(v: Option<&str>) -> Option<bool> {
    match v?.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" | "x" => Some(true),
        "false" | "f" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// Tax ids compare on upper-case letters and digits only ("DE 123.456.789" = "DE123456789").
pub fn tax_id_key(s: &str) -> Option<String> {
    let k: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    (!k.is_empty()).then_some(k)
}

/// Postcodes: upper case, single spaces.
fn postcode_key(s: &str) -> Option<String> {
    let k = text::collapse_ws(&s.to_uppercase());
    (!k.is_empty()).then_some(k)
}

/// A LinkedIn profile URL reduced to `linkedin.com/in/<slug>` (scheme, `www.`,
/// country subdomains, query and trailing slash dropped; slug lower-cased).
pub fn linkedin_key(s: &str) -> Option<String> {
    let lower = s.trim().to_lowercase();
    let rest = lower.split("linkedin.com/").nth(1)?;
    let mut parts = rest.split(['/', '?', '#']).filter(|p| !p.is_empty());
    let section = parts.next()?;
    let slug = parts.next()?;
    matches!(section, "in" | "pub" | "company").then(|| format!("linkedin.com/{section}/{slug}"))
}

/// Lists ("a; b, c") → lower-case items, sorted, joined with "; ".
fn list_key(s: Option<&str>) -> Option<String> {
    let mut items: Vec<String> = s?
        .split([';', ',', '|'])
        .map(|p| text::collapse_ws(&p.to_lowercase()))
        .filter(|p| !p.is_empty())
        .collect();
    items.sort();
    items.dedup();
    (!items.is_empty()).then(|| items.join("; "))
}

/// The extra columns: `x_<name>` as read, or for a number or date extra
/// `x_<name>` typed (empty when the text is not a number or date) and
/// `x_<name>_original` as read, so nothing is lost.
fn extras_for(records: &[RawRecord], ctx: &Context) -> Vec<(String, Column)> {
    let mut text: Vec<StrColumn> = ctx
        .extra_names
        .iter()
        .map(|_| StrColumn::with_capacity(records.len()))
        .collect();
    let ty = |i: usize| ctx.extra_types.get(i).copied().unwrap_or_default();
    let mut typed: Vec<Column> = (0..text.len())
        .map(|i| match ty(i) {
            ExtraType::Text => Column::Str(StrColumn::default()),
            ExtraType::Number => Column::F64(Vec::with_capacity(records.len())),
            ExtraType::Date => Column::Date(Vec::with_capacity(records.len())),
        })
        .collect();
    for r in records {
        let src = r.source as usize;
        let day_first = ctx.day_first.get(src).copied().unwrap_or(false);
        let mut row: Vec<Option<&str>> = vec![None; text.len()];
        if let Some(slots) = ctx.extra_slots.get(src) {
            for (v, s) in r.extras.iter().zip(slots) {
                row[*s] = v.as_deref();
            }
        }
        for ((t, c), v) in text.iter_mut().zip(&mut typed).zip(row) {
            t.push(v);
            match c {
                Column::F64(c) => c.push(v.and_then(number::parse_number)),
                Column::Date(c) => c.push(date(v, day_first)),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for (i, (t, c)) in text.into_iter().zip(typed).enumerate() {
        let name = &ctx.extra_names[i];
        match ty(i) {
            ExtraType::Text => out.push((format!("x_{name}"), Column::Str(t))),
            _ => {
                out.push((format!("x_{name}"), c));
                out.push((format!("x_{name}_original"), Column::Str(t)));
            }
        }
    }
    out
}

/// The account columns, in order (extras follow as `x_<name>`).
pub fn account_columns() -> Vec<String> {
    empty(Kind::Accounts, &Context::default()).names().to_vec()
}

/// The contact columns, in order (extras follow as `x_<name>`).
pub fn contact_columns() -> Vec<String> {
    empty(Kind::Contacts, &Context::default()).names().to_vec()
}

fn common(b: &mut Builder, c: &mut Cursor, r: &RawRecord, ctx: &Context) {
    b.s(
        c.next(),
        "source",
        ctx.source_names.get(r.source as usize).map(String::as_str),
    );
    b.s(c.next(), "source_id", Some(&r.source_id));
    b.i(c.next(), "line", Some(r.line as i64));
    b.b(c.next(), "id_derived", Some(r.id_derived));
}

fn accounts(records: &[RawRecord], ctx: &Context) -> Table {
    let k = Kind::Accounts;
    let at = |name: &str| slot(k, name).expect("account field");
    let (s_name, s_legal, s_web, s_phone) =
        (at("name"), at("legal_form"), at("website"), at("phone"));
    let (s_street, s_city, s_post, s_region, s_country) = (
        at("street"),
        at("city"),
        at("postcode"),
        at("region"),
        at("country"),
    );
    let (s_ind, s_naics, s_sic, s_emp, s_rev, s_cur) = (
        at("industry"),
        at("naics"),
        at("sic"),
        at("employees"),
        at("revenue"),
        at("revenue_currency"),
    );
    let (s_own, s_tech, s_topics, s_iscore, s_parent, s_tax) = (
        at("ownership"),
        at("technologies"),
        at("intent_topics"),
        at("intent_score"),
        at("parent_ref"),
        at("tax_id"),
    );
    let (s_ltv, s_first, s_last) = (at("lifetime_value"), at("first_order"), at("last_order"));
    let dates = [
        "verified_at",
        "updated_at",
        "employees_verified_at",
        "revenue_verified_at",
        "industry_verified_at",
    ];

    let mut b = Builder::new(records.len());
    let mut bad = Misreads::default();
    for r in records {
        let f = |s: usize| r.fields[s].as_deref();
        let src = r.source as usize;
        let day_first = ctx.day_first.get(src).copied().unwrap_or(false);
        let mut c = Cursor(0);
        common(&mut b, &mut c, r, ctx);

        let ctry = f(s_country).and_then(country_of);
        let alpha2 = ctry
            .map(|c| c.alpha2)
            .or_else(|| ctx.default_country.get(src).and_then(|d| d.as_deref()));
        let co = f(s_name).map(|n| company_of(n, alpha2));
        b.s(c.next(), "name", f(s_name));
        b.s(c.next(), "name_clean", co.as_ref().map(|x| x.name.as_str()));
        let legal = f(s_legal)
            .map(str::to_string)
            .or_else(|| co.as_ref().and_then(|x| x.legal_form.clone()));
        b.s(c.next(), "legal_form", legal.as_deref());
        // CRM users often type the website as the account name ("acme.com"):
        // then the name to match on is the domain's label, its hyphens read
        // as spaces ("cook-kennedy.co.uk" → "cook kennedy"). The domain does
        // not stand in for a missing website: a typed name-domain is often
        // another domain of the company (measured: account recall -0.4 to
        // -0.9 points on generated data when it did).
        let name_domain = f(s_name).and_then(website::name_as_domain);
        let domain_name = name_domain.as_deref().and_then(|d| {
            let words: Vec<&str> = d
                .split('.')
                .next()?
                .split('-')
                .filter(|w| !w.is_empty())
                .collect();
            (!words.is_empty()).then_some(words)
        });
        let key = match &domain_name {
            Some(words) => Some(words.join(" ")),
            None => co.as_ref().map(|x| x.key.clone()).filter(|k| !k.is_empty()),
        };
        b.s(c.next(), "name_key", key.as_deref());
        let tokens = match &domain_name {
            Some(words) => {
                let mut w = words.clone();
                w.sort_unstable();
                w.dedup();
                Some(w.join(" "))
            }
            None => co
                .as_ref()
                .map(|x| x.tokens.join(" "))
                .filter(|t| !t.is_empty()),
        };
        b.s(c.next(), "name_tokens", tokens.as_deref());
        b.s(
            c.next(),
            "name_acronym",
            co.as_ref().and_then(|x| x.acronym.as_deref()),
        );

        let web = f(s_web).map(website_of);
        b.s(c.next(), "website", f(s_web));
        let domain = web.as_ref().and_then(|w| w.registrable_domain.clone());
        b.s(c.next(), "domain", domain.as_deref());
        b.s(
            c.next(),
            "subdomain",
            web.as_ref().and_then(|w| w.subdomain.as_deref()),
        );
        let free = domain.as_deref().map(email::is_free_mail_domain);
        b.b(c.next(), "domain_is_free_mail", free);

        let ph = f(s_phone).map(|p| phone_of(p, alpha2));
        b.s(
            c.next(),
            "phone",
            ph.as_ref().and_then(|p| p.e164.as_deref()),
        );
        b.s(
            c.next(),
            "phone_extension",
            ph.as_ref().and_then(|p| p.extension.as_deref()),
        );
        b.b(c.next(), "phone_valid", ph.as_ref().map(|p| p.valid));
        b.s(c.next(), "phone_original", f(s_phone));

        b.s(
            c.next(),
            "street",
            f(s_street).map(text::collapse_ws).as_deref(),
        );
        b.s(
            c.next(),
            "city",
            f(s_city).map(text::collapse_ws).as_deref(),
        );
        b.s(
            c.next(),
            "city_key",
            f(s_city)
                .map(text::fold)
                .as_deref()
                .filter(|k| !k.is_empty()),
        );
        b.s(
            c.next(),
            "postcode",
            f(s_post).and_then(postcode_key).as_deref(),
        );
        b.s(
            c.next(),
            "region",
            f(s_region).map(text::collapse_ws).as_deref(),
        );
        // The source's default country parses phones but is not written as
        // the record's country: a guess would look like a conflict later.
        let stated = ctry;
        b.s(c.next(), "country", stated.map(|c| c.alpha2));
        b.s(c.next(), "sales_region", stated.map(|c| c.region.as_str()));
        b.s(c.next(), "country_original", f(s_country));

        let ind = f(s_naics)
            .and_then(|n| industry::normalize_industry(&format!("NAICS {n}")))
            .or_else(|| f(s_sic).and_then(|n| industry::normalize_industry(&format!("SIC {n}"))))
            .or_else(|| f(s_ind).and_then(industry::normalize_industry));
        b.s(c.next(), "industry", f(s_ind));
        b.s(
            c.next(),
            "industry_sector",
            ind.as_ref().map(|i| i.sector_code),
        );
        b.s(
            c.next(),
            "industry_sector_name",
            ind.as_ref().map(|i| i.sector_name),
        );
        b.s(
            c.next(),
            "naics",
            ind.as_ref().and_then(|i| i.naics.as_deref()).or(f(s_naics)),
        );
        b.s(
            c.next(),
            "sic",
            ind.as_ref().and_then(|i| i.sic.as_deref()).or(f(s_sic)),
        );

        let emp = bad.check(
            r,
            "employees",
            "employee count",
            f(s_emp),
            f(s_emp).and_then(number::parse_employees),
        );
        b.f(
            c.next(),
            "employees",
            emp.as_ref().and_then(|e| e.value).map(|v| v as f64),
        );
        b.f(
            c.next(),
            "employees_min",
            emp.as_ref().and_then(|e| e.band).map(|b| b.0 as f64),
        );
        b.f(
            c.next(),
            "employees_max",
            emp.as_ref()
                .and_then(|e| e.band)
                .and_then(|b| b.1)
                .map(|v| v as f64),
        );
        b.s(c.next(), "employees_original", f(s_emp));
        let default_cur =
            f(s_cur).or_else(|| ctx.default_currency.get(src).and_then(|d| d.as_deref()));
        let rev = bad.check(
            r,
            "revenue",
            "amount",
            f(s_rev),
            f(s_rev).and_then(|v| number::parse_money(v, default_cur)),
        );
        b.f(c.next(), "revenue", rev.as_ref().map(|m| m.amount));
        b.s(
            c.next(),
            "revenue_currency",
            rev.as_ref().and_then(|m| m.currency.as_deref()),
        );
        b.s(c.next(), "revenue_original", f(s_rev));

        b.s(
            c.next(),
            "ownership",
            f(s_own).map(|o| o.to_lowercase()).as_deref(),
        );
        b.s(c.next(), "technologies", list_key(f(s_tech)).as_deref());
        b.s(c.next(), "intent_topics", list_key(f(s_topics)).as_deref());
        let score = bad.check(r, "intent_score", "number", f(s_iscore), num(f(s_iscore)));
        b.f(c.next(), "intent_score", score);
        b.s(c.next(), "parent_ref", f(s_parent));
        b.s(c.next(), "tax_id", f(s_tax).and_then(tax_id_key).as_deref());
        let ltv = f(s_ltv)
            .and_then(|v| number::parse_money(v, default_cur))
            .map(|m| m.amount)
            .or_else(|| num(f(s_ltv)));
        let ltv = bad.check(r, "lifetime_value", "amount", f(s_ltv), ltv);
        b.f(c.next(), "lifetime_value", ltv);
        for (name, s) in [("first_order", s_first), ("last_order", s_last)] {
            b.d(c.next(), name, bad.date(r, name, f(s), day_first));
        }
        for name in dates {
            b.d(c.next(), name, bad.date(r, name, f(at(name)), day_first));
        }
    }
    bad.merge_into(&ctx.unreadable);
    if records.is_empty() {
        return header_only(Kind::Accounts, ctx);
    }
    b.finish(extras_for(records, ctx))
}

fn contacts(records: &[RawRecord], ctx: &Context) -> Table {
    let k = Kind::Contacts;
    let at = |name: &str| slot(k, name).expect("contact field");
    let (s_full, s_first, s_middle, s_last) = (
        at("full_name"),
        at("first_name"),
        at("middle_name"),
        at("last_name"),
    );
    let (s_email, s_phone, s_title, s_li) = (
        at("email"),
        at("phone"),
        at("job_title"),
        at("linkedin_url"),
    );
    let (s_company, s_cweb, s_acc, s_country) = (
        at("company_name"),
        at("company_website"),
        at("account_ref"),
        at("country"),
    );
    let engagement = [
        "email_opens",
        "web_visits",
        "pricing_page_visits",
        "webinars",
        "product_usage",
    ];
    let s_bounced = at("bounced");
    let dates = ["last_activity", "created_at", "updated_at"];

    let mut b = Builder::new(records.len());
    let mut bad = Misreads::default();
    for r in records {
        let f = |s: usize| r.fields[s].as_deref();
        let src = r.source as usize;
        let day_first = ctx.day_first.get(src).copied().unwrap_or(false);
        let mut c = Cursor(0);
        common(&mut b, &mut c, r, ctx);

        let name = if f(s_first).is_some() || f(s_last).is_some() {
            let first = match (f(s_first), f(s_middle)) {
                (Some(fi), Some(m)) => format!("{fi} {m}"),
                (Some(fi), None) => fi.to_string(),
                (None, _) => String::new(),
            };
            Some(person::from_parts(&first, f(s_last).unwrap_or("")))
        } else {
            f(s_full).map(person::parse_full_name)
        };
        let n = name.as_ref();
        b.s(c.next(), "name_prefix", n.and_then(|n| n.prefix.as_deref()));
        b.s(c.next(), "first_name", n.and_then(|n| n.first.as_deref()));
        b.s(c.next(), "middle_name", n.and_then(|n| n.middle.as_deref()));
        b.s(c.next(), "last_name", n.and_then(|n| n.last.as_deref()));
        b.s(c.next(), "name_suffix", n.and_then(|n| n.suffix.as_deref()));
        b.s(
            c.next(),
            "full_name",
            n.map(|n| n.full.as_str()).filter(|s| !s.is_empty()),
        );
        b.s(c.next(), "full_name_original", f(s_full));
        b.s(
            c.next(),
            "first_name_key",
            n.and_then(|n| n.first_key.as_deref()),
        );
        b.s(
            c.next(),
            "formal_first_name_key",
            n.and_then(|n| n.formal_first_key.as_deref()),
        );
        b.s(
            c.next(),
            "last_name_key",
            n.and_then(|n| n.last_key.as_deref()),
        );
        b.s(
            c.next(),
            "first_name_phonetic",
            n.and_then(|n| n.first_phonetic.as_deref()),
        );
        b.s(
            c.next(),
            "last_name_phonetic",
            n.and_then(|n| n.last_phonetic.as_deref()),
        );

        let em = f(s_email).map(email::normalize_email);
        b.s(
            c.next(),
            "email",
            em.as_ref().and_then(|e| e.normalized.as_deref()),
        );
        b.s(
            c.next(),
            "email_domain",
            em.as_ref().and_then(|e| e.registrable_domain.as_deref()),
        );
        b.s(
            c.next(),
            "email_class",
            em.as_ref().map(|e| e.class.as_str()),
        );
        b.s(
            c.next(),
            "email_problem",
            em.as_ref().and_then(|e| e.problem),
        );
        b.s(c.next(), "email_original", f(s_email));

        let ctry = f(s_country).and_then(country_of);
        let alpha2 = ctry
            .map(|c| c.alpha2)
            .or_else(|| ctx.default_country.get(src).and_then(|d| d.as_deref()));
        let ph = f(s_phone).map(|p| phone_of(p, alpha2));
        b.s(
            c.next(),
            "phone",
            ph.as_ref().and_then(|p| p.e164.as_deref()),
        );
        b.s(
            c.next(),
            "phone_extension",
            ph.as_ref().and_then(|p| p.extension.as_deref()),
        );
        b.b(c.next(), "phone_valid", ph.as_ref().map(|p| p.valid));
        b.s(c.next(), "phone_original", f(s_phone));

        let t = f(s_title).map(title_of);
        b.s(c.next(), "job_title", f(s_title));
        b.s(
            c.next(),
            "job_title_normalized",
            t.as_ref()
                .map(|t| t.normalized.as_str())
                .filter(|s| !s.is_empty()),
        );
        b.s(
            c.next(),
            "seniority",
            t.as_ref().and_then(|t| t.seniority).map(|s| s.as_str()),
        );
        b.s(
            c.next(),
            "department",
            t.as_ref().and_then(|t| t.department).map(|d| d.as_str()),
        );
        b.s(
            c.next(),
            "buying_role",
            t.as_ref().and_then(|t| t.role).map(|r| r.as_str()),
        );

        b.s(
            c.next(),
            "linkedin_url",
            f(s_li).and_then(linkedin_key).as_deref(),
        );

        let co = f(s_company).map(|n| company_of(n, alpha2));
        b.s(c.next(), "company_name", f(s_company));
        b.s(
            c.next(),
            "company_key",
            co.as_ref()
                .map(|x| x.key.as_str())
                .filter(|k| !k.is_empty()),
        );
        b.s(
            c.next(),
            "company_legal_form",
            co.as_ref().and_then(|x| x.legal_form.as_deref()),
        );
        b.s(
            c.next(),
            "company_acronym",
            co.as_ref().and_then(|x| x.acronym.as_deref()),
        );
        let cw = f(s_cweb).map(website_of);
        b.s(
            c.next(),
            "company_domain",
            cw.as_ref().and_then(|w| w.registrable_domain.as_deref()),
        );
        b.s(c.next(), "account_ref", f(s_acc));

        // The source's default country parses phones but is not written as
        // the record's country: a guess would look like a conflict later.
        let stated = ctry;
        b.s(c.next(), "country", stated.map(|c| c.alpha2));
        b.s(c.next(), "sales_region", stated.map(|c| c.region.as_str()));
        b.s(c.next(), "country_original", f(s_country));

        for name in engagement {
            let raw = f(at(name));
            // Counts: a negative one is as unreadable as a word. The usage
            // score may be anything.
            let (n, expected) = if name == "product_usage" {
                (num(raw), "number")
            } else {
                (num(raw).filter(|v| *v >= 0.0), "count")
            };
            b.f(c.next(), name, bad.check(r, name, expected, raw, n));
        }
        let bounced = f(s_bounced);
        b.b(
            c.next(),
            "bounced",
            bad.check(r, "bounced", "boolean", bounced, boolean(bounced)),
        );
        for name in dates {
            b.d(c.next(), name, bad.date(r, name, f(at(name)), day_first));
        }
    }
    bad.merge_into(&ctx.unreadable);
    if records.is_empty() {
        return header_only(Kind::Contacts, ctx);
    }
    b.finish(extras_for(records, ctx))
}

/// An empty table with the kind's columns: built from one dummy record so the
/// column list has a single source of truth (the functions above).
fn header_only(kind: Kind, ctx: &Context) -> Table {
    let dummy = RawRecord {
        source: 0,
        source_id: String::new(),
        id_derived: false,
        line: 0,
        fields: vec![None; firmlink_model::fields(kind).len()],
        extras: Vec::new(),
    };
    let one = match kind {
        Kind::Accounts => accounts(std::slice::from_ref(&dummy), ctx),
        Kind::Contacts => contacts(std::slice::from_ref(&dummy), ctx),
    };
    let mut t = Table::new(0);
    for (name, col) in one.columns() {
        let empty = match col {
            Column::Str(_) => Column::Str(StrColumn::default()),
            Column::F64(_) => Column::F64(Vec::new()),
            Column::I64(_) => Column::I64(Vec::new()),
            Column::Bool(_) => Column::Bool(Vec::new()),
            Column::Date(_) => Column::Date(Vec::new()),
        };
        t.push(name, empty);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_of_distinct_values_turns_itself_off_and_repeats_keep_it() {
        // Each test runs on its own thread: fresh thread-local tables.
        std::thread::spawn(|| {
            for i in 0..20_001u32 {
                let p = phone_of(&format!("+1 212 555 {:04}", i % 10_000), Some("US"));
                assert!(p.e164.is_some());
            }
            // Half of those repeat (i % 10_000): the table stays on.
            assert!(PHONES.with(|m| !m.borrow().map.is_empty()));
        })
        .join()
        .unwrap();
        std::thread::spawn(|| {
            for i in 0..20_001u32 {
                let p = phone_of(&format!("+49 30 {:07}", 1_000_000 + i), None);
                assert_eq!(p.e164, Some(format!("+4930{}", 1_000_000 + i)));
            }
            assert!(PHONES.with(|m| m.borrow().map.capacity() == 0));
            // Off, it still gives the normalizer's answer.
            let p = phone_of("030 1234567", Some("DE"));
            assert_eq!(p.e164.as_deref(), Some("+49301234567"));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn linkedin_urls_reduce_to_the_profile() {
        let cases = [
            (
                "https://www.linkedin.com/in/jane-doe-123/",
                Some("linkedin.com/in/jane-doe-123"),
            ),
            (
                "http://de.linkedin.com/in/Jane-Doe?trk=x",
                Some("linkedin.com/in/jane-doe"),
            ),
            ("linkedin.com/in/janedoe", Some("linkedin.com/in/janedoe")),
            (
                "www.linkedin.com/pub/john-smith/1/2/3",
                Some("linkedin.com/pub/john-smith"),
            ),
            ("https://twitter.com/jane", None),
            ("linkedin.com/in/", None),
        ];
        for (input, want) in cases {
            assert_eq!(linkedin_key(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn tax_ids_compare_on_letters_and_digits() {
        assert_eq!(tax_id_key("DE 123.456.789").as_deref(), Some("DE123456789"));
        assert_eq!(tax_id_key("gb-123 4567 89").as_deref(), Some("GB123456789"));
        assert_eq!(tax_id_key(" - ").as_deref(), None);
    }

    #[test]
    fn every_row_gets_every_column() {
        let rec = |fields: Vec<Option<&str>>| RawRecord {
            source: 0,
            source_id: "1".into(),
            id_derived: false,
            line: 2,
            fields: fields.into_iter().map(|f| f.map(str::to_string)).collect(),
            extras: vec![Some("gold".into())],
        };
        let n = firmlink_model::fields(Kind::Contacts).len();
        let mut f = vec![None; n];
        f[slot(Kind::Contacts, "full_name").unwrap()] = Some("Dr. Jane Doe");
        f[slot(Kind::Contacts, "email").unwrap()] = Some("Jane.Doe+news@Acme.com");
        let ctx = Context {
            source_names: vec!["crm".into()],
            default_country: vec![Some("US".into())],
            extra_names: vec!["tier".into()],
            extra_slots: vec![vec![0]],
            ..Context::default()
        };
        let t = normalize(Kind::Contacts, &[rec(f.clone()), rec(vec![None; n])], &ctx);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.str("email").unwrap().get(0), Some("jane.doe@acme.com"));
        assert_eq!(t.str("last_name").unwrap().get(0), Some("Doe"));
        assert_eq!(
            t.str("country").unwrap().get(0),
            None,
            "the default country is not written"
        );
        assert_eq!(t.str("x_tier").unwrap().get(1), Some("gold"));
        let mut names = contact_columns();
        names.push("x_tier".into());
        assert_eq!(t.names(), names.as_slice());
    }
}
