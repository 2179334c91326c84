"""The funding check: the five cases of the issue, the trade-status hook, the API with keys, the log."""

from __future__ import annotations

import pytest
from django.test import Client

from yangguang.accounts.apikeys import apikey_issue, apikey_revoke
from yangguang.accounts.models import Organisation, User
from yangguang.accounts.states import OrganisationKind
from yangguang.core.chronograph import chronograph_run
from yangguang.projects import exemptions
from yangguang.projects.funding import TradeStatus, funding_check, trade_status_provider, trade_status_provider_remove
from yangguang.projects.models import FundingCheck
from yangguang.projects.musttrade_states import ExemptionStatus
from yangguang.projects.states import ProjectStatus

from .factories import department_leader, exemption_make, project_make

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {k: "见合同" for k in ("parties", "subject", "quantity", "quality", "price", "performance",
                                        "acceptance", "liability", "disputes")}


def _contract_notice(project) -> None:
    from yangguang.notices.services import notice_publish

    notice_publish(actor=User.objects.get(username="staff"), notice_type="contract", region=project.centre.region,
                   title=f"{project.name}合同公告", fields=CONTRACT_FIELDS, project=project, category=project.category)


def test_the_five_cases(items, clock):
    clock.at("2026-03-09 10:00")
    traded = project_make(status=ProjectStatus.ACCEPTED, name="已交易项目")
    _contract_notice(traded)
    in_progress = project_make(status=ProjectStatus.ACCEPTED, name="交易中项目")
    exempt = exemption_make(name="已豁免项目")
    overdue = exemption_make(name="报告逾期项目")
    exemptions.exemption_trade_record(actor=User.objects.get(username="purchaser"), exemption=overdue,
                                      trade_date=clock.now.date())

    answer = funding_check(code=traded.code).as_dict()
    assert answer["decision"] == "allow" and answer["basis"].startswith("contract notice ")
    answer = funding_check(code=exempt.project.code).as_dict()
    assert answer == {"project": exempt.project.code, "decision": "allow", "basis": exempt.code,
                      "reason": answer["reason"]}
    assert funding_check(code=in_progress.code).decision == "pending"
    never = funding_check(code="331100-GC-2026-99999")
    assert never.decision == "deny" and never.reason_code == "not_entered"
    # The overdue one is allowed until its report period ends, then denied. Day 20 is Sunday 29 March, so
    # the period runs to the end of Monday 30 March.
    clock.at("2026-03-30 23:00")
    assert funding_check(code=overdue.project.code).decision == "allow"
    clock.at("2026-03-31 00:00")
    chronograph_run(now=clock.now)
    denied = funding_check(code=overdue.project.code)
    assert denied.decision == "deny" and denied.reason_code == "report_overdue" and denied.basis == overdue.code
    assert FundingCheck.objects.count() == 6
    assert set(FundingCheck.objects.values_list("decision", flat=True)) == {"allow", "pending", "deny"}


def test_an_approval_under_way_is_pending_and_a_rejection_falls_back(items):
    waiting = exemption_make(name="审批中项目", until=ExemptionStatus.LEADER_APPROVAL)
    answer = funding_check(code=waiting.project.code)
    assert answer.decision == "pending" and answer.reason_code == "exemption_pending"
    exemptions.exemption_decide(actor=department_leader(), exemption=waiting,
                                approve=False, opinion="不同意")
    assert funding_check(code=waiting.project.code).reason_code == "in_progress"


def test_providers_answer_for_the_procedure_apps(items):
    traded = project_make(status=ProjectStatus.ACCEPTED, name="供应方已成交")
    idle = project_make(status=ProjectStatus.ACCEPTED, name="供应方未开始")

    def provider(project):
        if project.pk == traded.pk:
            return TradeStatus("traded", "award A-1, contract C-1")
        if project.pk == idle.pk:
            return TradeStatus("none")
        return None

    trade_status_provider(provider)
    try:
        assert funding_check(code=traded.code).as_dict()["basis"] == "award A-1, contract C-1"
        answer = funding_check(code=idle.code)
        assert answer.decision == "deny" and answer.reason_code == "not_traded"
    finally:
        trade_status_provider_remove(provider)
    assert funding_check(code=idle.code).decision == "pending"
    with pytest.raises(ValueError):
        TradeStatus("done")


