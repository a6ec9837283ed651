//! Personal names: parsing into prefix / first / middle / last / suffix,
//! canonical display, folded keys, nickname expansion and phonetic keys.
//!
//! ```
//! use firmlink_normalize::person::{parse_full_name, names_match_via_nickname};
//!
//! let p = parse_full_name("DR. JANE A. DOE-SMITH, PHD");
//! assert_eq!(p.prefix.as_deref(), Some("Dr."));
//! assert_eq!(p.full, "Jane A. Doe-Smith");
//! assert_eq!(p.suffix.as_deref(), Some("PhD"));
//! assert_eq!(p.last_key.as_deref(), Some("doe smith"));
//!
//! let b = parse_full_name("Bob Smith");
//! assert_eq!(b.formal_first_key.as_deref(), Some("robert"));
//! assert!(names_match_via_nickname("bill", "william"));
//! ```
//!
//! # Rules
//!
//! * Input forms: "First Middle Last", "Last, First Middle", "First Last,
//!   Suffix", "Last, First, Suffix", and "SURNAME Given" (a leading run of
//!   all-caps words in otherwise mixed-case text is the surname, as in
//!   "DUPONT Jean" or "WANG Wei"). Quoted or parenthesised nicknames
//!   (`Robert "Bob" Smith`) are dropped.
//! * Leading prefixes (Mr, Mrs, Ms, Dr, Prof, Herr, Frau, Mme, Dhr, …) and
//!   trailing suffixes (Jr, Sr, II, III, PhD, MD, MBA, CPA, Esq, …) are split
//!   off, with or without dots, as long as one name word remains.
//! * With two or more words the first is the first name; the last name
//!   starts at the first particle after it ("van", "der", "de", "la", "von",
//!   "da", "di", "le", "bin", "al", …) or is the last word; words in between
//!   are middle names. A single word is a last name. A name starting with
//!   "van", "von", "de", … is all last name ("van der Berg").
//! * Multi-word surnames without a particle ("García Márquez") cannot be
//!   told from a middle name in free text: the last word is the last name.
//!   [`from_parts`] keeps the given split.
//! * Casing: all-caps or all-lowercase input is re-cased with
//!   [`title_case`](crate::text::title_case) rules; in mixed-case input only
//!   all-caps and all-lowercase words are re-cased, others are kept
//!   ("McDonald", "DeVito").
//! * `full` ("First Middle Last") parses back to the same first / middle /
//!   last, display and keys (idempotent).
//!
//! # Keys
//!
//! `first_key` / `last_key` are [`fold`]ed. `formal_first_key` maps a
//! nickname to one formal name (see [`formal_first_key`] for the rule).
//! Phonetic keys are the Double Metaphone primary code (rphonetic, maximum
//! length 4) of the folded key with spaces removed.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::LazyLock;

use rphonetic::{DoubleMetaphone, Encoder};

use crate::text::{fold, is_particle, title_case_word};

type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A parsed personal name. All display fields are trimmed and re-cased;
/// keys are [`fold`]ed. Missing parts are `None`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonName {
    /// The input, unchanged.
    pub original: String,
    /// Honorific(s) in canonical form, e.g. "Dr.", "Prof. Dr.", "Herr".
    pub prefix: Option<String>,
    pub first: Option<String>,
    /// Middle names and initials, space separated ("A.", "Maria Luisa").
    pub middle: Option<String>,
    /// Last name including particles ("van der Berg", "Doe-Smith").
    pub last: Option<String>,
    /// Generational and professional suffixes, canonical form ("Jr.", "PhD").
    pub suffix: Option<String>,
    /// Canonical display: "First Middle Last" (no prefix, no suffix).
    pub full: String,
    pub first_key: Option<String>,
    pub last_key: Option<String>,
    /// `first_key` mapped from a nickname to its formal name; equal to
    /// `first_key` when the first name is not a nickname.
    pub formal_first_key: Option<String>,
    /// Double Metaphone primary code of `first_key`.
    pub first_phonetic: Option<String>,
    /// Double Metaphone primary code of `last_key`.
    pub last_phonetic: Option<String>,
}

