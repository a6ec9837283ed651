//! Accuracy on the Febrl benchmarks (no labels used in training): Febrl3
//! deduplication and Febrl4 link-only, clustered with a plain union-find at
//! match probability 0.5, scored pairwise over all same-cluster pairs.
//!
//! The data lives outside the repository (`../shared/datasets/febrl`); when
//! it is absent the tests say so and skip.

use std::path::PathBuf;

use firmlink_linkage::{
    BlockingRule, Column, Comparison, DateUnit, Level, LinkType, Linker, Settings, Table,
    days_from_civil,
};

use crate::util::{cluster_at, pairwise_scores};

const FIELDS: [&str; 10] = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
];

fn dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/febrl");
    if d.join("febrl3.csv").is_file() {
        Some(d)
    } else {
        eprintln!(
            "SKIPPED: Febrl data not found at {} (CI has no ../shared); accuracy not checked",
            d.display()
        );
        None
    }
}

/// Rows of a Febrl CSV (no quoting in these files): rec_id and the fields.
fn read(path: &PathBuf) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "rec_id");
    assert_eq!(&header[1..], &FIELDS);
    lines
        .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
        .inspect(|r| assert_eq!(r.len(), 11))
        .collect()
}

/// `rec-N-org` / `rec-N-dup-K` → N.
fn entity(rec_id: &str) -> u64 {
    rec_id.split('-').nth(1).unwrap().parse().unwrap()
}

fn parse_dob(s: &str) -> Option<i32> {
    if s.len() != 8 {
        return None;
    }
    let y = s[..4].parse().ok()?;
    let m = s[4..6].parse().ok()?;
    let d = s[6..].parse().ok()?;
    days_from_civil(y, m, d)
}

fn table(rows: &[Vec<String>], dataset: Vec<u16>) -> Table {
    let mut t = Table::new(dataset);
    for (f, name) in FIELDS.iter().enumerate() {
        t.add_column(Column::strings(
            *name,
            rows.iter().map(|r| Some(r[f + 1].as_str())),
        ))
        .unwrap();
    }
    t.add_column(Column::dates("dob", rows.iter().map(|r| parse_dob(&r[9]))))
        .unwrap();
    t
}

fn comparisons() -> Vec<Comparison> {
    vec![
        Comparison::name("given_name"),
        Comparison::name("surname"),
        Comparison::new("date_of_birth")
            .level(Level::exact())
            .level(Level::damerau_levenshtein(1))
            .level(Level::date_difference(1.0, DateUnit::Months).on("dob"))
            .level(Level::date_difference(1.0, DateUnit::Years).on("dob"))
            .level(Level::date_difference(10.0, DateUnit::Years).on("dob")),
        Comparison::new("soc_sec_id")
            .level(Level::exact())
            .level(Level::damerau_levenshtein(1))
            .level(Level::damerau_levenshtein(2)),
        Comparison::new("street_number")
            .level(Level::exact().with_tf_adjustment())
            .level(Level::damerau_levenshtein(1)),
        Comparison::new("address_1")
            .level(Level::exact().with_tf_adjustment())
            .level(Level::jaro_winkler(0.9))
            .level(Level::jaro_winkler(0.8)),
        Comparison::new("suburb")
            .level(Level::exact().with_tf_adjustment())
            .level(Level::jaro_winkler(0.9)),
        Comparison::new("postcode")
            .level(Level::exact().with_tf_adjustment())
            .level(Level::damerau_levenshtein(1)),
        Comparison::exact("state"),
    ]
}

struct Score {
    f1: f64,
    precision: f64,
    recall: f64,
}

fn run(t: &Table, settings: Settings, entities: &[u64], label: &str) -> Score {
    let linker = Linker::new(t, settings).unwrap();
    let run = linker.run(None).unwrap();
    let training = run.training.as_ref().unwrap();
    let clusters = cluster_at(
        t.len(),
        run.predictions
            .iter()
            .map(|p| (p.left, p.right, p.match_probability)),
        0.5,
    );
    let (precision, recall, f1, tp, predicted, truth) = pairwise_scores(&clusters, entities);
    eprintln!(
        "{label}: candidates {}, kept {}, prior {:.3e}, P {precision:.4} R {recall:.4} F1 {f1:.4} \
         (tp {tp}, predicted {predicted}, true {truth})",
        run.candidates.len(),
        run.predictions.len(),
        run.params.probability_two_random_records_match,
    );
    eprintln!(
        "  seconds: blocking {:.3}, comparing {:.3}, u sample {:.3} ({} pairs), training total {:.3}, predict {:.3}",
        run.candidates.report().blocking_seconds,
        run.candidates.report().comparing_seconds,
        training.u.seconds,
        training.u.pairs,
        training.seconds,
        run.predictions.seconds
    );
    for s in &training.sessions {
        eprintln!(
            "  session {}: {:?} pairs {} λ {:.4} iterations {} converged {}",
            s.rule, s.status, s.pairs, s.lambda, s.iterations, s.converged
        );
    }
    Score {
        f1,
        precision,
        recall,
    }
}

#[test]
fn febrl3_dedupe_reaches_splink_accuracy_without_labels() {
    let Some(d) = dir() else { return };
    let rows = read(&d.join("febrl3.csv"));
    let entities: Vec<u64> = rows.iter().map(|r| entity(&r[0])).collect();
    let t = table(&rows, vec![0; rows.len()]);
    let settings = Settings::new(
        LinkType::DedupeOnly,
        vec![
            BlockingRule::on(["soc_sec_id"]),
            BlockingRule::on(["given_name"]),
            BlockingRule::on(["surname"]),
            BlockingRule::on(["date_of_birth"]),
            BlockingRule::on(["postcode"]),
        ],
        comparisons(),
    );
    let s = run(&t, settings, &entities, "febrl3");
    assert!(
        s.f1 >= 0.995,
        "febrl3 F1 {:.4} (P {:.4}, R {:.4})",
        s.f1,
        s.precision,
        s.recall
    );
}

#[test]
fn febrl4_link_only_reaches_splink_accuracy_without_labels() {
    let Some(d) = dir() else { return };
    let mut rows = read(&d.join("febrl4a.csv"));
    let n_a = rows.len();
    rows.extend(read(&d.join("febrl4b.csv")));
    let entities: Vec<u64> = rows.iter().map(|r| entity(&r[0])).collect();
    let dataset = (0..rows.len()).map(|r| u16::from(r >= n_a)).collect();
    let t = table(&rows, dataset);
    let settings = Settings::new(
        LinkType::LinkOnly,
        vec![
            BlockingRule::on(["given_name", "surname"]),
            BlockingRule::on(["date_of_birth"]),
            BlockingRule::on(["soc_sec_id"]),
            BlockingRule::on(["state", "address_1"]),
            BlockingRule::on(["street_number", "address_1"]),
            BlockingRule::on(["postcode"]),
        ],
        comparisons(),
    );
    let s = run(&t, settings, &entities, "febrl4");
    assert!(
        s.f1 >= 0.998,
        "febrl4 F1 {:.4} (P {:.4}, R {:.4})",
        s.f1,
        s.precision,
        s.recall
    );
}
