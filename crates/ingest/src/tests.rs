use std::path::Path;

use firmlink_config::parse;
use firmlink_model::{Kind, Reason, slot};

use super::*;

fn pipeline(dir: &Path, source_toml: &str) -> Pipeline {
    let text = format!("[pipeline]\noutput = \"out\"\n\n{source_toml}");
    let path = dir.join("p.toml");
    std::fs::write(&path, &text).unwrap();
    parse(&path, &text).unwrap_or_else(|d| panic!("{d}"))
}

fn read_all(source: &Source) -> (Vec<RawRecord>, IngestStats) {
    let mut records = Vec::new();
    let stats = read(source, 0, 2, &mut |chunk, _| records.extend(chunk)).unwrap();
    (records, stats)
}

const CONTACTS: &str = r#"
[[source]]
name = "crm"
kind = "contacts"
path = "c.csv"
id = "Id"

[source.columns]
full_name = { template = "{First} {Last}" }
last_name = "Last"
email = "Email"

[source.extra]
segment = "Seg"
"#;

#[test]
fn every_row_is_a_record_or_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv: Vec<u8> = Vec::new();
    csv.extend_from_slice("\u{feff}Id,First,Last,Email,Seg\n".as_bytes()); // BOM
    csv.extend_from_slice(b"1,Jane,Doe,jane@acme.com,A\n"); // line 2 ok
    csv.extend_from_slice(b"2,John,Roe,john@acme.com,B,extra\n"); // 3 field count
    csv.extend_from_slice(b"3,J\xF6rg,M,j@x.de,C\n"); // 4 invalid utf-8
    csv.extend_from_slice(b"4,,,,D\n"); // 5 missing required
    csv.extend_from_slice(b"1,Janet,Doe,janet@acme.com,E\n"); // 6 duplicate id
    csv.extend_from_slice(b",Ann,Lee,ann@acme.com,F\n"); // 7 derived id
    csv.extend_from_slice(b",Ann,Lee,ann@acme.com,F\n"); // 8 identical, no id
    csv.extend_from_slice(b"5,\"Multi\nLine\",Poe,NULL,G\n"); // 9-10 quoted newline, ok
    csv.extend_from_slice(b"6,Unclosed,\"Quote,x@y.com,H\n7,A,B,c@d.com,I\n"); // 11: open quote swallows the rest
    std::fs::write(dir.path().join("c.csv"), &csv).unwrap();
    let p = pipeline(dir.path(), CONTACTS);
    let (records, stats) = read_all(&p.sources[0]);

    assert_eq!(stats.rows_read, 9);
    assert_eq!(
        stats.rows_read,
        stats.records + stats.quarantined.len() as u64
    );
    assert_eq!(records.len() as u64, stats.records);
    let reasons: Vec<(u64, Reason)> = stats
        .quarantined
        .iter()
        .map(|q| (q.line, q.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (3, Reason::FieldCount),
            (4, Reason::InvalidUtf8),
            (5, Reason::MissingRequired),
            (6, Reason::DuplicateId),
            (8, Reason::DuplicateId),
            (11, Reason::FieldCount),
        ]
    );
    let utf8 = &stats.quarantined[1];
    assert_eq!(utf8.column.as_deref(), Some("First"));
    assert!(
        utf8.message.contains("at byte 1 of the value"),
        "{}",
        utf8.message
    );
    assert!(
        stats.quarantined[5]
            .message
            .contains("a quote is opened and not closed before the end of the file"),
        "{}",
        stats.quarantined[5].message
    );
    assert!(
        stats.quarantined[3]
            .message
            .contains("already used on line 2")
    );

    let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 7, 9]);
    let full = slot(Kind::Contacts, "full_name").unwrap();
    let email = slot(Kind::Contacts, "email").unwrap();
    assert_eq!(records[0].fields[full].as_deref(), Some("Jane Doe"));
    assert_eq!(records[0].extras, [Some("A".to_string())]);
    assert!(records[1].id_derived);
    assert!(records[1].source_id.starts_with("derived:"));
    assert_eq!(records[2].fields[full].as_deref(), Some("Multi Line Poe"));
    assert_eq!(records[2].fields[email], None, "NULL is a null token");
    assert_eq!(stats.quarantined_by_reason["duplicate_id"], 2);
    assert_eq!(stats.bytes, csv.len() as u64);
    assert_eq!(stats.sha256.len(), 64);
}

