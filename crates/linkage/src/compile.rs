//! Settings checked against a table and compiled into what the engine runs:
//! column names resolved to indexes, fuzzy measures grouped into slots,
//! token indexes built. Every problem is collected and reported together.

use crate::blocking::CompiledRule;
use crate::comparison::{CompiledComparison, MAX_SLOTS, Measure, Slot, Test, TfSpec, TokenIndex};
use crate::error::{LinkageError, SettingsProblem};
use crate::settings::{BlockingRule, Level, LinkType, Settings};
use crate::table::{ColumnKind, Table};

/// Most blocking rules (pairs remember which rules produced them in a
/// 64-bit mask).
pub(crate) const MAX_RULES: usize = 64;
/// Most levels per comparison, null and else included (levels are `u8`).
pub(crate) const MAX_LEVELS: usize = 255;

#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub link_type: LinkType,
    pub rules: Vec<CompiledRule>,
    pub training_rules: Vec<CompiledRule>,
    pub comparisons: Vec<CompiledComparison>,
    pub tokens: Vec<Option<TokenIndex>>,
}

struct Problems(Vec<SettingsProblem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(SettingsProblem {
            path: path.into(),
            message: message.into(),
        });
    }
}

fn unknown_column(table: &Table, name: &str) -> String {
    let best = table
        .columns()
        .iter()
        .map(|c| (strsim::levenshtein(c.name(), name), c.name()))
        .min();
    match best {
        Some((d, n)) if d <= 2.max(name.len() / 3) => {
            format!("column `{name}` is not in the table; did you mean `{n}`?")
        }
        _ => {
            let names: Vec<&str> = table.columns().iter().map(|c| c.name()).collect();
            format!(
                "column `{name}` is not in the table (columns: {})",
                names.join(", ")
            )
        }
    }
}

fn compile_rules(
    rules: &[BlockingRule],
    path: &str,
    table: &Table,
    p: &mut Problems,
) -> Vec<CompiledRule> {
    if rules.len() > MAX_RULES {
        p.add(
            path,
            format!(
                "{} rules given; at most {MAX_RULES} are supported",
                rules.len()
            ),
        );
    }
    let mut out = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        if rule.keys.is_empty() {
            p.add(format!("{path}[{r}].keys"), "a rule needs at least one key");
        }
        let mut keys = Vec::new();
        for (k, key) in rule.keys.iter().enumerate() {
            let kp = format!("{path}[{r}].keys[{k}]");
            let Some(col) = table.column_index(&key.column) else {
                p.add(format!("{kp}.column"), unknown_column(table, &key.column));
                continue;
            };
            if let Some(prefix) = key.prefix {
                if prefix == 0 {
                    p.add(
                        format!("{kp}.prefix"),
                        "prefix 0 would put every record in one block; use at least 1",
                    );
                }
                let kind = table.columns()[col].kind();
                if kind != ColumnKind::String {
                    p.add(
                        format!("{kp}.prefix"),
                        format!(
                            "a prefix needs a string column; `{}` holds {kind}s",
                            key.column
                        ),
                    );
                }
            }
            keys.push((col, key.prefix));
        }
        out.push(CompiledRule {
            name: rule.display_name(),
            keys,
        });
    }
    out
}

fn check_unit(p: &mut Problems, path: &str, what: &str, x: f64) {
    if !(x > 0.0 && x <= 1.0) {
        p.add(path, format!("{what} must be in (0, 1]; got {x}"));
    }
}

fn check_non_negative(p: &mut Problems, path: &str, x: f64) {
    if !(x.is_finite() && x >= 0.0) {
        p.add(path, format!("must be a finite number ≥ 0; got {x}"));
    }
}

