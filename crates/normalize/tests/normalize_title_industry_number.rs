//! Job titles, industries, employee counts, money and dates: table tests
//! (one case per line), the labelled-title agreement, and properties.

use chrono::NaiveDate;
use firmlink_normalize::industry::{naics_sector_of, naics_title, normalize_industry, sectors};
use firmlink_normalize::number::{parse_date, parse_employees, parse_money};
use firmlink_normalize::title::{
    BuyingCommittee, BuyingRole, Department, LABELLED_TITLES_CSV, Seniority, agreement,
    classify_title, classify_title_with, normalize_title, parse_labelled_titles,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Job titles
// ---------------------------------------------------------------------------

/// (title, seniority, department, role), labels as snake_case ("" = none).
fn check_title(input: &str, seniority: &str, department: &str, role: &str) {
    let t = classify_title(input);
    let got = (
        t.seniority.map_or("", Seniority::as_str),
        t.department.map_or("", Department::as_str),
        t.role.map_or("", BuyingRole::as_str),
    );
    assert_eq!(
        got,
        (seniority, department, role),
        "{input:?} (normalized {:?})",
        t.normalized
    );
}

#[test]
fn title_table() {
    for (input, s, d, r) in [
        ("CEO", "c_level", "executive", "executive_sponsor"),
        ("Founder & CEO", "c_level", "executive", "executive_sponsor"),
        (
            "Co-Founder & CTO",
            "c_level",
            "engineering",
            "economic_buyer",
        ),
        (
            "Owner / Sales Manager",
            "c_level",
            "executive",
            "executive_sponsor",
        ),
        (
            "Managing Director",
            "c_level",
            "executive",
            "executive_sponsor",
        ),
        ("Partner", "c_level", "executive", "executive_sponsor"),
        ("Partner Manager", "manager", "sales", "end_user"),
        (
            "Partner Marketing Manager",
            "manager",
            "marketing",
            "end_user",
        ),
        ("Principal", "c_level", "executive", "executive_sponsor"),
        (
            "Principal Engineer",
            "individual_contributor",
            "engineering",
            "technical_evaluator",
        ),
        ("Vice President", "vp", "", ""),
        ("President", "c_level", "executive", "executive_sponsor"),
        ("Sr. VP, Mktg", "vp", "marketing", "economic_buyer"),
        ("VP Sales & Marketing", "vp", "sales", "economic_buyer"),
        (
            "Executive Vice President & CFO",
            "c_level",
            "finance",
            "economic_buyer",
        ),
        ("Head of IT / CISO", "c_level", "security", "economic_buyer"),
        (
            "Head of Engineering",
            "director",
            "engineering",
            "economic_buyer",
        ),
        (
            "Chief Happiness Officer",
            "c_level",
            "",
            "executive_sponsor",
        ),
        ("Chief AI Officer", "c_level", "data", "economic_buyer"),
        (
            "Chief of Staff",
            "director",
            "executive",
            "executive_sponsor",
        ),
        (
            "Chief Medical Officer",
            "c_level",
            "other",
            "executive_sponsor",
        ),
        (
            "General Manager",
            "director",
            "executive",
            "executive_sponsor",
        ),
        ("Director", "director", "", ""),
        ("Finance Director", "director", "finance", "economic_buyer"),
        ("Procurement Manager", "manager", "procurement", "end_user"),
        (
            "Account Manager",
            "individual_contributor",
            "sales",
            "end_user",
        ),
        (
            "Customer Success Manager",
            "individual_contributor",
            "customer_success",
            "end_user",
        ),
        (
            "Product Owner",
            "individual_contributor",
            "product",
            "end_user",
        ),
        ("Marketing Lead", "manager", "marketing", "end_user"),
        (
            "Lead Software Engineer",
            "individual_contributor",
            "engineering",
            "technical_evaluator",
        ),
        (
            "Sales Engineer",
            "individual_contributor",
            "sales",
            "end_user",
        ),
        (
            "Network Engineer",
            "individual_contributor",
            "it",
            "technical_evaluator",
        ),
        (
            "Technical Recruiter",
            "individual_contributor",
            "hr",
            "end_user",
        ),
        (
            "Executive Assistant to the CEO",
            "individual_contributor",
            "executive",
            "",
        ),
        (
            "Assistant to the VP of Sales",
            "individual_contributor",
            "sales",
            "end_user",
        ),
        ("Registered Nurse", "individual_contributor", "other", ""),
        ("Consultant", "individual_contributor", "", ""),
        ("Sales", "", "sales", ""),
        ("Test", "", "", ""),
        ("Student", "", "", ""),
        ("-", "", "", ""),
        ("n/a", "", "", ""),
        ("", "", "", ""),
        ("SALES MANAGER", "manager", "sales", "end_user"),
        ("sales manger", "manager", "sales", "end_user"),
        ("Vice Presdient Sales", "vp", "sales", "economic_buyer"),
        (
            "Sofware Engineer",
            "individual_contributor",
            "engineering",
            "technical_evaluator",
        ),
        (
            "Geschäftsführer",
            "c_level",
            "executive",
            "executive_sponsor",
        ),
        (
            "Kaufmännischer Geschäftsführer",
            "c_level",
            "finance",
            "economic_buyer",
        ),
        ("Vorstand", "c_level", "executive", "executive_sponsor"),
        ("Leiter Vertrieb", "director", "sales", "economic_buyer"),
        ("Vertriebsleiter", "director", "sales", "economic_buyer"),
        ("Abteilungsleiter", "director", "", ""),
        (
            "Einkäufer",
            "individual_contributor",
            "procurement",
            "end_user",
        ),
        (
            "Directeur général",
            "c_level",
            "executive",
            "executive_sponsor",
        ),
        (
            "Directeur commercial",
            "director",
            "sales",
            "economic_buyer",
        ),
        ("Responsable marketing", "manager", "marketing", "end_user"),
        (
            "Ingénieur",
            "individual_contributor",
            "engineering",
            "technical_evaluator",
        ),
        ("Gerente de ventas", "manager", "sales", "end_user"),
        (
            "Director general",
            "c_level",
            "executive",
            "executive_sponsor",
        ),
        ("Jefe de compras", "manager", "procurement", "end_user"),
        (
            "Direttore commerciale",
            "director",
            "sales",
            "economic_buyer",
        ),
        (
            "Amministratore delegato",
            "c_level",
            "executive",
            "executive_sponsor",
        ),
        ("Responsabile IT", "manager", "it", "technical_evaluator"),
        ("Diretor", "director", "", ""),
        ("Gerente", "manager", "", ""),
        ("Verkoopmanager", "manager", "sales", "end_user"),
        ("Inköpschef", "director", "procurement", "economic_buyer"),
        ("IT-chef", "director", "it", "economic_buyer"),
        ("部長", "director", "", ""),
        ("課長", "manager", "", ""),
        ("社長", "c_level", "executive", "executive_sponsor"),
        ("営業部長", "director", "sales", "economic_buyer"),
    ] {
        check_title(input, s, d, r);
    }
}

#[test]
fn title_normalized_table() {
    for (input, want) in [
        ("Sr. VP, Mktg", "senior vice president marketing"),
        ("C.E.O.", "chief executive officer"),
        ("v.p. marketing", "vice president marketing"),
        ("Head of IT", "head of information technology"),
        ("VP R&D", "vice president research and development"),
        ("FP&A Analyst", "financial planning and analysis analyst"),
        ("Software Eng.", "software engineer"),
        ("VP Eng", "vice president engineering"),
        ("Eng Manager", "engineering manager"),
        ("Head of Eng", "head of engineering"),
        ("System Admin", "system administrator"),
        ("Admin Assistant", "administrative assistant"),
        ("Acct Exec", "account executive"),
        ("Snr Acct", "senior accountant"),
        ("SDR", "sales development representative"),
        ("CSM", "customer success manager"),
        ("Mgr, HR", "manager human resources"),
        ("Geschäftsführer", "geschaftsfuhrer"),
        ("営業部長", "sales department head"),
        ("首席执行官", "chief executive officer"),
        ("  Chief   Executive  Officer ", "chief executive officer"),
        ("-", ""),
        ("n/a", "n a"),
        ("Dipl.-Ing.", "dipl ing"),
        ("Ｓｒ． ＶＰ", "senior vice president"),
    ] {
        assert_eq!(classify_title(input).normalized, want, "{input:?}");
        assert_eq!(normalize_title(input), want, "{input:?}");
    }
}

#[test]
fn buying_committee_with_narrow_targets() {
    // Selling marketing software: only marketing buys and uses it.
    let c = BuyingCommittee::new(&[Department::Marketing]);
    for (input, want) in [
        ("CMO", Some(BuyingRole::EconomicBuyer)),
        ("Marketing Manager", Some(BuyingRole::EndUser)),
        ("CTO", Some(BuyingRole::ExecutiveSponsor)),
        ("IT Director", Some(BuyingRole::TechnicalEvaluator)),
        ("Software Engineer", Some(BuyingRole::TechnicalEvaluator)),
        ("CFO", Some(BuyingRole::EconomicBuyer)),
        ("Head of Procurement", Some(BuyingRole::EconomicBuyer)),
        ("Procurement Manager", None),
        ("Sales Manager", None),
        ("VP Sales", None),
        ("CEO", Some(BuyingRole::ExecutiveSponsor)),
        ("Executive Assistant", None),
    ] {
        assert_eq!(classify_title_with(input, &c).role, want, "{input:?}");
    }
    assert_eq!(c.targets().collect::<Vec<_>>(), [Department::Marketing]);
    let d = BuyingCommittee::default();
    assert!(!d.is_target(Department::Executive) && !d.is_target(Department::Other));
    assert_eq!(d.targets().count(), Department::ALL.len() - 2);
}

#[test]
fn label_enums_round_trip() {
    for s in Seniority::ALL {
        assert_eq!(s.as_str().parse::<Seniority>(), Ok(*s));
    }
    for d in Department::ALL {
        assert_eq!(d.as_str().parse::<Department>(), Ok(*d));
    }
    for r in BuyingRole::ALL {
        assert_eq!(r.as_str().parse::<BuyingRole>(), Ok(*r));
    }
    assert_eq!(Seniority::CLevel.as_str(), "c_level");
    assert_eq!(Department::CustomerSuccess.as_str(), "customer_success");
    assert!("ceo".parse::<Seniority>().is_err());
}

#[test]
fn labelled_titles_agreement() {
    let rows = parse_labelled_titles(LABELLED_TITLES_CSV).expect("fixture parses");
    assert!(rows.len() >= 300, "{} rows", rows.len());
    let a = agreement(&rows);
    println!("labelled titles ({} rows): {a}", rows.len());
    for d in &a.disagreements {
        println!(
            "  {:?} {}: label {:?}, classifier {:?}",
            d.title, d.field, d.expected, d.got
        );
    }
    // Floors a little below the measured figures (see data/README.md).
    assert!(a.seniority.percent() >= 98.0, "seniority {}", a.seniority);
    assert!(
        a.department.percent() >= 98.0,
        "department {}",
        a.department
    );
    assert!(a.role.percent() >= 98.0, "role {}", a.role);
}

#[test]
fn labelled_titles_parse_errors_quote_the_line() {
    let bad = "title,seniority,department,role\nCEO,boss,executive,\n";
    let e = parse_labelled_titles(bad).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("boss"), "{e}");
    assert!(parse_labelled_titles("name,level\n").is_err());
    let ok = parse_labelled_titles(
        "title,seniority,department,role,note\n\"VP, Sales\",vp,sales,economic_buyer,x\n",
    )
    .unwrap();
    assert_eq!(ok[0].title, "VP, Sales");
    assert_eq!(ok[0].note, "x");
}

