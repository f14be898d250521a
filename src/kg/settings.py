"""Where things are and the limits that apply: one place for defaults and limits.

``kg`` works on a *project*: the folder holding a project file (``kg.toml``), found
upward from the current folder, or the folder ``$KG_PROJECT`` names (``kg --project
DIR`` sets it, so that child processes see the same project). The project file says
where its ontology, shapes, data, queries and sources are, and where its store goes.
The builder's own ontology (what ``owl:imports`` of our ontology IRI resolves to) comes
from the checkout when ``kg`` runs from one, and from the copy shipped inside the wheel
otherwise.

>>> resources().ontology.name
'ontology'
>>> default_location().name
'kg'
>>> builtin().ontology.name
'ontology'
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import NotFoundError, ProjectError

ENV_LOCATION = "KG_LOCATION"
ENV_PROJECT = "KG_PROJECT"  # the project folder (kg --project DIR)
PROJECT_FILE = "kg.toml"
LANGS = ("zh", "en")  # the languages of labels, titles and the interface
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
# `kg push`: N-Triples per request (Virtuoso: 8 MB load 2.6x faster per triple than 0.9 MB;
# a server with a lower body cap, kg serve's 1 MB, answers 413 and gets halves), requests
# at a time
PUSH_CHUNK_BYTES = 8_000_000
PUSH_SENDERS = 2
PUSH_SOURCE_FILES = True  # `kg push`: a graph that is one N-Triples file sent from that file
PUSH_SWITCH_TIMEOUT_S = 600.0  # `kg push`: the switch request (Virtuoso moves row by row)
# pyoxigraph parses and evaluates a query's tree recursively; kg.sparql.guard keeps trees
# shallow, and a worker's stack (reserved, touched only as deep as a query goes) leaves a
# wide margin for whatever the guard's count misses: a stack overflow would kill it.
STACK_BYTES = 256 * 1024 * 1024
# Builds up to this size are copied into each reader's memory (2-3x faster queries). The
# copy reads every quad from disk, ~80k quads/s here (1.5M quads: 19 s per worker start,
# build switch or replaced worker), so larger builds are read from the compacted store.
IN_MEMORY_MAX_QUADS = 100_000
BACKEND_GRACE_S = 1.0  # a backend's own HTTP timeout exceeds the request's limit by this
HEALTH_TIMEOUT_S = 2.0  # /health's question to a backend
UI_PAGE_SIZE = 500  # rows a question's page asks for: its charts want the whole picture
FEDERATED_SHARE = 0.8  # of a request's time limit, for the SERVICE requests of a question
DUMP_TIMEOUT_S = 300.0  # making one dump file
DIFF_TIMEOUT_S = 120.0  # /releases/diff: comparing two builds (in a worker, then stopped)
MEMO_ENTRIES = 64  # small per-build facts a server keeps (VoID figures, choices)
FIGURE_ROWS = 10_000_000  # rows of one VoID figure query (classes, links)
GRAPH_CAP = 1_000_000  # triples in one Graph Store Protocol GET
NEIGHBOURHOOD_QUADS = 50_000  # quads fetched from a backend for one entity page
ONTOLOGY_QUADS = 200_000  # quads fetched from a backend for the ontology page
# HermiT's runs are short: the client compiler alone starts faster and halves its CPU time
HERMIT_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# SHACL checks at once during a build (Oxigraph releases the GIL): the cores the build
# process and its writer leave (on 2 cores, 1: a second thread slowed the writer down)
BUILD_THREADS = max(1, (os.cpu_count() or 1) - 2)

# Limits and tuning, by the module that applies them
# kg/engine/pool.py
NICE_AFTER_S = 1.0  # a query running longer is reniced (and its worker moved out or retired)
ADHOC_LONG_AFTER_S = 0.25  # the same for ad-hoc queries (/sparql), sooner: a runaway sent
#                            again and again holds a pool worker at full priority this long
WORKER_NICENESS = 19
WORKER_POLL_S = 0.05  # how often a busy worker's memory is read
# Workers ad-hoc work (/sparql, Graph Store reads, dumps) may never hold: kept for packaged
# questions, entity pages and the UI's data (at most workers - 1; kg serve --reserved-workers)
RESERVED_WORKERS = 1
# Long queries (past NICE_AFTER_S or ADHOC_LONG_AFTER_S) that leave the pool at once, a fresh
# worker taking each one's place; past this many a long query keeps its worker (kg serve
# --long-queries). Each is one more process that may grow by QUERY_MEMORY_MB.
MAX_LONG_QUERIES = 2
WARM_UP_TIMEOUT_S = 120.0  # a replacement worker opening the latest build before it serves
# kg/engine/worker.py
# how long a reader keeps trying to open a build's store while a write is being closed (on a
# busy machine the 0.6 s it had was seen to run out: a read right after an update got a 503)
STORE_OPEN_WAIT_S = 10.0
# Query workers and the writer start in a network namespace of their own, with no network at
# all (Linux, as root or with unprivileged user namespaces; elsewhere they run without, and
# the server says so in its log and /health). kg serve --worker-network turns it off.
ISOLATE_WORKERS = True
# kg/engine/config.py
CACHE_ENTRIES = 2048
CACHE_BYTES = 64 * 1024 * 1024
REMOTE_TTL_S = 10.0
# kg/engine/describe.py
PAGE_TRIPLES = 2_000  # per direction, per page
# kg/catalogue/evidence.py
EVIDENCE_PER_ROW = 100  # facts shown behind one row of an answer (counts may rest on more)
SOURCE_TEXT_CHARS = 2_000_000  # the longest source text a reader page shows
# kg/http/respond.py
MAX_REQUESTED_TIMEOUT = 1e6  # seconds; a request may only lower the server's own limit
BODY_TIMEOUT_S = 60.0  # to send a whole request body (at most MAX_BODY_BYTES); then 408
# kg/http/server.py, kg/cli/serve.py: connections (uvicorn)
HEADER_TIMEOUT_S = 10.0  # to send a request's line and headers, from connecting or the last
#                          answer on the connection, however slowly the bytes come; then 408
KEEP_ALIVE_S = 10  # an idle kept-alive connection is closed after this (whole seconds): past
#                   the idle time after which clients stop reusing one (httpx: 5 s), else a
#                   request may meet its connection being closed (HEADER_TIMEOUT_S bounds it)
MAX_HEADER_BYTES = 64 * 1024  # a request's line and headers; more: 431
MAX_CONNECTIONS = 1000  # open connections (and requests in progress); past it uvicorn answers
#                         503 at once. Keep it below the open-files limit (ulimit -n)
# kg/http/openapi.py
OPENAPI_MAX_ENUM = 1000  # above this many regions or sectors, a pattern stands in for the list
# kg/build/shacl_run.py
SHACL_MAX_RESULTS = 1000  # violations kept per check
# kg/build/writer.py
WRITER_CLOSE_TIMEOUT_S = 3600.0
WRITER_PART_BYTES = 64 * 1024 * 1024  # the build's writer bulk-loads big N-Triples in pieces
# kg/build/reuse.py: what a build's fingerprint covers besides its sources (in the project's
# root), and how many HermiT judgements are kept per location
INPUT_FOLDERS = ("ontology", "data", "queries", "sources")
INPUT_FILES = ("kg.toml",)
HERMIT_CACHE_ENTRIES = 8
# kg/build/pipeline.py
HERMIT_MAX_TRIPLES = 60_000  # above this, HermiT sees the ontology and curated files only
# Sources up to this size (all files) reach the on-disk store in one load once the build is
# done (a load costs a few synced files, ~0.1 s on a busy disk); larger ones while it runs
WRITE_AT_END_BYTES = 20_000_000
SHACL_MAX_TRIPLES = 50_000  # above this, the shapes run as SPARQL inside Oxigraph
# kg/catalogue/paging.py, values.py
DEFAULT_PAGE_SIZE = 100  # rows of a question's page
PAGE_TOKEN_MAX_CHARS = 4_000  # a page key (`after=`): a few ORDER BY values, base64
MAX_STRING_CHARS = 10_000
MAX_IRI_CHARS = 2_000
MAX_LISTED_VALUES = 100
INCOMING_LISTED = 12  # an entity page lists this many links of one kind, else counts them
MAX_LIST_ITEMS = 20  # values of one list parameter (regions-targeting-sectors: sectors)
MAX_CHOICES = 1_000_000  # regions or sectors read from a graph
# kg/store.py
KEEP_BUILDS = 2  # finished builds kept besides the current one and those a release names
# kg/http/releases.py
DIFF_PAGE_ENTITIES = 500  # entities a diff's page shows (its Markdown and TriG: all)
# kg/gen/w3id.py: where w3id.org sends https://w3id.org/future-industries/… (a placeholder:
# regenerate w3id/.htaccess with the public host of `kg serve` before the pull request)
W3ID_TARGET = "https://future-industries.example.org"

_PACKAGE_DIR = Path(__file__).resolve().parent
_FOLDERS = {"ontology": "ontology", "shapes": "ontology/shapes.ttl", "data": "data",
            "queries": "queries", "sources": "sources", "store": "var/kg"}


@dataclass(frozen=True)
class Resources:
    """Folders of curated resources (a project's, or the builder's own ontology)."""

    root: Path
    folders: dict[str, str] = field(default_factory=lambda: dict(_FOLDERS))

    def _path(self, key: str) -> Path:
        return self.root / self.folders.get(key, _FOLDERS[key])

    @property
    def ontology(self) -> Path:
        return self._path("ontology")

    @property
    def shapes(self) -> Path:
        return self._path("shapes")

    @property
    def data(self) -> Path:
        return self._path("data")

    @property
    def queries(self) -> Path:
        return self._path("queries")

    @property
    def sources(self) -> Path:
        return self._path("sources")

    @property
    def store(self) -> Path:
        return self._path("store")


@dataclass(frozen=True)
class Project(Resources):
    """A project: its folder and what its ``kg.toml`` says.

    >>> p = resources()
    >>> p.name, p.base, p.languages
    ('future-industries', 'https://w3id.org/future-industries/', ('zh', 'en'))
    >>> p.title["en"]
    'Future industries knowledge graph'
    """

    name: str = ""
    title: dict[str, str] = field(default_factory=dict)
    base: str = ""
    licence: str = ""
    languages: tuple[str, ...] = LANGS
    description: dict[str, str] = field(default_factory=dict)  # by language
    publisher: str = ""  # who publishes the dataset (a name)
    licence_name: str = ""  # the licence as people name it ("CC BY 4.0")

    @property
    def file(self) -> Path:
        return self.root / PROJECT_FILE


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a ``kg.toml``, if any.

    >>> find_project(Path("/")) is None
    True
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def project() -> Project:
    """The project ``kg`` works on: ``$KG_PROJECT``, else the nearest ``kg.toml`` upward
    from the current folder; :class:`NotFoundError` (saying how to make one) if none."""
    named = os.environ.get(ENV_PROJECT)
    if named:
        root = Path(named).resolve()
        if not (root / PROJECT_FILE).is_file():
            raise NotFoundError(f"{root}: no {PROJECT_FILE} here: not a kg project "
                                f"(make one with `kg init {named}`)")
    else:
        found = find_project(Path.cwd())
        if found is None:
            raise NotFoundError(
                f"no {PROJECT_FILE} in {Path.cwd()} or any folder above it: run kg in a "
                "project's folder, name one with `kg --project DIR`, or make one with "
                "`kg init DIR`")
        root = found
    file = root / PROJECT_FILE
    return _load(root, file.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _load(root: Path, _mtime: int) -> Project:
    return load_project(root)


def load_project(root: Path) -> Project:
    """Read a project's ``kg.toml`` (errors name the file and line)."""
    file = root / PROJECT_FILE
    try:
        doc = tomllib.loads(file.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(str(file), _toml_line(str(exc)), str(exc)) from None
    meta: dict[str, Any] = doc.get("project", {})
    folders = dict(_FOLDERS)
    for key, value in doc.get("folders", {}).items():
        if key not in _FOLDERS or not isinstance(value, str):
            raise ProjectError(str(file), None, f"[folders] {key!r}: the folders are "
                               + ", ".join(sorted(_FOLDERS)) + " (each a relative path)")
        folders[key] = value
    if "location" in doc.get("store", {}):
        folders["store"] = str(doc["store"]["location"])
    return Project(root=root, folders=folders, name=str(meta.get("name", root.name)),
                   title=_by_language(meta.get("title", {})),
                   base=str(meta.get("base", "")), licence=str(meta.get("licence", "")),
                   languages=tuple(meta.get("languages", LANGS)),
                   description=_by_language(meta.get("description", {})),
                   publisher=str(meta.get("publisher", "")),
                   licence_name=str(meta.get("licence_name", "")))


def _by_language(value: Any) -> dict[str, str]:
    """A text of kg.toml by language: a table (``{ zh = "…", en = "…" }``) or one string
    (English).

    >>> _by_language("A"), _by_language({"zh": "甲", "en": "A"})
    ({'en': 'A'}, {'zh': '甲', 'en': 'A'})
    """
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) \
        else {"en": str(value)} if value else {}


