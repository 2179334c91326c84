"""No role can learn who registered, or how many, before the bid deadline (招标投标法 第22条): every page and
every endpoint of this app, for every role, answers byte for byte the same before and after suppliers
register, download, ask and pay a security — except a registered supplier's own view of itself."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from yangguang.accounts.models import User
from yangguang.accounts.states import Role
from yangguang.core.eventlog import Event
from yangguang.tendering import services
from yangguang.tendering.models import Procedure
from yangguang.tendering.selectors import registered_bidders

from .factories import deadline_of, procedure_published, supplier_make

pytestmark = pytest.mark.django_db
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _urls(procedure: Procedure) -> list[str]:
    lot = procedure.lots.get()
    document = procedure.documents.get()
    return [
        "/tendering/", "/tendering/?status=published", f"/tendering/{procedure.pk}/", "/tendering/methods/",
        "/api/v1/tendering/procedures", f"/api/v1/tendering/procedures/{procedure.pk}",
        f"/api/v1/tendering/documents/{document.pk}/download", f"/tendering/documents/{document.pk}/download/",
        f"/tendering/lots/{lot.pk}/register/", "/accounts/workbench/", f"/announcements/{procedure.notice_id}/",
        "/api/v1/notices", "/api/v1/log/head",
    ]


def _snapshot(procedure: Procedure, users: dict[str, Any]) -> dict[tuple[str, str], bytes]:
    seen = {}
    for role, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for url in _urls(procedure):
            if "/download" in url or "/register/" in url:
                response = client.get(url)  # a GET of a POST-only step or a refused download changes nothing
                body = str(response.status_code).encode()
            else:
                response = client.get(url)
                body = CSRF.sub(b"", response.content)
                if response.get("Content-Type", "").startswith("application/json"):
                    body = json.dumps(response.json(), ensure_ascii=False).encode()
            seen[(role, url)] = body
    return seen


def test_nobody_learns_names_or_counts_before_the_deadline(items, user_of):
    procedure = procedure_published()
    lot = procedure.lots.get()
    bystander = supplier_make("丽水市旁观者建设有限公司")
    users: dict[str, Any] = {role: user_of(role) for role in Role.values}
    users["anonymous"] = None
    users["bystander"] = bystander
    before = _snapshot(procedure, users)

    names = ["丽水市秘密甲建设有限公司", "丽水市秘密乙建设有限公司", "丽水市秘密丙建设有限公司"]
    bidders = [supplier_make(name) for name in names]
    for bidder in bidders:
        services.registration_create(actor=bidder, lot=lot)
        services.document_download(actor=bidder, document=procedure.documents.get())
        services.security_guarantee_record(actor=bidder, lot=lot, guarantee_number=f"BH-{bidder.pk}",
                                           issuer="中国银行丽水分行", amount="80000.00")
    services.question_ask(actor=bidders[1], procedure=procedure, text="是否接受联合体？")
    after = _snapshot(procedure, users)

    changed = sorted(key for key in before if before[key] != after[key])
    # The only change anyone sees is the anonymous question itself (its text, never the asker).
    for role, url in changed:
        assert url.endswith(f"/{procedure.pk}/") or url.endswith(f"/procedures/{procedure.pk}"), (role, url)
        text = after[(role, url)].decode()
        assert "是否接受联合体" in text
        for name in names:
            assert name not in text, (role, url)
    for (role, url), body in after.items():
        text = body.decode(errors="replace")
        for name in names:
            assert name not in text, (role, url)
        assert "registration_summary" not in text, (role, url)

    # The public log shows sealed commitments only: no lot, no organisation, no user.
    for event in Event.objects.filter(action__startswith="tendering.registration"):
        assert event.actor == "bidder" and set(event.payload) == {"commitment"}
    assert not any(str(b.organisation_id) in json.dumps(e.payload) and "organisation" in json.dumps(e.payload)
                   for e in Event.objects.filter(action__startswith="tendering.") for b in bidders)

    # The registered supplier sees itself, and only itself.
    own = Client()
    own.force_login(bidders[0])
    data = own.get(f"/api/v1/tendering/procedures/{procedure.pk}").json()
    assert [r["lot_id"] for r in data["my_registrations"]] == [lot.pk]
    assert "registration_summary" not in data
    # The internal selector (for later issues' services) does know.
    assert [o.name for o in registered_bidders(lot)] == names


def test_after_the_deadline_the_buyer_side_sees_the_count(items, user_of):
    from yangguang.core.chronograph import chronograph_run

    procedure = procedure_published()
    lot = procedure.lots.get()
    for _ in range(3):
        services.registration_create(actor=supplier_make(), lot=lot)
    import datetime as dt

    chronograph_run(now=deadline_of(procedure) + dt.timedelta(seconds=1))
    client = Client()
    client.force_login(User.objects.get(username="purchaser"))
    data = client.get(f"/api/v1/tendering/procedures/{procedure.pk}").json()
    # Three registered, no sealed bid: the worker's deadline steps (tendering's, then bidding's) fail it.
    assert data["status"] == "failed" and data["registration_summary"][0]["registrations"] == 3
    other = Client()
    other.force_login(supplier_make())
    assert "registration_summary" not in other.get(f"/api/v1/tendering/procedures/{procedure.pk}").json()


def test_documents_upload_is_hash_checked(items):
    from yangguang.tendering.tests.factories import procedure_draft

    procedure = procedure_draft()
    with pytest.raises(Exception, match="SHA-256"):
        services.document_upload(actor=User.objects.get(username="agency"), procedure=procedure,
                                 upload=ContentFile(b"v2", name="v2.pdf"), expected_sha256="0" * 64)
