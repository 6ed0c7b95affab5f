"""The one place that imports karrio, with certificate checks on all the way through.

``karrio.core.utils.helpers`` runs, at import time,
``ssl._create_default_https_context = ssl._create_unverified_context``, which would switch off
certificate checks for every ``urllib`` HTTPS call in the whole process (ours included). It is
the only such line in karrio and its carrier packages (checked with
``grep -rn _create_default_https_context site-packages``).

karrio is loaded late, by the first carrier call (``apps.load_gateway``), so another thread of
the same process may be making an HTTPS call while this module runs. So the bad line must never
take effect, not even for a moment: while karrio's modules import,
``ssl._create_unverified_context`` is the verifying ``ssl.create_default_context``, and the bad
line assigns a verifying factory. (A thread asking for an unverified context in that second
gets a verifying one: it fails closed. The standard library's own ``ssl._create_stdlib_context``
is a separate name and is untouched.)
Afterwards ``ensure_verified()`` checks the default again; it is also called before each carrier
call, and ``client.py`` passes its own verifying ``SSLContext`` to every request anyway.
"""

from __future__ import annotations

import ssl

_VERIFIED = ssl.create_default_context


def ensure_verified() -> None:
    if ssl._create_default_https_context is not _VERIFIED:
        ssl._create_default_https_context = _VERIFIED


from loguru import logger as _karrio_log  # noqa: E402  (karrio logs through loguru)

# karrio's INFO lines ("Karrio SDK gateway initialized") on every command's console: silence
# them; our own client logs what matters through the logging module
_karrio_log.disable("karrio")

_unverified = ssl._create_unverified_context
ssl._create_unverified_context = _VERIFIED  # what karrio's bad line will assign
try:
    import karrio.core.models as models
    import karrio.core.units as units
    import karrio.core.utils.helpers as helpers  # the module with the bad line
    import karrio.lib as lib

    # import every carrier package we use now, so nothing imported later re-runs the bad line
    import karrio.mappers.fedex  # noqa: F401
    import karrio.mappers.mydhl  # noqa: F401  (DHL Express, MyDHL API)
    import karrio.mappers.ups  # noqa: F401
    import karrio.mappers.usps_international  # noqa: F401
    import karrio.providers.mydhl.units as mydhl_units
    import karrio.sdk as sdk
finally:
    ssl._create_unverified_context = _unverified

ensure_verified()

__all__ = ["ensure_verified", "helpers", "lib", "models", "mydhl_units", "sdk", "units"]
