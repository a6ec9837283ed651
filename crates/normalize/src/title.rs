//! Job titles → seniority, department and buying-committee role.
//!
//! [`classify_title`] turns a free-text job title into a [`JobTitle`]: the
//! original, a `normalized` form (folded with [`crate::text::fold`],
//! abbreviations expanded: `"Sr. VP, Mktg"` → `"senior vice president
//! marketing"`), and three optional labels. Everything is read from the
//! normalized form, so `classify_title(&t.normalized)` gives the same labels
//! as the original and the same `normalized` (idempotence).
//!
//! ```
//! use firmlink_normalize::title::{classify_title, BuyingRole, Department, Seniority};
//!
//! let t = classify_title("Sr. VP, Mktg");
//! assert_eq!(t.normalized, "senior vice president marketing");
//! assert_eq!(t.seniority, Some(Seniority::Vp));
//! assert_eq!(t.department, Some(Department::Marketing));
//! assert_eq!(t.role, Some(BuyingRole::EconomicBuyer));
//!
//! let t = classify_title("Leiter Vertrieb");
//! assert_eq!((t.seniority, t.department), (Some(Seniority::Director), Some(Department::Sales)));
//! ```
//!
//! # Pipeline
//!
//! 1. Chinese, Japanese and Korean title words are replaced by English words
//!    (`data/title_cjk.csv`; `営業部長` → `sales department head`), because
//!    transliteration alone gives syllables without meaning.
//! 2. [`fold`]: NFKC, lowercase, ASCII, punctuation to single spaces.
//! 3. Runs of one- and two-letter words are joined when they spell an
//!    abbreviation (`c e o`, `r d` from `R&D`, `fp a` from `FP&A`), and
//!    abbreviations are expanded
//!    (`data/title_abbreviations.csv`). A few depend on position: `eng`, `dev`,
//!    `admin`, `acct` read as the person noun when they end the title
//!    (`Software Eng.` → `software engineer`) and as the function otherwise
//!    (`VP Eng` → `vice president engineering`).
//! 4. Words unknown to the lexicon are, in order, split as compounds
//!    (`vertriebsleiter` = `vertrieb` + `leiter`, `inkopschef` = `inkop` +
//!    `chef`, `accountmanager`), read by a known function prefix
//!    (`qualitatsmanagement` → quality), or corrected when they are one edit
//!    (insertion, deletion, substitution or swap) away from a lexicon word of
//!    five letters or more (`manger`, `Presdient`, `Sofware`).
//! 5. The longest lexicon phrase is matched at each word
//!    (`data/title_terms.csv`), skipping filler words (`of`, `and`, `de`,
//!    `der`, …), so `head of it` and `directeur des systèmes d'information`
//!    need no special entries. `chief … officer` with up to four words in
//!    between is a C-level term whose department comes from those words
//!    (`Chief Happiness Officer`, `Chief AI Officer`).
//!
//! # Seniority
//!
//! The highest rank named anywhere wins (`Head of IT / CISO` → C-level,
//! `Assistant Manager` → manager). Decisions:
//!
//! * **C-level** also holds owners and founders: `Founder`, `Owner`,
//!   `Proprietor`, `Self-employed`, `Partner` (not `Partner Manager`,
//!   `HR Business Partner`), `President` (not `Vice President`), `Chairman`,
//!   board members, `General Counsel`, and **`Managing Director`**: in
//!   EMEA the managing director (Geschäftsführer, directeur général) is the
//!   statutory head of the company. A bank's "MD, Investment Banking" is
//!   really a senior rank, which this rule gets wrong.
//!   `Partner` and `Principal` count only when nothing else in the title
//!   gives a rank: `Partner, Tax` and `Principal` are owners, but
//!   `Partner Marketing Manager` is a manager and `Principal Engineer` an
//!   individual contributor.
//! * **VP**: vice presidents (SVP, EVP, AVP, RVP), `Bereichsleiter`,
//!   division heads (`本部長`).
//! * **Director**: director words in every language, `Head of X`, `Leiter`,
//!   `Abteilungsleiter`, `Chief Architect`/`Chief of Staff` (a chief that is
//!   not an officer), `General Manager` and `Country Manager` (they run a
//!   unit, often a whole subsidiary), `Plant Manager`, `Executive Director`.
//! * **Manager**: managers, supervisors, team leads, `Responsable`,
//!   `Gerente`, `Jefe`, `chef de …`; `X Lead` when no later word gives a rank
//!   (`Marketing Lead`, but `Lead Engineer` and `Tech Lead` are individual
//!   contributors).
//! * **Individual contributor**: everyone else with a job noun. Some
//!   "manager" titles are quota-carrying or customer-facing individual roles
//!   and are labelled so: account manager (key, national, senior, territory),
//!   business development manager, customer success manager, technical
//!   account manager, associate product manager.
//! * No seniority for titles without a job noun: `Sales`, `Student`,
//!   `Retired`, `n/a`.
//!
//! # Departments
//!
//! [`Department`] lists the functions a B2B seller targets. `Executive` is
//! the general-management office (CEO, founder, owner, president, managing
//! director, general manager, chief of staff, strategy and corporate
//! development, executive assistants). `Other` is a named function outside
//! the list (clinicians, teachers, pilots, physical security); `None` means
//! the title names no function (`Consultant`, `Director`, `Manager`).
//! Notable choices: RevOps, partnerships and business development → sales;
//! growth, communications, PR, brand, design of marketing material → marketing;
//! UX and product design → product; payroll → HR; risk → finance;
//! compliance and privacy → legal; support and implementation → customer
//! success; "technology" → IT (but the CTO → engineering); DevOps/SRE →
//! engineering; architects of enterprise, solutions and cloud → IT.
//!
//! A function word is *strong* (`sales`, `finance`) or *weak* (the default of
//! a job noun: `engineer` → engineering, `recruiter` → HR). The department
//! is, in order: a strong function of the highest-ranked term, preferring a
//! real function over `Executive` (`Co-founder & CTO` → engineering,
//! `Owner / Sales Manager` → executive); the first strong function in the
//! title (`VP Sales & Marketing` → sales, `Sales Engineer` → sales); the weak
//! function of the highest-ranked term (`Technical Recruiter` → HR); the
//! first weak function; and finally a function named after "to"
//! (`Assistant to the VP of Sales` → sales, with no rank taken from the VP).
//! Weak functions only count in titles with a rank: `Test` or `Technical`
//! alone name no department.
//!
//! # Buying-committee roles
//!
//! [`BuyingCommittee`] holds the *target departments*: the functions that use
//! and pay for what is being sold. The default, for a seller that does not
//! know better, is every function except `Executive` and `Other`. Rules, in
//! order (the first that applies wins):
//!
//! 1. No seniority → no role.
//! 2. `Executive` at director level or above (CEO, founder, owner, managing
//!    director, general manager) → **executive sponsor**; executive
//!    assistants → no role.
//! 3. Finance or procurement at director level or above → **economic buyer**
//!    (they sign off spend whatever is bought).
//! 4. C-level outside the target departments, or with no department →
//!    **executive sponsor** (e.g. the chief medical officer).
//! 5. Director, VP or C-level in a target department → **economic buyer**
//!    (the head of the buying department holds the budget).
//! 6. Engineering, IT, security or data below director, or above it outside
//!    the targets → **technical evaluator**.
//! 7. Managers and individual contributors in a target department → **end
//!    user**.
//! 8. Anything else → no role (a nurse when the targets are the defaults;
//!    a title without a department).
//!
//! # Measured agreement
//!
//! `data/titles_labelled.csv` holds hand-labelled titles (labelled before
//! this classifier was written; debatable labels carry a note). [`agreement`]
//! compares the classifier with such labels field by field.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::Serialize;

