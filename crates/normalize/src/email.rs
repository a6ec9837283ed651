//! Email addresses: extraction from messy fields, syntax and public-suffix
//! checks, canonical form and classification.
//!
//! ```
//! use firmlink_normalize::email::{normalize_email, EmailClass};
//!
//! let e = normalize_email("Jane Doe <Jane.Doe+crm@GoogleMail.com>");
//! assert_eq!(e.normalized.as_deref(), Some("janedoe@gmail.com"));
//! assert_eq!(e.class, EmailClass::FreeMail);
//!
//! let e = normalize_email("mailto:info@acme.co.uk");
//! assert_eq!(e.registrable_domain.as_deref(), Some("acme.co.uk"));
//! assert_eq!(e.class, EmailClass::Role);
//! ```
//!
//! # Canonical form
//!
//! The address is taken from `Name <addr>`, `mailto:addr?subject=…`, or the
//! first `@`-word of a list ("a@x.com; b@y.com"); surrounding quotes,
//! brackets and trailing dots go. Then: lowercase; `+tag` removed;
//! for gmail.com / googlemail.com dots removed from the local part and the
//! domain written gmail.com; an internationalised domain written in its
//! ASCII (punycode) form, as [`crate::website`] does. `local` and `domain`
//! are the two halves of `normalized`.
//!
//! # Validity
//!
//! Syntax by the `email_address` crate (RFC 5322, without display names or
//! domain literals), plus: no quoted local part, and the domain must end in
//! a known public suffix with a registrable label before it (PSL, ICANN and
//! PRIVATE sections, like [`crate::website`]).
//!
//! # Class
//!
//! Precedence: Invalid, then Disposable (domain on the disposable list),
//! FreeMail (domain on the free-mail / ISP list), Role (a local part such as
//! info, sales, support on the organisation's own domain), Corporate.
//! Role outranks Corporate; on a free-mail domain the mailbox belongs to a
//! person or small business, not to a company domain, so FreeMail wins.

use std::collections::HashSet;
use std::sync::LazyLock;

use email_address::EmailAddress;

/// What kind of mailbox an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailClass {
    /// A personal address on an organisation's own domain.
    Corporate,
    /// A consumer mailbox provider or ISP (gmail.com, gmx.de, qq.com …).
    FreeMail,
    /// A function mailbox (info@, sales@, noreply@ …) on an own domain.
    Role,
    /// A throw-away provider (mailinator.com …).
    Disposable,
    /// Not an email address (see `Email::problem`).
    Invalid,
}

impl EmailClass {
    /// The lowercase name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            EmailClass::Corporate => "corporate",
            EmailClass::FreeMail => "freemail",
            EmailClass::Role => "role",
            EmailClass::Disposable => "disposable",
            EmailClass::Invalid => "invalid",
        }
    }
}

/// A normalized email address.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Email {
    /// The input, unchanged.
    pub original: String,
    /// `local@domain`, canonical (see module docs); `None` when invalid.
    pub normalized: Option<String>,
    /// Canonical local part.
    pub local: Option<String>,
    /// Canonical domain (lowercase, ASCII).
    pub domain: Option<String>,
    /// The domain's registrable part by the Public Suffix List
    /// ("mail.acme.co.uk" → "acme.co.uk").
    pub registrable_domain: Option<String>,
    pub class: EmailClass,
    /// Why the address is invalid: "empty", "no_at", "bad_local",
    /// "bad_domain", "no_public_suffix".
    pub problem: Option<&'static str>,
}

const FREE_MAIL_TXT: &str = include_str!("../data/free_mail.txt");
const FREE_MAIL_EXTRA_TXT: &str = include_str!("../data/free_mail_extra.txt");
const DISPOSABLE_TXT: &str = include_str!("../data/disposable_domains.txt");
const ROLE_TXT: &str = include_str!("../data/role_local_parts.txt");

type FastSet = HashSet<&'static str, foldhash::fast::RandomState>;

