"""The question catalogue: packaged SPARQL queries with typed parameters.

One ``queries/NAME.rq`` file per question, each with a header (docs/queries-format.md).
The CLI (``kg queries``, ``kg query``), the HTTP API and the web UI all serve it.

>>> from pyoxigraph import Store
>>> cat = Catalogue.load()
>>> len(cat) >= 15
True
>>> cat.get("region-sectors").title["en"]
'Sectors of a region and how its plans treat them'
>>> answer(Store(), "region-sectors", {"region": "atlantis"})
Traceback (most recent call last):
  ...
kg.errors.UsageError: parameter 'region': unknown region 'atlantis'; the graph has none
"""

from kg.catalogue.answer import answer
from kg.catalogue.paging import Page, Paged
from kg.catalogue.params import PARAM_TYPES, Param
from kg.catalogue.query import VIEWS, StoredQuery
from kg.catalogue.registry import Catalogue, default_catalogue
from kg.catalogue.values import allowed
from kg.settings import DEFAULT_PAGE_SIZE

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "PARAM_TYPES",
    "VIEWS",
    "Catalogue",
    "Page",
    "Paged",
    "Param",
    "StoredQuery",
    "allowed",
    "answer",
    "default_catalogue",
]
