"""Loading sources into an Oxigraph store, with syntax errors located.

>>> import tempfile, pathlib
>>> from pyoxigraph import Store, Variable
>>> p = pathlib.Path(tempfile.mkdtemp()) / "bad.ttl"
>>> _ = p.write_text('<http://e/a> <http://e/b> "oops .\\n')
>>> from kg.build.sources import make_source
>>> load_source(Store(), make_source(p))
Traceback (most recent call last):
  ...
kg.errors.ParseError: /.../bad.ttl:1:27: Parser error: Unexpected end of file
"""

from __future__ import annotations

import re

from pyoxigraph import Store, Variable

from kg.build.sources import Source
from kg.errors import ParseError

_POSITION = re.compile(
    r"^Parser error (?:at|between) line \d+ column \d+(?: and line \d+ column \d+)?: "
)


_BOM = b"\xef\xbb\xbf"


def load_source(store: Store, source: Source, bulk: bool = True) -> int:
    """Load one source into its named graph; return its triple count.

    ``bulk`` for an on-disk store (Oxigraph's bulk loader writes the indexes directly);
    an in-memory store takes a plain load at the same speed and with less memory (the bulk
    loader's buffers peak at about half the loaded store again).
    """
    loader = store.bulk_load if bulk else store.load
    try:
        loader(path=str(source.path), format=source.format, to_graph=source.graph)
    except SyntaxError as exc:
        raise _located(source, exc) from None
    except ValueError as exc:
        raise ParseError(str(source.path), None, None, str(exc)) from None
    return count_graph(store, source)


def count_graph(store: Store, source: Source) -> int:
    """Triples in the source's graph."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = store.query(query, substitutions={Variable("g"): source.graph})
    for row in rows:  # type: ignore[union-attr]
        return int(row["n"].value)
    return 0


def _located(source: Source, exc: SyntaxError) -> ParseError:
    with source.path.open("rb") as fh:
        bom = fh.read(3) == _BOM
    if exc.lineno == 1 and bom:
        return ParseError(str(source.path), 1, 1, "the file starts with a byte-order mark "
                          "(U+FEFF), which RDF syntaxes do not allow: save it as UTF-8 without one")
    message = _POSITION.sub("", exc.msg or str(exc))
    return ParseError(str(source.path), exc.lineno, exc.offset, f"Parser error: {message}")
