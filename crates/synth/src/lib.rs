//! Synthetic multi-source B2B data with exact ground truth, for tests and
//! benchmarks of the firmlink pipeline.
//!
//! [`generate`] invents `accounts` true companies (parents, subsidiaries and
//! independents across 20 countries) and the people who work there, then
//! writes them the way five source systems would hold them:
//!
//! | file | source | what it imitates |
//! | --- | --- | --- |
//! | `crm_accounts.csv` | `crm_accounts` | CRM account export (comma, ISO dates, Salesforce ids, duplicates) |
//! | `crm_contacts.csv` | `crm_contacts` | CRM contact export, linked by `Account Id` |
//! | `marketing_leads.csv` | `marketing_leads` | marketing-automation leads (semicolon, US dates, typed company) |
//! | `enrichment_firmographics.jsonl` | `enrichment` | vendor firmographics, sometimes years stale |
//! | `erp_customers.csv` | `erp_customers` | ERP customers (pipe, dd.mm.yyyy, 35-char names) |
//!
//! and the truth beside them in `truth/`: which account and person each row
//! is (`accounts_truth.csv`, `contacts_truth.csv`), the company tree
//! (`hierarchy_truth.csv`) and the deliberately broken rows
//! (`bad_rows.csv`, by physical line). `README.md` records the options and
//! counts.
//!
//! Data flows `company::Builder` (true companies) → `accounts::presence`
//! (which systems know each company, CRM ids) → per-source renderers that
//! vary names, websites, phones, addresses, numbers and dates → `emit`
//! (ids, defects, truth rows) through a bounded shuffle buffer to disk.
//! Memory grows with the number of companies, not rows.
//!
//! Output is a pure function of [`GenerateOptions`]: the random numbers come
//! from a documented generator in this crate (`rng`), every company and
//! source has its own stream, and floating-point work avoids library maths,
//! so the same options give byte-identical files on every machine.
//!
//! ```no_run
//! use firmlink_synth::{GenerateOptions, generate};
//! let opts = GenerateOptions { accounts: 300, seed: 7, ..GenerateOptions::default() };
//! let summary = generate(&opts, std::path::Path::new("fixtures/demo")).unwrap();
//! println!("{} rows", summary.total_source_rows());
//! ```
//!
//! Sizes: about 2.4 × `accounts` account rows (CRM 1.12, enrichment 0.93,
//! ERP 0.37 per company) and 1.65 × `accounts` × `contacts_per_account`
//! contact rows (CRM contacts 0.74, marketing leads 0.91). The defaults (300
//! accounts, 4 contacts) give a demo of about 2,700 rows; `accounts =
//! 42_000, contacts_per_account = 14.5` gives 101,000 account rows and
//! 1,005,000 contact rows (10 s of CPU, 12–16 s wall and 55 MB of memory in a
//! release build).

mod accounts;
mod company;
mod contacts;
mod data;
mod emit;
mod out;
mod person;
mod phone;
mod rng;
mod taxid;
mod text;
mod vary;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::accounts::{CRM_ACCOUNTS_HEADER, Ctx, ENRICHMENT_KEYS, ERP_HEADER};
use crate::contacts::{CRM_CONTACTS_HEADER, ContactCounters, LEADS_HEADER};
use crate::emit::{Emitter, Ids, Record, SourceStats, TruthFiles};
use crate::out::Shuffler;
use crate::rng::{Rng, Stream};

pub use crate::company::Relation;

