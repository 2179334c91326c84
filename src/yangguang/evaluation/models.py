"""Evaluation of one lot after the opening, through award and contract.

An :class:`Evaluation` holds a snapshot of the opened bids (:class:`Tenderer`), the committee
(:class:`Member`: experts from the released draw and the purchaser's representatives), their conflict
declarations, the qualification and compliance reviews, every member's scores (secret until that member
submits), arithmetic corrections, score amendments, negotiation rounds with sealed quotes, the report with
its signatures, objections, the award and the contract.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import AmendmentGround, CandidateGround, EvaluationStatus, MemberKind, MemberState, ReviewKind


class Evaluation(models.Model):
    lot = models.OneToOneField("tendering.Lot", on_delete=models.PROTECT, related_name="evaluation",
                               verbose_name=_("lot"))
    procedure = models.ForeignKey("tendering.Procedure", on_delete=models.PROTECT, related_name="evaluations",
                                  verbose_name=_("procedure"))
    draw = models.ForeignKey("experts.Draw", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("expert draw"))
    status = models.CharField(_("status"), max_length=20, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.PREPARING, db_index=True)
    # The method configuration the committee scores against, frozen at the opening of the evaluation.
    config = models.JSONField(default=dict)
    checklist = models.JSONField(default=list, help_text="[[code, kind, label], …]")
    random_value = models.CharField(max_length=64, help_text="hex; the tie-break and random-factor seed")
    outcome = models.JSONField(null=True, blank=True, help_text="the computed ranking, outliers and steps")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    failure_reason = models.TextField(_("reason for failure"), blank=True)
    publicity_notice_id = models.BigIntegerField(null=True, blank=True)
    publicity_closed_at = models.DateTimeField(null=True, blank=True)
    # Legal timers after the report (see :mod:`.timers`): when every member had signed, the deemed award of
    # a procurement (P-033), the deadlines found overdue (codes of :data:`.timers.ALERTS`) and the
    # chronograph's next look.
    reported_at = models.DateTimeField(_("report completed at"), null=True, blank=True)
    deemed_award_at = models.DateTimeField(_("award deemed confirmed at"), null=True, blank=True)
    overdue = models.JSONField(default=list, blank=True, help_text="codes of the legal deadlines missed")
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # 政采: the candidate the published result notice (or its latest correction) names as the winner.
    named_ref = models.CharField(max_length=12, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.procedure.code or self.procedure_id} / {self.lot.number}"


class Tenderer(models.Model):
    """A bid as opened: the snapshot the committee works on (bidding's ``OpenedBid``)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="tenderers")
    ref = models.CharField(max_length=12, help_text="T1, T2 … in opening order")
    bid_id = models.BigIntegerField(null=True, blank=True)
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField(_("bidder"), max_length=200)
    credit_code = models.CharField(_("credit code"), max_length=18)
    price = models.DecimalField(_("price read out"), max_digits=16, decimal_places=2)
    corrected_price = models.DecimalField(_("price after correction"), max_digits=16, decimal_places=2,
                                          null=True, blank=True)
    enterprise_size = models.CharField(max_length=10, default="large")
    terms = models.JSONField(default=dict, blank=True)
    price_lines = models.JSONField(default=list, blank=True)
    round_price = models.DecimalField(_("last round's quote"), max_digits=16, decimal_places=2, null=True,
                                      blank=True)
    security_ok = models.BooleanField(default=True)
    qualified = models.BooleanField(_("passed the reviews"), null=True, blank=True)
    abnormally_low = models.BooleanField(default=False)
    # A ranked candidate who gave up the award or failed the re-check before it (G-035, G-036): the award
    # passes to the next in order.
    withdrawn_ground = models.CharField(_("withdrawn"), max_length=20, choices=CandidateGround.choices, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "pk"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "ref"], name="evaluation_tenderer_ref_unique")]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def effective_price(self):  # type: ignore[no-untyped-def]
        """The price the evaluation uses: the last closed round's quote, else the corrected, else as read."""
        if self.round_price is not None:
            return self.round_price
        return self.corrected_price if self.corrected_price is not None else self.price


class Member(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices)
    slot = models.ForeignKey("experts.DrawSlot", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey("experts.Expert", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="evaluation_seats")
    name = models.CharField(_("name"), max_length=60)
    state = models.CharField(_("state"), max_length=10, choices=MemberState.choices, default=MemberState.SEATED)
    is_chair = models.BooleanField(_("chair"), default=False)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    scores_submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)
    chair_vote = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replaced_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["evaluation", "pk"]
        verbose_name = _("committee member")

    def __str__(self) -> str:
        return self.name

    @property
    def seated(self) -> bool:
        return self.state == MemberState.SEATED


class ConflictDeclaration(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="declarations")
    tenderer = models.ForeignKey(Tenderer, on_delete=models.CASCADE, related_name="+")
    conflict = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    declared_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "tenderer"], name="evaluation_declaration_unique")]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.tenderer_id}: {self.conflict}"


