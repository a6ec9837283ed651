//! Evaluate a clustering against ground truth.
//!
//! Inputs are plain data: a predicted cluster label per record (`&[u32]`,
//! any values), a true entity label per record (any `Hash + Eq` type, e.g.
//! `String`), and optionally the dataset each record comes from.
//!
//! # Metrics
//!
//! **Pairwise** (the Febrl/Splink way): a predicted pair is every unordered
//! pair of records in the same cluster (all pairs inside a cluster, not only
//! the edges that formed it), a true pair every unordered pair with the same
//! entity. TP = |predicted ∩ true|, FP = |predicted| − TP, FN = |true| − TP,
//! precision = TP / |predicted|, recall = TP / |true|, F1 = 2PR / (P + R).
//! Pairs are never materialised: a group of `k` records holds `k(k−1)/2`
//! pairs, and TP is that sum over the cells of the cluster × entity
//! cross-tabulation.
//!
//! **B-cubed** (Bagga & Baldwin): for each record, precision is the share of
//! its cluster that is its entity and recall the share of its entity that is
//! in its cluster; both are averaged over records. From the same
//! cross-tabulation: `P = Σ n_ce² / n_c / N`, `R = Σ n_ce² / n_e / N`.
//!
//! **Link-only** ([`PairScope::CrossDataset`], Febrl 4 style): only pairs of
//! records from *different* datasets count, both predicted and true. Per
//! group, the cross-dataset pairs are all pairs minus the pairs inside each
//! dataset (`C(k,2) − Σ_d C(k_d,2)`, which equals `Σ_{d<d'} k_d·k_d'`), so the
//! same cross-tabulation with the dataset as an extra key gives TP, |predicted|
//! and |true|. B-cubed is record-based and always uses all records.
//!
//! # Conventions for empty denominators
//!
//! No predicted pairs → precision 1.0 (nothing was claimed, so nothing was
//! wrong); no true pairs → recall 1.0 (nothing was there to find); F1 is 0.0
//! when precision + recall is 0. This is scikit-learn's `zero_division=1.0`
//! choice. It keeps "perfect prediction scores 1.0" true even for data
//! without duplicates, while a clustering of all singletons on data that has
//! true pairs still scores recall 0 and F1 0. With no records at all, every
//! metric is 1.0.
//!
//! # Threshold table
//!
//! [`threshold_table`] clusters the scored edges at each of several
//! thresholds and evaluates each. Without a guard (see
//! [`ChainGuard::is_plain_at`]) it sorts the edges once by probability,
//! highest first, and sweeps one union-find down through the thresholds,
//! evaluating a snapshot at each crossing; with a guard it clusters again
//! for each threshold (in parallel).

use std::fmt::{self, Write as _};
use std::hash::Hash;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::cluster::{self, ChainGuard, ClusterError, DisjointSets, ScoredEdge};

/// Thresholds of the standard table.
pub const DEFAULT_THRESHOLDS: [f64; 8] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999];

/// Which record pairs count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairScope<'a> {
    /// Every pair of records (deduplication).
    All,
    /// Only pairs whose records come from different datasets (link-only);
    /// one dataset id per record.
    CrossDataset(&'a [u16]),
}

impl PairScope<'_> {
    fn datasets(&self) -> Option<&[u16]> {
        match self {
            PairScope::All => None,
            PairScope::CrossDataset(d) => Some(d),
        }
    }

    fn kind(&self) -> Pairs {
        match self {
            PairScope::All => Pairs::All,
            PairScope::CrossDataset(_) => Pairs::CrossDataset,
        }
    }
}

/// Which pairs a report counted (the serialised form of [`PairScope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pairs {
    /// Every pair of records.
    All,
    /// Only pairs across datasets.
    CrossDataset,
}

/// Why evaluation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// An input has a different length from the predicted labels (or, for
    /// [`threshold_table`], from the truth).
    #[error("{what} has {got} entries, but there are {expected} records")]
    LengthMismatch {
        /// Which input (`truth`, `dataset`).
        what: &'static str,
        /// The number of records.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// Invalid edges or clustering settings.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

/// Pairwise counts and scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairwiseMetrics {
    /// Predicted pairs that are true pairs.
    pub true_positives: u64,
    /// Predicted pairs that are not true pairs.
    pub false_positives: u64,
    /// True pairs not predicted.
    pub false_negatives: u64,
    /// All predicted pairs (same cluster).
    pub predicted_pairs: u64,
    /// All true pairs (same entity).
    pub true_pairs: u64,
    /// TP / predicted pairs (1.0 without predicted pairs).
    pub precision: f64,
    /// TP / true pairs (1.0 without true pairs).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl PairwiseMetrics {
    /// Scores from the three counts.
    pub fn from_counts(true_positives: u64, predicted_pairs: u64, true_pairs: u64) -> Self {
        let precision = ratio(true_positives, predicted_pairs);
        let recall = ratio(true_positives, true_pairs);
        Self {
            true_positives,
            false_positives: predicted_pairs - true_positives,
            false_negatives: true_pairs - true_positives,
            predicted_pairs,
            true_pairs,
            precision,
            recall,
            f1: harmonic(precision, recall),
        }
    }
}

