//! Matching settings per kind: the B2B defaults, and the `[matching.accounts]`
//! / `[matching.contacts]` sections of a pipeline file that override them.
//!
//! The engine's own settings ([`Settings`]: link type, blocking rules,
//! comparisons with levels, training) are taken as written, in Splink's
//! words; this module adds what unify decides: the clustering threshold and
//! chain guard, pinned parameters, the B2B rules and survivorship.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use firmlink_linkage::{
    BlockingRule, Comparison, Level, LinkType, Settings, TrainingSettings, cluster::ChainGuard,
};
use firmlink_model::Kind;
use serde::Deserialize;

use crate::golden::{FieldRule, Rule};

/// What the pipeline file may say about matching one kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingFile {
    /// `false` skips dedupe for this kind: every record is its own entity.
    pub enabled: Option<bool>,
    pub link_type: Option<LinkType>,
    /// Replace the default blocking rules.
    pub blocking_rules: Option<Vec<BlockingRule>>,
    /// Replace the default comparisons.
    pub comparisons: Option<Vec<Comparison>>,
    /// Match probability at which pairs join a cluster.
    pub threshold: Option<f64>,
    /// Scored pairs below this probability are not kept (for eval's threshold table).
    pub keep_pairs_above: Option<f64>,
    pub max_block_size: Option<u32>,
    pub max_candidate_pairs: Option<u64>,
    pub training: Option<TrainingSettings>,
    /// Pinned parameters (a `params/<kind>.json` from an earlier run), relative
    /// to the pipeline file. Training is skipped.
    pub params: Option<String>,
    pub chain_guard: Option<GuardFile>,
    /// The B2B rules (see [`crate::rules`]); default on for the built-in
    /// comparisons, off when comparisons are replaced.
    pub b2b_rules: Option<bool>,
    /// After clustering, a lone record joins the one cluster that carries its
    /// value of this column (see [`crate::attach`]): `true` = the kind's
    /// default column, a string = that column, `false` = off.
    pub attach_singletons: Option<AttachFile>,
    /// Output field → survivorship rule name.
    pub survivorship: Option<BTreeMap<String, String>>,
}

/// `attach_singletons = true | false | "<column>"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, expecting = "true, false or the name of a text column")]
pub enum AttachFile {
    Enabled(bool),
    Column(String),
}

/// The chain guard as written in a pipeline file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardFile {
    pub enabled: Option<bool>,
    pub strong_threshold: Option<f64>,
    pub min_bridge_fraction: Option<f64>,
    pub max_cluster_size: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchingSection {
    accounts: Option<MatchingFile>,
    contacts: Option<MatchingFile>,
}

#[derive(Debug, Default, Deserialize)]
struct Doc {
    #[serde(default)]
    matching: Option<MatchingSection>,
}

/// Matching settings of one kind, validated.
#[derive(Debug, Clone)]
pub struct Matching {
    pub kind: Kind,
    pub enabled: bool,
    pub settings: Settings,
    pub threshold: f64,
    pub guard: ChainGuard,
    pub params: Option<PathBuf>,
    pub b2b_rules: bool,
    /// Column on which lone records attach to the one cluster carrying their value.
    pub attach_on: Option<String>,
    pub survivorship: Vec<FieldRule>,
}

/// A problem in a `[matching]` section: message and byte span in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchingProblem {
    pub message: String,
    pub span: Option<std::ops::Range<usize>>,
    /// The setting at fault as a path (`matching.contacts.threshold`), for
    /// locating it in the file when `span` is unknown.
    pub key: Option<String>,
}

/// Read both kinds' matching settings from the pipeline text (absent
/// sections give the defaults).
pub fn from_pipeline(text: &str, base: &Path) -> Result<[Matching; 2], Vec<MatchingProblem>> {
    let doc: Doc = toml::from_str(text).map_err(|e| {
        vec![MatchingProblem {
            message: e.message().trim().to_string(),
            span: e.span(),
            key: None,
        }]
    })?;
    let section = doc.matching.unwrap_or_default();
    let mut problems = Vec::new();
    let a = resolve(
        Kind::Accounts,
        section.accounts.unwrap_or_default(),
        base,
        &mut problems,
    );
    let c = resolve(
        Kind::Contacts,
        section.contacts.unwrap_or_default(),
        base,
        &mut problems,
    );
    if problems.is_empty() {
        Ok([a, c])
    } else {
        Err(problems)
    }
}

