//! The linker end to end on small synthetic people: settings problems are
//! reported together, parameters round-trip through JSON and pin training,
//! runs are deterministic, explanations add up, term frequencies weigh
//! frequent values less.

use firmlink_linkage::train::SessionStatus;
use firmlink_linkage::{
    BlockingRule, Column, Comparison, DateUnit, Level, LinkType, LinkageError, Linker, Params,
    SessionU, Settings, Table, TfTable,
};

use crate::util::{cluster_at, pairwise_scores};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FIRST: [&str; 12] = [
    "james",
    "mary",
    "john",
    "patricia",
    "robert",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "david",
    "barbara",
];
const LAST: [&str; 16] = [
    "smith",
    "smith",
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
];
const CITY: [&str; 6] = [
    "springfield",
    "riverside",
    "franklin",
    "greenville",
    "bristol",
    "clinton",
];

fn typo(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let i = rng.below(c.len() - 1);
    c.swap(i, i + 1);
    c.into_iter().collect()
}

/// People with 1–3 records each (typos, missing values), two datasets
/// when `two_datasets` (each entity has at most one record per dataset).
fn people(entities: usize, seed: u64, two_datasets: bool) -> (Table, Vec<u64>) {
    let mut rng = Rng(seed);
    let (mut first, mut last, mut city, mut dob, mut ssn) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut truth, mut dataset) = (vec![], vec![]);
    for e in 0..entities {
        let f = FIRST[rng.below(FIRST.len())].to_owned();
        let l = LAST[rng.below(LAST.len())].to_owned();
        let c = CITY[rng.below(CITY.len())].to_owned();
        let d = 3_000 + rng.below(20_000) as i32;
        let s = format!("{:07}", rng.next() % 10_000_000);
        let copies = if two_datasets {
            1 + rng.below(2)
        } else {
            1 + rng.below(3)
        };
        for k in 0..copies {
            let noisy = k > 0;
            first.push(Some(if noisy && rng.below(3) == 0 {
                typo(&mut rng, &f)
            } else {
                f.clone()
            }));
            last.push(if noisy && rng.below(6) == 0 {
                None
            } else {
                Some(l.clone())
            });
            city.push(Some(c.clone()));
            dob.push(Some(if noisy && rng.below(5) == 0 { d + 1 } else { d }));
            ssn.push(if noisy && rng.below(4) == 0 {
                Some(typo(&mut rng, &s))
            } else {
                Some(s.clone())
            });
            truth.push(e as u64);
            dataset.push(if two_datasets { k as u16 } else { 0 });
        }
    }
    let mut t = Table::new(dataset);
    t.add_column(Column::strings("first", first)).unwrap();
    t.add_column(Column::strings("last", last)).unwrap();
    t.add_column(Column::strings("city", city)).unwrap();
    t.add_column(Column::dates("dob", dob)).unwrap();
    t.add_column(Column::strings("ssn", ssn)).unwrap();
    (t, truth)
}

fn settings(link_type: LinkType) -> Settings {
    let mut s = Settings::new(
        link_type,
        vec![
            BlockingRule::on(["ssn"]),
            BlockingRule::on(["dob"]),
            BlockingRule::on(["last"]).and_prefix("first", 1),
        ],
        vec![
            Comparison::name("first"),
            Comparison::new("last")
                .level(Level::exact().with_tf_adjustment())
                .level(Level::jaro_winkler(0.9)),
            Comparison::exact("city"),
            Comparison::new("dob")
                .level(Level::exact())
                .level(Level::date_difference(1.0, DateUnit::Months)),
            Comparison::new("ssn")
                .level(Level::exact())
                .level(Level::osa(1)),
        ],
    );
    s.training.u_sample_pairs = 200_000;
    s
}

