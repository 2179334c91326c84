"""Bid securities: the bank's signed notification, electronic guarantees, the same-account collusion flag
(TBLR 第40条(六)) and refunds after the deadline."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from yangguang.accounts.models import User
from yangguang.core.chronograph import chronograph_run
from yangguang.core.errors import PermissionDenied, ValidationFailed
from yangguang.tendering import services
from yangguang.tendering.banknotify import bank_signature
from yangguang.tendering.models import BidSecurity

from .factories import deadline_of, organisation_of, procedure_published, supplier_make

pytestmark = pytest.mark.django_db
SECRET = "test-bank-secret"  # noqa: S105 - test only


def _notify(client: Client, body: dict, secret: str = SECRET):
    raw = json.dumps(body).encode()
    return client.post("/api/v1/tendering/securities/bank-notify", raw, content_type="application/json",
                       HTTP_X_YANGGUANG_SIGNATURE=bank_signature(raw, secret.encode()))


def test_bank_notifications_are_verified_idempotent_and_same_account_is_flagged(items, settings):
    settings.YANGGUANG_BANK_SECRETS = {"LS": SECRET}
    procedure = procedure_published()
    lot = procedure.lots.get()
    first, second = supplier_make(), supplier_make()
    client = Client()
    body = {"centre": "LS", "notification_id": "ICBC-0001", "lot_id": lot.pk,
            "payer_credit_code": organisation_of(first).credit_code, "payer_account": "1210000001",
            "amount": "80000.00", "received_at": "2026-12-01T10:15:00+08:00"}
    assert _notify(client, body, secret="wrong").status_code == 403  # noqa: S106
    assert BidSecurity.objects.count() == 0
    assert _notify(client, body).status_code == 201
    assert _notify(client, body).status_code == 201  # a retried notification is the same record
    assert BidSecurity.objects.count() == 1
    small = {**body, "notification_id": "ICBC-0002", "amount": "100.00"}
    assert _notify(client, small).json()["code"] == "security_too_small"
    same = {**body, "notification_id": "ICBC-0003", "payer_credit_code": organisation_of(second).credit_code}
    assert _notify(client, same).status_code == 201
    assert BidSecurity.objects.filter(same_account_flag=True).count() == 2

    # After the deadline the agency records refunds.
    chronograph_run(now=deadline_of(procedure) + dt.timedelta(seconds=1))
    security = BidSecurity.objects.order_by("pk").first()
    assert security is not None
    refunded = services.security_refund(actor=User.objects.get(username="agency"), security=security,
                                        reference="REFUND-1")
    assert refunded.refunded_at is not None


def test_electronic_guarantee_needs_a_registration_and_is_refused_after_the_deadline(items):
    procedure = procedure_published()
    lot = procedure.lots.get()
    bidder = supplier_make()
    with pytest.raises(PermissionDenied):
        services.security_guarantee_record(actor=bidder, lot=lot, guarantee_number="BH-1", issuer="银行",
                                           amount="80000")
    services.registration_create(actor=bidder, lot=lot)
    services.security_guarantee_record(actor=bidder, lot=lot, guarantee_number="BH-1", issuer="银行", amount="80000")
    with pytest.raises(ValidationFailed, match="已登记"):
        services.security_guarantee_record(actor=bidder, lot=lot, guarantee_number="BH-1", issuer="银行",
                                           amount="80000")
