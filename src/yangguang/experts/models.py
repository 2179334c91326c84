"""The evaluation expert pool (评标专家库) and the draws from it (随机抽取).

Pool: specialties (a tree), experts with employer, region, term and status, and the facts recusal needs:
employment history, related companies, declared conflicts, unavailable periods and service history.
Draw: a request for a procedure, the frozen pool and its commitment, the ranked slots (primaries and
ordered backups) with their confirmation state, the two-official release and the published audit package.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .id_number import id_number_mask
from .states import DrawStatus, ExpertStatus, RegionScope, RelationKind, SlotRole, SlotState, TitleLevel


class Specialty(models.Model):
    """A node of the specialty taxonomy (专业分类). Experts hold leaves; a quota for an inner node draws from
    every leaf below it."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    name = models.CharField(_("name"), max_length=40)
    id_number = models.CharField(_("ID card number"), max_length=18, unique=True)
    title_level = models.CharField(_("title level"), max_length=20, choices=TitleLevel.choices)
    title_name = models.CharField(_("professional title"), max_length=60)
    years_in_field = models.PositiveSmallIntegerField(_("years in the field"), default=8)
    employer_name = models.CharField(_("employer"), max_length=120)
    employer_credit_code = models.CharField(_("employer's unified social credit code"), max_length=18)
    employer_org = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("employer on the platform"))
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    phone = models.CharField(_("mobile phone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    term_start = models.DateField(_("term of appointment from"), null=True, blank=True)
    term_end = models.DateField(_("term of appointment until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ExpertStatus.choices,
                              default=ExpertStatus.SUBMITTED)
    status_from = models.DateField(_("status since"), null=True, blank=True)
    status_until = models.DateField(_("status until"), null=True, blank=True,
                                    help_text="last day of a suspension or blacklisting; empty = open-ended")
    status_reason = models.TextField(_("reason"), blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="expert_profile", verbose_name=_("user account"))
    specialties: models.ManyToManyField = models.ManyToManyField(
        Specialty, through="ExpertSpecialty", related_name="experts", verbose_name=_("specialties"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # The chronograph's index: the end of a suspension or blacklisting.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        indexes = [
            # Recusal reads the few experts who are out of the pool, sanctioned, outside their term or employed
            # by a party with these. On PostgreSQL migration 0002 makes them covering (INCLUDE id …) so the
            # rule queries are index-only scans; SQLite has no such indexes and uses them as they are.
            models.Index(fields=["status"], name="expert_status_idx"),
            models.Index(fields=["term_end"], name="expert_term_end_idx"),
            models.Index(fields=["term_start"], name="expert_term_start_idx"),
            models.Index(fields=["employer_credit_code"], name="expert_employer_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        return id_number_mask(self.id_number)


class ExpertSpecialty(models.Model):
    """An expert's specialty. ``region`` repeats the expert's region so that the draw reads its candidates
    (specialty and region → expert ids) from one index alone; it is written with the row and must follow
    the expert's region (``services.expert_region_change``)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="+")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["specialty", "expert"], name="expert_specialty_unique")]
        indexes = [
            # The draw's candidate query: experts of some specialties in some regions (index-only scan).
            models.Index(fields=["specialty", "region", "expert"], name="expert_specialty_draw_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.expert_id}:{self.specialty_id}"


class EmploymentRecord(models.Model):
    """A past employer (GPLR art. 9: no evaluation for a supplier one worked for within 3 years)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="employments")
    employer_name = models.CharField(_("employer"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    started_on = models.DateField(_("from"), null=True, blank=True)
    left_on = models.DateField(_("left on"))

    class Meta:
        ordering = ["-left_on"]
        verbose_name = _("former employer")
        indexes = [models.Index(fields=["credit_code", "left_on"],
                                name="expert_employment_code_idx")]

    def __str__(self) -> str:
        return f"{self.employer_name} → {self.left_on}"


class CompanyRelation(models.Model):
    """Two companies related as recorded (control, same representative, shareholding); an expert working
    for one is recused from procedures of the other."""

    credit_code_a = models.CharField(_("company A credit code"), max_length=18, db_index=True)
    credit_code_b = models.CharField(_("company B credit code"), max_length=18, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=RelationKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("company relation")
        constraints = [models.UniqueConstraint(fields=["credit_code_a", "credit_code_b", "kind"],
                                               name="company_relation_unique")]

    def __str__(self) -> str:
        return f"{self.credit_code_a} ~ {self.credit_code_b} ({self.kind})"


class DeclaredConflict(models.Model):
    """A conflict the expert declared: with a company (by credit code) or with one project."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    credit_code = models.CharField(_("company credit code"), max_length=18, blank=True)
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        indexes = [models.Index(fields=["credit_code"], name="expert_conflict_code_idx")]

    def __str__(self) -> str:
        return self.reason


class UnavailablePeriod(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="unavailable")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("unavailable period")
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="expert_unavailable_idx")]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"


class TrainingRecord(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("course"), max_length=120)
    completed_on = models.DateField(_("completed on"))
    hours = models.PositiveSmallIntegerField(_("hours"), default=8)

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training record")

    def __str__(self) -> str:
        return self.title


class ServiceRecord(models.Model):
    """An evaluation the expert sat on (or accepted to sit on): which purchaser and when."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="services")
    purchaser_credit_code = models.CharField(_("purchaser credit code"), max_length=18)
    purchaser_name = models.CharField(_("purchaser"), max_length=120, blank=True)
    served_on = models.DateField(_("evaluation date"))
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    slot = models.OneToOneField("DrawSlot", null=True, blank=True, on_delete=models.SET_NULL, related_name="service")
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["-served_on"]
        verbose_name = _("service record")
        indexes = [models.Index(fields=["purchaser_credit_code", "served_on"],
                                name="expert_service_idx")]

    def __str__(self) -> str:
        return f"{self.purchaser_credit_code} {self.served_on}"


class DrawRequest(models.Model):
    """A procedure's request for experts. Tendering fills it: the purchaser, agency and registered bidders
    are given as credit codes so recusal can be checked without reading other apps' tables."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="expert_draws",
                                verbose_name=_("project"))
    purchaser_credit_code = models.CharField(_("purchaser credit code"), max_length=18)
    agency_credit_code = models.CharField(_("agency credit code"), max_length=18, blank=True)
    bidder_credit_codes = models.JSONField(_("registered bidders' credit codes"), default=list)
    region_scope = models.CharField(_("region scope"), max_length=10, choices=RegionScope.choices)
    evaluation_at = models.DateTimeField(_("evaluation starts at"))
    served_window_days = models.PositiveSmallIntegerField(_("no repeat service for the purchaser within (days)"))
    confirm_window_minutes = models.PositiveSmallIntegerField(_("time to answer an invitation (minutes)"))
    venue = models.CharField(_("venue"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DrawStatus.choices, default=DrawStatus.REQUESTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("expert draw request")

    def __str__(self) -> str:
        return f"#{self.pk} {self.project}"


class DrawQuota(models.Model):
    request = models.ForeignKey(DrawRequest, on_delete=models.CASCADE, related_name="quotas")
    position = models.PositiveSmallIntegerField()
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("specialty"))
    count = models.PositiveSmallIntegerField(_("experts"))
    backups = models.PositiveSmallIntegerField(_("backups"))

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["request", "position"], name="draw_quota_position_unique")]

    def __str__(self) -> str:
        return f"{self.specialty_id} × {self.count}"


class Draw(models.Model):
    """The committed draw: frozen pool, commitment, beacon and the sealed secret. ``secret`` is revealed only
    in the audit package after publication; until then no page or endpoint shows it."""

    request = models.OneToOneField(DrawRequest, on_delete=models.PROTECT, related_name="draw")
    algorithm = models.CharField(max_length=30)
    pool_snapshot = models.TextField(help_text="canonical JSON of the frozen pool, exactly as hashed")
    pool_hash = models.CharField(max_length=64)
    pool_size = models.PositiveIntegerField()
    exclusion_counts = models.JSONField(default=dict)
    # Who was left out and by which rules: {expert id: [rule, …]} (secret: counts are shown, names are not).
    exclusions = models.JSONField(default=dict)
    seed_commitment = models.CharField(max_length=64)
    secret = models.CharField(max_length=64)
    commit_seq = models.BigIntegerField()
    beacon_seq = models.BigIntegerField(null=True)
    beacon_value = models.CharField(max_length=64, blank=True)
    drawn_at = models.DateTimeField(null=True)
    short = models.BooleanField(_("not enough experts left"), default=False)
    released_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    audit_package = models.TextField(blank=True, help_text="canonical JSON, exactly as published")

    class Meta:
        verbose_name = _("expert draw")


    def __str__(self) -> str:
        return f"draw of request {self.request_id}"

    @property
    def snapshot(self) -> dict:
        import json

        return json.loads(self.pool_snapshot)


class DrawSlot(models.Model):
    """One ranked expert of a stratum: primaries are invited at once, backups when called up."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="slots")
    stratum = models.PositiveSmallIntegerField()
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=10, choices=SlotRole.choices)
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="slots")
    state = models.CharField(_("state"), max_length=10, choices=SlotState.choices, default=SlotState.WAITING)
    invited_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=200, blank=True)
    # Chronograph: the answer deadline of an open invitation.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["draw", "stratum", "rank"]
        constraints = [models.UniqueConstraint(fields=["draw", "stratum", "rank"], name="draw_slot_rank_unique")]

    def __str__(self) -> str:
        return f"draw {self.draw_id} stratum {self.stratum} rank {self.rank}"


class DrawRelease(models.Model):
    """One official's consent to open the sealed list; two, of different people and organisations, open it."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="releases")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draw", "official"], name="draw_release_official_unique")]

    def __str__(self) -> str:
        return f"draw {self.draw_id} by {self.official_id}"


class ExpertRating(models.Model):
    """The centre's or a supervisor's rating of an expert's conduct in one evaluation."""

    slot = models.ForeignKey(DrawSlot, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rated_at"]
        constraints = [models.UniqueConstraint(fields=["slot", "rater"], name="expert_rating_once")]

    def __str__(self) -> str:
        return f"{self.slot_id}: {self.score}"
