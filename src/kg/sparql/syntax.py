r"""SPARQL 1.1 query and update text, read by its grammar rather than by patterns.

Every decision about a query (its form, the endpoints it calls with SERVICE,
the graphs it LOADs, its outermost LIMIT) is taken from the terminals of the
SPARQL 1.1 grammar (§19.8) and a recursive-descent reading of its productions,
so escaped local names (``e:x\#``), codepoint escapes (``\u0053ERVICE``),
comments and strings cannot hide a clause from it.

>>> a = analyse('PREFIX e: <http://e/>\n'
...             r'SELECT * { OPTIONAL { ?s e:x\# ?o } SERVICE <http://h/sparql> { ?s ?p ?o } }')
>>> a.kind, a.services
('select', ('http://h/sparql',))

The module also reads what pyoxigraph (the engine behind the endpoint) reads
beyond SPARQL 1.1: ``LATERAL``, ``ADJUST``, ``VERSION``, and the SPARQL 1.2
triple terms ``<<( … )>>``, reified triples ``<< … >>``, annotations ``{| … |}``
and ``~`` reifiers, language directions ``@en--ltr`` and the 1.2 functions.

What it reports must be what pyoxigraph runs, so where pyoxigraph's reading of the
text differs from the specification's and the difference could hide a SERVICE or
LOAD, the text is refused with a QueryError rather than guessed at:

- codepoint escapes (``\uXXXX``, ``\UXXXXXXXX``) are decoded before the grammar, as
  the specification says, but pyoxigraph decodes them only inside strings and IRIs:
  an escape that would end or escape a string or IRI (its own quote, a backslash, a
  delimiter) is refused. (A backslash that is itself escaped, ``"\\u0041"``, does
  not start an escape.) Elsewhere pyoxigraph refuses the escape itself;
- pyoxigraph ends a local name at its second run of dots (``e:a.b.SERVICE:x`` is
  ``e:a.b . SERVICE :x`` to it): such names are refused (escape the dots, ``\.``);
- pyoxigraph reads keywords without word boundaries, so ``SERVICE SILENT:x`` is
  SILENT and ``:x`` to it (``LOAD SILENTx:y`` is SILENT and ``x:y``): a SERVICE or
  LOAD target whose prefix starts with SILENT is refused unless SILENT precedes it;
- when ``prefix + local name`` is not a valid IRI (``PREFIX e: <http://>``),
  pyoxigraph falls back to ``e:`` and reads the local name as further tokens: a local
  name starting with SERVICE and holding a ':' is refused.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, ClassVar, NamedTuple

from kg import settings
from kg.errors import QueryError

__all__ = [
    "MAX_DEPTH",
    "Analysis",
    "Driver",
    "Modifier",
    "Token",
    "analyse",
    "rewrite",
    "substitute",
    "syntax_error",
    "tokenize",
    "with_limit",
]

MAX_DEPTH = 256  # deepest bracket nesting read; deeper text is refused before parsing

# ------------------------------------------------------------------ terminals (§19.8)



def _words(text: str) -> list[str]:
    return text.split()


_B = (  # PN_CHARS_BASE [164]
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_U = _B + "_"  # PN_CHARS_U [165]
_VC = _U + "0-9\u00b7\u0300-\u036f\u203f\u2040"  # VARNAME continuation [166]
_C = _VC + "\\-"  # PN_CHARS [167]
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"  # PLX, PERCENT, HEX, PN_LOCAL_ESC [170..173]
_ECHAR = r"\\[tbnrf\"'\\]"
_IRIREF = r'<[^<>"{}|^`\\\x00-\x20]*+>'
_NAMED = frozenset({"PNAME", "VAR", "BLANK_NODE_LABEL"})  # the rules with name characters


def _wide(chars: str) -> str:
    r"""A character class holding the ASCII characters of ``[chars]`` and every non-ASCII
    character, written as the ASCII characters it leaves out (Python compiles a class in
    time proportional to the code points it lists: the grammar's classes take ~150 ms
    to compile, these ~1 ms).

    >>> _wide("A-Za-z_0-9")
    '[^\\x00-\\x2f\\x3a-\\x40\\x5b-\\x5e\\x60\\x7b-\\x7f]'
    >>> bool(re.fullmatch(_wide("a"), "é")), bool(re.fullmatch(_wide("a"), "b"))
    (True, False)
    """
    ascii_part = re.compile("[" + re.sub(r"[^\x00-\x7f](?:-[^\x00-\x7f])?", "", chars) + "]")
    runs: list[list[int]] = []
    for code in range(128):
        if ascii_part.fullmatch(chr(code)):
            continue
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[^" + "".join(f"\\x{a:02x}" if a == b else f"\\x{a:02x}-\\x{b:02x}"
                          for a, b in runs) + "]"


def _token_rules(wide: bool) -> tuple[tuple[str, str], ...]:
    """The terminals, each a named regex; ``wide``: name characters include every
    non-ASCII character (a name so read that holds one is read again exactly)."""
    def cls(chars: str) -> str:
        return _wide(chars) if wide else f"[{chars}]"

    # Dots may not end a name: a run of dots is taken only when a name character follows.
    pn_prefix = rf"{cls(_B)}(?:{cls(_C)}|\.++(?={cls(_C)}))*+"
    pn_local = (rf"(?:{cls(_U + ':0-9')}|{_PLX})(?:{cls(_C + ':')}|{_PLX}"
                rf"|\.++(?={cls(_C + ':')}|{_PLX}))*+")
    return (
        ("COMMENT", r"\#[^\r\n]*+"),
        ("IRIREF", _IRIREF),
        ("PNAME", rf"(?:{pn_prefix})?:(?:{pn_local})?"),
        ("WORD", r"[A-Za-z][A-Za-z0-9_]*+"),
        ("VAR", rf"[?$]{cls(_U + '0-9')}{cls(_VC)}*+"),
        ("NUMBER", r"[+-]?(?:[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+"
                   r"|[0-9]*\.[0-9]+|[0-9]+)"),
        ("STRING_LITERAL_LONG1", rf"'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}))*+'''"),
        ("STRING_LITERAL_LONG2", rf'"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}))*+"""'),
        ("STRING_LITERAL1", rf"'(?:[^'\\\n\r]|{_ECHAR})*+'"),
        ("STRING_LITERAL2", rf'"(?:[^"\\\n\r]|{_ECHAR})*+"'),
        ("BLANK_NODE_LABEL", rf"_:{cls(_U + '0-9')}(?:{cls(_C)}|\.++(?={cls(_C)}))*+"),
        ("LANGTAG", r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?"),
        ("NIL", r"\([ \t\r\n]*+\)"),
        ("ANON", r"\[[ \t\r\n]*+\]"),
        # '<<' only where no IRIREF starts at its second '<' (then it is '<' and an IRI)
        ("PUNCT", r"<<\(|\)>>|<<(?![^<>\"{}|^`\\\x00-\x20]*+>)|>>|\^\^|\|\||&&|!=|<=|>="
                  r"|\{\||\|\}|[{}()\[\].,;*/+\-!=<>?^|~]"),
        ("EOF", r"\Z"),
    )


@dataclass(frozen=True)
class _Terminals:
    """The compiled terminals: ``master`` reads any token, ``no_pname`` any but a prefixed
    name (inside a run of name characters known to hold no ':'), ``name_run`` such a run;
    ``groups``: rule names by group number (0, which never matches alone, stands for EOF).
    """

    master: re.Pattern[str]
    no_pname: re.Pattern[str]
    name_run: re.Pattern[str]
    groups: Mapping[re.Pattern[str], list[str]]

    @classmethod
    def compile(cls, wide: bool) -> _Terminals:
        def master(skip_pname: bool) -> re.Pattern[str]:
            rules = [f"(?P<{name}>{rx})" for name, rx in _token_rules(wide)
                     if not (skip_pname and name == "PNAME")]
            return re.compile(r"[ \t\r\n]*+(?:" + "|".join(rules) + ")")

        one, other = master(False), master(True)
        run = re.compile(f"(?:{_wide(_C) if wide else f'[{_C}]'}|\\.)*+")
        groups = {rx: ["EOF", *sorted(rx.groupindex, key=rx.groupindex.__getitem__)]
                  for rx in (one, other)}
        return cls(one, other, run, groups)


# Text is read with the wide terminals, quick to compile; a name that holds a non-ASCII
# character is read again with the grammar's own (compiled when first needed). Both read
# an ASCII name alike, and the wide reading of a name is never shorter.
_WIDE = _Terminals.compile(wide=True)


@functools.cache
def _exact() -> _Terminals:
    return _Terminals.compile(wide=False)


_WS = re.compile(r"[ \t\r\n]*+")
_DOT_RUN = re.compile(r"\\.|(\.+)")  # group 1: a run of unescaped dots
_CODEPOINT = re.compile(r"(?<!\\)(\\++)(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")

_KEYWORDS = frozenset(_words(
    """BASE PREFIX VERSION SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED
    GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD
    TO MOVE COPY INSERT DATA DELETE WITH USING DEFAULT GRAPH ALL OPTIONAL SERVICE BIND UNDEF
    MINUS UNION FILTER LATERAL IN NOT EXISTS SEPARATOR TRUE FALSE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT BOUND BNODE RAND NOW UUID STRUUID CONCAT
    COALESCE"""))
