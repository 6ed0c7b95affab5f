"""Connections to the outside world (stores, carriers). They import the domain, never the
other way round (ARCHITECTURE.md, layering)."""
