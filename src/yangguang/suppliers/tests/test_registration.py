import json

import pytest
from django.test import Client

from yangguang.accounts.models import Organisation, User
from yangguang.core.models import Event
from yangguang.suppliers.models import SupplierProfile
from yangguang.suppliers.states import SupplierStatus

from .conftest import PASSWORD, registration_data

pytestmark = pytest.mark.django_db


def _form(data):
    form = dict(data)
    form["password_confirm"] = form["password"]
    return form


def test_web_registration_creates_organisation_user_and_profile_then_supplier_signs_in(demo):
    client = Client()
    page = client.get("/suppliers/register/")
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    data = registration_data()
    response = client.post("/suppliers/register/", _form(data) | {"idempotency_key": key})
    assert response.status_code == 302 and response["Location"] == "/suppliers/register/done/"
    done = client.get(response["Location"])
    assert "等待" in done.content.decode() or "审核" in done.content.decode()

    profile = SupplierProfile.objects.get(organisation__credit_code=data["credit_code"])
    assert profile.status == SupplierStatus.SUBMITTED
    assert profile.organisation.kind == "supplier"
    user = User.objects.get(username=data["username"])
    assert user.role == "supplier" and user.organisation == profile.organisation

    assert client.login(username=data["username"], password=PASSWORD)
    mine = client.get("/suppliers/mine/")
    assert mine.status_code == 200 and data["name"] in mine.content.decode()

    # The public log names neither the company nor its credit code.
    payloads = json.dumps(list(Event.objects.values_list("payload", flat=True)), ensure_ascii=False)
    assert data["credit_code"] not in payloads and data["name"] not in payloads
    assert Event.objects.filter(action="suppliers.supplier.registered", object_id=str(profile.pk)).exists()


def test_web_form_shows_field_errors_and_keeps_input(demo):
    data = registration_data(credit_code="91350100M000100Y44", registered_capital="lots")
    response = Client().post("/suppliers/register/", _form(data))
    assert response.status_code == 200
    form = response.context["form"]
    assert "credit_code" in form.errors and "registered_capital" in form.errors
    assert "校验" in form.errors["credit_code"][0]
    assert data["name"] in response.content.decode()
    assert not Organisation.objects.filter(name=data["name"]).exists()


def test_web_duplicate_credit_code_is_refused_on_the_field(demo, make_supplier):
    first = make_supplier()
    data = registration_data(credit_code=first.organisation.credit_code)
    response = Client().post("/suppliers/register/", _form(data))
    assert response.status_code == 200
    assert "已注册" in response.context["form"].errors["credit_code"][0]
    assert not User.objects.filter(username=data["username"]).exists()


def test_web_double_submit_with_same_form_key_registers_once(demo):
    data = _form(registration_data()) | {"idempotency_key": "form-key-1"}
    client = Client()
    assert client.post("/suppliers/register/", data).status_code == 302
    assert client.post("/suppliers/register/", data).status_code == 302
    assert SupplierProfile.objects.filter(organisation__credit_code=data["credit_code"]).count() == 1


def _api_register(client, data, **headers):
    payload = dict(data)
    payload["registered_capital"] = str(payload["registered_capital"])
    return client.post("/api/v1/suppliers/register", payload, content_type="application/json", headers=headers)


def test_api_registration_returns_id_and_status(demo):
    response = _api_register(Client(), registration_data())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert SupplierProfile.objects.get(pk=body["id"]).status == SupplierStatus.SUBMITTED


def test_api_bad_credit_code_is_422_with_code_and_field(demo):
    response = _api_register(Client(), registration_data(credit_code="91350100M000100Y44"))
    assert response.status_code == 422
    assert response.json()["code"] == "credit_code_checksum"
    assert response.json()["field"] == "credit_code"
    assert not SupplierProfile.objects.exists()


def test_api_duplicate_is_422_and_nothing_half_written(demo, make_supplier):
    first = make_supplier()
    users_before = User.objects.count()
    response = _api_register(Client(), registration_data(credit_code=first.organisation.credit_code))
    assert response.status_code == 422
    assert response.json() | {"message": ""} == {"code": "duplicate_credit_code", "field": "credit_code",
                                                  "message": ""}
    assert User.objects.count() == users_before


def test_api_retry_with_idempotency_key_returns_the_same_result(demo):
    data = registration_data()
    first = _api_register(Client(), data, **{"Idempotency-Key": "retry-abc"})
    second = _api_register(Client(), data, **{"Idempotency-Key": "retry-abc"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert SupplierProfile.objects.filter(organisation__credit_code=data["credit_code"]).count() == 1
    without_key = _api_register(Client(), data)
    assert without_key.status_code == 422 and without_key.json()["code"] == "duplicate_credit_code"


def test_api_reusing_a_key_for_another_company_is_refused(demo):
    assert _api_register(Client(), registration_data(), **{"Idempotency-Key": "k1"}).status_code == 201
    other = _api_register(Client(), registration_data(), **{"Idempotency-Key": "k1"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(("override", "field"), [
    ({"classes": []}, "classes"),
    ({"classes": ["weapons"]}, "classes"),
    ({"region": "999999"}, "region"),
    ({"name": "  "}, "name"),
    ({"password": "123"}, "password"),
])
def test_api_bad_fields_name_the_field(demo, override, field):
    response = _api_register(Client(), registration_data(**override))
    assert response.status_code == 422
    assert response.json()["field"] == field