use crate::text::fold;

macro_rules! label_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $s:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The snake_case name, as serialised.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseLabelError;

            /// Parses the snake_case name (as written by `as_str`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(ParseLabelError { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }
    };
}

label_enum! {
    /// How senior a title is. Owners, founders, partners and presidents are
    /// `CLevel` (see the module docs).
    pub enum Seniority {
        CLevel => "c_level",
        Vp => "vp",
        Director => "director",
        Manager => "manager",
        IndividualContributor => "individual_contributor",
    }
}

impl Seniority {
    /// 4 for C-level down to 0 for an individual contributor.
    pub const fn rank(self) -> u8 {
        match self {
            Seniority::CLevel => 4,
            Seniority::Vp => 3,
            Seniority::Director => 2,
            Seniority::Manager => 1,
            Seniority::IndividualContributor => 0,
        }
    }
}

label_enum! {
    /// The function a title belongs to (see the module docs for what goes where).
    pub enum Department {
        /// General management: CEO, founder, owner, MD, GM, chief of staff, strategy.
        Executive => "executive",
        Sales => "sales",
        Marketing => "marketing",
        Finance => "finance",
        /// Building the product: software, hardware, R&D, QA, DevOps.
        Engineering => "engineering",
        /// Internal systems: infrastructure, networks, help desk, ERP.
        It => "it",
        /// Supply chain, logistics, production, facilities, administration, projects.
        Operations => "operations",
        Hr => "hr",
        /// Legal, compliance, privacy, contracts.
        Legal => "legal",
        /// Product management, UX and product design.
        Product => "product",
        /// Customer success, support, service, onboarding.
        CustomerSuccess => "customer_success",
        Procurement => "procurement",
        /// Analytics, BI, data science, machine learning.
        Data => "data",
        /// Information security.
        Security => "security",
        /// A named function outside this list (clinical, teaching, …).
        Other => "other",
    }
}

impl Department {
    /// Engineering, IT, security and data: where technical evaluators sit.
    pub const fn is_technical(self) -> bool {
        matches!(
            self,
            Department::Engineering | Department::It | Department::Security | Department::Data
        )
    }

    const fn index(self) -> usize {
        self as usize
    }
}

