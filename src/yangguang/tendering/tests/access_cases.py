"""Who gets what on every tendering page and endpoint (used by the platform's access matrix test).

Write steps are aimed at procedures where they are refused by the workflow (a published or terminated
procedure), so running the cases in any order changes nothing; an allowed role gets the refusal (302 with a
message on the web, 409/422 on the API), a role without access gets 403."""

from __future__ import annotations

from typing import Any

from yangguang.accounts.states import Role

ANON = "anonymous"
SUPERVISORS = [Role.COMMITTEE_OFFICE, Role.DEPARTMENT_SUPERVISOR, Role.DISCIPLINE_INSPECTION, Role.AUDIT,
               Role.FINANCE]
BUYERS = [Role.PURCHASER, Role.AGENCY]
READERS = [*BUYERS, Role.SUPPLIER, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORS]


def _only(allowed: dict[Any, int], *, others: int = 403, anonymous: int = 302) -> dict[str, int]:
    expected = {str(role): others for role in Role.values}
    expected[ANON] = anonymous
    expected.update({str(k): v for k, v in allowed.items()})
    return expected


def _fixtures() -> dict[str, Any]:
    from yangguang.accounts.models import User
    from yangguang.tendering import services

    from .factories import procedure_draft, procedure_published

    published = procedure_published()
    terminated = procedure_published()
    agency = User.objects.get(username="agency")
    services.procedure_terminate(actor=agency, procedure=terminated, reason="访问矩阵终止")
    draft = procedure_draft()
    holdable = procedure_published()
    staff = User.objects.get(username="staff")
    hold = services.procedure_hold(actor=staff, procedure=holdable, reason="访问矩阵")
    services.procedure_release(actor=staff, hold=hold)
    return {"published": published, "terminated": terminated, "draft": draft, "hold": hold}


_cache: dict[str, Any] = {}


def _get() -> dict[str, Any]:
    # cases() and api_write_cases() run in the same test database; build the procedures once per test.
    from yangguang.tendering.models import Procedure

    if not _cache or not Procedure.objects.filter(pk=_cache["published"].pk).exists():
        _cache.clear()
        _cache.update(_fixtures())
    return _cache


