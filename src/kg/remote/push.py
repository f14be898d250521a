"""``kg push``: the build's named graphs PUT to a Graph Store Protocol endpoint."""

from __future__ import annotations

from pyoxigraph import RdfFormat, Store, serialize

from kg import settings
from kg.remote.endpoint import N_TRIPLES, RemoteEndpoint
from kg.vocab import GRAPH_BASE


def push(store: Store, gsp_url: str, *, timeout: float = settings.REMOTE_TIMEOUT_S,
         graphs: list[str] | None = None) -> dict[str, int]:
    """PUT each named graph (N-Triples) to a Graph Store Protocol endpoint; graph → triples.

    >>> push(Store(), "http://127.0.0.1:9/store")  # an empty store sends nothing
    {}"""
    endpoint = RemoteEndpoint(gsp_url, timeout=timeout)
    sent: dict[str, int] = {}
    for graph in store.named_graphs():
        name = str(graph.value)
        if graphs is not None and name.removeprefix(GRAPH_BASE) not in graphs:
            continue
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        endpoint.request("PUT", gsp_url, params={"graph": name}, content=body,
                       headers={"Content-Type": N_TRIPLES})
        sent[name] = len(triples)
    return sent
