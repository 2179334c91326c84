"""Notices (公告/公示) of every type: immutable once published, corrected by new notices, searchable.

Search: each notice's search document (see :mod:`.search`) lives in its own narrow, insert-only table
(:class:`NoticeSearch`), so the full-text index and the rows it must visit stay small and in id order. The
migration adds an FTS5 table with triggers on SQLite and a generated ``search_vector`` tsvector column with
a GIN index on PostgreSQL. A future migration that makes SQLite rebuild that table must re-create them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yangguang.catalogue.states import Category
from yangguang.core.deadlines import DAY_UNIT_CHOICES

from .registry import TypeSpec, type_spec
from .states import NoticeStatus, NoticeType


class Notice(models.Model):
    code = models.CharField(_("notice number"), max_length=40, unique=True)
    type = models.CharField(_("type"), max_length=40, choices=NoticeType.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="notices",
                               verbose_name=_("region"))
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="notices", verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=300)
    body_html = models.TextField(_("text"), blank=True, help_text="sanitised with nh3 before it is stored")
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=NoticeStatus.choices,
                              default=NoticeStatus.PUBLISHED)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections", verbose_name=_("corrects"))
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    owner = models.CharField(max_length=80, blank=True, db_index=True,
                             help_text="the workflow object that owns the notice, e.g. 'tendering.procedure:12'")
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    publicity_days = models.PositiveSmallIntegerField(_("publicity period"), null=True, blank=True)
    publicity_unit = models.CharField(max_length=20, choices=DAY_UNIT_CHOICES, blank=True)
    publicity_opens_at = models.DateTimeField(_("publicity opens"), null=True, blank=True)
    publicity_closes_at = models.DateTimeField(_("publicity closes"), null=True, blank=True)
    publicity_closed_at = models.DateTimeField(_("publicity closed at"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        # Newest first is id order: published_at is the database clock at the insert, so ids and
        # publication times rise together (the demo inserts its back-dated notices oldest first).
        ordering = ["-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            # Portal lists without a search term: latest of a category / type / region.
            models.Index(fields=["category", "-id"], name="notice_category_idx"),
            models.Index(fields=["type", "-id"], name="notice_type_idx"),
            models.Index(fields=["region", "-id"], name="notice_region_idx"),
            # Date-range filters turn into an id range through this index.
            models.Index(fields=["published_at"], name="notice_published_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("portal:notice", args=[self.pk])

    @property
    def spec(self) -> TypeSpec | None:
        return type_spec(self.type)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == NoticeStatus.WITHDRAWN

    def field_rows(self) -> list[tuple[str, str]]:
        """(label in the active language, value) in the order the type declares its fields."""
        spec = self.spec
        rows: list[tuple[str, str]] = []
        declared = [*spec.fields, *spec.optional_fields, *spec.system_fields] if spec else []
        keys = [f.key for f in declared]
        for f in declared:
            if self.fields.get(f.key):
                rows.append((str(f.label), str(self.fields[f.key])))
        rows += [(key, str(value)) for key, value in self.fields.items() if key not in keys and value]
        return rows


class NoticeSearch(models.Model):
    """The search document of one notice: written once with the notice, never updated (a notice's text never
    changes), so its rows lie in id order and a search reads few, small rows."""

    notice = models.OneToOneField(Notice, primary_key=True, on_delete=models.CASCADE, related_name="search")
    text = models.TextField(help_text="CJK unigrams and bigrams, ASCII words, filter tokens; space-separated")

    def __str__(self) -> str:
        return str(self.notice_id)


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200)
    path = models.CharField(max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:attachment", args=[self.notice_id, self.pk])


class NoticeRevision(models.Model):
    """One row counting every change that the portal shows (publish, correct, withdraw, publicity close).

    Portal fragments are cached under this number, so a change made by any process (a web worker, the
    chronograph worker) invalidates every process's cache on its next request: one primary-key read."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)
