"""Read-side helpers of the core."""

from __future__ import annotations

from typing import Any

from django.db import connection

from .models import Checkpoint


def head_as_dict(cp: Checkpoint | None) -> dict[str, Any] | None:
    if cp is None:
        return None
    return {
        "size": cp.size,
        "root_hash": cp.root_hash,
        "timestamp": cp.signed_at.isoformat(),
        "signature": cp.signature,
        "public_key": cp.public_key,
        "algorithm": "Ed25519 over the note; RFC 6962 SHA-256 Merkle tree",
        "note": cp.note,
    }


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False
