"""Errors of the project and the exit codes they map to, defined once.

Every failure a user can cause is a :class:`KgError` subclass that carries its
:class:`ExitCode` (for the CLI) and its HTTP status (for the server).

>>> err = ParseError("data/x.ttl", 3, 7, "unexpected end of file")
>>> str(err)
'data/x.ttl:3:7: unexpected end of file'
>>> int(err.exit_code), err.http_status
(3, 400)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``kg`` command (documented in the README)."""

    OK = 0
    ERROR = 1  # unexpected internal error
    USAGE = 2  # bad command line or bad parameter
    INVALID_SYNTAX = 3  # a source file does not parse
    INVALID_DATA = 4  # SHACL violations
    INCONSISTENT = 5  # the ontology + data are inconsistent under HermiT
    NOT_FOUND = 6  # no built store, unknown query or graph
    BAD_QUERY = 7  # SPARQL does not parse or fails
    TIMEOUT = 8  # a query ran past its time limit
    REMOTE = 9  # a remote endpoint failed or could not be reached
    INTERRUPTED = 130


class KgError(Exception):
    """Base class: a failure with a message meant for the user."""

    exit_code: ExitCode = ExitCode.ERROR
    http_status: int = 500


class UsageError(KgError):
    """A bad argument or parameter; the message lists what is allowed."""

    exit_code = ExitCode.USAGE
    http_status = 400


class ParseError(KgError):
    """A source that is not well-formed RDF, with its position."""

    exit_code = ExitCode.INVALID_SYNTAX
    http_status = 400

    def __init__(self, path: str, line: int | None, column: int | None, message: str) -> None:
        self.path, self.line, self.column, self.message = path, line, column, message
        where = path if line is None else f"{path}:{line}:{column or 1}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Violation:
    """One SHACL result: focus node, path, message and severity."""

    focus: str
    path: str | None
    message: str
    severity: str = "Violation"
    shape: str | None = None

    def __str__(self) -> str:
        path = f" <{self.path}>" if self.path else ""
        return f"{self.severity}: <{self.focus}>{path}: {self.message}"


def _listed(items: Sequence[object], shown: int = 50) -> str:
    """The first ``shown`` items, indented one per line, and how many more there are.

    >>> print(_listed(["a", "b", "c"], shown=2))
      a
      b
      … and 1 more
    """
    lines = "\n".join(f"  {item}" for item in items[:shown])
    return lines + (f"\n  … and {len(items) - shown} more" if len(items) > shown else "")


class ValidationError(KgError):
    """The data do not conform to the SHACL shapes."""

    exit_code = ExitCode.INVALID_DATA
    http_status = 400

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__(f"{len(violations)} SHACL violation(s):\n{_listed(violations)}")


class EvidenceError(KgError):
    """Quotes not found verbatim in the text of the source they cite, or a source text that
    is missing or differs from its registered checksum; each problem with its position.

    >>> print(EvidenceError(["data/x.ttl:7: “甲” is not in the text of <s>"]))
    1 problem with the sources' texts:
      data/x.ttl:7: “甲” is not in the text of <s>
    """

    exit_code = ExitCode.INVALID_DATA
    http_status = 400

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun} with the sources' texts:\n{_listed(problems)}")


class InconsistencyError(KgError):
    """HermiT found the ontology and data inconsistent."""

    exit_code = ExitCode.INCONSISTENT
    http_status = 400

    def __init__(self, message: str, culprits: list[str] | None = None) -> None:
        self.culprits = culprits or []
        detail = "".join(f"\n  {c}" for c in self.culprits)
        super().__init__(f"inconsistent ontology: {message}{detail}")


class CatalogueError(KgError):
    """A packaged query file whose header or SPARQL is malformed, with its position.

    >>> str(CatalogueError("queries/x.rq", 4, "unknown header key 'titel'"))
    "queries/x.rq:4: unknown header key 'titel'"
    """

    exit_code = ExitCode.INVALID_SYNTAX
    http_status = 500  # the server's own catalogue is broken, not the request

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")


class ProjectError(KgError):
    """A project file (``kg.toml``) or a source registration that is malformed or does not
    hold, with its position.

    >>> str(ProjectError("kg.toml", 3, "Expected '=' after a key"))
    "kg.toml:3: Expected '=' after a key"
    """

    exit_code = ExitCode.INVALID_SYNTAX
    http_status = 500

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")


class NotFoundError(KgError):
    """No such store, query, graph or entity."""

    exit_code = ExitCode.NOT_FOUND
    http_status = 404


class QueryError(KgError):
    """A SPARQL query that does not parse or cannot be evaluated."""

    exit_code = ExitCode.BAD_QUERY
    http_status = 400


class QueryTimeout(KgError):
    """A query ran past its time limit and was stopped."""

    exit_code = ExitCode.TIMEOUT
    http_status = 503


class QueryTooBig(KgError):
    """A query grew past its memory allowance and was stopped (a server limit, like time)."""

    exit_code = ExitCode.TIMEOUT
    http_status = 503


class Unavailable(KgError):
    """What a server on a remote backend (``kg serve --backend``) cannot offer (HTTP 501).

    >>> str(Unavailable.needs_local("dumps")).split(":")[0]
    'dumps is not available with a remote backend (kg serve --backend)'
    """

    exit_code = ExitCode.USAGE
    http_status = 501

    @classmethod
    def needs_local(cls, what: str) -> Unavailable:
        return cls(f"{what} is not available with a remote backend (kg serve --backend): it "
                   "needs a local build; the backend's own server may offer it")


class RemoteError(KgError):
    """A remote SPARQL endpoint failed, was too slow or unreachable."""

    exit_code = ExitCode.REMOTE
    http_status = 502
    status: int | None = None  # the endpoint's HTTP status, when it answered one
