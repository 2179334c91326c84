"""A person walks one exemption through the three approvals and sees another rejected at the second step."""

from __future__ import annotations

import pytest

from tests.browser import login, shot
from yangguang.projects.models import ExemptionRequest
from yangguang.projects.musttrade_states import ExemptionStatus
from yangguang.projects.states import ProjectStatus

from .factories import LEADER, catalogue_setup, department_leader, project_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "yangguang-demo"  # noqa: S105 - the demo accounts' password


def _as(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username, PASSWORD)


def _request(page, base: str, project) -> int:
    _as(page, base, "purchaser")
    page.goto(f"{base}/projects/{project.pk}/")
    page.click("text=申请不进场交易")
    page.select_option("#id_department", label="丽水市住房和城乡建设局")
    page.fill("#id_reason", "涉及抢险救灾，须立即实施，不适宜进场招标。")
    page.fill("#id_legal_basis", "《招标投标法》第六十六条")
    page.fill("#id_method", "经政府常务会议研究，直接委托有资质的单位实施")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("#exemption-status")
    return int(page.url.rstrip("/").split("/")[-1])


def _decide(page, base: str, username: str, pk: int, *, approve: bool, opinion: str) -> None:
    _as(page, base, username)
    page.goto(f"{base}/projects/exemptions/{pk}/")
    page.fill("#decide-form textarea", opinion)
    page.click("#decide-form button[value=approve]" if approve else "#decide-form button[value=reject]")
    page.wait_for_selector(".msg")


def test_three_approvals_and_a_rejection_at_the_second_step(page, live_server, demo):
    catalogue_setup()
    department_leader()
    base = live_server.url
    approved = project_make(status=ProjectStatus.ACCEPTED, name="瓯江堤防应急抢险工程")
    rejected = project_make(status=ProjectStatus.ACCEPTED, name="医院食堂改造工程")

    pk = _request(page, base, approved)
    shot(page, "musttrade-1-requested")
    _decide(page, base, "supervisor", pk, approve=True, opinion="经科室审核，材料齐全，同意上报。")
    assert "等待主管部门领导审批" in page.content()
    shot(page, "musttrade-2-section-approved")
    _decide(page, base, LEADER, pk, approve=True, opinion="同意。")
    _decide(page, base, "committee", pk, approve=True, opinion="同意不进场交易，请在交易完成后20日内报告结果。")
    exemption = ExemptionRequest.objects.get(pk=pk)
    assert exemption.status == ExemptionStatus.APPROVED and exemption.code
    assert exemption.code in page.content()
    shot(page, "musttrade-3-approved")

    other = _request(page, base, rejected)
    _decide(page, base, "supervisor", other, approve=True, opinion="同意上报。")
    _decide(page, base, LEADER, other, approve=False, opinion="")  # no reasons: refused with a message
    assert "请填写驳回理由" in page.content()
    _decide(page, base, LEADER, other, approve=False, opinion="不属于法定可以不进行招标的情形，应进场交易。")
    assert ExemptionRequest.objects.get(pk=other).status == ExemptionStatus.REJECTED
    assert "已驳回" in page.content()
    shot(page, "musttrade-4-rejected-at-leader")

    # The committee office's list shows both outcomes.
    _as(page, base, "committee")
    page.goto(f"{base}/projects/exemptions/")
    shot(page, "musttrade-5-list")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/projects/exemptions/{pk}/")
    shot(page, "musttrade-6-phone")
