#!/usr/bin/env python3
"""Deduplicate firmlink's generated contact sources with Splink (DuckDB backend).

Reads crm_contacts.csv and marketing_leads.csv from a folder written by
`firmlink generate`, prepares them the way a careful Splink user would, trains
a Fellegi-Sunter model following Splink's documented workflow, predicts and
clusters at a match probability of 0.5, and scores the clusters pairwise
against truth/contacts_truth.csv (the entity is contact_entity_id).

Prints one JSON line on stdout; progress goes to stderr.

    python splink_contacts.py --data DIR                     # run and score
    python splink_contacts.py --data DIR --output C.parquet --no-eval   # run.sh, timed
    python splink_contacts.py --data DIR --evaluate C.parquet           # run.sh, untimed
    python splink_contacts.py --data DIR --count-pairs       # only count candidate pairs
    python splink_contacts.py --data DIR --dump DIR2         # also keep rows, links, clusters

Only the standard library, splink, duckdb and pyarrow (a splink dependency)
are used.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
import re
import sys
import time
from pathlib import Path

T_START = time.perf_counter()

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

import splink  # noqa: E402
import splink.comparison_level_library as cll  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

# --------------------------------------------------------------------------
# Reading: the files contain a few deliberately broken rows (invalid UTF-8,
# malformed quotes, wrong field counts, missing and duplicated ids). Each one
# is dropped and counted, never repaired.
# --------------------------------------------------------------------------

SURROGATE = re.compile("[\udc80-\udcff]")


def read_source(path: Path, delimiter: str, id_col: str, keep: list[str]) -> tuple[pa.Table, dict]:
    """The `keep` columns of a CSV file as strings, and the drop counts by reason."""
    dropped = {"csv_error": 0, "field_count": 0, "invalid_utf8": 0, "missing_id": 0, "duplicate_id": 0}
    # surrogateescape keeps undecodable bytes as lone surrogates so the row can be
    # recognised and dropped instead of aborting the whole file.
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        header = next(reader)
        width = len(header)
        wanted = [header.index(c) for c in keep]
        id_at = header.index(id_col)
        cols: list[list[str]] = [[] for _ in keep]
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                dropped["csv_error"] += 1
                continue
            if len(row) != width:
                dropped["field_count"] += 1
                continue
            if SURROGATE.search("\x1f".join(row)):
                dropped["invalid_utf8"] += 1
                continue
            if not row[id_at].strip():
                dropped["missing_id"] += 1
                continue
            for col, i in zip(cols, wanted):
                col.append(row[i])
    table = pa.table(dict(zip(keep, cols)))
    # An id that occurs more than once cannot be a unique_id; which copy is the
    # genuine one is unknowable from the file, so every copy is dropped.
    ids = table.column(id_col)
    counts = pc.value_counts(ids)
    dup = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if len(dup):
        keep_mask = pc.invert(pc.is_in(ids, value_set=dup))
        dropped["duplicate_id"] = len(table) - pc.sum(keep_mask.cast(pa.int64())).as_py()
        table = table.filter(keep_mask)
    return table, dropped


# --------------------------------------------------------------------------
# Preparation, in DuckDB SQL (vectorised and parallel, as a Splink user on
# DuckDB would write it). Empty values become NULL.
# --------------------------------------------------------------------------

NAME_AFFIXES = ["mr", "mrs", "ms", "miss", "dr", "prof", "jr", "sr", "ii", "iii", "iv", "phd", "md"]

LEGAL_FORMS = [
    "inc", "incorporated", "llc", "ltd", "limited", "plc", "corp", "corporation", "co",
    "company", "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv",
    "ab", "as", "oy", "kk", "pty", "pvt", "llp", "lp", "sl", "slu", "sprl", "bvba",
    "kabushiki", "kaisha", "group", "holding", "holdings", "and", "the", "of", "e", "y",
    "hijos", "sons", "cie",
]  # fmt: skip

# Every spelling of a country that occurs in the generated files (lowercased,
# accents stripped), mapped to ISO 3166-1 alpha-2: a careful user standardises
# the country before comparing it. Unlisted two-letter values are taken as codes.
COUNTRIES = {
    "US": ["us", "usa", "u.s.a.", "u.s.", "america", "united states", "united states of america"],
    "GB": ["gb", "uk", "u.k.", "united kingdom", "great britain", "england",
           "united kingdom of great britain and northern ireland"],
    "DE": ["de", "germany", "deutschland", "bundesrepublik deutschland", "federal republic of germany"],
    "FR": ["fr", "france", "frankreich", "republique francaise"],
    "JP": ["jp", "japan", "nippon", "nihon", "日本"],
    "CA": ["ca", "canada"],
    "AU": ["au", "australia", "commonwealth of australia"],
    "IN": ["in", "india", "republic of india", "bharat"],
    "ES": ["es", "spain", "espana", "spanien"],
    "NL": ["nl", "netherlands", "the netherlands", "nederland", "holland"],
    "IT": ["it", "italy", "italia", "italien"],
    "BR": ["br", "brazil", "brasil", "republica federativa do brasil"],
    "CH": ["ch", "switzerland", "schweiz", "suisse", "svizzera", "swiss confederation"],
    "SG": ["sg", "singapore", "republic of singapore"],
    "BE": ["be", "belgium", "belgique", "belgie", "belgien"],
    "IE": ["ie", "ireland", "eire", "republic of ireland"],
    "AT": ["at", "austria", "osterreich", "oesterreich"],
    "SE": ["se", "sweden", "sverige", "schweden"],
    "PL": ["pl", "poland", "polska", "polen"],
    "DK": ["dk", "denmark", "danmark", "danemark"],
}  # fmt: skip


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


MACROS = f"""
-- lowercase, accents stripped, trimmed
create or replace macro fold(s) as trim(lower(strip_accents(s)));
-- name tokens: letters, apostrophes and hyphens; titles and suffixes dropped
create or replace macro name_tokens(s) as list_filter(
    string_split(regexp_replace(replace(fold(s), '.', ' '), '[^a-z'' -]+', ' ', 'g'), ' '),
    lambda t: t <> '' and not list_contains({sql_list(NAME_AFFIXES)}, t));
