"""Every model of the finance app, gathered from its sub-packages (one Django app, label
``finance``, split by concern)."""
