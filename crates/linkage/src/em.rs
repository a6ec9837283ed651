//! Expectation-maximisation on aggregated comparison vectors.
//!
//! Millions of candidate pairs have only a few thousand distinct comparison
//! vectors ("patterns"), so EM runs on `(pattern, count)`: each iteration
//! costs O(patterns × comparisons), independent of the number of pairs.
//!
//! The model is Fellegi–Sunter with conditional independence: a pair is a
//! match with probability `λ`; given match status, comparison `c` lands on
//! level `k` with probability `m[c][k]` (match) or `u[c][k]` (non-match).
//! Level 0 is the null level: it carries no evidence (its factor is 1 in
//! both classes) and is left out of the estimates, so `m[c][1..]` and
//! `u[c][1..]` each sum to 1.
//!
//! ```
//! use firmlink_linkage::em::{EmOptions, EmParams, Patterns, expectation_maximisation};
//! // Three comparisons with levels null, agree, disagree; 10,000 pairs of
//! // which 20% match; matches agree with probability 0.9, others 0.1.
//! let (lambda, m, u): (f64, f64, f64) = (0.2, 0.9, 0.1);
//! let (mut gammas, mut counts) = (Vec::new(), Vec::new());
//! for bits in 0..8u8 {
//!     let v: Vec<u8> = (0..3).map(|c| if bits >> c & 1 == 1 { 1 } else { 2 }).collect();
//!     let agree = v.iter().filter(|&&g| g == 1).count() as i32;
//!     let p = lambda * m.powi(agree) * (1.0 - m).powi(3 - agree)
//!         + (1.0 - lambda) * u.powi(agree) * (1.0 - u).powi(3 - agree);
//!     gammas.extend(v);
//!     counts.push(10_000.0 * p);
//! }
//! let patterns = Patterns::new(vec![3; 3], gammas, counts);
//! let start = EmParams {
//!     lambda: 0.5,
//!     m: vec![vec![0.0, 0.7, 0.3]; 3],
//!     u: vec![vec![0.0, 0.3, 0.7]; 3],
//! };
//! let out = expectation_maximisation(&patterns, start, &EmOptions::default());
//! assert!(out.converged);
//! assert!((out.params.lambda - 0.2).abs() < 0.01);
//! assert!((out.params.m[0][1] - 0.9).abs() < 0.01);
//! ```

use rustc_hash::FxHashMap;
use serde::Serialize;

/// Distinct comparison vectors with their counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    levels: Vec<usize>,
    gammas: Vec<u8>,
    counts: Vec<f64>,
}

impl Patterns {
    /// Patterns from explicit rows: `gammas` holds one vector of
    /// `levels.len()` entries per pattern; `counts` one weight per pattern.
    ///
    /// # Panics
    /// When lengths disagree or a level is out of range.
    pub fn new(levels: Vec<usize>, gammas: Vec<u8>, counts: Vec<f64>) -> Patterns {
        let c = levels.len();
        assert!(c > 0, "at least one comparison");
        assert_eq!(gammas.len(), counts.len() * c, "one vector per count");
        for row in gammas.chunks(c) {
            for (g, &l) in row.iter().zip(&levels) {
                assert!(
                    (*g as usize) < l,
                    "level {g} out of range (comparison has {l})"
                );
            }
        }
        Patterns {
            levels,
            gammas,
            counts,
        }
    }

    /// Aggregates flat comparison vectors (`levels.len()` entries each).
    pub fn from_vectors(levels: Vec<usize>, vectors: &[u8]) -> Patterns {
        let c = levels.len();
        let mut map: FxHashMap<&[u8], f64> = FxHashMap::default();
        for row in vectors.chunks(c) {
            *map.entry(row).or_insert(0.0) += 1.0;
        }
        let mut rows: Vec<(&[u8], f64)> = map.into_iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let gammas = rows.iter().flat_map(|r| r.0.iter().copied()).collect();
        let counts = rows.iter().map(|r| r.1).collect();
        Patterns::new(levels, gammas, counts)
    }

    /// Number of distinct patterns.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True when there is no pattern.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Total count over all patterns.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }

    /// Level counts per comparison.
    pub fn levels(&self) -> &[usize] {
        &self.levels
    }

    /// The `p`-th pattern's comparison vector.
    pub fn vector(&self, p: usize) -> &[u8] {
        let c = self.levels.len();
        &self.gammas[p * c..p * c + c]
    }

    /// The `p`-th pattern's count.
    pub fn count(&self, p: usize) -> f64 {
        self.counts[p]
    }
}

/// Parameters of the two-class model. `m[c][k]`, `u[c][k]` for every
/// comparison `c` and level `k` (index 0, the null level, is ignored).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmParams {
    /// Proportion of matches.
    pub lambda: f64,
    /// P(level | match).
    pub m: Vec<Vec<f64>>,
    /// P(level | non-match).
    pub u: Vec<Vec<f64>>,
}

