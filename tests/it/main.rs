//! End-to-end tests through the real `firmlink` binary, each in a fresh
//! temporary folder. One test binary (every extra one links all of polars).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn firmlink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_firmlink"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run firmlink")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `firmlink run PIPELINE --output OUT` with more arguments.
fn run_pipeline(pipeline: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        pipeline.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    firmlink(&args)
}

/// `firmlink explain --run RUN --kind contacts ARGS…`.
fn explain_contacts(run: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "explain",
        "--run",
        run.to_str().unwrap(),
        "--kind",
        "contacts",
    ];
    all.extend_from_slice(args);
    firmlink(&all)
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

#[test]
fn the_demo_pipeline_validates() {
    let o = firmlink(&["validate", "pipelines/demo.toml"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("valid — 5 source(s)"), "{out}");
    assert!(
        out.contains("crm_accounts (accounts, csv, priority 1)"),
        "{out}"
    );
}

#[test]
fn validate_reports_every_problem_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let demo = repo("fixtures/demo");
    let text_toml = format!(
        r#"
[pipeline]
nmae = "broken"

[[source]]
name = "crm"
kind = "acounts"
path = "{demo}/crm_accounts.csv"

[source.columns]
name = "Account Nme"
webiste = "Website"

[[source]]
name = "gone"
kind = "contacts"
path = "{demo}/no_such_file.csv"
[source.columns]
email = "Email"
"#,
        demo = demo.display()
    );
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, text_toml).unwrap();
    let o = firmlink(&["validate", path.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("broken.toml:3:1: unknown key `pipeline.nmae`"),
        "{err}"
    );
    assert!(err.contains("did you mean `name`?"), "{err}");
    assert!(
        err.contains("`source[1].kind` = \"acounts\" is not one of: accounts, contacts"),
        "{err}"
    );
    assert!(err.contains("did you mean \"accounts\"?"), "{err}");

    // Once the schema is fixed, the environment is checked: missing columns and files.
    let fixed = std::fs::read_to_string(&path)
        .unwrap()
        .replace("nmae", "name")
        .replace("acounts", "accounts")
        .replace("webiste", "website");
    std::fs::write(&path, fixed).unwrap();
    let o = firmlink(&["validate", path.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("column \"Account Nme\" is not in"), "{err}");
    assert!(err.contains("did you mean \"Account Name\"?"), "{err}");
    assert!(err.contains("source `gone`: cannot open"), "{err}");
    assert!(err.contains("2 problems found"), "{err}");
}

#[test]
fn fields_lists_canonical_fields() {
    let o = firmlink(&["fields", "contacts"]);
    let (out, _) = text(&o);
    assert!(o.status.success());
    assert!(out.contains("email"));
    assert!(out.contains("job_title"));
}

fn run_demo(out: &Path, run_id: &str) -> serde_json::Value {
    let o = firmlink(&[
        "run",
        "pipelines/demo.toml",
        "--output",
        out.to_str().unwrap(),
        "--run-id",
        run_id,
        "--csv",
        "--json",
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{stdout}\n{err}");
    // Enough data to train on, no block over the cap: nothing to warn about.
    assert!(!err.contains("warning:"), "{err}");
    serde_json::from_str(&stdout).expect("summary JSON")
}

#[test]
fn the_demo_runs_reconciles_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let summary = run_demo(dir.path(), "a");
    let run = dir.path().join("runs/a");
    for f in [
        "accounts.parquet",
        "contacts.parquet",
        "accounts.csv",
        "contacts.csv",
        "quarantine.csv",
        "manifest.json",
    ] {
        assert!(run.join(f).is_file(), "{f} missing");
    }
    assert_eq!(
        std::fs::read_link(dir.path().join("latest")).unwrap(),
        Path::new("runs/a")
    );

    // Counts reconcile per source, and the tables hold every record.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap();
    let mut records = 0;
    let mut quarantined = 0;
    for input in manifest["inputs"].as_array().unwrap() {
        let read = input["rows_read"].as_u64().unwrap();
        let rec = input["records"].as_u64().unwrap();
        let q = input["quarantined"].as_u64().unwrap();
        assert_eq!(read, rec + q, "{input}");
        assert_eq!(input["reconciled"], true);
        assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
        records += rec;
        quarantined += q;
    }
    let accounts = summary["accounts"].as_u64().unwrap();
    let contacts = summary["contacts"].as_u64().unwrap();
    assert_eq!(records, accounts + contacts);
    // Every input row is in the crosswalk or the quarantine.
    assert_eq!(summary["crosswalk_rows"].as_u64().unwrap(), records);
    assert_eq!(manifest["reconciliation"]["reconciled"], true);
    assert!(
        summary["golden_contacts"].as_u64().unwrap() < contacts,
        "dedupe merged duplicates"
    );
    assert!(
        quarantined > 0,
        "the demo data carries deliberately broken rows"
    );
    let qcsv = std::fs::read_to_string(run.join("quarantine.csv")).unwrap();
    assert_eq!(qcsv.lines().count() as u64, quarantined + 1);
    assert!(qcsv.starts_with("source,line,reason,column,value,message"));

    // Same input, same tables.
    run_demo(dir.path(), "b");
    for f in [
        "accounts.csv",
        "contacts.csv",
        "quarantine.csv",
        "accounts.parquet",
        "contacts.parquet",
    ] {
        let a = std::fs::read(dir.path().join("runs/a").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("runs/b").join(f)).unwrap();
        assert!(a == b, "{f} differs between two runs");
    }
    assert_eq!(
        std::fs::read_link(dir.path().join("latest")).unwrap(),
        Path::new("runs/b")
    );
}

#[test]
fn a_missing_input_stops_the_run_with_exit_code_4() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        "[[source]]\nname = \"a\"\nkind = \"accounts\"\npath = \"nope.csv\"\n[source.columns]\nname = \"Name\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run_pipeline(&path, &out, &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("nope.csv"), "{err}");
    assert!(!out.join("latest").exists());
}

#[test]
fn an_unreadable_format_stops_the_run_with_exit_code_4() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.parquet"), "this is not parquet").unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        "[[source]]\nname = \"a\"\nkind = \"accounts\"\npath = \"a.parquet\"\n[source.columns]\nname = \"Name\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = firmlink(&["validate", path.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("not a readable Parquet file"), "{err}");
    let o = run_pipeline(&path, &out, &[]);
    assert_eq!(o.status.code(), Some(4));
    let runs = out.join("runs");
    let leftovers = std::fs::read_dir(&runs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "no partial run folder");
}