create or replace macro tokens_text(l) as nullif(array_to_string(l, ' '), '');
-- 'Last, First' or 'First [M.] Last [Last]': without a comma the first token is
-- the given name and the rest, minus single-letter initials, the surname (in the
-- CRM export multi-word surnames such as "Dos Santos" are more than twice as
-- common as multi-word given names such as "Kai Wen")
create or replace macro full_first(s) as case
    when contains(s, ',') then name_tokens(s[strpos(s, ',') + 1:])[1]
    else name_tokens(s)[1] end;
create or replace macro full_last(s) as case
    when contains(s, ',') then tokens_text(name_tokens(s[:strpos(s, ',') - 1]))
    else tokens_text(list_filter(name_tokens(s)[2:], lambda t: length(t) > 1)) end;
create or replace macro clean_email(s) as case
    when length(fold(s)) - length(replace(fold(s), '@', '')) = 1
     and contains(split_part(fold(s), '@', 2), '.') then fold(s) end;
-- digits only, extension removed, last 9 digits (so +33 5 54 06 45 27 and
-- 05 54 06 45 27 agree); NULL under 7 digits
create or replace macro phone_digits(s) as regexp_replace(
    regexp_replace(fold(s), '(ext\\.?|x|#|extension)\\s*[0-9]+\\s*$', ''), '[^0-9]', '', 'g');
create or replace macro clean_phone(s) as case
    when length(phone_digits(s)) >= 7 then right(phone_digits(s), 9) end;
