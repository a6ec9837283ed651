//! End-to-end checks of generated folders: determinism, exact truth,
//! counts, hierarchy, and that each kind of variation and defect occurs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use firmlink_synth::{GenerateOptions, GenerateSummary, generate};

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "firmlink-synth-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const SOURCE_FILES: [(&str, &str, u8); 5] = [
    ("crm_accounts.csv", "crm_accounts", b','),
    ("crm_contacts.csv", "crm_contacts", b','),
    ("marketing_leads.csv", "marketing_leads", b';'),
    ("erp_customers.csv", "erp_customers", b'|'),
    ("enrichment_firmographics.jsonl", "enrichment", b'\n'),
];

/// One physical record: start line and raw fields (JSON lines: the whole
/// line as one field).
#[derive(Debug)]
struct Row {
    line: u64,
    fields: Vec<Vec<u8>>,
}

impl Row {
    fn text(&self, i: usize) -> String {
        self.fields
            .get(i)
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .unwrap_or_default()
    }
}

fn read_source(dir: &Path, file: &str, delim: u8) -> Vec<Row> {
    let path = dir.join(file);
    if delim == b'\n' {
        let bytes = fs::read(&path).unwrap();
        return bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(i, l)| Row {
                line: i as u64 + 1,
                fields: vec![l.to_vec()],
            })
            .collect();
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_path(&path)
        .unwrap();
    let mut rows = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).unwrap() {
        rows.push(Row {
            line: rec.position().unwrap().line(),
            fields: rec.iter().map(<[u8]>::to_vec).collect(),
        });
    }
    rows
}

