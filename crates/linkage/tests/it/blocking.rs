//! Blocking: the union of the rules has no duplicate pair and equals the
//! brute-force set of pairs satisfying any rule; link-only never pairs two
//! records of one dataset; oversized blocks are skipped and reported; too
//! many pairs is an error that names the rule.

use std::collections::HashSet;

use firmlink_linkage::{
    BlockingRule, Column, Comparison, LinkType, LinkageError, Linker, Settings, Table,
};
use proptest::prelude::*;

const COLUMNS: [&str; 3] = ["a", "b", "c"];

fn settings(link_type: LinkType, rules: Vec<BlockingRule>) -> Settings {
    let mut s = Settings::new(link_type, rules, vec![Comparison::exact("a")]);
    s.max_block_size = 1_000;
    s
}

fn table(values: &[[Option<String>; 3]], dataset: Vec<u16>) -> Table {
    let mut t = Table::new(dataset);
    for (c, name) in COLUMNS.iter().enumerate() {
        t.add_column(Column::strings(
            *name,
            values.iter().map(|r| r[c].as_deref()),
        ))
        .unwrap();
    }
    t
}

fn key_holds(
    values: &[[Option<String>; 3]],
    i: usize,
    j: usize,
    col: usize,
    prefix: Option<u32>,
) -> bool {
    match (&values[i][col], &values[j][col]) {
        (Some(x), Some(y)) => match prefix {
            None => x == y,
            Some(p) => x.chars().take(p as usize).eq(y.chars().take(p as usize)),
        },
        _ => false,
    }
}

fn any_rule() -> impl Strategy<Value = Vec<(usize, Option<u32>)>> {
    prop::collection::vec((0usize..3, prop::option::weighted(0.3, 1u32..3)), 1..3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn union_is_the_brute_force_set_without_duplicates(
        values in prop::collection::vec(
            prop::array::uniform3(prop::option::weighted(0.8, "(x|xy|xz|y|yx)")),
            2..40,
        ),
        datasets in prop::collection::vec(0u16..3, 40),
        rules in prop::collection::vec(any_rule(), 1..4),
        link in 0usize..3,
    ) {
        let n = values.len();
        let mut dataset: Vec<u16> = datasets[..n].to_vec();
        dataset[0] = 0;
        dataset[1] = 1;
        let link_type = [LinkType::DedupeOnly, LinkType::LinkOnly, LinkType::LinkAndDedupe][link];
        let blocking: Vec<BlockingRule> = rules
            .iter()
            .map(|keys| {
                let mut r = BlockingRule { name: None, keys: Vec::new() };
                for &(c, p) in keys {
                    r = match p {
                        Some(p) => r.and_prefix(COLUMNS[c], p),
                        None => {
                            r.keys.push(firmlink_linkage::BlockingKey::column(COLUMNS[c]));
                            r
                        }
                    };
                }
                r
            })
            .collect();
        let t = table(&values, dataset.clone());
        let linker = Linker::new(&t, settings(link_type, blocking)).unwrap();
        let cands = linker.block().unwrap();
        let got: Vec<(u32, u32)> = cands.pairs().to_vec();
        let set: HashSet<(u32, u32)> = got.iter().copied().collect();
        prop_assert_eq!(set.len(), got.len(), "duplicate pairs");

        let holds = |i: usize, j: usize, r: &[(usize, Option<u32>)]| {
            r.iter().all(|&(c, p)| key_holds(&values, i, j, c, p))
        };
        let mut want = HashSet::new();
        let mut produced = vec![0u64; rules.len()];
        let mut new = vec![0u64; rules.len()];
        for i in 0..n {
            for j in i + 1..n {
                if link_type == LinkType::LinkOnly && dataset[i] == dataset[j] {
                    continue;
                }
                let hits: Vec<usize> = (0..rules.len()).filter(|&r| holds(i, j, &rules[r])).collect();
                for &r in &hits {
                    produced[r] += 1;
                }
                if let Some(&first) = hits.first() {
                    new[first] += 1;
                    want.insert((i as u32, j as u32));
                }
            }
        }
        prop_assert_eq!(&set, &want);
        for (r, rep) in cands.report().rules.iter().enumerate() {
            prop_assert_eq!(rep.pairs_produced, produced[r], "rule {} produced", r);
            prop_assert_eq!(rep.pairs_new, new[r], "rule {} new", r);
        }
        // Pairs come rule by rule, each from the first rule that holds.
        let firsts: Vec<u32> = (0..got.len()).map(|k| cands.rules_holding(k).trailing_zeros()).collect();
        prop_assert!(firsts.windows(2).all(|w| w[0] <= w[1]));
        if link_type == LinkType::LinkOnly {
            prop_assert!(got.iter().all(|&(i, j)| dataset[i as usize] != dataset[j as usize]));
        }
        prop_assert!(got.iter().all(|&(i, j)| i < j));
    }
}

#[test]
fn link_only_never_pairs_records_of_one_dataset() {
    let values: Vec<[Option<String>; 3]> = (0..30)
        .map(|r| [Some(format!("k{}", r % 3)), None, None])
        .collect();
    let dataset = (0..30).map(|r| (r % 4) as u16).collect::<Vec<_>>();
    let t = table(&values, dataset.clone());
    let linker = Linker::new(
        &t,
        settings(LinkType::LinkOnly, vec![BlockingRule::on(["a"])]),
    )
    .unwrap();
    let cands = linker.block().unwrap();
    assert!(!cands.is_empty());
    for &(i, j) in cands.pairs() {
        assert_ne!(dataset[i as usize], dataset[j as usize], "pair ({i}, {j})");
    }
    // 3 blocks of 10 records spread over 4 datasets.
    let cross: u64 = (0..3)
        .map(|k| {
            let members: Vec<usize> = (0..30).filter(|r| r % 3 == k).collect();
            let mut c = 0;
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    c += u64::from(dataset[i] != dataset[j]);
                }
            }
            c
        })
        .sum();
    assert_eq!(cands.len() as u64, cross);
}