-- a bare domain typed as company name is reduced to its first label
create or replace macro company_text(s) as case
    when not contains(fold(s), ' ') and contains(fold(s), '.')
    then split_part(split_part(regexp_replace(fold(s), '^(https?://)?(www\\.)?', ''), '/', 1), '.', 1)
    else fold(s) end;
create or replace macro clean_company(s) as tokens_text(list_filter(
    string_split(regexp_replace(replace(company_text(s), '&', ' and '), '[^a-z0-9 ]+', ' ', 'g'), ' '),
    lambda t: t <> '' and not list_contains({sql_list(LEGAL_FORMS)}, t)));
"""

PREPARE = """
create or replace table contacts as
with crm as (
    select 'crm_contacts:' || c."Id" as unique_id,
           name_tokens(c."First Name")[1] as first_name,
           tokens_text(name_tokens(c."Last Name")) as surname,
           c."Email" as email_raw, c."Phone" as phone_raw,
           a."Account Name" as company_raw, c."Mailing Country" as country_raw
    from crm_contacts c left join crm_accounts a on a."Id" = c."Account Id"
), leads as (
    select 'marketing_leads:' || lead_id, full_first(full_name), full_last(full_name),
           email, phone, company, country
    from marketing_leads
), raw as (select * from crm union all select * from leads)
select unique_id,
       nullif(first_name, '') as first_name,
       surname,
       clean_email(email_raw) as email,
       split_part(clean_email(email_raw), '@', 2) as email_domain,
       clean_phone(phone_raw) as phone,
       clean_company(company_raw) as company,
       coalesce(k.code, case when length(fold(country_raw)) = 2 then upper(fold(country_raw)) end) as country
