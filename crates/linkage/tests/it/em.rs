//! Training: EM recovers the m, u and λ that generated the comparison
//! vectors; after training on any data a better level never weighs less
//! than a worse one (and term-frequency adjustments never break that).

use firmlink_linkage::em::{EmOptions, EmParams, Patterns, expectation_maximisation};
use firmlink_linkage::{
    BlockingRule, Column, Comparison, Level, LinkType, Linker, Settings, Table,
};
use proptest::prelude::*;

struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick(&mut self, probs: &[f64]) -> u8 {
        let mut x = self.unit();
        for (k, &p) in probs.iter().enumerate().skip(1) {
            if x < p {
                return k as u8;
            }
            x -= p;
        }
        (probs.len() - 1) as u8
    }
}

/// A distribution over levels `1..=k` (index 0 unused) that falls (match)
/// or rises (non-match) along the levels.
fn profile(k: usize, steep: f64, rising: bool) -> Vec<f64> {
    let mut p = vec![0.0];
    for l in 0..k {
        let x = if rising { (k - 1 - l) as f64 } else { l as f64 };
        p.push((-steep * x).exp());
    }
    let s: f64 = p.iter().sum();
    p.iter().map(|x| x / s).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn em_recovers_known_m_u_and_lambda(
        // Record-linkage-like separation (Bayes factors from ~4 to ~1000)
        // over 4–6 comparisons, so the two classes are identifiable.
        shape in prop::collection::vec((2usize..5, 1.5f64..3.0, 1.5f64..3.0), 4..7),
        lambda in 0.05f64..0.5,
        seed in any::<u64>(),
    ) {
        let levels: Vec<usize> = shape.iter().map(|s| s.0 + 1).collect();
        let m: Vec<Vec<f64>> = shape.iter().map(|&(k, a, _)| profile(k, a, false)).collect();
        let u: Vec<Vec<f64>> = shape.iter().map(|&(k, _, b)| profile(k, b, true)).collect();
        let mut rng = Rng(seed);
        let n = 200_000;
        let mut vectors = Vec::with_capacity(n * levels.len());
        for _ in 0..n {
            let is_match = rng.unit() < lambda;
            for c in 0..levels.len() {
                if rng.unit() < 0.05 {
                    vectors.push(0);
                } else {
                    vectors.push(rng.pick(if is_match { &m[c] } else { &u[c] }));
                }
            }
        }
        let patterns = Patterns::from_vectors(levels.clone(), &vectors);
        let flat = |k: usize, rising: bool| profile(k, 0.5, rising);
        let start = EmParams {
            lambda: 0.3,
            m: levels.iter().map(|&l| flat(l - 1, false)).collect(),
            u: levels.iter().map(|&l| flat(l - 1, true)).collect(),
        };
        let out = expectation_maximisation(
            &patterns,
            start,
            &EmOptions { max_iterations: 2_000, tolerance: 1e-7, ..EmOptions::default() },
        );
        prop_assert!(out.converged, "no convergence after {} iterations", out.iterations);
        prop_assert!((out.params.lambda - lambda).abs() < 0.02, "λ {} vs {}", out.params.lambda, lambda);
        for c in 0..levels.len() {
            for k in 1..levels[c] {
                let (em, eu) = (out.params.m[c][k], out.params.u[c][k]);
                prop_assert!((em - m[c][k]).abs() < 0.03, "m[{}][{}] {} vs {}", c, k, em, m[c][k]);
                prop_assert!((eu - u[c][k]).abs() < 0.03, "u[{}][{}] {} vs {}", c, k, eu, u[c][k]);
            }
        }
    }

    /// After training on arbitrary data, Bayes factors fall along the
    /// levels of every comparison, and a term-frequency adjusted exact
    /// match never weighs less than the next level.
    #[test]
    fn better_levels_never_weigh_less_after_training(
        rows in prop::collection::vec(
            (prop::option::weighted(0.9, "(ann|anna|anne|bob|bobby|carl|karl|dora)"),
             prop::option::weighted(0.9, "(oslo|olso|rome|roma|lima|kiev)"),
             0u8..4),
            20..80,
        ),
    ) {
        let mut t = Table::single_dataset(rows.len());
        t.add_column(Column::strings("name", rows.iter().map(|r| r.0.as_deref()))).unwrap();
        t.add_column(Column::strings("city", rows.iter().map(|r| r.1.as_deref()))).unwrap();
        t.add_column(Column::strings("team", rows.iter().map(|r| Some(format!("t{}", r.2))))).unwrap();
        let mut s = Settings::new(
            LinkType::DedupeOnly,
            vec![BlockingRule::on(["team"]), BlockingRule::on(["city"])],
            vec![
                Comparison::new("name")
                    .level(Level::exact().with_tf_adjustment())
                    .level(Level::jaro_winkler(0.9))
                    .level(Level::levenshtein(2)),
                Comparison::new("city").level(Level::exact()).level(Level::jaro_winkler(0.8)),
            ],
        );
        s.training.min_session_pairs = 1;
        s.threshold_match_probability = 0.0;
        let linker = Linker::new(&t, s).unwrap();
        let cands = linker.block().unwrap();
        let (params, _) = linker.train(&cands).unwrap();
        for c in &params.comparisons {
            let w: Vec<f64> = c.levels.iter().map(|l| l.weight()).collect();
            for k in 1..w.len() {
                prop_assert!(w[k - 1] >= w[k] - 1e-9, "{}: weights {:?}", c.name, w);
            }
            let m: f64 = c.levels.iter().map(|l| l.m).sum();
            let u: f64 = c.levels.iter().map(|l| l.u).sum();
            prop_assert!((m - 1.0).abs() < 1e-9 && (u - 1.0).abs() < 1e-9);
        }
        let next = params.comparisons[0].levels[1].weight();
        for k in 0..cands.len().min(200) {
            let (i, j) = cands.pairs()[k];
            let e = linker.explain_pair(&params, i, j).unwrap();
            let step = &e.comparisons[0];
            if step.tf_adjustment.is_some() {
                prop_assert!(step.weight >= next - 1e-6, "tf-adjusted {} below next level {}", step.weight, next);
            }
        }
    }
}
