"""Factories for supplier tests: registration data with fresh valid codes and registered suppliers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from yangguang.accounts.models import Region
from yangguang.suppliers.credit_code import credit_code_generate
from yangguang.suppliers.models import SupplierProfile
from yangguang.suppliers.services import supplier_register

PASSWORD = "Qingci-2026-secure"  # noqa: S105 - test accounts
_serial = itertools.count(900000)


def registration_data(**overrides: Any) -> dict[str, Any]:
    number = next(_serial)
    data = {
        "name": f"丽水市测试{number}建设工程有限公司",
        "credit_code": credit_code_generate(region_code="331102", serial=number),
        "region": "331100",
        "classes": ["works"],
        "primary_class": "works",
        "legal_representative": "王建国",
        "registered_capital": "1000",
        "address": "浙江省丽水市莲都区中山街1号",
        "business_scope": "房屋建筑工程施工",
        "contact_name": "李联系",
        "contact_phone": "13900000000",
        "username": f"supplier{number}",
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """PBKDF2 at production strength costs over a second per account here; tests create dozens."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_supplier(demo) -> Callable[..., SupplierProfile]:
    """make_supplier(region="331121", **fields) → a profile in SUBMITTED, registered through the service."""

    def make(**overrides: Any) -> SupplierProfile:
        data = registration_data(**overrides)
        data["region"] = Region.objects.get(code=data["region"])
        return supplier_register(actor=None, **data)

    return make
