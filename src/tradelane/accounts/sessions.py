"""The database session store with its one read on a compiled statement
(``core.statements``): every signed-in request reads its session row, and building and
compiling that query cost more than running it. Writes, expiry and the errors a corrupt
session raises are Django's own (``django.contrib.sessions.backends.db``)."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db import models
from django.utils import timezone

from tradelane.core.statements import Param, Select


def _session_model():
    return SessionStore.get_model_class()


_SESSION = Select(lambda: _session_model().objects.filter(
    session_key=Param("key"), expire_date__gt=Param("now", models.DateTimeField())))  # fmt: skip


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        try:
            return _SESSION.get(key=self.session_key, now=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
