"""The quoted terms of a price sheet (``terms`` {key: value}) as people read them: a label per known key in
the active language; an unknown key is shown as sent."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

TERM_LABELS = {
    "duration_days": _("Duration (days)"),
    "quality": _("Quality"),
    "warranty": _("Warranty"),
}


def term_labels() -> dict[str, str]:
    """Every known key's label in the active language (for the pages' scripts)."""
    return {key: str(label) for key, label in TERM_LABELS.items()}


def terms_text(terms: dict[str, Any] | None) -> str:
    labels = term_labels()
    return "; ".join(f"{labels.get(str(k), str(k))}: {v}" for k, v in (terms or {}).items())
