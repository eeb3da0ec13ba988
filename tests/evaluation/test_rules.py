"""Hand-computed examples of the quota, cap, tie and veto rules (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal

from govhall.evaluation.choices import Grade, Title
from govhall.evaluation.models import YearScheme
from govhall.evaluation.scoring import UnitScore, assign_titles, rank
from govhall.evaluation.yearly import DeptScore, choose_best, grade_group, grade_quotas


def units(*scores: str) -> list[UnitScore]:
    out = [UnitScore("staff", i, f"人员{i:02d}", score=Decimal(s)) for i, s in enumerate(scores, start=1)]
    rank(out)
    return out


def test_competition_ranking_shares_a_rank_on_ties() -> None:
    us = units("80", "90", "90", "70")
    assert [(u.name, u.rank) for u in us] == [("人员02", 1), ("人员03", 1), ("人员01", 3), ("人员04", 4)]


def test_cap_of_twenty_percent_is_never_exceeded() -> None:
    # 10 staff: cap 20% → 2 honours; stars 10% → 1. The first is a star, the second a 示范岗, the third nothing.
    us = units("95", "94", "93", "92", "91", "90", "89", "88", "87", "86")
    assign_titles(us, Title.STAR, Title.MODEL_POST, first_n=1, cap_n=2)
    assert [u.title for u in us[:4]] == [Title.STAR, Title.MODEL_POST, "", ""]
    assert sum(1 for u in us if u.title) == 2


def test_a_tie_that_would_overflow_the_cap_gets_no_title() -> None:
    # 95 is a star; 94 and 94 together would make 3 honours of a cap of 2: neither is honoured.
    us = units("95", "94", "94", "90", "80", "80", "80", "80", "80", "80")
    assign_titles(us, Title.STAR, Title.MODEL_POST, first_n=1, cap_n=2)
    assert [u.title for u in us[:4]] == [Title.STAR, "", "", ""]


def test_a_tie_too_big_for_the_first_title_falls_to_the_second() -> None:
    us = units("95", "95", "90", "80", "70", "60", "50", "40", "30", "20")
    assign_titles(us, Title.STAR, Title.MODEL_POST, first_n=1, cap_n=2)
    assert [u.title for u in us[:3]] == [Title.MODEL_POST, Title.MODEL_POST, ""]


def test_barred_units_are_skipped_and_the_next_is_honoured() -> None:
    us = units("95", "94", "93", "92", "91", "90", "89", "88", "87", "86")
    us[0].barred = "本月有属实投诉"
    assign_titles(us, Title.STAR, Title.MODEL_POST, first_n=1, cap_n=2)
    assert [u.title for u in us[:4]] == ["", Title.STAR, Title.MODEL_POST, ""]


SCHEME = YearScheme(year=2026)


def depts(*totals: str, vetoed: tuple[int, ...] = ()) -> list[DeptScore]:
    out = []
    for i, t in enumerate(totals, start=1):
        d = DeptScore(i, f"部门{i}", "economic", total=Decimal(t), year_end=Decimal(t))
        if i in vetoed:
            d.vetoes = ["红牌"]
        out.append(d)
    return out


def test_quotas_round_half_up() -> None:
    # n=1: 0.25→0 先进, 0.70→1 in all; n=4: 1 and 2.8→3; n=6: 1.5→2 and 4.2→4; n=10: 2.5→3 and 7.
    assert [grade_quotas(n, SCHEME) for n in (1, 2, 4, 6, 10)] == [(0, 1), (1, 1), (1, 3), (2, 4), (3, 7)]


def test_small_group_of_one_is_good() -> None:
    ds = depts("95")
    grade_group(ds, SCHEME)
    assert ds[0].grade == Grade.GOOD and ds[0].rank == 1


def test_group_of_four() -> None:
    ds = depts("70", "90", "80", "85")
    grade_group(ds, SCHEME)
    assert [(d.name, d.rank, d.grade) for d in ds] == [
        ("部门2", 1, Grade.ADVANCED),
        ("部门4", 2, Grade.GOOD),
        ("部门3", 3, Grade.GOOD),
        ("部门1", 4, Grade.PASS),
    ]


def test_tie_at_the_advanced_quota_goes_to_good() -> None:
    # Two departments tied at the top of a group of four whose 先进 quota is 1: the tie is not broken by name,
    # both share rank 1 and both are 良好; the unused 先进 place passes to 良好 (3 places), so 部门3 is 良好 too.
    ds = depts("90", "90", "80", "70")
    grade_group(ds, SCHEME)
    assert [(d.name, d.rank, d.grade) for d in ds] == [
        ("部门1", 1, Grade.GOOD),
        ("部门2", 1, Grade.GOOD),
        ("部门3", 3, Grade.GOOD),
        ("部门4", 4, Grade.PASS),
    ]


def test_veto_bars_advanced_and_best() -> None:
    ds = depts("95", "90", "80", "50", vetoed=(1,))
    grade_group(ds, SCHEME)
    choose_best(ds, 10)
    grades = {d.name: (d.grade, d.best) for d in ds}
    assert grades == {
        "部门1": (Grade.GOOD, False),
        "部门2": (Grade.ADVANCED, True),
        "部门3": (Grade.GOOD, False),
        # Last, below the 60-point line: 诫勉.
        "部门4": (Grade.ADMONISH, False),
    }


def test_best_is_chosen_among_advanced_across_groups_within_the_count() -> None:
    a = depts("95", "60", "60", "60")
    b = [
        DeptScore(10 + i, f"乙{i}", "vertical", total=Decimal(t), year_end=Decimal(t))
        for i, t in enumerate(("97", "50", "50", "50"))
    ]
    grade_group(a, SCHEME)
    grade_group(b, SCHEME)
    choose_best(a + b, 1)
    assert [d.name for d in a + b if d.best] == ["乙0"]
