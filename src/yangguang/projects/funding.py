"""The funding check for finance (财政拨付前核验): may project funds be paid?

``funding_check(code=…)`` answers ``allow`` (traded — award and contract — or exempted: the basis names the
trade or the exemption ID), ``pending`` (a procedure or an exemption approval is under way) or ``deny``
(with the reason: never entered, not traded, an overdue post-trade report, a violation). Every check is
written to :class:`~yangguang.projects.models.FundingCheck` (not the public event log: which projects
finance asks about is internal, and every payment would add an event).

**Trade status hook.** Tendering, auctions and the other procedure apps are above projects and must not be
imported here. They register a provider at start-up (``AppConfig.ready``)::

    from yangguang.projects.funding import TradeStatus, trade_status_provider

    @trade_status_provider
    def _tendering_status(project) -> TradeStatus | None:
        # None: this app has nothing for the project. Otherwise:
        return TradeStatus("traded", "award 331100-GC-2026-00012-ZB-01, contract 331100-HT-2026-00003")

``state`` is ``"none"`` (no procedure started), ``"in_progress"`` or ``"traded"``; ``basis`` names the
award and contract (codes only). All providers are asked; ``traded`` wins over ``in_progress`` over
``none``. The funding check calls providers with a project holding only its id, code and status. It is on
every payment's path, so a provider should rather be SQL: ``trade_status_sql_provider`` registers a scalar
subquery that becomes a column of the check's one statement (the evaluation app's is). A published
contract notice (合同公告) of the project on the portal counts as traded whatever the providers say.
When no provider answers, an accepted project counts as in progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yangguang.core import dbclock, prepared

from .models import ExemptionRequest, FundingCheck, Project, TradeReport, Violation
from .musttrade_states import (
    FUNDING_BLOCKING_KINDS,
    OPEN_EXEMPTION_STATUSES,
    Decision,
    ExemptionStatus,
    ViolationStatus,
)
from .states import ProjectStatus

TRADE_STATES = ("none", "in_progress", "traded")


@dataclass(frozen=True)
class TradeStatus:
    state: str  # "none" | "in_progress" | "traded"
    basis: str = ""

    def __post_init__(self) -> None:
        if self.state not in TRADE_STATES:
            raise ValueError(f"trade state must be one of {TRADE_STATES}, not {self.state!r}")


TradeStatusProvider = Callable[[Project], "TradeStatus | None"]
_providers: list[TradeStatusProvider] = []


def trade_status_provider(fn: TradeStatusProvider) -> TradeStatusProvider:
    """Register ``fn(project) -> TradeStatus | None`` (usable as a decorator; registering twice is a no-op)."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def trade_status_provider_remove(fn: TradeStatusProvider) -> None:
    if fn in _providers:
        _providers.remove(fn)


TradeStatusSql = Callable[[], str]
_sql_providers: list[TradeStatusSql] = []


def trade_status_sql_provider(fn: TradeStatusSql) -> TradeStatusSql:
    """Register ``fn() -> SQL``: a scalar subquery correlated on ``p.id`` (the project's id) that yields
    ``'<state>|<basis>'`` or NULL. It becomes a column of the check's one statement, so a provider costs no
    round trip of its own (the funding check is on every payment's path). The text may hold only table
    names and constants of the provider's code; it is built once per process."""
    global _LOOKUP_SQL
    if fn not in _sql_providers:
        _sql_providers.append(fn)
        _LOOKUP_SQL = None
    return fn


def _contract_notice(project: Project) -> str | None:
    from yangguang.notices.models import Notice
    from yangguang.notices.states import NoticeStatus, NoticeType

    return (Notice.objects.filter(project_id=project.pk, type=NoticeType.CONTRACT, status=NoticeStatus.PUBLISHED)
            .order_by("pk").values_list("code", flat=True).first())