#[test]
fn oversized_blocks_are_skipped_and_reported() {
    let mut values: Vec<[Option<String>; 3]> = (0..12)
        .map(|_| [Some("gmail.com".to_owned()), None, None])
        .collect();
    values.extend((0..3).map(|_| [Some("acme.com".to_owned()), None, None]));
    let t = table(&values, vec![0; values.len()]);
    let mut s = settings(
        LinkType::DedupeOnly,
        vec![BlockingRule::on(["a"]).named("domain")],
    );
    s.max_block_size = 10;
    let linker = Linker::new(&t, s).unwrap();
    let cands = linker.block().unwrap();
    let rep = &cands.report().rules[0];
    assert_eq!(cands.len(), 3, "only the acme.com block");
    assert_eq!(rep.blocks, 1);
    assert_eq!(rep.blocks_capped, 1);
    assert_eq!(rep.records_in_capped_blocks, 12);
    assert_eq!(rep.largest_block, 12);
    assert_eq!(rep.capped_examples.len(), 1);
    assert_eq!(rep.capped_examples[0].key, "a=gmail.com");
    assert_eq!(rep.capped_examples[0].records, 12);
}

#[test]
fn too_many_pairs_is_an_error_naming_the_rule() {
    let values: Vec<[Option<String>; 3]> = (0..20)
        .map(|r| [Some("same".to_owned()), Some(format!("{}", r % 2)), None])
        .collect();
    let t = table(&values, vec![0; 20]);
    let mut s = settings(
        LinkType::DedupeOnly,
        vec![
            BlockingRule::on(["a", "b"]),
            BlockingRule::on(["a"]).named("wide"),
        ],
    );
    s.max_candidate_pairs = 100;
    let linker = Linker::new(&t, s).unwrap();
    match linker.block() {
        Err(LinkageError::TooManyPairs {
            rule,
            name,
            pairs,
            so_far,
            limit,
        }) => {
            assert_eq!(
                (rule, name.as_str(), pairs, so_far, limit),
                (1, "wide", 190, 90, 100)
            );
        }
        other => panic!("expected TooManyPairs, got {other:?}"),
    }
}

#[test]
fn prefix_keys_compare_leading_characters() {
    let names = ["smith", "smyth", "smithers", "jones", "sm", "s"];
    let values: Vec<[Option<String>; 3]> = names
        .iter()
        .map(|n| [Some((*n).to_owned()), None, None])
        .collect();
    let t = table(&values, vec![0; names.len()]);
    let linker = Linker::new(
        &t,
        settings(
            LinkType::DedupeOnly,
            vec![
                BlockingRule {
                    name: None,
                    keys: vec![],
                }
                .and_prefix("a", 3),
            ],
        ),
    )
    .unwrap();
    let got: HashSet<(u32, u32)> = linker.block().unwrap().pairs().iter().copied().collect();
    // "smi": smith, smithers.
    assert_eq!(got, HashSet::from([(0, 2)]));
    assert_eq!(linker.comparisons()[0].name, "a");
}
