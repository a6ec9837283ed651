//! What a caller (a pipeline file, or the `unify` crate) says about a
//! linkage, in Splink's words: the link type, blocking rules, comparisons
//! with ordered levels, training options and the probability threshold.
//!
//! These are plain serde structs (unknown keys are errors). They name
//! columns by string; [`Linker::new`](crate::Linker::new) checks them
//! against a [`Table`](crate::Table) and compiles them, reporting every
//! problem at once.
//!
//! As JSON (a pipeline TOML file holds the same keys):
//!
//! ```
//! # use firmlink_linkage::Settings;
//! let settings: Settings = serde_json::from_value(serde_json::json!({
//!     "link_type": "dedupe_only",
//!     "blocking_rules": [
//!         { "keys": ["surname", { "column": "given_name", "prefix": 1 }] },
//!         { "name": "dob", "keys": ["date_of_birth"] }
//!     ],
//!     "comparisons": [
//!         { "name": "surname", "column": "surname", "levels": [
//!             { "kind": "exact", "tf_adjustment": true },
//!             { "kind": "exact", "column": "surname_metaphone", "label": "same sound" },
//!             { "kind": "jaro_winkler", "threshold": 0.9 }
//!         ] },
//!         { "name": "dob", "column": "date_of_birth", "levels": [
//!             { "kind": "exact" },
//!             { "kind": "date_difference", "max": 1, "unit": "years" }
//!         ] }
//!     ]
//! }))?;
//! assert_eq!(settings.comparisons[0].levels.len(), 3);
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Deserialize, Serialize};

/// Which pairs of records are considered (Splink's `link_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    /// Every pair of records, whatever their dataset.
    #[default]
    DedupeOnly,
    /// Only pairs of records from different datasets.
    LinkOnly,
    /// Every pair (within and across datasets). Same pairs as `DedupeOnly`;
    /// kept apart because it states the intent and checks there are
    /// several datasets.
    LinkAndDedupe,
}

/// The whole configuration of a linkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Which pairs are considered.
    #[serde(default)]
    pub link_type: LinkType,
    /// Rules that generate candidate pairs; a pair is a candidate when any
    /// rule holds. At most 64 rules.
    pub blocking_rules: Vec<BlockingRule>,
    /// How two records are compared: one comparison per aspect (name,
    /// date of birth, email…), each with ordered levels.
    pub comparisons: Vec<Comparison>,
    /// Predicted pairs below this match probability are dropped.
    #[serde(default = "default_threshold")]
    pub threshold_match_probability: f64,
    /// Blocks (records sharing a rule's key) with more records than this
    /// are skipped and counted per rule, so that a frequent key ("gmail.com")
    /// cannot blow up memory.
    #[serde(default = "default_max_block_size")]
    pub max_block_size: u32,
    /// Stop with an error when blocking would produce more candidate pairs
    /// than this (checked rule by rule, before generating them).
    #[serde(default = "default_max_candidate_pairs")]
    pub max_candidate_pairs: u64,
    /// How parameters are estimated when they are not given.
    #[serde(default)]
    pub training: TrainingSettings,
}

fn default_threshold() -> f64 {
    0.01
}
fn default_max_block_size() -> u32 {
    5_000
}
fn default_max_candidate_pairs() -> u64 {
    100_000_000
}

impl Settings {
    /// Settings with defaults for everything but the rules and comparisons.
    pub fn new(
        link_type: LinkType,
        blocking_rules: Vec<BlockingRule>,
        comparisons: Vec<Comparison>,
    ) -> Settings {
        Settings {
            link_type,
            blocking_rules,
            comparisons,
            threshold_match_probability: default_threshold(),
            max_block_size: default_max_block_size(),
            max_candidate_pairs: default_max_candidate_pairs(),
            training: TrainingSettings::default(),
        }
    }
}

