"""Pages of a packaged query's answer: by key where the question allows it, else by offset.

A page is an option of the runner, never a SPARQL parameter: its size and offset are
checked integers, written into the query's outermost solution modifiers (read with the
grammar, :mod:`kg.sparql.syntax`) the way :func:`kg.sparql.limiter` writes the row cap.
A query's own trailing ``LIMIT``/``OFFSET`` (a ranking's first 100) is kept: the page
lies inside it. One row more than the page is asked for, so the answer tells whether
another page follows.

>>> page = Page(size=2, offset=4)
>>> page.text("SELECT * { ?s ?p ?o } ORDER BY ?s")
'SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 3 OFFSET 4'
>>> page.text("SELECT * { ?s ?p ?o } LIMIT 5")  # its own 5 rows leave one for this page
'SELECT * { ?s ?p ?o }  LIMIT 1 OFFSET 4'
>>> page.next()
Page(size=2, offset=6, after=None)
>>> Page.parse("all", None) is None
True
>>> Page.parse(None, "20")
Page(size=100, offset=20, after=None)
>>> Page.parse("0", None)
Traceback (most recent call last):
  ...
kg.errors.UsageError: limit must be a whole number from 1 to 999999999 or 'all', not '0'

**Pages by key.** Skipping rows costs: pyoxigraph evaluates every skipped row, so a page
far down a long answer by ``OFFSET`` is slow. A question that says ``# paging: key``
(its order must be total: ties could come in another order on a later page) and whose
rows come in the order of a sorting sub-select that opens its WHERE group (a
:class:`~kg.sparql.syntax.Driver` ordered by plain variables, the outer query only
looking things up for each of its rows: no ORDER BY, GROUP BY or aggregate of its own)
is paged by key instead: the next page's :class:`Key` holds the ORDER BY values of the
last row shown and how many rows with those values were shown; the query for that page
gets, inside the sub-select, a ``FILTER`` keeping the rows whose values sort at or after
them (the values bound as terms, never written into the text), and skips only the rows
already shown with equal values. The rows are those OFFSET paging gives, row for row. A
key travels as an opaque token (:meth:`Key.token`), checked when read back: its
question's text, its variables, its terms parsed as RDF terms.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Variable,
    parse,
    parse_query_results,
)

from kg import sparql
from kg.catalogue.query import StoredQuery
from kg.errors import UsageError
from kg.settings import DEFAULT_PAGE_SIZE, PAGE_TOKEN_MAX_CHARS
from kg.sparql.syntax import Analysis, Driver, analyse, rewrite

ALL = "all"  # limit=all: every row, up to the row cap
LIMIT_PATTERN = r"^(all|[1-9][0-9]{0,8})$"
OFFSET_PATTERN = r"^[0-9]{1,9}$"
AFTER_PATTERN = rf"^[A-Za-z0-9_-]{{1,{PAGE_TOKEN_MAX_CHARS}}}$"
_LIMIT = re.compile(LIMIT_PATTERN)
_OFFSET = re.compile(OFFSET_PATTERN)
_AFTER = re.compile(AFTER_PATTERN)
_BOUND = "_kg_after"  # prefix of the variables the key's terms are bound to
Term = NamedNode | Literal


@dataclass(frozen=True)
class Key:
    """Where a page starts in a question's order: the ORDER BY values (None: unbound) of
    the last row before it, and how many rows with exactly those values came before it.

    >>> key = Key(200, "0123456789abcdef", ("due", "target"),
    ...           (Literal("2025"), NamedNode("http://e/t")), 3)
    >>> Key.parse(key.token()) == key
    True
    >>> Key.parse("nonsense")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: after: not a page token of this server (start again from the first page)
    """

    offset: int  # the first row of the page, counted from 0 (as OFFSET paging counts)
    question: str  # digest of the question's text: a token is for one question only
    names: tuple[str, ...]
    values: tuple[Term | None, ...]
    seen: int  # rows with these values already shown

    def token(self) -> str:
        """The key as URL-safe text."""
        data = [self.offset, self.question, list(self.names),
                [None if v is None else str(v) for v in self.values], self.seen]
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def parse(cls, token: str) -> Key:
        """A key from :meth:`token`; UsageError for anything else."""
        try:
            if not _AFTER.match(token):
                raise ValueError(token)
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            offset, question, names, values, seen = data
            if not (_whole(offset) and _whole(seen) and isinstance(question, str)
                    and isinstance(names, list) and isinstance(values, list)
                    and len(names) == len(values) > 0
                    and all(isinstance(n, str) and n.isidentifier() for n in names)):
                raise ValueError(token)
            return cls(offset, question, tuple(names), tuple(map(_term, values)), seen)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError,
                SyntaxError) as exc:
            raise UsageError("after: not a page token of this server "
                             "(start again from the first page)") from exc


def _whole(value: Any) -> bool:
    return type(value) is int and 0 <= value < 10**9


def _term(text: Any) -> Term | None:
    """An IRI or a literal from its N-Triples text (None stays None), parsed as RDF."""
    if text is None:
        return None
    if not isinstance(text, str) or "\n" in text or "\r" in text:
        raise ValueError(text)
    found = list(parse(f"<urn:kg:s> <urn:kg:p> {text} .".encode(),
                       format=RdfFormat.N_TRIPLES))
    if len(found) != 1 or not isinstance(found[0].object, NamedNode | Literal):
        raise ValueError(text)
    return found[0].object


def digest(text: str) -> str:
    """The digest of a question's text a key carries (16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def keyed(found: Analysis) -> Driver | None:
    """The driver a question is paged by, if its shape allows paging by key.

    >>> q = ("SELECT ?s ?l { { SELECT ?s ?k { ?s <p:k> ?k } ORDER BY ?k ?s } "
    ...      "OPTIONAL { ?s <p:l> ?l } }")
    >>> keyed(analyse(q)).order
    (('k', False), ('s', False))
    >>> keyed(analyse(q + " ORDER BY ?l")) is None  # an outer order sorts every row anyway
    True
    """
    driver = found.driver
    if (found.kind != "select" or found.grouped or found.outer_order
            or found.outer_limit is not None or found.outer_offset is not None
            or found.projection_end is None or driver is None or driver.limited
            or not driver.order):
        return None
    if not {name for name, _ in driver.order} <= set(driver.names):
        return None
    return driver


