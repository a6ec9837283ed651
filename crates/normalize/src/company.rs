//! Company names: display name, legal form and matching keys.
//!
//! [`normalize_company`] splits a typed or registered company name into a
//! cleaned display name, its legal form ("Inc", "GmbH", "S.A.", "K.K.") and
//! the keys the matcher compares:
//!
//! * `key` — the name without legal form, leading "The", punctuation and
//!   accents; `&` becomes "and"; dotted initials are joined ("A.C.M.E." →
//!   "acme"); abbreviations are expanded ("Intl" → "international", see
//!   `data/company_abbreviations.tsv`); CJK runs are one token each.
//! * `tokens` — the key's words, sorted and deduplicated, for token-set
//!   comparisons.
//! * `acronym` — the first letters of the key's significant words, when it
//!   has at least two ("International Business Machines" → "ibm").
//!
//! Legal forms come from two embedded tables: `data/legal_forms.tsv`
//! (hand-written, common and informal spellings) and `data/legal_forms_elf.tsv`
//! (derived from GLEIF's ISO 20275 list). A form is stripped from the end of
//! the name, repeatedly ("Acme Holdings Co., Ltd.", "Foo GmbH & Co. KG",
//! "Ericsson AB (publ)"), and from the start where that is the custom
//! ("株式会社日立製作所", "PT Bank Mandiri", "OOO Romashka"); never when
//! nothing would be left ("Limited" stays "Limited"). Short forms that are
//! also words are stripped only for records of their country ("AO", "NL",
//! "PC") or of their country and records of unknown country ("SpA", "e.V."):
//! pass `country` (an ISO alpha-2 code, or anything [`normalize_country`]
//! understands) when you know it.
//!
//! Decisions worth knowing:
//! * "Company"/"Co" and "Corporation"/"Corp" at the end are legal forms
//!   (US usage): "The Coca-Cola Company" → key "coca cola", legal form "Co".
//!   Inside a name they are expanded instead ("Acme Co Holdings" → "acme
//!   company holdings").
//! * "&" between one- or two-letter parts written without spaces is dropped
//!   ("AT&T" → "att", "P&G" → "pg", which is also the acronym of "Procter &
//!   Gamble"); any other "&", and " + ", become "and".
//! * `key` is idempotent: `normalize_company(&c.key, country).key == c.key`.
//!
//! ```
//! use firmlink_normalize::company::normalize_company;
//!
//! let c = normalize_company("The Coca-Cola Company", None);
//! assert_eq!((c.name.as_str(), c.key.as_str()), ("Coca-Cola", "coca cola"));
//! assert_eq!(c.legal_form.as_deref(), Some("Co"));
//!
//! let c = normalize_company("Siemens Aktiengesellschaft", Some("DE"));
//! assert_eq!((c.key.as_str(), c.legal_form.as_deref()), ("siemens", Some("AG")));
//! assert_eq!(c.legal_form_country, Some("DE"));
//!
//! let c = normalize_company("International Business Machines Corp.", None);
//! assert_eq!(c.acronym.as_deref(), Some("ibm"));
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use foldhash::fast::FixedState;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::country::{by_alpha2, normalize_country};
use crate::text::{collapse_ws, fold};

/// A normalized company name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanyName {
    /// The input, unchanged.
    pub original: String,
    /// Display name without legal form and leading "The", whitespace
    /// collapsed: "Acme", "Coca-Cola", "日立製作所".
    pub name: String,
    /// Canonical abbreviation of the stripped legal form(s), in reading
    /// order: "Inc", "GmbH & Co. KG", "PT Tbk".
    pub legal_form: Option<String>,
    /// Jurisdiction of the legal form: the record's country when that
    /// country has the form, else the only country that has it ("K.K." →
    /// JP), else `None` ("Ltd", "S.A." are used in many countries).
    pub legal_form_country: Option<&'static str>,
    /// Folded matching key (see the module docs); empty when the name has no
    /// letters or digits.
    pub key: String,
    /// The key's words, sorted and deduplicated.
    pub tokens: Vec<String>,
    /// First letters of the key's significant words (initials and short
    /// capitalised words count whole: "J.P. Morgan Chase" → "jpmc"), when
    /// there are at least two.
    pub acronym: Option<String>,
}

/// Normalizes a company name. `country` is the record's country (ISO
/// alpha-2 preferred, anything [`normalize_country`] knows accepted); it
/// decides between countries' forms and enables their word-like forms.
pub fn normalize_company(s: &str, country: Option<&str>) -> CompanyName {
    let country = resolve_country(country);
    let a = analyze(s, country);
    let name = a.display_name();
    let legal_form = a.legal_form();
    let legal_form_country = a.legal_form_country();
    let (key_toks, has_cjk) = a.key_tokens();
    let mut key = join_key(&key_toks);
    let mut acronym = acronym(&key_toks);
    if has_cjk {
        // Joined CJK syllables can, very rarely, spell a connector or "the";
        // run the key through again until it is stable.
        for _ in 0..4 {
            let b = analyze(&key, country);
            let again = b.key_tokens().0;
            let k2 = join_key(&again);
            if k2 == key {
                break;
            }
            key = k2;
            acronym = self::acronym(&again);
        }
    }
    let mut tokens: Vec<String> = key
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    CompanyName {
        original: s.to_string(),
        name,
        legal_form,
        legal_form_country,
        key,
        tokens,
        acronym,
    }
}