fn resolve(
    kind: Kind,
    f: MatchingFile,
    base: &Path,
    problems: &mut Vec<MatchingProblem>,
) -> Matching {
    let mut p = |key: &str, m: String| {
        problems.push(MatchingProblem {
            message: format!("[matching.{}] {m}", kind.as_str()),
            span: None,
            key: Some(format!("matching.{}.{key}", kind.as_str())),
        })
    };
    let custom = f.comparisons.is_some();
    let (rules, comparisons) = match kind {
        Kind::Accounts => (default_account_blocking(), default_account_comparisons()),
        Kind::Contacts => (default_contact_blocking(), default_contact_comparisons()),
    };
    let mut settings = Settings::new(
        f.link_type.unwrap_or(LinkType::LinkAndDedupe),
        f.blocking_rules.unwrap_or(rules),
        f.comparisons.unwrap_or(comparisons),
    );
    settings.threshold_match_probability = f.keep_pairs_above.unwrap_or(0.05);
    if let Some(m) = f.max_block_size {
        settings.max_block_size = m;
    }
    if let Some(m) = f.max_candidate_pairs {
        settings.max_candidate_pairs = m;
    }
    if let Some(t) = f.training {
        settings.training = t;
    }
    let threshold = f.threshold.unwrap_or(match kind {
        Kind::Accounts => 0.9,
        Kind::Contacts => 0.9,
    });
    if settings.threshold_match_probability > threshold {
        p(
            "keep_pairs_above",
            format!(
                "keep_pairs_above ({}) must not exceed threshold ({threshold}): pairs between them would be dropped before clustering",
                settings.threshold_match_probability
            ),
        );
    }
    if !(threshold > 0.0 && threshold < 1.0) {
        p(
            "threshold",
            format!("threshold must be strictly between 0 and 1, found {threshold}"),
        );
    }
    let mut guard = ChainGuard::default();
    if let Some(g) = f.chain_guard {
        if g.enabled == Some(false) {
            guard = ChainGuard::off();
        } else {
            if let Some(s) = g.strong_threshold {
                guard.strong_threshold = s;
            }
            if let Some(b) = g.min_bridge_fraction {
                guard.min_bridge_fraction = b;
            }
            guard.max_cluster_size = g.max_cluster_size.and_then(NonZeroU32::new);
        }
    }
    if let Err(e) = guard.validate() {
        p("chain_guard", format!("chain_guard: {e}"));
    }
    let mut survivorship = default_survivorship(kind);
    for (field, rule) in f.survivorship.unwrap_or_default() {
        match Rule::parse(&rule) {
            Some(r) => match survivorship.iter_mut().find(|s| s.field == field) {
                Some(s) => s.rule = r,
                None => survivorship.push(FieldRule::new(&field, r)),
            },
            None => p(
                &format!("survivorship.{field}"),
                format!(
                    "survivorship.{field} = \"{rule}\" is not a rule; use one of {}",
                    Rule::NAMES.join(", ")
                ),
            ),
        }
    }
    let b2b_rules = f.b2b_rules.unwrap_or(!custom);
    // Accounts attach on the company name by default (with the B2B rules,
    // which keep namesakes apart); contacts have no default: a name shared
    // by one cluster says little about a person.
    let default_attach = match kind {
        Kind::Accounts => Some("name_compact"),
        Kind::Contacts => None,
    };
    let attach_on = match f.attach_singletons {
        None if b2b_rules => default_attach.map(str::to_string),
        None | Some(AttachFile::Enabled(false)) => None,
        Some(AttachFile::Enabled(true)) => match default_attach {
            Some(c) => Some(c.to_string()),
            None => {
                p(
                    "attach_singletons",
                    "attach_singletons = true has no default column for contacts; name one: attach_singletons = \"<column>\""
                        .to_string(),
                );
                None
            }
        },
        Some(AttachFile::Column(c)) if c.trim().is_empty() => {
            p(
                "attach_singletons",
                "attach_singletons = \"\" names no column; use false to turn it off".to_string(),
            );
            None
        }
        Some(AttachFile::Column(c)) => Some(c),
    };
    Matching {
        kind,
        enabled: f.enabled.unwrap_or(true),
        settings,
        threshold,
        guard,
        params: f.params.map(|s| base.join(s)),
        b2b_rules,
        attach_on,
        survivorship,
    }
}

fn rule(name: &str, keys: &[&str]) -> BlockingRule {
    BlockingRule::on(keys.iter().copied()).named(name)
}

/// Contacts: records of one person at one employer (a person who changed
/// jobs is a new contact). Blocking on a personal email, phone, LinkedIn,
/// full name, and surname within an employer.
pub fn default_contact_blocking() -> Vec<BlockingRule> {
    vec![
        rule("email", &["email_personal"]),
        rule("linkedin", &["linkedin_url"]),
        rule("phone", &["phone"]),
        rule("name", &["last_name_key", "formal_first_name_key"]),
        rule("names in any order", &["name_set"]),
        rule(
            "surname+employer",
            &["last_name_phonetic", "employer_domain"],
        ),
    ]
}