/// EM options.
#[derive(Debug, Clone, PartialEq)]
pub struct EmOptions {
    /// Most iterations.
    pub max_iterations: u32,
    /// Converged when no parameter moves more than this in an iteration.
    pub tolerance: f64,
    /// Re-estimate `u` (else hold it at its start value).
    pub estimate_u: bool,
    /// Pseudo-count spread over each comparison's non-null levels in the
    /// M-step, so a level never observed keeps a small positive
    /// probability.
    pub pseudo_count: f64,
}

impl Default for EmOptions {
    fn default() -> Self {
        EmOptions {
            max_iterations: 100,
            tolerance: 1e-5,
            estimate_u: true,
            pseudo_count: 0.5,
        }
    }
}

/// Result of [`expectation_maximisation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmOutcome {
    /// Estimated parameters.
    pub params: EmParams,
    /// Iterations run.
    pub iterations: u32,
    /// Whether the tolerance was reached.
    pub converged: bool,
    /// Largest parameter change in the last iteration.
    pub last_change: f64,
    /// Expected number of matches among the patterns' pairs.
    pub expected_matches: f64,
}

/// Smallest probability EM lets any `m`, `u` or `λ` take.
pub const FLOOR: f64 = 1e-10;

/// Posterior match probability of one pattern.
#[inline]
pub(crate) fn posterior(lambda: f64, m: &[Vec<f64>], u: &[Vec<f64>], vector: &[u8]) -> f64 {
    let mut pm = lambda;
    let mut pu = 1.0 - lambda;
    for (c, &g) in vector.iter().enumerate() {
        if g != 0 {
            pm *= m[c][g as usize];
            pu *= u[c][g as usize];
        }
    }
    let z = pm + pu;
    if z > 0.0 { pm / z } else { 0.5 }
}

/// Runs EM from `start` on `patterns`.
pub fn expectation_maximisation(
    patterns: &Patterns,
    start: EmParams,
    opts: &EmOptions,
) -> EmOutcome {
    let levels = &patterns.levels;
    let c_n = levels.len();
    let mut p = start;
    let mut iterations = 0;
    let mut converged = false;
    let mut last_change = f64::INFINITY;
    let mut expected = 0.0;
    let total = patterns.total();
    if total <= 0.0 {
        return EmOutcome {
            params: p,
            iterations: 0,
            converged: false,
            last_change,
            expected_matches: 0.0,
        };
    }
    let mut sm: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
    let mut su = sm.clone();
    while iterations < opts.max_iterations {
        iterations += 1;
        for v in sm.iter_mut().chain(su.iter_mut()) {
            v.fill(0.0);
        }
        let mut matches = 0.0;
        for k in 0..patterns.len() {
            let vector = patterns.vector(k);
            let n = patterns.counts[k];
            let post = posterior(p.lambda, &p.m, &p.u, vector);
            matches += n * post;
            for c in 0..c_n {
                let g = vector[c] as usize;
                sm[c][g] += n * post;
                su[c][g] += n * (1.0 - post);
            }
        }
        expected = matches;
        let mut change: f64 = 0.0;
        let lambda = (matches / total).clamp(FLOOR, 1.0 - FLOOR);
        change = change.max((lambda - p.lambda).abs());
        p.lambda = lambda;
        for c in 0..c_n {
            change = change.max(m_step(&mut p.m[c], &sm[c], opts.pseudo_count));
            if opts.estimate_u {
                change = change.max(m_step(&mut p.u[c], &su[c], opts.pseudo_count));
            }
        }
        last_change = change;
        if change < opts.tolerance {
            converged = true;
            break;
        }
    }
    EmOutcome {
        params: p,
        iterations,
        converged,
        last_change,
        expected_matches: expected,
    }
}

/// New probabilities for one comparison's non-null levels from expected
/// counts; returns the largest change.
fn m_step(probs: &mut [f64], counts: &[f64], pseudo: f64) -> f64 {
    let k = (counts.len() - 1) as f64;
    let denom: f64 = counts[1..].iter().sum::<f64>() + pseudo;
    if denom <= 0.0 {
        return 0.0;
    }
    let mut change: f64 = 0.0;
    let mut sum = 0.0;
    let mut fresh = vec![0.0; counts.len()];
    for l in 1..counts.len() {
        fresh[l] = ((counts[l] + pseudo / k) / denom).max(FLOOR);
        sum += fresh[l];
    }
    for l in 1..counts.len() {
        let v = fresh[l] / sum;
        change = change.max((v - probs[l]).abs());
        probs[l] = v;
    }
    change
}