#[test]
fn dedupe_finds_the_people_without_labels() {
    let (t, truth) = people(400, 1, false);
    let linker = Linker::new(&t, settings(LinkType::DedupeOnly)).unwrap();
    let run = linker.run(None).unwrap();
    let clusters = cluster_at(
        t.len(),
        run.predictions
            .iter()
            .map(|p| (p.left, p.right, p.match_probability)),
        0.5,
    );
    let (p, r, f1, ..) = pairwise_scores(&clusters, &truth);
    assert!(f1 > 0.97, "P {p:.4} R {r:.4} F1 {f1:.4}");
    let training = run.training.unwrap();
    assert_eq!(training.sessions.len(), 3);
    assert!(!training.prior.pinned);
    assert!(
        training
            .comparisons
            .iter()
            .all(|c| !c.m_from_sessions.is_empty())
    );
}

#[test]
fn link_only_predictions_are_all_across_datasets() {
    let (t, truth) = people(300, 2, true);
    let linker = Linker::new(&t, settings(LinkType::LinkOnly)).unwrap();
    let run = linker.run(None).unwrap();
    assert!(!run.predictions.is_empty());
    for p in run.predictions.iter() {
        assert_ne!(t.dataset()[p.left as usize], t.dataset()[p.right as usize]);
    }
    let clusters = cluster_at(
        t.len(),
        run.predictions
            .iter()
            .map(|p| (p.left, p.right, p.match_probability)),
        0.5,
    );
    let (p, r, f1, ..) = pairwise_scores(&clusters, &truth);
    assert!(f1 > 0.97, "P {p:.4} R {r:.4} F1 {f1:.4}");
}

#[test]
fn runs_are_deterministic_and_pinned_params_reproduce_them() {
    let (t, _) = people(200, 3, false);
    let linker = Linker::new(&t, settings(LinkType::DedupeOnly)).unwrap();
    let a = linker.run(None).unwrap();
    let b = linker.run(None).unwrap();
    assert_eq!(a.params, b.params);
    assert_eq!(a.predictions.left(), b.predictions.left());
    assert_eq!(a.predictions.right(), b.predictions.right());
    assert_eq!(a.predictions.match_weight(), b.predictions.match_weight());

    // JSON keeps every probability to within a unit in the last place.
    let json = a.params.to_json().unwrap();
    let loaded = Params::from_json(&json).unwrap();
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-15 * x.abs().max(y.abs());
    assert!(close(
        loaded.probability_two_random_records_match,
        a.params.probability_two_random_records_match
    ));
    for (l, r) in loaded.comparisons.iter().zip(&a.params.comparisons) {
        assert_eq!(l.name, r.name);
        for (x, y) in l.levels.iter().zip(&r.levels) {
            assert_eq!(x.label, y.label);
            assert!(close(x.m, y.m) && close(x.u, y.u), "{x:?} vs {y:?}");
        }
    }
    let pinned = linker.run(Some(loaded)).unwrap();
    assert!(pinned.training.is_none());
    assert_eq!(pinned.predictions.left(), a.predictions.left());
    for (x, y) in pinned
        .predictions
        .match_weight()
        .iter()
        .zip(a.predictions.match_weight())
    {
        assert!((x - y).abs() < 1e-9, "{x} vs {y}");
    }
}

#[test]
fn params_for_other_settings_are_rejected_with_the_difference() {
    let (t, _) = people(100, 4, false);
    let linker = Linker::new(&t, settings(LinkType::DedupeOnly)).unwrap();
    let cands = linker.block().unwrap();
    let (params, _) = linker.train(&cands).unwrap();

    let mut renamed = params.clone();
    renamed.comparisons[2].name = "town".into();
    let err = linker.predict(&cands, &renamed).unwrap_err().to_string();
    assert!(err.contains("`town`") && err.contains("`city`"), "{err}");

    let mut fewer = params.clone();
    fewer.comparisons[4].levels.remove(1);
    let err = linker.predict(&cands, &fewer).unwrap_err().to_string();
    assert!(
        err.contains("comparison `ssn` has levels [exact, else]"),
        "{err}"
    );

    // The same labels on another column: parameters of another model.
    let mut moved = params.clone();
    moved.comparisons[4].levels[0].column = Some("ssn_digits".into());
    let err = linker.predict(&cands, &moved).unwrap_err().to_string();
    assert!(
        err.contains(
            "level `exact` reads `ssn_digits` in the parameters but `ssn` in the settings"
        ),
        "{err}"
    );
    // The same label and column with another threshold.
    let mut retuned = params.clone();
    retuned.comparisons[0].levels[1].test = Some("jaro_winkler >= 0.5".into());
    let err = linker.predict(&cands, &retuned).unwrap_err().to_string();
    assert!(
        err.contains("tests `jaro_winkler >= 0.5` in the parameters but"),
        "{err}"
    );
    // Files from before the column and the test were written still load.
    let mut old = params.clone();
    for l in old.comparisons.iter_mut().flat_map(|c| &mut c.levels) {
        l.column = None;
        l.test = None;
    }
    assert!(linker.predict(&cands, &old).is_ok());
    assert_eq!(
        params.comparisons[4].levels.last().unwrap().column,
        None,
        "else"
    );

    let bad = params
        .to_json()
        .unwrap()
        .replace("\"version\": 1", "\"version\": 9");
    assert!(matches!(
        Params::from_json(&bad),
        Err(LinkageError::ParamsMismatch { .. })
    ));
    let unknown = params.to_json().unwrap().replacen('{', "{\"extra\": 1,", 1);
    assert!(matches!(
        Params::from_json(&unknown),
        Err(LinkageError::Json(_))
    ));
}