label_enum! {
    /// The part a person plays in a B2B buying committee.
    pub enum BuyingRole {
        /// Holds the budget: heads of the buying department, finance and procurement heads.
        EconomicBuyer => "economic_buyer",
        /// Judges fit and risk: engineering, IT, security and data staff.
        TechnicalEvaluator => "technical_evaluator",
        /// Uses the product day to day.
        EndUser => "end_user",
        /// Backs the purchase from the top: CEO, founder, MD, other C-level.
        ExecutiveSponsor => "executive_sponsor",
    }
}

/// A label string that is not one of an enum's snake_case names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLabelError {
    /// The enum that was asked for, e.g. `"Seniority"`.
    pub kind: &'static str,
    /// The text that did not parse.
    pub value: String,
}

impl fmt::Display for ParseLabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a {} (expected one of its snake_case names)",
            self.value, self.kind
        )
    }
}

impl std::error::Error for ParseLabelError {}

/// A classified job title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobTitle {
    /// The input, unchanged.
    pub original: String,
    /// Folded, CJK words translated, abbreviations expanded:
    /// `"Sr. VP, Mktg"` → `"senior vice president marketing"`.
    pub normalized: String,
    pub seniority: Option<Seniority>,
    pub department: Option<Department>,
    pub role: Option<BuyingRole>,
}

/// Which departments use and pay for what is being sold; decides the
/// buying-committee role (rules in the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyingCommittee {
    targets: [bool; Department::ALL.len()],
}

impl Default for BuyingCommittee {
    /// Every department except `Executive` and `Other`.
    fn default() -> Self {
        let mut targets = [true; Department::ALL.len()];
        targets[Department::Executive.index()] = false;
        targets[Department::Other.index()] = false;
        BuyingCommittee { targets }
    }
}

impl BuyingCommittee {
    /// A committee whose target (buying and using) departments are `targets`.
    pub fn new(targets: &[Department]) -> Self {
        let mut t = [false; Department::ALL.len()];
        for d in targets {
            t[d.index()] = true;
        }
        BuyingCommittee { targets: t }
    }

    /// True when `d` is a target department.
    pub fn is_target(&self, d: Department) -> bool {
        self.targets[d.index()]
    }

    /// The target departments, in [`Department::ALL`] order.
    pub fn targets(&self) -> impl Iterator<Item = Department> + '_ {
        Department::ALL
            .iter()
            .copied()
            .filter(|d| self.is_target(*d))
    }

    /// The role of a person with this seniority and department.
    pub fn role(
        &self,
        seniority: Option<Seniority>,
        department: Option<Department>,
    ) -> Option<BuyingRole> {
        use BuyingRole::*;
        let s = seniority?;
        let head = s.rank() >= Seniority::Director.rank();
        match department {
            Some(Department::Executive) => head.then_some(ExecutiveSponsor),
            Some(Department::Finance | Department::Procurement) if head => Some(EconomicBuyer),
            d if s == Seniority::CLevel && d.is_none_or(|d| !self.is_target(d)) => {
                Some(ExecutiveSponsor)
            }
            Some(d) if head && self.is_target(d) => Some(EconomicBuyer),
            Some(d) if d.is_technical() => Some(TechnicalEvaluator),
            Some(d) if self.is_target(d) => Some(EndUser),
            _ => None,
        }
    }
}

static DEFAULT_COMMITTEE: LazyLock<BuyingCommittee> = LazyLock::new(BuyingCommittee::default);

/// Classifies a job title with the default [`BuyingCommittee`].
pub fn classify_title(s: &str) -> JobTitle {
    classify_title_with(s, &DEFAULT_COMMITTEE)
}

/// Classifies a job title, deciding the role with `committee`.
pub fn classify_title_with(s: &str, committee: &BuyingCommittee) -> JobTitle {
    let lex = &*LEXICON;
    let normalized = normalize_with(lex, s);
    let (seniority, department) = analyse(lex, &normalized);
    JobTitle {
        original: s.to_owned(),
        role: committee.role(seniority, department),
        normalized,
        seniority,
        department,
    }
}

/// The `normalized` form of a title alone (see [`JobTitle::normalized`]).
pub fn normalize_title(s: &str) -> String {
    normalize_with(&LEXICON, s)
}

// ---------------------------------------------------------------------------
// Lexicon
// ---------------------------------------------------------------------------

const TERMS_CSV: &str = include_str!("../data/title_terms.csv");
const ABBREVIATIONS_CSV: &str = include_str!("../data/title_abbreviations.csv");
const CJK_CSV: &str = include_str!("../data/title_cjk.csv");

/// Words skipped when matching phrases and deciding positions.
const FILLERS: &[&str] = &[
    "a", "and", "d", "das", "de", "del", "della", "den", "der", "des", "di", "die", "du", "e",
    "el", "en", "et", "for", "i", "ii", "iii", "in", "iv", "l", "la", "le", "les", "och", "of",
    "og", "po", "the", "und", "v", "van", "voor", "y",
];

fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "a" | "and"
            | "d"
            | "das"
            | "de"
            | "del"
            | "della"
            | "den"
            | "der"
            | "des"
            | "di"
            | "die"
            | "du"
            | "e"
            | "el"
            | "en"
            | "et"
            | "for"
            | "i"
            | "ii"
            | "iii"
            | "in"
            | "iv"
            | "l"
            | "la"
            | "le"
            | "les"
            | "och"
            | "of"
            | "og"
            | "po"
            | "the"
            | "und"
            | "v"
            | "van"
            | "voor"
            | "y"
    )
}

/// Place names and other common title words with no signal: known, so they
/// are neither split nor spell-corrected.
const QUIET: &[&str] = &[
    "africa",
    "america",
    "americas",
    "amer",
    "apac",
    "asia",
    "australia",
    "austria",
    "benelux",
    "canada",
    "central",
    "dach",
    "east",
    "emea",
    "europe",
    "france",
    "germany",
    "india",
    "italy",
    "japan",
    "latam",
    "mea",
    "nordics",
    "north",
    "south",
    "spain",
    "switzerland",
    "uk",
    "usa",
    "west",
    "western",
    "eastern",
    "northern",
    "southern",
    "worldwide",
];

const ALONE: u8 = 1;
const FINAL: u8 = 2;
const STOP: u8 = 4;
const AFTER_FUNCTION: u8 = 8;
const SUFFIX: u8 = 16;
const STEM: u8 = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    Weak,
    Strong,
}

#[derive(Debug, Clone, Copy)]
struct Term {
    seniority: Option<Seniority>,
    department: Option<(Department, Strength)>,
    flags: u8,
}

struct Phrase {
    /// Words after the first one.
    rest: Vec<&'static str>,
    term: Term,
}

struct Lexicon {
    /// First word → phrases starting with it, longest first.
    phrases: HashMap<&'static str, Vec<Phrase>>,
    /// Every word that appears in a phrase, plus fillers and quiet words.
    vocab: HashSet<&'static str>,
    /// Compound endings, longest first.
    suffixes: Vec<&'static str>,
    /// Compound beginnings (function words), longest first.
    stems: Vec<&'static str>,
    stem_set: HashSet<&'static str>,
    /// Deletion neighbourhood of lexicon words of ≥ 5 letters, for typos.
    fuzzy: HashMap<Box<str>, Vec<&'static str>>,
    abbreviations: HashMap<&'static str, (&'static str, Option<&'static str>)>,
    /// Words after which a positional abbreviation reads as the function.
    rank_words: HashSet<&'static str>,
    cjk: HashMap<&'static str, &'static str>,
    cjk_max_chars: usize,
}

static LEXICON: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::build().expect("bundled job-title tables are valid"));

/// Data lines of a bundled table: comments (`#`) and blank lines skipped,
/// header dropped.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
}