/// Words that exercise abbreviations, compounds, CJK and typos.
const TITLE_WORDS: &[&str] = &[
    "Sr.",
    "VP",
    "of",
    "Sales",
    "&",
    "Mktg",
    "Head",
    "IT",
    "CISO",
    "Leiter",
    "Vertrieb",
    "Geschäftsführer",
    "Eng",
    "Dev",
    "Admin",
    "Acct",
    "manger",
    "部長",
    "営業",
    "C.E.O.",
    "R&D",
    "FP&A",
    "to",
    "the",
    "Partner",
    "Principal",
    "Lead",
    "chef",
    "de",
    "projet",
    "inköpschef",
    "Ｍｇｒ",
    "-",
    "/",
    "x",
    "ii",
    "3",
    "ü",
    "Ł",
    "\u{300}",
    "😀",
];

fn title_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,30}",
        prop::collection::vec(prop::sample::select(TITLE_WORDS), 0..7).prop_map(|w| w.join(" ")),
        prop::collection::vec(prop::sample::select(TITLE_WORDS), 0..7).prop_map(|w| w.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn title_total_deterministic_idempotent(s in title_strategy()) {
        let a = classify_title(&s);
        prop_assert_eq!(&a, &classify_title(&s));
        let b = classify_title(&a.normalized);
        prop_assert_eq!(&b.normalized, &a.normalized);
        prop_assert_eq!(b.seniority, a.seniority);
        prop_assert_eq!(b.department, a.department);
        prop_assert_eq!(b.role, a.role);
    }
}