// ---------------------------------------------------------------------------
// Prefix / suffix tables

/// Lowercase ASCII key of a token without dots, for table look-ups, written
/// into `buf`. `None` when the token is not short ASCII.
fn short_key<'b>(tok: &str, buf: &'b mut [u8; 16]) -> Option<&'b str> {
    let mut n = 0;
    for b in tok.bytes() {
        if b == b'.' {
            continue;
        }
        if !b.is_ascii() || n == buf.len() {
            return None;
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// Canonical form of an honorific prefix token.
fn prefix_canon(tok: &str) -> Option<&'static str> {
    let mut buf = [0u8; 16];
    let key = short_key(tok, &mut buf)?;
    Some(match key {
        "mr" | "mister" => "Mr.",
        "mrs" => "Mrs.",
        "ms" => "Ms.",
        "miss" => "Miss",
        "mx" => "Mx.",
        "dr" | "doctor" => "Dr.",
        "prof" | "professor" => "Prof.",
        "sir" => "Sir",
        "dame" => "Dame",
        "lord" => "Lord",
        "lady" => "Lady",
        "rev" | "revd" | "reverend" => "Rev.",
        "father" => "Father",
        "hon" => "Hon.",
        "capt" | "captain" => "Capt.",
        "col" => "Col.",
        "gen" => "Gen.",
        "sheikh" => "Sheikh",
        "herr" => "Herr",
        "frau" => "Frau",
        "hr" => "Hr.",
        "fr" => "Fr.",
        "dipl" => "Dipl.",
        "dipl-ing" => "Dipl.-Ing.",
        "dipl-kfm" => "Dipl.-Kfm.",
        "dr-ing" => "Dr.-Ing.",
        "ing" => "Ing.",
        "mag" => "Mag.",
        "med" => "med.",
        "hc" => "h.c.",
        "monsieur" => "M.",
        "mme" | "madame" => "Mme",
        "mlle" | "mademoiselle" => "Mlle",
        "sra" => "Sra.",
        "srta" => "Srta.",
        "dhr" => "Dhr.",
        "mevr" => "Mevr.",
        "mw" => "Mw.",
        "dott" => "Dott.",
        "dottssa" => "Dott.ssa",
        "sig" => "Sig.",
        "sigra" => "Sig.ra",
        _ => return None,
    })
}

/// Canonical form of a generational or professional suffix token.
fn suffix_canon(tok: &str) -> Option<&'static str> {
    let mut buf = [0u8; 16];
    let key = short_key(tok, &mut buf)?;
    Some(match key {
        "jr" | "jnr" => "Jr.",
        "sr" | "snr" => "Sr.",
        "ii" => "II",
        "iii" => "III",
        "iv" => "IV",
        "phd" => "PhD",
        "md" => "MD",
        "mba" => "MBA",
        "cpa" => "CPA",
        "esq" | "esquire" => "Esq.",
        "dds" => "DDS",
        "dmd" => "DMD",
        "dvm" => "DVM",
        "jd" => "JD",
        "llb" => "LLB",
        "llm" => "LLM",
        "msc" => "MSc",
        "bsc" => "BSc",
        "rn" => "RN",
        "cfa" => "CFA",
        "cfp" => "CFP",
        "cma" => "CMA",
        "acca" => "ACCA",
        "fca" => "FCA",
        "pe" => "PE",
        "pmp" => "PMP",
        "cissp" => "CISSP",
        "obe" => "OBE",
        "mbe" => "MBE",
        "cbe" => "CBE",
        "kbe" => "KBE",
        "frcs" => "FRCS",
        "facs" => "FACS",
        "edd" => "EdD",
        "psyd" => "PsyD",
        "mph" => "MPH",
        "qc" => "QC",
        "kc" => "KC",
        "mp" => "MP",
        _ => return None,
    })
}