from raw left join country_spellings k on k.spelling = fold(raw.country_raw)
"""


def prepare(con: duckdb.DuckDBPyConnection, data: Path) -> dict:
    """Reads the sources and creates the table `contacts`; returns row counts."""
    crm, crm_dropped = read_source(
        data / "crm_contacts.csv", ",", "Id",
        ["Id", "First Name", "Last Name", "Email", "Phone", "Account Id", "Mailing Country"],
    )  # fmt: skip
    leads, lead_dropped = read_source(
        data / "marketing_leads.csv", ";", "lead_id",
        ["lead_id", "full_name", "email", "phone", "company", "country"],
    )  # fmt: skip
    # CRM contacts carry only an Account Id: the company name comes from the CRM
    # accounts export, as anyone deduplicating a CRM would join it.
    accounts, _ = read_source(data / "crm_accounts.csv", ",", "Id", ["Id", "Account Name"])
    spellings = pa.table(
        {
            "spelling": [s for ss in COUNTRIES.values() for s in ss],
            "code": [c for c, ss in COUNTRIES.items() for _ in ss],
        }
    )
    for name, table in [
        ("crm_contacts", crm), ("marketing_leads", leads), ("crm_accounts", accounts),
        ("country_spellings", spellings),
    ]:  # fmt: skip
        con.register(name, table)
    con.execute(MACROS)
    con.execute(PREPARE)
    for name in ("crm_contacts", "marketing_leads", "crm_accounts", "country_spellings"):
        con.unregister(name)
    return {
        "rows_kept": con.execute("select count(*) from contacts").fetchall()[0][0],
        "dropped": {"crm_contacts": crm_dropped, "marketing_leads": lead_dropped},
    }


# --------------------------------------------------------------------------
# The Splink model
# --------------------------------------------------------------------------

# Blocking rules for predictions, as the columns each one requires equal.
RULE_KEYS = [["email"], ["phone"], ["first_name", "surname"], ["surname", "email_domain"]]
BLOCKING_RULES = [block_on(*keys) for keys in RULE_KEYS]


# Blocking rules for the EM sessions; each session estimates the m of every
# comparison that does not use its blocking columns. Splink's tutorials start
# from first name + surname; on 1M rows of this data those blocks are mostly
# namesakes, EM takes them for matches, and the m of "email differs" comes out
# at 0.65 (it is 0.33 in the truth): F1 0.49. The default pairs email with
# first name + surname + company (blocks that are mostly true matches) and
# measured best of the four (README).
EM_RULES = {
    "email_namecompany": [("email",), ("first_name", "surname", "company")],
    "names_email": [("first_name", "surname"), ("email",)],
    "email_phone": [("email",), ("phone",)],
    "email_phone_namecompany": [("email",), ("phone",), ("first_name", "surname", "company")],
}

EMAIL_MODELS = ("exact", "exact_lev1", "splink")


def email_comparison(model: str):
    """The email comparison.

    "splink" is Splink's out-of-the-box EmailComparison: exact email, exact
    username, Jaro-Winkler >= 0.88 on the email, on the username, else.
    "exact" (default) keeps null, exact and else; "exact_lev1" adds a
    Levenshtein <= 1 level for typos. A B2B username is built from the person's
    name, so the username and fuzzy email levels re-count the name evidence
    (Fellegi-Sunter assumes comparisons independent given match status) and
    pull namesakes together."""
    if model == "splink":
        return cl.EmailComparison("email")
    return cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email", term_frequency_adjustments=True),
            *([cll.LevenshteinLevel("email", 1)] if model == "exact_lev1" else []),
            cll.ElseLevel(),
        ],
        comparison_description=f"email ({model})",
    )


def settings(email_model: str = "exact") -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            # NameComparison's exact level carries a term-frequency adjustment.
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            email_comparison(email_model),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("company", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("country").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(con: duckdb.DuckDBPyConnection, args) -> tuple[str, dict]:
    """Train, predict, cluster; returns the name of the cluster table and timings."""
    timings = {}
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register("contacts", dataset_display_name="contacts")
    linker = Linker(sdf, settings(args.email), log_level=logging.INFO if args.verbose else logging.WARNING)

    t = time.perf_counter()
    # Prior: deterministic rules that admit almost no false positives, with the
    # recall Splink's tutorials use as a starting point.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email", "surname"), block_on("phone", "first_name", "surname")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=args.max_pairs, seed=args.seed)
    # m by EM, one session per blocking rule; between them they estimate every comparison.
    for rule in EM_RULES[args.em]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*rule), estimate_without_term_frequencies=True
        )
    timings["train_s"] = time.perf_counter() - t

    t = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    timings["predict_s"] = time.perf_counter() - t

    t = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold
    )
    timings["cluster_s"] = time.perf_counter() - t
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        con.execute(f"copy {predictions.physical_name} to '{args.dump / 'predictions.parquet'}'")
        con.execute(f"copy {clusters.physical_name} to '{args.dump / 'clusters.parquet'}'")
        con.execute(f"copy contacts to '{args.dump / 'contacts.parquet'}'")
        linker.misc.save_model_to_json(str(args.dump / "model.json"), overwrite=True)
    timings["links_above_threshold"] = con.execute(f"select count(*) from {predictions.physical_name}").fetchall()[0][0]
    return clusters.physical_name, timings


# --------------------------------------------------------------------------
# Evaluation and pair counting
# --------------------------------------------------------------------------


def evaluate(con: duckdb.DuckDBPyConnection, clusters: str, truth: Path) -> dict:
    """Pairwise precision/recall/F1 over the rows Splink kept that are in the truth."""
    con.execute(
        f"""
        create or replace temp table eval_rows as
        select c.cluster_id, t.contact_entity_id as entity
        from {clusters} c
        join read_csv('{truth}', header=true, all_varchar=true) t
          on c.unique_id = t.source || ':' || t.source_id
        """
    )
    pairs = "sum(n * (n - 1) / 2)::hugeint"
    tp = con.execute(f"select {pairs} from (select count(*) n from eval_rows group by cluster_id, entity)").fetchall()[0][0]
    predicted = con.execute(f"select {pairs} from (select count(*) n from eval_rows group by cluster_id)").fetchall()[0][0]
    actual = con.execute(f"select {pairs} from (select count(*) n from eval_rows group by entity)").fetchall()[0][0]
    rows_in_truth = con.execute("select count(*) from eval_rows").fetchall()[0][0]
    rows_clustered = con.execute(f"select count(*) from {clusters}").fetchall()[0][0]
    tp, predicted, actual = int(tp or 0), int(predicted or 0), int(actual or 0)
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": actual,
        "predicted_pairs": predicted,
        "correct_pairs": tp,
        "rows_evaluated": rows_in_truth,
        "rows_not_in_truth": rows_clustered - rows_in_truth,
    }


def count_candidate_pairs(con: duckdb.DuckDBPyConnection) -> int:
    """Distinct pairs generated by the union of the blocking rules, exactly, by
    inclusion-exclusion over equi-join keys (each rule: all keys equal, none null)."""
    total = 0
    for k in range(1, len(RULE_KEYS) + 1):
        for combo in itertools.combinations(RULE_KEYS, k):
            keys = sorted({c for rule in combo for c in rule})
            not_null = " and ".join(f"{c} is not null" for c in keys)
            n = con.execute(
                f"select coalesce(sum(n * (n - 1) / 2), 0)::hugeint from "
                f"(select count(*) n from contacts where {not_null} group by {', '.join(keys)})"
            ).fetchall()[0][0]
            total += (-1) ** (k + 1) * int(n)
    return total


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="folder written by `firmlink generate`")
    p.add_argument("--threshold", type=float, default=0.5, help="match probability for links and clusters")
    p.add_argument("--max-pairs", type=float, default=1e7, help="pairs sampled to estimate u")
    p.add_argument("--seed", type=int, default=None, help="seed for u sampling (slower when set)")
    p.add_argument("--email", choices=EMAIL_MODELS, default="exact", help="email comparison (see email_comparison)")
    p.add_argument("--em", choices=sorted(EM_RULES), default="email_namecompany", help="EM blocking rules (see EM_RULES)")
    p.add_argument("--output", type=Path, help="write the clusters (unique_id, cluster_id) to this Parquet file")
    p.add_argument("--no-eval", action="store_true", help="do not score against the truth (use with --output)")
    p.add_argument("--evaluate", type=Path, metavar="CLUSTERS", help="only score a clusters Parquet file")
    p.add_argument("--count-pairs", action="store_true", help="only count candidate pairs")
    p.add_argument("--dump", type=Path, help="write prepared rows, predictions, clusters, model here")
    p.add_argument("--verbose", action="store_true", help="show Splink's log")
    args = p.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO if args.verbose else logging.WARNING)
    logging.getLogger("splink").setLevel(logging.INFO if args.verbose else logging.WARNING)
    truth = args.data / "truth" / "contacts_truth.csv"
    con = duckdb.connect()

    if args.evaluate:
        print(json.dumps({"tool": "splink", **evaluate(con, f"read_parquet('{args.evaluate}')", truth)}))
        return 0

    t = time.perf_counter()
    info = prepare(con, args.data)
    load_s = time.perf_counter() - t

    if args.count_pairs:
        print(json.dumps({"candidate_pairs": count_candidate_pairs(con), "rows": info["rows_kept"]}))
        return 0

    clusters, timings = run_splink(con, args)
    if args.output:
        con.execute(f"copy (select unique_id, cluster_id from {clusters}) to '{args.output}' (format parquet)")
    seconds = time.perf_counter() - T_START  # imports, load, train, predict, cluster, write
    out = {
        "tool": "splink",
        "splink_version": splink.__version__,
        "duckdb_version": duckdb.__version__,
        "email_model": args.email,
        "em_rules": args.em,
        "seconds": seconds,
        "load_s": load_s,
        **timings,
        **info,
    }
    if not args.no_eval:
        scores = evaluate(con, clusters, truth)
        out.update(f1=scores["f1"], precision=scores["precision"], recall=scores["recall"])
        out.update(pairs=scores["predicted_pairs"], **scores)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
