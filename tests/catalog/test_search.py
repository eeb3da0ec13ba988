import pytest

from govhall.catalog.models import ServiceItem
from govhall.catalog.search import search_items


@pytest.fixture
def searchable(make_item):
    names = [
        "企业营业执照设立登记",
        "企业营业执照注销登记",
        "食品经营许可",
        "药品经营许可",
        "职工参保登记",
        "建筑工程施工许可",
    ]
    for n, name in enumerate(names, start=1):
        make_item(main=n, name=name, status="published")


def _names(query: str) -> list[str]:
    return list(search_items(ServiceItem.objects.all(), query).values_list("name", flat=True))


def test_business_licence(searchable):
    assert set(_names("营业执照")) == {"企业营业执照设立登记", "企业营业执照注销登记"}


def test_food_business_licence_excludes_other_licences(searchable):
    assert _names("食品经营许可") == ["食品经营许可"]


def test_every_word_must_match(searchable):
    assert _names("营业执照 注销") == ["企业营业执照注销登记"]
    assert _names("营业执照 参保") == []


def test_name_matches_rank_before_condition_matches(searchable, make_item):
    # Sorted first by code; only the ranking puts the name match ahead.
    make_item(main=0, name="社会保险补贴申领", acceptance_conditions="已办理职工参保登记", status="published")
    assert _names("参保登记") == ["职工参保登记", "社会保险补贴申领"]


def test_empty_query_returns_everything(searchable):
    assert len(_names("  ")) == 6