pub(crate) fn compile(settings: &Settings, table: &Table) -> Result<Compiled, LinkageError> {
    let mut p = Problems(Vec::new());

    if settings.blocking_rules.is_empty() {
        p.add("blocking_rules", "at least one blocking rule is needed");
    }
    let rules = compile_rules(&settings.blocking_rules, "blocking_rules", table, &mut p);
    let training_rules = compile_rules(
        &settings.training.blocking_rules,
        "training.blocking_rules",
        table,
        &mut p,
    );

    if settings.link_type != LinkType::DedupeOnly && !table.is_empty() {
        let first = table.dataset()[0];
        if table.dataset().iter().all(|&d| d == first) {
            p.add(
                "link_type",
                format!(
                    "{:?} needs records from at least two datasets; all records are in dataset {first}",
                    settings.link_type
                ),
            );
        }
    }
    let t = settings.threshold_match_probability;
    if !(0.0..=1.0).contains(&t) {
        p.add(
            "threshold_match_probability",
            format!("must be in [0, 1]; got {t}"),
        );
    }
    if settings.max_block_size < 2 {
        p.add(
            "max_block_size",
            format!("must be at least 2; got {}", settings.max_block_size),
        );
    }
    if settings.max_candidate_pairs == 0 {
        p.add("max_candidate_pairs", "must be at least 1");
    }
    let tr = &settings.training;
    if tr.u_sample_pairs == 0 {
        p.add("training.u_sample_pairs", "must be at least 1");
    }
    if tr.em_max_iterations == 0 {
        p.add("training.em_max_iterations", "must be at least 1");
    }
    if !(tr.em_tolerance.is_finite() && tr.em_tolerance > 0.0) {
        p.add(
            "training.em_tolerance",
            format!("must be > 0; got {}", tr.em_tolerance),
        );
    }
    if let Some(x) = tr.probability_two_random_records_match
        && !(x > 0.0 && x < 1.0)
    {
        p.add(
            "training.probability_two_random_records_match",
            format!("must be in (0, 1); got {x}"),
        );
    }

    if settings.comparisons.is_empty() {
        p.add("comparisons", "at least one comparison is needed");
    }
    let mut comparisons = Vec::new();
    let mut token_cols = vec![false; table.columns().len()];
    let mut code_space: f64 = 1.0;
    for (ci, cmp) in settings.comparisons.iter().enumerate() {
        let cp = format!("comparisons[{ci}]");
        if cmp.name.trim().is_empty() {
            p.add(format!("{cp}.name"), "a comparison needs a name");
        }
        if settings.comparisons[..ci]
            .iter()
            .any(|o| o.name == cmp.name)
        {
            p.add(
                format!("{cp}.name"),
                format!("comparison name `{}` is used twice", cmp.name),
            );
        }
        let main = table.column_index(&cmp.column);
        if main.is_none() {
            p.add(format!("{cp}.column"), unknown_column(table, &cmp.column));
        }
        if cmp.levels.is_empty() {
            p.add(
                format!("{cp}.levels"),
                "a comparison needs at least one level besides null and else",
            );
        }
        if cmp.levels.len() + 2 > MAX_LEVELS {
            p.add(
                format!("{cp}.levels"),
                format!(
                    "{} levels; at most {} are supported",
                    cmp.levels.len(),
                    MAX_LEVELS - 2
                ),
            );
        }
        let mut tests = Vec::new();
        let mut labels = vec!["null".to_owned()];
        let mut level_columns: Vec<String> = Vec::new();
        let mut level_tests: Vec<String> = Vec::new();
        let mut slots: Vec<Slot> = Vec::new();
        let mut columns: Vec<usize> = main.into_iter().collect();
        for (li, level) in cmp.levels.iter().enumerate() {
            let lp = format!("{cp}.levels[{li}]");
            let col_name = level.column().unwrap_or(&cmp.column);
            level_columns.push(col_name.to_owned());
            level_tests.push(level.default_label(&cmp.column));
            labels.push(
                level
                    .label()
                    .map(str::to_owned)
                    .unwrap_or_else(|| level.default_label(&cmp.column)),
            );
            let Some(col) = table.column_index(col_name) else {
                if level.column().is_some() {
                    p.add(format!("{lp}.column"), unknown_column(table, col_name));
                }
                continue;
            };
            if !columns.contains(&col) {
                columns.push(col);
            }
            let kind = table.columns()[col].kind();
            let need = |p: &mut Problems, want: ColumnKind| {
                if kind != want {
                    p.add(
                        lp.clone(),
                        format!("this level needs a {want} column; `{col_name}` holds {kind}s"),
                    );
                }
            };
            let mut slot_for = |measure: Measure, cutoff: f64| -> usize {
                let sim = matches!(
                    measure,
                    Measure::JaroWinkler | Measure::Jaro | Measure::Jaccard | Measure::TokenSet
                );
                if let Some(i) = slots
                    .iter()
                    .position(|s| s.col == col && s.measure == measure)
                {
                    let s = &mut slots[i];
                    s.cutoff = if sim {
                        s.cutoff.min(cutoff)
                    } else {
                        s.cutoff.max(cutoff)
                    };
                    i
                } else {
                    slots.push(Slot {
                        col,
                        measure,
                        cutoff,
                    });
                    slots.len() - 1
                }
            };
            let test = match level {
                Level::Exact {
                    tf_adjustment,
                    tf_min_u,
                    ..
                } => {
                    if let Some(m) = tf_min_u {
                        check_unit(&mut p, &format!("{lp}.tf_min_u"), "tf_min_u", *m);
                        if !tf_adjustment {
                            p.add(
                                format!("{lp}.tf_min_u"),
                                "tf_min_u only applies with tf_adjustment = true",
                            );
                        }
                    }
                    Test::Exact {
                        col,
                        tf: tf_adjustment.then(|| TfSpec {
                            min_u: tf_min_u.unwrap_or(0.0),
                        }),
                    }
                }
                Level::JaroWinkler { threshold, .. }
                | Level::Jaro { threshold, .. }
                | Level::Jaccard { threshold, .. }
                | Level::TokenSet { threshold, .. } => {
                    need(&mut p, ColumnKind::String);
                    check_unit(&mut p, &format!("{lp}.threshold"), "threshold", *threshold);
                    let measure = match level {
                        Level::JaroWinkler { .. } => Measure::JaroWinkler,
                        Level::Jaro { .. } => Measure::Jaro,
                        Level::Jaccard { .. } => Measure::Jaccard,
                        _ => Measure::TokenSet,
                    };
                    if measure.uses_tokens() {
                        token_cols[col] = true;
                    }
                    Test::AtLeast {
                        slot: slot_for(measure, *threshold),
                        threshold: *threshold,
                    }
                }
                Level::Levenshtein { max_distance, .. }
                | Level::DamerauLevenshtein { max_distance, .. }
                | Level::Osa { max_distance, .. } => {
                    need(&mut p, ColumnKind::String);
                    if *max_distance == 0 {
                        p.add(
                            format!("{lp}.max_distance"),
                            "must be at least 1 (distance 0 is an exact level)",
                        );
                    }
                    let measure = match level {
                        Level::Levenshtein { .. } => Measure::Levenshtein,
                        Level::DamerauLevenshtein { .. } => Measure::DamerauLevenshtein,
                        _ => Measure::Osa,
                    };
                    let max = f64::from(*max_distance);
                    Test::AtMost {
                        slot: slot_for(measure, max),
                        max,
                    }
                }
                Level::AbsoluteDifference { max, .. } => {
                    need(&mut p, ColumnKind::Number);
                    check_non_negative(&mut p, &format!("{lp}.max"), *max);
                    Test::AbsDiff { col, max: *max }
                }
                Level::RelativeDifference { max, .. } => {
                    need(&mut p, ColumnKind::Number);
                    check_non_negative(&mut p, &format!("{lp}.max"), *max);
                    Test::RelDiff { col, max: *max }
                }
                Level::DateDifference { max, unit, .. } => {
                    need(&mut p, ColumnKind::Date);
                    check_non_negative(&mut p, &format!("{lp}.max"), *max);
                    Test::DateDiff {
                        col,
                        max_days: max * unit.days(),
                    }
                }
            };
            tests.push(test);
        }
        if slots.len() > MAX_SLOTS {
            p.add(
                format!("{cp}.levels"),
                format!(
                    "{} distinct fuzzy measures (measure × column); at most {MAX_SLOTS} per comparison",
                    slots.len()
                ),
            );
        }
        tests.push(Test::Else);
        labels.push("else".to_owned());
        for k in 1..labels.len() {
            if let Some(first) = labels[..k].iter().position(|l| *l == labels[k]) {
                // The else label clashes with a configured level's label.
                let at = if k == labels.len() - 1 {
                    first - 1
                } else {
                    k - 1
                };
                p.add(
                    format!("{cp}.levels[{at}].label"),
                    format!("label `{}` is used twice in this comparison", labels[k]),
                );
            }
        }
        code_space *= labels.len() as f64;
        if let Some(column) = main {
            comparisons.push(CompiledComparison {
                name: cmp.name.clone(),
                column,
                column_name: cmp.column.clone(),
                tests,
                labels,
                level_columns,
                level_tests,
                slots,
                columns,
            });
        }
    }
    if code_space > 2f64.powi(127) {
        p.add(
            "comparisons",
            "too many comparisons and levels: the product of the level counts must stay below 2^127",
        );
    }

    if !p.0.is_empty() {
        return Err(LinkageError::InvalidSettings(p.0));
    }
    let tokens = table
        .columns()
        .iter()
        .zip(&token_cols)
        .map(|(c, &used)| match (used, c.strs()) {
            (true, Some(s)) => Some(TokenIndex::build(s)),
            _ => None,
        })
        .collect();
    Ok(Compiled {
        link_type: settings.link_type,
        rules,
        training_rules,
        comparisons,
        tokens,
    })
}
