"""A generator of hostile SPARQL: queries written every way a SERVICE (or LOAD) target can hide
in SPARQL's grammar (escapes, comments, strings, prefixed names, BASE, nesting), for the
differential tests that send them to pyoxigraph (tests/test_sparql_syntax.py) and to both
HTTP servers (tests/test_ssrf.py) while a loopback listener counts connections.

A query is built from a byte string Hypothesis draws (:class:`Choices`); :data:`B` stands for
the listener's base IRI until a test fills it in.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

B = "@B@"  # the listener's base IRI, filled in when a query runs
PREFIX_NAMES = ["", "e", "ex", "a.b", "x-y", "量子", "s1", "SERVICE", "SILENT", "sIlEnT", "svc"]
PREFIX_IRIS = [B, B + "ns/", B + "ns#", "ns/", "", "http://", "http://h:"]
LOCAL_PIECES = (["x", "Q1", "sparql", "service", "SERVICE", "a.b", "1", "_", "-", ".", "..",
                 "%41", "%7D", "%23", ":", "SILENT", "é", "量"]
                + ["\\" + c for c in "_~.-!$&'()*+,;=/?#@%"])
TEXT_PIECES = ["}", "{", "#", f"SERVICE <{B}sparql> {{ }}", "'", '"', "\\'", '\\"', "\\\\",
               "\\n", "\\u0022", "\\u0027", "\\u0041", "\\u0053ERVICE", "\n", "量子", " ", "x"]
KEYWORD_SPELLINGS = ["SERVICE", "service", "sErViCe", "\\u0053ERVICE", "SERVIC\\u0045",
                     "\\u0073ervice"]
SPACES = [" ", "", "\n", "\t", " # } SERVICE <x> {\n", "  "]


class Choices:
    """Fragment choices read from a byte string Hypothesis draws (and shrinks toward zeros).

    One draw per query keeps 10,000 examples fast; each byte picks among options, so a
    shrunk example takes the first options, the plainest fragments.
    """

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data or b"\0", 0

    def number(self, below: int) -> int:
        byte = self.data[self.at % len(self.data)] + self.at // len(self.data)
        self.at += 1
        return byte % below

    def pick(self, options: list[str]) -> str:
        return options[self.number(len(options))]

    def maybe(self) -> bool:
        return self.number(2) == 1


def local_name(c: Choices) -> str:
    return "".join(c.pick(LOCAL_PIECES) for _ in range(1 + c.number(4)))


def text_body(c: Choices) -> str:
    return "".join(c.pick(TEXT_PIECES) for _ in range(c.number(6)))


def string_literal(c: Choices) -> str:
    body, quote = text_body(c), c.pick(["'", '"', "'''", '"""'])
    if len(quote) == 1:
        body = body.replace("\n", "\\n")
    return quote + body + quote + c.pick(["", "", "@en", "@zh-Hans", f"^^<{B}t>", "^^e:t"])


def term(c: Choices) -> str:
    choice = c.number(7)
    if choice == 0:
        return c.pick(["?s", "?p", "?o", "$o", "?SERVICE", "?svc"])
    if choice == 1:
        return c.pick(PREFIX_NAMES) + ":" + local_name(c)
    if choice == 2:
        return c.pick([f"<{B}x>", "<x>", f"<{B}#SERVICE>", "<sparql>"])
    if choice == 3:
        return string_literal(c)
    if choice == 4:
        return c.pick(["1", "-2.5", "+3e2", ".5", "true", "[]", "_:b1", "()"])
    if choice == 5:
        return f"[ {predicate(c)} {c.pick(['?o', '1', 'x:y'])} ]"
    return "(" + " ".join(c.pick(["1", "?o", "'a'"]) for _ in range(c.number(3))) + ")"


def predicate(c: Choices) -> str:
    if c.number(4) == 0:
        return c.pick(["?p", "a", f"<{B}p>", "<p>"])
    name = c.pick(PREFIX_NAMES) + ":" + local_name(c)
    return name + c.pick(["", "*", "+", "?", "/" + name, "|^" + name])


def service_clause(c: Choices) -> str:
    """A SERVICE clause pointing at the listener, written in one of many ways."""
    keyword, silent = c.pick(KEYWORD_SPELLINGS), c.pick(["", "SILENT", "silent", "SiLeNt"])
    target = c.pick([
        f"<{B}sparql>", "<sparql>", "<./sparql>", "e:sparql", "e:sp\\.arql", "e:%73parql",
        ":sparql", "svc:sparql", "SILENT:sparql", "?svc", "$svc", f"<{B}\\u0073parql>",
        f"<{B}sparql#SERVICE>"])
    body = c.pick(["{ }", "{}", "{ ?s ?p ?o }", "{ ?s ?p 'SERVICE <x> {}' }"])
    gaps = [c.pick(SPACES) for _ in range(3)]
    return f"{keyword}{gaps[0] or ' '}{silent}{gaps[1] if silent else ''}{target}{gaps[2]}{body}"