pub fn default_contact_comparisons() -> Vec<Comparison> {
    vec![
        Comparison::new("first_name_key")
            .named("first_name")
            .level(Level::exact().with_tf_adjustment())
            .level(
                Level::exact()
                    .on("name_set")
                    .labelled("same names, other order"),
            )
            .level(
                Level::exact()
                    .on("formal_first_name_key")
                    .labelled("nickname"),
            )
            .level(Level::jaro_winkler(0.92))
            .level(
                Level::exact()
                    .on("first_name_phonetic")
                    .labelled("same sound"),
            )
            .level(Level::jaro_winkler(0.8)),
        Comparison::new("last_name_key")
            .named("last_name")
            .level(Level::exact().with_tf_adjustment())
            .level(
                Level::exact()
                    .on("name_set")
                    .labelled("same names, other order"),
            )
            .level(Level::jaro_winkler(0.92))
            .level(
                Level::exact()
                    .on("last_name_phonetic")
                    .labelled("same sound"),
            )
            .level(Level::jaro_winkler(0.8)),
        Comparison::new("email_personal")
            .named("email")
            .level(Level::exact())
            .level(Level::exact().on("email_local").labelled("same local part"))
            .level(Level::levenshtein(2)),
        Comparison::exact("phone"),
        Comparison::exact("linkedin_url").named("linkedin"),
        Comparison::new("employer_label")
            .named("employer")
            .level(Level::exact().with_tf_adjustment())
            .level(Level::jaro_winkler(0.88))
            .level(
                Level::jaccard(0.25)
                    .on("employer_terms")
                    .labelled("acronym or partial name"),
            ),
        Comparison::new("company_key")
            .named("company")
            .level(Level::exact())
            .level(Level::token_set(0.6)),
        Comparison::exact("country"),
    ]
}

/// Accounts: one record per legal entity. Blocking on corporate domain,
/// name key, tax id, phone and a six-letter name prefix within a country (an
/// acronym rule was tried and dropped: 757k extra pairs per 100k accounts for
/// no measured gain).
pub fn default_account_blocking() -> Vec<BlockingRule> {
    vec![
        rule("domain", &["domain_corp"]),
        rule("name", &["name_key"]),
        rule("tax_id", &["tax_number"]),
        rule("phone", &["phone"]),
        BlockingRule::on(["country"])
            .and_prefix("name_key", 6)
            .named("country+name prefix"),
    ]
}

pub fn default_account_comparisons() -> Vec<Comparison> {
    vec![
        Comparison::new("name_key")
            .named("name")
            .level(
                Level::exact()
                    .on("name_country")
                    .with_tf_adjustment()
                    .labelled("same name, same country"),
            )
            .level(Level::exact().with_tf_adjustment())
            .level(
                Level::exact()
                    .on("name_compact")
                    .labelled("same name, spaces aside"),
            )
            .level(
                Level::token_set(0.99)
                    .on("name_tokens")
                    .labelled("same words"),
            )
            .level(Level::jaro_winkler(0.94))
            .level(Level::exact().on("name_short").labelled("acronym"))
            .level(Level::token_set(0.6).on("name_tokens")),
        Comparison::new("domain_corp")
            .named("domain")
            .level(Level::exact().with_tf_adjustment()),
        Comparison::exact("phone"),
        // City and postcode with term frequencies: many companies share a
        // city centre's postcode ("3000" in Melbourne), which says little.
        Comparison::new("city_key")
            .named("city")
            .level(Level::exact().with_tf_adjustment())
            .level(Level::jaro_winkler(0.9)),
        Comparison::new("postcode").level(Level::exact().with_tf_adjustment()),
        Comparison::exact("country"),
        Comparison::exact("tax_number").named("tax_id"),
    ]
}