/// Reads `csv` as the CONTACTS source.
fn read_csv(csv: impl AsRef<[u8]>) -> (Vec<RawRecord>, IngestStats) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.csv"), csv).unwrap();
    let p = pipeline(dir.path(), CONTACTS);
    read_all(&p.sources[0])
}

/// The lines of the quarantined rows (with their reasons) and of the records.
fn lines(records: &[RawRecord], stats: &IngestStats) -> (Vec<(u64, Reason)>, Vec<u64>) {
    let bad = stats
        .quarantined
        .iter()
        .map(|q| (q.line, q.reason))
        .collect();
    (bad, records.iter().map(|r| r.line).collect())
}

#[test]
fn crlf_files_report_the_same_lines_as_lf_files() {
    // rust-csv reports CRLF records one line too low (issue #395); the
    // reader corrects it, so a quarantined row is found where it is.
    let rows: &[&[u8]] = &[
        b"Id,First,Last,Email,Seg",
        b"1,Jane,Doe,jane@acme.com,A",       // 2
        b"2,John,Roe,john@acme.com,B,extra", // 3 field count
        b"3,\"Multi\nLine\",Poe,p@x.com,C",  // 4-5
        b"4,J\xF6rg,M,j@x.de,D",             // 6 invalid utf-8
        b"5,Ann,Lee,ann@acme.com,E",         // 7
        b"6,\"Two\nLines\",x@y.com,F",       // 8-9: four fields, quote closed
        b"7,Bo,Li,b@x.com,G",                // 10
    ];
    for eol in [&b"\n"[..], b"\r\n"] {
        let mut csv: Vec<u8> = Vec::new();
        for r in rows {
            // the quoted line break follows the file's convention too
            for &b in *r {
                if b == b'\n' {
                    csv.extend_from_slice(eol);
                } else {
                    csv.push(b);
                }
            }
            csv.extend_from_slice(eol);
        }
        let (records, stats) = read_csv(&csv);
        let (bad, good) = lines(&records, &stats);
        assert_eq!(
            bad,
            [
                (3, Reason::FieldCount),
                (6, Reason::InvalidUtf8),
                (8, Reason::FieldCount)
            ],
            "eol {eol:?}"
        );
        assert_eq!(good, [2, 4, 7, 10], "eol {eol:?}");
        // The quote is closed: the row is short, not swallowed.
        let hint = &stats.quarantined[2].message;
        assert!(hint.contains("values are missing"), "eol {eol:?}: {hint}");
    }
}

#[test]
fn mixed_line_endings_and_blank_lines_keep_every_line_number_right() {
    // Files pasted together from exports of different systems mix CRLF and
    // LF, and may hold blank lines: each record's line is where it starts.
    let csv: &[u8] = b"Id,First,Last,Email,Seg\n\
        1,Jane,Doe,jane@acme.com,A\r\n\
        2,John,Roe,john@acme.com,B,extra\n\
        \r\n\
        3,\"Multi\r\nLine\",Poe,p@x.com,C\n\
        \n\
        \n\
        4,J\xF6rg,M,j@x.de,D\r\n\
        5,Ann,Lee,ann@acme.com,E\n\
        6,\"Two\nLines\",x@y.com,F\r\n\
        7,Bo,Li,b@x.com,G";
    // lines: header 1, Jane 2, John 3, blank 4, Multi 5-6, blank 7-8,
    // Jörg 9, Ann 10, Two 11-12, Bo 13
    let (records, stats) = read_csv(csv);
    let (bad, good) = lines(&records, &stats);
    assert_eq!(
        bad,
        [
            (3, Reason::FieldCount),
            (9, Reason::InvalidUtf8),
            (11, Reason::FieldCount)
        ]
    );
    assert_eq!(good, [2, 5, 10, 13]);
    // The byte offset named for the bad UTF-8 points at the bad byte.
    let at = csv.iter().position(|&b| b == 0xF6).unwrap();
    let msg = &stats.quarantined[1].message;
    assert!(msg.contains(&format!("(byte {at} of the file)")), "{msg}");
}