impl Lexicon {
    fn build() -> Result<Lexicon, String> {
        let mut phrases: HashMap<&'static str, Vec<Phrase>> = HashMap::new();
        let mut vocab: HashSet<&'static str> = HashSet::new();
        let mut suffixes = Vec::new();
        let mut stems = Vec::new();
        let mut rank_words: HashSet<&'static str> = HashSet::new();
        rank_words.extend(["of", "for"]);
        for (line, l) in data_lines(TERMS_CSV) {
            let f: Vec<&'static str> = l.split(',').collect();
            if f.len() != 5 {
                return Err(format!("title_terms.csv:{line}: expected 5 fields"));
            }
            let err = |e: ParseLabelError| format!("title_terms.csv:{line}: {e}");
            let seniority = opt(f[1])
                .map(Seniority::from_str)
                .transpose()
                .map_err(err)?;
            let department = opt(f[2])
                .map(Department::from_str)
                .transpose()
                .map_err(err)?;
            let strength = match f[3] {
                "strong" => Strength::Strong,
                "weak" => Strength::Weak,
                "" if department.is_none() => Strength::Weak,
                s => return Err(format!("title_terms.csv:{line}: bad strength {s:?}")),
            };
            let mut flags = 0;
            for flag in f[4].split_whitespace() {
                flags |= match flag {
                    "alone" => ALONE,
                    "final" => FINAL,
                    "stop" => STOP,
                    "after_function" => AFTER_FUNCTION,
                    "suffix" => SUFFIX,
                    "stem" => STEM,
                    _ => return Err(format!("title_terms.csv:{line}: unknown flag {flag:?}")),
                };
            }
            let words: Vec<&'static str> = f[0].split(' ').collect();
            if words
                .iter()
                .any(|w| w.is_empty() || !is_folded_word(w) || is_filler(w))
            {
                return Err(format!(
                    "title_terms.csv:{line}: {:?} must be folded, no fillers",
                    f[0]
                ));
            }
            if flags & (SUFFIX | STEM) != 0 && words.len() != 1 {
                return Err(format!(
                    "title_terms.csv:{line}: compound parts are single words"
                ));
            }
            if flags & SUFFIX != 0 {
                suffixes.push(words[0]);
            }
            if flags & STEM != 0 {
                stems.push(words[0]);
            }
            if words.len() == 1 && seniority.is_some_and(|s| s != Seniority::IndividualContributor)
            {
                rank_words.insert(words[0]);
            }
            vocab.extend(words.iter().copied());
            let term = Term {
                seniority,
                department: department.map(|d| (d, strength)),
                flags,
            };
            let list = phrases.entry(words[0]).or_default();
            if list.iter().any(|p| p.rest == words[1..]) {
                return Err(format!(
                    "title_terms.csv:{line}: duplicate phrase {:?}",
                    f[0]
                ));
            }
            list.push(Phrase {
                rest: words[1..].to_vec(),
                term,
            });
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.rest.len()));
        }
        vocab.extend(FILLERS.iter().copied());
        vocab.extend(QUIET.iter().copied());
        vocab.insert("to");
        suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
        stems.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let stem_set = stems.iter().copied().collect();

        let mut fuzzy: HashMap<Box<str>, Vec<&'static str>> = HashMap::new();
        let mut words: Vec<&'static str> = vocab
            .iter()
            .copied()
            .filter(|w| w.len() >= 5 && !QUIET.contains(w))
            .collect();
        words.sort_unstable();
        for w in words {
            fuzzy.entry(w.into()).or_default().push(w);
            for i in 0..w.len() {
                let mut d = String::with_capacity(w.len() - 1);
                d.push_str(&w[..i]);
                d.push_str(&w[i + 1..]);
                let e = fuzzy.entry(d.into_boxed_str()).or_default();
                if !e.contains(&w) {
                    e.push(w);
                }
            }
        }

        let mut abbreviations = HashMap::new();
        for (line, l) in data_lines(ABBREVIATIONS_CSV) {
            let f: Vec<&'static str> = l.split(',').collect();
            if f.len() != 3 || !is_folded_word(f[0]) {
                return Err(format!("title_abbreviations.csv:{line}: expected 3 fields"));
            }
            abbreviations.insert(f[0], (f[1], opt(f[2])));
        }
        for (k, (e, fe)) in &abbreviations {
            for w in e.split(' ').chain(fe.iter().flat_map(|s| s.split(' '))) {
                if abbreviations.contains_key(w) || w.len() < 2 {
                    return Err(format!(
                        "abbreviation {k:?}: expansion word {w:?} is itself a key"
                    ));
                }
            }
        }

        let mut cjk = HashMap::new();
        let mut cjk_max_chars = 0;
        for (line, l) in data_lines(CJK_CSV) {
            let (term, english) = l
                .split_once(',')
                .ok_or(format!("title_cjk.csv:{line}: expected 2 fields"))?;
            cjk_max_chars = cjk_max_chars.max(term.chars().count());
            cjk.insert(term, english);
        }

        Ok(Lexicon {
            phrases,
            vocab,
            suffixes,
            stems,
            stem_set,
            fuzzy,
            abbreviations,
            rank_words,
            cjk,
            cjk_max_chars,
        })
    }

    fn is_known(&self, w: &str) -> bool {
        self.vocab.contains(w) || w.bytes().all(|b| b.is_ascii_digit())
    }

    /// Splits a compound into stem + suffix, or suffix alone, or stem alone.
    fn split_compound<'a>(&self, w: &'a str, out: &mut Vec<&'a str>) -> bool {
        let mut suffix_only = None;
        for &suf in &self.suffixes {
            if w.len() < suf.len() + 3 || !w.ends_with(suf) {
                continue;
            }
            let stem = &w[..w.len() - suf.len()];
            let stem_s = stem.strip_suffix('s').unwrap_or(stem);
            if let Some(&s) = self
                .stem_set
                .get(stem)
                .or_else(|| self.stem_set.get(stem_s))
            {
                out.push(s);
                out.push(suf);
                return true;
            }
            suffix_only.get_or_insert(suf);
        }
        if let Some(suf) = suffix_only {
            out.push(suf);
            return true;
        }
        for &stem in &self.stems {
            if stem.len() >= 4 && w.len() >= stem.len() + 3 && w.starts_with(stem) {
                out.push(stem);
                return true;
            }
        }
        false
    }

    /// The lexicon word one edit away from `w` (the alphabetically first
    /// when several are).
    fn correct(&self, w: &str) -> Option<&'static str> {
        const MAX: usize = 40;
        if w.len() < 5 || w.len() > MAX || !w.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        let mut best: Option<&'static str> = None;
        let mut consider = |key: &str| {
            for &c in self.fuzzy.get(key).map_or(&[][..], Vec::as_slice) {
                if osa_at_most_one(w, c) && best.is_none_or(|b| c < b) {
                    best = Some(c);
                }
            }
        };
        consider(w);
        let bytes = w.as_bytes();
        let mut buf = [0u8; MAX];
        for i in 0..bytes.len() {
            buf[..i].copy_from_slice(&bytes[..i]);
            buf[i..bytes.len() - 1].copy_from_slice(&bytes[i + 1..]);
            // Deleting one ASCII byte keeps the text valid UTF-8.
            if let Ok(key) = std::str::from_utf8(&buf[..bytes.len() - 1]) {
                consider(key);
            }
        }
        best
    }
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn is_folded_word(w: &str) -> bool {
    !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Optimal-string-alignment distance ≤ 1 (ASCII).
fn osa_at_most_one(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[p..], &b[p..]);
    match a.len() as isize - b.len() as isize {
        0 => a[1..] == b[1..] || (a.len() >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..]),
        1 => a[1..] == *b,
        -1 => *a == b[1..],
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

fn replace_cjk<'a>(lex: &Lexicon, s: &'a str) -> Cow<'a, str> {
    if s.is_ascii() || !s.chars().any(is_cjk) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() * 2);
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let mut i = 0;
    'outer: while i + 1 < bounds.len() {
        let max = lex.cjk_max_chars.min(bounds.len() - 1 - i);
        for n in (1..=max).rev() {
            if let Some(en) = lex.cjk.get(&s[bounds[i]..bounds[i + n]]) {
                out.push(' ');
                out.push_str(en);
                out.push(' ');
                i += n;
                continue 'outer;
            }
        }
        out.push_str(&s[bounds[i]..bounds[i + 1]]);
        i += 1;
    }
    Cow::Owned(out)
}

