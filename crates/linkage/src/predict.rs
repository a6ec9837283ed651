//! Scoring: comparison vectors and parameters in, match weights and
//! probabilities out.
//!
//! A pair's match weight is the prior weight plus, for every comparison, the
//! weight `log2(m / u)` of the level it landed on (0 for null), plus the
//! term-frequency adjustment of that level when it has one. Weights per
//! level and adjustments per value are precomputed, so scoring a pair is a
//! few table look-ups.
//!
//! **Term-frequency adjustment** (Splink's formula): on an exact level with
//! `tf_adjustment`, the value's relative frequency `f` replaces the level's
//! average `u`, i.e. the weight becomes `log2(m / max(f, tf_min_u))`, an
//! adjustment of `log2(u / max(f, tf_min_u))` bits: a match on "smith"
//! counts less than one on "zbigniew". The adjusted weight is never allowed
//! below the weight of the next level, so a better level never scores
//! lower than a worse one.

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::comparison::{CompiledComparison, Test};
use crate::params::Params;
use crate::table::{NULL, Table};

/// Term-frequency adjustment of one level.
#[derive(Debug, Clone)]
pub(crate) struct TfLevel {
    pub col: usize,
    /// The level's average `u`.
    u: f64,
    /// Floor of the value frequency (`tf_min_u`).
    min_u: f64,
    /// Lowest adjustment: keeps the level at or above the next level.
    floor: f64,
    /// Adjustment per value id (empty when computed on demand).
    adj: Vec<f64>,
}

impl TfLevel {
    /// Bits added when both records hold value `id`.
    pub(crate) fn adjustment(&self, params: &Params, table: &Table, id: u32) -> f64 {
        match self.adj.get(id as usize) {
            Some(&a) => a,
            None => {
                let f = value_frequency(params, table, self.col, id).max(self.min_u);
                (self.u / f).log2().max(self.floor)
            }
        }
    }
}

/// Precomputed weights of a model on a table.
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    pub prior_weight: f64,
    /// `weights[c][k]`; null is 0.
    pub weights: Vec<Vec<f64>>,
    /// `tf[c][k]` for exact levels with term-frequency adjustment.
    pub tf: Vec<Vec<Option<TfLevel>>>,
}

/// Relative frequency of value `id` of column `col`, from the pinned table
/// when the parameters have one, else from the data.
pub(crate) fn value_frequency(params: &Params, table: &Table, col: usize, id: u32) -> f64 {
    let c = &table.columns()[col];
    if let Some(t) = params.tf_tables.get(c.name()) {
        let key = c.value_of_id(id).render().unwrap_or_default();
        let n = t.counts.get(&key).copied().unwrap_or(1).max(1);
        return n as f64 / t.total as f64;
    }
    f64::from(c.counts[id as usize]) / c.non_null().max(1) as f64
}

impl Scorer {
    /// Weights and, when `tabulate`, the adjustment of every value of every
    /// term-frequency level (else they are computed on demand, which suits
    /// explaining a single pair).
    pub(crate) fn new(
        params: &Params,
        comparisons: &[CompiledComparison],
        table: &Table,
        tabulate: bool,
    ) -> Scorer {
        let mut weights = Vec::with_capacity(comparisons.len());
        let mut tf = Vec::with_capacity(comparisons.len());
        for (cp, cmp) in params.comparisons.iter().zip(comparisons) {
            let mut w = vec![0.0];
            w.extend(cp.levels.iter().map(|l| l.weight()));
            let mut t: Vec<Option<TfLevel>> = vec![None; w.len()];
            for (k, test) in cmp.tests.iter().enumerate() {
                let Test::Exact {
                    col,
                    tf: Some(spec),
                } = *test
                else {
                    continue;
                };
                let level = k + 1;
                let mut tl = TfLevel {
                    col,
                    u: cp.levels[k].u,
                    min_u: spec.min_u,
                    floor: w[level + 1] - w[level],
                    adj: Vec::new(),
                };
                if tabulate {
                    let distinct = table.columns()[col].distinct() as u32;
                    tl.adj = (0..distinct)
                        .map(|id| tl.adjustment(params, table, id))
                        .collect();
                }
                t[level] = Some(tl);
            }
            weights.push(w);
            tf.push(t);
        }
        Scorer {
            prior_weight: params.prior_weight(),
            weights,
            tf,
        }
    }

    /// The sum of level weights and adjustments of a pair (no prior).
    #[inline]
    /// `i` is either record: a term-frequency level is exact, so both
    /// records hold the same value.
    pub(crate) fn evidence(&self, table: &Table, gammas: &[u8], i: usize) -> f64 {
        let mut w = 0.0;
        for (c, &g) in gammas.iter().enumerate() {
            let g = g as usize;
            w += self.weights[c][g];
            if let Some(tf) = &self.tf[c][g] {
                let id = table.columns()[tf.col].ids[i];
                if id != NULL {
                    w += tf.adj[id as usize];
                }
            }
        }
        w
    }
}