#[test]
fn bare_cr_files_and_long_records_keep_every_line_number_right() {
    // Old Mac exports end lines with a bare CR; the csv reader ends records
    // there, and so does the line count. A giant quoted value (longer than
    // any read-ahead) must not throw the lines after it off.
    let big = "x\n".repeat(70_000); // 140 KB over 70,000 lines
    let csv = format!(
        "Id,First,Last,Email,Seg\r\
         1,Jane,Doe,jane@acme.com,A\r\
         2,John,Roe,john@acme.com,B,extra\r\
         \r\
         3,\"{big}\",Poe,p@x.com,C\n\
         4,Bo,Li\r\n\
         5,Ann,Lee,ann@acme.com,E\r"
    );
    // lines: header 1, Jane 2, John 3, blank 4, big 5-70005, Bo 70006,
    // Ann 70007
    let (records, stats) = read_csv(&csv);
    let (bad, good) = lines(&records, &stats);
    assert_eq!(bad, [(3, Reason::FieldCount), (70_006, Reason::FieldCount)]);
    assert_eq!(good, [2, 5, 70_007]);
}

#[test]
fn lf_cr_endings_count_once() {
    // Some broken exporters end lines with LF CR: one line each, as grep -n.
    let csv: &[u8] = b"Id,First,Last,Email,Seg\n\r\
        1,Jane,Doe,jane@acme.com,A\n\r\
        2,John,Roe,john@acme.com,B,extra\n\r\
        3,Bo,Li,b@x.com,G\n\r";
    let (records, stats) = read_csv(csv);
    let (bad, good) = lines(&records, &stats);
    assert_eq!(bad, [(3, Reason::FieldCount)]);
    assert_eq!(good, [2, 4]);
}

#[test]
fn short_and_long_rows_get_the_hint_that_fits() {
    let csv: &[u8] = b"Id,First,Last,Email,Seg\n\
        1,\"Acme, Inc.\nSuite 4\",a@b.com,A\n\
        2,Jo,\"Li\ra\",j@l.com,B\n\
        3,Bo,\"Li,b@x.com,C\n\
        4,Al,Ng,a@n.com,D\n\
        5,\"Cy\",Ra,c@r.com,E\n\
        6,Di,Ko,d@k.com,F\n\
        7,Ed,\"Ma,e@m.com,G";
    // lines: Acme 2-3 (closed, a delimiter before its break: short row),
    // Jo 4 (a stray CR inside quotes is no line), Bo 5-7 (its open quote
    // swallows Al and closes at Cy's), Di 8, Ed 9 (open at the end).
    let (records, stats) = read_csv(csv);
    let (bad, good) = lines(&records, &stats);
    assert_eq!(
        bad,
        [
            (2, Reason::FieldCount),
            (5, Reason::FieldCount),
            (9, Reason::FieldCount)
        ]
    );
    assert_eq!(good, [4, 8]);
    let hints: Vec<&str> = stats
        .quarantined
        .iter()
        .map(|q| q.message.as_str())
        .collect();
    assert!(hints[0].contains("values are missing"), "{}", hints[0]);
    assert!(
        hints[1].contains("the row runs over 3 lines, so a quote is probably not closed"),
        "{}",
        hints[1]
    );
    assert!(
        hints[2].contains("a quote is opened and not closed before the end of the file"),
        "{}",
        hints[2]
    );
}