fn normalize_with(lex: &Lexicon, s: &str) -> String {
    let folded = fold(&replace_cjk(lex, s));
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    // Join runs of one- and two-letter words that spell an abbreviation
    // ("c e o", "r d" from "R&D", "fp a" from "FP&A"); the longest run wins.
    let mut joined: Vec<Cow<str>> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let short = |w: &str| w.len() <= 2;
        let mut run_end = i;
        while run_end < words.len() && run_end < i + 4 && short(words[run_end]) {
            run_end += 1;
        }
        let hit = (i + 2..=run_end).rev().find_map(|j| {
            let run: String = words[i..j].concat();
            lex.abbreviations
                .contains_key(run.as_str())
                .then_some((run, j))
        });
        match hit {
            Some((run, j)) => {
                joined.push(Cow::Owned(run));
                i = j;
            }
            None => {
                joined.push(Cow::Borrowed(words[i]));
                i += 1;
            }
        }
    }
    let mut out = String::with_capacity(folded.len() + 16);
    let mut prev: &str = "";
    let n = joined.len();
    for (k, w) in joined.iter().enumerate() {
        let w = w.as_ref();
        let piece = match lex.abbreviations.get(w) {
            Some(&(_, Some(fin))) if k + 1 == n && !lex.rank_words.contains(prev) => fin,
            Some(&(exp, _)) => exp,
            None => w,
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
        prev = piece.rsplit(' ').next().unwrap_or(piece);
    }
    out
}

// ---------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Hit {
    term: Term,
    after_stop: bool,
    /// Dropped by the `alone`/`final` rules.
    dropped: bool,
}

/// Resolves the words of a normalized title into lexicon words.
fn resolve<'a>(lex: &Lexicon, normalized: &'a str) -> Vec<&'a str> {
    let mut out = Vec::with_capacity(8);
    for w in normalized.split(' ') {
        if w.is_empty() || is_filler(w) {
            continue;
        }
        if lex.is_known(w) {
            out.push(w);
        } else if !lex.split_compound(w, &mut out) {
            out.push(lex.correct(w).unwrap_or(w));
        }
    }
    out
}

/// Longest phrase starting at `words[i]`: (term, words consumed).
fn match_at(lex: &Lexicon, words: &[&str], i: usize) -> Option<(Term, usize)> {
    let list = lex.phrases.get(words[i])?;
    list.iter()
        .find(|p| words.len() > i + p.rest.len() && words[i + 1..=i + p.rest.len()] == p.rest[..])
        .map(|p| (p.term, 1 + p.rest.len()))
}

fn first_department(hits: &[Hit], strength: Strength) -> Option<Department> {
    hits.iter()
        .filter(|h| !h.dropped)
        .filter_map(|h| h.term.department)
        .find(|(_, s)| *s == strength)
        .map(|(d, _)| d)
}