/// B-cubed scores (record-averaged).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BCubed {
    /// Mean over records of |cluster ∩ entity| / |cluster|.
    pub precision: f64,
    /// Mean over records of |cluster ∩ entity| / |entity|.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// Scores of the clustering at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdRow {
    /// Match probability threshold (edges with `p >= threshold` count).
    pub threshold: f64,
    /// Pairwise precision.
    pub precision: f64,
    /// Pairwise recall.
    pub recall: f64,
    /// Pairwise F1.
    pub f1: f64,
    /// B-cubed precision.
    pub bcubed_precision: f64,
    /// B-cubed recall.
    pub bcubed_recall: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Number of predicted clusters.
    pub clusters: usize,
    /// Pairwise true positives.
    pub true_positives: u64,
    /// Pairwise false positives.
    pub false_positives: u64,
    /// Pairwise false negatives.
    pub false_negatives: u64,
}

/// An evaluation; serialises to JSON with `pairwise.precision`,
/// `bcubed.f1`, `thresholds: [...]` and so on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Number of records.
    pub records: usize,
    /// Which pairs counted.
    pub pairs: Pairs,
    /// Number of predicted clusters.
    pub predicted_clusters: usize,
    /// Number of true entities.
    pub true_entities: usize,
    /// Pairwise scores.
    pub pairwise: PairwiseMetrics,
    /// B-cubed scores.
    pub bcubed: BCubed,
    /// Scores at other thresholds (empty unless added with
    /// [`Report::with_thresholds`]).
    pub thresholds: Vec<ThresholdRow>,
}

impl Report {
    /// The report with a threshold table attached.
    pub fn with_thresholds(mut self, rows: Vec<ThresholdRow>) -> Self {
        self.thresholds = rows;
        self
    }

    /// A plain-text table for people.
    pub fn render_table(&self) -> String {
        let mut s = String::new();
        let pairs = match self.pairs {
            Pairs::All => "all pairs",
            Pairs::CrossDataset => "cross-dataset pairs only",
        };
        let _ = writeln!(
            s,
            "records {}, predicted clusters {}, true entities {} ({pairs})",
            self.records, self.predicted_clusters, self.true_entities
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<10}{:>10}{:>10}{:>10}{:>14}{:>14}{:>14}",
            "", "precision", "recall", "f1", "tp", "fp", "fn"
        );
        let p = &self.pairwise;
        let _ = writeln!(
            s,
            "{:<10}{:>10.4}{:>10.4}{:>10.4}{:>14}{:>14}{:>14}",
            "pairwise",
            p.precision,
            p.recall,
            p.f1,
            p.true_positives,
            p.false_positives,
            p.false_negatives
        );
        let b = &self.bcubed;
        let _ = writeln!(
            s,
            "{:<10}{:>10.4}{:>10.4}{:>10.4}",
            "b-cubed", b.precision, b.recall, b.f1
        );
        if !self.thresholds.is_empty() {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "{:<10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>14}{:>14}",
                "threshold", "precision", "recall", "f1", "b3 f1", "clusters", "fp", "fn"
            );
            for r in &self.thresholds {
                let _ = writeln!(
                    s,
                    "{:<10}{:>10.4}{:>10.4}{:>10.4}{:>10.4}{:>10}{:>14}{:>14}",
                    r.threshold,
                    r.precision,
                    r.recall,
                    r.f1,
                    r.bcubed_f1,
                    r.clusters,
                    r.false_positives,
                    r.false_negatives
                );
            }
        }
        s
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_table())
    }
}

/// Evaluate predicted cluster labels against true entity labels.
pub fn evaluate<T: Hash + Eq>(
    predicted: &[u32],
    truth: &[T],
    scope: PairScope<'_>,
) -> Result<Report, EvalError> {
    let n = predicted.len();
    check_len("truth", n, truth.len())?;
    if let Some(d) = scope.datasets() {
        check_len("dataset", n, d.len())?;
    }
    let (pred, pred_bound) = dense_u32(predicted);
    let (truth, truth_bound) = dense_ids(truth);
    let tally = Tally::new(&pred, pred_bound, &truth, truth_bound, scope.datasets());
    Ok(Report {
        records: n,
        pairs: scope.kind(),
        predicted_clusters: tally.predicted_clusters,
        true_entities: tally.true_entities,
        pairwise: tally.pairwise(),
        bcubed: tally.bcubed(n),
        thresholds: Vec::new(),
    })
}