#[test]
fn a_quote_closed_rows_later_quarantines_the_row_that_swallowed_them() {
    // Bo's quote opens on line 3 and closes on Cy's line 6: the record has
    // the header's five fields, its First value holds Al's and Di's rows.
    // Acme's value on line 7 is a real two-line address with one comma.
    let csv: &[u8] = b"Id,First,Last,Email,Seg\n\
        1,Jo,Li,j@l.com,A\n\
        2,\"Bo,Li,b@x.com,B\n\
        3,Al,Ng,a@n.com,C\n\
        4,Di,Ko,d@k.com,D\n\
        5,Cy\",Ra,c@r.com,E\n\
        6,Acme,\"Main St 5\nSuite 4, Floor 2\",m@a.com,F\n\
        7,Ed,Ma,e@m.com,G\n";
    let (records, stats) = read_csv(csv);
    let (bad, good) = lines(&records, &stats);
    assert_eq!(bad, [(3, Reason::MalformedRow)]);
    assert_eq!(good, [2, 7, 9]);
    let q = &stats.quarantined[0];
    assert_eq!(q.column.as_deref(), Some("First"));
    assert!(
        q.message
            .contains("runs over lines 3–6 and holds 2 line(s) that look like whole rows"),
        "{}",
        q.message
    );
    assert_eq!(stats.broken_quotes, [BrokenQuote { line: 3, lines: 4 }]);
    assert_eq!(
        stats.rows_read,
        stats.records + stats.quarantined.len() as u64
    );
}

#[test]
fn multi_line_values_with_commas_are_not_swallowed_rows() {
    // An address over three lines full of commas in a short file, and a
    // note in the last column whose second line has a row's commas.
    let csv: &[u8] = b"Id,First,Last,Email,Seg\n\
        1,Jo,Li,j@l.com,\"Building 4, Floor 2, Suite 9\nMain St 5, Springfield, IL, 62701\nUSA, North, Region, 7, x\"\n\
        2,Bo,Ng,b@n.com,\"Met at fair.\nInterests: CRM, ERP, BI, AI\"\n";
    let (records, stats) = read_csv(csv);
    assert!(stats.quarantined.is_empty(), "{:?}", stats.quarantined);
    assert_eq!(records.len(), 2);
}

#[test]
fn a_delimiter_ending_the_header_or_the_rows() {
    // An empty last header name: rows with or without it lose nothing.
    let csv = b"Id,First,Last,Email,Seg,\n1,Jo,Li,j@l.com,A\n2,Bo,Ng,b@n.com,B,\n";
    let (records, stats) = read_csv(csv);
    assert_eq!(lines(&records, &stats), (vec![], vec![2, 3]));
    assert_eq!(records[0].extras, [Some("A".to_string())]);
    // But a row that ends with the delimiter and is still one short is
    // missing a value: padding it would shift the others.
    let (_, stats) = read_csv(b"Id,First,Last,Email,Seg,\n2,Bo,b@n.com,B,\n");
    assert_eq!(stats.quarantined[0].reason, Reason::FieldCount);
    // Rows ending with a delimiter the header lacks look like a value that
    // holds the delimiter ("Ann;Lee" on a row whose last value is empty):
    // quarantined, with both readings in the hint.
    let (_, stats) = read_csv(b"Id,First,Last,Email,Seg\n1,Jo,Li,j@l.com,A,\n");
    assert_eq!(stats.quarantined[0].reason, Reason::FieldCount);
    assert!(
        stats.quarantined[0]
            .message
            .contains("add the delimiter to the end of the header line"),
        "{}",
        stats.quarantined[0].message
    );
}

#[test]
fn the_offset_of_invalid_utf8_counts_quotes_and_delimiters() {
    // Quoted values, doubled quotes and a delimiter inside quotes come
    // before the bad byte: the file offset named must still be exact.
    let csv: &[u8] = b"Id,First,Last,Email,Seg\n\
        1,\"Jane, \"\"JJ\"\"\",Doe,jane@acme.com,A\n\
        \"2\",\"Ann \"\"A\"\", Jr\",\"L\"\"\xE9e\",ann@acme.com,B\n";
    let (records, stats) = read_csv(csv);
    assert_eq!(records.len(), 1);
    let bad = &stats.quarantined[0];
    assert_eq!((bad.line, bad.reason), (3, Reason::InvalidUtf8));
    assert_eq!(bad.column.as_deref(), Some("Last"));
    let at = csv.iter().position(|&b| b == 0xE9).unwrap();
    assert!(
        bad.message
            .contains(&format!("byte 2 of the value (byte {at} of the file)")),
        "{}",
        bad.message
    );
}