@dataclass(frozen=True)
class Page:
    """Rows ``offset`` … ``offset + size - 1`` of an answer (counted from 0); ``after``:
    where they start in the question's order, when it is paged by key."""

    size: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    after: Key | None = None

    def __post_init__(self) -> None:
        if self.size < 1 or self.offset < 0:
            raise UsageError(f"a page needs a size of at least 1 and an offset of at least 0, "
                             f"not {self.size} and {self.offset}")

    @classmethod
    def parse(cls, limit: str | None, offset: str | None,
              after: str | None = None) -> Page | None:
        """A page from request or command-line text; None for ``limit=all`` from the start.

        An empty or missing limit is the default page size, an empty or missing offset 0
        (or the offset of the ``after`` token, which an offset given too must equal).
        """
        start = _number(offset, _OFFSET, "offset", "a whole number from 0 to 999999999")
        key = Key.parse(after) if after else None
        if key is not None:
            if offset not in (None, "") and start != key.offset:
                raise UsageError(f"offset {start} is not where the 'after' token's page "
                                 f"starts ({key.offset}); give one of them")
            start = key.offset
        if limit is None or limit == "":
            return cls(DEFAULT_PAGE_SIZE, start, key)
        if not _LIMIT.match(limit):
            raise UsageError(f"limit must be a whole number from 1 to 999999999 or "
                             f"{ALL!r}, not {limit!r}")
        if limit == ALL:
            return None if start == 0 else cls(10**9, start, key)
        return cls(int(limit), start, key)

    @classmethod
    def from_json(cls, data: Any) -> Page | None:
        """A page from :meth:`to_json` (as the server passes it to its workers)."""
        if data is None:
            return None
        key = Key.parse(data[2]) if len(data) > 2 and data[2] else None
        return cls(int(data[0]), int(data[1]), key)

    def to_json(self) -> list[Any]:
        """``[size, offset, after token or None]``."""
        return [self.size, self.offset, self.after.token() if self.after else None]

    def next(self, after: Key | None = None) -> Page:
        """The page after this one (by key when ``after`` is given)."""
        return Page(self.size, self.offset + self.size, after)

    def capped(self, row_cap: int) -> Page:
        """The page, no larger than the row cap."""
        return dataclasses.replace(self, size=min(self.size, row_cap))

    def text(self, query: str) -> str:
        """The query limited to this page, plus one row (which tells whether more follow):
        its outermost LIMIT and OFFSET, read with the grammar, replaced by the page's."""
        found = analyse(query)
        limit, offset = self.size + 1, self.offset
        own = [m for m in (found.outer_limit, found.outer_offset) if m is not None]
        if found.outer_limit is not None:
            limit = max(0, min(limit, found.outer_limit.value - self.offset))
        if found.outer_offset is not None:
            offset += found.outer_offset.value
        clause = f"LIMIT {limit} OFFSET {offset}" if offset else f"LIMIT {limit}"
        at = found.modifiers_end if found.modifiers_end is not None else len(query)
        edits = [(m.start, m.end, "") for m in own] + [(at, at, " " + clause)]
        return rewrite(query, edits)

    def keyed_text(self, query: str, driver: Driver, found: Analysis) -> str:
        """The query of this page by key: the driver's ORDER BY variables projected (so
        the page tells the next one's key), the key's terms (bound to ``?_kg_after…``)
        projected by the driver and the query (pyoxigraph binds projected variables only),
        a FILTER in the driver keeping its rows at or after the key, and
        ``LIMIT size+1 OFFSET seen``.

        >>> q = "SELECT ?s { { SELECT ?s ?k { ?s <p:k> ?k } ORDER BY DESC(?k) } }"
        >>> key = Key(2, digest(q), ("k",), (Literal("x"),), 1)
        >>> found = analyse(q)
        >>> text = Page(2, 2, key).keyed_text(q, found.driver, found)
        >>> text.split("{")[0], text.split("}")[-1]
        ('SELECT ?s ?k ?_kg_after0 ', ' LIMIT 3 OFFSET 1')
        >>> text[text.index("FILTER"):text.index(") }") + 1]
        'FILTER((!BOUND(?k) || !isLITERAL(?k) || ?k < ?_kg_after0) || sameTerm(?k, ?_kg_after0))'
        """
        assert driver.order is not None and found.projection_end is not None
        order = driver.order
        hidden = "".join(f" ?{name}" for name, _ in order if name not in found.projection)
        at = found.modifiers_end if found.modifiers_end is not None else len(query)
        skip = self.offset if self.after is None else self.after.seen
        clause = f"LIMIT {self.size + 1} OFFSET {skip}" if skip else f"LIMIT {self.size + 1}"
        edits = [(at, at, " " + clause)]
        if self.after is None:  # the first page, or one asked for by offset
            return rewrite(query, [*edits, (found.projection_end, found.projection_end, hidden)])
        bound = "".join(f" ?{_BOUND}{i}" for i, v in enumerate(self.after.values)
                        if v is not None)
        terms = [(name, desc, value, f"?{_BOUND}{i}")
                 for i, ((name, desc), value) in enumerate(zip(order, self.after.values,
                                                               strict=True))]
        edits += [(found.projection_end, found.projection_end, hidden + bound),
                  (driver.projection_end, driver.projection_end, bound),
                  (driver.where_end, driver.where_end, f" FILTER({_at_or_after(terms)}) ")]
        return rewrite(query, edits)

    def query(self, query: StoredQuery) -> StoredQuery:
        """The packaged query limited to this page (SELECT queries; others unchanged)."""
        if query.form != "select":
            return query
        found = analyse(query.text)
        driver = keyed(found) if query.paging == "key" else None
        if self.after is not None and (driver is None
                                       or self.after.question != digest(query.text)):
            raise UsageError(f"after: the token is not for this version of question "
                             f"{query.name!r} (start again from the first page)")
        if driver is None:
            return dataclasses.replace(query, text=self.text(query.text))
        assert driver.order is not None
        names = tuple(name for name, _ in driver.order)
        if self.after is not None and self.after.names != names:
            raise UsageError(f"after: the token is not for this version of question "
                             f"{query.name!r} (start again from the first page)")
        return dataclasses.replace(query, text=self.keyed_text(query.text, driver, found))

    def substitutions(self) -> dict[Variable, Term]:
        """The key's terms, for the variables :meth:`keyed_text` compares with."""
        if self.after is None:
            return {}
        return {Variable(f"{_BOUND}{i}"): v for i, v in enumerate(self.after.values)
                if v is not None}

    def cut(self, result: sparql.Result, question: StoredQuery | None = None) -> Paged:
        """The rows of this page, from the answer to :meth:`query` (one row more at most);
        with the ``question``, the key of the page after it when it is paged by key."""
        if result.kind != "select":
            return Paged(result.kind, result.value, False, self)
        data = json.loads(result.serialize("json"))
        rows = data["results"]["bindings"]
        more = len(rows) > self.size
        rows = rows[: self.size]
        found = analyse(question.text) if question is not None else None
        driver = keyed(found) if found is not None and question is not None \
            and question.paging == "key" else None
        after = None
        if more and driver is not None and found is not None and question is not None:
            after = self._next_key(rows, driver, digest(question.text))
        if driver is not None and found is not None:
            keep = set(found.projection)
            data["head"]["vars"] = [v for v in data["head"]["vars"] if v in keep]
            rows = [{k: v for k, v in row.items() if k in keep} for row in rows]
        data["results"]["bindings"] = rows
        body = json.dumps(data).encode("utf-8")
        value = parse_query_results(body, QueryResultsFormat.JSON)
        return Paged("select", value, more, self, after)

    def _next_key(self, rows: list[dict[str, Any]], driver: Driver,
                  question: str) -> Key | None:
        """The key of the next page; None when this page, asked for by offset, holds only
        rows with one key (rows before it may share it, uncounted: the next page goes
        by offset too)."""
        assert driver.order is not None
        names = tuple(name for name, _ in driver.order)
        solutions = parse_query_results(
            json.dumps({"head": {"vars": list(names)},
                        "results": {"bindings": [{n: r[n] for n in names if n in r}
                                                 for r in rows]}}).encode("utf-8"),
            QueryResultsFormat.JSON)
        assert isinstance(solutions, QuerySolutions)
        keys = [tuple(s[n] for n in names) for s in solutions]
        last, seen = keys[-1], 0
        for key in reversed(keys):
            if key != last:
                break
            seen += 1
        if seen == len(keys) and self.offset > 0:
            if self.after is None:
                return None
            if self.after.values == last:
                seen += self.after.seen
        return Key(self.offset + self.size, question, names, last, seen)