/// Threshold-table rows for clusterings made elsewhere (each `(threshold,
/// labels)`, labels one per record as in `truth`), in the given order.
pub fn threshold_rows<T: Hash + Eq>(
    clusterings: &[(f64, Vec<u32>)],
    truth: &[T],
    scope: PairScope<'_>,
) -> Result<Vec<ThresholdRow>, EvalError> {
    let n = truth.len();
    if let Some(d) = scope.datasets() {
        check_len("dataset", n, d.len())?;
    }
    let (truth, truth_bound) = dense_ids(truth);
    clusterings
        .iter()
        .map(|(threshold, labels)| {
            check_len("labels", n, labels.len())?;
            let (pred, pred_bound) = dense_u32(labels);
            let tally = Tally::new(&pred, pred_bound, &truth, truth_bound, scope.datasets());
            Ok(tally.row(*threshold, n))
        })
        .collect()
}

/// Cluster the scored edges over `truth.len()` records at each threshold
/// (with `guard`; [`ChainGuard::off`] for plain components) and evaluate
/// each. Rows come in ascending threshold order, repeated thresholds once.
pub fn threshold_table<T: Hash + Eq>(
    edges: &[ScoredEdge],
    truth: &[T],
    scope: PairScope<'_>,
    thresholds: &[f64],
    guard: &ChainGuard,
) -> Result<Vec<ThresholdRow>, EvalError> {
    let n = truth.len();
    if let Some(d) = scope.datasets() {
        check_len("dataset", n, d.len())?;
    }
    for &t in thresholds {
        cluster::check_unit("threshold", t)?;
    }
    guard.validate()?;
    cluster::check_edges(n, edges)?;
    let mut ts = thresholds.to_vec();
    ts.sort_by(f64::total_cmp);
    ts.dedup();
    let Some(&lowest) = ts.first() else {
        return Ok(Vec::new());
    };
    let (truth, truth_bound) = dense_ids(truth);
    let datasets = scope.datasets();
    let row = |threshold: f64, labels: &[u32]| {
        let bound = labels.iter().max().map_or(0, |&m| m as usize + 1);
        let tally = Tally::new(labels, bound, &truth, truth_bound, datasets);
        tally.row(threshold, n)
    };

    if !guard.is_plain_at(lowest) {
        return Ok(ts
            .par_iter()
            .map(|&t| row(t, &cluster::cluster_unchecked(n, edges, t, guard).labels))
            .collect());
    }

    let mut sorted: Vec<ScoredEdge> = edges
        .par_iter()
        .filter(|e| e.0 != e.1 && e.2 >= lowest)
        .copied()
        .collect();
    sorted.par_sort_unstable_by(|a, b| b.2.total_cmp(&a.2));
    let mut sets = DisjointSets::new(n);
    let mut next = 0;
    let mut rows = Vec::with_capacity(ts.len());
    for &t in ts.iter().rev() {
        while let Some(&(i, j, p)) = sorted.get(next) {
            if p < t {
                break;
            }
            sets.union(i, j);
            next += 1;
        }
        rows.push(row(t, &sets.labels()));
    }
    rows.reverse();
    Ok(rows)
}

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), EvalError> {
    if expected == got {
        Ok(())
    } else {
        Err(EvalError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Unordered pairs among `k` items.
fn pairs(k: u64) -> u64 {
    k * k.saturating_sub(1) / 2
}

/// Σ over runs of equal keys of the pairs in each run.
fn pairs_in_runs<K: Ord + Send>(mut keys: Vec<K>) -> u64 {
    keys.par_sort_unstable();
    keys.chunk_by(|a, b| a == b)
        .map(|run| pairs(run.len() as u64))
        .sum()
}

/// Dense ids `0..k` in order of first appearance, and `k`.
fn dense_ids<T: Hash + Eq>(values: &[T]) -> (Vec<u32>, usize) {
    let mut ids: foldhash::HashMap<&T, u32> =
        foldhash::HashMap::with_capacity_and_hasher(values.len().min(1 << 20), Default::default());
    let dense = values
        .iter()
        .map(|v| {
            let next = ids.len() as u32;
            *ids.entry(v).or_insert(next)
        })
        .collect();
    (dense, ids.len())
}

/// Labels usable as indices, and their bound: as given when all are below
/// the number of records, renumbered otherwise.
fn dense_u32(labels: &[u32]) -> (Vec<u32>, usize) {
    let n = labels.len();
    if labels.iter().all(|&l| (l as usize) < n) {
        return (labels.to_vec(), n);
    }
    let mut ids: FxHashMap<u32, u32> = FxHashMap::default();
    let dense = labels
        .iter()
        .map(|&l| {
            let next = ids.len() as u32;
            *ids.entry(l).or_insert(next)
        })
        .collect();
    (dense, ids.len())
}

/// Counts from the cluster × entity (× dataset) cross-tabulation.
struct Tally {
    predicted_pairs: u64,
    true_pairs: u64,
    true_positives: u64,
    bcubed_precision_sum: f64,
    bcubed_recall_sum: f64,
    predicted_clusters: usize,
    true_entities: usize,
}

impl Tally {
    /// `pred` values are below `pred_bound`, `truth` values below
    /// `truth_bound`; all slices have the same length.
    fn new(
        pred: &[u32],
        pred_bound: usize,
        truth: &[u32],
        truth_bound: usize,
        datasets: Option<&[u16]>,
    ) -> Self {
        let mut pred_size = vec![0u32; pred_bound];
        for &c in pred {
            pred_size[c as usize] += 1;
        }
        let mut true_size = vec![0u32; truth_bound];
        for &e in truth {
            true_size[e as usize] += 1;
        }
        let mut cells: Vec<u64> = pred
            .par_iter()
            .zip(truth)
            .map(|(&c, &e)| u64::from(c) << 32 | u64::from(e))
            .collect();
        cells.par_sort_unstable();
        // Σ over cells of n_ce², per cluster and per entity (exact), then
        // one division per cluster and per entity.
        let mut true_positives = 0;
        let mut square_pred = vec![0u64; pred_bound];
        let mut square_true = vec![0u64; truth_bound];
        for run in cells.chunk_by(|a, b| a == b) {
            let k = run.len() as u64;
            let (c, e) = ((run[0] >> 32) as usize, run[0] as u32 as usize);
            true_positives += pairs(k);
            square_pred[c] += k * k;
            square_true[e] += k * k;
        }
        let share = |squares: &[u64], sizes: &[u32]| -> f64 {
            squares
                .iter()
                .zip(sizes)
                .filter(|(_, s)| **s > 0)
                .map(|(&q, &s)| q as f64 / f64::from(s))
                .sum()
        };
        let p_sum = share(&square_pred, &pred_size);
        let r_sum = share(&square_true, &true_size);
        drop(cells);
        let mut predicted_pairs: u64 = pred_size.iter().map(|&s| pairs(u64::from(s))).sum();
        let mut true_pairs: u64 = true_size.iter().map(|&s| pairs(u64::from(s))).sum();

        if let Some(d) = datasets {
            // Pairs inside one dataset do not count: subtract them.
            let key = |x: u32, k: u16| u64::from(x) << 16 | u64::from(k);
            predicted_pairs -= pairs_in_runs(
                pred.par_iter()
                    .zip(d)
                    .map(|(&c, &k)| key(c, k))
                    .collect::<Vec<_>>(),
            );
            true_pairs -= pairs_in_runs(
                truth
                    .par_iter()
                    .zip(d)
                    .map(|(&e, &k)| key(e, k))
                    .collect::<Vec<_>>(),
            );
            true_positives -= pairs_in_runs(
                pred.par_iter()
                    .zip(truth)
                    .zip(d)
                    .map(|((&c, &e), &k)| u128::from(c) << 48 | u128::from(e) << 16 | u128::from(k))
                    .collect::<Vec<_>>(),
            );
        }
        Self {
            predicted_pairs,
            true_pairs,
            true_positives,
            bcubed_precision_sum: p_sum,
            bcubed_recall_sum: r_sum,
            predicted_clusters: pred_size.iter().filter(|&&s| s > 0).count(),
            true_entities: true_size.iter().filter(|&&s| s > 0).count(),
        }
    }

    fn pairwise(&self) -> PairwiseMetrics {
        PairwiseMetrics::from_counts(self.true_positives, self.predicted_pairs, self.true_pairs)
    }

    fn bcubed(&self, records: usize) -> BCubed {
        let (precision, recall) = if records == 0 {
            (1.0, 1.0)
        } else {
            let n = records as f64;
            (self.bcubed_precision_sum / n, self.bcubed_recall_sum / n)
        };
        BCubed {
            precision,
            recall,
            f1: harmonic(precision, recall),
        }
    }

    fn row(&self, threshold: f64, records: usize) -> ThresholdRow {
        let p = self.pairwise();
        let b = self.bcubed(records);
        ThresholdRow {
            threshold,
            precision: p.precision,
            recall: p.recall,
            f1: p.f1,
            bcubed_precision: b.precision,
            bcubed_recall: b.recall,
            bcubed_f1: b.f1,
            clusters: self.predicted_clusters,
            true_positives: p.true_positives,
            false_positives: p.false_positives,
            false_negatives: p.false_negatives,
        }
    }
}
