//! Phone numbers to E.164 with a default country, via rlibphonenumber
//! (a Rust port of Google's libphonenumber, metadata compiled in).
//!
//! ```
//! use firmlink_normalize::phone::normalize_phone;
//!
//! let p = normalize_phone("(089) 1234 5678 ext. 12", Some("DE"));
//! assert_eq!(p.e164.as_deref(), Some("+498912345678"));
//! assert_eq!(p.extension.as_deref(), Some("12"));
//! assert_eq!(p.country.as_deref(), Some("DE"));
//! assert!(p.valid);
//! ```
//!
//! # Rules
//!
//! * A number with an international prefix ("+44 …", "0044 …") ignores the
//!   default country; "00" is read as an international prefix when the
//!   default country's own reading gives no valid number (European data in
//!   a US-default pipeline).
//! * The default country is an ISO 3166 alpha-2 code in any case ("us",
//!   "DE"); "UK" is read as "GB". An unknown code counts as none.
//! * Extensions ("x123", "ext. 45", "#200", ";ext=7", "Durchwahl") are kept
//!   apart in `extension` and are not part of `e164`.
//! * Only numbers that libphonenumber calls valid for their region get an
//!   `e164`; others are flagged with `valid = false` and a `problem`.
//! * Idempotent: normalizing `e164` again gives the same `e164`.

use rlibphonenumber::{PHONE_NUMBER_UTIL, ParseError, PhoneNumber, PhoneNumberFormat, Region};

/// A normalized phone number.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Phone {
    /// The input, unchanged.
    pub original: String,
    /// "+<country code><national number>", only for valid numbers.
    pub e164: Option<String>,
    /// Extension digits, without the marker ("x", "ext.").
    pub extension: Option<String>,
    /// ISO 3166 alpha-2 region of the number ("US", "DE"); `None` for
    /// non-geographic numbers (+800, +882 …) and invalid numbers.
    pub country: Option<String>,
    pub valid: bool,
    /// Why the number is invalid: "empty", "not_a_number", "no_country"
    /// (no "+" and no usable default country), "invalid_country_code",
    /// "too_short", "too_long", "invalid_number" (right shape, but not a
    /// number in use in that region's numbering plan).
    pub problem: Option<&'static str>,
}

/// Parses an ISO alpha-2 default country ("us", "DE", "UK").
fn region_of(code: &str) -> Option<Region> {
    let code = code.trim();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let up = code.to_ascii_uppercase();
    let up = if up == "UK" { "GB".to_string() } else { up };
    let region = Region::from_code(&up).ok()?;
    // Any two letters make a `Region`; only regions with metadata count.
    PHONE_NUMBER_UTIL
        .get_country_code_for_region(region)
        .map(|_| region)
}

fn problem_of(e: &ParseError) -> &'static str {
    match e {
        ParseError::InvalidCountryCode => "invalid_country_code",
        ParseError::NotANumber(_) => "not_a_number",
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => "too_short",
        ParseError::TooLongNsn => "too_long",
    }
}

/// Extension written with a marker libphonenumber does not know ("#200",
/// "Durchwahl 12", "poste 12", "доб. 12"): splits it off. Returns the number
/// part and the extension digits.
fn split_extra_extension(s: &str) -> Option<(&str, &str)> {
    const MARKERS: &[&str] = &[
        "#",
        "durchwahl",
        "dw.",
        "dw",
        "poste",
        "доб.",
        "доб",
        "Доб.",
        "Доб",
        "ДОБ",
        "內線",
        "内線",
    ];
    // ASCII lowercasing keeps every byte position, so positions found in
    // `lower` are valid in `s`.
    let lower = s.to_ascii_lowercase();
    for m in MARKERS {
        let Some(pos) = lower.rfind(m) else {
            continue;
        };
        let (Some(before), Some(after)) = (s.get(..pos), s.get(pos + m.len()..)) else {
            continue;
        };
        let ext = after.trim().trim_start_matches([':', '.', ' ']);
        let num = before.trim_end().trim_end_matches([',', ';', '-', ' ']);
        if !ext.is_empty()
            && ext.len() <= 10
            && ext.bytes().all(|b| b.is_ascii_digit())
            && num.bytes().filter(u8::is_ascii_digit).count() >= 5
        {
            return Some((num, ext));
        }
    }
    None
}

fn invalid(original: &str, problem: &'static str, extension: Option<String>) -> Phone {
    Phone {
        original: original.to_string(),
        e164: None,
        extension,
        country: None,
        valid: false,
        problem: Some(problem),
    }
}

/// The region of a valid number. `PhoneNumber::is_valid` is exactly this
/// test, but finding the region (several regions share +1, +44, +7 …) is the
/// costly half and the caller needs the region too: done once, not twice.
fn valid_region(n: &PhoneNumber) -> Option<Region> {
    let region = n.get_region_code()?;
    n.is_valid_for_region(region).then_some(region)
}

/// Normalizes one phone field to E.164. `default_country` (ISO alpha-2) is
/// used for numbers written without an international prefix. Never panics.
pub fn normalize_phone(s: &str, default_country: Option<&str>) -> Phone {
    let t = s.trim();
    if t.is_empty() {
        return invalid(s, "empty", None);
    }
    if !t.chars().any(|c| c.is_numeric()) {
        return invalid(s, "not_a_number", None);
    }
    let (num, extra_ext) = match split_extra_extension(t) {
        Some((n, e)) => (n, Some(e)),
        None => (t, None),
    };
    let region = default_country.and_then(region_of);

    let first = PhoneNumber::parse(num, region);
    let parsed = match &first {
        Ok(n) => valid_region(n).map(|r| (n.clone(), r)),
        _ => None,
    };
    // "0049 89 …" in a non-European default: read "00" as "+".
    let parsed = parsed.or_else(|| {
        let digits_start = num.trim_start_matches(['(', ' ']);
        let rest = digits_start.strip_prefix("00")?;
        let n = PhoneNumber::parse(format!("+{rest}"), None).ok()?;
        valid_region(&n).map(|r| (n, r))
    });

    let Some((n, number_region)) = parsed else {
        let ext = extra_ext.map(str::to_string).or_else(|| {
            first
                .as_ref()
                .ok()
                .and_then(|n| n.extension.clone())
                .filter(|e| !e.is_empty())
        });
        let problem = match &first {
            Ok(_) => "invalid_number",
            Err(ParseError::InvalidCountryCode) if region.is_none() && !num.contains('+') => {
                "no_country"
            }
            Err(e) => problem_of(e),
        };
        return invalid(s, problem, ext);
    };
    let extension = extra_ext
        .map(str::to_string)
        .or_else(|| n.extension.clone().filter(|e| !e.is_empty()));
    let country = (number_region != Region::World)
        .then(|| number_region.as_region_str().as_str().to_string());
    Phone {
        original: s.to_string(),
        e164: Some(n.format_as(PhoneNumberFormat::E164).into_owned()),
        extension,
        country,
        valid: true,
        problem: None,
    }
}
