"""Test helpers: publish notices of any type with every mandatory field filled."""

from __future__ import annotations

from typing import Any

from yangguang.accounts.models import Region, User
from yangguang.notices import services
from yangguang.notices.models import Notice
from yangguang.notices.registry import type_spec


def full_fields(notice_type: str, **overrides: str) -> dict[str, str]:
    spec = type_spec(notice_type)
    assert spec is not None
    values = {f.key: f"{f.key}的内容" for f in spec.fields}
    values.update(overrides)
    return values


def notice_make(*, notice_type: str = "tender_construction", title: str = "丽水市某某道路施工招标公告",
                region_code: str = "331100", actor: Any = None, **kwargs: Any) -> Notice:
    actor = actor or User.objects.get(username="staff" if region_code == "331100" else "admin")
    fields = kwargs.pop("fields", None) or full_fields(notice_type)
    return services.notice_publish(actor=actor, notice_type=notice_type, region=Region.objects.get(code=region_code),
                                   title=title, fields=fields, **kwargs)