fn analyse(lex: &Lexicon, normalized: &str) -> (Option<Seniority>, Option<Department>) {
    let words = resolve(lex, normalized);
    let mut hits: Vec<Hit> = Vec::with_capacity(words.len());
    let mut after_stop = false;
    let mut i = 0;
    while i < words.len() {
        let Some((mut term, mut len)) = match_at(lex, &words, i) else {
            i += 1;
            continue;
        };
        if words[i] == "chief" && len == 1 {
            // "chief <up to four words> officer" is a C-level title.
            if let Some(k) = (i + 1..words.len().min(i + 6)).find(|&k| words[k] == "officer") {
                let mut inner = Vec::new();
                let mut j = i + 1;
                while j < k {
                    match match_at(lex, &words[..k], j) {
                        Some((t, l)) => {
                            inner.push(Hit {
                                term: t,
                                after_stop: false,
                                dropped: false,
                            });
                            j += l;
                        }
                        None => j += 1,
                    }
                }
                let dept = first_department(&inner, Strength::Strong)
                    .map(|d| (d, Strength::Strong))
                    .or_else(|| {
                        first_department(&inner, Strength::Weak).map(|d| (d, Strength::Weak))
                    });
                term = Term {
                    seniority: Some(Seniority::CLevel),
                    department: dept,
                    flags: 0,
                };
                len = k + 1 - i;
            }
        }
        if term.flags & AFTER_FUNCTION != 0
            && hits
                .last()
                .is_some_and(|h| h.term.seniority.is_none() && h.term.department.is_some())
        {
            term = Term {
                seniority: Some(Seniority::Director),
                department: None,
                flags: 0,
            };
        }
        if term.flags & STOP != 0 {
            after_stop = true;
        } else {
            hits.push(Hit {
                term,
                after_stop,
                dropped: false,
            });
        }
        i += len;
    }

    let split = hits.iter().position(|h| h.after_stop).unwrap_or(hits.len());
    let (main, tail) = hits.split_at_mut(split);
    // `alone` terms only count when nothing else gives a rank.
    let ranked_plain = main
        .iter()
        .any(|h| h.term.seniority.is_some() && h.term.flags & ALONE == 0);
    for h in main.iter_mut() {
        if h.term.flags & ALONE != 0 && ranked_plain {
            h.dropped = true;
        }
    }
    // `final` terms only give a rank when no later term does.
    for k in 0..main.len() {
        if main[k].term.flags & FINAL != 0
            && main[k + 1..]
                .iter()
                .any(|h| !h.dropped && h.term.seniority.is_some())
        {
            main[k].dropped = true;
        }
    }
    let seniority = main
        .iter()
        .filter(|h| !h.dropped)
        .filter_map(|h| h.term.seniority)
        .max_by_key(|s| s.rank());

    let top = |h: &&Hit| !h.dropped && seniority.is_some() && h.term.seniority == seniority;
    let top_strong = || {
        main.iter()
            .filter(top)
            .filter_map(|h| h.term.department)
            .filter(|(_, s)| *s == Strength::Strong)
            .map(|(d, _)| d)
    };
    let department = top_strong()
        .find(|d| *d != Department::Executive)
        .or_else(|| top_strong().next())
        .or_else(|| first_department(main, Strength::Strong))
        .or_else(|| {
            main.iter()
                .filter(top)
                .filter_map(|h| h.term.department)
                .map(|(d, _)| d)
                .next()
        })
        .or_else(|| first_department(main, Strength::Weak).filter(|_| seniority.is_some()))
        .or_else(|| first_department(tail, Strength::Strong))
        .or_else(|| first_department(tail, Strength::Weak).filter(|_| seniority.is_some()));
    (seniority, department)
}

// ---------------------------------------------------------------------------
// Labelled titles and agreement
// ---------------------------------------------------------------------------

/// The bundled hand-labelled fixture (`data/titles_labelled.csv`).
pub const LABELLED_TITLES_CSV: &str = include_str!("../data/titles_labelled.csv");

/// One hand-labelled title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledTitle {
    pub title: String,
    pub seniority: Option<Seniority>,
    pub department: Option<Department>,
    pub role: Option<BuyingRole>,
    /// Why a label is debatable, if it is.
    pub note: String,
}

/// A line of a labelled-titles CSV that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelParseError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LabelParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for LabelParseError {}

/// Reads a labelled-titles CSV with the header
/// `title,seniority,department,role[,note]`; empty cells are `None`.
pub fn parse_labelled_titles(csv: &str) -> Result<Vec<LabelledTitle>, LabelParseError> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (i, line) in csv.lines().enumerate() {
        let line_no = i + 1;
        let err = |message: String| LabelParseError {
            line: line_no,
            message,
        };
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv_line(line).map_err(err)?;
        if !header_seen {
            header_seen = true;
            let names: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
            if names.get(..4) != Some(&["title", "seniority", "department", "role"][..]) {
                return Err(err(
                    "header must start with title,seniority,department,role".into(),
                ));
            }
            continue;
        }
        if fields.len() < 4 || fields.len() > 5 {
            return Err(err(format!(
                "expected 4 or 5 fields, found {}",
                fields.len()
            )));
        }
        let label = |k: usize| opt(fields[k].as_ref());
        rows.push(LabelledTitle {
            title: fields[0].to_string(),
            seniority: label(1)
                .map(str::parse)
                .transpose()
                .map_err(|e| err(format!("{e}")))?,
            department: label(2)
                .map(str::parse)
                .transpose()
                .map_err(|e| err(format!("{e}")))?,
            role: label(3)
                .map(str::parse)
                .transpose()
                .map_err(|e| err(format!("{e}")))?,
            note: fields.get(4).map(|n| n.to_string()).unwrap_or_default(),
        });
    }
    Ok(rows)
}

