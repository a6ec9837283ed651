# Regenerates names.tsv: pip download --no-deps faker==40.54.0 -d /tmp/fk && cd /tmp/fk && unzip -q faker-*.whl
# then: PYTHONPATH=/tmp/fk python3 extract_faker_names.py > names.tsv
# Extract person name lists from Faker (MIT) into firmlink-synth's data/names.tsv.
import importlib, re, sys
OK = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿĀ-ž'\-]+( [A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿĀ-ž'\-]+)?$")
LOCALES = ['en_US','en_GB','en_IE','en_NZ','en_IN','de_DE','de_AT','de_CH','fr_FR','nl_NL','nl_BE','es_ES','it_IT','sv_SE','da_DK','pl_PL','pt_BR']
out = []
def emit(loc, kind, seq):
    seen = set()
    if isinstance(seq, dict):
        items = list(seq.items())
    else:
        items = [(x, None) for x in seq]
    for name, w in items:
        name = name.strip()
        if name in seen or not OK.match(name):
            continue
        if kind == 'l' and ' ' in name and loc.startswith(('nl', 'de')):
            continue  # genealogy entries; particles are generated in code
        seen.add(name)
        weight = max(1, round(w * 1_000_000)) if w is not None else 1
        out.append(f"{loc}\t{kind}\t{name}\t{weight}")
for loc in LOCALES:
    P = importlib.import_module('faker.providers.person.' + loc).Provider
    emit(loc, 'f', P.first_names_female)
    emit(loc, 'm', P.first_names_male)
    if loc == 'pl_PL':
        emit(loc, 'l', list(P.male_last_names) + list(P.unisex_last_names))
    else:
        emit(loc, 'l', P.last_names)
P = importlib.import_module('faker.providers.person.ja_JP').Provider
emit('ja_JP', 'f', P.first_romanized_names_female)
emit('ja_JP', 'm', P.first_romanized_names_male)
emit('ja_JP', 'l', P.last_romanized_names)
P = importlib.import_module('faker.providers.person.zh_CN').Provider
emit('zh_CN', 'l', P.last_romanized_names)
print("locale\tkind\tname\tweight")
print("\n".join(out))
