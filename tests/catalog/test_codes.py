import pytest
from django.core.exceptions import ValidationError

from govhall.catalog.codes import make_impl_code, validate_basic_code, validate_impl_code

from .conftest import basic, uscc


def test_good_basic_code_is_normalised():
    assert validate_basic_code(" 000100001000 ") == "000100001000"
    assert validate_basic_code("002000003001", "20") == "002000003001"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("00010000100", "basic_code_format"),  # 11 digits
        ("0001000010000", "basic_code_format"),
        ("00010000100A", "basic_code_format"),
        ("001100001000", "basic_code_type"),  # 11 is no item type
        ("", "basic_code_format"),
    ],
)
def test_bad_basic_codes(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_basic_code(value)
    assert exc.value.code == code
    assert "基本编码" in exc.value.messages[0]


def test_basic_code_type_mismatch():
    with pytest.raises(ValidationError) as exc:
        validate_basic_code(basic("01", 1), "20")
    assert exc.value.code == "basic_code_type_mismatch"
    assert "不一致" in exc.value.messages[0]


def test_good_impl_code():
    dept = uscc(1001)
    code = make_impl_code(dept, "county", basic("01", 1))
    assert len(code) == 31 and code[18] == "4"
    assert validate_impl_code(code.lower(), basic("01", 1), dept, "county") == code


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda c: c[:-1], "impl_code_length"),
        (lambda c: c[:17] + ("0" if c[17] != "0" else "1") + c[18:], "impl_code_uscc"),
        (lambda c: c[:18] + "7" + c[19:], "impl_code_level"),
        (lambda c: c[:19] + "001100001000", "basic_code_type"),
    ],
)
def test_bad_impl_codes(mutate, code):
    good = make_impl_code(uscc(1001), "county", basic("01", 1))
    with pytest.raises(ValidationError) as exc:
        validate_impl_code(mutate(good))
    assert exc.value.code == code


def test_impl_code_must_agree_with_basic_code_department_and_level():
    dept = uscc(1001)
    code = make_impl_code(dept, "county", basic("01", 1))
    with pytest.raises(ValidationError, match="基本编码一致"):
        validate_impl_code(code, basic("01", 2))
    with pytest.raises(ValidationError, match="实施部门"):
        validate_impl_code(code, department_uscc=uscc(1002))
    with pytest.raises(ValidationError) as exc:
        validate_impl_code(code, level="city")
    assert exc.value.code == "impl_code_level_mismatch"