/// Splits one CSV line (RFC 4180 quoting, no line breaks inside fields).
pub(crate) fn split_csv_line(line: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(after) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next() {
                    None => return Err("unterminated quoted field".into()),
                    Some((k, '"')) => {
                        if after[k + 1..].starts_with('"') {
                            value.push('"');
                            chars.next();
                        } else {
                            break k + 1;
                        }
                    }
                    Some((_, c)) => value.push(c),
                }
            };
            fields.push(Cow::Owned(value));
            rest = &after[end..];
            match rest.strip_prefix(',') {
                Some(r) => rest = r,
                None if rest.is_empty() => return Ok(fields),
                None => return Err("text after a closing quote".into()),
            }
        } else {
            match rest.split_once(',') {
                Some((f, r)) => {
                    fields.push(Cow::Borrowed(f));
                    rest = r;
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

/// How often the classifier agrees with the labels on one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldAgreement {
    pub agree: usize,
    pub total: usize,
}

impl FieldAgreement {
    /// Agreement in percent (100 for no rows).
    pub fn percent(self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.agree as f64 / self.total as f64
        }
    }
}

impl fmt::Display for FieldAgreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}% ({}/{})", self.percent(), self.agree, self.total)
    }
}

/// One field where the classifier and the label differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TitleDisagreement {
    pub title: String,
    /// `"seniority"`, `"department"` or `"role"`.
    pub field: &'static str,
    pub expected: Option<&'static str>,
    pub got: Option<&'static str>,
}

/// Classifier-vs-label agreement over a set of labelled titles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TitleAgreement {
    pub seniority: FieldAgreement,
    pub department: FieldAgreement,
    pub role: FieldAgreement,
    /// Rows where all three fields agree.
    pub all: FieldAgreement,
    pub disagreements: Vec<TitleDisagreement>,
}

impl fmt::Display for TitleAgreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seniority {}, department {}, role {}, all three {}",
            self.seniority, self.department, self.role, self.all
        )
    }
}

/// Compares [`classify_title`] with the labels, field by field (`None`
/// labels count: the classifier must also say nothing).
pub fn agreement(rows: &[LabelledTitle]) -> TitleAgreement {
    let total = rows.len();
    let mut counts = [0usize; 4];
    let mut disagreements = Vec::new();
    for row in rows {
        let t = classify_title(&row.title);
        let fields = [
            (
                "seniority",
                row.seniority.map(Seniority::as_str),
                t.seniority.map(Seniority::as_str),
            ),
            (
                "department",
                row.department.map(Department::as_str),
                t.department.map(Department::as_str),
            ),
            (
                "role",
                row.role.map(BuyingRole::as_str),
                t.role.map(BuyingRole::as_str),
            ),
        ];
        let mut all = true;
        for (k, (field, expected, got)) in fields.into_iter().enumerate() {
            if expected == got {
                counts[k] += 1;
            } else {
                all = false;
                disagreements.push(TitleDisagreement {
                    title: row.title.clone(),
                    field,
                    expected,
                    got,
                });
            }
        }
        counts[3] += usize::from(all);
    }
    let fa = |agree| FieldAgreement { agree, total };
    TitleAgreement {
        seniority: fa(counts[0]),
        department: fa(counts[1]),
        role: fa(counts[2]),
        all: fa(counts[3]),
        disagreements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_builds() {
        let lex = Lexicon::build().unwrap();
        assert!(lex.phrases.contains_key("chief"));
        assert!(lex.suffixes.contains(&"leiter"));
    }

    #[test]
    fn filler_list_and_match_agree() {
        assert!(FILLERS.iter().all(|w| is_filler(w)));
        assert!(!is_filler("sales") && !is_filler("to"));
    }

    #[test]
    fn typo_correction() {
        let lex = &*LEXICON;
        for (typo, want) in [
            ("manger", Some("manager")),
            ("presdient", Some("president")),
            ("enginer", Some("engineer")),
            ("region", None),
            ("mgr", None),
        ] {
            assert_eq!(lex.correct(typo), want, "{typo}");
        }
    }

    #[test]
    fn osa() {
        for (a, b, want) in [
            ("manger", "manager", true),
            ("presdient", "president", true),
            ("sofware", "software", true),
            ("marketting", "marketing", true),
            ("direcor", "director", true),
            ("abc", "abd", true),
            ("abc", "acb", true),
            ("abc", "cab", false),
            ("manager", "manager", true),
            ("mgr", "manager", false),
        ] {
            assert_eq!(osa_at_most_one(a, b), want, "{a} {b}");
        }
    }

    #[test]
    fn csv_line() {
        let f = split_csv_line(r#"a,"b, c","d ""e""",,f"#).unwrap();
        assert_eq!(f, ["a", "b, c", "d \"e\"", "", "f"]);
        assert!(split_csv_line(r#""open"#).is_err());
        assert!(split_csv_line(r#""a"b"#).is_err());
    }
}
