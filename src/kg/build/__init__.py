"""The build service: parse → validate (pySHACL) → reason (HermiT + rules) → load."""

from kg.build.pipeline import BuildReport, build, check

__all__ = ["BuildReport", "build", "check"]