#[test]
fn explanation_adds_up_to_the_prediction() {
    let (t, _) = people(150, 5, false);
    let mut s = settings(LinkType::DedupeOnly);
    s.threshold_match_probability = 0.0;
    let linker = Linker::new(&t, s).unwrap();
    let run = linker.run(None).unwrap();
    let best = run
        .predictions
        .iter()
        .max_by(|a, b| a.match_weight.total_cmp(&b.match_weight))
        .unwrap();
    let e = linker
        .explain_pair(&run.params, best.right, best.left)
        .unwrap();
    assert_eq!((e.left, e.right), (best.left, best.right));
    assert!((e.match_weight - best.match_weight).abs() < 1e-9);
    assert!((e.match_probability - best.match_probability).abs() < 1e-12);
    let sum: f64 = e.prior_weight + e.comparisons.iter().map(|c| c.weight).sum::<f64>();
    assert!((sum - e.match_weight).abs() < 1e-9);
    assert_eq!(
        e.comparisons.last().unwrap().cumulative_weight,
        e.match_weight
    );
    assert!(!e.found_by.is_empty());
    let text = e.render();
    for needle in [
        "match probability",
        "found by:",
        "prior",
        "first",
        "last",
        "city",
        "dob",
        "ssn",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["comparisons"].as_array().unwrap().len(), 5);

    // A pair no rule produces is explained too, and says so.
    let far = (0..t.len() as u32)
        .find(|&j| {
            linker.comparison_vector(0, j).unwrap()[4] == 3 && {
                let d = linker.comparison_vector(0, j).unwrap();
                d[3] != 1 && d[1] != 1
            }
        })
        .unwrap();
    let e = linker.explain_pair(&run.params, 0, far).unwrap();
    assert!(e.render().contains("no blocking rule"));
    assert!(matches!(
        linker.explain_pair(&run.params, 0, 1_000_000),
        Err(LinkageError::RecordOutOfRange {
            record: 1_000_000,
            ..
        })
    ));
}

