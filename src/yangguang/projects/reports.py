"""Post-trade reports of exempt projects (交易结果报告).

The owner reports the trade result within 20 calendar days after the trade (rule Y-001; its number and unit
come from the rule set). Counting as ``rules.md`` §0 and :func:`yangguang.core.deadlines.deadline` do: the
trade day is not counted, the period ends at 24:00 of its last day, and a last day that is not a working
day moves to the next working day. So a trade on 10 March (a Tuesday) must be reported by the end of
30 March: a report on day 20 is on time, on day 21 it is late.

The chronograph job ``projects.exemption_report`` reminds the owner 5 days and 1 day before the last day
(an event in the log, and a banner on the owner's pages) and, once the period has ended with no report,
marks the report overdue and records a violation referred to discipline inspection. A report that arrives
late is accepted and recorded as late, and the violation gets the submission as further evidence.

The committee office reviews each report; the project's centre publishes it on the portal (a centre notice:
the notices registry has no dedicated type for an exempt project's result); the committee office includes
published reports in a periodic bulletin to the member units — an .xlsx workbook (python-docx is not
installed; a spreadsheet is what member units file and filter) stored by its SHA-256 — and archives them.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yangguang.accounts.access import has_role, visible_region_ids
from yangguang.accounts.states import Role
from yangguang.core import dbclock
from yangguang.core.codes import code_next
from yangguang.core.deadlines import Deadline, days_between, deadline, local_date
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.storage import file_store
from yangguang.rules.selectors import rule_param

from .access import project_manageable
from .models import Bulletin, ExemptionRequest, TradeReport
from .musttrade_access import _staff_of_centre
from .musttrade_states import REPORT_MOVES, ExemptionStatus, ReportStatus, ViolationKind

REPORT_RULE = "Y-001"
REMINDER_DAYS = (5, 1)  # reminders this many days before the last day of the period
CENT = Decimal("0.01")


def report_deadline(trade_date: dt.date) -> Deadline:
    """When the post-trade report is due: ``deadline(trade_date, 20, calendar_day)`` from rule Y-001."""
    return deadline(trade_date, int(rule_param(REPORT_RULE)), str(rule_param(REPORT_RULE, "unit")))


def report_on_time(trade_date: dt.date, submitted_at: dt.datetime) -> bool:
    return submitted_at < report_deadline(trade_date).at


def _reminder_at(due: dt.datetime, days: int) -> dt.datetime:
    return due - dt.timedelta(days=days)


def next_check(exemption: ExemptionRequest) -> dt.datetime | None:
    """Pure function of the exemption's state: the next reminder or the due moment, or None."""
    if exemption.status != ExemptionStatus.APPROVED or exemption.report_due_at is None:
        return None
    if exemption.overdue_at is not None or TradeReport.objects.filter(exemption_id=exemption.pk).exists():
        return None
    pending = [d for d in REMINDER_DAYS if exemption.reminded_days is None or d < exemption.reminded_days]
    moments = [_reminder_at(exemption.report_due_at, d) for d in pending]
    return min([*moments, exemption.report_due_at])


def report_overdue(exemption: ExemptionRequest, now: dt.datetime) -> bool:
    """An approved, traded exemption whose period ended with no report."""
    if exemption.report_due_at is None or exemption.status != ExemptionStatus.APPROVED:
        return False
    if TradeReport.objects.filter(exemption_id=exemption.pk).exists():
        return False
    return exemption.overdue_at is not None or now >= exemption.report_due_at


def _overdue_violation(exemption: ExemptionRequest, actor: Any, extra: list[int]) -> None:
    from .violations import evidence_of, violation_record

    project = exemption.project
    violation_record(
        actor=actor, kind=ViolationKind.REPORT_OVERDUE, region=project.region, project=project,
        exemption=exemption, evidence=[*evidence_of(exemption), *extra],
        summary=_("Exemption %(code)s: the trade of %(date)s was not reported by %(due)s (rule %(rule)s).")
        % {"code": exemption.code, "date": exemption.trade_date, "due": exemption.report_due_day,
           "rule": REPORT_RULE})


