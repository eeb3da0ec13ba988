"""The hash definition and the JSON normalisation, without the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.db import models

from govhall.ledger import chain


def test_sm3_is_the_gb_t_32905_digest() -> None:
    # GB/T 32905-2016, example 1.
    assert chain.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_gmssl_fallback_gives_the_same_digest() -> None:
    from gmssl import func, sm3

    data = "审计链".encode()
    assert (
        sm3.sm3_hash(func.bytes_to_list(data)) == hashlib.new("sm3", data).hexdigest() == chain.sm3_hex(data)
    )


def test_entry_hash_is_sm3_of_prev_hash_and_sorted_compact_json() -> None:
    at = dt.datetime(2026, 3, 2, 9, 30, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    body = chain.payload(
        seq=1,
        at=at,
        actor_id=7,
        actor_name="张三",
        actor_role="窗口工作人员",
        subject="RX1",
        subject_id=1,
        action="accept",
        before=None,
        after={"b": 1, "a": "受理"},
        opinion="同意",
    )
    assert body == (
        '{"action":"accept","actor_id":7,"actor_name":"张三","actor_role":"窗口工作人员",'
        '"after":{"a":"受理","b":1},"at":"2026-03-02T01:30:00.000005+00:00","before":null,'
        '"opinion":"同意","seq":1,"subject":"RX1","subject_id":1}'
    )
    expected = hashlib.new("sm3", ("0" * 64 + body).encode("utf-8")).hexdigest()
    assert chain.entry_hash(chain.GENESIS_HASH, body) == expected


class Colour(models.TextChoices):
    RED = "red", "红"


class Level(models.IntegerChoices):
    HIGH = 1, "高"


def test_to_json_makes_plain_json_values() -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    value = {
        "float_integral": 3.0,
        "huge_float": 1e20,
        "negative_zero": -0.0,
        "fraction": 0.1,
        "tiny": 1e-7,
        "decimal": Decimal("12.50"),
        "when": dt.datetime(2026, 3, 2, 9, 30, tzinfo=beijing),
        "day": dt.date(2026, 3, 2),
        "time": dt.time(9, 30),
        "duration": dt.timedelta(days=1, hours=2),
        "choices": [Colour.RED, Level.HIGH],
        "tuple": (1, 2),
        "set": {"b", "a"},
        "nul": "a\x00b",
        1: "int key",
    }
    result = chain.to_json(value)
    assert result == {
        "float_integral": 3,
        "huge_float": 100000000000000000000,
        "negative_zero": 0,
        "fraction": 0.1,
        "tiny": 1e-7,
        "decimal": "12.50",
        "when": "2026-03-02T01:30:00.000000+00:00",
        "day": "2026-03-02",
        "time": "09:30:00",
        "duration": "P1DT02H00M00S",
        "choices": ["red", 1],
        "tuple": [1, 2],
        "set": ["a", "b"],
        "nul": "a\ufffdb",
        "1": "int key",
    }
    assert type(result["float_integral"]) is int
    assert type(result["choices"][0]) is str and type(result["choices"][1]) is int
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(
    "value, error",
    [
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (Decimal("NaN"), ValueError),
        ({1: "x", "1": "y"}, ValueError),
        ({(1, 2): "tuple key"}, TypeError),
        (object(), TypeError),
    ],
)
def test_to_json_refuses_what_json_cannot_hold(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        chain.to_json({"x": value} if not isinstance(value, dict) else value)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        chain.utc_iso(dt.datetime(2026, 3, 2, 9, 30))