#[test]
fn derived_ids_are_stable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.csv"),
        "Id,First,Last,Email,Seg\n,Ann,Lee,a@b.com,\n",
    )
    .unwrap();
    let p = pipeline(dir.path(), CONTACTS);
    let a = read_all(&p.sources[0]).0;
    let b = read_all(&p.sources[0]).0;
    assert_eq!(a[0].source_id, b[0].source_id);
}

#[test]
fn missing_file_and_columns_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = pipeline(dir.path(), CONTACTS);
    let err = read(&p.sources[0], 0, 10, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, IngestError::Open { .. }), "{err}");
    assert!(err.to_string().contains("c.csv"));

    std::fs::write(
        dir.path().join("c.csv"),
        "Id,First,Lats,Email\n1,a,b,c@d.com\n",
    )
    .unwrap();
    let err = read(&p.sources[0], 0, 10, &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("Last, Seg"), "{err}");
    let diags = check(&p, &p.sources[0]);
    assert_eq!(diags.len(), 2);
    assert!(
        diags[0].message.contains("column \"Last\" is not in"),
        "{}",
        diags[0].message
    );
    assert_eq!(
        diags[0].help.as_deref(),
        Some("did you mean \"Lats\"? (column names are case-sensitive)")
    );
    assert_eq!(
        diags[0].line,
        Some(12),
        "first place naming the column: the template"
    );
}

#[test]
fn a_wrong_delimiter_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.csv"),
        "Id;First;Last;Email;Seg\n1;a;b;c@d.com;x\n",
    )
    .unwrap();
    let p = pipeline(dir.path(), CONTACTS);
    let err = read(&p.sources[0], 0, 10, &mut |_, _| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("delimiter = \";\""), "{err}");
}

#[test]
fn latin1_and_split_mappings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        b"Nr;Name;Kontakt\n1;M\xFCller GmbH;\"Doe, Jane\"\n",
    )
    .unwrap();
    let p = pipeline(
        dir.path(),
        r#"
[[source]]
name = "erp"
kind = "contacts"
path = "a.csv"
id = "Nr"
csv = { delimiter = ";", encoding = "latin-1" }
[source.columns]
company_name = "Name"
last_name = { column = "Kontakt", split = ",", part = 1 }
first_name = { column = "Kontakt", split = ",", part = -1 }
"#,
    );
    let (records, stats) = read_all(&p.sources[0]);
    assert_eq!(stats.quarantined.len(), 0);
    let f = |name| records[0].fields[slot(Kind::Contacts, name).unwrap()].as_deref();
    assert_eq!(f("company_name"), Some("Müller GmbH"));
    assert_eq!(f("last_name"), Some("Doe"));
    assert_eq!(f("first_name"), Some("Jane"));
}

