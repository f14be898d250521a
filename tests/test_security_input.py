"""Bad input on every interface: the right 4xx (or exit code) with a clear message,
nothing lost, nothing read or fetched that should not be.

`kg build` gets malformed Turtle, SHACL violations and an inconsistent graph
through the command line; `kg serve` gets unknown names, bad parameters, wrong
media types, oversized and non-UTF-8 bodies, path traversal in every form,
writes without the token, SERVICE to an address off the allow-list (with a
listening socket proving no connection was made) and a query nested 5,000 deep.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from _server import HOST, Listener, Served, Server, wait_for_workers
from kg.build.sources import collect
from kg.store import Location

TOKEN = "s3cret-token-for-tests"
DATA = [s.path for s in collect(None) if s.curated and s.path.parent.name != "ontology"]
SOURCE = next(p for p in DATA if p.name == "source.ttl")
ASK_ALL = "ASK { ?s ?p ?o }"

# -- kg build ---------------------------------------------------------------------------


def _kg_build(location: Path, tmp_path: Path, old: str, new: str) -> subprocess.CompletedProcess:
    """`kg build` of the curated data with one edit in source.ttl."""
    bad = tmp_path / "data" / "source.ttl"
    bad.parent.mkdir(parents=True, exist_ok=True)
    text = SOURCE.read_text("utf-8")
    assert old in text
    bad.write_text(text.replace(old, new, 1), "utf-8")
    paths = [str(bad if p == SOURCE else p) for p in DATA]
    before = Location(location).require_current().id
    run = subprocess.run([sys.executable, "-m", "kg", "build", "--location", str(location),
                          *paths], capture_output=True, text=True, timeout=600)
    assert Location(location).require_current().id == before  # nothing replaced
    return run


def test_build_malformed_turtle_names_file_line_column(location: Path, tmp_path: Path) -> None:
    text = SOURCE.read_text("utf-8")
    line = text[:text.index("schema:editor")].count("\n") + 1
    run = _kg_build(location, tmp_path, 'schema:editor "徐恒"@zh ;', 'schema:editor "徐恒@zh ;')
    assert run.returncode == 3
    assert f"{tmp_path / 'data' / 'source.ttl'}:{line}:" in run.stderr, run.stderr


def test_build_shacl_violations_name_node_and_message(location: Path, tmp_path: Path) -> None:
    run = _kg_build(location, tmp_path, 'dcterms:creator "吴丽琳"@zh , "诸玲珍"@zh ;', "")
    assert run.returncode == 4
    assert "SHACL violation" in run.stderr
    assert "<https://w3id.org/future-industries/id/source/article>" in run.stderr
    assert "dcterms:creator" in run.stderr or "creator" in run.stderr


def test_build_inconsistent_names_what(location: Path, tmp_path: Path) -> None:
    run = _kg_build(location, tmp_path, "source:article a fi:Source",
                    "source:article a fi:Source , fi:Region")
    assert run.returncode == 5
    assert "inconsistent" in run.stderr and "disjoint classes" in run.stderr
    assert "source/article" in run.stderr


# -- kg serve: names, parameters, media types, sizes ------------------------------------


@pytest.mark.parametrize(("params", "expected"), [
    ({"region": "atlantis"}, ("beijing", "zhejiang")),
    ({"region": "Bei Jing"}, ("region slug",)),
    ({"lang": "fr"}, ("zh, en",)),
    ({"colour": "red"}, ("declared: region",)),
    ({"format": "xlsx"}, ("csv",)),
    ({"timeout": "soon"}, ("timeout",)),
])
def test_bad_parameter_lists_allowed_values(served: Served, params: dict[str, str],
                                            expected: tuple[str, ...]) -> None:
    """Checked against the server's graph: the local build, or the backend's."""
    r = served.client.get("/queries/region-sectors", params=params)
    assert r.status_code == 400 and all(e in r.text for e in expected), r.text
    assert r.headers["content-type"].startswith("text/plain")


def test_bad_year_says_the_form(client: httpx.Client) -> None:
    r = client.get("/queries/targets-by-year", params={"year": "20x5"})
    assert r.status_code == 400 and "4-digit year" in r.text


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "expected"), [
    ("GET", "/sparql", {"params": {"query": ASK_ALL}, "headers": {"Accept": "image/png"}},
     406, "application/sparql-results+json"),
    ("GET", "/queries/region-sectors", {"headers": {"Accept": "image/png"}}, 406, "text/csv"),
    ("GET", "/id/region/beijing", {"headers": {"Accept": "application/pdf"}}, 406,
     "text/turtle"),
    ("GET", "/ontology", {"headers": {"Accept": "audio/mpeg"}}, 406, "text/html"),
    ("POST", "/sparql", {"content": ASK_ALL.encode(), "headers": {"Content-Type": "text/plain"}},
     415, "application/sparql-query"),
    ("POST", "/sparql", {"content": b"{}", "headers": {"Content-Type": "application/json"}},
     415, "application/x-www-form-urlencoded"),
])
def test_wrong_media_types(client: httpx.Client, method: str, path: str, kwargs: dict,
                           status: int, expected: str) -> None:
    r = client.request(method, path, **kwargs)
    assert r.status_code == status and expected in r.text, r.text


def test_oversized_bodies(served: Served) -> None:
    """Refused by their length, or while read when they have none (just past the cap, and
    far past it)."""
    big = b"#" * 1_000_001
    for kind in ("application/sparql-query", "application/x-www-form-urlencoded"):
        r = served.client.post("/sparql", content=big, headers={"Content-Type": kind})
        assert r.status_code == 413 and "1000000 bytes" in r.text

    def chunks(n: int) -> Iterator[bytes]:  # no Content-Length: counted while reading
        for _ in range(n):
            yield b"#" * 100_000

    for n in (11, 20):
        r = served.client.post("/sparql", content=chunks(n),
                               headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413


def test_non_utf8_is_400(client: httpx.Client) -> None:
    r = client.post("/sparql", content=b"ASK { FILTER(\"\xc3\x28\" != 1) }",
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.text and "0xc3" in r.text
    r = client.get("/queries/search-labels?text=%C3%28")
    assert r.status_code == 400 and "UTF-8" in r.text


# -- path traversal ---------------------------------------------------------------------

SECRETS = {  # a file's path as the traversal names it, and text only that file holds
    "pyproject.toml": "[build-system]",
    "etc/passwd": "root:x:0:0",
    "build.json": '"triples"',
    "app.py": "def create_app",
    "__init__.py": "import",
}
TRAVERSALS = [
    "/queries/..%2F..%2Fetc%2Fpasswd",
    "/queries/..%2F..%2F..%2Fpyproject.toml",
    "/queries/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/queries/..%252F..%252Fpyproject.toml",
    "/queries/../../pyproject.toml",
    "/queries/..\\..\\pyproject.toml",
    "/id/../../pyproject.toml",
    "/id/..%2F..%2Fpyproject.toml",
    "/id/%2e%2e/%2e%2e/pyproject.toml",
    "/id/region/..%2F..%2F..%2F..%2Fpyproject.toml",
    "/id/region/..%252F..%252Fpyproject.toml",
    "/id/..\\..\\pyproject.toml",
    "/id/region/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/dumps/..%2Fbuild.json",
    "/dumps/../build.json",
    "/dumps/%2e%2e%2fbuild.json",
    "/static/../../app.py",
    "/static/..%2F..%2Fapp.py",
    "/static/%2e%2e/%2e%2e/app.py",
    "/ui/static/..%2F..%2F__init__.py",
    "/ui/queries/..%2F..%2Fpyproject.toml",
    "/queries/region-sectors/../../../pyproject.toml",
]


def _raw_get(port: int, target: str) -> tuple[int, bytes]:
    """GET exactly this request target (no client normalises its dots or escapes)."""
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


@pytest.mark.parametrize("target", TRAVERSALS)
def test_path_traversal_reads_no_file(server: Server, target: str) -> None:
    status, data = _raw_get(server.port, target)
    assert status == 404, (status, data[:300])
    for marker in SECRETS.values():
        assert marker.encode() not in data, (target, marker)


# -- writes -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def writable(location: Path) -> Iterator[Server]:
    """`kg serve` with an update token, on the module's location (nothing is written)."""
    with Server(location, "--workers", "2", "--update-token", TOKEN) as srv:
        yield srv


