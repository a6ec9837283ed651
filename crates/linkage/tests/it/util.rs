//! Helpers shared by the tests: a union-find and pairwise scores.

use std::collections::HashMap;

/// Union-find with path halving, for clustering predictions in tests.
pub struct Dsu(Vec<usize>);

impl Dsu {
    pub fn new(n: usize) -> Dsu {
        Dsu((0..n).collect())
    }
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    pub fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

/// Pairwise precision, recall and F1 of a clustering against entity ids,
/// counting all pairs inside clusters (the Febrl README's definition).
pub fn pairwise_scores(cluster: &[usize], entity: &[u64]) -> (f64, f64, f64, u64, u64, u64) {
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut by_cluster: HashMap<usize, u64> = HashMap::new();
    let mut by_entity: HashMap<u64, u64> = HashMap::new();
    let mut by_cell: HashMap<(usize, u64), u64> = HashMap::new();
    for (&c, &e) in cluster.iter().zip(entity) {
        *by_cluster.entry(c).or_default() += 1;
        *by_entity.entry(e).or_default() += 1;
        *by_cell.entry((c, e)).or_default() += 1;
    }
    let predicted: u64 = by_cluster.values().map(|&n| pairs(n)).sum();
    let truth: u64 = by_entity.values().map(|&n| pairs(n)).sum();
    let tp: u64 = by_cell.values().map(|&n| pairs(n)).sum();
    let p = if predicted == 0 {
        1.0
    } else {
        tp as f64 / predicted as f64
    };
    let r = if truth == 0 {
        1.0
    } else {
        tp as f64 / truth as f64
    };
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f1, tp, predicted, truth)
}

/// Clusters `n` records from pairs at or above `threshold`.
pub fn cluster_at(
    n: usize,
    pairs: impl Iterator<Item = (u32, u32, f64)>,
    threshold: f64,
) -> Vec<usize> {
    let mut d = Dsu::new(n);
    for (i, j, p) in pairs {
        if p >= threshold {
            d.union(i as usize, j as usize);
        }
    }
    (0..n).map(|x| d.find(x)).collect()
}