fn is_particle_token(tok: &str) -> bool {
    let mut buf = [0u8; 16];
    if tok.contains('.') {
        return false;
    }
    short_key(tok, &mut buf).is_some_and(is_particle)
}

/// Particles that make a name that starts with them all last name.
fn is_leading_surname_particle(tok: &str) -> bool {
    let mut buf = [0u8; 16];
    matches!(
        short_key(tok, &mut buf),
        Some(
            "van"
                | "von"
                | "de"
                | "der"
                | "den"
                | "del"
                | "della"
                | "dos"
                | "das"
                | "du"
                | "ter"
                | "ten"
                | "zu"
        )
    ) && !tok.contains('.')
}

// ---------------------------------------------------------------------------
// Casing helpers

#[derive(Clone, Copy, PartialEq)]
enum Case {
    /// No cased letter.
    None,
    Lower,
    Upper,
    Mixed,
}

fn case_of(s: &str) -> Case {
    let (mut up, mut low) = (false, false);
    for c in s.chars() {
        if c.is_uppercase() {
            up = true;
        } else if c.is_lowercase() {
            low = true;
        }
    }
    match (up, low) {
        (false, false) => Case::None,
        (false, true) => Case::Lower,
        (true, false) => Case::Upper,
        (true, true) => Case::Mixed,
    }
}

fn cased_letters(s: &str) -> usize {
    s.chars()
        .filter(|c| c.is_uppercase() || c.is_lowercase())
        .count()
}

/// True for an all-caps word of two or more letters that title casing would
/// change ("DUPONT", not "II" or "O'B").
fn is_shouted(tok: &str) -> bool {
    if case_of(tok) != Case::Upper || cased_letters(tok) < 2 {
        return false;
    }
    let mut t = String::new();
    title_case_word(tok, false, false, &mut t);
    t != tok
}

// ---------------------------------------------------------------------------
// Cleaning and assembly

/// Removes quoted and parenthesised segments (nicknames) and stray brackets
/// and quotes; commas are kept.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth_paren = 0u32;
    let mut in_quote = false;
    for c in s.chars() {
        match c {
            '(' | '[' => depth_paren += 1,
            ')' | ']' => depth_paren = depth_paren.saturating_sub(1),
            '"' | '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => in_quote = !in_quote,
            _ if depth_paren > 0 || in_quote || crate::text::is_invisible(c) => {}
            _ => out.push(c),
        }
    }
    // An unclosed quote or bracket swallowed the rest, or the whole value
    // is quoted or bracketed ("“Ann”", "(Ann)"): fall back to dropping only
    // the bracket and quote characters.
    let emptied =
        || !out.chars().any(char::is_alphanumeric) && s.chars().any(char::is_alphanumeric);
    if depth_paren > 0 || in_quote || emptied() {
        out.clear();
        out.extend(s.chars().filter(|&c| {
            !matches!(
                c,
                '(' | ')' | '[' | ']' | '"' | '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}'
            ) && !crate::text::is_invisible(c)
        }));
    }
    out
}

/// Splits text into name words: whitespace separated, without words that
/// have no letter or digit.
fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(char::is_whitespace)
        .filter(|w| w.chars().any(char::is_alphanumeric))
}

/// Everything needed to build a [`PersonName`] from ordered name words.
struct Parts<'a> {
    prefixes: Vec<&'static str>,
    suffixes: Vec<&'static str>,
    /// Name words in display order.
    words: Vec<&'a str>,
    /// Index in `words` where the last name starts, if fixed by the caller;
    /// `words.len()` for a first name without a last name.
    last_start: Option<usize>,
}

impl<'a> Parts<'a> {
    fn new(words: Vec<&'a str>) -> Self {
        Parts {
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            words,
            last_start: None,
        }
    }

