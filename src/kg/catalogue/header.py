"""The header of a packaged query: the comment lines before its SPARQL.

A header is the run of ``#`` lines at the top of a ``.rq`` file (format in
docs/queries-format.md)::

    # title@en: Sectors of a region
    # title@zh: 地区布局的领域
    # description@en: Every sector the region's plans name,
    #   with how each plan treats it.
    # param: region type=region default=shandong example=zhejiang — the region
    # tags: region, sector
    # view: table

The first line that does not start with ``#`` ends the header; the SPARQL
follows. Any line the format does not allow stops the catalogue from loading
with a :class:`~kg.errors.CatalogueError` naming the file and line.

>>> h = parse("x.rq", "# title@en: T\\n# title@zh: 标\\n# description@en: D\\n#   more\\n"
...           "# view: table\\nSELECT * {}\\n")
>>> h.fields["description@en"].value, h.body_line
('D more', 6)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.errors import CatalogueError

SINGLE_KEYS = ("title@en", "title@zh", "description@en", "description@zh", "tags", "view",
               "evidence", "paging", "featured@en", "featured@zh")
REPEATED_KEYS = ("param",)
REQUIRED_KEYS = ("title@en", "title@zh", "description@en", "view")
_ENTRY = re.compile(r"^# (?P<key>[a-z]+(?:@[a-z]+)?):(?:[ \t]+(?P<value>.*))?$")
_CONTINUATION = re.compile(r"^#[ \t]{2,}(?P<value>\S.*)$")
_BLANK = re.compile(r"^#[ \t]*$")


@dataclass
class Entry:
    """One header entry: its value (continuations joined) and the line it starts on."""

    key: str
    value: str
    line: int


@dataclass
class Header:
    """The parsed header of one file."""

    path: str
    fields: dict[str, Entry] = field(default_factory=dict)
    params: list[Entry] = field(default_factory=list)
    body_line: int = 1  # 1-based line where the SPARQL starts

    def value(self, key: str, default: str = "") -> str:
        """The value of a single-valued key, or a default when absent."""
        entry = self.fields.get(key)
        return entry.value if entry else default

    def error(self, key: str, message: str) -> CatalogueError:
        """An error located at the line of a key (or at the top when it is absent)."""
        entry = self.fields.get(key)
        return CatalogueError(self.path, entry.line if entry else 1, message)


def parse(path: str, text: str) -> Header:
    """Parse the header of a query file; raise CatalogueError naming file and line."""
    header = Header(path)
    last: Entry | None = None
    lines = text.splitlines()
    number = 0
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#"):
            header.body_line = number
            break
        last = _line(header, number, line.rstrip(), last)
    else:
        header.body_line = number + 1
    _require(header)
    return header


def _line(header: Header, number: int, line: str, last: Entry | None) -> Entry | None:
    if _BLANK.match(line):
        return None
    more = _CONTINUATION.match(line)
    if more:
        if last is None:
            raise CatalogueError(header.path, number, "continuation line with nothing to continue")
        last.value = f"{last.value} {more.group('value').strip()}"
        return last
    match = _ENTRY.match(line)
    if match is None:
        raise CatalogueError(header.path, number, f"expected '# key: value', got {line!r}")
    return _add(header, Entry(match.group("key"), (match.group("value") or "").strip(), number))


def _add(header: Header, entry: Entry) -> Entry:
    if entry.key in REPEATED_KEYS:
        header.params.append(entry)
    elif entry.key in SINGLE_KEYS:
        if entry.key in header.fields:
            first = header.fields[entry.key].line
            raise CatalogueError(
                header.path, entry.line, f"duplicate key {entry.key!r} (first on line {first})"
            )
        header.fields[entry.key] = entry
    else:
        allowed = ", ".join(SINGLE_KEYS + REPEATED_KEYS)
        raise CatalogueError(
            header.path, entry.line, f"unknown header key {entry.key!r}; allowed: {allowed}"
        )
    return entry


def _require(header: Header) -> None:
    for key in REQUIRED_KEYS:
        entry = header.fields.get(key)
        if entry is None:
            raise CatalogueError(header.path, 1, f"missing header key {key!r}")
        if not entry.value:
            raise CatalogueError(header.path, entry.line, f"empty value for {key!r}")
