"""How much of each source the facts cover: its clauses, each covered (a located quote
overlaps it), marked out of scope by a curator (with a reason), or neither.

Clauses: the text is cut into sentences at 。！？；!?; and line breaks, and each sentence
into clauses at ，,：: — never inside “…”, 《…》 or (…) (a slogan, title or aside stays
whole), and never at 、 (the items of a list belong to one clause). A clause is what lies
between two cuts, without surrounding spaces; one with no letter, digit or CJK character
(“>”) is not counted.

Marks: ``sources/NAME.scope.toml`` beside ``sources/NAME….txt`` lists text a curator
leaves out, each with a reason::

    [[out-of-scope]]
    text = "科技"               # any run of the source's text: every clause it overlaps
    reason = "the page's section name"

    [[out-of-scope]]
    text = "延伸阅读:"          # with until: from there to the end of the first "…" after it
    until = "请版权拥有者通知本网处理。"
    reason = "page furniture after the article"

Marks name text, not offsets, so they survive edits elsewhere in the source; one whose
text is no longer in the source is reported (stale) and marks nothing.

>>> [c.text for c in clauses("甲说:“乙,丙”,丁、戊。\\n己;庚!")]
['甲说', '“乙,丙”', '丁、戊', '己', '庚']
>>> cov = measure("s", "甲,乙。丙。", [(0, 1)], [Mark("丙", "heading")])
>>> [(c.text, c.state) for c in cov.clauses], cov.percent
([('甲', 'covered'), ('乙', 'open'), ('丙', 'out of scope')], 66.7)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import settings
from kg.build import evidence, load
from kg.build.sources import collect
from kg.errors import NotFoundError, ProjectError
from kg.vocab import EVIDENCE_GRAPH, FI, XSD

SENTENCE_ENDS = frozenset("。！？；!?;\n")
CLAUSE_ENDS = frozenset("，,：:")
OPENING, CLOSING = "“《(（", "”》)）"
SCOPE_SUFFIX = ".scope.toml"


@dataclass(frozen=True)
class Clause:
    """A clause of a source: its text, code-point offsets and state."""

    start: int
    end: int
    text: str
    sentence: int
    state: str = "open"  # covered | out of scope | open
    reason: str = ""


@dataclass(frozen=True)
class Mark:
    """A run of text a curator leaves out of scope, and why."""

    text: str
    reason: str
    line: int | None = None
    until: str = ""


@dataclass
class Coverage:
    """The clauses of one source and what covers them."""

    source: str
    clauses: list[Clause]
    stale: list[Mark] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for c in self.clauses if c.state == state)

    @property
    def percent(self) -> float:
        """Clauses covered or marked out of scope, in percent (one decimal)."""
        done = self.count("covered") + self.count("out of scope")
        return round(100 * done / len(self.clauses), 1) if self.clauses else 100.0

    def figures(self) -> dict[str, Any]:
        return {"clauses": len(self.clauses), "covered": self.count("covered"),
                "out_of_scope": self.count("out of scope"), "open": self.count("open"),
                "percent": self.percent, "stale_marks": [m.text for m in self.stale]}


def clauses(text: str) -> list[Clause]:
    """The clauses of a text, in order (see the module's description)."""
    out: list[Clause] = []
    depth, start, sentence = 0, 0, 0
    for i, ch in enumerate(text + "\n"):
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING:
            depth = max(0, depth - 1)
        ends_sentence = ch in SENTENCE_ENDS and (depth == 0 or ch == "\n")
        if ends_sentence or (ch in CLAUSE_ENDS and depth == 0):
            _add(out, text, start, i, sentence)
            start = i + 1
            if ends_sentence:
                sentence += 1
                depth = 0
    return out


def _add(out: list[Clause], text: str, start: int, end: int, sentence: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if any(ch.isalnum() for ch in text[start:end]):
        out.append(Clause(start, end, text[start:end], sentence))


def measure(source: str, text: str, spans: list[tuple[int, int]],
            marks: list[Mark]) -> Coverage:
    """Each clause's state: covered when a located quote overlaps it, else out of scope
    when a mark's text does (every occurrence of it), else open."""
    marked: list[tuple[int, int, str]] = []
    stale = []
    for mark in marks:
        found = [(s, _end(text, mark, s)) for s in _occurrences(text, mark.text)]
        found = [(s, e) for s, e in found if e > s]
        stale += [] if found else [mark]
        marked += [(s, e, mark.reason) for s, e in found]
    out = []
    for c in clauses(text):
        if any(s < c.end and c.start < e for s, e in spans):
            out.append(Clause(c.start, c.end, c.text, c.sentence, "covered"))
            continue
        reason = next((r for s, e, r in marked if s < c.end and c.start < e), None)
        out.append(c if reason is None else
                   Clause(c.start, c.end, c.text, c.sentence, "out of scope", reason))
    return Coverage(source, out, stale)


def _end(text: str, mark: Mark, start: int) -> int:
    """Where a mark found at ``start`` ends: after its text, or after its ``until`` (-1 when
    that is not found after it)."""
    if not mark.until:
        return start + len(mark.text)
    at = text.find(mark.until, start)
    return at + len(mark.until) if at >= 0 else -1


def _occurrences(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle) if needle else -1
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def scope_file(text_file: Path) -> Path:
    """Where the marks of a source text lie.

    >>> scope_file(Path("sources/article.zh.txt")).as_posix()
    'sources/article.scope.toml'
    """
    return text_file.with_name(text_file.name.split(".")[0] + SCOPE_SUFFIX)


def marks(text_file: Path) -> list[Mark]:
    """The curator's marks for a source text (none when it has no scope file)."""
    path = scope_file(text_file)
    if not path.is_file():
        return []
    raw = path.read_text("utf-8")
    try:
        doc = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(str(path), None, str(exc)) from None
    out = []
    for i, entry in enumerate(doc.get("out-of-scope", []), 1):
        text, reason, until = entry.get("text"), entry.get("reason"), entry.get("until", "")
        if not (isinstance(text, str) and text and isinstance(reason, str) and reason
                and isinstance(until, str) and set(entry) <= {"text", "reason", "until"}):
            raise ProjectError(str(path), _line_of(raw, i), f"[[out-of-scope]] #{i}: "
                               "give text = \"…\" (a run of the source), reason = \"…\" "
                               "and, optionally, until = \"…\"")
        out.append(Mark(text, reason, _line_of(raw, i), until))
    return out


def _line_of(raw: str, n: int) -> int | None:
    """The line of the n-th ``[[out-of-scope]]`` header."""
    seen = 0
    for number, line in enumerate(raw.splitlines(), 1):
        if line.strip() == "[[out-of-scope]]":
            seen += 1
            if seen == n:
                return number
    return None


def of_located(located: evidence.Located) -> dict[str, Coverage]:
    """The coverage of every registered source, from what the evidence step found."""
    return {iri: measure(iri, t.text, located.spans.get(iri, []), marks(t.path))
            for iri, t in sorted(located.texts.items())}


def of_project(source: str | None = None) -> tuple[dict[str, Coverage], evidence.Located]:
    """The coverage of the project's sources (or of one: its IRI, its name such as
    ``article``, or its text file), from its files as they are now (nothing is built)."""
    sources = collect()
    store = Store()
    for s in sources:
        load.load_source(store, s)
    located = evidence.locate(store, sources, settings.resources().root)
    found = of_located(located)
    if source is None:
        return found, located
    chosen = {iri: c for iri, c in found.items()
              if source in (iri, iri.rsplit("/", 1)[-1], located.texts[iri].path.name,
                            str(located.texts[iri].path))}
    if not chosen:
        names = ", ".join(iri.rsplit("/", 1)[-1] for iri in found) or "none"
        raise NotFoundError(f"no registered source {source!r}; the sources with a text: {names}")
    return chosen, located


def quads(found: dict[str, Coverage]) -> list[Quad]:
    """Each source's coverage as statements about it, in the evidence graph.

    >>> [q.predicate.value.split("#")[1] for q in quads({"https://e/s": measure(
    ...     "https://e/s", "甲,乙。", [(0, 1)], [Mark("乙", "background")])})]
    ['clauseCount', 'clausesCovered', 'clausesOutOfScope', 'coveragePercent']
    """
    out = []
    for iri, c in sorted(found.items()):
        node = NamedNode(iri)
        values = [(FI.clauseCount, len(c.clauses)), (FI.clausesCovered, c.count("covered")),
                  (FI.clausesOutOfScope, c.count("out of scope"))]
        out += [Quad(node, p, Literal(str(n), datatype=XSD.integer), EVIDENCE_GRAPH)
                for p, n in values]
        out.append(Quad(node, FI.coveragePercent,
                        Literal(f"{c.percent:.1f}", datatype=XSD.decimal), EVIDENCE_GRAPH))
    return out
