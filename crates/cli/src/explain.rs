//! `firmlink explain`: why two records match (or not), or how a cluster formed.

use std::path::PathBuf;
use std::process::ExitCode;

use firmlink_linkage::{Linker, Params};
use firmlink_model::Table;

#[derive(clap::Args)]
pub struct Args {
    /// A run folder (e.g. out/demo/latest).
    #[arg(long)]
    run: PathBuf,
    /// accounts or contacts.
    #[arg(long)]
    kind: String,
    /// Two records as SOURCE:ID, e.g. --pair crm_contacts:0035g00001 marketing_leads:1000020
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pair: Option<Vec<String>>,
    /// A unified id from the crosswalk: explain every pair of its records (at most 20).
    #[arg(long, conflicts_with = "pair")]
    cluster: Option<String>,
    /// Print JSON instead of the waterfall.
    #[arg(long)]
    json: bool,
}

type Fail = (String, u8);

/// Pairs of a cluster explained at most (a cluster of n records has
/// n(n-1)/2).
const MAX_CLUSTER_PAIRS: usize = 20;

pub fn main(args: &Args) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((msg, code)) => {
            eprintln!("error: {msg}");
            ExitCode::from(code)
        }
    }
}

fn find(t: &Table, key: &str) -> Result<usize, Fail> {
    let (src, id) = key.split_once(':').ok_or_else(|| {
        (
            format!("\"{key}\" is not SOURCE:ID (e.g. crm_contacts:0035g00001)"),
            2,
        )
    })?;
    let s = t.str("source").expect("source");
    let i = t.str("source_id").expect("source_id");
    (0..t.rows())
        .find(|&r| s.get(r) == Some(src) && i.get(r) == Some(id))
        .ok_or_else(|| {
            (
                format!("no record {key} in this run (quarantined rows are not in the tables)"),
                4,
            )
        })
}

fn run(args: &Args) -> Result<(), Fail> {
    let kind = crate::run_folder::kind(&args.kind)?;
    let k = kind.as_str();
    let input = |e: String| (e, 4u8);
    let table =
        crate::run_folder::optional_table(&args.run, "normalized", kind)?.ok_or_else(|| {
            input(crate::run_folder::not_kept(
                &args.run,
                "normalized",
                kind,
                "explain",
            ))
        })?;
    let matching = crate::run_folder::matching(&args.run, kind)?;
    let m = &matching;
    let params_path = args.run.join(format!("params/{k}.json"));
    let params_text = std::fs::read_to_string(&params_path).map_err(|e| {
        input(format!(
            "{}: {e} (was dedupe enabled for {k}?)",
            params_path.display()
        ))
    })?;
    let params = Params::from_json(&params_text).map_err(|e| input(e.to_string()))?;
    let lt = firmlink_unify::linkage_table(kind, &table, m).map_err(|e| (e.to_string(), 3))?;
    let linker = Linker::new(&lt, firmlink_unify::engine_settings(m, &lt))
        .map_err(|e| (e.to_string(), 3))?;
    let checker = firmlink_unify::rules::Checker::new(kind, &table, m.b2b_rules);

    let source = table.str("source").expect("source");
    let source_id = table.str("source_id").expect("source_id");
    let name = |r: usize| {
        format!(
            "{}:{}",
            source.get(r).unwrap_or(""),
            source_id.get(r).unwrap_or("")
        )
    };
    // The cluster's records (None for --pair), the pairs to explain (a
    // cluster's first MAX_CLUSTER_PAIRS) and how many pairs there are.
    let (members, pairs, total): (Option<Vec<usize>>, Vec<(usize, usize)>, usize) =
        match (&args.pair, &args.cluster) {
            (Some(p), _) => (None, vec![(find(&table, &p[0])?, find(&table, &p[1])?)], 1),
            (None, Some(uid)) => {
                let cw = firmlink_pipeline::read_parquet(&args.run.join("crosswalk.parquet"))
                    .map_err(|e| input(e.to_string()))?;
                let kinds = cw.str("kind").expect("kind");
                let uids = cw.str("unified_id").expect("unified_id");
                let members: Vec<usize> = (0..cw.rows())
                    .filter(|&r| kinds.get(r) == Some(k))
                    .enumerate()
                    .filter(|(_, r)| uids.get(*r) == Some(uid.as_str()))
                    .map(|(i, _)| i)
                    .collect();
                if members.is_empty() {
                    return Err((format!("no {k} cluster {uid} in this run"), 4));
                }
                let n = members.len();
                let v = members
                    .iter()
                    .enumerate()
                    .flat_map(|(a, &x)| members[a + 1..].iter().map(move |&y| (x, y)))
                    .take(MAX_CLUSTER_PAIRS)
                    .collect();
                (Some(members), v, n * (n - 1) / 2)
            }
            (None, None) => return Err(("give --pair A B or --cluster ID".into(), 2)),
        };
    let shown = pairs.len();
    if let (Some(members), false) = (&members, args.json) {
        let uid = args.cluster.as_deref().unwrap_or("");
        println!("cluster {uid}: {} record(s)", members.len());
        for &r in members {
            println!("  {}", name(r));
        }
        println!();
        if total == 0 {
            println!("a single record: no pair to explain");
        } else if shown < total {
            println!("the first {shown} of its {total} pairs:\n");
        }
    }

    let mut out = Vec::new();
    for &(i, j) in &pairs {
        let e = linker
            .explain_pair(&params, i as u32, j as u32)
            .map_err(|e| (e.to_string(), 1))?;
        let veto = checker.veto(i, j).map(|v| v.as_str());
        if args.json {
            let mut v = serde_json::to_value(&e).expect("serializable");
            v["b2b_veto"] = serde_json::json!(veto);
            v["threshold"] = serde_json::json!(m.threshold);
            out.push(v);
        } else {
            println!("{}", e.render());
            match veto {
                Some(rule) => println!(
                    "B2B rule `{rule}`: these records can never be one {k} entity (see README, B2B rules)\n"
                ),
                None => println!(
                    "no B2B rule forbids this pair; clustering threshold {}\n",
                    m.threshold
                ),
            }
        }
    }
    if args.json {
        // --pair: the pair's object; --cluster: always one object, whatever
        // the cluster's size.
        let v = match &members {
            None => out.remove(0),
            Some(members) => serde_json::json!({
                "cluster": args.cluster,
                "kind": k,
                "records": members.iter().map(|&r| name(r)).collect::<Vec<_>>(),
                "pairs_total": total,
                "pairs": out,
            }),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&v).expect("serializable")
        );
    }
    Ok(())
}
