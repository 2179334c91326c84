"""Expert and draw statuses, the recusal rule codes and the tables of allowed moves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop, pgettext_lazy

from yangguang.core.states import TransitionTable


class ExpertStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("experts", "Application submitted, awaiting review")
    ACTIVE = "active", pgettext_lazy("experts", "Active")
    REJECTED = "rejected", pgettext_lazy("experts", "Application rejected")
    SUSPENDED = "suspended", pgettext_lazy("experts", "Suspended")
    BLACKLISTED = "blacklisted", pgettext_lazy("experts", "Blacklisted")


class TitleLevel(models.TextChoices):
    """Professional title level (职称级别); TBL art. 37 asks for a senior title or equivalent."""

    SENIOR = "senior", pgettext_lazy("experts", "Senior (正高级)")
    ASSOCIATE_SENIOR = "associate_senior", pgettext_lazy("experts", "Associate senior (副高级)")
    INTERMEDIATE = "intermediate", pgettext_lazy("experts", "Intermediate (中级)")


class RelationKind(models.TextChoices):
    PARENT_SUBSIDIARY = "parent_subsidiary", pgettext_lazy("experts", "Parent and subsidiary (控股)")
    SAME_REPRESENTATIVE = "same_representative", pgettext_lazy("experts", "Same legal representative (同一法定代表人)")
    SHAREHOLDER = "shareholder", pgettext_lazy("experts", "Shareholding (参股)")
    MANAGEMENT = "management", pgettext_lazy("experts", "Management relationship (管理关系)")


class RegionScope(models.TextChoices):
    LOCAL = "local", pgettext_lazy("experts", "Local: the project's region and the regions under it")
    REMOTE = "remote", pgettext_lazy("experts", "Remote: other cities, outside the project's city and its counties")
    ANY = "any", pgettext_lazy("experts", "Any region")


class DrawStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("experts", "Requested")
    DRAWN = "drawn", pgettext_lazy("experts", "Drawn, confirming")
    RELEASED = "released", pgettext_lazy("experts", "List released")
    PUBLISHED = "published", pgettext_lazy("experts", "Audit package published")
    CANCELLED = "cancelled", pgettext_lazy("experts", "Cancelled")


class SlotRole(models.TextChoices):
    PRIMARY = "primary", pgettext_lazy("experts", "Primary")
    BACKUP = "backup", pgettext_lazy("experts", "Backup")


class SlotState(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("experts", "Waiting (backup not called)")
    INVITED = "invited", pgettext_lazy("experts", "Invited, awaiting answer")
    ACCEPTED = "accepted", pgettext_lazy("experts", "Accepted")
    DECLINED = "declined", pgettext_lazy("experts", "Declined")
    TIMED_OUT = "timed_out", pgettext_lazy("experts", "No answer in time")


class Recusal(models.TextChoices):
    """Why an expert of the requested specialties and region was left out of a draw (回避 and eligibility).

    Sources: TBL art. 37 and TBLR art. 46 (interest in a bidder), GPLR art. 9 (employment within 3 years),
    M87 art. 47 (purchaser's and agency's own staff); the served-recently window is local practice (⚠U in
    rules.md §3, so it is a per-request parameter)."""

    EMPLOYER = "employer", pgettext_lazy("experts", "Works for the purchaser, the agency or a bidder")
    RELATED_EMPLOYER = "related_employer", pgettext_lazy(
        "experts", "Works for a company related to the purchaser, agency or a bidder")
    FORMER_EMPLOYER = "former_employer", pgettext_lazy(
        "experts", "Left such an employer less than 3 years ago (GPLR art. 9)")
    DECLARED_CONFLICT = "declared_conflict", pgettext_lazy("experts", "Declared a conflict of interest")
    SERVED_RECENTLY = "served_recently", pgettext_lazy("experts", "Served the same purchaser within the period")
    SUSPENDED = "suspended", pgettext_lazy("experts", "Suspended")
    BLACKLISTED = "blacklisted", pgettext_lazy("experts", "Blacklisted")
    OUT_OF_TERM = "out_of_term", pgettext_lazy("experts", "Outside the term of appointment")
    UNAVAILABLE = "unavailable", pgettext_lazy("experts", "Unavailable on the evaluation date")


STEP_APPROVE = gettext_noop("approve")
STEP_REJECT = gettext_noop("reject")
STEP_SUSPEND = gettext_noop("suspend")
STEP_BLACKLIST = gettext_noop("blacklist")
STEP_REINSTATE = gettext_noop("reinstate")

EXPERT_TRANSITIONS = TransitionTable({
    STEP_APPROVE: ([ExpertStatus.SUBMITTED], ExpertStatus.ACTIVE),
    STEP_REJECT: ([ExpertStatus.SUBMITTED], ExpertStatus.REJECTED),
    STEP_SUSPEND: ([ExpertStatus.ACTIVE], ExpertStatus.SUSPENDED),
    STEP_BLACKLIST: ([ExpertStatus.ACTIVE, ExpertStatus.SUSPENDED], ExpertStatus.BLACKLISTED),
    STEP_REINSTATE: ([ExpertStatus.SUSPENDED, ExpertStatus.BLACKLISTED], ExpertStatus.ACTIVE),
})

STEP_RUN = gettext_noop("draw the experts")
STEP_RELEASE = gettext_noop("release the list")
STEP_PUBLISH = gettext_noop("publish the audit package")
STEP_CANCEL = gettext_noop("cancel the draw")

DRAW_TRANSITIONS = TransitionTable({
    STEP_RUN: ([DrawStatus.REQUESTED], DrawStatus.DRAWN),
    STEP_RELEASE: ([DrawStatus.DRAWN], DrawStatus.RELEASED),
    STEP_PUBLISH: ([DrawStatus.RELEASED], DrawStatus.PUBLISHED),
    STEP_CANCEL: ([DrawStatus.REQUESTED, DrawStatus.DRAWN], DrawStatus.CANCELLED),
})

STEP_ACCEPT = gettext_noop("accept the invitation")
STEP_DECLINE = gettext_noop("decline the invitation")
STEP_TIME_OUT = gettext_noop("time out the invitation")

SLOT_TRANSITIONS = TransitionTable({
    STEP_ACCEPT: ([SlotState.INVITED], SlotState.ACCEPTED),
    STEP_DECLINE: ([SlotState.INVITED], SlotState.DECLINED),
    STEP_TIME_OUT: ([SlotState.INVITED], SlotState.TIMED_OUT),
})