/// The display name without its legal form (`normalize_company(s, country).name`).
pub fn strip_legal_form(s: &str, country: Option<&str>) -> String {
    analyze(s, resolve_country(country)).display_name()
}

/// The canonical legal form of a name, if it has one
/// (`normalize_company(s, country).legal_form`).
pub fn legal_form_of(s: &str, country: Option<&str>) -> Option<String> {
    analyze(s, resolve_country(country)).legal_form()
}

/// Whether a word of a matching key (folded, abbreviations expanded) is a
/// legal form written as one word ("spa", "ltd", "limited", "gmbh"), or a
/// word of four letters or more one typo away from a common one ("cprp",
/// "sral", "ptivate"): such a word in only one of two names says nothing
/// about the company. Words that only occur inside longer forms ("capital"
/// in "Sociedad de Capital Variable", "bank") are not legal-form words.
pub fn is_legal_form_word(w: &str) -> bool {
    let forms: &'static Forms = &FORMS;
    forms.words.binary_search_by(|x| x.as_str().cmp(w)).is_ok()
        || w.len() >= 4
            && w.is_ascii()
            && COMMON_FORM_WORDS
                .iter()
                .any(|k| one_edit_apart(k.as_bytes(), w.as_bytes()))
}

/// The legal-form words whose typos [`is_legal_form_word`] recognises.
const COMMON_FORM_WORDS: &[&str] = &[
    "ltd",
    "limited",
    "corporation",
    "corp",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "gmbh",
    "private",
    "pty",
    "plc",
    "srl",
    "sarl",
    "spa",
    "company",
    "pvt",
];

/// Levenshtein distance exactly 1 (one substitution, insertion or deletion).
fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        prefix < short.len() && short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

fn resolve_country(country: Option<&str>) -> Option<&'static str> {
    let c = country?.trim();
    if c.is_empty() {
        return None;
    }
    by_alpha2(c)
        .or_else(|| normalize_country(c))
        .map(|c| c.alpha2)
}

// ---------------------------------------------------------------------------
// Tables

const ANNOTATIONS_TSV: &str = include_str!("../data/crm_annotations.tsv");
const LEGAL_FORMS_TSV: &str = include_str!("../data/legal_forms.tsv");
const LEGAL_FORMS_ELF_TSV: &str = include_str!("../data/legal_forms_elf.tsv");
const ABBREVIATIONS_TSV: &str = include_str!("../data/company_abbreviations.tsv");

type Map<V> = HashMap<String, V, FixedState>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    End,
    Start,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Stripped whatever the record's country.
    Any,
    /// For records of the form's country or of unknown country.
    Local,
    /// Only for records of the form's country.
    Strict,
}

#[derive(Debug)]
struct FormRow {
    country: Option<&'static str>,
    canonical: &'static str,
    at: Where,
    scope: Scope,
}

impl FormRow {
    fn allowed(&self, country: Option<&str>, at_start: bool) -> bool {
        let place = match self.at {
            Where::Both => true,
            Where::End => !at_start,
            Where::Start => at_start,
        };
        place
            && match self.scope {
                Scope::Any => true,
                Scope::Local => country.is_none() || self.country == country,
                Scope::Strict => country.is_some() && self.country == country,
            }
    }
}

/// All rows whose variants fold to one compact key.
#[derive(Debug, Default)]
struct FormEntry {
    /// Indices into `Forms::rows`, hand-written rows first, in file order.
    rows: Vec<u32>,
    /// Countries having a form with this key, sorted.
    countries: Vec<&'static str>,
}

/// Starts the keys of forms written in CJK characters ("#zhushihuishe" for
/// 株式会社): they match CJK characters only, never Latin words that happen
/// to spell the same syllables.
const CJK_MARK: char = '#';

struct Forms {
    rows: Vec<FormRow>,
    /// Compact keys: the variant's matching words joined, connectors left out.
    by_key: Map<FormEntry>,
    /// Latin-script variants that are one word ("limited", "gmbh", "pty"),
    /// abbreviations expanded, sorted.
    words: Vec<String>,
    /// Longest compact key, in bytes: the matching window never grows past it.
    max_len: usize,
}

