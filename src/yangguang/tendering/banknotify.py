"""The bank notification API for bid securities paid into a centre's sub-account (保证金子账户).

A bank posts ``POST /api/v1/tendering/securities/bank-notify`` with the JSON body below and the header
``X-Yangguang-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes under the centre's secret::

    {"centre": "LS", "notification_id": "ICBC-20261201-000123", "lot_id": 42, "payer_name": "…",
     "payer_credit_code": "91331100…", "payer_account": "1210…", "amount": "20000.00",
     "received_at": "2026-12-01T10:15:00+08:00"}

The secret of centre ``LS`` comes from the environment variable ``YANGGUANG_BANK_SECRET_LS`` (or the setting
``YANGGUANG_BANK_SECRETS = {"LS": "…"}``); a centre without a secret accepts no notifications. The
notification id makes a retried notification idempotent. The payer is matched to a supplier organisation by
its unified social credit code.
"""

from __future__ import annotations

from django.conf import settings

from yangguang.core.webhooks import body_signature, body_signature_valid, shared_secret


def bank_secret(centre_code: str) -> bytes | None:
    configured = getattr(settings, "YANGGUANG_BANK_SECRETS", {}) or {}
    return shared_secret(configured.get(centre_code), f"YANGGUANG_BANK_SECRET_{centre_code}")


def bank_signature(body: bytes, secret: bytes) -> str:
    return body_signature(body, secret)


def bank_signature_valid(body: bytes, header: str, centre_code: str) -> bool:
    return body_signature_valid(body, header, bank_secret(centre_code))
