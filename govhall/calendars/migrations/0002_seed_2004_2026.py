import uuid

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from govhall.calendars.seed import seed_from_package

    seed_from_package(
        apps.get_model("calendars", "CalendarYear"),
        apps.get_model("calendars", "CalendarDay"),
        now=timezone.now(),
    )
    apps.get_model("calendars", "CalendarRevision").objects.get_or_create(
        pk=1, defaults={"counter": 1, "token": uuid.uuid4().hex, "changed_at": timezone.now()}
    )


def unseed(apps, schema_editor):
    from govhall.calendars.seed import SEED_FIRST_YEAR, SEED_LAST_YEAR

    CalendarYear = apps.get_model("calendars", "CalendarYear")
    CalendarDay = apps.get_model("calendars", "CalendarDay")
    seeded = CalendarYear.objects.filter(source="seed", year__range=(SEED_FIRST_YEAR, SEED_LAST_YEAR))
    for year in seeded.values_list("year", flat=True):
        CalendarDay.objects.filter(date__year=year).delete()
    seeded.delete()
    apps.get_model("calendars", "CalendarRevision").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
