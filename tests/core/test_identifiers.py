"""GB 11643 resident ID numbers and GB 32100 credit codes (domain §14), and the masking helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from govhall.core.identifiers import (
    USCC_ALPHABET,
    mask_phone,
    mask_resident_id,
    mask_uscc,
    resident_id_check_char,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)

# The worked example of the GB 11643-1999 appendix, and published credit codes of two Shenzhen companies
# (the second has an X inside its organisation code, which is legal there and only there).
REAL_ID = "11010519491231002X"
REAL_USCC = "914403001922038216"
REAL_USCC_X = "9144030071526726XG"


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


class TestResidentId:
    def test_standard_example_is_valid(self) -> None:
        assert validate_resident_id(REAL_ID) == REAL_ID

    def test_lower_case_x_and_spaces_are_normalised(self) -> None:
        assert validate_resident_id(" 11010519491231002x ") == REAL_ID

    def test_check_char_computation(self) -> None:
        assert resident_id_check_char(REAL_ID[:17]) == "X"

    @pytest.mark.parametrize("wrong", ["0", "1", "9"])
    def test_wrong_check_char_fails_in_chinese(self, wrong: str) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_resident_id(REAL_ID[:17] + wrong)
        assert exc.value.code == "id_checksum"
        assert "校验位不正确" in _messages(exc)

    @pytest.mark.parametrize("birth", ["19490230", "19491301", "20230229"])
    def test_impossible_birth_date_fails(self, birth: str) -> None:
        first17 = "110105" + birth + "002"
        with pytest.raises(ValidationError) as exc:
            validate_resident_id(first17 + resident_id_check_char(first17))
        assert exc.value.code == "id_birthdate"
        assert "出生日期无效" in _messages(exc)

    @pytest.mark.parametrize(
        "value", ["", "1101051949123100", "11010519491231002XX", "1101051949123100AX", "A1010519491231002X"]
    )
    def test_bad_format_fails(self, value: str) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_resident_id(value)
        assert exc.value.code == "id_format"
        assert "18位" in _messages(exc)


class TestUscc:
    @pytest.mark.parametrize("code", [REAL_USCC, REAL_USCC_X])
    def test_real_codes_are_valid(self, code: str) -> None:
        assert validate_uscc(code) == code
        assert uscc_check_char(code[:17]) == code[17]

    def test_lower_case_is_normalised(self) -> None:
        assert validate_uscc(REAL_USCC_X.lower()) == REAL_USCC_X

    def test_wrong_check_char_fails(self) -> None:
        bad = REAL_USCC[:17] + ("0" if REAL_USCC[17] != "0" else "1")
        with pytest.raises(ValidationError) as exc:
            validate_uscc(bad)
        assert exc.value.code == "uscc_checksum"
        assert "校验位不正确" in _messages(exc)

    @pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
    def test_letters_outside_the_alphabet_fail(self, letter: str) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_uscc(REAL_USCC[:10] + letter + REAL_USCC[11:])
        assert exc.value.code == "uscc_alphabet"
        assert "不含I、O、Z、S、V" in _messages(exc)

    @pytest.mark.parametrize("value", ["", "91110000", REAL_USCC + "0"])
    def test_wrong_length_fails(self, value: str) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_uscc(value)
        assert exc.value.code == "uscc_length"


id_first17 = st.builds(
    lambda region, date, seq: f"{region}{date:%Y%m%d}{seq:03d}",
    st.integers(110000, 659999).map(str),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.integers(0, 999),
)
uscc_first17 = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(id_first17)
def test_generated_id_validates(first17: str) -> None:
    number = first17 + resident_id_check_char(first17)
    assert validate_resident_id(number) == number


@given(id_first17, st.sampled_from("0123456789X"))
def test_any_other_id_check_char_fails(first17: str, check: str) -> None:
    if check == resident_id_check_char(first17):
        return
    with pytest.raises(ValidationError):
        validate_resident_id(first17 + check)


@given(uscc_first17)
def test_generated_uscc_validates(first17: str) -> None:
    code = first17 + uscc_check_char(first17)
    assert validate_uscc(code) == code


@given(uscc_first17, st.sampled_from(USCC_ALPHABET))
def test_any_other_uscc_check_char_fails(first17: str, check: str) -> None:
    if check == uscc_check_char(first17):
        return
    with pytest.raises(ValidationError):
        validate_uscc(first17 + check)


@given(uscc_first17, st.integers(0, 16), st.sampled_from(USCC_ALPHABET))
def test_single_body_change_of_uscc_is_caught(first17: str, position: int, replacement: str) -> None:
    """MOD 31 with weights prime to 31 detects every single-character substitution."""
    if first17[position] == replacement:
        return
    code = first17 + uscc_check_char(first17)
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_uscc(changed)


class TestMasking:
    def test_id_keeps_region_and_last_four(self) -> None:
        assert mask_resident_id(REAL_ID) == "110105********002X"
        assert REAL_ID[6:14] not in mask_resident_id(REAL_ID)

    def test_mobile_hides_middle_four(self) -> None:
        assert mask_phone("13812345678") == "138****5678"

    def test_landline_keeps_ends(self) -> None:
        assert mask_phone("0775-5321234") == "077*******34"

    @pytest.mark.parametrize("fn", [mask_resident_id, mask_phone, mask_uscc])
    def test_empty_values(self, fn) -> None:  # type: ignore[no-untyped-def]
        assert fn("") == ""
        assert fn(None) == ""

    def test_short_values_fully_masked(self) -> None:
        assert mask_resident_id("12345") == "*****"
        assert mask_phone("12345") == "*****"

    def test_uscc_mask(self) -> None:
        assert mask_uscc(REAL_USCC) == "91440300******8216"
