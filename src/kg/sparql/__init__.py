"""The query service: guard, run, limit and serialise SPARQL over a store."""

from kg.sparql.run import (
    Result,
    guard,
    limiter,
    mask,
    nesting,
    operators,
    run,
    service_targets,
)

__all__ = ["Result", "guard", "limiter", "mask", "nesting", "operators", "run",
           "service_targets"]
