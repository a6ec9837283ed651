//! Numbers as people type them: employee counts, money amounts and dates.
//!
//! ```
//! use chrono::NaiveDate;
//! use firmlink_normalize::number::{parse_date, parse_employees, parse_money};
//!
//! assert_eq!(parse_employees("51-200").unwrap().band, Some((51, Some(200))));
//! assert_eq!(parse_employees("1.200").unwrap().value, Some(1200));
//! let m = parse_money("3,5 Mio. €", None).unwrap();
//! assert_eq!((m.amount, m.currency.as_deref()), (3_500_000.0, Some("EUR")));
//! assert_eq!(parse_date("05.03.2024", false), NaiveDate::from_ymd_opt(2024, 3, 5));
//! ```
//!
//! # Digit grouping
//!
//! Numbers may use `,` `.` `'` `’`, spaces, no-break and thin spaces between
//! digit groups. How a separator is read:
//!
//! * spaces and apostrophes always group thousands (`1 200`, `1'200`);
//! * when both `.` and `,` occur, the last one is the decimal mark
//!   (`1.234,56`, `1,234.56`);
//! * a mark that occurs more than once groups thousands (`1.200.000`);
//! * a single mark followed by exactly three digits groups thousands
//!   (`1,200` and `1.200` are both 1200; German writes `1.200`), unless a
//!   multiplier follows (`$1.250M` is 1.25 million) or the integer part is
//!   `0`; any other single mark is the decimal mark (`1.2k`, `3,5 Mio.`).
//! * groups after the first have three digits, or two with a final three
//!   (Indian `12,34,567`); anything else is not a number.
//!
//! # Employees
//!
//! [`parse_employees`] reads a count (`"1,200"`, `"1.2k"`, `"~500"`,
//! `"approx. 250"`, `"1 200 employees"`) into `value`, or a band
//! (`"51-200"`, `"51 to 200"`, `"10,001+"`, `"over 500"` → (501, open),
//! `"<10"` → (0, 9)) into `band`. Counts must be whole numbers (`"1.5"` is
//! not a head count) and at most 10,000,000 — no employer is that big, and
//! larger numbers in this field are usually ids or dates.
//!
//! # Money
//!
//! [`parse_money`] reads one amount with an optional currency and multiplier:
//! symbols (`$ € £ ¥ ₹ …`, `US$`, `CA$`, `R$`), ISO 4217 codes (`USD`,
//! `CHF`; lowercase only for the common ones, so `top` is not Tongan
//! pa'anga), currency words (`dollars`, `euros`); multipliers `k`,
//! `thousand`, `Tsd.`, `m`, `mm`/`MM` (US finance: million), `mn`, `mio`,
//! `million`, `b`, `bn`, `mrd`/`Md` (milliard), `billion`, `t`/`tn`
//! (trillion), `lakh`, `crore`. A bare `$` (and `dollars`) is the default
//! currency when that is a dollar currency, else USD; `¥` is JPY (`CN¥`,
//! `RMB`, `元` are CNY); `kr` is the default currency when that is a krona,
//! else unknown. Negative amounts are `-1.2M` or `(1.2M)`. Ranges and bounds
//! (`$1M-$10M`, `$10M+`) are not single amounts and give `None`.
//!
//! # Dates
//!
//! [`parse_date`] reads, ignoring a trailing time of day (not converted
//! between time zones — the calendar date as written):
//!
//! * ISO `2024-03-05`, `2024/03/05`, `2024-03-05T10:00:00Z`, compact
//!   `20240305` (years 1800–2200);
//! * numeric day/month `05/03/2024`, `3/5/24`, `05-03-2024`: when both
//!   numbers are ≤ 12 `day_first` decides, otherwise the one above 12 is the
//!   day (`13/05/2024` is 13 May either way); dotted dates (`05.03.2024`)
//!   are always day first, the only way they are written;
//! * month names in English, German, French, Spanish, Italian, Dutch and
//!   Portuguese, full or abbreviated, in any of the orders `March 5, 2024`,
//!   `5 March 2024`, `5. März 2024`, `5 de marzo de 2024`, `2024 Mar 5`,
//!   `05-MAR-24`, with weekdays and ordinals (`Tuesday, March 5th`) ignored;
//! * two-digit years by the POSIX pivot: 69–99 → 1969–1999, 00–68 →
//!   2000–2068;
//! * Excel serial day numbers (1900 date system) as a bare 5-digit number
//!   from 20000 to 73050 (1954-10-03 to 2099-12-31), optionally with a time
//!   fraction (`45356.5`). Other bare numbers are not dates.
//!
//! Impossible dates (`2024-02-30`) and partial ones (`2024-03`, `March 2024`)
//! give `None`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt, HashSet};
use regex::Regex;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::text::fold;

