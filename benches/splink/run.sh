#!/usr/bin/env bash
# firmlink against Splink on the same generated contact set.
#
# Installs Splink in a virtual environment, generates a synthetic data set with
# `firmlink generate`, deduplicates its contact rows with Splink (DuckDB) and
# with `firmlink run`, scores both against the truth file, and prints F1,
# precision, recall, wall time and peak memory side by side. Wall time and peak
# resident memory of each tool's process are measured with /usr/bin/time -v.
#
# Usage: benches/splink/run.sh [options]
#   --small                  quick check: 3,000 accounts (~72k contact rows)
#   --accounts N             true companies (default 42000: ~1M contact rows)
#   --contacts-per-account F mean people per company (default 14.5)
#   --seed S                 generator seed (default 42)
#   --email MODEL            Splink email comparison: exact (default), exact_lev1, splink
#   --em RULES               Splink EM blocking rules: email_namecompany (default),
#                            names_email, email_phone, email_phone_namecompany
#   --firmlink-sources SET   same (default): firmlink reads the files Splink reads
#                            (crm_contacts, marketing_leads, crm_accounts for the
#                            company names); all: the whole demo pipeline (five
#                            sources, account dedupe on all of them)
#   --firmlink-outputs SET   all (default): firmlink writes its whole run folder;
#                            lean: without normalized/ and pairs/ (write_normalized
#                            = false, write_pairs = false), closer to Splink's one
#                            cluster table (golden records and crosswalk still written)
#   --splink-only | --firmlink-only
# Environment:
#   BENCH_DIR   work folder: venv, data, outputs, logs (default /tmp/firmlink-splink)
#   FIRMLINK    firmlink binary to use; unset: `cargo build --release` and use
#               the release binary (under $CARGO_TARGET_DIR when that is set)
#   PYTHON      interpreter for the venv (default python3, needs >= 3.10)
set -euo pipefail

SPLINK_VERSION=5.0.0
DUCKDB_VERSION=2.0.0

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/firmlink-splink}
python=${PYTHON:-python3}

accounts=42000
per_account=14.5
seed=42
email_model=exact
em_rules=email_namecompany
run_splink=1
run_firmlink=1
firmlink_sources=same
firmlink_outputs=all
while (($#)); do
    case $1 in
        --small) accounts=3000 ;;
        --accounts) accounts=$2; shift ;;
        --contacts-per-account) per_account=$2; shift ;;
        --seed) seed=$2; shift ;;
        --email) email_model=$2; shift ;;
        --em) em_rules=$2; shift ;;
        --firmlink-sources) firmlink_sources=$2; shift ;;
        --firmlink-outputs) firmlink_outputs=$2; shift ;;
        --splink-only) run_firmlink=0 ;;
        --firmlink-only) run_splink=0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ $firmlink_sources == same || $firmlink_sources == all ]] \
    || { echo "run.sh: --firmlink-sources takes same or all" >&2; exit 2; }
[[ $firmlink_outputs == all || $firmlink_outputs == lean ]] \
    || { echo "run.sh: --firmlink-outputs takes all or lean" >&2; exit 2; }

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"
mkdir -p "$bench_dir"
bench_dir=$(cd "$bench_dir" && pwd)
tag="a${accounts}-c${per_account}-s${seed}"
data="$bench_dir/data-$tag"
logs="$bench_dir/logs-$tag"
mkdir -p "$logs"

# --- firmlink binary --------------------------------------------------------
if [[ -z ${FIRMLINK:-} ]]; then
    log "building firmlink (cargo build --release --bin firmlink; the first build takes ~11 min on 2 cores)"
    (cd "$root" && cargo build --release --quiet --bin firmlink)
    FIRMLINK="${CARGO_TARGET_DIR:-$root/target}/release/firmlink"
fi
[[ -x $FIRMLINK ]] || die "no firmlink binary at $FIRMLINK"

# --- Splink in a venv -------------------------------------------------------
venv="$bench_dir/venv"
if ((run_splink)); then
    if ! "$venv/bin/python" -c "import splink, duckdb, sys; sys.exit(not (splink.__version__ == '$SPLINK_VERSION' and duckdb.__version__ == '$DUCKDB_VERSION'))" 2>/dev/null; then
        log "installing splink==$SPLINK_VERSION duckdb==$DUCKDB_VERSION into $venv"
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            "splink==$SPLINK_VERSION" "duckdb==$DUCKDB_VERSION"
    fi
fi