/// Domain lines of a list: trimmed, comments and lines that are not a
/// dotted lowercase host skipped (free.txt has a few junk lines).
fn domain_set(texts: &[&'static str]) -> FastSet {
    let mut set = FastSet::default();
    for text in texts {
        for line in text.lines() {
            let d = line.trim();
            if d.contains('.')
                && !d.starts_with('.')
                && d.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
                // An entry that is itself a public suffix would swallow a
                // whole namespace: skip it.
                && registrable_domain(d).is_some()
            {
                set.insert(d);
            }
        }
    }
    set
}

static FREE_MAIL: LazyLock<FastSet> =
    LazyLock::new(|| domain_set(&[FREE_MAIL_TXT, FREE_MAIL_EXTRA_TXT]));
static DISPOSABLE: LazyLock<FastSet> = LazyLock::new(|| domain_set(&[DISPOSABLE_TXT]));
static ROLES: LazyLock<FastSet> = LazyLock::new(|| {
    ROLE_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Sizes of the embedded lists: (free-mail domains, disposable domains,
/// role local parts).
pub fn list_sizes() -> (usize, usize, usize) {
    (FREE_MAIL.len(), DISPOSABLE.len(), ROLES.len())
}

/// The registrable domain (eTLD+1) of a lowercase ASCII host by the Public
/// Suffix List (ICANN and PRIVATE sections), `None` when the suffix is not
/// a known one or nothing is left before it.
pub(crate) fn registrable_domain(host: &str) -> Option<&str> {
    let d = psl::domain(host.as_bytes())?;
    if !d.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(d.as_bytes()).ok()
}

/// Lowercase, trimmed ASCII (punycode) form of a domain with trailing dots
/// removed; `None` when it is not a valid DNS name (IDNA rules via `url`).
pub(crate) fn ascii_domain(d: &str) -> Option<String> {
    let d = d.trim().trim_end_matches('.');
    if d.is_empty() {
        return None;
    }
    let simple = d
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if simple {
        let lower = d.to_ascii_lowercase();
        // Reject empty labels ("a..b") and labels with a leading or
        // trailing hyphen; url is lenient about both.
        let ok = lower
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'));
        return ok.then_some(lower);
    }
    match url::Host::parse(d) {
        Ok(url::Host::Domain(s)) => {
            let s = s.trim_end_matches('.');
            let ok = !s.is_empty()
                && s.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                });
            ok.then(|| s.to_string())
        }
        _ => None,
    }
}

/// True for a domain of a free-mail provider or ISP (gmail.com, gmx.de,
/// yahoo.co.jp, mail.ru …), also for its subdomains. A free-mail domain
/// never identifies a company. Accepts any case, surrounding spaces, a
/// leading "@" and Unicode domains.
pub fn is_free_mail_domain(d: &str) -> bool {
    let d = d.trim().trim_start_matches('@');
    let Some(ascii) = ascii_domain(d) else {
        return false;
    };
    in_set(&FREE_MAIL, &ascii)
}

/// True for a disposable (throw-away) email domain or one of its subdomains.
pub fn is_disposable_domain(d: &str) -> bool {
    let d = d.trim().trim_start_matches('@');
    let Some(ascii) = ascii_domain(d) else {
        return false;
    };
    in_set(&DISPOSABLE, &ascii)
}

/// The domain or any parent domain of it is in `set`.
fn in_set(set: &FastSet, domain: &str) -> bool {
    let mut d = domain;
    loop {
        if set.contains(d) {
            return true;
        }
        match d.split_once('.') {
            Some((_, rest)) if rest.contains('.') => d = rest,
            _ => return false,
        }
    }
}

/// True for a role local part (info, sales, no-reply …): compared after
/// lowercasing, removing '.', '-', '_' and trailing digits.
pub fn is_role_local_part(local: &str) -> bool {
    let mut key = String::with_capacity(local.len());
    for c in local.chars() {
        if !matches!(c, '.' | '-' | '_') {
            key.extend(c.to_lowercase());
        }
    }
    let trimmed = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let k = if trimmed.is_empty() {
        key.as_str()
    } else {
        trimmed
    };
    ROLES.contains(k)
}

fn invalid(original: &str, problem: &'static str) -> Email {
    Email {
        original: original.to_string(),
        normalized: None,
        local: None,
        domain: None,
        registrable_domain: None,
        class: EmailClass::Invalid,
        problem: Some(problem),
    }
}

/// Finds the address inside a field: `Name <addr>`, `mailto:addr?…`, the
/// first word with an '@' in a list, without quotes and brackets around it.
fn extract(s: &str) -> &str {
    let mut t = s.trim();
    if let Some(open) = t.rfind('<') {
        let inner = &t[open + 1..];
        t = inner.split('>').next().unwrap_or(inner).trim();
    }
    if t.len() >= 7 && t.is_char_boundary(7) && t[..7].eq_ignore_ascii_case("mailto:") {
        t = t[7..].trim_start();
        if let Some(q) = t.find('?') {
            t = &t[..q];
        }
    }
    if t.contains([',', ';', ' ', '\t', '\n', '\r']) {
        t = t
            .split([',', ';', ' ', '\t', '\n', '\r'])
            .find(|w| w.contains('@'))
            .unwrap_or(t);
    }
    t.trim_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | '(' | ')' | '[' | ']' | '<' | '>' | '{' | '}' | '`'
        ) || c.is_whitespace()
    })
    .trim_end_matches('.')
}

/// Normalizes and classifies one email field. Never panics.
pub fn normalize_email(s: &str) -> Email {
    let addr = extract(s);
    if addr.is_empty() {
        return invalid(s, "empty");
    }
    let Some((raw_local, raw_domain)) = addr.rsplit_once('@') else {
        return invalid(s, "no_at");
    };
    if raw_local.is_empty()
        || raw_local.starts_with('"')
        || !EmailAddress::is_valid_local_part(raw_local)
    {
        return invalid(s, "bad_local");
    }
    if raw_domain.starts_with('[') {
        return invalid(s, "bad_domain");
    }
    let Some(mut domain) = ascii_domain(raw_domain) else {
        return invalid(s, "bad_domain");
    };
    if !EmailAddress::is_valid_domain(&domain) {
        return invalid(s, "bad_domain");
    }
    let Some(registrable) = registrable_domain(&domain).map(str::to_string) else {
        return invalid(s, "no_public_suffix");
    };

    let mut local = raw_local.to_lowercase();
    if let Some(plus) = local.find('+')
        && plus > 0
    {
        local.truncate(plus);
    }
    if domain == "gmail.com" || domain == "googlemail.com" {
        local.retain(|c| c != '.');
        domain = "gmail.com".to_string();
    }
    // Tag or dot removal can leave an invalid local part ("a.+x" → "a.").
    if local.is_empty() || !EmailAddress::is_valid_local_part(&local) {
        return invalid(s, "bad_local");
    }
    let registrable = if domain == "gmail.com" {
        domain.clone()
    } else {
        registrable
    };

    let class = if in_set(&DISPOSABLE, &domain) {
        EmailClass::Disposable
    } else if in_set(&FREE_MAIL, &domain) {
        EmailClass::FreeMail
    } else if is_role_local_part(&local) {
        EmailClass::Role
    } else {
        EmailClass::Corporate
    };
    Email {
        original: s.to_string(),
        normalized: Some(format!("{local}@{domain}")),
        local: Some(local),
        domain: Some(domain),
        registrable_domain: Some(registrable),
        class,
        problem: None,
    }
}
