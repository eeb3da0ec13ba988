"""Dynamic disclosure: every decided case of an item linked to an A-level power on two public channels (the
disclosure catalog and the feed), B and C on one; the check finds what is missing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from govhall.cases import actions as cases
from govhall.disclosure.actions import records_for
from govhall.disclosure.choices import DisclosureCategory
from govhall.integrity import actions
from govhall.integrity.choices import Channel
from govhall.integrity.models import ExerciseDisclosure, PowerExercise
from govhall.integrity.queries import disclosure_gaps
from tests.cases.conftest import PERSON, build_hall, local, uploads_for

INSTANT = "企业营业执照设立登记"


@pytest.mark.django_db
def test_a_level_exercises_go_on_two_channels_and_the_check_sees_gaps() -> None:
    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        hall = build_hall()
        item = hall.item(INSTANT)
        power = actions.save_power(
            code="XK-SCJG-001",
            name="企业设立登记",
            power_type="01",
            department=item.department,
            legal_basis="《中华人民共和国市场主体登记管理条例》第三条",
            process_template="instant",
            item=item,
        )
        actions.record_risk_point(
            power=power, description="对不符合条件的申请违规登记", level="A", discovery="organisation"
        )
        power.refresh_from_db()
        assert power.level is not None and power.level.code == "A"
        numbers = []
        for _ in range(3):
            case = cases.submit_application(
                item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
            )
            cases.handle_instant(case, by=hall["clerk"])
            numbers.append(case.number)
    # Decided but not yet disclosed: the check lists all three, with no channel.
    gaps = disclosure_gaps()
    assert sorted(g.case_number for g in gaps) == sorted(numbers)
    assert all(g.channels == [] and g.required == 2 for g in gaps)

    with time_machine.travel(local(2026, 3, 2, 9, 30), tick=False):
        assert actions.disclose_exercises(limit=2) == 2  # a batch at a time
        assert actions.disclose_exercises() == 1
        assert actions.disclose_exercises() == 0
    assert disclosure_gaps() == []
    exercise = PowerExercise.objects.get(case__number=numbers[0])
    assert sorted(exercise.disclosures.values_list("channel", flat=True)) == [Channel.CATALOG, Channel.FEED]
    record = records_for(exercise).get()
    assert record.category == DisclosureCategory.POWER
    assert record.organ == item.department
    assert numbers[0] in record.title

    # One channel lost: the check names the case and the channel left.
    ExerciseDisclosure.objects.filter(exercise=exercise, channel=Channel.CATALOG).delete()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("check_power_disclosure", stdout=out)
    report = json.loads(out.getvalue())
    assert report["gaps"] == 1
    assert report["cases"][0]["case"] == numbers[0]
    assert report["cases"][0]["channels"] == ["feed"]

    # The public feed shows the exercise, in HTML, Atom and JSON.
    client = Client()
    assert numbers[1] in client.get("/integrity/feed/").content.decode()
    assert numbers[1] in client.get("/integrity/feed.atom").content.decode()
    feed = client.get("/integrity/feed.json").json()
    assert len(feed["items"]) == 3
    assert client.get(exercise.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_c_level_needs_one_channel() -> None:
    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        hall = build_hall()
        item = hall.item(INSTANT)
        power = actions.save_power(
            code="XK-SCJG-002",
            name="企业设立登记",
            power_type="01",
            department=item.department,
            legal_basis="《中华人民共和国市场主体登记管理条例》",
            item=item,
        )
        actions.record_risk_point(power=power, description="登记信息录入错误", level="C", discovery="self")
        case = cases.submit_application(
            item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )
        cases.handle_instant(case, by=hall["clerk"])
        assert actions.disclose_exercises() == 1
    exercise = PowerExercise.objects.get(case=case)
    assert list(exercise.disclosures.values_list("channel", flat=True)) == [Channel.FEED]
    assert not records_for(exercise).exists()
    assert disclosure_gaps(level_code="C") == []