/// What to generate. Every field has a documented default
/// ([`GenerateOptions::default`]).
#[derive(Debug, Clone, Serialize)]
pub struct GenerateOptions {
    /// Number of true companies, subsidiaries included. Default 300.
    pub accounts: usize,
    /// Seed of all randomness. Default 42.
    pub seed: u64,
    /// Mean number of people known per company (contact entities; larger
    /// companies get more). Each appears in 1–3 contact rows. Default 4.0.
    pub contacts_per_account: f64,
    /// Share of rows in every source file deliberately broken (wrong field
    /// count, invalid UTF-8, missing or duplicated id, malformed quote,
    /// truncated JSON); 0 turns them off. Default 0.002.
    pub defect_rate: f64,
    /// Multiplies the rates of errors (typos, missing values, stale records);
    /// 0 keeps only format differences and duplicates. Default 1.0.
    pub noise: f64,
    /// Share of companies present in the CRM (customers almost always are).
    /// Default 0.85.
    pub crm_coverage: f64,
    /// Share of companies the enrichment vendor knows. Default 0.9.
    pub enrichment_coverage: f64,
    /// Share of companies that are paying customers (in the ERP). Default 0.35.
    pub customer_share: f64,
    /// Share of CRM companies with more than one account row. Default 0.2.
    pub crm_duplicate_rate: f64,
    /// Share of marketing leads that filled in a second form. Default 0.2.
    pub lead_duplicate_rate: f64,
    /// Chance that a new company slot starts a group (parent plus 1–8
    /// subsidiaries). Default 0.06.
    pub group_share: f64,
    /// Share of people who changed employer: the CRM still holds them at
    /// the old company, marketing at the new one. Default 0.04.
    pub job_change_rate: f64,
    /// The day the extracts were taken; all dates lie before it.
    /// Default 2026-11-01.
    #[serde(serialize_with = "serialize_date")]
    pub as_of: NaiveDate,
}

fn serialize_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.format("%Y-%m-%d").to_string())
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            accounts: 300,
            seed: 42,
            contacts_per_account: 4.0,
            defect_rate: 0.002,
            noise: 1.0,
            crm_coverage: 0.85,
            enrichment_coverage: 0.9,
            customer_share: 0.35,
            crm_duplicate_rate: 0.2,
            lead_duplicate_rate: 0.2,
            group_share: 0.06,
            job_change_rate: 0.04,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
        }
    }
}

impl GenerateOptions {
    /// Checks every option; reports all problems at once.
    pub fn validate(&self) -> Result<(), SynthError> {
        let mut problems = Vec::new();
        if self.accounts == 0 || self.accounts > 50_000_000 {
            problems.push(format!(
                "accounts = {}: must be between 1 and 50,000,000",
                self.accounts
            ));
        }
        if !(self.contacts_per_account.is_finite()
            && (0.0..=1000.0).contains(&self.contacts_per_account))
        {
            problems.push(format!(
                "contacts_per_account = {}: must be between 0 and 1000",
                self.contacts_per_account
            ));
        }
        if !(self.noise.is_finite() && (0.0..=5.0).contains(&self.noise)) {
            problems.push(format!("noise = {}: must be between 0 and 5", self.noise));
        }
        for (name, v) in [
            ("defect_rate", self.defect_rate),
            ("crm_coverage", self.crm_coverage),
            ("enrichment_coverage", self.enrichment_coverage),
            ("customer_share", self.customer_share),
            ("crm_duplicate_rate", self.crm_duplicate_rate),
            ("lead_duplicate_rate", self.lead_duplicate_rate),
            ("group_share", self.group_share),
            ("job_change_rate", self.job_change_rate),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                problems.push(format!("{name} = {v}: must be a share between 0 and 1"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SynthError::InvalidOptions(problems))
        }
    }
}

/// Errors that stop generation.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("invalid generate options: {}", .0.join("; "))]
    InvalidOptions(Vec<String>),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
}

impl SynthError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        SynthError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn csv(path: &Path, source: csv::Error) -> Self {
        SynthError::Csv {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// One written file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileSummary {
    /// Path relative to the output folder ("crm_accounts.csv",
    /// "truth/bad_rows.csv").
    pub file: String,
    /// Source name for source files; `None` for truth files.
    pub source: Option<String>,
    /// Data rows (records; header excluded).
    pub rows: u64,
    /// Deliberately broken rows (source files only).
    pub defect_rows: u64,
    /// Distinct true entities among the good rows (accounts for account
    /// sources, contact entities for contact sources).
    pub entities: u64,
    /// 1 − entities / good rows: the share of good rows that repeat an
    /// entity already in the same file.
    pub duplicate_rate: f64,
}

/// What was generated; also written to `README.md`.
#[derive(Debug, Clone, Serialize)]
pub struct GenerateSummary {
    pub options: GenerateOptions,
    /// True companies (= `accounts`).
    pub companies: u64,
    /// Companies with subsidiaries.
    pub group_parents: u64,
    /// Subsidiaries per relation (regional, subsidiary_same_domain,
    /// acquired_brand).
    pub subsidiaries: BTreeMap<String, u64>,
    /// Distinct people.
    pub persons: u64,
    /// People at an employer (a person who changed jobs counts twice).
    pub contact_entities: u64,
    pub job_changes: u64,
    pub files: Vec<FileSummary>,
    /// Broken rows per defect kind, over all files.
    pub defects: BTreeMap<String, u64>,
}

impl GenerateSummary {
    /// Rows in the five source files.
    pub fn total_source_rows(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.source.is_some())
            .map(|f| f.rows)
            .sum()
    }