/// Default survivorship per field.
pub fn default_survivorship(kind: Kind) -> Vec<FieldRule> {
    use Rule::*;
    let list: &[(&str, Rule)] = match kind {
        Kind::Accounts => &[
            ("name", SourcePriority),
            ("name_clean", SourcePriority),
            ("legal_form", MostFrequent),
            ("domain", MostFrequent),
            ("website", SourcePriority),
            ("phone", SourcePriority),
            ("street", SourcePriority),
            ("city", SourcePriority),
            ("postcode", SourcePriority),
            ("region", SourcePriority),
            ("country", MostFrequent),
            ("sales_region", MostFrequent),
            ("industry_sector", MostRecent),
            ("industry_sector_name", MostRecent),
            ("naics", MostRecent),
            ("employees", MostRecent),
            ("employees_min", MostRecent),
            ("employees_max", MostRecent),
            ("revenue", MostRecent),
            ("revenue_currency", MostRecent),
            ("ownership", MostRecent),
            ("technologies", MostComplete),
            ("intent_topics", MostRecent),
            ("intent_score", MostRecent),
            ("parent_ref", SourcePriority),
            ("tax_id", MostFrequent),
            ("lifetime_value", Max),
            ("first_order", Min),
            ("last_order", Max),
            ("verified_at", Max),
            ("updated_at", Max),
        ],
        Kind::Contacts => &[
            ("full_name", MostComplete),
            ("first_name", SourcePriority),
            ("middle_name", MostComplete),
            ("last_name", SourcePriority),
            ("email", MostRecent),
            ("email_class", MostRecent),
            ("phone", MostRecent),
            ("job_title", MostRecent),
            ("seniority", MostRecent),
            ("department", MostRecent),
            ("buying_role", MostRecent),
            ("linkedin_url", MostFrequent),
            ("company_name", SourcePriority),
            ("company_domain", MostFrequent),
            ("account_ref", SourcePriority),
            ("country", MostFrequent),
            ("sales_region", MostFrequent),
            ("email_opens", Max),
            ("web_visits", Max),
            ("pricing_page_visits", Max),
            ("webinars", Max),
            ("product_usage", Max),
            ("bounced", MostRecent),
            ("last_activity", Max),
            ("created_at", Min),
            ("updated_at", Max),
        ],
    };
    let mut rules: Vec<FieldRule> = list.iter().map(|(f, r)| FieldRule::new(f, *r)).collect();
    if kind == Kind::Accounts {
        for r in &mut rules {
            let dated = match r.field.as_str() {
                "employees" | "employees_min" | "employees_max" => Some("employees_verified_at"),
                "revenue" | "revenue_currency" => Some("revenue_verified_at"),
                "industry_sector" | "industry_sector_name" | "naics" => {
                    Some("industry_verified_at")
                }
                _ => None,
            };
            if let Some(d) = dated {
                r.date_column = Some(d.to_string());
            }
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_section() {
        let [a, c] = from_pipeline("[pipeline]\nname = \"x\"\n", Path::new(".")).unwrap();
        assert!(a.enabled && c.enabled);
        assert!(a.b2b_rules);
        assert_eq!(c.settings.blocking_rules.len(), 6);
        assert_eq!(a.attach_on.as_deref(), Some("name_compact"));
        assert_eq!(c.attach_on, None);
    }

    #[test]
    fn attach_singletons_settings() {
        let on = |text: &str| {
            from_pipeline(text, Path::new(".")).map(|[a, c]| (a.attach_on, c.attach_on))
        };
        assert_eq!(
            on("[matching.accounts]\nattach_singletons = false\n[matching.contacts]\nattach_singletons = \"email\"\n").unwrap(),
            (None, Some("email".to_string()))
        );
        assert_eq!(
            on("[matching.accounts]\nattach_singletons = \"domain\"\n")
                .unwrap()
                .0
                .as_deref(),
            Some("domain")
        );
        let e = on("[matching.contacts]\nattach_singletons = true\n").unwrap_err();
        assert!(e[0].message.contains("no default column"), "{e:?}");
        let e = on("[matching.accounts]\nattach_singletons = 3\n").unwrap_err();
        assert!(!e.is_empty());
    }

    #[test]
    fn sections_override_and_are_checked() {
        let text = r#"
[matching.contacts]
threshold = 0.8
b2b_rules = false
survivorship = { job_title = "source_priority" }
[[matching.contacts.blocking_rules]]
keys = ["x_ssn"]
"#;
        let [_, c] = from_pipeline(text, Path::new(".")).unwrap();
        assert_eq!(c.threshold, 0.8);
        assert_eq!(c.settings.blocking_rules.len(), 1);
        assert!(!c.b2b_rules);
        assert_eq!(
            c.survivorship
                .iter()
                .find(|r| r.field == "job_title")
                .unwrap()
                .rule,
            Rule::SourcePriority
        );

        let bad = "[matching.contacts]\ntreshold = 0.8\n";
        let e = from_pipeline(bad, Path::new(".")).unwrap_err();
        assert!(e[0].message.contains("unknown field `treshold`"), "{:?}", e);
        assert!(e[0].span.is_some());

        let bad = "[matching.accounts]\nthreshold = 1.5\nsurvivorship = { name = \"best\" }\n";
        let e = from_pipeline(bad, Path::new(".")).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
    }
}
