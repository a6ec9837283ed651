#!/usr/bin/env python3
"""Deduplicate firmlink's generated contact sources with Splink (DuckDB backend).

Reads crm_contacts.csv and marketing_leads.csv from a folder written by
`firmlink generate`, prepares them the way a careful Splink user would, trains
a Fellegi-Sunter model following Splink's documented workflow, predicts and
clusters at a match probability of 0.5, and scores the clusters pairwise
against truth/contacts_truth.csv (the entity is contact_entity_id).

Prints one JSON line on stdout; progress goes to stderr.

    python splink_contacts.py --data DIR                 # the benchmark run
    python splink_contacts.py --data DIR --count-pairs   # only count candidate pairs

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
import unicodedata
from pathlib import Path

T_START = time.perf_counter()

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402

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


def read_source(path: Path, delimiter: str, id_col: str) -> tuple[list[dict], dict]:
    """Rows of a CSV file as dicts keyed by header, and the drop counts by reason."""
    dropped = {"csv_error": 0, "field_count": 0, "invalid_utf8": 0, "missing_id": 0, "duplicate_id": 0}
    rows: list[dict] = []
    # surrogateescape keeps undecodable bytes as lone surrogates so the row can be
    # recognised and dropped instead of aborting the whole file.
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        header = next(reader)
        width = len(header)
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
            if any(SURROGATE.search(v) for v in row):
                dropped["invalid_utf8"] += 1
                continue
            rec = dict(zip(header, row))
            if not rec[id_col].strip():
                dropped["missing_id"] += 1
                continue
            rows.append(rec)
    # An id that occurs more than once cannot be a unique_id; which copy is the
    # genuine one is unknowable from the file, so every copy is dropped.
    counts: dict[str, int] = {}
    for rec in rows:
        counts[rec[id_col]] = counts.get(rec[id_col], 0) + 1
    kept = [rec for rec in rows if counts[rec[id_col]] == 1]
    dropped["duplicate_id"] = len(rows) - len(kept)
    return kept, dropped


# --------------------------------------------------------------------------
# Preparation
# --------------------------------------------------------------------------

NAME_NOISE = re.compile(r"[^a-z' -]")
SPACES = re.compile(r"\s+")
NAME_AFFIXES = {"mr", "mrs", "ms", "miss", "dr", "prof", "jr", "sr", "ii", "iii", "iv", "phd", "md"}


def fold(value: str | None) -> str:
    """Lowercase, strip accents, trim."""
    if not value:
        return ""
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return value.strip().lower()


def clean_name(value: str | None) -> str:
    value = NAME_NOISE.sub(" ", fold(value).replace(".", " "))
    return SPACES.sub(" ", value).strip()


def name_tokens(value: str) -> list[str]:
    return [t for t in clean_name(value).split(" ") if t and t not in NAME_AFFIXES]


def split_full_name(full: str) -> tuple[str, str]:
    """'Last, First' or 'First [M.] Last [Last]' -> (first, last).

    Without a comma the first token is the given name and the rest, minus
    single-letter initials, the surname: in the CRM export multi-word surnames
    ("Dos Santos", "Quiros Vigil") are more than twice as common as multi-word
    given names ("Kai Wen")."""
    if "," in full:
        last, _, first = full.partition(",")
        first_t, last_t = name_tokens(first), name_tokens(last)
        return (first_t[0] if first_t else ""), " ".join(last_t)
    tokens = name_tokens(full)
    if not tokens:
        return "", ""
    rest = [t for t in tokens[1:] if len(t) > 1]
    return tokens[0], " ".join(rest)


def first_given(value: str) -> str:
    tokens = name_tokens(value)
    return tokens[0] if tokens else ""


def clean_surname(value: str) -> str:
    return " ".join(name_tokens(value))


def clean_email(value: str | None) -> str:
    value = fold(value)
    return value if value.count("@") == 1 and "." in value.split("@")[1] else ""


EXTENSION = re.compile(r"(ext\.?|x|#|extension)\s*\d+\s*$")


def clean_phone(value: str | None) -> str:
    """Digits only, extension removed, keyed on the last 9 digits so that the same
    number written with or without country code / trunk 0 compares equal."""
    value = EXTENSION.sub("", fold(value))
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return ""
    return digits[-9:]


LEGAL_FORMS = {
    "inc", "incorporated", "llc", "ltd", "limited", "plc", "corp", "corporation", "co",
    "company", "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv",
    "ab", "as", "oy", "kk", "pty", "pvt", "llp", "lp", "sl", "slu", "sprl", "bvba",
    "kabushiki", "kaisha", "group", "holding", "holdings", "and", "the", "of", "e", "y",
    "hijos", "sons", "cie",
}
COMPANY_NOISE = re.compile(r"[^a-z0-9 ]")


def clean_company(value: str | None) -> str:
    value = fold(value)
    if not value:
        return ""
    if " " not in value and "." in value:  # a bare domain typed as company name
        value = re.sub(r"^(https?://)?(www\.)?", "", value).split("/")[0].split(".")[0]
    value = COMPANY_NOISE.sub(" ", value.replace("&", " and "))
    tokens = [t for t in value.split() if t not in LEGAL_FORMS]
    return " ".join(tokens)


# Every spelling of a country that occurs in the generated files (after fold()),
# mapped to ISO 3166-1 alpha-2: a careful user standardises the country before
# comparing it. Two-letter values not listed are taken as codes already.
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
}
COUNTRY_CODE = {spelling: code for code, spellings in COUNTRIES.items() for spelling in spellings}


def clean_country(value: str | None) -> str:
    value = fold(value)
    return COUNTRY_CODE.get(value, value.upper() if len(value) == 2 else "")


def null(value: str) -> str | None:
    return value or None


def prepare(data: Path) -> tuple[pa.Table, dict]:
    crm, crm_dropped = read_source(data / "crm_contacts.csv", ",", "Id")
    leads, lead_dropped = read_source(data / "marketing_leads.csv", ";", "lead_id")
    # CRM contacts carry only an Account Id: take the company name from the CRM
    # accounts export, as anyone deduplicating a CRM would.
    accounts, _ = read_source(data / "crm_accounts.csv", ",", "Id")
    account_name = {a["Id"]: a["Account Name"] for a in accounts}

    cols: dict[str, list] = {
        k: [] for k in ("unique_id", "first_name", "surname", "email", "email_domain", "phone", "company", "country")
    }

    def add(uid, first, last, email, phone, company, country):
        cols["unique_id"].append(uid)
        cols["first_name"].append(null(first))
        cols["surname"].append(null(last))
        cols["email"].append(null(email))
        cols["email_domain"].append(null(email.split("@")[1] if email else ""))
        cols["phone"].append(null(phone))
        cols["company"].append(null(company))
        cols["country"].append(null(country))

    for r in crm:
        add(
            f"crm_contacts:{r['Id']}",
            first_given(r["First Name"]),
            clean_surname(r["Last Name"]),
            clean_email(r["Email"]),
            clean_phone(r["Phone"]),
            clean_company(account_name.get(r["Account Id"], "")),
            clean_country(r["Mailing Country"]),
        )
    for r in leads:
        first, last = split_full_name(r["full_name"])
        add(
            f"marketing_leads:{r['lead_id']}",
            first,
            last,
            clean_email(r["email"]),
            clean_phone(r["phone"]),
            clean_company(r["company"]),
            clean_country(r["country"]),
        )
    info = {
        "rows_kept": len(cols["unique_id"]),
        "dropped": {"crm_contacts": crm_dropped, "marketing_leads": lead_dropped},
    }
    return pa.table(cols), info


# --------------------------------------------------------------------------
# The Splink model
# --------------------------------------------------------------------------

BLOCKING_RULES = [
    block_on("email"),
    block_on("phone"),
    block_on("first_name", "surname"),
    block_on("surname", "email_domain"),
]


EMAIL_MODELS = ("exact", "exact_lev1", "splink")


def email_comparison(model: str):
    """The email comparison.

    "splink" is Splink's out-of-the-box EmailComparison: exact email, exact
    username, Jaro-Winkler >= 0.88 on the email, on the username, else.
    "exact" keeps only the exact and near-exact (Levenshtein <= 1, typos) levels:
    a B2B username is built from the person's name, so the username and fuzzy
    email levels re-count the name evidence (Fellegi-Sunter assumes comparisons
    independent given match status) and pull namesakes together."""
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
        comparison_description="exact or one-edit email",
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


def run_splink(con: duckdb.DuckDBPyConnection, table: pa.Table, args) -> tuple[str, dict]:
    """Train, predict, cluster; returns the name of the cluster table and timings."""
    timings = {}
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(table, dataset_display_name="contacts")
    linker = Linker(sdf, settings(args.email), log_level=logging.INFO if args.verbose else logging.WARNING)

    t = time.perf_counter()
    # Prior: deterministic rules that admit almost no false positives, with the
    # recall Splink's tutorials use as a starting point.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email", "surname"), block_on("phone", "first_name", "surname")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=args.max_pairs, seed=args.seed)
    # m by EM on two blocking rules, so every comparison is estimated at least once.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("email"), estimate_without_term_frequencies=True
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
    timings["links_above_threshold"] = con.execute(f"select count(*) from {predictions.physical_name}").fetchone()[0]
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
    tp = con.execute(f"select {pairs} from (select count(*) n from eval_rows group by cluster_id, entity)").fetchone()[0]
    predicted = con.execute(f"select {pairs} from (select count(*) n from eval_rows group by cluster_id)").fetchone()[0]
    actual = con.execute(f"select {pairs} from (select count(*) n from eval_rows group by entity)").fetchone()[0]
    rows_in_truth = con.execute("select count(*) from eval_rows").fetchone()[0]
    rows_clustered = con.execute(f"select count(*) from {clusters}").fetchone()[0]
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


RULE_KEYS = [["email"], ["phone"], ["first_name", "surname"], ["surname", "email_domain"]]


def count_candidate_pairs(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    """Distinct pairs generated by the union of the blocking rules, exactly, by
    inclusion-exclusion over equi-join keys (each rule: all keys equal, none null)."""
    con.register("prepared", table)
    total = 0
    for k in range(1, len(RULE_KEYS) + 1):
        for combo in itertools.combinations(RULE_KEYS, k):
            keys = sorted({c for rule in combo for c in rule})
            not_null = " and ".join(f"{c} is not null" for c in keys)
            n = con.execute(
                f"select coalesce(sum(n * (n - 1) / 2), 0)::hugeint from "
                f"(select count(*) n from prepared where {not_null} group by {', '.join(keys)})"
            ).fetchone()[0]
            total += (-1) ** (k + 1) * int(n)
    return total


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="folder written by `firmlink generate`")
    p.add_argument("--threshold", type=float, default=0.5, help="match probability for links and clusters")
    p.add_argument("--max-pairs", type=float, default=1e7, help="pairs sampled to estimate u")
    p.add_argument("--seed", type=int, default=None, help="seed for u sampling (slower when set)")
    p.add_argument("--email", choices=EMAIL_MODELS, default="exact", help="email comparison (see email_comparison)")
    p.add_argument("--count-pairs", action="store_true", help="only count candidate pairs and exit")
    p.add_argument("--verbose", action="store_true", help="show Splink's log")
    args = p.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO if args.verbose else logging.WARNING)
    logging.getLogger("splink").setLevel(logging.INFO if args.verbose else logging.WARNING)

    con = duckdb.connect()
    t = time.perf_counter()
    table, info = prepare(args.data)
    load_s = time.perf_counter() - t

    if args.count_pairs:
        print(json.dumps({"candidate_pairs": count_candidate_pairs(con, table), "rows": info["rows_kept"]}))
        return 0

    clusters, timings = run_splink(con, table, args)
    seconds = time.perf_counter() - T_START  # imports + load + train + predict + cluster
    scores = evaluate(con, clusters, args.data / "truth" / "contacts_truth.csv")
    out = {
        "tool": "splink",
        "splink_version": splink.__version__,
        "email_model": args.email,
        "duckdb_version": duckdb.__version__,
        "f1": scores["f1"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "pairs": scores["predicted_pairs"],
        "seconds": seconds,
        "load_s": load_s,
        **timings,
        **scores,
        **info,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
