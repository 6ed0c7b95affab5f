"""Edges to the outside world (stores, carriers). Integrations import the domain, never the
other way round (see tests/test_architecture.py)."""