def cases(ctx: dict[str, Any]) -> list[tuple]:
    f = _get()
    p, t, d, hold = f["published"].pk, f["terminated"].pk, f["draft"].pk, f["hold"]
    # Bidder steps aim at the terminated procedure: nobody can be registered there, so the answers do not depend
    # on whether another app's cases made the demo supplier eligible.
    lot = f["terminated"].lots.get().pk
    document = f["terminated"].documents.get().pk
    readers = {r: 200 for r in READERS}
    buyer_posts = {r: 302 for r in BUYERS}
    centre_posts = {Role.CENTRE_STAFF: 302, Role.PLATFORM_ADMIN: 302}
    return [
        ("GET", "/tendering/", _only(readers)),
        ("GET", "/tendering/methods/", _only({r: 200 for r in Role.values})),
        ("GET", "/tendering/build/", _only({r: 200 for r in BUYERS})),
        ("GET", f"/tendering/{p}/", _only(readers)),
        ("GET", f"/tendering/{d}/edit/", _only({r: 200 for r in BUYERS})),
        ("POST", f"/tendering/{p}/documents/", _only(buyer_posts)),
        ("POST", f"/tendering/{p}/invitations/", _only(buyer_posts)),
        ("POST", f"/tendering/{p}/publish/", _only(buyer_posts)),
        ("POST", f"/tendering/{p}/clarify/", _only(buyer_posts)),
        ("POST", f"/tendering/{p}/ask/", _only({Role.SUPPLIER: 302})),
        ("POST", f"/tendering/{p}/terminate/", _only(buyer_posts)),
        ("POST", f"/tendering/{p}/announce-failure/", _only(buyer_posts)),
        ("POST", f"/tendering/{p}/retender/", _only(buyer_posts)),
        ("POST", f"/tendering/{p}/hold/", _only(centre_posts)),
        ("POST", f"/tendering/{hold.procedure_id}/holds/{hold.pk}/release/", _only(centre_posts)),
        ("POST", f"/tendering/lots/{lot}/register/", _only({Role.SUPPLIER: 302})),
        ("POST", f"/tendering/lots/{lot}/guarantee/", _only({Role.SUPPLIER: 302})),
        ("GET", f"/tendering/documents/{document}/download/", _only({Role.SUPPLIER: 302})),
        # A security id that does not exist and one that would exist look alike before the deadline: 404.
        ("POST", "/tendering/securities/999999/refund/", _only({**{r: 404 for r in BUYERS},
                                                                 Role.CENTRE_STAFF: 404})),
        ("GET", "/api/v1/tendering/methods", {"*": 200}),
        ("GET", "/api/v1/tendering/procedures", _only(readers, anonymous=401)),
        ("GET", f"/api/v1/tendering/procedures/{p}", _only(readers, anonymous=401)),
        ("POST", f"/api/v1/tendering/procedures/{p}/documents", _only({r: 422 for r in BUYERS}, anonymous=401)),
        ("POST", f"/api/v1/tendering/procedures/{p}/publish", _only({r: 409 for r in BUYERS}, anonymous=401)),
        ("POST", f"/api/v1/tendering/lots/{lot}/register", _only({Role.SUPPLIER: 409}, anonymous=401)),
        ("GET", f"/api/v1/tendering/documents/{document}/download", _only({Role.SUPPLIER: 403}, anonymous=401)),
        ("POST", "/api/v1/tendering/securities/bank-notify", {"*": 422}),
        ("POST", f"/api/v1/tendering/holds/{hold.pk}/release",
         _only({Role.CENTRE_STAFF: 409, Role.PLATFORM_ADMIN: 409}, anonymous=401)),
        ("POST", f"/api/v1/tendering/procedures/{t}/announce-failure", _only({r: 409 for r in BUYERS},
                                                                               anonymous=401)),
    ]


def api_write_cases(ctx: dict[str, Any]) -> list[tuple]:
    from .factories import accepted_project

    f = _get()
    p, t = f["published"].pk, f["terminated"].pk
    lot = f["terminated"].lots.get().pk
    project = accepted_project()
    body = {"project_id": project.pk, "title": "矩阵招标", "method": "works_open", "qualification_requirements": "资质",
            "evaluation_method": "lowest_evaluated_price", "lots": [{"name": "标段一", "budget": "1000000"}],
            "bid_days": 20}
    return [
        ("POST", "/api/v1/tendering/procedures", _only({r: 201 for r in BUYERS}, anonymous=401), body),
        ("PUT", f"/api/v1/tendering/procedures/{p}", _only({r: 409 for r in BUYERS}, anonymous=401), body),
        ("POST", f"/api/v1/tendering/procedures/{p}/invitations", _only({r: 422 for r in BUYERS}, anonymous=401),
         {"organisation_ids": []}),
        ("POST", f"/api/v1/tendering/procedures/{t}/questions", _only({Role.SUPPLIER: 403}, anonymous=401),
         {"text": "问题"}),
        ("POST", f"/api/v1/tendering/procedures/{t}/clarifications", _only({r: 409 for r in BUYERS},
                                                                             anonymous=401), {"text": "澄清"}),
        ("POST", f"/api/v1/tendering/lots/{lot}/guarantee", _only({Role.SUPPLIER: 403}, anonymous=401),
         {"guarantee_number": "BH-1", "issuer": "银行", "amount": "1"}),
        ("POST", f"/api/v1/tendering/procedures/{t}/hold",
         _only({Role.CENTRE_STAFF: 409, Role.PLATFORM_ADMIN: 409}, anonymous=401), {"reason": "投诉"}),
        ("POST", f"/api/v1/tendering/procedures/{t}/terminate", _only({r: 409 for r in BUYERS}, anonymous=401),
         {"reason": "终止"}),
        ("POST", f"/api/v1/tendering/procedures/{t}/retender", _only({r: 201 for r in BUYERS}, anonymous=401),
         None),
    ]
