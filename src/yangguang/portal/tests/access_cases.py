"""Expected HTTP status of every public portal page: the portal is public, every role and the public see it."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile


def cases(ctx: dict[str, Any]) -> list[tuple]:
    from yangguang.notices.tests.factories import notice_make

    notice = notice_make(title="访问矩阵门户公告", attachments=[ContentFile(b"tender documents", name="文件.pdf")])
    attachment = notice.attachments.get()
    return [
        ("GET", "/", {"*": 200}),
        ("GET", "/announcements/", {"*": 200}),
        ("GET", "/announcements/?q=施工&category=construction&region=331100&date_from=2026-01-01", {"*": 200}),
        ("GET", "/announcements/?category=nonsense", {"*": 422}),
        ("GET", f"/announcements/{notice.pk}/", {"*": 200}),
        ("GET", "/announcements/999999999/", {"*": 404}),
        ("GET", f"/announcements/{notice.pk}/files/{attachment.pk}/", {"*": 200}),
        ("GET", "/feeds/construction/rss.xml", {"*": 200}),
        ("GET", "/feeds/construction/atom.xml", {"*": 200}),
        ("GET", "/feeds/nonsense/rss.xml", {"*": 404}),
        ("GET", "/sitemap.xml", {"*": 200}),
        ("GET", "/sitemap-notices.xml", {"*": 200}),
    ]
