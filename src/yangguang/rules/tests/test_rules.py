from __future__ import annotations

import json

import pytest
from django.test import Client

from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.rules.models import Rule
from yangguang.rules.selectors import rule_param
from yangguang.rules.services import DATA_FILE, RuleFinding, rule_check, rule_confirm, rules_load


def test_the_shipped_rule_set_is_loaded_by_migrate(db):
    shipped = json.loads(DATA_FILE.read_text())
    assert Rule.objects.count() == len(shipped) >= 159
    g011 = Rule.objects.get(pk="G-011")
    assert g011.status == "verified" and g011.source == "TBL 第24条"
    assert rule_param("G-011") == 20 and rule_param("G-011", "unit") == "calendar_day"
    assert Rule.objects.get(pk="L-002").status == "unconfirmed"


def test_loading_again_changes_nothing_and_keeps_confirmations(db, user_of):
    rule_confirm(actor=user_of("admin"), rule=Rule.objects.get(pk="L-002"), note="国土资源部令第39号 第10条")
    assert rules_load() == (0, 0)
    assert Rule.objects.get(pk="L-002").confirmed_at is not None


def test_a_verified_rule_blocks_and_names_itself_and_its_source(db):
    assert rule_check("G-011", passed=True, message="x") is None
    with pytest.raises(ValidationFailed) as err:
        rule_check("G-011", passed=False, message="The bid period is too short.", field="bid_deadline")
    assert err.value.code == "rule_violated" and err.value.field == "bid_deadline"
    assert "G-011" in str(err.value.message) and "TBL 第24条" in str(err.value.message)


def test_an_unconfirmed_rule_warns_until_an_administrator_confirms_it(db, user_of):
    finding = rule_check("L-002", passed=False, message="Announcement too late.")
    assert isinstance(finding, RuleFinding) and finding.code == "L-002"
    assert "L-002" in str(finding)
    for role in ("staff", "supervisor", "committee"):
        with pytest.raises(PermissionDenied):
            rule_confirm(actor=user_of(role), rule=Rule.objects.get(pk="L-002"), note="checked")
    with pytest.raises(ValidationFailed):
        rule_confirm(actor=user_of("admin"), rule=Rule.objects.get(pk="L-002"), note="  ")
    rule_confirm(actor=user_of("admin"), rule=Rule.objects.get(pk="L-002"), note="L39 第10条, gazette text")
    assert Event.objects.filter(action="rules.rule.confirm", object_id="L-002").count() == 1
    with pytest.raises(ValidationFailed):
        rule_check("L-002", passed=False, message="Announcement too late.")
    with pytest.raises(IllegalTransition):
        rule_confirm(actor=user_of("admin"), rule=Rule.objects.get(pk="L-002"), note="again")


def test_the_rule_page_lists_filters_and_lets_an_administrator_confirm(db, client_as):
    page = Client().get("/rules/?domain=土地")
    assert page.status_code == 200
    text = page.content.decode()
    assert "L-002" in text and "G-011" not in text
    admin = client_as("admin")
    assert "L-002/confirm/" in admin.get("/rules/?q=L-002").content.decode()
    response = admin.post("/rules/L-002/confirm/", {"note": "L39 第10条"})
    assert response.status_code == 302
    assert Rule.objects.get(pk="L-002").confirmed_at is not None
