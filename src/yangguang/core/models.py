"""Core tables: the tamper-evident event log, its Merkle nodes and signed checkpoints, the working-day
calendar, and code counters."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# Canonical JSON: sorted keys, no spaces, UTF-8 kept (not \u-escaped). Values that JSON cannot carry
# (dates, decimals, UUIDs) become their str().
CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class CanonicalJSONField(models.TextField):
    """A JSON value stored as its canonical text on every database (not jsonb), so the bytes the log hashed
    are the bytes stored, and verify-log can hash the stored text without parsing and re-encoding it."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else CANONICAL_JSON.encode(value)

    def value_to_string(self, obj: Any) -> str:
        return CANONICAL_JSON.encode(self.value_from_object(obj))


class Event(models.Model):
    """One state change anywhere on the platform. Append-only: never updated, never deleted.

    ``seq`` is the leaf index in the RFC 6962 tree (0-based, gap-free). ``leaf_hash`` is
    SHA-256(0x00 ‖ canonical entry) and ``chain_hash`` is SHA-256(previous chain_hash ‖ leaf_hash), so
    every field of every row is covered twice: by the chain and by the signed Merkle roots.
    """

    seq = models.BigIntegerField(primary_key=True)
    # No index on action: nothing reads the log by action, and each index is one more page written per
    # append (docs/performance.md).
    action = models.CharField(max_length=80)
    actor = models.CharField(max_length=80, help_text="'user:<id>', 'system' or 'worker'")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    payload = CanonicalJSONField(default=dict, help_text="canonical JSON text; ids and codes, no personal data")
    created_at = models.DateTimeField(help_text="database clock at append")
    leaf_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # Serves "history of this object" on every detail page.
            models.Index(fields=["object_type", "object_id", "seq"], name="event_object_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class MerkleNode(models.Model):
    """Hash of a perfect subtree: leaves [index·2^level, (index+1)·2^level). Level 0 is Event.leaf_hash
    and is not stored here. Derived data, rebuilt by the worker, checked by verify-log."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="merkle_node_unique")]

    def __str__(self) -> str:
        return f"L{self.level}[{self.index}]"


class Checkpoint(models.Model):
    """A signed tree head: the platform key signs (origin, size, root, time) as a C2SP-style note."""

    size = models.BigIntegerField(db_index=True)
    root_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    note = models.TextField(help_text="the exact signed text")
    signature = models.CharField(max_length=200, help_text="base64 Ed25519 signature of note")
    public_key = models.CharField(max_length=100, help_text="base64 raw Ed25519 public key")
    reason = models.CharField(max_length=80, default="periodic")

    class Meta:
        ordering = ["-size", "-id"]

    def __str__(self) -> str:
        return f"checkpoint size={self.size}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a statutory holiday on a weekday, or a make-up working
    day (调休) on a weekend. Seeded from chinese-calendar; administrators add years it does not cover."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        WORKDAY = "workday", _("make-up working day")

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class CalendarYear(models.Model):
    """Which years have their State Council holiday notice entered. A year without a row is provisional:
    deadlines in it count weekends only and are marked provisional."""

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=200, help_text="e.g. 国办发明电〔2025〕7号 or chinese-calendar 1.11.0")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CodeCounter(models.Model):
    """Sequential numbers for human-readable codes (project codes, …), one row per prefix, locked on use."""

    prefix = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"
