"""Generators that are not part of serving: the docs pages and the divisions table."""
