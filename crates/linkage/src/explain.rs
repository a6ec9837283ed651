//! Why a pair scored what it did: the prior, then each comparison's level,
//! `m`, `u`, Bayes factor, weight and term-frequency adjustment, adding up
//! to the match weight (Splink's waterfall chart, as data and as text).

use std::fmt::Write as _;

use serde::Serialize;

/// A pair's score, step by step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// First record.
    pub left: u32,
    /// Second record.
    pub right: u32,
    /// Blocking rules that hold for the pair (empty: it is not a candidate
    /// and predict would not score it).
    pub found_by: Vec<String>,
    /// Probability that two random records match.
    pub prior: f64,
    /// `log2(prior / (1 − prior))`.
    pub prior_weight: f64,
    /// One step per comparison.
    pub comparisons: Vec<ComparisonExplanation>,
    /// Sum of the prior weight and every step's weight.
    pub match_weight: f64,
    /// `2^w / (1 + 2^w)`.
    pub match_probability: f64,
}

/// One comparison's contribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonExplanation {
    /// The comparison.
    pub comparison: String,
    /// Its main column.
    pub column: String,
    /// The left record's value of the main column.
    pub left_value: Option<String>,
    /// The right record's value.
    pub right_value: Option<String>,
    /// Level index (0 = null).
    pub level: u8,
    /// Level label.
    pub label: String,
    /// P(level | match); `None` on the null level.
    pub m: Option<f64>,
    /// P(level | non-match); `None` on the null level.
    pub u: Option<f64>,
    /// Bayes factor including the term-frequency adjustment.
    pub bayes_factor: f64,
    /// `log2` of the Bayes factor.
    pub weight: f64,
    /// The term-frequency adjustment, when the level has one.
    pub tf_adjustment: Option<TfAdjustment>,
    /// Match weight after this step.
    pub cumulative_weight: f64,
}

/// A term-frequency adjustment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TfAdjustment {
    /// Column whose value frequency is used.
    pub column: String,
    /// The shared value.
    pub value: String,
    /// Its relative frequency.
    pub frequency: f64,
    /// Bits added to the level's weight (negative for frequent values).
    pub weight: f64,
}

fn fmt_prob(p: f64) -> String {
    if p >= 1e-3 {
        format!("{p:.4}")
    } else {
        format!("{p:.2e}")
    }
}

impl Explanation {
    /// A readable waterfall for the terminal.
    pub fn render(&self) -> String {
        let mut rows: Vec<[String; 7]> = vec![[
            "comparison".into(),
            "level".into(),
            "values".into(),
            "m".into(),
            "u".into(),
            "weight".into(),
            "total".into(),
        ]];
        rows.push([
            "prior".into(),
            String::new(),
            String::new(),
            String::new(),
            fmt_prob(self.prior),
            format!("{:+.2}", self.prior_weight),
            format!("{:+.2}", self.prior_weight),
        ]);
        for c in &self.comparisons {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "∅".to_owned());
            let mut weight = format!("{:+.2}", c.weight);
            if let Some(tf) = &c.tf_adjustment {
                let _ = write!(weight, " (tf {:+.2})", tf.weight);
            }
            rows.push([
                c.comparison.clone(),
                c.label.clone(),
                format!("{} | {}", show(&c.left_value), show(&c.right_value)),
                c.m.map(fmt_prob).unwrap_or_default(),
                c.u.map(fmt_prob).unwrap_or_default(),
                weight,
                format!("{:+.2}", c.cumulative_weight),
            ]);
        }
        let mut widths = [0usize; 7];
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = format!(
            "pair {} ~ {}: match probability {} (match weight {:+.2})\n",
            self.left,
            self.right,
            fmt_prob(self.match_probability),
            self.match_weight
        );
        if self.found_by.is_empty() {
            out.push_str("found by: no blocking rule (predict would not score this pair)\n");
        } else {
            let _ = writeln!(out, "found by: {}", self.found_by.join(", "));
        }
        for r in &rows {
            let mut line = String::from(" ");
            for (k, (cell, w)) in r.iter().zip(widths).enumerate() {
                let pad = w - cell.chars().count();
                line.push(' ');
                if k >= 3 {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