_ARITY: dict[str, tuple[int, int]] = {
    **dict.fromkeys(_words(
        """STR LANG LANGDIR DATATYPE IRI URI ABS CEIL FLOOR ROUND STRLEN UCASE LCASE
        ENCODE_FOR_URI YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ MD5 SHA1 SHA256 SHA384
        SHA512 ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC HASLANG HASLANGDIR SUBJECT PREDICATE
        OBJECT ISTRIPLE"""), (1, 1)),
    **dict.fromkeys(_words(
        """LANGMATCHES CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER STRLANG STRDT SAMETERM
        ADJUST"""), (2, 2)),
    **dict.fromkeys(_words("IF STRLANGDIR TRIPLE"), (3, 3)),
    "REGEX": (2, 3), "SUBSTR": (2, 3), "REPLACE": (3, 4),
}
_ALL_KEYWORDS = _KEYWORDS | _ARITY.keys()
_AGGREGATES = frozenset(_words("COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT"))
_NIL_CALLS = frozenset(_words("RAND NOW UUID STRUUID"))
_BUILTINS = _AGGREGATES | _NIL_CALLS | _ARITY.keys() | {
    "BOUND", "BNODE", "CONCAT", "COALESCE", "EXISTS", "NOT"}
_QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
_UPDATE_OPS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_LITERALS = frozenset({"string", "number", "signed", "TRUE", "FALSE"})
_TERMS = _LITERALS | {"var", "iri", "bnode", "anon", "nil", "<<("}
_TRIPLES_START = _TERMS | {"(", "[", "<<"}
_VERB_START = frozenset({"var", "iri", "a"})
_PATH_START = _VERB_START | {"^", "!", "("}
_RELATIONS = frozenset({"=", "!=", "<", ">", "<=", ">="})
_ARITHMETIC = frozenset({"+", "-", "*", "/"})
_OPERATORS = frozenset(_words(
    """|| && != <= >= ! | / ^ * + - = < > . , ; ? ~ UNION OPTIONAL MINUS FILTER BIND LATERAL
    SERVICE GRAPH EXISTS signed"""))
_OPENERS = frozenset({"{", "(", "[", "<<(", "<<", "{|"})
_CLOSERS = frozenset({"}", ")", "]", ")>>", ">>", "|}"})
_SYM = {  # the sym of each terminal whose rule names it
    "IRIREF": "iri",
    "STRING_LITERAL1": "string", "STRING_LITERAL2": "string",
    "STRING_LITERAL_LONG1": "string", "STRING_LITERAL_LONG2": "string",
    "BLANK_NODE_LABEL": "bnode", "LANGTAG": "langtag", "NIL": "nil", "ANON": "anon",
}


class Token(NamedTuple):
    """One terminal of the SPARQL grammar.

    ``kind`` names the terminal (``IRIREF``, ``PNAME_LN``, ``VAR1``, ``INTEGER_NEGATIVE``,
    ``STRING_LITERAL_LONG2``, ``KEYWORD``, ``PUNCT`` …); ``text`` is the token as the
    grammar reads it (codepoint escapes decoded); ``start``/``end`` (offsets) and
    ``line``/``column`` (1-based) are positions in the user's own text; ``sym`` is what
    the parser matches on: an upper-cased keyword, ``a``, the punctuation itself, or a
    lower-case class: ``iri`` (IRIREF, PNAME_LN, PNAME_NS), ``var``, ``string``,
    ``number``, ``signed`` (a number with its sign), ``bnode``, ``anon``, ``nil``, ``langtag``.
    """

    kind: str
    text: str
    start: int
    end: int
    line: int
    column: int
    sym: str


_new_token = tuple.__new__  # Token(...) without the keyword handling of NamedTuple.__new__

# ------------------------------------------------------------------ positions and errors


def _excerpt(text: str, start: int, end: int | None = None) -> str:
    """A short, one-line excerpt of the text around an offset."""
    end = start + 1 if end is None else end
    snippet = text[max(0, start - 12): min(len(text), max(end, start + 1) + 12)]
    snippet = " ".join(snippet.split())
    return snippet if len(snippet) <= 40 else snippet[:39] + "…"


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _error(text: str, offset: int, message: str) -> QueryError:
    line, column = _line_col(text, offset)
    return QueryError(f"line {line}, column {column}: {message}")


# ------------------------------------------------------------------ codepoint escapes (§19.2)


class _Source:
    """The user's text, its escape-decoded form, and the map back to the user's offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.marks: list[int] = []  # decoded offset of each decoded escape
        self.shifts: list[int] = []  # characters saved by the escapes up to and including it
        self.decoded = self._decode(text) if ("\\u" in text or "\\U" in text) else text
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def _decode(self, text: str) -> str:
        parts: list[str] = []
        last = size = shift = 0
        for m in _CODEPOINT.finditer(text):
            if len(m.group(1)) % 2 == 0:  # the backslash before 'u' is itself escaped
                continue
            start = m.end(1) - 1
            code = int(m.group(2) or m.group(3), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise _error(text, start, f"invalid codepoint escape {text[start:m.end()]}")
            parts += (text[last:start], chr(code))
            size += start - last
            self.marks.append(size)
            size += 1
            shift += m.end() - start - 1
            self.shifts.append(shift)
            last = m.end()
        parts.append(text[last:])
        return "".join(parts)

    def original(self, offset: int) -> int:
        """The user's offset of a decoded offset (a boundary between characters)."""
        k = bisect.bisect_left(self.marks, offset)
        return offset + (self.shifts[k - 1] if k else 0)

    def escapes_in(self, start: int, end: int) -> Iterator[int]:
        """Decoded offsets of the escaped characters in [start, end)."""
        k = bisect.bisect_left(self.marks, start)
        while k < len(self.marks) and self.marks[k] < end:
            yield self.marks[k]
            k += 1


# ------------------------------------------------------------------ tokenizer


def _number_kind(text: str) -> str:
    kind = "DOUBLE" if ("e" in text or "E" in text) else "DECIMAL" if "." in text else "INTEGER"
    if text[0] == "+":
        return kind + "_POSITIVE"
    return kind + "_NEGATIVE" if text[0] == "-" else kind


