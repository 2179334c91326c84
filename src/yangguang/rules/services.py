"""Checking an action against a rule, and confirming an unconfirmed rule.

    finding = rule_check("G-011", passed=days >= rule_param("G-011"), message=_("The bid period is too short."),
                         field="bid_deadline")

A breach of a blocking rule (verified, secondary, or confirmed by an administrator) raises
``ValidationFailed`` whose message names the rule and its legal source; a breach of an unconfirmed rule
returns a ``RuleFinding`` the caller shows as a warning (and may record).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role
from yangguang.accounts.states import Role
from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append

from .models import Rule
from .selectors import rule_get
from .states import RuleStatus

DATA_FILE = Path(__file__).resolve().parent / "data" / "rules.json"


@dataclass(frozen=True)
class RuleFinding:
    """A breach of a rule that does not block (yet): shown to the user, the action goes ahead."""

    code: str
    message: str
    source: str

    def __str__(self) -> str:
        return _("%(message)s (rule %(code)s, %(source)s; unconfirmed: a warning only)") % {
            "message": self.message, "code": self.code, "source": self.source}


def rule_check(code: str, *, passed: bool, message: str, field: str = "") -> RuleFinding | None:
    if passed:
        return None
    rule = rule_get(code)
    if rule.blocking:
        raise ValidationFailed(
            _("%(message)s (rule %(code)s, %(source)s)") % {"message": message, "code": rule.code,
                                                              "source": rule.source},
            code="rule_violated", field=field or None)
    return RuleFinding(rule.code, message, rule.source)


def rule_confirm(*, actor: Any, rule: Rule, note: str) -> Rule:
    """A platform administrator confirms an unconfirmed rule against the official text; from then on it blocks."""
    if not has_role(actor, Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only a platform administrator may confirm a rule."))
    if not note.strip():
        raise ValidationFailed(_("Say which official text you checked the rule against."), code="required",
                               field="note")
    with transaction.atomic():
        locked = Rule.objects.select_for_update().get(pk=rule.pk)
        if locked.status != RuleStatus.UNCONFIRMED or locked.confirmed_at is not None:
            raise IllegalTransition(_("This rule is already confirmed."))
        locked.confirmed_at = db_now()
        locked.confirmed_by = actor
        locked.confirmation_note = note.strip()[:2000]
        locked.save(update_fields=["confirmed_at", "confirmed_by", "confirmation_note"])
        event_append(action="rules.rule.confirm", actor=actor, obj=locked, payload={"code": locked.code})
    return locked


def rules_load(data_file: Path = DATA_FILE) -> tuple[int, int]:
    """Create missing rules and refresh the text of existing ones from the shipped data file; an
    administrator's confirmation is kept. Returns (created, updated). Idempotent."""
    rows = json.loads(data_file.read_text(encoding="utf-8"))
    created = updated = 0
    fields = ("domain", "text", "parameters", "source", "status", "status_note", "platform_check", "params")
    existing = {r.code: r for r in Rule.objects.all()}
    for row in rows:
        row = {**row, "platform_check": row.get("check", "")}
        values = {f: row.get(f, "" if f != "params" else {}) for f in fields}
        rule = existing.get(row["code"])
        if rule is None:
            Rule.objects.create(code=row["code"], **values)
            created += 1
        elif any(getattr(rule, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(rule, f, v)
            rule.save(update_fields=list(fields))
            updated += 1
    return created, updated
