"""Post-trade reports: day 20 on time, day 21 a violation; reminders; review, publish, bulletin, archive;
anomalies open investigations."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from yangguang.accounts.models import User
from yangguang.core.chronograph import chronograph_run
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.projects import exemptions, investigations, reports, violations
from yangguang.projects.models import ExemptionRequest, Investigation, Violation
from yangguang.projects.musttrade_states import (
    InvestigationOutcome,
    InvestigationStatus,
    ReportStatus,
    ViolationKind,
    ViolationStatus,
)

from .factories import exemption_make

pytestmark = pytest.mark.django_db
CONTRACT = [{"supplier": "丽水市某建设有限公司", "amount": "4800000.00"}]


def _traded(clock, name: str) -> ExemptionRequest:
    clock.at("2026-03-09 10:00")
    exemption = exemption_make(name=name)
    clock.at("2026-03-10 16:00")  # a Tuesday
    return exemptions.exemption_trade_record(actor=User.objects.get(username="purchaser"), exemption=exemption,
                                             trade_date=dt.date(2026, 3, 10))


def test_the_period_is_twenty_calendar_days_not_counting_the_trade_day(items):
    due = reports.report_deadline(dt.date(2026, 3, 10))
    assert due.last_day == dt.date(2026, 3, 30)  # day 20, a Monday
    assert reports.report_on_time(dt.date(2026, 3, 10), dt.datetime(2026, 3, 30, 23, 59, tzinfo=due.at.tzinfo))
    assert not reports.report_on_time(dt.date(2026, 3, 10), dt.datetime(2026, 3, 31, 0, 1, tzinfo=due.at.tzinfo))
    # A last day on a Sunday moves to the next working day (rules.md §0).
    assert reports.report_deadline(dt.date(2026, 3, 9)).last_day == dt.date(2026, 3, 30)


def test_a_report_on_day_20_is_on_time(items, clock):
    exemption = _traded(clock, "第20日报告项目")
    clock.at("2026-03-30 17:00")
    report = reports.report_submit(actor=User.objects.get(username="purchaser"), exemption=exemption,
                                   contracts=CONTRACT)
    assert report.on_time and report.days_after_trade == 20
    chronograph_run(now=clock.at("2026-04-15 00:00"))
    assert not Violation.objects.exists()


def test_a_report_on_day_21_is_a_violation(items, clock):
    exemption = _traded(clock, "第21日报告项目")
    clock.at("2026-03-31 09:00")
    report = reports.report_submit(actor=User.objects.get(username="purchaser"), exemption=exemption,
                                   contracts=CONTRACT)
    assert not report.on_time and report.days_after_trade == 21
    violation = Violation.objects.get()
    assert violation.kind == ViolationKind.REPORT_OVERDUE and violation.status == ViolationStatus.REFERRED
    submitted = Event.objects.get(action="projects.report.submitted")
    assert submitted.seq in violation.evidence
    assert Event.objects.get(action="projects.exemption.approved").seq in violation.evidence


def test_reminders_then_overdue_then_a_late_report_adds_evidence(items, clock):
    exemption = _traded(clock, "逾期未报项目")
    chronograph_run(now=clock.at("2026-03-20 09:00"))
    assert not Event.objects.filter(action="projects.exemption.report_reminder").exists()
    chronograph_run(now=clock.at("2026-03-26 00:00"))  # 5 days before the end of day 20
    chronograph_run(now=clock.at("2026-03-26 08:00"))  # nothing new
    chronograph_run(now=clock.at("2026-03-30 00:00"))  # 1 day before
    reminders = Event.objects.filter(action="projects.exemption.report_reminder").order_by("seq")
    assert [e.payload["days_before"] for e in reminders] == [5, 1]
    chronograph_run(now=clock.at("2026-03-31 00:00"))
    chronograph_run(now=clock.at("2026-04-01 00:00"))  # idempotent
    exemption.refresh_from_db()
    assert exemption.overdue_at is not None and exemption.next_check_at is None
    violation = Violation.objects.get()
    overdue_event = Event.objects.get(action="projects.exemption.report_overdue")
    assert overdue_event.seq in violation.evidence
    clock.at("2026-04-02 10:00")
    reports.report_submit(actor=User.objects.get(username="purchaser"), exemption=exemption, contracts=CONTRACT)
    violation.refresh_from_db()
    assert Event.objects.get(action="projects.report.submitted").seq in violation.evidence
    assert Violation.objects.count() == 1


def test_review_publish_bulletin_archive(items, client_as):
    from openpyxl import load_workbook

    exemption = exemption_make(name="通报项目")
    purchaser = User.objects.get(username="purchaser")
    committee = User.objects.get(username="committee")
    report = reports.report_submit(actor=purchaser, exemption=exemption, contracts=CONTRACT,
                                   trade_date=reports.today())
    with pytest.raises(IllegalTransition):
        reports.report_submit(actor=purchaser, exemption=exemption, contracts=CONTRACT)
    with pytest.raises(PermissionDenied):
        reports.report_review(actor=User.objects.get(username="staff"), report=report, opinion="")
    report = reports.report_review(actor=committee, report=report, opinion="材料齐全")
    with pytest.raises(IllegalTransition):
        reports.report_archive(actor=committee, report=report)
    report = reports.report_publish(actor=User.objects.get(username="staff"), report=report)
    assert report.status == ReportStatus.PUBLISHED and report.notice_code
    with pytest.raises(IllegalTransition):  # not yet in a bulletin
        reports.report_archive(actor=committee, report=report)
    bulletin = reports.bulletin_generate(actor=committee, period_start=reports.today(), period_end=reports.today())
    assert bulletin.report_count == 1
    download = client_as("audit").get(f"/projects/bulletins/{bulletin.pk}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == exemption.code and rows[2][2] == "通报项目"
    report.refresh_from_db()
    report = reports.report_archive(actor=committee, report=report)
    assert report.status == ReportStatus.ARCHIVED
    with pytest.raises(ValidationFailed) as error:
        reports.bulletin_generate(actor=committee, period_start=reports.today(), period_end=reports.today())
    assert error.value.code == "nothing_to_report"


def test_anomalies_open_an_investigation_that_can_end_in_a_referral(items, client_as):
    from yangguang.suppliers.models import SupplierProfile
    from yangguang.suppliers.states import CreditStatus

    supplier = SupplierProfile.objects.select_related("organisation").first()
    exemption = exemption_make(name="异常项目", budget="5000000.00")
    purchaser = User.objects.get(username="purchaser")
    contracts = [{"supplier": "甲公司", "amount": "3900000.00"}, {"supplier": "乙公司", "amount": "3900000.00"}]
    if supplier is not None:
        SupplierProfile.objects.filter(pk=supplier.pk).update(credit_status=CreditStatus.BLACKLISTED)
        contracts.append({"supplier": supplier.organisation.name, "credit_code": supplier.organisation.credit_code,
                          "amount": "100.00"})
    report = reports.report_submit(actor=purchaser, exemption=exemption, contracts=contracts,
                                   trade_date=reports.today())
    case = Investigation.objects.get(report=report)
    kinds = {a["kind"] for a in case.anomalies}
    assert {"price_above_budget", "split_under_threshold"} <= kinds
    if supplier is not None:
        assert "blacklisted_supplier" in kinds
    committee = User.objects.get(username="committee")
    discipline = User.objects.get(username="discipline")
    case = investigations.investigation_assign(actor=committee, case=case, assignees=[committee, discipline])
    assert case.status == InvestigationStatus.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        investigations.investigation_findings(actor=User.objects.get(username="audit"), case=case, findings="x")
    case = investigations.investigation_findings(actor=discipline, case=case,
                                                 findings="合同金额明显超出预算，拆分签订。")
    case = investigations.investigation_close(actor=committee, case=case, outcome=InvestigationOutcome.VIOLATION)
    violation = Violation.objects.get(investigation=case)
    assert violation.status == ViolationStatus.REFERRED
    assert Event.objects.get(action="projects.investigation.opened").seq in violation.evidence
    # Discipline inspection sees it in its workbench and closes the referral with its outcome.
    assert violation.code in client_as("discipline").get("/projects/violations/").content.decode()
    violations.violation_close(actor=discipline, violation=violation, outcome="对责任人进行诫勉谈话")
    # The violation now stops project funds.
    from yangguang.projects.funding import funding_check

    assert funding_check(code=exemption.project.code).reason_code == "violation"


def test_clean_report_opens_nothing(items):
    exemption = exemption_make(name="正常项目")
    reports.report_submit(actor=User.objects.get(username="purchaser"), exemption=exemption,
                          contracts=[{"supplier": "丙公司", "amount": "4900000.00"}], trade_date=reports.today())
    assert not Investigation.objects.exists()