struct Abbrevs {
    one: Map<&'static str>,
    /// Two-word abbreviations by first word: ("co", [("op", "cooperative")]).
    two: Map<Vec<(String, &'static str)>>,
}

static ABBREVS: LazyLock<Abbrevs> = LazyLock::new(load_abbrevs);
static FORMS: LazyLock<Forms> = LazyLock::new(load_forms);
static NOTES: LazyLock<Vec<Vec<String>>> = LazyLock::new(load_notes);

/// CRM bookkeeping notes ("old", "do not use"), each as folded words.
fn load_notes() -> Vec<Vec<String>> {
    data_lines(ANNOTATIONS_TSV)
        .map(|line| {
            let words: Vec<String> = raw_tokens(line.trim())
                .into_iter()
                .map(|t| t.text)
                .collect();
            assert!(!words.is_empty(), "crm_annotations.tsv: empty phrase");
            words
        })
        .collect()
}

fn data_lines(tsv: &'static str) -> impl Iterator<Item = &'static str> {
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

fn load_abbrevs() -> Abbrevs {
    let mut one = Map::with_hasher(FixedState::default());
    let mut two: Map<Vec<(String, &'static str)>> = Map::with_hasher(FixedState::default());
    for line in data_lines(ABBREVIATIONS_TSV) {
        let (abbr, full) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("company_abbreviations.tsv: bad line {line:?}"));
        let full = full.trim();
        // the same segmentation as names: "nat'l" → "natl"
        let words: Vec<String> = raw_tokens(abbr).into_iter().map(|t| t.text).collect();
        match words.as_slice() {
            [w] => {
                one.insert(w.clone(), full);
            }
            [a, b] => two.entry(a.clone()).or_default().push((b.clone(), full)),
            _ => panic!("company_abbreviations.tsv: {abbr:?} must be one or two words"),
        }
    }
    Abbrevs { one, two }
}

fn load_forms() -> Forms {
    let mut rows = Vec::new();
    let mut by_key: Map<FormEntry> = Map::with_hasher(FixedState::default());
    let mut max_len = 0;
    let mut words: Vec<String> = Vec::new();
    for (file, tsv) in [
        ("legal_forms.tsv", LEGAL_FORMS_TSV),
        ("legal_forms_elf.tsv", LEGAL_FORMS_ELF_TSV),
    ] {
        for line in data_lines(tsv) {
            let f: Vec<&'static str> = line.split('\t').collect();
            assert!(f.len() == 5, "{file}: bad line {line:?}");
            let country = match f[0] {
                "*" => None,
                c => Some(
                    by_alpha2(c)
                        .unwrap_or_else(|| panic!("{file}: unknown country in {line:?}"))
                        .alpha2,
                ),
            };
            let at = match f[2] {
                "end" => Where::End,
                "start" => Where::Start,
                "both" => Where::Both,
                _ => panic!("{file}: bad position in {line:?}"),
            };
            let scope = match f[3] {
                "any" => Scope::Any,
                "local" => Scope::Local,
                "strict" => Scope::Strict,
                _ => panic!("{file}: bad scope in {line:?}"),
            };
            assert!(
                country.is_some() || scope == Scope::Any,
                "{file}: '*' rows must have scope any: {line:?}"
            );
            let idx = rows.len() as u32;
            rows.push(FormRow {
                country,
                canonical: f[1],
                at,
                scope,
            });
            for variant in f[4].split('|') {
                let toks = tokens_for_matching(variant);
                let mut key: String = toks
                    .iter()
                    .filter(|t| !t.is_connector())
                    .map(|t| t.mtext())
                    .collect();
                if key.is_empty() {
                    continue;
                }
                if toks.iter().all(|t| t.cjk) {
                    key.insert(0, CJK_MARK);
                } else if let [t] = toks.as_slice() {
                    words.push(t.mtext().to_string());
                }
                max_len = max_len.max(key.len());
                let e = by_key.entry(key).or_default();
                if !e.rows.contains(&idx) {
                    e.rows.push(idx);
                }
                if let Some(c) = country
                    && let Err(pos) = e.countries.binary_search(&c)
                {
                    e.countries.insert(pos, c);
                }
            }
        }
    }
    words.sort_unstable();
    words.dedup();
    Forms {
        rows,
        by_key,
        max_len,
        words,
    }
}

// ---------------------------------------------------------------------------
// Tokens

/// One word of a name: a folded token with its place in the source string.
#[derive(Debug, Clone)]
struct Tok {
    /// `text::fold` output for the segment (one word of it).
    text: String,
    /// Expansion of an abbreviation ("intl" → "international").
    exp: Option<&'static str>,
    /// Byte span in the cleaned source.
    start: usize,
    end: usize,
    /// From a CJK (Han, kana, Hangul) character.
    cjk: bool,
    /// No separator between this token and the previous one.
    glued: bool,
    /// Joined from single letters ("A.C.M.E."), or glued by "&" ("AT&T").
    initials: bool,
    /// Written in capitals, 2 to 4 letters ("JP", "IBM"): whole in acronyms.
    caps: bool,
}

impl Tok {
    /// The text legal forms are matched on: always expanded.
    fn mtext(&self) -> &str {
        self.exp.unwrap_or(&self.text)
    }

    fn is_connector(&self) -> bool {
        matches!(self.text.as_str(), "and" | "und" | "et")
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x2E80..=0x2FDF     // CJK radicals
        | 0x3005..=0x3007     // 々 〆 〇
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3130..=0x318F     // Hangul compatibility Jamo
        | 0x31F0..=0x31FF     // Katakana extensions
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xA960..=0xA97F     // Hangul Jamo extended A
        | 0xAC00..=0xD7AF     // Hangul syllables
        | 0xD7B0..=0xD7FF     // Hangul Jamo extended B
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0xFF66..=0xFF9F     // half-width Katakana
        | 0x20000..=0x3FFFF // CJK extensions B and later
    )
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}')
}

struct Seg {
    start: usize,
    end: usize,
    /// The segment's text when it is not `src[start..end]` (an apostrophe
    /// was dropped).
    own: Option<String>,
    cjk: bool,
}

impl Seg {
    fn text<'a>(&'a self, src: &'a str) -> &'a str {
        self.own.as_deref().unwrap_or(&src[self.start..self.end])
    }
}

/// Splits a (cleaned) string into word segments: runs of letters, digits and
/// combining marks (apostrophes inside a word are dropped: "McDonald's" →
/// "McDonalds"); every CJK character is a segment of its own.
fn segments(src: &str) -> Vec<Seg> {
    let mut segs: Vec<Seg> = Vec::new();
    let mut cur: Option<Seg> = None;
    let mut it = src.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let end = i + c.len_utf8();
        if c.is_ascii_alphanumeric() {
            let seg = cur.get_or_insert(Seg {
                start: i,
                end,
                own: None,
                cjk: false,
            });
            if let Some(own) = &mut seg.own {
                own.push(c);
            }
            seg.end = end;
        } else if c.is_ascii() && !is_apostrophe(c) {
            segs.extend(cur.take());
        } else if is_cjk(c) {
            segs.extend(cur.take());
            segs.push(Seg {
                start: i,
                end,
                own: None,
                cjk: true,
            });
        } else if is_word(c) {
            let seg = cur.get_or_insert(Seg {
                start: i,
                end,
                own: None,
                cjk: false,
            });
            if let Some(own) = &mut seg.own {
                own.push(c);
            }
            seg.end = end;
        } else if is_apostrophe(c)
            && let Some(seg) = cur.as_mut()
            && it.peek().is_some_and(|&(_, n)| is_word(n) && !is_cjk(n))
        {
            // inside a word: dropped
            seg.own
                .get_or_insert_with(|| src[seg.start..seg.end].to_string());
        } else {
            segs.extend(cur.take());
        }
    }
    segs.extend(cur.take());
    segs
}

/// Segments folded into tokens, with "&" handled, before initials are joined.
fn raw_tokens(src: &str) -> Vec<Tok> {
    let segs = segments(src);
    let mut toks: Vec<Tok> = Vec::with_capacity(segs.len() + 2);
    let mut prev: Option<&Seg> = None;
    for seg in &segs {
        let gap = &src[prev.map_or(0, |p| p.end)..seg.start];
        let text = seg.text(src);
        let folded = if text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            text.to_ascii_lowercase()
        } else {
            fold(text)
        };
        if folded.is_empty() {
            continue;
        }
        if let Some(p) = prev {
            let short = |s: &Seg| !s.cjk && s.text(src).chars().count() <= 2;
            if gap == "&"
                && short(p)
                && short(seg)
                && !folded.contains(' ')
                && toks.last().is_some_and(|t| t.end == p.end)
            {
                // "AT&T", "P&G": one token
                let last = toks.last_mut().expect("checked above");
                last.text.push_str(&folded);
                last.end = seg.end;
                last.initials = true;
                prev = Some(seg);
                continue;
            }
            let plus = gap.trim() == "+"
                && gap.starts_with(char::is_whitespace)
                && gap.ends_with(char::is_whitespace);
            if let Some(amp) = gap.find('&').or(if plus { gap.find('+') } else { None }) {
                let at = p.end + amp;
                toks.push(Tok {
                    text: "and".to_string(),
                    exp: None,
                    start: at,
                    end: at + 1,
                    cjk: false,
                    glued: false,
                    initials: false,
                    caps: false,
                });
            }
        }
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let caps = !seg.cjk
            && (2..=4).contains(&letters)
            && text.chars().all(|c| !c.is_lowercase())
            && text.chars().any(char::is_uppercase);
        for (k, w) in folded.split(' ').enumerate() {
            toks.push(Tok {
                text: w.to_string(),
                exp: None,
                start: seg.start,
                end: seg.end,
                cjk: seg.cjk,
                glued: k > 0 || gap.is_empty(),
                initials: false,
                caps,
            });
        }
        prev = Some(seg);
    }
    toks
}

