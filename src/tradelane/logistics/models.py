"""Every model of the logistics app, gathered from its sub-packages.

The kernel is one Django app (label ``logistics``) split into sub-packages by concern; each
sub-package keeps its own models in its ``models.py``. Importing them here registers them with
Django, so migrations did not change when the models moved, and ``tradelane.logistics.models``
stays the one import for code outside the kernel.
"""

from .rates.models import *  # noqa: F401,F403
