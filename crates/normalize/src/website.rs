//! Websites: host, registrable domain (Public Suffix List) and subdomain.
//!
//! ```
//! use firmlink_normalize::website::normalize_website;
//!
//! let w = normalize_website("HTTPS://WWW.Emea.Acme.co.uk:8443/contact?x=1");
//! assert_eq!(w.host.as_deref(), Some("www.emea.acme.co.uk"));
//! assert_eq!(w.registrable_domain.as_deref(), Some("acme.co.uk"));
//! assert_eq!(w.subdomain.as_deref(), Some("emea"));
//! assert_eq!(w.canonical.as_deref(), Some("acme.co.uk"));
//! ```
//!
//! # Rules
//!
//! * Scheme, user info, port, path, query and fragment are dropped; case
//!   and trailing dots too. An email address given as a website
//!   ("info@acme.com", "mailto:…") gives its domain.
//! * Internationalised names are written in their ASCII (punycode) form
//!   everywhere ("münchen.de" → "xn--mnchen-3ya.de"), as `url` and browsers
//!   do, so Unicode and punycode input give the same keys.
//! * The registrable domain uses the whole Public Suffix List, ICANN *and*
//!   PRIVATE sections: "acme.github.io" and "shop.myshopify.com" are their
//!   own registrable domains, since on shared hosting the label before the
//!   private suffix is the customer's. An unknown suffix ("acme.local") is
//!   a problem, not a guess.
//! * `subdomain` is what stands before the registrable domain, without a
//!   leading `www`, `www2`, `ww3`… label ("www.emea.acme.com" → "emea").
//! * `canonical` is the registrable domain: the key for "same company
//!   website". It is `None` when there is none (IP address, bare public
//!   suffix, unknown suffix).

use crate::email::{ascii_domain, registrable_domain};

/// A normalized website field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Website {
    /// The input, unchanged.
    pub original: String,
    /// Lowercase ASCII host, with any `www.` label ("www.acme.com"), or the
    /// IP address.
    pub host: Option<String>,
    pub registrable_domain: Option<String>,
    /// Labels before the registrable domain, without a leading `www*.`.
    pub subdomain: Option<String>,
    /// The matching key: the registrable domain.
    pub canonical: Option<String>,
    /// Why there is no canonical value: "empty", "bad_host", "ip_address",
    /// "no_public_suffix" (unknown suffix, or the host is itself a public
    /// suffix such as "co.uk").
    pub problem: Option<&'static str>,
}

fn result(original: &str, host: Option<String>, problem: &'static str) -> Website {
    Website {
        original: original.to_string(),
        host,
        registrable_domain: None,
        subdomain: None,
        canonical: None,
        problem: Some(problem),
    }
}

/// The host part of a URL-ish string: without scheme, user info, port,
/// path, query or fragment.
fn host_part(s: &str) -> &str {
    let mut t = s.trim();
    if t.len() >= 7 && t.is_char_boundary(7) && t[..7].eq_ignore_ascii_case("mailto:") {
        t = &t[7..];
    }
    if let Some(i) = t.find("://") {
        // Only a scheme made of letters, digits, '+', '-', '.'.
        if t[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            t = &t[i + 3..];
        }
    } else if let Some(rest) = t.strip_prefix("//") {
        t = rest;
    }
    let end = t.find(['/', '?', '#', '\\']).unwrap_or(t.len());
    t = &t[..end];
    if let Some(at) = t.rfind('@') {
        t = &t[at + 1..];
    }
    if t.starts_with('[') {
        // IPv6 literal, keep the brackets, drop a port.
        return t.split_inclusive(']').next().unwrap_or(t);
    }
    if let Some(colon) = t.rfind(':')
        && t[colon + 1..].bytes().all(|b| b.is_ascii_digit())
    {
        t = &t[..colon];
    }
    t.trim()
}

/// True for a `www`, `www2`, `ww3`… label.
fn is_www_label(label: &str) -> bool {
    let b = label.as_bytes();
    let w = b.iter().take_while(|&&c| c == b'w').count();
    (2..=3).contains(&w) && b[w..].iter().all(u8::is_ascii_digit) && (w == 3 || w < b.len())
}

/// The registrable domain of a company name typed as a website ("acme.com",
/// "www.Acme.co.uk"), as CRM users often do; `None` for any other name.
pub fn name_as_domain(name: &str) -> Option<String> {
    let n = name.trim();
    if !n.contains('.') || n.contains(char::is_whitespace) {
        return None;
    }
    normalize_website(n).registrable_domain
}

/// Normalizes one website field. Never panics.
pub fn normalize_website(s: &str) -> Website {
    let raw = host_part(s);
    if raw.is_empty() {
        return result(s, None, "empty");
    }
    if raw.starts_with('[') {
        return match url::Host::parse(raw) {
            Ok(h @ url::Host::Ipv6(_)) => result(s, Some(h.to_string()), "ip_address"),
            _ => result(s, None, "bad_host"),
        };
    }
    let raw = raw.trim_end_matches('.');
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return match url::Host::parse(raw) {
            Ok(h @ url::Host::Ipv4(_)) => result(s, Some(h.to_string()), "ip_address"),
            _ => result(s, None, "bad_host"),
        };
    }
    let Some(host) = ascii_domain(raw) else {
        return result(s, None, "bad_host");
    };
    let Some(reg) = registrable_domain(&host).map(str::to_string) else {
        return result(s, Some(host), "no_public_suffix");
    };
    let before = host.len() - reg.len();
    let subdomain = if before > 0 {
        let sub = &host[..before - 1];
        let sub = match sub.split_once('.') {
            Some((first, rest)) if is_www_label(first) => rest,
            None if is_www_label(sub) => "",
            _ => sub,
        };
        (!sub.is_empty()).then(|| sub.to_string())
    } else {
        None
    };
    Website {
        original: s.to_string(),
        host: Some(host),
        registrable_domain: Some(reg.clone()),
        subdomain,
        canonical: Some(reg),
        problem: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_typed_as_websites() {
        assert_eq!(
            name_as_domain("www.Acme.co.uk").as_deref(),
            Some("acme.co.uk")
        );
        assert_eq!(name_as_domain(" acme.com ").as_deref(), Some("acme.com"));
        assert_eq!(name_as_domain("Acme Inc."), None);
        assert_eq!(name_as_domain("St. Mary"), None);
        assert_eq!(name_as_domain("A.C.M.E."), None);
    }

    #[test]
    fn www_labels() {
        for (l, want) in [
            ("www", true),
            ("www2", true),
            ("ww3", true),
            ("ww", false),
            ("w", false),
            ("wwww", false),
            ("web", false),
        ] {
            assert_eq!(is_www_label(l), want, "{l}");
        }
    }
}
