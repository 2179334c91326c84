"""Project intake statuses and the one table of allowed moves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from yangguang.core.states import TransitionTable


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for intake")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for correction")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The owner may edit a project only before the centre has it, or after the centre sent it back.
EDITABLE_STATUSES = frozenset({ProjectStatus.DRAFT, ProjectStatus.RETURNED})

PROJECT_MOVES = TransitionTable({
    "submit": ([ProjectStatus.DRAFT, ProjectStatus.RETURNED], ProjectStatus.SUBMITTED),
    "accept": ([ProjectStatus.SUBMITTED], ProjectStatus.ACCEPTED),
    "return": ([ProjectStatus.SUBMITTED], ProjectStatus.RETURNED),
    "withdraw": ([ProjectStatus.DRAFT, ProjectStatus.RETURNED, ProjectStatus.SUBMITTED], ProjectStatus.WITHDRAWN),
})

# The step names above are shown in the “not allowed” message; marked here so they are translated.
STEP_NAMES = [gettext_noop("submit"), gettext_noop("accept"), gettext_noop("return"), gettext_noop("withdraw")]
