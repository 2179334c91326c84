"""Must-trade enforcement (应进必进): exemption requests and their three approvals, post-trade reports and
bulletins, investigations of anomalies, violations referred to discipline inspection, departments' project
lists, and the log of funding checks.

Notices live in the notices app, which points at projects; these models keep the notice's id and number
(``notice_pk``, ``notice_code``) rather than a foreign key, so the two apps' migrations stay one-way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yangguang.catalogue.states import Category

from ..musttrade_states import (
    AnomalyKind,
    ApprovalStep,
    Decision,
    EntryMatch,
    ExemptionStatus,
    InvestigationOutcome,
    InvestigationStatus,
    Outcome,
    ReportStatus,
    ViolationKind,
    ViolationStatus,
)
from .intake import Project, UploadedDocument

OPEN_OR_APPROVED = [ExemptionStatus.SECTION_REVIEW, ExemptionStatus.LEADER_APPROVAL,
                    ExemptionStatus.COMMITTEE_APPROVAL, ExemptionStatus.APPROVED]


class ExemptionRequest(models.Model):
    """不进场交易申请 (一事一审一批): one request per project at a time; approved → an exemption ID."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="exemption_requests",
                                verbose_name=_("project"))
    code = models.CharField(_("exemption ID"), max_length=40, blank=True)
    department = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("competent department"))
    reason = models.TextField(_("reason for trading outside the platform"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    method = models.CharField(_("how it will be traded"), max_length=200)
    status = models.CharField(_("status"), max_length=30, choices=ExemptionStatus.choices,
                              default=ExemptionStatus.SECTION_REVIEW, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    notice_pk = models.BigIntegerField(null=True, blank=True)
    notice_code = models.CharField(_("publicity notice"), max_length=40, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    trade_date = models.DateField(_("trade date"), null=True, blank=True)
    report_due_at = models.DateTimeField(_("report due"), null=True, blank=True)
    report_due_day = models.DateField(_("last day for the report"), null=True, blank=True)
    reminded_days = models.SmallIntegerField(null=True, blank=True,
                                             help_text="days before the due date of the last reminder")
    overdue_at = models.DateTimeField(_("report found overdue at"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("exemption request")
        verbose_name_plural = _("exemption requests")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="exemption_code_unique"),
            # 一事一审一批: one open or approved request per project.
            models.UniqueConstraint(fields=["project"], condition=models.Q(status__in=OPEN_OR_APPROVED),
                                    name="exemption_one_live_per_project"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk} {self.project}"


class ExemptionDecision(models.Model):
    request = models.ForeignKey(ExemptionRequest, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(_("step"), max_length=30, choices=ApprovalStep.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    opinion = models.TextField(_("opinion"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("approval decision")

    def __str__(self) -> str:
        return f"{self.step} {self.outcome}"


class ExemptionDocument(UploadedDocument):
    request = models.ForeignKey(ExemptionRequest, on_delete=models.CASCADE, related_name="documents")

    class Meta(UploadedDocument.Meta):
        verbose_name = _("exemption document")


class Bulletin(models.Model):
    """A periodic bulletin (通报) of exempt projects' trade results to the member units, as a spreadsheet."""

    code = models.CharField(_("bulletin number"), max_length=40, unique=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    title = models.CharField(_("title"), max_length=200)
    path = models.CharField(max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    report_count = models.PositiveIntegerField(_("reports"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("bulletin")

    def __str__(self) -> str:
        return self.code


class TradeReport(models.Model):
    """The trade result of an exempt project (交易结果报告), due within 20 days after the trade (rule Y-001)."""

    exemption = models.OneToOneField(ExemptionRequest, on_delete=models.PROTECT, related_name="report",
                                     verbose_name=_("exemption"))
    trade_date = models.DateField(_("trade date"))
    contracts = models.JSONField(_("contracts"), default=list,
                                 help_text="[{supplier, credit_code, amount}] — organisations, not persons")
    total_price = models.DecimalField(_("total price (yuan)"), max_digits=16, decimal_places=2)
    summary = models.TextField(_("summary of the trade"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices,
                              default=ReportStatus.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    days_after_trade = models.IntegerField(_("days after the trade"))
    on_time = models.BooleanField(_("on time"))
    review_opinion = models.TextField(_("review opinion"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    notice_pk = models.BigIntegerField(null=True, blank=True)
    notice_code = models.CharField(_("portal notice"), max_length=40, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    bulletin = models.ForeignKey(Bulletin, null=True, blank=True, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("bulletin"))
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("post-trade report")
        verbose_name_plural = _("post-trade reports")

    def __str__(self) -> str:
        return f"{self.exemption} {self.trade_date}"


class Investigation(models.Model):
    """A case opened by an anomaly in a reported result; the committee office assigns and closes it."""

    code = models.CharField(_("case number"), max_length=40, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="investigations",
                                verbose_name=_("project"))
    report = models.ForeignKey(TradeReport, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="investigations")
    anomalies = models.JSONField(_("anomalies"), default=list, help_text="[{kind, detail}]")
    status = models.CharField(_("status"), max_length=20, choices=InvestigationStatus.choices,
                              default=InvestigationStatus.OPEN, db_index=True)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                       verbose_name=_("assignees"))
    findings = models.TextField(_("findings"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=InvestigationOutcome.choices, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("investigation")

    def __str__(self) -> str:
        return self.code

    def anomaly_rows(self) -> list[tuple[str, str]]:
        return list(zip(self.anomaly_labels(), [str(a.get("detail", "")) for a in self.anomalies], strict=True))

    def anomaly_labels(self) -> list[str]:
        return [str(AnomalyKind(a["kind"]).label) if a.get("kind") in AnomalyKind.values else str(a.get("kind"))
                for a in self.anomalies]


class ProjectListImport(models.Model):
    """One import of a department's project list (approved investment projects, budgets)."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("File upload")
        API = "api", _("System API")

    department = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    api_key_id = models.BigIntegerField(null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    unmatched = models.PositiveIntegerField(_("suspected violations"), default=0)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("project list import")

    def __str__(self) -> str:
        return f"{self.department} {self.imported_at:%Y-%m-%d}"


class ProjectListEntry(models.Model):
    batch = models.ForeignKey(ProjectListImport, on_delete=models.CASCADE, related_name="entries")
    line = models.PositiveIntegerField(_("line"))
    reference = models.CharField(_("department's reference"), max_length=60, blank=True)
    name = models.CharField(_("project name"), max_length=200)
    owner_name = models.CharField(_("owner"), max_length=120)
    owner_credit_code = models.CharField(_("owner's credit code"), max_length=18, blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=16, decimal_places=2)
    funding_source = models.CharField(_("funding source"), max_length=30)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    match = models.CharField(_("match"), max_length=20, choices=EntryMatch.choices)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["batch", "line"]
        verbose_name = _("project list entry")

    def __str__(self) -> str:
        return self.name


class Violation(models.Model):
    """A violation record (责任追究) with its evidence: event numbers of the public log."""

    code = models.CharField(_("record number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ViolationKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ViolationStatus.choices, db_index=True)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="violations",
                                verbose_name=_("project"))
    exemption = models.ForeignKey(ExemptionRequest, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="violations")
    investigation = models.ForeignKey(Investigation, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="violations")
    entry = models.ForeignKey(ProjectListEntry, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="violations")
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    summary = models.TextField(_("summary"))
    evidence = models.JSONField(_("evidence (event numbers)"), default=list)
    detected_at = models.DateTimeField(_("detected at"))
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("violation")
        constraints = [
            # A late or missing report is one record, however often the worker looks.
            models.UniqueConstraint(fields=["exemption", "kind"], condition=models.Q(exemption__isnull=False),
                                    name="violation_one_per_exemption_kind"),
        ]
        indexes = [models.Index(fields=["project", "kind", "status"], name="violation_project_idx")]

    def __str__(self) -> str:
        return self.code


class FundingCheck(models.Model):
    """Every funding check, by API or page. Kept out of the public event log: which projects finance asks
    about is internal, and the volume (every payment) would swamp the log."""

    project_code = models.CharField(_("project code"), max_length=60)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    basis = models.CharField(_("basis"), max_length=120, blank=True)
    reason = models.CharField(_("reason code"), max_length=40, blank=True)
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    api_key_id = models.BigIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("funding check")

    def __str__(self) -> str:
        return f"{self.project_code} {self.decision}"