#[test]
fn eval_scores_the_demo_against_its_truth() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(dir.path(), "e");
    let run = dir.path().join("runs/e");
    for kind in ["accounts", "contacts"] {
        let (v, _) = eval_json(&run, kind);
        for key in ["pairwise", "bcubed"] {
            for m in ["precision", "recall", "f1"] {
                let x = v[key][m]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{key}.{m} missing: {v}"));
                assert!((0.0..=1.0).contains(&x));
            }
        }
        // Not a target, a tripwire: the demo scored 0.96 when this test was written.
        assert!(
            v["pairwise"]["f1"].as_f64().unwrap() > 0.9,
            "{kind}: {}",
            v["pairwise"]
        );
        let rows = v["thresholds"].as_array().unwrap();
        assert_eq!(rows.len(), 8);
        // The table clusters as the run does: its row at the run's
        // threshold (0.9) is the headline.
        let at = rows
            .iter()
            .find(|r| r["threshold"].as_f64() == Some(0.9))
            .expect("a row at 0.9");
        for m in ["precision", "recall", "f1"] {
            assert_eq!(at[m], v["pairwise"][m], "{kind} {m}: {at}");
        }
    }
}

/// `firmlink eval --json` on one kind of a run.
fn eval_json(run: &Path, kind: &str) -> (serde_json::Value, String) {
    let truth = repo(&format!("fixtures/demo/truth/{kind}_truth.csv"));
    let o = firmlink(&[
        "eval",
        "--run",
        run.to_str().unwrap(),
        "--kind",
        kind,
        "--truth",
        truth.to_str().unwrap(),
        "--json",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    (serde_json::from_str(&out).unwrap(), err)
}

#[test]
fn a_run_without_normalized_and_pairs_still_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(dir.path(), "full");
    let full = dir.path().join("runs/full");
    let demo = std::fs::read_to_string(repo("pipelines/demo.toml")).unwrap();
    let fixtures = repo("fixtures/demo/");
    let lean = demo
        .replace("../fixtures/demo/", fixtures.to_str().unwrap())
        .replace(
            "[pipeline]\n",
            "[pipeline]\nwrite_normalized = false\nwrite_pairs = false\n",
        );
    assert_ne!(lean, demo);
    let pipeline = dir.path().join("lean.toml");
    std::fs::write(&pipeline, lean).unwrap();
    let o = run_pipeline(&pipeline, dir.path(), &["--run-id", "lean", "--quiet"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let run = dir.path().join("runs/lean");
    assert!(!run.join("normalized").exists() && !run.join("pairs").exists());
    assert!(run.join("params/contacts.json").exists());
    // The same clusters as the full run: only the two folders are left out.
    for f in ["crosswalk.parquet", "contacts.parquet", "accounts.parquet"] {
        assert_eq!(
            std::fs::read(run.join(f)).unwrap(),
            std::fs::read(full.join(f)).unwrap(),
            "{f}"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["outputs"]["normalized"]["written"], false);
    assert_eq!(manifest["outputs"]["pairs"]["written"], false);
    // eval scores from the crosswalk; only the threshold table needs pairs/.
    let (v, err) = eval_json(&run, "contacts");
    let (w, _) = eval_json(&full, "contacts");
    assert_eq!(v["pairwise"], w["pairwise"]);
    assert_eq!(v["bcubed"], w["bcubed"]);
    assert_eq!(v["thresholds"].as_array().map(Vec::len), Some(0));
    assert!(v["thresholds_missing_because"].is_string(), "{v}");
    assert!(err.contains("write_pairs = true"), "{err}");
    // explain needs the normalized records and says how to get them.
    let o = explain_contacts(&run, &["--cluster", "con_000001"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        text(&o).1.contains("write_normalized = true"),
        "{:?}",
        text(&o)
    );
}

#[test]
fn validate_checks_matching_settings_against_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.toml");
    let demo = repo("fixtures/demo/crm_contacts.csv");
    std::fs::write(
        &path,
        format!(
            r#"[[source]]
name = "c"
kind = "contacts"
path = "{}"
id = "Id"
[source.columns]
last_name = "Last Name"

[matching.contacts]
threshold = 0.8
keep_pairs_above = 0.9
[[matching.contacts.blocking_rules]]
keys = ["emial"]
"#,
            demo.display()
        ),
    )
    .unwrap();
    let o = firmlink(&["validate", path.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    // Each problem at its line and column in the file.
    assert!(
        err.contains(
            ":11:20: [matching.contacts] keep_pairs_above (0.9) must not exceed threshold (0.8)"
        ),
        "{err}"
    );

    let fixed = std::fs::read_to_string(&path)
        .unwrap()
        .replace("keep_pairs_above = 0.9\n", "")
        .replace(
            "threshold = 0.8\n",
            "threshold = 0.8\nsurvivorship = { emial = \"most_recent\" }\n",
        );
    std::fs::write(&path, fixed).unwrap();
    let o = firmlink(&["validate", path.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains(":13:9: [matching.contacts] blocking_rules[0].keys[0]")
            && err.contains("column `emial` is not in the table"),
        "{err}"
    );
    // A survivorship rule for a field the records lack would silently give
    // no golden column.
    assert!(
        err.contains(":11:26: [matching.contacts] survivorship names `emial`")
            && err.contains("did you mean `email`?")
            && err.contains("2 problems found"),
        "{err}"
    );
}

#[test]
fn capped_blocks_and_too_little_training_data_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.csv"),
        "Id,First,Last,Email\n\
         1,Ann,Lee,ann@acme.com\n\
         2,Anne,Lee,ann@acme.com\n\
         3,Ann,Lee,ann@acme.com\n\
         4,Bo,Li,bo@beta.com\n\
         5,Bo,Li,bo@beta.com\n",
    )
    .unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        r#"[[source]]
name = "c"
kind = "contacts"
path = "c.csv"
id = "Id"
[source.columns]
first_name = "First"
last_name = "Last"
email = "Email"

[matching.contacts]
max_block_size = 2
[[matching.contacts.blocking_rules]]
name = "email"
keys = ["email"]
[[matching.contacts.training.blocking_rules]]
name = "email"
keys = ["email"]
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run_pipeline(&path, &out, &["--json"]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: contacts blocking rule \"email\" skipped 1 block(s)")
            && err.contains("email=ann@acme.com (3 records)"),
        "{err}"
    );
    // The one training rule reads email, from which the email comparison's
    // column (email_personal) is computed: its m cannot be estimated.
    assert!(
        err.contains("warning: contacts m for email stays at the built-in default: every EM session's training rule reads that column"),
        "{err}"
    );
    // Five records: too few to train on, and the run says so.
    assert!(
        err.contains("warning: contacts model trained on little data: u probabilities come from only 10 record pairs; no EM session that estimates first_name, last_name,"),
        "{err}"
    );

    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let contacts = summary["dedupe"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "contacts")
        .unwrap();
    let rule = &contacts["blocking"]["rules"][0];
    assert_eq!(rule["blocks_capped"], 1, "{rule}");
    assert_eq!(rule["records_in_capped_blocks"], 3, "{rule}");

    // No two records share a key: nothing is scored, nothing to warn about.
    std::fs::write(
        dir.path().join("c.csv"),
        "Id,First,Last,Email\n1,Ann,Lee,ann@acme.com\n2,Bo,Li,bo@beta.com\n",
    )
    .unwrap();
    let o = run_pipeline(&path, &out, &[]);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("warning:"), "{err}");
}

#[test]
fn pinned_params_are_checked_before_the_run_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(dir.path(), "demo");
    let params = |kind: &str| dir.path().join(format!("runs/demo/params/{kind}.json"));
    std::fs::write(
        dir.path().join("a.csv"),
        "Id,Name,Website\n1,Acme Inc,acme.com\n2,ACME Inc.,www.acme.com\n",
    )
    .unwrap();
    let path = dir.path().join("p.toml");
    let write = |pinned: &Path| {
        std::fs::write(
            &path,
            format!(
                "[[source]]\nname = \"a\"\nkind = \"accounts\"\npath = \"a.csv\"\nid = \"Id\"\n\
                 [source.columns]\nname = \"Name\"\nwebsite = \"Website\"\n\n\
                 [matching.accounts]\nparams = '{}'\n",
                pinned.display()
            ),
        )
        .unwrap()
    };
    // Parameters of the other kind: caught by validate and before ingest.
    write(&params("contacts"));
    let p = path.to_str().unwrap();
    let unwritable: &[&str] = &["run", p, "--output", "/nonexistent/out"];
    for args in [&["validate", p][..], unwritable] {
        let cmd = args[0];
        // The run stops before it would touch its (unwritable) output.
        let o = firmlink(args);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(3), "{cmd}: {err}");
        assert!(
            err.contains("p.toml:11:10: [matching.accounts] pinned parameters")
                && err.contains("do not fit the settings")
                && err.contains("remove `params` to train again"),
            "{cmd}: {err}"
        );
    }
    // A missing file is an unreadable input.
    write(&dir.path().join("nope.json"));
    let o = firmlink(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{:?}", text(&o));
    // The right file: the manifest names it and its hash.
    write(&params("accounts"));
    let o = run_pipeline(
        &path,
        &dir.path().join("out"),
        &["--run-id", "p", "--quiet"],
    );
    assert!(o.status.success(), "{:?}", text(&o));
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("out/runs/p/manifest.json")).unwrap(),
    )
    .unwrap();
    let pinned = &manifest["params"]["accounts"];
    assert_eq!(pinned["pinned"], params("accounts").display().to_string());
    assert_eq!(pinned["sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn typed_extra_columns_feed_date_levels_and_unreadable_values_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.csv"),
        "id,first,last,dob,score,created,opens\n\
         1,Ann,Lee,1980-03-04,10,2024-01-02,3\n\
         2,Ann,Lee,1980-03-05,\"1,200.5\",2024-02-30,-5\n\
         3,Bob,Ray,not a date,abc,never,many\n",
    )
    .unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        r#"[[source]]
name = "p"
kind = "contacts"
path = "p.csv"
id = "id"
[source.columns]
first_name = "first"
last_name = "last"
created_at = "created"
email_opens = "opens"
[source.extra]
dob = { column = "dob", type = "date" }
score = { column = "score", type = "number" }

[matching.contacts]
survivorship = { x_score = "max" }
[[matching.contacts.blocking_rules]]
keys = ["last_name_key"]
[[matching.contacts.comparisons]]
name = "dob"
column = "x_dob"
levels = [{ kind = "date_difference", max = 3, unit = "days" }]
"#,
    )
    .unwrap();
    let o = firmlink(&["validate", path.to_str().unwrap()]);
    assert!(
        text(&o).0.contains("x_dob (date), x_score (number)"),
        "{:?}",
        text(&o)
    );
    let o = run_pipeline(&path, &dir.path().join("out"), &["--run-id", "t", "--csv"]);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    // An unreadable value is reported, not lost.
    assert!(
        err.contains("contacts x_dob: 1 value(s) are not a date, e.g. \"not a date\"")
            && err.contains("contacts x_score: 1 value(s) are not a number, e.g. \"abc\""),
        "{err}"
    );
    // So is one of a typed canonical field, which keeps no original.
    assert!(
        err.contains(
            "source p created_at: 2 value(s) are not a date, e.g. \"2024-02-30\" (line 3)"
        ) && err.contains("source p email_opens: 2 value(s) are not a count, e.g. \"-5\" (line 3)"),
        "{err}"
    );
    let run = dir.path().join("out/runs/t");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let listed = &manifest["unreadable_values"];
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[0]["field"], "created_at", "{listed}");
    assert_eq!(listed[0]["values"], 2, "{listed}");
    let rows = plain_csv(&run.join("normalized/contacts.csv"));
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let values = |name: &str| {
        rows[1..]
            .iter()
            .map(|r| r[col(name)].as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(values("x_dob"), ["1980-03-04", "1980-03-05", ""]);
    assert_eq!(
        values("x_dob_original"),
        ["1980-03-04", "1980-03-05", "not a date"]
    );
    assert_eq!(values("x_score"), ["10", "1200.5", ""]);
    // The date level read the typed column: one day apart is its level.
    let o = explain_contacts(&run, &["--pair", "p:1", "p:2", "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let dob = &v["comparisons"][0];
    assert_eq!(dob["label"], "within 3 days", "{dob}");
    // A survivorship rule brings the typed extra into the golden records.
    let golden = plain_csv(&run.join("contacts.csv"));
    assert!(golden[0].iter().any(|h| h == "x_score"), "{:?}", golden[0]);
}

#[test]
fn size_limited_attachments_and_unchecked_merges_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(dir.path(), "demo");
    let params = dir.path().join("runs/demo/params/accounts.json");
    std::fs::write(
        dir.path().join("a.csv"),
        "Id,Name,Website,Phone,City\n\
         1,Acme Inc,acme.com,+1 415 555 0100,Boston\n\
         2,ACME Inc.,www.acme.com,+1 415 555 0100,Boston\n\
         3,Acme,,,\n\
         4,Zeta Labs,zeta.io,+1 212 555 0199,New York\n",
    )
    .unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        format!(
            r#"[[source]]
name = "a"
kind = "accounts"
path = "a.csv"
id = "Id"
defaults = {{ country = "US" }}
[source.columns]
name = "Name"
website = "Website"
phone = "Phone"
city = "City"

[matching.accounts]
params = '{}'
[matching.accounts.chain_guard]
max_cluster_size = 2
"#,
            params.display()
        ),
    )
    .unwrap();
    let o = run_pipeline(&path, &dir.path().join("out"), &[]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    // Records 1 and 2 are one account; lone "Acme" would join it by name
    // but for the size limit, and the summary says so.
    assert!(
        out.contains("4 records →         3 entities")
            && out.contains(
                "0 lone records attached by name_compact (1 kept apart: max_cluster_size)"
            ),
        "{out}"
    );

    // Without the limit: two groups of 101 records (postcodes differ
    // between them) join in one merge too large to check against the rules.
    let mut csv = String::from("Id,Name,Website,Phone,City,Postcode\n");
    for (group, postcode) in [("a", "02110"), ("b", "02111")] {
        for i in 0..101 {
            csv.push_str(&format!(
                "{group}{i},Acme Inc,acme.com,+1 415 555 0100,Boston,{postcode}\n"
            ));
        }
    }
    std::fs::write(dir.path().join("a.csv"), csv).unwrap();
    let toml = std::fs::read_to_string(&path)
        .unwrap()
        .replace(
            "[matching.accounts.chain_guard]\nmax_cluster_size = 2\n",
            "",
        )
        .replace(
            "city = \"City\"",
            "city = \"City\"\npostcode = \"Postcode\"",
        );
    std::fs::write(&path, toml).unwrap();
    let o = run_pipeline(&path, &dir.path().join("out"), &[]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("202 records →         1 entities"), "{out}");
    assert!(
        err.contains(
            "warning: accounts clustering made 1 merge(s) of groups too large to check pair by pair"
        ),
        "{err}"
    );
}

#[test]
fn explain_shows_a_waterfall_for_a_pair() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(dir.path(), "x");
    let run = dir.path().join("runs/x");
    let o = explain_contacts(
        &run,
        &[
            "--pair",
            "crm_contacts:0035g07Rb5suwvhAEA",
            "marketing_leads:1000501",
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for needle in [
        "match probability",
        "prior",
        "first_name",
        "employer",
        "clustering threshold",
    ] {
        assert!(out.contains(needle), "{needle} missing in\n{out}");
    }
    let o = explain_contacts(&run, &["--pair", "nope:1", "crm_contacts:x"]);
    assert_eq!(o.status.code(), Some(4));

    // --cluster --json: one object whatever the cluster's size.
    let crosswalk = std::fs::read_to_string(run.join("crosswalk.csv")).unwrap();
    let mut sizes: std::collections::BTreeMap<&str, usize> = Default::default();
    for line in crosswalk
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("contacts,"))
    {
        *sizes.entry(line.rsplit(',').next().unwrap()).or_default() += 1;
    }
    for want in [1, 2] {
        let (uid, _) = sizes.iter().find(|(_, n)| **n == want).expect("a cluster");
        let o = explain_contacts(&run, &["--cluster", uid, "--json"]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["cluster"], *uid);
        assert_eq!(v["records"].as_array().map(Vec::len), Some(want), "{v}");
        assert_eq!(v["pairs_total"], want * (want - 1) / 2);
        assert_eq!(v["pairs"].as_array().map(Vec::len), Some(want - 1), "{v}");
    }
}

/// Rows of a small CSV we wrote ourselves (no quoted commas), `#` lines
/// skipped, header first.
fn plain_csv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Every folder under tests/cases with a pipeline.toml is run, and its
/// crosswalk must partition the records exactly as expected.csv groups them
/// (records of one group share a unified id; two groups never do).
#[test]
fn pipeline_cases_give_the_expected_clusters() {
    let cases = repo("tests/cases");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&cases)
        .expect("tests/cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("pipeline.toml").is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 2, "cases: {names:?}");
    let mut failures = Vec::new();
    for case in names {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let out = tempfile::tempdir().unwrap();
        let pipeline = case.join("pipeline.toml");
        let o = run_pipeline(&pipeline, out.path(), &["--quiet", "--csv"]);
        let (stdout, stderr) = text(&o);
        assert!(o.status.success(), "case {name}: {stdout}\n{stderr}");
        let crosswalk = plain_csv(&out.path().join("latest/crosswalk.csv"));
        let col = |h: &str| crosswalk[0].iter().position(|c| c == h).unwrap();
        let (kind, source, id, unified) = (
            col("kind"),
            col("source"),
            col("source_id"),
            col("unified_id"),
        );
        let got: std::collections::HashMap<(String, String, String), String> = crosswalk[1..]
            .iter()
            .map(|r| {
                (
                    (r[kind].clone(), r[source].clone(), r[id].clone()),
                    r[unified].clone(),
                )
            })
            .collect();
        let expected = plain_csv(&case.join("expected.csv"));
        assert_eq!(
            expected[0],
            ["kind", "source", "source_id", "group"],
            "case {name}"
        );
        let rows: Vec<(&[String], &String)> =
            expected[1..].iter().map(|r| (&r[..3], &r[3])).collect();
        assert_eq!(
            rows.len(),
            got.len(),
            "case {name}: expected.csv must list every record"
        );
        let key = |r: &[String]| (r[0].clone(), r[1].clone(), r[2].clone());
        for (a, ga) in &rows {
            let ua = got
                .get(&key(a))
                .unwrap_or_else(|| panic!("case {name}: {a:?} is not in the crosswalk"));
            for (b, gb) in &rows {
                let ub = &got[&key(b)];
                if a < b && (ga == gb) != (ua == ub) {
                    failures.push(format!(
                        "case {name}: {} and {} {}",
                        a.join(":"),
                        b.join(":"),
                        if ga == gb {
                            format!("should be one entity ({ga}) but are {ua} and {ub}")
                        } else {
                            format!("should be apart ({ga} / {gb}) but are both {ua}")
                        }
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