def _at_or_after(terms: list[tuple[str, bool, Term | None, str]]) -> str:
    """The FILTER that keeps rows sorting at or after the key's values, in the order
    pyoxigraph's ORDER BY gives (unbound, then IRIs by their text, then literals), for
    keys of one datatype each."""
    name, desc, value, bound = terms[0]
    var = f"?{name}"
    if value is None:
        after = "false" if desc else f"BOUND({var})"
        same = f"!BOUND({var})"
    elif isinstance(value, NamedNode):
        after = (f"(!BOUND({var}) || isBLANK({var}) || (isIRI({var}) && STR({var}) < STR({bound})))"
                 if desc else
                 f"(isLITERAL({var}) || (isIRI({var}) && STR({var}) > STR({bound})))")
        same = f"sameTerm({var}, {bound})"
    else:
        after = (f"(!BOUND({var}) || !isLITERAL({var}) || {var} < {bound})" if desc
                 else f"(isLITERAL({var}) && {var} > {bound})")
        same = f"sameTerm({var}, {bound})"
    rest = _at_or_after(terms[1:]) if len(terms) > 1 else "true"
    if rest == "true":
        return f"{after} || {same}"
    return f"{after} || ({same} && ({rest}))"


@dataclass
class Paged(sparql.Result):
    """One page of an answer; ``truncated`` is true when more rows follow."""

    page: Page = dataclasses.field(default_factory=Page)
    after: Key | None = None  # where the next page starts, when paged by key

    @property
    def next_page(self) -> Page | None:
        """The page that follows, if the answer has more rows."""
        return self.page.next(self.after) if self.truncated else None


def _number(text: str | None, pattern: re.Pattern[str], name: str, expected: str) -> int:
    if text is None or text == "":
        return 0
    if not pattern.match(text):
        raise UsageError(f"{name} must be {expected}, not {text!r}")
    return int(text)
