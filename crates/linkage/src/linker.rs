//! The [`Linker`]: settings compiled against a table, and the steps of a
//! linkage — block, train, predict, explain.

use std::time::Instant;

use serde::Serialize;

use crate::blocking::{self, RuleKeys, RuleReport};
use crate::comparison::{Ctx, Test};
use crate::compile::{self, Compiled};
use crate::error::LinkageError;
use crate::explain::{ComparisonExplanation, Explanation, TfAdjustment};
use crate::params::{Params, TfTable};
use crate::predict::{self, Predictions, Scorer, probability_from_weight, value_frequency};
use crate::settings::{LinkType, Settings};
use crate::table::{NULL, Table};
use crate::train::{self, TrainingReport};

/// Settings checked and compiled against one table.
#[derive(Debug, Clone)]
pub struct Linker<'t> {
    table: &'t Table,
    settings: Settings,
    compiled: Compiled,
}

/// What blocking did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockingReport {
    /// One entry per blocking rule, in order.
    pub rules: Vec<RuleReport>,
    /// Candidate pairs (the union over the rules).
    pub candidate_pairs: u64,
    /// Wall time of blocking.
    pub blocking_seconds: f64,
    /// Wall time of computing the comparison vectors.
    pub comparing_seconds: f64,
}

/// Candidate pairs from blocking, with their comparison vectors.
#[derive(Debug, Clone)]
pub struct CandidatePairs {
    pub(crate) pairs: Vec<(u32, u32)>,
    pub(crate) gammas: Vec<u8>,
    pub(crate) rule_keys: RuleKeys,
    n_comparisons: usize,
    report: BlockingReport,
}

impl CandidatePairs {
    /// Number of candidate pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }
    /// True when blocking found no pair.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
    /// The pairs `(i, j)`, `i < j`, by rule, then block.
    pub fn pairs(&self) -> &[(u32, u32)] {
        &self.pairs
    }
    /// Comparison vector of pair `k` (one level per comparison).
    pub fn comparison_vector(&self, k: usize) -> &[u8] {
        let c = self.n_comparisons;
        &self.gammas[k * c..k * c + c]
    }
    /// Bit `r` set when blocking rule `r` holds for pair `k`.
    pub fn rules_holding(&self, k: usize) -> u64 {
        let (i, j) = self.pairs[k];
        self.rule_keys.mask(i as usize, j as usize)
    }
    /// What blocking did.
    pub fn report(&self) -> &BlockingReport {
        &self.report
    }
}

/// Everything [`Linker::run`] produced.
#[derive(Debug, Clone)]
pub struct LinkageRun {
    /// Blocked and compared pairs.
    pub candidates: CandidatePairs,
    /// The parameters used (trained or pinned).
    pub params: Params,
    /// What training did (`None` when parameters were pinned).
    pub training: Option<TrainingReport>,
    /// Scored pairs at or above the threshold.
    pub predictions: Predictions,
}

/// A comparison as compiled: name, main column and level labels (null
/// first, else last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparisonInfo {
    /// The comparison's name.
    pub name: String,
    /// Its main column.
    pub column: String,
    /// Labels of all levels, `null` first and `else` last.
    pub levels: Vec<String>,
}

