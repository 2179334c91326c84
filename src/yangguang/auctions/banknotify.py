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

from django.conf import settings

from yangguang.core.webhooks import body_signature, body_signature_valid, shared_secret


def bank_secret() -> bytes | None:
    return shared_secret(getattr(settings, "YANGGUANG_AUCTION_BANK_SECRET", ""), "YANGGUANG_AUCTION_BANK_SECRET")


def bank_signature(body: bytes, secret: bytes) -> str:
    return body_signature(body, secret)


def bank_signature_valid(body: bytes, header: str) -> bool:
    return body_signature_valid(body, header, bank_secret())