    /// Strips leading prefixes and trailing suffixes while more than one word
    /// remains. The result never starts with a prefix or ends with a suffix
    /// unless it is a single word, so display text re-parses the same.
    fn strip(&mut self) {
        let mut lead = 0;
        while self.words.len() - lead > 1 {
            match prefix_canon(self.words[lead]) {
                Some(p) => {
                    self.prefixes.push(p);
                    lead += 1;
                }
                None => break,
            }
        }
        if lead > 0 {
            self.words.drain(..lead);
            self.last_start = self.last_start.map(|i| i.saturating_sub(lead));
        }
        let mut tail = Vec::new();
        while self.words.len() > 1 {
            let Some(s) = suffix_canon(self.words[self.words.len() - 1]) else {
                break;
            };
            tail.push(s);
            self.words.pop();
        }
        tail.reverse();
        // Suffixes found in the text come before ones given after a comma.
        tail.append(&mut self.suffixes);
        self.suffixes = tail;
        if let Some(i) = self.last_start
            && i > self.words.len()
        {
            self.last_start = None;
        }
    }

    fn build(self, original: &str) -> PersonName {
        let n = self.words.len();
        let last_start = match self.last_start {
            Some(i) => i,
            None if n <= 1 => 0,
            None if is_leading_surname_particle(self.words[0]) => 0,
            None => (1..n - 1)
                .find(|&i| is_particle_token(self.words[i]))
                .unwrap_or(n - 1),
        };
        let mut display: Vec<String> = Vec::with_capacity(n);
        for (i, w) in self.words.iter().enumerate() {
            // All-caps and all-lowercase words are re-cased, mixed-case words
            // kept ("McDonald", "DeVito"). So all-caps or all-lowercase input
            // is re-cased as a whole.
            if matches!(case_of(w), Case::Lower | Case::Upper) {
                let mut t = String::with_capacity(w.len());
                title_case_word(w, i > 0, i + 1 < n, &mut t);
                display.push(t);
            } else {
                display.push((*w).to_string());
            }
        }
        let join = |r: std::ops::Range<usize>| -> Option<String> {
            (r.start < r.end).then(|| display[r].join(" "))
        };
        let (first, middle) = if last_start == 0 || n == 0 {
            (None, None)
        } else {
            (join(0..1), join(1..last_start))
        };
        let last = join(last_start..n);
        let full = display.join(" ");
        let first_key = first.as_deref().map(fold).filter(|k| !k.is_empty());
        let last_key = last.as_deref().map(fold).filter(|k| !k.is_empty());
        let formal = first_key
            .as_deref()
            .map(|k| formal_first_key(k).to_string());
        let first_phonetic = first_key.as_deref().and_then(phonetic);
        let last_phonetic = last_key.as_deref().and_then(phonetic);
        PersonName {
            original: original.to_string(),
            prefix: (!self.prefixes.is_empty()).then(|| self.prefixes.join(" ")),
            first,
            middle,
            last,
            suffix: (!self.suffixes.is_empty()).then(|| self.suffixes.join(" ")),
            full,
            first_key,
            last_key,
            formal_first_key: formal,
            first_phonetic,
            last_phonetic,
        }
    }
}

/// True when the letters of `s` are all upper case or all lower case.
fn single_case(s: &str) -> bool {
    matches!(case_of(s), Case::Lower | Case::Upper)
}

