//! Comparison levels: one table of cases per level kind (through the pure
//! `level_matches` and through a linker's comparison vector), and
//! properties: every level is symmetric, and the engine's hot loop decides
//! exactly what the pure function decides.

use firmlink_linkage::{
    BlockingRule, Column, Comparison, DateUnit, Level, LinkType, Linker, Settings, Table, Value,
    level_matches,
};
use proptest::prelude::*;

use Value::{Date, Null, Num, Str};

#[test]
fn string_levels_table() {
    let cases: Vec<(Level, &str, &str, bool)> = vec![
        (Level::exact(), "smith", "smith", true),
        (Level::exact(), "smith", "Smith", false),
        (Level::jaro_winkler(0.9), "martha", "marhta", true),
        (Level::jaro_winkler(0.97), "martha", "marhta", false),
        (Level::jaro_winkler(0.9), "dwayne", "duane", false),
        (Level::jaro_winkler(0.8), "dwayne", "duane", true),
        (Level::jaro(0.9), "martha", "marhta", true),
        (Level::jaro(0.95), "martha", "marhta", false),
        (Level::levenshtein(1), "jon", "john", true),
        (Level::levenshtein(1), "jon", "joan", true),
        (Level::levenshtein(1), "jon", "jane", false),
        (Level::levenshtein(2), "jon", "jane", true),
        (Level::osa(1), "jon", "jno", true),
        (Level::osa(1), "ca", "abc", false),
        (Level::damerau_levenshtein(2), "ca", "abc", true),
        (Level::damerau_levenshtein(1), "1804974", "1804947", true),
        (Level::jaccard(0.5), "acme widgets ltd", "acme ltd", true),
        (Level::jaccard(0.7), "acme widgets ltd", "acme ltd", false),
        (Level::jaccard(1.0), "acme ltd", "ltd acme", true),
        (Level::token_set(1.0), "acme widgets ltd", "ltd acme", true),
        (
            Level::token_set(0.9),
            "blue acme inc",
            "acme red inc",
            false,
        ),
        (
            Level::token_set(0.79),
            "blue acme inc",
            "acme red inc",
            true,
        ),
        (Level::token_set(0.5), "acme", "globex", false),
        (Level::jaro_winkler(0.5), "müller", "muller", true),
    ];
    for (level, a, b, want) in cases {
        assert_eq!(
            level_matches(&level, Str(a), Str(b)),
            want,
            "{level:?} on {a:?} vs {b:?}"
        );
    }
}

#[test]
fn number_and_date_levels_table() {
    let cases: Vec<(Level, Value<'static>, Value<'static>, bool)> = vec![
        (Level::exact(), Num(10.0), Num(10.0), true),
        (Level::exact(), Num(0.0), Num(-0.0), true),
        (
            Level::absolute_difference(5.0),
            Num(100.0),
            Num(105.0),
            true,
        ),
        (
            Level::absolute_difference(5.0),
            Num(100.0),
            Num(105.5),
            false,
        ),
        (
            Level::relative_difference(0.1),
            Num(100.0),
            Num(110.0),
            true,
        ),
        (
            Level::relative_difference(0.1),
            Num(100.0),
            Num(112.0),
            false,
        ),
        (
            Level::relative_difference(0.1),
            Num(-100.0),
            Num(100.0),
            false,
        ),
        (
            Level::date_difference(3.0, DateUnit::Days),
            Date(100),
            Date(103),
            true,
        ),
        (
            Level::date_difference(3.0, DateUnit::Days),
            Date(100),
            Date(104),
            false,
        ),
        (
            Level::date_difference(1.0, DateUnit::Months),
            Date(0),
            Date(30),
            true,
        ),
        (
            Level::date_difference(1.0, DateUnit::Months),
            Date(0),
            Date(31),
            false,
        ),
        (
            Level::date_difference(1.0, DateUnit::Years),
            Date(0),
            Date(365),
            true,
        ),
        (
            Level::date_difference(1.0, DateUnit::Years),
            Date(0),
            Date(366),
            false,
        ),
        (Level::exact(), Date(7), Date(7), true),
    ];
    for (level, a, b, want) in cases {
        assert_eq!(
            level_matches(&level, a, b),
            want,
            "{level:?} on {a:?} vs {b:?}"
        );
    }
}

#[test]
fn null_and_wrong_kinds_never_match() {
    let levels = [
        Level::exact(),
        Level::jaro_winkler(0.1),
        Level::levenshtein(5),
        Level::jaccard(0.1),
        Level::absolute_difference(1e9),
        Level::date_difference(1e6, DateUnit::Days),
    ];
    for level in &levels {
        for (a, b) in [
            (Null, Null),
            (Str("x"), Null),
            (Null, Num(1.0)),
            (Null, Date(1)),
        ] {
            assert!(!level_matches(level, a, b), "{level:?} on {a:?} vs {b:?}");
        }
    }
    assert!(!level_matches(
        &Level::jaro_winkler(0.1),
        Num(1.0),
        Num(1.0)
    ));
    assert!(!level_matches(
        &Level::absolute_difference(1.0),
        Str("1"),
        Str("1")
    ));
    assert!(!level_matches(&Level::exact(), Str("1"), Num(1.0)));
}

