"""HTML for people: one shell, one view, one table of interface words, the pages."""