WRITES = [
    ("POST", "/update", {"data": {"update": "CLEAR ALL"}}),
    ("POST", "/update", {"content": b"DROP ALL",
                         "headers": {"Content-Type": "application/sparql-update"}}),
    ("POST", "/sparql", {"data": {"update": "CLEAR DEFAULT"}}),
    ("PUT", "/store?default", {"content": b"<http://e/a> <http://e/b> <http://e/c> .",
                               "headers": {"Content-Type": "application/n-triples"}}),
    ("POST", "/store?graph=https://w3id.org/future-industries/graph/links",
     {"content": b"<http://e/a> <http://e/b> <http://e/c> .",
      "headers": {"Content-Type": "application/n-triples"}}),
    ("DELETE", "/store?graph=https://w3id.org/future-industries/graph/ontology", {}),
]


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
                                  "Bearer", ""])
@pytest.mark.parametrize(("method", "path", "kwargs"), WRITES)
def test_writes_without_the_token(writable: Server, auth: str | None, method: str, path: str,
                                  kwargs: dict) -> None:
    headers = {**kwargs.get("headers", {}), **({"Authorization": auth} if auth is not None else {})}
    with writable.client() as http:
        before = http.get("/health").json()["revision"]
        r = http.request(method, path, **{**kwargs, "headers": headers})
        assert r.status_code == 403 and "token" in r.text, r.text
        assert http.get("/health").json()["revision"] == before  # nothing written
        assert http.get("/sparql", params={"query": ASK_ALL}).json()["boolean"]


