//! The canonical fields a source column can be mapped to, per record kind.

use serde::{Deserialize, Serialize};

/// What a source holds: companies or people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Accounts,
    Contacts,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Accounts => "accounts",
            Kind::Contacts => "contacts",
        }
    }
}

/// How a canonical field's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    /// A count or amount; free text such as "1,200" or "$1.2M" is parsed.
    Number,
    /// A date in ISO, US or European form.
    Date,
    /// true/false, yes/no, 1/0.
    Bool,
}

/// A canonical field: its name in pipeline files and output tables, its type
/// and one line of documentation (printed by `firmlink validate --fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: FieldType,
    pub doc: &'static str,
}

const fn f(name: &'static str, ty: FieldType, doc: &'static str) -> FieldDef {
    FieldDef { name, ty, doc }
}

use FieldType::{Bool, Date, Number, Text};

/// Canonical account fields, in slot order.
pub const ACCOUNT_FIELDS: &[FieldDef] = &[
    f(
        "name",
        Text,
        "company name as the source holds it; the legal form is split off",
    ),
    f(
        "legal_form",
        Text,
        "legal form when the source keeps it apart (Inc, GmbH, …)",
    ),
    f(
        "website",
        Text,
        "website or domain; reduced to the registrable domain",
    ),
    f(
        "phone",
        Text,
        "main phone number; parsed to E.164 with the country as default",
    ),
    f("street", Text, "street address"),
    f("city", Text, "city"),
    f("postcode", Text, "postal code"),
    f("region", Text, "state, province or region"),
    f(
        "country",
        Text,
        "country name or code; becomes ISO 3166-1 alpha-2",
    ),
    f("industry", Text, "industry as free text, NAICS or SIC code"),
    f("naics", Text, "NAICS code"),
    f("sic", Text, "SIC code"),
    f(
        "employees",
        Number,
        "employee count or band (\"1,200\", \"51-200\")",
    ),
    f(
        "revenue",
        Number,
        "annual revenue, with or without currency (\"$1.2M\")",
    ),
    f(
        "revenue_currency",
        Text,
        "ISO 4217 currency of revenue when held apart",
    ),
    f("ownership", Text, "public, private, subsidiary, …"),
    f("technologies", Text, "technographics, separated by ; or ,"),
    f("intent_topics", Text, "intent topics, separated by ; or ,"),
    f("intent_score", Number, "intent score"),
    f(
        "parent_ref",
        Text,
        "parent account: a source id, name or domain",
    ),
    f("tax_id", Text, "VAT number or other tax id"),
    f("lifetime_value", Number, "lifetime value (billing)"),
    f("first_order", Date, "date of the first order"),
    f("last_order", Date, "date of the last order"),
    f(
        "verified_at",
        Date,
        "when the firmographics were last verified",
    ),
    f("updated_at", Date, "when the record was last modified"),
    f(
        "employees_verified_at",
        Date,
        "when the employee count was last verified",
    ),
    f(
        "revenue_verified_at",
        Date,
        "when the revenue was last verified",
    ),
    f(
        "industry_verified_at",
        Date,
        "when the industry was last verified",
    ),
];

/// Canonical contact fields, in slot order.
pub const CONTACT_FIELDS: &[FieldDef] = &[
    f(
        "full_name",
        Text,
        "full name (\"Dr. Jane A. Doe\", \"Doe, Jane\"); split when first/last are absent",
    ),
    f("first_name", Text, "given name"),
    f("middle_name", Text, "middle name or initial"),
    f("last_name", Text, "family name"),
    f("email", Text, "email address"),
    f(
        "phone",
        Text,
        "phone number; parsed to E.164 with the country as default",
    ),
    f(
        "job_title",
        Text,
        "job title; classified into seniority, department and buying role",
    ),
    f("linkedin_url", Text, "LinkedIn profile URL"),
    f(
        "company_name",
        Text,
        "company name as typed by the person or the source",
    ),
    f("company_website", Text, "company website as typed"),
    f(
        "account_ref",
        Text,
        "the source's own account id for this contact",
    ),
    f(
        "country",
        Text,
        "country name or code; becomes ISO 3166-1 alpha-2",
    ),
    f("email_opens", Number, "engagement: email opens"),
    f("web_visits", Number, "engagement: web visits"),
    f(
        "pricing_page_visits",
        Number,
        "engagement: pricing-page visits",
    ),
    f("webinars", Number, "engagement: webinars attended"),
    f(
        "product_usage",
        Number,
        "engagement: product usage score or events",
    ),
    f("bounced", Bool, "email bounced"),
    f("last_activity", Date, "date of last activity"),
    f("created_at", Date, "when the record was created"),
    f("updated_at", Date, "when the record was last modified"),
];

/// The canonical fields of a kind, in slot order.
pub fn fields(kind: Kind) -> &'static [FieldDef] {
    match kind {
        Kind::Accounts => ACCOUNT_FIELDS,
        Kind::Contacts => CONTACT_FIELDS,
    }
}

/// Slot of a canonical field name for a kind.
pub fn slot(kind: Kind, name: &str) -> Option<usize> {
    fields(kind).iter().position(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_kind() {
        for kind in [Kind::Accounts, Kind::Contacts] {
            let mut names: Vec<_> = fields(kind).iter().map(|f| f.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "{kind:?}");
        }
    }

    #[test]
    fn slot_finds_fields() {
        assert_eq!(slot(Kind::Accounts, "name"), Some(0));
        assert_eq!(slot(Kind::Contacts, "email"), Some(4));
        assert_eq!(slot(Kind::Contacts, "nonsense"), None);
    }
}