class _Lexer:
    def __init__(self, source: _Source) -> None:
        self.src = source
        self.text = source.decoded
        self.raw: list[tuple[str, int, int, str]] = []  # kind, decoded start, end, sym
        self.no_colon = 0  # below this offset, a name run is known not to reach a ':'

    def run(self) -> list[Token]:
        text, pos, raw = self.text, 0, self.raw
        while True:
            m = self._match(_WIDE, pos)
            if m is None:
                raise self._unexpected(self._run_end(pos, _WS))
            index = m.lastindex or 0
            group = _WIDE.groups[m.re][index]
            if group in _NAMED and not text[m.start(index):m.end(index)].isascii():
                exact = _exact()
                m = self._match(exact, pos)
                if m is None:
                    raise self._unexpected(self._run_end(pos, _WS))
                index = m.lastindex or 0
                group = exact.groups[m.re][index]
            start, pos = m.span(index)
            if group == "PUNCT":
                raw.append(("PUNCT", start, pos, text[start:pos]))
            elif group in _SYM:
                raw.append((group, start, pos, _SYM[group]))
            elif group == "EOF":
                return self.finish()
            elif group != "COMMENT":
                pos = self.special(group, start, pos)

    def special(self, group: str, start: int, end: int) -> int:
        text = self.text[start:end]
        if group == "WORD":
            return self.word(start, end)
        if group == "PNAME":
            local = text[text.index(":") + 1:]
            self.check_local(local, start)
            self.raw.append(("PNAME_LN" if local else "PNAME_NS", start, end, "iri"))
        elif group == "VAR":
            self.raw.append(("VAR1" if text[0] == "?" else "VAR2", start, end, "var"))
        else:  # NUMBER
            sym = "signed" if text[0] in "+-" else "number"
            self.raw.append((_number_kind(text), start, end, sym))
        return end

    def check_local(self, local: str, start: int) -> None:
        """Refuse local names pyoxigraph would end early or could re-read as other tokens.

        pyoxigraph ends a local name at its second run of '.', and when ``prefix + local``
        is not a valid IRI it takes the bare ``prefix:`` and reads the local name as
        tokens of their own (``e:SERVICE:x { }`` becomes ``e: SERVICE :x { }``).
        """
        if local.count(".") > 1 and sum(1 for run in _DOT_RUN.findall(local) if run) > 1:
            raise _error(self.src.text, self.src.original(start),
                         f"the local name {local!r} has '.' in more than one place, where "
                         "pyoxigraph ends the name at the second; escape them (\\.)")
        if local[:7].upper() == "SERVICE" and ":" in local:
            raise _error(self.src.text, self.src.original(start),
                         f"the local name {local!r} starts with SERVICE and holds a ':', "
                         "which pyoxigraph may read as a SERVICE clause; rename it")

    def word(self, start: int, end: int) -> int:
        word = self.text[start:end]
        if start >= self.no_colon and self._run_end(end) > end:
            self.no_colon = self._run_end(start)  # the PNAME rule failed along this run
        if word == "a":
            self.raw.append(("KEYWORD", start, end, "a"))
            return end
        upper = word.upper()
        if upper not in _ALL_KEYWORDS:
            trimmed = upper.rstrip("0123456789")  # LIMIT10 reads as LIMIT 10
            if trimmed == upper or trimmed not in _ALL_KEYWORDS:
                raise _error(self.src.text, self.src.original(start),
                             f"unknown word {word!r} (not a SPARQL keyword; "
                             f"a prefixed name needs a ':')")
            end, upper = start + len(trimmed), trimmed
        self.raw.append(("KEYWORD", start, end, upper))
        return end

    def _match(self, terminals: _Terminals, pos: int) -> re.Match[str] | None:
        rx = terminals.master if pos >= self.no_colon else terminals.no_pname
        return rx.match(self.text, pos)

    def _run_end(self, at: int, rx: re.Pattern[str] | None = None) -> int:
        """Where the run of name characters and dots (or of ``rx``) from ``at`` ends."""
        if rx is None:
            end = self._run_end(at, _WIDE.name_run)
            return end if self.text[at:end].isascii() else self._run_end(at, _exact().name_run)
        m = rx.match(self.text, at)
        return at if m is None else m.end()

    def finish(self) -> list[Token]:
        """Tokens positioned in the user's text (one pass over the newlines)."""
        src, text, tokens = self.src, self.text, []
        newlines, k, line_start = src.newlines, 0, 0
        escaped = bool(src.marks)
        for kind, start, end, sym in self.raw:
            ostart, oend = start, end
            if escaped:
                if kind == "IRIREF" or kind.startswith("STRING_LITERAL"):
                    self._check_escapes(kind, start, end)
                ostart, oend = src.original(start), src.original(end)
            while k < len(newlines) and newlines[k] < ostart:
                line_start, k = newlines[k] + 1, k + 1
            tokens.append(_new_token(
                Token, (kind, text[start:end], ostart, oend, k + 1, ostart - line_start + 1, sym)))
        return tokens

    def _check_escapes(self, kind: str, start: int, end: int) -> None:
        """Refuse escapes that would make pyoxigraph end a string or IRI elsewhere."""
        text = self.text
        quote = 3 if "LONG" in kind else 1
        for at in self.src.escapes_in(start, end):
            inside = start + quote <= at < end - quote if kind != "IRIREF" else start < at < end - 1
            if not inside or (kind != "IRIREF" and text[at] in ("\\", text[start])):
                offset = self.src.original(at)
                raise _error(self.src.text, offset,
                             f"codepoint escape {self.src.text[offset:offset + 6]!r}… "
                             f"decodes to {text[at]!r}, which would end or escape this "
                             f"{'IRI' if kind == 'IRIREF' else 'string'}; write an ECHAR "
                             f"(\\\" \\' \\\\) instead")

    def _unexpected(self, at: int) -> QueryError:
        ch = self.text[at]
        what = "unterminated string" if ch in "'\"" else f"unexpected character {ch!r}"
        offset = self.src.original(at)
        hint = ""
        escaped = [m for m in self.src.marks if self.text[m] in "'\"\\<>"]
        if escaped:
            near = min(escaped, key=lambda m: (m > at, abs(m - at)))
            line, column = _line_col(self.src.text, self.src.original(near))
            hint = (f" (the codepoint escape at line {line}, column {column} stands for "
                    f"{self.text[near]!r}; inside a string write \\\" \\' or \\\\)")
        return _error(self.src.text, offset,
                      f"{what} near «{_excerpt(self.src.text, offset)}»{hint}")


def tokenize(text: str) -> list[Token]:
    r"""The terminals of a SPARQL query or update, without whitespace and comments.

    >>> [(t.kind, t.text) for t in tokenize(r'SELECT ?x { ?x e:p\.q "}" } # SERVICE')]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('KEYWORD', 'SELECT'), ('VAR1', '?x'), ('PUNCT', '{'), ('VAR1', '?x'),
     ('PNAME_LN', 'e:p\\.q'), ('STRING_LITERAL2', '"}"'), ('PUNCT', '}')]
    >>> [t.sym for t in tokenize('FILTER(?a<?b) FILTER(?a <?b>)')]
    ['FILTER', '(', 'var', '<', 'var', ')', 'FILTER', '(', 'var', 'iri', ')']
    >>> t = tokenize(r'\u0053ERVICE <x>')[0]
    >>> t.sym, t.start, t.end, t.column
    ('SERVICE', 0, 12, 1)
    >>> tokenize('SELECT * {\n  ?s ?p ?o ` }')
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: line 2, column 12: unexpected character '`' near «?s ?p ?o ` }»
    """
    return _Lexer(_Source(text)).run()


# ------------------------------------------------------------------ IRIs (RFC 3986 §5.2)

_URI = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_Parts = tuple[str | None, str | None, str, str | None, str | None]


def _split(iri: str) -> _Parts:
    m = _URI.fullmatch(iri)
    assert m is not None  # every string matches
    return m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)


def _join(scheme: str | None, authority: str | None, path: str, query: str | None,
          fragment: str | None) -> str:
    return "".join((
        "" if scheme is None else scheme + ":", "" if authority is None else "//" + authority,
        path, "" if query is None else "?" + query, "" if fragment is None else "#" + fragment))


def _remove_dots(path: str) -> str:
    if "." not in path:
        return path
    absolute = path.startswith("/")
    segments = path.split("/")[1:] if absolute else path.split("/")
    out: list[str] = []
    for segment in segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")
    return ("/" if absolute else "") + "/".join(out)


def _resolve_iri(base: str, ref: str) -> str:
    """``ref`` resolved against ``base`` (RFC 3986 §5.2.2).

    >>> _resolve_iri("http://a/b/c/d;p?q", "../g"), _resolve_iri("http://a/b/c/d;p?q", "//g")
    ('http://a/b/g', 'http://g')
    """
    scheme, authority, path, query, fragment = _split(ref)
    if scheme is not None:
        return _join(scheme, authority, _remove_dots(path), query, fragment)
    b_scheme, b_authority, b_path, b_query, _ = _split(base)
    if authority is not None:
        return _join(b_scheme, authority, _remove_dots(path), query, fragment)
    if not path:
        return _join(b_scheme, b_authority, b_path, b_query if query is None else query,
                     fragment)
    if not path.startswith("/"):
        merged = "/" + path if b_authority is not None and not b_path else (
            b_path[: b_path.rfind("/") + 1] + path)
        path = merged
    return _join(b_scheme, b_authority, _remove_dots(path), query, fragment)


# ------------------------------------------------------------------ analysis results


@dataclass(frozen=True)
class Modifier:
    """An outermost LIMIT or OFFSET: its value, the clause's span and the integer's span."""

    value: int
    start: int
    end: int
    value_start: int
    value_end: int


@dataclass(frozen=True)
class Driver:
    """The sub-SELECT that opens the outermost WHERE group and sorts its rows (ORDER BY,
    no LIMIT or OFFSET): the rows of a query that only looks things up for each of its
    rows come in its order. What a page key needs: its ORDER BY variables (``order``:
    (name, descending); None when a condition is not a plain variable), its projection
    (``names``; ``projection_end``: where a variable can be added to it) and
    ``where_end``: the start of its WHERE group's closing brace (where a FILTER can go).
    """

    order: tuple[tuple[str, bool], ...] | None
    names: tuple[str, ...]
    projection_end: int
    where_end: int
    limited: bool


@dataclass(frozen=True)
class _Use:
    """One occurrence of a variable: its span and position, role, scope, where it stands."""

    start: int
    end: int
    line: int
    column: int
    name: str
    role: str  # use verb graph service describe project project_as as values group order bound
    scope: int
    in_minus: bool
    in_expression: bool  # in a FILTER, BIND, ORDER BY … expression (or an EXISTS in one)


@dataclass(frozen=True)
class _Scope:
    """A query or sub-SELECT: its parent, its projection, and whether it is in scope."""

    parent: int
    star: bool
    names: frozenset[str]
    hidden: bool  # inside MINUS or an expression: its variables do not reach the parent


@dataclass(frozen=True)
class Analysis:
    """What a query or update does, read from its grammar.

    IRIs are absolute where a BASE (or the ``base`` given) allows, prefixed names are
    expanded and PN_LOCAL escapes removed; variables are written ``?name``. Offsets
    are in the user's own text.
    """

    kind: str  # select | ask | construct | describe | update
    base: str | None
    prefixes: tuple[tuple[str, str], ...]  # every PREFIX declaration, in order
    services: tuple[str, ...]  # every SERVICE target, in order
    loads: tuple[str, ...]  # every LOAD source
    functions: tuple[str, ...]  # IRIs called as functions or custom aggregates, once each
    dataset: tuple[tuple[str, str], ...]  # ("default" | "named", iri) for FROM [NAMED]
    using: tuple[tuple[str, str], ...]  # ("default" | "named", iri) for USING [NAMED]
    with_graph: tuple[str, ...]  # the WITH iri of every update operation that has one
    depth: int  # deepest nesting of { ( [ (and << <<( {|)
    operators: int  # operators, separators and pattern keywords
    outer_limit: Modifier | None = None
    outer_offset: Modifier | None = None
    outer_order: bool = False
    modifiers_end: int | None = None  # where the outermost query's solution modifiers end
    values_start: int | None = None  # where the outermost query's trailing VALUES starts
    # the outermost SELECT's plain projected variables (in order), where the projection
    # ends, and whether it projects * or an expression or groups (GROUP BY, HAVING)
    projection: tuple[str, ...] = ()
    projection_end: int | None = None
    grouped: bool = False
    driver: Driver | None = None


