"""Federated questions: the load-time check of their SERVICE targets.

A question whose SPARQL has a ``SERVICE`` block is *federated*: it is tagged
``federated``, and each target is either an IRI on the allow-list
(:data:`kg.settings.ALLOWED_SERVICES`) or a parameter of type ``iri`` whose
default is on it. The catalogue never runs such a question itself:
:func:`kg.remote.federation.run` answers the SERVICE blocks (with a timeout) and the
rest runs locally; the target a caller names must still be on the allow-list
of the process that runs it.

>>> import tempfile, pathlib
>>> from kg.catalogue.query import StoredQuery
>>> path = pathlib.Path(tempfile.mkdtemp()) / "far.rq"
>>> _ = path.write_text('''# title@en: Far
... # title@zh: 远
... # description@en: Asks elsewhere.
... # tags: federated
... # view: table
... SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }
... ''')
>>> check_services(StoredQuery.from_file(path))
Traceback (most recent call last):
  ...
kg.errors.CatalogueError: ...far.rq: SERVICE <http://10.0.0.1/sparql> is not on the allow-list ...
"""

from __future__ import annotations

from kg import settings
from kg.catalogue.query import StoredQuery
from kg.errors import CatalogueError

FEDERATED_TAG = "federated"


def service_params(query: StoredQuery) -> frozenset[str]:
    """The names of the parameters that name a SERVICE target (``SERVICE ?service``)."""
    return frozenset(t[1:] for t in query.services if t[:1] in "?$")


def check_services(query: StoredQuery,
                   allowed: frozenset[str] = settings.ALLOWED_SERVICES) -> None:
    """CatalogueError unless the tag and every SERVICE target follow the rules above."""
    tagged = FEDERATED_TAG in query.tags
    if tagged != query.federated:
        problem = "has no SERVICE block" if tagged else "has SERVICE blocks"
        raise _error(query, f"it {problem}: tag it '{FEDERATED_TAG}' exactly when it does")
    shown = ", ".join(sorted(allowed)) or "none"
    for target in query.services:
        if target[:1] in "?$":
            _check_param(query, target, allowed, shown)
        elif target not in allowed:
            raise _error(query, f"SERVICE <{target}> is not on the allow-list ({shown})")


def _check_param(query: StoredQuery, target: str, allowed: frozenset[str], shown: str) -> None:
    param = query.param(target[1:])
    if param is None or param.type != "iri":
        raise _error(query, f"SERVICE {target} must be a declared parameter of type iri")
    if param.default is not None and param.default not in allowed:
        raise _error(query, f"SERVICE {target}: default {param.default} is not on the "
                            f"allow-list ({shown})")


def _error(query: StoredQuery, message: str) -> CatalogueError:
    return CatalogueError(str(query.path), None, message)
