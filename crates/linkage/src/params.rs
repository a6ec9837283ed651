//! Trained model parameters: the prior and `m`/`u` of every level, plus
//! optional term-frequency tables. Saved as JSON, reloaded and pinned to
//! skip training.
//!
//! Weights follow Splink: a level's Bayes factor is `m / u`, its match
//! weight `log2(m / u)`; the prior weight is `log2(λ / (1 − λ))` with `λ`
//! the probability that two random records match; a pair's match weight is
//! the prior weight plus the weights of its levels (plus term-frequency
//! adjustments), and its match probability `2^w / (1 + 2^w)`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::comparison::CompiledComparison;
use crate::error::LinkageError;

/// The version written to JSON; loading another version is an error.
pub const PARAMS_VERSION: u32 = 1;

/// All parameters of a linkage model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Format version ([`PARAMS_VERSION`]).
    pub version: u32,
    /// The prior: probability that two records drawn at random match.
    pub probability_two_random_records_match: f64,
    /// One entry per comparison, in settings order.
    pub comparisons: Vec<ComparisonParams>,
    /// Pinned value frequencies by column for term-frequency adjustments.
    /// Columns without a table use frequencies computed from the data.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tf_tables: BTreeMap<String, TfTable>,
}

/// Parameters of one comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonParams {
    /// The comparison's name.
    pub name: String,
    /// The non-null levels in order (the configured ones, then else). The
    /// null level has no parameters: it weighs 0.
    pub levels: Vec<LevelParams>,
}

/// `m` and `u` of one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelParams {
    /// The level's label (checked on load).
    pub label: String,
    /// The column the level reads (checked on load when present; absent for
    /// the else level and in files written before 2026-12-07).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What the level tests, with its threshold (`jaccard >= 0.25`), checked
    /// on load when present (absent for the else level and in files written
    /// before 2026-12-08): a custom label hides a changed threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
}

impl LevelParams {
    /// `m / u`.
    pub fn bayes_factor(&self) -> f64 {
        self.m / self.u
    }
    /// `log2(m / u)`.
    pub fn weight(&self) -> f64 {
        self.bayes_factor().log2()
    }
}

/// Frequencies of a column's values: `count / total` is a value's relative
/// frequency; a value missing from `counts` counts as 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TfTable {
    /// Non-null values the counts were taken over.
    pub total: u64,
    /// Count per value (as text).
    pub counts: BTreeMap<String, u64>,
}

impl Params {
    /// The prior as a match weight, `log2(λ / (1 − λ))`.
    pub fn prior_weight(&self) -> f64 {
        let p = self.probability_two_random_records_match;
        (p / (1.0 - p)).log2()
    }

    /// Parameters as pretty JSON.
    pub fn to_json(&self) -> Result<String, LinkageError> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Parameters from JSON (checked for sane probabilities; checked
    /// against settings when used).
    pub fn from_json(json: &str) -> Result<Params, LinkageError> {
        let p: Params = serde_json::from_str(json)?;
        p.check_values()?;
        Ok(p)
    }

    fn check_values(&self) -> Result<(), LinkageError> {
        let bad = |problem: String| Err(LinkageError::ParamsMismatch { problem });
        if self.version != PARAMS_VERSION {
            return bad(format!(
                "version {} is not supported (expected {PARAMS_VERSION})",
                self.version
            ));
        }
        let prior = self.probability_two_random_records_match;
        if !(prior > 0.0 && prior < 1.0) {
            return bad(format!(
                "probability_two_random_records_match must be in (0, 1); got {prior}"
            ));
        }
        for c in &self.comparisons {
            for l in &c.levels {
                for (what, v) in [("m", l.m), ("u", l.u)] {
                    if !(v > 0.0 && v <= 1.0) {
                        return bad(format!(
                            "comparison `{}` level `{}`: {what} must be in (0, 1]; got {v}",
                            c.name, l.label
                        ));
                    }
                }
            }
        }
        for (col, t) in &self.tf_tables {
            if t.total == 0 {
                return bad(format!("tf table of `{col}` has total 0"));
            }
        }
        Ok(())
    }

    /// Checks the parameters were made for these comparisons: same names,
    /// same level labels, in the same order.
    pub(crate) fn check_against(
        &self,
        comparisons: &[CompiledComparison],
    ) -> Result<(), LinkageError> {
        self.check_values()?;
        let bad = |problem: String| Err(LinkageError::ParamsMismatch { problem });
        if self.comparisons.len() != comparisons.len() {
            return bad(format!(
                "{} comparisons in the parameters, {} in the settings",
                self.comparisons.len(),
                comparisons.len()
            ));
        }
        for (p, c) in self.comparisons.iter().zip(comparisons) {
            if p.name != c.name {
                return bad(format!(
                    "comparison `{}` in the parameters where the settings have `{}`",
                    p.name, c.name
                ));
            }
            let labels = &c.labels[1..];
            if p.levels.len() != labels.len()
                || p.levels
                    .iter()
                    .zip(labels)
                    .any(|(l, want)| l.label != *want)
            {
                let have: Vec<&str> = p.levels.iter().map(|l| l.label.as_str()).collect();
                return bad(format!(
                    "comparison `{}` has levels [{}] in the parameters but [{}] in the settings",
                    c.name,
                    have.join(", "),
                    labels.join(", ")
                ));
            }
            // What each level reads and tests, when the file records it.
            let settings = c.level_columns.iter().zip(&c.level_tests);
            for (l, (column, test)) in p.levels.iter().zip(settings) {
                for (verb, have, want) in [("reads", &l.column, column), ("tests", &l.test, test)] {
                    if let Some(have) = have
                        && have != want
                    {
                        return bad(format!(
                            "comparison `{}` level `{}` {verb} `{have}` in the parameters but `{want}` in the settings",
                            c.name, l.label
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
