"""Schemathesis hooks for the OpenAPI fuzzing of `kg serve` (loaded with SCHEMATHESIS_HOOKS).

The one 5xx the server documents on purpose is 503 "time limit": a request that
lowered its own time limit (``timeout=`` or ``X-KG-Timeout``) may run out of it.
Every other 5xx is a failure.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def _asked_for_a_time_limit(case: Any) -> bool:
    query = case.query or {}
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    return "timeout" in query or "x-kg-timeout" in headers


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> None:
    """No 5xx, except 503 "time limit" for a request that lowered its own time limit."""
    status = response.status_code
    if status < 500:
        return
    if status == 503 and "time limit" in response.text and _asked_for_a_time_limit(case):
        return
    raise AssertionError(f"server error {status}: {response.text[:500]}")


# A SPARQL query body is plain UTF-8 text.
schemathesis.serializer.alias("application/sparql-query", "text/plain")