@dataclass(frozen=True)
class _Variables:
    """What substitute() needs: every variable occurrence, the scopes, the WHERE group."""

    kind: str
    uses: tuple[_Use, ...]
    scopes: tuple[_Scope, ...]
    # (end of its '{', start of its '}', holds a sub-SELECT) of the outermost WHERE group
    where: tuple[int, int, bool] | None
    star: bool  # SELECT * or DESCRIBE *


# ------------------------------------------------------------------ parser


class _Parser:
    """A recursive-descent reader of SPARQL 1.1 (and pyoxigraph's extensions)."""

    def __init__(self, source: _Source, tokens: list[Token], base: str | None) -> None:
        self.src = source
        self.toks = tokens
        self.syms = [t.sym for t in tokens] + ["EOF"]
        self.i = 0
        self.base = base
        self.prefixes: dict[str, str] = {}
        self.declared: list[tuple[str, str]] = []
        self.services: list[str] = []
        self.loads: list[str] = []
        self.functions: dict[str, None] = {}
        self.dataset: list[tuple[str, str]] = []
        self.using: list[tuple[str, str]] = []
        self.with_graph: list[str] = []
        self.kind = ""
        self.scopes: list[list[Any]] = [[-1, True, set(), False]]  # parent, star, names, hidden
        self.scope = 0
        self.minus = 0
        self.expressions = 0
        self.uses: list[_Use] = []
        self.mods: dict[str, Any] = {}
        self.where: tuple[int, int, bool] | None = None
        self.star = False
        self.outer_open = -2  # token index of the outermost WHERE group's '{'
        self.last_close = 0  # offset of the '}' of the group read last
        self.driver: Driver | None = None

    # -- token helpers

    def peek(self, k: int = 0) -> str:
        return self.syms[min(self.i + k, len(self.toks))]

    def take(self) -> Token:
        if self.i >= len(self.toks):
            raise self.fail("more")
        self.i += 1
        return self.toks[self.i - 1]

    def accept(self, sym: str) -> bool:
        if self.syms[self.i] == sym:
            self.i += 1
            return True
        return False

    def expect(self, sym: str, what: str | None = None) -> Token:
        if self.syms[self.i] != sym:
            raise self.fail(what or (f"'{sym}'" if not sym.isalpha() else sym))
        self.i += 1
        return self.toks[self.i - 1]

    def fail(self, what: str) -> QueryError:
        if self.i >= len(self.toks):
            return _error(self.src.text, len(self.src.text), f"expected {what}, found the end")
        tok = self.toks[self.i]
        found = tok.text if len(tok.text) <= 30 else tok.text[:29] + "…"
        return QueryError(f"line {tok.line}, column {tok.column}: expected {what}, "
                          f"found {found!r}")

    # -- IRIs and variables

    def resolve(self, ref: str) -> str:
        return ref if self.base is None else _resolve_iri(self.base, ref)

    def iri(self, what: str = "an IRI") -> str:
        tok = self.expect("iri", what)
        if tok.kind == "IRIREF":
            return self.resolve(tok.text[1:-1])
        prefix, _, local = tok.text.partition(":")
        namespace = self.prefixes.get(prefix)
        if namespace is None:
            raise QueryError(f"line {tok.line}, column {tok.column}: unknown prefix "
                             f"'{prefix}:' (declare it with PREFIX {prefix}: <…>)")
        return namespace + "".join(local.split("\\"))

    def var(self, role: str) -> str:
        tok = self.expect("var", "a variable")
        name = tok.text[1:]
        self.uses.append(_Use(tok.start, tok.end, tok.line, tok.column, name, role, self.scope,
                              self.minus > 0, self.expressions > 0))
        return name

    def var_or_iri(self, role: str) -> str:
        return "?" + self.var(role) if self.peek() == "var" else self.iri("a variable or an IRI")

    # -- units

    def unit(self) -> None:
        self.prologue()
        first = self.peek()
        if first in _QUERY_FORMS:
            self.kind = first.lower()
            self.query()
        elif first in _UPDATE_OPS:
            self.kind = "update"
            self.update()
        else:
            raise self.fail("SELECT, CONSTRUCT, DESCRIBE, ASK or an update operation")
        if self.i < len(self.toks):
            raise self.fail("the end of the " + ("update" if self.kind == "update" else "query"))

    def prologue(self) -> None:
        while True:
            if self.accept("BASE"):
                self.base = self.resolve(self.iriref())
            elif self.accept("PREFIX"):
                if self.toks[self.i].kind != "PNAME_NS" if self.i < len(self.toks) else True:
                    raise self.fail("a prefix such as 'ex:'")
                prefix = self.take().text[:-1]
                self.prefixes[prefix] = self.resolve(self.iriref())
                self.declared.append((prefix, self.prefixes[prefix]))
            elif self.accept("VERSION"):
                self.expect("string", "a version string")
            else:
                return

    def iriref(self) -> str:
        if self.i >= len(self.toks) or self.toks[self.i].kind != "IRIREF":
            raise self.fail("an <IRI>")
        return self.take().text[1:-1]

    # -- queries

    def query(self) -> None:
        form = self.peek()
        if form == "SELECT":
            self.select_clause()
            self.dataset_clauses()
            self.where_clause(outer=True)
        elif form == "CONSTRUCT":
            self.construct()
        elif form == "DESCRIBE":
            self.describe()
        else:
            self.take()
            self.dataset_clauses()
            self.where_clause(outer=True)
        self.modifiers(outer=True)
        self.mods["end"] = self.toks[self.i - 1].end
        self.values_clause(outer=True)

    def select_clause(self) -> None:
        self.expect("SELECT")
        _ = self.accept("DISTINCT") or self.accept("REDUCED")
        scope = self.scopes[self.scope]
        scope[1] = self.accept("*")
        self.star = self.star or (scope[1] and self.scope == 0)
        count, plain = 0, []
        while not scope[1]:
            if self.peek() == "var":
                plain.append(self.var("project"))
                scope[2].add(plain[-1])
            elif self.accept("("):
                self.expression()
                self.expect("AS")
                scope[2].add(self.var("project_as"))
                self.expect(")")
                self.mods["grouped"] = True
            else:
                break
            count += 1
        if not scope[1] and not count:
            raise self.fail("'*', a variable or '(' expression AS ?var ')'")
        self.mods["grouped"] = self.mods.get("grouped", False) or scope[1]
        self.mods["projection"] = tuple(plain)
        self.mods["projection_end"] = self.toks[self.i - 1].end

    def construct(self) -> None:
        self.expect("CONSTRUCT")
        if self.peek() == "{":
            self.take()
            self.triples_template()
            self.expect("}")
            self.dataset_clauses()
            self.where_clause(outer=True)
        else:
            self.dataset_clauses()
            self.expect("WHERE", "'{' or WHERE")
            self.expect("{")
            self.triples_template()
            self.expect("}")

    def describe(self) -> None:
        self.expect("DESCRIBE")
        if self.accept("*"):
            self.star = True
        else:
            self.var_or_iri("describe")
            while self.peek() in ("var", "iri"):
                self.var_or_iri("describe")
        self.dataset_clauses()
        if self.peek() in ("WHERE", "{"):
            self.where_clause(outer=True)

    def dataset_clauses(self) -> None:
        while self.accept("FROM"):
            named = self.accept("NAMED")
            self.dataset.append(("named" if named else "default", self.iri()))

    def where_clause(self, outer: bool = False) -> None:
        self.accept("WHERE")
        self.group(outer)

    def modifiers(self, outer: bool) -> None:
        if self.peek() in ("GROUP", "HAVING"):
            self.mods["grouped"] = True
        if self.accept("GROUP"):
            self.expect("BY")
            self.group_condition()
            while self.peek() in _BUILTINS or self.peek() in ("iri", "(", "var"):
                self.group_condition()
        if self.accept("HAVING"):
            self.constraint()
            while self.peek() in _BUILTINS or self.peek() in ("iri", "("):
                self.constraint()
        if self.accept("ORDER"):
            self.mods["order"] = True
            self.expect("BY")
            self.order_condition()
            while self.peek() in _BUILTINS or self.peek() in ("iri", "(", "var", "ASC", "DESC"):
                self.order_condition()
        self.limit_offset(outer)

    def group_condition(self) -> None:
        sym = self.peek()
        if sym == "var":
            self.var("group")
        elif sym == "(":
            self.take()
            self.expression()
            if self.accept("AS"):
                self.var("as")
            self.expect(")")
        else:
            self.constraint("a variable, '(' expression ')' or a function call")

    def order_condition(self) -> None:
        keys = self.mods.setdefault("order_keys", [])
        if self.peek() in ("ASC", "DESC"):
            desc = self.take().sym == "DESC"
            self.expect("(")
            plain = self.peek() == "var" and self.peek(1) == ")"
            start = len(self.uses)
            self.expression()
            self.expect(")")
            keys.append((self.uses[start].name, desc) if plain else None)
        elif self.peek() == "var":
            keys.append((self.var("order"), False))
        else:
            self.constraint("ASC, DESC, a variable or an expression")
            keys.append(None)

    def limit_offset(self, outer: bool) -> None:
        first = self.peek()
        if first not in ("LIMIT", "OFFSET"):
            return
        self.limit_clause(first, outer)
        second = "OFFSET" if first == "LIMIT" else "LIMIT"
        if self.peek() == second:
            self.limit_clause(second, outer)

    def limit_clause(self, sym: str, outer: bool) -> None:
        keyword = self.take()
        if self.i >= len(self.toks) or self.toks[self.i].kind != "INTEGER":
            raise self.fail("an integer")
        value = self.take()
        self.mods["limited"] = True
        if outer:
            self.mods[sym.lower()] = Modifier(
                int(value.text), keyword.start, value.end, value.start, value.end)

    def values_clause(self, outer: bool) -> None:
        if self.peek() == "VALUES":
            if outer:
                self.mods["values"] = self.toks[self.i].start
            self.take()
            self.data_block()

    def sub_select(self, first: bool = False) -> None:
        outer_scope, outer_mods = self.scope, self.mods
        self.scopes.append([outer_scope, False, set(), self.minus + self.expressions > 0])
        self.scope, self.mods = len(self.scopes) - 1, {}
        self.select_clause()
        self.where_clause()
        where_end = self.last_close
        self.modifiers(outer=False)
        self.values_clause(outer=False)
        mods = self.mods
        self.scope, self.mods = outer_scope, outer_mods
        if first and mods.get("order") and not mods["grouped"]:
            keys = mods["order_keys"]
            self.driver = Driver(None if None in keys else tuple(keys), mods["projection"],
                                 mods["projection_end"], where_end, mods.get("limited", False))

    # -- group graph patterns

    def group(self, outer: bool = False) -> None:
        opening = self.i
        if outer:
            self.outer_open = opening
        self.expect("{")
        sub = self.peek() == "SELECT"
        if sub:
            self.sub_select(first=opening == self.outer_open + 1 and self.scope == 0
                            and not self.minus and not self.expressions)
        else:
            self.group_body()
        closing = self.expect("}", "'}'" if sub else "a triple pattern, a graph pattern or '}'")
        self.last_close = closing.start
        if outer:
            self.where = (self.toks[opening].end, closing.start, sub)

    def group_body(self) -> None:
        self.triples_block()
        while self.peek() in self.NOT_TRIPLES:
            self.NOT_TRIPLES[self.peek()](self)
            self.accept(".")
            self.triples_block()

    def union(self) -> None:
        self.group()
        while self.accept("UNION"):
            self.group()

    def keyword_group(self) -> None:
        self.take()
        self.group()

    def minus_group(self) -> None:
        self.take()
        self.minus += 1
        self.group()
        self.minus -= 1

    def graph_group(self) -> None:
        self.take()
        self.var_or_iri("graph")
        self.group()

    def service(self) -> None:
        self.take()
        if not self.accept("SILENT"):
            self.not_silent_prefixed()
        self.services.append(self.var_or_iri("service"))
        self.group()

    def not_silent_prefixed(self) -> None:
        """Refuse ``SERVICE SILENTx:y``: pyoxigraph reads it as SILENT and ``x:y``."""
        tok = self.toks[self.i] if self.i < len(self.toks) else None
        if tok is not None and tok.kind.startswith("PNAME") and tok.text[:6].upper() == "SILENT":
            raise QueryError(f"line {tok.line}, column {tok.column}: the prefixed name "
                             f"{tok.text!r} starts with SILENT, which pyoxigraph reads as the "
                             "keyword SILENT; use another prefix")

    def filter(self) -> None:
        self.take()
        self.constraint()

    def bind(self) -> None:
        self.take()
        self.expect("(")
        self.expression()
        self.expect("AS")
        self.var("as")
        self.expect(")")

    def values(self) -> None:
        self.take()
        self.data_block()

    NOT_TRIPLES: ClassVar[dict[str, Callable[[_Parser], None]]] = {
        "{": union, "OPTIONAL": keyword_group, "LATERAL": keyword_group, "MINUS": minus_group,
        "GRAPH": graph_group, "SERVICE": service, "FILTER": filter, "BIND": bind,
        "VALUES": values,
    }

    def data_block(self) -> None:
        if self.peek() == "var":
            self.var("values")
            self.expect("{")
            while not self.accept("}"):
                self.data_value()
            return
        width = 0
        if not self.accept("nil"):
            self.expect("(", "a variable, '(' or '()'")
            while not self.accept(")"):
                self.var("values")
                width += 1
        self.expect("{")
        while not self.accept("}"):
            self.data_row(width)

    def data_row(self, width: int) -> None:
        start, count = self.i, 0
        if not self.accept("nil"):
            self.expect("(", "'(' or '}'")
            while not self.accept(")"):
                self.data_value()
                count += 1
        if count != width:
            self.i = start
            raise self.fail(f"a row of {width} value(s) (write UNDEF for no value)")

    def data_value(self) -> None:
        sym = self.peek()
        if sym == "iri":
            self.iri()
        elif sym in _LITERALS:
            self.literal()
        elif sym == "<<(":
            self.triple_term()
        else:
            self.expect("UNDEF", "an IRI, a literal or UNDEF")

    # -- triples

    def triples_block(self, path: bool = True) -> None:
        while self.peek() in _TRIPLES_START:
            self.triples_same_subject(path)
            if not self.accept("."):
                return

    def triples_template(self) -> None:
        self.triples_block(path=False)

    def triples_same_subject(self, path: bool) -> None:
        sym = self.peek()
        if sym in ("(", "[", "<<"):
            self.graph_node(path)
            if self.peek() in (_PATH_START if path else _VERB_START):
                self.property_list(path)
        else:
            self.var_or_term()
            self.property_list(path)

    def property_list(self, path: bool) -> None:
        self.verb(path)
        self.object_list(path)
        while self.accept(";"):
            if self.peek() in (_PATH_START if path else _VERB_START):
                self.verb(path)
                self.object_list(path)

    def verb(self, path: bool) -> None:
        sym = self.peek()
        if sym == "var":
            self.var("verb")
        elif path:
            self.path()
        elif not self.accept("a"):
            self.iri("a predicate")

    def object_list(self, path: bool) -> None:
        self.graph_node(path)
        self.annotations(path)
        while self.accept(","):
            self.graph_node(path)
            self.annotations(path)

    def annotations(self, path: bool) -> None:
        while self.peek() in ("~", "{|"):
            if self.accept("~") and self.peek() in ("var", "iri", "bnode", "anon"):
                self.var_or_term()
            if self.accept("{|"):
                self.property_list(path)
                self.expect("|}")

    def graph_node(self, path: bool) -> None:
        sym = self.peek()
        if sym == "(":
            self.take()
            self.graph_node(path)
            while not self.accept(")"):
                self.graph_node(path)
        elif sym == "[":
            self.take()
            self.property_list(path)
            self.expect("]")
        elif sym == "<<":
            self.reified_triple()
        else:
            self.var_or_term()

    def var_or_term(self) -> None:
        sym = self.peek()
        if sym == "var":
            self.var("use")
        elif sym == "iri":
            self.iri()
        elif sym in _LITERALS:
            self.literal()
        elif sym in ("bnode", "anon", "nil"):
            self.take()
        elif sym == "<<(":
            self.triple_term()
        else:
            raise self.fail("a variable or an RDF term")

    def triple_term(self) -> None:
        self.expect("<<(")
        self.triple_term_part()
        self.verb(path=False)
        self.triple_term_part()
        self.expect(")>>")

    def triple_term_part(self) -> None:
        if self.peek() in ("var", "iri", "<<(", "bnode", "anon") or self.peek() in _LITERALS:
            self.var_or_term()
        else:
            raise self.fail("a variable or an RDF term")

    def reified_triple(self) -> None:
        self.expect("<<")
        for part in (0, 1):
            if self.peek() == "<<":
                self.reified_triple()
            else:
                self.triple_term_part()
            if not part:
                self.verb(path=False)
        if self.accept("~") and self.peek() in ("var", "iri", "bnode", "anon"):
            self.var_or_term()
        self.expect(">>")

    def path(self) -> None:
        self.path_sequence()
        while self.accept("|"):
            self.path_sequence()

    def path_sequence(self) -> None:
        self.path_element()
        while self.accept("/"):
            self.path_element()

    def path_element(self) -> None:
        self.accept("^")
        sym = self.peek()
        if sym == "(":
            self.take()
            self.path()
            self.expect(")")
        elif sym == "!":
            self.take()
            self.negated_set()
        elif not self.accept("a"):
            self.iri("a property path")
        if self.peek() in ("?", "*", "+"):
            self.take()

    def negated_set(self) -> None:
        if self.accept("nil"):
            return
        if not self.accept("("):
            self.path_one()
            return
        self.path_one()
        while self.accept("|"):
            self.path_one()
        self.expect(")")

    def path_one(self) -> None:
        self.accept("^")
        if not self.accept("a"):
            self.iri("an IRI, 'a' or '^'")

    # -- expressions

    def constraint(self, what: str = "'(', a function call or a built-in call") -> None:
        self.expressions += 1
        sym = self.peek()
        if sym == "(":
            self.take()
            self.expression()
            self.expect(")")
        elif sym in _BUILTINS:
            self.builtin()
        elif sym == "iri":
            self.call(self.iri())
        else:
            raise self.fail(what)
        self.expressions -= 1

    def expression(self) -> None:
        self.expressions += 1
        self.relational()
        while self.peek() in ("||", "&&"):
            self.take()
            self.relational()
        self.expressions -= 1

    def relational(self) -> None:
        self.numeric()
        sym = self.peek()
        if sym in _RELATIONS:
            self.take()
            self.numeric()
        elif sym == "IN" or (sym == "NOT" and self.peek(1) == "IN"):
            self.i += 1 if sym == "IN" else 2
            self.expression_list()

    def numeric(self) -> None:
        self.operand()
        while True:
            sym = self.peek()
            if sym in _ARITHMETIC:
                self.take()
                self.operand()
            elif sym == "signed":  # ?a -1 is ?a - 1
                self.take()
            else:
                return

    def operand(self) -> None:
        if self.peek() in ("!", "+", "-"):
            self.take()
        sym = self.peek()
        if sym == "(":
            self.take()
            self.expression()
            self.expect(")")
        elif sym == "var":
            self.var("use")
        elif sym == "iri":
            function = self.iri()
            if self.peek() in ("(", "nil"):
                self.call(function)
        elif sym in _LITERALS:
            self.literal()
        elif sym in _BUILTINS:
            self.builtin()
        elif sym == "<<(":
            self.triple_term()
        else:
            raise self.fail("an expression")

    def call(self, function: str) -> None:
        self.functions[function] = None
        if self.accept("nil"):
            return
        self.expect("(", "'(' (a function's arguments)")
        self.accept("DISTINCT")
        self.expression()
        while self.accept(","):
            self.expression()
        self.expect(")")

    def expression_list(self) -> None:
        if self.accept("nil"):
            return
        self.expect("(")
        self.expression()
        while self.accept(","):
            self.expression()
        self.expect(")")

    def literal(self) -> None:
        sym = self.take().sym
        if sym == "string":
            if self.accept("^^"):
                self.iri("a datatype IRI")
            else:
                self.accept("langtag")
        elif sym not in _LITERALS:
            self.i -= 1
            raise self.fail("a literal")

    def builtin(self) -> None:
        name = self.take().sym
        if name in _AGGREGATES:
            self.aggregate(name)
        elif name in ("EXISTS", "NOT"):
            if name == "NOT":
                self.expect("EXISTS", "EXISTS or IN")
            self.group()
        elif name == "BOUND":
            self.expect("(")
            self.var("bound")
            self.expect(")")
        elif name in ("CONCAT", "COALESCE"):
            self.expression_list()
        elif name in _NIL_CALLS or (name == "BNODE" and self.peek() == "nil"):
            self.expect("nil", "'()'")
        else:
            self.arguments(*_ARITY.get(name, (1, 1)))

    def arguments(self, least: int, most: int) -> None:
        self.expect("(")
        self.expression()
        count = 1
        while count < most and self.accept(","):
            self.expression()
            count += 1
        if count < least:
            raise self.fail(f"',' ({least} arguments)")
        self.expect(")")

    def aggregate(self, name: str) -> None:
        self.expect("(")
        self.accept("DISTINCT")
        if not (name == "COUNT" and self.accept("*")):
            self.expression()
        if name == "GROUP_CONCAT" and self.accept(";"):
            self.expect("SEPARATOR")
            self.expect("=")
            self.expect("string", "a string")
        self.expect(")")

    # -- updates

    def update(self) -> None:
        while True:
            self.UPDATES[self.peek()](self)
            if not self.accept(";"):
                return
            self.prologue()
            if self.peek() not in _UPDATE_OPS:
                return

    def load(self) -> None:
        self.take()
        if not self.accept("SILENT"):
            self.not_silent_prefixed()
        self.loads.append(self.iri())
        if self.accept("INTO"):
            self.expect("GRAPH")
            self.iri()

    def clear(self) -> None:
        self.take()
        self.accept("SILENT")
        if self.accept("GRAPH"):
            self.iri()
        elif not (self.accept("DEFAULT") or self.accept("NAMED") or self.accept("ALL")):
            raise self.fail("GRAPH, DEFAULT, NAMED or ALL")

    def create(self) -> None:
        self.take()
        self.accept("SILENT")
        self.expect("GRAPH")
        self.iri()

    def transfer(self) -> None:
        self.take()
        self.accept("SILENT")
        for step in (0, 1):
            if not self.accept("DEFAULT"):
                self.accept("GRAPH")
                self.iri("DEFAULT or a graph IRI")
            if not step:
                self.expect("TO")

    def insert(self) -> None:
        self.take()
        if self.accept("DATA"):
            self.quads()
            return
        self.quads()
        self.modify_tail()

    def delete(self) -> None:
        self.take()
        if self.accept("DATA") or self.accept("WHERE"):
            self.quads()
            return
        self.quads()
        if self.accept("INSERT"):
            self.quads()
        self.modify_tail()

    def with_(self) -> None:
        self.take()
        self.with_graph.append(self.iri())
        if self.accept("DELETE"):
            self.quads()
            if self.accept("INSERT"):
                self.quads()
        else:
            self.expect("INSERT", "DELETE or INSERT")
            self.quads()
        self.modify_tail()

    def modify_tail(self) -> None:
        while self.accept("USING"):
            named = self.accept("NAMED")
            self.using.append(("named" if named else "default", self.iri()))
        self.expect("WHERE")
        self.group()

    def quads(self) -> None:
        self.expect("{")
        self.triples_template()
        while self.accept("GRAPH"):
            self.var_or_iri("graph")
            self.expect("{")
            self.triples_template()
            self.expect("}")
            self.accept(".")
            self.triples_template()
        self.expect("}", "a triple, GRAPH or '}'")

    UPDATES: ClassVar[dict[str, Callable[[_Parser], None]]] = {
        "LOAD": load, "CLEAR": clear, "DROP": clear, "CREATE": create, "ADD": transfer,
        "MOVE": transfer, "COPY": transfer, "INSERT": insert, "DELETE": delete, "WITH": with_,
    }

    # -- result

    def analysis(self, depth: int, operators: int) -> Analysis:
        return Analysis(
            kind=self.kind, base=self.base, prefixes=tuple(self.declared),
            services=tuple(self.services), loads=tuple(self.loads),
            functions=tuple(self.functions), dataset=tuple(self.dataset),
            using=tuple(self.using), with_graph=tuple(self.with_graph), depth=depth,
            operators=operators, outer_limit=self.mods.get("limit"),
            outer_offset=self.mods.get("offset"), outer_order=self.mods.get("order", False),
            modifiers_end=self.mods.get("end"), values_start=self.mods.get("values"),
            projection=self.mods.get("projection", ()),
            projection_end=self.mods.get("projection_end"),
            grouped=self.mods.get("grouped", False), driver=self.driver)

    def variables(self) -> _Variables:
        return _Variables(
            self.kind, tuple(self.uses),
            tuple(_Scope(p, s, frozenset(n), h) for p, s, n, h in self.scopes),
            self.where, self.star)