# --- data -------------------------------------------------------------------
if [[ ! -f $data/truth/contacts_truth.csv ]]; then
    log "generating data: --accounts $accounts --contacts-per-account $per_account --seed $seed"
    "$FIRMLINK" generate --accounts "$accounts" --contacts-per-account "$per_account" \
        --seed "$seed" --output "$data" > "$logs/generate.json"
fi
contact_rows=$(( $(wc -l < "$data/crm_contacts.csv") + $(wc -l < "$data/marketing_leads.csv") - 2 ))
log "data: $data ($contact_rows contact lines)"

# Seconds and peak RSS (MB) from a /usr/bin/time -v report.
time_field() { # file -> "seconds mb"
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
        /Maximum resident set size/ { kb = $2 }
        END { printf "%.2f %.0f\n", s, kb / 1024 }' "$1"
}

# --- Splink -----------------------------------------------------------------
if ((run_splink)); then
    log "Splink: counting candidate pairs (untimed)"
    "$venv/bin/python" "$here/splink_contacts.py" --data "$data" --email "$email_model" --em "$em_rules" --count-pairs \
        > "$logs/splink-pairs.json" 2> "$logs/splink-pairs.log"
    log "Splink: train, predict, cluster, write clusters (timed; log in $logs/splink.log)"
    /usr/bin/time -v -o "$logs/splink.time" \
        "$venv/bin/python" "$here/splink_contacts.py" --data "$data" --email "$email_model" --em "$em_rules" \
        --output "$logs/splink-clusters.parquet" --no-eval --verbose \
        > "$logs/splink.json" 2> "$logs/splink.log" \
        || die "Splink failed: see $logs/splink.log"
    log "Splink: scoring the clusters (untimed)"
    "$venv/bin/python" "$here/splink_contacts.py" --data "$data" --evaluate "$logs/splink-clusters.parquet" \
        > "$logs/splink-eval.json" 2> "$logs/splink-eval.log" \
        || die "Splink scoring failed: see $logs/splink-eval.log"
fi

# --- firmlink ---------------------------------------------------------------
if ((run_firmlink)); then
    pipeline="$bench_dir/pipeline-$tag-$firmlink_sources-$firmlink_outputs.toml"
    out="$bench_dir/out-$tag-$firmlink_sources-$firmlink_outputs"
    lean_keys=""
    [[ $firmlink_outputs == lean ]] && lean_keys='\nwrite_normalized = false\nwrite_pairs = false'
    # demo.toml names its files ../fixtures/demo/<file>; point them at the data.
    # With `same`, keep only the sources whose files Splink reads: drop the
    # [[source]] blocks of the enrichment and ERP files.
    sed -e "s#\.\./fixtures/demo/#$data/#g" -e "s#^output = .*#output = \"$out\"$lean_keys#" \
        "$root/pipelines/demo.toml" |
        awk -v keep="$firmlink_sources" '
            /^\[\[source\]\]/ { drop = 0; block = $0 "\n"; inblock = 1; next }
            inblock && /^name = / && keep == "same" && ($3 == "\"enrichment\"" || $3 == "\"erp_customers\"") { drop = 1 }
            inblock && block != "" { block = block $0 "\n"; if (/^name = /) { if (!drop) printf "%s", block; block = "" } next }
            !drop { print }' > "$pipeline"
    for src in crm_contacts marketing_leads crm_accounts; do
        grep -q "^name = \"$src\"" "$pipeline" || die "pipelines/demo.toml has no source $src: see $pipeline"
    done
    if grep -qE '^path = "\.\.' "$pipeline"; then
        die "pipelines/demo.toml has a path this script does not rewrite: see $pipeline"
    fi
    log "firmlink: run (timed; log in $logs/firmlink-run.log)"
    /usr/bin/time -v -o "$logs/firmlink.time" \
        "$FIRMLINK" run "$pipeline" --output "$out" --quiet --json \
        > "$logs/firmlink-run.json" 2> "$logs/firmlink-run.log" \
        || die "firmlink run failed: see $logs/firmlink-run.log"
    rm -f "$logs/firmlink-eval.json"
    # The whole help first: grep -q would close the pipe early (SIGPIPE, and
    # pipefail would call that a failure).
    if grep -qE "^ +eval " <<< "$("$FIRMLINK" --help)"; then
        log "firmlink: eval"
        "$FIRMLINK" eval --run "$out/latest" --kind contacts \
            --truth "$data/truth/contacts_truth.csv" --json \
            > "$logs/firmlink-eval.json" 2> "$logs/firmlink-eval.log" \
            || die "firmlink eval failed: see $logs/firmlink-eval.log"
    else
        log "firmlink: this binary has no eval command; F1 not available"
    fi
fi