// ---------------------------------------------------------------------------
// Lexing
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// Digits with the separators found between them.
    Num(String),
    /// A run of letters (lowercased), possibly with `$` or `¥` glued on.
    Word(String),
    /// Any other non-space character.
    Sym(char),
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Splits NFKC-normalised text into numbers, words and symbols.
fn lex(s: &str) -> Vec<Tok> {
    let chars: Vec<char> = s.nfkc().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let mut num = String::new();
            num.push(c);
            i += 1;
            while i < chars.len() {
                let c = chars[i];
                if c.is_ascii_digit() {
                    num.push(c);
                    i += 1;
                } else if matches!(c, ',' | '.') || is_apostrophe(c) {
                    if chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                        num.push(if is_apostrophe(c) { '\'' } else { c });
                        i += 1;
                    } else {
                        break;
                    }
                } else if is_group_space(c) {
                    // A space groups only when exactly three digits follow.
                    let digits = chars[i + 1..]
                        .iter()
                        .take_while(|d| d.is_ascii_digit())
                        .count();
                    let group_len = num
                        .rsplit(|c: char| !c.is_ascii_digit())
                        .next()
                        .map_or(0, str::len);
                    if digits == 3 && group_len <= 3 {
                        num.push(' ');
                        i += 1;
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            toks.push(Tok::Num(num));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while i < chars.len() && chars[i].is_alphabetic() {
                w.extend(chars[i].to_lowercase());
                i += 1;
            }
            toks.push(Tok::Word(w));
        } else if c.is_whitespace() {
            i += 1;
        } else {
            toks.push(Tok::Sym(c));
            i += 1;
        }
    }
    toks
}

/// A decimal number: integer digits and fraction digits, no separators.
#[derive(Debug, Clone, PartialEq)]
struct Decimal {
    int: String,
    frac: String,
}

/// Reads a lexed number with the grouping rules of the module docs.
fn read_number(raw: &str, multiplier_follows: bool) -> Option<Decimal> {
    let seps: Vec<(usize, char)> = raw
        .char_indices()
        .filter(|(_, c)| !c.is_ascii_digit())
        .collect();
    if seps.is_empty() {
        return Some(Decimal {
            int: raw.to_owned(),
            frac: String::new(),
        });
    }
    let marks: Vec<char> = seps
        .iter()
        .map(|&(_, c)| c)
        .filter(|c| matches!(c, ',' | '.'))
        .collect();
    let last = seps.last().copied()?;
    let count = |m: char| marks.iter().filter(|&&c| c == m).count();
    let decimal_at: Option<usize> = if count(',') > 0 && count('.') > 0 {
        // Both marks: the last separator must be the only one of its kind.
        if !matches!(last.1, ',' | '.') || count(last.1) != 1 {
            return None;
        }
        Some(last.0)
    } else if marks.len() == 1 && matches!(last.1, ',' | '.') {
        let after = raw.len() - last.0 - 1;
        let before_group = raw[..last.0]
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or("");
        let only_mark_sep = seps.len() == 1;
        if only_mark_sep && after == 3 && before_group != "0" && !multiplier_follows {
            None
        } else {
            Some(last.0)
        }
    } else if marks.len() == 1 {
        // The single mark is not the last separator: "1.234 567"? Not a number.
        return None;
    } else {
        None
    };
    let (int_raw, frac) = match decimal_at {
        Some(p) => (&raw[..p], &raw[p + 1..]),
        None => (raw, ""),
    };
    let groups: Vec<&str> = int_raw.split(|c: char| !c.is_ascii_digit()).collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let n = groups.len();
        let western = groups[1..].iter().all(|g| g.len() == 3);
        let indian = n >= 3
            && groups[n - 1].len() == 3
            && groups[1..n - 1].iter().all(|g| g.len() == 2)
            && groups[0].len() <= 2;
        if !first_ok || !(western || indian) {
            return None;
        }
        // One kind of grouping separator only.
        let kinds: HashSet<char> = int_raw
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<HashSet<_>>();
        if kinds.len() > 1 {
            return None;
        }
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Decimal {
        int: groups.concat(),
        frac: frac.to_owned(),
    })
}