class Review(models.Model):
    """The committee's finding on one checklist item for one bid; a fail carries its reason."""

    tenderer = models.ForeignKey(Tenderer, on_delete=models.CASCADE, related_name="reviews")
    item = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    passed = models.BooleanField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["tenderer", "pk"]
        constraints = [models.UniqueConstraint(fields=["tenderer", "item"], name="evaluation_review_unique")]

    def __str__(self) -> str:
        return f"{self.tenderer_id} {self.item}: {self.passed}"


class Score(models.Model):
    """One member's points for one bid on one criterion. SECRET to everyone but the member until the member
    submits (``member.scores_submitted_at``): read only through :mod:`.selectors`."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="scores")
    tenderer = models.ForeignKey(Tenderer, on_delete=models.CASCADE, related_name="+")
    criterion = models.CharField(max_length=40)
    points = models.DecimalField(max_digits=8, decimal_places=2)
    saved_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "tenderer", "criterion"],
                                               name="evaluation_score_unique")]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.tenderer_id}/{self.criterion}"


class ScoreAmendment(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="amendments")
    old_points = models.DecimalField(max_digits=8, decimal_places=2)
    new_points = models.DecimalField(max_digits=8, decimal_places=2)
    ground = models.CharField(max_length=30, choices=AmendmentGround.choices)
    reason = models.TextField()
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.score_id}: {self.old_points} → {self.new_points}"


class Correction(models.Model):
    """An arithmetic correction (算术修正) of a bid's price, with the steps and the committee's reason."""

    tenderer = models.ForeignKey(Tenderer, on_delete=models.CASCADE, related_name="corrections")
    stated_total = models.DecimalField(max_digits=16, decimal_places=2)
    corrected_total = models.DecimalField(max_digits=16, decimal_places=2)
    changes = models.JSONField(default=list)
    reason = models.TextField()
    recorded_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.tenderer_id}: {self.stated_total} → {self.corrected_total}"


class Round(models.Model):
    """A negotiation or consultation round (竞争性谈判/磋商): revised quotes sealed until it closes."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "number"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "number"], name="evaluation_round_unique")]

    def __str__(self) -> str:
        return f"round {self.number}"


class Quote(models.Model):
    """A revised quote. SECRET until its round closes: nobody but the bidder reads it (see selectors)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="quotes")
    tenderer = models.ForeignKey(Tenderer, on_delete=models.CASCADE, related_name="+")
    price = models.DecimalField(max_digits=16, decimal_places=2)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "tenderer"], name="evaluation_quote_unique")]

    def __str__(self) -> str:
        return f"quote {self.pk}"


class Report(models.Model):
    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="report")
    path = models.CharField(max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    generated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"report {self.sha256[:12]}"


class ReportSignature(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="signatures")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64, help_text="the hash of the PDF the member signed")
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "member"], name="evaluation_signature_unique")]

    def __str__(self) -> str:
        return f"signature {self.member_id}"


class Objection(models.Model):
    """An objection (异议/质疑) to the result by a bidder; while one is open the award and contract wait."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="objections")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    # The answer is due within G-034 ``reply_n`` (工程) or P-041 (政采) days of filing; a miss is flagged.
    reply_due = models.DateTimeField(_("answer due by"), null=True, blank=True)
    reply_overdue = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"objection {self.pk}"


class Reminder(models.Model):
    """A reminder sent once to the responsible party before a legal deadline (see :mod:`.timers`)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="reminders")
    timer = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True, help_text="which instance, e.g. objection:12")
    rule = models.CharField(max_length=10)
    due = models.DateTimeField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0, help_text="accounts reached by e-mail")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "timer", "key", "due"],
                                               name="evaluation_reminder_once")]

    def __str__(self) -> str:
        return f"reminder {self.timer} {self.due:%Y-%m-%d %H:%M}"


class Award(models.Model):
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="award")
    tenderer = models.ForeignKey(Tenderer, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("award price"), max_digits=16, decimal_places=2)
    savings = models.DecimalField(_("savings (budget − award price)"), max_digits=16, decimal_places=2)
    notice_path = models.CharField(max_length=300)
    notice_sha256 = models.CharField(max_length=64)
    result_notice_id = models.BigIntegerField(null=True, blank=True)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"award {self.pk}"


class Contract(models.Model):
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="contract")
    signed_on = models.DateField(_("signed on"))
    price = models.DecimalField(_("contract price"), max_digits=16, decimal_places=2)
    signed_late = models.BooleanField(default=False, help_text="signed after the legal period from the award")
    notice_id = models.BigIntegerField(null=True, blank=True)
    notice_due = models.DateTimeField(null=True, blank=True)
    notice_late = models.BooleanField(default=False, help_text="the notice was published after its deadline (P-036)")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"contract {self.pk}"
