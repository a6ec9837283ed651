//! Pure, idempotent normalizers for B2B customer data, and their embedded
//! reference tables.
//!
//! Every normalizer keeps the original value and returns a canonical value
//! plus matching keys. (Prose to be completed.)
//!
//! - [`text`]: shared helpers: [`text::fold`] (the ASCII matching key),
//!   [`text::collapse_ws`], [`text::title_case`] for names.
//! - [`person`]: [`person::parse_full_name`] / [`person::from_parts`] →
//!   [`person::PersonName`] with folded, nickname-formal and Double Metaphone keys.
//! - [`email`]: [`email::normalize_email`] → [`email::Email`] with an
//!   [`email::EmailClass`] (corporate, free-mail, role, disposable, invalid).
//! - [`phone`]: [`phone::normalize_phone`] → E.164 with extension and country.
//! - [`website`]: [`website::normalize_website`] → host, registrable domain
//!   (Public Suffix List) and subdomain.
//! - [`title`]: [`title::classify_title`] → [`title::JobTitle`]: expanded
//!   title, seniority, department and buying-committee role (rules in
//!   [`title::BuyingCommittee`]); [`title::agreement`] scores it against
//!   hand-labelled titles.
//! - [`industry`]: [`industry::normalize_industry`] → NAICS sector from a
//!   NAICS or SIC code or an industry name (LinkedIn names, other languages).
//! - [`company`]: [`company::normalize_company`] → [`company::CompanyName`]:
//!   display name, legal form (GLEIF ISO 20275 forms of 87 countries plus a
//!   hand-written table) and its country, folded key, token set, acronym.
//! - [`country`]: [`country::normalize_country`] → ISO 3166-1
//!   [`country::Country`] with a sales [`country::Region`], from codes, names
//!   in 30 languages, abbreviations and misspellings.
//! - [`number`]: [`number::parse_employees`] (counts and bands),
//!   [`number::parse_money`] (amount, multiplier, ISO 4217 currency),
//!   [`number::parse_date`] (ISO, US, European, month names, Excel serials).

pub mod company;
pub mod country;
pub mod email;
pub mod industry;
pub mod number;
pub mod person;
pub mod phone;
pub mod records;
pub mod text;
pub mod title;
pub mod website;