/// Multiplier words → power of ten.
fn multiplier(w: &str) -> Option<i32> {
    Some(match w {
        "k" | "thousand" | "thousands" | "tsd" | "tausend" | "mille" => 3,
        "m" | "mm" | "mn" | "mio" | "mios" | "mln" | "million" | "millions" | "millionen"
        | "millones" | "milioni" | "miljoen" | "miljon" | "miljoner" | "milhoes" => 6,
        "b" | "bn" | "bln" | "billion" | "billions" | "mrd" | "mrds" | "md" | "milliard"
        | "milliards" | "milliarde" | "milliarden" | "miljard" | "miljarder" => 9,
        "t" | "tn" | "trillion" | "trillions" | "bio" | "billionen" => 12,
        "lakh" | "lakhs" | "lac" | "lacs" => 5,
        "crore" | "crores" | "cr" => 7,
        _ => return None,
    })
}

/// A plain number, read with the digit-grouping rules above (`1.234,50`
/// and `1,234.50` are both 1234.5, `3,5` is 3.5, `1 200` is 1200), with an
/// optional sign. Anything else (units, words, several numbers) is `None`.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    // Scientific notation, as databases and spreadsheets print large or
    // small floats ("1.5e+16", "1E-7"): no digit grouping can be in it.
    if t.contains(['e', 'E'])
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
    {
        return t.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t).trim_start()),
    };
    let allowed = |c: char| {
        c.is_ascii_digit() || matches!(c, ',' | '.') || is_group_space(c) || is_apostrophe(c)
    };
    if !body.starts_with(|c: char| c.is_ascii_digit())
        || !body.ends_with(|c: char| c.is_ascii_digit())
        || !body.chars().all(allowed)
    {
        return None;
    }
    let v = decimal_to_f64(&read_number(body, false)?, 0)?;
    Some(if negative { -v } else { v })
}

/// `int.frac × 10^exp` as f64, correctly rounded.
fn decimal_to_f64(d: &Decimal, exp: i32) -> Option<f64> {
    let frac = if d.frac.is_empty() { "0" } else { &d.frac };
    format!("{}.{}e{}", d.int, frac, exp).parse().ok()
}

/// `int.frac × 10^exp` as an exact integer, if it is one.
fn decimal_to_u64(d: &Decimal, exp: i32) -> Option<u64> {
    let digits = format!("{}{}", d.int, d.frac);
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return None;
    }
    let mantissa: u128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let shift = exp - d.frac.len() as i32;
    let v = if shift >= 0 {
        mantissa.checked_mul(10u128.checked_pow(shift as u32)?)?
    } else {
        let div = 10u128.checked_pow((-shift) as u32)?;
        if !mantissa.is_multiple_of(div) {
            return None;
        }
        mantissa / div
    };
    u64::try_from(v).ok()
}

// ---------------------------------------------------------------------------
// Employees
// ---------------------------------------------------------------------------

/// An employee count or band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Employees {
    /// The input, unchanged.
    pub original: String,
    /// A single count (`"1,200"`, `"~500"`).
    pub value: Option<u64>,
    /// A band: `"51-200"` → `(51, Some(200))`, `"10,001+"` → `(10001, None)`.
    pub band: Option<(u64, Option<u64>)>,
}

/// Largest believable head count.
const MAX_EMPLOYEES: u64 = 10_000_000;

const EMPLOYEE_NOISE: &[&str] = &[
    "employees",
    "employee",
    "staff",
    "people",
    "persons",
    "person",
    "fte",
    "ftes",
    "headcount",
    "approx",
    "approximately",
    "about",
    "around",
    "circa",
    "ca",
    "c",
    "est",
    "estimated",
    "roughly",
    "some",
    "mitarbeiter",
    "mitarbeitende",
    "beschaftigte",
    "employes",
    "salaries",
    "empleados",
    "trabajadores",
    "dipendenti",
    "medewerkers",
    "anstallda",
    "etwa",
    "environ",
    "unos",
    "aprox",
    "total",
];

