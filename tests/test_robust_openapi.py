"""Schemathesis against the real server's /openapi.json: no 5xx, answers match the document.

Every operation of the document (every packaged query, the SPARQL endpoint, the
linked data, VoID, DCAT, dumps, health) is exercised in all of schemathesis'
phases (examples, coverage, fuzzing, stateful) with every check it has: no
server error, status codes, content types and bodies as documented, schema-valid
requests accepted and schema-violating ones rejected. The one 5xx allowed is the
documented 503 of a time limit the request itself lowered
(tests/_robust_checks.py). A SPARQL query cannot be described by a schema, so
"valid data accepted" is not checked for /sparql (tests/test_robust_sparql.py
fuzzes the queries themselves).

The regression tests below are the bugs this fuzzing found in the document and
the server, one test each.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kg.catalogue import Catalogue

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "12"))  # per operation and phase (CI: fast)
CONFIG = """\
hooks = "tests._robust_checks"
workers = 2
continue-on-failure = true
max-failures = 100
request-timeout = 120

[generation]
max-examples = {examples}
database = "none"

[parameters]
# a page token is opaque: only the server's own (from a Link header) are valid, which a
# schema cannot say; test_server_queries.py follows and tampers with them
"query.after" = ""

[checks]
not_a_server_error.enabled = false  # replaced by no_server_error (tests/_robust_checks.py)
# a request whose line and headers pass the server's cap is refused with 431 (documented)
negative_data_rejection.expected-statuses = ["400", "401", "403", "404", "405", "406", "409",
  "413", "415", "422", "428", "429", "431", "5xx"]

[[operations]]
include-tag = "sparql"
checks.positive_data_acceptance.enabled = false  # a string of the right type is rarely SPARQL

[[operations]]
include-tag = "federated"
enabled = false  # their SERVICE is Wikidata: no network in tests (see test_federation.py)
"""

@pytest.mark.slow
def test_schemathesis_finds_no_failure(server, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(examples=EXAMPLES))
    seed = os.environ.get("KG_FUZZ_SEED")
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
           f"{server.url}/openapi.json", "--no-color", *(["--seed", seed] if seed else [])]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    assert " passed" in report and "failed" not in report, report
    assert server.proc.poll() is None
    assert httpx.get(f"{server.url}/health").json()["status"] == "ok"


def _doc(client: httpx.Client) -> dict:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _params(doc: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}


def test_bug_format_enum_offered_graph_formats_for_select(client: httpx.Client) -> None:
    """The document offered ttl/rdf for SELECT questions, which answer 400 to them."""
    doc = _doc(client)
    for name in Catalogue.load().names():
        if "federated" in doc["paths"][f"/queries/{name}"]["get"]["tags"]:
            continue  # needs Wikidata
        formats = _params(doc, f"/queries/{name}")["format"]["schema"]["enum"]
        for fmt in formats:
            r = client.get(f"/queries/{name}", params={"format": fmt})
            assert r.status_code == 200, (name, fmt, r.text)


def test_bug_query_listing_documented_as_object(client: httpx.Client) -> None:
    """GET /queries answers a JSON array; the document said object."""
    doc = _doc(client)
    schema = doc["paths"]["/queries"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"]["type"] == "array"
    assert isinstance(client.get("/queries").json(), list)


def test_bug_empty_values_documented_as_invalid(client: httpx.Client) -> None:
    """Forms send ``year=`` for "the default"; the server takes it, so the document allows it."""
    doc = _doc(client)
    year = _params(doc, "/queries/regions-targeting-sectors")["year"]
    assert year["allowEmptyValue"] is True
    r = client.get("/queries/regions-targeting-sectors", params={"year": ""})
    assert r.status_code == 200


def test_bug_timeout_range_differed_from_server(client: httpx.Client) -> None:
    """The document capped ``timeout`` at 3600 while the server took anything below 1e6."""
    doc = _doc(client)
    schema = _params(doc, "/sparql")["timeout"]["schema"]
    assert schema["maximum"] == 1e6 and schema["exclusiveMaximum"] is True
    assert client.get("/sparql", params={"query": "ASK {}", "timeout": "3601"}).status_code == 200
    assert client.get("/sparql", params={"query": "ASK {}", "timeout": "1e6"}).status_code == 400


@pytest.mark.parametrize("value", ["-58800", "0", "nan", "inf", "5_0", " 5", "0x10", "1e6"])
def test_bug_bad_timeout_accepted_without_a_query(client: httpx.Client, value: str) -> None:
    """GET /sparql without a query ignored ``timeout`` (``-58800`` got the description, 200);
    and float() let ``5_0`` and `` 5`` through."""
    r = client.get("/sparql", params={"timeout": value})
    assert r.status_code == 400 and "timeout" in r.text
    r = client.get("/sparql", params={"query": "ASK {}", "timeout": value})
    assert r.status_code == 400 and "timeout" in r.text


def test_bug_entity_path_parameter_could_hold_no_slash(client: httpx.Client) -> None:
    """``/id/{path}`` with a ``kind/slug`` pattern: a path parameter cannot hold ``/``, so no
    request could match; the document now has ``/id/{kind}/{slug}`` with a real example."""
    doc = _doc(client)
    assert "/id/{path}" not in doc["paths"]
    params = _params(doc, "/id/{kind}/{slug}")
    url = f"/id/{params['kind']['schema']['example']}/{params['slug']['schema']['example']}"
    assert client.get(url, headers={"Accept": "text/turtle"}).status_code == 200


def test_bug_region_and_sector_documented_as_any_string(client: httpx.Client) -> None:
    """Only the build's regions and sectors are accepted; the document now lists them."""
    doc = _doc(client)
    params = _params(doc, "/queries/region-sectors")
    regions = params["region"]["schema"]["enum"]
    assert "beijing" in regions and "shandong" in regions
    for region in regions:
        r = client.get("/queries/region-sectors", params={"region": region},
                       headers={"Accept": "text/csv"})
        assert r.status_code == 200, (region, r.text)
    sectors = _params(doc, "/queries/sector-regions")["sector"]["schema"]["enum"]
    assert "6g" in sectors


def test_bug_list_parameter_documented_as_one_string(client: httpx.Client) -> None:
    """``sectors`` takes several values (repeated, or comma-separated) but was documented
    as one string from the sector list, so a client following the document could send only
    one; it is an array of such strings now, sent as repeated parameters."""
    doc = _doc(client)
    sectors = _params(doc, "/queries/regions-targeting-sectors")["sectors"]
    assert sectors["schema"]["type"] == "array" and sectors["explode"] is True
    assert "6g" in sectors["schema"]["items"]["enum"]
    example = sectors["schema"]["example"]
    assert isinstance(example, list) and example
    r = client.get("/queries/regions-targeting-sectors",
                   params=[("sectors", v) for v in example] + [("sectors", "6g")],
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
