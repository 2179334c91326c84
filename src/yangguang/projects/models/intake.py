"""Projects registered for trading (受理登记): who owns them, what they are, how they are funded, and the
centre's intake decision including the must-trade judgement (应进必进) against the catalogue in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yangguang.catalogue.states import Category, FundingSource

from ..states import EDITABLE_STATUSES, ProjectStatus


class Project(models.Model):
    # Blank until the centre accepts the project; then e.g. 331100-GC-2026-00001.
    code = models.CharField(_("project code"), max_length=40, blank=True)
    name = models.CharField(_("project name"), max_length=200)
    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="owned_projects",
                              verbose_name=_("purchaser / tenderer"))
    agency = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="agency_projects", verbose_name=_("agency"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    catalogue_item = models.ForeignKey("catalogue.CatalogueItem", on_delete=models.PROTECT, related_name="projects",
                                       verbose_name=_("catalogue item"))
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="projects",
                               verbose_name=_("region"))
    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="projects",
                               verbose_name=_("trading centre"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=16, decimal_places=2)
    responsible_leader = models.CharField(_("responsible leader"), max_length=40)
    responsible_section = models.CharField(_("responsible section"), max_length=80)
    responsible_person = models.CharField(_("responsible person"), max_length=40)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=30)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT,
                              db_index=True)
    must_trade = models.BooleanField(_("must be traded on the platform"), null=True, blank=True)
    must_trade_reason = models.CharField(_("must-trade reason"), max_length=300, blank=True)
    catalogue_version = models.CharField(_("catalogue version"), max_length=220, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="project_code_unique"),
            # A retried registration with the same Idempotency-Key finds the project it created.
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="project_idempotency_key_unique"),
        ]
        indexes = [
            # The intake queue: submitted projects of one centre.
            models.Index(fields=["centre", "status"], name="project_centre_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ProjectFunding(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fundings")
    source = models.CharField(_("funding source"), max_length=30, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("project funding")
        constraints = [models.UniqueConstraint(fields=["project", "source"], name="project_funding_source_unique")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class UploadedDocument(models.Model):
    """A file stored by core.storage.file_store (by its SHA-256), with who uploaded it and when."""

    title = models.CharField(_("title"), max_length=200)
    path = models.CharField(max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class ProjectDocument(UploadedDocument):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")

    class Meta(UploadedDocument.Meta):
        verbose_name = _("project document")