def exemption_report_check(exemption: ExemptionRequest, now: dt.datetime) -> None:
    """Chronograph handler (the worker's transaction, row locked): send due reminders; once the period has
    ended with no report, mark it overdue and record the violation. Idempotent."""
    exemption = ExemptionRequest.objects.select_related("project", "project__region").get(pk=exemption.pk)
    if next_check(exemption) is None:
        exemption.next_check_at = None
        exemption.save(update_fields=["next_check_at"])
        return
    due = exemption.report_due_at
    assert due is not None
    fields = ["next_check_at"]
    if now >= due:
        exemption.overdue_at = now
        fields.append("overdue_at")
        exemption.next_check_at = None
        exemption.save(update_fields=fields)
        event = event_append(action="projects.exemption.report_overdue", actor="worker", obj=exemption,
                             payload={"code": exemption.code, "due": str(exemption.report_due_day)})
        _overdue_violation(exemption, "worker", [event.seq])
        return
    due_reminders = [d for d in REMINDER_DAYS if now >= _reminder_at(due, d)
                     and (exemption.reminded_days is None or d < exemption.reminded_days)]
    if due_reminders:
        days = min(due_reminders)  # after downtime, one reminder: the latest that is due
        exemption.reminded_days = days
        fields.append("reminded_days")
        event_append(action="projects.exemption.report_reminder", actor="worker", obj=exemption,
                     payload={"code": exemption.code, "days_before": days, "due": str(exemption.report_due_day)})
    exemption.next_check_at = next_check(exemption)
    exemption.save(update_fields=fields)


def _contracts(raw: Any) -> tuple[list[dict[str, str]], Decimal]:
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(_("List at least one contract of the trade."), code="contracts_missing",
                               field="contracts")
    if len(raw) > 50:
        raise ValidationFailed(_("A report lists at most 50 contracts."), code="too_many_contracts",
                               field="contracts")
    cleaned, total = [], Decimal("0")
    for row in raw:
        supplier = str((row or {}).get("supplier", "")).strip()
        credit_code = str((row or {}).get("credit_code", "") or "").strip().upper()
        if not supplier:
            raise ValidationFailed(_("Name the supplier of each contract."), code="required", field="contracts")
        if credit_code and len(credit_code) != 18:
            raise ValidationFailed(_("A unified social credit code has 18 characters."), code="invalid_credit_code",
                                   field="contracts")
        try:
            amount = Decimal(str(row.get("amount"))).quantize(CENT)
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationFailed(_("Enter each contract amount in yuan, such as 1200000.00."),
                                   code="invalid_amount", field="contracts") from None
        if not amount.is_finite() or amount <= 0:
            raise ValidationFailed(_("Each contract amount must be greater than zero."), code="invalid_amount",
                                   field="contracts")
        cleaned.append({"supplier": supplier[:120], "credit_code": credit_code, "amount": str(amount)})
        total += amount
    return cleaned, total


def report_submit(*, actor: Any, exemption: ExemptionRequest, contracts: list[dict[str, Any]], summary: str = "",
                  trade_date: dt.date | None = None) -> TradeReport:
    """The owner reports the trade result. Without a recorded trade date, ``trade_date`` records it now. A
    late report is accepted, marked late, and recorded as a violation (referred to discipline inspection).
    Anomalies in the result open an investigation."""
    from .exemptions import exemption_trade_record
    from .investigations import anomalies_find, investigation_open

    if not project_manageable(actor, exemption.project):
        raise PermissionDenied(_("Only the project's purchaser and agency may do this."))
    if exemption.status != ExemptionStatus.APPROVED:
        raise IllegalTransition(_("Only an approved exemption has a post-trade report."))
    if TradeReport.objects.filter(exemption=exemption).exists():
        raise IllegalTransition(_("The trade result has already been reported."))
    cleaned, total = _contracts(contracts)
    if exemption.trade_date is None:
        if trade_date is None:
            raise ValidationFailed(_("Enter the trade date."), code="required", field="trade_date")
        exemption = exemption_trade_record(actor=actor, exemption=exemption, trade_date=trade_date)
    with transaction.atomic():
        locked = ExemptionRequest.objects.select_for_update().select_related("project", "project__region",
                                                                            "project__catalogue_item").get(
            pk=exemption.pk)
        if TradeReport.objects.filter(exemption=locked).exists():
            raise IllegalTransition(_("The trade result has already been reported."))
        assert locked.trade_date is not None and locked.report_due_at is not None
        now = dbclock.db_now()
        on_time = now < locked.report_due_at
        report = TradeReport.objects.create(
            exemption=locked, trade_date=locked.trade_date, contracts=cleaned, total_price=total,
            summary=(summary or "").strip(), submitted_by=actor, submitted_at=now,
            days_after_trade=days_between(_noon(locked.trade_date), now, "calendar_day"),
            on_time=on_time)
        locked.next_check_at = None
        locked.save(update_fields=["next_check_at"])
        event = event_append(action="projects.report.submitted", actor=actor, obj=report, payload={
            "exemption": locked.code, "on_time": on_time, "days_after_trade": report.days_after_trade,
            "total": str(total), "contracts": len(cleaned)})
        if not on_time:
            _overdue_violation(locked, actor, [event.seq])
        anomalies = anomalies_find(locked.project, cleaned, total)
        if anomalies:
            investigation_open(project=locked.project, report=report, anomalies=anomalies)
    return report