    /// The summary entry of a file ("crm_accounts.csv", "truth/bad_rows.csv").
    pub fn file(&self, name: &str) -> Option<&FileSummary> {
        self.files.iter().find(|f| f.file == name)
    }
}

/// Records are emitted through a shuffle buffer of this many records.
const SHUFFLE: usize = 8192;

fn permutation(seed: u64, label: u64, n: usize) -> Vec<u32> {
    let mut v: Vec<u32> = (0..n as u32).collect();
    Rng::stream(seed, Stream::Order, label).shuffle(&mut v);
    v
}

fn pump(
    shuffler: &mut Shuffler<Record>,
    emitter: &mut Emitter,
    truth: &mut TruthFiles,
    rec: Record,
) -> Result<(), SynthError> {
    if let Some(r) = shuffler.push(rec) {
        emitter.emit(r, truth)?;
    }
    Ok(())
}

fn drain(
    shuffler: Shuffler<Record>,
    mut emitter: Emitter,
    truth: &mut TruthFiles,
) -> Result<SourceStats, SynthError> {
    for r in shuffler.drain() {
        emitter.emit(r, truth)?;
    }
    emitter.finish()
}

/// Generates the data set into `out_dir` (created if missing; existing
/// files of the same names are overwritten).
pub fn generate(opts: &GenerateOptions, out_dir: &Path) -> Result<GenerateSummary, SynthError> {
    opts.validate()?;
    let truth_dir = out_dir.join("truth");
    fs::create_dir_all(&truth_dir).map_err(|e| SynthError::io(&truth_dir, e))?;

    let companies = company::Builder::new(opts).build();
    let presence = accounts::presence(opts, &companies);
    let ctx = Ctx {
        d: data::data(),
        opts,
        companies: &companies,
        presence: &presence,
        as_of: opts.as_of,
    };
    let mut truth = TruthFiles::create(&truth_dir)?;
    let hierarchy_rows = write_hierarchy(&truth_dir, &companies)?;
    let seed = opts.seed;
    let shuffler = |k: u64| Shuffler::new(SHUFFLE, Rng::stream(seed, Stream::Shuffle, k));
    let defects = |k: u64| Rng::stream(seed, Stream::Defects, k);
    let mut stats: Vec<(&str, SourceStats)> = Vec::new();

    // CRM accounts.
    let mut em = Emitter::csv(
        &out_dir.join("crm_accounts.csv"),
        "crm_accounts",
        b',',
        b"\n",
        &CRM_ACCOUNTS_HEADER,
        Ids::Given,
        1,
        defects(1),
        opts.defect_rate,
    )?;
    let mut sh = shuffler(1);
    for i in permutation(seed, 1, companies.len()) {
        let c = &companies[i as usize];
        for r in 0..presence[i as usize].crm_ids.len() {
            pump(&mut sh, &mut em, &mut truth, ctx.crm_account(c, r))?;
        }
    }
    stats.push(("crm_accounts.csv", drain(sh, em, &mut truth)?));

    // Enrichment vendor.
    let mut em = Emitter::jsonl(
        &out_dir.join("enrichment_firmographics.jsonl"),
        "enrichment",
        &ENRICHMENT_KEYS,
        Ids::Vendor,
        1,
        defects(2),
        opts.defect_rate,
    )?;
    let mut sh = shuffler(2);
    for i in permutation(seed, 2, companies.len()) {
        let c = &companies[i as usize];
        for r in 0..presence[i as usize].enrichment_rows {
            pump(&mut sh, &mut em, &mut truth, ctx.enrichment(c, r as usize))?;
        }
    }
    stats.push(("enrichment_firmographics.jsonl", drain(sh, em, &mut truth)?));

    // ERP customers.
    let mut em = Emitter::csv(
        &out_dir.join("erp_customers.csv"),
        "erp_customers",
        b'|',
        b"\n",
        &ERP_HEADER,
        Ids::Sequential(100_001),
        1,
        defects(3),
        opts.defect_rate,
    )?;
    let mut sh = shuffler(3);
    for i in permutation(seed, 3, companies.len()) {
        let c = &companies[i as usize];
        for r in 0..presence[i as usize].erp_rows {
            pump(&mut sh, &mut em, &mut truth, ctx.erp(c, r as usize))?;
        }
    }
    stats.push(("erp_customers.csv", drain(sh, em, &mut truth)?));

    // Contacts: CRM and marketing, generated company by company.
    let mut crm_em = Emitter::csv(
        &out_dir.join("crm_contacts.csv"),
        "crm_contacts",
        b',',
        b"\n",
        &CRM_CONTACTS_HEADER,
        Ids::Salesforce("003", 1 << 40),
        2,
        defects(4),
        opts.defect_rate,
    )?;
    let mut lead_em = Emitter::csv(
        &out_dir.join("marketing_leads.csv"),
        "marketing_leads",
        b';',
        b"\n",
        &LEADS_HEADER,
        Ids::Sequential(1_000_001),
        1,
        defects(5),
        opts.defect_rate,
    )?;
    let mut crm_sh = shuffler(4);
    let mut lead_sh = shuffler(5);
    let mut counters = ContactCounters::default();
    let mut crm_buf = Vec::new();
    let mut lead_buf = Vec::new();
    for i in permutation(seed, 4, companies.len()) {
        ctx.company_contacts(
            &companies[i as usize],
            &mut counters,
            &mut crm_buf,
            &mut lead_buf,
        );
        for rec in crm_buf.drain(..) {
            pump(&mut crm_sh, &mut crm_em, &mut truth, rec)?;
        }
        for rec in lead_buf.drain(..) {
            pump(&mut lead_sh, &mut lead_em, &mut truth, rec)?;
        }
    }
    stats.push(("crm_contacts.csv", drain(crm_sh, crm_em, &mut truth)?));
    stats.push(("marketing_leads.csv", drain(lead_sh, lead_em, &mut truth)?));
    let truth_counts = truth.finish(&truth_dir)?;

    let summary = summarize(
        opts,
        &companies,
        &counters,
        &stats,
        truth_counts,
        hierarchy_rows,
    );
    let readme = out_dir.join("README.md");
    fs::write(&readme, readme_text(&summary)).map_err(|e| SynthError::io(&readme, e))?;
    Ok(summary)
}