#[test]
fn frequent_values_weigh_less_than_rare_ones() {
    // "smith" is three times as frequent as the other surnames in `people`.
    let (t, _) = people(300, 6, false);
    let linker = Linker::new(&t, settings(LinkType::DedupeOnly)).unwrap();
    let run = linker.run(None).unwrap();
    let last = t.column("last").unwrap();
    let step =
        |i: u32, j: u32| linker.explain_pair(&run.params, i, j).unwrap().comparisons[1].clone();
    let find = |name: &str| -> (u32, u32) {
        let rec: Vec<u32> = (0..t.len() as u32)
            .filter(|&r| last.value(r as usize).render().as_deref() == Some(name))
            .collect();
        (rec[0], rec[1])
    };
    let smith = step(find("smith").0, find("smith").1);
    let wilson = step(find("wilson").0, find("wilson").1);
    let (ts, tw) = (smith.tf_adjustment.unwrap(), wilson.tf_adjustment.unwrap());
    assert!(ts.frequency > tw.frequency);
    assert!(
        smith.weight < wilson.weight,
        "smith {} vs wilson {}",
        smith.weight,
        wilson.weight
    );

    // Pinned frequencies replace the data's.
    let mut pinned = run.params.clone();
    let mut table = linker.tf_table("last").unwrap();
    assert_eq!(table.total, last.non_null() as u64);
    table.counts.insert("wilson".into(), table.total / 2);
    pinned.tf_tables.insert(
        "last".into(),
        TfTable {
            total: table.total,
            counts: table.counts,
        },
    );
    let e = linker
        .explain_pair(&pinned, find("wilson").0, find("wilson").1)
        .unwrap();
    let tf = e.comparisons[1].tf_adjustment.as_ref().unwrap();
    assert!((tf.frequency - 0.5).abs() < 0.01, "{}", tf.frequency);
    assert_eq!(
        linker.tf_columns(),
        vec!["first".to_owned(), "last".to_owned()]
    );
}

#[test]
fn settings_problems_are_reported_together() {
    let (t, _) = people(20, 7, false);
    let mut s = Settings::new(
        LinkType::LinkOnly,
        vec![
            BlockingRule::on(["lst"]),
            BlockingRule::on(["dob"]).and_prefix("dob", 2),
        ],
        vec![
            Comparison::new("first").level(Level::jaro_winkler(1.5)),
            Comparison::new("dob").level(Level::jaro_winkler(0.9)),
            Comparison::new("city")
                .level(Level::exact().on("town"))
                .named("first"),
        ],
    );
    s.threshold_match_probability = 2.0;
    let err = Linker::new(&t, s).unwrap_err();
    let LinkageError::InvalidSettings(problems) = &err else {
        panic!("expected InvalidSettings, got {err:?}");
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "blocking_rules[0].keys[0].column",
            "blocking_rules[1].keys[1].prefix",
            "link_type",
            "threshold_match_probability",
            "comparisons[0].levels[0].threshold",
            "comparisons[1].levels[0]",
            "comparisons[2].name",
            "comparisons[2].levels[0].column",
        ]
    );
    let text = err.to_string();
    assert!(
        text.contains("column `lst` is not in the table; did you mean `last`?"),
        "{text}"
    );
    assert!(
        text.contains("needs a string column; `dob` holds dates"),
        "{text}"
    );
    assert!(text.contains("got 1.5"), "{text}");
    assert!(text.contains("8 problem(s)"), "{text}");
}

#[test]
fn settings_read_from_json_reject_unknown_keys() {
    let ok = r#"{
        "link_type": "link_only",
        "blocking_rules": [{ "keys": ["last", { "column": "first", "prefix": 1 }] }],
        "comparisons": [{ "name": "first", "column": "first", "levels": [
            { "kind": "exact", "tf_adjustment": true },
            { "kind": "jaro_winkler", "threshold": 0.9 },
            { "kind": "date_difference", "max": 1, "unit": "years", "column": "dob" }
        ] }],
        "training": { "u_sample_pairs": 5000 }
    }"#;
    let s: Settings = serde_json::from_str(ok).unwrap();
    assert_eq!(s.blocking_rules[0].display_name(), "last & first[..1]");
    assert_eq!(s.training.u_sample_pairs, 5000);
    assert_eq!(s.max_block_size, 5000);
    let back: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    for bad in [
        ok.replace("\"link_type\"", "\"linktype\""),
        ok.replace("\"threshold\": 0.9", "\"threshold\": 0.9, \"thresh\": 1"),
        ok.replace("\"u_sample_pairs\"", "\"u_samples\""),
        ok.replace("\"prefix\": 1", "\"prefix\": 1, \"suffix\": 2"),
    ] {
        assert!(
            serde_json::from_str::<Settings>(&bad).is_err(),
            "accepted {bad}"
        );
    }
}

