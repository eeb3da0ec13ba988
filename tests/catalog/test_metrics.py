from fractions import Fraction

import pytest

from govhall.catalog import metrics
from govhall.catalog.models import ServiceItem


@pytest.fixture
def figures_catalog(make_item):
    """Five published items and one draft; the expected figures are worked out by hand below."""
    make_item("scjg", main=1, status="published")  # A: 20 → 5 working days, 1 visit, in hall
    make_item(  # B: 5 working days → 30 minutes, instant, zero visits
        "scjg",
        main=2,
        status="published",
        legal_limit=5,
        promised_limit=30,
        promised_limit_unit="minute",
        handling_kind="instant",
        visits=0,
    )
    make_item(  # C: 30 natural days → 10 working days, 2 visits, handled outside the hall
        "rsj",
        main=3,
        status="published",
        legal_limit=30,
        legal_limit_unit="day",
        promised_limit=10,
        visits=2,
        in_hall=False,
    )
    make_item(  # D: no compression; flagged in hall but its department is not in the center
        "gtj", main=4, status="published", legal_limit=10, promised_limit=10
    )
    make_item(  # E: draft, counts nowhere
        "scjg", main=5, handling_kind="instant", visits=0, promised_limit=1
    )
    make_item(  # G: 当场办结, legal limit 0: no compression, but instant and zero-visit
        "rsj",
        main=6,
        status="published",
        legal_limit=0,
        legal_limit_unit="hour",
        promised_limit=0,
        promised_limit_unit="hour",
        handling_kind="instant",
        visits=0,
    )


def test_single_item_compression():
    assert metrics.compression(20, "workday", 5, "workday").value == pytest.approx(0.75)
    # 30 minutes against 5 working days of 8 hours.
    assert metrics.compression(5, "workday", 30, "minute").value == pytest.approx(1 - 30 / 2400)
    assert metrics.compression(2, "hour", 30, "minute").value == pytest.approx(0.75)
    # 30 natural days are 30 × 5/7 working days.
    assert metrics.compression(30, "day", 10, "workday").value == pytest.approx(1 - 10 / (30 * 5 / 7))
    zero = metrics.compression(0, "hour", 0, "hour")
    assert zero.value is None and zero.display() == "—"
    assert metrics.to_working_minutes(7, "day") == Fraction(5 * 480)


def test_promised_exceeds_legal_only_when_certain():
    assert metrics.promised_exceeds_legal(20, "workday", 21, "workday")
    assert not metrics.promised_exceeds_legal(20, "workday", 20, "workday")
    assert metrics.promised_exceeds_legal(1, "hour", 61, "minute")
    assert metrics.promised_exceeds_legal(20, "day", 21, "workday")
    assert not metrics.promised_exceeds_legal(20, "day", 20, "workday")
    # 25 natural days may hold fewer than 20 working days or more: the calendar decides.
    assert not metrics.promised_exceeds_legal(20, "workday", 25, "day")


def test_catalog_figures_by_hand(figures_catalog, django_assert_num_queries):
    a, b, c = 0.75, 1 - 30 / 2400, 1 - 4800 / (30 * 480 * 5 / 7)
    with django_assert_num_queries(1):
        average = metrics.average_compression()
    assert average.denominator == 4
    assert average.value == pytest.approx((a + b + c + 0) / 4)
    assert average.formula == metrics.FORMULAS["average_compression"]

    overall = metrics.overall_compression()
    assert overall.numerator == pytest.approx(2400 + 30 + 4800 + 4800)
    assert overall.denominator == pytest.approx(9600 + 2400 + 30 * 480 * 5 / 7 + 4800)

    with django_assert_num_queries(1):
        residency = metrics.residency_rate()
    assert (residency.numerator, residency.denominator) == (3, 5)
    assert residency.percent == 60.0 and residency.display() == "60.00%"

    assert (metrics.instant_share().numerator, metrics.instant_share().denominator) == (2, 5)
    assert metrics.zero_visit_share().value == pytest.approx(2 / 5)
    assert metrics.at_most_one_visit_share().value == pytest.approx(4 / 5)


def test_figures_over_a_given_queryset(figures_catalog):
    public_services = ServiceItem.objects.filter(
        status="published", department__name="县人力资源和社会保障局"
    )
    assert metrics.residency_rate(public_services).value == pytest.approx(1 / 2)
    summary = metrics.catalog_summary(public_services)
    assert set(summary) <= set(metrics.FORMULAS)
    assert summary["instant"].value == pytest.approx(1 / 2)


def test_empty_catalog_has_no_figures(db):
    assert all(r.value is None for r in metrics.catalog_summary().values())
