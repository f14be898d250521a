"""The query service: guard, run, limit and serialise SPARQL over a store."""

from kg.sparql.run import (
    Result,
    guard,
    guard_update,
    limiter,
    read,
    refuse_services,
    run,
    service_targets,
)
from kg.sparql.target import Local, Queryable, Term, queryable

__all__ = ["Local", "Queryable", "Result", "Term", "guard", "guard_update", "limiter",
           "queryable", "read", "refuse_services", "run", "service_targets"]