impl<'t> Linker<'t> {
    /// Checks `settings` against `table` (every problem reported at once)
    /// and compiles them.
    pub fn new(table: &'t Table, settings: Settings) -> Result<Linker<'t>, LinkageError> {
        let compiled = compile::compile(&settings, table)?;
        Ok(Linker {
            table,
            settings,
            compiled,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The table.
    pub fn table(&self) -> &'t Table {
        self.table
    }

    /// The compiled comparisons.
    pub fn comparisons(&self) -> Vec<ComparisonInfo> {
        self.compiled
            .comparisons
            .iter()
            .map(|c| ComparisonInfo {
                name: c.name.clone(),
                column: c.column_name.clone(),
                levels: c.labels.clone(),
            })
            .collect()
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            table: self.table,
            tokens: &self.compiled.tokens,
        }
    }

    /// Blocks (the union of the rules, each pair once) and computes every
    /// candidate's comparison vector.
    pub fn block(&self) -> Result<CandidatePairs, LinkageError> {
        let t0 = Instant::now();
        let blocking::Blocked {
            pairs,
            rule_keys,
            reports: rules,
        } = blocking::block(
            self.table,
            &self.compiled.rules,
            self.compiled.link_type,
            self.settings.max_block_size,
            self.settings.max_candidate_pairs,
        )?;
        let blocking_seconds = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let gammas = train::comparison_vectors(self.ctx(), &self.compiled.comparisons, &pairs);
        Ok(CandidatePairs {
            report: BlockingReport {
                rules,
                candidate_pairs: pairs.len() as u64,
                blocking_seconds,
                comparing_seconds: t1.elapsed().as_secs_f64(),
            },
            pairs,
            gammas,
            rule_keys,
            n_comparisons: self.compiled.comparisons.len(),
        })
    }

    /// Estimates parameters without labels (see [`train`](crate::train)).
    pub fn train(
        &self,
        candidates: &CandidatePairs,
    ) -> Result<(Params, TrainingReport), LinkageError> {
        train::train(
            self.table,
            &self.compiled,
            &self.settings,
            self.ctx(),
            candidates,
        )
    }

    /// Whether saved parameters fit these settings' comparisons (names,
    /// levels and the columns they read), as `predict` requires.
    pub fn check_params(&self, params: &Params) -> Result<(), LinkageError> {
        params.check_against(&self.compiled.comparisons)
    }

    /// Scores the candidates and keeps those at or above
    /// `threshold_match_probability`.
    pub fn predict(
        &self,
        candidates: &CandidatePairs,
        params: &Params,
    ) -> Result<Predictions, LinkageError> {
        params.check_against(&self.compiled.comparisons)?;
        let scorer = Scorer::new(params, &self.compiled.comparisons, self.table, true);
        let names = self
            .compiled
            .comparisons
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let rk = &candidates.rule_keys;
        Ok(predict::score(
            &scorer,
            self.table,
            names,
            &candidates.pairs,
            &candidates.gammas,
            |i, j| rk.mask(i, j).trailing_zeros() as u8,
            self.settings.threshold_match_probability,
        ))
    }

    /// Blocks, trains (unless `pinned` parameters are given) and predicts.
    pub fn run(&self, pinned: Option<Params>) -> Result<LinkageRun, LinkageError> {
        let candidates = self.block()?;
        let (params, training) = match pinned {
            Some(p) => {
                p.check_against(&self.compiled.comparisons)?;
                (p, None)
            }
            None => {
                let (p, r) = self.train(&candidates)?;
                (p, Some(r))
            }
        };
        let predictions = self.predict(&candidates, &params)?;
        Ok(LinkageRun {
            candidates,
            params,
            training,
            predictions,
        })
    }

    fn check_record(&self, r: u32) -> Result<usize, LinkageError> {
        if (r as usize) < self.table.len() {
            Ok(r as usize)
        } else {
            Err(LinkageError::RecordOutOfRange {
                record: r,
                records: self.table.len(),
            })
        }
    }

    /// The comparison vector of any pair of records (candidate or not).
    pub fn comparison_vector(&self, i: u32, j: u32) -> Result<Vec<u8>, LinkageError> {
        let (i, j) = (self.check_record(i)?, self.check_record(j)?);
        Ok(self
            .compiled
            .comparisons
            .iter()
            .map(|c| c.gamma(self.ctx(), i, j))
            .collect())
    }

    /// The match weight of any pair, step by step.
    pub fn explain_pair(
        &self,
        params: &Params,
        i: u32,
        j: u32,
    ) -> Result<Explanation, LinkageError> {
        params.check_against(&self.compiled.comparisons)?;
        let (a, b) = (self.check_record(i)?, self.check_record(j)?);
        let (a, b) = (a.min(b), a.max(b));
        let scorer = Scorer::new(params, &self.compiled.comparisons, self.table, false);
        let cols = self.table.columns();
        let allowed = a != b
            && (self.compiled.link_type != LinkType::LinkOnly
                || self.table.dataset()[a] != self.table.dataset()[b]);
        let found_by = if allowed {
            self.compiled
                .rules
                .iter()
                .filter(|r| blocking::rule_holds(self.table, r, a, b))
                .map(|r| r.name.clone())
                .collect()
        } else {
            Vec::new()
        };
        let mut total = scorer.prior_weight;
        let mut steps = Vec::new();
        for (c, cmp) in self.compiled.comparisons.iter().enumerate() {
            let g = cmp.gamma(self.ctx(), a, b);
            let k = g as usize;
            let main = &cols[cmp.column];
            let (m, u) = if k == 0 {
                (None, None)
            } else {
                let lp = &params.comparisons[c].levels[k - 1];
                (Some(lp.m), Some(lp.u))
            };
            let mut weight = scorer.weights[c][k];
            let mut tf_adjustment = None;
            if let Some(tf) = &scorer.tf[c][k] {
                let id = cols[tf.col].ids[a];
                if id != NULL {
                    let adj = tf.adjustment(params, self.table, id);
                    weight += adj;
                    tf_adjustment = Some(TfAdjustment {
                        column: cols[tf.col].name().to_owned(),
                        value: cols[tf.col].value(a).render().unwrap_or_default(),
                        frequency: value_frequency(params, self.table, tf.col, id),
                        weight: adj,
                    });
                }
            }
            total += weight;
            steps.push(ComparisonExplanation {
                comparison: cmp.name.clone(),
                column: cmp.column_name.clone(),
                left_value: main.value(a).render(),
                right_value: main.value(b).render(),
                level: g,
                label: cmp.labels[k].clone(),
                m,
                u,
                bayes_factor: weight.exp2(),
                weight,
                tf_adjustment,
                cumulative_weight: total,
            });
        }
        Ok(Explanation {
            left: a as u32,
            right: b as u32,
            found_by,
            prior: params.probability_two_random_records_match,
            prior_weight: scorer.prior_weight,
            comparisons: steps,
            match_weight: total,
            match_probability: probability_from_weight(total),
        })
    }

    /// The value frequencies of `column` in this table, to pin in
    /// [`Params::tf_tables`]. `None` when the column does not exist.
    pub fn tf_table(&self, column: &str) -> Option<TfTable> {
        let c = self.table.column(column)?;
        let counts = (0..c.distinct() as u32)
            .map(|id| {
                (
                    c.value_of_id(id).render().unwrap_or_default(),
                    u64::from(c.counts[id as usize]),
                )
            })
            .collect();
        Some(TfTable {
            total: c.non_null() as u64,
            counts,
        })
    }

    /// Columns that have term-frequency adjusted levels.
    pub fn tf_columns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for cmp in &self.compiled.comparisons {
            for t in &cmp.tests {
                if let Test::Exact { col, tf: Some(_) } = t {
                    let n = self.table.columns()[*col].name().to_owned();
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
        }
        out
    }
}
