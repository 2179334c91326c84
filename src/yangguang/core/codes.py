"""Human-readable sequential codes (e.g. project codes 3301-GC-2026-00012)."""

from __future__ import annotations

from django.db import transaction

from .models import CodeCounter


def code_next(prefix: str, *, width: int = 5) -> str:
    with transaction.atomic():
        counter, _created = CodeCounter.objects.select_for_update().get_or_create(prefix=prefix)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:0{width}d}"