def _noon(day: dt.date) -> dt.datetime:
    from yangguang.core.deadlines import SHANGHAI

    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=SHANGHAI)


def _committee(actor: Any, report: TradeReport) -> None:
    if not has_role(actor, Role.COMMITTEE_OFFICE):
        raise PermissionDenied(_("Only the committee office may do this."))
    regions = visible_region_ids(actor)
    if regions is not None and report.exemption.project.region_id not in regions:
        raise PermissionDenied(_("This record is outside your region."))


def report_review(*, actor: Any, report: TradeReport, opinion: str) -> TradeReport:
    _committee(actor, report)
    REPORT_MOVES.target("review", report.status)
    with transaction.atomic():
        locked = TradeReport.objects.select_for_update().get(pk=report.pk)
        locked.status = REPORT_MOVES.target("review", locked.status)
        locked.review_opinion = (opinion or "").strip()
        locked.reviewed_by = actor
        locked.reviewed_at = dbclock.db_now()
        locked.save(update_fields=["status", "review_opinion", "reviewed_by", "reviewed_at"])
        event_append(action="projects.report.reviewed", actor=actor, obj=locked,
                     payload={"exemption": report.exemption.code})
    return locked


def report_publishable(user: Any, report: TradeReport) -> bool:
    if report.status != ReportStatus.REVIEWED:
        return False
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    return _staff_of_centre(user, report.exemption)


def report_publish(*, actor: Any, report: TradeReport) -> TradeReport:
    """The project's centre publishes the reviewed result on the portal."""
    from yangguang.notices.services import notice_publish
    from yangguang.notices.states import NoticeType

    if not report_publishable(actor, report):
        if report.status != ReportStatus.REVIEWED:
            REPORT_MOVES.target("publish", report.status)
        raise PermissionDenied(_("Only staff of the project's trading centre may publish the report."))
    exemption, project = report.exemption, report.exemption.project
    lines = "".join(f"<tr><td>{_esc(c['supplier'])}</td><td>{_esc(c['credit_code'])}</td>"
                    f"<td>{_esc(c['amount'])}</td></tr>" for c in report.contracts)
    body = (f"<p>{_esc(_('Exemption ID'))}: {_esc(exemption.code)}; {_esc(_('Trade date'))}: {report.trade_date}; "
            f"{_esc(_('Total price (yuan)'))}: {report.total_price}</p>"
            f"<table><thead><tr><th>{_esc(_('Supplier'))}</th><th>{_esc(_('Credit code'))}</th>"
            f"<th>{_esc(_('Amount (yuan)'))}</th></tr></thead><tbody>{lines}</tbody></table>")
    with transaction.atomic():
        locked = TradeReport.objects.select_for_update().get(pk=report.pk)
        status = REPORT_MOVES.target("publish", locked.status)
        notice = notice_publish(
            actor=actor, notice_type=NoticeType.EXEMPT_TRADE_REPORT, region=project.centre.region,
            title=_("Trade result of an exempt project: %(name)s (%(code)s)") % {"name": project.name,
                                                                                "code": exemption.code},
            body_html=body, project=project, owner=f"projects.report:{locked.pk}",
            fields={"project_name_code": f"{project.name} ({project.code})", "exemption": exemption.code,
                    "trade_date": str(report.trade_date),
                    "suppliers": "; ".join(f"{c['supplier']} ({c['credit_code']}): {c['amount']}"
                                           for c in report.contracts),
                    "total_price": str(report.total_price)})
        locked.status = status
        locked.notice_pk, locked.notice_code, locked.published_at = notice.pk, notice.code, notice.published_at
        locked.save(update_fields=["status", "notice_pk", "notice_code", "published_at"])
        event_append(action="projects.report.published", actor=actor, obj=locked,
                     payload={"exemption": exemption.code, "notice": notice.code})
    return locked


def _esc(value: Any) -> str:
    from django.utils.html import escape

    return str(escape(str(value)))


