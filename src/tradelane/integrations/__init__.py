"""Integrations: carriers, stores and tracking services reached over HTTP; they import the domain, never the other way round."""
