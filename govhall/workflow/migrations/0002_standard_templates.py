"""Ship the seven standard process templates (govhall/workflow/standard.py) as version 1 of each code."""

from django.db import migrations
from django.utils import timezone


def install(apps, schema_editor):
    from govhall.workflow.standard import STANDARD_TEMPLATES
    from govhall.workflow.validation import validate_spec

    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    now = timezone.now()
    for code, data in STANDARD_TEMPLATES.items():
        if ProcessDefinition.objects.filter(code=code).exists():
            continue
        spec = validate_spec(data)
        ProcessDefinition.objects.create(
            code=code, version=1, name=spec.name, spec=spec.to_json(), active=True, created_at=now
        )


def uninstall(apps, schema_editor):
    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    ProcessDefinition.objects.filter(version=1, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