/// A blocking rule: the listed keys must all be equal and non-null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingRule {
    /// Name shown in reports and explanations (default: the keys joined
    /// with `&`, e.g. `surname & given_name[..1]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The keys, all of which must agree.
    pub keys: Vec<BlockingKey>,
}

impl BlockingRule {
    /// A rule on whole values of `columns`.
    pub fn on<I, S>(columns: I) -> BlockingRule
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        BlockingRule {
            name: None,
            keys: columns.into_iter().map(BlockingKey::column).collect(),
        }
    }

    /// Adds a key on the first `chars` characters of `column`.
    pub fn and_prefix(mut self, column: impl Into<String>, chars: u32) -> BlockingRule {
        self.keys.push(BlockingKey {
            column: column.into(),
            prefix: Some(chars),
        });
        self
    }

    /// Sets the rule's name.
    pub fn named(mut self, name: impl Into<String>) -> BlockingRule {
        self.name = Some(name.into());
        self
    }

    /// The rule's name as reports show it.
    pub fn display_name(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        self.keys
            .iter()
            .map(|k| match k.prefix {
                Some(p) => format!("{}[..{p}]", k.column),
                None => k.column.clone(),
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// One key of a blocking rule: a column, or the first `prefix` characters
/// of it. In files either `"surname"` or `{ column = "surname", prefix = 3 }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "KeyRepr", into = "KeyRepr")]
pub struct BlockingKey {
    /// The column.
    pub column: String,
    /// Only the first `prefix` characters count (a shorter value counts
    /// whole). Must be at least 1; only on string columns.
    pub prefix: Option<u32>,
}

impl BlockingKey {
    /// A key on the whole value of `column`.
    pub fn column(column: impl Into<String>) -> BlockingKey {
        BlockingKey {
            column: column.into(),
            prefix: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum KeyRepr {
    Column(String),
    Detailed(DetailedKey),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailedKey {
    column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prefix: Option<u32>,
}

impl From<KeyRepr> for BlockingKey {
    fn from(r: KeyRepr) -> Self {
        match r {
            KeyRepr::Column(column) => BlockingKey {
                column,
                prefix: None,
            },
            KeyRepr::Detailed(d) => BlockingKey {
                column: d.column,
                prefix: d.prefix,
            },
        }
    }
}

impl From<BlockingKey> for KeyRepr {
    fn from(k: BlockingKey) -> Self {
        match k.prefix {
            None => KeyRepr::Column(k.column),
            Some(p) => KeyRepr::Detailed(DetailedKey {
                column: k.column,
                prefix: Some(p),
            }),
        }
    }
}

/// A comparison: how one aspect of two records is compared, as ordered
/// levels. The engine adds the **null level** first (either record's
/// `column` is null: no evidence, weight 0) and the **else level** last
/// (nothing above matched); `levels` lists those in between, best first.
/// The first level that matches wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// Name in parameters, predictions and explanations (unique).
    pub name: String,
    /// The main column: its nulls decide the null level, and levels
    /// compare it unless they name another column.
    pub column: String,
    /// The levels between null and else, best first.
    pub levels: Vec<Level>,
}

impl Comparison {
    /// A comparison on `column` named after it, with no levels yet.
    pub fn new(column: impl Into<String>) -> Comparison {
        let column = column.into();
        Comparison {
            name: column.clone(),
            column,
            levels: Vec::new(),
        }
    }

    /// Renames the comparison.
    pub fn named(mut self, name: impl Into<String>) -> Comparison {
        self.name = name.into();
        self
    }

    /// Appends a level.
    pub fn level(mut self, level: Level) -> Comparison {
        self.levels.push(level);
        self
    }

    /// Exact match only (Splink's `ExactMatch`).
    pub fn exact(column: impl Into<String>) -> Comparison {
        Comparison::new(column).level(Level::exact())
    }

    /// Exact, then Jaro-Winkler at each threshold (best first), like
    /// Splink's `JaroWinklerAtThresholds`.
    pub fn jaro_winkler(column: impl Into<String>, thresholds: &[f64]) -> Comparison {
        let mut c = Comparison::exact(column);
        for &t in thresholds {
            c = c.level(Level::jaro_winkler(t));
        }
        c
    }

    /// Exact, then Levenshtein within each distance (smallest first).
    pub fn levenshtein(column: impl Into<String>, distances: &[u32]) -> Comparison {
        let mut c = Comparison::exact(column);
        for &d in distances {
            c = c.level(Level::levenshtein(d));
        }
        c
    }

    /// Splink's `NameComparison`: exact (term-frequency adjusted), then
    /// Jaro-Winkler ≥ 0.92, ≥ 0.88 and ≥ 0.70.
    pub fn name(column: impl Into<String>) -> Comparison {
        Comparison::new(column)
            .level(Level::exact().with_tf_adjustment())
            .level(Level::jaro_winkler(0.92))
            .level(Level::jaro_winkler(0.88))
            .level(Level::jaro_winkler(0.7))
    }
}

/// Units of [`Level::DateDifference`]. A month is 30.4375 days and a year
/// 365.25 days, as in Splink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateUnit {
    /// Days.
    #[default]
    Days,
    /// Months of 30.4375 days.
    Months,
    /// Years of 365.25 days.
    Years,
}

impl DateUnit {
    /// Length of the unit in days.
    pub fn days(self) -> f64 {
        match self {
            DateUnit::Days => 1.0,
            DateUnit::Months => 30.4375,
            DateUnit::Years => 365.25,
        }
    }
}

/// One level of a comparison. Every level compares the comparison's main
/// column unless `column` names another (e.g. a phonetic key or a
/// nickname-formal key). A level whose column is null on either side does
/// not match. Equal values match every level kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Level {
    /// Values are equal (any column kind).
    Exact {
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// Weigh a match on a frequent value less than on a rare one: the
        /// value's relative frequency replaces this level's `u`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        tf_adjustment: bool,
        /// Floor for the value frequency used by the adjustment (caps how
        /// much a very rare value can add).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tf_min_u: Option<f64>,
    },
    /// Jaro-Winkler similarity ≥ `threshold` (strings).
    JaroWinkler {
        /// In `(0, 1]`.
        threshold: f64,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Jaro similarity ≥ `threshold` (strings).
    Jaro {
        /// In `(0, 1]`.
        threshold: f64,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Levenshtein distance ≤ `max_distance` characters (strings).
    Levenshtein {
        /// At least 1.
        max_distance: u32,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Damerau-Levenshtein distance ≤ `max_distance` (strings).
    DamerauLevenshtein {
        /// At least 1.
        max_distance: u32,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Optimal-string-alignment distance ≤ `max_distance` (strings).
    Osa {
        /// At least 1.
        max_distance: u32,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Jaccard similarity of whitespace token sets ≥ `threshold` (strings).
    Jaccard {
        /// In `(0, 1]`.
        threshold: f64,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Token-set ratio ≥ `threshold` (strings; see
    /// [`similarity::token_set_ratio`](crate::similarity::token_set_ratio)).
    TokenSet {
        /// In `(0, 1]`.
        threshold: f64,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// `|a − b| ≤ max` (numbers).
    AbsoluteDifference {
        /// Finite, ≥ 0.
        max: f64,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// `|a − b| ≤ max · max(|a|, |b|)` (numbers).
    RelativeDifference {
        /// Finite, ≥ 0.
        max: f64,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Dates at most `max` units apart.
    DateDifference {
        /// Finite, ≥ 0.
        max: f64,
        /// Unit of `max` (default days).
        #[serde(default)]
        unit: DateUnit,
        /// Column compared (default: the comparison's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        /// Label in explanations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
}

impl Level {
    /// Exact match on the comparison's column.
    pub fn exact() -> Level {
        Level::Exact {
            column: None,
            label: None,
            tf_adjustment: false,
            tf_min_u: None,
        }
    }
    /// Jaro-Winkler ≥ `threshold`.
    pub fn jaro_winkler(threshold: f64) -> Level {
        Level::JaroWinkler {
            threshold,
            column: None,
            label: None,
        }
    }
    /// Jaro ≥ `threshold`.
    pub fn jaro(threshold: f64) -> Level {
        Level::Jaro {
            threshold,
            column: None,
            label: None,
        }
    }
    /// Levenshtein ≤ `max_distance`.
    pub fn levenshtein(max_distance: u32) -> Level {
        Level::Levenshtein {
            max_distance,
            column: None,
            label: None,
        }
    }
    /// Damerau-Levenshtein ≤ `max_distance`.
    pub fn damerau_levenshtein(max_distance: u32) -> Level {
        Level::DamerauLevenshtein {
            max_distance,
            column: None,
            label: None,
        }
    }
    /// Optimal string alignment ≤ `max_distance`.
    pub fn osa(max_distance: u32) -> Level {
        Level::Osa {
            max_distance,
            column: None,
            label: None,
        }
    }
    /// Token Jaccard ≥ `threshold`.
    pub fn jaccard(threshold: f64) -> Level {
        Level::Jaccard {
            threshold,
            column: None,
            label: None,
        }
    }
    /// Token-set ratio ≥ `threshold`.
    pub fn token_set(threshold: f64) -> Level {
        Level::TokenSet {
            threshold,
            column: None,
            label: None,
        }
    }
    /// `|a − b| ≤ max`.
    pub fn absolute_difference(max: f64) -> Level {
        Level::AbsoluteDifference {
            max,
            column: None,
            label: None,
        }
    }
    /// `|a − b| ≤ max · max(|a|, |b|)`.
    pub fn relative_difference(max: f64) -> Level {
        Level::RelativeDifference {
            max,
            column: None,
            label: None,
        }
    }
    /// Dates at most `max` `unit`s apart.
    pub fn date_difference(max: f64, unit: DateUnit) -> Level {
        Level::DateDifference {
            max,
            unit,
            column: None,
            label: None,
        }
    }

    /// Compares `column` instead of the comparison's main column.
    pub fn on(mut self, column: impl Into<String>) -> Level {
        *self.parts_mut().0 = Some(column.into());
        self
    }

    /// Sets the label shown in explanations.
    pub fn labelled(mut self, label: impl Into<String>) -> Level {
        *self.parts_mut().1 = Some(label.into());
        self
    }

    /// Turns on the term-frequency adjustment (exact levels only; other
    /// kinds are returned unchanged).
    pub fn with_tf_adjustment(mut self) -> Level {
        if let Level::Exact { tf_adjustment, .. } = &mut self {
            *tf_adjustment = true;
        }
        self
    }

    /// The column this level compares, if it names one.
    pub fn column(&self) -> Option<&str> {
        self.parts().0.as_deref()
    }

    /// The level's label if set.
    pub fn label(&self) -> Option<&str> {
        self.parts().1.as_deref()
    }

    fn parts(&self) -> (&Option<String>, &Option<String>) {
        match self {
            Level::Exact { column, label, .. }
            | Level::JaroWinkler { column, label, .. }
            | Level::Jaro { column, label, .. }
            | Level::Levenshtein { column, label, .. }
            | Level::DamerauLevenshtein { column, label, .. }
            | Level::Osa { column, label, .. }
            | Level::Jaccard { column, label, .. }
            | Level::TokenSet { column, label, .. }
            | Level::AbsoluteDifference { column, label, .. }
            | Level::RelativeDifference { column, label, .. }
            | Level::DateDifference { column, label, .. } => (column, label),
        }
    }

    fn parts_mut(&mut self) -> (&mut Option<String>, &mut Option<String>) {
        match self {
            Level::Exact { column, label, .. }
            | Level::JaroWinkler { column, label, .. }
            | Level::Jaro { column, label, .. }
            | Level::Levenshtein { column, label, .. }
            | Level::DamerauLevenshtein { column, label, .. }
            | Level::Osa { column, label, .. }
            | Level::Jaccard { column, label, .. }
            | Level::TokenSet { column, label, .. }
            | Level::AbsoluteDifference { column, label, .. }
            | Level::RelativeDifference { column, label, .. }
            | Level::DateDifference { column, label, .. } => (column, label),
        }
    }

    /// The label shown when none is set, e.g. `jaro_winkler >= 0.92` or
    /// `exact on surname_dm`.
    pub fn default_label(&self, main_column: &str) -> String {
        let base = match self {
            Level::Exact { tf_adjustment, .. } => {
                if *tf_adjustment {
                    "exact (tf)".to_owned()
                } else {
                    "exact".to_owned()
                }
            }
            Level::JaroWinkler { threshold, .. } => format!("jaro_winkler >= {threshold}"),
            Level::Jaro { threshold, .. } => format!("jaro >= {threshold}"),
            Level::Levenshtein { max_distance, .. } => format!("levenshtein <= {max_distance}"),
            Level::DamerauLevenshtein { max_distance, .. } => {
                format!("damerau_levenshtein <= {max_distance}")
            }
            Level::Osa { max_distance, .. } => format!("osa <= {max_distance}"),
            Level::Jaccard { threshold, .. } => format!("jaccard >= {threshold}"),
            Level::TokenSet { threshold, .. } => format!("token_set >= {threshold}"),
            Level::AbsoluteDifference { max, .. } => format!("abs difference <= {max}"),
            Level::RelativeDifference { max, .. } => format!("rel difference <= {max}"),
            Level::DateDifference { max, unit, .. } => {
                let u = match unit {
                    DateUnit::Days => "days",
                    DateUnit::Months => "months",
                    DateUnit::Years => "years",
                };
                format!("within {max} {u}")
            }
        };
        match self.column() {
            Some(c) if c != main_column => format!("{base} on {c}"),
            _ => base,
        }
    }
}

/// How the `u` probabilities are treated inside each EM session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionU {
    /// Estimate `u` within the session alongside `m`, keeping only `m`
    /// (robust when the blocked columns correlate with others, e.g.
    /// colleagues sharing an email domain agree on company and address).
    #[default]
    Estimate,
    /// Hold `u` at the random-sampling estimate (Splink's default).
    Fixed,
}

/// Options of unsupervised training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingSettings {
    /// Random record pairs sampled to estimate `u`.
    pub u_sample_pairs: u64,
    /// Seed of every random choice (same seed, same parameters).
    pub seed: u64,
    /// Rules whose pairs train `m` by EM, one session per rule, each
    /// leaving out the comparisons that use the rule's columns. Empty: the
    /// blocking rules.
    pub blocking_rules: Vec<BlockingRule>,
    /// See [`SessionU`].
    pub session_u: SessionU,
    /// Most EM iterations per session.
    pub em_max_iterations: u32,
    /// EM stops when no probability moves more than this.
    pub em_tolerance: f64,
    /// Sessions with fewer pairs are skipped.
    pub min_session_pairs: u64,
    /// Pin the probability that two random records match instead of
    /// estimating it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability_two_random_records_match: Option<f64>,
    /// Take the matches out of `u`: random pairs include true matches at
    /// the rate of the prior, which inflates `u` of rare exact levels
    /// (names, emails, phones) in data with many duplicates. After the
    /// prior is estimated, `u ← (u − λ·m) / (1 − λ)`, never below a tenth
    /// of the sampled value, and the prior is solved again.
    pub correct_u_for_matches: bool,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        TrainingSettings {
            u_sample_pairs: 1_000_000,
            seed: 42,
            blocking_rules: Vec::new(),
            session_u: SessionU::Estimate,
            em_max_iterations: 100,
            em_tolerance: 1e-5,
            min_session_pairs: 100,
            probability_two_random_records_match: None,
            correct_u_for_matches: true,
        }
    }
}