/// One million titles (the labelled fixture, varied), on two threads.
/// Run once with `cargo test --release -p firmlink-normalize --test
/// normalize_title_industry_number -- --ignored --nocapture`.
#[test]
#[ignore = "throughput measurement"]
fn title_throughput() {
    let rows = parse_labelled_titles(LABELLED_TITLES_CSV).unwrap();
    let mut titles = Vec::with_capacity(1_000_000);
    let mut k = 0usize;
    while titles.len() < 1_000_000 {
        let t = &rows[k % rows.len()].title;
        titles.push(match k % 4 {
            0 => t.clone(),
            1 => t.to_uppercase(),
            2 => format!("Senior {t}, EMEA"),
            _ => format!("{t} / Region {}", k % 97),
        });
        k += 1;
    }
    let cpu_before = process_cpu_seconds();
    let start = std::time::Instant::now();
    let found: usize = std::thread::scope(|s| {
        let handles: Vec<_> = titles
            .chunks(titles.len() / 2)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter(|t| classify_title(t).seniority.is_some())
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let secs = start.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    println!(
        "{} titles in {secs:.3}s wall on 2 threads = {:.0} titles/s ({found} with a seniority); \
         CPU time {}",
        titles.len(),
        titles.len() as f64 / secs,
        cpu.map_or("unknown".into(), |c| format!(
            "{c:.2}s = {:.0} titles per CPU-second",
            titles.len() as f64 / c
        )),
    );
}

/// User + system CPU time of this process (Linux), to read throughput on a
/// machine shared with other jobs.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after_name.split(' ').collect();
    // Fields 14 and 15 of stat(5), counted from the state field (3).
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

// ---------------------------------------------------------------------------
// Industries
// ---------------------------------------------------------------------------

/// (input, sector, naics, sic)
#[test]
fn industry_table() {
    for (input, sector, naics, sic) in [
        ("541511", Some("54"), Some("541511"), None),
        ("NAICS 5112", Some("51"), Some("5112"), None),
        (
            "NAICS: 513210 - Software Publishers",
            Some("51"),
            Some("513210"),
            None,
        ),
        ("naics 336111", Some("31-33"), Some("336111"), None),
        ("Software (NAICS 513210)", Some("51"), Some("513210"), None),
        ("SIC 7372", Some("51"), None, Some("7372")),
        ("SIC 7371", Some("54"), None, Some("7371")),
        ("SIC 2711", Some("51"), None, Some("2711")),
        ("SIC 2752", Some("31-33"), None, Some("2752")),
        ("SIC 73", Some("56"), None, Some("73")),
        ("SIC 9999", None, None, None),
        ("7372", Some("51"), None, Some("7372")),
        ("5415", Some("54"), Some("5415"), None),
        ("0742", Some("54"), None, Some("0742")),
        ("12", None, None, None),
        ("31-33", Some("31-33"), Some("31-33"), None),
        ("44-45", Some("44-45"), Some("44-45"), None),
        ("NAICS 999999", None, None, None),
        ("NAICS 999999 Banking", Some("52"), None, None),
        ("Software", Some("51"), None, None),
        ("Computer Software", Some("51"), None, None),
        ("SaaS", Some("51"), None, None),
        ("Information Technology & Services", Some("54"), None, None),
        ("IT Services and IT Consulting", Some("54"), None, None),
        ("Banking", Some("52"), None, None),
        ("Financial Services", Some("52"), None, None),
        ("Hospital & Health Care", Some("62"), None, None),
        ("Pharmaceuticals", Some("31-33"), None, None),
        ("Automotive", Some("31-33"), None, None),
        ("Retail", Some("44-45"), None, None),
        ("Telecommunications", Some("51"), None, None),
        ("Oil & Energy", Some("21"), None, None),
        ("Energy", Some("22"), None, None),
        ("Higher Education", Some("61"), None, None),
        ("Logistics and Supply Chain", Some("48-49"), None, None),
        ("Construction", Some("23"), None, None),
        ("Real Estate", Some("53"), None, None),
        ("Healthcare Software", Some("51"), None, None),
        ("Retail Banking", Some("52"), None, None),
        ("Maschinenbau", Some("31-33"), None, None),
        ("Automobilindustrie", Some("31-33"), None, None),
        ("Logiciel", Some("51"), None, None),
        ("Services financiers", Some("52"), None, None),
        ("Einzelhandel", Some("44-45"), None, None),
        ("Gesundheitswesen", Some("62"), None, None),
        (
            "Other Services (except Public Administration)",
            Some("81"),
            None,
            None,
        ),
        ("foo bar", None, None, None),
        ("", None, None, None),
    ] {
        let got = normalize_industry(input);
        assert_eq!(got.as_ref().map(|i| i.sector_code), sector, "{input:?}");
        assert_eq!(
            got.as_ref().and_then(|i| i.naics.as_deref()),
            naics,
            "{input:?}"
        );
        assert_eq!(
            got.as_ref().and_then(|i| i.sic.as_deref()),
            sic,
            "{input:?}"
        );
        if let Some(i) = got {
            assert_eq!(i.original, input);
        }
    }
}

#[test]
fn every_sector_name_and_code_maps_to_itself() {
    assert_eq!(sectors().count(), 20);
    for (code, name) in sectors() {
        assert_eq!(
            normalize_industry(name).map(|i| i.sector_code),
            Some(code),
            "{name:?}"
        );
        let by_code = normalize_industry(&format!("NAICS {code}")).expect(code);
        assert_eq!((by_code.sector_code, by_code.sector_name), (code, name));
    }
}

#[test]
fn every_naics_code_round_trips() {
    let csv = include_str!("../data/naics_codes.csv");
    let mut n = 0;
    for line in csv.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let code = line.split(',').next().unwrap();
        let i = normalize_industry(&format!("NAICS {code}")).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(i.naics.as_deref(), Some(code));
        assert_eq!(Some(i.sector_code), naics_sector_of(code), "{code}");
        assert!(naics_title(code).is_some(), "{code}");
        n += 1;
    }
    assert!(n > 2300, "{n} codes");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn industry_total_deterministic_and_stable(s in "\\PC{0,30}|[0-9 -]{1,8}|(NAICS|SIC|naics|sic) [0-9]{1,7}") {
        let a = normalize_industry(&s);
        prop_assert_eq!(&a, &normalize_industry(&s));
        if let Some(i) = a {
            // The sector name maps back to the same sector.
            prop_assert_eq!(normalize_industry(i.sector_name).map(|j| j.sector_code), Some(i.sector_code));
        }
    }
}

// ---------------------------------------------------------------------------
// Employees
// ---------------------------------------------------------------------------

/// (input, value, band)
#[test]
fn employees_table() {
    type Band = Option<(u64, Option<u64>)>;
    let cases: &[(&str, Option<u64>, Band)] = &[
        ("1,200", Some(1200), None),
        ("1.200", Some(1200), None),
        ("1 200", Some(1200), None),
        ("1\u{a0}200", Some(1200), None),
        ("1'200", Some(1200), None),
        ("1.2k", Some(1200), None),
        ("1,5K", Some(1500), None),
        ("~500", Some(500), None),
        ("approx. 250", Some(250), None),
        ("ca. 80 Mitarbeiter", Some(80), None),
        ("1 200 employees", Some(1200), None),
        ("250.0", Some(250), None),
        ("12,34,567", Some(1_234_567), None),
        ("42", Some(42), None),
        ("0", Some(0), None),
        ("51-200", None, Some((51, Some(200)))),
        ("51 – 200", None, Some((51, Some(200)))),
        ("51 to 200", None, Some((51, Some(200)))),
        ("51 bis 200 Mitarbeiter", None, Some((51, Some(200)))),
        ("0-1 employees", None, Some((0, Some(1)))),
        ("1k-5k", None, Some((1000, Some(5000)))),
        ("10,001+", None, Some((10_001, None))),
        ("5000+", None, Some((5000, None))),
        ("≥ 1000", None, Some((1000, None))),
        (">= 1000", None, Some((1000, None))),
        ("over 500", None, Some((501, None))),
        ("more than 500", None, Some((501, None))),
        ("<10", None, Some((0, Some(9)))),
        ("less than 10", None, Some((0, Some(9)))),
        ("up to 50", None, Some((0, Some(50)))),
    ];
    for (input, value, band) in cases {
        let e = parse_employees(input).unwrap_or_else(|| panic!("{input:?} should parse"));
        assert_eq!((e.value, e.band), (*value, *band), "{input:?}");
        assert_eq!(e.original, *input);
    }
    for input in [
        "",
        "n/a",
        "1.5",
        "200-51",
        "-5",
        "1,2,3",
        "20000000",
        "Self-employed",
        "51-200-300",
        "1,20",
        "twelve",
    ] {
        assert_eq!(parse_employees(input), None, "{input:?}");
    }
}

/// Formats `v` with thousands groups separated by `sep`.
fn group(v: u64, sep: &str) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn employees_total_and_deterministic(s in "\\PC{0,20}|[0-9.,+ ~<>-]{1,12}") {
        prop_assert_eq!(parse_employees(&s), parse_employees(&s));
    }

    #[test]
    fn employees_formatted_value_round_trips(
        v in 0u64..=10_000_000,
        sep in prop::sample::select(vec!["", ",", ".", " ", "'", "\u{a0}"]),
        prefix in prop::sample::select(vec!["", "~", "approx. ", "ca. "]),
        suffix in prop::sample::select(vec!["", " employees", " Mitarbeiter"]),
    ) {
        let s = format!("{prefix}{}{suffix}", group(v, sep));
        let e = parse_employees(&s);
        prop_assert_eq!(e.map(|e| e.value), Some(Some(v)), "{:?}", s);
    }

    #[test]
    fn employees_formatted_band_round_trips(lo in 0u64..=5_000_000, span in 0u64..=5_000_000, open in any::<bool>()) {
        let hi = lo + span;
        let (s, want) = if open {
            (format!("{}+", group(lo, ",")), (lo, None))
        } else {
            (format!("{}-{}", group(lo, ","), group(hi, ",")), (lo, Some(hi)))
        };
        prop_assert_eq!(parse_employees(&s).and_then(|e| e.band), Some(want), "{:?}", s);
    }
}

