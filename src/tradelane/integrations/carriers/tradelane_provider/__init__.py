"""A Tradelane provider as a carrier: its open API behind our carrier contract (``gateway``),
the HTTP policies (``client``), pure mapping (``mapping``), its webhooks (``webhooks``) and
the webhook registration (``connection``)."""