#[test]
fn json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = Vec::new();
    text.extend_from_slice(
        br#"{"id": "v1", "company": {"name": "Acme"}, "employees": 1200, "tags": ["a", "b"]}"#,
    );
    text.extend_from_slice(b"\n\n");
    text.extend_from_slice(b"[1, 2]\n");
    text.extend_from_slice(b"{\"id\": \"v2\", \"company\": {\"name\": \"Bad\xFF\"}}\n");
    text.extend_from_slice(b"{\"id\": \"v3\", \"company\": \n");
    text.extend_from_slice(br#"{"id": "v4", "company": {"name": "Beta"}, "employees": null}"#);
    std::fs::write(dir.path().join("e.jsonl"), &text).unwrap();
    let p = pipeline(
        dir.path(),
        r#"
[[source]]
name = "vendor"
kind = "accounts"
path = "e.jsonl"
id = "id"
[source.columns]
name = "company.name"
employees = "employees"
technologies = "tags"
"#,
    );
    assert!(check(&p, &p.sources[0]).is_empty());
    let (records, stats) = read_all(&p.sources[0]);
    assert_eq!(stats.rows_read, 5, "blank lines are not rows");
    let reasons: Vec<(u64, Reason)> = stats
        .quarantined
        .iter()
        .map(|q| (q.line, q.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (3, Reason::InvalidJson),
            (4, Reason::InvalidUtf8),
            (5, Reason::InvalidJson)
        ]
    );
    let f = |r: &RawRecord, name| r.fields[slot(Kind::Accounts, name).unwrap()].clone();
    assert_eq!(f(&records[0], "name").as_deref(), Some("Acme"));
    assert_eq!(f(&records[0], "employees").as_deref(), Some("1200"));
    assert_eq!(f(&records[0], "technologies").as_deref(), Some("a; b"));
    assert_eq!(records[1].line, 6);
    assert_eq!(f(&records[1], "employees"), None);
}

#[test]
fn json_lines_keys_beyond_the_sample_bom_and_misspelt_paths() {
    let dir = tempfile::tempdir().unwrap();
    let source = |path: &str| {
        format!(
            "[[source]]\nname = \"v\"\nkind = \"accounts\"\npath = \"e.jsonl\"\nid = \"id\"\n[source.columns]\nname = \"{path}\"\nwebsite = \"site\"\n"
        )
    };
    // A BOM before the first object; `site` first comes after the sample.
    let mut text = b"\xEF\xBB\xBF".to_vec();
    for i in 0..1001 {
        text.extend_from_slice(
            format!("{{\"id\": {i}, \"co\": {{\"name\": \"C{i}\"}}}}\n").as_bytes(),
        );
    }
    text.extend_from_slice(b"{\"id\": 2000, \"co\": {\"name\": \"Z\"}, \"site\": \"z.com\"}\n");
    std::fs::write(dir.path().join("e.jsonl"), &text).unwrap();
    let p = pipeline(dir.path(), &source("co.name"));
    assert!(check(&p, &p.sources[0]).is_empty());
    let (records, stats) = read_all(&p.sources[0]);
    assert!(stats.quarantined.is_empty(), "{:?}", stats.quarantined);
    assert_eq!(records.len(), 1002);
    let web = slot(Kind::Accounts, "website").unwrap();
    assert_eq!(records[1001].fields[web].as_deref(), Some("z.com"));
    assert!(stats.empty_columns.is_empty());
    // A misspelt path in a long file: read as empty, and said so.
    let p = pipeline(dir.path(), &source("co.nmae"));
    let (_, stats) = read_all(&p.sources[0]);
    assert_eq!(stats.empty_columns, ["co.nmae"]);
    // Three keys deep, in a file the sample covers whole.
    std::fs::write(
        dir.path().join("e.jsonl"),
        "{\"id\": 1, \"co\": {\"info\": {\"name\": \"A\"}}, \"site\": \"a.com\"}\n",
    )
    .unwrap();
    let p = pipeline(dir.path(), &source("co.info.name"));
    assert!(check(&p, &p.sources[0]).is_empty());
    // In a file the sample covers whole, a misspelt path fails the check.
    std::fs::write(
        dir.path().join("e.jsonl"),
        "{\"id\": 1, \"co\": {\"name\": \"A\"}, \"site\": \"a.com\"}\n",
    )
    .unwrap();
    let p = pipeline(dir.path(), &source("co.nmae"));
    let d = check(&p, &p.sources[0]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message.contains("\"co.nmae\" is not in"),
        "{}",
        d[0].message
    );
}

