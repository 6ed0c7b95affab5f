"""The ECB's euro reference rates fetched over HTTP (``client``) by the worker's sweep
(``periodic``), when ``TRADELANE_ECB_FETCH`` is on; the file is parsed and imported by
``finance.fx`` (what a file import does, so a bad answer writes nothing)."""