/// Parses an employee count or band (see the module docs).
pub fn parse_employees(s: &str) -> Option<Employees> {
    let toks = lex(s);
    // Words: noise is dropped; bound and range words are kept as markers.
    #[derive(Debug, PartialEq)]
    enum E {
        N(u64),
        Range,
        Plus,
        Over,
        Under,
        UpTo,
    }
    let mut items: Vec<E> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Num(raw) => {
                let exp = match toks.get(i + 1) {
                    Some(Tok::Word(w)) => multiplier(w),
                    _ => None,
                };
                let d = read_number(raw, exp.is_some())?;
                let v = decimal_to_u64(&d, exp.unwrap_or(0))?;
                if v > MAX_EMPLOYEES {
                    return None;
                }
                items.push(E::N(v));
                i += if exp.is_some() { 2 } else { 1 };
                continue;
            }
            Tok::Word(w) => {
                let w = fold(w);
                match w.as_str() {
                    "to" | "bis" | "a" | "au" | "hasta" | "tot" | "till" => items.push(E::Range),
                    "over" | "more" | "mehr" | "plus" | "mas" | "oltre" | "meer" | "above" => {
                        items.push(E::Over)
                    }
                    "under" | "less" | "fewer" | "below" | "weniger" | "moins" | "menos" => {
                        items.push(E::Under)
                    }
                    "than" | "als" | "de" | "que" | "di" | "dan" => {}
                    "up" if matches!(toks.get(i + 1), Some(Tok::Word(t)) if t == "to") => {
                        items.push(E::UpTo);
                        i += 1;
                    }
                    w if EMPLOYEE_NOISE.contains(&w) => {}
                    _ => return None,
                }
            }
            Tok::Sym(c) => match c {
                '-' | '\u{2013}' | '\u{2014}' | '\u{2212}' => items.push(E::Range),
                '+' => items.push(E::Plus),
                '>' => items.push(E::Over),
                '<' => items.push(E::Under),
                '\u{2265}' => items.push(E::Plus),
                '\u{2264}' => items.push(E::UpTo),
                '=' => match items.last_mut() {
                    Some(last @ E::Over) => *last = E::Plus,
                    Some(last @ E::Under) => *last = E::UpTo,
                    _ => return None,
                },
                '~' | '\u{2248}' | '.' | ',' | '(' | ')' | ':' => {}
                _ => return None,
            },
        }
        i += 1;
    }
    let emp = |value, band| {
        Some(Employees {
            original: s.to_owned(),
            value,
            band,
        })
    };
    match items.as_slice() {
        [E::N(v)] => emp(Some(*v), None),
        [E::N(lo), E::Range, E::N(hi)] if lo <= hi => emp(None, Some((*lo, Some(*hi)))),
        [E::N(lo), E::Plus] | [E::Plus, E::N(lo)] => emp(None, Some((*lo, None))),
        [E::Over, E::N(n)] => emp(None, Some((n + 1, None))),
        [E::Under, E::N(n)] if *n > 0 => emp(None, Some((0, Some(n - 1)))),
        [E::UpTo, E::N(n)] => emp(None, Some((0, Some(*n)))),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------

/// A money amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    /// The input, unchanged.
    pub original: String,
    /// The amount in units of the currency (`"$1.2M"` → 1 200 000).
    pub amount: f64,
    /// ISO 4217 code, when the input or the default names one.
    pub currency: Option<String>,
}

const ISO4217_TXT: &str = include_str!("../data/iso4217_codes.txt");
const CURRENCY_WORDS_CSV: &str = include_str!("../data/currency_words.csv");

/// Codes accepted in lowercase; other codes must be written in capitals.
const COMMON_CODES: &[&str] = &[
    "aud", "brl", "cad", "chf", "cny", "czk", "dkk", "eur", "gbp", "hkd", "huf", "inr", "jpy",
    "krw", "mxn", "nok", "nzd", "pln", "rub", "sek", "sgd", "usd", "zar",
];

const DOLLAR_CODES: &[&str] = &[
    "USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN", "ARS", "CLP", "COP", "BSD", "BBD",
    "BZD", "BMD", "KYD", "FJD", "JMD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "GYD", "BND",
];

const KRONA_CODES: &[&str] = &["SEK", "NOK", "DKK", "ISK"];

const MONEY_NOISE: &[&str] = &[
    "approx",
    "approximately",
    "about",
    "around",
    "ca",
    "circa",
    "est",
    "estimated",
    "revenue",
    "revenues",
    "annual",
    "turnover",
    "umsatz",
    "jahresumsatz",
    "chiffre",
    "affaires",
    "per",
    "year",
    "annum",
    "pa",
    "p",
    "a",
    "yr",
    "in",
    "of",
    "total",
    "arr",
    "roughly",
    "only",
];

struct Currencies {
    iso: HashSet<&'static str>,
    words: HashMap<&'static str, &'static str>,
}

static CURRENCIES: LazyLock<Currencies> = LazyLock::new(|| {
    let iso = ISO4217_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let words = CURRENCY_WORDS_CSV
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .collect();
    Currencies { iso, words }
});

fn valid_code(code: &str) -> Option<String> {
    let up = code.to_ascii_uppercase();
    CURRENCIES.iso.contains(up.as_str()).then_some(up)
}

