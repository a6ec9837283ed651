use super::*;

fn parse_str(text: &str) -> Result<Pipeline, Diagnostics> {
    parse(Path::new("pipelines/test.toml"), text)
}

fn errors(text: &str) -> Vec<String> {
    match parse_str(text) {
        Ok(_) => panic!("expected errors"),
        Err(d) => {
            d.0.iter()
                .map(|d| {
                    format!(
                        "{}:{} {}",
                        d.line.unwrap_or(0),
                        d.column.unwrap_or(0),
                        d.message
                    )
                })
                .collect()
        }
    }
}

const GOOD: &str = r#"
[pipeline]
name = "t"
output = "../out"

[[source]]
name = "crm"
kind = "contacts"
path = "../data/contacts.csv"
id = "Id"
priority = 1
csv = { delimiter = ";", encoding = "latin-1" }
defaults = { country = "de", date_order = "day_first" }

[source.columns]
first_name = "First"
last_name = { column = "Name", split = ",", part = 1 }
full_name = { template = "{First} {Last}" }

[source.extra]
segment = "Segment Code"
"#;

#[test]
fn a_good_file_loads() {
    let p = parse_str(GOOD).unwrap();
    assert_eq!(p.name, "t");
    assert_eq!(p.output, Path::new("pipelines/../out"));
    let s = &p.sources[0];
    assert_eq!(s.kind, Kind::Contacts);
    assert_eq!(s.path, Path::new("pipelines/../data/contacts.csv"));
    assert_eq!(s.format, Format::Csv);
    assert_eq!(s.csv.delimiter, b';');
    assert_eq!(s.csv.encoding, Encoding::Latin1);
    assert_eq!(s.defaults.country.as_deref(), Some("DE"));
    assert_eq!(s.defaults.date_order, DateOrder::DayFirst);
    assert_eq!(s.priority, 1);
    assert_eq!(s.columns.len(), 3);
    assert_eq!(
        s.columns[1].1,
        Mapping::Split {
            column: "Name".into(),
            separator: ",".into(),
            part: 1
        }
    );
    assert_eq!(s.extras[0].name, "segment");
    let cols: Vec<_> = s.column_refs.iter().map(|r| r.column.as_str()).collect();
    assert_eq!(
        cols,
        ["Id", "First", "Name", "First", "Last", "Segment Code"]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = r#"
[[source]]
name = "crm"
kind = "acounts"
path = 3
delimeter = ","
csv = { delimiter = ";;", encodng = "utf-8" }

[source.columns]
nmae = "Account Name"
website = { template = "{Site" }
"#;
    let errs = errors(text);
    let joined = errs.join("\n");
    assert!(
        joined.contains("`source[1].kind` = \"acounts\" is not one of"),
        "{joined}"
    );
    assert!(
        joined.contains("`source[1].path` must be a string, found an integer"),
        "{joined}"
    );
    assert!(
        joined.contains("unknown key `source[1].delimeter`"),
        "{joined}"
    );
    assert!(
        joined.contains("unknown key `source[1].csv.encodng`"),
        "{joined}"
    );
    assert!(
        joined.contains("`source[1].csv.delimiter` must be one ASCII character"),
        "{joined}"
    );
    assert!(joined.contains("unclosed '{'"), "{joined}");
    assert!(errs.len() >= 6, "{joined}");
}

#[test]
fn unknown_keys_get_the_closest_suggestion() {
    let text = GOOD.replace("priority = 1", "priorty = 1");
    let d = parse_str(&text).unwrap_err();
    let e = &d.0[0];
    assert_eq!(e.message, "unknown key `source[1].priorty`");
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `priority`? (the README's pipeline reference lists every key)")
    );
    assert_eq!(e.line, Some(11));
    assert_eq!(e.column, Some(1));
}

#[test]
fn canonical_field_typos_get_suggestions() {
    let text = GOOD.replace("first_name = \"First\"", "frist_name = \"First\"");
    let d = parse_str(&text).unwrap_err();
    assert!(
        d.0[0]
            .message
            .contains("`frist_name` is not a canonical contacts field")
    );
    assert!(
        d.0[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `first_name`?")
    );
}

#[test]
fn syntax_errors_have_line_and_column() {
    let errs = errors("[[source]]\nname = \"a\nkind = 1\n");
    assert!(errs[0].starts_with("2:"), "{errs:?}");
    assert!(errs[0].contains("TOML syntax"), "{errs:?}");
}

#[test]
fn missing_required_keys_are_named() {
    let errs = errors("[[source]]\nname = \"a\"\n").join("\n");
    assert!(errs.contains("`source[1].kind` is required"), "{errs}");
    assert!(errs.contains("`source[1].path` is required"), "{errs}");
    assert!(errs.contains("`source[1].columns` is required"), "{errs}");
}

#[test]
fn duplicate_source_names_are_errors() {
    let two = format!("{GOOD}\n{}", &GOOD[GOOD.find("[[source]]").unwrap()..]);
    let errs = errors(&two).join("\n");
    assert!(errs.contains("two sources are named `crm`"), "{errs}");
}

#[test]
fn format_comes_from_the_extension() {
    let p = parse_str(&GOOD.replace("contacts.csv", "contacts.parquet")).unwrap();
    assert_eq!(p.sources[0].format, Format::Parquet);
    let p = parse_str(&GOOD.replace("contacts.csv", "contacts.jsonl")).unwrap();
    assert_eq!(p.sources[0].format, Format::Jsonl);
    let errs = errors(&GOOD.replace("contacts.csv", "contacts.dat")).join("\n");
    assert!(errs.contains("cannot tell the format"), "{errs}");
}

#[test]
fn templates_parse() {
    use Part::*;
    let cases: &[(&str, Vec<Part>)] = &[
        (
            "{First} {Last}",
            vec![
                Column("First".into()),
                Text(" ".into()),
                Column("Last".into()),
            ],
        ),
        ("{A}", vec![Column("A".into())]),
        (
            "{{{A}}}",
            vec![Text("{".into()), Column("A".into()), Text("}".into())],
        ),
        (
            "x-{Street No}",
            vec![Text("x-".into()), Column("Street No".into())],
        ),
    ];
    for (input, want) in cases {
        assert_eq!(&parse_template(input).unwrap(), want, "{input}");
    }
    for bad in ["{A", "A}", "{}", "plain", "{a{b}}"] {
        assert!(parse_template(bad).is_err(), "{bad}");
    }
}

#[test]
fn defaults_are_checked() {
    let errs = errors(&GOOD.replace("country = \"de\"", "country = \"Germany\"")).join("\n");
    assert!(
        errs.contains("must be an ISO 3166-1 alpha-2 code"),
        "{errs}"
    );
}

#[test]
fn required_any_defaults_and_overrides() {
    let p = parse_str(GOOD).unwrap();
    assert_eq!(p.sources[0].required_any.len(), 4);
    let p = parse_str(&GOOD.replace(
        "priority = 1",
        "priority = 1\nrequired_any = [\"last_name\"]",
    ))
    .unwrap();
    assert_eq!(
        p.sources[0].required_any,
        vec![slot(Kind::Contacts, "last_name").unwrap()]
    );
}

#[test]
fn settings_paths_are_found_in_the_text() {
    let text = "\
[matching.contacts]
threshold = 1.5
survivorship = { email = \"most_recent\", bogus = \"max\" }

[[matching.contacts.comparisons]]
column = \"first_name\"

[[matching.contacts.comparisons]]
column = \"nope\"
levels = [{ kind = \"exact\" }, { kind = \"jaro_winkler\", threshold = 2.0 }]
";
    let at = |path: &str| span_of(text, path).map(|s| locate(text, s.start).0);
    assert_eq!(at("matching.contacts.threshold"), Some(2));
    assert_eq!(at("matching.contacts.survivorship.bogus"), Some(3));
    assert_eq!(at("matching.contacts.comparisons[1].column"), Some(9));
    assert_eq!(
        at("matching.contacts.comparisons[1].levels[1].threshold"),
        Some(10)
    );
    // The nearest part that exists: the comparison with no such key.
    assert_eq!(
        at("matching.contacts.comparisons[0].levels[0]"),
        at("matching.contacts.comparisons[0]")
    );
    assert_eq!(at("matching.accounts.threshold"), None);
}

#[test]
fn extras_may_be_numbers_or_dates_with_one_type_per_column() {
    let typed = GOOD.replace(
        "segment = \"Segment Code\"",
        "segment = \"Segment Code\"\nborn = { column = \"DOB\", type = \"date\" }\nscore = { template = \"{A}{B}\", type = \"number\" }",
    );
    let p = parse_str(&typed).unwrap();
    let types: Vec<(&str, ExtraType)> = p.sources[0]
        .extras
        .iter()
        .map(|x| (x.name.as_str(), x.ty))
        .collect();
    assert_eq!(
        types,
        [
            ("segment", ExtraType::Text),
            ("born", ExtraType::Date),
            ("score", ExtraType::Number)
        ]
    );
    // A second source of the same kind must agree on the type.
    let second = format!(
        "{typed}\n[[source]]\nname = \"web\"\nkind = \"contacts\"\npath = \"w.csv\"\n\
         [source.columns]\nemail = \"E\"\n[source.extra]\nborn = \"Birthday\"\nborn_original = \"X\"\n"
    );
    let errs = errors(&second).join("\n");
    assert!(
        errs.contains("extra column `born` is a text here but a date in source `crm`"),
        "{errs}"
    );
    assert!(errs.contains("`born_original` would collide"), "{errs}");
    // Types are for extras only, and only these three.
    let errs = errors(&GOOD.replace(
        "first_name = \"First\"",
        "first_name = { column = \"First\", type = \"date\" }",
    ))
    .join("\n");
    assert!(errs.contains("type"), "{errs}");
    let errs = errors(&GOOD.replace(
        "segment = \"Segment Code\"",
        "segment = { column = \"S\", type = \"integer\" }",
    ))
    .join("\n");
    assert!(errs.contains("is not one of: text, number, date"), "{errs}");
}

#[test]
fn a_pipeline_file_that_is_not_utf8_is_a_text_problem() {
    let path = std::env::temp_dir().join(format!("firmlink-latin1-{}.toml", std::process::id()));
    std::fs::write(&path, b"[[source]]\nname = \"caf\xE9\"\n").unwrap();
    let d = load(&path).expect_err("not UTF-8");
    std::fs::remove_file(&path).ok();
    assert_eq!(d.0.len(), 1);
    assert_eq!(d.0[0].phase, Phase::Syntax, "exit 3, not a missing file");
    assert!(
        d.0[0].message.contains("byte 22 (line 2) is 0xE9"),
        "{}",
        d.0[0].message
    );
}

#[test]
fn a_source_that_maps_no_identifying_field_is_an_error() {
    let text = GOOD.replace("priority = 1", "priority = 1\nrequired_any = [\"email\"]");
    let errs = errors(&text);
    assert!(
        errs.iter()
            .any(|e| e.contains("maps none of the fields a record needs (email)")),
        "{errs:?}"
    );
}
