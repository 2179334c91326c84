"""Who registered is confidential: only the supplier itself and the reviewing/supervising authorities see it."""

import pytest
from django.test import Client

from yangguang.suppliers.selectors import supplier_eligible, suppliers_visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(make_supplier):
    return make_supplier(name="丽水市保密测试建设工程有限公司")


@pytest.fixture
def other_supplier_client(make_supplier):
    from .conftest import PASSWORD

    other = make_supplier()
    client = Client()
    client.login(username=other.organisation.members.get().username, password=PASSWORD)
    return client


def test_other_supplier_sees_only_itself(secret, other_supplier_client):
    client = other_supplier_client
    assert client.get("/suppliers/pool/").status_code == 403
    assert client.get(f"/suppliers/pool/{secret.pk}/").status_code == 403
    assert secret.organisation.name not in client.get("/suppliers/mine/").content.decode()
    me = client.get("/api/v1/suppliers/me").json()
    assert me["id"] != secret.pk
    assert client.get("/api/v1/suppliers/").status_code == 403


@pytest.mark.parametrize("role", ["purchaser", "agency", "expert"])
def test_buyers_and_experts_see_nothing(secret, client_as, role):
    client = client_as(role)
    assert client.get("/suppliers/pool/").status_code == 403
    assert client.get(f"/suppliers/pool/{secret.pk}/").status_code == 403
    assert client.get("/suppliers/blacklist/").status_code == 403
    assert client.get("/api/v1/suppliers/").status_code == 403
    assert client.get("/api/v1/suppliers/me").status_code == 403


def test_public_sees_nothing(secret):
    client = Client()
    assert client.get("/suppliers/pool/").status_code == 302
    assert client.get(f"/suppliers/pool/{secret.pk}/").status_code == 302
    assert client.get("/api/v1/suppliers/").status_code == 401
    assert client.get("/api/v1/suppliers/me").status_code == 401
    assert secret.organisation.name not in client.get("/suppliers/register/").content.decode()


def test_public_log_page_does_not_name_the_supplier(secret):
    page = Client().get("/log/")
    assert secret.organisation.name not in page.content.decode()
    assert secret.organisation.credit_code not in page.content.decode()


def test_selectors_hide_the_pool_from_non_readers(secret, user_of):
    assert not suppliers_visible(user_of("purchaser")).exists()
    assert not suppliers_visible(user_of("supplier")).exists()
    assert list(suppliers_visible(user_of("staff"))) == [secret]
    assert list(suppliers_visible(user_of("discipline"))) == [secret]


def test_eligibility(secret, user_of):
    from yangguang.accounts.models import Organisation

    assert supplier_eligible(secret.organisation)[0] is False  # submitted, not yet approved
    purchaser_org = Organisation.objects.get(name="丽水市第一人民医院")
    assert supplier_eligible(purchaser_org)[0] is False