#[test]
fn json_numbers_read_as_an_export_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("e.jsonl"),
        "{\"id\": 1.0, \"co\": \"A\", \"n\": 2.5}\n{\"id\": 12345678901, \"co\": \"B\", \"n\": 1e3}\n",
    )
    .unwrap();
    let p = pipeline(
        dir.path(),
        "[[source]]\nname = \"s\"\nkind = \"accounts\"\npath = \"e.jsonl\"\nid = \"id\"\n[source.columns]\nname = \"co\"\nemployees = \"n\"\n",
    );
    let (records, _) = read_all(&p.sources[0]);
    let ids: Vec<&str> = records.iter().map(|r| r.source_id.as_str()).collect();
    assert_eq!(ids, ["1", "12345678901"]);
    let n = slot(Kind::Accounts, "employees").unwrap();
    assert_eq!(records[0].fields[n].as_deref(), Some("2.5"));
    assert_eq!(records[1].fields[n].as_deref(), Some("1000"));
}

#[test]
fn header_names_match_in_either_unicode_form() {
    let dir = tempfile::tempdir().unwrap();
    // The header spells é as e + a combining accent (NFD), the pipeline
    // file as one character (NFC).
    std::fs::write(dir.path().join("c.csv"), "Id,Pre\u{301}nom\n1,Ann\n").unwrap();
    let p = pipeline(
        dir.path(),
        "[[source]]\nname = \"s\"\nkind = \"contacts\"\npath = \"c.csv\"\nid = \"Id\"\n[source.columns]\nfirst_name = \"Pr\u{e9}nom\"\n",
    );
    assert!(check(&p, &p.sources[0]).is_empty());
    let (records, _) = read_all(&p.sources[0]);
    let first = slot(Kind::Contacts, "first_name").unwrap();
    assert_eq!(records[0].fields[first].as_deref(), Some("Ann"));
}

#[test]
fn files_of_the_wrong_kind_are_named_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 5] = [
        ("c.csv", b"\x1F\x8B\x08\x00rest", "gzip-compressed"),
        ("c.csv", b"\xFF\xFEI\x00d\x00", "UTF-16"),
        ("c.csv", b"PAR1....PAR1", "set format = \"parquet\""),
        ("e.jsonl", b"[{\"id\": 1}]\n", "looks like a JSON array"),
        ("e.jsonl", b"{\n  \"id\": 1\n}\n", "pretty-printed"),
    ];
    for (file, bytes, want) in cases {
        std::fs::write(dir.path().join(file), bytes).unwrap();
        let toml = format!(
            "[[source]]\nname = \"s\"\nkind = \"contacts\"\npath = \"{file}\"\n[source.columns]\nemail = \"id\"\n"
        );
        let p = pipeline(dir.path(), &toml);
        let Err(e) = readers::open(&p.sources[0]) else {
            panic!("{file} {want}: opened");
        };
        assert!(e.to_string().contains(want), "{want}: {e}");
    }
    // An empty JSON Lines file has no rows, like a header-only CSV.
    std::fs::write(dir.path().join("e.jsonl"), b"").unwrap();
    let p = pipeline(
        dir.path(),
        "[[source]]\nname = \"s\"\nkind = \"contacts\"\npath = \"e.jsonl\"\n[source.columns]\nemail = \"id\"\n",
    );
    assert!(check(&p, &p.sources[0]).is_empty());
    assert_eq!(read_all(&p.sources[0]).1.rows_read, 0);
}

#[test]
fn parquet() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("id".into(), &["a", "b", "a"]),
        Column::new("name".into(), &[Some("Acme"), None, Some("Acme 2")]),
        Column::new("employees".into(), &[Some(10i64), Some(20), None]),
    ])
    .unwrap();
    let file = std::fs::File::create(dir.path().join("a.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let p = pipeline(
        dir.path(),
        r#"
[[source]]
name = "pq"
kind = "accounts"
path = "a.parquet"
id = "id"
[source.columns]
name = "name"
employees = "employees"
"#,
    );
    let (records, stats) = read_all(&p.sources[0]);
    assert_eq!(stats.rows_read, 3);
    let reasons: Vec<(u64, Reason)> = stats
        .quarantined
        .iter()
        .map(|q| (q.line, q.reason))
        .collect();
    assert_eq!(
        reasons,
        [(2, Reason::MissingRequired), (3, Reason::DuplicateId)]
    );
    assert_eq!(
        records[0].fields[slot(Kind::Accounts, "employees").unwrap()].as_deref(),
        Some("10")
    );
}

