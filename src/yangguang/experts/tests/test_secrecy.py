"""Secrecy of a draw: before the release, no role finds a drawn expert's name or ID number (or the draw's
secret) on any page or endpoint of the platform; the expert sees only their own invitation; after the
two-official release the authorised roles see the names.

The walk reuses the access matrix: every URL pattern and API operation, with every app's cases, as every
role. The pool register is the one place where experts' names are shown by design (a drawn expert is still
a pool member): there the test requires that nothing changes when someone is drawn.
"""

from __future__ import annotations

import json
import re
from importlib import import_module
from io import BytesIO

from openpyxl import load_workbook

from tests.test_access_matrix import APPS_WITH_CASES, ROLES, _client_for, api_write_cases, base_cases
from yangguang.accounts.models import User
from yangguang.experts.models import DrawSlot, Expert
from yangguang.experts.services import draw_release, draw_run
from yangguang.experts.states import SlotState

from .factories import evaluation_begins, experts_make, request_make, specialties_make

NAMES = ["秘抽甲一", "秘抽乙二", "秘抽丙三", "秘抽丁四", "秘抽戊五", "秘抽己六", "秘抽庚七"]
SEARCH = f"/experts/pool/?q={NAMES[0][:2]}"
POOL_REGISTER = {"/experts/pool/export.xlsx", SEARCH}


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(BytesIO(raw), read_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        return "\n".join("\t".join("" if c is None else str(c) for c in row) for row in rows)
    return raw.decode("utf-8", "replace")


def _register(client) -> list[str]:
    """The pool register as staff see it (export and a search), without the per-request CSRF tokens."""
    return [re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", _body(client.get(url)))
            for url in sorted(POOL_REGISTER)]


def test_no_role_finds_a_drawn_expert_anywhere_before_the_release(demo, user_of, client_as) -> None:
    specialties_make()
    # A02: the access cases draw from A01 and B01, so these experts stay out of their (released) draws.
    experts = experts_make(len(NAMES), specialty="A02", names=NAMES)
    register_before = _register(client_as("staff"))
    request = request_make(quotas=[("A02", 3)], backups=4)
    draw = draw_run(actor=user_of("staff"), request=request)
    slots = list(DrawSlot.objects.filter(draw=draw).select_related("expert"))
    assert len(slots) == len(NAMES)
    # The pool register shows pool members by design; it does not change when someone is drawn.
    assert _register(client_as("staff")) == register_before
    assert any(NAMES[0] in page for page in register_before)
    # The demo expert account belongs to one of the invited experts: they see their own invitation only.
    own = next(s for s in slots if s.state == SlotState.INVITED).expert
    Expert.objects.filter(pk=own.pk).update(user=user_of("expert"))
    secret = draw.secret
    forbidden = {e.name for e in experts} | {e.id_number for e in experts} | {secret}

    ctx = {"user_of": user_of}
    cases = base_cases(ctx)
    for app in APPS_WITH_CASES:
        module = import_module(f"yangguang.{app}.tests.access_cases")
        cases.extend(module.cases(ctx))
        if hasattr(module, "api_write_cases"):
            cases.extend(module.api_write_cases(ctx))
    cases.extend(api_write_cases(ctx))
    r, d = request.pk, draw.pk
    cases += [(m, url, {}) for m, url in [
        ("GET", f"/experts/draws/{r}/"), ("GET", f"/api/v1/experts/draws/{r}"), ("GET", "/experts/draws/"),
        ("GET", f"/experts/audit/{d}/"), ("GET", f"/experts/audit/{d}/package.json"),
        ("GET", f"/api/v1/experts/audits/{d}"), ("GET", "/experts/mine/"), ("GET", "/api/v1/experts/invitations"),
        ("GET", "/log/"),
    ]]
    leaks = []
    for case in cases:
        method, url = case[0], case[1]
        body = case[3] if len(case) > 3 else None
        if url in POOL_REGISTER:
            continue  # checked above: the register does not change when someone is drawn
        for role in ROLES:
            client = _client_for(role, user_of)
            if method == "GET":
                response = client.get(url)
            elif body is None:
                response = client.generic(method, url)
            else:
                response = client.generic(method, url, json.dumps(body), content_type="application/json")
            text = _body(response)
            allowed = {own.name} if role == "expert" else set()
            found = [s for s in forbidden - allowed if s in text]
            if found:
                leaks.append(f"{method} {url} as {role}: {found}")
    assert not leaks, "\n".join(leaks)
    # A drawn expert's own pool record says nothing about the procedure.
    for slot in slots:
        page = client_as("staff").get(f"/experts/pool/{slot.expert_id}/").content.decode()
        assert request.project.name not in page
    # The expert's page shows their invitation, and nobody else's.
    mine = client_as("expert").get("/experts/mine/").content.decode()
    assert own.name in mine and "秘抽" not in mine.replace(own.name, "")
    invitations = client_as("expert").get("/api/v1/experts/invitations").json()
    assert [i["id"] for i in invitations] == [s.pk for s in slots if s.expert_id == own.pk]

    # After the evaluation starts and two officials release the list, the authorised roles see it.
    evaluation_begins(request)
    draw_release(actor=user_of("staff"), draw=draw)
    after_one = client_as("staff").get(f"/experts/draws/{r}/").content.decode()
    assert not any(n in after_one for n in NAMES)  # one consent is not enough
    draw_release(actor=User.objects.get(username="supervisor"), draw=draw)
    invited_names = {s.expert.name for s in slots if s.state == SlotState.INVITED}
    waiting_names = {s.expert.name for s in slots if s.state == SlotState.WAITING}
    for role in ("staff", "admin", "supervisor", "committee", "discipline", "audit", "finance"):
        page = client_as(role).get(f"/experts/draws/{r}/").content.decode()
        assert invited_names <= {n for n in NAMES if n in page}, role
        assert not waiting_names & {n for n in NAMES if n in page}, role  # uncalled backups stay unnamed
        api = client_as(role).get(f"/api/v1/experts/draws/{r}").json()
        assert {s["expert_name"] for s in api["seats"]} == invited_names
    for role in ("purchaser", "agency", "supplier", "expert"):
        response = client_as(role).get(f"/experts/draws/{r}/")
        assert response.status_code == 403
    assert secret not in client_as("staff").get(f"/experts/draws/{r}/").content.decode()


def test_id_numbers_are_masked_on_pages(demo, client_as) -> None:
    specialties_make()
    expert = experts_make(1, specialty="A01", names=["掩码测试"])[0]
    page = client_as("supervisor").get(f"/experts/pool/{expert.pk}/").content.decode()
    assert expert.id_number not in page and expert.id_masked in page