/// Parses a free-text personal name. Never panics; see the module docs for
/// the rules.
pub fn parse_full_name(s: &str) -> PersonName {
    let cleaned = clean(s);
    let mixed_case = !single_case(&cleaned);
    let segments: Vec<&str> = cleaned
        .split([',', ';'])
        .filter(|p| words(p).next().is_some())
        .collect();

    let mut parts = if segments.len() >= 2 {
        let rest_all_suffix = segments[1..]
            .iter()
            .all(|seg| words(seg).all(|w| suffix_canon(w).is_some()));
        if rest_all_suffix {
            // "First Last, Jr." / "Jane Doe, MD, PhD"
            let mut p = Parts::new(words(segments[0]).collect());
            p.suffixes = segments[1..]
                .iter()
                .flat_map(|seg| words(seg))
                .filter_map(suffix_canon)
                .collect();
            p
        } else {
            // "Last, First Middle[, Suffix]"
            let last: Vec<&str> = words(segments[0]).collect();
            let mut given: Vec<&str> = words(segments[1]).collect();
            let mut suffixes = Vec::new();
            for seg in &segments[2..] {
                if words(seg).all(|w| suffix_canon(w).is_some()) {
                    suffixes.extend(words(seg).filter_map(suffix_canon));
                } else {
                    given.extend(words(seg));
                }
            }
            let mut prefixes = Vec::new();
            while let Some(p) = given.first().and_then(|w| prefix_canon(w)) {
                prefixes.push(p);
                given.remove(0);
            }
            let mut p = Parts::new(given.into_iter().chain(last).collect());
            p.prefixes = prefixes;
            p.suffixes = suffixes;
            p
        }
    } else {
        let ws: Vec<&str> = segments
            .first()
            .map(|s| words(s).collect())
            .unwrap_or_default();
        Parts::new(ws)
    };
    parts.strip();
    if segments.len() < 2 && mixed_case {
        surname_first(&mut parts.words);
        parts.strip();
    }
    parts.build(s)
}

/// "DUPONT Jean Marc" → "Jean Marc DUPONT": a leading run of all-caps words
/// followed only by words with lower-case letters is the surname.
fn surname_first(ws: &mut [&str]) {
    let run = ws.iter().take_while(|w| is_shouted(w)).count();
    if run == 0 || run == ws.len() {
        return;
    }
    if ws[run..]
        .iter()
        .all(|w| matches!(case_of(w), Case::Mixed | Case::Lower))
    {
        ws.rotate_left(run);
    }
}

/// Builds a name from separate first and last name fields. `first` may hold
/// middle names or initials ("Jane A."), and trailing particles belonging to
/// the surname ("Jan van der" + "Berg" → last "van der Berg"). Empty strings
/// mean missing. When `last` is empty and `first` holds several words, it is
/// parsed as a full name.
pub fn from_parts(first: &str, last: &str) -> PersonName {
    let original = if first.is_empty() || last.is_empty() {
        format!("{first}{last}")
    } else {
        format!("{first} {last}")
    };
    let cf = clean(first).replace([',', ';'], " ");
    let cl = clean(last).replace([',', ';'], " ");
    let mut given: Vec<&str> = words(&cf).collect();
    let mut surname: Vec<&str> = words(&cl).collect();
    if surname.is_empty() && given.len() >= 2 {
        let mut p = parse_full_name(&cf);
        p.original = original;
        return p;
    }
    let mut prefixes = Vec::new();
    while let Some(p) = given.first().and_then(|w| prefix_canon(w)) {
        prefixes.push(p);
        given.remove(0);
    }
    while surname.len() > 1
        && let Some(p) = prefix_canon(surname[0])
    {
        prefixes.push(p);
        surname.remove(0);
    }
    // Particles at the end of the first-name field belong to the surname.
    if !surname.is_empty() {
        while given.len() > 1 && is_particle_token(given[given.len() - 1]) {
            let w = given.pop().unwrap_or_default();
            surname.insert(0, w);
        }
    }
    let mut suffixes = Vec::new();
    while surname.len() > 1
        && let Some(s) = suffix_canon(surname[surname.len() - 1])
    {
        suffixes.push(s);
        surname.pop();
    }
    suffixes.reverse();
    let last_start = given.len();
    let mut parts = Parts::new(given.into_iter().chain(surname).collect());
    parts.prefixes = prefixes;
    parts.suffixes = suffixes;
    // last_start == words.len(): a first name and no last name.
    parts.last_start = Some(last_start);
    parts.build(&original)
}

// ---------------------------------------------------------------------------
// Phonetic keys

