"""OWL 2 reasoning with HermiT through owlready2.

HermiT knows only the OWL 2 datatype map: ``xsd:gYear``, ``xsd:gYearMonth``
and ``xsd:date`` literals reach it as ``xsd:string`` (values unchanged, so a
functional property with two different years is still caught).

>>> nt = b'<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/C> .\\n'
>>> reason_ntriples(nt)
[]
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from kg import settings
from kg.errors import InconsistencyError, KgError
from kg.vocab import OWL, XSD

_NAMES = ("gYear", "gYearMonth", "gMonthDay", "date", "gMonth", "gDay")
UNSUPPORTED_DATATYPES = frozenset(XSD[n].value for n in _NAMES)  # HermiT does not know them
_UNSUPPORTED = re.compile(
    rb"\^\^<" + re.escape(XSD.base.encode()) + rb"(?:" + "|".join(_NAMES).encode() + rb")>")
_STRING = f"^^<{XSD.string.value}>".encode()
_INFERRED_ONTOLOGY = "http://inferrences/"
_BORING = {OWL.Thing.value, OWL.NamedIndividual.value, OWL.Ontology.value}

Triple = tuple[str, str, str]


def reason_ntriples(data: bytes) -> list[Triple]:
    """Run HermiT on N-Triples; return the inferred IRI triples (s, p, o).

    Raises :class:`InconsistencyError` when HermiT finds the input inconsistent.
    The JVM gets ``settings.HERMIT_JAVA_OPTIONS`` unless ``JAVA_TOOL_OPTIONS`` is set.
    """
    import owlready2  # only when HermiT runs: a rebuild that reuses its judgement never does

    os.environ.setdefault("JAVA_TOOL_OPTIONS", settings.HERMIT_JAVA_OPTIONS)
    with tempfile.TemporaryDirectory(prefix="kg-hermit-") as tmp:
        path = Path(tmp) / "input.nt"
        path.write_bytes(_UNSUPPORTED.sub(_STRING, data))
        world = owlready2.World()
        try:
            world.get_ontology(path.as_uri()).load(format="ntriples")
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise InconsistencyError("HermiT found no model of the ontology and data") from None
        except owlready2.OwlReadyOntologyParsingError:  # owlready2 reads values as it parses
            raise InconsistencyError("the ontology and data cannot be read for HermiT: a "
                                     "literal is not a value of its datatype?") from None
        except owlready2.OwlReadyJavaError as exc:
            raise KgError(f"HermiT failed: {_java_message(exc)}") from None
        return _inferred(world)


def _inferred(world: Any) -> list[Triple]:
    onto = world.get_ontology(_INFERRED_ONTOLOGY)
    out: list[Triple] = []
    for s, p, o in onto.get_triples():
        if not isinstance(o, int):
            continue
        triple = (world._unabbreviate(s), world._unabbreviate(p), world._unabbreviate(o))
        if triple[2] in _BORING or not all(t.startswith("http") for t in triple):
            continue
        out.append(triple)
    return sorted(set(out))


def _java_message(exc: Exception) -> str:
    text = str(exc)
    for line in text.splitlines():
        if "Exception" in line:
            return line.strip()[:500]
    return text[:500]