/// Joins runs of single letters ("s a" → "sa") and expands abbreviations.
fn tokens_for_matching(src: &str) -> Vec<Tok> {
    let raw = raw_tokens(src);
    let mut toks: Vec<Tok> = Vec::with_capacity(raw.len());
    let single = |t: &Tok| t.text.len() == 1 && t.text.as_bytes()[0].is_ascii_alphabetic();
    // is the last pushed token a single letter or a run of them?
    let mut run_open = false;
    for t in raw {
        let s = single(&t);
        if s && run_open
            && let Some(last) = toks.last_mut()
        {
            last.text.push_str(&t.text);
            last.end = t.end;
            last.initials = true;
            last.cjk &= t.cjk;
            continue;
        }
        run_open = s;
        toks.push(t);
    }
    let abbrevs = &*ABBREVS;
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for mut t in toks {
        if !t.cjk
            && let Some(prev) = out.last_mut()
            && !prev.cjk
            && let Some(seconds) = abbrevs.two.get(&prev.text)
            && let Some((_, full)) = seconds.iter().find(|(b, _)| *b == t.text)
        {
            // "co op" → "cooperative"
            prev.text = full.to_string();
            prev.exp = None;
            prev.end = t.end;
            continue;
        }
        if !t.cjk {
            // initials too: "C.O." is "co" in the key, whose own key expands it
            t.exp = abbrevs.one.get(&t.text).copied();
        }
        out.push(t);
    }
    out
}