def expression(c: Choices) -> str:
    left = c.pick(["?o", "?s", "STR(?o)", "LCASE(?o)", "?o + 1", "-?o"])
    op = c.pick(["<", "<=", ">", ">=", "=", "!=", " < ", " IN ", " NOT IN "])
    right = term(c)
    if "IN" in op:
        right = f"({right}, 1)"
    return left + op + right + c.pick(["", " && BOUND(?o)", " || CONTAINS(STR(?o), 'x')"])


def element(c: Choices, depth: int) -> str:
    choice = c.number(14 if depth < 2 else 9)
    if choice <= 2:
        return f"{term(c)} {predicate(c)} {term(c)}"
    simple = {
        3: lambda: "# " + text_body(c).replace("\n", " ") + "\n",
        4: lambda: f"FILTER({expression(c)})",
        5: lambda: f"BIND({term(c)} AS ?b{c.number(4)})",
        6: lambda: "VALUES ?v { " + " ".join(term(c) for _ in range(c.number(3))) + " }",
        7: lambda: service_clause(c),
        8: lambda: c.pick(HOSTILE_SNIPPETS),
    }
    if choice in simple:
        return simple[choice]()
    keyword = c.pick(["", "OPTIONAL ", "MINUS ", "GRAPH ?g ", "FILTER EXISTS ", "{ } UNION "])
    return keyword + "{ " + body(c, depth + 1) + " }"


def body(c: Choices, depth: int = 0) -> str:
    return "".join(element(c, depth) + c.pick([" . ", " ", "\n", " .\n", " # c }\n"])
                   for _ in range(c.number(4 if depth else 6)))


def prologue(c: Choices) -> str:
    parts = []
    if c.maybe():
        parts.append(f"BASE <{c.pick([B, B + 'sub/', 'http://elsewhere/'])}>")
    parts += [f"PREFIX {name}: <{c.pick(PREFIX_IRIS)}>" for name in PREFIX_NAMES
              if c.number(10)]  # most prefixes declared, so most names resolve
    return c.pick(["\n", " ", "# header } SERVICE <x> {\n"]).join(parts)


def query(c: Choices) -> str:
    form = c.pick(["SELECT *", "SELECT ?s", "select distinct ?o", "ASK", "CONSTRUCT { ?s ?p ?o }"])
    where = c.pick([" WHERE ", " where", " "])
    tail = c.pick(["", " LIMIT 5", " ORDER BY ?s", " # } SERVICE <x> {", " VALUES ?s { 1 }"])
    if form == "ASK" or form.startswith("CONSTRUCT"):
        tail = tail.replace(" VALUES ?s { 1 }", "")
    return f"{prologue(c)}\n{form}{where}{{ {body(c)} }}{tail}"


HOSTILE_SNIPPETS = [
    "?s ?p e:a.b.SERVICE:sparql { }",
    "?s ?p e:SERVICE:sparql { }",
    "SERVICE SILENT:sparql { }",
    "SERVICE:sparql { }",
    '?s ?p "\\u0022" . SERVICE <@B@sparql> { } ?s ?p "\\u0022"',
    "?s e:x\\# ?o } SERVICE <@B@sparql> { ?s ?p ?o",
    "?s e:a\\' ?o SERVICE <@B@sparql> { } FILTER(?o != 'y')",
    "FILTER(?a<?b) SERVICE <@B@sparql> { } FILTER(?b>?a)",
    "?s ?p ?o # \\u000A SERVICE <@B@sparql> { }\n",
    "?s ?p '''SERVICE <@B@sparql> { } ''' ",
    "?s ?p ?o . \\u0053ERVICE <@B@sparql> { }",
]
BYTES = st.binary(min_size=48, max_size=160)


QUERY_BYTES = 160  # of a batch's draw per query
BATCH = 10  # queries per Hypothesis example, in :data:`BATCHES`
BATCHES = st.binary(min_size=BATCH * QUERY_BYTES, max_size=BATCH * QUERY_BYTES)


def batch(data: bytes) -> list[str]:
    """The :data:`BATCH` queries one draw of :data:`BATCHES` makes (many queries per example:
    Hypothesis's own cost per example is most of the time of one-query examples).

    >>> zeros = batch(bytes(BATCH * QUERY_BYTES))  # what Hypothesis shrinks toward
    >>> len(zeros), zeros[0]
    (10, '\\nSELECT * WHERE {  }')
    """
    return [query(Choices(data[i * QUERY_BYTES:(i + 1) * QUERY_BYTES])) for i in range(BATCH)]


GENERATED = 10_000  # queries in :func:`corpus`


@functools.cache
def corpus() -> tuple[str, ...]:
    """:data:`GENERATED` queries drawn by Hypothesis (derandomized: the same every run), ten
    per example; made once per test session and shared by the tests that send them.
    Hypothesis does not shrink a failing query here: the tests name it."""
    found: list[str] = []

    @settings(max_examples=GENERATED // BATCH, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=BATCHES)
    def collect(data: bytes) -> None:
        found.extend(batch(data))

    collect()
    return tuple(found)