static DOUBLE_METAPHONE: LazyLock<DoubleMetaphone> = LazyLock::new(DoubleMetaphone::default);

/// Entries kept per thread in the phonetic-code cache before it is cleared.
const PHONETIC_CACHE_MAX: usize = 1 << 16;

thread_local! {
    /// Folded key → Double Metaphone code. Names repeat a lot in contact
    /// data and rphonetic costs ~0.5–0.9 µs a call; a hit costs ~0.05 µs.
    static PHONETIC_CACHE: RefCell<FastMap<Box<str>, Option<Box<str>>>> =
        RefCell::new(FastMap::default());
}

/// Double Metaphone primary code of a folded key, spaces removed; `None`
/// when it is empty (e.g. digits only).
fn phonetic(key: &str) -> Option<String> {
    if let Some(hit) = PHONETIC_CACHE.with_borrow(|c| c.get(key).cloned()) {
        return hit.map(String::from);
    }
    let code = if key.contains(' ') {
        DOUBLE_METAPHONE.encode(&key.replace(' ', ""))
    } else {
        DOUBLE_METAPHONE.encode(key)
    };
    let code = (!code.is_empty()).then_some(code);
    PHONETIC_CACHE.with_borrow_mut(|c| {
        if c.len() >= PHONETIC_CACHE_MAX {
            c.clear();
        }
        c.insert(key.into(), code.as_deref().map(Box::from));
    });
    code
}

// ---------------------------------------------------------------------------
// Nicknames

const NICKNAMES_CSV: &str = include_str!("../data/nicknames.csv");
const FIRST_NAME_FREQ_CSV: &str = include_str!("../data/first_name_freq.csv");
const NICKNAME_OVERRIDES_CSV: &str = include_str!("../data/nickname_overrides.csv");

struct NicknameTable {
    /// Nickname key → all formal names, most frequent first (see
    /// [`formal_first_key`]).
    formals: FastMap<&'static str, Vec<&'static str>>,
    /// Nickname key → the formal key chosen for `formal_first_key`.
    chosen: FastMap<&'static str, &'static str>,
}

