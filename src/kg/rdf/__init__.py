"""RDF documents the project writes: formats, JSON-LD, dumps, VoID, DCAT."""