# ------------------------------------------------------------------ analyse


def _measure(tokens: list[Token]) -> tuple[int, int]:
    """(deepest bracket nesting, operator count) of a token list; the separators of
    INSERT DATA / DELETE DATA blocks (flat lists of quads) are not counted."""
    depth = deepest = operators = 0
    data_at = -1  # the depth of the INSERT/DELETE DATA block being read, if any
    for i, tok in enumerate(tokens):
        sym = tok.sym
        if sym in _OPENERS:
            if sym == "{" and i and tokens[i - 1].sym == "DATA" and data_at < 0:
                data_at = depth
            depth += 1
            deepest = max(deepest, depth)
        elif sym in _CLOSERS:
            depth -= 1
            if depth == data_at:
                data_at = -1
        elif sym in _OPERATORS and data_at < 0:
            operators += 1
    return deepest, operators


@contextmanager
def _stack_room(frames: int) -> Iterator[None]:
    """Room for ``frames`` more Python frames (the parser recurses once per bracket)."""
    limit = sys.getrecursionlimit()
    used, frame = 0, sys._getframe()
    walker: FrameType | None = frame
    while walker is not None:
        used, walker = used + 1, walker.f_back
    wanted = used + frames + 200
    if wanted <= limit:
        yield
        return
    sys.setrecursionlimit(wanted)
    try:
        yield
    finally:
        if sys.getrecursionlimit() == wanted:
            sys.setrecursionlimit(limit)


