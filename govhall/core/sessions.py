"""Django's database sessions, with the one read every signed-in request makes compiled once per connection.

The session row is read by its key alone (`core.compiled`); its expiry is then compared with the same instant the
ORM would have put in the statement (`expire_date > now`), so an expired session is refused exactly as before."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from .compiled import CompiledRead

_SESSION = CompiledRead(lambda key: Session.objects.filter(session_key=key), str)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        try:
            found = _SESSION.objects(self.session_key, using=self._using()) if self.session_key else []
        except SuspiciousOperation as e:  # as Django's own store: logged, and the session is treated as new
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            found = []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None

    def _using(self) -> str:
        from django.db import router

        return router.db_for_read(Session)
