"""One Django auth Group per Role (domain §1), holding the model permissions that role needs.

Permissions are granted by app label so a model added later to an app (the calendars app is still growing)
is covered by the next ``migrate`` without touching this module. Grants are only ever added: an
administrator who gives a group more rights keeps them; one who removes a default gets it back on the
next migrate, which is the price of groups that are guaranteed to work after a fresh install."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from .choices import Role

# Apps whose configuration the center administrator maintains (domain §1: catalog, windows, staff, calendar).
ADMIN_APPS = ("org", "catalog", "calendars", "workflow")
# Apps whose data the oversight roles read.
OVERSIGHT_APPS = (
    "org",
    "catalog",
    "calendars",
    "core",
    "workflow",
    "cases",
    "clocks",
    "ledger",
    "documents",
    "supervision",
    "complaints",
    "stats",
    "ratings",
    "hotline",
    "queueing",
)

# Roles that work in the Django admin and therefore need ``is_staff``.
ADMIN_SITE_ROLES = frozenset(
    {Role.CENTER_ADMIN, Role.SUPERVISOR, Role.PERFORMANCE_OFFICER, Role.LEGAL_OFFICER, Role.LEADER}
)

# role -> list of (app_label, actions); actions among add/change/delete/view.
_ALL = ("add", "change", "delete", "view")
_VIEW = ("view",)
APP_GRANTS: dict[Role, list[tuple[str, tuple[str, ...]]]] = {
    Role.CENTER_ADMIN: [(app, _ALL) for app in ADMIN_APPS] + [("core", _VIEW)],
    Role.SUPERVISOR: [(app, _VIEW) for app in OVERSIGHT_APPS],
    Role.LEADER: [(app, _VIEW) for app in OVERSIGHT_APPS],
    Role.PERFORMANCE_OFFICER: [(app, _VIEW) for app in OVERSIGHT_APPS],
    Role.LEGAL_OFFICER: [(app, _VIEW) for app in OVERSIGHT_APPS],
    Role.DEPARTMENT_HEAD: [("catalog", _VIEW), ("org", _VIEW), ("calendars", _VIEW)],
    Role.WINDOW_CLERK: [("catalog", _VIEW), ("calendars", _VIEW)],
    Role.APPROVER: [("catalog", _VIEW), ("calendars", _VIEW)],
    Role.AGENT: [("catalog", _VIEW)],
    Role.HOTLINE_OPERATOR: [("catalog", _VIEW), ("org", _VIEW), ("calendars", _VIEW)],
    Role.DISCLOSURE_OFFICER: [("disclosure", _ALL), ("org", _VIEW), ("calendars", _VIEW)],
    Role.APPLICANT: [],
}
# Single permissions outside the app grants: the center administrator manages staff accounts.
EXTRA_GRANTS: dict[Role, list[str]] = {
    Role.CENTER_ADMIN: ["auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group"],
    Role.SUPERVISOR: ["auth.view_user"],
    Role.LEADER: ["auth.view_user"],
}


def _permission_query(model: Any, role: Role) -> Any:
    from django.db.models import Q

    condition = Q(pk__in=[])
    for app_label, actions in APP_GRANTS[role]:
        by_action = Q(pk__in=[])
        for action in actions:
            by_action |= Q(codename__startswith=f"{action}_")
        condition |= Q(content_type__app_label=app_label) & by_action
    for dotted in EXTRA_GRANTS.get(role, []):
        app_label, codename = dotted.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return model.objects.filter(condition)


def ensure_role_groups(
    *, using: str = DEFAULT_DB_ALIAS, apps: Any = None, roles: Iterable[Role] = tuple(Role)
) -> dict[str, Any]:
    """Create the role groups if missing and add their default permissions. Safe to call any number of times."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    groups: dict[str, Any] = {}
    for role in roles:
        group, _ = group_model.objects.using(using).get_or_create(name=role.value)
        wanted = set(_permission_query(permission_model, role).using(using).values_list("pk", flat=True))
        have = set(group.permissions.values_list("pk", flat=True))
        if wanted - have:
            group.permissions.add(*(wanted - have))
        groups[role.value] = group
    return groups


_GRANTED_APPS = frozenset(
    {"auth"}
    | {app for grants in APP_GRANTS.values() for app, _ in grants}
    | {dotted.split(".")[0] for extra in EXTRA_GRANTS.values() for dotted in extra}
)


def on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, apps: Any = None, **kwargs: Any) -> None:
    """post_migrate fires once per app, after that app's permissions exist; running for each granted app
    keeps every app's new permissions granted whatever the app order."""
    if getattr(sender, "label", None) not in _GRANTED_APPS:
        return
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    try:
        apps.get_model("auth", "Group")
        apps.get_model("auth", "Permission")
    except LookupError:  # auth is being migrated to zero
        return
    ensure_role_groups(using=using, apps=apps)