/// Comparison vectors through a linker: null first, configured levels in
/// order (first match wins), else last; a level may read another column.
#[test]
fn comparison_vector_levels_in_order() {
    let names = [
        Some("jon"),
        Some("john"),
        Some("jonathan"),
        None,
        Some("zed"),
        Some("jonny"),
    ];
    let keys = [
        Some("J500"),
        Some("J500"),
        Some("J535"),
        Some("J500"),
        Some("Z300"),
        Some("J500"),
    ];
    let mut t = Table::single_dataset(names.len());
    t.add_column(Column::strings("name", names)).unwrap();
    t.add_column(Column::strings("sound", keys)).unwrap();
    let cmp = Comparison::new("name")
        .level(Level::exact())
        .level(Level::levenshtein(1))
        .level(Level::exact().on("sound").labelled("same sound"))
        .level(Level::jaro_winkler(0.7));
    let linker = Linker::new(
        &t,
        Settings::new(
            LinkType::DedupeOnly,
            vec![BlockingRule::on(["sound"])],
            vec![cmp],
        ),
    )
    .unwrap();
    let labels = &linker.comparisons()[0].levels;
    assert_eq!(
        labels,
        &[
            "null",
            "exact",
            "levenshtein <= 1",
            "same sound",
            "jaro_winkler >= 0.7",
            "else"
        ]
    );
    for (i, j, want) in [
        (0, 0, 1), // exact
        (0, 1, 2), // jon / john: one edit
        (1, 5, 3), // john / jonny: same sound
        (0, 2, 4), // jon / jonathan: jaro-winkler 0.85
        (0, 4, 5), // jon / zed: else
        (0, 3, 0), // null name: null level, whatever the sound key says
        (3, 3, 0),
    ] {
        let v = linker.comparison_vector(i, j).unwrap();
        assert_eq!(v, vec![want], "records {i} and {j}");
        assert_eq!(
            linker.comparison_vector(j, i).unwrap(),
            v,
            "symmetric for {i}, {j}"
        );
    }
}

fn any_level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::exact()),
        (0.5f64..1.0).prop_map(Level::jaro_winkler),
        (0.5f64..1.0).prop_map(Level::jaro),
        (1u32..4).prop_map(Level::levenshtein),
        (1u32..4).prop_map(Level::osa),
        (1u32..4).prop_map(Level::damerau_levenshtein),
        (0.1f64..1.0).prop_map(Level::jaccard),
        (0.1f64..1.0).prop_map(Level::token_set),
    ]
}

fn any_value() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.85, "[ab c]{1,9}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn string_levels_are_symmetric(level in any_level(), a in "[ab cé]{0,12}", b in "[ab cé]{0,12}") {
        prop_assert_eq!(level_matches(&level, Str(&a), Str(&b)), level_matches(&level, Str(&b), Str(&a)));
    }

    #[test]
    fn numeric_levels_are_symmetric(a in -1e6f64..1e6, b in -1e6f64..1e6, max in 0.0f64..1e5, days in -40_000i32..40_000, e in -40_000i32..40_000) {
        for level in [Level::exact(), Level::absolute_difference(max), Level::relative_difference(max / 1e5)] {
            prop_assert_eq!(level_matches(&level, Num(a), Num(b)), level_matches(&level, Num(b), Num(a)));
        }
        for unit in [DateUnit::Days, DateUnit::Months, DateUnit::Years] {
            let level = Level::date_difference(max / 100.0, unit);
            prop_assert_eq!(level_matches(&level, Date(days), Date(e)), level_matches(&level, Date(e), Date(days)));
        }
    }

    /// The engine's comparison vector equals the first level that the pure
    /// function says matches (null when the main column is null).
    #[test]
    fn hot_loop_agrees_with_pure_levels(
        levels in prop::collection::vec(any_level(), 1..5),
        main in prop::collection::vec(any_value(), 8),
        other in prop::collection::vec(any_value(), 8),
        on_other in prop::collection::vec(any::<bool>(), 5),
    ) {
        let levels: Vec<Level> = levels
            .into_iter()
            .zip(&on_other)
            .map(|(l, &o)| if o { l.on("other") } else { l })
            .collect();
        let mut t = Table::single_dataset(main.len());
        t.add_column(Column::strings("main", main.iter().map(|v| v.as_deref()))).unwrap();
        t.add_column(Column::strings("other", other.iter().map(|v| v.as_deref()))).unwrap();
        let mut cmp = Comparison::new("main");
        for (k, l) in levels.iter().enumerate() {
            cmp = cmp.level(l.clone().labelled(format!("level {k}")));
        }
        let linker = Linker::new(
            &t,
            Settings::new(LinkType::DedupeOnly, vec![BlockingRule::on(["main"])], vec![cmp]),
        )
        .unwrap();
        let value = |col: &Vec<Option<String>>, r: usize| match &col[r] {
            Some(s) if !s.trim().is_empty() => Str(s.as_str()).render(),
            _ => None,
        };
        for i in 0..main.len() {
            for j in 0..main.len() {
                let got = linker.comparison_vector(i as u32, j as u32).unwrap()[0];
                let want = if value(&main, i).is_none() || value(&main, j).is_none() {
                    0
                } else {
                    let hit = levels.iter().position(|l| {
                        let col = if l.column() == Some("other") { &other } else { &main };
                        let (a, b) = (value(col, i), value(col, j));
                        match (&a, &b) {
                            (Some(a), Some(b)) => level_matches(l, Str(a), Str(b)),
                            _ => false,
                        }
                    });
                    hit.map_or(levels.len() + 1, |k| k + 1)
                };
                prop_assert_eq!(got as usize, want, "records {} and {}", i, j);
            }
        }
    }
}
