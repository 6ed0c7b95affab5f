"""Integrations: carriers, stores and tracking services reached over HTTP.

They import the domain, never the other way round."""