fn write_hierarchy(dir: &Path, companies: &[company::Company]) -> Result<u64, SynthError> {
    let path = dir.join("hierarchy_truth.csv");
    let file = fs::File::create(&path).map_err(|e| SynthError::io(&path, e))?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(std::io::BufWriter::new(file));
    let err = |e| SynthError::csv(&path, e);
    w.write_record(["account_entity_id", "parent_account_entity_id", "relation"])
        .map_err(err)?;
    let mut n = 0;
    for c in companies {
        if let (Some(p), Some(rel)) = (c.parent, c.relation) {
            w.write_record([
                c.entity_id().as_str(),
                company::entity_id(p).as_str(),
                rel.as_str(),
            ])
            .map_err(err)?;
            n += 1;
        }
    }
    w.flush().map_err(|e| SynthError::io(&path, e))?;
    Ok(n)
}

fn summarize(
    opts: &GenerateOptions,
    companies: &[company::Company],
    counters: &ContactCounters,
    stats: &[(&str, SourceStats)],
    truth_counts: [u64; 3],
    hierarchy_rows: u64,
) -> GenerateSummary {
    let mut subsidiaries: BTreeMap<String, u64> = BTreeMap::new();
    let mut parents = std::collections::HashSet::new();
    for c in companies {
        if let (Some(p), Some(rel)) = (c.parent, c.relation) {
            *subsidiaries.entry(rel.as_str().to_string()).or_default() += 1;
            parents.insert(p);
        }
    }
    let mut defects: BTreeMap<String, u64> = BTreeMap::new();
    let mut files = Vec::new();
    for (file, s) in stats {
        for (k, v) in &s.defects {
            *defects.entry((*k).to_string()).or_default() += v;
        }
        let entities = s.entities.len();
        files.push(FileSummary {
            file: (*file).to_string(),
            source: Some(source_of(file).to_string()),
            rows: s.records,
            defect_rows: s.records - s.good,
            entities,
            duplicate_rate: if s.good == 0 {
                0.0
            } else {
                1.0 - entities as f64 / s.good as f64
            },
        });
    }
    for (file, rows) in [
        ("truth/accounts_truth.csv", truth_counts[0]),
        ("truth/contacts_truth.csv", truth_counts[1]),
        ("truth/hierarchy_truth.csv", hierarchy_rows),
        ("truth/bad_rows.csv", truth_counts[2]),
    ] {
        files.push(FileSummary {
            file: file.to_string(),
            source: None,
            rows,
            defect_rows: 0,
            entities: 0,
            duplicate_rate: 0.0,
        });
    }
    GenerateSummary {
        options: opts.clone(),
        companies: companies.len() as u64,
        group_parents: parents.len() as u64,
        subsidiaries,
        persons: u64::from(counters.persons),
        contact_entities: u64::from(counters.contacts),
        job_changes: u64::from(counters.job_changes),
        files,
        defects,
    }
}