/// Parses a money amount (see the module docs). `default_currency` (an ISO
/// 4217 code) is used when the input names none, and to read `$` and `kr`.
pub fn parse_money(s: &str, default_currency: Option<&str>) -> Option<Money> {
    let cur = &*CURRENCIES;
    let default = default_currency.and_then(valid_code);
    let toks = lex(s);
    let mut currency: Option<String> = None;
    let mut set_currency = |c: String| -> bool {
        match &currency {
            Some(old) if *old != c => false,
            _ => {
                currency = Some(c);
                true
            }
        }
    };
    let dollar = || match &default {
        Some(d) if DOLLAR_CODES.contains(&d.as_str()) => d.clone(),
        _ => "USD".to_owned(),
    };
    let mut number: Option<(Decimal, i32)> = None;
    let mut negative = false;
    let mut open_paren = false;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Num(raw) => {
                if number.is_some() {
                    return None; // two numbers: a range or junk
                }
                let (exp, used) = match toks.get(i + 1) {
                    Some(Tok::Word(w)) => match multiplier(w) {
                        Some(e) => (e, true),
                        None => (0, false),
                    },
                    _ => (0, false),
                };
                number = Some((read_number(raw, used)?, exp));
                i += if used { 2 } else { 1 };
                continue;
            }
            Tok::Word(w) => {
                // "US$", "CA$", "R$", "CN¥": letters glued to a symbol.
                if let Some(Tok::Sym(c @ ('$' | '¥'))) = toks.get(i + 1) {
                    let key = format!("{w}{c}");
                    if let Some(code) = cur.words.get(key.as_str()) {
                        if !set_currency((*code).to_owned()) {
                            return None;
                        }
                        i += 2;
                        continue;
                    }
                }
                let code = if w == "kr" {
                    default
                        .clone()
                        .filter(|d| KRONA_CODES.contains(&d.as_str()))
                } else if w == "dollar" || w == "dollars" {
                    Some(dollar())
                } else if let Some(code) = cur.words.get(w.as_str()) {
                    Some((*code).to_owned())
                } else if w.len() == 3
                    && (original_word_is_upper(s, w) || COMMON_CODES.contains(&w.as_str()))
                    && let Some(code) = valid_code(w)
                {
                    Some(code)
                } else if MONEY_NOISE.contains(&fold(w).as_str()) {
                    None
                } else {
                    return None;
                };
                if let Some(code) = code
                    && !set_currency(code)
                {
                    return None;
                }
            }
            Tok::Sym(c) => match c {
                '$' => {
                    if !set_currency(dollar()) {
                        return None;
                    }
                }
                '-' | '\u{2212}' if number.is_none() => negative = true,
                '(' if number.is_none() => open_paren = true,
                ')' if open_paren => negative = true,
                '~' | '\u{2248}' | '.' | ':' | '/' | '*' => {}
                c => match cur.words.get(c.encode_utf8(&mut [0; 4]) as &str) {
                    Some(code) => {
                        if !set_currency((*code).to_owned()) {
                            return None;
                        }
                    }
                    None => return None,
                },
            },
        }
        i += 1;
    }
    let (d, exp) = number?;
    let amount = decimal_to_f64(&d, exp)?;
    if !amount.is_finite() {
        return None;
    }
    Some(Money {
        original: s.to_owned(),
        amount: if negative { -amount } else { amount },
        currency: currency.or(default),
    })
}

