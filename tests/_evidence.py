"""The evidence graph as the shared contract describes it (docs/queries-format.md,
"Evidence"), made here from a built store and the source's text, for tests that must run
before `kg build` makes it itself: every ``fi:sourceQuote`` located in the text of the
source it cites, one W3C Web Annotation per located quote, in ``…/graph/evidence``; and
the source's text file registered in the data (:data:`kg.vocab.SOURCE_TEXT`).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.store import Build
from kg.vocab import (
    EVIDENCE_BASE,
    EVIDENCE_GRAPH,
    FI,
    ID_BASE,
    OA,
    PROV,
    RDF,
    SOURCE_TEXT,
    XSD,
    graph_for,
)

SEED = Path("/work/shared/seed/future-industries-article.zh.txt")
ARTICLE = ID_BASE + "source/article"
AFFIX = 32  # characters of prefix and suffix


def annotations(store: Store, texts: dict[str, str]) -> list[Quad]:
    """One annotation per (fact, quote) whose source's text is known (``texts``: by source
    IRI), at the quote's first occurrence in that text."""
    g = NamedNode(EVIDENCE_GRAPH)
    out: list[Quad] = []
    for q in store.quads_for_pattern(None, FI.sourceQuote, None, None):
        fact, exact = q.subject, q.object.value
        for d in store.quads_for_pattern(fact, PROV.wasDerivedFrom, None, None):
            text = texts.get(d.object.value)
            if text is None or exact not in text:
                continue
            start = text.index(exact)
            end = start + len(exact)
            digest = hashlib.sha256(f"{fact.value}\n{exact}".encode()).hexdigest()[:16]
            ann = NamedNode(EVIDENCE_BASE + digest)
            tgt, quote, pos = (NamedNode(f"{ann.value}#{n}") for n in ("target", "quote",
                                                                      "position"))
            zh = {"language": "zh"}
            triples = [
                (ann, RDF.type, OA.Annotation), (ann, OA.motivatedBy, OA.describing),
                (ann, OA.hasBody, fact), (ann, OA.hasTarget, tgt),
                (tgt, RDF.type, OA.SpecificResource), (tgt, OA.hasSource, d.object),
                (tgt, OA.hasSelector, quote), (tgt, OA.hasSelector, pos),
                (quote, RDF.type, OA.TextQuoteSelector), (quote, OA.exact, Literal(exact, **zh)),
                (quote, OA.prefix, Literal(text[max(0, start - AFFIX):start], **zh)),
                (quote, OA.suffix, Literal(text[end:end + AFFIX], **zh)),
                (pos, RDF.type, OA.TextPositionSelector),
                (pos, OA.start, Literal(str(start), datatype=XSD.nonNegativeInteger)),
                (pos, OA.end, Literal(str(end), datatype=XSD.nonNegativeInteger)),
            ]
            out += [Quad(s, p, o, g) for s, p, o in triples]
    return sorted(set(out), key=str)


def annotate(build: Build, folder: Path) -> Path:
    """Give a build (a copy: it is written) the evidence graph and register the article's
    text, copied into ``folder``; the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    text_path = folder / "article.zh.txt"
    shutil.copyfile(SEED, text_path)
    text = text_path.read_text("utf-8")
    store = Store(str(build.path / "store"))
    store.extend(annotations(store, {ARTICLE: text}))
    store.add(Quad(NamedNode(ARTICLE), SOURCE_TEXT, Literal(str(text_path)),
                   graph_for("data/source")))
    store.flush()
    del store
    return text_path