fn source_of(file: &str) -> &'static str {
    match file {
        "crm_accounts.csv" => "crm_accounts",
        "crm_contacts.csv" => "crm_contacts",
        "marketing_leads.csv" => "marketing_leads",
        "enrichment_firmographics.jsonl" => "enrichment",
        _ => "erp_customers",
    }
}

fn readme_text(s: &GenerateSummary) -> String {
    let o = &s.options;
    let mut t = String::new();
    t.push_str("# Synthetic B2B data (firmlink generate)\n\n");
    t.push_str(
        "Generated by `firmlink-synth`; the same options always give byte-identical files.\n\n",
    );
    t.push_str("## Options\n\n| option | value |\n| --- | --- |\n");
    for (k, v) in [
        ("accounts", o.accounts.to_string()),
        ("seed", o.seed.to_string()),
        ("contacts_per_account", o.contacts_per_account.to_string()),
        ("defect_rate", o.defect_rate.to_string()),
        ("noise", o.noise.to_string()),
        ("crm_coverage", o.crm_coverage.to_string()),
        ("enrichment_coverage", o.enrichment_coverage.to_string()),
        ("customer_share", o.customer_share.to_string()),
        ("crm_duplicate_rate", o.crm_duplicate_rate.to_string()),
        ("lead_duplicate_rate", o.lead_duplicate_rate.to_string()),
        ("group_share", o.group_share.to_string()),
        ("job_change_rate", o.job_change_rate.to_string()),
        ("as_of", o.as_of.format("%Y-%m-%d").to_string()),
    ] {
        t.push_str(&format!("| {k} | {v} |\n"));
    }
    t.push_str("\n## Entities\n\n| entity | count |\n| --- | --- |\n");
    t.push_str(&format!("| companies | {} |\n", s.companies));
    t.push_str(&format!("| group parents | {} |\n", s.group_parents));
    for (rel, n) in &s.subsidiaries {
        t.push_str(&format!("| subsidiaries: {rel} | {n} |\n"));
    }
    t.push_str(&format!("| persons | {} |\n", s.persons));
    t.push_str(&format!("| contact entities | {} |\n", s.contact_entities));
    t.push_str(&format!("| job changes | {} |\n", s.job_changes));
    t.push_str(
        "\n## Files\n\n| file | rows | broken rows | entities | duplicate rate |\n| --- | --- | --- | --- | --- |\n",
    );
    for f in &s.files {
        if f.source.is_some() {
            t.push_str(&format!(
                "| {} | {} | {} | {} | {:.1}% |\n",
                f.file,
                f.rows,
                f.defect_rows,
                f.entities,
                f.duplicate_rate * 100.0
            ));
        } else {
            t.push_str(&format!("| {} | {} | | | |\n", f.file, f.rows));
        }
    }
    t.push_str("\n## Deliberately broken rows\n\n");
    if s.defects.is_empty() {
        t.push_str("None.\n");
    } else {
        t.push_str("| defect | rows |\n| --- | --- |\n");
        for (k, v) in &s.defects {
            t.push_str(&format!("| {k} | {v} |\n"));
        }
    }
    t.push_str(
        "\nBroken rows are listed in `truth/bad_rows.csv` by physical line (header = line 1; \
         a quoted field may span lines) and appear in no other truth file.\n",
    );
    t
}
