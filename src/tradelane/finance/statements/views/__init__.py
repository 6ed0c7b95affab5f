"""The statements pages: ``staff`` (finance) and ``portal`` (the customer's own)."""