/// Match probability of a match weight: `2^w / (1 + 2^w)`.
pub fn probability_from_weight(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Scored candidate pairs at or above the probability threshold, in
/// candidate order (deterministic), as columns.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Predictions {
    comparison_names: Vec<String>,
    left: Vec<u32>,
    right: Vec<u32>,
    match_weight: Vec<f64>,
    match_probability: Vec<f64>,
    match_key: Vec<u8>,
    comparison_vectors: Vec<u8>,
    /// Candidate pairs scored.
    pub pairs_scored: u64,
    /// Wall time of scoring.
    pub seconds: f64,
}

/// One scored pair, borrowed from [`Predictions`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair<'a> {
    /// First record (the smaller index).
    pub left: u32,
    /// Second record.
    pub right: u32,
    /// Prior plus the weights of the levels (log2 Bayes factor).
    pub match_weight: f64,
    /// `2^w / (1 + 2^w)`.
    pub match_probability: f64,
    /// Index of the first blocking rule that produced the pair.
    pub match_key: u8,
    /// Level per comparison (0 = null, last = else).
    pub comparison_vector: &'a [u8],
}

impl Predictions {
    /// Number of kept pairs.
    pub fn len(&self) -> usize {
        self.left.len()
    }
    /// True when no pair was kept.
    pub fn is_empty(&self) -> bool {
        self.left.is_empty()
    }
    /// Comparison names, in comparison-vector order.
    pub fn comparison_names(&self) -> &[String] {
        &self.comparison_names
    }
    /// First record of each pair.
    pub fn left(&self) -> &[u32] {
        &self.left
    }
    /// Second record of each pair.
    pub fn right(&self) -> &[u32] {
        &self.right
    }
    /// Match weight of each pair.
    pub fn match_weight(&self) -> &[f64] {
        &self.match_weight
    }
    /// Match probability of each pair.
    pub fn match_probability(&self) -> &[f64] {
        &self.match_probability
    }
    /// First blocking rule that produced each pair.
    pub fn match_key(&self) -> &[u8] {
        &self.match_key
    }
    /// The comparison vector of pair `k`.
    pub fn comparison_vector(&self, k: usize) -> &[u8] {
        let c = self.comparison_names.len();
        &self.comparison_vectors[k * c..k * c + c]
    }
    /// `(left, right, match_probability)` of every pair: the edges that
    /// clustering takes.
    pub fn edges(&self) -> Vec<(u32, u32, f64)> {
        (0..self.len())
            .map(|k| (self.left[k], self.right[k], self.match_probability[k]))
            .collect()
    }
    /// The pairs one by one.
    pub fn iter(&self) -> impl Iterator<Item = ScoredPair<'_>> + '_ {
        (0..self.len()).map(move |k| ScoredPair {
            left: self.left[k],
            right: self.right[k],
            match_weight: self.match_weight[k],
            match_probability: self.match_probability[k],
            match_key: self.match_key[k],
            comparison_vector: self.comparison_vector(k),
        })
    }
}

/// Scores `pairs` (with their flat comparison vectors) and keeps those at or
/// above `threshold`.
pub(crate) fn score(
    scorer: &Scorer,
    table: &Table,
    names: Vec<String>,
    pairs: &[(u32, u32)],
    gammas: &[u8],
    match_key: impl Fn(usize, usize) -> u8 + Sync,
    threshold: f64,
) -> Predictions {
    let start = Instant::now();
    let c = names.len();
    const CHUNK: usize = 1 << 15;
    let parts: Vec<Predictions> = pairs
        .par_chunks(CHUNK)
        .zip(gammas.par_chunks(CHUNK * c))
        .map(|(ps, gs)| {
            let mut out = Predictions::default();
            for (k, &(i, j)) in ps.iter().enumerate() {
                let g = &gs[k * c..k * c + c];
                let w = scorer.prior_weight + scorer.evidence(table, g, i as usize);
                let p = probability_from_weight(w);
                if p >= threshold {
                    out.left.push(i);
                    out.right.push(j);
                    out.match_weight.push(w);
                    out.match_probability.push(p);
                    out.match_key.push(match_key(i as usize, j as usize));
                    out.comparison_vectors.extend_from_slice(g);
                }
            }
            out
        })
        .collect();
    let kept: usize = parts.iter().map(Predictions::len).sum();
    let mut all = Predictions {
        comparison_names: names,
        left: Vec::with_capacity(kept),
        right: Vec::with_capacity(kept),
        match_weight: Vec::with_capacity(kept),
        match_probability: Vec::with_capacity(kept),
        match_key: Vec::with_capacity(kept),
        comparison_vectors: Vec::with_capacity(kept * c),
        pairs_scored: pairs.len() as u64,
        seconds: 0.0,
    };
    for p in parts {
        all.left.extend_from_slice(&p.left);
        all.right.extend_from_slice(&p.right);
        all.match_weight.extend_from_slice(&p.match_weight);
        all.match_probability
            .extend_from_slice(&p.match_probability);
        all.match_key.extend_from_slice(&p.match_key);
        all.comparison_vectors
            .extend_from_slice(&p.comparison_vectors);
    }
    all.seconds = start.elapsed().as_secs_f64();
    all
}
