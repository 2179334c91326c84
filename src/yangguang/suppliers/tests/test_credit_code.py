import random

import pytest

from yangguang.core.errors import ValidationFailed
from yangguang.suppliers.credit_code import (
    CHARSET,
    WEIGHTS,
    credit_code_check_char,
    credit_code_generate,
    credit_code_validate,
)

# Published codes of real enterprises (business licences are public records).
KNOWN_VALID = ["91350100M000100Y43", "91110000802100433B"]


def test_weights_are_powers_of_three_mod_31():
    assert WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_are_valid(code):
    assert credit_code_validate(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert credit_code_validate(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_generated_codes_are_valid_and_unique_by_serial():
    codes = {credit_code_generate(region_code="331121", serial=n) for n in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert credit_code_validate(code) == code
        assert code.startswith("91331121")


def test_random_generated_codes_are_valid():
    rng = random.Random(1)  # noqa: S311 - test data
    for _ in range(200):
        code = credit_code_generate(rng=rng)
        assert credit_code_validate(code) == code


def test_every_wrong_check_character_is_refused():
    body = "91350100M000100Y4"
    right = credit_code_check_char(body)
    assert right == "3"
    for char in CHARSET:
        if char != right:
            with pytest.raises(ValidationFailed) as exc:
                credit_code_validate(body + char)
            assert exc.value.code == "credit_code_checksum"
            assert exc.value.field == "credit_code"


def test_single_typo_is_caught():
    code = "91350100M000100Y43"
    typo = code[:5] + ("2" if code[5] != "2" else "3") + code[6:]
    with pytest.raises(ValidationFailed) as exc:
        credit_code_validate(typo)
    assert exc.value.code == "credit_code_checksum"


@pytest.mark.parametrize(("code", "error"), [
    ("", "credit_code_missing"),
    ("9135010", "credit_code_length"),
    ("91350100M000100Y431", "credit_code_length"),
    ("91350100M000100I43", "credit_code_charset"),
    ("91350100M000100O43", "credit_code_charset"),
    ("9135010-M000100Y43", "credit_code_charset"),
])
def test_malformed_codes_name_the_problem(code, error):
    with pytest.raises(ValidationFailed) as exc:
        credit_code_validate(code)
    assert exc.value.code == error


def test_messages_are_chinese_by_default_and_english_on_request():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as zh:
        credit_code_validate("9135010")
    assert "18" in str(zh.value.message) and "统一社会信用代码" in str(zh.value.message)
    with translation.override("en"), pytest.raises(ValidationFailed) as en:
        credit_code_validate("9135010")
    assert "18 characters" in str(en.value.message)