/// A table name as a folded key, borrowed from the embedded data when it is
/// already folded (all but a handful, e.g. "k.c."), otherwise leaked once.
fn static_key(name: &'static str) -> &'static str {
    let k = fold(name);
    if k == name {
        name
    } else {
        Box::leak(k.into_boxed_str())
    }
}

static NICKNAMES: LazyLock<NicknameTable> = LazyLock::new(|| {
    let mut freq: FastMap<&'static str, f64> = FastMap::default();
    for line in FIRST_NAME_FREQ_CSV.lines().skip(1) {
        if let Some((name, pct)) = line.split_once(',')
            && let Ok(p) = pct.trim().parse::<f64>()
        {
            freq.insert(name.trim(), p);
        }
    }
    let f = |n: &str| freq.get(n).copied().unwrap_or(0.0);

    let mut edges: Vec<(&'static str, &'static str)> = Vec::new();
    for line in NICKNAMES_CSV.lines().skip(1) {
        let mut it = line.split(',');
        let (Some(formal), Some("has_nickname"), Some(nick)) = (it.next(), it.next(), it.next())
        else {
            continue;
        };
        let (formal, nick) = (static_key(formal.trim()), static_key(nick.trim()));
        if !formal.is_empty() && !nick.is_empty() && formal != nick {
            edges.push((formal, nick));
        }
    }
    // The table lists about 140 pairs both ways (bill ⇄ william, mary ⇄
    // marie). Keep one direction: the formal name is the more frequent one,
    // then the longer one, then the alphabetically first.
    let edge_set: HashSet<(&str, &str)> = edges.iter().copied().collect();
    let formal_wins = |a: &str, b: &str| {
        f(a).total_cmp(&f(b))
            .then(a.len().cmp(&b.len()))
            .then(b.cmp(a))
            .is_gt()
    };
    let mut formals: FastMap<&'static str, Vec<&'static str>> = FastMap::default();
    for &(formal, nick) in &edges {
        if edge_set.contains(&(nick, formal)) && !formal_wins(formal, nick) {
            continue;
        }
        let v = formals.entry(nick).or_default();
        if !v.contains(&formal) {
            v.push(formal);
        }
    }
    for v in formals.values_mut() {
        v.sort_by(|a, b| f(b).total_cmp(&f(a)).then(a.cmp(b)));
    }

    let mut chosen: FastMap<&'static str, &'static str> = FastMap::default();
    for (&nick, v) in &formals {
        let best = v[0];
        // A nickname that is itself about as common a given name as its
        // most common formal name stays as it is (James, Larry, Betty).
        let pick = if f(nick) > 0.0 && f(nick) >= 0.5 * f(best) {
            nick
        } else {
            best
        };
        chosen.insert(nick, pick);
    }
    for line in NICKNAME_OVERRIDES_CSV.lines() {
        if line.starts_with('#') || line.starts_with("nickname,") {
            continue;
        }
        if let Some((nick, formal)) = line.split_once(',') {
            let (nick, formal) = (nick.trim(), formal.trim());
            let Some((&k, v)) = formals.get_key_value(nick) else {
                continue;
            };
            if formal == k {
                chosen.insert(k, k);
            } else if let Some(&fm) = v.iter().find(|&&x| x == formal) {
                chosen.insert(k, fm);
            }
        }
    }
    NicknameTable { formals, chosen }
});

/// All formal names of a nickname (folded key), most common first by the
/// 1990 US census first-name frequencies, ties alphabetical. Empty when the
/// key is not a known nickname. Source: carltonnorthern/nicknames.
///
/// `formal_names("bob")` → `["robert", "bobby", "bert"]` (the table is
/// genealogical and lists some odd pairs: use it for candidate expansion).
pub fn formal_names(first_key: &str) -> &'static [&'static str] {
    NICKNAMES
        .formals
        .get(first_key)
        .map(|v| v.as_slice())
        .unwrap_or(&[])
}

/// The formal first-name key used as `formal_first_key`. Deterministic rule:
///
/// 1. a hand-picked override (`data/nickname_overrides.csv`: bill →
///    william, where the table also offers robert; jan → jan, a given name
///    in its own right rather than a short form of janet), else
/// 2. the key itself when it is not a nickname, or when it is itself a given
///    name at least half as frequent (US census 1990) as its most frequent
///    formal name (james, larry, betty stay), else
/// 3. its most frequent formal name, ties broken alphabetically
///    (bob → robert, liz → elizabeth, jim → james).
pub fn formal_first_key(first_key: &str) -> &str {
    NICKNAMES
        .chosen
        .get(first_key)
        .copied()
        .unwrap_or(first_key)
}

/// True when two folded first-name keys are the same, one is a nickname of
/// the other, or they share a formal name ("bob" / "robert", "bill" /
/// "william", "bob" / "rob"). Empty keys never match.
pub fn names_match_via_nickname(a_key: &str, b_key: &str) -> bool {
    if a_key.is_empty() || b_key.is_empty() {
        return false;
    }
    if a_key == b_key {
        return true;
    }
    let fa = formal_names(a_key);
    let fb = formal_names(b_key);
    fa.contains(&b_key) || fb.contains(&a_key) || fa.iter().any(|x| fb.contains(x))
}

/// For each formal first-name key (as `formal_first_key` chooses it), the
/// initials of every name it stands for: william → b (bill), w (will,
/// william). Built from the chosen formal names, not from every formal name
/// the genealogical table lists (which also maps bill to fred and robert).
static INITIALS: LazyLock<FastMap<&'static str, Vec<u8>>> = LazyLock::new(|| {
    let mut m: FastMap<&'static str, Vec<u8>> = FastMap::default();
    for (&nick, &formal) in &NICKNAMES.chosen {
        for name in [nick, formal] {
            let v = m.entry(formal).or_default();
            if let Some(&c) = name.as_bytes().first()
                && !v.contains(&c)
            {
                v.push(c);
            }
        }
    }
    m
});

