"""`kg push` onto real engines: Virtuoso (Digest, ~/.netrc), our own `kg serve --update-token`
(a bearer token, a 413 halving the chunks) and `oxigraph serve` (an interrupted push).

Two builds: ``bigger`` (the curated build plus a 1.4 MB graph, external/extra) and the curated
one, smaller. Pushing one, then the other, must leave on the remote exactly the graphs of
the last one pushed (our graphs, compared as isomorphic graphs), whatever was there before;
no password or token may appear in any output, errors included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, Store

import _engines
from _linking import canonical, clone_location
from _server import Server, closed_port_url, oxigraph_server
from kg import sparql
from kg.build import ingest
from kg.catalogue import answer, default_catalogue
from kg.cli import main
from kg.remote import auth
from kg.remote.endpoint import RemoteEndpoint
from kg.remote.push import GRAPHS, Quiet, push
from kg.store import Build, Location
from kg.vocab import GRAPH_BASE

PASSWORD = "dba"  # Virtuoso's fresh database: user dba, password dba
TOKEN = "push-token-7f3a9c"
EXTRA = GRAPH_BASE + "external/extra"


@pytest.fixture(scope="module")
def bigger(curated_location: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The curated build plus external/extra (10,000 triples, 1.4 MB of N-Triples)."""
    loc = clone_location(curated_location, tmp_path_factory.mktemp("bigger") / "kg")
    data = tmp_path_factory.mktemp("extra") / "extra.nt"
    data.write_text("".join(f'<https://example.org/s{i}> <https://example.org/p> '
                            f'"第{i}条 — a line long enough to make the graph weigh" .\n'
                            for i in range(10_000)), "utf-8")
    ingest.import_rdf(loc, str(data), "external/extra")
    return Location(loc).require_current()


def ours(store_or_url: Store | str) -> dict[str, set]:
    """Our graphs (under GRAPH_BASE) and their canonical quads, of a build or an endpoint."""
    if isinstance(store_or_url, Store):
        names = [str(g.value) for g in store_or_url.named_graphs()]
        return {g: canonical(q.triple for q in store_or_url.quads_for_pattern(
            None, None, None, NamedNode(g))) for g in names if g.startswith(GRAPH_BASE)}
    endpoint = RemoteEndpoint(store_or_url, timeout=60)
    names = [str(r["g"].value) for r in endpoint.run(GRAPHS).value]  # type: ignore[union-attr]
    return {g: canonical(endpoint.run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> "
                                      "{ ?s ?p ?o } }", row_cap=10**6).value)  # type: ignore[arg-type]
            for g in names if g.startswith(GRAPH_BASE)}


def rows(result: sparql.Result) -> set[tuple[tuple[str, str], ...]]:
    """A SELECT's rows as a set of sorted (variable, term) pairs."""
    return {tuple(sorted((k.value, str(r[k])) for k in result.value.variables if r[k]))  # type: ignore[union-attr]
            for r in result.value}  # type: ignore[union-attr]


def kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`kg ARGS` in a child process (standard error not a terminal: plain lines)."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600, check=False)


# -- Virtuoso: Digest, ~/.netrc, a smaller build removes the older graphs ----------------

@pytest.fixture(scope="module")
def virtuoso(curated_nquads: Path) -> Iterator[str]:
    """A Virtuoso of this module's own, bulk-loaded with the curated build; its base URL."""
    with _engines.virtuoso(curated_nquads) as engine:
        yield engine.url.removesuffix("/sparql")


