"""Binding joint review: the shipped 并联审批流程 gets the description of what it now does (every department gives
its opinion, a refusal binds, 联审协调). A database still on the untouched shipped version 1 gets version 2; a
template an administrator already changed is left alone. Only the text differs, so cases on version 1 are unaffected."""

from django.db import migrations
from django.utils import timezone

OLD_DESCRIPTION = (
    "并联审批（联审联办）：牵头部门受理审查后，牵头部门和各协办部门同时审查，全部同意后由牵头部门作出决定；"
    "任一部门不同意的，由牵头部门依据各部门意见作出决定。重大项目可走绿色通道，承诺时限减半。"
)


def update(apps, schema_editor):
    from govhall.workflow.standard import STANDARD_TEMPLATES
    from govhall.workflow.validation import validate_spec

    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    active = ProcessDefinition.objects.filter(code="joint_review", active=True).first()
    if (
        active is None
        or active.created_by_id is not None
        or active.spec.get("description") != OLD_DESCRIPTION
    ):
        return
    spec = validate_spec(STANDARD_TEMPLATES["joint_review"])
    ProcessDefinition.objects.filter(pk=active.pk).update(active=False)
    ProcessDefinition.objects.create(
        code="joint_review",
        version=active.version + 1,
        name=spec.name,
        spec=spec.to_json(),
        active=True,
        created_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_standard_templates")]

    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
