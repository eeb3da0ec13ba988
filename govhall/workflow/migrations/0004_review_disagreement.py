"""The reviewer may disagree: the shipped templates' review steps (审查、初审、牵头部门受理审查) offer 不同意 with
reasons besides 同意, passed on to the deciding step. A database whose active version of a template is still the
untouched shipped one (no author) gets the new version; a template an administrator changed is left alone. Cases
keep the version they started on."""

from django.db import migrations
from django.utils import timezone


def update(apps, schema_editor):
    from govhall.workflow.standard import STANDARD_TEMPLATES
    from govhall.workflow.validation import validate_spec

    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    for code, data in STANDARD_TEMPLATES.items():
        active = ProcessDefinition.objects.filter(code=code, active=True).first()
        if active is None or active.created_by_id is not None:
            continue
        spec = validate_spec(data).to_json()
        if active.spec == spec:
            continue
        ProcessDefinition.objects.filter(pk=active.pk).update(active=False)
        ProcessDefinition.objects.create(
            code=code,
            version=active.version + 1,
            name=active.name,
            spec=spec,
            active=True,
            created_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_coordination_step")]

    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