def test_writes_with_the_token_still_check_their_input(writable: Server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with writable.client() as http:
        r = http.put("/store?graph=http://e/g", content=b"<a> <b> <c> .",
                     headers={**auth, "Content-Type": "image/png"})
        assert r.status_code == 415
        r = http.post("/update", content=b"INSERT DATA { <http://e/a> <http://e/b> \"\xff\" }",
                      headers={**auth, "Content-Type": "application/sparql-update"})
        assert r.status_code == 400 and "UTF-8" in r.text
        r = http.put("/store?graph=http://e/g", content=b"<http://e/a> <http://e/b> \"\xff\" .",
                     headers={**auth, "Content-Type": "text/turtle"})
        assert r.status_code == 400
        r = http.post("/update", content=b"#" * 1_000_001,
                      headers={**auth, "Content-Type": "application/sparql-update"})
        assert r.status_code == 413


# -- SSRF -------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as found:
        yield found


def _ssrf_queries(url: str) -> list[str]:
    host = url.removesuffix("/sparql")
    return [
        "SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }",  # a private address
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service\n\t<{url}>{{ ?s ?p ?o }} }}",
        f"PREFIX x: <{host}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}#x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ SERVICE <{url}> {{ }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_service_off_the_allow_list_connects_nowhere(served: Served, writable: Server,
                                                     listener: Listener) -> None:
    """Refused before anything is sent (by the backend server too, before forwarding)."""
    url, client = listener.url, served.client
    for query in _ssrf_queries(url):
        r = client.get("/sparql", params={"query": query})
        assert r.status_code == 400 and "not allowed" in r.text, (query, r.text)
        r = client.post("/sparql", content=query.encode(),
                        headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 400, (query, r.text)
    for name in ("wikidata-region-labels", "wikidata-sector-labels"):
        r = client.get(f"/queries/{name}", params={"service": url})
        assert r.status_code == 400, r.text
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    updates = (f"LOAD <{url}>", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
               f"LOAD SILENT <{url}> INTO GRAPH <http://e/g>")
    if served.kind == "local":  # updates: a build's server with a token (--backend: read-only)
        with writable.client() as http:
            for update in updates:
                r = http.post("/update", content=update.encode(), headers=auth)
                assert r.status_code == 400 and "not allowed" in r.text, r.text
    time.sleep(0.5)
    assert listener.contacts == 0


# -- a query nested 5,000 deep ----------------------------------------------------------


def test_nested_5000_deep(served: Served) -> None:
    """Refused by the guard (by the backend server too, before forwarding): no worker dies."""
    client = served.client
    before = wait_for_workers(client, {"local": 2, "backend": 0}[served.kind])
    for query in ("SELECT * " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
                  "SELECT (" + "(" * 5000 + "1" + ")" * 5000 + " AS ?x) {}",
                  "ASK { FILTER(" + "!(" * 5000 + "true" + ")" * 5000 + ") }"):
        r = client.post("/sparql", content=query.encode(),
                        headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 400 and "nested deeper" in r.text, r.text
    deep = "SELECT * WHERE " + "{ " * 300 + "?s ?p ?o" + " }" * 300  # just past the limit
    r = client.post("/sparql", data={"query": deep})
    assert r.status_code == 400 and "nested deeper" in r.text, r.text
    after = client.get("/health").json()
    assert after["workers"] == before["workers"] == {"local": 2, "backend": 0}[served.kind]
    assert after.get("workers_replaced") == before.get("workers_replaced")
    assert client.get("/sparql", params={"query": ASK_ALL}).json()["boolean"]
    assert served.server.proc.poll() is None
