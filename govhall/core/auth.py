"""Password authentication with lockout: every way in (login page, admin, HTTP Basic) goes through this backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest

from . import throttle
from .compiled import CompiledRead

# The signed-in user of every request, read by key (core.compiled: the statement is built once per connection).
_USER = CompiledRead(lambda pk: User.objects.filter(pk=pk), int)


def _user_alone(pk: int) -> User | None:
    found = _USER.objects(pk)
    return found[0] if found else None


# How the backend reads a request's user. org installs its reader (org.access.signed_in_user: the user with the
# roles, staff record and departments the request's permission checks need, in the same statement) from its
# AppConfig.ready, since core sits below org and cannot import it.
_read_user: Callable[[int], User | None] = _user_alone


def install_user_reader(reader: Callable[[int], User | None]) -> None:
    global _read_user
    _read_user = reader


class LockoutModelBackend(ModelBackend):
    """Django's ModelBackend, refusing a locked account or address before the password is even checked."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            key = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _read_user(key)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        wait = throttle.login_retry_after(request, username)
        if wait:
            # PermissionDenied stops Django's authenticate() at once (no other backend is asked).
            raise PermissionDenied(throttle.login_message(wait))
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and username:
            throttle.login_succeeded(username)
        return user


@receiver(user_login_failed, dispatch_uid="govhall.core.auth.count_failure")
def _count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    throttle.login_failed(request, credentials.get("username"))


class LockoutAuthenticationForm(AuthenticationForm):
    """The login form says the account is locked instead of "wrong password" once it is."""

    def get_invalid_login_error(self) -> ValidationError:
        wait = throttle.login_retry_after(self.request, self.cleaned_data.get("username"))
        if wait:
            return ValidationError(throttle.login_message(wait), code="locked")
        return super().get_invalid_login_error()


class LockoutAdminAuthenticationForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    pass


def signed_in(request: HttpRequest) -> User:
    """The user of a request behind a login (login_required, role_required, the admin site): never anonymous
    there, so the acting user is typed `User`. An anonymous request that slipped through is refused."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user


def api_user(request: HttpRequest) -> User:
    """The user django-ninja authenticated for an API operation: its authenticators (HTTP Basic, the session)
    return the `User`, which ninja puts in request.auth. An operation without one is refused."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user