// ---------------------------------------------------------------------------
// Analysis

/// A stripped legal form: its row and its jurisdiction for this record.
struct Found {
    row: &'static FormRow,
    country: Option<&'static str>,
}

struct Analysis {
    src: String,
    toks: Vec<Tok>,
    /// The name proper is `toks[lo..hi]`.
    lo: usize,
    hi: usize,
    /// Forms stripped from the start, in reading order.
    prefixes: Vec<Found>,
    /// Forms stripped from the end, outermost (last in the text) first.
    suffixes: Vec<Found>,
}

/// Unicode NFC plus the bracketed Japanese/Korean forms spelled out
/// ("(株)", "㈱" → "株式会社").
fn clean_source(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut src: String = if unicode_normalization::is_nfc(s) {
        s.to_string()
    } else {
        s.nfc().collect()
    };
    if src.contains(['㈱', '㈲', '㍿', '㈜', '株', '有', '주']) {
        for (from, to) in [
            ("㈱", "株式会社"),
            ("㍿", "株式会社"),
            ("(株)", "株式会社"),
            ("（株）", "株式会社"),
            ("㈲", "有限会社"),
            ("(有)", "有限会社"),
            ("（有）", "有限会社"),
            ("㈜", "주식회사"),
            ("(주)", "주식회사"),
            ("（주）", "주식회사"),
        ] {
            if src.contains(from) {
                src = src.replace(from, to);
            }
        }
    }
    src
}

fn analyze(s: &str, country: Option<&'static str>) -> Analysis {
    let src = clean_source(s);
    let toks = tokens_for_matching(&src);
    let mut a = Analysis {
        lo: 0,
        hi: toks.len(),
        src,
        toks,
        prefixes: Vec::new(),
        suffixes: Vec::new(),
    };
    a.strip(country);
    a
}

impl Analysis {
    fn strip(&mut self, country: Option<&'static str>) {
        if self.toks.is_empty() {
            return;
        }
        let forms = &*FORMS;
        let mut buf = String::with_capacity(64);
        loop {
            let before = (self.lo, self.hi);
            self.trim_words();
            self.drop_notes(forms, country, &mut buf);
            if let Some((k, found)) = self.match_end(forms, country, &mut buf) {
                self.hi -= k;
                self.suffixes.push(found);
                self.trim_words();
            }
            if let Some((k, found)) = self.match_start(forms, country, &mut buf) {
                self.lo += k;
                self.prefixes.push(found);
            }
            if (self.lo, self.hi) == before {
                break;
            }
        }
    }

