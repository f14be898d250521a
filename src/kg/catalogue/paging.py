"""Pages of a packaged query's answer: an outer LIMIT/OFFSET that the runner applies.

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
Page(size=2, offset=6)
>>> Page.parse("all", None) is None
True
>>> Page.parse(None, "20")
Page(size=100, offset=20)
>>> Page.parse("0", None)
Traceback (most recent call last):
  ...
kg.errors.UsageError: limit must be a whole number from 1 to 999999999 or 'all', not '0'
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any

from pyoxigraph import QueryResultsFormat, parse_query_results

from kg import sparql
from kg.catalogue.query import StoredQuery
from kg.errors import UsageError
from kg.settings import DEFAULT_PAGE_SIZE
from kg.sparql.syntax import analyse, rewrite

ALL = "all"  # limit=all: every row, up to the row cap
LIMIT_PATTERN = r"^(all|[1-9][0-9]{0,8})$"
OFFSET_PATTERN = r"^[0-9]{1,9}$"
_LIMIT = re.compile(LIMIT_PATTERN)
_OFFSET = re.compile(OFFSET_PATTERN)


@dataclass(frozen=True)
class Page:
    """Rows ``offset`` … ``offset + size - 1`` of an answer (counted from 0)."""

    size: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    def __post_init__(self) -> None:
        if self.size < 1 or self.offset < 0:
            raise UsageError(f"a page needs a size of at least 1 and an offset of at least 0, "
                             f"not {self.size} and {self.offset}")

    @classmethod
    def parse(cls, limit: str | None, offset: str | None) -> Page | None:
        """A page from request or command-line text; None for ``limit=all`` from the start.

        An empty or missing limit is the default page size, an empty or missing offset 0.
        """
        start = _number(offset, _OFFSET, "offset", "a whole number from 0 to 999999999")
        if limit is None or limit == "":
            return cls(DEFAULT_PAGE_SIZE, start)
        if not _LIMIT.match(limit):
            raise UsageError(f"limit must be a whole number from 1 to 999999999 or "
                             f"{ALL!r}, not {limit!r}")
        if limit == ALL:
            return None if start == 0 else cls(10**9, start)
        return cls(int(limit), start)

    @classmethod
    def from_json(cls, data: Any) -> Page | None:
        """A page from :meth:`to_json` (as the server passes it to its workers)."""
        return None if data is None else cls(int(data[0]), int(data[1]))

    def to_json(self) -> list[int]:
        """``[size, offset]``."""
        return [self.size, self.offset]

    def next(self) -> Page:
        """The page after this one."""
        return Page(self.size, self.offset + self.size)

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

    def query(self, query: StoredQuery) -> StoredQuery:
        """The packaged query limited to this page (SELECT queries; others unchanged)."""
        if query.form != "select":
            return query
        return dataclasses.replace(query, text=self.text(query.text))

    def cut(self, result: sparql.Result) -> Paged:
        """The rows of this page, from the answer to :meth:`query` (one row more at most)."""
        if result.kind != "select":
            return Paged(result.kind, result.value, False, self)
        data = json.loads(result.serialize("json"))
        rows = data["results"]["bindings"]
        more = len(rows) > self.size
        if more:
            data["results"]["bindings"] = rows[: self.size]
        body = json.dumps(data).encode("utf-8")
        return Paged("select", parse_query_results(body, QueryResultsFormat.JSON), more, self)


@dataclass
class Paged(sparql.Result):
    """One page of an answer; ``truncated`` is true when more rows follow."""

    page: Page = dataclasses.field(default_factory=Page)

    @property
    def next_page(self) -> Page | None:
        """The page that follows, if the answer has more rows."""
        return self.page.next() if self.truncated else None


def _number(text: str | None, pattern: re.Pattern[str], name: str, expected: str) -> int:
    if text is None or text == "":
        return 0
    if not pattern.match(text):
        raise UsageError(f"{name} must be {expected}, not {text!r}")
    return int(text)
