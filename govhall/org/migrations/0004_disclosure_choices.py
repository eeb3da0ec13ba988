"""The 政务公开专员 role (disclosure_officer): its group and default permissions."""

from typing import Any

from django.db import migrations


def create_group(apps: Any, schema_editor: Any) -> None:
    from govhall.org.choices import Role
    from govhall.org.roles import ensure_role_groups

    ensure_role_groups(using=schema_editor.connection.alias, apps=apps, roles=[Role.DISCLOSURE_OFFICER])


class Migration(migrations.Migration):
    dependencies = [("org", "0003_comprehensive_window")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
