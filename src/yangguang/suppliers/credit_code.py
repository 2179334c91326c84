"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character set (digits and capitals without I, O, Z, S, V). Positions 1–17 are
weighted by 3^i mod 31; the 18th is the check character. Registration refuses a code whose check
character does not match, which catches almost every single typo and swapped pair.
"""

from __future__ import annotations

import random

from django.utils.translation import gettext as _

from yangguang.core.errors import ValidationFailed

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
LENGTH = 18


def credit_code_check_char(body: str) -> str:
    """The check character for the first 17 characters."""
    total = sum(CHARSET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_normalise(code: str) -> str:
    return (code or "").strip().upper()


def credit_code_validate(code: str, *, field: str = "credit_code") -> str:
    """The normalised code, or ValidationFailed saying exactly what is wrong."""
    code = credit_code_normalise(code)
    if not code:
        raise ValidationFailed(_("Enter the unified social credit code."), code="credit_code_missing", field=field)
    if len(code) != LENGTH:
        raise ValidationFailed(
            _("A unified social credit code has 18 characters; this one has %(count)d.") % {"count": len(code)},
            code="credit_code_length", field=field,
        )
    bad = [char for char in code if char not in CHARSET]
    if bad:
        raise ValidationFailed(
            _("The character “%(char)s” cannot appear in a unified social credit code (the letters I, O, Z, S "
              "and V are never used).") % {"char": bad[0]},
            code="credit_code_charset", field=field,
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationFailed(
            _("The unified social credit code is not valid: its check character does not match. Please check "
              "it against the business licence."),
            code="credit_code_checksum", field=field,
        )
    return code


def credit_code_generate(*, region_code: str = "331100", rng: random.Random | None = None,
                         serial: int | None = None) -> str:
    """A valid code for an enterprise (registration authority 9, category 1) in a region. With ``serial``
    the code is deterministic (the demo uses this to stay idempotent); otherwise random."""
    if serial is not None:
        organisation = "MA" + _base31(serial, 7)
    else:
        rng = rng or random.Random()  # noqa: S311 - test and demo data, not a secret
        organisation = "".join(rng.choice(CHARSET) for _position in range(9))
    body = "91" + region_code[:6].ljust(6, "0") + organisation
    return body + credit_code_check_char(body)


def _base31(number: int, width: int) -> str:
    digits = []
    for _position in range(width):
        number, rest = divmod(number, 31)
        digits.append(CHARSET[rest])
    return "".join(reversed(digits))