def trade_status(project: Project) -> TradeStatus:
    """The project's trade status: a published contract notice, else the providers, else the fallback."""
    contract = _contract_notice(project)
    if contract:
        return TradeStatus("traded", f"contract notice {contract}")
    row = _lookup(project.code) if _sql_providers else None
    return _provided_status(project, row[_FIXED_COLUMNS:] if row is not None else ())


def _sql_answers(values: Any) -> list[TradeStatus]:
    answers = []
    for value in values:
        if value:
            state, _sep, basis = str(value).partition("|")
            answers.append(TradeStatus(state, basis))
    return answers


def _provided_status(project: Project, sql_values: Any = ()) -> TradeStatus:
    answers = [answer for answer in (provider(project) for provider in _providers) if answer is not None]
    answers += _sql_answers(sql_values)
    for state in ("traded", "in_progress", "none"):
        for answer in answers:
            if answer.state == state:
                return answer
    if project.status == ProjectStatus.ACCEPTED:
        return TradeStatus("in_progress", "accepted for trading")
    return TradeStatus("none")


@dataclass(frozen=True)
class FundingAnswer:
    project: str
    decision: str
    basis: str
    reason: str
    reason_code: str
    project_obj: Project | None = None

    def as_dict(self) -> dict[str, str]:
        return {"project": self.project, "decision": self.decision, "basis": self.basis, "reason": self.reason}


_LOOKUP_SQL: str | None = None
_FIXED_COLUMNS = 11  # the lookup's own columns; the SQL providers' follow


def _lookup_sql() -> str:
    """One statement for everything the decision needs (the check is on every payment's path): the
    project, a funding-blocking violation, its live exemption with the report's state, a contract notice.
    The database clock is read only when an approved exemption's report could be overdue."""
    global _LOOKUP_SQL
    if _LOOKUP_SQL is None:
        from yangguang.notices.models import Notice

        def quoted(values: object) -> str:
            return ", ".join(f"'{v}'" for v in values)  # type: ignore[attr-defined]

        # Only constants of this code and table names go into the text; the values are parameters.
        extra = "".join(f", ({provider()})" for provider in _sql_providers)
        _LOOKUP_SQL = f"""
        SELECT p.id, p.status,
          (SELECT v.code FROM {Violation._meta.db_table} v WHERE v.project_id = p.id
             AND v.kind IN ({quoted(sorted(FUNDING_BLOCKING_KINDS))})
             AND v.status IN ('{ViolationStatus.REFERRED}', '{ViolationStatus.CLOSED}') ORDER BY v.id LIMIT 1),
          e.id, e.code, e.status, e.report_due_day, e.report_due_at, e.overdue_at,
          (SELECT 1 FROM {TradeReport._meta.db_table} r WHERE r.exemption_id = e.id),
          (SELECT n.code FROM {Notice._meta.db_table} n WHERE n.project_id = p.id AND n.type = 'contract'
             AND n.status = 'published' ORDER BY n.id LIMIT 1)
          {extra}
        FROM {Project._meta.db_table} p
        LEFT JOIN {ExemptionRequest._meta.db_table} e ON e.project_id = p.id
          AND e.status IN ({quoted([*sorted(OPEN_EXEMPTION_STATUSES), ExemptionStatus.APPROVED])})
        WHERE p.code = %s
        """  # noqa: S608
    return _LOOKUP_SQL


def _lookup(code: str) -> tuple | None:
    return prepared.fetchone(_lookup_sql(), [code])  # planned once per pooled connection (core/prepared.py)


def _aware(value: Any) -> dt.datetime | None:
    if isinstance(value, str):  # SQLite may hand back text
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):  # SQLite stores UTC without an offset
        value = timezone.make_aware(value, dt.UTC)
    return value


def _report_past_due(due_at: Any, overdue_at: Any) -> bool:
    """The post-trade report is overdue: found so by the reminder job, or its deadline has passed (the
    database clock, read only here: most checks never get this far)."""
    if overdue_at is not None:
        return True
    due = _aware(due_at)
    return due is not None and due <= dbclock.db_now()