def _read(text: str, base: str | None) -> tuple[_Parser, int, int]:
    """The parser after reading the text, the text's depth and its operator count."""
    source = _Source(text)
    tokens = _Lexer(source).run()
    depth, operators = _measure(tokens)
    if depth > min(MAX_DEPTH, settings.MAX_NESTING):
        raise QueryError(f"query nested deeper than {min(MAX_DEPTH, settings.MAX_NESTING)} "
                         "levels")
    if operators > settings.MAX_OPERATORS:  # before parsing: each may deepen the tree
        raise QueryError(f"query has more than {settings.MAX_OPERATORS} operators and "
                         "separators (a long list belongs in VALUES)")
    parser = _Parser(source, tokens, base)
    try:
        with _stack_room(depth * 12):
            parser.unit()
    except RecursionError:
        raise QueryError("query nested too deeply to read") from None
    return parser, depth, operators


def _analyse(text: str, base: str | None = None) -> Analysis:
    """:func:`analyse` without its cache."""
    parser, depth, operators = _read(text, base)
    return parser.analysis(depth, operators)


_CACHED_CHARS = 20_000  # longer texts are read afresh each time, not kept in the cache


def analyse(text: str, base: str | None = None) -> Analysis:
    r"""Read a SPARQL query or update; QueryError says where it is not SPARQL.

    Results for texts up to 20,000 characters are cached (``functools.lru_cache``,
    1024 entries, keyed by text and base); an Analysis holds IRIs and offsets only.

    >>> a = analyse(r'''PREFIX wd: <http://www.wikidata.org/entity/>
    ... BASE <http://example.org/kg/>
    ... SELECT ?x (<fn#f>(?x) AS ?y) FROM <g1> WHERE {
    ...   { SELECT ?x WHERE { ?x ?p ?o } LIMIT 5 }
    ...   SERVICE SILENT <sparql> { ?x ?p wd:Q\#1 } SERVICE ?endpoint { }
    ... } ORDER BY ?x LIMIT 10''')
    >>> a.kind, a.services, a.functions, a.dataset
    ('select', ('http://example.org/kg/sparql', '?endpoint'), ('http://example.org/kg/fn#f',),
     (('default', 'http://example.org/kg/g1'),))
    >>> a.outer_limit.value, a.outer_order, a.outer_offset is None
    (10, True, True)
    >>> analyse('LOAD <http://h/data.ttl> ; WITH <http://g> DELETE { ?s ?p ?o } WHERE { }')
    ... # doctest: +ELLIPSIS
    Analysis(kind='update', ..., loads=('http://h/data.ttl',), ...with_graph=('http://g',)...)
    >>> analyse('SELECT * { ?s x:p ?o }')
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: line 1, column 15: unknown prefix 'x:' (declare it with PREFIX x: <…>)
    >>> analyse('SELECT * WHERE { ?s ?p }')
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: line 1, column 24: expected a variable or an RDF term, found '}'
    """
    if len(text) > _CACHED_CHARS:
        return _analyse(text, base)
    return _cached_analyse(text, base)


