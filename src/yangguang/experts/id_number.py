"""The resident identity card number (公民身份号码, GB 11643-1999): 18 characters, the last a check character
from the ISO 7064 MOD 11-2 checksum. Displays show it masked; only the pool's administrators see it whole."""

from __future__ import annotations

import datetime as dt
import random

from django.utils.translation import gettext as _

from yangguang.core.errors import ValidationFailed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def id_number_check_char(body: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def id_number_validate(value: str, *, field: str = "id_number") -> str:
    number = (value or "").strip().upper()
    if not number:
        raise ValidationFailed(_("Enter the ID card number."), code="id_number_missing", field=field)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed(_("An ID card number has 17 digits followed by a digit or X."),
                               code="id_number_format", field=field)
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationFailed(_("The ID card number does not contain a valid date of birth."),
                               code="id_number_birth", field=field) from exc
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationFailed(_("The ID card number is not valid: its check character does not match."),
                               code="id_number_checksum", field=field)
    return number


def id_number_mask(number: str) -> str:
    """Region prefix and the last two characters, e.g. 3311**************1X."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


def id_number_generate(*, region_code: str, birth: dt.date, rng: random.Random) -> str:
    body = f"{region_code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_number_check_char(body)