/// True when the one-letter folded `initial` may stand for the folded
/// first-name key `name`: its first letter, or that of a name sharing its
/// formal name ("B." for William, as Bill; "W." for Bill; "B." for Liz, as
/// Beth). Anything but one ASCII letter is no initial.
pub fn initial_fits(initial: &str, name: &str) -> bool {
    let &[c] = initial.as_bytes() else {
        return false;
    };
    if !c.is_ascii_alphabetic() {
        return false;
    }
    name.as_bytes().first() == Some(&c)
        || INITIALS
            .get(formal_first_key(name))
            .is_some_and(|v| v.contains(&c))
}

/// Number of distinct nicknames and of distinct formal names in the
/// embedded table (for reports and tests).
pub fn nickname_table_size() -> (usize, usize) {
    let t = &*NICKNAMES;
    let mut formal: Vec<&str> = t.formals.values().flatten().copied().collect();
    formal.sort_unstable();
    formal.dedup();
    (t.formals.len(), formal.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_fit_nicknames_and_formal_names() {
        assert!(initial_fits("b", "william"), "Bill");
        assert!(initial_fits("w", "bill"), "William");
        assert!(initial_fits("w", "william"));
        assert!(!initial_fits("k", "william"));
        assert!(!initial_fits("b", "zoltan"));
        // Two steps: Liz and Beth are both Elizabeth.
        assert!(initial_fits("b", "liz"));
        // Only the chosen formal name counts: the table also lists bill as a
        // nickname of fred and robert.
        assert!(!initial_fits("f", "bill") && !initial_fits("r", "bill"));
        // Only one ASCII letter is an initial.
        assert!(
            !initial_fits("bo", "bob") && !initial_fits("", "bob") && !initial_fits("1", "bob")
        );
    }

    #[test]
    fn nickname_rule() {
        for (nick, formal) in [
            ("bob", "robert"),
            ("bill", "william"),
            ("liz", "elizabeth"),
            ("jim", "james"),
            ("james", "james"),
            ("peggy", "margaret"),
            ("zzz", "zzz"),
            ("jan", "jan"),
        ] {
            assert_eq!(formal_first_key(nick), formal, "{nick}");
        }
    }

    #[test]
    fn every_override_applies() {
        for line in NICKNAME_OVERRIDES_CSV
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .skip(1)
        {
            let (nick, formal) = line.split_once(',').unwrap();
            assert!(!formal_names(nick).is_empty(), "{nick} is not a nickname");
            assert_eq!(formal_first_key(nick), formal, "{nick}");
        }
    }

    #[test]
    fn a_name_wholly_in_quotes_or_brackets_is_kept() {
        for (first, last) in [("“Ann”", "“Lee”"), ("\"Ann\"", "Lee"), ("(Ann)", "[Lee]")] {
            let n = from_parts(first, last);
            assert_eq!(n.first.as_deref(), Some("Ann"), "{first}");
            assert_eq!(n.last.as_deref(), Some("Lee"), "{last}");
        }
        // Invisible characters pasted into a name are no part of it.
        let n = from_parts("An\u{0}n", "L\u{200B}ee");
        assert_eq!(
            (n.first.as_deref(), n.last.as_deref()),
            (Some("Ann"), Some("Lee"))
        );
        // A nickname in quotes beside the name is still dropped.
        let n = parse_full_name("Robert \"Bob\" Smith");
        assert_eq!(n.first.as_deref(), Some("Robert"));
        assert_eq!(n.last.as_deref(), Some("Smith"));
    }

    #[test]
    fn shouted() {
        assert!(is_shouted("DUPONT"));
        assert!(!is_shouted("Ii"));
        assert!(!is_shouted("Dupont"));
        assert!(!is_shouted("A."));
    }
}