def test_push_to_virtuoso_with_digest_then_a_smaller_build_from_netrc(
        virtuoso: str, bigger: Build, curated_build: Build, curated_location: Path,
        tmp_path: Path) -> None:
    gsp = virtuoso + "/sparql-graph-crud-auth"
    done = kg("push", gsp, "--location", str(bigger.path.parent.parent), "--user", "dba",
              "--password-env", "VIRTUOSO_PW", env={"VIRTUOSO_PW": PASSWORD})
    assert done.returncode == 0, done.stderr
    assert ours(virtuoso + "/sparql") == ours(bigger.open())
    assert EXTRA in done.stderr  # staged, and then in place
    home = tmp_path / "home"
    home.mkdir()
    (home / ".netrc").write_text(f"machine 127.0.0.1 login dba password {PASSWORD}\n")
    (home / ".netrc").chmod(0o600)
    done = kg("push", gsp, "--location", str(curated_location), env={"HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert "credentials from ~/.netrc" in done.stderr and f"removed {EXTRA}" in done.stderr
    assert ours(virtuoso + "/sparql") == ours(curated_build.open())


def test_without_credentials_virtuoso_refuses(virtuoso: str, curated_location: Path,
                                              tmp_path: Path) -> None:
    done = kg("push", virtuoso + "/sparql-graph-crud-auth", "--location",
              str(curated_location), env={"HOME": str(tmp_path)})
    assert done.returncode == 9 and "HTTP 401" in done.stderr


@pytest.mark.parametrize("how", ["url", "option", "environment"])
def test_the_password_appears_in_no_output(virtuoso: str, curated_location: Path,
                                           tmp_path: Path, how: str) -> None:
    """A wrong password (401 from Virtuoso) and a right one on a closed port: the password
    is in neither the output nor the error, however it was given."""
    secret = "wr0ng-S3cret-pw"
    for base in (virtuoso, closed_port_url().removesuffix("/sparql")):
        url = base + "/sparql-graph-crud-auth"
        args, env = ["--location", str(curated_location)], {"HOME": str(tmp_path)}
        if how == "url":
            url = url.replace("://", f"://dba:{secret}@")
        elif how == "option":
            args += ["--user", "dba", "--password-env", "PW"]
            env["PW"] = secret
        else:
            env |= {auth.ENV_USER: "dba", auth.ENV_PASSWORD: secret}
        done = kg("push", url, *args, env=env)
        assert done.returncode == 9, done.stderr
        assert secret not in done.stdout + done.stderr
        assert "127.0.0.1" in done.stderr  # the error still says where


# -- our own server: its update token as a bearer token --------------------------------

@pytest.fixture(scope="module")
def own(curated_location: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`kg serve --update-token` on a copy of the curated build."""
    loc = clone_location(curated_location, tmp_path_factory.mktemp("own") / "kg")
    with Server(loc, "--update-token", TOKEN, "--workers", "1") as server:
        yield server


def test_push_to_our_own_server_with_its_token(own: Server, bigger: Build,
                                               curated_build: Build,
                                               curated_location: Path) -> None:
    # $KG_UPDATE_TOKEN, as `kg serve` reads it; chunks of 4 MB get a 413 (its 1 MB cap):
    # halved until they pass
    done = kg("push", own.url + "/store", "--location", str(bigger.path.parent.parent),
              "--chunk-bytes", "4000000", env={auth.ENV_SERVER_TOKEN: TOKEN})
    assert done.returncode == 0, done.stderr
    assert ours(own.url + "/sparql") == ours(bigger.open())
    done = kg("push", own.url + "/store", "--location", str(curated_location),
              "--token", TOKEN)
    assert done.returncode == 0, done.stderr
    assert ours(own.url + "/sparql") == ours(curated_build.open())


def test_a_wrong_token_is_refused_and_not_shown(own: Server, curated_location: Path) -> None:
    done = kg("push", own.url + "/store", "--location", str(curated_location),
              env={auth.ENV_TOKEN: "not-the-token-x91"})
    assert done.returncode == 9 and "HTTP 403" in done.stderr
    assert "not-the-token-x91" not in done.stdout + done.stderr


def test_blank_nodes_past_the_servers_request_cap_are_refused_and_lose_nothing(
        own: Server, curated_location: Path, curated_build: Build,
        tmp_path: Path) -> None:
    """A graph's blank-node triples go in one request (see the chunks test below); when the
    server refuses a request that large (kg serve: 1 MB), the push says why and drops what it
    staged: the previous build answers on."""
    assert kg("push", own.url + "/store", "--location", str(curated_location),
              "--token", TOKEN).returncode == 0
    loc = clone_location(curated_location, tmp_path / "kg")
    data = tmp_path / "blank.nt"
    data.write_text("".join(f'_:b{i} <https://example.org/p> "第{i}条 — a blank node with a '
                            f'label long enough to weigh" .\n' for i in range(15_000)), "utf-8")
    ingest.import_rdf(loc, str(data), "external/blank")
    done = kg("push", own.url + "/store", "--location", str(loc), "--token", TOKEN)
    assert done.returncode == 9, done.stderr
    assert "blank nodes" in done.stderr and "413" in done.stderr
    assert ours(own.url + "/sparql") == ours(curated_build.open())


# -- an interrupted push leaves the previous build answering ----------------------------

@pytest.fixture
def previous(bigger: Build, tmp_path: Path) -> Iterator[str]:
    """`oxigraph serve` holding the bigger build; its base URL."""
    with oxigraph_server(tmp_path / "store") as base:
        push(bigger.open(), base + "/store", build_id=bigger.id)
        yield base


def _interrupted(base: str, location: Path, how: signal.Signals) -> None:
    """`kg push` of the curated build in small chunks, stopped by ``how`` once one graph
    is staged."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "push", base + "/store", "--location",
                             str(location), "--chunk-bytes", "2000"],
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("staged "):
            proc.send_signal(how)
            break
    proc.communicate(timeout=60)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_push_leaves_the_previous_build_answering(
        previous: str, bigger: Build, curated_build: Build, curated_location: Path,
        how: signal.Signals) -> None:
    before = ours(bigger.open())
    _interrupted(previous, curated_location, how)
    after = ours(previous + "/query")
    staged = {g for g in after if "?build=" in g}
    assert {g: q for g, q in after.items() if g not in staged} == before  # all there
    if how == signal.SIGTERM:  # stopped cleanly: what it staged is dropped again
        assert not staged
        query = default_catalogue().get("regions-overview")
        remote = answer(RemoteEndpoint(previous + "/query"), query, {})
        assert rows(remote) == rows(answer(bigger.open(), query, {})) != set()
    else:  # killed: its staging graphs stay until the next push
        assert staged
    assert main(["push", previous + "/store", "--location", str(curated_location)]) == 0
    assert ours(previous + "/query") == ours(curated_build.open())


def test_a_graph_in_many_chunks_replaces_its_staging_graph_and_is_counted(
        previous: str, bigger: Build) -> None:
    # external/extra (1.4 MB) in 20 kB chunks, the store writing on while the first (the
    # PUT) is loaded. Its staging graph holds what an interrupted push with this build id
    # left: the PUT replaces it. The triples are counted as their lines are sent.
    stage = NamedNode(EXTRA + "?build=again")
    RemoteEndpoint(previous + "/update", timeout=60).request(
        "POST", previous + "/update",
        data={"update": f"INSERT DATA {{ GRAPH {stage} {{ <http://example.org/left> "
                        "<http://example.org/over> 1 } }"})
    done = push(bigger.open(), previous + "/store", build_id="again", chunk_bytes=20_000)
    remote = ours(previous + "/query")
    assert remote.keys() == ours(bigger.open()).keys()  # the staging graphs moved away
    assert remote[EXTRA] == ours(bigger.open())[EXTRA]
    # every graph isomorphic, blank nodes included: a blank node whose triples fell on two
    # sides of a chunk's cut became two nodes (each request's labels are its own); the
    # ontology's (88 triples with blank nodes) now go in one request
    assert remote == ours(bigger.open())
    store = bigger.open()  # counted as their lines were sent: every triple, once
    assert done.graphs == {str(g.value): sum(1 for _ in store.quads_for_pattern(None, None,
                                                                               None, g))
                           for g in store.named_graphs()}
    assert done.graphs[EXTRA] == 10_000 and done.requests > 70


# -- a graph that is one N-Triples file is sent from that file -------------------------

XSD_STRING = "<http://www.w3.org/2001/XMLSchema#string>"
TRICKY = GRAPH_BASE + "external/tricky"


class Counted(Quiet):
    """A push's progress: the lines of the chunks sent."""

    def __init__(self) -> None:
        self.lines = 0

    def sent(self, graph: str, triples: int) -> None:
        self.lines += triples


def tricky_build(folder: Path, curated_location: Path, eol: str = "\n") -> tuple[Build, Path]:
    """The curated build plus external/tricky, from one N-Triples file of 1.7 MB: a first
    block (1 MB) of plain lines with comments and blank lines, blank nodes all through,
    then lines the store reads otherwise than an engine may: capital language tags, an
    xsd:string, \\u escapes, CRLF, no newline at the end. Lines ending in ``eol`` other
    than a newline: the plain lines only."""
    loc = clone_location(curated_location, folder / "kg")
    data = folder / "tricky.nt"
    plain = "".join(f'<https://example.org/s{i}> <https://example.org/p> "第{i}条 plain" .\n'
                    f'_:n{i % 9} <https://example.org/q> <https://example.org/s{i}> .\n'
                    + ("# a comment naming _:n1\n\n" if i in (0, 1000, 2000) else "")
                    for i in range(12_000))
    odd = ('<https://example.org/a> <https://example.org/p> "量子"@ZH-Hans .\r\n'
           f'<https://example.org/a> <https://example.org/p> "typed"^^{XSD_STRING} .\n'
           '<https://example.org/caf\\u00E9> <https://example.org/p> "caf\\u00e9 \\"q\\"" .\n'
           '_:n3 <https://example.org/p> "end"@EN .')
    data.write_bytes((plain + odd).encode() if eol == "\n"
                     else plain.replace("\n", eol).encode())
    ingest.import_rdf(loc, str(data), "external/tricky")
    return Location(loc).require_current(), data


def test_a_graph_that_is_one_file_is_sent_from_it_and_arrives_as_the_store_holds_it(
        virtuoso: str, curated_location: Path, tmp_path: Path) -> None:
    build, _ = tricky_build(tmp_path, curated_location)
    files = build.source_files()
    assert list(files) == [TRICKY]  # the curated graphs are Turtle
    with oxigraph_server(tmp_path / "store") as base:
        progress = Counted()
        done = push(build.open(), base + "/store", files=files, chunk_bytes=50_000,
                    progress=progress)
        # every graph isomorphic to the store's: the capital tags lowercased, the xsd:string
        # dropped, the escapes read as the store read them, the blank nodes one node each
        assert ours(base + "/query") == ours(build.open())
        assert done.graphs[TRICKY] == 24_004 == files[TRICKY].triples
        # the file was read, not the store: its first block's 3 comments and 3 blank lines
        # went too (the last block was written again: it has lines to rewrite)
        assert progress.lines == sum(done.graphs.values()) + 6
        assert rows(RemoteEndpoint(base + "/query", timeout=60).run(LITERALS)) == literals(build)
    pushed = push(build.open(), virtuoso + "/sparql-graph-crud-auth", files=files,
                  chunk_bytes=50_000, auth=httpx.DigestAuth("dba", PASSWORD))
    assert pushed.graphs == done.graphs
    assert ours(virtuoso + "/sparql") == ours(build.open())
    # as an engine reads them (the comparison of terms above would not tell "ZH-Hans" from
    # "zh-hans", nor "typed"^^xsd:string from "typed": Virtuoso does)
    assert rows(RemoteEndpoint(virtuoso + "/sparql", timeout=60).run(LITERALS)) == literals(build)


# the tricky graph's literals as an engine reads them: language tags as strings, and
# whether each equals the plain literal "typed" (Virtuoso: not "typed"^^xsd:string)
LITERALS = f"""SELECT (IF(isBlank(?s), "a blank node", STR(?s)) AS ?subject) (STR(?o) AS ?text) (LANG(?o) AS ?tag) (COALESCE(IF(?o = "typed", "=", "≠"), "≠") AS ?plain)
WHERE {{ GRAPH <{TRICKY}> {{ ?s <https://example.org/p> ?o FILTER(!STRSTARTS(STR(?o), "第")) }} }}"""


def literals(build: Build) -> set[tuple[tuple[str, str], ...]]:
    got = rows(sparql.run(build.open(), LITERALS))
    assert len(got) == 4 and ("tag", '"zh-hans"') in next(r for r in got if len(r) > 3 and
                                                          "量子" in str(r))
    return got


@pytest.mark.parametrize("change", ["appended", "rewritten", "removed", "lone CR"])
def test_a_source_file_changed_since_the_build_is_not_what_is_pushed(
        previous: str, curated_location: Path, tmp_path: Path, change: str) -> None:
    """The build's triples arrive, whatever became of its file since: one more line (its
    SHA-256 differs once all was sent: the store's triples then replace the file's), lines
    that do not parse, no file. A file whose lines end in a lone CR is read from the store."""
    build, data = tricky_build(tmp_path, curated_location, "\r" if change == "lone CR" else "\n")
    files = build.source_files()
    assert list(files) == [TRICKY]
    if change == "appended":
        with data.open("a") as fh:
            fh.write('\n<https://example.org/new> <https://example.org/p> "not built" .\n')
    elif change == "rewritten":  # more than a chunk of lines that do not parse
        data.write_text("<https://example.org/half a line\n" * 10_000)
    elif change == "removed":
        data.unlink()
    progress = Counted()
    done = push(build.open(), previous + "/store", files=files, chunk_bytes=50_000,
                progress=progress)
    assert ours(previous + "/query") == ours(build.open())
    if change in ("lone CR", "rewritten"):  # nothing sent from the file: no comment line
        assert progress.lines == sum(done.graphs.values())


# -- without servers: where credentials come from, the bar on a terminal ----------------

def test_credentials_come_from_the_first_place_that_has_them(tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine h login n-user password n-pw\n")
    url = "http://u-user:u-pw@h/store"
    env = {auth.ENV_TOKEN: "e-tok", auth.ENV_USER: "e-user", auth.ENV_PASSWORD: "e-pw",
           auth.ENV_SERVER_TOKEN: "s-tok"}

    def found(url: str, env: dict[str, str], **options: str) -> tuple[str | None, ...]:
        c = auth.find(url, env=env, netrc_file=netrc, **options)
        assert c.url == auth.split_userinfo(url)[0] and "@" not in c.url
        return c.source, c.user, c.password, c.token

    assert found(url, env, token="o-tok") == ("--token", None, None, "o-tok")
    assert found(url, env, user="o", password="o-pw") == ("--user", "o", "o-pw", None)
    assert found(url, env) == ("the URL", "u-user", "u-pw", None)
    plain = "http://h/store"
    assert found(plain, env) == ("$KG_PUSH_TOKEN", None, None, "e-tok")
    del env[auth.ENV_TOKEN]
    assert found(plain, env) == ("$KG_PUSH_USER", "e-user", "e-pw", None)
    del env[auth.ENV_USER]
    assert found(plain, env) == ("$KG_UPDATE_TOKEN", None, None, "s-tok")
    assert found(plain, {}) == ("~/.netrc", "n-user", "n-pw", None)
    assert found(plain, {}, user="n-user") == ("--user", "n-user", "n-pw", None)
    assert found("http://other/store", {})[0] == "none"


def test_a_bar_on_a_terminal() -> None:
    import io

    from rich.console import Console
    from rich.progress import Progress

    from kg.cli.push import Bar
    out = io.StringIO()
    with Progress(console=Console(file=out, force_terminal=True, width=100)) as progress:
        bar = Bar(progress)
        bar.begin([GRAPH_BASE + "links", GRAPH_BASE + "ontology"], 20)
        bar.sent(GRAPH_BASE + "links", 10)
        bar.switching(2, 0)
    assert "50%" in out.getvalue() and "switching" in out.getvalue()
