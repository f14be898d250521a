"""Realistic synthetic graphs with the project's ontology, for benchmarks.

Every province and prefecture-level city of China (names and codes from the
administrative-division table shipped by the PyPI package ``cpca``) gets plans;
each plan gets sector links, targets of all three kinds and actions, with
labels, provenance and quotes as the curated data have them.

    python bench/synth.py --triples 1000000 --output bench/out/synth-1m.nt
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

ID = "https://w3id.org/future-industries/id/"
FI = "https://w3id.org/future-industries/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
QUDT = "http://qudt.org/schema/qudt/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SOURCE = ID + "source/synthetic"
DOMAINS = ["information", "manufacturing", "materials", "energy", "space", "health"]
PLAN_KINDS = ["DevelopmentPlan", "ActionPlan", "ImplementationPlan", "GuidingOpinion"]
TREATMENTS = ["priority", "exploratory", "expansion-stage", "incubation-stage", "breakthrough"]
TRIPLES_PER_PLAN = 149  # what :func:`plan` writes for one plan


def divisions() -> list[tuple[str, str, str]]:
    """(code, zh name, kind) of provinces and prefecture-level cities."""
    text = resources.files("cpca").joinpath("resources/adcodes.csv").read_text("utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        code = row["adcode"][:6]
        if code.endswith("0000"):
            out.append((code, row["name"], "Province"))
        elif code.endswith("00"):
            out.append((code, row["name"], "City"))
    return sorted(set(out))


def iri(path: str) -> str:
    return f"<{ID}{path}>"


def lit(text: str, lang: str | None = None, dtype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{dtype}>' if dtype else f'"{escaped}"'


def t(s: str, p: str, o: str) -> str:
    return f"{s} <{p}> {o} .\n"


def labelled(s: str, zh: str, en: str) -> Iterator[str]:
    yield t(s, RDFS + "label", lit(zh, "zh"))
    yield t(s, RDFS + "label", lit(en, "en"))


def provenance(s: str, quote: str) -> Iterator[str]:
    yield t(s, PROV + "wasDerivedFrom", f"<{SOURCE}>")
    yield t(s, FI + "sourceQuote", lit(quote, "zh"))


def frame() -> Iterator[str]:
    """The source, the country, the sector scheme and its six domains."""
    src = f"<{SOURCE}>"
    yield t(src, RDF_TYPE, f"<{FI}Source>")
    yield from labelled(src, "合成数据", "synthetic data")
    yield t(src, DCT + "title", lit("合成数据", "zh"))
    yield t(src, DCT + "creator", lit("bench/synth.py"))
    china = iri("region/china")
    yield t(china, RDF_TYPE, f"<{FI}Country>")
    yield from labelled(china, "中国", "China")
    scheme = iri("scheme/sectors")
    yield t(scheme, RDF_TYPE, f"<{SKOS}ConceptScheme>")
    for name in DOMAINS:
        d = iri(f"sector/future-{name}")
        yield t(d, RDF_TYPE, f"<{FI}Domain>")
        yield t(d, SKOS + "inScheme", scheme)
        yield t(d, SKOS + "topConceptOf", scheme)
        yield t(d, SKOS + "prefLabel", lit(f"未来{name}", "zh"))
        yield t(d, SKOS + "prefLabel", lit(f"future {name}", "en"))
        yield from labelled(d, f"未来{name}", f"future {name}")


def sectors(n: int) -> Iterator[str]:
    scheme = iri("scheme/sectors")
    for i in range(n):
        s = iri(f"sector/synthetic-{i}")
        yield t(s, RDF_TYPE, f"<{FI}Sector>")
        yield t(s, SKOS + "inScheme", scheme)
        yield t(s, SKOS + "prefLabel", lit(f"合成领域{i}", "zh"))
        yield t(s, SKOS + "prefLabel", lit(f"synthetic field {i}", "en"))
        yield from labelled(s, f"合成领域{i}", f"synthetic field {i}")
        yield t(s, SKOS + "broader", iri(f"sector/future-{DOMAINS[i % 6]}"))


def region(code: str, name: str, kind: str) -> Iterator[str]:
    r = iri(f"region/cn-{code}")
    yield t(r, RDF_TYPE, f"<{FI}{kind}>")
    yield from labelled(r, name, f"region {code}")
    yield t(r, FI + "partOf", iri("region/china") if kind == "Province" else iri(f"region/cn-{code[:2]}0000"))


def plan(rng: random.Random, code: str, name: str, n: int, n_sectors: int) -> Iterator[str]:
    slug = f"cn-{code}-{n}"
    p = iri(f"plan/{slug}")
    year = rng.randint(2019, 2025)
    yield t(p, RDF_TYPE, f"<{FI}{rng.choice(PLAN_KINDS)}>")
    yield t(p, DCT + "title", lit(f"{name}未来产业发展规划（第{n}号）", "zh"))
    yield t(p, DCT + "title", lit(f"Future industry plan no. {n} of {code}", "en"))
    yield from labelled(p, f"{name}未来产业规划{n}", f"plan {slug}")
    yield t(p, FI + "forRegion", iri(f"region/cn-{code}"))
    yield t(p, FI + "issuedBy", iri(f"region/cn-{code}"))
    yield t(p, FI + "dateIssued", lit(f"{year}-{rng.randint(1, 12):02d}", dtype=XSD + "gYearMonth"))
    yield from provenance(p, f"{name}印发了规划")
    for k in range(8):
        yield from link(rng, p, slug, k, n_sectors)
    for k in range(3):
        yield from target(rng, p, slug, k, year)
    for k in range(5):
        yield from action(p, slug, k)


def link(rng: random.Random, p: str, slug: str, k: int, n_sectors: int) -> Iterator[str]:
    lk = iri(f"sector-link/{slug}/{k}")
    sector = rng.randrange(n_sectors)
    yield t(lk, RDF_TYPE, f"<{FI}SectorLink>")
    yield t(p, FI + "hasSectorLink", lk)
    yield t(lk, FI + "linkedSector", iri(f"sector/synthetic-{sector}"))
    yield t(lk, FI + "treatment", iri(f"treatment/{rng.choice(TREATMENTS)}"))
    yield t(lk, FI + "wording", lit(f"合成领域{sector}", "zh"))
    yield from labelled(lk, f"规划{slug}—领域{sector}", f"{slug} on field {sector}")
    yield from provenance(lk, f"发展合成领域{sector}")


def target(rng: random.Random, p: str, slug: str, k: int, year: int) -> Iterator[str]:
    tg = iri(f"target/{slug}/{k}")
    yield t(p, FI + "hasTarget", tg)
    yield t(tg, FI + "targetYear", lit(str(year + rng.choice([2, 5, 10])), dtype=XSD + "gYear"))
    yield from labelled(tg, f"目标{slug}-{k}", f"target {slug}-{k}")
    yield from provenance(tg, "力争到2025年")
    if k == 0:
        amount = iri(f"amount/{slug}/{k}")
        yi = rng.randint(1, 90) * 100
        yield t(tg, RDF_TYPE, f"<{FI}MonetaryTarget>")
        yield t(tg, FI + "amount", amount)
        yield t(amount, RDF_TYPE, f"<{QUDT}QuantityValue>")
        yield from labelled(amount, f"{yi}亿元", f"{yi} hundred million yuan")
        yield t(amount, QUDT + "numericValue", lit(f"{yi * 10**8}", dtype=XSD + "decimal"))
        yield t(amount, QUDT + "unit", "<http://qudt.org/vocab/unit/CCY_CNY>")
        yield t(amount, FI + "originalWording", lit(f"{yi}亿元", "zh"))
        yield t(tg, FI + "originalWording", lit(f"产值达到{yi}亿元", "zh"))
    elif k == 1:
        yield t(tg, RDF_TYPE, f"<{FI}CountTarget>")
        yield t(tg, FI + "count", lit(str(rng.randint(1, 20)), dtype=XSD + "integer"))
        yield t(tg, FI + "countedThing", lit("产业集群", "zh"))
    else:
        yield t(tg, RDF_TYPE, f"<{FI}QualitativeTarget>")
        yield t(tg, FI + "originalWording", lit("形成一批创新成果", "zh"))


def action(p: str, slug: str, k: int) -> Iterator[str]:
    a = iri(f"action/{slug}/{k}")
    yield t(a, RDF_TYPE, f"<{FI}Action>")
    yield t(p, FI + "hasAction", a)
    yield t(a, FI + "actionKind", lit("action"))
    yield from labelled(a, f"行动{k}", f"action {k} of {slug}")
    yield from provenance(a, f"实施行动{k}")


def generate(triples: int, seed: int = 7) -> Iterator[str]:
    """N-Triples lines, about ``triples`` of them."""
    rng = random.Random(seed)
    regions = divisions()
    yield from frame()
    yield from sectors(120)
    for code, name, kind in regions:
        yield from region(code, name, kind)
    plans = max(1, triples // TRIPLES_PER_PLAN)
    for n in range(plans):
        code, name, _ = regions[n % len(regions)]
        yield from plan(rng, code, name, n, 120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=100_000)
    ap.add_argument("--output", type=Path, required=True)
    args = ap.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as fh:
        n = sum(fh.write(line) and 1 for line in generate(args.triples))
    print(f"{args.output}: {n} triples")


if __name__ == "__main__":
    main()
