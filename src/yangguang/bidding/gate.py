"""The two reads of a bidder's decryption at the opening, each one statement with the database clock.

``bid_decrypt`` runs once per bid at the opening, and the opening of a lot is measured against raw AEAD
decryption of the same bytes (issue 5, ``bench/bidding_open.py``). Through the ORM its reads were six
queries (the gate twice, the clock twice, the bid with its lot, procedure and organisation, the bid again,
locked), each compiled anew over wide rows: ~8 ms of every bid on the 2-core VM of
docs/performance-bidding.md. Here they are two constant statements, prepared once per connection on
PostgreSQL (``core.prepared``).

- :func:`decrypt_context` — before anything is decrypted, outside any transaction: the bid's status and the
  fields its associated data binds, the opening's gate columns and the clock.
- :func:`gate_locked` — inside the transaction that records the result: the opening's and the bid's rows
  locked (``FOR UPDATE``), with the gate columns, the clock and the bid's columns that recording uses.

The checks themselves stay in ``services`` (:class:`Gate` only carries the values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from yangguang.accounts.models import Organisation
from yangguang.core import prepared
from yangguang.tendering.models import Lot, Procedure

from .models import Bid, Opening


@dataclass(frozen=True)
class Gate:
    """The opening's gate columns and the database clock read with them. ``opening_status`` is None when
    the lot's opening has not started."""

    opening_status: str | None
    window_ends_at: datetime | None
    procedure_status: str
    deadline: datetime | None
    now: datetime


@dataclass(frozen=True)
class Sealed:
    """What decrypting a bid needs: its status and the fields its associated data binds."""

    bid_id: int
    lot_id: int
    status: str
    tender: str
    lot_number: int
    bidder: str
    version: int
    suite: str
    price_part: str

    @classmethod
    def of(cls, bid: Bid) -> Sealed:
        """From a loaded bid (the remedy path, which has the bid with its lot and organisation at hand)."""
        return cls(bid.pk, bid.lot_id, bid.status, bid.lot.procedure.code, bid.lot.number,
                   bid.organisation.credit_code, bid.version, bid.suite, bid.price_part)


def _clock_sql() -> str:
    if connection.vendor == "postgresql":
        return "clock_timestamp()"
    return "strftime('%%Y-%%m-%%dT%%H:%%M:%%f', 'now')"


def _clock(value: Any) -> datetime:
    clock = _aware(value)
    assert clock is not None
    return clock


def _aware(value: Any) -> datetime | None:
    """A timestamp as read through a raw cursor: psycopg gives aware datetimes, SQLite naive ones (Django's
    converter) or, for the clock expression, ISO text — all in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {"bid": quote(Bid._meta.db_table), "lot": quote(Lot._meta.db_table),
            "procedure": quote(Procedure._meta.db_table), "org": quote(Organisation._meta.db_table),
            "opening": quote(Opening._meta.db_table)}


_sql: dict[tuple[str, str], str] = {}


def _statement(kind: str) -> str:
    key = (connection.vendor, kind)
    if key not in _sql:
        t, clock = _tables(), _clock_sql()
        if kind == "context":
            _sql[key] = (
                f"SELECT b.status, b.version, b.suite, b.price_part, b.lot_id, l.number, p.code, g.credit_code, "  # noqa: S608
                f"o.status, o.window_ends_at, p.status, p.effective_bid_deadline, {clock} "
                f"FROM {t['bid']} b JOIN {t['lot']} l ON l.id = b.lot_id "
                f"JOIN {t['procedure']} p ON p.id = l.procedure_id "
                f"JOIN {t['org']} g ON g.id = b.organisation_id "
                f"LEFT JOIN {t['opening']} o ON o.lot_id = b.lot_id WHERE b.id = %s")
        else:
            lock = " FOR UPDATE OF o, b" if connection.features.has_select_for_update_of else ""
            columns = ", ".join(f"b.{f.column}" for f in _locked_bid_fields())
            _sql[key] = (
                f"SELECT o.status, o.window_ends_at, p.status, p.effective_bid_deadline, {clock}, {columns} "  # noqa: S608
                f"FROM {t['opening']} o JOIN {t['lot']} l ON l.id = o.lot_id "
                f"JOIN {t['procedure']} p ON p.id = l.procedure_id "
                f"JOIN {t['bid']} b ON b.lot_id = o.lot_id WHERE o.lot_id = %s AND b.id = %s{lock}")
    return _sql[key]


def decrypt_context(bid_id: int) -> tuple[Sealed, Gate] | None:
    """The bid and its gate in one statement (no lock); None when there is no such bid."""
    row = prepared.fetchone(_statement("context"), [bid_id])
    if row is None:
        return None
    (status, version, suite, price_part, lot_id, lot_number, code, credit_code,
     opening_status, window_ends_at, procedure_status, deadline, now) = row
    sealed = Sealed(bid_id, lot_id, status, code, lot_number, credit_code, version, suite, price_part)
    return sealed, Gate(opening_status, _aware(window_ends_at), procedure_status, _aware(deadline), _clock(now))


# The bid's columns that recording a decryption (or its failure) and the API's answer use; the others stay
# deferred on the instance.
LOCKED_BID_FIELDS = ("id", "status", "lot_id", "organisation_id", "version", "token", "submitted_at",
                     "manifest_sha256", "failure_cause", "failure_note", "decrypted_by", "decrypted_at")
_DATETIMES = {"submitted_at", "decrypted_at"}


def _locked_bid_fields() -> list[Any]:
    """LOCKED_BID_FIELDS in the model's field order, the order ``Model.from_db`` expects its values in."""
    return [f for f in Bid._meta.concrete_fields if f.attname in LOCKED_BID_FIELDS]


def gate_locked(lot_id: int, bid_id: int) -> tuple[Gate, Bid] | None:
    """The gate and the bid, both rows locked (``FOR UPDATE``) until the end of the caller's transaction
    (PostgreSQL; SQLite's write transaction already excludes every other writer); None when the lot's
    opening has not started or the bid is not of this lot. The bid comes with :data:`LOCKED_BID_FIELDS`."""
    if not connection.in_atomic_block:
        raise RuntimeError("gate_locked must run inside the transaction that records the decryption")
    row = prepared.fetchone(_statement("locked"), [lot_id, bid_id])
    if row is None:
        return None
    opening_status, window_ends_at, procedure_status, deadline, now, *bid_values = row
    names = [f.attname for f in _locked_bid_fields()]
    values = [_aware(v) if name in _DATETIMES else v for name, v in zip(names, bid_values, strict=True)]
    bid = Bid.from_db(connection.alias, names, values)
    return Gate(opening_status, _aware(window_ends_at), procedure_status, _aware(deadline), _clock(now)), bid