/// `fixtures/awkward.parquet` (see `fixtures/make_awkward_parquet.py`):
/// float ids, a UTC timestamp, and decimal, list, struct and map columns.
fn awkward_parquet(columns: &str) -> Result<(Vec<RawRecord>, IngestStats), IngestError> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/awkward.parquet");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture, dir.path().join("a.parquet")).unwrap();
    let p = pipeline(
        dir.path(),
        &format!(
            "[[source]]\nname = \"pq\"\nkind = \"accounts\"\npath = \"a.parquet\"\nid = \"id\"\n[source.columns]\n{columns}\n"
        ),
    );
    let mut records = Vec::new();
    let stats = read(&p.sources[0], 0, 1000, &mut |chunk, _| {
        records.extend(chunk)
    })?;
    Ok((records, stats))
}

#[test]
fn parquet_columns_not_mapped_are_never_decoded() {
    // Decimal, list, struct and map columns sit beside the mapped ones.
    let (records, stats) = awkward_parquet("name = \"name\"\nverified_at = \"seen\"").unwrap();
    assert_eq!(stats.rows_read, 4);
    assert!(stats.quarantined.is_empty());
    // Whole float ids read as a CSV export writes them; NaN is no id.
    let ids: Vec<&str> = records.iter().map(|r| r.source_id.as_str()).collect();
    assert_eq!(&ids[..2], ["1", "2"]);
    assert!(records[2].id_derived, "{}", ids[2]);
    assert_eq!(ids[3], "12345678901");
    let seen = slot(Kind::Accounts, "verified_at").unwrap();
    assert_eq!(
        records[0].fields[seen].as_deref(),
        Some("2024-01-02T23:30:00.000000Z")
    );
}

#[test]
fn a_mapped_parquet_column_of_an_unreadable_type_is_named_with_a_fix() {
    for (column, help) in [
        ("revenue", "a decimal column"),
        ("tags", "a list column"),
        ("addr", "a nested column"),
        // A Parquet map is a list of key-value structs.
        ("attrs", "a list column"),
    ] {
        let err =
            awkward_parquet(&format!("name = \"name\"\nsic = \"{column}\"")).expect_err(column);
        let IngestError::Format {
            message, help: h, ..
        } = &err
        else {
            panic!("{err}");
        };
        assert!(
            message.contains(&format!("column \"{column}\" is {help}")),
            "{message}"
        );
        assert!(h.contains("leave it unmapped"), "{h}");
    }
}

#[test]
fn moved_values_still_show_in_quarantine_and_derived_ids() {
    // `Title` and `Email` are read by one mapping each, so their values are
    // moved into the record rather than copied; a quarantined row must still
    // show them, and a derived id must hash every value.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.csv"),
        "Id,Email,Title\n1,,CEO\n,ann@b.com,CTO\n",
    )
    .unwrap();
    let p = pipeline(
        dir.path(),
        r#"
[[source]]
name = "crm"
kind = "contacts"
path = "c.csv"
id = "Id"
required_any = ["email"]
[source.columns]
email = "Email"
job_title = "Title"
"#,
    );
    let (records, stats) = read_all(&p.sources[0]);
    assert_eq!(stats.quarantined.len(), 1);
    let q = &stats.quarantined[0];
    assert_eq!(q.reason, Reason::MissingRequired);
    assert_eq!(q.value.as_deref(), Some("Id=1, Title=CEO"));
    assert_eq!(records.len(), 1);
    let title = slot(Kind::Contacts, "job_title").unwrap();
    assert_eq!(records[0].fields[title].as_deref(), Some("CTO"));
    // Pinned: the same row must get the same id in every release.
    assert_eq!(
        records[0].source_id, "derived:0edfba3c06ee80df",
        "derived ids changed: every unified id built on them would change"
    );
}
