"""Where things are and the limits that apply: one place for defaults.

Resources (ontology, data, queries) come from the checkout when ``kg`` runs
from one, and from the copies shipped inside the wheel otherwise.

>>> resources().ontology.name
'ontology'
>>> default_location().name
'kg'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_LOCATION = "KG_LOCATION"
DEFAULT_BIND = "127.0.0.1:7878"
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ROW_CAP = 10_000
MAX_BODY_BYTES = 1_000_000
QUERY_MEMORY_MB = 1024  # what one query may add to its worker's memory before it is stopped
MAX_QUERY_CHARS = 100_000
MAX_NESTING = 200
MAX_OPERATORS = 1_000  # operators, keywords and separators (each may deepen the query's tree)
ALLOWED_SERVICES = frozenset({"https://query.wikidata.org/sparql"})  # SERVICE targets allowed
REMOTE_TIMEOUT_S = 15.0  # connect/read timeout for remote SPARQL endpoints and imports
REMOTE_MAX_BYTES = 50_000_000  # largest answer read from a remote endpoint
IMPORT_MAX_BYTES = 200_000_000  # largest RDF file `kg import` fetches from a URL
# HermiT's runs are short: the client compiler alone starts faster and halves its CPU time
HERMIT_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# SHACL checks at once during a build (Oxigraph releases the GIL): the cores the build
# process and its writer leave (on 2 cores, 1: a second thread slowed the writer down)
BUILD_THREADS = max(1, (os.cpu_count() or 1) - 2)

_PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Resources:
    """Folders of the project's curated resources."""

    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def queries(self) -> Path:
        return self.root / "queries"


def resources() -> Resources:
    """The checkout's resource folders, or the wheel's shipped copies."""
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "ontology").is_dir():
        return Resources(checkout)
    return Resources(_PACKAGE_DIR / "_resources")


def default_location() -> Path:
    """The store folder: ``$KG_LOCATION`` or ``./var/kg``."""
    env = os.environ.get(ENV_LOCATION)
    return Path(env) if env else Path.cwd() / "var" / "kg"


def default_sources() -> list[Path]:
    """The ontology, shapes excluded, and every curated data file, in a stable order."""
    res = resources()
    onto = sorted(p for p in res.ontology.glob("*.ttl") if p.name != "shapes.ttl")
    return onto + sorted(res.data.glob("*.ttl"))


def shapes_path() -> Path:
    """The SHACL shapes file."""
    return resources().ontology / "shapes.ttl"
