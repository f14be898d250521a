"""Declared parameters of a packaged query, as read from ``# param:`` header lines.

Syntax (after ``# param:``)::

    NAME type=TYPE [required] [list] [default=VALUE] [example=VALUE] — description

Values with spaces are quoted (``default="quantum computing"``); ``--`` may
stand for the dash. A ``list`` parameter takes several values of its type,
separated by commas (``metaverse,6g``), and is bound as the rows of the
``VALUES ?NAME { … }`` blocks of its query (:mod:`kg.catalogue.query`).

>>> p = parse_param('region type=region required default=shandong example=zhejiang — the region')
>>> p.name, p.type, p.required, p.default, p.example, p.description
('region', 'region', True, 'shandong', 'zhejiang', 'the region')
>>> parse_param("year type=date")
Traceback (most recent call last):
  ...
ValueError: unknown type 'date' for parameter 'year'; allowed: region, sector, year, iri, ...
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from kg import settings

PARAM_TYPES = ("region", "sector", "year", "iri", "string", "integer", "lang")
LIST_TYPES = ("region", "sector", "year", "iri", "integer")  # written as ASCII terms
LANGS = settings.LANGS
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
YEAR = re.compile(r"^[0-9]{4}$")
INTEGER = re.compile(r"^[+-]?[0-9]{1,15}$")
IRI_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
REQUIRED = "required"
LIST = "list"
_ITEM_SEPARATOR = re.compile(r"[,\s]+")
_DASH = re.compile(r"\s+(?:—|--)\s*")


@dataclass(frozen=True)
class Param:
    """One parameter a packaged query declares."""

    name: str
    type: str
    required: bool
    default: str | None
    example: str | None
    description: str
    many: bool = False  # a list: several values, bound as VALUES rows

    def to_json(self) -> dict[str, Any]:
        """The parameter as JSON-ready data.

        >>> Param("year", "year", False, "2025", "2030", "by this year").to_json()["default"]
        '2025'
        """
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "example": self.example,
            "description": self.description,
            "list": self.many,
        }


def parse_param(text: str) -> Param:
    """A :class:`Param` from the text of a ``# param:`` line; ValueError says what is wrong."""
    spec, description = _split_description(text)
    try:
        tokens = shlex.split(spec)
    except ValueError as exc:
        raise ValueError(f"cannot read parameter spec {spec!r}: {exc}") from None
    if not tokens or not NAME.match(tokens[0]):
        raise ValueError(f"parameter name must match {NAME.pattern}, got {spec!r}")
    name, options = tokens[0], _options(tokens[0], tokens[1:])
    kind = options.get("type")
    if kind not in PARAM_TYPES:
        allowed = ", ".join(PARAM_TYPES)
        raise ValueError(f"unknown type {kind!r} for parameter {name!r}; allowed: {allowed}")
    if LIST in options and kind not in LIST_TYPES:
        raise ValueError(f"parameter {name!r}: type {kind} cannot be a list; "
                         f"lists are of: {', '.join(LIST_TYPES)}")
    param = Param(
        name, kind, REQUIRED in options, options.get("default"), options.get("example"),
        description, LIST in options,
    )
    for value in (param.default, param.example):
        if value is not None:
            for item in items(param, value):
                check_form(param, item)
    return param


def items(param: Param, value: str) -> list[str]:
    """The values a raw value holds: itself, or for a list the comma-separated items.

    >>> items(Param("s", "sector", False, None, None, "", True), "6g, metaverse,,")
    ['6g', 'metaverse']
    >>> items(Param("s", "string", False, None, None, ""), "a, b")
    ['a, b']
    """
    if not param.many:
        return [value]
    return [item for item in _ITEM_SEPARATOR.split(value) if item]


def _split_description(text: str) -> tuple[str, str]:
    parts = _DASH.split(text, maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def _options(name: str, tokens: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for token in tokens:
        key, eq, value = token.partition("=")
        if token in (REQUIRED, LIST):
            options[token] = ""
        elif eq and key in ("type", "default", "example") and key not in options:
            options[key] = value
        else:
            raise ValueError(
                f"parameter {name!r}: unexpected {token!r}; "
                "expected type=…, required, list, default=…, example=…"
            )
    return options


def check_form(param: Param, value: str) -> None:
    """Check a value's form for the parameter's type (no store needed).

    >>> check_form(Param("year", "year", False, None, None, ""), "20x5")
    Traceback (most recent call last):
      ...
    ValueError: parameter 'year': expected a 4-digit year such as 2025, got '20x5'
    """
    problem = {
        "year": None if YEAR.match(value) else "a 4-digit year such as 2025",
        "integer": None if INTEGER.match(value) else "an integer such as 10",
        "lang": None if value in LANGS else "one of " + ", ".join(LANGS),
        "region": _entity_problem(value, "a region slug such as shandong, or a full IRI"),
        "sector": _entity_problem(value, "a sector slug such as 6g, or a full IRI"),
        "iri": None if IRI_START.match(value) else "an IRI such as id:region/beijing",
    }.get(param.type)
    if problem:
        raise ValueError(f"parameter {param.name!r}: expected {problem}, got {value!r}")


def _entity_problem(value: str, expected: str) -> str | None:
    return None if SLUG.match(value) or IRI_START.match(value) else expected