def report_archive(*, actor: Any, report: TradeReport) -> TradeReport:
    """Archive a published report once a bulletin has carried it."""
    _committee(actor, report)
    REPORT_MOVES.target("archive", report.status)
    if report.bulletin_id is None:
        raise IllegalTransition(_("Include the report in a bulletin before archiving it."))
    with transaction.atomic():
        locked = TradeReport.objects.select_for_update().get(pk=report.pk)
        locked.status = REPORT_MOVES.target("archive", locked.status)
        locked.archived_at = dbclock.db_now()
        locked.save(update_fields=["status", "archived_at"])
        event_append(action="projects.report.archived", actor=actor, obj=locked,
                     payload={"exemption": report.exemption.code})
    return locked


BULLETIN_COLUMNS = [
    gettext_noop("Exemption ID"), gettext_noop("Project code"), gettext_noop("Project name"),
    gettext_noop("Purchaser / tenderer"), gettext_noop("Trade date"), gettext_noop("Reported at"),
    gettext_noop("On time"), gettext_noop("Total price (yuan)"), gettext_noop("Budget (yuan)"),
    gettext_noop("Suppliers"), gettext_noop("Portal notice"),
]


def bulletin_generate(*, actor: Any, period_start: dt.date, period_end: dt.date) -> Bulletin:
    """A bulletin of every published report of the period not yet in a bulletin, in the committee office's
    region tree, as an .xlsx workbook; the reports are marked as carried."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if not has_role(actor, Role.COMMITTEE_OFFICE):
        raise PermissionDenied(_("Only the committee office may do this."))
    if period_end < period_start:
        raise ValidationFailed(_("The period ends before it starts."), code="invalid_period", field="period_end")
    regions = visible_region_ids(actor)
    reports = (TradeReport.objects.select_related("exemption", "exemption__project", "exemption__project__owner")
               .filter(status=ReportStatus.PUBLISHED, bulletin__isnull=True,
                       published_at__date__gte=period_start, published_at__date__lte=period_end))
    if regions is not None:
        reports = reports.filter(exemption__project__region_id__in=regions)
    chosen = list(reports.order_by("published_at", "pk"))
    if not chosen:
        raise ValidationFailed(_("No published report of this period is waiting for a bulletin."),
                               code="nothing_to_report", field="period_start")
    now = dbclock.db_now()
    region_code = actor.organisation.region.code if actor.organisation_id else "000000"
    code = code_next(f"TB-{region_code}-{local_date(now).year}", width=3)
    title = _("Bulletin %(code)s: trade results of exempt projects, %(start)s to %(end)s") % {
        "code": code, "start": period_start, "end": period_end}
    book = Workbook()
    sheet = book.active
    sheet.title = "bulletin"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_(c) for c in BULLETIN_COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in chosen:
        ex, project = r.exemption, r.exemption.project
        sheet.append([ex.code, project.code, project.name, str(project.owner), r.trade_date,
                      local_date(r.submitted_at), _("Yes") if r.on_time else _("No (late)"), float(r.total_price),
                      float(project.budget), "; ".join(c["supplier"] for c in r.contracts), r.notice_code])
    for column, width in zip("ABCDEFGHIJK", (22, 22, 36, 28, 12, 12, 10, 16, 16, 36, 22), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    stored = file_store(ContentFile(buffer.getvalue(), name=f"{code}.xlsx"), folder="bulletins")
    with transaction.atomic():
        bulletin = Bulletin.objects.create(code=code, period_start=period_start, period_end=period_end,
                                           title=title[:200], path=stored.path, sha256=stored.sha256,
                                           size=stored.size, report_count=len(chosen), created_by=actor)
        TradeReport.objects.filter(pk__in=[r.pk for r in chosen], bulletin__isnull=True).update(bulletin=bulletin)
        event_append(action="projects.bulletin.generated", actor=actor, obj=bulletin,
                     payload={"code": code, "reports": [r.pk for r in chosen], "sha256": stored.sha256})
    return bulletin


def reminders_for(user: Any) -> list[ExemptionRequest]:
    """The owner's exemptions whose report is due soon or overdue (the banner on their pages)."""
    from .musttrade_access import exemptions_visible

    if not has_role(user, Role.PURCHASER, Role.AGENCY):
        return []
    return list(exemptions_visible(user).filter(status=ExemptionStatus.APPROVED, report_due_at__isnull=False,
                                                report__isnull=True).order_by("report_due_at"))


def today() -> dt.date:
    return local_date(dbclock.db_now())