fn read_truth(dir: &Path, file: &str) -> Vec<Vec<String>> {
    let mut rdr = csv::Reader::from_path(dir.join("truth").join(file)).unwrap();
    rdr.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Loaded folder: rows per source, truth, and bad lines per source.
struct Loaded {
    rows: BTreeMap<&'static str, Vec<Row>>,
    accounts_truth: Vec<Vec<String>>,
    contacts_truth: Vec<Vec<String>>,
    hierarchy: Vec<Vec<String>>,
    bad: HashMap<String, HashSet<u64>>,
    bad_kinds: BTreeMap<String, u64>,
}

fn load(dir: &Path) -> Loaded {
    let mut rows = BTreeMap::new();
    for (file, source, delim) in SOURCE_FILES {
        rows.insert(source, read_source(dir, file, delim));
    }
    let mut bad: HashMap<String, HashSet<u64>> = HashMap::new();
    let mut bad_kinds = BTreeMap::new();
    for r in read_truth(dir, "bad_rows.csv") {
        assert!(
            bad.entry(r[0].clone())
                .or_default()
                .insert(r[1].parse().unwrap())
        );
        *bad_kinds.entry(r[2].clone()).or_default() += 1;
    }
    Loaded {
        rows,
        accounts_truth: read_truth(dir, "accounts_truth.csv"),
        contacts_truth: read_truth(dir, "contacts_truth.csv"),
        hierarchy: read_truth(dir, "hierarchy_truth.csv"),
        bad,
        bad_kinds,
    }
}

fn id_of(source: &str, row: &Row) -> String {
    if source == "enrichment" {
        let v: serde_json::Value = serde_json::from_slice(&row.fields[0]).unwrap();
        v["vendor_id"].as_str().unwrap().to_string()
    } else {
        row.text(0)
    }
}

fn run(opts: &GenerateOptions, name: &str) -> (TempDir, GenerateSummary) {
    let dir = TempDir::new(name);
    let summary = generate(opts, &dir.0).unwrap();
    (dir, summary)
}

fn small(seed: u64) -> GenerateOptions {
    GenerateOptions {
        accounts: 400,
        seed,
        contacts_per_account: 4.0,
        defect_rate: 0.03,
        ..GenerateOptions::default()
    }
}

fn all_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["", "truth"] {
        for e in fs::read_dir(dir.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                out.insert(
                    format!("{sub}/{}", e.file_name().to_string_lossy()),
                    fs::read(e.path()).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn same_options_give_byte_identical_output() {
    let (a, _) = run(&small(7), "det-a");
    let (b, _) = run(&small(7), "det-b");
    let fa = all_files(&a.0);
    let fb = all_files(&b.0);
    assert_eq!(fa.len(), 10, "{:?}", fa.keys().collect::<Vec<_>>());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{k} differs between runs");
    }
    let (c, _) = run(&small(8), "det-c");
    let fc = all_files(&c.0);
    assert_ne!(fa["/crm_accounts.csv"], fc["/crm_accounts.csv"]);
}

#[test]
fn truth_covers_every_good_row_exactly_once_and_no_bad_row() {
    let (dir, summary) = run(&small(11), "truth");
    let l = load(&dir.0);
    let mut truth_ids: HashMap<(String, String), usize> = HashMap::new();
    for r in l.accounts_truth.iter().chain(&l.contacts_truth) {
        *truth_ids.entry((r[0].clone(), r[1].clone())).or_default() += 1;
    }
    assert!(
        truth_ids.values().all(|n| *n == 1),
        "an id appears twice in the truth"
    );
    let mut matched = 0;
    for (source, rows) in &l.rows {
        let bad = l.bad.get(*source).cloned().unwrap_or_default();
        let mut bad_seen = 0;
        for row in rows {
            if bad.contains(&row.line) {
                bad_seen += 1;
                continue;
            }
            let id = id_of(source, row);
            assert!(
                truth_ids.contains_key(&(source.to_string(), id.clone())),
                "{source} line {} id {id:?} not in truth",
                row.line
            );
            matched += 1;
        }
        assert_eq!(
            bad_seen,
            bad.len(),
            "{source}: bad_rows lines that are no record start"
        );
    }
    assert_eq!(matched, truth_ids.len(), "truth rows without a source row");
    assert_eq!(
        summary.file("truth/bad_rows.csv").unwrap().rows,
        l.bad.values().map(|s| s.len() as u64).sum::<u64>()
    );
}

#[test]
fn summary_counts_match_the_files() {
    let (dir, summary) = run(&small(12), "counts");
    let l = load(&dir.0);
    for (file, source, _) in SOURCE_FILES {
        let f = summary.file(file).unwrap();
        assert_eq!(f.rows, l.rows[source].len() as u64, "{file}");
        let bad = l.bad.get(source).map_or(0, HashSet::len) as u64;
        assert_eq!(f.defect_rows, bad, "{file}");
    }
    assert_eq!(
        summary.file("truth/accounts_truth.csv").unwrap().rows,
        l.accounts_truth.len() as u64
    );
    assert_eq!(
        summary.file("truth/contacts_truth.csv").unwrap().rows,
        l.contacts_truth.len() as u64
    );
    assert_eq!(
        summary.file("truth/hierarchy_truth.csv").unwrap().rows,
        l.hierarchy.len() as u64
    );
    assert_eq!(summary.companies, 400);
    let readme = fs::read_to_string(dir.0.join("README.md")).unwrap();
    assert!(readme.contains("| crm_accounts.csv |"));
    assert!(readme.contains("| seed | 12 |"));
}

#[test]
fn hierarchy_is_acyclic_and_ids_exist() {
    let (dir, summary) = run(&small(13), "hierarchy");
    let l = load(&dir.0);
    let n = summary.companies as usize;
    let valid: HashSet<String> = (1..=n).map(|i| format!("A{i:06}")).collect();
    let mut parent: HashMap<String, String> = HashMap::new();
    let mut relations = BTreeMap::new();
    for r in &l.hierarchy {
        assert!(valid.contains(&r[0]) && valid.contains(&r[1]), "{r:?}");
        assert!(
            parent.insert(r[0].clone(), r[1].clone()).is_none(),
            "two parents: {r:?}"
        );
        *relations.entry(r[2].clone()).or_insert(0) += 1;
    }
    for start in parent.keys() {
        let mut seen = HashSet::new();
        let mut cur = start.clone();
        while let Some(p) = parent.get(&cur) {
            assert!(seen.insert(cur.clone()), "cycle through {start}");
            cur = p.clone();
        }
    }
    assert_eq!(
        relations.keys().map(String::as_str).collect::<Vec<_>>(),
        ["acquired_brand", "regional", "subsidiary_same_domain"]
    );
    for r in &l.accounts_truth {
        assert!(valid.contains(&r[2]), "{r:?}");
    }
    for r in &l.contacts_truth {
        assert!(
            valid.contains(&r[4]),
            "contact points at unknown account {r:?}"
        );
    }
}

#[test]
fn variations_and_defects_occur_at_small_scale() {
    let (dir, summary) = run(&small(14), "variation");
    let l = load(&dir.0);
    let crm = &l.rows["crm_accounts"];
    let contacts = &l.rows["crm_contacts"];
    let leads = &l.rows["marketing_leads"];
    let erp = &l.rows["erp_customers"];
    let enrichment: Vec<serde_json::Value> = l.rows["enrichment"]
        .iter()
        .filter(|r| !l.bad.get("enrichment").is_some_and(|b| b.contains(&r.line)))
        .map(|r| serde_json::from_slice(&r.fields[0]).unwrap())
        .collect();
    let any = |rows: &[Row], i: usize, f: &dyn Fn(&str) -> bool| rows.iter().any(|r| f(&r.text(i)));

    // Duplicates per source (from the truth).
    let mut per_entity: HashMap<(&str, &str), usize> = HashMap::new();
    for r in &l.accounts_truth {
        *per_entity
            .entry((r[0].as_str(), r[2].as_str()))
            .or_default() += 1;
    }
    assert!(
        per_entity
            .iter()
            .any(|((s, _), n)| *s == "crm_accounts" && *n >= 2)
    );
    assert!(
        per_entity
            .iter()
            .any(|((s, _), n)| *s == "crm_accounts" && *n >= 3)
    );

    // Company names and websites.
    assert!(any(crm, 1, &|s| s.contains(" (old)")
        || s.contains("DUPLICATE")
        || s.contains("*DUP*")
        || s.contains("(2)")));
    assert!(any(crm, 1, &|s| s.contains(", Inc.") || s.contains(" Inc")));
    assert!(any(crm, 1, &|s| !s.is_ascii()));
    assert!(any(crm, 1, &|s| s.len() > 3
        && s == s.to_uppercase()
        && s.chars().any(char::is_alphabetic)));
    assert!(any(crm, 2, &|s| s.starts_with("http://")));
    assert!(any(crm, 2, &|s| s.contains(":443")));
    assert!(any(crm, 2, &|s| s.len() > 4 && s == s.to_uppercase()));
    assert!(any(crm, 4, &|s| s.contains('\n')), "no multi-line street");
    assert!(any(crm, 11, &|s| s.len() == 18), "no parent account id");
    // Phones.
    assert!(any(crm, 3, &|s| s.starts_with('+')));
    assert!(any(crm, 3, &|s| s.starts_with("00")));
    assert!(any(crm, 3, &|s| s.contains('/') || s.contains('(')));
    assert!(any(contacts, 4, &|s| s.contains("ext") || s.contains(" x")));
    // Numbers and dates per source.
    assert!(any(crm, 9, &|s| s.contains('-')
        && s.chars().next().is_some_and(|c| c.is_ascii_digit())));
    assert!(any(crm, 9, &|s| s.contains(',') || s.ends_with('k')));
    assert!(any(crm, 13, &|s| s.len() == 24 && s.ends_with('Z')));
    assert!(
        leads
            .iter()
            .all(|r| r.fields.len() != 14 || r.text(12).as_bytes().get(2) == Some(&b'/'))
    );
    assert!(
        erp.iter()
            .all(|r| r.fields.len() != 11 || r.text(8).as_bytes().get(2) == Some(&b'.'))
    );
    assert!(any(erp, 1, &|s| s.chars().count() == 35));
    // Contacts: free mail, role addresses shared, "Last, First", typos.
    assert!(any(leads, 2, &|s| s.ends_with("@gmail.com")));
    let mut role: HashMap<String, usize> = HashMap::new();
    for r in leads.iter().chain(contacts.iter()) {
        for i in [2, 3] {
            let e = r.text(i);
            if [
                "info@", "sales@", "contact@", "kontakt@", "office@", "hello@",
            ]
            .iter()
            .any(|p| e.starts_with(p))
            {
                *role.entry(e).or_default() += 1;
            }
        }
    }
    assert!(role.values().any(|n| *n >= 2), "no shared role address");
    assert!(any(leads, 1, &|s| s.contains(", ")));
    assert!(any(leads, 2, &|s| !s.is_empty() && !s.contains('@')
        || s.contains("@@")
        || s.ends_with(".con")));
    assert!(
        any(leads, 5, &|s| s.contains('.')
            && !s.contains(' ')
            && s.len() > 4),
        "no domain as company"
    );
    assert!(any(contacts, 8, &|s| s.contains("linkedin.com/in/")));
    assert!(
        any(contacts, 6, &|s| s.len() == 15),
        "no 15-character account id"
    );
    // Nicknames: some person appears under two different first names.
    let mut given: HashMap<&str, HashSet<String>> = HashMap::new();
    let by_id: HashMap<(&str, &str), &str> = l
        .contacts_truth
        .iter()
        .map(|r| ((r[0].as_str(), r[1].as_str()), r[2].as_str()))
        .collect();
    for r in contacts {
        if let Some(p) = by_id.get(&("crm_contacts", r.text(0).as_str())) {
            given.entry(p).or_default().insert(r.text(1));
        }
    }
    let nicks = [
        "Bob", "Bill", "Liz", "Mike", "Jim", "Tom", "Dan", "Chris", "Alex", "Joe", "Kate", "Steve",
        "Max", "Tony", "Beth", "Rob", "Will", "Matt",
    ];
    assert!(
        contacts.iter().any(|r| nicks.contains(&r.text(1).as_str()))
            || leads.iter().any(|r| nicks
                .iter()
                .any(|n| r.text(1).starts_with(&format!("{n} "))))
    );
    // Job changes: one person, two contact entities at different accounts.
    let mut person_accounts: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in &l.contacts_truth {
        person_accounts
            .entry(r[2].as_str())
            .or_default()
            .insert(r[4].as_str());
    }
    assert!(person_accounts.values().any(|a| a.len() >= 2));
    assert!(summary.job_changes > 0);
    // Enrichment: stale records, ranges, numbers as strings and numbers.
    assert!(
        enrichment
            .iter()
            .any(|v| v["verified_at"].as_str().unwrap() < "2023-11-01")
    );
    assert!(enrichment.iter().any(|v| {
        v["employee_count"]
            .as_str()
            .is_some_and(|s| s.contains('-'))
    }));
    assert!(enrichment.iter().any(|v| v["employee_count"].is_number()));
    assert!(enrichment.iter().any(|v| v["parent_domain"].is_string()));
    // Every defect kind.
    for kind in [
        "wrong_field_count",
        "invalid_utf8",
        "missing_id",
        "duplicate_id",
        "malformed_quote",
        "truncated_json",
    ] {
        assert!(
            l.bad_kinds.contains_key(kind),
            "no {kind}: {:?}",
            l.bad_kinds
        );
    }
}

#[test]
fn defects_can_be_turned_off() {
    let opts = GenerateOptions {
        accounts: 120,
        defect_rate: 0.0,
        ..GenerateOptions::default()
    };
    let (dir, summary) = run(&opts, "nodefects");
    assert!(summary.defects.is_empty());
    let bad = fs::read_to_string(dir.0.join("truth/bad_rows.csv")).unwrap();
    assert_eq!(bad, "source,line,defect\n");
    for (file, _, _) in SOURCE_FILES {
        assert!(
            std::str::from_utf8(&fs::read(dir.0.join(file)).unwrap()).is_ok(),
            "{file}"
        );
    }
}

#[test]
fn invalid_options_are_all_reported() {
    let opts = GenerateOptions {
        accounts: 0,
        defect_rate: 1.5,
        contacts_per_account: f64::NAN,
        ..GenerateOptions::default()
    };
    let err = generate(&opts, Path::new("/nonexistent/never-written"))
        .unwrap_err()
        .to_string();
    for part in [
        "accounts = 0",
        "defect_rate = 1.5",
        "contacts_per_account = NaN",
    ] {
        assert!(err.contains(part), "{err}");
    }
}

#[test]
fn default_demo_is_a_few_thousand_rows() {
    let (_dir, summary) = run(&GenerateOptions::default(), "demo");
    let total = summary.total_source_rows();
    assert!((2000..6000).contains(&total), "{total}");
}
