"""The build service: parse → validate (pySHACL) → reason (HermiT + rules) → load.

``build``, ``check`` and ``BuildReport`` are imported from :mod:`kg.build.pipeline` when
first used: the pipeline brings in HermiT (owlready2), pySHACL and the SPARQL grammar,
which a rebuild with nothing changed never needs (:mod:`kg.build.reuse`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.build.pipeline import BuildReport, build, check

__all__ = ["BuildReport", "build", "check"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("kg.build.pipeline"), name)
    raise AttributeError(f"module 'kg.build' has no attribute {name!r}")
