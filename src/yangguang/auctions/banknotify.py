"""The bank notification API for bid deposits (竞买保证金) of auctions.

The bank posts ``POST /api/v1/auctions/bank/deposits`` with a JSON body and the header
``X-Yangguang-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes under the shared secret::

    {"notification_id": "ICBC-20261201-000123", "deposit_ref": "YGD3F2A9C01B7E4", "amount": "2000000.00"}

``deposit_ref`` is the reference the bidder received when applying and quoted with the transfer. The secret
comes from the setting ``YANGGUANG_AUCTION_BANK_SECRET`` or the environment variable of the same name; with
no secret configured every notification is refused. A retried notification (same ``notification_id``)
returns the first outcome; a replayed body is therefore harmless.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from django.conf import settings


def bank_secret() -> bytes | None:
    secret = getattr(settings, "YANGGUANG_AUCTION_BANK_SECRET", "") or os.environ.get(
        "YANGGUANG_AUCTION_BANK_SECRET", "")
    return secret.encode() if secret else None


def bank_signature(body: bytes, secret: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def bank_signature_valid(body: bytes, header: str) -> bool:
    secret = bank_secret()
    if secret is None or not header:
        return False
    return hmac.compare_digest(bank_signature(body, secret), header.strip())