/// True when the first occurrence of the (lowercased) word `w` in `s` is
/// written in capitals.
fn original_word_is_upper(s: &str, w: &str) -> bool {
    let lower = s.to_lowercase();
    match lower.find(w) {
        Some(p) if lower.len() == s.len() => s
            .get(p..p + w.len())
            .is_some_and(|o| o.chars().all(|c| c.is_uppercase())),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

struct DateRes {
    iso: Regex,
    compact: Regex,
    numeric: Regex,
    excel: Regex,
    time: Regex,
    months: HashMap<&'static str, u32>,
    ignore: HashSet<&'static str>,
}

/// Month names (folded) in English, German, French, Spanish, Italian, Dutch
/// and Portuguese, with their abbreviations.
const MONTHS: [&[&str]; 12] = [
    &[
        "january", "jan", "januar", "janner", "janvier", "janv", "enero", "ene", "gennaio", "gen",
        "januari", "janeiro",
    ],
    &[
        "february",
        "feb",
        "febr",
        "februar",
        "fevrier",
        "fevr",
        "fev",
        "febrero",
        "febbraio",
        "februari",
        "fevereiro",
    ],
    &[
        "march", "mar", "marz", "maerz", "mrz", "mars", "marzo", "maart", "mrt", "marco",
    ],
    &["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
    &["may", "mai", "mayo", "maggio", "mag", "mei", "maio"],
    &[
        "june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho",
    ],
    &[
        "july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho",
    ],
    &["august", "aug", "aout", "agosto", "ago", "augustus"],
    &[
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
    ],
    &[
        "october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro",
        "out",
    ],
    &["november", "nov", "novembre", "noviembre", "novembro"],
    &[
        "december",
        "dec",
        "dezember",
        "dez",
        "decembre",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
    ],
];

const DATE_IGNORE: &[&str] = &[
    "monday",
    "mon",
    "tuesday",
    "tue",
    "tues",
    "wednesday",
    "wed",
    "thursday",
    "thu",
    "thur",
    "thurs",
    "friday",
    "fri",
    "saturday",
    "sat",
    "sunday",
    "sun",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunes",
    "martes",
    "miercoles",
    "jueves",
    "viernes",
    "sabado",
    "domingo",
    "lunedi",
    "martedi",
    "mercoledi",
    "giovedi",
    "venerdi",
    "of",
    "the",
    "de",
    "del",
    "le",
    "el",
    "der",
    "den",
    "on",
    "st",
    "nd",
    "rd",
    "th",
    "er",
    "o",
];

static DATE_RES: LazyLock<DateRes> = LazyLock::new(|| {
    let re = |p: &str| Regex::new(p).expect("date regex compiles");
    let mut months = HashMap::new();
    for (i, names) in MONTHS.iter().enumerate() {
        for n in *names {
            months.insert(*n, i as u32 + 1);
        }
    }
    DateRes {
        iso: re(r"^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})(?:[T\s,]+(.*))?$"),
        compact: re(
            r"^(\d{4})(\d{2})(\d{2})(?:T\d{2}(?:\d{2}(?:\d{2})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$",
        ),
        numeric: re(r"^(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4}|\d{2})(?:[T\s,]+(.*))?$"),
        excel: re(r"^(\d{5})(?:\.\d+)?$"),
        time: re(
            r"(?i)^(?:at\s+|um\s+|a\s+las\s+|à\s+)?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\s*(?:[ap]\.?\s?m\.?)?\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?\s*(?:uhr|h)?$",
        ),
        months,
        ignore: DATE_IGNORE.iter().copied().collect(),
    }
});

/// Two-digit year by the POSIX pivot (69–99 → 19xx, 00–68 → 20xx).
fn full_year(y: &str) -> Option<i32> {
    let v: i32 = y.parse().ok()?;
    Some(match y.len() {
        2 if v >= 69 => 1900 + v,
        2 => 2000 + v,
        4 => v,
        _ => return None,
    })
}

fn time_ok(re: &DateRes, rest: Option<regex::Match<'_>>) -> bool {
    rest.is_none_or(|m| {
        let t = m.as_str().trim();
        t.is_empty() || plain_time(t) || re.time.is_match(t)
    })
}

/// `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`, each optionally followed by `Z`: the
/// times most exports write, checked without the regex (a subset of what
/// `DateRes::time` accepts).
fn plain_time(t: &str) -> bool {
    let b = t.strip_suffix('Z').unwrap_or(t).as_bytes();
    let two_digits =
        |i: usize| b.len() >= i + 2 && b[i].is_ascii_digit() && b[i + 1].is_ascii_digit();
    if !(two_digits(0) && b.get(2) == Some(&b':') && two_digits(3)) {
        return false;
    }
    match b.len() {
        5 => true,
        8 => b[5] == b':' && two_digits(6),
        n if n > 9 => {
            b[5] == b':' && two_digits(6) && b[8] == b'.' && b[9..].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Parses a date (see the module docs); `day_first` decides `03/05/2024`.
pub fn parse_date(s: &str, day_first: bool) -> Option<NaiveDate> {
    let re = &*DATE_RES;
    // NFKC leaves ASCII unchanged: skip it for the common case.
    let folded: std::borrow::Cow<'_, str> = if s.is_ascii() {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkc().collect())
    };
    let t = folded.trim();
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    if let Some(d) = plain_date(t, day_first) {
        return d;
    }
    if let Some(c) = re.iso.captures(t) {
        if c[2] != c[4] || !time_ok(re, c.get(6)) {
            return None;
        }
        return ymd(c[1].parse().ok()?, c[3].parse().ok()?, c[5].parse().ok()?);
    }
    if let Some(c) = re.compact.captures(t) {
        let y: i32 = c[1].parse().ok()?;
        if !(1800..=2200).contains(&y) {
            return None;
        }
        return ymd(y, c[2].parse().ok()?, c[3].parse().ok()?);
    }
    if let Some(c) = re.numeric.captures(t) {
        if c[2] != c[4] || !time_ok(re, c.get(6)) {
            return None;
        }
        let (a, b): (u32, u32) = (c[1].parse().ok()?, c[3].parse().ok()?);
        let year = full_year(&c[5])?;
        return day_month_year(a, b, year, day_first || &c[2] == ".");
    }
    if let Some(c) = re.excel.captures(t) {
        let serial: i64 = c[1].parse().ok()?;
        if !(20_000..=73_050).contains(&serial) {
            return None;
        }
        return NaiveDate::from_ymd_opt(1899, 12, 30)?
            .checked_add_days(chrono::Days::new(serial as u64));
    }
    named_month_date(re, t)
}

/// `a/b/year`: whichever of a and b cannot be a month is the day; when
/// both can, `day_first` decides.
fn day_month_year(a: u32, b: u32, year: i32, day_first: bool) -> Option<NaiveDate> {
    let (day, month) = if a > 12 && b <= 12 {
        (a, b)
    } else if b > 12 && a <= 12 {
        (b, a)
    } else if a > 12 {
        return None;
    } else if day_first {
        (a, b)
    } else {
        (b, a)
    };
    ymd(year, month, day)
}

/// The forms most exports write, parsed without regexes: `YYYY-MM-DD` and
/// `D/M/YYYY` (separators `-`, `/`, `.`, the same twice), optionally
/// followed by `T` or a space and a [`plain_time`]. `Some(result)` when `t`
/// has one of these shapes (the result is what the general patterns give),
/// `None` to fall back to them.
fn plain_date(t: &str, day_first: bool) -> Option<Option<NaiveDate>> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let is_sep = |c: u8| matches!(c, b'-' | b'/' | b'.');
    // Date part: up to the first 'T' or space.
    let end = b
        .iter()
        .position(|&c| c == b'T' || c == b' ')
        .unwrap_or(b.len());
    if end < b.len() && !plain_time(&t[end + 1..]) {
        return None;
    }
    let date = &b[..end];
    // Exactly two non-digits, found without allocating (this runs per value).
    let mut seps = (0..date.len()).filter(|&i| !date[i].is_ascii_digit());
    let (Some(s1), Some(s2), None) = (seps.next(), seps.next(), seps.next()) else {
        return None;
    };
    if !is_sep(date[s1]) || date[s1] != date[s2] {
        return None;
    }
    if s1 == 4 {
        let (y, m, d) = (digits(0..4)?, digits(5..s2)?, digits(s2 + 1..end)?);
        if s2 - 5 > 2 || end - s2 - 1 > 2 {
            return None;
        }
        return Some(ymd(y as i32, m, d));
    }
    if (1..=2).contains(&s1) && (1..=2).contains(&(s2 - s1 - 1)) && end - s2 - 1 == 4 {
        let (a, m, y) = (digits(0..s1)?, digits(s1 + 1..s2)?, digits(s2 + 1..end)?);
        return Some(day_month_year(
            a,
            m,
            y as i32,
            day_first || date[s1] == b'.',
        ));
    }
    None
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Dates with a month name: any order of day, month and year.
fn named_month_date(re: &DateRes, t: &str) -> Option<NaiveDate> {
    // Cut a trailing time of day ("… 10:00 AM").
    let (date_part, time_part) = match t.find(':') {
        Some(colon) => {
            let start = t[..colon]
                .char_indices()
                .rev()
                .find(|(_, c)| !c.is_ascii_digit())
                .map_or(0, |(p, c)| p + c.len_utf8());
            (&t[..start], Some(&t[start..]))
        }
        None => (t, None),
    };
    if time_part.is_some_and(|tp| !re.time.is_match(tp.trim())) {
        return None;
    }
    let folded = fold(date_part);
    // (value, digit count, had an apostrophe before it)
    let mut nums: Vec<(u32, usize, bool)> = Vec::new();
    let mut month: Option<u32> = None;
    let mut order = Vec::new(); // 'n' number, 'm' month
    for w in folded.split(' ').filter(|w| !w.is_empty()) {
        let digits = w.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let suffix = &w[digits..];
            if !(suffix.is_empty()
                || matches!(suffix, "st" | "nd" | "rd" | "th" | "er" | "e" | "o"))
            {
                return None;
            }
            if digits > 4 {
                return None;
            }
            let v: u32 = w[..digits].parse().ok()?;
            let apostrophe = digits == 2 && date_part.contains(&format!("'{}", &w[..digits]));
            nums.push((v, digits, apostrophe));
            order.push('n');
        } else if let Some(&m) = re.months.get(w) {
            if month.replace(m).is_some() {
                return None;
            }
            order.push('m');
        } else if !re.ignore.contains(w) {
            return None;
        }
    }
    let month = month?;
    if nums.len() != 2 {
        return None;
    }
    let is_year = |n: &(u32, usize, bool)| n.1 == 4 || n.2;
    let (day, year) = match (is_year(&nums[0]), is_year(&nums[1])) {
        (true, false) => (nums[1], nums[0]),
        (false, true) => (nums[0], nums[1]),
        (false, false) => (nums[0], nums[1]), // "5 Mar 24", "Mar 5 24": the year comes last
        (true, true) => return None,
    };
    if day.1 > 2 || order.first() == Some(&'n') && order.get(1) == Some(&'n') && !is_year(&nums[0])
    {
        return None;
    }
    let year = if year.1 == 4 {
        year.0 as i32
    } else {
        full_year(&format!("{:02}", year.0))?
    };
    ymd(year, month, day.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_times() {
        for t in [
            "10:30",
            "10:30:05",
            "10:30:05.000",
            "10:30:05.123456Z",
            "23:59Z",
        ] {
            assert!(plain_time(t), "{t}");
        }
        for t in [
            "",
            "10",
            "1:30",
            "10:3",
            "10:30:5",
            "10:30:05.",
            "10:30 AM",
            "10:30:05+02:00",
            "ab:cd",
        ] {
            assert!(!plain_time(t), "{t}");
        }
    }

    /// `parse_date` without the fast path, to check that it changes nothing.
    fn parse_date_slow(s: &str, day_first: bool) -> Option<NaiveDate> {
        let re = &*DATE_RES;
        let t = s.trim();
        if let Some(c) = re.iso.captures(t) {
            if c[2] != c[4] || !time_ok(re, c.get(6)) {
                return None;
            }
            return ymd(c[1].parse().ok()?, c[3].parse().ok()?, c[5].parse().ok()?);
        }
        if let Some(c) = re.numeric.captures(t) {
            if c[2] != c[4] || !time_ok(re, c.get(6)) {
                return None;
            }
            let (a, b): (u32, u32) = (c[1].parse().ok()?, c[3].parse().ok()?);
            return day_month_year(a, b, full_year(&c[5])?, day_first || &c[2] == ".");
        }
        None
    }

    #[test]
    fn plain_dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let cases = [
            ("2024-11-09", false, Some(d(2024, 11, 9))),
            ("2024-11-09T12:58:30.000Z", false, Some(d(2024, 11, 9))),
            ("2024/1/9 08:00", false, Some(d(2024, 1, 9))),
            ("12/18/2025 06:16", false, Some(d(2025, 12, 18))),
            ("03/05/2024", false, Some(d(2024, 3, 5))),
            ("03/05/2024", true, Some(d(2024, 5, 3))),
            ("03.05.2024", false, Some(d(2024, 5, 3))),
            ("2024-02-30", false, Some(None)),
            ("13/13/2024", false, Some(None)),
            ("2024-11/09", false, None),
            ("03/05/24", false, None),
            ("2024-11-09 10:30 AM", false, None),
            ("5 March 2024", false, None),
        ];
        for (input, day_first, want) in cases {
            assert_eq!(plain_date(input, day_first), want, "{input}");
        }
    }

    proptest! {
        /// Where the fast path answers, it answers like the patterns.
        #[test]
        fn plain_date_agrees_with_the_patterns(
            s in "[0-9]{1,4}[-/.][0-9]{1,3}[-/.][0-9]{1,4}([T ][0-9:.Z]{0,12})?",
            day_first in any::<bool>(),
        ) {
            if let Some(fast) = plain_date(&s, day_first) {
                prop_assert_eq!(fast, parse_date_slow(&s, day_first), "{:?}", s);
            }
        }

        /// The fast path never accepts a time the full pattern rejects.
        #[test]
        fn plain_time_is_a_subset_of_the_time_pattern(t in "[0-9:.Z]{0,14}") {
            if plain_time(&t) {
                prop_assert!(DATE_RES.time.is_match(&t), "{t:?}");
            }
        }
    }
}