_cached_analyse = functools.lru_cache(maxsize=1024)(_analyse)


# ------------------------------------------------------------------ editing


def rewrite(text: str, replacements: Iterable[tuple[int, int, str]]) -> str:
    """The text with each (start, end, new text) span replaced; spans may not overlap.

    >>> q = 'SELECT * { ?s ?p ?o } LIMIT 50'
    >>> lim = analyse(q).outer_limit
    >>> rewrite(q, [(lim.value_start, lim.value_end, "11")])
    'SELECT * { ?s ?p ?o } LIMIT 11'
    """
    out: list[str] = []
    last = 0
    for start, end, new in sorted(replacements, key=lambda r: (r[0], r[1])):
        if start < last or end < start or end > len(text):
            raise ValueError(f"replacement span {start}-{end} overlaps or is out of range")
        out += (text[last:start], new)
        last = end
    out.append(text[last:])
    return "".join(out)


def with_limit(text: str, limit: int) -> str:
    """A SELECT query with its outermost LIMIT set to ``limit`` (added when absent).

    >>> with_limit('SELECT * { ?s ?p ?o } OFFSET 2 # comment', 11)
    'SELECT * { ?s ?p ?o } OFFSET 2 LIMIT 11 # comment'
    >>> with_limit('SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } } VALUES ?s { 1 }', 5)
    'SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } } LIMIT 5 VALUES ?s { 1 }'
    """
    a = analyse(text)
    if a.kind != "select":
        raise QueryError(f"only a SELECT query takes a LIMIT (this is {a.kind})")
    if a.outer_limit is not None:
        return rewrite(text, [(a.outer_limit.value_start, a.outer_limit.value_end, str(limit))])
    end = a.modifiers_end or len(text)
    return rewrite(text, [(end, end, f" LIMIT {limit}")])


def with_using(text: str, default: Sequence[str], named: Sequence[str]) -> str:
    """An update with the protocol's dataset (``using-graph-uri``,
    ``using-named-graph-uri``) written as ``USING`` / ``USING NAMED`` before the WHERE of
    each of its DELETE/INSERT operations, the places the grammar gives them.

    >>> with_using("INSERT DATA { <a:s> <a:p> 1 } ; INSERT { ?s ?p 2 } WHERE { ?s ?p 1 }",
    ...            ["http://e/g"], [])
    'INSERT DATA { <a:s> <a:p> 1 } ; INSERT { ?s ?p 2 } USING <http://e/g> WHERE { ?s ?p 1 }'
    >>> with_using("DELETE WHERE { ?s ?p ?o }", ["http://e/g"], [])
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: line 1, column 8: DELETE WHERE takes no dataset ...
    """
    found = analyse(text)
    if found.kind != "update":
        raise QueryError("only an update takes using-graph-uri / using-named-graph-uri")
    clause = " ".join([*(f"USING <{iri}>" for iri in default),
                       *(f"USING NAMED <{iri}>" for iri in named)])
    tokens, depth, edits = tokenize(text), 0, []
    for i, tok in enumerate(tokens):
        depth += {"{": 1, "}": -1}.get(tok.sym, 0)
        if tok.sym != "WHERE" or depth:
            continue
        if i and tokens[i - 1].sym == "DELETE":
            raise _error(text, tok.start, "DELETE WHERE takes no dataset (SPARQL 1.1 Update "
                                          "3.1.3.3): write DELETE { … } USING <graph> WHERE { … }")
        edits.append((tok.start, tok.start, clause + " "))
    return rewrite(text, edits)


# ------------------------------------------------------------------ substitution


def _live(v: _Variables, scope: int, name: str) -> bool:
    """Whether ?name in this scope is the outermost query's ?name."""
    while scope >= 0:
        s = v.scopes[scope]
        if not (s.star or name in s.names):
            return False
        scope = s.parent
    return True


def _term_text(value: Any) -> tuple[str, bool]:
    """(N-Triples form, is an IRI) of a pyoxigraph NamedNode or Literal."""
    kind = type(value).__name__
    if kind not in ("NamedNode", "Literal"):
        raise QueryError(f"cannot substitute a {kind} into query text "
                         "(only IRIs and literals have a fixed written form)")
    return str(value), kind == "NamedNode"


_SAFE_BEFORE = frozenset(" \t\r\n({[,;=!|&+-*/")
_SAFE_AFTER = frozenset(" \t\r\n)}],;.=!|&+*/")


def _padded(text: str, start: int, end: int, new: str) -> str:
    """The new text, with a space where it could otherwise run into its neighbours."""
    left = "" if start == 0 or text[start - 1] in _SAFE_BEFORE else " "
    right = "" if end == len(text) or text[end] in _SAFE_AFTER else " "
    return left + new + right


_REFUSED = {
    "as": "it is the target of AS (a binding)",
    "project_as": "it is the target of AS (a binding)",
    "values": "it is bound by VALUES",
    "bound": "pyoxigraph may answer false for BOUND(?{0}) although ?{0} is given a value",
}
_KEPT = frozenset({"project", "group", "order"})  # the outermost BIND gives them the value
_IRI_ONLY = {"verb": "a predicate", "graph": "a GRAPH name", "service": "a SERVICE target",
             "describe": "a DESCRIBE target"}


def _edit(text: str, use: _Use, term: str, is_iri: bool,
          scopes: tuple[_Scope, ...] = ()) -> tuple[int, int, str] | None:
    where = f"line {use.line}, column {use.column}: cannot substitute ?{use.name}"
    if use.role in _REFUSED:
        raise QueryError(f"{where}: " + _REFUSED[use.role].format(use.name))
    if use.in_minus:
        raise QueryError(f"{where} inside MINUS (removing the variable there changes which "
                         "solutions MINUS removes)")
    if use.role in _IRI_ONLY and not is_iri:
        raise QueryError(f"{where}: a literal cannot be {_IRI_ONLY[use.role]}")
    if use.role == "project" and use.scope:
        # a sub-SELECT's column that is no longer bound inside it: dropped, so that the
        # outermost BIND alone gives it (some engines do not join an unbound column); a
        # sub-SELECT with no other column keeps one of its own, bound to a constant
        if len(scopes[use.scope].names) > 1:
            return use.start, use.end, ""
        if not scopes[0].star:  # (a SELECT * would show that column)
            return use.start, use.end, f"(1 AS ?_given_{use.name}_{use.scope})"
        return None
    if use.role in _KEPT:
        return None
    return use.start, use.end, _padded(text, use.start, use.end, term)


