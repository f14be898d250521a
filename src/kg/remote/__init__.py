"""Other SPARQL endpoints: query them, push graphs to them, answer SERVICE blocks."""