// ---------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------

/// (input, default currency, amount, currency)
#[test]
fn money_table() {
    let cases: &[(&str, Option<&str>, f64, Option<&str>)] = &[
        ("$1.2M", None, 1_200_000.0, Some("USD")),
        ("USD 1,200,000", None, 1_200_000.0, Some("USD")),
        ("EUR 3 bn", None, 3e9, Some("EUR")),
        ("€3bn", None, 3e9, Some("EUR")),
        ("3,5 Mio. €", None, 3_500_000.0, Some("EUR")),
        ("1,2 Mrd. €", None, 1.2e9, Some("EUR")),
        ("£250k", None, 250_000.0, Some("GBP")),
        ("¥1.2B", None, 1.2e9, Some("JPY")),
        ("CN¥100", None, 100.0, Some("CNY")),
        ("1.2 million", None, 1_200_000.0, None),
        ("1.2 million", Some("eur"), 1_200_000.0, Some("EUR")),
        ("CHF 12m", None, 12_000_000.0, Some("CHF")),
        ("12.5MM", Some("USD"), 12_500_000.0, Some("USD")),
        ("US$ 5M", None, 5_000_000.0, Some("USD")),
        ("5M USD", None, 5_000_000.0, Some("USD")),
        ("$5,000,000.00", None, 5_000_000.0, Some("USD")),
        ("$5", Some("CAD"), 5.0, Some("CAD")),
        ("$5", Some("EUR"), 5.0, Some("USD")),
        ("CA$ 7.5k", None, 7_500.0, Some("CAD")),
        ("R$ 10 mil reais", None, f64::NAN, None),
        ("1.234,56 EUR", None, 1234.56, Some("EUR")),
        ("1'234'567 CHF", None, 1_234_567.0, Some("CHF")),
        ("(1.2M)", None, -1_200_000.0, None),
        ("-250k GBP", None, -250_000.0, Some("GBP")),
        ("Rs. 5 crore", None, 50_000_000.0, Some("INR")),
        ("₹2.5 lakh", None, 250_000.0, Some("INR")),
        ("kr 100", Some("SEK"), 100.0, Some("SEK")),
        ("kr 100", None, 100.0, None),
        ("100 dollars", None, 100.0, Some("USD")),
        ("approx. $3M annual revenue", None, 3_000_000.0, Some("USD")),
        ("$1.250M", None, 1_250_000.0, Some("USD")),
        ("0.5M", None, 500_000.0, None),
        ("1,200", None, 1200.0, None),
        ("1.200", None, 1200.0, None),
        ("1 200,50 €", None, 1200.5, Some("EUR")),
    ];
    for (input, default, amount, currency) in cases {
        let m = parse_money(input, *default);
        if amount.is_nan() {
            assert_eq!(m, None, "{input:?}");
            continue;
        }
        let m = m.unwrap_or_else(|| panic!("{input:?} should parse"));
        assert_eq!(
            (m.amount, m.currency.as_deref()),
            (*amount, *currency),
            "{input:?}"
        );
        assert_eq!(m.original, *input);
    }
    for input in [
        "",
        "EUR",
        "$1M-$10M",
        "$10M+",
        "Top 500",
        "Q3 2024",
        "1.2.3",
        "USD EUR 5",
        "abc",
    ] {
        assert_eq!(parse_money(input, Some("USD")), None, "{input:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn money_total_and_deterministic(s in "\\PC{0,20}|[0-9.,$€£ kKmMbB-]{1,12}", d in prop::option::of("[A-Za-z]{3}")) {
        prop_assert_eq!(parse_money(&s, d.as_deref()), parse_money(&s, d.as_deref()));
    }

    #[test]
    fn money_formatted_amount_round_trips(
        cents in 0u64..=100_000_000_000,
        style in 0usize..4,
        cur in prop::sample::select(vec![("$", "", "USD"), ("€", "", "EUR"), ("", " EUR", "EUR"), ("CHF ", "", "CHF"), ("£", "", "GBP")]),
    ) {
        let (int, frac) = (cents / 100, cents % 100);
        let number = match style {
            0 => format!("{}.{frac:02}", group(int, ",")),
            1 => format!("{},{frac:02}", group(int, ".")),
            2 => format!("{},{frac:02}", group(int, " ")),
            _ => format!("{int}.{frac:02}"),
        };
        let s = format!("{}{number}{}", cur.0, cur.1);
        let m = parse_money(&s, None);
        let want: f64 = format!("{int}.{frac:02}").parse().unwrap();
        prop_assert_eq!(m.map(|m| (m.amount, m.currency)), Some((want, Some(cur.2.to_owned()))), "{:?}", s);
    }

    #[test]
    fn money_with_multiplier_round_trips(
        whole in 1u64..1000,
        frac in 0u64..1000,
        mult in prop::sample::select(vec![("k", 3), ("K", 3), ("M", 6), ("m", 6), ("MM", 6), ("bn", 9), (" Mio.", 6)]),
    ) {
        let s = format!("${whole}.{frac:03}{}", mult.0);
        let want: f64 = format!("{whole}.{frac:03}e{}", mult.1).parse().unwrap();
        prop_assert_eq!(parse_money(&s, None).map(|m| m.amount), Some(want), "{:?}", s);
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

/// (input, day_first, date)
#[test]
fn date_table() {
    for (input, day_first, want) in [
        ("2024-03-05", false, d(2024, 3, 5)),
        ("2024-03-05T10:00:00Z", false, d(2024, 3, 5)),
        ("2024-03-05T23:30:00.123-05:00", true, d(2024, 3, 5)),
        ("2024-03-05 10:00", false, d(2024, 3, 5)),
        ("2024/3/5", false, d(2024, 3, 5)),
        ("20240305", false, d(2024, 3, 5)),
        ("20240305T101500Z", false, d(2024, 3, 5)),
        ("03/05/2024", false, d(2024, 3, 5)),
        ("03/05/2024", true, d(2024, 5, 3)),
        ("05/03/2024", true, d(2024, 3, 5)),
        ("3/5/24", false, d(2024, 3, 5)),
        ("3/5/70", false, d(1970, 3, 5)),
        ("3/5/68", false, d(2068, 3, 5)),
        ("13/05/2024", false, d(2024, 5, 13)),
        ("05/13/2024", true, d(2024, 5, 13)),
        ("05.03.2024", false, d(2024, 3, 5)),
        ("05-03-2024", true, d(2024, 3, 5)),
        ("March 5, 2024", false, d(2024, 3, 5)),
        ("Mar 5 2024", true, d(2024, 3, 5)),
        ("5 March 2024", false, d(2024, 3, 5)),
        ("Tuesday, March 5th, 2024", false, d(2024, 3, 5)),
        ("March 5, 2024 10:00 AM", false, d(2024, 3, 5)),
        ("05-MAR-24", false, d(2024, 3, 5)),
        ("5 Mar '24", false, d(2024, 3, 5)),
        ("2024 Mar 5", false, d(2024, 3, 5)),
        ("5. März 2024", false, d(2024, 3, 5)),
        ("1er mars 2024", false, d(2024, 3, 1)),
        ("5 de marzo de 2024", false, d(2024, 3, 5)),
        ("5 maggio 2024", false, d(2024, 5, 5)),
        ("5 mei 2024", false, d(2024, 5, 5)),
        ("45356", false, d(2024, 3, 5)),
        ("45356.75", false, d(2024, 3, 5)),
        ("2024-02-29", false, d(2024, 2, 29)),
        ("2024-02-30", false, None),
        ("2023-02-29", false, None),
        ("31/04/2024", true, None),
        ("99/99/2024", false, None),
        ("2024-03", false, None),
        ("March 2024", false, None),
        ("12345", false, None),
        ("2024-03-05 garbage", false, None),
        ("", false, None),
        ("yesterday", false, None),
        ("2024-03/05", false, None),
    ] {
        assert_eq!(
            parse_date(input, day_first),
            want,
            "{input:?} day_first={day_first}"
        );
    }
}

/// Found by `date_total_and_deterministic`: a multi-byte character right
/// before a colon used to split the string inside that character.
#[test]
fn date_with_multibyte_char_before_colon_regression() {
    assert_eq!(parse_date("\u{17000}:", false), None);
    assert_eq!(parse_date("März 5, 2024 é10:00", false), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn date_total_and_deterministic(s in "\\PC{0,24}|[0-9/.: TZ-]{1,20}", day_first in any::<bool>()) {
        prop_assert_eq!(parse_date(&s, day_first), parse_date(&s, day_first));
    }

    #[test]
    fn formatted_date_round_trips(days in 0i64..73_000, style in 0usize..9) {
        let date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
        let (s, day_first) = match style {
            0 => (date.format("%Y-%m-%d").to_string(), false),
            1 => (date.and_hms_opt(10, 30, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string(), true),
            2 => (date.format("%Y%m%d").to_string(), false),
            3 => (date.format("%m/%d/%Y").to_string(), false),
            4 => (date.format("%d/%m/%Y").to_string(), true),
            5 => (date.format("%d.%m.%Y").to_string(), false),
            6 => (date.format("%B %-d, %Y").to_string(), false),
            7 => (date.format("%-d %b %Y").to_string(), true),
            _ => (date.format("%a, %d %B %Y").to_string(), false),
        };
        prop_assert_eq!(parse_date(&s, day_first), Some(date), "{:?}", s);
    }

    #[test]
    fn two_digit_years_use_the_posix_pivot(y in 0u32..100, m in 1u32..=12, day in 1u32..=28) {
        let s = format!("{m}/{day}/{y:02}");
        let year = if y >= 69 { 1900 + y as i32 } else { 2000 + y as i32 };
        prop_assert_eq!(parse_date(&s, false), NaiveDate::from_ymd_opt(year, m, day));
    }
}

#[test]
fn plain_numbers_follow_the_digit_grouping_rules() {
    use firmlink_normalize::number::parse_number;
    let cases = [
        ("1.234,50", Some(1234.5)),
        ("1,234.50", Some(1234.5)),
        ("3,5", Some(3.5)),
        ("1,200", Some(1200.0)),
        ("1 200", Some(1200.0)),
        (" -7 ", Some(-7.0)),
        ("+0.25", Some(0.25)),
        ("42", Some(42.0)),
        ("abc", None),
        ("12 kg", None),
        ("1.2.3", None),
        ("", None),
        ("-", None),
        ("1.2345678901234568e+16", Some(1.2345678901234568e16)),
        ("1E-7", Some(1e-7)),
        ("-2.5e3", Some(-2500.0)),
        ("1e999", None),
        ("e5", None),
    ];
    for (s, want) in cases {
        assert_eq!(parse_number(s), want, "{s:?}");
    }
}
