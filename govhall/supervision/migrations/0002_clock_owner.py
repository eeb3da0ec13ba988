# Alerts keep the owner's label and link (what was late, and its staff page) for alerts that are not about a case.
from typing import Any

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def copy_owner(apps: Any, schema_editor: Any) -> None:
    # Alerts raised before clocks carried an owner: the summary named the late thing; the link comes from the clock,
    # whose owner clocks.0004 filled.
    Alert = apps.get_model("supervision", "Alert")
    Clock = apps.get_model("clocks", "Clock")
    Alert.objects.filter(clock__isnull=False, label="").update(
        label=F("summary"),
        link=Coalesce(
            Subquery(Clock.objects.filter(pk=OuterRef("clock_id")).values("owner_link")[:1]), Value("")
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial"), ("clocks", "0004_clock_owner")]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="label",
            field=models.CharField(blank=True, max_length=200, verbose_name="对象"),
        ),
        migrations.AddField(
            model_name="alert",
            name="link",
            field=models.CharField(blank=True, max_length=200, verbose_name="链接"),
        ),
        migrations.RunPython(copy_owner, migrations.RunPython.noop),
    ]
