"""The w3id.org redirect rules (w3id/.htaccess): the shipped file is what ``kg.gen.w3id``
writes, and for every IRI the dataset mints each rule's target is a path `kg serve`
answers (the rules are applied here the way mod_rewrite applies them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from _iris import minted, paths_of
from kg import settings
from kg.gen import w3id
from kg.store import Build

ROOT = Path(__file__).resolve().parent.parent
HTACCESS = ROOT / "w3id" / ".htaccess"
ONTOLOGY_ACCEPTS = {  # Accept → the format the server must answer in
    "application/rdf+xml": "application/rdf+xml",
    "text/turtle": "text/turtle",
    "application/ld+json": "application/ld+json",
    "application/n-triples": "application/n-triples",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "text/html",
    "*/*": "text/turtle",
}


@dataclass
class Rule:
    conditions: list[tuple[str, str]]  # (variable, pattern)
    pattern: str
    target: str
    status: int


def rules(text: str) -> list[Rule]:
    out, pending = [], []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "RewriteCond":
            pending.append((words[1], words[2]))
        elif words[0] == "RewriteRule":
            status = int(re.search(r"R=(\d+)", words[3]).group(1))  # type: ignore[union-attr]
            out.append(Rule(pending, words[1], words[2], status))
            pending = []
    return out


def rewrite(all_rules: list[Rule], path: str, accept: str) -> tuple[str, int] | None:
    """Where w3id.org sends ``/future-industries/PATH`` (``path`` without the folder)."""
    for rule in all_rules:
        env = {"%{HTTP_ACCEPT}": accept}
        if not all(re.search(pattern, env[var]) for var, pattern in rule.conditions):
            continue
        found = re.search(rule.pattern, path)
        if found:
            target = rule.target
            for i, group in enumerate(found.groups(), 1):
                target = target.replace(f"${i}", group or "")
            return target, rule.status
    return None


def test_shipped_file_is_what_the_generator_writes() -> None:
    assert HTACCESS.read_text("utf-8") == w3id.htaccess(settings.W3ID_TARGET)


def test_every_minted_iri_has_a_rule_to_a_path_the_server_answers(
        client: httpx.Client, curated_build: Build) -> None:
    all_rules = rules(HTACCESS.read_text("utf-8"))
    host = settings.W3ID_TARGET
    targets: set[str] = set()
    extra = ["/", "/sparql", "/context.jsonld", "/catalog", "/dataset", "/dumps/", "/build",
             "/dumps/all.nq", "/queries", "/openapi.json"]
    for path in paths_of(minted(curated_build.open())) + extra:
        where = rewrite(all_rules, path.removeprefix("/"), "text/turtle")
        assert where is not None, f"no rule for {path}"
        target, status = where
        assert target.startswith(host + "/") and status in (302, 303, 307), (path, target)
        targets.add(target[len(host):])
        if path not in ("/ontology", "/"):
            assert urlsplit(target).path == path, (path, target)  # the same path
    for target in sorted(targets):
        r = client.get(target, headers={"Accept": "text/turtle"})
        assert r.status_code == 200, target


@pytest.mark.parametrize("accept", ONTOLOGY_ACCEPTS)
def test_the_ontology_is_negotiated(client: httpx.Client, accept: str) -> None:
    target, status = rewrite(rules(HTACCESS.read_text("utf-8")), "ontology", accept) or ("", 0)
    assert status == 303
    r = client.get(target[len(settings.W3ID_TARGET):], headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == ONTOLOGY_ACCEPTS[accept]


def test_a_posted_query_keeps_its_method() -> None:
    target, status = rewrite(rules(HTACCESS.read_text("utf-8")), "sparql", "*/*") or ("", 0)
    assert (target, status) == (settings.W3ID_TARGET + "/sparql", 307)