def _toml_line(message: str) -> int | None:
    """The line tomllib's message names.

    >>> _toml_line("Expected '=' after a key in a key/value pair (at line 3, column 5)")
    3
    """
    head, _, rest = message.rpartition("(at line ")
    return int(rest.split(",")[0]) if head and rest.split(",")[0].isdigit() else None


def resources() -> Project:
    """The current project's folders (see :func:`project`)."""
    return project()


def builtin() -> Resources:
    """The builder's own resources: the checkout's, or the wheel's shipped copies."""
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "ontology").is_dir():
        return Resources(checkout)
    return Resources(_PACKAGE_DIR / "_resources")


def default_location() -> Path:
    """The store folder: ``$KG_LOCATION``, else the project's (``var/kg`` by default)."""
    env = os.environ.get(ENV_LOCATION)
    return Path(env) if env else project().store


def default_sources() -> list[Path]:
    """The ontology, shapes excluded, and every curated data file, in a stable order."""
    res = resources()
    onto = sorted(p for p in res.ontology.glob("*.ttl") if p != res.shapes)
    return onto + sorted(res.data.glob("*.ttl"))


DIVISIONS_GRAPH = "external/cn-admin-divisions"  # the graph `kg import-divisions` fills


def divisions_path() -> Path:
    """The shipped Turtle file of China's administrative divisions (kg.gen.divisions)."""
    return builtin().data / "external" / "cn-admin-divisions.ttl"


def shapes_path() -> Path:
    """The project's SHACL shapes file."""
    return resources().shapes