#[test]
fn explicit_training_rules_run_one_session_each() {
    let (t, truth) = people(300, 8, false);
    let mut s = settings(LinkType::DedupeOnly);
    s.training.blocking_rules = vec![
        BlockingRule::on(["dob"]),
        BlockingRule::on(["city", "first"]),
    ];
    s.training.session_u = SessionU::Fixed;
    let linker = Linker::new(&t, s).unwrap();
    let run = linker.run(None).unwrap();
    let training = run.training.unwrap();
    let names: Vec<&str> = training.sessions.iter().map(|s| s.rule.as_str()).collect();
    assert_eq!(names, vec!["dob", "city & first"]);
    assert_eq!(training.sessions[0].left_out, vec!["dob".to_owned()]);
    assert_eq!(
        training.sessions[1].left_out,
        vec!["first".to_owned(), "city".to_owned()]
    );
    let clusters = cluster_at(
        t.len(),
        run.predictions
            .iter()
            .map(|p| (p.left, p.right, p.match_probability)),
        0.5,
    );
    let (p, r, f1, ..) = pairwise_scores(&clusters, &truth);
    assert!(f1 > 0.95, "P {p:.4} R {r:.4} F1 {f1:.4}");
}

#[test]
fn sessions_leave_out_comparisons_on_columns_computed_from_the_rule() {
    let (mut t, _) = people(80, 11, false);
    let text = |name: &str, r: usize| t.column(name).unwrap().value(r).render();
    let last_key: Vec<Option<String>> = (0..t.len())
        .map(|r| text("last", r).map(|v| v.to_lowercase()))
        .collect();
    let city_first: Vec<Option<String>> = (0..t.len())
        .map(|r| Some(format!("{} {}", text("city", r)?, text("first", r)?)))
        .collect();
    t.add_column(Column::strings("last_key", last_key)).unwrap();
    t.add_column(Column::strings("city_first", city_first))
        .unwrap();
    // A chain through a name that is not a column, and a column computed
    // from two others together.
    t.computed_from("last_folded", ["last"])
        .computed_from("last_key", ["last_folded"])
        .computed_from("city_first", ["city", "first"]);
    let mut s = Settings::new(
        LinkType::DedupeOnly,
        vec![BlockingRule::on(["ssn"])],
        vec![
            Comparison::exact("last_key"),
            Comparison::exact("city_first"),
            Comparison::exact("dob"),
        ],
    );
    s.training.min_session_pairs = 1;
    s.training.blocking_rules = vec![
        BlockingRule::on(["last"]).named("last"),
        BlockingRule::on(["city"]).named("city"),
        BlockingRule::on(["city", "first"]).named("city+first"),
        BlockingRule::on(["city"])
            .and_prefix("last", 3)
            .named("city+last prefix"),
    ];
    let linker = Linker::new(&t, s).unwrap();
    let (_, report) = linker.train(&linker.block().unwrap()).unwrap();
    let left: Vec<(&str, Vec<&str>)> = report
        .sessions
        .iter()
        .map(|s| {
            (
                s.rule.as_str(),
                s.left_out.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        left,
        vec![
            ("last", vec!["last_key"]),
            ("city", vec![]),
            ("city+first", vec!["city_first"]),
            // A prefix agrees on part of the column only.
            ("city+last prefix", vec![]),
        ]
    );
}

#[test]
fn sessions_that_cannot_estimate_are_skipped_and_defaults_reported() {
    let (t, _) = people(60, 9, false);
    let mut s = Settings::new(
        LinkType::DedupeOnly,
        vec![BlockingRule::on(["last"]), BlockingRule::on(["ssn"])],
        vec![Comparison::exact("last"), Comparison::exact("city")],
    );
    s.training.min_session_pairs = 1_000_000;
    let linker = Linker::new(&t, s).unwrap();
    let cands = linker.block().unwrap();
    let (params, report) = linker.train(&cands).unwrap();
    assert!(
        report
            .sessions
            .iter()
            .all(|s| matches!(s.status, SessionStatus::Skipped(_)))
    );
    assert!(
        report
            .comparisons
            .iter()
            .all(|c| c.m_from_sessions.is_empty())
    );
    // Default m: the exact level 0.95, else 0.05.
    assert!((params.comparisons[1].levels[0].m - 0.95).abs() < 1e-12);

    let mut s = Settings::new(
        LinkType::DedupeOnly,
        vec![BlockingRule::on(["last"])],
        vec![Comparison::exact("last")],
    );
    s.training.min_session_pairs = 1;
    let linker = Linker::new(&t, s).unwrap();
    let (_, report) = linker.train(&linker.block().unwrap()).unwrap();
    assert_eq!(
        report.sessions[0].status,
        SessionStatus::Skipped(
            "every comparison reads a column of the rule or one computed from it".into()
        )
    );
}

#[test]
fn empty_and_single_record_tables_do_not_fail() {
    for n in [0usize, 1] {
        let mut t = Table::single_dataset(n);
        t.add_column(Column::strings("name", (0..n).map(|_| Some("x"))))
            .unwrap();
        let linker = Linker::new(
            &t,
            Settings::new(
                LinkType::DedupeOnly,
                vec![BlockingRule::on(["name"])],
                vec![Comparison::exact("name")],
            ),
        )
        .unwrap();
        let run = linker.run(None).unwrap();
        assert!(run.candidates.is_empty());
        assert!(run.predictions.is_empty());
        let p = run.params.probability_two_random_records_match;
        assert!(p > 0.0 && p < 1.0, "{p}");
    }
}

/// The waterfall a person reads, for a fixed model (snapshot).
#[test]
fn explanation_renders_as_a_waterfall() {
    let mut t = Table::single_dataset(4);
    t.add_column(Column::strings(
        "first",
        [Some("anna"), Some("anne"), Some("bob"), None],
    ))
    .unwrap();
    t.add_column(Column::strings(
        "last",
        [Some("smith"), Some("smith"), Some("smith"), Some("jones")],
    ))
    .unwrap();
    let s = Settings::new(
        LinkType::DedupeOnly,
        vec![BlockingRule::on(["last"])],
        vec![
            Comparison::new("first")
                .level(Level::exact())
                .level(Level::jaro_winkler(0.85)),
            Comparison::new("last").level(Level::exact().with_tf_adjustment()),
        ],
    );
    let linker = Linker::new(&t, s).unwrap();
    let params = Params::from_json(
        r#"{
          "version": 1,
          "probability_two_random_records_match": 0.01,
          "comparisons": [
            { "name": "first", "levels": [
              { "label": "exact", "m": 0.9, "u": 0.05 },
              { "label": "jaro_winkler >= 0.85", "m": 0.08, "u": 0.05 },
              { "label": "else", "m": 0.02, "u": 0.9 } ] },
            { "name": "last", "levels": [
              { "label": "exact (tf)", "m": 0.95, "u": 0.1 },
              { "label": "else", "m": 0.05, "u": 0.9 } ] }
          ]
        }"#,
    )
    .unwrap();
    let e = linker.explain_pair(&params, 1, 0).unwrap();
    // By hand: prior log2(0.01 / 0.99) = -6.63; jaro-winkler(anna, anne) =
    // 0.883, log2(0.08 / 0.05) = +0.68; smith is 3 of 4 values, so the exact
    // level's log2(0.95 / 0.1) = +3.25 is adjusted by log2(0.1 / 0.75) = -2.91.
    let want = "\
pair 0 ~ 1: match probability 0.0201 (match weight -5.61)
found by: last
  comparison level                values             m      u           weight total
  prior                                                0.0100            -6.63 -6.63
  first      jaro_winkler >= 0.85 anna | anne   0.0800 0.0500            +0.68 -5.95
  last       exact (tf)           smith | smith 0.9500 0.1000 +0.34 (tf -2.91) -5.61
";
    assert_eq!(e.render(), want);
    // A null value carries no evidence; a pair no rule produces says so.
    let want = "\
pair 0 ~ 3: match probability 5.61e-4 (match weight -10.80)
found by: no blocking rule (predict would not score this pair)
  comparison level values             m      u weight  total
  prior                                 0.0100  -6.63  -6.63
  first      null  anna | ∅                     +0.00  -6.63
  last       else  smith | jones 0.0500 0.9000  -4.17 -10.80
";
    assert_eq!(linker.explain_pair(&params, 0, 3).unwrap().render(), want);
}