def _binds(v: _Variables, text: str, binds: list[str]) -> list[tuple[int, int, str]]:
    """Edits adding ``BIND(term AS ?var)`` at the start of the outermost WHERE group."""
    if not binds or v.where is None:
        return []
    at, close_at, sub_select = v.where
    if not sub_select:
        return [(at, at, " " + " ".join(binds) + ("" if text[at].isspace() else " "))]
    return [(at, at, " " + " ".join(binds) + " {"), (close_at, close_at, "} ")]


def _check_present(v: _Variables, name: str, live: list[_Use]) -> None:
    """Refuse what pyoxigraph refuses: a variable the SELECT does not project, or absent."""
    outer = v.scopes[0]
    in_scope = any(not (u.in_minus or u.in_expression) for u in live)
    if v.kind == "select" and not (name in outer.names or (outer.star and in_scope)):
        raise QueryError(f"?{name} is not in the SELECT projection, so it cannot be substituted")
    if not live:
        raise QueryError(f"?{name} does not occur in the query")


def substitute(text: str, bindings: Mapping[Any, Any]) -> str:
    """The query with variables replaced by the N-Triples form of the given terms.

    Gives the answers of ``store.query(text, substitutions=…)`` (SEP-0007) as plain
    text, for engines that take no substitutions. ``bindings`` maps names (``"x"``,
    ``"?x"`` or a ``Variable``) to pyoxigraph ``NamedNode`` or ``Literal`` terms.

    Every occurrence of ``?x`` that is the outermost query's ``?x`` is replaced by the
    term, in patterns and expressions alike; inside a sub-SELECT that does not project
    it, ``?x`` is another variable and stays; a sub-SELECT that projects it among other
    columns no longer does (nothing binds it there any more: Virtuoso, for one, would not
    join that unbound column with the outer value). Where ``?x`` names a column (``SELECT ?x``
    or ``SELECT *``, in the outer query or a sub-SELECT, ``GROUP BY ?x``, ``ORDER BY ?x``)
    it stays, and a SELECT (or ``DESCRIBE *``) gets ``BIND(term AS ?x)`` at the start of
    the query's outermost WHERE group, so every solution carries the value, as with
    substitutions. (``SELECT (term AS ?x)`` would not do: it is invalid when a
    sub-SELECT still projects ``?x``, and a sub-SELECT's ``GROUP BY ?x`` must then see
    ``?x`` unbound everywhere rather than bound in some branches.)

    Refused with QueryError, as pyoxigraph refuses them: a SELECT that does not project
    the variable (with ``SELECT *``: that has it only in FILTERs or MINUS), a variable
    the query does not use. Refused because no text means the same: the variable as
    the target of ``AS`` (SELECT, BIND, GROUP BY) or bound by VALUES, inside MINUS
    (which would no longer share it), in ``BOUND(?x)``, a literal as a predicate, GRAPH
    name, SERVICE target or DESCRIBE target; blank nodes and triple terms as values;
    updates.

    >>> from pyoxigraph import Literal, NamedNode
    >>> substitute('SELECT ?s ?text { ?s ?p ?o FILTER(CONTAINS(?o, ?text)) }',
    ...            {"text": Literal("量子")})
    'SELECT ?s ?text { BIND("量子" AS ?text) ?s ?p ?o FILTER(CONTAINS(?o, "量子")) }'
    >>> substitute('SELECT * { ?s ?p ?o }', {"?p": NamedNode("http://e/p")})
    'SELECT * { BIND(<http://e/p> AS ?p) ?s <http://e/p> ?o }'
    >>> substitute('SELECT ?x { VALUES ?x { 1 } }', {"x": Literal(2)})
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: line 1, column 20: cannot substitute ?x: it is bound by VALUES
    """
    v = _read(text, None)[0].variables()
    if v.kind == "update":
        raise QueryError("substitution applies to queries, not updates")
    edits: list[tuple[int, int, str]] = []
    binds: list[str] = []
    for key, value in bindings.items():
        name = str(getattr(key, "value", key)).lstrip("?$")
        term, is_iri = _term_text(value)
        live = [u for u in v.uses if u.name == name and _live(
            v, v.scopes[u.scope].parent if u.role.startswith("project") else u.scope, name)]
        _check_present(v, name, live)
        edits += filter(None, (_edit(text, use, term, is_iri, v.scopes) for use in live))
        if v.kind == "select" or v.star:
            binds.append(f"BIND({term} AS ?{name})")
    out = rewrite(text, edits + _binds(v, text, binds))
    try:
        analyse(out)
    except QueryError as exc:  # pragma: no cover - a bug if it happens
        raise QueryError(f"substitution gave a query that does not parse: {exc}") from None
    return out


def values_blocks(text: str, name: str) -> list[tuple[int, int]]:
    """The (start, end) of the data of each ``VALUES ?name { … }`` block (one variable),
    at any depth, in order: what :func:`fill_values` replaces.

    >>> values_blocks('SELECT * { VALUES ?x { 1 } VALUES (?x) { (2) } VALUES $x {} }', "x")
    [(22, 25), (58, 58)]
    """
    tokens = tokenize(text)
    found = []
    for i, tok in enumerate(tokens[:-2]):
        if (tok.sym == "VALUES" and tokens[i + 1].sym == "var"
                and tokens[i + 1].text[1:] == name and tokens[i + 2].sym == "{"):
            close = next(t for t in tokens[i + 3:] if t.sym == "}")
            found.append((tokens[i + 2].end, close.start))
    return found


def fill_values(text: str, name: str, terms: Sequence[Any], *, whole: bool = True) -> str:
    """The query with the data of every ``VALUES ?name { … }`` block replaced by the
    given terms (pyoxigraph ``NamedNode`` or ``Literal``, written in their N-Triples form,
    never taken from a user's text): one row each, no row for no terms. ``whole``: the
    text is a whole query (checked to parse afterwards), else a part of one.

    >>> from pyoxigraph import NamedNode
    >>> fill_values('SELECT * { VALUES ?x { } ?x ?p ?o }', "x",
    ...             [NamedNode("http://e/a"), NamedNode("http://e/b")])
    'SELECT * { VALUES ?x { <http://e/a> <http://e/b> } ?x ?p ?o }'
    >>> fill_values('SELECT * { ?x ?p ?o }', "x", [])
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: no VALUES ?x { … } block to fill
    """
    spans = values_blocks(text, name)
    if not spans:
        raise QueryError(f"no VALUES ?{name} {{ … }} block to fill")
    data = " " + "".join(_term_text(term)[0] + " " for term in terms)
    out = rewrite(text, [(start, end, data) for start, end in spans])
    if whole:
        analyse(out)
    return out


# ------------------------------------------------------------------ engine errors

_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_CHAR_CLASS = re.compile(r"\[[^\]]*\]")
_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\b[A-Z][A-Z_0-9]+\b')


def _expected(raw: str) -> list[str]:
    """The readable alternatives of a pyoxigraph 'expected …' list."""
    raw = _CHAR_CLASS.sub("", raw.removeprefix("expected one of ").removeprefix("expected "))
    items: list[str] = []
    for m in _EXPECTED_ITEM.finditer(raw):
        item = m.group(0)
        if item.startswith('"'):
            item = "'" + re.sub(r"\\(.)", r"\1", item[1:-1]) + "'"
        if item not in items:
            items.append(item)
    if "IRI parsing failed" in raw:
        items.insert(0, "a valid absolute IRI")
    return items


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return min(start + column - 1, len(text))


def syntax_error(text: str, exc: SyntaxError) -> QueryError:
    """A short QueryError for a pyoxigraph SyntaxError on this text.

    When this module's own reading rejects the text too, its message is given: it
    names what was expected and what was found, at the first token that does not
    fit. Otherwise pyoxigraph's ``error at L:C: expected one of …`` is shortened to
    its position and its readable alternatives (no Unicode ranges).

    >>> from pyoxigraph import Store
    >>> def err(q):
    ...     try:
    ...         Store().query(q)
    ...     except SyntaxError as exc:
    ...         return syntax_error(q, exc)
    >>> err('SELECT * { ?s x:p ?o }')
    QueryError("line 1, column 15: unknown prefix 'x:' (declare it with PREFIX x: <…>)")
    >>> err('SELECT * WHERE { ?s ?p }')
    QueryError("line 1, column 24: expected a variable or an RDF term, found '}'")
    >>> err('SELECT * WHERE { ?s ?p ?o FILTER(?o = TRUE) }')  # doctest: +ELLIPSIS
    QueryError('line 1, column 46: expected one of LANGDIR, MINUTES, REPLACE, ...')
    """
    message = str(exc.msg if isinstance(exc.msg, str) and exc.msg else exc)
    try:
        analyse(text)
    except QueryError as own:
        return own
    m = _ENGINE_POSITION.search(message)
    if m is None:
        return QueryError(f"SPARQL syntax error: {' '.join(message.split())[:200]}")
    line, column = int(m.group(1)), int(m.group(2))
    items = _expected(m.group(3))
    if "Prefix not found" in m.group(3):
        return QueryError(f"line {line}, column {column}: unknown prefix")
    if not items:
        near = _excerpt(text, _offset(text, line, column))
        return QueryError(f"line {line}, column {column}: syntax error near «{near}»")
    shown = ", ".join(items[:8]) + (", …" if len(items) > 8 else "")
    return QueryError(f"line {line}, column {column}: expected "
                      + ("one of " if len(items) > 1 else "") + shown)
