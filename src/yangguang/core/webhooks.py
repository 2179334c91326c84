"""Signed notifications from outside systems (banks, departments): ``X-Yangguang-Signature: sha256=<hex>``,
the HMAC-SHA256 of the exact body bytes under a shared secret, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import os

SIGNATURE_HEADER = "X-Yangguang-Signature"


def shared_secret(setting_value: str | None, env_name: str) -> bytes | None:
    """The secret from a setting's value, else from the environment; None when neither is set."""
    secret = setting_value or os.environ.get(env_name, "")
    return secret.encode() if secret else None


def body_signature(body: bytes, secret: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def body_signature_valid(body: bytes, header: str, secret: bytes | None) -> bool:
    """False without a secret (a system with no secret configured accepts nothing) or without a header."""
    if secret is None or not header:
        return False
    return hmac.compare_digest(body_signature(body, secret), header.strip())
