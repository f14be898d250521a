"""The catalogue published as RDF (SIB sparql-examples convention) can itself be queried."""

from __future__ import annotations

from pyoxigraph import Literal, QuerySolutions, Store, Variable

from kg.catalogue import Catalogue
from kg.catalogue.rdf import query_iri
from kg.vocab import GRAPH, SPARQL_SERVICE

PREFIXES = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""


def rows(store: Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: str(r[n].value) for n in names if r[n] is not None} for r in result]


def test_every_query_is_a_select_executable(catalogue: Catalogue) -> None:
    quads = catalogue.to_quads()
    assert {q.graph_name for q in quads} == {GRAPH.queries}
    store = Store()
    store.extend(quads)
    found = rows(store, """SELECT ?q ?en ?zh ?text ?target WHERE {
        ?q a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ; sh:select ?text ;
           rdfs:label ?en, ?zh ; rdfs:comment ?comment ; schema:target ?target .
        FILTER(LANG(?en) = "en" && LANG(?zh) = "zh" && LANG(?comment) = "en") }""")
    assert len(found) == len(catalogue)
    for row in found:
        query = catalogue.get(row["q"].rsplit("/", 1)[1])
        assert row["q"] == query_iri(query.name).value
        assert (row["en"], row["zh"]) == (query.title["en"], query.title["zh"])
        assert row["text"] == query.text and row["target"] == SPARQL_SERVICE


def test_keywords_and_zh_comments(catalogue: Catalogue) -> None:
    store = Store()
    store.extend(catalogue.to_quads())
    tagged = rows(store, """SELECT ?q (COUNT(?k) AS ?n) WHERE { ?q schema:keywords ?k }
                           GROUP BY ?q""")
    assert {r["q"]: int(r["n"]) for r in tagged} == {
        query_iri(q.name).value: len(q.tags) for q in catalogue.queries() if q.tags
    }
    quantum = rows(store, 'SELECT ?q WHERE { ?q schema:keywords "search" }')
    assert [r["q"] for r in quantum] == [query_iri("search-labels").value]
    zh = rows(store, 'SELECT ?c WHERE { ?q rdfs:comment ?c FILTER(LANG(?c) = "zh") }')
    assert len(zh) == sum(1 for q in catalogue.queries() if q.description_zh)


def test_a_published_query_runs_from_its_rdf(catalogue: Catalogue, curated_store: Store) -> None:
    store = Store()
    store.extend(catalogue.to_quads())
    iri = query_iri("monetary-targets")
    (row,) = rows(store, f"SELECT ?text WHERE {{ {iri} sh:select ?text }}")
    english = {Variable("lang"): Literal("en")}
    result = curated_store.query(
        row["text"], use_default_graph_as_union=True, substitutions=english
    )
    assert isinstance(result, QuerySolutions)
    assert [str(r["amount"].value) for r in result][:1] == ["800000000000"]