    /// Drops trailing CRM notes (`data/crm_annotations.tsv`) and a one- or
    /// two-digit number in brackets ending the name: "Acme Ltd - DUPLICATE"
    /// → "Acme Ltd", "Acme (2)" → "Acme". A note must be set off by
    /// punctuation or follow a legal form. At least one word always remains.
    fn drop_notes(
        &mut self,
        forms: &'static Forms,
        country: Option<&'static str>,
        buf: &mut String,
    ) {
        'outer: while self.hi - self.lo > 1 {
            let last = &self.toks[self.hi - 1];
            if self.hi == self.toks.len()
                && !last.cjk
                && last.text.len() <= 2
                && last.text.bytes().all(|b| b.is_ascii_digit())
                && self.src[..last.start].ends_with(['(', '['])
            {
                self.hi -= 1;
                continue;
            }
            for note in NOTES.iter() {
                let k = note.len();
                if self.hi - self.lo <= k
                    || self.toks[self.hi - k..self.hi]
                        .iter()
                        .zip(note)
                        .any(|(t, w)| t.cjk || t.text != *w)
                {
                    continue;
                }
                let hi = self.hi;
                let set_off = self.set_off(hi - k);
                self.hi = hi - k;
                if set_off || self.match_end(forms, country, buf).is_some() {
                    continue 'outer;
                }
                self.hi = hi;
            }
            return;
        }
    }

    /// Whether punctuation separates token `at` from the one before it:
    /// "Acme (Billing)", "Acme *DUP*", "Acme - HQ"; a hyphen or slash
    /// needs a space beside it ("Kwik-Copy" is one name).
    fn set_off(&self, at: usize) -> bool {
        let (prev_end, start) = (self.toks[at - 1].end, self.toks[at].start);
        if prev_end > start {
            return false;
        }
        let gap = &self.src[prev_end..start];
        gap.contains(['(', '[', '{', '*', '|', ',', ':', '_'])
            || gap.contains(['-', '/', '\u{2013}', '\u{2014}']) && gap.contains(char::is_whitespace)
    }

    /// Drops a leading "The", a trailing ", The" and dangling connectors
    /// ("Smith &" once "Co" is gone), keeping at least one word.
    fn trim_words(&mut self) {
        loop {
            let n = self.hi - self.lo;
            if n <= 1 {
                return;
            }
            let first = &self.toks[self.lo];
            let last = &self.toks[self.hi - 1];
            if first.text == "the" || first.is_connector() {
                self.lo += 1;
            } else if last.is_connector()
                || last.text == "the"
                    && self.src[self.toks[self.hi - 2].end..last.start].contains(',')
            {
                self.hi -= 1;
            } else {
                return;
            }
        }
    }

    /// The longest legal form ending the name, leaving at least one word.
    fn match_end(
        &self,
        forms: &'static Forms,
        country: Option<&'static str>,
        buf: &mut String,
    ) -> Option<(usize, Found)> {
        let avail = self.hi - self.lo;
        let mut kmax = 0;
        let mut len = 0;
        for k in 1..avail {
            let t = &self.toks[self.hi - k];
            if !t.is_connector() {
                len += t.mtext().len();
            }
            if len > forms.max_len {
                break;
            }
            kmax = k;
        }
        for k in (1..=kmax).rev() {
            if let Some(found) = self.lookup(forms, self.hi - k, self.hi, country, false, buf) {
                return Some((k, found));
            }
        }
        None
    }

    /// The longest legal form starting the name, leaving at least one word.
    fn match_start(
        &self,
        forms: &'static Forms,
        country: Option<&'static str>,
        buf: &mut String,
    ) -> Option<(usize, Found)> {
        let avail = self.hi - self.lo;
        let mut kmax = 0;
        let mut len = 0;
        for k in 1..avail {
            let t = &self.toks[self.lo + k - 1];
            if !t.is_connector() {
                len += t.mtext().len();
            }
            if len > forms.max_len {
                break;
            }
            kmax = k;
        }
        for k in (1..=kmax).rev() {
            if let Some(found) = self.lookup(forms, self.lo, self.lo + k, country, true, buf) {
                return Some((k, found));
            }
        }
        None
    }

    /// The form `toks[ws..we]` spells, if any, for a record of `country`.
    ///
    /// A window of CJK characters matches forms written in CJK; a window
    /// that does not cut a run of CJK characters also matches the Latin
    /// forms (the run is one word in the key, so the key's own key agrees).
    fn lookup(
        &self,
        forms: &'static Forms,
        ws: usize,
        we: usize,
        country: Option<&'static str>,
        at_start: bool,
        buf: &mut String,
    ) -> Option<Found> {
        let toks = &self.toks;
        let window = &toks[ws..we];
        let rest = if at_start {
            &toks[we..self.hi]
        } else {
            &toks[self.lo..ws]
        };
        let (first, last) = (window.first()?, window.last()?);
        if first.is_connector() || last.is_connector() || !rest.iter().any(|t| !t.is_connector()) {
            return None;
        }
        let cuts_left = first.cjk && first.glued && ws > self.lo && toks[ws - 1].cjk;
        let cuts_right = last.cjk && we < self.hi && toks[we].cjk && toks[we].glued;
        let whole = !cuts_left && !cuts_right;
        let all_cjk = window.iter().all(|t| t.cjk);
        if !whole && !all_cjk {
            return None;
        }
        buf.clear();
        buf.push(CJK_MARK);
        for t in window.iter().filter(|t| !t.is_connector()) {
            buf.push_str(t.mtext());
        }
        let entry = if all_cjk {
            forms.by_key.get(buf.as_str())
        } else {
            None
        };
        let entry = match entry {
            Some(e) => e,
            None if whole => forms.by_key.get(&buf[CJK_MARK.len_utf8()..])?,
            None => return None,
        };
        let rows = entry.rows.iter().map(|&i| &forms.rows[i as usize]);
        let row = rows
            .clone()
            .find(|r| country.is_some() && r.country == country && r.allowed(country, at_start))
            .or_else(|| rows.clone().find(|r| r.allowed(country, at_start)))?;
        let jurisdiction = match country {
            Some(c) if entry.countries.contains(&c) => Some(c),
            _ if entry.countries.len() == 1 => Some(entry.countries[0]),
            _ => None,
        };
        Some(Found {
            row,
            country: jurisdiction,
        })
    }

    fn legal_form(&self) -> Option<String> {
        let mut parts = self
            .prefixes
            .iter()
            .chain(self.suffixes.iter().rev())
            .map(|f| f.row.canonical);
        let first = parts.next()?;
        let mut out = first.to_string();
        for p in parts {
            out.push(' ');
            out.push_str(p);
        }
        Some(out)
    }

    fn legal_form_country(&self) -> Option<&'static str> {
        self.suffixes
            .iter()
            .chain(self.prefixes.iter())
            .find_map(|f| f.country)
    }

    /// The source text of the kept words, with brackets and quotes that
    /// open or close inside it completed, whitespace collapsed.
    fn display_name(&self) -> String {
        if self.lo >= self.hi {
            return collapse_ws(&self.src);
        }
        let src = self.src.as_str();
        let mut s = self.toks[self.lo].start;
        let mut e = self.toks[self.hi - 1].end;
        // the dot of an abbreviation or of initials: "Smith Bros. Assoc.", "A.C.M.E."
        let last_word = &src[s..e]
            .rsplit(|c: char| !is_word(c))
            .next()
            .unwrap_or_default();
        if src[e..].starts_with('.') && last_word.chars().count() <= 5 {
            e += 1;
        }
        const PAIRS: [(char, char); 10] = [
            ('(', ')'),
            ('[', ']'),
            ('{', '}'),
            ('（', '）'),
            ('«', '»'),
            ('「', '」'),
            ('『', '』'),
            ('“', '”'),
            ('„', '“'),
            ('"', '"'),
        ];
        let brackets = |c: char| PAIRS.iter().any(|&(o, cl)| c == o || c == cl);
        for _ in 0..8 {
            let slice = &src[s..e];
            if !slice.contains(brackets) {
                break;
            }
            let mut changed = false;
            for (o, c) in PAIRS {
                let opens = slice.matches(o).count();
                let closes = if o == c { 0 } else { slice.matches(c).count() };
                let (need_close, need_open) = if o == c {
                    (opens % 2 == 1, opens % 2 == 1)
                } else {
                    (opens > closes, closes > opens)
                };
                if need_close && src[e..].starts_with(c) {
                    e += c.len_utf8();
                    changed = true;
                    break;
                }
                if need_open && src[..s].ends_with(o) {
                    s -= o.len_utf8();
                    changed = true;
                    break;
                }
            }
            if !changed {
                break;
            }
        }
        collapse_ws(&src[s..e])
    }

    /// The key's words: CJK runs joined, abbreviations expanded ("co" and
    /// "corp" not as the last word). Also tells whether the key has CJK runs.
    fn key_tokens(&self) -> (Vec<KeyTok<'_>>, bool) {
        let mut out: Vec<KeyTok> = Vec::with_capacity(self.hi.saturating_sub(self.lo));
        let mut merged_cjk = false;
        let mut prev_cjk = false;
        for (i, t) in self.toks[self.lo..self.hi].iter().enumerate() {
            if t.cjk
                && prev_cjk
                && t.glued
                && let Some(last) = out.last_mut()
            {
                last.text.to_mut().push_str(&t.text);
                last.whole = false;
                continue;
            }
            merged_cjk |= t.cjk;
            prev_cjk = t.cjk;
            let is_last = self.lo + i + 1 == self.hi;
            let text = match t.exp {
                Some(_) if is_last && matches!(t.text.as_str(), "co" | "corp") => {
                    Cow::Borrowed(t.text.as_str())
                }
                Some(full) => Cow::Borrowed(full),
                None => Cow::Borrowed(t.text.as_str()),
            };
            out.push(KeyTok {
                text,
                whole: t.initials || t.caps,
            });
        }
        (out, merged_cjk)
    }
}