def funding_decide(code: str) -> FundingAnswer:
    """The decision for one project code (no logging; see :func:`funding_check`)."""
    code = (code or "").strip()
    row = None
    if code:
        row = _lookup(code)
    project = None
    if row is not None:
        project = Project(pk=row[0], code=code, status=row[1])

    def answer(decision: str, basis: str, reason: str, reason_code: str) -> FundingAnswer:
        return FundingAnswer(code, decision, basis, reason, reason_code, project)

    if row is None or project is None:
        return answer(Decision.DENY, "", _("No project with this code was entered on the platform: a must-trade "
                                           "project must be registered and traded here first."), "not_entered")
    (_pk, _status, blocking, exemption_id, exemption_code, exemption_status, due_day, due_at, overdue_at,
     reported, contract) = row[:_FIXED_COLUMNS]
    if blocking:
        return answer(Decision.DENY, blocking, _("A violation of the must-trade rules was recorded for this "
                                                 "project (%(code)s).") % {"code": blocking}, "violation")
    if exemption_id is not None and exemption_status == ExemptionStatus.APPROVED:
        if not reported and _report_past_due(due_at, overdue_at):
            return answer(Decision.DENY, exemption_code,
                          _("Exemption %(code)s: the post-trade report was due by %(due)s and has not been "
                            "submitted.") % {"code": exemption_code, "due": str(due_day)[:10]}, "report_overdue")
        return answer(Decision.ALLOW, exemption_code,
                      _("Exempted from trading on the platform (exemption %(code)s).") % {"code": exemption_code},
                      "exempt")
    if contract:
        status = TradeStatus("traded", f"contract notice {contract}")
    else:  # providers get the project's id, code and status (enough to filter by it)
        status = _provided_status(project, row[_FIXED_COLUMNS:])
    if status.state == "traded":
        return answer(Decision.ALLOW, status.basis, _("Traded on the platform."), "traded")
    if exemption_id is not None:
        return answer(Decision.PENDING, "", _("An exemption request is being approved (%(status)s).")
                      % {"status": ExemptionStatus(exemption_status).label}, "exemption_pending")
    if status.state == "in_progress":
        return answer(Decision.PENDING, status.basis, _("The trade on the platform is under way."), "in_progress")
    return answer(Decision.DENY, "", _("The project must be traded on the platform, and neither a procedure has "
                                       "been started nor an exemption approved."), "not_traded")


def funding_check(*, code: str, user: Any = None, api_key: Any = None) -> FundingAnswer:
    """Decide and log. ``user`` for the workbench and session API calls, ``api_key`` for finance systems."""
    result = funding_decide(code)
    organisation_id = api_key.organisation_id if api_key is not None else getattr(user, "organisation_id", None)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    # A plain INSERT: one per payment check, and the ORM's save machinery costs more than the write. On
    # PostgreSQL the check log is written without waiting for the WAL flush (synchronous_commit off for this
    # transaction only): a crash may lose the last fraction of a second of check records, never a decision
    # or any other data; waiting for the disk on every check was what limited the rate (docs).
    table = FundingCheck._meta.db_table
    insert = (f"INSERT INTO {table} (project_code, project_id, decision, basis, reason, organisation_id, "  # noqa: S608
              "user_id, api_key_id, checked_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Its own transaction in one round trip (client-side binding sends the statements as one query).
        insert = f"BEGIN; SET LOCAL synchronous_commit TO OFF; {insert}; COMMIT"
    with connection.cursor() as cursor:
        cursor.execute(insert, [
            result.project[:60], result.project_obj.pk if result.project_obj else None, str(result.decision),
            result.basis[:120], result.reason_code, organisation_id, user_id,
            api_key.pk if api_key is not None else None, connection.ops.adapt_datetimefield_value(timezone.now())])
    return result