# --- the table ----------------------------------------------------------------
splink_time=""; firmlink_time=""
[[ -f $logs/splink.time ]] && ((run_splink)) && splink_time=$(time_field "$logs/splink.time")
[[ -f $logs/firmlink.time ]] && ((run_firmlink)) && firmlink_time=$(time_field "$logs/firmlink.time")

"$python" - "$logs" "$splink_time" "$firmlink_time" "$contact_rows" "$tag" "$firmlink_outputs" <<'EOF'
import json, os, sys
logs, splink_time, firmlink_time, rows, tag, outputs = sys.argv[1:7]

def load(name):
    path = os.path.join(logs, name)
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        text = fh.read().strip()
    return json.loads(text.splitlines()[-1] if name.startswith("splink") else text)

table = []
if splink_time:
    s = load("splink.json")
    ev = load("splink-eval.json")
    pairs = load("splink-pairs.json") or {}
    secs, mb = splink_time.split()
    table.append(("splink " + s["splink_version"], pairs.get("candidate_pairs"), ev["f1"], ev["precision"], ev["recall"], float(secs), int(mb)))
if firmlink_time:
    run = load("firmlink-run.json") or {}
    ev = load("firmlink-eval.json")
    cand = next((d.get("candidate_pairs") for d in run.get("dedupe", []) if d.get("kind") == "contacts"), None)
    pw = (ev or {}).get("pairwise", {})
    secs, mb = firmlink_time.split()
    table.append(("firmlink" + (" (lean outputs)" if outputs == "lean" else ""), cand, pw.get("f1"), pw.get("precision"), pw.get("recall"), float(secs), int(mb)))

def fmt(v, kind):
    if v is None:
        return "n/a"
    return {"int": f"{v:,}", "f": f"{v:.4f}", "s": f"{v:.1f}"}[kind]

head = ("tool", "candidate pairs", "F1", "precision", "recall", "wall s", "peak RSS MB")
rows_out = [head] + [(t, fmt(c, "int"), fmt(f, "f"), fmt(p, "f"), fmt(r, "f"), fmt(w, "s"), fmt(m, "int")) for t, c, f, p, r, w, m in table]
widths = [max(len(r[i]) for r in rows_out) for i in range(len(head))]
print(f"\n{tag}: {int(rows):,} contact lines (pairwise scores against truth/contacts_truth.csv)\n")
for i, r in enumerate(rows_out):
    print("| " + " | ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))) + " |")
    if i == 0:
        print("|" + "|".join("-" * (w + 1) + (":" if j else "-") for j, w in enumerate(widths)) + "|")
# Where the time goes: each tool's own phase timings (seconds).
phases = []
if splink_time:
    s = load("splink.json")
    phases.append(("splink", [("read + prepare CSVs", s.get("load_s")), ("train", s.get("train_s")),
                              ("predict", s.get("predict_s")), ("cluster", s.get("cluster_s"))],
                   sum(s.get(k) or 0 for k in ("train_s", "predict_s", "cluster_s"))))
if firmlink_time:
    run = load("firmlink-run.json") or {}
    t = next((d.get("timings", {}) for d in run.get("dedupe", []) if d.get("kind") == "contacts"), {})
    engine = sum(t.get(k) or 0 for k in ("prepare", "blocking", "training", "scoring", "clustering"))
    phases.append(("firmlink", [("ingest + normalize (all sources)", run.get("seconds_ingest_normalize")),
                                ("contact matching (" + ", ".join(f"{k} {v:.2f}" for k, v in t.items()) + ")", engine),
                                ("dedupe + golden choice, both kinds", run.get("seconds_dedupe")),
                                ("write Parquet (golden rows built here)", run.get("seconds_write"))], engine))
if phases:
    print("\nPhases (seconds, from each tool's own timers):")
    for tool, parts, _ in phases:
        print(f"  {tool}: " + "; ".join(f"{name} {v:.2f}" for name, v in parts if v is not None))
if len(phases) == 2 and phases[1][2] > 0:
    print(f"  matching engines alone (Splink train + predict + cluster / firmlink contact phases): "
          f"{phases[0][2] / phases[1][2]:.1f}x")
if len(table) == 2 and table[1][2] is not None:
    speed = table[0][5] / table[1][5]
    ok = speed >= 4 and table[1][2] >= table[0][2]
    print(f"\nSplink wall / firmlink wall: {speed:.1f}x; F1 firmlink - Splink: {table[1][2] - table[0][2]:+.4f}; "
          f"goal (>= 4x at equal or better F1): {'met' if ok else 'NOT met'}")
print(f"\nlogs and JSON: {logs}")
EOF