def test_api_with_keys_and_session(items, client_as):
    exempt = exemption_make(name="API核验项目")
    admin = User.objects.get(username="admin")
    finance = Organisation.objects.get(kind=OrganisationKind.FINANCE)
    row, key = apikey_issue(actor=admin, organisation=finance, name="国库集中支付系统", scopes=["funding_check"])
    assert key not in row.key_hash and len(row.key_hash) == 64
    url = f"/api/v1/funding-check?project={exempt.project.code}"
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json() == {"project": exempt.project.code, "decision": "allow", "basis": exempt.code,
                               "reason": response.json()["reason"]}
    assert Client().get(url, HTTP_X_API_KEY=key).json()["decision"] == "allow"
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}x").status_code == 401
    assert Client().get(url).status_code == 401
    logged = FundingCheck.objects.filter(api_key_id=row.pk)
    assert logged.count() == 2 and {c.organisation_id for c in logged} == {finance.pk}
    assert Client().get("/api/v1/funding-check?project=", HTTP_X_API_KEY=key).status_code == 422
    apikey_revoke(actor=admin, key=row)
    assert Client().get(url, HTTP_X_API_KEY=key).status_code == 401
    # A department's import key is not a funding-check key.
    department = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).first()
    _row, other = apikey_issue(actor=admin, organisation=department, name="发改投资项目系统",
                               scopes=["project_list_import"])
    assert Client().get(url, HTTP_X_API_KEY=other).status_code == 401
    # Session users of finance use the same endpoint; the workbench page shows the answer.
    assert client_as("finance").get(url).json()["decision"] == "allow"
    page = client_as("finance").get(f"/projects/funding-check/?project={exempt.project.code}").content.decode()
    assert exempt.code in page
    assert client_as("supplier").get(url).status_code == 403


def test_key_issue_page_shows_the_key_once(items, client_as):
    finance = Organisation.objects.get(kind=OrganisationKind.FINANCE)
    response = client_as("admin").post("/accounts/api-keys/", {"organisation": finance.pk, "name": "支付系统",
                                                               "scopes": ["funding_check"]})
    page = response.content.decode()
    assert response.status_code == 200 and "ygk_" in page
    assert "ygk_" not in client_as("admin").get("/accounts/api-keys/").content.decode()
    refused = client_as("admin").post("/accounts/api-keys/", {"organisation": finance.pk, "name": "错误",
                                                              "scopes": ["project_list_import"]})
    assert "ygk_" not in refused.content.decode()


def test_a_check_outside_a_transaction_is_logged_in_its_own_commit(relaxed_log):
    """The API path runs in autocommit: on PostgreSQL the log row goes in one round trip with its own
    BEGIN … COMMIT; it must be there for another connection."""
    from django.db import connection

    from yangguang.accounts import demo as accounts_demo

    accounts_demo.load()
    answer = funding_check(code="331100-GC-2099-99999", user=User.objects.get(username="finance"))
    assert answer.decision == "deny" and not connection.in_atomic_block
    connection.close()
    assert FundingCheck.objects.filter(project_code="331100-GC-2099-99999", decision="deny").count() == 1


def test_the_lookup_is_planned_once_per_connection_on_postgresql(items):
    """On PostgreSQL the lookup runs as a prepared statement with one generic plan (core/prepared.py): the
    second and later checks on a connection execute it by name, and the answers are those of the plain
    statement. On SQLite the statement goes through Django's cursor."""
    from django.db import connection

    from yangguang.projects.funding import _lookup_sql, funding_decide

    traded = project_make(status=ProjectStatus.ACCEPTED, name="已交易项目")
    _contract_notice(traded)
    other = project_make(status=ProjectStatus.ACCEPTED, name="交易中项目")
    answers = [funding_decide(code).decision for code in (traded.code, other.code, "331100-GC-2099-99999",
                                                           traded.code)]
    assert answers == ["allow", "pending", "deny", "allow"]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %s",
                       [_lookup_sql().replace("%s", "$1")])
        generic, custom = cursor.fetchone()
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
    assert generic >= 1 and custom == 0