/// A word of the key, and whether it counts whole in the acronym.
#[derive(Debug, Clone)]
struct KeyTok<'a> {
    text: Cow<'a, str>,
    whole: bool,
}

fn join_key(toks: &[KeyTok]) -> String {
    let mut key = String::with_capacity(toks.iter().map(|t| t.text.len() + 1).sum());
    for t in toks {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&t.text);
    }
    key
}

/// Words left out of acronyms.
const ACRONYM_STOP: &[&str] = &[
    "a", "an", "and", "at", "by", "d", "de", "del", "der", "des", "di", "do", "du", "et", "for",
    "in", "la", "le", "of", "on", "the", "to", "und", "y",
];

fn acronym(toks: &[KeyTok]) -> Option<String> {
    let significant: Vec<&KeyTok> = toks
        .iter()
        .filter(|t| !ACRONYM_STOP.contains(&t.text.as_ref()))
        .collect();
    if significant.len() < 2 {
        return None;
    }
    let mut out = String::new();
    for t in significant {
        if t.whole {
            out.push_str(&t.text);
        } else if let Some(c) = t.text.chars().next() {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        let forms = &*FORMS;
        assert!(forms.rows.len() > 1500, "{} rows", forms.rows.len());
        assert!(forms.max_len > 10);
        let countries: std::collections::BTreeSet<&str> =
            forms.rows.iter().filter_map(|r| r.country).collect();
        assert!(countries.len() >= 80, "{} countries", countries.len());
    }

    #[test]
    fn no_expansion_is_itself_an_abbreviation() {
        let a = &*ABBREVS;
        for full in a
            .one
            .values()
            .chain(a.two.values().flatten().map(|(_, f)| f))
        {
            assert!(
                !a.one.contains_key(*full) && !a.two.contains_key(*full),
                "{full} is expanded again"
            );
        }
    }

    #[test]
    fn segments_and_tokens() {
        let words = |s: &str| {
            tokens_for_matching(s)
                .into_iter()
                .map(|t| t.mtext().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(words("McDonald's Corp."), ["mcdonalds", "corporation"]);
        assert_eq!(words("A.C.M.E. Holdings S. A."), ["acme", "holdings", "sa"]);
        assert_eq!(words("AT&T"), ["att"]);
        assert_eq!(words("Procter & Gamble"), ["procter", "and", "gamble"]);
        assert_eq!(words("Bang + Olufsen"), ["bang", "and", "olufsen"]);
        assert_eq!(words("株式会社"), ["zhu", "shi", "hui", "she"]);
        assert_eq!(words("Co-op"), ["cooperative"]);
        assert_eq!(words("Int'l"), ["international"]);
    }

    #[test]
    fn crm_notes_are_not_part_of_the_name() {
        let key = |s: &str| {
            let c = normalize_company(s, None);
            (c.key, c.legal_form)
        };
        let acme = || ("acme".to_string(), Some("Inc".to_string()));
        assert_eq!(key("Acme Inc. (old)"), acme());
        assert_eq!(key("Acme Inc - DUPLICATE"), acme());
        assert_eq!(key("ACME INC [do not use]"), acme());
        assert_eq!(key("Acme Inc. *DUP*"), acme());
        assert_eq!(key("Acme Inc (2)"), acme());
        assert_eq!(key("Acme Inc EMEA"), acme());
        assert_eq!(key("Acme Inc. - Billing"), acme());
        assert_eq!(normalize_company("Acme Inc (inactive)", None).name, "Acme");
        // A note written plainly after a name may be the name.
        assert_eq!(key("Acme Billing").0, "acme billing");
        assert_eq!(key("Acme Billing LLC").0, "acme billing");
        assert_eq!(key("Young & Old").0, "young and old");
        assert_eq!(key("Kwik-Copy Ltd").0, "kwik copy");
        assert_eq!(key("Pen-Test Ltd").0, "pen test");
        // Only a short number in brackets at the very end.
        assert_eq!(key("Acme Holdings (2009) Limited").0, "acme holdings 2009");
        // One word always remains.
        assert_eq!(key("Duplicate").0, "duplicate");
        assert_eq!(key("Old (old)").0, "old");
    }

    #[test]
    fn legal_form_words_and_their_typos() {
        for w in ["ltd", "spa", "gmbh", "limited", "cprp", "sral", "ptivate"] {
            assert!(is_legal_form_word(w), "{w}");
        }
        for w in [
            "health",
            "labs",
            "acme",
            "security",
            "online",
            "capital",
            "bank",
            "fund",
            "food",
            "technology",
            "insurance",
            "international",
            "city",
            "gas",
            "pay",
            "art",
            "lyd",
        ] {
            assert!(!is_legal_form_word(w), "{w}");
        }
        assert!(one_edit_apart(b"ltd", b"lt"));
        assert!(!one_edit_apart(b"ltd", b"ltd"));
        assert!(!one_edit_apart(b"ab", b"ba"));
    }
}
