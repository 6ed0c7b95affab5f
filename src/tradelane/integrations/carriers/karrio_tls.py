"""The one place that imports karrio.

``karrio.core.utils.helpers`` runs, at import time,
``ssl._create_default_https_context = ssl._create_unverified_context``, which switches off
certificate checks for every ``urllib`` HTTPS call in the whole process (ours included). It is
the only such line in karrio and its carrier packages (checked with
``grep -rn _create_default_https_context site-packages``). We import karrio here, then put the
verified default back; ``ensure_verified()`` is called again before each carrier call, so a
later import of a karrio module cannot switch the checks off for long, and
``client.py`` passes its own verifying ``SSLContext`` to every request anyway.
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

import karrio.core.models as models  # noqa: E402
import karrio.core.units as units  # noqa: E402
import karrio.core.utils.helpers as helpers  # noqa: E402  (the module with the bad line)
import karrio.lib as lib  # noqa: E402

# import every carrier package we use now, so nothing imported later re-runs the bad line
import karrio.mappers.fedex  # noqa: E402, F401
import karrio.mappers.mydhl  # noqa: E402, F401  (DHL Express, MyDHL API)
import karrio.mappers.ups  # noqa: E402, F401
import karrio.mappers.usps_international  # noqa: E402, F401
import karrio.providers.mydhl.units as mydhl_units  # noqa: E402
import karrio.sdk as sdk  # noqa: E402

ensure_verified()

__all__ = ["ensure_verified", "helpers", "lib", "models", "mydhl_units", "sdk", "units"]
